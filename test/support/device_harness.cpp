// SPDX-License-Identifier: Apache-2.0
// DeviceHarness: the host side of the device C ABI for tests (queue, completion bookkeeping).
#include "device_harness.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include <gtest/gtest.h>

namespace acrypto::test {

namespace {

struct ConfigView {
    std::vector<acrypto_kv> items;
    acrypto_config cfg{};
    explicit ConfigView(const KvList &kv) {
        items.reserve(kv.size());
        for (const auto &[k, v] : kv) items.push_back(acrypto_kv{k.c_str(), v.c_str()});
        cfg.items = items.empty() ? nullptr : items.data();
        cfg.count = static_cast<uint32_t>(items.size());
    }
};

void set_why(std::string *why, const std::string &msg) {
    if (why) *why = msg;
}

} // namespace

const acrypto_device_driver *DeviceHarness::load_driver(const std::string &so_path,
                                                        std::string *why) {
    void *h = dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        set_why(why, std::string("dlopen ") + so_path + ": " + (e ? e : "?"));
        return nullptr;
    }
    auto entry = reinterpret_cast<acrypto_device_driver_v1_fn>(dlsym(h, ACRYPTO_DEVICE_ENTRY));
    if (!entry) {
        set_why(why, so_path + ": no symbol " ACRYPTO_DEVICE_ENTRY);
        dlclose(h);
        return nullptr;
    }
    // The library stays loaded for the life of the process: a driver's static
    // tables and thread-local destructors may outlive any one instance.
    const acrypto_device_driver *drv = entry();
    if (!drv) set_why(why, so_path + ": " ACRYPTO_DEVICE_ENTRY " returned NULL");
    return drv;
}

int DeviceHarness::probe(const acrypto_device_driver *drv, const KvList &cfg, std::string *why) {
    if (!drv || !drv->probe_fn) {
        set_why(why, "driver has no probe_fn");
        return -1;
    }
    ConfigView view(cfg);
    char buf[512] = {0};
    uint32_t count = 0;
    int rc = drv->probe_fn(&view.cfg, &count, buf, sizeof(buf));
    if (rc != ACRYPTO_OK) {
        set_why(why, std::string("probe_fn failed (") + std::to_string(rc) + "): " + buf);
        return -1;
    }
    set_why(why, buf);
    return static_cast<int>(count);
}

std::unique_ptr<DeviceHarness> DeviceHarness::open(const acrypto_device_driver *drv,
                                                   const KvList &cfg, uint32_t index,
                                                   std::string *why) {
    if (!drv) {
        set_why(why, "no driver");
        return nullptr;
    }
    if (drv->abi_version != ACRYPTO_ABI_VERSION) {
        set_why(why, "driver ABI version mismatch");
        return nullptr;
    }
    if (drv->struct_size < ACRYPTO_DEVICE_DRIVER_SIZE_V1_0 || !drv->open_fn ||
        !drv->data_ready_fn || !drv->close_fn) {
        set_why(why, "driver table incomplete");
        return nullptr;
    }
    std::string pwhy;
    int count = probe(drv, cfg, &pwhy);
    if (count < 0) {
        set_why(why, pwhy);
        return nullptr;
    }
    if (static_cast<uint32_t>(count) <= index) {
        set_why(why, "probe found " + std::to_string(count) + " instance(s)" +
                         (pwhy.empty() ? std::string() : ": " + pwhy));
        return nullptr;
    }
    std::unique_ptr<DeviceHarness> h(new DeviceHarness());
    h->drv_ = drv;
    h->hops_.abi_version = ACRYPTO_ABI_VERSION;
    h->hops_.struct_size = sizeof(acrypto_host_ops);
    h->hops_.dequeue_fn = &DeviceHarness::host_dequeue;
    h->hops_.complete_fn = &DeviceHarness::host_complete;
    h->hops_.mark_broken_fn = &DeviceHarness::host_mark_broken;
    h->hops_.pending_fn = &DeviceHarness::host_pending;
    h->hops_.log_fn = &DeviceHarness::host_log;
    h->desc_.struct_size = sizeof(acrypto_device_desc);
    ConfigView view(cfg);
    char buf[512] = {0};
    int rc = drv->open_fn(&view.cfg, index, reinterpret_cast<acrypto_host *>(h.get()), &h->hops_,
                          &h->dev_, &h->desc_, buf, sizeof(buf));
    if (rc != ACRYPTO_OK) {
        set_why(why, std::string("open_fn failed (") + std::to_string(rc) + "): " + buf);
        h->closed_ = true; // nothing to close
        return nullptr;
    }
    return h;
}

std::unique_ptr<DeviceHarness> DeviceHarness::open_plugin(const std::string &so_path,
                                                          const KvList &cfg, uint32_t index,
                                                          std::string *why) {
    const acrypto_device_driver *drv = load_driver(so_path, why);
    if (!drv) return nullptr;
    return open(drv, cfg, index, why);
}

