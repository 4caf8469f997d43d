// SPDX-License-Identifier: Apache-2.0
// AES-NI ECB, CBC, CTR and XTS. Only the functions marked ACRYPTO_AESNI use the AES
// instructions; they run only after available() said yes. Those marked ACRYPTO_VAES
// (whole 8-block groups, two blocks per instruction) run only after wide() said yes.
#include "aesni.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <openssl/crypto.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ACRYPTO_AESNI_X86 1
#define ACRYPTO_AESNI __attribute__((target("aes")))
/// The 256-bit AES instructions (VAES): two blocks per instruction.
#define ACRYPTO_VAES __attribute__((target("aes,avx2,vaes")))
#endif

namespace acrypto::soft::cpu::aesni {

#ifdef ACRYPTO_AESNI_X86

namespace {

/// Blocks decrypted side by side (ECB, CBC decrypt): AESDEC's latency is hidden
/// behind the other blocks' rounds.
constexpr size_t kWays = 8;

ACRYPTO_AESNI uint32_t sub_word(uint32_t w) {
    // AESKEYGENASSIST's lowest dword is SubWord(second dword of its source).
    const __m128i v = _mm_set_epi32(0, 0, static_cast<int>(w), 0);
    return static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_aeskeygenassist_si128(v, 0)));
}

uint32_t load32(const uint8_t *p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
}

/// FIPS-197 §5.2 key expansion, words held in memory byte order (so RotWord is a
/// right rotation by 8 and Rcon lands in the low byte).
ACRYPTO_AESNI void expand_words(uint32_t *w, const uint8_t *key, size_t nk, size_t total) {
    static const uint8_t rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
    for (size_t i = 0; i < nk; ++i) w[i] = load32(key + 4 * i);
    for (size_t i = nk; i < total; ++i) {
        uint32_t t = w[i - 1];
        if (i % nk == 0)
            t = sub_word((t >> 8) | (t << 24)) ^ rcon[i / nk - 1];
        else if (nk > 6 && i % nk == 4)
            t = sub_word(t);
        w[i] = w[i - nk] ^ t;
    }
}

template <int R> ACRYPTO_AESNI inline __m128i enc_block(const __m128i *k, __m128i x) {
    x = _mm_xor_si128(x, k[0]);
    for (int r = 1; r < R; ++r) x = _mm_aesenc_si128(x, k[r]);
    return _mm_aesenclast_si128(x, k[R]);
}

template <int R> ACRYPTO_AESNI inline __m128i dec_block(const __m128i *k, __m128i x) {
    x = _mm_xor_si128(x, k[0]);
    for (int r = 1; r < R; ++r) x = _mm_aesdec_si128(x, k[r]);
    return _mm_aesdeclast_si128(x, k[R]);
}

/// kWays blocks through the decryption rounds side by side.
template <int R, size_t N = kWays>
ACRYPTO_AESNI inline void dec_ways(const __m128i *k, __m128i *x) {
    for (size_t j = 0; j < N; ++j) x[j] = _mm_xor_si128(x[j], k[0]);
    for (int r = 1; r < R; ++r)
        for (size_t j = 0; j < N; ++j) x[j] = _mm_aesdec_si128(x[j], k[r]);
    for (size_t j = 0; j < N; ++j) x[j] = _mm_aesdeclast_si128(x[j], k[R]);
}

template <int R, size_t N = kWays>
ACRYPTO_AESNI inline void enc_ways(const __m128i *k, __m128i *x) {
    for (size_t j = 0; j < N; ++j) x[j] = _mm_xor_si128(x[j], k[0]);
    for (int r = 1; r < R; ++r)
        for (size_t j = 0; j < N; ++j) x[j] = _mm_aesenc_si128(x[j], k[r]);
    for (size_t j = 0; j < N; ++j) x[j] = _mm_aesenclast_si128(x[j], k[R]);
}

/**
 * A block entering round 1: its input, round key 0, then `late`, the value that is ready
 * last (CBC's chain, XTS's tweaks). The input meets the key as soon as it is loaded; the
 * compiler would otherwise reassociate the XORs, leaving two steps after `late` or after
 * the input (in place, the previous update's output).
 */
