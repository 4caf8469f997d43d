// SPDX-License-Identifier: Apache-2.0
// Non-AEAD extra ciphers: AES-XTS, ChaCha20, DES and 3DES (two- and three-key) in ECB/CBC with
// padding.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstring>
#include <new>

#include "cipher_params.hpp"
#include "direct_stream.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "inline_kernel.hpp"
#include "op_params.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"
#include "tls_cbc.hpp"

namespace acrypto::prov::pk {

namespace {

constexpr size_t kMaxBlock = 16;

struct PlainInfo {
    const char *names;
    uint32_t alg;
    uint32_t mode;
    size_t key_len; ///< bytes the application passes
    size_t iv_len;
    size_t block; ///< 1 for stream-like modes
    unsigned int evp_mode;
};

// EVP_CIPH_*_MODE values: ECB 1, CBC 2, stream 0, XTS 0x10001.
constexpr PlainInfo kPlainInfos[] = {
    {"AES-128-XTS:1.3.111.2.1619.0.1.1", ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS, 32, 16, 1, 0x10001},
    {"AES-256-XTS:1.3.111.2.1619.0.1.2", ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS, 64, 16, 1, 0x10001},
    {"ChaCha20", ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, 32, 16, 1, 0},
    {"DES-ECB:1.3.14.3.2.6", ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB, 8, 0, 8, 1},
    {"DES-CBC:DES:1.3.14.3.2.7", ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, 8, 8, 8, 2},
    {"DES-EDE-ECB:DES-EDE:1.3.14.3.2.17", ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_ECB, 16, 0, 8, 1},
    {"DES-EDE-CBC", ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, 16, 8, 8, 2},
    {"DES-EDE3-ECB:DES-EDE3", ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_ECB, 24, 0, 8, 1},
    {"DES-EDE3-CBC:DES3:1.2.840.113549.3.7", ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, 24, 8, 8, 2},
};

/// The flags the default provider (3DES, XTS, ChaCha20) and the legacy one (DES) state:
/// XTS takes its IV as a tweak and ChaCha20 as counter and nonce; DES contexts make keys
/// (OSSL_CIPHER_PARAM_RANDOM_KEY, odd parity), which EVP_CIPHER_CTX_rand_key asks for.
constexpr uint32_t plain_flags(const PlainInfo &info) {
    if (info.alg == ACRYPTO_ALG_DES || info.alg == ACRYPTO_ALG_DES_EDE3) return kCipherRandKey;
    if (info.mode == ACRYPTO_MODE_XTS || info.alg == ACRYPTO_ALG_CHACHA20) return kCipherCustomIv;
    return 0;
}

struct PlainCtx {
    ProvCtx *pctx = nullptr;
    const PlainInfo *info = nullptr;
    OpOptions opts;
    SymKey key;
    bool enc = true;
    bool pad = true;
    uint8_t iv[ACRYPTO_MAX_IV] = {};
    uint8_t oiv[ACRYPTO_MAX_IV] = {};
    uint32_t num = 0;
    uint8_t buf[kMaxBlock] = {};
    size_t bufsz = 0;
    tls::RecordMode tls; ///< TLS record mode (block modes): tls-version, tls-mac-size, tls-mac
    InlineKernel kern;   ///< the bound device kernel (XTS, ChaCha20), once a session succeeded
    /// ChaCha20's direct path (only software devices configured): while it owns the
    /// stream, iv and num are brought up to date only when read (sync) or left.
    DirectStream direct;
    bool direct_ok = false; ///< ChaCha20 with only software devices: the path may take updates
};

/// Whether `n` bytes from `in` to `out` are the same buffer or two that do not overlap (what
/// kernels and the direct path take).
inline bool same_or_disjoint(const uint8_t *in, const uint8_t *out, size_t n) noexcept {
    return in == out || in + n <= out || out + n <= in;
}

/// One session over `len` bytes (block multiple for ECB/CBC); chaining state comes back.
int run_plain(PlainCtx *c, uint8_t *out, const uint8_t *a, size_t alen, const uint8_t *b,
              size_t blen) {
    const size_t len = alen + blen;
    if (len == 0) return ACRYPTO_OK;
    c->direct.leave(c->iv, &c->num); // this path runs the stream from here on
    if (alen == 0 || blen == 0) {
        // One piece, the same or disjoint buffers: the bound kernel, when the cost
        // model keeps it on this thread (XTS leaves the tweak as it is).
        const uint8_t *src = alen != 0 ? a : b;
        if (same_or_disjoint(src, out, len)) {
            const int k = c->kern.run(c->pctx, c->opts, src, out, len, c->iv, &c->num);
            if (k != ACRYPTO_E_UNSUPPORTED) return k;
        }
    }
    if (!sym_key_fresh(c->pctx, c->key)) return ACRYPTO_E_SHUTDOWN;
    auto s = make_session(c->opts, 2 * len + 64);
    uint8_t *src = s ? s->alloc(len) : nullptr;
    uint8_t *dst = s ? s->alloc(len) : nullptr;
    if (src == nullptr || dst == nullptr) return ACRYPTO_E_NOMEM;
    if (alen > 0) std::memcpy(src, a, alen);
    if (blen > 0) std::memcpy(src + alen, b, blen);
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = c->info->alg;
    st.mode = c->info->mode;
    st.dir = c->enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
    s->set_key(0, c->key.key);
    st.iv_len = static_cast<uint32_t>(c->info->iv_len);
    std::memcpy(st.iv, c->iv, c->info->iv_len);
    st.num = c->num;
    st.src = src;
    st.src_len = len;
    st.dst = dst;
    st.dst_len = len;
    int status = execute(c->pctx, s);
    if (status == ACRYPTO_OK) {
        std::memcpy(out, dst, len);
        if (c->info->mode != ACRYPTO_MODE_XTS) { // XTS: every update is one data unit
            std::memcpy(c->iv, st.iv, c->info->iv_len);
            c->num = st.num;
        }
        c->kern.bind_after_inline(c->pctx, c->opts, st);
    }
    OPENSSL_cleanse(src, len);
    OPENSSL_cleanse(dst, len);
    return status;
}

int fail(PlainCtx *c, int status) {
    raise_status(c->pctx, status, c->enc ? "encryption" : "decryption");
    return 0;
}

template <size_t I> void *plain_newctx(void *provctx) {
    try {
        auto *c = new PlainCtx;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->info = &kPlainInfos[I];
        c->pad = c->info->block > 1;
        const char *names = c->info->names;
        char first[32] = {};
        size_t n = std::strcspn(names, ":");
        std::memcpy(first, names, n < sizeof first - 1 ? n : sizeof first - 1);
        c->opts = default_options(c->pctx, first);
        c->direct_ok = c->info->mode == ACRYPTO_MODE_STREAM && c->pctx->only_software_devices;
        return c;
    } catch (...) {
        return nullptr;
    }
}

void plain_freectx(void *vctx) {
    auto *c = static_cast<PlainCtx *>(vctx);
    if (c == nullptr) return;
    sym_key_drop(c->key);
    OPENSSL_cleanse(c->buf, sizeof c->buf);
    c->tls.clear_mac();
    delete c;
}

void *plain_dupctx(void *vctx) {
    try {
        auto *c = static_cast<PlainCtx *>(vctx);
        c->direct.sync(c->iv, &c->num); // the copy starts off the direct path, here
        return new PlainCtx(*c);
    } catch (...) {
        return nullptr;
    }
}

int plain_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

int plain_init(PlainCtx *c, bool enc, const unsigned char *key, size_t keylen,
               const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[]) {
    if (c->enc != enc) c->kern.reset(); // a kernel runs one direction
    c->direct.drop();                   // a new stream (the keyed context stays)
    c->enc = enc;
    c->bufsz = 0;
    c->num = 0;
    if (iv != nullptr && c->info->iv_len > 0) {
        if (ivlen != c->info->iv_len) {
            raise(c->pctx, kReasonBadIvLength, "IV of %zu bytes", ivlen);
            return 0;
        }
        std::memcpy(c->iv, iv, ivlen);
        std::memcpy(c->oiv, iv, ivlen);
    } else if (c->info->iv_len > 0) {
        std::memcpy(c->iv, c->oiv, c->info->iv_len);
    }
    if (key != nullptr) {
        if (keylen != c->info->key_len) {
            raise(c->pctx, kReasonBadKeyLength, "key of %zu bytes", keylen);
            return 0;
        }
        uint8_t k[64];
        std::memcpy(k, key, keylen);
        size_t dev_len = keylen;
        if (c->info->alg == ACRYPTO_ALG_DES_EDE3 && keylen == 16) { // two-key: K1|K2|K1
            std::memcpy(k + 16, key, 8);
            dev_len = 24;
        }
        const void *before = c->key.key.get();
        bool ok = sym_key_set(c->pctx, c->key, c->info->alg, k, dev_len);
        OPENSSL_cleanse(k, sizeof k);
        if (c->key.key.get() != before) c->kern.reset(); // bound to the old key
        if (!ok) {
            raise(c->pctx, kReasonNoScheduler, "no scheduler");
            return 0;
        }
    }
    return plain_set_ctx_params(c, params);
}

int plain_einit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
                size_t ivlen, const OSSL_PARAM params[]) {
    try {
        return plain_init(static_cast<PlainCtx *>(vctx), true, key, keylen, iv, ivlen, params);
    } catch (...) {
        return 0;
    }
}

int plain_dinit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
                size_t ivlen, const OSSL_PARAM params[]) {
    try {
        return plain_init(static_cast<PlainCtx *>(vctx), false, key, keylen, iv, ivlen, params);
    } catch (...) {
        return 0;
    }
}

