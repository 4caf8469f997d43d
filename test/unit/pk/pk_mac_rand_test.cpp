// SPDX-License-Identifier: Apache-2.0
// CMAC known answers and differential checks; SEED-SRC over device entropy, alone and as a DRBG
// parent.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <string>

#include "pk_env.hpp"
#include "vector_file.hpp"

namespace acrypto::test::pk {
namespace {

bool cmac(const char *propq, const std::string &cipher, const Bytes &key, const Bytes &in,
          Bytes &out, size_t chunk = 0) {
    EVP_MAC *mac = EVP_MAC_fetch(env().ctx(), "CMAC", propq);
    EVP_MAC_CTX *ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                                       const_cast<char *>(cipher.c_str()), 0),
                      OSSL_PARAM_construct_end()};
    bool ok = ctx != nullptr && EVP_MAC_init(ctx, key.data(), key.size(), p) == 1;
    for (size_t off = 0; ok && off < in.size();) {
        size_t n = chunk == 0 ? in.size() - off : std::min(chunk, in.size() - off);
        ok = EVP_MAC_update(ctx, in.data() + off, n) == 1;
        off += n;
    }
    out.assign(16, 0);
    size_t len = 0;
    ok = ok && EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1;
    out.resize(ok ? len : 0);
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok;
}

TEST(Cmac, KnownAnswers) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    std::string err;
    auto stanzas = read_vector_file(std::string(ACRYPTO_VECTOR_DIR) + "/cmac.txt", &err);
    ASSERT_FALSE(stanzas.empty()) << err;
    int checks = 0;
    for (const auto &s : stanzas) {
        if (s.type() != "MAC" || s.type_value() != "CMAC") continue;
        Bytes out;
        ASSERT_TRUE(
            cmac(kAcrypto, s.get("Algorithm").value_or(""), s.bytes("Key"), s.bytes("Input"), out))
            << s.where() << drain_errors();
        EXPECT_EQ(out, s.bytes("Output")) << s.where();
        ++checks;
    }
    EXPECT_GT(checks, 0);
}

TEST(Cmac, MatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    for (auto [cipher, klen] :
         {std::make_pair("AES-128-CBC", 16), std::make_pair("AES-256-CBC", 32),
          std::make_pair("AES-192-CBC", 24), std::make_pair("DES-EDE3-CBC", 24)}) {
        for (size_t len : {0u, 1u, 16u, 33u, 1000u}) {
            Bytes key = random_bytes(static_cast<size_t>(klen)), in = random_bytes(len), a, b;
            ASSERT_TRUE(cmac(kAcrypto, cipher, key, in, a, 7)) << cipher << drain_errors();
            ASSERT_TRUE(cmac(kDefault, cipher, key, in, b));
            EXPECT_EQ(a, b) << cipher << " len " << len;
        }
    }
}

TEST(SeedSrc, DeviceEntropy) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    EVP_RAND *seed = EVP_RAND_fetch(env().ctx(), "SEED-SRC", kAcrypto);
    ASSERT_NE(seed, nullptr) << drain_errors();
    EVP_RAND_CTX *sctx = EVP_RAND_CTX_new(seed, nullptr);
    ASSERT_NE(sctx, nullptr);
    ASSERT_EQ(EVP_RAND_instantiate(sctx, 128, 0, nullptr, 0, nullptr), 1) << drain_errors();
    EXPECT_EQ(EVP_RAND_get_state(sctx), EVP_RAND_STATE_READY);
    Bytes a(64), b(64);
    ASSERT_EQ(EVP_RAND_generate(sctx, a.data(), a.size(), 128, 0, nullptr, 0), 1) << drain_errors();
    ASSERT_EQ(EVP_RAND_generate(sctx, b.data(), b.size(), 128, 0, nullptr, 0), 1);
    EXPECT_NE(a, b);
    EXPECT_NE(a, Bytes(64, 0));

    // A default-provider CTR-DRBG seeded by acrypto's seed source.
    EVP_RAND *ctr = EVP_RAND_fetch(env().ctx(), "CTR-DRBG", kDefault);
    ASSERT_NE(ctr, nullptr);
    EVP_RAND_CTX *drbg = EVP_RAND_CTX_new(ctr, sctx);
    ASSERT_NE(drbg, nullptr);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER,
                                                       const_cast<char *>("AES-256-CTR"), 0),
                      OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_RAND_instantiate(drbg, 256, 0, nullptr, 0, p), 1) << drain_errors();
    Bytes c(100), d(100);
    ASSERT_EQ(EVP_RAND_generate(drbg, c.data(), c.size(), 256, 0, nullptr, 0), 1);
    ASSERT_EQ(EVP_RAND_reseed(drbg, 1, nullptr, 0, nullptr, 0), 1) << drain_errors();
    ASSERT_EQ(EVP_RAND_generate(drbg, d.data(), d.size(), 256, 1, nullptr, 0), 1) << drain_errors();
    EXPECT_NE(c, d);
    EVP_RAND_CTX_free(drbg);
    EVP_RAND_free(ctr);
    EVP_RAND_CTX_free(sctx);
    EVP_RAND_free(seed);
}

} // namespace
} // namespace acrypto::test::pk
