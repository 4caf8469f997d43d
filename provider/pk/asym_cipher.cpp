// SPDX-License-Identifier: Apache-2.0
// RSA asymmetric cipher: PKCS#1 v1.5, OAEP, none, and TLS premaster decryption (implicit
// rejection).
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstring>
#include <new>
#include <vector>

#include "errors.hpp"
#include "execute.hpp"
#include "key_data.hpp"
#include "op_params.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

/// Premaster secret size of TLS RSA key transport (SSL_MAX_MASTER_KEY_LENGTH).
constexpr size_t kTlsPremaster = 48;

struct AsymCtx {
    ProvCtx *pctx = nullptr;
    KeyData *key = nullptr;
    bool encrypt = true;
    int pad = RSA_PKCS1_PADDING;
    uint32_t oaep_md = ACRYPTO_ALG_SHA1;
    uint32_t mgf1 = ACRYPTO_ALG_NONE;
    std::vector<uint8_t> label;
    unsigned int client_version = 0;
    unsigned int alt_version = 0;
    OpOptions opts;
};

int set_params_impl(AsymCtx *c, const OSSL_PARAM params[]) {
    if (params == nullptr) return 1;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != nullptr) {
        int pad = 0;
        if (!param_pad_mode(p, &pad) ||
            (pad != RSA_PKCS1_PADDING && pad != RSA_NO_PADDING && pad != RSA_PKCS1_OAEP_PADDING &&
             pad != RSA_PKCS1_WITH_TLS_PADDING)) {
            raise(c->pctx, kReasonBadParam, "RSA encryption padding mode");
            return 0;
        }
        c->pad = pad;
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST)) != nullptr) {
        const char *name = nullptr;
        if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1) return 0;
        c->oaep_md = digest_alg(libctx(c->pctx), name);
        if (c->oaep_md == ACRYPTO_ALG_NONE) {
            raise(c->pctx, kReasonUnsupported, "OAEP digest %s", name);
            return 0;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST)) != nullptr) {
        const char *name = nullptr;
        if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1) return 0;
        c->mgf1 = digest_alg(libctx(c->pctx), name);
        if (c->mgf1 == ACRYPTO_ALG_NONE) {
            raise(c->pctx, kReasonUnsupported, "MGF1 digest %s", name);
            return 0;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL)) != nullptr) {
        const void *data = nullptr;
        size_t len = 0;
        if (OSSL_PARAM_get_octet_string_ptr(p, &data, &len) != 1) return 0;
        const auto *b = static_cast<const uint8_t *>(data);
        c->label.assign(b, b + len);
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION)) !=
        nullptr) {
        if (OSSL_PARAM_get_uint(p, &c->client_version) != 1 || c->client_version > 0xffff) return 0;
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION)) !=
        nullptr) {
        if (OSSL_PARAM_get_uint(p, &c->alt_version) != 1 || c->alt_version > 0xffff) return 0;
    }
    return set_op_params(c->pctx, c->opts, params);
}

void *asym_newctx(void *provctx) {
    try {
        auto *c = new AsymCtx;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->opts = default_options(c->pctx, "RSA");
        return c;
    } catch (...) {
        return nullptr;
    }
}

void asym_freectx(void *vctx) {
    auto *c = static_cast<AsymCtx *>(vctx);
    if (c == nullptr) return;
    key_unref(c->key);
    delete c;
}

void *asym_dupctx(void *vctx) {
    try {
        auto *d = new AsymCtx(*static_cast<AsymCtx *>(vctx));
        if (d->key != nullptr) key_ref(d->key);
        return d;
    } catch (...) {
        return nullptr;
    }
}

