// SPDX-License-Identifier: Apache-2.0
// OwnedSession builders and byte helpers for device tests.
#include "session_builder.hpp"

#include <atomic>
#include <cstring>
#include <stdexcept>

#include <openssl/crypto.h>

namespace acrypto::test {

namespace {

std::atomic<uint64_t> g_key_id{0x7e57000000000000ull};
std::atomic<uint64_t> g_session_id{1};

constexpr size_t kAlign = 64;

// Backing storage with the span starting `off` bytes past a 64-byte boundary.
size_t place(Bytes &buf, size_t n, size_t off) {
    buf.assign(n + off + 2 * kAlign, 0xA5);
    auto base = reinterpret_cast<uintptr_t>(buf.data());
    size_t pad = (kAlign - base % kAlign) % kAlign;
    return pad + off % kAlign;
}

} // namespace

uint64_t next_key_id() { return g_key_id.fetch_add(1) + 1; }

OwnedSession::OwnedSession() {
    s.struct_size = sizeof(acrypto_session);
    s.priority = 3;
    s.nsteps = 1;
    s.cur = 0;
    s.ncur = 1;
    s.id = g_session_id.fetch_add(1);
    s.steps = steps.data();
}

OwnedSession::~OwnedSession() {
    for (auto &k : key_bytes)
        if (!k.empty()) OPENSSL_cleanse(k.data(), k.size());
}

std::span<const uint8_t> OwnedSession::output(uint32_t i) const {
    const acrypto_step &st = steps[i];
    size_t n = st.out_len <= st.dst_len ? st.out_len : st.dst_len;
    return {st.dst, n};
}

void OwnedSession::set_input(uint32_t i, std::span<const uint8_t> input, const BufferLayout &layout,
                             size_t dst_len) {
    acrypto_step &st = steps[i];
    size_t out = dst_len == SIZE_MAX ? input.size() : dst_len;
    if (layout.in_place) {
        size_t room = std::max(input.size(), out) + layout.dst_extra;
        dst_off[i] = place(dst_buf[i], room, layout.src_offset);
        if (!input.empty()) std::memcpy(dst_buf[i].data() + dst_off[i], input.data(), input.size());
        st.dst = dst_buf[i].data() + dst_off[i];
        st.src = st.dst;
        st.dst_len = room;
        st.flags |= ACRYPTO_STEP_F_INPLACE;
    } else {
        src_off[i] = place(src_buf[i], input.size(), layout.src_offset);
        if (!input.empty()) std::memcpy(src_buf[i].data() + src_off[i], input.data(), input.size());
        size_t room = out + layout.dst_extra;
        dst_off[i] = place(dst_buf[i], room, layout.dst_offset);
        st.src = src_buf[i].data() + src_off[i];
        st.dst = dst_buf[i].data() + dst_off[i];
        st.dst_len = room;
        st.flags &= ~uint32_t(ACRYPTO_STEP_F_INPLACE);
    }
    st.src_len = input.size();
    st.out_len = 0;
}

void OwnedSession::set_key(uint32_t i, uint32_t alg, std::span<const uint8_t> key) {
    if (!key_bytes[i].empty()) OPENSSL_cleanse(key_bytes[i].data(), key_bytes[i].size());
    key_bytes[i].assign(key.begin(), key.end());
    keys[i] = acrypto_key{};
    keys[i].id = next_key_id();
    keys[i].alg = alg;
    keys[i].data = key_bytes[i].data();
    keys[i].len = key_bytes[i].size();
    steps[i].key = &keys[i];
}

void OwnedSession::set_aad(uint32_t i, std::span<const uint8_t> aad) {
    aad_buf[i].assign(aad.begin(), aad.end());
    steps[i].aad = aad_buf[i].empty() ? nullptr : aad_buf[i].data();
    steps[i].aad_len = aad_buf[i].size();
}

acrypto_step &OwnedSession::add_step() {
    if (s.nsteps >= ACRYPTO_MAX_STEPS) throw std::length_error("too many steps");
    return steps[s.nsteps++];
}

size_t digest_size(uint32_t alg) {
    switch (alg) {
    case ACRYPTO_ALG_MD5: return 16;
    case ACRYPTO_ALG_SHA1: return 20;
    case ACRYPTO_ALG_SHA224: return 28;
    case ACRYPTO_ALG_SHA256: return 32;
    case ACRYPTO_ALG_SHA384: return 48;
    case ACRYPTO_ALG_SHA512: return 64;
    default: return 0;
    }
}

size_t digest_state_size(uint32_t alg) {
    switch (alg) {
    case ACRYPTO_ALG_MD5: return 16;
    case ACRYPTO_ALG_SHA1: return 20;
    case ACRYPTO_ALG_SHA224:
    case ACRYPTO_ALG_SHA256: return 32;
    case ACRYPTO_ALG_SHA384:
    case ACRYPTO_ALG_SHA512: return 64;
    default: return 0;
    }
}

size_t digest_block_size(uint32_t alg) {
    switch (alg) {
    case ACRYPTO_ALG_MD5:
    case ACRYPTO_ALG_SHA1:
    case ACRYPTO_ALG_SHA224:
    case ACRYPTO_ALG_SHA256: return 64;
    case ACRYPTO_ALG_SHA384:
    case ACRYPTO_ALG_SHA512: return 128;
    default: return 0;
    }
}

size_t cipher_block_size(uint32_t alg) {
    switch (alg) {
    case ACRYPTO_ALG_AES: return 16;
    case ACRYPTO_ALG_DES:
    case ACRYPTO_ALG_DES_EDE3: return 8;
    default: return 1;
    }
}

std::unique_ptr<OwnedSession> make_cipher(uint32_t alg, uint32_t mode, uint32_t dir,
                                          std::span<const uint8_t> key, std::span<const uint8_t> iv,
                                          std::span<const uint8_t> input,
                                          const BufferLayout &layout) {
    auto o = std::make_unique<OwnedSession>();
    acrypto_step &st = o->steps[0];
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = alg;
    st.mode = mode;
    st.dir = dir;
    o->set_key(0, alg, key);
    if (iv.size() > ACRYPTO_MAX_IV) throw std::length_error("iv too long");
    if (!iv.empty()) std::memcpy(st.iv, iv.data(), iv.size());
    st.iv_len = static_cast<uint32_t>(iv.size());
    o->set_input(0, input, layout);
    return o;
}

std::unique_ptr<OwnedSession>
make_aead(uint32_t alg, uint32_t mode, uint32_t dir, std::span<const uint8_t> key,
          std::span<const uint8_t> iv, std::span<const uint8_t> aad, std::span<const uint8_t> input,
          std::span<const uint8_t> tag, uint32_t tag_len, const BufferLayout &layout) {
    auto o = make_cipher(alg, mode, dir, key, iv, input, layout);
    acrypto_step &st = o->steps[0];
    o->set_aad(0, aad);
    if (tag_len > ACRYPTO_MAX_TAG || tag.size() > ACRYPTO_MAX_TAG)
        throw std::length_error("tag too long");
    st.tag_len = tag_len;
    if (!tag.empty()) std::memcpy(st.tag, tag.data(), tag.size());
    return o;
}

std::unique_ptr<OwnedSession> make_digest(uint32_t alg, std::span<const uint8_t> input,
                                          uint32_t flags, const BufferLayout &layout) {
    auto o = std::make_unique<OwnedSession>();
    acrypto_step &st = o->steps[0];
    st.op = ACRYPTO_OP_DIGEST;
    st.alg = alg;
    st.flags = flags;
    BufferLayout l = layout;
    l.in_place = false;
    o->set_input(0, input, l, digest_size(alg) ? digest_size(alg) : 64);
    st.flags = flags;
    return o;
}

std::unique_ptr<OwnedSession> make_hmac(uint32_t digest_alg, std::span<const uint8_t> key,
                                        std::span<const uint8_t> input, uint32_t flags,
                                        const BufferLayout &layout) {
    auto o = std::make_unique<OwnedSession>();
    acrypto_step &st = o->steps[0];
    st.op = ACRYPTO_OP_MAC;
    st.alg = digest_alg;
    st.mode = ACRYPTO_MODE_HMAC;
    o->set_key(0, digest_alg, key);
    BufferLayout l = layout;
    l.in_place = false;
    o->set_input(0, input, l, digest_size(digest_alg) ? digest_size(digest_alg) : 64);
    st.flags = flags;
    return o;
}

std::unique_ptr<OwnedSession> make_cmac(uint32_t cipher_alg, std::span<const uint8_t> key,
                                        std::span<const uint8_t> input,
                                        const BufferLayout &layout) {
    auto o = std::make_unique<OwnedSession>();
    acrypto_step &st = o->steps[0];
    st.op = ACRYPTO_OP_MAC;
    st.alg = cipher_alg;
    st.mode = ACRYPTO_MODE_CMAC;
    o->set_key(0, cipher_alg, key);
    BufferLayout l = layout;
    l.in_place = false;
    o->set_input(0, input, l, 16);
    st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    return o;
}

std::unique_ptr<OwnedSession> make_rand(size_t len, const BufferLayout &layout) {
    auto o = std::make_unique<OwnedSession>();
    acrypto_step &st = o->steps[0];
    st.op = ACRYPTO_OP_RAND;
    st.alg = ACRYPTO_ALG_RNG;
    BufferLayout l = layout;
    l.in_place = false;
    o->set_input(0, {}, l, len);
    st.src = nullptr;
    return o;
}

Bytes pattern_bytes(size_t n, uint64_t seed) {
    Bytes b(n);
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    uint8_t *p = b.data();
    for (size_t i = 0; i < n; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t v = x * 0x2545F4914F6CDD1Dull;
        std::memcpy(p + i, &v, n - i < 8 ? n - i : 8);
    }
    return b;
}

Bytes from_hex(std::string_view hex) {
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out;
    int hi = -1;
    for (char c : hex) {
        if (c == ' ' || c == ':' || c == '\t') continue;
        int v = nib(c);
        if (v < 0) throw std::invalid_argument("bad hex digit");
        if (hi < 0) {
            hi = v;
        } else {
            out.push_back(static_cast<uint8_t>(hi << 4 | v));
            hi = -1;
        }
    }
    if (hi >= 0) throw std::invalid_argument("odd number of hex digits");
    return out;
}

std::string to_hex(std::span<const uint8_t> b) {
    static const char d[] = "0123456789abcdef";
    std::string s;
    s.reserve(b.size() * 2);
    for (uint8_t c : b) {
        s.push_back(d[c >> 4]);
        s.push_back(d[c & 15]);
    }
    return s;
}

} // namespace acrypto::test
