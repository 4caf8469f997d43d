// SPDX-License-Identifier: Apache-2.0
// Completion side: burst dequeue, exactly-once completion, routing to the next
// step, retries, failover of a broken device's sessions, shutdown.
#include <cstring>
#include <mutex>

#include "core.hpp"

namespace acrypto::sched {

using detail::Device;
using detail::PlaceMode;
using detail::SessionAccess;

namespace {

/// What SessionSched::holder says while `d` of the scheduler `uid` holds a
/// session: its id + 1, tagged with the scheduler (shutdown scans every session
/// of the process, and several schedulers may live in it).
uint32_t holder_tag(uint64_t uid, const Device *d) noexcept {
    return static_cast<uint32_t>((uid & 0x7fffffu) << 9) | (d->id + 1);
}

void restore_steps(Session &s) noexcept {
    auto &ss = SessionAccess::sched(s);
    const acrypto_session &c = s.c();
    for (uint32_t i = 0; i < c.ncur && i < 2 && c.cur + i < c.nsteps; ++i) {
        acrypto_step &st = s.step(c.cur + i);
        const auto &sn = ss.snap[i];
        std::memcpy(st.iv, sn.iv, sizeof(sn.iv));
        st.num = sn.num;
        std::memcpy(st.tag, sn.tag, sizeof(sn.tag));
        std::memcpy(st.state, sn.state, sizeof(sn.state));
        st.state_len = sn.state_len;
        st.out_len = 0;
    }
}

bool retryable(int status) noexcept {
    return status == ACRYPTO_E_DEVICE || status == ACRYPTO_E_TIMEOUT || status == ACRYPTO_E_BUSY;
}

} // namespace

uint32_t SchedulerCore::Impl::dequeue(Device *d, acrypto_session **out, uint32_t max) {
    const uint64_t now = detail::coarse_ms();
    // Hand-over time, for observe_fn (every session) and the histograms (timed ones).
    const bool observe = balancer.load(std::memory_order_acquire)->tab->observe_fn != nullptr;
    uint64_t t0 = 0;
    uint32_t n = 0;
    {
        std::lock_guard lk(d->mu);
        while (n < max) {
            Session *s = d->queue.pop(now, opts.aging_ms);
            if (!s) break;
            auto &ss = SessionAccess::sched(*s);
            if (!t0 && (observe || ss.submit_ns)) t0 = detail::mono_ns();
            ss.in_queue = 0;
            ss.start_ns = observe || ss.submit_ns ? t0 : 0;
            ss.holder.store(holder_tag(uid, d), std::memory_order_release);
            out[n++] = &s->c();
        }
        if (n) {
            d->queued.fetch_sub(n, std::memory_order_relaxed);
            d->in_flight.fetch_add(n, std::memory_order_relaxed);
        }
    }
    if (n) d->counters.dequeued.add(n);
    return n;
}

void SchedulerCore::Impl::finish_owned(Session &s, int status, uint32_t failed_step, Device *d) {
    const acrypto_session &c = s.c();
    const uint32_t prio = c.priority > ACRYPTO_PRIO_MAX ? ACRYPTO_PRIO_MAX : c.priority;
    // Count before publishing: a waiter woken by finish() sees its session in the stats.
    if (SessionAccess::sched(s).finishing.load(std::memory_order_acquire) == 0) {
        if (status == ACRYPTO_OK) {
            counters.completed.add();
            counters.prio_completed[prio].add();
        } else {
            counters.failed.add();
            if (status == ACRYPTO_E_SHUTDOWN) counters.shutdown.add();
            if (status == ACRYPTO_E_BOUND) counters.bound.add();
            if (failed_step < c.nsteps)
                counters.alg_failed[c.steps[failed_step].alg % detail::kAlgSlots].add();
        }
    }
    // Only the scheduler finishes a session it holds; a false here means the
    // caller finished it by hand meanwhile.
    if (!s.finish(status, failed_step, d ? d->name.c_str() : nullptr)) counters.duplicates.add();
    drop_ref(s);
}

void SchedulerCore::Impl::replace_or_fail(Session &s, Device *from, int fail_status) {
    auto &ss = SessionAccess::sched(s);
    const uint32_t cur = s.c().cur;
    if (shutting_down.load(std::memory_order_acquire)) {
        finish_owned(s, ACRYPTO_E_SHUTDOWN, cur, from);
        return;
    }
    if (s.c().flags & ACRYPTO_SESSION_F_BOUND) {
        finish_owned(s, ACRYPTO_E_BOUND, cur, from);
        return;
    }
    restore_steps(s);
    // enqueue() clears avoid_dev under the queue lock; once queued, the session
    // may already be running elsewhere, so it is not touched again here.
    ss.avoid_dev = from ? from->id : detail::kNoDevice;
    Errc e = place(s, PlaceMode::Continue);
    if (e != Errc::Ok) {
        ss.avoid_dev = detail::kNoDevice;
        finish_owned(s, e == Errc::Shutdown ? ACRYPTO_E_SHUTDOWN : fail_status, cur, from);
    }
}

void SchedulerCore::Impl::complete(Device *d, acrypto_session *cs, int status,
                                   uint32_t steps_done) {
    Session *sp = SessionAccess::from_c(cs);
    auto &ss = SessionAccess::sched(*sp);
    uint32_t expect = holder_tag(uid, d);
    // Exactly once: only the device that holds the session may complete it, once.
    // No lock: nothing but the holder tag records that the device holds it.
    if (!ss.holder.compare_exchange_strong(expect, 0, std::memory_order_acq_rel)) {
        counters.duplicates.add();
        d->counters.duplicates.add();
        logf(d, ACRYPTO_LOG_DEBUG, "dropped a completion for a session it does not hold");
        return;
    }
    Session &s = *sp;
    d->in_flight.fetch_sub(1, std::memory_order_relaxed);
    d->queued_bytes.fetch_sub(ss.queued_bytes, std::memory_order_relaxed);
    const uint64_t bytes = ss.queued_bytes;
    ss.queued_bytes = 0;
    ss.dev = detail::kNoDevice;

    acrypto_session &c = s.c();
    const uint32_t cur = c.cur;
    const bool was_broken = d->broken.load(std::memory_order_acquire);

    if (was_broken && status != ACRYPTO_E_SHUTDOWN) {
        // A late result from a device declared broken is not trusted: run the
        // step again elsewhere (bound sessions fail: they never move).
        d->counters.failed.add();
        counters.retries.add();
        ++ss.retries;
        if (ss.retries > opts.max_retries + detail::kMaxDevices)
            finish_owned(s, ACRYPTO_E_DEVICE, cur, d);
        else
            replace_or_fail(s, d, ACRYPTO_E_DEVICE);
        return;
    }

    if (status == ACRYPTO_OK) {
        if (steps_done == 0 || steps_done > c.ncur) {
            d->counters.failed.add();
            logf(d, ACRYPTO_LOG_ERROR, "completed %u steps of a %u-step hand-over", steps_done,
                 c.ncur);
            finish_owned(s, ACRYPTO_E_INTERNAL, cur, d);
            return;
        }
        d->counters.completed.add();
        d->counters.bytes.add(bytes);
        for (uint32_t k = cur; k < cur + steps_done; ++k) {
            counters.alg_steps[c.steps[k].alg % detail::kAlgSlots].add();
            counters.alg_bytes[c.steps[k].alg % detail::kAlgSlots].add(c.steps[k].src_len);
        }
        const uint64_t now = ss.start_ns || ss.submit_ns ? detail::mono_ns() : 0;
        if (ss.start_ns) {
            const uint64_t ns = now > ss.start_ns ? now - ss.start_ns : 0;
            d->counters.service.record(ns);
            detail::BalancerInstance *b = balancer.load(std::memory_order_acquire);
            if (b->tab->observe_fn) b->tab->observe_fn(b->state, d->id, cs, bytes, ns);
            ss.start_ns = 0;
        }
        c.cur = cur + steps_done;
        if (c.cur >= c.nsteps) {
            counters.record_latency(c.priority, c, ss.submit_ns, now);
            finish_owned(s, ACRYPTO_OK, 0, d);
            return;
        }
        // Routing: the next step is placed on its own.
        SessionAccess::set_last_device(s, d->name.c_str());
        counters.routed.add();
        Errc e = place(s, PlaceMode::Continue);
        if (e != Errc::Ok) finish_owned(s, status_from_errc(e), c.cur, d);
        return;
    }

    d->counters.failed.add();
    if (retryable(status) && !(c.flags & ACRYPTO_SESSION_F_BOUND) &&
        !shutting_down.load(std::memory_order_acquire) && ss.retries < opts.max_retries) {
        ++ss.retries;
        counters.retries.add();
        replace_or_fail(s, d, status);
        return;
    }
    finish_owned(s, status, cur, d);
}

void SchedulerCore::Impl::mark_broken(Device *d, const char *reason) {
    {
        std::lock_guard lk(d->reason_mu);
        d->broken_reason = reason;
    }
    if (!d->broken.exchange(true, std::memory_order_seq_cst)) {
        kernels_stale();
        d->counters.broken.add();
        d->breaks.fetch_add(1, std::memory_order_relaxed);
        logf(d, ACRYPTO_LOG_WARN, "declared broken: %s", reason);
        detail::BalancerInstance *b = balancer.load(std::memory_order_acquire);
        if (b->tab->rehash_fn) b->tab->rehash_fn(b->state, d->id);
    }
    Session *list;
    {
        std::lock_guard lk(d->mu);
        list = d->queue.take_all();
        d->queued.store(0, std::memory_order_relaxed);
    }
    while (list) {
        Session &s = *list;
        auto &ss = SessionAccess::sched(s);
        list = ss.next;
        ss.next = nullptr;
        ss.in_queue = 0;
        ss.dev = detail::kNoDevice;
        d->queued_bytes.fetch_sub(ss.queued_bytes, std::memory_order_relaxed);
        ss.queued_bytes = 0;
        counters.rehashed.add();
        replace_or_fail(s, d, ACRYPTO_E_DEVICE);
    }
}

void SchedulerCore::Impl::shutdown() {
    std::lock_guard guard(shutdown_mu);
    if (shut.load()) return;
    shutting_down.store(true, std::memory_order_seq_cst);
    {
        // Keys dying from now on need not reach devices that are closing.
        std::unique_lock lk(notifier->mu);
        notifier->core = nullptr;
    }
    const uint32_t n = device_count();
    for (uint32_t i = 0; i < n; ++i) {
        Device *d = device(i);
        d->closing.store(true, std::memory_order_seq_cst);
        kernels_stale();
        Session *list;
        {
            std::lock_guard lk(d->mu);
            d->queue_closed = true;
            list = d->queue.take_all();
            d->queued.store(0, std::memory_order_relaxed);
        }
        while (list) {
            Session &s = *list;
            auto &ss = SessionAccess::sched(s);
            list = ss.next;
            ss.next = nullptr;
            ss.in_queue = 0;
            ss.dev = detail::kNoDevice;
            d->queued_bytes.fetch_sub(ss.queued_bytes, std::memory_order_relaxed);
            finish_owned(s, ACRYPTO_E_SHUTDOWN, s.c().cur, nullptr);
        }
    }
    for (uint32_t i = n; i-- > 0;) {
        Device *d = device(i);
        d->wait_idle();
        // close_fn completes what the device holds; those completions see
        // shutting_down and finish their sessions instead of routing them.
        d->drv->close_fn(d->dev);
        d->closed.store(true, std::memory_order_release);
        // What the device still holds after close_fn: sessions tagged with it.
        if (d->in_flight.load(std::memory_order_acquire) != 0) {
            struct Scan {
                Impl *core;
                Device *d;
                uint32_t tag;
            } scan{this, d, holder_tag(uid, d)};
            SessionAccess::for_each(
                [](Session &s, void *arg) {
                    auto *sc = static_cast<Scan *>(arg);
                    auto &ss = SessionAccess::sched(s);
                    uint32_t expect = sc->tag;
                    if (ss.holder.load(std::memory_order_relaxed) != expect ||
                        !ss.holder.compare_exchange_strong(expect, 0, std::memory_order_acq_rel))
                        return;
                    sc->core->logf(sc->d, ACRYPTO_LOG_WARN, "closed without completing a session");
                    sc->d->in_flight.fetch_sub(1, std::memory_order_relaxed);
                    sc->core->finish_owned(s, ACRYPTO_E_SHUTDOWN, s.c().cur, sc->d);
                },
                &scan);
        }
    }
    shut.store(true);
}

} // namespace acrypto::sched
