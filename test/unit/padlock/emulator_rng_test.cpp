// SPDX-License-Identifier: Apache-2.0
// Emulator xstore / rep xstore: divisors, status words, slack writes, injected faults.
#include <gtest/gtest.h>

#include "entropy_source.hpp"
#include "regs.hpp"
#include "test_util.hpp"

namespace acrypto::hw::padlock {
namespace {

using emu::Emulator;
using emu::Profile;
using emu::RngFault;

struct RngBench {
    alignas(16) uint8_t out[80] = {};
};

TEST(EmuRng, DivisorsStatusAndEdiAdvance) {
    Emulator e(test::strict_options(Profile::C3Nehemiah));
    RngBench b;
    e.guard().add_region(&b, sizeof b);
    const uint32_t valid[4] = {8, 4, 2, 1};
    for (uint32_t d = 0; d < 4; ++d) {
        Regs r;
        r.rdi = reinterpret_cast<uint64_t>(b.out);
        r.rdx = d;
        ASSERT_EQ(e.xstore(r), Fault::None);
        EXPECT_EQ(r.rax & regs::XSTORE_COUNT_MASK, valid[d]);
        EXPECT_TRUE(r.rax & regs::XSTORE_RNG_ENABLED);
        EXPECT_EQ(r.rax & regs::XSTORE_BAD_MASK, 0u);
        EXPECT_EQ(r.rdi, reinterpret_cast<uint64_t>(b.out) + valid[d]);
    }
}

TEST(EmuRng, XstoreWritesFourBytesEvenForOneValid) {
    Emulator e(test::strict_options(Profile::Nano));
    RngBench b;
    e.guard().add_region(b.out, 3); // room for fewer than the 4 bytes written
    Regs r;
    r.rdi = reinterpret_cast<uint64_t>(b.out);
    r.rdx = 3;
    EXPECT_EQ(e.xstore(r), Fault::PageFault);
}

TEST(EmuRng, RepXstoreSlackAndDeterminism) {
    RngBench a, b;
    for (RngBench *x : {&a, &b}) {
        Emulator e(test::strict_options(Profile::ZhaoxinF7));
        e.guard().add_region(x, sizeof *x);
        Regs r;
        r.rdi = reinterpret_cast<uint64_t>(x->out);
        r.rcx = 61;
        r.rdx = 3;
        ASSERT_EQ(e.rep_xstore(r), Fault::None);
        EXPECT_EQ(r.rcx, 0u);
        EXPECT_EQ(r.rdi, reinterpret_cast<uint64_t>(x->out) + 61);
    }
    EXPECT_EQ(test::hex(a.out, 61), test::hex(b.out, 61)) << "same seed, same stream";
    // 61 bytes need 64 writable bytes.
    Emulator e(test::strict_options(Profile::ZhaoxinF7));
    RngBench c;
    e.guard().add_region(c.out, 61);
    Regs r;
    r.rdi = reinterpret_cast<uint64_t>(c.out);
    r.rcx = 61;
    EXPECT_EQ(e.rep_xstore(r), Fault::PageFault);
}

TEST(EmuRng, InjectedFaultsShowInStatusOrData) {
    Emulator e(test::strict_options(Profile::C7));
    RngBench b;
    e.guard().add_region(&b, sizeof b);
    auto status = [&](RngFault f) {
        e.rng().set_fault(f);
        Regs r;
        r.rdi = reinterpret_cast<uint64_t>(b.out);
        r.rdx = 0;
        EXPECT_EQ(e.xstore(r), Fault::None);
        return static_cast<uint32_t>(r.rax);
    };
    EXPECT_EQ(status(RngFault::NotReady) & regs::XSTORE_COUNT_MASK, 0u);
    EXPECT_NE(status(RngFault::Bias) & regs::XSTORE_DC_BIAS_MASK, 0u);
    EXPECT_NE(status(RngFault::FilterFailed) & regs::XSTORE_FILTER_FAILED, 0u);
    EXPECT_NE(status(RngFault::RawBits) & regs::XSTORE_RAW_BITS, 0u);
    EXPECT_EQ(status(RngFault::Disabled) & regs::XSTORE_RNG_ENABLED, 0u);
    EXPECT_NE(status(RngFault::BadCount) & regs::XSTORE_COUNT_MASK, 8u);
    status(RngFault::Stuck);
    for (int i = 1; i < 8; ++i) EXPECT_EQ(b.out[i], b.out[0]);
}

TEST(EmuRng, AbsentRngRaisesUd) {
    // Present but not enabled: the emulator's own CPUID says absent.
    auto o = test::strict_options(Profile::Nano);
    Emulator e(o);
    EXPECT_TRUE(e.features().rng);
    const FixedCpuid c = emu::make_cpuid(false, 6, 9, 8, regs::EDX_RNG);
    EXPECT_FALSE(detect_features(c).rng);
}

} // namespace
} // namespace acrypto::hw::padlock

namespace acrypto::hw::padlock {
namespace {

TEST(HealthTestsUnit, CutoffsFromSp80090b) {
    // Repetition count: the sixth identical sample in a row fails (H = 4 bits/byte).
    HealthTests rct;
    for (int i = 0; i < 5; ++i) EXPECT_EQ(rct.feed(0x42), HealthTests::Verdict::Ok);
    EXPECT_EQ(rct.feed(0x42), HealthTests::Verdict::RepetitionCount);
    // Adaptive proportion: the 62nd occurrence of the window's first value fails, without a
    // run long enough for the repetition test.
    HealthTests apt;
    HealthTests::Verdict v = HealthTests::Verdict::Ok;
    int fed = 0;
    for (; fed < 512 && v == HealthTests::Verdict::Ok; ++fed)
        v = apt.feed(fed % 2 == 0 ? 0x11 : static_cast<uint8_t>(0x80 | (fed & 0x7F)));
    EXPECT_EQ(v, HealthTests::Verdict::AdaptiveProportion);
    EXPECT_EQ(fed, 2 * 62 - 1);
    // A window boundary resets the count: 61 hits per window never fail.
    HealthTests ok;
    for (int w = 0; w < 4; ++w)
        for (int i = 0; i < 512; ++i)
            ASSERT_EQ(
                ok.feed(i < 61 * 2 && i % 2 == 0 ? 0x77 : static_cast<uint8_t>(0x80 | (i & 0x7F))),
                HealthTests::Verdict::Ok)
                << w << " " << i;
}

} // namespace
} // namespace acrypto::hw::padlock
