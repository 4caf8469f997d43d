// SPDX-License-Identifier: Apache-2.0
// RSA and RSA-PSS key generation through acrypto: the public exponent asked for, RSA-PSS keys
// with and without restrictions, and clear refusals of what cannot be made.
#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <string>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

/// An RSA or RSA-PSS generation context of acrypto's, 1024 bits (quick to make).
EVP_PKEY_CTX *rsa_gen_ctx(const char *type) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(env().ctx(), type, kAcrypto);
    if (c != nullptr &&
        (EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(c, 1024) != 1)) {
        EVP_PKEY_CTX_free(c);
        c = nullptr;
    }
    return c;
}

/// The key as the default provider decodes it from acrypto's PKCS#8.
EVP_PKEY *through_default(EVP_PKEY *k) {
    unsigned char *der = nullptr;
    const int n = i2d_PrivateKey(k, &der);
    if (n <= 0) return nullptr;
    const unsigned char *p = der;
    EVP_PKEY *back = d2i_AutoPrivateKey_ex(nullptr, &p, n, env().ctx(), kDefault);
    OPENSSL_free(der);
    return back;
}

/// Sign `tbs` with acrypto under `md` (PSS padding for RSA-PSS keys); verify with the default.
bool sign_verifies(EVP_PKEY *k, const char *md) {
    const Bytes tbs = random_bytes(100);
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    size_t len = 0;
    Bytes sig;
    bool ok = EVP_DigestSignInit_ex(m, nullptr, md, env().ctx(), kAcrypto, k, nullptr) == 1 &&
              EVP_DigestSign(m, nullptr, &len, tbs.data(), tbs.size()) == 1;
    if (ok) {
        sig.resize(len);
        ok = EVP_DigestSign(m, sig.data(), &len, tbs.data(), tbs.size()) == 1;
        sig.resize(len);
    }
    EVP_MD_CTX_free(m);
    EVP_PKEY *v = ok ? through_default(k) : nullptr;
    m = EVP_MD_CTX_new();
    ok = v != nullptr &&
         EVP_DigestVerifyInit_ex(m, nullptr, md, env().ctx(), kDefault, v, nullptr) == 1 &&
         EVP_DigestVerify(m, sig.data(), sig.size(), tbs.data(), tbs.size()) == 1;
    EVP_MD_CTX_free(m);
    EVP_PKEY_free(v);
    return ok;
}

TEST(RsaKeygen, ThePublicExponentIsTheOneAskedFor) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    EVP_PKEY_CTX *c = rsa_gen_ctx("RSA");
    ASSERT_NE(c, nullptr) << drain_errors();
    BIGNUM *three = BN_new();
    ASSERT_EQ(BN_set_word(three, 3), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, three), 1) << drain_errors();
    EVP_PKEY *k = nullptr;
    ASSERT_EQ(EVP_PKEY_generate(c, &k), 1) << drain_errors();
    EXPECT_STREQ(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k)), "acrypto");
    EXPECT_EQ(EVP_PKEY_get_bits(k), 1024);
    BIGNUM *e = nullptr;
    ASSERT_EQ(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    EXPECT_EQ(BN_cmp(e, three), 0);
    EXPECT_TRUE(sign_verifies(k, "SHA256"));
    BN_free(e);
    BN_free(three);
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(c);
}

TEST(RsaKeygen, AnEvenOrTooSmallExponentIsRefused) {
    for (unsigned long bad : {4ul, 1ul, 65536ul}) {
        SCOPED_TRACE(bad);
        EVP_PKEY_CTX *c = rsa_gen_ctx("RSA");
        ASSERT_NE(c, nullptr);
        BIGNUM *e = BN_new();
        ASSERT_EQ(BN_set_word(e, bad), 1);
        EXPECT_NE(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(c, e), 1);
        EXPECT_NE(drain_errors().find("public exponent"), std::string::npos);
        BN_free(e);
        EVP_PKEY_CTX_free(c);
    }
}

