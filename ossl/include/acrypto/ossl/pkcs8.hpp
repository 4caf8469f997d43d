// SPDX-License-Identifier: Apache-2.0
// PKCS#8 of X25519, X448 and named-curve EC keys read and written without OpenSSL's
// decoder and encoder frameworks, shared by the provider and the cpu device.
#pragma once

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/x509.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace acrypto::ossl {

/// Key size of X25519 (`x25519`) or X448.
constexpr size_t ecx_key_len(bool x25519) noexcept { return x25519 ? 32 : 56; }

/// One DER TLV at p (short or long definite length, up to two length bytes); false when
/// malformed.
inline bool der_next(const uint8_t *&p, const uint8_t *end, uint8_t &tag, const uint8_t *&val,
                     size_t &len) {
    if (end - p < 2) return false;
    tag = *p++;
    size_t n = *p++;
    if (n & 0x80) {
        const size_t k = n & 0x7f;
        if (k == 0 || k > 2 || static_cast<size_t>(end - p) < k) return false;
        n = 0;
        for (size_t i = 0; i < k; ++i) n = n << 8 | *p++;
    }
    if (static_cast<size_t>(end - p) < n) return false;
    val = p;
    len = n;
    p += n;
    return true;
}

/// Append one DER TLV (lengths below 64 KiB).
inline void der_put(std::vector<uint8_t> &o, uint8_t tag, const uint8_t *v, size_t n) {
    o.push_back(tag);
    if (n >= 0x100) {
        o.push_back(0x82);
        o.push_back(static_cast<uint8_t>(n >> 8));
    } else if (n >= 0x80) {
        o.push_back(0x81);
    }
    o.push_back(static_cast<uint8_t>(n));
    o.insert(o.end(), v, v + n);
}

/**
 * The keys in an X25519 or X448 PrivateKeyInfo (RFC 8410), or in a OneAsymmetricKey v2
 * that carries the public key too (RFC 5958; `pub` nullptr when absent). False: not such
 * a key.
 */
inline bool ecx_parts(const uint8_t *der, size_t len, bool &x25519, const uint8_t *&priv,
                      const uint8_t *&pub) {
    static const uint8_t kOidX25519[] = {0x2b, 0x65, 0x6e};
    static const uint8_t kOidX448[] = {0x2b, 0x65, 0x6f};
    const uint8_t *p = der, *end = der + len, *v = nullptr, *oid = nullptr, *pr = nullptr,
                  *pu = nullptr;
    size_t vl = 0, oid_len = 0, priv_len = 0;
    uint8_t tag = 0;
    if (!der_next(p, end, tag, v, vl) || tag != 0x30) return false;
    p = v;
    end = v + vl;
    if (!der_next(p, end, tag, v, vl) || tag != 0x02 || vl != 1 || v[0] > 1) return false;
    if (!der_next(p, end, tag, v, vl) || tag != 0x30) return false;
    const uint8_t *q = v;
    if (!der_next(q, v + vl, tag, oid, oid_len) || tag != 0x06 || q != v + vl || oid_len != 3)
        return false;
    const bool is_x25519 = std::memcmp(oid, kOidX25519, 3) == 0;
    if (!is_x25519 && std::memcmp(oid, kOidX448, 3) != 0) return false;
    const size_t klen = ecx_key_len(is_x25519);
    if (!der_next(p, end, tag, v, vl) || tag != 0x04) return false;
    q = v;
    if (!der_next(q, v + vl, tag, pr, priv_len) || tag != 0x04 || priv_len != klen || q != v + vl)
        return false;
    while (p < end) {
        if (!der_next(p, end, tag, v, vl)) return false;
        if (tag == 0x81 && vl == klen + 1 && v[0] == 0) pu = v + 1; // [1] IMPLICIT BIT STRING
    }
    x25519 = is_x25519;
    priv = pr;
    pub = pu;
    return true;
}

/// OneAsymmetricKey v2 (RFC 5958) of an X25519 or X448 key pair, with its public key so
/// that whoever imports it need not recompute it (a scalar multiplication). `out` holds
/// the private key: the caller wipes it.
inline void ecx_private_der(bool x25519, const uint8_t *priv, const uint8_t *pub,
                            std::vector<uint8_t> &out) {
    static const uint8_t kAlgX25519[] = {0x06, 0x03, 0x2b, 0x65, 0x6e};
    static const uint8_t kAlgX448[] = {0x06, 0x03, 0x2b, 0x65, 0x6f};
    static const uint8_t kVersion1[] = {0x01};
    const size_t n = ecx_key_len(x25519);
    uint8_t inner[56 + 2], bits[56 + 1];
    inner[0] = 0x04;
    inner[1] = static_cast<uint8_t>(n);
    std::memcpy(inner + 2, priv, n);
    bits[0] = 0;
    std::memcpy(bits + 1, pub, n);
    std::vector<uint8_t> body;
    body.reserve(2 * n + 24);
    der_put(body, 0x02, kVersion1, 1);
    der_put(body, 0x30, x25519 ? kAlgX25519 : kAlgX448, sizeof kAlgX25519);
    der_put(body, 0x04, inner, n + 2);
    der_put(body, 0x81, bits, n + 1);
    out.clear();
    der_put(out, 0x30, body.data(), body.size());
    OPENSSL_cleanse(body.data(), body.size());
    OPENSSL_cleanse(inner, sizeof inner);
}

/// An X25519 or X448 key of the provider `propq` selects in `libctx` from its raw private
/// key (nullptr: a public key alone) and public key (nullptr: computed); nullptr on failure.
inline EVP_PKEY *ecx_pkey(OSSL_LIB_CTX *libctx, const char *propq, bool x25519, const uint8_t *priv,
                          const uint8_t *pub) {
    const size_t klen = ecx_key_len(x25519);
    const char *name = x25519 ? "X25519" : "X448";
    if (pub == nullptr) return EVP_PKEY_new_raw_private_key_ex(libctx, name, propq, priv, klen);
    if (priv == nullptr) return EVP_PKEY_new_raw_public_key_ex(libctx, name, propq, pub, klen);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY,
                                                             const_cast<uint8_t *>(priv), klen),
                           OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                             const_cast<uint8_t *>(pub), klen),
                           OSSL_PARAM_construct_end()};
    EVP_PKEY *pk = nullptr;
    EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(libctx, name, propq);
    if (fc == nullptr || EVP_PKEY_fromdata_init(fc) != 1 ||
        EVP_PKEY_fromdata(fc, &pk, EVP_PKEY_KEYPAIR, params) != 1)
        pk = nullptr;
    EVP_PKEY_CTX_free(fc);
    return pk;
}

