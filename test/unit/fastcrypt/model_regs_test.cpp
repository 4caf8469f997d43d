// SPDX-License-Identifier: Apache-2.0
// FPI model registers: reset values, RO/RW/W1C semantics, reset latency, fatal codes, removal.
#include <gtest/gtest.h>

#include "model_rig.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using model::FaultKind;
using model::ModelOptions;

TEST(ModelRegs, ResetValuesAndReadOnly) {
    ModelRig r;
    EXPECT_EQ(r.rd(regs::ID), 0x46435259u);
    EXPECT_EQ(r.rd(regs::VERSION), 0x00010000u);
    EXPECT_EQ(r.rd(regs::CAPS), 0x00000133u);
    EXPECT_EQ(r.rd(regs::MAX_XFER), 0x00010000u);
    EXPECT_EQ(r.rd(regs::CTRL), 0u);
    EXPECT_EQ(r.rd(regs::STATUS), regs::STATUS_READY);
    for (uint32_t off = regs::INT_STATUS; off <= regs::SCRATCH; off += 4)
        EXPECT_EQ(r.rd(off), 0u) << off;
    for (uint32_t off = 0x40; off < regs::BAR0_SIZE; off += 0x40) {
        r.wr(off, 0xDEADBEEF);
        EXPECT_EQ(r.rd(off), 0u) << "reserved offset " << off;
    }
    // RO registers ignore writes.
    r.wr(regs::ID, 1);
    r.wr(regs::VERSION, 2);
    r.wr(regs::CAPS, 3);
    r.wr(regs::MAX_XFER, 4);
    r.wr(regs::STATUS, 0);
    r.wr(regs::RING_HEAD, 2);
    r.wr(regs::DONE_COUNT, 9);
    r.wr(regs::FATAL_INFO, 9);
    EXPECT_EQ(r.rd(regs::ID), 0x46435259u);
    EXPECT_EQ(r.rd(regs::MAX_XFER), 0x10000u);
    EXPECT_EQ(r.rd(regs::STATUS), regs::STATUS_READY);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 0u);
    EXPECT_EQ(r.rd(regs::DONE_COUNT), 0u);
    // Reserved CTRL bits read 0; SOFT_RESET self-clears.
    r.wr(regs::CTRL, regs::CTRL_IRQ_EN | 0x00F0u);
    EXPECT_EQ(r.rd(regs::CTRL), regs::CTRL_IRQ_EN);
    r.wr(regs::SCRATCH, 0x12345678);
    EXPECT_EQ(r.rd(regs::SCRATCH), 0x12345678u);
    r.wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    EXPECT_EQ(r.rd(regs::CTRL), 0u);
    EXPECT_EQ(r.rd(regs::SCRATCH), 0u);
    EXPECT_EQ(r.model->counters().resets, 1u);
    // Misaligned access never reaches the model: ModelWindow reports it as a bad access.
    EXPECT_EQ(r.win->read32(0x02), 0xFFFFFFFFu);
    EXPECT_EQ(r.win->bad_accesses(), 1u);
}

TEST(ModelRegs, ResetLatencyIgnoresWritesUntilReady) {
    ModelOptions o;
    o.reset_latency = std::chrono::milliseconds(30);
    ModelRig r(o);
    EXPECT_EQ(r.rd(regs::STATUS) & regs::STATUS_READY, 0u);
    r.wr(regs::SCRATCH, 0x55);
    EXPECT_EQ(r.rd(regs::SCRATCH), 0u) << "writes before READY are ignored";
    ASSERT_TRUE(
        ModelRig::eventually([&] { return (r.rd(regs::STATUS) & regs::STATUS_READY) != 0; }));
    r.wr(regs::SCRATCH, 0x55);
    EXPECT_EQ(r.rd(regs::SCRATCH), 0x55u);
    r.wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    EXPECT_EQ(r.rd(regs::STATUS) & regs::STATUS_READY, 0u);
    // SOFT_RESET is heard even while not ready.
    r.wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    EXPECT_EQ(r.model->counters().resets, 2u);
}

struct FatalCase {
    const char *name;
    uint32_t lo, hi, size;
    uint32_t code;
};

class ModelFatalOnEnable : public ::testing::TestWithParam<FatalCase> {};

