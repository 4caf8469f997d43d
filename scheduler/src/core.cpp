// SPDX-License-Identifier: Apache-2.0
// SchedulerCore: creation, driver and balancer registries, device opening, diagnostics.
#include "core.hpp"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <dlfcn.h>

#include "host_ops.hpp"
#include "plugin_check.hpp"

namespace acrypto::sched {
namespace detail {

uint64_t coarse_ms() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

uint64_t mono_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

} // namespace detail

using detail::Device;

SchedulerCore::Impl::Impl(const Options &o) : opts(o) {
    const char *dbg = std::getenv("ACRYPTO_DEBUG");
    debug = dbg && *dbg && std::strcmp(dbg, "0") != 0;
    notifier = new detail::KeyNotifier;
    notifier->core = this;
}

SchedulerCore::Impl::~Impl() {
    shutdown();
    for (auto &bi : bal_instances)
        if (bi->tab->destroy_fn && bi->state) bi->tab->destroy_fn(bi->state);
    bal_instances.clear();
    for (uint32_t i = 0, n = device_count(); i < n; ++i) delete device(i);
    for (void *h : dl_handles) dlclose(h);
    notifier->unref();
}

Device *SchedulerCore::Impl::find_device(const char *name) const noexcept {
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        if (d->name == name) return d;
    }
    return nullptr;
}

void SchedulerCore::Impl::log(Device *d, int level, const char *msg) const {
    const char *who = d ? d->name.c_str() : "scheduler";
    if (opts.log) {
        if (level <= ACRYPTO_LOG_WARN || debug) opts.log(opts.log_arg, level, who, msg);
        return;
    }
    if (level > ACRYPTO_LOG_WARN && !debug) return;
    static const char *const names[] = {"error", "warn", "info", "debug"};
    const char *lv = level >= 0 && level <= 3 ? names[level] : "?";
    std::fprintf(stderr, "acrypto: %s: %s: %s\n", who, lv, msg);
}

void SchedulerCore::Impl::logf(Device *d, int level, const char *fmt, ...) const {
    if (level > ACRYPTO_LOG_WARN && !debug) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log(d, level, buf);
}

Result<void> SchedulerCore::Impl::add_driver(const acrypto_device_driver *drv,
                                             const std::string &origin) {
    if (auto ok = detail::check_driver_table(drv, origin); !ok) return ok;
    auto refuse = [&](const std::string &why) {
        return Result<void>(Errc::InvalidInput, "device driver '" + std::string(drv->name) + "' (" +
                                                    origin + "): " + why);
    };
    std::lock_guard lk(cfg_mu);
    for (const auto &e : drivers) {
        if (e.drv == drv) return {};
        if (std::strcmp(e.drv->name, drv->name) == 0)
            return refuse("a driver with this name is already registered (" + e.origin + ")");
    }
    drivers.push_back(detail::DriverEntry{drv, origin});
    return {};
}

Result<void> SchedulerCore::Impl::add_balancer(const acrypto_balancer *bal) {
    if (auto ok = detail::check_balancer_table(bal); !ok) return ok;
    auto refuse = [&](const std::string &why) {
        return Result<void>(Errc::InvalidInput,
                            "balancer '" + std::string(bal->name) + "': " + why);
    };
    std::lock_guard lk(cfg_mu);
    for (const auto *b : balancers) {
        if (b == bal) return {};
        if (std::strcmp(b->name, bal->name) == 0)
            return refuse("a balancer with this name is already registered");
    }
    balancers.push_back(bal);
    return {};
}

Result<void> SchedulerCore::Impl::select_balancer(const std::string &name, const Config &cfg) {
    const acrypto_balancer *tab = nullptr;
    {
        std::lock_guard lk(cfg_mu);
        for (const auto *b : balancers)
            if (name == b->name) tab = b;
    }
    if (!tab && !opts.plugin_dir.empty() && name.find('/') == std::string::npos) {
        auto r = load_balancer_plugin(name);
        if (!r) return r;
        std::lock_guard lk(cfg_mu);
        for (const auto *b : balancers)
            if (name == b->name) tab = b;
    }
    if (!tab) return Result<void>(Errc::Unsupported, "balancer '" + name + "': not found");
    auto inst = std::make_unique<detail::BalancerInstance>();
    inst->tab = tab;
    if (tab->create_fn) {
        char why[256] = "";
        auto cv = cfg.c_view();
        int rc = tab->create_fn(&cv.cfg, &inst->state, why, sizeof(why));
        if (rc != 0)
            return Result<void>(errc_from_status(rc),
                                "balancer '" + name + "': " + (why[0] ? why : "create failed"));
    }
    std::lock_guard lk(cfg_mu);
    // The previous instance stays alive until the scheduler dies: a concurrent
    // submit may still be inside its find_device_fn.
    balancer.store(inst.get(), std::memory_order_release);
    bal_instances.push_back(std::move(inst));
    return {};
}

