// SPDX-License-Identifier: Apache-2.0
// CPU device family "pkey": RSA, RSA-PSS, ECDSA/ECDH, X25519, X448 primitives over libcrypto.
#include "exec_pkey.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <cstring>
#include <new>
#include <vector>

#include "acrypto/ossl/pkcs8.hpp"
#include "ecx_direct.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr uint32_t kKeyMax = 1u << 16; // DER bytes accepted (RSA-16384 PKCS#8 fits)
constexpr uint32_t kFamilyId = 0x23;

using ossl::der_put;

/// PKCS#8 starts SEQUENCE { INTEGER version, ... }; SPKI starts SEQUENCE { SEQUENCE alg, ... }.
bool looks_private(const uint8_t *der, size_t len) {
    if (len < 4 || der[0] != 0x30) return false;
    size_t off = 2;
    if (der[1] & 0x80) off += der[1] & 0x7f;
    return off < len && der[off] == 0x02;
}

EVP_PKEY *parse_key(OSSL_LIB_CTX *libctx, const acrypto_key &k) {
    const unsigned char *p = k.data;
    if (looks_private(k.data, k.len)) {
        if (EVP_PKEY *fast = ossl::pkcs8_fast(libctx, nullptr, k.data, k.len)) return fast;
        return d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(k.len), libctx, nullptr);
    }
    return d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(k.len), libctx, nullptr);
}

void free_pkey(void *p) { EVP_PKEY_free(static_cast<EVP_PKEY *>(p)); }

/// A referenced EVP_PKEY for `k` (caller frees): parsing PKCS#8 and setting up
/// blinding costs as much as an ECDSA signature, so keys are parsed once per
/// key context and thread.
EVP_PKEY *get_key(ExecCtx &c, const acrypto_key &k) {
    const uint32_t tag = key_tag(kFamilyId, 0, 0);
    if (void *p = c.key_find(k.id, tag)) {
        auto *pk = static_cast<EVP_PKEY *>(p);
        return EVP_PKEY_up_ref(pk) == 1 ? pk : nullptr;
    }
    EVP_PKEY *pk = parse_key(c.libctx(), k);
    if (pk == nullptr) return nullptr;
    if (EVP_PKEY_up_ref(pk) == 1)
        (void)c.key_put(k.id, tag, pk, free_pkey); // id 0: freed at once, we keep our ref
    return pk;
}

const char *digest_name(uint32_t alg) {
    switch (alg) {
    case ACRYPTO_ALG_MD5: return "MD5";
    case ACRYPTO_ALG_SHA1: return "SHA1";
    case ACRYPTO_ALG_SHA224: return "SHA224";
    case ACRYPTO_ALG_SHA256: return "SHA256";
    case ACRYPTO_ALG_SHA384: return "SHA384";
    case ACRYPTO_ALG_SHA512: return "SHA512";
    default: return nullptr;
    }
}

bool is_rsa(uint32_t alg) { return alg == ACRYPTO_ALG_RSA || alg == ACRYPTO_ALG_RSA_PSS; }
bool is_ecx(uint32_t alg) { return alg == ACRYPTO_ALG_X25519 || alg == ACRYPTO_ALG_X448; }

bool set_one(EVP_PKEY_CTX *ctx, const OSSL_PARAM &p) {
    OSSL_PARAM ps[2] = {p, OSSL_PARAM_construct_end()};
    return EVP_PKEY_CTX_set_params(ctx, ps) == 1;
}

/// Digest / padding parameters of a sign or verify context.
bool set_sig_params(EVP_PKEY_CTX *ctx, const acrypto_step &st) {
    const acrypto_pk_params &pk = st.pk;
    const char *md = digest_name(pk.digest);
    if (pk.digest != ACRYPTO_ALG_NONE && md == nullptr) return false;
    if (md != nullptr && !set_one(ctx, OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST,
                                                                        const_cast<char *>(md), 0)))
        return false;
    if (!is_rsa(st.alg)) return true;
    int pad = pk.pad != 0
                  ? pk.pad
                  : (st.alg == ACRYPTO_ALG_RSA_PSS ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING);
    if (!set_one(ctx, OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PAD_MODE, &pad))) return false;
    if (pad == RSA_PKCS1_PSS_PADDING) {
        int salt = pk.saltlen;
        if (!set_one(ctx, OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &salt)))
            return false;
        const char *mgf = digest_name(pk.mgf1_digest);
        if (mgf != nullptr &&
            !set_one(ctx, OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST,
                                                           const_cast<char *>(mgf), 0)))
            return false;
    }
    return true;
}