/// ecx_private_der of the X25519 or X448 key pair `pk` (its raw keys read through EVP).
/// False, `out` untouched, when `pk` does not hold both keys of that size.
inline bool ecx_private_der(bool x25519, EVP_PKEY *pk, std::vector<uint8_t> &out) {
    uint8_t priv[56], pub[56];
    size_t n = sizeof priv, pn = sizeof pub;
    const bool ok = pk != nullptr && EVP_PKEY_get_raw_private_key(pk, priv, &n) == 1 &&
                    EVP_PKEY_get_raw_public_key(pk, pub, &pn) == 1 && n == pn &&
                    n == ecx_key_len(x25519);
    if (ok) ecx_private_der(x25519, priv, pub, out);
    OPENSSL_cleanse(priv, sizeof priv);
    return ok;
}

/// ecx_parts' key as a key of the provider `propq` selects in `libctx`, or nullptr.
inline EVP_PKEY *ecx_from_der(OSSL_LIB_CTX *libctx, const char *propq, const uint8_t *der,
                              size_t len) {
    bool x25519 = false;
    const uint8_t *priv = nullptr, *pub = nullptr;
    if (!ecx_parts(der, len, x25519, priv, pub)) return nullptr;
    return ecx_pkey(libctx, propq, x25519, priv, pub);
}

