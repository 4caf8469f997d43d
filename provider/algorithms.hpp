// SPDX-License-Identifier: Apache-2.0
// Algorithm tables: what each operation file contributes to query_operation.
#pragma once

#include <openssl/core.h>

#include <vector>

namespace acrypto::prov {

/// Property definition every acrypto algorithm carries.
inline constexpr const char kPropDefinition[] = "provider=acrypto";

/// AES ECB/CBC/CTR (cipher_aes.cpp).
void append_cipher_algorithms(std::vector<OSSL_ALGORITHM> &out);
/// SHA-1, SHA-224/256/384/512 (digest_sha.cpp).
void append_digest_algorithms(std::vector<OSSL_ALGORITHM> &out);
/// HMAC (mac_hmac.cpp).
void append_mac_algorithms(std::vector<OSSL_ALGORITHM> &out);

} // namespace acrypto::prov
