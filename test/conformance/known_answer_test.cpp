// SPDX-License-Identifier: Apache-2.0
// Conformance: known-answer vectors from test/vectors/ for every capability a device declares.
#include <cstring>
#include <functional>

#include "conformance.hpp"

namespace acrypto::test::conformance {

namespace {

/// Which vectors a test takes.
enum class Kind { Aes, AesGcm, AesXts, Des, ChaCha20, ChaChaPoly, Sha, Hmac, Cmac };

bool stanza_is(const Stanza &st, Kind k) {
    const std::string &t = st.type();
    if (t == "Cipher") {
        auto spec = parse_cipher_name(st.type_value());
        if (!spec) return false;
        switch (k) {
        case Kind::Aes:
            return spec->alg == ACRYPTO_ALG_AES && spec->mode != ACRYPTO_MODE_GCM &&
                   spec->mode != ACRYPTO_MODE_XTS;
        case Kind::AesGcm: return spec->alg == ACRYPTO_ALG_AES && spec->mode == ACRYPTO_MODE_GCM;
        case Kind::AesXts: return spec->alg == ACRYPTO_ALG_AES && spec->mode == ACRYPTO_MODE_XTS;
        case Kind::Des: return spec->alg == ACRYPTO_ALG_DES || spec->alg == ACRYPTO_ALG_DES_EDE3;
        case Kind::ChaCha20: return spec->alg == ACRYPTO_ALG_CHACHA20 && !spec->aead;
        case Kind::ChaChaPoly: return spec->alg == ACRYPTO_ALG_CHACHA20 && spec->aead;
        default: return false;
        }
    }
    if (t == "Digest") return k == Kind::Sha && parse_digest_name(st.type_value()) != 0;
    if (t == "MAC") {
        if (st.type_value() == "HMAC") return k == Kind::Hmac;
        if (st.type_value() == "CMAC") return k == Kind::Cmac;
    }
    return false;
}

struct Tally {
    int applied = 0;
    int skipped = 0;
};

} // namespace

class KnownAnswer : public DeviceConformance {
  protected:
    void run_kind(Kind k, const char *what);
    void cipher(const Stanza &st, Tally &t);
    void aead(const Stanza &st, Tally &t);
    void digest(const Stanza &st, Tally &t);
    void mac(const Stanza &st, Tally &t);
};

void KnownAnswer::run_kind(Kind k, const char *what) {
    Tally t;
    size_t total = 0;
    for (const Stanza &st : all_vectors()) {
        if (!stanza_is(st, k)) continue;
        ++total;
        SCOPED_TRACE(st.where() + (st.title.empty() ? "" : " (" + st.title + ")"));
        if (st.type() == "Cipher") {
            if (parse_cipher_name(st.type_value())->aead)
                aead(st, t);
            else
                cipher(st, t);
        } else if (st.type() == "Digest") {
            digest(st, t);
        } else {
            mac(st, t);
        }
        if (HasFatalFailure()) return;
    }
    ASSERT_GT(total, 0u) << "no " << what << " vectors found in " ACRYPTO_TEST_VECTOR_DIR;
    if (t.applied == 0)
        GTEST_SKIP() << GetParam().name << " declares no capability covering the " << total << " "
                     << what << " vectors";
    RecordProperty("vectors_applied", t.applied);
    RecordProperty("vectors_not_covered", t.skipped);
}

void KnownAnswer::cipher(const Stanza &st, Tally &t) {
    const CipherSpec spec = *parse_cipher_name(st.type_value());
    const Bytes key = step_key(spec, st.bytes("Key")), iv = st.bytes("IV"),
                pt = st.bytes("Plaintext"), ct = st.bytes("Ciphertext");
    const std::string op = st.get("Operation").value_or("");
    for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
        if ((op == "ENCRYPT" && dir != ACRYPTO_DIR_ENCRYPT) ||
            (op == "DECRYPT" && dir != ACRYPTO_DIR_DECRYPT))
            continue;
        if (!find_cap(ACRYPTO_OP_CIPHER, spec.alg, spec.mode, dir, key.size(), pt.size())) {
            ++t.skipped;
            continue;
        }
        ++t.applied;
        const Bytes &in = dir == ACRYPTO_DIR_ENCRYPT ? pt : ct;
        const Bytes &want = dir == ACRYPTO_DIR_ENCRYPT ? ct : pt;
        auto s = make_cipher(spec.alg, spec.mode, dir, key, iv, in);
        ASSERT_EQ(run(*s), ACRYPTO_OK) << (dir == ACRYPTO_DIR_ENCRYPT ? "encrypt" : "decrypt");
        EXPECT_EQ(to_hex(s->output()), to_hex(want))
            << (dir == ACRYPTO_DIR_ENCRYPT ? "encrypt" : "decrypt");
        if (auto next = st.get("NextIV")) {
            Bytes n = st.bytes("NextIV");
            EXPECT_EQ(to_hex({s->step().iv, n.size()}), to_hex(n))
                << "chaining IV after the message";
        }
    }
}

