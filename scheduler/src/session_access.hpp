// SPDX-License-Identifier: Apache-2.0
// SessionAccess: the scheduler's window onto Session and Key private state.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "acrypto/sched/session.hpp"

namespace acrypto::sched::detail {

/// Test hook: called with the key bytes right after they were wiped, before they
/// are freed (null in production).
extern std::atomic<void (*)(const uint8_t *data, size_t len)> g_key_wipe_observer;

/// Static accessors used by the scheduler implementation only.
struct SessionAccess {
    static SessionSched &sched(Session &s) noexcept { return s.sched_; }
    static const SessionSched &sched(const Session &s) noexcept { return s.sched_; }
    /// The Session that owns `c` (every acrypto_session the scheduler hands out is one).
    static Session *from_c(acrypto_session *c) noexcept {
        return reinterpret_cast<Session *>(reinterpret_cast<char *>(c) - c_offset());
    }
    static std::ptrdiff_t c_offset() noexcept;
    /// Call `fn` on every session this process ever allocated (live or pooled; any
    /// thread may be using them: touch only atomics unless a holder CAS was won).
    static void for_each(void (*fn)(Session &, void *), void *arg);
    static void set_last_device(Session &s, const char *name) noexcept { s.last_device_ = name; }
    static KeyNotifier *&notifier(Key &k) noexcept { return k.notifier_; }
};

} // namespace acrypto::sched::detail