ACRYPTO_AESNI inline __m128i key0_then(__m128i in, __m128i k0, __m128i late) {
    __m128i x = _mm_xor_si128(in, k0);
    asm("" : "+x"(x));
    return _mm_xor_si128(x, late);
}
/// key0_then() for a pair of blocks on VAES.
ACRYPTO_VAES inline __m256i key0_then(__m256i in, __m256i k0, __m256i late) {
    __m256i x = _mm256_xor_si256(in, k0);
    asm("" : "+x"(x));
    return _mm256_xor_si256(x, late);
}

ACRYPTO_AESNI inline __m128i load(const uint8_t *p) {
    return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
}
ACRYPTO_AESNI inline void store(uint8_t *p, __m128i v) {
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p), v);
}

/**
 * `G::run<M>(args...)` for M = `m`, 1 to kWays - 1: the blocks left after the whole groups
 * run as one group of exactly that many, side by side. A group sized when compiled keeps
 * its blocks in registers, and its blocks' rounds hide each other's latency, where a
 * loop of single blocks would wait for each in turn.
 */
template <typename G, typename... A> ACRYPTO_AESNI inline auto run_group(size_t m, A... a) {
    static_assert(kWays == 8, "a case for every count below kWays");
    switch (m) {
    case 1: return G::template run<1>(a...);
    case 2: return G::template run<2>(a...);
    case 3: return G::template run<3>(a...);
    case 4: return G::template run<4>(a...);
    case 5: return G::template run<5>(a...);
    case 6: return G::template run<6>(a...);
    default: return G::template run<7>(a...);
    }
}

/// Pairs of blocks on VAES: kWays blocks as kWays / 2 256-bit lanes.
constexpr int kPairs = static_cast<int>(kWays / 2);

/// Rounds 1 to R - 1 of kPairs pairs side by side on VAES (round key 0 and the last round
/// are the caller's: XTS folds its tweaks into them).
template <int R, bool Enc>
ACRYPTO_VAES inline void middle_rounds_wide(const __m128i *k, __m256i *x) {
    for (int r = 1; r < R; ++r) {
        const __m256i kr = _mm256_broadcastsi128_si256(k[r]);
        for (int j = 0; j < kPairs; ++j)
            x[j] = Enc ? _mm256_aesenc_epi128(x[j], kr) : _mm256_aesdec_epi128(x[j], kr);
    }
}

/// The rounds of kWays blocks (kPairs pairs) side by side on VAES, round key 0 included.
template <int R, bool Enc> ACRYPTO_VAES inline void rounds_wide(const __m128i *k, __m256i *x) {
    const __m256i k0 = _mm256_broadcastsi128_si256(k[0]);
    for (int j = 0; j < kPairs; ++j) x[j] = _mm256_xor_si256(x[j], k0);
    middle_rounds_wide<R, Enc>(k, x);
    const __m256i kl = _mm256_broadcastsi128_si256(k[R]);
    for (int j = 0; j < kPairs; ++j)
        x[j] = Enc ? _mm256_aesenclast_epi128(x[j], kl) : _mm256_aesdeclast_epi128(x[j], kl);
}

ACRYPTO_VAES inline __m256i load2(const uint8_t *p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
}
ACRYPTO_VAES inline void store2(uint8_t *p, __m256i v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i *>(p), v);
}

bool wide() noexcept;

/// ECB over `n` bytes (a multiple of 8 blocks) on VAES.
template <int R, bool Enc>
ACRYPTO_VAES void ecb_wide(const __m128i *k, const uint8_t *src, uint8_t *dst, size_t n) {
    for (size_t off = 0; off < n; off += kWays * 16) {
        __m256i x[kPairs];
        for (int j = 0; j < kPairs; ++j) x[j] = load2(src + off + 32 * j);
        rounds_wide<R, Enc>(k, x);
        for (int j = 0; j < kPairs; ++j) store2(dst + off + 32 * j, x[j]);
    }
    _mm256_zeroupper();
}

