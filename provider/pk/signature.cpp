// SPDX-License-Identifier: Apache-2.0
// Signatures RSA (PKCS#1 v1.5, PSS) and ECDSA: sign/verify and digest-sign/verify as sessions.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstring>
#include <new>
#include <string>

#include "errors.hpp"
#include "execute.hpp"
#include "key_data.hpp"
#include "op_params.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

enum class SigOp { None, Sign, Verify };

struct SigCtx {
    ProvCtx *pctx = nullptr;
    bool ecdsa = false;
    KeyData *key = nullptr;
    SigOp op = SigOp::None;
    uint32_t md = ACRYPTO_ALG_NONE;
    std::string mdname;
    int pad = RSA_PKCS1_PADDING;
    int saltlen = RSA_PSS_SALTLEN_AUTO;
    uint32_t mgf1 = ACRYPTO_ALG_NONE;
    EVP_MD_CTX *mdctx = nullptr;
    OpOptions opts;
};

bool rsa_key(const KeyData *k) { return k->type == KeyType::Rsa || k->type == KeyType::RsaPss; }

/// Take the digest named `name` (empty: none). RSA PKCS#1 and PSS need a digest acrypto knows.
bool set_digest(SigCtx *c, const char *name) {
    if (name == nullptr || *name == '\0') {
        c->md = ACRYPTO_ALG_NONE;
        c->mdname.clear();
        return true;
    }
    uint32_t alg = digest_alg(libctx(c->pctx), name);
    if (alg == ACRYPTO_ALG_NONE) {
        raise(c->pctx, kReasonUnsupported, "digest %s", name);
        return false;
    }
    c->md = alg;
    c->mdname = digest_name(alg);
    return true;
}

/// RSA-PSS keys may carry restrictions (digest, MGF1 digest, minimum salt): start from them.
void adopt_pss_restrictions(SigCtx *c) {
    c->pad = RSA_PKCS1_PSS_PADDING;
    char name[64];
    size_t len = 0;
    if (c->key->pkey == nullptr) return;
    if (EVP_PKEY_get_utf8_string_param(c->key->pkey, OSSL_PKEY_PARAM_RSA_DIGEST, name, sizeof name,
                                       &len) == 1)
        (void)set_digest(c, name);
    if (EVP_PKEY_get_utf8_string_param(c->key->pkey, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, name,
                                       sizeof name, &len) == 1)
        c->mgf1 = digest_alg(libctx(c->pctx), name);
    int salt = 0;
    if (EVP_PKEY_get_int_param(c->key->pkey, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, &salt) == 1)
        c->saltlen = salt;
}

int set_params_impl(SigCtx *c, const OSSL_PARAM params[]) {
    if (params == nullptr) return 1;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != nullptr) {
        const char *name = nullptr;
        if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1 || !set_digest(c, name)) return 0;
        if (c->mdctx != nullptr) {
            EVP_MD *md = EVP_MD_fetch(libctx(c->pctx), c->mdname.c_str(), kValuePropq);
            int ok = md != nullptr && EVP_DigestInit_ex2(c->mdctx, md, nullptr) == 1;
            EVP_MD_free(md);
            if (!ok) return 0;
        }
    }
    if (!c->ecdsa) {
        if ((p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE)) != nullptr) {
            int pad = 0;
            if (!param_pad_mode(p, &pad) ||
                (pad != RSA_PKCS1_PADDING && pad != RSA_PKCS1_PSS_PADDING &&
                 pad != RSA_NO_PADDING) ||
                (c->key != nullptr && c->key->type == KeyType::RsaPss &&
                 pad != RSA_PKCS1_PSS_PADDING)) {
                raise(c->pctx, kReasonBadParam, "RSA signature padding mode");
                return 0;
            }
            c->pad = pad;
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN)) != nullptr) {
            int salt = 0;
            if (!param_saltlen(p, &salt) || salt < RSA_PSS_SALTLEN_MAX) {
                raise(c->pctx, kReasonBadParam, "PSS salt length");
                return 0;
            }
            c->saltlen = salt;
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST)) != nullptr) {
            const char *name = nullptr;
            if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1) return 0;
            c->mgf1 = digest_alg(libctx(c->pctx), name);
            if (c->mgf1 == ACRYPTO_ALG_NONE) {
                raise(c->pctx, kReasonUnsupported, "MGF1 digest %s", name);
                return 0;
            }
        }
    }
    return set_op_params(c->pctx, c->opts, params);
}

