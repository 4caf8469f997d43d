// SPDX-License-Identifier: Apache-2.0
// Emulator: xcrypt/xsha/xstore semantics, key cache, alignment and over-read checks (spec §9.1).
#define OPENSSL_SUPPRESS_DEPRECATED
#include "emulator.hpp"
#include "gmi.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#include <openssl/aes.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "../key_schedule.hpp"
#include "../regs.hpp"

namespace acrypto::hw::padlock::emu {

namespace {

std::atomic<uint64_t> g_next_id{1};

/// One "CPU" per thread: what silicon keeps between instructions.
struct CpuState {
    uint64_t owner = 0; ///< emulator whose key is loaded (ids are never reused)
    bool eflags30 = false;
    uint8_t cword[16] = {};
    AES_KEY enc{}, dec{};
    FaultInfo last{};
    uint64_t rnd = 0x9E3779B97F4A7C15ull;
    void wipe() {
        OPENSSL_cleanse(&enc, sizeof enc);
        OPENSSL_cleanse(&dec, sizeof dec);
        OPENSSL_cleanse(cword, sizeof cword);
        owner = 0;
        eflags30 = false;
    }
};

// 64-byte aligned: see t_caller in provider/pk/pk_common.cpp (LeakSanitizer and dynamic TLS).
alignas(64) thread_local CpuState t_cpu;

/// Wipes this thread's key when the thread exits. CpuState itself has no destructor, so the
/// state stays an object for code that runs later (pthread-key destructors run after C++
/// thread-local destructors), and the wipe's stores cannot be dropped as stores to an object
/// whose lifetime ends (GCC's -flifetime-dse): a wiped state is a key-cache miss.
struct CpuWiper {
    CpuWiper() = default;
    CpuWiper(const CpuWiper &) = delete;
    CpuWiper &operator=(const CpuWiper &) = delete;
    ~CpuWiper() { t_cpu.wipe(); }
};
thread_local CpuWiper t_cpu_wiper;

constexpr uint64_t kPoison = 0xDEADBEEFBADC0DE5ull;

uint32_t le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

void xor16(uint8_t *out, const uint8_t *a, const uint8_t *b) {
    for (int i = 0; i < 16; ++i) out[i] = static_cast<uint8_t>(a[i] ^ b[i]);
}

bool is_wide(ShaOp op) { return op == ShaOp::Sha384 || op == ShaOp::Sha512; }
size_t sha_words(ShaOp op) { return op == ShaOp::Sha1 ? 5 : 8; }
size_t sha_word_bytes(ShaOp op) { return is_wide(op) ? 8 : 4; }
size_t sha_block(ShaOp op) { return is_wide(op) ? regs::SHA512_BLOCK : regs::SHA_BLOCK; }

void load_state(ShaOp op, const uint8_t *p, uint64_t h[8]) {
    const size_t wb = sha_word_bytes(op);
    for (size_t i = 0; i < sha_words(op); ++i) {
        uint64_t v = 0;
        for (size_t j = 0; j < wb; ++j) v |= uint64_t(p[i * wb + j]) << (8 * j);
        h[i] = v;
    }
}

void store_state(ShaOp op, const uint64_t h[8], uint8_t *p) {
    const size_t wb = sha_word_bytes(op);
    for (size_t i = 0; i < sha_words(op); ++i)
        for (size_t j = 0; j < wb; ++j) p[i * wb + j] = static_cast<uint8_t>(h[i] >> (8 * j));
}

void sha_iv(ShaOp op, uint64_t h[8]) {
    switch (op) {
    case ShaOp::Sha1: {
        SHA_CTX c;
        SHA1_Init(&c);
        const uint32_t v[5] = {c.h0, c.h1, c.h2, c.h3, c.h4};
        for (int i = 0; i < 5; ++i) h[i] = v[i];
        break;
    }
    case ShaOp::Sha256: {
        SHA256_CTX c;
        SHA256_Init(&c);
        for (int i = 0; i < 8; ++i) h[i] = c.h[i];
        break;
    }
    case ShaOp::Sha384:
    case ShaOp::Sha512: {
        SHA512_CTX c;
        if (op == ShaOp::Sha384)
            SHA384_Init(&c);
        else
            SHA512_Init(&c);
        for (int i = 0; i < 8; ++i) h[i] = c.h[i];
        break;
    }
    }
}

/// Runs the library's compression function over whole blocks from chaining value h.
void sha_compress(ShaOp op, uint64_t h[8], const uint8_t *p, uint64_t nblocks) {
    switch (op) {
    case ShaOp::Sha1: {
        SHA_CTX c;
        SHA1_Init(&c);
        c.h0 = uint32_t(h[0]), c.h1 = uint32_t(h[1]), c.h2 = uint32_t(h[2]);
        c.h3 = uint32_t(h[3]), c.h4 = uint32_t(h[4]);
        for (uint64_t i = 0; i < nblocks; ++i) SHA1_Transform(&c, p + 64 * i);
        h[0] = c.h0, h[1] = c.h1, h[2] = c.h2, h[3] = c.h3, h[4] = c.h4;
        OPENSSL_cleanse(&c, sizeof c);
        break;
    }
    case ShaOp::Sha256: {
        SHA256_CTX c;
        SHA256_Init(&c);
        for (int i = 0; i < 8; ++i) c.h[i] = uint32_t(h[i]);
        for (uint64_t i = 0; i < nblocks; ++i) SHA256_Transform(&c, p + 64 * i);
        for (int i = 0; i < 8; ++i) h[i] = c.h[i];
        OPENSSL_cleanse(&c, sizeof c);
        break;
    }
    case ShaOp::Sha384:
    case ShaOp::Sha512: {
        SHA512_CTX c;
        SHA512_Init(&c);
        for (int i = 0; i < 8; ++i) c.h[i] = h[i];
        for (uint64_t i = 0; i < nblocks; ++i) SHA512_Transform(&c, p + 128 * i);
        for (int i = 0; i < 8; ++i) h[i] = c.h[i];
        OPENSSL_cleanse(&c, sizeof c);
        break;
    }
    }
}

/// Engine padding for the EAX=0 / EAX=n forms (SHA-1/SHA-256 only): hashes `len` bytes after
/// `done` bytes already in h, appends 0x80, zeros and the 64-bit big-endian bit length.
void sha_finish(ShaOp op, uint64_t h[8], uint64_t done, const uint8_t *p, uint64_t len) {
    const uint64_t whole = len / 64;
    sha_compress(op, h, p, whole);
    uint8_t pad[128] = {};
    const size_t tail = static_cast<size_t>(len % 64);
    std::memcpy(pad, p + 64 * whole, tail);
    pad[tail] = 0x80;
    const size_t blocks = tail + 9 > 64 ? 2 : 1;
    const uint64_t bits = (done + len) * 8;
    for (int i = 0; i < 8; ++i) pad[64 * blocks - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
    sha_compress(op, h, pad, blocks);
    OPENSSL_cleanse(pad, sizeof pad);
}

RngOptions rng_options(const EmulatorOptions &o) {
    RngOptions r = o.rng;
    r.two_sources = profile_two_noise_sources(o.profile);
    return r;
}

} // namespace

const char *fault_cause_name(FaultCause c) {
    switch (c) {
    case FaultCause::None: return "none";
    case FaultCause::UnitAbsent: return "unit-absent";
    case FaultCause::BadPrefix: return "bad-prefix";
    case FaultCause::Unimplemented: return "unimplemented";
    case FaultCause::Misaligned: return "misaligned";
    case FaultCause::ReservedBits: return "reserved-bits";
    case FaultCause::RoundsMismatch: return "rounds-mismatch";
    case FaultCause::IntermediateMode: return "intermediate-mode";
    case FaultCause::HwKeygenWideKey: return "hw-keygen-wide-key";
    case FaultCause::BadSchedule: return "bad-schedule";
    case FaultCause::PheBlockMode: return "phe-block-mode";
    case FaultCause::PheBadCount: return "phe-bad-count";
    case FaultCause::GmiMode: return "gmi-mode";
    case FaultCause::OutOfBounds: return "out-of-bounds";
    }
    return "?";
}

Emulator::Emulator(EmulatorOptions opts)
    : opts_(std::move(opts)), features_(detect_features(profile_cpuid(opts_.profile))),
      guard_(opts_.guard ? opts_.guard : std::make_shared<MemoryGuard>(GuardPolicy::PageRule)),
      rng_(rng_options(opts_)), id_(g_next_id.fetch_add(1)) {}

Emulator::~Emulator() {
    if (t_cpu.owner == id_) t_cpu.wipe();
}

Fault Emulator::fault(Fault f, FaultCause c, uint64_t addr) {
    t_cpu.last = FaultInfo{f, c, addr};
    faults_[static_cast<size_t>(c)].fetch_add(1, std::memory_order_relaxed);
    return f;
}

FaultInfo Emulator::last_fault() const { return t_cpu.last; }

std::string Emulator::last_fault_reason() const {
    const FaultInfo f = t_cpu.last;
    static const char *const kFault[] = {"none", "#UD", "#GP", "#PF"};
    char addr[32];
    std::snprintf(addr, sizeof addr, "%#llx", static_cast<unsigned long long>(f.addr));
    return std::string(kFault[static_cast<int>(f.fault)]) + " " + fault_cause_name(f.cause) +
           " at " + addr;
}

bool Emulator::key_cached() const { return t_cpu.owner == id_ && t_cpu.eflags30; }

void Emulator::context_switch() { t_cpu.eflags30 = false; }

void Emulator::reload_key() { t_cpu.eflags30 = false; }

void Emulator::note_memory(const void *p, size_t len, MemoryNote note) {
    if (note == MemoryNote::Owned)
        guard_->add_region(p, len, true);
    else
        guard_->remove_region(p);
}

bool Emulator::check(uint64_t addr, size_t len, Access a, uint64_t req, size_t req_len) {
    return guard_->allowed(addr, len, a, req, req_len);
}

void Emulator::after_instruction() {
    instructions_.fetch_add(1, std::memory_order_relaxed);
    if (opts_.context_switch_one_in == 0) return;
    uint64_t &x = t_cpu.rnd;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if (x % opts_.context_switch_one_in == 0) t_cpu.eflags30 = false;
}

uint64_t Emulator::unit_budget() const {
    return opts_.interrupt_every ? opts_.interrupt_every : std::numeric_limits<uint64_t>::max();
}

// ---------------------------------------------------------------- xcrypt

Fault Emulator::load_key(XcryptOp op, const Regs &r) {
    (void)&t_cpu_wiper; // a thread that loads a key wipes it when it exits
    CpuState &c = t_cpu;
    uint8_t cw_mem[16];
    bool hit = c.owner == id_ && c.eflags30;
    if (hit && opts_.key_cache == KeyCacheRule::Lenient) {
        if (!check(r.rdx, 16, Access::Read, r.rdx, 16))
            return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdx);
        std::memcpy(cw_mem, reinterpret_cast<const void *>(r.rdx), 16);
        hit = std::memcmp(cw_mem, c.cword, 16) == 0;
    }
    if (hit) return Fault::None;

