// SPDX-License-Identifier: Apache-2.0
// Key management for RSA, RSA-PSS, EC, X25519 and X448: import/export, params, match, dup, gen.
#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/params.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "acrypto/ossl/pkcs8.hpp"
#include "acrypto/sched/scheduler.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "key_data.hpp"
#include "op_params.hpp"
#include "pk_common.hpp"
#include "pk_tables.hpp"

namespace acrypto::prov::pk {

namespace {

constexpr int kSelectKeypair = OSSL_KEYMGMT_SELECT_KEYPAIR;

const char *priv_param(KeyType t) {
    return t == KeyType::Rsa || t == KeyType::RsaPss ? OSSL_PKEY_PARAM_RSA_D
                                                     : OSSL_PKEY_PARAM_PRIV_KEY;
}

bool is_rsa(KeyType t) { return t == KeyType::Rsa || t == KeyType::RsaPss; }

/// Wipe every value of a params array built by libcrypto, then free it.
void params_clear_free(OSSL_PARAM *params) {
    if (params == nullptr) return;
    for (OSSL_PARAM *p = params; p->key != nullptr; ++p)
        if (p->data != nullptr && p->data_size > 0) OPENSSL_cleanse(p->data, p->data_size);
    OSSL_PARAM_free(params);
}

/// Build values of type `t` from `params` (selection as the keymgmt received it).
EVP_PKEY *pkey_from_params(ProvCtx *pctx, KeyType t, int selection, const OSSL_PARAM params[]) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(libctx(pctx), key_type_name(t), kValuePropq);
    EVP_PKEY *pk = nullptr;
    // OSSL_PARAM arrays are const in the keymgmt API but not in EVP_PKEY_fromdata's.
    if (c == nullptr || EVP_PKEY_fromdata_init(c) != 1 ||
        EVP_PKEY_fromdata(c, &pk, selection, const_cast<OSSL_PARAM *>(params)) != 1)
        pk = nullptr;
    EVP_PKEY_CTX_free(c);
    return pk;
}

bool pkey_has_pub(KeyType t, EVP_PKEY *pk) {
    if (is_rsa(t)) return true; // n is the modulus: an RSA key without it does not import
    size_t len = 0;
    return EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0, &len) == 1 &&
           len > 0;
}

int import_into(KeyData *k, int selection, const OSSL_PARAM params[]) {
    if ((selection & (kSelectKeypair | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS)) == 0) return 0;
    EVP_PKEY *pk = pkey_from_params(k->pctx, k->type, selection, params);
    if (pk == nullptr) return 0;
    const bool priv = (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 &&
                      OSSL_PARAM_locate_const(params, priv_param(k->type)) != nullptr;
    const bool pub = (selection & kSelectKeypair) != 0 && pkey_has_pub(k->type, pk);
    key_set_pkey(k, pk, priv, pub);
    return 1;
}

int curve_nid_of(const char *group) {
    int nid = OBJ_sn2nid(group);
    if (nid == NID_undef) nid = EC_curve_nist2nid(group);
    if (nid == NID_undef) nid = OBJ_ln2nid(group);
    return nid;
}

/// Parameters-only EC values for `group`.
EVP_PKEY *ec_params_only(ProvCtx *pctx, const std::string &group) {
    OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
                                                       const_cast<char *>(group.c_str()), 0),
                      OSSL_PARAM_construct_end()};
    return pkey_from_params(pctx, KeyType::Ec, OSSL_KEYMGMT_SELECT_ALL_PARAMETERS, p);
}

// ---- gettable / settable tables --------------------------------------------

const OSSL_PARAM kRsaGettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_MANDATORY_DIGEST, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, nullptr, 0),
    OSSL_PARAM_END};

const OSSL_PARAM kEcGettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_X, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_PUB_Y, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_USE_COFACTOR_ECDH, nullptr),
    OSSL_PARAM_END};

const OSSL_PARAM kEcxGettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, nullptr),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, nullptr),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
    OSSL_PARAM_END};

const OSSL_PARAM kRsaImport[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_D, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR1, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR2, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_FACTOR3, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT1, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT2, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_EXPONENT3, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT1, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_COEFFICIENT2, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, nullptr, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, nullptr),
    OSSL_PARAM_END};

