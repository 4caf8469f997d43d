// SPDX-License-Identifier: Apache-2.0
// cpu device family "cipher": AES ECB, CBC, CFB128, OFB, CTR.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>

#include "family.hpp"

namespace acrypto::soft::cpu {

/// The "cipher" family: AES ECB, CBC, CFB128, OFB, CTR.
extern const Family kCipherFamily;

/// A keyed context and the chaining state it is at, so the hot path can skip
/// re-initialising it (EVP_CipherInit_ex2 costs several times the cipher on one block).
struct Keyed {
    EVP_CIPHER_CTX *ctx = nullptr;
    uint8_t chain[16] = {0}; ///< CBC: the context's IV; CTR: its next counter block
    uint32_t num = 0;        ///< CTR: keystream bytes used in the context's block
    bool known = false;      ///< chain/num describe the context
};

/// Key `ctx` for AES `mode` (enum acrypto_mode) with `cipher`, padding off, zero IV.
bool aes_key_ctx(EVP_CIPHER_CTX *ctx, EVP_CIPHER *cipher, uint32_t mode, const uint8_t *key,
                 bool enc);
/// AES over `n` bytes (src == dst or disjoint) with a keyed context; iv and num
/// in and out as a session step carries them (acrypto_step). ECB/CBC: n is a
/// nonzero block multiple. enum acrypto_status.
int aes_ecb(Keyed &k, const uint8_t *src, uint8_t *dst, size_t n);
int aes_cbc(Keyed &k, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv, bool enc);
int aes_ctr(Keyed &k, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv, uint32_t *num,
            bool enc);

} // namespace acrypto::soft::cpu
