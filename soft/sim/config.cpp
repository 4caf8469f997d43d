// SPDX-License-Identifier: Apache-2.0
// The sim driver's configuration parser.
#include "config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace acrypto::soft::sim {

const char *const kSimKeyNames[] = {"instances",   "name",  "mode",      "latency-us",  "rate-mbps",
                                    "queue-len",   "slots", "fail-rate", "stall-rate",  "stall-ms",
                                    "break-after", "seed",  "break-ms",  "stall-first", nullptr};
static_assert(sizeof(kSimKeyNames) / sizeof(kSimKeyNames[0]) ==
              static_cast<size_t>(SimKey::Count) + 1);

namespace {

bool parse_u64(const char *v, uint64_t lo, uint64_t hi, uint64_t &out) {
    if (!v || !*v || *v == '-') return false;
    errno = 0;
    char *end = nullptr;
    unsigned long long x = std::strtoull(v, &end, 10);
    if (errno || *end || x < lo || x > hi) return false;
    out = x;
    return true;
}

bool parse_u32(const char *v, uint32_t lo, uint32_t hi, uint32_t &out) {
    uint64_t x = 0;
    if (!parse_u64(v, lo, hi, x)) return false;
    out = static_cast<uint32_t>(x);
    return true;
}

bool parse_double(const char *v, double lo, double hi, double &out) {
    if (!v || !*v) return false;
    errno = 0;
    char *end = nullptr;
    double x = std::strtod(v, &end);
    if (errno || *end || !std::isfinite(x) || x < lo || x > hi) return false;
    out = x;
    return true;
}

} // namespace

bool parse_config(const acrypto_config *cfg, SimConfig &out, std::string &why) {
    out = SimConfig{};
    for (uint32_t i = 0; cfg && i < cfg->count; ++i) {
        const char *k = cfg->items[i].key ? cfg->items[i].key : "";
        const char *v = cfg->items[i].value ? cfg->items[i].value : "";
        int key = -1;
        for (int j = 0; kSimKeyNames[j]; ++j)
            if (std::strcmp(k, kSimKeyNames[j]) == 0) key = j;
        bool ok = true;
        const char *expect = "";
        switch (static_cast<SimKey>(key)) {
        case SimKey::Instances: ok = parse_u32(v, 1, 64, out.instances), expect = "1..64"; break;
        case SimKey::Name:
            ok = *v && std::strlen(v) < 48, out.name = v, expect = "1..47 characters";
            break;
        case SimKey::Mode:
            if (std::strcmp(v, "null") == 0)
                out.mode = SimMode::Null;
            else if (std::strcmp(v, "compute") == 0)
                out.mode = SimMode::Compute;
            else
                ok = false;
            expect = "null or compute";
            break;
        case SimKey::LatencyUs:
            ok = parse_u32(v, 0, 10'000'000, out.latency_us), expect = "0..10000000";
            break;
        case SimKey::RateMbps:
            ok = parse_double(v, 0, 1e7, out.rate_mbps), expect = "0 (unlimited) .. 1e7 Mbit/s";
            break;
        case SimKey::QueueLen:
            ok = parse_u32(v, 1, 1u << 20, out.queue_len), expect = "1..1048576";
            break;
        case SimKey::Slots: ok = parse_u32(v, 1, 4096, out.slots), expect = "1..4096"; break;
        case SimKey::FailRate: ok = parse_double(v, 0, 1, out.fail_rate), expect = "0..1"; break;
        case SimKey::StallRate: ok = parse_double(v, 0, 1, out.stall_rate), expect = "0..1"; break;
        case SimKey::StallMs:
            ok = parse_u32(v, 0, 600'000, out.stall_ms), expect = "0..600000";
            break;
        case SimKey::BreakAfter:
            ok = parse_u64(v, 0, UINT64_MAX, out.break_after), expect = "a count (0 = never)";
            break;
        case SimKey::BreakMs:
            ok = parse_u32(v, 0, 3'600'000, out.break_ms), expect = "0 (until closed) .. 3600000";
            break;
        case SimKey::StallFirst:
            ok = parse_u64(v, 0, UINT64_MAX, out.stall_first), expect = "a count";
            break;
        case SimKey::Seed:
            ok = parse_u64(v, 0, UINT64_MAX, out.seed), expect = "an unsigned integer";
            break;
        default: why = std::string("unknown configuration key '") + k + "'"; return false;
        }
        if (!ok) {
            why = std::string(k) + ": bad value '" + v + "' (expected " + expect + ")";
            return false;
        }
    }
    return true;
}

} // namespace acrypto::soft::sim
