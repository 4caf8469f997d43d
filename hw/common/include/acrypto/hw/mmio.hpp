// SPDX-License-Identifier: Apache-2.0
// MmioWindow: 32-bit register access to one BAR (real VFIO mapping or a chip model).
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw {

/**
 * Barriers that order host memory against device accesses (DPDK rte_io_wmb/rte_io_rmb,
 * Linux dma_wmb/dma_rmb). They order the CPU against a device, never one thread against
 * another: threads synchronise through their own locks and atomics. That is why they are
 * not C++ thread fences, which ThreadSanitizer does not model (gcc -Wtsan).
 * x86 keeps loads and stores to write-back and uncached memory in program order, so only
 * the compiler needs fencing there; arm64 needs an outer-shareable dmb.
 */
inline void io_wmb() {
#if defined(__x86_64__) || defined(__i386__)
    asm volatile("" ::: "memory");
#elif defined(__aarch64__)
    asm volatile("dmb oshst" ::: "memory");
#else
    __sync_synchronize();
#endif
}

/// Order an earlier device read before later host memory reads (see io_wmb).
inline void io_rmb() {
#if defined(__x86_64__) || defined(__i386__)
    asm volatile("" ::: "memory");
#elif defined(__aarch64__)
    asm volatile("dmb oshld" ::: "memory");
#else
    __sync_synchronize();
#endif
}

/// Full barrier for write-combining or otherwise weakly ordered mappings (x86 mfence).
inline void io_mb() {
#if defined(__x86_64__) || defined(__i386__)
    asm volatile("mfence" ::: "memory");
#elif defined(__aarch64__)
    asm volatile("dmb osh" ::: "memory");
#else
    __sync_synchronize();
#endif
}

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
    virtual void wmb() { io_wmb(); }
    /// Order a register read before later host memory reads (device write-backs).
    virtual void rmb() { io_rmb(); }
};

} // namespace acrypto::hw
