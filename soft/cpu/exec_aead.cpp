// SPDX-License-Identifier: Apache-2.0
// CPU device family "aead": AES-GCM, AES-XTS, ChaCha20, ChaCha20-Poly1305 and AES-CMAC over
// libcrypto.
#include "exec_aead.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <cstring>
#include <memory>
#include <new>
#include <vector>

#include "acrypto/ossl/chacha20.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr uint32_t kBoth = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
constexpr uint64_t kMaxInput = uint64_t{1} << 30; // EVP lengths are int
constexpr size_t kFullTag = 16;

struct CipherFree {
    void operator()(EVP_CIPHER *c) const noexcept { EVP_CIPHER_free(c); }
};
struct CtxFree {
    void operator()(EVP_CIPHER_CTX *c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherPtr = std::unique_ptr<EVP_CIPHER, CipherFree>;
using CtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

constexpr int kNames = 8;
const char *const kCipherNames[kNames] = {"AES-128-GCM",       "AES-192-GCM", "AES-256-GCM",
                                          "AES-128-XTS",       "AES-256-XTS", "ChaCha20",
                                          "ChaCha20-Poly1305", nullptr};

/// Per-thread fetched ciphers (fetching costs more than a small AEAD record).
struct Fetched {
    EVP_CIPHER *c[kNames] = {};
};

void free_fetched(void *p) {
    auto *f = static_cast<Fetched *>(p);
    for (EVP_CIPHER *e : f->c) EVP_CIPHER_free(e);
    delete f;
}

const int kLocalTag = 0;

/// A referenced cipher (caller frees) named `name`, fetched once per thread.
EVP_CIPHER *fetch(ExecCtx &c, const char *name) {
    auto *f = static_cast<Fetched *>(c.local(&kLocalTag));
    if (f == nullptr) {
        f = new (std::nothrow) Fetched;
        if (f == nullptr) return nullptr;
        c.set_local(&kLocalTag, f, free_fetched);
    }
    for (int i = 0; i < kNames && kCipherNames[i] != nullptr; ++i) {
        if (std::strcmp(kCipherNames[i], name) != 0) continue;
        if (f->c[i] == nullptr) f->c[i] = EVP_CIPHER_fetch(c.libctx(), name, nullptr);
        if (f->c[i] != nullptr && EVP_CIPHER_up_ref(f->c[i]) == 1) return f->c[i];
        return nullptr;
    }
    return EVP_CIPHER_fetch(c.libctx(), name, nullptr);
}

const char *gcm_name(size_t key_len) {
    switch (key_len) {
    case 16: return "AES-128-GCM";
    case 24: return "AES-192-GCM";
    case 32: return "AES-256-GCM";
    default: return nullptr;
    }
}

const char *cbc_name_for_cmac(uint32_t alg, size_t key_len) {
    if (alg == ACRYPTO_ALG_DES_EDE3) return key_len == 24 ? "DES-EDE3-CBC" : nullptr;
    switch (key_len) {
    case 16: return "AES-128-CBC";
    case 24: return "AES-192-CBC";
    case 32: return "AES-256-CBC";
    default: return nullptr;
    }
}

constexpr uint32_t kFamilyId = 7;

void free_cached_ctx(void *p) { EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX *>(p)); }

/// A context keyed for `st` (cipher, key, direction, IV length) and set to st.iv.
/// Cached per key on this thread: the next message under the same key only sets
/// its IV (no fetch, no key expansion, no GHASH table). Key id 0 is not cached:
/// `own` receives a fresh context the caller frees.
EVP_CIPHER_CTX *keyed_ctx(ExecCtx &c, const char *name, const acrypto_step &st, bool enc,
                          CtxPtr &own) {
    const uint32_t tag = key_tag(kFamilyId, st.mode, (st.iv_len << 2) | (enc ? 1u : 2u));
    if (st.key->id != 0) {
        if (auto *ctx = static_cast<EVP_CIPHER_CTX *>(c.key_find(st.key->id, tag))) {
            if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, st.iv, enc ? 1 : 0, nullptr) == 1)
                return ctx;
        }
    }
    CipherPtr cipher(fetch(c, name));
    CtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx) return nullptr;
    size_t ivlen = st.iv_len;
    OSSL_PARAM ivp[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                        OSSL_PARAM_construct_end()};
    if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), nullptr, nullptr, enc ? 1 : 0, ivp) != 1 ||
        EVP_CipherInit_ex2(ctx.get(), nullptr, st.key->data, st.iv, enc ? 1 : 0, nullptr) != 1)
        return nullptr;
    if (st.key->id == 0) {
        own = std::move(ctx);
        return own.get();
    }
    EVP_CIPHER_CTX *raw = ctx.release();
    c.key_put(st.key->id, tag, raw, free_cached_ctx);
    return raw;
}

