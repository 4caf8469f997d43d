// SPDX-License-Identifier: Apache-2.0
// direct_digest_fns, direct_mac_fns, direct_aead_fns: the default provider's digest, HMAC
// and AEAD cipher dispatch, found by name once.
#include "direct_digest.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <strings.h>

#include <cstring>
#include <new>

#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

/// Whether `want` is one of the colon-separated `names` (case-insensitive).
bool has_name(const char *names, const char *want) {
    const size_t n = std::strlen(want);
    for (const char *p = names; p != nullptr && *p != '\0';) {
        const char *end = std::strchr(p, ':');
        const size_t len = end != nullptr ? static_cast<size_t>(end - p) : std::strlen(p);
        if (len == n && strncasecmp(p, want, n) == 0) return true;
        p = end != nullptr ? end + 1 : nullptr;
    }
    return false;
}

bool fill(DirectDigestFns &f, const OSSL_DISPATCH *d) {
    for (; d->function_id != 0; ++d) {
        switch (d->function_id) {
        case OSSL_FUNC_DIGEST_NEWCTX: f.newctx = OSSL_FUNC_digest_newctx(d); break;
        case OSSL_FUNC_DIGEST_INIT: f.init = OSSL_FUNC_digest_init(d); break;
        case OSSL_FUNC_DIGEST_UPDATE: f.update = OSSL_FUNC_digest_update(d); break;
        case OSSL_FUNC_DIGEST_FINAL: f.final = OSSL_FUNC_digest_final(d); break;
        case OSSL_FUNC_DIGEST_FREECTX: f.freectx = OSSL_FUNC_digest_freectx(d); break;
        case OSSL_FUNC_DIGEST_DUPCTX: f.dupctx = OSSL_FUNC_digest_dupctx(d); break;
        default: break;
        }
    }
    return f.newctx && f.init && f.update && f.final && f.freectx && f.dupctx;
}

bool fill(DirectMacFns &f, const OSSL_DISPATCH *d) {
    for (; d->function_id != 0; ++d) {
        switch (d->function_id) {
        case OSSL_FUNC_MAC_NEWCTX: f.newctx = OSSL_FUNC_mac_newctx(d); break;
        case OSSL_FUNC_MAC_INIT: f.init = OSSL_FUNC_mac_init(d); break;
        case OSSL_FUNC_MAC_UPDATE: f.update = OSSL_FUNC_mac_update(d); break;
        case OSSL_FUNC_MAC_FINAL: f.final = OSSL_FUNC_mac_final(d); break;
        case OSSL_FUNC_MAC_FREECTX: f.freectx = OSSL_FUNC_mac_freectx(d); break;
        case OSSL_FUNC_MAC_DUPCTX: f.dupctx = OSSL_FUNC_mac_dupctx(d); break;
        default: break;
        }
    }
    return f.newctx && f.init && f.update && f.final && f.freectx && f.dupctx;
}

bool fill(DirectCipherFns &f, const OSSL_DISPATCH *d) {
    for (; d->function_id != 0; ++d) {
        switch (d->function_id) {
        case OSSL_FUNC_CIPHER_NEWCTX: f.newctx = OSSL_FUNC_cipher_newctx(d); break;
        case OSSL_FUNC_CIPHER_FREECTX: f.freectx = OSSL_FUNC_cipher_freectx(d); break;
        case OSSL_FUNC_CIPHER_DUPCTX: f.dupctx = OSSL_FUNC_cipher_dupctx(d); break;
        case OSSL_FUNC_CIPHER_ENCRYPT_INIT: f.einit = OSSL_FUNC_cipher_encrypt_init(d); break;
        case OSSL_FUNC_CIPHER_DECRYPT_INIT: f.dinit = OSSL_FUNC_cipher_decrypt_init(d); break;
        case OSSL_FUNC_CIPHER_UPDATE: f.update = OSSL_FUNC_cipher_update(d); break;
        case OSSL_FUNC_CIPHER_FINAL: f.final = OSSL_FUNC_cipher_final(d); break;
        case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
            f.get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(d);
            break;
        case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
            f.set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(d);
            break;
        default: break;
        }
    }
    return f.newctx && f.freectx && f.dupctx && f.einit && f.dinit && f.update && f.final &&
           f.get_ctx_params && f.set_ctx_params;
}

/// The functions of the implementation named `name` of operation `op` in `prov`
/// (a new Fns), or nullptr when it is not there or lacks one of them.
template <typename Fns> Fns *look_up(const OSSL_PROVIDER *prov, int op, const char *name) {
    if (prov == nullptr || name == nullptr) return nullptr;
    int no_cache = 0;
    const OSSL_ALGORITHM *algs = OSSL_PROVIDER_query_operation(prov, op, &no_cache);
    Fns *found = nullptr;
    for (const OSSL_ALGORITHM *a = algs; a != nullptr && a->algorithm_names != nullptr; ++a) {
        if (!has_name(a->algorithm_names, name)) continue;
        auto *f = new (std::nothrow) Fns;
        if (f == nullptr) break;
        f->provctx = OSSL_PROVIDER_get0_provider_ctx(prov);
        if (fill(*f, a->implementation)) {
            found = f;
        } else {
            delete f;
        }
        break;
    }
    if (algs != nullptr) OSSL_PROVIDER_unquery_operation(prov, op, algs);
    return found;
}

} // namespace

const DirectDigestFns *direct_digest_fns(ProvCtx *pctx, size_t index) {
    if (index >= std::size(pctx->direct_fns)) return nullptr;
    return cached_fetch(
        pctx->direct_fns[index],
        [&]() -> DirectDigestFns * {
            EVP_MD *md = direct_digest(pctx, index);
            if (md == nullptr) return nullptr;
            return look_up<DirectDigestFns>(EVP_MD_get0_provider(md), OSSL_OP_DIGEST,
                                            EVP_MD_get0_name(md));
        },
        [](DirectDigestFns *f) { delete f; });
}

const DirectMacFns *direct_mac_fns(ProvCtx *pctx) {
    return cached_fetch(
        pctx->direct_mac_fns,
        [&]() -> DirectMacFns * {
            EVP_MAC *mac = direct_hmac(pctx);
            if (mac == nullptr) return nullptr;
            return look_up<DirectMacFns>(EVP_MAC_get0_provider(mac), OSSL_OP_MAC,
                                         EVP_MAC_get0_name(mac));
        },
        [](DirectMacFns *f) { delete f; });
}

const DirectCipherFns *direct_aead_fns(ProvCtx *pctx, size_t slot, const char *name) {
    if (slot >= std::size(pctx->direct_aead_fns)) return nullptr;
    EVP_CIPHER *cipher = cached_fetch(
        pctx->direct_aead_cipher[slot],
        [&]() { return EVP_CIPHER_fetch(libctx(pctx), name, "provider=default"); },
        [](EVP_CIPHER *c) { EVP_CIPHER_free(c); });
    if (cipher == nullptr) return nullptr;
    return cached_fetch(
        pctx->direct_aead_fns[slot],
        [&]() -> DirectCipherFns * {
            return look_up<DirectCipherFns>(EVP_CIPHER_get0_provider(cipher), OSSL_OP_CIPHER,
                                            EVP_CIPHER_get0_name(cipher));
        },
        [](DirectCipherFns *f) { delete f; });
}

} // namespace acrypto::prov
