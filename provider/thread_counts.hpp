// SPDX-License-Identifier: Apache-2.0
// Counters the callers' threads add to without a locked instruction: a cache line per
// thread, found by the thread pointer, summed when read (acrypto-stats).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#if !(defined(__x86_64__) || defined(__aarch64__))
#include <pthread.h>
#endif

namespace acrypto::prov {

/// What the provider counts on the callers' threads (acrypto-stats names in provider.cpp).
enum class Count : uint8_t {
    DigestDirect,    ///< digest.direct: digest and HMAC messages a direct stream finished
    AeadDirect,      ///< aead.direct: AEAD messages run in a keyed default-provider context
    CipherDirect,    ///< cipher.direct: ChaCha20 streams that went on in such a context
    PkStarvedInline, ///< pk.starved-inline: public-key operations run inline, workers starved
    TlsRecordMac,    ///< mac.tls-record: TLS CBC record MACs on the constant-time HMAC
    Kinds
};

/// Counts added per message on the direct paths. A locked add drains the store buffer and
/// cost about 2 ns of a 16-byte SHA-256 digest's 122; a thread-local counter cost more when
/// measured (the module's TLS was then reached through __tls_get_addr, before the TLS
/// descriptors of CMakeLists.txt). Here each thread adds to its own line with a plain load
/// and store: the line is chosen by a hash of the thread pointer and belongs to that pointer
/// for good. A thread that ends leaves its counts there, and the next
/// thread given the same thread control block goes on adding to them; no two live threads
/// share a pointer, so a line never has two writers. A thread whose line another pointer
/// holds adds to `shared_` with a locked add. The sum is exact for the adding thread at once,
/// and for any other thread after whatever ordered it after the add (a join, a lock), as
/// relaxed atomics are; each term only grows, so successive reads never go down.
class ThreadCounts {
  public:
    static constexpr size_t kLines = 64;

    ThreadCounts() = default;
    ThreadCounts(const ThreadCounts &) = delete;
    ThreadCounts &operator=(const ThreadCounts &) = delete;

    void add(Count c) noexcept { add_for(c, thread_id()); }

    /// add() as the thread whose pointer is `tp` (tests: threads that share a line).
    void add_for(Count c, uintptr_t tp) noexcept {
        Line &l = lines_[line_of(tp)];
        if (l.owner.load(std::memory_order_relaxed) == tp) [[likely]] {
            std::atomic<uint64_t> &v = l.v[static_cast<size_t>(c)];
            v.store(v.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
            return;
        }
        add_slow(c, tp);
    }

    /// Every thread's adds of `c` so far.
    uint64_t get(Count c) const noexcept;

    /// Lines held by a thread pointer (tests: a thread takes one line, once).
    size_t lines_held() const noexcept;

    /// The line a thread pointer hashes to.
    static size_t line_of(uintptr_t tp) noexcept {
        return static_cast<size_t>((tp * 0x9E3779B97F4A7C15ull) >> 58); // 6 bits: kLines
    }

    /// This thread's identity while it lives: its thread pointer, read with no call.
    static uintptr_t thread_id() noexcept {
#if defined(__x86_64__) || defined(__aarch64__)
        return reinterpret_cast<uintptr_t>(__builtin_thread_pointer());
#else
        return reinterpret_cast<uintptr_t>(pthread_self());
#endif
    }

  private:
    struct alignas(64) Line {
        std::atomic<uintptr_t> owner{0};
        std::atomic<uint64_t> v[static_cast<size_t>(Count::Kinds)] = {};
    };
    static_assert(sizeof(Line) == 64, "one cache line per thread");

    void add_slow(Count c, uintptr_t tp) noexcept;

    Line lines_[kLines];
    std::atomic<uint64_t> shared_[static_cast<size_t>(Count::Kinds)] = {};
};

} // namespace acrypto::prov
