// SPDX-License-Identifier: Apache-2.0
// Capability matching against route steps.
#include "capability.hpp"

namespace acrypto::sched::detail {

uint32_t cipher_block(uint32_t alg) noexcept {
    switch (alg) {
    case ACRYPTO_ALG_AES: return 16;
    case ACRYPTO_ALG_DES:
    case ACRYPTO_ALG_DES_EDE3: return 8;
    default: return 1;
    }
}

namespace {

bool key_len_ok(const acrypto_capability &cap, const acrypto_key *key) noexcept {
    // key_max == 0: the capability does not constrain the key (keyless, or DER
    // public-key material whose size is not a key length).
    if (cap.key_max == 0) return true;
    if (!key) return cap.key_min == 0;
    const size_t len = key->len;
    if (len < cap.key_min || len > cap.key_max) return false;
    if (cap.key_step == 0) return len == cap.key_min || len == cap.key_max;
    return (len - cap.key_min) % cap.key_step == 0;
}

} // namespace

bool cap_matches(const acrypto_capability &cap, const acrypto_step &step) noexcept {
    if (cap.op != step.op || cap.alg != step.alg || cap.mode != step.mode) return false;
    if (step.dir != 0 && (cap.dirs & step.dir) != step.dir) return false;
    if (!key_len_ok(cap, step.key)) return false;
    if (cap.max_input != 0 && step.src_len > cap.max_input) return false;
    if ((cap.flags & ACRYPTO_CAP_F_BLOCK_MULTIPLE) && step.op == ACRYPTO_OP_CIPHER &&
        step.src_len % cipher_block(step.alg) != 0)
        return false;
    if ((step.op == ACRYPTO_OP_DIGEST || step.op == ACRYPTO_OP_MAC) &&
        !(cap.flags & ACRYPTO_CAP_F_PARTIAL)) {
        constexpr uint32_t whole = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        if ((step.flags & whole) != whole) return false;
    }
    return true;
}

uint32_t cap_steps(const acrypto_capability &cap, const acrypto_session &s, uint32_t cur) noexcept {
    if (cur >= s.nsteps || !cap_matches(cap, s.steps[cur])) return 0;
    if ((cap.flags & ACRYPTO_CAP_F_FUSED) && cur + 1 < s.nsteps) {
        const acrypto_step &nx = s.steps[cur + 1];
        if (nx.op == cap.fused_op && nx.alg == cap.fused_alg && nx.mode == cap.fused_mode) return 2;
    }
    return 1;
}

const acrypto_capability *find_cap(const acrypto_capability *caps, uint32_t ncaps,
                                   const acrypto_session &s, uint32_t cur,
                                   uint32_t *nsteps) noexcept {
    const acrypto_capability *best = nullptr;
    uint32_t best_n = 0;
    for (uint32_t i = 0; i < ncaps; ++i) {
        uint32_t n = cap_steps(caps[i], s, cur);
        if (n > best_n) {
            best = &caps[i];
            best_n = n;
            if (n == 2) break;
        }
    }
    if (nsteps) *nsteps = best_n;
    return best;
}

} // namespace acrypto::sched::detail
