// SPDX-License-Identifier: Apache-2.0
// The "cost" balancer: capability rates first, then what it learns through observe_fn.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

struct CostTable : ::testing::Test {
    void SetUp() override {
        b = acrypto_builtin_cost();
        ASSERT_EQ(b->create_fn(nullptr, &state, nullptr, 0), 0);
        for (int i = 0; i < 2; ++i) {
            caps[i] = acrypto_capability{};
            caps[i].latency_ns = 1000;
            caps[i].ops_per_sec = 1e6;
        }
        caps[0].bytes_per_sec = 1e9; // fast
        caps[1].bytes_per_sec = 1e8; // ten times slower
        for (uint32_t i = 0; i < 2; ++i) {
            c[i] = acrypto_candidate{};
            c[i].device_id = i;
            c[i].queue_len = 64;
            c[i].cap = &caps[i];
            c[i].rate_bps = caps[i].bytes_per_sec;
            c[i].latency_ns = caps[i].latency_ns;
        }
        sess = Session::make(1, 0);
        sess->step(0).alg = ACRYPTO_ALG_AES;
    }
    void TearDown() override { b->destroy_fn(state); }
    int pick(size_t bytes) {
        sess->step(0).src_len = bytes;
        return b->find_device_fn(state, &sess->c(), c, 2);
    }
    void observe(uint32_t dev, size_t bytes, uint64_t ns, int times = 4) {
        sess->step(0).src_len = bytes;
        for (int i = 0; i < times; ++i) b->observe_fn(state, dev, &sess->c(), bytes, ns);
    }

    const acrypto_balancer *b = nullptr;
    void *state = nullptr;
    acrypto_capability caps[2];
    acrypto_candidate c[2];
    Ref<Session> sess;
};

TEST_F(CostTable, StartsFromCapabilityRates) {
    EXPECT_STREQ(b->name, "cost");
    EXPECT_EQ(pick(65536), 0);
}

TEST_F(CostTable, QueuedBytesShiftTheChoice) {
    c[0].queued = 10;
    c[0].queued_bytes = 100 << 20; // 100 MiB backlog on the fast device
    EXPECT_EQ(pick(65536), 1);
}

TEST_F(CostTable, QueuedOpsCountForTinyInputs) {
    c[0].queued = 40;
    c[0].in_flight = 10;
    EXPECT_EQ(pick(16), 1);
}

TEST_F(CostTable, LearnsFromObservations) {
    // Device 0 turns out to take 10 ms per 64 KiB step; device 1 takes 700 us.
    observe(0, 65536, 10000000);
    observe(1, 65536, 700000);
    EXPECT_EQ(pick(65536), 1);
    // 60000 bytes fall in the same size class: same answer.
    EXPECT_EQ(pick(60000), 1);
    // Forget device 0 (it broke and came back): capability rates again.
    b->rehash_fn(state, 0);
    EXPECT_EQ(pick(65536), 0);
}

TEST_F(CostTable, NeverPicksAFullDevice) {
    c[0].queued = c[0].queue_len;
    EXPECT_EQ(pick(65536), 1);
    c[1].queued = c[1].queue_len;
    EXPECT_EQ(pick(65536), -1);
}

TEST(CostConfig, RejectsUnknownKeysAndBadAlpha) {
    const acrypto_balancer *b = acrypto_builtin_cost();
    acrypto_kv kv{"speed", "1"};
    acrypto_config cfg{&kv, 1};
    void *st = nullptr;
    char why[128] = "";
    EXPECT_NE(b->create_fn(&cfg, &st, why, sizeof(why)), 0);
    EXPECT_NE(std::string(why).find("speed"), std::string::npos);
    kv = {"alpha", "2"};
    EXPECT_NE(b->create_fn(&cfg, &st, why, sizeof(why)), 0);
    EXPECT_NE(std::string(why).find("alpha"), std::string::npos);
    kv = {"alpha", "0.5"};
    ASSERT_EQ(b->create_fn(&cfg, &st, why, sizeof(why)), 0);
    b->destroy_fn(st);
}

using CostScheduler = SchedFixture;

TEST_F(CostScheduler, SelectedByNameAndFedByCompletions) {
    Options o;
    o.balancer = "cost";
    make(o);
    open({{"names", "w0,w1"}, {"mode", "worker"}});
    for (int i = 0; i < 200; ++i) {
        auto s = cipher(256);
        ASSERT_EQ(core_->submit(s), Errc::Ok);
        ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
        EXPECT_EQ(s->status(), ACRYPTO_OK);
    }
    EXPECT_EQ(stat("completed"), 200u);
}

} // namespace
} // namespace acrypto::sched::test
