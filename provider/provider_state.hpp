// SPDX-License-Identifier: Apache-2.0
// ProvCtx definition: core functions, settings, the lazily created scheduler, fork generation.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "config.hpp"
#include "prov_ctx.hpp"
#include "thread_counts.hpp"

namespace acrypto::ossl {
struct CipherFns;
} // namespace acrypto::ossl

namespace acrypto::prov {

struct DirectDigestFns;
struct DirectMacFns;

/// A number no other provider instance of this process had (per-thread caches key on it:
/// a freed instance's address may be reused, its serial never is).
uint64_t next_ctx_serial() noexcept;

struct ProvCtx {
    const uint64_t serial = next_ctx_serial();
    const OSSL_CORE_HANDLE *handle = nullptr;
    OSSL_LIB_CTX *libctx = nullptr;
    OSSL_FUNC_core_get_params_fn *core_get_params = nullptr;
    OSSL_FUNC_core_new_error_fn *core_new_error = nullptr;
    OSSL_FUNC_core_set_error_debug_fn *core_set_error_debug = nullptr;
    OSSL_FUNC_core_vset_error_fn *core_vset_error = nullptr;

    Settings settings;

    /// Guards creation and teardown of the scheduler (never held on the op path).
    std::mutex mu;
    /// Published scheduler for the fast path (acquire); owned by `owned`.
    std::atomic<acrypto::sched::SchedulerCore *> sched{nullptr};
    std::unique_ptr<acrypto::sched::SchedulerCore> owned;
    /// Fork generation the scheduler belongs to.
    uint64_t generation = 0;
    /// Why the scheduler could not be created (empty when fine).
    std::string sched_error;
    /// Warnings from start-up (drivers asked for that found no device).
    std::string warnings;
    std::atomic<bool> failed{false};
    bool torn_down = false;

    ProvCtx *next = nullptr; ///< registry link (fork handling)

    /// Algorithm tables of this instance when the algorithms key restricts them, per
    /// operation id (OSSL_OP_DIGEST .. OSSL_OP_ASYM_CIPHER); unused unless `restricted`.
    std::vector<OSSL_ALGORITHM> offered[OSSL_OP_ASYM_CIPHER + 1];
    bool restricted = false;

    /// Default-provider digests (kHashInfos order) for streams computed on the
    /// caller's thread; fetched once on first use, freed at teardown.
    std::atomic<EVP_MD *> direct_md[5] = {};
    /// Those digests' functions (direct_digest.hpp), called with no EVP_MD_CTX; found once.
    std::atomic<DirectDigestFns *> direct_fns[5] = {};
    /// Default-provider HMAC for HMAC streams on that path; fetched once.
    std::atomic<EVP_MAC *> direct_hmac{nullptr};
    /// That HMAC's functions (direct_digest.hpp), called with no EVP_MAC_CTX; found once.
    std::atomic<DirectMacFns *> direct_mac_fns{nullptr};
    /// Per digest (kHashInfos order), an HMAC context of those functions with the digest
    /// set and a one-byte key: a fresh HMAC stream copies it and sets its own key, with no
    /// digest fetch (direct_mac_template). Only ever copied, never changed, once published.
    std::atomic<void *> direct_mac_tmpl[5] = {};
    /// Default-provider ciphers and their functions for the direct paths, found once: the
    /// AEAD ciphers (AES-128/192/256-GCM, ChaCha20-Poly1305; pk/cipher_aead.cpp) in their
    /// algorithm order, then ChaCha20 (kDirectChaCha20Slot; pk/cipher_plain.cpp).
    std::atomic<EVP_CIPHER *> direct_cipher[5] = {};
    std::atomic<acrypto::ossl::CipherFns *> direct_cipher_fns[5] = {};
    /// Only software devices are configured (`cpu`, `mb`), whose inline digests and AEAD
    /// kernels are the default provider's code: digests may take that path, and AEAD
    /// messages theirs (`aead.direct`). Set at init.
    bool only_software_devices = false;
    /// What the callers' threads count on the direct paths, with no locked instruction
    /// (thread_counts.hpp): digest and HMAC messages those streams finished
    /// (`digest.direct`); AEAD messages run in a context's own keyed default-provider
    /// context on the same condition (`aead.direct`; pk/cipher_aead.cpp); ChaCha20 streams
    /// that went on in such a context, counted when a stream starts there (`cipher.direct`;
    /// pk/cipher_plain.cpp); public-key operations of pausable callers run inline because
    /// the devices' workers were waiting for a CPU (`pk.starved-inline`; pk/pk_common.cpp);
    /// TLS 1.x CBC record MACs (MAC-then-encrypt, receiving side) run on the default
    /// provider's constant-time HMAC (`mac.tls-record`; mac_hmac.cpp).
    /// Held apart from ProvCtx: embedded, its 4 KB of lines made a 16-byte digest 2.5 ns
    /// slower than the locked add it replaces (placement, not instructions); apart, 1.5 ns
    /// faster.
    const std::unique_ptr<ThreadCounts> counts = std::make_unique<ThreadCounts>();
    /// Default-provider KDFs the forwarding KDFs wrap (TLS1-PRF, HKDF, TLS13-KDF), then
    /// ECDH's X9.63 KDF (slot kForwardX963Slot).
    std::atomic<EVP_KDF *> forward_kdf[4] = {};
};

/// Fetch once into `slot`; a racing thread's fetch is dropped for the published one.
template <typename T, typename Fetch, typename Free>
T *cached_fetch(std::atomic<T *> &slot, Fetch fetch, Free free_fn) {
    T *have = slot.load(std::memory_order_acquire);
    if (have != nullptr) [[likely]]
        return have;
    T *got = fetch();
    if (got == nullptr) return nullptr;
    if (!slot.compare_exchange_strong(have, got, std::memory_order_acq_rel)) {
        free_fn(got);
        return have;
    }
    return got;
}

/// Process fork generation (bumped in the child after fork()); read on every inline run.
extern std::atomic<uint64_t> g_fork_generation;
inline uint64_t fork_generation() noexcept {
    return g_fork_generation.load(std::memory_order_acquire);
}

/// Create the scheduler now (start-up with `required` drivers); false with sched_error.
bool start_scheduler(ProvCtx *pctx);

/// Register / unregister for fork handling.
void register_ctx(ProvCtx *pctx);
void unregister_ctx(ProvCtx *pctx);

/// Shut the scheduler down and join its threads (teardown).
void stop_scheduler(ProvCtx *pctx);

/// Default provider's digest `index` (kHashInfos order) in the child libctx, fetched
/// once per provider instance; nullptr when the default provider is not there.
EVP_MD *direct_digest(ProvCtx *pctx, size_t index);

/// Default provider's HMAC in the child libctx, fetched once; nullptr when absent.
EVP_MAC *direct_hmac(ProvCtx *pctx);

/// Default provider's KDF `name` (slot `index` of ProvCtx::forward_kdf), fetched once.
EVP_KDF *forward_kdf(ProvCtx *pctx, size_t index, const char *name);
/// ProvCtx::forward_kdf's slot of X963KDF (ECDH with a KDF; the TLS KDFs take the slots before).
inline constexpr size_t kForwardX963Slot = 3;

/// Free the cached fetches (teardown).
void free_cached_fetches(ProvCtx *pctx) noexcept;

/// Debug trace gated by ACRYPTO_DEBUG.
void debug_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace acrypto::prov
