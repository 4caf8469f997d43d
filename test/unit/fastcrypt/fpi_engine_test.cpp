// SPDX-License-Identifier: Apache-2.0
// FpiEngine over the model: identification, refusal, self-test, ring full/wrap, write-back checks.
#include <gtest/gtest.h>

#include <random>

#include "fpi.hpp"
#include "model_rig.hpp"
#include "reference.hpp"
#include "session_builder.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using acrypto::test::Bytes;
using acrypto::test::from_hex;
using model::FaultKind;
using model::ModelOptions;

EngineOptions opts(uint32_t ring = 8) {
    EngineOptions o;
    o.ring_size = ring;
    o.ready_timeout = std::chrono::milliseconds(200);
    o.selftest_timeout = std::chrono::milliseconds(2000);
    return o;
}

TEST(FpiEngine, ResetStartSelfTest) {
    ModelRig r({}, true);
    FpiEngine e(*r.win, *r.arena, *r.irq, opts());
    auto info = e.reset();
    ASSERT_TRUE(info) << info.error().message;
    EXPECT_TRUE(info->des && info->triple_des && info->ecb && info->cbc && info->iv_writeback);
    EXPECT_FALSE(info->dma64);
    EXPECT_EQ(info->max_xfer, 0x10000u);
    ASSERT_TRUE(e.start_ring());
    auto st = e.self_test();
    EXPECT_TRUE(st) << st.error().message;
    EXPECT_EQ(r.model->counters().desc_ok, 4u) << "four known answers ran through the ring";
    EXPECT_EQ(e.in_flight(), 0u);
}

TEST(FpiEngine, RefusesWrongIdAndVersion) {
    {
        ModelOptions o;
        o.id = 0x12345678;
        ModelRig r(o, true);
        FpiEngine e(*r.win, *r.arena, *r.irq, opts());
        auto info = e.reset();
        ASSERT_FALSE(info);
        EXPECT_EQ(info.error().code, Errc::Unsupported);
        EXPECT_NE(info.error().message.find("not FPI v1"), std::string::npos)
            << info.error().message;
        EXPECT_FALSE(identify_fpi(*r.win));
    }
    {
        ModelOptions o;
        o.version = 0x00020000;
        ModelRig r(o, true);
        FpiEngine e(*r.win, *r.arena, *r.irq, opts());
        auto info = e.reset();
        ASSERT_FALSE(info);
        EXPECT_EQ(info.error().code, Errc::Unsupported);
    }
    {
        ModelOptions o;
        o.version = 0x00010007; // a newer minor of v1 is fine
        ModelRig r(o, true);
        FpiEngine e(*r.win, *r.arena, *r.irq, opts());
        EXPECT_TRUE(e.reset());
        EXPECT_TRUE(identify_fpi(*r.win));
    }
    {
        ModelOptions o;
        o.max_xfer = 12; // not a multiple of 8
        ModelRig r(o, true);
        FpiEngine e(*r.win, *r.arena, *r.irq, opts());
        EXPECT_FALSE(e.reset());
    }
}

TEST(FpiEngine, ReadyTimeoutIsBounded) {
    ModelOptions o;
    o.reset_latency = std::chrono::seconds(5);
    ModelRig r(o, true);
    EngineOptions eo = opts();
    eo.ready_timeout = std::chrono::milliseconds(20);
    FpiEngine e(*r.win, *r.arena, *r.irq, eo);
    auto info = e.reset();
    ASSERT_FALSE(info);
    EXPECT_EQ(info.error().code, Errc::Timeout);
}

TEST(FpiEngine, ReadyAfterLatencyIsPolled) {
    ModelOptions o;
    o.reset_latency = std::chrono::milliseconds(15);
    ModelRig r(o, true);
    FpiEngine e(*r.win, *r.arena, *r.irq, opts());
    auto info = e.reset();
    EXPECT_TRUE(info) << info.error().message;
}

Request des_ecb(uint64_t bus, uint32_t cookie) {
    Request q;
    q.alg = Alg::Des;
    q.mode = Mode::Ecb;
    q.dir = Dir::Encrypt;
    q.length = 8;
    q.src = q.dst = bus;
    const Bytes k = from_hex("133457799bbcdff1");
    std::memcpy(q.key, k.data(), 8);
    q.cookie = cookie;
    return q;
}

