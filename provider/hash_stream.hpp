// SPDX-License-Identifier: Apache-2.0
// HashStream: buffered digest/HMAC message state shared by the digest and MAC operations.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>

#include "acrypto/sched/ref.hpp"
#include "acrypto/sched/session.hpp"
#include "direct_digest.hpp"
#include "errors.hpp"
#include "execute.hpp"
#include "op_params.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov {

/// What one SHA variant is.
struct HashInfo {
    uint32_t alg;      ///< enum acrypto_alg
    size_t md_size;    ///< output bytes
    size_t block_size; ///< compression block bytes
    const char *names; ///< OSSL_ALGORITHM names
};

/// The SHA variants acrypto registers (SHA-1, SHA-224/256/384/512).
extern const HashInfo kHashInfos[5];
/// Find a variant by any of its names (case-insensitive), nullptr if unknown.
const HashInfo *find_hash(const char *name);

/**
 * The cost model's answers for a message computed directly, for one provider instance
 * (`serial`), fork generation, kind of step and size class: whether it keeps such a
 * message on a caller's thread that cannot pause and on one that can. Used `left` more
 * times before it is asked again.
 */
struct DirectMemo {
    uint64_t serial = 0;
    uint64_t generation = 0;
    uint32_t alg = 0, op = 0, size_class = 0;
    uint32_t left = 0;
    bool keep_blocking = false;
    bool keep_paused = false;

    /// Whether these answers still stand for that message.
    bool answers(uint64_t s, uint64_t g, uint32_t a, uint32_t o, uint32_t c) const noexcept {
        return left != 0 && serial == s && generation == g && alg == a && op == o &&
               size_class == c;
    }
};

/**
 * Message state of one digest or HMAC computation. Small updates only copy into
 * a buffer; once `kChunk` bytes are buffered they go to a device as a partial
 * (ACRYPTO_STEP_F_FIRST / no FINAL) step when one supports continuation. An
 * update of at least `kDirect` bytes sends its whole blocks straight from the
 * caller's memory (no staging copy: inline work reads it in place, offloaded
 * work copies it once into the session); only its tail is buffered. When no
 * device continues a message, it accumulates and runs in one step at final().
 *
 * A digest or HMAC on a context bound to no device, with only software devices configured
 * (`cpu`, `mb`), asks the scheduler's cost model once, for the size of its first data (the
 * first update, or the whole message at final): when it keeps that size on the caller's
 * thread, the stream is computed there by the default provider's digest, incrementally, for
 * the rest of the message (no session, no buffering, no pass over earlier bytes at each
 * final: a TLS transcript hash is copied and finished several times per handshake). Only
 * otherwise (a caller that pauses, at a size the `mb` lanes win) do sessions carry it.
 */
class HashStream {
  public:
    static constexpr size_t kChunk = 16384;
    /// Updates from this size go to a device directly (whole blocks).
    static constexpr size_t kDirect = 4096;

    HashStream() = default;
    ~HashStream();
    HashStream(const HashStream &) = delete;
    HashStream &operator=(const HashStream &) = delete;

    /// Start a message. `op`/`mode`: DIGEST/NONE or MAC/HMAC with `key`.
    void reset(const HashInfo *info, uint32_t op, uint32_t mode,
               const acrypto::sched::Ref<acrypto::sched::Key> &key);
    /// Copy of `o` (EVP_MD_CTX_copy, EVP_MAC_CTX_dup). False on allocation failure.
    bool copy_from(const HashStream &o);
    /// Absorb bytes. Returns an acrypto_status.
    int update(ProvCtx *pctx, const OpOptions &opts, const uint8_t *in, size_t len);
    /**
     * update() when nothing but the direct path's own call is needed: the stream is on that
     * path, or a state kept for the next message (a digest spare's, an HMAC context's
     * keyed one) starts this message there on the stream's own copy of the cost model's
     * answer. ACRYPTO_E_UNSUPPORTED, with nothing done, otherwise: then update().
     */
    int update_direct(ProvCtx *pctx, const OpOptions &opts, const uint8_t *in, size_t len) {
        if (path_ != Path::Direct &&
            (path_ != Path::Undecided || !resume_direct(pctx, opts, len_ + len)))
            return ACRYPTO_E_UNSUPPORTED;
        return direct_update(in, len);
    }
    /// Finish into `out` (md_size bytes). Returns an acrypto_status.
    int final(ProvCtx *pctx, const OpOptions &opts, uint8_t *out);
    const HashInfo *info() const noexcept { return info_; }
    /// Forget the message so that the stream can serve another context: the direct state is
    /// re-initialised (which wipes it). False, with nothing changed, when the stream holds
    /// buffered bytes, a key or a device's state: such a stream is freed instead.
    bool clear_for_reuse();

