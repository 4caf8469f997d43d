// SPDX-License-Identifier: Apache-2.0
// Shared helpers of provider/pk/: digest names, parameter parsing, session creation.
#include "pk_common.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <algorithm>
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
    {ACRYPTO_ALG_SHA256, "SHA256", 32},
    {ACRYPTO_ALG_SHA384, "SHA384", 48},
    {ACRYPTO_ALG_SHA512, "SHA512", 64},
    {ACRYPTO_ALG_SHA1, "SHA1", 20},
    {ACRYPTO_ALG_SHA224, "SHA224", 28},
    {ACRYPTO_ALG_MD5, "MD5", 16},
    // The names libcrypto gives these digests first (EVP_MD_get0_name, what libssl passes
    // to every signature it makes) and their other spellings: found without a fetch.
    {ACRYPTO_ALG_SHA256, "SHA2-256", 32},
    {ACRYPTO_ALG_SHA384, "SHA2-384", 48},
    {ACRYPTO_ALG_SHA512, "SHA2-512", 64},
    {ACRYPTO_ALG_SHA224, "SHA2-224", 28},
    {ACRYPTO_ALG_SHA256, "SHA-256", 32},
    {ACRYPTO_ALG_SHA384, "SHA-384", 48},
    {ACRYPTO_ALG_SHA512, "SHA-512", 64},
    {ACRYPTO_ALG_SHA224, "SHA-224", 28},
    {ACRYPTO_ALG_SHA1, "SHA-1", 20},
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
#include "acrypto/sched/thread_heap.hpp"
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
    if (k.key && k.generation == fork_generation()) {
        // The same key again (a re-init per message): keep its id, so devices keep
        // the key schedule they cached for it.
        const acrypto_key &cur = k.key->c();
        if (cur.alg == alg && cur.len == len && len != 0 && CRYPTO_memcmp(cur.data, key, len) == 0)
            return true;
    }
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

#include <time.h>

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <string>

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

/// The number `name` holds in the environment when it is one from 0 to `max`, else -1.
int64_t env_number(const char *name, unsigned long max) {
    const char *e = std::getenv(name);
    if (e == nullptr || *e == '\0') return -1;
    char *end = nullptr;
    const unsigned long v = std::strtoul(e, &end, 10);
    return *end == '\0' && v <= max ? static_cast<int64_t>(v) : -1;
}

/// kPkOffloadMinNs, or ACRYPTO_PK_OFFLOAD_MIN_US from the environment (0: offload all).
uint32_t offload_min_ns() {
    static const int64_t us = env_number("ACRYPTO_PK_OFFLOAD_MIN_US", 4000000);
    return us >= 0 ? static_cast<uint32_t>(us * 1000) : kPkOffloadMinNs;
}

/// Run on this thread (the decision is made: execute() would apply its own
/// rule); a device that cannot run inline, or a bound session, takes the queue.
int run_here(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s) {
    if (s->bound_device() != nullptr) return execute(pctx, s);
    const int rc = run_inline_now(pctx, *s);
    return rc != ACRYPTO_E_UNSUPPORTED ? rc : execute(pctx, s, ExecMode::Offload);
}

/// kPkStarvedPermille, or ACRYPTO_PK_STARVED_PERMILLE from the environment (0: never starved).
uint32_t starved_permille() {
    static const int64_t p = env_number("ACRYPTO_PK_STARVED_PERMILLE", 1000000);
    return p >= 0 ? static_cast<uint32_t>(p) : kPkStarvedPermille;
}

std::atomic<int> g_starved_forced{-1};

/// Whether the devices' workers wait for a CPU (see pk_place).
bool workers_starved(ProvCtx *pctx) {
    if (const int f = g_starved_forced.load(std::memory_order_relaxed); f >= 0) return f != 0;
    const uint32_t limit = starved_permille();
    if (limit == 0) return false;
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) return false;
    const uint32_t w = sc->worker_wait_permille();
    return w != acrypto::sched::SchedulerCore::kWaitUnknown && w >= limit;
}

/// Starved workers: one offload in this many (when a device has room) measures their wait
/// again, so the operations go back to them once a core is free.
constexpr uint32_t kStarvedProbeEvery = 32;
/// Cheap operations whose pause cost is unknown or too high: one offload in this many
/// (when a device has room) measures the caller's pause cost again.
constexpr uint32_t kProbeEvery = 128;
/// A pause-cost sample moves the estimate by 1/kPauseWeight of the difference.
constexpr uint32_t kPauseWeight = 4;
/// Offloaded sessions one thread tracks (more are not counted in flight).
constexpr size_t kTracked = 64;

