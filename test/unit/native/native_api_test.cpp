// SPDX-License-Identifier: Apache-2.0
// Native sessions: results against libcrypto's default provider, callbacks, eventfd, wait, binding,
// detach.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "acrypto/acrypto.h"
#include "native_test_util.hpp"

using acrypto::test::cipher_params;
using acrypto::test::TempConfig;

namespace {

std::vector<uint8_t> rnd(size_t n) {
    std::vector<uint8_t> v(n);
    if (n > 0) {
        EXPECT_EQ(RAND_bytes(v.data(), static_cast<int>(n)), 1);
    }
    return v;
}

std::vector<uint8_t> evp_cipher(const EVP_CIPHER *c, const std::vector<uint8_t> &key,
                                const std::vector<uint8_t> &iv, const std::vector<uint8_t> &in,
                                bool enc) {
    std::vector<uint8_t> out(in.size() + 32);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int l1 = 0, l2 = 0;
    EXPECT_EQ(EVP_CipherInit_ex(ctx, c, nullptr, key.data(), iv.empty() ? nullptr : iv.data(),
                                enc ? 1 : 0),
              1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EXPECT_EQ(EVP_CipherUpdate(ctx, out.data(), &l1, in.data(), static_cast<int>(in.size())), 1);
    EXPECT_EQ(EVP_CipherFinal_ex(ctx, out.data() + l1, &l2), 1);
    EVP_CIPHER_CTX_free(ctx);
    out.resize(static_cast<size_t>(l1 + l2));
    return out;
}

class NativeApi : public ::testing::Test {
  protected:
    void SetUp() override {
        char err[256];
        ctx_ = acrypto_ctx_new(nullptr, err, sizeof(err));
        ASSERT_NE(ctx_, nullptr) << err;
    }
    void TearDown() override { acrypto_ctx_free(ctx_); }

    /// Run one cipher session synchronously or through submit + callback; returns output.
    std::vector<uint8_t> run_cipher(uint32_t mode, uint32_t dir, const std::vector<uint8_t> &key,
                                    const std::vector<uint8_t> &iv, const std::vector<uint8_t> &in,
                                    bool async) {
        acrypto_key_handle *k = acrypto_key_new(ctx_, ACRYPTO_ALG_AES, key.data(), key.size());
        EXPECT_NE(k, nullptr);
        std::vector<uint8_t> out(in.size(), 0xEE);
        auto p =
            cipher_params(k, mode, dir, iv.data(), iv.size(), in.data(), in.size(), out.data());
        int rc = 0;
        acrypto_session_handle *s = acrypto_session_new(ctx_, &p, &rc);
        EXPECT_NE(s, nullptr) << acrypto_status_string(rc);
        acrypto_key_free(k); // the session keeps the key alive
        if (async) {
            EXPECT_EQ(acrypto_submit(s, nullptr, nullptr), ACRYPTO_OK);
            EXPECT_EQ(acrypto_wait(s, ACRYPTO_WAIT_FOREVER), ACRYPTO_OK);
        } else {
            EXPECT_EQ(acrypto_run(s), ACRYPTO_OK);
        }
        EXPECT_EQ(acrypto_session_get_out_len(s), in.size());
        acrypto_session_free(s);
        return out;
    }

    acrypto_ctx *ctx_ = nullptr;
};

} // namespace

TEST_F(NativeApi, CiphersMatchDefaultProvider) {
    struct Case {
        uint32_t mode;
        size_t key_len;
        const EVP_CIPHER *evp;
    } cases[] = {
        {ACRYPTO_MODE_CBC, 16, EVP_aes_128_cbc()}, {ACRYPTO_MODE_CBC, 32, EVP_aes_256_cbc()},
        {ACRYPTO_MODE_CTR, 16, EVP_aes_128_ctr()}, {ACRYPTO_MODE_CTR, 32, EVP_aes_256_ctr()},
        {ACRYPTO_MODE_XTS, 32, EVP_aes_128_xts()}, {ACRYPTO_MODE_XTS, 64, EVP_aes_256_xts()},
    };
    for (const auto &c : cases) {
        for (size_t len : {size_t{16}, size_t{512}, size_t{4096}, size_t{70000 - 70000 % 16}}) {
            for (bool async : {false, true}) {
                auto key = rnd(c.key_len), iv = rnd(16), in = rnd(len);
                auto want = evp_cipher(c.evp, key, iv, in, true);
                auto got = run_cipher(c.mode, ACRYPTO_DIR_ENCRYPT, key, iv, in, async);
                EXPECT_EQ(got, want) << "mode " << c.mode << " key " << c.key_len << " len " << len;
                auto back = run_cipher(c.mode, ACRYPTO_DIR_DECRYPT, key, iv, got, async);
                EXPECT_EQ(back, in);
            }
        }
    }
}

TEST_F(NativeApi, DigestAndHmacMatchDefaultProvider) {
    auto msg = rnd(10000);
    uint8_t want[32], got[32];
    unsigned wl = 0;
    ASSERT_EQ(EVP_Digest(msg.data(), msg.size(), want, &wl, EVP_sha256(), nullptr), 1);
    acrypto_session_params p{};
    p.struct_size = sizeof(p);
    p.op = ACRYPTO_OP_DIGEST;
    p.alg = ACRYPTO_ALG_SHA256;
    p.in = msg.data();
    p.in_len = msg.size();
    p.out = got;
    p.out_len = sizeof(got);
    acrypto_session_handle *s = acrypto_session_new(ctx_, &p, nullptr);
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(acrypto_run(s), ACRYPTO_OK);
    EXPECT_EQ(acrypto_session_get_out_len(s), 32u);
    EXPECT_EQ(0, std::memcmp(got, want, 32));
    acrypto_session_free(s);

    auto key = rnd(20);
    ASSERT_NE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), msg.data(), msg.size(),
                   want, &wl),
              nullptr);
    acrypto_key_handle *k = acrypto_key_new(ctx_, ACRYPTO_ALG_SHA256, key.data(), key.size());
    p.op = ACRYPTO_OP_MAC;
    p.mode = ACRYPTO_MODE_HMAC;
    p.key = k;
    std::memset(got, 0, sizeof(got));
    s = acrypto_session_new(ctx_, &p, nullptr);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(acrypto_submit(s, nullptr, nullptr), ACRYPTO_OK);
    EXPECT_EQ(acrypto_wait(s, ACRYPTO_WAIT_FOREVER), ACRYPTO_OK);
    EXPECT_EQ(0, std::memcmp(got, want, 32));
    acrypto_session_free(s);
    acrypto_key_free(k);
}

