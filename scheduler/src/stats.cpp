// SPDX-License-Identifier: Apache-2.0
// Stats export: whole scheduler, per device, per algorithm and per priority, counters
// and latency histograms (layout in acrypto/sched/stats.hpp).
#include <string>

#include "core.hpp"

namespace acrypto::sched {
namespace {

const char *alg_name(uint32_t alg) noexcept {
    switch (alg) {
    case ACRYPTO_ALG_AES: return "aes";
    case ACRYPTO_ALG_DES: return "des";
    case ACRYPTO_ALG_DES_EDE3: return "des-ede3";
    case ACRYPTO_ALG_CHACHA20: return "chacha20";
    case ACRYPTO_ALG_MD5: return "md5";
    case ACRYPTO_ALG_SHA1: return "sha1";
    case ACRYPTO_ALG_SHA224: return "sha224";
    case ACRYPTO_ALG_SHA256: return "sha256";
    case ACRYPTO_ALG_SHA384: return "sha384";
    case ACRYPTO_ALG_SHA512: return "sha512";
    case ACRYPTO_ALG_RSA: return "rsa";
    case ACRYPTO_ALG_RSA_PSS: return "rsa-pss";
    case ACRYPTO_ALG_EC: return "ec";
    case ACRYPTO_ALG_X25519: return "x25519";
    case ACRYPTO_ALG_X448: return "x448";
    case ACRYPTO_ALG_RNG: return "rng";
    default: return nullptr;
    }
}

/// "lat.<name>.le.<ns>" cumulative from the first to the last non-empty bucket,
/// ".count", ".sum-ns"; nothing when empty. Buckets are read once each (relaxed):
/// the count is their sum, so the cumulative series ends exactly at it.
void put_hist(std::vector<Stat> &out, const std::string &name, const detail::LatencyHist &h) {
    uint64_t b[kLatencyBuckets];
    uint32_t lo = kLatencyBuckets, hi = 0;
    uint64_t count = 0;
    for (uint32_t k = 0; k < kLatencyBuckets; ++k) {
        b[k] = h.bucket[k].load(std::memory_order_relaxed);
        if (!b[k]) continue;
        count += b[k];
        if (lo == kLatencyBuckets) lo = k;
        hi = k;
    }
    if (!count) return;
    const std::string pre = "lat." + name + ".";
    uint64_t cum = 0;
    for (uint32_t k = lo; k <= hi; ++k) {
        cum += b[k];
        out.push_back(Stat{pre + "le." + std::to_string(latency_bucket_le_ns(k)), cum});
    }
    out.push_back(Stat{pre + "count", count});
    out.push_back(Stat{pre + "sum-ns", h.sum_ns.get()});
}

} // namespace

std::vector<Stat> SchedulerCore::Impl::stats() const {
    std::vector<Stat> out;
    auto put = [&](std::string name, uint64_t v) { out.push_back(Stat{std::move(name), v}); };
    const auto &c = counters;
    put("submitted", c.submitted.get());
    put("completed", c.completed.get());
    put("failed", c.failed.get());
    put("busy", c.busy.get());
    put("unsupported", c.unsupported.get());
    put("bound", c.bound.get());
    put("inline", c.inline_runs.get());
    put("inline-failed", c.inline_failed.get());
    put("duplicates", c.duplicates.get());
    put("retries", c.retries.get());
    put("rehashed", c.rehashed.get());
    put("routed", c.routed.get());
    put("fused", c.fused.get());
    put("shutdown", c.shutdown.get());
    if (const uint64_t w = worker_wait.windows()) {
        put("worker-wait-permille", worker_wait.permille());
        put("worker-wait-windows", w);
    }
    for (uint32_t p = 0; p <= ACRYPTO_PRIO_MAX; ++p) {
        const std::string pre = "prio." + std::to_string(p) + ".";
        put(pre + "submitted", c.prio_submitted[p].get());
        put(pre + "completed", c.prio_completed[p].get());
    }
    for (uint32_t p = 0; p <= ACRYPTO_PRIO_MAX; ++p)
        put_hist(out, "prio." + std::to_string(p), c.prio_latency[p]);
    for (uint32_t a = 0; a < detail::kAlgSlots; ++a) {
        const char *nm = alg_name(a);
        if (!nm) continue;
        const uint64_t steps = c.alg_steps[a].get(), failed = c.alg_failed[a].get();
        if (!steps && !failed) continue;
        const std::string pre = std::string("alg.") + nm + ".";
        put(pre + "steps", steps);
        put(pre + "bytes", c.alg_bytes[a].get());
        put(pre + "failed", failed);
    }
    for (uint32_t a = 0; a < detail::kAlgSlots; ++a)
        if (const char *nm = alg_name(a)) put_hist(out, std::string("alg.") + nm, c.alg_latency[a]);
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        const detail::Device *d = device(i);
        const std::string pre = "dev." + d->name + ".";
        const auto &dc = d->counters;
        put(pre + "enqueued", dc.enqueued.get());
        put(pre + "dequeued", dc.dequeued.get());
        put(pre + "completed", dc.completed.get());
        put(pre + "failed", dc.failed.get());
        put(pre + "duplicates", dc.duplicates.get());
        put(pre + "bytes", dc.bytes.get());
        put(pre + "broken", dc.broken.get());
        put(pre + "inline", dc.inline_runs.get());
        put(pre + "queued", d->queued.load(std::memory_order_relaxed));
        put(pre + "in-flight", d->in_flight.load(std::memory_order_relaxed));
        put_hist(out, "dev." + d->name, dc.service);
        if (d->drv->get_stats_fn && !d->closed.load(std::memory_order_acquire)) {
            acrypto_stat st[32];
            uint32_t k = 0;
            if (const_cast<detail::Device *>(d)->enter()) {
                if (d->drv->get_stats_fn(d->dev, st, 32, &k) != 0) k = 0;
                const_cast<detail::Device *>(d)->leave();
            }
            for (uint32_t j = 0; j < k && j < 32; ++j)
                if (st[j].name) put(pre + "drv." + st[j].name, st[j].value);
        }
    }
    return out;
}

} // namespace acrypto::sched