    if (!check(r.rdx, 16, Access::Read, r.rdx, 16))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdx);
    std::memcpy(cw_mem, reinterpret_cast<const void *>(r.rdx), 16);
    const uint32_t cw = le32(cw_mem);
    bool upper_zero = true;
    for (int i = 4; i < 16; ++i) upper_zero = upper_zero && cw_mem[i] == 0;
    if ((cw & (regs::CW_RESERVED_MASK | regs::CW_ALG_MASK)) || !upper_zero)
        return fault(Fault::GeneralProtection, FaultCause::ReservedBits, r.rdx);
    if (cw & regs::CW_INTERMEDIATE)
        return fault(Fault::GeneralProtection, FaultCause::IntermediateMode, r.rdx);
    const uint32_t size_code = (cw & regs::CW_KEYSIZE_MASK) >> regs::CW_KEYSIZE_SHIFT;
    if (size_code == 3) return fault(Fault::GeneralProtection, FaultCause::ReservedBits, r.rdx);
    const size_t key_len = 16 + 8 * size_code;
    const uint32_t nr = aes_rounds(key_len);
    if ((cw & regs::CW_ROUNDS_MASK) != nr)
        return fault(Fault::GeneralProtection, FaultCause::RoundsMismatch, r.rdx);

    uint8_t raw[32];
    if (!(cw & regs::CW_KEYGEN)) {
        if (key_len != 16)
            return fault(Fault::GeneralProtection, FaultCause::HwKeygenWideKey, r.rdx);
        if (!check(r.rbx, 16, Access::Read, r.rbx, 16))
            return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rbx);
        std::memcpy(raw, reinterpret_cast<const void *>(r.rbx), 16);
    } else {
        // The engine may read all 16 round-key slots (spec §3.2).
        const size_t need = 16 * (nr + 1);
        if (!check(r.rbx, regs::KEY_SCHEDULE_BYTES, Access::Read, r.rbx, need))
            return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rbx);
        uint8_t sched[regs::KEY_SCHEDULE_BYTES], again[regs::KEY_SCHEDULE_BYTES];
        std::memcpy(sched, reinterpret_cast<const void *>(r.rbx), need);
        const bool inverse =
            (op == XcryptOp::Ecb || op == XcryptOp::Cbc) && (cw & regs::CW_DECRYPT);
        // Recover the cipher key from the schedule, re-expand it and demand an exact match:
        // the emulator computes with the library's AES, which needs the key, not a schedule.
        if (!inverse) {
            std::memcpy(raw, sched, key_len);
        } else {
            uint8_t rk1[16];
            std::memcpy(raw, sched + 16 * nr, 16);
            aes_mix_columns(sched + 16 * (nr - 1), rk1);
            std::memcpy(raw + 16, rk1, key_len - 16);
            secure_wipe(rk1, sizeof rk1);
        }
        if (inverse)
            aes_expand_decrypt(raw, key_len, again);
        else
            aes_expand_forward(raw, key_len, again);
        const bool same = CRYPTO_memcmp(sched, again, need) == 0;
        OPENSSL_cleanse(sched, sizeof sched);
        OPENSSL_cleanse(again, sizeof again);
        if (!same) {
            OPENSSL_cleanse(raw, sizeof raw);
            return fault(Fault::GeneralProtection, FaultCause::BadSchedule, r.rbx);
        }
    }
    c.wipe();
    c.owner = id_;
    c.eflags30 = true;
    std::memcpy(c.cword, cw_mem, 16);
    AES_set_encrypt_key(raw, static_cast<int>(8 * key_len), &c.enc);
    AES_set_decrypt_key(raw, static_cast<int>(8 * key_len), &c.dec);
    OPENSSL_cleanse(raw, sizeof raw);
    return Fault::None;
}

