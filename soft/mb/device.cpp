// SPDX-License-Identifier: Apache-2.0
// MbDevice: probe, open (one manager per worker), wake-ups, statistics, close.
#include "acrypto/soft/mb/device.hpp"

#include <atomic>
#include <cstdio>

#include <sched.h>

#include "acrypto/soft/mb/capabilities.hpp"
#include "acrypto/soft/mb/self_test.hpp"

namespace acrypto::soft::mb {

namespace {

// Which code path the probe would pick, or why none.
bool choose_arch(const MbConfig &cfg, Arch *out, std::string *why) {
    if (!library_version_ok(why)) return false;
    return resolve_arch(cfg.arch, cpu_features(), out, why);
}

} // namespace

int probe(const acrypto_config *cfg, uint32_t *count, std::string *why) {
    *count = 0;
    MbConfig c;
    if (!parse_config(cfg, &c, why)) return ACRYPTO_E_INVALID;
    Arch a{};
    std::string reason;
    if (!choose_arch(c, &a, &reason)) {
        if (why) *why = "mb: " + reason;
        return ACRYPTO_OK;
    }
    *count = 1;
    return ACRYPTO_OK;
}

std::unique_ptr<MbDevice> MbDevice::open(const acrypto_config *cfg, uint32_t index,
                                         acrypto_host *host, const acrypto_host_ops *hops,
                                         std::string *why, int *status) {
    std::unique_ptr<MbDevice> d(new MbDevice);
    *status = ACRYPTO_E_INVALID;
    if (!parse_config(cfg, &d->cfg_, why)) return nullptr;
    if (index != 0) {
        if (why) *why = "mb: only instance 0 exists";
        return nullptr;
    }
    std::string reason;
    if (!choose_arch(d->cfg_, &d->arch_, &reason)) {
        *status = ACRYPTO_E_UNSUPPORTED;
        if (why) *why = "mb: " + reason;
        return nullptr;
    }
    d->host_ = host;
    d->hops_ = hops;
    d->caps_ = make_capabilities(d->arch_, d->cfg_.workers);
    d->wake_batch_ = cbc_lanes(d->arch_);
    d->hash_on_sse_ = hashes_prefer_sse(d->arch_, cpu_features());
    // Polling only pays while the callers run on another core: with one CPU to run
    // on, a polling worker would only keep them from submitting.
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    const bool one_cpu = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) < 2;
    for (uint32_t i = 0; i < d->cfg_.workers; ++i) {
        WorkerParams p;
        p.host = host;
        p.hops = hops;
        p.arch = d->arch_;
        p.flush_ns = uint64_t{d->cfg_.flush_us} * 1000u;
        p.linger_ns = uint64_t{d->cfg_.linger_us} * 1000u;
        p.poll_ns = one_cpu ? 0 : uint64_t{d->cfg_.poll_us} * 1000u;
        p.index = i;
        p.hash_on_sse = d->hash_on_sse_;
        auto w = Worker::create(p, &reason);
        if (!w) {
            *status = ACRYPTO_E_DEVICE;
            if (why) *why = "mb: " + reason;
            return nullptr;
        }
        d->workers_.push_back(std::move(w));
    }
    for (auto &w : d->workers_) w->start();
    if (hops && hops->log_fn) {
        char msg[256];
        std::snprintf(msg, sizeof msg,
                      "mb: intel-ipsec-mb %s, arch %s%s (cpu: %s), %u worker(s), flush-us %u, "
                      "linger-us %u",
                      imb_get_version_str(), std::string(arch_name(d->arch_)).c_str(),
                      d->hash_on_sse_ ? ", hashes on sse (sha_ni)" : "",
                      describe_features(cpu_features()).c_str(), d->cfg_.workers, d->cfg_.flush_us,
                      d->cfg_.linger_us);
        hops->log_fn(host, ACRYPTO_LOG_INFO, msg);
    }
    *status = ACRYPTO_OK;
    return d;
}

MbDevice::~MbDevice() { close(); }

void MbDevice::describe(acrypto_device_desc *desc) const noexcept {
    desc->struct_size = sizeof(acrypto_device_desc);
    desc->flags = 0;
    desc->name = "mb";
    desc->queue_len = cfg_.queue_len;
    desc->max_burst = Worker::kMaxBurst;
    desc->caps = caps_.data();
    desc->ncaps = static_cast<uint32_t>(caps_.size());
}

void MbDevice::data_ready() noexcept {
    // Worker::wait_mode() pairs with the worker's sleep announcement: either it
    // sees the queued session when it re-checks, or we see it sleeping here.
    size_t n = workers_.size();
    // Start at a per-thread offset so submitters spread their wake-ups without
    // sharing a counter.
    // 64-byte aligned: see t_caller in provider/pk/pk_common.cpp (LeakSanitizer, dynamic TLS).
    alignas(64) static thread_local uint32_t rotor = 0;
    uint32_t start = n > 1 ? rotor++ : 0;
    bool enough = false, asked = false;
    for (size_t i = 0; i < n; ++i) {
        Worker &w = *workers_[(start + i) % n];
        switch (w.wait_mode()) {
        case Doorbell::Mode::Awake: break;
        case Doorbell::Mode::Idle: w.ring(); return;
        case Doorbell::Mode::Linger:
            // A lingering worker wakes on its own timeout; a system call per
            // session would cost more than the batch saves. Wake it when a
            // full set of lanes is queued.
            if (!asked) {
                asked = true;
                enough = !hops_->pending_fn || hops_->pending_fn(host_) >= wake_batch_;
            }
            if (enough) {
                w.ring();
                return;
            }
            break;
        }
    }
}

void MbDevice::flush() noexcept {
    for (auto &w : workers_) w->request_flush();
}

void MbDevice::key_free(uint64_t key_id) {
    for (auto &w : workers_) w->key_free(key_id);
}

int MbDevice::self_test(std::string *why) const { return run_self_test(arch_, why); }

void MbDevice::close() noexcept {
    for (auto &w : workers_) w->stop();
    workers_.clear();
}

namespace {

const char *arch_stat_name(Arch a) {
    switch (a) {
    case Arch::Avx512: return "arch_avx512";
    case Arch::Avx2: return "arch_avx2";
    case Arch::Avx: return "arch_avx";
    case Arch::Sse: return "arch_sse";
    case Arch::Auto: break;
    }
    return "arch_none";
}

} // namespace

void MbDevice::stats(acrypto_stat *out, uint32_t max, uint32_t *n) const {
    uint32_t k = 0;
    auto put = [&](const char *name, uint64_t v) {
        if (k < max) out[k++] = acrypto_stat{name, v};
    };
    put("arch", imb_arch_code(arch_));
    put(arch_stat_name(arch_), 1);
    put("workers", workers_.size());
    put("cbc_lanes", cbc_lanes(arch_));
    put("hash_sse_shani", hash_on_sse_ ? 1 : 0);
    put("flush_us", cfg_.flush_us);
    for (size_t s = 0; s < static_cast<size_t>(WorkerStat::Count); ++s) {
        auto which = static_cast<WorkerStat>(s);
        uint64_t v = 0;
        for (const auto &w : workers_) {
            uint64_t x = w->stats().get(which);
            v = which == WorkerStat::WaitMaxNs ? (x > v ? x : v) : v + x;
        }
        put(kWorkerStatNames[s], v);
    }
    uint64_t entries = 0, builds = 0;
    for (const auto &w : workers_) {
        entries += w->cached_keys();
        builds += w->key_builds();
    }
    put("key_cache_entries", entries);
    put("key_builds", builds);
    *n = k;
}

} // namespace acrypto::soft::mb
