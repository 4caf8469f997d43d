// SPDX-License-Identifier: Apache-2.0
// Built-in balancer "least-loaded": fewest queued + in-flight sessions (the original simple_lb).
#include "acrypto/balancer.h"
#include "acrypto/sched/scheduler.hpp"

namespace {

int ll_find_device(void *, const acrypto_session *, const acrypto_candidate *cands, uint32_t n) {
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
        // Ties go to fewer queued bytes, then to the earlier device.
        if (load < bload || (load == bload && c.queued_bytes < b.queued_bytes))
            best = static_cast<int>(i);
    }
    return best;
}

const acrypto_balancer kLeastLoaded = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_balancer),
    "least-loaded",
    "fewest queued + in-flight sessions",
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
