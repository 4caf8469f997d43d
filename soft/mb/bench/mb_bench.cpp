// SPDX-License-Identifier: Apache-2.0
// mb_bench: the mb device in bursts of 16/32 sessions vs one at a time vs libcrypto EVP.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>
#include <vector>

#include <intel-ipsec-mb.h>
#include <openssl/evp.h>

#include "acrypto/soft/mb/driver.hpp"
#include "bench_host.hpp"

namespace acrypto::soft::mb::bench {
namespace {

/// Sessions of one algorithm and size, each with its own key context (as
/// `openssl speed -async_jobs` has one EVP context per job).
struct SessionSet {
    std::vector<acrypto_session> sessions;
    std::vector<acrypto_step> steps;
    std::vector<acrypto_key> keys;
    std::vector<uint8_t> key_bytes;
    std::vector<std::vector<uint8_t>> src, dst;
    std::vector<acrypto_session *> ptrs;

    SessionSet(uint32_t n, uint32_t op, uint32_t alg, uint32_t mode, uint32_t dir, size_t key_len,
               size_t iv_len, size_t size, size_t out_room, uint32_t tag_len = 0)
        : sessions(n), steps(n), keys(n), key_bytes(key_len ? key_len : 1, 0x42), src(n), dst(n),
          ptrs(n) {
        static uint64_t next_id = 1;
        for (uint32_t i = 0; i < n; ++i) {
            keys[i] = acrypto_key{next_id++, alg, 0, key_bytes.data(), key_len, 0, 0};
            src[i].assign(size + 1, static_cast<uint8_t>(i));
            dst[i].assign(out_room + 1, 0);
            acrypto_step &st = steps[i];
            st = acrypto_step{};
            st.op = op;
            st.alg = alg;
            st.mode = mode;
            st.dir = dir;
            st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
            st.key = op == ACRYPTO_OP_DIGEST ? nullptr : &keys[i];
            st.iv_len = static_cast<uint32_t>(iv_len);
            std::memset(st.iv, 7, iv_len);
            st.tag_len = tag_len;
            st.src = src[i].data();
            st.src_len = size;
            st.dst = dst[i].data();
            st.dst_len = out_room;
            sessions[i] = acrypto_session{};
            sessions[i].struct_size = sizeof(acrypto_session);
            sessions[i].priority = 4;
            sessions[i].nsteps = 1;
            sessions[i].ncur = 1;
            sessions[i].id = i;
            sessions[i].steps = &steps[i];
            ptrs[i] = &sessions[i];
        }
    }
};

BenchHost &host() {
    static BenchHost h(driver(), {{"flush-us", "50"}});
    return h;
}

void report(benchmark::State &state, size_t bytes_per_iter, size_t ops_per_iter) {
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes_per_iter));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * ops_per_iter));
    if (host().failures()) state.SkipWithError("sessions failed");
}

// AES-128-CBC encrypt: the comparison the device exists for.
void BM_MbCbcBurst(benchmark::State &state) {
    size_t size = static_cast<size_t>(state.range(0));
    uint32_t burst = static_cast<uint32_t>(state.range(1));
    SessionSet set(burst, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                   16, 16, size, size);
    for (auto _ : state) host().run_round(set.ptrs.data(), burst);
    report(state, size * burst, burst);
}

void BM_MbCbcOneAtATime(benchmark::State &state) {
    size_t size = static_cast<size_t>(state.range(0));
    SessionSet set(1, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, 16,
                   16, size, size);
    for (auto _ : state) host().run_round(set.ptrs.data(), 1);
    report(state, size, 1);
}

// Streaming: `window` sessions always in flight, each resubmitted on completion
// (the async pattern without the caller's costs): sustained device throughput.
void BM_MbCbcStream(benchmark::State &state) {
    size_t size = static_cast<size_t>(state.range(0));
    uint32_t window = static_cast<uint32_t>(state.range(1));
    SessionSet set(window, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                   ACRYPTO_DIR_ENCRYPT, 16, 16, size, size);
    constexpr uint64_t kPerIter = 256;
    for (auto _ : state) host().run_stream(set.ptrs.data(), window, kPerIter);
    report(state, size * kPerIter, kPerIter);
}

void BM_EvpCbc(benchmark::State &state) {
    size_t size = static_cast<size_t>(state.range(0));
    std::vector<uint8_t> in(size, 1), out(size + 16);
    uint8_t key[16] = {0x42}, iv[16] = {7};
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
    EVP_EncryptInit_ex2(ctx, c, key, iv, nullptr);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    int outl = 0;
    for (auto _ : state) {
        EVP_EncryptUpdate(ctx, out.data(), &outl, in.data(), static_cast<int>(size));
        benchmark::DoNotOptimize(out.data());
    }
    EVP_CIPHER_free(c);
    EVP_CIPHER_CTX_free(ctx);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The library alone, 16 independent buffers per round: the ceiling for the device.
void BM_LibraryCbc16(benchmark::State &state) {
    size_t size = static_cast<size_t>(state.range(0));
    IMB_MGR *m = alloc_mb_mgr(0);
    IMB_ARCH arch;
    init_mb_mgr_auto(m, &arch);
    alignas(16) uint8_t enc[240], dec[240];
    uint8_t key[16] = {0x42}, iv[16] = {7};
    IMB_AES_KEYEXP_128(m, key, enc, dec);
    std::vector<std::vector<uint8_t>> bufs(16, std::vector<uint8_t>(size, 1));
    for (auto _ : state) {
        for (auto &b : bufs) {
            IMB_JOB *j = IMB_GET_NEXT_JOB(m);
            j->cipher_mode = IMB_CIPHER_CBC;
            j->cipher_direction = IMB_DIR_ENCRYPT;
            j->chain_order = IMB_ORDER_CIPHER_HASH;
            j->hash_alg = IMB_AUTH_NULL;
            j->enc_keys = enc;
            j->dec_keys = dec;
            j->key_len_in_bytes = 16;
            j->src = b.data();
            j->dst = b.data();
            j->cipher_start_src_offset_in_bytes = 0;
            j->msg_len_to_cipher_in_bytes = size;
            j->iv = iv;
            j->iv_len_in_bytes = 16;
            IMB_SUBMIT_JOB(m);
            while (IMB_GET_COMPLETED_JOB(m)) {}
        }
        while (IMB_FLUSH_JOB(m)) {}
    }
    free_mb_mgr(m);
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size * 16));
}

