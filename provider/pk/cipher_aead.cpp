// SPDX-License-Identifier: Apache-2.0
// AEAD ciphers AES-GCM and ChaCha20-Poly1305: streaming EVP API, TLS 1.2 record mode, TLS 1.3
// pattern.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <new>
#include <vector>

#include "acrypto/ossl/impl.hpp"
#include "cipher_params.hpp"
#include "direct_digest.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "inline_kernel.hpp"
#include "op_params.hpp"
#include "param_key.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

using acrypto::ossl::CipherCtx;

constexpr size_t kTagLen = 16;
constexpr size_t kTlsAadLen = 13;         // EVP_AEAD_TLS1_AAD_LEN
constexpr size_t kGcmExplicitIv = 8;      // EVP_GCM_TLS_EXPLICIT_IV_LEN
constexpr size_t kGcmFixedIv = 4;         // EVP_GCM_TLS_FIXED_IV_LEN
constexpr unsigned int kEvpGcmMode = 0x6; // EVP_CIPH_GCM_MODE

struct AeadInfo {
    const char *names;
    uint32_t alg;
    uint32_t mode;
    size_t key_len;
    size_t iv_len;
};

constexpr AeadInfo kAeadInfos[] = {
    {"AES-128-GCM:id-aes128-GCM:2.16.840.1.101.3.4.1.6", ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 16, 12},
    {"AES-192-GCM:id-aes192-GCM:2.16.840.1.101.3.4.1.26", ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 24,
     12},
    {"AES-256-GCM:id-aes256-GCM:2.16.840.1.101.3.4.1.46", ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 32,
     12},
    {"ChaCha20-Poly1305", ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, 32, 12},
};

struct AeadCtx {
    ProvCtx *pctx = nullptr;
    const AeadInfo *info = nullptr;
    OpOptions opts;
    SymKey key;
    bool enc = true;
    uint8_t iv[ACRYPTO_MAX_IV] = {};
    size_t ivlen = 12;
    bool iv_set = false;
    std::vector<uint8_t> aad;
    std::vector<uint8_t> payload; ///< every payload byte of this message so far
    size_t out_done = 0;
    bool ran = false; ///< a session covered `payload`
    int last_status = ACRYPTO_OK;
    bool checked = false;      ///< last session checked `tag` itself
    uint8_t tag[kTagLen] = {}; ///< encrypt: computed; decrypt: expected
    size_t taglen = kTagLen;
    bool tag_set = false;
    uint8_t computed[kTagLen] = {};
    // TLS 1.2 record mode.
    uint8_t tls_aad[kTlsAadLen] = {};
    bool tls_aad_set = false;
    size_t tls_payload = 0;
    bool iv_gen = false;
    uint8_t fixed_nonce[12] = {}; ///< ChaCha20-Poly1305 TLS nonce
    /// A message fed in several payload updates continues in software (see update_impl).
    CipherCtx sw;
    /// The direct path (start_direct): a default-provider context keyed once for key
    /// `direct_key_id`, direction and IV length; each message sets only its IV.
    CipherCtx direct;
    uint64_t direct_key_id = 0;
    bool direct_enc = true;
    size_t direct_ivlen = 0;
    bool direct_open = false;    ///< this message runs in `direct`
    InlineSession inl;           ///< reused for inline runs (run_aead)
    uint32_t unbound_direct = 0; ///< messages run direct before a kernel was bound
    /// The bound device kernel: after an inline run, or at the kBindAfter-th direct message.
    InlineKernel kern;
};

static_assert(std::size(kAeadInfos) <= kDirectChaCha20Slot,
              "one direct cipher slot per AEAD algorithm, before ChaCha20's");

bool is_gcm(const AeadCtx *c) { return c->info->mode == ACRYPTO_MODE_GCM; }

/// The software context this message streams through, if any: a continuation
/// (sw) or the direct path.
CipherCtx *stream_ctx(AeadCtx *c) { return c->sw ? &c->sw : c->direct_open ? &c->direct : nullptr; }

void reset_message(AeadCtx *c) {
    c->sw.close();
    c->aad.clear();
    if (c->enc &&
        !c->payload.empty()) // plaintext kept for a continuation; ciphertext is not secret
        explicit_bzero(c->payload.data(), c->payload.size());
    c->payload.clear();
    c->out_done = 0;
    c->direct_open = false;
    c->ran = false;
    c->last_status = ACRYPTO_OK;
    c->checked = false;
}

