// SPDX-License-Identifier: Apache-2.0
// The padlock driver over the emulator: differential checks, bounce paths, CTR carry, digests.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "backend.hpp"
#include "device_harness.hpp"
#include "driver.hpp"
#include "emulator/profile.hpp"
#include "reference.hpp"
#include "regs.hpp"
#include "session_builder.hpp"
#include "test_util.hpp"

namespace acrypto::hw::padlock {
namespace {

using acrypto::test::BufferLayout;
using acrypto::test::Bytes;
using acrypto::test::DeviceHarness;
using acrypto::test::KvList;

constexpr uint32_t kEnc = ACRYPTO_DIR_ENCRYPT;
constexpr uint32_t kDec = ACRYPTO_DIR_DECRYPT;
constexpr uint32_t kModes[] = {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC, ACRYPTO_MODE_CFB,
                               ACRYPTO_MODE_OFB, ACRYPTO_MODE_CTR};

std::unique_ptr<DeviceHarness> open_emulator(const std::string &profile, KvList extra = {}) {
    KvList cfg = {{"backend", "emulator"}, {"profile", profile}, {"rng-seed", "7"}};
    cfg.insert(cfg.end(), extra.begin(), extra.end());
    std::string why;
    auto h = DeviceHarness::open(padlock_driver(), cfg, 0, &why);
    EXPECT_TRUE(h) << why;
    return h;
}

bool block_mode(uint32_t mode) { return mode == ACRYPTO_MODE_ECB || mode == ACRYPTO_MODE_CBC; }

Bytes iv16() { return acrypto::test::pattern_bytes(16, 99); }

// ------------------------------------------------------------------ configuration / probe

TEST(PadlockProbe, AbsentOnThisMachineUnlessEmulatorRequested) {
    const Features host = detect_features(NativeCpuid{});
    if (host.any()) GTEST_SKIP() << "this host has PadLock: " << host.describe();
    std::string why;
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {}, &why), 0);
    EXPECT_NE(why.find("backend=emulator"), std::string::npos) << why;
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"backend", "native"}}, &why), 0);
    EXPECT_NE(why.find("no usable PadLock unit"), std::string::npos) << why;
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"backend", "emulator"}}, &why), 1);
    EXPECT_NE(why.find("zhaoxin-f7"), std::string::npos) << why;
}

TEST(PadlockProbe, RejectsUnknownKeysAndBadValues) {
    std::string why;
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"colour", "blue"}}, &why), -1);
    EXPECT_NE(why.find("colour"), std::string::npos) << why;
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"backend", "fpga"}}, &why), -1);
    EXPECT_NE(why.find("backend"), std::string::npos) << why;
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"workers", "0"}}, &why), -1);
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"profile", "pentium"}}, &why), -1);
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"rng-fault", "sometimes"}}, &why), -1);
    EXPECT_EQ(DeviceHarness::probe(padlock_driver(), {{"rng-divisor", "4"}}, &why), -1);
    // Every declared key is accepted.
    const char *const *keys = padlock_driver()->config_keys;
    ASSERT_NE(keys, nullptr);
    int n = 0;
    for (; keys[n]; ++n) {}
    EXPECT_EQ(n, static_cast<int>(ConfigKey::Count));
}

TEST(PadlockBackend, RuleOverFabricatedCpus) {
    DriverConfig cfg;
    using namespace regs;
    const auto nano = emu::profile_cpuid(emu::Profile::Nano);
    const BackendChoice a = choose_backend(cfg, nano);
    EXPECT_TRUE(a.available);
    EXPECT_TRUE(a.native);
    const BackendChoice intel = choose_backend(cfg, emu::make_intel_cpuid());
    EXPECT_FALSE(intel.available);
    EXPECT_NE(intel.why.find("GenuineIntel"), std::string::npos) << intel.why;
    const BackendChoice off =
        choose_backend(cfg, emu::make_cpuid(true, 7, 0x3B, 0, EDX_ACE | EDX_PHE | EDX_RNG));
    EXPECT_FALSE(off.available);
    EXPECT_NE(off.why.find("present but not enabled: rng,ace,phe"), std::string::npos) << off.why;
    cfg.backend = BackendKind::Emulator;
    cfg.profile = emu::Profile::C7;
    const BackendChoice e = choose_backend(cfg, emu::make_intel_cpuid());
    EXPECT_TRUE(e.available);
    EXPECT_FALSE(e.native);
    EXPECT_TRUE(e.features.phe);
    EXPECT_FALSE(e.features.phe_block_mode);
}