/// Padding / OAEP / TLS parameters of an RSA encrypt or decrypt context.
bool set_asym_params(EVP_PKEY_CTX *ctx, const acrypto_step &st) {
    const acrypto_pk_params &pk = st.pk;
    int pad = pk.pad != 0 ? pk.pad : RSA_PKCS1_PADDING;
    if (!set_one(ctx, OSSL_PARAM_construct_int(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, &pad)))
        return false;
    if (pad == RSA_PKCS1_OAEP_PADDING) {
        const uint32_t md_alg = pk.digest != 0 ? pk.digest : uint32_t{ACRYPTO_ALG_SHA1};
        const char *md = digest_name(md_alg);
        const char *mgf = digest_name(pk.mgf1_digest != 0 ? pk.mgf1_digest : md_alg);
        if (md == nullptr || mgf == nullptr) return false;
        if (!set_one(ctx, OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST,
                                                           const_cast<char *>(md), 0)) ||
            !set_one(ctx, OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST,
                                                           const_cast<char *>(mgf), 0)))
            return false;
        if (pk.label != nullptr && pk.label_len > 0) {
            // OpenSSL takes ownership of nothing here: the label param is copied.
            if (!set_one(ctx, OSSL_PARAM_construct_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL,
                                                                const_cast<uint8_t *>(pk.label),
                                                                pk.label_len)))
                return false;
        }
    }
    if (pad == RSA_PKCS1_WITH_TLS_PADDING) {
        // tls_version: client version in the low 16 bits, negotiated version
        // (SSL_OP_TLS_ROLLBACK_BUG servers) in the high 16 bits when non-zero.
        unsigned int client = pk.tls_version & 0xffffu;
        unsigned int negotiated = pk.tls_version >> 16;
        if (!set_one(ctx,
                     OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, &client)))
            return false;
        if (negotiated != 0 &&
            !set_one(ctx, OSSL_PARAM_construct_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION,
                                                    &negotiated)))
            return false;
    }
    return true;
}

EVP_PKEY *peer_key(OSSL_LIB_CTX *libctx, const acrypto_step &st) {
    const acrypto_pk_params &pk = st.pk;
    if (pk.other == nullptr || pk.other_len == 0) return nullptr;
    if (st.alg == ACRYPTO_ALG_X25519 && pk.other_len == 32)
        return EVP_PKEY_new_raw_public_key_ex(libctx, "X25519", nullptr, pk.other, 32);
    if (st.alg == ACRYPTO_ALG_X448 && pk.other_len == 56)
        return EVP_PKEY_new_raw_public_key_ex(libctx, "X448", nullptr, pk.other, 56);
    const unsigned char *p = pk.other;
    return d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(pk.other_len), libctx, nullptr);
}

/// Wipes a buffer that held private key bytes when it goes out of scope.
struct Wiped {
    std::vector<uint8_t> v;
    ~Wiped() {
        if (!v.empty()) OPENSSL_cleanse(v.data(), v.size());
    }
};

/**
 * PKCS#8 of a generated X25519, X448 or named-curve EC key written directly
 * (the encoder framework costs more than generating the key). False: use the
 * general encoder.
 */
