// SPDX-License-Identifier: Apache-2.0
// cpu family "digest": SHA-1/SHA-2, one-shot or in chunks continued through the FIPS 180 state.
#include "exec_digest.hpp"

#include "rates.hpp"
#include "sha_core.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr uint64_t kMaxInput = uint64_t{1} << 32;

constexpr acrypto_capability cap(uint32_t alg, double bps) {
    return {ACRYPTO_OP_DIGEST,
            alg,
            ACRYPTO_MODE_NONE,
            0,
            0,
            0,
            0,
            ACRYPTO_CAP_F_PARTIAL,
            kMaxInput,
            0,
            0,
            0,
            rates::kOffloadLatencyNs,
            bps,
            rates::kSmallOpsPerSec};
}
// kDigestCaps: SHA-1, SHA-224/256, SHA-384/512, each with PARTIAL continuation.
const acrypto_capability kDigestCaps[] = {
    cap(ACRYPTO_ALG_SHA1, rates::kSha1Bps),     cap(ACRYPTO_ALG_SHA224, rates::kSha256Bps),
    cap(ACRYPTO_ALG_SHA256, rates::kSha256Bps), cap(ACRYPTO_ALG_SHA384, rates::kSha512Bps),
    cap(ACRYPTO_ALG_SHA512, rates::kSha512Bps),
};

int exec(ExecCtx &, acrypto_session &s, uint32_t i) {
    acrypto_step &st = s.steps[i];
    const ShaInfo *info = sha_info(st.alg);
    if (st.op != ACRYPTO_OP_DIGEST || !info) return ACRYPTO_E_UNSUPPORTED;
    const bool first = st.flags & ACRYPTO_STEP_F_FIRST;
    const bool final = st.flags & ACRYPTO_STEP_F_FINAL;
    if (st.src_len > kMaxInput || (st.src_len && !st.src)) return ACRYPTO_E_INVALID;
    // A non-final chunk leaves only a chaining value: it must end on a block boundary.
    if (!final && st.src_len % info->block_len != 0) return ACRYPTO_E_INVALID;
    if (final && (st.dst_len < info->digest_len || !st.dst)) return ACRYPTO_E_INVALID;
    ShaCtx h;
    if (first ? !h.init(st.alg) : !h.load(st.alg, st.state, st.state_len)) return ACRYPTO_E_INVALID;
    h.update(st.src, st.src_len);
    if (final) {
        h.final(st.dst);
        st.out_len = info->digest_len;
    } else {
        h.store(st.state);
        st.state_len = (first ? 0 : st.state_len) + st.src_len;
        st.out_len = 0;
        h.wipe();
    }
    return ACRYPTO_OK;
}

} // namespace

const Family kDigestFamily = {
    "digest", kDigestCaps, sizeof(kDigestCaps) / sizeof(kDigestCaps[0]), exec, nullptr,
    nullptr,  nullptr,
};

} // namespace acrypto::soft::cpu
