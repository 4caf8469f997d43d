// SPDX-License-Identifier: Apache-2.0
// The cpu device's executor interface: families of algorithms, and the per-thread ExecCtx.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include <openssl/types.h>

#include "acrypto/device.h"
#include "acrypto/session.h"

namespace acrypto::soft::cpu {

/**
 * libcrypto state shared by every thread of one cpu instance: a PRIVATE
 * OSSL_LIB_CTX with only the default provider loaded (so the device never
 * recurses into acrypto, whatever the process configuration says), and the
 * legacy provider once some family asks for it. Thread-safe.
 */
class CryptoLib {
  public:
    CryptoLib();
    ~CryptoLib();
    CryptoLib(const CryptoLib &) = delete;
    CryptoLib &operator=(const CryptoLib &) = delete;

    /// False when the library context or the default provider could not be set up.
    bool ok() const noexcept { return ctx_ != nullptr && default_ != nullptr; }
    /// The private library context (never NULL when ok()).
    OSSL_LIB_CTX *ctx() const noexcept { return ctx_; }
    /// The default provider loaded into ctx() (never NULL when ok()).
    OSSL_PROVIDER *default_provider() const noexcept { return default_; }
    /// Load the legacy provider into ctx() (idempotent, thread-safe). False if unavailable.
    bool load_legacy();
    /// Whether load_legacy() succeeded.
    bool legacy_loaded() const noexcept {
        return legacy_.load(std::memory_order_acquire) != nullptr;
    }

  private:
    OSSL_LIB_CTX *ctx_ = nullptr;
    OSSL_PROVIDER *default_ = nullptr;
    std::atomic<OSSL_PROVIDER *> legacy_{nullptr};
    std::mutex mu_;
};

/**
 * Per-thread execution context. Each worker thread owns one; an inline caller
 * gets its own (one per calling thread and device). Only its owner thread
 * touches it, except drop_key(), which any thread may call.
 *
 * What it caches so a hot path does no fetch and no key setup per operation:
 *  - key objects by (acrypto_key.id, tag): a family stores e.g. an EVP_CIPHER_CTX
 *    already keyed, with the destructor to call when the key dies
 *    (key_free_fn) or the context goes away; `tag` lets one key hold several
 *    objects (e.g. encrypt and decrypt schedules);
 *  - per-family thread-local state by an address the family owns (a static
 *    variable's address is a good tag).
 */
class ExecCtx {
  public:
    /// Destructor of a cached object.
    using Destroy = void (*)(void *obj);

    explicit ExecCtx(CryptoLib &lib);
    ~ExecCtx();
    ExecCtx(const ExecCtx &) = delete;
    ExecCtx &operator=(const ExecCtx &) = delete;

    /// The device's shared libcrypto state.
    CryptoLib &lib() noexcept { return lib_; }
    /// The private library context: fetch everything from here, never from NULL.
    OSSL_LIB_CTX *libctx() const noexcept { return lib_.ctx(); }

    /// Object cached for (key_id, tag), or nullptr. Key id 0 is never cached.
    /// The last hit is remembered: a stream of operations under one key skips the map.
    void *key_find(uint64_t key_id, uint32_t tag) {
        if (!has_dead_.load(std::memory_order_acquire) && key_id != 0 && last_.id == key_id &&
            last_.tag == tag)
            return last_.obj;
        return key_find_slow(key_id, tag);
    }
    /// Cache `obj` for (key_id, tag), taking ownership (destroy(obj) when dropped).
    /// With key_id 0 nothing is cached: obj is destroyed at once, returns false.
    bool key_put(uint64_t key_id, uint32_t tag, void *obj, Destroy destroy);
    /// Any thread: the key died; its entries go before this context's next lookup.
    void drop_key(uint64_t key_id);
    /// Number of cached key objects (tests, stats).
    size_t key_entries() const noexcept { return keys_.size(); }

