// SPDX-License-Identifier: Apache-2.0
// least-loaded with stated rates: the table alone, then sim devices of different advertised rates.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "acrypto/sched/session.hpp"

namespace acrypto::sched::test {
namespace {

acrypto_capability rated(double bps, uint32_t lat_ns, double ops) {
    acrypto_capability c{};
    c.op = ACRYPTO_OP_CIPHER;
    c.alg = ACRYPTO_ALG_AES;
    c.mode = ACRYPTO_MODE_CBC;
    c.latency_ns = lat_ns;
    c.bytes_per_sec = bps;
    c.ops_per_sec = ops;
    return c;
}

acrypto_candidate cand(uint32_t id, const acrypto_capability *cap, uint32_t queued,
                       uint32_t in_flight, uint64_t bytes, uint32_t qlen = 64) {
    acrypto_candidate c{};
    c.device_id = id;
    c.cap = cap;
    c.rate_bps = cap ? cap->bytes_per_sec : 0;
    c.latency_ns = cap ? cap->latency_ns : 0;
    c.queued = queued;
    c.in_flight = in_flight;
    c.queue_len = qlen;
    c.queued_bytes = bytes;
    return c;
}

/// A one-step session whose current step has `len` input bytes (the balancer reads only that).
struct StepOf {
    acrypto_step st{};
    acrypto_session s{};
    explicit StepOf(uint64_t len) {
        st.src_len = len;
        s.steps = &st;
        s.nsteps = 1;
        s.cur = 0;
    }
};

int pick(const acrypto_session *s, const acrypto_candidate *c, uint32_t n) {
    return acrypto_builtin_least_loaded()->find_device_fn(nullptr, s, c, n);
}

// cpu-like: 1.1 GB/s, 15 us; mb-like: 4.7 GB/s, 20 us (the figures the two devices state).
const acrypto_capability kCpu = rated(1.1e9, 15000, 2e6);
const acrypto_capability kMb = rated(4.7e9, 20000, 5e6);

TEST(LeastLoadedRates, FasterDeviceTakesLargeWorkEvenWhenBusierByCount) {
    StepOf big(8192);
    // mb holds 4 sessions of 8 KB, cpu none: cpu's serial 8 KB costs 4x mb's, so mb.
    acrypto_candidate c[] = {cand(0, &kCpu, 0, 0, 0), cand(1, &kMb, 3, 1, 4 * 8192)};
    EXPECT_EQ(pick(&big.s, c, 2), 1);
    // Still mb with 60 queued: cpu is far slower for this size while mb has room.
    c[1] = cand(1, &kMb, 56, 4, 60 * 8192, 1024);
    EXPECT_EQ(pick(&big.s, c, 2), 1);
    // mb full: cpu.
    c[1].queued = c[1].queue_len;
    EXPECT_EQ(pick(&big.s, c, 2), 0);
}

TEST(LeastLoadedRates, SlowerDeviceTakesTheOverflow) {
    // 2 GB/s vs 1 GB/s (not far slower): the fast one until its backlog outweighs.
    const acrypto_capability fast = rated(2e9, 20000, 5e6);
    const acrypto_capability slow = rated(1e9, 15000, 2e6);
    StepOf big(8192);
    acrypto_candidate c[] = {cand(0, &slow, 0, 0, 0), cand(1, &fast, 0, 0, 0)};
    // Idle both: slow 15 + 8.7 us, fast 20 + 4.3 us.
    EXPECT_EQ(pick(&big.s, c, 2), 0);
    // slow has two ahead (18 us): fast.
    c[0] = cand(0, &slow, 1, 1, 2 * 8192);
    EXPECT_EQ(pick(&big.s, c, 2), 1);
    // fast has 16 x 8 KB (69 us) ahead: slow again.
    c[1] = cand(1, &fast, 12, 4, 16 * 8192);
    EXPECT_EQ(pick(&big.s, c, 2), 0);
}

TEST(LeastLoadedRates, FarSlowerDeviceNeverPickedWhileAFastOneHasRoom) {
    // 3DES: cpu 25 MB/s, mb 0.05 MB/s. cpu is deep in work, mb idle: still cpu.
    const acrypto_capability cpu3 = rated(2.5e7, 3000, 1e6);
    const acrypto_capability mb3 = rated(0.05e6, 20000, 0.5e3);
    StepOf s(4096);
    acrypto_candidate c[] = {cand(0, &mb3, 0, 0, 0), cand(1, &cpu3, 500, 8, 508 * 4096, 1024)};
    EXPECT_EQ(pick(&s.s, c, 2), 1);
    // cpu full: the slow device is the only one with room.
    c[1].queued = c[1].queue_len;
    EXPECT_EQ(pick(&s.s, c, 2), 0);
    // Both full: busy.
    c[0].queued = c[0].queue_len;
    EXPECT_EQ(pick(&s.s, c, 2), -1);
}

TEST(LeastLoadedRates, EqualRatesSpreadByLoad) {
    StepOf s(1024);
    acrypto_candidate c[] = {cand(0, &kMb, 2, 1, 3 * 1024), cand(1, &kMb, 1, 0, 1024),
                             cand(2, &kMb, 1, 1, 2 * 1024)};
    EXPECT_EQ(pick(&s.s, c, 3), 1);
    // Equal everything: the earlier device.
    acrypto_candidate e[] = {cand(0, &kMb, 1, 0, 1024), cand(1, &kMb, 1, 0, 1024)};
    EXPECT_EQ(pick(&s.s, e, 2), 0);
}

TEST(LeastLoadedRates, WithoutStatedRatesFallsBackToCounts) {
    StepOf s(8192);
    acrypto_candidate c[] = {cand(0, nullptr, 3, 1, 0), cand(1, &kMb, 1, 2, 0),
                             cand(2, nullptr, 0, 4, 0), cand(3, nullptr, 2, 0, 0)};
    EXPECT_EQ(pick(&s.s, c, 4), 3);
    // No session (as some callers pass): the rate model with zero bytes still works.
    acrypto_candidate r[] = {cand(0, &kCpu, 0, 0, 0), cand(1, &kMb, 0, 0, 0)};
    EXPECT_EQ(pick(nullptr, r, 2), 0); // nothing to move: cpu's lower fixed latency wins
}

// Through the scheduler: sim devices in null mode (instances named <name>0) stating
// different rates, same latency.
class SimRates : public ::testing::Test {
  protected:
    void SetUp() override {
        Options o;
        o.plugin_dir = ACRYPTO_TEST_PLUGIN_DIR;
        auto r = SchedulerCore::create(o);
        ASSERT_TRUE(r.ok()) << r.error().message;
        core_ = std::move(r.value());
        auto ld = core_->load_device_plugin("sim");
        ASSERT_TRUE(ld.ok()) << ld.error().message;
    }
    void TearDown() override {
        if (core_) core_->shutdown();
    }
    void open_sim(const char *name, const char *mbps) {
        Config c;
        c.set("name", name);
        c.set("mode", "null");
        c.set("latency-us", "5");
        c.set("rate-mbps", mbps);
        auto r = core_->open_devices("sim", c);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r.value(), 1u);
    }
    Ref<Session> cipher(size_t len) {
        auto s = Session::make(1, 2 * len);
        acrypto_step &st = s->step(0);
        st.op = ACRYPTO_OP_CIPHER;
        st.alg = ACRYPTO_ALG_AES;
        st.mode = ACRYPTO_MODE_CBC;
        st.dir = ACRYPTO_DIR_ENCRYPT;
        uint8_t key[16] = {1};
        s->set_key(0, core_->make_key(ACRYPTO_ALG_AES, key, sizeof(key)));
        st.src = s->alloc(len);
        st.src_len = len;
        st.dst = s->alloc(len);
        st.dst_len = len;
        st.iv_len = 16;
        return s;
    }
    std::map<std::string, uint64_t> completed() {
        std::map<std::string, uint64_t> m;
        for (const auto &st : core_->stats()) {
            const std::string &n = st.name;
            if (n.rfind("dev.", 0) == 0 && n.size() > 10 &&
                n.compare(n.size() - 10, 10, ".completed") == 0)
                m[n.substr(4, n.size() - 14)] = st.value;
        }
        return m;
    }
    std::unique_ptr<SchedulerCore> core_;
};

TEST_F(SimRates, LargeWorkGoesToTheDeviceStatingTheHigherRate) {
    open_sim("slow", "80");
    open_sim("fast", "8000");
    for (int i = 0; i < 8; ++i) {
        auto s = cipher(16384);
        ASSERT_EQ(core_->submit(s), Errc::Ok);
        s->wait();
        EXPECT_EQ(s->status(), ACRYPTO_OK);
    }
    auto m = completed();
    EXPECT_EQ(m["fast0"], 8u);
    EXPECT_EQ(m["slow0"], 0u);
}

TEST_F(SimRates, EqualRatesShareQueuedWork) {
    open_sim("a", "800");
    open_sim("b", "800");
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 16; ++i) {
        v.push_back(cipher(4096));
        ASSERT_EQ(core_->submit(v.back()), Errc::Ok);
    }
    for (auto &s : v) s->wait();
    auto m = completed();
    EXPECT_EQ(m["a0"] + m["b0"], 16u);
    EXPECT_GE(m["a0"], 4u);
    EXPECT_GE(m["b0"], 4u);
}

} // namespace
} // namespace acrypto::sched::test
