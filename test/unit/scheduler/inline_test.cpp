// SPDX-License-Identifier: Apache-2.0
// Inline runs on the caller's thread and the offload threshold.
#include <thread>
#include <vector>

#include "inline_model.hpp"
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Inline = SchedFixture;

TEST(InlineSizeClass, KernelAndCostModelAgreeOnEveryBoundary) {
    // The kernel reads the model's decision bits with its own size_class: one
    // scheme, checked at every power of two and either side of it.
    std::vector<uint64_t> lens{0, 1};
    for (int b = 1; b < 64; ++b) {
        const uint64_t p = uint64_t{1} << b;
        lens.insert(lens.end(), {p - 1, p, p + 1});
    }
    lens.push_back(~uint64_t{0});
    for (uint64_t len : lens)
        EXPECT_EQ(Kernel::size_class(len), detail::InlineModel::size_class(len)) << len;
    EXPECT_EQ(Kernel::size_class(16), 0u);
    EXPECT_EQ(Kernel::size_class(64), 2u);
    EXPECT_EQ(Kernel::size_class(~uint64_t{0}), Kernel::kSizeClasses - 1);
}

TEST_F(Inline, RunsOnInlineDeviceAndFinishes) {
    make();
    open({{"names", "q0"}, {"mode", "manual"}});
    open({{"names", "in0"}, {"inline", "1"}});
    auto s = cipher(48);
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    EXPECT_EQ(core_->run_inline(*s), ACRYPTO_OK);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_STREQ(s->last_device(), "in0");
    EXPECT_TRUE(fake_output_ok(s->step(0)));
    EXPECT_EQ(fake("in0")->inline_calls.load(), 1u);
    EXPECT_EQ(fake("q0")->pull(4), 0u);
    EXPECT_EQ(stat("inline"), 1u);
}

TEST_F(Inline, NoInlineDeviceLeavesSessionUntouched) {
    make();
    open({{"names", "q0"}, {"mode", "manual"}});
    auto s = cipher();
    EXPECT_EQ(core_->run_inline(*s), ACRYPTO_E_UNSUPPORTED);
    EXPECT_FALSE(s->done());
    EXPECT_EQ(core_->submit(s), Errc::Ok); // still submittable
    fake("q0")->pull(1);
    fake("q0")->complete_all(ACRYPTO_OK);
    EXPECT_TRUE(s->done());
}

TEST_F(Inline, InlineFailureFinishesWithStatus) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"status", "-7"}});
    auto s = cipher();
    EXPECT_EQ(core_->run_inline(*s), ACRYPTO_E_VERIFY);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_VERIFY);
    EXPECT_EQ(stat("inline-failed"), 1u);
}

TEST_F(Inline, MultiStepRouteInline) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"caps", "aes-cbc"}, {"tag", "1"}});
    open({{"names", "in1"}, {"inline", "1"}, {"caps", "hmac-sha256"}, {"tag", "2"}});
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    EXPECT_EQ(core_->run_inline(*s), ACRYPTO_OK);
    EXPECT_EQ(s->step(0).tag[0], 1);
    EXPECT_EQ(s->step(1).tag[0], 2);
    EXPECT_STREQ(s->last_device(), "in1");
}

TEST_F(Inline, PreferInlineFollowsThreshold) {
    make();
    open({{"names", "in0"}, {"inline", "1"}});
    auto s = cipher(64);
    EXPECT_FALSE(core_->prefer_inline(s->step(0))); // threshold 0: never
    core_->set_inline_threshold(64);
    EXPECT_TRUE(core_->prefer_inline(s->step(0)));
    core_->set_inline_threshold(63);
    EXPECT_FALSE(core_->prefer_inline(s->step(0)));
    core_->set_inline_threshold(4096);
    acrypto_step st = s->step(0);
    st.mode = ACRYPTO_MODE_XTS; // no inline capability
    EXPECT_FALSE(core_->prefer_inline(st));
}

TEST_F(Inline, BoundSessionUsesOnlyItsInlineDevice) {
    make();
    open({{"names", "in0,in1"}, {"inline", "1"}});
    auto s = cipher();
    s->bind("in1");
    EXPECT_EQ(core_->run_inline(*s), ACRYPTO_OK);
    EXPECT_STREQ(s->last_device(), "in1");
}

// The cost model (inline-threshold = auto). Devices state latency and rate; the
// model starts from those and then learns from measured runs.

TEST_F(Inline, CostModelOffloadsLargeStepsToAFastFarDevice) {
    make();
    // Inline at 1 GB/s on the caller's thread; far device: 20 us away, 20 GB/s.
    open({{"names", "in0"}, {"inline", "1"}, {"rate-bps", "1e9"}, {"latency-ns", "30000"}});
    open({{"names", "far0"}, {"rate-bps", "2e10"}, {"latency-ns", "20000"}});
    auto small = cipher(1024);
    auto large = cipher(1 << 20);
    // A blocking caller: 1 KiB takes ~1 us inline against 20 us away; 1 MiB ~1 ms against ~72 us.
    EXPECT_TRUE(core_->prefer_inline(small->step(0), InlineCaller::Blocking));
    EXPECT_FALSE(core_->prefer_inline(large->step(0), InlineCaller::Blocking));
    const InlineEstimate e = core_->inline_estimate(large->step(0));
    EXPECT_GT(e.inline_ns, e.offload_ns);
    // A pausing caller pays only the pause: small inline, large offloaded.
    EXPECT_TRUE(core_->prefer_inline(small->step(0), InlineCaller::Paused));
    EXPECT_FALSE(core_->prefer_inline(large->step(0), InlineCaller::Paused));
}

