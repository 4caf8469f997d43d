// SPDX-License-Identifier: Apache-2.0
// RNG conditioning for the HIFN noise source: SP 800-90B style health tests + SHA-256.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace acrypto::hw::hifn {

/// Plain SHA-256 (FIPS 180-4), used only to condition raw RNG words.
class Sha256 {
  public:
    Sha256();
    void update(const uint8_t *p, size_t n);
    /// Finish into `out`; the object is wiped afterwards.
    void final(uint8_t out[32]);

  private:
    void block(const uint8_t *p);
    std::array<uint32_t, 8> h_{};
    std::array<uint8_t, 64> buf_{};
    uint64_t total_ = 0;
    size_t fill_ = 0;
};

/**
 * Continuous health tests on 32-bit raw words (SP 800-90B §4.4): repetition count
 * (cutoff kRepeatCutoff identical words in a row) and adaptive proportion (a
 * window of kWindow words may hold the first word at most kWindowCutoff times).
 * Cutoffs assume Hifn's own worst figure, 0.06 bits of entropy per bit.
 */
class HealthTest {
  public:
    static constexpr unsigned kRepeatCutoff = 12;
    static constexpr unsigned kWindow = 512;
    static constexpr unsigned kWindowCutoff = 200;
    /// Feed one word; false once a test has failed (sticky until reset()).
    bool feed(uint32_t w);
    void reset() { *this = HealthTest{}; }
    bool failed() const { return failed_; }

  private:
    uint32_t last_ = 0;
    unsigned repeats_ = 0;
    uint32_t window_first_ = 0;
    unsigned window_pos_ = 0, window_hits_ = 0;
    bool have_last_ = false, failed_ = false;
};

/// Raw 32-bit words hashed into one 32-byte output block: 256 words carry about
/// 256 * 32 * 0.06 = 491 bits, so each output bit is credited at most 0.5 raw bits.
inline constexpr unsigned kWordsPerBlock = 256;

} // namespace acrypto::hw::hifn