Fault Emulator::xcrypt_once(XcryptOp op, Regs &r, uint64_t max_blocks) {
    const bool ecb = op == XcryptOp::Ecb;
    // Control word, key and IV must be aligned on every core; data only in strict mode.
    if (r.rdx % regs::OPERAND_ALIGN)
        return fault(Fault::GeneralProtection, FaultCause::Misaligned, r.rdx);
    if (r.rbx % regs::OPERAND_ALIGN)
        return fault(Fault::GeneralProtection, FaultCause::Misaligned, r.rbx);
    if (!ecb && r.rax % regs::OPERAND_ALIGN)
        return fault(Fault::GeneralProtection, FaultCause::Misaligned, r.rax);
    if (opts_.strict_alignment) {
        if (r.rsi % regs::OPERAND_ALIGN)
            return fault(Fault::GeneralProtection, FaultCause::Misaligned, r.rsi);
        if (r.rdi % regs::OPERAND_ALIGN)
            return fault(Fault::GeneralProtection, FaultCause::Misaligned, r.rdi);
    }
    if (Fault f = load_key(op, r); f != Fault::None) return f;
    const CpuState &c = t_cpu;
    const bool dec = le32(c.cword) & regs::CW_DECRYPT;

    const uint64_t n = r.rcx;
    if (n > (std::numeric_limits<uint64_t>::max() / 64))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi);
    // Prefetch: input is fetched in groups of F blocks (spec §4.2).
    const uint64_t f = ecb                   ? features_.prefetch_ecb
                       : op == XcryptOp::Cbc ? features_.prefetch_cbc
                       : op == XcryptOp::Ctr ? features_.prefetch_ctr
                                             : 1;
    const uint64_t fetched = (n + f - 1) / f * f;
    if (!check(r.rsi, 16 * fetched, Access::Read, r.rsi, 16 * n))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi + 16 * n);
    if (!check(r.rdi, 16 * n, Access::Write, r.rdi, 16 * n))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdi);
    const bool enc_feedback = (op == XcryptOp::Cbc || op == XcryptOp::Cfb) && !dec;
    const bool writes_iv = !ecb && (!enc_feedback || opts_.iv_model == IvModel::Compat);
    if (!ecb && !check(r.rax, 16, writes_iv ? Access::Write : Access::Read, r.rax, 16))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rax);

    // Interrupts are taken between fetch groups, so the restarted instruction's prefetch ends
    // where the original one would have (no further over-read).
    const uint64_t group_budget = max_blocks >= std::numeric_limits<uint64_t>::max() - f
                                      ? max_blocks
                                      : (max_blocks + f - 1) / f * f;
    const uint64_t m = std::min(n, group_budget);
    uint8_t iv[16] = {}, in[16], out[16], tmp[16];
    if (!ecb) std::memcpy(iv, reinterpret_cast<const void *>(r.rax), 16);
    const auto *src = reinterpret_cast<const uint8_t *>(r.rsi);
    auto *dst = reinterpret_cast<uint8_t *>(r.rdi);
    for (uint64_t i = 0; i < m; ++i) {
        std::memcpy(in, src + 16 * i, 16);
        switch (op) {
        case XcryptOp::Ecb:
            if (dec)
                AES_decrypt(in, out, &c.dec);
            else
                AES_encrypt(in, out, &c.enc);
            break;
        case XcryptOp::Cbc:
            if (dec) {
                AES_decrypt(in, tmp, &c.dec);
                xor16(out, tmp, iv);
                std::memcpy(iv, in, 16);
            } else {
                xor16(tmp, in, iv);
                AES_encrypt(tmp, out, &c.enc);
                std::memcpy(iv, out, 16);
            }
            break;
        case XcryptOp::Cfb:
            AES_encrypt(iv, tmp, &c.enc);
            xor16(out, in, tmp);
            std::memcpy(iv, dec ? in : out, 16);
            break;
        case XcryptOp::Ofb:
            AES_encrypt(iv, tmp, &c.enc);
            xor16(out, in, tmp);
            std::memcpy(iv, tmp, 16);
            break;
        case XcryptOp::Ctr: {
            AES_encrypt(iv, tmp, &c.enc);
            xor16(out, in, tmp);
            // ACE2: 16-bit big-endian counter in bytes 14-15, no carry into byte 13 (§3.5).
            const uint16_t ctr = static_cast<uint16_t>((iv[14] << 8 | iv[15]) + 1);
            iv[14] = static_cast<uint8_t>(ctr >> 8);
            iv[15] = static_cast<uint8_t>(ctr);
            break;
        }
        }
        std::memcpy(dst + 16 * i, out, 16);
    }
    r.rsi += 16 * m;
    r.rdi += 16 * m;
    r.rcx -= m;
    if (!ecb) {
        if (writes_iv) std::memcpy(reinterpret_cast<void *>(r.rax), iv, 16);
        if (enc_feedback && m > 0) r.rax = r.rdi - 16; // EAX = last output block = next IV (§3.4)
    }
    OPENSSL_cleanse(iv, sizeof iv);
    OPENSSL_cleanse(in, sizeof in);
    OPENSSL_cleanse(out, sizeof out);
    OPENSSL_cleanse(tmp, sizeof tmp);
    return Fault::None;
}

