// SPDX-License-Identifier: Apache-2.0
// Prints model throughput and per-descriptor driver overhead (figures only: nothing is
// timed-asserted).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "device_harness.hpp"
#include "driver_table.hpp"
#include "model_rig.hpp"
#include "session_builder.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using acrypto::test::Bytes;
using acrypto::test::DeviceHarness;
using acrypto::test::make_cipher;
using acrypto::test::OwnedSession;
using acrypto::test::pattern_bytes;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// The bare model in step mode: descriptors per second with no driver at all.
double model_only_desc_per_sec(uint32_t len, bool triple, uint32_t n) {
    ModelRig r;
    r.start(256);
    DmaBuf buf = r.arena->alloc(len, 64);
    const Bytes key = pattern_bytes(24, 1);
    const uint32_t ctl = (triple ? regs::D_CTL_ALG_TDES : 0u) | regs::D_CTL_DIR_ENC |
                         regs::D_CTL_MODE_CBC | regs::D_CTL_IRQ | regs::D_CTL_IVWB;
    uint32_t tail = 0;
    const auto t0 = Clock::now();
    for (uint32_t i = 0; i < n; ++i) {
        r.put_desc(tail, ctl, len, buf.bus, buf.bus, key.data(), key.data(), i);
        tail = (tail + 1) % 256;
        r.wr(regs::RING_TAIL, tail);
        r.model->step(1);
        r.wr(regs::INT_STATUS, regs::INT_ALL);
    }
    const double s = seconds_since(t0);
    r.arena->free(buf);
    return n / s;
}

/// Through the driver (plugin table, ring thread, model thread): sessions per second.
double driver_sessions_per_sec(uint32_t len, uint32_t alg, uint32_t n, bool burst) {
    std::string why;
    auto h = DeviceHarness::open(driver_table(), {{"model", "1"}, {"ring-size", "64"}}, 0, &why);
    EXPECT_TRUE(h) << why;
    if (!h) return 0;
    const Bytes key = pattern_bytes(alg == ACRYPTO_ALG_DES ? 8 : 24, 2), iv = pattern_bytes(8, 3),
                in = pattern_bytes(len, 4);
    std::vector<std::unique_ptr<OwnedSession>> ss;
    for (uint32_t i = 0; i < n; ++i)
        ss.push_back(make_cipher(alg, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in));
    const auto t0 = Clock::now();
    if (burst) {
        for (auto &s : ss) h->enqueue(s->get());
        h->kick();
        EXPECT_TRUE(h->wait_all(std::chrono::seconds(60)));
    } else {
        for (auto &s : ss) EXPECT_EQ(h->run(*s->get()), ACRYPTO_OK);
    }
    const double s = seconds_since(t0);
    h->close();
    return n / s;
}

TEST(FastcryptPerf, ReportFigures) {
    const double m8 = model_only_desc_per_sec(8, false, 20000);
    const double d8 = driver_sessions_per_sec(8, ACRYPTO_ALG_DES, 20000, true);
    const double d8_sync = driver_sessions_per_sec(8, ACRYPTO_ALG_DES, 2000, false);
    const double m64k = model_only_desc_per_sec(65536, true, 40);
    const double d64k = driver_sessions_per_sec(65536, ACRYPTO_ALG_DES_EDE3, 40, true);
    const double d1m_des = driver_sessions_per_sec(1 << 20, ACRYPTO_ALG_DES, 4, true);
    std::printf("model alone, DES-CBC 8 B:       %.0f desc/s (%.2f us/desc)\n", m8, 1e6 / m8);
    std::printf(
        "driver, DES-CBC 8 B, burst:     %.0f sessions/s (%.2f us/desc; overhead %.2f us/desc)\n",
        d8, 1e6 / d8, 1e6 / d8 - 1e6 / m8);
    std::printf("driver, DES-CBC 8 B, one by one: %.0f sessions/s (%.1f us round trip)\n", d8_sync,
                1e6 / d8_sync);
    std::printf("model alone, 3DES-CBC 64 KiB:   %.1f MB/s\n", m64k * 65536 / 1e6);
    std::printf("driver, 3DES-CBC 64 KiB burst:  %.1f MB/s\n", d64k * 65536 / 1e6);
    std::printf("driver, DES-CBC 1 MiB burst:    %.1f MB/s\n", d1m_des * (1 << 20) / 1e6);
    EXPECT_GT(m8, 0);
    EXPECT_GT(d8, 0);
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
