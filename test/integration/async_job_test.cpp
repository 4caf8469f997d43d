// SPDX-License-Identifier: Apache-2.0
// ASYNC_JOB behaviour: fd wake-ups, spurious resumes, blocked pausing, callback mode,
// abandoned jobs, eventfd exhaustion, many jobs; sessions held in flight by a sim device.
#include <gtest/gtest.h>
#include <openssl/async.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

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

/// Abandoned jobs stay reachable (leak checkers): OpenSSL offers no way to free a paused job.
std::vector<void *> g_abandoned;

/// ThreadSanitizer cannot follow a multi-threaded fork whose child starts threads.
bool fork_unsupported() {
#ifdef ACRYPTO_UNDER_TSAN
    return true;
#else
    return false;
#endif
}

constexpr const char *kAcrypto = "provider=acrypto";
constexpr const char *kDefault = "provider=default";

/// acrypto section: only the simulated device, with latency, never inline.
const char *const kSimKeys = "devices = sim\ninline-threshold = 0\nsim.latency-us = 3000\n";
/// Without the sim plugin: the cpu device's worker threads, never inline (completions race pauses).
const char *const kCpuKeys = "devices = cpu\ninline-threshold = 0\n";

bool have_sim() {
    return access((std::string(plugin_dir()) + "/acrypto-dev-sim.so").c_str(), R_OK) == 0;
}

struct Work {
    OSSL_LIB_CTX *ctx = nullptr;
    std::vector<uint8_t> key, iv, pt, out;
    bool ok = false;
    bool block_pause = false;
};

int job_encrypt(void *arg) {
    Work *w = *static_cast<Work **>(arg);
    if (w->block_pause) ASYNC_block_pause();
    w->ok = evp_cipher(w->ctx, "AES-128-CBC", kAcrypto, true, w->key, w->iv, w->pt, w->out);
    if (w->block_pause) ASYNC_unblock_pause();
    return 1;
}

class AsyncJobs : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { env_ = new ProviderEnv(have_sim() ? kSimKeys : kCpuKeys); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static ProviderEnv *env_;

    void SetUp() override {
        sim_ = have_sim();
        ASSERT_TRUE(env_->loaded()) << env_->load_error();
        w_.ctx = env_->ctx();
        w_.key = random_bytes(16);
        w_.iv = random_bytes(16);
        w_.pt = random_bytes(5000);
        ASSERT_TRUE(
            evp_cipher(env_->ctx(), "AES-128-CBC", kDefault, true, w_.key, w_.iv, w_.pt, want_));
        ERR_clear_error();
    }
    /// The single fd acrypto registered on `wctx` (-1 if none), checking there is at most one.
    static int the_fd(ASYNC_WAIT_CTX *wctx) {
        size_t n = 0;
        ASYNC_WAIT_CTX_get_all_fds(wctx, nullptr, &n);
        EXPECT_LE(n, 1u);
        if (n != 1) return -1;
        OSSL_ASYNC_FD fd = -1;
        ASYNC_WAIT_CTX_get_all_fds(wctx, &fd, &n);
        return fd;
    }
    Work w_;
    std::vector<uint8_t> want_;
    bool sim_ = false; ///< sessions certainly still in flight when the job pauses
};
ProviderEnv *AsyncJobs::env_ = nullptr;

