// SPDX-License-Identifier: Apache-2.0
// AES key schedules in the layout ACE reads with keygen=1 (spec §3.2), and control-word builders.
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw::padlock {

/// Rounds for a 16/24/32-byte key, 0 for any other length.
uint32_t aes_rounds(size_t key_len);

/// Forward schedule: round key r is the 16 bytes XORed into the state, at out + 16*r
/// (FIPS-197 byte order). Writes 16*(rounds+1) bytes. key_len must be 16, 24 or 32.
void aes_expand_forward(const uint8_t *key, size_t key_len, uint8_t *out);

/// "Equivalent inverse cipher" schedule, first-used first: rk0 = forward rk(Nr),
/// rk(i) = InvMixColumns(forward rk(Nr-i)), rk(Nr) = forward rk0.
void aes_expand_decrypt(const uint8_t *key, size_t key_len, uint8_t *out);

/// MixColumns on one 16-byte round key (the inverse of the step used for decrypt schedules).
void aes_mix_columns(const uint8_t in[16], uint8_t out[16]);
/// InvMixColumns on one 16-byte round key.
void aes_inv_mix_columns(const uint8_t in[16], uint8_t out[16]);

/// First dword of an ACE control word (spec §3.1): rounds, keygen, direction, key size.
uint32_t make_control_word(size_t key_len, bool keygen, bool decrypt);

/// Overwrites memory the compiler may not elide (key material, bounce buffers).
void secure_wipe(void *p, size_t len);

} // namespace acrypto::hw::padlock
