// SPDX-License-Identifier: Apache-2.0
// Random differential checks of every mb algorithm and key size against libcrypto's default
// provider.
#include <gtest/gtest.h>

#include <functional>

#include "acrypto/soft/mb/arch.hpp"
#include "mb_test_util.hpp"
#include "reference.hpp"

namespace acrypto::soft::mb::testing {
namespace {

using acrypto::test::BufferLayout;
using acrypto::test::CipherState;
using acrypto::test::pattern_bytes;
using acrypto::test::to_hex;

constexpr size_t kMiB = size_t{1} << 20;

/// One session with what it must produce.
struct Case {
    std::string name;
    std::unique_ptr<OwnedSession> s;
    int want_status = ACRYPTO_OK;
    Bytes want_out;
    Bytes want_iv; ///< chaining IV after the step (ciphers), empty: not checked
    uint32_t want_num = 0;
    Bytes want_tag; ///< AEAD encrypt
};

/// Layouts every size is tried with: apart and aligned, in place, apart and unaligned.
const BufferLayout kLayouts[] = {
    {false, 0, 0, 0},
    {true, 0, 0, 0},
    {false, 3, 7, 5},
    {true, 9, 0, 0},
};

std::string layout_name(const BufferLayout &l) {
    return std::string(l.in_place ? "inplace" : "apart") + "+" + std::to_string(l.src_offset) +
           "/" + std::to_string(l.dst_offset);
}

class MbDifferential : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        // The widest path gets the multi-MiB sizes; the others a smaller sweep.
        big_ = GetParam() == available_arches().back();
        h_ = open_mb({{"arch", GetParam()}});
        ASSERT_TRUE(h_);
    }

    void run_and_check(std::vector<Case> &cases) {
        std::vector<std::unique_ptr<OwnedSession>> batch;
        for (auto &c : cases) h_->enqueue(c.s->get());
        h_->kick();
        ASSERT_TRUE(h_->wait_all()) << "sessions did not complete: outstanding "
                                    << h_->outstanding() << " pending " << h_->pending() << [&] {
                                           std::string o;
                                           for (auto &[k, v] : h_->stats())
                                               o += k + "=" + std::to_string(v) + " ";
                                           return o;
                                       }();
        for (auto &c : cases) {
            const acrypto_step &st = c.s->step();
            ASSERT_EQ(h_->completions(c.s->get()), 1u) << c.name;
            ASSERT_EQ(h_->status_of(c.s->get()), c.want_status) << c.name;
            if (c.want_status != ACRYPTO_OK) continue;
            auto out = c.s->output_bytes();
            ASSERT_EQ(out.size(), c.want_out.size()) << c.name;
            EXPECT_TRUE(out == c.want_out) << c.name;
            if (!c.want_iv.empty()) {
                EXPECT_EQ(to_hex({st.iv, c.want_iv.size()}), to_hex(c.want_iv)) << c.name;
                EXPECT_EQ(st.num, c.want_num) << c.name;
            }
            if (!c.want_tag.empty()) {
                EXPECT_EQ(to_hex({st.tag, st.tag_len}), to_hex(c.want_tag)) << c.name;
            }
        }
        EXPECT_EQ(h_->duplicate_completions(), 0u);
    }

    std::vector<size_t> sizes(size_t block, bool stream) const {
        std::vector<size_t> v = {0, block, 2 * block, 15 * block, 1024, 4096 + block, 65520, 65536};
        if (stream) {
            for (size_t n : {1, 15, 17, 100, 1023, 4097}) v.push_back(n);
        }
        if (big_) v.push_back(3 * kMiB + (stream ? 5 : 0));
        return v;
    }

    bool big_ = false;
    std::unique_ptr<DeviceHarness> h_;
};

struct CipherSpec {
    uint32_t alg, mode;
    size_t key_len, iv_len, block;
};

