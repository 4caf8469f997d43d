// SPDX-License-Identifier: Apache-2.0
// ProviderEnv and EVP helpers for the integration suite.
#include "provider_env.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

extern "C" int OSSL_provider_init(const OSSL_CORE_HANDLE *, const OSSL_DISPATCH *,
                                  const OSSL_DISPATCH **, void **);

namespace acrypto::test {

std::vector<uint8_t> hex(const std::string &h) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
    return out;
}

std::vector<uint8_t> random_bytes(size_t n) {
    std::vector<uint8_t> v(n);
    if (n != 0) RAND_bytes(v.data(), static_cast<int>(n));
    return v;
}

const char *plugin_dir() { return ACRYPTO_TEST_PLUGIN_DIR; }

std::string drain_errors() {
    std::string s;
    unsigned long e;
    const char *data = nullptr;
    int flags = 0;
    while ((e = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        s += buf;
        if (data != nullptr && (flags & ERR_TXT_STRING) != 0) s += std::string(" (") + data + ")";
        s += "\n";
    }
    return s;
}

ProviderEnv::ProviderEnv(const std::string &acrypto_keys, const std::string &extra_sections) {
    static std::atomic<int> seq{0};
    char tmpl[128];
    std::snprintf(tmpl, sizeof tmpl, "/tmp/acrypto-test-%d-%d.cnf", static_cast<int>(getpid()),
                  seq.fetch_add(1));
    path_ = tmpl;
    {
        std::ofstream f(path_);
        f << "openssl_conf = init\n[init]\nproviders = provs\n"
          << "[provs]\ndefault = default_sect\nacrypto = acrypto_sect\n"
          << "[default_sect]\nactivate = 1\n"
          << "[acrypto_sect]\nactivate = 1\nplugin-dir = " << plugin_dir() << "\n"
          << acrypto_keys << "\n"
          << extra_sections << "\n";
    }
    ctx_ = OSSL_LIB_CTX_new();
    OSSL_PROVIDER_add_builtin(ctx_, "acrypto", OSSL_provider_init);
    // acrypto validates its section against the active configuration file.
    setenv("OPENSSL_CONF", path_.c_str(), 1);
    ERR_clear_error();
    if (OSSL_LIB_CTX_load_config(ctx_, path_.c_str()) == 1 &&
        OSSL_PROVIDER_available(ctx_, "acrypto"))
        loaded_ = true;
    load_error_ = drain_errors();
}

ProviderEnv::~ProviderEnv() {
    OSSL_LIB_CTX_free(ctx_);
    std::remove(path_.c_str());
}

std::string ProviderEnv::stats() const {
    OSSL_PROVIDER *p = OSSL_PROVIDER_load(ctx_, "acrypto");
    if (p == nullptr) return {};
    // Counters and latency histograms: room for 1 MiB of name=value lines.
    std::vector<char> buf(1 << 20, '\0');
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("acrypto-stats", buf.data(), buf.size()),
        OSSL_PARAM_construct_end()};
    std::string out;
    if (OSSL_PROVIDER_get_params(p, params) == 1) out = buf.data();
    OSSL_PROVIDER_unload(p);
    return out;
}

long long ProviderEnv::stat(const std::string &name) const {
    std::istringstream in(stats());
    std::string line;
    while (std::getline(in, line)) {
        if (line.compare(0, name.size() + 1, name + "=") == 0)
            return std::atoll(line.c_str() + name.size() + 1);
    }
    return -1;
}

namespace {

template <class Fn>
void chunked(const std::vector<uint8_t> &in, const std::vector<size_t> &chunks, Fn fn, bool &ok) {
    size_t off = 0;
    size_t ci = 0;
    while (ok && off < in.size()) {
        size_t n = chunks.empty() ? in.size() : chunks[ci++ % chunks.size()];
        if (n > in.size() - off) n = in.size() - off;
        ok = fn(in.data() + off, n);
        off += n;
    }
}

} // namespace

bool evp_cipher(OSSL_LIB_CTX *ctx, const char *alg, const char *propq, bool enc,
                const std::vector<uint8_t> &key, const std::vector<uint8_t> &iv,
                const std::vector<uint8_t> &in, std::vector<uint8_t> &out, bool pad,
                const std::vector<size_t> &chunks) {
    EVP_CIPHER *c = EVP_CIPHER_fetch(ctx, alg, propq);
    if (c == nullptr) return false;
    EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
    bool ok = EVP_CipherInit_ex2(cc, c, key.data(), iv.empty() ? nullptr : iv.data(), enc ? 1 : 0,
                                 nullptr) == 1;
    ok = ok && EVP_CIPHER_CTX_set_padding(cc, pad ? 1 : 0) == 1;
    out.assign(in.size() + 32, 0);
    size_t total = 0;
    chunked(
        in, chunks,
        [&](const uint8_t *p, size_t n) {
            int outl = 0;
            if (EVP_CipherUpdate(cc, out.data() + total, &outl, p, static_cast<int>(n)) != 1)
                return false;
            total += static_cast<size_t>(outl);
            return true;
        },
        ok);
    int outl = 0;
    ok = ok && EVP_CipherFinal_ex(cc, out.data() + total, &outl) == 1;
    total += static_cast<size_t>(outl);
    out.resize(ok ? total : 0);
    EVP_CIPHER_CTX_free(cc);
    EVP_CIPHER_free(c);
    return ok;
}

bool evp_digest(OSSL_LIB_CTX *ctx, const char *alg, const char *propq,
                const std::vector<uint8_t> &in, std::vector<uint8_t> &out,
                const std::vector<size_t> &chunks) {
    EVP_MD *md = EVP_MD_fetch(ctx, alg, propq);
    if (md == nullptr) return false;
    EVP_MD_CTX *mc = EVP_MD_CTX_new();
    bool ok = EVP_DigestInit_ex2(mc, md, nullptr) == 1;
    chunked(
        in, chunks, [&](const uint8_t *p, size_t n) { return EVP_DigestUpdate(mc, p, n) == 1; },
        ok);
    out.assign(EVP_MAX_MD_SIZE, 0);
    unsigned int len = 0;
    ok = ok && EVP_DigestFinal_ex(mc, out.data(), &len) == 1;
    out.resize(ok ? len : 0);
    EVP_MD_CTX_free(mc);
    EVP_MD_free(md);
    return ok;
}

bool evp_hmac(OSSL_LIB_CTX *ctx, const char *digest, const char *propq,
              const std::vector<uint8_t> &key, const std::vector<uint8_t> &in,
              std::vector<uint8_t> &out, const std::vector<size_t> &chunks) {
    EVP_MAC *mac = EVP_MAC_fetch(ctx, "HMAC", propq);
    if (mac == nullptr) return false;
    EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char *>(digest), 0),
        OSSL_PARAM_construct_end()};
    bool ok = mc != nullptr && EVP_MAC_init(mc, key.data(), key.size(), params) == 1;
    chunked(
        in, chunks, [&](const uint8_t *p, size_t n) { return EVP_MAC_update(mc, p, n) == 1; }, ok);
    out.assign(EVP_MAX_MD_SIZE, 0);
    size_t len = 0;
    ok = ok && EVP_MAC_final(mc, out.data(), &len, out.size()) == 1;
    out.resize(ok ? len : 0);
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(mac);
    return ok;
}

} // namespace acrypto::test