/// TLS record mode (3DES/DES CBC suites): one whole record per update, in place; encrypt
/// pads, decrypt removes explicit IV, padding and MAC in constant time (MAC to tls-mac).
int tls_record(PlainCtx *c, unsigned char *out, size_t *outl, size_t outsize,
               const unsigned char *in, size_t inl) {
    const size_t bs = c->info->block;
    if (in == nullptr || in != out || outsize < inl || !c->pad) {
        raise(c->pctx, kReasonBadParam, "TLS record mode needs an in-place record and padding");
        return 0;
    }
    size_t len = inl;
    if (c->enc && (len = tls::add_padding(c->tls.version, out, inl, outsize, bs)) == 0) {
        raise(c->pctx, kReasonOutputTooSmall, "no room for the TLS padding");
        return 0;
    }
    if (len == 0 || len % bs != 0) {
        raise(c->pctx, kReasonBadLength, "TLS record not a multiple of the block size");
        return 0;
    }
    int status = run_plain(c, out, out, len, nullptr, 0);
    if (status != ACRYPTO_OK) return fail(c, status);
    if (c->enc) {
        *outl = len;
        return 1;
    }
    size_t off = 0, n = 0;
    if (!tls::remove_padding_and_mac(libctx(c->pctx), c->tls, out, len, bs, &off, &n)) {
        raise(c->pctx, kReasonBadDecrypt, "bad TLS record");
        return 0;
    }
    *outl = n;
    return 1;
}

