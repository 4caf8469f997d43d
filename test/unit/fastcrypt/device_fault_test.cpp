// SPDX-License-Identifier: Apache-2.0
// FastCrypt recovery over the model: injected faults, watchdog, removal, and an exactly-once soak.
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <thread>

#include "device.hpp"
#include "device_harness.hpp"
#include "driver_table.hpp"
#include "reference.hpp"
#include "session_builder.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using acrypto::test::Bytes;
using acrypto::test::DeviceHarness;
using acrypto::test::KvList;
using acrypto::test::make_cipher;
using acrypto::test::OwnedSession;
using acrypto::test::pattern_bytes;
using acrypto::test::reference_cipher;
using model::FaultKind;

/// Fast watchdog and IRQ poll so timeouts cost tens of milliseconds.
KvList fast(KvList extra = {}) {
    KvList cfg{
        {"model", "1"}, {"watchdog-ms", "80"}, {"irq-poll-ms", "5"}, {"model-delay-ms", "300"}};
    for (auto &kv : extra) cfg.push_back(kv);
    return cfg;
}

struct Rig {
    std::unique_ptr<DeviceHarness> h;
    model::FpiModel *model = nullptr;
    explicit Rig(const KvList &cfg) {
        std::string why;
        h = DeviceHarness::open(driver_table(), cfg, 0, &why);
        EXPECT_TRUE(h) << why;
        if (h) model = static_cast<FastcryptDevice *>(h->dev())->model();
    }
};

struct Job {
    std::unique_ptr<OwnedSession> s;
    Bytes want;
};

Job des3_cbc(size_t len, uint64_t seed, uint32_t dir = ACRYPTO_DIR_ENCRYPT) {
    const Bytes key = pattern_bytes(24, seed), iv = pattern_bytes(8, seed + 1),
                in = pattern_bytes(len, seed + 2);
    return {make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, dir, key, iv, in),
            reference_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, dir, key, iv, in)};
}

template <class F> bool wait_for(F pred) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

struct OneFault {
    const char *name;
    FaultKind kind;
    const char *counter;
};

class FastcryptRecovery : public ::testing::TestWithParam<OneFault> {};

TEST_P(FastcryptRecovery, SessionCompletesCorrectlyOnce) {
    const OneFault &f = GetParam();
    Rig r(fast());
    ASSERT_TRUE(r.h);
    // Several sessions in flight, each split in pieces, one of which meets the fault.
    std::vector<Job> jobs;
    for (int i = 0; i < 6; ++i)
        jobs.push_back(des3_cbc(8 * 1024 + 8 * i, 50 + 10 * i,
                                i % 2 ? ACRYPTO_DIR_DECRYPT : ACRYPTO_DIR_ENCRYPT));
    r.model->inject(f.kind, r.model->next_seq() + 2);
    for (auto &j : jobs) r.h->enqueue(j.s->get());
    r.h->kick();
    ASSERT_TRUE(r.h->wait_all(std::chrono::seconds(20)));
    for (auto &j : jobs) {
        EXPECT_EQ(r.h->status_of(j.s->get()), ACRYPTO_OK);
        EXPECT_EQ(r.h->completions(j.s->get()), 1u);
        EXPECT_EQ(j.s->output_bytes(), j.want);
    }
    const auto st = r.h->stats();
    EXPECT_EQ(st.at(f.counter), 1u) << f.name;
    EXPECT_FALSE(r.h->broken());
    r.h->close();
}

INSTANTIATE_TEST_SUITE_P(
    Faults, FastcryptRecovery,
    ::testing::Values(OneFault{"SrcDma", FaultKind::SrcDma, "desc_err_src_dma"},
                      OneFault{"DstDma", FaultKind::DstDma, "desc_err_dst_dma"},
                      OneFault{"FetchFatal", FaultKind::Fetch, "fault_fatal"},
                      OneFault{"StatusWriteFatal", FaultKind::StatusWrite, "fault_fatal"},
                      OneFault{"DelayPastWatchdog", FaultKind::Delay, "fault_timeout"},
                      OneFault{"StuckBusy", FaultKind::Stall, "fault_timeout"}),
    [](const auto &info) { return info.param.name; });

TEST(FastcryptFaults, FatalResetsAndResubmits) {
    Rig r(fast());
    ASSERT_TRUE(r.h);
    Job j = des3_cbc(64, 7);
    r.model->inject_next(FaultKind::Fetch);
    ASSERT_EQ(r.h->run(*j.s->get()), ACRYPTO_OK);
    EXPECT_EQ(j.s->output_bytes(), j.want);
    const auto st = r.h->stats();
    EXPECT_EQ(st.at("recovered"), 1u);
    EXPECT_EQ(st.at("resubmitted"), 1u);
    EXPECT_EQ(st.at("resets"), 2u); // open + recovery
    EXPECT_GE(r.model->counters().resets, 2u);
    r.h->close();
}

