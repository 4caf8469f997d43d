// SPDX-License-Identifier: Apache-2.0
// VfioDevice: a PCI function bound to vfio-pci, its BARs, DMA mappings and INTx.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/mmio.hpp"
#include "acrypto/hw/result.hpp"

namespace acrypto::hw {

/// Where VFIO looks. Tests point both at fake trees to exercise the error paths.
struct VfioOptions {
    std::string sysfs_root = "/sys";    ///< <root>/bus/pci/devices/<address>
    std::string dev_root = "/dev/vfio"; ///< container "vfio" and the group nodes
};

/**
 * One function opened through VFIO (type-1 IOMMU): a container, its group and
 * the device fd. Objects made from it (windows, arena, IRQ) must be destroyed
 * before it. Errors say what to do ("bind it to vfio-pci", "no IOMMU group").
 */
class VfioDevice {
  public:
    virtual ~VfioDevice() = default;
    /// Map BAR `index` (memory BAR) read/write. `min_size` is checked.
    virtual Result<std::unique_ptr<MmioWindow>> map_bar(unsigned index, size_t min_size) = 0;
    /// Pinned memory of `capacity` bytes mapped at IOVA `iova_base` (below 4 GiB for
    /// 32-bit devices) with VFIO_IOMMU_MAP_DMA.
    virtual Result<std::unique_ptr<DmaArena>> make_arena(size_t capacity, uint64_t iova_base) = 0;
    /// INTx delivered on an eventfd (VFIO_DEVICE_SET_IRQS); unmask() re-arms it.
    virtual Result<std::unique_ptr<IrqWait>> intx() = 0;
    /// Read `width` (1, 2 or 4) bytes of config space at `off`.
    virtual Result<uint32_t> config_read(uint32_t off, unsigned width) = 0;
    /// Write `width` (1, 2 or 4) bytes of config space at `off` (errata registers).
    virtual Result<void> config_write(uint32_t off, unsigned width, uint32_t value) = 0;
    /// PCI_COMMAND |= memory space | bus master.
    virtual Result<void> enable_bus_master() = 0;
    /// The function's address.
    virtual const std::string &address() const = 0;
};

/// Open `address` ("0000:03:00.0"). Checks, in order: the device exists, it is
/// bound to vfio-pci, it has an IOMMU group, the group node opens and is viable.
Result<std::unique_ptr<VfioDevice>> vfio_open(const std::string &address,
                                              const VfioOptions &opt = {});

} // namespace acrypto::hw