int init_impl(SigCtx *c, void *provkey, SigOp op, const OSSL_PARAM params[]) {
    if (provkey != nullptr) {
        auto *k = static_cast<KeyData *>(provkey);
        if (c->ecdsa ? k->type != KeyType::Ec : !rsa_key(k)) {
            raise(c->pctx, kReasonBadParam, "key type %s for %s", key_type_name(k->type),
                  c->ecdsa ? "ECDSA" : "RSA");
            return 0;
        }
        key_ref(k);
        key_unref(c->key);
        c->key = k;
    }
    if (c->key == nullptr) {
        raise(c->pctx, kReasonNotInitialized, "signature without a key");
        return 0;
    }
    if ((op == SigOp::Sign && !c->key->has_priv) || (op == SigOp::Verify && !c->key->has_pub)) {
        raise(c->pctx, kReasonBadParam, "key lacks the %s part",
              op == SigOp::Sign ? "private" : "public");
        return 0;
    }
    c->op = op;
    c->md = ACRYPTO_ALG_NONE;
    c->mdname.clear();
    c->mgf1 = ACRYPTO_ALG_NONE;
    c->saltlen = RSA_PSS_SALTLEN_AUTO;
    c->pad = RSA_PKCS1_PADDING;
    if (c->key->type == KeyType::RsaPss) adopt_pss_restrictions(c);
    return set_params_impl(c, params);
}

/// One sign or verify session over `tbs` (a digest, or raw input with no digest set).
int run_sig(SigCtx *c, bool sign, uint8_t *sig, size_t *siglen, size_t sigsize,
            const uint8_t *sig_in, size_t sig_in_len, const uint8_t *tbs, size_t tbslen) {
    auto key = key_device(c->key, sign);
    if (!key) {
        raise(c->pctx, kReasonNoScheduler, "%s key for the device", sign ? "private" : "public");
        return 0;
    }
    const size_t max = key_max_size(c->key);
    auto s = make_session(c->opts, tbslen + (sign ? max : sig_in_len) + 64);
    if (!s) {
        raise(c->pctx, kReasonNoMemory, "signature session");
        return 0;
    }
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_PKEY;
    st.alg = key_type_alg(c->key->type);
    st.mode = sign ? ACRYPTO_MODE_PK_SIGN : ACRYPTO_MODE_PK_VERIFY;
    s->set_key(0, key);
    st.pk.pad = c->ecdsa ? 0 : c->pad;
    st.pk.digest = c->md;
    st.pk.mgf1_digest = c->mgf1;
    st.pk.saltlen = c->saltlen;
    st.src = arena_copy(*s, tbs, tbslen);
    st.src_len = tbslen;
    if (sign) {
        st.dst = s->alloc(max);
        st.dst_len = max;
    } else {
        st.pk.other = arena_copy(*s, sig_in, sig_in_len);
        st.pk.other_len = sig_in_len;
    }
    if (st.src == nullptr || (sign && st.dst == nullptr) || (!sign && st.pk.other == nullptr)) {
        raise(c->pctx, kReasonNoMemory, "signature session");
        return 0;
    }
    int status = run_pk(c->pctx, s);
    if (!sign)
        return status == ACRYPTO_OK
                   ? 1
                   : (status == ACRYPTO_E_VERIFY
                          ? 0
                          : (raise_status(c->pctx, status, "signature verification"), 0));
    if (status != ACRYPTO_OK) {
        raise_status(c->pctx, status, c->ecdsa ? "ECDSA signature" : "RSA signature");
        return 0;
    }
    if (st.out_len > sigsize) {
        raise(c->pctx, kReasonOutputTooSmall, "signature of %zu bytes, room for %zu", st.out_len,
              sigsize);
        return 0;
    }
    std::memcpy(sig, st.dst, st.out_len);
    *siglen = st.out_len;
    return 1;
}

