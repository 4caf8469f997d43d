// SPDX-License-Identifier: Apache-2.0
// Several submitter threads against worker-thread devices: every session completes exactly once.
#include <chrono>
#include <thread>

#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Concurrency = SchedFixture;

struct Tally {
    std::atomic<uint32_t> done{0};
    std::atomic<uint32_t> bad{0};
};

struct PerSession {
    std::atomic<int> calls{0};
    Tally *tally = nullptr;
};

/// The hook runs just after a session's status is published, so a waiter can see
/// done() before the hook has counted it: wait (bounded) for the count itself.
uint32_t tally_done(const Tally &t, uint32_t want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (t.done.load() < want && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return t.done.load();
}

void on_done(void *arg, Session &s) {
    auto *ps = static_cast<PerSession *>(arg);
    if (ps->calls.fetch_add(1) != 0 || s.status() != ACRYPTO_OK) ps->tally->bad.fetch_add(1);
    ps->tally->done.fetch_add(1);
}

void run_submitters(SchedFixture *fx, SchedulerCore &core, int threads, int per_thread,
                    Tally &tally, std::vector<std::unique_ptr<PerSession>> &ps,
                    std::vector<Ref<Session>> &all, bool wait_each) {
    ps.resize(static_cast<size_t>(threads * per_thread));
    all.resize(ps.size());
    for (auto &p : ps) {
        p = std::make_unique<PerSession>();
        p->tally = &tally;
    }
    std::atomic<uint32_t> busy{0};
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
        ts.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const size_t k = static_cast<size_t>(t * per_thread + i);
                auto s = Session::make(1, 64);
                acrypto_step &st = s->step(0);
                st.op = ACRYPTO_OP_CIPHER;
                st.alg = ACRYPTO_ALG_AES;
                st.mode = ACRYPTO_MODE_CBC;
                st.dir = ACRYPTO_DIR_ENCRYPT;
                uint8_t *src = s->alloc(16);
                for (int b = 0; b < 16; ++b) src[b] = static_cast<uint8_t>(k + b);
                st.src = src;
                st.src_len = 16;
                st.dst = s->alloc(16);
                st.dst_len = 16;
                s->set_priority(static_cast<uint32_t>(k % 8));
                s->set_done(on_done, ps[k].get());
                Errc e;
                while ((e = core.submit(s)) == Errc::Busy) {
                    busy.fetch_add(1);
                    std::this_thread::sleep_for(std::chrono::microseconds(50));
                }
                ASSERT_EQ(e, Errc::Ok);
                if (wait_each) s->wait();
                all[k] = std::move(s);
            }
        });
    }
    for (auto &t : ts) t.join();
    (void)fx;
}

TEST_F(Concurrency, ManySubmittersExactlyOnce) {
    make();
    open({{"names", "w0,w1"}, {"mode", "worker"}, {"queue-len", "32"}, {"caps", "aes-cbc-enc"}});
    Tally tally;
    std::vector<std::unique_ptr<PerSession>> ps;
    std::vector<Ref<Session>> all;
    run_submitters(this, *core_, 4, 1500, tally, ps, all, false);
    for (auto &s : all) ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
    EXPECT_EQ(tally_done(tally, 6000u), 6000u);
    EXPECT_EQ(tally.bad.load(), 0u);
    for (auto &s : all) ASSERT_TRUE(fake_output_ok(s->step(0)));
    EXPECT_EQ(stat("completed"), 6000u);
    EXPECT_EQ(stat("submitted"), 6000u);
    EXPECT_EQ(stat("duplicates"), 0u);
    EXPECT_EQ(stat("dev.w0.completed") + stat("dev.w1.completed"), 6000u);
    // The scheduler drops its reference just after finishing: after shutdown
    // (devices joined) only ours is left.
    core_->shutdown();
    for (auto &s : all) EXPECT_EQ(s->refcount(), 1u);
}

TEST_F(Concurrency, AutoDeviceSubmitAndWait) {
    make();
    open({{"names", "a0,a1"}, {"mode", "auto"}, {"caps", "aes-cbc-enc"}});
    Tally tally;
    std::vector<std::unique_ptr<PerSession>> ps;
    std::vector<Ref<Session>> all;
    run_submitters(this, *core_, 4, 2000, tally, ps, all, true);
    EXPECT_EQ(tally_done(tally, 8000u), 8000u);
    EXPECT_EQ(tally.bad.load(), 0u);
    EXPECT_EQ(stat("completed"), 8000u);
}

TEST_F(Concurrency, BreakingDeviceUnderLoadLosesNothing) {
    make();
    open({{"names", "w0,w1,w2"}, {"mode", "worker"}, {"queue-len", "64"}, {"caps", "aes-cbc-enc"}});
    Tally tally;
    std::vector<std::unique_ptr<PerSession>> ps;
    std::vector<Ref<Session>> all;
    std::thread breaker([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        fake("w1")->hops->mark_broken_fn(fake("w1")->host, "injected");
    });
    run_submitters(this, *core_, 3, 1500, tally, ps, all, false);
    breaker.join();
    for (auto &s : all) ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
    EXPECT_EQ(tally_done(tally, 4500u), 4500u);
    EXPECT_EQ(tally.bad.load(), 0u);
    EXPECT_EQ(stat("duplicates"), 0u);
}

} // namespace
} // namespace acrypto::sched::test
