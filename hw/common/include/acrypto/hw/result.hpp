// SPDX-License-Identifier: Apache-2.0
// Errc and Result<T> for hardware backends (STYLE.md §4; hw/ may not use the scheduler's).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "acrypto/session.h"

namespace acrypto::hw {

/// Error codes of the hardware layer. Each maps to one enum acrypto_status.
enum class Errc {
    Ok = 0,
    Busy,         ///< no room now; retry (never a failure)
    Unsupported,  ///< operation not offered by this part or enable level
    InvalidInput, ///< bad length, alignment or key size
    DeviceBroken, ///< the device wrote back something impossible, or is gone
    Timeout,      ///< a bounded wait on the hardware expired
    Shutdown,     ///< closing
    NotFound,     ///< no such device / file (discovery, VFIO)
    NoMemory,
};

/// The ABI status matching `e` (NotFound maps to ACRYPTO_E_UNSUPPORTED).
constexpr int status_from_errc(Errc e) noexcept {
    switch (e) {
    case Errc::Ok: return ACRYPTO_OK;
    case Errc::Busy: return ACRYPTO_E_BUSY;
    case Errc::Unsupported: return ACRYPTO_E_UNSUPPORTED;
    case Errc::InvalidInput: return ACRYPTO_E_INVALID;
    case Errc::DeviceBroken: return ACRYPTO_E_DEVICE;
    case Errc::Timeout: return ACRYPTO_E_TIMEOUT;
    case Errc::Shutdown: return ACRYPTO_E_SHUTDOWN;
    case Errc::NotFound: return ACRYPTO_E_UNSUPPORTED;
    case Errc::NoMemory: return ACRYPTO_E_NOMEM;
    }
    return ACRYPTO_E_INTERNAL;
}

/// An error with a message that names the device, file or register at fault.
struct Error {
    Errc code = Errc::DeviceBroken;
    std::string message;
};

/// Expected-style result. Never drop one.
template <class T> class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {} // NOLINT(google-explicit-constructor)
    Result(Error err) : v_(std::move(err)) {} // NOLINT(google-explicit-constructor)
    Result(Errc code, std::string msg) : v_(Error{code, std::move(msg)}) {}
    bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }
    T &value() & { return std::get<0>(v_); }
    T &&value() && { return std::get<0>(std::move(v_)); }
    const T &value() const & { return std::get<0>(v_); }
    T *operator->() { return &std::get<0>(v_); }
    const Error &error() const { return std::get<1>(v_); }

  private:
    std::variant<T, Error> v_;
};

/// Result without a value.
template <> class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error err) : err_(std::move(err)), ok_(false) {} // NOLINT(google-explicit-constructor)
    Result(Errc code, std::string msg) : err_{code, std::move(msg)}, ok_(false) {}
    bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    const Error &error() const { return err_; }

  private:
    Error err_;
    bool ok_ = true;
};

} // namespace acrypto::hw