/// Forget the bound kernel, and the direct messages counted towards binding one.
void drop_kernel(AeadCtx *c) {
    c->kern.reset();
    c->unbound_direct = 0;
}

/// The step of one message of `c` (`aad_len` and `len` bytes; no buffers, IV or tag yet).
void fill_shape(const AeadCtx *c, acrypto_step &st, size_t aad_len, size_t len) {
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = c->info->alg;
    st.mode = c->info->mode;
    st.dir = c->enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
    st.iv_len = static_cast<uint32_t>(c->ivlen);
    st.aad_len = aad_len;
    st.src_len = len;
    st.dst_len = len;
    st.tag_len = c->enc ? static_cast<uint32_t>(c->taglen) : 0;
}

/**
 * One AEAD session over (aad, src) with `iv`. Decrypt checks `expect` when given,
 * else the device returns the tag it computed. Run inline, the step points at
 * the caller's memory (nothing outlives the call, no copy); offloaded, the
 * inputs are copied into the session and the output copied out.
 */
int run_aead(AeadCtx *c, const uint8_t *iv, const uint8_t *aad, size_t aad_len, const uint8_t *src,
             size_t len, uint8_t *out, const uint8_t *expect, size_t expect_len, uint8_t *tag_out) {
    if (!sym_key_fresh(c->pctx, c->key)) return ACRYPTO_E_SHUTDOWN;
    auto fill = [&](acrypto_step &st) {
        fill_shape(c, st, aad_len, len);
        std::memcpy(st.iv, iv, c->ivlen);
        if (!c->enc && expect != nullptr) {
            st.tag_len = static_cast<uint32_t>(expect_len);
            std::memcpy(st.tag, expect, expect_len);
        }
    };
    const bool exact = src == out;
    const bool disjoint = len == 0 || src + len <= out || out + len <= src;
    // The fast path: the bound kernel takes whole messages that return a tag
    // (encrypt) or check one (decrypt), when the cost model keeps them inline.
    const bool tagged = c->enc ? tag_out != nullptr : expect != nullptr && tag_out == nullptr;
    if ((exact || disjoint) && tagged) {
        uint8_t tag[kTagLen];
        if (!c->enc) std::memcpy(tag, expect, expect_len);
        const int k = c->kern.run_aead(c->pctx, c->opts, iv, c->ivlen, aad, aad_len, src, out, len,
                                       tag, c->enc ? kTagLen : expect_len);
        if (k != ACRYPTO_E_UNSUPPORTED) {
            if (k == ACRYPTO_OK && c->enc) std::memcpy(tag_out, tag, kTagLen);
            return k;
        }
    }
    if (exact || disjoint) {
        // Inline: the context's own session on the caller's buffers.
        acrypto::sched::Session *s = c->inl.arm(c->opts, c->key.key);
        if (s == nullptr) return ACRYPTO_E_NOMEM;
        acrypto_step &st = s->step(0);
        fill(st);
        uint8_t none = 0;
        st.aad = aad_len > 0 ? aad : nullptr;
        st.src = len > 0 ? src : &none;
        st.dst = len > 0 ? out : &none;
        st.flags = exact && len > 0 ? uint32_t{ACRYPTO_STEP_F_INPLACE} : 0u;
        if (inline_preferred(c->pctx, *s)) {
            int status = run_inline_now(c->pctx, *s);
            if (status != ACRYPTO_E_UNSUPPORTED) {
                if (status == ACRYPTO_OK && tag_out != nullptr)
                    std::memcpy(tag_out, st.tag, kTagLen);
                if ((status == ACRYPTO_OK || status == ACRYPTO_E_VERIFY) && tagged)
                    c->kern.bind_after_inline(c->pctx, c->opts, st);
                return status;
            }
        }
    }
    // Offloaded: a fresh session owning copies of the inputs.
    auto s = make_session(c->opts, aad_len + 2 * len + 64);
    if (!s) return ACRYPTO_E_NOMEM;
    acrypto_step &st = s->step(0);
    fill(st);
    s->set_key(0, c->key.key);
    st.aad = aad_len > 0 ? arena_copy(*s, aad, aad_len) : nullptr;
    st.src = arena_copy(*s, src, len);
    st.dst = s->alloc(len == 0 ? 1 : len);
    if (st.src == nullptr || st.dst == nullptr || (aad_len > 0 && st.aad == nullptr))
        return ACRYPTO_E_NOMEM;
    int status = execute(c->pctx, s, ExecMode::Offload);
    if ((status == ACRYPTO_OK || status == ACRYPTO_E_VERIFY) && len > 0)
        std::memcpy(out, st.dst, len);
    if (status == ACRYPTO_OK && tag_out != nullptr) std::memcpy(tag_out, st.tag, kTagLen);
    return status;
}