TEST_F(AsyncJobs, PausesAndWakesThroughOneFd) {
    ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = nullptr;
    Work *wp = &w_;
    int ret = 0;
    int pauses = 0;
    int first_fd = -2;
    for (;;) {
        int r = ASYNC_start_job(&job, wctx, &ret, job_encrypt, &wp, sizeof wp);
        if (r == ASYNC_FINISH) break;
        ASSERT_EQ(r, ASYNC_PAUSE);
        ++pauses;
        // Nothing may sit on the error queue while paused (SSL_get_error would fail).
        EXPECT_EQ(ERR_peek_error(), 0u);
        int fd = the_fd(wctx);
        ASSERT_GE(fd, 0) << "paused without a wait fd (openssl speed would select on stdin)";
        if (first_fd == -2) first_fd = fd;
        EXPECT_EQ(fd, first_fd) << "wait fd must stay stable per wait ctx";
        pollfd pfd{fd, POLLIN, 0};
        ASSERT_EQ(poll(&pfd, 1, 10000), 1) << "completion never signalled the fd";
    }
    if (sim_) {
        EXPECT_GT(pauses, 0);
    }
    ASSERT_TRUE(w_.ok) << drain_errors();
    EXPECT_EQ(w_.out, want_);
    ASYNC_WAIT_CTX_free(wctx);
}

TEST_F(AsyncJobs, SpuriousResumesAreHarmless) {
    ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = nullptr;
    Work *wp = &w_;
    int ret = 0;
    int resumes = 0;
    for (;;) {
        int r = ASYNC_start_job(&job, wctx, &ret, job_encrypt, &wp, sizeof wp);
        if (r == ASYNC_FINISH) break;
        ASSERT_EQ(r, ASYNC_PAUSE);
        ASSERT_LT(++resumes, 100000);
        // Resume at once, whatever the fd says (s_server's handshake loop does this).
    }
    if (sim_) {
        EXPECT_GT(resumes, 0);
    }
    ASSERT_TRUE(w_.ok) << drain_errors();
    EXPECT_EQ(w_.out, want_);
    ASYNC_WAIT_CTX_free(wctx);
}

TEST_F(AsyncJobs, BlockedPauseCompletesWithoutPausing) {
    ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = nullptr;
    w_.block_pause = true;
    Work *wp = &w_;
    int ret = 0;
    EXPECT_EQ(ASYNC_start_job(&job, wctx, &ret, job_encrypt, &wp, sizeof wp), ASYNC_FINISH);
    ASSERT_TRUE(w_.ok) << drain_errors();
    EXPECT_EQ(w_.out, want_);
    ASYNC_WAIT_CTX_free(wctx);
}

TEST_F(AsyncJobs, NoJobBlocksOnTheSession) {
    std::vector<uint8_t> out;
    ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, w_.key, w_.iv, w_.pt, out))
        << drain_errors();
    EXPECT_EQ(out, want_);
}

std::atomic<int> g_callbacks{0};
int g_callback_fd = -1;

int on_complete(void *) {
    g_callbacks.fetch_add(1);
    uint64_t one = 1;
    (void)!write(g_callback_fd, &one, sizeof one);
    return 1;
}

TEST_F(AsyncJobs, CallbackModeRegistersNoFd) {
    g_callback_fd = eventfd(0, EFD_CLOEXEC);
    ASSERT_GE(g_callback_fd, 0);
    g_callbacks = 0;
    ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
    ASSERT_EQ(ASYNC_WAIT_CTX_set_callback(wctx, on_complete, nullptr), 1);
    ASYNC_JOB *job = nullptr;
    Work *wp = &w_;
    int ret = 0;
    int pauses = 0;
    for (;;) {
        int r = ASYNC_start_job(&job, wctx, &ret, job_encrypt, &wp, sizeof wp);
        if (r == ASYNC_FINISH) break;
        ASSERT_EQ(r, ASYNC_PAUSE);
        ++pauses;
        EXPECT_EQ(the_fd(wctx), -1) << "callback mode must not register an fd";
        EXPECT_EQ(ASYNC_WAIT_CTX_get_status(wctx), ASYNC_STATUS_OK);
        pollfd pfd{g_callback_fd, POLLIN, 0};
        ASSERT_EQ(poll(&pfd, 1, 10000), 1) << "callback never came";
        uint64_t v;
        (void)!read(g_callback_fd, &v, sizeof v);
    }
    if (sim_) {
        EXPECT_GT(pauses, 0);
    }
    EXPECT_GE(g_callbacks.load(), pauses);
    ASSERT_TRUE(w_.ok) << drain_errors();
    EXPECT_EQ(w_.out, want_);
    ASYNC_WAIT_CTX_free(wctx);
    close(g_callback_fd);
}

