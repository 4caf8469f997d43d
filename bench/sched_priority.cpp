// SPDX-License-Identifier: Apache-2.0
// sched_priority: one rate-limited sim device saturated with sessions of priorities 0..7 from
// several threads; submit->complete latency p50/p99 per priority, measured here and read from the
// scheduler's own latency histograms (bucket upper bounds, within 2x).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "acrypto/sched/stats.hpp"

namespace {

using namespace acrypto::sched;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kThreads = 4;
constexpr uint32_t kWindow = 256; // sessions outstanding per submitter
constexpr uint32_t kLen = 1024;   // bytes per session

struct Rec {
    Clock::time_point submit, done;
    uint32_t prio = 0;
    std::atomic<uint32_t> count{0};
    int status = -1;
};

std::unique_ptr<Rec[]> g_rec;

void on_done(void *arg, Session &s) {
    Rec &r = g_rec[reinterpret_cast<uintptr_t>(arg)];
    r.done = Clock::now();
    r.status = s.status();
    r.count.fetch_add(1, std::memory_order_release);
}

} // namespace

int main(int argc, char **argv) {
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 40000;
    Options opts;
    if (argc > 2) opts.aging_ms = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
    if (access(ACRYPTO_SIM_PLUGIN, R_OK) != 0) {
        std::fprintf(stderr, "sim plugin not built: %s\n", ACRYPTO_SIM_PLUGIN);
        return 2;
    }
    auto cr = SchedulerCore::create(opts);
    if (!cr) return 2;
    std::unique_ptr<SchedulerCore> core = std::move(cr.value());
    if (auto l = core->load_device_plugin(ACRYPTO_SIM_PLUGIN); !l) return 2;
    // ~80 Mbit/s for 1 KiB sessions: about 9,800 sessions/s; 4 slots, so ordering
    // is decided in the scheduler's queue.
    if (auto o = core->open_devices(
            "sim",
            Config{{"mode", "null"}, {"rate-mbps", "80"}, {"slots", "4"}, {"queue-len", "4096"}});
        !o) {
        std::fprintf(stderr, "open: %s\n", o.error().message.c_str());
        return 2;
    }
    g_rec.reset(new Rec[n]);
    static uint8_t src[kLen], dst[64];
    std::atomic<uint64_t> next{0}, rejected{0};

    auto submitter = [&](uint32_t tid) {
        std::vector<Ref<Session>> ring(kWindow);
        uint64_t rng = 0x2545f4914f6cdd1dull * (tid + 1);
        bool more = true;
        for (;;) {
            bool pending = false;
            Session *oldest = nullptr;
            for (auto &s : ring) {
                if (s && !s->done()) {
                    pending = true;
                    if (!oldest) oldest = s.get();
                    continue;
                }
                s.reset();
                if (!more) continue;
                const uint64_t i = next.fetch_add(1);
                if (i >= n) {
                    more = false;
                    continue;
                }
                rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                s = Session::make(1);
                acrypto_step &st = s->step(0);
                st.op = ACRYPTO_OP_DIGEST;
                st.alg = ACRYPTO_ALG_SHA256;
                st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
                st.src = src;
                st.src_len = kLen;
                st.dst = dst;
                st.dst_len = sizeof(dst);
                g_rec[i].prio = static_cast<uint32_t>(rng % 8);
                s->set_priority(g_rec[i].prio);
                s->set_done(on_done, reinterpret_cast<void *>(static_cast<uintptr_t>(i)));
                g_rec[i].submit = Clock::now();
                Errc rc;
                while ((rc = core->submit(s)) == Errc::Busy)
                    std::this_thread::sleep_for(std::chrono::microseconds(100));
                if (rc != Errc::Ok) {
                    rejected.fetch_add(1);
                    g_rec[i].count.store(100);
                    s.reset();
                } else {
                    pending = true;
                }
            }
            if (!more && !pending) return;
            if (oldest) oldest->wait_for(std::chrono::milliseconds(1));
        }
    };
    const auto t0 = Clock::now();
    std::vector<std::thread> th;
    for (uint32_t i = 0; i < kThreads; ++i) th.emplace_back(submitter, i);
    for (auto &t : th) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    // done() turns true before the completion hook runs: give the last hooks time to
    // land before counting a session as lost.
    for (uint64_t i = 0, spins = 0; i < n && spins < 5000; ++i)
        while (g_rec[i].count.load(std::memory_order_acquire) == 0 && spins++ < 5000)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));

    std::vector<double> lat[8];
    uint64_t lost = 0, dup = 0, failed = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const Rec &r = g_rec[i];
        const uint32_t c = r.count.load(std::memory_order_acquire);
        if (c == 100) continue;
        if (c == 0) ++lost;
        if (c > 1) ++dup;
        if (c != 1) continue;
        if (r.status != ACRYPTO_OK) ++failed;
        lat[r.prio].push_back(std::chrono::duration<double, std::milli>(r.done - r.submit).count());
    }
    std::vector<std::pair<std::string, uint64_t>> stats;
    for (const auto &st : core->stats()) stats.emplace_back(st.name, st.value);
    core->shutdown();
    LatencyHistogram hist[8];
    for (auto &h : latency_histograms(stats))
        for (int p = 0; p < 8; ++p)
            if (h.name == "prio." + std::to_string(p)) hist[p] = h;

    std::printf("sched_priority: %llu sessions of %u B, %u submitters x %u outstanding, one sim "
                "device (null, 80 Mbit/s, 4 slots), aging %u ms\n",
                (unsigned long long)n, kLen, kThreads, kWindow, opts.aging_ms);
    std::printf("wall %.2f s (%.0f sessions/s)  lost %llu  duplicated %llu  failed %llu  rejected "
                "%llu\n",
                wall, n / wall, (unsigned long long)lost, (unsigned long long)dup,
                (unsigned long long)failed, (unsigned long long)rejected.load());
    std::printf("prio  sessions   p50 ms   p99 ms   max ms | histogram: count  p50 <= ms  p99 <= "
                "ms  mean ms\n");
    double p50[8] = {};
    for (int p = 0; p < 8; ++p) {
        auto &v = lat[p];
        std::sort(v.begin(), v.end());
        auto q = [&](double f) {
            return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(f * v.size()))];
        };
        p50[p] = q(0.5);
        const LatencyHistogram &h = hist[p];
        std::printf("%4d  %8zu  %7.2f  %7.2f  %7.2f | %16llu  %9.2f  %9.2f  %7.2f\n", p, v.size(),
                    q(0.5), q(0.99), v.empty() ? 0.0 : v.back(), (unsigned long long)h.count,
                    h.quantile_ns(0.5) / 1e6, h.quantile_ns(0.99) / 1e6,
                    h.count ? h.sum_ns / 1e6 / h.count : 0.0);
    }
    const bool order_ok = p50[7] < p50[0];
    std::printf("priority 7 waits less than 0: %s; priority 0 all complete: %s\n",
                order_ok ? "yes" : "NO", lost == 0 ? "yes" : "NO");
    const bool bad = lost || dup || failed || !order_ok;
    std::printf("%s\n", bad ? "FAIL" : "PASS");
    return bad ? 1 : 0;
}
