// SPDX-License-Identifier: Apache-2.0
// PkEnv and small helpers for the provider/pk suites.
#include "pk_env.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

extern "C" int OSSL_provider_init(const OSSL_CORE_HANDLE *, const OSSL_DISPATCH *,
                                  const OSSL_DISPATCH **, void **);

namespace acrypto::test::pk {

PkEnv::PkEnv() {
    char name[128];
    std::snprintf(name, sizeof name, "/tmp/acrypto-pk-test-%d.cnf", static_cast<int>(getpid()));
    path_ = name;
    {
        std::ofstream f(path_);
        f << "openssl_conf = init\n[init]\nproviders = provs\n"
          << "[provs]\ndefault = default_sect\nacrypto = acrypto_sect\n"
          << "[default_sect]\nactivate = 1\n"
          << "[acrypto_sect]\nactivate = 1\nplugin-dir = " << ACRYPTO_TEST_PLUGIN_DIR << "\n";
    }
    ctx_ = OSSL_LIB_CTX_new();
    OSSL_PROVIDER_add_builtin(ctx_, "acrypto", OSSL_provider_init);
    // acrypto checks its section against the active configuration file.
    setenv("OPENSSL_CONF", path_.c_str(), 1);
    ERR_clear_error();
    loaded_ = OSSL_LIB_CTX_load_config(ctx_, path_.c_str()) == 1 &&
              OSSL_PROVIDER_available(ctx_, "acrypto") == 1;
    load_error_ = drain_errors();
}

PkEnv::~PkEnv() {
    OSSL_LIB_CTX_free(ctx_);
    std::remove(path_.c_str());
}

PkEnv &env() {
    static PkEnv *e = new PkEnv; // lives until exit: keys cached in tests outlive suites
    return *e;
}

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

Bytes random_bytes(size_t n) {
    Bytes v(n);
    if (n > 0) RAND_bytes(v.data(), static_cast<int>(n));
    return v;
}

Bytes from_hex(const std::string &h) {
    Bytes out;
    for (size_t i = 0; i + 1 < h.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
    return out;
}

std::string op_provider(EVP_PKEY_CTX *ctx) {
    const OSSL_PROVIDER *p = EVP_PKEY_CTX_get0_provider(ctx);
    return p != nullptr ? OSSL_PROVIDER_get0_name(p) : "";
}

EVP_PKEY *keygen(const char *propq, const char *type, const char *param) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(env().ctx(), type, propq);
    EVP_PKEY *pk = nullptr;
    bool ok = c != nullptr && EVP_PKEY_keygen_init(c) == 1;
    if (ok && param != nullptr) {
        if (std::strcmp(type, "EC") == 0)
            ok = EVP_PKEY_CTX_set_group_name(c, param) == 1;
        else
            ok = EVP_PKEY_CTX_set_rsa_keygen_bits(c, std::atoi(param)) == 1;
    }
    if (!ok || EVP_PKEY_generate(c, &pk) != 1) pk = nullptr;
    EVP_PKEY_CTX_free(c);
    return pk;
}

long long stat_value(const char *name) {
    OSSL_PROVIDER *p = OSSL_PROVIDER_load(env().ctx(), "acrypto");
    std::string text(1 << 16, '\0');
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("acrypto-stats", text.data(), text.size()),
        OSSL_PARAM_construct_end()};
    long long n = -1;
    if (p != nullptr && OSSL_PROVIDER_get_params(p, params) == 1) {
        const std::string t = "\n" + text, key = "\n" + std::string(name) + "=";
        const size_t at = t.find(key);
        if (at != std::string::npos) n = std::atoll(t.c_str() + at + key.size());
    }
    OSSL_PROVIDER_unload(p);
    return n;
}

} // namespace acrypto::test::pk
