// SPDX-License-Identifier: Apache-2.0
// sched_cost: the cost balancer between a far-but-fast and a near-but-slow sim device; prints which
// device each size class went to. usage: sched_cost [per-class 200] [threads 1] [warm-up 16]
// [stall-first 0] [explore-every default]
//   stall-first N: far0's first N sessions stall 50 ms (a slow first sample: cold-start lock-in);
//   explore-every: the cost balancer's key (0 = no exploration; default: the balancer's own).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/sched/scheduler.hpp"

namespace {

using namespace acrypto::sched;

constexpr size_t kSizes[] = {64, 256, 1024, 4096, 16384, 65536, 262144, 1048576};
constexpr size_t kClasses = sizeof(kSizes) / sizeof(kSizes[0]);

std::atomic<uint32_t> *g_count; // completions per session

void on_done(void *arg, Session &) {
    g_count[reinterpret_cast<uintptr_t>(arg)].fetch_add(1, std::memory_order_relaxed);
}

} // namespace

int main(int argc, char **argv) {
    const uint32_t per_class =
        argc > 1 ? static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 200;
    const uint32_t threads =
        argc > 2 ? static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10)) : 1;
    // Sessions per size class bound to each device before the run, so the balancer's
    // learned figures do not rest on the first (cold) observation of a device.
    const uint32_t warm = argc > 3 ? static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10)) : 16;
    const std::string stall_first = argc > 4 ? argv[4] : "0";
    const std::string explore = argc > 5 ? argv[5] : "";
    if (access(ACRYPTO_SIM_PLUGIN, R_OK) != 0) {
        std::fprintf(stderr, "sim plugin not built: %s\n", ACRYPTO_SIM_PLUGIN);
        return 2;
    }
    Options opts;
    opts.balancer = "cost";
    if (!explore.empty()) opts.balancer_config = Config{{"explore-every", explore}};
    auto cr = SchedulerCore::create(opts);
    if (!cr) {
        std::fprintf(stderr, "create: %s\n", cr.error().message.c_str());
        return 2;
    }
    std::unique_ptr<SchedulerCore> core = std::move(cr.value());
    if (auto l = core->load_device_plugin(ACRYPTO_SIM_PLUGIN); !l) return 2;
    // far: 2 ms away, 8 Gbit/s; near: 50 us away, 200 Mbit/s. Break-even near 50 KB.
    for (const Config &cfg :
         {Config{{"mode", "null"},
                 {"name", "far"},
                 {"latency-us", "2000"},
                 {"rate-mbps", "8000"},
                 {"stall-first", stall_first},
                 {"stall-ms", "50"}},
          Config{{"mode", "null"}, {"name", "near"}, {"latency-us", "50"}, {"rate-mbps", "200"}}})
        if (auto o = core->open_devices("sim", cfg); !o) {
            std::fprintf(stderr, "open: %s\n", o.error().message.c_str());
            return 2;
        }

    static uint8_t src[1048576];
    uint32_t warm_failed = 0;
    for (size_t c = 0; c < kClasses; ++c)
        for (const char *dev : {"near0", "far0"})
            for (uint32_t k = 0; k < warm; ++k) {
                uint8_t dst[64];
                auto s = Session::make(1);
                acrypto_step &st = s->step(0);
                st.op = ACRYPTO_OP_DIGEST;
                st.alg = ACRYPTO_ALG_SHA256;
                st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
                st.src = src;
                st.src_len = kSizes[c];
                st.dst = dst;
                st.dst_len = sizeof(dst);
                s->bind(dev);
                if (core->submit(s) != Errc::Ok) {
                    ++warm_failed;
                    continue;
                }
                s->wait();
                warm_failed += s->status() != ACRYPTO_OK;
            }

    const uint32_t n = per_class * kClasses;
    std::unique_ptr<std::atomic<uint32_t>[]> counts(new std::atomic<uint32_t>[n]());
    g_count = counts.get();
    std::vector<uint32_t> cls(n);
    std::vector<std::atomic<uint32_t>> to_near(kClasses), to_far(kClasses), failed(kClasses);
    std::vector<std::atomic<uint64_t>> us_near(kClasses), us_far(kClasses); // summed latency
    for (uint32_t i = 0; i < n; ++i) cls[i] = i % kClasses;
    uint64_t rng = 88172645463325252ull;
    for (uint32_t i = n - 1; i > 0; --i) { // interleave size classes at random
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        std::swap(cls[i], cls[rng % (i + 1)]);
    }
    std::atomic<uint32_t> next{0}, rejected{0};
    const auto t_run = std::chrono::steady_clock::now();
    auto worker = [&] {
        uint8_t dst[64];
        for (uint32_t i; (i = next.fetch_add(1)) < n;) {
            auto s = Session::make(1);
            acrypto_step &st = s->step(0);
            st.op = ACRYPTO_OP_DIGEST;
            st.alg = ACRYPTO_ALG_SHA256;
            st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
            st.src = src;
            st.src_len = kSizes[cls[i]];
            st.dst = dst;
            st.dst_len = sizeof(dst);
            s->set_done(on_done, reinterpret_cast<void *>(static_cast<uintptr_t>(i)));
            const auto t0 = std::chrono::steady_clock::now();
            Errc rc;
            while ((rc = core->submit(s)) == Errc::Busy) std::this_thread::yield();
            if (rc != Errc::Ok) {
                rejected.fetch_add(1);
                counts[i].store(1);
                continue;
            }
            s->wait();
            const uint64_t us = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::steady_clock::now() - t0)
                                    .count();
            if (s->status() != ACRYPTO_OK) {
                failed[cls[i]].fetch_add(1);
            } else if (std::strcmp(s->last_device(), "near0") == 0) {
                to_near[cls[i]].fetch_add(1);
                us_near[cls[i]].fetch_add(us);
            } else {
                to_far[cls[i]].fetch_add(1);
                us_far[cls[i]].fetch_add(us);
            }
        }
    };
    std::vector<std::thread> th;
    for (uint32_t t = 0; t < threads; ++t) th.emplace_back(worker);
    for (auto &t : th) t.join();
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t_run).count();
    uint32_t lost = 0, dup = 0;
    // wait() returns before the completion hook runs: let the last hooks land.
    for (uint32_t i = 0, spins = 0; i < n && spins < 5000; ++i)
        while (counts[i].load() == 0 && spins++ < 5000)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (uint32_t i = 0; i < n; ++i) {
        lost += counts[i].load() == 0;
        dup += counts[i].load() > 1;
    }
    core->shutdown();

    std::printf("sched_cost: %u sessions per size class, %u thread(s), warm-up %u bound sessions "
                "per class and device; far0 = 2 ms + 8 Gbit/s, near0 = 50 us + 200 Mbit/s "
                "(break-even ~50 KB); far0 first %s session(s) stall 50 ms; explore-every %s\n",
                per_class, threads, warm, stall_first.c_str(),
                explore.empty() ? "default" : explore.c_str());
    std::printf("   bytes    near     far  failed  near us  far us (mean submit->complete)\n");
    uint32_t total_failed = 0, misplaced = 0;
    double us_total = 0;
    for (size_t c = 0; c < kClasses; ++c) {
        const uint32_t a = to_near[c].load(), b = to_far[c].load();
        // The emulated model's right answer: near0 below the ~50 KB break-even, far0 above.
        misplaced += kSizes[c] < 50000 ? b : a;
        us_total += double(us_near[c].load()) + double(us_far[c].load());
        std::printf("%8zu  %6u  %6u  %6u  %7.0f  %6.0f\n", kSizes[c], a, b, failed[c].load(),
                    a ? double(us_near[c].load()) / a : 0.0,
                    b ? double(us_far[c].load()) / b : 0.0);
        total_failed += failed[c].load();
    }
    std::printf("misplaced %u of %u (%.1f%%)  mean latency %.0f us  wall %.2f s\n", misplaced, n,
                100.0 * misplaced / n, us_total / n, wall);
    std::printf("lost %u  duplicated %u  failed %u  rejected %u\n", lost, dup, total_failed,
                rejected.load());
    total_failed += warm_failed;
    const bool bad = lost || dup || total_failed || rejected.load();
    std::printf("%s\n", bad ? "FAIL" : "PASS");
    return bad ? 1 : 0;
}
