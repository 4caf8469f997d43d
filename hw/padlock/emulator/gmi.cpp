// SPDX-License-Identifier: Apache-2.0
// GMI SM4 and SM3 emulation (spec §8, §9.1 item 11): SM4 through libcrypto, SM3 block
// compression written out because libcrypto does not expose it with a caller's state.
#include "gmi.hpp"

#include <cstring>
#include <limits>

#include <openssl/crypto.h>
#include <openssl/err.h>

namespace acrypto::hw::padlock::emu {

namespace {

// GMI SM4 control value in EAX (§8): bit 0 direction, bits 5:1 function (0x10 = SM4),
// one-hot mode in bits 10:6, bit 11 digest = 0.
constexpr uint32_t kSm4Decrypt = 1u << 0;
constexpr uint32_t kSm4Function = 0x10u << 1;
constexpr uint32_t kSm4FunctionMask = 0x1Fu << 1;
constexpr uint32_t kSm4Ecb = 0x40, kSm4Cbc = 0x80, kSm4Cfb = 0x100, kSm4Ofb = 0x200,
                   kSm4Ctr = 0x400;
constexpr uint32_t kSm4ModeMask = 0x7C0;
constexpr uint64_t kSm3Control = 0x20; // EBX for sm3

constexpr uint32_t rotl(uint32_t x, int n) { return n == 0 ? x : (x << n) | (x >> (32 - n)); }
uint32_t be32(const uint8_t *p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
void put_be32(uint8_t *p, uint32_t v) {
    p[0] = uint8_t(v >> 24), p[1] = uint8_t(v >> 16), p[2] = uint8_t(v >> 8), p[3] = uint8_t(v);
}

/// SM3 compression function (GB/T 32905-2016 §5.3).
void sm3_compress(uint32_t v[8], const uint8_t *b) {
    uint32_t w[68], w1[64];
    for (int j = 0; j < 16; ++j) w[j] = be32(b + 4 * j);
    auto p0 = [](uint32_t x) { return x ^ rotl(x, 9) ^ rotl(x, 17); };
    auto p1 = [](uint32_t x) { return x ^ rotl(x, 15) ^ rotl(x, 23); };
    for (int j = 16; j < 68; ++j)
        w[j] = p1(w[j - 16] ^ w[j - 9] ^ rotl(w[j - 3], 15)) ^ rotl(w[j - 13], 7) ^ w[j - 6];
    for (int j = 0; j < 64; ++j) w1[j] = w[j] ^ w[j + 4];
    uint32_t a = v[0], bb = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
    for (int j = 0; j < 64; ++j) {
        const uint32_t t = j < 16 ? 0x79cc4519u : 0x7a879d8au;
        const uint32_t ss1 = rotl(rotl(a, 12) + e + rotl(t, j % 32), 7);
        const uint32_t ss2 = ss1 ^ rotl(a, 12);
        const uint32_t ff = j < 16 ? a ^ bb ^ c : (a & bb) | (a & c) | (bb & c);
        const uint32_t gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
        const uint32_t tt1 = ff + d + ss2 + w1[j];
        const uint32_t tt2 = gg + h + ss1 + w[j];
        d = c;
        c = rotl(bb, 9);
        bb = a;
        a = tt1;
        h = g;
        g = rotl(f, 19);
        f = e;
        e = p0(tt2);
    }
    v[0] ^= a, v[1] ^= bb, v[2] ^= c, v[3] ^= d, v[4] ^= e, v[5] ^= f, v[6] ^= g, v[7] ^= h;
    OPENSSL_cleanse(w, sizeof w);
    OPENSSL_cleanse(w1, sizeof w1);
}

} // namespace

Emulator::Gmi::Gmi() {
    libctx = OSSL_LIB_CTX_new();
    if (libctx) prov = OSSL_PROVIDER_load(libctx, "default");
    if (prov) {
        sm4_ecb = EVP_CIPHER_fetch(libctx, "SM4-ECB", nullptr);
        sm3 = EVP_MD_fetch(libctx, "SM3", nullptr);
    }
    ERR_clear_error();
}

Emulator::Gmi::~Gmi() {
    EVP_CIPHER_free(sm4_ecb);
    EVP_MD_free(sm3);
    if (prov) OSSL_PROVIDER_unload(prov);
    OSSL_LIB_CTX_free(libctx);
}

Emulator::Gmi &Emulator::gmi() {
    std::call_once(gmi_once_, [this] { gmi_ = std::make_unique<Gmi>(); });
    return *gmi_;
}

Fault Emulator::ccs_encrypt(Regs &r) {
    if (!features_.ccs) return fault(Fault::InvalidOpcode, FaultCause::UnitAbsent);
    const uint32_t cw = static_cast<uint32_t>(r.rax);
    const uint32_t mode = cw & kSm4ModeMask;
    const bool one_hot = mode && !(mode & (mode - 1));
    if ((cw & kSm4FunctionMask) != kSm4Function || !one_hot || (cw & ~0x7FFu) || r.rax >> 32)
        return fault(Fault::GeneralProtection, FaultCause::ReservedBits);
    // Family-6 parts: drivers use ECB only; CTR/CFB/OFB are refused (§1.4, §9.1 item 11).
    if (features_.family == 6 && (mode & (kSm4Cfb | kSm4Ofb | kSm4Ctr)))
        return fault(Fault::GeneralProtection, FaultCause::GmiMode);
    const bool dec = cw & kSm4Decrypt;
    const uint64_t n = r.rcx;
    if (n == 0) {
        after_instruction();
        return Fault::None;
    }
    if (n > std::numeric_limits<uint64_t>::max() / 64)
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi);
    if (!check(r.rbx, 16, Access::Read, r.rbx, 16))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rbx);
    const bool uses_iv = mode != kSm4Ecb;
    if (uses_iv && !check(r.rdx, 16, Access::Write, r.rdx, 16))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdx);
    if (!check(r.rsi, 16 * n, Access::Read, r.rsi, 16 * n))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi);
    if (!check(r.rdi, 16 * n, Access::Write, r.rdi, 16 * n))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdi);
    Gmi &g = gmi();
    if (!g.sm4_ecb) return fault(Fault::InvalidOpcode, FaultCause::Unimplemented);

    // The block function: decryption only for ECB/CBC decrypt; the other modes use encryption.
    const bool inverse = dec && (mode == kSm4Ecb || mode == kSm4Cbc);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    uint8_t key[16];
    std::memcpy(key, reinterpret_cast<const void *>(r.rbx), 16);
    const bool ok =
        ctx && EVP_CipherInit_ex2(ctx, g.sm4_ecb, key, nullptr, inverse ? 0 : 1, nullptr) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    OPENSSL_cleanse(key, sizeof key);
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        ERR_clear_error();
        return fault(Fault::InvalidOpcode, FaultCause::Unimplemented);
    }
    auto block = [&](const uint8_t *in, uint8_t *out) {
        int outl = 0;
        EVP_CipherUpdate(ctx, out, &outl, in, 16);
    };
    uint8_t iv[16] = {}, in[16], out[16], tmp[16];
    if (uses_iv) std::memcpy(iv, reinterpret_cast<const void *>(r.rdx), 16);
    const auto *src = reinterpret_cast<const uint8_t *>(r.rsi);
    auto *dst = reinterpret_cast<uint8_t *>(r.rdi);
    for (uint64_t i = 0; i < n; ++i) {
        std::memcpy(in, src + 16 * i, 16);
        switch (mode) {
        case kSm4Ecb: block(in, out); break;
        case kSm4Cbc:
            if (dec) {
                block(in, tmp);
                for (int k = 0; k < 16; ++k) out[k] = uint8_t(tmp[k] ^ iv[k]);
                std::memcpy(iv, in, 16);
            } else {
                for (int k = 0; k < 16; ++k) tmp[k] = uint8_t(in[k] ^ iv[k]);
                block(tmp, out);
                std::memcpy(iv, out, 16);
            }
            break;
        case kSm4Cfb:
            block(iv, tmp);
            for (int k = 0; k < 16; ++k) out[k] = uint8_t(in[k] ^ tmp[k]);
            std::memcpy(iv, dec ? in : out, 16);
            break;
        case kSm4Ofb:
            block(iv, tmp);
            for (int k = 0; k < 16; ++k) out[k] = uint8_t(in[k] ^ tmp[k]);
            std::memcpy(iv, tmp, 16);
            break;
        case kSm4Ctr: {
            block(iv, tmp);
            for (int k = 0; k < 16; ++k) out[k] = uint8_t(in[k] ^ tmp[k]);
            // Same 16-bit big-endian counter without carry as ACE2 (§8).
            const uint16_t c = static_cast<uint16_t>((iv[14] << 8 | iv[15]) + 1);
            iv[14] = uint8_t(c >> 8);
            iv[15] = uint8_t(c);
            break;
        }
        }
        std::memcpy(dst + 16 * i, out, 16);
    }
    EVP_CIPHER_CTX_free(ctx);
    ERR_clear_error();
    if (uses_iv) std::memcpy(reinterpret_cast<void *>(r.rdx), iv, 16);
    r.rsi += 16 * n;
    r.rdi += 16 * n;
    r.rcx = 0;
    OPENSSL_cleanse(iv, sizeof iv);
    OPENSSL_cleanse(in, sizeof in);
    OPENSSL_cleanse(out, sizeof out);
    OPENSSL_cleanse(tmp, sizeof tmp);
    after_instruction();
    return Fault::None;
}

