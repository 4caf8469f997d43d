// SPDX-License-Identifier: Apache-2.0
// Known answers through EVP with provider=acrypto: SP 800-38A, FIPS 180 "abc", RFC 4231.
#include <gtest/gtest.h>
#include <openssl/provider.h>

#include "provider_env.hpp"

namespace acrypto::test {
namespace {

constexpr const char *kAcrypto = "provider=acrypto";

struct CipherKat {
    const char *alg;
    const char *key;
    const char *iv;
    const char *pt;
    const char *ct;
};

const char *const kPt4 = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                         "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
const char *const kK128 = "2b7e151628aed2a6abf7158809cf4f3c";
const char *const kK192 = "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b";
const char *const kK256 = "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4";
const char *const kCbcIv = "000102030405060708090a0b0c0d0e0f";
const char *const kCtrIv = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

const CipherKat kCipherKats[] = {
    {"AES-128-ECB", kK128, "", kPt4,
     "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
     "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4"},
    {"AES-128-CBC", kK128, kCbcIv, kPt4,
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
     "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7"},
    {"AES-128-CTR", kK128, kCtrIv, kPt4,
     "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
     "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee"},
    {"AES-192-ECB", kK192, "", "6bc1bee22e409f96e93d7e117393172a",
     "bd334f1d6e45f25ff712a214571fa5cc"},
    {"AES-192-CBC", kK192, kCbcIv, "6bc1bee22e409f96e93d7e117393172a",
     "4f021db243bc633d7178183a9fa071e8"},
    {"AES-192-CTR", kK192, kCtrIv, "6bc1bee22e409f96e93d7e117393172a",
     "1abc932417521ca24f2b0459fe7e6e0b"},
    {"AES-256-ECB", kK256, "", "6bc1bee22e409f96e93d7e117393172a",
     "f3eed1bdb5d2a03c064b5a7e3db181f8"},
    {"AES-256-CBC", kK256, kCbcIv, "6bc1bee22e409f96e93d7e117393172a",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd6"},
    {"AES-256-CTR", kK256, kCtrIv, "6bc1bee22e409f96e93d7e117393172a",
     "601ec313775789a5b7a7f504bbf3d228"},
};

class KnownAnswer : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { env_ = new ProviderEnv(); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static ProviderEnv *env_;
};
ProviderEnv *KnownAnswer::env_ = nullptr;

TEST_F(KnownAnswer, ProviderLoads) { ASSERT_TRUE(env_->loaded()) << env_->load_error(); }

TEST_F(KnownAnswer, Ciphers) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const CipherKat &k : kCipherKats) {
        SCOPED_TRACE(k.alg);
        std::vector<uint8_t> out;
        ASSERT_TRUE(evp_cipher(env_->ctx(), k.alg, kAcrypto, true, hex(k.key), hex(k.iv), hex(k.pt),
                               out, false))
            << drain_errors();
        EXPECT_EQ(out, hex(k.ct));
        ASSERT_TRUE(evp_cipher(env_->ctx(), k.alg, kAcrypto, false, hex(k.key), hex(k.iv),
                               hex(k.ct), out, false))
            << drain_errors();
        EXPECT_EQ(out, hex(k.pt));
        // One-shot EVP_Cipher (the provider's cipher function), as openssl speed calls it.
        EVP_CIPHER *c = EVP_CIPHER_fetch(env_->ctx(), k.alg, kAcrypto);
        ASSERT_NE(c, nullptr);
        EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
        auto key = hex(k.key);
        auto iv = hex(k.iv);
        ASSERT_EQ(EVP_EncryptInit_ex2(cc, c, key.data(), iv.empty() ? nullptr : iv.data(), nullptr),
                  1);
        auto pt = hex(k.pt);
        std::vector<uint8_t> ct(pt.size());
        EXPECT_GT(EVP_Cipher(cc, ct.data(), pt.data(), static_cast<unsigned>(pt.size())), 0);
        EXPECT_EQ(ct, hex(k.ct));
        EVP_CIPHER_CTX_free(cc);
        EVP_CIPHER_free(c);
    }
}

struct HashKat {
    const char *alg;
    const char *abc;
    const char *hmac_jefe;
};

const HashKat kHashKats[] = {
    {"SHA1", "a9993e364706816aba3e25717850c26c9cd0d89d",
     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
    {"SHA224", "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7",
     "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44"},
    {"SHA256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
    {"SHA384",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c82"
     "5a7",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21"
     "649"},
    {"SHA512",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd"
     "454d4423643ce80e2a9ac94fa54ca49f",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e"
     "6fd"
     "caeab1a34d4a6b4b636e070a38bce737"},
};

TEST_F(KnownAnswer, Digests) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    const std::vector<uint8_t> abc = {'a', 'b', 'c'};
    for (const HashKat &k : kHashKats) {
        SCOPED_TRACE(k.alg);
        std::vector<uint8_t> out;
        ASSERT_TRUE(evp_digest(env_->ctx(), k.alg, kAcrypto, abc, out)) << drain_errors();
        EXPECT_EQ(out, hex(k.abc));
        ASSERT_TRUE(evp_digest(env_->ctx(), k.alg, kAcrypto, abc, out, {1})) << drain_errors();
        EXPECT_EQ(out, hex(k.abc));
    }
}

TEST_F(KnownAnswer, Hmac) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    const std::string msg = "what do ya want for nothing?";
    const std::vector<uint8_t> in(msg.begin(), msg.end());
    const std::vector<uint8_t> key = {'J', 'e', 'f', 'e'};
    for (const HashKat &k : kHashKats) {
        SCOPED_TRACE(k.alg);
        std::vector<uint8_t> out;
        ASSERT_TRUE(evp_hmac(env_->ctx(), k.alg, kAcrypto, key, in, out)) << drain_errors();
        EXPECT_EQ(out, hex(k.hmac_jefe));
    }
}

TEST_F(KnownAnswer, StatsShowAcryptoServed) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    std::vector<uint8_t> out;
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kAcrypto, {'a'}, out));
    std::string s = env_->stats();
    EXPECT_NE(s.find("device."), std::string::npos) << s;
}