/// EC key pair from an ECPrivateKey (RFC 5915) carrying its public point; nullptr
/// otherwise (without the point, the general decoder derives it).
inline EVP_PKEY *ec_from_private(OSSL_LIB_CTX *libctx, const char *propq, int curve,
                                 const uint8_t *der, size_t len) {
    const char *group = curve != NID_undef ? OBJ_nid2sn(curve) : nullptr;
    const uint8_t *p = der, *end = der + len, *v = nullptr, *priv = nullptr, *pub = nullptr;
    size_t vl = 0, priv_len = 0, pub_len = 0;
    uint8_t tag = 0;
    if (group == nullptr || !der_next(p, end, tag, v, vl) || tag != 0x30) return nullptr;
    p = v;
    end = v + vl;
    if (!der_next(p, end, tag, v, vl) || tag != 0x02 || !der_next(p, end, tag, priv, priv_len) ||
        tag != 0x04)
        return nullptr;
    while (p < end) {
        if (!der_next(p, end, tag, v, vl)) return nullptr;
        const uint8_t *q = v;
        if (tag == 0xa1 && der_next(q, v + vl, tag, v, vl) && tag == 0x03 && vl > 1 && v[0] == 0) {
            pub = v + 1;
            pub_len = vl - 1;
        }
    }
    if (pub == nullptr) return nullptr;
    BIGNUM *d = BN_secure_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = nullptr;
    EVP_PKEY *pk = nullptr;
    if (d != nullptr && bld != nullptr &&
        BN_bin2bn(priv, static_cast<int>(priv_len), d) != nullptr &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, pub_len) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr) {
        EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(libctx, "EC", propq);
        if (fc == nullptr || EVP_PKEY_fromdata_init(fc) != 1 ||
            EVP_PKEY_fromdata(fc, &pk, EVP_PKEY_KEYPAIR, params) != 1)
            pk = nullptr;
        EVP_PKEY_CTX_free(fc);
    }
    OSSL_PARAM_free(params); // the secure BIGNUM's copy is in secure memory, cleared on free
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(d);
    return pk;
}

/**
 * PKCS#8 of X25519, X448 and named-curve EC keys without the decoder framework (creating
 * a decoder context costs several times a key exchange; every TLS handshake generates an
 * ephemeral key). nullptr: other keys or encodings, take the general path.
 */
inline EVP_PKEY *pkcs8_fast(OSSL_LIB_CTX *libctx, const char *propq, const uint8_t *der,
                            size_t len) {
    if (EVP_PKEY *ecx = ecx_from_der(libctx, propq, der, len)) return ecx;
    const unsigned char *p = der;
    PKCS8_PRIV_KEY_INFO *p8 = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p, static_cast<long>(len));
    if (p8 == nullptr) return nullptr;
    const ASN1_OBJECT *obj = nullptr;
    const unsigned char *pk = nullptr;
    int pklen = 0;
    const X509_ALGOR *alg = nullptr;
    EVP_PKEY *out = nullptr;
    if (PKCS8_pkey_get0(&obj, &pk, &pklen, &alg, p8) == 1 && pklen > 2) {
        const int nid = OBJ_obj2nid(obj);
        const auto plen = static_cast<size_t>(pklen);
        if (nid == NID_X25519 || nid == NID_X448) {
            const size_t klen = ecx_key_len(nid == NID_X25519);
            if (plen == klen + 2 && pk[0] == 0x04 && pk[1] == klen)
                out = EVP_PKEY_new_raw_private_key_ex(libctx, nid == NID_X25519 ? "X25519" : "X448",
                                                      propq, pk + 2, klen);
        } else if (nid == NID_X9_62_id_ecPublicKey) {
            int ptype = 0;
            const void *pval = nullptr;
            X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
            if (ptype == V_ASN1_OBJECT)
                out = ec_from_private(
                    libctx, propq, OBJ_obj2nid(static_cast<const ASN1_OBJECT *>(pval)), pk, plen);
        }
    }
    PKCS8_PRIV_KEY_INFO_free(p8); // clears the private key octets
    return out;
}

} // namespace acrypto::ossl
