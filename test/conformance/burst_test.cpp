// SPDX-License-Identifier: Apache-2.0
// Conformance: bursts, concurrent submitters, shutdown with work queued: exactly-once completion.
#include <atomic>
#include <thread>

#include "workload.hpp"

namespace acrypto::test::conformance {

class Burst : public DeviceConformance {
  protected:
    std::optional<Workload> workload() {
        auto w = Workload::pick(desc());
        return w;
    }
};

TEST_P(Burst, ManySessionsCompleteExactlyOnce) {
    auto w = workload();
    if (!w) GTEST_SKIP() << "no capability the suite can check in bulk";
    const uint32_t n = GetParam().burst;
    std::vector<Job> jobs;
    jobs.reserve(n);
    for (uint32_t i = 0; i < n; ++i) jobs.push_back(w->make(16 * (1 + i % 64), i));
    for (auto &j : jobs) dev().enqueue(j.s->get());
    dev().kick();
    ASSERT_TRUE(dev().wait_all(std::chrono::seconds(30)))
        << dev().outstanding() << " of " << n << " sessions still outstanding (" << w->describe()
        << ")";
    dev().flush();
    size_t wrong = 0;
    for (auto &j : jobs) {
        EXPECT_EQ(dev().completions(j.s->get()), 1u);
        if (dev().status_of(j.s->get()) != ACRYPTO_OK || !j.correct()) ++wrong;
    }
    EXPECT_EQ(wrong, 0u) << "sessions failed or wrong (" << w->describe() << ")";
    EXPECT_EQ(dev().duplicate_completions(), 0u);
    EXPECT_LE(dev().largest_dequeue(), desc().max_burst) << "dequeued more than max_burst";
}

TEST_P(Burst, KickPerSession) {
    auto w = workload();
    if (!w) GTEST_SKIP() << "no capability the suite can check in bulk";
    const uint32_t n = GetParam().burst;
    std::vector<Job> jobs;
    for (uint32_t i = 0; i < n; ++i) jobs.push_back(w->make(64, 1000 + i));
    for (auto &j : jobs) {
        dev().enqueue(j.s->get());
        dev().kick();
    }
    ASSERT_TRUE(dev().wait_all(std::chrono::seconds(30)));
    for (auto &j : jobs) {
        ASSERT_EQ(dev().status_of(j.s->get()), ACRYPTO_OK);
        EXPECT_TRUE(j.correct());
    }
    EXPECT_EQ(dev().duplicate_completions(), 0u);
}

TEST_P(Burst, ConcurrentSubmitters) {
    auto w = workload();
    if (!w) GTEST_SKIP() << "no capability the suite can check in bulk";
    constexpr int kThreads = 4;
    const uint32_t per = std::max<uint32_t>(GetParam().burst / kThreads, 8);
    std::vector<std::vector<Job>> jobs(kThreads);
    for (int t = 0; t < kThreads; ++t)
        for (uint32_t i = 0; i < per; ++i)
            jobs[t].push_back(w->make(16 * (1 + i % 8), t * 10000 + i));
    std::vector<std::thread> th;
    for (int t = 0; t < kThreads; ++t)
        th.emplace_back([&, t] {
            for (auto &j : jobs[t]) {
                dev().enqueue(j.s->get());
                dev().kick();
            }
        });
    for (auto &x : th) x.join();
    ASSERT_TRUE(dev().wait_all(std::chrono::seconds(30)));
    for (auto &v : jobs)
        for (auto &j : v) {
            EXPECT_EQ(dev().completions(j.s->get()), 1u);
            EXPECT_EQ(dev().status_of(j.s->get()), ACRYPTO_OK);
            EXPECT_TRUE(j.correct());
        }
}

TEST_P(Burst, CloseWithWorkQueued) {
    // Shutdown while sessions are queued and in flight: each completes exactly once
    // (the harness fails what was never dequeued, as the scheduler would), and any
    // session reported OK carries the right result.
    auto w = workload();
    if (!w) GTEST_SKIP() << "no capability the suite can check in bulk";
    const uint32_t n = GetParam().burst;
    std::vector<Job> jobs;
    for (uint32_t i = 0; i < n; ++i) jobs.push_back(w->make(256, 5000 + i));
    for (auto &j : jobs) dev().enqueue(j.s->get());
    dev().kick();
    dev().close();
    for (auto &j : jobs) {
        EXPECT_EQ(dev().completions(j.s->get()), 1u);
        int st = dev().status_of(j.s->get());
        if (st == ACRYPTO_OK) {
            EXPECT_TRUE(j.correct());
        } else {
            EXPECT_TRUE(st == ACRYPTO_E_SHUTDOWN || st == ACRYPTO_E_DEVICE) << "status " << st;
        }
    }
    EXPECT_EQ(dev().violations(), "");
}

TEST_P(Burst, MixedPrioritiesAllComplete) {
    // One urgent session among low-priority ones: the host serves it first (the
    // harness queue is priority-ordered); the device must complete all, correctly.
    auto w = workload();
    if (!w) GTEST_SKIP() << "no capability the suite can check in bulk";
    std::vector<Job> jobs;
    for (uint32_t i = 0; i < 16; ++i) {
        jobs.push_back(w->make(16, 7000 + i));
        jobs.back().s->s.priority = i == 11 ? ACRYPTO_PRIO_MAX : 0;
    }
    for (auto &j : jobs) dev().enqueue(j.s->get());
    const bool idle_before_kick = dev().dequeue_order().empty(); // pollers may start early
    dev().kick();
    ASSERT_TRUE(dev().wait_all(std::chrono::seconds(30)));
    for (auto &j : jobs) EXPECT_TRUE(j.correct());
    EXPECT_EQ(dev().pending(), 0u);
    ASSERT_FALSE(dev().dequeue_order().empty());
    if (idle_before_kick) {
        EXPECT_EQ(dev().dequeue_order().front(), jobs[11].s->get()) << "urgent session not first";
    }
}

INSTANTIATE_TEST_SUITE_P(Devices, Burst, ::testing::ValuesIn(load_device_confs()), conf_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Burst);

} // namespace acrypto::test::conformance
