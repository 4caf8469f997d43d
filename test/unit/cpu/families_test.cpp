// SPDX-License-Identifier: Apache-2.0
// cpu families run directly on an ExecCtx: key caching, continuation edge cases, rejections.
#include <gtest/gtest.h>

#include "exec_cipher.hpp"
#include "exec_digest.hpp"
#include "exec_mac.hpp"
#include "exec_rand.hpp"
#include "reference.hpp"
#include "session_builder.hpp"

namespace acrypto::soft::cpu {
namespace {

using test::Bytes;
using test::make_cipher;
using test::pattern_bytes;

class Families : public ::testing::Test {
  protected:
    CryptoLib lib_;
    ExecCtx ctx_{lib_};
    int run(const Family &f, test::OwnedSession &s) { return f.exec(ctx_, s.s, 0); }
};

TEST_F(Families, ListIsConsistent) {
    ASSERT_GT(kFamilyCount, 3u);
    for (size_t i = 0; i < kFamilyCount; ++i) {
        ASSERT_NE(kFamilies[i]->name, nullptr);
        EXPECT_GT(kFamilies[i]->ncaps, 0u) << kFamilies[i]->name;
        EXPECT_NE(kFamilies[i]->exec, nullptr) << kFamilies[i]->name;
    }
}

TEST_F(Families, CipherKeyScheduleCachedPerKeyAndDirection) {
    const Bytes key = pattern_bytes(32, 1), iv = pattern_bytes(16, 2), in = pattern_bytes(64, 3);
    auto e = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    ASSERT_EQ(run(kCipherFamily, *e), ACRYPTO_OK);
    EXPECT_EQ(ctx_.key_entries(), 1u);
    // Same key again (same id): cached entry reused, result still right.
    e->set_input(0, in);
    std::copy(iv.begin(), iv.end(), e->step().iv);
    ASSERT_EQ(run(kCipherFamily, *e), ACRYPTO_OK);
    EXPECT_EQ(ctx_.key_entries(), 1u);
    EXPECT_EQ(e->output_bytes(), test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                                        ACRYPTO_DIR_ENCRYPT, key, iv, in));
    // The decrypt direction of the same key is a second schedule.
    Bytes ct = e->output_bytes();
    e->step().dir = ACRYPTO_DIR_DECRYPT;
    e->set_input(0, ct);
    std::copy(iv.begin(), iv.end(), e->step().iv);
    ASSERT_EQ(run(kCipherFamily, *e), ACRYPTO_OK);
    EXPECT_EQ(e->output_bytes(), in);
    EXPECT_EQ(ctx_.key_entries(), 2u);
    ctx_.drop_key(e->keys[0].id);
    EXPECT_EQ(ctx_.key_find(e->keys[0].id, 0), nullptr);
    EXPECT_EQ(ctx_.key_entries(), 0u);
}

TEST_F(Families, StreamModesContinueAtEveryByteOffset) {
    // Split a 48-byte message at every offset: chunk 1 leaves num mid-block and
    // chunk 2 must pick the keystream up where it stopped.
    for (uint32_t mode : {ACRYPTO_MODE_CTR, ACRYPTO_MODE_CFB, ACRYPTO_MODE_OFB}) {
        for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
            const Bytes key = pattern_bytes(16, mode), in = pattern_bytes(48, dir);
            Bytes iv = pattern_bytes(16, 9);
            if (mode == ACRYPTO_MODE_CTR) std::fill(iv.begin() + 8, iv.end(), 0xff); // carry
            const Bytes want = test::reference_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv, in);
            for (size_t cut = 0; cut <= 48; ++cut) {
                auto s = make_cipher(ACRYPTO_ALG_AES, mode, dir, key, iv, {in.data(), cut});
                ASSERT_EQ(run(kCipherFamily, *s), ACRYPTO_OK);
                Bytes got = s->output_bytes();
                s->set_input(0, {in.data() + cut, 48 - cut});
                ASSERT_EQ(run(kCipherFamily, *s), ACRYPTO_OK);
                auto o = s->output();
                got.insert(got.end(), o.begin(), o.end());
                ASSERT_EQ(test::to_hex(got), test::to_hex(want))
                    << "mode " << mode << " dir " << dir << " cut " << cut;
            }
        }
    }
}

