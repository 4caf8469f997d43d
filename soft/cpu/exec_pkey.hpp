// SPDX-License-Identifier: Apache-2.0
// CPU device family "pkey": RSA, RSA-PSS, ECDSA/ECDH, X25519, X448 primitives over libcrypto.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>

#include "acrypto/device.h"
#include "acrypto/session.h"

namespace acrypto::soft::cpu {

/// Capabilities of the pkey family.
extern const acrypto_capability kPkeyCaps[];
/// Number of entries in kPkeyCaps.
extern const size_t kPkeyCapCount;

/**
 * Run one ACRYPTO_OP_PKEY step with libcrypto in `libctx`. The key is DER
 * (PKCS#8 private or SubjectPublicKeyInfo); parsed keys are cached by key id
 * until pkey_key_free(). Sign/encrypt/decrypt/derive write dst and out_len;
 * verify returns ACRYPTO_E_VERIFY on mismatch; keygen writes a PKCS#8 DER key
 * (EC: curve from key->curve_nid; RSA: key->bits). Returns enum acrypto_status.
 * Thread-safe.
 */
int exec_pkey(OSSL_LIB_CTX *libctx, acrypto_step &step);

/// Forget (and free) the parsed key cached for `key_id`, if any. Any thread.
void pkey_key_free(uint64_t key_id);

/// Free every cached key parsed in `libctx` (call before freeing the libctx).
void pkey_cache_clear(OSSL_LIB_CTX *libctx);

} // namespace acrypto::soft::cpu
