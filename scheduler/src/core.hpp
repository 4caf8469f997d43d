// SPDX-License-Identifier: Apache-2.0
// SchedulerCore::Impl: device registry, queues, balancer host, stats (internal).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "acrypto/balancer.h"
#include "acrypto/device.h"
#include "acrypto/sched/scheduler.hpp"
#include "acrypto/sched/session.hpp"
#include "device_queue.hpp"
#include "inline_model.hpp"
#include "session_access.hpp"
#include "stats_table.hpp"
#include "worker_wait.hpp"

namespace acrypto::sched::detail {
struct Device;
} // namespace acrypto::sched::detail

/// The opaque host handle a device gets: one per opened instance.
struct acrypto_host {
    acrypto::sched::detail::Device *dev;
};

namespace acrypto::sched::detail {

/// Most device instances one scheduler holds (registry is append-only).
inline constexpr uint32_t kMaxDevices = 256;
inline constexpr uint32_t kNoDevice = UINT32_MAX;

/// A driver table added by add_driver / load_device_plugin.
struct DriverEntry {
    const acrypto_device_driver *drv = nullptr;
    std::string origin; ///< "built-in" or the plugin path
};

/// One opened device instance. Never freed before the scheduler.
struct Device {
    acrypto_host host{};
    SchedulerCore::Impl *core = nullptr;
    uint32_t id = 0;
    const acrypto_device_driver *drv = nullptr;
    void *dev = nullptr;
    acrypto_device_desc desc{};
    std::string name;
    std::string driver;
    std::vector<acrypto_capability> caps; ///< copy of desc.caps

    std::atomic<bool> broken{false};
    std::atomic<bool> closed{false};  ///< close_fn called or about to be: no more calls in
    std::atomic<bool> closing{false}; ///< shutdown began: enter() refuses
    std::atomic<uint32_t> active{0};  ///< scheduler calls into the device in progress
    std::atomic<uint32_t> breaks{0};  ///< times it was declared broken
    mutable std::mutex reason_mu;
    std::string broken_reason;

    std::mutex mu; ///< guards the queue (held sessions carry the device's holder tag)
    DeviceQueue queue;
    bool queue_closed = false; ///< shutdown drained the queue: refuse new work

    std::atomic<uint32_t> queued{0};
    std::atomic<uint32_t> in_flight{0};
    std::atomic<uint64_t> queued_bytes{0};
    DeviceCounters counters;

    bool healthy() const noexcept {
        return !broken.load(std::memory_order_acquire) && !closing.load(std::memory_order_acquire);
    }
    /// Begin a call into the device; false once shutdown started (then do not call).
    bool enter() noexcept {
        active.fetch_add(1, std::memory_order_seq_cst);
        if (closing.load(std::memory_order_seq_cst)) {
            leave();
            return false;
        }
        return true;
    }
    void leave() noexcept {
        if (active.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
            closing.load(std::memory_order_seq_cst))
            active.notify_all();
    }
    /// Shutdown side: wait (futex) until no call is in progress.
    void wait_idle() noexcept {
        for (uint32_t v = active.load(std::memory_order_seq_cst); v != 0;
             v = active.load(std::memory_order_seq_cst))
            active.wait(v, std::memory_order_seq_cst);
    }
};

/// Shared link from keys to the scheduler's devices (outlives the scheduler if keys do).
struct KeyNotifier {
    std::atomic<uint32_t> refs{1};
    std::shared_mutex mu;
    SchedulerCore::Impl *core = nullptr;
    void ref() noexcept { refs.fetch_add(1, std::memory_order_relaxed); }
    void unref() noexcept {
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }
};

/// A balancer table and its created state.
struct BalancerInstance {
    const acrypto_balancer *tab = nullptr;
    void *state = nullptr;
};

/// Why a placement did not queue a session.
enum class PlaceMode {
    Submit,   ///< caller's submit: room is required (busy devices are skipped)
    Continue, ///< next route step, retry or rehash: overcommit rather than fail
};

uint64_t coarse_ms() noexcept;
uint64_t mono_ns() noexcept;

} // namespace acrypto::sched::detail

namespace acrypto::sched {

struct SchedulerCore::Impl {
    explicit Impl(const Options &o);
    ~Impl();

    Options opts;
    bool debug = false;

    // Configuration-time registries (mutex held only while changing them).
    std::mutex cfg_mu;
    std::vector<detail::DriverEntry> drivers;
    std::vector<const acrypto_balancer *> balancers;
    std::vector<void *> dl_handles;
    std::vector<std::unique_ptr<detail::BalancerInstance>> bal_instances; // retired ones kept

