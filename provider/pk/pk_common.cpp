// SPDX-License-Identifier: Apache-2.0
// Shared helpers of provider/pk/: digest names, parameter parsing, session creation.
#include "pk_common.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace acrypto::prov::pk {

namespace {

struct DigestEntry {
    uint32_t alg;
    const char *name;
    size_t size;
};

constexpr DigestEntry kDigests[] = {
    {ACRYPTO_ALG_SHA256, "SHA256", 32}, {ACRYPTO_ALG_SHA384, "SHA384", 48},
    {ACRYPTO_ALG_SHA512, "SHA512", 64}, {ACRYPTO_ALG_SHA1, "SHA1", 20},
    {ACRYPTO_ALG_SHA224, "SHA224", 28}, {ACRYPTO_ALG_MD5, "MD5", 16},
};

struct PadName {
    int pad;
    const char *name;
};

constexpr PadName kPadNames[] = {
    {RSA_PKCS1_PADDING, OSSL_PKEY_RSA_PAD_MODE_PKCSV15},
    {RSA_NO_PADDING, OSSL_PKEY_RSA_PAD_MODE_NONE},
    {RSA_PKCS1_OAEP_PADDING, OSSL_PKEY_RSA_PAD_MODE_OAEP},
    {RSA_X931_PADDING, OSSL_PKEY_RSA_PAD_MODE_X931},
    {RSA_PKCS1_PSS_PADDING, OSSL_PKEY_RSA_PAD_MODE_PSS},
};

} // namespace

uint32_t digest_alg(OSSL_LIB_CTX *libctx, const char *name) {
    if (name == nullptr || *name == '\0') return ACRYPTO_ALG_NONE;
    for (const auto &d : kDigests)
        if (strcasecmp(d.name, name) == 0) return d.alg;
    // Aliases ("SHA2-256", OIDs...): ask libcrypto which digest this is.
    EVP_MD *md = EVP_MD_fetch(libctx, name, kValuePropq);
    uint32_t alg = ACRYPTO_ALG_NONE;
    if (md != nullptr) {
        for (const auto &d : kDigests)
            if (EVP_MD_is_a(md, d.name)) alg = d.alg;
        EVP_MD_free(md);
    }
    return alg;
}

const char *digest_name(uint32_t alg) {
    for (const auto &d : kDigests)
        if (d.alg == alg) return d.name;
    return nullptr;
}

size_t digest_size(uint32_t alg) {
    for (const auto &d : kDigests)
        if (d.alg == alg) return d.size;
    return 0;
}

acrypto::sched::Ref<acrypto::sched::Session> make_session(const OpOptions &opts, size_t arena) {
    auto s = acrypto::sched::Session::make(1, arena + 64);
    if (s) apply_options(opts, *s);
    return s;
}

uint8_t *arena_copy(acrypto::sched::Session &s, const void *src, size_t len) {
    uint8_t *p = s.alloc(len == 0 ? 1 : len);
    if (p != nullptr && len > 0) std::memcpy(p, src, len);
    return p;
}

bool param_pad_mode(const OSSL_PARAM *p, int *pad) {
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        const char *s = static_cast<const char *>(p->data);
        if (s == nullptr) return false;
        for (const auto &e : kPadNames)
            if (strcasecmp(e.name, s) == 0) {
                *pad = e.pad;
                return true;
            }
        return false;
    }
    return OSSL_PARAM_get_int(p, pad) == 1;
}

bool param_set_pad_mode(OSSL_PARAM *p, int pad) {
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        for (const auto &e : kPadNames)
            if (e.pad == pad) return OSSL_PARAM_set_utf8_string(p, e.name) == 1;
        return false;
    }
    return OSSL_PARAM_set_int(p, pad) == 1;
}

