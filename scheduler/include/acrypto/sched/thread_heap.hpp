// SPDX-License-Identifier: Apache-2.0
// A per-thread object on the heap behind a thread-local pointer.
#pragma once

#include <cstddef>
#include <new>

#include "acrypto/sched/late_exit_key.hpp"

namespace acrypto::sched {

/**
 * This thread's `T`, made on first use and freed when the thread exits. Held on the heap
 * so that the module's thread-local storage stays within glibc's static TLS surplus, where
 * a TLS access is two instructions (-mtls-dialect=gnu2; see CMakeLists.txt and the test
 * provider.tls_segment_fits) rather than a __tls_get_addr call. `Align` aligns the pointer
 * (a module may need one 64-byte aligned thread-local variable).
 */
template <typename T, size_t Align = alignof(T *)> class ThreadHeap {
  public:
    /// This thread's object; nullptr when there is none (no memory, or the thread is
    /// exiting): callers then go without what it remembers.
    static T *get() noexcept {
        if (t_obj != nullptr) [[likely]]
            return t_obj;
        return make();
    }

  private:
    struct Owner {
        T *obj = nullptr;
        ~Owner() {
            late_key().disarm();
            free_obj(obj);
        }
    };

    /// Frees this thread's object; later calls go without.
    static void free_obj(void *obj) noexcept {
        t_obj = nullptr;
        t_gone = true;
        delete static_cast<T *>(obj);
    }
    /// Frees the object of a thread whose Owner was made too late to be destroyed.
    static const LateExitKey &late_key() noexcept {
        static const LateExitKey key(free_obj);
        return key;
    }

    [[gnu::noinline]] static T *make() noexcept {
        if (t_gone) return nullptr;
        thread_local Owner owner; // frees it when the thread exits
        if (owner.obj == nullptr) {
            owner.obj = new (std::nothrow) T;
            if (owner.obj != nullptr) late_key().arm(owner.obj);
        }
        t_obj = owner.obj;
        return t_obj;
    }

    alignas(Align) static inline thread_local T *t_obj = nullptr;
    /// Set once this thread's object is freed (thread exit): later calls go without.
    static inline thread_local bool t_gone = false;
};

} // namespace acrypto::sched
