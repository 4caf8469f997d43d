// SPDX-License-Identifier: Apache-2.0
// Shared helpers of provider/pk/: digest names, property query for value objects, session runner.
#pragma once

#include <openssl/core.h>
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/session.hpp"
#include "op_params.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov::pk {

/// Where key values, digests for digest-sign and DER codecs come from. Never
/// acrypto itself (its child library context mirrors every loaded provider).
inline constexpr const char kValuePropq[] = "provider=default";

/// enum acrypto_alg of a digest name (any of OpenSSL's aliases), or ACRYPTO_ALG_NONE.
uint32_t digest_alg(OSSL_LIB_CTX *libctx, const char *name);
/// Canonical name of an acrypto digest ("SHA256"), or nullptr.
const char *digest_name(uint32_t alg);
/// Output size of an acrypto digest, 0 if unknown.
size_t digest_size(uint32_t alg);

/// A one-step session of at least `arena` bytes with options applied, or an empty Ref.
acrypto::sched::Ref<acrypto::sched::Session> make_session(const OpOptions &opts, size_t arena);

/// Copy `len` bytes into the session's arena; nullptr on failure (len 0: a valid pointer).
uint8_t *arena_copy(acrypto::sched::Session &s, const void *src, size_t len);

/// Parse an int-or-string padding mode parameter (pkcs1, pss, none, oaep, x931).
bool param_pad_mode(const OSSL_PARAM *p, int *pad);
/// Parse an int-or-string PSS salt length parameter (digest, max, auto, or a number).
bool param_saltlen(const OSSL_PARAM *p, int *saltlen);
/// Set `p` (int or UTF8) from a padding mode.
bool param_set_pad_mode(OSSL_PARAM *p, int pad);

} // namespace acrypto::prov::pk

namespace acrypto::prov::pk {

/// A symmetric key context that follows the scheduler across fork().
struct SymKey {
    acrypto::sched::Ref<acrypto::sched::Key> key;
    uint64_t generation = 0;
};

/// Make `k` from key bytes (old key dropped; the same bytes keep the key as it is).
/// False when the scheduler is unavailable.
bool sym_key_set(ProvCtx *pctx, SymKey &k, uint32_t alg, const uint8_t *key, size_t len);
/// Re-make the key under the current scheduler after fork(). False when unavailable.
bool sym_key_fresh(ProvCtx *pctx, SymKey &k);
/// Drop the key (wiped by the scheduler; a pre-fork key is wiped here and abandoned).
void sym_key_drop(SymKey &k);

} // namespace acrypto::prov::pk

