// SPDX-License-Identifier: Apache-2.0
// InlineModel: what running a step inline and offloading it cost, per (operation,
// size class), from capability rates first and then measured; answers
// "inline or offload" with one atomic load and no lock.
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>

#include "acrypto/session.h"

namespace acrypto::sched::detail {

class InlineModel {
  public:
    /// Size classes: [0, 32), then [2^(c+4), 2^(c+5)) for c >= 1; the last one is open.
    static constexpr uint32_t kClasses = 24;
    /// (op, alg, mode, direction) entries kept (open addressing; full table: static rule).
    static constexpr uint32_t kSlots = 128;
    /// What an offload costs a caller that pauses inside an ASYNC job before any
    /// crypto: pause, resume, eventfd wake-up and the worker hand-over (≈ 0.5 µs
    /// idle; 2 µs keeps the measured AES-CBC crossover of the cpu device, ≈ 2 KiB).
    static constexpr uint32_t kPausedCallerNs = 2000;
    /// How much faster (bytes / stated rate) a device must be than the inline
    /// device for a pausing caller to offload work past kPausedCallerNs.
    static constexpr uint32_t kPausedSpeedup = 2;
    /// Inline dispatch cost on top of the bytes (placement memo, device entry, key lookup).
    static constexpr uint32_t kInlineFixedNs = 150;
    /// One inline run in this many is timed (not a thread's first: it builds caches).
    /// Timed runs refine the blocking-caller decision.
    static constexpr uint32_t kSampleEvery = 64;
    /// One offload decision in this many, where inline is possible, runs inline
    /// instead (and is timed), so an estimate spoiled by an outlier recovers.
    static constexpr uint32_t kExploreEvery = 64;

    static uint32_t size_class(uint64_t len) noexcept {
        const int w = std::bit_width(len);
        return w <= 5 ? 0
                      : (static_cast<uint32_t>(w) - 5 < kClasses ? static_cast<uint32_t>(w) - 5
                                                                 : kClasses - 1);
    }
    /// Representative length of a class (geometric middle).
    static uint64_t class_len(uint32_t c) noexcept {
        return c == 0 ? 16 : (uint64_t{3} << (c + 3));
    }
    /// Nonzero key of a step's kind.
    static uint64_t key_of(const acrypto_step &st) noexcept {
        return uint64_t{1} << 63 | uint64_t{st.op & 0xff} << 24 | uint64_t{st.alg & 0xff} << 16 |
               uint64_t{st.mode & 0xff} << 8 | (st.dir & 0xff);
    }

    struct Entry {
        std::atomic<uint64_t> key{0};
        /// Device count + 1 when the priors were set (0: not yet); a new device redoes them.
        std::atomic<uint32_t> gen{0};
        /// Bit c: inline wins for a caller that blocks / that pauses, in class c.
        std::atomic<uint32_t> inline_blocking{0};
        std::atomic<uint32_t> inline_paused{0};
        /// Costs in ns: priors from capabilities; learned (0 = none yet), smoothed.
        std::atomic<uint32_t> inline_prior[kClasses]{};
        std::atomic<uint32_t> offload_prior[kClasses]{};
        /// Bytes / stated rate of the fastest capable device (no latency): what an
        /// offload adds in capacity while the caller pauses.
        std::atomic<uint32_t> service_prior[kClasses]{};
        std::atomic<uint32_t> inline_ns[kClasses]{};
        std::atomic<uint32_t> offload_ns[kClasses]{};
        std::atomic<uint32_t> explore{0}; ///< offload decisions taken (exploration pacing)
    };

    /// The entry for `key`, claimed if new; nullptr when the table is full.
    Entry *find(uint64_t key) noexcept {
        uint32_t h = static_cast<uint32_t>((key * 0x9E3779B97F4A7C15ull) >> 57) % kSlots;
        for (uint32_t i = 0; i < kSlots; ++i, h = (h + 1) % kSlots) {
            Entry &e = slots_[h];
            uint64_t k = e.key.load(std::memory_order_acquire);
            if (k == key) return &e;
            if (k == 0 && e.key.compare_exchange_strong(k, key, std::memory_order_acq_rel))
                return &e;
            if (k == key) return &e; // claimed by another thread meanwhile
        }
        return nullptr;
    }

    /// Priors for every class (ns; inline 0 = no inline device can), then the decisions.
    void set_priors(Entry &e, const uint32_t *inline_prior, const uint32_t *offload_prior,
                    const uint32_t *service_prior, uint32_t gen) noexcept {
        for (uint32_t c = 0; c < kClasses; ++c) {
            e.inline_prior[c].store(inline_prior[c], std::memory_order_relaxed);
            e.offload_prior[c].store(offload_prior[c], std::memory_order_relaxed);
            e.service_prior[c].store(service_prior[c], std::memory_order_relaxed);
        }
        for (uint32_t c = 0; c < kClasses; ++c) decide(e, c);
        e.gen.store(gen, std::memory_order_release);
    }