    /// Thread-local state a family hangs here under `tag` (nullptr if none yet).
    void *local(const void *tag) const noexcept;
    /// Set family state for `tag` (replacing and destroying any previous one).
    void set_local(const void *tag, void *obj, Destroy destroy);

    /// A scratch cipher context (reset by the caller before use).
    EVP_CIPHER_CTX *scratch_cipher();
    /// A scratch digest context.
    EVP_MD_CTX *scratch_md();

  private:
    struct Entry {
        void *obj;
        Destroy destroy;
    };
    /// Most recent key_find hit (id 0: none).
    struct Last {
        uint64_t id = 0;
        uint32_t tag = 0;
        void *obj = nullptr;
    };
    void *key_find_slow(uint64_t key_id, uint32_t tag);
    struct KeyTag {
        uint64_t id;
        uint32_t tag;
        bool operator==(const KeyTag &o) const noexcept { return id == o.id && tag == o.tag; }
    };
    struct KeyTagHash {
        size_t operator()(const KeyTag &k) const noexcept {
            return static_cast<size_t>(k.id * 0x9E3779B97F4A7C15ull ^ k.tag);
        }
    };
    struct Local {
        const void *tag;
        void *obj;
        Destroy destroy;
    };

    void reap_dead();
    void clear_keys();

    /// Bound on cached key objects: beyond it the cache is flushed (keys the
    /// host never frees cannot grow memory without limit).
    static constexpr size_t kMaxKeyEntries = 4096;

    CryptoLib &lib_;
    std::unordered_map<KeyTag, Entry, KeyTagHash> keys_;
    /// The tags cached under each key id: a dead key's entries are found without a
    /// pass over the whole cache (a TLS server drops keys on every connection).
    std::unordered_multimap<uint64_t, uint32_t> tags_;
    Last last_;
    std::vector<Local> locals_;
    EVP_CIPHER_CTX *scratch_cipher_ = nullptr;
    EVP_MD_CTX *scratch_md_ = nullptr;
    std::atomic<bool> has_dead_{false};
    std::mutex dead_mu_;
    std::vector<uint64_t> dead_;
};

/**
 * A family: a group of capabilities served by one executor. The device
 * declares the caps of every available family and routes each step to the
 * family whose caps match (op, alg, mode).
 *
 * To add a family: write `extern const Family kXxxFamily;` in your exec_xxx.hpp,
 * define it in exec_xxx.cpp, and add `&kXxxFamily` to the list in families.cpp.
 */
struct Family {
    /// Short name ("cipher", "digest", "mac", "rand", "aead", "legacy", "pkey").
    const char *name;
    /// Capabilities (static data) and their count.
    const acrypto_capability *caps;
    size_t ncaps;
    /**
     * Run s.steps[step_index] on the calling thread (a worker or an inline
     * caller) and return an enum acrypto_status. Writes only dst, out_len, iv,
     * num, tag, state, state_len of that step. Must not throw (the device
     * catches anyway and answers ACRYPTO_E_INTERNAL) and must not block.
     */
    int (*exec)(ExecCtx &ctx, acrypto_session &s, uint32_t step_index);
    /// Optional: whether the family can run here (e.g. it loads the legacy provider
    /// with lib.load_legacy()). Called once at open; false drops its caps.
    bool (*available)(CryptoLib &lib);
    /// Optional: a key died (besides the ExecCtx key cache, which is handled). Any thread.
    void (*key_free)(uint64_t key_id);
    /// Optional: the instance is closing; free anything tied to `lib` (threads joined).
    void (*teardown)(CryptoLib &lib);
};

/// Every family, in match order (first match wins). Defined in families.cpp.
extern const Family *const kFamilies[];
/// Number of entries in kFamilies.
extern const size_t kFamilyCount;

/// Key-cache tag helper: one tag per (mode, direction, key length) a family keys separately.
constexpr uint32_t key_tag(uint32_t family_id, uint32_t mode, uint32_t dir) noexcept {
    return family_id << 24 | (mode & 0xffff) << 8 | (dir & 0xff);
}

} // namespace acrypto::soft::cpu
