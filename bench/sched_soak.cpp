// SPDX-License-Identifier: Apache-2.0
// sched_soak: N AES-128-CBC / SHA-256 sessions over sim devices that die and are replaced; checks
// exactly-once completion, spot-checks results against libcrypto and measures throughput recovery.
#include <openssl/evp.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "acrypto/sched/scheduler.hpp"

namespace {

using namespace acrypto::sched;
using Clock = std::chrono::steady_clock;

constexpr uint32_t kThreads = 4;      // submitter threads
constexpr uint32_t kWindow = 64;      // sessions in flight per submitter
constexpr uint32_t kVerifyEvery = 16; // one session in 16 is checked against EVP
constexpr int kSampleMs = 10;
constexpr int kReplaceAfterMs = 300; // a dead device's replacement comes this long after

std::unique_ptr<std::atomic<uint8_t>[]> g_done_count; // completions per session index
std::unique_ptr<std::atomic<uint8_t>[]> g_accepted;   // 1 when submit() returned Ok
std::atomic<uint64_t> g_completed{0};

void on_done(void *arg, Session &) {
    g_done_count[reinterpret_cast<uintptr_t>(arg)].fetch_add(1, std::memory_order_relaxed);
    g_completed.fetch_add(1, std::memory_order_relaxed);
}

struct Rng {
    uint64_t x;
    uint64_t next() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    }
};

struct Slot {
    Ref<Session> s;
    uint64_t idx = 0;
    bool aes = false, verify = false;
    size_t len = 0;
    uint8_t iv[16];
    alignas(64) uint8_t src[1024];
    alignas(64) uint8_t dst[1024];
};

struct Totals {
    std::atomic<uint64_t> ok{0}, failed{0}, verified{0}, wrong{0}, rejected{0}, stuck{0};
    std::mutex mu;
    std::map<int, uint64_t> fail_status;
};

struct Shared {
    SchedulerCore *core;
    Ref<Key> key;
    uint8_t key_bytes[16];
    uint64_t n;
    std::atomic<uint64_t> next{0};
    Totals t;
};

bool check(const Shared &sh, const Slot &sl) {
    uint8_t want[1024];
    if (sl.aes) {
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        int ol = 0;
        bool ok = EVP_EncryptInit_ex(c, EVP_aes_128_cbc(), nullptr, sh.key_bytes, sl.iv) == 1 &&
                  EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
                  EVP_EncryptUpdate(c, want, &ol, sl.src, static_cast<int>(sl.len)) == 1;
        EVP_CIPHER_CTX_free(c);
        return ok && static_cast<size_t>(ol) == sl.len && sl.s->step(0).out_len == sl.len &&
               std::memcmp(want, sl.dst, sl.len) == 0;
    }
    unsigned ol = 0;
    return EVP_Digest(sl.src, sl.len, want, &ol, EVP_sha256(), nullptr) == 1 && ol == 32 &&
           sl.s->step(0).out_len == 32 && std::memcmp(want, sl.dst, 32) == 0;
}

