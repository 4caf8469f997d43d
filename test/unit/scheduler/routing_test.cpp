// SPDX-License-Identifier: Apache-2.0
// Routing: multi-step sessions placed step by step, fused capabilities, failing steps.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Routing = SchedFixture;

TEST_F(Routing, EachStepPlacedOnItsOwn) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc"}, {"tag", "1"}});
    open({{"names", "h0"}, {"mode", "manual"}, {"caps", "hmac-sha256"}, {"tag", "2"}});
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    EXPECT_EQ(fake("h0")->pull(4), 0u);
    ASSERT_EQ(fake("c0")->pull(4), 1u);
    EXPECT_EQ(fake("c0")->held[0]->cur, 0u);
    EXPECT_EQ(fake("c0")->held[0]->ncur, 1u);
    fake("c0")->complete(0, ACRYPTO_OK);
    EXPECT_FALSE(s->done());
    ASSERT_EQ(fake("h0")->pull(4), 1u);
    EXPECT_EQ(fake("h0")->held[0]->cur, 1u);
    fake("h0")->complete(0, ACRYPTO_OK);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_OK);
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_EQ(s->step(0).tag[0], 1);
    EXPECT_EQ(s->step(1).tag[0], 2);
    EXPECT_STREQ(s->last_device(), "h0");
    EXPECT_EQ(stat("routed"), 1u);
    EXPECT_EQ(stat("alg.aes.steps"), 1u);
    EXPECT_EQ(stat("alg.sha256.steps"), 1u);
}

TEST_F(Routing, FusedCapabilityTakesBothSteps) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc,hmac-sha256"}, {"tag", "1"}});
    open({{"names", "f0"}, {"mode", "manual"}, {"caps", "fused-aes-hmac"}, {"tag", "3"}});
    ASSERT_EQ(core_->select_balancer("round-robin", {}).ok(), true);
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 2; ++i) {
        auto x = Session::make(2, 256);
        fill_cipher_step(*x, 0, 32);
        fill_hmac_step(*x, 1, 32);
        ASSERT_EQ(core_->submit(x), Errc::Ok);
        v.push_back(x);
    }
    ASSERT_EQ(fake("f0")->pull(4), 1u);
    EXPECT_EQ(fake("f0")->held[0]->ncur, 2u);
    fake("f0")->complete(0, ACRYPTO_OK, 2);
    ASSERT_EQ(fake("c0")->pull(4), 1u);
    EXPECT_EQ(fake("c0")->held[0]->ncur, 1u);
    fake("c0")->complete(0, ACRYPTO_OK);
    ASSERT_EQ(fake("c0")->pull(4), 1u); // its second step
    fake("c0")->complete(0, ACRYPTO_OK);
    for (auto &x : v) {
        ASSERT_TRUE(x->done());
        EXPECT_EQ(x->status(), ACRYPTO_OK);
    }
    EXPECT_EQ(stat("fused"), 1u);
    int fused_runs = 0;
    for (auto &x : v) fused_runs += x->step(1).tag[0] == 3;
    EXPECT_EQ(fused_runs, 1);
}

TEST_F(Routing, FusedDeviceMayFinishOneStepOnly) {
    make();
    open({{"names", "f0"}, {"mode", "manual"}, {"caps", "fused-aes-hmac,hmac-sha256"}});
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    ASSERT_EQ(fake("f0")->pull(4), 1u);
    fake("f0")->complete(0, ACRYPTO_OK, 1);
    EXPECT_FALSE(s->done());
    ASSERT_EQ(fake("f0")->pull(4), 1u);
    EXPECT_EQ(fake("f0")->held[0]->cur, 1u);
    fake("f0")->complete(0, ACRYPTO_OK);
    EXPECT_TRUE(s->done());
}

TEST_F(Routing, FailureAtSecondStepFinishesOnce) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc,hmac-sha256"}});
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    fake("c0")->pull(1);
    fake("c0")->complete(0, ACRYPTO_OK);
    fake("c0")->pull(1);
    fake("c0")->complete(0, ACRYPTO_E_VERIFY);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_VERIFY);
    EXPECT_EQ(s->failed_step(), 1u);
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_EQ(stat("alg.sha256.failed"), 1u);
}

TEST_F(Routing, RouteNoDeviceCanFinishIsRefusedAtSubmit) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc"}});
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    EXPECT_EQ(core_->submit(s), Errc::Unsupported);
    EXPECT_EQ(fake("c0")->pull(1), 0u);
}

TEST_F(Routing, RouteStepOvercommitsAFullDevice) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc"}});
    open({{"names", "h0"}, {"mode", "manual"}, {"caps", "hmac-sha256"}, {"queue-len", "1"}});
    auto blocker = Session::make(1, 64);
    fill_hmac_step(*blocker, 0, 16);
    ASSERT_EQ(core_->submit(blocker), Errc::Ok); // h0 now full
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    fake("c0")->pull(1);
    fake("c0")->complete(0, ACRYPTO_OK);
    EXPECT_FALSE(s->done()); // a started route is not failed for lack of room
    EXPECT_EQ(fake("h0")->pull(4), 2u);
    fake("h0")->complete_all(ACRYPTO_OK);
    EXPECT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_OK);
}

} // namespace
} // namespace acrypto::sched::test
