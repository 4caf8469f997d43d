// SPDX-License-Identifier: Apache-2.0
// CryptoLib (private OSSL_LIB_CTX) and ExecCtx (per-thread caches) of the cpu device.
#include "family.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

namespace acrypto::soft::cpu {

CryptoLib::CryptoLib() {
    // A fresh context reads no configuration file: only what we load here is in it.
    ctx_ = OSSL_LIB_CTX_new();
    if (ctx_) default_ = OSSL_PROVIDER_load(ctx_, "default");
    ERR_clear_error();
}

CryptoLib::~CryptoLib() {
    if (OSSL_PROVIDER *l = legacy_.load()) OSSL_PROVIDER_unload(l);
    if (default_) OSSL_PROVIDER_unload(default_);
    if (ctx_) OSSL_LIB_CTX_free(ctx_);
}

bool CryptoLib::load_legacy() {
    if (legacy_loaded()) return true;
    std::lock_guard lk(mu_);
    if (legacy_loaded()) return true;
    if (!ctx_) return false;
    OSSL_PROVIDER *l = OSSL_PROVIDER_load(ctx_, "legacy");
    ERR_clear_error();
    legacy_.store(l, std::memory_order_release);
    return l != nullptr;
}

ExecCtx::ExecCtx(CryptoLib &lib) : lib_(lib) {}

ExecCtx::~ExecCtx() {
    clear_keys();
    for (auto &l : locals_)
        if (l.destroy) l.destroy(l.obj);
    EVP_CIPHER_CTX_free(scratch_cipher_);
    EVP_MD_CTX_free(scratch_md_);
}

void ExecCtx::clear_keys() {
    last_ = Last{};
    for (auto &[k, e] : keys_)
        if (e.destroy) e.destroy(e.obj);
    keys_.clear();
    tags_.clear();
}

void ExecCtx::reap_dead() {
    std::vector<uint64_t> dead;
    {
        std::lock_guard lk(dead_mu_);
        dead.swap(dead_);
        has_dead_.store(false, std::memory_order_relaxed);
    }
    last_ = Last{};
    for (uint64_t id : dead) {
        const auto [first, end] = tags_.equal_range(id);
        for (auto t = first; t != end; ++t) {
            auto it = keys_.find(KeyTag{id, t->second});
            if (it == keys_.end()) continue;
            if (it->second.destroy) it->second.destroy(it->second.obj);
            keys_.erase(it);
        }
        tags_.erase(first, end);
    }
}

void *ExecCtx::key_find_slow(uint64_t key_id, uint32_t tag) {
    if (has_dead_.load(std::memory_order_acquire)) reap_dead();
    if (key_id == 0) return nullptr;
    auto it = keys_.find(KeyTag{key_id, tag});
    if (it == keys_.end()) return nullptr;
    last_ = Last{key_id, tag, it->second.obj};
    return it->second.obj;
}

bool ExecCtx::key_put(uint64_t key_id, uint32_t tag, void *obj, Destroy destroy) {
    if (key_id == 0) {
        if (destroy) destroy(obj);
        return false;
    }
    if (keys_.size() >= kMaxKeyEntries) clear_keys();
    auto [it, fresh] = keys_.try_emplace(KeyTag{key_id, tag}, Entry{obj, destroy});
    if (fresh) {
        try {
            tags_.emplace(key_id, tag);
        } catch (...) {
            // Left unindexed: a drop misses it, and it lives until the next flush
            // (key ids are never reused, so it is never found for another key).
        }
    } else {
        if (it->second.destroy) it->second.destroy(it->second.obj);
        it->second = Entry{obj, destroy};
    }
    last_ = Last{key_id, tag, obj};
    return true;
}

void ExecCtx::drop_key(uint64_t key_id) {
    std::lock_guard lk(dead_mu_);
    dead_.push_back(key_id);
    has_dead_.store(true, std::memory_order_release);
}

void *ExecCtx::local(const void *tag) const noexcept {
    for (const auto &l : locals_)
        if (l.tag == tag) return l.obj;
    return nullptr;
}

void ExecCtx::set_local(const void *tag, void *obj, Destroy destroy) {
    for (auto &l : locals_) {
        if (l.tag == tag) {
            if (l.destroy) l.destroy(l.obj);
            l.obj = obj;
            l.destroy = destroy;
            return;
        }
    }
    locals_.push_back(Local{tag, obj, destroy});
}

EVP_CIPHER_CTX *ExecCtx::scratch_cipher() {
    if (!scratch_cipher_) scratch_cipher_ = EVP_CIPHER_CTX_new();
    return scratch_cipher_;
}

EVP_MD_CTX *ExecCtx::scratch_md() {
    if (!scratch_md_) scratch_md_ = EVP_MD_CTX_new();
    return scratch_md_;
}

} // namespace acrypto::soft::cpu
