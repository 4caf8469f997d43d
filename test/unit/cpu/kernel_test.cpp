// SPDX-License-Identifier: Apache-2.0
// cpu inline kernels (AES ECB/CBC/CTR) against the default provider: streams cut at
// random, in place and out of place, with runs that do not continue the kernel's
// own chaining state (another device ran the chunk between), and counts.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "kernel.hpp"
#include "reference.hpp"

namespace acrypto::soft::cpu {
namespace {

struct Shape {
    uint32_t mode;
    size_t key_len;
    bool enc;
};

const char *evp_name(uint32_t mode, size_t key_len) {
    static const char *const n[3][3] = {{"AES-128-ECB", "AES-128-CBC", "AES-128-CTR"},
                                        {"AES-192-ECB", "AES-192-CBC", "AES-192-CTR"},
                                        {"AES-256-ECB", "AES-256-CBC", "AES-256-CTR"}};
    const int m = mode == ACRYPTO_MODE_ECB ? 0 : mode == ACRYPTO_MODE_CBC ? 1 : 2;
    return n[(key_len - 16) / 8][m];
}

/// The default provider's output for the whole stream in one call.
std::vector<uint8_t> reference(const Shape &sh, const std::vector<uint8_t> &key, const uint8_t *iv,
                               const std::vector<uint8_t> &in) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, evp_name(sh.mode, sh.key_len), "provider=default");
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    std::vector<uint8_t> out(in.size());
    int outl = 0;
    EXPECT_EQ(EVP_CipherInit_ex2(ctx, c, key.data(), sh.mode == ACRYPTO_MODE_ECB ? nullptr : iv,
                                 sh.enc ? 1 : 0, nullptr),
              1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    if (!in.empty()) {
        EXPECT_EQ(EVP_CipherUpdate(ctx, out.data(), &outl, in.data(), static_cast<int>(in.size())),
                  1);
    }
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return out;
}

/// A kernel bound for a cipher shape over `lib` (a fresh library context when null).
acrypto_kernel bind_shape(uint32_t alg, uint32_t mode, const std::vector<uint8_t> &key, bool enc,
                          const std::shared_ptr<KernelCounts> &counts,
                          std::shared_ptr<CryptoLib> lib = nullptr) {
    acrypto_key k{};
    k.id = 1;
    k.alg = alg;
    k.data = key.data();
    k.len = key.size();
    acrypto_step st{};
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = alg;
    st.mode = mode;
    st.dir = enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
    st.key = &k;
    acrypto_kernel out{};
    EXPECT_EQ(bind_kernel(lib ? lib : std::make_shared<CryptoLib>(), counts, st, out), ACRYPTO_OK);
    return out;
}

class CpuKernel : public ::testing::TestWithParam<Shape> {
  protected:
    std::shared_ptr<CryptoLib> lib_ = std::make_shared<CryptoLib>();
    std::shared_ptr<KernelCounts> counts_ = std::make_shared<KernelCounts>();