DeviceHarness::~DeviceHarness() { close(); }

void DeviceHarness::enqueue(acrypto_session *s) {
    std::lock_guard lk(mu_);
    auto it = records_.find(s);
    if (it != records_.end()) {
        if (it->second.completions == 0) {
            ADD_FAILURE() << "session " << s->id << " enqueued again before it completed";
            return;
        }
        dup_retired_ += it->second.completions - 1;
        it->second = Record{};
    } else {
        records_.emplace(s, Record{});
    }
    uint32_t p = s->priority > ACRYPTO_PRIO_MAX ? ACRYPTO_PRIO_MAX : s->priority;
    ++outstanding_;
    if (broken_ || closed_) {
        complete_locked(s, broken_ ? ACRYPTO_E_DEVICE : ACRYPTO_E_SHUTDOWN, 0, false);
        return;
    }
    queues_[p].push_back(s);
    ++queued_;
}

void DeviceHarness::kick() {
    if (!closed_) drv_->data_ready_fn(dev_);
}

void DeviceHarness::flush() {
    if (!closed_ && drv_->flush_fn) drv_->flush_fn(dev_);
}

int DeviceHarness::run(acrypto_session &s, std::chrono::milliseconds timeout) {
    enqueue(&s);
    kick();
    if (!wait(&s, timeout)) {
        flush();
        if (!wait(&s, timeout)) return ACRYPTO_E_TIMEOUT;
    }
    return status_of(&s);
}

int DeviceHarness::run_inline(acrypto_session &s) {
    if (!drv_->run_inline_fn || closed_) return ACRYPTO_E_UNSUPPORTED;
    return drv_->run_inline_fn(dev_, &s);
}

bool DeviceHarness::wait_all(std::chrono::milliseconds timeout) {
    std::unique_lock lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return outstanding_ == 0; });
}

bool DeviceHarness::wait(const acrypto_session *s, std::chrono::milliseconds timeout) {
    std::unique_lock lk(mu_);
    ++session_waiters_;
    bool ok = cv_.wait_for(lk, timeout, [&] {
        auto it = records_.find(s);
        return it != records_.end() && it->second.completions > 0;
    });
    --session_waiters_;
    return ok;
}

uint32_t DeviceHarness::completions(const acrypto_session *s) const {
    std::lock_guard lk(mu_);
    auto it = records_.find(s);
    return it == records_.end() ? 0 : it->second.completions;
}

uint32_t DeviceHarness::duplicate_completions() const {
    std::lock_guard lk(mu_);
    uint32_t n = stray_ + dup_retired_;
    for (const auto &[s, r] : records_)
        if (r.completions > 1) n += r.completions - 1;
    return n;
}

int DeviceHarness::status_of(const acrypto_session *s) const {
    std::lock_guard lk(mu_);
    auto it = records_.find(s);
    return it == records_.end() || it->second.completions == 0 ? ACRYPTO_E_INTERNAL
                                                               : it->second.status;
}

uint32_t DeviceHarness::steps_done_of(const acrypto_session *s) const {
    std::lock_guard lk(mu_);
    auto it = records_.find(s);
    return it == records_.end() ? 0 : it->second.steps_done;
}

uint32_t DeviceHarness::outstanding() const {
    std::lock_guard lk(mu_);
    return outstanding_;
}

uint32_t DeviceHarness::pending() const {
    std::lock_guard lk(mu_);
    return queued_;
}

uint64_t DeviceHarness::total_completions() const {
    std::lock_guard lk(mu_);
    return total_;
}

uint64_t DeviceHarness::device_completions() const {
    std::lock_guard lk(mu_);
    return by_device_;
}

uint32_t DeviceHarness::largest_dequeue() const {
    std::lock_guard lk(mu_);
    return largest_dequeue_;
}

std::vector<const acrypto_session *> DeviceHarness::completion_order() const {
    std::lock_guard lk(mu_);
    return completion_order_;
}

std::vector<const acrypto_session *> DeviceHarness::dequeue_order() const {
    std::lock_guard lk(mu_);
    return dequeue_order_;
}

bool DeviceHarness::broken() const {
    std::lock_guard lk(mu_);
    return broken_;
}

std::string DeviceHarness::broken_reason() const {
    std::lock_guard lk(mu_);
    return broken_reason_;
}

std::vector<std::string> DeviceHarness::logs() const {
    std::lock_guard lk(mu_);
    return logs_;
}

std::map<std::string, uint64_t> DeviceHarness::stats() const {
    std::map<std::string, uint64_t> m;
    if (!drv_->get_stats_fn || closed_) return m;
    acrypto_stat buf[256];
    uint32_t n = 0;
    if (drv_->get_stats_fn(dev_, buf, 256, &n) != ACRYPTO_OK) return m;
    for (uint32_t i = 0; i < n && i < 256; ++i)
        if (buf[i].name) m[buf[i].name] = buf[i].value;
    return m;
}