TEST_F(NativeApi, CbcChainingValueContinuesTheStream) {
    auto key = rnd(16), iv = rnd(16), in = rnd(2048);
    auto want = evp_cipher(EVP_aes_128_cbc(), key, iv, in, true);
    acrypto_key_handle *k = acrypto_key_new(ctx_, ACRYPTO_ALG_AES, key.data(), key.size());
    std::vector<uint8_t> out(2048), next_iv(iv);
    for (size_t off = 0; off < 2048; off += 1024) {
        auto p = cipher_params(k, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, next_iv.data(), 16,
                               in.data() + off, 1024, out.data() + off);
        acrypto_session_handle *s = acrypto_session_new(ctx_, &p, nullptr);
        ASSERT_EQ(acrypto_run(s), ACRYPTO_OK);
        ASSERT_EQ(acrypto_session_get_iv(s, next_iv.data(), 16), 16u);
        acrypto_session_free(s);
    }
    EXPECT_EQ(out, want);
    acrypto_key_free(k);
}

TEST_F(NativeApi, CallbackRunsOnceWithOutputInPlace) {
    auto key = rnd(16), iv = rnd(16), in = rnd(65536);
    auto want = evp_cipher(EVP_aes_128_ctr(), key, iv, in, true);
    acrypto_key_handle *k = acrypto_key_new(ctx_, ACRYPTO_ALG_AES, key.data(), key.size());
    struct Seen {
        std::atomic<int> calls{0};
        std::atomic<int> status{99};
        std::atomic<bool> out_ok{false};
        const std::vector<uint8_t> *want;
        uint8_t *out;
    } seen;
    std::vector<uint8_t> out(in.size());
    seen.want = &want;
    seen.out = out.data();
    auto p = cipher_params(k, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, iv.data(), 16, in.data(),
                           in.size(), out.data());
    acrypto_session_handle *s = acrypto_session_new(ctx_, &p, nullptr);
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(acrypto_submit(
                  s,
                  [](acrypto_session_handle *h, int st, void *arg) {
                      auto *v = static_cast<Seen *>(arg);
                      v->out_ok = std::memcmp(v->out, v->want->data(), v->want->size()) == 0;
                      v->status = acrypto_session_status(h); // a callback may query its own session
                      v->calls.fetch_add(1);
                      (void)st;
                  },
                  &seen),
              ACRYPTO_OK);
    EXPECT_EQ(acrypto_submit(s, nullptr, nullptr), ACRYPTO_E_INVALID); // a second submit
    EXPECT_EQ(acrypto_wait(s, ACRYPTO_WAIT_FOREVER), ACRYPTO_OK);
    acrypto_session_free(s); // waits for a running callback
    EXPECT_EQ(seen.calls.load(), 1);
    EXPECT_EQ(seen.status.load(), ACRYPTO_OK);
    EXPECT_TRUE(seen.out_ok.load());
    acrypto_key_free(k);
}

