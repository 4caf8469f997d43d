// SPDX-License-Identifier: Apache-2.0
// DesEngine: the model's DES/3DES core, fetched from OpenSSL's own providers in a private libctx.
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw::fastcrypt::model {

/**
 * DES and 3DES-EDE3 in ECB and CBC over whole 8-byte blocks. Uses a private
 * OSSL_LIB_CTX with only OpenSSL's `legacy` (single DES) and `default` (3DES)
 * providers loaded, fetched by explicit property query, so it can never recurse
 * into this project's provider (spec/fastcrypt.md §3.3 step 4). Thread-safe.
 */
class DesEngine {
public:
    DesEngine();
    ~DesEngine();
    DesEngine(const DesEngine &) = delete;
    DesEngine &operator=(const DesEngine &) = delete;

    /// Whether every cipher was fetched (false when the legacy provider is missing).
    bool ok() const noexcept { return ok_; }

    /**
     * Run `len` bytes (multiple of 8) from `in` to `out` (may be equal).
     * `key` is K1|K2|K3 (24 bytes; DES reads only K1); `iv` is 8 bytes (CBC only).
     * Returns false if libcrypto failed.
     */
    bool run(bool triple, bool cbc, bool encrypt, const uint8_t *key, const uint8_t *iv,
             const uint8_t *in, uint8_t *out, size_t len) const;

private:
    struct Impl;
    Impl *impl_ = nullptr;
    bool ok_ = false;
};

} // namespace acrypto::hw::fastcrypt::model
