// SPDX-License-Identifier: Apache-2.0
// Bound inline kernels: which device binds, staleness, statistics, older driver tables.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using KernelBind = SchedFixture;

TEST_F(KernelBind, BindsOnTheInlineDeviceAndRunsWithoutASession) {
    make();
    open({{"names", "q0"}, {"mode", "manual"}, {"kernel", "1"}}); // not inline: never asked
    open({{"names", "in0"}, {"inline", "1"}, {"kernel", "1"}});
    auto s = cipher(64);
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k.ok()) << k.error().message;
    EXPECT_EQ(fake("in0")->kernels_bound.load(), 1u);
    EXPECT_EQ(fake("q0")->kernels_bound.load(), 0u);
    EXPECT_EQ(k.value().max_len(), 4096u);
    uint8_t src[64], dst[64], iv[16] = {};
    for (int i = 0; i < 64; ++i) src[i] = static_cast<uint8_t>(i);
    for (int r = 0; r < 3; ++r) ASSERT_EQ(k.value().run(src, dst, 64, iv, nullptr), ACRYPTO_OK);
    for (int i = 0; i < 64; ++i) ASSERT_EQ(dst[i], src[i] ^ 0x5a);
    EXPECT_EQ(iv[0], 3);
    EXPECT_EQ(fake("in0")->kernel_runs.load(), 3u);
    EXPECT_EQ(fake("in0")->inline_calls.load(), 0u); // no session went through run_inline
    // Counted in the statistics in batches: all of them once the kernel is released.
    k.value().reset();
    EXPECT_EQ(fake("in0")->kernels_released.load(), 1u);
    EXPECT_EQ(stat("inline"), 3u);
    EXPECT_EQ(stat("dev.in0.inline"), 3u);
    EXPECT_EQ(stat("alg.aes.bytes"), 3u * 64);
}

TEST_F(KernelBind, HardwareInlineDeviceIsPreferred) {
    make();
    open({{"names", "soft0"}, {"inline", "1"}, {"kernel", "1"}});
    open({{"names", "hw0"}, {"inline", "1"}, {"kernel", "1"}, {"hardware", "1"}});
    auto s = cipher();
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k.ok());
    EXPECT_EQ(fake("hw0")->kernels_bound.load(), 1u);
    EXPECT_EQ(fake("soft0")->kernels_bound.load(), 0u);
}

TEST_F(KernelBind, NoKernelMeansUnsupported) {
    make();
    open({{"names", "in0"}, {"inline", "1"}}); // inline, but offers no kernel
    auto s = cipher();
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_FALSE(k.ok());
    EXPECT_EQ(k.error().code, Errc::Unsupported);
    // A step no inline device matches.
    open({{"names", "in1"}, {"inline", "1"}, {"kernel", "1"}, {"caps", "sha256"}});
    acrypto_step st = s->step(0);
    st.mode = ACRYPTO_MODE_XTS;
    EXPECT_FALSE(core_->bind_kernel(st).ok());
}

TEST_F(KernelBind, StaleWhenTheDeviceBreaksOrADeviceIsAdded) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"kernel", "1"}});
    auto s = cipher();
    uint8_t buf[32] = {}, iv[16] = {};
    {
        auto k = core_->bind_kernel(s->step(0));
        ASSERT_TRUE(k.ok());
        ASSERT_EQ(k.value().run(buf, buf, 32, iv, nullptr), ACRYPTO_OK);
        open({{"names", "in1"}, {"inline", "1"}, {"kernel", "1"}});
        const uint8_t before = buf[0];
        EXPECT_EQ(k.value().run(buf, buf, 32, iv, nullptr), ACRYPTO_E_UNSUPPORTED);
        EXPECT_EQ(buf[0], before) << "a stale kernel touches nothing";
    }
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k.ok());
    ASSERT_EQ(k.value().run(buf, buf, 32, iv, nullptr), ACRYPTO_OK);
    FakeDevice *d = fake("in0");
    d->hops->mark_broken_fn(d->host, "test");
    EXPECT_EQ(k.value().run(buf, buf, 32, iv, nullptr), ACRYPTO_E_UNSUPPORTED);
    // Bound again, on the device still healthy.
    auto k2 = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k2.ok());
    EXPECT_EQ(fake("in1")->kernels_bound.load(), 1u);
    // Shutdown makes every kernel stale; releasing one after it is fine.
    core_->shutdown();
    EXPECT_EQ(k2.value().run(buf, buf, 32, iv, nullptr), ACRYPTO_E_UNSUPPORTED);
    k2.value().reset();
    EXPECT_EQ(fake("in1")->kernels_released.load(), 1u);
}

