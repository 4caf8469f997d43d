// SPDX-License-Identifier: Apache-2.0
// cpu inline kernels: one EVP_CIPHER_CTX keyed at bind time, the chaining state
// tracked so a stream of runs never re-initialises it.
#include "kernel.hpp"

#include <cstring>
#include <new>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "exec_cipher.hpp"

namespace acrypto::soft::cpu {

namespace {

/// Runs a kernel keeps to itself before adding them to the shared counts.
constexpr uint32_t kCountEvery = 256;

struct AesKernel {
    std::shared_ptr<CryptoLib> lib; ///< keeps the library context the cipher came from
    std::shared_ptr<KernelCounts> counts;
    EVP_CIPHER *cipher = nullptr;
    Keyed k;
    uint32_t mode = 0;
    bool enc = true;
    uint32_t runs = 0;
    uint64_t bytes = 0;

    void flush() noexcept {
        counts->runs.fetch_add(runs, std::memory_order_relaxed);
        counts->bytes.fetch_add(bytes, std::memory_order_relaxed);
        runs = 0;
        bytes = 0;
    }
};

int run_aes(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv, uint32_t *num) {
    auto *a = static_cast<AesKernel *>(state);
    if (len == 0) return ACRYPTO_OK;
    if (!src || !dst || (src != dst && (src < dst ? src + len > dst : dst + len > src)))
        return ACRYPTO_E_INVALID;
    int rc;
    switch (a->mode) {
    case ACRYPTO_MODE_ECB: rc = len % 16 ? ACRYPTO_E_INVALID : aes_ecb(a->k, src, dst, len); break;
    case ACRYPTO_MODE_CBC:
        rc = len % 16 || !iv ? ACRYPTO_E_INVALID : aes_cbc(a->k, src, dst, len, iv, a->enc);
        break;
    default:
        rc = !iv || !num || *num >= 16 ? ACRYPTO_E_INVALID
                                       : aes_ctr(a->k, src, dst, len, iv, num, a->enc);
        break;
    }
    if (rc != ACRYPTO_OK) a->k.known = false;
    a->bytes += len;
    if (++a->runs >= kCountEvery) a->flush();
    return rc;
}

void release_aes(void *state) {
    auto *a = static_cast<AesKernel *>(state);
    if (!a) return;
    a->flush();
    EVP_CIPHER_CTX_free(a->k.ctx);
    EVP_CIPHER_free(a->cipher);
    OPENSSL_cleanse(&a->k, sizeof(a->k));
    delete a;
}

const char *aes_name(uint32_t mode, size_t key_len) {
    static const char *const names[3][3] = {
        {"AES-128-ECB", "AES-128-CBC", "AES-128-CTR"},
        {"AES-192-ECB", "AES-192-CBC", "AES-192-CTR"},
        {"AES-256-ECB", "AES-256-CBC", "AES-256-CTR"},
    };
    const int k = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    const int m = mode == ACRYPTO_MODE_ECB   ? 0
                  : mode == ACRYPTO_MODE_CBC ? 1
                  : mode == ACRYPTO_MODE_CTR ? 2
                                             : -1;
    return k < 0 || m < 0 ? nullptr : names[k][m];
}

} // namespace

int bind_kernel(const std::shared_ptr<CryptoLib> &lib, const std::shared_ptr<KernelCounts> &counts,
                const acrypto_step &shape, acrypto_kernel &out) {
    if (shape.op != ACRYPTO_OP_CIPHER || shape.alg != ACRYPTO_ALG_AES || !shape.key ||
        !shape.key->data)
        return ACRYPTO_E_UNSUPPORTED;
    if (shape.dir != ACRYPTO_DIR_ENCRYPT && shape.dir != ACRYPTO_DIR_DECRYPT)
        return ACRYPTO_E_UNSUPPORTED;
    const char *name = aes_name(shape.mode, shape.key->len);
    if (!name || !lib || !lib->ok() || !counts) return ACRYPTO_E_UNSUPPORTED;
    auto *a = new (std::nothrow) AesKernel;
    if (!a) return ACRYPTO_E_NOMEM;
    a->lib = lib;
    a->counts = counts;
    a->mode = shape.mode;
    a->enc = shape.dir == ACRYPTO_DIR_ENCRYPT;
    a->cipher = EVP_CIPHER_fetch(lib->ctx(), name, nullptr);
    a->k.ctx = EVP_CIPHER_CTX_new();
    if (!aes_key_ctx(a->k.ctx, a->cipher, a->mode, shape.key->data, a->enc)) {
        ERR_clear_error();
        release_aes(a);
        return ACRYPTO_E_INTERNAL;
    }
    a->k.known = true; // zero IV, counter zero, num 0
    out = acrypto_kernel{};
    out.struct_size = sizeof(acrypto_kernel);
    out.max_len = uint64_t{1} << 30;
    out.run_fn = run_aes;
    out.release_fn = release_aes;
    out.state = a;
    return ACRYPTO_OK;
}

} // namespace acrypto::soft::cpu
