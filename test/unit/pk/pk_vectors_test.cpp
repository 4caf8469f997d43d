// SPDX-License-Identifier: Apache-2.0
// Known answers from test/vectors/pk/*.txt (evp_test stanzas) through EVP with provider=acrypto.
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

struct Stanza {
    std::string where;
    std::vector<std::pair<std::string, std::string>> kv;
    std::string pem; ///< PrivateKey / PublicKey body
    const std::string &type() const { return kv.front().first; }
    const std::string &name() const { return kv.front().second; }
    std::string get(const std::string &k) const {
        for (const auto &p : kv)
            if (p.first == k) return p.second;
        return {};
    }
    std::vector<std::string> all(const std::string &k) const {
        std::vector<std::string> v;
        for (const auto &p : kv)
            if (p.first == k) v.push_back(p.second);
        return v;
    }
};

std::string trim(const std::string &s) {
    size_t b = s.find_first_not_of(" \t\r");
    size_t e = s.find_last_not_of(" \t\r");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<Stanza> read_file(const std::string &path) {
    std::ifstream in(path);
    std::vector<Stanza> out;
    Stanza cur;
    std::string line;
    int n = 0;
    auto flush = [&] {
        if (!cur.kv.empty()) out.push_back(cur);
        cur = Stanza{};
    };
    while (std::getline(in, line)) {
        ++n;
        if (trim(line).empty()) {
            flush();
            continue;
        }
        if (line[0] == '#') continue;
        if (line.rfind("-----", 0) == 0 ||
            (!cur.pem.empty() && line.find('=') == std::string::npos) ||
            (!cur.kv.empty() && (cur.type() == "PrivateKey" || cur.type() == "PublicKey"))) {
            cur.pem += line + "\n";
            continue;
        }
        size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        if (cur.kv.empty()) cur.where = path + ":" + std::to_string(n);
        cur.kv.emplace_back(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
    }
    flush();
    return out;
}

struct PkeyFree {
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct CtxFree {
    void operator()(EVP_PKEY_CTX *p) const { EVP_PKEY_CTX_free(p); }
};
using CtxPtr = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;

class VectorRunner {
  public:
    void load_key(const Stanza &s) {
        BIO *b = BIO_new_mem_buf(s.pem.data(), static_cast<int>(s.pem.size()));
        EVP_PKEY *pk =
            s.type() == "PrivateKey"
                ? PEM_read_bio_PrivateKey_ex(b, nullptr, nullptr, nullptr, env().ctx(), kDefault)
                : PEM_read_bio_PUBKEY_ex(b, nullptr, nullptr, nullptr, env().ctx(), kDefault);
        BIO_free(b);
        ASSERT_NE(pk, nullptr) << s.where << drain_errors();
        keys_[s.name()] = PkeyPtr(pk);
    }

    EVP_PKEY *key(const std::string &name) {
        auto it = keys_.find(name);
        return it == keys_.end() ? nullptr : it->second.get();
    }

    /// Runs one operation stanza; returns how many checks it made.
    void run(const Stanza &s) {
        EVP_PKEY *k = key(s.name());
        ASSERT_NE(k, nullptr) << s.where << ": unknown key " << s.name();
        CtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(env().ctx(), k, kAcrypto));
        ASSERT_TRUE(ctx) << s.where;
        const std::string &t = s.type();
        int rc = 0;
        if (t == "Sign")
            rc = EVP_PKEY_sign_init(ctx.get());
        else if (t == "Verify")
            rc = EVP_PKEY_verify_init(ctx.get());
        else if (t == "Decrypt")
            rc = EVP_PKEY_decrypt_init(ctx.get());
        else if (t == "Derive")
            rc = EVP_PKEY_derive_init(ctx.get());
        ASSERT_EQ(rc, 1) << s.where << " init: " << drain_errors();
        EXPECT_EQ(op_provider(ctx.get()), "acrypto") << s.where;
        for (const std::string &c : s.all("Ctrl")) {
            size_t colon = c.find(':');
            ASSERT_GT(EVP_PKEY_CTX_ctrl_str(ctx.get(), c.substr(0, colon).c_str(),
                                            c.substr(colon + 1).c_str()),
                      0)
                << s.where << " Ctrl " << c << ": " << drain_errors();
        }
        const Bytes input = from_hex(s.get("Input"));
        const Bytes expect = from_hex(s.get(t == "Derive" ? "SharedSecret" : "Output"));
        const bool want_fail = !s.get("Result").empty();
        if (t == "Verify") {
            rc = EVP_PKEY_verify(ctx.get(), expect.data(), expect.size(), input.data(),
                                 input.size());
            if (want_fail)
                EXPECT_NE(rc, 1) << s.where;
            else
                EXPECT_EQ(rc, 1) << s.where << ": " << drain_errors();
            drain_errors();
            ++checks;
            return;
        }
        size_t len = 0;
        Bytes out;
        if (t == "Sign" || t == "Decrypt") {
            auto fn = t == "Sign" ? EVP_PKEY_sign : EVP_PKEY_decrypt;
            ASSERT_EQ(fn(ctx.get(), nullptr, &len, input.data(), input.size()), 1) << s.where;
            out.resize(len);
            ASSERT_EQ(fn(ctx.get(), out.data(), &len, input.data(), input.size()), 1)
                << s.where << ": " << drain_errors();
        } else {
            EVP_PKEY *peer = key(s.get("PeerKey"));
            ASSERT_NE(peer, nullptr) << s.where;
            ASSERT_EQ(EVP_PKEY_derive_set_peer(ctx.get(), peer), 1) << s.where << drain_errors();
            ASSERT_EQ(EVP_PKEY_derive(ctx.get(), nullptr, &len), 1) << s.where;
            out.resize(len);
            ASSERT_EQ(EVP_PKEY_derive(ctx.get(), out.data(), &len), 1) << s.where << drain_errors();
        }
        out.resize(len);
        EXPECT_EQ(out, expect) << s.where;
        ++checks;
    }

    int checks = 0;

  private:
    std::map<std::string, PkeyPtr> keys_;
};

class PkVectors : public ::testing::TestWithParam<const char *> {};

TEST_P(PkVectors, KnownAnswersThroughAcrypto) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const std::string path = std::string(ACRYPTO_PK_VECTOR_DIR) + "/" + GetParam();
    auto stanzas = read_file(path);
    ASSERT_FALSE(stanzas.empty()) << path;
    VectorRunner r;
    int ops = 0;
    for (const Stanza &s : stanzas) {
        if (s.type() == "PrivateKey" || s.type() == "PublicKey") {
            r.load_key(s);
        } else if (s.type() == "Sign" || s.type() == "Verify" || s.type() == "Decrypt" ||
                   s.type() == "Derive") {
            ++ops;
            r.run(s);
        }
        if (HasFatalFailure()) return;
    }
    EXPECT_GT(ops, 0);
    EXPECT_EQ(r.checks, ops);
}

INSTANTIATE_TEST_SUITE_P(Files, PkVectors,
                         ::testing::Values("rsa.txt", "ecdsa.txt", "ecdh.txt", "ecx.txt"),
                         [](const auto &info) {
                             std::string n = info.param;
                             return n.substr(0, n.find('.'));
                         });

} // namespace
} // namespace acrypto::test::pk
