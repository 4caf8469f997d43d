// SPDX-License-Identifier: Apache-2.0
// WorkerWait: the worker threads' run-queue wait per CPU time, from their schedstat.
#include "worker_wait.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

namespace acrypto::sched::detail {
namespace {

/// One thread's statistics file and its last reading.
struct ThreadStat {
    int fd = -1;
    bool unavailable = false; ///< no /proc or no schedstat: never tried again
    const WorkerWait *owner = nullptr;
    uint64_t read_at = 0; ///< steady clock of the last read, ns
    uint64_t cpu = 0, wait = 0;
    ThreadStat() = default;
    ThreadStat(const ThreadStat &) = delete;
    ThreadStat &operator=(const ThreadStat &) = delete;
    ~ThreadStat() {
        if (fd >= 0) close(fd);
    }
};
thread_local ThreadStat t_stat;

uint64_t steady_ns() noexcept {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::steady_clock::now().time_since_epoch())
                                     .count());
}

/// This thread's cpu and wait totals; false when they cannot be read.
bool read_stat(ThreadStat &t, uint64_t &cpu, uint64_t &wait) noexcept {
    if (t.fd < 0) {
        // Opened by the thread itself: /proc/thread-self names the opener.
        t.fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
        if (t.fd < 0) {
            t.unavailable = true;
            return false;
        }
    }
    char buf[96];
    ssize_t n;
    do {
        n = pread(t.fd, buf, sizeof buf - 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        close(t.fd);
        t.fd = -1;
        t.unavailable = true;
        return false;
    }
    buf[n] = '\0';
    return parse_schedstat(buf, cpu, wait);
}

} // namespace

bool parse_schedstat(const char *text, uint64_t &cpu_ns, uint64_t &wait_ns) noexcept {
    char *end = nullptr;
    errno = 0;
    const unsigned long long c = std::strtoull(text, &end, 10);
    if (end == text || errno != 0 || *end != ' ') return false;
    const char *p = end;
    const unsigned long long w = std::strtoull(p, &end, 10);
    if (end == p || errno != 0) return false;
    cpu_ns = c;
    wait_ns = w;
    return true;
}

void WorkerWait::on_dequeue() noexcept {
    ThreadStat &t = t_stat;
    if (t.unavailable) return;
    const uint64_t now = steady_ns();
    if (t.owner == this && now - t.read_at < kWindowNs) return;
    uint64_t cpu = 0, wait = 0;
    if (!read_stat(t, cpu, wait)) return;
    // The first reading on this thread (or for this scheduler) only starts a window.
    if (t.owner == this && cpu >= t.cpu && wait >= t.wait) fold(cpu - t.cpu, wait - t.wait);
    t.owner = this;
    t.read_at = now;
    t.cpu = cpu;
    t.wait = wait;
}

void WorkerWait::fold(uint64_t cpu_ns, uint64_t wait_ns) noexcept {
    if (cpu_ns < kMinCpuNs) return;
    const uint64_t s = wait_ns / (cpu_ns / 1000);
    const auto sample = static_cast<int64_t>(s < kMaxPermille ? s : kMaxPermille);
    // Racing folds from two workers may drop one sample; never a torn value.
    const uint32_t old = permille_.load(std::memory_order_relaxed);
    const int64_t v =
        old == kUnknown ? sample : static_cast<int64_t>(old) + (sample - old) / kWeight;
    permille_.store(static_cast<uint32_t>(v), std::memory_order_relaxed);
    windows_.fetch_add(1, std::memory_order_relaxed);
}

} // namespace acrypto::sched::detail
