// SPDX-License-Identifier: Apache-2.0
// Translation between an acrypto step and intel-ipsec-mb jobs: plan, fill, finish.
#pragma once

#include <cstdint>

#include <intel-ipsec-mb.h>

#include "acrypto/session.h"
#include "acrypto/soft/mb/key_cache.hpp"

namespace acrypto::soft::mb {

/// The operations the mb device runs.
enum class OpKind : uint8_t { AesCbc, AesCtr, AesGcm, DesCbc, Des3Cbc, ChachaPoly, Hmac, Digest };

/// What a step asks for, resolved once at admission.
struct Plan {
    OpKind kind = OpKind::AesCbc;
    ScheduleKind schedule = ScheduleKind::Aes; ///< key material it needs (unused by Digest)
    bool encrypt = true;
    uint32_t hash_alg = 0;   ///< Hmac/Digest: enum acrypto_alg of the digest
    uint32_t digest_len = 0; ///< Hmac/Digest: bytes written to dst
    IMB_HASH_ALG imb_hash = IMB_AUTH_NULL;
};

/// Status plan_step returns for a step that needs no job (zero-length cipher
/// input): the caller completes it at once with ACRYPTO_OK.
inline constexpr int kNoWork = 1;

/// Validate `st` and resolve it. 0, kNoWork, or a negative acrypto_status
/// (UNSUPPORTED: not an mb operation; INVALID: bad lengths/sizes).
int plan_step(const acrypto_step &st, Plan *plan) noexcept;

/// Largest input one multi-buffer cipher job takes (the library keeps lane
/// lengths in 16 bits: AES-CBC encrypt 65520, DES/3DES 65528). Longer CBC
/// inputs run as a chain of jobs of this size, each started when the last ended.
inline constexpr uint64_t kCbcChunk = 65520;
/// Largest message one hash job takes. Longer digests use the library's
/// single-buffer functions; longer HMAC inputs are not supported.
inline constexpr uint64_t kHashJobMax = 65534;

/// Most jobs one session becomes (CTR: partial head block, then two counter ranges
/// when the library's 32-bit counter would wrap).
inline constexpr uint32_t kMaxParts = 3;

/// Which piece of a step a job carries.
enum class Part : uint8_t { Whole, CtrHead, CtrBody1, CtrBody2 };

/**
 * Per-session state while its jobs are in a manager. Lives in the worker's
 * ring (no allocation per operation); jobs point into it (IVs, tags), so it
 * must not move until the session's last job came back.
 */
struct Slot {
    acrypto_session *session = nullptr;
    acrypto_step *step = nullptr;
    KeySchedule *key = nullptr;
    Plan plan;
    uint64_t admit_ns = 0;
    uint64_t deadline_ns = 0;
    int status = ACRYPTO_OK;
    uint8_t nparts = 0;
    uint8_t parts_left = 0;
    uint8_t mgr = 0; ///< which of the worker's managers runs its jobs
    Part parts[kMaxParts] = {};
    uint64_t done = 0;                ///< CBC: bytes finished by earlier chunks
    uint64_t chunk = 0;               ///< CBC: bytes in the chunk in flight
    uint32_t head_len = 0;            ///< CTR: bytes served from the partially used keystream block
    uint64_t body1_len = 0;           ///< CTR: bytes before the 32-bit counter wrap
    alignas(16) uint8_t tag[16] = {}; ///< AEAD tag as the library computed it
    alignas(16) uint8_t chain[16] = {}; ///< CBC: IV of the chunk in flight
    alignas(16)
        uint8_t iv_next[16] = {}; ///< CBC decrypt: last ciphertext block of the chunk, saved first
    alignas(16) uint8_t head[16] = {};      ///< CTR: workspace for the partial first block
    alignas(16) uint8_t ctr_head[16] = {};  ///< CTR: counter of the partially used block (iv - 1)
    alignas(16) uint8_t ctr_body2[16] = {}; ///< CTR: counter after the 32-bit wrap
};

/// Lay out the jobs of a planned session in `slot` (slot.step and slot.plan set).
/// Copies what in-place operation would overwrite. Returns the number of parts.
uint32_t prepare_parts(Slot &slot) noexcept;

/// Fill `job` (from IMB_GET_NEXT_JOB) with part `i` of `slot`.
void fill_job(const Slot &slot, uint32_t i, IMB_JOB *job) noexcept;

/// CBC chains: after the chunk in flight came back, set up the next one.
/// Returns false when the step is complete.
bool next_chunk(Slot &slot) noexcept;

/// Digest too long for a job: hash it now with the single-buffer function.
bool digest_direct(IMB_MGR *mgr, Slot &slot) noexcept;

/// HMAC of an empty message (the job API refuses zero-length HMAC): two
/// single-buffer hashes over stack buffers, wiped after.
int hmac_empty(IMB_MGR *mgr, const acrypto_step &st, uint32_t digest_len) noexcept;

/// After every part came back IMB_STATUS_COMPLETED: write chaining IV, num,
/// tag and out_len into the step, verify AEAD tags. Returns the session status.
int finish_step(Slot &slot) noexcept;

/// Map a job's final IMB_STATUS to an acrypto status.
int status_from_job(const IMB_JOB *job) noexcept;

/// Run one step synchronously on `mgr` (which must have no jobs in flight):
/// used by the self-test. Returns the step status.
int run_step_sync(IMB_MGR *mgr, KeyCache &cache, acrypto_step &st) noexcept;

/// ACRYPTO_ALG_SHA* digest size, 0 if not one the device runs.
uint32_t mb_digest_size(uint32_t alg) noexcept;

} // namespace acrypto::soft::mb
