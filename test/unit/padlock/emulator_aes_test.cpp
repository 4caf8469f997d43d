// SPDX-License-Identifier: Apache-2.0
// Emulator xcrypt: spec §9.2 known answers 1-10, registers out, faults, over-read, key cache.
#include <gtest/gtest.h>

#include <pthread.h>

#include <thread>

#include "test_util.hpp"

namespace acrypto::hw::padlock {
namespace {

using emu::Emulator;
using emu::FaultCause;
using emu::Profile;
using test::hex;
using test::unhex;
using test::XcryptBench;

const auto kSpKey = unhex("2b7e151628aed2a6abf7158809cf4f3c");
const auto kSpPt = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                         "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");

class EmuAes : public ::testing::Test {
  protected:
    void SetUp() override { b_.register_with(emu_.guard()); }
    /// One raw call; returns the output bytes.
    std::vector<uint8_t> run(XcryptOp op, const std::vector<uint8_t> &key, bool dec,
                             const std::vector<uint8_t> &in, const std::vector<uint8_t> &iv = {},
                             bool keygen = true, Regs *out = nullptr) {
        const bool inverse = dec && (op == XcryptOp::Ecb || op == XcryptOp::Cbc);
        b_.set_key(key, dec, keygen, inverse);
        std::memcpy(b_.src, in.data(), in.size());
        if (!iv.empty()) std::memcpy(b_.iv, iv.data(), 16);
        Regs r = b_.regs(in.size() / 16);
        emu_.reload_key();
        last_ = emu_.xcrypt(op, r);
        if (out) *out = r;
        return {b_.dst, b_.dst + in.size()};
    }
    Emulator emu_{test::strict_options(Profile::Nano)};
    XcryptBench b_;
    Fault last_ = Fault::None;
};

TEST_F(EmuAes, Fips197AllKeySizes) {
    const auto pt = unhex("00112233445566778899aabbccddeeff");
    EXPECT_EQ(
        hex(run(XcryptOp::Ecb, unhex("000102030405060708090a0b0c0d0e0f"), false, pt, {}, false)),
        "69c4e0d86a7b0430d8cdb78070b4c55a");
    EXPECT_EQ(hex(run(XcryptOp::Ecb, unhex("000102030405060708090a0b0c0d0e0f1011121314151617"),
                      false, pt)),
              "dda97ca4864cdfe06eaf70a0ec0d7191");
    EXPECT_EQ(hex(run(XcryptOp::Ecb,
                      unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
                      false, pt)),
              "8ea2b7ca516745bfeafc49904b496089");
    // And back, through the decrypt schedule.
    EXPECT_EQ(hex(run(XcryptOp::Ecb,
                      unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"),
                      true, unhex("8ea2b7ca516745bfeafc49904b496089"))),
              hex(pt));
    EXPECT_EQ(last_, Fault::None);
}

TEST_F(EmuAes, Sp80038aModes) {
    const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
    EXPECT_EQ(hex(run(XcryptOp::Ecb, kSpKey, false, kSpPt, {}, false)),
              "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
              "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4");
    EXPECT_EQ(hex(run(XcryptOp::Cbc, kSpKey, false, kSpPt, iv, false)),
              "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
              "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
    EXPECT_EQ(hex(run(XcryptOp::Cfb, kSpKey, false, kSpPt, iv, false)),
              "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
              "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6");
    EXPECT_EQ(hex(run(XcryptOp::Ofb, kSpKey, false, kSpPt, iv, false)),
              "3b3fd92eb72dad20333449f8e83cfb4a7789508d16918f03f53c52dac54ed825"
              "9740051e9c5fecf64344f7a82260edcc304c6528f659c77866a510d9c1d6ae5e");
    EXPECT_EQ(hex(run(XcryptOp::Ctr, kSpKey, false, kSpPt,
                      unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"), false)),
              "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
              "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
}

TEST_F(EmuAes, DecryptModesInvertWithKeygenSchedules) {
    const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
    for (auto op : {XcryptOp::Ecb, XcryptOp::Cbc, XcryptOp::Cfb, XcryptOp::Ofb}) {
        const auto ct = run(op, kSpKey, false, kSpPt, iv, true);
        EXPECT_EQ(hex(run(op, kSpKey, op != XcryptOp::Ofb, ct, iv, true)), hex(kSpPt))
            << static_cast<int>(op);
    }
}

TEST_F(EmuAes, CtrWrapsWithoutCarry) {
    const std::vector<uint8_t> zero(32, 0);
    const auto out =
        run(XcryptOp::Ctr, kSpKey, false, zero, unhex("000102030405060708090a0b0c0dffff"), false);
    EXPECT_EQ(hex(out.data(), 16), "eeee4e328f3b6a994fd6619f94dcc26f");
    // Raw engine: counter ...0c0d0000, no carry into byte 13.
    EXPECT_EQ(hex(out.data() + 16, 16), "13d360fdf49567cfbe142ae5fc9033a6");
    EXPECT_EQ(hex(b_.iv, 16), "000102030405060708090a0b0c0d0001");
}

TEST_F(EmuAes, RegistersAfterCompletionStrictModel) {
    const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
    Regs r;
    run(XcryptOp::Cbc, kSpKey, false, kSpPt, iv, false, &r);
    const Regs in = b_.regs(4);
    EXPECT_EQ(r.rsi, in.rsi + 64);
    EXPECT_EQ(r.rdi, in.rdi + 64);
    EXPECT_EQ(r.rcx, 0u);
    EXPECT_EQ(r.rbx, in.rbx);
    EXPECT_EQ(r.rdx, in.rdx);
    EXPECT_EQ(r.rax, in.rdi + 48) << "CBC encrypt: EAX = last output block";
    EXPECT_EQ(hex(b_.iv, 16), hex(iv)) << "strict: IV buffer untouched on CBC encrypt";

    const auto ct = unhex("7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                          "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
    run(XcryptOp::Cbc, kSpKey, true, ct, iv, true, &r);
    EXPECT_EQ(r.rax, in.rax) << "CBC decrypt: EAX unchanged";
    EXPECT_EQ(hex(b_.iv, 16), "3ff1caa1681fac09120eca307586e1a7") << "IV := last input block";

    run(XcryptOp::Ofb, kSpKey, false, kSpPt, iv, false, &r);
    EXPECT_EQ(r.rax, in.rax);
    // Last OFB keystream block = ciphertext ^ plaintext of block 4.
    EXPECT_EQ(hex(b_.iv, 16), "c6d3416d29165c6fcb8e51a227ba994e");

    run(XcryptOp::Ecb, kSpKey, false, kSpPt, {}, false, &r);
    EXPECT_EQ(r.rax, in.rax) << "ECB leaves EAX alone";
}

TEST_F(EmuAes, CompatModelAlsoWritesIvBuffer) {
    auto o = test::strict_options(Profile::Nano);
    o.iv_model = emu::IvModel::Compat;
    Emulator e(o);
    b_.register_with(e.guard());
    b_.set_key(kSpKey, false, false, false);
    std::memcpy(b_.src, kSpPt.data(), 64);
    const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
    std::memcpy(b_.iv, iv.data(), 16);
    Regs r = b_.regs(4);
    ASSERT_EQ(e.xcrypt(XcryptOp::Cbc, r), Fault::None);
    EXPECT_EQ(r.rax, reinterpret_cast<uint64_t>(b_.dst + 48));
    EXPECT_EQ(hex(b_.iv, 16), "3ff1caa1681fac09120eca307586e1a7");
}

TEST_F(EmuAes, InPlaceCbcDecryptAndChainedCallsMatchOneShot) {
    const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
    const auto ct = run(XcryptOp::Cbc, kSpKey, false, kSpPt, iv, false);
    // In place: src == dst.
    b_.set_key(kSpKey, true, true, true);
    std::memcpy(b_.src, ct.data(), 64);
    std::memcpy(b_.iv, iv.data(), 16);
    Regs r = b_.regs(4);
    r.rdi = r.rsi;
    emu_.reload_key();
    ASSERT_EQ(emu_.xcrypt(XcryptOp::Cbc, r), Fault::None);
    EXPECT_EQ(hex(b_.src, 64), hex(kSpPt));

    // Chained encrypt, one block per call, next IV from [EAX_out].
    for (auto op : {XcryptOp::Cbc, XcryptOp::Cfb, XcryptOp::Ofb, XcryptOp::Ctr}) {
        const auto one_shot = run(op, kSpKey, false, kSpPt, iv, false);
        b_.set_key(kSpKey, false, false, false);
        std::memcpy(b_.src, kSpPt.data(), 64);
        std::memcpy(b_.iv, iv.data(), 16);
        for (int blk = 0; blk < 4; ++blk) {
            Regs c = b_.regs(1);
            c.rsi += 16 * blk;
            c.rdi += 16 * blk;
            emu_.reload_key();
            ASSERT_EQ(emu_.xcrypt(op, c), Fault::None);
            std::memmove(b_.iv, reinterpret_cast<const void *>(c.rax), 16);
        }
        EXPECT_EQ(hex(b_.dst, 64), hex(one_shot)) << static_cast<int>(op);
    }
}

TEST_F(EmuAes, InterruptionAtEveryBlockBoundaryGivesIdenticalOutput) {
    const auto iv = unhex("000102030405060708090a0b0c0d0e0f");
    std::vector<uint8_t> pt(512);
    for (size_t i = 0; i < pt.size(); ++i) pt[i] = static_cast<uint8_t>(i * 13);
    for (auto op : {XcryptOp::Ecb, XcryptOp::Cbc, XcryptOp::Cfb, XcryptOp::Ofb, XcryptOp::Ctr}) {
        for (bool dec : {false, true}) {
            if (dec && (op == XcryptOp::Ofb || op == XcryptOp::Ctr)) continue;
            const auto ref = run(op, kSpKey, dec, pt, iv, true);
            for (uint32_t k : {1u, 2u, 3u, 7u}) {
                auto o = test::strict_options(Profile::Nano);
                o.interrupt_every = k;
                Emulator e(o);
                b_.register_with(e.guard());
                b_.set_key(kSpKey, dec, true, dec && (op == XcryptOp::Ecb || op == XcryptOp::Cbc));
                std::memcpy(b_.src, pt.data(), pt.size());
                std::memcpy(b_.iv, iv.data(), 16);
                Regs r = b_.regs(pt.size() / 16);
                ASSERT_EQ(e.xcrypt(op, r), Fault::None);
                EXPECT_EQ(hex(b_.dst, pt.size()), hex(ref))
                    << int(op) << " dec " << dec << " k " << k;
                // Interrupts fall between fetch groups of F blocks.
                const Features &f = e.features();
                const uint64_t fb = op == XcryptOp::Ecb   ? f.prefetch_ecb
                                    : op == XcryptOp::Cbc ? f.prefetch_cbc
                                    : op == XcryptOp::Ctr ? f.prefetch_ctr
                                                          : 1;
                const uint64_t step = (k + fb - 1) / fb * fb;
                EXPECT_EQ(e.restarts(), (pt.size() / 16 + step - 1) / step - 1);
                EXPECT_EQ(r.rcx, 0u);
            }
        }
    }
}

TEST_F(EmuAes, MisalignedOperandsFaultGp) {
    for (int field = 0; field < 5; ++field) {
        for (int mis = 1; mis < 16; ++mis) {
            b_.set_key(kSpKey, false, false, false);
            Regs r = b_.regs(1);
            uint64_t *p[] = {&r.rsi, &r.rdi, &r.rax, &r.rbx, &r.rdx};
            *p[field] += mis;
            emu_.reload_key();
            EXPECT_EQ(emu_.xcrypt(XcryptOp::Cbc, r), Fault::GeneralProtection) << field;
            EXPECT_EQ(emu_.last_fault().cause, FaultCause::Misaligned);
        }
    }
}

TEST_F(EmuAes, ControlWordChecks) {
    b_.set_key(kSpKey, false, false, false);
    Regs r = b_.regs(1);
    b_.cword[1] |= 0x10; // bit 12: reserved
    emu_.reload_key();
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::GeneralProtection);
    EXPECT_EQ(emu_.last_fault().cause, FaultCause::ReservedBits);
    b_.set_key(kSpKey, false, false, false);
    b_.cword[8] = 1; // upper 96 bits reserved
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::GeneralProtection);
    b_.set_key(kSpKey, false, false, false);
    b_.cword[0] = 12; // rounds 12 with a 128-bit key size
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::GeneralProtection);
    EXPECT_EQ(emu_.last_fault().cause, FaultCause::RoundsMismatch);
    b_.set_key(kSpKey, false, false, false);
    b_.cword[1] |= 0x01; // intermediate
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::GeneralProtection);
    EXPECT_EQ(emu_.last_fault().cause, FaultCause::IntermediateMode);
    // keygen=0 with a 256-bit key: Nehemiah erratum, flagged on every profile.
    b_.set_key(unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"), false,
               false, false);
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::GeneralProtection);
    EXPECT_EQ(emu_.last_fault().cause, FaultCause::HwKeygenWideKey);
    // A forward schedule handed to ECB decrypt is not an inverse schedule.
    b_.set_key(kSpKey, true, true, false);
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::GeneralProtection);
    EXPECT_EQ(emu_.last_fault().cause, FaultCause::BadSchedule);
}

