// SPDX-License-Identifier: Apache-2.0
// Digest steps over xsha: block mode with software padding, or the C7 one-shot/finish forms.
#pragma once

#include "acrypto/session.h"
#include "cpuid.hpp"
#include "isa.hpp"
#include "scratch.hpp"
#include "stats.hpp"

namespace acrypto::hw::padlock {

/// Runs ACRYPTO_OP_DIGEST steps on PHE (SHA-1/224/256) and PHE2 (SHA-384/512).
class ShaEngine {
  public:
    ShaEngine(Isa &isa, const Features &f, Stats &stats) : isa_(isa), f_(f), stats_(stats) {}
    /// Executes one step (FIRST/FINAL chunks, state continuation). Returns an acrypto_status.
    int run(acrypto_step &st, Scratch &s);
    /// Whether `alg` can be hashed on this core.
    bool supports(uint32_t alg) const;
    /// Whether non-final chunks work (needs EAX=-1 block mode; not on C7).
    bool partial(uint32_t alg) const;

  private:
    int call(ShaOp op, const uint8_t *src, uint64_t rcx, uint64_t rax, Scratch &s);

    Isa &isa_;
    const Features &f_;
    Stats &stats_;
};

} // namespace acrypto::hw::padlock