// ---- dispatch functions ---------------------------------------------------------

template <bool Ecdsa> void *sig_newctx(void *provctx, const char *propq) {
    try {
        auto *c = new SigCtx;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->ecdsa = Ecdsa;
        c->opts = default_options(c->pctx, Ecdsa ? "ECDSA" : "RSA");
        return c;
    } catch (...) {
        return nullptr;
    }
}

void sig_freectx(void *vctx) {
    auto *c = static_cast<SigCtx *>(vctx);
    if (c == nullptr) return;
    key_unref(c->key);
    EVP_MD_CTX_free(c->mdctx);
    delete c;
}

void *sig_dupctx(void *vctx) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        auto *d = new SigCtx(*c);
        d->mdctx = nullptr;
        if (c->mdctx != nullptr) {
            d->mdctx = EVP_MD_CTX_new();
            if (d->mdctx == nullptr || EVP_MD_CTX_copy_ex(d->mdctx, c->mdctx) != 1) {
                EVP_MD_CTX_free(d->mdctx);
                delete d;
                return nullptr;
            }
        }
        if (d->key != nullptr) key_ref(d->key);
        return d;
    } catch (...) {
        return nullptr;
    }
}

int sig_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[]) {
    try {
        return init_impl(static_cast<SigCtx *>(vctx), provkey, SigOp::Sign, params);
    } catch (...) {
        return 0;
    }
}

int sig_verify_init(void *vctx, void *provkey, const OSSL_PARAM params[]) {
    try {
        return init_impl(static_cast<SigCtx *>(vctx), provkey, SigOp::Verify, params);
    } catch (...) {
        return 0;
    }
}

int sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
             const unsigned char *tbs, size_t tbslen) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        if (c->op != SigOp::Sign || c->key == nullptr) return 0;
        if (sig == nullptr) { // size query: answer now, never submit
            *siglen = key_max_size(c->key);
            return *siglen > 0 ? 1 : 0;
        }
        return run_sig(c, true, sig, siglen, sigsize, nullptr, 0, tbs, tbslen);
    } catch (...) {
        return 0;
    }
}

int sig_verify(void *vctx, const unsigned char *sig, size_t siglen, const unsigned char *tbs,
               size_t tbslen) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        if (c->op != SigOp::Verify || c->key == nullptr) return 0;
        return run_sig(c, false, nullptr, nullptr, 0, sig, siglen, tbs, tbslen);
    } catch (...) {
        return 0;
    }
}

int digest_init_impl(SigCtx *c, const char *mdname, void *provkey, SigOp op,
                     const OSSL_PARAM params[]) {
    if (init_impl(c, provkey, op, params) != 1) return 0;
    if (mdname != nullptr && *mdname != '\0') {
        if (!set_digest(c, mdname)) return 0;
    } else if (c->md == ACRYPTO_ALG_NONE) {
        (void)set_digest(c, "SHA256");
    }
    EVP_MD *md = EVP_MD_fetch(libctx(c->pctx), c->mdname.c_str(), kValuePropq);
    if (c->mdctx == nullptr) c->mdctx = EVP_MD_CTX_new();
    int ok = md != nullptr && c->mdctx != nullptr && EVP_DigestInit_ex2(c->mdctx, md, nullptr) == 1;
    EVP_MD_free(md);
    if (!ok) raise(c->pctx, kReasonUnsupported, "digest %s", c->mdname.c_str());
    return ok ? 1 : 0;
}

