// SPDX-License-Identifier: Apache-2.0
// SHA-1 and SHA-224/256/384/512 digests over HashStream.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <array>
#include <new>
#include <utility>

#include "acrypto/sched/late_exit_key.hpp"
#include "algorithms.hpp"
#include "errors.hpp"
#include "hash_stream.hpp"
#include "op_params.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

struct DigestCtx {
    ProvCtx *pctx = nullptr;
    const HashInfo *info = nullptr;
    OpOptions opts;
    HashStream stream;
    bool initialized = false;
    bool default_opts = false; ///< opts are the configured defaults (no params set since)
};

/// Contexts handed back on this thread, one per SHA variant, kept for the next context of
/// the same variant and provider instance: EVP_Digest makes and frees one per message, and
/// a new one costs two allocations (ours and the default provider's direct state) and their
/// wipes. A spare holds nothing of its messages (HashStream::clear_for_reuse).
struct SpareDigests {
    DigestCtx *ctx[5] = {};
    uint64_t serial[5] = {}; ///< ProvCtx::serial of each spare's provider instance
    SpareDigests() = default;
    SpareDigests(const SpareDigests &) = delete;
    SpareDigests &operator=(const SpareDigests &) = delete;
    ~SpareDigests();
    /// Free the spares; this thread keeps none from now on.
    void retire() noexcept;
};
/// This thread's spares once made (a plain pointer: no guard on each use).
thread_local SpareDigests *t_spares = nullptr;
/// Set when this thread's spares are freed (thread exit). glibc runs pthread-key
/// destructors, OpenSSL's thread-stop handlers among them, after C++ thread-local
/// destructors: a context freed there is freed, not kept.
thread_local bool t_spares_gone = false;

void SpareDigests::retire() noexcept {
    t_spares = nullptr;
    t_spares_gone = true;
    for (DigestCtx *&c : ctx) {
        delete c;
        c = nullptr;
    }
}

/// Retires the spares of a thread that made them after its thread-local destructors ran.
const acrypto::sched::LateExitKey &spares_key() noexcept {
    static const acrypto::sched::LateExitKey key(
        [](void *p) { static_cast<SpareDigests *>(p)->retire(); });
    return key;
}

SpareDigests::~SpareDigests() {
    spares_key().disarm();
    retire();
}

/// This thread's spares, made on first use; nullptr once the thread has freed them.
[[gnu::noinline]] SpareDigests *make_spares() noexcept {
    if (t_spares_gone) return nullptr;
    thread_local SpareDigests owned; // freed, with its spares, when the thread exits
    spares_key().arm(&owned);
    t_spares = &owned;
    return &owned;
}

/// The spare context of variant `index` for `pctx`, or nullptr.
DigestCtx *take_spare(ProvCtx *pctx, size_t index) noexcept {
    SpareDigests *sp = t_spares;
    if (sp == nullptr) return nullptr;
    DigestCtx *c = sp->ctx[index];
    if (c == nullptr || sp->serial[index] != pctx->serial) return nullptr;
    sp->ctx[index] = nullptr;
    return c;
}

extern "C" {

void digest_freectx(void *vctx) {
    auto *c = static_cast<DigestCtx *>(vctx);
    if (c == nullptr) return;
    const auto index = static_cast<size_t>(c->info - kHashInfos);
    SpareDigests *sp = t_spares;
    if (sp == nullptr && (sp = make_spares()) == nullptr) [[unlikely]] {
        delete c;
        return;
    }
    DigestCtx *&slot = sp->ctx[index];
    // Keep it when there is no spare of its provider instance yet (another instance's spare
    // makes way) and nothing of its messages is left in it.
    if ((slot == nullptr || sp->serial[index] != c->pctx->serial) && c->stream.clear_for_reuse()) {
        delete slot;
        slot = c;
        sp->serial[index] = c->pctx->serial;
        return;
    }
    delete c;
}

void *digest_dupctx(void *vctx) {
    try {
        auto *c = static_cast<DigestCtx *>(vctx);
        auto *d = new (std::nothrow) DigestCtx;
        if (d == nullptr) return nullptr;
        d->pctx = c->pctx;
        d->info = c->info;
        d->opts = c->opts;
        d->initialized = c->initialized;
        if (!d->stream.copy_from(c->stream)) {
            delete d;
            return nullptr;
        }
        return d;
    } catch (...) {
        return nullptr;
    }
}

int digest_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    auto *c = static_cast<DigestCtx *>(vctx);
    try {
        if (params != nullptr) c->default_opts = false;
        return set_op_params(c->pctx, c->opts, params);
    } catch (...) {
        return 0;
    }
}

int digest_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<DigestCtx *>(vctx);
    return get_op_params(c->opts, params);
}

int digest_init(void *vctx, const OSSL_PARAM params[]) {
    auto *c = static_cast<DigestCtx *>(vctx);
    try {
        c->stream.reset(c->info, ACRYPTO_OP_DIGEST, ACRYPTO_MODE_NONE, {});
        c->initialized = true;
        return digest_set_ctx_params(c, params);
    } catch (...) {
        raise(c->pctx, kReasonInternal, "digest init");
        return 0;
    }
}

