// SPDX-License-Identifier: Apache-2.0
// DeviceQueue: priority order, FIFO within a priority, aging with a synthetic clock.
#include <gtest/gtest.h>

#include <vector>

#include "device_queue.hpp"
#include "session_access.hpp"

namespace acrypto::sched::detail {
namespace {

std::vector<Ref<Session>> sessions(std::initializer_list<uint32_t> prios) {
    std::vector<Ref<Session>> v;
    for (uint32_t p : prios) {
        v.push_back(Session::make(1));
        v.back()->set_priority(p);
    }
    return v;
}

TEST(DeviceQueue, PriorityThenFifo) {
    auto v = sessions({0, 3, 7, 3, 1, 7, 0});
    DeviceQueue q;
    for (auto &s : v) q.push(s.get(), 100);
    EXPECT_EQ(q.size(), 7u);
    const int order[] = {2, 5, 1, 3, 4, 0, 6};
    for (int i : order) EXPECT_EQ(q.pop(100, 0), v[i].get()) << i;
    EXPECT_EQ(q.pop(100, 0), nullptr);
    EXPECT_TRUE(q.empty());
}

TEST(DeviceQueue, AgingLetsLowPriorityOvertake) {
    auto v = sessions({0, 7, 1});
    DeviceQueue q;
    q.push(v[0].get(), 0);   // prio 0 at t=0
    q.push(v[1].get(), 100); // prio 7 at t=100
    q.push(v[2].get(), 100); // prio 1 at t=100
    // At t=100 with aging 10 ms, the prio-0 session has aged to 7 and is older.
    EXPECT_EQ(q.pop(100, 10), v[0].get());
    EXPECT_EQ(q.pop(100, 10), v[1].get());
    EXPECT_EQ(q.pop(100, 10), v[2].get());
}

TEST(DeviceQueue, AgingNotYetEnough) {
    auto v = sessions({0, 1});
    DeviceQueue q;
    q.push(v[0].get(), 0);
    q.push(v[1].get(), 5);
    // 5 ms old with aging 10 ms: still priority 0, the priority-1 session goes first.
    EXPECT_EQ(q.pop(5, 10), v[1].get());
    EXPECT_EQ(q.pop(5, 10), v[0].get());
}

TEST(DeviceQueue, AgingDisabledNeverReorders) {
    auto v = sessions({0, 2});
    DeviceQueue q;
    q.push(v[0].get(), 0);
    q.push(v[1].get(), 1000000);
    EXPECT_EQ(q.pop(2000000, 0), v[1].get());
}

TEST(DeviceQueue, TakeAllPriorityOrder) {
    auto v = sessions({1, 6, 1});
    DeviceQueue q;
    for (auto &s : v) q.push(s.get(), 0);
    Session *l = q.take_all();
    EXPECT_EQ(q.size(), 0u);
    ASSERT_EQ(l, v[1].get());
    l = SessionAccess::sched(*l).next;
    ASSERT_EQ(l, v[0].get());
    l = SessionAccess::sched(*l).next;
    ASSERT_EQ(l, v[2].get());
    EXPECT_EQ(SessionAccess::sched(*l).next, nullptr);
}

} // namespace
} // namespace acrypto::sched::detail
