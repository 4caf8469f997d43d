// SPDX-License-Identifier: Apache-2.0
// Counters and latency histograms kept by the scheduler: whole-scheduler, per device,
// per algorithm and priority.
#pragma once

#include <atomic>
#include <cstdint>

#include "acrypto/sched/stats.hpp"
#include "acrypto/session.h"

namespace acrypto::sched::detail {

/// Relaxed counter.
struct Counter {
    std::atomic<uint64_t> v{0};
    void add(uint64_t n = 1) noexcept { v.fetch_add(n, std::memory_order_relaxed); }
    void sub(uint64_t n = 1) noexcept { v.fetch_sub(n, std::memory_order_relaxed); }
    uint64_t get() const noexcept { return v.load(std::memory_order_relaxed); }
};

/// Latency histogram: log2 buckets of nanoseconds (latency_bucket()), relaxed
/// atomics, no lock: two relaxed adds per sample. The sample count is the sum of
/// the buckets, so a reader never sees more samples than bucketed ones.
struct LatencyHist {
    std::atomic<uint64_t> bucket[kLatencyBuckets] = {};
    Counter sum_ns;
    void record(uint64_t ns) noexcept {
        bucket[latency_bucket(ns)].fetch_add(1, std::memory_order_relaxed);
        sum_ns.add(ns);
    }
};

/// Whether this submit is one of the 1-in-`every` timed for the latency histograms:
/// a per-thread xorshift draw (no shared state, no pattern in the submits can bias it).
inline bool latency_sampled(uint32_t every) noexcept {
    if (every <= 1) return every == 1;
    static thread_local uint64_t x = 0;
    if (!x) x = reinterpret_cast<uintptr_t>(&x) | 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (((x >> 32) * every) >> 32) == 0;
}

/// Algorithm slots for per-algorithm stats (enum acrypto_alg values are < 64).
inline constexpr uint32_t kAlgSlots = 64;

/// Whole-scheduler counters.
struct CoreCounters {
    Counter submitted; ///< accepted by submit()
    Counter completed; ///< finished OK
    Counter failed;    ///< finished with an error
    Counter busy;      ///< submit() refused with Busy
    Counter unsupported;
    Counter bound; ///< refused or failed because the bound device was unavailable
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
    /// Submit -> successful completion, by priority and by the first step's algorithm.
    LatencyHist prio_latency[ACRYPTO_PRIO_MAX + 1];
    LatencyHist alg_latency[kAlgSlots];

    /// A session submitted at `submit_ns` completed OK at `now` (both mono_ns).
    void record_latency(uint32_t prio, const acrypto_session &s, uint64_t submit_ns,
                        uint64_t now) noexcept {
        if (!submit_ns) return;
        const uint64_t ns = now > submit_ns ? now - submit_ns : 0;
        prio_latency[prio > ACRYPTO_PRIO_MAX ? ACRYPTO_PRIO_MAX : prio].record(ns);
        if (s.nsteps && s.steps) alg_latency[s.steps[0].alg % kAlgSlots].record(ns);
    }
};

/// Per-device counters.
struct DeviceCounters {
    Counter enqueued;
    Counter dequeued;
    Counter completed; ///< hand-overs completed OK
    Counter failed;    ///< hand-overs completed with an error
    Counter duplicates;
    Counter bytes;
    Counter broken; ///< times declared broken
    Counter inline_runs;
    LatencyHist service; ///< hand-over (dequeue) -> successful completion on this device
};

} // namespace acrypto::sched::detail
