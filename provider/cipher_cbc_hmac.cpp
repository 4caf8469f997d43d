// SPDX-License-Identifier: Apache-2.0
// AES-128/256-CBC-HMAC-SHA1/SHA256: the stitched TLS 1.0-1.2 record ciphers libssl fetches for
// MAC-then-encrypt CBC suites (encrypt-then-MAC off). Same parameters and results as OpenSSL's
// default provider. A record is one session. Encrypt: a two-step route, HMAC over header and
// payload then AES-CBC over payload, MAC and padding, so a device with a fused capability takes
// both steps and any device either one. Decrypt: AES-CBC on a device, then padding and MAC are
// checked on the caller's thread in constant time (the MAC covers a secret length, which a
// device step would leak through its timing).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <new>
#include <utility>

#include "cipher_params.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "op_params.hpp"
#include "pk/pk_common.hpp"
#include "tls_cbc.hpp"

namespace acrypto::prov {

namespace {

using acrypto::sched::Ref;
using acrypto::sched::Session;
using pk::SymKey;

constexpr size_t kBlock = 16;
constexpr size_t kAadLen = 13; // EVP_AEAD_TLS1_AAD_LEN: seq(8) type(1) version(2) length(2)
constexpr size_t kNoPayload = SIZE_MAX;
constexpr size_t kMaxMacKey = 128;

struct CbcHmacInfo {
    const char *names;
    uint32_t key_len;
    uint32_t md_alg;     ///< enum acrypto_alg of the HMAC digest
    const char *md_name; ///< for the constant-time check
    size_t md_size;
};

constexpr CbcHmacInfo kInfos[] = {
    {"AES-128-CBC-HMAC-SHA1", 16, ACRYPTO_ALG_SHA1, "SHA1", 20},
    {"AES-256-CBC-HMAC-SHA1", 32, ACRYPTO_ALG_SHA1, "SHA1", 20},
    {"AES-128-CBC-HMAC-SHA256", 16, ACRYPTO_ALG_SHA256, "SHA256", 32},
    {"AES-256-CBC-HMAC-SHA256", 32, ACRYPTO_ALG_SHA256, "SHA256", 32},
};
constexpr size_t kNumInfos = sizeof kInfos / sizeof kInfos[0];

struct CbcHmacCtx {
    ProvCtx *pctx = nullptr;
    const CbcHmacInfo *info = nullptr;
    OpOptions opts;
    SymKey aes;
    SymKey mac;
    uint8_t mac_key[kMaxMacKey] = {};
    size_t mac_key_len = 0;
    uint8_t iv[kBlock] = {};
    uint8_t oiv[kBlock] = {};
    bool enc = true;
    bool key_set = false;
    bool iv_set = false;
    unsigned int tls_version = 0; ///< "tls-version": what decrypt strips from the length
    /// Encrypt: payload length announced by the AAD (explicit IV included). Decrypt: an AAD
    /// is set. kNoPayload: plain AES-CBC. Each record needs its own AAD.
    size_t payload = kNoPayload;
    unsigned int aad_version = 0;
    uint8_t aad[kAadLen] = {};
    size_t aad_pad = 0; ///< "tlsaadpad": bytes the record grows by (encrypt), MAC size (decrypt)
};

unsigned int be16(const uint8_t *p) { return static_cast<unsigned int>(p[0]) << 8 | p[1]; }

int fail(CbcHmacCtx *c, int status) {
    raise_status(c->pctx, status, c->enc ? "AES-CBC-HMAC encryption" : "AES-CBC-HMAC decryption");
    return 0;
}

/// Plain AES-CBC over `len` bytes (no AAD set): one session, one step.
int run_cbc(CbcHmacCtx *c, uint8_t *out, const uint8_t *in, size_t len) {
    if (!pk::sym_key_fresh(c->pctx, c->aes)) return ACRYPTO_E_SHUTDOWN;
    Ref<Session> s = Session::make(1, len + 64);
    uint8_t *buf = s ? pk::arena_copy(*s, in, len) : nullptr;
    if (buf == nullptr) return ACRYPTO_E_NOMEM;
    apply_options(c->opts, *s);
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = ACRYPTO_ALG_AES;
    st.mode = ACRYPTO_MODE_CBC;
    st.dir = c->enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
    s->set_key(0, c->aes.key);
    st.iv_len = kBlock;
    std::memcpy(st.iv, c->iv, kBlock);
    st.src = buf;
    st.dst = buf;
    st.src_len = len;
    st.dst_len = len;
    st.flags = ACRYPTO_STEP_F_INPLACE;
    int status = execute(c->pctx, s);
    if (status == ACRYPTO_OK) {
        std::memcpy(out, buf, len);
        std::memcpy(c->iv, st.iv, kBlock);
    }
    OPENSSL_cleanse(buf, len);
    return status;
}

/**
 * One TLS record, encrypt: `in` holds the explicit IV (TLS 1.1+) and payload, `len` is the
 * record with room for MAC and padding. Route: step 0 HMAC(header || payload) into the
 * record; step 1 AES-CBC over explicit IV, payload, MAC and padding.
 */
int seal_record(CbcHmacCtx *c, uint8_t *out, const uint8_t *in, size_t len, size_t plen) {
    const size_t md = c->info->md_size;
    const size_t ivl = c->aad_version >= tls::kTls11 ? kBlock : 0;
    const size_t body = plen - ivl;
    if (!pk::sym_key_fresh(c->pctx, c->aes) || !pk::sym_key_fresh(c->pctx, c->mac))
        return ACRYPTO_E_SHUTDOWN;
    Ref<Session> s = Session::make(2, kAadLen + body + len + 128);
    uint8_t *macin = s ? s->alloc(kAadLen + body) : nullptr;
    uint8_t *rec = s ? s->alloc(len) : nullptr;
    if (macin == nullptr || rec == nullptr) return ACRYPTO_E_NOMEM;
    apply_options(c->opts, *s);
    std::memcpy(macin, c->aad, kAadLen);
    std::memcpy(macin + kAadLen, in + ivl, body);
    std::memcpy(rec, in, plen);
    const auto padv = static_cast<uint8_t>(len - plen - md - 1);
    std::memset(rec + plen + md, padv, len - plen - md);

    acrypto_step &m = s->step(0);
    m.op = ACRYPTO_OP_MAC;
    m.alg = c->info->md_alg;
    m.mode = ACRYPTO_MODE_HMAC;
    m.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    s->set_key(0, c->mac.key);
    m.src = macin;
    m.src_len = kAadLen + body;
    m.dst = rec + plen;
    m.dst_len = md;

    acrypto_step &e = s->step(1);
    e.op = ACRYPTO_OP_CIPHER;
    e.alg = ACRYPTO_ALG_AES;
    e.mode = ACRYPTO_MODE_CBC;
    e.dir = ACRYPTO_DIR_ENCRYPT;
    s->set_key(1, c->aes.key);
    e.iv_len = kBlock;
    std::memcpy(e.iv, c->iv, kBlock);
    e.src = rec;
    e.dst = rec;
    e.src_len = len;
    e.dst_len = len;
    e.flags = ACRYPTO_STEP_F_INPLACE;

    int status = execute(c->pctx, s);
    if (status == ACRYPTO_OK && m.out_len != 0 && m.out_len != md) status = ACRYPTO_E_INTERNAL;
    if (status == ACRYPTO_OK) {
        std::memcpy(out, rec, len);
        std::memcpy(c->iv, e.iv, kBlock);
    }
    OPENSSL_cleanse(macin, kAadLen + body);
    OPENSSL_cleanse(rec, len);
    return status;
}

/// HMAC over header || data[0..data_len) whose time does not depend on data_len, given the
/// whole decrypted record (`total` bytes: data, MAC, padding). The default provider's HMAC
/// does this (ssl3_cbc_digest_record) when told the record size ("tls-data-size").
bool ct_record_mac(CbcHmacCtx *c, const uint8_t *header, const uint8_t *data, size_t data_len,
                   size_t total, uint8_t *out) {
    EVP_MAC *mac = EVP_MAC_fetch(libctx(c->pctx), "HMAC", pk::kValuePropq);
    EVP_MAC_CTX *ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);
    if (ctx == nullptr) return false;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(
                               OSSL_MAC_PARAM_DIGEST, const_cast<char *>(c->info->md_name), 0),
                           OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_TLS_DATA_SIZE, &total),
                           OSSL_PARAM_END};
    size_t outl = 0;
    bool ok = EVP_MAC_init(ctx, c->mac_key, c->mac_key_len, params) == 1 &&
              EVP_MAC_update(ctx, header, kAadLen) == 1 &&
              EVP_MAC_update(ctx, data, data_len) == 1 &&
              EVP_MAC_final(ctx, out, &outl, tls::kMaxMac) == 1 && outl == c->info->md_size;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/// One TLS record, decrypt, in place semantics of OpenSSL: the payload starts after the
