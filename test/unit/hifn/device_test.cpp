// SPDX-License-Identifier: Apache-2.0
// HIFN driver over the model through the C table: known answers, differential checks
// against libcrypto, splitting, fused commands, ring wrap, full ring, several instances.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "hifn_fixture.hpp"
#include "reference.hpp"

using namespace hifn_test;
using acrypto::test::make_cipher;
using acrypto::test::make_digest;
using acrypto::test::make_hmac;
using acrypto::test::OwnedSession;
using acrypto::test::pattern_bytes;

namespace {

std::string stat(DeviceHarness &h, const char *name) {
    auto s = h.stats();
    return std::to_string(s.count(name) ? s.at(name) : ~0ull);
}
uint64_t statv(DeviceHarness &h, const char *name) {
    auto s = h.stats();
    return s.count(name) ? s.at(name) : ~0ull;
}

std::unique_ptr<OwnedSession> fused_encrypt(uint32_t alg, uint32_t mode, uint32_t mac,
                                            const Bytes &key, const Bytes &iv, const Bytes &mkey,
                                            const Bytes &pt) {
    auto s = make_cipher(alg, mode, ACRYPTO_DIR_ENCRYPT, key, iv, pt);
    acrypto_step &m = s->add_step();
    m.op = ACRYPTO_OP_MAC;
    m.alg = mac;
    m.mode = ACRYPTO_MODE_HMAC;
    m.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    s->set_key(1, mac, mkey);
    m.src = s->step(0).dst;
    m.src_len = pt.size();
    s->dst_buf[1].assign(64, 0);
    m.dst = s->dst_buf[1].data();
    m.dst_len = 64;
    s->s.ncur = 2;
    return s;
}

} // namespace

TEST(Driver, ProbeReportsModelsAndRefusesBadConfig) {
    std::string why;
    EXPECT_EQ(DeviceHarness::probe(acrypto::hw::hifn::driver_table(), {}, &why), 0);
    EXPECT_NE(why.find("no model instance"), std::string::npos) << why;
    EXPECT_EQ(DeviceHarness::probe(acrypto::hw::hifn::driver_table(), {{"model", "2"}}, &why), 2);
    EXPECT_LT(DeviceHarness::probe(acrypto::hw::hifn::driver_table(), {{"colour", "red"}}, &why),
              0);
    EXPECT_NE(why.find("colour"), std::string::npos) << why;
    EXPECT_LT(DeviceHarness::probe(acrypto::hw::hifn::driver_table(), {{"pci-ids", "13a3"}}, &why),
              0);
    EXPECT_LT(DeviceHarness::probe(acrypto::hw::hifn::driver_table(), {{"ring-size", "1"}}, &why),
              0);
}

TEST(Driver, OpensUnlockedAndAdvertisesNoPublicKey) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(std::string(h->desc().name), "hifn0");
    EXPECT_TRUE(h->desc().flags & ACRYPTO_DEV_F_ENTROPY);
    EXPECT_EQ(driver(*h).enable_level(), 0x11u);
    bool fused = false;
    for (uint32_t i = 0; i < h->desc().ncaps; ++i) {
        const auto &c = h->desc().caps[i];
        EXPECT_NE(c.op, static_cast<uint32_t>(ACRYPTO_OP_PKEY));
        EXPECT_TRUE(c.mode == ACRYPTO_MODE_ECB || c.mode == ACRYPTO_MODE_CBC ||
                    c.mode == ACRYPTO_MODE_NONE || c.mode == ACRYPTO_MODE_HMAC);
        fused = fused || (c.flags & ACRYPTO_CAP_F_FUSED);
    }
    EXPECT_TRUE(fused);
    EXPECT_EQ(chip(*h).stats().unlocks, 1u);
}

TEST(Driver, SelfTestKnownAnswer) {
    auto h = open_model();
    ASSERT_TRUE(h);
    std::string why;
    EXPECT_EQ(h->self_test(&why), ACRYPTO_OK) << why;
    auto s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT, Bytes(16, 0), {},
                         Bytes(16, 0));
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    EXPECT_EQ(acrypto::test::to_hex(s->output()), "66e94bd4ef8a2c3b884cfa59ca342b2e");
}