/// Run the whole message (AAD, and `len` payload bytes from `in` to `out`).
int run_message(AeadCtx *c, const uint8_t *in, uint8_t *out, size_t len) {
    const bool check = !c->enc && c->tag_set;
    // Decrypting with the expected tag already set (libssl sets it first), the device
    // checks it and nothing is computed to compare: such messages take the kernel too.
    uint8_t *tag_out = c->enc ? c->tag : check ? nullptr : c->computed;
    int status = run_aead(c, c->iv, c->aad.data(), c->aad.size(), in, len, out,
                          check ? c->tag : nullptr, c->taglen, tag_out);
    if (status == ACRYPTO_OK || status == ACRYPTO_E_VERIFY) {
        c->ran = true;
        c->checked = check;
        c->last_status = status;
        status = ACRYPTO_OK;
    }
    return status;
}

// ---- TLS 1.2 record mode -------------------------------------------------------------

int tls_record(AeadCtx *c, uint8_t *out, size_t *outl, const uint8_t *in, size_t len) {
    c->tls_aad_set = false; // one record per tlsaad, as OpenSSL does
    const size_t explicit_iv = is_gcm(c) ? kGcmExplicitIv : 0;
    if (out != in || len < explicit_iv + kTagLen) {
        raise(c->pctx, kReasonBadLength, "TLS record of %zu bytes (in place, with tag)", len);
        return 0;
    }
    uint8_t nonce[12];
    if (is_gcm(c)) {
        if (c->enc) {
            if (!c->iv_gen) {
                raise(c->pctx, kReasonNotInitialized, "TLS GCM without a fixed IV");
                return 0;
            }
            std::memcpy(out, c->iv + c->ivlen - kGcmExplicitIv, kGcmExplicitIv);
            std::memcpy(nonce, c->iv, 12);
            // Invocation counter: the last 8 bytes, big-endian, for the next record.
            for (int i = 11; i >= 4; --i)
                if (++c->iv[i] != 0) break;
        } else {
            std::memcpy(c->iv + kGcmFixedIv, in, kGcmExplicitIv);
            std::memcpy(nonce, c->iv, 12);
        }
    } else {
        std::memcpy(nonce, c->fixed_nonce, 12);
        for (int i = 0; i < 8; ++i) nonce[4 + i] ^= c->tls_aad[i];
    }
    const size_t plen = len - explicit_iv - kTagLen;
    const uint8_t *payload = in + explicit_iv;
    uint8_t *dst = out + explicit_iv;
    int status = c->enc ? run_aead(c, nonce, c->tls_aad, kTlsAadLen, payload, plen, dst, nullptr, 0,
                                   dst + plen)
                        : run_aead(c, nonce, c->tls_aad, kTlsAadLen, payload, plen, dst,
                                   payload + plen, kTagLen, nullptr);
    if (status != ACRYPTO_OK) {
        OPENSSL_cleanse(dst, plen);
        if (status != ACRYPTO_E_VERIFY) raise_status(c->pctx, status, "TLS record");
        return 0;
    }
    *outl = c->enc ? len : plen;
    return 1;
}

int set_tls_aad(AeadCtx *c, const OSSL_PARAM *p) {
    const void *data = nullptr;
    size_t len = 0;
    if (OSSL_PARAM_get_octet_string_ptr(p, &data, &len) != 1 || len != kTlsAadLen) return 0;
    std::memcpy(c->tls_aad, data, kTlsAadLen);
    size_t rec = static_cast<size_t>(c->tls_aad[11]) << 8 | c->tls_aad[12];
    const size_t strip = (is_gcm(c) ? kGcmExplicitIv : 0) + (c->enc ? 0 : kTagLen);
    if (rec < strip) return 0;
    rec -= strip;
    c->tls_aad[11] = static_cast<uint8_t>(rec >> 8);
    c->tls_aad[12] = static_cast<uint8_t>(rec);
    c->tls_payload = rec;
    c->tls_aad_set = true;
    return 1;
}

