// SPDX-License-Identifier: Apache-2.0
// C table of the mb device: every entry catches everything (no exception crosses the ABI).
#include "acrypto/soft/mb/driver.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "acrypto/soft/mb/config.hpp"
#include "acrypto/soft/mb/device.hpp"

namespace acrypto::soft::mb {

namespace {

void put_why(char *why, size_t len, const std::string &msg) {
    if (why && len) std::snprintf(why, len, "%s", msg.c_str());
}

MbDevice *dev_of(void *d) { return static_cast<MbDevice *>(d); }

int mb_probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) {
    try {
        std::string msg;
        int rc = probe(cfg, count, &msg);
        put_why(why, why_len, msg);
        return rc;
    } catch (...) {
        put_why(why, why_len, "mb: out of memory during probe");
        return ACRYPTO_E_NOMEM;
    }
}

int mb_open(const acrypto_config *cfg, uint32_t index, acrypto_host *host,
            const acrypto_host_ops *hops, void **dev, acrypto_device_desc *desc, char *why,
            size_t why_len) {
    try {
        if (!hops || !hops->dequeue_fn || !hops->complete_fn || !hops->mark_broken_fn) {
            put_why(why, why_len, "mb: host operations table is incomplete");
            return ACRYPTO_E_INVALID;
        }
        std::string msg;
        int status = ACRYPTO_E_INTERNAL;
        auto d = MbDevice::open(cfg, index, host, hops, &msg, &status);
        if (!d) {
            put_why(why, why_len, msg);
            return status;
        }
        d->describe(desc);
        *dev = d.release();
        return ACRYPTO_OK;
    } catch (...) {
        put_why(why, why_len, "mb: out of memory during open");
        return ACRYPTO_E_NOMEM;
    }
}

void mb_data_ready(void *dev) { dev_of(dev)->data_ready(); }

void mb_flush(void *dev) { dev_of(dev)->flush(); }

int mb_self_test(void *dev, char *why, size_t why_len) {
    try {
        std::string msg;
        int rc = dev_of(dev)->self_test(&msg);
        put_why(why, why_len, msg);
        return rc;
    } catch (...) {
        put_why(why, why_len, "mb: out of memory during self-test");
        return ACRYPTO_E_NOMEM;
    }
}

int mb_get_stats(void *dev, acrypto_stat *out, uint32_t max, uint32_t *n) {
    try {
        dev_of(dev)->stats(out, max, n);
        return ACRYPTO_OK;
    } catch (...) {
        *n = 0;
        return ACRYPTO_E_INTERNAL;
    }
}

void mb_key_free(void *dev, uint64_t key_id) {
    try {
        dev_of(dev)->key_free(key_id);
    } catch (...) {
        // Only lock errors can land here; nothing is left cached in that case.
    }
}

void mb_close(void *dev) {
    try {
        delete dev_of(dev);
    } catch (...) {}
}

const acrypto_device_driver kDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "mb",
    "multi-buffer SIMD lanes over intel-ipsec-mb: AES-CBC/CTR/GCM, DES/3DES-CBC, "
    "ChaCha20-Poly1305, HMAC-SHA1/2, SHA-1/2",
    kConfigKeyNames,
    mb_probe,
    mb_open,
    mb_data_ready,
    mb_flush,
    nullptr, // run_inline_fn: one buffer at a time is the CPU device's job
    mb_self_test,
    mb_get_stats,
    nullptr, // get_entropy_fn
    mb_key_free,
    mb_close,
};

} // namespace

const acrypto_device_driver *driver() noexcept { return &kDriver; }

} // namespace acrypto::soft::mb