TEST(RsaKeygen, PssKeyWithoutRestrictions) {
    EVP_PKEY_CTX *c = rsa_gen_ctx("RSA-PSS");
    ASSERT_NE(c, nullptr) << drain_errors();
    EVP_PKEY *k = nullptr;
    ASSERT_EQ(EVP_PKEY_generate(c, &k), 1) << drain_errors();
    EXPECT_TRUE(EVP_PKEY_is_a(k, "RSA-PSS"));
    EXPECT_STREQ(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k)), "acrypto");
    EVP_PKEY *back = through_default(k);
    ASSERT_NE(back, nullptr) << drain_errors();
    EXPECT_TRUE(EVP_PKEY_is_a(back, "RSA-PSS"));
    char md[32] = "";
    EXPECT_NE(
        EVP_PKEY_get_utf8_string_param(back, OSSL_PKEY_PARAM_RSA_DIGEST, md, sizeof md, nullptr), 1)
        << "restricted to " << md;
    EXPECT_TRUE(sign_verifies(k, "SHA256"));
    EXPECT_TRUE(sign_verifies(k, "SHA384"));
    EVP_PKEY_free(back);
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(c);
}

TEST(RsaKeygen, PssKeyCarriesItsRestrictions) {
    EVP_PKEY_CTX *c = rsa_gen_ctx("RSA-PSS");
    ASSERT_NE(c, nullptr) << drain_errors();
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_keygen_md_name(c, "SHA256", nullptr), 1) << drain_errors();
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_keygen_mgf1_md_name(c, "SHA384"), 1) << drain_errors();
    ASSERT_EQ(EVP_PKEY_CTX_set_rsa_pss_keygen_saltlen(c, 24), 1) << drain_errors();
    EVP_PKEY *k = nullptr;
    ASSERT_EQ(EVP_PKEY_generate(c, &k), 1) << drain_errors();
    EVP_PKEY *back = through_default(k);
    ASSERT_NE(back, nullptr) << drain_errors();
    char md[32] = "", mgf[32] = "";
    int salt = 0;
    ASSERT_EQ(
        EVP_PKEY_get_utf8_string_param(back, OSSL_PKEY_PARAM_RSA_DIGEST, md, sizeof md, nullptr),
        1);
    ASSERT_EQ(EVP_PKEY_get_utf8_string_param(back, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, mgf, sizeof mgf,
                                             nullptr),
              1);
    ASSERT_EQ(EVP_PKEY_get_int_param(back, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &salt), 1);
    EXPECT_EQ(EVP_MD_is_a(EVP_get_digestbyname(md), "SHA256"), 1) << md;
    EXPECT_EQ(EVP_MD_is_a(EVP_get_digestbyname(mgf), "SHA384"), 1) << mgf;
    EXPECT_EQ(salt, 24);
    // Signing follows the restriction, and refuses another digest.
    EXPECT_TRUE(sign_verifies(k, "SHA256"));
    EXPECT_FALSE(sign_verifies(k, "SHA512"));
    drain_errors();
    EVP_PKEY_free(back);
    EVP_PKEY_free(k);
    EVP_PKEY_CTX_free(c);
}

TEST(RsaKeygen, PssRestrictionsAcryptoCannotMakeAreRefused) {
    EVP_PKEY_CTX *c = rsa_gen_ctx("RSA-PSS");
    ASSERT_NE(c, nullptr);
    char mgf2[] = "MGF2";
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_RSA_MASKGENFUNC, mgf2, 0),
                      OSSL_PARAM_construct_end()};
    EXPECT_NE(EVP_PKEY_CTX_set_params(c, p), 1);
    EXPECT_NE(drain_errors().find("MGF1 only"), std::string::npos);
    char sha3[] = "SHA3-256";
    OSSL_PARAM q[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, sha3, 0),
                      OSSL_PARAM_construct_end()};
    EXPECT_NE(EVP_PKEY_CTX_set_params(c, q), 1);
    EXPECT_NE(drain_errors().find("RSA-PSS key digest"), std::string::npos);
    EVP_PKEY_CTX_free(c);
    // Plain RSA generation does not announce the restrictions.
    c = rsa_gen_ctx("RSA");
    ASSERT_NE(c, nullptr);
    const OSSL_PARAM *rsa = EVP_PKEY_CTX_settable_params(c);
    EXPECT_EQ(OSSL_PARAM_locate_const(rsa, OSSL_PKEY_PARAM_RSA_DIGEST), nullptr);
    EXPECT_NE(OSSL_PARAM_locate_const(rsa, OSSL_PKEY_PARAM_RSA_E), nullptr);
    EVP_PKEY_CTX_free(c);
}

} // namespace
} // namespace acrypto::test::pk
