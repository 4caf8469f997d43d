// SPDX-License-Identifier: Apache-2.0
// FastcryptDevice: ring thread, job splitting and IV chaining, bounce buffers, recovery.
#include "device.hpp"

#include <algorithm>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace acrypto::hw::fastcrypt {

const char *const COUNTER_NAMES[] = {"sessions_in",
                                     "sessions_ok",
                                     "sessions_invalid",
                                     "sessions_unsupported",
                                     "sessions_failed",
                                     "sessions_shutdown",
                                     "descriptors",
                                     "bytes",
                                     "split_sessions",
                                     "ring_full",
                                     "resubmitted",
                                     "desc_err_bad_control",
                                     "desc_err_bad_length",
                                     "desc_err_bad_align",
                                     "desc_err_overlap",
                                     "desc_err_addr_range",
                                     "desc_err_src_dma",
                                     "desc_err_dst_dma",
                                     "interrupts",
                                     "spurious_irqs",
                                     "polled_completions",
                                     "fault_fatal",
                                     "fault_removed",
                                     "fault_bad_head",
                                     "fault_not_done",
                                     "fault_bad_status",
                                     "fault_cookie",
                                     "fault_timeout",
                                     "fault_writeback",
                                     "resets",
                                     "recovered",
                                     "self_tests",
                                     "broken"};
static_assert(sizeof(COUNTER_NAMES) / sizeof(COUNTER_NAMES[0]) ==
              static_cast<size_t>(Counter::Count));

namespace {

constexpr uint32_t BLOCK = 8;
constexpr uint32_t MAX_CHUNK = 65536; ///< bounce buffer size cap, bytes

Counter fault_counter(FaultCause c) {
    switch (c) {
    case FaultCause::Fatal: return Counter::FaultFatal;
    case FaultCause::Removed: return Counter::FaultRemoved;
    case FaultCause::BadHead: return Counter::FaultBadHead;
    case FaultCause::NotDone: return Counter::FaultNotDone;
    case FaultCause::BadStatus: return Counter::FaultBadStatus;
    case FaultCause::CookieMismatch: return Counter::FaultCookie;
    case FaultCause::Timeout: return Counter::FaultTimeout;
    case FaultCause::BadWriteback: return Counter::FaultWriteback;
    case FaultCause::None: break;
    }
    return Counter::FaultBadStatus;
}

} // namespace

/// One session being served.
struct FastcryptDevice::Job {
    acrypto_session *s = nullptr;
    acrypto_step *st = nullptr;
    Alg alg = Alg::Des;
    Mode mode = Mode::Ecb;
    Dir dir = Dir::Encrypt;
    uint8_t key[24] = {};
    size_t len = 0;
    size_t next_off = 0;      ///< bytes already cut into pieces
    size_t done = 0;          ///< bytes completed
    uint8_t chain[8] = {};    ///< IV of the next piece to cut
    uint32_t outstanding = 0; ///< pieces posted or waiting for a re-post
    uint32_t retries = 0;
    int status = ACRYPTO_OK;
    std::vector<uint8_t> stage; ///< in-place multi-piece: output held until the end
    ~Job() {
        explicit_bzero(key, sizeof key);
        explicit_bzero(chain, sizeof chain);
        if (!stage.empty()) explicit_bzero(stage.data(), stage.size());
    }
};

/// One descriptor's worth of a job.
struct FastcryptDevice::Piece {
    Job *job = nullptr;
    size_t off = 0;
    uint32_t len = 0;
    uint8_t iv_in[8] = {};
    uint8_t last_in[8] = {}; ///< last input block (CBC decrypt chaining value), read at post
    uint32_t bounce = 0;
    uint32_t cookie = 0;
    bool has_bounce = false;
};

FastcryptDevice::FastcryptDevice(std::unique_ptr<Transport> t, const DriverConfig &cfg,
                                 std::string name, acrypto_host *host, const acrypto_host_ops *hops)
    : transport_(std::move(t)), cfg_(cfg), name_(std::move(name)), host_(host), hops_(hops),
      fpi_(*transport_->mmio, *transport_->arena, *transport_->irq,
           EngineOptions{cfg.ring_size, cfg.ready_timeout, std::chrono::milliseconds(1000)}) {}

