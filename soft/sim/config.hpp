// SPDX-License-Identifier: Apache-2.0
// SimConfig: the sim driver's configuration keys (enum + names table) and their parser.
#pragma once

#include <cstdint>
#include <string>

#include "acrypto/device.h"

namespace acrypto::soft::sim {

/// What the device does with a session's data.
enum class SimMode {
    Null,    ///< complete without touching data (measures the stack's own overhead)
    Compute, ///< run the real AES/SHA/HMAC with libcrypto so results verify
};

/// Configuration keys, declared once (STYLE.md §3).
enum class SimKey {
    Instances,
    Name,
    Mode,
    LatencyUs,
    RateMbps,
    QueueLen,
    Slots,
    FailRate,
    StallRate,
    StallMs,
    BreakAfter,
    Seed,
    BreakMs,
    StallFirst,
    Count
};
/// NULL-terminated key names in SimKey order (the driver's config_keys).
extern const char *const kSimKeyNames[];

/// Parsed configuration.
struct SimConfig {
    uint32_t instances = 1;   ///< instances probe reports
    std::string name = "sim"; ///< instance names: <name>0, <name>1, ...
    SimMode mode = SimMode::Compute;
    uint32_t latency_us = 0; ///< fixed time from dequeue to completion
    double rate_mbps = 0;    ///< emulated throughput in Mbit/s (10^6 bit/s); 0 = unlimited
    uint32_t queue_len = 256;
    uint32_t slots = 16;   ///< sessions in flight at once
    double fail_rate = 0;  ///< fraction completed with ACRYPTO_E_DEVICE
    double stall_rate = 0; ///< fraction held for stall_ms, then completed
    uint32_t stall_ms = 50;
    uint64_t break_after = 0; ///< mark_broken after this many sessions (0 = never)
    /// How long a break lasts: once elapsed, the next self-test passes and the device
    /// takes work again, its break-after count starting over (0 = broken until closed).
    uint32_t break_ms = 0;
    uint64_t stall_first = 0; ///< the first this many sessions are stalled (cold-start tests)
    uint64_t seed = 1;        ///< fault pattern seed (per instance: seed + index)

    /// Whether sessions complete inside data_ready (null mode, no timing, no faults).
    bool immediate() const noexcept {
        return mode == SimMode::Null && latency_us == 0 && rate_mbps == 0 && stall_rate == 0 &&
               stall_first == 0;
    }
};

/// Parse; false with a message naming the offending key.
bool parse_config(const acrypto_config *cfg, SimConfig &out, std::string &why);

} // namespace acrypto::soft::sim