/// CBC decryption over `n` bytes (a multiple of 8 blocks) on VAES, chaining from
/// `*prev_io` (left as the last ciphertext block). Each group's ciphertext is loaded
/// before its plaintext is stored (in place).
template <int R>
ACRYPTO_VAES void cbc_dec_wide(const __m128i *k, const uint8_t *src, uint8_t *dst, size_t n,
                               __m128i *prev_io) {
    __m128i prev = _mm_loadu_si128(prev_io);
    for (size_t off = 0; off < n; off += kWays * 16) {
        __m256i x[kPairs], c[kPairs];
        for (int j = 0; j < kPairs; ++j) x[j] = load2(src + off + 32 * j);
        // The ciphertext each pair chains from: the block before each of its two.
        c[0] =
            _mm256_set_m128i(_mm_loadu_si128(reinterpret_cast<const __m128i *>(src + off)), prev);
        for (int j = 1; j < kPairs; ++j) c[j] = load2(src + off + 32 * j - 16);
        prev = _mm256_extracti128_si256(x[kPairs - 1], 1);
        rounds_wide<R, false>(k, x);
        for (int j = 0; j < kPairs; ++j) store2(dst + off + 32 * j, _mm256_xor_si256(x[j], c[j]));
    }
    _mm_storeu_si128(prev_io, prev);
    _mm256_zeroupper();
}

/// ECB over M blocks side by side.
template <int R, bool Enc> struct EcbGroup {
    template <size_t M>
    ACRYPTO_AESNI static void run(const __m128i *k, const uint8_t *src, uint8_t *dst) {
        __m128i x[M];
        for (size_t j = 0; j < M; ++j) x[j] = load(src + 16 * j);
        if constexpr (Enc)
            enc_ways<R, M>(k, x);
        else
            dec_ways<R, M>(k, x);
        for (size_t j = 0; j < M; ++j) store(dst + 16 * j, x[j]);
    }
};

/// ECB over `n` >= kWays * 16 bytes (a block multiple). Out of line: the registers it
/// saves are not the short runs' cost.
template <int R, bool Enc>
[[gnu::noinline]] ACRYPTO_AESNI void ecb_long(const __m128i *k, const uint8_t *src, uint8_t *dst,
                                              size_t n) {
    size_t off = 0;
    if (wide()) {
        off = n / (kWays * 16) * (kWays * 16);
        ecb_wide<R, Enc>(k, src, dst, off);
    }
    for (; n - off >= kWays * 16; off += kWays * 16)
        EcbGroup<R, Enc>::template run<kWays>(k, src + off, dst + off);
    if (off < n) run_group<EcbGroup<R, Enc>>((n - off) / 16, k, src + off, dst + off);
}

template <int R, bool Enc>
ACRYPTO_AESNI void ecb_dir(const __m128i *k, const uint8_t *src, uint8_t *dst, size_t n) {
    if (n >= kWays * 16)
        ecb_long<R, Enc>(k, src, dst, n);
    else if (n >= 16)
        run_group<EcbGroup<R, Enc>>(n / 16, k, src, dst);
}

template <int R>
ACRYPTO_AESNI void cbc_enc_r(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n,
                             uint8_t *iv) {
    const auto *k = reinterpret_cast<const __m128i *>(s.enc);
    const __m128i k0 = k[0], last = k[R], last_k0 = _mm_xor_si128(k[R], k[0]);
    __m128i c = load(iv);
    if (n < 16) return;
    // x: the block entering round 1. Each block's rounds depend on the one before, so only
    // AES rounds stay on that chain: the next block's plaintext and first round key join the
    // last round's key, and one more aesenclast from the same state yields the next x.
    __m128i x = key0_then(load(src), k0, c);
    for (size_t off = 0;; off += 16) {
        for (int r = 1; r < R; ++r) x = _mm_aesenc_si128(x, k[r]);
        c = _mm_aesenclast_si128(x, last);
        const bool more = n - off >= 32;
        if (more) x = _mm_aesenclast_si128(x, _mm_xor_si128(last_k0, load(src + off + 16)));
        store(dst + off, c);
        if (!more) break;
    }
    store(iv, c);
}