TEST(PadlockDevice, DescriptorAndCapabilities) {
    auto h = open_emulator("zhaoxin-f7");
    ASSERT_TRUE(h);
    const auto &d = h->desc();
    EXPECT_STREQ(d.name, "padlock");
    EXPECT_TRUE(d.flags & ACRYPTO_DEV_F_ENTROPY);
    EXPECT_FALSE(d.flags & ACRYPTO_DEV_F_HARDWARE) << "emulator";
    bool ecb = false, sha512 = false;
    for (uint32_t i = 0; i < d.ncaps; ++i) {
        const auto &c = d.caps[i];
        if (c.op == ACRYPTO_OP_CIPHER && c.mode == ACRYPTO_MODE_ECB) {
            ecb = true;
            EXPECT_DOUBLE_EQ(c.bytes_per_sec, 1.83e9);
            EXPECT_DOUBLE_EQ(c.ops_per_sec, 66.9e6 / 16);
        }
        if (c.op == ACRYPTO_OP_CIPHER && c.mode == ACRYPTO_MODE_CBC) {
            EXPECT_DOUBLE_EQ(c.bytes_per_sec, 846e6);
            EXPECT_DOUBLE_EQ(c.ops_per_sec, 48.5e6 / 16);
        }
        sha512 = sha512 || (c.op == ACRYPTO_OP_DIGEST && c.alg == ACRYPTO_ALG_SHA512);
    }
    EXPECT_TRUE(ecb);
    EXPECT_TRUE(sha512);
    auto c3 = open_emulator("c3-nehemiah");
    ASSERT_TRUE(c3);
    for (uint32_t i = 0; i < c3->desc().ncaps; ++i)
        EXPECT_NE(c3->desc().caps[i].op, uint32_t(ACRYPTO_OP_DIGEST)) << "no PHE on Nehemiah";
}

TEST(PadlockDevice, SelfTestOnEveryProfile) {
    for (const char *p :
         {"c3-nehemiah", "c7", "nano", "nano-stepping-2", "zhaoxin-f6", "zhaoxin-f7"}) {
        auto h = open_emulator(p);
        ASSERT_TRUE(h);
        std::string why;
        EXPECT_EQ(h->self_test(&why), ACRYPTO_OK) << p << ": " << why;
    }
}

// ------------------------------------------------------------------ ciphers

class PadlockCipher : public ::testing::TestWithParam<const char *> {};

TEST_P(PadlockCipher, EveryModeKeySizeAndDirectionMatchesLibcrypto) {
    auto h = open_emulator(GetParam());
    ASSERT_TRUE(h);
    const Bytes iv = iv16();
    for (uint32_t mode : kModes)
        for (size_t klen : {16u, 24u, 32u})
            for (uint32_t dir : {kEnc, kDec})
                for (size_t len : {0u, 16u, 48u, 160u, 4096u + 80u, 13u, 1000u}) {
                    if (block_mode(mode) && len % 16) continue;
                    const Bytes key = acrypto::test::pattern_bytes(klen, klen + mode);
                    const Bytes in = acrypto::test::pattern_bytes(len, len + 3);
                    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv, in);
                    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK)
                        << GetParam() << " mode " << mode << " key " << klen << " len " << len;
                    acrypto::test::CipherState st;
                    const Bytes want = acrypto::test::reference_cipher(ACRYPTO_ALG_AES, mode, dir,
                                                                       key, iv, in, &st);
                    ASSERT_EQ(acrypto::test::to_hex(s->output()), acrypto::test::to_hex(want))
                        << GetParam() << " mode " << mode << " key " << klen << " dir " << dir
                        << " len " << len;
                    if (mode != ACRYPTO_MODE_ECB && len > 0) {
                        EXPECT_EQ(acrypto::test::to_hex({s->step().iv, 16}),
                                  acrypto::test::to_hex(st.iv))
                            << "chaining value, mode " << mode;
                        EXPECT_EQ(s->step().num, st.num);
                    }
                }
    EXPECT_EQ(h->stats()["fault_gp"] + h->stats()["fault_pf"] + h->stats()["fault_ud"], 0u);
}

