// SPDX-License-Identifier: Apache-2.0
// Built-in balancer "round-robin": each step goes to the next candidate with room.
#include <atomic>
#include <new>

#include "acrypto/balancer.h"
#include "acrypto/sched/scheduler.hpp"

namespace {

struct RoundRobin {
    std::atomic<uint32_t> next{0};
};

int rr_create(const acrypto_config *, void **state, char *, size_t) {
    auto *rr = new (std::nothrow) RoundRobin;
    if (!rr) return ACRYPTO_E_NOMEM;
    *state = rr;
    return ACRYPTO_OK;
}

void rr_destroy(void *state) { delete static_cast<RoundRobin *>(state); }

int rr_find_device(void *state, const acrypto_session *, const acrypto_candidate *cands,
                   uint32_t n) {
    if (n == 0) return -1;
    auto *rr = static_cast<RoundRobin *>(state);
    const uint32_t start = rr->next.fetch_add(1, std::memory_order_relaxed);
    for (uint32_t k = 0; k < n; ++k) {
        const uint32_t i = (start + k) % n;
        if (cands[i].queued < cands[i].queue_len) return static_cast<int>(i);
    }
    return -1;
}

const acrypto_balancer kRoundRobin = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_balancer),
    "round-robin",
    "next candidate with room, in turn",
    nullptr,
    rr_create,
    rr_destroy,
    rr_find_device,
    nullptr,
    nullptr,
};

} // namespace

extern "C" const acrypto_balancer *acrypto::sched::acrypto_builtin_round_robin(void) {
    return &kRoundRobin;
}