Result<std::unique_ptr<FastcryptDevice>> FastcryptDevice::open(std::unique_ptr<Transport> t,
                                                               const DriverConfig &cfg,
                                                               std::string name, acrypto_host *host,
                                                               const acrypto_host_ops *hops) {
    std::unique_ptr<FastcryptDevice> d(
        new FastcryptDevice(std::move(t), cfg, std::move(name), host, hops));
    if (auto r = d->bring_up(); !r)
        return Error{r.error().code, d->name_ + ": " + r.error().message};
    d->info_ = d->fpi_.info();
    d->chunk_ = std::min(d->info_.max_xfer, MAX_CHUNK);
    const uint32_t n = cfg.inflight();
    for (uint32_t i = 0; i < n; ++i) {
        DmaBuf b = d->transport_->arena->alloc(d->chunk_, 64);
        if (!b) return Error{Errc::NoMemory, d->name_ + ": no DMA memory for bounce buffers"};
        if (!d->info_.dma64 && b.bus + b.size > (1ull << 32))
            return Error{Errc::NoMemory, d->name_ + ": bounce buffer above 4 GiB without DMA64"};
        d->bounce_.push_back(b);
        d->free_bounce_.push_back(n - 1 - i);
    }
    d->by_slot_.resize(cfg.ring_size);
    d->kick_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (d->kick_fd_ < 0) return Error{Errc::NoMemory, d->name_ + ": eventfd failed"};
    d->build_caps();
    d->thread_ = std::thread([p = d.get()] { p->thread_main(); });
    return d;
}

Result<void> FastcryptDevice::bring_up() {
    count(Counter::Resets);
    auto info = fpi_.reset();
    if (!info) return info.error();
    if (auto r = fpi_.start_ring(); !r) return r;
    count(Counter::SelfTests);
    return fpi_.self_test();
}

void FastcryptDevice::build_caps() {
    // Rates describe the model on a 2-vCPU x86-64 host (libcrypto DES speed plus the
    // ring round trip); no figures for the real card are public (spec F6).
    auto add = [&](uint32_t alg, uint32_t mode, uint32_t kmin, uint32_t kmax, uint32_t kstep,
                   double bps) {
        acrypto_capability c{};
        c.op = ACRYPTO_OP_CIPHER;
        c.alg = alg;
        c.mode = mode;
        c.dirs = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
        c.key_min = kmin;
        c.key_max = kmax;
        c.key_step = kstep;
        c.flags = ACRYPTO_CAP_F_BLOCK_MULTIPLE;
        c.max_input = 0; // any size: the adapter splits at MAX_XFER
        c.latency_ns = 40000;
        c.bytes_per_sec = bps;
        c.ops_per_sec = 25000;
        caps_.push_back(c);
    };
    for (Mode m : {Mode::Ecb, Mode::Cbc}) {
        if ((m == Mode::Ecb && !info_.ecb) || (m == Mode::Cbc && !info_.cbc)) continue;
        const uint32_t mode = m == Mode::Ecb ? ACRYPTO_MODE_ECB : ACRYPTO_MODE_CBC;
        if (info_.des) add(ACRYPTO_ALG_DES, mode, 8, 8, 0, 60e6);
        if (info_.triple_des) add(ACRYPTO_ALG_DES_EDE3, mode, 16, 24, 8, 25e6);
    }
    desc_.struct_size = sizeof desc_;
    desc_.flags = ACRYPTO_DEV_F_HARDWARE;
    desc_.name = name_.c_str();
    desc_.queue_len = cfg_.inflight() * 2;
    desc_.max_burst = cfg_.inflight();
    desc_.caps = caps_.data();
    desc_.ncaps = static_cast<uint32_t>(caps_.size());
}

FastcryptDevice::~FastcryptDevice() {
    close();
    for (const DmaBuf &b : bounce_) {
        explicit_bzero(b.cpu, b.size);
        transport_->arena->free(b);
    }
    if (kick_fd_ >= 0) ::close(kick_fd_);
}

void FastcryptDevice::log(int level, const std::string &msg) {
    if (hops_ != nullptr && hops_->log_fn != nullptr)
        hops_->log_fn(host_, level, (name_ + ": " + msg).c_str());
}

void FastcryptDevice::complete(acrypto_session *s, int status, uint32_t steps) {
    switch (status) {
    case ACRYPTO_OK: count(Counter::SessionsOk); break;
    case ACRYPTO_E_INVALID: count(Counter::SessionsInvalid); break;
    case ACRYPTO_E_UNSUPPORTED: count(Counter::SessionsUnsupported); break;
    case ACRYPTO_E_SHUTDOWN: count(Counter::SessionsShutdown); break;
    default: count(Counter::SessionsFailed); break;
    }
    hops_->complete_fn(host_, s, status, steps);
}

