// SPDX-License-Identifier: Apache-2.0
// A heap-backed DmaArena with a fake bus window, for device models.
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <mutex>
#include <shared_mutex>

#include "acrypto/hw/dma.hpp"

namespace acrypto::hw {
namespace {

constexpr size_t kPage = 4096;

/// First-fit allocator over one page-aligned block. Live allocations are kept in a
/// map so to_cpu() can refuse any byte outside them, as an IOMMU would.
class HostArena final : public DmaArena {
  public:
    HostArena(size_t capacity, uint64_t bus_base)
        : cap_((capacity + kPage - 1) & ~(kPage - 1)), bus_base_(bus_base) {
        mem_ = static_cast<uint8_t *>(std::aligned_alloc(kPage, cap_ ? cap_ : kPage));
        if (mem_ != nullptr) {
            std::memset(mem_, 0, cap_);
            free_[0] = cap_;
        }
    }
    ~HostArena() override {
        if (mem_ != nullptr) {
            std::memset(mem_, 0, cap_); // buffers may have held keys
            std::free(mem_);
        }
    }

    DmaBuf alloc(size_t size, size_t align) override {
        if (mem_ == nullptr || size == 0 || align == 0 || (align & (align - 1)) != 0) return {};
        std::unique_lock lk(mu_);
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            size_t start = (it->first + align - 1) & ~(align - 1);
            size_t end = it->first + it->second;
            if (start < it->first || start + size > end || start + size < start) continue;
            size_t hole_start = it->first;
            free_.erase(it);
            if (start > hole_start) free_[hole_start] = start - hole_start;
            if (start + size < end) free_[start + size] = end - (start + size);
            live_[start] = size;
            return DmaBuf{mem_ + start, bus_base_ + start, size};
        }
        return {};
    }

    void free(const DmaBuf &b) override {
        if (!b || b.cpu < mem_ || b.cpu >= mem_ + cap_) return;
        size_t off = static_cast<size_t>(b.cpu - mem_);
        std::unique_lock lk(mu_);
        auto it = live_.find(off);
        if (it == live_.end()) return;
        size_t size = it->second;
        live_.erase(it);
        std::memset(mem_ + off, 0, size);
        // Insert and coalesce with neighbours.
        auto [ins, ok] = free_.emplace(off, size);
        if (ins != free_.begin()) {
            auto prev = std::prev(ins);
            if (prev->first + prev->second == ins->first) {
                prev->second += ins->second;
                free_.erase(ins);
                ins = prev;
            }
        }
        auto next = std::next(ins);
        if (next != free_.end() && ins->first + ins->second == next->first) {
            ins->second += next->second;
            free_.erase(next);
        }
    }

    uint8_t *to_cpu(uint64_t bus, size_t len) override {
        if (bus < bus_base_ || len == 0) return nullptr;
        uint64_t off = bus - bus_base_;
        if (off >= cap_ || len > cap_ - off) return nullptr;
        std::shared_lock lk(mu_);
        auto it = live_.upper_bound(static_cast<size_t>(off));
        if (it == live_.begin()) return nullptr;
        --it;
        if (off + len > it->first + it->second) return nullptr;
        return mem_ + off;
    }

  private:
    size_t cap_;
    uint64_t bus_base_;
    uint8_t *mem_ = nullptr;
    std::shared_mutex mu_;
    std::map<size_t, size_t> free_; // offset -> length
    std::map<size_t, size_t> live_; // offset -> length
};

} // namespace

std::unique_ptr<DmaArena> make_host_arena(size_t capacity, uint64_t bus_base) {
    return std::make_unique<HostArena>(capacity, bus_base);
}

} // namespace acrypto::hw
