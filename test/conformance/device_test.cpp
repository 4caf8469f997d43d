// SPDX-License-Identifier: Apache-2.0
// Conformance: descriptor sanity, self-test, honesty (undeclared work fails cleanly), inline,
// random.
#include <set>
#include <thread>

#include "workload.hpp"

namespace acrypto::test::conformance {

class Device : public DeviceConformance {};

TEST_P(Device, DescriptorIsSane) {
    const acrypto_device_desc &d = desc();
    ASSERT_NE(d.name, nullptr);
    EXPECT_GT(std::string(d.name).size(), 0u);
    EXPECT_GE(d.struct_size, sizeof(acrypto_device_desc));
    EXPECT_GT(d.queue_len, 0u);
    EXPECT_GT(d.max_burst, 0u);
    ASSERT_GT(d.ncaps, 0u);
    ASSERT_NE(d.caps, nullptr);
    for (uint32_t i = 0; i < d.ncaps; ++i) {
        const acrypto_capability &c = d.caps[i];
        SCOPED_TRACE(cap_name(c));
        EXPECT_NE(c.op, 0u);
        EXPECT_LE(c.key_min, c.key_max);
        if (c.op == ACRYPTO_OP_CIPHER) {
            EXPECT_NE(c.dirs & (ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT), 0u);
            EXPECT_GT(c.key_max, 0u);
        }
        EXPECT_GE(c.bytes_per_sec, 0.0);
        EXPECT_GE(c.ops_per_sec, 0.0);
        if (c.flags & ACRYPTO_CAP_F_FUSED) {
            EXPECT_NE(c.fused_op, 0u);
        }
    }
    if (d.flags & ACRYPTO_DEV_F_INLINE) {
        EXPECT_NE(dev().driver().run_inline_fn, nullptr);
    }
    if (d.flags & ACRYPTO_DEV_F_ENTROPY) {
        EXPECT_NE(dev().driver().get_entropy_fn, nullptr);
    }
}

TEST_P(Device, ConfigKeysListedAndUnknownKeyRejected) {
    const acrypto_device_driver &drv = dev().driver();
    for (const auto &[k, v] : GetParam().cfg) {
        bool listed = false;
        for (const char *const *p = drv.config_keys; p && *p; ++p) listed |= k == *p;
        EXPECT_TRUE(listed) << "key '" << k << "' works but is not in config_keys";
    }
    KvList bad = GetParam().cfg;
    bad.emplace_back("no-such-key", "1");
    std::string why;
    EXPECT_LT(DeviceHarness::probe(&drv, bad, &why), 0) << "unknown key accepted";
    EXPECT_NE(why.find("no-such-key"), std::string::npos) << "error should name the key: " << why;
}

TEST_P(Device, SelfTest) {
    std::string why;
    EXPECT_EQ(dev().self_test(&why), ACRYPTO_OK) << why;
}

TEST_P(Device, StatsReadable) {
    auto s = dev().stats();
    if (!dev().driver().get_stats_fn) GTEST_SKIP() << "no get_stats_fn";
    for (const auto &[k, v] : s) EXPECT_FALSE(k.empty());
}

TEST_P(Device, UndeclaredWorkFailsCleanly) {
    // Work nobody declares (unknown algorithm) completes exactly once with an error.
    auto s = make_digest(0x3e, pattern_bytes(64, 1));
    int rc = run(*s);
    EXPECT_NE(rc, ACRYPTO_OK);
    EXPECT_NE(rc, ACRYPTO_E_TIMEOUT);
}

TEST_P(Device, InvalidInputRejected) {
    int ran = 0;
    for (const auto *cap : caps_of(ACRYPTO_OP_CIPHER)) {
        if (cap->mode != ACRYPTO_MODE_CBC && cap->mode != ACRYPTO_MODE_ECB) continue;
        const size_t b = cipher_block_size(cap->alg);
        const size_t k = cap_key_sizes(*cap).front();
        const Bytes key = pattern_bytes(k, 1), iv = pattern_bytes(b, 2);
        uint32_t dir = cap->dirs & ACRYPTO_DIR_ENCRYPT ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
        auto partial = make_cipher(cap->alg, cap->mode, dir, key, iv, pattern_bytes(b + 1, 3));
        EXPECT_NE(run(*partial), ACRYPTO_OK) << cap_name(*cap) << ": partial block accepted";
        auto small = make_cipher(cap->alg, cap->mode, dir, key, iv, pattern_bytes(4 * b, 3));
        small->step().dst_len = 2 * b; // room for half the output
        EXPECT_NE(run(*small), ACRYPTO_OK) << cap_name(*cap) << ": output larger than dst_len";
        ++ran;
    }
    if (!ran) GTEST_SKIP() << "no ECB/CBC capability declared";
}

TEST_P(Device, InlineMatchesQueued) {
    if (!(desc().flags & ACRYPTO_DEV_F_INLINE)) GTEST_SKIP() << "no ACRYPTO_DEV_F_INLINE";
    auto w = Workload::pick(desc());
    if (!w) GTEST_SKIP() << "no capability the suite can check";
    for (size_t len : {16, 64, 1024, 16384}) {
        Job j = w->make(len, len);
        ASSERT_EQ(dev().run_inline(*j.s->get()), ACRYPTO_OK) << w->describe() << " len " << len;
        EXPECT_TRUE(j.correct()) << w->describe() << " len " << len;
    }
    // Inline calls from several threads at once, interleaved with queued work.
    std::atomic<int> bad{0};
    std::vector<std::thread> th;
    for (int t = 0; t < 3; ++t)
        th.emplace_back([&, t] {
            for (int i = 0; i < 200; ++i) {
                Job j = w->make(16 * (1 + i % 5), 100000 * (t + 1) + i);
                if (dev().run_inline(*j.s->get()) != ACRYPTO_OK || !j.correct()) ++bad;
            }
        });
    std::vector<Job> queued;
    for (int i = 0; i < 50; ++i) queued.push_back(w->make(32, 900000 + i));
    for (auto &j : queued) {
        dev().enqueue(j.s->get());
        dev().kick();
    }
    for (auto &x : th) x.join();
    ASSERT_TRUE(dev().wait_all(std::chrono::seconds(30)));
    for (auto &j : queued) EXPECT_TRUE(j.correct());
    EXPECT_EQ(bad.load(), 0);
}

TEST_P(Device, RandomBytes) {
    auto caps = caps_of(ACRYPTO_OP_RAND);
    if (caps.empty()) GTEST_SKIP() << "no random capability declared";
    std::set<Bytes> seen;
    for (size_t n : {1, 32, 32, 1000, 65536}) {
        if (caps[0]->max_input && n > caps[0]->max_input) continue;
        auto s = make_rand(n);
        ASSERT_EQ(run(*s), ACRYPTO_OK);
        ASSERT_EQ(s->step().out_len, n);
        Bytes b = s->output_bytes();
        if (n >= 32) {
            EXPECT_TRUE(seen.insert(b).second) << "repeated output";
            std::set<uint8_t> distinct(b.begin(), b.end());
            EXPECT_GT(distinct.size(), 8u) << "output looks constant";
        }
    }
}

TEST_P(Device, Entropy) {
    if (!(desc().flags & ACRYPTO_DEV_F_ENTROPY)) GTEST_SKIP() << "no ACRYPTO_DEV_F_ENTROPY";
    Bytes a(64), b(64);
    ASSERT_EQ(dev().get_entropy(a.data(), a.size()), ACRYPTO_OK);
    ASSERT_EQ(dev().get_entropy(b.data(), b.size()), ACRYPTO_OK);
    EXPECT_NE(a, b);
    EXPECT_NE(a, Bytes(64, 0));
}

TEST_P(Device, KeyFreeThenNewKey) {
    auto w = Workload::pick(desc());
    if (!w || w->cap().op == ACRYPTO_OP_DIGEST || w->cap().op == ACRYPTO_OP_RAND)
        GTEST_SKIP() << "no keyed capability the suite can check";
    Job a = w->make(64, 1);
    ASSERT_EQ(run(*a.s), ACRYPTO_OK);
    EXPECT_TRUE(a.correct());
    dev().key_free(a.s->keys[0].id);
    Job b = w->make(64, 2); // another key (new id), same sizes
    ASSERT_EQ(run(*b.s), ACRYPTO_OK);
    EXPECT_TRUE(b.correct());
}

INSTANTIATE_TEST_SUITE_P(Devices, Device, ::testing::ValuesIn(load_device_confs()), conf_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Device);

} // namespace acrypto::test::conformance
