// SPDX-License-Identifier: Apache-2.0
// DirectCipher: open, copy, final and the AEAD tag parameters.
#include "direct_cipher.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>

namespace acrypto::prov {

bool DirectCipher::open(const DirectCipherFns *fns, bool enc, const uint8_t *key, size_t key_len,
                        const OSSL_PARAM params[]) {
    close();
    if (fns == nullptr || (algctx_ = fns->newctx(fns->provctx)) == nullptr) return false;
    fns_ = fns;
    enc_ = enc;
    if ((params != nullptr && fns_->set_ctx_params(algctx_, params) != 1) ||
        (enc_ ? fns_->einit : fns_->dinit)(algctx_, key, key_len, nullptr, 0, nullptr) != 1) {
        close();
        return false;
    }
    return true;
}

bool DirectCipher::copy_from(const DirectCipher &o) {
    close();
    if (o.algctx_ == nullptr) return true;
    if ((algctx_ = o.fns_->dupctx(o.algctx_)) == nullptr) return false;
    fns_ = o.fns_;
    enc_ = o.enc_;
    return true;
}

void DirectCipher::close() noexcept {
    if (algctx_ != nullptr) fns_->freectx(algctx_);
    algctx_ = nullptr;
}

bool DirectCipher::final() {
    uint8_t none[16];
    size_t n = 0;
    return fns_->final(algctx_, none, &n, sizeof none) == 1 && n == 0;
}

bool DirectCipher::set_tag(const uint8_t *tag, size_t len) {
    const OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG,
                                                              const_cast<uint8_t *>(tag), len),
                            OSSL_PARAM_construct_end()};
    return fns_->set_ctx_params(algctx_, p) == 1;
}

bool DirectCipher::get_tag(uint8_t *tag, size_t len) {
    OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, len),
                      OSSL_PARAM_construct_end()};
    return fns_->get_ctx_params(algctx_, p) == 1;
}

} // namespace acrypto::prov
