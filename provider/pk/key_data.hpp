// SPDX-License-Identifier: Apache-2.0
// KeyData: acrypto's key object for RSA, RSA-PSS, EC, X25519 and X448 (values plus device DER).
#pragma once

#include <openssl/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/session.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov::pk {

/// The key types acrypto's keymgmt serves.
enum class KeyType { Rsa, RsaPss, Ec, X25519, X448 };

/// OpenSSL name of a key type ("RSA", "RSA-PSS", "EC", "X25519", "X448").
const char *key_type_name(KeyType t);
/// enum acrypto_alg of a key type.
uint32_t key_type_alg(KeyType t);

/**
 * One key. Its values live in `pkey`, a libcrypto object of the default
 * provider reached only through public EVP calls (import/export via OSSL_PARAM,
 * DER via encoders): no private OpenSSL structure is touched. Devices get the
 * key as DER (PKCS#8 or SubjectPublicKeyInfo) in a scheduler key context,
 * which wipes it when it dies. Refcounted: operation contexts hold references.
 */
struct KeyData {
    ProvCtx *pctx = nullptr;
    KeyType type = KeyType::Rsa;
    std::atomic<int> refs{1};
    /// The values; nullptr while empty, and while an X25519/X448 key is held raw only:
    /// read it through key_pkey(), which makes it then.
    std::atomic<EVP_PKEY *> pkey{nullptr};
    bool has_priv = false;
    bool has_pub = false;
    /// X25519/X448 values set raw (a generated key, a peer's encoded public key; raw_len 0:
    /// none). A TLS handshake's two such keys are read, checked and derived with, and never
    /// need `pkey`: each EVP_PKEY costs OpenSSL 3.0 about 15,000 instructions. Wiped when
    /// replaced or freed.
    uint8_t raw_len = 0;
    uint8_t raw_priv[56] = {};
    uint8_t raw_pub[56] = {};

    /// Guards the cached device keys and making `pkey` (never held across execute()).
    std::mutex mu;
    acrypto::sched::Ref<acrypto::sched::Key> dev_priv;
    acrypto::sched::Ref<acrypto::sched::Key> dev_pub;
    uint64_t dev_generation = 0;
};

/// A new empty key of type `t` (refs 1), or nullptr.
KeyData *key_new(ProvCtx *pctx, KeyType t);
void key_ref(KeyData *k);
/// Drop a reference; the last one frees the values and the device keys.
void key_unref(KeyData *k);
/// Replace the values (takes ownership of `pkey`); drops cached device keys.
void key_set_pkey(KeyData *k, EVP_PKEY *pkey, bool has_priv, bool has_pub);
/// Replace an X25519/X448 key's values with raw ones (`priv` nullptr: a public key alone);
/// drops cached device keys.
void key_set_raw(KeyData *k, const uint8_t *priv, const uint8_t *pub);
/// The values as a libcrypto key (made from raw values on first need; the key keeps it),
/// or nullptr while empty or on failure.
EVP_PKEY *key_pkey(const KeyData *k);
/// Whether the key holds no values yet.
inline bool key_empty(const KeyData *k) {
    return k->raw_len == 0 && k->pkey.load(std::memory_order_acquire) == nullptr;
}
/// Whether keys of type `t` are X25519 or X448.
inline bool is_ecx(KeyType t) { return t == KeyType::X25519 || t == KeyType::X448; }

/// The device key context (DER) for private or public operations; empty Ref on failure.
acrypto::sched::Ref<acrypto::sched::Key> key_device(KeyData *k, bool priv);

/// Use `der` (the PKCS#8 the values came from) as the device's private key, so
/// the first private operation skips encoding it again. No effect on failure.
void key_adopt_private_der(KeyData *k, const uint8_t *der, size_t len, uint32_t curve_nid);

/// SubjectPublicKeyInfo DER of the public key (peers of a derive). False on failure.
bool key_public_der(const KeyData *k, std::vector<uint8_t> &out);
/// Largest signature / ciphertext / secret size, 0 if unknown.
size_t key_max_size(const KeyData *k);
/// Key size in bits, 0 if unknown.
uint32_t key_bits(const KeyData *k);
/// EC: OpenSSL NID of the named curve, else 0.
uint32_t key_curve_nid(const KeyData *k);
/// A new libcrypto key of the default provider from parsed PKCS#8 DER, or nullptr.
EVP_PKEY *key_from_pkcs8(ProvCtx *pctx, const uint8_t *der, size_t len);

} // namespace acrypto::prov::pk
