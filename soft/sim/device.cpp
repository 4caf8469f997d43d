// SPDX-License-Identifier: Apache-2.0
// SimDevice: service thread, timing model, fault injection, exactly-once completion.
#include "device.hpp"

#include <algorithm>
#include <cstring>

#include "exec_aead.hpp"
#include "exec_cipher.hpp"
#include "exec_digest.hpp"
#include "exec_mac.hpp"

namespace acrypto::soft::sim {

namespace {

constexpr uint32_t kMaxBurst = 32;

const cpu::Family *const kComputeFamilies[] = {&cpu::kCipherFamily, &cpu::kDigestFamily,
                                               &cpu::kMacFamily, &cpu::kAeadFamily};

const cpu::Family *family_for(const acrypto_step &st) {
    for (const cpu::Family *f : kComputeFamilies)
        for (size_t i = 0; i < f->ncaps; ++i)
            if (f->caps[i].op == st.op && f->caps[i].alg == st.alg && f->caps[i].mode == st.mode)
                return f;
    return nullptr;
}

} // namespace

std::unique_ptr<SimDevice> SimDevice::create(const SimConfig &cfg, uint32_t index,
                                             acrypto_host *host, const acrypto_host_ops *hops,
                                             std::string &why) {
    std::unique_ptr<SimDevice> d(new SimDevice());
    d->cfg_ = cfg;
    d->index_ = index;
    d->name_ = cfg.name + std::to_string(index);
    d->host_ = host;
    d->hops_ = hops;
    d->rng_.seed(cfg.seed + index);
    if (cfg.mode == SimMode::Compute) {
        d->lib_ = std::make_unique<cpu::CryptoLib>();
        if (!d->lib_->ok()) {
            why = "cannot create a library context with the default provider";
            return nullptr;
        }
        d->ctx_ = std::make_unique<cpu::ExecCtx>(*d->lib_);
    }
    // Capabilities: what compute mode can verify (null mode claims the same), with
    // the emulated timing as rates so a cost balancer sees what it will get.
    const double bps = cfg.rate_mbps > 0 ? cfg.rate_mbps * 1e6 / 8 : 1e12;
    const double lat_s = cfg.latency_us * 1e-6;
    for (const cpu::Family *f : kComputeFamilies) {
        for (size_t i = 0; i < f->ncaps; ++i) {
            acrypto_capability c = f->caps[i];
            c.flags &= ~uint32_t(ACRYPTO_CAP_F_PARTIAL) |
                       (cfg.mode == SimMode::Compute ? uint32_t(ACRYPTO_CAP_F_PARTIAL) : 0u);
            c.latency_ns = cfg.latency_us * 1000;
            c.bytes_per_sec = bps;
            c.ops_per_sec = lat_s > 0 ? cfg.slots / lat_s : 1e7;
            d->caps_.push_back(c);
        }
    }
    return d;
}

SimDevice::~SimDevice() { close(); }

void SimDevice::fill_desc(acrypto_device_desc &d) const {
    d.struct_size = sizeof(acrypto_device_desc);
    d.flags = 0;
    d.name = name_.c_str();
    d.queue_len = cfg_.queue_len;
    d.max_burst = std::min(kMaxBurst, cfg_.slots);
    d.caps = caps_.data();
    d.ncaps = static_cast<uint32_t>(caps_.size());
}

SimDevice::Fate SimDevice::decide() {
    ++taken_;
    ++taken_total_;
    if (cfg_.break_after && taken_ > cfg_.break_after) return Fate::Break;
    std::uniform_real_distribution<double> u(0.0, 1.0);
    // Draw both every time so one rate does not shift the other's pattern.
    const double f = u(rng_), s = u(rng_);
    if (f < cfg_.fail_rate) return Fate::Fail;
    if (taken_total_ <= cfg_.stall_first) return Fate::Stall;
    if (s < cfg_.stall_rate) return Fate::Stall;
    return Fate::Normal;
}

uint64_t SimDevice::bytes_of(const acrypto_session &s) const noexcept {
    uint64_t b = 0;
    const uint32_t n = s.ncur ? s.ncur : 1;
    for (uint32_t i = s.cur; i < s.cur + n && i < s.nsteps; ++i)
        b += s.steps[i].op == ACRYPTO_OP_RAND ? s.steps[i].dst_len : s.steps[i].src_len;
    return b;
}

int SimDevice::compute(acrypto_session &s, uint32_t &done) noexcept {
    done = 0;
    const uint32_t n = s.ncur ? s.ncur : 1;
    if (!s.steps || s.cur + n > s.nsteps) return ACRYPTO_E_INVALID;
    for (uint32_t k = 0; k < n; ++k) {
        const acrypto_step &st = s.steps[s.cur + k];
        const cpu::Family *f = family_for(st);
        if (!f) return ACRYPTO_E_UNSUPPORTED;
        if (cfg_.mode == SimMode::Compute) {
            int rc;
            try {
                std::lock_guard lk(ctx_mu_);
                rc = f->exec(*ctx_, s, s.cur + k);
            } catch (...) {
                rc = ACRYPTO_E_INTERNAL;
            }
            if (rc != ACRYPTO_OK) return rc;
        }
        ++done;
    }
    return ACRYPTO_OK;
}

void SimDevice::finish(acrypto_session *s, int status, uint32_t steps) noexcept {
    switch (status) {
    case ACRYPTO_OK: st_ok_.fetch_add(1, std::memory_order_relaxed); break;
    case ACRYPTO_E_SHUTDOWN: st_shutdown_.fetch_add(1, std::memory_order_relaxed); break;
    case ACRYPTO_E_DEVICE: st_failed_.fetch_add(1, std::memory_order_relaxed); break;
    default: st_errors_.fetch_add(1, std::memory_order_relaxed); break;
    }
    hops_->complete_fn(host_, s, status, steps);
}

void SimDevice::break_now(std::unique_lock<std::mutex> &lk) {
    // Called with mu_ held; releases it around the host calls.
    if (broken_) return;
    broken_ = true;
    broken_at_ = Clock::now();
    std::vector<Held> held(pipeline_.begin(), pipeline_.end());
    held.insert(held.end(), stalled_.begin(), stalled_.end());
    pipeline_.clear();
    stalled_.clear();
    in_flight_ -= static_cast<uint32_t>(std::min<size_t>(in_flight_, held.size()));
    lk.unlock();
    const std::string why =
        name_ + ": break-after " + std::to_string(cfg_.break_after) + " sessions reached" +
        (cfg_.break_ms ? " (lasts " + std::to_string(cfg_.break_ms) + " ms)" : "");
    hops_->mark_broken_fn(host_, why.c_str());
    for (const Held &h : held) finish(h.s, ACRYPTO_E_DEVICE, 0);
    lk.lock();
}

void SimDevice::run_immediate() {
    acrypto_session *burst[kMaxBurst];
    for (;;) {
        uint32_t want;
        {
            std::lock_guard lk(mu_);
            if (stop_ || broken_ || in_flight_ >= cfg_.slots) return;
            want = std::min(kMaxBurst, cfg_.slots - in_flight_);
            in_flight_ += want; // reserve slots before dequeuing
        }
        uint32_t n = hops_->dequeue_fn(host_, burst, want);
        std::vector<std::pair<acrypto_session *, Fate>> fates;
        {
            std::unique_lock lk(mu_);
            in_flight_ -= want - n;
            if (n == 0) return;
            st_batches_.fetch_add(1, std::memory_order_relaxed);
            st_sessions_.fetch_add(n, std::memory_order_relaxed);
            for (uint32_t i = 0; i < n; ++i) fates.emplace_back(burst[i], decide());
        }
        for (auto &[s, fate] : fates) {
            st_bytes_.fetch_add(bytes_of(*s), std::memory_order_relaxed);
            uint32_t steps = s->ncur ? s->ncur : 1;
            if (fate == Fate::Break) {
                std::unique_lock lk(mu_);
                --in_flight_;
                break_now(lk);
                lk.unlock();
                finish(s, ACRYPTO_E_DEVICE, 0);
                continue;
            }
            {
                std::lock_guard lk(mu_);
                --in_flight_;
            }
            // Null mode touches no data, but undeclared work still fails.
            uint32_t done = 0;
            int status = fate == Fate::Fail ? ACRYPTO_E_DEVICE : compute(*s, done);
            finish(s, status, status == ACRYPTO_OK ? steps : 0);
        }
    }
}

void SimDevice::data_ready() {
    if (cfg_.immediate()) {
        run_immediate();
        return;
    }
    std::lock_guard lk(mu_);
    if (stop_ || broken_) return;
    if (!started_) {
        started_ = true;
        thread_ = std::thread([this] { service_main(); });
    }
    kicked_ = true;
    cv_.notify_one();
}

void SimDevice::service_main() {
    acrypto_session *burst[kMaxBurst];
    std::unique_lock lk(mu_);
    for (;;) {
        if (stop_) return;
        // Take work while slots are free.
        if (!broken_ && in_flight_ < cfg_.slots && kicked_) {
            kicked_ = false;
            const uint32_t want = std::min(kMaxBurst, cfg_.slots - in_flight_);
            lk.unlock();
            const uint32_t n = hops_->dequeue_fn(host_, burst, want);
            lk.lock();
            if (n > 0) {
                st_batches_.fetch_add(1, std::memory_order_relaxed);
                st_sessions_.fetch_add(n, std::memory_order_relaxed);
                in_flight_ += n;
                st_max_in_flight_.store(
                    std::max<uint64_t>(st_max_in_flight_.load(std::memory_order_relaxed),
                                       in_flight_),
                    std::memory_order_relaxed);
                kicked_ = true; // maybe more queued: look again when a slot frees
            }
            for (uint32_t i = 0; i < n; ++i) {
                acrypto_session *s = burst[i];
                const Fate fate = decide();
                if (fate == Fate::Break) {
                    Held self{s, Clock::now(), ACRYPTO_E_DEVICE};
                    pipeline_.push_back(self);
                    for (uint32_t j = i + 1; j < n; ++j)
                        pipeline_.push_back(Held{burst[j], Clock::now(), ACRYPTO_E_DEVICE});
                    break_now(lk);
                    break;
                }
                const uint64_t bytes = bytes_of(*s);
                st_bytes_.fetch_add(bytes, std::memory_order_relaxed);
                int status = ACRYPTO_E_DEVICE;
                if (fate != Fate::Fail) {
                    uint32_t done = 0;
                    lk.unlock();
                    status = compute(*s, done);
                    lk.lock();
                }
                const auto now = Clock::now();
                const auto xfer = std::chrono::nanoseconds(
                    cfg_.rate_mbps > 0 ? static_cast<int64_t>(bytes * 8000.0 / cfg_.rate_mbps) : 0);
                bus_free_ = std::max(bus_free_, now) + xfer;
                const auto due = bus_free_ + std::chrono::microseconds(cfg_.latency_us);
                if (fate == Fate::Stall) {
                    st_stalled_.fetch_add(1, std::memory_order_relaxed);
                    stalled_.push_back(
                        Held{s, due + std::chrono::milliseconds(cfg_.stall_ms), status});
                } else {
                    pipeline_.push_back(Held{s, due, status});
                }
            }
            if (stop_) return;
            continue;
        }
        // Complete what is due: the pipeline in order, stalled ones by their own time.
        const auto now = Clock::now();
        std::vector<Held> due;
        while (!pipeline_.empty() && pipeline_.front().due <= now) {
            due.push_back(pipeline_.front());
            pipeline_.pop_front();
        }
        for (auto it = stalled_.begin(); it != stalled_.end();) {
            if (it->due <= now) {
                due.push_back(*it);
                it = stalled_.erase(it);
            } else {
                ++it;
            }
        }
        if (!due.empty()) {
            in_flight_ -= static_cast<uint32_t>(due.size());
            lk.unlock();
            for (const Held &h : due)
                finish(h.s, h.status, h.status == ACRYPTO_OK ? (h.s->ncur ? h.s->ncur : 1) : 0);
            lk.lock();
            continue;
        }
        // Sleep until the next due time, new work, or stop (never spins).
        Clock::time_point next = Clock::time_point::max();
        if (!pipeline_.empty()) next = pipeline_.front().due;
        for (const Held &h : stalled_) next = std::min(next, h.due);
        auto wake = [&] { return stop_ || (kicked_ && !broken_ && in_flight_ < cfg_.slots); };
        if (next == Clock::time_point::max())
            cv_.wait(lk, wake);
        else
            cv_.wait_until(lk, next, wake);
    }
}

void SimDevice::key_free(uint64_t key_id) {
    std::lock_guard lk(ctx_mu_);
    if (ctx_) ctx_->drop_key(key_id);
}

void SimDevice::stats(acrypto_stat *out, uint32_t max, uint32_t *n) const {
    const acrypto_stat all[] = {
        {"sessions", st_sessions_.load()},
        {"completed_ok", st_ok_.load()},
        {"injected_failures", st_failed_.load()},
        {"stalled", st_stalled_.load()},
        {"shutdown", st_shutdown_.load()},
        {"errors", st_errors_.load()},
        {"bytes", st_bytes_.load()},
        {"batches", st_batches_.load()},
        {"max_in_flight", st_max_in_flight_.load()},
    };
    uint32_t k = 0;
    for (const auto &s : all)
        if (k < max) out[k++] = s;
    *n = k;
}

int SimDevice::self_test(std::string &why) {
    {
        // A break lasts break-ms (0: until closed); the known answer below decides the rest.
        std::lock_guard lk(mu_);
        if (broken_ && (cfg_.break_ms == 0 ||
                        Clock::now() - broken_at_ < std::chrono::milliseconds(cfg_.break_ms))) {
            why = "broken (break-after " + std::to_string(cfg_.break_after) + " reached)";
            return ACRYPTO_E_DEVICE;
        }
    }
    if (cfg_.mode == SimMode::Compute) {
        const int rc = known_answer(why);
        if (rc != ACRYPTO_OK) return rc;
    }
    std::lock_guard lk(mu_);
    if (broken_) {
        // Back in service: the scheduler offers work again once this returns OK.
        broken_ = false;
        taken_ = 0;
        kicked_ = true;
    }
    return ACRYPTO_OK;
}

int SimDevice::known_answer(std::string &why) {
    // SHA-256("abc"), FIPS 180-4 example.
    static const uint8_t want[8] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea};
    uint8_t out[32] = {0};
    acrypto_step st{};
    st.op = ACRYPTO_OP_DIGEST;
    st.alg = ACRYPTO_ALG_SHA256;
    st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    st.src = reinterpret_cast<const uint8_t *>("abc");
    st.src_len = 3;
    st.dst = out;
    st.dst_len = sizeof(out);
    acrypto_session s{};
    s.struct_size = sizeof(s);
    s.nsteps = 1;
    s.ncur = 1;
    s.steps = &st;
    uint32_t done = 0;
    if (compute(s, done) != ACRYPTO_OK || std::memcmp(out, want, sizeof(want)) != 0) {
        why = "SHA-256 known answer failed";
        return ACRYPTO_E_DEVICE;
    }
    return ACRYPTO_OK;
}

void SimDevice::close() {
    std::vector<Held> held;
    {
        std::lock_guard lk(mu_);
        if (stop_) return;
        stop_ = true;
        cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    {
        std::lock_guard lk(mu_);
        held.assign(pipeline_.begin(), pipeline_.end());
        held.insert(held.end(), stalled_.begin(), stalled_.end());
        pipeline_.clear();
        stalled_.clear();
        in_flight_ = 0;
    }
    for (const Held &h : held) finish(h.s, ACRYPTO_E_SHUTDOWN, 0);
    std::lock_guard lk(ctx_mu_);
    ctx_.reset();
}

} // namespace acrypto::soft::sim