int DeviceHarness::self_test(std::string *why) {
    if (!drv_->self_test_fn || closed_) return ACRYPTO_OK;
    char buf[512] = {0};
    int rc = drv_->self_test_fn(dev_, buf, sizeof(buf));
    set_why(why, buf);
    return rc;
}

int DeviceHarness::get_entropy(uint8_t *buf, size_t len) {
    if (!drv_->get_entropy_fn || closed_) return ACRYPTO_E_UNSUPPORTED;
    return drv_->get_entropy_fn(dev_, buf, len);
}

void DeviceHarness::key_free(uint64_t key_id) {
    if (drv_->key_free_fn && !closed_) drv_->key_free_fn(dev_, key_id);
}

void DeviceHarness::close() {
    if (closed_) return;
    closed_ = true;
    drv_->close_fn(dev_);
    dev_ = nullptr;
    std::string bad;
    {
        std::lock_guard lk(mu_);
        drain_queue_locked(ACRYPTO_E_SHUTDOWN);
    }
    bad = violations();
    if (!bad.empty()) ADD_FAILURE() << "device " << (desc_.name ? desc_.name : "?") << ": " << bad;
}

std::string DeviceHarness::violations() const {
    std::lock_guard lk(mu_);
    std::ostringstream os;
    uint32_t never = 0, dup = dup_retired_;
    for (const auto &[s, r] : records_) {
        if (r.completions == 0) ++never;
        if (r.completions > 1) dup += r.completions - 1;
    }
    if (closed_ && never) os << never << " session(s) never completed; ";
    if (dup) os << dup << " duplicate completion(s); ";
    if (stray_) os << stray_ << " completion(s) of sessions not handed out; ";
    return os.str();
}

void DeviceHarness::complete_locked(acrypto_session *s, int status, uint32_t steps,
                                    bool by_device) {
    auto it = records_.find(s);
    ++total_;
    if (by_device) ++by_device_;
    if (it == records_.end() || (by_device && !it->second.dequeued)) {
        ++stray_;
        cv_.notify_all();
        return;
    }
    Record &r = it->second;
    if (r.completions++ == 0) {
        if (outstanding_ > 0) --outstanding_;
        if (by_device) completion_order_.push_back(s);
    }
    r.status = status;
    r.steps_done = steps;
    // Wake waiters only when what they wait for may be true: a waiter on every
    // session would otherwise be woken (a context switch) per completion.
    if (outstanding_ == 0 || session_waiters_ > 0) cv_.notify_all();
}

void DeviceHarness::drain_queue_locked(int status) {
    for (auto &q : queues_) {
        while (!q.empty()) {
            acrypto_session *s = q.front();
            q.pop_front();
            --queued_;
            complete_locked(s, status, 0, false);
        }
    }
}

uint32_t DeviceHarness::host_dequeue(acrypto_host *h, acrypto_session **out, uint32_t max) {
    DeviceHarness *self_ = self(h);
    std::lock_guard lk(self_->mu_);
    if (self_->broken_) return 0;
    uint32_t n = 0;
    for (int p = ACRYPTO_PRIO_MAX; p >= 0 && n < max; --p) {
        auto &q = self_->queues_[p];
        while (!q.empty() && n < max) {
            acrypto_session *s = q.front();
            q.pop_front();
            --self_->queued_;
            self_->records_[s].dequeued = true;
            self_->dequeue_order_.push_back(s);
            std::fill(std::begin(s->dev_scratch), std::end(s->dev_scratch), 0);
            out[n++] = s;
        }
    }
    if (n > self_->largest_dequeue_) self_->largest_dequeue_ = n;
    return n;
}

void DeviceHarness::host_complete(acrypto_host *h, acrypto_session *s, int status, uint32_t steps) {
    DeviceHarness *self_ = self(h);
    std::lock_guard lk(self_->mu_);
    self_->complete_locked(s, status, steps, true);
}

void DeviceHarness::host_mark_broken(acrypto_host *h, const char *reason) {
    DeviceHarness *self_ = self(h);
    std::lock_guard lk(self_->mu_);
    if (!self_->broken_) {
        self_->broken_ = true;
        self_->broken_reason_ = reason ? reason : "";
    }
    // The scheduler takes back what is still queued; here it fails it.
    self_->drain_queue_locked(ACRYPTO_E_DEVICE);
}

uint32_t DeviceHarness::host_pending(acrypto_host *h) {
    DeviceHarness *self_ = self(h);
    std::lock_guard lk(self_->mu_);
    return self_->broken_ ? 0 : self_->queued_;
}

void DeviceHarness::host_log(acrypto_host *h, int level, const char *msg) {
    DeviceHarness *self_ = self(h);
    if (std::getenv("ACRYPTO_DEBUG"))
        std::fprintf(stderr, "[device %d] %s\n", level, msg ? msg : "");
    std::lock_guard lk(self_->mu_);
    if (self_->logs_.size() < 1000) self_->logs_.emplace_back(msg ? msg : "");
}

} // namespace acrypto::test
