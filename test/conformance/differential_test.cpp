// SPDX-License-Identifier: Apache-2.0
// Conformance: random differential checks against libcrypto's default provider.
#include <algorithm>
#include <set>

#include "conformance.hpp"

namespace acrypto::test::conformance {

namespace {

bool is_plain_cipher_mode(uint32_t mode) {
    switch (mode) {
    case ACRYPTO_MODE_ECB:
    case ACRYPTO_MODE_CBC:
    case ACRYPTO_MODE_CFB:
    case ACRYPTO_MODE_OFB:
    case ACRYPTO_MODE_CTR:
    case ACRYPTO_MODE_STREAM:
    case ACRYPTO_MODE_XTS: return true;
    default: return false;
    }
}

size_t iv_len_for(uint32_t alg, uint32_t mode) {
    if (mode == ACRYPTO_MODE_ECB) return 0;
    if (alg == ACRYPTO_ALG_CHACHA20) return mode == ACRYPTO_MODE_STREAM ? 16 : 12;
    if (mode == ACRYPTO_MODE_GCM) return 12;
    return cipher_block_size(alg);
}

/// Input sizes for a cipher capability: 0, one block, odd sizes where the mode
/// allows, up to `max` (and max itself).
std::vector<size_t> cipher_sizes(const acrypto_capability &cap, size_t max) {
    const size_t b = cipher_block_size(cap.alg);
    const bool whole = (cap.flags & ACRYPTO_CAP_F_BLOCK_MULTIPLE) || cap.mode == ACRYPTO_MODE_ECB ||
                       cap.mode == ACRYPTO_MODE_CBC;
    std::set<size_t> s;
    if (whole) {
        for (size_t n : {size_t{0}, b, 3 * b, size_t{4096}, size_t{65536} + b, size_t{1} << 20})
            s.insert(n);
    } else if (cap.mode == ACRYPTO_MODE_XTS) {
        for (size_t n : {size_t{16}, size_t{17}, size_t{31}, size_t{512}, size_t{4096},
                         size_t{4096} + 5, size_t{1} << 20})
            s.insert(n);
    } else {
        for (size_t n : {size_t{0}, size_t{1}, b, b + 1, size_t{37}, size_t{1000}, size_t{4097},
                         size_t{65537}, (size_t{1} << 20) - 3})
            s.insert(n);
    }
    size_t top = whole ? max / b * b : max;
    std::vector<size_t> out;
    for (size_t n : s)
        if (n <= top) out.push_back(n);
    if (top > 0 && (out.empty() || out.back() != top) && top <= (size_t{16} << 20))
        out.push_back(top); // the device's own max_input (or the suite's bound)
    return out;
}

} // namespace

class Differential : public DeviceConformance {
  protected:
    /// One cipher run vs the reference; checks output and, except XTS, the chaining state.
    void check_cipher(const acrypto_capability &cap, size_t key_len, uint32_t dir, size_t n,
                      const BufferLayout &layout, uint64_t seed);
};

void Differential::check_cipher(const acrypto_capability &cap, size_t key_len, uint32_t dir,
                                size_t n, const BufferLayout &layout, uint64_t seed) {
    SCOPED_TRACE(cap_name(cap) + " key " + std::to_string(key_len) + " dir " + std::to_string(dir) +
                 " len " + std::to_string(n) + (layout.in_place ? " in-place" : " out-of-place") +
                 " offsets " + std::to_string(layout.src_offset) + "/" +
                 std::to_string(layout.dst_offset));
    Bytes key = pattern_bytes(key_len, seed);
    if (cap.mode == ACRYPTO_MODE_XTS) // the two halves must differ
        key[key_len / 2] ^= 0x5a;
    const Bytes iv = pattern_bytes(iv_len_for(cap.alg, cap.mode), seed + 1);
    const Bytes in = pattern_bytes(n, seed + 2);
    CipherState ref_state;
    Bytes want;
    try {
        want = reference_cipher(cap.alg, cap.mode, dir, key, iv, in, &ref_state);
    } catch (const std::exception &e) {
        FAIL() << "reference refused: " << e.what();
    }
    auto s = make_cipher(cap.alg, cap.mode, dir, key, iv, in, layout);
    ASSERT_EQ(run(*s), ACRYPTO_OK);
    ASSERT_EQ(s->step().out_len, n);
    ASSERT_TRUE(s->output_bytes() == want) << "output differs from the default provider";
    if (cap.mode != ACRYPTO_MODE_XTS && cap.mode != ACRYPTO_MODE_ECB && n > 0 &&
        cap.alg != ACRYPTO_ALG_CHACHA20) {
        EXPECT_EQ(to_hex({s->step().iv, ref_state.iv.size()}), to_hex(ref_state.iv))
            << "chaining IV";
        if (cap.mode != ACRYPTO_MODE_CBC) {
            EXPECT_EQ(s->step().num, ref_state.num) << "num";
        }
    }
}

TEST_P(Differential, Ciphers) {
    int ran = 0;
    uint64_t seed = 1;
    for (const auto *cap : caps_of(ACRYPTO_OP_CIPHER)) {
        if (!is_plain_cipher_mode(cap->mode)) continue;
        const auto keys = cap_key_sizes(*cap);
        for (size_t k : keys) {
            if (!reference_has_cipher(cap->alg, cap->mode, k)) continue;
            for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
                if (!(cap->dirs & dir)) continue;
                for (size_t n : cipher_sizes(*cap, max_bytes(*cap))) {
                    // Large inputs once per mode and direction (largest key): the key
                    // schedule does not depend on the length.
                    if (n > 16384 && k != keys.back()) continue;
                    check_cipher(*cap, k, dir, n, {}, seed++);
                    ++ran;
                    if (HasFatalFailure()) return;
                }
            }
        }
    }
    if (!ran) GTEST_SKIP() << "no plain cipher capability declared";
}