TEST(Driver, CiphersMatchLibcrypto) {
    auto h = open_model();
    ASSERT_TRUE(h);
    struct A {
        uint32_t alg;
        size_t key;
        size_t block;
    };
    const A algs[] = {{ACRYPTO_ALG_AES, 16, 16},
                      {ACRYPTO_ALG_AES, 24, 16},
                      {ACRYPTO_ALG_AES, 32, 16},
                      {ACRYPTO_ALG_DES_EDE3, 24, 8},
                      {ACRYPTO_ALG_DES, 8, 8}};
    uint64_t seed = 1;
    for (const auto &a : algs) {
        if (!acrypto::test::reference_has_cipher(a.alg, ACRYPTO_MODE_CBC, a.key)) continue;
        for (uint32_t mode : {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC})
            for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT})
                for (size_t blocks : {1u, 3u, 64u, 1000u}) {
                    Bytes key = pattern_bytes(a.key, seed++), iv = pattern_bytes(a.block, seed++);
                    Bytes in = pattern_bytes(blocks * a.block, seed++);
                    acrypto::test::BufferLayout lay;
                    lay.in_place = blocks == 3;
                    auto s = make_cipher(a.alg, mode, dir, key,
                                         mode == ACRYPTO_MODE_CBC ? iv : Bytes{}, in, lay);
                    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
                    Bytes want = acrypto::test::reference_cipher(
                        a.alg, mode, dir, key, mode == ACRYPTO_MODE_CBC ? iv : Bytes{}, in);
                    EXPECT_EQ(s->output_bytes(), want)
                        << "alg " << a.alg << " key " << a.key << " mode " << mode << " dir " << dir
                        << " blocks " << blocks;
                    if (mode == ACRYPTO_MODE_CBC) {
                        const Bytes &ct = dir == ACRYPTO_DIR_ENCRYPT ? want : in;
                        EXPECT_EQ(0, memcmp(s->step().iv, ct.data() + ct.size() - a.block, a.block))
                            << "chaining IV out";
                    }
                }
    }
    EXPECT_EQ(h->duplicate_completions(), 0u);
}

TEST(Driver, SplitsInputsAboveTheChipLimit) {
    auto h = open_model();
    ASSERT_TRUE(h);
    Bytes key = pattern_bytes(32, 5), iv = pattern_bytes(16, 6);
    Bytes in = pattern_bytes(0x3FFF0 * 2 + 4096, 7); // three commands
    for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
        auto s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, dir, key, iv, in);
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        EXPECT_EQ(s->output_bytes(), acrypto::test::reference_cipher(
                                         ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, dir, key, iv, in));
        EXPECT_EQ(h->completions(s->get()), 1u);
    }
    EXPECT_GE(statv(*h, "commands"), 6u);
}

TEST(Driver, DigestsAndHmacMatchLibcrypto) {
    auto h = open_model();
    ASSERT_TRUE(h);
    uint64_t seed = 100;
    for (uint32_t alg : {ACRYPTO_ALG_MD5, ACRYPTO_ALG_SHA1})
        for (size_t len : {0u, 1u, 3u, 64u, 1001u, 65536u + 5u, 0x3FFFCu}) {
            Bytes in = pattern_bytes(len, seed++);
            auto d = make_digest(alg, in);
            ASSERT_EQ(h->run(*d->get()), ACRYPTO_OK);
            EXPECT_EQ(d->output_bytes(), acrypto::test::reference_digest(alg, in)) << len;
            for (size_t klen : {0u, 20u, 64u}) {
                Bytes key = pattern_bytes(klen, seed++);
                auto m = make_hmac(alg, key, in);
                ASSERT_EQ(h->run(*m->get()), ACRYPTO_OK);
                EXPECT_EQ(m->output_bytes(), acrypto::test::reference_hmac(alg, key, in))
                    << "len " << len << " key " << klen;
            }
        }
}

