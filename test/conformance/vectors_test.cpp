// SPDX-License-Identifier: Apache-2.0
// The vector files themselves: parse, and agree with libcrypto's default provider.
#include "conformance.hpp"

namespace acrypto::test::conformance {

TEST(Vectors, ParseAndAgreeWithReference) {
    const auto &all = all_vectors();
    ASSERT_GT(all.size(), 50u);
    int checked = 0;
    for (const Stanza &st : all) {
        SCOPED_TRACE(st.where());
        const std::string &t = st.type();
        if (t.empty()) continue;
        if (t == "Cipher") {
            auto spec = parse_cipher_name(st.type_value());
            ASSERT_TRUE(spec) << "unknown cipher " << st.type_value();
            Bytes key = step_key(*spec, st.bytes("Key")), iv = st.bytes("IV"),
                  pt = st.bytes("Plaintext"), ct = st.bytes("Ciphertext");
            if (!reference_has_cipher(spec->alg, spec->mode, key.size())) continue;
            if (spec->aead) {
                Bytes out, tag;
                Bytes want_tag = st.bytes("Tag");
                ASSERT_TRUE(reference_aead(spec->alg, spec->mode, ACRYPTO_DIR_ENCRYPT, key, iv,
                                           st.bytes("AAD"), pt, {},
                                           static_cast<uint32_t>(want_tag.size()), &out, &tag));
                EXPECT_EQ(to_hex(out), to_hex(ct));
                EXPECT_EQ(to_hex(tag), to_hex(want_tag));
            } else {
                CipherState cs;
                EXPECT_EQ(to_hex(reference_cipher(spec->alg, spec->mode, ACRYPTO_DIR_ENCRYPT, key,
                                                  iv, pt, &cs)),
                          to_hex(ct));
                if (st.has("NextIV")) {
                    EXPECT_EQ(to_hex(cs.iv), to_hex(st.bytes("NextIV")));
                }
            }
            ++checked;
        } else if (t == "Digest") {
            uint32_t alg = parse_digest_name(st.type_value());
            ASSERT_NE(alg, 0u);
            const Bytes in = st.repeated("Input");
            EXPECT_EQ(to_hex(reference_digest(alg, in)), to_hex(st.bytes("Output")));
            ++checked;
        } else if (t == "MAC") {
            const std::string a = st.get("Algorithm").value_or("");
            Bytes out =
                st.type_value() == "HMAC"
                    ? reference_hmac(parse_digest_name(a), st.bytes("Key"), st.bytes("Input"))
                    : reference_cmac(parse_cipher_name(a)->alg, st.bytes("Key"), st.bytes("Input"));
            EXPECT_EQ(to_hex(out), to_hex(st.bytes("Output")));
            ++checked;
        }
    }
    EXPECT_GT(checked, 50);
}

TEST(Vectors, ParserRejectsMalformed) {
    std::string err;
    EXPECT_TRUE(parse_vectors("Cipher = AES-128-ECB\nKey 00\n", "x", &err).empty());
    EXPECT_NE(err.find("x:2"), std::string::npos);
    auto v = parse_vectors("# c\nTitle = t\nDigest = SHA256\nInput = \"abc\"\n\nMAC = HMAC\n", "y");
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].type(), "Digest");
    EXPECT_EQ(v[0].title, "t");
    EXPECT_EQ(v[0].bytes("Input"), (Bytes{'a', 'b', 'c'}));
    EXPECT_THROW(from_hex("0g"), std::invalid_argument);
}

TEST(Vectors, DeviceConfsParse) {
    auto confs = load_device_confs();
    ASSERT_FALSE(confs.empty()) << "no .conf in " ACRYPTO_TEST_DEVICE_DIR;
    for (const auto &c : confs) EXPECT_TRUE(c.error.empty()) << c.error;
}

} // namespace acrypto::test::conformance
