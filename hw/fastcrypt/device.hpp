// SPDX-License-Identifier: Apache-2.0
// FastcryptDevice: the scheduler-facing adapter over FpiEngine (split, chain, bounce, recover).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/device.h"
#include "acrypto/hw/result.hpp"
#include "config.hpp"
#include "fpi.hpp"
#include "transport.hpp"

namespace acrypto::hw::fastcrypt {

/// Counters of one instance, by cause (names in device.cpp, same order).
enum class Counter : uint32_t {
    SessionsIn,          ///< sessions dequeued
    SessionsOk,          ///< completed OK
    SessionsInvalid,     ///< refused: bad key/IV/length (ACRYPTO_E_INVALID)
    SessionsUnsupported, ///< refused: not DES/3DES ECB/CBC
    SessionsFailed,      ///< completed with ACRYPTO_E_DEVICE / E_TIMEOUT after retries
    SessionsShutdown,    ///< completed with ACRYPTO_E_SHUTDOWN at close
    Descriptors,         ///< descriptors posted
    Bytes,               ///< payload bytes completed OK
    Split,               ///< sessions that needed more than one descriptor
    RingFull,            ///< times posting stopped on a full ring (busy, not failure)
    Resubmitted,         ///< descriptors posted again after a fault
    DescBadControl,      ///< descriptor error 1
    DescBadLength,       ///< 2
    DescBadAlign,        ///< 3
    DescOverlap,         ///< 4
    DescAddrRange,       ///< 5
    DescSrcDma,          ///< 6
    DescDstDma,          ///< 7
    Interrupts,          ///< interrupt wake-ups
    SpuriousIrqs,        ///< wake-ups with INT_STATUS = 0
    PolledCompletions,   ///< completions reaped by the busy poll (coalesced or lost interrupt)
    FaultFatal,          ///< FATAL seen
    FaultRemoved,        ///< 0xFFFFFFFF reads
    FaultBadHead,        ///< RING_HEAD out of range
    FaultNotDone,        ///< HEAD passed a slot without DONE
    FaultBadStatus,      ///< unknown status code / reserved bits
    FaultCookie,         ///< cookie changed by the device
    FaultTimeout,        ///< watchdog expired
    FaultWriteback,      ///< wrong chaining value written back
    Resets,              ///< recoveries attempted (SOFT_RESET + configure + self-test)
    Recovered,           ///< recoveries that brought the device back
    SelfTests,           ///< self-tests run
    Broken,              ///< 1 once the device was marked broken
    Count
};

/// Names of the counters (static strings).
extern const char *const COUNTER_NAMES[];

/**
 * One FastCrypt instance. A single ring thread owns the FpiEngine: it dequeues
 * sessions, splits them into MAX_XFER pieces, copies input into DMA bounce
 * buffers (8-byte aligned, below 4 GiB), posts, waits on the interrupt (bounded:
 * a lost interrupt becomes a poll), reaps, copies output back and completes.
 *
 * Recovery contract (spec/fastcrypt.md §3.6): a FATAL, a watchdog timeout or any
 * impossible write-back resets the device, re-runs configuration and the self-test,
 * then re-posts every descriptor that was in flight (lost descriptors never wrote
 * the caller's memory: output is copied from bounce buffers only after a validated
 * completion, and in-place multi-piece sessions are staged until their last piece).
 * A session is re-posted at most max-retries times, then completes with
 * ACRYPTO_E_TIMEOUT (watchdog) or ACRYPTO_E_DEVICE (anything else), both of which
 * let the scheduler move it elsewhere. If the reset or the self-test fails, or
 * max-recoveries resets in a row make no progress, the device is marked broken and
 * every session it holds completes with ACRYPTO_E_DEVICE. Every dequeued session
 * completes exactly once, including at close (ACRYPTO_E_SHUTDOWN).
 */
class FastcryptDevice {
  public:
    /// Reset, configure and self-test `t`, then start the ring thread.
    static Result<std::unique_ptr<FastcryptDevice>> open(std::unique_ptr<Transport> t,
                                                         const DriverConfig &cfg, std::string name,
                                                         acrypto_host *host,
                                                         const acrypto_host_ops *hops);
    ~FastcryptDevice();
    FastcryptDevice(const FastcryptDevice &) = delete;
    FastcryptDevice &operator=(const FastcryptDevice &) = delete;

    /// What the plugin hands the scheduler.
    const acrypto_device_desc &desc() const noexcept { return desc_; }
    /// data_ready_fn: wake the ring thread (never blocks).
    void data_ready() noexcept;
    /// self_test_fn: known answers through the ring at the next idle point. 0 or negative.
    int self_test(std::string *why);
    /// get_stats_fn.
    void stats(acrypto_stat *out, uint32_t max, uint32_t *n) const noexcept;
    /// close_fn: stop the thread, complete held sessions with ACRYPTO_E_SHUTDOWN, quiesce.
    void close();
    /// Test hook: the chip model behind this instance (nullptr over real PCI).
    model::FpiModel *model() noexcept { return transport_->model.get(); }

  private:
    struct Job;
    struct Piece;
    FastcryptDevice(std::unique_ptr<Transport> t, const DriverConfig &cfg, std::string name,
                    acrypto_host *host, const acrypto_host_ops *hops);
    Result<void> bring_up();
    void build_caps();
    void thread_main();
    void fill();
    bool dequeue_more(uint32_t room);
    void accept(acrypto_session *s);
    bool next_piece(Piece &p);
    bool post_piece(Piece &p, bool irq);
    void on_completion(const Completion &c, std::optional<FaultCause> &fault);
    void maybe_finish(Job *j);
    void recover(FaultCause cause, const std::string &message);
    void go_broken(const std::string &reason);
    void fail_all(int status);
    void complete(acrypto_session *s, int status, uint32_t steps);
    void count(Counter c, uint64_t n = 1) noexcept {
        ctr_[static_cast<size_t>(c)].fetch_add(n, std::memory_order_relaxed);
    }
    void log(int level, const std::string &msg);

    std::unique_ptr<Transport> transport_;
    const DriverConfig cfg_;
    const std::string name_;
    acrypto_host *host_;
    const acrypto_host_ops *hops_;
    FpiEngine fpi_;
    EngineInfo info_;
    uint32_t chunk_ = 0; ///< bytes per descriptor (MAX_XFER, at most one bounce buffer)

    std::vector<acrypto_capability> caps_;
    acrypto_device_desc desc_{};

    // Ring-thread state.
    std::deque<std::unique_ptr<Job>> jobs_;
    std::deque<std::unique_ptr<Piece>> retry_;
    std::vector<Piece> batch_; ///< pieces cut by one fill() pass, posted together
    std::vector<std::unique_ptr<Piece>> by_slot_;
    std::vector<DmaBuf> bounce_;
    std::vector<uint32_t> free_bounce_;
    uint32_t cookie_seq_ = 0;
    uint32_t recoveries_in_a_row_ = 0;
    bool broken_ = false;
    std::chrono::steady_clock::time_point last_progress_{};

    std::thread thread_;
    int kick_fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<bool> closed_{false};

    // Self-test hand-off between a caller and the ring thread.
    std::mutex st_mu_;
    std::condition_variable st_cv_;
    bool st_requested_ = false;
    bool st_done_ = false;
    int st_status_ = 0;
    std::string st_why_;

    std::array<std::atomic<uint64_t>, static_cast<size_t>(Counter::Count)> ctr_{};
};

} // namespace acrypto::hw::fastcrypt
