// SPDX-License-Identifier: Apache-2.0
// WorkerWait: how long the software devices' worker threads stand runnable but without a
// CPU, per unit of CPU they get (the kernel's per-thread scheduler statistics).
#pragma once

#include <atomic>
#include <cstdint>

namespace acrypto::sched::detail {

/**
 * A software device's worker only adds capacity when a CPU is free for it. When every core
 * is busy (the callers' threads and whatever else the machine runs), an offloaded
 * operation waits in the kernel's run queue, then takes a core from somebody else: the
 * caller gains nothing and pays the hand-over. The wait shows in the worker's own
 * /proc/thread-self/schedstat (time run, time runnable but waiting): two cores,
 * `openssl speed -async_jobs 8 rsa2048` waits 6 ns per 1,000 ns run, HAProxy with its
 * load generator on the same two cores 690.
 *
 * Each worker thread reads its statistics after a dequeue, at most once per kWindowNs,
 * and folds the window into one estimate for the scheduler: waiting per CPU time, in
 * thousandths, smoothed over windows. No lock; a thread keeps its statistics file open.
 */
class WorkerWait {
  public:
    /// Not measured yet (no window with enough work).
    static constexpr uint32_t kUnknown = UINT32_MAX;
    /// Least wall time between two reads on one thread.
    static constexpr uint64_t kWindowNs = 20'000'000;
    /// A window with less CPU time than this says too little to count.
    static constexpr uint64_t kMinCpuNs = 50'000;
    /// Samples are capped here (a window of waiting alone must not pin the estimate).
    static constexpr uint32_t kMaxPermille = 4000;
    /// A new window moves the estimate by 1/kWeight of the difference.
    static constexpr int64_t kWeight = 4;

    /// On a software device's worker thread, after it dequeued work.
    void on_dequeue() noexcept;
    /// Fold one window: `cpu_ns` run, `wait_ns` runnable and waiting.
    void fold(uint64_t cpu_ns, uint64_t wait_ns) noexcept;
    /// Waiting per CPU time in thousandths, smoothed; kUnknown before the first window.
    uint32_t permille() const noexcept { return permille_.load(std::memory_order_relaxed); }
    /// Windows folded so far.
    uint64_t windows() const noexcept { return windows_.load(std::memory_order_relaxed); }
    /// Forget the estimate (tests).
    void reset() noexcept {
        permille_.store(kUnknown, std::memory_order_relaxed);
        windows_.store(0, std::memory_order_relaxed);
    }

  private:
    std::atomic<uint32_t> permille_{kUnknown};
    std::atomic<uint64_t> windows_{0};
};

/// "cpu wait slices" of /proc/thread-self/schedstat's text; false if malformed.
bool parse_schedstat(const char *text, uint64_t &cpu_ns, uint64_t &wait_ns) noexcept;

} // namespace acrypto::sched::detail
