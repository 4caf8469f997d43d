// SPDX-License-Identifier: Apache-2.0
// EntropySource: xstore status policy, bounded retries, 90B health tests, latching, conditioning.
#include "entropy_source.hpp"

#include <chrono>
#include <cstring>
#include <thread>

#include "key_schedule.hpp"
#include "regs.hpp"
#include "sha256_sw.hpp"

namespace acrypto::hw::padlock {

HealthTests::Verdict HealthTests::feed(uint8_t b) {
    if (rct_count_ > 0 && b == rct_value_) {
        if (++rct_count_ >= kRctCutoff) return Verdict::RepetitionCount;
    } else {
        rct_value_ = b;
        rct_count_ = 1;
    }
    if (apt_seen_ == 0) {
        apt_value_ = b;
        apt_count_ = 1;
        apt_seen_ = 1;
    } else {
        if (b == apt_value_ && ++apt_count_ >= kAptCutoff) return Verdict::AdaptiveProportion;
        if (++apt_seen_ == kAptWindow) apt_seen_ = 0;
    }
    return Verdict::Ok;
}

EntropySource::EntropySource(Isa &isa, const Features &f, Stats &stats, uint32_t divisor)
    : isa_(isa), f_(f), stats_(stats), divisor_(divisor & regs::XSTORE_DIVISOR_MASK),
      scratch_(isa) {}

std::string EntropySource::failure() const {
    std::lock_guard lk(mu_);
    return why_;
}

void EntropySource::latch(const char *why) {
    why_ = why;
    latched_.store(true, std::memory_order_release);
    stats_.add(Stat::RngLatched);
}

int EntropySource::raw(uint8_t *out, size_t n) {
    static constexpr uint32_t kValid[4] = {8, 4, 2, 1};
    const uint32_t expected = kValid[divisor_];
    Scratch &s = scratch_.get();
    uint32_t not_ready = 0, bad = 0;
    size_t got = 0;
    while (got < n) {
        Regs r;
        r.rdi = reinterpret_cast<uintptr_t>(s.rng);
        r.rdx = divisor_;
        stats_.add(Stat::Instructions);
        if (isa_.xstore(r) != Fault::None) {
            stats_.add(Stat::FaultUd);
            latch("xstore faulted");
            return ACRYPTO_E_DEVICE;
        }
        const uint32_t status = static_cast<uint32_t>(r.rax);
        const uint32_t count = status & regs::XSTORE_COUNT_MASK;
        // Reject the answer unless the RNG is on, no quality bit is set and the count is the
        // divisor's (spec §6.4, libgcrypt/OpenSSL policy).
        if (!(status & regs::XSTORE_RNG_ENABLED) || (status & regs::XSTORE_BAD_MASK) ||
            (count != 0 && count != expected)) {
            stats_.add(Stat::RngStatusBad);
            if (++bad >= kMaxBadStatus) {
                latch("xstore status word reports a disabled or unhealthy source");
                return ACRYPTO_E_DEVICE;
            }
            continue;
        }
        bad = 0;
        if (count == 0) {
            stats_.add(Stat::RngNotReady);
            if (++not_ready >= kMaxNotReady) {
                latch("xstore never became ready");
                return ACRYPTO_E_DEVICE;
            }
            // Not ready: back off briefly (Linux via-rng waits 10 us) instead of spinning.
            std::this_thread::sleep_for(std::chrono::microseconds(10));
            continue;
        }
        not_ready = 0;
        for (uint32_t i = 0; i < count && got < n; ++i) {
            const uint8_t b = s.rng[i];
            switch (tests_.feed(b)) {
            case HealthTests::Verdict::Ok: break;
            case HealthTests::Verdict::RepetitionCount:
                stats_.add(Stat::RngRctFailures);
                latch("repetition count test failed");
                return ACRYPTO_E_DEVICE;
            case HealthTests::Verdict::AdaptiveProportion:
                stats_.add(Stat::RngAptFailures);
                latch("adaptive proportion test failed");
                return ACRYPTO_E_DEVICE;
            }
            out[got++] = b;
        }
        stats_.add(Stat::RngBytesRaw, count);
    }
    secure_wipe(s.rng, sizeof s.rng);
    return ACRYPTO_OK;
}

int EntropySource::get(uint8_t *out, size_t len) {
    if (!f_.rng) return ACRYPTO_E_UNSUPPORTED;
    std::lock_guard lk(mu_);
    if (failed()) return ACRYPTO_E_DEVICE;
    uint8_t pool[kStartupSamples > kRawPerOutput ? kStartupSamples : kRawPerOutput];
    int rc = ACRYPTO_OK;
    if (!started_) {
        rc = raw(pool, kStartupSamples); // start-up test: samples are tested, then discarded
        if (rc != ACRYPTO_OK) {
            secure_wipe(pool, sizeof pool);
            return rc;
        }
        started_ = true;
    }
    uint8_t block[32];
    for (size_t off = 0; off < len && rc == ACRYPTO_OK; off += sizeof block) {
        rc = raw(pool, kRawPerOutput);
        if (rc != ACRYPTO_OK) break;
        sha256_sw(pool, kRawPerOutput, block);
        const size_t take = len - off < sizeof block ? len - off : sizeof block;
        std::memcpy(out + off, block, take);
    }
    secure_wipe(pool, sizeof pool);
    secure_wipe(block, sizeof block);
    if (rc == ACRYPTO_OK) stats_.add(Stat::RngEntropyBytes, len);
    return rc;
}

} // namespace acrypto::hw::padlock
