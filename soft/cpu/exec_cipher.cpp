// SPDX-License-Identifier: Apache-2.0
// cpu family "cipher": AES ECB/CBC/CFB128/OFB/CTR with per-key cached EVP_CIPHER_CTX.
#include "exec_cipher.hpp"

#include <climits>
#include <cstring>
#include <new>

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
    return {ACRYPTO_OP_CIPHER,
            ACRYPTO_ALG_AES,
            mode,
            kBoth,
            16,
            32,
            8,
            flags,
            kMaxInput,
            0,
            0,
            0,
            rates::kOffloadLatencyNs,
            bps,
            rates::kSmallOpsPerSec};
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

void free_keyed(void *p) {
    auto *k = static_cast<Keyed *>(p);
    EVP_CIPHER_CTX_free(k->ctx);
    OPENSSL_cleanse(k, sizeof(*k));
    delete k;
}

/// This thread's fetched AES ciphers, [key size][mode]: a new key costs no fetch.
struct Fetched {
    EVP_CIPHER *c[3][5] = {};
};
const int kFetchedTag = 0;

void free_fetched(void *p) {
    auto *f = static_cast<Fetched *>(p);
    for (auto &row : f->c)
        for (EVP_CIPHER *c : row) EVP_CIPHER_free(c);
    delete f;
}

EVP_CIPHER *fetched(ExecCtx &c, uint32_t mode, size_t key_len) {
    auto *f = static_cast<Fetched *>(c.local(&kFetchedTag));
    if (!f) {
        f = new (std::nothrow) Fetched;
        if (!f) return nullptr;
        c.set_local(&kFetchedTag, f, free_fetched);
    }
    EVP_CIPHER *&slot = f->c[(key_len - 16) / 8][mode - ACRYPTO_MODE_ECB];
    if (!slot) slot = EVP_CIPHER_fetch(c.libctx(), aes_name(mode, key_len), nullptr);
    return slot;
}

bool key_ctx(ExecCtx &c, EVP_CIPHER_CTX *ctx, const acrypto_step &st, bool enc) {
    return aes_key_ctx(ctx, fetched(c, st.mode, st.key->len), st.mode, st.key->data, enc);
}

// The keyed context for this step's key: built once per (key, mode, direction)
// per thread, so the hot path runs no fetch and no key expansion. Key id 0 is not
// cacheable: `local` is set up on the thread's scratch context instead.
Keyed *keyed(ExecCtx &c, const acrypto_step &st, bool enc, Keyed &local) {
    const uint32_t tag = key_tag(kFamilyId, st.mode, st.dir);
    if (st.key->id != 0) {
        if (void *p = c.key_find(st.key->id, tag)) return static_cast<Keyed *>(p);
        auto *k = new (std::nothrow) Keyed;
        if (!k) return nullptr;
        k->ctx = EVP_CIPHER_CTX_new();
        if (!key_ctx(c, k->ctx, st, enc)) {
            free_keyed(k);
            return nullptr;
        }
        k->known = true; // zero IV, counter zero, num 0
        c.key_put(st.key->id, tag, k, free_keyed);
        return k;
    }
    local.ctx = c.scratch_cipher();
    if (!local.ctx || EVP_CIPHER_CTX_reset(local.ctx) != 1 || !key_ctx(c, local.ctx, st, enc))
        return nullptr;
    local.known = true;
    return &local;
}

bool overlaps(const uint8_t *a, const uint8_t *b, size_t n) {
    if (a == b || n == 0) return false;
    return a < b ? a + n > b : b + n > a;
}

// The raw cipher call (EVP_Cipher): no padding or partial-block bookkeeping, which
// these contexts never need (padding off, ECB/CBC fed whole blocks).
int update(EVP_CIPHER_CTX *ctx, uint8_t *dst, const uint8_t *src, size_t n) {
    while (n > 0) {
        int chunk = n > (size_t{1} << 30) ? 1 << 30 : static_cast<int>(n);
        if (EVP_Cipher(ctx, dst, src, static_cast<unsigned int>(chunk)) != chunk) {
            ERR_clear_error();
            return ACRYPTO_E_INTERNAL;
        }
        dst += chunk, src += chunk, n -= static_cast<size_t>(chunk);
    }
    return ACRYPTO_OK;
}