TEST(FastcryptFaults, RetriesExhaustedFailWithClearStatus) {
    {
        Rig r(fast({{"max-retries", "0"}}));
        ASSERT_TRUE(r.h);
        Job j = des3_cbc(64, 1);
        r.model->inject_next(FaultKind::SrcDma);
        EXPECT_EQ(r.h->run(*j.s->get()), ACRYPTO_E_DEVICE);
        Job k = des3_cbc(64, 2);
        EXPECT_EQ(r.h->run(*k.s->get()), ACRYPTO_OK) << "the device itself is fine";
        EXPECT_EQ(r.h->stats().at("sessions_failed"), 1u);
        r.h->close();
    }
    {
        Rig r(fast({{"max-retries", "0"}}));
        ASSERT_TRUE(r.h);
        Job j = des3_cbc(64, 3);
        r.model->inject_next(FaultKind::Stall);
        EXPECT_EQ(r.h->run(*j.s->get()), ACRYPTO_E_TIMEOUT);
        EXPECT_FALSE(r.h->broken()) << "a reset brought it back";
        Job k = des3_cbc(64, 4);
        EXPECT_EQ(r.h->run(*k.s->get()), ACRYPTO_OK);
        r.h->close();
    }
}

TEST(FastcryptFaults, InPlaceSplitSessionSurvivesFaultUntouched) {
    // In place and split: a lost piece must be recomputed from intact input.
    Rig r(fast({{"model-max-xfer", "256"}, {"max-retries", "0"}}));
    ASSERT_TRUE(r.h);
    const Bytes key = pattern_bytes(24, 5), iv = pattern_bytes(8, 6), in = pattern_bytes(4096, 7);
    acrypto::test::BufferLayout l;
    l.in_place = true;
    auto s =
        make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_DECRYPT, key, iv, in, l);
    r.model->inject(FaultKind::Fetch, r.model->next_seq() + 5);
    EXPECT_EQ(r.h->run(*s->get()), ACRYPTO_E_DEVICE);
    // Failed sessions may be moved elsewhere: their input must still be the original bytes.
    EXPECT_EQ(Bytes(s->step().src, s->step().src + 4096), in);
    r.h->close();
}

TEST(FastcryptFaults, LostAndSpuriousInterrupts) {
    Rig r(fast());
    ASSERT_TRUE(r.h);
    Job a = des3_cbc(64, 11);
    r.model->inject_next(FaultKind::LostIrq);
    ASSERT_EQ(r.h->run(*a.s->get()), ACRYPTO_OK);
    EXPECT_EQ(a.s->output_bytes(), a.want);
    // Raised while idle: the ring thread wakes, finds INT_STATUS = 0 and counts it.
    r.model->inject(FaultKind::SpuriousIrq, 0);
    EXPECT_TRUE(wait_for([&] { return r.h->stats().at("spurious_irqs") >= 1; }));
    Job b = des3_cbc(64, 12);
    ASSERT_EQ(r.h->run(*b.s->get()), ACRYPTO_OK);
    EXPECT_EQ(b.s->output_bytes(), b.want);
    const auto st = r.h->stats();
    EXPECT_GE(st.at("polled_completions"), 1u);
    EXPECT_GE(st.at("spurious_irqs"), 1u);
    EXPECT_EQ(st.at("resets"), 1u) << "interrupt trouble needs no reset";
    r.h->close();
}

TEST(FastcryptFaults, SurpriseRemovalMarksBrokenAndFailsEverything) {
    Rig r(fast());
    ASSERT_TRUE(r.h);
    std::vector<Job> jobs;
    for (int i = 0; i < 5; ++i) jobs.push_back(des3_cbc(4096, 200 + i));
    r.model->inject_next(FaultKind::Stall);
    for (auto &j : jobs) r.h->enqueue(j.s->get());
    r.h->kick();
    ASSERT_TRUE(wait_for([&] { return r.model->busy(); }));
    r.model->set_removed(true);
    ASSERT_TRUE(r.h->wait_all(std::chrono::seconds(10)));
    for (auto &j : jobs) {
        EXPECT_EQ(r.h->status_of(j.s->get()), ACRYPTO_E_DEVICE);
        EXPECT_EQ(r.h->completions(j.s->get()), 1u);
    }
    EXPECT_TRUE(r.h->broken());
    EXPECT_NE(r.h->broken_reason().find("removed"), std::string::npos) << r.h->broken_reason();
    // Work that still reaches a broken instance completes with a device error.
    Job late = des3_cbc(8, 300);
    EXPECT_EQ(r.h->run(*late.s->get()), ACRYPTO_E_DEVICE);
    std::string why;
    EXPECT_NE(r.h->self_test(&why), ACRYPTO_OK);
    EXPECT_EQ(r.h->stats().at("broken"), 1u);
    r.h->close();
}

