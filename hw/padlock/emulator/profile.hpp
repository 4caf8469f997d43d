// SPDX-License-Identifier: Apache-2.0
// Emulated CPU profiles (spec §9.1 item 1): vendor, signature and the 0xC0000001 feature word.
#pragma once

#include <optional>
#include <string_view>

#include "../cpuid.hpp"

namespace acrypto::hw::padlock::emu {

/// The cores the emulator can pose as.
enum class Profile { C3Nehemiah, C7, Nano, NanoStepping2, ZhaoxinF6, ZhaoxinF7 };

/// Configuration name: "c3-nehemiah", "c7", "nano", "nano-stepping-2", "zhaoxin-f6", "zhaoxin-f7".
const char *profile_name(Profile p);
/// Parses a configuration name.
std::optional<Profile> parse_profile(std::string_view name);
/// The CPUID table of a profile, fed to the same detection code as the real CPU.
FixedCpuid profile_cpuid(Profile p);
/// Whether the RNG reports two noise sources (status bits 8 and 9).
bool profile_two_noise_sources(Profile p);

/// Builds a CPUID table from parts (tests fabricate Intel, present-not-enabled, ...).
FixedCpuid make_cpuid(bool shanghai, uint32_t family, uint32_t model, uint32_t stepping,
                      uint32_t feature_edx, uint32_t centaur_max = 0xC0000001);
/// A GenuineIntel table whose 0xC000000x leaves echo its top basic leaf, as Intel parts do.
FixedCpuid make_intel_cpuid();

} // namespace acrypto::hw::padlock::emu
