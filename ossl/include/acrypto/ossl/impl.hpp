// SPDX-License-Identifier: Apache-2.0
// A provider's own implementation of an algorithm, found by name in its dispatch tables, and a
// cipher context driven through that implementation's functions: the calls
// EVP_CipherInit_ex2, EVP_CipherUpdate, EVP_CipherFinal_ex and the AEAD tag controls end in,
// made without the EVP layer's checks and dispatch on every call.
#pragma once

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <strings.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace acrypto::ossl {

/// Whether `want` is one of the colon-separated `names` (case-insensitive).
inline bool has_name(const char *names, const char *want) {
    const size_t n = std::strlen(want);
    for (const char *p = names; p != nullptr && *p != '\0';) {
        const char *end = std::strchr(p, ':');
        const size_t len = end != nullptr ? static_cast<size_t>(end - p) : std::strlen(p);
        if (len == n && strncasecmp(p, want, n) == 0) return true;
        p = end != nullptr ? end + 1 : nullptr;
    }
    return false;
}

/**
 * The functions of the implementation named `name` of operation `op` in `prov` (a new Fns,
 * the caller's to delete), read from its dispatch table by `fill`; nullptr when it is not
 * there or `fill` finds it incomplete. Fns has a `provctx` member, set to `prov`'s.
 */
template <typename Fns>
Fns *look_up(const OSSL_PROVIDER *prov, int op, const char *name,
             bool (*fill)(Fns &, const OSSL_DISPATCH *)) {
    if (prov == nullptr || name == nullptr) return nullptr;
    int no_cache = 0;
    const OSSL_ALGORITHM *algs = OSSL_PROVIDER_query_operation(prov, op, &no_cache);
    Fns *found = nullptr;
    for (const OSSL_ALGORITHM *a = algs; a != nullptr && a->algorithm_names != nullptr; ++a) {
        if (!has_name(a->algorithm_names, name)) continue;
        auto *f = new (std::nothrow) Fns;
        if (f == nullptr) break;
        f->provctx = OSSL_PROVIDER_get0_provider_ctx(prov);
        if (fill(*f, a->implementation)) {
            found = f;
        } else {
            delete f;
        }
        break;
    }
    if (algs != nullptr) OSSL_PROVIDER_unquery_operation(prov, op, algs);
    return found;
}

/// One cipher implementation's functions and provider context.
struct CipherFns {
    void *provctx = nullptr;
    OSSL_FUNC_cipher_newctx_fn *newctx = nullptr;
    OSSL_FUNC_cipher_freectx_fn *freectx = nullptr;
    OSSL_FUNC_cipher_dupctx_fn *dupctx = nullptr;
    OSSL_FUNC_cipher_encrypt_init_fn *einit = nullptr;
    OSSL_FUNC_cipher_decrypt_init_fn *dinit = nullptr;
    OSSL_FUNC_cipher_update_fn *update = nullptr;
    OSSL_FUNC_cipher_final_fn *final = nullptr;
    OSSL_FUNC_cipher_get_ctx_params_fn *get_ctx_params = nullptr;
    OSSL_FUNC_cipher_set_ctx_params_fn *set_ctx_params = nullptr;
};

/// Fill `f` from a cipher dispatch table; whether all nine functions are there.
inline bool fill_cipher(CipherFns &f, const OSSL_DISPATCH *d) {
    for (; d->function_id != 0; ++d) {
        switch (d->function_id) {
        case OSSL_FUNC_CIPHER_NEWCTX: f.newctx = OSSL_FUNC_cipher_newctx(d); break;
        case OSSL_FUNC_CIPHER_FREECTX: f.freectx = OSSL_FUNC_cipher_freectx(d); break;
        case OSSL_FUNC_CIPHER_DUPCTX: f.dupctx = OSSL_FUNC_cipher_dupctx(d); break;
        case OSSL_FUNC_CIPHER_ENCRYPT_INIT: f.einit = OSSL_FUNC_cipher_encrypt_init(d); break;
        case OSSL_FUNC_CIPHER_DECRYPT_INIT: f.dinit = OSSL_FUNC_cipher_decrypt_init(d); break;
        case OSSL_FUNC_CIPHER_UPDATE: f.update = OSSL_FUNC_cipher_update(d); break;
        case OSSL_FUNC_CIPHER_FINAL: f.final = OSSL_FUNC_cipher_final(d); break;
        case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
            f.get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(d);
            break;
        case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
            f.set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(d);
            break;
        default: break;
        }
    }
    return f.newctx && f.freectx && f.dupctx && f.einit && f.dinit && f.update && f.final &&
           f.get_ctx_params && f.set_ctx_params;
}

/// The functions of the implementation behind the fetched cipher `cipher` (a new CipherFns,
/// the caller's to delete), or nullptr.
inline CipherFns *cipher_fns(const EVP_CIPHER *cipher) {
    if (cipher == nullptr) return nullptr;
    return look_up<CipherFns>(EVP_CIPHER_get0_provider(cipher), OSSL_OP_CIPHER,
                              EVP_CIPHER_get0_name(cipher), fill_cipher);
}

/**
 * One context of a cipher implementation, driven through its functions. Empty until
 * open(); a copy starts empty (copy_from() carries the state). A failed call leaves the
 * library's error queue to the caller.
 */
class CipherCtx {
  public:
    CipherCtx() = default;
    ~CipherCtx() { close(); }
    CipherCtx(const CipherCtx &) {}
    CipherCtx &operator=(const CipherCtx &) = delete;

    explicit operator bool() const noexcept { return algctx_ != nullptr; }

    /// A new context of `fns`'s cipher for direction `enc`, keyed with `key` and `iv`
    /// (nullptr: none), then `params` applied, as EVP_CipherInit_ex2 does. False, and
    /// empty, on failure.
    bool open(const CipherFns &fns, bool enc, const uint8_t *key, size_t key_len, const uint8_t *iv,
              size_t iv_len, const OSSL_PARAM params[]) {
        close();
        fns_ = fns;
        enc_ = enc;
        if ((algctx_ = fns_.newctx(fns_.provctx)) == nullptr) return false;
        if ((enc_ ? fns_.einit : fns_.dinit)(algctx_, key, key_len, iv, iv_len, params) != 1) {
            close();
            return false;
        }
        return true;
    }
    /// The same for the implementation behind the fetched cipher `cipher` (its functions
    /// looked up once, here).
    bool open(const EVP_CIPHER *cipher, bool enc, const uint8_t *key, size_t key_len,
              const uint8_t *iv, size_t iv_len, const OSSL_PARAM params[]) {
        close();
        CipherFns *f = cipher_fns(cipher);
        const bool ok = f != nullptr && open(*f, enc, key, key_len, iv, iv_len, params);
        delete f;
        return ok;
    }
    /// A copy of `o` (empty when `o` is), in the same state. False on failure.
    bool copy_from(const CipherCtx &o) {
        close();
        if (o.algctx_ == nullptr) return true;
        if ((algctx_ = o.fns_.dupctx(o.algctx_)) == nullptr) return false;
        fns_ = o.fns_;
        enc_ = o.enc_;
        return true;
    }
    /// Free the context (which cleanses its key schedule).
    void close() noexcept {
        if (algctx_ != nullptr) fns_.freectx(algctx_);
        algctx_ = nullptr;
    }

    /// Start again at `iv` (`iv_len` bytes) under the same key and direction.
    bool set_iv(const uint8_t *iv, size_t iv_len) {
        return (enc_ ? fns_.einit : fns_.dinit)(algctx_, nullptr, 0, iv, iv_len, nullptr) == 1;
    }
    /// `len` bytes from `in` to `out`, or additional data when `out` is nullptr.
    bool update(uint8_t *out, size_t *outl, const uint8_t *in, size_t len) {
        return fns_.update(algctx_, out, outl, len, in, len) == 1;
    }
    /// AEAD additional data.
    bool aad(const uint8_t *in, size_t len) {
        size_t outl = 0;
        return update(nullptr, &outl, in, len);
    }
    /// `len` bytes from `in` to `out` (the same or disjoint), all of them output.
    bool run(uint8_t *out, const uint8_t *in, size_t len) {
        size_t outl = 0;
        return update(out, &outl, in, len) && outl == len;
    }
    /// Finish an AEAD message (no output; decryption checks the tag set first).
    bool finish() {
        uint8_t none[16];
        size_t n = 0;
        return fns_.final(algctx_, none, &n, sizeof none) == 1 && n == 0;
    }
    /// The expected tag of a message being decrypted.
    bool set_tag(const uint8_t *tag, size_t len) {
        const OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                                                  const_cast<uint8_t *>(tag), len),
                                OSSL_PARAM_construct_end()};
        return fns_.set_ctx_params(algctx_, p) == 1;
    }
    /// The tag of the message just encrypted.
    bool get_tag(uint8_t *tag, size_t len) {
        OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, len),
                          OSSL_PARAM_construct_end()};
        return fns_.get_ctx_params(algctx_, p) == 1;
    }

  private:
    CipherFns fns_;
    void *algctx_ = nullptr;
    bool enc_ = true;
};

} // namespace acrypto::ossl
