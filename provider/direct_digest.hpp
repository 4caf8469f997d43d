// SPDX-License-Identifier: Apache-2.0
// The default provider's SHA, HMAC and cipher (AEAD, ChaCha20) functions, reached through its
// dispatch tables: the direct paths run them with no EVP_MD_CTX, EVP_MAC_CTX or EVP_CIPHER_CTX
// around them.
#pragma once

#include <openssl/core_dispatch.h>

#include <cstddef>

#include "acrypto/ossl/impl.hpp"

#include "prov_ctx.hpp"

namespace acrypto::prov {

/// One default-provider digest implementation's functions and provider context.
struct DirectDigestFns {
    void *provctx = nullptr;
    OSSL_FUNC_digest_newctx_fn *newctx = nullptr;
    OSSL_FUNC_digest_init_fn *init = nullptr;
    OSSL_FUNC_digest_update_fn *update = nullptr;
    OSSL_FUNC_digest_final_fn *final = nullptr;
    OSSL_FUNC_digest_freectx_fn *freectx = nullptr;
    OSSL_FUNC_digest_dupctx_fn *dupctx = nullptr;
};

/**
 * The functions of SHA variant `index` (kHashInfos order) in the default provider
 * behind direct_digest(), looked up once per provider context; nullptr when that
 * provider does not offer all six. They stay valid while the provider context
 * lives (it holds the fetched digest, and so the default provider).
 */
const DirectDigestFns *direct_digest_fns(ProvCtx *pctx, size_t index);

/// The default provider's HMAC implementation's functions and provider context.
struct DirectMacFns {
    void *provctx = nullptr;
    OSSL_FUNC_mac_newctx_fn *newctx = nullptr;
    OSSL_FUNC_mac_init_fn *init = nullptr;
    OSSL_FUNC_mac_update_fn *update = nullptr;
    OSSL_FUNC_mac_final_fn *final = nullptr;
    OSSL_FUNC_mac_freectx_fn *freectx = nullptr;
    OSSL_FUNC_mac_dupctx_fn *dupctx = nullptr;
};

/// The HMAC behind direct_hmac(), looked up once per provider context, as above.
const DirectMacFns *direct_mac_fns(ProvCtx *pctx);

/// A keyed HMAC context of direct_mac_fns() over digest `index` (kHashInfos order) to copy
/// with its dupctx, then key afresh: setting the digest on a new context fetches it (about
/// as much work as the HMAC of a TLS Finished message). Made once per provider context;
/// nullptr when it cannot be.
void *direct_mac_template(ProvCtx *pctx, size_t index);

/// ProvCtx::direct_cipher_fns' slot of ChaCha20 (the AEAD ciphers take the slots before it).
inline constexpr size_t kDirectChaCha20Slot = 4;

/**
 * The functions of the default provider's cipher `name` in slot `slot` (an AEAD
 * context's algorithm index, or kDirectChaCha20Slot), looked up once per provider
 * context with the cipher fetched and kept (so the default provider stays loaded); nullptr when
 * that provider does not offer all nine.
 */
const ossl::CipherFns *direct_cipher_fns(ProvCtx *pctx, size_t slot, const char *name);

} // namespace acrypto::prov
