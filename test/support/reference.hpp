// SPDX-License-Identifier: Apache-2.0
// Reference results from libcrypto's default provider, for differential device checks.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "session_builder.hpp"

namespace acrypto::test {

/// OpenSSL cipher name for (alg, mode, key bytes): "AES-128-CBC", "DES-EDE3-CBC",
/// "ChaCha20", "AES-256-XTS"... Empty when there is none.
std::string cipher_name(uint32_t alg, uint32_t mode, size_t key_len);
/// OpenSSL digest name for an ACRYPTO_ALG_SHA*/MD5 value ("SHA256"); empty if none.
std::string digest_name(uint32_t alg);

/// Chaining state a cipher leaves for the next chunk.
struct CipherState {
    Bytes iv;         ///< updated IV / counter (EVP_CIPHER_CTX_get_updated_iv)
    uint32_t num = 0; ///< keystream bytes used in the current block (CTR/CFB/OFB)
};

/// Whether the reference can compute this cipher (legacy algorithms need the legacy provider).
bool reference_has_cipher(uint32_t alg, uint32_t mode, size_t key_len);

/// Encrypt/decrypt `input` without padding. Throws std::runtime_error when
/// libcrypto refuses (unknown cipher, bad key/IV, partial block for ECB/CBC).
Bytes reference_cipher(uint32_t alg, uint32_t mode, uint32_t dir, std::span<const uint8_t> key,
                       std::span<const uint8_t> iv, std::span<const uint8_t> input,
                       CipherState *state = nullptr);

/// AEAD (GCM, ChaCha20-Poly1305). Encrypt: fills `*tag` (tag_len bytes), returns true.
/// Decrypt: checks `tag_in`; returns false when it does not verify.
bool reference_aead(uint32_t alg, uint32_t mode, uint32_t dir, std::span<const uint8_t> key,
                    std::span<const uint8_t> iv, std::span<const uint8_t> aad,
                    std::span<const uint8_t> input, std::span<const uint8_t> tag_in,
                    uint32_t tag_len, Bytes *out, Bytes *tag);

/// One-shot digest.
Bytes reference_digest(uint32_t alg, std::span<const uint8_t> input);
/// FIPS 180 chaining value (big-endian words, digest_state_size bytes) after absorbing
/// `prefix`, whose length must be a multiple of the digest block size.
Bytes reference_digest_state(uint32_t alg, std::span<const uint8_t> prefix);
/// HMAC over digest `alg`.
Bytes reference_hmac(uint32_t alg, std::span<const uint8_t> key, std::span<const uint8_t> input);
/// CMAC over cipher `alg` (AES, key length picks the variant).
Bytes reference_cmac(uint32_t alg, std::span<const uint8_t> key, std::span<const uint8_t> input);

} // namespace acrypto::test
