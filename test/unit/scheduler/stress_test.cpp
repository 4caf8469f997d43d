// SPDX-License-Identifier: Apache-2.0
// Stress: multi-step routes on worker devices with injected faults, a device that
// breaks and is revived, several submitters. Every session completes exactly once.
#include <thread>

#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Stress = SchedFixture;

struct Slot {
    std::atomic<int> calls{0};
    std::atomic<int> *dups = nullptr;
};

void on_done(void *arg, Session &) {
    auto *sl = static_cast<Slot *>(arg);
    if (sl->calls.fetch_add(1) != 0) sl->dups->fetch_add(1);
}

TEST_F(Stress, RoutesFaultsAndFailoverUnderLoad) {
    make();
    open({{"names", "c0,c1"},
          {"mode", "worker"},
          {"caps", "aes-cbc"},
          {"fail-every", "7"},
          {"queue-len", "16"}});
    open({{"names", "h0,h1"},
          {"mode", "worker"},
          {"caps", "hmac-sha256"},
          {"fail-every", "11"},
          {"queue-len", "16"}});
    open({{"names", "f0"},
          {"mode", "worker"},
          {"caps", "fused-aes-hmac,aes-cbc,hmac-sha256"},
          {"queue-len", "16"}});
    constexpr int kThreads = 3, kPer = 600, kTotal = kThreads * kPer;
    std::vector<Ref<Session>> all(kTotal);
    std::vector<std::unique_ptr<Slot>> slots(kTotal);
    std::atomic<int> dups{0};
    for (auto &s : slots) {
        s = std::make_unique<Slot>();
        s->dups = &dups;
    }
    std::atomic<bool> stop{false};
    std::thread chaos([&] {
        // Break a device, let the load run, revive it through a self-test; repeat.
        for (int round = 0; !stop.load() && round < 20; ++round) {
            const char *victim = round % 2 ? "c1" : "h0";
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            fake(victim)->hops->mark_broken_fn(fake(victim)->host, "chaos");
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            std::vector<std::string> msgs;
            (void)core_->self_test(&msgs);
        }
    });
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
        ts.emplace_back([&, t] {
            for (int i = 0; i < kPer; ++i) {
                const int k = t * kPer + i;
                auto s = Session::make(2, 256);
                fill_cipher_step(*s, 0, 32);
                fill_hmac_step(*s, 1, 32);
                s->set_priority(static_cast<uint32_t>(k % 8));
                s->set_done(on_done, slots[k].get());
                Errc e;
                while ((e = core_->submit(s)) == Errc::Busy)
                    std::this_thread::sleep_for(std::chrono::microseconds(100));
                ASSERT_EQ(e, Errc::Ok);
                all[k] = std::move(s);
            }
        });
    }
    for (auto &t : ts) t.join();
    stop = true;
    chaos.join();
    for (int k = 0; k < kTotal; ++k) ASSERT_TRUE(all[k]->wait_for(std::chrono::seconds(60))) << k;
    // A waiter may wake before the finishing thread has called the done callback (finish()
    // wakes, then calls it): the callbacks are counted once the workers are joined.
    core_->shutdown();
    int ok = 0, failed = 0;
    for (int k = 0; k < kTotal; ++k) {
        EXPECT_EQ(slots[k]->calls.load(), 1) << k;
        if (all[k]->status() == ACRYPTO_OK) {
            ++ok;
            EXPECT_TRUE(fake_output_ok(all[k]->step(0))) << k;
        } else {
            ++failed;
            EXPECT_EQ(all[k]->status(), ACRYPTO_E_DEVICE) << k;
        }
    }
    EXPECT_EQ(dups.load(), 0);
    EXPECT_EQ(ok + failed, kTotal);
    EXPECT_GT(ok, kTotal / 2); // bounded retries recover most injected faults
    EXPECT_EQ(stat("completed"), static_cast<uint64_t>(ok));
    EXPECT_EQ(stat("failed"), static_cast<uint64_t>(failed));
    EXPECT_EQ(stat("duplicates"), 0u);
    EXPECT_GT(stat("retries"), 0u);
    for (auto &s : all) EXPECT_EQ(s->refcount(), 1u);
}

} // namespace
} // namespace acrypto::sched::test
