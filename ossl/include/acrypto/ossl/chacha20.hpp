// SPDX-License-Identifier: Apache-2.0
// ChaCha20's stream position as the library's implementation keeps it, shared by the cpu
// device's session step and kernel and the provider's direct path.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace acrypto::ossl {

inline constexpr uint32_t kChaCha20Block = 64;

/// The little-endian 64-bit value at `p`, in one load.
inline uint64_t load_le64(const uint8_t *p) {
    uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

/// Store `v` at `p` little-endian, in one store.
inline void store_le64(uint8_t *p, uint64_t v) {
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    std::memcpy(p, &v, sizeof v);
}

/**
 * Move a ChaCha20 position on by `bytes` of keystream: `iv` is the 16-byte IV (block
 * counter, then nonce), `num` the bytes used of the current block. The library carries its
 * 32-bit counter word into the nonce's first word, so iv[0..7] advance as one 64-bit
 * little-endian count (wrapping at 2^64, as the library's). iv is read and written as one
 * 8-byte word: a wider read of a counter just stored in pieces would wait for every store
 * before it to leave the store buffer.
 */
inline void chacha20_advance(uint8_t *iv, uint32_t *num, uint64_t bytes) {
    const uint64_t used = uint64_t{*num} + bytes;
    store_le64(iv, load_le64(iv) + used / kChaCha20Block);
    *num = static_cast<uint32_t>(used % kChaCha20Block);
}

} // namespace acrypto::ossl