bool pkcs8_fast(EVP_PKEY *pk, const acrypto_step &st, std::vector<uint8_t> &out) {
    static const uint8_t kOidEcPublicKey[] = {0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
    static const uint8_t kVersion0[] = {0x00};
    Wiped body, inner, raw;
    out.clear();
    if (is_ecx(st.alg)) return ossl::ecx_private_der(st.alg == ACRYPTO_ALG_X25519, pk, out);
    if (st.alg != ACRYPTO_ALG_EC || st.key == nullptr) return false;
    const ASN1_OBJECT *curve = OBJ_nid2obj(static_cast<int>(st.key->curve_nid));
    const int bits = EVP_PKEY_get_bits(pk);
    uint8_t pub[160];
    size_t pub_len = 0;
    BIGNUM *d = nullptr;
    uint8_t oid[64];
    unsigned char *op = oid;
    const int oid_len = curve != nullptr && i2d_ASN1_OBJECT(curve, nullptr) <= 64
                            ? i2d_ASN1_OBJECT(curve, &op)
                            : -1;
    const bool ok = oid_len > 0 && bits > 0 &&
                    EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub,
                                                    &pub_len) == 1 &&
                    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
    if (ok) {
        raw.v.resize((static_cast<size_t>(bits) + 7) / 8);
        if (BN_bn2binpad(d, raw.v.data(), static_cast<int>(raw.v.size())) < 0) raw.v.clear();
    }
    BN_clear_free(d);
    if (!ok || raw.v.empty()) return false;
    // ECPrivateKey { 1, d, [1] BIT STRING point } inside PrivateKeyInfo.
    static const uint8_t kVersion1[] = {0x01};
    std::vector<uint8_t> bitstr{0x00}, tagged, alg_body, alg;
    bitstr.insert(bitstr.end(), pub, pub + pub_len);
    der_put(tagged, 0x03, bitstr.data(), bitstr.size());
    Wiped ecpk;
    der_put(ecpk.v, 0x02, kVersion1, 1);
    der_put(ecpk.v, 0x04, raw.v.data(), raw.v.size());
    der_put(ecpk.v, 0xa1, tagged.data(), tagged.size());
    der_put(inner.v, 0x30, ecpk.v.data(), ecpk.v.size());
    alg_body.assign(kOidEcPublicKey, kOidEcPublicKey + sizeof kOidEcPublicKey);
    alg_body.insert(alg_body.end(), oid, oid + oid_len);
    der_put(alg, 0x30, alg_body.data(), alg_body.size());
    der_put(body.v, 0x02, kVersion0, 1);
    body.v.insert(body.v.end(), alg.begin(), alg.end());
    der_put(body.v, 0x04, inner.v.data(), inner.v.size());
    der_put(out, 0x30, body.v.data(), body.v.size());
    return true;
}

/// Keygen contexts of one thread, by (alg, curve).
struct GenCache {
    std::vector<std::pair<uint64_t, EVP_PKEY_CTX *>> ctxs;
};
const char kGenCacheTag = 0;

void free_gen_cache(void *p) {
    auto *gc = static_cast<GenCache *>(p);
    for (auto &e : gc->ctxs) EVP_PKEY_CTX_free(e.second);
    delete gc;
}

int generate(EVP_PKEY_CTX *g, acrypto_step &st, EVP_PKEY_CTX *owned);

/// An X25519 or X448 key pair on the default provider's key objects (ecx_direct.hpp),
/// into st.dst as PKCS#8; ACRYPTO_E_UNSUPPORTED: take the EVP path.
int ecx_keygen(ExecCtx &c, acrypto_step &st) {
    const bool x25519 = st.alg == ACRYPTO_ALG_X25519;
    Wiped priv, der;
    priv.v.resize(ecx_key_len(x25519));
    uint8_t pub[56];
    const int rc = ecx_generate(c, x25519, priv.v.data(), pub);
    if (rc != ACRYPTO_OK) return rc;
    ossl::ecx_private_der(x25519, priv.v.data(), pub, der.v);
    if (der.v.size() > st.dst_len) return ACRYPTO_E_INVALID;
    std::memcpy(st.dst, der.v.data(), der.v.size());
    st.out_len = der.v.size();
    return ACRYPTO_OK;
}

