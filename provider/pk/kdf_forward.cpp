// SPDX-License-Identifier: Apache-2.0
// TLS KDFs (TLS1-PRF, HKDF, TLS13-KDF) so a TLS handshake can run entirely under provider=acrypto.
// They compute on the caller's thread through the default provider: no device offers KDFs.
// The wrapped KDF also fetches its digest and HMAC from the default provider: the dozen
// HKDF expansions of a TLS 1.3 handshake hash a few dozen bytes each, far less than a
// session's dispatch costs.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>
#include <new>
#include <vector>

#include "pk_common.hpp"
#include "pk_tables.hpp"
#include "provider_state.hpp"

namespace acrypto::prov::pk {

namespace {

constexpr const char *kKdfNames[] = {"TLS1-PRF", "HKDF", "TLS13-KDF"};

struct KdfCtx {
    ProvCtx *pctx = nullptr;
    EVP_KDF_CTX *inner = nullptr;
};

/// The wrapped KDF, fetched once per provider instance (libssl makes a context per derivation).
template <size_t I> EVP_KDF *fetch_kdf(ProvCtx *pctx) { return forward_kdf(pctx, I, kKdfNames[I]); }

template <size_t I> void *kdf_newctx(void *provctx) {
    auto *pctx = static_cast<ProvCtx *>(provctx);
    EVP_KDF *kdf = fetch_kdf<I>(pctx);
    EVP_KDF_CTX *inner = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
    if (inner == nullptr) return nullptr;
    auto *c = new (std::nothrow) KdfCtx;
    if (c == nullptr) {
        EVP_KDF_CTX_free(inner);
        return nullptr;
    }
    c->pctx = pctx;
    c->inner = inner;
    return c;
}

void kdf_freectx(void *vctx) {
    auto *c = static_cast<KdfCtx *>(vctx);
    if (c == nullptr) return;
    EVP_KDF_CTX_free(c->inner); // clears secrets
    delete c;
}

void *kdf_dupctx(void *vctx) {
    auto *c = static_cast<KdfCtx *>(vctx);
    EVP_KDF_CTX *inner = EVP_KDF_CTX_dup(c->inner);
    auto *d = inner != nullptr ? new (std::nothrow) KdfCtx : nullptr;
    if (d == nullptr) {
        EVP_KDF_CTX_free(inner);
        return nullptr;
    }
    d->pctx = c->pctx;
    d->inner = inner;
    return d;
}

void kdf_reset(void *vctx) { EVP_KDF_CTX_reset(static_cast<KdfCtx *>(vctx)->inner); }

int kdf_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

int kdf_derive(void *vctx, unsigned char *key, size_t keylen, const OSSL_PARAM params[]) {
    auto *c = static_cast<KdfCtx *>(vctx);
    // libssl hands the digest and properties here (3.0 tls13_hkdf_expand).
    if (params != nullptr && params[0].key != nullptr && kdf_set_ctx_params(c, params) != 1)
        return 0;
    return EVP_KDF_derive(c->inner, key, keylen, nullptr);
}

/// The caller's parameters with `properties` (digest and HMAC fetches of the wrapped KDF)
/// set to the default provider: added when absent, replaced when present.
int set_params_default_props(EVP_KDF_CTX *inner, const OSSL_PARAM params[]) {
    constexpr size_t kOnStack = 16; // libssl passes at most 8
    size_t n = 0;
    while (params[n].key != nullptr) ++n;
    OSSL_PARAM local[kOnStack];
    std::vector<OSSL_PARAM> heap;
    OSSL_PARAM *out = local;
    if (n + 2 > kOnStack) {
        heap.resize(n + 2);
        out = heap.data();
    }
    const OSSL_PARAM props = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_PROPERTIES,
                                                              const_cast<char *>(kValuePropq), 0);
    size_t k = 0;
    for (size_t i = 0; i < n; ++i)
        if (std::strcmp(params[i].key, OSSL_KDF_PARAM_PROPERTIES) != 0) out[k++] = params[i];
    out[k++] = props;
    out[k] = OSSL_PARAM_construct_end();
    return EVP_KDF_CTX_set_params(inner, out);
}

int kdf_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    auto *c = static_cast<KdfCtx *>(vctx);
    if (params == nullptr || params[0].key == nullptr)
        return EVP_KDF_CTX_set_params(c->inner, params);
    try {
        return set_params_default_props(c->inner, params);
    } catch (...) {
        return 0;
    }
}

int kdf_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    return EVP_KDF_CTX_get_params(static_cast<KdfCtx *>(vctx)->inner, params);
}

template <size_t I> const OSSL_PARAM *kdf_settable_ctx(void *vctx, void *provctx) {
    EVP_KDF *kdf = fetch_kdf<I>(static_cast<ProvCtx *>(provctx));
    return kdf != nullptr ? EVP_KDF_settable_ctx_params(kdf) : nullptr;
}

template <size_t I> const OSSL_PARAM *kdf_gettable_ctx(void *vctx, void *provctx) {
    EVP_KDF *kdf = fetch_kdf<I>(static_cast<ProvCtx *>(provctx));
    return kdf != nullptr ? EVP_KDF_gettable_ctx_params(kdf) : nullptr;
}

#define KDF_FN(id, fn)                                                                             \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <size_t I> struct KdfTable { static const OSSL_DISPATCH fns[]; };

template <size_t I>
const OSSL_DISPATCH KdfTable<I>::fns[] = {
    KDF_FN(OSSL_FUNC_KDF_NEWCTX, kdf_newctx<I>),
    KDF_FN(OSSL_FUNC_KDF_DUPCTX, kdf_dupctx),
    KDF_FN(OSSL_FUNC_KDF_FREECTX, kdf_freectx),
    KDF_FN(OSSL_FUNC_KDF_RESET, kdf_reset),
    KDF_FN(OSSL_FUNC_KDF_DERIVE, kdf_derive),
    KDF_FN(OSSL_FUNC_KDF_SETTABLE_CTX_PARAMS, kdf_settable_ctx<I>),
    KDF_FN(OSSL_FUNC_KDF_SET_CTX_PARAMS, kdf_set_ctx_params),
    KDF_FN(OSSL_FUNC_KDF_GETTABLE_CTX_PARAMS, kdf_gettable_ctx<I>),
    KDF_FN(OSSL_FUNC_KDF_GET_CTX_PARAMS, kdf_get_ctx_params),
    {0, nullptr}};

} // namespace

// kKdfAlgorithms: TLS1-PRF, HKDF, TLS13-KDF.
const OSSL_ALGORITHM kKdfAlgorithms[] = {
    {"TLS1-PRF", "provider=acrypto", KdfTable<0>::fns, "TLS 1.x PRF (computed inline)"},
    {"HKDF", "provider=acrypto", KdfTable<1>::fns, "HKDF (computed inline)"},
    {"TLS13-KDF", "provider=acrypto", KdfTable<2>::fns, "TLS 1.3 KDF (computed inline)"},
    {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
