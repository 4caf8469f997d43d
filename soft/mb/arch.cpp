// SPDX-License-Identifier: Apache-2.0
// Architecture detection and IMB_MGR creation over intel-ipsec-mb's CPU-feature flags.
#include "acrypto/soft/mb/arch.hpp"

#include <cstdio>

namespace acrypto::soft::mb {

std::string_view arch_name(Arch a) noexcept {
    switch (a) {
    case Arch::Auto: return "auto";
    case Arch::Avx512: return "avx512";
    case Arch::Avx2: return "avx2";
    case Arch::Avx: return "avx";
    case Arch::Sse: return "sse";
    }
    return "?";
}

bool parse_arch(std::string_view text, Arch *out) noexcept {
    for (Arch a : {Arch::Auto, Arch::Avx512, Arch::Avx2, Arch::Avx, Arch::Sse}) {
        if (text == arch_name(a)) {
            *out = a;
            return true;
        }
    }
    return false;
}

uint32_t imb_arch_code(Arch a) noexcept {
    switch (a) {
    case Arch::Avx512: return IMB_ARCH_AVX512;
    case Arch::Avx2: return IMB_ARCH_AVX2;
    case Arch::Avx: return IMB_ARCH_AVX;
    case Arch::Sse: return IMB_ARCH_SSE;
    case Arch::Auto: break;
    }
    return IMB_ARCH_NONE;
}

uint64_t cpu_features() noexcept { return imb_get_feature_flags(); }

namespace {

uint64_t required_flags(Arch a) noexcept {
    switch (a) {
    case Arch::Avx512: return IMB_CPUFLAGS_AVX512;
    case Arch::Avx2: return IMB_CPUFLAGS_AVX2;
    case Arch::Avx: return IMB_CPUFLAGS_AVX;
    case Arch::Sse: return IMB_CPUFLAGS_SSE;
    case Arch::Auto: break;
    }
    return ~uint64_t{0};
}

struct FeatureName {
    uint64_t bit;
    const char *name;
};

// Names as /proc/cpuinfo spells them, so a probe message can be checked against it.
constexpr FeatureName kFeatureNames[] = {
    {IMB_FEATURE_SSE4_2, "sse4_2"},     {IMB_FEATURE_CMOV, "cmov"},
    {IMB_FEATURE_AESNI, "aes"},         {IMB_FEATURE_PCLMULQDQ, "pclmulqdq"},
    {IMB_FEATURE_AVX, "avx"},           {IMB_FEATURE_AVX2, "avx2"},
    {IMB_FEATURE_BMI2, "bmi2"},         {IMB_FEATURE_AVX512F, "avx512f"},
    {IMB_FEATURE_AVX512DQ, "avx512dq"}, {IMB_FEATURE_AVX512CD, "avx512cd"},
    {IMB_FEATURE_AVX512BW, "avx512bw"}, {IMB_FEATURE_AVX512VL, "avx512vl"},
    {IMB_FEATURE_VAES, "vaes"},         {IMB_FEATURE_VPCLMULQDQ, "vpclmulqdq"},
    {IMB_FEATURE_GFNI, "gfni"},         {IMB_FEATURE_AVX512_IFMA, "avx512ifma"},
    {IMB_FEATURE_SHANI, "sha_ni"},
};

std::string names_of(uint64_t bits) {
    std::string out;
    for (const auto &f : kFeatureNames) {
        if (bits & f.bit) {
            if (!out.empty()) out += ' ';
            out += f.name;
        }
    }
    return out;
}

} // namespace

bool arch_supported(Arch a, uint64_t features) noexcept {
    if (a == Arch::Auto) return false;
    uint64_t need = required_flags(a);
    return (features & need) == need;
}

bool resolve_arch(Arch want, uint64_t features, Arch *out, std::string *why) {
    if (want != Arch::Auto) {
        if (arch_supported(want, features)) {
            *out = want;
            return true;
        }
        if (why) {
            *why = "arch " + std::string(arch_name(want)) + " needs CPU features missing here: " +
                   names_of(required_flags(want) & ~features);
        }
        return false;
    }
    for (Arch a : {Arch::Avx512, Arch::Avx2, Arch::Avx, Arch::Sse}) {
        if (arch_supported(a, features)) {
            *out = a;
            return true;
        }
    }
    if (why) {
        *why = "no usable intel-ipsec-mb code path: the CPU lacks " +
               names_of(IMB_CPUFLAGS_SSE & ~features) + " (needs at least sse4_2 aes pclmulqdq)";
    }
    return false;
}

std::string describe_features(uint64_t features) { return names_of(features); }

bool library_version_ok(std::string *why) {
    unsigned v = imb_get_version();
    // The IMB_MGR layout is versioned through alloc_mb_mgr(); the job structure
    // and enums must be at least what the headers declared.
    if (v < static_cast<unsigned>(IMB_VERSION_NUM)) {
        if (why) {
            char buf[160];
            std::snprintf(buf, sizeof buf,
                          "libIPSec_MB %s is older than the %s headers this plugin was built with",
                          imb_get_version_str(), IMB_VERSION_STR);
            *why = buf;
        }
        return false;
    }
    return true;
}

void ManagerDeleter::operator()(IMB_MGR *m) const noexcept {
    if (m) free_mb_mgr(m);
}

ManagerPtr make_manager(Arch a, std::string *why) {
    ManagerPtr m(alloc_mb_mgr(0));
    if (!m) {
        if (why) *why = "alloc_mb_mgr failed (out of memory)";
        return nullptr;
    }
    switch (a) {
    case Arch::Avx512: init_mb_mgr_avx512(m.get()); break;
    case Arch::Avx2: init_mb_mgr_avx2(m.get()); break;
    case Arch::Avx: init_mb_mgr_avx(m.get()); break;
    case Arch::Sse: init_mb_mgr_sse(m.get()); break;
    case Arch::Auto:
        if (why) *why = "internal: make_manager needs a concrete arch";
        return nullptr;
    }
    int err = imb_get_errno(m.get());
    if (err != 0) {
        if (why) {
            *why = "init_mb_mgr_" + std::string(arch_name(a)) + ": " + imb_get_strerror(err);
        }
        return nullptr;
    }
    return m;
}

uint32_t cbc_lanes(Arch a) noexcept {
    // AES-CBC encrypt lanes per intel-ipsec-mb's README: x8 on SSE/AVX/AVX2, x16 on AVX-512 (VAES).
    return a == Arch::Avx512 ? 16u : 8u;
}

} // namespace acrypto::soft::mb
