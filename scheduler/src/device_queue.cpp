// SPDX-License-Identifier: Apache-2.0
// DeviceQueue: priority FIFOs with aging.
#include "device_queue.hpp"

#include "session_access.hpp"

namespace acrypto::sched::detail {

void DeviceQueue::push(Session *s, uint64_t now_ms) noexcept {
    auto &ss = SessionAccess::sched(*s);
    uint32_t p = s->c().priority;
    if (p > ACRYPTO_PRIO_MAX) p = ACRYPTO_PRIO_MAX;
    ss.next = nullptr;
    ss.enq_ms = now_ms;
    if (tail_[p])
        SessionAccess::sched(*tail_[p]).next = s;
    else
        head_[p] = s;
    tail_[p] = s;
    levels_ |= 1u << p;
    ++count_;
}

Session *DeviceQueue::pop(uint64_t now_ms, uint32_t aging_ms) noexcept {
    if (count_ == 0) return nullptr;
    // One priority queued (the usual case): aging cannot reorder anything.
    const int best =
        (levels_ & (levels_ - 1)) == 0 ? __builtin_ctz(levels_) : pick(now_ms, aging_ms);
    Session *s = head_[best];
    auto &ss = SessionAccess::sched(*s);
    head_[best] = ss.next;
    if (!head_[best]) {
        tail_[best] = nullptr;
        levels_ &= ~(1u << best);
    }
    ss.next = nullptr;
    --count_;
    return s;
}

int DeviceQueue::pick(uint64_t now_ms, uint32_t aging_ms) const noexcept {
    int best = -1;
    uint64_t best_eff = 0;
    uint64_t best_enq = 0;
    // Scan from the highest base priority down: on equal aged priority the older
    // head wins, so a starved low-priority session overtakes fresh arrivals.
    for (int p = static_cast<int>(kLevels) - 1; p >= 0; --p) {
        Session *h = head_[p];
        if (!h) continue;
        uint64_t enq = SessionAccess::sched(*h).enq_ms;
        uint64_t eff = static_cast<uint64_t>(p);
        if (aging_ms != 0 && now_ms > enq) {
            eff += (now_ms - enq) / aging_ms;
            if (eff > ACRYPTO_PRIO_MAX) eff = ACRYPTO_PRIO_MAX;
        }
        if (best < 0 || eff > best_eff || (eff == best_eff && enq < best_enq)) {
            best = p;
            best_eff = eff;
            best_enq = enq;
        }
    }
    return best;
}

Session *DeviceQueue::take_all() noexcept {
    Session *out = nullptr;
    Session *out_tail = nullptr;
    for (int p = static_cast<int>(kLevels) - 1; p >= 0; --p) {
        if (!head_[p]) continue;
        if (out_tail)
            SessionAccess::sched(*out_tail).next = head_[p];
        else
            out = head_[p];
        out_tail = tail_[p];
        head_[p] = tail_[p] = nullptr;
    }
    count_ = 0;
    levels_ = 0;
    return out;
}

} // namespace acrypto::sched::detail