/// explicit IV; `*outl` is the payload length when tls-version is set.
int open_record(CbcHmacCtx *c, uint8_t *out, const uint8_t *in, size_t len, size_t *outl) {
    const size_t md = c->info->md_size;
    const bool eiv = c->aad_version >= tls::kTls11;
    const size_t off = eiv ? kBlock : 0;
    if (len < off + md + 1) {
        raise(c->pctx, kReasonBadLength, "TLS record of %zu bytes", len);
        return 0;
    }
    const size_t n = len - off;
    // The default provider's SHA-256 variant also decrypts the explicit IV block (with the
    // chaining IV) into the output; its SHA-1 variant leaves it. Same bytes as each.
    const size_t skip = c->info->md_alg == ACRYPTO_ALG_SHA256 ? 0 : off;
    const size_t dn = len - skip;
    if (!pk::sym_key_fresh(c->pctx, c->aes)) return fail(c, ACRYPTO_E_SHUTDOWN);
    Ref<Session> s = Session::make(1, dn + 64);
    uint8_t *buf = s ? pk::arena_copy(*s, in + skip, dn) : nullptr;
    if (buf == nullptr) return fail(c, ACRYPTO_E_NOMEM);
    apply_options(c->opts, *s);
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = ACRYPTO_ALG_AES;
    st.mode = ACRYPTO_MODE_CBC;
    st.dir = ACRYPTO_DIR_DECRYPT;
    s->set_key(0, c->aes.key);
    st.iv_len = kBlock;
    std::memcpy(st.iv, skip != 0 ? in : c->iv, kBlock);
    st.src = buf;
    st.dst = buf;
    st.src_len = dn;
    st.dst_len = dn;
    st.flags = ACRYPTO_STEP_F_INPLACE;
    int status = execute(c->pctx, s);
    if (status != ACRYPTO_OK) {
        OPENSSL_cleanse(buf, dn);
        return fail(c, status);
    }
    std::memcpy(out + skip, buf, dn);
    OPENSSL_cleanse(buf, dn);
    std::memcpy(c->iv, st.iv, kBlock);

    // Constant time from here: padding check and MAC extraction, then the MAC over the
    // secret payload length, one verdict at the end.
    uint8_t *rec = out + off;
    tls::RecordMode mode;
    mode.version = eiv ? tls::kTls12 : tls::kTls1;
    mode.mac_size = md;
    size_t poff = 0, plen = 0;
    if (!tls::remove_padding_and_mac(libctx(c->pctx), mode, out, len, kBlock, &poff, &plen)) {
        raise(c->pctx, kReasonBadDecrypt, "TLS record too short");
        return 0;
    }
    uint8_t header[kAadLen];
    std::memcpy(header, c->aad, kAadLen);
    header[11] = static_cast<uint8_t>(plen >> 8);
    header[12] = static_cast<uint8_t>(plen);
    uint8_t computed[tls::kMaxMac];
    if (!ct_record_mac(c, header, rec, plen, n, computed)) {
        mode.clear_mac();
        raise(c->pctx, kReasonInternal, "no constant-time HMAC (default provider) for the record");
        return 0;
    }
    const bool good = CRYPTO_memcmp(computed, mode.mac, md) == 0;
    OPENSSL_cleanse(computed, sizeof computed);
    mode.clear_mac();
    if (!good) {
        raise(c->pctx, kReasonBadDecrypt, "bad record MAC");
        return 0;
    }
    // As the default provider: with tls-version set, padding, MAC and explicit IV go.
    if (c->tls_version == 0) {
        *outl = len;
        return 1;
    }
    const size_t fixed =
        md + (c->tls_version == tls::kTls1 || c->tls_version == tls::kSsl3 ? 0 : kBlock);
    const size_t keep = off + plen + md; // record minus padding and its length byte
    if (keep < fixed) {
        raise(c->pctx, kReasonBadLength, "TLS version and record disagree");
        return 0;
    }
    *outl = keep - fixed;
    return 1;
}

