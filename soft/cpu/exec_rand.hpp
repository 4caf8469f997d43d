// SPDX-License-Identifier: Apache-2.0
// cpu device family "rand": random bytes from getrandom(2).
#pragma once

#include <cstddef>
#include <cstdint>

#include "family.hpp"

namespace acrypto::soft::cpu {

/// The "rand" family: random bytes from getrandom(2).
extern const Family kRandFamily;

/// Fill `buf` from getrandom(2) (blocks only until the kernel pool is seeded). 0 or
/// ACRYPTO_E_DEVICE.
int fill_random(uint8_t *buf, size_t len) noexcept;

} // namespace acrypto::soft::cpu
