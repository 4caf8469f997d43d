// SPDX-License-Identifier: Apache-2.0
// execute(): run one prepared session inline, offloaded while blocking, or paused in an ASYNC_JOB.
#pragma once

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/session.hpp"
#include "op_params.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov {

/// How execute() may wait.
enum class ExecMode {
    Auto,    ///< inline when preferred; pause inside a job with a wait ctx; block otherwise
    NoPause, ///< never pause the ASYNC job (random generation, calls under OpenSSL locks)
    Offload, ///< skip the inline attempt (the caller already tried run_inline_now)
};

/**
 * Run a prepared session (steps filled, buffers in the session's arena, priority
 * and binding set). Inline on the caller's thread when the scheduler prefers it
 * (never for a bound session); otherwise submitted, and inside an ASYNC_JOB with a
 * wait ctx the job is paused until completion (eventfd or the application's
 * callback), outside a job the caller blocks on the session. Returns the session's
 * status (enum acrypto_status). Raises no OpenSSL error: callers raise after it
 * returns. Holds no lock across a pause; uses little stack (32 KiB job stacks).
 */
int execute(ProvCtx *pctx, const acrypto::sched::Ref<acrypto::sched::Session> &s,
            ExecMode mode = ExecMode::Auto);

/**
 * Whether execute() would run `s` on the caller's thread: not bound, and with
 * inline-threshold = auto the scheduler's cost model prefers it for this caller
 * (pausable or blocking), or the input is at most the configured threshold.
 * Then the steps may point at caller memory (nothing outlives the call) and
 * copies are skipped.
 */
bool inline_preferred(ProvCtx *pctx, const acrypto::sched::Session &s);
/// Whether this caller can pause: it runs in an ASYNC_JOB that has a wait ctx.
bool caller_can_pause() noexcept;
/// The same answer for a caller that can pause (`paused`) or one that cannot, whoever calls.
bool inline_preferred_for(ProvCtx *pctx, const acrypto::sched::Session &s, bool paused);

/// Run `s` inline now. ACRYPTO_E_UNSUPPORTED (session re-armed) when no inline
/// device can: rebuild it with session-owned buffers and call execute(..., Offload).
int run_inline_now(ProvCtx *pctx, acrypto::sched::Session &s);

/**
 * The one-step session an operation context reuses for its inline runs: re-armed
 * call after call, so the inline path allocates nothing, takes no pool and wipes
 * only what it used; the key reference is taken once. Work that is offloaded
 * gets a fresh session (the scheduler may hold one past its completion). A copy
 * starts empty (dupctx never shares it). Wiped when the context goes.
 */
class InlineSession {
  public:
    InlineSession() = default;
    InlineSession(const InlineSession &) {}
    // Assignment keeps this context's own session: nothing is read from the other side.
    InlineSession &operator=(const InlineSession &) { // NOLINT(bugprone-unhandled-self-assignment)
        return *this;
    }
    ~InlineSession();

    /// The session ready for a new run: step 0 zeroed, options applied, `key`
    /// (may be null) on step 0. nullptr when it cannot be made.
    acrypto::sched::Session *arm(const OpOptions &opts,
                                 const acrypto::sched::Ref<acrypto::sched::Key> &key);

  private:
    /// A session (and key) of a scheduler abandoned at fork(): wiped and leaked, never freed.
    void abandon() noexcept;

    acrypto::sched::Ref<acrypto::sched::Session> s_;
    const acrypto::sched::Key *held_ = nullptr;
    uint64_t generation_ = 0; ///< fork generation s_ was made in
};

} // namespace acrypto::prov