TEST(Driver, RefusesWhatTheChipCannotDo) {
    auto h = open_model();
    ASSERT_TRUE(h);
    Bytes key(16, 1), iv(16, 2);
    auto ctr =
        make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key, iv, Bytes(32, 0));
    EXPECT_EQ(h->run(*ctr->get()), ACRYPTO_E_UNSUPPORTED);
    auto partial =
        make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, Bytes(17, 0));
    EXPECT_EQ(h->run(*partial->get()), ACRYPTO_E_INVALID);
    auto sha256 = make_digest(ACRYPTO_ALG_SHA256, Bytes(10, 0));
    EXPECT_EQ(h->run(*sha256->get()), ACRYPTO_E_UNSUPPORTED);
    auto chunk = make_digest(ACRYPTO_ALG_SHA1, Bytes(64, 0), ACRYPTO_STEP_F_FIRST);
    EXPECT_EQ(h->run(*chunk->get()), ACRYPTO_E_UNSUPPORTED) << "no hash continuation";
    auto longkey = make_hmac(ACRYPTO_ALG_SHA1, Bytes(65, 1), Bytes(10, 0));
    EXPECT_EQ(h->run(*longkey->get()), ACRYPTO_E_INVALID);
    EXPECT_FALSE(h->broken());
    EXPECT_EQ(statv(*h, "hostile"), 0u);
}

TEST(Driver, FusedEncryptThenMacAndMacThenDecrypt) {
    auto h = open_model();
    ASSERT_TRUE(h);
    Bytes key = pattern_bytes(16, 1), iv = pattern_bytes(16, 2), mkey = pattern_bytes(20, 3);
    Bytes pt = pattern_bytes(4096, 4);
    for (uint32_t mac : {ACRYPTO_ALG_SHA1, ACRYPTO_ALG_MD5}) {
        auto e = fused_encrypt(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, mac, key, iv, mkey, pt);
        ASSERT_EQ(h->run(*e->get()), ACRYPTO_OK);
        EXPECT_EQ(h->steps_done_of(e->get()), 2u);
        Bytes ct = acrypto::test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                                   ACRYPTO_DIR_ENCRYPT, key, iv, pt);
        EXPECT_EQ(e->output_bytes(0), ct);
        EXPECT_EQ(e->output_bytes(1), acrypto::test::reference_hmac(mac, mkey, ct));

        // MAC the ciphertext, then decrypt it.
        auto d = make_hmac(mac, mkey, ct);
        acrypto_step &c = d->add_step();
        c.op = ACRYPTO_OP_CIPHER;
        c.alg = ACRYPTO_ALG_AES;
        c.mode = ACRYPTO_MODE_CBC;
        c.dir = ACRYPTO_DIR_DECRYPT;
        d->set_key(1, ACRYPTO_ALG_AES, key);
        memcpy(c.iv, iv.data(), 16);
        c.iv_len = 16;
        c.src = d->step(0).src;
        c.src_len = ct.size();
        d->dst_buf[1].assign(ct.size(), 0);
        c.dst = d->dst_buf[1].data();
        c.dst_len = ct.size();
        d->s.ncur = 2;
        ASSERT_EQ(h->run(*d->get()), ACRYPTO_OK);
        EXPECT_EQ(h->steps_done_of(d->get()), 2u);
        EXPECT_EQ(d->output_bytes(0), acrypto::test::reference_hmac(mac, mkey, ct));
        EXPECT_EQ(d->output_bytes(1), pt);
    }
    // A second step over other data cannot be fused: only the first step is done.
    auto odd =
        fused_encrypt(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_ALG_SHA1, key, iv, mkey, pt);
    odd->step(1).src = odd->step(0).src;
    ASSERT_EQ(h->run(*odd->get()), ACRYPTO_OK);
    EXPECT_EQ(h->steps_done_of(odd->get()), 1u);
}

TEST(Driver, RingWrapAndFullRingUnderLoad) {
    auto h = open_model({{"ring-size", "3"}});
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<OwnedSession>> ss;
    Bytes key = pattern_bytes(16, 9), iv = pattern_bytes(16, 10);
    for (int i = 0; i < 300; ++i) {
        // Sizes that need 1..3 descriptors per operand exercise the data-ring wrap too.
        size_t len = 16 * (1 + (i * 977) % 9000);
        ss.push_back(make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv,
                                 pattern_bytes(len, 1000 + i)));
        ss.back()->s.priority = i % 8;
        h->enqueue(ss.back()->get());
    }
    h->kick();
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(60)));
    for (size_t i = 0; i < ss.size(); ++i) {
        ASSERT_EQ(h->status_of(ss[i]->get()), ACRYPTO_OK) << i;
        Bytes in(ss[i]->step().src, ss[i]->step().src + ss[i]->step().src_len);
        EXPECT_EQ(ss[i]->output_bytes(),
                  acrypto::test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                                  ACRYPTO_DIR_ENCRYPT, key, iv, in));
    }
    EXPECT_EQ(h->duplicate_completions(), 0u);
    EXPECT_GT(statv(*h, "busy"), 0u) << "a full ring stops dequeuing: " << stat(*h, "busy");
    EXPECT_EQ(statv(*h, "hostile"), 0u);
    EXPECT_FALSE(h->broken());
}

