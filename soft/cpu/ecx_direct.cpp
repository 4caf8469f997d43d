// SPDX-License-Identifier: Apache-2.0
// X25519 / X448 through the default provider's keymgmt and keyexch dispatch functions.
#include "ecx_direct.hpp"

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <cstring>
#include <new>

#include "acrypto/ossl/impl.hpp"

namespace acrypto::soft::cpu {

namespace {

struct KeymgmtFns {
    void *provctx = nullptr;
    OSSL_FUNC_keymgmt_new_fn *create = nullptr;
    OSSL_FUNC_keymgmt_free_fn *free = nullptr;
    OSSL_FUNC_keymgmt_import_fn *import = nullptr;
    OSSL_FUNC_keymgmt_export_fn *export_key = nullptr;
    OSSL_FUNC_keymgmt_gen_init_fn *gen_init = nullptr;
    OSSL_FUNC_keymgmt_gen_fn *gen = nullptr;
    OSSL_FUNC_keymgmt_gen_cleanup_fn *gen_cleanup = nullptr;
};

bool fill_keymgmt(KeymgmtFns &f, const OSSL_DISPATCH *d) {
    for (; d->function_id != 0; ++d) {
        switch (d->function_id) {
        case OSSL_FUNC_KEYMGMT_NEW: f.create = OSSL_FUNC_keymgmt_new(d); break;
        case OSSL_FUNC_KEYMGMT_FREE: f.free = OSSL_FUNC_keymgmt_free(d); break;
        case OSSL_FUNC_KEYMGMT_IMPORT: f.import = OSSL_FUNC_keymgmt_import(d); break;
        case OSSL_FUNC_KEYMGMT_EXPORT: f.export_key = OSSL_FUNC_keymgmt_export(d); break;
        case OSSL_FUNC_KEYMGMT_GEN_INIT: f.gen_init = OSSL_FUNC_keymgmt_gen_init(d); break;
        case OSSL_FUNC_KEYMGMT_GEN: f.gen = OSSL_FUNC_keymgmt_gen(d); break;
        case OSSL_FUNC_KEYMGMT_GEN_CLEANUP: f.gen_cleanup = OSSL_FUNC_keymgmt_gen_cleanup(d); break;
        default: break;
        }
    }
    return f.create && f.free && f.import && f.export_key && f.gen_init && f.gen && f.gen_cleanup;
}

struct KeyexchFns {
    void *provctx = nullptr;
    OSSL_FUNC_keyexch_newctx_fn *newctx = nullptr;
    OSSL_FUNC_keyexch_freectx_fn *freectx = nullptr;
    OSSL_FUNC_keyexch_init_fn *init = nullptr;
    OSSL_FUNC_keyexch_set_peer_fn *set_peer = nullptr;
    OSSL_FUNC_keyexch_derive_fn *derive = nullptr;
};

bool fill_keyexch(KeyexchFns &f, const OSSL_DISPATCH *d) {
    for (; d->function_id != 0; ++d) {
        switch (d->function_id) {
        case OSSL_FUNC_KEYEXCH_NEWCTX: f.newctx = OSSL_FUNC_keyexch_newctx(d); break;
        case OSSL_FUNC_KEYEXCH_FREECTX: f.freectx = OSSL_FUNC_keyexch_freectx(d); break;
        case OSSL_FUNC_KEYEXCH_INIT: f.init = OSSL_FUNC_keyexch_init(d); break;
        case OSSL_FUNC_KEYEXCH_SET_PEER: f.set_peer = OSSL_FUNC_keyexch_set_peer(d); break;
        case OSSL_FUNC_KEYEXCH_DERIVE: f.derive = OSSL_FUNC_keyexch_derive(d); break;
        default: break;
        }
    }
    return f.newctx && f.freectx && f.init && f.set_peer && f.derive;
}

/// One algorithm's functions, and its generation context once made (this thread's).
struct Ecx {
    KeymgmtFns *km = nullptr;
    KeyexchFns *kx = nullptr;
    void *genctx = nullptr;
    Ecx() = default;
    Ecx(const Ecx &) = delete;
    Ecx &operator=(const Ecx &) = delete;
    ~Ecx() {
        if (genctx != nullptr) km->gen_cleanup(genctx);
        delete km;
        delete kx;
    }
};

/// Both algorithms of one thread; looked up on first use, a failed lookup is not retried.
struct EcxState {
    Ecx algs[2];
    bool tried[2] = {false, false};
};

const char kEcxTag = 0;

void free_state(void *p) { delete static_cast<EcxState *>(p); }

Ecx *ecx(ExecCtx &c, bool x25519) {
    auto *st = static_cast<EcxState *>(c.local(&kEcxTag));
    if (st == nullptr) {
        st = new (std::nothrow) EcxState;
        if (st == nullptr) return nullptr;
        c.set_local(&kEcxTag, st, free_state);
    }
    Ecx &e = st->algs[x25519 ? 0 : 1];
    bool &tried = st->tried[x25519 ? 0 : 1];
    if (!tried) {
        tried = true;
        const char *name = x25519 ? "X25519" : "X448";
        OSSL_PROVIDER *prov = c.lib().default_provider();
        e.km = ossl::look_up<KeymgmtFns>(prov, OSSL_OP_KEYMGMT, name, fill_keymgmt);
        e.kx = ossl::look_up<KeyexchFns>(prov, OSSL_OP_KEYEXCH, name, fill_keyexch);
    }
    return e.km != nullptr && e.kx != nullptr ? &e : nullptr;
}

/// A key object of the default provider, freed with its keymgmt's free.
class ProvKey {
  public:
    explicit ProvKey(const KeymgmtFns &km) : km_(km), key_(km.create(km.provctx)) {}
    ~ProvKey() {
        if (key_ != nullptr) km_.free(key_);
    }
    ProvKey(const ProvKey &) = delete;
    ProvKey &operator=(const ProvKey &) = delete;
    void *get() const noexcept { return key_; }
    /// Import `priv` (nullptr: none) and `pub` (nullptr: computed from priv).
    bool import(const uint8_t *priv, const uint8_t *pub, size_t len) {
        OSSL_PARAM p[3];
        size_t n = 0;
        if (priv != nullptr)
            p[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY,
                                                       const_cast<uint8_t *>(priv), len);
        if (pub != nullptr)
            p[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
                                                       const_cast<uint8_t *>(pub), len);
        p[n] = OSSL_PARAM_construct_end();
        const int sel =
            priv != nullptr ? OSSL_KEYMGMT_SELECT_KEYPAIR : OSSL_KEYMGMT_SELECT_PUBLIC_KEY;
        return key_ != nullptr && n > 0 && km_.import(key_, sel, p) == 1;
    }

