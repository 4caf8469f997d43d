// SPDX-License-Identifier: Apache-2.0
// parse_config: the padlock driver's keys, values and defaults.
#include "config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace acrypto::hw::padlock {

const char *const kConfigKeyNames[] = {
    "backend",
    "profile",
    "workers",
    "inline",
    "rng-divisor",
    "rng-fault",
    "rng-seed",
    "emulator-interrupt",
    "emulator-context-switch",
    "emulator-iv-model",
    nullptr,
};
static_assert(sizeof(kConfigKeyNames) / sizeof(kConfigKeyNames[0]) ==
              static_cast<size_t>(ConfigKey::Count) + 1);

namespace {

bool parse_u64(std::string_view v, uint64_t max, uint64_t *out) {
    if (v.empty() || v.size() > 20) return false;
    std::string s(v);
    errno = 0;
    char *end = nullptr;
    const unsigned long long x = std::strtoull(s.c_str(), &end, 0);
    if (errno || !end || *end || s[0] == '-' || x > max) return false;
    *out = x;
    return true;
}

int bad(std::string *why, std::string_view key, std::string_view value, const char *expect) {
    *why = "padlock: bad value '" + std::string(value) + "' for '" + std::string(key) +
           "' (expected " + expect + ")";
    return ACRYPTO_E_INVALID;
}

} // namespace

int parse_config(const acrypto_config *cfg, DriverConfig *out, std::string *why) {
    *out = DriverConfig{};
    if (!cfg) return ACRYPTO_OK;
    for (uint32_t i = 0; i < cfg->count; ++i) {
        const char *k = cfg->items[i].key;
        const char *v = cfg->items[i].value;
        if (!k || !v) {
            *why = "padlock: configuration item without key or value";
            return ACRYPTO_E_INVALID;
        }
        const std::string_view key(k), value(v);
        size_t idx = 0;
        while (kConfigKeyNames[idx] && key != kConfigKeyNames[idx]) ++idx;
        if (!kConfigKeyNames[idx]) {
            *why = "padlock: unknown configuration key '" + std::string(key) + "'";
            return ACRYPTO_E_INVALID;
        }
        uint64_t n = 0;
        switch (static_cast<ConfigKey>(idx)) {
        case ConfigKey::Backend:
            if (value == "auto")
                out->backend = BackendKind::Auto;
            else if (value == "native")
                out->backend = BackendKind::Native;
            else if (value == "emulator")
                out->backend = BackendKind::Emulator;
            else
                return bad(why, key, value, "auto, native or emulator");
            break;
        case ConfigKey::Profile: {
            const auto p = emu::parse_profile(value);
            if (!p)
                return bad(why, key, value,
                           "c3-nehemiah, c7, nano, nano-stepping-2, zhaoxin-f6 or zhaoxin-f7");
            out->profile = *p;
            out->emulator_keys_used = true;
            break;
        }
        case ConfigKey::Workers:
            if (!parse_u64(value, 16, &n) || n == 0) return bad(why, key, value, "1..16");
            out->workers = static_cast<uint32_t>(n);
            break;
        case ConfigKey::Inline:
            if (value == "yes" || value == "1" || value == "true")
                out->inline_ok = true;
            else if (value == "no" || value == "0" || value == "false")
                out->inline_ok = false;
            else
                return bad(why, key, value, "yes or no");
            break;
        case ConfigKey::RngDivisor:
            if (!parse_u64(value, 3, &n)) return bad(why, key, value, "0..3");
            out->rng_divisor = static_cast<uint32_t>(n);
            break;
        case ConfigKey::RngFault: {
            const auto f = emu::parse_rng_fault(value);
            if (!f)
                return bad(why, key, value,
                           "none, stuck, stuck-bits, not-ready, bias, filter-failed, raw-bits, "
                           "disabled or bad-count");
            out->rng_fault = *f;
            out->emulator_keys_used = true;
            break;
        }
        case ConfigKey::RngSeed:
            if (!parse_u64(value, UINT64_MAX, &n))
                return bad(why, key, value, "an unsigned 64-bit number");
            out->rng_seed = n;
            out->emulator_keys_used = true;
            break;
        case ConfigKey::EmuInterrupt:
            if (!parse_u64(value, UINT32_MAX, &n))
                return bad(why, key, value, "a block count, 0 = off");
            out->emu_interrupt = static_cast<uint32_t>(n);
            out->emulator_keys_used = true;
            break;
        case ConfigKey::EmuContextSwitch:
            if (!parse_u64(value, UINT32_MAX, &n))
                return bad(why, key, value, "N for one in N instructions, 0 = off");
            out->emu_context_switch = static_cast<uint32_t>(n);
            out->emulator_keys_used = true;
            break;
        case ConfigKey::EmuIvModel:
            if (value == "strict")
                out->emu_iv_model = emu::IvModel::Strict;
            else if (value == "compat")
                out->emu_iv_model = emu::IvModel::Compat;
            else
                return bad(why, key, value, "strict or compat");
            out->emulator_keys_used = true;
            break;
        case ConfigKey::Count: break;
        }
    }
    return ACRYPTO_OK;
}

} // namespace acrypto::hw::padlock
