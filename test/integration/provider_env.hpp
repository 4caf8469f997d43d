// SPDX-License-Identifier: Apache-2.0
// ProviderEnv: a library context with acrypto (built-in) and default loaded from a test
// openssl.cnf.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace acrypto::test {

/// Bytes from hex ("" is empty).
std::vector<uint8_t> hex(const std::string &h);
/// Random bytes from libcrypto's default DRBG.
std::vector<uint8_t> random_bytes(size_t n);

/// A library context whose openssl.cnf activates default and acrypto (built in)
/// with `acrypto_keys` (lines "key = value") in acrypto's section.
class ProviderEnv {
  public:
    explicit ProviderEnv(const std::string &acrypto_keys = "",
                         const std::string &extra_sections = "");
    ~ProviderEnv();
    ProviderEnv(const ProviderEnv &) = delete;
    ProviderEnv &operator=(const ProviderEnv &) = delete;

    OSSL_LIB_CTX *ctx() const { return ctx_; }
    /// True when acrypto loaded and activated.
    bool loaded() const { return loaded_; }
    /// What loading left on the error queue (empty when it loaded).
    const std::string &load_error() const { return load_error_; }
    /// acrypto's "acrypto-stats" provider parameter.
    std::string stats() const;
    /// A counter from stats() ("name=value" line), or -1 if absent.
    long long stat(const std::string &name) const;

  private:
    OSSL_LIB_CTX *ctx_ = nullptr;
    std::string path_;
    bool loaded_ = false;
    std::string load_error_;
};

/// Drain the thread's error queue into a string (empty: no error).
std::string drain_errors();

/// Encrypt or decrypt `in` in one EVP update+final (or streamed in `chunks` sizes, cycling).
bool evp_cipher(OSSL_LIB_CTX *ctx, const char *alg, const char *propq, bool enc,
                const std::vector<uint8_t> &key, const std::vector<uint8_t> &iv,
                const std::vector<uint8_t> &in, std::vector<uint8_t> &out, bool pad = true,
                const std::vector<size_t> &chunks = {});
/// Digest `in`, streamed in `chunks` sizes (cycling) or in one update.
bool evp_digest(OSSL_LIB_CTX *ctx, const char *alg, const char *propq,
                const std::vector<uint8_t> &in, std::vector<uint8_t> &out,
                const std::vector<size_t> &chunks = {});
/// HMAC over `digest`, streamed like evp_digest.
bool evp_hmac(OSSL_LIB_CTX *ctx, const char *digest, const char *propq,
              const std::vector<uint8_t> &key, const std::vector<uint8_t> &in,
              std::vector<uint8_t> &out, const std::vector<size_t> &chunks = {});

/// Plugin folder of this build (device plugins).
const char *plugin_dir();

} // namespace acrypto::test
