// SPDX-License-Identifier: Apache-2.0
// Profile table: signatures and feature words of the emulated VIA and Zhaoxin cores.
#include "profile.hpp"

#include "../regs.hpp"

namespace acrypto::hw::padlock::emu {

namespace {

using namespace regs;

constexpr uint32_t kRng = EDX_RNG | EDX_RNG_EN;
constexpr uint32_t kAce = EDX_ACE | EDX_ACE_EN;
constexpr uint32_t kAce2 = EDX_ACE2 | EDX_ACE2_EN;
constexpr uint32_t kPhe = EDX_PHE | EDX_PHE_EN;
constexpr uint32_t kPmm = EDX_PMM | EDX_PMM_EN;
constexpr uint32_t kCcs = EDX_CCS | EDX_CCS_EN;
constexpr uint32_t kPhe2 = EDX_PHE2 | EDX_PHE2_EN;

struct ProfileRow {
    Profile profile;
    const char *name;
    bool shanghai;
    uint32_t family, model, stepping;
    uint32_t edx;
    bool two_sources;
};

// Units per core from spec §1.4; Nehemiah from stepping 8 has ACE and the second noise source.
constexpr ProfileRow kProfiles[] = {
    {Profile::C3Nehemiah, "c3-nehemiah", false, 6, 9, 8, kRng | kAce, true},
    {Profile::C7, "c7", false, 6, 10, 9, kRng | kAce | kPhe | kPmm, true},
    {Profile::Nano, "nano", false, 6, 0x0F, 3, kRng | kAce | kAce2 | kPhe | kPmm, true},
    {Profile::NanoStepping2, "nano-stepping-2", false, 6, 0x0F, 2,
     kRng | kAce | kAce2 | kPhe | kPmm, true},
    {Profile::ZhaoxinF6, "zhaoxin-f6", true, 6, 0x0F, 0x0E, kRng | kAce | kAce2 | kPhe | kCcs,
     true},
    {Profile::ZhaoxinF7, "zhaoxin-f7", true, 7, 0x3B, 0,
     kRng | kAce | kAce2 | kPhe | kPmm | kCcs | kPhe2, true},
};

const ProfileRow &row(Profile p) {
    for (const auto &r : kProfiles)
        if (r.profile == p) return r;
    return kProfiles[0];
}

uint32_t signature(uint32_t family, uint32_t model, uint32_t stepping) {
    uint32_t sig = stepping & 0xF;
    sig |= (model & 0xF) << SIG_MODEL_SHIFT;
    if (family >= 0xF) {
        sig |= 0xFu << SIG_FAMILY_SHIFT;
        sig |= (family - 0xF) << SIG_EXT_FAMILY_SHIFT;
    } else {
        sig |= family << SIG_FAMILY_SHIFT;
    }
    sig |= ((model >> 4) & 0xF) << SIG_EXT_MODEL_SHIFT;
    return sig;
}

} // namespace

const char *profile_name(Profile p) { return row(p).name; }

std::optional<Profile> parse_profile(std::string_view name) {
    for (const auto &r : kProfiles)
        if (name == r.name) return r.profile;
    return std::nullopt;
}

bool profile_two_noise_sources(Profile p) { return row(p).two_sources; }

FixedCpuid make_cpuid(bool shanghai, uint32_t family, uint32_t model, uint32_t stepping,
                      uint32_t feature_edx, uint32_t centaur_max) {
    FixedCpuid c;
    c.set(0, shanghai ? CpuidLeaf{1, VENDOR_SHANGHAI_EBX, VENDOR_SHANGHAI_ECX, VENDOR_SHANGHAI_EDX}
                      : CpuidLeaf{1, VENDOR_CENTAUR_EBX, VENDOR_CENTAUR_ECX, VENDOR_CENTAUR_EDX});
    c.set(1, CpuidLeaf{signature(family, model, stepping), 0, 0, 0});
    c.set(CPUID_CENTAUR_MAX, CpuidLeaf{centaur_max, 0, 0, 0});
    c.set(CPUID_CENTAUR_FEATURES, CpuidLeaf{0, 0, 0, feature_edx});
    return c;
}

FixedCpuid make_intel_cpuid() {
    FixedCpuid c;
    // "GenuineIntel": EBX "Genu", EDX "ineI", ECX "ntel".
    c.set(0, CpuidLeaf{0x20, 0x756E6547, 0x6C65746E, 0x49656E69});
    c.set(1, CpuidLeaf{0x000806F8, 0, 0, 0});
    // Intel returns the highest basic leaf's data for unknown leaves: make it look tempting.
    c.set(CPUID_CENTAUR_MAX, CpuidLeaf{0xC0000001, 0, 0, 0});
    c.set(CPUID_CENTAUR_FEATURES, CpuidLeaf{0, 0, 0, 0xFFFFFFFF});
    return c;
}

FixedCpuid profile_cpuid(Profile p) {
    const auto &r = row(p);
    return make_cpuid(r.shanghai, r.family, r.model, r.stepping, r.edx);
}

} // namespace acrypto::hw::padlock::emu
