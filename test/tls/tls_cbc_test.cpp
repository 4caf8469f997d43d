// SPDX-License-Identifier: Apache-2.0
// TLS CBC record mode (tls-version / tls-mac-size / tls-mac on AES-CBC and 3DES-CBC) and the
// stitched AES-CBC-HMAC-SHA1/SHA256 ciphers, each record checked against the default provider:
// byte-identical records both ways, every padding length, bad padding, short and tampered records.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

constexpr unsigned kSsl3 = 0x0300, kTls1 = 0x0301, kTls11 = 0x0302, kTls12 = 0x0303;

EVP_CIPHER *fetch(const char *name, const char *propq) {
    return EVP_CIPHER_fetch(env().ctx(), name, propq);
}

struct Ctx {
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    ~Ctx() { EVP_CIPHER_CTX_free(c); }
};

/// Init a record-mode context: key, IV, tls-version, tls-mac-size.
bool init_record(EVP_CIPHER_CTX *c, EVP_CIPHER *cipher, bool enc, const Bytes &key, const Bytes &iv,
                 unsigned version, size_t mac_size) {
    if (EVP_CipherInit_ex2(c, cipher, key.data(), iv.data(), enc ? 1 : 0, nullptr) != 1)
        return false;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_TLS_VERSION, &version),
                      OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, &mac_size),
                      OSSL_PARAM_construct_end()};
    return EVP_CIPHER_CTX_set_params(c, p) == 1;
}

/// One record through EVP_CipherUpdate in place, as libssl does. Returns -1 on failure.
long run_record(EVP_CIPHER_CTX *c, Bytes &buf, size_t len) {
    int outl = 0;
    if (EVP_CipherUpdate(c, buf.data(), &outl, buf.data(), static_cast<int>(len)) != 1) return -1;
    return outl;
}

Bytes tls_mac(EVP_CIPHER_CTX *c, size_t mac_size) {
    unsigned char *mac = nullptr;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_ptr(OSSL_CIPHER_PARAM_TLS_MAC,
                                                     reinterpret_cast<void **>(&mac), mac_size),
                      OSSL_PARAM_construct_end()};
    if (EVP_CIPHER_CTX_get_params(c, p) != 1 || mac == nullptr) return {};
    return Bytes(mac, mac + mac_size);
}

/// Raw CBC (no padding) with the default provider: builds records with chosen padding.
Bytes raw_cbc(const char *name, bool enc, const Bytes &key, const Bytes &iv, const Bytes &in) {
    EVP_CIPHER *ci = fetch(name, kDefault);
    Ctx x;
    Bytes out(in.size());
    int l = 0;
    EXPECT_EQ(EVP_CipherInit_ex2(x.c, ci, key.data(), iv.data(), enc ? 1 : 0, nullptr), 1);
    EVP_CIPHER_CTX_set_padding(x.c, 0);
    EXPECT_EQ(EVP_CipherUpdate(x.c, out.data(), &l, in.data(), static_cast<int>(in.size())), 1);
    EVP_CIPHER_free(ci);
    return out;
}

struct PlainCase {
    const char *name;
    size_t key_len;
    size_t block;
};

class TlsCbc : public ::testing::TestWithParam<PlainCase> {};

TEST_P(TlsCbc, AdvertisesRecordParams) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    EVP_CIPHER *a = fetch(GetParam().name, kAcrypto);
    ASSERT_NE(a, nullptr);
    const OSSL_PARAM *s = EVP_CIPHER_settable_ctx_params(a);
    EXPECT_NE(OSSL_PARAM_locate_const(s, OSSL_CIPHER_PARAM_TLS_VERSION), nullptr);
    EXPECT_NE(OSSL_PARAM_locate_const(s, OSSL_CIPHER_PARAM_TLS_MAC_SIZE), nullptr);
    EXPECT_NE(OSSL_PARAM_locate_const(EVP_CIPHER_gettable_ctx_params(a), OSSL_CIPHER_PARAM_TLS_MAC),
              nullptr);
    EVP_CIPHER_free(a);
}