/// One AEAD pass: encrypt (tag written to `tag_out`) or decrypt (tag checked when `tag_in`).
int aead_pass(ExecCtx &c, const char *name, const acrypto_step &st, bool enc, const uint8_t *src,
              uint8_t *dst, const uint8_t *tag_in, size_t tag_len, uint8_t *tag_out) {
    CtxPtr own;
    EVP_CIPHER_CTX *ctx = keyed_ctx(c, name, st, enc, own);
    if (ctx == nullptr) return ACRYPTO_E_INVALID;
    int outl = 0;
    if (st.aad != nullptr && st.aad_len > 0) {
        if (st.aad_len > INT_MAX ||
            EVP_CipherUpdate(ctx, nullptr, &outl, st.aad, static_cast<int>(st.aad_len)) != 1)
            return ACRYPTO_E_INVALID;
    }
    int done = 0;
    if (st.src_len > 0) {
        if (EVP_CipherUpdate(ctx, dst, &done, src, static_cast<int>(st.src_len)) != 1)
            return ACRYPTO_E_INVALID;
    }
    if (!enc && tag_in != nullptr) {
        OSSL_PARAM tp[] = {OSSL_PARAM_construct_octet_string(
                               OSSL_CIPHER_PARAM_AEAD_TAG, const_cast<uint8_t *>(tag_in), tag_len),
                           OSSL_PARAM_construct_end()};
        if (EVP_CIPHER_CTX_set_params(ctx, tp) != 1) return ACRYPTO_E_INVALID;
    }
    int fin = 0;
    if (EVP_CipherFinal_ex(ctx, dst + done, &fin) != 1)
        return enc ? ACRYPTO_E_INTERNAL : ACRYPTO_E_VERIFY;
    if (enc && tag_out != nullptr) {
        OSSL_PARAM tp[] = {
            OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag_out, tag_len),
            OSSL_PARAM_construct_end()};
        if (EVP_CIPHER_CTX_get_params(ctx, tp) != 1) return ACRYPTO_E_INTERNAL;
    }
    return ACRYPTO_OK;
}

int exec_aead_cipher(ExecCtx &c, acrypto_step &st, const char *name) {
    if (st.iv_len == 0 || st.iv_len > ACRYPTO_MAX_IV || st.tag_len > ACRYPTO_MAX_TAG)
        return ACRYPTO_E_INVALID;
    if (st.src_len > 0 && (st.dst == nullptr || st.dst_len < st.src_len)) return ACRYPTO_E_INVALID;
    const bool enc = st.dir == ACRYPTO_DIR_ENCRYPT;
    if (enc) {
        const size_t tl = st.tag_len == 0 ? kFullTag : st.tag_len;
        int rc = aead_pass(c, name, st, true, st.src, st.dst, nullptr, tl, st.tag);
        if (rc == ACRYPTO_OK) st.out_len = st.src_len;
        return rc;
    }
    if (st.tag_len > 0) {
        uint8_t tag[ACRYPTO_MAX_TAG];
        std::memcpy(tag, st.tag, st.tag_len);
        int rc = aead_pass(c, name, st, false, st.src, st.dst, tag, st.tag_len, nullptr);
        if (rc != ACRYPTO_OK) {
            if (st.dst != nullptr) OPENSSL_cleanse(st.dst, st.src_len);
            st.out_len = 0;
            return rc;
        }
        st.out_len = st.src_len;
        return ACRYPTO_OK;
    }
    // Compute-only decrypt: libcrypto will not reveal a decrypt-side tag, so
    // recover the plaintext with the (symmetric) keystream, then encrypt it again:
    // that reproduces the ciphertext and the tag over it.
    std::vector<uint8_t> scratch(st.src_len);
    uint8_t ignored[kFullTag];
    int rc = aead_pass(c, name, st, true, st.src, st.dst, nullptr, kFullTag, ignored);
    if (rc == ACRYPTO_OK)
        rc = aead_pass(c, name, st, true, st.dst, scratch.data(), nullptr, kFullTag, st.tag);
    OPENSSL_cleanse(ignored, sizeof(ignored));
    if (rc == ACRYPTO_OK) st.out_len = st.src_len;
    return rc;
}

