// SPDX-License-Identifier: Apache-2.0
// CryptoLib (private library context) and ExecCtx (key cache, family state) of the cpu device.
#include <gtest/gtest.h>

#include <thread>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "family.hpp"

namespace acrypto::soft::cpu {
namespace {

int g_destroyed = 0;
void count_destroy(void *p) {
    ++g_destroyed;
    delete static_cast<int *>(p);
}

TEST(CryptoLib, PrivateContextWithDefaultOnly) {
    CryptoLib lib;
    ASSERT_TRUE(lib.ok());
    EXPECT_NE(lib.ctx(), nullptr);
    EXPECT_EQ(OSSL_PROVIDER_available(lib.ctx(), "default"), 1);
    EXPECT_EQ(OSSL_PROVIDER_available(lib.ctx(), "legacy"), 0);
    EVP_CIPHER *aes = EVP_CIPHER_fetch(lib.ctx(), "AES-128-CBC", nullptr);
    EXPECT_NE(aes, nullptr);
    EVP_CIPHER_free(aes);
}

TEST(CryptoLib, LegacyOnRequest) {
    CryptoLib lib;
    EXPECT_FALSE(lib.legacy_loaded());
    if (!lib.load_legacy()) GTEST_SKIP() << "legacy provider not installed";
    EXPECT_TRUE(lib.legacy_loaded());
    EXPECT_TRUE(lib.load_legacy()); // idempotent
    EVP_CIPHER *des = EVP_CIPHER_fetch(lib.ctx(), "DES-ECB", nullptr);
    EXPECT_NE(des, nullptr);
    EVP_CIPHER_free(des);
}

TEST(ExecCtx, KeyCachePutFindDrop) {
    CryptoLib lib;
    g_destroyed = 0;
    {
        ExecCtx c(lib);
        EXPECT_EQ(c.key_find(5, 1), nullptr);
        EXPECT_TRUE(c.key_put(5, 1, new int(1), count_destroy));
        EXPECT_TRUE(c.key_put(5, 2, new int(2), count_destroy));
        EXPECT_TRUE(c.key_put(6, 1, new int(3), count_destroy));
        EXPECT_EQ(*static_cast<int *>(c.key_find(5, 2)), 2);
        EXPECT_EQ(c.key_entries(), 3u);
        // Drop from another thread: applied before the owner's next lookup.
        std::thread([&] { c.drop_key(5); }).join();
        EXPECT_EQ(g_destroyed, 0);
        EXPECT_EQ(c.key_find(5, 1), nullptr);
        EXPECT_EQ(g_destroyed, 2);
        EXPECT_NE(c.key_find(6, 1), nullptr);
        // Replacing an entry destroys the old object.
        EXPECT_TRUE(c.key_put(6, 1, new int(4), count_destroy));
        EXPECT_EQ(g_destroyed, 3);
    }
    EXPECT_EQ(g_destroyed, 4) << "the context's destructor frees what is left";
}

TEST(ExecCtx, DroppedKeysLeaveTheOthers) {
    CryptoLib lib;
    g_destroyed = 0;
    {
        ExecCtx c(lib);
        for (uint64_t id = 1; id <= 300; ++id)
            for (uint32_t tag = 0; tag < 3; ++tag)
                EXPECT_TRUE(c.key_put(id, tag, new int(static_cast<int>(id)), count_destroy));
        ASSERT_EQ(c.key_entries(), 900u);
        // Every third key dies, and one id that was never cached here.
        for (uint64_t id = 3; id <= 300; id += 3) c.drop_key(id);
        c.drop_key(100000);
        EXPECT_NE(c.key_find(1, 0), nullptr); // the owner's next lookup reaps
        EXPECT_EQ(g_destroyed, 300);
        EXPECT_EQ(c.key_entries(), 600u);
        for (uint64_t id = 1; id <= 300; ++id)
            for (uint32_t tag = 0; tag < 3; ++tag) {
                void *o = c.key_find(id, tag);
                if (id % 3 == 0) {
                    EXPECT_EQ(o, nullptr) << id;
                } else {
                    ASSERT_NE(o, nullptr) << id;
                    EXPECT_EQ(*static_cast<int *>(o), static_cast<int>(id));
                }
            }
        // A dropped id's tags are gone from the index too: caching it again and
        // dropping it again frees exactly that one entry.
        EXPECT_TRUE(c.key_put(3, 0, new int(3), count_destroy));
        c.drop_key(3);
        EXPECT_EQ(c.key_find(3, 0), nullptr);
        EXPECT_EQ(g_destroyed, 301);
    }
    EXPECT_EQ(g_destroyed, 901);
}

TEST(ExecCtx, KeyIdZeroIsNeverCached) {
    CryptoLib lib;
    ExecCtx c(lib);
    g_destroyed = 0;
    EXPECT_FALSE(c.key_put(0, 1, new int(1), count_destroy));
    EXPECT_EQ(g_destroyed, 1);
    EXPECT_EQ(c.key_find(0, 1), nullptr);
}

TEST(ExecCtx, CacheIsBounded) {
    CryptoLib lib;
    ExecCtx c(lib);
    for (uint64_t id = 1; id <= 5000; ++id) c.key_put(id, 0, new int(0), count_destroy);
    EXPECT_LE(c.key_entries(), 4096u);
    EXPECT_NE(c.key_find(5000, 0), nullptr);
}

TEST(ExecCtx, FamilyLocals) {
    CryptoLib lib;
    g_destroyed = 0;
    static const int tag_a = 0, tag_b = 0;
    {
        ExecCtx c(lib);
        EXPECT_EQ(c.local(&tag_a), nullptr);
        c.set_local(&tag_a, new int(1), count_destroy);
        c.set_local(&tag_b, new int(2), count_destroy);
        EXPECT_EQ(*static_cast<int *>(c.local(&tag_b)), 2);
        c.set_local(&tag_a, new int(3), count_destroy);
        EXPECT_EQ(g_destroyed, 1);
        EXPECT_EQ(*static_cast<int *>(c.local(&tag_a)), 3);
        EXPECT_NE(c.scratch_cipher(), nullptr);
        EXPECT_NE(c.scratch_md(), nullptr);
    }
    EXPECT_EQ(g_destroyed, 3);
}

} // namespace
} // namespace acrypto::soft::cpu
