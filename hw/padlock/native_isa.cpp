// SPDX-License-Identifier: Apache-2.0
// Native instruction layer: the only file with PadLock inline assembly, one wrapper per
// instruction.
#include "isa.hpp"

namespace acrypto::hw::padlock {

#if defined(__x86_64__)
namespace {

// Every wrapper names its instruction and encoding (spec §2). The xcrypt forms advance
// RSI/RDI, zero RCX and may move RAX (§2.2); EBX/EDX are preserved. The xsha forms are
// treated as clobbering RAX/RCX/RSI/RDI (§2.2). All write memory.

// rep xcrypt-ecb: F3 0F A7 C8
inline void rep_xcrypt_ecb(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa7,0xc8"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 : "b"(r.rbx), "d"(r.rdx)
                 : "memory", "cc");
}
// rep xcrypt-cbc: F3 0F A7 D0
inline void rep_xcrypt_cbc(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa7,0xd0"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 : "b"(r.rbx), "d"(r.rdx)
                 : "memory", "cc");
}
// rep xcrypt-ctr: F3 0F A7 D8 (ACE2)
inline void rep_xcrypt_ctr(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa7,0xd8"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 : "b"(r.rbx), "d"(r.rdx)
                 : "memory", "cc");
}
// rep xcrypt-cfb: F3 0F A7 E0
inline void rep_xcrypt_cfb(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa7,0xe0"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 : "b"(r.rbx), "d"(r.rdx)
                 : "memory", "cc");
}
// rep xcrypt-ofb: F3 0F A7 E8
inline void rep_xcrypt_ofb(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa7,0xe8"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 : "b"(r.rbx), "d"(r.rdx)
                 : "memory", "cc");
}
// rep xsha1: F3 0F A6 C8
inline void rep_xsha1(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa6,0xc8"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 :
                 : "memory", "cc");
}
// rep xsha256: F3 0F A6 D0
inline void rep_xsha256(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa6,0xd0"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 :
                 : "memory", "cc");
}
// rep xsha384: F3 0F A6 D8 (Zhaoxin PHE2)
inline void rep_xsha384(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa6,0xd8"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 :
                 : "memory", "cc");
}
// rep xsha512: F3 0F A6 E0 (Zhaoxin PHE2)
inline void rep_xsha512(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa6,0xe0"
                 : "+S"(r.rsi), "+D"(r.rdi), "+c"(r.rcx), "+a"(r.rax)
                 :
                 : "memory", "cc");
}
// xstore: 0F A7 C0. EDX is clobbered by every driver's convention (§2.2).
inline void xstore_insn(Regs &r) {
    asm volatile(".byte 0x0f,0xa7,0xc0" : "=a"(r.rax), "+D"(r.rdi), "+d"(r.rdx) : : "memory", "cc");
}
// rep xstore: F3 0F A7 C0
inline void rep_xstore_insn(Regs &r) {
    asm volatile(".byte 0xf3,0x0f,0xa7,0xc0"
                 : "=a"(r.rax), "+D"(r.rdi), "+c"(r.rcx), "+d"(r.rdx)
                 :
                 : "memory", "cc");
}
// pushf; popf: rewrites EFLAGS with bit 30 clear, forcing a key reload (§4.3). The stack
// pointer steps over the 128-byte red zone first so the push cannot clobber it.
inline void reload_key_flags() {
    asm volatile("leaq -128(%%rsp), %%rsp\n\t"
                 "pushfq\n\t"
                 "popfq\n\t"
                 "leaq 128(%%rsp), %%rsp"
                 :
                 :
                 : "memory", "cc");
}

class NativeIsa final : public Isa {
  public:
    const char *name() const override { return "native"; }
    Fault xcrypt(XcryptOp op, Regs &r) override {
        switch (op) {
        case XcryptOp::Ecb: rep_xcrypt_ecb(r); break;
        case XcryptOp::Cbc: rep_xcrypt_cbc(r); break;
        case XcryptOp::Cfb: rep_xcrypt_cfb(r); break;
        case XcryptOp::Ofb: rep_xcrypt_ofb(r); break;
        case XcryptOp::Ctr: rep_xcrypt_ctr(r); break;
        }
        return Fault::None;
    }
    Fault xsha(ShaOp op, Regs &r) override {
        switch (op) {
        case ShaOp::Sha1: rep_xsha1(r); break;
        case ShaOp::Sha256: rep_xsha256(r); break;
        case ShaOp::Sha384: rep_xsha384(r); break;
        case ShaOp::Sha512: rep_xsha512(r); break;
        }
        return Fault::None;
    }
    Fault xstore(Regs &r) override {
        xstore_insn(r);
        return Fault::None;
    }
    Fault rep_xstore(Regs &r) override {
        rep_xstore_insn(r);
        return Fault::None;
    }
    void reload_key() override { reload_key_flags(); }
};

} // namespace

std::unique_ptr<Isa> make_native_isa() { return std::make_unique<NativeIsa>(); }

#else

std::unique_ptr<Isa> make_native_isa() { return nullptr; }

#endif

} // namespace acrypto::hw::padlock
