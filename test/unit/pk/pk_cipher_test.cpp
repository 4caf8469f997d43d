// SPDX-License-Identifier: Apache-2.0
// AEAD, XTS, ChaCha20 and DES known answers, TLS record patterns and streaming, provider=acrypto.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <string>

#include "pk_env.hpp"
#include "vector_file.hpp"

namespace acrypto::test::pk {
namespace {

/// Encrypt or decrypt in `chunk`-sized updates (0: one update) with EVP and `propq`.
bool run_cipher(const char *name, const char *propq, bool enc, const Bytes &key, const Bytes &iv,
                const Bytes &aad, const Bytes &in, Bytes &out, Bytes &tag, size_t chunk = 0,
                bool pad = false) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(env().ctx(), name, propq);
    if (c == nullptr) return false;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    const bool aead = (EVP_CIPHER_get_flags(c) & EVP_CIPH_FLAG_AEAD_CIPHER) != 0;
    bool ok = EVP_CipherInit_ex2(ctx, c, nullptr, nullptr, enc ? 1 : 0, nullptr) == 1;
    if (ok && aead && iv.size() != static_cast<size_t>(EVP_CIPHER_get_iv_length(c))) {
        size_t n = iv.size();
        OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &n),
                          OSSL_PARAM_construct_end()};
        ok = EVP_CIPHER_CTX_set_params(ctx, p) == 1;
    }
    ok = ok && EVP_CipherInit_ex2(ctx, nullptr, key.data(), iv.empty() ? nullptr : iv.data(),
                                  enc ? 1 : 0, nullptr) == 1;
    ok = ok && EVP_CIPHER_CTX_set_padding(ctx, pad ? 1 : 0) == 1;
    int outl = 0;
    if (ok && !aad.empty())
        ok = EVP_CipherUpdate(ctx, nullptr, &outl, aad.data(), static_cast<int>(aad.size())) == 1;
    out.assign(in.size() + 32, 0);
    size_t total = 0;
    for (size_t off = 0; ok && off < in.size();) {
        size_t n = chunk == 0 ? in.size() - off : std::min(chunk, in.size() - off);
        ok = EVP_CipherUpdate(ctx, out.data() + total, &outl, in.data() + off,
                              static_cast<int>(n)) == 1;
        total += static_cast<size_t>(outl);
        off += n;
    }
    if (ok && aead && !enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()),
                                 tag.data()) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out.data() + total, &outl) == 1;
    total += static_cast<size_t>(outl);
    if (ok && aead && enc) {
        tag.assign(16, 0);
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag.data()) == 1;
    }
    out.resize(ok ? total : 0);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return ok;
}

class CipherVectors : public ::testing::TestWithParam<const char *> {};

TEST_P(CipherVectors, KnownAnswersThroughAcrypto) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    std::string err;
    auto stanzas =
        acrypto::test::read_vector_file(std::string(ACRYPTO_VECTOR_DIR) + "/" + GetParam(), &err);
    ASSERT_FALSE(stanzas.empty()) << err;
    int checks = 0;
    for (const auto &s : stanzas) {
        if (s.type() != "Cipher") continue;
        const std::string name = s.type_value();
        const Bytes key = s.bytes("Key"), iv = s.bytes("IV"), aad = s.bytes("AAD");
        const Bytes pt = s.bytes("Plaintext"), ct = s.bytes("Ciphertext");
        const Bytes want_tag = s.bytes("Tag");
        const std::string op = s.get("Operation").value_or("");
        Bytes out, tag;
        if (op != "DECRYPT") {
            ASSERT_TRUE(run_cipher(name.c_str(), kAcrypto, true, key, iv, aad, pt, out, tag))
                << s.where() << drain_errors();
            EXPECT_EQ(out, ct) << s.where();
            if (!want_tag.empty()) {
                tag.resize(want_tag.size());
                EXPECT_EQ(tag, want_tag) << s.where();
            }
            ++checks;
        }
        if (op != "ENCRYPT") {
            tag = want_tag;
            ASSERT_TRUE(run_cipher(name.c_str(), kAcrypto, false, key, iv, aad, ct, out, tag))
                << s.where() << drain_errors();
            EXPECT_EQ(out, pt) << s.where();
            ++checks;
            if (!want_tag.empty()) { // a flipped tag bit must fail
                tag[0] ^= 1;
                EXPECT_FALSE(run_cipher(name.c_str(), kAcrypto, false, key, iv, aad, ct, out, tag))
                    << s.where();
                drain_errors();
            }
        }
    }
    EXPECT_GT(checks, 0);
}