    acrypto_kernel bind(const Shape &sh, const std::vector<uint8_t> &key) {
        return bind_shape(ACRYPTO_ALG_AES, sh.mode, key, sh.enc, counts_, lib_);
    }
};

TEST_P(CpuKernel, RandomStreamsMatchTheDefaultProvider) {
    const Shape sh = GetParam();
    std::mt19937 rng(static_cast<uint32_t>(sh.mode * 131 + sh.key_len * 7 + sh.enc));
    const size_t unit = sh.mode == ACRYPTO_MODE_CTR ? 1 : 16;
    for (int round = 0; round < 40; ++round) {
        std::vector<uint8_t> key(sh.key_len), in(unit * (rng() % 300));
        uint8_t iv0[16];
        RAND_bytes(key.data(), static_cast<int>(key.size()));
        RAND_bytes(iv0, sizeof iv0);
        if (round % 3 == 0) std::fill(iv0 + 12, iv0 + 16, 0xff); // counter carries
        if (!in.empty()) RAND_bytes(in.data(), static_cast<int>(in.size()));
        const std::vector<uint8_t> want = reference(sh, key, iv0, in);

        acrypto_kernel k = bind(sh, key);
        ASSERT_NE(k.run_fn, nullptr);
        std::vector<uint8_t> buf = in, out(in.size());
        const bool in_place = round % 2 == 0;
        uint8_t iv[16];
        std::memcpy(iv, iv0, sizeof iv);
        uint32_t num = 0;
        size_t off = 0;
        while (off < in.size()) {
            size_t n = unit * (1 + rng() % 40);
            if (n > in.size() - off) n = in.size() - off;
            uint8_t *dst = in_place ? buf.data() + off : out.data() + off;
            if (rng() % 5 == 0) {
                // This chunk runs elsewhere (a session on another device): the
                // kernel's own state no longer matches the stream's.
                const Shape s2 = sh;
                std::vector<uint8_t> chunk(buf.begin() + static_cast<long>(off),
                                           buf.begin() + static_cast<long>(off + n));
                acrypto_kernel other = bind(s2, key);
                ASSERT_EQ(other.run_fn(other.state, chunk.data(), dst, n, iv, &num), ACRYPTO_OK);
                other.release_fn(other.state);
            } else {
                ASSERT_EQ(k.run_fn(k.state, buf.data() + off, dst, n, iv, &num), ACRYPTO_OK);
            }
            off += n;
        }
        const std::vector<uint8_t> &got = in_place ? buf : out;
        ASSERT_EQ(got, want) << "round " << round << " len " << in.size();
        k.release_fn(k.state);
    }
}

TEST_P(CpuKernel, RefusesBadLengthsAndOverlap) {
    const Shape sh = GetParam();
    std::vector<uint8_t> key(sh.key_len, 7);
    acrypto_kernel k = bind(sh, key);
    uint8_t buf[64] = {}, iv[16] = {};
    uint32_t num = 0;
    if (sh.mode != ACRYPTO_MODE_CTR) {
        EXPECT_EQ(k.run_fn(k.state, buf, buf, 15, iv, &num), ACRYPTO_E_INVALID);
    }
    EXPECT_EQ(k.run_fn(k.state, buf, buf + 16, 32, iv, &num), ACRYPTO_E_INVALID);
    EXPECT_EQ(k.run_fn(k.state, buf, buf, 0, iv, &num), ACRYPTO_OK);
    if (sh.mode == ACRYPTO_MODE_CTR) {
        num = 16;
        EXPECT_EQ(k.run_fn(k.state, buf, buf, 16, iv, &num), ACRYPTO_E_INVALID);
    }
    k.release_fn(k.state);
}

std::vector<Shape> all_shapes() {
    std::vector<Shape> v;
    for (uint32_t m : {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC, ACRYPTO_MODE_CTR})
        for (size_t kl : {16, 24, 32})
            for (bool enc : {true, false}) v.push_back({m, kl, enc});
    return v;
}

INSTANTIATE_TEST_SUITE_P(AllShapes, CpuKernel, ::testing::ValuesIn(all_shapes()),
                         [](const ::testing::TestParamInfo<Shape> &i) {
                             const char *m = i.param.mode == ACRYPTO_MODE_ECB   ? "ecb"
                                             : i.param.mode == ACRYPTO_MODE_CBC ? "cbc"
                                                                                : "ctr";
                             return std::string(m) + std::to_string(i.param.key_len * 8) +
                                    (i.param.enc ? "enc" : "dec");
                         });

/// One AEAD message through the default provider: ciphertext and tag (encrypt).
struct AeadRef {
    std::vector<uint8_t> out;
    uint8_t tag[16];
};
AeadRef aead_reference(const char *name, const std::vector<uint8_t> &key,
                       const std::vector<uint8_t> &iv, const std::vector<uint8_t> &aad,
                       const std::vector<uint8_t> &in) {
    AeadRef r{std::vector<uint8_t>(in.size()), {}};
    EVP_CIPHER *c = EVP_CIPHER_fetch(nullptr, name, "provider=default");
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    size_t ivlen = iv.size();
    OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t("ivlen", &ivlen), OSSL_PARAM_construct_end()};
    int outl = 0;
    EXPECT_EQ(EVP_EncryptInit_ex2(ctx, c, nullptr, nullptr, p), 1);
    EXPECT_EQ(EVP_EncryptInit_ex2(ctx, nullptr, key.data(), iv.data(), nullptr), 1);
    if (!aad.empty()) {
        EXPECT_EQ(EVP_EncryptUpdate(ctx, nullptr, &outl, aad.data(), static_cast<int>(aad.size())),
                  1);
    }
    if (!in.empty()) {
        EXPECT_EQ(
            EVP_EncryptUpdate(ctx, r.out.data(), &outl, in.data(), static_cast<int>(in.size())), 1);
    }
    EXPECT_EQ(EVP_EncryptFinal_ex(ctx, r.out.data(), &outl), 1);
    EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, r.tag), 1);
    EVP_CIPHER_CTX_free(ctx);
    EVP_CIPHER_free(c);
    return r;
}

