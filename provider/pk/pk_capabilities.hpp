// SPDX-License-Identifier: Apache-2.0
// Provider capabilities provider/pk/ answers: TLS-GROUP for the key exchange groups acrypto serves.
#pragma once

#include <openssl/core.h>

extern "C" {

/**
 * OSSL_FUNC_PROVIDER_GET_CAPABILITIES for acrypto's groups: calls `cb` once per
 * TLS group (x25519, x448, secp256r1, secp384r1, secp521r1) when `capability`
 * is "TLS-GROUP"; returns 1 (0 only when `cb` fails). libssl (3.0) uses a group
 * only if the keymgmt its property query fetches comes from the provider that
 * declared the group, so with provider=acrypto nothing but these groups exist.
 * The provider's get_capabilities dispatch entry should call this.
 */
int acrypto_pk_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb,
                                void *arg);

} // extern "C"
