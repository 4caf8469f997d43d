// SPDX-License-Identifier: Apache-2.0
// What every acrypto cipher answers to OSSL_FUNC_cipher_get_params and
// OSSL_FUNC_cipher_gettable_params: its mode, lengths and flags, as the default provider
// states them for the same algorithm (libcrypto turns them into EVP_CIPHER_get_flags()).
#pragma once

#include <openssl/core.h>

#include <cstddef>
#include <cstdint>

namespace acrypto::prov {

/// The flag parameters (OSSL_CIPHER_PARAM_*), one bit each.
enum CipherFlag : uint32_t {
    /// "aead": GCM, ChaCha20-Poly1305 and the TLS CBC-HMAC ciphers
    kCipherAead = 1u << 0,
    /// "custom-iv": the IV is more than a chaining value (GCM, XTS, ChaCha20)
    kCipherCustomIv = 1u << 1,
    /// "cts": ciphertext stealing
    kCipherCts = 1u << 2,
    /// "tls-multi": TLS 1.1 multiblock
    kCipherMultiblock = 1u << 3,
    /// "has-randkey": the context makes keys (DES and 3DES: odd parity)
    kCipherRandKey = 1u << 4,
};

/// One cipher's answers.
struct CipherShape {
    unsigned int mode; ///< EVP_CIPH_*_MODE (0 for stream ciphers without one)
    size_t key_len;    ///< bytes
    size_t iv_len;     ///< bytes
    size_t block_size; ///< 1 for stream-like modes
    uint32_t flags;    ///< CipherFlag bits
};

/// Fill whichever of the nine parameters `params` asks for; 0 when one cannot be set.
int cipher_get_params(OSSL_PARAM params[], const CipherShape &shape);

/// The nine parameters, for OSSL_FUNC_cipher_gettable_params.
const OSSL_PARAM *cipher_gettable_params(void *provctx);

} // namespace acrypto::prov
