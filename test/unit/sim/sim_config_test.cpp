// SPDX-License-Identifier: Apache-2.0
// sim configuration: every key parses, bad values and unknown keys are named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config.hpp"

namespace acrypto::soft::sim {
namespace {

bool parse(const std::vector<std::pair<const char *, const char *>> &kv, SimConfig &c,
           std::string &why) {
    std::vector<acrypto_kv> items;
    for (auto &[k, v] : kv) items.push_back({k, v});
    acrypto_config cfg{items.data(), static_cast<uint32_t>(items.size())};
    return parse_config(&cfg, c, why);
}

TEST(SimConfig, Defaults) {
    SimConfig c;
    std::string why;
    ASSERT_TRUE(parse({}, c, why)) << why;
    EXPECT_EQ(c.instances, 1u);
    EXPECT_EQ(c.name, "sim");
    EXPECT_EQ(c.mode, SimMode::Compute);
    EXPECT_FALSE(c.immediate());
}

TEST(SimConfig, EveryKey) {
    SimConfig c;
    std::string why;
    ASSERT_TRUE(parse({{"instances", "3"},
                       {"name", "fake"},
                       {"mode", "null"},
                       {"latency-us", "250"},
                       {"rate-mbps", "800.5"},
                       {"queue-len", "64"},
                       {"slots", "4"},
                       {"fail-rate", "0.25"},
                       {"stall-rate", "0.5"},
                       {"stall-ms", "7"},
                       {"break-after", "99"},
                       {"seed", "42"},
                       {"break-ms", "250"},
                       {"stall-first", "3"}},
                      c, why))
        << why;
    EXPECT_EQ(c.instances, 3u);
    EXPECT_EQ(c.name, "fake");
    EXPECT_EQ(c.mode, SimMode::Null);
    EXPECT_EQ(c.latency_us, 250u);
    EXPECT_DOUBLE_EQ(c.rate_mbps, 800.5);
    EXPECT_EQ(c.queue_len, 64u);
    EXPECT_EQ(c.slots, 4u);
    EXPECT_DOUBLE_EQ(c.fail_rate, 0.25);
    EXPECT_DOUBLE_EQ(c.stall_rate, 0.5);
    EXPECT_EQ(c.stall_ms, 7u);
    EXPECT_EQ(c.break_after, 99u);
    EXPECT_EQ(c.seed, 42u);
    EXPECT_EQ(c.break_ms, 250u);
    EXPECT_EQ(c.stall_first, 3u);
}

TEST(SimConfig, ImmediateOnlyForUntimedNull) {
    SimConfig c;
    std::string why;
    ASSERT_TRUE(parse({{"mode", "null"}}, c, why));
    EXPECT_TRUE(c.immediate());
    ASSERT_TRUE(parse({{"mode", "null"}, {"latency-us", "1"}}, c, why));
    EXPECT_FALSE(c.immediate());
    ASSERT_TRUE(parse({{"mode", "null"}, {"stall-first", "1"}}, c, why));
    EXPECT_FALSE(c.immediate());
    ASSERT_TRUE(parse({{"mode", "null"}, {"stall-rate", "0.1"}}, c, why));
    EXPECT_FALSE(c.immediate());
}

TEST(SimConfig, BadValuesNamed) {
    const std::vector<std::pair<const char *, const char *>> bad = {
        {"instances", "0"},    {"instances", "x"}, {"mode", "fast"},     {"fail-rate", "1.5"},
        {"stall-rate", "-1"},  {"slots", "0"},     {"queue-len", "-3"},  {"rate-mbps", "nan"},
        {"latency-us", "1e3"}, {"name", ""},       {"break-after", "-1"}};
    for (auto &[k, v] : bad) {
        SimConfig c;
        std::string why;
        EXPECT_FALSE(parse({{k, v}}, c, why)) << k << "=" << v;
        EXPECT_NE(why.find(k), std::string::npos) << why;
    }
}

TEST(SimConfig, UnknownKeyNamed) {
    SimConfig c;
    std::string why;
    EXPECT_FALSE(parse({{"latency", "5"}}, c, why));
    EXPECT_NE(why.find("'latency'"), std::string::npos) << why;
}

TEST(SimConfig, KeyNamesTableComplete) {
    size_t n = 0;
    while (kSimKeyNames[n]) ++n;
    EXPECT_EQ(n, static_cast<size_t>(SimKey::Count));
}

} // namespace
} // namespace acrypto::soft::sim
