// SPDX-License-Identifier: Apache-2.0
// WaitNotifier implementation (spec §2.1, §2.5).
#include "wait_notifier.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <new>

namespace acrypto::prov {

namespace {
/// acrypto's unique key in every ASYNC_WAIT_CTX fd list.
const char kWaitKey = 0;
std::atomic<uint64_t> g_live{0};
} // namespace

WaitNotifier *WaitNotifier::for_wait_ctx(ASYNC_WAIT_CTX *wctx, bool *added) {
    if (added != nullptr) *added = false;
    OSSL_ASYNC_FD fd = -1;
    void *custom = nullptr;
    if (ASYNC_WAIT_CTX_get_fd(wctx, &kWaitKey, &fd, &custom) == 1 && custom != nullptr)
        return static_cast<WaitNotifier *>(custom);
    int efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (efd < 0) return nullptr;
    auto *n = new (std::nothrow) WaitNotifier(efd);
    if (n == nullptr) {
        ::close(efd);
        return nullptr;
    }
    if (ASYNC_WAIT_CTX_set_wait_fd(wctx, &kWaitKey, efd, n, cleanup_cb) != 1) {
        n->unref();
        return nullptr;
    }
    g_live.fetch_add(1, std::memory_order_relaxed);
    if (added != nullptr) *added = true;
    return n;
}

void WaitNotifier::cleanup_cb(ASYNC_WAIT_CTX *, const void *, OSSL_ASYNC_FD, void *custom) {
    // Application thread, from ASYNC_WAIT_CTX_free: sessions may still be in
    // flight; they hold their own references and the fd stays open until the last.
    auto *n = static_cast<WaitNotifier *>(custom);
    n->closed_.store(true, std::memory_order_release);
    n->unref();
}

WaitNotifier::~WaitNotifier() {
    if (fd_ >= 0) ::close(fd_);
}

void WaitNotifier::unref() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        if (fd_ >= 0 && closed_.load(std::memory_order_acquire))
            g_live.fetch_sub(1, std::memory_order_relaxed);
        delete this;
    }
}

void WaitNotifier::signal() noexcept {
    if (closed_.load(std::memory_order_acquire)) return;
    uint64_t one = 1;
    ssize_t r;
    do {
        r = ::write(fd_, &one, sizeof one);
    } while (r < 0 && errno == EINTR);
}

void WaitNotifier::drain() noexcept {
    uint64_t v;
    ssize_t r;
    do {
        r = ::read(fd_, &v, sizeof v);
    } while (r < 0 && errno == EINTR);
}

uint64_t WaitNotifier::live_count() noexcept { return g_live.load(std::memory_order_relaxed); }

} // namespace acrypto::prov
