// SPDX-License-Identifier: Apache-2.0
// Reads acrypto's openssl.cnf keys from the core and rejects keys it does not know.
#include "config.hpp"

#include <openssl/conf.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <strings.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <set>

#include "acrypto/device.h"
#include "acrypto/sched/scheduler.hpp"

namespace acrypto::prov {

const char *const kConfigKeyNames[static_cast<int>(ConfigKey::Count)] = {
    "devices", "balancer", "plugin-dir", "inline-threshold", "aging-ms", "required", "algorithms",
};

namespace {

/// Keys OpenSSL's provider loader itself consumes.
const char *const kOpensslKeys[] = {"module", "activate", "identity", "soft_load"};

std::string lower(std::string s) {
    for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    size_t e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

bool valid_name(const std::string &s) {
    if (s.empty() || s.size() > 31) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

bool parse_uint(const std::string &s, uint64_t max, uint64_t &out) {
    if (s.empty() || s.size() > 19) return false;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > max) return false;
    out = v;
    return true;
}

/// One key of the provider's section as found in the configuration file (dotted for sub-sections).
struct FileKey {
    std::string name;
    std::string value;
};

/// Collect section `sect` (recursing into sub-sections as OpenSSL's provider loader does).
void collect_section(CONF *conf, const char *sect, const std::string &prefix,
                     std::vector<FileKey> &out, int depth) {
    STACK_OF(CONF_VALUE) *values = NCONF_get_section(conf, sect);
    if (values == nullptr || depth > 4) return;
    for (int i = 0; i < sk_CONF_VALUE_num(values); ++i) {
        CONF_VALUE *cv = sk_CONF_VALUE_value(values, i);
        std::string name = prefix + cv->name;
        if (NCONF_get_section(conf, cv->value) != nullptr)
            collect_section(conf, cv->value, name + ".", out, depth + 1);
        else
            out.push_back({name, cv->value});
    }
}

/// Keys of the section configuring provider `provider_name` in the active config file.
/// Returns false when the file or the section cannot be found (nothing to check).
bool file_keys(const char *provider_name, const char *module_file, std::vector<FileKey> &out,
               std::string &section) {
    const char *env = std::getenv("OPENSSL_CONF");
    char *deflt = nullptr;
    const char *file = env;
    if (file == nullptr) {
        deflt = CONF_get1_default_config_file();
        file = deflt;
    }
    if (file == nullptr) return false;
    ERR_set_mark();
    CONF *conf = NCONF_new(nullptr);
    bool found = false;
    if (conf != nullptr && NCONF_load(conf, file, nullptr) > 0) {
        const char *init = NCONF_get_string(conf, nullptr, "openssl_conf");
        const char *provs = init != nullptr ? NCONF_get_string(conf, init, "providers") : nullptr;
        STACK_OF(CONF_VALUE) *plist = provs != nullptr ? NCONF_get_section(conf, provs) : nullptr;
        auto base = [](const char *path) {
            const char *slash = std::strrchr(path, '/');
            return std::string(slash != nullptr ? slash + 1 : path);
        };
        // Our entry: the one named like this provider instance, else (an
        // `identity` renamed it) the one whose `module` is our module file.
        for (int pass = 0; pass < 2 && !found; ++pass) {
            for (int i = 0; plist != nullptr && i < sk_CONF_VALUE_num(plist); ++i) {
                CONF_VALUE *cv = sk_CONF_VALUE_value(plist, i);
                bool ours = false;
                if (pass == 0) {
                    ours = strcasecmp(cv->name, provider_name) == 0;
                } else if (module_file != nullptr) {
                    const char *mod = NCONF_get_string(conf, cv->value, "module");
                    ours = mod != nullptr && base(mod) == base(module_file);
                }
                if (!ours) continue;
                section = cv->value;
                collect_section(conf, cv->value, "", out, 0);
                found = true;
                break;
            }
        }
    }
    // Loading may leave parse errors on the queue; they are not ours to report.
    ERR_pop_to_mark();
    NCONF_free(conf);
    OPENSSL_free(deflt);
    return found;
}

std::string default_plugin_dir(const char *module_filename) {
    if (module_filename != nullptr && *module_filename != '\0') {
        std::string m(module_filename);
        size_t slash = m.rfind('/');
        std::string dir = slash == std::string::npos ? "." : m.substr(0, slash);
        return dir + "/acrypto";
    }
    if (const char *env = std::getenv("ACRYPTO_PLUGIN_DIR")) return env;
#ifdef ACRYPTO_DEFAULT_PLUGIN_DIR
    return ACRYPTO_DEFAULT_PLUGIN_DIR;
#else
    return "acrypto";
#endif
}

/// Ask the core for `names`; fills values (nullptr when absent).
bool core_values(const CoreAccess &core, const std::vector<std::string> &names,
                 std::vector<const char *> &values) {
    values.assign(names.size(), nullptr);
    if (core.get_params == nullptr || names.empty()) return true;
    std::vector<OSSL_PARAM> params;
    params.reserve(names.size() + 1);
    for (size_t i = 0; i < names.size(); ++i)
        params.push_back(
            OSSL_PARAM_construct_utf8_ptr(names[i].c_str(), const_cast<char **>(&values[i]), 0));
    params.push_back(OSSL_PARAM_construct_end());
    return core.get_params(core.handle, params.data()) != 0;
}

} // namespace

std::vector<std::string> split_list(const std::string &s) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t comma = s.find(',', pos);
        if (comma == std::string::npos) comma = s.size();
        std::string item = trim(s.substr(pos, comma - pos));
        if (!item.empty()) out.push_back(item);
        pos = comma + 1;
    }
    return out;
}

