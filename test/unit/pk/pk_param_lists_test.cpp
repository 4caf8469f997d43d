// SPDX-License-Identifier: Apache-2.0
// Every parameter the default provider lists for an algorithm acrypto also offers (gettable
// and settable, per context and per key) is listed by acrypto too, but for the few named
// here with the reason acrypto leaves them out.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

/// Names the default lists in `d` and acrypto does not in `a`, less `allowed`.
std::vector<std::string> missing(const OSSL_PARAM *a, const OSSL_PARAM *d,
                                 const std::set<std::string> &allowed = {}) {
    std::vector<std::string> out;
    for (; d != nullptr && d->key != nullptr; ++d)
        if (OSSL_PARAM_locate_const(a, d->key) == nullptr && allowed.count(d->key) == 0)
            out.emplace_back(d->key);
    return out;
}

std::string joined(const std::vector<std::string> &v) {
    std::string s;
    for (const auto &x : v) s += (s.empty() ? "" : " ") + x;
    return s;
}

/// RSA keys of more than two primes: acrypto generates and uses two-prime keys.
std::set<std::string> multi_prime() {
    std::set<std::string> s;
    for (int i = 3; i <= 10; ++i) {
        s.insert("rsa-factor" + std::to_string(i));
        s.insert("rsa-exponent" + std::to_string(i));
    }
    for (int i = 2; i <= 9; ++i) s.insert("rsa-coefficient" + std::to_string(i));
    return s;
}

/// Explicit (unnamed) curves: acrypto's EC keys are on named curves.
const std::set<std::string> kExplicitCurve = {"decoded-from-explicit",
                                              "field-type",
                                              "p",
                                              "a",
                                              "b",
                                              "generator",
                                              "order",
                                              "cofactor",
                                              "seed",
                                              "m",
                                              "basis-type",
                                              "tp",
                                              "k1",
                                              "k2",
                                              "k3",
                                              "include-public"};

TEST(ParamLists, CiphersListWhatTheDefaultLists) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    int compared = 0;
    EVP_CIPHER_do_all_provided(
        env().ctx(),
        [](EVP_CIPHER *a, void *arg) {
            if (std::string(OSSL_PROVIDER_get0_name(EVP_CIPHER_get0_provider(a))) != "acrypto")
                return;
            const std::string name = EVP_CIPHER_get0_name(a);
            EVP_CIPHER *d = EVP_CIPHER_fetch(env().ctx(), name.c_str(), kDefault);
            if (d == nullptr) return; // single DES: the legacy provider's
            // use-bits is CFB1's; the TLS CBC-HMAC ciphers do not do multiblock (tls.cbc
            // tests); ChaCha20's IV and ChaCha20-Poly1305's key have one length each.
            const std::set<std::string> allowed = {"use-bits",
                                                   "tls1multi_maxbufsz",
                                                   "tls1multi_interleave",
                                                   "tls1multi_aadpacklen",
                                                   "tls1multi_enclen",
                                                   "tls1multi_maxsndfrag",
                                                   "tls1multi_aad",
                                                   "tls1multi_enc",
                                                   "tls1multi_encin",
                                                   name == "ChaCha20" ? "ivlen" : "",
                                                   name == "ChaCha20-Poly1305" ? "keylen" : ""};
            EXPECT_EQ(joined(missing(EVP_CIPHER_gettable_params(a), EVP_CIPHER_gettable_params(d))),
                      "")
                << name;
            EXPECT_EQ(joined(missing(EVP_CIPHER_gettable_ctx_params(a),
                                     EVP_CIPHER_gettable_ctx_params(d), allowed)),
                      "")
                << name;
            EXPECT_EQ(joined(missing(EVP_CIPHER_settable_ctx_params(a),
                                     EVP_CIPHER_settable_ctx_params(d), allowed)),
                      "")
                << name;
            ++*static_cast<int *>(arg);
            EVP_CIPHER_free(d);
        },
        &compared);
    EXPECT_GE(compared, 20);
}

