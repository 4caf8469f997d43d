// SPDX-License-Identifier: Apache-2.0
// Step validation and job layout (white box): what is refused, how CTR is split.
#include <gtest/gtest.h>

#include "acrypto/soft/mb/job.hpp"
#include "session_builder.hpp"

namespace acrypto::soft::mb::testing {
namespace {

using acrypto::test::Bytes;
using acrypto::test::from_hex;

int plan(const acrypto_step &st) {
    Plan p;
    return plan_step(st, &p);
}

TEST(MbPlan, RefusesWhatItCannotRun) {
    Bytes key(16, 1), iv(16, 2), in(32, 3);
    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key,
                                        iv, in);
    acrypto_step st = s->step();
    EXPECT_EQ(plan(st), 0);

    acrypto_step x = st;
    x.mode = ACRYPTO_MODE_XTS;
    EXPECT_EQ(plan(x), ACRYPTO_E_UNSUPPORTED);
    x = st;
    x.mode = ACRYPTO_MODE_ECB;
    EXPECT_EQ(plan(x), ACRYPTO_E_UNSUPPORTED);
    x = st;
    x.op = ACRYPTO_OP_RAND;
    EXPECT_EQ(plan(x), ACRYPTO_E_UNSUPPORTED);
    x = st;
    x.src_len = 31;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.dst_len = 16;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.iv_len = 12;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.dir = 0;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    acrypto_key bad = *st.key;
    bad.len = 20;
    x = st;
    x.key = &bad;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.key = nullptr;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.src_len = 0;
    EXPECT_EQ(plan(x), kNoWork);
}

TEST(MbPlan, DigestsAreOneShotOnly) {
    Bytes in(10, 4);
    auto s = acrypto::test::make_digest(ACRYPTO_ALG_SHA256, in);
    acrypto_step st = s->step();
    EXPECT_EQ(plan(st), 0);
    acrypto_step x = st;
    x.flags = ACRYPTO_STEP_F_FIRST;
    EXPECT_EQ(plan(x), ACRYPTO_E_UNSUPPORTED);
    x.flags = ACRYPTO_STEP_F_FINAL;
    EXPECT_EQ(plan(x), ACRYPTO_E_UNSUPPORTED);
    x = st;
    x.alg = ACRYPTO_ALG_MD5;
    EXPECT_EQ(plan(x), ACRYPTO_E_UNSUPPORTED);
    x = st;
    x.dst_len = 31;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
}

TEST(MbPlan, AeadParameters) {
    Bytes key(16, 1), iv(12, 2), in(20, 3);
    auto s = acrypto::test::make_aead(ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, ACRYPTO_DIR_ENCRYPT, key,
                                      iv, {}, in, {}, 16);
    acrypto_step st = s->step();
    EXPECT_EQ(plan(st), 0);
    acrypto_step x = st;
    x.tag_len = 0;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x.tag_len = 17;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.iv_len = 0;
    EXPECT_EQ(plan(x), ACRYPTO_E_INVALID);
    x = st;
    x.src_len = 0;
    EXPECT_EQ(plan(x), 0) << "an empty GCM message still has a tag";
}

Slot ctr_slot(acrypto_step &st) {
    Slot slot;
    slot.step = &st;
    EXPECT_EQ(plan_step(st, &slot.plan), 0);
    prepare_parts(slot);
    return slot;
}

TEST(MbCtrLayout, SplitsWhereTheLow32BitsWrap) {
    Bytes key(16, 1), in(100, 3);
    Bytes iv = from_hex("0000000000000000000000fffffffffe");
    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key,
                                        iv, in);
    Slot slot = ctr_slot(s->step());
    ASSERT_EQ(slot.nparts, 2);
    EXPECT_EQ(slot.parts[0], Part::CtrBody1);
    EXPECT_EQ(slot.parts[1], Part::CtrBody2);
    EXPECT_EQ(slot.body1_len, 32u);
    EXPECT_EQ(acrypto::test::to_hex({slot.ctr_body2, 16}), "00000000000000000000010000000000");
}

TEST(MbCtrLayout, NoSplitWhenTheRunEndsAtTheWrap) {
    Bytes key(16, 1), in(32, 3);
    Bytes iv = from_hex("0000000000000000000000fffffffffe");
    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key,
                                        iv, in);
    Slot slot = ctr_slot(s->step());
    EXPECT_EQ(slot.nparts, 1);
}

TEST(MbCtrLayout, PartialBlockFirst) {
    Bytes key(16, 1), in(3, 3);
    Bytes iv = from_hex("00000000000000000000000000000010");
    auto s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT, key,
                                        iv, in);
    s->step().num = 5;
    Slot slot = ctr_slot(s->step());
    ASSERT_EQ(slot.nparts, 1);
    EXPECT_EQ(slot.parts[0], Part::CtrHead);
    EXPECT_EQ(slot.head_len, 3u);
    EXPECT_EQ(acrypto::test::to_hex({slot.ctr_head, 16}), "0000000000000000000000000000000f");
}

} // namespace
} // namespace acrypto::soft::mb::testing