INSTANTIATE_TEST_SUITE_P(Files, CipherVectors,
                         ::testing::Values("aes_gcm.txt", "chacha20_poly1305.txt", "aes_xts.txt",
                                           "chacha20.txt", "des_fips81.txt", "des/des.txt",
                                           "des/tdes.txt"),
                         [](const auto &info) {
                             std::string n = info.param;
                             n = n.substr(0, n.find('.'));
                             for (char &ch : n)
                                 if (ch == '/') ch = '_';
                             return n;
                         });

struct StreamCase {
    const char *name;
    size_t key, iv;
    bool pad;
};

class CipherDiff : public ::testing::TestWithParam<StreamCase> {};

/// Random messages in uneven chunks: acrypto and the default provider agree both ways.
TEST_P(CipherDiff, StreamingMatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const StreamCase &c = GetParam();
    const bool aead =
        std::strstr(c.name, "GCM") != nullptr || std::strstr(c.name, "Poly") != nullptr;
    for (size_t len : {16u, 17u, 64u, 100u, 1000u, 4096u}) {
        for (size_t chunk : {size_t{0}, size_t{7}, size_t{64}}) {
            if (std::strstr(c.name, "XTS") != nullptr && chunk != 0)
                continue; // one data unit per update
            Bytes key = random_bytes(c.key), iv = random_bytes(c.iv), pt = random_bytes(len);
            if (std::strstr(c.name, "XTS") != nullptr)
                key[0] ^= key[c.key / 2] ^ 1; // two halves must differ
            Bytes aad = aead ? random_bytes(13) : Bytes{};
            Bytes a, b, ta, tb;
            ASSERT_TRUE(run_cipher(c.name, kAcrypto, true, key, iv, aad, pt, a, ta, chunk, c.pad))
                << c.name << " len " << len << " chunk " << chunk << ": " << drain_errors();
            // Single DES is not in the default provider: EDE3 with K|K|K is the same cipher.
            const bool des = std::strcmp(c.name, "DES-CBC") == 0;
            Bytes rkey = key;
            if (des)
                for (int i = 0; i < 2; ++i) rkey.insert(rkey.end(), key.begin(), key.end());
            ASSERT_TRUE(run_cipher(des ? "DES-EDE3-CBC" : c.name, kDefault, true, rkey, iv, aad, pt,
                                   b, tb, 0, c.pad));
            EXPECT_EQ(a, b) << c.name << " len " << len << " chunk " << chunk;
            EXPECT_EQ(ta, tb);
            Bytes back;
            ASSERT_TRUE(
                run_cipher(c.name, kAcrypto, false, key, iv, aad, b, back, tb, chunk, c.pad))
                << c.name << ": " << drain_errors();
            EXPECT_EQ(back, pt);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Ciphers, CipherDiff,
    ::testing::Values(
        StreamCase{"AES-128-GCM", 16, 12, false}, StreamCase{"AES-256-GCM", 32, 12, false},
        StreamCase{"AES-192-GCM", 24, 16, false}, StreamCase{"ChaCha20-Poly1305", 32, 12, false},
        StreamCase{"ChaCha20", 32, 16, false}, StreamCase{"AES-128-XTS", 32, 16, false},
        StreamCase{"AES-256-XTS", 64, 16, false}, StreamCase{"DES-CBC", 8, 8, true},
        StreamCase{"DES-EDE3-CBC", 24, 8, true}, StreamCase{"DES-EDE3-ECB", 24, 0, true},
        StreamCase{"DES-EDE-CBC", 16, 8, true}, StreamCase{"DES-EDE-ECB", 16, 0, true}),
    [](const auto &info) {
        std::string n = info.param.name;
        for (char &ch : n)
            if (ch == '-') ch = '_';
        return n;
    });

// ChaCha20-Poly1305 takes a 12-byte nonce only: another AEAD IV length is refused when it
// is set, by acrypto as by the default provider, and 12 works with both.
TEST(AeadParams, ChaChaPolyNonceLengthsAreRefusedWhereTheDefaultRefusesThem) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    for (size_t ivlen : {size_t{1}, size_t{8}, size_t{11}, size_t{12}, size_t{13}, size_t{16}}) {
        SCOPED_TRACE(ivlen);
        int accepted[2] = {-1, -1};
        for (int i = 0; i < 2; ++i) {
            EVP_CIPHER *c =
                EVP_CIPHER_fetch(env().ctx(), "ChaCha20-Poly1305", i == 0 ? kAcrypto : kDefault);
            ASSERT_NE(c, nullptr);
            EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
            size_t n = ivlen;
            const OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &n),
                                    OSSL_PARAM_construct_end()};
            accepted[i] = EVP_CipherInit_ex2(x, c, nullptr, nullptr, 1, p);
            drain_errors();
            EVP_CIPHER_CTX_free(x);
            EVP_CIPHER_free(c);
        }
        EXPECT_EQ(accepted[0], accepted[1]);
        EXPECT_EQ(accepted[0], ivlen == 12 ? 1 : 0);
    }
}