Result<uint32_t> SchedulerCore::Impl::open_devices(const std::string &driver, const Config &cfg) {
    if (shutting_down.load()) return Result<uint32_t>(Errc::Shutdown, "scheduler is shut down");
    const acrypto_device_driver *drv = nullptr;
    {
        std::lock_guard lk(cfg_mu);
        for (const auto &e : drivers)
            if (driver == e.drv->name) drv = e.drv;
    }
    if (!drv && !opts.plugin_dir.empty() && driver.find('/') == std::string::npos) {
        auto r = load_device_plugin(driver);
        if (!r) return r.error();
        std::lock_guard lk(cfg_mu);
        for (const auto &e : drivers)
            if (driver == e.drv->name) drv = e.drv;
    }
    if (!drv)
        return Result<uint32_t>(Errc::Unsupported, "device driver '" + driver + "': not found");

    auto cv = cfg.c_view();
    char why[256] = "";
    uint32_t count = 0;
    int rc = drv->probe_fn(&cv.cfg, &count, why, sizeof(why));
    if (rc != 0)
        return Result<uint32_t>(errc_from_status(rc),
                                "device driver '" + driver +
                                    "': probe failed: " + (why[0] ? why : "no reason given"));
    if (count == 0)
        return Result<uint32_t>(Errc::Unsupported, "device driver '" + driver +
                                                       "': no device found" +
                                                       (why[0] ? std::string(": ") + why : ""));
    uint32_t opened = 0;
    std::string last_err;
    std::lock_guard lk(cfg_mu); // one configuration change at a time
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t id = ndevs.load(std::memory_order_relaxed);
        if (id >= detail::kMaxDevices) {
            last_err = "too many devices";
            break;
        }
        auto d = std::make_unique<Device>();
        d->host.dev = d.get();
        d->core = this;
        d->id = id;
        d->drv = drv;
        d->driver = drv->name;
        why[0] = '\0';
        rc = drv->open_fn(&cv.cfg, i, &d->host, &detail::kHostOps, &d->dev, &d->desc, why,
                          sizeof(why));
        if (rc != 0) {
            last_err = "instance " + std::to_string(i) + ": " + (why[0] ? why : "open failed");
            logf(nullptr, ACRYPTO_LOG_WARN, "device driver '%s': %s", driver.c_str(),
                 last_err.c_str());
            continue;
        }
        const char *bad = detail::check_device_desc(d->desc);
        if (!bad && find_device(d->desc.name)) bad = "instance name already in use";
        if (bad) {
            last_err = "instance " + std::to_string(i) + ": " + bad;
            logf(nullptr, ACRYPTO_LOG_WARN, "device driver '%s': %s", driver.c_str(),
                 last_err.c_str());
            drv->close_fn(d->dev);
            continue;
        }
        d->name = d->desc.name;
        d->caps.assign(d->desc.caps, d->desc.caps + d->desc.ncaps);
        if (d->desc.queue_len == 0) d->desc.queue_len = 64;
        if (d->desc.max_burst == 0) d->desc.max_burst = 1;
        devs[id].store(d.release(), std::memory_order_release);
        ndevs.store(id + 1, std::memory_order_release);
        kernels_stale();
        ++opened;
        logf(device(id), ACRYPTO_LOG_INFO, "opened (driver %s, %u capabilities, queue %u)",
             driver.c_str(), device(id)->desc.ncaps, device(id)->desc.queue_len);
    }
    if (opened == 0)
        return Result<uint32_t>(Errc::DeviceBroken, "device driver '" + driver + "': " + last_err);
    return opened;
}

void SchedulerCore::Impl::notify_key_free(uint64_t key_id) {
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        if (d->drv->key_free_fn && !d->closed.load(std::memory_order_acquire))
            d->drv->key_free_fn(d->dev, key_id);
    }
}

int SchedulerCore::Impl::get_entropy(uint8_t *buf, size_t len) {
    Device *best = nullptr;
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        if (!d->healthy() || !(d->desc.flags & ACRYPTO_DEV_F_ENTROPY) || !d->drv->get_entropy_fn)
            continue;
        if (!best || ((d->desc.flags & ACRYPTO_DEV_F_HARDWARE) &&
                      !(best->desc.flags & ACRYPTO_DEV_F_HARDWARE)))
            best = d;
    }
    if (!best) return ACRYPTO_E_UNSUPPORTED;
    return best->drv->get_entropy_fn(best->dev, buf, len);
}

