// SPDX-License-Identifier: Apache-2.0
// CMAC over AES-128/192/256-CBC and DES-EDE3-CBC: input gathered, one CMAC session at final.
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <cstring>
#include <new>
#include <string>
#include <strings.h>
#include <vector>

#include "errors.hpp"
#include "execute.hpp"
#include "op_params.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

struct CmacCipher {
    const char *name;
    uint32_t alg;
    size_t key_len;
    size_t block;
};

constexpr CmacCipher kCmacCiphers[] = {
    {"AES-128-CBC", ACRYPTO_ALG_AES, 16, 16},
    {"AES-192-CBC", ACRYPTO_ALG_AES, 24, 16},
    {"AES-256-CBC", ACRYPTO_ALG_AES, 32, 16},
    {"DES-EDE3-CBC", ACRYPTO_ALG_DES_EDE3, 24, 8},
};

struct CmacCtx {
    ProvCtx *pctx = nullptr;
    OpOptions opts;
    const CmacCipher *cipher = nullptr;
    SymKey key;
    std::vector<uint8_t> input;
    bool ready = false;
};

void wipe_input(CmacCtx *c) {
    OPENSSL_cleanse(c->input.data(), c->input.size());
    c->input.clear();
}

void *cmac_newctx(void *provctx) {
    try {
        auto *c = new CmacCtx;
        c->pctx = static_cast<ProvCtx *>(provctx);
        c->opts = default_options(c->pctx, "CMAC");
        return c;
    } catch (...) {
        return nullptr;
    }
}

void cmac_freectx(void *vctx) {
    auto *c = static_cast<CmacCtx *>(vctx);
    if (c == nullptr) return;
    wipe_input(c);
    sym_key_drop(c->key);
    delete c;
}

void *cmac_dupctx(void *vctx) {
    try {
        return new CmacCtx(*static_cast<CmacCtx *>(vctx));
    } catch (...) {
        return nullptr;
    }
}

int set_key(CmacCtx *c, const unsigned char *key, size_t keylen) {
    if (c->cipher == nullptr) {
        raise(c->pctx, kReasonNotInitialized, "CMAC without a cipher");
        return 0;
    }
    if (keylen != c->cipher->key_len) {
        raise(c->pctx, kReasonBadKeyLength, "CMAC key of %zu bytes for %s", keylen,
              c->cipher->name);
        return 0;
    }
    if (!sym_key_set(c->pctx, c->key, c->cipher->alg, key, keylen)) {
        raise(c->pctx, kReasonNoScheduler, "no scheduler");
        return 0;
    }
    return 1;
}

int cmac_set_ctx_params(void *vctx, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<CmacCtx *>(vctx);
        if (params == nullptr) return 1;
        const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_CIPHER);
        if (p != nullptr) {
            const char *name = nullptr;
            if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1) return 0;
            c->cipher = nullptr;
            for (const auto &e : kCmacCiphers)
                if (strcasecmp(e.name, name) == 0) c->cipher = &e;
            if (c->cipher == nullptr) {
                raise(c->pctx, kReasonUnsupported, "CMAC over %s", name);
                return 0;
            }
        }
        if ((p = OSSL_PARAM_locate_const(params, OSSL_MAC_PARAM_KEY)) != nullptr) {
            const void *key = nullptr;
            size_t len = 0;
            if (OSSL_PARAM_get_octet_string_ptr(p, &key, &len) != 1 ||
                set_key(c, static_cast<const unsigned char *>(key), len) != 1)
                return 0;
            c->ready = true;
            wipe_input(c);
        }
        return set_op_params(c->pctx, c->opts, params);
    } catch (...) {
        return 0;
    }
}

int cmac_init(void *vctx, const unsigned char *key, size_t keylen, const OSSL_PARAM params[]) {
    try {
        auto *c = static_cast<CmacCtx *>(vctx);
        if (cmac_set_ctx_params(c, params) != 1) return 0;
        if (key != nullptr && set_key(c, key, keylen) != 1) return 0;
        if (!c->key.key) return 0;
        wipe_input(c);
        c->ready = true;
        return 1;
    } catch (...) {
        return 0;
    }
}

int cmac_update(void *vctx, const unsigned char *in, size_t inl) {
    try {
        auto *c = static_cast<CmacCtx *>(vctx);
        if (!c->ready) return 0;
        c->input.insert(c->input.end(), in, in + inl);
        return 1;
    } catch (...) {
        return 0;
    }
}