// Encrypt: records of every length up to a few blocks and some large ones, several on one
// context (TLS 1.0 chains the IV across records): identical bytes and lengths.
TEST_P(TlsCbc, EncryptMatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const PlainCase &pc = GetParam();
    EVP_CIPHER *a = fetch(pc.name, kAcrypto), *d = fetch(pc.name, kDefault);
    ASSERT_TRUE(a && d);
    for (unsigned v : {kSsl3, kTls1, kTls11, kTls12}) {
        for (size_t mac : {size_t{0}, size_t{20}, size_t{32}}) {
            const Bytes key = random_bytes(pc.key_len), iv = random_bytes(pc.block);
            Ctx ca, cd;
            ASSERT_TRUE(init_record(ca.c, a, true, key, iv, v, mac));
            ASSERT_TRUE(init_record(cd.c, d, true, key, iv, v, mac));
            std::vector<size_t> lens;
            for (size_t n = 1; n <= 4 * pc.block + 3; ++n) lens.push_back(n);
            lens.insert(lens.end(), {size_t{1000}, size_t{16384 + 20 + 16}});
            for (size_t n : lens) {
                SCOPED_TRACE(std::string(pc.name) + " v" + std::to_string(v) + " mac " +
                             std::to_string(mac) + " len " + std::to_string(n));
                Bytes msg = random_bytes(n);
                Bytes ba = msg, bd = msg;
                ba.resize(n + pc.block);
                bd.resize(n + pc.block);
                long la = run_record(ca.c, ba, n), ld = run_record(cd.c, bd, n);
                ASSERT_EQ(la, ld) << drain_errors();
                ASSERT_GT(la, 0);
                EXPECT_EQ(0, std::memcmp(ba.data(), bd.data(), static_cast<size_t>(la)));
            }
        }
    }
    EVP_CIPHER_free(a);
    EVP_CIPHER_free(d);
}

/// A decrypted record's plaintext: explicit IV (if any), payload, MAC, `pad`+1 padding bytes.
Bytes make_plain(unsigned v, size_t block, size_t payload, size_t mac, size_t pad) {
    Bytes p = random_bytes((v >= kTls11 ? block : 0) + payload + mac);
    p.insert(p.end(), pad + 1, static_cast<uint8_t>(pad));
    return p;
}

struct Outcome {
    long len = -1;
    Bytes buf;
    Bytes mac;
};

Outcome decrypt_with(EVP_CIPHER *ci, const Bytes &key, const Bytes &iv, unsigned v, size_t mac,
                     const Bytes &record) {
    Outcome o;
    Ctx x;
    EXPECT_TRUE(init_record(x.c, ci, false, key, iv, v, mac));
    o.buf = record;
    o.buf.resize(record.size() + 64);
    o.len = run_record(x.c, o.buf, record.size());
    if (o.len >= 0 && mac > 0) o.mac = tls_mac(x.c, mac);
    o.buf.resize(record.size());
    drain_errors();
    return o;
}