/// An X25519 or X448 derive on the default provider's key objects (ecx_direct.hpp):
/// nothing is cached, since a handshake's keys serve once. ACRYPTO_E_UNSUPPORTED: the
/// key or the peer is not in the raw form it takes; take the EVP path.
int ecx_derive_step(ExecCtx &c, acrypto_step &st) {
    bool x25519 = false;
    const uint8_t *priv = nullptr, *pub = nullptr;
    if (!ossl::ecx_parts(st.key->data, st.key->len, x25519, priv, pub) ||
        x25519 != (st.alg == ACRYPTO_ALG_X25519) || st.pk.other == nullptr ||
        st.pk.other_len != ecx_key_len(x25519) || st.dst == nullptr)
        return ACRYPTO_E_UNSUPPORTED;
    size_t outl = 0;
    const int rc = ecx_derive(c, x25519, priv, pub, st.pk.other, st.dst, st.dst_len, outl);
    if (rc == ACRYPTO_OK) st.out_len = outl;
    return rc;
}

/// An RSA or RSA-PSS generation's settings (session.h, ACRYPTO_MODE_PK_KEYGEN): the size,
/// the public exponent when pk.other holds one, and an RSA-PSS key's restrictions.
bool rsa_keygen_params(EVP_PKEY_CTX *g, const acrypto_step &st) {
    if (st.key == nullptr || st.key->bits < 1024 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(g, static_cast<int>(st.key->bits)) != 1)
        return false;
    if (st.pk.other_len > 0) {
        BIGNUM *e = BN_bin2bn(st.pk.other, static_cast<int>(st.pk.other_len), nullptr);
        const bool ok = e != nullptr && EVP_PKEY_CTX_set1_rsa_keygen_pubexp(g, e) == 1;
        BN_free(e);
        if (!ok) return false;
    }
    if (st.alg != ACRYPTO_ALG_RSA_PSS || st.pk.digest == ACRYPTO_ALG_NONE) return true;
    const char *md = digest_name(st.pk.digest);
    const char *mgf =
        digest_name(st.pk.mgf1_digest != ACRYPTO_ALG_NONE ? st.pk.mgf1_digest : st.pk.digest);
    return md != nullptr && mgf != nullptr &&
           EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(g, md, nullptr) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md_name(g, mgf) == 1 &&
           (st.pk.saltlen < 0 || EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(g, st.pk.saltlen) == 1);
}

int do_keygen(ExecCtx &c, acrypto_step &st) {
    const char *name = nullptr;
    switch (st.alg) {
    case ACRYPTO_ALG_EC: name = "EC"; break;
    case ACRYPTO_ALG_X25519: name = "X25519"; break;
    case ACRYPTO_ALG_X448: name = "X448"; break;
    case ACRYPTO_ALG_RSA: name = "RSA"; break;
    case ACRYPTO_ALG_RSA_PSS: name = "RSA-PSS"; break;
    default: return ACRYPTO_E_UNSUPPORTED;
    }
    if (is_ecx(st.alg)) {
        const int rc = ecx_keygen(c, st);
        if (rc != ACRYPTO_E_UNSUPPORTED) return rc;
    }
    // Initialised generation contexts are kept per thread for X25519, X448 and
    // each curve (a handshake generates one ephemeral key; the fetch costs more).
    const uint64_t gen_key =
        uint64_t{st.alg} << 32 |
        (st.alg == ACRYPTO_ALG_EC && st.key != nullptr ? st.key->curve_nid : 0);
    auto *gc = static_cast<GenCache *>(c.local(&kGenCacheTag));
    if (!is_rsa(st.alg)) {
        if (gc == nullptr) {
            gc = new (std::nothrow) GenCache;
            if (gc != nullptr) c.set_local(&kGenCacheTag, gc, free_gen_cache);
        }
        if (gc != nullptr)
            for (const auto &[k, ctx] : gc->ctxs)
                if (k == gen_key) return generate(ctx, st, nullptr);
    }
    EVP_PKEY_CTX *g = EVP_PKEY_CTX_new_from_name(c.libctx(), name, nullptr);
    if (g == nullptr) return ACRYPTO_E_NOMEM;
    bool ok = EVP_PKEY_keygen_init(g) == 1;
    if (ok && st.alg == ACRYPTO_ALG_EC) {
        const char *group =
            st.key != nullptr ? OBJ_nid2sn(static_cast<int>(st.key->curve_nid)) : nullptr;
        ok = group != nullptr && EVP_PKEY_CTX_set_group_name(g, group) == 1;
    }
    if (ok && is_rsa(st.alg)) ok = rsa_keygen_params(g, st);
    if (!ok) {
        EVP_PKEY_CTX_free(g);
        return ACRYPTO_E_INVALID;
    }
    if (gc != nullptr && !is_rsa(st.alg) && gc->ctxs.size() < 16) {
        gc->ctxs.emplace_back(gen_key, g);
        return generate(g, st, nullptr);
    }
    return generate(g, st, g);
}

