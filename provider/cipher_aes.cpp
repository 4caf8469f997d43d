// SPDX-License-Identifier: Apache-2.0
// AES-128/192/256 in ECB, CBC and CTR: streaming update/final, padding, one-shot cipher.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <new>
#include <utility>

#include "acrypto/sched/scheduler.hpp"
#include "algorithms.hpp"
#include "cipher_params.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "inline_kernel.hpp"
#include "op_params.hpp"
#include "param_key.hpp"
#include "provider_state.hpp"
#include "tls_cbc.hpp"

namespace acrypto::prov {

namespace {

using acrypto::sched::Key;
using acrypto::sched::Ref;
using acrypto::sched::Session;

constexpr size_t kBlock = 16;

/// One registered AES variant.
struct AesInfo {
    const char *names;
    uint32_t key_len;
    uint32_t mode; ///< enum acrypto_mode
};

constexpr AesInfo kAesInfos[] = {
    {"AES-256-ECB:2.16.840.1.101.3.4.1.41", 32, ACRYPTO_MODE_ECB},
    {"AES-192-ECB:2.16.840.1.101.3.4.1.21", 24, ACRYPTO_MODE_ECB},
    {"AES-128-ECB:2.16.840.1.101.3.4.1.1", 16, ACRYPTO_MODE_ECB},
    {"AES-256-CBC:AES256:2.16.840.1.101.3.4.1.42", 32, ACRYPTO_MODE_CBC},
    {"AES-192-CBC:AES192:2.16.840.1.101.3.4.1.22", 24, ACRYPTO_MODE_CBC},
    {"AES-128-CBC:AES128:2.16.840.1.101.3.4.1.2", 16, ACRYPTO_MODE_CBC},
    {"AES-256-CTR", 32, ACRYPTO_MODE_CTR},
    {"AES-192-CTR", 24, ACRYPTO_MODE_CTR},
    {"AES-128-CTR", 16, ACRYPTO_MODE_CTR},
};
constexpr size_t kNumAes = sizeof kAesInfos / sizeof kAesInfos[0];

size_t iv_len(const AesInfo *v) { return v->mode == ACRYPTO_MODE_ECB ? 0 : kBlock; }
size_t block_size(const AesInfo *v) { return v->mode == ACRYPTO_MODE_CTR ? 1 : kBlock; }
unsigned int evp_mode(const AesInfo *v) {
    switch (v->mode) {
    case ACRYPTO_MODE_ECB: return 0x1; // EVP_CIPH_ECB_MODE
    case ACRYPTO_MODE_CBC: return 0x2; // EVP_CIPH_CBC_MODE
    default: return 0x5;               // EVP_CIPH_CTR_MODE
    }
}

struct AesCtx {
    ProvCtx *pctx = nullptr;
    const AesInfo *info = nullptr;
    OpOptions opts;
    Ref<Key> key;
    uint64_t key_generation = 0;
    alignas(16) uint8_t iv[kBlock] = {};
    uint8_t oiv[kBlock] = {};
    uint32_t num = 0;
    uint8_t buf[kBlock] = {};
    size_t bufsz = 0;
    bool enc = true;
    bool pad = true;
    bool key_set = false;
    bool iv_set = false;
    tls::RecordMode tls; ///< TLS record mode (block modes): tls-version, tls-mac-size, tls-mac
    InlineSession inl;   ///< reused for inline runs (run_cipher)
    InlineKernel kern;   ///< the bound device kernel, once an inline run succeeded
};

void free_key(AesCtx *c) {
    if (c->key && c->key_generation != fork_generation()) {
        // Made by a scheduler abandoned at fork(): never call into it. Wipe, leak.
        const acrypto_key &k = c->key->c();
        OPENSSL_cleanse(const_cast<uint8_t *>(k.data), k.len);
        (void)c->key.release();
    }
    c->key.reset();
}

/// Make sure the key context belongs to the current scheduler (after fork()).
bool fresh_key(AesCtx *c) {
    if (c->key_generation == fork_generation()) return true;
    acrypto::sched::SchedulerCore *sc = scheduler(c->pctx);
    if (sc == nullptr) return false;
    const acrypto_key &k = c->key->c();
    Ref<Key> nk = sc->make_key(ACRYPTO_ALG_AES, k.data, k.len);
    free_key(c);
    c->key = nk;
    c->key_generation = fork_generation();
    return true;
}

/// Run `len` bytes (block multiple for ECB/CBC) from `in` to `out` through a session.
/// Fill `st` for `len` bytes with the context's mode, direction, IV and counter state.
void fill_step(const AesCtx *c, acrypto_step &st, size_t len) {
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = ACRYPTO_ALG_AES;
    st.mode = c->info->mode;
    st.dir = c->enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
    st.iv_len = static_cast<uint32_t>(iv_len(c->info));
    std::memcpy(st.iv, c->iv, kBlock);
    st.num = c->num;
    st.src_len = len;
    st.dst_len = len;
}

/// Run `len` bytes (block multiple for ECB/CBC) from `in` to `out` through a session.
int run_cipher(AesCtx *c, uint8_t *out, const uint8_t *in, size_t len) {
    if (len == 0) return ACRYPTO_OK;
    const bool exact = in == out;
    const bool disjoint = in + len <= out || out + len <= in;
    if (exact || disjoint) {
        // The fast path: the bound kernel, when the cost model keeps this inline.
        const int k = c->kern.run(c->pctx, c->opts, in, out, len, c->iv, &c->num);
        if (k != ACRYPTO_E_UNSUPPORTED) return k;
    }
    if (!fresh_key(c)) return ACRYPTO_E_SHUTDOWN;
    if (exact || disjoint) {
        // Inline: the context's own session on the caller's buffers (nothing outlives this call).
        Session *s = c->inl.arm(c->opts, c->key);
        if (s == nullptr) return ACRYPTO_E_NOMEM;
        acrypto_step &st = s->step(0);
        fill_step(c, st, len);
        st.src = in;
        st.dst = out;
        st.flags = exact ? uint32_t{ACRYPTO_STEP_F_INPLACE} : 0u;
        if (inline_preferred(c->pctx, *s)) {
            // The first run under a key binds the kernel and runs in it: a session would
            // key the device's own context as well, which a key used for a few blocks pays
            // in full (the default provider's DRBG, fetching AES through acrypto, takes a
            // new key for every generate: 13 times per TLS 1.3 handshake under HAProxy,
            // inside its ASYNC jobs). Inside a job too: that was excluded once, when a
            // LeakSanitizer crash at exit was blamed on a kernel run there, a crash since
            // traced to where the heap put a TLS block (see t_caller in pk/pk_common.cpp)
            // and fixed there.
            if (!c->kern.bound() && !c->kern.refused()) {
                c->kern.bind_after_inline(c->pctx, c->opts, st);
                const int k = c->kern.run(c->pctx, c->opts, in, out, len, c->iv, &c->num);
                if (k != ACRYPTO_E_UNSUPPORTED) return k;
            }
            int status = run_inline_now(c->pctx, *s);
            if (status != ACRYPTO_E_UNSUPPORTED) {
                if (status == ACRYPTO_OK) {
                    std::memcpy(c->iv, st.iv, kBlock);
                    c->num = st.num;
                    c->kern.bind_after_inline(c->pctx, c->opts, st);
                }
                return status;
            }
        }
    }
    // Offloaded: a fresh session owning a copy of the input.
    Ref<Session> s = Session::make(1, len + 64);
    if (!s) return ACRYPTO_E_NOMEM;
    apply_options(c->opts, *s);
    acrypto_step &st = s->step(0);
    fill_step(c, st, len);
    s->set_key(0, c->key);
    uint8_t *mem = s->alloc(len);
    if (mem == nullptr) return ACRYPTO_E_NOMEM;
    std::memcpy(mem, in, len);
    st.src = mem;
    st.dst = mem;
    st.flags = ACRYPTO_STEP_F_INPLACE;
    int status = execute(c->pctx, s, ExecMode::Offload);
    if (status == ACRYPTO_OK) {
        if (st.out_len != 0 && st.out_len != len) return ACRYPTO_E_INTERNAL;
        std::memcpy(out, mem, len);
        std::memcpy(c->iv, st.iv, kBlock);
        c->num = st.num;
        // ECB/CBC encryption wrote ciphertext over every plaintext byte: nothing to wipe.
        // (CTR may decrypt in either direction, so its arena is wiped.)
        if (c->enc && (c->info->mode == ACRYPTO_MODE_CBC || c->info->mode == ACRYPTO_MODE_ECB))
            s->arena_holds_no_secret();
    }
    return status;
}

int raise_run(AesCtx *c, int status) {
    raise_status(c->pctx, status, c->enc ? "AES encryption" : "AES decryption");
    return 0;
}

extern "C" {

void aes_freectx(void *vctx) {
    auto *c = static_cast<AesCtx *>(vctx);
    if (c == nullptr) return;
    free_key(c);
    OPENSSL_cleanse(c->buf, sizeof c->buf);
    c->tls.clear_mac();
    delete c;
}

void *aes_dupctx(void *vctx) {
    try {
        auto *c = static_cast<AesCtx *>(vctx);
        auto *d = new (std::nothrow) AesCtx(*c);
        return d;
    } catch (...) {
        return nullptr;
    }
}

int aes_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

int aes_init(AesCtx *c, bool enc, const unsigned char *key, size_t keylen, const unsigned char *iv,
             size_t ivlen, const OSSL_PARAM params[]) {
    try {
        if (c->enc != enc) c->kern.reset(); // a kernel runs one direction
        c->enc = enc;
        c->bufsz = 0;
        c->num = 0;
        if (iv != nullptr) {
            if (ivlen != iv_len(c->info)) {
                raise(c->pctx, kReasonBadIvLength, "IV length %zu, expected %zu", ivlen,
                      iv_len(c->info));
                return 0;
            }
            if (ivlen != 0) {
                std::memcpy(c->iv, iv, ivlen);
                std::memcpy(c->oiv, iv, ivlen);
            }
            c->iv_set = true;
        } else if (c->iv_set) {
            std::memcpy(c->iv, c->oiv, kBlock); // re-init restarts from the original IV
        }
        if (key != nullptr) {
            if (keylen != c->info->key_len) {
                raise(c->pctx, kReasonBadKeyLength, "key length %zu, expected %u", keylen,
                      c->info->key_len);
                return 0;
            }
            if (c->key_set && c->key && c->key_generation == fork_generation() &&
                CRYPTO_memcmp(c->key->c().data, key, keylen) == 0) {
                // The same key again (a re-init per message): keep the key context
                // and the kernel bound to it.
                return aes_set_ctx_params(c, params);
            }
            acrypto::sched::SchedulerCore *sc = scheduler(c->pctx);
            if (sc == nullptr) {
                raise_status(c->pctx, ACRYPTO_E_SHUTDOWN, "AES key setup");
                return 0;
            }
            free_key(c);
            c->kern.reset();
            c->key = sc->make_key(ACRYPTO_ALG_AES, key, keylen);
            c->key_generation = fork_generation();
            if (!c->key) {
                raise(c->pctx, kReasonNoMemory, "key context");
                return 0;
            }
            c->key_set = true;
        }
        return aes_set_ctx_params(c, params);
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES init");
        return 0;
    }
}

int aes_einit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
              size_t ivlen, const OSSL_PARAM params[]) {
    return aes_init(static_cast<AesCtx *>(vctx), true, key, keylen, iv, ivlen, params);
}

int aes_dinit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
              size_t ivlen, const OSSL_PARAM params[]) {
    return aes_init(static_cast<AesCtx *>(vctx), false, key, keylen, iv, ivlen, params);
}

bool ready(AesCtx *c) {
    if (!c->key_set || (iv_len(c->info) != 0 && !c->iv_set)) {
        raise(c->pctx, kReasonNotInitialized, c->key_set ? "no IV set" : "no key set");
        return false;
    }
    return true;
}

/// TLS record mode: each update is one whole record, in place. Encrypt adds the padding;
/// decrypt removes explicit IV, padding and MAC in constant time (the MAC goes to tls-mac).
int tls_record(AesCtx *c, unsigned char *out, size_t *outl, size_t outsize, const unsigned char *in,
               size_t inl) {
    if (in == nullptr || in != out || outsize < inl || !c->pad) {
        raise(c->pctx, kReasonBadParam, "TLS record mode needs an in-place record and padding");
        return 0;
    }
    size_t len = inl;
    if (c->enc) {
        len = tls::add_padding(c->tls.version, out, inl, outsize, kBlock);
        if (len == 0) {
            raise(c->pctx, kReasonOutputTooSmall, "no room for the TLS padding");
            return 0;
        }
    }
    if (len == 0 || len % kBlock != 0) {
        raise(c->pctx, kReasonBadLength, "TLS record not a multiple of the block length");
        return 0;
    }
    int st = run_cipher(c, out, out, len);
    if (st != ACRYPTO_OK) return raise_run(c, st);
    if (c->enc) {
        *outl = len;
        return 1;
    }
    size_t off = 0, n = 0;
    if (!tls::remove_padding_and_mac(libctx(c->pctx), c->tls, out, len, kBlock, &off, &n)) {
        raise(c->pctx, kReasonBadDecrypt, "bad TLS record");
        return 0;
    }
    *outl = n;
    return 1;
}

/// The common update: CTR of any length, or whole blocks with none buffered and no
/// block held back for unpadding; no TLS record mode; buffers the same or disjoint.
/// Such an update goes straight to the bound kernel.
inline bool kernel_takes(const AesCtx *c, const unsigned char *out, size_t outsize,
                         const unsigned char *in, size_t inl) noexcept {
    const uint32_t mode = c->info->mode;
    return c->bufsz == 0 && inl != 0 && outsize >= inl && in != nullptr && out != nullptr &&
           c->key_set && c->tls.version <= 0 &&
           (mode == ACRYPTO_MODE_CTR ? c->iv_set
                                     : inl % kBlock == 0 && (c->enc || !c->pad) &&
                                           (mode == ACRYPTO_MODE_ECB || c->iv_set)) &&
           (in == out || in + inl <= out || out + inl <= in);
}

/// A kernel run that failed (not one the kernel declined): raised, 0.
[[gnu::noinline]] int kernel_failed(AesCtx *c, int status) noexcept {
    try {
        return raise_run(c, status);
    } catch (...) {
        return 0;
    }
}

/// Every other update: buffering, CTR, TLS records, sessions.
[[gnu::noinline]] int update_slow(AesCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                                  const unsigned char *in, size_t inl);

int aes_update(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
               const unsigned char *in, size_t inl) {
    auto *c = static_cast<AesCtx *>(vctx);
    return kernel_update(c, kernel_takes(c, out, outsize, in, inl), out, outl, in, inl,
                         kernel_failed,
                         [&] { return update_slow(c, out, outl, outsize, in, inl); });
}

int update_slow(AesCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                const unsigned char *in, size_t inl) {
    try {
        if (!ready(c)) return 0;
        if (c->tls.version > 0 && c->info->mode != ACRYPTO_MODE_CTR)
            return tls_record(c, out, outl, outsize, in, inl);
        if (inl == 0) {
            *outl = 0;
            return 1;
        }
        if (out == nullptr || in == nullptr) {
            raise(c->pctx, kReasonBadParam, "NULL buffer");
            return 0;
        }
        if (c->info->mode == ACRYPTO_MODE_CTR) {
            if (outsize < inl) {
                raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", inl);
                return 0;
            }
            int st = run_cipher(c, out, in, inl);
            if (st != ACRYPTO_OK) return raise_run(c, st);
            *outl = inl;
            return 1;
        }
        size_t total = c->bufsz + inl;
        size_t nout = total - total % kBlock;
        // Decrypting with padding keeps the last full block for final().
        if (!c->enc && c->pad && nout == total && nout != 0) nout -= kBlock;
        if (outsize < nout) {
            raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", nout);
            return 0;
        }
        size_t used = 0;
        size_t written = 0;
        if (c->bufsz != 0 && nout != 0) {
            // Complete the buffered block first.
            size_t take = kBlock - c->bufsz;
            std::memcpy(c->buf + c->bufsz, in, take);
            used = take;
            int st = run_cipher(c, out, c->buf, kBlock);
            if (st != ACRYPTO_OK) return raise_run(c, st);
            c->bufsz = 0;
            written = kBlock;
        }
        size_t direct = nout - written;
        if (direct != 0) {
            int st = run_cipher(c, out + written, in + used, direct);
            if (st != ACRYPTO_OK) return raise_run(c, st);
            used += direct;
            written += direct;
        }
        size_t rest = inl - used;
        if (rest != 0) std::memcpy(c->buf + c->bufsz, in + used, rest);
        c->bufsz += rest;
        *outl = written;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES update");
        return 0;
    }
}

int aes_final(void *vctx, unsigned char *out, size_t *outl, size_t outsize) {
    auto *c = static_cast<AesCtx *>(vctx);
    try {
        if (!ready(c)) return 0;
        *outl = 0;
        if (c->info->mode == ACRYPTO_MODE_CTR) return 1;
        if (c->tls.version > 0) {
            raise(c->pctx, kReasonBadParam, "no final in TLS record mode");
            return 0;
        }
        if (c->enc) {
            if (!c->pad) {
                if (c->bufsz != 0) {
                    raise(c->pctx, kReasonBadLength, "data not a multiple of the block length");
                    return 0;
                }
                return 1;
            }
            if (outsize < kBlock) {
                raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", kBlock);
                return 0;
            }
            uint8_t padv = static_cast<uint8_t>(kBlock - c->bufsz);
            std::memset(c->buf + c->bufsz, padv, padv);
            int st = run_cipher(c, out, c->buf, kBlock);
            c->bufsz = 0;
            if (st != ACRYPTO_OK) return raise_run(c, st);
            *outl = kBlock;
            return 1;
        }
        if (!c->pad) {
            if (c->bufsz != 0) {
                raise(c->pctx, kReasonBadLength, "data not a multiple of the block length");
                return 0;
            }
            return 1;
        }
        if (c->bufsz != kBlock) {
            raise(c->pctx, kReasonBadLength, "wrong final block length");
            return 0;
        }
        uint8_t blk[kBlock];
        int st = run_cipher(c, blk, c->buf, kBlock);
        c->bufsz = 0;
        if (st != ACRYPTO_OK) return raise_run(c, st);
        unsigned padv = blk[kBlock - 1];
        bool bad = padv == 0 || padv > kBlock;
        for (unsigned i = 0; !bad && i < padv; ++i) bad = blk[kBlock - 1 - i] != padv;
        if (bad) {
            OPENSSL_cleanse(blk, sizeof blk);
            raise(c->pctx, kReasonBadDecrypt, "bad padding");
            return 0;
        }
        size_t n = kBlock - padv;
        if (outsize < n) {
            raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", n);
            return 0;
        }
        std::memcpy(out, blk, n);
        OPENSSL_cleanse(blk, sizeof blk);
        *outl = n;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES final");
        return 0;
    }
}

int aes_cipher(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
               const unsigned char *in, size_t inl) {
    auto *c = static_cast<AesCtx *>(vctx);
    try {
        if (!ready(c)) return 0;
        if (c->info->mode != ACRYPTO_MODE_CTR && inl % kBlock != 0) {
            raise(c->pctx, kReasonBadLength, "input not a multiple of the block length");
            return 0;
        }
        if (outsize < inl) {
            raise(c->pctx, kReasonOutputTooSmall, "need %zu bytes", inl);
            return 0;
        }
        if (inl != 0 && (out == nullptr || in == nullptr)) {
            raise(c->pctx, kReasonBadParam, "NULL buffer");
            return 0;
        }
        int st = run_cipher(c, out, in, inl);
        if (st != ACRYPTO_OK) return raise_run(c, st);
        *outl = inl;
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES cipher");
        return 0;
    }
}

const OSSL_PARAM kGettableCtxParams[] = {
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, nullptr),
    OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, nullptr),
    OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, nullptr),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, nullptr, 0),
    OSSL_PARAM_octet_ptr(OSSL_CIPHER_PARAM_TLS_MAC, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};

