// SPDX-License-Identifier: Apache-2.0
// cpu device family "legacy": DES-CBC/ECB and DES-EDE3 (3DES) ECB/CBC over libcrypto.
#pragma once

#include "family.hpp"

namespace acrypto::soft::cpu {

/**
 * The "legacy" family: one DES / DES-EDE3 step (no padding: src_len is a multiple of 8). CBC
 * writes the last ciphertext block back into iv for the next chunk. Single DES
 * runs as DES-EDE3 with K|K|K, which needs no legacy provider.
 */
extern const Family kLegacyFamily;

} // namespace acrypto::soft::cpu