Fault Emulator::xcrypt(XcryptOp op, Regs &r) {
    if (!features_.ace || (op == XcryptOp::Ctr && !features_.ace2))
        return fault(Fault::InvalidOpcode, FaultCause::UnitAbsent);
    if (r.rcx == 0) { // ECX=0: no-op (§9.1 item 10)
        after_instruction();
        return Fault::None;
    }
    for (;;) {
        if (Fault f = xcrypt_once(op, r, unit_budget()); f != Fault::None) return f;
        if (r.rcx == 0) break;
        // Interrupted: registers and memory hold the restartable state; the return from the
        // interrupt (iret) clears EFLAGS[30], so the re-executed instruction reloads the key.
        restarts_.fetch_add(1, std::memory_order_relaxed);
        t_cpu.eflags30 = false;
    }
    after_instruction();
    return Fault::None;
}

// ---------------------------------------------------------------- xsha

Fault Emulator::xsha_once(ShaOp op, Regs &r, uint64_t max_blocks, bool &done) {
    const bool wide = is_wide(op);
    const size_t state_bytes = sha_words(op) * sha_word_bytes(op);
    const size_t write_required = op == ShaOp::Sha1 && features_.xsha1_writes_32 ? 32 : state_bytes;
    const size_t write_extent = opts_.phe_scribble ? regs::PHE_STATE_BYTES : write_required;
    const size_t block = sha_block(op);
    const bool block_mode = wide || r.rax == std::numeric_limits<uint64_t>::max();
    if (block_mode && !wide && !features_.phe_block_mode)
        return fault(Fault::GeneralProtection, FaultCause::PheBlockMode);
    if (!check(r.rdi, write_extent, Access::Write, r.rdi, write_required))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdi + write_required);

    uint64_t h[8] = {};
    auto *state = reinterpret_cast<uint8_t *>(r.rdi);
    const auto *src = reinterpret_cast<const uint8_t *>(r.rsi);
    if (block_mode) {
        const uint64_t n = r.rcx;
        if (n > std::numeric_limits<uint64_t>::max() / 256 ||
            !check(r.rsi, n * block, Access::Read, r.rsi, n * block))
            return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi);
        const uint64_t m = std::min(n, max_blocks);
        load_state(op, state, h);
        sha_compress(op, h, src, m);
        store_state(op, h, state);
        r.rsi += m * block;
        r.rcx -= m;
        done = r.rcx == 0;
    } else {
        const uint64_t total = r.rcx, already = r.rax;
        if (already % 64 || already > total)
            return fault(Fault::GeneralProtection, FaultCause::PheBadCount);
        const uint64_t rem = total - already;
        if (!check(r.rsi, rem, Access::Read, r.rsi, rem))
            return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi);
        if (already == 0)
            sha_iv(op, h);
        else
            load_state(op, state, h);
        if (rem / 64 > max_blocks) {
            // Interrupted: the intermediate state and EAX = bytes hashed are the restart point.
            sha_compress(op, h, src, max_blocks);
            store_state(op, h, state);
            r.rsi += 64 * max_blocks;
            r.rax = already + 64 * max_blocks;
            done = false;
            return Fault::None;
        }
        sha_finish(op, h, already, src, rem);
        store_state(op, h, state);
        r.rsi += rem;
        done = true;
    }
    for (size_t i = state_bytes; i < write_extent; ++i)
        state[i] = static_cast<uint8_t>(0xA5 ^ (i * 29)); // scratch garbage past the digest
    OPENSSL_cleanse(h, sizeof h);
    return Fault::None;
}

