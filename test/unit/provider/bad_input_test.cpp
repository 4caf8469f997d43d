// SPDX-License-Identifier: Apache-2.0
// Bad-input table: every bad call into the provider (ciphers, digests, MACs, KDFs, public-key
// operations) fails with a clear error, and the provider keeps serving good work afterwards.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "provider_env.hpp"

namespace acrypto::test {
namespace {

constexpr const char *kAcrypto = "provider=acrypto";

/// One row: a bad call that must fail (return value != 1) and the reason text it must raise.
struct BadRow {
    const char *name;
    /// ERR_reason_error_string of one error on the queue; nullptr for a failure that is a
    /// result rather than an error (a tag or signature that does not verify), which must fail
    /// the same way with the default provider and leave the queue as that one does.
    const char *reason;
    std::function<int(OSSL_LIB_CTX *)> call;
};

/// Provider the rows call: acrypto, or default for the rows whose failure is a result.
const char *g_propq = kAcrypto;

/// Reason strings of every error on the thread's queue, oldest first; drains it.
std::vector<std::string> drain_reasons() {
    std::vector<std::string> out;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        const char *r = ERR_reason_error_string(e);
        out.emplace_back(r ? r : "reason(" + std::to_string(ERR_GET_REASON(e)) + ")");
    }
    return out;
}

std::string join(const std::vector<std::string> &v) {
    std::string s;
    for (const auto &x : v) s += (s.empty() ? "" : " | ") + x;
    return s;
}

int cipher_call(OSSL_LIB_CTX *ctx, const char *alg, bool enc,
                const std::function<int(EVP_CIPHER_CTX *, EVP_CIPHER *)> &body) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(ctx, alg, g_propq);
    if (c == nullptr) return 0;
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    (void)enc;
    int rc = body(cc, c);
    EVP_CIPHER_CTX_free(cc);
    EVP_CIPHER_free(c);
    return rc;
}

int mac_call(OSSL_LIB_CTX *ctx, const char *alg, const std::function<int(EVP_MAC_CTX *)> &body) {
    EVP_MAC *m = EVP_MAC_fetch(ctx, alg, g_propq);
    if (m == nullptr) return 0;
    EVP_MAC_CTX *mc = EVP_MAC_CTX_new(m);
    int rc = body(mc);
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(m);
    return rc;
}

int kdf_call(OSSL_LIB_CTX *ctx, const char *alg, OSSL_PARAM *params, size_t outlen) {
    EVP_KDF *k = EVP_KDF_fetch(ctx, alg, g_propq);
    if (k == nullptr) return 0;
    EVP_KDF_CTX *kc = EVP_KDF_CTX_new(k);
    std::vector<unsigned char> out(outlen);
    int rc = EVP_KDF_derive(kc, out.data(), out.size(), params);
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(k);
    return rc;
}

EVP_PKEY *keygen(OSSL_LIB_CTX *ctx, const char *type, const OSSL_PARAM *params) {
    EVP_PKEY_CTX *kc = EVP_PKEY_CTX_new_from_name(ctx, type, g_propq);
    EVP_PKEY *k = nullptr;
    if (kc != nullptr && EVP_PKEY_keygen_init(kc) == 1 &&
        (params == nullptr || EVP_PKEY_CTX_set_params(kc, params) == 1))
        (void)EVP_PKEY_generate(kc, &k);
    EVP_PKEY_CTX_free(kc);
    return k;
}