void FastcryptDevice::data_ready() noexcept {
    const uint64_t one = 1;
    if (kick_fd_ >= 0) (void)!::write(kick_fd_, &one, sizeof one);
}

void FastcryptDevice::stats(acrypto_stat *out, uint32_t max, uint32_t *n) const noexcept {
    uint32_t i = 0;
    for (; i < max && i < static_cast<uint32_t>(Counter::Count); ++i) {
        out[i].name = COUNTER_NAMES[i];
        out[i].value = ctr_[i].load(std::memory_order_relaxed);
    }
    *n = i;
}

int FastcryptDevice::self_test(std::string *why) {
    std::unique_lock lk(st_mu_);
    if (closed_.load()) {
        if (why) *why = name_ + ": closed";
        return ACRYPTO_E_SHUTDOWN;
    }
    st_requested_ = true;
    st_done_ = false;
    lk.unlock();
    data_ready();
    lk.lock();
    const auto limit = cfg_.watchdog * 2 + std::chrono::seconds(2);
    if (!st_cv_.wait_for(lk, limit, [&] { return st_done_; })) {
        st_requested_ = false;
        if (why) *why = name_ + ": self-test did not run in time";
        return ACRYPTO_E_TIMEOUT;
    }
    if (why) *why = st_why_;
    return st_status_;
}

// ---- ring thread -----------------------------------------------------------------------------

void FastcryptDevice::accept(acrypto_session *s) {
    count(Counter::SessionsIn);
    if (s == nullptr) return;
    if (broken_) {
        complete(s, ACRYPTO_E_DEVICE, 0);
        return;
    }
    if (s->steps == nullptr || s->cur >= s->nsteps) {
        complete(s, ACRYPTO_E_INVALID, 0);
        return;
    }
    acrypto_step *st = &s->steps[s->cur];
    const bool des = st->alg == ACRYPTO_ALG_DES && info_.des;
    const bool tdes = st->alg == ACRYPTO_ALG_DES_EDE3 && info_.triple_des;
    const bool ecb = st->mode == ACRYPTO_MODE_ECB && info_.ecb;
    const bool cbc = st->mode == ACRYPTO_MODE_CBC && info_.cbc;
    if (st->op != ACRYPTO_OP_CIPHER || !(des || tdes) || !(ecb || cbc) ||
        (st->dir != ACRYPTO_DIR_ENCRYPT && st->dir != ACRYPTO_DIR_DECRYPT)) {
        complete(s, ACRYPTO_E_UNSUPPORTED, 0);
        return;
    }
    const acrypto_key *k = st->key;
    const bool key_ok =
        k != nullptr && k->data != nullptr && (des ? k->len == 8 : (k->len == 16 || k->len == 24));
    // Only whole blocks reach the device: the provider owns padding (spec §3.6).
    const bool len_ok = st->src_len % BLOCK == 0 && st->dst_len >= st->src_len &&
                        (st->src_len == 0 || (st->src != nullptr && st->dst != nullptr));
    if (!key_ok || !len_ok || (cbc && st->iv_len != BLOCK)) {
        complete(s, ACRYPTO_E_INVALID, 0);
        return;
    }
    if (st->src_len == 0) {
        st->out_len = 0;
        complete(s, ACRYPTO_OK, 1);
        return;
    }
    auto j = std::make_unique<Job>();
    j->s = s;
    j->st = st;
    j->alg = des ? Alg::Des : Alg::TripleDes;
    j->mode = ecb ? Mode::Ecb : Mode::Cbc;
    j->dir = st->dir == ACRYPTO_DIR_ENCRYPT ? Dir::Encrypt : Dir::Decrypt;
    std::memcpy(j->key, k->data, k->len);
    if (tdes && k->len == 16) std::memcpy(j->key + 16, k->data, 8); // two-key: K1|K2|K1
    j->len = st->src_len;
    if (cbc) std::memcpy(j->chain, st->iv, BLOCK);
    const auto src_a = reinterpret_cast<uintptr_t>(st->src),
               dst_a = reinterpret_cast<uintptr_t>(st->dst);
    const bool in_place = src_a < dst_a + j->len && dst_a < src_a + j->len;
    if (j->len > chunk_) {
        count(Counter::Split);
        // A piece's input must survive until that piece completes (a re-post reads it
        // again), so in-place output is held back until every piece is done.
        if (in_place) j->stage.resize(j->len);
    }
    jobs_.push_back(std::move(j));
}