TEST(ParamLists, MacsExchangesAndSignaturesListWhatTheDefaultLists) {
    for (const char *name : {"HMAC", "CMAC"}) {
        EVP_MAC *a = EVP_MAC_fetch(env().ctx(), name, kAcrypto);
        EVP_MAC *d = EVP_MAC_fetch(env().ctx(), name, kDefault);
        ASSERT_TRUE(a != nullptr && d != nullptr) << name;
        // digest-noinit and digest-oneshot set flags on the default's own digest context.
        const std::set<std::string> allowed = {"digest-noinit", "digest-oneshot"};
        EXPECT_EQ(joined(missing(EVP_MAC_gettable_ctx_params(a), EVP_MAC_gettable_ctx_params(d))),
                  "")
            << name;
        EXPECT_EQ(joined(missing(EVP_MAC_settable_ctx_params(a), EVP_MAC_settable_ctx_params(d),
                                 allowed)),
                  "")
            << name;
        EVP_MAC_free(a);
        EVP_MAC_free(d);
    }
    for (const char *name : {"ECDH", "X25519", "X448"}) {
        EVP_KEYEXCH *a = EVP_KEYEXCH_fetch(env().ctx(), name, kAcrypto);
        EVP_KEYEXCH *d = EVP_KEYEXCH_fetch(env().ctx(), name, kDefault);
        ASSERT_TRUE(a != nullptr && d != nullptr) << name;
        EXPECT_EQ(
            joined(missing(EVP_KEYEXCH_gettable_ctx_params(a), EVP_KEYEXCH_gettable_ctx_params(d))),
            "")
            << name;
        EXPECT_EQ(
            joined(missing(EVP_KEYEXCH_settable_ctx_params(a), EVP_KEYEXCH_settable_ctx_params(d))),
            "")
            << name;
        EVP_KEYEXCH_free(a);
        EVP_KEYEXCH_free(d);
    }
    for (const char *name : {"RSA", "ECDSA"}) {
        EVP_SIGNATURE *a = EVP_SIGNATURE_fetch(env().ctx(), name, kAcrypto);
        EVP_SIGNATURE *d = EVP_SIGNATURE_fetch(env().ctx(), name, kDefault);
        ASSERT_TRUE(a != nullptr && d != nullptr) << name;
        // ECDSA's digest-size only sizes a digest the caller signs with no named digest;
        // kat is the FIPS self-test's.
        const std::set<std::string> allowed = {"digest-size", "kat"};
        EXPECT_EQ(joined(missing(EVP_SIGNATURE_gettable_ctx_params(a),
                                 EVP_SIGNATURE_gettable_ctx_params(d), allowed)),
                  "")
            << name;
        EXPECT_EQ(joined(missing(EVP_SIGNATURE_settable_ctx_params(a),
                                 EVP_SIGNATURE_settable_ctx_params(d), allowed)),
                  "")
            << name;
        EVP_SIGNATURE_free(a);
        EVP_SIGNATURE_free(d);
    }
    EVP_ASYM_CIPHER *a = EVP_ASYM_CIPHER_fetch(env().ctx(), "RSA", kAcrypto);
    EVP_ASYM_CIPHER *d = EVP_ASYM_CIPHER_fetch(env().ctx(), "RSA", kDefault);
    ASSERT_TRUE(a != nullptr && d != nullptr);
    EXPECT_EQ(joined(missing(EVP_ASYM_CIPHER_gettable_ctx_params(a),
                             EVP_ASYM_CIPHER_gettable_ctx_params(d))),
              "");
    EXPECT_EQ(joined(missing(EVP_ASYM_CIPHER_settable_ctx_params(a),
                             EVP_ASYM_CIPHER_settable_ctx_params(d))),
              "");
    EVP_ASYM_CIPHER_free(a);
    EVP_ASYM_CIPHER_free(d);
}

TEST(ParamLists, KeyManagersListWhatTheDefaultLists) {
    std::set<std::string> rsa_allowed = multi_prime();
    std::set<std::string> ec_gen_allowed = kExplicitCurve;
    ec_gen_allowed.insert("use-cofactor-flag"); // named prime curves: cofactor 1
    for (const char *name : {"RSA", "RSA-PSS", "EC", "X25519", "X448"}) {
        EVP_KEYMGMT *a = EVP_KEYMGMT_fetch(env().ctx(), name, kAcrypto);
        EVP_KEYMGMT *d = EVP_KEYMGMT_fetch(env().ctx(), name, kDefault);
        ASSERT_TRUE(a != nullptr && d != nullptr) << name;
        const std::string n = name;
        const bool ec = n == "EC", ecx = n == "X25519" || n == "X448";
        // "properties" of an X25519/X448 key or generation: the property query the default's
        // key keeps for fetches of its own; acrypto's key manager fetches nothing for them.
        const std::set<std::string> ecx_allowed = {"properties"};
        EXPECT_EQ(joined(missing(EVP_KEYMGMT_gettable_params(a), EVP_KEYMGMT_gettable_params(d),
                                 ec ? kExplicitCurve : rsa_allowed)),
                  "")
            << name;
        EXPECT_EQ(joined(missing(EVP_KEYMGMT_settable_params(a), EVP_KEYMGMT_settable_params(d),
                                 ecx ? ecx_allowed : std::set<std::string>{})),
                  "")
            << name;
        EXPECT_EQ(
            joined(missing(EVP_KEYMGMT_gen_settable_params(a), EVP_KEYMGMT_gen_settable_params(d),
                           ec ? ec_gen_allowed : ecx_allowed)),
            "")
            << name;
        EVP_KEYMGMT_free(a);
        EVP_KEYMGMT_free(d);
    }
}

} // namespace
} // namespace acrypto::test::pk