TEST_F(Inline, CostModelKeepsInlineWhenOffloadWouldLose) {
    make();
    // The reverse: the only other device is slower than the caller's thread.
    open({{"names", "in0"}, {"inline", "1"}, {"rate-bps", "2e9"}, {"latency-ns", "15000"}});
    open({{"names", "slow0"}, {"rate-bps", "1e8"}, {"latency-ns", "50000"}});
    for (size_t len : {size_t{16}, size_t{4096}, size_t{1} << 20}) {
        auto s = cipher(len);
        EXPECT_TRUE(core_->prefer_inline(s->step(0), InlineCaller::Blocking)) << len;
    }
    // No inline device for the step: never inline.
    auto s = cipher(64);
    acrypto_step st = s->step(0);
    st.mode = ACRYPTO_MODE_XTS;
    EXPECT_FALSE(core_->prefer_inline(st, InlineCaller::Blocking));
    EXPECT_FALSE(core_->prefer_inline(st, InlineCaller::Paused));
}

TEST_F(Inline, CostModelLearnsFromMeasuredCosts) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"rate-bps", "1e9"}});
    open({{"names", "far0"}, {"rate-bps", "2e10"}, {"latency-ns", "20000"}});
    auto s = cipher(256 << 10); // priors: ~250 us inline, ~33 us away
    EXPECT_FALSE(core_->prefer_inline(s->step(0), InlineCaller::Blocking));
    // One outlier does not flip the decision (a sample counts at most 2x the estimate).
    core_->observe_offload(s->step(0), 100000000);
    EXPECT_FALSE(core_->prefer_inline(s->step(0), InlineCaller::Blocking));
    // Offloads turn out to take 1 ms each (a loaded device): inline wins now.
    for (int i = 0; i < 256; ++i) core_->observe_offload(s->step(0), 1000000);
    EXPECT_TRUE(core_->prefer_inline(s->step(0), InlineCaller::Blocking));
    EXPECT_NEAR(core_->inline_estimate(s->step(0)).offload_ns, 1000000.0, 50000.0);
    // A faster measurement is taken at once.
    core_->observe_offload(s->step(0), 900000);
    EXPECT_EQ(core_->inline_estimate(s->step(0)).offload_ns, 900000u);
    // Inline runs then turn out slower still (2 ms): offload again.
    for (int i = 0; i < 64; ++i) core_->observe_inline(s->step(0), 2000000);
    EXPECT_FALSE(core_->prefer_inline(s->step(0), InlineCaller::Blocking));
    // Another size class keeps its own figures.
    auto small = cipher(512);
    EXPECT_TRUE(core_->prefer_inline(small->step(0), InlineCaller::Blocking));
}

TEST_F(Inline, RunInlineFeedsTheCostModel) {
    make();
    // Stated at 1 kB/s: the prior for 64 bytes is about 0.1 s, far above any real run.
    open({{"names", "in0"}, {"inline", "1"}, {"rate-bps", "1e3"}});
    auto s = cipher(64);
    const uint32_t prior = core_->inline_estimate(s->step(0)).inline_ns;
    ASSERT_GT(prior, 10000000u);
    // Its only offload target is itself at the same rate: a pausing caller gains nothing.
    EXPECT_TRUE(core_->prefer_inline(s->step(0), InlineCaller::Paused));
    // One inline run in kSampleEvery is timed and moves the estimate toward the
    // measured time. A fresh thread makes the count deterministic.
    std::thread([&] {
        for (uint32_t i = 0; i + 1 < detail::InlineModel::kSampleEvery; ++i) {
            auto r = cipher(64);
            EXPECT_EQ(core_->run_inline(*r), ACRYPTO_OK);
        }
        EXPECT_EQ(core_->inline_estimate(s->step(0)).inline_ns, prior);
        EXPECT_EQ(core_->run_inline(*s), ACRYPTO_OK);
    }).join();
    auto s2 = cipher(64);
    EXPECT_LT(core_->inline_estimate(s2->step(0)).inline_ns, prior);
}

TEST_F(Inline, PausingCallerOffloadsOnlyToAMuchFasterDevice) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"rate-bps", "1e9"}});
    // 1.5x the caller's own rate: the offload would cost the caller its per-operation
    // overhead and add little capacity. Small steps stay inline whatever the rates.
    open({{"names", "lane0"}, {"rate-bps", "1.5e9"}, {"latency-ns", "20000"}});
    auto large = cipher(64 << 10);
    auto small = cipher(256);
    EXPECT_TRUE(core_->prefer_inline(large->step(0), InlineCaller::Paused));
    EXPECT_TRUE(core_->prefer_inline(small->step(0), InlineCaller::Paused));
    // A device twice as fast or more takes the large steps of pausing callers.
    open({{"names", "lane1"}, {"rate-bps", "4e9"}, {"latency-ns", "20000"}});
    EXPECT_FALSE(core_->prefer_inline(large->step(0), InlineCaller::Paused));
    EXPECT_TRUE(core_->prefer_inline(small->step(0), InlineCaller::Paused));
}

TEST_F(Inline, CostModelExploresInlineNowAndThen) {
    make();
    open({{"names", "in0"}, {"inline", "1"}, {"rate-bps", "1e9"}});
    open({{"names", "far0"}, {"rate-bps", "2e10"}, {"latency-ns", "20000"}});
    auto s = cipher(256 << 10);
    uint32_t inline_picks = 0;
    for (uint32_t i = 0; i < 2 * detail::InlineModel::kExploreEvery; ++i)
        inline_picks += core_->prefer_inline(s->step(0), InlineCaller::Blocking) ? 1 : 0;
    EXPECT_EQ(inline_picks, 2u);
}

} // namespace
} // namespace acrypto::sched::test
