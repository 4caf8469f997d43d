// SPDX-License-Identifier: Apache-2.0
// DirectCipher: one context of a default-provider cipher implementation, driven through that
// implementation's functions (direct_aead_fns) with no EVP_CIPHER_CTX around it.
#pragma once

#include <openssl/core.h>

#include <cstddef>
#include <cstdint>

#include "direct_digest.hpp"

namespace acrypto::prov {

/**
 * The calls EVP_CipherInit_ex2, EVP_CipherUpdate, EVP_CipherFinal_ex and the AEAD tag
 * controls end in, made directly: each message of an AEAD context streamed in software
 * (the direct path, a continuation) skips the EVP layer's checks and dispatch. Empty
 * until open(); a failed call leaves the library's error queue to the caller.
 */
class DirectCipher {
  public:
    DirectCipher() = default;
    ~DirectCipher() { close(); }
    /// A copy starts empty (an operation context's copy): copy_from() carries the state.
    DirectCipher(const DirectCipher &) {}
    DirectCipher &operator=(const DirectCipher &) = delete;

    explicit operator bool() const noexcept { return algctx_ != nullptr; }

    /// A new context of `fns`'s cipher for direction `enc`, with `params` applied first,
    /// then keyed with `key` (no IV yet). False, and empty, on failure.
    bool open(const DirectCipherFns *fns, bool enc, const uint8_t *key, size_t key_len,
              const OSSL_PARAM params[]);
    /// A copy of `o` (empty when `o` is), in the same state. False on failure.
    bool copy_from(const DirectCipher &o);
    /// Free the context (which cleanses its key schedule).
    void close() noexcept;

    /// Start a message at `iv` (`iv_len` bytes) under the same key and direction.
    bool set_iv(const uint8_t *iv, size_t iv_len) {
        return (enc_ ? fns_->einit : fns_->dinit)(algctx_, nullptr, 0, iv, iv_len, nullptr) == 1;
    }
    /// `len` bytes from `in` to `out`, or additional data when `out` is nullptr.
    bool update(uint8_t *out, size_t *outl, const uint8_t *in, size_t len) {
        return fns_->update(algctx_, out, outl, len, in, len) == 1;
    }
    /// Finish the message: decryption checks the tag given by set_tag() first.
    bool final();
    /// The expected tag of a message being decrypted.
    bool set_tag(const uint8_t *tag, size_t len);
    /// The tag of the message just encrypted.
    bool get_tag(uint8_t *tag, size_t len);

  private:
    const DirectCipherFns *fns_ = nullptr;
    void *algctx_ = nullptr;
    bool enc_ = true;
};

} // namespace acrypto::prov