TEST_F(Families, CipherRejectsBadSteps) {
    const Bytes key = pattern_bytes(16, 1), iv = pattern_bytes(16, 2), in = pattern_bytes(32, 3);
    auto s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    s->step().src = s->step().dst + 1; // partial overlap
    EXPECT_EQ(run(kCipherFamily, *s), ACRYPTO_E_INVALID);
    auto k = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                         pattern_bytes(20, 1), iv, in);
    EXPECT_EQ(run(kCipherFamily, *k), ACRYPTO_E_INVALID);
    auto n = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    n->step().num = 16;
    EXPECT_EQ(run(kCipherFamily, *n), ACRYPTO_E_INVALID);
    auto m = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    EXPECT_EQ(run(kCipherFamily, *m), ACRYPTO_E_UNSUPPORTED);
}

TEST_F(Families, UncacheableKeyIdZeroStillWorks) {
    const Bytes key = pattern_bytes(24, 1), iv = pattern_bytes(16, 2), in = pattern_bytes(80, 3);
    auto s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key, iv, in);
    s->keys[0].id = 0;
    ASSERT_EQ(run(kCipherFamily, *s), ACRYPTO_OK);
    EXPECT_EQ(ctx_.key_entries(), 0u);
    EXPECT_EQ(s->output_bytes(), test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
                                                        ACRYPTO_DIR_ENCRYPT, key, iv, in));
    auto h = test::make_hmac(ACRYPTO_ALG_SHA384, key, in);
    h->keys[0].id = 0;
    ASSERT_EQ(run(kMacFamily, *h), ACRYPTO_OK);
    EXPECT_EQ(h->output_bytes(), test::reference_hmac(ACRYPTO_ALG_SHA384, key, in));
}

TEST_F(Families, DigestNonFinalChunkMustBeWholeBlocks) {
    auto s = test::make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(65, 1), ACRYPTO_STEP_F_FIRST);
    EXPECT_EQ(run(kDigestFamily, *s), ACRYPTO_E_INVALID);
    auto t = test::make_digest(ACRYPTO_ALG_SHA512, pattern_bytes(256, 1), ACRYPTO_STEP_F_FIRST);
    ASSERT_EQ(run(kDigestFamily, *t), ACRYPTO_OK);
    EXPECT_EQ(t->step().state_len, 256u);
    EXPECT_EQ(t->step().out_len, 0u);
    EXPECT_EQ(test::to_hex({t->step().state, 64}), test::to_hex(test::reference_digest_state(
                                                       ACRYPTO_ALG_SHA512, pattern_bytes(256, 1))));
    auto u = test::make_digest(ACRYPTO_ALG_SHA1, pattern_bytes(10, 1), ACRYPTO_STEP_F_FINAL);
    u->step().state_len = 10; // not on a block boundary
    EXPECT_EQ(run(kDigestFamily, *u), ACRYPTO_E_INVALID);
}

TEST_F(Families, HmacPadsCachedAndDroppedWithTheKey) {
    const Bytes key = pattern_bytes(200, 4), in = pattern_bytes(100, 5);
    auto h = test::make_hmac(ACRYPTO_ALG_SHA1, key, in);
    ASSERT_EQ(run(kMacFamily, *h), ACRYPTO_OK);
    EXPECT_EQ(h->output_bytes(), test::reference_hmac(ACRYPTO_ALG_SHA1, key, in));
    EXPECT_EQ(ctx_.key_entries(), 1u);
    ctx_.drop_key(h->keys[0].id);
    h->set_input(0, in, {}, 20);
    ASSERT_EQ(run(kMacFamily, *h), ACRYPTO_OK); // rebuilt from the key bytes
    EXPECT_EQ(h->output_bytes(), test::reference_hmac(ACRYPTO_ALG_SHA1, key, in));
}

TEST_F(Families, RandFillsExactly) {
    auto r = test::make_rand(333);
    ASSERT_EQ(run(kRandFamily, *r), ACRYPTO_OK);
    EXPECT_EQ(r->step().out_len, 333u);
    auto q = test::make_rand(333);
    ASSERT_EQ(run(kRandFamily, *q), ACRYPTO_OK);
    EXPECT_NE(r->output_bytes(), q->output_bytes());
}

} // namespace
} // namespace acrypto::soft::cpu
