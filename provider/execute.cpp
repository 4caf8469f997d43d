// SPDX-License-Identifier: Apache-2.0
// Async glue: inline, blocking, or submit-and-pause inside an ASYNC_JOB (spec §2).
#include "execute.hpp"

#include <openssl/async.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "acrypto/sched/scheduler.hpp"
#include "provider_state.hpp"
#include "wait_notifier.hpp"

namespace acrypto::prov {

namespace {

using acrypto::sched::Errc;
using acrypto::sched::Session;

/// Consecutive resumes without completion before a bounded blocking wait (§2.2 step 5).
constexpr int kIdleResumes = 4;
/// Bounded wait on the session once resumes stop making progress.
constexpr std::chrono::microseconds kIdleWait{1000};
/// Busy retries before giving up (each waits or pauses once).
constexpr int kBusyRetries = 2000;
/// Wait between busy retries outside a job.
constexpr std::chrono::microseconds kBusyWait{100};

/// Completion hook, fd mode: arg is the WaitNotifier (one reference per session).
void notify_fd(void *arg, Session &) {
    auto *n = static_cast<WaitNotifier *>(arg);
    n->signal();
    n->unref();
}

/// Callback captured at submit time (lives in the session's arena).
struct AppCallback {
    ASYNC_callback_fn fn;
    void *arg;
};

void notify_callback(void *arg, Session &) {
    auto *cb = static_cast<AppCallback *>(arg);
    (void)cb->fn(cb->arg);
}

/// Submit, retrying while every device is busy. Outside a job: short blocking waits.
Errc submit_blocking(acrypto::sched::SchedulerCore *sc, const acrypto::sched::Ref<Session> &s) {
    Errc e = sc->submit(s);
    for (int i = 0; e == Errc::Busy && i < kBusyRetries; ++i) {
        std::this_thread::sleep_for(kBusyWait);
        e = sc->submit(s);
    }
    return e;
}

int run_blocking(acrypto::sched::SchedulerCore *sc, const acrypto::sched::Ref<Session> &s) {
    s->set_done(nullptr, nullptr);
    const auto t0 = std::chrono::steady_clock::now();
    Errc e = submit_blocking(sc, s);
    if (e != Errc::Ok) return acrypto::sched::status_from_errc(e);
    s->wait();
    if (s->status() == ACRYPTO_OK && s->c().nsteps == 1) {
        // What this wait cost the caller: the cost model weighs it against inline runs.
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
            std::chrono::steady_clock::now() - t0);
        sc->observe_offload(s->step(0), static_cast<uint64_t>(ns.count()));
    }
    return s->status();
}

/// Inside a job with a wait ctx: submit, then pause until done (§2.2).
int run_paused(acrypto::sched::SchedulerCore *sc, const acrypto::sched::Ref<Session> &s,
               ASYNC_WAIT_CTX *wctx) {
    ASYNC_callback_fn app_cb = nullptr;
    void *app_arg = nullptr;
    bool cb_mode = ASYNC_WAIT_CTX_get_callback(wctx, &app_cb, &app_arg) == 1 && app_cb != nullptr;
    WaitNotifier *notifier = nullptr;
    bool fresh_fd = false;
    if (cb_mode) {
        auto *cb = static_cast<AppCallback *>(static_cast<void *>(s->alloc(sizeof(AppCallback))));
        if (cb == nullptr) return run_blocking(sc, s);
        cb->fn = app_cb;
        cb->arg = app_arg;
        s->set_done(notify_callback, cb);
    } else {
        // A newly added wait fd reaches the application only through a pause
        // (SSL_get_changed_async_fds after SSL_ERROR_WANT_ASYNC): pause at least once.
        notifier = WaitNotifier::for_wait_ctx(wctx, &fresh_fd);
        if (notifier == nullptr) return run_blocking(sc, s); // eventfd exhausted: synchronous work
        notifier->ref();
        s->set_done(notify_fd, notifier);
    }

    Errc e = sc->submit(s);
    int busy = 0;
    while (e == Errc::Busy && busy++ < kBusyRetries) {
        // Yield to other jobs: make ourselves resumable, pause, retry (QAT's RETRY pattern).
        if (cb_mode) {
            ASYNC_WAIT_CTX_set_status(wctx, ASYNC_STATUS_EAGAIN);
        } else {
            notifier->signal();
        }
        if (ASYNC_pause_job() == 0 || busy > kIdleResumes) std::this_thread::sleep_for(kBusyWait);
        if (notifier != nullptr) notifier->drain();
        e = sc->submit(s);
    }
    if (e != Errc::Ok) {
        if (notifier != nullptr) notifier->unref(); // nothing will complete: the hook never runs
        return acrypto::sched::status_from_errc(e);
    }

    int idle = 0;
    while (!s->done() || fresh_fd) {
        fresh_fd = false; // the completion hook signals the fd: the resume comes at once
        if (cb_mode) ASYNC_WAIT_CTX_set_status(wctx, ASYNC_STATUS_OK);
        if (ASYNC_pause_job() == 0) {
            s->wait(); // context switch failed: block
            break;
        }
        if (notifier != nullptr) notifier->drain();
        if (s->done()) break;
        // Spurious resume, or pausing is blocked and pause returned at once.
        if (++idle >= kIdleResumes) (void)s->wait_for(kIdleWait);
    }
    return s->status();
}

} // namespace

