// SPDX-License-Identifier: Apache-2.0
// Kernel: a device's inline kernel bound for one key and step shape, run with no session.
#include <cstddef>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "capability.hpp"
#include "core.hpp"
#include "inline_model.hpp"
#include "plugin_check.hpp"

namespace acrypto::sched {

using detail::Device;
using detail::InlineModel;

namespace {

SchedulerCore::Impl *core_of(void *p) noexcept { return static_cast<SchedulerCore::Impl *>(p); }
Device *dev_of(void *p) noexcept { return static_cast<Device *>(p); }
InlineModel::Entry *entry_of(void *p) noexcept { return static_cast<InlineModel::Entry *>(p); }
detail::KeyNotifier *link_of(void *p) noexcept { return static_cast<detail::KeyNotifier *>(p); }

} // namespace

Kernel::Kernel(Kernel &&o) noexcept { *this = std::move(o); }

Kernel &Kernel::operator=(Kernel &&o) noexcept {
    if (this == &o) return *this;
    reset();
    k_ = o.k_;
    core_ = o.core_;
    dev_ = o.dev_;
    entry_ = o.entry_;
    link_ = o.link_;
    epoch_now_ = o.epoch_now_;
    blocking_ = o.blocking_;
    paused_ = o.paused_;
    epoch_ = o.epoch_;
    alg_ = o.alg_;
    runs_ = o.runs_;
    failed_ = o.failed_;
    bytes_ = o.bytes_;
    o.k_ = acrypto_kernel{};
    o.link_ = nullptr;
    o.runs_ = o.failed_ = 0;
    o.bytes_ = 0;
    return *this;
}

static_assert(Kernel::kSizeClasses == InlineModel::kClasses, "one size-class scheme");

const std::atomic<uint32_t> Kernel::kNoClasses{0};
const std::atomic<uint64_t> Kernel::kNoEpoch{0};

int Kernel::run_sampled(const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
                        uint32_t *num) noexcept {
    const uint64_t t0 = detail::mono_ns();
    const int rc = k_.run_fn(k_.state, src, dst, len, iv, num);
    if (rc == ACRYPTO_OK && entry_)
        core_of(core_)->inline_model.observe_inline(*entry_of(entry_), InlineModel::size_class(len),
                                                    detail::mono_ns() - t0);
    return rc;
}

void Kernel::flush() noexcept {
    detail::KeyNotifier *n = link_of(link_);
    if (!n || runs_ == 0) return;
    {
        std::shared_lock lk(n->mu);
        if (SchedulerCore::Impl *core = n->core) {
            Device *d = dev_of(dev_);
            const uint32_t ok = runs_ - failed_;
            d->counters.inline_runs.add(runs_);
            d->counters.completed.add(ok);
            d->counters.failed.add(failed_);
            core->counters.inline_runs.add(runs_);
            core->counters.inline_failed.add(failed_);
            core->counters.alg_steps[alg_ % detail::kAlgSlots].add(ok);
            core->counters.alg_bytes[alg_ % detail::kAlgSlots].add(bytes_);
            core->counters.alg_failed[alg_ % detail::kAlgSlots].add(failed_);
        }
    }
    runs_ = failed_ = 0;
    bytes_ = 0;
}

void Kernel::reset() noexcept {
    if (!*this && !link_) return;
    flush();
    if (k_.release_fn) k_.release_fn(k_.state);
    if (link_) link_of(link_)->unref();
    k_ = acrypto_kernel{};
    core_ = dev_ = entry_ = link_ = nullptr;
    epoch_now_ = &kNoEpoch;
    blocking_ = paused_ = &kNoClasses;
    epoch_ = 0;
    alg_ = 0;
}

void Kernel::abandon() noexcept {
    // The scheduler's locks may have been held by a thread that no longer exists.
    if (k_.release_fn) k_.release_fn(k_.state);
    k_ = acrypto_kernel{};
    link_ = nullptr;
    epoch_now_ = &kNoEpoch;
    blocking_ = paused_ = &kNoClasses;
    runs_ = failed_ = 0;
    bytes_ = 0;
}

Result<Kernel> SchedulerCore::bind_kernel(const acrypto_step &shape) {
    Impl &im = *impl_;
    if (im.shutting_down.load(std::memory_order_acquire))
        return Result<Kernel>(Errc::Shutdown, "scheduler shut down");
    // Read before the devices are looked at: a device that breaks, closes or
    // joins after this point leaves the kernel stale.
    const uint64_t epoch = im.kernel_epoch.load(std::memory_order_seq_cst);
    // The same device run_inline picks for this step: inline-capable, healthy,
    // matching, a hardware unit before a software one.
    const uint32_t ndevs = im.device_count();
    Device *best = nullptr;
    for (uint32_t i = 0; i < ndevs; ++i) {
        Device *d = im.device(i);
        if (!(d->desc.flags & ACRYPTO_DEV_F_INLINE) || !d->drv->run_inline_fn || !d->healthy())
            continue;
        bool match = false;
        for (const auto &cap : d->caps)
            if (detail::cap_matches(cap, shape)) {
                match = true;
                break;
            }
        if (!match) continue;
        if (!best || ((d->desc.flags & ACRYPTO_DEV_F_HARDWARE) &&
                      !(best->desc.flags & ACRYPTO_DEV_F_HARDWARE)))
            best = d;
    }
    auto bind = best ? detail::driver_bind_kernel(best->drv) : nullptr;
    if (!bind) return Result<Kernel>(Errc::Unsupported, "no inline kernel for this step");
    acrypto_kernel k{};
    int rc = ACRYPTO_E_SHUTDOWN;
    if (best->enter()) {
        rc = bind(best->dev, &shape, &k);
        best->leave();
    }
    if (rc != ACRYPTO_OK) return Result<Kernel>(Errc::Unsupported, "device refused the kernel");
    constexpr size_t kReleasable = offsetof(acrypto_kernel, state) + sizeof(void *);
    if (k.struct_size < sizeof(acrypto_kernel) || (!k.run_fn && !k.aead_fn) ||
        (k.run_fn && k.aead_fn)) {
        // Not a kernel of this layout: still the device's to free when release_fn
        // and state are where every layout keeps them.
        if (k.struct_size >= kReleasable && k.release_fn) k.release_fn(k.state);
        im.logf(best, ACRYPTO_LOG_WARN, "kernel refused: struct_size %u, run %s, aead %s",
                k.struct_size, k.run_fn ? "set" : "null", k.aead_fn ? "set" : "null");
        return Result<Kernel>(Errc::Unsupported, "device returned an unusable kernel");
    }
    // The cost model's entry for this kind of step, its priors up to date.
    (void)prefer_inline(shape, InlineCaller::Blocking);
    Kernel out;
    out.k_ = k;
    out.core_ = &im;
    out.dev_ = best;
    auto *e = im.inline_model.find(InlineModel::key_of(shape));
    out.entry_ = e;
    out.epoch_now_ = &im.kernel_epoch;
    out.epoch_ = epoch;
    if (e) {
        out.blocking_ = &e->inline_blocking;
        out.paused_ = &e->inline_paused;
    }
    out.link_ = im.notifier;
    im.notifier->ref();
    out.alg_ = shape.alg;
    return out;
}

} // namespace acrypto::sched
