// SPDX-License-Identifier: Apache-2.0
// FakeDevice: a device driver table implementing device.h for scheduler tests.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/device.h"

namespace acrypto::sched::test {

/// How an instance runs what it is given.
enum class FakeMode {
    Manual, ///< the test thread pulls (dequeue_fn) and completes
    Auto,   ///< dequeues and completes inside data_ready (a null device)
    Worker, ///< its own thread dequeues bursts and completes them
};

/// One opened fake instance. Configuration keys (driver "fake"):
///   names=a,b,c      instances to open (probe count)
///   mode=manual|auto|worker
///   queue-len=N      (default 64)
///   caps=aes-cbc,sha256,hmac-sha256,fused-aes-hmac,rng   (default aes-cbc,sha256)
///   inline=1         advertise ACRYPTO_DEV_F_INLINE (run_inline_fn)
///   status=N         status Auto/Worker complete with (default 0)
///   tag=N            byte written to step.tag[0] of each step run (default: instance index + 1)
///   fail-every=N    Auto/Worker: every Nth completion reports ACRYPTO_E_DEVICE
///   hardware=1, entropy=1
///   kernel=1         offer cipher kernels (bind_kernel_fn): dst = src ^ 0x5a, iv[0] += 1
///   kernel=old       the same with a struct_size too small for this layout
struct FakeDevice {
    std::string name;
    FakeMode mode = FakeMode::Manual;
    uint8_t tag = 0;
    int status = 0;
    uint32_t fail_every = 0;
    std::atomic<uint32_t> completions{0};
    /// Status for the next Auto/Worker completion (fault injection included).
    int next_status();
    acrypto_host *host = nullptr;
    const acrypto_host_ops *hops = nullptr;
    std::vector<acrypto_capability> caps;

    std::atomic<uint32_t> data_ready_calls{0};
    std::atomic<uint32_t> inline_calls{0};
    std::atomic<uint32_t> self_test_calls{0};
    std::atomic<bool> self_test_ok{true};
    std::atomic<uint32_t> ncur_seen_max{0};
    bool kernel = false;
    bool kernel_old_layout = false;
    std::atomic<uint32_t> kernels_bound{0};
    std::atomic<uint32_t> kernel_runs{0};
    std::atomic<uint32_t> kernels_released{0};

    std::mutex mu;
    std::vector<acrypto_session *> held; ///< Manual: pulled, not completed
    std::vector<uint64_t> freed_keys;    ///< key_free_fn ids
    bool closed = false;

    // Worker mode.
    std::thread worker;
    std::condition_variable cv;
    bool stop = false;
    uint32_t kicks = 0;

    /// Manual: dequeue up to `max` sessions into `held`; returns how many.
    uint32_t pull(uint32_t max);
    /// Manual: run (on OK) and complete held session `i` (removed from held).
    void complete(size_t i, int status, uint32_t steps_done = 0);
    /// Manual: complete a session pointer directly, without checks (duplicates).
    void complete_raw(acrypto_session *s, int status, uint32_t steps_done);
    /// Manual: complete everything held with `status`.
    void complete_all(int status);
    size_t held_count();
    std::vector<uint64_t> freed();
};

/// The driver table ("fake").
const acrypto_device_driver *fake_driver();
/// The same driver ("fake10") with the struct_size of the first ABI 1 release.
const acrypto_device_driver *fake_driver_v1_0();
/// The instance opened under `name`, or null. Valid until it is closed.
FakeDevice *fake(const std::string &name);
/// Run the steps handed over (cur..cur+ncur): dst = src ^ 0x5a, tag[0] = tag.
void fake_run(acrypto_session *s, uint8_t tag);

} // namespace acrypto::sched::test
