// SPDX-License-Identifier: Apache-2.0
// ModelWindow: an MmioWindow whose accesses go to an in-process chip model.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "acrypto/hw/mmio.hpp"

namespace acrypto::hw {

/**
 * What a chip model implements: one call per 32-bit register access. `bar` is
 * the BAR index the window was made for; `off` is aligned and inside the BAR.
 * Called from any driver thread; the model does its own locking.
 */
class RegisterHandler {
  public:
    virtual ~RegisterHandler() = default;
    /// A 32-bit load from BAR `bar` at byte offset `off`.
    virtual uint32_t read_reg(unsigned bar, uint32_t off) = 0;
    /// A 32-bit store to BAR `bar` at byte offset `off`.
    virtual void write_reg(unsigned bar, uint32_t off, uint32_t value) = 0;
};

/**
 * One BAR of a model. Misaligned or out-of-range accesses never reach the
 * model: reads return 0xFFFFFFFF (what a PCI master abort returns) and writes
 * are dropped; both are counted.
 */
class ModelWindow final : public MmioWindow {
  public:
    /// `handler` must outlive the window.
    ModelWindow(RegisterHandler &handler, unsigned bar, size_t size)
        : handler_(handler), bar_(bar), size_(size) {}
    uint32_t read32(uint32_t off) override;
    void write32(uint32_t off, uint32_t value) override;
    size_t size() const override { return size_; }
    /// Accesses rejected for alignment or range.
    uint64_t bad_accesses() const { return bad_.load(std::memory_order_relaxed); }

  private:
    bool valid(uint32_t off) const { return (off & 3u) == 0 && size_t{off} + 4 <= size_; }
    RegisterHandler &handler_;
    unsigned bar_;
    size_t size_;
    std::atomic<uint64_t> bad_{0};
};

} // namespace acrypto::hw
