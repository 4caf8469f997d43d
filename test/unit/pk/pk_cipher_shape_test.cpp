// SPDX-License-Identifier: Apache-2.0
// Every acrypto cipher states the mode, lengths and flags the default provider states for
// the same algorithm; DES contexts make odd-parity keys (EVP_CIPHER_CTX_rand_key).
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstring>
#include <string>
#include <vector>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

std::vector<std::string> acrypto_cipher_names() {
    std::vector<std::string> names;
    EVP_CIPHER_do_all_provided(
        env().ctx(),
        [](EVP_CIPHER *c, void *arg) {
            if (std::strcmp(OSSL_PROVIDER_get0_name(EVP_CIPHER_get0_provider(c)), "acrypto") == 0)
                static_cast<std::vector<std::string> *>(arg)->push_back(EVP_CIPHER_get0_name(c));
        },
        &names);
    return names;
}

TEST(CipherShape, ModeLengthsAndFlagsAreTheDefaultProvidersOwn) {
    const auto names = acrypto_cipher_names();
    ASSERT_GE(names.size(), 20u) << "acrypto offers fewer ciphers than expected";
    int compared = 0;
    for (const auto &name : names) {
        SCOPED_TRACE(name);
        EVP_CIPHER *a = EVP_CIPHER_fetch(env().ctx(), name.c_str(), kAcrypto);
        EVP_CIPHER *d = EVP_CIPHER_fetch(env().ctx(), name.c_str(), kDefault);
        ASSERT_NE(a, nullptr);
        if (d == nullptr) { // single DES: only the legacy provider has it
            EXPECT_EQ(name.rfind("DES-", 0), 0u) << "no default provider cipher to compare";
            EXPECT_NE(EVP_CIPHER_get_flags(a) & EVP_CIPH_RAND_KEY, 0u);
            EVP_CIPHER_free(a);
            continue;
        }
        EXPECT_EQ(EVP_CIPHER_get_mode(a), EVP_CIPHER_get_mode(d));
        EXPECT_EQ(EVP_CIPHER_get_key_length(a), EVP_CIPHER_get_key_length(d));
        EXPECT_EQ(EVP_CIPHER_get_iv_length(a), EVP_CIPHER_get_iv_length(d));
        EXPECT_EQ(EVP_CIPHER_get_block_size(a), EVP_CIPHER_get_block_size(d));
        unsigned long want = EVP_CIPHER_get_flags(d);
        // The TLS CBC-HMAC ciphers leave out TLS 1.1 multiblock: its parameters are not
        // supported (tls.cbc tests), so it must not be announced.
        if (name.find("-HMAC-") != std::string::npos) want &= ~EVP_CIPH_FLAG_TLS1_1_MULTIBLOCK;
        EXPECT_EQ(EVP_CIPHER_get_flags(a), want)
            << std::hex << EVP_CIPHER_get_flags(a) << " vs " << EVP_CIPHER_get_flags(d);
        ++compared;
        EVP_CIPHER_free(a);
        EVP_CIPHER_free(d);
    }
    EXPECT_GE(compared, 20);
}

TEST(CipherShape, GettableParamsNameEveryFlag) {
    EVP_CIPHER *a = EVP_CIPHER_fetch(env().ctx(), "AES-256-XTS", kAcrypto);
    ASSERT_NE(a, nullptr);
    const OSSL_PARAM *g = EVP_CIPHER_gettable_params(a);
    ASSERT_NE(g, nullptr);
    for (const char *n :
         {OSSL_CIPHER_PARAM_MODE, OSSL_CIPHER_PARAM_KEYLEN, OSSL_CIPHER_PARAM_IVLEN,
          OSSL_CIPHER_PARAM_BLOCK_SIZE, OSSL_CIPHER_PARAM_AEAD, OSSL_CIPHER_PARAM_CUSTOM_IV,
          OSSL_CIPHER_PARAM_CTS, OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK, OSSL_CIPHER_PARAM_HAS_RAND_KEY})
        EXPECT_NE(OSSL_PARAM_locate_const(g, n), nullptr) << n;
    EVP_CIPHER_free(a);
}

