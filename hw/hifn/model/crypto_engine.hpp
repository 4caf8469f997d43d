// SPDX-License-Identifier: Apache-2.0
// CryptoEngine: the model's cipher and MAC engines, libcrypto in a private library context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace acrypto::hw::hifn::model {

/// Cipher algorithms and modes as the crypt command encodes them (§4.3).
enum class CipherAlg { Des = 0, TripleDes = 1, Rc4 = 2, Aes = 3 };
enum class CipherMode { Ecb = 0, Cbc = 1, Cfb = 2, Ofb = 3 };

/**
 * libcrypto behind the model's engines. Its own OSSL_LIB_CTX (default + legacy
 * providers, for single DES and RC4) so the model never depends on what the
 * process's default context holds. Thread-safe.
 */
class CryptoEngine {
  public:
    CryptoEngine();
    ~CryptoEngine();
    CryptoEngine(const CryptoEngine &) = delete;
    CryptoEngine &operator=(const CryptoEngine &) = delete;

    /// Encrypt or decrypt `in` into `out` (same length, no padding). false if the
    /// algorithm is unavailable or libcrypto fails.
    bool cipher(CipherAlg alg, CipherMode mode, bool decrypt, std::span<const uint8_t> key,
                std::span<const uint8_t> iv, std::span<const uint8_t> in, uint8_t *out);
    /// MD5/SHA-1 plain hash (`key` empty) or HMAC. Writes the digest, returns its length
    /// (16 or 20), 0 on failure.
    size_t mac(bool md5, bool hmac, std::span<const uint8_t> key, std::span<const uint8_t> data,
               uint8_t *out);

  private:
    struct Impl;
    Impl *impl_;
};

} // namespace acrypto::hw::hifn::model