/// CBC decryption of M blocks side by side, chaining from `prev`; returns the last
/// ciphertext block. The group's ciphertext is loaded before its plaintext is stored
/// (in place).
template <int R> struct CbcDecGroup {
    template <size_t M>
    ACRYPTO_AESNI static __m128i run(const __m128i *k, const uint8_t *src, uint8_t *dst,
                                     __m128i prev) {
        __m128i c[M], x[M];
        for (size_t j = 0; j < M; ++j) x[j] = c[j] = load(src + 16 * j);
        dec_ways<R, M>(k, x);
        store(dst, _mm_xor_si128(x[0], prev));
        for (size_t j = 1; j < M; ++j) store(dst + 16 * j, _mm_xor_si128(x[j], c[j - 1]));
        return c[M - 1];
    }
};

/// CBC decryption over `n` >= kWays * 16 bytes (a block multiple), as cbc_dec_r. Out of
/// line: the registers it saves are not the short runs' cost.
template <int R>
[[gnu::noinline]] ACRYPTO_AESNI void cbc_dec_long(const Schedule &s, const uint8_t *src,
                                                  uint8_t *dst, size_t n, uint8_t *iv) {
    const auto *k = reinterpret_cast<const __m128i *>(s.dec);
    __m128i prev = load(iv);
    size_t off = 0;
    if (wide()) {
        off = n / (kWays * 16) * (kWays * 16);
        cbc_dec_wide<R>(k, src, dst, off, &prev);
    }
    for (; n - off >= kWays * 16; off += kWays * 16)
        prev = CbcDecGroup<R>::template run<kWays>(k, src + off, dst + off, prev);
    if (off < n) prev = run_group<CbcDecGroup<R>>((n - off) / 16, k, src + off, dst + off, prev);
    store(iv, prev);
}

template <int R>
ACRYPTO_AESNI void cbc_dec_r(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n,
                             uint8_t *iv) {
    if (n >= kWays * 16) {
        cbc_dec_long<R>(s, src, dst, n, iv);
    } else if (n >= 16) {
        const auto *k = reinterpret_cast<const __m128i *>(s.dec);
        store(iv, run_group<CbcDecGroup<R>>(n / 16, k, src, dst, load(iv)));
    }
}

