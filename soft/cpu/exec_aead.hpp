// SPDX-License-Identifier: Apache-2.0
// cpu device family "aead": AES-GCM, AES-XTS, ChaCha20, ChaCha20-Poly1305 and AES-CMAC over
// libcrypto.
#pragma once

#include "family.hpp"

namespace acrypto::soft::cpu {

/**
 * The "aead" family.
 * AEAD steps are whole messages: iv (iv_len bytes), aad, src -> dst, tag.
 * Encrypt writes tag[0..tag_len) (tag_len 0 means 16). Decrypt with tag_len > 0
 * checks the tag (ACRYPTO_E_VERIFY, dst wiped); decrypt with tag_len == 0 checks
 * nothing and writes the computed 16-byte tag into tag.
 * ChaCha20 (MODE_STREAM) continues a stream through iv (counter|nonce) and num.
 * CMAC needs FIRST|FINAL (one-shot); the MAC goes to dst.
 * Leaves the calling thread's OpenSSL error queue as it found it.
 */
extern const Family kAeadFamily;

} // namespace acrypto::soft::cpu
