// SPDX-License-Identifier: Apache-2.0
// HMAC's TLS record mode (OSSL_MAC_PARAM_TLS_DATA_SIZE): libssl's MAC of a CBC record received
// without encrypt-then-MAC, which acrypto runs on the default provider's constant-time HMAC.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <string>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

/// An HMAC-SHA256 context of `propq`'s, keyed, as libssl holds one per connection.
EVP_MAC_CTX *keyed(const char *propq, const Bytes &key) {
    EVP_MAC *mac = EVP_MAC_fetch(env().ctx(), "HMAC", propq);
    EVP_MAC_CTX *ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
    EVP_MAC_free(mac);
    char digest[] = "SHA256";
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                      OSSL_PARAM_construct_end()};
    if (ctx != nullptr && EVP_MAC_init(ctx, key.data(), key.size(), p) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = nullptr;
    }
    return ctx;
}

/// libssl's record MAC: a copy of the keyed context, the record's whole length (data, MAC
/// and padding) set on it, then the 13-byte header and the first `n` bytes of the record,
/// which holds `whole` (the MAC is computed reading all of them). Empty on failure.
Bytes record_mac(EVP_MAC_CTX *keyed_ctx, const Bytes &header, const Bytes &record, size_t n,
                 size_t whole) {
    EVP_MAC_CTX *c = EVP_MAC_CTX_dup(keyed_ctx);
    OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_TLS_DATA_SIZE, &whole),
                      OSSL_PARAM_construct_end()};
    Bytes out(32, 0);
    size_t len = 0;
    const bool ok = c != nullptr && EVP_MAC_CTX_set_params(c, p) == 1 &&
                    EVP_MAC_update(c, header.data(), header.size()) == 1 &&
                    EVP_MAC_update(c, record.data(), n) == 1 &&
                    EVP_MAC_final(c, out.data(), &len, out.size()) == 1;
    EVP_MAC_CTX_free(c);
    out.resize(ok ? len : 0);
    return out;
}

TEST(HmacTlsRecord, MatchesTheDefaultProvidersRecordMac) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const Bytes key = random_bytes(32);
    EVP_MAC_CTX *a = keyed(kAcrypto, key), *d = keyed(kDefault, key);
    ASSERT_TRUE(a != nullptr && d != nullptr) << drain_errors();
    EXPECT_STREQ(OSSL_PROVIDER_get0_name(EVP_MAC_get0_provider(EVP_MAC_CTX_get0_mac(a))),
                 "acrypto");
    const long long before = stat_value("mac.tls-record");
    ASSERT_GE(before, 0) << "no mac.tls-record statistic";
    for (size_t len : {0u, 1u, 100u, 1000u}) {
        SCOPED_TRACE(len);
        const Bytes header = random_bytes(13), record = random_bytes(len + 32 + 256);
        for (size_t pad : {1u, 16u, 256u}) {
            const size_t whole = len + 32 + pad;
            const Bytes ma = record_mac(a, header, record, len, whole);
            EXPECT_EQ(ma.size(), 32u) << drain_errors();
            EXPECT_EQ(ma, record_mac(d, header, record, len, whole));
        }
        // The record mode's MAC is the HMAC of header and data.
        EVP_MAC_CTX *plain = EVP_MAC_CTX_dup(a);
        Bytes whole_mac(32, 0);
        size_t n = 0;
        ASSERT_EQ(EVP_MAC_update(plain, header.data(), 13), 1);
        ASSERT_EQ(EVP_MAC_update(plain, record.data(), len), 1);
        ASSERT_EQ(EVP_MAC_final(plain, whole_mac.data(), &n, 32), 1);
        EVP_MAC_CTX_free(plain);
        EXPECT_EQ(record_mac(a, header, record, len, len + 48), whole_mac);
    }
    EXPECT_GE(stat_value("mac.tls-record") - before, 16);
    EVP_MAC_CTX_free(a);
    EVP_MAC_CTX_free(d);
}

TEST(HmacTlsRecord, RefusesWhatTheDefaultRefuses) {
    const Bytes key = random_bytes(32);
    for (const char *propq : {kAcrypto, kDefault}) {
        SCOPED_TRACE(propq);
        EVP_MAC_CTX *k = keyed(propq, key);
        ASSERT_NE(k, nullptr);
        const Bytes record = random_bytes(200);
        // The header must come first, alone, 13 bytes.
        EXPECT_TRUE(record_mac(k, random_bytes(12), record, 64, 200).empty());
        // The whole record cannot be shorter than its data.
        EXPECT_TRUE(record_mac(k, random_bytes(13), record, 64, 32).empty());
        drain_errors();
        const OSSL_PARAM *settable = EVP_MAC_CTX_settable_params(k);
        EXPECT_NE(OSSL_PARAM_locate_const(settable, OSSL_MAC_PARAM_TLS_DATA_SIZE), nullptr);
        EVP_MAC_CTX_free(k);
    }
}

} // namespace
} // namespace acrypto::test::pk