TEST_P(Differential, CipherBufferLayouts) {
    // In place, out of place, and unaligned: one key size, sizes up to 4 KiB + odd.
    const BufferLayout layouts[] = {
        {true, 0, 0, 0}, {false, 1, 3, 0}, {false, 7, 0, 0}, {true, 5, 0, 0}, {false, 0, 0, 64}};
    int ran = 0;
    uint64_t seed = 1000;
    for (const auto *cap : caps_of(ACRYPTO_OP_CIPHER)) {
        if (!is_plain_cipher_mode(cap->mode)) continue;
        size_t k = cap_key_sizes(*cap).back();
        if (!reference_has_cipher(cap->alg, cap->mode, k)) continue;
        for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
            if (!(cap->dirs & dir)) continue;
            for (size_t n : cipher_sizes(*cap, std::min<size_t>(max_bytes(*cap), 8192))) {
                for (const auto &l : layouts) {
                    check_cipher(*cap, k, dir, n, l, seed++);
                    ++ran;
                    if (HasFatalFailure()) return;
                }
            }
        }
    }
    if (!ran) GTEST_SKIP() << "no plain cipher capability declared";
}

TEST_P(Differential, CipherChunkContinuation) {
    // A message cut in chunks (block-aligned, and mid-block where the mode streams),
    // each chunk continuing from the previous one's iv/num, equals the one-shot result.
    int ran = 0;
    uint64_t seed = 2000;
    for (const auto *cap : caps_of(ACRYPTO_OP_CIPHER)) {
        if (!is_plain_cipher_mode(cap->mode) || cap->mode == ACRYPTO_MODE_XTS) continue;
        const size_t b = cipher_block_size(cap->alg);
        const bool whole = (cap->flags & ACRYPTO_CAP_F_BLOCK_MULTIPLE) ||
                           cap->mode == ACRYPTO_MODE_ECB || cap->mode == ACRYPTO_MODE_CBC;
        std::vector<std::vector<size_t>> plans = {{2 * b, 5 * b, 3 * b}};
        if (!whole) plans.push_back({7, b + 3, 1, 2 * b + 5, 11});
        size_t k = cap_key_sizes(*cap).front();
        if (!reference_has_cipher(cap->alg, cap->mode, k)) continue;
        for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
            if (!(cap->dirs & dir)) continue;
            for (const auto &plan : plans) {
                size_t total = 0;
                for (size_t c : plan) total += c;
                const Bytes key = pattern_bytes(k, seed),
                            iv = pattern_bytes(iv_len_for(cap->alg, cap->mode), seed + 1);
                const Bytes in = pattern_bytes(total, seed + 2);
                seed += 3;
                const Bytes want = reference_cipher(cap->alg, cap->mode, dir, key, iv, in);
                auto s = make_cipher(cap->alg, cap->mode, dir, key, iv, {});
                Bytes got;
                size_t off = 0;
                for (size_t c : plan) {
                    s->set_input(0, {in.data() + off, c});
                    ASSERT_EQ(run(*s), ACRYPTO_OK) << cap_name(*cap) << " chunk at " << off;
                    auto o = s->output();
                    got.insert(got.end(), o.begin(), o.end());
                    off += c;
                }
                EXPECT_EQ(to_hex(got), to_hex(want)) << cap_name(*cap) << " dir " << dir;
                ++ran;
            }
        }
    }
    if (!ran) GTEST_SKIP() << "no chainable cipher capability declared";
}

