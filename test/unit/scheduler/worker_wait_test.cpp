// SPDX-License-Identifier: Apache-2.0
// WorkerWait: schedstat parsing, smoothing, and a software device's worker that has to share
// its CPU with busy threads measured as starved (a hardware device's dequeuer is not).
#include <sched.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include "busy_cpu.hpp"
#include "sched_fixture.hpp"
#include "worker_wait.hpp"

namespace acrypto::sched::test {
namespace {

using detail::WorkerWait;

TEST(WorkerWaitMath, ParsesTheKernelsSchedstatLine) {
    uint64_t cpu = 0, wait = 0;
    ASSERT_TRUE(detail::parse_schedstat("5034553628 3623507 50\n", cpu, wait));
    EXPECT_EQ(cpu, 5034553628u);
    EXPECT_EQ(wait, 3623507u);
    EXPECT_FALSE(detail::parse_schedstat("", cpu, wait));
    EXPECT_FALSE(detail::parse_schedstat("12\n", cpu, wait));
    EXPECT_FALSE(detail::parse_schedstat("x 1 2\n", cpu, wait));
    EXPECT_FALSE(detail::parse_schedstat("1 \n", cpu, wait));
}

TEST(WorkerWaitMath, WindowsAreSmoothedCappedAndTooSmallOnesIgnored) {
    WorkerWait w;
    EXPECT_EQ(w.permille(), WorkerWait::kUnknown);
    w.fold(WorkerWait::kMinCpuNs - 1, 1'000'000); // too little CPU to judge
    EXPECT_EQ(w.permille(), WorkerWait::kUnknown);
    EXPECT_EQ(w.windows(), 0u);
    w.fold(1'000'000, 500'000); // the first window is taken as it is
    EXPECT_EQ(w.permille(), 500u);
    w.fold(1'000'000, 0); // then a quarter of each difference
    EXPECT_EQ(w.permille(), 375u);
    w.fold(1'000'000, 1'000'000'000); // waiting alone counts as kMaxPermille
    EXPECT_EQ(w.permille(), 375u + (WorkerWait::kMaxPermille - 375u) / 4);
    EXPECT_EQ(w.windows(), 3u);
    w.reset();
    EXPECT_EQ(w.permille(), WorkerWait::kUnknown);
}

using acrypto::test::pin_to;
using acrypto::test::Spinners;

using WorkerWaitSched = SchedFixture;

/// On a thread of its own: for `ms`, dequeue a session from `dev` (a manual fake device,
/// so this thread is its worker), compute for about a millisecond, complete it.
void work_as_worker(SchedulerCore &core, FakeDevice *dev, int cpu, int ms,
                    const std::function<Ref<Session>()> &make) {
    std::thread t([&] {
        ASSERT_TRUE(pin_to(cpu));
        const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
        volatile uint64_t sink = 0;
        while (std::chrono::steady_clock::now() < end) {
            auto s = make();
            ASSERT_EQ(core.submit(s), Errc::Ok);
            ASSERT_EQ(dev->pull(1), 1u);
            const auto burn = std::chrono::steady_clock::now() + std::chrono::microseconds(1000);
            while (std::chrono::steady_clock::now() < burn) sink = sink + 1;
            dev->complete(0, ACRYPTO_OK);
            ASSERT_TRUE(s->done());
        }
    });
    t.join();
}

TEST_F(WorkerWaitSched, SoftwareWorkerSharingItsCpuWithBusyThreadsIsStarved) {
    make();
    open({{"names", "w0"}, {"mode", "manual"}});
    EXPECT_EQ(core_->worker_wait_permille(), SchedulerCore::kWaitUnknown);
    const int cpu = sched_getcpu();
    ASSERT_GE(cpu, 0);
    {
        // Two spinners on the worker's CPU: it runs about a third of the time.
        Spinners busy(cpu, 2);
        work_as_worker(*core_, fake("w0"), cpu, 400, [this] { return cipher(64); });
    }
    const uint32_t w = core_->worker_wait_permille();
    ASSERT_NE(w, SchedulerCore::kWaitUnknown) << "no window measured";
    EXPECT_GE(w, 500u) << "a worker sharing its CPU with two spinning threads waits";
    EXPECT_EQ(stat("worker-wait-permille"), w);
    EXPECT_GE(stat("worker-wait-windows"), 3u);
}

TEST_F(WorkerWaitSched, HardwareDeviceDequeuesAreNotMeasured) {
    make();
    open({{"names", "h0"}, {"mode", "manual"}, {"hardware", "1"}});
    const int cpu = sched_getcpu();
    ASSERT_GE(cpu, 0);
    work_as_worker(*core_, fake("h0"), cpu, 100, [this] { return cipher(64); });
    EXPECT_EQ(core_->worker_wait_permille(), SchedulerCore::kWaitUnknown);
    for (const auto &st : core_->stats()) EXPECT_NE(st.name, "worker-wait-windows");
}

} // namespace
} // namespace acrypto::sched::test
