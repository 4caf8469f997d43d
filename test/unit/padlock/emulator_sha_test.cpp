// SPDX-License-Identifier: Apache-2.0
// Emulator xsha: spec §9.2 known answers 11-16, EAX modes, quirks, scratch overwrite detection.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

namespace acrypto::hw::padlock {
namespace {

using emu::Emulator;
using emu::FaultCause;
using emu::Profile;
using test::hex;

/// Digest bytes from the little-endian state words at EDI (§5.1).
std::string digest_of(const uint8_t *state, size_t words, size_t word_bytes) {
    std::string out;
    for (size_t i = 0; i < words; ++i)
        for (size_t j = word_bytes; j-- > 0;) out += hex(state + i * word_bytes + j, 1);
    return out;
}

struct ShaBench {
    alignas(16) uint8_t state[128] = {};
    alignas(16) uint8_t msg[512] = {};
};

class EmuSha : public ::testing::TestWithParam<Profile> {
  protected:
    /// One-shot (EAX=0) hash of `m`.
    std::string oneshot(Emulator &e, ShaOp op, const std::string &m) {
        ShaBench &b = b_;
        std::memcpy(b.msg, m.data(), m.size());
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b.msg);
        r.rdi = reinterpret_cast<uint64_t>(b.state);
        r.rcx = m.size();
        r.rax = 0;
        last_ = e.xsha(op, r);
        return digest_of(b.state, op == ShaOp::Sha1 ? 5 : 8, 4);
    }
    ShaBench b_;
    Fault last_ = Fault::None;
};

TEST(EmuSha, OneShotKnownAnswersOnVia) {
    auto o = test::strict_options(Profile::C7);
    Emulator e(o);
    ShaBench b;
    e.guard().add_region(&b, sizeof b);
    auto run = [&](ShaOp op, const std::string &m) {
        std::memcpy(b.msg, m.data(), m.size());
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b.msg);
        r.rdi = reinterpret_cast<uint64_t>(b.state);
        r.rcx = m.size();
        r.rax = 0;
        EXPECT_EQ(e.xsha(op, r), Fault::None);
        EXPECT_EQ(r.rsi, reinterpret_cast<uint64_t>(b.msg) + m.size());
        EXPECT_NE(r.rdi, reinterpret_cast<uint64_t>(b.state)) << "EDI poisoned";
        return digest_of(b.state, op == ShaOp::Sha1 ? 5 : 8, 4);
    };
    const std::string abc56 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    EXPECT_EQ(run(ShaOp::Sha1, ""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(run(ShaOp::Sha256, ""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(run(ShaOp::Sha1, "abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(run(ShaOp::Sha256, "abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(run(ShaOp::Sha1, abc56), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    EXPECT_EQ(run(ShaOp::Sha256, abc56),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(EmuSha, C7FaultsOnBlockMode) {
    Emulator e(test::strict_options(Profile::C7));
    ShaBench b;
    e.guard().add_region(&b, sizeof b);
    Regs r;
    r.rsi = reinterpret_cast<uint64_t>(b.msg);
    r.rdi = reinterpret_cast<uint64_t>(b.state);
    r.rcx = 1;
    r.rax = ~0ull;
    EXPECT_EQ(e.xsha(ShaOp::Sha256, r), Fault::GeneralProtection);
    EXPECT_EQ(e.last_fault().cause, FaultCause::PheBlockMode);
}

/// Loads the SHA-1/SHA-256 IV as little-endian words.
void load_iv(ShaOp op, uint8_t *state) {
    static const uint32_t sha1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    static const uint32_t sha256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    if (op == ShaOp::Sha1)
        std::memcpy(state, sha1, sizeof sha1);
    else
        std::memcpy(state, sha256, sizeof sha256);
}

TEST_P(EmuSha, BlockModeZeroBlockStateWords) {
    Emulator e(test::strict_options(GetParam()));
    if (!e.features().phe_block_mode) GTEST_SKIP() << "no EAX=-1 block mode on this core";
    e.guard().add_region(&b_, sizeof b_);
    for (ShaOp op : {ShaOp::Sha1, ShaOp::Sha256}) {
        load_iv(op, b_.state);
        std::memset(b_.msg, 0, 64);
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b_.msg);
        r.rdi = reinterpret_cast<uint64_t>(b_.state);
        r.rcx = 1;
        r.rax = ~0ull;
        ASSERT_EQ(e.xsha(op, r), Fault::None);
        EXPECT_EQ(r.rsi, reinterpret_cast<uint64_t>(b_.msg) + 64);
        uint32_t w[8];
        std::memcpy(w, b_.state, sizeof w);
        char buf[80];
        if (op == ShaOp::Sha1) {
            snprintf(buf, sizeof buf, "%08x %08x %08x %08x %08x", w[0], w[1], w[2], w[3], w[4]);
            EXPECT_STREQ(buf, "92b404e5 56588ced 6c1acd4e bf053f68 09f73a93");
            EXPECT_EQ(hex(b_.state, 4), "e504b492");
        } else {
            snprintf(buf, sizeof buf, "%08x %08x %08x %08x %08x %08x %08x %08x", w[0], w[1], w[2],
                     w[3], w[4], w[5], w[6], w[7]);
            EXPECT_STREQ(buf, "da5698be 17b9b469 62335799 779fbeca 8ce5d491 c0d26243 bafef9ea "
                              "1837a9d8");
        }
    }
}

TEST_P(EmuSha, BlocksThenFinish) {
    Emulator e(test::strict_options(GetParam()));
    if (!e.features().phe_block_mode) GTEST_SKIP() << "no EAX=-1 block mode on this core";
    const bool zhaoxin = e.features().phe_ecx0_noop;
    e.guard().add_region(&b_, sizeof b_);
    for (ShaOp op : {ShaOp::Sha1, ShaOp::Sha256}) {
        load_iv(op, b_.state);
        std::memset(b_.msg, 'a', 64);
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b_.msg);
        r.rdi = reinterpret_cast<uint64_t>(b_.state);
        r.rcx = 1;
        r.rax = ~0ull;
        ASSERT_EQ(e.xsha(op, r), Fault::None);
        if (op == ShaOp::Sha256) {
            uint32_t w[8];
            std::memcpy(w, b_.state, sizeof w);
            char buf[80];
            snprintf(buf, sizeof buf, "%08x %08x %08x %08x %08x %08x %08x %08x", w[0], w[1], w[2],
                     w[3], w[4], w[5], w[6], w[7]);
            EXPECT_STREQ(buf, "df5bb81c e81e0626 fb45a894 4fd40f31 b25e6816 d6d499c1 ab904929 "
                              "00635e66");
        }
        r = Regs{};
        r.rsi = reinterpret_cast<uint64_t>(b_.msg + 64);
        r.rdi = reinterpret_cast<uint64_t>(b_.state);
        if (!zhaoxin) {
            r.rax = 64; // finish with no new data: engine pads with the total length
            r.rcx = 64;
        } else {
            // Zhaoxin: ECX=EAX would be hashed, but software pads: one pad block, EAX=-1.
            std::memset(b_.msg + 64, 0, 64);
            b_.msg[64] = 0x80;
            b_.msg[64 + 62] = 0x02; // 512 bits
            r.rax = ~0ull;
            r.rcx = 1;
        }
        ASSERT_EQ(e.xsha(op, r), Fault::None);
        EXPECT_EQ(digest_of(b_.state, op == ShaOp::Sha1 ? 5 : 8, 4),
                  op == ShaOp::Sha1
                      ? "0098ba824b5c16427bd7a1122a5a442a25ec644d"
                      : "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
    }
}

TEST_P(EmuSha, InterruptedHashingGivesIdenticalState) {
    std::string m(300, 'x');
    for (size_t i = 0; i < m.size(); ++i) m[i] = static_cast<char>('a' + i % 26);
    auto o = test::strict_options(GetParam());
    Emulator plain(o);
    plain.guard().add_region(&b_, sizeof b_);
    o.interrupt_every = 1;
    o.guard = std::make_shared<emu::MemoryGuard>(emu::GuardPolicy::RegionsOnly);
    Emulator cut(o);
    cut.guard().add_region(&b_, sizeof b_);
    const bool block = plain.features().phe_block_mode;
    for (ShaOp op : {ShaOp::Sha1, ShaOp::Sha256}) {
        std::string want, got;
        for (Emulator *e : {&plain, &cut}) {
            Regs r;
            load_iv(op, b_.state);
            std::memcpy(b_.msg, m.data(), m.size());
            r.rsi = reinterpret_cast<uint64_t>(b_.msg);
            r.rdi = reinterpret_cast<uint64_t>(b_.state);
            if (block) {
                r.rax = ~0ull;
                r.rcx = m.size() / 64;
            } else {
                r.rax = 0;
                r.rcx = m.size();
            }
            ASSERT_EQ(e->xsha(op, r), Fault::None);
            (e == &plain ? want : got) = hex(b_.state, op == ShaOp::Sha1 ? 20 : 32);
        }
        EXPECT_EQ(got, want);
    }
    EXPECT_GT(cut.restarts(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Cores, EmuSha,
                         ::testing::Values(Profile::C7, Profile::Nano, Profile::ZhaoxinF7),
                         [](const auto &info) {
                             std::string n = emu::profile_name(info.param);
                             for (auto &c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(EmuShaQuirks, ZhaoxinEcxZeroIsNoOpViaGivesEmptyDigest) {
    for (Profile p : {Profile::ZhaoxinF7, Profile::Nano}) {
        Emulator e(test::strict_options(p));
        ShaBench b;
        e.guard().add_region(&b, sizeof b);
        std::memset(b.state, 0x11, sizeof b.state);
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b.msg);
        r.rdi = reinterpret_cast<uint64_t>(b.state);
        r.rcx = 0;
        r.rax = 0;
        ASSERT_EQ(e.xsha(ShaOp::Sha1, r), Fault::None);
        if (p == Profile::ZhaoxinF7)
            EXPECT_EQ(hex(b.state, 20), std::string(40, '1')) << "untouched";
        else
            EXPECT_EQ(digest_of(b.state, 5, 4), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    }
}

TEST(EmuShaQuirks, SmallStateBufferOverwriteIsDetected) {
    for (size_t size : {20u, 32u}) {
        Emulator e(test::strict_options(Profile::Nano));
        ShaBench b;
        e.guard().add_region(b.state, size);
        e.guard().add_region(b.msg, sizeof b.msg);
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b.msg);
        r.rdi = reinterpret_cast<uint64_t>(b.state);
        r.rcx = 3;
        r.rax = 0;
        EXPECT_EQ(e.xsha(ShaOp::Sha1, r), Fault::PageFault) << size;
        EXPECT_EQ(e.last_fault().cause, FaultCause::OutOfBounds);
    }
    // Without the scratch scribble a VIA xsha1 writes exactly 20 bytes; Zhaoxin writes 32.
    for (Profile p : {Profile::Nano, Profile::ZhaoxinF7}) {
        auto o = test::strict_options(p);
        o.phe_scribble = false;
        Emulator e(o);
        ShaBench b;
        e.guard().add_region(b.state, 20);
        e.guard().add_region(b.msg, sizeof b.msg);
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b.msg);
        r.rdi = reinterpret_cast<uint64_t>(b.state);
        r.rcx = 3;
        r.rax = ~0ull;
        r.rcx = 1;
        EXPECT_EQ(e.xsha(ShaOp::Sha1, r), p == Profile::Nano ? Fault::None : Fault::PageFault);
    }
}

TEST(EmuShaQuirks, BadFinishCountFaults) {
    Emulator e(test::strict_options(Profile::C7));
    ShaBench b;
    e.guard().add_region(&b, sizeof b);
    Regs r;
    r.rsi = reinterpret_cast<uint64_t>(b.msg);
    r.rdi = reinterpret_cast<uint64_t>(b.state);
    r.rax = 10; // not a multiple of 64
    r.rcx = 20;
    EXPECT_EQ(e.xsha(ShaOp::Sha256, r), Fault::GeneralProtection);
    EXPECT_EQ(e.last_fault().cause, FaultCause::PheBadCount);
    r.rdi += 4;
    r.rax = 0;
    EXPECT_EQ(e.xsha(ShaOp::Sha256, r), Fault::GeneralProtection);
    EXPECT_EQ(e.last_fault().cause, FaultCause::Misaligned);
}

TEST(EmuShaPhe2, Sha512AndSha384Abc) {
    Emulator e(test::strict_options(Profile::ZhaoxinF7));
    ShaBench b;
    e.guard().add_region(&b, sizeof b);
    static const uint64_t iv512[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                      0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                      0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};
    static const uint64_t iv384[8] = {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17,
                                      0x152fecd8f70e5939, 0x67332667ffc00b31, 0x8eb44a8768581511,
                                      0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4};
    for (ShaOp op : {ShaOp::Sha512, ShaOp::Sha384}) {
        std::memcpy(b.state, op == ShaOp::Sha512 ? iv512 : iv384, 64);
        std::memset(b.msg, 0, 128);
        std::memcpy(b.msg, "abc", 3);
        b.msg[3] = 0x80;
        b.msg[127] = 24; // bit length
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(b.msg);
        r.rdi = reinterpret_cast<uint64_t>(b.state);
        r.rcx = 1;
        ASSERT_EQ(e.xsha(op, r), Fault::None);
        const std::string d = digest_of(b.state, op == ShaOp::Sha512 ? 8 : 6, 8);
        EXPECT_EQ(d, op == ShaOp::Sha512
                         ? "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                           "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
                         : "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                           "8086072ba1e7cc2358baeca134c825a7");
    }
}

} // namespace
} // namespace acrypto::hw::padlock
