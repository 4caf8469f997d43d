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

// Rates: one worker, AVX2 path (AMD EPYC: AVX2 + VAES + SHA-NI, no AVX-512),
// soft/mb/bench mb_bench BM_MbAlgorithm: 32 sessions kept in flight, bytes/s at
// 16 KB and ops/s at 64 B. Measured on a heavily loaded 2-core machine (load
// average ~20) and scaled by 1.7, the factor by which single-buffer EVP
// AES-CBC ran slower there than on an idle core; the cost balancer learns
// the real figures. SHA-1/224/256 and their HMACs run on an SSE manager
// (the library's only SHA-NI path; see hashes_prefer_sse); the library's DES
// is far slower than libcrypto's.
// latency_ns: a lone 1 KB session, data_ready to completion (worker wake-up).
struct Row {
    uint32_t op, alg, mode, dirs, key_min, key_max, key_step, flags;
    uint32_t latency_ns;
    double bytes_per_sec, ops_per_sec;
};

constexpr Row kRows[] = {
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kEnc, 16, 32, 8, kBlock, 20000, 4.7e9,
     5.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, kDec, 16, 32, 8, kBlock, 20000, 6.7e9,
     5.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, kBoth, 16, 32, 8, 0, 20000, 5.5e9,
     5.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, kBoth, 16, 32, 8, 0, 20000, 2.6e9,
     4.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, kBoth, 8, 8, 0, kBlock, 20000, 0.2e6,
     2.0e3},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, kBoth, 24, 24, 0, kBlock, 20000,
     0.05e6, 0.5e3},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, kBoth, 32, 32, 0, 0, 20000,
     0.7e9, 2.2e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 3.1e9, 4.0e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA224, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 2.4e9, 3.3e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 2.4e9, 3.3e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA384, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 0.6e9, 1.9e6},
    {ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA512, ACRYPTO_MODE_HMAC, 0, 0, 1024, 1, 0, 20000, 0.6e9, 1.9e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 1.5e9, 2.6e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA224, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 2.3e9, 4.5e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 2.3e9, 4.5e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA384, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 0.22e9, 1.6e6},
    {ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA512, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, 20000, 0.22e9, 1.6e6},
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
