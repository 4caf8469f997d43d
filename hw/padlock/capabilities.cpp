// SPDX-License-Identifier: Apache-2.0
// Capability table of a PadLock core: ACE modes, PHE/PHE2 digests, published rates.
#include "device.hpp"

namespace acrypto::hw::padlock {

namespace {

// Published VIA Nehemiah 1.2 GHz figures (PadLock ACE): AES-128-ECB 66.9 MB/s at 16-byte
// buffers and 1.83 GB/s at 8 KB; AES-128-CBC 48.5 MB/s and 846 MB/s. Fast for large buffers,
// slow for small ones: ops/s is the small-buffer rate divided by 16 bytes.
constexpr double kEcbBps = 1.83e9;
constexpr double kEcbOps = 66.9e6 / 16;
constexpr double kCbcBps = 846e6;
constexpr double kCbcOps = 48.5e6 / 16;
// No published PHE figure for this core: a conservative estimate the cost balancer refines.
constexpr double kShaBps = 300e6;
constexpr double kShaOps = 1.0e6;
// A session crosses to a worker thread and back: a few microseconds when idle.
constexpr uint32_t kLatencyNs = 5000;

acrypto_capability aes(uint32_t mode, double bps, double ops, uint32_t flags) {
    acrypto_capability c{};
    c.op = ACRYPTO_OP_CIPHER;
    c.alg = ACRYPTO_ALG_AES;
    c.mode = mode;
    c.dirs = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
    c.key_min = 16;
    c.key_max = 32;
    c.key_step = 8;
    c.flags = flags;
    c.latency_ns = kLatencyNs;
    c.bytes_per_sec = bps;
    c.ops_per_sec = ops;
    return c;
}

acrypto_capability sha(uint32_t alg, bool partial) {
    acrypto_capability c{};
    c.op = ACRYPTO_OP_DIGEST;
    c.alg = alg;
    c.flags = partial ? ACRYPTO_CAP_F_PARTIAL : 0;
    // C7 one-shot hashing takes a 32-bit byte count.
    c.max_input = partial ? 0 : 0xFFFFFFFFull;
    c.latency_ns = kLatencyNs;
    c.bytes_per_sec = kShaBps;
    c.ops_per_sec = kShaOps;
    return c;
}

} // namespace

std::vector<acrypto_capability> padlock_capabilities(const Features &f) {
    std::vector<acrypto_capability> caps;
    if (f.ace) {
        caps.push_back(aes(ACRYPTO_MODE_ECB, kEcbBps, kEcbOps, ACRYPTO_CAP_F_BLOCK_MULTIPLE));
        caps.push_back(aes(ACRYPTO_MODE_CBC, kCbcBps, kCbcOps, ACRYPTO_CAP_F_BLOCK_MULTIPLE));
        caps.push_back(aes(ACRYPTO_MODE_CFB, kCbcBps, kCbcOps, 0));
        caps.push_back(aes(ACRYPTO_MODE_OFB, kCbcBps, kCbcOps, 0));
        // CTR: ACE2 in hardware, otherwise counter blocks through ECB at ECB speed.
        caps.push_back(aes(ACRYPTO_MODE_CTR, kEcbBps, kEcbOps, 0));
    }
    if (f.phe) {
        caps.push_back(sha(ACRYPTO_ALG_SHA1, f.phe_block_mode));
        caps.push_back(sha(ACRYPTO_ALG_SHA256, f.phe_block_mode));
        if (f.phe_block_mode) caps.push_back(sha(ACRYPTO_ALG_SHA224, true));
    }
    if (f.phe2) {
        caps.push_back(sha(ACRYPTO_ALG_SHA384, true));
        caps.push_back(sha(ACRYPTO_ALG_SHA512, true));
    }
    return caps;
}

} // namespace acrypto::hw::padlock