int exec_xts(ExecCtx &c, acrypto_step &st) {
    const char *name = st.key->len == 32   ? "AES-128-XTS"
                       : st.key->len == 64 ? "AES-256-XTS"
                                           : nullptr;
    if (name == nullptr || st.iv_len != 16 || st.src_len < 16 || st.dst_len < st.src_len)
        return ACRYPTO_E_INVALID;
    CipherPtr cipher(fetch(c, name));
    CtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx) return ACRYPTO_E_NOMEM;
    const int enc = st.dir == ACRYPTO_DIR_ENCRYPT ? 1 : 0;
    int outl = 0;
    if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), st.key->data, st.iv, enc, nullptr) != 1 ||
        EVP_CipherUpdate(ctx.get(), st.dst, &outl, st.src, static_cast<int>(st.src_len)) != 1)
        return ACRYPTO_E_INVALID;
    st.out_len = static_cast<size_t>(outl);
    return ACRYPTO_OK;
}

int exec_chacha20(ExecCtx &c, acrypto_step &st) {
    if (st.key->len != 32 || st.iv_len != 16 || st.num >= 64 || st.dst_len < st.src_len)
        return ACRYPTO_E_INVALID;
    CipherPtr cipher(fetch(c, "ChaCha20"));
    CtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!cipher || !ctx) return ACRYPTO_E_NOMEM;
    const int enc = st.dir == ACRYPTO_DIR_ENCRYPT ? 1 : 0;
    if (EVP_CipherInit_ex2(ctx.get(), cipher.get(), st.key->data, st.iv, enc, nullptr) != 1)
        return ACRYPTO_E_INVALID;
    int outl = 0;
    if (st.num > 0) { // skip the keystream bytes the previous chunk used
        uint8_t skip[64] = {};
        if (EVP_CipherUpdate(ctx.get(), skip, &outl, skip, static_cast<int>(st.num)) != 1)
            return ACRYPTO_E_INTERNAL;
        OPENSSL_cleanse(skip, sizeof(skip));
    }
    if (st.src_len > 0 &&
        EVP_CipherUpdate(ctx.get(), st.dst, &outl, st.src, static_cast<int>(st.src_len)) != 1)
        return ACRYPTO_E_INVALID;
    // As the library moves on (its counter word carries into the nonce), so a stream
    // crossing 2^32 blocks in several steps reads as it does in one.
    ossl::chacha20_advance(st.iv, &st.num, st.src_len);
    st.out_len = st.src_len;
    return ACRYPTO_OK;
}

