// SPDX-License-Identifier: Apache-2.0
// The padlock driver's C table (acrypto_device_driver_v1); no exception crosses it.
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

#include "acrypto/device.h"
#include "backend.hpp"
#include "config.hpp"
#include "device.hpp"
#include "driver.hpp"

namespace acrypto::hw::padlock {

namespace {

void set_why(char *why, size_t len, const std::string &msg) {
    if (why && len > 0) std::snprintf(why, len, "%s", msg.c_str());
}

Device *as_device(void *dev) { return static_cast<Device *>(dev); }

int probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) {
    try {
        *count = 0;
        DriverConfig c;
        std::string msg;
        if (int rc = parse_config(cfg, &c, &msg); rc != ACRYPTO_OK) {
            set_why(why, why_len, msg);
            return rc;
        }
        const BackendChoice choice = choose_backend(c, NativeCpuid{});
        *count = choice.available ? 1 : 0;
        set_why(why, why_len, choice.why);
        return ACRYPTO_OK;
    } catch (const std::exception &e) {
        set_why(why, why_len, std::string("padlock: ") + e.what());
        return ACRYPTO_E_INTERNAL;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int open(const acrypto_config *cfg, uint32_t index, acrypto_host *host,
         const acrypto_host_ops *hops, void **dev, acrypto_device_desc *desc, char *why,
         size_t why_len) {
    try {
        *dev = nullptr;
        if (!hops || hops->abi_version != ACRYPTO_ABI_VERSION || !hops->dequeue_fn ||
            !hops->complete_fn) {
            set_why(why, why_len, "padlock: host ops missing or of another ABI version");
            return ACRYPTO_E_INVALID;
        }
        DriverConfig c;
        std::string msg;
        if (int rc = parse_config(cfg, &c, &msg); rc != ACRYPTO_OK) {
            set_why(why, why_len, msg);
            return rc;
        }
        const BackendChoice choice = choose_backend(c, NativeCpuid{});
        if (!choice.available || index != 0) {
            set_why(why, why_len, index != 0 ? "padlock: only instance 0 exists" : choice.why);
            return ACRYPTO_E_UNSUPPORTED;
        }
        std::unique_ptr<Isa> isa = make_isa(c, choice);
        if (!isa) {
            set_why(why, why_len, "padlock: no instruction layer");
            return ACRYPTO_E_UNSUPPORTED;
        }
        DeviceOptions o;
        o.workers = c.workers;
        o.rng_divisor = c.rng_divisor;
        o.inline_ok = c.inline_ok;
        o.hardware = choice.native;
        auto d = std::make_unique<Device>(std::move(isa), choice.features, o, host, hops);
        d->describe(desc);
        set_why(why, why_len, choice.why);
        *dev = d.release();
        return ACRYPTO_OK;
    } catch (const std::bad_alloc &) {
        set_why(why, why_len, "padlock: out of memory");
        return ACRYPTO_E_NOMEM;
    } catch (const std::exception &e) {
        set_why(why, why_len, std::string("padlock: ") + e.what());
        return ACRYPTO_E_INTERNAL;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

void data_ready(void *dev) {
    try {
        as_device(dev)->data_ready();
    } catch (...) {
        // Thread creation failed: nothing will serve the queue; say so rather than hang.
    }
}

int run_inline(void *dev, acrypto_session *s) {
    try {
        return as_device(dev)->run_inline(s);
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int self_test(void *dev, char *why, size_t why_len) {
    try {
        std::string msg;
        const int rc = as_device(dev)->self_test(&msg);
        set_why(why, why_len, msg);
        return rc;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int get_stats(void *dev, acrypto_stat *out, uint32_t max, uint32_t *n) {
    try {
        return as_device(dev)->get_stats(out, max, n);
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int get_entropy(void *dev, uint8_t *buf, size_t len) {
    try {
        return as_device(dev)->get_entropy(buf, len);
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

void key_free(void *, uint64_t) {
    // Nothing cached per key: schedules are built per step and wiped with the scratch.
}

void close(void *dev) {
    try {
        delete as_device(dev);
    } catch (...) {}
}

const acrypto_device_driver kDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "padlock",
    "VIA/Zhaoxin PadLock (ACE, ACE2, PHE, PHE2, RNG): native instructions or emulator",
    kConfigKeyNames,
    probe,
    open,
    data_ready,
    nullptr,
    run_inline,
    self_test,
    get_stats,
    get_entropy,
    key_free,
    close,
};

} // namespace

/// The driver table, for tests that link the driver directly.
const acrypto_device_driver *padlock_driver() { return &kDriver; }

} // namespace acrypto::hw::padlock

extern "C" __attribute__((visibility("default"))) const acrypto_device_driver *
acrypto_device_driver_v1(void) {
    return acrypto::hw::padlock::padlock_driver();
}
