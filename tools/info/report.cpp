// SPDX-License-Identifier: Apache-2.0
// Renders acrypto-info's report as text, JSON and Prometheus exposition lines.
#include "report.hpp"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>

#include "acrypto/sched/stats.hpp"

namespace acrypto::tools::info {

namespace {

std::string json_str(const std::string &s) {
    std::string o = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            o += '\\';
            o += static_cast<char>(c);
        } else if (c < 0x20) {
            char b[8];
            std::snprintf(b, sizeof(b), "\\u%04x", c);
            o += b;
        } else {
            o += static_cast<char>(c);
        }
    }
    return o + "\"";
}

/// Prometheus metric name characters: [a-zA-Z0-9_:].
std::string metric(const std::string &s) {
    std::string o;
    for (char c : s)
        o += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':') ? c : '_';
    return o;
}

/// Label values escape backslash, double quote and newline.
std::string label(const std::string &s) {
    std::string o;
    for (char c : s) {
        if (c == '\\' || c == '"')
            o += '\\', o += c;
        else if (c == '\n')
            o += "\\n";
        else
            o += c;
    }
    return o;
}

/// The latency histograms among the stats ("lat.<scope>.<key>...").
std::vector<sched::LatencyHistogram> histograms(const Report &r) {
    return sched::latency_histograms(r.stats);
}

/// Seconds, as Prometheus wants them.
std::string seconds(uint64_t ns) {
    char b[32];
    std::snprintf(b, sizeof(b), "%.9g", static_cast<double>(ns) / 1e9);
    return b;
}

double mbps(const Report &r) {
    return r.bench_seconds > 0 ? static_cast<double>(r.bench_bytes) / 1e6 / r.bench_seconds : 0.0;
}

} // namespace

std::string render_text(const Report &r) {
    std::string o;
    char b[512];
    o += "acrypto " + r.version + " (" + r.source + ")\n";
    if (!r.started) o += "not started: " + r.error + "\n";
    o += "devices:\n";
    for (const auto &d : r.devices) {
        std::snprintf(
            b, sizeof(b), "  %-10s driver=%-9s %s%s queued=%llu in_flight=%llu queue_len=%llu\n",
            d.name.c_str(), d.driver.c_str(), d.broken ? "BROKEN: " : "ok",
            d.broken ? d.broken_reason.c_str() : "", static_cast<unsigned long long>(d.queued),
            static_cast<unsigned long long>(d.in_flight),
            static_cast<unsigned long long>(d.queue_len));
        o += b;
        for (const auto &c : d.caps) o += "    " + c + "\n";
    }
    if (!r.messages.empty()) {
        o += "absent or skipped:\n";
        for (const auto &m : r.messages) o += "  " + m + "\n";
    }
    o += "statistics:\n";
    for (const auto &[k, v] : r.stats)
        if (k.rfind("lat.", 0) != 0) o += "  " + k + " = " + std::to_string(v) + "\n";
    const auto hs = histograms(r);
    if (!hs.empty()) {
        o += "latency (prio, alg: submit -> completion; dev: hand-over -> completion; "
             "quantiles are log2 bucket bounds):\n";
        for (const auto &h : hs) {
            std::snprintf(
                b, sizeof(b), "  %-16s count=%llu mean=%.1f us p50<=%.1f us p99<=%.1f us\n",
                h.name.c_str(), static_cast<unsigned long long>(h.count),
                h.count ? static_cast<double>(h.sum_ns) / 1e3 / static_cast<double>(h.count) : 0.0,
                static_cast<double>(h.quantile_ns(0.5)) / 1e3,
                static_cast<double>(h.quantile_ns(0.99)) / 1e3);
            o += b;
        }
    }
    if (r.self_test_run)
        o += std::string("self-test: ") + (r.self_test_ok ? "passed" : "FAILED") +
             (r.self_test_message.empty() ? "" : " (" + r.self_test_message + ")") + "\n";
    if (r.bench_run) {
        std::snprintf(b, sizeof(b), "benchmark: %s %.1f MB/s (%llu bytes in %.3f s)\n",
                      r.bench_alg.c_str(), mbps(r), static_cast<unsigned long long>(r.bench_bytes),
                      r.bench_seconds);
        o += b;
    }
    return o;
}