    void observe_inline(Entry &e, uint32_t c, uint64_t ns) noexcept {
        smooth(e.inline_ns[c], inline_cost(e, c), ns);
        decide(e, c);
    }
    void observe_offload(Entry &e, uint32_t c, uint64_t ns) noexcept {
        smooth(e.offload_ns[c], offload_cost(e, c), ns);
        decide(e, c);
    }

    static bool prefers_inline(const Entry &e, uint32_t c, bool paused) noexcept {
        const auto &m = paused ? e.inline_paused : e.inline_blocking;
        return (m.load(std::memory_order_relaxed) >> c) & 1u;
    }
    /// After an offload decision: whether to run inline once anyway (exploration).
    /// Costs an atomic increment, on the offload path only.
    static bool explore(Entry &e, uint32_t c) noexcept {
        if (e.inline_prior[c].load(std::memory_order_relaxed) == 0) return false;
        return e.explore.fetch_add(1, std::memory_order_relaxed) % kExploreEvery ==
               kExploreEvery - 1;
    }

    /// Estimated costs (learned when measured, else the prior), for stats and tests.
    static uint32_t inline_cost(const Entry &e, uint32_t c) noexcept {
        uint32_t v = e.inline_ns[c].load(std::memory_order_relaxed);
        return v ? v : e.inline_prior[c].load(std::memory_order_relaxed);
    }
    static uint32_t offload_cost(const Entry &e, uint32_t c) noexcept {
        uint32_t v = e.offload_ns[c].load(std::memory_order_relaxed);
        return v ? v : e.offload_prior[c].load(std::memory_order_relaxed);
    }

  private:
    /// Measurement noise on a shared machine only adds time (preemption, cold
    /// caches): a lower sample is taken at once, a higher one moves the estimate
    /// by 1/16 of the difference and counts at most twice the estimate, so a
    /// loaded box cannot flip a decision with a few slow runs. Racing updates
    /// may drop a sample, never corrupt one.
    static void smooth(std::atomic<uint32_t> &a, uint32_t estimate, uint64_t ns) noexcept {
        const uint64_t old = estimate ? estimate : ns;
        uint64_t v = ns == 0 ? 1 : ns;
        uint64_t n;
        if (v <= old) {
            n = v;
        } else {
            if (v > 2 * old) v = 2 * old;
            n = old + (v - old) / 16;
        }
        a.store(static_cast<uint32_t>(n == 0 ? 1 : (n > UINT32_MAX ? UINT32_MAX : n)),
                std::memory_order_relaxed);
    }
    /// Recompute both decision bits of class c. A blocking caller waits for the
    /// whole offload (latency + transfer + wake-up); a pausing caller pays only
    /// kPausedCallerNs of its thread, the device works meanwhile.
    static void decide(Entry &e, uint32_t c) noexcept {
        const uint32_t prior = e.inline_prior[c].load(std::memory_order_relaxed);
        const uint32_t inl = inline_cost(e, c);
        const bool can = prior != 0;
        set_bit(e.inline_blocking, c, can && inl <= offload_cost(e, c));
        // A pausing caller's offload is cheap only while the device adds capacity; the
        // stated rates decide (a learned inline time under load would push small,
        // overhead-bound work onto workers sharing the same cores). Past the pause
        // cost it still stays inline unless some device does the bytes at least
        // kPausedSpeedup times faster: a device only as fast as the caller's own
        // thread (SHA-256 on one lane, the cpu workers on the other core) leaves the
        // caller paying its per-operation cost for nothing (bench/mb/async_ratio.sh:
        // SHA-256 and HMAC-SHA256 at 8 KB went from about 0.8x inline to 0.55x).
        const uint32_t service = e.service_prior[c].load(std::memory_order_relaxed);
        set_bit(e.inline_paused, c,
                can && (prior <= kPausedCallerNs ||
                        static_cast<uint64_t>(service) * kPausedSpeedup > prior));
    }
    static void set_bit(std::atomic<uint32_t> &m, uint32_t c, bool on) noexcept {
        if (on)
            m.fetch_or(1u << c, std::memory_order_relaxed);
        else
            m.fetch_and(~(1u << c), std::memory_order_relaxed);
    }

    Entry slots_[kSlots];
};

} // namespace acrypto::sched::detail