bool load_settings(const CoreAccess &core, const std::vector<std::string> &algorithm_names,
                   Settings &out, std::string &error) {
    // Provider identity and module path.
    const char *prov_name = nullptr;
    const char *module_file = nullptr;
    {
        OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_CORE_PROV_NAME,
                                                        const_cast<char **>(&prov_name), 0),
                          OSSL_PARAM_construct_utf8_ptr(OSSL_PROV_PARAM_CORE_MODULE_FILENAME,
                                                        const_cast<char **>(&module_file), 0),
                          OSSL_PARAM_construct_end()};
        if (core.get_params != nullptr) (void)core.get_params(core.handle, p);
    }
    if (prov_name == nullptr) prov_name = "acrypto";

    // Top-level keys.
    std::vector<std::string> top(kConfigKeyNames,
                                 kConfigKeyNames + static_cast<int>(ConfigKey::Count));
    std::vector<const char *> vals;
    if (!core_values(core, top, vals)) {
        error = "cannot read configuration parameters from the core";
        return false;
    }
    auto val = [&](ConfigKey k) { return vals[static_cast<int>(k)]; };

    if (const char *v = val(ConfigKey::Devices)) {
        out.devices = split_list(v);
        out.devices_default = false;
        if (out.devices.empty()) {
            error = "devices: empty list";
            return false;
        }
    }
    for (const auto &d : out.devices) {
        if (!valid_name(d)) {
            error = "devices: bad driver name '" + d + "'";
            return false;
        }
    }
    if (const char *v = val(ConfigKey::Balancer)) {
        out.balancer = trim(v);
        if (!valid_name(out.balancer)) {
            error = std::string("balancer: bad name '") + v + "'";
            return false;
        }
    }
    if (const char *v = val(ConfigKey::PluginDir)) {
        out.plugin_dir = trim(v);
        struct stat sb {};
        if (out.plugin_dir.empty() || stat(out.plugin_dir.c_str(), &sb) != 0 ||
            !S_ISDIR(sb.st_mode)) {
            error = std::string("plugin-dir: not a directory: '") + v + "'";
            return false;
        }
    } else {
        out.plugin_dir = default_plugin_dir(module_file);
    }
    if (const char *v = val(ConfigKey::InlineThreshold)) {
        std::string s = lower(trim(v));
        uint64_t n = 0;
        if (s == "auto") {
            out.inline_auto = true;
        } else if (parse_uint(s, uint64_t{1} << 30, n)) {
            out.inline_auto = false;
            out.inline_threshold = static_cast<size_t>(n);
        } else {
            error = std::string("inline-threshold: expected bytes or 'auto', got '") + v + "'";
            return false;
        }
    }
    if (const char *v = val(ConfigKey::AgingMs)) {
        uint64_t n = 0;
        if (!parse_uint(trim(v), 60000, n)) {
            error = std::string("aging-ms: expected 0..60000, got '") + v + "'";
            return false;
        }
        out.aging_ms = static_cast<uint32_t>(n);
    }
    if (const char *v = val(ConfigKey::Required)) {
        out.required = split_list(v);
        for (const auto &r : out.required) {
            if (std::find(out.devices.begin(), out.devices.end(), r) == out.devices.end()) {
                error = "required: driver '" + r + "' is not listed in devices";
                return false;
            }
        }
    }

    // Per-algorithm priorities.
    std::set<std::string> algs;
    for (const auto &n : algorithm_names) algs.insert(lower(n));

    if (const char *v = val(ConfigKey::Algorithms)) {
        const std::string all = lower(trim(v));
        if (all != "all") {
            for (const auto &a : split_list(v)) {
                if (algs.count(lower(a)) == 0) {
                    error = "algorithms: acrypto registers no algorithm named '" + a + "'";
                    return false;
                }
                out.algorithms.push_back(lower(a));
            }
            if (out.algorithms.empty()) {
                error = "algorithms: empty list";
                return false;
            }
        }
    }
    {
        std::vector<std::string> names;
        names.reserve(algs.size());
        for (const auto &a : algs) names.push_back(kPriorityPrefix + a);
        if (!core_values(core, names, vals)) {
            error = "cannot read priority parameters from the core";
            return false;
        }
        for (size_t i = 0; i < names.size(); ++i) {
            if (vals[i] == nullptr) continue;
            uint64_t n = 0;
            if (!parse_uint(trim(vals[i]), ACRYPTO_PRIO_MAX, n)) {
                error = names[i] + ": expected 0..7, got '" + vals[i] + "'";
                return false;
            }
            out.priorities.emplace_back(names[i].substr(std::strlen(kPriorityPrefix)),
                                        static_cast<uint32_t>(n));
        }
    }

    // Per-driver keys, asked for by the names each driver declares.
    std::map<std::string, std::vector<std::string>> declared;
    for (const auto &drv : out.devices) {
        std::vector<std::string> keys;
        if (!acrypto::sched::driver_config_keys(out.plugin_dir, drv, keys))
            continue; // reported when the scheduler opens it
        std::vector<std::string> names;
        names.reserve(keys.size());
        for (const auto &k : keys) names.push_back(drv + "." + k);
        if (!core_values(core, names, vals)) {
            error = "cannot read " + drv + " parameters from the core";
            return false;
        }
        acrypto::sched::Config cfg;
        for (size_t i = 0; i < names.size(); ++i) {
            if (vals[i] != nullptr) cfg.set(keys[i], vals[i]);
        }
        out.driver_config[drv] = cfg;
        declared[drv] = std::move(keys);
    }

    // Unknown keys: only what the configuration file shows (3.0 answers named keys only).
    std::vector<FileKey> fkeys;
    std::string section;
    if (file_keys(prov_name, module_file, fkeys, section)) {
        std::vector<std::string> bal_names;
        for (const auto &fk : fkeys) {
            const std::string &k = fk.name;
            bool known = false;
            for (const char *o : kOpensslKeys) known = known || k == o;
            for (const char *o : kConfigKeyNames) known = known || k == o;
            if (known) continue;
            size_t dot = k.find('.');
            if (dot == std::string::npos) {
                error = "unknown key '" + k + "' in section [" + section + "]";
                return false;
            }
            std::string head = k.substr(0, dot);
            std::string tail = k.substr(dot + 1);
            if (head + "." == kPriorityPrefix) {
                if (algs.count(lower(tail)) == 0) {
                    error = "unknown algorithm in key '" + k + "' in section [" + section + "]";
                    return false;
                }
                continue;
            }
            if (head == out.balancer) {
                bal_names.push_back(k);
                continue;
            }
            auto it = declared.find(head);
            if (it == declared.end()) {
                if (std::find(out.devices.begin(), out.devices.end(), head) != out.devices.end())
                    continue; // driver not loadable: its probe reports the problem
                error = "unknown key '" + k + "' in section [" + section + "] (driver '" + head +
                        "' is not listed in devices)";
                return false;
            }
            if (std::find(it->second.begin(), it->second.end(), tail) == it->second.end()) {
                std::string list;
                for (const auto &d : it->second) list += (list.empty() ? "" : ", ") + d;
                error = "unknown key '" + k + "' in section [" + section + "]: driver '" + head +
                        "' accepts: " + (list.empty() ? "no keys" : list);
                return false;
            }
        }
        if (!bal_names.empty()) {
            if (!core_values(core, bal_names, vals)) {
                error = "cannot read balancer parameters from the core";
                return false;
            }
            for (size_t i = 0; i < bal_names.size(); ++i) {
                if (vals[i] != nullptr)
                    out.balancer_config.set(bal_names[i].substr(out.balancer.size() + 1), vals[i]);
            }
        }
    }
    return true;
}

} // namespace acrypto::prov
