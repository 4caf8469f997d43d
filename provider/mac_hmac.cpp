// SPDX-License-Identifier: Apache-2.0
// HMAC through EVP_MAC over HashStream (key cached per context as a scheduler key).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <new>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "algorithms.hpp"
#include "errors.hpp"
#include "hash_stream.hpp"
#include "op_params.hpp"
#include "param_key.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

using acrypto::sched::Key;
using acrypto::sched::Ref;

constexpr const char kHmacNames[] = "HMAC";

struct HmacCtx {
    ProvCtx *pctx = nullptr;
    const HashInfo *info = nullptr; ///< digest; none until set
    OpOptions opts;
    Ref<Key> key;
    uint64_t key_generation = 0;
    HashStream stream;
    bool initialized = false; ///< the stream is started (not while `tls` runs the MAC)
    /// libssl's TLS 1.x record MAC over a CBC record (MAC-then-encrypt): the record's length
    /// with its padding (OSSL_MAC_PARAM_TLS_DATA_SIZE). That MAC must take the same time
    /// whatever the padding was, which only the default provider's HMAC does (its
    /// ssl3_cbc_digest_record is not exported): `tls`, a context of that HMAC, runs it.
    size_t tls_data_size = 0;
    EVP_MAC_CTX *tls = nullptr;
};

inline void drop_tls(HmacCtx *c) {
    if (c->tls == nullptr) [[likely]]
        return;
    EVP_MAC_CTX_free(c->tls); // cleanses the key
    c->tls = nullptr;
}

/// Start the TLS record MAC on the default provider's HMAC, keyed with this context's key.
bool start_tls(HmacCtx *c) {
    drop_tls(c);
    EVP_MAC *mac = direct_hmac(c->pctx);
    EVP_MD *md = c->info != nullptr
                     ? direct_digest(c->pctx, static_cast<size_t>(c->info - kHashInfos))
                     : nullptr;
    if (mac == nullptr || md == nullptr || !c->key || (c->tls = EVP_MAC_CTX_new(mac)) == nullptr) {
        raise(c->pctx, kReasonUnsupported, "TLS record HMAC: the default provider's HMAC");
        return false;
    }
    size_t size = c->tls_data_size;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                         const_cast<char *>(EVP_MD_get0_name(md)), 0),
        OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_TLS_DATA_SIZE, &size), OSSL_PARAM_END};
    const acrypto_key &k = c->key->c();
    if (EVP_MAC_init(c->tls, k.data, k.len, params) != 1) {
        drop_tls(c);
        raise(c->pctx, kReasonInternal, "TLS record HMAC init");
        return false;
    }
    c->initialized = false; // every update and the final reach the slow paths, which run tls
    c->pctx->counts->add(Count::TlsRecordMac);
    return true;
}

void drop_key(HmacCtx *c) {
    if (c->key && c->key_generation != fork_generation()) {
        const acrypto_key &k = c->key->c();
        OPENSSL_cleanse(const_cast<uint8_t *>(k.data), k.len);
        (void)c->key.release(); // made by a scheduler abandoned at fork()
    }
    c->key.reset();
}

bool set_key(HmacCtx *c, const uint8_t *key, size_t len) {
    acrypto::sched::SchedulerCore *sc = scheduler(c->pctx);
    if (sc == nullptr) {
        raise_status(c->pctx, ACRYPTO_E_SHUTDOWN, "HMAC key setup");
        return false;
    }
    drop_key(c);
    c->key = sc->make_key(c->info != nullptr ? c->info->alg : uint32_t{ACRYPTO_ALG_NONE}, key, len);
    c->key_generation = fork_generation();
    if (!c->key) {
        raise(c->pctx, kReasonNoMemory, "HMAC key context");
        return false;
    }
    return true;
}

