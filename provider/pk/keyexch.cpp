// SPDX-License-Identifier: Apache-2.0
// Key exchange ECDH, X25519 and X448: derive runs as a session on a capable device.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

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

struct KexCtx {
    ProvCtx *pctx = nullptr;
    KeyType type = KeyType::Ec;
    KeyData *key = nullptr;
    KeyData *peer = nullptr;
    /// The peer's public key as the device takes it, made once at set_peer (for
    /// provider keys, reading it back runs an export or an encoder every time).
    std::vector<uint8_t> peer_bytes;
    int cofactor_mode = -1;
    OpOptions opts;
};

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
        if ((p = OSSL_PARAM_locate_const(params, OSSL_EXCHANGE_PARAM_KDF_TYPE)) != nullptr) {
            const char *kdf = nullptr;
            if (OSSL_PARAM_get_utf8_string_ptr(p, &kdf) != 1 || (kdf != nullptr && *kdf != '\0')) {
                raise(c->pctx, kReasonUnsupported, "ECDH with a KDF");
                return 0;
            }
        }
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
            *secretlen = size;
            return size > 0 ? 1 : 0;
        }
        if (c->peer == nullptr) {
            raise(c->pctx, kReasonNotInitialized, "derive without a peer key");
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
    if (p != nullptr && OSSL_PARAM_set_utf8_string(p, "") != 1) return 0;
    return get_op_params(c->opts, params);
}

const OSSL_PARAM kEcdhSettable[] = {
    OSSL_PARAM_int(OSSL_EXCHANGE_PARAM_EC_ECDH_COFACTOR_MODE, nullptr),
    OSSL_PARAM_utf8_string(OSSL_EXCHANGE_PARAM_KDF_TYPE, nullptr, 0), ACRYPTO_OP_SETTABLE_PARAMS,
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