int set_tls_fixed_iv(AeadCtx *c, const OSSL_PARAM *p) {
    const void *data = nullptr;
    size_t len = 0;
    if (OSSL_PARAM_get_octet_string_ptr(p, &data, &len) != 1) return 0;
    if (!is_gcm(c)) {
        if (len != 12) return 0;
        std::memcpy(c->fixed_nonce, data, 12);
        return 1;
    }
    if (len == c->ivlen) { // the whole IV
        std::memcpy(c->iv, data, len);
        c->iv_gen = true;
        c->iv_set = true;
        return 1;
    }
    if (len < kGcmFixedIv || c->ivlen - len < 8) return 0;
    std::memcpy(c->iv, data, len);
    if (c->enc && RAND_bytes_ex(libctx(c->pctx), c->iv + len, c->ivlen - len, 0) != 1) return 0;
    c->iv_gen = true;
    c->iv_set = true;
    return 1;
}

// ---- dispatch functions ----------------------------------------------------------------

template <size_t I> void *aead_newctx(void *provctx) {
    try {
        auto *c = new AeadCtx;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->info = &kAeadInfos[I];
        c->ivlen = c->info->iv_len;
        const char *first = c->info->alg == ACRYPTO_ALG_AES ? "AES-GCM" : "ChaCha20-Poly1305";
        c->opts = default_options(c->pctx, first);
        return c;
    } catch (...) {
        return nullptr;
    }
}

void aead_freectx(void *vctx) {
    auto *c = static_cast<AeadCtx *>(vctx);
    if (c == nullptr) return;
    reset_message(c);
    c->direct.close(); // cleanses its key schedule
    sym_key_drop(c->key);
    OPENSSL_cleanse(c->iv, sizeof c->iv);
    OPENSSL_cleanse(c->fixed_nonce, sizeof c->fixed_nonce);
    delete c;
}

void *aead_dupctx(void *vctx) {
    try {
        auto *c = static_cast<AeadCtx *>(vctx);
        auto *d = new AeadCtx(*c); // its software contexts start empty
        // Mid-message or not, the copy carries the same state.
        if (!d->sw.copy_from(c->sw) || !d->direct.copy_from(c->direct)) {
            aead_freectx(d);
            return nullptr;
        }
        return d;
    } catch (...) {
        return nullptr;
    }
}

int aead_set_ctx_params(void *vctx, const OSSL_PARAM params[]);

int aead_init(AeadCtx *c, bool enc, const unsigned char *key, size_t keylen,
              const unsigned char *iv, size_t ivlen, const OSSL_PARAM params[]) {
    if (c->enc != enc) drop_kernel(c); // a kernel runs one direction
    c->enc = enc;
    reset_message(c);
    c->tag_set = false;
    c->tls_aad_set = false;
    if (key != nullptr) {
        if (keylen != c->info->key_len) {
            raise(c->pctx, kReasonBadKeyLength, "key of %zu bytes", keylen);
            return 0;
        }
        const acrypto::sched::Key *before = c->key.key.get();
        if (!sym_key_set(c->pctx, c->key, c->info->alg, key, keylen)) {
            raise(c->pctx, kReasonNoScheduler, "no scheduler");
            return 0;
        }
        if (c->key.key.get() != before) drop_kernel(c); // bound to the old key
    }
    if (params != nullptr && aead_set_ctx_params(c, params) != 1) return 0;
    if (iv != nullptr) {
        if (ivlen == 0 || ivlen > (is_gcm(c) ? size_t{ACRYPTO_MAX_IV} : size_t{12})) {
            raise(c->pctx, kReasonBadIvLength, "IV of %zu bytes", ivlen);
            return 0;
        }
        c->ivlen = ivlen;
        std::memcpy(c->iv, iv, ivlen);
        c->iv_set = true;
    }
    return 1;
}

int aead_einit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
               size_t ivlen, const OSSL_PARAM params[]) {
    try {
        return aead_init(static_cast<AeadCtx *>(vctx), true, key, keylen, iv, ivlen, params);
    } catch (...) {
        return 0;
    }
}

int aead_dinit(void *vctx, const unsigned char *key, size_t keylen, const unsigned char *iv,
               size_t ivlen, const OSSL_PARAM params[]) {
    try {
        return aead_init(static_cast<AeadCtx *>(vctx), false, key, keylen, iv, ivlen, params);
    } catch (...) {
        return 0;
    }
}