// Decrypt: every padding length 0..255 that fits, good and bad padding, each record through
// both providers: same success, same payload length, same bytes, same MAC when the padding is
// good (a bad padding yields a random MAC from both, and no MAC at all means failure).
TEST_P(TlsCbc, DecryptEveryPaddingMatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const PlainCase &pc = GetParam();
    EVP_CIPHER *a = fetch(pc.name, kAcrypto), *d = fetch(pc.name, kDefault);
    ASSERT_TRUE(a && d);
    int good = 0, bad = 0;
    for (unsigned v : {kTls1, kTls12}) {
        for (size_t mac : {size_t{0}, size_t{20}, size_t{32}}) {
            const Bytes key = random_bytes(pc.key_len), iv = random_bytes(pc.block);
            for (size_t pad = 0; pad < 256; ++pad) {
                const size_t base = (v >= kTls11 ? pc.block : 0) + mac + pad + 1;
                const size_t payload =
                    (pc.block - base % pc.block) % pc.block + (pad % 3) * pc.block;
                for (int variant = 0; variant < 3; ++variant) {
                    SCOPED_TRACE(std::string(pc.name) + " v" + std::to_string(v) + " mac " +
                                 std::to_string(mac) + " pad " + std::to_string(pad) + " variant " +
                                 std::to_string(variant));
                    Bytes plain = make_plain(v, pc.block, payload, mac, pad);
                    if (variant == 1) // one wrong padding byte (the first one)
                        plain[plain.size() - 1 - pad] ^= 0x01;
                    if (variant == 2) // a length byte claiming more padding than the record has
                        plain.back() = 255;
                    if (variant == 1 && pad == 0)
                        continue; // the only padding byte is the length byte
                    const Bytes rec = raw_cbc(pc.name, true, key, iv, plain);
                    const Outcome oa = decrypt_with(a, key, iv, v, mac, rec);
                    const Outcome od = decrypt_with(d, key, iv, v, mac, rec);
                    ASSERT_EQ(oa.len, od.len);
                    if (od.len < 0) {
                        ++bad;
                        continue;
                    }
                    EXPECT_EQ(oa.buf, od.buf);
                    const bool padding_ok = variant == 0 || (variant == 2 && pad == 255);
                    if (padding_ok) {
                        ++good;
                        EXPECT_EQ(static_cast<size_t>(oa.len), payload);
                        EXPECT_EQ(oa.mac, od.mac);
                        const size_t moff = (v >= kTls11 ? pc.block : 0) + payload;
                        EXPECT_EQ(oa.mac, Bytes(plain.begin() + static_cast<long>(moff),
                                                plain.begin() + static_cast<long>(moff + mac)));
                    } else if (mac > 0) {
                        ++bad;
                        // Random MAC in place of the record's: it never matches the real one.
                        const size_t moff = plain.size() - mac;
                        EXPECT_NE(oa.mac,
                                  Bytes(plain.begin() + static_cast<long>(moff), plain.end()));
                        EXPECT_EQ(oa.mac.size(), mac);
                    }
                }
            }
        }
    }
    EXPECT_GT(good, 0);
    EXPECT_GT(bad, 0);
    EVP_CIPHER_free(a);
    EVP_CIPHER_free(d);
}

// SSL 3.0 padding: only the length byte counts and it must be below the block size; the
// padding bytes themselves are not checked. Every length byte value, both providers.
TEST_P(TlsCbc, Ssl3PaddingMatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const PlainCase &pc = GetParam();
    EVP_CIPHER *a = fetch(pc.name, kAcrypto), *d = fetch(pc.name, kDefault);
    ASSERT_TRUE(a && d);
    const Bytes key = random_bytes(pc.key_len), iv = random_bytes(pc.block);
    int good = 0;
    for (size_t mac : {size_t{0}, size_t{20}}) {
        for (unsigned lenbyte = 0; lenbyte < 256; ++lenbyte) {
            SCOPED_TRACE(std::string(pc.name) + " mac " + std::to_string(mac) + " length byte " +
                         std::to_string(lenbyte));
            Bytes plain = random_bytes(3 * pc.block);
            plain.back() = static_cast<uint8_t>(lenbyte);
            const Bytes rec = raw_cbc(pc.name, true, key, iv, plain);
            const Outcome oa = decrypt_with(a, key, iv, kSsl3, mac, rec);
            const Outcome od = decrypt_with(d, key, iv, kSsl3, mac, rec);
            ASSERT_EQ(oa.len, od.len);
            if (od.len < 0) continue;
            EXPECT_EQ(oa.buf, od.buf);
            if (lenbyte < pc.block && plain.size() >= lenbyte + 1 + mac) {
                ++good;
                EXPECT_EQ(static_cast<size_t>(oa.len), plain.size() - lenbyte - 1 - mac);
                EXPECT_EQ(oa.mac, od.mac);
            }
        }
    }
    EXPECT_GT(good, 0);
    EVP_CIPHER_free(a);
    EVP_CIPHER_free(d);
}

// Short records: shorter than explicit IV + MAC + length byte, or not a block multiple.
TEST_P(TlsCbc, ShortRecordsMatchDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const PlainCase &pc = GetParam();
    EVP_CIPHER *a = fetch(pc.name, kAcrypto), *d = fetch(pc.name, kDefault);
    ASSERT_TRUE(a && d);
    const Bytes key = random_bytes(pc.key_len), iv = random_bytes(pc.block);
    for (unsigned v : {kSsl3, kTls1, kTls11, kTls12}) {
        for (size_t mac : {size_t{0}, size_t{20}, size_t{32}}) {
            for (size_t n = pc.block; n <= 4 * pc.block + 8; n += pc.block / 2) {
                SCOPED_TRACE(std::string(pc.name) + " v" + std::to_string(v) + " mac " +
                             std::to_string(mac) + " len " + std::to_string(n));
                const Bytes rec = random_bytes(n);
                const Outcome oa = decrypt_with(a, key, iv, v, mac, rec);
                const Outcome od = decrypt_with(d, key, iv, v, mac, rec);
                ASSERT_EQ(oa.len, od.len);
                if (od.len >= 0) {
                    EXPECT_EQ(oa.buf, od.buf);
                }
            }
        }
    }
    EVP_CIPHER_free(a);
    EVP_CIPHER_free(d);
}

