// SPDX-License-Identifier: Apache-2.0
// cpu inline kernels: AES ECB/CBC/CTR on AES-NI round keys expanded at bind time, or one
// EVP_CIPHER_CTX keyed at bind time; AEAD on one context of the library's implementation
// (acrypto::ossl::CipherCtx) keyed at bind time. Ciphers track their chaining state so a stream of
// runs never re-initialises it; AEAD messages set only their IV.
#include "kernel.hpp"

#include <climits>
#include <cstring>
#include <new>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "acrypto/ossl/impl.hpp"
#include "aesni.hpp"
#include "exec_cipher.hpp"
#include "kernel_base.hpp"

namespace acrypto::soft::cpu {

namespace {

/// AES ECB/CBC/CTR on the AES-NI instructions when the CPU has them (`ni_fn`), with
/// no EVP layer under the kernel; otherwise a keyed EVP context.
struct AesKernel : KernelBase {
    Keyed k;
    aesni::Schedule ni_keys;
    aesni::BlockFn ni_fn = nullptr; ///< the mode's AES-NI function for ni_keys (run_aes_ni)
};

/// Whether a run of `len` bytes has what the kernel's mode needs: whole blocks (ECB, CBC),
/// an IV (CBC, CTR) and a position in the keystream block (CTR).
bool mode_args_ok(uint32_t mode, size_t len, const uint8_t *iv, const uint32_t *num) {
    if (mode == ACRYPTO_MODE_CTR) return iv && num && *num < 16;
    return len % 16 == 0 && (mode == ACRYPTO_MODE_ECB || iv);
}

int run_aes(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv, uint32_t *num) {
    auto *a = static_cast<AesKernel *>(state);
    if (len == 0) return ACRYPTO_OK;
    if (!src || !dst || partly_overlaps(src, dst, len)) return ACRYPTO_E_INVALID;
    int rc = ACRYPTO_E_INVALID;
    if (mode_args_ok(a->mode, len, iv, num)) {
        switch (a->mode) {
        case ACRYPTO_MODE_ECB: rc = aes_ecb(a->k, src, dst, len); break;
        case ACRYPTO_MODE_CBC: rc = aes_cbc(a->k, src, dst, len, iv, a->enc); break;
        default: rc = aes_ctr(a->k, src, dst, len, iv, num, a->enc); break;
        }
    }
    if (rc != ACRYPTO_OK) a->k.known = false;
    a->count(len);
    return rc;
}

/// A run on AES-NI in mode `M` with the function chosen at bind (the kernel's run when the
/// CPU has AES-NI): run_aes()'s checks for that mode, then the rounds. The run is counted
/// first (the rounds cannot fail), so that the function ends by jumping to them.
template <uint32_t M>
int run_aes_ni(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
               uint32_t *num) {
    auto *a = static_cast<AesKernel *>(state);
    if (len == 0) return ACRYPTO_OK;
    if (!src || !dst || partly_overlaps(src, dst, len)) return ACRYPTO_E_INVALID;
    a->count(len); // a run refused for its mode's arguments counts, as in run_aes
    if (!mode_args_ok(M, len, iv, num)) [[unlikely]]
        return ACRYPTO_E_INVALID;
    return a->ni_fn(a->ni_keys, src, dst, len, iv, num);
}

void release_aes(void *state) {
    auto *a = static_cast<AesKernel *>(state);
    if (!a) return;
    a->flush();
    EVP_CIPHER_CTX_free(a->k.ctx);
    EVP_CIPHER_free(a->cipher);
    OPENSSL_cleanse(&a->k, sizeof(a->k));
    OPENSSL_cleanse(&a->ni_keys, sizeof(a->ni_keys));
    delete a;
}

const char *aes_name(uint32_t mode, size_t key_len) {
    static const char *const names[3][3] = {
        {"AES-128-ECB", "AES-128-CBC", "AES-128-CTR"},
        {"AES-192-ECB", "AES-192-CBC", "AES-192-CTR"},
        {"AES-256-ECB", "AES-256-CBC", "AES-256-CTR"},
    };
    const int k = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    const int m = mode == ACRYPTO_MODE_ECB   ? 0
                  : mode == ACRYPTO_MODE_CBC ? 1
                  : mode == ACRYPTO_MODE_CTR ? 2
                                             : -1;
    return k < 0 || m < 0 ? nullptr : names[k][m];
}

/// An AEAD kernel: one context keyed (and set to the bound IV length) once; each
/// message sets only its IV.
struct AeadKernel : KernelBase {
    ossl::CipherCtx lc;
    size_t iv_len = 0;
};

int aead_message(AeadKernel *a, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                 const uint8_t *src, uint8_t *dst, size_t len, uint8_t *tag, size_t tag_len) {
    ossl::CipherCtx &lc = a->lc;
    if (!lc.set_iv(iv, a->iv_len)) return ACRYPTO_E_INTERNAL;
    if (aad_len > 0 && !lc.aad(aad, aad_len)) return ACRYPTO_E_INTERNAL;
    if (len > 0 && !lc.run(dst, src, len)) return ACRYPTO_E_INTERNAL;
    if (!a->enc && !lc.set_tag(tag, tag_len)) return ACRYPTO_E_INTERNAL;
    if (!lc.finish()) return a->enc ? ACRYPTO_E_INTERNAL : ACRYPTO_E_VERIFY;
    if (a->enc && !lc.get_tag(tag, tag_len)) return ACRYPTO_E_INTERNAL;
    return ACRYPTO_OK;
}

int run_aead(void *state, const uint8_t *iv, size_t iv_len, const uint8_t *aad, size_t aad_len,
             const uint8_t *src, uint8_t *dst, size_t len, uint8_t *tag, size_t tag_len) {
    auto *a = static_cast<AeadKernel *>(state);
    if (iv_len != a->iv_len) return ACRYPTO_E_UNSUPPORTED;
    if (!iv || !tag || tag_len == 0 || tag_len > 16 || len > INT_MAX || aad_len > INT_MAX ||
        (aad_len > 0 && !aad) || (len > 0 && (!src || !dst)))
        return ACRYPTO_E_INVALID;
    if (len > 0 && partly_overlaps(src, dst, len)) return ACRYPTO_E_INVALID;
    const int rc = aead_message(a, iv, aad, aad_len, src, dst, len, tag, tag_len);
    if (rc != ACRYPTO_OK) {
        ERR_clear_error();
        if (len > 0 && !a->enc) OPENSSL_cleanse(dst, len); // no unauthenticated plaintext
    }
    a->count(len);
    return rc;
}

void release_aead(void *state) {
    auto *a = static_cast<AeadKernel *>(state);
    if (!a) return;
    a->flush();
    a->lc.close(); // cleanses the key schedule
    EVP_CIPHER_free(a->cipher);
    delete a;
}

const char *aead_name(const acrypto_step &shape) {
    if (shape.alg == ACRYPTO_ALG_CHACHA20 && shape.mode == ACRYPTO_MODE_POLY1305)
        return shape.key->len == 32 && shape.iv_len == 12 ? "ChaCha20-Poly1305" : nullptr;
    if (shape.alg != ACRYPTO_ALG_AES || shape.mode != ACRYPTO_MODE_GCM || shape.iv_len == 0 ||
        shape.iv_len > ACRYPTO_MAX_IV)
        return nullptr;
    switch (shape.key->len) {
    case 16: return "AES-128-GCM";
    case 24: return "AES-192-GCM";
    case 32: return "AES-256-GCM";
    default: return nullptr;
    }
}

int bind_aead(const std::shared_ptr<CryptoLib> &lib, const std::shared_ptr<KernelCounts> &counts,
              const acrypto_step &shape, const char *name, acrypto_kernel &out) {
    auto *a = new_kernel<AeadKernel>(lib, counts, shape);
    if (!a) return ACRYPTO_E_NOMEM;
    a->iv_len = shape.iv_len;
    a->cipher = EVP_CIPHER_fetch(lib->ctx(), name, nullptr);
    size_t ivlen = a->iv_len;
    OSSL_PARAM ivp[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                        OSSL_PARAM_construct_end()};
    if (!a->cipher ||
        !a->lc.open(a->cipher, a->enc, shape.key->data, shape.key->len, nullptr, 0, ivp)) {
        ERR_clear_error();
        release_aead(a);
        return ACRYPTO_E_INTERNAL;
    }
    out = kernel_table(a, release_aead, INT_MAX);
    out.aead_fn = run_aead;
    return ACRYPTO_OK;
}

} // namespace

int bind_kernel(const std::shared_ptr<CryptoLib> &lib, const std::shared_ptr<KernelCounts> &counts,
                const acrypto_step &shape, acrypto_kernel &out) {
    if (shape.op != ACRYPTO_OP_CIPHER || !shape.key || !shape.key->data)
        return ACRYPTO_E_UNSUPPORTED;
    if (shape.dir != ACRYPTO_DIR_ENCRYPT && shape.dir != ACRYPTO_DIR_DECRYPT)
        return ACRYPTO_E_UNSUPPORTED;
    if (shape.mode == ACRYPTO_MODE_GCM || shape.mode == ACRYPTO_MODE_POLY1305) {
        const char *name = aead_name(shape);
        if (!name || !lib || !lib->ok() || !counts) return ACRYPTO_E_UNSUPPORTED;
        return bind_aead(lib, counts, shape, name, out);
    }
    if (shape.mode == ACRYPTO_MODE_XTS || shape.mode == ACRYPTO_MODE_STREAM ||
        shape.alg == ACRYPTO_ALG_DES || shape.alg == ACRYPTO_ALG_DES_EDE3)
        return bind_plain_kernel(lib, counts, shape, out);
    if (shape.alg != ACRYPTO_ALG_AES) return ACRYPTO_E_UNSUPPORTED;
    const char *name = aes_name(shape.mode, shape.key->len);
    if (!name || !lib || !lib->ok() || !counts) return ACRYPTO_E_UNSUPPORTED;
    auto *a = new_kernel<AesKernel>(lib, counts, shape);
    if (!a) return ACRYPTO_E_NOMEM;
    const aesni::Mode m = a->mode == ACRYPTO_MODE_ECB   ? aesni::Mode::Ecb
                          : a->mode == ACRYPTO_MODE_CBC ? aesni::Mode::Cbc
                                                        : aesni::Mode::Ctr;
    if (aesni::expand(a->ni_keys, shape.key->data, shape.key->len))
        a->ni_fn = aesni::block_fn_for(a->ni_keys, m, a->enc);
    if (a->ni_fn == nullptr) {
        a->cipher = EVP_CIPHER_fetch(lib->ctx(), name, nullptr);
        a->k.ctx = EVP_CIPHER_CTX_new();
        if (!aes_key_ctx(a->k.ctx, a->cipher, a->mode, shape.key->data, a->enc)) {
            ERR_clear_error();
            release_aes(a);
            return ACRYPTO_E_INTERNAL;
        }
        a->k.known = true; // zero IV, counter zero, num 0
    }
    out = kernel_table(a, release_aes, uint64_t{1} << 30);
    out.run_fn = a->ni_fn == nullptr           ? run_aes
                 : a->mode == ACRYPTO_MODE_ECB ? run_aes_ni<ACRYPTO_MODE_ECB>
                 : a->mode == ACRYPTO_MODE_CBC ? run_aes_ni<ACRYPTO_MODE_CBC>
                                               : run_aes_ni<ACRYPTO_MODE_CTR>;
    return ACRYPTO_OK;
}

} // namespace acrypto::soft::cpu
