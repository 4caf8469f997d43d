// SPDX-License-Identifier: Apache-2.0
// TLS-GROUP capability: the ECDHE/X25519/X448 groups acrypto's keymgmt and keyexch serve.
#include "pk_capabilities.hpp"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>

#include <cstring>

namespace {

struct TlsGroup {
    const char *name;     ///< IANA name
    const char *internal; ///< OpenSSL's name
    const char *alg;      ///< keymgmt / keyexch algorithm
    unsigned int id;      ///< TLS NamedGroup code point
    unsigned int secbits;
    int mintls, maxtls, mindtls, maxdtls;
};

// Same figures as OpenSSL's default provider (providers/common/capabilities.c).
const TlsGroup kGroups[] = {
    {"x25519", "X25519", "X25519", 0x1d, 128, TLS1_VERSION, 0, DTLS1_VERSION, 0},
    {"x448", "X448", "X448", 0x1e, 224, TLS1_VERSION, 0, DTLS1_VERSION, 0},
    {"secp256r1", "prime256v1", "EC", 0x17, 128, TLS1_VERSION, 0, DTLS1_VERSION, 0},
    {"secp384r1", "secp384r1", "EC", 0x18, 192, TLS1_VERSION, 0, DTLS1_VERSION, 0},
    {"secp521r1", "secp521r1", "EC", 0x19, 256, TLS1_VERSION, 0, DTLS1_VERSION, 0},
};

} // namespace

extern "C" int acrypto_pk_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb,
                                           void *arg) {
    if (capability == nullptr || std::strcmp(capability, "TLS-GROUP") != 0) return 1;
    for (const TlsGroup &g : kGroups) {
        unsigned int id = g.id, secbits = g.secbits;
        int mintls = g.mintls, maxtls = g.maxtls, mindtls = g.mindtls, maxdtls = g.maxdtls;
        OSSL_PARAM p[] = {
            OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME,
                                             const_cast<char *>(g.name), 0),
            OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL,
                                             const_cast<char *>(g.internal), 0),
            OSSL_PARAM_construct_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG,
                                             const_cast<char *>(g.alg), 0),
            OSSL_PARAM_construct_uint(OSSL_CAPABILITY_TLS_GROUP_ID, &id),
            OSSL_PARAM_construct_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS, &secbits),
            OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, &mintls),
            OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, &maxtls),
            OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, &mindtls),
            OSSL_PARAM_construct_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, &maxdtls),
            OSSL_PARAM_construct_end()};
        if (cb(p, arg) == 0) return 0;
    }
    return 1;
}
