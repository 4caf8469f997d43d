// SPDX-License-Identifier: Apache-2.0
// WaitNotifier: one stable eventfd per ASYNC_WAIT_CTX, closed only after the last reference.
#include "wait_notifier.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/async.h>
#include <poll.h>
#include <unistd.h>

namespace acrypto::prov {
namespace {

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return poll(&p, 1, 0) == 1;
}

TEST(WaitNotifier, OneStableFdPerWaitCtx) {
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    bool added = false;
    WaitNotifier *a = WaitNotifier::for_wait_ctx(w, &added);
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(added);
    EXPECT_EQ(WaitNotifier::for_wait_ctx(w, &added), a);
    EXPECT_FALSE(added);
    size_t n = 0;
    ASYNC_WAIT_CTX_get_all_fds(w, nullptr, &n);
    EXPECT_EQ(n, 1u);
    EXPECT_FALSE(readable(a->fd()));
    a->signal();
    EXPECT_TRUE(readable(a->fd()));
    a->drain();
    EXPECT_FALSE(readable(a->fd()));
    ASYNC_WAIT_CTX_free(w);
}

TEST(WaitNotifier, InFlightReferenceKeepsFdOpenAfterCleanup) {
    const uint64_t live = WaitNotifier::live_count();
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    WaitNotifier *n = WaitNotifier::for_wait_ctx(w);
    ASSERT_NE(n, nullptr);
    const int fd = n->fd();
    n->ref();               // an in-flight session
    ASYNC_WAIT_CTX_free(w); // the application's cleanup runs first
    EXPECT_NE(fcntl(fd, F_GETFD), -1) << "fd closed while a session still holds it";
    n->signal(); // completion after cleanup: must not write (the app forgot this fd)
    EXPECT_FALSE(readable(fd));
    n->unref(); // the completion side drops the last reference
    EXPECT_EQ(fcntl(fd, F_GETFD), -1);
    EXPECT_EQ(WaitNotifier::live_count(), live);
}

} // namespace
} // namespace acrypto::prov
