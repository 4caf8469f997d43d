// SPDX-License-Identifier: Apache-2.0
// Per-context parameters every acrypto operation accepts: acrypto-priority and acrypto-device.
#pragma once

#include <openssl/core.h>

#include <cstdint>
#include <cstring>

#include "acrypto/sched/session.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov {

/// Parameter names (per EVP context).
inline constexpr const char kParamPriority[] = "acrypto-priority"; ///< unsigned 0..7
inline constexpr const char kParamDevice[] = "acrypto-device";     ///< UTF8 device name, "" unbinds

/// Scheduling options of one EVP context.
struct OpOptions {
    uint32_t priority = 3; ///< ACRYPTO_PRIO_MIN..ACRYPTO_PRIO_MAX
    char device[32] = {};  ///< bound device name, empty: not bound
};

/// OpOptions for a new context of `algorithm_name` (configured priority).
inline OpOptions default_options(ProvCtx *pctx, const char *algorithm_name) {
    OpOptions o;
    o.priority = priority_for(pctx, algorithm_name);
    return o;
}

/// The same, written field by field into a context's own options: no temporary is
/// built and copied (a context made per message, as EVP_Digest does, pays for that).
inline void set_default_options(OpOptions &o, ProvCtx *pctx, const char *algorithm_name) {
    o.priority = priority_for(pctx, algorithm_name);
    std::memset(o.device, 0, sizeof o.device);
}

/// Apply acrypto-priority / acrypto-device from `params` (others ignored).
/// Raises and returns 0 on a bad value.
int set_op_params(ProvCtx *pctx, OpOptions &opts, const OSSL_PARAM params[]);

/// Report acrypto-priority / acrypto-device into `params` if asked. 1 or 0.
int get_op_params(const OpOptions &opts, OSSL_PARAM params[]);

/// Copy priority and binding into a session.
void apply_options(const OpOptions &opts, acrypto::sched::Session &s);

/// OSSL_PARAM descriptors of the two parameters (to append to settable tables).
#define ACRYPTO_OP_SETTABLE_PARAMS                                                                 \
    OSSL_PARAM_uint(acrypto::prov::kParamPriority, nullptr),                                       \
        OSSL_PARAM_utf8_string(acrypto::prov::kParamDevice, nullptr, 0)

} // namespace acrypto::prov