void CbcSizes(benchmark::internal::Benchmark *b) {
    for (int64_t s : {16, 64, 256, 1024, 4096, 8192, 16384}) b->Arg(s);
}
void CbcBurstSizes(benchmark::internal::Benchmark *b) {
    b->ArgNames({"size", "burst"});
    for (int64_t burst : {16, 32}) {
        for (int64_t s : {16, 64, 256, 1024, 4096, 16384}) b->Args({s, burst});
    }
}

BENCHMARK(BM_EvpCbc)->Apply(CbcSizes);
BENCHMARK(BM_MbCbcOneAtATime)->Apply(CbcSizes)->UseRealTime();
BENCHMARK(BM_MbCbcBurst)->Apply(CbcBurstSizes)->UseRealTime();
void CbcStreamSizes(benchmark::internal::Benchmark *b) {
    b->ArgNames({"size", "window"});
    for (int64_t w : {1, 16, 32}) {
        for (int64_t s : {16, 64, 256, 1024, 4096, 16384}) b->Args({s, w});
    }
}
BENCHMARK(BM_MbCbcStream)->Apply(CbcStreamSizes)->UseRealTime();
BENCHMARK(BM_LibraryCbc16)->Apply(CbcSizes);

// Every algorithm in bursts of 32: the rates in the capability table
// (bytes/s at 16 KB, ops/s at 64 B).
enum AlgId : int64_t {
    kCbcEnc,
    kCbcDec,
    kCtr,
    kGcmEnc,
    kDesCbc,
    kDes3Cbc,
    kChachaPoly,
    kHmacSha1,
    kHmacSha256,
    kHmacSha512,
    kSha1,
    kSha256,
    kSha512
};

std::unique_ptr<SessionSet> alg_set(int64_t id, size_t size) {
    constexpr uint32_t n = 32;
    switch (id) {
    case kCbcEnc:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                            ACRYPTO_DIR_ENCRYPT, 16, 16, size, size);
    case kCbcDec:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                            ACRYPTO_DIR_DECRYPT, 16, 16, size, size);
    case kCtr:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
                                            ACRYPTO_DIR_ENCRYPT, 16, 16, size, size);
    case kGcmEnc:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM,
                                            ACRYPTO_DIR_ENCRYPT, 16, 12, size, size, 16);
    case kDesCbc:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC,
                                            ACRYPTO_DIR_ENCRYPT, 8, 8, size, size);
    case kDes3Cbc:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3,
                                            ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, 24, 8, size,
                                            size);
    case kChachaPoly:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_CIPHER, ACRYPTO_ALG_CHACHA20,
                                            ACRYPTO_MODE_POLY1305, ACRYPTO_DIR_ENCRYPT, 32, 12,
                                            size, size, 16);
    case kHmacSha1:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_HMAC,
                                            0, 32, 0, size, 64);
    case kHmacSha256:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA256,
                                            ACRYPTO_MODE_HMAC, 0, 32, 0, size, 64);
    case kHmacSha512:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA512,
                                            ACRYPTO_MODE_HMAC, 0, 32, 0, size, 64);
    case kSha1:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA1, 0, 0, 0, 0,
                                            size, 64);
    case kSha256:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, 0, 0, 0, 0,
                                            size, 64);
    default:
        return std::make_unique<SessionSet>(n, ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA512, 0, 0, 0, 0,
                                            size, 64);
    }
}

void BM_MbAlgorithm(benchmark::State &state) {
    size_t size = static_cast<size_t>(state.range(1));
    auto set = alg_set(state.range(0), size);
    constexpr uint64_t kPerIter = 256;
    for (auto _ : state) host().run_stream(set->ptrs.data(), 32, kPerIter);
    report(state, size * kPerIter, kPerIter);
}

void AlgArgs(benchmark::internal::Benchmark *b) {
    b->ArgNames({"alg", "size"});
    for (int64_t id = kCbcEnc; id <= kSha512; ++id) {
        for (int64_t s : {64, 16384}) b->Args({id, s});
    }
}
BENCHMARK(BM_MbAlgorithm)->Apply(AlgArgs)->UseRealTime();

} // namespace
} // namespace acrypto::soft::mb::bench

BENCHMARK_MAIN();
