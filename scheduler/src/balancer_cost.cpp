// SPDX-License-Identifier: Apache-2.0
// Built-in balancer "cost": pick the device with the earliest expected completion,
//   cost = latency + (queued bytes + step bytes) / rate + (queued + in flight + 1) / ops rate,
// where latency and rate start from the capability and are learned online from
// observe_fn per (device, algorithm, size class).
//
// Exploration: a device that is never chosen is never observed, so one slow first
// sample (a cold cache, a stall, a busy box) would lock the choice onto another
// device for good. A (device, algorithm, size class) estimate is stale once that
// class was placed elsewhere `explore-every` times in a row and the device was not
// observed for `explore-ms`: the next placement of that class probes it, and the
// probe's sample replaces the stale estimate instead of being blended into it.
// At most one probe per class per explore-ms and per explore-every placements.
#include <time.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include "acrypto/balancer.h"
#include "acrypto/sched/scheduler.hpp"

namespace {

/// Size classes: <=64, <=256, <=1 KiB, <=4 KiB, <=16 KiB, <=64 KiB, <=256 KiB, larger.
constexpr uint32_t kClasses = 8;
/// (device, algorithm) slots in the open-addressing table.
constexpr uint32_t kSlots = 512;
constexpr uint32_t kEmpty = UINT32_MAX;

uint32_t size_class(uint64_t bytes) noexcept {
    uint32_t c = 0;
    for (uint64_t lim = 64; c + 1 < kClasses && bytes > lim; lim <<= 2) ++c;
    return c;
}

uint64_t coarse_ms() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

/// Learned service time of one size class (EWMA). Races lose an update at worst.
struct ClassStat {
    std::atomic<double> ns{0};
    std::atomic<double> bytes{0};
    std::atomic<uint32_t> n{0};
    std::atomic<uint32_t> skips{0};   ///< placements of this class elsewhere since last chosen
    std::atomic<uint64_t> last_ms{0}; ///< last observation or probe (coarse ms)
    std::atomic<uint32_t> probing{0}; ///< a probe is out: its sample replaces the estimate
};

struct Slot {
    std::atomic<uint32_t> key{kEmpty}; ///< device_id << 8 | alg
    ClassStat cls[kClasses];
};

struct Cost {
    double alpha = 0.125;
    uint32_t explore_every = 32; ///< 0: never re-probe
    uint64_t explore_ms = 100;
    Slot slots[kSlots];