Fault Emulator::xsha(ShaOp op, Regs &r) {
    if (is_wide(op) ? !features_.phe2 : !features_.phe)
        return fault(Fault::InvalidOpcode, FaultCause::UnitAbsent);
    if (features_.phe_ecx0_noop && r.rcx == 0) { // Zhaoxin: nothing happens (§1.4)
        after_instruction();
        return Fault::None;
    }
    if (opts_.strict_alignment && r.rdi % regs::OPERAND_ALIGN)
        return fault(Fault::GeneralProtection, FaultCause::Misaligned, r.rdi);
    bool done = false;
    for (;;) {
        if (Fault f = xsha_once(op, r, unit_budget(), done); f != Fault::None) return f;
        if (done) break;
        restarts_.fetch_add(1, std::memory_order_relaxed);
    }
    // Drivers must treat these as clobbered (§2.2): make reliance on them visible.
    r.rax = kPoison;
    r.rdi = kPoison;
    r.rcx = 0;
    after_instruction();
    return Fault::None;
}

// ---------------------------------------------------------------- xstore

Fault Emulator::xstore(Regs &r) {
    if (!features_.rng) return fault(Fault::InvalidOpcode, FaultCause::UnitAbsent);
    static constexpr size_t kValid[4] = {8, 4, 2, 1};
    static constexpr size_t kWritten[4] = {8, 4, 4, 4};
    const uint32_t d = static_cast<uint32_t>(r.rdx) & regs::XSTORE_DIVISOR_MASK;
    if (!check(r.rdi, kWritten[d], Access::Write, r.rdi, kValid[d]))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdi + kValid[d]);
    uint8_t tmp[8];
    const uint32_t status = rng_.produce(tmp, kWritten[d], kValid[d]);
    std::memcpy(reinterpret_cast<void *>(r.rdi), tmp, kWritten[d]);
    OPENSSL_cleanse(tmp, sizeof tmp);
    r.rax = status;
    r.rdi += std::min<size_t>(status & regs::XSTORE_COUNT_MASK, kWritten[d]);
    after_instruction();
    return Fault::None;
}

