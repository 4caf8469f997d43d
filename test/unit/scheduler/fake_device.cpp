// SPDX-License-Identifier: Apache-2.0
// FakeDevice: manual, auto (null) and worker-thread fake devices behind device.h.
#include "fake_device.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>

namespace acrypto::sched::test {
namespace {

std::mutex g_mu;
/// Name -> newest instance. Instances are never freed (a scheduler may still
/// reference an older one with the same name).
std::map<std::string, FakeDevice *> &registry() {
    static auto *m = new std::map<std::string, FakeDevice *>;
    return *m;
}
std::vector<std::unique_ptr<FakeDevice>> &all_instances() {
    static auto *v = new std::vector<std::unique_ptr<FakeDevice>>;
    return *v;
}

std::vector<std::string> split(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

const char *cfg_get(const acrypto_config *cfg, const char *key) {
    for (uint32_t i = 0; cfg && i < cfg->count; ++i)
        if (std::strcmp(cfg->items[i].key, key) == 0) return cfg->items[i].value;
    return nullptr;
}

acrypto_capability cap(uint32_t op, uint32_t alg, uint32_t mode, uint32_t dirs, uint32_t kmin,
                       uint32_t kmax, uint32_t kstep, uint32_t flags) {
    acrypto_capability c{};
    c.op = op;
    c.alg = alg;
    c.mode = mode;
    c.dirs = dirs;
    c.key_min = kmin;
    c.key_max = kmax;
    c.key_step = kstep;
    c.flags = flags;
    c.latency_ns = 1000;
    c.bytes_per_sec = 1e9;
    c.ops_per_sec = 1e6;
    return c;
}

bool parse_caps(const std::string &list, std::vector<acrypto_capability> *out) {
    constexpr uint32_t both = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
    for (const auto &n : split(list)) {
        if (n == "aes-cbc") {
            out->push_back(cap(ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, both, 16, 32,
                               8, ACRYPTO_CAP_F_BLOCK_MULTIPLE));
        } else if (n == "aes-cbc-enc") {
            // Key length unconstrained (key_max 0): keyless sessions match.
            out->push_back(cap(ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                               ACRYPTO_DIR_ENCRYPT, 0, 0, 0, 0));
        } else if (n == "aes-cbc-small") {
            auto c = cap(ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, both, 16, 16, 0, 0);
            c.max_input = 64;
            out->push_back(c);
        } else if (n == "sha256") {
            out->push_back(cap(ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_NONE, 0, 0, 0, 0,
                               ACRYPTO_CAP_F_PARTIAL));
        } else if (n == "hmac-sha256") {
            out->push_back(cap(ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_HMAC, 0, 1, 128, 1,
                               ACRYPTO_CAP_F_PARTIAL));
        } else if (n == "fused-aes-hmac") {
            auto c = cap(ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                         16, 32, 8, ACRYPTO_CAP_F_FUSED);
            c.fused_op = ACRYPTO_OP_MAC;
            c.fused_alg = ACRYPTO_ALG_SHA256;
            c.fused_mode = ACRYPTO_MODE_HMAC;
            out->push_back(c);
        } else if (n == "rng") {
            out->push_back(cap(ACRYPTO_OP_RAND, ACRYPTO_ALG_RNG, ACRYPTO_MODE_NONE, 0, 0, 0, 0,
                               ACRYPTO_CAP_F_ENTROPY));
        } else {
            return false;
        }
    }
    return true;
}

int fake_probe(const acrypto_config *cfg, uint32_t *count, char *why, size_t why_len) {
    static const char *const known[] = {
        "names",    "mode",    "queue-len",  "caps",       "inline",   "status", "tag",
        "hardware", "entropy", "fail-every", "latency-ns", "rate-bps", "kernel"};
    for (uint32_t i = 0; cfg && i < cfg->count; ++i) {
        bool ok = false;
        for (const char *k : known) ok = ok || std::strcmp(cfg->items[i].key, k) == 0;
        if (!ok) {
            std::snprintf(why, why_len, "unknown key '%s'", cfg->items[i].key);
            return ACRYPTO_E_INVALID;
        }
    }
    const char *names = cfg_get(cfg, "names");
    *count = names ? static_cast<uint32_t>(split(names).size()) : 0;
    if (*count == 0) std::snprintf(why, why_len, "no names configured");
    return ACRYPTO_OK;
}

void worker_loop(FakeDevice *d) {
    std::unique_lock lk(d->mu);
    for (;;) {
        d->cv.wait(lk, [d] { return d->stop || d->kicks > 0; });
        if (d->stop) break;
        d->kicks = 0;
        lk.unlock();
        acrypto_session *batch[16];
        uint32_t n;
        while ((n = d->hops->dequeue_fn(d->host, batch, 16)) > 0) {
            for (uint32_t i = 0; i < n; ++i) {
                const int st = d->next_status();
                if (st == ACRYPTO_OK) fake_run(batch[i], d->tag);
                d->hops->complete_fn(d->host, batch[i], st, batch[i]->ncur);
            }
        }
        lk.lock();
    }
}

int fake_open(const acrypto_config *cfg, uint32_t index, acrypto_host *host,
              const acrypto_host_ops *hops, void **dev, acrypto_device_desc *desc, char *why,
              size_t why_len) {
    auto names = split(cfg_get(cfg, "names") ? cfg_get(cfg, "names") : "");
    if (index >= names.size()) return ACRYPTO_E_INVALID;
    auto d = std::make_unique<FakeDevice>();
    d->name = names[index];
    d->host = host;
    d->hops = hops;
    const char *mode = cfg_get(cfg, "mode");
    if (mode && std::strcmp(mode, "auto") == 0) d->mode = FakeMode::Auto;
    if (mode && std::strcmp(mode, "worker") == 0) d->mode = FakeMode::Worker;
    const char *caps = cfg_get(cfg, "caps");
    if (!parse_caps(caps ? caps : "aes-cbc,sha256", &d->caps)) {
        std::snprintf(why, why_len, "bad caps '%s'", caps);
        return ACRYPTO_E_INVALID;
    }
    // Stated capability figures (cost model tests): every capability of the device.
    for (auto &c : d->caps) {
        if (const char *v = cfg_get(cfg, "latency-ns"))
            c.latency_ns = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
        if (const char *v = cfg_get(cfg, "rate-bps")) c.bytes_per_sec = std::strtod(v, nullptr);
    }
    d->status = cfg_get(cfg, "status") ? std::atoi(cfg_get(cfg, "status")) : 0;
    d->fail_every = cfg_get(cfg, "fail-every") ? std::atoi(cfg_get(cfg, "fail-every")) : 0;
    d->tag = static_cast<uint8_t>(cfg_get(cfg, "tag") ? std::atoi(cfg_get(cfg, "tag")) : index + 1);
    std::memset(desc, 0, sizeof(*desc));
    desc->struct_size = sizeof(*desc);
    desc->name = d->name.c_str();
    desc->queue_len = cfg_get(cfg, "queue-len") ? std::atoi(cfg_get(cfg, "queue-len")) : 64;
    desc->max_burst = 16;
    desc->caps = d->caps.data();
    desc->ncaps = static_cast<uint32_t>(d->caps.size());
    if (cfg_get(cfg, "inline")) desc->flags |= ACRYPTO_DEV_F_INLINE;
    if (cfg_get(cfg, "hardware")) desc->flags |= ACRYPTO_DEV_F_HARDWARE;
    if (cfg_get(cfg, "entropy")) desc->flags |= ACRYPTO_DEV_F_ENTROPY;
    d->kernel = cfg_get(cfg, "kernel") != nullptr;
    d->kernel_old_layout = d->kernel && std::strcmp(cfg_get(cfg, "kernel"), "old") == 0;
    FakeDevice *raw = d.get();
    if (raw->mode == FakeMode::Worker) raw->worker = std::thread(worker_loop, raw);
    {
        std::lock_guard lk(g_mu);
        registry()[raw->name] = raw;
        all_instances().push_back(std::move(d));
    }
    *dev = raw;
    return ACRYPTO_OK;
}

void fake_data_ready(void *dev) {
    auto *d = static_cast<FakeDevice *>(dev);
    d->data_ready_calls.fetch_add(1);
    if (d->mode == FakeMode::Auto) {
        acrypto_session *s;
        while (d->hops->dequeue_fn(d->host, &s, 1) == 1) {
            const int st = d->next_status();
            if (st == ACRYPTO_OK) fake_run(s, d->tag);
            d->hops->complete_fn(d->host, s, st, s->ncur);
        }
    } else if (d->mode == FakeMode::Worker) {
        {
            std::lock_guard lk(d->mu);
            ++d->kicks;
        }
        d->cv.notify_one();
    }
}

int fake_run_inline(void *dev, acrypto_session *s) {
    auto *d = static_cast<FakeDevice *>(dev);
    d->inline_calls.fetch_add(1);
    if (d->status == ACRYPTO_OK) fake_run(s, d->tag);
    return d->status;
}

/// A kernel of the fake device: dst = src ^ 0x5a, iv[0] counts runs.
struct FakeKernel {
    FakeDevice *d;
};

int fake_kernel_run(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
                    uint32_t *) {
    auto *k = static_cast<FakeKernel *>(state);
    k->d->kernel_runs.fetch_add(1);
    if (k->d->status != ACRYPTO_OK) return k->d->status;
    for (size_t i = 0; i < len; ++i) dst[i] = src[i] ^ 0x5a;
    if (iv) ++iv[0];
    return ACRYPTO_OK;
}

void fake_kernel_release(void *state) {
    auto *k = static_cast<FakeKernel *>(state);
    k->d->kernels_released.fetch_add(1);
    delete k;
}

int fake_bind_kernel(void *dev, const acrypto_step *shape, acrypto_kernel *out) {
    auto *d = static_cast<FakeDevice *>(dev);
    if (!d->kernel || shape->op != ACRYPTO_OP_CIPHER) return ACRYPTO_E_UNSUPPORTED;
    d->kernels_bound.fetch_add(1);
    *out = acrypto_kernel{};
    // "kernel=old": a layout of which only release_fn and state are known.
    out->struct_size = d->kernel_old_layout
                           ? static_cast<uint32_t>(offsetof(acrypto_kernel, run_fn))
                           : static_cast<uint32_t>(sizeof(*out));
    out->max_len = 4096;
    out->run_fn = fake_kernel_run;
    out->release_fn = fake_kernel_release;
    out->state = new FakeKernel{d};
    return ACRYPTO_OK;
}

int fake_self_test(void *dev, char *why, size_t why_len) {
    auto *d = static_cast<FakeDevice *>(dev);
    d->self_test_calls.fetch_add(1);
    if (d->self_test_ok.load()) return ACRYPTO_OK;
    std::snprintf(why, why_len, "known answer mismatch");
    return ACRYPTO_E_DEVICE;
}

int fake_get_stats(void *dev, acrypto_stat *out, uint32_t max, uint32_t *n) {
    auto *d = static_cast<FakeDevice *>(dev);
    *n = 0;
    if (max >= 1) {
        out[0] = acrypto_stat{"data-ready", d->data_ready_calls.load()};
        *n = 1;
    }
    return ACRYPTO_OK;
}

int fake_get_entropy(void *dev, uint8_t *buf, size_t len) {
    auto *d = static_cast<FakeDevice *>(dev);
    std::memset(buf, d->tag, len);
    return ACRYPTO_OK;
}

void fake_key_free(void *dev, uint64_t key_id) {
    auto *d = static_cast<FakeDevice *>(dev);
    std::lock_guard lk(d->mu);
    d->freed_keys.push_back(key_id);
}

void fake_close(void *dev) {
    auto *d = static_cast<FakeDevice *>(dev);
    if (d->worker.joinable()) {
        {
            std::lock_guard lk(d->mu);
            d->stop = true;
        }
        d->cv.notify_one();
        d->worker.join();
    }
    d->complete_all(ACRYPTO_E_SHUTDOWN);
    std::lock_guard lk(d->mu);
    d->closed = true;
}

const char *const kFakeKeys[] = {"names",      "mode",     "queue-len", "caps",    "inline",
                                 "status",     "tag",      "hardware",  "entropy", "fail-every",
                                 "latency-ns", "rate-bps", "kernel",    nullptr};

const acrypto_device_driver kFakeDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "fake",
    "scheduler test device",
    kFakeKeys,
    fake_probe,
    fake_open,
    fake_data_ready,
    nullptr,
    fake_run_inline,
    fake_self_test,
    fake_get_stats,
    fake_get_entropy,
    fake_key_free,
    fake_close,
    fake_bind_kernel,
};

} // namespace

void fake_run(acrypto_session *s, uint8_t tag) {
    for (uint32_t i = s->cur; i < s->cur + s->ncur && i < s->nsteps; ++i) {
        acrypto_step &st = s->steps[i];
        if (st.src && st.dst) {
            for (size_t k = 0; k < st.src_len && k < st.dst_len; ++k) st.dst[k] = st.src[k] ^ 0x5a;
            st.out_len = st.src_len;
        }
        st.tag[0] = tag;
    }
}

int FakeDevice::next_status() {
    const uint32_t n = completions.fetch_add(1) + 1;
    if (fail_every && n % fail_every == 0) return ACRYPTO_E_DEVICE;
    return status;
}

uint32_t FakeDevice::pull(uint32_t max) {
    std::vector<acrypto_session *> got(max);
    uint32_t n = hops->dequeue_fn(host, got.data(), max);
    std::lock_guard lk(mu);
    for (uint32_t i = 0; i < n; ++i) {
        held.push_back(got[i]);
        uint32_t prev = ncur_seen_max.load();
        if (got[i]->ncur > prev) ncur_seen_max.store(got[i]->ncur);
    }
    return n;
}

void FakeDevice::complete(size_t i, int st, uint32_t steps_done) {
    acrypto_session *s;
    {
        std::lock_guard lk(mu);
        s = held.at(i);
        held.erase(held.begin() + static_cast<std::ptrdiff_t>(i));
    }
    if (st == ACRYPTO_OK) fake_run(s, tag);
    hops->complete_fn(host, s, st, steps_done ? steps_done : s->ncur);
}

void FakeDevice::complete_raw(acrypto_session *s, int st, uint32_t steps_done) {
    hops->complete_fn(host, s, st, steps_done);
}

void FakeDevice::complete_all(int st) {
    std::vector<acrypto_session *> all;
    {
        std::lock_guard lk(mu);
        all.swap(held);
    }
    for (auto *s : all) {
        if (st == ACRYPTO_OK) fake_run(s, tag);
        hops->complete_fn(host, s, st, s->ncur);
    }
}

size_t FakeDevice::held_count() {
    std::lock_guard lk(mu);
    return held.size();
}

std::vector<uint64_t> FakeDevice::freed() {
    std::lock_guard lk(mu);
    return freed_keys;
}

const acrypto_device_driver *fake_driver() { return &kFakeDriver; }
const acrypto_device_driver *fake_driver_v1_0() {
    // The same driver as a table of the first ABI 1 release: bind_kernel_fn lies
    // beyond its struct_size and must never be read.
    static const acrypto_device_driver table = [] {
        acrypto_device_driver t = kFakeDriver;
        t.struct_size = static_cast<uint32_t>(ACRYPTO_DEVICE_DRIVER_SIZE_V1_0);
        t.name = "fake10";
        t.description = "scheduler test device, first ABI 1 table";
        return t;
    }();
    return &table;
}

FakeDevice *fake(const std::string &name) {
    std::lock_guard lk(g_mu);
    auto it = registry().find(name);
    return it == registry().end() ? nullptr : it->second;
}

} // namespace acrypto::sched::test
