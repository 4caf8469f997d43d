// SPDX-License-Identifier: Apache-2.0
// The list of cpu device families, in match order.
#include "exec_aead.hpp"
#include "exec_cipher.hpp"
#include "exec_digest.hpp"
#include "exec_legacy.hpp"
#include "exec_mac.hpp"
#include "exec_pkey.hpp"
#include "exec_rand.hpp"

namespace acrypto::soft::cpu {

// kFamilies: one line per family (exec_<family>.hpp declares k<Family>Family).
const Family *const kFamilies[] = {
    &kCipherFamily, &kDigestFamily, &kMacFamily,  &kRandFamily,
    &kAeadFamily,   &kLegacyFamily, &kPkeyFamily,
};
const size_t kFamilyCount = sizeof(kFamilies) / sizeof(kFamilies[0]);

} // namespace acrypto::soft::cpu
