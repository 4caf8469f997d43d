// SPDX-License-Identifier: Apache-2.0
// KeyData: lifetime, DER for devices (wiped by the scheduler's key context), sizes.
#include "key_data.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <cstring>
#include <new>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "pk_common.hpp"
#include "provider_state.hpp"

namespace acrypto::prov::pk {

namespace {

using acrypto::sched::Key;
using acrypto::sched::Ref;

/// Drop a device key; one made by a scheduler abandoned at fork() is wiped and leaked.
void drop_device_key(Ref<Key> &key, uint64_t generation) {
    if (key && generation != fork_generation()) {
        const acrypto_key &c = key->c();
        OPENSSL_cleanse(const_cast<uint8_t *>(c.data), c.len);
        (void)key.release();
    }
    key.reset();
}

/// One DER TLV at p (short or long definite length); false when malformed.
bool der_next(const uint8_t *&p, const uint8_t *end, uint8_t &tag, const uint8_t *&val,
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

/// EC key pair from an ECPrivateKey (RFC 5915) carrying its public point; nullptr otherwise.
EVP_PKEY *ec_from_private(OSSL_LIB_CTX *libctx, int curve, const uint8_t *der, size_t len) {
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
        EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(libctx, "EC", kValuePropq);
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
 * An X25519 or X448 PrivateKeyInfo (RFC 8410), or a OneAsymmetricKey v2 that
 * carries the public key too (RFC 5958, what the devices generate): then both
 * are imported as they are, since importing the private key alone recomputes
 * the public key, a scalar multiplication as costly as the key exchange.
 * nullptr: not such a key.
 */
EVP_PKEY *ecx_from_der(OSSL_LIB_CTX *libctx, const uint8_t *der, size_t len) {
    static const uint8_t kOidX25519[] = {0x2b, 0x65, 0x6e};
    static const uint8_t kOidX448[] = {0x2b, 0x65, 0x6f};
    const uint8_t *p = der, *end = der + len, *v = nullptr, *oid = nullptr, *priv = nullptr,
                  *pub = nullptr;
    size_t vl = 0, oid_len = 0, priv_len = 0;
    uint8_t tag = 0;
    if (!der_next(p, end, tag, v, vl) || tag != 0x30) return nullptr;
    p = v;
    end = v + vl;
    if (!der_next(p, end, tag, v, vl) || tag != 0x02 || vl != 1 || v[0] > 1) return nullptr;
    if (!der_next(p, end, tag, v, vl) || tag != 0x30) return nullptr;
    const uint8_t *q = v;
    if (!der_next(q, v + vl, tag, oid, oid_len) || tag != 0x06 || q != v + vl || oid_len != 3)
        return nullptr;
    const bool x25519 = std::memcmp(oid, kOidX25519, 3) == 0;
    if (!x25519 && std::memcmp(oid, kOidX448, 3) != 0) return nullptr;
    const size_t klen = x25519 ? 32 : 56;
    if (!der_next(p, end, tag, v, vl) || tag != 0x04) return nullptr;
    q = v;
    if (!der_next(q, v + vl, tag, priv, priv_len) || tag != 0x04 || priv_len != klen || q != v + vl)
        return nullptr;
    while (p < end) {
        if (!der_next(p, end, tag, v, vl)) return nullptr;
        if (tag == 0x81 && vl == klen + 1 && v[0] == 0) pub = v + 1; // [1] IMPLICIT BIT STRING
    }
    const char *name = x25519 ? "X25519" : "X448";
    if (pub == nullptr)
        return EVP_PKEY_new_raw_private_key_ex(libctx, name, kValuePropq, priv, klen);
    OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY,
                                                             const_cast<uint8_t *>(priv), klen),
                           OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                             const_cast<uint8_t *>(pub), klen),
                           OSSL_PARAM_construct_end()};
    EVP_PKEY *pk = nullptr;
    EVP_PKEY_CTX *fc = EVP_PKEY_CTX_new_from_name(libctx, name, kValuePropq);
    if (fc == nullptr || EVP_PKEY_fromdata_init(fc) != 1 ||
        EVP_PKEY_fromdata(fc, &pk, EVP_PKEY_KEYPAIR, params) != 1)
        pk = nullptr;
    EVP_PKEY_CTX_free(fc);
    return pk;
}

/// Append one DER TLV (lengths below 256).
void der_put(std::vector<uint8_t> &o, uint8_t tag, const uint8_t *v, size_t n) {
    o.push_back(tag);
    if (n >= 0x80) o.push_back(0x81);
    o.push_back(static_cast<uint8_t>(n));
    o.insert(o.end(), v, v + n);
}

/// X25519 / X448 private key as OneAsymmetricKey v2 with its public key (RFC 5958),
/// so the device that imports it does not recompute the public key. False on failure.
bool ecx_private_der(const KeyData *k, std::vector<uint8_t> &out) {
    static const uint8_t kAlgX25519[] = {0x06, 0x03, 0x2b, 0x65, 0x6e};
    static const uint8_t kAlgX448[] = {0x06, 0x03, 0x2b, 0x65, 0x6f};
    static const uint8_t kVersion1[] = {0x01};
    const bool x25519 = k->type == KeyType::X25519;
    uint8_t raw[56 + 2], pub[56 + 1];
    size_t n = x25519 ? 32 : 56, pn = n;
    raw[0] = 0x04;
    raw[1] = static_cast<uint8_t>(n);
    pub[0] = 0;
    bool ok = EVP_PKEY_get_raw_private_key(k->pkey, raw + 2, &n) == 1 &&
              EVP_PKEY_get_raw_public_key(k->pkey, pub + 1, &pn) == 1 && n == pn &&
              n == (x25519 ? 32u : 56u);
    if (ok) {
        std::vector<uint8_t> body;
        der_put(body, 0x02, kVersion1, 1);
        der_put(body, 0x30, x25519 ? kAlgX25519 : kAlgX448, sizeof kAlgX25519);
        der_put(body, 0x04, raw, n + 2);
        der_put(body, 0x81, pub, n + 1);
        out.clear();
        der_put(out, 0x30, body.data(), body.size());
        OPENSSL_cleanse(body.data(), body.size());
    }
    OPENSSL_cleanse(raw, sizeof raw);
    return ok;
}

/**
 * PKCS#8 of X25519, X448 and named-curve EC keys without the decoder framework
 * (creating a decoder context costs several times a key exchange; every TLS
 * handshake generates an ephemeral key). nullptr: take the general path.
 */
EVP_PKEY *pkcs8_fast(OSSL_LIB_CTX *libctx, const uint8_t *der, size_t len) {
    if (EVP_PKEY *ecx = ecx_from_der(libctx, der, len)) return ecx;
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
            const size_t klen = nid == NID_X25519 ? 32 : 56;
            if (plen == klen + 2 && pk[0] == 0x04 && pk[1] == klen)
                out = EVP_PKEY_new_raw_private_key_ex(libctx, nid == NID_X25519 ? "X25519" : "X448",
                                                      kValuePropq, pk + 2, klen);
        } else if (nid == NID_X9_62_id_ecPublicKey) {
            int ptype = 0;
            const void *pval = nullptr;
            X509_ALGOR_get0(nullptr, &ptype, &pval, alg);
            if (ptype == V_ASN1_OBJECT)
                out = ec_from_private(libctx, OBJ_obj2nid(static_cast<const ASN1_OBJECT *>(pval)),
                                      pk, plen);
        }
    }
    PKCS8_PRIV_KEY_INFO_free(p8); // clears the private key octets
    return out;
}