TEST(FpiEngine, RingFullAndWrapAround) {
    ModelRig r; // step mode: the test decides when the device works
    FpiEngine e(*r.win, *r.arena, *r.irq, opts(4));
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.start_ring());
    EXPECT_EQ(e.capacity(), 3u);
    DmaBuf buf = r.arena->alloc(8 * 64, 8);
    const Bytes pt = from_hex("0123456789abcdef");
    uint32_t cookie = 1;
    uint32_t reaped = 0;
    for (int round = 0; round < 10; ++round) {
        for (uint32_t i = 0; i < 3; ++i) {
            std::memcpy(buf.cpu + 8 * i, pt.data(), 8);
            auto s = e.post(des_ecb(buf.bus + 8 * i, cookie++));
            ASSERT_TRUE(s);
        }
        auto busy = e.post(des_ecb(buf.bus, 999));
        ASSERT_FALSE(busy);
        EXPECT_EQ(busy.error().code, Errc::Busy) << "one slot always stays empty";
        ASSERT_EQ(r.model->step(10), 3u);
        std::vector<Completion> done;
        ASSERT_TRUE(e.ack());
        ASSERT_TRUE(e.reap(done));
        ASSERT_EQ(done.size(), 3u);
        for (uint32_t i = 0; i < 3; ++i) {
            EXPECT_EQ(done[i].result, DescResult::Ok);
            EXPECT_EQ(done[i].cookie, cookie - 3 + i);
            EXPECT_EQ(Bytes(buf.cpu + 8 * i, buf.cpu + 8 * i + 8), from_hex("85e813540f0ab405"));
            // Key and IV fields of reaped slots are wiped.
            const uint8_t *d = r.programmed_slot(done[i].slot);
            ASSERT_NE(d, nullptr);
            for (uint32_t b = regs::D_KEY; b < regs::D_STATUS; ++b) ASSERT_EQ(d[b], 0) << b;
        }
        reaped += 3;
    }
    EXPECT_EQ(reaped, 30u);
    EXPECT_EQ(r.rd(regs::DONE_COUNT), 30u);
    r.arena->free(buf);
}

TEST(FpiEngine, EveryDescriptorErrorIsReported) {
    ModelRig r;
    FpiEngine e(*r.win, *r.arena, *r.irq, opts(16));
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.start_ring());
    DmaBuf buf = r.arena->alloc(256, 64);
    std::vector<std::pair<Request, DescResult>> cases;
    Request q = des_ecb(buf.bus, 1);
    q.raw_control_extra = 1u << 12;
    cases.push_back({q, DescResult::BadControl});
    q = des_ecb(buf.bus, 2);
    q.length = 4;
    cases.push_back({q, DescResult::BadLength});
    q = des_ecb(buf.bus + 4, 3);
    cases.push_back({q, DescResult::BadAlign});
    q = des_ecb(buf.bus, 4);
    q.length = 16;
    q.dst = buf.bus + 8;
    cases.push_back({q, DescResult::Overlap});
    q = des_ecb(0x200000000ull, 5);
    cases.push_back({q, DescResult::AddrRange});
    q = des_ecb(0x08000000ull, 6);
    q.dst = buf.bus;
    cases.push_back({q, DescResult::SrcDmaFault});
    q = des_ecb(buf.bus, 7);
    q.dst = 0x08000000ull;
    cases.push_back({q, DescResult::DstDmaFault});
    for (auto &c : cases) ASSERT_TRUE(e.post(c.first));
    ASSERT_EQ(r.model->step(100), cases.size());
    auto bits = e.ack();
    ASSERT_TRUE(bits);
    EXPECT_EQ(bits.value(), regs::INT_DESC_ERR);
    std::vector<Completion> done;
    ASSERT_TRUE(e.reap(done));
    ASSERT_EQ(done.size(), cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
        EXPECT_EQ(done[i].result, cases[i].second) << i;
        EXPECT_EQ(done[i].cookie, cases[i].first.cookie);
    }
    r.arena->free(buf);
}

TEST(FpiEngine, DistrustsWriteBack) {
    struct Tamper {
        const char *name;
        FaultCause cause;
    };
    for (Tamper t :
         {Tamper{"cookie", FaultCause::CookieMismatch}, Tamper{"not-done", FaultCause::NotDone},
          Tamper{"unknown-code", FaultCause::BadStatus},
          Tamper{"reserved-bits", FaultCause::BadStatus}}) {
        ModelRig r;
        FpiEngine e(*r.win, *r.arena, *r.irq, opts(8));
        ASSERT_TRUE(e.reset());
        ASSERT_TRUE(e.start_ring());
        DmaBuf buf = r.arena->alloc(64, 8);
        auto slot = e.post(des_ecb(buf.bus, 42));
        ASSERT_TRUE(slot);
        ASSERT_EQ(r.model->step(1), 1u);
        uint8_t *d = r.programmed_slot(slot.value());
        ASSERT_NE(d, nullptr);
        const std::string n = t.name;
        if (n == "cookie") ModelRig::put32(d + regs::D_COOKIE, 43);
        if (n == "not-done") ModelRig::put32(d + regs::D_STATUS, 0);
        if (n == "unknown-code") ModelRig::put32(d + regs::D_STATUS, regs::D_ST_DONE | 0x55);
        if (n == "reserved-bits") ModelRig::put32(d + regs::D_STATUS, regs::D_ST_DONE | 0x100);
        std::vector<Completion> done;
        auto res = e.reap(done);
        ASSERT_FALSE(res) << n;
        EXPECT_EQ(res.error().code, Errc::DeviceBroken);
        EXPECT_EQ(e.fault().cause, t.cause) << n;
        EXPECT_TRUE(done.empty());
        r.arena->free(buf);
    }
}

