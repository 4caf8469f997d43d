// SPDX-License-Identifier: Apache-2.0
// Bad input gets an OpenSSL error with acrypto's reason code, never a crash; per-context params.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <functional>

#include "errors.hpp"
#include "provider_env.hpp"

namespace acrypto::test {
namespace {

using acrypto::prov::Reason;
constexpr const char *kAcrypto = "provider=acrypto";

class BadInput : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { env_ = new ProviderEnv(); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static ProviderEnv *env_;

    void SetUp() override {
        ASSERT_TRUE(env_->loaded()) << env_->load_error();
        ERR_clear_error();
        cipher_ = EVP_CIPHER_fetch(env_->ctx(), "AES-128-CBC", kAcrypto);
        ASSERT_NE(cipher_, nullptr);
        cc_ = EVP_CIPHER_CTX_new();
    }
    void TearDown() override {
        EVP_CIPHER_CTX_free(cc_);
        EVP_CIPHER_free(cipher_);
        ERR_clear_error();
    }
    /// The reason of the last error on the queue (0 if none).
    static int last_reason() {
        unsigned long e = ERR_peek_last_error();
        return e == 0 ? 0 : ERR_GET_REASON(e);
    }

    EVP_CIPHER *cipher_ = nullptr;
    EVP_CIPHER_CTX *cc_ = nullptr;
    unsigned char key_[32] = {};
    unsigned char iv_[16] = {};
    unsigned char buf_[64] = {};
    unsigned char out_[128] = {};
};
ProviderEnv *BadInput::env_ = nullptr;

struct BadCase {
    const char *name;
    int reason;
    std::function<int(EVP_CIPHER_CTX *, EVP_CIPHER *, unsigned char *, unsigned char *,
                      unsigned char *)>
        run;
};

TEST_F(BadInput, CipherTable) {
    const BadCase cases[] = {
        {"wrong key length", acrypto::prov::kReasonBadKeyLength,
         [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c, unsigned char *key, unsigned char *iv,
            unsigned char *) {
             OSSL_PARAM p[] = {OSSL_PARAM_construct_end()};
             (void)p;
             if (EVP_EncryptInit_ex2(cc, c, nullptr, nullptr, nullptr) != 1) return 1;
             size_t kl = 20;
             OSSL_PARAM q[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_KEYLEN, &kl),
                               OSSL_PARAM_construct_end()};
             return EVP_CIPHER_CTX_set_params(cc, q);
         }},
        {"update before key", acrypto::prov::kReasonNotInitialized,
         [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c, unsigned char *, unsigned char *,
            unsigned char *buf) {
             if (EVP_EncryptInit_ex2(cc, c, nullptr, nullptr, nullptr) != 1) return 1;
             unsigned char out[64];
             int outl = 0;
             return EVP_EncryptUpdate(cc, out, &outl, buf, 16);
         }},
        {"bad padding on decrypt", acrypto::prov::kReasonBadDecrypt,
         [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c, unsigned char *key, unsigned char *iv,
            unsigned char *buf) {
             if (EVP_DecryptInit_ex2(cc, c, key, iv, nullptr) != 1) return 1;
             unsigned char out[64];
             int outl = 0;
             // All-zero ciphertext decrypts to a block whose last byte is almost never valid
             // padding for this key: pick a key for which it is not (checked below).
             if (EVP_DecryptUpdate(cc, out, &outl, buf, 16) != 1) return 1;
             return EVP_DecryptFinal_ex(cc, out + outl, &outl);
         }},
        {"final without padding, partial block", acrypto::prov::kReasonBadLength,
         [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c, unsigned char *key, unsigned char *iv,
            unsigned char *buf) {
             if (EVP_EncryptInit_ex2(cc, c, key, iv, nullptr) != 1) return 1;
             EVP_CIPHER_CTX_set_padding(cc, 0);
             unsigned char out[64];
             int outl = 0;
             if (EVP_EncryptUpdate(cc, out, &outl, buf, 10) != 1) return 1;
             return EVP_EncryptFinal_ex(cc, out + outl, &outl);
         }},
        {"priority out of range", acrypto::prov::kReasonBadParam,
         [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c, unsigned char *key, unsigned char *iv,
            unsigned char *) {
             if (EVP_EncryptInit_ex2(cc, c, key, iv, nullptr) != 1) return 1;
             unsigned int prio = 8;
             OSSL_PARAM p[] = {OSSL_PARAM_construct_uint("acrypto-priority", &prio),
                               OSSL_PARAM_construct_end()};
             return EVP_CIPHER_CTX_set_params(cc, p);
         }},
        {"bound to a device that does not exist", acrypto::prov::kReasonBoundDevice,
         [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c, unsigned char *key, unsigned char *iv,
            unsigned char *buf) {
             if (EVP_EncryptInit_ex2(cc, c, key, iv, nullptr) != 1) return 1;
             OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(
                                   "acrypto-device", const_cast<char *>("no-such-device"), 0),
                               OSSL_PARAM_construct_end()};
             if (EVP_CIPHER_CTX_set_params(cc, p) != 1) return 1;
             unsigned char out[64];
             int outl = 0;
             return EVP_EncryptUpdate(cc, out, &outl, buf, 32);
         }},
    };
    // A key whose decryption of the zero block does not end in valid padding.
    for (int k = 0; k < 256; ++k) {
        key_[0] = static_cast<unsigned char>(k);
        EVP_CIPHER_CTX *t = EVP_CIPHER_CTX_new();
        EVP_DecryptInit_ex2(t, cipher_, key_, iv_, nullptr);
        EVP_CIPHER_CTX_set_padding(t, 0);
        unsigned char o[16];
        int ol = 0;
        EVP_DecryptUpdate(t, o, &ol, buf_, 16);
        EVP_CIPHER_CTX_free(t);
        if (o[15] > 16 || o[15] == 0) break;
    }
    for (const BadCase &bc : cases) {
        SCOPED_TRACE(bc.name);
        ERR_clear_error();
        EVP_CIPHER_CTX_reset(cc_);
        EXPECT_EQ(bc.run(cc_, cipher_, key_, iv_, buf_), 0);
        EXPECT_EQ(last_reason(), bc.reason) << drain_errors();
        const char *rs = ERR_reason_error_string(ERR_peek_last_error());
        EXPECT_NE(rs, nullptr);
    }
}