Fault Emulator::ccs_hash(Regs &r) {
    if (!features_.ccs) return fault(Fault::InvalidOpcode, FaultCause::UnitAbsent);
    if (r.rbx != kSm3Control) return fault(Fault::GeneralProtection, FaultCause::ReservedBits);
    const bool block_mode = r.rax == std::numeric_limits<uint64_t>::max();
    if (!block_mode && r.rax != 0) return fault(Fault::GeneralProtection, FaultCause::PheBadCount);
    const uint64_t n = r.rcx;
    const uint64_t bytes = block_mode ? 64 * n : n;
    if (n > std::numeric_limits<uint64_t>::max() / 64 ||
        !check(r.rsi, bytes, Access::Read, r.rsi, bytes))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rsi);
    if (!check(r.rdi, 32, Access::Write, r.rdi, 32))
        return fault(Fault::PageFault, FaultCause::OutOfBounds, r.rdi);
    const auto *src = reinterpret_cast<const uint8_t *>(r.rsi);
    auto *state = reinterpret_cast<uint8_t *>(r.rdi);
    if (block_mode) {
        // The state is big-endian, i.e. in digest byte order (§5.1).
        uint32_t v[8];
        for (int i = 0; i < 8; ++i) v[i] = be32(state + 4 * i);
        for (uint64_t i = 0; i < n; ++i) sm3_compress(v, src + 64 * i);
        for (int i = 0; i < 8; ++i) put_be32(state + 4 * i, v[i]);
        OPENSSL_cleanse(v, sizeof v);
    } else {
        Gmi &g = gmi();
        unsigned int len = 0;
        uint8_t md[32];
        if (!g.sm3 || EVP_Digest(src, bytes, md, &len, g.sm3, nullptr) != 1 || len != 32) {
            ERR_clear_error();
            return fault(Fault::InvalidOpcode, FaultCause::Unimplemented);
        }
        std::memcpy(state, md, 32);
    }
    r.rsi += bytes;
    r.rcx = 0;
    r.rax = 0xDEADBEEFBADC0DE5ull;
    after_instruction();
    return Fault::None;
}

} // namespace acrypto::hw::padlock::emu
