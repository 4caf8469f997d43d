// SPDX-License-Identifier: Apache-2.0
// A pthread key that frees per-thread state made after the thread's C++ thread-local
// destructors have run.
#pragma once

#include <pthread.h>

namespace acrypto::sched {

/**
 * glibc runs a thread's C++ thread-local destructors, then its pthread-key destructors
 * (OpenSSL's thread-stop handlers among them). A thread-local first used inside such a
 * key destructor registers its own destructor too late: it never runs. Per-thread state
 * therefore also arms this key while it exists: its C++ destructor disarms it, and when
 * that destructor never comes, glibc's next round of key destructors calls `fn` with the
 * armed value (glibc runs up to four rounds). Made once per kind of state, as a
 * function-local static; when no key can be had, arming does nothing.
 */
class LateExitKey {
  public:
    explicit LateExitKey(void (*fn)(void *)) noexcept : ok_(pthread_key_create(&key_, fn) == 0) {}
    LateExitKey(const LateExitKey &) = delete;
    LateExitKey &operator=(const LateExitKey &) = delete;

    /// This thread's state `p` (not null) is to be freed by `fn` if nothing else does.
    void arm(void *p) const noexcept {
        if (ok_) (void)pthread_setspecific(key_, p);
    }
    /// This thread's state was freed: `fn` is not to run for it.
    void disarm() const noexcept {
        if (ok_) (void)pthread_setspecific(key_, nullptr);
    }

  private:
    pthread_key_t key_{};
    bool ok_;
};

} // namespace acrypto::sched