int cmac_final(void *vctx, unsigned char *out, size_t *outl, size_t outsize) {
    try {
        auto *c = static_cast<CmacCtx *>(vctx);
        if (!c->ready || c->cipher == nullptr || !sym_key_fresh(c->pctx, c->key)) return 0;
        const size_t size = c->cipher->block;
        if (outsize < size) {
            raise(c->pctx, kReasonOutputTooSmall, "CMAC of %zu bytes", size);
            return 0;
        }
        auto s = make_session(c->opts, c->input.size() + size + 64);
        if (!s) return 0;
        acrypto_step &st = s->step(0);
        st.op = ACRYPTO_OP_MAC;
        st.alg = c->cipher->alg;
        st.mode = ACRYPTO_MODE_CMAC;
        st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        s->set_key(0, c->key.key);
        st.src = arena_copy(*s, c->input.data(), c->input.size());
        st.src_len = c->input.size();
        st.dst = s->alloc(size);
        st.dst_len = size;
        if (st.src == nullptr || st.dst == nullptr) return 0;
        int status = execute(c->pctx, s);
        OPENSSL_cleanse(const_cast<uint8_t *>(st.src), st.src_len);
        wipe_input(c);
        c->ready = false;
        if (status != ACRYPTO_OK || st.out_len != size) {
            raise_status(c->pctx, status == ACRYPTO_OK ? ACRYPTO_E_INTERNAL : status, "CMAC");
            return 0;
        }
        std::memcpy(out, st.dst, size);
        *outl = size;
        return 1;
    } catch (...) {
        return 0;
    }
}

int cmac_get_ctx_params(void *vctx, OSSL_PARAM params[]) {
    auto *c = static_cast<CmacCtx *>(vctx);
    const size_t size = c->cipher != nullptr ? c->cipher->block : 0;
    OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_SIZE);
    if (p != nullptr && OSSL_PARAM_set_size_t(p, size) != 1) return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_MAC_PARAM_BLOCK_SIZE)) != nullptr &&
        OSSL_PARAM_set_size_t(p, size) != 1)
        return 0;
    return get_op_params(c->opts, params);
}

const OSSL_PARAM kCtxGettable[] = {OSSL_PARAM_size_t(OSSL_MAC_PARAM_SIZE, nullptr),
                                   OSSL_PARAM_size_t(OSSL_MAC_PARAM_BLOCK_SIZE, nullptr),
                                   ACRYPTO_OP_SETTABLE_PARAMS, OSSL_PARAM_END};
const OSSL_PARAM kCtxSettable[] = {OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_CIPHER, nullptr, 0),
                                   OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_PROPERTIES, nullptr, 0),
                                   OSSL_PARAM_octet_string(OSSL_MAC_PARAM_KEY, nullptr, 0),
                                   ACRYPTO_OP_SETTABLE_PARAMS, OSSL_PARAM_END};

const OSSL_PARAM *cmac_gettable_ctx(void *vctx, void *provctx) { return kCtxGettable; }
const OSSL_PARAM *cmac_settable_ctx(void *vctx, void *provctx) { return kCtxSettable; }

#define MAC_FN(id, fn)                                                                             \
    { id, reinterpret_cast<void (*)(void)>(fn) }

const OSSL_DISPATCH kCmacFns[] = {MAC_FN(OSSL_FUNC_MAC_NEWCTX, cmac_newctx),
                                  MAC_FN(OSSL_FUNC_MAC_DUPCTX, cmac_dupctx),
                                  MAC_FN(OSSL_FUNC_MAC_FREECTX, cmac_freectx),
                                  MAC_FN(OSSL_FUNC_MAC_INIT, cmac_init),
                                  MAC_FN(OSSL_FUNC_MAC_UPDATE, cmac_update),
                                  MAC_FN(OSSL_FUNC_MAC_FINAL, cmac_final),
                                  MAC_FN(OSSL_FUNC_MAC_GETTABLE_CTX_PARAMS, cmac_gettable_ctx),
                                  MAC_FN(OSSL_FUNC_MAC_GET_CTX_PARAMS, cmac_get_ctx_params),
                                  MAC_FN(OSSL_FUNC_MAC_SETTABLE_CTX_PARAMS, cmac_settable_ctx),
                                  MAC_FN(OSSL_FUNC_MAC_SET_CTX_PARAMS, cmac_set_ctx_params),
                                  {0, nullptr}};

} // namespace

// kMacAlgorithms: CMAC.
const OSSL_ALGORITHM kMacAlgorithms[] = {{"CMAC", "provider=acrypto", kCmacFns, "acrypto CMAC"},
                                         {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
