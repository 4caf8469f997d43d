// SPDX-License-Identifier: Apache-2.0
// Command-buffer encoding and result-record checking for HIFN 795x (spec §4, §7.7).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace acrypto::hw::hifn {

/// What one command asks of the chip. Lengths are bytes; keys are sent every time.
struct CommandSpec {
    bool crypt = false;
    bool mac = false;
    bool decode = false;              ///< decrypt (and MAC before decrypting)
    uint16_t crypt_alg = 0;           ///< regs::HIFN_CRYPT_CMD_ALG_*
    uint16_t crypt_mode = 0;          ///< regs::HIFN_CRYPT_CMD_MODE_*
    std::span<const uint8_t> key;     ///< cipher key (8, 24, 16/24/32 bytes)
    std::span<const uint8_t> iv;      ///< empty for ECB
    bool mac_md5 = false;             ///< MD5 (else SHA-1)
    bool mac_hmac = false;            ///< HMAC (else plain hash)
    std::span<const uint8_t> mac_key; ///< HMAC key, at most 64 bytes (zero padded)
    uint32_t src_len = 0;             ///< total source bytes
    uint32_t dst_len = 0;             ///< total destination bytes posted (multiple of 4)
    uint16_t session = 0;             ///< context slot
    bool send_key = true;             ///< false: the chip uses the key cached in `session`
    bool send_mac_key = true;         ///< false: the chip uses the HMAC key cached in `session`
};

/// Where the sections of this command's result record sit (§4.6).
struct ResultLayout {
    uint32_t mac_flags = 0;   ///< offset of the MAC result word, or 0 when no MAC
    uint32_t mac = 0;         ///< offset of the MAC bytes
    uint32_t mac_len = 0;     ///< 16 (MD5) or 20 (SHA-1), 0 without MAC
    uint32_t crypt_flags = 0; ///< offset of the crypt result word, 0 when no crypt
    uint32_t size = 0;        ///< bytes the chip writes
};

/// Largest command encode_command() can produce (regs::HIFN_MAX_COMMAND).
inline constexpr size_t kMaxCommandBytes = 348;
/// Result buffer every slot gets, bytes (base 8 + MAC 4 + 20 + crypt 4).
inline constexpr uint32_t kResultBytes = 36;

/// Encode `spec` into `out` (room for kMaxCommandBytes); returns the byte count,
/// 0 when the spec is impossible (key size, lengths above 18 bits).
size_t encode_command(const CommandSpec &spec, uint8_t *out);

/// Result layout computed from the command the driver built, never from device data.
ResultLayout result_layout(const CommandSpec &spec);

/// What a result record says, after validation.
enum class ResultStatus {
    Ok,
    DstOverrun,   ///< base DSTOVERRUN: the chip ran out of destination
    CommandError, ///< the chip refused the command (CMDINVAL / DATAERR reported in the flags)
    SourceLeft,   ///< SRC_NOTZERO or a non-zero source residual
    MacError,     ///< MISCOMPARE
    Hostile       ///< impossible values: reserved bits, residual above what was posted
};

/// Outcome of check_result.
struct ResultCheck {
    ResultStatus status = ResultStatus::Hostile;
    uint32_t out_len = 0; ///< destination bytes written (posted - residual)
};

/**
 * Validate the record `rec` (exactly `rec_len` readable bytes: the slot's result
 * buffer) for a command built from `spec`. `out_min`..`out_max` is the range of
 * output lengths the operation can legitimately produce.
 */
ResultCheck check_result(const CommandSpec &spec, std::span<const uint8_t> rec, uint32_t out_min,
                         uint32_t out_max);

/// 32-bit words per ring descriptor (control word, then buffer address).
inline constexpr uint32_t kDescWords = 2;

/// One descriptor ring as the reaper sees it, all driver-owned except the control words.
struct RingView {
    std::span<const uint32_t> words; ///< ring memory: kDescWords words per descriptor
    uint32_t n = 0;                  ///< usable entries (entry n is the jump descriptor)
    uint32_t cons = 0;               ///< the driver's consumer index
};

/// Outcome of check_ring_done / check_packet_done.
enum class RingCheck : uint8_t {
    Done,       ///< every descriptor of the packet has VALID clear
    StillValid, ///< the chip still owns one: the result was not produced by this packet
    BadIndex    ///< the driver's index or count does not fit the ring (never read past it)
};

/// Whether the `count` descriptors from `r.cons` (wrapping at `r.n`) all have VALID clear.
/// Reads only words[0 .. n*kDescWords); BadIndex when cons >= n, count > n or words is short.
RingCheck check_ring_done(const RingView &r, uint32_t count) noexcept;

/**
 * Completion order of one packet (§3.4): its command descriptor, `nsrc` source and `ndst`
 * destination descriptors must all be done before its result record counts. The first
 * failing ring decides.
 */
RingCheck check_packet_done(const RingView &cmd, const RingView &src, uint32_t nsrc,
                            const RingView &dst, uint32_t ndst) noexcept;

} // namespace acrypto::hw::hifn