int exec_cmac(ExecCtx &c, acrypto_step &st) {
    constexpr uint32_t kOneShot = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    if ((st.flags & kOneShot) != kOneShot) return ACRYPTO_E_UNSUPPORTED;
    const char *cbc = cbc_name_for_cmac(st.alg, st.key->len);
    if (cbc == nullptr || st.dst == nullptr) return ACRYPTO_E_INVALID;
    EVP_MAC *mac = EVP_MAC_fetch(c.libctx(), "CMAC", nullptr);
    EVP_MAC_CTX *ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);
    if (ctx == nullptr) return ACRYPTO_E_NOMEM;
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, const_cast<char *>(cbc), 0),
        OSSL_PARAM_construct_end()};
    size_t outl = 0;
    int rc = ACRYPTO_E_INVALID;
    if (EVP_MAC_init(ctx, st.key->data, st.key->len, p) == 1 &&
        EVP_MAC_update(ctx, st.src, st.src_len) == 1 &&
        EVP_MAC_final(ctx, st.dst, &outl, st.dst_len) == 1) {
        st.out_len = outl;
        rc = ACRYPTO_OK;
    }
    EVP_MAC_CTX_free(ctx);
    return rc;
}

// kAeadCaps: GCM, XTS, ChaCha20, ChaCha20-Poly1305, CMAC (AES and 3DES).
const acrypto_capability kAeadCaps[] = {
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, kBoth, 16, 32, 8, 0, kMaxInput, 0, 0, 0,
     4000, 1.5e9, 1.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS, kBoth, 32, 64, 32, 0, kMaxInput, 0, 0, 0,
     4000, 1.5e9, 1.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, kBoth, 32, 32, 0, 0, kMaxInput,
     0, 0, 0, 4000, 1.0e9, 1.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, kBoth, 32, 32, 0, 0, kMaxInput,
     0, 0, 0, 4000, 8.0e8, 1.0e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_AES, ACRYPTO_MODE_CMAC, 0, 16, 32, 8, 0, kMaxInput, 0, 0, 0, 4000,
     8.0e8, 1.0e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CMAC, 0, 24, 24, 0, 0, kMaxInput, 0, 0, 0,
     4000, 3.0e7, 5.0e5},
};

int dispatch(ExecCtx &c, acrypto_step &step) {
    if (step.key == nullptr || step.key->data == nullptr) return ACRYPTO_E_INVALID;
    if (step.src_len > kMaxInput || (step.src_len > 0 && step.src == nullptr))
        return ACRYPTO_E_INVALID;
    try {
        if (step.op == ACRYPTO_OP_MAC && step.mode == ACRYPTO_MODE_CMAC) return exec_cmac(c, step);
        if (step.op != ACRYPTO_OP_CIPHER) return ACRYPTO_E_UNSUPPORTED;
        if (step.dir != ACRYPTO_DIR_ENCRYPT && step.dir != ACRYPTO_DIR_DECRYPT)
            return ACRYPTO_E_INVALID;
        if (step.alg == ACRYPTO_ALG_AES && step.mode == ACRYPTO_MODE_GCM) {
            const char *name = gcm_name(step.key->len);
            return name == nullptr ? ACRYPTO_E_INVALID : exec_aead_cipher(c, step, name);
        }
        if (step.alg == ACRYPTO_ALG_AES && step.mode == ACRYPTO_MODE_XTS) return exec_xts(c, step);
        if (step.alg == ACRYPTO_ALG_CHACHA20 && step.mode == ACRYPTO_MODE_STREAM)
            return exec_chacha20(c, step);
        if (step.alg == ACRYPTO_ALG_CHACHA20 && step.mode == ACRYPTO_MODE_POLY1305) {
            if (step.key->len != 32 || step.iv_len > 12) return ACRYPTO_E_INVALID;
            return exec_aead_cipher(c, step, "ChaCha20-Poly1305");
        }
        return ACRYPTO_E_UNSUPPORTED;
    } catch (const std::bad_alloc &) {
        return ACRYPTO_E_NOMEM;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int exec(ExecCtx &c, acrypto_session &s, uint32_t i) {
    // Inline execution runs on the caller's thread: leave its error queue as it was.
    ERR_set_mark();
    int rc = dispatch(c, s.steps[i]);
    ERR_pop_to_mark();
    return rc;
}

} // namespace

const Family kAeadFamily = {
    "aead", kAeadCaps, sizeof(kAeadCaps) / sizeof(kAeadCaps[0]), exec, nullptr, nullptr, nullptr,
};

} // namespace acrypto::soft::cpu
