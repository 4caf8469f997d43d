// SPDX-License-Identifier: Apache-2.0
// Doorbell over FUTEX_WAIT/FUTEX_WAKE (private futexes: the bell never leaves the process).
#include "acrypto/soft/mb/doorbell.hpp"

#include <ctime>

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace acrypto::soft::mb {

namespace {

long futex(std::atomic<uint32_t> *addr, int op, uint32_t val, const timespec *ts) noexcept {
    static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
    return syscall(SYS_futex, reinterpret_cast<uint32_t *>(addr), op, val, ts, nullptr, 0);
}

} // namespace

uint64_t now_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint32_t Doorbell::prepare(Mode m) noexcept {
    waiting_.exchange(static_cast<uint32_t>(m), std::memory_order_seq_cst);
    return seq_.load(std::memory_order_seq_cst);
}

void Doorbell::wait(uint32_t seen, uint64_t timeout_ns) noexcept {
    timespec ts{};
    const timespec *tsp = nullptr;
    if (timeout_ns) {
        ts.tv_sec = static_cast<time_t>(timeout_ns / 1000000000u);
        ts.tv_nsec = static_cast<long>(timeout_ns % 1000000000u);
        tsp = &ts;
    }
    // EINTR, EAGAIN (already rung) and ETIMEDOUT all mean: go look again.
    futex(&seq_, FUTEX_WAIT_PRIVATE, seen, tsp);
    waiting_.store(0, std::memory_order_relaxed);
}

void Doorbell::ring() noexcept {
    seq_.fetch_add(1, std::memory_order_seq_cst);
    // Only the first ringer after prepare() makes the system call: the others
    // find the announcement taken. A sleeper they skip either is being woken
    // already or has not reached FUTEX_WAIT, which then sees the new sequence
    // number and returns at once.
    if (waiting_.load(std::memory_order_seq_cst) && waiting_.exchange(0, std::memory_order_seq_cst))
        futex(&seq_, FUTEX_WAKE_PRIVATE, 1, nullptr);
}

} // namespace acrypto::soft::mb