TEST_P(MbDifferential, BlockAndStreamCiphers) {
    const CipherSpec specs[] = {
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, 16, 16, 16},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, 24, 16, 16},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, 32, 16, 16},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, 16, 16, 1},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, 24, 16, 1},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, 32, 16, 1},
        {ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, 8, 8, 8},
        {ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, 24, 8, 8},
    };
    uint64_t seed = 1;
    std::vector<Case> cases;
    for (const auto &sp : specs) {
        if (!acrypto::test::reference_has_cipher(sp.alg, sp.mode, sp.key_len)) {
            ADD_FAILURE() << "libcrypto lacks "
                          << acrypto::test::cipher_name(sp.alg, sp.mode, sp.key_len)
                          << " (legacy provider missing?)";
            continue;
        }
        bool stream = sp.mode == ACRYPTO_MODE_CTR;
        // intel-ipsec-mb's DES runs at well under 1 MB/s on AVX2/SSE: small sizes,
        // plus one DES input that crosses the 64 KB job limit (a two-job chain).
        std::vector<size_t> lens = sizes(sp.block, stream);
        if (sp.alg != ACRYPTO_ALG_AES) {
            lens = {0, sp.block, 2 * sp.block, 15 * sp.block, 1024, 4096 + sp.block};
            if (sp.alg == ACRYPTO_ALG_DES && big_) lens.push_back(65536 + sp.block);
        }
        for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
            size_t li = 0;
            for (size_t n : lens) {
                if (n > 65536 && sp.alg == ACRYPTO_ALG_DES && dir == ACRYPTO_DIR_DECRYPT) continue;
                const BufferLayout &lay = kLayouts[li++ % std::size(kLayouts)];
                Bytes key = pattern_bytes(sp.key_len, seed++);
                Bytes iv = pattern_bytes(sp.iv_len, seed++);
                Bytes in = pattern_bytes(n, seed++);
                Case c;
                c.name = acrypto::test::cipher_name(sp.alg, sp.mode, sp.key_len) +
                         (dir == ACRYPTO_DIR_ENCRYPT ? " enc " : " dec ") + std::to_string(n) +
                         " " + layout_name(lay);
                CipherState state;
                c.want_out =
                    acrypto::test::reference_cipher(sp.alg, sp.mode, dir, key, iv, in, &state);
                c.want_iv = state.iv;
                c.want_num = state.num;
                c.s = acrypto::test::make_cipher(sp.alg, sp.mode, dir, key, iv, in, lay);
                cases.push_back(std::move(c));
            }
        }
    }
    run_and_check(cases);
}

