// SPDX-License-Identifier: Apache-2.0
// Doorbell: a futex a worker sleeps on until new work, a flush request or a deadline.
#pragma once

#include <atomic>
#include <cstdint>

namespace acrypto::soft::mb {

/**
 * One sleeper, many ringers. The sleeper announces itself (prepare), re-checks
 * for work, then waits on the sequence number it read; a ring after prepare
 * changes the number, so the wait returns at once and no wake-up is lost.
 * Ringers skip the system call when nobody sleeps, and all but the first when
 * several ring before the sleeper runs again (the first takes the announcement).
 */
class Doorbell {
  public:
    /// Why the sleeper sleeps.
    enum class Mode : uint32_t {
        Awake = 0,
        Idle = 1,   ///< nothing in flight: any new work should wake it
        Linger = 2, ///< a partial batch waits for more work, with a timeout
    };
    /// Sleeper: announce the intent to sleep; returns the sequence to wait on.
    uint32_t prepare(Mode m = Mode::Idle) noexcept;
    /// Sleeper: the re-check found work; do not sleep.
    void cancel() noexcept { waiting_.store(0, std::memory_order_relaxed); }
    /// Sleeper: block until rung (or `timeout_ns` passed, if nonzero).
    void wait(uint32_t seen, uint64_t timeout_ns) noexcept;
    /// Ringer: wake the sleeper if it sleeps or is about to. Never blocks.
    void ring() noexcept;
    /// Whether (and why) the sleeper announced it is (about to be) asleep.
    /// A read-modify-write, paired with the one in prepare(): either the
    /// sleeper's re-check sees work queued before this call, or this call sees
    /// the sleeper (no fence needed, and none that ThreadSanitizer cannot model).
    Mode mode() noexcept {
        return static_cast<Mode>(waiting_.fetch_add(0, std::memory_order_seq_cst));
    }

  private:
    std::atomic<uint32_t> seq_{0};
    std::atomic<uint32_t> waiting_{0};
};

/// CLOCK_MONOTONIC in nanoseconds.
uint64_t now_ns() noexcept;

} // namespace acrypto::soft::mb
