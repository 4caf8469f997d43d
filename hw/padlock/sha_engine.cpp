// SPDX-License-Identifier: Apache-2.0
// ShaEngine: PHE/PHE2 hashing with the state layout of spec §5.1 and the EAX modes of §5.2.
#include "sha_engine.hpp"

#include <cstring>
#include <limits>

#include "key_schedule.hpp"
#include "regs.hpp"

namespace acrypto::hw::padlock {

namespace {

struct ShaInfo {
    uint32_t alg;
    ShaOp op;
    size_t block;      ///< bytes per compression block
    size_t words;      ///< chaining words
    size_t word_bytes; ///< 4 or 8
    size_t digest;     ///< output bytes
    uint64_t iv[8];    ///< FIPS 180-4 initial hash value
};

constexpr ShaInfo kSha[] = {
    {ACRYPTO_ALG_SHA1,
     ShaOp::Sha1,
     64,
     5,
     4,
     20,
     {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0}},
    {ACRYPTO_ALG_SHA224,
     ShaOp::Sha256,
     64,
     8,
     4,
     28,
     {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7,
      0xbefa4fa4}},
    {ACRYPTO_ALG_SHA256,
     ShaOp::Sha256,
     64,
     8,
     4,
     32,
     {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
      0x5be0cd19}},
    {ACRYPTO_ALG_SHA384,
     ShaOp::Sha512,
     128,
     8,
     8,
     48,
     {0xcbbb9d5dc1059ed8, 0x629a292a367cd507, 0x9159015a3070dd17, 0x152fecd8f70e5939,
      0x67332667ffc00b31, 0x8eb44a8768581511, 0xdb0c2e0d64f98fa7, 0x47b5481dbefa4fa4}},
    {ACRYPTO_ALG_SHA512,
     ShaOp::Sha512,
     128,
     8,
     8,
     64,
     {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
      0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179}},
};

const ShaInfo *info_of(uint32_t alg) {
    for (const auto &i : kSha)
        if (i.alg == alg) return &i;
    return nullptr;
}

/// Words to/from the engine's little-endian state (§5.1) and the ABI's big-endian state.
void put_le(const ShaInfo &in, const uint64_t *w, uint8_t *p) {
    for (size_t i = 0; i < in.words; ++i)
        for (size_t j = 0; j < in.word_bytes; ++j)
            p[i * in.word_bytes + j] = static_cast<uint8_t>(w[i] >> (8 * j));
}
void get_le(const ShaInfo &in, const uint8_t *p, uint64_t *w) {
    for (size_t i = 0; i < in.words; ++i) {
        w[i] = 0;
        for (size_t j = 0; j < in.word_bytes; ++j)
            w[i] |= uint64_t(p[i * in.word_bytes + j]) << (8 * j);
    }
}
void put_be(const ShaInfo &in, const uint64_t *w, uint8_t *p, size_t limit) {
    for (size_t i = 0; i < in.words; ++i)
        for (size_t j = 0; j < in.word_bytes; ++j) {
            const size_t at = i * in.word_bytes + j;
            if (at < limit) p[at] = static_cast<uint8_t>(w[i] >> (8 * (in.word_bytes - 1 - j)));
        }
}
void get_be(const ShaInfo &in, const uint8_t *p, uint64_t *w) {
    for (size_t i = 0; i < in.words; ++i) {
        w[i] = 0;
        for (size_t j = 0; j < in.word_bytes; ++j) w[i] = w[i] << 8 | p[i * in.word_bytes + j];
    }
}

} // namespace

bool ShaEngine::supports(uint32_t alg) const {
    const ShaInfo *in = info_of(alg);
    if (!in) return false;
    if (in->op == ShaOp::Sha512) return f_.phe2;
    // SHA-224 needs its own IV in the state, which only block mode accepts.
    if (alg == ACRYPTO_ALG_SHA224) return f_.phe && f_.phe_block_mode;
    return f_.phe;
}

bool ShaEngine::partial(uint32_t alg) const {
    const ShaInfo *in = info_of(alg);
    return in && supports(alg) && (in->op == ShaOp::Sha512 || f_.phe_block_mode);
}

int ShaEngine::call(ShaOp op, const uint8_t *src, uint64_t rcx, uint64_t rax, Scratch &s) {
    Regs r;
    r.rsi = reinterpret_cast<uintptr_t>(src);
    r.rdi = reinterpret_cast<uintptr_t>(s.phe_state);
    r.rcx = rcx;
    r.rax = rax;
    stats_.add(Stat::Instructions);
    switch (isa_.xsha(op, r)) { // every register but the state buffer is clobbered (§2.2)
    case Fault::None: return ACRYPTO_OK;
    case Fault::InvalidOpcode: stats_.add(Stat::FaultUd); break;
    case Fault::GeneralProtection: stats_.add(Stat::FaultGp); break;
    case Fault::PageFault: stats_.add(Stat::FaultPf); break;
    }
    return ACRYPTO_E_DEVICE;
}

int ShaEngine::run(acrypto_step &st, Scratch &s) {
    const ShaInfo *in = info_of(st.alg);
    if (st.op != ACRYPTO_OP_DIGEST || !in || !supports(st.alg)) return ACRYPTO_E_UNSUPPORTED;
    const bool first = st.flags & ACRYPTO_STEP_F_FIRST;
    const bool final = st.flags & ACRYPTO_STEP_F_FINAL;
    if (st.src_len && !st.src) return ACRYPTO_E_INVALID;
    if (!final && st.src_len % in->block != 0) return ACRYPTO_E_INVALID;
    if (final && (!st.dst || st.dst_len < in->digest)) return ACRYPTO_E_INVALID;
    const uint64_t already = first ? 0 : st.state_len;
    if (already % in->block != 0) return ACRYPTO_E_INVALID;
    const bool block_mode = in->op == ShaOp::Sha512 || f_.phe_block_mode;
    if (!block_mode && !final)
        return ACRYPTO_E_UNSUPPORTED; // C7: no unpadded intermediate state (§5.2)

    uint64_t w[8] = {};
    if (first)
        std::memcpy(w, in->iv, sizeof w);
    else
        get_be(*in, st.state, w);
    std::memset(s.phe_state, 0, sizeof s.phe_state);
    put_le(*in, w, s.phe_state);

    int rc = ACRYPTO_OK;
    const uint64_t total = already + st.src_len;
    if (block_mode) {
        const uint64_t whole = st.src_len / in->block;
        // Zhaoxin ignores ECX=0 (§1.4): never issue an empty call.
        if (whole > 0) rc = call(in->op, st.src, whole, std::numeric_limits<uint64_t>::max(), s);
        if (rc == ACRYPTO_OK && final) {
            // Software padding: 0x80, zeros, big-endian bit length (64 or 128 bits).
            const size_t tail = st.src_len % in->block;
            const size_t len_field = in->block == 128 ? 16 : 8;
            const size_t blocks = tail + 1 + len_field > in->block ? 2 : 1;
            std::memset(s.pad, 0, sizeof s.pad);
            if (tail) std::memcpy(s.pad, st.src + whole * in->block, tail);
            s.pad[tail] = 0x80;
            const uint64_t bits_lo = total << 3, bits_hi = total >> 61;
            uint8_t *end = s.pad + blocks * in->block;
            for (int i = 0; i < 8; ++i) end[-1 - i] = static_cast<uint8_t>(bits_lo >> (8 * i));
            if (len_field == 16)
                for (int i = 0; i < 8; ++i) end[-9 - i] = static_cast<uint8_t>(bits_hi >> (8 * i));
            rc = call(in->op, s.pad, blocks, std::numeric_limits<uint64_t>::max(), s);
        }
    } else {
        // C7: EAX=0 hashes from the IV, EAX=n finishes from the state after n bytes; ECX is
        // the total length and a 32-bit count on these parts.
        if (total > std::numeric_limits<uint32_t>::max()) return ACRYPTO_E_UNSUPPORTED;
        rc = call(in->op, st.src, total, already, s);
    }
    if (rc != ACRYPTO_OK) return rc;
    get_le(*in, s.phe_state, w);
    if (final) {
        put_be(*in, w, st.dst, in->digest);
        st.out_len = in->digest;
    } else {
        std::memset(st.state, 0, sizeof st.state);
        put_be(*in, w, st.state, sizeof st.state);
        st.state_len = total;
        st.out_len = 0;
    }
    secure_wipe(w, sizeof w);
    stats_.add(Stat::BytesDigest, st.src_len);
    return ACRYPTO_OK;
}

} // namespace acrypto::hw::padlock