const OSSL_PARAM kEcImport[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_FIELD_TYPE, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_P, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_A, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_B, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_EC_GENERATOR, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_ORDER, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_EC_COFACTOR, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_EC_SEED, nullptr, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_USE_COFACTOR_ECDH, nullptr),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
    OSSL_PARAM_END};

const OSSL_PARAM kEcxImport[] = {OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, nullptr, 0),
                                 OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, nullptr, 0),
                                 OSSL_PARAM_END};

const OSSL_PARAM kPubSettable[] = {
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0), OSSL_PARAM_END};
/// km_set_params hands EC parameters to the default provider's key: the ones it takes.
const OSSL_PARAM kEcSettable[] = {
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_USE_COFACTOR_ECDH, nullptr),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_EC_INCLUDE_PUBLIC, nullptr),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_GROUP_CHECK_TYPE, nullptr, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_EC_SEED, nullptr, 0),
    OSSL_PARAM_END};
const OSSL_PARAM kNoParams[] = {OSSL_PARAM_END};

const OSSL_PARAM kEcGenSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_ENCODING, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS, OSSL_PARAM_END};
/// RSA-PSS generation takes the first kPssGenOnly entries as well (the key's restrictions).
const OSSL_PARAM kRsaGenSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_DIGEST_PROPS, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MASKGENFUNC, nullptr, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_RSA_MGF1_DIGEST, nullptr, 0),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_RSA_PSS_SALTLEN, nullptr),
    OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_BITS, nullptr),
    OSSL_PARAM_size_t(OSSL_PKEY_PARAM_RSA_PRIMES, nullptr),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, nullptr, 0),
    ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};
constexpr size_t kPssGenOnly = 5;
const OSSL_PARAM kEcxGenSettable[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, nullptr, 0), ACRYPTO_OP_SETTABLE_PARAMS,
    OSSL_PARAM_END};

// ---- generation --------------------------------------------------------------

struct GenCtx {
    ProvCtx *pctx = nullptr;
    KeyType type = KeyType::Ec;
    int selection = 0;
    std::string group;
    size_t rsa_bits = 2048;
    std::vector<uint8_t> rsa_e;             ///< public exponent, big-endian; empty: 65537
    uint32_t pss_digest = ACRYPTO_ALG_NONE; ///< RSA-PSS restrictions (session.h)
    uint32_t pss_mgf1 = ACRYPTO_ALG_NONE;
    int pss_saltlen = -1;
    OpOptions opts;
};

/// An RSA generation's public exponent: odd, at least 3.
bool gen_set_rsa_e(GenCtx *g, const OSSL_PARAM *p) {
    BIGNUM *e = nullptr;
    bool ok = OSSL_PARAM_get_BN(p, &e) == 1 && BN_is_odd(e) && BN_num_bits(e) >= 2;
    if (ok) {
        g->rsa_e.assign(static_cast<size_t>(BN_num_bytes(e)), 0);
        ok = BN_bn2bin(e, g->rsa_e.data()) == static_cast<int>(g->rsa_e.size());
    }
    BN_free(e);
    if (!ok) raise(g->pctx, kReasonBadParam, "RSA public exponent: an odd number of at least 3");
    return ok;
}

/// An RSA-PSS generation's restrictions: digest, MGF1 and its digest, minimum salt.
bool gen_set_pss(GenCtx *g, const OSSL_PARAM params[]) {
    const char *name = nullptr;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_DIGEST);
    if (p != nullptr) {
        if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1 ||
            (g->pss_digest = digest_alg(libctx(g->pctx), name)) == ACRYPTO_ALG_NONE) {
            raise(g->pctx, kReasonUnsupported, "RSA-PSS key digest %s", name ? name : "?");
            return false;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_MASKGENFUNC)) != nullptr &&
        (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1 || OPENSSL_strcasecmp(name, "MGF1") != 0)) {
        raise(g->pctx, kReasonUnsupported, "RSA-PSS mask generation function: MGF1 only");
        return false;
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_MGF1_DIGEST)) != nullptr) {
        if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1 ||
            (g->pss_mgf1 = digest_alg(libctx(g->pctx), name)) == ACRYPTO_ALG_NONE) {
            raise(g->pctx, kReasonUnsupported, "RSA-PSS MGF1 digest %s", name ? name : "?");
            return false;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_PSS_SALTLEN)) != nullptr &&
        (OSSL_PARAM_get_int(p, &g->pss_saltlen) != 1 || g->pss_saltlen < 0)) {
        raise(g->pctx, kReasonBadParam, "RSA-PSS minimum salt length");
        return false;
    }
    return true;
}