TEST_F(EmuAes, EcxZeroIsNoOp) {
    b_.set_key(kSpKey, false, false, false);
    std::memset(b_.dst, 0x77, 16);
    Regs r = b_.regs(0);
    const Regs before = r;
    EXPECT_EQ(emu_.xcrypt(XcryptOp::Cbc, r), Fault::None);
    EXPECT_EQ(r.rsi, before.rsi);
    EXPECT_EQ(r.rax, before.rax);
    EXPECT_EQ(b_.dst[0], 0x77);
}

TEST_F(EmuAes, KeySwitchWithoutReloadUsesOldKeyStrict) {
    const auto pt = unhex("00112233445566778899aabbccddeeff");
    const auto k1 = unhex("000102030405060708090a0b0c0d0e0f");
    const auto k2 = unhex("ffeeddccbbaa99887766554433221100");
    const auto with_k1 = run(XcryptOp::Ecb, k1, false, pt, {}, false);
    EXPECT_TRUE(emu_.key_cached());
    // New key in memory, no reload: the cached key wins.
    b_.set_key(k2, false, false, false);
    Regs r = b_.regs(1);
    ASSERT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::None);
    EXPECT_EQ(hex(b_.dst, 16), hex(with_k1));
    // pushf/popf equivalent: reload picks up k2.
    emu_.reload_key();
    EXPECT_FALSE(emu_.key_cached());
    r = b_.regs(1);
    ASSERT_EQ(emu_.xcrypt(XcryptOp::Ecb, r), Fault::None);
    EXPECT_NE(hex(b_.dst, 16), hex(with_k1));
    EXPECT_EQ(hex(b_.dst, 16), hex(run(XcryptOp::Ecb, k2, false, pt, {}, false)));
}