bool param_saltlen(const OSSL_PARAM *p, int *saltlen) {
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        const char *s = static_cast<const char *>(p->data);
        if (s == nullptr) return false;
        if (std::strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST) == 0)
            *saltlen = RSA_PSS_SALTLEN_DIGEST;
        else if (std::strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) == 0)
            *saltlen = RSA_PSS_SALTLEN_MAX;
        else if (std::strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) == 0)
            *saltlen = RSA_PSS_SALTLEN_AUTO;
        else
            *saltlen = std::atoi(s);
        return true;
    }
    return OSSL_PARAM_get_int(p, saltlen) == 1;
}

} // namespace acrypto::prov::pk

#include <openssl/crypto.h>

#include "acrypto/sched/scheduler.hpp"
#include "provider_state.hpp"

namespace acrypto::prov::pk {

void sym_key_drop(SymKey &k) {
    if (k.key && k.generation != fork_generation()) {
        // Made by a scheduler abandoned at fork(): never call into it. Wipe, leak.
        const acrypto_key &c = k.key->c();
        OPENSSL_cleanse(const_cast<uint8_t *>(c.data), c.len);
        (void)k.key.release();
    }
    k.key.reset();
}

bool sym_key_set(ProvCtx *pctx, SymKey &k, uint32_t alg, const uint8_t *key, size_t len) {
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) return false;
    auto nk = sc->make_key(alg, key, len);
    if (!nk) return false;
    sym_key_drop(k);
    k.key = nk;
    k.generation = fork_generation();
    return true;
}

bool sym_key_fresh(ProvCtx *pctx, SymKey &k) {
    if (!k.key) return false;
    if (k.generation == fork_generation()) return true;
    const acrypto_key &c = k.key->c();
    SymKey n;
    if (!sym_key_set(pctx, n, c.alg, c.data, c.len)) return false;
    sym_key_drop(k);
    k = n;
    return true;
}

} // namespace acrypto::prov::pk

#include <openssl/async.h>

#include <time.h>

#include <array>
#include <cstdlib>

#include "execute.hpp"