int init_impl(AsymCtx *c, void *provkey, bool encrypt, const OSSL_PARAM params[]) {
    auto *k = static_cast<KeyData *>(provkey);
    if (k == nullptr || k->type != KeyType::Rsa || (encrypt ? !k->has_pub : !k->has_priv)) {
        raise(c->pctx, kReasonBadParam, "RSA %s needs a %s RSA key",
              encrypt ? "encryption" : "decryption", encrypt ? "public" : "private");
        return 0;
    }
    key_ref(k);
    key_unref(c->key);
    c->key = k;
    c->encrypt = encrypt;
    c->pad = RSA_PKCS1_PADDING;
    c->oaep_md = ACRYPTO_ALG_SHA1;
    c->mgf1 = ACRYPTO_ALG_NONE;
    c->label.clear();
    return set_params_impl(c, params);
}

int asym_encrypt_init(void *vctx, void *provkey, const OSSL_PARAM params[]) {
    try {
        return init_impl(static_cast<AsymCtx *>(vctx), provkey, true, params);
    } catch (...) {
        return 0;
    }
}

int asym_decrypt_init(void *vctx, void *provkey, const OSSL_PARAM params[]) {
    try {
        return init_impl(static_cast<AsymCtx *>(vctx), provkey, false, params);
    } catch (...) {
        return 0;
    }
}

int run_asym(AsymCtx *c, unsigned char *out, size_t *outlen, size_t outsize,
             const unsigned char *in, size_t inlen) {
    const size_t size = key_max_size(c->key);
    if (out == nullptr) { // size query: answer now, never submit
        *outlen = size;
        return size > 0 ? 1 : 0;
    }
    const bool tls = !c->encrypt && c->pad == RSA_PKCS1_WITH_TLS_PADDING;
    if (tls && (outsize < kTlsPremaster || c->client_version == 0)) {
        raise(c->pctx, kReasonBadParam, "TLS premaster decryption parameters");
        return 0;
    }
    auto key = key_device(c->key, !c->encrypt);
    auto s = key ? make_session(c->opts, inlen + size + c->label.size() + 64)
                 : acrypto::sched::Ref<acrypto::sched::Session>();
    if (!s) {
        raise(c->pctx, kReasonNoMemory, "RSA session");
        return 0;
    }
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_PKEY;
    st.alg = ACRYPTO_ALG_RSA;
    st.mode = c->encrypt ? ACRYPTO_MODE_PK_ENCRYPT : ACRYPTO_MODE_PK_DECRYPT;
    s->set_key(0, key);
    st.pk.pad = c->pad;
    if (c->pad == RSA_PKCS1_OAEP_PADDING) {
        st.pk.digest = c->oaep_md;
        st.pk.mgf1_digest = c->mgf1;
        if (!c->label.empty()) {
            st.pk.label = arena_copy(*s, c->label.data(), c->label.size());
            st.pk.label_len = c->label.size();
        }
    }
    // Client version in the low half, negotiated version (rollback-bug servers) in the high half.
    st.pk.tls_version = c->client_version | c->alt_version << 16;
    st.src = arena_copy(*s, in, inlen);
    st.src_len = inlen;
    st.dst = s->alloc(size);
    st.dst_len = size;
    if (st.src == nullptr || st.dst == nullptr) {
        raise(c->pctx, kReasonNoMemory, "RSA session");
        return 0;
    }
    int status = run_pk(c->pctx, s);
    if (status != ACRYPTO_OK) {
        raise_status(c->pctx, status, c->encrypt ? "RSA encryption" : "RSA decryption");
        return 0;
    }
    if (st.out_len > outsize) {
        OPENSSL_cleanse(st.dst, size);
        raise(c->pctx, kReasonOutputTooSmall, "RSA output of %zu bytes", st.out_len);
        return 0;
    }
    std::memcpy(out, st.dst, st.out_len);
    OPENSSL_cleanse(st.dst, size);
    *outlen = st.out_len;
    return 1;
}