/// Open `out` as a default-provider context of this context's cipher, keyed with its key
/// for its direction and IV length (no IV yet). False on failure.
bool keyed_software(const AeadCtx *c, CipherCtx &out) {
    char name[32] = {};
    const size_t n = std::strcspn(c->info->names, ":");
    std::memcpy(name, c->info->names, n < sizeof name - 1 ? n : sizeof name - 1);
    const ossl::CipherFns *f =
        direct_cipher_fns(c->pctx, static_cast<size_t>(c->info - kAeadInfos), name);
    size_t ivlen = c->ivlen;
    const OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                            OSSL_PARAM_construct_end()};
    const acrypto_key &k = c->key.key->c();
    return f != nullptr && out.open(*f, c->enc, k.data, k.len, nullptr, 0, p);
}

/// Start this message in `ctx` (keyed by keyed_software): its IV, then its AAD. The IV
/// length is what EVP_CipherInit_ex2 would pass: the GCM context's, and for
/// ChaCha20-Poly1305 its cipher's IV length, 12.
bool begin_message(CipherCtx &ctx, const AeadCtx *c) {
    return ctx.set_iv(c->iv, is_gcm(c) ? c->ivlen : size_t{12}) &&
           (c->aad.empty() || ctx.aad(c->aad.data(), c->aad.size()));
}

/**
 * Devices take whole messages (no GHASH/Poly1305 state crosses steps). When a
 * message arrives in several payload updates, the first one has already run as
 * a session; the rest continues in software (default provider) after replaying
 * the AAD and the first chunk, so streaming stays linear in the message size.
 */
bool start_software(AeadCtx *c) {
    std::vector<uint8_t> scratch(c->payload.size());
    size_t outl = 0;
    const bool ok = keyed_software(c, c->sw) && begin_message(c->sw, c) &&
                    (c->payload.empty() ||
                     c->sw.update(scratch.data(), &outl, c->payload.data(), c->payload.size()));
    OPENSSL_cleanse(scratch.data(), scratch.size());
    if (!ok) {
        c->sw.close();
        return false;
    }
    OPENSSL_cleanse(c->payload.data(), c->payload.size());
    c->payload.clear();
    return true;
}

/// Messages a context runs on the direct path before it binds a kernel.
constexpr uint32_t kBindAfter = 8;

/**
 * The direct path. When only software devices are configured and the cost model keeps
 * a message of this size on the caller's thread (asked through the bound kernel, or
 * before kBindAfter messages through the context's inline session), the message runs
 * in the context's own keyed default-provider context: the same library code the
 * kernel runs, with no copy of the payload kept for a continuation, since that context
 * streams on by itself. False, with nothing changed for the message, when the path does
 * not apply.
 */
bool direct_wanted(AeadCtx *c, size_t len) {
    if (!c->pctx->only_software_devices || c->ran || c->sw || c->direct_open || !c->key.key ||
        c->key.key->c().id == 0)
        return false;
    if (c->kern.takes(c->pctx, c->opts, len)) return true;
    if (c->kern.bound() || c->kern.refused() || c->opts.device[0] != '\0') return false;
    // No kernel yet. A TLS handshake keys a context for one to four records: binding a
    // kernel (a device cipher context keyed once more) costs more than those records, so
    // the first kBindAfter messages ask the cost model through the context's inline
    // session instead; then the kernel is bound for the cheaper per-message check.
    acrypto::sched::Session *s = c->inl.arm(c->opts, c->key.key);
    if (s == nullptr) return false;
    acrypto_step &st = s->step(0);
    fill_shape(c, st, c->aad.size(), len);
    if (!inline_preferred(c->pctx, *s)) return false;
    if (++c->unbound_direct < kBindAfter) return true;
    c->kern.bind_after_inline(c->pctx, c->opts, st);
    return c->kern.takes(c->pctx, c->opts, len);
}

bool start_direct(AeadCtx *c) {
    const acrypto_key &k = c->key.key->c();
    if (!c->direct || c->direct_key_id != k.id || c->direct_enc != c->enc ||
        c->direct_ivlen != c->ivlen) {
        c->direct.close();
        c->direct_key_id = 0;
        if (!keyed_software(c, c->direct)) {
            ERR_clear_error(); // the message takes the other paths
            return false;
        }
        c->direct_key_id = k.id;
        c->direct_enc = c->enc;
        c->direct_ivlen = c->ivlen;
    }
    if (!begin_message(c->direct, c)) {
        c->direct_key_id = 0; // key it afresh next time
        ERR_clear_error();
        return false;
    }
    c->direct_open = true;
    c->pctx->counts->add(Count::AeadDirect);
    return true;
}

