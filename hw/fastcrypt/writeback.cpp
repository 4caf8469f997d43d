// SPDX-License-Identifier: Apache-2.0
// check_reap: validation of RING_HEAD, descriptor status and cookie write-backs on a snapshot.
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "fpi.hpp"
#include "regs.hpp"

namespace acrypto::hw::fastcrypt {

namespace {

uint32_t load_le32(const uint8_t *p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

std::string hex32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08X", v);
    return b;
}

ReapCheck fault(ReapCheck rc, FaultCause cause, std::string msg) {
    rc.cause = cause;
    rc.message = std::move(msg);
    return rc;
}

} // namespace

ReapCheck check_reap(uint32_t head, const ReapState &st, std::span<const uint8_t> ring,
                     std::span<const uint32_t> cookies, std::vector<Completion> &out) {
    ReapCheck rc;
    const uint32_t n = st.ring_size;
    // Driver-side state first: a zero ring would divide by zero below, a short buffer over-read.
    if (n == 0 || st.sw_head >= n || st.in_flight >= n || ring.size() / regs::DESC_SIZE < n ||
        cookies.size() < n || reinterpret_cast<uintptr_t>(ring.data()) % alignof(uint32_t) != 0)
        return fault(rc, FaultCause::BadHead,
                     "reap state out of range: ring " + std::to_string(n) + ", head " +
                         std::to_string(st.sw_head) + ", in flight " +
                         std::to_string(st.in_flight));
    if (st.in_flight == 0) return rc;
    if (head == regs::ALL_ONES)
        return fault(rc, FaultCause::Removed, "RING_HEAD reads 0xFFFFFFFF: card removed");
    if (head >= n)
        return fault(rc, FaultCause::BadHead,
                     "RING_HEAD " + std::to_string(head) + " >= ring size " + std::to_string(n));
    // head < n and sw_head < n, so the sum stays below 2^33 only in 64 bits.
    const uint32_t avail = static_cast<uint32_t>((uint64_t{head} + n - st.sw_head) % n);
    if (avail > st.in_flight)
        return fault(rc, FaultCause::BadHead,
                     "RING_HEAD " + std::to_string(head) + " beyond the " +
                         std::to_string(st.in_flight) + " posted descriptors");
    uint32_t slot = st.sw_head;
    for (uint32_t i = 0; i < avail; ++i) {
        const uint8_t *p = ring.data() + size_t{slot} * regs::DESC_SIZE;
        // The device writes the status word last (§2.4): acquire it before what it guards.
        const uint32_t status = __atomic_load_n(
            reinterpret_cast<const uint32_t *>(p + regs::D_STATUS), __ATOMIC_ACQUIRE);
        if ((status & regs::D_ST_DONE) == 0)
            return fault(rc, FaultCause::NotDone,
                         "RING_HEAD passed slot " + std::to_string(slot) + " but its status " +
                             hex32(status) + " lacks DONE");
        const uint32_t code = status & regs::D_ST_CODE_MASK;
        if ((status & ~(regs::D_ST_DONE | regs::D_ST_CODE_MASK)) != 0 || code > regs::ERR_MAX)
            return fault(rc, FaultCause::BadStatus,
                         "slot " + std::to_string(slot) + " has unknown status " + hex32(status));
        const uint32_t cookie = load_le32(p + regs::D_COOKIE);
        if (cookie != cookies[slot])
            return fault(rc, FaultCause::CookieMismatch,
                         "slot " + std::to_string(slot) + " cookie " + hex32(cookie) +
                             " != posted " + hex32(cookies[slot]));
        Completion c;
        c.slot = slot;
        c.cookie = cookie;
        c.result = static_cast<DescResult>(code);
        std::memcpy(c.iv, p + regs::D_IV, sizeof c.iv);
        out.push_back(c);
        ++rc.reaped;
        slot = slot + 1 == n ? 0 : slot + 1;
    }
    return rc;
}

} // namespace acrypto::hw::fastcrypt
