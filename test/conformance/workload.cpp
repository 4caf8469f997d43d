// SPDX-License-Identifier: Apache-2.0
// Workload: choose a declared capability and build sessions with expected results for it.
#include "workload.hpp"

namespace acrypto::test::conformance {

bool Job::correct() const {
    if (check_len_only) return s->step().out_len == s->step().dst_len;
    return s->output_bytes() == want;
}

std::optional<Workload> Workload::pick(const acrypto_device_desc &d) {
    auto score = [](const acrypto_capability &c) -> int {
        if (c.op == ACRYPTO_OP_CIPHER && (c.dirs & ACRYPTO_DIR_ENCRYPT)) {
            switch (c.mode) {
            case ACRYPTO_MODE_CBC: return 10;
            case ACRYPTO_MODE_ECB: return 9;
            case ACRYPTO_MODE_CTR:
            case ACRYPTO_MODE_CFB:
            case ACRYPTO_MODE_OFB:
            case ACRYPTO_MODE_STREAM: return 8;
            default: return 0;
            }
        }
        if (c.op == ACRYPTO_OP_DIGEST && !digest_name(c.alg).empty()) return 6;
        if (c.op == ACRYPTO_OP_MAC && c.mode == ACRYPTO_MODE_HMAC) return 5;
        if (c.op == ACRYPTO_OP_RAND) return 1;
        return 0;
    };
    const acrypto_capability *best = nullptr;
    int best_score = 0;
    size_t best_key = 0;
    for (uint32_t i = 0; i < d.ncaps; ++i) {
        const acrypto_capability &c = d.caps[i];
        int sc = score(c);
        if (sc <= best_score) continue;
        size_t key = 0;
        if (c.op == ACRYPTO_OP_CIPHER) {
            bool found = false;
            for (size_t k : cap_key_sizes(c))
                if (!found && reference_has_cipher(c.alg, c.mode, k)) key = k, found = true;
            if (!found) continue;
        } else if (c.op == ACRYPTO_OP_MAC) {
            key = c.key_min > 16 ? c.key_min : (c.key_max >= 16 ? 16 : c.key_max);
            if (!cap_matches(c, c.op, c.alg, c.mode, 0, key, 0)) key = c.key_min;
        }
        best = &c, best_score = sc, best_key = key;
    }
    if (!best) return std::nullopt;
    Workload w;
    w.cap_ = *best;
    w.key_len_ = best_key;
    return w;
}

Job Workload::make(size_t len, uint64_t seed) const {
    Job j;
    const acrypto_capability &c = cap_;
    if (c.max_input && len > c.max_input) len = static_cast<size_t>(c.max_input);
    switch (c.op) {
    case ACRYPTO_OP_CIPHER: {
        const size_t b = cipher_block_size(c.alg);
        if (c.mode == ACRYPTO_MODE_ECB || c.mode == ACRYPTO_MODE_CBC ||
            (c.flags & ACRYPTO_CAP_F_BLOCK_MULTIPLE))
            len = len / b * b;
        const size_t ivl = c.mode == ACRYPTO_MODE_ECB ? 0 : c.alg == ACRYPTO_ALG_CHACHA20 ? 16 : b;
        Bytes key = pattern_bytes(key_len_, seed), iv = pattern_bytes(ivl, seed + 1),
              in = pattern_bytes(len, seed + 2);
        j.want = reference_cipher(c.alg, c.mode, ACRYPTO_DIR_ENCRYPT, key, iv, in);
        j.s = make_cipher(c.alg, c.mode, ACRYPTO_DIR_ENCRYPT, key, iv, in);
        break;
    }
    case ACRYPTO_OP_DIGEST: {
        Bytes in = pattern_bytes(len, seed);
        j.want = reference_digest(c.alg, in);
        j.s = make_digest(c.alg, in);
        break;
    }
    case ACRYPTO_OP_MAC: {
        Bytes key = pattern_bytes(key_len_, seed), in = pattern_bytes(len, seed + 1);
        j.want = reference_hmac(c.alg, key, in);
        j.s = make_hmac(c.alg, key, in);
        break;
    }
    default:
        j.s = make_rand(len ? len : 1);
        j.check_len_only = true;
        break;
    }
    j.s->s.priority = static_cast<uint32_t>(seed % (ACRYPTO_PRIO_MAX + 1));
    return j;
}

} // namespace acrypto::test::conformance
