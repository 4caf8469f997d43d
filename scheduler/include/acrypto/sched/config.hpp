// SPDX-License-Identifier: Apache-2.0
// Config: an ordered list of key/value strings handed to the scheduler and plugins.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "acrypto/device.h"

namespace acrypto::sched {

/// Ordered key/value strings (a configuration section, prefix removed).
class Config {
  public:
    Config() = default;
    Config(std::initializer_list<std::pair<std::string, std::string>> items) : items_(items) {}
    void set(std::string key, std::string value);
    /// Value of `key`, or nullptr.
    const std::string *find(std::string_view key) const;
    const std::vector<std::pair<std::string, std::string>> &items() const { return items_; }
    /// The items whose key starts with `prefix` + ".", with the prefix removed.
    Config section(std::string_view prefix) const;
    /// A C view valid while this Config and the returned holder live.
    struct CView {
        std::vector<acrypto_kv> kv;
        acrypto_config cfg{};
    };
    CView c_view() const;

  private:
    std::vector<std::pair<std::string, std::string>> items_;
};

} // namespace acrypto::sched
