// SPDX-License-Identifier: Apache-2.0
// Per-operation cost of the cpu device inline and offloaded (reported, never asserted on).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "device_harness.hpp"
#include "reference.hpp"
#include "session_builder.hpp"

namespace acrypto::test {
namespace {

using Clock = std::chrono::steady_clock;

double ns_per(Clock::duration d, size_t n) {
    return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n);
}

struct Case {
    const char *name;
    std::unique_ptr<OwnedSession> (*make)(uint64_t seed);
    Bytes (*want)(uint64_t seed);
};

const Bytes kKey = pattern_bytes(16, 1), kIv = pattern_bytes(16, 2);

const Case kCases[] = {
    {"aes-128-cbc/16",
     [](uint64_t s) {
         return make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, kKey, kIv,
                            pattern_bytes(16, s));
     },
     [](uint64_t s) {
         return reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, kKey, kIv,
                                 pattern_bytes(16, s));
     }},
    {"sha256/64", [](uint64_t s) { return make_digest(ACRYPTO_ALG_SHA256, pattern_bytes(64, s)); },
     [](uint64_t s) { return reference_digest(ACRYPTO_ALG_SHA256, pattern_bytes(64, s)); }},
    {"hmac-sha256/64",
     [](uint64_t s) { return make_hmac(ACRYPTO_ALG_SHA256, kKey, pattern_bytes(64, s)); },
     [](uint64_t s) { return reference_hmac(ACRYPTO_ALG_SHA256, kKey, pattern_bytes(64, s)); }},
};

// Measures: inline (run_inline_fn on this thread, hot caches), offload round trip
// (enqueue + data_ready + block until complete, one at a time), offload batched
// (1000 queued under one key context, one data_ready, wait for all). Correctness is
// asserted; time is reported.
TEST(CpuOverhead, InlineVersusOffload) {
    std::string why;
    auto h = DeviceHarness::open_plugin(ACRYPTO_TEST_CPU_PLUGIN, {{"workers", "1"}}, 0, &why);
    ASSERT_TRUE(h) << why;
    for (const Case &c : kCases) {
        constexpr size_t kInline = 20000, kRound = 2000, kBatch = 1000;
        auto s = c.make(7);
        const Bytes want = c.want(7);
        ASSERT_EQ(h->run_inline(*s->get()), ACRYPTO_OK);
        ASSERT_EQ(s->output_bytes(), want) << c.name;
        auto t0 = Clock::now();
        for (size_t i = 0; i < kInline; ++i) {
            std::copy(kIv.begin(), kIv.end(), s->step().iv);
            h->run_inline(*s->get());
        }
        const double inl = ns_per(Clock::now() - t0, kInline);
        ASSERT_EQ(s->output_bytes(), want) << c.name;

        t0 = Clock::now();
        for (size_t i = 0; i < kRound; ++i) {
            std::copy(kIv.begin(), kIv.end(), s->step().iv);
            ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        }
        const double round = ns_per(Clock::now() - t0, kRound);
        ASSERT_EQ(s->output_bytes(), want) << c.name;

        std::vector<std::unique_ptr<OwnedSession>> v;
        for (size_t i = 0; i < kBatch; ++i) {
            v.push_back(c.make(7));
            v.back()->keys[0].id = s->keys[0].id; // one key context, as one EVP context has
        }
        t0 = Clock::now();
        for (auto &x : v) h->enqueue(x->get());
        h->kick();
        ASSERT_TRUE(h->wait_all(std::chrono::seconds(30)));
        const double batch = ns_per(Clock::now() - t0, kBatch);
        for (auto &x : v) ASSERT_EQ(x->output_bytes(), want) << c.name;

        std::printf("cpu %-16s inline %8.0f ns/op  offload round trip %8.0f ns/op  "
                    "offload batched %8.0f ns/op\n",
                    c.name, inl, round, batch);
        RecordProperty(std::string(c.name) + " inline_ns", static_cast<int>(inl));
        RecordProperty(std::string(c.name) + " offload_round_trip_ns", static_cast<int>(round));
        RecordProperty(std::string(c.name) + " offload_batched_ns", static_cast<int>(batch));
    }
}

} // namespace
} // namespace acrypto::test
