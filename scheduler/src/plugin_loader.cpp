// SPDX-License-Identifier: Apache-2.0
// Plugin loader: dlopen a device or balancer .so, resolve its entry, check its ABI.
#include "plugin_check.hpp"

#include <dlfcn.h>

#include "core.hpp"

namespace acrypto::sched {

namespace detail {

Result<void> check_driver_table(const acrypto_device_driver *drv, const std::string &origin) {
    if (!drv)
        return Result<void>(Errc::InvalidInput, "device driver from " + origin + ": null table");
    const std::string nm = drv->name ? drv->name : "(unnamed)";
    auto refuse = [&](const std::string &why) {
        return Result<void>(Errc::InvalidInput,
                            "device driver '" + nm + "' (" + origin + "): " + why);
    };
    if (drv->abi_version != ACRYPTO_ABI_VERSION)
        return refuse("ABI version " + std::to_string(drv->abi_version) + ", expected " +
                      std::to_string(ACRYPTO_ABI_VERSION));
    if (drv->struct_size < ACRYPTO_DEVICE_DRIVER_SIZE_V1_0)
        return refuse("struct_size " + std::to_string(drv->struct_size) + " smaller than " +
                      std::to_string(ACRYPTO_DEVICE_DRIVER_SIZE_V1_0));
    if (!drv->name || !*drv->name) return refuse("no name");
    if (!drv->probe_fn) return refuse("missing probe_fn");
    if (!drv->open_fn) return refuse("missing open_fn");
    if (!drv->data_ready_fn) return refuse("missing data_ready_fn");
    if (!drv->close_fn) return refuse("missing close_fn");
    return {};
}

Result<void> check_balancer_table(const acrypto_balancer *bal) {
    if (!bal) return Result<void>(Errc::InvalidInput, "balancer: null table");
    const std::string nm = bal->name ? bal->name : "(unnamed)";
    auto refuse = [&](const std::string &why) {
        return Result<void>(Errc::InvalidInput, "balancer '" + nm + "': " + why);
    };
    if (bal->abi_version != ACRYPTO_ABI_VERSION)
        return refuse("ABI version " + std::to_string(bal->abi_version) + ", expected " +
                      std::to_string(ACRYPTO_ABI_VERSION));
    if (bal->struct_size < sizeof(acrypto_balancer))
        return refuse("struct_size " + std::to_string(bal->struct_size) + " smaller than " +
                      std::to_string(sizeof(acrypto_balancer)));
    if (!bal->name || !*bal->name) return refuse("no name");
    if (!bal->find_device_fn) return refuse("missing find_device_fn");
    return {};
}

const char *check_device_desc(const acrypto_device_desc &desc) noexcept {
    if (desc.struct_size != 0 && desc.struct_size < sizeof(acrypto_device_desc))
        return "descriptor struct_size too small";
    if (!desc.name || !*desc.name) return "instance has no name";
    if (desc.ncaps && !desc.caps) return "capabilities missing";
    // The scheduler copies the array: a wild count would read far past the plugin's table.
    if (desc.ncaps > kMaxCaps) return "too many capabilities";
    return nullptr;
}

} // namespace detail

namespace {

/// `name_or_path` with a '/' is a path; otherwise <plugin_dir>/<prefix><name>.so.
std::string resolve(const std::string &dir, const char *prefix, const std::string &name_or_path) {
    if (name_or_path.find('/') != std::string::npos) return name_or_path;
    std::string p = dir.empty() ? std::string(".") : dir;
    if (p.back() != '/') p += '/';
    return p + prefix + name_or_path + ".so";
}

struct Opened {
    void *handle = nullptr;
    void *entry = nullptr;
    std::string error;
};

Opened open_plugin(const std::string &path, const char *symbol) {
    Opened o;
    dlerror();
    o.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!o.handle) {
        const char *e = dlerror();
        o.error = "plugin " + path + ": cannot load: " + (e ? e : "unknown error");
        return o;
    }
    o.entry = dlsym(o.handle, symbol);
    if (!o.entry) {
        o.error = "plugin " + path + ": no entry symbol " + symbol;
        dlclose(o.handle);
        o.handle = nullptr;
    }
    return o;
}

} // namespace

Result<void> SchedulerCore::Impl::load_device_plugin(const std::string &name_or_path) {
    const std::string path = resolve(opts.plugin_dir, "acrypto-dev-", name_or_path);
    Opened o = open_plugin(path, ACRYPTO_DEVICE_ENTRY);
    if (!o.handle) return Result<void>(Errc::Unsupported, o.error);
    auto entry = reinterpret_cast<acrypto_device_driver_v1_fn>(o.entry);
    const acrypto_device_driver *drv = nullptr;
    try {
        drv = entry();
    } catch (...) {
        drv = nullptr;
    }
    if (!drv) {
        dlclose(o.handle);
        return Result<void>(Errc::InvalidInput,
                            "plugin " + path + ": entry returned no driver table");
    }
    auto r = add_driver(drv, path);
    if (!r) {
        dlclose(o.handle);
        return r;
    }
    std::lock_guard lk(cfg_mu);
    dl_handles.push_back(o.handle);
    return {};
}

Result<void> SchedulerCore::Impl::load_balancer_plugin(const std::string &name_or_path) {
    const std::string path = resolve(opts.plugin_dir, "acrypto-lb-", name_or_path);
    Opened o = open_plugin(path, ACRYPTO_BALANCER_ENTRY);
    if (!o.handle) return Result<void>(Errc::Unsupported, o.error);
    auto entry = reinterpret_cast<acrypto_balancer_v1_fn>(o.entry);
    const acrypto_balancer *bal = nullptr;
    try {
        bal = entry();
    } catch (...) {
        bal = nullptr;
    }
    if (!bal) {
        dlclose(o.handle);
        return Result<void>(Errc::InvalidInput,
                            "plugin " + path + ": entry returned no balancer table");
    }
    auto r = add_balancer(bal);
    if (!r) {
        dlclose(o.handle);
        return Result<void>(r.error().code, "plugin " + path + ": " + r.error().message);
    }
    std::lock_guard lk(cfg_mu);
    dl_handles.push_back(o.handle);
    return {};
}

bool driver_config_keys(const std::string &plugin_dir, const std::string &driver,
                        std::vector<std::string> &keys) {
    std::string path = plugin_dir + "/acrypto-dev-" + driver + ".so";
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h == nullptr) return false;
    auto entry = reinterpret_cast<acrypto_device_driver_v1_fn>(dlsym(h, ACRYPTO_DEVICE_ENTRY));
    bool ok = false;
    if (entry != nullptr) {
        const acrypto_device_driver *drv = entry();
        if (drv != nullptr && drv->abi_version == ACRYPTO_ABI_VERSION) {
            for (const char *const *k = drv->config_keys; k != nullptr && *k != nullptr; ++k)
                keys.emplace_back(*k);
            ok = true;
        }
    }
    dlclose(h);
    return ok;
}

} // namespace acrypto::sched
