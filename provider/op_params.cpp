// SPDX-License-Identifier: Apache-2.0
// acrypto-priority / acrypto-device handling shared by every operation.
#include "op_params.hpp"

#include <openssl/params.h>

#include <cstring>

#include "errors.hpp"

namespace acrypto::prov {

int set_op_params(ProvCtx *pctx, OpOptions &opts, const OSSL_PARAM params[]) {
    if (params == nullptr) return 1;
    if (const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, kParamPriority)) {
        unsigned int v = 0;
        if (!OSSL_PARAM_get_uint(p, &v) || v > ACRYPTO_PRIO_MAX) {
            raise(pctx, kReasonBadParam, "%s must be 0..%u", kParamPriority, ACRYPTO_PRIO_MAX);
            return 0;
        }
        opts.priority = v;
    }
    if (const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, kParamDevice)) {
        const char *name = nullptr;
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &name) || name == nullptr ||
            std::strlen(name) >= sizeof opts.device) {
            raise(pctx, kReasonBadParam, "%s must be a device name of at most %zu characters",
                  kParamDevice, sizeof opts.device - 1);
            return 0;
        }
        std::memcpy(opts.device, name, std::strlen(name) + 1);
    }
    return 1;
}

int get_op_params(const OpOptions &opts, OSSL_PARAM params[]) {
    if (OSSL_PARAM *p = OSSL_PARAM_locate(params, kParamPriority)) {
        if (!OSSL_PARAM_set_uint(p, opts.priority)) return 0;
    }
    if (OSSL_PARAM *p = OSSL_PARAM_locate(params, kParamDevice)) {
        if (!OSSL_PARAM_set_utf8_string(p, opts.device)) return 0;
    }
    return 1;
}

void apply_options(const OpOptions &opts, acrypto::sched::Session &s) {
    s.set_priority(opts.priority);
    if (opts.device[0] != '\0') s.bind(opts.device);
}

} // namespace acrypto::prov
