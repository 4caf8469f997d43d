// SPDX-License-Identifier: Apache-2.0
// PadLock detection: vendor strings, the present+enabled pairs, and family/model quirks.
#include "cpuid.hpp"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "regs.hpp"

namespace acrypto::hw::padlock {

CpuidLeaf NativeCpuid::query(uint32_t leaf) const {
    CpuidLeaf r;
#if defined(__x86_64__) || defined(__i386__)
    __cpuid_count(leaf, 0, r.eax, r.ebx, r.ecx, r.edx);
#else
    (void)leaf;
#endif
    return r;
}

CpuidLeaf FixedCpuid::query(uint32_t leaf) const {
    auto it = leaves_.find(leaf);
    return it == leaves_.end() ? CpuidLeaf{} : it->second;
}

std::string Features::describe() const {
    std::string s = zhaoxin ? "Zhaoxin" : (vendor == Vendor::Centaur ? "VIA" : "non-PadLock");
    s += " '" + vendor_string + "' family " + std::to_string(family) + " model " +
         std::to_string(model) + " stepping " + std::to_string(stepping);
    return s;
}

namespace {

struct UnitBits {
    uint32_t present, enabled;
    const char *name;
};

bool unit_on(uint32_t edx, const UnitBits &u, std::string &not_enabled) {
    if ((edx & u.present) && !(edx & u.enabled)) {
        if (!not_enabled.empty()) not_enabled += ",";
        not_enabled += u.name;
    }
    return (edx & u.present) && (edx & u.enabled);
}

} // namespace

Features detect_features(const CpuidSource &cpuid) {
    Features f;
    const CpuidLeaf l0 = cpuid.query(0);
    char v[13] = {};
    std::memcpy(v, &l0.ebx, 4);
    std::memcpy(v + 4, &l0.edx, 4);
    std::memcpy(v + 8, &l0.ecx, 4);
    f.vendor_string = v;
    if (l0.ebx == regs::VENDOR_CENTAUR_EBX && l0.edx == regs::VENDOR_CENTAUR_EDX &&
        l0.ecx == regs::VENDOR_CENTAUR_ECX)
        f.vendor = Vendor::Centaur;
    else if (l0.ebx == regs::VENDOR_SHANGHAI_EBX && l0.edx == regs::VENDOR_SHANGHAI_EDX &&
             l0.ecx == regs::VENDOR_SHANGHAI_ECX)
        f.vendor = Vendor::Shanghai;

    if (l0.eax >= 1) {
        const uint32_t sig = cpuid.query(1).eax;
        const uint32_t base_family = (sig >> regs::SIG_FAMILY_SHIFT) & 0xF;
        f.stepping = sig & regs::SIG_STEPPING_MASK;
        f.family = base_family;
        f.model = (sig >> regs::SIG_MODEL_SHIFT) & 0xF;
        if (base_family == 0xF) f.family += (sig >> regs::SIG_EXT_FAMILY_SHIFT) & 0xFF;
        // Linux applies the extended model from family 6 upwards (Zhaoxin family 7 included).
        if (base_family >= 0x6) f.model |= ((sig >> regs::SIG_EXT_MODEL_SHIFT) & 0xF) << 4;
    }
    // PadLock flags mean nothing on other vendors (an Intel part answers 0xC0000000 with
    // the data of its highest basic leaf).
    if (f.vendor == Vendor::Other) return f;
    // Zhaoxin parts may report either string (spec §1.1); Centaur family >= 7 is Zhaoxin.
    f.zhaoxin = f.vendor == Vendor::Shanghai || f.family >= 7;

    if (cpuid.query(regs::CPUID_CENTAUR_MAX).eax < regs::CPUID_CENTAUR_FEATURES) return f;
    const uint32_t edx = cpuid.query(regs::CPUID_CENTAUR_FEATURES).edx;
    f.feature_edx = edx;
    std::string ne;
    f.rng = unit_on(edx, {regs::EDX_RNG, regs::EDX_RNG_EN, "rng"}, ne);
    f.ace = unit_on(edx, {regs::EDX_ACE, regs::EDX_ACE_EN, "ace"}, ne);
    f.ace2 = f.ace && unit_on(edx, {regs::EDX_ACE2, regs::EDX_ACE2_EN, "ace2"}, ne);
    f.phe = unit_on(edx, {regs::EDX_PHE, regs::EDX_PHE_EN, "phe"}, ne);
    f.pmm = unit_on(edx, {regs::EDX_PMM, regs::EDX_PMM_EN, "pmm"}, ne);
    if (f.zhaoxin) {
        // Bits 4/5 and 25/26 are Zhaoxin-defined; on VIA parts they are not PadLock units.
        f.ccs = unit_on(edx, {regs::EDX_CCS, regs::EDX_CCS_EN, "ccs"}, ne);
        f.phe2 = unit_on(edx, {regs::EDX_PHE2, regs::EDX_PHE2_EN, "phe2"}, ne);
    }
    f.present_not_enabled = ne;

    // Quirks, spec §1.4.
    const bool c7 = !f.zhaoxin && f.family == 6 && (f.model == 10 || f.model == 13);
    const bool nano_or_later = f.zhaoxin || f.family > 6 || (f.family == 6 && f.model >= 0x0F);
    f.phe_block_mode = f.phe && nano_or_later;
    f.ctr_erratum = c7;
    f.phe_ecx0_noop = f.zhaoxin && f.family >= 7;
    f.xsha1_writes_32 = f.phe_ecx0_noop;
    f.prefetch_erratum = !f.zhaoxin && f.family == 6 && f.model == 0x0F && f.stepping == 2;
    if (f.prefetch_erratum) {
        f.prefetch_ecb = 8;
        f.prefetch_cbc = 4;
        f.prefetch_ctr = 2;
    }
    return f;
}

} // namespace acrypto::hw::padlock
