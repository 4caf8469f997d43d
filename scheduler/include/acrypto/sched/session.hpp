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
class Session;

namespace detail {
struct KeyNotifier;
struct SessionAccess;

/// Mutable fields of one step saved at hand-over, so a step can be re-run elsewhere.
struct StepSnapshot {
    uint8_t iv[ACRYPTO_MAX_IV];
    uint32_t num;
    uint8_t tag[ACRYPTO_MAX_TAG];
    uint8_t state[ACRYPTO_MAX_STATE];
    uint64_t state_len;
};

/// Scheduler bookkeeping carried by every session (queue links, holder, retries).
struct SessionSched {
    Session *next = nullptr;         ///< queue / in-flight / pool link
    Session *prev = nullptr;         ///< pooled: the next batch head (shared pool)
    uint64_t enq_ms = 0;             ///< coarse enqueue time (aging)
    uint64_t start_ns = 0;           ///< hand-over time (observe_fn, device histogram)
    uint64_t submit_ns = 0;          ///< submit() time (latency histograms)
    std::atomic<uint32_t> holder{0}; ///< holder tag of the device that holds it (dequeued), else 0
    uint32_t dev = UINT32_MAX;       ///< device the session is queued on / held by
    uint32_t queued_bytes = 0;       ///< input bytes accounted to that device
    uint32_t retries = 0;            ///< re-placements after device faults
    uint32_t avoid_dev = UINT32_MAX; ///< device to avoid on the next placement
    uint32_t in_queue = 0;           ///< 1 while in a device queue (not yet dequeued)
    mutable std::atomic<uint32_t> waiters{0};
    std::atomic<uint32_t> finishing{0};
    std::atomic<uint32_t> submitted{0}; ///< 1 from submit() until rearm() or recycling
    void *arena_more = nullptr;         ///< overflow arena chunks (singly linked)
    StepSnapshot snap[2];               ///< steps cur, cur+1 as handed over
};
} // namespace detail

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
    friend struct detail::SessionAccess;
    Key() = default;
    acrypto_key c_{};
    SchedulerCore *sched_ = nullptr;
    detail::KeyNotifier *notifier_ = nullptr; ///< refcounted link to the scheduler's devices
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
    /// The caller's word that the arena now holds nothing secret (ciphertext an
    /// encryption wrote over its plaintext in place): destroy() skips wiping it.
    /// Keys, IVs and step states are wiped regardless.
    void arena_holds_no_secret() noexcept { arena_public_ = true; }

    /// Keep `k` alive for this session and point step `i` at it.
    void set_key(uint32_t i, Ref<Key> k);

    void set_priority(uint32_t p) noexcept;
    /// Bind to a device instance by name: runs there or fails with Errc::Bound.
    void bind(const char *device_name);
    const char *bound_device() const noexcept { return bound_[0] ? bound_ : nullptr; }

    void set_done(DoneFn fn, void *arg) noexcept {
        done_fn_ = fn;
        done_arg_ = arg;
    }

    /// True once the session completed (acquire).
    bool done() const noexcept { return state_.load(std::memory_order_acquire) != 0; }
    /// Unique id of the session (also in c().id); assigned by make().
    uint64_t id() const noexcept { return c_.id; }
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
    bool arena_public_ = false;
    // Scheduler bookkeeping (queue links, device index, timestamps, rehash count);
    // callers use only the public API.
    friend struct detail::SessionAccess;
    detail::SessionSched sched_;
};

} // namespace acrypto::sched