TEST(FpiEngine, DistrustsHeadAndAllOnes) {
    ModelRig r;
    TamperWindow tw(*r.win);
    FpiEngine e(tw, *r.arena, *r.irq, opts(8));
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.start_ring());
    DmaBuf buf = r.arena->alloc(64, 8);
    ASSERT_TRUE(e.post(des_ecb(buf.bus, 1)));
    std::vector<Completion> done;
    tw.set(regs::RING_HEAD, 9); // >= ring size
    auto res = e.reap(done);
    ASSERT_FALSE(res);
    EXPECT_EQ(e.fault().cause, FaultCause::BadHead);
    tw.set(regs::RING_HEAD, 5); // beyond the one posted descriptor
    ASSERT_FALSE(e.reap(done));
    EXPECT_EQ(e.fault().cause, FaultCause::BadHead);
    tw.set(regs::RING_HEAD, 0xFFFFFFFF);
    ASSERT_FALSE(e.reap(done));
    EXPECT_EQ(e.fault().cause, FaultCause::Removed);
    tw.set(regs::INT_STATUS, 0xFFFFFFFF);
    ASSERT_FALSE(e.ack());
    EXPECT_EQ(e.fault().cause, FaultCause::Removed);
    tw.set(regs::INT_STATUS, 0x80);
    ASSERT_FALSE(e.ack());
    EXPECT_EQ(e.fault().cause, FaultCause::BadStatus);
    tw.clear();
    ASSERT_EQ(r.model->step(1), 1u);
    EXPECT_TRUE(e.reap(done));
    EXPECT_EQ(done.size(), 1u);
    r.arena->free(buf);
}

TEST(FpiEngine, RandomWriteBackNeverPassesAsValid) {
    // A hostile device scribbles on status words and cookies: reap() hands over only slots
    // whose status and cookie are exactly what a correct device writes, in order.
    std::mt19937 rng(7);
    for (int round = 0; round < 200; ++round) {
        ModelRig r;
        FpiEngine e(*r.win, *r.arena, *r.irq, opts(8));
        ASSERT_TRUE(e.reset());
        ASSERT_TRUE(e.start_ring());
        DmaBuf buf = r.arena->alloc(64, 8);
        for (uint32_t i = 0; i < 5; ++i) ASSERT_TRUE(e.post(des_ecb(buf.bus, 100 + i)));
        ASSERT_EQ(r.model->step(5), 5u);
        const uint32_t victim = rng() % 5;
        uint8_t *d = r.programmed_slot(victim);
        const uint32_t garbage = static_cast<uint32_t>(rng());
        const bool on_status = rng() % 2 == 0;
        ModelRig::put32(d + (on_status ? regs::D_STATUS : regs::D_COOKIE), garbage);
        const bool still_valid =
            on_status ? garbage == regs::D_ST_DONE ||
                            ((garbage & ~0x800000FFu) == 0 && (garbage & regs::D_ST_DONE) &&
                             (garbage & 0xFFu) <= regs::ERR_MAX)
                      : garbage == 100 + victim;
        std::vector<Completion> done;
        auto res = e.reap(done);
        if (still_valid) {
            EXPECT_TRUE(res);
            EXPECT_EQ(done.size(), 5u);
        } else {
            ASSERT_FALSE(res);
            EXPECT_EQ(done.size(), victim) << "only the valid prefix is handed over";
            EXPECT_EQ(e.in_flight(), 5u - victim);
        }
        for (size_t i = 0; i < done.size(); ++i) EXPECT_EQ(done[i].cookie, 100 + i);
        r.arena->free(buf);
    }
}

TEST(FpiEngine, FatalIsReportedByAckWithCode) {
    ModelRig r;
    FpiEngine e(*r.win, *r.arena, *r.irq, opts(8));
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.start_ring());
    DmaBuf buf = r.arena->alloc(64, 8);
    r.model->inject_next(FaultKind::StatusWrite);
    ASSERT_TRUE(e.post(des_ecb(buf.bus, 1)));
    r.model->step(1);
    auto bits = e.ack();
    ASSERT_FALSE(bits);
    EXPECT_EQ(e.fault().cause, FaultCause::Fatal);
    EXPECT_EQ(e.fault().fatal_code, regs::FATAL_STATUS_WB_FAULT);
    EXPECT_TRUE(e.halted());
    // Recovery: reset, configure, self-test again.
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.start_ring());
    EXPECT_EQ(e.in_flight(), 0u);
    r.arena->free(buf);
}

TEST(FpiEngine, SelfTestDetectsWrongAnswers) {
    ModelRig r({}, true);
    FpiEngine e(*r.win, *r.arena, *r.irq, opts(8));
    ASSERT_TRUE(e.reset());
    ASSERT_TRUE(e.start_ring());
    r.model->inject_next(FaultKind::DstDma);
    auto st = e.self_test();
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, Errc::DeviceBroken);
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
