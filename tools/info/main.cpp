// SPDX-License-Identifier: Apache-2.0
// acrypto-info: what acrypto found (native API or the provider through libcrypto), as text, JSON or
// Prometheus.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <sstream>
#include <string>
#include <vector>

#include "acrypto/acrypto.h"
#include "report.hpp"

namespace {

using acrypto::tools::info::DeviceRow;
using acrypto::tools::info::Report;
using Clock = std::chrono::steady_clock;

struct Args {
    const char *config = nullptr;
    bool provider = false;
    std::string provider_path;
    bool json = false;
    bool prometheus = false;
    bool bench = true;
    bool self_test = true;
    int bench_ms = 300;
};

void usage() {
    std::fprintf(
        stderr,
        "usage: acrypto-info [--config FILE | --provider [PATH]] [--json | --prometheus]\n"
        "                    [--no-bench] [--bench-ms N] [--no-self-test]\n"
        "  --config FILE     native API with a key = value configuration (default: embedded)\n"
        "  --provider [PATH] load acrypto.so through libcrypto (OSSL_PROVIDER_load): PATH, or\n"
        "                    the module configured in OPENSSL_CONF / found in MODULESDIR\n");
}

const char *op_name(uint32_t v) {
    switch (v) {
    case ACRYPTO_OP_CIPHER: return "cipher";
    case ACRYPTO_OP_DIGEST: return "digest";
    case ACRYPTO_OP_MAC: return "mac";
    case ACRYPTO_OP_RAND: return "rand";
    case ACRYPTO_OP_PKEY: return "pkey";
    default: return "op?";
    }
}

const char *alg_name(uint32_t v) {
    switch (v) {
    case ACRYPTO_ALG_AES: return "aes";
    case ACRYPTO_ALG_DES: return "des";
    case ACRYPTO_ALG_DES_EDE3: return "des-ede3";
    case ACRYPTO_ALG_CHACHA20: return "chacha20";
    case ACRYPTO_ALG_MD5: return "md5";
    case ACRYPTO_ALG_SHA1: return "sha1";
    case ACRYPTO_ALG_SHA224: return "sha224";
    case ACRYPTO_ALG_SHA256: return "sha256";
    case ACRYPTO_ALG_SHA384: return "sha384";
    case ACRYPTO_ALG_SHA512: return "sha512";
    case ACRYPTO_ALG_RSA: return "rsa";
    case ACRYPTO_ALG_RSA_PSS: return "rsa-pss";
    case ACRYPTO_ALG_EC: return "ec";
    case ACRYPTO_ALG_X25519: return "x25519";
    case ACRYPTO_ALG_X448: return "x448";
    case ACRYPTO_ALG_RNG: return "rng";
    default: return "alg?";
    }
}

const char *mode_name(uint32_t v) {
    switch (v) {
    case ACRYPTO_MODE_NONE: return "";
    case ACRYPTO_MODE_ECB: return "ecb";
    case ACRYPTO_MODE_CBC: return "cbc";
    case ACRYPTO_MODE_CFB: return "cfb";
    case ACRYPTO_MODE_OFB: return "ofb";
    case ACRYPTO_MODE_CTR: return "ctr";
    case ACRYPTO_MODE_GCM: return "gcm";
    case ACRYPTO_MODE_XTS: return "xts";
    case ACRYPTO_MODE_STREAM: return "stream";
    case ACRYPTO_MODE_POLY1305: return "poly1305";
    case ACRYPTO_MODE_HMAC: return "hmac";
    case ACRYPTO_MODE_CMAC: return "cmac";
    case ACRYPTO_MODE_PK_SIGN: return "sign";
    case ACRYPTO_MODE_PK_VERIFY: return "verify";
    case ACRYPTO_MODE_PK_ENCRYPT: return "encrypt";
    case ACRYPTO_MODE_PK_DECRYPT: return "decrypt";
    case ACRYPTO_MODE_PK_DERIVE: return "derive";
    case ACRYPTO_MODE_PK_KEYGEN: return "keygen";
    default: return "mode?";
    }
}

std::string cap_text(const acrypto_capability &c) {
    char b[256];
    std::snprintf(b, sizeof(b),
                  "%s %s%s%s%s key=%u..%u max_input=%llu rate=%.0f MB/s latency=%u ns",
                  op_name(c.op), alg_name(c.alg), *mode_name(c.mode) ? "-" : "", mode_name(c.mode),
                  c.dirs == 3   ? " enc/dec"
                  : c.dirs == 1 ? " enc"
                  : c.dirs == 2 ? " dec"
                                : "",
                  c.key_min, c.key_max, static_cast<unsigned long long>(c.max_input),
                  c.bytes_per_sec / 1e6, c.latency_ns);
    return b;
}

/// Progress bar on stderr, only when it is a terminal and the output is text.
struct Progress {
    bool on = false;
    void show(double frac) {
        if (!on) return;
        int n = static_cast<int>(frac * 40);
        std::fprintf(stderr, "\rbenchmark [%-40.*s] %3d%%", n,
                     "========================================", static_cast<int>(frac * 100));
        std::fflush(stderr);
    }
    void done() {
        if (on) std::fprintf(stderr, "\r%60s\r", "");
    }
};

void split_lines(const std::string &s, std::vector<std::string> &out) {
    std::istringstream in(s);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.push_back(line);
}

/// Native API: devices, probe messages, stats, self-test, AES-128-CBC 16 KiB sessions 8 deep.
int run_native(const Args &a, Report &r, Progress &pg) {
    r.source = "native";
    r.version = acrypto_version_string();
    char err[1024];
    acrypto_ctx *ctx = acrypto_ctx_new(a.config, err, sizeof(err));
    if (ctx == nullptr) {
        r.error = err;
        return 1;
    }
    r.started = true;
    split_lines(acrypto_ctx_get0_messages(ctx), r.messages);
    if (a.self_test) {
        char msg[1024];
        r.self_test_run = true;
        r.self_test_ok = acrypto_ctx_self_test(ctx, msg, sizeof(msg)) == ACRYPTO_OK;
        r.self_test_message = msg;
    }
    if (a.bench) {
        const size_t len = 16384;
        std::vector<uint8_t> in(len, 0x5a), key(16, 0x11), iv(16, 0x22);
        std::vector<std::vector<uint8_t>> outs(8, std::vector<uint8_t>(len));
        acrypto_key_handle *kh = acrypto_key_new(ctx, ACRYPTO_ALG_AES, key.data(), key.size());
        std::deque<std::pair<acrypto_session_handle *, size_t>> q;
        size_t slot = 0;
        const auto t0 = Clock::now();
        const auto end = t0 + std::chrono::milliseconds(a.bench_ms);
        r.bench_alg = "aes-128-cbc 16384-byte sessions, 8 in flight";
        r.bench_run = true;
        int fail = 0;
        for (;;) {
            const auto now = Clock::now();
            bool more = now < end;
            if (more && q.size() < outs.size()) {
                acrypto_session_params p{};
                p.struct_size = sizeof(p);
                p.op = ACRYPTO_OP_CIPHER;
                p.alg = ACRYPTO_ALG_AES;
                p.mode = ACRYPTO_MODE_CBC;
                p.dir = ACRYPTO_DIR_ENCRYPT;
                p.priority = 3;
                p.key = kh;
                p.iv = iv.data();
                p.iv_len = 16;
                p.in = in.data();
                p.in_len = len;
                p.out = outs[slot].data();
                p.out_len = len;
                acrypto_session_handle *s = acrypto_session_new(ctx, &p, nullptr);
                if (s != nullptr && acrypto_submit(s, nullptr, nullptr) == ACRYPTO_OK) {
                    q.emplace_back(s, slot);
                    slot = (slot + 1) % outs.size();
                    continue;
                }
                acrypto_session_free(s);
                if (q.empty()) {
                    fail = 1;
                    break;
                }
            }
            if (q.empty()) break;
            auto [s, sl] = q.front();
            q.pop_front();
            if (acrypto_wait(s, ACRYPTO_WAIT_FOREVER) == ACRYPTO_OK)
                r.bench_bytes += len;
            else
                fail = 1;
            acrypto_session_free(s);
            pg.show(std::min(1.0, std::chrono::duration<double>(Clock::now() - t0).count() *
                                      1000.0 / a.bench_ms));
        }
        r.bench_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
        pg.done();
        acrypto_key_free(kh);
        if (fail) r.bench_alg += " (errors)";
    }
    // Devices and statistics last, so they include the self-test and benchmark.
    size_t n = acrypto_ctx_devices(ctx, nullptr, 0);
    std::vector<acrypto_device_info> devs(n);
    n = std::min(n, acrypto_ctx_devices(ctx, devs.data(), devs.size()));
    for (size_t i = 0; i < n; ++i) {
        DeviceRow d;
        d.name = devs[i].name;
        d.driver = devs[i].driver;
        d.flags = devs[i].flags;
        d.broken = devs[i].broken != 0;
        d.broken_reason = devs[i].broken_reason;
        d.queued = devs[i].queued;
        d.in_flight = devs[i].in_flight;
        d.queue_len = devs[i].queue_len;
        std::vector<acrypto_capability> caps(devs[i].ncaps);
        size_t nc = std::min<size_t>(caps.size(),
                                     acrypto_ctx_device_caps(ctx, i, caps.data(), caps.size()));
        for (size_t j = 0; j < nc; ++j) d.caps.push_back(cap_text(caps[j]));
        r.devices.push_back(std::move(d));
    }
    size_t ns = acrypto_ctx_stats(ctx, nullptr, 0);
    std::vector<acrypto_stat_entry> st(ns);
    ns = std::min(ns, acrypto_ctx_stats(ctx, st.data(), st.size()));
    for (size_t i = 0; i < ns; ++i) r.stats.emplace_back(st[i].name, st[i].value);
    acrypto_ctx_free(ctx);
    return r.self_test_run && !r.self_test_ok ? 1 : 0;
}

/// The provider through libcrypto: status, its stats parameter, self-test, EVP benchmark.
int run_provider(const Args &a, Report &r, Progress &pg) {
    std::string path = a.provider_path;
    r.source = "provider " + (path.empty() ? std::string("acrypto") : path);
    OSSL_LIB_CTX *lib = OSSL_LIB_CTX_new();
    const char *conf = std::getenv("OPENSSL_CONF");
    if (lib != nullptr && conf != nullptr && path.empty())
        (void)OSSL_LIB_CTX_load_config(lib, conf);
    OSSL_PROVIDER *dflt = OSSL_PROVIDER_load(lib, "default");
    OSSL_PROVIDER *prov = OSSL_PROVIDER_load(lib, path.empty() ? "acrypto" : path.c_str());
    if (prov == nullptr) {
        unsigned long e = ERR_get_error();
        char b[256];
        ERR_error_string_n(e, b, sizeof(b));
        r.error = std::string("OSSL_PROVIDER_load failed: ") + b;
        OSSL_PROVIDER_unload(dflt);
        OSSL_LIB_CTX_free(lib);
        return 1;
    }
    char *version = nullptr;
    int status = 0;
    OSSL_PARAM vp[] = {OSSL_PARAM_construct_utf8_ptr("version", &version, 0),
                       OSSL_PARAM_construct_int("status", &status), OSSL_PARAM_construct_end()};
    (void)OSSL_PROVIDER_get_params(prov, vp);
    r.version = version != nullptr ? version : "?";
    if (a.self_test) {
        r.self_test_run = true;
        r.self_test_ok = OSSL_PROVIDER_self_test(prov) == 1;
    }
    if (a.bench) {
        EVP_CIPHER *c = EVP_CIPHER_fetch(lib, "AES-128-CBC", "provider=acrypto");
        EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
        unsigned char key[16] = {1}, iv[16] = {2};
        std::vector<unsigned char> in(16384, 0x5a), out(16384 + 16);
        r.bench_alg = "aes-128-cbc 16384-byte updates through EVP (synchronous)";
        if (c != nullptr && cc != nullptr && EVP_EncryptInit_ex2(cc, c, key, iv, nullptr) == 1) {
            r.bench_run = true;
            const auto t0 = Clock::now();
            const auto end = t0 + std::chrono::milliseconds(a.bench_ms);
            int outl = 0;
            while (Clock::now() < end && EVP_EncryptUpdate(cc, out.data(), &outl, in.data(),
                                                           static_cast<int>(in.size())) == 1) {
                r.bench_bytes += in.size();
                pg.show(std::min(1.0, std::chrono::duration<double>(Clock::now() - t0).count() *
                                          1000.0 / a.bench_ms));
            }
            r.bench_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            pg.done();
        }
        EVP_CIPHER_CTX_free(cc);
        EVP_CIPHER_free(c);
    }
    // Stats after the work: name=value lines, device.<name>.* rows, then warnings.
    size_t need = 0;
    {
        OSSL_PARAM q[] = {OSSL_PARAM_construct_utf8_string("acrypto-stats", nullptr, 0),
                          OSSL_PARAM_construct_end()};
        (void)OSSL_PROVIDER_get_params(prov, q);
        need = q[0].return_size;
    }
    std::vector<char> buf(need + 64 + 65536, 0);
    OSSL_PARAM sp[] = {OSSL_PARAM_construct_utf8_string("acrypto-stats", buf.data(), buf.size()),
                       OSSL_PARAM_construct_end()};
    (void)OSSL_PROVIDER_get_params(prov, sp);
    std::vector<std::string> lines;
    split_lines(buf.data(), lines);
    bool in_warnings = false;
    for (const auto &l : lines) {
        size_t eq = l.find('=');
        if (in_warnings || l.rfind("warnings=", 0) == 0) {
            r.messages.push_back(in_warnings ? l : l.substr(9));
            in_warnings = true;
            continue;
        }
        if (eq == std::string::npos) continue;
        std::string k = l.substr(0, eq), v = l.substr(eq + 1);
        if (k == "error") {
            r.error = v;
            continue;
        }
        if (k.rfind("device.", 0) == 0) {
            size_t dot = k.rfind('.');
            std::string name = k.substr(7, dot - 7), field = k.substr(dot + 1);
            DeviceRow *d = nullptr;
            for (auto &x : r.devices)
                if (x.name == name) d = &x;
            if (d == nullptr) {
                r.devices.push_back(DeviceRow{});
                d = &r.devices.back();
                d->name = name;
            }
            if (field == "driver") {
                d->driver = v;
                continue;
            }
            if (field == "broken") {
                d->broken = v == "1";
                continue;
            }
            if (field == "queued") {
                d->queued = std::strtoull(v.c_str(), nullptr, 10);
                continue;
            }
            if (field == "in_flight") {
                d->in_flight = std::strtoull(v.c_str(), nullptr, 10);
                continue;
            }
        }
        char *endp = nullptr;
        uint64_t n = std::strtoull(v.c_str(), &endp, 10);
        if (endp != nullptr && *endp == '\0' && !v.empty()) r.stats.emplace_back(k, n);
    }
    r.started = status == 1 && r.error.empty();
    OSSL_PROVIDER_unload(prov);
    OSSL_PROVIDER_unload(dflt);
    OSSL_LIB_CTX_free(lib);
    return r.started && (!r.self_test_run || r.self_test_ok) ? 0 : 1;
}

} // namespace

