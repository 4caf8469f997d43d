// SPDX-License-Identifier: Apache-2.0
// CPU device family "legacy": DES-CBC/ECB and DES-EDE3 (3DES) ECB/CBC over libcrypto.
#include "exec_legacy.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>

namespace acrypto::soft::cpu {

namespace {

constexpr uint32_t kBoth = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
constexpr uint64_t kMaxInput = uint64_t{1} << 30;
constexpr size_t kBlock = 8;

// kLegacyCaps: DES and DES-EDE3, ECB and CBC, whole blocks only.
const acrypto_capability kLegacyCaps[] = {
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB, kBoth, 8, 8, 0,
     ACRYPTO_CAP_F_BLOCK_MULTIPLE, kMaxInput, 0, 0, 0, 3000, 6.0e7, 1.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, kBoth, 8, 8, 0,
     ACRYPTO_CAP_F_BLOCK_MULTIPLE, kMaxInput, 0, 0, 0, 3000, 6.0e7, 1.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_ECB, kBoth, 24, 24, 0,
     ACRYPTO_CAP_F_BLOCK_MULTIPLE, kMaxInput, 0, 0, 0, 3000, 2.5e7, 1.0e6},
    {ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, kBoth, 24, 24, 0,
     ACRYPTO_CAP_F_BLOCK_MULTIPLE, kMaxInput, 0, 0, 0, 3000, 2.5e7, 1.0e6},
};

int run_des(ExecCtx &c, acrypto_step &step) {
    if (step.op != ACRYPTO_OP_CIPHER || step.key == nullptr || step.key->data == nullptr)
        return ACRYPTO_E_INVALID;
    if (step.alg != ACRYPTO_ALG_DES && step.alg != ACRYPTO_ALG_DES_EDE3)
        return ACRYPTO_E_UNSUPPORTED;
    if (step.mode != ACRYPTO_MODE_ECB && step.mode != ACRYPTO_MODE_CBC)
        return ACRYPTO_E_UNSUPPORTED;
    const bool cbc = step.mode == ACRYPTO_MODE_CBC;
    const size_t want_key = step.alg == ACRYPTO_ALG_DES ? 8 : 24;
    if (step.key->len != want_key || step.src_len % kBlock != 0 || step.src_len > kMaxInput ||
        step.dst_len < step.src_len || (cbc && step.iv_len != kBlock))
        return ACRYPTO_E_INVALID;
    if (step.dir != ACRYPTO_DIR_ENCRYPT && step.dir != ACRYPTO_DIR_DECRYPT)
        return ACRYPTO_E_INVALID;
    const bool enc = step.dir == ACRYPTO_DIR_ENCRYPT;

    // Single DES is EDE3 with three equal keys: E_K(D_K(E_K(x))) = E_K(x).
    uint8_t key[24];
    if (step.alg == ACRYPTO_ALG_DES) {
        for (int i = 0; i < 3; ++i) std::memcpy(key + 8 * i, step.key->data, 8);
    } else {
        std::memcpy(key, step.key->data, 24);
    }
    EVP_CIPHER *cipher =
        EVP_CIPHER_fetch(c.libctx(), cbc ? "DES-EDE3-CBC" : "DES-EDE3-ECB", nullptr);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int rc = ACRYPTO_E_INVALID;
    uint8_t last[kBlock];
    if (cbc && !enc && step.src_len >= kBlock) // in-place decrypt overwrites the chaining block
        std::memcpy(last, step.src + step.src_len - kBlock, kBlock);
    int outl = 0;
    if (cipher == nullptr || ctx == nullptr) {
        rc = ACRYPTO_E_NOMEM;
    } else if (EVP_CipherInit_ex2(ctx, cipher, key, cbc ? step.iv : nullptr, enc ? 1 : 0,
                                  nullptr) == 1 &&
               EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
               (step.src_len == 0 || EVP_CipherUpdate(ctx, step.dst, &outl, step.src,
                                                      static_cast<int>(step.src_len)) == 1)) {
        step.out_len = static_cast<size_t>(outl);
        if (cbc && step.src_len >= kBlock)
            std::memcpy(step.iv, enc ? step.dst + step.src_len - kBlock : last, kBlock);
        rc = ACRYPTO_OK;
    }
    OPENSSL_cleanse(key, sizeof(key));
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(cipher);
    return rc;
}

int exec(ExecCtx &c, acrypto_session &s, uint32_t i) {
    // Inline execution runs on the caller's thread: leave its error queue as it was.
    ERR_set_mark();
    int rc = run_des(c, s.steps[i]);
    ERR_pop_to_mark();
    return rc;
}

} // namespace

const Family kLegacyFamily = {
    "legacy", kLegacyCaps, sizeof(kLegacyCaps) / sizeof(kLegacyCaps[0]), exec, nullptr,
    nullptr,  nullptr,
};

} // namespace acrypto::soft::cpu
