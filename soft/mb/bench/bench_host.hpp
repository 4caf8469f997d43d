// SPDX-License-Identifier: Apache-2.0
// BenchHost: the least host that can drive a device (array queue, counted completions).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "acrypto/device.h"

namespace acrypto::soft::mb::bench {

/**
 * Serves a prepared array of sessions through dequeue_fn and counts
 * completions; the benchmark thread blocks until a round is done. Overhead per
 * session: one atomic add on dequeue, one on completion.
 */
class BenchHost {
  public:
    /// Open `drv` with `cfg`; aborts the process on failure (benchmarks only).
    BenchHost(const acrypto_device_driver *drv,
              const std::vector<std::pair<std::string, std::string>> &cfg);
    ~BenchHost();

    /// Hand `n` sessions to the device (one data_ready) and wait until all completed.
    void run_round(acrypto_session *const *sessions, uint32_t n);
    /// Keep `n` sessions in flight: each completed session is queued again at
    /// once (as an async caller resubmits), until `total` completions. Blocks.
    void run_stream(acrypto_session *const *sessions, uint32_t n, uint64_t total);
    /// Sessions that completed with a status other than OK.
    uint64_t failures() const { return failures_.load(); }
    /// Device statistic by name.
    uint64_t stat(const char *name) const;

  private:
    static uint32_t dequeue(acrypto_host *h, acrypto_session **out, uint32_t max);
    static void complete(acrypto_host *h, acrypto_session *s, int status, uint32_t steps);
    static void mark_broken(acrypto_host *h, const char *reason);
    static uint32_t pending(acrypto_host *h);
    static void log(acrypto_host *h, int level, const char *msg);

    const acrypto_device_driver *drv_;
    void *dev_ = nullptr;
    acrypto_host_ops hops_{};
    acrypto_device_desc desc_{};
    acrypto_session *const *round_ = nullptr;
    std::atomic<uint32_t> round_n_{0};
    std::atomic<uint32_t> next_{0};
    std::atomic<uint32_t> done_{0};
    std::atomic<uint64_t> failures_{0};
    std::mutex mu_;
    std::condition_variable cv_;
    // Streaming mode: a queue the completion callback refills.
    bool streaming_ = false;
    std::mutex qmu_;
    std::vector<acrypto_session *> queue_;
    size_t qhead_ = 0;
    std::atomic<uint64_t> stream_done_{0};
    uint64_t stream_total_ = 0;
    uint64_t stream_issued_ = 0;
};

} // namespace acrypto::soft::mb::bench
