// SPDX-License-Identifier: Apache-2.0
// Parameter keys compared in line: the get/set_ctx_params that EVP calls on every message
// (the IV length at each init, the tag after each AEAD message).
#pragma once

#include <cstddef>

namespace acrypto::prov {

/// Whether parameter key `k` is `lit`. Compared in line, character by character up to the
/// first difference, so `k` is never read past its terminating NUL: a strcmp call per
/// known key cost about 15 instructions, and EVP asks for the IV length at every init.
template <size_t N> inline bool key_is(const char *k, const char (&lit)[N]) noexcept {
    for (size_t i = 0; i < N; ++i)
        if (k[i] != lit[i]) return false;
    return true;
}

} // namespace acrypto::prov
