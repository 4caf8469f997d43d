// SPDX-License-Identifier: Apache-2.0
// InlineKernel: an operation context's bound device kernel, the fast inline path.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/scheduler.hpp"
#include "op_params.hpp"
#include "prov_ctx.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

/**
 * A cipher or AEAD context's kernel (acrypto::sched::Kernel): bound after the context's
 * first inline run, then every run the cost model keeps on the caller's thread
 * goes straight to the device's kernel, with no session, no placement and no
 * capability match. Work the model sends to a device, bound work
 * (acrypto-device) and anything the kernel refuses still take sessions. A copy
 * starts empty (dupctx never shares it); after fork() it is dropped.
 */
class InlineKernel {
  public:
    InlineKernel() = default;
    InlineKernel(const InlineKernel &) {}
    // Assignment keeps this context's own kernel: nothing is read from the other side.
    InlineKernel &operator=(const InlineKernel &) { // NOLINT(bugprone-unhandled-self-assignment)
        return *this;
    }
    ~InlineKernel() { reset(); }

    /// Drop the kernel (new key or direction): the next inline run binds again.
    void reset() noexcept;

    /**
     * Run `len` bytes through the kernel when one is bound and the cost model
     * prefers running them on this caller's thread. ACRYPTO_E_UNSUPPORTED, with
     * nothing touched, when not taken: use a session. Inline: it is every small
     * update's whole overhead over the device's own kernel.
     */
    int run(ProvCtx *pctx, const OpOptions &opts, const uint8_t *src, uint8_t *dst, size_t len,
            uint8_t *iv, uint32_t *num) noexcept {
        if (const int a = gate(pctx, opts, len); a != ACRYPTO_OK) return a;
        const int rc = k_.run(src, dst, len, iv, num);
        if (rc == ACRYPTO_E_UNSUPPORTED) [[unlikely]]
            stale();
        return rc;
    }

    /// Whether run() / run_aead() would take `len` bytes now: a kernel is bound, the
    /// context is not bound to a device, and the cost model keeps the size on this
    /// caller's thread. Nothing runs (a kernel bound before fork() is dropped, as a
    /// run would). Counted as a run for the armed answer (gate()): an AEAD message the
    /// direct path takes asks here once, and run() is not called for it.
    bool takes(ProvCtx *pctx, const OpOptions &opts, size_t len) noexcept {
        return k_ && gate(pctx, opts, len) == ACRYPTO_OK;
    }

    /**
     * The size classes (acrypto::sched::Kernel::size_class) in which takes() would take
     * every length now, for this caller: the cost model's classes for the caller's kind, or
     * under a static inline-threshold the classes wholly at or below it. 0 when it would
     * take none. For paths that ask once and check the answer per run.
     */
    uint32_t taken_classes(ProvCtx *pctx, const OpOptions &opts) noexcept;

    /// The longest length in the run of `classes` from the smallest up (0: none), as one
    /// bound for a per-run check.
    static size_t longest_taken(uint32_t classes) noexcept {
        const auto run = static_cast<uint32_t>(std::countr_one(classes));
        return run == 0 ? 0 : (size_t{32} << (run - 1)) - 1;
    }

    /// Runs on one answer of the cost model (see armed()) before it is asked again.
    static constexpr uint32_t kRecheckEvery = 256;

    /**
     * The same for one AEAD message (acrypto_kernel::aead_fn): `tag` is written
     * (encrypt) or checked (decrypt: ACRYPTO_E_VERIFY on mismatch).
     */
    int run_aead(ProvCtx *pctx, const OpOptions &opts, const uint8_t *iv, size_t iv_len,
                 const uint8_t *aad, size_t aad_len, const uint8_t *src, uint8_t *dst, size_t len,
                 uint8_t *tag, size_t tag_len) noexcept;

    /// Whether a kernel is bound; whether binding one was refused (not asked again).
    bool bound() const noexcept { return static_cast<bool>(k_); }
    bool refused() const noexcept { return refused_; }

    /// Bind a kernel for `shape` (after an inline session run of it succeeded, or before
    /// the first run the cost model keeps inline): once; a device without one is not
    /// asked again until reset().
    void bind_after_inline(ProvCtx *pctx, const OpOptions &opts,
                           const acrypto_step &shape) noexcept;