struct AeadShape {
    uint32_t alg, mode;
    size_t key_len, iv_len;
    const char *name;
};

TEST(CpuAeadKernel, MessagesMatchTheDefaultProviderAndBadTagsAreRefused) {
    auto lib = std::make_shared<CryptoLib>();
    auto counts = std::make_shared<KernelCounts>();
    const AeadShape shapes[] = {
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 16, 12, "AES-128-GCM"},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 24, 12, "AES-192-GCM"},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 32, 12, "AES-256-GCM"},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 16, 16, "AES-128-GCM"},
        {ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, 32, 12, "ChaCha20-Poly1305"},
    };
    std::mt19937 rng(7);
    for (const auto &sh : shapes) {
        std::vector<uint8_t> key(sh.key_len);
        RAND_bytes(key.data(), static_cast<int>(key.size()));
        acrypto_key k{};
        k.id = 9;
        k.alg = sh.alg;
        k.data = key.data();
        k.len = key.size();
        acrypto_step st{};
        st.op = ACRYPTO_OP_CIPHER;
        st.alg = sh.alg;
        st.mode = sh.mode;
        st.iv_len = static_cast<uint32_t>(sh.iv_len);
        st.key = &k;
        acrypto_kernel enc{}, dec{};
        st.dir = ACRYPTO_DIR_ENCRYPT;
        ASSERT_EQ(bind_kernel(lib, counts, st, enc), ACRYPTO_OK) << sh.name;
        st.dir = ACRYPTO_DIR_DECRYPT;
        ASSERT_EQ(bind_kernel(lib, counts, st, dec), ACRYPTO_OK) << sh.name;
        ASSERT_EQ(enc.run_fn, nullptr);
        ASSERT_NE(enc.aead_fn, nullptr);
        for (int round = 0; round < 30; ++round) {
            std::vector<uint8_t> iv(sh.iv_len), aad(rng() % 40), in(rng() % 2000);
            RAND_bytes(iv.data(), static_cast<int>(iv.size()));
            if (!aad.empty()) RAND_bytes(aad.data(), static_cast<int>(aad.size()));
            if (!in.empty()) RAND_bytes(in.data(), static_cast<int>(in.size()));
            const AeadRef want = aead_reference(sh.name, key, iv, aad, in);
            std::vector<uint8_t> buf = in;
            uint8_t tag[16];
            ASSERT_EQ(enc.aead_fn(enc.state, iv.data(), iv.size(), aad.data(), aad.size(),
                                  buf.data(), buf.data(), buf.size(), tag, 16),
                      ACRYPTO_OK);
            ASSERT_EQ(buf, want.out) << sh.name << " round " << round;
            ASSERT_EQ(std::memcmp(tag, want.tag, 16), 0) << sh.name << " round " << round;
            std::vector<uint8_t> back(buf.size());
            ASSERT_EQ(dec.aead_fn(dec.state, iv.data(), iv.size(), aad.data(), aad.size(),
                                  buf.data(), back.data(), buf.size(), tag, 16),
                      ACRYPTO_OK);
            ASSERT_EQ(back, in);
            tag[round % 16] ^= 1;
            EXPECT_EQ(dec.aead_fn(dec.state, iv.data(), iv.size(), aad.data(), aad.size(),
                                  buf.data(), back.data(), buf.size(), tag, 16),
                      ACRYPTO_E_VERIFY);
            for (uint8_t b : back) ASSERT_EQ(b, 0) << "no unauthenticated plaintext";
        }
        uint8_t iv8[8] = {}, tag[16] = {};
        EXPECT_EQ(enc.aead_fn(enc.state, iv8, sizeof iv8, nullptr, 0, nullptr, nullptr, 0, tag, 16),
                  ACRYPTO_E_UNSUPPORTED)
            << "another IV length than the bound one";
        enc.release_fn(enc.state);
        dec.release_fn(dec.state);
    }
}

