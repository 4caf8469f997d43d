// SPDX-License-Identifier: Apache-2.0
// Known-answer self-test run through the scheduler (OSSL_FUNC_PROVIDER_SELF_TEST).
#pragma once

#include "prov_ctx.hpp"

namespace acrypto::prov {

/// AES-128-CBC, SHA-256 and HMAC-SHA-256 known answers through execute(), then
/// every device's own self-test. Raises an error naming the failure; true if all pass.
bool run_self_test(ProvCtx *pctx);

} // namespace acrypto::prov
