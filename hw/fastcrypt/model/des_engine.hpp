// SPDX-License-Identifier: Apache-2.0
// DesEngine: the model's DES/3DES core (libcrypto's own DES primitives, no provider involved).
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw::fastcrypt::model {

/**
 * DES and 3DES-EDE3 in ECB and CBC over whole 8-byte blocks, computed with
 * libcrypto's DES block primitives. They never fetch through a provider, so the
 * model can never recurse into this project's provider (spec/fastcrypt.md §3.3
 * step 4), and they never enter OPENSSL_init_crypto. That matters: a device is
 * opened (and self-tested through the model's thread) while the provider is being
 * activated from openssl.cnf, i.e. inside libcrypto's configuration once; an EVP
 * call on the model thread would block on that once while the opener waits for
 * the model: a deadlock. Stateless and thread-safe.
 */
class DesEngine {
  public:
    /// Always usable (kept for the model's start-up check).
    bool ok() const noexcept { return true; }

    /**
     * Run `len` bytes (multiple of 8) from `in` to `out` (may be equal).
     * `key` is K1|K2|K3 (24 bytes; DES reads only K1); `iv` is 8 bytes (CBC only).
     * Returns false on a bad length.
     */
    bool run(bool triple, bool cbc, bool encrypt, const uint8_t *key, const uint8_t *iv,
             const uint8_t *in, uint8_t *out, size_t len) const;
};

} // namespace acrypto::hw::fastcrypt::model