bool FastcryptDevice::dequeue_more(uint32_t room) {
    if (room == 0) return false;
    acrypto_session *got[64];
    const uint32_t want = std::min<uint32_t>(room, 64);
    const uint32_t n = hops_->dequeue_fn(host_, got, want);
    for (uint32_t i = 0; i < n && i < want; ++i) accept(got[i]);
    return n > 0;
}

bool FastcryptDevice::next_piece(Piece &p) {
    for (auto &jp : jobs_) {
        Job *j = jp.get();
        if (j->status != ACRYPTO_OK || j->next_off >= j->len) continue;
        // CBC encryption chains on the previous piece's output: one piece at a time.
        if (j->mode == Mode::Cbc && j->dir == Dir::Encrypt && j->outstanding != 0) continue;
        p = Piece{};
        p.job = j;
        p.off = j->next_off;
        p.len = static_cast<uint32_t>(std::min<size_t>(j->len - j->next_off, chunk_));
        std::memcpy(p.iv_in, j->chain, BLOCK);
        j->next_off += p.len;
        ++j->outstanding;
        if (j->mode == Mode::Cbc && j->dir == Dir::Decrypt)
            std::memcpy(j->chain, j->st->src + p.off + p.len - BLOCK, BLOCK);
        return true;
    }
    return false;
}

bool FastcryptDevice::post_piece(Piece &p, bool irq) {
    Job *j = p.job;
    const uint32_t b = free_bounce_.back();
    const DmaBuf &buf = bounce_[b];
    std::memcpy(buf.cpu, j->st->src + p.off, p.len);
    std::memcpy(p.last_in, buf.cpu + p.len - BLOCK, BLOCK);
    Request r;
    r.alg = j->alg;
    r.mode = j->mode;
    r.dir = j->dir;
    r.irq = irq;
    r.iv_writeback = j->mode == Mode::Cbc && info_.iv_writeback;
    r.length = p.len;
    r.src = r.dst = buf.bus; // in place inside the bounce buffer
    std::memcpy(r.key, j->key, sizeof r.key);
    std::memcpy(r.iv, p.iv_in, BLOCK);
    p.cookie = r.cookie = ++cookie_seq_;
    const bool was_idle = fpi_.in_flight() == 0;
    auto slot = fpi_.post(r, FpiEngine::Doorbell::Defer);
    explicit_bzero(r.key, sizeof r.key);
    if (!slot) return false;
    free_bounce_.pop_back();
    p.bounce = b;
    p.has_bounce = true;
    if (was_idle) last_progress_ = std::chrono::steady_clock::now();
    count(Counter::Descriptors);
    by_slot_[slot.value()] = std::make_unique<Piece>(p);
    return true;
}

void FastcryptDevice::fill() {
    // Cut as many pieces as the ring and the bounce pool take, then post them as one batch:
    // one doorbell, and an interrupt only every IRQ_EVERY descriptors and on the last one
    // (earlier completions are reaped with it; errors always interrupt).
    constexpr size_t IRQ_EVERY = 8;
    for (;;) {
        const size_t room =
            std::min<size_t>(free_bounce_.size(), fpi_.capacity() - fpi_.in_flight());
        if (room == 0) {
            const bool waiting = !retry_.empty() ||
                                 std::any_of(jobs_.begin(), jobs_.end(),
                                             [](const auto &j) { return j->next_off < j->len; }) ||
                                 (hops_->pending_fn != nullptr && hops_->pending_fn(host_) > 0);
            if (waiting) count(Counter::RingFull); // busy: the work stays queued, nothing fails
            return;
        }
        batch_.clear();
        while (batch_.size() < room) {
            Piece p;
            if (!retry_.empty()) {
                p = *retry_.front();
                retry_.pop_front();
                if (p.job->status != ACRYPTO_OK) {
                    --p.job->outstanding;
                    maybe_finish(p.job);
                    continue;
                }
                count(Counter::Resubmitted);
            } else if (!next_piece(p)) {
                if (!dequeue_more(static_cast<uint32_t>(room - batch_.size()))) break;
                continue;
            }
            batch_.push_back(p);
        }
        if (batch_.empty()) return;
        for (size_t i = 0; i < batch_.size(); ++i) {
            const bool irq = (i + 1) % IRQ_EVERY == 0 || i + 1 == batch_.size();
            if (!post_piece(batch_[i], irq)) {
                // Cannot happen with room computed above; keep the pieces and stop filling.
                for (size_t k = batch_.size(); k-- > i;)
                    retry_.push_front(std::make_unique<Piece>(batch_[k]));
                fpi_.ring_doorbell();
                return;
            }
        }
        fpi_.ring_doorbell();
    }
}

