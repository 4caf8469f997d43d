// SPDX-License-Identifier: Apache-2.0
// cpu device family "cipher": AES ECB, CBC, CFB128, OFB, CTR.
#pragma once

#include "family.hpp"

namespace acrypto::soft::cpu {

/// The "cipher" family: AES ECB, CBC, CFB128, OFB, CTR.
extern const Family kCipherFamily;

} // namespace acrypto::soft::cpu