namespace acrypto::prov::pk {

namespace {

/**
 * What one public-key operation costs the caller's thread, measured as thread
 * CPU time (a loaded machine's preemption does not count) on inline runs: the
 * minimum over a window of samples, per (algorithm, mode, key size or curve).
 * Racy by design: relaxed atomics, a collision merely re-learns a slot.
 */
struct CostSlot {
    std::atomic<uint64_t> tag{0};
    std::atomic<uint32_t> est_ns{0};  ///< published estimate, 0 = not measured yet
    std::atomic<uint32_t> win_min{0}; ///< minimum of the current window, 0 = empty
    std::atomic<uint32_t> samples{0}; ///< inline samples taken
    std::atomic<uint32_t> count{0};   ///< operations seen (inline and offloaded)
};

constexpr size_t kCostSlots = 64;
std::array<CostSlot, kCostSlots> g_costs;

/// Inline samples per published estimate.
constexpr uint32_t kWindow = 8;
/// Operations kept inline: one in this many is timed.
constexpr uint32_t kSampleEvery = 16;
/// Offloaded operations: one in this many runs inline again to follow changes.
constexpr uint32_t kRefreshEvery = 256;

uint64_t cost_tag(const acrypto_step &st) {
    const uint32_t size =
        st.key != nullptr ? (st.key->curve_nid != 0 ? st.key->curve_nid : st.key->bits) : 0;
    return (uint64_t{st.alg} << 48 | uint64_t{st.mode} << 32 | size) | uint64_t{1} << 63;
}

size_t slot_index(uint64_t tag) { return static_cast<size_t>((tag * 0x9E3779B97F4A7C15ull) >> 58); }

CostSlot &cost_slot(uint64_t tag) {
    CostSlot &c = g_costs[slot_index(tag)];
    if (c.tag.load(std::memory_order_relaxed) != tag) {
        c.tag.store(tag, std::memory_order_relaxed);
        c.est_ns.store(0, std::memory_order_relaxed);
        c.win_min.store(0, std::memory_order_relaxed);
        c.samples.store(0, std::memory_order_relaxed);
        c.count.store(0, std::memory_order_relaxed);
    }
    return c;
}

uint64_t thread_cpu_ns() {
    timespec ts{};
    (void)clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void record(CostSlot &c, uint64_t ns) {
    const auto v = static_cast<uint32_t>(ns > UINT32_MAX ? UINT32_MAX : (ns == 0 ? 1 : ns));
    const uint32_t m = c.win_min.load(std::memory_order_relaxed);
    const uint32_t nm = m == 0 || v < m ? v : m;
    const uint32_t k = c.samples.fetch_add(1, std::memory_order_relaxed) + 1;
    // Noise only adds time: a sample below the estimate is news at once; a
    // higher cost shows as a whole window's minimum.
    const uint32_t est = c.est_ns.load(std::memory_order_relaxed);
    uint32_t next = est == 0 || k % kWindow == 0 ? nm : est;
    if (v < next) next = v;
    if (next != est) c.est_ns.store(next, std::memory_order_relaxed);
    c.win_min.store(k % kWindow == 0 ? 0 : nm, std::memory_order_relaxed);
}

/// kPkOffloadMinNs, or ACRYPTO_PK_OFFLOAD_MIN_US from the environment (0: offload all).
uint32_t offload_min_ns() {
    static const uint32_t v = [] {
        const char *e = std::getenv("ACRYPTO_PK_OFFLOAD_MIN_US");
        if (e == nullptr || *e == '\0') return kPkOffloadMinNs;
        char *end = nullptr;
        const unsigned long us = std::strtoul(e, &end, 10);
        return *end == '\0' && us <= 4000000 ? static_cast<uint32_t>(us * 1000) : kPkOffloadMinNs;
    }();
    return v;
}

/// Run on this thread (the decision is made: execute() would apply its own
/// rule); a device that cannot run inline, or a bound session, takes the queue.
int run_here(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s) {
    if (s->bound_device() != nullptr) return execute(pctx, s);
    const int rc = run_inline_now(pctx, *s);
    return rc != ACRYPTO_E_UNSUPPORTED ? rc : execute(pctx, s, ExecMode::Offload);
}

} // namespace

uint32_t pk_cost_estimate_ns(const acrypto_step &st) {
    const uint64_t tag = cost_tag(st);
    const CostSlot &c = g_costs[slot_index(tag)];
    return c.tag.load(std::memory_order_relaxed) == tag ? c.est_ns.load(std::memory_order_relaxed)
                                                        : 0;
}

int run_pk(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s) {
    ASYNC_JOB *job = ASYNC_get_current_job();
    if (job == nullptr || ASYNC_get_wait_ctx(job) == nullptr)
        return execute(pctx, s); // cannot pause: execute() runs it inline
    // In a pausable job: offload what costs more than a pause round trip (RSA
    // private operations, big curves); keep the cheap steps of a handshake
    // (X25519/P-256 keygen and derive, verifies) on this thread. The cost is
    // measured here, on inline runs, not taken from a table.
    CostSlot &c = cost_slot(cost_tag(s->step(0)));
    const uint32_t n = c.count.fetch_add(1, std::memory_order_relaxed) + 1;
    const uint32_t est = c.est_ns.load(std::memory_order_relaxed);
    const bool offload = est >= offload_min_ns() && n > kWindow;
    if (offload && n % kRefreshEvery != 0) return execute(pctx, s, ExecMode::Offload);
    if (!offload && est != 0 && n > kWindow && n % kSampleEvery != 0) return run_here(pctx, s);
    const uint64_t t0 = thread_cpu_ns();
    const int rc = run_here(pctx, s);
    if (rc == ACRYPTO_OK) record(c, thread_cpu_ns() - t0);
    return rc;
}

} // namespace acrypto::prov::pk
