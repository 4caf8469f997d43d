// SPDX-License-Identifier: Apache-2.0
// ModelRig: one FPI model with its arena, IRQ and window, plus raw descriptor helpers for tests.
#pragma once

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/model_window.hpp"
#include "model/fpi_model.hpp"
#include "regs.hpp"

namespace acrypto::hw::fastcrypt::testing {

namespace regs = acrypto::hw::fastcrypt::regs;

/// A chip model in step mode (or threaded), reachable register by register.
struct ModelRig {
    std::unique_ptr<DmaArena> arena = make_host_arena(4u << 20);
    std::unique_ptr<IrqWait> irq = make_eventfd_irq();
    std::vector<std::string> asserts;
    std::unique_ptr<model::FpiModel> model;
    std::unique_ptr<ModelWindow> win;
    DmaBuf ring;
    uint32_t ring_size = 0;

    explicit ModelRig(model::ModelOptions o = {}, bool threaded = false) {
        o.threaded = threaded;
        o.assert_hook = [this](const std::string &m) { asserts.push_back(m); };
        model = std::make_unique<model::FpiModel>(*arena, *irq, o);
        win = std::make_unique<ModelWindow>(*model, 0, regs::BAR0_SIZE);
    }
    ~ModelRig() {
        win.reset();
        model.reset();
        if (ring) arena->free(ring);
    }
    uint32_t rd(uint32_t off) { return win->read32(off); }
    void wr(uint32_t off, uint32_t v) { win->write32(off, v); }

    /// Program and enable a ring of `n` entries.
    void start(uint32_t n, uint32_t int_enable = regs::INT_ALL) {
        ring = arena->alloc(size_t{n} * regs::DESC_SIZE, regs::RING_ALIGN);
        std::memset(ring.cpu, 0, ring.size);
        ring_size = n;
        wr(regs::RING_BASE_LO, static_cast<uint32_t>(ring.bus));
        wr(regs::RING_BASE_HI, static_cast<uint32_t>(ring.bus >> 32));
        wr(regs::RING_SIZE, n);
        wr(regs::INT_ENABLE, int_enable);
        wr(regs::CTRL, regs::CTRL_ENABLE | regs::CTRL_IRQ_EN);
    }
    uint8_t *slot(uint32_t i) { return ring.cpu + size_t{i} * regs::DESC_SIZE; }
    /// Slot `i` of whatever ring the registers point at (e.g. one a driver allocated).
    uint8_t *programmed_slot(uint32_t i) {
        const uint64_t base = uint64_t{rd(regs::RING_BASE_HI)} << 32 | rd(regs::RING_BASE_LO);
        return arena->to_cpu(base + uint64_t{i} * regs::DESC_SIZE, regs::DESC_SIZE);
    }
    static void put32(uint8_t *p, uint32_t v) { std::memcpy(p, &v, 4); }
    static void put64(uint8_t *p, uint64_t v) { std::memcpy(p, &v, 8); }
    static uint32_t get32(const uint8_t *p) {
        uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }

    /// Write a raw descriptor into slot `i` (does not ring the doorbell).
    void put_desc(uint32_t i, uint32_t control, uint32_t len, uint64_t src, uint64_t dst,
                  const uint8_t *key24, const uint8_t *iv8, uint32_t cookie) {
        uint8_t *p = slot(i);
        std::memset(p, 0, regs::DESC_SIZE);
        put32(p + regs::D_CONTROL, control);
        put32(p + regs::D_LENGTH, len);
        put64(p + regs::D_SRC, src);
        put64(p + regs::D_DST, dst);
        if (key24) std::memcpy(p + regs::D_KEY, key24, 24);
        if (iv8) std::memcpy(p + regs::D_IV, iv8, 8);
        put32(p + regs::D_COOKIE, cookie);
    }
    uint32_t status(uint32_t i) { return get32(slot(i) + regs::D_STATUS); }
    const uint8_t *iv(uint32_t i) { return slot(i) + regs::D_IV; }
    uint32_t cookie(uint32_t i) { return get32(slot(i) + regs::D_COOKIE); }

    /// Wait (bounded) until `pred` holds; for threaded-mode tests.
    template <class F>
    static bool eventually(F pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
        const auto end = std::chrono::steady_clock::now() + limit;
        while (!pred()) {
            if (std::chrono::steady_clock::now() > end) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return true;
    }
};

/// An MmioWindow decorator that can override what given registers read (a lying device).
class TamperWindow final : public MmioWindow {
  public:
    explicit TamperWindow(MmioWindow &inner) : inner_(inner) {}
    uint32_t read32(uint32_t off) override {
        auto it = overrides_.find(off);
        return it != overrides_.end() ? it->second : inner_.read32(off);
    }
    void write32(uint32_t off, uint32_t value) override { inner_.write32(off, value); }
    size_t size() const override { return inner_.size(); }
    void set(uint32_t off, uint32_t value) { overrides_[off] = value; }
    void clear() { overrides_.clear(); }

  private:
    MmioWindow &inner_;
    std::map<uint32_t, uint32_t> overrides_;
};

} // namespace acrypto::hw::fastcrypt::testing
