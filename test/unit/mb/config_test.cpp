// SPDX-License-Identifier: Apache-2.0
// mb configuration keys, probe messages and code-path selection.
#include <gtest/gtest.h>

#include <cstring>

#include "acrypto/soft/mb/arch.hpp"
#include "acrypto/soft/mb/config.hpp"
#include "acrypto/soft/mb/driver.hpp"
#include "acrypto/soft/mb/worker.hpp"
#include "mb_test_util.hpp"

namespace acrypto::soft::mb::testing {
namespace {

TEST(MbConfig, DeclaresItsKeys) {
    const char *const *keys = driver()->config_keys;
    ASSERT_NE(keys, nullptr);
    std::vector<std::string> names;
    for (size_t i = 0; keys[i]; ++i) names.emplace_back(keys[i]);
    EXPECT_EQ(names, (std::vector<std::string>{"workers", "flush-us", "arch", "queue-len",
                                               "linger-us", "poll-us"}));
}

TEST(MbConfig, DefaultsProbeOneInstance) {
    std::string why;
    EXPECT_EQ(DeviceHarness::probe(driver(), {}, &why), 1) << why;
}

TEST(MbConfig, UnknownKeyIsNamed) {
    std::string why;
    EXPECT_LT(DeviceHarness::probe(driver(), {{"lanes", "16"}}, &why), 0);
    EXPECT_NE(why.find("lanes"), std::string::npos) << why;
}

TEST(MbConfig, BadValuesAreNamed) {
    for (const auto &[k, v] : KvList{{"workers", "0"},
                                     {"workers", "x"},
                                     {"flush-us", "-1"},
                                     {"flush-us", "20000000"},
                                     {"arch", "neon"},
                                     {"queue-len", "0"},
                                     {"linger-us", "1us"},
                                     {"poll-us", "1001"},
                                     {"poll-us", "-5"}}) {
        std::string why;
        EXPECT_LT(DeviceHarness::probe(driver(), {{k, v}}, &why), 0) << k << "=" << v;
        EXPECT_NE(why.find(k), std::string::npos) << why;
        EXPECT_NE(why.find(v), std::string::npos) << why;
    }
}

TEST(MbConfig, ParsesEveryKey) {
    acrypto_kv items[] = {{"workers", "3"},    {"flush-us", "250"}, {"arch", "sse"},
                          {"queue-len", "77"}, {"linger-us", "5"},  {"poll-us", "0"}};
    acrypto_config cfg{items, 6};
    MbConfig c;
    std::string why;
    ASSERT_TRUE(parse_config(&cfg, &c, &why)) << why;
    EXPECT_EQ(c.workers, 3u);
    EXPECT_EQ(c.flush_us, 250u);
    EXPECT_EQ(c.arch, Arch::Sse);
    EXPECT_EQ(c.queue_len, 77u);
    EXPECT_EQ(c.linger_us, 5u);
    EXPECT_EQ(c.poll_us, 0u);
    EXPECT_EQ(MbConfig{}.poll_us, 30u); // the default
}

TEST(MbArch, AutoPicksTheWidestPath) {
    uint64_t f = cpu_features();
    Arch a{};
    std::string why;
    ASSERT_TRUE(resolve_arch(Arch::Auto, f, &a, &why)) << why;
    auto avail = available_arches();
    ASSERT_FALSE(avail.empty());
    EXPECT_EQ(arch_name(a), avail.back());
}

TEST(MbArch, MissingFeaturesAreNamed) {
    // A CPU with SSE-level flags only cannot run the AVX2 path.
    Arch a{};
    std::string why;
    EXPECT_FALSE(resolve_arch(Arch::Avx2, IMB_CPUFLAGS_SSE, &a, &why));
    EXPECT_NE(why.find("avx2"), std::string::npos) << why;
    EXPECT_FALSE(resolve_arch(Arch::Auto, IMB_FEATURE_SSE4_2, &a, &why));
    EXPECT_NE(why.find("aes"), std::string::npos) << why;
}

TEST(MbArch, UnavailablePathMeansNoInstanceWithAReason) {
    for (const char *name : {"avx512", "avx2", "avx", "sse"}) {
        Arch a{};
        ASSERT_TRUE(parse_arch(name, &a));
        std::string why;
        int n = DeviceHarness::probe(driver(), {{"arch", name}}, &why);
        if (arch_supported(a, cpu_features())) {
            EXPECT_EQ(n, 1) << name << ": " << why;
        } else {
            EXPECT_EQ(n, 0) << name;
            EXPECT_NE(why.find("missing"), std::string::npos) << why;
            std::string why_open;
            EXPECT_EQ(DeviceHarness::open(driver(), {{"arch", name}}, 0, &why_open), nullptr);
            EXPECT_NE(why_open.find(name), std::string::npos) << why_open;
        }
    }
}

TEST(MbArch, EachPathOpensAndSaysWhichItRuns) {
    for (const auto &name : available_arches()) {
        auto h = open_mb({{"arch", name}});
        ASSERT_TRUE(h);
        EXPECT_EQ(stat(*h, "arch_" + name), 1u) << name;
        Arch a{};
        ASSERT_TRUE(parse_arch(name, &a));
        EXPECT_EQ(stat(*h, "arch"), imb_arch_code(a));
        bool logged = false;
        for (const auto &m : h->logs()) logged |= m.find("arch " + name) != std::string::npos;
        EXPECT_TRUE(logged) << name;
    }
}

TEST(MbDescriptor, CapabilitiesAreOneShotAndRated) {
    auto h = open_mb();
    ASSERT_TRUE(h);
    const auto &d = h->desc();
    EXPECT_STREQ(d.name, "mb");
    EXPECT_EQ(d.queue_len, 1024u);
    EXPECT_GE(d.max_burst, 16u);
    ASSERT_GT(d.ncaps, 0u);
    bool cbc_enc = false;
    for (uint32_t i = 0; i < d.ncaps; ++i) {
        const auto &c = d.caps[i];
        EXPECT_EQ(c.flags & ACRYPTO_CAP_F_PARTIAL, 0u);
        EXPECT_GT(c.bytes_per_sec, 0.0);
        EXPECT_GT(c.ops_per_sec, 0.0);
        cbc_enc |= c.alg == ACRYPTO_ALG_AES && c.mode == ACRYPTO_MODE_CBC &&
                   (c.dirs & ACRYPTO_DIR_ENCRYPT);
    }
    EXPECT_TRUE(cbc_enc);
}

TEST(MbDescriptor, QueueLenIsConfigurable) {
    auto h = open_mb({{"queue-len", "64"}});
    ASSERT_TRUE(h);
    EXPECT_EQ(h->desc().queue_len, 64u);
}

TEST(MbBudget, PriorityScalesTheFlushBudget) {
    EXPECT_EQ(budget_ns(20000, 4), 20000u);
    EXPECT_EQ(budget_ns(20000, 0), 40000u);
    EXPECT_EQ(budget_ns(20000, 7), 5000u);
    EXPECT_EQ(budget_ns(20000, 99), 5000u);
    for (uint32_t p = 1; p <= ACRYPTO_PRIO_MAX; ++p) {
        EXPECT_LT(budget_ns(1000, p), budget_ns(1000, p - 1));
    }
    EXPECT_EQ(budget_ns(0, 0), 0u);
}

} // namespace
} // namespace acrypto::soft::mb::testing