int main(int argc, char **argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        if (k == "--config" && i + 1 < argc) {
            a.config = argv[++i];
        } else if (k == "--provider") {
            a.provider = true;
            if (i + 1 < argc && argv[i + 1][0] != '-') a.provider_path = argv[++i];
        } else if (k == "--json") {
            a.json = true;
        } else if (k == "--prometheus") {
            a.prometheus = true;
        } else if (k == "--no-bench") {
            a.bench = false;
        } else if (k == "--no-self-test") {
            a.self_test = false;
        } else if (k == "--bench-ms" && i + 1 < argc) {
            a.bench_ms = std::atoi(argv[++i]);
        } else {
            usage();
            return 2;
        }
    }
    if ((a.json && a.prometheus) || (a.provider && a.config != nullptr) || a.bench_ms <= 0) {
        usage();
        return 2;
    }
    Progress pg;
    pg.on = !a.json && !a.prometheus && isatty(STDERR_FILENO) != 0;
    Report r;
    int rc = a.provider ? run_provider(a, r, pg) : run_native(a, r, pg);
    std::string out = a.json         ? acrypto::tools::info::render_json(r)
                      : a.prometheus ? acrypto::tools::info::render_prometheus(r)
                                     : acrypto::tools::info::render_text(r);
    std::fputs(out.c_str(), stdout);
    return rc;
}
