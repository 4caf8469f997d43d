// SPDX-License-Identifier: Apache-2.0
// make_host_arena: alignment, reuse, bus translation and refusal of dead ranges.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "acrypto/hw/dma.hpp"

using acrypto::hw::DmaBuf;
using acrypto::hw::make_host_arena;

TEST(HostArena, AllocAlignsAndTranslates) {
    auto a = make_host_arena(64 * 1024, 0x20000000);
    for (size_t align : {1u, 4u, 16u, 64u, 4096u}) {
        DmaBuf b = a->alloc(100, align);
        ASSERT_TRUE(b);
        EXPECT_EQ(b.bus % align, 0u);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(b.cpu) % align, 0u);
        EXPECT_GE(b.bus, 0x20000000u);
        EXPECT_EQ(a->to_cpu(b.bus, 100), b.cpu);
        EXPECT_EQ(a->to_cpu(b.bus + 99, 1), b.cpu + 99);
        EXPECT_EQ(a->to_cpu(b.bus, 101), nullptr) << "one byte past the allocation";
        a->free(b);
    }
}

TEST(HostArena, RefusesRangesOutsideLiveAllocations) {
    auto a = make_host_arena(16 * 1024, 0x10000000);
    DmaBuf x = a->alloc(256, 16);
    DmaBuf y = a->alloc(256, 16);
    ASSERT_TRUE(x && y);
    EXPECT_EQ(a->to_cpu(0, 4), nullptr);
    EXPECT_EQ(a->to_cpu(0x0fffffff, 4), nullptr);
    EXPECT_EQ(a->to_cpu(0x10000000 + 16 * 1024, 4), nullptr);
    EXPECT_EQ(a->to_cpu(x.bus, 0), nullptr);
    EXPECT_EQ(a->to_cpu(~uint64_t{0} - 2, 8), nullptr) << "wrap-around";
    a->free(x);
    EXPECT_EQ(a->to_cpu(x.bus, 4), nullptr) << "freed memory is not DMA-able";
    EXPECT_NE(a->to_cpu(y.bus, 4), nullptr);
    a->free(y);
}

TEST(HostArena, ExhaustsAndReusesAfterFree) {
    auto a = make_host_arena(8192);
    std::vector<DmaBuf> bufs;
    for (;;) {
        DmaBuf b = a->alloc(1000, 8);
        if (!b) break;
        bufs.push_back(b);
    }
    EXPECT_EQ(bufs.size(), 8u);
    std::set<uint64_t> seen;
    for (auto &b : bufs) EXPECT_TRUE(seen.insert(b.bus).second);
    for (auto &b : bufs) a->free(b);
    DmaBuf big = a->alloc(8192, 4096);
    EXPECT_TRUE(big) << "free neighbours coalesce back into one block";
    a->free(big);
}

TEST(HostArena, RejectsBadRequestsAndZeroesOnFree) {
    auto a = make_host_arena(4096);
    EXPECT_FALSE(a->alloc(0, 4));
    EXPECT_FALSE(a->alloc(16, 3));
    EXPECT_FALSE(a->alloc(8192, 4));
    DmaBuf b = a->alloc(32, 4);
    ASSERT_TRUE(b);
    for (size_t i = 0; i < 32; ++i) b.cpu[i] = 0xAA;
    a->free(b);
    a->free(b); // double free is ignored
    DmaBuf c = a->alloc(32, 4);
    ASSERT_TRUE(c);
    for (size_t i = 0; i < 32; ++i) EXPECT_EQ(c.cpu[i], 0) << "freed DMA memory is wiped";
}
