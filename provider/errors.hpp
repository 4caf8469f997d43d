// SPDX-License-Identifier: Apache-2.0
// Provider reason codes, their strings, and raise() on the provider's core handle.
#pragma once

#include <openssl/core.h>

#include "prov_ctx.hpp"

namespace acrypto::prov {

/// Reason codes acrypto raises (ERR_GET_REASON of its errors). Stable numbers.
enum Reason : int {
    kReasonNone = 0,
    kReasonBadKeyLength = 100,   ///< key length not valid for the algorithm
    kReasonBadIvLength = 101,    ///< IV length not valid for the mode
    kReasonUnsupported = 102,    ///< algorithm, mode or parameter not supported
    kReasonBadParam = 103,       ///< a parameter has a bad type or value
    kReasonNotInitialized = 104, ///< call out of order (update before init, ...)
    kReasonBadLength = 105,      ///< input length not valid (not a block multiple, ...)
    kReasonOutputTooSmall = 106, ///< output buffer too small
    kReasonBadDecrypt = 107,     ///< bad padding on decryption
    kReasonDeviceBusy = 108,     ///< every capable device stayed busy
    kReasonDeviceFailed = 109,   ///< the device reported a fault
    kReasonBoundDevice = 110,    ///< the bound device is unavailable or cannot run this
    kReasonShutdown = 111,       ///< scheduler shutting down
    kReasonNoScheduler = 112,    ///< the scheduler could not start (see status)
    kReasonConfig = 113,         ///< configuration error (unknown key, bad value)
    kReasonSelfTest = 114,       ///< a known-answer self-test failed
    kReasonNoMemory = 115,       ///< allocation failed
    kReasonInternal = 116,       ///< broken invariant
    kReasonVerifyFailed = 117,   ///< signature or tag did not verify
    kReasonTimeout = 118,        ///< device timed out
    kReasonInvalidInput = 119,   ///< the device rejected the input
};

/// Reason-string table for OSSL_FUNC_PROVIDER_GET_REASON_STRINGS (terminated by {0, NULL}).
const OSSL_ITEM *reason_strings();

/**
 * Raise an error on the provider's handle (core new_error/set_error_debug/
 * vset_error). Never call between a submit and the end of a pause.
 */
void raise(ProvCtx *pctx, int reason, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/// Map an ABI status (enum acrypto_status) to a reason code.
int reason_from_status(int status);

/// Raise the error matching a failed execute() status, naming `what`.
void raise_status(ProvCtx *pctx, int status, const char *what);

} // namespace acrypto::prov