  private:
    enum class Path : uint8_t { Undecided, Direct, Sessions };

    /// Choose the message's path once, before its first `pending` bytes are computed.
    void choose(ProvCtx *pctx, const OpOptions &opts, size_t pending);
    /// Whether the cost model keeps a `pending`-byte message on this thread (memoised per thread).
    bool direct_preferred(ProvCtx *pctx, const OpOptions &opts, size_t pending);
    /// direct_preferred when the stream's memo does not answer (or the caller's kind decides).
    [[gnu::noinline]] bool direct_preferred_slow(ProvCtx *pctx, const OpOptions &opts,
                                                 size_t pending, uint32_t size_class);
    int run(ProvCtx *pctx, const OpOptions &opts, const uint8_t *src, size_t len, bool final,
            uint8_t *out);
    void fill_step(acrypto_step &st, size_t len, bool final) const;
    bool reserve(size_t n);
    bool append(const uint8_t *in, size_t len);

    const HashInfo *info_ = nullptr;
    uint32_t op_ = 0;
    uint32_t mode_ = 0;
    acrypto::sched::Ref<acrypto::sched::Key> key_;
    uint8_t *buf_ = nullptr;
    size_t len_ = 0;
    size_t cap_ = 0;
    size_t dirty_ = 0;        ///< bytes of buf_ ever written (wiped on destruction)
    bool started_ = false;    ///< a partial chunk went to a device
    bool accumulate_ = false; ///< no device continues a message: keep it all
    uint8_t state_[ACRYPTO_MAX_STATE] = {};
    uint64_t state_len_ = 0;
    bool state_written_ = false; ///< state_ ever held a device's state (wiped on destruction)
    InlineSession inl_;          ///< reused for inline runs
    Path path_ = Path::Undecided;
    /// The stream's own copy of the cost model's last answer (see direct_preferred): a
    /// context that serves one message after another (a digest spare kept by EVP_Digest's
    /// callers, a transcript hash) checks it without reaching this thread's memo.
    DirectMemo memo_;
    bool start_direct(ProvCtx *pctx);
    /// choose()'s answer for a kept direct state, with no buffered bytes, on the stream's
    /// memo alone: true (and on the direct path) when it says both kinds of caller keep a
    /// `pending`-byte message here; false when choose() must decide (which a failed HMAC
    /// restart leaves to it).
    bool resume_direct(ProvCtx *pctx, const OpOptions &opts, size_t pending) noexcept;
    int direct_update(const uint8_t *in, size_t len) {
        const int ok = op_ == ACRYPTO_OP_DIGEST ? direct_fns_.update(direct_, in, len)
                                                : mac_fns_.update(direct_mac_, in, len);
        return ok == 1 ? ACRYPTO_OK : ACRYPTO_E_INTERNAL;
    }

    void *direct_ = nullptr;                    ///< direct digest state (kept across resets)
    DirectDigestFns direct_fns_;                ///< the functions direct_ belongs to
    uint64_t direct_serial_ = 0;                ///< ProvCtx::serial direct_fns_ were found for
    bool direct_fresh_ = false;                 ///< direct_ is initialised and holds no data
    void *direct_mac_ = nullptr;                ///< direct HMAC state (kept across resets)
    DirectMacFns mac_fns_;                      ///< the functions direct_mac_ belongs to
    const HashInfo *direct_mac_info_ = nullptr; ///< digest direct_mac_ was set up with
    uint64_t direct_mac_key_id_ = 0;            ///< key id direct_mac_ is keyed with (0: none)
};

/**
 * A digest or HMAC context's update (`c`: pctx, opts, stream, initialized): the direct
 * path's own call when it takes the update (HashStream::update_direct), its failure raised
 * as `what`; every other update goes to `slow(c, in, inl)`.
 */
template <typename Ctx, typename Slow>
int hash_update(Ctx *c, const unsigned char *in, size_t inl, const char *what, Slow slow) {
    if (c->initialized && in != nullptr && inl != 0) [[likely]] {
        const int st = c->stream.update_direct(c->pctx, c->opts, in, inl);
        if (st == ACRYPTO_OK) [[likely]]
            return 1;
        if (st != ACRYPTO_E_UNSUPPORTED) {
            raise_status(c->pctx, st, what);
            return 0;
        }
    }
    return slow(c, in, inl);
}

} // namespace acrypto::prov
