// SPDX-License-Identifier: Apache-2.0
// Measured rates of the cpu device's own families on the reference box, for capability tables.
#pragma once

namespace acrypto::soft::cpu::rates {

// Single core, AMD EPYC with AES-NI and SHA-NI, OpenSSL 3.0 default provider
// (`openssl speed -evp`, 16-byte and 16 KiB blocks), with per-step latency the
// cost of one offloaded step through a worker (wake-up included). Per-core figures:
// the balancer learns real ones.
inline constexpr double kAesCbcEncBps = 1.1e9;
inline constexpr double kAesParallelBps = 7.5e9; ///< ECB, CBC decrypt, CTR
inline constexpr double kAesStreamBps = 0.7e9;   ///< CFB, OFB (serial)
inline constexpr double kSha1Bps = 1.6e9;
inline constexpr double kSha256Bps = 1.5e9;
inline constexpr double kSha512Bps = 0.6e9;
inline constexpr double kRandBps = 0.2e9; ///< getrandom(2): 74 MB/s measured under load 15
/// Small steps through a worker, per worker (measured 0.3-1 us/op batched, one key context).
inline constexpr double kSmallOpsPerSec = 2.0e6;
/// Submit-to-complete for one offloaded step on an idle pool: two futex wake-ups
/// (measured 35-70 us on a 2-core box at load 15; idle estimate).
inline constexpr unsigned kOffloadLatencyNs = 15000;

} // namespace acrypto::soft::cpu::rates
