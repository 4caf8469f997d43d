// SPDX-License-Identifier: Apache-2.0
// CPUID detection over fabricated values: VIA cores, Zhaoxin, present-not-enabled, Intel.
#include <gtest/gtest.h>

#include "cpuid.hpp"
#include "emulator/profile.hpp"
#include "isa.hpp"
#include "regs.hpp"

namespace acrypto::hw::padlock {
namespace {

using namespace regs;

TEST(Cpuid, NehemiahHasAceAndRngOnly) {
    const Features f = detect_features(emu::profile_cpuid(emu::Profile::C3Nehemiah));
    EXPECT_EQ(f.vendor, Vendor::Centaur);
    EXPECT_EQ(f.family, 6u);
    EXPECT_EQ(f.model, 9u);
    EXPECT_EQ(f.stepping, 8u);
    EXPECT_TRUE(f.ace);
    EXPECT_TRUE(f.rng);
    EXPECT_FALSE(f.ace2);
    EXPECT_FALSE(f.phe);
    EXPECT_FALSE(f.zhaoxin);
    EXPECT_EQ(f.prefetch_ecb, 2u);
    EXPECT_EQ(f.prefetch_cbc, 1u);
}

TEST(Cpuid, EstherHasPheWithoutBlockModeAndCtrErratum) {
    const Features f = detect_features(emu::profile_cpuid(emu::Profile::C7));
    EXPECT_TRUE(f.phe);
    EXPECT_FALSE(f.phe_block_mode);
    EXPECT_TRUE(f.ctr_erratum);
    EXPECT_TRUE(f.pmm);
    EXPECT_FALSE(f.phe2);
}

TEST(Cpuid, NanoSteppingTwoHasWidePrefetch) {
    const Features n3 = detect_features(emu::profile_cpuid(emu::Profile::Nano));
    const Features n2 = detect_features(emu::profile_cpuid(emu::Profile::NanoStepping2));
    EXPECT_TRUE(n3.ace2);
    EXPECT_TRUE(n3.phe_block_mode);
    EXPECT_FALSE(n3.prefetch_erratum);
    EXPECT_TRUE(n2.prefetch_erratum);
    EXPECT_EQ(n2.prefetch_ecb, 8u);
    EXPECT_EQ(n2.prefetch_cbc, 4u);
    EXPECT_EQ(n2.prefetch_ctr, 2u);
}

TEST(Cpuid, ZhaoxinShanghaiVendorAndQuirks) {
    const Features f = detect_features(emu::profile_cpuid(emu::Profile::ZhaoxinF7));
    EXPECT_EQ(f.vendor, Vendor::Shanghai);
    EXPECT_EQ(f.vendor_string, "  Shanghai  ");
    EXPECT_TRUE(f.zhaoxin);
    EXPECT_EQ(f.family, 7u);
    EXPECT_EQ(f.model, 0x3Bu);
    EXPECT_TRUE(f.phe2);
    EXPECT_TRUE(f.phe_ecx0_noop);
    EXPECT_TRUE(f.xsha1_writes_32);
    EXPECT_TRUE(f.ccs);
    const Features f6 = detect_features(emu::profile_cpuid(emu::Profile::ZhaoxinF6));
    EXPECT_TRUE(f6.zhaoxin);
    EXPECT_FALSE(f6.phe_ecx0_noop);
    EXPECT_FALSE(f6.phe2);
}

TEST(Cpuid, ZhaoxinUnderCentaurStringIsRecognisedByFamily) {
    const Features f = detect_features(emu::make_cpuid(
        false, 7, 0x1B, 0, EDX_ACE | EDX_ACE_EN | EDX_PHE2 | EDX_PHE2_EN | EDX_PHE | EDX_PHE_EN));
    EXPECT_EQ(f.vendor, Vendor::Centaur);
    EXPECT_TRUE(f.zhaoxin);
    EXPECT_TRUE(f.phe2);
    EXPECT_TRUE(f.phe_block_mode);
}

TEST(Cpuid, ZhaoxinBitsIgnoredOnVia) {
    const Features f = detect_features(emu::make_cpuid(
        false, 6, 0x0F, 3, EDX_ACE | EDX_ACE_EN | EDX_PHE2 | EDX_PHE2_EN | EDX_CCS | EDX_CCS_EN));
    EXPECT_TRUE(f.ace);
    EXPECT_FALSE(f.phe2);
    EXPECT_FALSE(f.ccs);
}

TEST(Cpuid, PresentButNotEnabledIsAbsent) {
    const Features f =
        detect_features(emu::make_cpuid(false, 6, 10, 9, EDX_ACE | EDX_RNG | EDX_PHE | EDX_PHE_EN));
    EXPECT_FALSE(f.ace);
    EXPECT_FALSE(f.rng);
    EXPECT_TRUE(f.phe);
    EXPECT_EQ(f.present_not_enabled, "rng,ace");
}

TEST(Cpuid, EnabledWithoutPresentIsAbsent) {
    const Features f = detect_features(emu::make_cpuid(false, 6, 10, 9, EDX_ACE_EN | EDX_RNG_EN));
    EXPECT_FALSE(f.ace);
    EXPECT_FALSE(f.rng);
    EXPECT_FALSE(f.any());
}

TEST(Cpuid, Ace2NeedsAce) {
    const Features f = detect_features(emu::make_cpuid(false, 6, 0x0F, 3, EDX_ACE2 | EDX_ACE2_EN));
    EXPECT_FALSE(f.ace2);
}

TEST(Cpuid, MissingCentaurLeafMeansNothing) {
    const Features f =
        detect_features(emu::make_cpuid(false, 6, 9, 8, EDX_ACE | EDX_ACE_EN, 0xC0000000));
    EXPECT_EQ(f.vendor, Vendor::Centaur);
    EXPECT_FALSE(f.any());
}

TEST(Cpuid, IntelIsNeverPadlockWhateverTheExtendedLeavesSay) {
    const Features f = detect_features(emu::make_intel_cpuid());
    EXPECT_EQ(f.vendor, Vendor::Other);
    EXPECT_EQ(f.vendor_string, "GenuineIntel");
    EXPECT_FALSE(f.any());
    EXPECT_FALSE(f.phe2);
}

TEST(Cpuid, ThisMachineHasNoPadlock) {
    // The build machine is Intel; on a VIA/Zhaoxin host this documents what was found.
    const Features f = detect_features(NativeCpuid{});
    if (f.vendor == Vendor::Other)
        EXPECT_FALSE(f.any());
    else
        GTEST_SKIP() << "PadLock-capable vendor: " << f.describe();
}

} // namespace
} // namespace acrypto::hw::padlock

namespace acrypto::hw::padlock {
namespace {

TEST(NativeIsa, BuiltButOnlyTheFlagsReloadRunsWithoutPadlock) {
    auto n = make_native_isa();
#if defined(__x86_64__)
    ASSERT_TRUE(n);
    EXPECT_STREQ(n->name(), "native");
    // pushf/popf is an ordinary instruction: it must leave the stack and red zone intact.
    volatile uint64_t canary = 0x0123456789abcdefull;
    n->reload_key();
    EXPECT_EQ(canary, 0x0123456789abcdefull);
    EXPECT_EQ(n->last_fault_reason(), "");
#else
    EXPECT_FALSE(n);
#endif
}

} // namespace
} // namespace acrypto::hw::padlock
