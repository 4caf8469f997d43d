// SPDX-License-Identifier: Apache-2.0
// The cpu device's AES-NI ECB/CBC/XTS: FIPS-197, SP 800-38A and IEEE 1619 known answers, and the
// default provider's output for every key size, lengths across the 8-block groups,
// in place and out of place.
#include <gtest/gtest.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <span>
#include <string>
#include <vector>

#include "aesni.hpp"
#include "reference.hpp"

namespace acrypto::soft::cpu::aesni {
namespace {

std::vector<uint8_t> hex(const std::string &h) {
    std::vector<uint8_t> v(h.size() / 2);
    for (size_t i = 0; i < v.size(); ++i)
        v[i] = static_cast<uint8_t>(std::stoi(h.substr(2 * i, 2), nullptr, 16));
    return v;
}

/// SP 800-38A's four plaintext blocks (appendix F).
constexpr const char *kSp800Plain = "6bc1bee22e409f96e93d7e117393172a"
                                    "ae2d8a571e03ac9c9eb76fac45af8e51"
                                    "30c81c46a35ce411e5fbc1191a0a52ef"
                                    "f69f2445df4f9b17ad2b417be66c3710";

class AesNi : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!available()) GTEST_SKIP() << "no AES-NI here (or ACRYPTO_CPU_NO_AESNI set)";
    }
};

TEST_F(AesNi, Fips197KnownAnswers) {
    struct Case {
        const char *key, *ct;
    };
    const Case cases[] = {
        {"000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"},
        {"000102030405060708090a0b0c0d0e0f1011121314151617", "dda97ca4864cdfe06eaf70a0ec0d7191"},
        {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
         "8ea2b7ca516745bfeafc49904b496089"},
    };
    const std::vector<uint8_t> pt = hex("00112233445566778899aabbccddeeff");
    for (const Case &c : cases) {
        const std::vector<uint8_t> key = hex(c.key);
        Schedule s;
        ASSERT_TRUE(expand(s, key.data(), key.size()));
        EXPECT_EQ(s.rounds, static_cast<int>(key.size() / 4 + 6));
        std::vector<uint8_t> out(16), back(16);
        ecb(s, true, pt.data(), out.data(), 16);
        EXPECT_EQ(out, hex(c.ct)) << c.key;
        ecb(s, false, out.data(), back.data(), 16);
        EXPECT_EQ(back, pt) << c.key;
    }
}

TEST_F(AesNi, Sp800_38aCbcKnownAnswers) {
    // SP 800-38A F.2.1 / F.2.2 (AES-128) and F.2.5 / F.2.6 (AES-256), all four blocks.
    const std::vector<uint8_t> iv0 = hex("000102030405060708090a0b0c0d0e0f");
    const std::vector<uint8_t> pt = hex(kSp800Plain);
    struct Case {
        const char *key, *ct;
    };
    const Case cases[] = {
        {"2b7e151628aed2a6abf7158809cf4f3c", "7649abac8119b246cee98e9b12e9197d"
                                             "5086cb9b507219ee95db113a917678b2"
                                             "73bed6b8e3c1743b7116e69e22229516"
                                             "3ff1caa1681fac09120eca307586e1a7"},
        {"603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
         "f58c4c04d6e5f1ba779eabfb5f7bfbd6"
         "9cfc4e967edb808d679f777bc6702c7d"
         "39f23369a9d9bacfa530e26304231461"
         "b2eb05e2c39be9fcda6c19078c6a9d1b"},
    };
    for (const Case &c : cases) {
        const std::vector<uint8_t> key = hex(c.key);
        Schedule s;
        ASSERT_TRUE(expand(s, key.data(), key.size()));
        std::vector<uint8_t> buf = pt;
        uint8_t iv[16];
        std::memcpy(iv, iv0.data(), 16);
        cbc(s, true, buf.data(), buf.data(), buf.size(), iv);
        EXPECT_EQ(buf, hex(c.ct)) << c.key;
        EXPECT_EQ(0, std::memcmp(iv, buf.data() + 48, 16)) << "iv holds the last ciphertext block";
        std::memcpy(iv, iv0.data(), 16);
        cbc(s, false, buf.data(), buf.data(), buf.size(), iv);
        EXPECT_EQ(buf, pt) << c.key;
        EXPECT_EQ(0, std::memcmp(iv, hex(c.ct).data() + 48, 16));
    }
}

