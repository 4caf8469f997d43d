// SPDX-License-Identifier: Apache-2.0
// Queueing through the scheduler: priority order, aging, busy, binding.
#include <thread>

#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Queueing = SchedFixture;

TEST_F(Queueing, DeviceDequeuesByPriorityFifoWithin) {
    Options o;
    o.aging_ms = 0;
    make(o);
    open({{"names", "m0"}, {"mode", "manual"}});
    const uint32_t prios[] = {2, 5, 0, 5, 7, 2};
    std::vector<Ref<Session>> v;
    for (uint32_t p : prios) {
        v.push_back(cipher(16, p));
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    auto *m = fake("m0");
    EXPECT_EQ(m->data_ready_calls.load(), 6u);
    ASSERT_EQ(m->pull(16), 6u);
    const int order[] = {4, 1, 3, 0, 5, 2};
    for (int i = 0; i < 6; ++i) EXPECT_EQ(m->held[i], &v[order[i]]->c()) << i;
    m->complete_all(ACRYPTO_OK);
    for (auto &s : v) {
        ASSERT_TRUE(s->done());
        EXPECT_EQ(s->status(), ACRYPTO_OK);
        EXPECT_TRUE(fake_output_ok(s->step(0)));
        EXPECT_STREQ(s->last_device(), "m0");
    }
}

TEST_F(Queueing, AgedLowPriorityIsNotStarved) {
    Options o;
    o.aging_ms = 1;
    make(o);
    open({{"names", "m0"}, {"mode", "manual"}});
    auto low = cipher(16, 0);
    ASSERT_EQ(core_->submit(low), Errc::Ok);
    // 7 levels at 1 ms each; the coarse clock ticks every few ms, so wait well past it.
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    auto high = cipher(16, 7);
    ASSERT_EQ(core_->submit(high), Errc::Ok);
    auto *m = fake("m0");
    ASSERT_EQ(m->pull(1), 1u);
    EXPECT_EQ(m->held[0], &low->c());
    m->complete_all(ACRYPTO_OK);
    ASSERT_EQ(m->pull(1), 1u);
    m->complete_all(ACRYPTO_OK);
    EXPECT_TRUE(high->done());
}

TEST_F(Queueing, FullDeviceIsBusyAndNothingIsQueued) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}, {"queue-len", "2"}});
    auto a = cipher(), b = cipher(), c = cipher();
    DoneCount dc;
    c->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(a), Errc::Ok);
    ASSERT_EQ(core_->submit(b), Errc::Ok);
    EXPECT_EQ(core_->submit(c), Errc::Busy);
    EXPECT_EQ(stat("busy"), 1u);
    EXPECT_EQ(stat("dev.m0.queued"), 2u);
    EXPECT_EQ(c->refcount(), 1u); // the scheduler kept no reference
    auto *m = fake("m0");
    ASSERT_EQ(m->pull(1), 1u); // in flight no longer counts against the queue
    EXPECT_EQ(core_->submit(c), Errc::Ok);
    m->pull(8);
    m->complete_all(ACRYPTO_OK);
    EXPECT_TRUE(a->done() && b->done() && c->done());
    EXPECT_EQ(dc.calls.load(), 1);
}

TEST_F(Queueing, FullDeviceSpillsToAnother) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}, {"queue-len", "1"}});
    auto a = cipher(), b = cipher(), c = cipher();
    ASSERT_EQ(core_->submit(a), Errc::Ok);
    ASSERT_EQ(core_->submit(b), Errc::Ok);
    EXPECT_EQ(core_->submit(c), Errc::Busy);
    EXPECT_EQ(fake("m0")->pull(4), 1u);
    EXPECT_EQ(fake("m1")->pull(4), 1u);
}

TEST_F(Queueing, BoundSessionGoesOnlyToItsDevice) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 4; ++i) {
        v.push_back(cipher());
        v.back()->bind("m1");
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    EXPECT_EQ(fake("m0")->pull(8), 0u);
    EXPECT_EQ(fake("m1")->pull(8), 4u);
    fake("m1")->complete_all(ACRYPTO_OK);
    for (auto &s : v) EXPECT_STREQ(s->last_device(), "m1");
}