std::string render_json(const Report &r) {
    std::string o = "{\n";
    o += "  \"version\": " + json_str(r.version) + ",\n";
    o += "  \"source\": " + json_str(r.source) + ",\n";
    o += std::string("  \"started\": ") + (r.started ? "true" : "false") + ",\n";
    o += "  \"error\": " + json_str(r.error) + ",\n";
    o += "  \"devices\": [";
    for (size_t i = 0; i < r.devices.size(); ++i) {
        const auto &d = r.devices[i];
        o += i ? ",\n    {" : "\n    {";
        o += "\"name\": " + json_str(d.name) + ", \"driver\": " + json_str(d.driver) +
             ", \"flags\": " + std::to_string(d.flags) +
             ", \"broken\": " + (d.broken ? "true" : "false") +
             ", \"broken_reason\": " + json_str(d.broken_reason) +
             ", \"queued\": " + std::to_string(d.queued) +
             ", \"in_flight\": " + std::to_string(d.in_flight) +
             ", \"queue_len\": " + std::to_string(d.queue_len) + ", \"capabilities\": [";
        for (size_t j = 0; j < d.caps.size(); ++j) o += (j ? ", " : "") + json_str(d.caps[j]);
        o += "]}";
    }
    o += r.devices.empty() ? "],\n" : "\n  ],\n";
    o += "  \"messages\": [";
    for (size_t i = 0; i < r.messages.size(); ++i) o += (i ? ", " : "") + json_str(r.messages[i]);
    o += "],\n  \"stats\": {";
    for (size_t i = 0; i < r.stats.size(); ++i)
        o +=
            (i ? ", " : "") + json_str(r.stats[i].first) + ": " + std::to_string(r.stats[i].second);
    o += "},\n";
    // Latency histograms: count, sum, p50/p99 (bucket bounds) and cumulative buckets.
    o += "  \"latency\": {";
    const auto hs = histograms(r);
    for (size_t i = 0; i < hs.size(); ++i) {
        const auto &h = hs[i];
        o += (i ? ",\n    " : "\n    ") + json_str(h.name) +
             ": {\"count\": " + std::to_string(h.count) +
             ", \"sum_ns\": " + std::to_string(h.sum_ns) +
             ", \"p50_ns\": " + std::to_string(h.quantile_ns(0.5)) +
             ", \"p99_ns\": " + std::to_string(h.quantile_ns(0.99)) + ", \"buckets\": [";
        for (size_t j = 0; j < h.le.size(); ++j)
            o += (j ? ", [" : "[") + std::to_string(h.le[j].first) + ", " +
                 std::to_string(h.le[j].second) + "]";
        o += "]}";
    }
    o += hs.empty() ? "},\n" : "\n  },\n";
    o += "  \"self_test\": ";
    o += r.self_test_run ? std::string("{\"passed\": ") + (r.self_test_ok ? "true" : "false") +
                               ", \"message\": " + json_str(r.self_test_message) + "}"
                         : "null";
    o += ",\n  \"benchmark\": ";
    if (r.bench_run) {
        char b[256];
        std::snprintf(b, sizeof(b),
                      "{\"algorithm\": %s, \"bytes\": %llu, \"seconds\": %.6f, \"mb_per_s\": %.3f}",
                      json_str(r.bench_alg).c_str(), static_cast<unsigned long long>(r.bench_bytes),
                      r.bench_seconds, mbps(r));
        o += b;
    } else {
        o += "null";
    }
    o += "\n}\n";
    return o;
}

