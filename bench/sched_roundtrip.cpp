// SPDX-License-Identifier: Apache-2.0
// sched_roundtrip: submit -> complete round trip through the scheduler on a null
// device, one op at a time and in bursts of 16 (and on the sim plugin's null mode).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "acrypto/sched/scheduler.hpp"

namespace {

using namespace acrypto::sched;

/// Null device: `inline-complete` dequeues and completes inside data_ready;
/// otherwise work waits until the benchmark drains it in one burst.
struct NullDev {
    acrypto_host *host = nullptr;
    const acrypto_host_ops *hops = nullptr;
    bool complete_in_ready = true;
    std::string name;

    void drain() {
        acrypto_session *s[16];
        uint32_t n;
        while ((n = hops->dequeue_fn(host, s, 16)) > 0)
            for (uint32_t i = 0; i < n; ++i) hops->complete_fn(host, s[i], ACRYPTO_OK, s[i]->ncur);
    }
};

NullDev *g_last_null = nullptr;

const acrypto_capability kNullCaps[] = {
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT, 0, 0, 0, 0, 0, 0, 0, 0, 100, 1e10, 1e8},
};

int null_probe(const acrypto_config *, uint32_t *count, char *, size_t) {
    *count = 1;
    return ACRYPTO_OK;
}

int null_open(const acrypto_config *cfg, uint32_t, acrypto_host *host, const acrypto_host_ops *hops,
              void **dev, acrypto_device_desc *desc, char *, size_t) {
    auto *d = new NullDev;
    d->host = host;
    d->hops = hops;
    d->name = "null";
    for (uint32_t i = 0; cfg && i < cfg->count; ++i) {
        if (std::strcmp(cfg->items[i].key, "burst") == 0) d->complete_in_ready = false;
        if (std::strcmp(cfg->items[i].key, "name") == 0) d->name = cfg->items[i].value;
    }
    std::memset(desc, 0, sizeof(*desc));
    desc->struct_size = sizeof(*desc);
    desc->name = d->name.c_str();
    desc->queue_len = 1024;
    desc->max_burst = 16;
    desc->caps = kNullCaps;
    desc->ncaps = 1;
    *dev = d;
    g_last_null = d;
    return ACRYPTO_OK;
}

void null_ready(void *dev) {
    auto *d = static_cast<NullDev *>(dev);
    if (d->complete_in_ready) d->drain();
}

void null_close(void *dev) {
    auto *d = static_cast<NullDev *>(dev);
    d->drain();
    delete d;
}

const acrypto_device_driver kNullDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "null",
    "benchmark null device",
    nullptr,
    null_probe,
    null_open,
    null_ready,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    null_close,
};

std::unique_ptr<SchedulerCore> make_core(const char *driver, const Config &cfg, std::string *err) {
    auto r = SchedulerCore::create(Options{});
    if (!r) {
        *err = r.error().message;
        return nullptr;
    }
    auto core = std::move(r.value());
    if (std::strcmp(driver, "null") == 0) {
        if (auto a = core->add_driver(&kNullDriver); !a) {
            *err = a.error().message;
            return nullptr;
        }
    } else if (auto l = core->load_device_plugin(driver); !l) {
        *err = l.error().message;
        return nullptr;
    }
    auto o = core->open_devices(std::strcmp(driver, "null") == 0 ? "null" : "sim", cfg);
    if (!o) {
        *err = o.error().message;
        return nullptr;
    }
    return core;
}

void fill(Session &s, const uint8_t *src, uint8_t *dst, size_t len) {
    acrypto_step &st = s.step(0);
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = ACRYPTO_ALG_AES;
    st.mode = ACRYPTO_MODE_CBC;
    st.dir = ACRYPTO_DIR_ENCRYPT;
    st.src = src;
    st.src_len = len;
    st.dst = dst;
    st.dst_len = len;
}