// 128-bit big-endian counter arithmetic (CTR mode, SP 800-38A).
void ctr_dec(uint8_t *ctr) {
    for (int i = 15; i >= 0; --i)
        if (ctr[i]-- != 0) break;
}
void ctr_add(uint8_t *ctr, uint64_t blocks) {
    for (int i = 15; i >= 0 && blocks; --i) {
        uint64_t v = uint64_t(ctr[i]) + (blocks & 0xff);
        ctr[i] = static_cast<uint8_t>(v);
        blocks = (blocks >> 8) + (v >> 8);
    }
}

int reinit(EVP_CIPHER_CTX *ctx, const uint8_t *iv, bool enc) {
    if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, enc ? 1 : 0, nullptr) == 1) return ACRYPTO_OK;
    ERR_clear_error();
    return ACRYPTO_E_INTERNAL;
}

} // namespace

bool aes_key_ctx(EVP_CIPHER_CTX *ctx, EVP_CIPHER *cipher, uint32_t mode, const uint8_t *key,
                 bool enc) {
    static const uint8_t zero_iv[kBlock] = {0};
    bool ok = ctx && cipher &&
              EVP_CipherInit_ex2(ctx, cipher, key, mode == ACRYPTO_MODE_ECB ? nullptr : zero_iv,
                                 enc ? 1 : 0, nullptr) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    if (!ok) ERR_clear_error();
    return ok;
}

int aes_ecb(Keyed &k, const uint8_t *src, uint8_t *dst, size_t n) {
    return update(k.ctx, dst, src, n);
}

// CBC without re-initialising: the context chains from k.chain, so feed it
// p0 ^ chain ^ iv (encrypt) or correct its first output block (decrypt). A stream
// that continues where the context is (chain == iv) runs as one call.
int aes_cbc(Keyed &k, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv, bool enc) {
    const bool continues = std::memcmp(k.chain, iv, kBlock) == 0;
    int rc;
    if (enc) {
        if (continues) {
            rc = update(k.ctx, dst, src, n);
        } else {
            uint8_t first[kBlock];
            for (size_t i = 0; i < kBlock; ++i) first[i] = src[i] ^ k.chain[i] ^ iv[i];
            rc = update(k.ctx, dst, first, kBlock);
            if (rc == ACRYPTO_OK) rc = update(k.ctx, dst + kBlock, src + kBlock, n - kBlock);
            OPENSSL_cleanse(first, sizeof(first));
        }
        if (rc != ACRYPTO_OK) return rc;
        std::memcpy(k.chain, dst + n - kBlock, kBlock);
    } else {
        uint8_t last_in[kBlock]; // in place, the input's last block is overwritten
        std::memcpy(last_in, src + n - kBlock, kBlock);
        rc = update(k.ctx, dst, src, n);
        if (rc != ACRYPTO_OK) return rc;
        if (!continues)
            for (size_t i = 0; i < kBlock; ++i) dst[i] ^= k.chain[i] ^ iv[i];
        std::memcpy(k.chain, last_in, kBlock);
    }
    std::memcpy(iv, k.chain, kBlock);
    return ACRYPTO_OK;
}