/// Payload of a message running on a library context (direct or software continuation).
int stream_update(CipherCtx *st, unsigned char *out, size_t *outl, const unsigned char *in,
                  size_t inl) {
    size_t n = 0;
    if (!st->update(out, &n, in, inl)) return 0;
    *outl = n;
    return 1;
}

int update_impl(AeadCtx *c, unsigned char *out, size_t *outl, size_t outsize,
                const unsigned char *in, size_t inl) {
    if (!c->key.key) {
        raise(c->pctx, kReasonNotInitialized, "no key");
        return 0;
    }
    if (c->tls_aad_set) return tls_record(c, out, outl, in, inl);
    if (!c->iv_set) {
        raise(c->pctx, kReasonNotInitialized, "no IV");
        return 0;
    }
    if (out == nullptr) { // additional data
        if (c->ran || !c->payload.empty() || stream_ctx(c) != nullptr) {
            raise(c->pctx, kReasonNotInitialized, "AAD after the payload");
            return 0;
        }
        c->aad.insert(c->aad.end(), in, in + inl);
        *outl = inl;
        return 1;
    }
    if (outsize < inl) {
        raise(c->pctx, kReasonOutputTooSmall, "output of %zu bytes for %zu", outsize, inl);
        return 0;
    }
    if (inl == 0) {
        *outl = 0;
        return 1;
    }
    if (c->ran && !c->sw && !start_software(c)) {
        raise(c->pctx, kReasonInternal, "AEAD continuation");
        return 0;
    }
    if (inl <= INT_MAX && direct_wanted(c, inl)) (void)start_direct(c);
    if (CipherCtx *st = stream_ctx(c)) return stream_update(st, out, outl, in, inl);
    // One payload update (the common case, and TLS's) is one session. The input
    // is kept (before an in-place run overwrites it) in case the message continues.
    c->payload.assign(in, in + inl);
    int status = run_message(c, in, out, inl);
    if (status != ACRYPTO_OK) {
        raise_status(c->pctx, status,
                     c->info->alg == ACRYPTO_ALG_AES ? "AES-GCM" : "ChaCha20-Poly1305");
        return 0;
    }
    c->out_done = c->payload.size();
    *outl = inl;
    return 1;
}

int aead_update(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
                const unsigned char *in, size_t inl) {
    auto *c = static_cast<AeadCtx *>(vctx);
    // Payload of a message already running on a library context (direct or software), as
    // update_impl would hand it over after its checks, none of which can fail then.
    if (CipherCtx *st = stream_ctx(c);
        st != nullptr && out != nullptr && inl != 0 && outsize >= inl && !c->tls_aad_set)
        return stream_update(st, out, outl, in, inl);
    try {
        return update_impl(c, out, outl, outsize, in, inl);
    } catch (...) {
        return 0;
    }
}

int final_impl(AeadCtx *c, size_t *outl) {
    *outl = 0;
    if (!c->key.key || !c->iv_set) return 0;
    if (CipherCtx *st = stream_ctx(c)) {
        bool ok = true;
        if (!c->enc) ok = c->tag_set && st->set_tag(c->tag, c->taglen);
        ok = ok && st->finish();
        if (ok && c->enc) ok = st->get_tag(c->tag, c->taglen);
        reset_message(c);
        c->iv_set = false;
        return ok;
    }
    if (!c->ran) { // no payload: tag over the AAD alone
        int status = run_message(c, nullptr, nullptr, 0);
        if (status != ACRYPTO_OK) {
            raise_status(c->pctx, status, "AEAD tag");
            return 0;
        }
    }
    int ok = 1;
    if (!c->enc) {
        if (!c->tag_set) {
            ok = 0;
        } else if (c->checked) {
            ok = c->last_status == ACRYPTO_OK;
        } else {
            ok = CRYPTO_memcmp(c->computed, c->tag, c->taglen) == 0;
        }
    }
    // The next message needs a new IV (TLS 1.3 re-inits with one per record).
    reset_message(c);
    c->iv_set = false;
    return ok;
}

int aead_final(void *vctx, unsigned char *out, size_t *outl, size_t outsize) {
    try {
        return final_impl(static_cast<AeadCtx *>(vctx), outl);
    } catch (...) {
        return 0;
    }
}