int update_impl(PlainCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                const unsigned char *in, size_t inl) {
    if (!c->key.key) {
        raise(c->pctx, kReasonNotInitialized, "no key");
        return 0;
    }
    const size_t bs = c->info->block;
    if (c->tls.version > 0 && bs > 1) return tls_record(c, out, outl, outsize, in, inl);
    if (bs == 1) {
        if (c->info->mode == ACRYPTO_MODE_XTS && inl < 16) {
            raise(c->pctx, kReasonBadLength, "XTS data unit of %zu bytes", inl);
            return 0;
        }
        if (outsize < inl) {
            raise(c->pctx, kReasonOutputTooSmall, "output too small");
            return 0;
        }
        int status = run_plain(c, out, in, inl, nullptr, 0);
        if (status != ACRYPTO_OK) return fail(c, status);
        *outl = inl;
        return 1;
    }
    // Block modes: keep the tail (and, decrypting with padding, one whole block).
    const size_t total = c->bufsz + inl;
    size_t keep = total % bs;
    if (!c->enc && c->pad && keep == 0 && total > 0) keep = bs;
    const size_t n = total - keep;
    if (n == 0) {
        std::memcpy(c->buf + c->bufsz, in, inl);
        c->bufsz = total;
        *outl = 0;
        return 1;
    }
    if (outsize < n) {
        raise(c->pctx, kReasonOutputTooSmall, "output of %zu bytes for %zu", outsize, n);
        return 0;
    }
    const size_t from_in = n - c->bufsz;
    int status = run_plain(c, out, c->buf, c->bufsz, in, from_in);
    if (status != ACRYPTO_OK) return fail(c, status);
    std::memcpy(c->buf, in + from_in, keep);
    c->bufsz = keep;
    *outl = n;
    return 1;
}