    // Read-mostly device registry: append-only array published with release.
    std::array<std::atomic<detail::Device *>, detail::kMaxDevices> devs{};
    std::atomic<uint32_t> ndevs{0};
    std::atomic<detail::BalancerInstance *> balancer{nullptr};
    /// Bumped whenever a bound inline kernel may have gone stale: a device breaks
    /// or starts closing, or one is added (a better one may bind). Kernels compare
    /// it with the value they were bound under: one load per run.
    std::atomic<uint64_t> kernel_epoch{0};
    void kernels_stale() noexcept { kernel_epoch.fetch_add(1, std::memory_order_seq_cst); }

    std::atomic<bool> shutting_down{false};
    std::atomic<bool> shut{false};
    std::mutex shutdown_mu;
    std::atomic<size_t> inline_threshold{0};
    /// Learned inline-or-offload costs (placement.cpp; SchedulerCore::prefer_inline with a caller).
    mutable detail::InlineModel inline_model;
    /// Run-queue wait of the software devices' workers (host_dequeue samples it).
    detail::WorkerWait worker_wait;
    /// Never reused across schedulers in this process: keys the thread-local inline cache
    /// (a new scheduler may be allocated where a freed one was).
    const uint64_t uid = next_uid();
    static uint64_t next_uid() noexcept {
        static std::atomic<uint64_t> n{0};
        return n.fetch_add(1, std::memory_order_relaxed) + 1;
    }

    detail::KeyNotifier *notifier = nullptr;
    detail::CoreCounters counters;

    uint32_t device_count() const noexcept { return ndevs.load(std::memory_order_acquire); }
    detail::Device *device(uint32_t i) const noexcept {
        return devs[i].load(std::memory_order_acquire);
    }
    detail::Device *find_device(const char *name) const noexcept;

    void log(detail::Device *d, int level, const char *msg) const;
    void logf(detail::Device *d, int level, const char *fmt, ...) const
        __attribute__((format(printf, 4, 5)));

    // placement.cpp
    /// Place step s->cur on a device and queue it. Ok, or why not (nothing queued).
    Errc place(Session &s, detail::PlaceMode mode);
    /// Queue `s` on `d` for `ncur` steps. DeviceBroken: `d` broke meanwhile, pick again.
    Errc enqueue(detail::Device *d, Session &s, uint32_t ncur, detail::PlaceMode mode);
    /// Drop the scheduler's reference on `s`.
    static void drop_ref(Session &s) noexcept {
        if (s.unref()) Session::destroy(&s);
    }
    Errc submit(const Ref<Session> &s);
    int run_inline(Session &s);
    bool supports(const acrypto_step &step) const noexcept;
    /// Whether step `i` can only run fused with step i-1 on some healthy device.
    bool covered_by_fused(const acrypto_session &c, uint32_t i) const noexcept;
    bool prefer_inline(const acrypto_step &step) const noexcept;

    // completion.cpp
    uint32_t dequeue(detail::Device *d, acrypto_session **out, uint32_t max);
    void complete(detail::Device *d, acrypto_session *cs, int status, uint32_t steps_done);
    void mark_broken(detail::Device *d, const char *reason);
    /// Finish a session the scheduler holds a reference on, and drop that reference.
    void finish_owned(Session &s, int status, uint32_t failed_step, detail::Device *d);
    /// Re-place (unbound) or fail a session taken back from device `from`.
    void replace_or_fail(Session &s, detail::Device *from, int fail_status);
    void shutdown();

    // core.cpp
    Result<void> add_driver(const acrypto_device_driver *drv, const std::string &origin);
    Result<void> add_balancer(const acrypto_balancer *bal);
    Result<void> select_balancer(const std::string &name, const Config &cfg);
    Result<uint32_t> open_devices(const std::string &driver, const Config &cfg);
    void notify_key_free(uint64_t key_id);
    int get_entropy(uint8_t *buf, size_t len);
    bool self_test(std::vector<std::string> *messages);
    std::vector<DeviceInfo> devices() const;

    // stats.cpp
    std::vector<Stat> stats() const;

    // plugin_loader.cpp
    Result<void> load_device_plugin(const std::string &name_or_path);
    Result<void> load_balancer_plugin(const std::string &name_or_path);
};

} // namespace acrypto::sched
