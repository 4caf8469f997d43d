// SPDX-License-Identifier: Apache-2.0
// Errc and Result<T>: the scheduler's error vocabulary (STYLE.md §4).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "acrypto/session.h"

namespace acrypto::sched {

/// Error codes inside acrypto. Mirrors enum acrypto_status one to one.
enum class Errc {
    Ok = 0,
    Busy,         ///< no room now; retry (never a failure)
    Unsupported,  ///< no device can do it
    InvalidInput, ///< bad key/IV length, sizes, params
    DeviceBroken, ///< device fault
    Timeout,      ///< device did not answer in time
    Shutdown,     ///< scheduler or device shutting down
    VerifyFailed, ///< signature/tag mismatch
    NoMemory,
    Internal,
    Bound, ///< the bound device is unavailable
};

/// Map an ABI status (enum acrypto_status) to Errc and back.
Errc errc_from_status(int status) noexcept;
int status_from_errc(Errc e) noexcept;
/// Short stable name: "busy", "unsupported", ...
const char *errc_name(Errc e) noexcept;

/// An error with a human-readable message (names the key, device or step at fault).
struct Error {
    Errc code = Errc::Internal;
    std::string message;
};

/// Expected-style result. Never drop one: [[nodiscard]].
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

} // namespace acrypto::sched
