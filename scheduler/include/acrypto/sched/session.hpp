// SPDX-License-Identifier: Apache-2.0
// Session and Key: one unit of work and its refcounted key context.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/result.hpp"
#include "acrypto/session.h"

namespace acrypto::sched {

class SchedulerCore;

/// Key context: key bytes copied in, wiped (OPENSSL_cleanse-equivalent) when the
/// last reference goes; devices are told through key_free_fn.
class Key : public RefCounted {
public:
    /// Copy `len` bytes of key material. `scheduler` may be null (no device notification).
    static Ref<Key> make(SchedulerCore *scheduler, uint32_t alg, const uint8_t *data, size_t len,
                         uint32_t curve_nid = 0, uint32_t bits = 0);
    const acrypto_key &c() const noexcept { return c_; }
    static void destroy(Key *k) noexcept;

private:
    Key() = default;
    acrypto_key c_{};
    SchedulerCore *sched_ = nullptr;
};

/// Completion hook: called exactly once, on the completing thread, after the
/// session's status is published (done() is true). Must be short and non-blocking.
using DoneFn = void (*)(void *arg, class Session &s);

/**
 * One unit of work. Created by the caller, filled (steps, buffers from the
 * session's own arena, priority, binding), submitted; the scheduler holds a
 * reference while it is queued or in flight, so a caller that never comes back
 * cannot cause a write after free.
 */
class Session : public RefCounted {
public:
    /// A session with `nsteps` zeroed steps (1..ACRYPTO_MAX_STEPS) and an arena of
    /// at least `arena_bytes` for session-owned buffers. Pooled: no heap churn on the hot path.
    static Ref<Session> make(uint32_t nsteps, size_t arena_bytes = 0);
    static void destroy(Session *s) noexcept;

    acrypto_session &c() noexcept { return c_; }
    const acrypto_session &c() const noexcept { return c_; }
    acrypto_step &step(uint32_t i) noexcept { return steps_[i]; }
    const acrypto_step &step(uint32_t i) const noexcept { return steps_[i]; }

    /// Session-owned memory (lives until the session is destroyed; 64-byte aligned).
    /// Returns nullptr if the arena cannot grow.
    uint8_t *alloc(size_t n);

    /// Keep `k` alive for this session and point step `i` at it.
    void set_key(uint32_t i, Ref<Key> k);

    void set_priority(uint32_t p) noexcept;
    /// Bind to a device instance by name: runs there or fails with Errc::Bound.
    void bind(const char *device_name);
    const char *bound_device() const noexcept { return bound_[0] ? bound_ : nullptr; }

    void set_done(DoneFn fn, void *arg) noexcept { done_fn_ = fn; done_arg_ = arg; }

    /// True once the session completed (acquire).
    bool done() const noexcept { return state_.load(std::memory_order_acquire) != 0; }
    /// Final status (enum acrypto_status); valid when done().
    int status() const noexcept { return status_; }
    /// Index of the step that failed (valid when status() != ACRYPTO_OK).
    uint32_t failed_step() const noexcept { return failed_step_; }
    /// Name of the device that ran the last step (diagnostics, tests, stats).
    const char *last_device() const noexcept { return last_device_; }
    /// Block until done (futex; never spins).
    void wait() const noexcept;
    /// Block at most `d`; returns done().
    bool wait_for(std::chrono::nanoseconds d) const noexcept;

    // --- scheduler side -------------------------------------------------
    /// Publish completion: stores status, sets done (release), wakes waiters,
    /// then calls the DoneFn. Returns false if the session was already complete
    /// (the second completion is dropped and counted by the caller).
    bool finish(int status, uint32_t failed_step, const char *device) noexcept;
    /// Reset for re-submission (tests, native API): only if done().
    void rearm() noexcept;

private:
    friend class SchedulerCore;
    friend struct SessionTestPeer;
    Session() = default;

    acrypto_session c_{};
    acrypto_step steps_[ACRYPTO_MAX_STEPS]{};
    Ref<Key> keys_[ACRYPTO_MAX_STEPS];
    char bound_[32]{};
    const char *last_device_ = "";
    DoneFn done_fn_ = nullptr;
    void *done_arg_ = nullptr;
    int status_ = ACRYPTO_OK;
    uint32_t failed_step_ = 0;
    mutable std::atomic<uint32_t> state_{0};
    uint8_t *arena_ = nullptr;
    size_t arena_cap_ = 0;
    size_t arena_used_ = 0;
    // The scheduler implementation may add private bookkeeping here (queue links,
    // device index, timestamps, rehash count); callers use only the public API.
};

} // namespace acrypto::sched
