// SPDX-License-Identifier: Apache-2.0
// KeyData: lifetime, DER for devices (wiped by the scheduler's key context), sizes.
#include "key_data.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <new>

#include "acrypto/sched/scheduler.hpp"
#include "pk_common.hpp"
#include "provider_state.hpp"

namespace acrypto::prov::pk {

namespace {

using acrypto::sched::Key;
using acrypto::sched::Ref;

/// Drop a device key; one made by a scheduler abandoned at fork() is wiped and leaked.
void drop_device_key(Ref<Key> &key, uint64_t generation)
{
    if (key && generation != fork_generation()) {
        const acrypto_key &c = key->c();
        OPENSSL_cleanse(const_cast<uint8_t *>(c.data), c.len);
        (void)key.release();
    }
    key.reset();
}

/// PKCS#8 DER of the private key into `out` (caller wipes). False on failure.
bool private_der(const KeyData *k, std::vector<uint8_t> &out)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
    if (p8 == nullptr)
        return false;
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

const char *key_type_name(KeyType t)
{
    switch (t) {
    case KeyType::Rsa: return "RSA";
    case KeyType::RsaPss: return "RSA-PSS";
    case KeyType::Ec: return "EC";
    case KeyType::X25519: return "X25519";
    case KeyType::X448: return "X448";
    }
    return "";
}

uint32_t key_type_alg(KeyType t)
{
    switch (t) {
    case KeyType::Rsa: return ACRYPTO_ALG_RSA;
    case KeyType::RsaPss: return ACRYPTO_ALG_RSA_PSS;
    case KeyType::Ec: return ACRYPTO_ALG_EC;
    case KeyType::X25519: return ACRYPTO_ALG_X25519;
    case KeyType::X448: return ACRYPTO_ALG_X448;
    }
    return ACRYPTO_ALG_NONE;
}

KeyData *key_new(ProvCtx *pctx, KeyType t)
{
    auto *k = new (std::nothrow) KeyData;
    if (k != nullptr) {
        k->pctx = pctx;
        k->type = t;
        k->dev_generation = fork_generation();
    }
    return k;
}

void key_ref(KeyData *k) { k->refs.fetch_add(1, std::memory_order_relaxed); }

void key_unref(KeyData *k)
{
    if (k == nullptr || k->refs.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    drop_device_key(k->dev_priv, k->dev_generation);
    drop_device_key(k->dev_pub, k->dev_generation);
    EVP_PKEY_free(k->pkey); // libcrypto clears private key values as it frees them
    delete k;
}

void key_set_pkey(KeyData *k, EVP_PKEY *pkey, bool has_priv, bool has_pub)
{
    std::lock_guard<std::mutex> lk(k->mu);
    drop_device_key(k->dev_priv, k->dev_generation);
    drop_device_key(k->dev_pub, k->dev_generation);
    EVP_PKEY_free(k->pkey);
    k->pkey = pkey;
    k->has_priv = has_priv;
    k->has_pub = has_pub;
}

Ref<Key> key_device(KeyData *k, bool priv)
{
    std::lock_guard<std::mutex> lk(k->mu);
    if (k->dev_generation != fork_generation()) {
        drop_device_key(k->dev_priv, k->dev_generation);
        drop_device_key(k->dev_pub, k->dev_generation);
        k->dev_generation = fork_generation();
    }
    Ref<Key> &slot = priv ? k->dev_priv : k->dev_pub;
    if (slot)
        return slot;
    if (k->pkey == nullptr || (priv && !k->has_priv) || (!priv && !k->has_pub && !k->has_priv))
        return {};
    acrypto::sched::SchedulerCore *sc = scheduler(k->pctx);
    if (sc == nullptr)
        return {};
    std::vector<uint8_t> der;
    bool ok = priv ? private_der(k, der) : key_public_der(k, der);
    if (ok)
        slot = sc->make_key(key_type_alg(k->type), der.data(), der.size(), key_curve_nid(k),
                            key_bits(k));
    if (!der.empty())
        OPENSSL_cleanse(der.data(), der.size());
    return slot;
}

bool key_public_der(const KeyData *k, std::vector<uint8_t> &out)
{
    if (k->pkey == nullptr)
        return false;
    int n = i2d_PUBKEY(k->pkey, nullptr);
    if (n <= 0)
        return false;
    out.resize(static_cast<size_t>(n));
    unsigned char *p = out.data();
    return i2d_PUBKEY(k->pkey, &p) == n;
}

size_t key_max_size(const KeyData *k)
{
    if (k->pkey == nullptr)
        return 0;
    int n = EVP_PKEY_get_size(k->pkey);
    return n > 0 ? static_cast<size_t>(n) : 0;
}

uint32_t key_bits(const KeyData *k)
{
    if (k->pkey == nullptr)
        return 0;
    int n = EVP_PKEY_get_bits(k->pkey);
    return n > 0 ? static_cast<uint32_t>(n) : 0;
}

uint32_t key_curve_nid(const KeyData *k)
{
    if (k->type != KeyType::Ec || k->pkey == nullptr)
        return 0;
    char name[64];
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                       &len) != 1)
        return 0;
    int nid = OBJ_sn2nid(name);
    if (nid == NID_undef)
        nid = EC_curve_nist2nid(name);
    if (nid == NID_undef)
        nid = OBJ_ln2nid(name);
    return nid == NID_undef ? 0 : static_cast<uint32_t>(nid);
}

EVP_PKEY *key_from_pkcs8(ProvCtx *pctx, const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    return d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(len), libctx(pctx), kValuePropq);
}

} // namespace acrypto::prov::pk
