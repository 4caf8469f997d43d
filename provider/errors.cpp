// SPDX-License-Identifier: Apache-2.0
// Reason-string table and raise() through the core's error functions.
#include "errors.hpp"

#include <openssl/err.h>

#include <cstdarg>

#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

const OSSL_ITEM kReasonStrings[] = {
    {kReasonBadKeyLength, const_cast<char *>("invalid key length")},
    {kReasonBadIvLength, const_cast<char *>("invalid IV length")},
    {kReasonUnsupported, const_cast<char *>("not supported")},
    {kReasonBadParam, const_cast<char *>("invalid parameter")},
    {kReasonNotInitialized, const_cast<char *>("operation not initialized")},
    {kReasonBadLength, const_cast<char *>("invalid input length")},
    {kReasonOutputTooSmall, const_cast<char *>("output buffer too small")},
    {kReasonBadDecrypt, const_cast<char *>("bad decrypt")},
    {kReasonDeviceBusy, const_cast<char *>("all devices busy")},
    {kReasonDeviceFailed, const_cast<char *>("device failure")},
    {kReasonBoundDevice, const_cast<char *>("bound device unavailable")},
    {kReasonShutdown, const_cast<char *>("scheduler shutting down")},
    {kReasonNoScheduler, const_cast<char *>("scheduler not available")},
    {kReasonConfig, const_cast<char *>("configuration error")},
    {kReasonSelfTest, const_cast<char *>("self-test failed")},
    {kReasonNoMemory, const_cast<char *>("out of memory")},
    {kReasonInternal, const_cast<char *>("internal error")},
    {kReasonVerifyFailed, const_cast<char *>("verification failed")},
    {kReasonTimeout, const_cast<char *>("device timeout")},
    {kReasonInvalidInput, const_cast<char *>("invalid input")},
    {0, nullptr},
};

} // namespace

const OSSL_ITEM *reason_strings() { return kReasonStrings; }

void raise(ProvCtx *pctx, int reason, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (pctx != nullptr && pctx->core_new_error != nullptr && pctx->core_vset_error != nullptr) {
        pctx->core_new_error(pctx->handle);
        if (pctx->core_set_error_debug != nullptr)
            pctx->core_set_error_debug(pctx->handle, OPENSSL_FILE, OPENSSL_LINE, "acrypto");
        // A reason without a library part makes the core use this provider's own
        // error library, whose strings come from reason_strings().
        pctx->core_vset_error(pctx->handle, static_cast<uint32_t>(reason), fmt, ap);
    } else {
        // Built without a core (unit tests): use libcrypto directly.
        ERR_new();
        ERR_set_debug(OPENSSL_FILE, OPENSSL_LINE, "acrypto");
        ERR_vset_error(ERR_LIB_PROV, reason, fmt, ap);
    }
    va_end(ap);
}

int reason_from_status(int status) {
    switch (status) {
    case ACRYPTO_OK: return kReasonNone;
    case ACRYPTO_E_BUSY: return kReasonDeviceBusy;
    case ACRYPTO_E_UNSUPPORTED: return kReasonUnsupported;
    case ACRYPTO_E_INVALID: return kReasonInvalidInput;
    case ACRYPTO_E_DEVICE: return kReasonDeviceFailed;
    case ACRYPTO_E_TIMEOUT: return kReasonTimeout;
    case ACRYPTO_E_SHUTDOWN: return kReasonShutdown;
    case ACRYPTO_E_VERIFY: return kReasonVerifyFailed;
    case ACRYPTO_E_NOMEM: return kReasonNoMemory;
    case ACRYPTO_E_BOUND: return kReasonBoundDevice;
    default: return kReasonInternal;
    }
}

void raise_status(ProvCtx *pctx, int status, const char *what) {
    int reason = reason_from_status(status);
    if (status == ACRYPTO_E_SHUTDOWN && pctx != nullptr && pctx->failed.load()) {
        raise(pctx, kReasonNoScheduler, "%s: %s", what, pctx->sched_error.c_str());
        return;
    }
    raise(pctx, reason, "%s (status %d)", what, status);
}

} // namespace acrypto::prov