/// An update the bound kernel takes whole, as update_impl would hand it over: a stream
/// or XTS piece, or whole blocks with nothing buffered and none held back for unpadding;
/// not in TLS record mode; the same or disjoint buffers.
inline bool kernel_takes(const PlainCtx *c, const unsigned char *out, size_t outsize,
                         const unsigned char *in, size_t inl) noexcept {
    const size_t bs = c->info->block;
    return inl != 0 && outsize >= inl && in != nullptr && out != nullptr && c->key.key &&
           c->tls.version <= 0 && c->bufsz == 0 &&
           (bs == 1 ? c->info->mode != ACRYPTO_MODE_XTS || inl >= 16
                    : inl % bs == 0 && (c->enc || !c->pad)) &&
           same_or_disjoint(in, out, inl);
}

/// A kernel run that failed (not one the kernel declined): raised, 0.
[[gnu::noinline]] int kernel_failed(PlainCtx *c, int status) noexcept {
    try {
        return fail(c, status);
    } catch (...) {
        return 0;
    }
}

/// Every other update: buffering, TLS records, sessions.
[[gnu::noinline]] int update_slow(PlainCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                                  const unsigned char *in, size_t inl) noexcept {
    try {
        return update_impl(c, out, outl, outsize, in, inl);
    } catch (...) {
        return 0;
    }
}

/// ChaCha20's direct path runs this update: the stream was taken over (enter) and the
/// cost model's answer (rearm) says yes.
int run_direct(PlainCtx *c, unsigned char *out, size_t *outl, const unsigned char *in,
               size_t inl) noexcept {
    if (c->direct.run(out, outl, in, inl)) [[likely]]
        return 1;
    c->direct.failed(c->iv, &c->num);
    return kernel_failed(c, ACRYPTO_E_INTERNAL);
}

/// Take a ChaCha20 stream over for the direct path (its iv and num as they are).
bool enter_direct(PlainCtx *c) noexcept {
    try {
        return c->direct.enter(c->pctx, c->key.key->c(), c->enc, c->iv, c->num);
    } catch (...) {
        return false;
    }
}

/// The bound kernel's fast path when `takes` (kernel_takes), else buffering, TLS records
/// and sessions: the last step of every update the direct path did not run.
inline int kernel_or_slow(PlainCtx *c, bool takes, unsigned char *out, size_t *outl, size_t outsize,
                          const unsigned char *in, size_t inl) noexcept {
    return kernel_update(c, takes, out, outl, in, inl, kernel_failed,
                         [&] { return update_slow(c, out, outl, outsize, in, inl); });
}

