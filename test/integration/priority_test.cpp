// SPDX-License-Identifier: Apache-2.0
// Session priority as the scheduler sees it: priority.<algorithm> from the configuration,
// overridden per context by acrypto-priority; results checked against the default provider.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <string>
#include <vector>

#include "provider_env.hpp"

namespace acrypto::test {
namespace {

constexpr const char *kAcrypto = "provider=acrypto";
constexpr const char *kDefault = "provider=default";
/// Never inline: every update is a session through the scheduler's queues.
const char *const kKeys =
    "devices = cpu\ninline-threshold = 0\npriority.aes-128-cbc = 5\npriority.sha256 = 2\n";

class Priority : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { env_ = new ProviderEnv(kKeys); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(env_->loaded()) << env_->load_error(); }
    static long long stat(const std::string &name) {
        const long long v = env_->stat(name);
        return v < 0 ? 0 : v; // absent: nothing counted yet (empty histograms are left out)
    }
    static ProviderEnv *env_;
};
ProviderEnv *Priority::env_ = nullptr;

/// AES-128-CBC over `pt` in 4 KiB updates, `prio` set on the context unless negative.
bool encrypt(OSSL_LIB_CTX *ctx, int prio, const std::vector<uint8_t> &key,
             const std::vector<uint8_t> &iv, const std::vector<uint8_t> &pt,
             std::vector<uint8_t> &out) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(ctx, "AES-128-CBC", kAcrypto);
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    bool ok = c != nullptr && cc != nullptr &&
              EVP_EncryptInit_ex2(cc, c, key.data(), iv.data(), nullptr) == 1;
    if (ok && prio >= 0) {
        unsigned int p = static_cast<unsigned int>(prio);
        OSSL_PARAM ps[] = {OSSL_PARAM_construct_uint("acrypto-priority", &p),
                           OSSL_PARAM_construct_end()};
        ok = EVP_CIPHER_CTX_set_params(cc, ps) == 1;
    }
    out.assign(pt.size() + 16, 0);
    int total = 0;
    for (size_t off = 0; ok && off < pt.size(); off += 4096) {
        int outl = 0;
        ok = EVP_EncryptUpdate(cc, out.data() + total, &outl, pt.data() + off,
                               static_cast<int>(std::min<size_t>(4096, pt.size() - off))) == 1;
        total += outl;
    }
    int outl = 0;
    ok = ok && EVP_EncryptFinal_ex(cc, out.data() + total, &outl) == 1;
    out.resize(static_cast<size_t>(total + outl));
    EVP_CIPHER_CTX_free(cc);
    EVP_CIPHER_free(c);
    return ok;
}

TEST_F(Priority, ConfiguredPerAlgorithmReachesTheScheduler) {
    const auto key = random_bytes(16), iv = random_bytes(16), pt = random_bytes(8 * 4096);
    const long long p5 = stat("prio.5.submitted");
    const long long p2 = stat("prio.2.submitted");
    std::vector<uint8_t> got, want;
    ASSERT_TRUE(encrypt(env_->ctx(), -1, key, iv, pt, got)) << drain_errors();
    ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kDefault, true, key, iv, pt, want));
    EXPECT_EQ(got, want);
    EXPECT_GE(stat("prio.5.submitted") - p5, 8) << env_->stats();

    std::vector<uint8_t> dg, dw;
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA2-256", kAcrypto, pt, dg, {4096})) << drain_errors();
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA2-256", kDefault, pt, dw));
    EXPECT_EQ(dg, dw);
    EXPECT_GE(stat("prio.2.submitted") - p2, 1) << env_->stats();
}

TEST_F(Priority, ContextParameterOverridesTheConfiguredOne) {
    const auto key = random_bytes(16), iv = random_bytes(16), pt = random_bytes(8 * 4096);
    const long long p5 = stat("prio.5.submitted"), p7 = stat("prio.7.submitted");
    const long long p0 = stat("prio.0.submitted");
    std::vector<uint8_t> got, want;
    ASSERT_TRUE(encrypt(env_->ctx(), 7, key, iv, pt, got)) << drain_errors();
    ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kDefault, true, key, iv, pt, want));
    EXPECT_EQ(got, want);
    EXPECT_GE(stat("prio.7.submitted") - p7, 8) << env_->stats();
    EXPECT_EQ(stat("prio.5.submitted") - p5, 0) << "the context's 7 replaces the configured 5";
    ASSERT_TRUE(encrypt(env_->ctx(), 0, key, iv, pt, got)) << drain_errors();
    EXPECT_EQ(got, want);
    EXPECT_GE(stat("prio.0.submitted") - p0, 8) << env_->stats();
    EXPECT_EQ(stat("prio.5.submitted") - p5, 0);
}

} // namespace
} // namespace acrypto::test