/// One key from the initialised context `g` into st.dst as PKCS#8; frees `owned`.
int generate(EVP_PKEY_CTX *g, acrypto_step &st, EVP_PKEY_CTX *owned) {
    int rc = ACRYPTO_E_INVALID;
    EVP_PKEY *pk = nullptr;
    Wiped fast;
    if (EVP_PKEY_generate(g, &pk) == 1 && pkcs8_fast(pk, st, fast.v)) {
        if (fast.v.size() <= st.dst_len) {
            std::memcpy(st.dst, fast.v.data(), fast.v.size());
            st.out_len = fast.v.size();
            rc = ACRYPTO_OK;
        }
    } else if (pk != nullptr) {
        PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(pk);
        int n = p8 != nullptr ? i2d_PKCS8_PRIV_KEY_INFO(p8, nullptr) : -1;
        if (n > 0 && static_cast<size_t>(n) <= st.dst_len) {
            unsigned char *o = st.dst;
            if (i2d_PKCS8_PRIV_KEY_INFO(p8, &o) == n) {
                st.out_len = static_cast<size_t>(n);
                rc = ACRYPTO_OK;
            }
        }
        PKCS8_PRIV_KEY_INFO_free(p8);
    }
    EVP_PKEY_free(pk);
    EVP_PKEY_CTX_free(owned);
    return rc;
}

/// An initialised operation context kept per (key, mode) and thread: creating one
/// fetches the operation and costs about as much as an ECDSA signature.
struct OpCache {
    EVP_PKEY_CTX *ctx = nullptr;
    int32_t pad = 0;
    uint32_t digest = 0;
    uint32_t mgf1 = 0;
    int32_t saltlen = 0;
    std::vector<uint8_t> peer; ///< derive: the peer already set on ctx
};

void free_op(void *p) {
    auto *o = static_cast<OpCache *>(p);
    EVP_PKEY_CTX_free(o->ctx);
    delete o;
}

bool same_params(const OpCache &o, const acrypto_pk_params &pk) {
    return o.pad == pk.pad && o.digest == pk.digest && o.mgf1 == pk.mgf1_digest &&
           o.saltlen == pk.saltlen;
}

/// A fresh context initialised for the step's mode and parameters, or nullptr.
EVP_PKEY_CTX *init_ctx(OSSL_LIB_CTX *libctx, EVP_PKEY *pkey, const acrypto_step &st) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(libctx, pkey, nullptr);
    if (ctx == nullptr) return nullptr;
    bool ok = false;
    switch (st.mode) {
    case ACRYPTO_MODE_PK_SIGN: ok = EVP_PKEY_sign_init(ctx) == 1 && set_sig_params(ctx, st); break;
    case ACRYPTO_MODE_PK_VERIFY:
        ok = EVP_PKEY_verify_init(ctx) == 1 && set_sig_params(ctx, st);
        break;
    case ACRYPTO_MODE_PK_ENCRYPT:
        ok = is_rsa(st.alg) && EVP_PKEY_encrypt_init(ctx) == 1 && set_asym_params(ctx, st);
        break;
    case ACRYPTO_MODE_PK_DECRYPT:
        ok = is_rsa(st.alg) && EVP_PKEY_decrypt_init(ctx) == 1 && set_asym_params(ctx, st);
        break;
    case ACRYPTO_MODE_PK_DERIVE: ok = EVP_PKEY_derive_init(ctx) == 1; break;
    default: break;
    }
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return nullptr;
    }
    return ctx;
}