bool odd_parity(const Bytes &k) {
    for (uint8_t b : k)
        if (__builtin_popcount(b) % 2 == 0) return false;
    return true;
}

/// A key from EVP_CIPHER_CTX_rand_key on an acrypto context of `name`.
Bytes rand_key(const char *name) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(env().ctx(), name, kAcrypto);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    Bytes k(static_cast<size_t>(c != nullptr ? EVP_CIPHER_get_key_length(c) : 0), 0);
    if (c == nullptr || EVP_EncryptInit_ex2(ctx, c, nullptr, nullptr, nullptr) != 1 ||
        EVP_CIPHER_CTX_rand_key(ctx, k.data()) != 1)
        k.clear();
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return k;
}

TEST(CipherShape, DesContextsMakeOddParityKeys) {
    for (const char *name :
         {"DES-CBC", "DES-ECB", "DES-EDE-ECB", "DES-EDE-CBC", "DES-EDE3-ECB", "DES-EDE3-CBC"}) {
        SCOPED_TRACE(name);
        const Bytes k1 = rand_key(name), k2 = rand_key(name);
        ASSERT_FALSE(k1.empty()) << drain_errors();
        EXPECT_TRUE(odd_parity(k1));
        EXPECT_TRUE(odd_parity(k2));
        EXPECT_NE(k1, k2);
    }
    // The key a 3DES context made encrypts as the default provider does under it.
    const Bytes key = rand_key("DES-EDE3-CBC"), iv = random_bytes(8), msg = random_bytes(64);
    ASSERT_EQ(key.size(), 24u);
    Bytes out[2];
    const char *props[] = {kAcrypto, kDefault};
    for (int i = 0; i < 2; ++i) {
        EVP_CIPHER *c = EVP_CIPHER_fetch(env().ctx(), "DES-EDE3-CBC", props[i]);
        ASSERT_NE(c, nullptr);
        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        out[i].assign(msg.size() + 8, 0);
        int n = 0, m = 0;
        ASSERT_EQ(EVP_EncryptInit_ex2(ctx, c, key.data(), iv.data(), nullptr), 1);
        ASSERT_EQ(EVP_EncryptUpdate(ctx, out[i].data(), &n, msg.data(), 64), 1);
        ASSERT_EQ(EVP_EncryptFinal_ex(ctx, out[i].data() + n, &m), 1);
        out[i].resize(static_cast<size_t>(n + m));
        EVP_CIPHER_CTX_free(ctx);
        EVP_CIPHER_free(c);
    }
    EXPECT_EQ(out[0], out[1]);
}

TEST(CipherShape, OnlyDesContextsAnswerForARandomKey) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(env().ctx(), "DES-EDE3-CBC", kAcrypto);
    ASSERT_NE(c, nullptr);
    EXPECT_NE(
        OSSL_PARAM_locate_const(EVP_CIPHER_gettable_ctx_params(c), OSSL_CIPHER_PARAM_RANDOM_KEY),
        nullptr);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    ASSERT_EQ(EVP_EncryptInit_ex2(ctx, c, nullptr, nullptr, nullptr), 1);
    // A stated size too small for the key is refused; nothing is written.
    uint8_t small[8] = {};
    OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_RANDOM_KEY, small, 8),
                      OSSL_PARAM_construct_end()};
    EXPECT_EQ(EVP_CIPHER_CTX_get_params(ctx, p), 0);
    EXPECT_EQ(Bytes(small, small + 8), Bytes(8, 0));
    EXPECT_NE(drain_errors().find("random key"), std::string::npos);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    c = EVP_CIPHER_fetch(env().ctx(), "ChaCha20", kAcrypto);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(
        OSSL_PARAM_locate_const(EVP_CIPHER_gettable_ctx_params(c), OSSL_CIPHER_PARAM_RANDOM_KEY),
        nullptr);
    EVP_CIPHER_free(c);
}

} // namespace
} // namespace acrypto::test::pk
