// SPDX-License-Identifier: Apache-2.0
// InlineKernel: bind once, then inline runs without sessions when the cost model agrees.
#include "inline_kernel.hpp"

#include "execute.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

namespace {

using acrypto::sched::InlineCaller;
using acrypto::sched::Kernel;

/// Whether the cost model (or the static inline-threshold) keeps `len` bytes on
/// this caller's thread. The caller kind is only looked up when it matters.
inline bool kernel_wanted(const ProvCtx *pctx, const Kernel &k, size_t len) noexcept {
    const Settings &st = pctx->settings;
    if (!st.inline_auto) return st.inline_threshold != 0 && len <= st.inline_threshold;
    const uint32_t c = Kernel::size_class(len);
    const uint32_t blocking = k.inline_classes(InlineCaller::Blocking);
    const uint32_t paused = k.inline_classes(InlineCaller::Paused);
    if (((blocking & paused) >> c) & 1u) return true;
    if (!(((blocking | paused) >> c) & 1u)) return false;
    return (((caller_can_pause() ? paused : blocking) >> c) & 1u) != 0;
}

} // namespace

void InlineKernel::reset() noexcept {
    if (k_ && generation_ != fork_generation())
        k_.abandon(); // bound under a scheduler abandoned at fork()
    k_.reset();
    refused_ = false;
}

int InlineKernel::run(ProvCtx *pctx, const OpOptions &opts, const uint8_t *src, uint8_t *dst,
                      size_t len, uint8_t *iv, uint32_t *num) noexcept {
    if (!k_ || len > k_.max_len() || opts.device[0] != '\0') return ACRYPTO_E_UNSUPPORTED;
    if (generation_ != fork_generation()) {
        k_.abandon();
        return ACRYPTO_E_UNSUPPORTED;
    }
    if (!kernel_wanted(pctx, k_, len)) return ACRYPTO_E_UNSUPPORTED;
    const int rc = k_.run(src, dst, len, iv, num);
    if (rc == ACRYPTO_E_UNSUPPORTED) k_.reset(); // stale: a device changed; bind again later
    return rc;
}

int InlineKernel::run_aead(ProvCtx *pctx, const OpOptions &opts, const uint8_t *iv, size_t iv_len,
                           const uint8_t *aad, size_t aad_len, const uint8_t *src, uint8_t *dst,
                           size_t len, uint8_t *tag, size_t tag_len) noexcept {
    if (!k_ || len > k_.max_len() || opts.device[0] != '\0') return ACRYPTO_E_UNSUPPORTED;
    if (generation_ != fork_generation()) {
        k_.abandon();
        return ACRYPTO_E_UNSUPPORTED;
    }
    if (!kernel_wanted(pctx, k_, len)) return ACRYPTO_E_UNSUPPORTED;
    const int rc = k_.run_aead(iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
    if (rc == ACRYPTO_E_UNSUPPORTED) k_.reset(); // stale, or another IV length: bind again later
    return rc;
}

void InlineKernel::bind_after_inline(ProvCtx *pctx, const OpOptions &opts,
                                     const acrypto_step &shape) noexcept {
    if (k_ || refused_ || opts.device[0] != '\0') return;
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) return;
    try {
        auto r = sc->bind_kernel(shape);
        if (!r) {
            refused_ = true;
            return;
        }
        k_ = std::move(r.value());
        generation_ = fork_generation();
    } catch (...) {
        refused_ = true;
    }
}

} // namespace acrypto::prov
