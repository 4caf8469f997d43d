// SPDX-License-Identifier: Apache-2.0
// acrypto_pk_query: the algorithm tables provider/pk/ adds to the provider's query_operation.
#include "pk_hooks.hpp"

#include <openssl/core_dispatch.h>

#include <vector>

#include "pk_tables.hpp"

namespace acrypto::prov::pk {
namespace {

/// Both cipher lists in one NULL-terminated table (built once, on first query).
const OSSL_ALGORITHM *cipher_algorithms() {
    static const std::vector<OSSL_ALGORITHM> all = [] {
        std::vector<OSSL_ALGORITHM> v;
        for (const OSSL_ALGORITHM *t : {kAeadCipherAlgorithms, kPlainCipherAlgorithms})
            for (; t->algorithm_names != nullptr; ++t) v.push_back(*t);
        v.push_back({nullptr, nullptr, nullptr, nullptr});
        return v;
    }();
    return all.data();
}

} // namespace
} // namespace acrypto::prov::pk

extern "C" const OSSL_ALGORITHM *acrypto_pk_query(int operation_id) {
    using namespace acrypto::prov::pk;
    try {
        switch (operation_id) {
        case OSSL_OP_KEYMGMT: return kKeymgmtAlgorithms;
        case OSSL_OP_SIGNATURE: return kSignatureAlgorithms;
        case OSSL_OP_ASYM_CIPHER: return kAsymCipherAlgorithms;
        case OSSL_OP_KEYEXCH: return kKeyexchAlgorithms;
        case OSSL_OP_CIPHER: return cipher_algorithms();
        case OSSL_OP_KDF: return kKdfAlgorithms;
        case OSSL_OP_MAC: return kMacAlgorithms;
        case OSSL_OP_RAND: return kRandAlgorithms;
        default: return nullptr;
        }
    } catch (...) {
        return nullptr;
    }
}
