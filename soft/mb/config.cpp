// SPDX-License-Identifier: Apache-2.0
// Configuration parsing for the mb device: every key validated, errors name the key.
#include "acrypto/soft/mb/config.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

namespace acrypto::soft::mb {

const char *const kConfigKeyNames[] = {"workers",   "flush-us", "arch", "queue-len",
                                       "linger-us", "poll-us",  nullptr};
static_assert(sizeof(kConfigKeyNames) / sizeof(kConfigKeyNames[0]) ==
              static_cast<size_t>(ConfigKey::Count) + 1);

namespace {

bool parse_u32(std::string_view v, uint32_t lo, uint32_t hi, uint32_t *out) {
    uint32_t x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < lo || x > hi) return false;
    *out = x;
    return true;
}

bool find_key(std::string_view k, ConfigKey *out) {
    for (size_t i = 0; kConfigKeyNames[i]; ++i) {
        if (k == kConfigKeyNames[i]) {
            *out = static_cast<ConfigKey>(i);
            return true;
        }
    }
    return false;
}

} // namespace

bool parse_config(const acrypto_config *cfg, MbConfig *out, std::string *why) {
    MbConfig c;
    uint32_t n = cfg ? cfg->count : 0;
    for (uint32_t i = 0; i < n; ++i) {
        const acrypto_kv &kv = cfg->items[i];
        std::string_view k = kv.key ? kv.key : "";
        std::string_view v = kv.value ? kv.value : "";
        ConfigKey key{};
        if (!find_key(k, &key)) {
            if (why) {
                *why = "unknown key '" + std::string(k) +
                       "' (mb accepts workers, flush-us, arch, queue-len, linger-us, poll-us)";
            }
            return false;
        }
        bool ok = true;
        const char *expect = "";
        switch (key) {
        case ConfigKey::Workers:
            ok = parse_u32(v, 1, 64, &c.workers);
            expect = "an integer 1..64";
            break;
        case ConfigKey::FlushUs:
            ok = parse_u32(v, 0, 10000000, &c.flush_us);
            expect = "microseconds 0..10000000";
            break;
        case ConfigKey::Arch:
            ok = parse_arch(v, &c.arch);
            expect = "auto, avx512, avx2, avx or sse";
            break;
        case ConfigKey::QueueLen:
            ok = parse_u32(v, 1, 1u << 20, &c.queue_len);
            expect = "an integer 1..1048576";
            break;
        case ConfigKey::LingerUs:
            ok = parse_u32(v, 0, 10000000, &c.linger_us);
            expect = "microseconds 0..10000000";
            break;
        case ConfigKey::PollUs:
            ok = parse_u32(v, 0, 1000, &c.poll_us);
            expect = "microseconds 0..1000";
            break;
        case ConfigKey::Count: ok = false; break;
        }
        if (!ok) {
            if (why) {
                *why = "bad value '" + std::string(v) + "' for key '" + std::string(k) +
                       "': expected " + expect;
            }
            return false;
        }
    }
    *out = c;
    return true;
}

} // namespace acrypto::soft::mb