TEST_P(PadlockCipher, MisalignedBuffersGoThroughTheBounceBuffer) {
    auto h = open_emulator(GetParam());
    ASSERT_TRUE(h);
    const Bytes key = acrypto::test::pattern_bytes(16, 5);
    const Bytes iv = iv16();
    const Bytes in = acrypto::test::pattern_bytes(64, 6);
    for (uint32_t mode : kModes)
        for (size_t off = 0; off < 16; ++off)
            for (bool in_place : {false, true}) {
                BufferLayout l;
                l.in_place = in_place;
                l.src_offset = off;
                l.dst_offset = (off * 7) % 16;
                auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, mode, kEnc, key, iv, in, l);
                ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK) << mode << " off " << off;
                EXPECT_EQ(acrypto::test::to_hex(s->output()),
                          acrypto::test::to_hex(acrypto::test::reference_cipher(
                              ACRYPTO_ALG_AES, mode, kEnc, key, iv, in)))
                    << "mode " << mode << " off " << off << " in place " << in_place;
            }
    EXPECT_GT(h->stats()["bounce_misaligned"], 0u);
}

TEST_P(PadlockCipher, StreamingChunksCarryIvAndNum) {
    auto h = open_emulator(GetParam());
    ASSERT_TRUE(h);
    const Bytes key = acrypto::test::pattern_bytes(32, 8);
    const Bytes iv = iv16();
    const Bytes msg = acrypto::test::pattern_bytes(704, 9); // whole blocks for CBC
    for (uint32_t mode : {ACRYPTO_MODE_CBC, ACRYPTO_MODE_CFB, ACRYPTO_MODE_OFB, ACRYPTO_MODE_CTR})
        for (uint32_t dir : {kEnc, kDec}) {
            const Bytes want =
                acrypto::test::reference_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv, msg);
            const size_t chunks[] = {7, 9, 16, 33, 1, 15, 64, 100};
            Bytes got;
            auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv, {});
            size_t off = 0;
            for (size_t i = 0; off < msg.size(); ++i) {
                size_t n = chunks[i % 8];
                if (block_mode(mode)) n = 16 * (n % 4 + 1);
                n = std::min(n, msg.size() - off);
                s->set_input(0, std::span(msg).subspan(off, n));
                ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
                const auto o = s->output();
                got.insert(got.end(), o.begin(), o.end());
                off += n;
            }
            EXPECT_EQ(acrypto::test::to_hex(got), acrypto::test::to_hex(want))
                << "mode " << mode << " dir " << dir;
        }
}

