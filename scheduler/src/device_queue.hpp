// SPDX-License-Identifier: Apache-2.0
// DeviceQueue: one device's pending sessions, by priority 0..7, FIFO within a
// priority, with aging. Not thread-safe: the device's queue lock guards it.
#pragma once

#include <cstdint>

#include "acrypto/sched/session.hpp"

namespace acrypto::sched::detail {

/// Intrusive priority queue over SessionSched::next.
class DeviceQueue {
  public:
    /// Append `s` behind sessions of its priority; stamps its enqueue time.
    void push(Session *s, uint64_t now_ms) noexcept;
    /// Remove and return the session with the highest aged priority
    /// (base + age / aging_ms, capped at ACRYPTO_PRIO_MAX; ties: older first).
    /// aging_ms == 0 disables aging. Null when empty.
    Session *pop(uint64_t now_ms, uint32_t aging_ms) noexcept;
    /// Remove everything; returns a list linked through SessionSched::next,
    /// highest priority first, FIFO within a priority.
    Session *take_all() noexcept;
    uint32_t size() const noexcept { return count_; }
    bool empty() const noexcept { return count_ == 0; }

  private:
    /// The level pop() takes from when several are queued (aged priority, then age).
    int pick(uint64_t now_ms, uint32_t aging_ms) const noexcept;

    static constexpr uint32_t kLevels = ACRYPTO_PRIO_MAX + 1;
    Session *head_[kLevels]{};
    Session *tail_[kLevels]{};
    uint32_t count_ = 0;
    uint32_t levels_ = 0; ///< bit p set while priority p has sessions
};

} // namespace acrypto::sched::detail
