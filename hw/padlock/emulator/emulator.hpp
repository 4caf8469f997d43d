// SPDX-License-Identifier: Apache-2.0
// Emulator: the PadLock instructions with the semantics of spec §9.1, over checked memory.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>

#include "../cpuid.hpp"
#include "../isa.hpp"
#include "memory_guard.hpp"
#include "profile.hpp"
#include "rng_model.hpp"

namespace acrypto::hw::padlock::emu {

/// Where the chaining value goes after xcrypt (spec §3.4, §9.1 item 5).
enum class IvModel {
    Strict, ///< encrypt-CBC/CFB move EAX only; decrypt/OFB/CTR update the IV buffer only
    Compat  ///< both: EAX moves and the IV buffer is updated (legacy drivers)
};

/// When a set EFLAGS[30] lets xcrypt reuse the cached key (spec §4.3).
enum class KeyCacheRule {
    Strict, ///< bit 30 set: reuse, ignore [EBX]/[EDX]
    Lenient ///< bit 30 set: reuse only if the control word in memory is unchanged
};

/// Why an instruction faulted.
enum class FaultCause {
    None,
    UnitAbsent,       ///< #UD: the unit is absent or not enabled
    BadPrefix,        ///< #UD: not the F3 form, or an undefined encoding
    Unimplemented,    ///< #UD: PMM, RNG2, RSA, GMI (spec §7: never used)
    Misaligned,       ///< #GP: operand not 16-byte aligned
    ReservedBits,     ///< #GP: reserved or algorithm control-word bits set
    RoundsMismatch,   ///< #GP: rounds do not match the key size
    IntermediateMode, ///< #GP: intermediate-result bit set
    HwKeygenWideKey,  ///< #GP: keygen=0 with a 192/256-bit key (Nehemiah erratum)
    BadSchedule,      ///< #GP: keygen=1 schedule is not an AES expansion of any key
    PheBlockMode,     ///< #GP: EAX=-1 on a core without block hashing (C7)
    PheBadCount,      ///< #GP: EAX=n not a multiple of 64 or above ECX
    GmiMode,          ///< #GP: SM4 mode not available on this core (CTR/CFB/OFB on family 6)
    OutOfBounds,      ///< #PF: access (over-read included) outside owned memory
};
inline constexpr size_t kFaultCauseCount = static_cast<size_t>(FaultCause::OutOfBounds) + 1;

/// Short name of a cause ("out-of-bounds", ...).
const char *fault_cause_name(FaultCause c);

/// The last fault an instruction raised on the calling thread.
struct FaultInfo {
    Fault fault = Fault::None;
    FaultCause cause = FaultCause::None;
    uint64_t addr = 0; ///< offending address for OutOfBounds/Misaligned
};

/// Knobs of one emulator instance.
struct EmulatorOptions {
    Profile profile = Profile::ZhaoxinF7;
    bool strict_alignment = true;
    IvModel iv_model = IvModel::Strict;
    KeyCacheRule key_cache = KeyCacheRule::Strict;
    /// Stop each REP instruction after this many units and restart it (0 = never).
    uint32_t interrupt_every = 0;
    /// Clear EFLAGS[30] after roughly one in this many instructions (0 = never).
    uint32_t context_switch_one_in = 0;
    /// PHE writes garbage past the digest over the whole 128-byte state buffer.
    bool phe_scribble = true;
    RngOptions rng;
    /// Memory checker; nullptr = a private PageRule guard.
    std::shared_ptr<MemoryGuard> guard;
};

/// The instruction emulator. Per-thread "CPU" state (EFLAGS[30], the cached key) lives in a
/// thread-local slot, as on silicon: another emulator or a context switch evicts it.
class Emulator final : public Isa {
  public:
    explicit Emulator(EmulatorOptions opts = {});
    ~Emulator() override;
    Emulator(const Emulator &) = delete;
    Emulator &operator=(const Emulator &) = delete;

    const char *name() const override { return "emulator"; }
    Fault xcrypt(XcryptOp op, Regs &r) override;
    Fault xsha(ShaOp op, Regs &r) override;
    Fault xstore(Regs &r) override;
    Fault rep_xstore(Regs &r) override;
    void reload_key() override;
    void note_memory(const void *p, size_t len, MemoryNote note) override;
    std::string last_fault_reason() const override;

    /// GMI `sm4` (F3 0F A7 F0): ESI src, EDI dst, ECX blocks, EAX control value, EBX -> key,
    /// EDX -> IV (spec §2.1, §8). Zhaoxin profiles with CCS only.
    Fault ccs_encrypt(Regs &r);
    /// GMI `sm3` (F3 0F A6 E8): EBX = 0x20, EAX = -1 (ECX blocks) or 0 (ECX bytes, engine
    /// pads), EDI -> big-endian state.
    Fault ccs_hash(Regs &r);

    /// Decodes and executes one instruction from its bytes (prefixes included).
    Fault execute(std::span<const uint8_t> insn, Regs &r);

    /// What CPUID detection reports for this profile.
    const Features &features() const { return features_; }
    const EmulatorOptions &options() const { return opts_; }
    MemoryGuard &guard() { return *guard_; }
    RngModel &rng() { return rng_; }
    /// The last fault on the calling thread.
    FaultInfo last_fault() const;
    /// Faults raised so far, by cause.
    uint64_t fault_count(FaultCause c) const {
        return faults_[static_cast<size_t>(c)].load(std::memory_order_relaxed);
    }
    /// Whether the calling thread's EFLAGS[30] holds this emulator's key.
    bool key_cached() const;
    /// Imitates a context switch on the calling thread (clears EFLAGS[30]).
    void context_switch();
    /// Instructions executed, units (blocks/bytes) processed, restarts injected.
    uint64_t instructions() const { return instructions_.load(std::memory_order_relaxed); }
    uint64_t restarts() const { return restarts_.load(std::memory_order_relaxed); }

  private:
    struct Step;
    Fault fault(Fault f, FaultCause c, uint64_t addr = 0);
    bool check(uint64_t addr, size_t len, Access a, uint64_t req, size_t req_len);
    Fault xcrypt_once(XcryptOp op, Regs &r, uint64_t max_blocks);
    Fault load_key(XcryptOp op, const Regs &r);
    Fault xsha_once(ShaOp op, Regs &r, uint64_t max_blocks, bool &done);
    void after_instruction();
    uint64_t unit_budget() const;
    struct Gmi;
    Gmi &gmi();

    EmulatorOptions opts_;
    Features features_;
    std::shared_ptr<MemoryGuard> guard_;
    RngModel rng_;
    uint64_t id_;
    std::array<std::atomic<uint64_t>, kFaultCauseCount> faults_{};
    std::atomic<uint64_t> instructions_{0};
    std::atomic<uint64_t> restarts_{0};
    std::once_flag gmi_once_;
    std::unique_ptr<Gmi> gmi_;
};

} // namespace acrypto::hw::padlock::emu
