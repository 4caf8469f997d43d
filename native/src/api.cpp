// SPDX-License-Identifier: Apache-2.0
// The native C API (acrypto.h) over the process scheduler: contexts, keys, sessions, completion.
#include "acrypto/acrypto.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <string>

#include "acrypto/native/process_scheduler.hpp"
#include "acrypto/sched/session.hpp"
#include "conf.hpp"

using acrypto::native::SchedulerRef;
using acrypto::sched::Errc;
using acrypto::sched::Ref;

struct acrypto_ctx {
    SchedulerRef sched;
    std::string messages;
};

struct acrypto_key_handle {
    Ref<acrypto::sched::Key>
        key; // outlives the scheduler safely (the key's notifier link is refcounted)
};

struct acrypto_session_handle {
    // Not owning: the context owns the scheduler. A handle may die on a scheduler
    // thread (its last reference can be the in-flight one), which must never be
    // where the scheduler is shut down and its threads joined.
    acrypto::sched::SchedulerCore *sched = nullptr;
    Ref<acrypto::sched::Session> s;
    std::atomic<uint32_t> refs{1}; // the caller, plus one while submitted
    std::recursive_mutex mu;       // recursive: a callback may query its own session
    std::condition_variable_any cv;
    bool submitted = false;
    bool completed = false; // result copied out, callback about to run or ran
    bool detached = false;  // freed by the caller: write nothing more
    int status = ACRYPTO_PENDING;
    uint8_t *out = nullptr;
    size_t out_room = 0;
    size_t out_len = 0;
    uint8_t iv[ACRYPTO_MAX_IV]{};
    uint32_t iv_len = 0;
    int efd = -1;
    acrypto_done_cb cb = nullptr;
    void *cb_arg = nullptr;

    void unref() {
        if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            if (efd >= 0) close(efd);
            delete this;
        }
    }
};

namespace {

void set_err(char *err, size_t errlen, const std::string &msg) {
    if (err != nullptr && errlen > 0) std::snprintf(err, errlen, "%s", msg.c_str());
}

void copy_str(char *dst, size_t n, const std::string &src) {
    std::snprintf(dst, n, "%s", src.c_str());
}

/// Scheduler DoneFn: copy the result out, signal, call back, drop the in-flight reference.
void on_done(void *arg, acrypto::sched::Session &s) {
    auto *h = static_cast<acrypto_session_handle *>(arg);
    {
        std::unique_lock<std::recursive_mutex> lk(h->mu);
        const acrypto_step &st = s.step(0);
        h->status = s.status();
        h->out_len = 0;
        if (h->status == ACRYPTO_OK) {
            h->out_len = st.out_len <= h->out_room ? st.out_len : h->out_room;
            if (!h->detached && h->out != nullptr && h->out_len > 0)
                std::memcpy(h->out, st.dst, h->out_len);
            h->iv_len = st.iv_len;
            std::memcpy(h->iv, st.iv, sizeof(h->iv));
        }
        h->completed = true;
        if (h->efd >= 0) {
            uint64_t one = 1;
            ssize_t w = write(h->efd, &one, sizeof(one));
            (void)w;
        }
        h->cv.notify_all();
        // Under the lock: acrypto_session_free() waits for a running callback.
        if (!h->detached && h->cb != nullptr) h->cb(h, h->status, h->cb_arg);
    }
    h->unref();
}

} // namespace