namespace acrypto::prov::pk {

/**
 * Public-key work that costs at least this on the caller's thread is offloaded
 * from a pausable ASYNC_JOB whenever the devices have room (fewer operations in
 * flight than the offload depth; else the caller's core is the free one and it
 * runs the operation itself): a pause, the queue hop, the worker's
 * wake-up and the application's resume cost the caller tens of microseconds at
 * most (HAProxy: fd registration, a second pass through the handshake). With
 * the cpu device on an x86-64 core: RSA-2048 sign (~700 us) and P-384 sign.
 * Cheaper work (X25519 and P-256 keygen/derive ~20-50 us, ECDSA P-256 sign ~25
 * us, RSA public operations) is offloaded only under pk_place()'s rule. The
 * environment variable ACRYPTO_PK_OFFLOAD_MIN_US overrides it (0: offload every
 * public-key operation of a pausable job); ACRYPTO_PK_OFFLOAD_DEPTH sets how
 * many operations may be in flight before cheap ones stay inline (default: the
 * devices' worker threads times two; 0: cheap ones always stay inline).
 */
inline constexpr uint32_t kPkOffloadMinNs = 100000;

/**
 * The devices' workers are starved from this much run-queue wait per CPU time
 * (thousandths) on. Two cores, RSA-2048: `openssl speed -async_jobs 8` measures
 * 6 (a core is free for the worker: 1.9x the default provider), HAProxy with its
 * load generator on the same cores 690 (offloaded 0.82x of the default
 * provider's handshake rate, inline 0.92x).
 */
inline constexpr uint32_t kPkStarvedPermille = 250;

/// Where run_pk places one public-key operation of a pausable caller.
enum class PkPlace : uint8_t {
    Inline,  ///< run on the caller's thread
    Offload, ///< submit to a device and pause the job
    Probe,   ///< inline, except now and then an offload that measures the caller's pause cost
    Starved, ///< inline, except now and then an offload that measures the workers' wait again
};

/// What the placement rule weighs (ns are thread CPU time of the caller).
struct PkPlaceInputs {
    uint32_t cost_ns = 0;   ///< measured inline cost of the operation, 0 = not measured yet
    uint32_t pause_ns = 0;  ///< measured CPU one pause costs this caller, 0 = not measured yet
    uint32_t min_ns = 0;    ///< always offload from this cost on (kPkOffloadMinNs)
    uint32_t in_flight = 0; ///< public-key operations offloaded and not complete yet
    uint32_t depth = 1;     ///< offloads that keep the devices busy beside the caller
    bool overlaps = false;  ///< the caller mostly ran other operations while paused
    bool starved = false;   ///< the devices' workers wait for a CPU: every core is busy
};

/**
 * The placement rule. Operations costing min_ns or more are offloaded while
 * the devices have room (in_flight < depth, at least one in flight), whatever
 * a pause costs; past that the caller runs them (two cores: one worker and the
 * caller both sign, 1.9x the default provider's RSA-2048 rate instead of 0.9x).
 * Cheaper ones are offloaded only while the devices have room (in_flight <
 * depth), a pause costs this caller at most half of what the operation
 * would, and the caller has other work to run while paused (its pauses mostly
 * overlapped other operations): it keeps running operations inline and hands
 * one to a device whenever one is free, so both cores work. A caller whose
 * pause is expensive (an event loop that re-enters a TLS handshake) or that
 * would only wait (one connection) keeps them inline. When the devices' workers
 * are starved (they wait in the kernel's run queue for a CPU: every core is busy
 * with the callers and the rest of the machine), an offload takes a core from
 * another thread and adds no capacity, only the hand-over: measured operations
 * stay inline then (Starved), but for an offload now and then while the devices
 * have room, which keeps the workers' measurement current. Pure: the tests drive
 * it with injected measurements.
 */
PkPlace pk_place(const PkPlaceInputs &in) noexcept;

/**
 * execute() for public-key sessions. Their inputs are a few dozen bytes but each
 * costs a signature's worth of work, so the byte-based inline threshold does not
 * fit them. Inside an ASYNC_JOB with a wait ctx the decision is pk_place() over
 * the operation's measured cost (the first runs of each (algorithm, mode, key
 * size) go inline and are timed; one in 16 inline runs and one in 256 offloaded
 * ones are timed again to follow changes), this thread's measured pause cost
 * (every offload is timed: the caller's thread CPU from submit to resume, less
 * the public-key work it ran inline meanwhile, per operation it started), the
 * public-key operations in flight, and whether the devices' workers are starved
 * (SchedulerCore::worker_wait_permille at least ACRYPTO_PK_STARVED_PERMILLE,
 * default kPkStarvedPermille; 0 turns the rule off). Elsewhere execute() decides
 * (inline for a caller that cannot pause).
 */
int run_pk(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s);

/// The measured inline cost of steps like `st` in ns, 0 when not measured yet (tests).
uint32_t pk_cost_estimate_ns(const acrypto_step &st);

/// Test hooks: set the measured cost of steps like `st`, this thread's pause
/// cost (0: unmeasured) and the offload depth (0: back to the devices' workers).
void pk_test_set_cost(const acrypto_step &st, uint32_t ns);
void pk_test_set_pause_ns(uint32_t ns, bool overlaps = true);
void pk_test_set_depth(uint32_t depth);
/// Starved devices' workers: 1 / 0 as if measured so, -1 what the scheduler measures (tests).
void pk_test_set_starved(int starved);
/// Test hook: pretend `n` more (or fewer) operations are in flight.
void pk_test_add_in_flight(int32_t n);
/// Public-key operations offloaded and not seen complete, and this thread's pause cost.
uint32_t pk_in_flight();
uint32_t pk_pause_estimate_ns();

} // namespace acrypto::prov::pk
