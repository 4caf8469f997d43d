// SPDX-License-Identifier: Apache-2.0
// Latency histograms in the scheduler's stats: bucket layout, and reading them back
// from the name=value list (provider parameter, ACRYPTO_STATS_FILE, native API).
//
// A histogram named "lat.<scope>.<key>" exports as
//   lat.<scope>.<key>.le.<ns>  cumulative samples <= ns, for ns = 2^k, from the first
//                              non-empty bucket to the last one (where it equals count);
//   lat.<scope>.<key>.count    samples;
//   lat.<scope>.<key>.sum-ns   their sum in nanoseconds.
// Scopes: "prio" (submit -> successful completion, key 0..7), "alg" (the same, by the
// session's first step's algorithm), "dev" (hand-over -> successful completion on
// that device, key = instance name). Empty histograms are left out. Only sessions
// timed at submit (Options::latency_sample: one in 8 by default) are counted.
#pragma once

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace acrypto::sched {

/// Buckets per histogram: bucket k holds samples in [2^(k-1), 2^k) ns (bucket 0:
/// 0 ns); the last one also takes everything longer (about 4.6 minutes and up).
inline constexpr uint32_t kLatencyBuckets = 40;

/// Bucket of a sample of `ns` nanoseconds.
constexpr uint32_t latency_bucket(uint64_t ns) noexcept {
    const uint32_t k = static_cast<uint32_t>(std::bit_width(ns));
    return k < kLatencyBuckets ? k : kLatencyBuckets - 1;
}

/// Inclusive upper bound, in nanoseconds, of bucket `k` (Prometheus "le").
constexpr uint64_t latency_bucket_le_ns(uint32_t k) noexcept { return uint64_t{1} << k; }

/// One histogram read back from the stats list.
struct LatencyHistogram {
    std::string name; ///< "prio.7", "alg.aes", "dev.sim0"
    uint64_t count = 0;
    uint64_t sum_ns = 0;
    std::vector<std::pair<uint64_t, uint64_t>> le; ///< (upper bound ns, cumulative), ascending

    /// Upper bound (ns) of the bucket holding the q-quantile (0 < q <= 1); 0 when empty.
    /// Within a factor of two of the exact quantile, never below it.
    uint64_t quantile_ns(double q) const noexcept {
        if (count == 0) return 0;
        const double want = q * static_cast<double>(count);
        for (const auto &[bound, cum] : le)
            if (static_cast<double>(cum) >= want) return bound;
        return le.empty() ? 0 : le.back().first;
    }
};

/// Collect every "lat.*" histogram from name/value pairs (`first` = name, `second`
/// = value: std::pair or anything with those members), in first-seen order.
template <class Range> std::vector<LatencyHistogram> latency_histograms(const Range &stats) {
    std::vector<LatencyHistogram> out;
    auto get = [&](const std::string &name) -> LatencyHistogram & {
        for (auto &h : out)
            if (h.name == name) return h;
        out.push_back(LatencyHistogram{name, 0, 0, {}});
        return out.back();
    };
    for (const auto &st : stats) {
        const std::string &k = st.first;
        if (k.rfind("lat.", 0) != 0) continue;
        if (const size_t p = k.rfind(".le."); p != std::string::npos && p > 4) {
            char *end = nullptr;
            const uint64_t bound = std::strtoull(k.c_str() + p + 4, &end, 10);
            if (end && *end == '\0') get(k.substr(4, p - 4)).le.emplace_back(bound, st.second);
        } else if (k.size() > 10 && k.compare(k.size() - 6, 6, ".count") == 0) {
            get(k.substr(4, k.size() - 10)).count = st.second;
        } else if (k.size() > 11 && k.compare(k.size() - 7, 7, ".sum-ns") == 0) {
            get(k.substr(4, k.size() - 11)).sum_ns = st.second;
        }
    }
    return out;
}

} // namespace acrypto::sched
