// SPDX-License-Identifier: Apache-2.0
// hifn_figures: model throughput per algorithm and driver cost per command (not a test).
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "device_harness.hpp"
#include "plugin.hpp"
#include "session_builder.hpp"

using namespace acrypto::test;

namespace {

struct Case {
    const char *name;
    uint32_t op, alg, mode;
    size_t key;
};

std::unique_ptr<OwnedSession> make(const Case &c, size_t len, uint64_t seed) {
    Bytes in = pattern_bytes(len, seed);
    if (c.op == ACRYPTO_OP_CIPHER)
        return make_cipher(c.alg, c.mode, ACRYPTO_DIR_ENCRYPT, pattern_bytes(c.key, 1),
                           pattern_bytes(c.alg == ACRYPTO_ALG_AES ? 16 : 8, 2), in);
    if (c.op == ACRYPTO_OP_MAC) return make_hmac(c.alg, pattern_bytes(20, 3), in);
    return make_digest(c.alg, in);
}

void run(const char *rate, const Case &c, size_t len, int n) {
    std::string why;
    auto h = DeviceHarness::open(acrypto::hw::hifn::driver_table(),
                                 {{"model", "1"}, {"model-rate-mbps", rate}}, 0, &why);
    if (!h) {
        std::printf("open failed: %s\n", why.c_str());
        return;
    }
    std::vector<std::unique_ptr<OwnedSession>> ss;
    for (int i = 0; i < n; ++i) ss.push_back(make(c, len, i));
    auto t0 = std::chrono::steady_clock::now();
    for (auto &s : ss) h->enqueue(s->get());
    h->kick();
    if (!h->wait_all(std::chrono::seconds(120))) std::printf("timeout\n");
    double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto st = h->stats();
    double cmds = static_cast<double>(st["commands"]);
    std::printf("%-14s rate=%-5s %6zu B x %5d: %9.1f MB/s %9.0f ops/s  driver submit %6.0f ns/cmd, "
                "reap %6.0f ns/cmd\n",
                c.name, rate, len, n, len * static_cast<double>(n) / sec / 1e6, n / sec,
                st["submit_ns"] / cmds, st["reap_ns"] / cmds);
}

} // namespace

int main() {
    const Case cases[] = {
        {"aes-128-cbc", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, 16},
        {"aes-256-cbc", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, 32},
        {"aes-128-ecb", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_ECB, 16},
        {"des-ede3-cbc", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC, 24},
        {"des-cbc", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, 8},
        {"sha1", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_NONE, 0},
        {"md5", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_MD5, ACRYPTO_MODE_NONE, 0},
        {"hmac-sha1", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA1, ACRYPTO_MODE_HMAC, 0},
    };
    for (const char *rate : {"0", "400"})
        for (const auto &c : cases) {
            run(rate, c, 16384, rate[0] == '0' ? 2000 : 300);
            run(rate, c, 64, 3000);
        }
    return 0;
}