TEST_P(MbDifferential, Aead) {
    struct Spec {
        uint32_t alg, mode;
        size_t key_len;
    };
    const Spec specs[] = {
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 16},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 24},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM, 32},
        {ACRYPTO_ALG_CHACHA20, ACRYPTO_MODE_POLY1305, 32},
    };
    std::vector<size_t> lens = {0, 1, 15, 16, 17, 255, 1024, 65537};
    if (big_) lens.push_back(2 * kMiB + 3);
    const size_t aads[] = {0, 13, 100};
    uint64_t seed = 1000;
    std::vector<Case> cases;
    for (const auto &sp : specs) {
        bool gcm = sp.mode == ACRYPTO_MODE_GCM;
        const size_t ivs_gcm[] = {12, 8, 16, 1, 32};
        size_t k = 0;
        for (size_t n : lens) {
            size_t iv_len = gcm ? ivs_gcm[k % std::size(ivs_gcm)] : 12;
            size_t aad_len = aads[k % std::size(aads)];
            uint32_t tag_len = gcm ? (k % 3 == 2 ? 12u : 16u) : 16u;
            const BufferLayout &lay = kLayouts[k % std::size(kLayouts)];
            ++k;
            Bytes key = pattern_bytes(sp.key_len, seed++);
            Bytes iv = pattern_bytes(iv_len, seed++);
            Bytes aad = pattern_bytes(aad_len, seed++);
            Bytes in = pattern_bytes(n, seed++);
            std::string base = acrypto::test::cipher_name(sp.alg, sp.mode, sp.key_len) + " " +
                               std::to_string(n) + " iv" + std::to_string(iv_len) + " aad" +
                               std::to_string(aad_len) + " tag" + std::to_string(tag_len) + " " +
                               layout_name(lay);
            Bytes ct, tag;
            ASSERT_TRUE(acrypto::test::reference_aead(sp.alg, sp.mode, ACRYPTO_DIR_ENCRYPT, key, iv,
                                                      aad, in, {}, tag_len, &ct, &tag));
            Case e;
            e.name = base + " enc";
            e.want_out = ct;
            e.want_tag = tag;
            e.s = acrypto::test::make_aead(sp.alg, sp.mode, ACRYPTO_DIR_ENCRYPT, key, iv, aad, in,
                                           {}, tag_len, lay);
            cases.push_back(std::move(e));
            Case d;
            d.name = base + " dec";
            d.want_out = in;
            d.s = acrypto::test::make_aead(sp.alg, sp.mode, ACRYPTO_DIR_DECRYPT, key, iv, aad, ct,
                                           tag, tag_len, lay);
            cases.push_back(std::move(d));
            Bytes bad = tag;
            bad[n % bad.size()] ^= 0x01;
            Case f;
            f.name = base + " dec forged tag";
            f.want_status = ACRYPTO_E_VERIFY;
            f.s = acrypto::test::make_aead(sp.alg, sp.mode, ACRYPTO_DIR_DECRYPT, key, iv, aad, ct,
                                           bad, tag_len, lay);
            cases.push_back(std::move(f));
        }
    }
    run_and_check(cases);
    EXPECT_GE(stat(*h_, "verify_failures"), std::size(specs) * lens.size());
}

TEST_P(MbDifferential, DigestsAndHmac) {
    const uint32_t algs[] = {ACRYPTO_ALG_SHA1, ACRYPTO_ALG_SHA224, ACRYPTO_ALG_SHA256,
                             ACRYPTO_ALG_SHA384, ACRYPTO_ALG_SHA512};
    std::vector<size_t> lens = {0,   1,   55,  56,  63,   64,    65,    111,
                                112, 127, 128, 129, 1000, 65534, 65535, 65539};
    if (big_) lens.push_back(3 * kMiB + 1);
    const size_t key_lens[] = {0, 1, 20, 64, 65, 128, 129, 200};
    uint64_t seed = 5000;
    std::vector<Case> cases;
    for (uint32_t alg : algs) {
        size_t k = 0;
        for (size_t n : lens) {
            const BufferLayout &lay = kLayouts[k % std::size(kLayouts)];
            Bytes in = pattern_bytes(n, seed++);
            Case d;
            d.name = acrypto::test::digest_name(alg) + " " + std::to_string(n);
            d.want_out = acrypto::test::reference_digest(alg, in);
            d.s = acrypto::test::make_digest(alg, in, ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL,
                                             lay);
            cases.push_back(std::move(d));
            size_t kl = key_lens[k % std::size(key_lens)];
            ++k;
            Bytes key = pattern_bytes(kl, seed++);
            if (n > 65534) continue; // HMAC: one job at most (capability max_input)
            Case m;
            m.name = "HMAC-" + acrypto::test::digest_name(alg) + " key" + std::to_string(kl) + " " +
                     std::to_string(n);
            m.want_out = acrypto::test::reference_hmac(alg, key, in);
            m.s = acrypto::test::make_hmac(alg, key, in,
                                           ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL, lay);
            cases.push_back(std::move(m));
        }
    }
    run_and_check(cases);
}

