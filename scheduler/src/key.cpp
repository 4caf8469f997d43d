// SPDX-License-Identifier: Apache-2.0
// Key: copied key material with a never-reused id, wiped and announced when it dies.
#include <cstring>
#include <mutex>
#include <shared_mutex>

#include "core.hpp"

namespace acrypto::sched {
namespace detail {
std::atomic<void (*)(const uint8_t *, size_t)> g_key_wipe_observer{nullptr};
} // namespace detail
namespace {
std::atomic<uint64_t> g_next_key_id{1};
} // namespace

Ref<Key> Key::make(SchedulerCore *scheduler, uint32_t alg, const uint8_t *data, size_t len,
                   uint32_t curve_nid, uint32_t bits) {
    auto *k = new Key();
    k->c_.id = g_next_key_id.fetch_add(1, std::memory_order_relaxed);
    k->c_.alg = alg;
    k->c_.curve_nid = curve_nid;
    k->c_.bits = bits;
    if (data && len) {
        auto *copy = new uint8_t[len];
        std::memcpy(copy, data, len);
        k->c_.data = copy;
        k->c_.len = len;
    }
    k->sched_ = scheduler;
    if (scheduler) {
        k->notifier_ = scheduler->impl_->notifier;
        k->notifier_->ref();
    }
    return Ref<Key>::adopt(k);
}

void Key::destroy(Key *k) noexcept {
    if (k->c_.data) {
        auto *p = const_cast<uint8_t *>(k->c_.data);
        explicit_bzero(p, k->c_.len);
        if (auto obs = detail::g_key_wipe_observer.load(std::memory_order_relaxed))
            obs(p, k->c_.len);
        delete[] p;
    }
    if (auto *n = k->notifier_) {
        {
            std::shared_lock lk(n->mu);
            if (n->core) {
                try {
                    n->core->notify_key_free(k->c_.id);
                } catch (...) {}
            }
        }
        n->unref();
    }
    delete k;
}

} // namespace acrypto::sched