int asym_encrypt(void *vctx, unsigned char *out, size_t *outlen, size_t outsize,
                 const unsigned char *in, size_t inlen) {
    try {
        auto *c = static_cast<AsymCtx *>(vctx);
        return c != nullptr && c->key != nullptr && c->encrypt
                   ? run_asym(c, out, outlen, outsize, in, inlen)
                   : 0;
    } catch (...) {
        return 0;
    }
}

int asym_decrypt(void *vctx, unsigned char *out, size_t *outlen, size_t outsize,
                 const unsigned char *in, size_t inlen) {
    try {
        auto *c = static_cast<AsymCtx *>(vctx);
        return c != nullptr && c->key != nullptr && !c->encrypt
                   ? run_asym(c, out, outlen, outsize, in, inlen)
                   : 0;
    } catch (...) {
        return 0;
    }
}

int asym_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<AsymCtx *>(vctx);
    if (c == nullptr) return 0;
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_PAD_MODE);
    if (p != nullptr && !param_set_pad_mode(p, c->pad) && OSSL_PARAM_set_int(p, c->pad) != 1)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST);
    if (p != nullptr && OSSL_PARAM_set_utf8_string(p, digest_name(c->oaep_md)) != 1) return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST);
    if (p != nullptr &&
        OSSL_PARAM_set_utf8_string(p, digest_name(c->mgf1 != 0 ? c->mgf1 : c->oaep_md)) != 1)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL);
    if (p != nullptr && OSSL_PARAM_set_octet_ptr(p, c->label.empty() ? nullptr : c->label.data(),
                                                 c->label.size()) != 1)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION);
    if (p != nullptr && OSSL_PARAM_set_uint(p, c->client_version) != 1) return 0;
    p = OSSL_PARAM_locate(params, OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION);
    if (p != nullptr && OSSL_PARAM_set_uint(p, c->alt_version) != 1) return 0;
    return get_op_params(c->opts, params);
}

int asym_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<AsymCtx *>(vctx);
        return c != nullptr ? set_params_impl(c, params) : 0;
    } catch (...) {
        return 0;
    }
}

const OSSL_PARAM kAsymGettable[] = {
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, nullptr, 0),
    OSSL_PARAM_octet_ptr(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, nullptr, 0),
    OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, nullptr),
    OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, nullptr),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kAsymSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST_PROPS, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST_PROPS, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_ASYM_CIPHER_PARAM_OAEP_LABEL, nullptr, 0),
    OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_CLIENT_VERSION, nullptr),
    OSSL_PARAM_uint(OSSL_ASYM_CIPHER_PARAM_TLS_NEGOTIATED_VERSION, nullptr),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};

const OSSL_PARAM *asym_gettable(void *vctx, void *provctx) { return kAsymGettable; }
const OSSL_PARAM *asym_settable(void *vctx, void *provctx) { return kAsymSettable; }

#define ASYM_FN(id, fn)                                                                            \
    { id, reinterpret_cast<void (*)(void)>(fn) }

const OSSL_DISPATCH kRsaAsymFns[] = {
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_NEWCTX, asym_newctx),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_FREECTX, asym_freectx),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_DUPCTX, asym_dupctx),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_ENCRYPT_INIT, asym_encrypt_init),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_ENCRYPT, asym_encrypt),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_DECRYPT_INIT, asym_decrypt_init),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_DECRYPT, asym_decrypt),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_GET_CTX_PARAMS, asym_get_ctx_params),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_GETTABLE_CTX_PARAMS, asym_gettable),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_SET_CTX_PARAMS, asym_set_ctx_params),
    ASYM_FN(OSSL_FUNC_ASYM_CIPHER_SETTABLE_CTX_PARAMS, asym_settable),
    {0, nullptr}};

} // namespace

// kAsymCipherAlgorithms: RSA.
const OSSL_ALGORITHM kAsymCipherAlgorithms[] = {{"RSA:rsaEncryption:1.2.840.113549.1.1.1",
                                                 "provider=acrypto", kRsaAsymFns,
                                                 "acrypto RSA encryption"},
                                                {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
