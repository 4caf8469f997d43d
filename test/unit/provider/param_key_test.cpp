// SPDX-License-Identifier: Apache-2.0
// key_is: parameter keys compared in line, exact matches only, never read past the key's end.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "param_key.hpp"

namespace acrypto::prov {
namespace {

TEST(ParamKey, MatchesTheWholeKeyOnly) {
    EXPECT_TRUE(key_is("tag", "tag"));
    EXPECT_TRUE(key_is("ivlen", "ivlen"));
    EXPECT_FALSE(key_is("taglen", "tag"));
    EXPECT_FALSE(key_is("ta", "tag"));
    EXPECT_FALSE(key_is("", "tag"));
    EXPECT_FALSE(key_is("Tag", "tag"));
    EXPECT_FALSE(key_is("iv", "ivlen"));
    EXPECT_TRUE(key_is("", ""));
}

/// A short key that ends a readable page, the next page inaccessible: comparing it with a
/// longer literal stops at its NUL (a read beyond would fault).
TEST(ParamKey, StopsAtTheKeysEnd) {
    const long page = sysconf(_SC_PAGESIZE);
    void *m = mmap(nullptr, 2 * static_cast<size_t>(page), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(m, MAP_FAILED);
    char *base = static_cast<char *>(m);
    ASSERT_EQ(mprotect(base + page, static_cast<size_t>(page), PROT_NONE), 0);
    char *key = base + page - 3;
    std::memcpy(key, "iv", 3);
    EXPECT_FALSE(key_is(key, "ivlen"));
    EXPECT_FALSE(key_is(key, "acrypto-priority"));
    EXPECT_TRUE(key_is(key, "iv"));
    munmap(m, 2 * static_cast<size_t>(page));
}

} // namespace
} // namespace acrypto::prov
