// SPDX-License-Identifier: Apache-2.0
// FastCrypt configuration parser: strict, every error names the key and the value.
#include "config.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace acrypto::hw::fastcrypt {

const char *const CONFIG_KEY_NAMES[] = {"model",
                                        "pci-ids",
                                        "ring-size",
                                        "max-inflight",
                                        "watchdog-ms",
                                        "irq-poll-ms",
                                        "ready-timeout-ms",
                                        "max-retries",
                                        "max-recoveries",
                                        "model-reset-latency-us",
                                        "model-desc-ns",
                                        "model-byte-ps",
                                        "model-max-xfer",
                                        "model-dma64",
                                        "model-id",
                                        "model-version",
                                        "model-caps",
                                        "model-delay-ms",
                                        "fault-rate",
                                        "fault-kinds",
                                        "fault-seed",
                                        nullptr};
static_assert(sizeof(CONFIG_KEY_NAMES) / sizeof(CONFIG_KEY_NAMES[0]) ==
              static_cast<size_t>(CfgKey::Count) + 1);

namespace {

Error bad(const char *key, const char *value, const char *why) {
    return Error{Errc::InvalidInput,
                 std::string("fastcrypt: ") + key + " = \"" + value + "\": " + why};
}

bool parse_u64(const char *s, uint64_t *out) {
    if (s == nullptr || *s == '\0' || *s == '-') return false;
    errno = 0;
    char *end = nullptr;
    const unsigned long long v = std::strtoull(s, &end, 0); // decimal or 0x hex
    if (errno != 0 || end == s || *end != '\0') return false;
    *out = v;
    return true;
}

bool is_pow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

Result<uint32_t> parse_kinds(const char *key, const char *value) {
    uint32_t mask = 0;
    std::string_view rest(value);
    while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.empty()) continue;
        if (item == "all") {
            mask |= (1u << static_cast<uint32_t>(model::FaultKind::Count)) - 1;
            continue;
        }
        bool found = false;
        for (uint32_t i = 0; i < static_cast<uint32_t>(model::FaultKind::Count); ++i)
            if (item == model::fault_name(static_cast<model::FaultKind>(i))) {
                mask |= 1u << i;
                found = true;
            }
        if (!found) return bad(key, value, "unknown fault kind");
    }
    return mask;
}

} // namespace

