// SPDX-License-Identifier: Apache-2.0
// cpu inline kernels for AES-XTS, ChaCha20 and DES/3DES ECB/CBC: one context of the library's
// own implementation (acrypto::ossl::CipherCtx), keyed at bind, with no EVP layer per run. XTS runs
// on AES-NI where the CPU has it, else an XTS run sets only its tweak; a ChaCha20 stream that
// continues where the context is runs as one update, any other position re-sets the IV and skips
// `num` bytes.
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <climits>
#include <cstring>
#include <new>

#include "acrypto/ossl/chacha20.hpp"
#include "acrypto/ossl/impl.hpp"
#include "aesni.hpp"
#include "kernel_base.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr size_t kChachaBlock = ossl::kChaCha20Block;

/// Longest XTS data unit (IEEE 1619-2018, SP 800-38E: 2^20 blocks); longer ones go
/// to the library, which refuses them.
constexpr size_t kXtsMaxUnit = (size_t{1} << 20) * 16;

struct PlainKernel : KernelBase {
    ossl::CipherCtx lib_cipher;
    // XTS on AES-NI (`xts` set, run by run_xts_ni): data key and tweak key, expanded once,
    // and the XTS of their size.
    aesni::Schedule k1, k2;
    aesni::XtsFn xts = nullptr;
    // ChaCha20: where the context is (64-bit block counter, the nonce's last 8 bytes,
    // bytes used of the block).
    uint64_t chain_ctr = 0;
    uint64_t chain_nonce = 0;
    uint32_t chain_num = 0;
    uint8_t cbc_chain[8] = {}; ///< DES CBC: the block the context chains from
    bool known = false;
};

void release_plain(void *state) {
    auto *s = static_cast<PlainKernel *>(state);
    if (!s) return;
    s->flush();
    s->lib_cipher.close();
    EVP_CIPHER_free(s->cipher);
    OPENSSL_cleanse(&s->chain_nonce, sizeof(s->chain_nonce));
    OPENSSL_cleanse(s->cbc_chain, sizeof(s->cbc_chain));
    OPENSSL_cleanse(&s->k1, sizeof(s->k1));
    OPENSSL_cleanse(&s->k2, sizeof(s->k2));
    delete s;
}

int update(ossl::CipherCtx &c, uint8_t *dst, const uint8_t *src, size_t len) {
    if (!c.run(dst, src, len)) {
        ERR_clear_error();
        return ACRYPTO_E_INTERNAL;
    }
    return ACRYPTO_OK;
}

/// Restart `c` at `iv` (`iv_len` bytes).
int restart(ossl::CipherCtx &c, const uint8_t *iv, size_t iv_len) {
    if (!c.set_iv(iv, iv_len)) {
        ERR_clear_error();
        return ACRYPTO_E_INTERNAL;
    }
    return ACRYPTO_OK;
}

/// XTS through the library: without AES-NI, and for units longer than kXtsMaxUnit (which
/// it refuses).
int run_xts(PlainKernel &s, const uint8_t *src, uint8_t *dst, size_t len, const uint8_t *iv) {
    if (len < 16 || !iv) return ACRYPTO_E_INVALID;
    if (const int rc = restart(s.lib_cipher, iv, 16); rc != ACRYPTO_OK) return rc;
    return update(s.lib_cipher, dst, src, len);
}

/// Put the ChaCha20 context at `iv` with `num` keystream bytes of its block used (out of
/// line: a continuing run needs none of it).
[[gnu::noinline]] int restart_chacha(PlainKernel &s, const uint8_t *iv, uint32_t num) {
    if (const int rc = restart(s.lib_cipher, iv, 16); rc != ACRYPTO_OK) return rc;
    if (num > 0) { // the keystream bytes the stream already used
        uint8_t skip[kChachaBlock] = {};
        const int rc = update(s.lib_cipher, skip, skip, num);
        OPENSSL_cleanse(skip, sizeof(skip));
        if (rc != ACRYPTO_OK) return rc;
    }
    s.chain_nonce = ossl::load_le64(iv + 8);
    return ACRYPTO_OK;
}

/// ChaCha20 as the cpu device's session step runs it (exec_aead.cpp): the position moves
/// on as the library's does (ossl::chacha20_advance). iv is read and written only as two
/// 8-byte words: a 16-byte read of a counter just stored in pieces would wait for every
/// store before it, the run's output included, to leave the store buffer.
int run_chacha(PlainKernel &s, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
               uint32_t *num) {
    if (!iv || !num || *num >= kChachaBlock) return ACRYPTO_E_INVALID;
    const bool continues = s.known && s.chain_num == *num && s.chain_ctr == ossl::load_le64(iv) &&
                           s.chain_nonce == ossl::load_le64(iv + 8);
    s.known = false;
    if (!continues) {
        if (const int rc = restart_chacha(s, iv, *num); rc != ACRYPTO_OK) return rc;
    }
    const int rc = update(s.lib_cipher, dst, src, len);
    if (rc != ACRYPTO_OK) return rc;
    ossl::chacha20_advance(iv, num, len);
    s.chain_ctr = ossl::load_le64(iv);
    s.chain_num = *num;
    s.known = true;
    return ACRYPTO_OK;
}

