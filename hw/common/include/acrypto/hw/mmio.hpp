// SPDX-License-Identifier: Apache-2.0
// MmioWindow: 32-bit register access to one BAR (real VFIO mapping or a chip model).
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw {

/**
 * One register window (a PCI BAR). After FreeBSD bus_space(9): the object is the
 * tag + handle. Accesses are 32-bit, aligned, little-endian. `write32` is ordered
 * after earlier writes to DMA memory only after `wmb()`; `read32` is ordered
 * before later DMA memory reads only after `rmb()` (DPDK rte_io.h semantics).
 */
class MmioWindow {
  public:
    virtual ~MmioWindow() = default;
    /// Read the register at byte offset `off` (multiple of 4, < size()).
    virtual uint32_t read32(uint32_t off) = 0;
    /// Write the register at byte offset `off`.
    virtual void write32(uint32_t off, uint32_t value) = 0;
    /// Window size in bytes.
    virtual size_t size() const = 0;
    /// Order host memory writes (descriptors, buffers) before the next register write.
    virtual void wmb() { __atomic_thread_fence(__ATOMIC_RELEASE); }
    /// Order a register read before later host memory reads (device write-backs).
    virtual void rmb() { __atomic_thread_fence(__ATOMIC_ACQUIRE); }
};

} // namespace acrypto::hw
