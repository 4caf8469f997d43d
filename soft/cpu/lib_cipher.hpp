// SPDX-License-Identifier: Apache-2.0
// LibCipher: one context of the library's own cipher implementation, driven through that
// implementation's functions (the cpu device's kernels).
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

namespace acrypto::soft::cpu {

/**
 * The calls EVP_CipherInit_ex2, EVP_CipherUpdate, EVP_CipherFinal_ex and the AEAD tag
 * parameters end in, made directly, without the EVP layer's checks and dispatch on every
 * run (a 16-byte ChaCha20 run spent a seventh of its instructions there). The functions are
 * found once, at open(), in the provider `cipher` came from. Empty until open().
 */
struct LibCipher {
    void *algctx = nullptr;
    OSSL_FUNC_cipher_freectx_fn *freectx = nullptr;
    OSSL_FUNC_cipher_encrypt_init_fn *einit = nullptr;
    OSSL_FUNC_cipher_decrypt_init_fn *dinit = nullptr;
    OSSL_FUNC_cipher_update_fn *update = nullptr;
    OSSL_FUNC_cipher_final_fn *final = nullptr;
    OSSL_FUNC_cipher_get_ctx_params_fn *get_ctx_params = nullptr;
    OSSL_FUNC_cipher_set_ctx_params_fn *set_ctx_params = nullptr;
    bool enc = true;

    /// A context of `cipher`'s implementation, keyed with `key` and `iv` (nullptr: none) for
    /// direction `enc_dir`, then `params` applied (as EVP_CipherInit_ex2 does). False when the
    /// implementation is not found or refuses.
    bool open(const EVP_CIPHER *cipher, bool enc_dir, const uint8_t *key, size_t key_len,
              const uint8_t *iv, size_t iv_len, const OSSL_PARAM params[]);
    /// Start again at `iv` (`iv_len` bytes) under the same key.
    bool set_iv(const uint8_t *iv, size_t iv_len) {
        return (enc ? einit : dinit)(algctx, nullptr, 0, iv, iv_len, nullptr) == 1;
    }
    /// `len` bytes from `src` to `dst` (the same or disjoint), all of them output.
    bool run(uint8_t *dst, const uint8_t *src, size_t len) {
        size_t outl = 0;
        return update(algctx, dst, &outl, len, src, len) == 1 && outl == len;
    }
    /// AEAD additional data.
    bool aad(const uint8_t *in, size_t len) {
        size_t outl = 0;
        return update(algctx, nullptr, &outl, len, in, len) == 1;
    }
    /// Finish an AEAD message (no output; decryption checks the tag set first).
    bool finish();
    /// The expected tag of a message being decrypted; the tag of one just encrypted.
    bool set_tag(const uint8_t *tag, size_t len);
    bool get_tag(uint8_t *tag, size_t len);
    /// Free the context (which cleanses its key schedule).
    void close() noexcept {
        if (algctx != nullptr) freectx(algctx);
        algctx = nullptr;
    }
};

} // namespace acrypto::soft::cpu