extern "C" {

void *hmac_newctx(void *provctx) {
    try {
        auto *c = new (std::nothrow) HmacCtx;
        if (c == nullptr) return nullptr;
        c->pctx = static_cast<ProvCtx *>(provctx);
        set_default_options(c->opts, c->pctx, kHmacNames);
        return c;
    } catch (...) {
        return nullptr;
    }
}

void hmac_freectx(void *vctx) {
    auto *c = static_cast<HmacCtx *>(vctx);
    if (c == nullptr) return;
    drop_key(c);
    drop_tls(c);
    delete c;
}

void *hmac_dupctx(void *vctx) {
    try {
        auto *c = static_cast<HmacCtx *>(vctx);
        auto *d = new (std::nothrow) HmacCtx;
        if (d == nullptr) return nullptr;
        d->pctx = c->pctx;
        d->info = c->info;
        d->opts = c->opts;
        d->key = c->key;
        d->key_generation = c->key_generation;
        d->initialized = c->initialized;
        d->tls_data_size = c->tls_data_size;
        if ((c->tls != nullptr && (d->tls = EVP_MAC_CTX_dup(c->tls)) == nullptr) ||
            !d->stream.copy_from(c->stream)) {
            hmac_freectx(d);
            return nullptr;
        }
        return d;
    } catch (...) {
        return nullptr;
    }
}

int hmac_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    auto *c = static_cast<HmacCtx *>(vctx);
    try {
        if (params == nullptr) return 1;
        const OSSL_PARAM *p;
        if ((p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_DIGEST)) != nullptr) {
            const char *name = nullptr;
            if (!OSSL_PARAM_get_utf8_string_ptr(p, &name)) {
                raise(c->pctx, kReasonBadParam, "digest must be a string");
                return 0;
            }
            const HashInfo *h = find_hash(name);
            if (h == nullptr) {
                raise(c->pctx, kReasonUnsupported, "HMAC digest '%s' not supported", name);
                return 0;
            }
            if (h != c->info && c->key) {
                // The key context records its digest: rebuild it for the new one.
                c->info = h;
                const acrypto_key &k = c->key->c();
                std::vector<uint8_t> copy(k.data, k.data + k.len);
                bool ok = set_key(c, copy.data(), copy.size());
                OPENSSL_cleanse(copy.data(), copy.size());
                if (!ok) return 0;
            }
            c->info = h;
            c->initialized = false;
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_KEY)) != nullptr) {
            const void *k = nullptr;
            size_t klen = 0;
            if (!OSSL_PARAM_get_octet_string_ptr(p, &k, &klen)) {
                raise(c->pctx, kReasonBadParam, "key must be an octet string");
                return 0;
            }
            if (!set_key(c, static_cast<const uint8_t *>(k), klen)) return 0;
            c->initialized = false;
            drop_tls(c);
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_TLS_DATA_SIZE)) != nullptr) {
            if (!OSSL_PARAM_get_size_t(p, &c->tls_data_size)) {
                raise(c->pctx, kReasonBadParam, "tls-data-size must be a size");
                return 0;
            }
            // libssl sets it on a keyed context, just initialised: the MAC starts now.
            if (c->initialized && c->tls_data_size > 0 && !start_tls(c)) return 0;
        }
        return set_op_params(c->pctx, c->opts, params);
    } catch (...) {
        raise(c->pctx, kReasonInternal, "HMAC set params");
        return 0;
    }
}

int hmac_init(void *vctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[]) {
    auto *c = static_cast<HmacCtx *>(vctx);
    try {
        if (!hmac_set_ctx_params(c, params)) return 0;
        if (c->info == nullptr) {
            raise(c->pctx, kReasonNotInitialized, "HMAC digest not set");
            return 0;
        }
        if (key != nullptr && !set_key(c, key, keylen)) return 0;
        if (!c->key) {
            raise(c->pctx, kReasonNotInitialized, "HMAC key not set");
            return 0;
        }
        if (c->key_generation != fork_generation()) {
            const acrypto_key &k = c->key->c();
            std::vector<uint8_t> copy(k.data, k.data + k.len);
            bool ok = set_key(c, copy.data(), copy.size());
            OPENSSL_cleanse(copy.data(), copy.size());
            if (!ok) return 0;
        }
        drop_tls(c);
        c->stream.reset(c->info, ACRYPTO_OP_MAC, ACRYPTO_MODE_HMAC, c->key);
        c->initialized = true;
        if (c->tls_data_size > 0) return start_tls(c) ? 1 : 0;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "HMAC init");
        return 0;
    }
}

/// Every update the direct path's own call does not take (see hmac_update).
[[gnu::noinline]] int hmac_update_slow(HmacCtx *c, const unsigned char *in, size_t inl) {
    try {
        if (c->tls != nullptr) return EVP_MAC_update(c->tls, in, inl);
        if (!c->initialized) {
            raise(c->pctx, kReasonNotInitialized, "HMAC update before init");
            return 0;
        }
        if (inl == 0) return 1;
        int st = c->stream.update(c->pctx, c->opts, in, inl);
        if (st != ACRYPTO_OK) {
            raise_status(c->pctx, st, "HMAC update");
            return 0;
        }
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "HMAC update");
        return 0;
    }
}

