// SPDX-License-Identifier: Apache-2.0
// One scheduler per process: created by the first acquirer, shut down with the last reference.
#include "acrypto/native/process_scheduler.hpp"

#include <dlfcn.h>
#include <pthread.h>
#include <sys/stat.h>

#include <cstdlib>
#include <mutex>

#include "acrypto/device.h"

namespace acrypto::native {

using acrypto::sched::Errc;
using acrypto::sched::Result;
using acrypto::sched::SchedulerCore;

namespace {

std::mutex g_mu;
std::weak_ptr<SchedulerCore> g_sched; // guarded by g_mu

bool is_dir(const std::string &p) {
    struct stat sb {};
    return !p.empty() && stat(p.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode);
}

void anchor() {}

// fork(): the child has none of the parent's scheduler threads, so its next
// acquirer builds a fresh scheduler (the inherited object is never used again).
void atfork_prepare() { g_mu.lock(); }
void atfork_parent() { g_mu.unlock(); }
void atfork_child() {
    g_mu.unlock();
    g_sched.reset();
}
std::once_flag g_atfork_once;

} // namespace

std::string default_plugin_dir() {
    if (const char *env = std::getenv("ACRYPTO_PLUGIN_DIR"); env != nullptr && *env != '\0')
        return env;
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&anchor), &info) != 0 && info.dli_fname != nullptr) {
        std::string lib(info.dli_fname);
        size_t slash = lib.rfind('/');
        std::string dir =
            (slash == std::string::npos ? std::string(".") : lib.substr(0, slash)) + "/acrypto";
        if (is_dir(dir)) return dir;
    }
    return ACRYPTO_INSTALLED_PLUGIN_DIR;
}

SchedulerRef current_process_scheduler() {
    std::lock_guard<std::mutex> lk(g_mu);
    return g_sched.lock();
}

Result<SchedulerRef> acquire_process_scheduler(const ProcessConfig &cfg, std::string *messages) {
    std::call_once(g_atfork_once,
                   [] { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); });
    std::lock_guard<std::mutex> lk(g_mu);
    if (SchedulerRef running = g_sched.lock()) {
        if (messages != nullptr)
            *messages += "process scheduler already running: this configuration's devices and "
                         "scheduler keys are not applied\n";
        return running;
    }
    acrypto::sched::Options opts;
    opts.plugin_dir = cfg.plugin_dir.empty() ? default_plugin_dir() : cfg.plugin_dir;
    opts.aging_ms = cfg.aging_ms;
    auto created = SchedulerCore::create(opts);
    if (!created)
        return acrypto::sched::Error{created.error().code, "scheduler: " + created.error().message};
    SchedulerRef sc(std::move(created).value().release(), [](SchedulerCore *s) {
        s->shutdown();
        delete s;
    });
    if (cfg.balancer != opts.balancer || !cfg.balancer_config.items().empty()) {
        auto sel = sc->select_balancer(cfg.balancer, cfg.balancer_config);
        if (!sel && sc->load_balancer_plugin(cfg.balancer))
            sel = sc->select_balancer(cfg.balancer, cfg.balancer_config);
        if (!sel)
            return acrypto::sched::Error{sel.error().code,
                                         "balancer '" + cfg.balancer + "': " + sel.error().message};
    }
    sc->set_inline_threshold(cfg.inline_threshold);
    uint32_t opened = 0;
    std::string why_all;
    for (const std::string &drv : cfg.devices) {
        std::string why;
        auto ld = sc->load_device_plugin(drv);
        if (!ld) {
            why = ld.error().message;
        } else {
            auto it = cfg.driver_config.find(drv);
            auto r = sc->open_devices(
                drv, it != cfg.driver_config.end() ? it->second : acrypto::sched::Config{});
            if (!r)
                why = r.error().message;
            else if (r.value() == 0)
                why = "no device found";
            else
                opened += r.value();
        }
        if (why.empty()) continue;
        std::string msg = "driver '" + drv + "': " + why;
        for (const auto &req : cfg.required)
            if (req == drv) return acrypto::sched::Error{Errc::Unsupported, "required " + msg};
        why_all += msg + "\n";
    }
    if (messages != nullptr) *messages += why_all;
    if (opened == 0)
        return acrypto::sched::Error{
            Errc::Unsupported,
            "no device could be opened" +
                (why_all.empty() ? std::string()
                                 : " (" + why_all.substr(0, why_all.size() - 1) + ")")};
    g_sched = sc;
    return sc;
}

} // namespace acrypto::native