/// Public-key operations offloaded by every thread and not seen complete.
std::atomic<uint32_t> g_in_flight{0};
/// Offload depth: 0 = not known yet (the devices' workers), else the value.
std::atomic<uint32_t> g_depth{0};
std::atomic<uint32_t> g_depth_forced{0};

/// One caller thread: what it has offloaded and what its pauses cost.
struct Caller {
    uint64_t generation = 0; ///< fork generation the tracked sessions belong to
    uint64_t ops = 0;        ///< public-key operations started on this thread in a job
    uint64_t inline_ns = 0;  ///< their inline CPU time (measured or estimated)
    uint32_t pause_ns = 0;   ///< estimate of one pause's cost, 0 = not measured
    uint32_t overlap = 0;    ///< share of pauses the thread spent on other operations (0..1024)
    uint32_t probe = 0;      ///< operations since the last pause-cost probe
    uint32_t starved = 0;    ///< operations kept inline since the last starved-workers probe
    uint32_t ntracked = 0;
    acrypto::sched::Session *tracked[kTracked] = {};
};

/// This thread's Caller, looked up afresh: a paused job may resume on another thread, and
/// a TLS address computed before the pause must not be reused. nullptr when there is none
/// (no memory, or the thread is exiting). On the heap (ThreadHeap): 560 bytes of
/// thread-local storage would keep the module's out of static TLS. Its tracked sessions'
/// references are not dropped when the thread exits, as they never were when the Caller
/// itself was thread-local: the scheduler they belong to may be gone by then.
///
/// The pointer is 64-byte aligned, which makes the module's whole TLS segment so, and with it
/// every block glibc allocates for the module's thread-local storage on a thread when it is not
/// static (it aligns blocks whose alignment malloc does not give by hand). GCC 12's
/// LeakSanitizer takes a dynamic TLS block that starts 16 bytes past a page boundary (where ASan
/// hands out the memory of a chunk that begins a page, after its 16-byte chunk header) for a
/// glibc 2.19 block with a size header, reads that chunk header as one and crashes its tracer at
/// exit ("Tracer caught signal 11", "DTLS ... at 0x338-"): a matter of where the heap put the
/// block, which one path length or allocation more moves. Each device plugin with thread-local
/// storage aligns one of its variables likewise.
[[gnu::noinline]] Caller *this_caller() noexcept {
    return acrypto::sched::ThreadHeap<Caller, 64>::get();
}

/// Forget what a thread tracked before fork(): the parent's sessions never complete here
/// and belong to an abandoned scheduler (their references are leaked, never dropped).
void caller_fresh(Caller &c) {
    const uint64_t g = fork_generation();
    if (c.generation == g) return;
    if (c.generation != 0) g_in_flight.store(0, std::memory_order_relaxed);
    c.generation = g;
    c.ntracked = 0;
}

/// Drop tracked entry `i`: the list's own reference (see track()) and its count in flight.
void drop_tracked(Caller &c, uint32_t i) {
    auto gone = acrypto::sched::Ref<acrypto::sched::Session>::adopt(c.tracked[i]);
    c.tracked[i] = c.tracked[--c.ntracked];
    g_in_flight.fetch_sub(1, std::memory_order_relaxed);
}

/// Drop tracked sessions that completed (each leaves the in-flight count once).
void reap(Caller &c) {
    for (uint32_t i = 0; i < c.ntracked;) {
        if (c.tracked[i]->done())
            drop_tracked(c, i);
        else
            ++i;
    }
}