/// Take the next index and submit it from `sl`; false when all N are issued.
bool issue(Shared &sh, Slot &sl, Rng &rng) {
    const uint64_t idx = sh.next.fetch_add(1, std::memory_order_relaxed);
    if (idx >= sh.n) return false;
    sl.idx = idx;
    sl.aes = idx & 1;
    sl.verify = (idx / 2) % kVerifyEvery == 0;
    sl.len = sl.aes ? 16 * (1 + rng.next() % 64) : 1 + rng.next() % 1024;
    if (sl.verify)
        for (size_t i = 0; i < sl.len; i += 8) {
            uint64_t r = rng.next();
            std::memcpy(sl.src + i, &r, std::min<size_t>(8, sl.len - i));
        }
    else
        std::memset(sl.src, static_cast<int>(idx), sl.len);
    sl.s = Session::make(1);
    acrypto_step &st = sl.s->step(0);
    if (sl.aes) {
        st.op = ACRYPTO_OP_CIPHER;
        st.alg = ACRYPTO_ALG_AES;
        st.mode = ACRYPTO_MODE_CBC;
        st.dir = ACRYPTO_DIR_ENCRYPT;
        uint64_t a = rng.next(), b = rng.next();
        std::memcpy(sl.iv, &a, 8);
        std::memcpy(sl.iv + 8, &b, 8);
        std::memcpy(st.iv, sl.iv, 16);
        st.iv_len = 16;
        sl.s->set_key(0, sh.key);
    } else {
        st.op = ACRYPTO_OP_DIGEST;
        st.alg = ACRYPTO_ALG_SHA256;
        st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    }
    st.src = sl.src;
    st.src_len = sl.len;
    st.dst = sl.dst;
    st.dst_len = sizeof(sl.dst);
    sl.s->set_done(on_done, reinterpret_cast<void *>(static_cast<uintptr_t>(idx)));
    for (;;) {
        Errc rc = sh.core->submit(sl.s);
        if (rc == Errc::Ok) {
            g_accepted[idx].store(1, std::memory_order_relaxed);
            return true;
        }
        if (rc != Errc::Busy) {
            sh.t.rejected.fetch_add(1);
            sl.s.reset();
            return true;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
}

void settle(Shared &sh, Slot &sl) {
    if (sl.s->status() != ACRYPTO_OK) {
        sh.t.failed.fetch_add(1);
        std::lock_guard lk(sh.t.mu);
        ++sh.t.fail_status[sl.s->status()];
    } else {
        sh.t.ok.fetch_add(1);
        if (sl.verify) {
            sh.t.verified.fetch_add(1);
            if (!check(sh, sl)) sh.t.wrong.fetch_add(1);
        }
    }
    sl.s.reset();
}

void submitter(Shared &sh, uint32_t tid) {
    std::vector<Slot> slots(kWindow);
    Rng rng{0x9e3779b97f4a7c15ull * (tid + 1)};
    bool more = true;
    auto last_progress = Clock::now();
    for (;;) {
        bool progress = false, pending = false;
        Slot *oldest = nullptr;
        for (Slot &sl : slots) {
            if (sl.s && !sl.s->done()) {
                pending = true;
                if (!oldest) oldest = &sl;
                continue;
            }
            if (sl.s) {
                settle(sh, sl);
                progress = true;
            }
            if (more && !issue(sh, sl, rng)) more = false;
            if (sl.s && !sl.s->done()) pending = true;
        }
        if (!more && !pending) return;
        if (progress) {
            last_progress = Clock::now();
        } else if (Clock::now() - last_progress > std::chrono::seconds(30)) {
            for (Slot &sl : slots)
                if (sl.s && !sl.s->done()) sh.t.stuck.fetch_add(1);
            return;
        } else if (oldest) {
            oldest->s->wait_for(std::chrono::milliseconds(2));
        }
    }
}

Config sim_cfg(const std::string &name, uint64_t break_after, uint32_t seed) {
    return Config{{"mode", "compute"},
                  {"name", name},
                  {"latency-us", "4000"},
                  {"slots", "32"},
                  {"queue-len", "256"},
                  {"seed", std::to_string(seed)},
                  {"break-after", std::to_string(break_after)}};
}

} // namespace

int main(int argc, char **argv) {
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    if (access(ACRYPTO_SIM_PLUGIN, R_OK) != 0) {
        std::fprintf(stderr, "sim plugin not built: %s\n", ACRYPTO_SIM_PLUGIN);
        return 2;
    }
    auto cr = SchedulerCore::create(Options{});
    if (!cr) return 2;
    std::unique_ptr<SchedulerCore> core = std::move(cr.value());
    if (auto l = core->load_device_plugin(ACRYPTO_SIM_PLUGIN); !l) {
        std::fprintf(stderr, "load: %s\n", l.error().message.c_str());
        return 2;
    }
    // Three devices; two die after a share of the run, and their replacements
    // arrive kReplaceAfterMs later (the first replacement dies again).
    const uint64_t brk_a = std::max<uint64_t>(n / 8, 100), brk_b = std::max<uint64_t>(n / 4, 200);
    for (auto &[nm, brk, seed] : std::vector<std::tuple<std::string, uint64_t, uint32_t>>{
             {"a", brk_a, 1}, {"b", brk_b, 2}, {"c", 0, 3}})
        if (auto o = core->open_devices("sim", sim_cfg(nm, brk, seed)); !o) {
            std::fprintf(stderr, "open %s: %s\n", nm.c_str(), o.error().message.c_str());
            return 2;
        }

    g_done_count.reset(new std::atomic<uint8_t>[n]());
    g_accepted.reset(new std::atomic<uint8_t>[n]());
    Shared sh;
    sh.core = core.get();
    sh.n = n;
    for (int i = 0; i < 16; ++i) sh.key_bytes[i] = static_cast<uint8_t>(0x2b + 7 * i);
    sh.key = core->make_key(ACRYPTO_ALG_AES, sh.key_bytes, 16);

    // Sampler: cumulative completions every 10 ms; device deaths and replacements.
    struct Event {
        size_t sample;
        std::string what;
        int alive_before, alive_after;
    };
    std::vector<uint64_t> samples{0};
    std::vector<Event> events;
    std::atomic<bool> stop{false};
    std::thread sampler([&] {
        auto t0 = Clock::now();
        std::vector<size_t> replace_at;
        std::map<std::string, bool> seen_broken;
        int replacements = 0, alive = 3;
        while (!stop.load()) {
            std::this_thread::sleep_until(t0 +
                                          std::chrono::milliseconds(kSampleMs * samples.size()));
            samples.push_back(g_completed.load());
            for (const DeviceInfo &d : core->devices())
                if (d.broken && !seen_broken[d.name]) {
                    seen_broken[d.name] = true;
                    events.push_back({samples.size() - 1, d.name + " died", alive, alive - 1});
                    --alive;
                    replace_at.push_back(samples.size() - 1 + kReplaceAfterMs / kSampleMs);
                }
            for (size_t &r : replace_at)
                if (r && samples.size() - 1 >= r) {
                    r = 0;
                    std::string nm = "r";
                    nm += std::to_string(replacements);
                    auto o = core->open_devices(
                        "sim", sim_cfg(nm, replacements == 0 ? std::max<uint64_t>(n / 8, 100) : 0,
                                       10 + replacements));
                    ++replacements;
                    if (o) {
                        events.push_back({samples.size() - 1, nm + "0 joined", alive, alive + 1});
                        ++alive;
                    }
                }
        }
    });

    const auto t0 = Clock::now();
    std::vector<std::thread> th;
    for (uint32_t i = 0; i < kThreads; ++i) th.emplace_back(submitter, std::ref(sh), i);
    for (auto &t : th) t.join();
    const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
    stop = true;
    sampler.join();

    uint64_t lost = 0, dup = 0, accepted = 0;
    for (uint64_t i = 0; i < n; ++i) {
        const uint8_t c = g_done_count[i].load();
        if (!g_accepted[i].load()) continue;
        ++accepted;
        if (c == 0) ++lost;
        if (c > 1) ++dup;
    }
    uint64_t sched_dups = 0, retries = 0, rehashed = 0;
    std::map<std::string, uint64_t> per_dev;
    for (const Stat &s : core->stats()) {
        if (s.name == "duplicates") sched_dups = s.value;
        if (s.name == "retries") retries = s.value;
        if (s.name == "rehashed") rehashed = s.value;
        if (s.name.rfind("dev.", 0) == 0 && s.name.size() > 10 &&
            s.name.compare(s.name.size() - 10, 10, ".completed") == 0 &&
            s.name.find(".drv.") == std::string::npos)
            per_dev[s.name.substr(4, s.name.size() - 14)] = s.value;
    }

    std::printf("sched_soak: %llu sessions, %u submitters x %u window, 3 sim devices "
                "(compute, latency 4 ms, 32 slots)\n",
                (unsigned long long)n, kThreads, kWindow);
    std::printf("accepted %llu  rejected %llu  ok %llu  failed %llu  verified %llu  wrong %llu\n",
                (unsigned long long)accepted, (unsigned long long)sh.t.rejected.load(),
                (unsigned long long)sh.t.ok.load(), (unsigned long long)sh.t.failed.load(),
                (unsigned long long)sh.t.verified.load(), (unsigned long long)sh.t.wrong.load());
    for (auto &[st, c] : sh.t.fail_status)
        std::printf("  failed with status %d: %llu\n", st, (unsigned long long)c);
    std::printf("lost %llu  duplicated %llu  (scheduler duplicates %llu, stuck at timeout %llu)\n",
                (unsigned long long)lost, (unsigned long long)dup, (unsigned long long)sched_dups,
                (unsigned long long)sh.t.stuck.load());
    std::printf("retries %llu  rehashed %llu\n", (unsigned long long)retries,
                (unsigned long long)rehashed);
    std::printf("per device completed:");
    for (auto &[d, c] : per_dev) std::printf(" %s=%llu", d.c_str(), (unsigned long long)c);
    std::printf("\nwall %.2f s  throughput %.0f sessions/s\n", wall, n / wall);

    // Rate per 10 ms sample; recovery = time from the death to the first of three
    // samples in a row at >= 90% of (pre-death rate x survivors / devices before).
    auto rate = [&](size_t i) -> double {
        return i == 0 || i >= samples.size() ? 0.0 : double(samples[i] - samples[i - 1]);
    };
    auto mean = [&](size_t a, size_t b) {
        double s = 0;
        size_t k = 0;
        for (size_t i = a; i < b && i < samples.size(); ++i, ++k) s += rate(i);
        return k ? s / k : 0.0;
    };
    size_t prev_event = 1;
    for (const Event &e : events) {
        const size_t d = e.sample;
        if (e.alive_after > e.alive_before) {
            std::printf("t=%6.2f s  %s\n", d * kSampleMs / 1000.0, e.what.c_str());
            prev_event = d + 1;
            continue;
        }
        const size_t from = std::max(prev_event + 5, d >= 30 ? d - 30 : 1);
        const double pre = mean(std::min(from, d), d);
        const double target = 0.9 * pre * e.alive_after / std::max(1, e.alive_before);
        long rec = -1;
        for (size_t j = d + 1; j + 3 <= samples.size(); ++j)
            if (std::min({rate(j), rate(j + 1), rate(j + 2)}) >= target) {
                rec = static_cast<long>(j - d) * kSampleMs;
                break;
            }
        double dip = pre;
        for (size_t j = d; j < d + 10 && j < samples.size(); ++j) dip = std::min(dip, rate(j));
        std::printf("t=%6.2f s  %s: before %.0f/s (%d devices), dip %.0f/s, survivors' target "
                    "%.0f/s, recovered in %ld ms, after %.0f/s\n",
                    d * kSampleMs / 1000.0, e.what.c_str(), pre * 1000 / kSampleMs, e.alive_before,
                    dip * 1000 / kSampleMs, target * 1000 / kSampleMs, rec,
                    mean(d + rec / kSampleMs, d + 25) * 1000 / kSampleMs);
        prev_event = d + 1;
    }

    core->shutdown();
    const bool bad = lost || dup || sched_dups || sh.t.wrong.load() || sh.t.stuck.load();
    std::printf("%s\n", bad ? "FAIL" : "PASS");
    return bad ? 1 : 0;
}
