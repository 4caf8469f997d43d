// SPDX-License-Identifier: Apache-2.0
// Counters kept by the scheduler: whole-scheduler, per device, per algorithm and priority.
#pragma once

#include <atomic>
#include <cstdint>

#include "acrypto/session.h"

namespace acrypto::sched::detail {

/// Relaxed counter.
struct Counter {
    std::atomic<uint64_t> v{0};
    void add(uint64_t n = 1) noexcept { v.fetch_add(n, std::memory_order_relaxed); }
    void sub(uint64_t n = 1) noexcept { v.fetch_sub(n, std::memory_order_relaxed); }
    uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

/// Algorithm slots for per-algorithm stats (enum acrypto_alg values are < 64).
inline constexpr uint32_t kAlgSlots = 64;

/// Whole-scheduler counters.
struct CoreCounters {
    Counter submitted;  ///< accepted by submit()
    Counter completed;  ///< finished OK
    Counter failed;     ///< finished with an error
    Counter busy;       ///< submit() refused with Busy
    Counter unsupported;
    Counter bound;      ///< refused or failed because the bound device was unavailable
    Counter inline_runs;
    Counter inline_failed;
    Counter duplicates; ///< completions for sessions the device did not hold
    Counter retries;    ///< sessions re-placed after a device fault
    Counter rehashed;   ///< sessions taken back from a broken device's queue
    Counter routed;     ///< follow-on route steps placed
    Counter fused;      ///< hand-overs that carried two steps
    Counter shutdown;   ///< sessions finished by shutdown
    Counter prio_submitted[ACRYPTO_PRIO_MAX + 1];
    Counter prio_completed[ACRYPTO_PRIO_MAX + 1];
    Counter alg_steps[kAlgSlots];  ///< steps completed OK per algorithm
    Counter alg_bytes[kAlgSlots];  ///< input bytes of those steps
    Counter alg_failed[kAlgSlots]; ///< failed sessions by the failing step's algorithm
};

/// Per-device counters.
struct DeviceCounters {
    Counter enqueued;
    Counter dequeued;
    Counter completed; ///< hand-overs completed OK
    Counter failed;    ///< hand-overs completed with an error
    Counter duplicates;
    Counter bytes;
    Counter broken;    ///< times declared broken
    Counter inline_runs;
};

} // namespace acrypto::sched::detail
