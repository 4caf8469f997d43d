// SPDX-License-Identifier: Apache-2.0
// FastCrypt adapter over the model through the plugin C ABI: known answers, differential checks,
// splitting and IV chaining, two-key 3DES, refusals, ring full, self-test, plugin loading.
#include <gtest/gtest.h>

#include <map>

#include "device.hpp"
#include "device_harness.hpp"
#include "driver_table.hpp"
#include "reference.hpp"
#include "session_builder.hpp"
#include "vector_file.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using acrypto::test::BufferLayout;
using acrypto::test::Bytes;
using acrypto::test::DeviceHarness;
using acrypto::test::KvList;
using acrypto::test::make_cipher;
using acrypto::test::pattern_bytes;
using acrypto::test::reference_cipher;

std::unique_ptr<DeviceHarness> open_model(KvList extra = {}) {
    KvList cfg{{"model", "1"}};
    for (auto &kv : extra) cfg.push_back(kv);
    std::string why;
    auto h = DeviceHarness::open(driver_table(), cfg, 0, &why);
    EXPECT_TRUE(h) << why;
    return h;
}

uint32_t alg_of(const std::string &cipher, size_t *key_len) {
    if (cipher.rfind("DES-EDE3", 0) == 0) return ACRYPTO_ALG_DES_EDE3;
    if (cipher.rfind("DES-EDE", 0) == 0) return ACRYPTO_ALG_DES_EDE3; // two-key, 16 bytes
    (void)key_len;
    return ACRYPTO_ALG_DES;
}

TEST(FastcryptDevice, KnownAnswersFromVectorFiles) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_STREQ(h->desc().name, "fastcrypt0");
    size_t checked = 0;
    for (const char *file : {"des.txt", "tdes.txt"}) {
        std::string err;
        auto stanzas =
            acrypto::test::read_vector_file(std::string(FC_VECTOR_DIR) + "/" + file, &err);
        ASSERT_FALSE(stanzas.empty()) << err;
        for (const auto &st : stanzas) {
            auto cipher = st.get("Cipher");
            if (!cipher) continue;
            const bool cbc = cipher->find("CBC") != std::string::npos;
            const uint32_t alg = alg_of(*cipher, nullptr);
            const Bytes key = st.bytes("Key"), iv = st.bytes("IV"), pt = st.bytes("Plaintext"),
                        ct = st.bytes("Ciphertext");
            for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
                const Bytes &in = dir == ACRYPTO_DIR_ENCRYPT ? pt : ct;
                const Bytes &want = dir == ACRYPTO_DIR_ENCRYPT ? ct : pt;
                auto s =
                    make_cipher(alg, cbc ? ACRYPTO_MODE_CBC : ACRYPTO_MODE_ECB, dir, key, iv, in);
                ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK) << st.where();
                EXPECT_EQ(s->output_bytes(), want) << st.where() << " dir " << dir;
                ++checked;
            }
        }
    }
    EXPECT_EQ(checked, 26u);
    h->close();
}

struct DiffCase {
    uint32_t alg;
    uint32_t mode;
    uint32_t dir;
    size_t len;
    BufferLayout layout;
};

void run_differential(DeviceHarness &h, const DiffCase &c, uint64_t seed) {
    const size_t klen = c.alg == ACRYPTO_ALG_DES ? 8 : 24;
    const Bytes key = pattern_bytes(klen, seed);
    const Bytes iv = c.mode == ACRYPTO_MODE_CBC ? pattern_bytes(8, seed + 1) : Bytes{};
    const Bytes in = pattern_bytes(c.len, seed + 2);
    acrypto::test::CipherState state;
    const Bytes want = reference_cipher(c.alg, c.mode, c.dir, key, iv, in, &state);
    auto s = make_cipher(c.alg, c.mode, c.dir, key, iv, in, c.layout);
    ASSERT_EQ(h.run(*s->get()), ACRYPTO_OK);
    ASSERT_EQ(s->step().out_len, c.len);
    EXPECT_EQ(s->output_bytes(), want) << "alg " << c.alg << " mode " << c.mode << " dir " << c.dir
                                       << " len " << c.len << " in_place " << c.layout.in_place;
    if (c.mode == ACRYPTO_MODE_CBC) {
        EXPECT_EQ(Bytes(s->step().iv, s->step().iv + 8), state.iv) << "chaining value out";
    }
}

