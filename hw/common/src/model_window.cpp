// SPDX-License-Identifier: Apache-2.0
// ModelWindow: range/alignment checks in front of a chip model's register handler.
#include "acrypto/hw/model_window.hpp"

namespace acrypto::hw {

uint32_t ModelWindow::read32(uint32_t off) {
    if (!valid(off)) {
        bad_.fetch_add(1, std::memory_order_relaxed);
        return 0xFFFFFFFFu;
    }
    return handler_.read_reg(bar_, off);
}

void ModelWindow::write32(uint32_t off, uint32_t value) {
    if (!valid(off)) {
        bad_.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    handler_.write_reg(bar_, off, value);
}

} // namespace acrypto::hw
