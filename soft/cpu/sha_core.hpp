// SPDX-License-Identifier: Apache-2.0
// ShaCtx: libcrypto's SHA-1/SHA-2 block functions with the chaining value exposed (FIPS 180).
#pragma once

#include <cstddef>
#include <cstdint>

#include "acrypto/session.h"

namespace acrypto::soft::cpu {

/// Sizes of one SHA variant.
struct ShaInfo {
    uint32_t alg;      ///< enum acrypto_alg
    size_t digest_len; ///< output bytes
    size_t state_len;  ///< chaining value bytes (FIPS 180 words, big-endian)
    size_t block_len;  ///< message block bytes
};

/// ShaInfo for a digest algorithm, or nullptr (unsupported).
const ShaInfo *sha_info(uint32_t alg) noexcept;

/**
 * One running hash over libcrypto's low-level SHA*_CTX (no provider dispatch:
 * the leanest path libcrypto offers for a digest). Trivially copyable, so a
 * precomputed HMAC pad state is copied, not recomputed.
 */
class ShaCtx {
  public:
    /// Start a fresh message. False for an unsupported algorithm.
    bool init(uint32_t alg) noexcept;
    /// Resume from a chaining value after `absorbed` bytes (a multiple of the block).
    bool load(uint32_t alg, const uint8_t *state, uint64_t absorbed) noexcept;
    void update(const uint8_t *p, size_t n) noexcept;
    /// Write the digest (digest_len bytes) and wipe the context.
    void final(uint8_t *out) noexcept;
    /// Copy the chaining value (state_len bytes, big-endian words). Only at a block boundary.
    void store(uint8_t *state) const noexcept;
    /// Wipe.
    void wipe() noexcept;
    const ShaInfo *info() const noexcept { return info_; }

  private:
    const ShaInfo *info_ = nullptr;
    alignas(16) unsigned char u_[256];
};

} // namespace acrypto::soft::cpu
