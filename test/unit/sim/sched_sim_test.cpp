// SPDX-License-Identifier: Apache-2.0
// The scheduler over sim devices loaded as a plugin: cost balancer cold-start lock-in
// and its recovery by exploration, revival of a broken device through its self-test,
// devices added while sessions run, latency histograms in the stats.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "acrypto/sched/stats.hpp"

namespace acrypto::sched {
namespace {

using std::chrono::milliseconds;

std::unique_ptr<SchedulerCore> make_core(Options o = {}) {
    auto r = SchedulerCore::create(o);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return nullptr;
    std::unique_ptr<SchedulerCore> c = std::move(r.value());
    auto l = c->load_device_plugin(ACRYPTO_TEST_SIM_PLUGIN);
    EXPECT_TRUE(l) << l.error().message;
    return c;
}

void open_sim(SchedulerCore &c, const Config &cfg) {
    auto o = c.open_devices("sim", cfg);
    ASSERT_TRUE(o) << o.error().message;
    ASSERT_GE(o.value(), 1u);
}

uint8_t g_src[1 << 17];

/// SHA-256 over `len` bytes (sim null mode: not computed, timing only).
Ref<Session> digest(size_t len, uint32_t prio = 0) {
    auto s = Session::make(1, 64);
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_DIGEST;
    st.alg = ACRYPTO_ALG_SHA256;
    st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    st.src = g_src;
    st.src_len = len;
    st.dst = s->alloc(64);
    st.dst_len = 64;
    s->set_priority(prio);
    return s;
}

/// Submit and wait; the device that ran it ("" when it failed).
std::string run(SchedulerCore &c, const Ref<Session> &s) {
    EXPECT_EQ(c.submit(s), Errc::Ok);
    EXPECT_TRUE(s->wait_for(std::chrono::seconds(30)));
    EXPECT_EQ(s->status(), ACRYPTO_OK);
    return s->status() == ACRYPTO_OK ? s->last_device() : "";
}

uint64_t stat(const SchedulerCore &c, const std::string &name) {
    for (const auto &s : c.stats())
        if (s.name == name) return s.value;
    return 0;
}

const DeviceInfo *find_dev(const std::vector<DeviceInfo> &v, const std::string &name) {
    for (const auto &d : v)
        if (d.name == name) return &d;
    return nullptr;
}

// --- cost balancer: cold start -------------------------------------------------

/// far0 is the right choice for 64 KiB (1 ms + 64 KiB at 8 Gbit/s ~ 1.1 ms against
/// 20 us + 64 KiB at 80 Mbit/s ~ 6.6 ms on near0), but its first session stalls
/// 100 ms. Returns how many of the last `tail` of `n` sequential sessions ran on far0.
uint32_t far_in_tail(const char *explore_every, uint32_t n, uint32_t tail) {
    Options o;
    o.balancer = "cost";
    o.balancer_config = Config{{"explore-every", explore_every}, {"explore-ms", "0"}};
    auto c = make_core(o);
    if (!c) return UINT32_MAX;
    open_sim(*c, Config{{"mode", "null"},
                        {"name", "far"},
                        {"latency-us", "1000"},
                        {"rate-mbps", "8000"},
                        {"stall-first", "1"},
                        {"stall-ms", "100"}});
    open_sim(*c,
             Config{{"mode", "null"}, {"name", "near"}, {"latency-us", "20"}, {"rate-mbps", "80"}});
    std::vector<std::string> where;
    for (uint32_t i = 0; i < n; ++i) where.push_back(run(*c, digest(65536)));
    EXPECT_EQ(where.front(), "far0") << "capability rates pick far0 first";
    uint32_t far = 0;
    for (uint32_t i = n - tail; i < n; ++i) far += where[i] == "far0";
    c->shutdown();
    return far;
}

TEST(CostColdStart, SlowFirstSampleLocksInWithoutExploration) {
    EXPECT_EQ(far_in_tail("0", 30, 20), 0u);
}

TEST(CostColdStart, ExplorationReprobesAndRecovers) {
    // Every 4th placement may probe the other device: far0 is probed back, learns
    // ~1 ms and takes the work; near0 is re-probed now and then and stays slow.
    EXPECT_GE(far_in_tail("4", 30, 20), 14u);
}

TEST(CostColdStart, ExplorationKeysAreChecked) {
    const acrypto_balancer *b = acrypto_builtin_cost();
    for (const char *bad : {"-1", "x", "", "2000000000"}) {
        acrypto_kv kv{"explore-every", bad};
        acrypto_config cfg{&kv, 1};
        void *st = nullptr;
        char why[128] = "";
        EXPECT_NE(b->create_fn(&cfg, &st, why, sizeof(why)), 0) << bad;
        EXPECT_NE(std::string(why).find("explore-every"), std::string::npos) << why;
    }
    acrypto_kv kv[2] = {{"explore-every", "0"}, {"explore-ms", "250"}};
    acrypto_config cfg{kv, 2};
    void *st = nullptr;
    ASSERT_EQ(b->create_fn(&cfg, &st, nullptr, 0), 0);
    b->destroy_fn(st);
}

// --- revival -------------------------------------------------------------------

TEST(Revival, BrokenSimComesBackAfterItsSelfTestAndTakesWork) {
    Options o;
    o.balancer = "round-robin";
    auto c = make_core(o);
    ASSERT_TRUE(c);
    open_sim(*c, Config{{"mode", "null"},
                        {"name", "brk"},
                        {"latency-us", "200"},
                        {"slots", "4"},
                        {"break-after", "8"},
                        {"break-ms", "1"}});
    open_sim(*c, Config{{"mode", "null"}, {"name", "ok"}, {"latency-us", "200"}});

    // 64 sessions at once: brk0 breaks after 8 with sessions queued and held; they
    // move to ok0 and every session completes once, OK.
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 64; ++i) {
        v.push_back(digest(1024));
        ASSERT_EQ(c->submit(v.back()), Errc::Ok);
    }
    for (auto &s : v) {
        ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
        EXPECT_EQ(s->status(), ACRYPTO_OK);
    }
    EXPECT_EQ(stat(*c, "completed"), 64u);
    EXPECT_EQ(stat(*c, "dev.brk0.broken"), 1u);
    EXPECT_GE(stat(*c, "retries") + stat(*c, "rehashed"), 1u);
    ASSERT_TRUE(find_dev(c->devices(), "brk0")->broken);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(run(*c, digest(64)), "ok0") << "out of the candidate set";