/// Count `s` in flight until this thread sees it complete. The list holds a
/// reference: a job resumed on another thread leaves its entry here, and the
/// session must outlive it.
bool track(Caller &c, acrypto::sched::Session *s) {
    if (c.ntracked == kTracked) return false;
    s->ref();
    c.tracked[c.ntracked++] = s;
    g_in_flight.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void untrack(Caller &c, const acrypto::sched::Session *s) {
    for (uint32_t i = 0; i < c.ntracked; ++i)
        if (c.tracked[i] == s) {
            drop_tracked(c, i);
            return;
        }
}

/// Twice the worker threads of the opened devices (their "dev.<name>.drv.workers"
/// statistics), else of the online cores: each worker runs one operation and has
/// the next one queued, so it does not idle while the caller finishes an inline
/// operation before it hands over another (2 cores, one cpu worker, -async_jobs 8,
/// median of 5: RSA-2048 sign 1.68x of the default provider at depth 2, 1.93x at
/// 3 and 4; ECDSA P-256 sign 1.60x, 1.62x, 1.78x).
uint32_t offload_depth(ProvCtx *pctx) {
    if (const uint32_t f = g_depth_forced.load(std::memory_order_relaxed)) return f;
    // ACRYPTO_PK_OFFLOAD_DEPTH=<n>; 0 keeps every operation below kPkOffloadMinNs inline.
    static const int64_t env = env_number("ACRYPTO_PK_OFFLOAD_DEPTH", 4096);
    if (env >= 0) return static_cast<uint32_t>(env);
    uint32_t d = g_depth.load(std::memory_order_relaxed);
    if (d != 0) return d;
    if (acrypto::sched::SchedulerCore *sc = scheduler(pctx)) {
        for (const auto &st : sc->stats()) {
            const std::string &n = st.name;
            if (n.size() > 16 && n.compare(0, 4, "dev.") == 0 &&
                n.compare(n.size() - 12, 12, ".drv.workers") == 0)
                d += static_cast<uint32_t>(st.value);
        }
    }
    if (d == 0) {
        const long n = sysconf(_SC_NPROCESSORS_ONLN);
        d = n > 0 ? static_cast<uint32_t>(n) : 1;
    }
    d *= 2;
    g_depth.store(d, std::memory_order_relaxed);
    return d;
}

/// One sample of the caller's cost per pause: its CPU from submit to resume,
/// less the public-key work it ran inline meanwhile, over the operations it ran
/// (its own and the ones it started meanwhile).
void record_pause(Caller &c, uint64_t gap_ns, uint64_t inline_ns, uint64_t ops) {
    const uint64_t rest = gap_ns > inline_ns ? gap_ns - inline_ns : 1;
    const uint64_t per = rest / (ops + 1);
    const auto v = static_cast<uint32_t>(per > UINT32_MAX ? UINT32_MAX : (per == 0 ? 1 : per));
    // Did the thread start other operations while this one was away? A caller
    // that only waited (one connection, one job) gained nothing from the pause.
    const uint32_t o = ops > 0 ? 1024 : 0;
    if (c.pause_ns == 0) {
        c.pause_ns = v;
        c.overlap = o;
    } else {
        c.overlap = c.overlap + o / kPauseWeight - c.overlap / kPauseWeight;
        const int64_t diff = static_cast<int64_t>(v) - static_cast<int64_t>(c.pause_ns);
        c.pause_ns = static_cast<uint32_t>(static_cast<int64_t>(c.pause_ns) + diff / kPauseWeight);
        if (c.pause_ns == 0) c.pause_ns = 1;
    }
}

/// Offload and pause; the caller's thread CPU across it is one pause-cost sample.
int offload_timed(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s, Caller &c) {
    const bool tracked = track(c, s.get());
    const uint64_t t0 = thread_cpu_ns();
    const uint64_t inl0 = c.inline_ns, ops0 = c.ops;
    const int rc = execute(pctx, s, ExecMode::Offload);
    // A job may be resumed on another thread: then this is another Caller, and
    // the sample (two threads' clocks) is meaningless.
    if (this_caller() == &c) {
        if (tracked) untrack(c, s.get());
        if (rc == ACRYPTO_OK)
            record_pause(c, thread_cpu_ns() - t0, c.inline_ns - inl0, c.ops - ops0);
    }
    return rc;
}

/// pk_place() with the workers getting a CPU.
PkPlace place_with_a_free_core(const PkPlaceInputs &in) noexcept {
    if (in.cost_ns >= in.min_ns)
        // Whatever the pause costs; but with the devices' queues full the caller's
        // own core is the one left, and work queued behind them would only wait.
        return in.in_flight < std::max<uint32_t>(in.depth, 1) ? PkPlace::Offload : PkPlace::Inline;
    if (in.in_flight >= in.depth) return PkPlace::Inline; // the caller helps instead of queueing
    if (in.pause_ns != 0 && uint64_t{in.pause_ns} * 2 <= in.cost_ns && in.overlaps)
        return PkPlace::Offload;
    return PkPlace::Probe;
}

} // namespace