int run(ExecCtx &c, acrypto_step &st) {
    OSSL_LIB_CTX *libctx = c.libctx();
    if (st.mode == ACRYPTO_MODE_PK_KEYGEN) return do_keygen(c, st);
    if (st.mode < ACRYPTO_MODE_PK_SIGN || st.mode > ACRYPTO_MODE_PK_DERIVE)
        return ACRYPTO_E_UNSUPPORTED;
    if (st.key == nullptr || st.key->data == nullptr || st.key->len == 0 || st.key->len > kKeyMax)
        return ACRYPTO_E_INVALID;
    if (st.mode == ACRYPTO_MODE_PK_DERIVE && is_ecx(st.alg)) {
        const int rc = ecx_derive_step(c, st);
        if (rc != ACRYPTO_E_UNSUPPORTED) return rc;
    }
    // An OAEP label is not part of the cached parameters: such contexts are not kept.
    const bool cacheable = st.key->id != 0 && (st.pk.label == nullptr || st.pk.label_len == 0);
    const uint32_t tag = key_tag(kFamilyId, st.mode, 1);
    auto *oc = cacheable ? static_cast<OpCache *>(c.key_find(st.key->id, tag)) : nullptr;
    EVP_PKEY_CTX *ctx = nullptr;
    if (oc != nullptr && same_params(*oc, st.pk)) {
        ctx = oc->ctx;
    } else {
        EVP_PKEY *pkey = get_key(c, *st.key);
        if (pkey == nullptr) return ACRYPTO_E_INVALID;
        ctx = init_ctx(libctx, pkey, st);
        EVP_PKEY_free(pkey); // the ctx holds its own reference
        if (ctx == nullptr) return ACRYPTO_E_INVALID;
        if (cacheable) {
            if (oc == nullptr) {
                oc = new (std::nothrow) OpCache;
                if (oc != nullptr && !c.key_put(st.key->id, tag, oc, free_op))
                    oc = nullptr; // destroyed by key_put
            }
            if (oc != nullptr) {
                EVP_PKEY_CTX_free(oc->ctx);
                oc->ctx = ctx;
                oc->pad = st.pk.pad;
                oc->digest = st.pk.digest;
                oc->mgf1 = st.pk.mgf1_digest;
                oc->saltlen = st.pk.saltlen;
            }
        }
    }
    EVP_PKEY_CTX *owned = oc != nullptr && oc->ctx == ctx ? nullptr : ctx;
    int rc = ACRYPTO_E_INVALID;
    size_t outl = st.dst_len;
    switch (st.mode) {
    case ACRYPTO_MODE_PK_SIGN:
        if (st.dst != nullptr && EVP_PKEY_sign(ctx, st.dst, &outl, st.src, st.src_len) == 1)
            rc = ACRYPTO_OK;
        break;
    case ACRYPTO_MODE_PK_VERIFY:
        rc = EVP_PKEY_verify(ctx, st.pk.other, st.pk.other_len, st.src, st.src_len) == 1
                 ? ACRYPTO_OK
                 : ACRYPTO_E_VERIFY;
        outl = 0;
        break;
    case ACRYPTO_MODE_PK_ENCRYPT:
        if (st.dst != nullptr && EVP_PKEY_encrypt(ctx, st.dst, &outl, st.src, st.src_len) == 1)
            rc = ACRYPTO_OK;
        break;
    case ACRYPTO_MODE_PK_DECRYPT:
        // The TLS versions change per connection: set them on every use.
        if (st.dst != nullptr &&
            (st.pk.pad != RSA_PKCS1_WITH_TLS_PADDING || set_asym_params(ctx, st)) &&
            EVP_PKEY_decrypt(ctx, st.dst, &outl, st.src, st.src_len) == 1)
            rc = ACRYPTO_OK;
        break;
    case ACRYPTO_MODE_PK_DERIVE: {
        // The same peer again (a benchmark, a static key): it is already set.
        const bool same_peer = owned == nullptr && st.pk.other != nullptr &&
                               oc->peer.size() == st.pk.other_len &&
                               std::memcmp(oc->peer.data(), st.pk.other, st.pk.other_len) == 0;
        bool ok = same_peer;
        if (!same_peer) {
            EVP_PKEY *peer = peer_key(libctx, st);
            ok = peer != nullptr && EVP_PKEY_derive_set_peer_ex(ctx, peer, 0) == 1;
            EVP_PKEY_free(peer);
            if (owned == nullptr) {
                if (ok)
                    oc->peer.assign(st.pk.other, st.pk.other + st.pk.other_len);
                else
                    oc->peer.clear();
            }
        }
        if (ok && st.dst != nullptr && EVP_PKEY_derive(ctx, st.dst, &outl) == 1) rc = ACRYPTO_OK;
        break;
    }
    default: rc = ACRYPTO_E_UNSUPPORTED; break;
    }
    if (rc == ACRYPTO_OK) st.out_len = outl;
    EVP_PKEY_CTX_free(owned);
    return rc;
}

