// SPDX-License-Identifier: Apache-2.0
// cpu device family "digest": SHA-1 and SHA-2 digests with FIPS 180 state continuation.
#pragma once

#include "family.hpp"

namespace acrypto::soft::cpu {

/// The "digest" family: SHA-1 and SHA-2 digests with FIPS 180 state continuation.
extern const Family kDigestFamily;

} // namespace acrypto::soft::cpu