int aead_cipher(void *vctx, unsigned char *out, size_t *outl, size_t outsize,
                const unsigned char *in, size_t inl) {
    try {
        auto *c = static_cast<AeadCtx *>(vctx);
        if (in == nullptr) return final_impl(c, outl);
        return update_impl(c, out, outl, outsize, in, inl);
    } catch (...) {
        return 0;
    }
}

template <size_t I> int aead_get_params(OSSL_PARAM params[]) {
    const AeadInfo &info = kAeadInfos[I];
    return cipher_get_params(params, {info.mode == ACRYPTO_MODE_GCM ? kEvpGcmMode : 0u,
                                      info.key_len, info.iv_len, 1, kCipherAead | kCipherCustomIv});
}

/// One pass over the request: EVP asks for ivlen and the tag on every message.
int aead_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<AeadCtx *>(vctx);
    for (OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
        const char *k = p->key;
        if (key_is(k, OSSL_CIPHER_PARAM_IVLEN)) {
            if (OSSL_PARAM_set_size_t(p, c->ivlen) != 1) return 0;
        } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TAG)) {
            if (!c->enc || p->data_size == 0 || p->data_size > kTagLen ||
                OSSL_PARAM_set_octet_string(p, c->tag, p->data_size) != 1) {
                raise(c->pctx, kReasonBadParam, "tag is only readable after encryption");
                return 0;
            }
        } else if (key_is(k, OSSL_CIPHER_PARAM_KEYLEN)) {
            if (OSSL_PARAM_set_size_t(p, c->info->key_len) != 1) return 0;
        } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TAGLEN)) {
            if (OSSL_PARAM_set_size_t(p, c->taglen) != 1) return 0;
        } else if (key_is(k, OSSL_CIPHER_PARAM_IV) || key_is(k, OSSL_CIPHER_PARAM_UPDATED_IV)) {
            if (OSSL_PARAM_set_octet_string(p, c->iv, c->ivlen) != 1 &&
                OSSL_PARAM_set_octet_ptr(p, c->iv, c->ivlen) != 1)
                return 0;
        } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD)) {
            if (OSSL_PARAM_set_size_t(p, kTagLen) != 1) return 0;
        } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN)) {
            // Copy the invocation field out and advance it (RFC 5288 explicit nonce).
            if (!is_gcm(c) || !c->iv_gen || p->data == nullptr || p->data_size == 0) return 0;
            size_t n = p->data_size > c->ivlen ? c->ivlen : p->data_size;
            std::memcpy(p->data, c->iv + c->ivlen - n, n);
            p->return_size = n;
            for (int i = static_cast<int>(c->ivlen) - 1; i >= static_cast<int>(c->ivlen) - 8; --i)
                if (++c->iv[i] != 0) break;
        } else if (key_is(k, kParamPriority)) {
            if (OSSL_PARAM_set_uint(p, c->opts.priority) != 1) return 0;
        } else if (key_is(k, kParamDevice)) {
            if (OSSL_PARAM_set_utf8_string(p, c->opts.device) != 1) return 0;
        }
    }
    return 1;
}

int aead_set_tag(AeadCtx *c, const OSSL_PARAM *p) {
    const void *data = nullptr;
    size_t len = 0;
    if (p->data == nullptr && !c->enc) {
        return 0;
    } else if (p->data == nullptr) { // tag length only
        len = p->data_size;
    } else if (OSSL_PARAM_get_octet_string_ptr(p, &data, &len) != 1) {
        return 0;
    }
    if (len == 0 || len > kTagLen || (data != nullptr && c->enc)) {
        raise(c->pctx, kReasonBadParam, "AEAD tag of %zu bytes", len);
        return 0;
    }
    c->taglen = len;
    if (data != nullptr) {
        std::memcpy(c->tag, data, len);
        c->tag_set = true;
    }
    return 1;
}

