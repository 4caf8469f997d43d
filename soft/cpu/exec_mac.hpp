// SPDX-License-Identifier: Apache-2.0
// cpu device family "mac": HMAC over SHA-1/SHA-2 with precomputed pads and state continuation.
#pragma once

#include "family.hpp"

namespace acrypto::soft::cpu {

/// The "mac" family: HMAC over SHA-1/SHA-2 with precomputed pads and state continuation.
extern const Family kMacFamily;

} // namespace acrypto::soft::cpu
