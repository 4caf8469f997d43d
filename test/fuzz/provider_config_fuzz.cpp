// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the provider's configuration value parsers, through load_settings with a fake
// core.
#include <openssl/core_names.h>
#include <openssl/params.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

#include "config.hpp"

namespace {

using Values = std::map<std::string, std::string>;

/// Answers the core's get_params from a map, as OpenSSL's core does for a config section.
int fake_get_params(const OSSL_CORE_HANDLE *handle, OSSL_PARAM params[]) {
    const auto *vals = reinterpret_cast<const Values *>(handle);
    for (OSSL_PARAM *p = params; p->key != nullptr; ++p) {
        auto it = vals->find(p->key);
        if (it != vals->end()) OSSL_PARAM_set_utf8_ptr(p, it->second.c_str());
    }
    return 1;
}

// Keys the fuzzer chooses among; values are taken from the input.
const char *const kKeys[] = {
    "devices",     "balancer",       "plugin-dir",      "inline-threshold",
    "aging-ms",    "required",       "priority.sha256", "priority.aes-128-cbc",
    "cpu.threads", "sim.latency-us", "balancer.alpha",  "hifn.model-fault"};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
    // No configuration file: only the fake core's answers count.
    setenv("OPENSSL_CONF", "/nonexistent/acrypto-fuzz.cnf", 1);
    return 0;
}

// Input: records "<key index byte><value bytes up to a NUL>".
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Values vals;
    vals["provider-name"] = "acrypto";
    size_t i = 0;
    while (i < size) {
        const char *key = kKeys[data[i++] % (sizeof(kKeys) / sizeof(kKeys[0]))];
        std::string v;
        while (i < size && data[i] != 0) v.push_back(static_cast<char>(data[i++]));
        ++i;
        vals[key] = v;
    }
    acrypto::prov::CoreAccess core{reinterpret_cast<const OSSL_CORE_HANDLE *>(&vals),
                                   fake_get_params};
    acrypto::prov::Settings s;
    std::string err;
    (void)acrypto::prov::load_settings(core, {"AES-128-CBC", "SHA256", "SHA2-256", "HMAC"}, s, err);
    if (!vals["devices"].empty()) (void)acrypto::prov::split_list(vals["devices"]);
    return 0;
}
