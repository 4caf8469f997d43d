// SPDX-License-Identifier: Apache-2.0
// Helpers for the PadLock unit tests: hex, aligned and guard-paged buffers, raw instruction calls.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/emulator.hpp"
#include "key_schedule.hpp"

namespace acrypto::hw::padlock::test {

/// Bytes of a hex string (spaces and commas ignored).
inline std::vector<uint8_t> unhex(std::string_view s) {
    std::vector<uint8_t> out;
    int hi = -1;
    for (char c : s) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<uint8_t>(hi << 4 | v));
            hi = -1;
        }
    }
    return out;
}

/// Lower-case hex of bytes.
inline std::string hex(const uint8_t *p, size_t n) {
    static const char d[] = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) {
        s += d[p[i] >> 4];
        s += d[p[i] & 15];
    }
    return s;
}
inline std::string hex(const std::vector<uint8_t> &v) { return hex(v.data(), v.size()); }

/// `pages` read-write pages followed by one PROT_NONE guard page.
class GuardedPages {
  public:
    explicit GuardedPages(size_t pages = 1) : pages_(pages) {
        void *p = mmap(nullptr, (pages + 1) * 4096, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) throw std::runtime_error("mmap");
        base_ = static_cast<uint8_t *>(p);
        mprotect(base_ + pages * 4096, 4096, PROT_NONE);
    }
    ~GuardedPages() { munmap(base_, (pages_ + 1) * 4096); }
    GuardedPages(const GuardedPages &) = delete;
    GuardedPages &operator=(const GuardedPages &) = delete;
    uint8_t *begin() const { return base_; }
    /// First byte of the guard page.
    uint8_t *end() const { return base_ + pages_ * 4096; }
    size_t size() const { return pages_ * 4096; }

  private:
    size_t pages_;
    uint8_t *base_;
};

/// Operands of one xcrypt call in aligned memory, registered with a RegionsOnly guard.
struct XcryptBench {
    alignas(16) uint8_t cword[16] = {};
    alignas(256) uint8_t key[256] = {};
    alignas(16) uint8_t iv[16] = {};
    alignas(16) uint8_t src[1024] = {};
    alignas(16) uint8_t dst[1024] = {};

    void register_with(emu::MemoryGuard &g) {
        g.add_region(cword, sizeof cword);
        g.add_region(key, sizeof key);
        g.add_region(iv, sizeof iv);
        g.add_region(src, sizeof src);
        g.add_region(dst, sizeof dst);
    }
    /// Loads the control word and key: raw key (keygen=0) or the matching schedule.
    void set_key(const std::vector<uint8_t> &k, bool decrypt, bool keygen, bool inverse) {
        std::memset(cword, 0, sizeof cword);
        const uint32_t cw = make_control_word(k.size(), keygen, decrypt);
        std::memcpy(cword, &cw, 4);
        std::memset(key, 0, sizeof key);
        if (!keygen)
            std::memcpy(key, k.data(), k.size());
        else if (inverse)
            aes_expand_decrypt(k.data(), k.size(), key);
        else
            aes_expand_forward(k.data(), k.size(), key);
    }
    Regs regs(size_t blocks) const {
        Regs r;
        r.rsi = reinterpret_cast<uint64_t>(src);
        r.rdi = reinterpret_cast<uint64_t>(dst);
        r.rcx = blocks;
        r.rax = reinterpret_cast<uint64_t>(iv);
        r.rbx = reinterpret_cast<uint64_t>(key);
        r.rdx = reinterpret_cast<uint64_t>(cword);
        return r;
    }
};

/// Emulator options with a RegionsOnly guard (every byte must be registered).
inline emu::EmulatorOptions strict_options(emu::Profile p) {
    emu::EmulatorOptions o;
    o.profile = p;
    o.guard = std::make_shared<emu::MemoryGuard>(emu::GuardPolicy::RegionsOnly);
    o.rng.seed = 42;
    return o;
}

} // namespace acrypto::hw::padlock::test
