// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: FastCrypt FPI reap validation (check_reap) on a fuzzed RING_HEAD, ring
// snapshot (status, cookie and IV write-backs) and driver state.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include "fpi.hpp"
#include "fuzz_input.hpp"
#include "regs.hpp"

using namespace acrypto::hw::fastcrypt;

namespace {

using acrypto::fuzz::Input;

void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_le32(const uint8_t *p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

} // namespace

// Input: ring size, driver head, in-flight count, RING_HEAD, a shape byte, then per slot a
// control byte (keep the posted cookie? well-formed status?) and the slot's bytes.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    static const uint32_t sizes[] = {4, 8, 16, 64, 0, 1, 2, 3};
    const uint32_t pick = in.take(1);
    const uint32_t n = pick < 8 ? sizes[pick] : (pick & 0x3f);
    ReapState st;
    st.ring_size = n;
    st.sw_head = in.take(1);
    st.in_flight = in.take(1);
    uint32_t head = in.take(4);
    const uint32_t shape = in.take(1);
    if (shape & 1) head &= 0xff; // mostly small heads, so the fuzzer reaches the slots
    // Exactly-sized heap buffers (ASan bounds them); shape bit 1 makes the ring one slot short.
    const size_t slots = (shape & 2) && n > 0 ? n - 1 : n;
    const size_t ring_bytes = slots * regs::DESC_SIZE;
    auto *ring = static_cast<uint8_t *>(malloc(ring_bytes ? ring_bytes : 1));
    std::vector<uint32_t> cookies(n);
    for (uint32_t s = 0; s < slots; ++s) {
        uint8_t *d = ring + size_t{s} * regs::DESC_SIZE;
        const uint32_t ctl = in.take(1);
        for (uint32_t b = 0; b < regs::DESC_SIZE; ++b) d[b] = static_cast<uint8_t>(in.take(1));
        cookies[s] = 0xC0DE0000u | s;
        if (ctl & 1) put_le32(d + regs::D_COOKIE, cookies[s]);
        if (ctl & 2)
            put_le32(d + regs::D_STATUS, regs::D_ST_DONE | (ctl >> 2) % (regs::ERR_MAX + 1));
    }
    std::vector<Completion> out(1); // a previous entry must stay untouched
    out[0].slot = 0xDEAD;
    ReapCheck rc = check_reap(head, st, std::span<const uint8_t>(ring, ring_bytes), cookies, out);

    const bool state_ok = n > 0 && st.sw_head < n && st.in_flight < n && slots == n;
    if (!state_ok && (rc.cause != FaultCause::BadHead || rc.reaped != 0)) abort();
    if (out.size() != 1 + rc.reaped || out[0].slot != 0xDEAD) abort();
    if (rc.reaped > st.in_flight) abort(); // reaped something never posted
    if ((rc.cause == FaultCause::None) != rc.message.empty()) abort();
    for (uint32_t i = 0; i < rc.reaped; ++i) {
        const Completion &c = out[1 + i];
        if (c.slot != (st.sw_head + i) % n) abort(); // out of order or out of range
        const uint8_t *d = ring + size_t{c.slot} * regs::DESC_SIZE;
        const uint32_t status = get_le32(d + regs::D_STATUS);
        if ((status & regs::D_ST_DONE) == 0 || static_cast<uint32_t>(c.result) > regs::ERR_MAX ||
            (status & regs::D_ST_CODE_MASK) != static_cast<uint32_t>(c.result))
            abort(); // a completion the device never finished, or with an unknown code
        if (c.cookie != cookies[c.slot] || get_le32(d + regs::D_COOKIE) != c.cookie) abort();
        if (std::memcmp(c.iv, d + regs::D_IV, sizeof c.iv) != 0) abort();
    }
    if (state_ok && st.in_flight > 0 && head < n) {
        const uint32_t avail = (head + n - st.sw_head) % n;
        if (rc.cause == FaultCause::None && rc.reaped != avail) abort(); // stopped early, no fault
        if (avail > st.in_flight && rc.cause != FaultCause::BadHead) abort();
    }
    if (state_ok && st.in_flight > 0 && head >= n && rc.cause == FaultCause::None) abort();
    free(ring);
    return 0;
}
