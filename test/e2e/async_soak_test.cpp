// SPDX-License-Identifier: Apache-2.0
// ASYNC fault soak through the provider: jobs paused on sessions held by faulty sim devices are
// resumed, resumed spuriously, abandoned (wait ctx freed or kept), while the process forks and a
// child runs out of file descriptors. Every session completes exactly once; output matches the
// default provider; no wait notifier outlives its session.
#include <gtest/gtest.h>
#include <openssl/async.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "provider_env.hpp"
#include "wait_notifier.hpp"

#if defined(__SANITIZE_THREAD__)
#define ACRYPTO_UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ACRYPTO_UNDER_TSAN 1
#endif
#endif

namespace acrypto::test {
namespace {

constexpr const char *kAcrypto = "provider=acrypto";
constexpr const char *kDefault = "provider=default";

/// Rounds of the soak: ACRYPTO_ASYNC_SOAK_ROUNDS (default 8, well under a second; try 500).
int soak_rounds() {
    const char *v = std::getenv("ACRYPTO_ASYNC_SOAK_ROUNDS");
    int n = v != nullptr ? std::atoi(v) : 8;
    return n > 0 ? n : 8;
}

/// Abandoned jobs stay reachable (leak checkers): OpenSSL offers no way to free a paused job.
/// Never destroyed: a static vector would be freed before the exit-time leak check.
std::vector<void *> &g_abandoned = *new std::vector<void *>;

/// One job's work: a cipher or a digest through acrypto, checked afterwards.
struct Work {
    OSSL_LIB_CTX *ctx = nullptr;
    bool digest = false;
    const char *cipher = "AES-128-CBC";
    std::vector<uint8_t> key, iv, in, out, want;
    bool ran = false;
    bool ok = false;
    std::string errors; ///< what a failed call left on the queue
};

int job_main(void *arg) {
    Work *w = *static_cast<Work **>(arg);
    w->ok = w->digest ? evp_digest(w->ctx, "SHA256", kAcrypto, w->in, w->out)
                      : evp_cipher(w->ctx, w->cipher, kAcrypto, true, w->key, w->iv, w->in, w->out);
    if (!w->ok) w->errors = drain_errors();
    w->ran = true;
    return 1;
}

/// Fill `w` with fresh input and the default provider's answer; false if the latter failed.
bool prepare(Work &w, OSSL_LIB_CTX *ctx, uint32_t r) {
    w.ctx = ctx;
    w.digest = r % 3 == 0;
    const bool tdes = r % 3 == 2; // FastCrypt's only cipher
    w.cipher = tdes ? "DES-EDE3-CBC" : "AES-128-CBC";
    w.key = random_bytes(tdes ? 24 : 16);
    w.iv = random_bytes(tdes ? 8 : 16);
    w.in = random_bytes(16 + r % 6000);
    return w.digest ? evp_digest(ctx, "SHA256", kDefault, w.in, w.want)
                    : evp_cipher(ctx, w.cipher, kDefault, true, w.key, w.iv, w.in, w.want);
}

/// The one fd acrypto registered on `wctx`, or -1.
int wait_fd(ASYNC_WAIT_CTX *wctx) {
    size_t n = 0;
    if (ASYNC_WAIT_CTX_get_all_fds(wctx, nullptr, &n) != 1 || n != 1) return -1;
    OSSL_ASYNC_FD fd = -1;
    ASYNC_WAIT_CTX_get_all_fds(wctx, &fd, &n);
    return fd;
}

bool have_plugin(const char *name) {
    return access((std::string(plugin_dir()) + "/acrypto-dev-" + name + ".so").c_str(), R_OK) == 0;
}

bool have_sim() { return have_plugin("sim"); }

bool fork_unsupported() {
#if defined(ACRYPTO_UNDER_TSAN) || defined(__SANITIZE_ADDRESS__)
    // gcc 12's sanitizer runtimes take no allocator locks across fork(): a child forked while
    // a worker allocates can block forever in its first malloc.
    return true;
#else
    return false;
#endif
}

/// Child side of a fork taken while the parent has sessions in flight: a fresh scheduler that
/// owns none of them, blocking and ASYNC work, then no fd left for an eventfd.
int child_run(const ProviderEnv &env, uint32_t seed) {
    OSSL_LIB_CTX *ctx = env.ctx();
    std::vector<Work> ws(4);
    for (uint32_t i = 0; i < ws.size(); ++i)
        if (!prepare(ws[i], ctx, seed * 7 + i)) return 10;
    for (Work &w : ws) {
        Work *wp = &w;
        ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
        ASYNC_JOB *job = nullptr;
        int ret = 0, r, guard = 0;
        while ((r = ASYNC_start_job(&job, wctx, &ret, job_main, &wp, sizeof wp)) == ASYNC_PAUSE &&
               ++guard < 1000000) {
            const int fd = wait_fd(wctx);
            if (fd >= 0) {
                pollfd p{fd, POLLIN, 0};
                (void)poll(&p, 1, 1000);
            }
        }
        ASYNC_WAIT_CTX_free(wctx);
        if (r != ASYNC_FINISH) return 11;
        if (w.ok && w.out != w.want) return 12; // wrong output in the child
    }
    // Eventfd exhaustion: with no fd left the job must run synchronously and still be right.
    int probe = dup(0);
    rlimit rl{static_cast<rlim_t>(probe), static_cast<rlim_t>(probe)};
    close(probe);
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) return 13;
    for (Work &w : ws) {
        w.out.clear();
        w.ran = w.ok = false;
        Work *wp = &w;
        ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
        ASYNC_JOB *job = nullptr;
        int ret = 0, r, pauses = 0;
        while ((r = ASYNC_start_job(&job, wctx, &ret, job_main, &wp, sizeof wp)) == ASYNC_PAUSE &&
               ++pauses < 1000000) {}
        ASYNC_WAIT_CTX_free(wctx);
        if (r != ASYNC_FINISH) return 14;
        if (w.ok && w.out != w.want) return 15;
    }
    // No session straddles the fork: this scheduler counts only the child's own sessions, and
    // each of them completed once.
    long long sub = env.stat("submitted"), done = env.stat("completed");
    for (int i = 0; i < 1000 && done < sub; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        sub = env.stat("submitted");
        done = env.stat("completed");
    }
    if (sub <= 0 || done != sub || env.stat("duplicates") != 0) return 16;
    return 0;
}

class AsyncFaultSoak : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // Two faulty sim instances with latency (sessions stay in flight across pauses), the
        // HIFN and FastCrypt models with injected faults where built, and cpu so that failover
        // has somewhere to go.
        if (!have_sim()) return;
        std::string keys = "inline-threshold = 0\nsim.instances = 2\nsim.latency-us = 400\n"
                           "sim.fail-rate = 0.03\nsim.stall-rate = 0.02\nsim.stall-ms = 15\n"
                           "sim.queue-len = 8\n";
        std::string devices = "sim";
        if (have_plugin("hifn")) {
            devices += ", hifn";
            keys += "hifn.model = 1\nhifn.watchdog-ms = 300\nhifn.fault-bad-status-every = 89\n"
                    "hifn.fault-dma-error-every = 83\nhifn.fault-drop-irq-every = 53\n";
        }
        if (have_plugin("fastcrypt")) {
            devices += ", fastcrypt";
            keys +=
                "fastcrypt.model = 1\nfastcrypt.watchdog-ms = 300\nfastcrypt.fault-rate = 0.02\n"
                "fastcrypt.fault-kinds = all\nfastcrypt.fault-seed = 7\n";
        }
        env_ = new ProviderEnv("devices = " + devices + ", cpu\n" + keys);
    }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static ProviderEnv *env_;
};
ProviderEnv *AsyncFaultSoak::env_ = nullptr;

