// SPDX-License-Identifier: Apache-2.0
// Chooses the instruction layer once at start: native (CPUID says present AND enabled) or emulator.
#pragma once

#include <memory>
#include <string>

#include "config.hpp"
#include "cpuid.hpp"
#include "isa.hpp"

namespace acrypto::hw::padlock {

/// The decision, before anything is created (tests check it with fabricated CPUID).
struct BackendChoice {
    bool available = false;
    bool native = false;
    Features features; ///< of the host CPU (native) or of the emulated profile
    std::string why;   ///< what was chosen, or why the device is absent
};

/// Rule: `emulator` always gives the emulator; `auto` and `native` give the native layer when
/// the host reports ACE, PHE or RNG present and enabled, else no device (with the reason).
BackendChoice choose_backend(const DriverConfig &cfg, const CpuidSource &host);

/// Creates the chosen layer (nullptr if the choice was "absent").
std::unique_ptr<Isa> make_isa(const DriverConfig &cfg, const BackendChoice &choice);

} // namespace acrypto::hw::padlock
