// SPDX-License-Identifier: Apache-2.0
// SchedulerCore: device registry, per-device priority queues, balancer host,
// routing, binding, failover, completion. The provider's and native API's only door.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "acrypto/balancer.h"
#include "acrypto/device.h"
#include "acrypto/sched/config.hpp"
#include "acrypto/sched/result.hpp"
#include "acrypto/sched/session.hpp"

namespace acrypto::sched {

/// Scheduler-wide options (from the provider's configuration section).
struct Options {
    std::string balancer = "least-loaded"; ///< balancer name (built-in or plugin)
    Config balancer_config;                ///< the balancer's own keys
    std::string plugin_dir;                ///< where device/balancer .so plugins are found
    uint32_t aging_ms = 100; ///< a queued session gains one priority level per aging_ms
    /// How many times an unbound session is re-placed after ACRYPTO_E_DEVICE/TIMEOUT
    /// from a healthy device before it completes with that status.
    uint32_t max_retries = 3;
    /// Latency histograms time one session in this many, chosen at random per submit
    /// (two or three clock reads per timed session); 1 = every session, 0 = none.
    uint32_t latency_sample = 8;
    /// Optional sink for device and scheduler messages (any thread, must not block).
    /// Null: ERROR/WARN go to stderr, INFO/DEBUG only when ACRYPTO_DEBUG is set.
    void (*log)(void *arg, int level, const char *device, const char *msg) = nullptr;
    void *log_arg = nullptr;
};

/// What the scheduler tells about one device instance.
struct DeviceInfo {
    uint32_t id = 0;
    std::string name;   ///< "cpu", "hifn0"
    std::string driver; ///< "cpu", "hifn"
    uint32_t flags = 0; ///< enum acrypto_device_flag
    bool broken = false;
    std::string broken_reason;
    uint32_t queued = 0;
    uint32_t in_flight = 0;
    uint32_t queue_len = 0;
    std::vector<acrypto_capability> caps;
};

/// How the caller of an operation waits when the work is offloaded.
enum class InlineCaller {
    Blocking, ///< blocks on the session (no ASYNC job to pause): pays the whole offload latency
    Paused,   ///< pauses inside an ASYNC job: pays pause, resume and wake-up; the device works
              ///< meanwhile
};

/// The cost model's estimates for one step, in ns (learned when measured, else from capabilities).
struct InlineEstimate {
    uint32_t inline_ns = 0;  ///< 0: no inline device can run it
    uint32_t offload_ns = 0; ///< UINT32_MAX: no device to offload to
};

/**
 * A kernel bound through SchedulerCore::bind_kernel: one key and one step shape on
 * the inline device run_inline would choose, run on the caller's thread with no
 * session (see acrypto_kernel in acrypto/device.h). Its runs count into the
 * device's and the scheduler's statistics in batches. Move-only; one thread uses
 * it at a time; released when destroyed or reset.
 */
class Kernel {
  public:
    Kernel() = default;
    ~Kernel() { reset(); }
    Kernel(Kernel &&o) noexcept;
    Kernel &operator=(Kernel &&o) noexcept;
    Kernel(const Kernel &) = delete;
    Kernel &operator=(const Kernel &) = delete;

    explicit operator bool() const noexcept {
        return k_.run_fn != nullptr || k_.aead_fn != nullptr;
    }
    /// Largest length run() / run_aead() take (0: none; an unbound kernel's table is zero).
    uint64_t max_len() const noexcept { return k_.max_len; }

    /// Size-class bits (cost model) where inline wins for a caller that blocks /
    /// that pauses, for this kernel's kind of step. One relaxed load each.
    uint32_t inline_classes(InlineCaller caller) const noexcept {
        return (caller == InlineCaller::Paused ? paused_ : blocking_)
            ->load(std::memory_order_relaxed);
    }
    /// The cost model's size class of a `len`-byte step (see the scheduler's InlineModel).
    static uint32_t size_class(uint64_t len) noexcept {
        // bit_width(len | 31) is at least 5, so no branch for the small classes.
        const auto c = static_cast<uint32_t>(std::bit_width(len | 31u)) - 5;
        return c < kSizeClasses ? c : kSizeClasses - 1;
    }
    static constexpr uint32_t kSizeClasses = 24;

    /**
     * Run the kernel (acrypto_kernel::run_fn). ACRYPTO_E_UNSUPPORTED, with nothing
     * touched, once the kernel is stale (a device broke or began closing, or one
     * was added): reset it and take the session path, or bind again.
     */
    int run(const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv, uint32_t *num) noexcept {
        if (!k_.run_fn || stale()) return ACRYPTO_E_UNSUPPORTED;
        const uint32_t n = ++runs_;
        const int rc = n % kSampleEvery == 0 ? run_sampled(src, dst, len, iv, num)
                                             : k_.run_fn(k_.state, src, dst, len, iv, num);
        return counted(rc, n, len);
    }

