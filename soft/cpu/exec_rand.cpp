// SPDX-License-Identifier: Apache-2.0
// cpu family "rand": random bytes from the kernel CSPRNG (getrandom(2)).
#include "exec_rand.hpp"

#include <sys/random.h>

#include <cerrno>

#include "rates.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr uint64_t kMaxOutput = uint64_t{1} << 30;

// kRandCaps: ACRYPTO_ALG_RNG; max_input bounds dst_len (src is unused).
const acrypto_capability kRandCaps[] = {
    {ACRYPTO_OP_RAND, ACRYPTO_ALG_RNG, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, kMaxOutput, 0, 0, 0,
     rates::kOffloadLatencyNs, rates::kRandBps, rates::kSmallOpsPerSec},
};

int exec(ExecCtx &, acrypto_session &s, uint32_t i) {
    acrypto_step &st = s.steps[i];
    if (st.op != ACRYPTO_OP_RAND || st.alg != ACRYPTO_ALG_RNG) return ACRYPTO_E_UNSUPPORTED;
    if (st.dst_len > kMaxOutput || (st.dst_len && !st.dst)) return ACRYPTO_E_INVALID;
    int rc = fill_random(st.dst, st.dst_len);
    st.out_len = rc == ACRYPTO_OK ? st.dst_len : 0;
    return rc;
}

} // namespace

int fill_random(uint8_t *buf, size_t len) noexcept {
    while (len > 0) {
        ssize_t n = getrandom(buf, len, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return ACRYPTO_E_DEVICE;
        }
        buf += n;
        len -= static_cast<size_t>(n);
    }
    return ACRYPTO_OK;
}

const Family kRandFamily = {
    "rand", kRandCaps, sizeof(kRandCaps) / sizeof(kRandCaps[0]), exec, nullptr, nullptr, nullptr,
};

} // namespace acrypto::soft::cpu