TEST_P(PadlockCipher, OverReadNearAGuardPageIsBounced) {
    auto h = open_emulator(GetParam());
    ASSERT_TRUE(h);
    test::GuardedPages src_pages, dst_pages;
    const Bytes key = acrypto::test::pattern_bytes(16, 11);
    const Bytes iv = iv16();
    for (uint32_t mode : kModes)
        for (size_t blocks : {1u, 3u, 9u, 15u}) {
            const size_t len = 16 * blocks;
            const Bytes in = acrypto::test::pattern_bytes(len, blocks);
            uint8_t *src = src_pages.end() - len; // ends exactly at the guard page
            uint8_t *dst = dst_pages.end() - len;
            std::memcpy(src, in.data(), len);
            acrypto::test::OwnedSession s;
            s.set_key(0, ACRYPTO_ALG_AES, key);
            acrypto_step &st = s.step();
            st.op = ACRYPTO_OP_CIPHER;
            st.alg = ACRYPTO_ALG_AES;
            st.mode = mode;
            st.dir = kEnc;
            std::memcpy(st.iv, iv.data(), 16);
            st.iv_len = 16;
            st.src = src;
            st.src_len = len;
            st.dst = dst;
            st.dst_len = len;
            ASSERT_EQ(h->run(*s.get()), ACRYPTO_OK) << "mode " << mode << " blocks " << blocks;
            EXPECT_EQ(acrypto::test::to_hex({dst, len}),
                      acrypto::test::to_hex(acrypto::test::reference_cipher(ACRYPTO_ALG_AES, mode,
                                                                            kEnc, key, iv, in)));
        }
    EXPECT_GT(h->stats()["bounce_overread"], 0u);
    EXPECT_EQ(h->stats()["fault_pf"], 0u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, PadlockCipher,
                         ::testing::Values("c3-nehemiah", "c7", "nano", "nano-stepping-2",
                                           "zhaoxin-f7"),
                         [](const auto &info) {
                             std::string n = info.param;
                             for (auto &c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(PadlockKnownAnswer, Sp80038aAtEveryMisalignment) {
    // spec §9.2 tests 4-8 through the driver, src and dst at every offset 0..15.
    auto h = open_emulator("nano-stepping-2");
    ASSERT_TRUE(h);
    const Bytes key = acrypto::test::from_hex("2b7e151628aed2a6abf7158809cf4f3c");
    const Bytes pt =
        acrypto::test::from_hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                                "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
    const Bytes iv = acrypto::test::from_hex("000102030405060708090a0b0c0d0e0f");
    const Bytes ctr = acrypto::test::from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    struct Kat {
        uint32_t mode;
        const char *ct;
    };
    const Kat kats[] = {
        {ACRYPTO_MODE_ECB, "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
                           "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"},
        {ACRYPTO_MODE_CBC, "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                           "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
        {ACRYPTO_MODE_CFB, "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
                           "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6"},
        {ACRYPTO_MODE_OFB, "3b3fd92eb72dad20333449f8e83cfb4a7789508d16918f03f53c52dac54ed825"
                           "9740051e9c5fecf64344f7a82260edcc304c6528f659c77866a510d9c1d6ae5e"},
        {ACRYPTO_MODE_CTR, "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
                           "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"},
    };
    for (const Kat &k : kats)
        for (size_t off = 0; off < 16; ++off)
            for (uint32_t dir : {kEnc, kDec}) {
                BufferLayout l;
                l.src_offset = off;
                l.dst_offset = 15 - off;
                const Bytes ct = acrypto::test::from_hex(k.ct);
                const Bytes &in = dir == kEnc ? pt : ct;
                auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, k.mode, dir, key,
                                                    k.mode == ACRYPTO_MODE_CTR ? ctr : iv, in, l);
                ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
                EXPECT_EQ(acrypto::test::to_hex(s->output()),
                          dir == kEnc ? k.ct : acrypto::test::to_hex(pt))
                    << "mode " << k.mode << " offset " << off << " dir " << dir;
            }
}

TEST(PadlockDevice, CloseWithWorkQueuedCompletesEverythingOnce) {
    auto h = open_emulator("zhaoxin-f7", {{"workers", "2"}});
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<acrypto::test::OwnedSession>> ss;
    for (int i = 0; i < 64; ++i) {
        ss.push_back(
            acrypto::test::make_digest(ACRYPTO_ALG_SHA256, acrypto::test::pattern_bytes(4096, i)));
        h->enqueue(ss.back()->get());
    }
    h->kick();
    h->close(); // the harness completes what the device never dequeued
    for (auto &s : ss) {
        EXPECT_EQ(h->completions(s->get()), 1u);
        const int st = h->status_of(s->get());
        EXPECT_TRUE(st == ACRYPTO_OK || st == ACRYPTO_E_SHUTDOWN) << st;
    }
    EXPECT_EQ(h->violations(), "");
}

TEST(PadlockCtr, CarryPastTheSixteenBitCounter) {
    auto h = open_emulator("nano");
    ASSERT_TRUE(h);
    const Bytes key = acrypto::test::from_hex("2b7e151628aed2a6abf7158809cf4f3c");
    const Bytes zero(32, 0);
    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kEnc, key,
                                        acrypto::test::from_hex("000102030405060708090a0b0c0dffff"),
                                        zero);
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    EXPECT_EQ(acrypto::test::to_hex(s->output()),
              "eeee4e328f3b6a994fd6619f94dcc26f478b9f6390fea0f7576e87c5e7c9f906");
    EXPECT_EQ(acrypto::test::to_hex({s->step().iv, 16}), "000102030405060708090a0b0c0e0001");
    EXPECT_GT(h->stats()["ctr_splits"], 0u);
    // Long run across a boundary, and a full 128-bit wrap.
    for (const char *ctr :
         {"00000000000000000000000000fffff0", "ffffffffffffffffffffffffffffff00"}) {
        const Bytes iv = acrypto::test::from_hex(ctr);
        const Bytes in = acrypto::test::pattern_bytes(16 * 300 + 5, 1);
        auto t = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kEnc, key, iv, in);
        ASSERT_EQ(h->run(*t->get()), ACRYPTO_OK);
        acrypto::test::CipherState st;
        EXPECT_EQ(acrypto::test::to_hex(t->output()),
                  acrypto::test::to_hex(acrypto::test::reference_cipher(
                      ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kEnc, key, iv, in, &st)));
        EXPECT_EQ(acrypto::test::to_hex({t->step().iv, 16}), acrypto::test::to_hex(st.iv));
    }
}

TEST(PadlockCtr, C7ErratumAndNehemiahUseSoftwareCounter) {
    for (const char *p : {"c7", "c3-nehemiah"}) {
        auto h = open_emulator(p);
        ASSERT_TRUE(h);
        const Bytes key = acrypto::test::pattern_bytes(16, 1);
        const Bytes iv = iv16();
        const Bytes in = acrypto::test::pattern_bytes(100, 2);
        auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kEnc, key, iv, in);
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        EXPECT_EQ(acrypto::test::to_hex(s->output()),
                  acrypto::test::to_hex(acrypto::test::reference_cipher(
                      ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kEnc, key, iv, in)));
        EXPECT_GT(h->stats()["ctr_software"], 0u) << p;
    }
}

TEST(PadlockCipherErrors, InvalidStepsAreRefused) {
    auto h = open_emulator("nano");
    ASSERT_TRUE(h);
    const Bytes key = acrypto::test::pattern_bytes(16, 1);
    auto partial = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kEnc, key, iv16(),
                                              acrypto::test::pattern_bytes(20, 1));
    EXPECT_EQ(h->run(*partial->get()), ACRYPTO_E_INVALID);
    auto badkey = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_ECB, kEnc,
                                             acrypto::test::pattern_bytes(20, 1), {},
                                             acrypto::test::pattern_bytes(16, 1));
    EXPECT_EQ(h->run(*badkey->get()), ACRYPTO_E_INVALID);
    auto gcm = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, kEnc, key,
                                          acrypto::test::pattern_bytes(12, 1),
                                          acrypto::test::pattern_bytes(16, 1));
    EXPECT_EQ(h->run(*gcm->get()), ACRYPTO_E_UNSUPPORTED);
    EXPECT_EQ(h->stats()["sessions_invalid"], 2u);
    EXPECT_EQ(h->stats()["sessions_unsupported"], 1u);
}

