// SPDX-License-Identifier: Apache-2.0
// CryptoEngine: DES, 3DES, RC4, AES (ECB/CBC/CFB/OFB), MD5, SHA-1 and HMAC via libcrypto.
#include "crypto_engine.hpp"

#include <map>
#include <mutex>
#include <string>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

namespace acrypto::hw::hifn::model {

struct CryptoEngine::Impl {
    std::mutex mu;
    std::map<std::string, EVP_CIPHER *> ciphers; ///< fetched once: a fetch per command is slow
    OSSL_LIB_CTX *ctx = nullptr;
    OSSL_PROVIDER *deflt = nullptr;
    OSSL_PROVIDER *legacy = nullptr;
    EVP_MD *md5 = nullptr, *sha1 = nullptr;
    EVP_MAC *hmac = nullptr;
};

CryptoEngine::CryptoEngine() : impl_(new Impl) {
    impl_->ctx = OSSL_LIB_CTX_new();
    if (impl_->ctx == nullptr) return;
    impl_->deflt = OSSL_PROVIDER_load(impl_->ctx, "default");
    impl_->legacy = OSSL_PROVIDER_load(impl_->ctx, "legacy"); // DES-ECB/CBC, RC4; may be absent
    impl_->md5 = EVP_MD_fetch(impl_->ctx, "MD5", nullptr);
    impl_->sha1 = EVP_MD_fetch(impl_->ctx, "SHA1", nullptr);
    impl_->hmac = EVP_MAC_fetch(impl_->ctx, "HMAC", nullptr);
}

CryptoEngine::~CryptoEngine() {
    for (auto &kv : impl_->ciphers) EVP_CIPHER_free(kv.second);
    EVP_MAC_free(impl_->hmac);
    EVP_MD_free(impl_->md5);
    EVP_MD_free(impl_->sha1);
    if (impl_->legacy != nullptr) OSSL_PROVIDER_unload(impl_->legacy);
    if (impl_->deflt != nullptr) OSSL_PROVIDER_unload(impl_->deflt);
    OSSL_LIB_CTX_free(impl_->ctx);
    delete impl_;
}

namespace {

const char *cipher_name(CipherAlg alg, CipherMode mode, size_t keylen) {
    static const char *const des[] = {"DES-ECB", "DES-CBC", "DES-CFB", "DES-OFB"};
    static const char *const des3[] = {"DES-EDE3-ECB", "DES-EDE3-CBC", "DES-EDE3-CFB",
                                       "DES-EDE3-OFB"};
    static const char *const aes128[] = {"AES-128-ECB", "AES-128-CBC", "AES-128-CFB",
                                         "AES-128-OFB"};
    static const char *const aes192[] = {"AES-192-ECB", "AES-192-CBC", "AES-192-CFB",
                                         "AES-192-OFB"};
    static const char *const aes256[] = {"AES-256-ECB", "AES-256-CBC", "AES-256-CFB",
                                         "AES-256-OFB"};
    auto m = static_cast<unsigned>(mode);
    switch (alg) {
    case CipherAlg::Des: return des[m];
    case CipherAlg::TripleDes: return des3[m];
    case CipherAlg::Rc4: return "RC4";
    case CipherAlg::Aes:
        return keylen == 16   ? aes128[m]
               : keylen == 24 ? aes192[m]
               : keylen == 32 ? aes256[m]
                              : nullptr;
    }
    return nullptr;
}

} // namespace

bool CryptoEngine::cipher(CipherAlg alg, CipherMode mode, bool decrypt,
                          std::span<const uint8_t> key, std::span<const uint8_t> iv,
                          std::span<const uint8_t> in, uint8_t *out) {
    const char *name = cipher_name(alg, mode, key.size());
    if (name == nullptr || impl_->ctx == nullptr) return false;
    EVP_CIPHER *c = nullptr;
    {
        std::lock_guard lk(impl_->mu);
        auto it = impl_->ciphers.find(name);
        if (it != impl_->ciphers.end()) {
            c = it->second;
        } else {
            c = EVP_CIPHER_fetch(impl_->ctx, name, nullptr);
            if (c == nullptr) return false;
            impl_->ciphers.emplace(name, c);
        }
    }
    bool ok = false;
    EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
    int outl = 0, finl = 0;
    if (x != nullptr) {
        unsigned ivlen = static_cast<unsigned>(EVP_CIPHER_get_iv_length(c));
        OSSL_PARAM params[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
        size_t klen = key.size();
        if (alg == CipherAlg::Rc4)
            params[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_KEYLEN, &klen);
        ok = (ivlen == 0 || iv.size() >= ivlen) &&
             EVP_CipherInit_ex2(x, c, nullptr, nullptr, decrypt ? 0 : 1, params) == 1 &&
             EVP_CIPHER_CTX_set_padding(x, 0) == 1 &&
             EVP_CipherInit_ex2(x, nullptr, key.data(), ivlen ? iv.data() : nullptr, -1, nullptr) ==
                 1 &&
             EVP_CipherUpdate(x, out, &outl, in.data(), static_cast<int>(in.size())) == 1 &&
             EVP_CipherFinal_ex(x, out + outl, &finl) == 1 &&
             static_cast<size_t>(outl + finl) == in.size();
        EVP_CIPHER_CTX_free(x);
    }
    return ok;
}

size_t CryptoEngine::mac(bool md5, bool hmac, std::span<const uint8_t> key,
                         std::span<const uint8_t> data, uint8_t *out) {
    EVP_MD *md = md5 ? impl_->md5 : impl_->sha1;
    if (md == nullptr) return 0;
    if (!hmac) {
        unsigned n = 0;
        return EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) == 1 ? n : 0;
    }
    if (impl_->hmac == nullptr) return 0;
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(impl_->hmac);
    if (m == nullptr) return 0;
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(
                           OSSL_MAC_PARAM_DIGEST, const_cast<char *>(md5 ? "MD5" : "SHA1"), 0),
                       OSSL_PARAM_END};
    size_t n = 0;
    bool ok = EVP_MAC_init(m, key.data(), key.size(), p) == 1 &&
              EVP_MAC_update(m, data.data(), data.size()) == 1 &&
              EVP_MAC_final(m, out, &n, 20) == 1;
    EVP_MAC_CTX_free(m);
    return ok ? n : 0;
}

} // namespace acrypto::hw::hifn::model
