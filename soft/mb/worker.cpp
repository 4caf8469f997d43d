// SPDX-License-Identifier: Apache-2.0
// Worker loop: dequeue bursts into lanes, complete in order, flush on deadline, idle or request.
#include "acrypto/soft/mb/worker.hpp"

#include <algorithm>
#include <cstdio>

#include <pthread.h>

namespace acrypto::soft::mb {

uint64_t budget_ns(uint64_t flush_ns, uint32_t prio) noexcept {
    if (prio > ACRYPTO_PRIO_MAX) prio = ACRYPTO_PRIO_MAX;
    return flush_ns * (8u - prio) / 4u;
}

bool hashes_prefer_sse(Arch a, uint64_t features) noexcept {
    return (a == Arch::Avx2 || a == Arch::Avx) && (features & IMB_FEATURE_SHANI) &&
           arch_supported(Arch::Sse, features);
}

std::unique_ptr<Worker> Worker::create(const WorkerParams &p, std::string *why) {
    ManagerPtr mgr = make_manager(p.arch, why);
    if (!mgr) return nullptr;
    ManagerPtr hash_mgr;
    if (p.hash_on_sse) {
        hash_mgr = make_manager(Arch::Sse, why);
        if (!hash_mgr) return nullptr;
    }
    return std::unique_ptr<Worker>(new Worker(p, std::move(mgr), std::move(hash_mgr)));
}

Worker::Worker(const WorkerParams &p, ManagerPtr mgr, ManagerPtr hash_mgr)
    : p_(p), mgr_(std::move(mgr)), hash_mgr_(std::move(hash_mgr)), cache_(mgr_.get()),
      ring_(new Slot[kRing]) {
    mgrs_[0] = mgr_.get();
    mgrs_[1] = hash_mgr_ ? hash_mgr_.get() : mgr_.get();
}

Worker::~Worker() {
    stop();
    for (uint32_t i = 0; i < kRing; ++i) secure_wipe(&ring_[i], sizeof(Slot));
}

void Worker::start() {
    thread_ = std::thread([this] { run(); });
    char name[16];
    std::snprintf(name, sizeof name, "acrypto-mb%u", p_.index);
    pthread_setname_np(thread_.native_handle(), name);
}

void Worker::stop() noexcept {
    stop_.store(true, std::memory_order_release);
    bell_.ring();
    if (thread_.joinable()) thread_.join();
}

void Worker::request_flush() noexcept {
    flush_req_.store(true, std::memory_order_release);
    bell_.ring();
}

uint64_t Worker::min_deadline() noexcept {
    if (min_stale_) {
        uint64_t m = UINT64_MAX;
        for (uint64_t q = head_; q < tail_; ++q) {
            const Slot &slot = ring_[q % kRing];
            if (slot.session && slot.deadline_ns < m) m = slot.deadline_ns;
        }
        min_deadline_ = m;
        min_stale_ = false;
    }
    return min_deadline_;
}

void Worker::complete(acrypto_session *s, int status) noexcept {
    stats_.add(WorkerStat::Sessions);
    if (status != ACRYPTO_OK) stats_.add(WorkerStat::Errors);
    if (status == ACRYPTO_E_VERIFY) stats_.add(WorkerStat::VerifyFailures);
    p_.hops->complete_fn(p_.host, s, status, 1);
}

void Worker::finish_session(Slot &slot) noexcept {
    int rc = finish_step(slot);
    if (slot.key) --slot.key->in_use;
    acrypto_session *s = slot.session;
    uint64_t waited = now_ > slot.admit_ns ? now_ - slot.admit_ns : 0;
    stats_.add(WorkerStat::WaitNs, waited);
    stats_.max(WorkerStat::WaitMaxNs, waited);
    stats_.add(WorkerStat::Bytes, slot.step->src_len);
    slot.session = nullptr;
    slot.step = nullptr;
    slot.key = nullptr;
    while (head_ < tail_ && ring_[head_ % kRing].session == nullptr) ++head_;
    if (slot.deadline_ns <= min_deadline_) min_stale_ = true;
    complete(s, rc);
}

void Worker::drain(uint8_t m, IMB_JOB *first) noexcept {
    // The manager returns one job per call in steady state; what it had to
    // work with when it produced one is the lane fill.
    stats_.batch(jobs_in_mgr_[m]);
    for (IMB_JOB *job = first; job; job = IMB_GET_COMPLETED_JOB(mgrs_[m])) {
        --jobs_in_mgr_[m];
        auto *slot = static_cast<Slot *>(job->user_data);
        int rc = status_from_job(job);
        if (rc != ACRYPTO_OK && slot->status == ACRYPTO_OK) slot->status = rc;
        if (--slot->parts_left == 0) {
            if (next_chunk(*slot)) {
                resubmit_[nresubmit_++] = slot;
            } else {
                finish_session(*slot);
            }
        }
    }
}

void Worker::submit_slot(Slot &slot) noexcept {
    uint32_t n = slot.nparts;
    uint8_t m = slot.mgr;
    for (uint32_t i = 0; i < n; ++i) {
        IMB_JOB *job = IMB_GET_NEXT_JOB(mgrs_[m]);
        fill_job(slot, i, job);
        stats_.add(WorkerStat::Jobs);
        ++jobs_in_mgr_[m];
        if (IMB_JOB *done = IMB_SUBMIT_JOB(mgrs_[m])) drain(m, done);
    }
}

void Worker::pump_resubmits() noexcept {
    while (nresubmit_) submit_slot(*resubmit_[--nresubmit_]);
}

void Worker::fail_all(int status) noexcept {
    // The manager says nothing is left while sessions are still out: it lost
    // jobs. Finish what we hold and stop taking work.
    p_.hops->mark_broken_fn(p_.host, "mb: intel-ipsec-mb manager lost track of in-flight jobs");
    for (uint64_t q = head_; q < tail_; ++q) {
        Slot &slot = ring_[q % kRing];
        if (!slot.session) continue;
        acrypto_session *s = slot.session;
        if (slot.key) --slot.key->in_use;
        slot.session = nullptr;
        complete(s, status);
    }
    head_ = tail_;
    nresubmit_ = 0;
    jobs_in_mgr_[0] = jobs_in_mgr_[1] = 0;
    min_deadline_ = UINT64_MAX;
    min_stale_ = false;
}

void Worker::flush_one() noexcept {
    if (nresubmit_) {
        pump_resubmits();
        return;
    }
    // Push the oldest session along: flush the manager that holds its job.
    uint8_t m = ring_[head_ % kRing].mgr;
    if (!jobs_in_mgr_[m]) m = m ^ 1;
    IMB_JOB *job = jobs_in_mgr_[m] ? IMB_FLUSH_JOB(mgrs_[m]) : nullptr;
    if (!job) {
        fail_all(ACRYPTO_E_DEVICE);
        return;
    }
    drain(m, job);
    pump_resubmits();
}

void Worker::flush_all(WorkerStat cause) noexcept {
    if (!inflight()) return;
    stats_.add(cause);
    while (inflight()) flush_one();
}

void Worker::flush_until(uint64_t now) noexcept {
    if (min_deadline() > now) return;
    stats_.add(WorkerStat::FlushDeadline);
    while (inflight() && min_deadline() <= now) flush_one();
}

uint32_t Worker::pull() noexcept {
    const uint64_t now = now_;
    if (inflight() == kRing) {
        stats_.add(WorkerStat::FlushFull);
        flush_one();
    }
    uint32_t max = std::min(kRing - inflight(), kMaxBurst);
    if (max == 0) return 0;
    acrypto_session *burst[kMaxBurst];
    uint32_t n = p_.hops->dequeue_fn(p_.host, burst, max);
    if (n == 0) return 0;
    n = std::min(n, max);

    // Phase 1, under the key cache lock: resolve each step and its key schedule.
    // Completions wait for phase 2: a completion may free a key, and key_free
    // takes this lock.
    struct Done {
        acrypto_session *s;
        int status;
    };
    Done rejected[kMaxBurst];
    uint32_t nrej = 0;
    uint64_t first = tail_;
    {
        auto guard = cache_.lock();
        for (uint32_t i = 0; i < n; ++i) {
            acrypto_session *s = burst[i];
            if (!s->steps || s->cur >= s->nsteps) {
                rejected[nrej++] = {s, ACRYPTO_E_INVALID};
                continue;
            }
            acrypto_step &st = s->steps[s->cur];
            Slot &slot = ring_[tail_ % kRing];
            int rc = plan_step(st, &slot.plan);
            if (rc == kNoWork) {
                st.out_len = 0;
                rejected[nrej++] = {s, ACRYPTO_OK};
                continue;
            }
            if (rc != 0) {
                rejected[nrej++] = {s, rc};
                continue;
            }
            if (slot.plan.kind == OpKind::Hmac && st.src_len == 0) {
                rc = hmac_empty(mgrs_[1], st, slot.plan.digest_len);
                if (rc == ACRYPTO_OK) st.out_len = slot.plan.digest_len;
                rejected[nrej++] = {s, rc};
                continue;
            }
            KeySchedule *ks = nullptr;
            if (slot.plan.kind != OpKind::Digest) {
                ks = cache_.get(*st.key, slot.plan.schedule, slot.plan.hash_alg, &rc);
                if (!ks) {
                    rejected[nrej++] = {s, rc};
                    continue;
                }
                ++ks->in_use;
            }
            slot.session = s;
            slot.step = &st;
            slot.key = ks;
            // SHA-NI covers SHA-1 and SHA-256 only; SHA-384/512 keep the wide lanes.
            slot.mgr =
                hash_mgr_ && (slot.plan.kind == OpKind::Hmac || slot.plan.kind == OpKind::Digest) &&
                        slot.plan.hash_alg <= ACRYPTO_ALG_SHA256
                    ? 1
                    : 0;
            slot.admit_ns = now;
            slot.deadline_ns = now + budget_ns(p_.flush_ns, s->priority);
            if (slot.deadline_ns < min_deadline_) min_deadline_ = slot.deadline_ns;
            ++tail_;
        }
    }
    // Phase 2: report what needs no job, then fill lanes.
    for (uint32_t i = 0; i < nrej; ++i) complete(rejected[i].s, rejected[i].status);
    for (uint64_t q = first; q < tail_; ++q) {
        Slot &slot = ring_[q % kRing];
        if (digest_direct(mgrs_[1], slot)) {
            finish_session(slot);
            continue;
        }
        prepare_parts(slot);
        submit_slot(slot);
    }
    pump_resubmits();
    return n;
}

bool Worker::poll_queue() noexcept {
    const uint64_t until = now_ns() + p_.poll_ns;
    do {
        for (int i = 0; i < 64; ++i) __builtin_ia32_pause();
        if (stop_.load(std::memory_order_relaxed) || flush_req_.load(std::memory_order_relaxed))
            return true;
        if (p_.hops->pending_fn && p_.hops->pending_fn(p_.host) != 0) {
            stats_.add(WorkerStat::PollHits);
            return true;
        }
    } while (now_ns() < until);
    return false;
}

void Worker::run() noexcept {
    uint64_t linger_start = 0;
    while (!stop_.load(std::memory_order_acquire)) {
        now_ = now_ns();
        uint32_t got = pull();
        if (flush_req_.load(std::memory_order_relaxed) &&
            flush_req_.exchange(false, std::memory_order_acq_rel)) {
            flush_all(WorkerStat::FlushRequested);
        }
        if (inflight()) flush_until(now_);
        if (got) {
            linger_start = 0;
            continue;
        }
        if (inflight()) {
            // Nothing queued and a partial batch waits. Optionally linger for
            // more sessions, never past the earliest deadline; then flush.
            if (p_.linger_ns) {
                uint64_t t = now_;
                if (!linger_start) linger_start = t;
                uint64_t until = std::min(linger_start + p_.linger_ns, min_deadline());
                if (t < until) {
                    uint32_t seen = bell_.prepare(Doorbell::Mode::Linger);
                    if (stop_.load(std::memory_order_acquire) ||
                        flush_req_.load(std::memory_order_acquire) || pull()) {
                        bell_.cancel();
                        linger_start = 0;
                        continue;
                    }
                    stats_.add(WorkerStat::FlushWaits);
                    bell_.wait(seen, until - t);
                    continue;
                }
            }
            linger_start = 0;
            flush_all(WorkerStat::FlushIdle);
            continue;
        }
        // Nothing held, nothing queued. Callers resumed by the batch just completed
        // submit again within microseconds: looking for them a little while saves
        // this thread a futex sleep and them the system call that wakes it.
        if (p_.poll_ns && poll_queue()) continue;
        uint32_t seen = bell_.prepare();
        if (stop_.load(std::memory_order_acquire) || flush_req_.load(std::memory_order_acquire)) {
            bell_.cancel();
            flush_req_.store(false, std::memory_order_relaxed);
            continue;
        }
        if (pull()) {
            bell_.cancel();
            continue;
        }
        stats_.add(WorkerStat::Sleeps);
        bell_.wait(seen, 0);
    }
    while (inflight()) flush_one();
}

} // namespace acrypto::soft::mb
