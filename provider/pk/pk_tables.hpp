// SPDX-License-Identifier: Apache-2.0
// Algorithm tables provider/pk/ contributes (each defined in the file of its operation).
#pragma once

#include <openssl/core.h>

namespace acrypto::prov::pk {

/// RSA, RSA-PSS, EC, X25519, X448 (keymgmt.cpp).
extern const OSSL_ALGORITHM kKeymgmtAlgorithms[];
/// RSA, ECDSA (signature.cpp).
extern const OSSL_ALGORITHM kSignatureAlgorithms[];
/// RSA (asym_cipher.cpp).
extern const OSSL_ALGORITHM kAsymCipherAlgorithms[];
/// ECDH, X25519, X448 (keyexch.cpp).
extern const OSSL_ALGORITHM kKeyexchAlgorithms[];
/// Device-seeded random generators (rand.cpp).
extern const OSSL_ALGORITHM kRandAlgorithms[];
/// AES-GCM and ChaCha20-Poly1305 (cipher_aead.cpp).
extern const OSSL_ALGORITHM kAeadCipherAlgorithms[];
/// AES-XTS, ChaCha20, DES, 3DES (cipher_plain.cpp).
extern const OSSL_ALGORITHM kPlainCipherAlgorithms[];
/// TLS1-PRF, HKDF, TLS13-KDF (kdf_forward.cpp).
extern const OSSL_ALGORITHM kKdfAlgorithms[];
/// CMAC (mac_cmac.cpp).
extern const OSSL_ALGORITHM kMacAlgorithms[];

} // namespace acrypto::prov::pk
