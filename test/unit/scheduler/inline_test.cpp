// SPDX-License-Identifier: Apache-2.0
// Inline runs on the caller's thread and the offload threshold.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Inline = SchedFixture;

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

} // namespace
} // namespace acrypto::sched::test