TEST_F(KnownAnswer, TinyDigestUpdatesAreBufferedIntoOneSession) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    // One computation: a session (inline or submitted), or the direct path on the
    // caller's thread (digest.direct) when the cost model keeps the message there.
    auto runs = [&] {
        return env_->stat("inline") + env_->stat("submitted") + env_->stat("digest.direct");
    };
    const long long before = runs();
    ASSERT_GE(before, 0) << env_->stats();
    std::vector<uint8_t> msg(5000, 'x');
    std::vector<uint8_t> a, b;
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kAcrypto, msg, a, {1})) << drain_errors();
    EXPECT_EQ(runs() - before, 1) << "5000 one-byte updates must make one computation";
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", "provider=default", msg, b));
    EXPECT_EQ(a, b);
}

TEST_F(KnownAnswer, ProviderParamsAndSelfTest) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    OSSL_PROVIDER *p = OSSL_PROVIDER_load(env_->ctx(), "acrypto");
    ASSERT_NE(p, nullptr);
    const char *name = nullptr;
    const char *version = nullptr;
    int status = -1;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_ptr("name", const_cast<char **>(&name), 0),
        OSSL_PARAM_construct_utf8_ptr("version", const_cast<char **>(&version), 0),
        OSSL_PARAM_construct_int("status", &status), OSSL_PARAM_construct_end()};
    ASSERT_EQ(OSSL_PROVIDER_get_params(p, params), 1);
    EXPECT_STREQ(name, "acrypto");
    EXPECT_NE(version, nullptr);
    EXPECT_EQ(status, 1);
    EXPECT_EQ(OSSL_PROVIDER_self_test(p), 1) << drain_errors();
    OSSL_PROVIDER_unload(p);
}

TEST(ConfiguredPriority, AppliesToNewContexts) {
    ProviderEnv env("priority.aes-128-cbc = 6\npriority.sha256 = 1\n");
    ASSERT_TRUE(env.loaded()) << env.load_error();
    EVP_CIPHER *c = EVP_CIPHER_fetch(env.ctx(), "AES-128-CBC", kAcrypto);
    ASSERT_NE(c, nullptr);
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    unsigned char key[16] = {}, iv[16] = {};
    ASSERT_EQ(EVP_EncryptInit_ex2(cc, c, key, iv, nullptr), 1);
    unsigned int got = 99;
    OSSL_PARAM g[] = {OSSL_PARAM_construct_uint("acrypto-priority", &got),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_CIPHER_CTX_get_params(cc, g), 1);
    EXPECT_EQ(got, 6u);
    EVP_CIPHER_CTX_free(cc);
    EVP_CIPHER_free(c);
    EVP_MD *md = EVP_MD_fetch(env.ctx(), "SHA2-256", kAcrypto);
    ASSERT_NE(md, nullptr);
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    ASSERT_EQ(EVP_DigestInit_ex2(mc, md, nullptr), 1);
    got = 99;
    OSSL_PARAM h[] = {OSSL_PARAM_construct_uint("acrypto-priority", &got),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_MD_CTX_get_params(mc, h), 1);
    EXPECT_EQ(got, 1u) << "priority.sha256 applies to every name of SHA2-256";
    EVP_MD_CTX_free(mc);
    EVP_MD_free(md);
}

TEST(ConfiguredPriority, UnknownKeyFailsStartUp) {
    ProviderEnv env("no-such-key = 1\n");
    EXPECT_FALSE(env.loaded());
}

} // namespace
} // namespace acrypto::test