    // The break lasts 1 ms; then the self-test passes and the device is back.
    std::this_thread::sleep_for(milliseconds(5));
    std::vector<std::string> msgs;
    EXPECT_TRUE(c->self_test(&msgs));
    bool revived = false;
    for (const auto &m : msgs) revived |= m.find("brk0: revived") != std::string::npos;
    EXPECT_TRUE(revived);
    EXPECT_FALSE(find_dev(c->devices(), "brk0")->broken);

    std::map<std::string, int> where;
    for (int i = 0; i < 6; ++i) ++where[run(*c, digest(64))];
    EXPECT_GE(where["brk0"], 1) << "round-robin offers the revived device work again";
    auto bound = digest(64);
    bound->bind("brk0");
    EXPECT_EQ(run(*c, bound), "brk0");
    c->shutdown();
}

TEST(Revival, SelfTestKeepsABrokenSimOutWhileTheBreakLasts) {
    auto c = make_core();
    ASSERT_TRUE(c);
    open_sim(*c, Config{{"mode", "null"},
                        {"name", "brk"},
                        {"latency-us", "100"},
                        {"slots", "1"},
                        {"break-after", "2"}});
    open_sim(*c, Config{{"mode", "null"}, {"name", "ok"}, {"latency-us", "100"}});
    for (int i = 0; i < 3; ++i) {
        auto s = digest(64);
        s->bind("brk0");
        ASSERT_EQ(c->submit(s), Errc::Ok);
        ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
        EXPECT_EQ(s->status(), i < 2 ? ACRYPTO_OK : ACRYPTO_E_BOUND) << i;
    }
    ASSERT_TRUE(find_dev(c->devices(), "brk0")->broken);
    std::vector<std::string> msgs;
    EXPECT_FALSE(c->self_test(&msgs)); // break-ms 0: broken until closed
    ASSERT_EQ(msgs.size(), 1u);
    EXPECT_NE(msgs[0].find("brk0: self-test failed"), std::string::npos) << msgs[0];
    EXPECT_TRUE(find_dev(c->devices(), "brk0")->broken);
    EXPECT_EQ(run(*c, digest(64)), "ok0");
    c->shutdown();
}

// --- devices added while running -------------------------------------------------

std::atomic<uint32_t> g_done[512];

void count_done(void *arg, Session &) {
    g_done[reinterpret_cast<uintptr_t>(arg)].fetch_add(1, std::memory_order_relaxed);
}

TEST(AddWhileRunning, NewDeviceTakesWorkAndNothingIsLostOrDoubled) {
    Options o;
    o.balancer = "round-robin";
    auto c = make_core(o);
    ASSERT_TRUE(c);
    open_sim(*c, Config{{"mode", "null"}, {"name", "a"}, {"latency-us", "100"}});
    for (auto &d : g_done) d.store(0);
    std::atomic<bool> opened{false};
    std::thread adder([&] {
        while (stat(*c, "completed") < 100) std::this_thread::sleep_for(milliseconds(1));
        auto r =
            c->open_devices("sim", Config{{"mode", "null"}, {"name", "b"}, {"latency-us", "100"}});
        EXPECT_TRUE(r) << r.error().message;
        opened.store(true);
    });
    // Windows of 8 sessions until 64 windows ran and 8 of them after b0 appeared.
    std::map<std::string, int> after;
    uint32_t w = 0, windows_after = 0;
    for (; (w < 64 || windows_after < 8) && w < 4096; ++w) {
        const bool added = opened.load();
        std::vector<Ref<Session>> win;
        for (uint32_t k = 0; k < 8; ++k) {
            auto s = digest(256);
            s->set_done(count_done,
                        reinterpret_cast<void *>(static_cast<uintptr_t>((w * 8 + k) % 512)));
            Errc e;
            while ((e = c->submit(s)) == Errc::Busy) std::this_thread::yield();
            ASSERT_EQ(e, Errc::Ok);
            win.push_back(s);
        }
        for (auto &s : win) {
            ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
            EXPECT_EQ(s->status(), ACRYPTO_OK);
            if (added) ++after[s->last_device()];
        }
        windows_after += added;
    }
    adder.join();
    const uint32_t n = w * 8;
    auto want = [&](uint32_t i) { return n / 512 + (i < n % 512 ? 1u : 0u); };
    // done() turns true just before the completion hook runs: let the last hooks land.
    for (uint32_t i = 0, spins = 0; i < 512 && spins < 5000; ++i)
        while (g_done[i].load() < want(i) && spins++ < 5000)
            std::this_thread::sleep_for(milliseconds(1));
    for (uint32_t i = 0; i < 512; ++i) EXPECT_EQ(g_done[i].load(), want(i)) << i;
    EXPECT_TRUE(find_dev(c->devices(), "b0"));
    EXPECT_GE(after["b0"], 1) << "the device added while running receives work";
    EXPECT_EQ(stat(*c, "completed"), n);
    c->shutdown();
}

// --- latency histograms ---------------------------------------------------------

std::vector<std::pair<std::string, uint64_t>> pairs(const std::vector<Stat> &st) {
    std::vector<std::pair<std::string, uint64_t>> v;
    for (const auto &s : st) v.emplace_back(s.name, s.value);
    return v;
}

TEST(LatencyHistogram, BucketLayout) {
    EXPECT_EQ(latency_bucket(0), 0u);
    EXPECT_EQ(latency_bucket(1), 1u);
    EXPECT_EQ(latency_bucket(1023), 10u);
    EXPECT_EQ(latency_bucket(1024), 11u);
    EXPECT_EQ(latency_bucket(UINT64_MAX), kLatencyBuckets - 1);
    for (uint64_t ns : {0ull, 1ull, 5ull, 1000ull, 1024ull, 123456789ull})
        EXPECT_LE(ns, latency_bucket_le_ns(latency_bucket(ns))) << ns;
    // Read back from name/value pairs; quantiles are bucket upper bounds.
    const std::vector<std::pair<std::string, uint64_t>> st = {
        {"lat.prio.3.le.1024", 10}, {"lat.prio.3.le.2048", 99},    {"lat.prio.3.le.4096", 100},
        {"lat.prio.3.count", 100},  {"lat.prio.3.sum-ns", 150000}, {"completed", 7}};
    auto h = latency_histograms(st);
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].name, "prio.3");
    EXPECT_EQ(h[0].count, 100u);
    EXPECT_EQ(h[0].sum_ns, 150000u);
    EXPECT_EQ(h[0].quantile_ns(0.05), 1024u);
    EXPECT_EQ(h[0].quantile_ns(0.5), 2048u);
    EXPECT_EQ(h[0].quantile_ns(0.99), 2048u);
    EXPECT_EQ(h[0].quantile_ns(1.0), 4096u);
}

