// SPDX-License-Identifier: Apache-2.0
// The mb device's capability table, with rates measured per code path.
#pragma once

#include <vector>

#include "acrypto/device.h"
#include "acrypto/soft/mb/arch.hpp"

namespace acrypto::soft::mb {

/// Capabilities of one mb instance with `workers` workers on code path `a`.
std::vector<acrypto_capability> make_capabilities(Arch a, uint32_t workers);

} // namespace acrypto::soft::mb
