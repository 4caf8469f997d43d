// SPDX-License-Identifier: Apache-2.0
// SEED-SRC: a seed source drawing on device entropy (scheduler get_entropy). It never pauses:
// DRBG chains call it under OpenSSL's locks. Use it as the parent of any DRBG
// ([random] seed = SEED-SRC, seed_properties = provider=acrypto).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <mutex>
#include <new>

#include "acrypto/sched/scheduler.hpp"
#include "errors.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

constexpr int kStrength = 256; // bits claimed per byte-aligned request
constexpr size_t kMaxRequest = 1 << 16;

struct SeedCtx {
    ProvCtx *pctx = nullptr;
    int state = EVP_RAND_STATE_UNINITIALISED;
    std::mutex *lock = nullptr;
};

bool fill(SeedCtx *c, unsigned char *out, size_t len) {
    acrypto::sched::SchedulerCore *sc = scheduler(c->pctx);
    if (sc == nullptr) {
        raise(c->pctx, kReasonNoScheduler, "no scheduler for entropy");
        return false;
    }
    int status = sc->get_entropy(out, len); // synchronous by contract: never pauses
    if (status != ACRYPTO_OK) {
        OPENSSL_cleanse(out, len);
        raise_status(c->pctx, status, "device entropy");
        return false;
    }
    return true;
}

void *seed_newctx(void *provctx, void *parent, const OSSL_DISPATCH *parent_dispatch) {
    if (parent != nullptr) // a seed source has no parent
        return nullptr;
    auto *c = new (std::nothrow) SeedCtx;
    if (c != nullptr) c->pctx = static_cast<ProvCtx *>(provctx);
    return c;
}

void seed_freectx(void *vctx) {
    auto *c = static_cast<SeedCtx *>(vctx);
    if (c == nullptr) return;
    delete c->lock;
    delete c;
}

int seed_instantiate(void *vctx, unsigned int strength, int prediction_resistance,
                     const unsigned char *pstr, size_t pstr_len, const OSSL_PARAM params[]) {
    auto *c = static_cast<SeedCtx *>(vctx);
    if (strength > static_cast<unsigned int>(kStrength)) return 0;
    c->state = EVP_RAND_STATE_READY;
    return 1;
}

int seed_uninstantiate(void *vctx) {
    static_cast<SeedCtx *>(vctx)->state = EVP_RAND_STATE_UNINITIALISED;
    return 1;
}

int seed_generate(void *vctx, unsigned char *out, size_t outlen, unsigned int strength,
                  int prediction_resistance, const unsigned char *adin, size_t adin_len) {
    try {
        auto *c = static_cast<SeedCtx *>(vctx);
        if (c->state != EVP_RAND_STATE_READY || strength > static_cast<unsigned int>(kStrength))
            return 0;
        return fill(c, out, outlen) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

int seed_reseed(void *vctx, int prediction_resistance, const unsigned char *ent, size_t ent_len,
                const unsigned char *adin, size_t adin_len) {
    return static_cast<SeedCtx *>(vctx)->state == EVP_RAND_STATE_READY ? 1 : 0;
}

size_t seed_get_seed(void *vctx, unsigned char **pout, int entropy, size_t min_len, size_t max_len,
                     int prediction_resistance, const unsigned char *adin, size_t adin_len) {
    try {
        auto *c = static_cast<SeedCtx *>(vctx);
        size_t need = entropy > 0 ? (static_cast<size_t>(entropy) + 7) / 8 : 0;
        if (need < min_len) need = min_len;
        if (need == 0 || need > max_len) return 0;
        auto *p = static_cast<unsigned char *>(OPENSSL_secure_malloc(need));
        if (p == nullptr) return 0;
        if (!fill(c, p, need)) {
            OPENSSL_secure_clear_free(p, need);
            return 0;
        }
        *pout = p;
        return need;
    } catch (...) {
        return 0;
    }
}

void seed_clear_seed(void *vctx, unsigned char *out, size_t outlen) {
    OPENSSL_secure_clear_free(out, outlen);
}

int seed_enable_locking(void *vctx) {
    auto *c = static_cast<SeedCtx *>(vctx);
    if (c->lock == nullptr) c->lock = new (std::nothrow) std::mutex;
    return c->lock != nullptr ? 1 : 0;
}

int seed_lock(void *vctx) {
    auto *c = static_cast<SeedCtx *>(vctx);
    if (c->lock != nullptr) c->lock->lock();
    return 1;
}

void seed_unlock(void *vctx) {
    auto *c = static_cast<SeedCtx *>(vctx);
    if (c->lock != nullptr) c->lock->unlock();
}

int seed_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<SeedCtx *>(vctx);
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
    if (p != nullptr && OSSL_PARAM_set_int(p, c->state) != 1) return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH)) != nullptr &&
        OSSL_PARAM_set_int(p, kStrength) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST)) != nullptr &&
        OSSL_PARAM_set_size_t(p, kMaxRequest) != 1)
        return 0;
    return 1;
}

const OSSL_PARAM kGettable[] = {OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, nullptr),
                                OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, nullptr),
                                OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, nullptr),
                                OSSL_PARAM_END};

const OSSL_PARAM *seed_gettable(void *vctx, void *provctx) { return kGettable; }

int seed_verify_zeroization(void *vctx) { return 1; }

#define RAND_FN(id, fn)                                                                            \
    { id, reinterpret_cast<void (*)(void)>(fn) }

const OSSL_DISPATCH kSeedFns[] = {
    RAND_FN(OSSL_FUNC_RAND_NEWCTX, seed_newctx),
    RAND_FN(OSSL_FUNC_RAND_FREECTX, seed_freectx),
    RAND_FN(OSSL_FUNC_RAND_INSTANTIATE, seed_instantiate),
    RAND_FN(OSSL_FUNC_RAND_UNINSTANTIATE, seed_uninstantiate),
    RAND_FN(OSSL_FUNC_RAND_GENERATE, seed_generate),
    RAND_FN(OSSL_FUNC_RAND_RESEED, seed_reseed),
    RAND_FN(OSSL_FUNC_RAND_ENABLE_LOCKING, seed_enable_locking),
    RAND_FN(OSSL_FUNC_RAND_LOCK, seed_lock),
    RAND_FN(OSSL_FUNC_RAND_UNLOCK, seed_unlock),
    RAND_FN(OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, seed_gettable),
    RAND_FN(OSSL_FUNC_RAND_GET_CTX_PARAMS, seed_get_ctx_params),
    RAND_FN(OSSL_FUNC_RAND_VERIFY_ZEROIZATION, seed_verify_zeroization),
    RAND_FN(OSSL_FUNC_RAND_GET_SEED, seed_get_seed),
    RAND_FN(OSSL_FUNC_RAND_CLEAR_SEED, seed_clear_seed),
    {0, nullptr}};

} // namespace

// kRandAlgorithms: SEED-SRC over device entropy.
const OSSL_ALGORITHM kRandAlgorithms[] = {
    {"SEED-SRC", "provider=acrypto", kSeedFns, "seed source over acrypto device entropy"},
    {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