/// Every update the direct path's own call does not take (see digest_update).
[[gnu::noinline]] int digest_update_slow(DigestCtx *c, const unsigned char *in, size_t inl) {
    try {
        if (!c->initialized) {
            raise(c->pctx, kReasonNotInitialized, "digest update before init");
            return 0;
        }
        if (inl == 0) return 1;
        if (in == nullptr) {
            raise(c->pctx, kReasonBadParam, "NULL input");
            return 0;
        }
        int st = c->stream.update(c->pctx, c->opts, in, inl);
        if (st != ACRYPTO_OK) {
            raise_status(c->pctx, st, "digest update");
            return 0;
        }
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "digest update");
        return 0;
    }
}

int digest_update(void *vctx, const unsigned char *in, size_t inl) {
    return hash_update(static_cast<DigestCtx *>(vctx), in, inl, "digest update",
                       digest_update_slow);
}

int digest_final(void *vctx, unsigned char *out, size_t *outl, size_t outsz) {
    auto *c = static_cast<DigestCtx *>(vctx);
    try {
        if (!c->initialized) {
            raise(c->pctx, kReasonNotInitialized, "digest final before init");
            return 0;
        }
        if (outsz < c->info->md_size || out == nullptr) {
            raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", c->info->md_size);
            return 0;
        }
        int st = c->stream.final(c->pctx, c->opts, out);
        c->initialized = false;
        if (st != ACRYPTO_OK) {
            raise_status(c->pctx, st, "digest final");
            return 0;
        }
        *outl = c->info->md_size;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "digest final");
        return 0;
    }
}

const OSSL_PARAM kGettableParams[] = {OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_BLOCK_SIZE, nullptr),
                                      OSSL_PARAM_size_t(OSSL_DIGEST_PARAM_SIZE, nullptr),
                                      OSSL_PARAM_int(OSSL_DIGEST_PARAM_XOF, nullptr),
                                      OSSL_PARAM_int(OSSL_DIGEST_PARAM_ALGID_ABSENT, nullptr),
                                      OSSL_PARAM_END};

const OSSL_PARAM kCtxParams[] = {ACRYPTO_OP_SETTABLE_PARAMS, OSSL_PARAM_END};

const OSSL_PARAM *digest_gettable_params(void *) { return kGettableParams; }
const OSSL_PARAM *digest_ctx_params(void *, void *) { return kCtxParams; }

} // extern "C"

template <size_t I> int digest_get_params(OSSL_PARAM params[]) {
    const HashInfo &h = kHashInfos[I];
    OSSL_PARAM *p;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_BLOCK_SIZE)) != nullptr &&
        !OSSL_PARAM_set_size_t(p, h.block_size))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_SIZE)) != nullptr &&
        !OSSL_PARAM_set_size_t(p, h.md_size))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_XOF)) != nullptr &&
        !OSSL_PARAM_set_int(p, 0))
        return 0;
    // SHA-1 and SHA-2 AlgorithmIdentifiers carry an absent parameter.
    if ((p = OSSL_PARAM_locate(params, OSSL_DIGEST_PARAM_ALGID_ABSENT)) != nullptr &&
        !OSSL_PARAM_set_int(p, 1))
        return 0;
    return 1;
}

template <size_t I> void *digest_newctx(void *provctx) {
    try {
        auto *pctx = static_cast<ProvCtx *>(provctx);
        DigestCtx *c = take_spare(pctx, I);
        if (c == nullptr && (c = new (std::nothrow) DigestCtx) == nullptr) return nullptr;
        c->pctx = pctx;
        c->info = &kHashInfos[I];
        // A spare of this provider instance whose options were never set keeps the
        // configured defaults it has.
        if (!c->default_opts) {
            set_default_options(c->opts, pctx, c->info->names);
            c->default_opts = true;
        }
        c->initialized = false;
        return c;
    } catch (...) {
        return nullptr;
    }
}

#define ACRYPTO_FN(id, fn)                                                                         \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <size_t I> struct DigestDispatch {
    static inline const OSSL_DISPATCH table[] = {
        ACRYPTO_FN(OSSL_FUNC_DIGEST_NEWCTX, &digest_newctx<I>),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_FREECTX, &digest_freectx),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_DUPCTX, &digest_dupctx),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_INIT, &digest_init),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_UPDATE, &digest_update),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_FINAL, &digest_final),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_GET_PARAMS, &digest_get_params<I>),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_GETTABLE_PARAMS, &digest_gettable_params),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_SET_CTX_PARAMS, &digest_set_ctx_params),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_GET_CTX_PARAMS, &digest_get_ctx_params),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_SETTABLE_CTX_PARAMS, &digest_ctx_params),
        ACRYPTO_FN(OSSL_FUNC_DIGEST_GETTABLE_CTX_PARAMS, &digest_ctx_params),
        {0, nullptr}};
};

template <size_t... I>
std::array<OSSL_ALGORITHM, sizeof...(I)> make_digest_table(std::index_sequence<I...>) {
    return {{{kHashInfos[I].names, kPropDefinition, DigestDispatch<I>::table, nullptr}...}};
}

} // namespace

void append_digest_algorithms(std::vector<OSSL_ALGORITHM> &out) {
    // One OSSL_ALGORITHM per SHA variant: names, "provider=acrypto", dispatch.
    auto table = make_digest_table(std::make_index_sequence<5>{});
    out.insert(out.end(), table.begin(), table.end());
}

} // namespace acrypto::prov