/// One session per iteration: make, submit, completes inside data_ready, release.
void BM_RoundTrip(benchmark::State &state) {
    std::string err;
    auto core = make_core("null", {}, &err);
    if (!core) {
        state.SkipWithError(err.c_str());
        return;
    }
    uint8_t buf[64] = {};
    for (auto _ : state) {
        auto s = Session::make(1);
        fill(*s, buf, buf, sizeof(buf));
        if (core->submit(s) != Errc::Ok || !s->done()) {
            state.SkipWithError("submit failed");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
    core->shutdown();
}
BENCHMARK(BM_RoundTrip);

/// 16 sessions submitted, then the device drains them in one burst dequeue.
void BM_RoundTripBurst16(benchmark::State &state) {
    std::string err;
    auto core = make_core("null", Config{{"burst", "1"}}, &err);
    if (!core) {
        state.SkipWithError(err.c_str());
        return;
    }
    NullDev *dev = g_last_null;
    uint8_t buf[64] = {};
    Ref<Session> batch[16];
    for (auto _ : state) {
        for (auto &s : batch) {
            s = Session::make(1);
            fill(*s, buf, buf, sizeof(buf));
            if (core->submit(s) != Errc::Ok) state.SkipWithError("submit failed");
        }
        dev->drain();
        for (auto &s : batch) {
            if (!s->done()) state.SkipWithError("not completed");
            s.reset();
        }
    }
    state.SetItemsProcessed(state.iterations() * 16);
    core->shutdown();
}
BENCHMARK(BM_RoundTripBurst16);

/// Several submitter threads on one shared scheduler (contention on the device
/// queue). Another thread's drain may complete our session: wait() (no syscall
/// when it is already done).
SchedulerCore *shared_core() {
    static std::unique_ptr<SchedulerCore> core = [] {
        std::string err;
        return make_core("null", Config{}, &err);
    }();
    return core.get();
}

void BM_RoundTripThreads(benchmark::State &state) {
    SchedulerCore *core = shared_core();
    if (!core) {
        state.SkipWithError("null device");
        return;
    }
    uint8_t buf[64] = {};
    for (auto _ : state) {
        auto s = Session::make(1);
        fill(*s, buf, buf, sizeof(buf));
        if (core->submit(s) != Errc::Ok) {
            state.SkipWithError("submit failed");
            break;
        }
        s->wait();
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RoundTripThreads)->Threads(2)->UseRealTime();

/// A device with its own worker thread: the submitter blocks in wait() (futex).
struct WorkerDev {
    acrypto_host *host = nullptr;
    const acrypto_host_ops *hops = nullptr;
    std::mutex mu;
    std::condition_variable cv;
    bool stop = false;
    uint32_t kicks = 0;
    std::thread th;
    void loop() {
        std::unique_lock lk(mu);
        for (;;) {
            cv.wait(lk, [this] { return stop || kicks; });
            if (stop) return;
            kicks = 0;
            lk.unlock();
            acrypto_session *s[16];
            uint32_t n;
            while ((n = hops->dequeue_fn(host, s, 16)) > 0)
                for (uint32_t i = 0; i < n; ++i) hops->complete_fn(host, s[i], ACRYPTO_OK, 1);
            lk.lock();
        }
    }
};

int worker_open(const acrypto_config *, uint32_t, acrypto_host *host, const acrypto_host_ops *hops,
                void **dev, acrypto_device_desc *desc, char *, size_t) {
    auto *d = new WorkerDev;
    d->host = host;
    d->hops = hops;
    d->th = std::thread([d] { d->loop(); });
    std::memset(desc, 0, sizeof(*desc));
    desc->struct_size = sizeof(*desc);
    desc->name = "worker";
    desc->queue_len = 1024;
    desc->max_burst = 16;
    desc->caps = kNullCaps;
    desc->ncaps = 1;
    *dev = d;
    return ACRYPTO_OK;
}
void worker_ready(void *dev) {
    auto *d = static_cast<WorkerDev *>(dev);
    {
        std::lock_guard lk(d->mu);
        ++d->kicks;
    }
    d->cv.notify_one();
}
void worker_close(void *dev) {
    auto *d = static_cast<WorkerDev *>(dev);
    {
        std::lock_guard lk(d->mu);
        d->stop = true;
    }
    d->cv.notify_one();
    d->th.join();
    acrypto_session *s[16];
    uint32_t n;
    while ((n = d->hops->dequeue_fn(d->host, s, 16)) > 0)
        for (uint32_t i = 0; i < n; ++i) d->hops->complete_fn(d->host, s[i], ACRYPTO_E_SHUTDOWN, 1);
    delete d;
}
const acrypto_device_driver kWorkerDriver = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_device_driver),
    "worker",
    "benchmark worker device",
    nullptr,
    null_probe,
    worker_open,
    worker_ready,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    worker_close,
};

void BM_RoundTripWorkerWait(benchmark::State &state) {
    auto r = SchedulerCore::create(Options{});
    auto core = std::move(r.value());
    if (!core->add_driver(&kWorkerDriver) || !core->open_devices("worker", {})) {
        state.SkipWithError("worker device");
        return;
    }
    uint8_t buf[64] = {};
    for (auto _ : state) {
        auto s = Session::make(1);
        fill(*s, buf, buf, sizeof(buf));
        if (core->submit(s) != Errc::Ok) state.SkipWithError("submit failed");
        s->wait();
    }
    state.SetItemsProcessed(state.iterations());
    core->shutdown();
}
BENCHMARK(BM_RoundTripWorkerWait)->UseRealTime();

/// The sim plugin in its null mode, when it has been built.
void BM_RoundTripSimNull(benchmark::State &state) {
    if (access(ACRYPTO_SIM_PLUGIN, R_OK) != 0) {
        state.SkipWithError("sim plugin not built: " ACRYPTO_SIM_PLUGIN);
        return;
    }
    std::string err;
    auto core = make_core(ACRYPTO_SIM_PLUGIN, Config{{"mode", "null"}}, &err);
    if (!core) {
        state.SkipWithError(err.c_str());
        return;
    }
    uint8_t key[16] = {};
    auto k = core->make_key(ACRYPTO_ALG_AES, key, sizeof(key));
    uint8_t buf[64] = {};
    for (auto _ : state) {
        auto s = Session::make(1);
        fill(*s, buf, buf, sizeof(buf));
        s->set_key(0, k);
        s->step(0).iv_len = 16;
        if (core->submit(s) != Errc::Ok) {
            state.SkipWithError("submit failed");
            break;
        }
        s->wait();
    }
    state.SetItemsProcessed(state.iterations());
    core->shutdown();
}
BENCHMARK(BM_RoundTripSimNull)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
