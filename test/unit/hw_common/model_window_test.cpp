// SPDX-License-Identifier: Apache-2.0
// ModelWindow: forwards aligned in-range accesses to the model, rejects the rest.
#include <gtest/gtest.h>

#include <map>

#include "acrypto/hw/model_window.hpp"

namespace {

class FakeRegs : public acrypto::hw::RegisterHandler {
  public:
    uint32_t read_reg(unsigned bar, uint32_t off) override { return regs[{bar, off}] ^ 0x5a; }
    void write_reg(unsigned bar, uint32_t off, uint32_t v) override { regs[{bar, off}] = v; }
    std::map<std::pair<unsigned, uint32_t>, uint32_t> regs;
};

} // namespace

TEST(ModelWindow, ForwardsWithBarIndex) {
    FakeRegs m;
    acrypto::hw::ModelWindow w0(m, 0, 0x1000), w1(m, 1, 0x2000);
    w0.write32(0x04, 7);
    w1.write32(0x04, 9);
    EXPECT_EQ(w0.read32(0x04), 7u ^ 0x5a);
    EXPECT_EQ(w1.read32(0x04), 9u ^ 0x5a);
    EXPECT_EQ(w1.size(), 0x2000u);
    w0.wmb();
    w0.rmb();
}

TEST(ModelWindow, RejectsMisalignedAndOutOfRange) {
    FakeRegs m;
    acrypto::hw::ModelWindow w(m, 0, 0x100);
    EXPECT_EQ(w.read32(0x2), 0xFFFFFFFFu);
    EXPECT_EQ(w.read32(0x100), 0xFFFFFFFFu);
    EXPECT_EQ(w.read32(0xFFFFFFFC), 0xFFFFFFFFu);
    w.write32(0x101, 1);
    w.write32(0xFC, 1);
    EXPECT_EQ(m.regs.size(), 1u);
    EXPECT_EQ(w.bad_accesses(), 4u);
}
