// SPDX-License-Identifier: Apache-2.0
// AesEngine: every AES mode on ACE with the portable driver contract of spec §3.4 and §4.
#include "aes_engine.hpp"

#include <algorithm>
#include <cstring>

#include "key_schedule.hpp"
#include "regs.hpp"

namespace acrypto::hw::padlock {

namespace {

constexpr size_t kBlock = regs::AES_BLOCK;
/// Widest input fetch of any core, in blocks (Nano stepping 2 ECB, §4.2). A call whose block
/// count is a multiple of this never over-reads on any core.
constexpr uint64_t kFetchBlocks = regs::PREFETCH_MAX / kBlock;

void ctr_add1(uint8_t c[16]) {
    for (int i = 15; i >= 0 && ++c[i] == 0; --i) {}
}
void ctr_sub1(uint8_t c[16]) {
    for (int i = 15; i >= 0 && c[i]-- == 0; --i) {}
}
/// Carry out of the 16-bit hardware counter into bytes 0..13 (the ABI counter is 128-bit).
void ctr_carry_high(uint8_t c[16]) {
    for (int i = 13; i >= 0 && ++c[i] == 0; --i) {}
}

bool overlaps_partially(const uint8_t *a, const uint8_t *b, size_t n) {
    return a != b && n > 0 && a < b + n && b < a + n;
}

uintptr_t addr(const void *p) { return reinterpret_cast<uintptr_t>(p); }

} // namespace

bool AesEngine::supports(uint32_t mode) const {
    switch (mode) {
    case ACRYPTO_MODE_ECB:
    case ACRYPTO_MODE_CBC:
    case ACRYPTO_MODE_CFB:
    case ACRYPTO_MODE_OFB:
    case ACRYPTO_MODE_CTR: return f_.ace; // CTR falls back to ECB keystream without ACE2
    default: return false;
    }
}

int AesEngine::count_fault(Fault f) {
    switch (f) {
    case Fault::None: return ACRYPTO_OK;
    case Fault::InvalidOpcode: stats_.add(Stat::FaultUd); break;
    case Fault::GeneralProtection: stats_.add(Stat::FaultGp); break;
    case Fault::PageFault: stats_.add(Stat::FaultPf); break;
    }
    return ACRYPTO_E_DEVICE;
}

int AesEngine::load_key(const acrypto_step &st, bool decrypt, bool inverse, Scratch &s) {
    const size_t len = st.key->len;
    // Hardware expansion only for AES-128 (Nehemiah erratum for 192/256, §1.4): software
    // schedules for the others, in the byte layout of §3.2.
    const bool keygen = len != 16;
    std::memset(s.sched, 0, sizeof s.sched);
    if (!keygen)
        std::memcpy(s.sched, st.key->data, len);
    else if (inverse)
        aes_expand_decrypt(st.key->data, len, s.sched);
    else
        aes_expand_forward(st.key->data, len, s.sched);
    s.cword_main = make_control_word(len, keygen, decrypt);
    s.cword_enc = make_control_word(len, keygen, false);
    std::memset(s.cword, 0, sizeof s.cword);
    std::memcpy(s.cword, &s.cword_main, sizeof s.cword_main); // little-endian dword 0
    return ACRYPTO_OK;
}

int AesEngine::call(XcryptOp op, const uint8_t *src, uint8_t *dst, uint64_t blocks, Scratch &s) {
    if (blocks == 0) return ACRYPTO_OK;
    Regs r;
    r.rsi = addr(src);
    r.rdi = addr(dst);
    r.rcx = blocks;
    r.rax = addr(s.iv);
    r.rbx = addr(s.sched);
    r.rdx = addr(s.cword);
    // Reload unconditionally (§4.3): a few cycles, and never a stale key from another context.
    isa_.reload_key();
    stats_.add(Stat::Instructions);
    if (int rc = count_fault(isa_.xcrypt(op, r)); rc != ACRYPTO_OK) return rc;
    // Driver contract (§3.4): the next IV is the 16 bytes at EAX_out, taken before the
    // buffers are touched again.
    if (op != XcryptOp::Ecb && r.rax != addr(s.iv))
        std::memmove(s.iv, reinterpret_cast<const void *>(r.rax), kBlock);
    return ACRYPTO_OK;
}

int AesEngine::span(XcryptOp op, const uint8_t *src, uint8_t *dst, uint64_t blocks, Scratch &s) {
    if (blocks == 0) return ACRYPTO_OK;
    const bool aligned =
        addr(src) % regs::OPERAND_ALIGN == 0 && addr(dst) % regs::OPERAND_ALIGN == 0;
    if (!aligned) {
        // Realign through the bounce buffer (§4.4), chained across chunks by the IV.
        stats_.add(Stat::BounceMisaligned);
        s.bounce_dirty = true;
        constexpr uint64_t kChunk = Scratch::kBounceBytes / kBlock;
        for (uint64_t done = 0; done < blocks;) {
            const uint64_t m = std::min(kChunk, blocks - done);
            std::memcpy(s.bounce, src + kBlock * done, kBlock * m);
            if (int rc = call(op, s.bounce, s.bounce, m, s); rc != ACRYPTO_OK) return rc;
            std::memcpy(dst + kBlock * done, s.bounce, kBlock * m);
            done += m;
        }
        return ACRYPTO_OK;
    }
    // The engine may fetch up to kFetchBlocks-1 blocks past the end (§4.2). If that could
    // reach a new page, run the whole groups in place and the tail from the bounce buffer.
    const uint64_t tail = blocks % kFetchBlocks;
    const uintptr_t last = addr(src) + kBlock * blocks - 1;
    const uintptr_t fetch_last = last + kBlock * ((kFetchBlocks - tail) % kFetchBlocks);
    if (tail == 0 || last / regs::PAGE == fetch_last / regs::PAGE)
        return call(op, src, dst, blocks, s);
    stats_.add(Stat::BounceOverRead);
    const uint64_t main = blocks - tail;
    if (int rc = call(op, src, dst, main, s); rc != ACRYPTO_OK) return rc;
    s.bounce_dirty = true;
    std::memcpy(s.bounce, src + kBlock * main, kBlock * tail);
    if (int rc = call(op, s.bounce, s.bounce, tail, s); rc != ACRYPTO_OK) return rc;
    std::memcpy(dst + kBlock * main, s.bounce, kBlock * tail);
    return ACRYPTO_OK;
}

int AesEngine::encrypt_block(const uint8_t in[16], uint8_t out[16], Scratch &s) {
    // One forward ECB block (keystream for CFB/OFB/CTR tails). The direction bit differs
    // from a CFB-decrypt control word, so switch it; call() reloads the key anyway (§3.6).
    std::memcpy(s.blk_in, in, kBlock);
    std::memcpy(s.cword, &s.cword_enc, sizeof s.cword_enc);
    const int rc = call(XcryptOp::Ecb, s.blk_in, s.blk_out, 1, s);
    std::memcpy(s.cword, &s.cword_main, sizeof s.cword_main);
    std::memcpy(out, s.blk_out, kBlock);
    return rc;
}

int AesEngine::ctr_blocks(const uint8_t *src, uint8_t *dst, uint64_t blocks, Scratch &s) {
    if (f_.ace2 && !f_.ctr_erratum) {
        // ACE2 counts only bytes 14-15 and does not carry (§3.5): never cross 2^16 in one call.
        while (blocks > 0) {
            const uint64_t ctr16 = uint64_t(s.iv[14]) << 8 | s.iv[15];
            const uint64_t room = 0x10000 - ctr16;
            const uint64_t m = std::min(blocks, room);
            if (m < blocks) stats_.add(Stat::CtrSplits);
            if (int rc = span(XcryptOp::Ctr, src, dst, m, s); rc != ACRYPTO_OK) return rc;
            if (m == room) ctr_carry_high(s.iv);
            src += kBlock * m;
            dst += kBlock * m;
            blocks -= m;
        }
        return ACRYPTO_OK;
    }
    // No ACE2, or the C7 CTR erratum: counter blocks encrypted with ECB in the bounce buffer.
    stats_.add(Stat::CtrSoftware, blocks);
    s.bounce_dirty = true;
    std::memcpy(s.cword, &s.cword_enc, sizeof s.cword_enc);
    constexpr uint64_t kChunk = Scratch::kBounceBytes / kBlock;
    while (blocks > 0) {
        const uint64_t m = std::min(kChunk, blocks);
        for (uint64_t i = 0; i < m; ++i) {
            std::memcpy(s.bounce + kBlock * i, s.iv, kBlock);
            ctr_add1(s.iv);
        }
        if (int rc = call(XcryptOp::Ecb, s.bounce, s.bounce, m, s); rc != ACRYPTO_OK) return rc;
        for (uint64_t i = 0; i < kBlock * m; ++i)
            dst[i] = static_cast<uint8_t>(src[i] ^ s.bounce[i]);
        src += kBlock * m;
        dst += kBlock * m;
        blocks -= m;
    }
    std::memcpy(s.cword, &s.cword_main, sizeof s.cword_main);
    return ACRYPTO_OK;
}

int AesEngine::run(acrypto_step &st, Scratch &s) {
    if (st.op != ACRYPTO_OP_CIPHER || st.alg != ACRYPTO_ALG_AES || !supports(st.mode))
        return ACRYPTO_E_UNSUPPORTED;
    if (!st.key || !st.key->data || aes_rounds(st.key->len) == 0) return ACRYPTO_E_INVALID;
    if (st.dir != ACRYPTO_DIR_ENCRYPT && st.dir != ACRYPTO_DIR_DECRYPT) return ACRYPTO_E_INVALID;
    if (st.dst_len < st.src_len || (st.src_len > 0 && (!st.src || !st.dst)))
        return ACRYPTO_E_INVALID;
    if (overlaps_partially(st.src, st.dst, st.src_len)) return ACRYPTO_E_INVALID;
    const bool block_mode = st.mode == ACRYPTO_MODE_ECB || st.mode == ACRYPTO_MODE_CBC;
    if (block_mode && (st.src_len % kBlock != 0 || st.num != 0)) return ACRYPTO_E_INVALID;
    if (st.mode != ACRYPTO_MODE_ECB && st.iv_len != kBlock) return ACRYPTO_E_INVALID;
    if (st.num >= kBlock) return ACRYPTO_E_INVALID;

    const bool dec = st.dir == ACRYPTO_DIR_DECRYPT;
    const uint8_t *src = st.src;
    uint8_t *dst = st.dst;
    size_t len = st.src_len;
    st.out_len = 0;
    if (len == 0) return ACRYPTO_OK;
    // Direction bit per mode (§3.3): ECB/CBC/CFB follow the step; OFB and CTR always 0.
    const bool dir_bit = dec && (block_mode || st.mode == ACRYPTO_MODE_CFB);
    load_key(st, dir_bit, dec && block_mode, s);
    if (st.mode != ACRYPTO_MODE_ECB) std::memcpy(s.iv, st.iv, kBlock);

    int rc = ACRYPTO_OK;
    uint32_t num = st.num;
    switch (st.mode) {
    case ACRYPTO_MODE_ECB: rc = span(XcryptOp::Ecb, src, dst, len / kBlock, s); break;
    case ACRYPTO_MODE_CBC: rc = span(XcryptOp::Cbc, src, dst, len / kBlock, s); break;
    case ACRYPTO_MODE_CFB:
    case ACRYPTO_MODE_OFB: {
        const bool cfb = st.mode == ACRYPTO_MODE_CFB;
        // s.iv is OpenSSL's register: CFB holds ciphertext for the used bytes and keystream
        // for the rest; OFB holds the keystream block.
        while (num != 0 && len > 0) {
            const uint8_t c = *src++;
            const uint8_t o = static_cast<uint8_t>(s.iv[num] ^ c);
            *dst++ = o;
            if (cfb) s.iv[num] = dec ? c : o;
            num = (num + 1) % kBlock;
            --len;
        }
        const uint64_t blocks = len / kBlock;
        rc = span(cfb ? XcryptOp::Cfb : XcryptOp::Ofb, src, dst, blocks, s);
        src += kBlock * blocks;
        dst += kBlock * blocks;
        len -= kBlock * blocks;
        if (rc == ACRYPTO_OK && len > 0) {
            rc = encrypt_block(s.iv, s.iv, s);
            for (size_t i = 0; rc == ACRYPTO_OK && i < len; ++i) {
                const uint8_t c = src[i];
                const uint8_t o = static_cast<uint8_t>(s.iv[i] ^ c);
                dst[i] = o;
                if (cfb) s.iv[i] = dec ? c : o;
            }
            num = static_cast<uint32_t>(len);
        }
        break;
    }
    case ACRYPTO_MODE_CTR: {
        uint8_t ks[16];
        if (num != 0) {
            // The keystream block in use is E(counter - 1) (OpenSSL ctr128 semantics).
            uint8_t prev[16];
            std::memcpy(prev, s.iv, kBlock);
            ctr_sub1(prev);
            rc = encrypt_block(prev, ks, s);
            while (rc == ACRYPTO_OK && num != 0 && len > 0) {
                *dst++ = static_cast<uint8_t>(*src++ ^ ks[num]);
                num = (num + 1) % kBlock;
                --len;
            }
            secure_wipe(prev, sizeof prev);
        }
        const uint64_t blocks = len / kBlock;
        if (rc == ACRYPTO_OK) rc = ctr_blocks(src, dst, blocks, s);
        src += kBlock * blocks;
        dst += kBlock * blocks;
        len -= kBlock * blocks;
        if (rc == ACRYPTO_OK && len > 0) {
            rc = encrypt_block(s.iv, ks, s);
            ctr_add1(s.iv);
            for (size_t i = 0; i < len; ++i) dst[i] = static_cast<uint8_t>(src[i] ^ ks[i]);
            num = static_cast<uint32_t>(len);
        }
        secure_wipe(ks, sizeof ks);
        break;
    }
    default: rc = ACRYPTO_E_UNSUPPORTED; break;
    }
    if (rc != ACRYPTO_OK) return rc;
    if (st.mode != ACRYPTO_MODE_ECB) std::memcpy(st.iv, s.iv, kBlock);
    st.num = num;
    st.out_len = st.src_len;
    stats_.add(Stat::BytesCipher, st.src_len);
    return ACRYPTO_OK;
}

} // namespace acrypto::hw::padlock
