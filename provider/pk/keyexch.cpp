// SPDX-License-Identifier: Apache-2.0
// Key exchange ECDH (with or without the X9.63 KDF), X25519 and X448: derive runs as a session
// on a capable device.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "errors.hpp"
#include "execute.hpp"
#include "key_data.hpp"
#include "op_params.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"
#include "provider_state.hpp"

namespace acrypto::prov::pk {

namespace {

struct KexCtx {
    ProvCtx *pctx = nullptr;
    KeyType type = KeyType::Ec;
    KeyData *key = nullptr;
    KeyData *peer = nullptr;
    /// The peer's public key as the device takes it, made once at set_peer (for
    /// provider keys, reading it back runs an export or an encoder every time).
    std::vector<uint8_t> peer_bytes;
    int cofactor_mode = -1;
    /// ECDH with the ANSI X9.63 KDF (kdf-type "X963KDF", as CMS uses it): the shared
    /// secret is run through it, with this digest, user keying material and length.
    bool x963 = false;
    std::string kdf_digest;
    std::string kdf_props;
    size_t kdf_outlen = 0;
    std::vector<uint8_t> kdf_ukm;
    OpOptions opts;
};

/// The X9.63 KDF of `secret` into `out` (c->kdf_outlen bytes), by the default provider's
/// (fetched once per provider context).
bool x963_kdf(KexCtx *c, const uint8_t *secret, size_t len, uint8_t *out) {
    EVP_KDF *kdf = forward_kdf(c->pctx, kForwardX963Slot, OSSL_KDF_NAME_X963KDF);
    EVP_KDF_CTX *k = kdf != nullptr ? EVP_KDF_CTX_new(kdf) : nullptr;
    OSSL_PARAM params[5];
    OSSL_PARAM *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, c->kdf_digest.data(), 0);
    if (!c->kdf_props.empty())
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_PROPERTIES, c->kdf_props.data(), 0);
    *p++ =
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<uint8_t *>(secret), len);
    if (!c->kdf_ukm.empty())
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, c->kdf_ukm.data(),
                                                 c->kdf_ukm.size());
    *p = OSSL_PARAM_construct_end();
    const bool ok = k != nullptr && EVP_KDF_derive(k, out, c->kdf_outlen, params) == 1;
    EVP_KDF_CTX_free(k);
    if (!ok) raise(c->pctx, kReasonInternal, "ECDH X9.63 KDF with %s", c->kdf_digest.c_str());
    return ok;
}

/// ECDH's KDF parameters (kdf-type, kdf-digest and its properties, kdf-outlen, kdf-ukm).
bool set_kdf_params(KexCtx *c, const OSSL_PARAM params[]) {
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_TYPE);
    const char *str = nullptr;
    if (p != nullptr) {
        if (OSSL_PARAM_get_utf8_string_ptr(p, &str) != 1) return false;
        if (str == nullptr || *str == '\0') {
            c->x963 = false;
        } else if (OPENSSL_strcasecmp(str, OSSL_KDF_NAME_X963KDF) == 0) {
            c->x963 = true;
        } else {
            raise(c->pctx, kReasonUnsupported, "ECDH with the KDF %s (X963KDF only)", str);
            return false;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_DIGEST)) != nullptr) {
        if (OSSL_PARAM_get_utf8_string_ptr(p, &str) != 1 || str == nullptr) return false;
        EVP_MD *md = EVP_MD_fetch(libctx(c->pctx), str, kValuePropq);
        const bool xof = md != nullptr && (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF) != 0;
        EVP_MD_free(md);
        if (md == nullptr || xof) {
            raise(c->pctx, kReasonUnsupported, "ECDH KDF digest %s", str);
            return false;
        }
        c->kdf_digest = str;
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_DIGEST_PROPS)) != nullptr) {
        if (OSSL_PARAM_get_utf8_string_ptr(p, &str) != 1) return false;
        c->kdf_props = str != nullptr ? str : "";
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_OUTLEN)) != nullptr &&
        OSSL_PARAM_get_size_t(p, &c->kdf_outlen) != 1)
        return false;
    if ((p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_UKM)) != nullptr) {
        const void *ukm = nullptr;
        size_t len = 0;
        if (OSSL_PARAM_get_octet_string_ptr(p, &ukm, &len) != 1) return false;
        const auto *b = static_cast<const uint8_t *>(ukm);
        c->kdf_ukm.assign(b, b + len);
    }
    return true;
}

size_t secret_size(const KexCtx *c) {
    switch (c->type) {
    case KeyType::X25519: return 32;
    case KeyType::X448: return 56;
    default: return (key_bits(c->key) + 7) / 8;
    }
}

