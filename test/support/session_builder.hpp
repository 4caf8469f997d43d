// SPDX-License-Identifier: Apache-2.0
// OwnedSession and builders: a session with its steps, keys and buffers, for device tests.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "acrypto/session.h"

namespace acrypto::test {

using Bytes = std::vector<uint8_t>;

/// Where a step's buffers sit: in place or apart, and how far off alignment.
struct BufferLayout {
    bool in_place = false; ///< src == dst (ACRYPTO_STEP_F_INPLACE)
    size_t src_offset = 0; ///< bytes past a 64-byte boundary where src starts
    size_t dst_offset = 0; ///< same for dst (ignored in place)
    size_t dst_extra = 0;  ///< room at dst beyond what the operation writes
};

/**
 * A session that owns everything it points at: steps, key contexts and their
 * bytes, src/dst/aad buffers. Not movable (the C structs point into it): held
 * by unique_ptr. Key ids are unique in the process and never reused.
 */
struct OwnedSession {
    acrypto_session s{};
    std::array<acrypto_step, ACRYPTO_MAX_STEPS> steps{};
    std::array<acrypto_key, ACRYPTO_MAX_STEPS> keys{};
    std::array<Bytes, ACRYPTO_MAX_STEPS> key_bytes;
    std::array<Bytes, ACRYPTO_MAX_STEPS> src_buf; ///< backing storage (src at src_off)
    std::array<Bytes, ACRYPTO_MAX_STEPS> dst_buf; ///< backing storage (dst at dst_off)
    std::array<size_t, ACRYPTO_MAX_STEPS> src_off{};
    std::array<size_t, ACRYPTO_MAX_STEPS> dst_off{};
    std::array<Bytes, ACRYPTO_MAX_STEPS> aad_buf;
    std::array<Bytes, ACRYPTO_MAX_STEPS> other_buf; ///< pk.other backing

    OwnedSession();
    ~OwnedSession();
    OwnedSession(const OwnedSession &) = delete;
    OwnedSession &operator=(const OwnedSession &) = delete;

    acrypto_session *get() noexcept { return &s; }
    acrypto_step &step(uint32_t i = 0) noexcept { return steps[i]; }
    /// Bytes the device wrote to step i's dst (out_len of them).
    std::span<const uint8_t> output(uint32_t i = 0) const;
    /// Copy of output(i).
    Bytes output_bytes(uint32_t i = 0) const {
        auto o = output(i);
        return Bytes(o.begin(), o.end());
    }
    /// Replace step i's input with `input` (same layout rules as the builder);
    /// resets out_len. Used to feed the next chunk of a message.
    void set_input(uint32_t i, std::span<const uint8_t> input, const BufferLayout &layout = {},
                   size_t dst_len = SIZE_MAX);
    /// Give step i a fresh key context (new id) holding `key`.
    void set_key(uint32_t i, uint32_t alg, std::span<const uint8_t> key);
    /// Set the AEAD additional data of step i (owned copy).
    void set_aad(uint32_t i, std::span<const uint8_t> aad);
    /// Append a step (route) and return it; nsteps grows.
    acrypto_step &add_step();
};

/// A new process-unique key id.
uint64_t next_key_id();

/// Digest size in bytes of an ACRYPTO_ALG_SHA*/MD5 value, 0 if not a digest.
size_t digest_size(uint32_t alg);
/// Chaining-state size in bytes (FIPS 180 words) of a digest, 0 if not a digest.
size_t digest_state_size(uint32_t alg);
/// Digest block size in bytes (64 or 128), 0 if not a digest.
size_t digest_block_size(uint32_t alg);
/// Cipher block size in bytes (16 AES, 8 DES, 1 ChaCha20).
size_t cipher_block_size(uint32_t alg);

/// A one-step cipher session. dst gets room for input.size() (+ layout.dst_extra).
std::unique_ptr<OwnedSession> make_cipher(uint32_t alg, uint32_t mode, uint32_t dir,
                                          std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                          std::span<const uint8_t> input,
                                          const BufferLayout &layout = {});
/// A one-step AEAD session (GCM, ChaCha20-Poly1305). On decrypt, `tag` is checked.
std::unique_ptr<OwnedSession>
make_aead(uint32_t alg, uint32_t mode, uint32_t dir, std::span<const uint8_t> key,
          std::span<const uint8_t> iv, std::span<const uint8_t> aad, std::span<const uint8_t> input,
          std::span<const uint8_t> tag, uint32_t tag_len, const BufferLayout &layout = {});
/// A one-step digest session; `flags` FIRST|FINAL by default (one-shot).
std::unique_ptr<OwnedSession> make_digest(uint32_t alg, std::span<const uint8_t> input,
                                          uint32_t flags = ACRYPTO_STEP_F_FIRST |
                                                           ACRYPTO_STEP_F_FINAL,
                                          const BufferLayout &layout = {});
/// A one-step HMAC session over digest `digest_alg`.
std::unique_ptr<OwnedSession>
make_hmac(uint32_t digest_alg, std::span<const uint8_t> key, std::span<const uint8_t> input,
          uint32_t flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL,
          const BufferLayout &layout = {});
/// A one-step CMAC session over cipher `cipher_alg` (AES).
std::unique_ptr<OwnedSession> make_cmac(uint32_t cipher_alg, std::span<const uint8_t> key,
                                        std::span<const uint8_t> input,
                                        const BufferLayout &layout = {});
/// A one-step random-bytes session writing `len` bytes.
std::unique_ptr<OwnedSession> make_rand(size_t len, const BufferLayout &layout = {});

/// Deterministic pseudo-random bytes (xorshift from `seed`), for test inputs.
Bytes pattern_bytes(size_t n, uint64_t seed);
/// Parse hex ("" -> empty). Throws std::invalid_argument on bad input.
Bytes from_hex(std::string_view hex);
/// Lowercase hex.
std::string to_hex(std::span<const uint8_t> b);

} // namespace acrypto::test