Fault Emulator::rep_xstore(Regs &r) {
    if (!features_.rng) return fault(Fault::InvalidOpcode, FaultCause::UnitAbsent);
    static constexpr size_t kValid[4] = {8, 4, 2, 1};
    const uint32_t d = static_cast<uint32_t>(r.rdx) & regs::XSTORE_DIVISOR_MASK;
    const uint64_t n = r.rcx;
    // Stores go in 8-byte units: up to 7 bytes past the end (spec §6.3).
    const uint64_t written = (n + 7) / 8 * 8;
    if (n > (uint64_t(1) << 40) || !check(r.rdi, written, Access::Write, r.rdi, n))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdi + n);
    uint8_t tmp[64];
    uint32_t status = 0;
    auto *out = reinterpret_cast<uint8_t *>(r.rdi);
    for (uint64_t off = 0; off < written; off += sizeof tmp) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(sizeof tmp, written - off));
        status = rng_.produce(tmp, chunk, kValid[d]);
        if ((status & regs::XSTORE_COUNT_MASK) == 0)
            break; // source not ready: nothing stored, registers unchanged
        std::memcpy(out + off, tmp, chunk);
    }
    if (n == 0) status = rng_.produce(tmp, 0, kValid[d]);
    OPENSSL_cleanse(tmp, sizeof tmp);
    r.rax = status;
    if ((status & regs::XSTORE_COUNT_MASK) != 0) {
        r.rdi += n;
        r.rcx = 0;
    }
    after_instruction();
    return Fault::None;
}