/// An update of a context with a direct path (ChaCha20) that the path's own check did not
/// take: the cost model asked (a stream on that path stays there, or one not on it goes
/// there, when it keeps this update on the caller's thread), else kernel_or_slow(), with
/// the stream leaving the direct path first.
[[gnu::noinline]] int update_other(PlainCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                                   const unsigned char *in, size_t inl) noexcept {
    const bool takes = kernel_takes(c, out, outsize, in, inl);
    if (takes && c->kern.takes(c->pctx, c->opts, inl) && (c->direct.owns() || enter_direct(c))) {
        c->direct.rearm(c->kern.taken_classes(c->pctx, c->opts));
        return run_direct(c, out, outl, in, inl);
    }
    c->direct.leave(c->iv, &c->num);
    return kernel_or_slow(c, takes, out, outl, outsize, in, inl);
}

/// An update of a context with no direct path (XTS, DES): kernel_or_slow(). Out of line,
/// so that the direct path saves no registers for it.
[[gnu::noinline]] int update_kernel(PlainCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                                    const unsigned char *in, size_t inl) noexcept {
    return kernel_or_slow(c, kernel_takes(c, out, outsize, in, inl), out, outl, outsize, in, inl);
}

/// The direct path's whole check per update: a stream on it, same or disjoint buffers, and
/// a size class the cost model keeps on this thread (see DirectStream::wants).
inline bool direct_takes(const PlainCtx *c, const unsigned char *out, size_t outsize,
                         const unsigned char *in, size_t inl) noexcept {
    return c->direct.wants(inl) && outsize >= inl && in != nullptr && out != nullptr &&
           same_or_disjoint(in, out, inl);
}

int plain_update(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
                 const unsigned char *in, size_t inl) {
    auto *c = static_cast<PlainCtx *>(vctx);
    if (direct_takes(c, out, outsize, in, inl)) [[likely]]
        return run_direct(c, out, outl, in, inl);
    return c->direct_ok ? update_other(c, out, outl, outsize, in, inl)
                        : update_kernel(c, out, outl, outsize, in, inl);
}

int final_impl(PlainCtx *c, unsigned char *out, size_t *outl, size_t outsize) {
    *outl = 0;
    const size_t bs = c->info->block;
    if (bs == 1) return 1;
    if (c->tls.version > 0) {
        raise(c->pctx, kReasonBadParam, "no final in TLS record mode");
        return 0;
    }
    if (!c->pad) {
        if (c->bufsz != 0) {
            raise(c->pctx, kReasonBadLength, "data not a multiple of the block size");
            return 0;
        }
        return 1;
    }
    uint8_t block[kMaxBlock];
    if (c->enc) {
        const auto padv = static_cast<uint8_t>(bs - c->bufsz);
        std::memset(c->buf + c->bufsz, padv, padv);
        if (outsize < bs) {
            raise(c->pctx, kReasonOutputTooSmall, "output too small");
            return 0;
        }
        int status = run_plain(c, out, c->buf, bs, nullptr, 0);
        c->bufsz = 0;
        if (status != ACRYPTO_OK) return fail(c, status);
        *outl = bs;
        return 1;
    }
    if (c->bufsz != bs) {
        raise(c->pctx, kReasonBadLength, "wrong final block length");
        return 0;
    }
    int status = run_plain(c, block, c->buf, bs, nullptr, 0);
    c->bufsz = 0;
    if (status != ACRYPTO_OK) return fail(c, status);
    const size_t padv = block[bs - 1];
    bool ok = padv >= 1 && padv <= bs;
    for (size_t i = 0; ok && i < padv; ++i) ok = block[bs - 1 - i] == padv;
    if (!ok || outsize < bs - padv) {
        OPENSSL_cleanse(block, sizeof block);
        raise(c->pctx, kReasonBadDecrypt, "bad decrypt");
        return 0;
    }
    std::memcpy(out, block, bs - padv);
    OPENSSL_cleanse(block, sizeof block);
    *outl = bs - padv;
    return 1;
}

int plain_final(void *vctx, unsigned char *out, size_t *outl, size_t outsize) {
    try {
        return final_impl(static_cast<PlainCtx *>(vctx), out, outl, outsize);
    } catch (...) {
        return 0;
    }
}