TEST_P(MbDifferential, CipherChunksContinueWhereTheLastStopped) {
    // A message fed in chunks, each session starting from the IV (and CTR num)
    // the device left in the previous one, equals the one-shot reference.
    struct Spec {
        uint32_t alg, mode;
        size_t key_len, iv_len, block;
    };
    const Spec specs[] = {
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, 16, 16, 16},
        {ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR, 24, 16, 1},
        {ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, 24, 8, 8},
    };
    uint64_t seed = 9000;
    for (const auto &sp : specs) {
        for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
            Bytes key = pattern_bytes(sp.key_len, seed++);
            Bytes iv = pattern_bytes(sp.iv_len, seed++);
            Bytes msg = pattern_bytes(4096 + 7 * sp.block, seed++);
            Bytes want = acrypto::test::reference_cipher(sp.alg, sp.mode, dir, key, iv, msg);
            Bytes got;
            Bytes cur_iv = iv;
            uint32_t num = 0;
            size_t off = 0, i = 0;
            const size_t steps[] = {1, 5, 16, 31, 64, 3, 100, 15, 17, 250};
            while (off < msg.size()) {
                size_t n = std::min(steps[i++ % std::size(steps)] * sp.block, msg.size() - off);
                auto s = acrypto::test::make_cipher(sp.alg, sp.mode, dir, key, cur_iv,
                                                    std::span<const uint8_t>(msg.data() + off, n));
                s->step().num = num;
                ASSERT_EQ(h_->run(*s->get()), ACRYPTO_OK);
                auto o = s->output();
                got.insert(got.end(), o.begin(), o.end());
                cur_iv.assign(s->step().iv, s->step().iv + sp.iv_len);
                num = s->step().num;
                off += n;
            }
            EXPECT_TRUE(got == want)
                << acrypto::test::cipher_name(sp.alg, sp.mode, sp.key_len) << " dir " << dir;
        }
    }
}

TEST_P(MbDifferential, CtrCarriesThroughAll128CounterBits) {
    // intel-ipsec-mb increments only the low 32 bits; OpenSSL (and the ABI)
    // carry through all 128. Counters about to wrap, with and without a
    // partially used keystream block.
    const char *const counters[] = {
        "00112233445566778899aabbfffffffd", "0011223344556677fffffffffffffffe",
        "ffffffffffffffffffffffffffffffff", "000000000000000000000000ffffffff",
        "00000000000000000000000000000000",
    };
    uint64_t seed = 12000;
    std::vector<Case> cases;
    for (const char *ctr : counters) {
        for (uint32_t num : {0u, 5u, 15u}) {
            for (size_t n : {size_t{3}, size_t{16}, size_t{100}, size_t{4099}}) {
                Bytes key = pattern_bytes(16, seed++);
                Bytes iv = acrypto::test::from_hex(ctr);
                Bytes in = pattern_bytes(n, seed++);
                // Reference: the same stream position is reached by encrypting
                // `num` bytes from (iv - 1) first when num > 0.
                Bytes start = iv;
                Bytes lead(num, 0);
                if (num) {
                    for (int b = 15; b >= 0; --b) {
                        if (start[b]--) break;
                    }
                }
                Bytes both = lead;
                both.insert(both.end(), in.begin(), in.end());
                CipherState state;
                Bytes full =
                    acrypto::test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
                                                    ACRYPTO_DIR_ENCRYPT, key, start, both, &state);
                Case c;
                c.name = std::string("CTR ") + ctr + " num" + std::to_string(num) + " len" +
                         std::to_string(n);
                c.want_out.assign(full.begin() + num, full.end());
                c.want_iv = state.iv;
                c.want_num = state.num;
                c.s = acrypto::test::make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
                                                 ACRYPTO_DIR_ENCRYPT, key, iv, in);
                c.s->step().num = num;
                cases.push_back(std::move(c));
            }
        }
    }
    run_and_check(cases);
}

INSTANTIATE_TEST_SUITE_P(Arch, MbDifferential, ::testing::ValuesIn(available_arches()),
                         [](const auto &info) { return info.param; });

} // namespace
} // namespace acrypto::soft::mb::testing