/// PKCS#8 DER of the private key into `out` (caller wipes). False on failure.
bool private_der(const KeyData *k, std::vector<uint8_t> &out) {
    if (k->type == KeyType::X25519 || k->type == KeyType::X448) return ecx_private_der(k, out);
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    if (p8 == nullptr) return false;
    int n = i2d_PKCS8_PRIV_KEY_INFO(p8, nullptr);
    bool ok = false;
    if (n > 0) {
        out.resize(static_cast<size_t>(n));
        unsigned char *p = out.data();
        ok = i2d_PKCS8_PRIV_KEY_INFO(p8, &p) == n;
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    return ok;
}

} // namespace

const char *key_type_name(KeyType t) {
    switch (t) {
    case KeyType::Rsa: return "RSA";
    case KeyType::RsaPss: return "RSA-PSS";
    case KeyType::Ec: return "EC";
    case KeyType::X25519: return "X25519";
    case KeyType::X448: return "X448";
    }
    return "";
}

uint32_t key_type_alg(KeyType t) {
    switch (t) {
    case KeyType::Rsa: return ACRYPTO_ALG_RSA;
    case KeyType::RsaPss: return ACRYPTO_ALG_RSA_PSS;
    case KeyType::Ec: return ACRYPTO_ALG_EC;
    case KeyType::X25519: return ACRYPTO_ALG_X25519;
    case KeyType::X448: return ACRYPTO_ALG_X448;
    }
    return ACRYPTO_ALG_NONE;
}

