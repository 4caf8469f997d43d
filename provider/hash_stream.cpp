// SPDX-License-Identifier: Apache-2.0
// HashStream: buffering, partial chunks and the final step of digests and HMAC.
#include "hash_stream.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <strings.h>

#include <algorithm>
#include <cstring>

#include "acrypto/sched/scheduler.hpp"
#include "execute.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

using acrypto::sched::Ref;
using acrypto::sched::Session;

const HashInfo kHashInfos[5] = {
    {ACRYPTO_ALG_SHA1, 20, 64, "SHA1:SHA-1:SSL3-SHA1:1.3.14.3.2.26"},
    {ACRYPTO_ALG_SHA224, 28, 64, "SHA2-224:SHA-224:SHA224:2.16.840.1.101.3.4.2.4"},
    {ACRYPTO_ALG_SHA256, 32, 64, "SHA2-256:SHA-256:SHA256:2.16.840.1.101.3.4.2.1"},
    {ACRYPTO_ALG_SHA384, 48, 128, "SHA2-384:SHA-384:SHA384:2.16.840.1.101.3.4.2.2"},
    {ACRYPTO_ALG_SHA512, 64, 128, "SHA2-512:SHA-512:SHA512:2.16.840.1.101.3.4.2.3"},
};

const HashInfo *find_hash(const char *name) {
    if (name == nullptr) return nullptr;
    size_t want = std::strlen(name);
    for (const HashInfo &h : kHashInfos) {
        const char *p = h.names;
        while (*p != '\0') {
            const char *end = std::strchr(p, ':');
            size_t n = end != nullptr ? static_cast<size_t>(end - p) : std::strlen(p);
            if (n == want && strncasecmp(p, name, n) == 0) return &h;
            p += n;
            if (*p == ':') ++p;
        }
    }
    return nullptr;
}

HashStream::~HashStream() {
    if (buf_ != nullptr) {
        explicit_bzero(buf_, dirty_); // only what was written: no pass over the spare room
        OPENSSL_free(buf_);
    }
    if (state_written_) OPENSSL_cleanse(state_, sizeof state_);
    if (direct_ != nullptr) direct_fns_.freectx(direct_);      // cleanses the digest state
    if (direct_mac_ != nullptr) mac_fns_.freectx(direct_mac_); // cleanses the key
}

void HashStream::reset(const HashInfo *info, uint32_t op, uint32_t mode,
                       const Ref<acrypto::sched::Key> &key) {
    info_ = info;
    op_ = op;
    mode_ = mode;
    if (key_.get() != key.get()) key_ = key; // the same key (each HMAC message's): no count change
    len_ = 0;
    started_ = false;
    accumulate_ = false;
    state_len_ = 0;
    path_ = Path::Undecided;
}

bool HashStream::clear_for_reuse() {
    if (buf_ != nullptr || key_ || state_written_ || direct_mac_ != nullptr) return false;
    if (direct_ != nullptr) {
        direct_fresh_ = false;
        if (direct_fns_.init(direct_, nullptr) != 1) return false;
        direct_fresh_ = true; // the next message's start_direct need not initialise it again
    }
    reset(nullptr, 0, 0, {});
    return true;
}

namespace {

/// This thread's last cost-model answers for a small message computed directly: a
/// context is often made per message (EVP_Digest, one HMAC per TLS record), so the answers
/// are reused, and asked again after kDirectRecheck uses. The answers for a caller that can
/// pause and for one that cannot are asked together; while they agree, which kind of
/// caller this is need not be asked.
constexpr uint32_t kDirectRecheck = 256;
thread_local DirectMemo t_direct_memo;

} // namespace

bool HashStream::direct_preferred(ProvCtx *pctx, const OpOptions &opts, size_t pending) {
    const uint32_t cls = acrypto::sched::Kernel::size_class(pending);
    const DirectMemo &pm = memo_;
    if (pm.keep_blocking == pm.keep_paused &&
        pm.answers(pctx->serial, fork_generation(), info_->alg, op_, cls)) [[likely]] {
        --memo_.left;
        return pm.keep_blocking;
    }
    return direct_preferred_slow(pctx, opts, pending, cls);
}

