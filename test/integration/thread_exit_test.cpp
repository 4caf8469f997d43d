// SPDX-License-Identifier: Apache-2.0
// Thread exit: glibc runs pthread-key destructors (OpenSSL's thread-stop handlers among them)
// after the thread's C++ thread-local objects are destroyed. A context freed there must not be
// kept in a per-thread cache that is gone, and an operation run there must not use one.
// Its own main counts libcrypto's live allocations (CRYPTO_set_mem_functions must come before
// any other allocation).
#include <gtest/gtest.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <pthread.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "provider_env.hpp"

namespace {

constexpr const char *kAcrypto = "provider=acrypto";
constexpr const char *kDefault = "provider=default";

std::atomic<long> g_live{0};

void *counted_malloc(size_t n, const char *, int) {
    void *p = std::malloc(n);
    if (p != nullptr) g_live.fetch_add(1, std::memory_order_relaxed);
    return p;
}
// CRYPTO_realloc passes neither a null pointer nor a zero size here: the count stays.
void *counted_realloc(void *p, size_t n, const char *, int) { return std::realloc(p, n); }
void counted_free(void *p, const char *, int) {
    if (p != nullptr) g_live.fetch_sub(1, std::memory_order_relaxed);
    std::free(p);
}

pthread_key_t g_key;
void free_md_ctx(void *p) { EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(p)); }

/// A whole EVP_Digest through acrypto from a thread-exit handler: the thread's first use
/// of acrypto, so its spares are made there.
OSSL_LIB_CTX *g_first_use_ctx = nullptr;
pthread_key_t g_first_use_key;
void digest_at_exit(void *alg) {
    unsigned char in[100] = {4, 5, 6}, out[EVP_MAX_MD_SIZE];
    unsigned int outl = 0;
    EVP_MD *md = EVP_MD_fetch(g_first_use_ctx, static_cast<const char *>(alg), kAcrypto);
    if (md != nullptr) EVP_Digest(in, sizeof in, out, &outl, md, nullptr);
    EVP_MD_free(md);
}

/// One thread: a whole EVP_Digest (its context becomes this thread's spare), then a
/// context with a message under way left to the thread-exit handler.
void leave_context_to_exit_handler(OSSL_LIB_CTX *libctx, const char *alg, bool *ours) {
    std::thread t([&] {
        EVP_MD *md = EVP_MD_fetch(libctx, alg, kAcrypto);
        if (md == nullptr) return;
        *ours = EVP_MD_get0_provider(md) != nullptr &&
                std::string(OSSL_PROVIDER_get0_name(EVP_MD_get0_provider(md))) == "acrypto";
        unsigned char in[100] = {1, 2, 3}, out[EVP_MAX_MD_SIZE];
        unsigned int outl = 0;
        EVP_Digest(in, sizeof in, out, &outl, md, nullptr);
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (ctx != nullptr && EVP_DigestInit_ex(ctx, md, nullptr) == 1 &&
            EVP_DigestUpdate(ctx, in, sizeof in) == 1)
            pthread_setspecific(g_key, ctx);
        else
            EVP_MD_CTX_free(ctx);
        EVP_MD_free(md);
    });
    t.join();
}

TEST(ThreadExit, DigestContextFreedByAThreadExitHandlerIsNotKept) {
    acrypto::test::ProviderEnv env;
    ASSERT_TRUE(env.loaded()) << env.load_error();
    ASSERT_EQ(pthread_key_create(&g_key, free_md_ctx), 0);
    ASSERT_EQ(pthread_key_create(&g_first_use_key, digest_at_exit), 0);
    g_first_use_ctx = env.ctx();
    for (const char *alg : {"SHA256", "SHA512"}) {
        bool ours = false;
        for (int i = 0; i < 4; ++i) leave_context_to_exit_handler(env.ctx(), alg, &ours); // warm
        ASSERT_TRUE(ours) << alg << " not served by acrypto";
        const long before = g_live.load();
        constexpr int kThreads = 64;
        for (int i = 0; i < kThreads; ++i) leave_context_to_exit_handler(env.ctx(), alg, &ours);
        // Each thread's context holds at least one libcrypto allocation (the default
        // provider's digest state); kept in a destroyed cache, it would never be freed.
        EXPECT_LT(g_live.load() - before, kThreads / 4) << alg;
        // Threads whose first acrypto digest is in the handler: the spare made there is
        // freed too.
        const long before_first = g_live.load();
        for (int i = 0; i < kThreads; ++i) {
            std::thread t([alg] { pthread_setspecific(g_first_use_key, const_cast<char *>(alg)); });
            t.join();
        }
        EXPECT_LT(g_live.load() - before_first, kThreads / 4) << alg << ", first use at exit";
    }
    pthread_key_delete(g_key);
    pthread_key_delete(g_first_use_key);
}

