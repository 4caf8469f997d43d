// SPDX-License-Identifier: Apache-2.0
// Portable SHA-256 for the RNG conditioner (the driver links nothing but the C ABI).
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw::padlock {

/// FIPS 180-4 SHA-256 of `len` bytes.
void sha256_sw(const uint8_t *p, size_t len, uint8_t out[32]);

} // namespace acrypto::hw::padlock
