// SPDX-License-Identifier: Apache-2.0
// ECDH with the X9.63 KDF (kdf-type X963KDF, as CMS uses it for EC recipients) against the
// default provider, and the refusals of what acrypto does not do.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <string>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

/// ECDH of `priv` with `peer` through `propq`, the X9.63 KDF over `md` to `outlen` bytes with
/// `ukm` (none when empty). Empty on failure.
Bytes ecdh_x963(const char *propq, EVP_PKEY *priv, EVP_PKEY *peer, const char *md, size_t outlen,
                Bytes ukm) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(env().ctx(), priv, propq);
    bool ok = c != nullptr && EVP_PKEY_derive_init(c) == 1 &&
              EVP_PKEY_derive_set_peer(c, peer) == 1 &&
              EVP_PKEY_CTX_set_ecdh_kdf_type(c, EVP_PKEY_ECDH_KDF_X9_63) == 1;
    EVP_MD *m = EVP_MD_fetch(env().ctx(), md, kDefault);
    ok = ok && m != nullptr && EVP_PKEY_CTX_set_ecdh_kdf_md(c, m) == 1 &&
         EVP_PKEY_CTX_set_ecdh_kdf_outlen(c, static_cast<int>(outlen)) == 1;
    if (ok && !ukm.empty()) {
        auto *u = static_cast<unsigned char *>(OPENSSL_memdup(ukm.data(), ukm.size()));
        ok = EVP_PKEY_CTX_set0_ecdh_kdf_ukm(c, u, static_cast<int>(ukm.size())) == 1;
    }
    size_t len = 0;
    ok = ok && EVP_PKEY_derive(c, nullptr, &len) == 1 && len == outlen;
    Bytes out(len, 0);
    ok = ok && EVP_PKEY_derive(c, out.data(), &len) == 1;
    out.resize(ok ? len : 0);
    EVP_MD_free(m);
    EVP_PKEY_CTX_free(c);
    return out;
}

TEST(EcdhKdf, X963MatchesTheDefaultProvider) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    for (const char *curve : {"P-256", "P-384"}) {
        EVP_PKEY *a = keygen(kDefault, "EC", curve), *b = keygen(kDefault, "EC", curve);
        ASSERT_TRUE(a != nullptr && b != nullptr);
        for (const char *md : {"SHA1", "SHA256", "SHA384"}) {
            for (size_t outlen : {16u, 40u, 100u}) {
                for (const Bytes &ukm : {Bytes{}, random_bytes(20)}) {
                    SCOPED_TRACE(std::string(curve) + " " + md + " " + std::to_string(outlen) +
                                 (ukm.empty() ? "" : " ukm"));
                    const Bytes x = ecdh_x963(kAcrypto, a, b, md, outlen, ukm);
                    ASSERT_EQ(x.size(), outlen) << drain_errors();
                    EXPECT_EQ(x, ecdh_x963(kDefault, a, b, md, outlen, ukm));
                    // The other side, through acrypto, agrees.
                    EXPECT_EQ(x, ecdh_x963(kAcrypto, b, a, md, outlen, ukm));
                }
            }
        }
        EVP_PKEY_free(a);
        EVP_PKEY_free(b);
    }
}

TEST(EcdhKdf, WhatCannotBeDerivedIsRefusedByName) {
    EVP_PKEY *a = keygen(kDefault, "EC", "P-256"), *b = keygen(kDefault, "EC", "P-256");
    ASSERT_TRUE(a != nullptr && b != nullptr);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(env().ctx(), a, kAcrypto);
    ASSERT_EQ(EVP_PKEY_derive_init(c), 1);
    ASSERT_EQ(EVP_PKEY_derive_set_peer(c, b), 1);
    char hkdf[] = "HKDF";
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, hkdf, 0),
                      OSSL_PARAM_construct_end()};
    EXPECT_NE(EVP_PKEY_CTX_set_params(c, p), 1);
    EXPECT_NE(drain_errors().find("X963KDF only"), std::string::npos);
    // X9.63 without a digest: nothing is derived.
    ASSERT_EQ(EVP_PKEY_CTX_set_ecdh_kdf_type(c, EVP_PKEY_ECDH_KDF_X9_63), 1);
    ASSERT_EQ(EVP_PKEY_CTX_set_ecdh_kdf_outlen(c, 32), 1);
    Bytes out(32, 0);
    size_t len = out.size();
    EXPECT_NE(EVP_PKEY_derive(c, out.data(), &len), 1);
    EXPECT_NE(drain_errors().find("kdf-digest"), std::string::npos);
    // Back to no KDF: the plain shared secret, as the default provider's.
    ASSERT_EQ(EVP_PKEY_CTX_set_ecdh_kdf_type(c, EVP_PKEY_ECDH_KDF_NONE), 1);
    len = out.size();
    ASSERT_EQ(EVP_PKEY_derive(c, out.data(), &len), 1) << drain_errors();
    EVP_PKEY_CTX *d = EVP_PKEY_CTX_new_from_pkey(env().ctx(), a, kDefault);
    Bytes want(32, 0);
    size_t wlen = want.size();
    ASSERT_EQ(EVP_PKEY_derive_init(d), 1);
    ASSERT_EQ(EVP_PKEY_derive_set_peer(d, b), 1);
    ASSERT_EQ(EVP_PKEY_derive(d, want.data(), &wlen), 1);
    EXPECT_EQ(Bytes(out.begin(), out.begin() + static_cast<long>(len)),
              Bytes(want.begin(), want.begin() + static_cast<long>(wlen)));
    EVP_PKEY_CTX_free(d);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
}

} // namespace
} // namespace acrypto::test::pk