void FastcryptDevice::maybe_finish(Job *j) {
    if (j->outstanding != 0) return;
    if (j->status == ACRYPTO_OK && j->done < j->len) return;
    acrypto_step *st = j->st;
    if (j->status == ACRYPTO_OK) {
        if (!j->stage.empty()) std::memcpy(st->dst, j->stage.data(), j->len);
        st->out_len = j->len;
        if (j->mode == Mode::Cbc) std::memcpy(st->iv, j->chain, BLOCK);
        count(Counter::Bytes, j->len);
    }
    acrypto_session *s = j->s;
    const int status = j->status;
    auto it = std::find_if(jobs_.begin(), jobs_.end(), [&](const auto &p) { return p.get() == j; });
    if (it != jobs_.end()) jobs_.erase(it); // wipes the key copy
    complete(s, status, status == ACRYPTO_OK ? 1 : 0);
}

void FastcryptDevice::on_completion(const Completion &c, std::optional<FaultCause> &fault) {
    std::unique_ptr<Piece> pp = std::move(by_slot_[c.slot]);
    if (!pp || pp->cookie != c.cookie) {
        // The engine checked the device's cookie against the slot; a miss here means the
        // slot table and the ring disagree, which only a bad write-back can cause.
        fault = FaultCause::CookieMismatch;
        if (pp) by_slot_[c.slot] = std::move(pp);
        return;
    }
    Piece &p = *pp;
    Job *j = p.job;
    const DmaBuf &buf = bounce_[p.bounce];
    if (c.result == DescResult::Ok) {
        uint8_t chain[8];
        if (j->mode == Mode::Cbc) {
            std::memcpy(chain, j->dir == Dir::Encrypt ? buf.cpu + p.len - BLOCK : p.last_in, BLOCK);
            // Nothing the device writes back is trusted: the chaining value must match.
            if (info_.iv_writeback && std::memcmp(chain, c.iv, BLOCK) != 0) {
                fault = FaultCause::BadWriteback;
                by_slot_[c.slot] = std::move(pp); // treated as lost: re-posted after reset
                return;
            }
        }
        if (j->status == ACRYPTO_OK) {
            uint8_t *out = j->stage.empty() ? j->st->dst : j->stage.data();
            std::memcpy(out + p.off, buf.cpu, p.len);
            j->done += p.len;
            if (j->mode == Mode::Cbc && j->dir == Dir::Encrypt) std::memcpy(j->chain, chain, BLOCK);
        }
        explicit_bzero(buf.cpu, p.len);
        free_bounce_.push_back(p.bounce);
        recoveries_in_a_row_ = 0;
        --j->outstanding;
        maybe_finish(j);
        return;
    }
    count(static_cast<Counter>(static_cast<uint32_t>(Counter::DescBadControl) +
                               static_cast<uint32_t>(c.result) - 1));
    log(ACRYPTO_LOG_WARN, std::string("descriptor error ") + desc_result_name(c.result));
    explicit_bzero(buf.cpu, p.len);
    free_bounce_.push_back(p.bounce);
    p.has_bounce = false;
    if (j->status == ACRYPTO_OK && j->retries < cfg_.max_retries) {
        ++j->retries;
        retry_.push_back(std::move(pp)); // the input is intact: output is copied only on success
        return;
    }
    if (j->status == ACRYPTO_OK) j->status = ACRYPTO_E_DEVICE;
    --j->outstanding;
    maybe_finish(j);
}

void FastcryptDevice::fail_all(int status) {
    for (auto &slot : by_slot_) {
        if (!slot) continue;
        if (slot->has_bounce) free_bounce_.push_back(slot->bounce);
        slot.reset();
    }
    retry_.clear();
    while (!jobs_.empty()) {
        std::unique_ptr<Job> j = std::move(jobs_.front());
        jobs_.pop_front();
        complete(j->s, status, 0);
    }
}

