// SPDX-License-Identifier: Apache-2.0
// A balancer plugin built as its own .so for the loader tests: always the last candidate.
#include "acrypto/balancer.h"

namespace {

int find_last(void *, const acrypto_session *, const acrypto_candidate *c, uint32_t n) {
    for (uint32_t i = n; i-- > 0;)
        if (c[i].queued < c[i].queue_len) return static_cast<int>(i);
    return -1;
}

const acrypto_balancer kBalancer = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_balancer),
    "last",
    "always the last candidate with room",
    nullptr,
    nullptr,
    nullptr,
    find_last,
    nullptr,
    nullptr,
};

} // namespace

extern "C" __attribute__((visibility("default"))) const acrypto_balancer *
acrypto_balancer_v1(void) {
    return &kBalancer;
}
