// SPDX-License-Identifier: Apache-2.0
// Workload: sessions of some operation a device declares, with their expected results.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "conformance.hpp"

namespace acrypto::test::conformance {

/// One session and what it must produce.
struct Job {
    std::unique_ptr<OwnedSession> s;
    Bytes want; ///< expected output (empty with check_len_only)
    bool check_len_only = false;
    /// Whether the session's result is right (status already OK).
    bool correct() const;
};

/// Builds jobs for the cheapest plain operation a device declares (cipher, digest, HMAC, random).
class Workload {
  public:
    /// nullopt when the device declares nothing the suite can compute a reference for.
    static std::optional<Workload> pick(const acrypto_device_desc &d);
    /// A job of about `len` bytes (rounded to what the capability takes), deterministic in `seed`.
    Job make(size_t len, uint64_t seed) const;
    const acrypto_capability &cap() const { return cap_; }
    std::string describe() const { return cap_name(cap_); }

  private:
    acrypto_capability cap_{};
    size_t key_len_ = 0;
};

} // namespace acrypto::test::conformance