KeyData *key_new(ProvCtx *pctx, KeyType t) {
    auto *k = new (std::nothrow) KeyData;
    if (k != nullptr) {
        k->pctx = pctx;
        k->type = t;
        k->dev_generation = fork_generation();
    }
    return k;
}

void key_ref(KeyData *k) { k->refs.fetch_add(1, std::memory_order_relaxed); }

void key_unref(KeyData *k) {
    if (k == nullptr || k->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    drop_device_key(k->dev_priv, k->dev_generation);
    drop_device_key(k->dev_pub, k->dev_generation);
    EVP_PKEY_free(k->pkey); // libcrypto clears private key values as it frees them
    delete k;
}

void key_set_pkey(KeyData *k, EVP_PKEY *pkey, bool has_priv, bool has_pub) {
    std::lock_guard<std::mutex> lk(k->mu);
    drop_device_key(k->dev_priv, k->dev_generation);
    drop_device_key(k->dev_pub, k->dev_generation);
    EVP_PKEY_free(k->pkey);
    k->pkey = pkey;
    k->has_priv = has_priv;
    k->has_pub = has_pub;
}

Ref<Key> key_device(KeyData *k, bool priv) {
    std::lock_guard<std::mutex> lk(k->mu);
    if (k->dev_generation != fork_generation()) {
        drop_device_key(k->dev_priv, k->dev_generation);
        drop_device_key(k->dev_pub, k->dev_generation);
        k->dev_generation = fork_generation();
    }
    Ref<Key> &slot = priv ? k->dev_priv : k->dev_pub;
    if (slot) return slot;
    if (k->pkey == nullptr || (priv && !k->has_priv) || (!priv && !k->has_pub && !k->has_priv))
        return {};
    acrypto::sched::SchedulerCore *sc = scheduler(k->pctx);
    if (sc == nullptr) return {};
    std::vector<uint8_t> der;
    bool ok = priv ? private_der(k, der) : key_public_der(k, der);
    if (ok)
        slot = sc->make_key(key_type_alg(k->type), der.data(), der.size(), key_curve_nid(k),
                            key_bits(k));
    if (!der.empty()) OPENSSL_cleanse(der.data(), der.size());
    return slot;
}

void key_adopt_private_der(KeyData *k, const uint8_t *der, size_t len, uint32_t curve_nid) {
    acrypto::sched::SchedulerCore *sc = scheduler(k->pctx);
    if (sc == nullptr) return;
    auto dk = sc->make_key(key_type_alg(k->type), der, len, curve_nid, key_bits(k));
    if (!dk) return;
    std::lock_guard<std::mutex> lk(k->mu);
    drop_device_key(k->dev_priv, k->dev_generation);
    if (k->dev_generation != fork_generation()) {
        drop_device_key(k->dev_pub, k->dev_generation);
        k->dev_generation = fork_generation();
    }
    k->dev_priv = dk;
}

bool key_public_der(const KeyData *k, std::vector<uint8_t> &out) {
    if (k->pkey == nullptr) return false;
    int n = i2d_PUBKEY(k->pkey, nullptr);
    if (n <= 0) return false;
    out.resize(static_cast<size_t>(n));
    unsigned char *p = out.data();
    return i2d_PUBKEY(k->pkey, &p) == n;
}

size_t key_max_size(const KeyData *k) {
    if (k->pkey == nullptr) return 0;
    int n = EVP_PKEY_get_size(k->pkey);
    return n > 0 ? static_cast<size_t>(n) : 0;
}

uint32_t key_bits(const KeyData *k) {
    if (k->pkey == nullptr) return 0;
    int n = EVP_PKEY_get_bits(k->pkey);
    return n > 0 ? static_cast<uint32_t>(n) : 0;
}

uint32_t key_curve_nid(const KeyData *k) {
    if (k->type != KeyType::Ec || k->pkey == nullptr) return 0;
    char name[64];
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                       &len) != 1)
        return 0;
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef) nid = EC_curve_nist2nid(name);
    if (nid == NID_undef) nid = OBJ_ln2nid(name);
    return nid == NID_undef ? 0 : static_cast<uint32_t>(nid);
}

EVP_PKEY *key_from_pkcs8(ProvCtx *pctx, const uint8_t *der, size_t len) {
    if (EVP_PKEY *fast = pkcs8_fast(libctx(pctx), der, len)) return fast;
    const unsigned char *p = der;
    return d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(len), libctx(pctx), kValuePropq);
}

} // namespace acrypto::prov::pk
