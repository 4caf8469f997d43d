// SPDX-License-Identifier: Apache-2.0
// ThreadCounts: exact sums over threads, lines shared by two thread pointers, reads that
// never go down while threads add.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "thread_counts.hpp"

namespace acrypto::prov {
namespace {

TEST(ThreadCounts, OneThreadReadsItsOwnAddsAtOnce) {
    ThreadCounts t;
    for (uint64_t i = 1; i <= 1000; ++i) {
        t.add(Count::DigestDirect);
        ASSERT_EQ(t.get(Count::DigestDirect), i);
    }
    t.add(Count::AeadDirect);
    EXPECT_EQ(t.get(Count::AeadDirect), 1u);
    EXPECT_EQ(t.get(Count::CipherDirect), 0u);
    EXPECT_EQ(t.get(Count::DigestDirect), 1000u);
    EXPECT_EQ(t.lines_held(), 1u);
}

TEST(ThreadCounts, SumsEveryThreadsAddsExactly) {
    ThreadCounts t;
    constexpr int kThreads = 12;
    constexpr uint64_t kAdds = 20000;
    std::vector<std::thread> th;
    for (int i = 0; i < kThreads; ++i)
        th.emplace_back([&t, i] {
            for (uint64_t n = 0; n < kAdds; ++n) {
                t.add(Count::DigestDirect);
                if (n % 4 == 0) t.add(i % 2 ? Count::AeadDirect : Count::TlsRecordMac);
            }
        });
    for (std::thread &x : th) x.join();
    EXPECT_EQ(t.get(Count::DigestDirect), kThreads * kAdds);
    EXPECT_EQ(t.get(Count::AeadDirect), kThreads / 2 * kAdds / 4);
    EXPECT_EQ(t.get(Count::TlsRecordMac), kThreads / 2 * kAdds / 4);
    EXPECT_EQ(t.get(Count::PkStarvedInline), 0u);
    EXPECT_GE(t.lines_held(), 1u);
    EXPECT_LE(t.lines_held(), static_cast<size_t>(kThreads));
}

/// Two thread pointers for one line: the first takes it, the second adds to the shared
/// counts; both are summed, and the line stays the first one's.
TEST(ThreadCounts, APointerWhoseLineIsTakenAddsToTheSharedCounts) {
    const uintptr_t a = 0x7f0000001000u;
    uintptr_t b = a + 0x1000;
    while (ThreadCounts::line_of(b) != ThreadCounts::line_of(a)) b += 0x1000;
    ThreadCounts t;
    for (int i = 0; i < 5; ++i) t.add_for(Count::CipherDirect, a);
    for (int i = 0; i < 7; ++i) t.add_for(Count::CipherDirect, b);
    t.add_for(Count::CipherDirect, a);
    EXPECT_EQ(t.get(Count::CipherDirect), 13u);
    EXPECT_EQ(t.lines_held(), 1u);
}

/// A pointer seen again (a later thread given the same thread control block) goes on in the
/// line it held: no second line.
TEST(ThreadCounts, APointerSeenAgainKeepsItsLine) {
    ThreadCounts t;
    const uintptr_t a = 0x7f0000042000u;
    t.add_for(Count::PkStarvedInline, a);
    t.add_for(Count::DigestDirect, a);
    t.add_for(Count::PkStarvedInline, a);
    EXPECT_EQ(t.get(Count::PkStarvedInline), 2u);
    EXPECT_EQ(t.get(Count::DigestDirect), 1u);
    EXPECT_EQ(t.lines_held(), 1u);
}

TEST(ThreadCounts, ReadsNeverGoDownWhileThreadsAdd) {
    ThreadCounts t;
    std::atomic<bool> stop{false};
    std::vector<std::thread> th;
    for (int i = 0; i < 4; ++i)
        th.emplace_back([&] {
            while (!stop.load(std::memory_order_relaxed)) t.add(Count::AeadDirect);
        });
    // Read while the writers run: until the sum has risen 100 times (or 10 s went by).
    uint64_t last = 0;
    int rises = 0;
    bool went_down = false;
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!went_down && rises < 100 && std::chrono::steady_clock::now() < until) {
        const uint64_t now = t.get(Count::AeadDirect);
        went_down = now < last;
        rises += now > last;
        last = now;
    }
    stop = true;
    for (std::thread &x : th) x.join();
    EXPECT_FALSE(went_down);
    EXPECT_EQ(rises, 100);
    EXPECT_GE(t.get(Count::AeadDirect), last);
}

} // namespace
} // namespace acrypto::prov