PkPlace pk_place(const PkPlaceInputs &in) noexcept {
    if (in.cost_ns == 0) return PkPlace::Inline;
    const PkPlace p = place_with_a_free_core(in);
    return p == PkPlace::Offload && in.starved ? PkPlace::Starved : p;
}

uint32_t pk_cost_estimate_ns(const acrypto_step &st) {
    const uint64_t tag = cost_tag(st);
    const CostSlot &c = g_costs[slot_index(tag)];
    return c.tag.load(std::memory_order_relaxed) == tag ? c.est_ns.load(std::memory_order_relaxed)
                                                        : 0;
}

void pk_test_set_cost(const acrypto_step &st, uint32_t ns) {
    CostSlot &c = cost_slot(cost_tag(st));
    c.est_ns.store(ns, std::memory_order_relaxed);
    c.win_min.store(0, std::memory_order_relaxed);
    c.samples.store(0, std::memory_order_relaxed);
    // Past the learning window; the next timed re-sample is as far away as it gets.
    c.count.store(kWindow + 1, std::memory_order_relaxed);
}

void pk_test_set_pause_ns(uint32_t ns, bool overlaps) {
    Caller *c = this_caller();
    if (c == nullptr) return;
    c->pause_ns = ns;
    c->overlap = overlaps ? 1024 : 0;
    c->probe = 1;
}

void pk_test_set_depth(uint32_t depth) { g_depth_forced.store(depth, std::memory_order_relaxed); }

void pk_test_set_starved(int starved) {
    g_starved_forced.store(starved, std::memory_order_relaxed);
}

void pk_test_add_in_flight(int32_t n) {
    g_in_flight.fetch_add(static_cast<uint32_t>(n), std::memory_order_relaxed);
}

uint32_t pk_in_flight() { return g_in_flight.load(std::memory_order_relaxed); }

uint32_t pk_pause_estimate_ns() {
    const Caller *c = this_caller();
    return c != nullptr ? c->pause_ns : 0;
}

int run_pk(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s) {
    if (!caller_can_pause()) return execute(pctx, s); // execute() runs it inline
    Caller *const cp = this_caller();
    if (cp == nullptr) return execute(pctx, s); // no Caller: the scheduler's placement alone
    Caller &caller = *cp;
    caller_fresh(caller);
    reap(caller);
    ++caller.ops;
    CostSlot &c = cost_slot(cost_tag(s->step(0)));
    const uint32_t n = c.count.fetch_add(1, std::memory_order_relaxed) + 1;
    const uint32_t est = c.est_ns.load(std::memory_order_relaxed);
    PkPlaceInputs in;
    in.cost_ns = n > kWindow ? est : 0;
    in.pause_ns = caller.pause_ns;
    in.overlaps = caller.overlap >= 512;
    in.min_ns = offload_min_ns();
    in.in_flight = g_in_flight.load(std::memory_order_relaxed);
    in.depth = offload_depth(pctx);
    in.starved = in.cost_ns != 0 && workers_starved(pctx);
    PkPlace place = pk_place(in);
    if (place == PkPlace::Starved) {
        place = ++caller.starved >= kStarvedProbeEvery ? PkPlace::Offload : PkPlace::Inline;
        if (place == PkPlace::Offload)
            caller.starved = 0;
        else
            pctx->counts->add(Count::PkStarvedInline);
    }
    if (place == PkPlace::Probe) {
        // Unknown pause cost: measure it soon; known too high: re-measure now and then.
        place = ++caller.probe >= kProbeEvery || (caller.pause_ns == 0 && caller.probe == 1)
                    ? PkPlace::Offload
                    : PkPlace::Inline;
        if (place == PkPlace::Offload) caller.probe = 0;
    }
    if (place == PkPlace::Offload && n % kRefreshEvery != 0) return offload_timed(pctx, s, caller);
    if (place == PkPlace::Inline && in.cost_ns != 0 && n % kSampleEvery != 0) {
        caller.inline_ns += est;
        return run_here(pctx, s);
    }
    const uint64_t t0 = thread_cpu_ns();
    const int rc = run_here(pctx, s);
    const bool moved = this_caller() != &caller; // run_here may have paused (no inline device)
    const uint64_t ns = thread_cpu_ns() - t0;
    if (moved) return rc;
    caller.inline_ns += ns;
    if (rc == ACRYPTO_OK) record(c, ns);
    return rc;
}

} // namespace acrypto::prov::pk
