// SPDX-License-Identifier: Apache-2.0
// FastCrypt C table: probe, open, data_ready, self_test, stats, close. No exception escapes.
#include "driver_table.hpp"

#include <cstdio>
#include <exception>
#include <memory>
#include <string>

#include "config.hpp"
#include "device.hpp"
#include "transport.hpp"

namespace acrypto::hw::fastcrypt {

namespace {

void put_why(char *why, size_t why_len, const std::string &msg) {
    if (why != nullptr && why_len > 0) std::snprintf(why, why_len, "%s", msg.c_str());
}

int fc_probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) noexcept {
    try {
        if (count == nullptr) return ACRYPTO_E_INVALID;
        *count = 0;
        auto c = parse_config(cfg);
        if (!c) {
            put_why(why, why_len, c.error().message);
            return ACRYPTO_E_INVALID;
        }
        Discovery d = discover(c.value());
        *count = d.count();
        put_why(why, why_len, d.why);
        return ACRYPTO_OK;
    } catch (const std::exception &e) {
        put_why(why, why_len, std::string("fastcrypt probe: ") + e.what());
        return ACRYPTO_E_INTERNAL;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int fc_open(const acrypto_config *cfg, uint32_t index, acrypto_host *host,
            const acrypto_host_ops *hops, void **dev, acrypto_device_desc *desc, char *why,
            size_t why_len) noexcept {
    try {
        if (dev == nullptr || desc == nullptr || hops == nullptr || hops->dequeue_fn == nullptr ||
            hops->complete_fn == nullptr)
            return ACRYPTO_E_INVALID;
        auto c = parse_config(cfg);
        if (!c) {
            put_why(why, why_len, c.error().message);
            return ACRYPTO_E_INVALID;
        }
        Discovery d = discover(c.value());
        if (index >= d.count()) {
            put_why(why, why_len,
                    "fastcrypt: no instance " + std::to_string(index) + " (" + d.why + ")");
            return ACRYPTO_E_INVALID;
        }
        Result<std::unique_ptr<Transport>> t = index < d.pci.size()
                                                   ? make_pci_transport(d.pci[index], c.value())
                                                   : make_model_transport(c.value());
        if (!t) {
            put_why(why, why_len, "fastcrypt" + std::to_string(index) + ": " + t.error().message);
            return status_from_errc(t.error().code);
        }
        auto opened = FastcryptDevice::open(std::move(t.value()), c.value(),
                                            "fastcrypt" + std::to_string(index), host, hops);
        if (!opened) {
            put_why(why, why_len, opened.error().message);
            return status_from_errc(opened.error().code);
        }
        *desc = opened.value()->desc();
        *dev = opened.value().release();
        return ACRYPTO_OK;
    } catch (const std::exception &e) {
        put_why(why, why_len, std::string("fastcrypt open: ") + e.what());
        return ACRYPTO_E_INTERNAL;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

void fc_data_ready(void *dev) noexcept {
    if (dev != nullptr) static_cast<FastcryptDevice *>(dev)->data_ready();
}

int fc_self_test(void *dev, char *why, size_t why_len) noexcept {
    try {
        std::string msg;
        const int r = static_cast<FastcryptDevice *>(dev)->self_test(&msg);
        put_why(why, why_len, msg);
        return r;
    } catch (...) {
        return ACRYPTO_E_INTERNAL;
    }
}

int fc_get_stats(void *dev, acrypto_stat *out, uint32_t max, uint32_t *n) noexcept {
    if (dev == nullptr || n == nullptr || (out == nullptr && max != 0)) return ACRYPTO_E_INVALID;
    static_cast<FastcryptDevice *>(dev)->stats(out, max, n);
    return ACRYPTO_OK;
}

void fc_close(void *dev) noexcept {
    try {
        delete static_cast<FastcryptDevice *>(dev);
    } catch (...) {}
}

const acrypto_device_driver TABLE = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "fastcrypt",
    "FastCrypt DES/3DES card over the project-defined FPI v1 interface (VFIO or in-process model)",
    CONFIG_KEY_NAMES,
    fc_probe,
    fc_open,
    fc_data_ready,
    nullptr, // flush_fn: the ring is posted as work arrives
    nullptr, // run_inline_fn: a DMA device never runs on the caller's thread
    fc_self_test,
    fc_get_stats,
    nullptr, // get_entropy_fn
    nullptr, // key_free_fn: keys are copied per descriptor, nothing is cached
    fc_close,
};

} // namespace

const acrypto_device_driver *driver_table() noexcept { return &TABLE; }

} // namespace acrypto::hw::fastcrypt
