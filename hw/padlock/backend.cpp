// SPDX-License-Identifier: Apache-2.0
// choose_backend / make_isa: the auto|native|emulator rule and the probe messages.
#include "backend.hpp"

#include "emulator/emulator.hpp"

namespace acrypto::hw::padlock {

BackendChoice choose_backend(const DriverConfig &cfg, const CpuidSource &host) {
    BackendChoice c;
    if (cfg.backend == BackendKind::Emulator) {
        c.available = true;
        c.features = detect_features(emu::profile_cpuid(cfg.profile));
        c.why = std::string("PadLock emulator, profile ") + emu::profile_name(cfg.profile);
        return c;
    }
    c.features = detect_features(host);
    const char *asked = cfg.backend == BackendKind::Native ? "backend=native: " : "";
    if (!c.features.any()) {
        c.why = std::string(asked) + "no usable PadLock unit on this CPU (" +
                c.features.describe() + ")";
        if (!c.features.present_not_enabled.empty())
            c.why += "; present but not enabled: " + c.features.present_not_enabled;
        c.why += "; set backend=emulator to use the emulator";
        return c;
    }
#if defined(__x86_64__)
    c.available = true;
    c.native = true;
    c.why = "native PadLock on " + c.features.describe();
#else
    c.why = std::string(asked) + "PadLock found but this build has no native instruction layer";
#endif
    return c;
}

std::unique_ptr<Isa> make_isa(const DriverConfig &cfg, const BackendChoice &choice) {
    if (!choice.available) return nullptr;
    if (choice.native) return make_native_isa();
    emu::EmulatorOptions o;
    o.profile = cfg.profile;
    o.interrupt_every = cfg.emu_interrupt;
    o.context_switch_one_in = cfg.emu_context_switch;
    o.iv_model = cfg.emu_iv_model;
    o.rng.seed = cfg.rng_seed;
    o.rng.fault = cfg.rng_fault;
    return std::make_unique<emu::Emulator>(o);
}

} // namespace acrypto::hw::padlock