std::vector<uint8_t> random_vec(size_t n) {
    std::vector<uint8_t> v(n);
    if (n > 0) RAND_bytes(v.data(), static_cast<int>(n));
    return v;
}

TEST(CpuStreamKernel, XtsDataUnitsMatchTheDefaultProvider) {
    auto counts = std::make_shared<KernelCounts>();
    std::mt19937 rng(7);
    for (size_t key_len : {32, 64}) {
        for (bool enc : {true, false}) {
            const std::vector<uint8_t> key = random_vec(key_len);
            acrypto_kernel k = bind_shape(ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS, key, enc, counts);
            ASSERT_NE(k.run_fn, nullptr);
            for (int unit = 0; unit < 40; ++unit) {
                const size_t len = 16 + rng() % 600; // ciphertext stealing past whole blocks
                const std::vector<uint8_t> in = random_vec(len), tweak = random_vec(16);
                const std::vector<uint8_t> want = test::reference_cipher(
                    ACRYPTO_ALG_AES, ACRYPTO_MODE_XTS,
                    enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT, key, tweak, in);
                std::vector<uint8_t> buf = in, out(len), iv = tweak;
                const bool in_place = unit % 2 == 0;
                uint8_t *dst = in_place ? buf.data() : out.data();
                ASSERT_EQ(k.run_fn(k.state, buf.data(), dst, len, iv.data(), nullptr), ACRYPTO_OK);
                EXPECT_EQ(in_place ? buf : out, want) << key_len << " " << enc << " " << len;
                EXPECT_EQ(iv, tweak) << "each unit brings its own tweak";
            }
            uint8_t small[15] = {}, iv[16] = {};
            EXPECT_EQ(k.run_fn(k.state, small, small, sizeof small, iv, nullptr),
                      ACRYPTO_E_INVALID);
            EXPECT_EQ(k.run_fn(k.state, small, small, 0, iv, nullptr), ACRYPTO_E_INVALID);
            k.release_fn(k.state);
        }
    }
}

