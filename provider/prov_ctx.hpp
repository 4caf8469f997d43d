// SPDX-License-Identifier: Apache-2.0
// ProvCtx: the provider context every operation receives (libctx, lazy scheduler, priorities).
#pragma once

#include <openssl/core.h>

#include <cstdint>

namespace acrypto::sched {
class SchedulerCore;
} // namespace acrypto::sched

namespace acrypto::prov {

/// The provider context (OSSL provctx). Defined in provider_state.hpp; opaque to operations.
struct ProvCtx;

/// The provider's own child library context (for fetches inside operations).
OSSL_LIB_CTX *libctx(ProvCtx *pctx);

/// The core handle OpenSSL gave this provider instance.
const OSSL_CORE_HANDLE *core_handle(ProvCtx *pctx);

/// The scheduler, created on first use from the configuration (threads start
/// lazily). After fork() the child gets a fresh one. nullptr if it cannot be
/// created (the reason is kept for get_params "status" and the error raised by callers).
acrypto::sched::SchedulerCore *scheduler(ProvCtx *pctx);

/// Session priority configured for `algorithm_name` (`priority.<algorithm>`, case-insensitive;
/// a colon-separated list of names as in OSSL_ALGORITHM is accepted), else kDefaultPriority.
uint32_t priority_for(ProvCtx *pctx, const char *algorithm_name);

/// Default priority for sessions with no configured or per-context priority.
inline constexpr uint32_t kDefaultPriority = 3;

} // namespace acrypto::prov