uint64_t be64(const uint8_t *p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

void put_be64(uint8_t *p, uint64_t v) {
    v = __builtin_bswap64(v);
    std::memcpy(p, &v, 8);
}

/// A 128-bit big-endian counter held as two host words.
struct Counter {
    uint64_t hi, lo;
    void add(uint64_t k) {
        const uint64_t before = lo;
        lo += k;
        if (lo < before) ++hi;
    }
    void sub1() {
        if (lo-- == 0) --hi;
    }
};

ACRYPTO_AESNI inline __m128i block_of(const Counter &c) {
    return _mm_set_epi64x(static_cast<long long>(__builtin_bswap64(c.lo)),
                          static_cast<long long>(__builtin_bswap64(c.hi)));
}

/// CTR over M whole blocks side by side from counter `*c`, which is moved on past them.
template <int R> struct CtrGroup {
    template <size_t M>
    ACRYPTO_AESNI static void run(const __m128i *k, const uint8_t *src, uint8_t *dst, Counter *c) {
        __m128i x[M];
        for (size_t j = 0; j < M; ++j) {
            x[j] = block_of(*c);
            c->add(1);
        }
        enc_ways<R, M>(k, x);
        for (size_t j = 0; j < M; ++j) store(dst + 16 * j, _mm_xor_si128(x[j], load(src + 16 * j)));
    }
};

/// CTR keystream over `n` bytes (a multiple of 8 blocks) with VAES, four pairs of
/// counter blocks side by side. The caller checks that the counter's low 64 bits do
/// not run over within them; `c` is moved on past them.
template <int R>
ACRYPTO_VAES void ctr_wide(const __m128i *k, const uint8_t *src, uint8_t *dst, size_t n,
                           Counter &c) {
    // Counters held little-endian, so the low word adds; each 16 bytes are reversed
    // into the big-endian counter block.
    const __m256i reverse = _mm256_setr_epi8(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,
                                             15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    const auto hi = static_cast<long long>(c.hi), lo = static_cast<long long>(c.lo);
    __m256i next = _mm256_set_epi64x(hi, lo + 1, hi, lo);
    const __m256i two = _mm256_set_epi64x(0, 2, 0, 2);
    for (size_t off = 0; off < n; off += kWays * 16) {
        __m256i x[kPairs];
        for (int j = 0; j < kPairs; ++j) {
            x[j] = _mm256_shuffle_epi8(next, reverse);
            next = _mm256_add_epi64(next, two);
        }
        rounds_wide<R, true>(k, x);
        for (int j = 0; j < kPairs; ++j)
            store2(dst + off + 32 * j, _mm256_xor_si256(x[j], load2(src + off + 32 * j)));
    }
    c.lo += n / 16;
    _mm256_zeroupper();
}

template <int R>
ACRYPTO_AESNI void ctr_r(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv,
                         uint32_t *num) {
    const auto *k = reinterpret_cast<const __m128i *>(s.enc);
    Counter c{be64(iv), be64(iv + 8)};
    uint32_t used = *num;
    size_t off = 0;
    alignas(16) uint8_t ks[16];
    bool ks_written = false; // only a partial block leaves keystream in ks (wiped below)
    if (used != 0) {         // finish the keystream block in use, E(counter - 1)
        Counter prev = c;
        prev.sub1();
        store(ks, enc_block<R>(k, block_of(prev)));
        ks_written = true;
        const size_t take = 16 - used < n ? 16 - used : n;
        for (size_t i = 0; i < take; ++i) dst[i] = src[i] ^ ks[used + i];
        off = take;
        used = static_cast<uint32_t>((used + take) % 16);
    }
    if (used == 0) {
        const size_t groups = (n - off) / (kWays * 16);
        if (groups != 0 && c.lo <= UINT64_MAX - groups * kWays && wide()) {
            ctr_wide<R>(k, src + off, dst + off, groups * kWays * 16, c);
            off += groups * kWays * 16;
        }
        for (; n - off >= kWays * 16; off += kWays * 16)
            CtrGroup<R>::template run<kWays>(k, src + off, dst + off, &c);
        if (n - off >= 16) {
            const size_t whole = (n - off) / 16;
            run_group<CtrGroup<R>>(whole, k, src + off, dst + off, &c);
            off += 16 * whole;
        }
        if (off < n) { // a partial block: its keystream stays in use
            store(ks, enc_block<R>(k, block_of(c)));
            ks_written = true;
            c.add(1);
            used = static_cast<uint32_t>(n - off);
            for (size_t i = 0; i < used; ++i) dst[off + i] = src[off + i] ^ ks[i];
        }
    }
    if (ks_written) OPENSSL_cleanse(ks, sizeof(ks));
    put_be64(iv, c.hi);
    put_be64(iv + 8, c.lo);
    *num = used;
}

/// The next XTS tweak: `t` times x in GF(2^128), little-endian (IEEE 1619), kept in a
/// register. Each 32-bit lane shifts left by one; the bit leaving a lane enters the
/// one above, and the bit leaving the top lane folds back into the bottom as 0x87.
ACRYPTO_AESNI inline __m128i tweak_next(__m128i t) {
    const __m128i carries = _mm_shuffle_epi32(_mm_srai_epi32(t, 31), 0x93);
    return _mm_xor_si128(_mm_add_epi32(t, t), _mm_and_si128(carries, _mm_set_epi32(1, 1, 1, 0x87)));
}

/**
 * The tweaks after `t` in turn (t·x, t·x², …; at most 24 of them), with two operations
 * each on their chain instead of tweak_next()'s five: each 64-bit half doubles, and what
 * leaves the halves (0x87 folded into the low one, 1 carried into the high one) is read
 * from a copy of the halves' top words that doubles beside it. Good for kMaxSteps (24): past
 * that, the 0x87 folded in would reach the copied low-half word.
 */
struct TweakRun {
    static constexpr size_t kMaxSteps = 24;
    __m128i t;
    __m128i tops;
    ACRYPTO_AESNI explicit TweakRun(__m128i t0) : t(t0), tops(_mm_shuffle_epi32(t0, 0x5f)) {}
    ACRYPTO_AESNI __m128i next() {
        const __m128i carry = _mm_and_si128(_mm_srai_epi32(tops, 31), _mm_set_epi32(0, 1, 0, 0x87));
        tops = _mm_add_epi32(tops, tops);
        t = _mm_xor_si128(_mm_add_epi64(t, t), carry);
        return t;
    }
};

/// Each 128-bit half of `t` times x^8 in GF(2^128): one byte up, and the byte that
/// leaves the top, h, folds back as h * 0x87 (carry-less: h ^ h<<1 ^ h<<2 ^ h<<7).
ACRYPTO_VAES inline __m256i tweak_times_x8(__m256i t) {
    const __m256i h = _mm256_srli_si256(t, 15);
    const __m256i fold =
        _mm256_xor_si256(_mm256_xor_si256(h, _mm256_slli_epi16(h, 1)),
                         _mm256_xor_si256(_mm256_slli_epi16(h, 2), _mm256_slli_epi16(h, 7)));
    return _mm256_xor_si256(_mm256_slli_si256(t, 1), fold);
}

/// XTS over `n` bytes (a multiple of 8 blocks) with VAES, four pairs of blocks
/// side by side, from the first block's tweak `t`; returns the next block's (by value:
/// a tweak whose address is taken lives in memory, its every step a store and a reload).
/// Each pair's tweaks move on by x^8 per round of 8 blocks: four short chains
/// instead of one long one.
template <int R, bool Enc>
ACRYPTO_VAES __m128i xts_wide(const __m128i *k, const uint8_t *src, uint8_t *dst, size_t n,
                              __m128i t) {
    static_assert(2 * kPairs <= TweakRun::kMaxSteps, "one TweakRun for the first pairs");
    __m256i tw[kPairs];
    TweakRun run(t);
    for (int j = 0; j < kPairs; ++j) {
        const __m128i lo = run.t;
        const __m128i hi = run.next();
        tw[j] = _mm256_set_m128i(hi, lo);
        run.next();
    }
    const __m256i k0 = _mm256_broadcastsi128_si256(k[0]);
    const __m256i kl = _mm256_broadcastsi128_si256(k[R]);
    for (size_t off = 0; off < n; off += kWays * 16) {
        __m256i x[kPairs];
        for (int j = 0; j < kPairs; ++j) x[j] = key0_then(load2(src + off + 32 * j), k0, tw[j]);
        middle_rounds_wide<R, Enc>(k, x);
        for (int j = 0; j < kPairs; ++j) {
            // The last round's key with the tweak folded in: one step less after the rounds.
            const __m256i last = _mm256_xor_si256(kl, tw[j]);
            store2(dst + off + 32 * j, Enc ? _mm256_aesenclast_epi128(x[j], last)
                                           : _mm256_aesdeclast_epi128(x[j], last));
            tw[j] = tweak_times_x8(tw[j]);
        }
    }
    // The next block's tweak: the first pair's low half, moved on past the last round.
    const __m128i next = _mm256_castsi256_si128(tw[0]);
    _mm256_zeroupper();
    return next;
}

/// One block through XTS's E or D under tweak `t`.
template <int R>
ACRYPTO_AESNI inline __m128i xts_block(const __m128i *k, bool enc, __m128i x, __m128i t) {
    x = _mm_xor_si128(x, t);
    return _mm_xor_si128(enc ? enc_block<R>(k, x) : dec_block<R>(k, x), t);
}

/// XTS over M whole blocks side by side from tweak `t`; returns the next block's tweak.
template <int R, bool Enc> struct XtsGroup {
    template <size_t M>
    ACRYPTO_AESNI static __m128i run(const __m128i *k, const uint8_t *src, uint8_t *dst,
                                     __m128i t) {
        static_assert(M <= TweakRun::kMaxSteps, "one TweakRun for a group");
        __m128i x[M], tw[M];
        TweakRun run(t);
        for (size_t j = 0; j < M; ++j) {
            tw[j] = run.t;
            x[j] = _mm_xor_si128(load(src + 16 * j), run.t);
            run.next();
        }
        if constexpr (Enc)
            enc_ways<R, M>(k, x);
        else
            dec_ways<R, M>(k, x);
        for (size_t j = 0; j < M; ++j) store(dst + 16 * j, _mm_xor_si128(x[j], tw[j]));
        return run.t;
    }
};

template <int R>
ACRYPTO_AESNI void xts_r(const Schedule &k1, const Schedule &k2, bool enc, const uint8_t *src,
                         uint8_t *dst, size_t n, const uint8_t *iv) {
    const auto *k = reinterpret_cast<const __m128i *>(enc ? k1.enc : k1.dec);
    __m128i t = enc_block<R>(reinterpret_cast<const __m128i *>(k2.enc), load(iv));
    const size_t rest = n % 16;
    // Blocks done the plain way: all, or all but the last whole one (stealing).
    const size_t plain = (n / 16 - (rest ? 1 : 0)) * 16;
    size_t off = 0;
    if (plain >= kWays * 16 && wide()) {
        off = plain / (kWays * 16) * (kWays * 16);
        t = enc ? xts_wide<R, true>(k, src, dst, off, t) : xts_wide<R, false>(k, src, dst, off, t);
    }
    for (; plain - off >= kWays * 16; off += kWays * 16)
        t = enc ? XtsGroup<R, true>::template run<kWays>(k, src + off, dst + off, t)
                : XtsGroup<R, false>::template run<kWays>(k, src + off, dst + off, t);
    if (off < plain) {
        const size_t m = (plain - off) / 16;
        t = enc ? run_group<XtsGroup<R, true>>(m, k, src + off, dst + off, t)
                : run_group<XtsGroup<R, false>>(m, k, src + off, dst + off, t);
        off = plain;
    }
    if (rest != 0) {
        // Ciphertext stealing over the last whole block (at off) and the partial one.
        const __m128i t_next = tweak_next(t);
        // Encrypt: the whole block under this tweak; decrypt: under the next one.
        const __m128i first = enc ? t : t_next;
        const __m128i second = enc ? t_next : t;
        alignas(16) uint8_t cc[16], tail[16];
        std::memcpy(tail, src + off + 16, rest); // read before anything is written (in place)
        store(cc, xts_block<R>(k, enc, load(src + off), first));
        std::memcpy(dst + off + 16, cc, rest);
        std::memcpy(cc, tail, rest); // the partial input over the head of cc
        store(dst + off, xts_block<R>(k, enc, load(cc), second));
        OPENSSL_cleanse(cc, sizeof(cc));
        OPENSSL_cleanse(tail, sizeof(tail));
    }
}

bool detect() noexcept {
    if (std::getenv("ACRYPTO_CPU_NO_AESNI") != nullptr) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") != 0;
}

bool detect_wide() noexcept {
    if (!available() || std::getenv("ACRYPTO_CPU_NO_VAES") != nullptr) return false;
    return __builtin_cpu_supports("vaes") != 0 && __builtin_cpu_supports("avx2") != 0;
}

/// Whether the VAES paths run (checked once): AES-NI, VAES and AVX2, and
/// ACRYPTO_CPU_NO_VAES not set.
bool wide() noexcept {
    static const bool yes = detect_wide();
    return yes;
}

} // namespace

bool available() noexcept {
    static const bool yes = detect();
    return yes;
}

ACRYPTO_AESNI bool expand(Schedule &s, const uint8_t *key, size_t key_len) noexcept {
    if (!available() || (key_len != 16 && key_len != 24 && key_len != 32)) return false;
    const size_t nk = key_len / 4;
    const int rounds = static_cast<int>(nk) + 6;
    uint32_t w[60];
    const auto total = static_cast<size_t>(4 * (rounds + 1));
    expand_words(w, key, nk, total);
    std::memcpy(s.enc, w, total * 4);
    OPENSSL_cleanse(w, sizeof(w));
    auto *e = reinterpret_cast<__m128i *>(s.enc);
    auto *d = reinterpret_cast<__m128i *>(s.dec);
    d[0] = e[rounds];
    for (int r = 1; r < rounds; ++r) d[r] = _mm_aesimc_si128(e[rounds - r]);
    d[rounds] = e[0];
    s.rounds = rounds;
    return true;
}

namespace {

template <int R, bool Enc>
ACRYPTO_AESNI int ecb_fn(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *,
                         uint32_t *) {
    ecb_dir<R, Enc>(reinterpret_cast<const __m128i *>(Enc ? s.enc : s.dec), src, dst, n);
    return 0;
}
template <int R>
ACRYPTO_AESNI int cbc_enc_fn(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n,
                             uint8_t *iv, uint32_t *) {
    cbc_enc_r<R>(s, src, dst, n, iv);
    return 0;
}
template <int R>
ACRYPTO_AESNI int cbc_dec_fn(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n,
                             uint8_t *iv, uint32_t *) {
    cbc_dec_r<R>(s, src, dst, n, iv);
    return 0;
}
template <int R>
ACRYPTO_AESNI int ctr_fn(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n, uint8_t *iv,
                         uint32_t *num) {
    ctr_r<R>(s, src, dst, n, iv, num);
    return 0;
}

template <int R> BlockFn block_fn_r(Mode mode, bool enc) noexcept {
    switch (mode) {
    case Mode::Ecb: return enc ? &ecb_fn<R, true> : &ecb_fn<R, false>;
    case Mode::Cbc: return enc ? &cbc_enc_fn<R> : &cbc_dec_fn<R>;
    case Mode::Ctr: return &ctr_fn<R>;
    }
    return nullptr;
}

} // namespace

BlockFn block_fn_for(const Schedule &s, Mode mode, bool enc) noexcept {
    if (!available()) return nullptr;
    switch (s.rounds) {
    case 10: return block_fn_r<10>(mode, enc);
    case 12: return block_fn_r<12>(mode, enc);
    case 14: return block_fn_r<14>(mode, enc);
    default: return nullptr;
    }
}

XtsFn xts_for(const Schedule &k1, const Schedule &k2) noexcept {
    if (!available() || k1.rounds != k2.rounds) return nullptr;
    switch (k1.rounds) {
    case 10: return &xts_r<10>;
    case 12: return &xts_r<12>;
    case 14: return &xts_r<14>;
    default: return nullptr;
    }
}

// The one-call forms, through the functions a kernel chooses once.

void ecb(const Schedule &s, bool enc, const uint8_t *src, uint8_t *dst, size_t n) noexcept {
    if (const BlockFn f = block_fn_for(s, Mode::Ecb, enc)) f(s, src, dst, n, nullptr, nullptr);
}

void cbc(const Schedule &s, bool enc, const uint8_t *src, uint8_t *dst, size_t n,
         uint8_t iv[16]) noexcept {
    if (const BlockFn f = block_fn_for(s, Mode::Cbc, enc)) f(s, src, dst, n, iv, nullptr);
}

void ctr(const Schedule &s, const uint8_t *src, uint8_t *dst, size_t n, uint8_t iv[16],
         uint32_t *num) noexcept {
    if (const BlockFn f = block_fn_for(s, Mode::Ctr, true)) f(s, src, dst, n, iv, num);
}

void xts(const Schedule &k1, const Schedule &k2, bool enc, const uint8_t *src, uint8_t *dst,
         size_t n, const uint8_t tweak[16]) noexcept {
    if (n < 16) return;
    if (const XtsFn f = xts_for(k1, k2)) f(k1, k2, enc, src, dst, n, tweak);
}

#else // no x86: never available

bool available() noexcept { return false; }
bool expand(Schedule &, const uint8_t *, size_t) noexcept { return false; }
void ecb(const Schedule &, bool, const uint8_t *, uint8_t *, size_t) noexcept {}
void cbc(const Schedule &, bool, const uint8_t *, uint8_t *, size_t, uint8_t *) noexcept {}
void ctr(const Schedule &, const uint8_t *, uint8_t *, size_t, uint8_t *, uint32_t *) noexcept {}
void xts(const Schedule &, const Schedule &, bool, const uint8_t *, uint8_t *, size_t,
         const uint8_t *) noexcept {}
BlockFn block_fn_for(const Schedule &, Mode, bool) noexcept { return nullptr; }
XtsFn xts_for(const Schedule &, const Schedule &) noexcept { return nullptr; }

#endif

} // namespace acrypto::soft::cpu::aesni
