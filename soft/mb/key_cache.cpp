// SPDX-License-Identifier: Apache-2.0
// Key schedule cache: expansion with intel-ipsec-mb's own helpers, wiped when dropped.
#include "acrypto/soft/mb/key_cache.hpp"

#include <cstring>
#include <new>

namespace acrypto::soft::mb {

void secure_wipe(void *p, size_t n) noexcept {
    if (p && n) explicit_bzero(p, n);
}

KeyCache::KeyCache(IMB_MGR *mgr, size_t max_entries) : mgr_(mgr), max_entries_(max_entries) {}

KeyCache::~KeyCache() {
    std::lock_guard<std::mutex> g(mu_);
    for (auto &[id, e] : map_) destroy_chain(e);
    map_.clear();
    last_ = nullptr;
}

void KeyCache::destroy(KeySchedule *e) noexcept {
    secure_wipe(e, sizeof *e);
    delete e;
}

void KeyCache::destroy_chain(KeySchedule *e) noexcept {
    while (e) {
        KeySchedule *next = e->next;
        destroy(e);
        e = next;
    }
}

size_t KeyCache::size() const {
    std::lock_guard<std::mutex> g(mu_);
    return map_.size();
}

void KeyCache::drop(uint64_t key_id) {
    std::lock_guard<std::mutex> g(mu_);
    auto it = map_.find(key_id);
    if (it == map_.end()) return;
    if (last_ && last_->id == key_id) last_ = nullptr;
    destroy_chain(it->second);
    map_.erase(it);
}

void KeyCache::evict_one() {
    for (auto it = map_.begin(); it != map_.end(); ++it) {
        bool busy = false;
        for (KeySchedule *e = it->second; e; e = e->next) busy |= e->in_use != 0;
        if (!busy) {
            if (last_ && last_->id == it->first) last_ = nullptr;
            destroy_chain(it->second);
            map_.erase(it);
            return;
        }
    }
}

KeySchedule *KeyCache::get(const acrypto_key &key, ScheduleKind kind, uint32_t hash_alg,
                           int *status) {
    auto matches = [&](const KeySchedule *e) {
        return e->id == key.id && e->kind == kind && e->hash_alg == hash_alg &&
               e->key_len == key.len;
    };
    if (last_ && matches(last_)) return last_;
    auto it = map_.find(key.id);
    if (it != map_.end()) {
        for (KeySchedule *e = it->second; e; e = e->next) {
            if (matches(e)) {
                last_ = e;
                return e;
            }
        }
    }
    auto *e = new (std::nothrow) KeySchedule;
    if (!e) {
        *status = ACRYPTO_E_NOMEM;
        return nullptr;
    }
    if (!build(*e, key, kind, hash_alg)) {
        destroy(e);
        *status = ACRYPTO_E_INVALID;
        return nullptr;
    }
    builds_.store(builds_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    if (it != map_.end()) {
        // Same key id for another use (an AES key for CBC and GCM): chain it.
        e->next = it->second;
        it->second = e;
    } else {
        if (map_.size() >= max_entries_) evict_one();
        try {
            map_.emplace(key.id, e);
        } catch (...) {
            destroy(e);
            *status = ACRYPTO_E_NOMEM;
            return nullptr;
        }
    }
    last_ = e;
    return e;
}

namespace {

struct HashFns {
    hash_one_block_t one_block;
    hash_fn_t full;
    size_t block;
    size_t digest;
};

bool hash_fns(IMB_MGR *m, uint32_t alg, HashFns *out) {
    switch (alg) {
    case ACRYPTO_ALG_SHA1: *out = {m->sha1_one_block, m->sha1, 64, 20}; return true;
    case ACRYPTO_ALG_SHA224: *out = {m->sha224_one_block, m->sha224, 64, 28}; return true;
    case ACRYPTO_ALG_SHA256: *out = {m->sha256_one_block, m->sha256, 64, 32}; return true;
    case ACRYPTO_ALG_SHA384: *out = {m->sha384_one_block, m->sha384, 128, 48}; return true;
    case ACRYPTO_ALG_SHA512: *out = {m->sha512_one_block, m->sha512, 128, 64}; return true;
    default: return false;
    }
}

} // namespace

bool KeyCache::build(KeySchedule &e, const acrypto_key &key, ScheduleKind kind, uint32_t hash_alg) {
    e.id = key.id;
    e.kind = kind;
    e.hash_alg = hash_alg;
    e.key_len = static_cast<uint32_t>(key.len);
    e.in_use = 0;
    e.next = nullptr;
    const uint8_t *k = key.data;
    if (!k && key.len) return false;
    switch (kind) {
    case ScheduleKind::Aes:
        switch (key.len) {
        case 16: IMB_AES_KEYEXP_128(mgr_, k, e.m.aes.enc, e.m.aes.dec); return true;
        case 24: IMB_AES_KEYEXP_192(mgr_, k, e.m.aes.enc, e.m.aes.dec); return true;
        case 32: IMB_AES_KEYEXP_256(mgr_, k, e.m.aes.enc, e.m.aes.dec); return true;
        default: return false;
        }
    case ScheduleKind::AesGcm: {
        auto *g = reinterpret_cast<gcm_key_data *>(e.m.gcm.raw);
        switch (key.len) {
        case 16: IMB_AES128_GCM_PRE(mgr_, k, g); return true;
        case 24: IMB_AES192_GCM_PRE(mgr_, k, g); return true;
        case 32: IMB_AES256_GCM_PRE(mgr_, k, g); return true;
        default: return false;
        }
    }
    case ScheduleKind::Des:
        if (key.len != 8) return false;
        IMB_DES_KEYSCHED(mgr_, e.m.des.ks[0], k);
        e.m.des.ks_ptr[0] = e.m.des.ks[0];
        return true;
    case ScheduleKind::Des3:
        if (key.len != 24) return false;
        for (int i = 0; i < 3; ++i) {
            IMB_DES_KEYSCHED(mgr_, e.m.des.ks[i], k + 8 * i);
            e.m.des.ks_ptr[i] = e.m.des.ks[i];
        }
        return true;
    case ScheduleKind::Chacha:
        if (key.len != 32) return false;
        std::memcpy(e.m.chacha.key, k, 32);
        return true;
    case ScheduleKind::Hmac: {
        HashFns h{};
        if (!hash_fns(mgr_, hash_alg, &h)) return false;
        // RFC 2104: keys longer than a block are hashed first; then K is zero-padded.
        alignas(16) uint8_t kb[128] = {};
        alignas(16) uint8_t pad[128];
        if (key.len > h.block) {
            h.full(k, key.len, kb);
        } else if (key.len) {
            std::memcpy(kb, k, key.len);
        }
        for (size_t i = 0; i < h.block; ++i) pad[i] = kb[i] ^ 0x36;
        h.one_block(pad, e.m.hmac.ipad);
        for (size_t i = 0; i < h.block; ++i) pad[i] = kb[i] ^ 0x5c;
        h.one_block(pad, e.m.hmac.opad);
        secure_wipe(kb, sizeof kb);
        secure_wipe(pad, sizeof pad);
        return true;
    }
    }
    return false;
}

} // namespace acrypto::soft::mb