  private:
    const KeymgmtFns &km_;
    void *key_;
};

/// What export hands back: both keys copied out, their lengths checked.
struct Exported {
    uint8_t *priv;
    uint8_t *pub;
    size_t len;
    bool got_priv = false;
    bool got_pub = false;
};

int take_exported(const OSSL_PARAM params[], void *arg) {
    auto *x = static_cast<Exported *>(arg);
    for (const OSSL_PARAM *p = params; p != nullptr && p->key != nullptr; ++p) {
        const bool priv = std::strcmp(p->key, OSSL_PKEY_PARAM_PRIV_KEY) == 0;
        if (!priv && std::strcmp(p->key, OSSL_PKEY_PARAM_PUB_KEY) != 0) continue;
        if (p->data_type != OSSL_PARAM_OCTET_STRING || p->data_size != x->len) return 0;
        std::memcpy(priv ? x->priv : x->pub, p->data, x->len);
        (priv ? x->got_priv : x->got_pub) = true;
    }
    return 1;
}

} // namespace

int ecx_derive(ExecCtx &c, bool x25519, const uint8_t *priv, const uint8_t *pub,
               const uint8_t *peer, uint8_t *out, size_t out_size, size_t &out_len) {
    Ecx *e = ecx(c, x25519);
    if (e == nullptr) return ACRYPTO_E_UNSUPPORTED;
    const size_t len = ecx_key_len(x25519);
    ProvKey own(*e->km), other(*e->km);
    if (!own.import(priv, pub, len) || !other.import(nullptr, peer, len)) return ACRYPTO_E_INVALID;
    void *ctx = e->kx->newctx(e->kx->provctx);
    if (ctx == nullptr) return ACRYPTO_E_NOMEM;
    size_t n = 0;
    const bool ok = e->kx->init(ctx, own.get(), nullptr) == 1 &&
                    e->kx->set_peer(ctx, other.get()) == 1 &&
                    e->kx->derive(ctx, out, &n, out_size) == 1;
    e->kx->freectx(ctx);
    if (!ok) return ACRYPTO_E_INVALID;
    out_len = n;
    return ACRYPTO_OK;
}

int ecx_generate(ExecCtx &c, bool x25519, uint8_t *priv, uint8_t *pub) {
    Ecx *e = ecx(c, x25519);
    if (e == nullptr) return ACRYPTO_E_UNSUPPORTED;
    if (e->genctx == nullptr &&
        (e->genctx = e->km->gen_init(e->km->provctx, OSSL_KEYMGMT_SELECT_KEYPAIR, nullptr)) ==
            nullptr)
        return ACRYPTO_E_NOMEM;
    void *key = e->km->gen(e->genctx, nullptr, nullptr);
    if (key == nullptr) return ACRYPTO_E_INVALID;
    Exported x{priv, pub, ecx_key_len(x25519)};
    const bool ok = e->km->export_key(key, OSSL_KEYMGMT_SELECT_KEYPAIR, take_exported, &x) == 1 &&
                    x.got_priv && x.got_pub;
    e->km->free(key);
    if (!ok) {
        OPENSSL_cleanse(priv, x.len);
        return ACRYPTO_E_INVALID;
    }
    return ACRYPTO_OK;
}

} // namespace acrypto::soft::cpu