TEST_F(AsyncJobs, AbandonedJobWithFreedWaitCtx) {
    if (!sim_) GTEST_SKIP() << "needs the sim device to hold a session in flight";
    const uint64_t live_before = acrypto::prov::WaitNotifier::live_count();
    // Heap-held so the paused fibre's pointer stays valid: the job is never resumed.
    auto *w = new Work(w_);
    ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = nullptr;
    int ret = 0;
    ASSERT_EQ(ASYNC_start_job(&job, wctx, &ret, job_encrypt, &w, sizeof w), ASYNC_PAUSE);
    g_abandoned.push_back(job);
    g_abandoned.push_back(w);
    ASSERT_GE(the_fd(wctx), 0);
    // The application gives up (HAProxy's close path): frees the wait ctx, never resumes.
    ASYNC_WAIT_CTX_free(wctx);
    // The in-flight session completes on the device thread and closes the fd last.
    for (int i = 0; i < 500 && acrypto::prov::WaitNotifier::live_count() != live_before; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(acrypto::prov::WaitNotifier::live_count(), live_before);
    // The provider keeps working for everyone else.
    std::vector<uint8_t> out;
    ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, w_.key, w_.iv, w_.pt, out));
    EXPECT_EQ(out, want_);
}

TEST_F(AsyncJobs, ManyJobsCompleteExactlyOnce) {
    constexpr int kJobs = 16;
    std::vector<Work> works(kJobs, w_);
    std::vector<Work *> ptrs(kJobs);
    std::vector<std::vector<uint8_t>> wants(kJobs);
    std::vector<ASYNC_WAIT_CTX *> wctx(kJobs);
    std::vector<ASYNC_JOB *> jobs(kJobs, nullptr);
    std::vector<bool> finished(kJobs, false);
    for (int i = 0; i < kJobs; ++i) {
        works[i].pt = random_bytes(static_cast<size_t>(100 + 997 * i));
        ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kDefault, true, works[i].key,
                               works[i].iv, works[i].pt, wants[i]));
        ptrs[i] = &works[i];
        wctx[i] = ASYNC_WAIT_CTX_new();
    }
    int left = kJobs;
    int rounds = 0;
    while (left > 0 && ++rounds < 100000) {
        for (int i = 0; i < kJobs; ++i) {
            if (finished[i]) continue;
            int ret = 0;
            int r = ASYNC_start_job(&jobs[i], wctx[i], &ret, job_encrypt, &ptrs[i], sizeof ptrs[i]);
            if (r == ASYNC_FINISH) {
                finished[i] = true;
                --left;
            } else {
                ASSERT_EQ(r, ASYNC_PAUSE);
            }
        }
        std::vector<pollfd> pfds;
        for (int i = 0; i < kJobs; ++i) {
            int fd = finished[i] ? -1 : the_fd(wctx[i]);
            if (fd >= 0) pfds.push_back({fd, POLLIN, 0});
        }
        if (!pfds.empty()) (void)poll(pfds.data(), pfds.size(), 1000);
    }
    for (int i = 0; i < kJobs; ++i) {
        EXPECT_TRUE(works[i].ok) << i;
        EXPECT_EQ(works[i].out, wants[i]) << i;
        ASYNC_WAIT_CTX_free(wctx[i]);
    }
}