TEST_P(ModelFatalOnEnable, HaltsWithCode) {
    const FatalCase &c = GetParam();
    ModelRig r;
    r.wr(regs::INT_ENABLE, regs::INT_ALL);
    r.wr(regs::RING_BASE_LO, c.lo);
    r.wr(regs::RING_BASE_HI, c.hi);
    r.wr(regs::RING_SIZE, c.size);
    r.wr(regs::CTRL, regs::CTRL_ENABLE | regs::CTRL_IRQ_EN);
    EXPECT_EQ(r.rd(regs::CTRL) & regs::CTRL_ENABLE, 0u) << "ENABLE must not take effect";
    EXPECT_NE(r.rd(regs::STATUS) & regs::STATUS_HALTED, 0u);
    EXPECT_EQ(r.rd(regs::FATAL_INFO) & 0xFFu, c.code);
    EXPECT_NE(r.rd(regs::INT_STATUS) & regs::INT_FATAL, 0u);
    EXPECT_EQ(r.irq->wait(std::chrono::milliseconds(0)), IrqResult::Fired);
    // The only way out is SOFT_RESET.
    r.wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    EXPECT_EQ(r.rd(regs::STATUS), regs::STATUS_READY);
    EXPECT_EQ(r.rd(regs::FATAL_INFO), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Codes, ModelFatalOnEnable,
    ::testing::Values(FatalCase{"ZeroBase", 0, 0, 16, regs::FATAL_BAD_RING_BASE},
                      FatalCase{"MisalignedBase", 0x10000020, 0, 16, regs::FATAL_BAD_RING_BASE},
                      FatalCase{"HighBaseWithoutDma64", 0x10000000, 1, 16,
                                regs::FATAL_BAD_RING_BASE},
                      FatalCase{"SizeNotPow2", 0x10000000, 0, 12, regs::FATAL_BAD_RING_SIZE},
                      FatalCase{"SizeTooSmall", 0x10000000, 0, 2, regs::FATAL_BAD_RING_SIZE},
                      FatalCase{"SizeTooLarge", 0x10000000, 0, 8192, regs::FATAL_BAD_RING_SIZE}),
    [](const auto &info) { return info.param.name; });

TEST(ModelRegs, TailOutOfRangeIsFatal3AndHaltIgnoresDoorbells) {
    ModelRig r;
    r.start(8);
    r.wr(regs::RING_TAIL, 8);
    EXPECT_NE(r.rd(regs::STATUS) & regs::STATUS_HALTED, 0u);
    EXPECT_EQ(r.rd(regs::FATAL_INFO), regs::FATAL_TAIL_RANGE | (8u << 16));
    r.wr(regs::RING_TAIL, 1);
    EXPECT_EQ(r.rd(regs::RING_TAIL), 0u) << "a halted engine ignores doorbells";
    EXPECT_EQ(r.model->counters().spurious_doorbells, 1u);
}

TEST(ModelRegs, RingConfigWhileEnabledIsFatal6) {
    for (uint32_t off : {regs::RING_BASE_LO, regs::RING_BASE_HI, regs::RING_SIZE}) {
        ModelRig r;
        r.start(8);
        r.wr(off, 16);
        EXPECT_EQ(r.rd(regs::FATAL_INFO) & 0xFFu, regs::FATAL_CFG_WHILE_ENABLED) << off;
        EXPECT_EQ(r.rd(regs::RING_SIZE), 8u);
    }
}

TEST(ModelRegs, DescriptorFetchOutsideArenaIsFatal4) {
    ModelRig r;
    // A 64-byte aligned base the arena does not hold: enabling succeeds, fetching faults.
    r.wr(regs::RING_BASE_LO, 0x00001000);
    r.wr(regs::RING_SIZE, 4);
    r.wr(regs::INT_ENABLE, regs::INT_ALL);
    r.wr(regs::CTRL, regs::CTRL_ENABLE | regs::CTRL_IRQ_EN);
    EXPECT_EQ(r.rd(regs::STATUS) & regs::STATUS_HALTED, 0u);
    r.wr(regs::RING_TAIL, 1);
    r.model->step(1);
    EXPECT_EQ(r.rd(regs::FATAL_INFO), regs::FATAL_DESC_FETCH_FAULT);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 0u);
}

