// SPDX-License-Identifier: Apache-2.0
// PCI discovery through libpci: find functions by vendor/device ID.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "acrypto/hw/result.hpp"

namespace acrypto::hw {

/// A vendor/device ID pair.
struct PciId {
    uint16_t vendor = 0;
    uint16_t device = 0;
    bool operator==(const PciId &) const = default;
};

/// One PCI function that matched.
struct PciFunction {
    std::string address;  ///< "dddd:bb:dd.f", the sysfs name
    PciId id;             ///< its IDs
    uint8_t revision = 0; ///< config byte 0x08
    std::string driver;   ///< kernel driver bound to it ("vfio-pci", ""), from sysfs
};

/// Where to look. Tests point `sysfs_root` at a fake tree.
struct PciScanOptions {
    std::string sysfs_root = "/sys"; ///< libpci reads <root>/bus/pci/devices
};

/**
 * Parse "vvvv:dddd[,vvvv:dddd...]" (hex, optional 0x). Empty input gives an empty
 * list. InvalidInput names the bad item.
 */
Result<std::vector<PciId>> parse_pci_ids(std::string_view text);

/// "vvvv:dddd".
std::string to_string(PciId id);

/**
 * Every function whose IDs are in `ids`, in bus order. A machine without a PCI bus
 * in sysfs gives NotFound with a message saying so; no match gives an empty list.
 * libpci errors never exit the process: they come back as DeviceBroken.
 */
Result<std::vector<PciFunction>> pci_find(std::span<const PciId> ids,
                                          const PciScanOptions &opt = {});

} // namespace acrypto::hw
