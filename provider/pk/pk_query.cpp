// SPDX-License-Identifier: Apache-2.0
// acrypto_pk_query: the algorithm tables provider/pk/ adds to the provider's query_operation.
#include "pk_hooks.hpp"

#include <openssl/core_dispatch.h>

#include "pk_tables.hpp"

extern "C" const OSSL_ALGORITHM *acrypto_pk_query(int operation_id)
{
    using namespace acrypto::prov::pk;
    switch (operation_id) {
    case OSSL_OP_KEYMGMT: return kKeymgmtAlgorithms;
    case OSSL_OP_SIGNATURE: return kSignatureAlgorithms;
    case OSSL_OP_ASYM_CIPHER: return kAsymCipherAlgorithms;
    case OSSL_OP_KEYEXCH: return kKeyexchAlgorithms;
    default: return nullptr;
    }
}