TEST_P(Differential, Digests) {
    const size_t sizes[] = {0,   1,   3,   55,  56,  63,   64,        65,
                            111, 112, 127, 128, 129, 1000, 65536 + 7, size_t{1} << 20};
    int ran = 0;
    uint64_t seed = 3000;
    for (const auto *cap : caps_of(ACRYPTO_OP_DIGEST)) {
        if (digest_name(cap->alg).empty()) continue;
        std::vector<size_t> ns(std::begin(sizes), std::end(sizes));
        if (cap->max_input && cap->max_input <= (uint64_t{16} << 20))
            ns.push_back(static_cast<size_t>(cap->max_input)); // the declared limit itself
        for (size_t n : ns) {
            if (n > max_bytes(*cap) && n != cap->max_input) continue;
            const Bytes in = pattern_bytes(n, seed++);
            auto s = make_digest(cap->alg, in, ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL,
                                 BufferLayout{false, n % 7, 0, 0});
            ASSERT_EQ(run(*s), ACRYPTO_OK) << cap_name(*cap) << " len " << n;
            EXPECT_EQ(to_hex(s->output()), to_hex(reference_digest(cap->alg, in)))
                << cap_name(*cap) << " len " << n;
            ++ran;
        }
    }
    if (!ran) GTEST_SKIP() << "no digest capability declared";
}

TEST_P(Differential, Hmacs) {
    const size_t keys[] = {0, 1, 16, 20, 32, 64, 65, 128, 129, 200};
    const size_t sizes[] = {0, 1, 63, 64, 65, 128, 1000, 65536 + 3};
    int ran = 0;
    uint64_t seed = 4000;
    for (const auto *cap : caps_of(ACRYPTO_OP_MAC, 0, ACRYPTO_MODE_HMAC)) {
        for (size_t k : keys) {
            if (!cap_matches(*cap, cap->op, cap->alg, cap->mode, 0, k, 0)) continue;
            for (size_t n : sizes) {
                if (n > max_bytes(*cap)) continue;
                const Bytes key = pattern_bytes(k, seed++), in = pattern_bytes(n, seed++);
                auto s = make_hmac(cap->alg, key, in);
                ASSERT_EQ(run(*s), ACRYPTO_OK) << cap_name(*cap) << " key " << k << " len " << n;
                EXPECT_EQ(to_hex(s->output()), to_hex(reference_hmac(cap->alg, key, in)))
                    << cap_name(*cap) << " key " << k << " len " << n;
                ++ran;
            }
        }
    }
    if (!ran) GTEST_SKIP() << "no HMAC capability declared";
}

