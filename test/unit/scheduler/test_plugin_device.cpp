// SPDX-License-Identifier: Apache-2.0
// A device plugin built as its own .so for the loader tests: a null device that
// completes inside data_ready. TEST_PLUGIN_ABI overrides the ABI version it claims.
#include <cstdio>
#include <cstring>
#include <new>

#include "acrypto/device.h"

#ifndef TEST_PLUGIN_ABI
#define TEST_PLUGIN_ABI ACRYPTO_ABI_VERSION
#endif

namespace {

struct NullDev {
    acrypto_host *host;
    const acrypto_host_ops *hops;
};

const acrypto_capability kCaps[] = {
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT, 0, 0, 0, 0, 0, 0, 0, 0, 100, 1e9, 1e7},
};

int probe(const acrypto_config *, uint32_t *count, char *, size_t) {
    *count = 1;
    return ACRYPTO_OK;
}

int open_dev(const acrypto_config *, uint32_t, acrypto_host *host, const acrypto_host_ops *hops,
             void **dev, acrypto_device_desc *desc, char *, size_t) {
    auto *d = new (std::nothrow) NullDev{host, hops};
    if (!d) return ACRYPTO_E_NOMEM;
    *dev = d;
    std::memset(desc, 0, sizeof(*desc));
    desc->struct_size = sizeof(*desc);
    desc->name = "plugnull";
    desc->queue_len = 16;
    desc->max_burst = 16;
    desc->caps = kCaps;
    desc->ncaps = 1;
    return ACRYPTO_OK;
}

void data_ready(void *dev) {
    auto *d = static_cast<NullDev *>(dev);
    acrypto_session *s[16];
    uint32_t n;
    while ((n = d->hops->dequeue_fn(d->host, s, 16)) > 0)
        for (uint32_t i = 0; i < n; ++i)
            d->hops->complete_fn(d->host, s[i], ACRYPTO_OK, s[i]->ncur);
}

void close_dev(void *dev) { delete static_cast<NullDev *>(dev); }

const acrypto_device_driver kDriver = {
    TEST_PLUGIN_ABI, sizeof(acrypto_device_driver),
    "plugnull",      "loader test null device",
    nullptr,         probe,
    open_dev,        data_ready,
    nullptr,         nullptr,
    nullptr,         nullptr,
    nullptr,         nullptr,
    close_dev,
};

} // namespace

extern "C" __attribute__((visibility("default"))) const acrypto_device_driver *
acrypto_device_driver_v1(void) {
    return &kDriver;
}