TEST_F(AsyncJobs, EventfdExhaustionFallsBackToSynchronous) {
    if (fork_unsupported()) GTEST_SKIP() << "fork with threads under ThreadSanitizer";
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // Start this process's scheduler (and its devices) while fds are available.
        std::vector<uint8_t> warm;
        if (!evp_cipher(w_.ctx, "AES-128-CBC", kAcrypto, true, w_.key, w_.iv, w_.pt, warm))
            _exit(2);
        // No fd left for an eventfd: the job must finish synchronously, correctly.
        int probe = dup(0);
        rlimit rl{static_cast<rlim_t>(probe), static_cast<rlim_t>(probe)};
        close(probe);
        setrlimit(RLIMIT_NOFILE, &rl);
        ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
        ASYNC_JOB *job = nullptr;
        Work *wp = &w_;
        int ret = 0;
        int r = ASYNC_start_job(&job, wctx, &ret, job_encrypt, &wp, sizeof wp);
        bool good = r == ASYNC_FINISH && w_.ok && w_.out == want_;
        _exit(good ? 0 : 1);
    }
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST_F(AsyncJobs, ForkedChildGetsAFreshScheduler) {
    if (fork_unsupported()) GTEST_SKIP() << "fork with threads under ThreadSanitizer";
    std::vector<uint8_t> out;
    ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, w_.key, w_.iv, w_.pt, out));
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        // The parent's device threads do not exist here; work must still complete.
        std::vector<uint8_t> o;
        bool good =
            evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, w_.key, w_.iv, w_.pt, o) &&
            o == want_;
        ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
        ASYNC_JOB *job = nullptr;
        Work *wp = &w_;
        w_.out.clear();
        int ret = 0;
        int r;
        int guard = 0;
        while ((r = ASYNC_start_job(&job, wctx, &ret, job_encrypt, &wp, sizeof wp)) ==
                   ASYNC_PAUSE &&
               ++guard < 100000) {}
        good = good && r == ASYNC_FINISH && w_.ok && w_.out == want_;
        _exit(good ? 0 : 1);
    }
    int st = 0;
    ASSERT_EQ(waitpid(pid, &st, 0), pid);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 0);
    // The parent is unaffected.
    ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, w_.key, w_.iv, w_.pt, out));
    EXPECT_EQ(out, want_);
}

} // namespace
} // namespace acrypto::test

namespace acrypto::test {
namespace {

TEST_F(AsyncJobs, OffloadedSessionsCompleteExactlyOnceAndCarryPriority) {
    const long long sub0 = env_->stat("submitted");
    const long long done0 = env_->stat("completed");
    const long long dup0 = env_->stat("duplicates");
    const long long p7 = env_->stat("prio.7.submitted");
    ASSERT_GE(sub0, 0) << env_->stats();
    EVP_CIPHER *c = EVP_CIPHER_fetch(env_->ctx(), "AES-128-CBC", kAcrypto);
    ASSERT_NE(c, nullptr);
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    ASSERT_EQ(EVP_EncryptInit_ex2(cc, c, w_.key.data(), w_.iv.data(), nullptr), 1);
    unsigned int prio = 7;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_uint("acrypto-priority", &prio),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_CIPHER_CTX_set_params(cc, p), 1);
    constexpr int kOps = 20;
    std::vector<uint8_t> out(w_.pt.size() + 16);
    for (int i = 0; i < kOps; ++i) {
        int outl = 0;
        ASSERT_EQ(EVP_EncryptUpdate(cc, out.data(), &outl, w_.pt.data(), 4096), 1)
            << drain_errors();
    }
    EVP_CIPHER_CTX_free(cc);
    EVP_CIPHER_free(c);
    const long long subs = env_->stat("submitted") - sub0;
    // The device thread counts a completion just after waking the waiter.
    long long dones = env_->stat("completed") - done0;
    for (int i = 0; i < 200 && dones < subs; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        dones = env_->stat("completed") - done0;
    }
    EXPECT_GE(subs, kOps);
    EXPECT_EQ(dones, subs) << env_->stats();
    EXPECT_EQ(env_->stat("duplicates"), dup0);
    EXPECT_GE(env_->stat("prio.7.submitted") - p7, kOps);
}

} // namespace
} // namespace acrypto::test

