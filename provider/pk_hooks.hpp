// SPDX-License-Identifier: Apache-2.0
// Hook through which provider/pk/ adds public-key, AEAD, KDF, RAND and extra cipher/MAC algorithms.
#pragma once

#include <openssl/core.h>

extern "C" {

/**
 * Algorithms provider/pk/ implements for `operation_id` (OSSL_OP_KEYMGMT,
 * OSSL_OP_SIGNATURE, OSSL_OP_ASYM_CIPHER, OSSL_OP_KEYEXCH, OSSL_OP_RAND,
 * OSSL_OP_KDF, and extras for OSSL_OP_CIPHER / OSSL_OP_MAC), terminated by a
 * {NULL} entry; nullptr when none. Static data: called once per operation id
 * and the result is concatenated with the provider's own table. Every entry must
 * carry "provider=acrypto". The provider core holds a weak default returning nullptr.
 */
const OSSL_ALGORITHM *acrypto_pk_query(int operation_id);

/**
 * OSSL_FUNC_PROVIDER_GET_CAPABILITIES answered by provider/pk/ (TLS-GROUP for the
 * groups it serves). Returns 1, or 0 when `cb` fails. The provider core holds a
 * weak default that declares nothing.
 */
int acrypto_pk_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb,
                                void *arg);

} // extern "C"
