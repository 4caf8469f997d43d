// SPDX-License-Identifier: Apache-2.0
// DeviceHarness: drives one device instance through the plugin C ABI, without the scheduler.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "acrypto/device.h"
#include "acrypto/session.h"

namespace acrypto::test {

/// Configuration as ordered key/value pairs (what a driver's section would hold).
using KvList = std::vector<std::pair<std::string, std::string>>;

/**
 * Plays the scheduler's part for ONE device instance: a priority-ordered queue
 * served through dequeue_fn, completion bookkeeping (exactly-once checks), and
 * mark_broken handling. Host callbacks are thread-safe and never block on the
 * device; waits block on a condition variable.
 *
 * Sessions handed to enqueue() are not owned: they must outlive close().
 * When the device is marked broken or closed, sessions still queued (never
 * dequeued) are completed by the harness itself (ACRYPTO_E_DEVICE after
 * mark_broken, ACRYPTO_E_SHUTDOWN at close), as the scheduler would.
 */
class DeviceHarness {
  public:
    /// Probe `drv` with `cfg` and open instance `index`. nullptr with `*why` on failure.
    static std::unique_ptr<DeviceHarness> open(const acrypto_device_driver *drv, const KvList &cfg,
                                               uint32_t index = 0, std::string *why = nullptr);
    /// dlopen `so_path`, call acrypto_device_driver_v1, then open(). The library stays loaded.
    static std::unique_ptr<DeviceHarness> open_plugin(const std::string &so_path, const KvList &cfg,
                                                      uint32_t index = 0,
                                                      std::string *why = nullptr);
    /// Load a plugin's driver table only (no instance). nullptr with `*why` on failure.
    static const acrypto_device_driver *load_driver(const std::string &so_path,
                                                    std::string *why = nullptr);
    /// Run probe_fn only: instance count, or -1 with `*why`.
    static int probe(const acrypto_device_driver *drv, const KvList &cfg,
                     std::string *why = nullptr);

    ~DeviceHarness();
    DeviceHarness(const DeviceHarness &) = delete;
    DeviceHarness &operator=(const DeviceHarness &) = delete;

    /// The descriptor the device filled at open.
    const acrypto_device_desc &desc() const noexcept { return desc_; }
    /// The driver table.
    const acrypto_device_driver &driver() const noexcept { return *drv_; }
    /// The device's opaque pointer (for calling optional table members directly).
    void *dev() const noexcept { return dev_; }

    /// Queue `s` (by s->priority, FIFO within a priority); does not call data_ready.
    void enqueue(acrypto_session *s);
    /// Call data_ready_fn.
    void kick();
    /// Call flush_fn if the device has one.
    void flush();
    /// enqueue + kick + wait for completion. Returns the completion status, or
    /// ACRYPTO_E_TIMEOUT when it did not complete within `timeout`.
    int run(acrypto_session &s, std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Call run_inline_fn (ACRYPTO_E_UNSUPPORTED when the device has none).
    int run_inline(acrypto_session &s);
    /// Wait until every enqueued session completed at least once. false on timeout.
    bool wait_all(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Wait until `s` completed at least once. false on timeout.
    bool wait(const acrypto_session *s,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));

    /// Times `s` was completed (by the device or by the harness on its behalf).
    uint32_t completions(const acrypto_session *s) const;
    /// Completions beyond the first, summed over all sessions; plus completions
    /// of sessions that were never dequeued or never enqueued.
    uint32_t duplicate_completions() const;
    /// Last completion status of `s`; ACRYPTO_E_INTERNAL when it never completed.
    int status_of(const acrypto_session *s) const;
    /// steps_done reported with the last completion of `s` (0 if none).
    uint32_t steps_done_of(const acrypto_session *s) const;
    /// Sessions enqueued and not yet completed.
    uint32_t outstanding() const;
    /// Sessions queued, not yet dequeued (what pending_fn answers).
    uint32_t pending() const;
    /// Total completions seen (including the harness's own).
    uint64_t total_completions() const;
    /// Completions the device itself reported (excludes harness-completed ones).
    uint64_t device_completions() const;
    /// Sessions in the order the device completed them (first completion of each).
    std::vector<const acrypto_session *> completion_order() const;
    /// Sessions in the order the device dequeued them.
    std::vector<const acrypto_session *> dequeue_order() const;
    /// Largest number of sessions one dequeue_fn call returned.
    uint32_t largest_dequeue() const;

    /// Whether the device called mark_broken_fn, and why.
    bool broken() const;
    std::string broken_reason() const;
    /// Messages the device logged.
    std::vector<std::string> logs() const;

    /// get_stats_fn as a map (empty if the device has none).
    std::map<std::string, uint64_t> stats() const;
    /// self_test_fn (0 when absent), message in `*why`.
    int self_test(std::string *why = nullptr);
    /// get_entropy_fn (ACRYPTO_E_UNSUPPORTED when absent).
    int get_entropy(uint8_t *buf, size_t len);
    /// key_free_fn if present.
    void key_free(uint64_t key_id);

    /// close_fn, then completes what is still queued with ACRYPTO_E_SHUTDOWN and
    /// records a GoogleTest failure unless every enqueued session completed
    /// exactly once. Idempotent; the destructor calls it.
    void close();
    bool closed() const noexcept { return closed_; }

    /// Human-readable list of exactly-once violations (empty when none).
    std::string violations() const;

  private:
    DeviceHarness() = default;
    struct Record {
        uint32_t completions = 0;
        int status = ACRYPTO_E_INTERNAL;
        uint32_t steps_done = 0;
        bool dequeued = false;
    };

    static uint32_t host_dequeue(acrypto_host *h, acrypto_session **out, uint32_t max);
    static void host_complete(acrypto_host *h, acrypto_session *s, int status, uint32_t steps);
    static void host_mark_broken(acrypto_host *h, const char *reason);
    static uint32_t host_pending(acrypto_host *h);
    static void host_log(acrypto_host *h, int level, const char *msg);
    static DeviceHarness *self(acrypto_host *h) { return reinterpret_cast<DeviceHarness *>(h); }
    void complete_locked(acrypto_session *s, int status, uint32_t steps, bool by_device);
    void drain_queue_locked(int status);

    const acrypto_device_driver *drv_ = nullptr;
    void *dev_ = nullptr;
    acrypto_device_desc desc_{};
    acrypto_host_ops hops_{};
    bool closed_ = false;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<acrypto_session *> queues_[ACRYPTO_PRIO_MAX + 1];
    uint32_t queued_ = 0;
    std::unordered_map<const acrypto_session *, Record> records_;
    uint32_t outstanding_ = 0;
    uint32_t stray_ = 0;           ///< completions of sessions never handed out
    uint32_t dup_retired_ = 0;     ///< duplicates of sessions since re-enqueued
    uint32_t session_waiters_ = 0; ///< threads in wait(s): every completion may concern them
    uint64_t total_ = 0;
    uint64_t by_device_ = 0;
    uint32_t largest_dequeue_ = 0;
    std::vector<const acrypto_session *> completion_order_;
    std::vector<const acrypto_session *> dequeue_order_;
    bool broken_ = false;
    std::string broken_reason_;
    std::vector<std::string> logs_;
};

} // namespace acrypto::test