    /// Run an AEAD kernel (acrypto_kernel::aead_fn); ACRYPTO_E_UNSUPPORTED as run().
    int run_aead(const uint8_t *iv, size_t iv_len, const uint8_t *aad, size_t aad_len,
                 const uint8_t *src, uint8_t *dst, size_t len, uint8_t *tag,
                 size_t tag_len) noexcept {
        if (!k_.aead_fn || stale()) return ACRYPTO_E_UNSUPPORTED;
        const int rc = k_.aead_fn(k_.state, iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
        if (rc == ACRYPTO_E_UNSUPPORTED) return rc;
        // A verify failure is the message's, not the device's.
        (void)counted(rc == ACRYPTO_E_VERIFY ? ACRYPTO_OK : rc, ++runs_, len);
        return rc;
    }

    /// Release it (counts flushed while the scheduler lives).
    void reset() noexcept;
    /// Release it without touching the scheduler (a scheduler abandoned at fork()).
    void abandon() noexcept;

  private:
    friend class SchedulerCore;
    bool stale() const noexcept { return epoch_now_->load(std::memory_order_acquire) != epoch_; }
    /// Count run number `n` (runs_ already advanced) of `len` bytes that returned `rc`.
    int counted(int rc, uint32_t n, size_t len) noexcept {
        bytes_ += len;
        if (rc != ACRYPTO_OK) [[unlikely]]
            ++failed_;
        if (n >= kFlushEvery) [[unlikely]]
            flush();
        return rc;
    }
    /// Runs counted into the statistics at once (one shared lock per batch).
    static constexpr uint32_t kFlushEvery = 1024;
    /// One run in this many is timed for the cost model (two clock reads).
    static constexpr uint32_t kSampleEvery = 256;
    static_assert(kFlushEvery % kSampleEvery == 0, "runs_ restarts at a sampling point");
    void flush() noexcept;
    int run_sampled(const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
                    uint32_t *num) noexcept;

    /// Decision bits of a kernel with no cost-model entry: never inline by the model.
    static const std::atomic<uint32_t> kNoClasses;
    /// Epoch of an unbound kernel: never moves, so stale() needs no null check.
    static const std::atomic<uint64_t> kNoEpoch;

    acrypto_kernel k_{};
    void *core_ = nullptr;  ///< the SchedulerCore::Impl
    void *dev_ = nullptr;   ///< the detail::Device it runs on
    void *entry_ = nullptr; ///< the cost model's entry for its kind of step
    void *link_ = nullptr;  ///< refcounted link to the scheduler (detail::KeyNotifier)
    // The scheduler's kernel epoch and the cost model's decision bits, read on
    // every run (all live as long as the scheduler).
    const std::atomic<uint64_t> *epoch_now_ = &kNoEpoch;
    const std::atomic<uint32_t> *blocking_ = &kNoClasses;
    const std::atomic<uint32_t> *paused_ = &kNoClasses;
    uint64_t epoch_ = 0; ///< the scheduler's kernel epoch when bound
    uint32_t alg_ = 0;
    uint32_t runs_ = 0;   ///< runs not yet counted in the statistics (also paces sampling)
    uint32_t failed_ = 0; ///< failed runs not yet counted
    uint64_t bytes_ = 0;  ///< bytes not yet counted
};

/// Named counter (stats are name/value so they export as provider params as-is).
struct Stat {
    std::string name;
    uint64_t value = 0;
};

/// The scheduler. Thread-safe; no global lock on the submit/complete fast path.
class SchedulerCore {
  public:
    static Result<std::unique_ptr<SchedulerCore>> create(const Options &opts);
    ~SchedulerCore();
    SchedulerCore(const SchedulerCore &) = delete;
    SchedulerCore &operator=(const SchedulerCore &) = delete;

    /// Add a device driver table (built-in or from a plugin). Checks ABI version and sizes.
    Result<void> add_driver(const acrypto_device_driver *drv);
    /// dlopen `path` (or `name` looked up in plugin_dir as acrypto-dev-<name>.so), check, add.
    Result<void> load_device_plugin(const std::string &name_or_path);
    /// Add a balancer table (built-ins use this same path).
    Result<void> add_balancer(const acrypto_balancer *bal);
    /// dlopen a balancer plugin (acrypto-lb-<name>.so in plugin_dir, or a path), check, add.
    Result<void> load_balancer_plugin(const std::string &name_or_path);
    /// Make the named balancer current (created with `cfg`).
    Result<void> select_balancer(const std::string &name, const Config &cfg);

