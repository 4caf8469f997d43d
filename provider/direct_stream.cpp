// SPDX-License-Identifier: Apache-2.0
// DirectStream: entering the path, position bookkeeping, a failed run.
#include "direct_stream.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <atomic>

#include "direct_digest.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

constexpr uint32_t kChachaBlock = 64;
constexpr size_t kChachaIv = 16;

uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{p[i]} << (8 * i);
    return v;
}

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
    base_ctr_ = le64(iv);
    base_num_ = num;
    bytes_ = 0;
    owns_ = true;
    pctx->direct_streams.fetch_add(1, std::memory_order_relaxed);
    return true;
}

void DirectStream::sync(uint8_t *iv, uint32_t *num) noexcept {
    if (!owns_) return;
    const uint64_t used = uint64_t{base_num_} + bytes_;
    const uint64_t ctr = base_ctr_ + used / kChachaBlock; // wraps at 2^64, as the library's
    for (int i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(ctr >> (8 * i));
    *num = static_cast<uint32_t>(used % kChachaBlock);
    base_ctr_ = ctr;
    base_num_ = *num;
    bytes_ = 0;
}

void DirectStream::failed(uint8_t *iv, uint32_t *num) noexcept {
    leave(iv, num);
    ctx_.close(); // where it stopped is unknown: key it afresh
    key_id_ = 0;
}

} // namespace acrypto::prov
