// SPDX-License-Identifier: Apache-2.0
// Capability matching: does a device capability cover a route step (and the next)?
#pragma once

#include <cstdint>

#include "acrypto/device.h"

namespace acrypto::sched::detail {

/// Whether `cap` can run `step` alone: op/alg/mode, direction bit, key length
/// range/step, max_input, block multiple and partial digest rules.
bool cap_matches(const acrypto_capability &cap, const acrypto_step &step) noexcept;

/// How many steps from `cur` `cap` takes: 0 (no match), 1, or 2 when the
/// capability is fused and step cur+1 matches its fused_op/alg/mode.
uint32_t cap_steps(const acrypto_capability &cap, const acrypto_session &s, uint32_t cur) noexcept;

/// Best capability of a device for steps from `cur`: fused first. Null if none.
const acrypto_capability *find_cap(const acrypto_capability *caps, uint32_t ncaps,
                                   const acrypto_session &s, uint32_t cur,
                                   uint32_t *nsteps) noexcept;

/// Block size the cipher needs for ACRYPTO_CAP_F_BLOCK_MULTIPLE (1 when not a block cipher).
uint32_t cipher_block(uint32_t alg) noexcept;

} // namespace acrypto::sched::detail