INSTANTIATE_TEST_SUITE_P(Ciphers, TlsCbc,
                         ::testing::Values(PlainCase{"AES-128-CBC", 16, 16},
                                           PlainCase{"AES-256-CBC", 32, 16},
                                           PlainCase{"DES-EDE3-CBC", 24, 8}),
                         [](const auto &info) {
                             std::string s = info.param.name;
                             for (char &ch : s)
                                 if (ch == '-') ch = '_';
                             return s;
                         });

// ---- Stitched AES-CBC-HMAC-SHA1/SHA256 -------------------------------------------------

struct StitchedCase {
    const char *name;
    size_t key_len;
    size_t md;
};

bool stitched_init(EVP_CIPHER_CTX *c, EVP_CIPHER *ci, bool enc, const Bytes &key, const Bytes &iv,
                   const Bytes &mac_key, unsigned version) {
    if (EVP_CipherInit_ex2(c, ci, key.data(), iv.data(), enc ? 1 : 0, nullptr) != 1) return false;
    size_t zero = 0;
    OSSL_PARAM p[] = {OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_MAC_KEY,
                                                        const_cast<uint8_t *>(mac_key.data()),
                                                        mac_key.size()),
                      OSSL_PARAM_construct_uint(OSSL_CIPHER_PARAM_TLS_VERSION, &version),
                      OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_TLS_MAC_SIZE, &zero),
                      OSSL_PARAM_construct_end()};
    return EVP_CIPHER_CTX_set_params(c, p) == 1;
}

Bytes header(uint64_t seq, unsigned version, size_t len) {
    Bytes h(13);
    for (int i = 0; i < 8; ++i)
        h[static_cast<size_t>(i)] = static_cast<uint8_t>(seq >> (56 - 8 * i));
    h[8] = 23; // application data
    h[9] = static_cast<uint8_t>(version >> 8);
    h[10] = static_cast<uint8_t>(version);
    h[11] = static_cast<uint8_t>(len >> 8);
    h[12] = static_cast<uint8_t>(len);
    return h;
}

/// Set the TLS1 AAD as libssl does (a copy: the default provider rewrites it); returns the pad.
int set_aad(EVP_CIPHER_CTX *c, Bytes aad) {
    return EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_TLS1_AAD, static_cast<int>(aad.size()), aad.data());
}

std::map<std::string, long long> stats() {
    std::map<std::string, long long> m;
    OSSL_PROVIDER *p = OSSL_PROVIDER_load(env().ctx(), "acrypto");
    if (p == nullptr) return m;
    std::vector<char> buf(1 << 16);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("acrypto-stats", buf.data(), buf.size()),
        OSSL_PARAM_construct_end()};
    if (OSSL_PROVIDER_get_params(p, params) == 1) {
        std::istringstream in(buf.data());
        std::string line;
        while (std::getline(in, line)) {
            size_t eq = line.find('=');
            if (eq != std::string::npos) m[line.substr(0, eq)] = std::atoll(line.c_str() + eq + 1);
        }
    }
    OSSL_PROVIDER_unload(p);
    return m;
}

class Stitched : public ::testing::TestWithParam<StitchedCase> {};