int sig_digest_sign_init(void *vctx, const char *mdname, void *provkey, const OSSL_PARAM params[]) {
    try {
        return digest_init_impl(static_cast<SigCtx *>(vctx), mdname, provkey, SigOp::Sign, params);
    } catch (...) {
        return 0;
    }
}

int sig_digest_verify_init(void *vctx, const char *mdname, void *provkey,
                           const OSSL_PARAM params[]) {
    try {
        return digest_init_impl(static_cast<SigCtx *>(vctx), mdname, provkey, SigOp::Verify,
                                params);
    } catch (...) {
        return 0;
    }
}

int sig_digest_update(void *vctx, const unsigned char *data, size_t len) {
    auto *c = static_cast<SigCtx *>(vctx);
    if (c == nullptr || c->mdctx == nullptr) return 0;
    return EVP_DigestUpdate(c->mdctx, data, len) == 1 ? 1 : 0;
}

int sig_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        if (c == nullptr || c->mdctx == nullptr || c->op != SigOp::Sign) return 0;
        if (sig == nullptr) { // size query: the digest state stays untouched
            *siglen = key_max_size(c->key);
            return *siglen > 0 ? 1 : 0;
        }
        unsigned char dgst[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        if (EVP_DigestFinal_ex(c->mdctx, dgst, &dlen) != 1) return 0;
        return run_sig(c, true, sig, siglen, sigsize, nullptr, 0, dgst, dlen);
    } catch (...) {
        return 0;
    }
}

int sig_digest_verify_final(void *vctx, const unsigned char *sig, size_t siglen) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        if (c == nullptr || c->mdctx == nullptr || c->op != SigOp::Verify) return 0;
        unsigned char dgst[EVP_MAX_MD_SIZE];
        unsigned int dlen = 0;
        if (EVP_DigestFinal_ex(c->mdctx, dgst, &dlen) != 1) return 0;
        return run_sig(c, false, nullptr, nullptr, 0, sig, siglen, dgst, dlen);
    } catch (...) {
        return 0;
    }
}

/// AlgorithmIdentifier DER for X.509: asked of the default provider with our settings.
int get_algorithm_id(SigCtx *c, OSSL_PARAM *p) {
    EVP_PKEY *pk = c->key != nullptr ? key_pkey(c->key) : nullptr;
    if (pk == nullptr || c->md == ACRYPTO_ALG_NONE) return 0;
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_pkey(libctx(c->pctx), pk, kValuePropq);
    if (pc == nullptr) return 0;
    int ok = (c->key->has_priv ? EVP_PKEY_sign_init(pc) : EVP_PKEY_verify_init(pc)) == 1;
    char *md = const_cast<char *>(c->mdname.c_str());
    OSSL_PARAM set[5];
    int n = 0;
    set[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, md, 0);
    int pad = c->pad;
    int salt = c->saltlen;
    char *mgf = const_cast<char *>(digest_name(c->mgf1 != 0 ? c->mgf1 : c->md));
    if (!c->ecdsa) {
        set[n++] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PAD_MODE, &pad);
        if (pad == RSA_PKCS1_PSS_PADDING) {
            set[n++] = OSSL_PARAM_construct_int(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, &salt);
            set[n++] = OSSL_PARAM_construct_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, mgf, 0);
        }
    }
    set[n] = OSSL_PARAM_construct_end();
    unsigned char buf[256];
    OSSL_PARAM get[] = {
        OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, buf, sizeof buf),
        OSSL_PARAM_construct_end()};
    ok = ok && EVP_PKEY_CTX_set_params(pc, set) == 1 && EVP_PKEY_CTX_get_params(pc, get) == 1 &&
         OSSL_PARAM_modified(get) && OSSL_PARAM_set_octet_string(p, buf, get[0].return_size) == 1;
    EVP_PKEY_CTX_free(pc);
    return ok ? 1 : 0;
}

