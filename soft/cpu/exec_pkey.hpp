// SPDX-License-Identifier: Apache-2.0
// cpu device family "pkey": RSA, RSA-PSS, ECDSA/ECDH, X25519, X448 primitives over libcrypto.
#pragma once

#include "family.hpp"

namespace acrypto::soft::cpu {

/**
 * The "pkey" family: one ACRYPTO_OP_PKEY step with libcrypto. The key is DER
 * (PKCS#8 private or SubjectPublicKeyInfo), parsed once per key and thread
 * (ExecCtx key cache). Sign/encrypt/decrypt/derive write dst and out_len;
 * verify returns ACRYPTO_E_VERIFY on mismatch; keygen writes a PKCS#8 DER key
 * (EC: curve from key->curve_nid; RSA: key->bits). Returns enum acrypto_status.
 * Leaves the calling thread's OpenSSL error queue as it found it.
 */
extern const Family kPkeyFamily;

} // namespace acrypto::soft::cpu
