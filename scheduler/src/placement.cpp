// SPDX-License-Identifier: Apache-2.0
// Placement: submit, balancer host, binding, capability-matched candidates, inline runs.
#include <algorithm>
#include <cstring>
#include <vector>

#include "acrypto/sched/thread_heap.hpp"
#include "capability.hpp"
#include "core.hpp"

namespace acrypto::sched {

using detail::Device;
using detail::PlaceMode;
using detail::SessionAccess;

namespace {

/// Candidate scratch kept per thread (in ThreadMemos): keeps the submit path off the heap
/// and off the (32 KiB) ASYNC job stack.
struct CandidateScratch {
    std::vector<acrypto_candidate> cands;
    std::vector<uint32_t> nsteps;
};

/// One remembered inline placement (see run_inline).
struct InlineRoute {
    uint64_t sched_uid;
    uint32_t ndevs, op, alg, mode, dir, flags;
    size_t key_len;
    Device *d;
    const acrypto_capability *cap;
};

/// Inline placements remembered per thread: a streamed digest alternates its
/// steps' flags (an update's partial step, then the final one), and one entry
/// would be replaced on every call.
constexpr uint32_t kInlineRoutes = 4;

/// This thread's last inline placements and cost-model sampling state.
struct InlineMemo {
    InlineRoute routes[kInlineRoutes];
    uint32_t next; ///< the entry a new placement replaces
    uint32_t tick; ///< inline runs on this thread (cost sampling)
    bool explore;  ///< the next inline run was chosen to explore: time it
};

/// Most devices a placement memo covers (a larger registry scans every time).
constexpr uint32_t kPlaceMemoDevs = 16;

/// This thread's last placement scan of a single remaining, unbound step: the
/// capability each device offered for the same (op, alg, mode, direction, flags,
/// key length, input length), i.e. the same find_cap() answer. Capabilities are
/// fixed once a device is open and the registry is append-only, so the entries
/// stay valid while the device count is unchanged; health is checked on each use.
struct PlaceMemo {
    uint64_t sched_uid;
    uint32_t ndevs, op, alg, mode, dir, flags;
    size_t key_len;
    size_t src_len;
    const acrypto_capability *cap[kPlaceMemoDevs]; ///< per device, null: not capable
};

/// This thread's memos (on the heap: see ThreadHeap).
struct ThreadMemos {
    InlineMemo inl{};
    PlaceMemo place{};
    CandidateScratch scratch;
};

/// This thread's memos; nullptr when there are none (no memory, or the thread is exiting):
/// then the caller works with an empty memo of its own and the work is not remembered.
ThreadMemos *thread_memos() noexcept { return ThreadHeap<ThreadMemos>::get(); }

uint64_t step_bytes(const acrypto_session &c, uint32_t cur, uint32_t n) noexcept {
    uint64_t b = 0;
    for (uint32_t i = cur; i < cur + n && i < c.nsteps; ++i) b += c.steps[i].src_len;
    return b;
}

void snapshot_steps(Session &s, uint32_t cur, uint32_t n) noexcept {
    auto &ss = SessionAccess::sched(s);
    for (uint32_t i = 0; i < n && i < 2; ++i) {
        const acrypto_step &st = s.step(cur + i);
        auto &sn = ss.snap[i];
        std::memcpy(sn.iv, st.iv, sizeof(sn.iv));
        sn.num = st.num;
        std::memcpy(sn.tag, st.tag, sizeof(sn.tag));
        std::memcpy(sn.state, st.state, sizeof(sn.state));
        sn.state_len = st.state_len;
    }
}

using detail::InlineModel;

/// Capability priors of the inline model for `st`: the inline device run_inline
/// would pick (hardware first) and the cheapest device to offload to.
void fill_priors(const SchedulerCore::Impl &im, InlineModel::Entry &e, const acrypto_step &st,
                 uint32_t gen) noexcept {
    uint32_t inl[InlineModel::kClasses] = {};
    uint32_t off[InlineModel::kClasses];
    uint32_t svc[InlineModel::kClasses];
    std::fill(std::begin(off), std::end(off), UINT32_MAX);
    std::fill(std::begin(svc), std::end(svc), UINT32_MAX);
    const acrypto_capability *best = nullptr;
    bool best_hw = false;
    for (uint32_t i = 0, n = im.device_count(); i < n; ++i) {
        const Device *d = im.device(i);
        if (!d->healthy()) continue;
        for (const auto &cap : d->caps) {
            if (!detail::cap_matches(cap, st)) continue;
            const bool can_inline = (d->desc.flags & ACRYPTO_DEV_F_INLINE) && d->drv->run_inline_fn;
            const bool hw = (d->desc.flags & ACRYPTO_DEV_F_HARDWARE) != 0;
            if (can_inline && (!best || (hw && !best_hw))) {
                best = &cap;
                best_hw = hw;
            }
            const double rate = cap.bytes_per_sec > 0 ? cap.bytes_per_sec : 1e9;
            for (uint32_t c = 0; c < InlineModel::kClasses; ++c) {
                const double bytes_ns = InlineModel::class_len(c) * 1e9 / rate;
                const double ns = cap.latency_ns + bytes_ns;
                off[c] = std::min<uint32_t>(off[c], ns < UINT32_MAX ? static_cast<uint32_t>(ns)
                                                                    : UINT32_MAX - 1);
                svc[c] = std::min<uint32_t>(svc[c], bytes_ns < UINT32_MAX
                                                        ? static_cast<uint32_t>(bytes_ns)
                                                        : UINT32_MAX - 1);
            }
            break;
        }
    }
    if (best) {
        const double rate = best->bytes_per_sec > 0 ? best->bytes_per_sec : 1e9;
        for (uint32_t c = 0; c < InlineModel::kClasses; ++c) {
            const double ns = InlineModel::kInlineFixedNs + InlineModel::class_len(c) * 1e9 / rate;
            inl[c] = ns < UINT32_MAX ? static_cast<uint32_t>(ns) : UINT32_MAX - 1;
        }
    }
    im.inline_model.set_priors(e, inl, off, svc, gen);
}

/// The model entry for `st` with current priors; nullptr when the table is full.
InlineModel::Entry *model_entry(const SchedulerCore::Impl &im, const acrypto_step &st) noexcept {
    InlineModel::Entry *e = im.inline_model.find(InlineModel::key_of(st));
    if (!e) return nullptr;
    // A device added since the priors were set changes them (health is checked by run_inline).
    const uint32_t gen = im.device_count() + 1;
    if (e->gen.load(std::memory_order_acquire) != gen) fill_priors(im, *e, st, gen);
    return e;
}

} // namespace

bool SchedulerCore::prefer_inline(const acrypto_step &step, InlineCaller caller) const noexcept {
    InlineModel::Entry *e = model_entry(*impl_, step);
    if (!e) return impl_->prefer_inline(step); // table full: the static rule
    const uint32_t c = InlineModel::size_class(step.src_len);
    if (InlineModel::prefers_inline(*e, c, caller == InlineCaller::Paused)) return true;
    if (!InlineModel::explore(*e, c)) return false;
    if (ThreadMemos *m = thread_memos()) m->inl.explore = true; // run_inline times this run
    return true;
}

void SchedulerCore::observe_offload(const acrypto_step &step, uint64_t ns) noexcept {
    if (InlineModel::Entry *e = model_entry(*impl_, step))
        impl_->inline_model.observe_offload(*e, InlineModel::size_class(step.src_len), ns);
}

void SchedulerCore::observe_inline(const acrypto_step &step, uint64_t ns) noexcept {
    if (InlineModel::Entry *e = model_entry(*impl_, step))
        impl_->inline_model.observe_inline(*e, InlineModel::size_class(step.src_len), ns);
}

InlineEstimate SchedulerCore::inline_estimate(const acrypto_step &step) const noexcept {
    InlineEstimate r;
    if (const InlineModel::Entry *e = model_entry(*impl_, step)) {
        const uint32_t c = InlineModel::size_class(step.src_len);
        r.inline_ns = e->inline_prior[c].load(std::memory_order_relaxed)
                          ? InlineModel::inline_cost(*e, c)
                          : 0;
        r.offload_ns = InlineModel::offload_cost(*e, c);
    }
    return r;
}

uint32_t SchedulerCore::worker_wait_permille() const noexcept {
    static_assert(kWaitUnknown == detail::WorkerWait::kUnknown);
    return impl_->worker_wait.permille();
}

Errc SchedulerCore::Impl::enqueue(Device *d, Session &s, uint32_t ncur, PlaceMode mode) {
    auto &ss = SessionAccess::sched(s);
    acrypto_session &c = s.c();
    const uint64_t bytes = step_bytes(c, c.cur, ncur);
    c.ncur = ncur;
    std::memset(c.dev_scratch, 0, sizeof(c.dev_scratch));
    snapshot_steps(s, c.cur, ncur);
    const uint64_t now = detail::coarse_ms();
    {
        std::lock_guard lk(d->mu);
        if (d->queue_closed) return Errc::Shutdown;
        if (d->broken.load(std::memory_order_acquire)) return Errc::DeviceBroken;
        if (mode == PlaceMode::Submit && d->queue.size() >= d->desc.queue_len) return Errc::Busy;
        ss.dev = d->id;
        ss.avoid_dev = detail::kNoDevice;
        ss.in_queue = 1;
        ss.queued_bytes = static_cast<uint32_t>(bytes > UINT32_MAX ? UINT32_MAX : bytes);
        d->queue.push(&s, now);
        d->queued.fetch_add(1, std::memory_order_relaxed);
        d->queued_bytes.fetch_add(ss.queued_bytes, std::memory_order_relaxed);
    }
    d->counters.enqueued.add();
    if (ncur > 1) counters.fused.add();
    // No scheduler lock is held here: the device may dequeue and complete at once.
    if (d->enter()) {
        d->drv->data_ready_fn(d->dev);
        d->leave();
    }
    return Errc::Ok;
}

Errc SchedulerCore::Impl::place(Session &s, PlaceMode mode) {
    auto &ss = SessionAccess::sched(s);
    const acrypto_session &c = s.c();
    if (c.cur >= c.nsteps) return Errc::Internal;
    if (shutting_down.load(std::memory_order_acquire)) return Errc::Shutdown;

    if (c.flags & ACRYPTO_SESSION_F_BOUND) {
        // A bound session runs on its device or fails; it never moves.
        Device *d = find_device(s.bound_device());
        if (!d || !d->healthy()) return Errc::Bound;
        uint32_t n = 0;
        if (!detail::find_cap(d->caps.data(), static_cast<uint32_t>(d->caps.size()), c, c.cur, &n))
            return Errc::Bound;
        Errc e = enqueue(d, s, n, mode);
        return e == Errc::DeviceBroken ? Errc::Bound : e;
    }

    // The last step of a route (no fusion possible) repeats call after call with
    // the same shape: reuse this thread's scan of every device's capabilities.
    ThreadMemos *memos = thread_memos();
    PlaceMemo no_memo{};
    PlaceMemo &memo = memos != nullptr ? memos->place : no_memo;
    CandidateScratch no_scratch; // without memos (thread exit): allocated per call
    CandidateScratch &scratch = memos != nullptr ? memos->scratch : no_scratch;
    auto &cands = scratch.cands;
    auto &nsteps = scratch.nsteps;
    const acrypto_step &st = c.steps[c.cur];
    const size_t key_len = st.key ? st.key->len : 0;
    bool memo_hit = false;
    bool memo_fill = false;
    if (c.cur + 1 == c.nsteps && ss.avoid_dev == detail::kNoDevice) {
        const uint32_t ndev = device_count();
        memo_hit = memo.sched_uid == uid && memo.ndevs == ndev && memo.op == st.op &&
                   memo.alg == st.alg && memo.mode == st.mode && memo.dir == st.dir &&
                   memo.flags == st.flags && memo.key_len == key_len && memo.src_len == st.src_len;
        memo_fill = !memo_hit && ndev <= kPlaceMemoDevs;
    }
    for (uint32_t attempt = 0; attempt < detail::kMaxDevices; ++attempt) {
        cands.clear();
        nsteps.clear();
        bool capable = false;
        Device *avoided = nullptr;
        uint32_t avoided_n = 0;
        const acrypto_capability *avoided_cap = nullptr;
        const uint32_t ndev = memo_hit ? memo.ndevs : device_count();
        if (memo_fill)
            memo = PlaceMemo{uid,    ndev,     st.op,   st.alg,     st.mode,
                             st.dir, st.flags, key_len, st.src_len, {}};
        for (uint32_t i = 0; i < ndev; ++i) {
            Device *d = device(i);
            uint32_t k = 0;
            const acrypto_capability *cap = nullptr;
            if (memo_hit) {
                cap = memo.cap[i];
                k = cap ? 1 : 0;
            } else {
                cap = detail::find_cap(d->caps.data(), static_cast<uint32_t>(d->caps.size()), c,
                                       c.cur, &k);
                if (memo_fill) memo.cap[i] = cap;
            }
            if (!cap || !d->healthy()) continue;
            capable = true;
            const uint32_t q = d->queued.load(std::memory_order_relaxed);
            if (mode == PlaceMode::Submit && q >= d->desc.queue_len) continue;
            if (d->id == ss.avoid_dev) {
                avoided = d;
                avoided_n = k;
                avoided_cap = cap;
                continue;
            }
            acrypto_candidate cd{};
            cd.device_id = d->id;
            cd.name = d->name.c_str();
            cd.queued = q;
            cd.in_flight = d->in_flight.load(std::memory_order_relaxed);
            cd.queue_len = d->desc.queue_len;
            cd.queued_bytes = d->queued_bytes.load(std::memory_order_relaxed);
            cd.cap = cap;
            cd.rate_bps = cap->bytes_per_sec;
            cd.latency_ns = cap->latency_ns;
            cands.push_back(cd);
            nsteps.push_back(k);
        }
        if (cands.empty() && avoided) {
            // The device that just failed is the only one left: retry it there.
            acrypto_candidate cd{};
            cd.device_id = avoided->id;
            cd.name = avoided->name.c_str();
            cd.queued = avoided->queued.load(std::memory_order_relaxed);
            cd.in_flight = avoided->in_flight.load(std::memory_order_relaxed);
            cd.queue_len = avoided->desc.queue_len;
            cd.queued_bytes = avoided->queued_bytes.load(std::memory_order_relaxed);
            cd.cap = avoided_cap;
            cd.rate_bps = avoided_cap->bytes_per_sec;
            cd.latency_ns = avoided_cap->latency_ns;
            cands.push_back(cd);
            nsteps.push_back(avoided_n);
        }
        if (cands.empty()) return capable ? Errc::Busy : Errc::Unsupported;

        const auto n = static_cast<uint32_t>(cands.size());
        int idx = -1;
        if (n == 1 && cands[0].queued < cands[0].queue_len) {
            idx = 0;
        } else {
            detail::BalancerInstance *b = balancer.load(std::memory_order_acquire);
            idx = b->tab->find_device_fn(b->state, &c, cands.data(), n);
        }
        if (idx < 0 || static_cast<uint32_t>(idx) >= n) {
            if (mode == PlaceMode::Submit) return Errc::Busy;
            // A route step or a rehash must not fail because queues are full:
            // overcommit the least-loaded capable device instead.
            idx = 0;
            for (uint32_t i = 1; i < n; ++i)
                if (cands[i].queued + cands[i].in_flight < cands[idx].queued + cands[idx].in_flight)
                    idx = static_cast<int>(i);
        }
        Device *d = device(cands[idx].device_id);
        Errc e = enqueue(d, s, nsteps[idx], mode);
        if (e != Errc::DeviceBroken) return e;
    }
    return Errc::Busy;
}

Errc SchedulerCore::Impl::submit(const Ref<Session> &ref) {
    if (!ref) return Errc::InvalidInput;
    Session &s = *ref;
    if (shutting_down.load(std::memory_order_acquire)) return Errc::Shutdown;
    acrypto_session &c = s.c();
    if (c.nsteps < 1 || c.nsteps > ACRYPTO_MAX_STEPS || c.steps != &s.step(0) ||
        c.cur >= c.nsteps || s.done())
        return Errc::InvalidInput;
    // Later route steps are placed when they come up; refuse now a route that no
    // device could finish (the first step is checked by placement itself).
    if (c.flags & ACRYPTO_SESSION_F_BOUND) {
        Device *d = find_device(s.bound_device());
        for (uint32_t cur = c.cur, k = 0; d && cur < c.nsteps; cur += k) {
            if (!detail::find_cap(d->caps.data(), static_cast<uint32_t>(d->caps.size()), c, cur,
                                  &k)) {
                counters.bound.add();
                return Errc::Bound;
            }
        }
    } else {
        for (uint32_t i = c.cur + 1; i < c.nsteps; ++i) {
            if (!supports(c.steps[i]) && !covered_by_fused(c, i)) {
                counters.unsupported.add();
                return Errc::Unsupported;
            }
        }
    }
    // One submission at a time: a session queued or in flight cannot be submitted again.
    if (SessionAccess::sched(s).submitted.exchange(1, std::memory_order_acq_rel) != 0)
        return Errc::InvalidInput;
    auto &ss = SessionAccess::sched(s);
    ss.retries = 0;
    ss.avoid_dev = detail::kNoDevice;
    s.ref(); // the scheduler's reference while queued or in flight
    const uint32_t prio = c.priority > ACRYPTO_PRIO_MAX ? ACRYPTO_PRIO_MAX : c.priority;
    // Counted before placement: the session may complete before place() returns.
    counters.submitted.add();
    counters.prio_submitted[prio].add();
    ss.submit_ns = detail::latency_sampled(opts.latency_sample) ? detail::mono_ns() : 0;
    Errc e = place(s, PlaceMode::Submit);
    if (e != Errc::Ok) {
        counters.submitted.sub();
        counters.prio_submitted[prio].sub();
        ss.submitted.store(0, std::memory_order_release);
        drop_ref(s);
        switch (e) {
        case Errc::Busy: counters.busy.add(); break;
        case Errc::Unsupported: counters.unsupported.add(); break;
        case Errc::Bound: counters.bound.add(); break;
        default: break;
        }
        return e;
    }
    return Errc::Ok;
}

int SchedulerCore::Impl::run_inline(Session &s) {
    if (shutting_down.load(std::memory_order_acquire)) return ACRYPTO_E_SHUTDOWN;
    acrypto_session &c = s.c();
    if (c.nsteps < 1 || c.nsteps > ACRYPTO_MAX_STEPS || c.cur >= c.nsteps || s.done())
        return ACRYPTO_E_INVALID;
    struct Plan {
        Device *d;
        uint32_t n;
    } plan[ACRYPTO_MAX_STEPS]{};
    uint32_t nplan = 0;
    const bool bound = (c.flags & ACRYPTO_SESSION_F_BOUND) != 0;
    // The common inline case, one unbound step, repeats the same (op, alg, mode,
    // direction, flags, key length) call after call: remember the device and
    // capability the full scan chose on this thread and re-validate them (device
    // health, the capability against this step) instead of scanning every
    // capability of every device again. A device added since invalidates it.
    ThreadMemos *memos = thread_memos();
    InlineMemo no_memo{};
    InlineMemo &memo = memos != nullptr ? memos->inl : no_memo;
    const acrypto_step &first = c.steps[c.cur];
    const size_t first_key_len = first.key ? first.key->len : 0;
    const bool memo_usable = !bound && c.nsteps - c.cur == 1;
    if (memo_usable) {
        const uint32_t ndevs = device_count();
        for (const InlineRoute &r : memo.routes) {
            if (r.sched_uid == uid && r.ndevs == ndevs && r.op == first.op && r.alg == first.alg &&
                r.mode == first.mode && r.dir == first.dir && r.flags == first.flags &&
                r.key_len == first_key_len && r.d->healthy() &&
                detail::cap_steps(*r.cap, c, c.cur) == 1) {
                plan[nplan++] = Plan{r.d, 1};
                break;
            }
        }
    }
    for (uint32_t cur = c.cur + (nplan ? 1 : 0); cur < c.nsteps;) {
        Device *best = nullptr;
        const acrypto_capability *best_cap = nullptr;
        uint32_t best_n = 0;
        for (uint32_t i = 0, n = device_count(); i < n; ++i) {
            Device *d = device(i);
            if (!(d->desc.flags & ACRYPTO_DEV_F_INLINE) || !d->drv->run_inline_fn || !d->healthy())
                continue;
            if (bound && d->name != s.bound_device()) continue;
            uint32_t k = 0;
            const acrypto_capability *cap =
                detail::find_cap(d->caps.data(), static_cast<uint32_t>(d->caps.size()), c, cur, &k);
            if (!cap) continue;
            // Prefer a hardware unit (PadLock) over a software one.
            if (!best || ((d->desc.flags & ACRYPTO_DEV_F_HARDWARE) &&
                          !(best->desc.flags & ACRYPTO_DEV_F_HARDWARE))) {
                best = d;
                best_cap = cap;
                best_n = k;
            }
        }
        if (!best) return ACRYPTO_E_UNSUPPORTED;
        if (memo_usable && best_n == 1) {
            memo.routes[memo.next] =
                InlineRoute{uid,       device_count(), first.op,      first.alg, first.mode,
                            first.dir, first.flags,    first_key_len, best,      best_cap};
            memo.next = (memo.next + 1) % kInlineRoutes;
        }
        plan[nplan++] = Plan{best, best_n};
        cur += best_n;
    }
    // The cost model learns inline time from one run in kSampleEvery per thread
    // (two clock reads), single-step sessions only.
    const bool sample =
        memo_usable && (memo.explore || ++memo.tick % InlineModel::kSampleEvery == 0);
    memo.explore = false;
    const uint64_t t0 = sample ? detail::mono_ns() : 0;
    Device *last = nullptr;
    for (uint32_t i = 0; i < nplan; ++i) {
        Device *d = plan[i].d;
        c.ncur = plan[i].n;
        std::memset(c.dev_scratch, 0, sizeof(c.dev_scratch));
        int rc = ACRYPTO_E_SHUTDOWN;
        if (d->enter()) {
            rc = d->drv->run_inline_fn(d->dev, &c);
            d->leave();
        }
        last = d;
        d->counters.inline_runs.add();
        if (rc != ACRYPTO_OK) {
            d->counters.failed.add();
            counters.inline_failed.add();
            counters.alg_failed[c.steps[c.cur].alg % detail::kAlgSlots].add();
            s.finish(rc, c.cur, d->name.c_str());
            return rc;
        }
        for (uint32_t k = c.cur; k < c.cur + plan[i].n; ++k) {
            counters.alg_steps[c.steps[k].alg % detail::kAlgSlots].add();
            counters.alg_bytes[c.steps[k].alg % detail::kAlgSlots].add(c.steps[k].src_len);
        }
        d->counters.completed.add();
        c.cur += plan[i].n;
    }
    if (sample) {
        const uint64_t ns = detail::mono_ns() - t0;
        if (InlineModel::Entry *e = model_entry(*this, first))
            inline_model.observe_inline(*e, InlineModel::size_class(first.src_len), ns);
    }
    counters.inline_runs.add();
    s.finish(ACRYPTO_OK, 0, last ? last->name.c_str() : nullptr);
    return ACRYPTO_OK;
}

bool SchedulerCore::Impl::covered_by_fused(const acrypto_session &c, uint32_t i) const noexcept {
    if (i == 0) return false;
    for (uint32_t k = 0, n = device_count(); k < n; ++k) {
        Device *d = device(k);
        if (!d->healthy()) continue;
        for (const auto &cap : d->caps)
            if (detail::cap_steps(cap, c, i - 1) == 2) return true;
    }
    return false;
}

bool SchedulerCore::Impl::supports(const acrypto_step &step) const noexcept {
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        if (!d->healthy()) continue;
        for (const auto &cap : d->caps)
            if (detail::cap_matches(cap, step)) return true;
    }
    return false;
}

bool SchedulerCore::Impl::prefer_inline(const acrypto_step &step) const noexcept {
    const size_t thr = inline_threshold.load(std::memory_order_relaxed);
    if (thr == 0 || step.src_len > thr) return false;
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        if (!(d->desc.flags & ACRYPTO_DEV_F_INLINE) || !d->drv->run_inline_fn || !d->healthy())
            continue;
        for (const auto &cap : d->caps)
            if (detail::cap_matches(cap, step)) return true;
    }
    return false;
}

} // namespace acrypto::sched