TEST(PadlockStress, ExactlyOnceWithInterruptsAndContextSwitches) {
    auto h = open_emulator(
        "nano-stepping-2",
        {{"workers", "2"}, {"emulator-interrupt", "3"}, {"emulator-context-switch", "2"}});
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<acrypto::test::OwnedSession>> ss;
    std::vector<Bytes> want;
    for (int i = 0; i < 120; ++i) {
        const uint32_t mode = kModes[i % 5];
        const size_t len = block_mode(mode) ? 16 * (1 + i % 9) : 1 + (i * 37) % 300;
        const Bytes key = acrypto::test::pattern_bytes(16 + 8 * (i % 3), i);
        const Bytes in = acrypto::test::pattern_bytes(len, i + 1000);
        const uint32_t dir = i % 2 ? kDec : kEnc;
        ss.push_back(acrypto::test::make_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv16(), in));
        want.push_back(
            acrypto::test::reference_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv16(), in));
        ss.back()->s.priority = static_cast<uint32_t>(i % 8);
        h->enqueue(ss.back()->get());
        if (i % 10 == 9) h->kick();
    }
    h->kick();
    ASSERT_TRUE(h->wait_all());
    for (size_t i = 0; i < ss.size(); ++i) {
        EXPECT_EQ(h->completions(ss[i]->get()), 1u);
        EXPECT_EQ(h->status_of(ss[i]->get()), ACRYPTO_OK);
        EXPECT_EQ(acrypto::test::to_hex(ss[i]->output()), acrypto::test::to_hex(want[i])) << i;
    }
    EXPECT_EQ(h->duplicate_completions(), 0u);
    for (const auto &[k, v] : h->stats())
        if (v && k.rfind("fault", 0) == 0) ADD_FAILURE() << k << " = " << v;
    h->close();
    EXPECT_EQ(h->violations(), "");
}