const OSSL_PARAM kSettableCtxParams[] = {OSSL_PARAM_uint(OSSL_CIPHER_PARAM_PADDING, nullptr),
                                         OSSL_PARAM_uint(OSSL_CIPHER_PARAM_NUM, nullptr),
                                         OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
                                         OSSL_PARAM_uint(OSSL_CIPHER_PARAM_TLS_VERSION, nullptr),
                                         OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, nullptr),
                                         ACRYPTO_OP_SETTABLE_PARAMS,
                                         OSSL_PARAM_END};

const OSSL_PARAM *aes_gettable_ctx_params(void *, void *) { return kGettableCtxParams; }
const OSSL_PARAM *aes_settable_ctx_params(void *, void *) { return kSettableCtxParams; }

int aes_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<AesCtx *>(vctx);
    try {
        // One pass over the request (EVP asks for ivlen on every update in 3.0).
        for (OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
            const char *k = p->key;
            int ok = 1;
            if (key_is(k, OSSL_CIPHER_PARAM_IVLEN))
                ok = OSSL_PARAM_set_size_t(p, iv_len(c->info));
            else if (key_is(k, OSSL_CIPHER_PARAM_KEYLEN))
                ok = OSSL_PARAM_set_size_t(p, c->info->key_len);
            else if (key_is(k, OSSL_CIPHER_PARAM_PADDING))
                ok = OSSL_PARAM_set_uint(p, c->pad ? 1 : 0);
            else if (key_is(k, OSSL_CIPHER_PARAM_NUM))
                ok = OSSL_PARAM_set_uint(p, c->num);
            else if (key_is(k, OSSL_CIPHER_PARAM_IV))
                ok = OSSL_PARAM_set_octet_string(p, c->oiv, iv_len(c->info)) ||
                     OSSL_PARAM_set_octet_ptr(p, c->oiv, iv_len(c->info));
            else if (key_is(k, OSSL_CIPHER_PARAM_UPDATED_IV))
                ok = OSSL_PARAM_set_octet_string(p, c->iv, iv_len(c->info)) ||
                     OSSL_PARAM_set_octet_ptr(p, c->iv, iv_len(c->info));
            else if (key_is(k, OSSL_CIPHER_PARAM_TLS_MAC))
                ok = OSSL_PARAM_set_octet_ptr(p, c->tls.mac, c->tls.mac_size);
            else if (key_is(k, kParamPriority))
                ok = OSSL_PARAM_set_uint(p, c->opts.priority);
            else if (key_is(k, kParamDevice))
                ok = OSSL_PARAM_set_utf8_string(p, c->opts.device);
            if (!ok) {
                raise(c->pctx, kReasonBadParam, "cannot return cipher parameter %s", k);
                return 0;
            }
        }
        return 1;
    } catch (...) {
        return 0;
    }
}

