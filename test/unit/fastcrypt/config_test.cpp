// SPDX-License-Identifier: Apache-2.0
// FastCrypt configuration and probe: defaults, strict parsing, "nothing found" reasons, refusals.
#include <gtest/gtest.h>

#include "config.hpp"
#include "device_harness.hpp"
#include "driver_table.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using acrypto::test::DeviceHarness;
using acrypto::test::KvList;

Result<DriverConfig> parse(const KvList &kv) {
    std::vector<acrypto_kv> items;
    for (auto &p : kv) items.push_back({p.first.c_str(), p.second.c_str()});
    acrypto_config c{items.data(), static_cast<uint32_t>(items.size())};
    return parse_config(&c);
}

TEST(FastcryptConfig, Defaults) {
    auto c = parse({});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->models, 0u);
    EXPECT_TRUE(c->pci_ids.empty());
    EXPECT_EQ(c->ring_size, 64u);
    EXPECT_EQ(c->inflight(), 63u);
    EXPECT_EQ(c->model.fault_rate, 0.0);
}

TEST(FastcryptConfig, EveryKeyParses) {
    auto c = parse({{"model", "2"},
                    {"pci-ids", "1234:5678,0xabcd:0x0001"},
                    {"ring-size", "4096"},
                    {"max-inflight", "100"},
                    {"watchdog-ms", "10"},
                    {"irq-poll-ms", "2"},
                    {"ready-timeout-ms", "50"},
                    {"max-retries", "5"},
                    {"max-recoveries", "9"},
                    {"model-reset-latency-us", "100"},
                    {"model-desc-ns", "1000"},
                    {"model-byte-ps", "500"},
                    {"model-max-xfer", "4096"},
                    {"model-dma64", "1"},
                    {"model-id", "0x12345678"},
                    {"model-version", "0x00010001"},
                    {"model-caps", "0x133"},
                    {"model-delay-ms", "7"},
                    {"fault-rate", "0.5"},
                    {"fault-kinds", "src-dma, stall"},
                    {"fault-seed", "42"}});
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->pci_ids.size(), 2u);
    EXPECT_EQ(c->inflight(), 100u);
    EXPECT_EQ(c->model.max_xfer, 4096u);
    EXPECT_EQ(c->model.fault_kinds, (1u << 0) | (1u << 5));
    EXPECT_EQ(c->model.caps, 0x133u) << "model-caps came after model-dma64";
    size_t n = 0;
    while (CONFIG_KEY_NAMES[n] != nullptr) ++n;
    EXPECT_EQ(n, 21u);
}

TEST(FastcryptConfig, BadValuesNameTheKey) {
    for (const KvList &kv : std::vector<KvList>{{{"ring-size", "100"}},
                                                {{"ring-size", "2"}},
                                                {{"model", "-1"}},
                                                {{"model", "x"}},
                                                {{"pci-ids", "zz:12"}},
                                                {{"fault-rate", "2"}},
                                                {{"fault-kinds", "meteor"}},
                                                {{"model-max-xfer", "12"}},
                                                {{"no-such-key", "1"}}}) {
        auto c = parse(kv);
        ASSERT_FALSE(c) << kv[0].first;
        EXPECT_NE(c.error().message.find(kv[0].first), std::string::npos) << c.error().message;
    }
}

TEST(FastcryptProbe, NoCardNoModelSaysWhy) {
    std::string why;
    EXPECT_EQ(DeviceHarness::probe(driver_table(), {}, &why), 0);
    EXPECT_NE(why.find("pci-ids"), std::string::npos) << why;
    EXPECT_NE(why.find("model = 0"), std::string::npos) << why;
}

TEST(FastcryptProbe, UnmatchedPciIdsSayWhy) {
    std::string why;
    // An ID no machine carries: nothing matches (or there is no PCI bus at all).
    EXPECT_EQ(DeviceHarness::probe(driver_table(), {{"pci-ids", "fffe:fffe"}}, &why), 0);
    EXPECT_FALSE(why.empty());
}

TEST(FastcryptProbe, BadKeyIsAnError) {
    std::string why;
    EXPECT_LT(DeviceHarness::probe(driver_table(), {{"bogus", "1"}}, &why), 0);
    EXPECT_NE(why.find("bogus"), std::string::npos) << why;
}

TEST(FastcryptProbe, ModelInstancesCounted) {
    EXPECT_EQ(DeviceHarness::probe(driver_table(), {{"model", "3"}}), 3);
}

TEST(FastcryptOpen, RefusesNonFpiV1) {
    for (const KvList &kv :
         std::vector<KvList>{{{"model", "1"}, {"model-id", "0x11223344"}},
                             {{"model", "1"}, {"model-version", "0x00020000"}}}) {
        std::string why;
        auto h = DeviceHarness::open(driver_table(), kv, 0, &why);
        EXPECT_FALSE(h);
        EXPECT_NE(why.find("not FPI"), std::string::npos) << why;
    }
}

TEST(FastcryptOpen, ResetLatencyIsPolled) {
    std::string why;
    auto h = DeviceHarness::open(driver_table(),
                                 {{"model", "1"}, {"model-reset-latency-us", "20000"}}, 0, &why);
    ASSERT_TRUE(h) << why;
    h->close();
    auto slow = DeviceHarness::open(
        driver_table(),
        {{"model", "1"}, {"model-reset-latency-us", "2000000"}, {"ready-timeout-ms", "20"}}, 0,
        &why);
    EXPECT_FALSE(slow);
    EXPECT_NE(why.find("READY"), std::string::npos) << why;
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
