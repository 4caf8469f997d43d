// SPDX-License-Identifier: Apache-2.0
// DmaArena: memory both the CPU and the device see, with bus-address translation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace acrypto::hw {

/// One allocation in a DMA arena: CPU pointer, bus address, size.
struct DmaBuf {
    uint8_t *cpu = nullptr;
    uint64_t bus = 0;
    size_t size = 0;
    explicit operator bool() const { return cpu != nullptr; }
};

/**
 * Memory a device can address. Real hardware: pinned pages mapped through the
 * IOMMU (VFIO); model: plain memory with a fake bus window that the model
 * translates back through `to_cpu` (and rejects outside the arena: a DMA fault).
 */
class DmaArena {
  public:
    virtual ~DmaArena() = default;
    /// Allocate `size` bytes aligned to `align` (power of two). Empty DmaBuf on failure.
    virtual DmaBuf alloc(size_t size, size_t align) = 0;
    /// Return an allocation.
    virtual void free(const DmaBuf &b) = 0;
    /// Translate a bus range back to a CPU pointer; nullptr if any byte lies outside
    /// the arena's live allocations (devices/models use this; a miss is a DMA fault).
    virtual uint8_t *to_cpu(uint64_t bus, size_t len) = 0;
};

/// A heap-backed arena with a fake bus window starting at `bus_base` (for device models).
std::unique_ptr<DmaArena> make_host_arena(size_t capacity, uint64_t bus_base = 0x10000000ull);

} // namespace acrypto::hw