TEST_F(KernelBind, KernelOfAnotherLayoutIsRefusedAndReleased) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"kernel", "old"}});
    auto s = cipher();
    auto k = core_->bind_kernel(s->step(0));
    EXPECT_FALSE(k.ok());
    EXPECT_EQ(fake("in0")->kernels_bound.load(), 1u);
    EXPECT_EQ(fake("in0")->kernels_released.load(), 1u);
}

TEST_F(KernelBind, FailedRunsAreCounted) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"kernel", "1"}, {"status", "-7"}});
    auto s = cipher();
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k.ok());
    uint8_t buf[16] = {}, iv[16] = {};
    EXPECT_EQ(k.value().run(buf, buf, 16, iv, nullptr), ACRYPTO_E_VERIFY);
    k.value().reset();
    EXPECT_EQ(stat("inline-failed"), 1u);
    EXPECT_EQ(stat("dev.in0.failed"), 1u);
}

TEST_F(KernelBind, MovedKernelIsReleasedOnce) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"kernel", "1"}});
    auto s = cipher();
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k.ok());
    Kernel a = std::move(k.value());
    Kernel b;
    b = std::move(a);
    EXPECT_FALSE(a); // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    EXPECT_TRUE(b);
    b.reset();
    b.reset();
    EXPECT_EQ(fake("in0")->kernels_released.load(), 1u);
}

TEST_F(KernelBind, CostModelBitsFollowTheStep) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"kernel", "1"}, {"rate-bps", "1e9"}});
    open({{"names", "far0"}, {"rate-bps", "2e10"}, {"latency-ns", "20000"}});
    auto s = cipher();
    auto k = core_->bind_kernel(s->step(0));
    ASSERT_TRUE(k.ok());
    const uint32_t small = Kernel::size_class(1024), large = Kernel::size_class(1 << 20);
    EXPECT_TRUE((k.value().inline_classes(InlineCaller::Blocking) >> small) & 1u);
    EXPECT_FALSE((k.value().inline_classes(InlineCaller::Blocking) >> large) & 1u);
    EXPECT_FALSE((k.value().inline_classes(InlineCaller::Paused) >> large) & 1u);
}

TEST(KernelDriverTable, FirstAbi1TableLoadsWithoutKernels) {
    auto r = SchedulerCore::create({});
    ASSERT_TRUE(r.ok());
    auto core = std::move(r.value());
    auto a = core->add_driver(fake_driver_v1_0());
    ASSERT_TRUE(a.ok()) << a.error().message;
    Config c;
    c.set("names", "old0");
    c.set("inline", "1");
    c.set("kernel", "1");
    ASSERT_TRUE(core->open_devices("fake10", c).ok());
    acrypto_step st{};
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = ACRYPTO_ALG_AES;
    st.mode = ACRYPTO_MODE_CBC;
    st.dir = ACRYPTO_DIR_ENCRYPT;
    const uint8_t key[16] = {};
    auto key_ref = core->make_key(ACRYPTO_ALG_AES, key, sizeof key);
    st.key = &key_ref->c();
    st.iv_len = 16;
    auto k = core->bind_kernel(st);
    EXPECT_FALSE(k.ok()) << "bind_kernel_fn lies beyond the table's struct_size";
    EXPECT_EQ(fake("old0")->kernels_bound.load(), 0u);
    core->shutdown();
}

} // namespace
} // namespace acrypto::sched::test