TEST(FastcryptDevice, DifferentialAgainstLibcrypto) {
    auto h = open_model();
    ASSERT_TRUE(h);
    uint64_t seed = 1;
    for (uint32_t alg : {ACRYPTO_ALG_DES, ACRYPTO_ALG_DES_EDE3})
        for (uint32_t mode : {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC})
            for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT})
                for (size_t len :
                     {size_t{8}, size_t{64}, size_t{1000} * 8, size_t{65536}, size_t{65536 + 24}})
                    for (int layout = 0; layout < 3; ++layout) {
                        BufferLayout l;
                        l.in_place = layout == 1;
                        l.src_offset = layout == 2 ? 3 : 0; // misaligned caller buffers
                        l.dst_offset = layout == 2 ? 5 : 0;
                        run_differential(*h, DiffCase{alg, mode, dir, len, l}, seed++);
                    }
    EXPECT_EQ(h->duplicate_completions(), 0u);
    h->close();
}

TEST(FastcryptDevice, SplitsAtMaxXferAndChainsIv) {
    // A 64-byte MAX_XFER turns every session into many descriptors.
    auto h = open_model({{"model-max-xfer", "64"}, {"ring-size", "8"}});
    ASSERT_TRUE(h);
    uint64_t seed = 100;
    for (uint32_t alg : {ACRYPTO_ALG_DES, ACRYPTO_ALG_DES_EDE3})
        for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT})
            for (bool in_place : {false, true}) {
                BufferLayout l;
                l.in_place = in_place;
                run_differential(*h, DiffCase{alg, ACRYPTO_MODE_CBC, dir, 4096 + 40, l}, seed++);
                run_differential(*h, DiffCase{alg, ACRYPTO_MODE_ECB, dir, 1000, l}, seed++);
            }
    // A message fed as two sessions chains through step.iv.
    const Bytes key = pattern_bytes(24, 9), iv = pattern_bytes(8, 10),
                msg = pattern_bytes(1024, 11);
    const Bytes want =
        reference_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, msg);
    auto a = make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv,
                         std::span(msg).first(520));
    ASSERT_EQ(h->run(*a->get()), ACRYPTO_OK);
    const Bytes iv2(a->step().iv, a->step().iv + 8);
    auto b = make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv2,
                         std::span(msg).subspan(520));
    ASSERT_EQ(h->run(*b->get()), ACRYPTO_OK);
    Bytes got = a->output_bytes();
    const Bytes tail = b->output_bytes();
    got.insert(got.end(), tail.begin(), tail.end());
    EXPECT_EQ(got, want);
    const auto st = h->stats();
    EXPECT_GT(st.at("split_sessions"), 0u);
    EXPECT_GT(st.at("descriptors"), 500u);
    h->close();
}

TEST(FastcryptDevice, TwoKeyTripleDesExpandsToK1K2K1) {
    auto h = open_model();
    ASSERT_TRUE(h);
    const Bytes k16 = pattern_bytes(16, 21);
    Bytes k24 = k16;
    k24.insert(k24.end(), k16.begin(), k16.begin() + 8);
    const Bytes iv = pattern_bytes(8, 22), in = pattern_bytes(256, 23);
    for (uint32_t mode : {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC}) {
        auto s = make_cipher(ACRYPTO_ALG_DES_EDE3, mode, ACRYPTO_DIR_ENCRYPT, k16, iv, in);
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        EXPECT_EQ(s->output_bytes(),
                  reference_cipher(ACRYPTO_ALG_DES_EDE3, mode, ACRYPTO_DIR_ENCRYPT, k24, iv, in));
    }
    h->close();
}

TEST(FastcryptDevice, RefusesWhatItCannotDo) {
    auto h = open_model();
    ASSERT_TRUE(h);
    const Bytes k8 = pattern_bytes(8, 1), iv = pattern_bytes(8, 2), in = pattern_bytes(64, 3);
    auto odd = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT, k8, {},
                           std::span(in).first(12));
    EXPECT_EQ(h->run(*odd->get()), ACRYPTO_E_INVALID) << "partial blocks belong to the provider";
    auto badkey = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT,
                              std::span(in).first(7), {}, in);
    EXPECT_EQ(h->run(*badkey->get()), ACRYPTO_E_INVALID);
    auto key20 = make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT,
                             std::span(in).first(20), {}, in);
    EXPECT_EQ(h->run(*key20->get()), ACRYPTO_E_INVALID);
    auto badiv = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, k8,
                             std::span(in).first(16), in);
    EXPECT_EQ(h->run(*badiv->get()), ACRYPTO_E_INVALID);
    auto aes = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                           std::span(in).first(16), std::span(in).first(16), in);
    EXPECT_EQ(h->run(*aes->get()), ACRYPTO_E_UNSUPPORTED);
    auto cfb = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_CFB, ACRYPTO_DIR_ENCRYPT, k8, iv, in);
    EXPECT_EQ(h->run(*cfb->get()), ACRYPTO_E_UNSUPPORTED);
    auto empty =
        make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, k8, iv, Bytes{});
    EXPECT_EQ(h->run(*empty->get()), ACRYPTO_OK);
    EXPECT_EQ(empty->step().out_len, 0u);
    const auto st = h->stats();
    EXPECT_EQ(st.at("sessions_invalid"), 4u);
    EXPECT_EQ(st.at("sessions_unsupported"), 2u);
    h->close();
}

