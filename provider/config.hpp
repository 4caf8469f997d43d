// SPDX-License-Identifier: Apache-2.0
// Provider configuration: the keys of acrypto's openssl.cnf section, parsed and validated.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "acrypto/sched/config.hpp"

namespace acrypto::prov {

/// Every top-level key of the provider section, declared once (names in kConfigKeyNames).
enum class ConfigKey : int {
    Devices,         ///< comma list of drivers to open (default "cpu, mb")
    Balancer,        ///< balancer name (default "least-loaded")
    PluginDir,       ///< plugin folder (default: "acrypto" beside the module file)
    InlineThreshold, ///< bytes below which work runs on the caller's thread, or "auto"
    AgingMs,         ///< queued sessions gain one priority level per aging-ms
    Required,        ///< drivers whose absence fails provider start-up
    Algorithms,      ///< comma list of the algorithm names acrypto offers (default: all)
    Count
};

/// Names of ConfigKey values, same order.
extern const char *const kConfigKeyNames[static_cast<int>(ConfigKey::Count)];

/// Inline threshold in bytes used for inline-threshold = auto.
inline constexpr size_t kAutoInlineThreshold = 2048;

/// Prefix of per-algorithm priority keys: "priority.<algorithm>".
inline constexpr const char kPriorityPrefix[] = "priority.";

/// Parsed configuration.
struct Settings {
    /// Embedded default: cpu, plus mb where intel-ipsec-mb and the CPU support it (a
    /// default driver that cannot open is skipped quietly; a listed one is reported).
    std::vector<std::string> devices{"cpu", "mb"};
    bool devices_default = true; ///< no devices key: the embedded list above
    std::string balancer = "least-loaded";
    acrypto::sched::Config balancer_config;
    std::string plugin_dir;
    bool inline_auto = true;
    size_t inline_threshold = 0;
    uint32_t aging_ms = 100;
    std::vector<std::string> required;
    /// Lowercase names from the algorithms key; empty: every algorithm is offered.
    std::vector<std::string> algorithms;
    std::vector<std::pair<std::string, uint32_t>> priorities; ///< lowercase algorithm name -> 0..7
    std::map<std::string, acrypto::sched::Config> driver_config; ///< driver -> its keys
};

/// Inputs the loader needs from the core.
struct CoreAccess {
    const OSSL_CORE_HANDLE *handle = nullptr;
    OSSL_FUNC_core_get_params_fn *get_params = nullptr;
};

/**
 * Read the provider's keys from the core (asked for by name), check the active
 * configuration file's section for keys acrypto does not know, parse values.
 * `algorithm_names` are every name the provider registers (for priority.<alg>).
 * Returns false with `error` naming the key at fault.
 */
bool load_settings(const CoreAccess &core, const std::vector<std::string> &algorithm_names,
                   Settings &out, std::string &error);

/// Split "a, b,c" into trimmed non-empty items.
std::vector<std::string> split_list(const std::string &s);

} // namespace acrypto::prov