int gen_set_params_impl(GenCtx *g, const OSSL_PARAM params[]) {
    if (params == nullptr) return 1;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p != nullptr) {
        const char *name = nullptr;
        if (OSSL_PARAM_get_utf8_string_ptr(p, &name) != 1) return 0;
        if (g->type == KeyType::Ec) {
            if (curve_nid_of(name) == NID_undef) {
                raise(g->pctx, kReasonUnsupported, "EC group %s", name);
                return 0;
            }
            g->group = name;
        } else if (OPENSSL_strcasecmp(name, key_type_name(g->type)) != 0) {
            return 0;
        }
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_BITS)) != nullptr) {
        if (OSSL_PARAM_get_size_t(p, &g->rsa_bits) != 1 || g->rsa_bits < 1024 ||
            g->rsa_bits > 16384)
            return 0;
    }
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_E)) != nullptr &&
        is_rsa(g->type) && !gen_set_rsa_e(g, p))
        return 0;
    if (g->type == KeyType::RsaPss && !gen_set_pss(g, params)) return 0;
    if ((p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_RSA_PRIMES)) != nullptr) {
        size_t primes = 0;
        if (OSSL_PARAM_get_size_t(p, &primes) != 1 || primes != 2) {
            raise(g->pctx, kReasonUnsupported, "RSA keys of %zu primes", primes);
            return 0;
        }
    }
    return set_op_params(g->pctx, g->opts, params);
}

KeyData *gen_keypair(GenCtx *g) {
    acrypto::sched::SchedulerCore *sc = scheduler(g->pctx);
    if (sc == nullptr) {
        raise(g->pctx, kReasonNoScheduler, "no scheduler");
        return nullptr;
    }
    uint32_t nid = 0;
    uint32_t bits = 0;
    size_t room = 512;
    if (g->type == KeyType::Ec) {
        if (g->group.empty()) {
            raise(g->pctx, kReasonNotInitialized, "EC key generation without a group");
            return nullptr;
        }
        nid = static_cast<uint32_t>(curve_nid_of(g->group.c_str()));
    } else if (is_rsa(g->type)) {
        bits = static_cast<uint32_t>(g->rsa_bits);
        room = g->rsa_bits + 1024; // PKCS#8 of an RSA key: about 5/8 bit count in bytes
    }
    static const uint8_t kNoKeyBytes = 0;
    auto key = sc->make_key(key_type_alg(g->type), &kNoKeyBytes, 0, nid, bits);
    auto s = make_session(g->opts, room + g->rsa_e.size());
    uint8_t *out = s ? s->alloc(room) : nullptr;
    uint8_t *e = s && !g->rsa_e.empty() ? s->alloc(g->rsa_e.size()) : nullptr;
    if (!key || out == nullptr || (e == nullptr && !g->rsa_e.empty())) {
        raise(g->pctx, kReasonNoMemory, "key generation session");
        return nullptr;
    }
    acrypto_step &st = s->step(0);
    st.op = ACRYPTO_OP_PKEY;
    st.alg = key_type_alg(g->type);
    st.mode = ACRYPTO_MODE_PK_KEYGEN;
    if (e != nullptr) {
        std::memcpy(e, g->rsa_e.data(), g->rsa_e.size());
        st.pk.other = e;
        st.pk.other_len = g->rsa_e.size();
    }
    st.pk.digest = g->pss_digest;
    st.pk.mgf1_digest = g->pss_mgf1;
    st.pk.saltlen = g->pss_saltlen;
    s->set_key(0, key);
    st.dst = out;
    st.dst_len = room;
    int status = run_pk(g->pctx, s);
    if (status != ACRYPTO_OK) {
        raise_status(g->pctx, status, "key generation");
        return nullptr;
    }
    // An X25519/X448 key with its public key is held raw (key_data.hpp); others parse.
    bool x25519 = false;
    const uint8_t *priv = nullptr, *pub = nullptr;
    const bool raw = is_ecx(g->type) && ossl::ecx_parts(out, st.out_len, x25519, priv, pub) &&
                     pub != nullptr && x25519 == (g->type == KeyType::X25519);
    EVP_PKEY *pk = raw ? nullptr : key_from_pkcs8(g->pctx, out, st.out_len);
    KeyData *k = raw || pk != nullptr ? key_new(g->pctx, g->type) : nullptr;
    if (k == nullptr) {
        OPENSSL_cleanse(out, room);
        EVP_PKEY_free(pk);
        raise(g->pctx, kReasonDeviceFailed, "generated key does not parse");
        return nullptr;
    }
    if (raw)
        key_set_raw(k, priv, pub);
    else
        key_set_pkey(k, pk, true, true);
    // An ephemeral key's one use is a derive: hand the device the DER it made.
    key_adopt_private_der(k, out, st.out_len, nid);
    OPENSSL_cleanse(out, room);
    return k;
}

