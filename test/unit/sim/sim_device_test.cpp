// SPDX-License-Identifier: Apache-2.0
// sim device through its plugin: null/compute modes, timing lower bounds, slots, faults, close.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "device_harness.hpp"
#include "reference.hpp"
#include "session_builder.hpp"

namespace acrypto::test {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::unique_ptr<DeviceHarness> open_sim(const KvList &cfg, uint32_t index = 0) {
    std::string why;
    auto h = DeviceHarness::open_plugin(ACRYPTO_TEST_SIM_PLUGIN, cfg, index, &why);
    EXPECT_TRUE(h) << why;
    return h;
}

struct Job {
    std::unique_ptr<OwnedSession> s;
    Bytes want;
};

Job cbc_job(size_t len, uint64_t seed) {
    Bytes key = pattern_bytes(16, seed), iv = pattern_bytes(16, seed + 1),
          in = pattern_bytes(len, seed + 2);
    Job j;
    j.want = reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    j.s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    return j;
}

std::vector<Job> jobs(size_t n, size_t len, uint64_t seed = 1) {
    std::vector<Job> v;
    for (size_t i = 0; i < n; ++i) v.push_back(cbc_job(len, seed + 3 * i));
    return v;
}

void submit_all(DeviceHarness &h, std::vector<Job> &v) {
    for (auto &j : v) h.enqueue(j.s->get());
    h.kick();
}

TEST(SimDevice, InstancesAndNames) {
    std::string why;
    const acrypto_device_driver *drv = DeviceHarness::load_driver(ACRYPTO_TEST_SIM_PLUGIN, &why);
    ASSERT_TRUE(drv) << why;
    EXPECT_EQ(DeviceHarness::probe(drv, {{"instances", "3"}}, &why), 3);
    auto a = open_sim({{"instances", "3"}}, 0);
    auto c = open_sim({{"instances", "3"}, {"name", "fake"}}, 2);
    ASSERT_TRUE(a && c);
    EXPECT_STREQ(a->desc().name, "sim0");
    EXPECT_STREQ(c->desc().name, "fake2");
    EXPECT_FALSE(DeviceHarness::open(drv, {{"instances", "3"}}, 3, &why));
}

TEST(SimDevice, NullModeCompletesInsideDataReadyWithoutTouchingData) {
    auto h = open_sim({{"mode", "null"}});
    ASSERT_TRUE(h);
    auto v = jobs(40, 64);
    submit_all(*h, v);
    // Immediate mode: everything is complete when data_ready returns.
    EXPECT_EQ(h->outstanding(), 0u);
    for (auto &j : v) {
        EXPECT_EQ(h->completions(j.s->get()), 1u);
        EXPECT_EQ(h->status_of(j.s->get()), ACRYPTO_OK);
        EXPECT_EQ(j.s->step().out_len, 0u) << "null mode writes nothing";
        EXPECT_EQ(j.s->step().dst[0], 0xA5) << "null mode must not touch dst";
    }
}

TEST(SimDevice, NullModeStillRejectsUndeclaredWork) {
    auto h = open_sim({{"mode", "null"}});
    ASSERT_TRUE(h);
    auto s = make_digest(0x3e, pattern_bytes(10, 1));
    EXPECT_NE(h->run(*s->get()), ACRYPTO_OK);
}

TEST(SimDevice, ComputeModeVerifies) {
    auto h = open_sim({{"slots", "3"}});
    ASSERT_TRUE(h);
    auto v = jobs(60, 48);
    submit_all(*h, v);
    ASSERT_TRUE(h->wait_all(milliseconds(10000)));
    for (auto &j : v) {
        ASSERT_EQ(h->status_of(j.s->get()), ACRYPTO_OK);
        EXPECT_EQ(j.s->output_bytes(), j.want);
    }
    EXPECT_LE(h->stats()["max_in_flight"], 3u) << "slots bound the sessions in flight";
    EXPECT_EQ(h->stats()["sessions"], 60u);
}

TEST(SimDevice, LatencyIsALowerBound) {
    auto h = open_sim({{"latency-us", "20000"}});
    ASSERT_TRUE(h);
    auto j = cbc_job(16, 5);
    const auto t0 = Clock::now();
    ASSERT_EQ(h->run(*j.s->get()), ACRYPTO_OK);
    EXPECT_GE(Clock::now() - t0, milliseconds(20)) << "completed before its emulated latency";
    EXPECT_EQ(j.s->output_bytes(), j.want);
}

TEST(SimDevice, RateSerialisesTransfersInOrder) {
    // 80 Mbit/s = 10 MB/s: four 25 KB sessions need at least 10 ms of "bus" time.
    auto h = open_sim({{"rate-mbps", "80"}, {"slots", "8"}});
    ASSERT_TRUE(h);
    auto v = jobs(4, 25000 / 16 * 16);
    const auto t0 = Clock::now();
    submit_all(*h, v);
    ASSERT_TRUE(h->wait_all(milliseconds(10000)));
    EXPECT_GE(Clock::now() - t0, milliseconds(9));
    EXPECT_EQ(h->completion_order(), h->dequeue_order()) << "the pipeline completes in order";
    for (auto &j : v) EXPECT_EQ(j.s->output_bytes(), j.want);
}

TEST(SimDevice, FailRateOneFailsEverything) {
    auto h = open_sim({{"fail-rate", "1"}});
    ASSERT_TRUE(h);
    auto v = jobs(20, 16);
    submit_all(*h, v);
    ASSERT_TRUE(h->wait_all(milliseconds(10000)));
    for (auto &j : v) EXPECT_EQ(h->status_of(j.s->get()), ACRYPTO_E_DEVICE);
    EXPECT_EQ(h->stats()["injected_failures"], 20u);
    EXPECT_EQ(h->duplicate_completions(), 0u);
}

std::vector<int> fault_pattern(uint64_t seed) {
    auto h = open_sim({{"fail-rate", "0.5"}, {"seed", std::to_string(seed)}, {"slots", "1"}});
    std::vector<int> out;
    if (!h) return out;
    auto v = jobs(64, 16);
    for (auto &j : v) out.push_back(h->run(*j.s->get()));
    return out;
}

TEST(SimDevice, FaultPatternFollowsSeed) {
    auto a = fault_pattern(7), b = fault_pattern(7), c = fault_pattern(8);
    ASSERT_EQ(a.size(), 64u);
    EXPECT_EQ(a, b) << "same seed, same faults";
    EXPECT_NE(a, c) << "another seed, other faults";
    int failed = 0;
    for (int s : a) {
        EXPECT_TRUE(s == ACRYPTO_OK || s == ACRYPTO_E_DEVICE);
        failed += s == ACRYPTO_E_DEVICE;
    }
    EXPECT_GT(failed, 8);
    EXPECT_LT(failed, 56);
}

TEST(SimDevice, StallHoldsThenCompletes) {
    auto h = open_sim({{"stall-rate", "1"}, {"stall-ms", "30"}});
    ASSERT_TRUE(h);
    auto j = cbc_job(32, 9);
    const auto t0 = Clock::now();
    ASSERT_EQ(h->run(*j.s->get()), ACRYPTO_OK);
    EXPECT_GE(Clock::now() - t0, milliseconds(30));
    EXPECT_EQ(j.s->output_bytes(), j.want);
    EXPECT_EQ(h->stats()["stalled"], 1u);
}

TEST(SimDevice, BreakAfterMarksBrokenAndFailsTheRest) {
    auto h = open_sim({{"break-after", "10"}, {"slots", "1"}});
    ASSERT_TRUE(h);
    auto v = jobs(30, 16);
    for (size_t i = 0; i < 10; ++i) ASSERT_EQ(h->run(*v[i].s->get()), ACRYPTO_OK);
    EXPECT_FALSE(h->broken());
    for (size_t i = 10; i < 30; ++i) h->enqueue(v[i].s->get());
    h->kick();
    ASSERT_TRUE(h->wait_all(milliseconds(10000)));
    EXPECT_TRUE(h->broken());
    EXPECT_NE(h->broken_reason().find("break-after"), std::string::npos) << h->broken_reason();
    for (size_t i = 10; i < 30; ++i) EXPECT_EQ(h->status_of(v[i].s->get()), ACRYPTO_E_DEVICE) << i;
    EXPECT_EQ(h->duplicate_completions(), 0u);
}

TEST(SimDevice, BreakWithSessionsInFlightCompletesEachOnce) {
    auto h = open_sim({{"break-after", "5"}, {"slots", "16"}, {"latency-us", "2000"}});
    ASSERT_TRUE(h);
    auto v = jobs(40, 16);
    submit_all(*h, v);
    ASSERT_TRUE(h->wait_all(milliseconds(10000)));
    EXPECT_TRUE(h->broken());
    int ok = 0;
    for (auto &j : v) {
        EXPECT_EQ(h->completions(j.s->get()), 1u);
        if (h->status_of(j.s->get()) == ACRYPTO_OK) {
            ++ok;
            EXPECT_EQ(j.s->output_bytes(), j.want);
        } else {
            EXPECT_EQ(h->status_of(j.s->get()), ACRYPTO_E_DEVICE);
        }
    }
    EXPECT_LE(ok, 5);
}

TEST(SimDevice, SelfTestFailsWhileTheBreakLasts) {
    for (const char *ms : {"0", "600000"}) { // until closed; ten minutes
        auto h = open_sim({{"break-after", "2"}, {"slots", "1"}, {"break-ms", ms}});
        ASSERT_TRUE(h);
        std::string why;
        EXPECT_EQ(h->self_test(&why), ACRYPTO_OK) << why;
        auto v = jobs(3, 16);
        for (size_t i = 0; i < 2; ++i) ASSERT_EQ(h->run(*v[i].s->get()), ACRYPTO_OK);
        EXPECT_EQ(h->run(*v[2].s->get()), ACRYPTO_E_DEVICE);
        EXPECT_TRUE(h->broken());
        EXPECT_NE(h->self_test(&why), ACRYPTO_OK) << ms;
        EXPECT_NE(why.find("broken"), std::string::npos) << why;
        EXPECT_NE(h->self_test(&why), ACRYPTO_OK) << "a failed self-test does not clear it";
    }
}

TEST(SimDevice, SelfTestPassesOnceTheBreakIsOver) {
    auto h = open_sim({{"break-after", "1"}, {"slots", "1"}, {"break-ms", "1"}});
    ASSERT_TRUE(h);
    auto v = jobs(2, 16);
    ASSERT_EQ(h->run(*v[0].s->get()), ACRYPTO_OK);
    EXPECT_EQ(h->run(*v[1].s->get()), ACRYPTO_E_DEVICE);
    EXPECT_TRUE(h->broken());
    std::this_thread::sleep_for(milliseconds(5));
    std::string why;
    EXPECT_EQ(h->self_test(&why), ACRYPTO_OK) << why;
}

TEST(SimDevice, StallFirstHoldsOnlyTheFirstSessions) {
    auto h = open_sim({{"stall-first", "2"}, {"stall-ms", "20"}, {"slots", "1"}});
    ASSERT_TRUE(h);
    auto v = jobs(5, 16);
    for (auto &j : v) {
        ASSERT_EQ(h->run(*j.s->get()), ACRYPTO_OK);
        EXPECT_EQ(j.s->output_bytes(), j.want);
    }
    EXPECT_EQ(h->stats()["stalled"], 2u);
}

TEST(SimDevice, CloseCompletesStalledSessionsAtOnce) {
    auto h = open_sim({{"stall-rate", "1"}, {"stall-ms", "600000"}, {"slots", "8"}});
    ASSERT_TRUE(h);
    auto v = jobs(20, 16);
    submit_all(*h, v);
    // Wait until the device holds its 8 slots.
    for (int i = 0; i < 200 && h->stats()["stalled"] < 8; ++i)
        std::this_thread::sleep_for(milliseconds(5));
    EXPECT_EQ(h->stats()["stalled"], 8u);
    const auto t0 = Clock::now();
    h->close();
    EXPECT_LT(Clock::now() - t0, milliseconds(5000)) << "close must not wait for stalls";
    for (auto &j : v) {
        EXPECT_EQ(h->completions(j.s->get()), 1u);
        EXPECT_EQ(h->status_of(j.s->get()), ACRYPTO_E_SHUTDOWN);
    }
    EXPECT_EQ(h->violations(), "");
}

TEST(SimDevice, CapabilitiesCarryTheEmulatedTiming) {
    auto h = open_sim({{"latency-us", "150"}, {"rate-mbps", "800"}});
    ASSERT_TRUE(h);
    ASSERT_GT(h->desc().ncaps, 0u);
    for (uint32_t i = 0; i < h->desc().ncaps; ++i) {
        EXPECT_EQ(h->desc().caps[i].latency_ns, 150000u);
        EXPECT_DOUBLE_EQ(h->desc().caps[i].bytes_per_sec, 100e6);
    }
}

} // namespace
} // namespace acrypto::test