    /// Probe driver `driver` with `cfg` and open every instance found. Returns the
    /// number opened; 0 with an Error message is "asked for but none found".
    Result<uint32_t> open_devices(const std::string &driver, const Config &cfg);

    /// Key context tied to this scheduler (devices hear when it dies).
    Ref<Key> make_key(uint32_t alg, const uint8_t *data, size_t len, uint32_t curve_nid = 0,
                      uint32_t bits = 0);

    /// Queue a session (all its route steps). Ok: it will complete exactly once via
    /// its DoneFn / wait(). Other codes: not queued, nothing will complete
    /// (Busy: every capable device is full; Unsupported; Bound; Shutdown).
    Errc submit(const Ref<Session> &s);

    /// Run the session's route on the caller's thread with an inline-capable
    /// device (ACRYPTO_DEV_F_INLINE). Completes the session (done() true) before
    /// returning; returns its status. ACRYPTO_E_UNSUPPORTED, with the session left
    /// untouched and not completed, when some step has no matching inline device.
    int run_inline(Session &s);

    /// Whether running this step inline beats offloading it now (the inline
    /// threshold, static from config or learned by the cost model).
    bool prefer_inline(const acrypto_step &step) const noexcept;
    /// Static inline threshold in bytes (config key inline-threshold); 0 = never inline.
    void set_inline_threshold(size_t bytes) noexcept;

    /// Inline-or-offload from the cost model (config inline-threshold = auto): expected
    /// inline time against what offloading costs this caller, per (operation, size
    /// class), from capability rates first and then learned online (inline runs are
    /// sampled; blocking offloads are reported through observe_offload). No lock,
    /// no allocation: a table probe and one atomic load once the kind of step is known.
    bool prefer_inline(const acrypto_step &step, InlineCaller caller) const noexcept;
    /// Report the wall time a blocking caller waited for an offloaded step.
    void observe_offload(const acrypto_step &step, uint64_t ns) noexcept;
    /// Report the wall time of one inline run of `step` (run_inline samples its own).
    void observe_inline(const acrypto_step &step, uint64_t ns) noexcept;
    /// The model's current estimates for `step` (tests, diagnostics).
    InlineEstimate inline_estimate(const acrypto_step &step) const noexcept;

    /// Not measured yet (worker_wait_permille).
    static constexpr uint32_t kWaitUnknown = UINT32_MAX;
    /**
     * How long the software devices' worker threads stood runnable without a CPU per
     * unit of CPU they ran, in thousandths, smoothed over 20 ms windows of their kernel
     * scheduler statistics; kWaitUnknown before the first. Near 0 while a core is free
     * for them; high when every core is busy and an offload only takes a core from
     * another thread.
     */
    uint32_t worker_wait_permille() const noexcept;

    /**
     * Bind a kernel for `shape` (op, alg, mode, dir, key; buffers ignored) on the
     * inline device run_inline would pick for it (hardware first), when that
     * device offers one. Unsupported: no kernel; use sessions. Never for bound work.
     */
    Result<Kernel> bind_kernel(const acrypto_step &shape);

    /// Whether some healthy device (or inline device) can run this step.
    bool supports(const acrypto_step &step) const noexcept;

    /// Entropy from the best ACRYPTO_DEV_F_ENTROPY device; never pauses.
    int get_entropy(uint8_t *buf, size_t len);

    std::vector<DeviceInfo> devices() const;
    std::vector<Stat> stats() const;
    /// Run self-tests of every device; false with messages if any failed.
    bool self_test(std::vector<std::string> *messages);

    /// Complete every queued and in-flight session (Shutdown), close devices,
    /// join threads. Idempotent. Later submits return Shutdown.
    void shutdown();

    /// The implementation (opaque outside the scheduler library).
    struct Impl;

  private:
    explicit SchedulerCore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    friend class Key;
    friend class Kernel;
    friend struct SchedulerTestPeer;
};

/// The built-in balancer tables (each defined in its own file).
extern "C" const acrypto_balancer *acrypto_builtin_least_loaded(void);
extern "C" const acrypto_balancer *acrypto_builtin_round_robin(void);
/// "cost": expected completion = queued work / learned rate + learned latency.
extern "C" const acrypto_balancer *acrypto_builtin_cost(void);

/// Config keys the device driver plugin <plugin_dir>/acrypto-dev-<driver>.so declares
/// (dlopen'ed briefly, ABI version checked); false when it cannot be loaded.
bool driver_config_keys(const std::string &plugin_dir, const std::string &driver,
                        std::vector<std::string> &keys);

} // namespace acrypto::sched