unsigned char g_key[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
unsigned char g_iv[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
unsigned char g_in[256] = {0x42};

const BadRow kRows[] = {
    // ---- ciphers ---------------------------------------------------------------------
    {"AES-128-CBC: key length 20", "invalid key length",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-CBC", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, nullptr, nullptr, nullptr) != 1) return 0;
             size_t kl = 20;
             OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_KEYLEN, &kl),
                               OSSL_PARAM_construct_end()};
             return EVP_CIPHER_CTX_set_params(cc, p);
         });
     }},
    {"AES-128-GCM: IV length 0", "invalid IV length",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-GCM", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, nullptr, nullptr, nullptr) != 1) return 0;
             size_t ivl = 0;
             OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivl),
                               OSSL_PARAM_construct_end()};
             return EVP_CIPHER_CTX_set_params(cc, p);
         });
     }},
    {"AES-128-GCM: 17-byte tag", "invalid parameter",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-GCM", false, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_DecryptInit_ex2(cc, c, g_key, g_iv, nullptr) != 1) return 0;
             unsigned char tag[17] = {0};
             OSSL_PARAM p[] = {
                 OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 17),
                 OSSL_PARAM_construct_end()};
             return EVP_CIPHER_CTX_set_params(cc, p);
         });
     }},
    {"AES-128-CBC: update before a key", "operation not initialized",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-CBC", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, nullptr, nullptr, nullptr) != 1) return 0;
             unsigned char out[64];
             int outl = 0;
             return EVP_EncryptUpdate(cc, out, &outl, g_in, 16);
         });
     }},
    {"AES-128-CBC: no padding, partial block at final", "invalid input length",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-CBC", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, g_key, g_iv, nullptr) != 1) return 0;
             EVP_CIPHER_CTX_set_padding(cc, 0);
             unsigned char out[64];
             int outl = 0, fl = 0;
             if (EVP_EncryptUpdate(cc, out, &outl, g_in, 10) != 1) return 0;
             return EVP_EncryptFinal_ex(cc, out + outl, &fl);
         });
     }},
    {"AES-128-ECB: one-shot on a partial block", "invalid input length",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-ECB", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, g_key, nullptr, nullptr) != 1) return 0;
             unsigned char out[64];
             return EVP_Cipher(cc, out, g_in, 15) > 0 ? 1 : 0;
         });
     }},
    {"AES-128-GCM: wrong tag on decrypt", nullptr,
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-GCM", false, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_DecryptInit_ex2(cc, c, g_key, g_iv, nullptr) != 1) return 0;
             unsigned char out[64], tag[16] = {0};
             int outl = 0, fl = 0;
             if (EVP_DecryptUpdate(cc, out, &outl, g_in, 32) != 1) return 0;
             OSSL_PARAM p[] = {
                 OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 16),
                 OSSL_PARAM_construct_end()};
             if (EVP_CIPHER_CTX_set_params(cc, p) != 1) return 0;
             return EVP_DecryptFinal_ex(cc, out + outl, &fl);
         });
     }},
    {"AES-128-CBC: priority 8 (0..7)", "invalid parameter",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-CBC", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, g_key, g_iv, nullptr) != 1) return 0;
             unsigned int prio = 8;
             OSSL_PARAM p[] = {OSSL_PARAM_construct_uint("acrypto-priority", &prio),
                               OSSL_PARAM_construct_end()};
             return EVP_CIPHER_CTX_set_params(cc, p);
         });
     }},
    {"AES-128-CBC: bound to a missing device", "bound device unavailable",
     [](OSSL_LIB_CTX *ctx) {
         return cipher_call(ctx, "AES-128-CBC", true, [](EVP_CIPHER_CTX *cc, EVP_CIPHER *c) {
             if (EVP_EncryptInit_ex2(cc, c, g_key, g_iv, nullptr) != 1) return 0;
             OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(
                                   "acrypto-device", const_cast<char *>("no-such-device"), 0),
                               OSSL_PARAM_construct_end()};
             if (EVP_CIPHER_CTX_set_params(cc, p) != 1) return 0;
             unsigned char out[64];
             int outl = 0;
             return EVP_EncryptUpdate(cc, out, &outl, g_in, 32);
         });
     }},
    {"AES-128-OCB: mode acrypto does not offer", "unsupported",
     [](OSSL_LIB_CTX *ctx) {
         EVP_CIPHER *c = EVP_CIPHER_fetch(ctx, "AES-128-OCB", g_propq);
         EVP_CIPHER_free(c);
         return c != nullptr ? 1 : 0;
     }},
    // ---- digests ---------------------------------------------------------------------
    {"SHA256: update after final", "operation not initialized",
     [](OSSL_LIB_CTX *ctx) {
         EVP_MD *md = EVP_MD_fetch(ctx, "SHA256", g_propq);
         if (md == nullptr) return 0;
         EVP_MD_CTX *mc = EVP_MD_CTX_new();
         unsigned char o[32];
         unsigned int l = 0;
         int rc = EVP_DigestInit_ex2(mc, md, nullptr) == 1 && EVP_DigestFinal_ex(mc, o, &l) == 1 &&
                  EVP_DigestUpdate(mc, g_in, 1) == 1;
         EVP_MD_CTX_free(mc);
         EVP_MD_free(md);
         return rc;
     }},
    // ---- MACs ------------------------------------------------------------------------
    {"HMAC: digest MD4", "not supported",
     [](OSSL_LIB_CTX *ctx) {
         return mac_call(ctx, "HMAC", [](EVP_MAC_CTX *mc) {
             OSSL_PARAM p[] = {
                 OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("MD4"), 0),
                 OSSL_PARAM_construct_end()};
             return EVP_MAC_CTX_set_params(mc, p);
         });
     }},
    {"HMAC: init without a key", "operation not initialized",
     [](OSSL_LIB_CTX *ctx) {
         return mac_call(ctx, "HMAC", [](EVP_MAC_CTX *mc) {
             OSSL_PARAM p[] = {
                 OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("SHA256"), 0),
                 OSSL_PARAM_construct_end()};
             return EVP_MAC_init(mc, nullptr, 0, p);
         });
     }},
    {"HMAC: final into a short buffer", "buffer too small",
     [](OSSL_LIB_CTX *ctx) {
         return mac_call(ctx, "HMAC", [](EVP_MAC_CTX *mc) {
             OSSL_PARAM p[] = {
                 OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("SHA256"), 0),
                 OSSL_PARAM_construct_end()};
             if (EVP_MAC_init(mc, g_key, 32, p) != 1 || EVP_MAC_update(mc, g_in, 64) != 1) return 0;
             unsigned char o[16];
             size_t l = 0;
             return EVP_MAC_final(mc, o, &l, sizeof o);
         });
     }},
    {"CMAC: AES-128-CBC with a 5-byte key", "invalid key length",
     [](OSSL_LIB_CTX *ctx) {
         return mac_call(ctx, "CMAC", [](EVP_MAC_CTX *mc) {
             OSSL_PARAM p[] = {
                 OSSL_PARAM_construct_utf8_string("cipher", const_cast<char *>("AES-128-CBC"), 0),
                 OSSL_PARAM_construct_end()};
             return EVP_MAC_init(mc, g_key, 5, p);
         });
     }},
    // ---- KDFs ------------------------------------------------------------------------
    {"HKDF: output longer than 255 * hash length", nullptr,
     [](OSSL_LIB_CTX *ctx) {
         OSSL_PARAM p[] = {
             OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("SHA256"), 0),
             OSSL_PARAM_construct_octet_string("key", g_key, 32), OSSL_PARAM_construct_end()};
         return kdf_call(ctx, "HKDF", p, 255 * 32 + 1);
     }},
    // ---- public key ------------------------------------------------------------------
    {"EC keygen: unknown curve", "not supported",
     [](OSSL_LIB_CTX *ctx) {
         OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                            const_cast<char *>("secp1r1"), 0),
                           OSSL_PARAM_construct_end()};
         EVP_PKEY *k = keygen(ctx, "EC", p);
         EVP_PKEY_free(k);
         return k != nullptr ? 1 : 0;
     }},
    {"RSA encrypt: input longer than the modulus", "invalid input",
     [](OSSL_LIB_CTX *ctx) {
         unsigned int bits = 1024; // small: keygen time, not strength, matters here
         OSSL_PARAM p[] = {OSSL_PARAM_construct_uint(OSSL_PKEY_PARAM_RSA_BITS, &bits),
                           OSSL_PARAM_construct_end()};
         EVP_PKEY *k = keygen(ctx, "RSA", p);
         if (k == nullptr) return 1; // a missing key fails the row through the error check
         EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(ctx, k, g_propq);
         unsigned char out[512];
         size_t outl = sizeof out;
         int rc = pc != nullptr && EVP_PKEY_encrypt_init(pc) == 1 &&
                  EVP_PKEY_encrypt(pc, out, &outl, g_in, 200) == 1;
         EVP_PKEY_CTX_free(pc);
         EVP_PKEY_free(k);
         return rc;
     }},
    {"X25519 derive: no peer key", "operation not initialized",
     [](OSSL_LIB_CTX *ctx) {
         EVP_PKEY *k = keygen(ctx, "X25519", nullptr);
         if (k == nullptr) return 1;
         EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(ctx, k, g_propq);
         unsigned char out[32];
         size_t outl = sizeof out;
         int rc =
             pc != nullptr && EVP_PKEY_derive_init(pc) == 1 && EVP_PKEY_derive(pc, out, &outl) == 1;
         EVP_PKEY_CTX_free(pc);
         EVP_PKEY_free(k);
         return rc;
     }},
    {"ECDSA verify: corrupted signature", nullptr,
     [](OSSL_LIB_CTX *ctx) {
         OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                            const_cast<char *>("P-256"), 0),
                           OSSL_PARAM_construct_end()};
         EVP_PKEY *k = keygen(ctx, "EC", p);
         if (k == nullptr) return 1;
         EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(ctx, k, g_propq);
         unsigned char sig[80] = {0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01};
         int rc = pc != nullptr && EVP_PKEY_verify_init(pc) == 1 &&
                  EVP_PKEY_verify(pc, sig, 8, g_in, 32) == 1;
         EVP_PKEY_CTX_free(pc);
         EVP_PKEY_free(k);
         return rc;
     }},
};

