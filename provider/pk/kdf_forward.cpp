// SPDX-License-Identifier: Apache-2.0
// TLS KDFs (TLS1-PRF, HKDF, TLS13-KDF) so a TLS handshake can run entirely under provider=acrypto.
// They compute on the caller's thread through the default provider: no device offers KDFs.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <new>

#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

constexpr const char *kKdfNames[] = {"TLS1-PRF", "HKDF", "TLS13-KDF"};

struct KdfCtx {
    ProvCtx *pctx = nullptr;
    EVP_KDF_CTX *inner = nullptr;
};

template <size_t I> EVP_KDF *fetch_kdf(ProvCtx *pctx) {
    return EVP_KDF_fetch(libctx(pctx), kKdfNames[I], kValuePropq);
}

template <size_t I> void *kdf_newctx(void *provctx) {
    auto *pctx = static_cast<ProvCtx *>(provctx);
    EVP_KDF *kdf = fetch_kdf<I>(pctx);
    EVP_KDF_CTX *inner = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
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

int kdf_derive(void *vctx, unsigned char *key, size_t keylen, const OSSL_PARAM params[]) {
    return EVP_KDF_derive(static_cast<KdfCtx *>(vctx)->inner, key, keylen, params);
}

int kdf_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    return EVP_KDF_CTX_set_params(static_cast<KdfCtx *>(vctx)->inner, params);
}

int kdf_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    return EVP_KDF_CTX_get_params(static_cast<KdfCtx *>(vctx)->inner, params);
}

template <size_t I> const OSSL_PARAM *kdf_settable_ctx(void *vctx, void *provctx) {
    EVP_KDF *kdf = fetch_kdf<I>(static_cast<ProvCtx *>(provctx));
    const OSSL_PARAM *p = kdf != nullptr ? EVP_KDF_settable_ctx_params(kdf) : nullptr;
    EVP_KDF_free(kdf); // the table is static in the provider that owns it
    return p;
}

template <size_t I> const OSSL_PARAM *kdf_gettable_ctx(void *vctx, void *provctx) {
    EVP_KDF *kdf = fetch_kdf<I>(static_cast<ProvCtx *>(provctx));
    const OSSL_PARAM *p = kdf != nullptr ? EVP_KDF_gettable_ctx_params(kdf) : nullptr;
    EVP_KDF_free(kdf);
    return p;
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