/// DES/3DES ECB or CBC over whole 8-byte blocks; CBC leaves the last ciphertext
/// block in iv[0..7], as the cpu device's session step does.
int run_des(PlainKernel &s, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv) {
    constexpr size_t kDesBlock = 8;
    if (len % kDesBlock != 0) return ACRYPTO_E_INVALID;
    if (s.mode == ACRYPTO_MODE_ECB) return update(s.lib_cipher, dst, src, len);
    if (!iv) return ACRYPTO_E_INVALID;
    const bool continues = s.known && std::memcmp(s.cbc_chain, iv, kDesBlock) == 0;
    s.known = false;
    if (!continues) {
        if (const int rc = restart(s.lib_cipher, iv, kDesBlock); rc != ACRYPTO_OK) return rc;
    }
    uint8_t last_in[kDesBlock]; // in place, the input's last block is overwritten
    std::memcpy(last_in, src + len - kDesBlock, kDesBlock);
    const int rc = update(s.lib_cipher, dst, src, len);
    if (rc != ACRYPTO_OK) return rc;
    std::memcpy(iv, s.enc ? dst + len - kDesBlock : last_in, kDesBlock);
    std::memcpy(s.cbc_chain, iv, kDesBlock);
    s.known = true;
    return ACRYPTO_OK;
}

int run_plain(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
              uint32_t *num) {
    auto *s = static_cast<PlainKernel *>(state);
    if (len == 0) return s->mode == ACRYPTO_MODE_XTS ? ACRYPTO_E_INVALID : ACRYPTO_OK;
    if (!src || !dst || len > INT_MAX || partly_overlaps(src, dst, len)) return ACRYPTO_E_INVALID;
    int rc;
    if (s->mode == ACRYPTO_MODE_XTS)
        rc = run_xts(*s, src, dst, len, iv);
    else if (s->mode == ACRYPTO_MODE_STREAM)
        rc = run_chacha(*s, src, dst, len, iv, num);
    else
        rc = run_des(*s, src, dst, len, iv);
    s->count(len);
    return rc;
}

const char *plain_name(const acrypto_step &shape) {
    const bool cbc = shape.mode == ACRYPTO_MODE_CBC;
    if (shape.mode == ACRYPTO_MODE_ECB || cbc) {
        if (shape.alg == ACRYPTO_ALG_DES_EDE3 && shape.key->len == 24)
            return cbc ? "DES-EDE3-CBC" : "DES-EDE3-ECB";
        if (shape.alg == ACRYPTO_ALG_DES && shape.key->len == 8) return cbc ? "DES-CBC" : "DES-ECB";
        return nullptr;
    }
    if (shape.alg == ACRYPTO_ALG_CHACHA20 && shape.mode == ACRYPTO_MODE_STREAM)
        return shape.key->len == 32 ? "ChaCha20" : nullptr;
    if (shape.alg != ACRYPTO_ALG_AES || shape.mode != ACRYPTO_MODE_XTS) return nullptr;
    return shape.key->len == 32 ? "AES-128-XTS" : shape.key->len == 64 ? "AES-256-XTS" : nullptr;
}

/// An XTS data unit on AES-NI, the kernel's run when the CPU has it: only the argument
/// checks between the kernel call and the tweak's rounds. Anything unusual takes
/// run_plain's checks and paths.
int run_xts_ni(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
               uint32_t *num) {
    auto *s = static_cast<PlainKernel *>(state);
    if (len < 16 || len > kXtsMaxUnit || !src || !dst || !iv || partly_overlaps(src, dst, len))
        [[unlikely]]
        return run_plain(state, src, dst, len, iv, num);
    s->xts(s->k1, s->k2, s->enc, src, dst, len, iv);
    s->count(len);
    return ACRYPTO_OK;
}

} // namespace

int bind_plain_kernel(const std::shared_ptr<CryptoLib> &lib,
                      const std::shared_ptr<KernelCounts> &counts, const acrypto_step &shape,
                      acrypto_kernel &out) {
    const char *name = plain_name(shape);
    if (!name || !lib || !lib->ok() || !counts) return ACRYPTO_E_UNSUPPORTED;
    auto *s = new_kernel<PlainKernel>(lib, counts, shape);
    if (!s) return ACRYPTO_E_NOMEM;
    if (shape.alg == ACRYPTO_ALG_DES && !lib->load_legacy()) { // single DES lives there
        release_plain(s);
        return ACRYPTO_E_UNSUPPORTED;
    }
    s->cipher = EVP_CIPHER_fetch(lib->ctx(), name, nullptr);
    // Keyed with an all-zero IV: every run sets its own (XTS) or checks where it is
    // (ChaCha20, CBC). Block modes without padding: runs are whole blocks.
    static const uint8_t zero_iv[16] = {};
    const bool ecb = shape.mode == ACRYPTO_MODE_ECB;
    const bool block = ecb || shape.mode == ACRYPTO_MODE_CBC;
    unsigned int no_padding = 0;
    const OSSL_PARAM block_params[] = {
        OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_PADDING, &no_padding), OSSL_PARAM_END};
    if (!s->cipher ||
        !s->lib_cipher.open(s->cipher, s->enc, shape.key->data, shape.key->len,
                            ecb ? nullptr : zero_iv,
                            ecb ? 0 : static_cast<size_t>(EVP_CIPHER_get_iv_length(s->cipher)),
                            block ? block_params : nullptr)) {
        ERR_clear_error();
        release_plain(s);
        return ACRYPTO_E_INTERNAL;
    }
    // ChaCha20: counter 0, nonce 0, num 0; CBC: a zero chain.
    if (s->mode == ACRYPTO_MODE_STREAM || s->mode == ACRYPTO_MODE_CBC) s->known = true;
    // XTS keys the library accepted (it checks them) run on AES-NI where the CPU has it.
    const size_t half = shape.key->len / 2;
    if (s->mode == ACRYPTO_MODE_XTS && aesni::expand(s->k1, shape.key->data, half) &&
        aesni::expand(s->k2, shape.key->data + half, half))
        s->xts = aesni::xts_for(s->k1, s->k2);
    out = kernel_table(s, release_plain, INT_MAX);
    out.run_fn = s->xts != nullptr ? run_xts_ni : run_plain;
    return ACRYPTO_OK;
}

} // namespace acrypto::soft::cpu
