// SPDX-License-Identifier: Apache-2.0
// Lazy, fork-safe scheduler creation from the settings; priorities; the ctx registry.
#include "prov_ctx.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <pthread.h>
#include <strings.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <new>

#include "direct_digest.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

std::atomic<uint64_t> g_fork_generation{1};

uint64_t next_ctx_serial() noexcept {
    static std::atomic<uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

namespace {

std::mutex g_registry_mu;
ProvCtx *g_registry = nullptr;
std::once_flag g_atfork_once;

void atfork_prepare() {
    g_registry_mu.lock();
    for (ProvCtx *p = g_registry; p != nullptr; p = p->next) p->mu.lock();
}

void atfork_parent() {
    for (ProvCtx *p = g_registry; p != nullptr; p = p->next) p->mu.unlock();
    g_registry_mu.unlock();
}

void atfork_child() {
    // The parent's scheduler threads do not exist here: abandon its object
    // (never destroy it: that would join threads and take locks they held) and
    // let the next use create a fresh one.
    g_fork_generation.fetch_add(1, std::memory_order_acq_rel);
    for (ProvCtx *p = g_registry; p != nullptr; p = p->next) {
        (void)p->owned.release();
        p->sched.store(nullptr, std::memory_order_release);
        p->mu.unlock();
    }
    g_registry_mu.unlock();
}

} // namespace

void debug_log(const char *fmt, ...) {
    static const bool on = std::getenv("ACRYPTO_DEBUG") != nullptr;
    if (!on) return;
    va_list ap;
    va_start(ap, fmt);
    std::fputs("acrypto: ", stderr);
    std::vfprintf(stderr, fmt, ap);
    std::fputc('\n', stderr);
    va_end(ap);
}

void register_ctx(ProvCtx *pctx) {
    std::call_once(g_atfork_once,
                   [] { pthread_atfork(atfork_prepare, atfork_parent, atfork_child); });
    std::lock_guard<std::mutex> lk(g_registry_mu);
    pctx->next = g_registry;
    g_registry = pctx;
}

void unregister_ctx(ProvCtx *pctx) {
    std::lock_guard<std::mutex> lk(g_registry_mu);
    for (ProvCtx **pp = &g_registry; *pp != nullptr; pp = &(*pp)->next) {
        if (*pp == pctx) {
            *pp = pctx->next;
            break;
        }
    }
}

namespace {

/// Build and start a scheduler from the settings. Caller holds pctx->mu.
bool create_locked(ProvCtx *pctx) {
    using namespace acrypto::sched;
    const Settings &st = pctx->settings;
    Options opts;
    opts.plugin_dir = st.plugin_dir;
    opts.aging_ms = st.aging_ms;
    auto created = SchedulerCore::create(opts);
    if (!created) {
        pctx->sched_error = "scheduler: " + created.error().message;
        return false;
    }
    std::unique_ptr<SchedulerCore> sc = std::move(created).value();
    if (st.balancer != opts.balancer || !st.balancer_config.items().empty()) {
        auto sel = sc->select_balancer(st.balancer, st.balancer_config);
        if (!sel) {
            auto ld = sc->load_balancer_plugin(st.balancer);
            if (ld) sel = sc->select_balancer(st.balancer, st.balancer_config);
        }
        if (!sel) {
            pctx->sched_error = "balancer '" + st.balancer + "': " + sel.error().message;
            sc->shutdown();
            return false;
        }
    }
    // auto: small work stays on the caller's thread even inside a job (queueing
    // and a pause cost more than the crypto; QAT keeps 2048 bytes on the CPU).
    sc->set_inline_threshold(st.inline_auto ? kAutoInlineThreshold : st.inline_threshold);

    uint32_t opened = 0;
    std::string warnings;
    for (const std::string &drv : st.devices) {
        bool required = false;
        for (const auto &r : st.required) required = required || r == drv;
        std::string why;
        auto ld = sc->load_device_plugin(drv);
        if (!ld) {
            why = ld.error().message;
        } else {
            auto it = st.driver_config.find(drv);
            auto r = sc->open_devices(drv, it != st.driver_config.end() ? it->second : Config{});
            if (!r)
                why = r.error().message;
            else if (r.value() == 0)
                why = "no device found";
            else
                opened += r.value();
        }
        if (!why.empty()) {
            std::string msg = "driver '" + drv + "': " + why;
            if (st.devices_default && !required && drv != "cpu") {
                // Embedded default list: mb is there only where it can run.
                debug_log("%s (embedded default: skipped)", msg.c_str());
                continue;
            }
            if (required) {
                pctx->sched_error = "required " + msg;
                sc->shutdown();
                return false;
            }
            std::fprintf(stderr, "acrypto: %s\n", msg.c_str());
            warnings += msg + "\n";
        }
    }
    if (opened == 0) {
        pctx->sched_error = "no device could be opened";
        if (!warnings.empty())
            pctx->sched_error += " (" + warnings.substr(0, warnings.size() - 1) + ")";
        sc->shutdown();
        return false;
    }
    pctx->warnings = warnings;
    pctx->generation = fork_generation();
    pctx->owned = std::move(sc);
    pctx->sched.store(pctx->owned.get(), std::memory_order_release);
    debug_log("scheduler started: %u device(s)", opened);
    return true;
}

} // namespace

bool start_scheduler(ProvCtx *pctx) { return scheduler(pctx) != nullptr; }

acrypto::sched::SchedulerCore *scheduler(ProvCtx *pctx) {
    acrypto::sched::SchedulerCore *sc = pctx->sched.load(std::memory_order_acquire);
    if (sc != nullptr) [[likely]]
        return sc;
    if (pctx->failed.load(std::memory_order_acquire)) return nullptr;
    std::lock_guard<std::mutex> lk(pctx->mu);
    sc = pctx->sched.load(std::memory_order_acquire);
    if (sc != nullptr || pctx->torn_down) return sc;
    try {
        if (!create_locked(pctx)) {
            pctx->failed.store(true, std::memory_order_release);
            return nullptr;
        }
    } catch (const std::exception &e) {
        pctx->sched_error = e.what();
        pctx->failed.store(true, std::memory_order_release);
        return nullptr;
    }
    return pctx->sched.load(std::memory_order_acquire);
}

void stop_scheduler(ProvCtx *pctx) {
    std::unique_ptr<acrypto::sched::SchedulerCore> sc;
    {
        std::lock_guard<std::mutex> lk(pctx->mu);
        pctx->torn_down = true;
        pctx->sched.store(nullptr, std::memory_order_release);
        sc = std::move(pctx->owned);
    }
    if (sc) sc->shutdown();
}

OSSL_LIB_CTX *libctx(ProvCtx *pctx) { return pctx->libctx; }

namespace {

constexpr const char *kDirectDigestNames[] = {"SHA1", "SHA2-224", "SHA2-256", "SHA2-384",
                                              "SHA2-512"};
constexpr const char kDefaultPropq[] = "provider=default";

} // namespace

EVP_MD *direct_digest(ProvCtx *pctx, size_t index) {
    if (index >= std::size(pctx->direct_md)) return nullptr;
    return cached_fetch(
        pctx->direct_md[index],
        [&] { return EVP_MD_fetch(pctx->libctx, kDirectDigestNames[index], kDefaultPropq); },
        EVP_MD_free);
}

EVP_MAC *direct_hmac(ProvCtx *pctx) {
    return cached_fetch(
        pctx->direct_hmac, [&] { return EVP_MAC_fetch(pctx->libctx, "HMAC", kDefaultPropq); },
        EVP_MAC_free);
}

EVP_KDF *forward_kdf(ProvCtx *pctx, size_t index, const char *name) {
    if (index >= std::size(pctx->forward_kdf)) return nullptr;
    return cached_fetch(
        pctx->forward_kdf[index], [&] { return EVP_KDF_fetch(pctx->libctx, name, kDefaultPropq); },
        EVP_KDF_free);
}

void free_cached_fetches(ProvCtx *pctx) noexcept {
    for (auto &f : pctx->direct_fns) delete f.exchange(nullptr);
    if (const DirectMacFns *f = pctx->direct_mac_fns.load(std::memory_order_acquire))
        for (auto &t : pctx->direct_mac_tmpl)
            if (void *c = t.exchange(nullptr)) f->freectx(c);
    delete pctx->direct_mac_fns.exchange(nullptr);
    for (auto &f : pctx->direct_cipher_fns) delete f.exchange(nullptr);
    for (auto &c : pctx->direct_cipher) EVP_CIPHER_free(c.exchange(nullptr));
    for (auto &m : pctx->direct_md) EVP_MD_free(m.exchange(nullptr));
    EVP_MAC_free(pctx->direct_hmac.exchange(nullptr));
    for (auto &k : pctx->forward_kdf) EVP_KDF_free(k.exchange(nullptr));
}

const OSSL_CORE_HANDLE *core_handle(ProvCtx *pctx) { return pctx->handle; }

uint32_t priority_for(ProvCtx *pctx, const char *algorithm_name) {
    // `algorithm_name` may be a colon-separated list of names (OSSL_ALGORITHM form).
    if (algorithm_name == nullptr || pctx->settings.priorities.empty()) return kDefaultPriority;
    const char *p = algorithm_name;
    while (*p != '\0') {
        const char *end = std::strchr(p, ':');
        size_t n = end != nullptr ? static_cast<size_t>(end - p) : std::strlen(p);
        for (const auto &[name, prio] : pctx->settings.priorities) {
            if (name.size() == n && strncasecmp(name.c_str(), p, n) == 0) return prio;
        }
        p += n;
        if (*p == ':') ++p;
    }
    return kDefaultPriority;
}

} // namespace acrypto::prov
