// SPDX-License-Identifier: Apache-2.0
// xstore as a health-tested entropy source (spec §6.4): status checks, SP 800-90B tests,
// conditioning.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

#include "acrypto/session.h"

#include "cpuid.hpp"
#include "isa.hpp"
#include "scratch.hpp"
#include "stats.hpp"

namespace acrypto::hw::padlock {

/// SP 800-90B §4.4 continuous tests on raw bytes, for a claimed min-entropy of 4 bits/byte.
class HealthTests {
  public:
    static constexpr uint32_t kClaimedBitsPerByte = 4;
    static constexpr uint32_t kRctCutoff = 6;   ///< 1 + ceil(20 / H), alpha = 2^-20
    static constexpr uint32_t kAptWindow = 512; ///< non-binary window
    static constexpr uint32_t kAptCutoff = 62;  ///< 1 + CRITBINOM(512, 2^-4, 1 - 2^-20)
    enum class Verdict { Ok, RepetitionCount, AdaptiveProportion };
    /// Feeds one sample.
    Verdict feed(uint8_t b);

  private:
    uint8_t rct_value_ = 0;
    uint32_t rct_count_ = 0;
    uint8_t apt_value_ = 0;
    uint32_t apt_count_ = 0;
    uint32_t apt_seen_ = 0;
};

/// The RNG unit behind get_entropy_fn. Thread-safe (one caller at a time inside).
class EntropySource {
  public:
    /// Raw bytes hashed per 32 output bytes: 256 + 64 bits of claimed entropy.
    static constexpr size_t kRawPerOutput = (256 + 64) / HealthTests::kClaimedBitsPerByte;
    static constexpr size_t kStartupSamples = 1024; ///< SP 800-90B §4.3 start-up test
    static constexpr uint32_t kMaxNotReady = 200;   ///< consecutive count-0 answers tolerated
    static constexpr uint32_t kMaxBadStatus = 8;    ///< consecutive rejected answers tolerated

    EntropySource(Isa &isa, const Features &f, Stats &stats, uint32_t divisor);
    /// Fills `len` bytes: SHA-256 over health-tested raw bytes. ACRYPTO_E_DEVICE once latched.
    int get(uint8_t *out, size_t len);
    /// Whether the source was declared failed (sticky).
    bool failed() const { return latched_.load(std::memory_order_acquire); }
    /// Why it failed ("" while healthy).
    std::string failure() const;

  private:
    int raw(uint8_t *out, size_t n);
    void latch(const char *why);

    Isa &isa_;
    const Features &f_;
    Stats &stats_;
    uint32_t divisor_;
    mutable std::mutex mu_;
    ScratchHolder scratch_;
    HealthTests tests_;
    bool started_ = false;
    std::atomic<bool> latched_{false};
    const char *why_ = "";
};

} // namespace acrypto::hw::padlock