bool HashStream::direct_preferred_slow(ProvCtx *pctx, const OpOptions &opts, size_t pending,
                                       uint32_t cls) {
    const uint64_t generation = fork_generation();
    DirectMemo &pm = memo_;
    if (!pm.answers(pctx->serial, generation, info_->alg, op_, cls)) {
        DirectMemo &m = t_direct_memo;
        if (!m.answers(pctx->serial, generation, info_->alg, op_, cls)) {
            Session *s = inl_.arm(opts, key_);
            if (s == nullptr) return false;
            fill_step(s->step(0), pending, true);
            const bool blocking = inline_preferred_for(pctx, *s, false);
            const bool paused = inline_preferred_for(pctx, *s, true);
            s->step(0) = acrypto_step{};
            m = DirectMemo{pctx->serial, generation,     info_->alg, op_,
                           cls,          kDirectRecheck, blocking,   paused};
        }
        pm = m; // the stream takes the thread's answers with the uses they had left
        --m.left;
    }
    --pm.left;
    if (pm.keep_blocking == pm.keep_paused) return pm.keep_blocking;
    return caller_can_pause() ? pm.keep_paused : pm.keep_blocking;
}

void HashStream::choose(ProvCtx *pctx, const OpOptions &opts, size_t pending) {
    path_ = Path::Sessions;
    const bool hmac = op_ == ACRYPTO_OP_MAC && mode_ == ACRYPTO_MODE_HMAC && key_;
    if ((op_ != ACRYPTO_OP_DIGEST && !hmac) || !pctx->only_software_devices ||
        opts.device[0] != '\0' || started_ || accumulate_)
        return;
    if (!direct_preferred(pctx, opts, pending) || !start_direct(pctx)) return;
    if (len_ != 0 && direct_update(buf_, len_) != ACRYPTO_OK) return;
    len_ = 0;
    path_ = Path::Direct;
}

bool HashStream::start_direct(ProvCtx *pctx) {
    const auto index = static_cast<size_t>(info_ - kHashInfos);
    if (op_ == ACRYPTO_OP_DIGEST) {
        // A context kept for the next message already holds this variant's state, initialised.
        if (direct_ != nullptr && direct_serial_ == pctx->serial && direct_fresh_) {
            direct_fresh_ = false;
            return true;
        }
        const DirectDigestFns *f = direct_digest_fns(pctx, index);
        if (f == nullptr) return false;
        if (direct_ != nullptr && direct_fns_.newctx != f->newctx) {
            direct_fns_.freectx(direct_);
            direct_ = nullptr;
        }
        direct_fresh_ = false;
        if (direct_ == nullptr) {
            if ((direct_ = f->newctx(f->provctx)) == nullptr) return false;
            direct_fns_ = *f;
        }
        direct_serial_ = pctx->serial;
        return direct_fns_.init(direct_, nullptr) == 1;
    }
    const acrypto_key &k = key_->c();
    if (k.data == nullptr || k.len == 0) return false; // empty keys stay on sessions
    // Same digest as the context's last HMAC: the same key restarts without re-keying
    // (key ids are never reused); another key is set, with no digest fetch.
    if (direct_mac_ != nullptr && direct_mac_info_ == info_) {
        if (direct_mac_key_id_ == k.id && k.id != 0)
            return mac_fns_.init(direct_mac_, nullptr, 0, nullptr) == 1;
        direct_mac_key_id_ = 0;
        if (mac_fns_.init(direct_mac_, k.data, k.len, nullptr) != 1) return false;
        direct_mac_key_id_ = k.id;
        return true;
    }
    // A copy of the provider context's keyed template for this digest, keyed afresh: no
    // digest fetch. Without one the stream takes the session path.
    const DirectMacFns *f = direct_mac_fns(pctx);
    void *tmpl = f != nullptr ? direct_mac_template(pctx, index) : nullptr;
    if (tmpl == nullptr) return false;
    if (direct_mac_ != nullptr) mac_fns_.freectx(direct_mac_);
    direct_mac_info_ = nullptr;
    direct_mac_key_id_ = 0;
    mac_fns_ = *f;
    if ((direct_mac_ = f->dupctx(tmpl)) == nullptr) return false;
    if (mac_fns_.init(direct_mac_, k.data, k.len, nullptr) != 1) return false;
    direct_mac_info_ = info_;
    direct_mac_key_id_ = k.id;
    return true;
}