// ---------------------------------------------------------------- decoder

Fault Emulator::execute(std::span<const uint8_t> insn, Regs &r) {
    bool rep = false, repnz = false;
    size_t i = 0;
    for (; i < insn.size(); ++i) {
        if (insn[i] == 0xF3)
            rep = true;
        else if (insn[i] == 0xF2)
            repnz = true;
        else if (insn[i] == 0x67)
            continue; // address-size prefix (montmul on Zhaoxin); no other effect here
        else
            break;
    }
    if (insn.size() - i != 3 || insn[i] != 0x0F)
        return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
    const uint8_t op = insn[i + 1], modrm = insn[i + 2];
    if (repnz) // F2 forms are undefined on VIA, other instructions (SM2) on Zhaoxin
        return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
    if (op == 0xA7) {
        switch (modrm) {
        case 0xC0: return rep ? rep_xstore(r) : xstore(r);
        case 0xC8:
        case 0xD0:
        case 0xD8:
        case 0xE0:
        case 0xE8: {
            if (!rep) return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
            static constexpr XcryptOp kOps[] = {XcryptOp::Ecb, XcryptOp::Cbc, XcryptOp::Ctr,
                                                XcryptOp::Cfb, XcryptOp::Ofb};
            return xcrypt(kOps[(modrm - 0xC8) / 8], r);
        }
        case 0xF0: // GMI sm4
            if (!rep) return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
            return ccs_encrypt(r);
        case 0xF8: // xrng2
            return fault(Fault::InvalidOpcode, FaultCause::Unimplemented);
        default: return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
        }
    }
    if (op == 0xA6) {
        switch (modrm) {
        case 0xE8: // GMI sm3
            if (!rep) return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
            return ccs_hash(r);
        case 0xC0: // montmul: undocumented, never used (§7)
        case 0xF0: // montmul2
        case 0xF8: // xmodexp
            return fault(Fault::InvalidOpcode, FaultCause::Unimplemented);
        case 0xC8:
        case 0xD0:
        case 0xD8:
        case 0xE0: {
            if (!rep) return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
            static constexpr ShaOp kOps[] = {ShaOp::Sha1, ShaOp::Sha256, ShaOp::Sha384,
                                             ShaOp::Sha512};
            return xsha(kOps[(modrm - 0xC8) / 8], r);
        }
        default: return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
        }
    }
    return fault(Fault::InvalidOpcode, FaultCause::BadPrefix);
}

} // namespace acrypto::hw::padlock::emu
