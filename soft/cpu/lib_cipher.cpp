// SPDX-License-Identifier: Apache-2.0
// LibCipher: finding an implementation's functions, and the AEAD finish and tag.
#include "lib_cipher.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <strings.h>

#include <cstring>

namespace acrypto::soft::cpu {

namespace {

/// Whether `want` is one of the colon-separated `names`, ignoring case.
bool names_include(const char *names, const char *want) {
    const size_t n = std::strlen(want);
    for (const char *p = names; p != nullptr;) {
        if (strncasecmp(p, want, n) == 0 && (p[n] == '\0' || p[n] == ':')) return true;
        p = std::strchr(p, ':');
        if (p != nullptr) ++p;
    }
    return false;
}

} // namespace

bool LibCipher::open(const EVP_CIPHER *cipher, bool enc_dir, const uint8_t *key, size_t key_len,
                     const uint8_t *iv, size_t iv_len, const OSSL_PARAM params[]) {
    const OSSL_PROVIDER *prov = EVP_CIPHER_get0_provider(cipher);
    const char *name = EVP_CIPHER_get0_name(cipher);
    if (prov == nullptr || name == nullptr) return false;
    int no_cache = 0;
    const OSSL_ALGORITHM *algs = OSSL_PROVIDER_query_operation(prov, OSSL_OP_CIPHER, &no_cache);
    OSSL_FUNC_cipher_newctx_fn *newctx = nullptr;
    for (const OSSL_ALGORITHM *a = algs; a != nullptr && a->algorithm_names != nullptr; ++a) {
        if (!names_include(a->algorithm_names, name)) continue;
        for (const OSSL_DISPATCH *d = a->implementation; d->function_id != 0; ++d) {
            switch (d->function_id) {
            case OSSL_FUNC_CIPHER_NEWCTX: newctx = OSSL_FUNC_cipher_newctx(d); break;
            case OSSL_FUNC_CIPHER_FREECTX: freectx = OSSL_FUNC_cipher_freectx(d); break;
            case OSSL_FUNC_CIPHER_ENCRYPT_INIT: einit = OSSL_FUNC_cipher_encrypt_init(d); break;
            case OSSL_FUNC_CIPHER_DECRYPT_INIT: dinit = OSSL_FUNC_cipher_decrypt_init(d); break;
            case OSSL_FUNC_CIPHER_UPDATE: update = OSSL_FUNC_cipher_update(d); break;
            case OSSL_FUNC_CIPHER_FINAL: final = OSSL_FUNC_cipher_final(d); break;
            case OSSL_FUNC_CIPHER_GET_CTX_PARAMS:
                get_ctx_params = OSSL_FUNC_cipher_get_ctx_params(d);
                break;
            case OSSL_FUNC_CIPHER_SET_CTX_PARAMS:
                set_ctx_params = OSSL_FUNC_cipher_set_ctx_params(d);
                break;
            default: break;
            }
        }
        break;
    }
    if (algs != nullptr) OSSL_PROVIDER_unquery_operation(prov, OSSL_OP_CIPHER, algs);
    if (!newctx || !freectx || !einit || !dinit || !update || !final || !get_ctx_params ||
        !set_ctx_params)
        return false;
    if ((algctx = newctx(OSSL_PROVIDER_get0_provider_ctx(prov))) == nullptr) return false;
    enc = enc_dir;
    return (enc ? einit : dinit)(algctx, key, key_len, iv, iv_len, params) == 1;
}

bool LibCipher::finish() {
    uint8_t none[16];
    size_t n = 0;
    return final(algctx, none, &n, sizeof none) == 1 && n == 0;
}

bool LibCipher::set_tag(const uint8_t *tag, size_t len) {
    const OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                                              const_cast<uint8_t *>(tag), len),
                            OSSL_PARAM_construct_end()};
    return set_ctx_params(algctx, p) == 1;
}

bool LibCipher::get_tag(uint8_t *tag, size_t len) {
    OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, len),
                      OSSL_PARAM_construct_end()};
    return get_ctx_params(algctx, p) == 1;
}

} // namespace acrypto::soft::cpu
