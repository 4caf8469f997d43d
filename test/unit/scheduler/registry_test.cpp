// SPDX-License-Identifier: Apache-2.0
// Driver registry, device opening, capability queries, self-test, entropy, plugins.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Registry = SchedFixture;

int noop_probe(const acrypto_config *, uint32_t *n, char *, size_t) {
    *n = 0;
    return 0;
}
int noop_open(const acrypto_config *, uint32_t, acrypto_host *, const acrypto_host_ops *, void **,
              acrypto_device_desc *, char *, size_t) {
    return 0;
}
void noop_ready(void *) {}
void noop_close(void *) {}

acrypto_device_driver table(const char *name) {
    acrypto_device_driver d{};
    d.abi_version = ACRYPTO_ABI_VERSION;
    d.struct_size = sizeof(d);
    d.name = name;
    d.probe_fn = noop_probe;
    d.open_fn = noop_open;
    d.data_ready_fn = noop_ready;
    d.close_fn = noop_close;
    return d;
}

TEST_F(Registry, AddDriverChecksAbiAndNamesTheDriver) {
    make();
    static acrypto_device_driver bad_version = table("oldie");
    bad_version.abi_version = 99;
    auto r = core_->add_driver(&bad_version);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("oldie"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("ABI version"), std::string::npos);

    static acrypto_device_driver small = table("tiny");
    small.struct_size = 8;
    r = core_->add_driver(&small);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("tiny"), std::string::npos);

    static acrypto_device_driver no_ready = table("lazy");
    no_ready.data_ready_fn = nullptr;
    r = core_->add_driver(&no_ready);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("lazy"), std::string::npos);
    EXPECT_NE(r.error().message.find("data_ready_fn"), std::string::npos);

    static acrypto_device_driver dup = table("fake");
    r = core_->add_driver(&dup);
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(core_->add_driver(fake_driver()).ok()); // same table again: fine
}

TEST_F(Registry, OpenDevicesReportsNoneFound) {
    make();
    static acrypto_device_driver none = table("none");
    ASSERT_TRUE(core_->add_driver(&none).ok());
    auto r = core_->open_devices("none", {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("none"), std::string::npos);
    EXPECT_NE(r.error().message.find("no device found"), std::string::npos);
    auto u = core_->open_devices("missing", {});
    ASSERT_FALSE(u.ok());
    EXPECT_NE(u.error().message.find("missing"), std::string::npos);
    auto bad = core_->open_devices("fake", Config{{"names", "a"}, {"bogus", "1"}});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("bogus"), std::string::npos);
}

TEST_F(Registry, OpensInstancesAndListsThem) {
    make();
    auto r = core_->open_devices(
        "fake",
        Config{{"names", "f0,f1"}, {"caps", "aes-cbc,rng"}, {"queue-len", "5"}, {"entropy", "1"}});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), 2u);
    auto devs = core_->devices();
    ASSERT_EQ(devs.size(), 2u);
    EXPECT_EQ(devs[0].name, "f0");
    EXPECT_EQ(devs[1].name, "f1");
    EXPECT_EQ(devs[1].driver, "fake");
    EXPECT_EQ(devs[0].queue_len, 5u);
    EXPECT_EQ(devs[0].caps.size(), 2u);
    EXPECT_FALSE(devs[0].broken);
    // Instance names are unique.
    auto again = core_->open_devices("fake", Config{{"names", "f0"}});
    EXPECT_FALSE(again.ok());
    EXPECT_EQ(core_->devices().size(), 2u);
}

TEST_F(Registry, SupportsMatchesCapabilities) {
    make();
    open({{"names", "f0"}, {"caps", "aes-cbc-small,sha256"}});
    auto s = cipher(32);
    EXPECT_TRUE(core_->supports(s->step(0)));
    auto big = cipher(128); // above max_input 64
    EXPECT_FALSE(core_->supports(big->step(0)));
    acrypto_step st = s->step(0);
    st.mode = ACRYPTO_MODE_CTR;
    EXPECT_FALSE(core_->supports(st));
    acrypto_step d{};
    d.op = ACRYPTO_OP_DIGEST;
    d.alg = ACRYPTO_ALG_SHA256;
    d.flags = ACRYPTO_STEP_F_FIRST;
    EXPECT_TRUE(core_->supports(d)); // partial digests allowed by the capability
    // Key length outside the range.
    auto k24 = Session::make(1, 64);
    fill_cipher_step(*k24, 0, 32);
    uint8_t key[24] = {};
    k24->set_key(0, core_->make_key(ACRYPTO_ALG_AES, key, 24));
    EXPECT_FALSE(core_->supports(k24->step(0)));
    EXPECT_EQ(core_->submit(k24), Errc::Unsupported);
}

