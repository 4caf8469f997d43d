// SPDX-License-Identifier: Apache-2.0
// The PadLock instruction layer: one call per instruction over an x86-64 register file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace acrypto::hw::padlock {

/// The registers PadLock instructions read and write (64-bit forms, spec §2).
struct Regs {
    uint64_t rax = 0, rbx = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0;
};

/// `rep xcrypt-*` modes.
enum class XcryptOp { Ecb, Cbc, Cfb, Ofb, Ctr };
/// `rep xsha*` forms.
enum class ShaOp { Sha1, Sha256, Sha384, Sha512 };

/// Outcome of one instruction. Real silicon raises a signal instead; the emulator reports.
enum class Fault {
    None,              ///< completed
    InvalidOpcode,     ///< #UD: unit absent/disabled, bad prefix, PMM/RNG2/RSA
    GeneralProtection, ///< #GP: misaligned operand, reserved control-word bits, bad mode
    PageFault          ///< #PF: an access (over-read included) outside memory the caller owns
};

/// How a checking implementation should treat driver-owned memory (no effect on silicon).
enum class MemoryNote { Owned, Released };

/// One implementation of the instruction layer, chosen once at start.
class Isa {
  public:
    virtual ~Isa() = default;
    /// "native" or "emulator".
    virtual const char *name() const = 0;
    /// `rep xcrypt-ecb/cbc/cfb/ofb/ctr`: ESI src, EDI dst, ECX blocks, EAX IV, EBX key, EDX cword.
    virtual Fault xcrypt(XcryptOp op, Regs &r) = 0;
    /// `rep xsha1/xsha256/xsha384/xsha512`: ESI data, EDI state, ECX count, EAX mode.
    virtual Fault xsha(ShaOp op, Regs &r) = 0;
    /// `xstore`: EDI out, EDX divisor; EAX = status word.
    virtual Fault xstore(Regs &r) = 0;
    /// `rep xstore`: EDI out, ECX bytes, EDX divisor; EAX = status word.
    virtual Fault rep_xstore(Regs &r) = 0;
    /// Forces the next xcrypt to reload key and control word (`pushf; popf`, spec §4.3).
    virtual void reload_key() = 0;
    /// Declares driver-owned scratch memory (bounce buffers, schedules, state) to a checking
    /// implementation, so over-reads into it are legal. Native: no effect.
    virtual void note_memory(const void *p, size_t len, MemoryNote note) {}
    /// Why the calling thread's last instruction faulted ("" when unknown). Native: "".
    virtual std::string last_fault_reason() const { return {}; }
};

/// The native layer, or nullptr when this build cannot execute PadLock instructions.
/// The caller must have checked CPUID (present AND enabled) before executing anything.
std::unique_ptr<Isa> make_native_isa();

} // namespace acrypto::hw::padlock