/// Peer public key as the device takes it: raw for X25519/X448, SubjectPublicKeyInfo for EC.
bool peer_bytes(KeyType type, const KeyData *peer, std::vector<uint8_t> &out) {
    if (type == KeyType::Ec) return key_public_der(peer, out);
    if (peer->raw_len != 0) {
        out.assign(peer->raw_pub, peer->raw_pub + peer->raw_len);
        return true;
    }
    EVP_PKEY *pk = key_pkey(peer);
    size_t len = 0;
    if (pk == nullptr || EVP_PKEY_get_raw_public_key(pk, nullptr, &len) != 1) return false;
    out.resize(len);
    return EVP_PKEY_get_raw_public_key(pk, out.data(), &len) == 1;
}

int set_params_impl(KexCtx *c, const OSSL_PARAM params[]) {
    if (params == nullptr) return 1;
    const OSSL_PARAM *p;
    if (c->type == KeyType::Ec) {
        if ((p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE)) !=
            nullptr) {
            int mode = 0;
            if (OSSL_PARAM_get_int(p, &mode) != 1 || mode < -1 || mode > 1) return 0;
            c->cofactor_mode = mode; // named prime curves have cofactor 1: no effect
        }
        if (!set_kdf_params(c, params)) return 0;
    }
    return set_op_params(c->pctx, c->opts, params);
}

template <KeyType T> void *kex_newctx(void *provctx) {
    try {
        auto *c = new KexCtx;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->type = T;
        c->opts = default_options(c->pctx, T == KeyType::Ec ? "ECDH" : key_type_name(T));
        return c;
    } catch (...) {
        return nullptr;
    }
}

void kex_freectx(void *vctx) {
    auto *c = static_cast<KexCtx *>(vctx);
    if (c == nullptr) return;
    key_unref(c->key);
    key_unref(c->peer);
    delete c;
}

void *kex_dupctx(void *vctx) {
    try {
        auto *d = new KexCtx(*static_cast<KexCtx *>(vctx));
        if (d->key != nullptr) key_ref(d->key);
        if (d->peer != nullptr) key_ref(d->peer);
        return d;
    } catch (...) {
        return nullptr;
    }
}

int kex_init(void *vctx, void *provkey, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<KexCtx *>(vctx);
        auto *k = static_cast<KeyData *>(provkey);
        if (c == nullptr || k == nullptr || k->type != c->type || !k->has_priv) {
            if (c != nullptr)
                raise(c->pctx, kReasonBadParam, "key exchange needs a private %s key",
                      key_type_name(c->type));
            return 0;
        }
        key_ref(k);
        key_unref(c->key);
        c->key = k;
        return set_params_impl(c, params);
    } catch (...) {
        return 0;
    }
}

int kex_set_peer(void *vctx, void *provkey) {
    auto *c = static_cast<KexCtx *>(vctx);
    auto *k = static_cast<KeyData *>(provkey);
    if (c == nullptr || k == nullptr || k->type != c->type || !k->has_pub || key_empty(k)) return 0;
    if (c->type == KeyType::Ec && c->key != nullptr && c->key->pkey != nullptr &&
        EVP_PKEY_parameters_eq(c->key->pkey, k->pkey) != 1) {
        raise(c->pctx, kReasonBadParam, "peer key on another curve");
        return 0;
    }
    try {
        std::vector<uint8_t> bytes;
        if (!peer_bytes(c->type, k, bytes)) return 0;
        key_ref(k);
        key_unref(c->peer);
        c->peer = k;
        c->peer_bytes.swap(bytes);
        return 1;
    } catch (...) {
        return 0;
    }
}

int kex_derive(void *vctx, unsigned char *secret, size_t *secretlen, size_t outlen) {
    try {
        auto *c = static_cast<KexCtx *>(vctx);
        if (c == nullptr || c->key == nullptr) return 0;
        const size_t size = secret_size(c);
        if (secret == nullptr) { // size query: answer now, never submit
            *secretlen = c->x963 ? c->kdf_outlen : size;
            return *secretlen > 0 ? 1 : 0;
        }
        if (c->peer == nullptr) {
            raise(c->pctx, kReasonNotInitialized, "derive without a peer key");
            return 0;
        }
        if (c->x963 && (c->kdf_digest.empty() || c->kdf_outlen == 0 || outlen < c->kdf_outlen)) {
            raise(c->pctx, kReasonBadParam,
                  "ECDH X9.63 KDF: needs kdf-digest, and kdf-outlen (%zu) within %zu bytes",
                  c->kdf_outlen, outlen);
            return 0;
        }
        if (c->type != KeyType::Ec && outlen < size) {
            raise(c->pctx, kReasonOutputTooSmall, "shared secret of %zu bytes", size);
            return 0;
        }
        const std::vector<uint8_t> &peer = c->peer_bytes;
        auto key = key_device(c->key, true);
        if (!key || peer.empty()) {
            raise(c->pctx, kReasonInternal, "key exchange keys");
            return 0;
        }
        auto s = make_session(c->opts, peer.size() + size + 64);
        if (!s) {
            raise(c->pctx, kReasonNoMemory, "derive session");
            return 0;
        }
        acrypto_step &st = s->step(0);
        st.op = ACRYPTO_OP_PKEY;
        st.alg = key_type_alg(c->type);
        st.mode = ACRYPTO_MODE_PK_DERIVE;
        s->set_key(0, key);
        st.pk.other = arena_copy(*s, peer.data(), peer.size());
        st.pk.other_len = peer.size();
        st.dst = s->alloc(size);
        st.dst_len = size;
        if (st.pk.other == nullptr || st.dst == nullptr) {
            raise(c->pctx, kReasonNoMemory, "derive session");
            return 0;
        }
        int status = run_pk(c->pctx, s);
        if (status != ACRYPTO_OK) {
            raise_status(c->pctx, status, "key exchange");
            return 0;
        }
        if (c->x963) {
            const bool ok = x963_kdf(c, st.dst, st.out_len, secret);
            OPENSSL_cleanse(st.dst, size);
            if (ok) *secretlen = c->kdf_outlen;
            return ok ? 1 : 0;
        }
        // ECDH may be truncated to the caller's length (as OpenSSL does).
        const size_t n = st.out_len < outlen ? st.out_len : outlen;
        std::memcpy(secret, st.dst, n);
        OPENSSL_cleanse(st.dst, size);
        *secretlen = n;
        return 1;
    } catch (...) {
        return 0;
    }
}

