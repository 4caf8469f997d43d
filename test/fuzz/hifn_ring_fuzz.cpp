// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: HIFN ring-index handling (check_ring_done, check_packet_done) on fuzzed
// descriptor control words and driver indices, against a plain model of the ring walk.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "command.hpp"
#include "fuzz_input.hpp"
#include "regs.hpp"

using namespace acrypto::hw::hifn;

namespace {

using acrypto::fuzz::Input;

/// One ring in exactly-sized heap memory ((n + 1) descriptors, or fewer when `short_by`).
struct FuzzRing {
    uint32_t *words = nullptr;
    size_t nwords = 0;
    RingView view;
    FuzzRing(Input &in) {
        const uint32_t n = in.take(1) % 40;
        const uint32_t cons = in.take(1);
        const uint32_t short_by = in.take(1) % 4 == 0 ? 2 : 0; // jump and one entry missing
        const size_t ndesc = n + 1 > short_by ? n + 1 - short_by : 0;
        nwords = ndesc * kDescWords;
        words = static_cast<uint32_t *>(malloc(nwords ? nwords * 4 : 4));
        const uint32_t valid_mask = in.take(4); // which descriptors the chip still owns
        for (size_t d = 0; d < ndesc; ++d) {
            words[d * kDescWords] = (in.take(2) & ~regs::HIFN_D_VALID) |
                                    ((valid_mask >> (d % 32)) & 1 ? regs::HIFN_D_VALID : 0u);
            words[d * kDescWords + 1] = 0;
        }
        view = RingView{{words, nwords}, n, cons};
    }
    ~FuzzRing() { free(words); }
    FuzzRing(const FuzzRing &) = delete;
    FuzzRing &operator=(const FuzzRing &) = delete;

    /// The model: index arithmetic with %, in 64 bits.
    RingCheck model(uint32_t count) const {
        const RingView &r = view;
        if (r.n == 0 || r.cons >= r.n || count > r.n || nwords < size_t{r.n} * kDescWords)
            return RingCheck::BadIndex;
        for (uint64_t k = 0; k < count; ++k)
            if (words[(r.cons + k) % r.n * kDescWords] & regs::HIFN_D_VALID)
                return RingCheck::StillValid;
        return RingCheck::Done;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    const uint32_t nsrc = in.take(1) % 48;
    const uint32_t ndst = in.take(1) % 48;
    FuzzRing cmd(in), src(in), dst(in);
    if (check_ring_done(cmd.view, 1) != cmd.model(1)) abort();
    if (check_ring_done(src.view, nsrc) != src.model(nsrc)) abort();
    if (check_ring_done(dst.view, ndst) != dst.model(ndst)) abort();
    RingCheck want = cmd.model(1);
    if (want == RingCheck::Done) want = src.model(nsrc);
    if (want == RingCheck::Done) want = dst.model(ndst);
    if (check_packet_done(cmd.view, src.view, nsrc, dst.view, ndst) != want) abort();
    return 0;
}
