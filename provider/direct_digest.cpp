// SPDX-License-Identifier: Apache-2.0
// direct_digest_fns, direct_mac_fns, direct_cipher_fns: the default provider's digest, HMAC
// and cipher (AEAD, ChaCha20) dispatch, found by name once.
#include "direct_digest.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include <cstring>
#include <new>

#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

/// The key of the HMAC templates (direct_mac_template): every copy is keyed afresh.
constexpr unsigned char kPlaceholderKey = 0;

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

} // namespace

const DirectDigestFns *direct_digest_fns(ProvCtx *pctx, size_t index) {
    if (index >= std::size(pctx->direct_fns)) return nullptr;
    return cached_fetch(
        pctx->direct_fns[index],
        [&]() -> DirectDigestFns * {
            EVP_MD *md = direct_digest(pctx, index);
            if (md == nullptr) return nullptr;
            return ossl::look_up<DirectDigestFns>(EVP_MD_get0_provider(md), OSSL_OP_DIGEST,
                                                  EVP_MD_get0_name(md), fill);
        },
        [](DirectDigestFns *f) { delete f; });
}

const DirectMacFns *direct_mac_fns(ProvCtx *pctx) {
    return cached_fetch(
        pctx->direct_mac_fns,
        [&]() -> DirectMacFns * {
            EVP_MAC *mac = direct_hmac(pctx);
            if (mac == nullptr) return nullptr;
            return ossl::look_up<DirectMacFns>(EVP_MAC_get0_provider(mac), OSSL_OP_MAC,
                                               EVP_MAC_get0_name(mac), fill);
        },
        [](DirectMacFns *f) { delete f; });
}

void *direct_mac_template(ProvCtx *pctx, size_t index) {
    if (index >= std::size(pctx->direct_mac_tmpl)) return nullptr;
    const DirectMacFns *f = direct_mac_fns(pctx);
    if (f == nullptr) return nullptr;
    return cached_fetch(
        pctx->direct_mac_tmpl[index],
        [&]() -> void * {
            EVP_MD *md = direct_digest(pctx, index);
            void *c = md != nullptr ? f->newctx(f->provctx) : nullptr;
            if (c == nullptr) return nullptr;
            const OSSL_PARAM params[] = {
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 const_cast<char *>(EVP_MD_get0_name(md)), 0),
                OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_PROPERTIES,
                                                 const_cast<char *>("provider=default"), 0),
                OSSL_PARAM_construct_end()};
            if (f->init(c, &kPlaceholderKey, 1, params) != 1) {
                f->freectx(c);
                return nullptr;
            }
            return c;
        },
        [&](void *c) { f->freectx(c); });
}

const ossl::CipherFns *direct_cipher_fns(ProvCtx *pctx, size_t slot, const char *name) {
    if (slot >= std::size(pctx->direct_cipher_fns)) return nullptr;
    EVP_CIPHER *cipher = cached_fetch(
        pctx->direct_cipher[slot],
        [&]() { return EVP_CIPHER_fetch(libctx(pctx), name, "provider=default"); },
        [](EVP_CIPHER *c) { EVP_CIPHER_free(c); });
    if (cipher == nullptr) return nullptr;
    return cached_fetch(
        pctx->direct_cipher_fns[slot], [&]() { return ossl::cipher_fns(cipher); },
        [](ossl::CipherFns *f) { delete f; });
}

} // namespace acrypto::prov