TEST(CpuStreamKernel, ChaCha20StreamsMatchTheDefaultProvider) {
    auto counts = std::make_shared<KernelCounts>();
    std::mt19937 rng(11);
    for (int round = 0; round < 30; ++round) {
        const std::vector<uint8_t> key = random_vec(32), in = random_vec(rng() % 3000);
        std::vector<uint8_t> iv0 = random_vec(16);
        // Every third stream starts at most 15 blocks short of the 32-bit counter word's
        // wrap: its count carries into iv[4..7], as the library's does, across runs too.
        if (round % 3 == 0) {
            iv0[0] |= 0xf0;
            iv0[1] = iv0[2] = iv0[3] = 0xff;
        }
        const std::vector<uint8_t> want = test::reference_cipher(
            ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, ACRYPTO_DIR_ENCRYPT, key, iv0, in);
        const bool enc = round % 2 == 0;
        acrypto_kernel k = bind_shape(ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, key, enc, counts);
        ASSERT_NE(k.run_fn, nullptr);
        std::vector<uint8_t> buf = in, iv = iv0;
        uint32_t num = 0;
        for (size_t off = 0; off < in.size();) {
            const size_t n = std::min<size_t>(1 + rng() % 200, in.size() - off);
            if (rng() % 4 == 0) {
                // This chunk runs elsewhere (another kernel, as a session would):
                // the bound context no longer stands where the stream does.
                acrypto_kernel other =
                    bind_shape(ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, key, enc, counts);
                ASSERT_EQ(other.run_fn(other.state, buf.data() + off, buf.data() + off, n,
                                       iv.data(), &num),
                          ACRYPTO_OK);
                other.release_fn(other.state);
            } else {
                ASSERT_EQ(k.run_fn(k.state, buf.data() + off, buf.data() + off, n, iv.data(), &num),
                          ACRYPTO_OK);
            }
            off += n;
        }
        ASSERT_EQ(buf, want) << "round " << round << " len " << in.size();
        // Where the stream stands: the 64-bit block count in iv[0..7] advanced, the rest
        // in num.
        const uint64_t blocks = in.size() / 64;
        uint64_t c0 = 0, c1 = 0;
        for (int i = 0; i < 8; ++i) {
            c0 |= uint64_t{iv0[i]} << (8 * i);
            c1 |= uint64_t{iv[i]} << (8 * i);
        }
        EXPECT_EQ(c1, c0 + blocks);
        EXPECT_EQ(num, in.size() % 64);
        EXPECT_TRUE(std::equal(iv.begin() + 8, iv.end(), iv0.begin() + 8)) << "nonce unchanged";
        uint8_t b[1] = {};
        num = 64;
        EXPECT_EQ(k.run_fn(k.state, b, b, 1, iv.data(), &num), ACRYPTO_E_INVALID);
        k.release_fn(k.state);
    }
}

TEST(CpuStreamKernel, ChaCha20NewNonceAtTheSamePositionStartsAgain) {
    // One kernel, messages whose IVs differ only in the nonce: each message's counter and
    // `num` are where the last one ended, so only the nonce tells that the stream is new.
    auto counts = std::make_shared<KernelCounts>();
    std::mt19937 rng(17);
    const std::vector<uint8_t> key = random_vec(32);
    for (const bool enc : {true, false}) {
        acrypto_kernel k = bind_shape(ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, key, enc, counts);
        ASSERT_NE(k.run_fn, nullptr);
        std::vector<uint8_t> iv(16, 0);
        uint32_t num = 0;
        for (int msg = 0; msg < 12; ++msg) {
            const std::vector<uint8_t> start = iv; // counter and num as the last message left them
            const uint32_t start_num = num;
            const std::vector<uint8_t> in = random_vec(1 + rng() % 150);
            std::vector<uint8_t> buf = in;
            ASSERT_EQ(k.run_fn(k.state, buf.data(), buf.data(), buf.size(), iv.data(), &num),
                      ACRYPTO_OK);
            // The reference: a stream from `start`, its first start_num keystream bytes used.
            std::vector<uint8_t> padded(start_num, 0);
            padded.insert(padded.end(), in.begin(), in.end());
            const std::vector<uint8_t> full = test::reference_cipher(
                ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_STREAM, ACRYPTO_DIR_ENCRYPT, key, start, padded);
            ASSERT_TRUE(std::equal(buf.begin(), buf.end(), full.begin() + start_num))
                << "message " << msg;
            // The next message: a new nonce, the counter and num left as they are.
            for (size_t i = 4; i < 16; ++i) iv[i] = static_cast<uint8_t>(rng());
        }
        k.release_fn(k.state);
    }
}