int aes_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    auto *c = static_cast<AesCtx *>(vctx);
    try {
        for (const OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
            const char *k = p->key;
            if (key_is(k, OSSL_CIPHER_PARAM_PADDING)) {
                unsigned int v = 0;
                if (!OSSL_PARAM_get_uint(p, &v)) {
                    raise(c->pctx, kReasonBadParam, "padding");
                    return 0;
                }
                c->pad = v != 0;
            } else if (key_is(k, OSSL_CIPHER_PARAM_NUM)) {
                unsigned int v = 0;
                if (!OSSL_PARAM_get_uint(p, &v) || v >= kBlock) {
                    raise(c->pctx, kReasonBadParam, "num");
                    return 0;
                }
                c->num = v;
            } else if (key_is(k, OSSL_CIPHER_PARAM_KEYLEN)) {
                size_t v = 0;
                if (!OSSL_PARAM_get_size_t(p, &v) || v != c->info->key_len) {
                    raise(c->pctx, kReasonBadKeyLength, "key length cannot change");
                    return 0;
                }
            } else if (key_is(k, OSSL_CIPHER_PARAM_TLS_VERSION) ||
                       key_is(k, OSSL_CIPHER_PARAM_TLS_MAC_SIZE)) {
                const OSSL_PARAM one[] = {*p, OSSL_PARAM_END};
                if (!c->tls.set_params(one)) {
                    raise(c->pctx, kReasonBadParam, "%s", k);
                    return 0;
                }
            } else if (std::strncmp(k, "acrypto-", 8) == 0) {
                const OSSL_PARAM one[] = {*p, OSSL_PARAM_END};
                if (!set_op_params(c->pctx, c->opts, one)) return 0;
            }
        }
        return 1;
    } catch (...) {
        raise(c->pctx, kReasonInternal, "AES set params");
        return 0;
    }
}

} // extern "C"

