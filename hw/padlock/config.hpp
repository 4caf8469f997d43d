// SPDX-License-Identifier: Apache-2.0
// Driver configuration keys (declared once: enum + names table) and their parsed form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "acrypto/device.h"
#include "emulator/emulator.hpp"

namespace acrypto::hw::padlock {

/// Configuration keys of the padlock driver.
enum class ConfigKey {
    Backend,          ///< auto | native | emulator
    Profile,          ///< emulated core (emulator only)
    Workers,          ///< worker threads, 1..16
    Inline,           ///< yes | no: advertise run_inline_fn
    RngDivisor,       ///< xstore quality divisor 0..3
    RngFault,         ///< emulator RNG fault injection
    RngSeed,          ///< emulator RNG seed (deterministic stream)
    EmuInterrupt,     ///< emulator: interrupt REP instructions every N units
    EmuContextSwitch, ///< emulator: clear EFLAGS[30] about one in N instructions
    EmuIvModel,       ///< emulator: strict | compat chaining-value model
    Count
};

/// NULL-terminated names, index = ConfigKey (the driver's config_keys).
extern const char *const kConfigKeyNames[];

/// Which instruction layer to use.
enum class BackendKind {
    Auto,    ///< native when CPUID reports a usable unit; otherwise the device is absent
    Native,  ///< native only; absent without PadLock
    Emulator ///< always the emulator
};

/// Parsed configuration with defaults.
struct DriverConfig {
    BackendKind backend = BackendKind::Auto;
    emu::Profile profile = emu::Profile::ZhaoxinF7;
    uint32_t workers = 1;
    bool inline_ok = false;
    uint32_t rng_divisor = 3;
    emu::RngFault rng_fault = emu::RngFault::None;
    std::optional<uint64_t> rng_seed;
    uint32_t emu_interrupt = 0;
    uint32_t emu_context_switch = 0;
    emu::IvModel emu_iv_model = emu::IvModel::Strict;
    bool emulator_keys_used = false; ///< an emulator-only key was given
};

/// Validates and parses; an unknown key or bad value is named in `*why`.
int parse_config(const acrypto_config *cfg, DriverConfig *out, std::string *why);

} // namespace acrypto::hw::padlock
