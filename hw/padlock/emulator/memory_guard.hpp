// SPDX-License-Identifier: Apache-2.0
// Bounds checker for every byte the emulated engine reads or writes (spec §9.1 item 3).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <shared_mutex>

namespace acrypto::hw::padlock::emu {

/// Direction of an access.
enum class Access { Read, Write };

/// How accesses outside the operands' required extents are judged.
enum class GuardPolicy {
    /// Required bytes are the caller's; extra reads (prefetch, schedule slots) must stay in a
    /// page the required bytes touch or in a registered region; extra writes must land in a
    /// registered region. Suits a driver whose session buffers the emulator cannot know.
    PageRule,
    /// Every byte, required or not, must lie in a registered region (instruction tests).
    RegionsOnly
};

/// Registered memory and guard zones. Thread-safe.
class MemoryGuard {
  public:
    explicit MemoryGuard(GuardPolicy policy = GuardPolicy::PageRule) : policy_(policy) {}
    /// Memory the engine may touch (writable or read-only).
    void add_region(const void *p, size_t len, bool writable = true);
    /// Forgets a region added at `p`.
    void remove_region(const void *p);
    /// A zone no access may overlap (e.g. the page after a buffer).
    void add_guard(const void *p, size_t len);
    /// Forgets a guard zone added at `p`.
    void remove_guard(const void *p);
    /// Whether the engine may perform [addr, addr+len) when its operands require
    /// [req, req+req_len) (a sub-range of it, or empty).
    bool allowed(uint64_t addr, size_t len, Access access, uint64_t req, size_t req_len) const;
    GuardPolicy policy() const { return policy_; }

  private:
    struct Region {
        size_t len;
        bool writable;
    };
    bool in_region(uint64_t a, uint64_t b, Access access) const;
    bool hits_guard(uint64_t a, uint64_t b) const;
    bool extra_ok(uint64_t a, uint64_t b, Access access, uint64_t req, size_t req_len) const;

    GuardPolicy policy_;
    mutable std::shared_mutex mu_;
    std::map<uint64_t, Region> regions_;
    std::map<uint64_t, size_t> guards_;
};

} // namespace acrypto::hw::padlock::emu
