// SPDX-License-Identifier: Apache-2.0
// KeyCache: expanded AES keys, GCM hash keys, DES schedules and HMAC ipad/opad, per key id.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include <intel-ipsec-mb.h>

#include "acrypto/session.h"

namespace acrypto::soft::mb {

/// What a cached schedule was built for.
enum class ScheduleKind : uint8_t { Aes, AesGcm, Des, Des3, Hmac, Chacha };

/// One key's precomputed material, in the layout intel-ipsec-mb jobs point at.
struct alignas(64) KeySchedule {
    uint64_t id = 0;
    ScheduleKind kind = ScheduleKind::Aes;
    uint32_t hash_alg = 0;       ///< HMAC: enum acrypto_alg of the digest
    uint32_t key_len = 0;        ///< bytes of the original key
    uint32_t in_use = 0;         ///< sessions in flight using it (owning worker only)
    KeySchedule *next = nullptr; ///< other uses of the same key id (rare)
    union Material {
        struct Aes {
            alignas(16) uint8_t enc[16 * 15]; ///< encryption round keys
            alignas(16) uint8_t dec[16 * 15]; ///< decryption round keys
        } aes;
        struct Gcm {
            // The library builds with 64-byte alignment and pads the struct to 1024 bytes.
            alignas(64) uint8_t raw[1024];
        } gcm;
        struct Des {
            uint64_t ks[3][16];    ///< one schedule per DES key
            const void *ks_ptr[3]; ///< 3DES: the library takes an array of 3 pointers
        } des;
        struct Hmac {
            alignas(16) uint8_t ipad[64]; ///< chaining value after H(K ^ ipad) block
            alignas(16) uint8_t opad[64]; ///< chaining value after H(K ^ opad) block
        } hmac;
        struct Chacha {
            alignas(16) uint8_t key[32];
        } chacha;
    } m;

    const gcm_key_data *gcm() const noexcept {
        return reinterpret_cast<const gcm_key_data *>(m.gcm.raw);
    }
};
static_assert(sizeof(gcm_key_data) <= sizeof(KeySchedule::Material::Gcm));

/**
 * Per-worker cache (an IMB_MGR's key helpers are called on its own thread).
 * The worker calls get() while holding lock(); any thread may call drop().
 * An entry is never dropped while a session using it is in flight: key
 * contexts outlive their sessions (session.h), and eviction skips in_use > 0.
 */
class KeyCache {
  public:
    /// `mgr` provides the key-expansion and one-block hash helpers.
    explicit KeyCache(IMB_MGR *mgr, size_t max_entries = 4096);
    ~KeyCache();
    KeyCache(const KeyCache &) = delete;
    KeyCache &operator=(const KeyCache &) = delete;

    /// Guard for a burst of get() calls (uncontended except against drop()).
    std::unique_lock<std::mutex> lock() { return std::unique_lock<std::mutex>(mu_); }

    /// The schedule of `key` for `kind` (HMAC: over digest `hash_alg`), built on
    /// first use. nullptr with `*status` (ACRYPTO_E_INVALID: bad key length,
    /// ACRYPTO_E_NOMEM) on failure. Caller holds lock().
    KeySchedule *get(const acrypto_key &key, ScheduleKind kind, uint32_t hash_alg, int *status);

    /// Wipe and forget everything cached for `key_id`. Any thread.
    void drop(uint64_t key_id);

    /// Entries held now. Any thread.
    size_t size() const;
    /// Schedules built (misses) since creation.
    uint64_t builds() const noexcept { return builds_.load(std::memory_order_relaxed); }

  private:
    bool build(KeySchedule &e, const acrypto_key &key, ScheduleKind kind, uint32_t hash_alg);
    void evict_one();
    static void destroy_chain(KeySchedule *e) noexcept;
    static void destroy(KeySchedule *e) noexcept;

    IMB_MGR *mgr_;
    size_t max_entries_;
    mutable std::mutex mu_;
    std::unordered_map<uint64_t, KeySchedule *> map_;
    KeySchedule *last_ = nullptr;
    std::atomic<uint64_t> builds_{0};
};

/// Wipe `n` bytes at `p` in a way the compiler keeps.
void secure_wipe(void *p, size_t n) noexcept;

} // namespace acrypto::soft::mb