// ---- dispatch functions --------------------------------------------------------

template <KeyType T> void *km_new(void *provctx) {
    return key_new(static_cast<ProvCtx *>(provctx), T);
}

void km_free(void *kd) { key_unref(static_cast<KeyData *>(kd)); }

int km_has(const void *kd, int selection) {
    const auto *k = static_cast<const KeyData *>(kd);
    if (k == nullptr) return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_ALL) == 0) return 1;
    bool ok = true;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) ok = ok && k->has_priv;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) ok = ok && k->has_pub;
    if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0 && k->type == KeyType::Ec)
        ok = ok && k->pkey != nullptr;
    return ok ? 1 : 0;
}

int km_import(void *kd, int selection, const OSSL_PARAM params[]) {
    try {
        auto *k = static_cast<KeyData *>(kd);
        return k != nullptr ? import_into(k, selection, params) : 0;
    } catch (...) {
        return 0;
    }
}

int km_export(void *kd, int selection, OSSL_CALLBACK *cb, void *cbarg) {
    auto *k = static_cast<KeyData *>(kd);
    EVP_PKEY *pk = k != nullptr ? key_pkey(k) : nullptr;
    if (pk == nullptr) return 0;
    if (!k->has_priv) selection &= ~OSSL_KEYMGMT_SELECT_PRIVATE_KEY;
    OSSL_PARAM *params = nullptr;
    if (EVP_PKEY_todata(pk, selection, &params) != 1) return 0;
    int rc = cb(params, cbarg);
    params_clear_free(params);
    return rc;
}

template <KeyType T> const OSSL_PARAM *km_import_types(int selection) {
    if (is_rsa(T)) return kRsaImport;
    return T == KeyType::Ec ? kEcImport : kEcxImport;
}

template <KeyType T> const OSSL_PARAM *km_gettable(void *provctx) {
    if (is_rsa(T)) return kRsaGettable;
    return T == KeyType::Ec ? kEcGettable : kEcxGettable;
}

/// What an X25519/X448 key held raw, or still empty, answers without a libcrypto key: the
/// parameters libcrypto asks of every key it wraps (sizes, which it keeps from then on,
/// even for a key created empty) and libssl of a key share, with the values the default
/// provider gives. False (nothing set) when asked anything else.
bool raw_get_params(const KeyData *k, OSSL_PARAM params[]) {
    if (params == nullptr) return true;
    const bool x25519 = k->type == KeyType::X25519;
    for (const OSSL_PARAM *p = params; p->key != nullptr; ++p) {
        if (std::strcmp(p->key, OSSL_PKEY_PARAM_BITS) != 0 &&
            std::strcmp(p->key, OSSL_PKEY_PARAM_SECURITY_BITS) != 0 &&
            std::strcmp(p->key, OSSL_PKEY_PARAM_MAX_SIZE) != 0 &&
            std::strcmp(p->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY) != 0 &&
            std::strcmp(p->key, OSSL_PKEY_PARAM_PUB_KEY) != 0)
            return false;
    }
    const int bits = x25519 ? 253 : 448, security = x25519 ? 128 : 224;
    for (OSSL_PARAM *p = params; p->key != nullptr; ++p) {
        bool ok = true;
        if (std::strcmp(p->key, OSSL_PKEY_PARAM_BITS) == 0)
            ok = OSSL_PARAM_set_int(p, bits) == 1;
        else if (std::strcmp(p->key, OSSL_PKEY_PARAM_SECURITY_BITS) == 0)
            ok = OSSL_PARAM_set_int(p, security) == 1;
        else if (std::strcmp(p->key, OSSL_PKEY_PARAM_MAX_SIZE) == 0)
            ok = OSSL_PARAM_set_int(p, static_cast<int>(ossl::ecx_key_len(x25519))) == 1;
        else if (k->raw_len != 0) // the public key; an empty key leaves it unset
            ok = OSSL_PARAM_set_octet_string(p, k->raw_pub, k->raw_len) == 1;
        if (!ok) return false;
    }
    return true;
}

