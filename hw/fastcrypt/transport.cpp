// SPDX-License-Identifier: Apache-2.0
// Transport construction and discovery. PCI IDs come only from configuration (spec F5).
#include "transport.hpp"

#include "acrypto/hw/model_window.hpp"
#include "fpi.hpp"

namespace acrypto::hw::fastcrypt {

namespace {

constexpr uint64_t MODEL_BUS_BASE = 0x10000000ull; ///< model bus window, below 4 GiB
constexpr uint64_t VFIO_IOVA_BASE = 0x10000000ull; ///< IOVA of the pinned arena, below 4 GiB

} // namespace

size_t arena_bytes(const DriverConfig &cfg, uint32_t max_xfer) {
    const size_t chunk = max_xfer < 65536 ? max_xfer : 65536;
    // Each allocation may be padded to its alignment: count a page of slack per buffer.
    return size_t{cfg.ring_size} * FPI_DESC_BYTES + size_t{cfg.inflight()} * (chunk + 64) +
           (size_t{cfg.inflight()} + 4) * 4096 + 65536;
}

Discovery discover(const DriverConfig &cfg) {
    Discovery d;
    d.models = cfg.models;
    if (!cfg.pci_ids.empty()) {
        auto found = pci_find(cfg.pci_ids);
        if (!found) {
            d.why += "PCI scan: " + found.error().message + ". ";
        } else if (found.value().empty()) {
            d.why += "no PCI function matches pci-ids. ";
        }
        if (found) {
            for (const PciFunction &fn : found.value()) {
                // Only a function that answers as FPI v1 is accepted: a real FastCrypt card
                // (whose interface is unknown, spec §1.2) is refused here.
                auto vf = vfio_open(fn.address);
                if (!vf) {
                    d.why += fn.address + ": " + vf.error().message + ". ";
                    continue;
                }
                auto bar = vf.value()->map_bar(0, FPI_BAR_SIZE);
                if (!bar) {
                    d.why += fn.address + ": BAR0: " + bar.error().message + ". ";
                    continue;
                }
                if (auto id = identify_fpi(*bar.value()); !id) {
                    d.why += fn.address + ": " + id.error().message + ". ";
                    continue;
                }
                d.pci.push_back(fn);
            }
        }
    }
    if (d.count() == 0 && d.why.empty())
        d.why = "no FastCrypt device: pci-ids is not configured (the real card's IDs are not "
                "public) and model = 0";
    else if (d.count() == 0)
        d.why = "no FastCrypt FPI v1 device: " + d.why + "model = 0";
    return d;
}

Result<std::unique_ptr<Transport>> make_model_transport(const DriverConfig &cfg) {
    auto t = std::make_unique<Transport>();
    t->origin = "model";
    t->arena = make_host_arena(arena_bytes(cfg, cfg.model.max_xfer), MODEL_BUS_BASE);
    if (!t->arena) return Error{Errc::NoMemory, "fastcrypt model: no host arena"};
    t->irq = make_eventfd_irq();
    if (!t->irq) return Error{Errc::NoMemory, "fastcrypt model: no eventfd"};
    t->model = std::make_unique<model::FpiModel>(*t->arena, *t->irq, cfg.model);
    t->mmio = std::make_unique<ModelWindow>(*t->model, 0, FPI_BAR_SIZE);
    return t;
}

Result<std::unique_ptr<Transport>> make_pci_transport(const PciFunction &fn,
                                                      const DriverConfig &cfg) {
    auto t = std::make_unique<Transport>();
    t->origin = fn.address;
    auto vf = vfio_open(fn.address);
    if (!vf) return vf.error();
    t->vfio = std::move(vf.value());
    if (auto r = t->vfio->enable_bus_master(); !r) return r.error();
    auto arena = t->vfio->make_arena(arena_bytes(cfg, 65536), VFIO_IOVA_BASE);
    if (!arena) return arena.error();
    t->arena = std::move(arena.value());
    auto irq = t->vfio->intx();
    if (!irq) return irq.error();
    t->irq = std::move(irq.value());
    auto bar = t->vfio->map_bar(0, FPI_BAR_SIZE);
    if (!bar) return bar.error();
    t->mmio = std::move(bar.value());
    return t;
}

} // namespace acrypto::hw::fastcrypt