int plain_cipher(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
                 const unsigned char *in, size_t inl) {
    try {
        auto *c = static_cast<PlainCtx *>(vctx);
        if (!c->key.key || outsize < inl || inl % c->info->block != 0) return 0;
        int status = run_plain(c, out, in, inl, nullptr, 0);
        if (status != ACRYPTO_OK) return fail(c, status);
        *outl = inl;
        return 1;
    } catch (...) {
        return 0;
    }
}

template <size_t I> int plain_get_params(OSSL_PARAM params[]) {
    const PlainInfo &info = kPlainInfos[I];
    return cipher_get_params(
        params, {info.evp_mode, info.key_len, info.iv_len, info.block, plain_flags(info)});
}

/// A DES or 3DES key of the context's length into `p`: random bytes from the library
/// context's private generator, each byte then given odd parity, as DES_set_odd_parity
/// does. EVP_CIPHER_CTX_rand_key reaches here through EVP_CTRL_RAND_KEY, which states no
/// size (0) for a buffer of the key's length; a size that is stated must hold the key.
bool make_des_key(PlainCtx *c, OSSL_PARAM *p) {
    const size_t n = c->info->key_len;
    if (p->data_type != OSSL_PARAM_OCTET_STRING || p->data == nullptr ||
        (p->data_size != 0 && p->data_size < n)) {
        raise(c->pctx, kReasonBadParam, "%s random key: needs an octet string of %zu bytes",
              c->info->names, n);
        return false;
    }
    auto *k = static_cast<unsigned char *>(p->data);
    if (RAND_priv_bytes_ex(libctx(c->pctx), k, n, 0) != 1) {
        raise(c->pctx, kReasonInternal, "%s random key: the random generator failed",
              c->info->names);
        return false;
    }
    for (size_t i = 0; i < n; ++i) {
        const unsigned high = k[i] & 0xfeu;
        k[i] = static_cast<unsigned char>(high | ((__builtin_popcount(high) & 1) ^ 1));
    }
    p->return_size = n;
    return true;
}

int plain_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<PlainCtx *>(vctx);
    c->direct.sync(c->iv, &c->num);
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IVLEN);
    if (p != nullptr && OSSL_PARAM_set_size_t(p, c->info->iv_len) != 1) return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_KEYLEN)) != nullptr &&
        OSSL_PARAM_set_size_t(p, c->info->key_len) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_PADDING)) != nullptr &&
        OSSL_PARAM_set_uint(p, c->pad ? 1 : 0) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_NUM)) != nullptr &&
        OSSL_PARAM_set_uint(p, c->num) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_IV)) != nullptr &&
        OSSL_PARAM_set_octet_string(p, c->oiv, c->info->iv_len) != 1 &&
        OSSL_PARAM_set_octet_ptr(p, c->oiv, c->info->iv_len) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_UPDATED_IV)) != nullptr &&
        OSSL_PARAM_set_octet_string(p, c->iv, c->info->iv_len) != 1 &&
        OSSL_PARAM_set_octet_ptr(p, c->iv, c->info->iv_len) != 1)
        return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_CIPHER_PARAM_RANDOM_KEY)) != nullptr &&
        (plain_flags(*c->info) & kCipherRandKey) != 0 && !make_des_key(c, p))
        return 0;
    if (!c->tls.get_params(params)) return 0;
    return get_op_params(c->opts, params);
}

int plain_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<PlainCtx *>(vctx);
        if (params == nullptr) return 1;
        const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_PADDING);
        if (p != nullptr) {
            unsigned int pad = 0;
            if (OSSL_PARAM_get_uint(p, &pad) != 1) return 0;
            c->pad = pad != 0 && c->info->block > 1;
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_NUM)) != nullptr) {
            unsigned int num = 0;
            if (OSSL_PARAM_get_uint(p, &num) != 1 || num >= 64) return 0;
            c->direct.leave(c->iv, &c->num); // the next update starts at the new num
            c->num = num;
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_CIPHER_PARAM_KEYLEN)) != nullptr) {
            size_t len = 0;
            if (OSSL_PARAM_get_size_t(p, &len) != 1 || len != c->info->key_len) return 0;
        }
        if (!c->tls.set_params(params)) return 0;
        c->direct.ask_again(); // a device bound now takes the stream off the direct path
        return set_op_params(c->pctx, c->opts, params);
    } catch (...) {
        return 0;
    }
}