template <size_t I> int aes_get_params(OSSL_PARAM params[]) {
    const AesInfo *v = &kAesInfos[I];
    return cipher_get_params(params, {evp_mode(v), v->key_len, iv_len(v), block_size(v), 0});
}

template <size_t I> void *aes_newctx(void *provctx) {
    try {
        auto *pctx = static_cast<ProvCtx *>(provctx);
        auto *c = new (std::nothrow) AesCtx;
        if (c == nullptr) return nullptr;
        c->pctx = pctx;
        c->info = &kAesInfos[I];
        c->opts = default_options(pctx, c->info->names);
        return c;
    } catch (...) {
        return nullptr;
    }
}

#define ACRYPTO_FN(id, fn)                                                                         \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <size_t I> struct AesDispatch {
    static inline const OSSL_DISPATCH table[] = {
        ACRYPTO_FN(OSSL_FUNC_CIPHER_NEWCTX, &aes_newctx<I>),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_FREECTX, &aes_freectx),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_DUPCTX, &aes_dupctx),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_ENCRYPT_INIT, &aes_einit),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_DECRYPT_INIT, &aes_dinit),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_UPDATE, &aes_update),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_FINAL, &aes_final),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_CIPHER, &aes_cipher),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_GET_PARAMS, &aes_get_params<I>),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_GET_CTX_PARAMS, &aes_get_ctx_params),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_SET_CTX_PARAMS, &aes_set_ctx_params),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_GETTABLE_PARAMS, &cipher_gettable_params),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, &aes_gettable_ctx_params),
        ACRYPTO_FN(OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, &aes_settable_ctx_params),
        {0, nullptr}};
};

template <size_t... I>
std::array<OSSL_ALGORITHM, sizeof...(I)> make_aes_table(std::index_sequence<I...>) {
    return {{{kAesInfos[I].names, kPropDefinition, AesDispatch<I>::table, nullptr}...}};
}

} // namespace

void append_cipher_algorithms(std::vector<OSSL_ALGORITHM> &out) {
    // One OSSL_ALGORITHM per AES variant: names, "provider=acrypto", dispatch.
    auto table = make_aes_table(std::make_index_sequence<kNumAes>{});
    out.insert(out.end(), table.begin(), table.end());
    append_cbc_hmac_algorithms(out); // AES-CBC-HMAC-SHA1/SHA256 (cipher_cbc_hmac.cpp)
}

} // namespace acrypto::prov
