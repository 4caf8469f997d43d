// SPDX-License-Identifier: Apache-2.0
// check_ring_done / check_packet_done: completion order of one packet across the rings.
#include <gtest/gtest.h>

#include <vector>

#include "command.hpp"
#include "regs.hpp"

namespace acrypto::hw::hifn {
namespace {

/// A ring of `n` usable entries plus the jump descriptor, all done.
struct TestRing {
    explicit TestRing(uint32_t n, uint32_t cons = 0)
        : words((n + 1) * kDescWords), n(n), cons(cons) {}
    void own(uint32_t i) { words[i * kDescWords] |= regs::HIFN_D_VALID; }
    RingView view() const { return RingView{words, n, cons}; }
    std::vector<uint32_t> words;
    uint32_t n, cons;
};

TEST(RingCheck, WalksFromConsAcrossTheWrap) {
    TestRing r(8, 6);
    EXPECT_EQ(check_ring_done(r.view(), 4), RingCheck::Done); // 6, 7, 0, 1
    r.own(2);
    EXPECT_EQ(check_ring_done(r.view(), 4), RingCheck::Done);
    EXPECT_EQ(check_ring_done(r.view(), 5), RingCheck::StillValid);
    EXPECT_EQ(check_ring_done(r.view(), 0), RingCheck::Done);
    r.own(8); // the jump descriptor is never part of a packet
    EXPECT_EQ(check_ring_done(r.view(), 4), RingCheck::Done);
}

TEST(RingCheck, IndicesThatDoNotFitAreRefusedWithoutReading) {
    TestRing r(8);
    EXPECT_EQ(check_ring_done(RingView{r.words, 8, 8}, 1), RingCheck::BadIndex);
    EXPECT_EQ(check_ring_done(RingView{r.words, 8, 0}, 9), RingCheck::BadIndex);
    EXPECT_EQ(check_ring_done(RingView{r.words, 0, 0}, 0), RingCheck::BadIndex);
    std::span<const uint32_t> shorter(r.words.data(), 7 * kDescWords);
    EXPECT_EQ(check_ring_done(RingView{shorter, 8, 0}, 1), RingCheck::BadIndex);
}

TEST(RingCheck, PacketNeedsCommandSourcesAndDestinations) {
    TestRing cmd(4, 1), src(8, 7), dst(8, 3);
    EXPECT_EQ(check_packet_done(cmd.view(), src.view(), 2, dst.view(), 3), RingCheck::Done);
    dst.own(5);
    EXPECT_EQ(check_packet_done(cmd.view(), src.view(), 2, dst.view(), 3), RingCheck::StillValid);
    EXPECT_EQ(check_packet_done(cmd.view(), src.view(), 2, dst.view(), 2), RingCheck::Done);
    src.own(0);
    EXPECT_EQ(check_packet_done(cmd.view(), src.view(), 2, dst.view(), 2), RingCheck::StillValid);
    cmd.own(1);
    EXPECT_EQ(check_packet_done(cmd.view(), src.view(), 1, dst.view(), 2), RingCheck::StillValid);
    EXPECT_EQ(check_packet_done(TestRing(4, 4).view(), src.view(), 1, dst.view(), 2),
              RingCheck::BadIndex);
}

} // namespace
} // namespace acrypto::hw::hifn