std::string render_prometheus(const Report &r) {
    std::string o;
    auto family = [&](const std::string &name, const char *type, const char *help) {
        o += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    };
    family("acrypto_info", "gauge", "acrypto version and where the report comes from.");
    o +=
        "acrypto_info{version=\"" + label(r.version) + "\",source=\"" + label(r.source) + "\"} 1\n";
    family("acrypto_up", "gauge", "1 when the scheduler started.");
    o += std::string("acrypto_up ") + (r.started ? "1" : "0") + "\n";
    family("acrypto_device_broken", "gauge", "1 when the device left the candidate set.");
    for (const auto &d : r.devices)
        o += "acrypto_device_broken{device=\"" + label(d.name) + "\",driver=\"" + label(d.driver) +
             "\"} " + (d.broken ? "1" : "0") + "\n";
    family("acrypto_device_queued", "gauge", "Sessions waiting in the device queue.");
    for (const auto &d : r.devices)
        o += "acrypto_device_queued{device=\"" + label(d.name) + "\"} " + std::to_string(d.queued) +
             "\n";
    family("acrypto_device_in_flight", "gauge", "Sessions the device holds.");
    for (const auto &d : r.devices)
        o += "acrypto_device_in_flight{device=\"" + label(d.name) + "\"} " +
             std::to_string(d.in_flight) + "\n";
    // Scheduler counters, one family block per metric name.
    std::map<std::string, std::vector<std::string>> fams;
    for (const auto &[k, v] : r.stats) {
        if (k.rfind("lat.", 0) == 0) continue; // histograms, below
        std::string name = "acrypto_" + metric(k) + "_total", labels;
        // "dev.<device>.<counter>", "prio.<n>.<counter>", "alg.<alg>.<counter>": labelled families.
        static const char *const kLabelled[][3] = {{"dev.", "acrypto_device_", "device"},
                                                   {"device.", "acrypto_device_", "device"},
                                                   {"prio.", "acrypto_priority_", "priority"},
                                                   {"alg.", "acrypto_algorithm_", "algorithm"}};
        for (const auto &lp : kLabelled) {
            const size_t plen = std::strlen(lp[0]);
            size_t dot = k.find('.', plen);
            if (k.rfind(lp[0], 0) != 0 || dot == std::string::npos) continue;
            name = lp[1] + metric(k.substr(dot + 1)) + "_total";
            labels = std::string("{") + lp[2] + "=\"" + label(k.substr(plen, dot - plen)) + "\"}";
            break;
        }
        fams[name].push_back(name + labels + " " + std::to_string(v));
    }
    for (const auto &[name, lines] : fams) {
        family(name, "counter", "acrypto scheduler counter.");
        for (const auto &l : lines) o += l + "\n";
    }
    // Latency histograms: cumulative buckets (le in seconds), +Inf = count, _sum, _count.
    static const char *const kHist[][4] = {
        {"prio.", "acrypto_priority_latency_seconds", "priority",
         "Submit to successful completion, by session priority."},
        {"alg.", "acrypto_algorithm_latency_seconds", "algorithm",
         "Submit to successful completion, by the first step's algorithm."},
        {"dev.", "acrypto_device_service_seconds", "device",
         "Hand-over to successful completion on the device."}};
    const auto hs = histograms(r);
    for (const auto &kh : kHist) {
        bool typed = false;
        for (const auto &h : hs) {
            if (h.name.rfind(kh[0], 0) != 0) continue;
            if (!typed) family(kh[1], "histogram", kh[3]);
            typed = true;
            const std::string lbl =
                std::string(kh[2]) + "=\"" + label(h.name.substr(std::strlen(kh[0]))) + "\"";
            for (const auto &[le, cum] : h.le)
                o += std::string(kh[1]) + "_bucket{" + lbl + ",le=\"" + seconds(le) + "\"} " +
                     std::to_string(cum) + "\n";
            o += std::string(kh[1]) + "_bucket{" + lbl + ",le=\"+Inf\"} " +
                 std::to_string(h.count) + "\n";
            o += std::string(kh[1]) + "_sum{" + lbl + "} " + seconds(h.sum_ns) + "\n";
            o += std::string(kh[1]) + "_count{" + lbl + "} " + std::to_string(h.count) + "\n";
        }
    }
    if (r.self_test_run) {
        family("acrypto_self_test_passed", "gauge", "1 when every device self-test passed.");
        o += std::string("acrypto_self_test_passed ") + (r.self_test_ok ? "1" : "0") + "\n";
    }
    if (r.bench_run) {
        family("acrypto_benchmark_bytes_per_second", "gauge", "Quick benchmark throughput.");
        char b[128];
        std::snprintf(b, sizeof(b), "%.0f", mbps(r) * 1e6);
        o += "acrypto_benchmark_bytes_per_second{algorithm=\"" + label(r.bench_alg) + "\"} " + b +
             "\n";
    }
    return o;
}

} // namespace acrypto::tools::info
