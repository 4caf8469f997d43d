// SPDX-License-Identifier: Apache-2.0
// Config: ordered key/value strings and their C view for plugins.
#include "acrypto/sched/config.hpp"

namespace acrypto::sched {

void Config::set(std::string key, std::string value) {
    for (auto &kv : items_) {
        if (kv.first == key) {
            kv.second = std::move(value);
            return;
        }
    }
    items_.emplace_back(std::move(key), std::move(value));
}

const std::string *Config::find(std::string_view key) const {
    for (const auto &kv : items_)
        if (kv.first == key) return &kv.second;
    return nullptr;
}

Config Config::section(std::string_view prefix) const {
    Config out;
    for (const auto &kv : items_) {
        std::string_view k = kv.first;
        if (k.size() > prefix.size() && k.substr(0, prefix.size()) == prefix &&
            k[prefix.size()] == '.')
            out.items_.emplace_back(std::string(k.substr(prefix.size() + 1)), kv.second);
    }
    return out;
}

Config::CView Config::c_view() const {
    CView v;
    v.kv.reserve(items_.size());
    for (const auto &kv : items_) v.kv.push_back(acrypto_kv{kv.first.c_str(), kv.second.c_str()});
    v.cfg.items = v.kv.empty() ? nullptr : v.kv.data();
    v.cfg.count = static_cast<uint32_t>(v.kv.size());
    return v;
}

} // namespace acrypto::sched
