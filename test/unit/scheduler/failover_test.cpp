// SPDX-License-Identifier: Apache-2.0
// Failover: broken devices leave the candidate set, their sessions move (never twice),
// device faults are retried a bounded number of times, devices come back.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Failover = SchedFixture;

void break_dev(const char *name, const char *why = "test") {
    auto *d = fake(name);
    d->hops->mark_broken_fn(d->host, why);
}

TEST_F(Failover, QueuedSessionsMoveToACapableDevice) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 6; ++i) {
        v.push_back(cipher());
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    break_dev("m0");
    EXPECT_EQ(stat("rehashed"), 3u);
    EXPECT_EQ(fake("m0")->pull(16), 0u);
    EXPECT_EQ(fake("m1")->pull(16), 6u);
    fake("m1")->complete_all(ACRYPTO_OK);
    for (auto &s : v) {
        ASSERT_TRUE(s->done());
        EXPECT_EQ(s->status(), ACRYPTO_OK);
        EXPECT_STREQ(s->last_device(), "m1");
    }
    // The broken device gets nothing new.
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    EXPECT_EQ(fake("m0")->pull(4), 0u);
    EXPECT_EQ(fake("m1")->pull(4), 1u);
    fake("m1")->complete_all(ACRYPTO_OK);
}

TEST_F(Failover, NoCapableDeviceLeftFinishesWithError) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}});
    open({{"names", "d0"}, {"mode", "manual"}, {"caps", "sha256"}});
    auto s = cipher();
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    break_dev("m0");
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_DEVICE);
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_EQ(core_->submit(cipher()), Errc::Unsupported);
}

TEST_F(Failover, HeldSessionsComeBackAndMove) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}});
    auto a = cipher(), b = cipher();
    for (auto *s : {&a, &b}) {
        (*s)->step(0).iv[0] = 0x11;
        ASSERT_EQ(core_->submit(*s), Errc::Ok);
    }
    ASSERT_EQ(fake("m0")->pull(4), 2u);
    open({{"names", "m1"}, {"mode", "manual"}}); // hot-added
    break_dev("m0");
    // The device had written a chaining value before failing: it must not leak.
    fake("m0")->held[0]->steps[0].iv[0] = 0x99;
    fake("m0")->complete(0, ACRYPTO_E_DEVICE);
    // A late success from a device declared broken is not delivered.
    fake("m0")->complete(0, ACRYPTO_OK);
    EXPECT_FALSE(a->done());
    EXPECT_FALSE(b->done());
    ASSERT_EQ(fake("m1")->pull(4), 2u);
    for (auto *cs : fake("m1")->held) EXPECT_EQ(cs->steps[0].iv[0], 0x11);
    fake("m1")->complete_all(ACRYPTO_OK);
    for (auto *s : {&a, &b}) {
        ASSERT_TRUE((*s)->done());
        EXPECT_EQ((*s)->status(), ACRYPTO_OK);
        EXPECT_STREQ((*s)->last_device(), "m1");
    }
    EXPECT_EQ(stat("completed"), 2u);
    EXPECT_EQ(stat("duplicates"), 0u);
}

TEST_F(Failover, DeviceFaultFromHealthyDeviceRetriedElsewhere) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    // Least-loaded breaks ties towards the first device.
    FakeDevice *first = fake("m0");
    FakeDevice *other = fake("m1");
    ASSERT_EQ(first->pull(1), 1u);
    first->complete(0, ACRYPTO_E_TIMEOUT);
    EXPECT_FALSE(s->done());
    EXPECT_EQ(first->pull(4), 0u);
    ASSERT_EQ(other->pull(4), 1u);
    other->complete(0, ACRYPTO_OK);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_OK);
    EXPECT_EQ(stat("retries"), 1u);
    EXPECT_FALSE(core_->devices()[0].broken);
}

TEST_F(Failover, RetriesAreBounded) {
    Options o;
    o.max_retries = 2;
    make(o);
    open({{"names", "m0"}, {"mode", "manual"}});
    auto s = cipher();
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    for (int i = 0; i < 3; ++i) {
        ASSERT_EQ(fake("m0")->pull(1), 1u) << i; // only device: retried on it
        fake("m0")->complete(0, ACRYPTO_E_DEVICE);
    }
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_DEVICE);
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_EQ(stat("retries"), 2u);
    EXPECT_EQ(fake("m0")->pull(1), 0u);
}

TEST_F(Failover, BoundSessionIsNotRetriedElsewhere) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    auto s = cipher();
    s->bind("m1");
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    ASSERT_EQ(fake("m1")->pull(1), 1u);
    fake("m1")->complete(0, ACRYPTO_E_DEVICE);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_DEVICE);
    EXPECT_EQ(fake("m0")->pull(1), 0u);
}

TEST_F(Failover, RevivedDeviceTakesWorkAgain) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    break_dev("m0");
    std::vector<std::string> msgs;
    EXPECT_TRUE(core_->self_test(&msgs));
    EXPECT_FALSE(core_->devices()[0].broken);
    auto a = cipher(), b = cipher();
    ASSERT_EQ(core_->submit(a), Errc::Ok);
    ASSERT_EQ(core_->submit(b), Errc::Ok);
    EXPECT_EQ(fake("m0")->pull(4), 1u);
    EXPECT_EQ(fake("m1")->pull(4), 1u);
    EXPECT_EQ(stat("dev.m0.broken"), 1u);
}

TEST_F(Failover, RoutedStepAvoidsBrokenDevice) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc"}});
    open({{"names", "h0,h1"}, {"mode", "manual"}, {"caps", "hmac-sha256"}});
    break_dev("h0");
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    fake("c0")->pull(1);
    fake("c0")->complete(0, ACRYPTO_OK);
    EXPECT_EQ(fake("h0")->pull(4), 0u);
    ASSERT_EQ(fake("h1")->pull(4), 1u);
    fake("h1")->complete(0, ACRYPTO_OK);
    EXPECT_TRUE(s->done());
}

} // namespace
} // namespace acrypto::sched::test