// CTR: reposition the context only when the step does not continue where it is.
int aes_ctr(Keyed &k, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv, uint32_t *pnum,
            bool enc) {
    if (!(k.known && k.num == *pnum && std::memcmp(k.chain, iv, kBlock) == 0)) {
        k.known = false;
        uint32_t num = *pnum;
        if (num != 0) {
            // The keystream block in use is E(counter - 1): regenerate it and finish
            // it by hand; the context is then at `counter`, num 0.
            uint8_t ks[kBlock] = {0};
            uint8_t prev[kBlock];
            std::memcpy(prev, iv, kBlock);
            ctr_dec(prev);
            int rc = reinit(k.ctx, prev, enc);
            if (rc == ACRYPTO_OK) rc = update(k.ctx, ks, ks, kBlock);
            if (rc != ACRYPTO_OK) return rc;
            size_t take = kBlock - num < n ? kBlock - num : n;
            for (size_t i = 0; i < take; ++i) dst[i] = src[i] ^ ks[num + i];
            OPENSSL_cleanse(ks, sizeof(ks));
            src += take, dst += take, n -= take;
            num = static_cast<uint32_t>((num + take) % kBlock);
            if (num != 0) { // still inside the block: the counter does not move
                *pnum = num;
                return ACRYPTO_OK;
            }
        } else if (int rc = reinit(k.ctx, iv, enc); rc != ACRYPTO_OK) {
            return rc;
        }
        std::memcpy(k.chain, iv, kBlock);
        k.num = 0;
        k.known = true;
    }
    if (int rc = update(k.ctx, dst, src, n); rc != ACRYPTO_OK) {
        k.known = false;
        return rc;
    }
    // Blocks generated: the rest of the current one is used first.
    const size_t rest = k.num ? kBlock - k.num : 0;
    const uint64_t fresh = n > rest ? (n - rest + kBlock - 1) / kBlock : 0;
    ctr_add(k.chain, fresh);
    k.num = static_cast<uint32_t>((k.num + n) % kBlock);
    std::memcpy(iv, k.chain, kBlock);
    *pnum = k.num;
    return ACRYPTO_OK;
}

namespace {

// CFB/OFB keep their whole state in iv: finish a started block by hand (OpenSSL
// 3.0 cannot set num on a provider context), then run from a block boundary.
int run_feedback(Keyed &k, acrypto_step &st, bool enc) {
    const uint8_t *src = st.src;
    uint8_t *dst = st.dst;
    size_t n = st.src_len;
    k.known = false;
    uint8_t iv[kBlock];
    std::memcpy(iv, st.iv, kBlock);
    uint32_t num = st.num;
    if (num != 0) {
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
            return ACRYPTO_OK;
        }
    }
    int rc = reinit(k.ctx, iv, enc);
    if (rc == ACRYPTO_OK) rc = update(k.ctx, dst, src, n);
    if (rc != ACRYPTO_OK) return rc;
    if (EVP_CIPHER_CTX_get_updated_iv(k.ctx, st.iv, kBlock) != 1) rc = ACRYPTO_E_INTERNAL;
    int got = EVP_CIPHER_CTX_get_num(k.ctx);
    st.num = got > 0 ? static_cast<uint32_t>(got) : 0;
    ERR_clear_error();
    return rc;
}

int run(ExecCtx &c, acrypto_step &st) {
    const bool enc = st.dir == ACRYPTO_DIR_ENCRYPT;
    Keyed local;
    Keyed *k = keyed(c, st, enc, local);
    if (!k) return ACRYPTO_E_INTERNAL;
    int rc;
    switch (st.mode) {
    case ACRYPTO_MODE_ECB: rc = aes_ecb(*k, st.src, st.dst, st.src_len); break;
    case ACRYPTO_MODE_CBC: rc = aes_cbc(*k, st.src, st.dst, st.src_len, st.iv, enc); break;
    case ACRYPTO_MODE_CTR: rc = aes_ctr(*k, st.src, st.dst, st.src_len, st.iv, &st.num, enc); break;
    default: rc = run_feedback(*k, st, enc); break;
    }
    if (rc == ACRYPTO_OK)
        st.out_len = st.src_len;
    else
        k->known = false;
    if (k == &local) {
        EVP_CIPHER_CTX_reset(local.ctx);
        OPENSSL_cleanse(local.chain, sizeof(local.chain));
    }
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
    "cipher", kCipherCaps, sizeof(kCipherCaps) / sizeof(kCipherCaps[0]), exec, nullptr,
    nullptr,  nullptr,
};

} // namespace acrypto::soft::cpu