TEST_P(Stitched, RecordsMatchDefaultBothWays) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const StitchedCase &sc = GetParam();
    EVP_CIPHER *a = fetch(sc.name, kAcrypto), *d = fetch(sc.name, kDefault);
    ASSERT_NE(a, nullptr);
    if (d == nullptr) GTEST_SKIP() << "default provider has no " << sc.name << " on this CPU";
    EXPECT_NE(EVP_CIPHER_get_flags(a) & EVP_CIPH_FLAG_AEAD_CIPHER, 0u);
    EXPECT_EQ(EVP_CIPHER_get_flags(a) & EVP_CIPH_FLAG_TLS1_1_MULTIBLOCK, 0u);
    const char *md_alg = sc.md == 20 ? "alg.sha1.steps" : "alg.sha256.steps";
    auto before = stats();
    int records = 0;
    for (unsigned v : {kTls1, kTls11, kTls12}) {
        const size_t eiv = v >= kTls11 ? 16 : 0;
        const Bytes key = random_bytes(sc.key_len), iv = random_bytes(16),
                    mkey = random_bytes(sc.md);
        Ctx ea, ed, da, dd;
        ASSERT_TRUE(stitched_init(ea.c, a, true, key, iv, mkey, v)) << drain_errors();
        ASSERT_TRUE(stitched_init(ed.c, d, true, key, iv, mkey, v));
        ASSERT_TRUE(stitched_init(da.c, a, false, key, iv, mkey, v));
        ASSERT_TRUE(stitched_init(dd.c, d, false, key, iv, mkey, v));
        uint64_t seq = 0x0102030405060700ull;
        std::vector<size_t> lens = {0, 1, 11, 12, 15, 16, 17, 31, 32, 33, 100, 1000, 16384};
        for (size_t n : lens) {
            SCOPED_TRACE(std::string(sc.name) + " v" + std::to_string(v) + " len " +
                         std::to_string(n));
            const Bytes payload = random_bytes(n);
            Bytes in = random_bytes(eiv); // explicit IV, as libssl writes it
            in.insert(in.end(), payload.begin(), payload.end());
            const Bytes aad = header(seq, v, in.size());
            const int pa = set_aad(ea.c, aad), pd = set_aad(ed.c, aad);
            ASSERT_EQ(pa, pd) << drain_errors();
            ASSERT_GT(pa, 0);
            const size_t len = in.size() + static_cast<size_t>(pa);
            Bytes ra = in, rd = in;
            ra.resize(len + 16);
            rd.resize(len + 16);
            ASSERT_EQ(run_record(ea.c, ra, len), static_cast<long>(len)) << drain_errors();
            ASSERT_EQ(run_record(ed.c, rd, len), static_cast<long>(len));
            ra.resize(len);
            rd.resize(len);
            ASSERT_EQ(ra, rd) << "sealed records differ";
            ++records;

            // Open the record with both; then tampered copies must fail with both.
            const Bytes daad = header(seq, v, len);
            ASSERT_GT(set_aad(da.c, daad), 0);
            ASSERT_GT(set_aad(dd.c, daad), 0);
            Bytes oa = rd, od = rd;
            oa.resize(len + 16);
            od.resize(len + 16);
            const long la = run_record(da.c, oa, len), ld = run_record(dd.c, od, len);
            ASSERT_EQ(la, ld) << drain_errors();
            ASSERT_EQ(la, static_cast<long>(n));
            if (n != 0) { // an empty payload has no data() to compare
                EXPECT_EQ(0, std::memcmp(oa.data() + eiv, payload.data(), n));
            }
            size_t diff = 0;
            while (diff < len && oa[diff] == od[diff]) ++diff;
            EXPECT_EQ(diff, len) << "first difference at " << diff;
            ++seq;
        }
        // Tampering: each on fresh contexts (a failed record leaves the IV chain undefined).
        for (size_t pos : {size_t{0}, size_t{20}, size_t{47}, size_t{63}}) {
            SCOPED_TRACE(std::string(sc.name) + " tamper v" + std::to_string(v) + " at " +
                         std::to_string(pos));
            Ctx e, x, y;
            ASSERT_TRUE(stitched_init(e.c, d, true, key, iv, mkey, v));
            ASSERT_TRUE(stitched_init(x.c, a, false, key, iv, mkey, v));
            ASSERT_TRUE(stitched_init(y.c, d, false, key, iv, mkey, v));
            Bytes in = random_bytes(eiv + 30);
            const int pad = set_aad(e.c, header(7, v, in.size()));
            const size_t len = in.size() + static_cast<size_t>(pad);
            in.resize(len + 16);
            ASSERT_EQ(run_record(e.c, in, len), static_cast<long>(len));
            ASSERT_LT(pos, len);
            Bytes t = in;
            t[pos] ^= 0x40;
            Bytes ta = t, td = t;
            ASSERT_GT(set_aad(x.c, header(7, v, len)), 0);
            ASSERT_GT(set_aad(y.c, header(7, v, len)), 0);
            EXPECT_EQ(run_record(x.c, ta, len), -1);
            EXPECT_EQ(run_record(y.c, td, len), -1);
            // Wrong sequence number in the header: MAC mismatch.
            Ctx x2;
            ASSERT_TRUE(stitched_init(x2.c, a, false, key, iv, mkey, v));
            ASSERT_GT(set_aad(x2.c, header(8, v, len)), 0);
            Bytes tb = in;
            EXPECT_EQ(run_record(x2.c, tb, len), -1);
            drain_errors();
        }
    }
    auto after = stats();
    // Each sealed record: one HMAC step and one AES step; each opened record: one AES step.
    EXPECT_GE(after[md_alg] - before[md_alg], records);
    EXPECT_GE(after["alg.aes.steps"] - before["alg.aes.steps"], 2 * records);
    EVP_CIPHER_free(a);
    EVP_CIPHER_free(d);
}

