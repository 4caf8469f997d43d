// SPDX-License-Identifier: Apache-2.0
// CPU device family "legacy": DES-CBC/ECB and DES-EDE3 (3DES) ECB/CBC over libcrypto.
#pragma once

#include <openssl/types.h>

#include <cstddef>

#include "acrypto/device.h"
#include "acrypto/session.h"

namespace acrypto::soft::cpu {

/// Capabilities of the legacy family.
extern const acrypto_capability kLegacyCaps[];
/// Number of entries in kLegacyCaps.
extern const size_t kLegacyCapCount;

/**
 * Run one DES / DES-EDE3 step (no padding: src_len is a multiple of 8). CBC
 * writes the last ciphertext block back into iv for the next chunk. Single DES
 * runs as DES-EDE3 with K|K|K, which needs no legacy provider. Returns enum
 * acrypto_status. Thread-safe.
 */
int exec_legacy(OSSL_LIB_CTX *libctx, acrypto_step &step);

} // namespace acrypto::soft::cpu
