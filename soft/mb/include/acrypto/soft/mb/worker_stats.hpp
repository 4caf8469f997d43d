// SPDX-License-Identifier: Apache-2.0
// WorkerStats: counters one worker writes and anyone reads (no shared cache line on the hot path).
#pragma once

#include <atomic>
#include <cstdint>

namespace acrypto::soft::mb {

/// Counter indices; names in kWorkerStatNames (same order).
enum class WorkerStat : uint8_t {
    Sessions,       ///< sessions completed by this worker
    Errors,         ///< of which with a status other than OK
    VerifyFailures, ///< AEAD tags that did not verify
    Bytes,          ///< input bytes of completed sessions
    Jobs,           ///< intel-ipsec-mb jobs submitted
    Batch1,         ///< lane fill: jobs in the manager when a submit/flush returned work: 1
    Batch2To3,      ///< ... 2-3
    Batch4To7,      ///< ... 4-7
    Batch8To15,     ///< ... 8-15 (AVX2/AVX/SSE AES-CBC lanes are full at 8)
    Batch16Up,      ///< ... 16 or more (AVX-512 lanes are full at 16)
    FlushIdle,      ///< partial batches flushed because no more work was queued
    FlushDeadline,  ///< partial batches flushed because a session's latency budget expired
    FlushRequested, ///< flushes asked for through flush_fn
    FlushFull,      ///< flushes forced because the worker's ring was full
    FlushWaits,     ///< times the worker lingered with a partial batch for more work
    WaitNs,         ///< total ns sessions spent in the device (admission to completion)
    WaitMaxNs,      ///< largest such wait
    Sleeps,         ///< times the worker slept with nothing to do
    PollHits,       ///< times work arrived while the worker looked at an empty queue (poll-us)
    Count
};

/// Statistic names (static strings, as get_stats_fn requires).
extern const char *const kWorkerStatNames[];

/// One worker's counters; cache-line aligned so workers never share a line.
struct alignas(64) WorkerStats {
    std::atomic<uint64_t> v[static_cast<size_t>(WorkerStat::Count)] = {};

    /// Owner only: add without a locked instruction (single writer).
    void add(WorkerStat s, uint64_t n = 1) noexcept {
        auto &c = v[static_cast<size_t>(s)];
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    /// Owner only: raise to at least `n`.
    void max(WorkerStat s, uint64_t n) noexcept {
        auto &c = v[static_cast<size_t>(s)];
        if (n > c.load(std::memory_order_relaxed)) c.store(n, std::memory_order_relaxed);
    }
    uint64_t get(WorkerStat s) const noexcept {
        return v[static_cast<size_t>(s)].load(std::memory_order_relaxed);
    }
    /// Histogram bucket for `n` jobs in the manager when one completed.
    void batch(uint32_t n) noexcept;
};

} // namespace acrypto::soft::mb