TEST_P(Differential, Cmac) {
    const size_t sizes[] = {0, 1, 16, 17, 64, 1000};
    int ran = 0;
    uint64_t seed = 4500;
    for (const auto *cap : caps_of(ACRYPTO_OP_MAC, 0, ACRYPTO_MODE_CMAC)) {
        for (size_t k : cap_key_sizes(*cap)) {
            if (cipher_name(cap->alg, ACRYPTO_MODE_CBC, k).empty()) continue;
            for (size_t n : sizes) {
                if (n > max_bytes(*cap)) continue;
                const Bytes key = pattern_bytes(k, seed++), in = pattern_bytes(n, seed++);
                auto s = make_cmac(cap->alg, key, in);
                ASSERT_EQ(run(*s), ACRYPTO_OK) << cap_name(*cap) << " len " << n;
                EXPECT_EQ(to_hex(s->output()), to_hex(reference_cmac(cap->alg, key, in)));
                ++ran;
            }
        }
    }
    if (!ran) GTEST_SKIP() << "no CMAC capability declared";
}

TEST_P(Differential, Aead) {
    const size_t sizes[] = {0, 1, 16, 17, 1000, 65536 + 1};
    const size_t aads[] = {0, 13};
    int ran = 0;
    uint64_t seed = 5000;
    for (const auto *cap : caps_of(ACRYPTO_OP_CIPHER)) {
        if (cap->mode != ACRYPTO_MODE_GCM && cap->mode != ACRYPTO_MODE_POLY1305) continue;
        if (!(cap->dirs & ACRYPTO_DIR_ENCRYPT) || !(cap->dirs & ACRYPTO_DIR_DECRYPT)) continue;
        for (size_t k : cap_key_sizes(*cap)) {
            if (!reference_has_cipher(cap->alg, cap->mode, k)) continue;
            for (size_t n : sizes) {
                if (n > max_bytes(*cap)) continue;
                for (size_t a : aads) {
                    SCOPED_TRACE(cap_name(*cap) + " key " + std::to_string(k) + " len " +
                                 std::to_string(n) + " aad " + std::to_string(a));
                    const Bytes key = pattern_bytes(k, seed++), iv = pattern_bytes(12, seed++),
                                aad = pattern_bytes(a, seed++), pt = pattern_bytes(n, seed++);
                    Bytes ct, tag;
                    ASSERT_TRUE(reference_aead(cap->alg, cap->mode, ACRYPTO_DIR_ENCRYPT, key, iv,
                                               aad, pt, {}, 16, &ct, &tag));
                    auto e = make_aead(cap->alg, cap->mode, ACRYPTO_DIR_ENCRYPT, key, iv, aad, pt,
                                       {}, 16);
                    ASSERT_EQ(run(*e), ACRYPTO_OK);
                    EXPECT_EQ(to_hex(e->output()), to_hex(ct));
                    EXPECT_EQ(to_hex({e->step().tag, 16}), to_hex(tag));
                    auto d = make_aead(cap->alg, cap->mode, ACRYPTO_DIR_DECRYPT, key, iv, aad, ct,
                                       tag, 16, BufferLayout{true, 3, 0, 0});
                    ASSERT_EQ(run(*d), ACRYPTO_OK);
                    EXPECT_EQ(to_hex(d->output()), to_hex(pt));
                    Bytes bad = tag;
                    bad[15] ^= 0x80;
                    auto f = make_aead(cap->alg, cap->mode, ACRYPTO_DIR_DECRYPT, key, iv, aad, ct,
                                       bad, 16);
                    EXPECT_EQ(run(*f), ACRYPTO_E_VERIFY);
                    ++ran;
                }
            }
        }
    }
    if (!ran) GTEST_SKIP() << "no AEAD capability declared";
}