extern "C" {

unsigned acrypto_api_version(void) { return ACRYPTO_API_VERSION; }

const char *acrypto_version_string(void) { return ACRYPTO_VERSION_STRING; }

const char *acrypto_status_string(int status) {
    switch (status) {
    case ACRYPTO_PENDING: return "pending";
    case ACRYPTO_OK: return "ok";
    case ACRYPTO_E_BUSY: return "busy";
    case ACRYPTO_E_UNSUPPORTED: return "unsupported";
    case ACRYPTO_E_INVALID: return "invalid input";
    case ACRYPTO_E_DEVICE: return "device fault";
    case ACRYPTO_E_TIMEOUT: return "device timeout";
    case ACRYPTO_E_SHUTDOWN: return "shutting down";
    case ACRYPTO_E_VERIFY: return "verification failed";
    case ACRYPTO_E_NOMEM: return "out of memory";
    case ACRYPTO_E_INTERNAL: return "internal error";
    case ACRYPTO_E_BOUND: return "bound device unavailable";
    default: return "unknown";
    }
}

acrypto_ctx *acrypto_ctx_new(const char *config_file, char *err, size_t errlen) {
    try {
        acrypto::native::ProcessConfig cfg;
        std::string error;
        if (config_file != nullptr && !acrypto::native::load_config_file(config_file, cfg, error)) {
            set_err(err, errlen, error);
            return nullptr;
        }
        auto ctx = std::make_unique<acrypto_ctx>();
        auto r = acrypto::native::acquire_process_scheduler(cfg, &ctx->messages);
        if (!r) {
            set_err(err, errlen, r.error().message);
            return nullptr;
        }
        ctx->sched = std::move(r).value();
        set_err(err, errlen, "");
        return ctx.release();
    } catch (const std::exception &e) {
        set_err(err, errlen, e.what());
    } catch (...) {
        set_err(err, errlen, "internal error");
    }
    return nullptr;
}

void acrypto_ctx_free(acrypto_ctx *ctx) { delete ctx; }

const char *acrypto_ctx_get0_messages(const acrypto_ctx *ctx) {
    return ctx != nullptr ? ctx->messages.c_str() : "";
}

size_t acrypto_ctx_devices(const acrypto_ctx *ctx, struct acrypto_device_info *out, size_t max) {
    if (ctx == nullptr) return 0;
    try {
        auto devs = ctx->sched->devices();
        for (size_t i = 0; i < devs.size() && i < max && out != nullptr; ++i) {
            acrypto_device_info &o = out[i];
            std::memset(&o, 0, sizeof(o));
            copy_str(o.name, sizeof(o.name), devs[i].name);
            copy_str(o.driver, sizeof(o.driver), devs[i].driver);
            o.flags = devs[i].flags;
            o.broken = devs[i].broken ? 1 : 0;
            copy_str(o.broken_reason, sizeof(o.broken_reason), devs[i].broken_reason);
            o.queued = devs[i].queued;
            o.in_flight = devs[i].in_flight;
            o.queue_len = devs[i].queue_len;
            o.ncaps = static_cast<uint32_t>(devs[i].caps.size());
        }
        return devs.size();
    } catch (...) {
        return 0;
    }
}

size_t acrypto_ctx_device_caps(const acrypto_ctx *ctx, size_t index, struct acrypto_capability *out,
                               size_t max) {
    if (ctx == nullptr) return 0;
    try {
        auto devs = ctx->sched->devices();
        if (index >= devs.size()) return 0;
        const auto &caps = devs[index].caps;
        for (size_t i = 0; i < caps.size() && i < max && out != nullptr; ++i) out[i] = caps[i];
        return caps.size();
    } catch (...) {
        return 0;
    }
}

size_t acrypto_ctx_stats(const acrypto_ctx *ctx, struct acrypto_stat_entry *out, size_t max) {
    if (ctx == nullptr) return 0;
    try {
        auto st = ctx->sched->stats();
        for (size_t i = 0; i < st.size() && i < max && out != nullptr; ++i) {
            copy_str(out[i].name, sizeof(out[i].name), st[i].name);
            out[i].value = st[i].value;
        }
        return st.size();
    } catch (...) {
        return 0;
    }
}

int acrypto_ctx_self_test(acrypto_ctx *ctx, char *msg, size_t msglen) {
    if (ctx == nullptr) return ACRYPTO_E_INVALID;
    try {
        std::vector<std::string> messages;
        bool ok = ctx->sched->self_test(&messages);
        std::string all;
        for (const auto &m : messages) all += (all.empty() ? "" : "; ") + m;
        set_err(msg, msglen, all);
        return ok ? ACRYPTO_OK : ACRYPTO_E_DEVICE;
    } catch (...) {
        set_err(msg, msglen, "internal error");
        return ACRYPTO_E_INTERNAL;
    }
}

acrypto_key_handle *acrypto_key_new(acrypto_ctx *ctx, uint32_t alg, const uint8_t *bytes,
                                    size_t len) {
    if (ctx == nullptr || (bytes == nullptr && len != 0) || len > 4096) return nullptr;
    try {
        auto *k = new acrypto_key_handle;
        k->key = ctx->sched->make_key(alg, bytes, len);
        if (!k->key) {
            delete k;
            return nullptr;
        }
        return k;
    } catch (...) {
        return nullptr;
    }
}

void acrypto_key_free(acrypto_key_handle *key) { delete key; }

acrypto_session_handle *acrypto_session_new(acrypto_ctx *ctx,
                                            const struct acrypto_session_params *p, int *status) {
    int dummy = 0;
    int &rc = status != nullptr ? *status : dummy;
    rc = ACRYPTO_E_INVALID;
    if (ctx == nullptr || p == nullptr ||
        p->struct_size < offsetof(acrypto_session_params, tag_len) || p->iv_len > ACRYPTO_MAX_IV ||
        (p->iv == nullptr && p->iv_len != 0) || (p->in == nullptr && p->in_len != 0) ||
        p->priority > ACRYPTO_PRIO_MAX || (p->out == nullptr && p->out_len != 0) ||
        (p->device != nullptr && std::strlen(p->device) >= 32))
        return nullptr;
    uint32_t tag_len =
        p->struct_size >= offsetof(acrypto_session_params, reserved) ? p->tag_len : 0;
    if (tag_len > ACRYPTO_MAX_TAG) return nullptr;
    try {
        auto s = acrypto::sched::Session::make(1, p->in_len + p->out_len + 128);
        if (!s) {
            rc = ACRYPTO_E_NOMEM;
            return nullptr;
        }
        uint8_t *src = p->in_len > 0 ? s->alloc(p->in_len) : nullptr;
        uint8_t *dst = p->out_len > 0 ? s->alloc(p->out_len) : nullptr;
        if ((p->in_len > 0 && src == nullptr) || (p->out_len > 0 && dst == nullptr)) {
            rc = ACRYPTO_E_NOMEM;
            return nullptr;
        }
        if (p->in_len > 0) std::memcpy(src, p->in, p->in_len);
        acrypto_step &st = s->step(0);
        st.op = p->op;
        st.alg = p->alg;
        st.mode = p->mode;
        st.dir = p->dir;
        if (p->op == ACRYPTO_OP_DIGEST || p->op == ACRYPTO_OP_MAC)
            st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        st.iv_len = static_cast<uint32_t>(p->iv_len);
        if (p->iv_len > 0) std::memcpy(st.iv, p->iv, p->iv_len);
        st.tag_len = tag_len;
        st.src = src;
        st.src_len = p->in_len;
        st.dst = dst;
        st.dst_len = p->out_len;
        if (p->key != nullptr) s->set_key(0, p->key->key);
        s->set_priority(p->priority);
        if (p->device != nullptr && *p->device != '\0') s->bind(p->device);
        auto *h = new acrypto_session_handle;
        h->sched = ctx->sched.get();
        h->s = std::move(s);
        h->out = p->out;
        h->out_room = p->out_len;
        h->s->set_done(on_done, h);
        rc = ACRYPTO_OK;
        return h;
    } catch (const std::bad_alloc &) {
        rc = ACRYPTO_E_NOMEM;
    } catch (...) {
        rc = ACRYPTO_E_INTERNAL;
    }
    return nullptr;
}

void acrypto_session_free(acrypto_session_handle *h) {
    if (h == nullptr) return;
    {
        std::lock_guard<std::recursive_mutex> lk(h->mu);
        h->detached = true;
        h->cb = nullptr;
    }
    h->unref();
}

int acrypto_submit(acrypto_session_handle *h, acrypto_done_cb cb, void *arg) {
    if (h == nullptr) return ACRYPTO_E_INVALID;
    {
        std::lock_guard<std::recursive_mutex> lk(h->mu);
        if (h->submitted) return ACRYPTO_E_INVALID;
        h->submitted = true;
        h->cb = cb;
        h->cb_arg = arg;
    }
    h->refs.fetch_add(1, std::memory_order_relaxed);
    Errc e = h->sched->submit(h->s);
    if (e != Errc::Ok) {
        std::lock_guard<std::recursive_mutex> lk(h->mu);
        h->submitted = false;
        h->cb = nullptr;
        h->refs.fetch_sub(1, std::memory_order_relaxed);
        return acrypto::sched::status_from_errc(e);
    }
    return ACRYPTO_OK;
}

int acrypto_run(acrypto_session_handle *h) {
    if (h == nullptr) return ACRYPTO_E_INVALID;
    {
        std::lock_guard<std::recursive_mutex> lk(h->mu);
        if (h->submitted) return ACRYPTO_E_INVALID;
        // Small work on the caller's thread: no queue hop, no wake-up.
        if (h->sched->prefer_inline(h->s->step(0))) {
            h->submitted = true;
            h->refs.fetch_add(1, std::memory_order_relaxed);
        }
    }
    if (h->submitted) {
        // run_inline completes through on_done (which takes h->mu): not under the lock.
        int rc = h->sched->run_inline(*h->s);
        if (rc != ACRYPTO_E_UNSUPPORTED || h->s->done())
            return acrypto_wait(h, ACRYPTO_WAIT_FOREVER);
        std::lock_guard<std::recursive_mutex> lk(h->mu);
        h->submitted = false;
        h->refs.fetch_sub(1, std::memory_order_relaxed);
    }
    int rc = acrypto_submit(h, nullptr, nullptr);
    if (rc != ACRYPTO_OK) return rc;
    return acrypto_wait(h, ACRYPTO_WAIT_FOREVER);
}

int acrypto_wait(acrypto_session_handle *h, int timeout_ms) {
    if (h == nullptr) return ACRYPTO_E_INVALID;
    std::unique_lock<std::recursive_mutex> lk(h->mu);
    if (!h->submitted && !h->completed) return ACRYPTO_E_INVALID;
    if (timeout_ms < 0)
        h->cv.wait(lk, [h] { return h->completed; });
    else if (!h->cv.wait_for(lk, std::chrono::milliseconds(timeout_ms),
                             [h] { return h->completed; }))
        return ACRYPTO_PENDING;
    return h->status;
}

int acrypto_session_status(const acrypto_session_handle *h) {
    if (h == nullptr) return ACRYPTO_E_INVALID;
    auto *m = const_cast<acrypto_session_handle *>(h);
    std::lock_guard<std::recursive_mutex> lk(m->mu);
    return m->completed ? m->status : ACRYPTO_PENDING;
}

int acrypto_session_get_eventfd(acrypto_session_handle *h) {
    if (h == nullptr) {
        errno = EINVAL;
        return -1;
    }
    std::lock_guard<std::recursive_mutex> lk(h->mu);
    if (h->efd < 0) {
        h->efd = eventfd(h->completed ? 1 : 0, EFD_NONBLOCK | EFD_CLOEXEC);
    }
    return h->efd;
}

size_t acrypto_session_get_out_len(const acrypto_session_handle *h) {
    if (h == nullptr) return 0;
    auto *m = const_cast<acrypto_session_handle *>(h);
    std::lock_guard<std::recursive_mutex> lk(m->mu);
    return m->completed ? m->out_len : 0;
}

size_t acrypto_session_get_iv(const acrypto_session_handle *h, uint8_t *iv, size_t len) {
    if (h == nullptr || iv == nullptr) return 0;
    auto *m = const_cast<acrypto_session_handle *>(h);
    std::lock_guard<std::recursive_mutex> lk(m->mu);
    if (!m->completed || m->status != ACRYPTO_OK) return 0;
    size_t n = len < m->iv_len ? len : m->iv_len;
    std::memcpy(iv, m->iv, n);
    return n;
}

const char *acrypto_session_get0_device(const acrypto_session_handle *h) {
    if (h == nullptr) return "";
    auto *m = const_cast<acrypto_session_handle *>(h);
    std::lock_guard<std::recursive_mutex> lk(m->mu);
    return m->completed ? m->s->last_device() : "";
}

} // extern "C"
