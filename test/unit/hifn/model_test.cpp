// SPDX-License-Identifier: Apache-2.0
// The chip model at register level: reset values, unlock state machine, side effects (§7.2, §7.3).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "model/hifn_model.hpp"
#include "regs.hpp"

using namespace acrypto::hw::hifn;
using namespace acrypto::hw::hifn::regs;
using acrypto::hw::hifn::model::ModelConfig;

namespace {

uint32_t sig(uint32_t a) {
    for (unsigned i = 0; i < HIFN_UNLOCK_STEP; ++i)
        a = (a << 1) | static_cast<uint32_t>(__builtin_parity(a & HIFN_UNLOCK_TAP));
    return a;
}

struct Chip {
    explicit Chip(ModelConfig c = {}) : m(model::make_model(c, 1 << 20, 0x10000000)) {}
    uint32_t r0(uint32_t o) { return m->bar0->read32(o); }
    uint32_t r1(uint32_t o) { return m->bar1->read32(o); }
    void w0(uint32_t o, uint32_t v) { m->bar0->write32(o, v); }
    void w1(uint32_t o, uint32_t v) { m->bar1->write32(o, v); }
    uint32_t level() {
        w0(HIFN_0_PUCNFG, HIFN_PUCNFG_CHIPID);
        return r0(HIFN_0_PUSTAT) & HIFN_PUSTAT_ENA_MASK;
    }
    /// The §2.3 handshake with `words` LFSR words; `corrupt` spoils word `bad`.
    void handshake(unsigned words, int bad = -1) {
        w1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_UNLOCK_VALUE);
        uint32_t a = r1(HIFN_1_UNLOCK_SECRET1);
        w1(HIFN_1_UNLOCK_SECRET2, 0);
        for (unsigned i = 0; i < words; ++i) {
            a = sig(a);
            w1(HIFN_1_UNLOCK_SECRET2, static_cast<int>(i) == bad ? a ^ 1 : a);
        }
        w1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_IDLE);
    }
    std::unique_ptr<model::ModelInstance> m;
};

} // namespace

TEST(Model, ResetValuesAndLockedLevel) {
    Chip c;
    EXPECT_EQ(c.r1(HIFN_1_DMA_CSR), 0u);
    EXPECT_EQ(c.r1(HIFN_1_DMA_CNFG), 0u);
    EXPECT_EQ(c.level(), HIFN_PUSTAT_ENA_LOCKED);
    EXPECT_EQ(c.r0(HIFN_0_PUCTRL) & HIFN_PUCTRL_RESET, 0u);
    EXPECT_EQ(c.r1(0x1F0), 0u) << "unimplemented offsets read 0";
    EXPECT_EQ(c.m->bar1->read32(0x42), 0xFFFFFFFFu) << "misaligned access";
}

TEST(Model, UnlockWithTwelveOrThirteenWords) {
    for (unsigned words : {12u, 13u}) {
        Chip c;
        c.handshake(words);
        EXPECT_EQ(c.level(), HIFN_PUSTAT_ENA_2) << words << " words";
    }
}

TEST(Model, WrongWordLocksUntilPowerCycle) {
    Chip c;
    c.handshake(13, 5);
    EXPECT_EQ(c.level(), 0u);
    c.handshake(13);
    EXPECT_EQ(c.level(), 0u) << "dead until power cycle";
    c.m->chip->power_cycle();
    c.handshake(13);
    EXPECT_EQ(c.level(), HIFN_PUSTAT_ENA_2);
}

TEST(Model, SecondUnlockIgnoredOrFatalAsConfigured) {
    Chip ignore;
    ignore.handshake(13);
    ignore.handshake(13);
    EXPECT_EQ(ignore.level(), HIFN_PUSTAT_ENA_2);
    ModelConfig cfg;
    cfg.relock_on_second_unlock = true;
    Chip lock(cfg);
    lock.handshake(13);
    lock.handshake(13);
    EXPECT_EQ(lock.level(), 0u);
}

