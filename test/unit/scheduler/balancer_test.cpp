// SPDX-License-Identifier: Apache-2.0
// Balancers: built-in least-loaded and round-robin tables, and a custom one added like a plugin.
#include "sched_fixture.hpp"

namespace acrypto::sched::test {
namespace {

using Balancers = SchedFixture;

acrypto_candidate cand(uint32_t id, uint32_t queued, uint32_t in_flight, uint32_t qlen = 8,
                       uint64_t bytes = 0) {
    acrypto_candidate c{};
    c.device_id = id;
    c.queued = queued;
    c.in_flight = in_flight;
    c.queue_len = qlen;
    c.queued_bytes = bytes;
    return c;
}

TEST(BuiltinTables, LeastLoadedPicksFewestQueuedPlusInFlight) {
    const acrypto_balancer *b = acrypto_builtin_least_loaded();
    ASSERT_EQ(b->abi_version, ACRYPTO_ABI_VERSION);
    EXPECT_STREQ(b->name, "least-loaded");
    acrypto_candidate c[] = {cand(0, 3, 1), cand(1, 1, 2), cand(2, 0, 4), cand(3, 2, 0)};
    EXPECT_EQ(b->find_device_fn(nullptr, nullptr, c, 4), 3);
    c[3] = cand(3, 8, 0); // full: never picked
    EXPECT_EQ(b->find_device_fn(nullptr, nullptr, c, 4), 1);
    acrypto_candidate full[] = {cand(0, 8, 0), cand(1, 8, 8)};
    EXPECT_EQ(b->find_device_fn(nullptr, nullptr, full, 2), -1);
    acrypto_candidate tie[] = {cand(0, 1, 0, 8, 500), cand(1, 0, 1, 8, 100)};
    EXPECT_EQ(b->find_device_fn(nullptr, nullptr, tie, 2), 1);
}

TEST(BuiltinTables, RoundRobinCyclesAndSkipsFull) {
    const acrypto_balancer *b = acrypto_builtin_round_robin();
    EXPECT_STREQ(b->name, "round-robin");
    void *st = nullptr;
    ASSERT_EQ(b->create_fn(nullptr, &st, nullptr, 0), 0);
    acrypto_candidate c[] = {cand(0, 0, 0), cand(1, 0, 0), cand(2, 8, 0)};
    int counts[3] = {};
    for (int i = 0; i < 30; ++i) counts[b->find_device_fn(st, nullptr, c, 3)]++;
    EXPECT_EQ(counts[2], 0);
    EXPECT_GE(counts[0], 10);
    EXPECT_GE(counts[1], 10);
    b->destroy_fn(st);
}

TEST_F(Balancers, LeastLoadedSpreadsAcrossManualDevices) {
    make();
    open({{"names", "m0,m1,m2"}, {"mode", "manual"}});
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 9; ++i) {
        v.push_back(cipher());
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    EXPECT_EQ(fake("m0")->pull(16), 3u);
    EXPECT_EQ(fake("m1")->pull(16), 3u);
    EXPECT_EQ(fake("m2")->pull(16), 3u);
    // m0 finishes its work: the next sessions go to it first.
    fake("m0")->complete_all(ACRYPTO_OK);
    auto s = cipher();
    ASSERT_EQ(core_->submit(s), Errc::Ok);
    EXPECT_EQ(fake("m0")->pull(16), 1u);
}

TEST_F(Balancers, RoundRobinSelectedByName) {
    Options o;
    o.balancer = "round-robin";
    make(o);
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 6; ++i) {
        v.push_back(cipher());
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    EXPECT_EQ(fake("m0")->pull(16), 3u);
    EXPECT_EQ(fake("m1")->pull(16), 3u);
}

int g_rehash_calls = 0;
uint32_t g_rehash_dev = 0;
int last_find(void *, const acrypto_session *, const acrypto_candidate *, uint32_t n) {
    return static_cast<int>(n) - 1;
}
int refuse_find(void *, const acrypto_session *, const acrypto_candidate *, uint32_t) { return -1; }
int bogus_find(void *, const acrypto_session *, const acrypto_candidate *, uint32_t n) {
    return static_cast<int>(n) + 5;
}
void count_rehash(void *, uint32_t dev) {
    ++g_rehash_calls;
    g_rehash_dev = dev;
}

acrypto_balancer custom(const char *name, int (*fn)(void *, const acrypto_session *,
                                                    const acrypto_candidate *, uint32_t)) {
    acrypto_balancer b{};
    b.abi_version = ACRYPTO_ABI_VERSION;
    b.struct_size = sizeof(b);
    b.name = name;
    b.find_device_fn = fn;
    b.rehash_fn = count_rehash;
    return b;
}

TEST_F(Balancers, CustomBalancerAddedAndSelected) {
    make();
    static acrypto_balancer last = custom("last", last_find);
    ASSERT_TRUE(core_->add_balancer(&last).ok());
    ASSERT_TRUE(core_->select_balancer("last", {}).ok());
    open({{"names", "m0,m1,m2"}, {"mode", "manual"}});
    for (int i = 0; i < 3; ++i) {
        auto s = cipher();
        ASSERT_EQ(core_->submit(s), Errc::Ok);
    }
    EXPECT_EQ(fake("m2")->pull(16), 3u);
    g_rehash_calls = 0;
    fake("m1")->hops->mark_broken_fn(fake("m1")->host, "x");
    EXPECT_EQ(g_rehash_calls, 1);
    EXPECT_EQ(g_rehash_dev, 1u);
    fake("m2")->complete_all(ACRYPTO_OK);
}

TEST_F(Balancers, RefusingOrBogusBalancerMeansBusy) {
    make();
    static acrypto_balancer refuse = custom("refuse", refuse_find);
    static acrypto_balancer bogus = custom("bogus", bogus_find);
    ASSERT_TRUE(core_->add_balancer(&refuse).ok());
    ASSERT_TRUE(core_->add_balancer(&bogus).ok());
    open({{"names", "m0,m1"}, {"mode", "manual"}});
    ASSERT_TRUE(core_->select_balancer("refuse", {}).ok());
    auto s = cipher();
    EXPECT_EQ(core_->submit(s), Errc::Busy);
    ASSERT_TRUE(core_->select_balancer("bogus", {}).ok());
    EXPECT_EQ(core_->submit(s), Errc::Busy);
    EXPECT_EQ(s->refcount(), 1u);
}

TEST_F(Balancers, AddBalancerChecksAbi) {
    make();
    static acrypto_balancer bad = custom("badabi", last_find);
    bad.abi_version = 7;
    auto r = core_->add_balancer(&bad);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("badabi"), std::string::npos);
    static acrypto_balancer nofind = custom("nofind", nullptr);
    EXPECT_FALSE(core_->add_balancer(&nofind).ok());
}

} // namespace
} // namespace acrypto::sched::test
