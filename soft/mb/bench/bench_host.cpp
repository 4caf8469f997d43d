// SPDX-License-Identifier: Apache-2.0
// BenchHost: array-backed host for device benchmarks.
#include "bench_host.hpp"

#include <cstdio>
#include <cstdlib>

namespace acrypto::soft::mb::bench {

namespace {
BenchHost *self(acrypto_host *h) { return reinterpret_cast<BenchHost *>(h); }
} // namespace

BenchHost::BenchHost(const acrypto_device_driver *drv,
                     const std::vector<std::pair<std::string, std::string>> &cfg)
    : drv_(drv) {
    std::vector<acrypto_kv> kv;
    for (const auto &[k, v] : cfg) kv.push_back({k.c_str(), v.c_str()});
    acrypto_config c{kv.data(), static_cast<uint32_t>(kv.size())};
    hops_.abi_version = ACRYPTO_ABI_VERSION;
    hops_.struct_size = sizeof hops_;
    hops_.dequeue_fn = &BenchHost::dequeue;
    hops_.complete_fn = &BenchHost::complete;
    hops_.mark_broken_fn = &BenchHost::mark_broken;
    hops_.pending_fn = &BenchHost::pending;
    hops_.log_fn = &BenchHost::log;
    char why[256] = {};
    int rc = drv_->open_fn(&c, 0, reinterpret_cast<acrypto_host *>(this), &hops_, &dev_, &desc_,
                           why, sizeof why);
    if (rc != ACRYPTO_OK) {
        std::fprintf(stderr, "open %s: %d %s\n", drv_->name, rc, why);
        std::abort();
    }
}

BenchHost::~BenchHost() { drv_->close_fn(dev_); }

void BenchHost::run_round(acrypto_session *const *sessions, uint32_t n) {
    // Mark the old round exhausted before swapping arrays: a worker may be
    // asking for more at any time.
    next_.store(UINT32_MAX, std::memory_order_release);
    round_ = sessions;
    done_.store(0, std::memory_order_relaxed);
    round_n_.store(n, std::memory_order_relaxed);
    next_.store(0, std::memory_order_release);
    drv_->data_ready_fn(dev_);
    if (done_.load(std::memory_order_acquire) == n) return;
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait(g, [&] { return done_.load(std::memory_order_acquire) == n; });
}

void BenchHost::run_stream(acrypto_session *const *sessions, uint32_t n, uint64_t total) {
    {
        std::lock_guard<std::mutex> g(qmu_);
        streaming_ = true;
        queue_.assign(sessions, sessions + n);
        qhead_ = 0;
        stream_total_ = total;
        stream_issued_ = n;
        stream_done_.store(0, std::memory_order_relaxed);
    }
    drv_->data_ready_fn(dev_);
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait(g, [&] { return stream_done_.load(std::memory_order_acquire) >= total; });
    std::lock_guard<std::mutex> q(qmu_);
    streaming_ = false;
    queue_.clear();
    qhead_ = 0;
}

uint32_t BenchHost::dequeue(acrypto_host *h, acrypto_session **out, uint32_t max) {
    BenchHost *b = self(h);
    {
        std::lock_guard<std::mutex> g(b->qmu_);
        if (b->streaming_) {
            uint32_t n = 0;
            while (n < max && b->qhead_ < b->queue_.size()) out[n++] = b->queue_[b->qhead_++];
            if (b->qhead_ == b->queue_.size()) {
                b->queue_.clear();
                b->qhead_ = 0;
            }
            return n;
        }
    }
    uint32_t at = b->next_.load(std::memory_order_acquire);
    uint32_t total = b->round_n_.load(std::memory_order_relaxed);
    for (;;) {
        if (at >= total) return 0;
        uint32_t n = total - at < max ? total - at : max;
        if (b->next_.compare_exchange_weak(at, at + n, std::memory_order_acq_rel)) {
            for (uint32_t i = 0; i < n; ++i) out[i] = b->round_[at + i];
            return n;
        }
    }
}

void BenchHost::complete(acrypto_host *h, acrypto_session *s, int status, uint32_t) {
    BenchHost *b = self(h);
    if (status != ACRYPTO_OK) b->failures_.fetch_add(1, std::memory_order_relaxed);
    bool streaming;
    {
        std::lock_guard<std::mutex> g(b->qmu_);
        streaming = b->streaming_;
        if (streaming && b->stream_issued_ < b->stream_total_) {
            ++b->stream_issued_;
            b->queue_.push_back(s);
        }
    }
    if (streaming) {
        if (b->stream_done_.fetch_add(1, std::memory_order_acq_rel) + 1 == b->stream_total_) {
            std::lock_guard<std::mutex> g(b->mu_);
            b->cv_.notify_one();
        }
        return;
    }
    if (b->done_.fetch_add(1, std::memory_order_acq_rel) + 1 ==
        b->round_n_.load(std::memory_order_relaxed)) {
        std::lock_guard<std::mutex> g(b->mu_);
        b->cv_.notify_one();
    }
}

void BenchHost::mark_broken(acrypto_host *, const char *reason) {
    std::fprintf(stderr, "device broken: %s\n", reason);
}

uint32_t BenchHost::pending(acrypto_host *h) {
    BenchHost *b = self(h);
    uint32_t at = b->next_.load(std::memory_order_acquire);
    uint32_t total = b->round_n_.load(std::memory_order_relaxed);
    return at < total ? total - at : 0;
}

void BenchHost::log(acrypto_host *, int, const char *) {}

uint64_t BenchHost::stat(const char *name) const {
    acrypto_stat st[64];
    uint32_t n = 0;
    drv_->get_stats_fn(dev_, st, 64, &n);
    for (uint32_t i = 0; i < n; ++i) {
        if (std::string(st[i].name) == name) return st[i].value;
    }
    return 0;
}

} // namespace acrypto::soft::mb::bench