TEST_P(Differential, FusedRoutes) {
    // A fused capability takes two steps at once (ncur = 2): encrypt then HMAC the
    // ciphertext, or HMAC the ciphertext then decrypt (IPsec order).
    int ran = 0;
    uint64_t seed = 6000;
    for (uint32_t i = 0; i < desc().ncaps; ++i) {
        const acrypto_capability &cap = desc().caps[i];
        if (!(cap.flags & ACRYPTO_CAP_F_FUSED)) continue;
        const bool cipher_first = cap.op == ACRYPTO_OP_CIPHER;
        const uint32_t c_alg = cipher_first ? cap.alg : cap.fused_alg;
        const uint32_t c_mode = cipher_first ? cap.mode : cap.fused_mode;
        const uint32_t m_alg = cipher_first ? cap.fused_alg : cap.alg;
        const uint32_t m_mode = cipher_first ? cap.fused_mode : cap.mode;
        if (m_mode != ACRYPTO_MODE_HMAC || digest_name(m_alg).empty()) continue;
        // Key sizes: the cipher's from whichever capability describes it.
        size_t ck = 0;
        for (size_t k : {16, 24, 32, 8}) {
            const bool ok =
                cipher_first
                    ? cap_matches(cap, cap.op, cap.alg, cap.mode, ACRYPTO_DIR_ENCRYPT, k, 0)
                    : find_cap(ACRYPTO_OP_CIPHER, c_alg, c_mode, ACRYPTO_DIR_DECRYPT, k, 0) !=
                          nullptr;
            if (ok && !ck && reference_has_cipher(c_alg, c_mode, k)) ck = k;
        }
        size_t mk = 0;
        for (size_t k : {20, 16, 32, 64}) {
            bool ok = cipher_first ? find_cap(ACRYPTO_OP_MAC, m_alg, m_mode, 0, k, 0) != nullptr
                                   : cap_matches(cap, cap.op, cap.alg, cap.mode, 0, k, 0);
            if (!mk && ok) mk = k;
        }
        if (!ck || !mk) continue;
        const size_t b = cipher_block_size(c_alg);
        for (size_t n : {b, 4 * b, size_t{1024}}) {
            if (cap.max_input && n > cap.max_input) continue;
            SCOPED_TRACE(cap_name(cap) + " len " + std::to_string(n));
            const Bytes key = pattern_bytes(ck, seed++), iv = pattern_bytes(b, seed++),
                        mkey = pattern_bytes(mk, seed++), pt = pattern_bytes(n, seed++);
            const Bytes ct = reference_cipher(c_alg, c_mode, ACRYPTO_DIR_ENCRYPT, key, iv, pt);
            const Bytes tag = reference_hmac(m_alg, mkey, ct);
            std::unique_ptr<OwnedSession> s;
            Bytes macbuf(64, 0);
            if (cipher_first) {
                s = make_cipher(c_alg, c_mode, ACRYPTO_DIR_ENCRYPT, key, iv, pt);
                acrypto_step &m = s->add_step();
                m.op = ACRYPTO_OP_MAC, m.alg = m_alg, m.mode = m_mode;
                m.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
                s->set_key(1, m_alg, mkey);
                m.src = s->step(0).dst, m.src_len = n;
                m.dst = macbuf.data(), m.dst_len = digest_size(m_alg);
            } else {
                s = make_hmac(m_alg, mkey, ct);
                acrypto_step &c = s->add_step();
                c.op = ACRYPTO_OP_CIPHER, c.alg = c_alg, c.mode = c_mode;
                c.dir = ACRYPTO_DIR_DECRYPT;
                s->set_key(1, c_alg, key);
                std::copy(iv.begin(), iv.end(), c.iv);
                c.iv_len = static_cast<uint32_t>(b);
                s->set_input(1, ct);
                c.src = s->step(0).src; // decrypt the very buffer the MAC covers
            }
            s->s.ncur = 2;
            ASSERT_EQ(run(*s), ACRYPTO_OK);
            EXPECT_EQ(dev().steps_done_of(s->get()), 2u) << "a fused capability does both steps";
            if (cipher_first) {
                EXPECT_EQ(to_hex(s->output(0)), to_hex(ct));
                EXPECT_EQ(to_hex({macbuf.data(), tag.size()}), to_hex(tag));
            } else {
                EXPECT_EQ(to_hex(s->output(0)), to_hex(tag));
                EXPECT_EQ(to_hex(s->output(1)), to_hex(pt));
            }
            ++ran;
        }
    }
    if (!ran) GTEST_SKIP() << "no fused capability the suite can check";
}

INSTANTIATE_TEST_SUITE_P(Devices, Differential, ::testing::ValuesIn(load_device_confs()),
                         conf_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Differential);

} // namespace acrypto::test::conformance