TEST_F(EmuAes, LenientCacheReloadsWhenControlWordChanges) {
    auto o = test::strict_options(Profile::Nano);
    o.key_cache = emu::KeyCacheRule::Lenient;
    Emulator e(o);
    b_.register_with(e.guard());
    const auto k = unhex("000102030405060708090a0b0c0d0e0f");
    const auto pt = unhex("00112233445566778899aabbccddeeff");
    b_.set_key(k, false, false, false);
    std::memcpy(b_.src, pt.data(), 16);
    Regs r = b_.regs(1);
    ASSERT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::None);
    std::memcpy(b_.src, b_.dst, 16);
    b_.set_key(k, true, false, false); // direction bit changed, no reload
    r = b_.regs(1);
    ASSERT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::None);
    EXPECT_EQ(hex(b_.dst, 16), hex(pt));
}

TEST_F(EmuAes, AnotherEmulatorOnTheThreadEvictsTheCache) {
    const auto pt = unhex("00112233445566778899aabbccddeeff");
    run(XcryptOp::Ecb, unhex("000102030405060708090a0b0c0d0e0f"), false, pt, {}, false);
    EXPECT_TRUE(emu_.key_cached());
    Emulator other(test::strict_options(Profile::Nano));
    b_.register_with(other.guard());
    Regs r = b_.regs(1);
    ASSERT_EQ(other.xcrypt(XcryptOp::Ecb, r), Fault::None);
    EXPECT_FALSE(emu_.key_cached());
}

