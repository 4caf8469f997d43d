// SPDX-License-Identifier: Apache-2.0
// The process's one scheduler, shared by native API contexts (and, linked, by the provider).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "acrypto/sched/config.hpp"
#include "acrypto/sched/result.hpp"
#include "acrypto/sched/scheduler.hpp"

namespace acrypto::native {

/// What the process scheduler is built from: the provider section's keys, parsed.
struct ProcessConfig {
    std::vector<std::string> devices{"cpu"}; ///< drivers to load and open
    std::vector<std::string> required;       ///< drivers whose absence is an error
    std::string balancer = "least-loaded";   ///< built-in or plugin balancer
    acrypto::sched::Config balancer_config;  ///< the balancer's keys
    std::string plugin_dir;                  ///< empty: default_plugin_dir()
    size_t inline_threshold = 2048;          ///< bytes; 0 never inline
    uint32_t aging_ms = 10;                  ///< priority aging step
    std::map<std::string, acrypto::sched::Config> driver_config; ///< driver -> its keys
};

/// A reference to the process scheduler; the last one dropped shuts it down.
using SchedulerRef = std::shared_ptr<acrypto::sched::SchedulerCore>;

/**
 * The process scheduler: the running one if any (then `cfg` is not applied and
 * `messages` says so), else a new one built from `cfg`. `messages` receives the
 * probe messages (drivers asked for but absent). Thread-safe; may block (loads
 * plugins, probes devices). Error: a required driver is absent, no device opened,
 * bad balancer.
 */
acrypto::sched::Result<SchedulerRef> acquire_process_scheduler(const ProcessConfig &cfg,
                                                               std::string *messages);

/// The running process scheduler, or null. Thread-safe, never blocks for long.
SchedulerRef current_process_scheduler();

/**
 * Where plugins are found when no plugin-dir is configured: $ACRYPTO_PLUGIN_DIR,
 * else the `acrypto` folder beside libacrypto.so (dladdr), else the installed folder.
 */
std::string default_plugin_dir();

} // namespace acrypto::native
