// SPDX-License-Identifier: Apache-2.0
// cpu family "cipher": AES ECB/CBC/CFB128/OFB/CTR with per-key cached EVP_CIPHER_CTX.
#include "exec_cipher.hpp"

#include <climits>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "rates.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr uint32_t kBoth = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
constexpr uint64_t kMaxInput = uint64_t{1} << 30; // EVP lengths are int
constexpr uint32_t kFamilyId = 1;
constexpr size_t kBlock = 16;

// kCipherCaps: AES-128/192/256 in ECB, CBC, CFB128, OFB, CTR, both directions.
constexpr acrypto_capability cap(uint32_t mode, uint32_t flags, double bps) {
    return {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, mode, kBoth, 16, 32, 8, flags, kMaxInput, 0, 0, 0,
            rates::kOffloadLatencyNs, bps, rates::kSmallOpsPerSec};
}
const acrypto_capability kCipherCaps[] = {
    cap(ACRYPTO_MODE_ECB, ACRYPTO_CAP_F_BLOCK_MULTIPLE, rates::kAesParallelBps),
    cap(ACRYPTO_MODE_CBC, ACRYPTO_CAP_F_BLOCK_MULTIPLE, rates::kAesCbcEncBps),
    cap(ACRYPTO_MODE_CFB, 0, rates::kAesStreamBps),
    cap(ACRYPTO_MODE_OFB, 0, rates::kAesStreamBps),
    cap(ACRYPTO_MODE_CTR, 0, rates::kAesParallelBps),
};

const char *aes_name(uint32_t mode, size_t key_len) {
    static const char *const names[3][5] = {
        {"AES-128-ECB", "AES-128-CBC", "AES-128-CFB", "AES-128-OFB", "AES-128-CTR"},
        {"AES-192-ECB", "AES-192-CBC", "AES-192-CFB", "AES-192-OFB", "AES-192-CTR"},
        {"AES-256-ECB", "AES-256-CBC", "AES-256-CFB", "AES-256-OFB", "AES-256-CTR"},
    };
    int k = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    if (k < 0 || mode < ACRYPTO_MODE_ECB || mode > ACRYPTO_MODE_CTR) return nullptr;
    return names[k][mode - ACRYPTO_MODE_ECB];
}

void free_ctx(void *p) { EVP_CIPHER_CTX_free(static_cast<EVP_CIPHER_CTX *>(p)); }

// The keyed context for this step's key: built once per (key, mode, direction)
// per thread, so the hot path runs no fetch and no key expansion.
EVP_CIPHER_CTX *keyed_ctx(ExecCtx &c, const acrypto_step &st, bool enc) {
    const uint32_t tag = key_tag(kFamilyId, st.mode, st.dir);
    if (void *p = c.key_find(st.key->id, tag)) return static_cast<EVP_CIPHER_CTX *>(p);
    const char *name = aes_name(st.mode, st.key->len);
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(c.libctx(), name, nullptr);
    EVP_CIPHER_CTX *ctx = cipher ? EVP_CIPHER_CTX_new() : nullptr;
    bool ok = ctx && EVP_CipherInit_ex2(ctx, cipher, st.key->data, nullptr, enc ? 1 : 0,
                                        nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    EVP_CIPHER_free(cipher); // the context keeps its own reference
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        ERR_clear_error();
        return nullptr;
    }
    if (!c.key_put(st.key->id, tag, ctx, free_ctx)) {
        // Key id 0 (not cacheable): hand the caller a context it frees through scratch.
        return nullptr;
    }
    return ctx;
}

bool overlaps(const uint8_t *a, const uint8_t *b, size_t n) {
    if (a == b || n == 0) return false;
    return a < b ? a + n > b : b + n > a;
}

int update(EVP_CIPHER_CTX *ctx, uint8_t *dst, const uint8_t *src, size_t n) {
    while (n > 0) {
        int chunk = n > (size_t{1} << 30) ? 1 << 30 : static_cast<int>(n);
        int outl = 0;
        if (EVP_CipherUpdate(ctx, dst, &outl, src, chunk) != 1 || outl != chunk) {
            ERR_clear_error();
            return ACRYPTO_E_INTERNAL;
        }
        dst += chunk, src += chunk, n -= static_cast<size_t>(chunk);
    }
    return ACRYPTO_OK;
}

// counter - 1 (128-bit big-endian), for recomputing a partly used CTR keystream block.
void ctr_dec(uint8_t *ctr) {
    for (int i = 15; i >= 0; --i)
        if (ctr[i]-- != 0) break;
}