bool HashStream::resume_direct(ProvCtx *pctx, const OpOptions &opts, size_t pending) noexcept {
    // The memo is filled only where choose() asked the model: a provider instance with only
    // software devices, for this kind of step. Nothing is started or accumulated since
    // reset(), and len_ is 0.
    const DirectMemo &m = memo_;
    if (len_ != 0 || opts.device[0] != '\0' || !m.keep_blocking || !m.keep_paused ||
        !m.answers(pctx->serial, fork_generation(), info_->alg, op_,
                   acrypto::sched::Kernel::size_class(pending)))
        return false;
    if (op_ == ACRYPTO_OP_DIGEST) {
        // A state kept for the next message, initialised: a digest spare's of this instance.
        if (!direct_fresh_ || direct_serial_ != pctx->serial) return false;
        direct_fresh_ = false;
    } else {
        // The context's last HMAC state, keyed with this key: restarted without re-keying,
        // as start_direct() does.
        if (mode_ != ACRYPTO_MODE_HMAC || direct_mac_ == nullptr || direct_mac_info_ != info_ ||
            !key_ || key_->c().id == 0 || key_->c().id != direct_mac_key_id_ ||
            mac_fns_.init(direct_mac_, nullptr, 0, nullptr) != 1)
            return false;
    }
    --memo_.left;
    path_ = Path::Direct;
    return true;
}

bool HashStream::copy_from(const HashStream &o) {
    if (o.path_ == Path::Direct) {
        if (o.op_ == ACRYPTO_OP_DIGEST) {
            void *d = o.direct_fns_.dupctx(o.direct_);
            if (d == nullptr) return false;
            if (direct_ != nullptr) direct_fns_.freectx(direct_);
            direct_ = d;
            direct_fns_ = o.direct_fns_;
            direct_serial_ = o.direct_serial_;
            direct_fresh_ = false;
        } else {
            void *d = o.mac_fns_.dupctx(o.direct_mac_);
            if (d == nullptr) return false;
            if (direct_mac_ != nullptr) mac_fns_.freectx(direct_mac_);
            direct_mac_ = d;
            mac_fns_ = o.mac_fns_;
            direct_mac_info_ = o.direct_mac_info_;
            direct_mac_key_id_ = o.direct_mac_key_id_;
        }
        info_ = o.info_;
        op_ = o.op_;
        mode_ = o.mode_;
        key_ = o.key_;
        len_ = 0;
        started_ = false;
        accumulate_ = false;
        state_len_ = 0;
        path_ = Path::Direct;
        return true;
    }
    path_ = o.path_;
    info_ = o.info_;
    op_ = o.op_;
    mode_ = o.mode_;
    key_ = o.key_;
    len_ = 0;
    if (!reserve(o.len_)) return false;
    if (o.len_ != 0) std::memcpy(buf_, o.buf_, o.len_);
    len_ = o.len_;
    dirty_ = std::max(dirty_, len_);
    started_ = o.started_;
    accumulate_ = o.accumulate_;
    if (o.state_written_) {
        std::memcpy(state_, o.state_, sizeof state_);
        state_written_ = true;
    }
    state_len_ = o.state_len_;
    return true;
}

bool HashStream::reserve(size_t n) {
    if (n <= cap_) return true;
    size_t cap = cap_ == 0 ? 256 : cap_;
    while (cap < n) cap *= 2;
    auto *nb = static_cast<uint8_t *>(OPENSSL_malloc(cap));
    if (nb == nullptr) return false;
    if (len_ != 0) std::memcpy(nb, buf_, len_);
    if (buf_ != nullptr) {
        explicit_bzero(buf_, dirty_);
        OPENSSL_free(buf_);
    }
    buf_ = nb;
    cap_ = cap;
    dirty_ = len_;
    return true;
}

bool HashStream::append(const uint8_t *in, size_t len) {
    if (!reserve(len_ + len)) return false;
    std::memcpy(buf_ + len_, in, len);
    len_ += len;
    dirty_ = std::max(dirty_, len_);
    return true;
}

void HashStream::fill_step(acrypto_step &st, size_t len, bool final) const {
    st.op = op_;
    st.alg = info_->alg;
    st.mode = mode_;
    st.flags = (started_ ? 0u : uint32_t{ACRYPTO_STEP_F_FIRST}) |
               (final ? uint32_t{ACRYPTO_STEP_F_FINAL} : 0u);
    if (started_) {
        std::memcpy(st.state, state_, sizeof state_);
        st.state_len = state_len_;
    }
    st.src_len = len;
}

