// SPDX-License-Identifier: Apache-2.0
// DirectStream: a ChaCha20 context's direct path, its own keyed default-provider context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
 *
 * Short updates take their keystream from a buffer of kKeystream bytes that the library's
 * context fills ahead of the stream in one call (its widest code path: a 16-byte update
 * would otherwise pay a whole 64-byte block's setup every fourth call, and a 64-byte one
 * every call). The library's position then runs ahead of the stream's, which is still
 * the bytes run (`bytes_`); leaving or dropping the path wipes the buffer, and entering
 * again sets the library's position afresh.
 */
class DirectStream {
  public:
    DirectStream() = default;
    DirectStream(const DirectStream &) {}
    DirectStream &operator=(const DirectStream &) = delete;
    ~DirectStream() { wipe(); }

    /// Keystream bytes made ahead of the stream in one call to the library (16 blocks, what
    /// its widest code path takes at once). Updates longer than kKeystream / 2 (past what
    /// the buffer has) run in the library directly: from there on making the keystream
    /// and XORing it costs more than the library's own call.
    static constexpr size_t kKeystream = 1024;

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
        if (len <= ks_left_) [[likely]] {
            xor_keystream(out, in, len);
            *outl = len;
        } else if (ks_left_ == 0 && len > kKeystream / 2) {
            if (!ctx_.update(out, outl, in, len) || *outl != len) [[unlikely]]
                return false;
        } else if (run_past_keystream(out, in, len)) {
            *outl = len;
        } else [[unlikely]] {
            return false;
        }
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
        wipe();
    }
    /// A new IV or key: the position here no longer counts (the keyed context stays).
    void drop() noexcept {
        owns_ = false;
        left_ = 0;
        limit_ = 0;
        refused_ = false;
        wipe();
    }

  private:
    struct Keystream {
        alignas(64) uint8_t bytes[kKeystream];
    };

    /// `len` <= ks_left_ bytes of `in` XORed with the next buffered keystream into `out`.
    void xor_keystream(uint8_t *out, const uint8_t *in, size_t len) noexcept {
        const uint8_t *k = ks_->bytes + (kKeystream - ks_left_);
        ks_left_ -= static_cast<uint32_t>(len);
        size_t i = 0;
#ifdef __SSE2__
        for (; i + 16 <= len; i += 16) {
            const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + i));
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(k + i));
            _mm_storeu_si128(reinterpret_cast<__m128i *>(out + i), _mm_xor_si128(a, b));
        }
#endif
        for (; i + 8 <= len; i += 8) {
            uint64_t a, b;
            std::memcpy(&a, in + i, 8);
            std::memcpy(&b, k + i, 8);
            a ^= b;
            std::memcpy(out + i, &a, 8);
        }
        for (; i < len; ++i) out[i] = static_cast<uint8_t>(in[i] ^ k[i]);
    }
    /// An update longer than the buffered keystream: in the library directly when none is
    /// buffered and it is longer than kKeystream / 2; else the buffered keystream first,
    /// then the rest the same way (the library, or a fresh buffer). Out of line, so that
    /// the short updates' path saves no registers for it.
    [[gnu::noinline]] bool run_past_keystream(uint8_t *out, const uint8_t *in, size_t len) noexcept;
    /// Wipe the buffer if it was filled since the last wipe; none is left.
    void wipe() noexcept;

    ossl::CipherCtx ctx_;
    uint64_t key_id_ = 0; ///< acrypto_key::id ctx_ is keyed with (0: none)
    bool enc_ = true;
    bool owns_ = false;
    bool refused_ = false;
    uint64_t bytes_ = 0; ///< bytes run since the stream was entered or last synced
    /// Longest update that runs here without asking (rearm); 0 off the path or when due.
    size_t limit_ = 0;
    uint32_t left_ = 0;             ///< updates before asking the cost model again
    uint32_t ks_left_ = 0;          ///< unused keystream bytes, the buffer's last ones
    bool ks_filled_ = false;        ///< the buffer holds keystream (wipe)
    std::unique_ptr<Keystream> ks_; ///< made when the stream is first entered
};

} // namespace acrypto::prov
