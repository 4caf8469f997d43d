// SPDX-License-Identifier: Apache-2.0
// MbConfig: the mb device's configuration keys (declared once: enum + names table) and parser.
#pragma once

#include <cstdint>
#include <string>

#include "acrypto/device.h"
#include "acrypto/soft/mb/arch.hpp"

namespace acrypto::soft::mb {

/// Configuration keys, in the order of kConfigKeyNames.
enum class ConfigKey : uint8_t { Workers, FlushUs, Arch, QueueLen, LingerUs, PollUs, Count };

/// NULL-terminated key names for acrypto_device_driver::config_keys.
extern const char *const kConfigKeyNames[];

/// Parsed configuration with defaults.
struct MbConfig {
    uint32_t workers = 1;      ///< worker threads, one IMB_MGR each (1..64)
    uint32_t flush_us = 20;    ///< latency budget of a priority-4 session in a partial batch, us
    Arch arch = Arch::Auto;    ///< code path
    uint32_t queue_len = 1024; ///< sessions the scheduler may queue before the device is busy
    uint32_t linger_us = 0; ///< wait this long for more work before flushing an idle partial batch
    uint32_t poll_us = 30;  ///< look at an empty queue this long before sleeping (no batch held)
};

/// Parse `cfg`. Unknown key or bad value: false with a message naming it in `*why`.
bool parse_config(const acrypto_config *cfg, MbConfig *out, std::string *why);

} // namespace acrypto::soft::mb