TEST(LatencyHistogram, PerPriorityAlgorithmAndDeviceFromTheStats) {
    Options o;
    o.latency_sample = 1; // time every session
    auto c = make_core(o);
    ASSERT_TRUE(c);
    // Every hand-over takes at least 2 ms on the device.
    open_sim(*c, Config{{"mode", "null"}, {"name", "slow"}, {"latency-us", "2000"}});
    uint32_t per_prio[8] = {};
    std::vector<Ref<Session>> v;
    for (uint32_t i = 0; i < 24; ++i) {
        const uint32_t p = (i * 5) % 8;
        ++per_prio[p];
        v.push_back(digest(512, p));
        ASSERT_EQ(c->submit(v.back()), Errc::Ok);
    }
    for (auto &s : v) {
        ASSERT_TRUE(s->wait_for(std::chrono::seconds(30)));
        ASSERT_EQ(s->status(), ACRYPTO_OK);
    }
    const auto st = c->stats();
    std::map<std::string, LatencyHistogram> h;
    for (auto &x : latency_histograms(pairs(st))) h[x.name] = x;
    uint64_t total = 0;
    for (uint32_t p = 0; p < 8; ++p) {
        const std::string nm = "prio." + std::to_string(p);
        if (!per_prio[p]) {
            EXPECT_EQ(h.count(nm), 0u) << "empty histograms are left out: " << nm;
            continue;
        }
        ASSERT_EQ(h.count(nm), 1u) << nm;
        EXPECT_EQ(h[nm].count, per_prio[p]) << nm;
        EXPECT_EQ(h[nm].count, stat(*c, nm + ".completed")) << nm;
        total += h[nm].count;
    }
    EXPECT_EQ(total, 24u);
    for (const char *nm : {"alg.sha256", "dev.slow0"}) {
        ASSERT_EQ(h.count(nm), 1u) << nm;
        const LatencyHistogram &x = h[nm];
        EXPECT_EQ(x.count, 24u) << nm;
        // Every sample is at least the device's 2 ms: the p1 bucket bound, the mean
        // and the lowest bucket all say so.
        EXPECT_GE(x.quantile_ns(0.01), 2000000u) << nm;
        EXPECT_GE(x.sum_ns, 24u * 2000000u) << nm;
        ASSERT_FALSE(x.le.empty());
        EXPECT_GT(x.le.front().first, 2000000u / 2) << nm;
        for (size_t k = 1; k < x.le.size(); ++k) {
            EXPECT_EQ(x.le[k].first, 2 * x.le[k - 1].first) << nm;
            EXPECT_GE(x.le[k].second, x.le[k - 1].second) << nm;
        }
        EXPECT_EQ(x.le.back().second, x.count) << nm;
    }
    // Submit -> completion includes the device's service time.
    EXPECT_GE(h["alg.sha256"].sum_ns, h["dev.slow0"].sum_ns);
    // Only digests ran: no other algorithm's histogram.
    EXPECT_EQ(h.count("alg.aes"), 0u);
    c->shutdown();
}