  private:
    /**
     * The gate of most runs: `len` is within the longest length the cost model kept on
     * this thread when last asked (admit_and_arm), asked at most kRecheckEvery runs ago;
     * the context is not bound to a device; no fork() since the kernel was bound. A
     * length, a state or an answer that is due takes admit_and_arm() instead.
     */
    bool armed(const OpOptions &opts, size_t len) noexcept {
        if (len - 1 >= armed_max_ || opts.device[0] != '\0' || generation_ != fork_generation())
            return false;
        if (--armed_left_ == 0) armed_max_ = 0; // ask again at the next run
        return true;
    }
    /// ACRYPTO_OK when `len` bytes may go to the kernel now: armed(), else admit_and_arm().
    int gate(ProvCtx *pctx, const OpOptions &opts, size_t len) noexcept {
        if (armed(opts, len)) [[likely]]
            return ACRYPTO_OK;
        return admit_and_arm(pctx, opts, len);
    }
    /// admit(), and when it lets the run in, arm the runs after it (see armed()).
    [[gnu::noinline]] int admit_and_arm(ProvCtx *pctx, const OpOptions &opts, size_t len) noexcept;
    /// The gate of every run not armed: ACRYPTO_OK when `len` bytes may go to the kernel now,
    /// else ACRYPTO_E_UNSUPPORTED. An unbound kernel's max_len is 0, so a non-empty
    /// run needs one bound.
    int admit(ProvCtx *pctx, const OpOptions &opts, size_t len) noexcept {
        if (len > k_.max_len() || opts.device[0] != '\0') return ACRYPTO_E_UNSUPPORTED;
        if (generation_ != fork_generation()) [[unlikely]]
            return forked();
        return wanted(pctx, len) ? ACRYPTO_OK : ACRYPTO_E_UNSUPPORTED;
    }
    /// Whether the cost model (or the static inline-threshold) keeps `len` bytes on
    /// this caller's thread. The caller's kind is looked up only when it matters.
    bool wanted(const ProvCtx *pctx, size_t len) const noexcept {
        using acrypto::sched::InlineCaller;
        const Settings &st = pctx->settings;
        if (!st.inline_auto) return st.inline_threshold != 0 && len <= st.inline_threshold;
        const uint32_t c = acrypto::sched::Kernel::size_class(len);
        const uint32_t blocking = k_.inline_classes(InlineCaller::Blocking);
        const uint32_t paused = k_.inline_classes(InlineCaller::Paused);
        if (((blocking & paused) >> c) & 1u) return true;
        if (!(((blocking | paused) >> c) & 1u)) return false;
        return wanted_by_caller(blocking, paused, c);
    }
    /// The caller's kind decides (one of the two bit sets has class `c`).
    [[gnu::noinline]] static bool wanted_by_caller(uint32_t blocking, uint32_t paused,
                                                   uint32_t c) noexcept;
    /// Bound before a fork(): released without touching the abandoned scheduler.
    [[gnu::cold, gnu::noinline]] int forked() noexcept;
    /// The kernel declined a run (stale: a device changed): bind again later.
    [[gnu::cold, gnu::noinline]] void stale() noexcept;

    acrypto::sched::Kernel k_;
    uint64_t generation_ = 0; ///< fork generation k_ was bound in
    size_t armed_max_ = 0;    ///< longest armed length (0: not armed; see armed())
    uint32_t armed_left_ = 0; ///< armed runs before the cost model is asked again
    bool refused_ = false;    ///< no kernel for this shape: do not ask again
};

/**
 * A cipher update's fast path, for a context `c` with `kern`, `pctx`, `opts`, `iv` and `num`:
 * when `takes` (the context's own check that the bound kernel can run this update whole),
 * the kernel runs it; a kernel failure goes to `failed(c, status)`, and an update the kernel
 * declines, like every other, to `slow()`.
 */
template <typename Ctx, typename Failed, typename Slow>
inline int kernel_update(Ctx *c, bool takes, unsigned char *out, size_t *outl,
                         const unsigned char *in, size_t inl, Failed failed, Slow slow) {
    if (takes) {
        const int k = c->kern.run(c->pctx, c->opts, in, out, inl, c->iv, &c->num);
        if (k == ACRYPTO_OK) [[likely]] {
            *outl = inl;
            return 1;
        }
        if (k != ACRYPTO_E_UNSUPPORTED) return failed(c, k);
    }
    return slow();
}

} // namespace acrypto::prov
