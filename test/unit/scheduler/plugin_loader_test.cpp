// SPDX-License-Identifier: Apache-2.0
// Plugin loader: dlopen by name from plugin_dir or by path, ABI checks, clear refusals.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using PluginLoader = SchedFixture;

std::string dir() { return SCHED_TEST_PLUGIN_DIR; }

TEST_F(PluginLoader, LoadsDeviceByNameAndRunsIt) {
    Options o;
    o.plugin_dir = dir();
    make(o);
    auto r = core_->load_device_plugin("plugnull");
    ASSERT_TRUE(r.ok()) << r.error().message;
    auto n = core_->open_devices("plugnull", {});
    ASSERT_TRUE(n.ok()) << n.error().message;
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_OK);
    EXPECT_STREQ(s->last_device(), "plugnull");
}

TEST_F(PluginLoader, OpenDevicesLoadsPluginOnDemand) {
    Options o;
    o.plugin_dir = dir();
    make(o);
    auto n = core_->open_devices("plugnull", {});
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(n.value(), 1u);
}

TEST_F(PluginLoader, LoadsByPath) {
    make();
    auto r = core_->load_device_plugin(dir() + "/acrypto-dev-plugnull.so");
    ASSERT_TRUE(r.ok()) << r.error().message;
}

TEST_F(PluginLoader, RefusesWrongAbiNamingFileAndReason) {
    make();
    const std::string path = dir() + "/acrypto-dev-badabi.so";
    auto r = core_->load_device_plugin(path);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("ABI version 99"), std::string::npos) << r.error().message;
}

TEST_F(PluginLoader, RefusesMissingEntrySymbol) {
    make();
    const std::string path = dir() + "/acrypto-dev-noentry.so";
    auto r = core_->load_device_plugin(path);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(path), std::string::npos);
    EXPECT_NE(r.error().message.find(ACRYPTO_DEVICE_ENTRY), std::string::npos) << r.error().message;
}

TEST_F(PluginLoader, BalancerPluginSelectedByName) {
    Options o;
    o.plugin_dir = dir();
    o.balancer = "last"; // not built in: loaded from acrypto-lb-last.so
    make(o);
    open({{"names", "m0,m1,m2"}, {"mode", "manual"}});
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    EXPECT_EQ(fake("m2")->pull(4), 1u);
}

} // namespace
} // namespace acrypto::sched::test
