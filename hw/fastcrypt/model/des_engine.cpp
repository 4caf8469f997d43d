// SPDX-License-Identifier: Apache-2.0
// DesEngine: DES/3DES through EVP ciphers fetched from a private OSSL_LIB_CTX.
#include "des_engine.hpp"

#include <climits>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

namespace acrypto::hw::fastcrypt::model {

struct DesEngine::Impl {
    OSSL_LIB_CTX *libctx = nullptr;
    OSSL_PROVIDER *legacy = nullptr;
    OSSL_PROVIDER *deflt = nullptr;
    EVP_CIPHER *ciphers[2][2] = {}; // [triple][cbc]
};

DesEngine::DesEngine() : impl_(new Impl) {
    impl_->libctx = OSSL_LIB_CTX_new();
    if (impl_->libctx == nullptr) return;
    // Only OpenSSL's own providers live in this context: the project's provider can
    // never be picked, whatever the process-wide configuration says.
    impl_->legacy = OSSL_PROVIDER_load(impl_->libctx, "legacy");
    impl_->deflt = OSSL_PROVIDER_load(impl_->libctx, "default");
    static const char *const names[2][2] = {{"DES-ECB", "DES-CBC"}, {"DES-EDE3-ECB", "DES-EDE3-CBC"}};
    static const char *const props[2] = {"provider=legacy", "provider=default"};
    ok_ = impl_->deflt != nullptr && impl_->legacy != nullptr;
    for (int t = 0; t < 2; ++t)
        for (int c = 0; c < 2; ++c) {
            impl_->ciphers[t][c] = EVP_CIPHER_fetch(impl_->libctx, names[t][c], props[t]);
            if (impl_->ciphers[t][c] == nullptr) ok_ = false;
        }
}

DesEngine::~DesEngine() {
    for (auto &row : impl_->ciphers)
        for (EVP_CIPHER *c : row) EVP_CIPHER_free(c);
    if (impl_->legacy != nullptr) OSSL_PROVIDER_unload(impl_->legacy);
    if (impl_->deflt != nullptr) OSSL_PROVIDER_unload(impl_->deflt);
    OSSL_LIB_CTX_free(impl_->libctx);
    delete impl_;
}

bool DesEngine::run(bool triple, bool cbc, bool encrypt, const uint8_t *key, const uint8_t *iv,
                    const uint8_t *in, uint8_t *out, size_t len) const {
    const EVP_CIPHER *cipher = impl_->ciphers[triple ? 1 : 0][cbc ? 1 : 0];
    if (cipher == nullptr || len % 8 != 0 || len > INT_MAX) return false;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx == nullptr) return false;
    bool ok = EVP_CipherInit_ex2(ctx, cipher, key, cbc ? iv : nullptr, encrypt ? 1 : 0, nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    int outl = 0;
    int fin = 0;
    ok = ok && EVP_CipherUpdate(ctx, out, &outl, in, static_cast<int>(len)) == 1 &&
         EVP_CipherFinal_ex(ctx, out + outl, &fin) == 1 && static_cast<size_t>(outl + fin) == len;
    // EVP_CIPHER_CTX_free cleanses the key schedule.
    EVP_CIPHER_CTX_free(ctx);
    return ok;
}

} // namespace acrypto::hw::fastcrypt::model
