// SPDX-License-Identifier: Apache-2.0
// Command encoding (§4.1-§4.4) and result validation (§4.6, §7.7) as pure functions.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "command.hpp"
#include "regs.hpp"

using namespace acrypto::hw::hifn;
using namespace acrypto::hw::hifn::regs;

namespace {
uint16_t w(const uint8_t *p, size_t off) { return static_cast<uint16_t>(p[off] | p[off + 1] << 8); }
} // namespace

TEST(Command, EncodesAesCbcWithKeyAndIv) {
    uint8_t key[32], iv[16], out[kMaxCommandBytes];
    for (int i = 0; i < 32; ++i) key[i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 16; ++i) iv[i] = static_cast<uint8_t>(0xA0 + i);
    CommandSpec s;
    s.crypt = true;
    s.decode = true;
    s.crypt_alg = HIFN_CRYPT_CMD_ALG_AES;
    s.crypt_mode = HIFN_CRYPT_CMD_MODE_CBC;
    s.key = {key, 24};
    s.iv = {iv, 16};
    s.src_len = 0x2FFF0;
    s.dst_len = 0x2FFF0;
    size_t n = encode_command(s, out);
    ASSERT_EQ(n, 8u + 8 + 24 + 16);
    EXPECT_EQ(w(out, 0), HIFN_BASE_CMD_CRYPT | HIFN_BASE_CMD_DECODE);
    EXPECT_EQ(w(out, 2), (2u << 12) | (2u << 14)) << "length bits 17:16 of dst and src";
    EXPECT_EQ(w(out, 4), 0xFFF0);
    EXPECT_EQ(w(out, 6), 0xFFF0);
    EXPECT_EQ(w(out, 8), HIFN_CRYPT_CMD_ALG_AES | HIFN_CRYPT_CMD_MODE_CBC | HIFN_CRYPT_CMD_KSZ_192 |
                             HIFN_CRYPT_CMD_NEW_KEY | HIFN_CRYPT_CMD_NEW_IV | (2u << 14));
    EXPECT_EQ(w(out, 12), 0xFFF0);
    EXPECT_EQ(0, memcmp(out + 16, key, 24));
    EXPECT_EQ(0, memcmp(out + 40, iv, 16));
}

TEST(Command, EncodesFusedHmacAndBareHash) {
    uint8_t key[8] = {1, 2, 3, 4, 5, 6, 7, 8}, mk[20] = {9}, out[kMaxCommandBytes];
    CommandSpec s;
    s.crypt = s.mac = true;
    s.crypt_alg = HIFN_CRYPT_CMD_ALG_DES;
    s.crypt_mode = HIFN_CRYPT_CMD_MODE_ECB;
    s.key = {key, 8};
    s.mac_hmac = true;
    s.mac_key = {mk, 20};
    s.src_len = s.dst_len = 64;
    ASSERT_EQ(encode_command(s, out), 8u + 8 + 8 + 64 + 8) << "ECB sends no IV";
    EXPECT_EQ(w(out, 8), HIFN_MAC_CMD_ALG_SHA1 | HIFN_MAC_CMD_MODE_HMAC | HIFN_MAC_CMD_RESULT |
                             HIFN_MAC_CMD_POS_IPSEC | HIFN_MAC_CMD_NEW_KEY);
    EXPECT_EQ(out[24], 9) << "MAC key after base, MAC and crypt commands";
    EXPECT_EQ(out[24 + 20], 0) << "MAC key zero padded to 64";
    EXPECT_EQ(out[88], 1) << "cipher key after the MAC key";
    ResultLayout l = result_layout(s);
    EXPECT_EQ(l.mac, 12u);
    EXPECT_EQ(l.mac_len, 20u);
    EXPECT_EQ(l.crypt_flags, 32u);
    EXPECT_EQ(l.size, 36u);

    CommandSpec h;
    h.mac = true;
    h.mac_md5 = true;
    h.src_len = 3;
    h.dst_len = 4;
    ASSERT_EQ(encode_command(h, out), 16u);
    EXPECT_EQ(w(out, 8), HIFN_MAC_CMD_ALG_MD5 | HIFN_MAC_CMD_MODE_HASH | HIFN_MAC_CMD_RESULT);
    EXPECT_EQ(result_layout(h).size, 28u);
}

TEST(Command, RefusesImpossibleSpecs) {
    uint8_t key[32] = {}, out[kMaxCommandBytes];
    CommandSpec s;
    s.crypt = true;
    s.crypt_alg = HIFN_CRYPT_CMD_ALG_AES;
    s.crypt_mode = HIFN_CRYPT_CMD_MODE_ECB;
    s.key = {key, 20};
    EXPECT_EQ(encode_command(s, out), 0u) << "AES-160";
    s.key = {key, 16};
    s.src_len = HIFN_MAX_LENGTH + 1;
    EXPECT_EQ(encode_command(s, out), 0u) << "19-bit length";
    s.src_len = 16;
    s.crypt_mode = HIFN_CRYPT_CMD_MODE_CBC;
    EXPECT_EQ(encode_command(s, out), 0u) << "CBC without an IV";
}