int hmac_update(void *vctx, const unsigned char *in, size_t inl) {
    return hash_update(static_cast<HmacCtx *>(vctx), in, inl, "HMAC update", hmac_update_slow);
}

int hmac_final(void *vctx, unsigned char *out, size_t *outl, size_t outsize) {
    auto *c = static_cast<HmacCtx *>(vctx);
    try {
        if (c->tls != nullptr) {
            const int ok = EVP_MAC_final(c->tls, out, outl, outsize);
            if (out != nullptr) drop_tls(c);
            return ok;
        }
        if (!c->initialized) {
            raise(c->pctx, kReasonNotInitialized, "HMAC final before init");
            return 0;
        }
        size_t md = c->info->md_size;
        if (out == nullptr) {
            *outl = md;
            return 1;
        }
        if (outsize < md) {
            raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", md);
            return 0;
        }
        int st = c->stream.final(c->pctx, c->opts, out);
        c->initialized = false;
        if (st != ACRYPTO_OK) {
            raise_status(c->pctx, st, "HMAC final");
            return 0;
        }
        *outl = md;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "HMAC final");
        return 0;
    }
}

int hmac_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<HmacCtx *>(vctx);
    // EVP_MAC_final asks for the size alone before every MAC: answer that without
    // scanning for every key this context knows.
    if (params != nullptr && params[0].key != nullptr && params[1].key == nullptr &&
        key_is(params[0].key, OSSL_MAC_PARAM_SIZE))
        return OSSL_PARAM_set_size_t(params, c->info != nullptr ? c->info->md_size : 0);
    OSSL_PARAM *p;
    if ((p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_SIZE)) != nullptr &&
        !OSSL_PARAM_set_size_t(p, c->info != nullptr ? c->info->md_size : 0))
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_BLOCK_SIZE)) != nullptr &&
        !OSSL_PARAM_set_size_t(p, c->info != nullptr ? c->info->block_size : 0))
        return 0;
    return get_op_params(c->opts, params);
}

const OSSL_PARAM kGettableCtx[] = {OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, nullptr),
                                   OSSL_PARAM_size_t(OSSL_MAC_PARAM_BLOCK_SIZE, nullptr),
                                   ACRYPTO_OP_SETTABLE_PARAMS, OSSL_PARAM_END};

const OSSL_PARAM kSettableCtx[] = {OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_DIGEST, nullptr, 0),
                                   OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_PROPERTIES, nullptr, 0),
                                   OSSL_PARAM_octet_string(OSSL_MAC_PARAM_KEY, nullptr, 0),
                                   OSSL_PARAM_size_t(OSSL_MAC_PARAM_TLS_DATA_SIZE, nullptr),
                                   ACRYPTO_OP_SETTABLE_PARAMS,
                                   OSSL_PARAM_END};

const OSSL_PARAM *hmac_gettable_ctx_params(void *, void *) { return kGettableCtx; }
const OSSL_PARAM *hmac_settable_ctx_params(void *, void *) { return kSettableCtx; }

#define ACRYPTO_FN(id, fn)                                                                         \
    { id, reinterpret_cast<void (*)(void)>(fn) }

const OSSL_DISPATCH kHmacDispatch[] = {
    ACRYPTO_FN(OSSL_FUNC_MAC_NEWCTX, &hmac_newctx),
    ACRYPTO_FN(OSSL_FUNC_MAC_DUPCTX, &hmac_dupctx),
    ACRYPTO_FN(OSSL_FUNC_MAC_FREECTX, &hmac_freectx),
    ACRYPTO_FN(OSSL_FUNC_MAC_INIT, &hmac_init),
    ACRYPTO_FN(OSSL_FUNC_MAC_UPDATE, &hmac_update),
    ACRYPTO_FN(OSSL_FUNC_MAC_FINAL, &hmac_final),
    ACRYPTO_FN(OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS, &hmac_gettable_ctx_params),
    ACRYPTO_FN(OSSL_FUNC_MAC_GET_CTX_PARAMS, &hmac_get_ctx_params),
    ACRYPTO_FN(OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS, &hmac_settable_ctx_params),
    ACRYPTO_FN(OSSL_FUNC_MAC_SET_CTX_PARAMS, &hmac_set_ctx_params),
    {0, nullptr}};

} // extern "C"

} // namespace

void append_mac_algorithms(std::vector<OSSL_ALGORITHM> &out) {
    // HMAC over SHA-1/SHA-2: names, "provider=acrypto", dispatch.
    out.push_back({kHmacNames, kPropDefinition, kHmacDispatch, nullptr});
}

} // namespace acrypto::prov