TEST_F(AesNi, Sp800_38aCtrKnownAnswer) {
    // SP 800-38A F.5.1 (CTR-AES128.Encrypt), cut into pieces that end inside blocks.
    const std::vector<uint8_t> key = hex("2b7e151628aed2a6abf7158809cf4f3c");
    const std::vector<uint8_t> pt = hex(kSp800Plain);
    const std::vector<uint8_t> ct = hex("874d6191b620e3261bef6864990db6ce"
                                        "9806f66b7970fdff8617187bb9fffdff"
                                        "5ae4df3edbd5d35e5b4f09020db03eab"
                                        "1e031dda2fbe03d1792170a0f3009cee");
    Schedule s;
    ASSERT_TRUE(expand(s, key.data(), key.size()));
    std::vector<uint8_t> buf = pt, iv = hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
    uint32_t num = 0;
    size_t off = 0;
    for (size_t piece : {5, 11, 16, 1, 30, 1}) {
        ctr(s, buf.data() + off, buf.data() + off, piece, iv.data(), &num);
        off += piece;
        EXPECT_EQ(num, off % 16);
    }
    EXPECT_EQ(buf, ct);
    // Four blocks on from ..feff: ..ff03.
    EXPECT_EQ(iv, hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdff03"));
}

TEST_F(AesNi, CtrCarriesAcrossTheWholeCounter) {
    std::vector<uint8_t> key(32);
    RAND_bytes(key.data(), static_cast<int>(key.size()));
    Schedule s;
    ASSERT_TRUE(expand(s, key.data(), key.size()));
    // The low 64 bits run over (and, in the last case, all 128).
    for (const char *start :
         {"0011223344556677fffffffffffffffa", "fffffffffffffffffffffffffffffffd"}) {
        const std::vector<uint8_t> iv0 = hex(start), in = [] {
            std::vector<uint8_t> v(16 * 20 + 7);
            RAND_bytes(v.data(), static_cast<int>(v.size()));
            return v;
        }();
        const std::vector<uint8_t> want = test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
                                                                 ACRYPTO_DIR_ENCRYPT, key, iv0, in);
        std::vector<uint8_t> out(in.size()), iv = iv0;
        uint32_t num = 0;
        for (size_t off = 0, piece = 3; off < in.size();
             off += piece, piece = piece * 3 % 157 + 1) {
            piece = std::min(piece, in.size() - off);
            ctr(s, in.data() + off, out.data() + off, piece, iv.data(), &num);
        }
        EXPECT_EQ(out, want) << start;
    }
}

TEST_F(AesNi, CtrMatchesTheDefaultProviderInOneCallAtEverySize) {
    // One call per message, so whole 8-block groups go down the VAES path where
    // the CPU has it; counters whose low 32 or 64 bits (or all 128) run over
    // inside the message take the block-by-block path at the right moment.
    for (size_t klen : {16, 24, 32}) {
        std::vector<uint8_t> key(klen);
        RAND_bytes(key.data(), static_cast<int>(key.size()));
        Schedule s;
        ASSERT_TRUE(expand(s, key.data(), key.size()));
        for (const char *start :
             {"", "00112233445566778899aabbfffffff0", "0011223344556677ffffffffffffff00",
              "fffffffffffffffffffffffffffffff9"}) {
            for (size_t len : {16, 100, 127, 128, 129, 255, 256, 1000, 4096, 4111, 16400}) {
                std::vector<uint8_t> iv0 = hex(start);
                if (iv0.empty()) {
                    iv0.resize(16);
                    RAND_bytes(iv0.data(), 16);
                }
                // The message, then 40 bytes more in a second call: the counter
                // and `num` must be left where the first call ended.
                std::vector<uint8_t> in(len + 40);
                RAND_bytes(in.data(), static_cast<int>(in.size()));
                const std::vector<uint8_t> want = test::reference_cipher(
                    ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key, iv0, in);
                for (bool in_place : {true, false}) {
                    std::vector<uint8_t> buf = in, out(in.size()), iv = iv0;
                    uint32_t num = 0;
                    uint8_t *dst = in_place ? buf.data() : out.data();
                    ctr(s, buf.data(), dst, len, iv.data(), &num);
                    EXPECT_EQ(num, len % 16);
                    ctr(s, buf.data() + len, dst + len, 40, iv.data(), &num);
                    EXPECT_EQ(in_place ? buf : out, want)
                        << "AES-" << klen * 8 << "-CTR " << len << " from "
                        << (start[0] ? start : "random") << (in_place ? " in place" : "");
                }
            }
        }
    }
}

TEST_F(AesNi, Ieee1619XtsKnownAnswer) {
    // IEEE 1619-2007 XTS-AES-128 vector 1 (both keys zero, data unit 0, 32 zero bytes).
    const uint8_t zero_key[16] = {}, tweak[16] = {};
    Schedule k1, k2;
    ASSERT_TRUE(expand(k1, zero_key, sizeof zero_key));
    ASSERT_TRUE(expand(k2, zero_key, sizeof zero_key));
    std::vector<uint8_t> buf(32, 0);
    xts(k1, k2, true, buf.data(), buf.data(), buf.size(), tweak);
    EXPECT_EQ(buf, hex("917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e"));
    xts(k1, k2, false, buf.data(), buf.data(), buf.size(), tweak);
    EXPECT_EQ(buf, std::vector<uint8_t>(32, 0));
}

