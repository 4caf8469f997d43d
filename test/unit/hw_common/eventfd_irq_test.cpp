// SPDX-License-Identifier: Apache-2.0
// make_eventfd_irq: fire, coalesce, timeout, close wakes waiters.
#include <gtest/gtest.h>

#include <thread>

#include "acrypto/hw/irq.hpp"

using namespace std::chrono_literals;
using acrypto::hw::IrqResult;

TEST(EventfdIrq, TimesOutWhenQuiet) {
    auto irq = acrypto::hw::make_eventfd_irq();
    ASSERT_GE(irq->fd(), 0);
    EXPECT_EQ(irq->wait(1ms), IrqResult::Timeout);
}

TEST(EventfdIrq, RaisesCoalesce) {
    auto irq = acrypto::hw::make_eventfd_irq();
    irq->raise();
    irq->raise();
    irq->raise();
    EXPECT_EQ(irq->wait(0ms), IrqResult::Fired);
    EXPECT_EQ(irq->wait(0ms), IrqResult::Timeout) << "pending fires are consumed at once";
}

TEST(EventfdIrq, WakesAcrossThreadsAndCloses) {
    auto irq = acrypto::hw::make_eventfd_irq();
    std::thread t([&] { irq->raise(); });
    EXPECT_EQ(irq->wait(10s), IrqResult::Fired);
    t.join();
    std::thread closer([&] { irq->close(); });
    EXPECT_EQ(irq->wait(10s), IrqResult::Closed);
    closer.join();
    EXPECT_EQ(irq->wait(0ms), IrqResult::Closed);
}
