// SPDX-License-Identifier: Apache-2.0
// Known-answer self-test of the mb device's job translation on a private manager.
#pragma once

#include <string>

#include "acrypto/soft/mb/arch.hpp"

namespace acrypto::soft::mb {

/// Run the known answers (AES-CBC/CTR/GCM, SHA-256, HMAC-SHA-256, 3DES-CBC) on
/// a fresh manager of code path `a`. 0, or a negative status with the failing
/// vector named in `*why`.
int run_self_test(Arch a, std::string *why);

} // namespace acrypto::soft::mb
