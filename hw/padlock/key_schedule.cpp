// SPDX-License-Identifier: Apache-2.0
// AES key expansion (FIPS-197 §5.2, §5.3.5) for ACE keygen=1; the driver cannot link libcrypto.
#include "key_schedule.hpp"

#include <array>
#include <cstring>

#include "regs.hpp"

namespace acrypto::hw::padlock {

namespace {

constexpr uint8_t xtime(uint8_t x) {
    return static_cast<uint8_t>((x << 1) ^ ((x & 0x80) ? 0x1B : 0));
}

constexpr uint8_t gmul(uint8_t a, uint8_t b) {
    uint8_t p = 0;
    for (int i = 0; i < 8; ++i) {
        if (b & 1) p ^= a;
        a = xtime(a);
        b >>= 1;
    }
    return p;
}

constexpr std::array<uint8_t, 256> make_sbox() {
    std::array<uint8_t, 256> s{};
    for (int x = 0; x < 256; ++x) {
        // Multiplicative inverse as x^254, then the affine transform.
        uint8_t inv = 1, base = static_cast<uint8_t>(x);
        for (int e = 254; e; e >>= 1) {
            if (e & 1) inv = gmul(inv, base);
            base = gmul(base, base);
        }
        if (x == 0) inv = 0;
        uint8_t r = inv;
        for (int k = 1; k < 5; ++k) r ^= static_cast<uint8_t>((inv << k) | (inv >> (8 - k)));
        s[x] = static_cast<uint8_t>(r ^ 0x63);
    }
    return s;
}

constexpr std::array<uint8_t, 256> kSbox = make_sbox();
static_assert(kSbox[0x00] == 0x63 && kSbox[0x53] == 0xED && kSbox[0xFF] == 0x16);

} // namespace

uint32_t aes_rounds(size_t key_len) {
    switch (key_len) {
    case 16: return 10;
    case 24: return 12;
    case 32: return 14;
    default: return 0;
    }
}

void aes_expand_forward(const uint8_t *key, size_t key_len, uint8_t *out) {
    const size_t nk = key_len / 4;
    const size_t total = 4 * (aes_rounds(key_len) + 1);
    std::memcpy(out, key, key_len);
    uint8_t rcon = 1;
    for (size_t i = nk; i < total; ++i) {
        uint8_t t[4];
        std::memcpy(t, out + 4 * (i - 1), 4);
        if (i % nk == 0) {
            const uint8_t t0 = t[0];
            t[0] = static_cast<uint8_t>(kSbox[t[1]] ^ rcon);
            t[1] = kSbox[t[2]];
            t[2] = kSbox[t[3]];
            t[3] = kSbox[t0];
            rcon = xtime(rcon);
        } else if (nk > 6 && i % nk == 4) {
            for (auto &b : t) b = kSbox[b];
        }
        for (int j = 0; j < 4; ++j)
            out[4 * i + j] = static_cast<uint8_t>(out[4 * (i - nk) + j] ^ t[j]);
    }
    secure_wipe(&rcon, sizeof rcon);
}

void aes_mix_columns(const uint8_t in[16], uint8_t out[16]) {
    for (int c = 0; c < 4; ++c) {
        const uint8_t *a = in + 4 * c;
        out[4 * c + 0] = static_cast<uint8_t>(gmul(a[0], 2) ^ gmul(a[1], 3) ^ a[2] ^ a[3]);
        out[4 * c + 1] = static_cast<uint8_t>(a[0] ^ gmul(a[1], 2) ^ gmul(a[2], 3) ^ a[3]);
        out[4 * c + 2] = static_cast<uint8_t>(a[0] ^ a[1] ^ gmul(a[2], 2) ^ gmul(a[3], 3));
        out[4 * c + 3] = static_cast<uint8_t>(gmul(a[0], 3) ^ a[1] ^ a[2] ^ gmul(a[3], 2));
    }
}

void aes_inv_mix_columns(const uint8_t in[16], uint8_t out[16]) {
    for (int c = 0; c < 4; ++c) {
        const uint8_t *a = in + 4 * c;
        out[4 * c + 0] =
            static_cast<uint8_t>(gmul(a[0], 14) ^ gmul(a[1], 11) ^ gmul(a[2], 13) ^ gmul(a[3], 9));
        out[4 * c + 1] =
            static_cast<uint8_t>(gmul(a[0], 9) ^ gmul(a[1], 14) ^ gmul(a[2], 11) ^ gmul(a[3], 13));
        out[4 * c + 2] =
            static_cast<uint8_t>(gmul(a[0], 13) ^ gmul(a[1], 9) ^ gmul(a[2], 14) ^ gmul(a[3], 11));
        out[4 * c + 3] =
            static_cast<uint8_t>(gmul(a[0], 11) ^ gmul(a[1], 13) ^ gmul(a[2], 9) ^ gmul(a[3], 14));
    }
}

void aes_expand_decrypt(const uint8_t *key, size_t key_len, uint8_t *out) {
    const uint32_t nr = aes_rounds(key_len);
    uint8_t fwd[regs::KEY_SCHEDULE_BYTES];
    aes_expand_forward(key, key_len, fwd);
    std::memcpy(out, fwd + 16 * nr, 16);
    for (uint32_t i = 1; i < nr; ++i) aes_inv_mix_columns(fwd + 16 * (nr - i), out + 16 * i);
    std::memcpy(out + 16 * nr, fwd, 16);
    secure_wipe(fwd, sizeof fwd);
}

uint32_t make_control_word(size_t key_len, bool keygen, bool decrypt) {
    const uint32_t size_code = key_len == 16 ? 0u : key_len == 24 ? 1u : 2u;
    return aes_rounds(key_len) | (keygen ? regs::CW_KEYGEN : 0u) |
           (decrypt ? regs::CW_DECRYPT : 0u) | (size_code << regs::CW_KEYSIZE_SHIFT);
}

void secure_wipe(void *p, size_t len) {
    volatile uint8_t *v = static_cast<volatile uint8_t *>(p);
    while (len--) *v++ = 0;
}

} // namespace acrypto::hw::padlock