int kex_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<KexCtx *>(vctx);
        return c != nullptr ? set_params_impl(c, params) : 0;
    } catch (...) {
        return 0;
    }
}

int kex_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<KexCtx *>(vctx);
    if (c == nullptr) return 0;
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE);
    if (p != nullptr && OSSL_PARAM_set_int(p, c->cofactor_mode < 0 ? 0 : c->cofactor_mode) != 1)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_TYPE);
    if (p != nullptr && OSSL_PARAM_set_utf8_string(p, c->x963 ? OSSL_KDF_NAME_X963KDF : "") != 1)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_DIGEST);
    if (p != nullptr && OSSL_PARAM_set_utf8_string(p, c->kdf_digest.c_str()) != 1) return 0;
    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_OUTLEN);
    if (p != nullptr && OSSL_PARAM_set_size_t(p, c->kdf_outlen) != 1) return 0;
    p = OSSL_PARAM_locate(params, OSSL_EXCHANGE_PARAM_KDF_UKM);
    if (p != nullptr && OSSL_PARAM_set_octet_ptr(p, c->kdf_ukm.data(), c->kdf_ukm.size()) != 1)
        return 0;
    return get_op_params(c->opts, params);
}

const OSSL_PARAM kEcdhSettable[] = {
    OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, nullptr),
    OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_DIGEST_PROPS, nullptr, 0),
    OSSL_PARAM_size_t(OSSL_EXCHANGE_PARAM_KDF_OUTLEN, nullptr),
    OSSL_PARAM_octet_string(OSSL_EXCHANGE_PARAM_KDF_UKM, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
const OSSL_PARAM kEcxSettable[] = {ACRYPTO_OP_SETTABLE_PARAMS, OSSL_PARAM_END};

template <KeyType T> const OSSL_PARAM *kex_settable(void *vctx, void *provctx) {
    return T == KeyType::Ec ? kEcdhSettable : kEcxSettable;
}

#define KEX_FN(id, fn)                                                                             \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <KeyType T> struct KexTable { static const OSSL_DISPATCH fns[]; };

template <KeyType T>
const OSSL_DISPATCH KexTable<T>::fns[] = {
    KEX_FN(OSSL_FUNC_KEYEXCH_NEWCTX, kex_newctx<T>),
    KEX_FN(OSSL_FUNC_KEYEXCH_INIT, kex_init),
    KEX_FN(OSSL_FUNC_KEYEXCH_SET_PEER, kex_set_peer),
    KEX_FN(OSSL_FUNC_KEYEXCH_DERIVE, kex_derive),
    KEX_FN(OSSL_FUNC_KEYEXCH_FREECTX, kex_freectx),
    KEX_FN(OSSL_FUNC_KEYEXCH_DUPCTX, kex_dupctx),
    KEX_FN(OSSL_FUNC_KEYEXCH_SET_CTX_PARAMS, kex_set_ctx_params),
    KEX_FN(OSSL_FUNC_KEYEXCH_SETTABLE_CTX_PARAMS, kex_settable<T>),
    KEX_FN(OSSL_FUNC_KEYEXCH_GET_CTX_PARAMS, kex_get_ctx_params),
    KEX_FN(OSSL_FUNC_KEYEXCH_GETTABLE_CTX_PARAMS, kex_settable<T>),
    {0, nullptr}};

} // namespace

// kKeyexchAlgorithms: ECDH, X25519, X448.
const OSSL_ALGORITHM kKeyexchAlgorithms[] = {
    {"ECDH", "provider=acrypto", KexTable<KeyType::Ec>::fns, "acrypto ECDH"},
    {"X25519:1.3.101.110", "provider=acrypto", KexTable<KeyType::X25519>::fns, "acrypto X25519"},
    {"X448:1.3.101.111", "provider=acrypto", KexTable<KeyType::X448>::fns, "acrypto X448"},
    {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