int run(ExecCtx &c, acrypto_step &st) {
    const bool enc = st.dir == ACRYPTO_DIR_ENCRYPT;
    const uint8_t *src = st.src;
    uint8_t *dst = st.dst;
    size_t n = st.src_len;
    uint8_t last_in[kBlock];
    // CBC decrypt in place overwrites the block the next chunk chains from.
    if (st.mode == ACRYPTO_MODE_CBC && !enc && n >= kBlock)
        std::memcpy(last_in, src + n - kBlock, kBlock);

    EVP_CIPHER_CTX *ctx = keyed_ctx(c, st, enc);
    bool scratch = false;
    if (!ctx) {
        if (st.key->id != 0) return ACRYPTO_E_INVALID;
        // Uncacheable key: key the thread's scratch context for this one step.
        ctx = c.scratch_cipher();
        EVP_CIPHER *cipher = EVP_CIPHER_fetch(c.libctx(), aes_name(st.mode, st.key->len), nullptr);
        bool ok = ctx && cipher && EVP_CIPHER_CTX_reset(ctx) == 1 &&
                  EVP_CipherInit_ex2(ctx, cipher, st.key->data, nullptr, enc, nullptr) == 1 &&
                  EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
        EVP_CIPHER_free(cipher);
        if (!ok) {
            ERR_clear_error();
            return ACRYPTO_E_INTERNAL;
        }
        scratch = true;
    }
    int rc = ACRYPTO_OK;
    if (st.mode != ACRYPTO_MODE_ECB) {
        uint8_t iv[kBlock];
        std::memcpy(iv, st.iv, kBlock);
        uint32_t num = st.num;
        if (st.mode == ACRYPTO_MODE_CTR && num != 0) {
            // The keystream block in use is E(counter - 1): regenerate it, then
            // finish it by hand; the context is left at `counter`, num 0.
            uint8_t ks[kBlock] = {0};
            uint8_t prev[kBlock];
            std::memcpy(prev, iv, kBlock);
            ctr_dec(prev);
            if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, prev, enc, nullptr) != 1 ||
                update(ctx, ks, ks, kBlock) != ACRYPTO_OK) {
                ERR_clear_error();
                rc = ACRYPTO_E_INTERNAL;
            }
            size_t take = kBlock - num < n ? kBlock - num : n;
            for (size_t i = 0; rc == ACRYPTO_OK && i < take; ++i) dst[i] = src[i] ^ ks[num + i];
            OPENSSL_cleanse(ks, sizeof(ks));
            src += take, dst += take, n -= take;
            num = static_cast<uint32_t>((num + take) % kBlock);
            if (num != 0) { // still inside the same block: counter unchanged
                st.num = num;
                st.out_len = st.src_len;
                if (scratch) EVP_CIPHER_CTX_reset(ctx);
                return rc;
            }
        } else if (num != 0) {
            // CFB/OFB keep their whole state in iv: finish the block by hand
            // (OpenSSL 3.0 cannot set num on a provider context).
            size_t take = kBlock - num < n ? kBlock - num : n;
            for (size_t i = 0; i < take; ++i) {
                const uint8_t in = src[i];
                const uint8_t out = in ^ iv[num + i];
                dst[i] = out;
                if (st.mode == ACRYPTO_MODE_CFB) iv[num + i] = enc ? out : in;
            }
            src += take, dst += take, n -= take;
            num = static_cast<uint32_t>((num + take) % kBlock);
            if (num != 0) {
                std::memcpy(st.iv, iv, kBlock);
                st.num = num;
                st.out_len = st.src_len;
                if (scratch) EVP_CIPHER_CTX_reset(ctx);
                return rc;
            }
        }
        if (rc == ACRYPTO_OK && !(st.mode == ACRYPTO_MODE_CTR && st.num != 0) &&
            EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, enc, nullptr) != 1) {
            ERR_clear_error();
            rc = ACRYPTO_E_INTERNAL;
        }
    }
    if (rc == ACRYPTO_OK) rc = update(ctx, dst, src, n);
    if (rc == ACRYPTO_OK) {
        st.out_len = st.src_len;
        switch (st.mode) {
        case ACRYPTO_MODE_ECB: break;
        case ACRYPTO_MODE_CBC:
            if (st.src_len >= kBlock)
                std::memcpy(st.iv, enc ? st.dst + st.src_len - kBlock : last_in, kBlock);
            break;
        default: {
            if (EVP_CIPHER_CTX_get_updated_iv(ctx, st.iv, kBlock) != 1) rc = ACRYPTO_E_INTERNAL;
            int num = EVP_CIPHER_CTX_get_num(ctx);
            st.num = num > 0 ? static_cast<uint32_t>(num) : 0;
            ERR_clear_error();
            break;
        }
        }
    }
    if (scratch) EVP_CIPHER_CTX_reset(ctx);
    return rc;
}

int exec(ExecCtx &c, acrypto_session &s, uint32_t i) {
    acrypto_step &st = s.steps[i];
    if (st.op != ACRYPTO_OP_CIPHER || st.alg != ACRYPTO_ALG_AES) return ACRYPTO_E_UNSUPPORTED;
    if (!aes_name(st.mode, 16)) return ACRYPTO_E_UNSUPPORTED;
    if (!st.key || !st.key->data || !aes_name(st.mode, st.key->len)) return ACRYPTO_E_INVALID;
    if (st.dir != ACRYPTO_DIR_ENCRYPT && st.dir != ACRYPTO_DIR_DECRYPT) return ACRYPTO_E_INVALID;
    if (st.src_len > kMaxInput || st.dst_len < st.src_len) return ACRYPTO_E_INVALID;
    if (st.src_len > 0 && (!st.src || !st.dst || overlaps(st.src, st.dst, st.src_len)))
        return ACRYPTO_E_INVALID;
    const bool block_mode = st.mode == ACRYPTO_MODE_ECB || st.mode == ACRYPTO_MODE_CBC;
    if (block_mode && st.src_len % kBlock != 0) return ACRYPTO_E_INVALID;
    if (st.mode != ACRYPTO_MODE_ECB && st.iv_len != kBlock) return ACRYPTO_E_INVALID;
    if (st.num >= kBlock || (block_mode && st.num != 0)) return ACRYPTO_E_INVALID;
    if (st.src_len == 0) {
        st.out_len = 0;
        return ACRYPTO_OK;
    }
    return run(c, st);
}

} // namespace

const Family kCipherFamily = {
    "cipher", kCipherCaps, sizeof(kCipherCaps) / sizeof(kCipherCaps[0]), exec, nullptr, nullptr,
    nullptr,
};

} // namespace acrypto::soft::cpu
