// SPDX-License-Identifier: Apache-2.0
// Shared helpers of provider/pk/: digest names, parameter parsing, session creation.
#include "pk_common.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <cstring>
#include <strings.h>

namespace acrypto::prov::pk {

namespace {

struct DigestEntry {
    uint32_t alg;
    const char *name;
    size_t size;
};

constexpr DigestEntry kDigests[] = {
    {ACRYPTO_ALG_SHA256, "SHA256", 32}, {ACRYPTO_ALG_SHA384, "SHA384", 48},
    {ACRYPTO_ALG_SHA512, "SHA512", 64}, {ACRYPTO_ALG_SHA1, "SHA1", 20},
    {ACRYPTO_ALG_SHA224, "SHA224", 28}, {ACRYPTO_ALG_MD5, "MD5", 16},
};

struct PadName {
    int pad;
    const char *name;
};

constexpr PadName kPadNames[] = {
    {RSA_PKCS1_PADDING, OSSL_PKEY_RSA_PAD_MODE_PKCSV15},
    {RSA_NO_PADDING, OSSL_PKEY_RSA_PAD_MODE_NONE},
    {RSA_PKCS1_OAEP_PADDING, OSSL_PKEY_RSA_PAD_MODE_OAEP},
    {RSA_X931_PADDING, OSSL_PKEY_RSA_PAD_MODE_X931},
    {RSA_PKCS1_PSS_PADDING, OSSL_PKEY_RSA_PAD_MODE_PSS},
};

} // namespace

uint32_t digest_alg(OSSL_LIB_CTX *libctx, const char *name)
{
    if (name == nullptr || *name == '\0')
        return ACRYPTO_ALG_NONE;
    for (const auto &d : kDigests)
        if (strcasecmp(d.name, name) == 0)
            return d.alg;
    // Aliases ("SHA2-256", OIDs...): ask libcrypto which digest this is.
    EVP_MD *md = EVP_MD_fetch(libctx, name, kValuePropq);
    uint32_t alg = ACRYPTO_ALG_NONE;
    if (md != nullptr) {
        for (const auto &d : kDigests)
            if (EVP_MD_is_a(md, d.name))
                alg = d.alg;
        EVP_MD_free(md);
    }
    return alg;
}

const char *digest_name(uint32_t alg)
{
    for (const auto &d : kDigests)
        if (d.alg == alg)
            return d.name;
    return nullptr;
}

size_t digest_size(uint32_t alg)
{
    for (const auto &d : kDigests)
        if (d.alg == alg)
            return d.size;
    return 0;
}

acrypto::sched::Ref<acrypto::sched::Session> make_session(const OpOptions &opts, size_t arena)
{
    auto s = acrypto::sched::Session::make(1, arena + 64);
    if (s)
        apply_options(opts, *s);
    return s;
}

uint8_t *arena_copy(acrypto::sched::Session &s, const void *src, size_t len)
{
    uint8_t *p = s.alloc(len == 0 ? 1 : len);
    if (p != nullptr && len > 0)
        std::memcpy(p, src, len);
    return p;
}

bool param_pad_mode(const OSSL_PARAM *p, int *pad)
{
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        const char *s = static_cast<const char *>(p->data);
        if (s == nullptr)
            return false;
        for (const auto &e : kPadNames)
            if (strcasecmp(e.name, s) == 0) {
                *pad = e.pad;
                return true;
            }
        return false;
    }
    return OSSL_PARAM_get_int(p, pad) == 1;
}

bool param_set_pad_mode(OSSL_PARAM *p, int pad)
{
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        for (const auto &e : kPadNames)
            if (e.pad == pad)
                return OSSL_PARAM_set_utf8_string(p, e.name) == 1;
        return false;
    }
    return OSSL_PARAM_set_int(p, pad) == 1;
}

bool param_saltlen(const OSSL_PARAM *p, int *saltlen)
{
    if (p->data_type == OSSL_PARAM_UTF8_STRING) {
        const char *s = static_cast<const char *>(p->data);
        if (s == nullptr)
            return false;
        if (std::strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST) == 0)
            *saltlen = RSA_PSS_SALTLEN_DIGEST;
        else if (std::strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) == 0)
            *saltlen = RSA_PSS_SALTLEN_MAX;
        else if (std::strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) == 0)
            *saltlen = RSA_PSS_SALTLEN_AUTO;
        else
            *saltlen = std::atoi(s);
        return true;
    }
    return OSSL_PARAM_get_int(p, saltlen) == 1;
}

} // namespace acrypto::prov::pk

#include <openssl/crypto.h>

#include "acrypto/sched/scheduler.hpp"
#include "provider_state.hpp"

namespace acrypto::prov::pk {

void sym_key_drop(SymKey &k)
{
    if (k.key && k.generation != fork_generation()) {
        // Made by a scheduler abandoned at fork(): never call into it. Wipe, leak.
        const acrypto_key &c = k.key->c();
        OPENSSL_cleanse(const_cast<uint8_t *>(c.data), c.len);
        (void)k.key.release();
    }
    k.key.reset();
}

bool sym_key_set(ProvCtx *pctx, SymKey &k, uint32_t alg, const uint8_t *key, size_t len)
{
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr)
        return false;
    auto nk = sc->make_key(alg, key, len);
    if (!nk)
        return false;
    sym_key_drop(k);
    k.key = nk;
    k.generation = fork_generation();
    return true;
}

bool sym_key_fresh(ProvCtx *pctx, SymKey &k)
{
    if (!k.key)
        return false;
    if (k.generation == fork_generation())
        return true;
    const acrypto_key &c = k.key->c();
    SymKey n;
    if (!sym_key_set(pctx, n, c.alg, c.data, c.len))
        return false;
    sym_key_drop(k);
    k = n;
    return true;
}

} // namespace acrypto::prov::pk

#include <openssl/async.h>

#include "execute.hpp"

namespace acrypto::prov::pk {

int run_pk(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s)
{
    // RSA public-key operations (verify, encrypt) cost about as much as the queue
    // hop and wake-up an offload adds: let execute() keep them inline.
    const acrypto_step &st = s->step(0);
    const bool rsa_public = (st.alg == ACRYPTO_ALG_RSA || st.alg == ACRYPTO_ALG_RSA_PSS) &&
                            (st.mode == ACRYPTO_MODE_PK_VERIFY || st.mode == ACRYPTO_MODE_PK_ENCRYPT);
    ASYNC_JOB *job = ASYNC_get_current_job();
    if (!rsa_public && job != nullptr && ASYNC_get_wait_ctx(job) != nullptr)
        return execute(pctx, s, ExecMode::Offload);
    return execute(pctx, s);
}

} // namespace acrypto::prov::pk
