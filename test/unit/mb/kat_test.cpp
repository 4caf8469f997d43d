// SPDX-License-Identifier: Apache-2.0
// Known answers through the mb device on every code path this CPU runs.
#include <gtest/gtest.h>

#include "mb_test_util.hpp"
#include "reference.hpp"

namespace acrypto::soft::mb::testing {
namespace {

using acrypto::test::from_hex;
using acrypto::test::to_hex;

struct Kat {
    const char *name;
    uint32_t op, alg, mode, dir;
    const char *key, *iv, *aad, *in, *out, *tag;
};

const std::string kLadies =
    "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a204966"
    "204920636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f72207468652066757475"
    "72652c2073756e73637265656e20776f756c642062652069742e";
const std::string kAa131(262, 'a');

const Kat kKats[] = {
    {"AES-128-CBC SP800-38A F.2.1", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT, "2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f",
     "", "6bc1bee22e409f96e93d7e117393172a", "7649abac8119b246cee98e9b12e9197d", ""},
    {"AES-192-CBC SP800-38A F.2.3", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT, "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "000102030405060708090a0b0c0d0e0f", "", "6bc1bee22e409f96e93d7e117393172a",
     "4f021db243bc633d7178183a9fa071e8", ""},
    {"AES-256-CBC SP800-38A F.2.6", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_DECRYPT, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "000102030405060708090a0b0c0d0e0f", "", "f58c4c04d6e5f1ba779eabfb5f7bfbd6",
     "6bc1bee22e409f96e93d7e117393172a", ""},
    {"AES-256-CTR SP800-38A F.5.5", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
     ACRYPTO_DIR_ENCRYPT, "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", "", "6bc1bee22e409f96e93d7e117393172a",
     "601ec313775789a5b7a7f504bbf3d228", ""},
    {"AES-128-GCM McGrew-Viega test case 4", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM,
     ACRYPTO_DIR_ENCRYPT, "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
     "49a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5a"
     "ac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"ChaCha20-Poly1305 RFC 8439 2.8.2", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_CHACHA20,
     ACRYPTO_MODE_POLY1305, ACRYPTO_DIR_ENCRYPT,
     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
     "50515253c0c1c2c3c4c5c6c7", kLadies.c_str(),
     "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69"
     "da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad67594"
     "5585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116",
     "1ae10b594f09e26a7e902ecbd0600691"},
    {"DES-CBC FIPS 81", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
     "0123456789abcdef", "1234567890abcdef", "", "4e6f77206973207468652074696d6520666f7220616c6c20",
     "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6", ""},
    {"DES-EDE3-CBC SP800-67", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT, "0123456789abcdef23456789abcdef01456789abcdef0123", "0000000000000000",
     "", "5468652071756663", "a826fd8ce53b855f", ""},
    {"SHA-1 abc", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA1, 0, 0, "", "", "", "616263",
     "a9993e364706816aba3e25717850c26c9cd0d89d", ""},
    {"SHA-224 abc", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA224, 0, 0, "", "", "", "616263",
     "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7", ""},
    {"SHA-256 empty", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, 0, 0, "", "", "", "",
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ""},
    {"SHA-384 abc", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA384, 0, 0, "", "", "", "616263",
     "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca1"
     "34c825a7",
     ""},
    {"SHA-512 abc", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA512, 0, 0, "", "", "", "616263",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
     "a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     ""},
    {"HMAC-SHA-1 RFC 2202 case 2", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_HMAC, 0,
     "4a656665", "", "", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", ""},
    {"HMAC-SHA-224 RFC 4231 case 2", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA224, ACRYPTO_MODE_HMAC, 0,
     "4a656665", "", "", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44", ""},
    {"HMAC-SHA-384 RFC 4231 case 2", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA384, ACRYPTO_MODE_HMAC, 0,
     "4a656665", "", "", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ec"
     "fab21649",
     ""},
    {"HMAC-SHA-512 RFC 4231 case 2", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA512, ACRYPTO_MODE_HMAC, 0,
     "4a656665", "", "", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65"
     "f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
     ""},
    {"HMAC-SHA-256 RFC 4231 case 6 (131-byte key)", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA256,
     ACRYPTO_MODE_HMAC, 0, kAa131.c_str(), "", "",
     "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d20486173"
     "68204b6579204669727374",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", ""},
};

std::unique_ptr<OwnedSession> build(const Kat &k) {
    Bytes key = from_hex(k.key), iv = from_hex(k.iv), aad = from_hex(k.aad), in = from_hex(k.in),
          tag = from_hex(k.tag);
    switch (k.op) {
    case ACRYPTO_OP_DIGEST: return acrypto::test::make_digest(k.alg, in);
    case ACRYPTO_OP_MAC: return acrypto::test::make_hmac(k.alg, key, in);
    default:
        if (!tag.empty()) {
            return acrypto::test::make_aead(k.alg, k.mode, k.dir, key, iv, aad, in, {},
                                            static_cast<uint32_t>(tag.size()));
        }
        return acrypto::test::make_cipher(k.alg, k.mode, k.dir, key, iv, in);
    }
}

class MbKat : public ::testing::TestWithParam<std::string> {};

TEST_P(MbKat, KnownAnswers) {
    auto h = open_mb({{"arch", GetParam()}});
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<OwnedSession>> all;
    for (const Kat &k : kKats) all.push_back(build(k));
    ASSERT_TRUE(run_batch(*h, all));
    for (size_t i = 0; i < all.size(); ++i) {
        const Kat &k = kKats[i];
        EXPECT_EQ(h->status_of(all[i]->get()), ACRYPTO_OK) << k.name;
        EXPECT_EQ(to_hex(all[i]->output()), k.out) << k.name;
        if (*k.tag) {
            EXPECT_EQ(to_hex({all[i]->step().tag, all[i]->step().tag_len}), k.tag) << k.name;
        }
    }
    // Decrypting the AEAD answers gives the plaintext back and checks the tag.
    for (const Kat &k : kKats) {
        if (!*k.tag) continue;
        auto s = acrypto::test::make_aead(k.alg, k.mode, ACRYPTO_DIR_DECRYPT, from_hex(k.key),
                                          from_hex(k.iv), from_hex(k.aad), from_hex(k.out),
                                          from_hex(k.tag), 16);
        EXPECT_EQ(h->run(*s->get()), ACRYPTO_OK) << k.name;
        EXPECT_EQ(to_hex(s->output()), k.in) << k.name;
    }
}

TEST_P(MbKat, SelfTestPasses) {
    auto h = open_mb({{"arch", GetParam()}});
    ASSERT_TRUE(h);
    std::string why;
    EXPECT_EQ(h->self_test(&why), ACRYPTO_OK) << why;
}

INSTANTIATE_TEST_SUITE_P(Arch, MbKat, ::testing::ValuesIn(available_arches()),
                         [](const auto &info) { return info.param; });

} // namespace
} // namespace acrypto::soft::mb::testing
