// SPDX-License-Identifier: Apache-2.0
// Fault soak: HIFN and FastCrypt models, sim and cpu under one scheduler with injected faults;
// every session completes exactly once and successful output matches libcrypto.
#include <gtest/gtest.h>
#include <openssl/evp.h>

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

namespace acrypto::sched {
namespace {

/// Soak length: ACRYPTO_SOAK_SECONDS (default 10, the CI bound).
int soak_seconds() {
    const char *v = std::getenv("ACRYPTO_SOAK_SECONDS");
    int s = v != nullptr ? std::atoi(v) : 10;
    return s > 0 ? s : 10;
}

/// Counts completions of one session; a second call is a duplicate.
struct Tracker {
    std::atomic<int> calls{0};
    std::atomic<int> *dups = nullptr;
};

void on_done(void *arg, Session &) {
    auto *t = static_cast<Tracker *>(arg);
    if (t->calls.fetch_add(1) != 0) t->dups->fetch_add(1);
}

/// libcrypto's answer for one CBC encryption without padding.
std::vector<uint8_t> reference(bool aes, const uint8_t *key, const uint8_t *iv, const uint8_t *in,
                               size_t len) {
    std::vector<uint8_t> out(len + 16);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    EVP_CIPHER *ciph =
        EVP_CIPHER_fetch(nullptr, aes ? "AES-128-CBC" : "DES-EDE3-CBC", "provider=default");
    int n = 0, f = 0;
    if (c == nullptr || ciph == nullptr || EVP_EncryptInit_ex2(c, ciph, key, iv, nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
        EVP_EncryptUpdate(c, out.data(), &n, in, static_cast<int>(len)) != 1 ||
        EVP_EncryptFinal_ex(c, out.data() + n, &f) != 1)
        out.clear();
    else
        out.resize(static_cast<size_t>(n + f));
    EVP_CIPHER_free(ciph);
    EVP_CIPHER_CTX_free(c);
    return out;
}

struct Job {
    Ref<Session> s;
    std::unique_ptr<Tracker> t;
    bool aes = true;
    size_t len = 0;
    uint8_t key[24];
    uint8_t iv[16];
};

TEST(FaultSoak, ModelsSimAndCpuCompleteEveryoneExactlyOnce) {
    Options opts;
    opts.plugin_dir = ACRYPTO_TEST_PLUGIN_DIR;
    opts.log = [](void *, int, const char *, const char *) {}; // faults are expected; stay quiet
    auto made = SchedulerCore::create(opts);
    ASSERT_TRUE(made.ok());
    std::unique_ptr<SchedulerCore> core = std::move(made.value());

    struct Dev {
        const char *driver;
        Config cfg;
    };
    const std::vector<Dev> devs = {
        {"cpu", Config{}},
        {"sim", Config{{"instances", "2"},
                       {"mode", "compute"},
                       {"fail-rate", "0.02"},
                       {"stall-rate", "0.01"},
                       {"stall-ms", "20"},
                       {"break-after", "1500"},
                       {"slots", "4"},
                       {"queue-len", "32"}}},
        {"hifn", Config{{"model", "1"},
                        {"model-rate-mbps", "0"},
                        {"watchdog-ms", "300"},
                        {"fault-stall-every", "97"},
                        {"fault-bad-status-every", "89"},
                        {"fault-dma-error-every", "83"},
                        {"fault-garbage-every", "101"},
                        {"fault-self-reset-every", "211"},
                        {"fault-drop-irq-every", "53"}}},
        {"fastcrypt", Config{{"model", "1"},
                             {"watchdog-ms", "300"},
                             {"fault-rate", "0.02"},
                             {"fault-kinds", "all"},
                             {"fault-seed", "7"}}},
    };
    int opened = 0;
    for (const auto &d : devs) {
        std::string path =
            std::string(ACRYPTO_TEST_PLUGIN_DIR) + "/acrypto-dev-" + d.driver + ".so";
        auto l = core->load_device_plugin(path);
        if (!l.ok()) continue; // driver not built in this configuration
        auto r = core->open_devices(d.driver, d.cfg);
        ASSERT_TRUE(r.ok()) << d.driver << ": " << r.error().message;
        opened += static_cast<int>(r.value());
    }
    ASSERT_GE(opened, 1);

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(soak_seconds());
    std::atomic<int> dups{0};
    constexpr int kThreads = 2;
    // Bounds memory and the libcrypto check afterwards; a longer soak mostly adds fault rounds.
    const size_t kMaxPerThread = 6000u * static_cast<size_t>(soak_seconds());
    std::vector<std::vector<std::unique_ptr<Job>>> per(kThreads);
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
        ts.emplace_back([&, t] {
            uint32_t x = 0x9e3779b9u * static_cast<uint32_t>(t + 1);
            auto rnd = [&x] { return x = x * 1664525u + 1013904223u; };
            while (std::chrono::steady_clock::now() < deadline && per[t].size() < kMaxPerThread) {
                auto j = std::make_unique<Job>();
                j->aes = (rnd() & 1) != 0;
                const size_t blk = j->aes ? 16 : 8;
                j->len = blk * (1 + rnd() % 256);
                for (auto &b : j->key) b = static_cast<uint8_t>(rnd() >> 24);
                for (auto &b : j->iv) b = static_cast<uint8_t>(rnd() >> 24);
                j->s = Session::make(1, 2 * j->len);
                acrypto_step &st = j->s->step(0);
                st.op = ACRYPTO_OP_CIPHER;
                st.alg = j->aes ? ACRYPTO_ALG_AES : ACRYPTO_ALG_DES_EDE3;
                st.mode = ACRYPTO_MODE_CBC;
                st.dir = ACRYPTO_DIR_ENCRYPT;
                j->s->set_key(0, core->make_key(st.alg, j->key, j->aes ? 16 : 24));
                uint8_t *src = j->s->alloc(j->len);
                for (size_t k = 0; k < j->len; ++k) src[k] = static_cast<uint8_t>(rnd() >> 24);
                st.src = src;
                st.src_len = j->len;
                st.dst = j->s->alloc(j->len);
                st.dst_len = j->len;
                st.iv_len = static_cast<uint32_t>(blk);
                std::memcpy(st.iv, j->iv, blk);
                j->s->set_priority(rnd() % 8);
                j->t = std::make_unique<Tracker>();
                j->t->dups = &dups;
                j->s->set_done(on_done, j->t.get());
                Errc e;
                while ((e = core->submit(j->s)) == Errc::Busy)
                    std::this_thread::sleep_for(std::chrono::microseconds(200));
                if (e == Errc::Unsupported) continue; // no healthy device left for this algorithm
                ASSERT_EQ(e, Errc::Ok);
                per[t].push_back(std::move(j));
            }
        });
    }
    for (auto &th : ts) th.join();

    int ok = 0, failed = 0, total = 0;
    for (auto &v : per) {
        for (auto &j : v) {
            ++total;
            ASSERT_TRUE(j->s->wait_for(std::chrono::seconds(60))) << "session never completed";
            EXPECT_EQ(j->t->calls.load(), 1);
            if (j->s->status() != ACRYPTO_OK) {
                ++failed;
                continue;
            }
            ++ok;
            const acrypto_step &st = j->s->step(0);
            auto want = reference(j->aes, j->key, j->iv, st.src, j->len);
            ASSERT_EQ(want.size(), j->len);
            EXPECT_EQ(0, std::memcmp(want.data(), st.dst, j->len))
                << (j->aes ? "AES" : "3DES") << " " << j->len << " bytes differ from libcrypto";
        }
    }
    EXPECT_EQ(dups.load(), 0);
    EXPECT_GT(total, 100);
    EXPECT_GT(ok, total / 2) << failed << " failed of " << total;
    uint64_t retries = 0;
    for (const auto &st : core->stats())
        if (st.name == "retries") retries = st.value;
    std::printf("soak: %d sessions, %d ok, %d failed, %llu retries, %d devices\n", total, ok,
                failed, static_cast<unsigned long long>(retries), opened);
    for (const auto &d : core->devices())
        std::printf("  %s%s%s\n", d.name.c_str(), d.broken ? " broken: " : "",
                    d.broken ? d.broken_reason.c_str() : "");
    core->shutdown();
    for (auto &v : per)
        for (auto &j : v) EXPECT_EQ(j->s->refcount(), 1u);
}

} // namespace
} // namespace acrypto::sched
