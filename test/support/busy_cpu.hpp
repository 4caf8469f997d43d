// SPDX-License-Identifier: Apache-2.0
// Busy CPUs, for tests of what threads waiting for a CPU do: threads spinning on one CPU,
// and the whole process moved onto one CPU. Header-only (target acrypto_test_busy_cpu): the
// scheduler's tests use it without OpenSSL.
#pragma once

#include <dirent.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace acrypto::test {

/// Pin the calling thread to `cpu`.
inline bool pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return pthread_setaffinity_np(pthread_self(), sizeof set, &set) == 0;
}

/// `n` threads spinning on `cpu` until destroyed.
class Spinners {
  public:
    Spinners(int cpu, int n) {
        for (int i = 0; i < n; ++i)
            threads_.emplace_back([this, cpu] {
                pin_to(cpu);
                while (!stop_.load(std::memory_order_relaxed)) {}
            });
    }
    ~Spinners() {
        stop_ = true;
        for (auto &t : threads_) t.join();
    }
    Spinners(const Spinners &) = delete;
    Spinners &operator=(const Spinners &) = delete;

  private:
    std::atomic<bool> stop_{false};
    std::vector<std::thread> threads_;
};

/// Every thread of this process on the caller's CPU, `spinners` more threads spinning there;
/// the old masks come back when destroyed.
class OneBusyCpu {
  public:
    explicit OneBusyCpu(int spinners = 2) {
        const int cpu = sched_getcpu();
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        DIR *d = opendir("/proc/self/task");
        while (dirent *e = d != nullptr ? readdir(d) : nullptr) {
            const pid_t tid = std::atoi(e->d_name);
            cpu_set_t old;
            if (tid <= 0 || sched_getaffinity(tid, sizeof old, &old) != 0) continue;
            if (sched_setaffinity(tid, sizeof one, &one) == 0) saved_.emplace_back(tid, old);
        }
        if (d != nullptr) closedir(d);
        spin_.emplace(cpu, spinners);
    }
    ~OneBusyCpu() {
        spin_.reset();
        for (auto &[tid, mask] : saved_) sched_setaffinity(tid, sizeof mask, &mask);
    }
    OneBusyCpu(const OneBusyCpu &) = delete;
    OneBusyCpu &operator=(const OneBusyCpu &) = delete;
    /// Threads moved (0 when the process may not set affinities).
    size_t pinned() const { return saved_.size(); }

  private:
    std::vector<std::pair<pid_t, cpu_set_t>> saved_;
    std::optional<Spinners> spin_;
};

} // namespace acrypto::test
