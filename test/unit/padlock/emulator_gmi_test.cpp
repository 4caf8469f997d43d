// SPDX-License-Identifier: Apache-2.0
// Emulator GMI (Zhaoxin): SM4 modes and SM3 forms, spec §9.2 test 17, family-6 restrictions.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include "test_util.hpp"

namespace acrypto::hw::padlock {
namespace {

using emu::Emulator;
using emu::FaultCause;
using emu::Profile;
using test::hex;
using test::unhex;

struct GmiBench {
    alignas(16) uint8_t key[16] = {};
    alignas(16) uint8_t iv[16] = {};
    alignas(16) uint8_t state[32] = {};
    alignas(16) uint8_t src[256] = {};
    alignas(16) uint8_t dst[256] = {};
};

constexpr uint8_t kSm4[] = {0xF3, 0x0F, 0xA7, 0xF0};
constexpr uint8_t kSm3[] = {0xF3, 0x0F, 0xA6, 0xE8};

Regs sm4_regs(GmiBench &b, uint32_t cw, size_t blocks) {
    Regs r;
    r.rsi = reinterpret_cast<uint64_t>(b.src);
    r.rdi = reinterpret_cast<uint64_t>(b.dst);
    r.rcx = blocks;
    r.rax = cw;
    r.rbx = reinterpret_cast<uint64_t>(b.key);
    r.rdx = reinterpret_cast<uint64_t>(b.iv);
    return r;
}

TEST(EmuGmi, Sm4EcbKnownAnswer) {
    Emulator e(test::strict_options(Profile::ZhaoxinF7));
    GmiBench b;
    e.guard().add_region(&b, sizeof b);
    const auto k = unhex("0123456789abcdeffedcba9876543210");
    std::memcpy(b.key, k.data(), 16);
    std::memcpy(b.src, k.data(), 16);
    Regs r = sm4_regs(b, 0x60, 1); // ECB encrypt (§8 example)
    ASSERT_EQ(e.execute(kSm4, r), Fault::None);
    EXPECT_EQ(hex(b.dst, 16), "681edf34d206965e86b3e94f536e4246");
    EXPECT_EQ(r.rcx, 0u);
    EXPECT_EQ(r.rsi, reinterpret_cast<uint64_t>(b.src) + 16);
    std::memcpy(b.src, b.dst, 16);
    r = sm4_regs(b, 0x61, 1);
    ASSERT_EQ(e.execute(kSm4, r), Fault::None);
    EXPECT_EQ(hex(b.dst, 16), hex(k));
}

TEST(EmuGmi, Sm4ModesMatchLibcrypto) {
    Emulator e(test::strict_options(Profile::ZhaoxinF7));
    GmiBench b;
    e.guard().add_region(&b, sizeof b);
    const auto key = unhex("000102030405060708090a0b0c0d0e0f");
    const auto iv = unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    struct Mode {
        uint32_t bit;
        const char *name;
    };
    for (Mode m : {Mode{0x80, "SM4-CBC"}, Mode{0x100, "SM4-CFB"}, Mode{0x200, "SM4-OFB"},
                   Mode{0x400, "SM4-CTR"}}) {
        for (int i = 0; i < 128; ++i) b.src[i] = static_cast<uint8_t>(i * 3);
        std::memcpy(b.key, key.data(), 16);
        std::memcpy(b.iv, iv.data(), 16);
        Regs r = sm4_regs(b, 0x20 | m.bit, 8);
        ASSERT_EQ(e.execute(kSm4, r), Fault::None) << m.name;
        EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, m.name, "provider=default");
        ASSERT_NE(c, nullptr) << m.name;
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        uint8_t want[128];
        int l = 0;
        ASSERT_EQ(EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr), 1);
        ASSERT_EQ(EVP_EncryptUpdate(ctx, want, &l, b.src, 128), 1);
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
        EXPECT_EQ(hex(b.dst, 128), hex(want, 128)) << m.name;
    }
}

TEST(EmuGmi, Sm4ControlAndFamilySixRestrictions) {
    Emulator f6(test::strict_options(Profile::ZhaoxinF6));
    GmiBench b;
    f6.guard().add_region(&b, sizeof b);
    Regs r = sm4_regs(b, 0x60, 1);
    EXPECT_EQ(f6.execute(kSm4, r), Fault::None) << "ECB is fine on family 6";
    for (uint32_t m : {0x100u, 0x200u, 0x400u}) {
        r = sm4_regs(b, 0x20 | m, 1);
        EXPECT_EQ(f6.execute(kSm4, r), Fault::GeneralProtection);
        EXPECT_EQ(f6.last_fault().cause, FaultCause::GmiMode);
    }
    r = sm4_regs(b, 0x20 | 0x40 | 0x80, 1); // two modes at once
    EXPECT_EQ(f6.execute(kSm4, r), Fault::GeneralProtection);
    r = sm4_regs(b, 0x40, 1); // function field not SM4
    EXPECT_EQ(f6.execute(kSm4, r), Fault::GeneralProtection);
    Emulator nano(test::strict_options(Profile::Nano));
    r = sm4_regs(b, 0x60, 1);
    EXPECT_EQ(nano.execute(kSm4, r), Fault::InvalidOpcode) << "no GMI on VIA";
}

TEST(EmuGmi, Sm3OneShotAndBlockMode) {
    Emulator e(test::strict_options(Profile::ZhaoxinF7));
    GmiBench b;
    e.guard().add_region(&b, sizeof b);
    std::memcpy(b.src, "abc", 3);
    Regs r;
    r.rsi = reinterpret_cast<uint64_t>(b.src);
    r.rdi = reinterpret_cast<uint64_t>(b.state);
    r.rcx = 3;
    r.rax = 0;
    r.rbx = 0x20;
    ASSERT_EQ(e.execute(kSm3, r), Fault::None);
    EXPECT_EQ(hex(b.state, 32), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    // Block mode from the IV over the software-padded block gives the same digest.
    const auto iv = unhex("7380166f4914b2b9172442d7da8a0600a96f30bc163138aae38dee4db0fb0e4e");
    std::memcpy(b.state, iv.data(), 32);
    std::memset(b.src, 0, 64);
    std::memcpy(b.src, "abc", 3);
    b.src[3] = 0x80;
    b.src[63] = 24;
    r.rsi = reinterpret_cast<uint64_t>(b.src);
    r.rdi = reinterpret_cast<uint64_t>(b.state);
    r.rcx = 1;
    r.rax = ~0ull;
    ASSERT_EQ(e.execute(kSm3, r), Fault::None);
    EXPECT_EQ(hex(b.state, 32), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    r.rbx = 0x10;
    EXPECT_EQ(e.execute(kSm3, r), Fault::GeneralProtection) << "EBX must be 0x20";
}

} // namespace
} // namespace acrypto::hw::padlock
