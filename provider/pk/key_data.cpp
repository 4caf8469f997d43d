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

#include "acrypto/ossl/pkcs8.hpp"
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

/// X25519 / X448 private key as OneAsymmetricKey v2 with its public key (RFC 5958),
/// so the device that imports it does not recompute the public key. False on failure.
bool ecx_private_der(const KeyData *k, std::vector<uint8_t> &out) {
    const bool x25519 = k->type == KeyType::X25519;
    if (k->raw_len != 0) {
        if (!k->has_priv) return false;
        ossl::ecx_private_der(x25519, k->raw_priv, k->raw_pub, out);
        return true;
    }
    return ossl::ecx_private_der(x25519, k->pkey.load(std::memory_order_acquire), out);
}

/// Wipe and forget a key's raw values.
void clear_raw(KeyData *k) {
    OPENSSL_cleanse(k->raw_priv, sizeof k->raw_priv);
    k->raw_len = 0;
}

/// Drop the values and the device keys made from them, before new ones are set. Caller
/// holds k->mu.
void drop_values_locked(KeyData *k) {
    drop_device_key(k->dev_priv, k->dev_generation);
    drop_device_key(k->dev_pub, k->dev_generation);
    EVP_PKEY_free(k->pkey.exchange(nullptr));
    clear_raw(k);
}

/// PKCS#8 DER of the private key into `out` (caller wipes). False on failure.
bool private_der(const KeyData *k, std::vector<uint8_t> &out) {
    if (is_ecx(k->type)) return ecx_private_der(k, out);
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey.load(std::memory_order_acquire));
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
    clear_raw(k);
    delete k;
}

void key_set_pkey(KeyData *k, EVP_PKEY *pkey, bool has_priv, bool has_pub) {
    std::lock_guard<std::mutex> lk(k->mu);
    drop_values_locked(k);
    k->pkey = pkey;
    k->has_priv = has_priv;
    k->has_pub = has_pub;
}

void key_set_raw(KeyData *k, const uint8_t *priv, const uint8_t *pub) {
    const size_t n = ossl::ecx_key_len(k->type == KeyType::X25519);
    std::lock_guard<std::mutex> lk(k->mu);
    drop_values_locked(k);
    if (priv != nullptr) std::memcpy(k->raw_priv, priv, n);
    std::memcpy(k->raw_pub, pub, n);
    k->raw_len = static_cast<uint8_t>(n);
    k->has_priv = priv != nullptr;
    k->has_pub = true;
}

EVP_PKEY *key_pkey(const KeyData *ck) {
    EVP_PKEY *p = ck->pkey.load(std::memory_order_acquire);
    if (p != nullptr || ck->raw_len == 0) return p;
    auto *k = const_cast<KeyData *>(ck); // making the cached form changes no value
    std::lock_guard<std::mutex> lk(k->mu);
    p = k->pkey.load(std::memory_order_acquire);
    if (p == nullptr && k->raw_len != 0) {
        p = ossl::ecx_pkey(libctx(k->pctx), kValuePropq, k->type == KeyType::X25519,
                           k->has_priv ? k->raw_priv : nullptr, k->raw_pub);
        k->pkey.store(p, std::memory_order_release);
    }
    return p;
}

Ref<Key> key_device(KeyData *k, bool priv) {
    // Private X25519/X448 DER comes from the raw values; all else from `pkey`, made here
    // (key_pkey takes the lock below).
    if (!priv || !is_ecx(k->type)) (void)key_pkey(k);
    std::lock_guard<std::mutex> lk(k->mu);
    if (k->dev_generation != fork_generation()) {
        drop_device_key(k->dev_priv, k->dev_generation);
        drop_device_key(k->dev_pub, k->dev_generation);
        k->dev_generation = fork_generation();
    }
    Ref<Key> &slot = priv ? k->dev_priv : k->dev_pub;
    if (slot) return slot;
    if (key_empty(k) || (priv && !k->has_priv) || (!priv && !k->has_pub && !k->has_priv)) return {};
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
    // Under k->mu from key_device, which made `pkey` first: no key_pkey() here.
    EVP_PKEY *pk = k->pkey.load(std::memory_order_acquire);
    if (pk == nullptr) return false;
    int n = i2d_PUBKEY(pk, nullptr);
    if (n <= 0) return false;
    out.resize(static_cast<size_t>(n));
    unsigned char *p = out.data();
    return i2d_PUBKEY(pk, &p) == n;
}

size_t key_max_size(const KeyData *k) {
    if (k->raw_len != 0) return k->raw_len; // X25519 / X448: the secret's size
    EVP_PKEY *pk = k->pkey.load(std::memory_order_acquire);
    int n = pk != nullptr ? EVP_PKEY_get_size(pk) : 0;
    return n > 0 ? static_cast<size_t>(n) : 0;
}

uint32_t key_bits(const KeyData *k) {
    if (k->raw_len != 0) return k->type == KeyType::X25519 ? 253 : 448; // as libcrypto says
    EVP_PKEY *pk = k->pkey.load(std::memory_order_acquire);
    int n = pk != nullptr ? EVP_PKEY_get_bits(pk) : 0;
    return n > 0 ? static_cast<uint32_t>(n) : 0;
}

uint32_t key_curve_nid(const KeyData *k) {
    EVP_PKEY *pk = k->pkey.load(std::memory_order_acquire);
    if (k->type != KeyType::Ec || pk == nullptr) return 0;
    char name[64];
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) !=
        1)
        return 0;
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef) nid = EC_curve_nist2nid(name);
    if (nid == NID_undef) nid = OBJ_ln2nid(name);
    return nid == NID_undef ? 0 : static_cast<uint32_t>(nid);
}

EVP_PKEY *key_from_pkcs8(ProvCtx *pctx, const uint8_t *der, size_t len) {
    if (EVP_PKEY *fast = ossl::pkcs8_fast(libctx(pctx), kValuePropq, der, len)) return fast;
    const unsigned char *p = der;
    return d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(len), libctx(pctx), kValuePropq);
}

} // namespace acrypto::prov::pk
