// SPDX-License-Identifier: Apache-2.0
// Transport: what one FastCrypt instance runs over (model or VFIO), and instance discovery.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/mmio.hpp"
#include "acrypto/hw/pci.hpp"
#include "acrypto/hw/result.hpp"
#include "acrypto/hw/vfio.hpp"
#include "config.hpp"
#include "model/fpi_model.hpp"

namespace acrypto::hw::fastcrypt {

/**
 * The window, arena and interrupt of one instance. Member order is the teardown
 * order in reverse: the window goes first, then the model (it uses the arena and
 * the IRQ), then IRQ and arena, and the VFIO device last.
 */
struct Transport {
    std::string origin;               ///< "model" or the PCI address
    std::unique_ptr<VfioDevice> vfio; ///< real PCI only
    std::unique_ptr<DmaArena> arena;
    std::unique_ptr<IrqWait> irq;
    std::unique_ptr<model::FpiModel> model; ///< model only
    std::unique_ptr<MmioWindow> mmio;
};

/// What probe found: accepted PCI functions first, then model instances.
struct Discovery {
    std::vector<PciFunction> pci; ///< functions that answered as FPI v1
    uint32_t models = 0;
    std::string why; ///< refusals and "nothing found" reasons
    uint32_t count() const { return static_cast<uint32_t>(pci.size()) + models; }
};

/// Scan the configured PCI IDs (checking ID and VERSION through VFIO) and count models.
Discovery discover(const DriverConfig &cfg);

/// DMA arena bytes one instance needs (ring, bounce buffers, self-test, slack).
size_t arena_bytes(const DriverConfig &cfg, uint32_t max_xfer);

/// A model instance over a host arena and an eventfd line.
Result<std::unique_ptr<Transport>> make_model_transport(const DriverConfig &cfg);
/// A real card through VFIO (BAR0, pinned arena below 4 GiB, INTx eventfd).
Result<std::unique_ptr<Transport>> make_pci_transport(const PciFunction &fn,
                                                      const DriverConfig &cfg);

} // namespace acrypto::hw::fastcrypt
