// SPDX-License-Identifier: Apache-2.0
// Driver counters, by cause (STYLE.md §4), exported through get_stats_fn.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace acrypto::hw::padlock {

/// Counter identifiers; names in kStatNames, same order.
enum class Stat : size_t {
    SessionsOk,
    SessionsInvalid,     ///< bad key/IV length, sizes, flags
    SessionsUnsupported, ///< algorithm/mode/unit not available
    SessionsFailed,      ///< instruction fault or RNG failure
    BytesCipher,
    BytesDigest,
    Instructions,
    BounceMisaligned, ///< data copied because src/dst were not 16-byte aligned
    BounceOverRead,   ///< tail copied because the prefetch would cross a page
    CtrSplits,        ///< CTR calls split at the 16-bit counter boundary
    CtrSoftware,      ///< CTR blocks built from ECB (no ACE2, or C7 erratum)
    FaultUd,
    FaultGp,
    FaultPf,
    RngBytesRaw,
    RngEntropyBytes,
    RngNotReady,    ///< status count 0 (retried)
    RngStatusBad,   ///< disabled, bias, raw, filter bits, or wrong count: output rejected
    RngRctFailures, ///< SP 800-90B repetition count test
    RngAptFailures, ///< SP 800-90B adaptive proportion test
    RngLatched,     ///< the source was declared failed
    Count
};

inline constexpr const char *kStatNames[] = {
    "sessions_ok",     "sessions_invalid", "sessions_unsupported", "sessions_failed",
    "bytes_cipher",    "bytes_digest",     "instructions",         "bounce_misaligned",
    "bounce_overread", "ctr_splits",       "ctr_software",         "fault_ud",
    "fault_gp",        "fault_pf",         "rng_bytes_raw",        "rng_entropy_bytes",
    "rng_not_ready",   "rng_status_bad",   "rng_rct_failures",     "rng_apt_failures",
    "rng_latched",
};
static_assert(sizeof(kStatNames) / sizeof(kStatNames[0]) == static_cast<size_t>(Stat::Count));

/// Lock-free counters.
class Stats {
  public:
    void add(Stat s, uint64_t n = 1) {
        c_[static_cast<size_t>(s)].fetch_add(n, std::memory_order_relaxed);
    }
    uint64_t get(Stat s) const {
        return c_[static_cast<size_t>(s)].load(std::memory_order_relaxed);
    }

  private:
    std::array<std::atomic<uint64_t>, static_cast<size_t>(Stat::Count)> c_{};
};

} // namespace acrypto::hw::padlock