TEST(FastcryptDevice, RingFullIsBusyNotFailure) {
    auto h = open_model({{"ring-size", "4"}, {"model-desc-ns", "20000"}});
    ASSERT_TRUE(h);
    std::vector<std::unique_ptr<acrypto::test::OwnedSession>> ss;
    std::vector<Bytes> want;
    for (int i = 0; i < 200; ++i) {
        const Bytes key = pattern_bytes(24, 1000 + i), iv = pattern_bytes(8, 2000 + i),
                    in = pattern_bytes(8 * (1 + i % 9), 3000 + i);
        want.push_back(reference_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                                        key, iv, in));
        ss.push_back(
            make_cipher(ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in));
        ss.back()->get()->priority = static_cast<uint32_t>(i % 8);
        h->enqueue(ss.back()->get());
    }
    h->kick();
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(30)));
    for (size_t i = 0; i < ss.size(); ++i) {
        EXPECT_EQ(h->status_of(ss[i]->get()), ACRYPTO_OK);
        EXPECT_EQ(ss[i]->output_bytes(), want[i]) << i;
        EXPECT_EQ(h->completions(ss[i]->get()), 1u);
    }
    const auto st = h->stats();
    EXPECT_GT(st.at("ring_full"), 0u);
    EXPECT_EQ(st.at("sessions_ok"), 200u);
    EXPECT_LE(h->largest_dequeue(), 3u) << "never takes more than the ring can hold";
    h->close();
}

TEST(FastcryptDevice, SelfTestAndStats) {
    auto h = open_model();
    ASSERT_TRUE(h);
    std::string why;
    EXPECT_EQ(h->self_test(&why), ACRYPTO_OK) << why;
    const auto st = h->stats();
    EXPECT_EQ(st.at("self_tests"), 2u); // at open, and on request
    EXPECT_EQ(st.at("broken"), 0u);
    EXPECT_EQ(h->desc().ncaps, 4u);
    EXPECT_TRUE((h->desc().flags & ACRYPTO_DEV_F_HARDWARE) != 0);
    h->close();
}

TEST(FastcryptDevice, CapabilitiesFollowCaps) {
    // CAPS with 3DES and CBC only: no DES, no ECB.
    auto h = open_model({{"model-caps", "0x122"}});
    ASSERT_TRUE(h);
    ASSERT_EQ(h->desc().ncaps, 1u);
    EXPECT_EQ(h->desc().caps[0].alg, static_cast<uint32_t>(ACRYPTO_ALG_DES_EDE3));
    EXPECT_EQ(h->desc().caps[0].mode, static_cast<uint32_t>(ACRYPTO_MODE_CBC));
    const Bytes k8 = pattern_bytes(8, 1), in = pattern_bytes(64, 3);
    auto des = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT, k8, {}, in);
    EXPECT_EQ(h->run(*des->get()), ACRYPTO_E_UNSUPPORTED);
    h->close();
}

TEST(FastcryptDevice, TwoInstancesAndPluginSharedObject) {
    std::string why;
    const acrypto_device_driver *drv = DeviceHarness::load_driver(FC_PLUGIN_PATH, &why);
    ASSERT_NE(drv, nullptr) << why;
    EXPECT_STREQ(drv->name, "fastcrypt");
    EXPECT_EQ(DeviceHarness::probe(drv, {{"model", "2"}}, &why), 2);
    auto h1 = DeviceHarness::open(drv, {{"model", "2"}}, 1, &why);
    ASSERT_TRUE(h1) << why;
    EXPECT_STREQ(h1->desc().name, "fastcrypt1");
    const Bytes key = acrypto::test::from_hex("133457799bbcdff1");
    auto s = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT, key, {},
                         acrypto::test::from_hex("0123456789abcdef"));
    ASSERT_EQ(h1->run(*s->get()), ACRYPTO_OK);
    EXPECT_EQ(acrypto::test::to_hex(s->output()), "85e813540f0ab405");
    h1->close();
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