bool SchedulerCore::Impl::self_test(std::vector<std::string> *messages) {
    bool all_ok = true;
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        if (!d->drv->self_test_fn || d->closed.load()) continue;
        char why[256] = "";
        int rc = d->drv->self_test_fn(d->dev, why, sizeof(why));
        if (rc != 0) {
            all_ok = false;
            std::string msg = d->name + ": self-test failed: " + (why[0] ? why : "no reason given");
            if (messages) messages->push_back(msg);
            mark_broken(d, msg.c_str());
        } else if (d->broken.load()) {
            {
                std::lock_guard lk(d->reason_mu);
                d->broken_reason.clear();
            }
            d->broken.store(false, std::memory_order_release);
            logf(d, ACRYPTO_LOG_INFO, "self-test passed: device back in service");
            if (messages) messages->push_back(d->name + ": revived after a passing self-test");
        }
    }
    return all_ok;
}

std::vector<DeviceInfo> SchedulerCore::Impl::devices() const {
    std::vector<DeviceInfo> out;
    for (uint32_t i = 0, n = device_count(); i < n; ++i) {
        Device *d = device(i);
        DeviceInfo info;
        info.id = d->id;
        info.name = d->name;
        info.driver = d->driver;
        info.flags = d->desc.flags;
        info.broken = d->broken.load();
        {
            std::lock_guard lk(d->reason_mu);
            info.broken_reason = d->broken_reason;
        }
        info.queued = d->queued.load();
        info.in_flight = d->in_flight.load();
        info.queue_len = d->desc.queue_len;
        info.caps = d->caps;
        out.push_back(std::move(info));
    }
    return out;
}

// --- public face --------------------------------------------------------------

SchedulerCore::SchedulerCore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchedulerCore::~SchedulerCore() = default;

Result<std::unique_ptr<SchedulerCore>> SchedulerCore::create(const Options &opts) {
    std::unique_ptr<SchedulerCore> core(new SchedulerCore(std::make_unique<Impl>(opts)));
    for (const acrypto_balancer *b :
         {acrypto_builtin_least_loaded(), acrypto_builtin_round_robin(), acrypto_builtin_cost()}) {
        auto r = core->impl_->add_balancer(b);
        if (!r) return r.error();
    }
    auto r = core->impl_->select_balancer(opts.balancer.empty() ? "least-loaded" : opts.balancer,
                                          opts.balancer_config);
    if (!r) return r.error();
    return core;
}

Result<void> SchedulerCore::add_driver(const acrypto_device_driver *drv) {
    return impl_->add_driver(drv, "built-in");
}
Result<void> SchedulerCore::load_device_plugin(const std::string &name_or_path) {
    return impl_->load_device_plugin(name_or_path);
}
Result<void> SchedulerCore::add_balancer(const acrypto_balancer *bal) {
    return impl_->add_balancer(bal);
}
Result<void> SchedulerCore::load_balancer_plugin(const std::string &name_or_path) {
    return impl_->load_balancer_plugin(name_or_path);
}
Result<void> SchedulerCore::select_balancer(const std::string &name, const Config &cfg) {
    return impl_->select_balancer(name, cfg);
}
Result<uint32_t> SchedulerCore::open_devices(const std::string &driver, const Config &cfg) {
    return impl_->open_devices(driver, cfg);
}
Ref<Key> SchedulerCore::make_key(uint32_t alg, const uint8_t *data, size_t len, uint32_t curve_nid,
                                 uint32_t bits) {
    return Key::make(this, alg, data, len, curve_nid, bits);
}
Errc SchedulerCore::submit(const Ref<Session> &s) { return impl_->submit(s); }
int SchedulerCore::run_inline(Session &s) { return impl_->run_inline(s); }
bool SchedulerCore::prefer_inline(const acrypto_step &step) const noexcept {
    return impl_->prefer_inline(step);
}
void SchedulerCore::set_inline_threshold(size_t bytes) noexcept {
    impl_->inline_threshold.store(bytes, std::memory_order_relaxed);
}
bool SchedulerCore::supports(const acrypto_step &step) const noexcept {
    return impl_->supports(step);
}
int SchedulerCore::get_entropy(uint8_t *buf, size_t len) { return impl_->get_entropy(buf, len); }
std::vector<DeviceInfo> SchedulerCore::devices() const { return impl_->devices(); }
std::vector<Stat> SchedulerCore::stats() const { return impl_->stats(); }
bool SchedulerCore::self_test(std::vector<std::string> *messages) {
    return impl_->self_test(messages);
}
void SchedulerCore::shutdown() { impl_->shutdown(); }

} // namespace acrypto::sched