Result<DriverConfig> parse_config(const acrypto_config *cfg) {
    DriverConfig c;
    if (cfg == nullptr) return c;
    for (uint32_t i = 0; i < cfg->count; ++i) {
        const char *key = cfg->items[i].key;
        const char *value = cfg->items[i].value != nullptr ? cfg->items[i].value : "";
        if (key == nullptr)
            return Error{Errc::InvalidInput, "fastcrypt: configuration item without a key"};
        int which = -1;
        for (int k = 0; CONFIG_KEY_NAMES[k] != nullptr; ++k)
            if (std::strcmp(key, CONFIG_KEY_NAMES[k]) == 0) which = k;
        if (which < 0) return bad(key, value, "unknown key");
        const auto id = static_cast<CfgKey>(which);
        uint64_t n = 0;
        const bool numeric =
            id != CfgKey::PciIds && id != CfgKey::FaultKinds && id != CfgKey::FaultRate;
        if (numeric && !parse_u64(value, &n)) return bad(key, value, "not an unsigned number");
        auto limit = [&](uint64_t lo, uint64_t hi) { return n >= lo && n <= hi; };
        switch (id) {
        case CfgKey::Model:
            if (!limit(0, 16)) return bad(key, value, "must be 0..16");
            c.models = static_cast<uint32_t>(n);
            break;
        case CfgKey::PciIds: {
            auto ids = parse_pci_ids(value);
            if (!ids) return bad(key, value, ids.error().message.c_str());
            c.pci_ids = std::move(ids.value());
            break;
        }
        case CfgKey::RingSize:
            if (!is_pow2(n) || !limit(4, 4096))
                return bad(key, value, "must be a power of two 4..4096");
            c.ring_size = static_cast<uint32_t>(n);
            break;
        case CfgKey::MaxInflight:
            if (!limit(1, 4095)) return bad(key, value, "must be 1..4095");
            c.max_inflight = static_cast<uint32_t>(n);
            break;
        case CfgKey::WatchdogMs:
            if (!limit(1, 600000)) return bad(key, value, "must be 1..600000");
            c.watchdog = std::chrono::milliseconds(n);
            break;
        case CfgKey::IrqPollMs:
            if (!limit(1, 10000)) return bad(key, value, "must be 1..10000");
            c.irq_poll = std::chrono::milliseconds(n);
            break;
        case CfgKey::ReadyTimeoutMs:
            if (!limit(1, 60000)) return bad(key, value, "must be 1..60000");
            c.ready_timeout = std::chrono::milliseconds(n);
            break;
        case CfgKey::MaxRetries:
            if (!limit(0, 100)) return bad(key, value, "must be 0..100");
            c.max_retries = static_cast<uint32_t>(n);
            break;
        case CfgKey::MaxRecoveries:
            if (!limit(0, 1000)) return bad(key, value, "must be 0..1000");
            c.max_recoveries = static_cast<uint32_t>(n);
            break;
        case CfgKey::ModelResetLatencyUs:
            if (!limit(0, 10000000)) return bad(key, value, "must be 0..10000000");
            c.model.reset_latency = std::chrono::microseconds(n);
            break;
        case CfgKey::ModelDescNs: c.model.desc_ns = n; break;
        case CfgKey::ModelBytePs: c.model.byte_ps = n; break;
        case CfgKey::ModelMaxXfer:
            if (n < 8 || n % 8 != 0 || n > 0x1000000)
                return bad(key, value, "must be a multiple of 8 in 8..16 MiB");
            c.model.max_xfer = static_cast<uint32_t>(n);
            break;
        case CfgKey::ModelDma64:
            if (!limit(0, 1)) return bad(key, value, "must be 0 or 1");
            c.model.caps = n != 0 ? (c.model.caps | (1u << 9)) : (c.model.caps & ~(1u << 9));
            break;
        case CfgKey::ModelId:
            if (n > 0xFFFFFFFFull) return bad(key, value, "must fit 32 bits");
            c.model.id = static_cast<uint32_t>(n);
            break;
        case CfgKey::ModelVersion:
            if (n > 0xFFFFFFFFull) return bad(key, value, "must fit 32 bits");
            c.model.version = static_cast<uint32_t>(n);
            break;
        case CfgKey::ModelCaps:
            if (n > 0xFFFFFFFFull) return bad(key, value, "must fit 32 bits");
            c.model.caps = static_cast<uint32_t>(n);
            break;
        case CfgKey::ModelDelayMs:
            if (!limit(0, 600000)) return bad(key, value, "must be 0..600000");
            c.model.delay = std::chrono::milliseconds(n);
            break;
        case CfgKey::FaultRate: {
            errno = 0;
            char *end = nullptr;
            const double r = std::strtod(value, &end);
            if (errno != 0 || end == value || *end != '\0' || !(r >= 0.0 && r <= 1.0))
                return bad(key, value, "must be a probability 0..1");
            c.model.fault_rate = r;
            break;
        }
        case CfgKey::FaultKinds: {
            auto m = parse_kinds(key, value);
            if (!m) return m.error();
            c.model.fault_kinds = m.value();
            break;
        }
        case CfgKey::FaultSeed: c.model.fault_seed = n; break;
        case CfgKey::Count: break;
        }
    }
    if (c.model.fault_rate > 0 && c.model.fault_kinds == 0)
        c.model.fault_kinds = (1u << static_cast<uint32_t>(model::FaultKind::Count)) - 1;
    return c;
}

} // namespace acrypto::hw::fastcrypt