TEST_F(EmuAes, RandomContextSwitchesClearTheCache) {
    auto o = test::strict_options(Profile::Nano);
    o.context_switch_one_in = 2;
    Emulator e(o);
    b_.register_with(e.guard());
    b_.set_key(kSpKey, false, false, false);
    int cleared = 0;
    for (int i = 0; i < 64; ++i) {
        Regs r = b_.regs(1);
        ASSERT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::None);
        cleared += e.key_cached() ? 0 : 1;
    }
    EXPECT_GT(cleared, 0);
    EXPECT_LT(cleared, 64);
}

/// Whether the emulator had a key cached when a thread-exit handler looked (-1: not run).
int g_cached_at_exit = -1;
const Emulator *g_exit_emu = nullptr;
void look_at_exit(void *) { g_cached_at_exit = g_exit_emu->key_cached() ? 1 : 0; }

TEST_F(EmuAes, ThreadExitWipesTheCachedKeyBeforeExitHandlers) {
    // glibc runs pthread-key destructors after C++ thread-local destructors: code run
    // there (OpenSSL's thread-stop handlers) finds the thread's key wiped, not cached.
    pthread_key_t key;
    ASSERT_EQ(pthread_key_create(&key, look_at_exit), 0);
    g_exit_emu = &emu_;
    bool cached_in_thread = false;
    std::thread t([&] {
        run(XcryptOp::Ecb, unhex("000102030405060708090a0b0c0d0e0f"), false,
            unhex("00112233445566778899aabbccddeeff"), {}, false);
        cached_in_thread = emu_.key_cached();
        pthread_setspecific(key, &emu_);
    });
    t.join();
    pthread_key_delete(key);
    EXPECT_TRUE(cached_in_thread);
    EXPECT_EQ(g_cached_at_exit, 0);
}

