// SPDX-License-Identifier: Apache-2.0
// Errc <-> enum acrypto_status mapping and stable names.
#include "acrypto/sched/result.hpp"

namespace acrypto::sched {

Errc errc_from_status(int status) noexcept {
    switch (status) {
    case ACRYPTO_OK: return Errc::Ok;
    case ACRYPTO_E_BUSY: return Errc::Busy;
    case ACRYPTO_E_UNSUPPORTED: return Errc::Unsupported;
    case ACRYPTO_E_INVALID: return Errc::InvalidInput;
    case ACRYPTO_E_DEVICE: return Errc::DeviceBroken;
    case ACRYPTO_E_TIMEOUT: return Errc::Timeout;
    case ACRYPTO_E_SHUTDOWN: return Errc::Shutdown;
    case ACRYPTO_E_VERIFY: return Errc::VerifyFailed;
    case ACRYPTO_E_NOMEM: return Errc::NoMemory;
    case ACRYPTO_E_BOUND: return Errc::Bound;
    default: return Errc::Internal;
    }
}

int status_from_errc(Errc e) noexcept {
    switch (e) {
    case Errc::Ok: return ACRYPTO_OK;
    case Errc::Busy: return ACRYPTO_E_BUSY;
    case Errc::Unsupported: return ACRYPTO_E_UNSUPPORTED;
    case Errc::InvalidInput: return ACRYPTO_E_INVALID;
    case Errc::DeviceBroken: return ACRYPTO_E_DEVICE;
    case Errc::Timeout: return ACRYPTO_E_TIMEOUT;
    case Errc::Shutdown: return ACRYPTO_E_SHUTDOWN;
    case Errc::VerifyFailed: return ACRYPTO_E_VERIFY;
    case Errc::NoMemory: return ACRYPTO_E_NOMEM;
    case Errc::Internal: return ACRYPTO_E_INTERNAL;
    case Errc::Bound: return ACRYPTO_E_BOUND;
    }
    return ACRYPTO_E_INTERNAL;
}

const char *errc_name(Errc e) noexcept {
    switch (e) {
    case Errc::Ok: return "ok";
    case Errc::Busy: return "busy";
    case Errc::Unsupported: return "unsupported";
    case Errc::InvalidInput: return "invalid-input";
    case Errc::DeviceBroken: return "device-broken";
    case Errc::Timeout: return "timeout";
    case Errc::Shutdown: return "shutdown";
    case Errc::VerifyFailed: return "verify-failed";
    case Errc::NoMemory: return "no-memory";
    case Errc::Internal: return "internal";
    case Errc::Bound: return "bound";
    }
    return "internal";
}

} // namespace acrypto::sched