void FastcryptDevice::go_broken(const std::string &reason) {
    if (!broken_) {
        broken_ = true;
        count(Counter::Broken);
        log(ACRYPTO_LOG_ERROR, "marked broken: " + reason);
        fpi_.stop(); // the engine forgets every descriptor: no late DMA into our buffers
        if (hops_->mark_broken_fn != nullptr)
            hops_->mark_broken_fn(host_, (name_ + ": " + reason).c_str());
    }
    fail_all(ACRYPTO_E_DEVICE);
}

void FastcryptDevice::recover(FaultCause cause, const std::string &message) {
    count(fault_counter(cause));
    log(ACRYPTO_LOG_WARN,
        std::string("device fault (") + fault_cause_name(cause) + "): " + message);
    if (cause == FaultCause::Removed) {
        go_broken("card removed (" + message + ")");
        return;
    }
    // Collect the lost descriptors in post order (cookies increase monotonically).
    std::optional<uint32_t> fatal_cookie;
    if (cause == FaultCause::Fatal) {
        const uint32_t idx = fpi_.fault().fatal_index;
        if (idx < by_slot_.size() && by_slot_[idx]) fatal_cookie = by_slot_[idx]->cookie;
    }
    std::vector<std::unique_ptr<Piece>> lost;
    for (auto &slot : by_slot_)
        if (slot) lost.push_back(std::move(slot));
    std::sort(lost.begin(), lost.end(), [](const auto &a, const auto &b) {
        return static_cast<int32_t>(a->cookie - b->cookie) < 0;
    });
    const int give_up = cause == FaultCause::Timeout ? ACRYPTO_E_TIMEOUT : ACRYPTO_E_DEVICE;
    // Only the descriptor the fault points at is charged a retry: a FATAL names its ring
    // index, a timeout blames the oldest descriptor (the one the engine was working on).
    // The others were collateral and are re-posted free; max-recoveries bounds the loop.
    std::optional<uint32_t> culprit = fatal_cookie;
    if (cause == FaultCause::Timeout && !lost.empty()) {
        culprit = lost.front()->cookie;
    }
    std::vector<Job *> touched;
    for (auto it = lost.rbegin(); it != lost.rend(); ++it) {
        Piece &p = **it;
        if (p.has_bounce) {
            free_bounce_.push_back(p.bounce);
            p.has_bounce = false;
        }
        Job *j = p.job;
        const bool charged = !culprit || *culprit == p.cookie;
        if (j->status == ACRYPTO_OK && (!charged || j->retries < cfg_.max_retries)) {
            if (charged) ++j->retries;
            retry_.push_front(std::move(*it)); // reverse walk + push_front keeps post order
        } else {
            if (j->status == ACRYPTO_OK) j->status = give_up;
            --j->outstanding;
            touched.push_back(j);
        }
    }
    ++recoveries_in_a_row_;
    if (recoveries_in_a_row_ > cfg_.max_recoveries) {
        go_broken(std::to_string(recoveries_in_a_row_) +
                  " resets in a row without progress (last: " + fault_cause_name(cause) + ")");
        return;
    }
    // A fault can hit the self-test itself: a few attempts before giving up, except when
    // the card is gone or no longer answers as FPI v1.
    Result<void> r;
    for (int attempt = 0; attempt < 3; ++attempt) {
        r = bring_up();
        if (r || r.error().code == Errc::Unsupported || fpi_.fault().cause == FaultCause::Removed)
            break;
    }
    if (!r) {
        go_broken("recovery failed: " + r.error().message);
        return;
    }
    count(Counter::Recovered);
    last_progress_ = std::chrono::steady_clock::now();
    for (Job *j : touched)
        if (std::find_if(jobs_.begin(), jobs_.end(), [&](const auto &p) { return p.get() == j; }) !=
            jobs_.end())
            maybe_finish(j);
}

