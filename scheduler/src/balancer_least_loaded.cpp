// SPDX-License-Identifier: Apache-2.0
// Built-in balancer "least-loaded": earliest expected completion from the rates devices state.
//
// For a step of b input bytes each candidate has a service cost (b / rate + 1 / ops_per_sec,
// rate and latency as offered, ops_per_sec from the capability) and an expected completion
//   max(latency, backlog) + service,   backlog = queued_bytes / rate + (queued + in_flight) / ops
// (a busy device has paid its wake-up latency already). A candidate whose service cost is more
// than kFarSlower times the cheapest one among candidates with room is never picked: 3DES stays
// off mb's slow DES path however busy cpu is, and 8 KB AES-CBC goes to the multi-buffer lanes
// instead of taking a core for a serial one. The earliest expected completion wins, ties to
// fewer sessions, then to the earlier device. When a candidate states no rate the choice falls
// back to fewest queued + in-flight sessions (the original simple_lb), ties to fewer queued bytes.
#include <algorithm>
#include <cmath>

#include "acrypto/balancer.h"
#include "acrypto/sched/scheduler.hpp"

namespace {

/// Service cost more than this many times the cheapest one with room: never picked.
constexpr double kFarSlower = 3.0;

struct Model {
    double lat_ns;
    double ns_per_byte;
    double ns_per_op;
};

bool model_of(const acrypto_candidate &c, Model *m) {
    const acrypto_capability *cap = c.cap;
    const double rate = c.rate_bps > 0 ? c.rate_bps : (cap ? cap->bytes_per_sec : 0.0);
    if (!(rate > 0) || !std::isfinite(rate)) return false;
    const double lat = c.latency_ns > 0 ? c.latency_ns : (cap ? cap->latency_ns : 0.0);
    const double ops = cap && cap->ops_per_sec > 0 ? cap->ops_per_sec : 0.0;
    m->lat_ns = lat;
    m->ns_per_byte = 1e9 / rate;
    m->ns_per_op = ops > 0 ? 1e9 / ops : 0.0;
    return true;
}

int by_count(const acrypto_candidate *cands, uint32_t n) {
    int best = -1;
    for (uint32_t i = 0; i < n; ++i) {
        const acrypto_candidate &c = cands[i];
        if (c.queued >= c.queue_len) continue;
        if (best < 0) {
            best = static_cast<int>(i);
            continue;
        }
        const acrypto_candidate &b = cands[best];
        const uint64_t load = uint64_t{c.queued} + c.in_flight;
        const uint64_t bload = uint64_t{b.queued} + b.in_flight;
        if (load < bload || (load == bload && c.queued_bytes < b.queued_bytes))
            best = static_cast<int>(i);
    }
    return best;
}

int ll_find_device(void *, const acrypto_session *s, const acrypto_candidate *cands, uint32_t n) {
    constexpr uint32_t kStack = 16;
    if (n > kStack) return by_count(cands, n);
    Model m[kStack];
    for (uint32_t i = 0; i < n; ++i) {
        if (!model_of(cands[i], &m[i])) return by_count(cands, n);
    }
    double bytes = 0;
    if (s && s->steps && s->cur < s->nsteps) bytes = static_cast<double>(s->steps[s->cur].src_len);

    double cheapest = INFINITY;
    for (uint32_t i = 0; i < n; ++i) {
        if (cands[i].queued >= cands[i].queue_len) continue;
        const double service = bytes * m[i].ns_per_byte + m[i].ns_per_op;
        if (service < cheapest) cheapest = service;
    }
    int best = -1;
    double best_t = INFINITY;
    uint64_t best_load = 0;
    for (uint32_t i = 0; i < n; ++i) {
        const acrypto_candidate &c = cands[i];
        if (c.queued >= c.queue_len) continue;
        const double service = bytes * m[i].ns_per_byte + m[i].ns_per_op;
        if (service > kFarSlower * cheapest) continue;
        const uint64_t load = uint64_t{c.queued} + c.in_flight;
        const double backlog = static_cast<double>(c.queued_bytes) * m[i].ns_per_byte +
                               static_cast<double>(load) * m[i].ns_per_op;
        const double t = std::max(m[i].lat_ns, backlog) + service;
        if (best < 0 || t < best_t || (t == best_t && load < best_load)) {
            best = static_cast<int>(i);
            best_t = t;
            best_load = load;
        }
    }
    return best;
}

const acrypto_balancer kLeastLoaded = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_balancer),
    "least-loaded",
    "earliest expected completion from stated rates and backlog; far slower devices skipped",
    nullptr,
    nullptr,
    nullptr,
    ll_find_device,
    nullptr,
    nullptr,
};

} // namespace

extern "C" const acrypto_balancer *acrypto::sched::acrypto_builtin_least_loaded(void) {
    return &kLeastLoaded;
}
