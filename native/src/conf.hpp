// SPDX-License-Identifier: Apache-2.0
// Native configuration files: `key = value` lines with the provider section's keys.
#pragma once

#include <string>

#include "acrypto/native/process_scheduler.hpp"

namespace acrypto::native {

/// Parse `text` (contents of a configuration file) into `out`. False with `error`
/// naming the line and key at fault. Driver keys are checked against each driver's
/// declared keys when its plugin can be loaded.
bool parse_config(const std::string &text, ProcessConfig &out, std::string &error);

/// Read and parse `path`. False with `error`.
bool load_config_file(const char *path, ProcessConfig &out, std::string &error);

} // namespace acrypto::native