TEST_F(AsyncFaultSoak, EverySessionCompletesExactlyOnce) {
    if (env_ == nullptr) GTEST_SKIP() << "sim device plugin not built";
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    OSSL_LIB_CTX *ctx = env_->ctx();
    const uint64_t live0 = acrypto::prov::WaitNotifier::live_count();
    const long long dup0 = env_->stat("duplicates");
    ASSERT_GE(dup0, 0) << env_->stats();
    uint32_t x = 0x2545F491u;
    auto rnd = [&x] { return x = x * 1664525u + 1013904223u; };
    int finished = 0, failed = 0, abandoned = 0, forks = 0, spurious = 0, pauses = 0;

    for (int round = 0; round < soak_rounds(); ++round) {
        constexpr int kJobs = 12;
        std::vector<Work *> works(kJobs);
        std::vector<ASYNC_WAIT_CTX *> wctx(kJobs);
        std::vector<ASYNC_JOB *> jobs(kJobs, nullptr);
        // 0 running, 1 finished, 2 abandoned with its wait ctx freed, 3 abandoned, ctx kept.
        std::vector<int> state(kJobs, 0);
        for (int i = 0; i < kJobs; ++i) {
            works[i] = new Work;
            ASSERT_TRUE(prepare(*works[i], ctx, rnd()));
            wctx[i] = ASYNC_WAIT_CTX_new();
        }
        bool forked = fork_unsupported();
        int left = kJobs;
        for (int pass = 0; left > 0 && pass < 200000; ++pass) {
            for (int i = 0; i < kJobs; ++i) {
                if (state[i] != 0) continue;
                int ret = 0;
                const int r =
                    ASYNC_start_job(&jobs[i], wctx[i], &ret, job_main, &works[i], sizeof works[i]);
                if (r == ASYNC_FINISH) {
                    state[i] = 1;
                    --left;
                    continue;
                }
                ASSERT_EQ(r, ASYNC_PAUSE);
                ++pauses;
                ASSERT_EQ(ERR_peek_error(), 0u) << "error queue not clean across a pause";
                // Some callers give up on a paused job (connection closed).
                const uint32_t fate = rnd() % 40;
                if (fate == 0 || fate == 1) {
                    g_abandoned.push_back(jobs[i]);
                    g_abandoned.push_back(works[i]);
                    if (fate == 0) {
                        ASYNC_WAIT_CTX_free(wctx[i]);
                        wctx[i] = nullptr;
                    }
                    state[i] = fate == 0 ? 2 : 3;
                    ++abandoned;
                    --left;
                }
            }
            // Fork while the parent's sessions are in flight (once per round).
            if (!forked && pass == 1) {
                forked = true;
                std::fflush(nullptr);
                const pid_t pid = fork();
                ASSERT_GE(pid, 0);
                if (pid == 0) _exit(child_run(*env_, static_cast<uint32_t>(round)));
                int st = 0;
                ASSERT_EQ(waitpid(pid, &st, 0), pid);
                ASSERT_TRUE(WIFEXITED(st));
                EXPECT_EQ(WEXITSTATUS(st), 0) << "forked child failed (see child_run codes)";
                ++forks;
            }
            std::vector<pollfd> pfds;
            for (int i = 0; i < kJobs; ++i) {
                const int fd = state[i] == 0 ? wait_fd(wctx[i]) : -1;
                if (fd >= 0) pfds.push_back({fd, POLLIN, 0});
            }
            // Every so often resume without waiting: spurious wake-ups must be harmless.
            if (rnd() % 4 == 0)
                ++spurious;
            else if (!pfds.empty())
                (void)poll(pfds.data(), pfds.size(), 1000);
        }
        ASSERT_EQ(left, 0) << "jobs still paused after the pass limit";
        for (int i = 0; i < kJobs; ++i) {
            if (state[i] == 1) {
                ++finished;
                EXPECT_TRUE(works[i]->ran);
                if (works[i]->ok)
                    EXPECT_EQ(works[i]->out, works[i]->want) << "round " << round << " job " << i;
                else {
                    ++failed;
                    EXPECT_FALSE(works[i]->errors.empty()) << "failed without an error";
                }
                delete works[i];
            }
            if (state[i] != 2) ASYNC_WAIT_CTX_free(wctx[i]); // kept ctx of an abandoned job too
        }
    }
    // Abandoned sessions still complete on their devices; nothing they used stays alive.
    for (int i = 0; i < 1000 && acrypto::prov::WaitNotifier::live_count() != live0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_EQ(acrypto::prov::WaitNotifier::live_count(), live0) << "a wait notifier leaked";
    long long sub = env_->stat("submitted"), done = env_->stat("completed");
    for (int i = 0; i < 1000 && done < sub; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        sub = env_->stat("submitted");
        done = env_->stat("completed");
    }
    EXPECT_EQ(done, sub) << env_->stats();
    EXPECT_EQ(env_->stat("duplicates"), dup0) << env_->stats();
    EXPECT_GT(finished, 0);
    EXPECT_GT(pauses, 0) << "no job ever paused: the soak exercised nothing asynchronous";
    EXPECT_LT(failed, finished / 2 + 1) << "most work must succeed despite faults";
    // The provider keeps serving.
    Work w;
    ASSERT_TRUE(prepare(w, ctx, 12345));
    Work *wp = &w;
    ASSERT_EQ(job_main(&wp), 1);
    EXPECT_TRUE(w.ok) << w.errors;
    EXPECT_EQ(w.out, w.want);
    std::printf("%s\n", env_->stats().c_str());
    std::printf(
        "async soak: %d rounds, %d finished (%d failed), %d abandoned, %d forks, %d pauses, "
        "%d spurious resumes, %lld sessions\n",
        soak_rounds(), finished, failed, abandoned, forks, pauses, spurious, sub);
}

} // namespace
} // namespace acrypto::test