TEST(Driver, TwoInstancesRunAtOnce) {
    auto h0 = open_model({}, 0, 2);
    auto h1 = open_model({}, 1, 2);
    ASSERT_TRUE(h0 && h1);
    EXPECT_EQ(std::string(h1->desc().name), "hifn1");
    auto work = [](DeviceHarness &h, uint64_t seed) {
        std::vector<std::unique_ptr<OwnedSession>> ss;
        for (int i = 0; i < 100; ++i) {
            ss.push_back(make_hmac(ACRYPTO_ALG_SHA1, pattern_bytes(20, seed + i),
                                   pattern_bytes(100 + i * 37, seed + 500 + i)));
            h.enqueue(ss.back()->get());
            if (i % 10 == 9) h.kick();
        }
        ASSERT_TRUE(h.wait_all(std::chrono::seconds(30)));
        for (int i = 0; i < 100; ++i)
            EXPECT_EQ(ss[i]->output_bytes(),
                      acrypto::test::reference_hmac(ACRYPTO_ALG_SHA1, pattern_bytes(20, seed + i),
                                                    pattern_bytes(100 + i * 37, seed + 500 + i)))
                << i << " status " << h.status_of(ss[i]->get()) << " "
                << h.completions(ss[i]->get());
        if (::testing::Test::HasFailure()) {
            for (auto &[k, v] : h.stats())
                std::printf("%s %s=%llu\n", h.desc().name, k.c_str(), (unsigned long long)v);
            for (auto &l : h.logs()) std::printf("log %s\n", l.c_str());
        }
    };
    std::thread a([&] { work(*h0, 1); });
    std::thread b([&] { work(*h1, 7777); });
    a.join();
    b.join();
    EXPECT_EQ(h0->duplicate_completions() + h1->duplicate_completions(), 0u);
}

TEST(Driver, EntropyIsConditionedAndHealthTested) {
    auto h = open_model();
    ASSERT_TRUE(h);
    uint8_t a[64] = {}, b[64] = {};
    ASSERT_EQ(h->get_entropy(a, sizeof a), ACRYPTO_OK);
    ASSERT_EQ(h->get_entropy(b, sizeof b), ACRYPTO_OK);
    EXPECT_NE(0, memcmp(a, b, sizeof a));
    EXPECT_GE(statv(*h, "rng_words"), 4u * 256u);

    auto stuck = open_model({{"fault-stuck-rng", "1"}});
    ASSERT_TRUE(stuck);
    EXPECT_EQ(stuck->get_entropy(a, 32), ACRYPTO_E_DEVICE);
    EXPECT_EQ(statv(*stuck, "rng_health_fail"), 1u);
}

TEST(Driver, ThrottledModelStillCompletes) {
    auto h = open_model({{"model-rate-mbps", "400"}});
    ASSERT_TRUE(h);
    auto s = make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                         pattern_bytes(24, 1), pattern_bytes(8, 2), pattern_bytes(200000, 3));
    auto t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    // 200000 bytes at 400 Mbit/s is 4 ms of chip time: the model must not finish sooner.
    EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::microseconds(4000));
}

TEST(Driver, ManyMacsWrapEveryRing) {
    auto h = open_model();
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<OwnedSession>> ss;
    for (int i = 0; i < 250; ++i) {
        ss.push_back(make_hmac(ACRYPTO_ALG_SHA1, pattern_bytes(20, i), pattern_bytes(100 + i, i)));
        h->enqueue(ss.back()->get());
        if (i % 10 == 9) h->kick();
    }
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(30)));
    for (int i = 0; i < 250; ++i) EXPECT_EQ(h->status_of(ss[i]->get()), ACRYPTO_OK) << i;
    EXPECT_EQ(statv(*h, "watchdog"), 0u);
}
