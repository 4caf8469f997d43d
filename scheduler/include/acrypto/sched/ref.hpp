// SPDX-License-Identifier: Apache-2.0
// Ref<T>: intrusive reference-counted pointer (the waiter and the scheduler share sessions).
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

namespace acrypto::sched {

/// Base for intrusively refcounted objects. `destroy()` runs when the count hits zero.
class RefCounted {
  public:
    void ref() const noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    /// Returns true when this was the last reference.
    bool unref() const noexcept { return refs_.fetch_sub(1, std::memory_order_acq_rel) == 1; }
    uint32_t refcount() const noexcept { return refs_.load(std::memory_order_relaxed); }

  protected:
    RefCounted() = default;
    ~RefCounted() = default;
    mutable std::atomic<uint32_t> refs_{1};
};

/// Owning pointer to a RefCounted T that has a `static void destroy(T*)`.
template <class T> class Ref {
  public:
    Ref() = default;
    /// Adopt a pointer whose reference the caller already holds.
    static Ref adopt(T *p) noexcept {
        Ref r;
        r.p_ = p;
        return r;
    }
    Ref(const Ref &o) noexcept : p_(o.p_) {
        if (p_) p_->ref();
    }
    Ref(Ref &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Ref &operator=(Ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Ref() { reset(); }
    void reset() noexcept {
        if (p_ && p_->unref()) T::destroy(p_);
        p_ = nullptr;
    }
    /// Give up ownership without dropping the reference.
    T *release() noexcept { return std::exchange(p_, nullptr); }
    T *get() const noexcept { return p_; }
    T *operator->() const noexcept { return p_; }
    T &operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

  private:
    T *p_ = nullptr;
};

} // namespace acrypto::sched