namespace {
std::vector<uint8_t> record(uint16_t flags, uint32_t dst_res, uint32_t src_res, size_t size) {
    std::vector<uint8_t> r(36, 0);
    r[0] = flags & 0xFF;
    r[1] = flags >> 8;
    uint16_t w1 = static_cast<uint16_t>(((dst_res >> 16) & 3) << 12 | ((src_res >> 16) & 3) << 14);
    r[2] = w1 & 0xFF;
    r[3] = w1 >> 8;
    r[4] = src_res & 0xFF;
    r[5] = (src_res >> 8) & 0xFF;
    r[6] = dst_res & 0xFF;
    r[7] = (dst_res >> 8) & 0xFF;
    r.resize(size);
    return r;
}
} // namespace

TEST(Command, ResultChecksResidualsAndFlags) {
    CommandSpec s;
    s.crypt = true;
    s.src_len = 64;
    s.dst_len = 64;
    auto ok = record(0, 0, 0, 36);
    EXPECT_EQ(check_result(s, ok, 64, 64).status, ResultStatus::Ok);
    EXPECT_EQ(check_result(s, record(0, 4, 0, 36), 64, 64).status, ResultStatus::Hostile)
        << "cipher output must equal input";
    EXPECT_EQ(check_result(s, record(0, 65, 0, 36), 0, 64).status, ResultStatus::Hostile)
        << "residual above what was posted";
    EXPECT_EQ(check_result(s, record(HIFN_BASE_RES_DSTOVERRUN, 0, 0, 36), 64, 64).status,
              ResultStatus::DstOverrun);
    EXPECT_EQ(check_result(s, record(HIFN_PUISR_CMDINVAL, 64, 0, 36), 64, 64).status,
              ResultStatus::CommandError);
    EXPECT_EQ(check_result(s, record(0x0001, 0, 0, 36), 64, 64).status, ResultStatus::Hostile)
        << "reserved flag";
    EXPECT_EQ(check_result(s, record(0, 0, 8, 36), 64, 64).status, ResultStatus::SourceLeft);
    auto crypt_flag = ok;
    crypt_flag[8] = 1;
    EXPECT_EQ(check_result(s, crypt_flag, 64, 64).status, ResultStatus::SourceLeft);
    crypt_flag[8] = 4;
    EXPECT_EQ(check_result(s, crypt_flag, 64, 64).status, ResultStatus::Hostile);
    auto echo = record(0, 0, 0, 36);
    s.session = 5;
    echo[2] = 5;
    EXPECT_EQ(check_result(s, echo, 64, 64).status, ResultStatus::Ok) << "echoed session";
    echo[2] = 6;
    EXPECT_EQ(check_result(s, echo, 64, 64).status, ResultStatus::Hostile) << "wrong session";
    s.session = 0;
    std::vector<uint8_t> poison(36, 0xFF);
    EXPECT_EQ(check_result(s, poison, 64, 64).status, ResultStatus::Hostile)
        << "an unwritten (poisoned) record";
    EXPECT_EQ(check_result(s, std::vector<uint8_t>(4, 0), 64, 64).status, ResultStatus::Hostile);
}

TEST(Command, ResultChecksMacSection) {
    CommandSpec s;
    s.mac = true;
    s.src_len = 5;
    s.dst_len = 8;
    auto r = record(0, 0, 0, 36);
    EXPECT_EQ(check_result(s, r, 5, 8).status, ResultStatus::Ok);
    auto r2 = record(0, 3, 0, 36);
    auto c = check_result(s, r2, 5, 8);
    EXPECT_EQ(c.status, ResultStatus::Ok);
    EXPECT_EQ(c.out_len, 5u);
    r[8] = HIFN_MAC_RES_MISCOMPARE;
    EXPECT_EQ(check_result(s, r, 5, 8).status, ResultStatus::MacError);
    r[8] = 0x80;
    EXPECT_EQ(check_result(s, r, 5, 8).status, ResultStatus::Hostile);
}

TEST(Command, RandomRecordsNeverPassUnlessConsistent) {
    // A hostile device writes anything: whatever check_result accepts must be
    // self-consistent (out_len within bounds, no reserved bits).
    std::mt19937 rng(7);
    CommandSpec s;
    s.crypt = s.mac = true;
    s.src_len = s.dst_len = 256;
    int accepted = 0;
    for (int i = 0; i < 200000; ++i) {
        std::vector<uint8_t> r(36);
        for (auto &b : r) b = static_cast<uint8_t>(rng() & (i % 3 == 0 ? 0x01 : 0xFF));
        auto c = check_result(s, r, 256, 256);
        if (c.status == ResultStatus::Ok) {
            ++accepted;
            EXPECT_EQ(c.out_len, 256u);
            EXPECT_EQ(r[0] | r[1] | r[8] | r[9] | r[32] | r[33], 0);
        }
    }
    EXPECT_LT(accepted, 200000);
}
