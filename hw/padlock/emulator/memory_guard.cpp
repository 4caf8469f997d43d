// SPDX-License-Identifier: Apache-2.0
// MemoryGuard: region and guard-zone bookkeeping, page rule for over-reads.
#include "memory_guard.hpp"

#include <mutex>

#include "../regs.hpp"

namespace acrypto::hw::padlock::emu {

void MemoryGuard::add_region(const void *p, size_t len, bool writable) {
    std::unique_lock lk(mu_);
    regions_[reinterpret_cast<uint64_t>(p)] = Region{len, writable};
}

void MemoryGuard::remove_region(const void *p) {
    std::unique_lock lk(mu_);
    regions_.erase(reinterpret_cast<uint64_t>(p));
}

void MemoryGuard::add_guard(const void *p, size_t len) {
    std::unique_lock lk(mu_);
    guards_[reinterpret_cast<uint64_t>(p)] = len;
}

void MemoryGuard::remove_guard(const void *p) {
    std::unique_lock lk(mu_);
    guards_.erase(reinterpret_cast<uint64_t>(p));
}

bool MemoryGuard::in_region(uint64_t a, uint64_t b, Access access) const {
    auto it = regions_.upper_bound(a);
    if (it == regions_.begin()) return false;
    --it;
    const uint64_t end = it->first + it->second.len;
    if (b > end || a < it->first) return false;
    return access == Access::Read || it->second.writable;
}

bool MemoryGuard::hits_guard(uint64_t a, uint64_t b) const {
    auto it = guards_.lower_bound(b);
    while (it != guards_.begin()) {
        --it;
        if (it->first + it->second > a) return true;
        // Guards are disjoint in practice; the one just below `a` decides.
        break;
    }
    return false;
}

bool MemoryGuard::extra_ok(uint64_t a, uint64_t b, Access access, uint64_t req,
                           size_t req_len) const {
    if (a >= b) return true;
    if (in_region(a, b, access)) return true;
    if (access == Access::Write || req_len == 0) return false;
    const uint64_t req_first_page = req / regs::PAGE;
    const uint64_t req_last_page = (req + req_len - 1) / regs::PAGE;
    return a / regs::PAGE >= req_first_page && (b - 1) / regs::PAGE <= req_last_page;
}

bool MemoryGuard::allowed(uint64_t addr, size_t len, Access access, uint64_t req,
                          size_t req_len) const {
    if (len == 0) return true;
    const uint64_t end = addr + len;
    if (end < addr) return false;
    std::shared_lock lk(mu_);
    if (hits_guard(addr, end)) return false;
    if (policy_ == GuardPolicy::RegionsOnly) return in_region(addr, end, access);
    if (req_len == 0) return extra_ok(addr, end, access, req, 0);
    const uint64_t req_end = req + req_len;
    if (req < addr || req_end > end || req_end < req) return false;
    return extra_ok(addr, req, access, req, req_len) &&
           extra_ok(req_end, end, access, req, req_len);
}

} // namespace acrypto::hw::padlock::emu
