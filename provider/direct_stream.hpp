// SPDX-License-Identifier: Apache-2.0
// DirectStream: a ChaCha20 context's direct path, its own keyed default-provider context.
#pragma once

#include <cstddef>
#include <cstdint>

#include "acrypto/ossl/impl.hpp"
#include "acrypto/sched/scheduler.hpp"
#include "acrypto/session.h"

#include "inline_kernel.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov {

/**
 * ChaCha20's direct path. While a stream's updates are ones the context's bound kernel
 * would run on the caller's thread (only software devices configured), they run in the
 * context's own keyed default-provider ChaCha20 context, the same library code the kernel
 * runs. Per update only the buffers and the size class are checked, against the classes
 * the cost model kept on this thread when last asked (rearm), which is again every
 * kRecheckEvery updates and whenever the answer is no. The stream's position then
 * lives here: the context's IV (its block counter) and `num` are brought up to date
 * from the bytes run (sync) before anything else reads or moves them, and the stream
 * leaves the path (leave) before any other path runs it. A copy starts empty.
 */
class DirectStream {
  public:
    DirectStream() = default;
    DirectStream(const DirectStream &) {}
    DirectStream &operator=(const DirectStream &) = delete;
    ~DirectStream() = default;

    /// Whether the stream's position lives here.
    bool owns() const noexcept { return owns_; }

    /**
     * Take the stream over at `iv` (its block counter and nonce; see sync) with
     * `num` keystream bytes of its block used, keying the context when `key` or `enc`
     * differs from the last. False, with nothing taken, when the library's context cannot
     * be had (not asked again until drop()).
     */
    bool enter(ProvCtx *pctx, const acrypto_key &key, bool enc, const uint8_t *iv, uint32_t num);

    /// Updates between two questions to the cost model.
    static constexpr uint32_t kRecheckEvery = InlineKernel::kRecheckEvery;

    /// The cost model's answer: these size classes stay on this thread for the next
    /// kRecheckEvery updates. The per-update check takes the run of classes from the
    /// smallest up as one longest length (an update in a class past a gap takes the
    /// slow path, which asks the model and runs it here all the same).
    void rearm(uint32_t classes) noexcept {
        limit_ = owns_ ? InlineKernel::longest_taken(classes) : 0;
        left_ = kRecheckEvery;
    }
    /// Ask the cost model again at the next update (the context's options changed).
    void ask_again() noexcept {
        left_ = 0;
        limit_ = 0;
    }
    /// Whether a nonzero update of `len` bytes may run here without asking again (zero
    /// never does): the stream is on the path, its size was kept here at the last
    /// question, and that answer is not due again. One comparison.
    bool wants(size_t len) const noexcept { return len - 1 < limit_; }

    /// Run `len` bytes from `in` to `out` (the same or disjoint), `*outl` set. False on a
    /// library failure: then failed().
    bool run(uint8_t *out, size_t *outl, const uint8_t *in, size_t len) noexcept {
        if (!ctx_.update(out, outl, in, len) || *outl != len) [[unlikely]]
            return false;
        bytes_ += len;
        if (--left_ == 0) limit_ = 0;
        return true;
    }
    /// After a failed run: leave with `iv`/`num` where the stream was before it; the
    /// library's context, whose position is unknown, is keyed afresh next time.
    [[gnu::cold]] void failed(uint8_t *iv, uint32_t *num) noexcept;

    /// Bring `iv` and `num` (the ones entered with) up to date, staying on the path, as the
    /// library moves its position on (ossl::chacha20_advance) and so do the other paths.
    void sync(uint8_t *iv, uint32_t *num) noexcept;
    /// The same, then leave the path: another path runs the stream next.
    void leave(uint8_t *iv, uint32_t *num) noexcept {
        sync(iv, num);
        owns_ = false;
        left_ = 0;
        limit_ = 0;
    }
    /// A new IV or key: the position here no longer counts (the keyed context stays).
    void drop() noexcept {
        owns_ = false;
        left_ = 0;
        limit_ = 0;
        refused_ = false;
    }

  private:
    ossl::CipherCtx ctx_;
    uint64_t key_id_ = 0; ///< acrypto_key::id ctx_ is keyed with (0: none)
    bool enc_ = true;
    bool owns_ = false;
    bool refused_ = false;
    uint64_t bytes_ = 0; ///< bytes run since the stream was entered or last synced
    /// Longest update that runs here without asking (rearm); 0 off the path or when due.
    size_t limit_ = 0;
    uint32_t left_ = 0; ///< updates before asking the cost model again
};

} // namespace acrypto::prov
