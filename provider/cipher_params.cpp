// SPDX-License-Identifier: Apache-2.0
#include "cipher_params.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>

namespace acrypto::prov {

namespace {

constexpr struct {
    const char *name;
    CipherFlag bit;
} kFlagParams[] = {{OSSL_CIPHER_PARAM_AEAD, kCipherAead},
                   {OSSL_CIPHER_PARAM_CUSTOM_IV, kCipherCustomIv},
                   {OSSL_CIPHER_PARAM_CTS, kCipherCts},
                   {OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK, kCipherMultiblock},
                   {OSSL_CIPHER_PARAM_HAS_RAND_KEY, kCipherRandKey}};

const OSSL_PARAM kGettable[] = {OSSL_PARAM_uint(OSSL_CIPHER_PARAM_MODE, nullptr),
                                OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
                                OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, nullptr),
                                OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_BLOCK_SIZE, nullptr),
                                OSSL_PARAM_int(OSSL_CIPHER_PARAM_AEAD, nullptr),
                                OSSL_PARAM_int(OSSL_CIPHER_PARAM_CUSTOM_IV, nullptr),
                                OSSL_PARAM_int(OSSL_CIPHER_PARAM_CTS, nullptr),
                                OSSL_PARAM_int(OSSL_CIPHER_PARAM_TLS1_MULTIBLOCK, nullptr),
                                OSSL_PARAM_int(OSSL_CIPHER_PARAM_HAS_RAND_KEY, nullptr),
                                OSSL_PARAM_END};

} // namespace

int cipher_get_params(OSSL_PARAM params[], const CipherShape &shape) {
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_MODE);
    if (p != nullptr && OSSL_PARAM_set_uint(p, shape.mode) != 1) return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN)) != nullptr &&
        OSSL_PARAM_set_size_t(p, shape.key_len) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN)) != nullptr &&
        OSSL_PARAM_set_size_t(p, shape.iv_len) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_BLOCK_SIZE)) != nullptr &&
        OSSL_PARAM_set_size_t(p, shape.block_size) != 1)
        return 0;
    for (const auto &f : kFlagParams) {
        if ((p = OSSL_PARAM_locate(params, f.name)) != nullptr &&
            OSSL_PARAM_set_int(p, (shape.flags & f.bit) != 0 ? 1 : 0) != 1)
            return 0;
    }
    return 1;
}

const OSSL_PARAM *cipher_gettable_params(void * /*provctx*/) { return kGettable; }

} // namespace acrypto::prov
