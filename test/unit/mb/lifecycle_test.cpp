// SPDX-License-Identifier: Apache-2.0
// Open/close, key_free, the plugin .so, and sessions the device must refuse.
#include <gtest/gtest.h>

#include "mb_test_util.hpp"
#include "reference.hpp"

namespace acrypto::soft::mb::testing {
namespace {

using acrypto::test::pattern_bytes;

TEST(MbLifecycle, CloseWithWorkInFlightCompletesEachSessionOnce) {
    auto h = open_mb({{"linger-us", "100"}});
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<OwnedSession>> batch;
    for (int i = 0; i < 300; ++i) {
        Bytes key = pattern_bytes(16, i), iv = pattern_bytes(16, i + 1),
              in = pattern_bytes(16384, i + 2);
        batch.push_back(acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                                   ACRYPTO_DIR_ENCRYPT, key, iv, in));
        h->enqueue(batch.back()->get());
    }
    h->kick();
    h->close();
    EXPECT_EQ(h->violations(), "");
    EXPECT_EQ(h->duplicate_completions(), 0u);
    EXPECT_EQ(h->total_completions(), batch.size());
    for (auto &s : batch) {
        int st = h->status_of(s->get());
        EXPECT_TRUE(st == ACRYPTO_OK || st == ACRYPTO_E_SHUTDOWN) << st;
    }
}

TEST(MbLifecycle, OpenAndCloseRepeatedly) {
    for (int i = 0; i < 20; ++i) {
        auto h = open_mb({{"workers", std::to_string(1 + i % 3)}});
        ASSERT_TRUE(h);
        if (i % 2) {
            Bytes in = pattern_bytes(100, i);
            auto s = acrypto::test::make_digest(ACRYPTO_ALG_SHA1, in);
            EXPECT_EQ(h->run(*s->get()), ACRYPTO_OK);
        }
        h->close();
    }
}

TEST(MbLifecycle, KeyFreeDropsTheCachedSchedule) {
    auto h = open_mb();
    ASSERT_TRUE(h);
    Bytes key = pattern_bytes(32, 1), iv = pattern_bytes(12, 2), in = pattern_bytes(64, 3);
    auto s = acrypto::test::make_aead(ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, ACRYPTO_DIR_ENCRYPT, key,
                                      iv, {}, in, {}, 16);
    auto t = acrypto::test::make_hmac(ACRYPTO_ALG_SHA384, key, in);
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    ASSERT_EQ(h->run(*t->get()), ACRYPTO_OK);
    EXPECT_EQ(stat(*h, "key_cache_entries"), 2u);
    EXPECT_EQ(stat(*h, "key_builds"), 2u);
    // Same key context again: served from the cache.
    auto s2 = acrypto::test::make_aead(ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, ACRYPTO_DIR_ENCRYPT, key,
                                       iv, {}, in, {}, 16);
    s2->step().key = s->step().key;
    ASSERT_EQ(h->run(*s2->get()), ACRYPTO_OK);
    EXPECT_EQ(stat(*h, "key_builds"), 2u);
    EXPECT_TRUE(s2->output_bytes() == s->output_bytes());
    h->key_free(s->step().key->id);
    EXPECT_EQ(stat(*h, "key_cache_entries"), 1u);
    h->key_free(t->step().key->id);
    EXPECT_EQ(stat(*h, "key_cache_entries"), 0u);
    h->key_free(12345); // unknown ids are fine
}

TEST(MbLifecycle, RefusedSessionsCompleteWithAClearStatus) {
    auto h = open_mb();
    ASSERT_TRUE(h);
    Bytes key = pattern_bytes(16, 1), iv = pattern_bytes(16, 2), in = pattern_bytes(40, 3);
    auto partial = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                              ACRYPTO_DIR_ENCRYPT, key, iv, in);
    EXPECT_EQ(h->run(*partial->get()), ACRYPTO_E_INVALID);
    auto xts = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS, ACRYPTO_DIR_ENCRYPT,
                                          pattern_bytes(32, 4), iv, pattern_bytes(32, 5));
    EXPECT_EQ(h->run(*xts->get()), ACRYPTO_E_UNSUPPORTED);
    auto chunk =
        acrypto::test::make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(64, 6), ACRYPTO_STEP_F_FIRST);
    EXPECT_EQ(h->run(*chunk->get()), ACRYPTO_E_UNSUPPORTED);
    auto badkey = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, ACRYPTO_DIR_ENCRYPT,
                                             pattern_bytes(20, 7), iv, in);
    EXPECT_EQ(h->run(*badkey->get()), ACRYPTO_E_INVALID);
    auto beyond = acrypto::test::make_digest(ACRYPTO_ALG_SHA1, in);
    beyond->get()->cur = 1;
    EXPECT_EQ(h->run(*beyond->get()), ACRYPTO_E_INVALID);
    auto empty = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_DECRYPT,
                                            key, iv, {});
    EXPECT_EQ(h->run(*empty->get()), ACRYPTO_OK);
    EXPECT_EQ(empty->step().out_len, 0u);
    EXPECT_EQ(acrypto::test::to_hex({empty->step().iv, 16}), acrypto::test::to_hex(iv));
    auto huge = acrypto::test::make_hmac(ACRYPTO_ALG_SHA256, key, pattern_bytes(65535, 8));
    EXPECT_EQ(h->run(*huge->get()), ACRYPTO_E_UNSUPPORTED);
    EXPECT_EQ(stat(*h, "errors"), 6u);
}

TEST(MbLifecycle, PluginExportsTheDriver) {
    std::string why;
    auto h = DeviceHarness::open_plugin(ACRYPTO_MB_PLUGIN_PATH, {{"flush-us", "100"}}, 0, &why);
    ASSERT_TRUE(h) << why;
    EXPECT_STREQ(h->driver().name, "mb");
    Bytes in = pattern_bytes(1000, 9);
    auto s = acrypto::test::make_digest(ACRYPTO_ALG_SHA224, in);
    ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
    EXPECT_TRUE(s->output_bytes() == acrypto::test::reference_digest(ACRYPTO_ALG_SHA224, in));
}

} // namespace
} // namespace acrypto::soft::mb::testing