TEST(Model, UnlockSurvivesMasterResetUnlessConfigured) {
    Chip c;
    c.handshake(13);
    c.w1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_FULL_RESET);
    c.w1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_IDLE);
    EXPECT_EQ(c.level(), HIFN_PUSTAT_ENA_2);
    ModelConfig cfg;
    cfg.unlock_survives_mstreset = false;
    Chip d(cfg);
    d.handshake(13);
    d.w1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_FULL_RESET);
    EXPECT_EQ(d.level(), 0u);
}

TEST(Model, PustatDualViewAndPuctrl2Alias) {
    Chip c;
    c.w0(HIFN_0_PUIER, HIFN_PUISR_DSTOVER);
    c.w0(HIFN_0_PUCTRL2, HIFN_PUCTRL_DMAENA | HIFN_PUCTRL_RESET);
    EXPECT_EQ(c.r0(HIFN_0_PUCTRL), HIFN_PUCTRL_DMAENA) << "0x28 aliases 0x04; reset is instant";
    c.w0(HIFN_0_PUCNFG, 0);
    EXPECT_EQ(c.r0(HIFN_0_PUSTAT), 0u) << "PU status view";
}

TEST(Model, CsrStatusIsWriteOneToClearAndRaisesIrq) {
    Chip c;
    c.w1(HIFN_1_DMA_IER, HIFN_DMACSR_PUBDONE);
    c.w1(HIFN_1_PUB_IEN, HIFN_PUBIEN_DONE);
    c.w1(HIFN_1_PUB_OP, 12u << HIFN_PUBOP_OPCODE_SHIFT); // mod-exp: completes as NOP
    EXPECT_EQ(c.r1(HIFN_1_PUB_STATUS) & HIFN_PUBSTS_DONE, HIFN_PUBSTS_DONE);
    EXPECT_EQ(c.r1(HIFN_1_DMA_CSR) & HIFN_DMACSR_PUBDONE, HIFN_DMACSR_PUBDONE);
    EXPECT_EQ(c.m->irq->wait(std::chrono::milliseconds(100)), acrypto::hw::IrqResult::Fired);
    c.w1(HIFN_1_DMA_CSR, HIFN_DMACSR_PUBDONE);
    c.w1(HIFN_1_PUB_STATUS, HIFN_PUBSTS_DONE);
    EXPECT_EQ(c.r1(HIFN_1_DMA_CSR), 0u);
    EXPECT_EQ(c.r1(HIFN_1_PUB_STATUS), 0u);
}

TEST(Model, PllMasksReservedBitsAndWarnsOnUnsettledSwitch) {
    Chip c;
    c.w1(HIFN_1_PLL, 0x4C | HIFN_PLL_PE_CLK_SEL); // [L]'s OR of the offset, no bypass first
    EXPECT_EQ(c.r1(HIFN_1_PLL) & ~HIFN_PLL_DEFINED, 0u);
    EXPECT_GE(c.m->chip->stats().pll_warnings, 1u);
}

TEST(Model, RngQuirksAndPubReset) {
    Chip c;
    c.w1(HIFN_1_PUB_RESET, HIFN_PUBRST_RESET);
    EXPECT_EQ(c.r1(HIFN_1_PUB_RESET), HIFN_PUBRST_RESET) << "self-clears after a delay";
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    EXPECT_EQ(c.r1(HIFN_1_PUB_RESET), 0u);
    EXPECT_EQ(c.r1(HIFN_1_RNG_DATA), 0u) << "disabled";
    c.w1(HIFN_1_RNG_CONFIG, HIFN_RNGCFG_ENA);
    EXPECT_EQ(c.r1(HIFN_1_RNG_DATA), 0u) << "first read stale";
    uint32_t a = c.r1(HIFN_1_RNG_DATA);
    for (int i = 0; i < 7; ++i) EXPECT_EQ(c.r1(HIFN_1_RNG_DATA), a) << "latched for 8 reads";
    EXPECT_NE(c.r1(HIFN_1_RNG_DATA), a);
}