/// Histogram sample counts after `n` sessions on an immediate (null, untimed) sim device.
std::map<std::string, uint64_t> sampled_counts(uint32_t every, uint32_t n) {
    Options o;
    o.latency_sample = every;
    auto c = make_core(o);
    if (!c) return {};
    open_sim(*c, Config{{"mode", "null"}, {"name", "fast"}});
    for (uint32_t i = 0; i < n; ++i) run(*c, digest(64, i % 8));
    std::map<std::string, uint64_t> out;
    for (auto &h : latency_histograms(pairs(c->stats()))) out[h.name] = h.count;
    EXPECT_EQ(stat(*c, "completed"), n);
    c->shutdown();
    return out;
}

TEST(LatencyHistogram, SampledOneInEveryN) {
    EXPECT_TRUE(sampled_counts(0, 64).empty()) << "0: no session timed";
    auto all = sampled_counts(1, 64);
    EXPECT_EQ(all["alg.sha256"], 64u);
    EXPECT_EQ(all["dev.fast0"], 64u);
    // One in 8 at random: about 100 of 800 (zero or all 800 are beyond any chance).
    auto some = sampled_counts(8, 800);
    EXPECT_GT(some["alg.sha256"], 30u);
    EXPECT_LT(some["alg.sha256"], 250u);
    EXPECT_EQ(some["alg.sha256"], some["dev.fast0"]);
    uint64_t prio_sum = 0;
    for (uint32_t p = 0; p < 8; ++p) prio_sum += some["prio." + std::to_string(p)];
    EXPECT_EQ(prio_sum, some["alg.sha256"]);
}

} // namespace
} // namespace acrypto::sched
