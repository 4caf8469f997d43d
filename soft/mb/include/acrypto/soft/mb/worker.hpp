// SPDX-License-Identifier: Apache-2.0
// Worker: one thread, one IMB_MGR; fills lanes from dequeued bursts, flushes on deadline or idle.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "acrypto/device.h"
#include "acrypto/soft/mb/arch.hpp"
#include "acrypto/soft/mb/doorbell.hpp"
#include "acrypto/soft/mb/job.hpp"
#include "acrypto/soft/mb/key_cache.hpp"
#include "acrypto/soft/mb/worker_stats.hpp"

namespace acrypto::soft::mb {

/// What a worker needs from its device.
struct WorkerParams {
    acrypto_host *host = nullptr;
    const acrypto_host_ops *hops = nullptr;
    Arch arch = Arch::Sse;     ///< concrete code path
    uint64_t flush_ns = 20000; ///< latency budget at priority 4
    uint64_t linger_ns = 0;    ///< idle wait for more work before flushing
    uint64_t poll_ns = 0;      ///< look at an empty queue this long before sleeping
    uint32_t index = 0;        ///< worker number (thread name)
    bool hash_on_sse = false;  ///< run SHA/HMAC on an SSE manager (SHA-NI)
};

/// Whether SHA-1/224/256 (and their HMACs) should run on a separate SSE
/// manager: intel-ipsec-mb uses SHA-NI only on its SSE path, and on CPUs with
/// SHA-NI but no AVX-512 that code beats the AVX2 lanes (measured here with
/// 32 sessions of 16 KB: HMAC-SHA256 1.39 GB/s against 0.09-0.12 GB/s).
bool hashes_prefer_sse(Arch a, uint64_t features) noexcept;

/// Latency budget of a session of priority `prio` in a partial batch: `flush_ns`
/// at priority 4, twice that at 0, a quarter at 7 (linear in between).
uint64_t budget_ns(uint64_t flush_ns, uint32_t prio) noexcept;

/**
 * One worker thread. Sessions it dequeues become jobs in its own manager and
 * sit in a ring in admission order; the manager returns jobs in submission
 * order, so sessions mostly complete in ring order (CBC chains longer than one
 * job finish later), and a ring slot is reused once every older one is done.
 */
class Worker {
  public:
    /// Sessions one worker holds at most (each is up to kMaxParts jobs; the
    /// manager queues 256).
    static constexpr uint32_t kRing = 64;
    /// Largest burst taken from the host at once.
    static constexpr uint32_t kMaxBurst = 32;

    /// Creates the manager; nullptr with `*why` on failure. The thread starts in start().
    static std::unique_ptr<Worker> create(const WorkerParams &p, std::string *why);
    ~Worker();
    Worker(const Worker &) = delete;
    Worker &operator=(const Worker &) = delete;

    void start();
    /// Finish everything in flight, then leave; join().
    void stop() noexcept;

    /// New work may be queued. Any thread, never blocks.
    void ring() noexcept { bell_.ring(); }
    /// Whether the worker sleeps (or is about to), and why: the device rings
    /// idle sleepers at once, lingering ones only when a batch is queued.
    Doorbell::Mode wait_mode() noexcept { return bell_.mode(); }
    /// Complete partial batches now. Any thread, never blocks.
    void request_flush() noexcept;
    /// Drop the key schedule of `key_id`. Any thread.
    void key_free(uint64_t key_id) { cache_.drop(key_id); }

    const WorkerStats &stats() const noexcept { return stats_; }
    size_t cached_keys() const { return cache_.size(); }
    uint64_t key_builds() const noexcept { return cache_.builds(); }

  private:
    Worker(const WorkerParams &p, ManagerPtr mgr, ManagerPtr hash_mgr);
    void run() noexcept;
    uint32_t pull() noexcept;
    /// Look at the empty queue for up to poll_ns; true when there is something to do.
    bool poll_queue() noexcept;
    void submit_slot(Slot &slot) noexcept;
    void drain(uint8_t m, IMB_JOB *first) noexcept;
    void finish_session(Slot &slot) noexcept;
    void complete(acrypto_session *s, int status) noexcept;
    void flush_all(WorkerStat cause) noexcept;
    void flush_until(uint64_t now) noexcept;
    void flush_one() noexcept;
    uint32_t inflight() const noexcept { return static_cast<uint32_t>(tail_ - head_); }
    uint64_t min_deadline() noexcept;
    void pump_resubmits() noexcept;
    void fail_all(int status) noexcept;

    WorkerParams p_;
    ManagerPtr mgr_;      ///< ciphers (and hashes unless hash_mgr_ is set)
    ManagerPtr hash_mgr_; ///< SSE manager for SHA/HMAC (SHA-NI), or null
    IMB_MGR *mgrs_[2] = {};
    KeyCache cache_;
    std::unique_ptr<Slot[]> ring_;
    uint64_t head_ = 0; ///< oldest in-flight session (sequence number)
    uint64_t tail_ = 0; ///< next sequence number
    // Earliest deadline in flight; recomputed lazily (a scan of at most kRing
    // slots) only after the session holding it completes.
    uint64_t min_deadline_ = UINT64_MAX;
    // Time of the current loop iteration: the clock is read once per pass
    // (clock_gettime costs ~100 ns on some virtual machines).
    uint64_t now_ = 0;
    uint32_t jobs_in_mgr_[2] = {}; ///< jobs submitted and not yet returned, per manager
    bool min_stale_ = false;
    // CBC chains whose next chunk waits to be submitted (drain never submits).
    Slot *resubmit_[kRing] = {};
    uint32_t nresubmit_ = 0;

    Doorbell bell_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> flush_req_{false};
    std::thread thread_;
    WorkerStats stats_;
};

} // namespace acrypto::soft::mb