int km_get_params(void *kd, OSSL_PARAM params[]) {
    auto *k = static_cast<KeyData *>(kd);
    if (k == nullptr) return 0;
    if (is_ecx(k->type) && k->pkey.load(std::memory_order_acquire) == nullptr &&
        raw_get_params(k, params))
        return 1;
    if (key_empty(k)) return 1;
    EVP_PKEY *pk = key_pkey(k);
    return pk != nullptr && EVP_PKEY_get_params(pk, params) == 1 ? 1 : 0;
}

template <KeyType T> const OSSL_PARAM *km_settable(void *provctx) {
    if (is_rsa(T)) return kNoParams;
    return T == KeyType::Ec ? kEcSettable : kPubSettable;
}

int km_set_params(void *kd, const OSSL_PARAM params[]) {
    auto *k = static_cast<KeyData *>(kd);
    if (k == nullptr) return 0;
    if (params == nullptr || params[0].key == nullptr || is_rsa(k->type)) return 1;
    const OSSL_PARAM *enc = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
    if (k->type != KeyType::Ec) {
        if (enc == nullptr) return 1;
        const void *data = nullptr;
        size_t len = 0;
        if (OSSL_PARAM_get_octet_string_ptr(enc, &data, &len) != 1 ||
            len != ossl::ecx_key_len(k->type == KeyType::X25519)) {
            raise(k->pctx, kReasonBadParam, "encoded public key of the wrong length");
            return 0;
        }
        // Held raw: a peer's key share is checked and derived with, never needs more.
        key_set_raw(k, nullptr, static_cast<const uint8_t *>(data));
        return 1;
    }
    if (k->pkey == nullptr) return 0; // no group yet
    EVP_PKEY *pk = EVP_PKEY_dup(k->pkey);
    if (pk == nullptr || EVP_PKEY_set_params(pk, const_cast<OSSL_PARAM *>(params)) != 1) {
        EVP_PKEY_free(pk);
        return 0;
    }
    // A new public point replaces the key: whatever private value was there no longer matches.
    const bool priv = enc == nullptr && k->has_priv;
    key_set_pkey(k, pk, priv, enc != nullptr || k->has_pub);
    return 1;
}

template <KeyType T> const char *km_query_operation_name(int operation_id) {
    if (T == KeyType::Ec) return operation_id == OSSL_OP_KEYEXCH ? "ECDH" : "ECDSA";
    if (is_rsa(T)) return "RSA";
    return key_type_name(T);
}

int km_match(const void *a, const void *b, int selection) {
    const auto *ka = static_cast<const KeyData *>(a);
    const auto *kb = static_cast<const KeyData *>(b);
    if (ka == nullptr || kb == nullptr || ka->type != kb->type) return 0;
    if (key_empty(ka) || key_empty(kb)) return key_empty(ka) && key_empty(kb) ? 1 : 0;
    EVP_PKEY *pa = key_pkey(ka), *pb = key_pkey(kb);
    if (pa == nullptr || pb == nullptr) return 0;
    bool ok = true;
    if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0 && ka->type == KeyType::Ec)
        ok = EVP_PKEY_parameters_eq(pa, pb) == 1;
    if (ok && (selection & kSelectKeypair) != 0) ok = EVP_PKEY_eq(pa, pb) == 1;
    return ok ? 1 : 0;
}