TEST(NativeSlow, EventfdWaitTimeoutAndDetach) {
    // A simulated device that takes 150 ms per session makes "pending" observable.
    TempConfig cfg("devices = cpu, sim\nsim.mode = compute\nsim.latency-us = 150000\n");
    char err[256];
    acrypto_ctx *ctx = acrypto_ctx_new(cfg.path(), err, sizeof(err));
    ASSERT_NE(ctx, nullptr) << err;
    auto key = rnd(16), iv = rnd(16), in = rnd(4096);
    auto want = evp_cipher(EVP_aes_128_cbc(), key, iv, in, true);
    acrypto_key_handle *k = acrypto_key_new(ctx, ACRYPTO_ALG_AES, key.data(), key.size());
    std::vector<uint8_t> out(in.size(), 0);
    auto p = cipher_params(k, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, iv.data(), 16, in.data(),
                           in.size(), out.data());
    p.device = "sim0";
    acrypto_session_handle *s = acrypto_session_new(ctx, &p, nullptr);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(acrypto_wait(s, 0), ACRYPTO_E_INVALID); // never submitted
    int fd = acrypto_session_get_eventfd(s);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(acrypto_submit(s, nullptr, nullptr), ACRYPTO_OK);
    EXPECT_EQ(acrypto_wait(s, 0), ACRYPTO_PENDING);
    EXPECT_EQ(acrypto_session_status(s), ACRYPTO_PENDING);
    struct pollfd pfd {
        fd, POLLIN, 0
    };
    ASSERT_EQ(poll(&pfd, 1, 10000), 1);
    uint64_t v = 0;
    EXPECT_EQ(read(fd, &v, sizeof(v)), static_cast<ssize_t>(sizeof(v)));
    EXPECT_EQ(v, 1u);
    EXPECT_EQ(acrypto_wait(s, 0), ACRYPTO_OK);
    EXPECT_STREQ(acrypto_session_get0_device(s), "sim0");
    EXPECT_EQ(out, want);
    acrypto_session_free(s);

    // Freed while running: the caller's buffer is never written afterwards.
    std::vector<uint8_t> out2(in.size(), 0x77);
    p.out = out2.data();
    std::atomic<int> calls{0};
    s = acrypto_session_new(ctx, &p, nullptr);
    ASSERT_EQ(acrypto_submit(
                  s,
                  [](acrypto_session_handle *, int, void *a) {
                      static_cast<std::atomic<int> *>(a)->fetch_add(1);
                  },
                  &calls),
              ACRYPTO_OK);
    acrypto_session_free(s);
    usleep(400000);
    EXPECT_EQ(calls.load(), 0);
    EXPECT_EQ(out2, std::vector<uint8_t>(in.size(), 0x77));

    // Bound to a device that does not exist: never moved elsewhere.
    p.device = "hifn7";
    p.out = out2.data();
    s = acrypto_session_new(ctx, &p, nullptr);
    int rc = acrypto_submit(s, nullptr, nullptr);
    if (rc == ACRYPTO_OK) rc = acrypto_wait(s, ACRYPTO_WAIT_FOREVER);
    EXPECT_EQ(rc, ACRYPTO_E_BOUND);
    acrypto_session_free(s);
    acrypto_key_free(k);

    acrypto_stat_entry st[256];
    size_t n = acrypto_ctx_stats(ctx, st, 256);
    bool saw = false;
    for (size_t i = 0; i < n && i < 256; ++i)
        if (std::strcmp(st[i].name, "submitted") == 0) saw = st[i].value >= 2;
    EXPECT_TRUE(saw);
    char msg[256];
    EXPECT_EQ(acrypto_ctx_self_test(ctx, msg, sizeof(msg)), ACRYPTO_OK) << msg;
    acrypto_ctx_free(ctx);
}

TEST(NativeSlow, BadParametersAreRefused) {
    char err[256];
    acrypto_ctx *ctx = acrypto_ctx_new(nullptr, err, sizeof(err));
    ASSERT_NE(ctx, nullptr);
    uint8_t buf[16] = {};
    acrypto_session_params p{};
    int rc = 0;
    EXPECT_EQ(acrypto_session_new(ctx, &p, &rc), nullptr); // struct_size 0
    EXPECT_EQ(rc, ACRYPTO_E_INVALID);
    p.struct_size = sizeof(p);
    p.iv_len = ACRYPTO_MAX_IV + 1;
    p.iv = buf;
    EXPECT_EQ(acrypto_session_new(ctx, &p, &rc), nullptr);
    p.iv_len = 0;
    p.priority = ACRYPTO_PRIO_MAX + 1;
    EXPECT_EQ(acrypto_session_new(ctx, &p, &rc), nullptr);
    EXPECT_EQ(acrypto_key_new(nullptr, ACRYPTO_ALG_AES, buf, 16), nullptr);
    EXPECT_EQ(acrypto_submit(nullptr, nullptr, nullptr), ACRYPTO_E_INVALID);
    acrypto_session_free(nullptr);
    acrypto_key_free(nullptr);
    acrypto_ctx_free(ctx);
    acrypto_ctx_free(nullptr);
}
