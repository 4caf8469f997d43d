// SPDX-License-Identifier: Apache-2.0
// check_reap on hand-built ring snapshots: each write-back fault maps to its cause.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "fpi.hpp"
#include "regs.hpp"

namespace acrypto::hw::fastcrypt {
namespace {

void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

/// A ring of `n` slots whose device side is filled in per test.
struct Snapshot {
    explicit Snapshot(uint32_t n) : ring(size_t{n} * regs::DESC_SIZE), cookies(n) {
        for (uint32_t s = 0; s < n; ++s) {
            cookies[s] = 0xAB000000u + s;
            put_le32(slot(s) + regs::D_COOKIE, cookies[s]);
        }
    }
    uint8_t *slot(uint32_t s) { return ring.data() + size_t{s} * regs::DESC_SIZE; }
    void done(uint32_t s, uint32_t code) {
        put_le32(slot(s) + regs::D_STATUS, regs::D_ST_DONE | code);
    }
    ReapCheck check(uint32_t head, ReapState st) {
        out.clear();
        return check_reap(head, st, ring, cookies, out);
    }
    std::vector<uint8_t> ring;
    std::vector<uint32_t> cookies;
    std::vector<Completion> out;
};

TEST(CheckReap, ReapsUpToHeadAcrossTheWrap) {
    Snapshot s(8);
    for (uint32_t i : {6u, 7u, 0u}) s.done(i, 0);
    s.done(0, static_cast<uint32_t>(DescResult::DstDmaFault));
    std::memcpy(s.slot(7) + regs::D_IV, "chainiv!", 8);
    ReapCheck rc = s.check(1, ReapState{8, 6, 4});
    EXPECT_EQ(rc.cause, FaultCause::None) << rc.message;
    ASSERT_EQ(rc.reaped, 3u);
    ASSERT_EQ(s.out.size(), 3u);
    EXPECT_EQ(s.out[0].slot, 6u);
    EXPECT_EQ(s.out[1].slot, 7u);
    EXPECT_EQ(std::memcmp(s.out[1].iv, "chainiv!", 8), 0);
    EXPECT_EQ(s.out[2].slot, 0u);
    EXPECT_EQ(s.out[2].result, DescResult::DstDmaFault);
    EXPECT_EQ(s.out[2].cookie, s.cookies[0]);
}

TEST(CheckReap, EachFaultHasItsCauseAndKeepsTheValidPrefix) {
    Snapshot s(8);
    s.done(0, 0);
    s.done(2, 0);
    // Slot 1 lacks DONE: slot 0 still counts, then NotDone.
    ReapCheck rc = s.check(3, ReapState{8, 0, 3});
    EXPECT_EQ(rc.cause, FaultCause::NotDone);
    EXPECT_EQ(rc.reaped, 1u);
    EXPECT_NE(rc.message.find("slot 1"), std::string::npos) << rc.message;

    s.done(1, regs::ERR_MAX + 1);
    EXPECT_EQ(s.check(3, ReapState{8, 0, 3}).cause, FaultCause::BadStatus);
    put_le32(s.slot(1) + regs::D_STATUS, regs::D_ST_DONE | 1u << 12); // reserved bit
    EXPECT_EQ(s.check(3, ReapState{8, 0, 3}).cause, FaultCause::BadStatus);
    s.done(1, 0);
    put_le32(s.slot(1) + regs::D_COOKIE, 0x12345678);
    rc = s.check(3, ReapState{8, 0, 3});
    EXPECT_EQ(rc.cause, FaultCause::CookieMismatch);
    EXPECT_EQ(rc.reaped, 1u);
}

TEST(CheckReap, HeadOutOfRangeOrBeyondPosted) {
    Snapshot s(8);
    EXPECT_EQ(s.check(8, ReapState{8, 0, 2}).cause, FaultCause::BadHead);
    EXPECT_EQ(s.check(3, ReapState{8, 0, 2}).cause, FaultCause::BadHead);
    EXPECT_EQ(s.check(regs::ALL_ONES, ReapState{8, 0, 2}).cause, FaultCause::Removed);
    ReapCheck idle = s.check(5, ReapState{8, 5, 0});
    EXPECT_EQ(idle.cause, FaultCause::None);
    EXPECT_EQ(idle.reaped, 0u);
    EXPECT_TRUE(s.out.empty());
}

TEST(CheckReap, RefusesDriverStateThatDoesNotFitTheRing) {
    Snapshot s(8);
    for (ReapState st :
         {ReapState{0, 0, 0}, ReapState{8, 8, 1}, ReapState{8, 0, 8}, ReapState{16, 0, 1}}) {
        ReapCheck rc = s.check(0, st);
        EXPECT_EQ(rc.cause, FaultCause::BadHead) << st.ring_size << " " << st.sw_head;
        EXPECT_EQ(rc.reaped, 0u);
    }
}

} // namespace
} // namespace acrypto::hw::fastcrypt
