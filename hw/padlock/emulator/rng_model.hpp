// SPDX-License-Identifier: Apache-2.0
// The emulated xstore noise source: a seeded DRBG plus fault injection (spec §9.1 item 8).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>

namespace acrypto::hw::padlock::emu {

/// Injectable RNG faults.
enum class RngFault {
    None,
    Stuck,        ///< every byte the same value
    StuckBits,    ///< bits 7:2 stuck at 1: four values, far below the claimed entropy
    NotReady,     ///< status count 0 forever
    Bias,         ///< status reports DC bias (bits 12:10)
    FilterFailed, ///< status reports the string filter failed (bits 15:14)
    RawBits,      ///< status reports the whitener bypassed (bit 13)
    Disabled,     ///< status bit 6 (enabled) clear
    BadCount      ///< status count differs from the divisor's
};

/// Configuration name of a fault ("stuck", "not-ready", ...).
const char *rng_fault_name(RngFault f);
/// Parses a configuration name.
std::optional<RngFault> parse_rng_fault(std::string_view name);

/// RNG construction options.
struct RngOptions {
    std::optional<uint64_t> seed; ///< deterministic stream; unset = seeded from the OS
    RngFault fault = RngFault::None;
    bool two_sources = true;
};

/// Noise source model: AES-256-CTR keystream keyed by SHA-256(seed). Thread-safe.
class RngModel {
  public:
    explicit RngModel(const RngOptions &opts);
    ~RngModel();
    RngModel(const RngModel &) = delete;
    RngModel &operator=(const RngModel &) = delete;
    /// Writes `len` bytes (faults applied) and returns the status word for `valid` bytes.
    uint32_t produce(uint8_t *out, size_t len, size_t valid);
    void set_fault(RngFault f);
    RngFault fault() const;

  private:
    void refill();
    mutable std::mutex mu_;
    RngFault fault_;
    bool two_sources_;
    uint8_t key_[32];
    uint8_t ctr_[16];
    uint8_t buf_[16];
    size_t used_ = 16;
};

} // namespace acrypto::hw::padlock::emu
