// SPDX-License-Identifier: Apache-2.0
// DirectStream: entering the path, position bookkeeping, a failed run.
#include "direct_stream.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <atomic>
#include <cstring>
#include <new>

#include "acrypto/ossl/chacha20.hpp"

#include "direct_digest.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

constexpr uint32_t kChachaBlock = ossl::kChaCha20Block;
constexpr size_t kChachaIv = 16;

} // namespace

bool DirectStream::enter(ProvCtx *pctx, const acrypto_key &key, bool enc, const uint8_t *iv,
                         uint32_t num) {
    if (refused_ || key.id == 0 || num >= kChachaBlock) return false;
    if (!ctx_ || key_id_ != key.id || enc_ != enc) {
        ctx_.close();
        key_id_ = 0;
        const ossl::CipherFns *f = direct_cipher_fns(pctx, kDirectChaCha20Slot, "ChaCha20");
        if (f == nullptr || !ctx_.open(*f, enc, key.data, key.len, nullptr, 0, nullptr)) {
            ERR_clear_error();
            refused_ = true;
            return false;
        }
        key_id_ = key.id;
        enc_ = enc;
    }
    bool ok = ctx_.set_iv(iv, kChachaIv);
    if (ok && num > 0) { // the keystream bytes the stream already used
        uint8_t skip[kChachaBlock] = {};
        ok = ctx_.run(skip, skip, num);
        OPENSSL_cleanse(skip, sizeof skip);
    }
    if (!ok) {
        ERR_clear_error();
        ctx_.close();
        key_id_ = 0;
        refused_ = true;
        return false;
    }
    if (!ks_) ks_.reset(new (std::nothrow) Keystream); // none: every update runs directly
    bytes_ = 0;
    ks_left_ = 0;
    owns_ = true;
    pctx->counts->add(Count::CipherDirect);
    return true;
}

void DirectStream::sync(uint8_t *iv, uint32_t *num) noexcept {
    if (!owns_) return;
    // While the path owns the stream nothing else moves iv and num: they stand where it
    // was entered or last synced.
    ossl::chacha20_advance(iv, num, bytes_);
    bytes_ = 0;
}

bool DirectStream::run_past_keystream(uint8_t *out, const uint8_t *in, size_t len) noexcept {
    const size_t head = ks_left_;
    if (head != 0) xor_keystream(out, in, head);
    const size_t rest = len - head;
    size_t outl = 0;
    if (rest > kKeystream / 2 || !ks_)
        return ctx_.update(out + head, &outl, in + head, rest) && outl == rest;
    std::memset(ks_->bytes, 0, kKeystream); // keystream = ChaCha20 over zeros
    ks_filled_ = true;
    if (!ctx_.update(ks_->bytes, &outl, ks_->bytes, kKeystream) || outl != kKeystream) return false;
    ks_left_ = kKeystream;
    xor_keystream(out + head, in + head, rest);
    return true;
}

void DirectStream::wipe() noexcept {
    ks_left_ = 0;
    if (!ks_filled_) return;
    OPENSSL_cleanse(ks_->bytes, kKeystream);
    ks_filled_ = false;
}

void DirectStream::failed(uint8_t *iv, uint32_t *num) noexcept {
    leave(iv, num);
    ctx_.close(); // where it stopped is unknown: key it afresh
    key_id_ = 0;
}

} // namespace acrypto::prov