int sig_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        if (c == nullptr) return 0;
        OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_ALGORITHM_ID);
        if (p != nullptr && get_algorithm_id(c, p) != 1) return 0;
        p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
        if (p != nullptr && OSSL_PARAM_set_utf8_string(p, c->mdname.c_str()) != 1) return 0;
        if (!c->ecdsa) {
            p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
            if (p != nullptr && !param_set_pad_mode(p, c->pad)) return 0;
            p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
            if (p != nullptr && OSSL_PARAM_set_int(p, c->saltlen) != 1) return 0;
            p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
            const char *mgf = digest_name(c->mgf1 != 0 ? c->mgf1 : c->md);
            if (p != nullptr && OSSL_PARAM_set_utf8_string(p, mgf != nullptr ? mgf : "") != 1)
                return 0;
        }
        return get_op_params(c->opts, params);
    } catch (...) {
        return 0;
    }
}

int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<SigCtx *>(vctx);
        return c != nullptr ? set_params_impl(c, params) : 0;
    } catch (...) {
        return 0;
    }
}

const OSSL_PARAM kRsaGettable[] = {
    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kRsaSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_PROPERTIES, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kEcdsaGettable[] = {
    OSSL_PARAM_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0), ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kEcdsaSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PROPERTIES, nullptr, 0), ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};

template <bool Ecdsa> const OSSL_PARAM *sig_gettable(void *vctx, void *provctx) {
    return Ecdsa ? kEcdsaGettable : kRsaGettable;
}

template <bool Ecdsa> const OSSL_PARAM *sig_settable(void *vctx, void *provctx) {
    return Ecdsa ? kEcdsaSettable : kRsaSettable;
}

#define SIG_FN(id, fn)                                                                             \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <bool Ecdsa> struct SigTable { static const OSSL_DISPATCH fns[]; };

template <bool Ecdsa>
const OSSL_DISPATCH SigTable<Ecdsa>::fns[] = {
    SIG_FN(OSSL_FUNC_SIGNATURE_NEWCTX, sig_newctx<Ecdsa>),
    SIG_FN(OSSL_FUNC_SIGNATURE_FREECTX, sig_freectx),
    SIG_FN(OSSL_FUNC_SIGNATURE_DUPCTX, sig_dupctx),
    SIG_FN(OSSL_FUNC_SIGNATURE_SIGN_INIT, sig_sign_init),
    SIG_FN(OSSL_FUNC_SIGNATURE_SIGN, sig_sign),
    SIG_FN(OSSL_FUNC_SIGNATURE_VERIFY_INIT, sig_verify_init),
    SIG_FN(OSSL_FUNC_SIGNATURE_VERIFY, sig_verify),
    SIG_FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, sig_digest_sign_init),
    SIG_FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, sig_digest_update),
    SIG_FN(OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, sig_digest_sign_final),
    SIG_FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_INIT, sig_digest_verify_init),
    SIG_FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_UPDATE, sig_digest_update),
    SIG_FN(OSSL_FUNC_SIGNATURE_DIGEST_VERIFY_FINAL, sig_digest_verify_final),
    SIG_FN(OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, sig_get_ctx_params),
    SIG_FN(OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, sig_gettable<Ecdsa>),
    SIG_FN(OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, sig_set_ctx_params),
    SIG_FN(OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, sig_settable<Ecdsa>),
    {0, nullptr}};

} // namespace

// kSignatureAlgorithms: RSA (PKCS#1 v1.5, PSS) and ECDSA.
const OSSL_ALGORITHM kSignatureAlgorithms[] = {
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", "provider=acrypto", SigTable<false>::fns,
     "acrypto RSA signatures"},
    {"ECDSA", "provider=acrypto", SigTable<true>::fns, "acrypto ECDSA signatures"},
    {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