/// DES contexts answer from the first entry, the others from the second.
const OSSL_PARAM kCtxGettable[] = {
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_RANDOM_KEY, nullptr, 0),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, nullptr),
    OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, nullptr),
    OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, nullptr),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, nullptr, 0),
    OSSL_PARAM_octet_ptr(OSSL_CIPHER_PARAM_TLS_MAC, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kCtxSettable[] = {OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
                                   OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, nullptr),
                                   OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, nullptr),
                                   OSSL_PARAM_uint(OSSL_CIPHER_PARAM_TLS_VERSION, nullptr),
                                   OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, nullptr),
                                   ACRYPTO_OP_SETTABLE_PARAMS,
                                   OSSL_PARAM_END};

template <size_t I> const OSSL_PARAM *plain_ctx_gettable(void *vctx, void *provctx) {
    return (plain_flags(kPlainInfos[I]) & kCipherRandKey) != 0 ? kCtxGettable : kCtxGettable + 1;
}
const OSSL_PARAM *plain_ctx_settable(void *vctx, void *provctx) { return kCtxSettable; }

#define PLAIN_FN(id, fn)                                                                           \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <size_t I> struct PlainTable { static const OSSL_DISPATCH fns[]; };

template <size_t I>
const OSSL_DISPATCH PlainTable<I>::fns[] = {
    PLAIN_FN(OSSL_FUNC_CIPHER_NEWCTX, plain_newctx<I>),
    PLAIN_FN(OSSL_FUNC_CIPHER_FREECTX, plain_freectx),
    PLAIN_FN(OSSL_FUNC_CIPHER_DUPCTX, plain_dupctx),
    PLAIN_FN(OSSL_FUNC_CIPHER_ENCRYPT_INIT, plain_einit),
    PLAIN_FN(OSSL_FUNC_CIPHER_DECRYPT_INIT, plain_dinit),
    PLAIN_FN(OSSL_FUNC_CIPHER_UPDATE, plain_update),
    PLAIN_FN(OSSL_FUNC_CIPHER_FINAL, plain_final),
    PLAIN_FN(OSSL_FUNC_CIPHER_CIPHER, plain_cipher),
    PLAIN_FN(OSSL_FUNC_CIPHER_GET_PARAMS, plain_get_params<I>),
    PLAIN_FN(OSSL_FUNC_CIPHER_GETTABLE_PARAMS, cipher_gettable_params),
    PLAIN_FN(OSSL_FUNC_CIPHER_GET_CTX_PARAMS, plain_get_ctx_params),
    PLAIN_FN(OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, plain_ctx_gettable<I>),
    PLAIN_FN(OSSL_FUNC_CIPHER_SET_CTX_PARAMS, plain_set_ctx_params),
    PLAIN_FN(OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, plain_ctx_settable),
    {0, nullptr}};

#define PLAIN_ALG(i)                                                                               \
    { kPlainInfos[i].names, "provider=acrypto", PlainTable<i>::fns, "acrypto cipher" }

} // namespace

// kPlainCipherAlgorithms: AES-XTS, ChaCha20, DES, two- and three-key 3DES.
const OSSL_ALGORITHM kPlainCipherAlgorithms[] = {
    PLAIN_ALG(0), PLAIN_ALG(1), PLAIN_ALG(2), PLAIN_ALG(3), PLAIN_ALG(4),
    PLAIN_ALG(5), PLAIN_ALG(6), PLAIN_ALG(7), PLAIN_ALG(8), {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
