// SPDX-License-Identifier: Apache-2.0
// keygen=1 schedule layout (spec §9.2 test 10) and control words, checked against libcrypto.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <gtest/gtest.h>

#include <openssl/aes.h>

#include "key_schedule.hpp"
#include "test_util.hpp"

namespace acrypto::hw::padlock {
namespace {

using test::hex;
using test::unhex;

TEST(KeySchedule, Aes128ForwardAndDecryptLayout) {
    const auto key = unhex("2b7e151628aed2a6abf7158809cf4f3c");
    uint8_t fwd[256] = {}, dec[256] = {};
    aes_expand_forward(key.data(), 16, fwd);
    aes_expand_decrypt(key.data(), 16, dec);
    EXPECT_EQ(hex(fwd + 16, 16), "a0fafe1788542cb123a339392a6c7605");
    EXPECT_EQ(hex(fwd + 160, 16), "d014f9a8c9ee2589e13f0cc8b6630ca6");
    EXPECT_EQ(hex(dec, 16), "d014f9a8c9ee2589e13f0cc8b6630ca6");
    EXPECT_EQ(hex(dec + 16, 16), "0c7b5a631319eafeb0398890664cfbb4");
    EXPECT_EQ(hex(dec + 160, 16), "2b7e151628aed2a6abf7158809cf4f3c");
}

TEST(KeySchedule, Aes256LastRoundKey) {
    const auto key = unhex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    uint8_t fwd[256] = {};
    aes_expand_forward(key.data(), 32, fwd);
    EXPECT_EQ(hex(fwd + 14 * 16, 16), "24fc79ccbf0979e9371ac23c6d68de36");
}

// libcrypto keeps big-endian-loaded words in C, little-endian-loaded ones in its x86-64
// assembly: read each word the way word 0 shows.
uint32_t word_as(const uint8_t *p, bool big) {
    return big ? uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]
               : uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0];
}

TEST(KeySchedule, MatchesLibcryptoForEveryKeySize) {
    for (size_t len : {16u, 24u, 32u}) {
        std::vector<uint8_t> key(len);
        for (size_t i = 0; i < len; ++i) key[i] = static_cast<uint8_t>(i * 7 + 3);
        uint8_t fwd[256] = {};
        aes_expand_forward(key.data(), len, fwd);
        AES_KEY ref;
        AES_set_encrypt_key(key.data(), static_cast<int>(len * 8), &ref);
        const uint32_t words = 4 * (aes_rounds(len) + 1);
        const bool big = ref.rd_key[0] == word_as(fwd, true);
        for (uint32_t w = 0; w < words; ++w)
            ASSERT_EQ(word_as(fwd + 4 * w, big), ref.rd_key[w]) << "key " << len << " word " << w;
        uint8_t dec[256] = {};
        aes_expand_decrypt(key.data(), len, dec);
        AES_KEY refd;
        AES_set_decrypt_key(key.data(), static_cast<int>(len * 8), &refd);
        for (uint32_t w = 0; w < words; ++w)
            ASSERT_EQ(word_as(dec + 4 * w, big), refd.rd_key[w]) << "dec key " << len << " w " << w;
        uint8_t back[16];
        aes_inv_mix_columns(fwd + 16, back);
        uint8_t again[16];
        aes_mix_columns(back, again);
        EXPECT_EQ(hex(again, 16), hex(fwd + 16, 16));
    }
}

TEST(KeySchedule, ControlWords) {
    // Ready-made keygen=1 values (spec §3.1).
    EXPECT_EQ(make_control_word(16, true, false), 0x08Au);
    EXPECT_EQ(make_control_word(24, true, false), 0x48Cu);
    EXPECT_EQ(make_control_word(32, true, false), 0x88Eu);
    EXPECT_EQ(make_control_word(32, true, true), 0xA8Eu);
    EXPECT_EQ(make_control_word(16, false, true), 0x20Au);
}

} // namespace
} // namespace acrypto::hw::padlock
