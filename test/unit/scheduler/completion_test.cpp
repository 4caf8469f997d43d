// SPDX-License-Identifier: Apache-2.0
// Completion: exactly once, duplicates dropped, shutdown completes everything, key notices.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Completion = SchedFixture;

TEST_F(Completion, DuplicateCompletionIsCountedAndDropped) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}});
    auto s = cipher();
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    auto *m = fake("m0");
    ASSERT_EQ(m->pull(1), 1u);
    acrypto_session *cs = m->held[0];
    m->complete(0, ACRYPTO_OK);
    m->complete_raw(cs, ACRYPTO_OK, 1);
    m->complete_raw(cs, ACRYPTO_E_DEVICE, 1);
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_EQ(s->status(), ACRYPTO_OK);
    EXPECT_EQ(stat("duplicates"), 2u);
    EXPECT_EQ(stat("dev.m0.duplicates"), 2u);
    EXPECT_EQ(stat("completed"), 1u);
    EXPECT_EQ(s->refcount(), 1u);
}

TEST_F(Completion, CompletionFromADeviceThatDoesNotHoldItIsDropped) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    auto s = cipher();
    s->bind("m0");
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    auto *m0 = fake("m0");
    auto *m1 = fake("m1");
    // Queued, not dequeued: nobody holds it yet.
    m1->complete_raw(&s->c(), ACRYPTO_OK, 1);
    m0->complete_raw(&s->c(), ACRYPTO_OK, 1);
    EXPECT_FALSE(s->done());
    ASSERT_EQ(m0->pull(1), 1u);
    m1->complete_raw(&s->c(), ACRYPTO_OK, 1);
    EXPECT_FALSE(s->done());
    m0->complete(0, ACRYPTO_OK);
    EXPECT_TRUE(s->done());
    EXPECT_EQ(stat("duplicates"), 3u);
}

TEST_F(Completion, ErrorStatusFinishesOnceWithFailedStep) {
    make();
    open({{"names", "m0"}, {"mode", "manual"}});
    auto s = cipher();
    DoneCount dc;
    s->set_done(DoneCount::fn, &dc);
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    fake("m0")->pull(1);
    fake("m0")->complete(0, ACRYPTO_E_INVALID);
    ASSERT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_INVALID);
    EXPECT_EQ(s->failed_step(), 0u);
    EXPECT_EQ(dc.calls.load(), 1);
    EXPECT_EQ(stat("failed"), 1u);
    EXPECT_EQ(stat("alg.aes.failed"), 1u);
}

TEST_F(Completion, ShutdownCompletesQueuedAndHeld) {
    make();
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    std::vector<Ref<Session>> v;
    std::vector<std::unique_ptr<DoneCount>> dcs;
    for (int i = 0; i < 10; ++i) {
        v.push_back(cipher());
        dcs.push_back(std::make_unique<DoneCount>());
        v.back()->set_done(DoneCount::fn, dcs.back().get());
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    ASSERT_GT(fake("m0")->pull(2), 0u); // some held by the device
    core_->shutdown();
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(v[i]->done()) << i;
        EXPECT_EQ(v[i]->status(), ACRYPTO_E_SHUTDOWN);
        EXPECT_EQ(dcs[i]->calls.load(), 1);
        EXPECT_EQ(v[i]->refcount(), 1u);
    }
    EXPECT_EQ(stat("shutdown"), 10u);
    auto late = cipher();
    EXPECT_EQ(core_->submit(late), Errc::Shutdown);
    EXPECT_EQ(core_->run_inline(*late), ACRYPTO_E_SHUTDOWN);
    core_->shutdown(); // idempotent
}

TEST_F(Completion, ShutdownJoinsWorkerDevices) {
    make();
    open({{"names", "w0,w1"}, {"mode", "worker"}});
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 50; ++i) {
        v.push_back(cipher());
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    core_->shutdown();
    for (auto &s : v) {
        ASSERT_TRUE(s->done());
        EXPECT_TRUE(s->status() == ACRYPTO_OK || s->status() == ACRYPTO_E_SHUTDOWN) << s->status();
    }
    EXPECT_EQ(stat("completed") + stat("failed"), 50u);
}

TEST_F(Completion, KeyFreeReachesEveryDevice) {
    make();
    open({{"names", "k0,k1"}, {"mode", "manual"}});
    uint64_t id;
    {
        auto s = cipher();
        id = s->step(0).key->id;
        ASSERT_EQ(core_->submit(s), Errc::Ok);
        fake("k0")->pull(4);
        fake("k1")->pull(4);
        EXPECT_TRUE(fake("k0")->freed().empty());
        fake("k0")->complete_all(ACRYPTO_OK);
        fake("k1")->complete_all(ACRYPTO_OK);
    }
    for (const char *n : {"k0", "k1"}) {
        auto f = fake(n)->freed();
        ASSERT_EQ(f.size(), 1u) << n;
        EXPECT_EQ(f[0], id);
    }
}

TEST_F(Completion, KeyOutlivingTheSchedulerIsSafe) {
    make();
    open({{"names", "k0"}, {"mode", "manual"}});
    uint8_t raw[16] = {1};
    auto k = core_->make_key(ACRYPTO_ALG_AES, raw, 16);
    core_->shutdown();
    core_.reset();
    k.reset(); // no device to tell; must not touch the dead scheduler
    SUCCEED();
}

} // namespace
} // namespace acrypto::sched::test
