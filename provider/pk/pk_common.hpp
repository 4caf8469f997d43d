// SPDX-License-Identifier: Apache-2.0
// Shared helpers of provider/pk/: digest names, property query for value objects, session runner.
#pragma once

#include <openssl/core.h>
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/session.hpp"
#include "op_params.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov::pk {

/// Where key values, digests for digest-sign and DER codecs come from. Never
/// acrypto itself (its child library context mirrors every loaded provider).
inline constexpr const char kValuePropq[] = "provider=default";

/// enum acrypto_alg of a digest name (any of OpenSSL's aliases), or ACRYPTO_ALG_NONE.
uint32_t digest_alg(OSSL_LIB_CTX *libctx, const char *name);
/// Canonical name of an acrypto digest ("SHA256"), or nullptr.
const char *digest_name(uint32_t alg);
/// Output size of an acrypto digest, 0 if unknown.
size_t digest_size(uint32_t alg);

/// A one-step session of at least `arena` bytes with options applied, or an empty Ref.
acrypto::sched::Ref<acrypto::sched::Session> make_session(const OpOptions &opts, size_t arena);

/// Copy `len` bytes into the session's arena; nullptr on failure (len 0: a valid pointer).
uint8_t *arena_copy(acrypto::sched::Session &s, const void *src, size_t len);

/// Parse an int-or-string padding mode parameter (pkcs1, pss, none, oaep, x931).
bool param_pad_mode(const OSSL_PARAM *p, int *pad);
/// Parse an int-or-string PSS salt length parameter (digest, max, auto, or a number).
bool param_saltlen(const OSSL_PARAM *p, int *saltlen);
/// Set `p` (int or UTF8) from a padding mode.
bool param_set_pad_mode(OSSL_PARAM *p, int pad);

} // namespace acrypto::prov::pk

namespace acrypto::prov::pk {

/// A symmetric key context that follows the scheduler across fork().
struct SymKey {
    acrypto::sched::Ref<acrypto::sched::Key> key;
    uint64_t generation = 0;
};

/// Make `k` from key bytes (old key dropped). False when the scheduler is unavailable.
bool sym_key_set(ProvCtx *pctx, SymKey &k, uint32_t alg, const uint8_t *key, size_t len);
/// Re-make the key under the current scheduler after fork(). False when unavailable.
bool sym_key_fresh(ProvCtx *pctx, SymKey &k);
/// Drop the key (wiped by the scheduler; a pre-fork key is wiped here and abandoned).
void sym_key_drop(SymKey &k);

} // namespace acrypto::prov::pk

namespace acrypto::prov::pk {

/**
 * execute() for public-key sessions. Their inputs are a few dozen bytes but each
 * costs a signature's worth of work, so the byte-based inline threshold does not
 * fit them: inside an ASYNC_JOB with a wait ctx they go to a device and the job
 * pauses (that is where async callers win), except cheap RSA public operations;
 * elsewhere execute() decides.
 */
int run_pk(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s);

} // namespace acrypto::prov::pk
