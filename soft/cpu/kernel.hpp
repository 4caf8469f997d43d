// SPDX-License-Identifier: Apache-2.0
// The cpu device's inline kernels (acrypto_kernel): AES ECB/CBC/CTR/XTS, ChaCha20, AES-GCM
// and ChaCha20-Poly1305 on a context keyed once, run on the caller's thread with no session.
#pragma once

#include <atomic>
#include <memory>

#include "acrypto/device.h"
#include "family.hpp"

namespace acrypto::soft::cpu {

/// Counts of kernel runs, shared by the device (stats) and its kernels (which
/// may outlive it); each kernel adds its runs in batches.
struct KernelCounts {
    std::atomic<uint64_t> runs{0};
    std::atomic<uint64_t> bytes{0};
};

/**
 * Bind a kernel for `shape` over `lib`, which it keeps alive: AES ECB, CBC, CTR or
 * XTS and ChaCha20 (run_fn) and AES-GCM or ChaCha20-Poly1305 (aead_fn, for the shape's IV length),
 * either direction, every key size. ACRYPTO_E_UNSUPPORTED for any other shape.
 */
int bind_kernel(const std::shared_ptr<CryptoLib> &lib, const std::shared_ptr<KernelCounts> &counts,
                const acrypto_step &shape, acrypto_kernel &out);

} // namespace acrypto::soft::cpu
