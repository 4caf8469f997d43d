// SPDX-License-Identifier: Apache-2.0
// AES cipher steps over xcrypt: key loading, alignment and over-read bounce, CTR splits, tails.
#pragma once

#include "acrypto/session.h"
#include "cpuid.hpp"
#include "isa.hpp"
#include "scratch.hpp"
#include "stats.hpp"

namespace acrypto::hw::padlock {

/// Runs ACRYPTO_OP_CIPHER / ACRYPTO_ALG_AES steps on the ACE unit. Stateless: all per-step
/// state lives in the caller's Scratch, so workers share one engine.
class AesEngine {
  public:
    AesEngine(Isa &isa, const Features &f, Stats &stats) : isa_(isa), f_(f), stats_(stats) {}
    /// Executes one step; updates dst, out_len, iv and num. Returns an acrypto_status.
    int run(acrypto_step &st, Scratch &s);
    /// Whether the unit can run this mode at all.
    bool supports(uint32_t mode) const;

  private:
    int load_key(const acrypto_step &st, bool decrypt, bool inverse, Scratch &s);
    int call(XcryptOp op, const uint8_t *src, uint8_t *dst, uint64_t blocks, Scratch &s);
    int span(XcryptOp op, const uint8_t *src, uint8_t *dst, uint64_t blocks, Scratch &s);
    int encrypt_block(const uint8_t in[16], uint8_t out[16], Scratch &s);
    int ctr_blocks(const uint8_t *src, uint8_t *dst, uint64_t blocks, Scratch &s);
    int count_fault(Fault f);

    Isa &isa_;
    const Features &f_;
    Stats &stats_;
};

} // namespace acrypto::hw::padlock