void FastcryptDevice::thread_main() {
    std::vector<Completion> done;
    IrqWait &irq = *transport_->irq;
    while (!stop_.load(std::memory_order_acquire)) {
        // A pending self-test runs once the ring is empty; new work waits for it.
        bool st_pending;
        {
            std::lock_guard lk(st_mu_);
            st_pending = st_requested_;
        }
        if (st_pending && fpi_.in_flight() == 0) {
            int status = ACRYPTO_OK;
            std::string why;
            if (broken_) {
                status = ACRYPTO_E_DEVICE;
                why = name_ + ": device is broken";
            } else {
                count(Counter::SelfTests);
                auto r = fpi_.self_test();
                if (!r) {
                    status = status_from_errc(r.error().code);
                    why = name_ + ": " + r.error().message;
                }
            }
            {
                std::lock_guard lk(st_mu_);
                st_requested_ = false;
                st_done_ = true;
                st_status_ = status;
                st_why_ = why;
            }
            st_cv_.notify_all();
            if (status != ACRYPTO_OK && !broken_) go_broken("self-test failed: " + why);
            continue;
        }
        if (broken_) {
            acrypto_session *got[16];
            uint32_t n;
            while ((n = hops_->dequeue_fn(host_, got, 16)) > 0)
                for (uint32_t i = 0; i < n; ++i) accept(got[i]);
        } else if (!st_pending) {
            fill();
        }

        // Wait for the interrupt or a kick. With work posted the wait is bounded by the IRQ
        // poll slice (a lost interrupt becomes a poll) and the watchdog.
        int timeout_ms = -1;
        const bool busy = !broken_ && fpi_.in_flight() > 0;
        if (busy) {
            const auto now = std::chrono::steady_clock::now();
            const auto dl = last_progress_ + cfg_.watchdog;
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(dl - now).count() + 1;
            timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, cfg_.irq_poll.count()));
        }
        pollfd fds[2] = {{kick_fd_, POLLIN, 0}, {irq.fd(), POLLIN, 0}};
        const int nfds = irq.fd() >= 0 ? 2 : 1;
        if (nfds == 1 && (timeout_ms < 0 || timeout_ms > 10))
            timeout_ms = 10; // no fd: poll the IRQ object
        (void)::poll(fds, nfds, timeout_ms);
        if ((fds[0].revents & POLLIN) != 0) {
            uint64_t v;
            (void)!::read(kick_fd_, &v, sizeof v);
        }
        // Drain the line on every pass (not only when poll saw it) so a fire that arrived
        // while a kick was being served is not mistaken later for a spurious interrupt.
        const bool fired = irq.wait(std::chrono::milliseconds(0)) == IrqResult::Fired;
        if (broken_ || stop_.load(std::memory_order_acquire)) continue;
        if (fired) count(Counter::Interrupts);
        if (fpi_.in_flight() == 0 && !fired) continue;

        // Acknowledge first, then reap up to RING_HEAD (§2.5 step 5): a completion that
        // lands between the two raises the line again.
        auto bits = fpi_.ack();
        irq.unmask(); // acknowledged at the device: re-arm delivery (VFIO INTx) on every path
        if (!bits) {
            recover(fpi_.fault().cause, bits.error().message);
            continue;
        }
        done.clear();
        auto reaped = fpi_.reap(done);
        std::optional<FaultCause> fault;
        for (const Completion &c : done) on_completion(c, fault);
        if (fired && bits.value() == 0 && done.empty()) count(Counter::SpuriousIrqs);
        if (!fired && !done.empty()) count(Counter::PolledCompletions, done.size());
        if (!done.empty()) last_progress_ = std::chrono::steady_clock::now();
        if (!reaped) {
            recover(fpi_.fault().cause, reaped.error().message);
            continue;
        }
        if (fault) {
            recover(*fault, "validation of a completion failed");
            continue;
        }
        if (fpi_.in_flight() > 0 &&
            std::chrono::steady_clock::now() - last_progress_ >= cfg_.watchdog) {
            recover(FaultCause::Timeout,
                    "no completion for " + std::to_string(cfg_.watchdog.count()) + " ms");
            continue;
        }
    }
}

void FastcryptDevice::close() {
    if (closed_.exchange(true)) return;
    stop_.store(true, std::memory_order_release);
    data_ready();
    if (thread_.joinable()) thread_.join();
    {
        std::lock_guard lk(st_mu_);
        if (st_requested_) {
            st_requested_ = false;
            st_done_ = true;
            st_status_ = ACRYPTO_E_SHUTDOWN;
            st_why_ = name_ + ": closed";
        }
    }
    st_cv_.notify_all();
    fpi_.stop(); // quiesce before the bounce buffers can be freed
    fail_all(ACRYPTO_E_SHUTDOWN);
}

} // namespace acrypto::hw::fastcrypt