TEST_F(AesNi, BadKeyLengthsAreRefused) {
    const uint8_t key[33] = {};
    Schedule s;
    for (size_t len : {0, 8, 15, 17, 20, 31, 33}) EXPECT_FALSE(expand(s, key, len)) << len;
}

TEST_F(AesNi, MatchesTheDefaultProviderAtEverySize) {
    const char *names[3][2] = {{"AES-128-ECB", "AES-128-CBC"},
                               {"AES-192-ECB", "AES-192-CBC"},
                               {"AES-256-ECB", "AES-256-CBC"}};
    for (size_t ki = 0; ki < 3; ++ki) {
        std::vector<uint8_t> key(16 + 8 * ki);
        RAND_bytes(key.data(), static_cast<int>(key.size()));
        Schedule s;
        ASSERT_TRUE(expand(s, key.data(), key.size()));
        for (size_t blocks : {1, 2, 7, 8, 9, 15, 16, 17, 64, 1025}) {
            std::vector<uint8_t> in(16 * blocks);
            RAND_bytes(in.data(), static_cast<int>(in.size()));
            uint8_t iv0[16];
            RAND_bytes(iv0, sizeof iv0);
            for (int mode = 0; mode < 2; ++mode) {
                for (bool enc : {true, false}) {
                    const std::vector<uint8_t> want = test::reference_cipher(
                        ACRYPTO_ALG_AES, mode ? ACRYPTO_MODE_CBC : ACRYPTO_MODE_ECB,
                        enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT, key,
                        std::span<const uint8_t>(iv0, mode ? 16 : 0), in);
                    for (bool in_place : {true, false}) {
                        std::vector<uint8_t> buf = in, out(in.size());
                        uint8_t *dst = in_place ? buf.data() : out.data();
                        uint8_t iv[16];
                        std::memcpy(iv, iv0, 16);
                        if (mode)
                            cbc(s, enc, buf.data(), dst, in.size(), iv);
                        else
                            ecb(s, enc, buf.data(), dst, in.size());
                        EXPECT_EQ(in_place ? buf : out, want)
                            << names[ki][mode] << (enc ? " enc " : " dec ") << blocks
                            << (in_place ? " in place" : " out of place");
                        if (mode) {
                            const uint8_t *last = (enc ? want.data() : in.data()) + in.size() - 16;
                            EXPECT_EQ(0, std::memcmp(iv, last, 16)) << "chained IV";
                        }
                    }
                }
            }
        }
    }
}

TEST_F(AesNi, XtsMatchesTheDefaultProviderAtEverySize) {
    // Lengths across the 8-block groups (the VAES path takes whole groups, the
    // rest and any stolen tail go block by block), with and without stealing.
    for (size_t half : {16, 32}) {
        std::vector<uint8_t> key(2 * half);
        RAND_bytes(key.data(), static_cast<int>(key.size()));
        key[half] ^= 1; // the two halves differ, as the library requires
        Schedule k1, k2;
        ASSERT_TRUE(expand(k1, key.data(), half));
        ASSERT_TRUE(expand(k2, key.data() + half, half));
        for (size_t len :
             {16, 17, 31, 127, 128, 129, 143, 144, 255, 256, 257, 1000, 4096, 4111, 16400}) {
            std::vector<uint8_t> in(len);
            RAND_bytes(in.data(), static_cast<int>(in.size()));
            uint8_t tweak[16];
            RAND_bytes(tweak, sizeof tweak);
            for (bool enc : {true, false}) {
                const std::vector<uint8_t> want =
                    test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS,
                                           enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT, key,
                                           std::span<const uint8_t>(tweak, 16), in);
                ASSERT_EQ(want.size(), len);
                for (bool in_place : {true, false}) {
                    std::vector<uint8_t> buf = in, out(in.size());
                    uint8_t *dst = in_place ? buf.data() : out.data();
                    xts(k1, k2, enc, buf.data(), dst, len, tweak);
                    EXPECT_EQ(in_place ? buf : out, want)
                        << "AES-" << half * 8 << "-XTS " << (enc ? "enc " : "dec ") << len
                        << (in_place ? " in place" : " out of place");
                }
            }
        }
    }
}

TEST(AesNiSwitch, TheEnvironmentTurnsItOff) {
    // Checked once per process: this test binary also runs with the variable set
    // (the cpu.noaesni. tests), where the kernels take their EVP contexts.
    if (std::getenv("ACRYPTO_CPU_NO_AESNI") == nullptr) GTEST_SKIP() << "variable not set";
    EXPECT_FALSE(available());
    Schedule s;
    const uint8_t key[16] = {};
    EXPECT_FALSE(expand(s, key, sizeof key));
}

} // namespace
} // namespace acrypto::soft::cpu::aesni