int set_aad(CbcHmacCtx *c, const OSSL_PARAM *p) {
    if (p->data_type != OSSL_PARAM_OCTET_STRING || p->data_size != kAadLen) {
        raise(c->pctx, kReasonBadParam, "TLS AAD of %zu bytes", p->data_size);
        return 0;
    }
    const auto *a = static_cast<const uint8_t *>(p->data);
    std::memcpy(c->aad, a, kAadLen);
    c->aad_version = be16(a + 9);
    if (!c->enc) {
        c->payload = kAadLen;
        c->aad_pad = c->info->md_size;
        return 1;
    }
    size_t len = be16(a + 11);
    c->payload = len;
    if (c->aad_version >= tls::kTls11) {
        if (len < kBlock) {
            c->payload = kNoPayload;
            raise(c->pctx, kReasonBadLength, "TLS record shorter than its explicit IV");
            return 0;
        }
        len -= kBlock;
        c->aad[11] = static_cast<uint8_t>(len >> 8);
        c->aad[12] = static_cast<uint8_t>(len);
    }
    c->aad_pad = ((len + c->info->md_size + kBlock) & ~(kBlock - 1)) - len;
    return 1;
}

extern "C" {

int ch_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

void *ch_newctx_impl(void *provctx, size_t i) {
    try {
        auto *c = new (std::nothrow) CbcHmacCtx;
        if (c == nullptr) return nullptr;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->info = &kInfos[i];
        c->opts = default_options(c->pctx, c->info->names);
        return c;
    } catch (...) {
        return nullptr;
    }
}

void ch_freectx(void *vctx) {
    auto *c = static_cast<CbcHmacCtx *>(vctx);
    if (c == nullptr) return;
    pk::sym_key_drop(c->aes);
    pk::sym_key_drop(c->mac);
    OPENSSL_cleanse(c->mac_key, sizeof c->mac_key);
    delete c;
}

void *ch_dupctx(void *vctx) {
    try {
        return new (std::nothrow) CbcHmacCtx(*static_cast<CbcHmacCtx *>(vctx));
    } catch (...) {
        return nullptr;
    }
}

int ch_init(CbcHmacCtx *c, bool enc, const unsigned char *key, size_t keylen,
            const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[]) {
    c->enc = enc;
    c->payload = kNoPayload;
    if (iv != nullptr) {
        if (ivlen != kBlock) {
            raise(c->pctx, kReasonBadIvLength, "IV of %zu bytes", ivlen);
            return 0;
        }
        std::memcpy(c->iv, iv, kBlock);
        std::memcpy(c->oiv, iv, kBlock);
        c->iv_set = true;
    } else if (c->iv_set) {
        std::memcpy(c->iv, c->oiv, kBlock);
    }
    if (key != nullptr) {
        if (keylen != c->info->key_len) {
            raise(c->pctx, kReasonBadKeyLength, "key of %zu bytes", keylen);
            return 0;
        }
        if (!pk::sym_key_set(c->pctx, c->aes, ACRYPTO_ALG_AES, key, keylen)) {
            raise(c->pctx, kReasonNoScheduler, "no scheduler");
            return 0;
        }
        c->key_set = true;
    }
    return ch_set_ctx_params(c, params);
}

int ch_einit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
             size_t ivlen, const OSSL_PARAM params[]) {
    try {
        return ch_init(static_cast<CbcHmacCtx *>(vctx), true, key, keylen, iv, ivlen, params);
    } catch (...) {
        return 0;
    }
}