TEST(EmuAesOverRead, OneBlockEcbBeforeGuardPageFaultsOnNanoStepping2) {
    test::GuardedPages pages;
    auto o = test::strict_options(Profile::NanoStepping2);
    o.guard = std::make_shared<emu::MemoryGuard>(emu::GuardPolicy::PageRule);
    Emulator e(o);
    XcryptBench b;
    e.note_memory(&b, sizeof b, MemoryNote::Owned);
    b.set_key(kSpKey, false, false, false);
    // Source: the last 16 bytes of the page; ECB fetches 8 blocks (128 bytes).
    uint8_t *src = pages.end() - 16;
    std::memcpy(src, kSpPt.data(), 16);
    Regs r = b.regs(1);
    r.rsi = reinterpret_cast<uint64_t>(src);
    EXPECT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::PageFault);
    EXPECT_EQ(e.last_fault().cause, FaultCause::OutOfBounds);
    EXPECT_EQ(e.last_fault().addr, reinterpret_cast<uint64_t>(pages.end()));
    // Eight blocks ending at the guard page: no over-read, fine.
    uint8_t *src8 = pages.end() - 128;
    r = b.regs(8);
    r.rsi = reinterpret_cast<uint64_t>(src8);
    EXPECT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::None);
    // CBC fetches 4 blocks: 3 blocks at the end over-read, 4 do not.
    b.set_key(kSpKey, false, false, false);
    r = b.regs(3);
    r.rsi = reinterpret_cast<uint64_t>(pages.end() - 48);
    e.reload_key();
    EXPECT_EQ(e.xcrypt(XcryptOp::Cbc, r), Fault::PageFault);
    r = b.regs(4);
    r.rsi = reinterpret_cast<uint64_t>(pages.end() - 64);
    EXPECT_EQ(e.xcrypt(XcryptOp::Cbc, r), Fault::None);
    e.note_memory(&b, sizeof b, MemoryNote::Released);
}