TEST_F(Queueing, BoundToMissingBrokenOrIncapableIsRefused) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}, {"caps", "sha256"}});
    open({{"names", "m1"}, {"mode", "manual"}});
    auto s = cipher();
    s->bind("nope");
    EXPECT_EQ(core_->submit(s), Errc::Bound);
    s->bind("m0"); // no AES there
    EXPECT_EQ(core_->submit(s), Errc::Bound);
    fake("m1")->hops->mark_broken_fn(fake("m1")->host, "test");
    s->bind("m1");
    EXPECT_EQ(core_->submit(s), Errc::Bound);
    EXPECT_FALSE(s->done());
    EXPECT_EQ(stat("bound"), 3u);
}

TEST_F(Queueing, BoundDeviceFullIsBusyNotMoved) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}, {"queue-len", "1"}});
    auto a = cipher(), b = cipher();
    a->bind("m0");
    b->bind("m0");
    ASSERT_EQ(core_->submit(a), Errc::Ok);
    EXPECT_EQ(core_->submit(b), Errc::Busy);
    EXPECT_EQ(fake("m1")->pull(4), 0u);
}

TEST_F(Queueing, BoundSessionFailsWhenItsDeviceBreaks) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    auto queued = cipher(), held = cipher();
    held->bind("m0");
    queued->bind("m0");
    ASSERT_EQ(core_->submit(held), Errc::Ok);
    ASSERT_EQ(fake("m0")->pull(1), 1u);
    ASSERT_EQ(core_->submit(queued), Errc::Ok);
    auto *m = fake("m0");
    m->hops->mark_broken_fn(m->host, "fell off the bus");
    ASSERT_TRUE(queued->done());
    EXPECT_EQ(queued->status(), ACRYPTO_E_BOUND);
    EXPECT_FALSE(held->done());
    m->complete_all(ACRYPTO_E_DEVICE);
    ASSERT_TRUE(held->done());
    EXPECT_EQ(held->status(), ACRYPTO_E_BOUND);
    EXPECT_EQ(fake("m1")->pull(4), 0u); // never moved
    auto devs = core_->devices();
    EXPECT_TRUE(devs[0].broken);
    EXPECT_EQ(devs[0].broken_reason, "fell off the bus");
}

TEST_F(Queueing, PendingCountsQueuedOnly) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}});
    auto a = cipher(), b = cipher();
    ASSERT_EQ(core_->submit(a), Errc::Ok);
    ASSERT_EQ(core_->submit(b), Errc::Ok);
    auto *m = fake("m0");
    EXPECT_EQ(m->hops->pending_fn(m->host), 2u);
    m->pull(1);
    EXPECT_EQ(m->hops->pending_fn(m->host), 1u);
    EXPECT_EQ(core_->devices()[0].in_flight, 1u);
    m->pull(1);
    m->complete_all(ACRYPTO_OK);
    EXPECT_EQ(core_->devices()[0].in_flight, 0u);
}

} // namespace
} // namespace acrypto::sched::test

namespace acrypto::sched::test {
namespace {

TEST_F(Queueing, SecondSubmitOfAQueuedSessionIsRefused) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}});
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    EXPECT_EQ(core_->submit(s), Errc::InvalidInput);
    ASSERT_EQ(fake("m0")->pull(4), 1u);
    fake("m0")->complete_all(ACRYPTO_OK);
    EXPECT_EQ(core_->submit(s), Errc::InvalidInput); // done: rearm first
    s->rearm();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    ASSERT_EQ(fake("m0")->pull(4), 1u);
    fake("m0")->complete_all(ACRYPTO_OK);
    EXPECT_TRUE(s->done());
}

TEST_F(Queueing, BoundRouteMustFitTheBoundDevice) {
    make();
    open({{"names", "c0"}, {"mode", "manual"}, {"caps", "aes-cbc"}});
    open({{"names", "h0"}, {"mode", "manual"}, {"caps", "aes-cbc,hmac-sha256"}});
    auto s = Session::make(2, 256);
    fill_cipher_step(*s, 0, 32);
    fill_hmac_step(*s, 1, 32);
    s->bind("c0");
    EXPECT_EQ(core_->submit(s), Errc::Bound);
    s->bind("h0");
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    for (int i = 0; i < 2; ++i) {
        ASSERT_EQ(fake("h0")->pull(4), 1u);
        fake("h0")->complete_all(ACRYPTO_OK);
    }
    EXPECT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_OK);
}

} // namespace
} // namespace acrypto::sched::test
