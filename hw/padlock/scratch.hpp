// SPDX-License-Identifier: Apache-2.0
// Per-thread aligned operand memory: bounce buffer with prefetch slack, key, IV, PHE state, RNG.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "isa.hpp"
#include "regs.hpp"

namespace acrypto::hw::padlock {

/// Everything an instruction reads or writes besides session buffers. Page-aligned, so the
/// bounce buffer's over-read (§4.2) stays inside this object.
struct alignas(regs::PAGE) Scratch {
    static constexpr size_t kBounceBytes = regs::PAGE;
    uint8_t bounce[kBounceBytes];
    uint8_t bounce_slack[regs::PREFETCH_MAX]; ///< read by the engine's prefetch, never used
    alignas(256) uint8_t sched[regs::KEY_SCHEDULE_BYTES]; ///< raw key or keygen=1 schedule
    alignas(16) uint8_t cword[regs::CONTROL_WORD_BYTES];
    alignas(16) uint8_t iv[16];
    alignas(16) uint8_t blk_in[16];
    alignas(16) uint8_t blk_out[16];
    alignas(128) uint8_t phe_state[regs::PHE_STATE_BYTES];
    alignas(128) uint8_t pad[2 * regs::SHA512_BLOCK];
    alignas(16) uint8_t rng[64];
    uint32_t cword_main = 0; ///< control word of the step's own mode and direction
    uint32_t cword_enc = 0;  ///< forward-cipher control word (tails, keystream blocks)
    bool bounce_dirty = false;

    /// Wipes key material, chaining values and (if used) the bounce buffer.
    void wipe();
};

/// Owns one Scratch and declares it to the instruction layer for its lifetime.
class ScratchHolder {
  public:
    explicit ScratchHolder(Isa &isa);
    ~ScratchHolder();
    ScratchHolder(const ScratchHolder &) = delete;
    ScratchHolder &operator=(const ScratchHolder &) = delete;
    Scratch &get() { return *s_; }

  private:
    Isa &isa_;
    Scratch *s_;
};

} // namespace acrypto::hw::padlock