/// TLS 1.3 record pattern: re-init with a new IV, AAD update, payload update, final, tag.
TEST(AeadTls, Tls13RecordPattern) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    for (const char *name : {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"}) {
        const size_t klen = std::strstr(name, "128") != nullptr ? 16 : 32;
        Bytes key = random_bytes(klen), base = random_bytes(12);
        EVP_CIPHER *ca = EVP_CIPHER_fetch(env().ctx(), name, kAcrypto);
        EVP_CIPHER *cd = EVP_CIPHER_fetch(env().ctx(), name, kDefault);
        ASSERT_NE(ca, nullptr);
        EVP_CIPHER_CTX *enc = EVP_CIPHER_CTX_new(), *dec = EVP_CIPHER_CTX_new();
        ASSERT_EQ(EVP_CipherInit_ex(enc, ca, nullptr, key.data(), nullptr, 1), 1);
        ASSERT_EQ(EVP_CipherInit_ex(dec, cd, nullptr, key.data(), nullptr, 0), 1);
        for (int seq = 0; seq < 5; ++seq) {
            Bytes nonce = base;
            nonce[11] ^= static_cast<uint8_t>(seq);
            Bytes hdr = {0x17, 0x03, 0x03, 0x00, 0x20}, pt = random_bytes(100 + seq * 50),
                  ct(pt.size());
            int n = 0, f = 0;
            ASSERT_EQ(EVP_CipherInit_ex(enc, nullptr, nullptr, nullptr, nonce.data(), 1), 1);
            ASSERT_EQ(EVP_CipherUpdate(enc, nullptr, &n, hdr.data(), 5), 1);
            ASSERT_EQ(EVP_CipherUpdate(enc, ct.data(), &n, pt.data(), static_cast<int>(pt.size())),
                      1);
            ASSERT_EQ(EVP_CipherFinal_ex(enc, ct.data() + n, &f), 1);
            EXPECT_EQ(static_cast<size_t>(n + f), pt.size());
            uint8_t tag[16];
            ASSERT_EQ(EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
            // The default provider decrypts it, tag set first as libssl does.
            Bytes back(pt.size());
            ASSERT_EQ(EVP_CipherInit_ex(dec, nullptr, nullptr, nullptr, nonce.data(), 0), 1);
            ASSERT_EQ(EVP_CIPHER_CTX_ctrl(dec, EVP_CTRL_AEAD_SET_TAG, 16, tag), 1);
            ASSERT_EQ(EVP_CipherUpdate(dec, nullptr, &n, hdr.data(), 5), 1);
            ASSERT_EQ(
                EVP_CipherUpdate(dec, back.data(), &n, ct.data(), static_cast<int>(ct.size())), 1);
            ASSERT_EQ(EVP_CipherFinal_ex(dec, back.data() + n, &f), 1) << name << " record " << seq;
            EXPECT_EQ(back, pt);
        }
        // And acrypto decrypting, with a bad tag refused at final.
        EVP_CIPHER_CTX *adec = EVP_CIPHER_CTX_new();
        ASSERT_EQ(EVP_CipherInit_ex(adec, ca, nullptr, key.data(), nullptr, 0), 1);
        for (bool good : {true, false}) {
            Bytes pt = random_bytes(77), ct(77), back(77);
            uint8_t tag[16];
            int n = 0, f = 0;
            EVP_CipherInit_ex(enc, nullptr, nullptr, nullptr, base.data(), 1);
            EVP_CipherUpdate(enc, ct.data(), &n, pt.data(), 77);
            EVP_CipherFinal_ex(enc, ct.data() + n, &f);
            EVP_CIPHER_CTX_ctrl(enc, EVP_CTRL_AEAD_GET_TAG, 16, tag);
            if (!good) tag[5] ^= 0x40;
            ASSERT_EQ(EVP_CipherInit_ex(adec, nullptr, nullptr, nullptr, base.data(), 0), 1);
            ASSERT_EQ(EVP_CIPHER_CTX_ctrl(adec, EVP_CTRL_AEAD_SET_TAG, 16, tag), 1);
            ASSERT_EQ(EVP_CipherUpdate(adec, back.data(), &n, ct.data(), 77), 1);
            EXPECT_EQ(EVP_CipherFinal_ex(adec, back.data() + n, &f), good ? 1 : 0) << name;
            if (good) {
                EXPECT_EQ(back, pt);
            }
            drain_errors();
        }
        EVP_CIPHER_CTX_free(adec);
        EVP_CIPHER_CTX_free(enc);
        EVP_CIPHER_CTX_free(dec);
        EVP_CIPHER_free(ca);
        EVP_CIPHER_free(cd);
    }
}

/// TLS 1.2 AEAD record mode (tlsaad, fixed IV, explicit nonce): acrypto seals, default opens.
TEST(AeadTls, Tls12RecordMode) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    for (const char *name : {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"}) {
        const bool gcm = std::strstr(name, "GCM") != nullptr;
        const size_t klen = std::strstr(name, "128") != nullptr ? 16 : 32;
        const size_t eiv = gcm ? 8 : 0;
        Bytes key = random_bytes(klen), fixed = random_bytes(gcm ? 4 : 12);
        auto make = [&](const char *propq, int enc) {
            EVP_CIPHER *c = EVP_CIPHER_fetch(env().ctx(), name, propq);
            EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
            EXPECT_EQ(EVP_CipherInit_ex(ctx, c, nullptr, key.data(), nullptr, enc), 1);
            EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IV_FIXED,
                                          static_cast<int>(fixed.size()), fixed.data()),
                      1)
                << drain_errors();
            EVP_CIPHER_free(c);
            return ctx;
        };
        EVP_CIPHER_CTX *seal = make(kAcrypto, 1), *open_d = make(kDefault, 0);
        for (uint64_t seq = 0; seq < 4; ++seq) {
            const size_t plen = 50 + 30 * seq;
            Bytes rec(eiv + plen + 16);
            Bytes pt = random_bytes(plen);
            std::memcpy(rec.data() + eiv, pt.data(), plen);
            uint8_t aad[13] = {0,
                               0,
                               0,
                               0,
                               0,
                               0,
                               0,
                               static_cast<uint8_t>(seq),
                               0x17,
                               3,
                               3,
                               static_cast<uint8_t>((eiv + plen) >> 8),
                               static_cast<uint8_t>(eiv + plen)};
            if (!gcm) {
                aad[11] = static_cast<uint8_t>(plen >> 8);
                aad[12] = static_cast<uint8_t>(plen);
            }
            ASSERT_EQ(EVP_CIPHER_CTX_ctrl(seal, EVP_CTRL_AEAD_TLS1_AAD, 13, aad), 16)
                << drain_errors();
            int outl = 0;
            ASSERT_EQ(
                EVP_CipherUpdate(seal, rec.data(), &outl, rec.data(), static_cast<int>(rec.size())),
                1)
                << name << ": " << drain_errors();
            EXPECT_EQ(static_cast<size_t>(outl), rec.size());
            // Open with the default provider: the AAD length now counts the tag.
            const size_t wire = rec.size() - (gcm ? 0 : 0);
            uint8_t daad[13];
            std::memcpy(daad, aad, 13);
            daad[11] = static_cast<uint8_t>(wire >> 8);
            daad[12] = static_cast<uint8_t>(wire);
            ASSERT_EQ(EVP_CIPHER_CTX_ctrl(open_d, EVP_CTRL_AEAD_TLS1_AAD, 13, daad), 16);
            ASSERT_EQ(EVP_CipherUpdate(open_d, rec.data(), &outl, rec.data(),
                                       static_cast<int>(rec.size())),
                      1)
                << name << " record " << seq;
            EXPECT_EQ(static_cast<size_t>(outl), plen);
            EXPECT_EQ(Bytes(rec.begin() + static_cast<long>(eiv),
                            rec.begin() + static_cast<long>(eiv + plen)),
                      pt);
        }
        EVP_CIPHER_CTX_free(seal);
        EVP_CIPHER_CTX_free(open_d);
    }
}

} // namespace
} // namespace acrypto::test::pk