// A sealed record is one session whose route has two steps (HMAC, then AES-CBC): the
// statistics count one session (inline or submitted) and one step of each per record.
TEST_P(Stitched, SealIsOneSessionOfTwoSteps) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const StitchedCase &sc = GetParam();
    EVP_CIPHER *a = fetch(sc.name, kAcrypto);
    ASSERT_NE(a, nullptr);
    const char *md_alg = sc.md == 20 ? "alg.sha1.steps" : "alg.sha256.steps";
    Ctx e;
    ASSERT_TRUE(stitched_init(e.c, a, true, random_bytes(sc.key_len), random_bytes(16),
                              random_bytes(sc.md), kTls12));
    constexpr int kRecords = 8;
    auto before = stats();
    for (int i = 0; i < kRecords; ++i) {
        Bytes in = random_bytes(16 + 100);
        const int pad = set_aad(e.c, header(static_cast<uint64_t>(i), kTls12, in.size()));
        ASSERT_GT(pad, 0);
        const size_t len = in.size() + static_cast<size_t>(pad);
        in.resize(len);
        ASSERT_EQ(run_record(e.c, in, len), static_cast<long>(len)) << drain_errors();
    }
    auto after = stats();
    const long long sessions =
        after["inline"] + after["submitted"] - before["inline"] - before["submitted"];
    EXPECT_EQ(sessions, kRecords);
    EXPECT_EQ(after[md_alg] - before[md_alg], kRecords);
    EXPECT_EQ(after["alg.aes.steps"] - before["alg.aes.steps"], kRecords);
    EVP_CIPHER_free(a);
}

// Without an AAD the stitched cipher is plain AES-CBC (no padding), as in the default provider.
TEST_P(Stitched, PlainCbcWithoutAad) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const StitchedCase &sc = GetParam();
    EVP_CIPHER *a = fetch(sc.name, kAcrypto);
    ASSERT_NE(a, nullptr);
    const Bytes key = random_bytes(sc.key_len), iv = random_bytes(16), msg = random_bytes(64);
    const char *cbc = sc.key_len == 16 ? "AES-128-CBC" : "AES-256-CBC";
    Ctx x;
    ASSERT_TRUE(stitched_init(x.c, a, true, key, iv, random_bytes(sc.md), kTls12));
    Bytes buf = msg;
    buf.resize(msg.size() + 16);
    ASSERT_EQ(run_record(x.c, buf, msg.size()), 64);
    buf.resize(64);
    EXPECT_EQ(buf, raw_cbc(cbc, true, key, iv, msg));
    EVP_CIPHER_free(a);
}

INSTANTIATE_TEST_SUITE_P(Ciphers, Stitched,
                         ::testing::Values(StitchedCase{"AES-128-CBC-HMAC-SHA1", 16, 20},
                                           StitchedCase{"AES-256-CBC-HMAC-SHA1", 32, 20},
                                           StitchedCase{"AES-128-CBC-HMAC-SHA256", 16, 32},
                                           StitchedCase{"AES-256-CBC-HMAC-SHA256", 32, 32}),
                         [](const auto &info) {
                             std::string s = info.param.name;
                             for (char &ch : s)
                                 if (ch == '-') ch = '_';
                             return s;
                         });

} // namespace
} // namespace acrypto::test::pk
