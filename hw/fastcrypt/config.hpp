// SPDX-License-Identifier: Apache-2.0
// FastCrypt driver configuration: the keys, their defaults and the parser.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "acrypto/device.h"
#include "acrypto/hw/pci.hpp"
#include "acrypto/hw/result.hpp"
#include "model/fpi_model.hpp"

namespace acrypto::hw::fastcrypt {

/// Every configuration key, declared once (names in config.cpp, same order).
enum class CfgKey : uint32_t {
    Model,          ///< number of model instances (default 0)
    PciIds,         ///< "vvvv:dddd[,...]": real-PCI match table (never hard-coded)
    RingSize,       ///< descriptor ring entries, power of two 4..4096 (default 64)
    MaxInflight,    ///< descriptors in flight at once, bounce buffers (default min(ring-1, 64))
    WatchdogMs,     ///< no progress for this long with work posted: reset (default 2000)
    IrqPollMs,      ///< interrupt wait slice; a lost IRQ degrades to this poll (default 20)
    ReadyTimeoutMs, ///< SOFT_RESET to READY bound (default 500)
    MaxRetries,     ///< re-submissions of one session after faults (default 2)
    MaxRecoveries,  ///< consecutive resets without progress before "broken" (default 3)
    ModelResetLatencyUs, ///< model: SOFT_RESET to READY, microseconds (default 0)
    ModelDescNs,         ///< model: fixed cost per descriptor, ns (default 0; arbitrary)
    ModelBytePs,         ///< model: cost per byte, ps (default 0; arbitrary)
    ModelMaxXfer,        ///< model: MAX_XFER register (default 65536)
    ModelDma64,          ///< model: CAPS.DMA64 (default 0)
    ModelId,             ///< model: ID register override (refusal tests)
    ModelVersion,        ///< model: VERSION register override (refusal tests)
    ModelCaps,           ///< model: CAPS register override
    ModelDelayMs,        ///< model: length of an injected delay fault (default 3000)
    FaultRate,           ///< model: probability of a random fault per descriptor (default 0)
    FaultKinds,          ///< model: comma list of
                ///< src-dma,dst-dma,fetch,status-write,delay,stall,spurious-irq,lost-irq,all
    FaultSeed, ///< model: fault generator seed (default 1)
    Count
};

/// NULL-terminated key names for acrypto_device_driver::config_keys.
extern const char *const CONFIG_KEY_NAMES[];

/// Parsed configuration.
struct DriverConfig {
    uint32_t models = 0;
    std::vector<PciId> pci_ids;
    uint32_t ring_size = 64;
    uint32_t max_inflight = 0; ///< 0: min(ring_size - 1, 64)
    std::chrono::milliseconds watchdog{2000};
    std::chrono::milliseconds irq_poll{20};
    std::chrono::milliseconds ready_timeout{500};
    uint32_t max_retries = 2;
    uint32_t max_recoveries = 3;
    model::ModelOptions model; ///< model registers, timing and faults

    /// Effective in-flight bound.
    uint32_t inflight() const {
        const uint32_t cap = ring_size - 1;
        if (max_inflight == 0) return cap < 64 ? cap : 64;
        return max_inflight < cap ? max_inflight : cap;
    }
};

/// Parse and validate; an unknown key or a bad value is InvalidInput naming it.
Result<DriverConfig> parse_config(const acrypto_config *cfg);

} // namespace acrypto::hw::fastcrypt
