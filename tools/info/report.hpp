// SPDX-License-Identifier: Apache-2.0
// acrypto-info's report: what was found, and its text, JSON and Prometheus renderings.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace acrypto::tools::info {

/// One device as reported.
struct DeviceRow {
    std::string name;
    std::string driver;
    uint32_t flags = 0;
    bool broken = false;
    std::string broken_reason;
    uint64_t queued = 0;
    uint64_t in_flight = 0;
    uint64_t queue_len = 0;
    std::vector<std::string> caps; ///< "cipher aes-cbc enc/dec 16..32"
};

/// Everything acrypto-info prints.
struct Report {
    std::string source; ///< "native" or "provider <path>"
    std::string version;
    bool started = false; ///< the scheduler (or provider) came up
    std::string error;    ///< why not
    std::vector<DeviceRow> devices;
    std::vector<std::string> messages; ///< probe messages: drivers asked for but absent
    std::vector<std::pair<std::string, uint64_t>> stats;
    bool self_test_run = false;
    bool self_test_ok = false;
    std::string self_test_message;
    bool bench_run = false;
    std::string bench_alg;
    uint64_t bench_bytes = 0;
    double bench_seconds = 0;
};

/// Human-readable text.
std::string render_text(const Report &r);
/// One JSON object.
std::string render_json(const Report &r);
/// Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const Report &r);

} // namespace acrypto::tools::info