TEST(PadlockContract, ChainingWorksUnderTheCompatIvModel) {
    // Legacy engines move EAX and also write the IV buffer: the driver reads [EAX_out] either way.
    auto h = open_emulator("nano", {{"emulator-iv-model", "compat"}});
    ASSERT_TRUE(h);
    const Bytes key = acrypto::test::pattern_bytes(16, 21);
    for (uint32_t mode : kModes)
        for (uint32_t dir : {kEnc, kDec}) {
            const Bytes in = acrypto::test::pattern_bytes(16 * 37, mode);
            auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv16(), in);
            ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
            EXPECT_EQ(acrypto::test::to_hex(s->output()),
                      acrypto::test::to_hex(acrypto::test::reference_cipher(ACRYPTO_ALG_AES, mode,
                                                                            dir, key, iv16(), in)))
                << "mode " << mode << " dir " << dir;
        }
}

TEST(PadlockInline, RunsOnTheCallersThread) {
    auto h = open_emulator("nano", {{"inline", "yes"}});
    ASSERT_TRUE(h);
    EXPECT_TRUE(h->desc().flags & ACRYPTO_DEV_F_INLINE);
    const Bytes key = acrypto::test::pattern_bytes(24, 3);
    const Bytes in = acrypto::test::pattern_bytes(64, 4);
    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kDec, key, iv16(), in);
    ASSERT_EQ(h->run_inline(*s->get()), ACRYPTO_OK);
    EXPECT_EQ(acrypto::test::to_hex(s->output()),
              acrypto::test::to_hex(acrypto::test::reference_cipher(
                  ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kDec, key, iv16(), in)));
}

// ------------------------------------------------------------------ digests

struct DigestCase {
    const char *profile;
    uint32_t alg;
};

class PadlockDigest : public ::testing::TestWithParam<DigestCase> {};