int HashStream::run(ProvCtx *pctx, const OpOptions &opts, const uint8_t *src, size_t len,
                    bool final, uint8_t *out) {
    const size_t md = info_->md_size;
    int status = ACRYPTO_E_UNSUPPORTED;
    acrypto_step *done = nullptr;
    Ref<Session> fresh;
    // Inline: the stream's own session on the caller's memory (nothing outlives this call).
    Session *s = inl_.arm(opts, key_);
    if (s == nullptr) return ACRYPTO_E_NOMEM;
    acrypto_step &ist = s->step(0);
    fill_step(ist, len, final);
    ist.src = src;
    ist.dst = final ? out : nullptr;
    ist.dst_len = final ? md : 0;
    if (inline_preferred(pctx, *s)) {
        status = run_inline_now(pctx, *s);
        done = &ist;
    }
    if (status == ACRYPTO_E_UNSUPPORTED) {
        // Offloaded: a fresh session owning a copy of the input.
        fresh = Session::make(1, len + md + 64);
        if (!fresh) return ACRYPTO_E_NOMEM;
        apply_options(opts, *fresh);
        acrypto_step &st = fresh->step(0);
        fill_step(st, len, final);
        if (key_) fresh->set_key(0, key_);
        uint8_t *mem = fresh->alloc(len + md);
        if (mem == nullptr) return ACRYPTO_E_NOMEM;
        if (len != 0) std::memcpy(mem, src, len);
        st.src = mem;
        st.dst = final ? mem + len : nullptr;
        st.dst_len = final ? md : 0;
        status = execute(pctx, fresh, ExecMode::Offload);
        if (status == ACRYPTO_OK && final) std::memcpy(out, st.dst, md);
        done = &st;
    }
    if (status == ACRYPTO_OK && !final) {
        std::memcpy(state_, done->state, sizeof state_);
        state_written_ = true;
        state_len_ = done->state_len;
        started_ = true;
    }
    return status;
}

int HashStream::update(ProvCtx *pctx, const OpOptions &opts, const uint8_t *in, size_t len) {
    if (info_ == nullptr) return ACRYPTO_E_INVALID;
    if (path_ == Path::Undecided) choose(pctx, opts, len_ + len);
    if (path_ == Path::Direct) return direct_update(in, len);
    const size_t bs = info_->block_size;
    while (len != 0) {
        // Small updates gather in the buffer (many tiny ones make one session).
        if (accumulate_ || (len < kDirect && len_ + len <= kChunk))
            return append(in, len) ? ACRYPTO_OK : ACRYPTO_E_NOMEM;
        if (len_ != 0) {
            // Send the buffer first: filled to kChunk, or for a large update only
            // to the next block boundary (the rest goes direct).
            const size_t room = len < kDirect ? kChunk - len_ : (bs - len_ % bs) % bs;
            const size_t take = std::min(len, room);
            if (!append(in, take)) return ACRYPTO_E_NOMEM;
            in += take;
            len -= take;
            int st = run(pctx, opts, buf_, len_, false, nullptr);
            if (st == ACRYPTO_E_UNSUPPORTED && !started_) {
                accumulate_ = true; // no device continues a message: one step at final
                continue;
            }
            if (st != ACRYPTO_OK) return st;
            len_ = 0;
            continue;
        }
        // A large update: whole blocks straight from the caller's memory; the
        // tail (less than a block) is buffered on the next turn.
        const size_t whole = len - len % bs;
        int st = run(pctx, opts, in, whole, false, nullptr);
        if (st == ACRYPTO_E_UNSUPPORTED && !started_) {
            accumulate_ = true;
            continue;
        }
        if (st != ACRYPTO_OK) return st;
        in += whole;
        len -= whole;
    }
    return ACRYPTO_OK;
}

int HashStream::final(ProvCtx *pctx, const OpOptions &opts, uint8_t *out) {
    if (info_ == nullptr) return ACRYPTO_E_INVALID;
    if (path_ == Path::Undecided) choose(pctx, opts, len_);
    if (path_ == Path::Direct) {
        size_t n = 0;
        int ok = 0;
        if (op_ == ACRYPTO_OP_DIGEST) {
            ok = direct_fns_.final(direct_, out, &n, info_->md_size);
        } else {
            ok = mac_fns_.final(direct_mac_, out, &n, info_->md_size);
        }
        path_ = Path::Undecided;
        pctx->counts->add(Count::DigestDirect);
        return ok == 1 && n == info_->md_size ? ACRYPTO_OK : ACRYPTO_E_INTERNAL;
    }
    int st = run(pctx, opts, buf_, len_, true, out);
    len_ = 0;
    return st;
}

} // namespace acrypto::prov