int ch_dinit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
             size_t ivlen, const OSSL_PARAM params[]) {
    try {
        return ch_init(static_cast<CbcHmacCtx *>(vctx), false, key, keylen, iv, ivlen, params);
    } catch (...) {
        return 0;
    }
}

int ch_update(void *vctx, unsigned char *out, size_t *outl, size_t outsize, const unsigned char *in,
              size_t inl) {
    auto *c = static_cast<CbcHmacCtx *>(vctx);
    try {
        if (!c->key_set || !c->iv_set) {
            raise(c->pctx, kReasonNotInitialized, c->key_set ? "no IV set" : "no key set");
            return 0;
        }
        if (inl == 0) {
            *outl = 0;
            return 1;
        }
        if (out == nullptr || in == nullptr || outsize < inl) {
            raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", inl);
            return 0;
        }
        const size_t plen = c->payload;
        c->payload = kNoPayload;
        if (inl % kBlock != 0) {
            raise(c->pctx, kReasonBadLength, "input not a multiple of the block length");
            return 0;
        }
        if (plen == kNoPayload) {
            int st = run_cbc(c, out, in, inl);
            if (st != ACRYPTO_OK) return fail(c, st);
            *outl = inl;
            return 1;
        }
        if (!c->enc) return open_record(c, out, in, inl, outl);
        if (!c->mac.key) {
            raise(c->pctx, kReasonNotInitialized, "no MAC key set");
            return 0;
        }
        const size_t md = c->info->md_size;
        if (inl != ((plen + md + kBlock) & ~(kBlock - 1))) {
            raise(c->pctx, kReasonBadLength, "record of %zu bytes for a %zu-byte payload", inl,
                  plen);
            return 0;
        }
        int st = seal_record(c, out, in, inl, plen);
        if (st != ACRYPTO_OK) return fail(c, st);
        *outl = inl;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES-CBC-HMAC update");
        return 0;
    }
}