TEST_P(PadlockDigest, OneShotAndChunkedMatchLibcrypto) {
    const auto [profile, alg] = GetParam();
    auto h = open_emulator(profile);
    ASSERT_TRUE(h);
    const size_t block = acrypto::test::digest_block_size(alg);
    for (size_t len : {0u, 3u, 55u, 56u, 63u, 64u, 111u, 112u, 128u, 1000u}) {
        const Bytes msg = acrypto::test::pattern_bytes(len, len);
        auto s = acrypto::test::make_digest(alg, msg);
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK) << profile << " len " << len;
        EXPECT_EQ(acrypto::test::to_hex(s->output()),
                  acrypto::test::to_hex(acrypto::test::reference_digest(alg, msg)))
            << profile << " alg " << alg << " len " << len;
    }
    const Bytes msg = acrypto::test::pattern_bytes(5 * block + 17, 77);
    const Bytes want = acrypto::test::reference_digest(alg, msg);
    const Features f = detect_features(emu::profile_cpuid(*emu::parse_profile(profile)));
    // First chunk non-final: needs block mode.
    auto s = acrypto::test::make_digest(alg, std::span(msg).first(2 * block), ACRYPTO_STEP_F_FIRST);
    const int rc = h->run(*s->get());
    if (!f.phe_block_mode && alg != ACRYPTO_ALG_SHA384 && alg != ACRYPTO_ALG_SHA512) {
        EXPECT_EQ(rc, ACRYPTO_E_UNSUPPORTED);
        // C7 finishes from a given intermediate state (EAX = bytes hashed).
        const Bytes prefix(msg.begin(), msg.begin() + 2 * block);
        const Bytes state = acrypto::test::reference_digest_state(alg, prefix);
        s->set_input(0, std::span(msg).subspan(2 * block), {}, 64);
        s->step().flags = ACRYPTO_STEP_F_FINAL;
        std::memcpy(s->step().state, state.data(), state.size());
        s->step().state_len = prefix.size();
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        EXPECT_EQ(acrypto::test::to_hex(s->output()), acrypto::test::to_hex(want));
        return;
    }
    ASSERT_EQ(rc, ACRYPTO_OK);
    EXPECT_EQ(s->step().state_len, 2 * block);
    const Bytes state =
        acrypto::test::reference_digest_state(alg, Bytes(msg.begin(), msg.begin() + 2 * block));
    EXPECT_EQ(acrypto::test::to_hex({s->step().state, state.size()}), acrypto::test::to_hex(state));
    s->set_input(0, std::span(msg).subspan(2 * block, block));
    s->step().flags = 0;
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    s->set_input(0, std::span(msg).subspan(3 * block), {}, 64);
    s->step().flags = ACRYPTO_STEP_F_FINAL;
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    EXPECT_EQ(acrypto::test::to_hex(s->output()), acrypto::test::to_hex(want));
    // A non-final chunk must end on a block boundary.
    s->set_input(0, std::span(msg).first(block + 1));
    s->step().flags = ACRYPTO_STEP_F_FIRST;
    EXPECT_EQ(h->run(*s->get()), ACRYPTO_E_INVALID);
}

INSTANTIATE_TEST_SUITE_P(
    Cores, PadlockDigest,
    ::testing::Values(DigestCase{"c7", ACRYPTO_ALG_SHA1}, DigestCase{"c7", ACRYPTO_ALG_SHA256},
                      DigestCase{"nano", ACRYPTO_ALG_SHA1}, DigestCase{"nano", ACRYPTO_ALG_SHA224},
                      DigestCase{"nano", ACRYPTO_ALG_SHA256},
                      DigestCase{"zhaoxin-f7", ACRYPTO_ALG_SHA1},
                      DigestCase{"zhaoxin-f7", ACRYPTO_ALG_SHA256},
                      DigestCase{"zhaoxin-f7", ACRYPTO_ALG_SHA384},
                      DigestCase{"zhaoxin-f7", ACRYPTO_ALG_SHA512}),
    [](const auto &info) {
        std::string n = std::string(info.param.profile) + "_" + std::to_string(info.param.alg);
        for (auto &c : n)
            if (c == '-') c = '_';
        return n;
    });

