// SPDX-License-Identifier: Apache-2.0
// The cpu driver's C table (acrypto_device_driver_v1): every entry catches everything.
#include <cstdio>
#include <cstring>
#include <new>
#include <string>

#include "acrypto/device.h"
#include "device.hpp"
#include "exec_rand.hpp"

namespace acrypto::soft::cpu {

namespace {

const char *const kConfigKeys[] = {"workers", "queue-len", nullptr};

void put_why(char *why, size_t why_len, const std::string &msg) {
    if (why && why_len) std::snprintf(why, why_len, "%s", msg.c_str());
}

CpuDevice *dev_of(void *p) { return static_cast<CpuDevice *>(p); }

int probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) {
    try {
        CpuConfig c;
        std::string msg;
        if (!parse_config(cfg, c, msg)) {
            put_why(why, why_len, msg);
            if (count) *count = 0;
            return ACRYPTO_E_INVALID;
        }
        if (count) *count = 1;
        return ACRYPTO_OK;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int open(const acrypto_config *cfg, uint32_t index, acrypto_host *host,
         const acrypto_host_ops *hops, void **dev, acrypto_device_desc *desc, char *why,
         size_t why_len) {
    try {
        if (!hops || hops->abi_version != ACRYPTO_ABI_VERSION || !dev || !desc) {
            put_why(why, why_len, "bad host table");
            return ACRYPTO_E_INVALID;
        }
        if (index != 0) {
            put_why(why, why_len, "cpu has one instance");
            return ACRYPTO_E_INVALID;
        }
        CpuConfig c;
        std::string msg;
        if (!parse_config(cfg, c, msg)) {
            put_why(why, why_len, msg);
            return ACRYPTO_E_INVALID;
        }
        auto d = CpuDevice::create(c, host, hops, msg);
        if (!d) {
            put_why(why, why_len, msg);
            return ACRYPTO_E_DEVICE;
        }
        d->fill_desc(*desc);
        *dev = d.release();
        return ACRYPTO_OK;
    } catch (const std::bad_alloc &) {
        return ACRYPTO_E_NOMEM;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

void data_ready(void *dev) {
    try {
        dev_of(dev)->data_ready();
    } catch (...) {}
}

int run_inline(void *dev, acrypto_session *s) {
    if (!s) return ACRYPTO_E_INVALID;
    try {
        return dev_of(dev)->run_inline(*s);
    } catch (const std::bad_alloc &) {
        return ACRYPTO_E_NOMEM;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int self_test(void *dev, char *why, size_t why_len) {
    try {
        std::string msg;
        int rc = dev_of(dev)->self_test(msg);
        put_why(why, why_len, msg);
        return rc;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int get_stats(void *dev, acrypto_stat *out, uint32_t max, uint32_t *n) {
    if (!out || !n) return ACRYPTO_E_INVALID;
    dev_of(dev)->stats(out, max, n);
    return ACRYPTO_OK;
}

int get_entropy(void *, uint8_t *buf, size_t len) {
    if (!buf && len) return ACRYPTO_E_INVALID;
    return fill_random(buf, len);
}

int bind_kernel(void *dev, const acrypto_step *shape, acrypto_kernel *out) {
    if (!shape || !out) return ACRYPTO_E_INVALID;
    try {
        return dev_of(dev)->bind_kernel(*shape, *out);
    } catch (const std::bad_alloc &) {
        return ACRYPTO_E_NOMEM;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

void key_free(void *dev, uint64_t key_id) {
    try {
        dev_of(dev)->key_free(key_id);
    } catch (...) {}
}

void close(void *dev) {
    try {
        dev_of(dev)->close();
    } catch (...) {}
    delete dev_of(dev);
}

const acrypto_device_driver kDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "cpu",
    "worker threads over libcrypto (private library context, default provider)",
    kConfigKeys,
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
    bind_kernel,
};

} // namespace

} // namespace acrypto::soft::cpu

extern "C" __attribute__((visibility("default"))) const acrypto_device_driver *
acrypto_device_driver_v1(void) {
    return &acrypto::soft::cpu::kDriver;
}