int ch_final(void *vctx, unsigned char *, size_t *outl, size_t) {
    auto *c = static_cast<CbcHmacCtx *>(vctx);
    if (!c->key_set) {
        raise(c->pctx, kReasonNotInitialized, "no key set");
        return 0;
    }
    *outl = 0;
    return 1;
}

int ch_cipher(void *vctx, unsigned char *out, size_t *outl, size_t outsize, const unsigned char *in,
              size_t inl) {
    return ch_update(vctx, out, outl, outsize, in, inl);
}

int ch_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<CbcHmacCtx *>(vctx);
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD);
    if (p != nullptr && OSSL_PARAM_set_size_t(p, c->aad_pad) != 1) return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN)) != nullptr &&
        OSSL_PARAM_set_size_t(p, c->info->key_len) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN)) != nullptr &&
        OSSL_PARAM_set_size_t(p, kBlock) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV)) != nullptr &&
        OSSL_PARAM_set_octet_string(p, c->oiv, kBlock) != 1 &&
        OSSL_PARAM_set_octet_ptr(p, c->oiv, kBlock) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV)) != nullptr &&
        OSSL_PARAM_set_octet_string(p, c->iv, kBlock) != 1 &&
        OSSL_PARAM_set_octet_ptr(p, c->iv, kBlock) != 1)
        return 0;
    return get_op_params(c->opts, params);
}

