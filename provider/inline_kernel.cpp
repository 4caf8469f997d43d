// SPDX-License-Identifier: Apache-2.0
// InlineKernel: bind once, then inline runs without sessions when the cost model agrees.
#include "inline_kernel.hpp"

#include "execute.hpp"
#include "provider_state.hpp"

namespace acrypto::prov {

void InlineKernel::reset() noexcept {
    if (k_ && generation_ != fork_generation())
        k_.abandon(); // bound under a scheduler abandoned at fork()
    k_.reset();
    refused_ = false;
    armed_max_ = 0;
}

int InlineKernel::admit_and_arm(ProvCtx *pctx, const OpOptions &opts, size_t len) noexcept {
    const int a = admit(pctx, opts, len);
    if (a == ACRYPTO_OK) {
        armed_max_ = longest_taken(taken_classes(pctx, opts));
        armed_left_ = kRecheckEvery;
    }
    return a;
}

bool InlineKernel::wanted_by_caller(uint32_t blocking, uint32_t paused, uint32_t c) noexcept {
    return (((caller_can_pause() ? paused : blocking) >> c) & 1u) != 0;
}

uint32_t InlineKernel::taken_classes(ProvCtx *pctx, const OpOptions &opts) noexcept {
    using acrypto::sched::Kernel;
    if (!k_ || opts.device[0] != '\0' || generation_ != fork_generation()) return 0;
    const Settings &st = pctx->settings;
    const uint32_t model =
        st.inline_auto
            ? k_.inline_classes(caller_can_pause() ? acrypto::sched::InlineCaller::Paused
                                                   : acrypto::sched::InlineCaller::Blocking)
            : ~0u;
    uint32_t bits = 0;
    // The last class has no upper end: never wholly taken.
    for (uint32_t c = 0; c + 1 < Kernel::kSizeClasses; ++c) {
        const uint64_t top = (uint64_t{32} << c) - 1; // the class's longest length
        const bool below = st.inline_auto || top <= st.inline_threshold;
        if (top <= k_.max_len() && below && ((model >> c) & 1u) != 0) bits |= 1u << c;
    }
    return bits;
}

void InlineKernel::stale() noexcept {
    k_.reset();
    armed_max_ = 0;
}

int InlineKernel::forked() noexcept {
    k_.abandon();
    armed_max_ = 0;
    return ACRYPTO_E_UNSUPPORTED;
}

int InlineKernel::run_aead(ProvCtx *pctx, const OpOptions &opts, const uint8_t *iv, size_t iv_len,
                           const uint8_t *aad, size_t aad_len, const uint8_t *src, uint8_t *dst,
                           size_t len, uint8_t *tag, size_t tag_len) noexcept {
    if (!k_) return ACRYPTO_E_UNSUPPORTED; // an AEAD message may have no payload
    if (const int a = gate(pctx, opts, len); a != ACRYPTO_OK) return a;
    const int rc = k_.run_aead(iv, iv_len, aad, aad_len, src, dst, len, tag, tag_len);
    if (rc == ACRYPTO_E_UNSUPPORTED) stale(); // stale, or another IV length: bind again later
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
        armed_max_ = 0;
    } catch (...) {
        refused_ = true;
    }
}

} // namespace acrypto::prov
