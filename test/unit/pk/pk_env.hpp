// SPDX-License-Identifier: Apache-2.0
// PkEnv: a library context with default and acrypto (built in) for the provider/pk suites.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <string>
#include <vector>

namespace acrypto::test::pk {

using Bytes = std::vector<uint8_t>;

/// Mandatory and value-provider property queries.
inline constexpr const char kAcrypto[] = "provider=acrypto";
inline constexpr const char kDefault[] = "provider=default";

/// A library context loaded from a temporary openssl.cnf activating default and acrypto.
class PkEnv {
  public:
    PkEnv();
    ~PkEnv();
    PkEnv(const PkEnv &) = delete;
    PkEnv &operator=(const PkEnv &) = delete;

    OSSL_LIB_CTX *ctx() const { return ctx_; }
    bool loaded() const { return loaded_; }
    const std::string &load_error() const { return load_error_; }

  private:
    OSSL_LIB_CTX *ctx_ = nullptr;
    std::string path_;
    bool loaded_ = false;
    std::string load_error_;
};

/// The environment shared by every test of the binary (created on first use).
PkEnv &env();

/// Drain the thread's error queue into text.
std::string drain_errors();
/// Random bytes.
Bytes random_bytes(size_t n);

/// `name`= of the acrypto provider's statistics (acrypto-stats), -1 when absent.
long long stat_value(const char *name);
/// Bytes from hex.
Bytes from_hex(const std::string &h);
/// Name of the provider that serves `ctx`'s current operation ("" if none).
std::string op_provider(EVP_PKEY_CTX *ctx);

/// Generate a key with `propq` ("RSA" bits / "EC" group / "X25519"...).
EVP_PKEY *keygen(const char *propq, const char *type, const char *param = nullptr);

} // namespace acrypto::test::pk
