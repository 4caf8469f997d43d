// SPDX-License-Identifier: Apache-2.0
#include "thread_counts.hpp"

namespace acrypto::prov {

void ThreadCounts::add_slow(Count c, uintptr_t tp) noexcept {
    Line &l = lines_[line_of(tp)];
    uintptr_t none = 0;
    // A free line becomes this thread's; only its owner ever writes its counts.
    if (l.owner.compare_exchange_strong(none, tp, std::memory_order_relaxed)) {
        std::atomic<uint64_t> &v = l.v[static_cast<size_t>(c)];
        v.store(v.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        return;
    }
    shared_[static_cast<size_t>(c)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t ThreadCounts::get(Count c) const noexcept {
    const auto i = static_cast<size_t>(c);
    uint64_t sum = shared_[i].load(std::memory_order_relaxed);
    for (const Line &l : lines_) sum += l.v[i].load(std::memory_order_relaxed);
    return sum;
}

size_t ThreadCounts::lines_held() const noexcept {
    size_t n = 0;
    for (const Line &l : lines_) n += l.owner.load(std::memory_order_relaxed) != 0;
    return n;
}

} // namespace acrypto::prov
