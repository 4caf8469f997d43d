// SPDX-License-Identifier: Apache-2.0
// libssl handshakes and records through acrypto in one process (sync and SSL_MODE_ASYNC), with
// the provider's statistics proving which operations acrypto served.
#include <gtest/gtest.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

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

int group_cb(const OSSL_PARAM *, void *arg) {
    ++*static_cast<int *>(arg);
    return 1;
}

/// Mandatory acrypto when it declares TLS groups (libssl needs them), else preferred.
const char *tls_propq() {
    OSSL_PROVIDER *p = OSSL_PROVIDER_load(env().ctx(), "acrypto");
    int groups = 0;
    if (p != nullptr) {
        OSSL_PROVIDER_get_capabilities(p, "TLS-GROUP", group_cb, &groups);
        OSSL_PROVIDER_unload(p);
    }
    return groups > 0 ? "provider=acrypto" : "?provider=acrypto";
}

/// Name of the provider serving cipher `name` under `propq` ("" if none).
std::string cipher_provider(const char *name, const char *propq) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(env().ctx(), name, propq);
    std::string p = c != nullptr ? OSSL_PROVIDER_get0_name(EVP_CIPHER_get0_provider(c)) : "";
    EVP_CIPHER_free(c);
    return p;
}

X509 *self_signed(EVP_PKEY *key) {
    X509 *x = X509_new_ex(env().ctx(), kDefault);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("localhost"), -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, key);
    EVP_MD *md = EVP_MD_fetch(env().ctx(), "SHA256", kDefault);
    if (X509_sign(x, key, md) <= 0) {
        X509_free(x);
        x = nullptr;
    }
    EVP_MD_free(md);
    return x;
}

struct TlsCase {
    const char *label;
    const char *key_type; ///< "RSA" or "EC"
    int version;          ///< TLS1_2_VERSION / TLS1_3_VERSION
    const char *ciphers;  ///< TLS 1.2 list or TLS 1.3 suites
    bool async;
    std::vector<const char *> expect_algs; ///< alg.<name>.steps that must grow
    const char *stitched = nullptr; ///< CBC suite without encrypt-then-MAC: this stitched cipher
    /// CBC with encrypt-then-MAC: libssl makes the record MAC key as an "HMAC" EVP_PKEY,
    /// which needs an HMAC key manager acrypto does not have, so acrypto is preferred
    /// (not mandatory) and the record cipher is checked to come from acrypto.
    const char *etm_cipher = nullptr;
    /// With etm_cipher: encrypt-then-MAC off, a suite with no stitched cipher (SHA-384), so
    /// the record cipher removes padding and MAC itself and hands the MAC back (tls-mac).
    bool mac_then_encrypt = false;
};