#define PK_CAP(alg, mode, ops)                                                                     \
    { ACRYPTO_OP_PKEY, alg, mode, 0, 0, 0, 0, 0, uint64_t{1} << 16, 0, 0, 0, 20000, 0.0, ops }

// kPkeyCaps: RSA/RSA-PSS sign, verify, keygen (+RSA encrypt, decrypt); EC sign, verify,
// derive, keygen; X25519/X448 derive and keygen.
const acrypto_capability kPkeyCaps[] = {
    PK_CAP(ACRYPTO_ALG_RSA, ACRYPTO_MODE_PK_SIGN, 1.0e3),
    PK_CAP(ACRYPTO_ALG_RSA, ACRYPTO_MODE_PK_VERIFY, 3.0e4),
    PK_CAP(ACRYPTO_ALG_RSA, ACRYPTO_MODE_PK_ENCRYPT, 3.0e4),
    PK_CAP(ACRYPTO_ALG_RSA, ACRYPTO_MODE_PK_DECRYPT, 1.0e3),
    PK_CAP(ACRYPTO_ALG_RSA, ACRYPTO_MODE_PK_KEYGEN, 10.0),
    PK_CAP(ACRYPTO_ALG_RSA_PSS, ACRYPTO_MODE_PK_SIGN, 1.0e3),
    PK_CAP(ACRYPTO_ALG_RSA_PSS, ACRYPTO_MODE_PK_VERIFY, 3.0e4),
    PK_CAP(ACRYPTO_ALG_RSA_PSS, ACRYPTO_MODE_PK_KEYGEN, 10.0),
    PK_CAP(ACRYPTO_ALG_EC, ACRYPTO_MODE_PK_SIGN, 3.0e4),
    PK_CAP(ACRYPTO_ALG_EC, ACRYPTO_MODE_PK_VERIFY, 1.0e4),
    PK_CAP(ACRYPTO_ALG_EC, ACRYPTO_MODE_PK_DERIVE, 1.5e4),
    PK_CAP(ACRYPTO_ALG_EC, ACRYPTO_MODE_PK_KEYGEN, 3.0e4),
    PK_CAP(ACRYPTO_ALG_X25519, ACRYPTO_MODE_PK_DERIVE, 2.5e4),
    PK_CAP(ACRYPTO_ALG_X25519, ACRYPTO_MODE_PK_KEYGEN, 2.5e4),
    PK_CAP(ACRYPTO_ALG_X448, ACRYPTO_MODE_PK_DERIVE, 5.0e3),
    PK_CAP(ACRYPTO_ALG_X448, ACRYPTO_MODE_PK_KEYGEN, 5.0e3),
};

int exec(ExecCtx &c, acrypto_session &s, uint32_t i) {
    acrypto_step &step = s.steps[i];
    if (step.op != ACRYPTO_OP_PKEY) return ACRYPTO_E_UNSUPPORTED;
    if (step.src_len > 0 && step.src == nullptr) return ACRYPTO_E_INVALID;
    // Inline execution runs on the caller's thread (maybe inside an ASYNC job):
    // leave its error queue exactly as it was.
    ERR_set_mark();
    int rc;
    try {
        rc = run(c, step);
    } catch (...) {
        rc = ACRYPTO_E_INTERNAL;
    }
    ERR_pop_to_mark();
    return rc;
}

} // namespace

const Family kPkeyFamily = {
    "pkey", kPkeyCaps, sizeof(kPkeyCaps) / sizeof(kPkeyCaps[0]), exec, nullptr, nullptr, nullptr,
};

} // namespace acrypto::soft::cpu
