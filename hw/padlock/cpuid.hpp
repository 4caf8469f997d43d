// SPDX-License-Identifier: Apache-2.0
// CPUID source (native or fabricated) and PadLock feature detection with family/model quirks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace acrypto::hw::padlock {

/// Output registers of one CPUID leaf.
struct CpuidLeaf {
    uint32_t eax = 0, ebx = 0, ecx = 0, edx = 0;
};

/// Where CPUID values come from: the CPU, or a table for tests and the emulator.
class CpuidSource {
  public:
    virtual ~CpuidSource() = default;
    /// Executes CPUID(leaf, subleaf 0).
    virtual CpuidLeaf query(uint32_t leaf) const = 0;
};

/// The executing CPU (all zeros on non-x86 builds).
class NativeCpuid final : public CpuidSource {
  public:
    CpuidLeaf query(uint32_t leaf) const override;
};

/// A fabricated CPU: leaves not in the table read as zero.
class FixedCpuid final : public CpuidSource {
  public:
    FixedCpuid() = default;
    /// Sets one leaf's registers.
    void set(uint32_t leaf, CpuidLeaf v) { leaves_[leaf] = v; }
    CpuidLeaf query(uint32_t leaf) const override;

  private:
    std::map<uint32_t, CpuidLeaf> leaves_;
};

/// Vendor string as reported by CPUID leaf 0.
enum class Vendor { Other, Centaur, Shanghai };

/// What detection found: units that are present AND enabled, and the quirks of the core.
struct Features {
    Vendor vendor = Vendor::Other;
    std::string vendor_string; ///< 12 characters from leaf 0
    uint32_t family = 0, model = 0, stepping = 0;
    uint32_t feature_edx = 0; ///< raw CPUID 0xC0000001 EDX (0 if the leaf is missing)
    bool zhaoxin = false;     ///< Shanghai vendor, or Centaur vendor with family >= 7

    bool rng = false;  ///< xstore
    bool ace = false;  ///< xcrypt-ecb/cbc/cfb/ofb
    bool ace2 = false; ///< xcrypt-ctr
    bool phe = false;  ///< xsha1/xsha256
    bool phe2 = false; ///< xsha512 (Zhaoxin only)
    bool pmm = false;  ///< montmul (never used)
    bool ccs = false;  ///< GMI SM3/SM4 (Zhaoxin only; not used by the driver)

    /// Units whose present bit is set but enabled bit is clear (treated as absent).
    std::string present_not_enabled;

    // Quirks (spec §1.4).
    bool phe_block_mode = false;   ///< EAX=-1 block hashing (Nano, Zhaoxin; not C7)
    bool phe_ecx0_noop = false;    ///< Zhaoxin: ECX=0 does nothing
    bool xsha1_writes_32 = false;  ///< Zhaoxin: xsha1 stores 32 bytes at EDI
    bool ctr_erratum = false;      ///< C7: hardware CTR unreliable, build CTR from ECB
    bool prefetch_erratum = false; ///< Nano stepping 2: wide prefetch (ECB 8, CBC 4, CTR 2)
    uint32_t prefetch_ecb = 2;     ///< blocks per input fetch, ECB
    uint32_t prefetch_cbc = 1;     ///< blocks per input fetch, CBC
    uint32_t prefetch_ctr = 1;     ///< blocks per input fetch, CTR (1 = no over-read)

    /// Any unit the driver can use.
    bool any() const { return rng || ace || phe; }
    /// "VIA C7 (6/10/9)"-style description for probe messages.
    std::string describe() const;
};

/// Reads vendor, signature and the Centaur feature word; applies the both-bits rule and quirks.
Features detect_features(const CpuidSource &cpuid);

} // namespace acrypto::hw::padlock