TEST(FastcryptFaults, SlowButProgressingDeviceIsNotTimedOut) {
    // 30 descriptors of 6 ms each take far longer than the 80 ms watchdog in total, but every
    // completion is progress: no reset may happen.
    Rig r(fast({{"model-desc-ns", "6000000"}, {"model-max-xfer", "64"}}));
    ASSERT_TRUE(r.h);
    Job j = des3_cbc(30 * 64, 77, ACRYPTO_DIR_DECRYPT);
    ASSERT_EQ(r.h->run(*j.s->get()), ACRYPTO_OK);
    EXPECT_EQ(j.s->output_bytes(), j.want);
    EXPECT_EQ(r.h->stats().at("fault_timeout"), 0u);
    EXPECT_EQ(r.h->stats().at("resets"), 1u);
    r.h->close();
}

TEST(FastcryptFaults, OpenRefusesDeviceFailingSelfTest) {
    std::string why;
    auto h = DeviceHarness::open(driver_table(),
                                 fast({{"fault-rate", "1"}, {"fault-kinds", "dst-dma"}}), 0, &why);
    EXPECT_FALSE(h);
    EXPECT_NE(why.find("self-test"), std::string::npos) << why;
}

TEST(FastcryptFaults, SoakWithRandomFaultsCompletesExactlyOnce) {
    Rig r(fast({{"fault-rate", "0.03"},
                {"fault-seed", "12345"},
                {"fault-kinds", "all"},
                {"model-max-xfer", "512"},
                {"ring-size", "16"},
                {"max-retries", "3"},
                {"max-recoveries", "50"},
                {"model-delay-ms", "200"}}));
    ASSERT_TRUE(r.h);
    std::mt19937_64 rng(99);
    std::vector<Job> jobs;
    std::vector<std::pair<uint32_t, uint32_t>> kinds;
    for (int i = 0; i < 300; ++i) {
        const uint32_t alg = rng() % 2 ? ACRYPTO_ALG_DES : ACRYPTO_ALG_DES_EDE3;
        const uint32_t mode = rng() % 2 ? ACRYPTO_MODE_CBC : ACRYPTO_MODE_ECB;
        const uint32_t dir = rng() % 2 ? ACRYPTO_DIR_DECRYPT : ACRYPTO_DIR_ENCRYPT;
        const size_t len = 8 * (1 + rng() % 300);
        const Bytes key = pattern_bytes(alg == ACRYPTO_ALG_DES ? 8 : 24, 7000 + i);
        const Bytes iv = mode == ACRYPTO_MODE_CBC ? pattern_bytes(8, 8000 + i) : Bytes{};
        const Bytes in = pattern_bytes(len, 9000 + i);
        acrypto::test::BufferLayout l;
        l.in_place = rng() % 2;
        jobs.push_back({make_cipher(alg, mode, dir, key, iv, in, l),
                        reference_cipher(alg, mode, dir, key, iv, in)});
        jobs.back().s->get()->priority = static_cast<uint32_t>(rng() % 8);
    }
    for (size_t i = 0; i < jobs.size(); ++i) {
        r.h->enqueue(jobs[i].s->get());
        if (i % 25 == 0) r.h->kick();
    }
    r.h->kick();
    ASSERT_TRUE(r.h->wait_all(std::chrono::seconds(40)));
    size_t ok = 0, failed = 0;
    for (auto &j : jobs) {
        ASSERT_EQ(r.h->completions(j.s->get()), 1u);
        const int st = r.h->status_of(j.s->get());
        if (st == ACRYPTO_OK) {
            ++ok;
            EXPECT_EQ(j.s->output_bytes(), j.want);
        } else {
            ++failed;
            EXPECT_TRUE(st == ACRYPTO_E_DEVICE || st == ACRYPTO_E_TIMEOUT) << st;
        }
    }
    EXPECT_EQ(r.h->duplicate_completions(), 0u);
    EXPECT_GT(r.model->counters().faults_injected, 10u);
    EXPECT_FALSE(r.h->broken()) << r.h->broken_reason();
    EXPECT_GT(ok, 250u) << "retries make most sessions succeed";
    const auto st = r.h->stats();
    std::printf(
        "soak: %zu ok, %zu failed; faults injected %llu, recovered %llu, resubmitted %llu\n", ok,
        failed, static_cast<unsigned long long>(r.model->counters().faults_injected),
        static_cast<unsigned long long>(st.at("recovered")),
        static_cast<unsigned long long>(st.at("resubmitted")));
    r.h->close();
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
