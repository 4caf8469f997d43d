// SPDX-License-Identifier: Apache-2.0
// Names of the per-worker counters and the batch-fill histogram buckets.
#include "acrypto/soft/mb/worker_stats.hpp"

namespace acrypto::soft::mb {

const char *const kWorkerStatNames[] = {
    "sessions",      "errors",         "verify_failures", "bytes",      "jobs",
    "batch_1",       "batch_2_3",      "batch_4_7",       "batch_8_15", "batch_16_up",
    "flush_idle",    "flush_deadline", "flush_requested", "flush_full", "flush_waits",
    "wait_ns_total", "wait_ns_max",    "sleeps",          "poll_hits",
};
static_assert(sizeof(kWorkerStatNames) / sizeof(kWorkerStatNames[0]) ==
              static_cast<size_t>(WorkerStat::Count));

void WorkerStats::batch(uint32_t n) noexcept {
    if (n == 0) return;
    WorkerStat b = n == 1   ? WorkerStat::Batch1
                   : n < 4  ? WorkerStat::Batch2To3
                   : n < 8  ? WorkerStat::Batch4To7
                   : n < 16 ? WorkerStat::Batch8To15
                            : WorkerStat::Batch16Up;
    add(b);
}

} // namespace acrypto::soft::mb