/// What the operations run by a thread-exit handler found (checked after the join).
struct ExitHandlerRun {
    OSSL_LIB_CTX *libctx = nullptr;
    EVP_PKEY *ec_key = nullptr;
    /// Made before: RAND_bytes from a thread-exit handler leaves a DRBG that libcrypto
    /// 3.0 never frees (LeakSanitizer reports it with the default provider alone).
    std::vector<uint8_t> key, iv, inputs[3];
    int ran = 0;
    std::string failures;
};
ExitHandlerRun g_run;
pthread_key_t g_op_key;

void fail(const std::string &what) { g_run.failures += what + "; "; }

/// Digests, ciphers, HMAC and an ECDSA signature through acrypto from a thread-exit
/// handler (after the thread's thread-local objects are gone), against the default provider.
void run_operations(void *) {
    using acrypto::test::evp_cipher;
    using acrypto::test::evp_digest;
    using acrypto::test::evp_hmac;
    OSSL_LIB_CTX *lc = g_run.libctx;
    const auto &key = g_run.key, &iv = g_run.iv;
    for (const auto &in : g_run.inputs) {
        const size_t len = in.size();
        std::vector<uint8_t> a, d;
        for (const char *md : {"SHA256", "SHA512"}) {
            if (!evp_digest(lc, md, kAcrypto, in, a) || !evp_digest(lc, md, kDefault, in, d) ||
                a != d)
                fail(std::string(md) + " digest of " + std::to_string(len));
            if (!evp_hmac(lc, md, kAcrypto, key, in, a) ||
                !evp_hmac(lc, md, kDefault, key, in, d) || a != d)
                fail(std::string(md) + " HMAC of " + std::to_string(len));
        }
        for (const char *alg : {"AES-128-CBC", "AES-256-CTR", "ChaCha20"}) {
            if (!evp_cipher(lc, alg, kAcrypto, true, key, iv, in, a) ||
                !evp_cipher(lc, alg, kDefault, true, key, iv, in, d) || a != d)
                fail(std::string(alg) + " of " + std::to_string(len));
        }
    }
    const unsigned char msg[] = "signed from a thread-exit handler";
    unsigned char sig[256];
    size_t siglen = sizeof sig;
    EVP_MD_CTX *s = EVP_MD_CTX_new(), *v = EVP_MD_CTX_new();
    const bool signed_ok =
        s != nullptr &&
        EVP_DigestSignInit_ex(s, nullptr, "SHA256", lc, kAcrypto, g_run.ec_key, nullptr) == 1 &&
        EVP_DigestSign(s, sig, &siglen, msg, sizeof msg) == 1;
    if (!signed_ok || v == nullptr ||
        EVP_DigestVerifyInit_ex(v, nullptr, "SHA256", lc, kDefault, g_run.ec_key, nullptr) != 1 ||
        EVP_DigestVerify(v, sig, siglen, msg, sizeof msg) != 1)
        fail("ECDSA P-256 signature");
    EVP_MD_CTX_free(s);
    EVP_MD_CTX_free(v);
    ++g_run.ran;
}

TEST(ThreadExit, OperationsInAThreadExitHandlerMatchTheDefaultProvider) {
    acrypto::test::ProviderEnv env("inline-threshold = 0\n"); // every operation a session
    ASSERT_TRUE(env.loaded()) << env.load_error();
    g_run.libctx = env.ctx();
    g_run.ec_key = EVP_PKEY_Q_keygen(env.ctx(), kDefault, "EC", "P-256");
    ASSERT_NE(g_run.ec_key, nullptr);
    g_run.key = acrypto::test::random_bytes(32);
    g_run.iv = acrypto::test::random_bytes(16);
    const size_t lens[3] = {16, 100, 5000};
    for (size_t i = 0; i < 3; ++i) g_run.inputs[i] = acrypto::test::random_bytes(lens[i]);
    ASSERT_EQ(pthread_key_create(&g_op_key, run_operations), 0);
    const long long submitted = env.stat("submitted");
    for (int i = 0; i < 4; ++i) {
        std::thread t([i] {
            // Threads that used what a thread keeps (spares, memos, session cache) before
            // exiting, and threads whose first use is in the handler (LeakSanitizer checks
            // that what they make there is freed).
            if (i % 2 == 0) {
                std::vector<uint8_t> out;
                acrypto::test::evp_digest(g_run.libctx, "SHA256", kAcrypto, {1, 2, 3}, out);
            }
            pthread_setspecific(g_op_key, reinterpret_cast<void *>(1));
        });
        t.join();
    }
    EXPECT_EQ(g_run.ran, 4);
    EXPECT_EQ(g_run.failures, "");
    // Each one completed once.
    EXPECT_GT(env.stat("submitted"), submitted);
    EXPECT_EQ(env.stat("submitted"), env.stat("completed"));
    pthread_key_delete(g_op_key);
    EVP_PKEY_free(g_run.ec_key);
}

} // namespace

int main(int argc, char **argv) {
    if (CRYPTO_set_mem_functions(counted_malloc, counted_realloc, counted_free) != 1) {
        std::fprintf(stderr, "libcrypto allocated before main; cannot count\n");
        return 1;
    }
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