int ch_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    auto *c = static_cast<CbcHmacCtx *>(vctx);
    try {
        if (params == nullptr) return 1;
        const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_MAC_KEY);
        if (p != nullptr) {
            if (p->data_type != OSSL_PARAM_OCTET_STRING || p->data_size > kMaxMacKey) {
                raise(c->pctx, kReasonBadParam, "MAC key");
                return 0;
            }
            OPENSSL_cleanse(c->mac_key, sizeof c->mac_key);
            std::memcpy(c->mac_key, p->data, p->data_size);
            c->mac_key_len = p->data_size;
            if (!pk::sym_key_set(c->pctx, c->mac, c->info->md_alg, c->mac_key, c->mac_key_len)) {
                raise(c->pctx, kReasonNoScheduler, "no scheduler");
                return 0;
            }
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD)) != nullptr &&
            !set_aad(c, p))
            return 0;
        if ((p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_KEYLEN)) != nullptr) {
            size_t len = 0;
            if (OSSL_PARAM_get_size_t(p, &len) != 1 || len != c->info->key_len) {
                raise(c->pctx, kReasonBadKeyLength, "key length cannot change");
                return 0;
            }
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_TLS_VERSION)) != nullptr &&
            OSSL_PARAM_get_uint(p, &c->tls_version) != 1) {
            raise(c->pctx, kReasonBadParam, "tls-version");
            return 0;
        }
        return set_op_params(c->pctx, c->opts, params);
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES-CBC-HMAC set params");
        return 0;
    }
}

const OSSL_PARAM kCtxGettable[] = {
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD, nullptr),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
// The multiblock parameters (TLS1_MULTIBLOCK_*) are not supported: the cipher does not
// claim the multiblock flag, so libssl never sends them.
const OSSL_PARAM kCtxSettable[] = {
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_MAC_KEY, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, nullptr, 0),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
    OSSL_PARAM_uint(OSSL_CIPHER_PARAM_TLS_VERSION, nullptr),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};

const OSSL_PARAM *ch_ctx_gettable(void *, void *) { return kCtxGettable; }
const OSSL_PARAM *ch_ctx_settable(void *, void *) { return kCtxSettable; }

} // extern "C"

template <size_t I> void *ch_newctx(void *provctx) { return ch_newctx_impl(provctx, I); }

/// AEAD: libssl hands the record header as TLS1 AAD and skips its own MAC. Unlike the
/// default provider's, no TLS 1.1 multiblock flag: its parameters are not supported.
template <size_t I> int ch_get_params(OSSL_PARAM params[]) {
    return cipher_get_params(
        params, {0x2 /* EVP_CIPH_CBC_MODE */, kInfos[I].key_len, kBlock, kBlock, kCipherAead});
}

#define CH_FN(id, fn)                                                                              \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <size_t I> struct ChDispatch {
    static inline const OSSL_DISPATCH table[] = {
        CH_FN(OSSL_FUNC_CIPHER_NEWCTX, &ch_newctx<I>),
        CH_FN(OSSL_FUNC_CIPHER_FREECTX, &ch_freectx),
        CH_FN(OSSL_FUNC_CIPHER_DUPCTX, &ch_dupctx),
        CH_FN(OSSL_FUNC_CIPHER_ENCRYPT_INIT, &ch_einit),
        CH_FN(OSSL_FUNC_CIPHER_DECRYPT_INIT, &ch_dinit),
        CH_FN(OSSL_FUNC_CIPHER_UPDATE, &ch_update),
        CH_FN(OSSL_FUNC_CIPHER_FINAL, &ch_final),
        CH_FN(OSSL_FUNC_CIPHER_CIPHER, &ch_cipher),
        CH_FN(OSSL_FUNC_CIPHER_GET_PARAMS, &ch_get_params<I>),
        CH_FN(OSSL_FUNC_CIPHER_GET_CTX_PARAMS, &ch_get_ctx_params),
        CH_FN(OSSL_FUNC_CIPHER_SET_CTX_PARAMS, &ch_set_ctx_params),
        CH_FN(OSSL_FUNC_CIPHER_GETTABLE_PARAMS, &cipher_gettable_params),
        CH_FN(OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, &ch_ctx_gettable),
        CH_FN(OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, &ch_ctx_settable),
        {0, nullptr}};
};

template <size_t... I>
std::array<OSSL_ALGORITHM, sizeof...(I)> make_table(std::index_sequence<I...>) {
    return {{{kInfos[I].names, "provider=acrypto", ChDispatch<I>::table, nullptr}...}};
}

} // namespace

void append_cbc_hmac_algorithms(std::vector<OSSL_ALGORITHM> &out) {
    auto table = make_table(std::make_index_sequence<kNumInfos>{});
    out.insert(out.end(), table.begin(), table.end());
}

} // namespace acrypto::prov