TEST_F(Registry, EntropyFromEntropyDevice) {
    make();
    uint8_t buf[8] = {};
    EXPECT_EQ(core_->get_entropy(buf, sizeof(buf)), ACRYPTO_E_UNSUPPORTED);
    open({{"names", "sw"}, {"caps", "rng"}, {"entropy", "1"}, {"tag", "3"}});
    open({{"names", "hw"}, {"caps", "rng"}, {"entropy", "1"}, {"hardware", "1"}, {"tag", "9"}});
    EXPECT_EQ(core_->get_entropy(buf, sizeof(buf)), ACRYPTO_OK);
    EXPECT_EQ(buf[7], 9); // the hardware source is preferred
}

TEST_F(Registry, SelfTestBreaksAndRevives) {
    make();
    open({{"names", "st0,st1"}, {"mode", "manual"}});
    std::vector<std::string> msgs;
    EXPECT_TRUE(core_->self_test(&msgs));
    fake("st1")->self_test_ok = false;
    msgs.clear();
    EXPECT_FALSE(core_->self_test(&msgs));
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_NE(msgs[0].find("st1"), std::string::npos);
    EXPECT_TRUE(core_->devices()[1].broken);
    fake("st1")->self_test_ok = true;
    msgs.clear();
    EXPECT_TRUE(core_->self_test(&msgs));
    EXPECT_FALSE(core_->devices()[1].broken);
}

TEST_F(Registry, PluginLoadRefusalNamesFileAndReason) {
    Options o;
    o.plugin_dir = "/nonexistent-acrypto-dir";
    make(o);
    auto r = core_->load_device_plugin("nosuch");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("/nonexistent-acrypto-dir/acrypto-dev-nosuch.so"),
              std::string::npos)
        << r.error().message;
    auto b = core_->load_balancer_plugin("/tmp/does-not-exist/acrypto-lb-x.so");
    ASSERT_FALSE(b.ok());
    EXPECT_NE(b.error().message.find("acrypto-lb-x.so"), std::string::npos);
    auto sel = core_->select_balancer("no-such-balancer", {});
    EXPECT_FALSE(sel.ok());
}

TEST_F(Registry, StatsIncludeDriverCounters) {
    make();
    open({{"names", "s0"}, {"mode", "auto"}});
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(stat("submitted"), 1u);
    EXPECT_EQ(stat("completed"), 1u);
    EXPECT_EQ(stat("dev.s0.completed"), 1u);
    EXPECT_EQ(stat("dev.s0.drv.data-ready"), 1u);
    EXPECT_EQ(stat("alg.aes.steps"), 1u);
    EXPECT_EQ(stat("alg.aes.bytes"), 32u);
    EXPECT_EQ(stat("prio.0.completed"), 1u);
}

} // namespace
} // namespace acrypto::sched::test

namespace acrypto::sched::test {
namespace {

struct LogSink {
    std::vector<std::string> lines;
    static void fn(void *arg, int level, const char *device, const char *msg) {
        static_cast<LogSink *>(arg)->lines.push_back(std::to_string(level) + ":" + device + ":" +
                                                     msg);
    }
};

TEST_F(Registry, DeviceLogGoesToSinkDebugGatedByEnv) {
    unsetenv("ACRYPTO_DEBUG");
    LogSink sink;
    Options o;
    o.log = LogSink::fn;
    o.log_arg = &sink;
    make(o);
    open({{"names", "l0"}, {"mode", "manual"}});
    auto *d = fake("l0");
    d->hops->log_fn(d->host, ACRYPTO_LOG_WARN, "ring stalled");
    d->hops->log_fn(d->host, ACRYPTO_LOG_DEBUG, "descriptor 3");
    ASSERT_EQ(sink.lines.size(), 1u);
    EXPECT_EQ(sink.lines[0], "1:l0:ring stalled");
    core_->shutdown();
    core_.reset();

    setenv("ACRYPTO_DEBUG", "1", 1);
    LogSink dbg;
    o.log_arg = &dbg;
    make(o);
    open({{"names", "l1"}, {"mode", "manual"}});
    d = fake("l1");
    d->hops->log_fn(d->host, ACRYPTO_LOG_DEBUG, "descriptor 4");
    unsetenv("ACRYPTO_DEBUG");
    bool seen = false;
    for (auto &l : dbg.lines) seen = seen || l == "3:l1:descriptor 4";
    EXPECT_TRUE(seen);
}

} // namespace
} // namespace acrypto::sched::test