TEST(ModelRegs, InterruptsAreW1CAndLevel) {
    ModelRig r;
    r.start(8, 0); // INT_ENABLE = 0: nothing raises the line
    uint8_t key[24] = {0x13, 0x34, 0x57, 0x79, 0x9B, 0xBC, 0xDF, 0xF1};
    auto buf = r.arena->alloc(64, 8);
    r.put_desc(0, regs::D_CTL_DIR_ENC | regs::D_CTL_IRQ, 8, buf.bus, buf.bus, key, nullptr, 7);
    r.put_desc(1, regs::D_CTL_DIR_ENC, 8, buf.bus, buf.bus, key, nullptr, 8); // no IRQ bit
    r.wr(regs::RING_TAIL, 1);
    EXPECT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(r.rd(regs::INT_STATUS), regs::INT_DONE);
    EXPECT_EQ(r.irq->wait(std::chrono::milliseconds(0)), IrqResult::Timeout);
    // Enabling a pending bit asserts the line at once.
    r.wr(regs::INT_ENABLE, regs::INT_DONE);
    EXPECT_EQ(r.irq->wait(std::chrono::milliseconds(0)), IrqResult::Fired);
    // Write-1-to-clear.
    r.wr(regs::INT_STATUS, regs::INT_DONE);
    EXPECT_EQ(r.rd(regs::INT_STATUS), 0u);
    r.wr(regs::RING_TAIL, 2);
    EXPECT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(r.rd(regs::INT_STATUS), 0u) << "success without the IRQ bit raises nothing";
    EXPECT_EQ(r.rd(regs::DONE_COUNT), 2u);
    r.arena->free(buf);
}

TEST(ModelRegs, EnableOffStopsAfterCurrentAndKeepsIndices) {
    ModelRig r;
    r.start(8);
    uint8_t key[24] = {1, 2, 3, 4, 5, 6, 7, 8};
    auto buf = r.arena->alloc(64, 8);
    for (uint32_t i = 0; i < 3; ++i)
        r.put_desc(i, regs::D_CTL_DIR_ENC | regs::D_CTL_IRQ, 8, buf.bus + 8 * i, buf.bus + 8 * i,
                   key, nullptr, i);
    r.wr(regs::RING_TAIL, 3);
    EXPECT_EQ(r.model->step(1), 1u);
    r.wr(regs::CTRL, regs::CTRL_IRQ_EN);
    EXPECT_EQ(r.model->step(5), 0u);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 1u);
    EXPECT_EQ(r.rd(regs::RING_TAIL), 3u);
    // A doorbell while disabled is latched, processed on enable.
    r.put_desc(3, regs::D_CTL_DIR_ENC, 8, buf.bus + 24, buf.bus + 24, key, nullptr, 3);
    r.wr(regs::RING_TAIL, 4);
    r.wr(regs::CTRL, regs::CTRL_ENABLE | regs::CTRL_IRQ_EN);
    EXPECT_EQ(r.model->step(5), 3u);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 4u);
    r.arena->free(buf);
}

TEST(ModelRegs, SurpriseRemovalReadsAllOnesAndDropsWrites) {
    ModelRig r;
    r.start(8);
    r.model->set_removed(true);
    EXPECT_EQ(r.rd(regs::ID), 0xFFFFFFFFu);
    EXPECT_EQ(r.rd(regs::STATUS), 0xFFFFFFFFu);
    r.wr(regs::SCRATCH, 1);
    r.model->set_removed(false);
    EXPECT_EQ(r.rd(regs::SCRATCH), 0u);
}

TEST(ModelRegs, SpuriousInterruptHasNoStatus) {
    ModelRig r;
    r.start(8);
    r.model->inject(FaultKind::SpuriousIrq, 0);
    EXPECT_EQ(r.irq->wait(std::chrono::milliseconds(0)), IrqResult::Fired);
    EXPECT_EQ(r.rd(regs::INT_STATUS), 0u);
}

TEST(ModelRegs, WrongIdentityIsConfigurable) {
    ModelOptions o;
    o.id = 0x12345678;
    o.version = 0x00020000;
    ModelRig r(o);
    EXPECT_EQ(r.rd(regs::ID), 0x12345678u);
    EXPECT_EQ(r.rd(regs::VERSION), 0x00020000u);
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