namespace acrypto::test {
namespace {

/// A sim device that holds one session at a time: submits meet "busy".
class BusyDevice : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (have_sim())
            env_ = new ProviderEnv("devices = sim\ninline-threshold = 0\nsim.latency-us = 500\n"
                                   "sim.queue-len = 1\n");
    }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    void SetUp() override {
        if (env_ == nullptr) GTEST_SKIP() << "sim device plugin not built";
        ASSERT_TRUE(env_->loaded()) << env_->load_error();
    }
    static ProviderEnv *env_;
};
ProviderEnv *BusyDevice::env_ = nullptr;

TEST_F(BusyDevice, JobsRetryUntilAccepted) {
    constexpr int kJobs = 8;
    std::vector<Work> works(kJobs);
    std::vector<Work *> ptrs(kJobs);
    std::vector<std::vector<uint8_t>> wants(kJobs);
    std::vector<ASYNC_WAIT_CTX *> wctx(kJobs);
    std::vector<ASYNC_JOB *> jobs(kJobs, nullptr);
    std::vector<bool> finished(kJobs, false);
    for (int i = 0; i < kJobs; ++i) {
        works[i].ctx = env_->ctx();
        works[i].key = random_bytes(16);
        works[i].iv = random_bytes(16);
        works[i].pt = random_bytes(3000);
        ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kDefault, true, works[i].key,
                               works[i].iv, works[i].pt, wants[i]));
        ptrs[i] = &works[i];
        wctx[i] = ASYNC_WAIT_CTX_new();
    }
    const long long busy0 = env_->stat("busy");
    int left = kJobs;
    for (int rounds = 0; left > 0 && rounds < 200000; ++rounds) {
        for (int i = 0; i < kJobs; ++i) {
            if (finished[i]) continue;
            int ret = 0;
            int r = ASYNC_start_job(&jobs[i], wctx[i], &ret, job_encrypt, &ptrs[i], sizeof ptrs[i]);
            if (r == ASYNC_FINISH) {
                finished[i] = true;
                --left;
            } else {
                ASSERT_EQ(r, ASYNC_PAUSE);
                EXPECT_EQ(ERR_peek_error(), 0u);
            }
        }
        std::vector<pollfd> pfds;
        for (int i = 0; i < kJobs; ++i) {
            size_t n = 0;
            if (finished[i] || ASYNC_WAIT_CTX_get_all_fds(wctx[i], nullptr, &n) != 1 || n != 1)
                continue;
            OSSL_ASYNC_FD fd = -1;
            ASYNC_WAIT_CTX_get_all_fds(wctx[i], &fd, &n);
            pfds.push_back({fd, POLLIN, 0});
        }
        if (!pfds.empty()) (void)poll(pfds.data(), pfds.size(), 1000);
    }
    ASSERT_EQ(left, 0);
    for (int i = 0; i < kJobs; ++i) {
        EXPECT_TRUE(works[i].ok) << i << " " << drain_errors();
        EXPECT_EQ(works[i].out, wants[i]) << i;
        ASYNC_WAIT_CTX_free(wctx[i]);
    }
    RecordProperty("busy", std::to_string(env_->stat("busy") - busy0));
}

TEST_F(BusyDevice, BlockingCallersRetryUntilAccepted) {
    constexpr int kThreads = 4;
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            auto key = random_bytes(16);
            auto iv = random_bytes(16);
            auto pt = random_bytes(2000);
            for (int i = 0; i < 10; ++i) {
                std::vector<uint8_t> a, b;
                if (evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, key, iv, pt, a) &&
                    evp_cipher(env_->ctx(), "AES-128-CBC", kDefault, true, key, iv, pt, b) &&
                    a == b)
                    good.fetch_add(1);
                else
                    ERR_print_errors_fp(stderr);
            }
        });
    }
    for (auto &th : threads) th.join();
    EXPECT_EQ(good.load(), kThreads * 10);
}

} // namespace
} // namespace acrypto::test