class BadInputTable : public ::testing::TestWithParam<size_t> {
  protected:
    static void SetUpTestSuite() { env_ = new ProviderEnv(); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static ProviderEnv *env_;

    /// Good work on the same provider after a bad call: AES-CBC and SHA-256 agree with default.
    static void expect_serving() {
        const std::vector<uint8_t> key = random_bytes(16), iv = random_bytes(16),
                                   in = random_bytes(100);
        std::vector<uint8_t> a, b;
        ASSERT_TRUE(evp_cipher(env_->ctx(), "AES-128-CBC", kAcrypto, true, key, iv, in, a))
            << drain_errors();
        ASSERT_TRUE(
            evp_cipher(env_->ctx(), "AES-128-CBC", "provider=default", true, key, iv, in, b));
        EXPECT_EQ(a, b);
        ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kAcrypto, in, a)) << drain_errors();
        ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", "provider=default", in, b));
        EXPECT_EQ(a, b);
        EXPECT_EQ(ERR_peek_error(), 0u) << drain_errors();
    }
};
ProviderEnv *BadInputTable::env_ = nullptr;

TEST_P(BadInputTable, FailsClearlyAndProviderKeepsServing) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    const BadRow &row = kRows[GetParam()];
    SCOPED_TRACE(row.name);
    ERR_clear_error();
    g_propq = kAcrypto;
    EXPECT_NE(row.call(env_->ctx()), 1) << "the bad call succeeded";
    const std::vector<std::string> reasons = drain_reasons();
    if (row.reason != nullptr) {
        bool found = false;
        for (const auto &r : reasons) found = found || r == row.reason;
        EXPECT_TRUE(found) << "wanted \"" << row.reason << "\", queue: " << join(reasons);
    } else {
        g_propq = "provider=default";
        const int def = row.call(env_->ctx());
        g_propq = kAcrypto;
        const std::vector<std::string> def_reasons = drain_reasons();
        EXPECT_NE(def, 1) << "the default provider accepts it";
        EXPECT_EQ(reasons.empty(), def_reasons.empty())
            << "acrypto: " << join(reasons) << "; default: " << join(def_reasons);
    }
    expect_serving();
}

INSTANTIATE_TEST_SUITE_P(Rows, BadInputTable, ::testing::Range<size_t>(0, std::size(kRows)),
                         [](const ::testing::TestParamInfo<size_t> &i) {
                             std::string n;
                             for (const char *p = kRows[i.param].name; *p; ++p)
                                 n += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                             return std::to_string(i.param) + "_" + n.substr(0, 40);
                         });

} // namespace
} // namespace acrypto::test