/// One side's step: 1 done, 0 again, -1 failed.
int step(SSL *s, int r, std::vector<int> &fds) {
    if (r == 1) return 1;
    int e = SSL_get_error(s, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    if (e == SSL_ERROR_WANT_ASYNC) {
        size_t n = 0;
        SSL_get_all_async_fds(s, nullptr, &n);
        std::vector<OSSL_ASYNC_FD> a(n);
        SSL_get_all_async_fds(s, a.data(), &n);
        fds.insert(fds.end(), a.begin(), a.end());
        return 0;
    }
    return -1;
}

void wait_fds(int s0, int s1, const std::vector<int> &extra) {
    std::vector<pollfd> p = {{s0, POLLIN, 0}, {s1, POLLIN, 0}};
    for (int fd : extra) p.push_back({fd, POLLIN, 0});
    (void)poll(p.data(), p.size(), 5);
}

class TlsInProcess : public ::testing::TestWithParam<TlsCase> {};

TEST_P(TlsInProcess, HandshakeAndData) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const TlsCase &c = GetParam();
    const char *propq = c.etm_cipher != nullptr ? "?provider=acrypto" : tls_propq();
    if (c.etm_cipher != nullptr) {
        EXPECT_EQ(cipher_provider(c.etm_cipher, propq), "acrypto");
    }
    if (c.stitched != nullptr) {
        // libssl fetches the stitched cipher by name with the context's propq when
        // encrypt-then-MAC is off: it must come from acrypto.
        EXPECT_EQ(cipher_provider(c.stitched, propq), "acrypto");
    }
    if (std::strncmp(c.ciphers, "ECDHE", 5) == 0 && tls_propq()[0] == '?')
        GTEST_SKIP() << "acrypto declares no TLS groups yet (TLS-GROUP capability)";
    EVP_PKEY *key =
        keygen(kDefault, c.key_type, std::strcmp(c.key_type, "EC") == 0 ? "P-256" : "2048");
    ASSERT_NE(key, nullptr);
    X509 *cert = self_signed(key);
    ASSERT_NE(cert, nullptr) << drain_errors();

    SSL_CTX *sctx = SSL_CTX_new_ex(env().ctx(), propq, TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new_ex(env().ctx(), propq, TLS_client_method());
    ASSERT_TRUE(sctx && cctx) << drain_errors();
    for (SSL_CTX *x : {sctx, cctx}) {
        SSL_CTX_set_min_proto_version(x, c.version);
        SSL_CTX_set_max_proto_version(x, c.version);
        if (c.version == TLS1_3_VERSION)
            ASSERT_EQ(SSL_CTX_set_ciphersuites(x, c.ciphers), 1);
        else
            ASSERT_EQ(SSL_CTX_set_cipher_list(x, c.ciphers), 1) << drain_errors();
        if (c.async) SSL_CTX_set_mode(x, SSL_MODE_ASYNC);
        if (c.stitched != nullptr || c.mac_then_encrypt)
            SSL_CTX_set_options(x, SSL_OP_NO_ENCRYPT_THEN_MAC);
    }
    ASSERT_EQ(SSL_CTX_use_certificate(sctx, cert), 1);
    ASSERT_EQ(SSL_CTX_use_PrivateKey(sctx, key), 1) << drain_errors();
    SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, nullptr);

    int sv[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    SSL *srv = SSL_new(sctx), *cli = SSL_new(cctx);
    SSL_set_fd(srv, sv[0]);
    SSL_set_fd(cli, sv[1]);
    SSL_set_accept_state(srv);
    SSL_set_connect_state(cli);

    auto before = stats();
    int sd = 0, cd = 0;
    for (int i = 0; i < 4000 && (sd != 1 || cd != 1); ++i) {
        std::vector<int> fds;
        if (cd != 1) cd = step(cli, SSL_do_handshake(cli), fds);
        if (sd != 1) sd = step(srv, SSL_do_handshake(srv), fds);
        ASSERT_NE(cd, -1) << c.label << " client: " << drain_errors();
        ASSERT_NE(sd, -1) << c.label << " server: " << drain_errors();
        if (sd != 1 || cd != 1) wait_fds(sv[0], sv[1], fds);
    }
    ASSERT_EQ(sd, 1);
    ASSERT_EQ(cd, 1);
    EXPECT_EQ(SSL_version(srv), c.version);

    // Application data both ways (records through the AEAD/CBC cipher). A paused
    // SSL_read/SSL_write resumes with its first call's arguments, so buffers and
    // result variables stay put across calls.
    std::vector<uint8_t> rbuf(16384);
    size_t n = 0, w = 0;
    for (SSL *from : {srv, cli}) {
        SSL *to = from == srv ? cli : srv;
        Bytes msg = random_bytes(20000), got;
        size_t off = 0;
        bool wpending = false;
        for (int i = 0; i < 4000 && got.size() < msg.size(); ++i) {
            std::vector<int> fds;
            if (off < msg.size()) {
                if (!wpending) w = 0;
                int r = SSL_write_ex(from, msg.data() + off, msg.size() - off, &w);
                int st = step(from, r, fds);
                ASSERT_NE(st, -1) << drain_errors();
                wpending = st == 0 && SSL_get_error(from, r) == SSL_ERROR_WANT_ASYNC;
                if (st == 1) off += w;
            }
            n = 0;
            int r = SSL_read_ex(to, rbuf.data(), rbuf.size(), &n);
            int st = step(to, r, fds);
            ASSERT_NE(st, -1) << drain_errors();
            if (st == 1) got.insert(got.end(), rbuf.begin(), rbuf.begin() + static_cast<long>(n));
            if (got.size() < msg.size()) wait_fds(sv[0], sv[1], fds);
        }
        size_t bad = 0;
        while (bad < got.size() && bad < msg.size() && got[bad] == msg[bad]) ++bad;
        EXPECT_TRUE(got == msg) << c.label << ": " << got.size() << " bytes received of "
                                << msg.size() << ", first difference at " << bad;
    }

    auto after = stats();
    // An AEAD suite's records may all run on the direct path (a context's first messages,
    // or once its kernel is bound): counted in aead.direct, not as sessions.
    const bool aead =
        std::strstr(c.ciphers, "GCM") != nullptr || std::strstr(c.ciphers, "CHACHA20") != nullptr;
    const bool direct = after["aead.direct"] > before["aead.direct"];
    for (const char *alg : c.expect_algs) {
        const std::string k = std::string("alg.") + alg + ".steps";
        const bool record_cipher =
            std::strcmp(alg, "aes") == 0 || std::strcmp(alg, "chacha20") == 0;
        EXPECT_TRUE(after[k] > before[k] || (aead && record_cipher && direct))
            << c.label << ": acrypto did not serve " << alg << " (propq " << propq << ")";
    }
    // Without encrypt-then-MAC, each received record's MAC is one that must take the same
    // time whatever the padding was: acrypto's HMAC hands it to the default provider's.
    if (c.mac_then_encrypt) {
        EXPECT_GT(after["mac.tls-record"], before["mac.tls-record"])
            << c.label << ": no record MAC ran in constant time";
    }
    SSL_free(srv);
    SSL_free(cli);
    close(sv[0]);
    close(sv[1]);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(cert);
    EVP_PKEY_free(key);
}

INSTANTIATE_TEST_SUITE_P(
    Suites, TlsInProcess,
    ::testing::Values(
        TlsCase{"tls13_rsa_aes256gcm",
                "RSA",
                TLS1_3_VERSION,
                "TLS_AES_256_GCM_SHA384",
                false,
                {"rsa", "aes"}},
        TlsCase{"tls13_rsa_aes256gcm_async",
                "RSA",
                TLS1_3_VERSION,
                "TLS_AES_256_GCM_SHA384",
                true,
                {"rsa", "aes"}},
        TlsCase{"tls13_ec_chacha_async",
                "EC",
                TLS1_3_VERSION,
                "TLS_CHACHA20_POLY1305_SHA256",
                true,
                {"ec", "chacha20"}},
        TlsCase{"tls12_ecdhe_rsa_gcm",
                "RSA",
                TLS1_2_VERSION,
                "ECDHE-RSA-AES128-GCM-SHA256",
                false,
                {"rsa", "aes"}},
        TlsCase{"tls12_ecdhe_ecdsa_chacha_async",
                "EC",
                TLS1_2_VERSION,
                "ECDHE-ECDSA-CHACHA20-POLY1305",
                true,
                {"ec", "chacha20"}},
        TlsCase{
            "tls12_rsa_kx_gcm", "RSA", TLS1_2_VERSION, "AES256-GCM-SHA384", false, {"rsa", "aes"}},
        TlsCase{"tls12_rsa_kx_gcm_async",
                "RSA",
                TLS1_2_VERSION,
                "AES256-GCM-SHA384",
                true,
                {"rsa", "aes"}},
        // CBC with encrypt-then-MAC: AES-CBC in TLS record mode, HMAC-SHA256 apart.
        TlsCase{"tls12_rsa_kx_cbc",
                "RSA",
                TLS1_2_VERSION,
                "AES128-SHA256",
                false,
                {"rsa", "aes"},
                nullptr,
                "AES-128-CBC"},
        TlsCase{"tls12_rsa_kx_cbc_async",
                "RSA",
                TLS1_2_VERSION,
                "AES256-SHA",
                true,
                {"rsa", "aes"},
                nullptr,
                "AES-256-CBC"},
        TlsCase{"tls12_ecdhe_rsa_cbc_mte_async",
                "RSA",
                TLS1_2_VERSION,
                "ECDHE-RSA-AES256-SHA384",
                true,
                {"rsa", "aes"},
                nullptr,
                "AES-256-CBC",
                true},
        // CBC without encrypt-then-MAC: the stitched ciphers (HMAC then AES-CBC per record).
        TlsCase{"tls12_rsa_kx_stitched_sha1",
                "RSA",
                TLS1_2_VERSION,
                "AES128-SHA",
                false,
                {"rsa", "aes", "sha1"},
                "AES-128-CBC-HMAC-SHA1"},
        TlsCase{"tls12_rsa_kx_stitched_sha256_async",
                "RSA",
                TLS1_2_VERSION,
                "AES256-SHA256",
                true,
                {"rsa", "aes", "sha256"},
                "AES-256-CBC-HMAC-SHA256"},
        TlsCase{"tls12_ecdhe_rsa_stitched_sha1_async",
                "RSA",
                TLS1_2_VERSION,
                "ECDHE-RSA-AES256-SHA",
                true,
                {"rsa", "aes", "sha1"},
                "AES-256-CBC-HMAC-SHA1"},
        TlsCase{"tls12_ecdhe_rsa_stitched_sha256",
                "RSA",
                TLS1_2_VERSION,
                "ECDHE-RSA-AES128-SHA256",
                false,
                {"rsa", "aes", "sha256"},
                "AES-128-CBC-HMAC-SHA256"}),
    [](const auto &info) { return std::string(info.param.label); });

} // namespace
} // namespace acrypto::test::pk
