// SPDX-License-Identifier: Apache-2.0
// CPU device family "aead": AES-GCM, AES-XTS, ChaCha20, ChaCha20-Poly1305 and AES-CMAC over libcrypto.
#pragma once

#include <openssl/types.h>

#include <cstddef>

#include "acrypto/device.h"
#include "acrypto/session.h"

namespace acrypto::soft::cpu {

/// Capabilities of the aead family (GCM, XTS, ChaCha20, ChaCha20-Poly1305, CMAC).
extern const acrypto_capability kAeadCaps[];
/// Number of entries in kAeadCaps.
extern const size_t kAeadCapCount;

/**
 * Run one step of the aead family with libcrypto in `libctx`.
 * AEAD steps are whole messages: iv (iv_len bytes), aad, src -> dst, tag.
 * Encrypt writes tag[0..tag_len) (tag_len 0 means 16). Decrypt with tag_len > 0
 * checks the tag (ACRYPTO_E_VERIFY, dst wiped); decrypt with tag_len == 0 checks
 * nothing and writes the computed 16-byte tag into tag.
 * ChaCha20 (MODE_STREAM) continues a stream through iv (counter|nonce) and num.
 * CMAC needs FIRST|FINAL (one-shot); the MAC goes to dst.
 * Returns enum acrypto_status. Thread-safe; no shared mutable state.
 */
int exec_aead(OSSL_LIB_CTX *libctx, acrypto_step &step);

} // namespace acrypto::soft::cpu
