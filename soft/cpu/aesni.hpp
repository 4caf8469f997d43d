// SPDX-License-Identifier: Apache-2.0
// AES ECB, CBC, CTR and XTS on the AES-NI instructions, for the cpu device's inline kernels:
// a short message costs a few dozen instructions instead of a second EVP layer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::soft::cpu::aesni {

/// Expanded round keys: `enc` for AESENC, `dec` (the equivalent inverse cipher,
/// AESIMC applied) for AESDEC. Wipe it with OPENSSL_cleanse when done.
struct Schedule {
    alignas(16) uint8_t enc[15][16];
    alignas(16) uint8_t dec[15][16];
    int rounds = 0; ///< 10, 12 or 14
};

/// Whether this CPU has AES-NI (and SSE4.1); checked once. Setting the
/// environment variable ACRYPTO_CPU_NO_AESNI (any value) answers false.
bool available() noexcept;

/// Expand a 16-, 24- or 32-byte key. False (nothing set) for any other length
/// or when !available().
bool expand(Schedule &s, const uint8_t *key, size_t key_len) noexcept;

/// `n` bytes (a block multiple) from `src` to `dst`, which are the same bytes or
/// disjoint.
void ecb(const Schedule &s, bool enc, const uint8_t *src, uint8_t *dst, size_t n) noexcept;

/// CBC over `n` bytes (a block multiple), chaining from `iv`, which is left
/// holding the last ciphertext block. `src` and `dst` as for ecb().
void cbc(const Schedule &s, bool enc, const uint8_t *src, uint8_t *dst, size_t n,
         uint8_t iv[16]) noexcept;

/// CTR over `n` bytes (any length) with the 128-bit big-endian counter block `iv`
/// and `num`, the bytes used of the current keystream block, as OpenSSL keeps
/// them: while `num` is not 0, `iv` already names the next block and the one in
/// use is E(iv - 1). Both are left where the stream stands.
void ctr(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n, uint8_t iv[16],
         uint32_t *num) noexcept;

/// The modes block_fn_for() chooses among.
enum class Mode { Ecb, Cbc, Ctr };

/**
 * ecb(), cbc() or ctr() for one key size, mode and direction, chosen once (a kernel's
 * every run skips the choice), with one signature: ECB reads neither `iv` nor `num`,
 * CBC not `num`; each expects what its function above does. CTR has one direction.
 * Returns 0 (ACRYPTO_OK), so that a kernel's run can end by jumping to it.
 */
using BlockFn = int (*)(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv,
                        uint32_t *num);
/// The BlockFn for `s` (an AES-NI key) in `mode` and direction; nullptr for another key size.
BlockFn block_fn_for(const Schedule &s, Mode mode, bool enc) noexcept;

/// XTS (IEEE 1619) over one data unit of `n` >= 16 bytes with ciphertext stealing:
/// `k1` the data key, `k2` the tweak key (same size), `tweak` the unit's 16-byte
/// tweak, not changed. `src` and `dst` as for ecb().
void xts(const Schedule &k1, const Schedule &k2, bool enc, const uint8_t *src, uint8_t *dst,
         size_t n, const uint8_t tweak[16]) noexcept;

/// xts() for one key size, chosen once (a kernel's every run skips the choice): it
/// expects `n` >= 16 and the key pair it was chosen for.
using XtsFn = void (*)(const Schedule &k1, const Schedule &k2, bool enc, const uint8_t *src,
                       uint8_t *dst, size_t n, const uint8_t *tweak);
/// The XtsFn for the key pair `k1`, `k2`; nullptr when they are not one AES-NI key size.
XtsFn xts_for(const Schedule &k1, const Schedule &k2) noexcept;

} // namespace acrypto::soft::cpu::aesni