void KnownAnswer::aead(const Stanza &st, Tally &t) {
    const CipherSpec spec = *parse_cipher_name(st.type_value());
    const Bytes key = st.bytes("Key"), iv = st.bytes("IV"), aad = st.bytes("AAD"),
                pt = st.bytes("Plaintext"), ct = st.bytes("Ciphertext"), tag = st.bytes("Tag");
    for (uint32_t dir : {ACRYPTO_DIR_ENCRYPT, ACRYPTO_DIR_DECRYPT}) {
        if (!find_cap(ACRYPTO_OP_CIPHER, spec.alg, spec.mode, dir, key.size(), pt.size())) {
            ++t.skipped;
            continue;
        }
        ++t.applied;
        const bool enc = dir == ACRYPTO_DIR_ENCRYPT;
        auto s = make_aead(spec.alg, spec.mode, dir, key, iv, aad, enc ? pt : ct,
                           enc ? Bytes{} : tag, static_cast<uint32_t>(tag.size()));
        ASSERT_EQ(run(*s), ACRYPTO_OK) << (enc ? "encrypt" : "decrypt");
        EXPECT_EQ(to_hex(s->output()), to_hex(enc ? ct : pt));
        if (enc) {
            EXPECT_EQ(to_hex({s->step().tag, tag.size()}), to_hex(tag)) << "tag";
        }
        if (!enc && !tag.empty()) {
            Bytes bad = tag;
            bad[0] ^= 1;
            auto s2 = make_aead(spec.alg, spec.mode, dir, key, iv, aad, ct, bad,
                                static_cast<uint32_t>(bad.size()));
            EXPECT_EQ(run(*s2), ACRYPTO_E_VERIFY) << "a corrupted tag must not verify";
        }
    }
}

void KnownAnswer::digest(const Stanza &st, Tally &t) {
    const uint32_t alg = parse_digest_name(st.type_value());
    const Bytes in = st.repeated("Input");
    if (!find_cap(ACRYPTO_OP_DIGEST, alg, ACRYPTO_MODE_NONE, 0, 0, in.size())) {
        ++t.skipped;
        return;
    }
    ++t.applied;
    auto s = make_digest(alg, in);
    ASSERT_EQ(run(*s), ACRYPTO_OK);
    EXPECT_EQ(to_hex(s->output()), to_hex(st.bytes("Output")));
}

void KnownAnswer::mac(const Stanza &st, Tally &t) {
    const Bytes key = st.bytes("Key"), in = st.bytes("Input"), want = st.bytes("Output");
    const std::string alg_name = st.get("Algorithm").value_or("");
    std::unique_ptr<OwnedSession> s;
    if (st.type_value() == "HMAC") {
        const uint32_t alg = parse_digest_name(alg_name);
        if (!alg || !find_cap(ACRYPTO_OP_MAC, alg, ACRYPTO_MODE_HMAC, 0, key.size(), in.size())) {
            ++t.skipped;
            return;
        }
        s = make_hmac(alg, key, in);
    } else {
        auto spec = parse_cipher_name(alg_name);
        if (!spec ||
            !find_cap(ACRYPTO_OP_MAC, spec->alg, ACRYPTO_MODE_CMAC, 0, key.size(), in.size())) {
            ++t.skipped;
            return;
        }
        s = make_cmac(spec->alg, key, in);
    }
    ++t.applied;
    ASSERT_EQ(run(*s), ACRYPTO_OK);
    EXPECT_EQ(to_hex(s->output()), to_hex(want));
}

TEST_P(KnownAnswer, Aes) { run_kind(Kind::Aes, "AES (ECB/CBC/CFB/OFB/CTR)"); }
TEST_P(KnownAnswer, AesGcm) { run_kind(Kind::AesGcm, "AES-GCM"); }
TEST_P(KnownAnswer, AesXts) { run_kind(Kind::AesXts, "AES-XTS"); }
TEST_P(KnownAnswer, Des) { run_kind(Kind::Des, "DES/TDEA"); }
TEST_P(KnownAnswer, ChaCha20) { run_kind(Kind::ChaCha20, "ChaCha20"); }
TEST_P(KnownAnswer, ChaCha20Poly1305) { run_kind(Kind::ChaChaPoly, "ChaCha20-Poly1305"); }
TEST_P(KnownAnswer, Sha) { run_kind(Kind::Sha, "SHA-1/SHA-2"); }
TEST_P(KnownAnswer, Hmac) { run_kind(Kind::Hmac, "HMAC"); }
TEST_P(KnownAnswer, Cmac) { run_kind(Kind::Cmac, "CMAC"); }

INSTANTIATE_TEST_SUITE_P(Devices, KnownAnswer, ::testing::ValuesIn(load_device_confs()),
                         conf_test_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(KnownAnswer);

} // namespace acrypto::test::conformance