/// One pass over the request, in the order given (TLS 1.2 sets the fixed IV, then the AAD).
int aead_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<AeadCtx *>(vctx);
        bool op_param = false;
        for (const OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
            const char *k = p->key;
            if (key_is(k, OSSL_CIPHER_PARAM_AEAD_IVLEN)) {
                // GCM: 1 .. ACRYPTO_MAX_IV bytes. ChaCha20-Poly1305 takes a 12-byte nonce
                // only, refused here as the default provider refuses it (not at the first
                // message).
                size_t n = 0;
                if (OSSL_PARAM_get_size_t(p, &n) != 1 ||
                    (is_gcm(c) ? n == 0 || n > ACRYPTO_MAX_IV : n != 12)) {
                    raise(c->pctx, kReasonBadIvLength, "IV length %zu", n);
                    return 0;
                }
                c->ivlen = n;
            } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TAG)) {
                if (aead_set_tag(c, p) != 1) return 0;
            } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TLS1_AAD)) {
                if (set_tls_aad(c, p) != 1) {
                    raise(c->pctx, kReasonBadParam, "TLS AAD");
                    return 0;
                }
            } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED)) {
                if (set_tls_fixed_iv(c, p) != 1) {
                    raise(c->pctx, kReasonBadParam, "TLS fixed IV");
                    return 0;
                }
            } else if (key_is(k, OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV)) {
                const void *data = nullptr;
                size_t len = 0;
                if (!is_gcm(c) || c->enc || !c->iv_gen ||
                    OSSL_PARAM_get_octet_string_ptr(p, &data, &len) != 1 || len == 0 ||
                    len > c->ivlen)
                    return 0;
                std::memcpy(c->iv + c->ivlen - len, data, len);
            } else if (key_is(k, kParamPriority) || key_is(k, kParamDevice)) {
                op_param = true;
            }
        }
        return op_param ? set_op_params(c->pctx, c->opts, params) : 1;
    } catch (...) {
        return 0;
    }
}

const OSSL_PARAM kCtxGettable[] = {
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_KEYLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_IVLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TAGLEN, nullptr),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_IV, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_UPDATED_IV, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, nullptr, 0),
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD_PAD, nullptr),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_GET_IV_GEN, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kCtxSettable[] = {
    OSSL_PARAM_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, nullptr),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_AAD, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_IV_FIXED, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TLS1_SET_IV_INV, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};

const OSSL_PARAM *aead_ctx_gettable(void *vctx, void *provctx) { return kCtxGettable; }
const OSSL_PARAM *aead_ctx_settable(void *vctx, void *provctx) { return kCtxSettable; }

#define AEAD_FN(id, fn)                                                                            \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <size_t I> struct AeadTable { static const OSSL_DISPATCH fns[]; };

template <size_t I>
const OSSL_DISPATCH AeadTable<I>::fns[] = {
    AEAD_FN(OSSL_FUNC_CIPHER_NEWCTX, aead_newctx<I>),
    AEAD_FN(OSSL_FUNC_CIPHER_FREECTX, aead_freectx),
    AEAD_FN(OSSL_FUNC_CIPHER_DUPCTX, aead_dupctx),
    AEAD_FN(OSSL_FUNC_CIPHER_ENCRYPT_INIT, aead_einit),
    AEAD_FN(OSSL_FUNC_CIPHER_DECRYPT_INIT, aead_dinit),
    AEAD_FN(OSSL_FUNC_CIPHER_UPDATE, aead_update),
    AEAD_FN(OSSL_FUNC_CIPHER_FINAL, aead_final),
    AEAD_FN(OSSL_FUNC_CIPHER_CIPHER, aead_cipher),
    AEAD_FN(OSSL_FUNC_CIPHER_GET_PARAMS, aead_get_params<I>),
    AEAD_FN(OSSL_FUNC_CIPHER_GETTABLE_PARAMS, cipher_gettable_params),
    AEAD_FN(OSSL_FUNC_CIPHER_GET_CTX_PARAMS, aead_get_ctx_params),
    AEAD_FN(OSSL_FUNC_CIPHER_GETTABLE_CTX_PARAMS, aead_ctx_gettable),
    AEAD_FN(OSSL_FUNC_CIPHER_SET_CTX_PARAMS, aead_set_ctx_params),
    AEAD_FN(OSSL_FUNC_CIPHER_SETTABLE_CTX_PARAMS, aead_ctx_settable),
    {0, nullptr}};

} // namespace

/// The AEAD entries of kCipherAlgorithms (cipher_table.cpp concatenates).
const OSSL_ALGORITHM kAeadCipherAlgorithms[] = {
    {kAeadInfos[0].names, "provider=acrypto", AeadTable<0>::fns, "acrypto AES-128-GCM"},
    {kAeadInfos[1].names, "provider=acrypto", AeadTable<1>::fns, "acrypto AES-192-GCM"},
    {kAeadInfos[2].names, "provider=acrypto", AeadTable<2>::fns, "acrypto AES-256-GCM"},
    {kAeadInfos[3].names, "provider=acrypto", AeadTable<3>::fns, "acrypto ChaCha20-Poly1305"},
    {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
