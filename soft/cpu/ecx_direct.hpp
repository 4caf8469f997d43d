// SPDX-License-Identifier: Apache-2.0
// X25519 and X448 key generation and derivation on the default provider's key objects.
#pragma once

#include <cstddef>
#include <cstdint>

#include "acrypto/ossl/pkcs8.hpp"
#include "family.hpp"

namespace acrypto::soft::cpu {

/**
 * A TLS handshake brings a fresh ephemeral key and a fresh peer key to every key exchange.
 * Wrapped in EVP_PKEY objects, each key and each EVP_PKEY_CTX costs OpenSSL 3.0 a walk of
 * its whole name map (about 12,000 instructions; five per derive, two per keygen), more than
 * the rest of the bookkeeping. These functions call the default provider's X25519 / X448 key
 * management and key exchange functions on its own key objects instead, as EVP would after
 * those lookups: the same code computes the keys and secrets.
 *
 * Key sizes: 32 bytes (X25519) or 56 (X448). Both return enum acrypto_status;
 * ACRYPTO_E_UNSUPPORTED when the default provider's functions cannot be found (the caller
 * then takes the EVP path). They leave OpenSSL errors on the thread's queue.
 */

using ossl::ecx_key_len;

/// The shared secret of private key `priv` (with its public key `pub`; nullptr: computed)
/// and the peer's public key `peer`, into out[0..out_size); out_len its length.
int ecx_derive(ExecCtx &c, bool x25519, const uint8_t *priv, const uint8_t *pub,
               const uint8_t *peer, uint8_t *out, size_t out_size, size_t &out_len);

/// A fresh key pair: its private and public keys into `priv` and `pub`.
int ecx_generate(ExecCtx &c, bool x25519, uint8_t *priv, uint8_t *pub);

} // namespace acrypto::soft::cpu
