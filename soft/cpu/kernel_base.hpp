// SPDX-License-Identifier: Apache-2.0
// What every cpu inline kernel holds (kernel.cpp, kernel_plain.cpp): the library
// context its cipher came from, kept alive, and its runs counted in batches.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include "acrypto/device.h"
#include "kernel.hpp"

namespace acrypto::soft::cpu {

/// Runs a kernel keeps to itself before adding them to the shared counts.
inline constexpr uint32_t kKernelCountEvery = 256;

struct KernelBase {
    std::shared_ptr<CryptoLib> lib;
    std::shared_ptr<KernelCounts> counts;
    EVP_CIPHER *cipher = nullptr;
    uint32_t mode = 0; ///< enum acrypto_mode
    bool enc = true;
    uint32_t runs = 0;
    uint64_t bytes = 0;

    void count(size_t len) noexcept {
        bytes += len;
        if (++runs >= kKernelCountEvery) flush();
    }
    void flush() noexcept {
        counts->runs.fetch_add(runs, std::memory_order_relaxed);
        counts->bytes.fetch_add(bytes, std::memory_order_relaxed);
        runs = 0;
        bytes = 0;
    }
};

/// `len` bytes at `src` and `dst` share memory without being the same bytes (in
/// place is fine; a partial overlap would read what the run already wrote).
inline bool partly_overlaps(const uint8_t *src, const uint8_t *dst, size_t len) noexcept {
    return src != dst && (src < dst ? src + len > dst : dst + len > src);
}

/// A new kernel state of type K (a KernelBase) for `shape`: library, counts, mode
/// and direction set. nullptr when out of memory.
template <typename K>
K *new_kernel(const std::shared_ptr<CryptoLib> &lib, const std::shared_ptr<KernelCounts> &counts,
              const acrypto_step &shape) {
    auto *k = new (std::nothrow) K;
    if (!k) return nullptr;
    k->lib = lib;
    k->counts = counts;
    k->mode = shape.mode;
    k->enc = shape.dir == ACRYPTO_DIR_ENCRYPT;
    return k;
}

/// The kernel table for `state` (the caller sets run_fn or aead_fn).
inline acrypto_kernel kernel_table(void *state, void (*release)(void *), uint64_t max_len) {
    acrypto_kernel k{};
    k.struct_size = sizeof(acrypto_kernel);
    k.max_len = max_len;
    k.release_fn = release;
    k.state = state;
    return k;
}

/// AES-XTS (one data unit per run, the tweak in `iv`, left as it is), ChaCha20
/// (a stream: `iv` is counter || nonce and `num` the keystream bytes used of the
/// current block, both advanced) and DES/3DES ECB/CBC (whole 8-byte blocks; CBC
/// chains through iv[0..7]) kernels: one EVP context keyed at bind.
/// ACRYPTO_E_UNSUPPORTED for any other shape.
int bind_plain_kernel(const std::shared_ptr<CryptoLib> &lib,
                      const std::shared_ptr<KernelCounts> &counts, const acrypto_step &shape,
                      acrypto_kernel &out);

} // namespace acrypto::soft::cpu