TEST_F(BadInput, OneShotCipherRejectsPartialBlocks) {
    ASSERT_EQ(EVP_EncryptInit_ex2(cc_, cipher_, key_, iv_, nullptr), 1);
    EXPECT_LE(EVP_Cipher(cc_, out_, buf_, 15), 0);
    EXPECT_EQ(last_reason(), acrypto::prov::kReasonBadLength) << drain_errors();
}

TEST_F(BadInput, DigestUpdateAfterFinal) {
    EVP_MD *md = EVP_MD_fetch(env_->ctx(), "SHA256", kAcrypto);
    ASSERT_NE(md, nullptr);
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    ASSERT_EQ(EVP_DigestInit_ex2(mc, md, nullptr), 1);
    unsigned char o[32];
    unsigned int l = 0;
    ASSERT_EQ(EVP_DigestFinal_ex(mc, o, &l), 1);
    EXPECT_EQ(EVP_DigestUpdate(mc, "x", 1), 0);
    EVP_MD_CTX_free(mc);
    EVP_MD_free(md);
    ERR_clear_error();
}

TEST_F(BadInput, HmacUnknownDigestAndMissingKey) {
    EVP_MAC *mac = EVP_MAC_fetch(env_->ctx(), "HMAC", kAcrypto);
    ASSERT_NE(mac, nullptr);
    EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("MD4"), 0),
                      OSSL_PARAM_construct_end()};
    EXPECT_EQ(EVP_MAC_CTX_set_params(mc, p), 0);
    EXPECT_EQ(last_reason(), acrypto::prov::kReasonUnsupported) << drain_errors();
    ERR_clear_error();
    OSSL_PARAM q[] = {OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("SHA256"), 0),
                      OSSL_PARAM_construct_end()};
    EXPECT_EQ(EVP_MAC_init(mc, nullptr, 0, q), 0);
    EXPECT_EQ(last_reason(), acrypto::prov::kReasonNotInitialized) << drain_errors();
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(mac);
}

TEST_F(BadInput, PriorityAndBindingAccepted) {
    ASSERT_EQ(EVP_EncryptInit_ex2(cc_, cipher_, key_, iv_, nullptr), 1);
    unsigned int prio = 7;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_uint("acrypto-priority", &prio),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_CIPHER_CTX_set_params(cc_, p), 1);
    unsigned int got = 0;
    OSSL_PARAM g[] = {OSSL_PARAM_construct_uint("acrypto-priority", &got),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_CIPHER_CTX_get_params(cc_, g), 1);
    EXPECT_EQ(got, 7u);
    // Bind to the first device the scheduler reports; the work must still succeed.
    std::string stats = env_->stats();
    size_t at = stats.find("device.");
    ASSERT_NE(at, std::string::npos) << stats;
    size_t end = stats.find('.', at + 7);
    std::string dev = stats.substr(at + 7, end - at - 7);
    OSSL_PARAM b[] = {OSSL_PARAM_construct_utf8_string("acrypto-device", dev.data(), 0),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_CIPHER_CTX_set_params(cc_, b), 1);
    int outl = 0;
    EXPECT_EQ(EVP_EncryptUpdate(cc_, out_, &outl, buf_, 64), 1) << drain_errors();
    EXPECT_EQ(outl, 64);
}

} // namespace
} // namespace acrypto::test