bool inline_preferred_for(ProvCtx *pctx, const Session &s, bool paused) {
    if (s.bound_device() != nullptr) return false;
    const Settings &st = pctx->settings;
    if (!st.inline_auto) // explicit inline-threshold: the static rule
        return st.inline_threshold != 0 && s.step(0).src_len <= st.inline_threshold;
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) return false;
    // The scheduler's cost model: a caller that can pause pays little for an
    // offload; one that cannot (no job, or a job without a wait ctx) waits for all of it.
    return sc->prefer_inline(s.step(0), paused ? acrypto::sched::InlineCaller::Paused
                                               : acrypto::sched::InlineCaller::Blocking);
}

bool caller_can_pause() noexcept {
    ASYNC_JOB *job = ASYNC_get_current_job();
    return job != nullptr && ASYNC_get_wait_ctx(job) != nullptr;
}

bool inline_preferred(ProvCtx *pctx, const Session &s) {
    // The caller's kind is looked up only when the answer depends on it.
    return inline_preferred_for(
        pctx, s, pctx->settings.inline_auto && s.bound_device() == nullptr && caller_can_pause());
}

InlineSession::~InlineSession() {
    if (s_ && generation_ != fork_generation()) abandon();
}

void InlineSession::abandon() noexcept {
    OPENSSL_cleanse(&s_->step(0), sizeof(acrypto_step));
    (void)s_.release();
    held_ = nullptr;
}

Session *InlineSession::arm(const OpOptions &opts,
                            const acrypto::sched::Ref<acrypto::sched::Key> &key) {
    if (s_ && generation_ != fork_generation()) abandon();
    if (!s_) {
        s_ = Session::make(1, 0);
        if (!s_) return nullptr;
        held_ = nullptr;
        generation_ = fork_generation();
    } else if (s_->done()) {
        s_->rearm();
    }
    s_->set_priority(opts.priority);
    if (opts.device[0] != '\0' || s_->bound_device() != nullptr) s_->bind(opts.device);
    s_->step(0) = acrypto_step{};
    if (key.get() != held_) {
        s_->set_key(0, key);
        held_ = key.get();
    } else if (key) {
        s_->step(0).key = &key->c(); // the session still holds this key
    }
    return s_.get();
}

int run_inline_now(ProvCtx *pctx, Session &s) {
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) return ACRYPTO_E_SHUTDOWN;
    int st = sc->run_inline(s);
    if (st == ACRYPTO_E_UNSUPPORTED && s.done()) s.rearm();
    return st;
}

int execute(ProvCtx *pctx, const acrypto::sched::Ref<Session> &s, ExecMode mode) {
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) return ACRYPTO_E_SHUTDOWN;
    if (mode != ExecMode::Offload && inline_preferred(pctx, *s)) {
        int st = run_inline_now(pctx, *s);
        if (st != ACRYPTO_E_UNSUPPORTED) return st;
    }
    ASYNC_JOB *job = mode != ExecMode::NoPause ? ASYNC_get_current_job() : nullptr;
    ASYNC_WAIT_CTX *wctx = job != nullptr ? ASYNC_get_wait_ctx(job) : nullptr;
    // Never pause with a NULL wait ctx (3.0 crash), nor with an error already
    // queued on this thread (it would turn WANT_ASYNC into a hard SSL error).
    if (wctx == nullptr || ERR_peek_error() != 0) return run_blocking(sc, s);
    return run_paused(sc, s, wctx);
}

} // namespace acrypto::prov