TEST(CpuPlainKernel, DesStreamsMatchTheDefaultProvider) {
    auto counts = std::make_shared<KernelCounts>();
    std::mt19937 rng(13);
    for (uint32_t alg : {ACRYPTO_ALG_DES_EDE3, ACRYPTO_ALG_DES}) {
        const size_t key_len = alg == ACRYPTO_ALG_DES ? 8 : 24;
        if (!test::reference_has_cipher(alg, ACRYPTO_MODE_CBC, key_len)) continue; // no legacy
        for (uint32_t mode : {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC}) {
            for (int round = 0; round < 12; ++round) {
                const bool enc = round % 2 == 0;
                const std::vector<uint8_t> key = random_vec(key_len),
                                           in = random_vec(8 * (rng() % 200));
                const std::vector<uint8_t> iv0 = random_vec(mode == ACRYPTO_MODE_CBC ? 8 : 0);
                const std::vector<uint8_t> want = test::reference_cipher(
                    alg, mode, enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT, key, iv0, in);
                acrypto_kernel k = bind_shape(alg, mode, key, enc, counts);
                ASSERT_NE(k.run_fn, nullptr);
                std::vector<uint8_t> buf = in, out(in.size()), iv(16);
                std::copy(iv0.begin(), iv0.end(), iv.begin());
                const bool in_place = round % 4 < 2;
                for (size_t off = 0; off < in.size();) {
                    const size_t n = std::min<size_t>(8 * (1 + rng() % 20), in.size() - off);
                    uint8_t *dst = (in_place ? buf.data() : out.data()) + off;
                    if (rng() % 4 == 0) { // this chunk runs elsewhere: the chain moved on
                        acrypto_kernel other = bind_shape(alg, mode, key, enc, counts);
                        std::vector<uint8_t> chunk(buf.begin() + static_cast<long>(off),
                                                   buf.begin() + static_cast<long>(off + n));
                        ASSERT_EQ(
                            other.run_fn(other.state, chunk.data(), dst, n, iv.data(), nullptr),
                            ACRYPTO_OK);
                        other.release_fn(other.state);
                    } else {
                        ASSERT_EQ(k.run_fn(k.state, buf.data() + off, dst, n, iv.data(), nullptr),
                                  ACRYPTO_OK);
                    }
                    off += n;
                }
                ASSERT_EQ(in_place ? buf : out, want)
                    << alg << " mode " << mode << " round " << round;
                uint8_t b[12] = {};
                EXPECT_EQ(k.run_fn(k.state, b, b, 12, iv.data(), nullptr), ACRYPTO_E_INVALID);
                k.release_fn(k.state);
            }
        }
    }
}

TEST(CpuKernelBind, OtherShapesAreUnsupportedAndCountsSurviveRelease) {
    auto lib = std::make_shared<CryptoLib>();
    auto counts = std::make_shared<KernelCounts>();
    const uint8_t key[16] = {};
    acrypto_key k{};
    k.alg = ACRYPTO_ALG_AES;
    k.data = key;
    k.len = sizeof key;
    acrypto_step st{};
    st.op = ACRYPTO_OP_CIPHER;
    st.alg = ACRYPTO_ALG_AES;
    st.mode = ACRYPTO_MODE_XTS;
    st.dir = ACRYPTO_DIR_ENCRYPT;
    st.key = &k;
    acrypto_kernel out{};
    EXPECT_EQ(bind_kernel(lib, counts, st, out), ACRYPTO_E_UNSUPPORTED);
    st.mode = ACRYPTO_MODE_CBC;
    st.op = ACRYPTO_OP_DIGEST;
    EXPECT_EQ(bind_kernel(lib, counts, st, out), ACRYPTO_E_UNSUPPORTED);
    st.op = ACRYPTO_OP_CIPHER;
    k.len = 20;
    EXPECT_EQ(bind_kernel(lib, counts, st, out), ACRYPTO_E_UNSUPPORTED);
    k.len = 16;
    ASSERT_EQ(bind_kernel(lib, counts, st, out), ACRYPTO_OK);
    EXPECT_EQ(out.struct_size, sizeof(acrypto_kernel));
    lib.reset(); // the kernel keeps the library context alive
    uint8_t buf[48] = {}, iv[16] = {};
    for (int i = 0; i < 3; ++i)
        ASSERT_EQ(out.run_fn(out.state, buf, buf, 48, iv, nullptr), ACRYPTO_OK);
    out.release_fn(out.state);
    EXPECT_EQ(counts->runs.load(), 3u);
    EXPECT_EQ(counts->bytes.load(), 144u);
}

} // namespace
} // namespace acrypto::soft::cpu