TEST(PadlockDigestQuirks, ZhaoxinEmptyMessageStillHashes) {
    auto h = open_emulator("zhaoxin-f7");
    ASSERT_TRUE(h);
    for (uint32_t alg : {ACRYPTO_ALG_SHA1, ACRYPTO_ALG_SHA256}) {
        auto s = acrypto::test::make_digest(alg, {});
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        EXPECT_EQ(acrypto::test::to_hex(s->output()),
                  alg == ACRYPTO_ALG_SHA1
                      ? "da39a3ee5e6b4b0d3255bfef95601890afd80709"
                      : "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
    auto none = open_emulator("c3-nehemiah");
    ASSERT_TRUE(none);
    auto s = acrypto::test::make_digest(ACRYPTO_ALG_SHA256, {});
    EXPECT_EQ(none->run(*s->get()), ACRYPTO_E_UNSUPPORTED);
}

// ------------------------------------------------------------------ entropy

TEST(PadlockEntropy, HealthyStreamIsConditionedAndCounted) {
    auto h = open_emulator("c3-nehemiah");
    ASSERT_TRUE(h);
    uint8_t a[48] = {}, b[48] = {};
    ASSERT_EQ(h->get_entropy(a, sizeof a), ACRYPTO_OK);
    ASSERT_EQ(h->get_entropy(b, sizeof b), ACRYPTO_OK);
    EXPECT_NE(test::hex(a, 48), test::hex(b, 48));
    const auto st = h->stats();
    EXPECT_EQ(st.at("rng_entropy_bytes"), 96u);
    // Start-up test (1024) + 80 raw bytes per 32-byte output block, 4 blocks.
    EXPECT_EQ(st.at("rng_bytes_raw"), 1024u + 4 * 80u);
    EXPECT_EQ(st.at("rng_latched"), 0u);
}

TEST(PadlockEntropy, EveryDivisorDeliversTheSameAmount) {
    for (const char *d : {"0", "1", "2", "3"}) {
        auto h = open_emulator("zhaoxin-f7", {{"rng-divisor", d}});
        ASSERT_TRUE(h);
        uint8_t buf[100];
        ASSERT_EQ(h->get_entropy(buf, sizeof buf), ACRYPTO_OK) << "divisor " << d;
        const auto st = h->stats();
        EXPECT_EQ(st.at("rng_bytes_raw"), 1024u + 4 * 80u) << "divisor " << d;
        EXPECT_EQ(st.at("rng_status_bad"), 0u);
        // 8, 4, 2 or 1 valid bytes per xstore.
        static const uint64_t per[] = {8, 4, 2, 1};
        EXPECT_EQ(st.at("instructions"), (1024u + 320u) / per[d[0] - '0']) << "divisor " << d;
    }
}

struct RngFaultCase {
    const char *fault;
    const char *counter;
};

class PadlockEntropyFault : public ::testing::TestWithParam<RngFaultCase> {};

TEST_P(PadlockEntropyFault, HealthChecksLatchTheSource) {
    auto h = open_emulator("nano", {{"rng-fault", GetParam().fault}});
    ASSERT_TRUE(h);
    uint8_t buf[32];
    EXPECT_EQ(h->get_entropy(buf, sizeof buf), ACRYPTO_E_DEVICE);
    EXPECT_EQ(h->get_entropy(buf, sizeof buf), ACRYPTO_E_DEVICE) << "latched";
    const auto st = h->stats();
    // Four values at p = 1/4 trip the adaptive proportion test, or the repetition count test
    // if a run of six comes first: either is a correct catch.
    const std::string counter = GetParam().counter;
    const uint64_t hits = counter == "health"
                              ? st.at("rng_apt_failures") + st.at("rng_rct_failures")
                              : st.at(counter);
    EXPECT_GT(hits, 0u) << GetParam().fault;
    EXPECT_EQ(st.at("rng_latched"), 1u);
    EXPECT_EQ(st.at("rng_entropy_bytes"), 0u);
    std::string why;
    EXPECT_NE(h->self_test(&why), ACRYPTO_OK);
    EXPECT_NE(why.find("RNG"), std::string::npos) << why;
}

INSTANTIATE_TEST_SUITE_P(Faults, PadlockEntropyFault,
                         ::testing::Values(RngFaultCase{"stuck", "rng_rct_failures"},
                                           RngFaultCase{"stuck-bits", "health"},
                                           RngFaultCase{"not-ready", "rng_not_ready"},
                                           RngFaultCase{"bias", "rng_status_bad"},
                                           RngFaultCase{"filter-failed", "rng_status_bad"},
                                           RngFaultCase{"raw-bits", "rng_status_bad"},
                                           RngFaultCase{"disabled", "rng_status_bad"},
                                           RngFaultCase{"bad-count", "rng_status_bad"}),
                         [](const auto &info) {
                             std::string n = info.param.fault;
                             for (auto &c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

} // namespace
} // namespace acrypto::hw::padlock