void *km_dup(const void *src, int selection) {
    try {
        const auto *k = static_cast<const KeyData *>(src);
        if (k == nullptr) return nullptr;
        KeyData *d = key_new(k->pctx, k->type);
        // Only EC keys carry domain parameters (the group); others copy as empty keys.
        if (d == nullptr || key_empty(k) ||
            ((selection & kSelectKeypair) == 0 && k->type != KeyType::Ec))
            return d;
        if (!k->has_priv) selection &= ~OSSL_KEYMGMT_SELECT_PRIVATE_KEY;
        if (k->raw_len != 0 && (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0) {
            const bool priv = (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
            key_set_raw(d, priv ? k->raw_priv : nullptr, k->raw_pub);
            return d;
        }
        EVP_PKEY *pk = key_pkey(k);
        OSSL_PARAM *params = nullptr;
        int ok = pk != nullptr && EVP_PKEY_todata(pk, selection, &params) == 1 &&
                 import_into(d, selection | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS, params) == 1;
        params_clear_free(params);
        if (!ok) {
            key_unref(d);
            return nullptr;
        }
        return d;
    } catch (...) {
        return nullptr;
    }
}

int km_validate(const void *kd, int selection, int checktype) {
    const auto *k = static_cast<const KeyData *>(kd);
    if (k == nullptr || key_empty(k)) return 0;
    // Short of a pair check, an X25519 or X448 key has nothing to check but what it holds
    // (the default provider's own answer): km_has. libssl checks every peer's key share:
    // this spares the handshake an EVP_PKEY_CTX, about 13,000 instructions in OpenSSL 3.0.
    if (is_ecx(k->type) && (selection & kSelectKeypair) != kSelectKeypair)
        return km_has(kd, selection);
    EVP_PKEY *pk = key_pkey(k);
    EVP_PKEY_CTX *c =
        pk != nullptr ? EVP_PKEY_CTX_new_from_pkey(libctx(k->pctx), pk, kValuePropq) : nullptr;
    if (c == nullptr) return 0;
    bool ok = true;
    if ((selection & OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS) != 0 && k->type == KeyType::Ec)
        ok = EVP_PKEY_param_check(c) == 1;
    if (ok && (selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0)
        ok = k->has_pub &&
             (checktype == OSSL_KEYMGMT_VALIDATE_QUICK_CHECK ? EVP_PKEY_public_check_quick(c) == 1
                                                             : EVP_PKEY_public_check(c) == 1);
    if (ok && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0)
        ok = k->has_priv && EVP_PKEY_private_check(c) == 1;
    if (ok && (selection & kSelectKeypair) == kSelectKeypair) ok = EVP_PKEY_pairwise_check(c) == 1;
    EVP_PKEY_CTX_free(c);
    return ok ? 1 : 0;
}

template <KeyType T> void *km_gen_init(void *provctx, int selection, const OSSL_PARAM params[]) {
    try {
        auto *pctx = static_cast<ProvCtx *>(provctx);
        auto *g = new GenCtx;
        g->pctx = pctx;
        g->type = T;
        g->selection = selection;
        g->opts = default_options(pctx, key_type_name(T));
        if (gen_set_params_impl(g, params) != 1) {
            delete g;
            return nullptr;
        }
        return g;
    } catch (...) {
        return nullptr;
    }
}

int km_gen_set_params(void *genctx, const OSSL_PARAM params[]) {
    try {
        return gen_set_params_impl(static_cast<GenCtx *>(genctx), params);
    } catch (...) {
        return 0;
    }
}

int km_gen_set_template(void *genctx, void *templ) {
    try {
        auto *g = static_cast<GenCtx *>(genctx);
        auto *t = static_cast<KeyData *>(templ);
        if (g == nullptr || t == nullptr || t->type != g->type) return 0;
        if (g->type != KeyType::Ec || t->pkey == nullptr) return 1;
        char name[64];
        size_t len = 0;
        if (EVP_PKEY_get_utf8_string_param(t->pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name,
                                           &len) != 1)
            return 0;
        g->group = name;
        return 1;
    } catch (...) {
        return 0;
    }
}

template <KeyType T> const OSSL_PARAM *km_gen_settable(void *genctx, void *provctx) {
    if (is_rsa(T)) return T == KeyType::RsaPss ? kRsaGenSettable : kRsaGenSettable + kPssGenOnly;
    return T == KeyType::Ec ? kEcGenSettable : kEcxGenSettable;
}

void *km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg) {
    try {
        auto *g = static_cast<GenCtx *>(genctx);
        if (g == nullptr) return nullptr;
        if ((g->selection & kSelectKeypair) != 0) return gen_keypair(g);
        // Parameters only (TLS builds a peer key this way, then sets its public point).
        KeyData *k = key_new(g->pctx, g->type);
        if (k != nullptr && g->type == KeyType::Ec) {
            EVP_PKEY *pk = g->group.empty() ? nullptr : ec_params_only(g->pctx, g->group);
            if (pk == nullptr) {
                key_unref(k);
                return nullptr;
            }
            key_set_pkey(k, pk, false, false);
        }
        return k;
    } catch (...) {
        return nullptr;
    }
}

void km_gen_cleanup(void *genctx) { delete static_cast<GenCtx *>(genctx); }

#define KM_FN(id, fn)                                                                              \
    { id, reinterpret_cast<void (*)(void)>(fn) }

template <KeyType T> struct KeymgmtTable { static const OSSL_DISPATCH fns[]; };

template <KeyType T>
const OSSL_DISPATCH KeymgmtTable<T>::fns[] = {
    KM_FN(OSSL_FUNC_KEYMGMT_NEW, km_new<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_FREE, km_free),
    KM_FN(OSSL_FUNC_KEYMGMT_HAS, km_has),
    KM_FN(OSSL_FUNC_KEYMGMT_MATCH, km_match),
    KM_FN(OSSL_FUNC_KEYMGMT_VALIDATE, km_validate),
    KM_FN(OSSL_FUNC_KEYMGMT_IMPORT, km_import),
    KM_FN(OSSL_FUNC_KEYMGMT_IMPORT_TYPES, km_import_types<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_EXPORT, km_export),
    KM_FN(OSSL_FUNC_KEYMGMT_EXPORT_TYPES, km_import_types<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_GET_PARAMS, km_get_params),
    KM_FN(OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, km_gettable<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_SET_PARAMS, km_set_params),
    KM_FN(OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, km_settable<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, km_query_operation_name<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_DUP, km_dup),
    KM_FN(OSSL_FUNC_KEYMGMT_GEN_INIT, km_gen_init<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, km_gen_set_params),
    KM_FN(OSSL_FUNC_KEYMGMT_GEN_SET_TEMPLATE, km_gen_set_template),
    KM_FN(OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, km_gen_settable<T>),
    KM_FN(OSSL_FUNC_KEYMGMT_GEN, km_gen),
    KM_FN(OSSL_FUNC_KEYMGMT_GEN_CLEANUP, km_gen_cleanup),
    {0, nullptr}};

} // namespace

// kKeymgmtAlgorithms: RSA, RSA-PSS, EC, X25519, X448 keymgmt.
const OSSL_ALGORITHM kKeymgmtAlgorithms[] = {
    {"RSA:rsaEncryption:1.2.840.113549.1.1.1", "provider=acrypto", KeymgmtTable<KeyType::Rsa>::fns,
     "acrypto RSA keys"},
    {"RSA-PSS:RSASSA-PSS:1.2.840.113549.1.1.10", "provider=acrypto",
     KeymgmtTable<KeyType::RsaPss>::fns, "acrypto RSA-PSS keys"},
    {"EC:id-ecPublicKey:1.2.840.10045.2.1", "provider=acrypto", KeymgmtTable<KeyType::Ec>::fns,
     "acrypto EC keys"},
    {"X25519:1.3.101.110", "provider=acrypto", KeymgmtTable<KeyType::X25519>::fns,
     "acrypto X25519 keys"},
    {"X448:1.3.101.111", "provider=acrypto", KeymgmtTable<KeyType::X448>::fns, "acrypto X448 keys"},
    {nullptr, nullptr, nullptr, nullptr}};

} // namespace acrypto::prov::pk
