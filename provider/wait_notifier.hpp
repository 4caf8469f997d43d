// SPDX-License-Identifier: Apache-2.0
// WaitNotifier: the refcounted eventfd acrypto registers once per ASYNC_WAIT_CTX.
#pragma once

#include <openssl/async.h>

#include <atomic>
#include <cstdint>

namespace acrypto::prov {

/**
 * One eventfd per ASYNC_WAIT_CTX, created lazily and registered under a static
 * key; stable until the wait ctx's cleanup callback. Refcounted: the wait ctx
 * holds one reference, every in-flight session one more, so a completion never
 * writes to a closed (or reused) fd number. Whoever drops the last reference closes it.
 */
class WaitNotifier {
  public:
    /// The notifier registered on `wctx`, creating and registering it if needed
    /// (`*added` true when this call added the fd to `wctx`; one lookup when it exists).
    /// nullptr when eventfd() or registration fails (callers then work synchronously).
    static WaitNotifier *for_wait_ctx(ASYNC_WAIT_CTX *wctx, bool *added = nullptr);

    int fd() const noexcept { return fd_; }
    void ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void unref() noexcept;
    /// Make the fd readable (completion side; skipped once the wait ctx is gone).
    void signal() noexcept;
    /// Consume pending signals (non-blocking; EAGAIN is fine).
    void drain() noexcept;

    /// Live notifiers in this process (tests).
    static uint64_t live_count() noexcept;

  private:
    explicit WaitNotifier(int fd) : fd_(fd) {}
    ~WaitNotifier();
    static void cleanup_cb(ASYNC_WAIT_CTX *wctx, const void *key, OSSL_ASYNC_FD fd, void *custom);

    int fd_;
    std::atomic<uint32_t> refs_{1};
    std::atomic<bool> closed_{false};
};

} // namespace acrypto::prov
