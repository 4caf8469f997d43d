// SPDX-License-Identifier: Apache-2.0
// Parses native configuration files: the provider's keys, one `key = value` per line.
#include "conf.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace acrypto::native {

namespace {

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::vector<std::string> split_list(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!(item = trim(item)).empty()) out.push_back(item);
    return out;
}

bool valid_name(const std::string &s) {
    return !s.empty() && s.size() <= 31 && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

bool parse_uint(const std::string &s, uint64_t max, uint64_t &out) {
    if (s.empty() || s.size() > 19 || !std::all_of(s.begin(), s.end(), ::isdigit)) return false;
    out = std::stoull(s);
    return out <= max;
}

} // namespace

bool parse_config(const std::string &text, ProcessConfig &out, std::string &error) {
    std::vector<std::pair<std::string, std::string>> dotted; // checked once devices are known
    std::istringstream in(text);
    std::string line;
    for (int lineno = 1; std::getline(in, line); ++lineno) {
        size_t hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        line = trim(line);
        if (line.empty()) continue;
        size_t eq = line.find('=');
        std::string where = "line " + std::to_string(lineno) + ": ";
        if (eq == std::string::npos) {
            error = where + "expected 'key = value'";
            return false;
        }
        std::string k = trim(line.substr(0, eq));
        std::string v = trim(line.substr(eq + 1));
        uint64_t n = 0;
        if (k == "devices") {
            out.devices = split_list(v);
            if (out.devices.empty()) {
                error = where + "devices: empty list";
                return false;
            }
            for (const auto &d : out.devices)
                if (!valid_name(d)) {
                    error = where + "devices: bad driver name '" + d + "'";
                    return false;
                }
        } else if (k == "required") {
            out.required = split_list(v);
        } else if (k == "balancer") {
            if (!valid_name(v)) {
                error = where + "balancer: bad name '" + v + "'";
                return false;
            }
            out.balancer = v;
        } else if (k == "plugin-dir") {
            struct stat sb {};
            if (v.empty() || stat(v.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                error = where + "plugin-dir: not a directory: '" + v + "'";
                return false;
            }
            out.plugin_dir = v;
        } else if (k == "inline-threshold") {
            if (v == "auto") {
                out.inline_threshold = 2048;
            } else if (parse_uint(v, uint64_t{1} << 30, n)) {
                out.inline_threshold = static_cast<size_t>(n);
            } else {
                error = where + "inline-threshold: expected bytes or 'auto', got '" + v + "'";
                return false;
            }
        } else if (k == "aging-ms") {
            if (!parse_uint(v, 60000, n)) {
                error = where + "aging-ms: expected 0..60000, got '" + v + "'";
                return false;
            }
            out.aging_ms = static_cast<uint32_t>(n);
        } else if (k.find('.') != std::string::npos) {
            dotted.emplace_back(k, v);
        } else {
            error = where + "unknown key '" + k + "'";
            return false;
        }
    }
    for (const auto &r : out.required)
        if (std::find(out.devices.begin(), out.devices.end(), r) == out.devices.end()) {
            error = "required: driver '" + r + "' is not listed in devices";
            return false;
        }
    const std::string dir = out.plugin_dir.empty() ? default_plugin_dir() : out.plugin_dir;
    std::map<std::string, std::vector<std::string>> declared;
    for (const auto &[k, v] : dotted) {
        size_t dot = k.find('.');
        std::string head = k.substr(0, dot), tail = k.substr(dot + 1);
        if (head == "priority")
            continue; // per-algorithm priorities are EVP names: the provider's business
        if (head == out.balancer) {
            out.balancer_config.set(tail, v);
            continue;
        }
        if (std::find(out.devices.begin(), out.devices.end(), head) == out.devices.end()) {
            error = "unknown key '" + k + "' (driver '" + head + "' is not listed in devices)";
            return false;
        }
        auto it = declared.find(head);
        if (it == declared.end()) {
            std::vector<std::string> keys;
            if (!acrypto::sched::driver_config_keys(dir, head, keys))
                keys.push_back("*"); // not loadable: its probe reports the problem
            it = declared.emplace(head, std::move(keys)).first;
        }
        const auto &keys = it->second;
        if (keys != std::vector<std::string>{"*"} &&
            std::find(keys.begin(), keys.end(), tail) == keys.end()) {
            std::string list;
            for (const auto &d : keys) list += (list.empty() ? "" : ", ") + d;
            error = "unknown key '" + k + "' (driver '" + head + "' accepts: " + list + ")";
            return false;
        }
        out.driver_config[head].set(tail, v);
    }
    return true;
}

bool load_config_file(const char *path, ProcessConfig &out, std::string &error) {
    std::ifstream f(path);
    if (!f) {
        error = std::string("cannot read configuration file '") + path + "'";
        return false;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    if (!parse_config(ss.str(), out, error)) {
        error = std::string(path) + ": " + error;
        return false;
    }
    return true;
}

} // namespace acrypto::native