    Slot *find(uint32_t key, bool create) noexcept {
        uint32_t h = (key * 2654435761u) % kSlots;
        for (uint32_t i = 0; i < kSlots; ++i, h = (h + 1) % kSlots) {
            uint32_t k = slots[h].key.load(std::memory_order_acquire);
            if (k == key) return &slots[h];
            if (k == kEmpty) {
                if (!create) return nullptr;
                if (slots[h].key.compare_exchange_strong(k, key, std::memory_order_acq_rel) ||
                    k == key)
                    return &slots[h];
            }
        }
        return nullptr;
    }
};

uint32_t slot_key(uint32_t dev, uint32_t alg) noexcept { return dev << 8 | (alg & 0xff); }

int cost_create(const acrypto_config *cfg, void **state, char *why, size_t why_len) {
    auto *c = new (std::nothrow) Cost;
    if (!c) return ACRYPTO_E_NOMEM;
    for (uint32_t i = 0; cfg && i < cfg->count; ++i) {
        const char *k = cfg->items[i].key;
        const char *v = cfg->items[i].value;
        if (std::strcmp(k, "alpha") == 0) {
            char *end = nullptr;
            errno = 0;
            double a = std::strtod(v, &end);
            if (errno || !end || *end || !(a > 0.0 && a <= 1.0)) {
                if (why) std::snprintf(why, why_len, "alpha: '%s' is not in (0, 1]", v);
                delete c;
                return ACRYPTO_E_INVALID;
            }
            c->alpha = a;
        } else if (std::strcmp(k, "explore-every") == 0 || std::strcmp(k, "explore-ms") == 0) {
            char *end = nullptr;
            errno = 0;
            const unsigned long long x = std::strtoull(v, &end, 10);
            if (errno || !end || *end || !*v || *v == '-' || x > 1000000000ull) {
                if (why) std::snprintf(why, why_len, "%s: '%s' is not a count 0..1000000000", k, v);
                delete c;
                return ACRYPTO_E_INVALID;
            }
            if (std::strcmp(k, "explore-every") == 0)
                c->explore_every = static_cast<uint32_t>(x);
            else
                c->explore_ms = x;
        } else {
            if (why) std::snprintf(why, why_len, "unknown key '%s'", k);
            delete c;
            return ACRYPTO_E_INVALID;
        }
    }
    *state = c;
    return ACRYPTO_OK;
}

void cost_destroy(void *state) { delete static_cast<Cost *>(state); }

/// Learned (latency ns, bytes/s) of a (device, algorithm), falling back to `cap`.
void learned(const Slot *sl, const acrypto_candidate &c, double *lat, double *rate) noexcept {
    *lat = c.latency_ns > 0 ? c.latency_ns : (c.cap ? c.cap->latency_ns : 0);
    *rate = c.rate_bps > 0 ? c.rate_bps : (c.cap ? c.cap->bytes_per_sec : 0);
    if (!sl) return;
    // Latency: the smallest observed class; rate: the largest one, net of latency.
    for (uint32_t k = 0; k < kClasses; ++k) {
        if (sl->cls[k].n.load(std::memory_order_relaxed)) {
            *lat = sl->cls[k].ns.load(std::memory_order_relaxed);
            break;
        }
    }
    for (uint32_t k = kClasses; k-- > 2;) {
        if (!sl->cls[k].n.load(std::memory_order_relaxed)) continue;
        const double ns = sl->cls[k].ns.load(std::memory_order_relaxed) - *lat;
        const double b = sl->cls[k].bytes.load(std::memory_order_relaxed);
        if (ns > 0 && b > 0) *rate = b * 1e9 / ns;
        break;
    }
}

int cost_find_device(void *state, const acrypto_session *s, const acrypto_candidate *cands,
                     uint32_t n) {
    auto *st = static_cast<Cost *>(state);
    const acrypto_step *step = s && s->steps && s->cur < s->nsteps ? &s->steps[s->cur] : nullptr;
    const uint64_t bytes = step ? step->src_len : 0;
    const uint32_t alg = step ? step->alg : 0;
    const uint32_t cls = size_class(bytes);
    int best = -1;
    double best_cost = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const acrypto_candidate &c = cands[i];
        if (c.queued >= c.queue_len) continue;
        // With exploration on, every candidate gets a slot so its skips are counted.
        const Slot *sl = st->find(slot_key(c.device_id, alg), st->explore_every != 0);
        double lat, rate;
        learned(sl, c, &lat, &rate);
        double service = lat + (rate > 0 ? static_cast<double>(bytes) * 1e9 / rate : 0);
        if (sl && sl->cls[cls].n.load(std::memory_order_relaxed))
            service = sl->cls[cls].ns.load(std::memory_order_relaxed);
        const double ops =
            c.cap && c.cap->ops_per_sec > 0 ? c.cap->ops_per_sec : (lat > 0 ? 1e9 / lat : 1e9);
        const double backlog = (rate > 0 ? static_cast<double>(c.queued_bytes) * 1e9 / rate : 0) +
                               (c.queued + c.in_flight) * 1e9 / ops;
        const double cost = backlog + service;
        if (best < 0 || cost < best_cost) {
            best = static_cast<int>(i);
            best_cost = cost;
        }
    }
    if (best < 0 || st->explore_every == 0 || n < 2) return best;
    uint64_t now = 0;
    int probe = -1;
    for (uint32_t i = 0; i < n; ++i) {
        const acrypto_candidate &c = cands[i];
        Slot *sl = st->find(slot_key(c.device_id, alg), true);
        if (!sl) continue;
        ClassStat &cs = sl->cls[cls];
        uint32_t sk = cs.skips.load(std::memory_order_relaxed);
        if (static_cast<int>(i) == best) {
            if (sk) cs.skips.store(0, std::memory_order_relaxed);
            continue;
        }
        if (c.queued >= c.queue_len) continue;
        if (sk < st->explore_every) {
            cs.skips.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (probe >= 0) continue;
        if (!now) now = coarse_ms();
        if (now - cs.last_ms.load(std::memory_order_relaxed) < st->explore_ms) continue;
        // One placement wins the probe; the others keep to the estimate.
        if (cs.skips.compare_exchange_strong(sk, 0, std::memory_order_relaxed)) {
            cs.last_ms.store(now, std::memory_order_relaxed);
            cs.probing.store(1, std::memory_order_relaxed);
            probe = static_cast<int>(i);
        }
    }
    return probe >= 0 ? probe : best;
}

void cost_rehash(void *state, uint32_t device_id) {
    auto *st = static_cast<Cost *>(state);
    for (auto &sl : st->slots) {
        const uint32_t k = sl.key.load(std::memory_order_acquire);
        if (k == kEmpty || (k >> 8) != device_id) continue;
        for (auto &c : sl.cls) {
            c.n.store(0, std::memory_order_relaxed);
            c.skips.store(0, std::memory_order_relaxed);
            c.probing.store(0, std::memory_order_relaxed);
        }
    }
}

void cost_observe(void *state, uint32_t device_id, const acrypto_session *s, uint64_t bytes,
                  uint64_t ns) {
    auto *st = static_cast<Cost *>(state);
    if (!s || !s->steps || s->cur >= s->nsteps) return;
    Slot *sl = st->find(slot_key(device_id, s->steps[s->cur].alg), true);
    if (!sl) return;
    ClassStat &c = sl->cls[size_class(bytes)];
    const double x = static_cast<double>(ns), b = static_cast<double>(bytes);
    if (st->explore_every) c.last_ms.store(coarse_ms(), std::memory_order_relaxed);
    // A probe's sample replaces the stale estimate it was sent to check.
    const bool probe = c.probing.load(std::memory_order_relaxed) &&
                       c.probing.exchange(0, std::memory_order_relaxed);
    if (c.n.fetch_add(1, std::memory_order_relaxed) == 0 || probe) {
        c.ns.store(x, std::memory_order_relaxed);
        c.bytes.store(b, std::memory_order_relaxed);
        return;
    }
    const double a = st->alpha;
    c.ns.store(c.ns.load(std::memory_order_relaxed) * (1 - a) + x * a, std::memory_order_relaxed);
    c.bytes.store(c.bytes.load(std::memory_order_relaxed) * (1 - a) + b * a,
                  std::memory_order_relaxed);
}

const char *const kCostKeys[] = {"alpha", "explore-every", "explore-ms", nullptr};

const acrypto_balancer kCost = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_balancer),
    "cost",
    "earliest expected completion: queued work / learned rate + learned latency",
    kCostKeys,
    cost_create,
    cost_destroy,
    cost_find_device,
    cost_rehash,
    cost_observe,
};

} // namespace

extern "C" const acrypto_balancer *acrypto::sched::acrypto_builtin_cost(void) { return &kCost; }