TEST(EmuAesOverRead, DefaultCoreFetchesTwoEcbBlocks) {
    test::GuardedPages pages;
    auto o = test::strict_options(Profile::Nano);
    o.guard = std::make_shared<emu::MemoryGuard>(emu::GuardPolicy::PageRule);
    Emulator e(o);
    XcryptBench b;
    e.note_memory(&b, sizeof b, MemoryNote::Owned);
    b.set_key(kSpKey, false, false, false);
    Regs r = b.regs(1);
    r.rsi = reinterpret_cast<uint64_t>(pages.end() - 16);
    EXPECT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::PageFault);
    r = b.regs(1);
    r.rsi = reinterpret_cast<uint64_t>(pages.end() - 32);
    EXPECT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::None);
    // Registered guard zone: even a same-page access is refused.
    e.guard().add_guard(pages.end() - 64, 32);
    r = b.regs(2);
    r.rsi = reinterpret_cast<uint64_t>(pages.end() - 64);
    EXPECT_EQ(e.xcrypt(XcryptOp::Ecb, r), Fault::PageFault);
}

TEST(EmuAesUnits, AbsentUnitsAndEncodingsRaiseUd) {
    Emulator c3(test::strict_options(Profile::C3Nehemiah));
    XcryptBench b;
    b.register_with(c3.guard());
    b.set_key(kSpKey, false, false, false);
    Regs r = b.regs(1);
    EXPECT_EQ(c3.xcrypt(XcryptOp::Ctr, r), Fault::InvalidOpcode) << "no ACE2 on Nehemiah";
    EXPECT_EQ(c3.xsha(ShaOp::Sha256, r), Fault::InvalidOpcode) << "no PHE on Nehemiah";
    EXPECT_EQ(c3.last_fault().cause, FaultCause::UnitAbsent);

    Emulator nano(test::strict_options(Profile::Nano));
    b.register_with(nano.guard());
    const uint8_t ecb_no_rep[] = {0x0F, 0xA7, 0xC8};
    const uint8_t ecb_repnz[] = {0xF2, 0x0F, 0xA7, 0xC8};
    const uint8_t ecb_rep[] = {0xF3, 0x0F, 0xA7, 0xC8};
    const uint8_t montmul[] = {0xF3, 0x0F, 0xA6, 0xC0};
    const uint8_t montmul67[] = {0xF3, 0x67, 0x0F, 0xA6, 0xC0};
    const uint8_t xrng2[] = {0xF3, 0x0F, 0xA7, 0xF8};
    const uint8_t sha512[] = {0xF3, 0x0F, 0xA6, 0xE0};
    r = b.regs(1);
    EXPECT_EQ(nano.execute(ecb_no_rep, r), Fault::InvalidOpcode);
    EXPECT_EQ(nano.execute(ecb_repnz, r), Fault::InvalidOpcode);
    EXPECT_EQ(nano.last_fault().cause, FaultCause::BadPrefix);
    EXPECT_EQ(nano.execute(montmul, r), Fault::InvalidOpcode);
    EXPECT_EQ(nano.last_fault().cause, FaultCause::Unimplemented);
    EXPECT_EQ(nano.execute(montmul67, r), Fault::InvalidOpcode);
    EXPECT_EQ(nano.execute(xrng2, r), Fault::InvalidOpcode);
    EXPECT_EQ(nano.execute(sha512, r), Fault::InvalidOpcode) << "PHE2 is Zhaoxin-only";
    EXPECT_EQ(nano.last_fault().cause, FaultCause::UnitAbsent);
    std::memcpy(b.src, kSpPt.data(), 16);
    r = b.regs(1);
    EXPECT_EQ(nano.execute(ecb_rep, r), Fault::None);
    EXPECT_EQ(hex(b.dst, 16), "3ad77bb40d7a3660a89ecaf32466ef97");
}

} // namespace
} // namespace acrypto::hw::padlock
