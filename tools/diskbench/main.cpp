// SPDX-License-Identifier: Apache-2.0
// acrypto-diskbench: encrypt N MB in chunks and write each to an emulated disk, serially
// (encrypt, then write) and overlapped through acrypto (encrypt chunk i+1 while chunk i is
// written).
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "acrypto/acrypto.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
    const char *config = nullptr;
    std::string device;
    uint64_t mb = 800;            // megabytes (10^6) to write, as the 2005 figures
    uint32_t chunk = 64 * 1024;   // bytes per chunk (one XTS data unit)
    double disk_kb_per_ms = 46.0; // the 2005 disk: 46 KB/ms (46 MB/s)
    uint32_t window = 2;          // async: chunks encrypting or encrypted ahead of the disk
    bool verify = false;
};

/// An emulated disk: a write blocks for bytes / rate. Keeps up to 2 ms of credit while
/// streaming so a late wake-up on a loaded host does not lower the configured rate.
class EmulatedDisk {
  public:
    EmulatedDisk(double bytes_per_ns, uint8_t *store) : rate_(bytes_per_ns), store_(store) {}
    void write(uint64_t offset, const uint8_t *data, size_t len) {
        if (store_ != nullptr) std::memcpy(store_ + offset, data, len);
        auto now = Clock::now();
        auto dur = std::chrono::nanoseconds(static_cast<int64_t>(static_cast<double>(len) / rate_));
        if (!streaming_ || now - free_at_ > std::chrono::milliseconds(2)) free_at_ = now;
        free_at_ += dur;
        streaming_ = true;
        auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(free_at_.time_since_epoch())
                      .count();
        struct timespec ts {
            static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)
        };
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) != 0) {}
    }
    void idle() { streaming_ = false; }

  private:
    double rate_;
    uint8_t *store_;
    Clock::time_point free_at_{};
    bool streaming_ = false;
};

void usage() {
    std::fprintf(
        stderr,
        "usage: acrypto-diskbench [--mb N] [--chunk BYTES] [--disk-kb-per-ms R] [--window N]\n"
        "                         [--config FILE] [--device NAME] [--verify]\n");
}

} // namespace

int main(int argc, char **argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto next = [&]() -> const char * {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (k == "--mb")
            a.mb = std::strtoull(next(), nullptr, 10);
        else if (k == "--chunk")
            a.chunk = static_cast<uint32_t>(std::strtoul(next(), nullptr, 10));
        else if (k == "--disk-kb-per-ms")
            a.disk_kb_per_ms = std::strtod(next(), nullptr);
        else if (k == "--window")
            a.window = static_cast<uint32_t>(std::strtoul(next(), nullptr, 10));
        else if (k == "--config")
            a.config = next();
        else if (k == "--device")
            a.device = next();
        else if (k == "--verify")
            a.verify = true;
        else {
            usage();
            return 2;
        }
    }
    if (a.mb == 0 || a.chunk < 16 || a.chunk > (16u << 20) || a.disk_kb_per_ms <= 0 ||
        a.window == 0) {
        usage();
        return 2;
    }
    const uint64_t total = a.mb * 1000000ull;
    const uint64_t nchunks = (total + a.chunk - 1) / a.chunk;
    const double disk_rate = a.disk_kb_per_ms * 1000.0 / 1e6; // bytes per ns (KB = 1000 B)

    char err[512];
    acrypto_ctx *ctx = acrypto_ctx_new(a.config, err, sizeof(err));
    if (ctx == nullptr) {
        std::fprintf(stderr, "acrypto-diskbench: %s\n", err);
        return 1;
    }
    uint8_t key[64];
    constexpr int kBlocks = 16;
    std::vector<std::vector<uint8_t>> plain(kBlocks, std::vector<uint8_t>(a.chunk));
    if (RAND_bytes(key, sizeof(key)) != 1) {
        std::fprintf(stderr, "acrypto-diskbench: no random bytes\n");
        return 1;
    }
    for (auto &b : plain) (void)RAND_bytes(b.data(), static_cast<int>(b.size()));
    acrypto_key_handle *kh = acrypto_key_new(ctx, ACRYPTO_ALG_AES, key, sizeof(key));

    auto chunk_len = [&](uint64_t i) {
        return static_cast<size_t>(std::min<uint64_t>(a.chunk, total - i * a.chunk));
    };
    // Chunk i: AES-256-XTS, tweak = its first 512-byte sector number.
    auto make = [&](uint64_t i, uint8_t *out) {
        uint8_t tweak[16] = {};
        uint64_t sector = i * a.chunk / 512;
        for (int b = 0; b < 8; ++b) tweak[b] = static_cast<uint8_t>(sector >> (8 * b));
        acrypto_session_params p{};
        p.struct_size = sizeof(p);
        p.op = ACRYPTO_OP_CIPHER;
        p.alg = ACRYPTO_ALG_AES;
        p.mode = ACRYPTO_MODE_XTS;
        p.dir = ACRYPTO_DIR_ENCRYPT;
        p.priority = 3;
        p.key = kh;
        p.iv = tweak;
        p.iv_len = 16;
        p.device = a.device.empty() ? nullptr : a.device.c_str();
        p.in = plain[i % kBlocks].data();
        p.in_len = chunk_len(i);
        p.out = out;
        p.out_len = chunk_len(i);
        int rc = 0;
        acrypto_session_handle *s = acrypto_session_new(ctx, &p, &rc);
        if (s == nullptr) {
            std::fprintf(stderr, "acrypto-diskbench: session: %s\n", acrypto_status_string(rc));
            std::exit(1);
        }
        return s;
    };
    auto check = [](int rc, const char *what) {
        if (rc != ACRYPTO_OK) {
            std::fprintf(stderr, "acrypto-diskbench: %s: %s\n", what, acrypto_status_string(rc));
            std::exit(1);
        }
    };
    std::vector<uint8_t> store_sync, store_async;
    if (a.verify) {
        store_sync.resize(total);
        store_async.resize(total);
    }
    std::vector<uint8_t> out(a.chunk);

    // 1. Crypto alone: every chunk encrypted synchronously, no disk.
    auto t0 = Clock::now();
    for (uint64_t i = 0; i < nchunks; ++i) {
        acrypto_session_handle *s = make(i, out.data());
        check(acrypto_run(s), "encrypt");
        acrypto_session_free(s);
    }
    const double t_crypto = std::chrono::duration<double>(Clock::now() - t0).count();
    const double t_disk = static_cast<double>(total) / disk_rate / 1e9;

    // 2. Synchronous: encrypt chunk i, then write it; crypto and I/O never overlap.
    EmulatedDisk dsync(disk_rate, a.verify ? store_sync.data() : nullptr);
    t0 = Clock::now();
    for (uint64_t i = 0; i < nchunks; ++i) {
        acrypto_session_handle *s = make(i, out.data());
        check(acrypto_run(s), "encrypt");
        acrypto_session_free(s);
        dsync.idle(); // the disk waited for the crypto
        dsync.write(i * a.chunk, out.data(), chunk_len(i));
    }
    const double t_sync = std::chrono::duration<double>(Clock::now() - t0).count();

    // 3. Asynchronous: keep `window` chunks submitted ahead; write chunk i while
    //    chunks i+1 .. i+window are being encrypted.
    EmulatedDisk dasync(disk_rate, a.verify ? store_async.data() : nullptr);
    std::vector<std::vector<uint8_t>> bufs(a.window + 1, std::vector<uint8_t>(a.chunk));
    std::deque<acrypto_session_handle *> ahead;
    uint64_t next = 0;
    t0 = Clock::now();
    auto fill = [&]() {
        while (next < nchunks && ahead.size() < a.window) {
            acrypto_session_handle *s = make(next, bufs[next % bufs.size()].data());
            int rc = acrypto_submit(s, nullptr, nullptr);
            if (rc == ACRYPTO_E_BUSY && !ahead.empty()) {
                acrypto_session_free(s);
                break;
            }
            check(rc, "submit");
            ahead.push_back(s);
            ++next;
        }
    };
    for (uint64_t i = 0; i < nchunks; ++i) {
        fill();
        acrypto_session_handle *s = ahead.front();
        ahead.pop_front();
        bool waited = acrypto_session_status(s) == ACRYPTO_PENDING;
        check(acrypto_wait(s, ACRYPTO_WAIT_FOREVER), "encrypt");
        acrypto_session_free(s);
        if (waited) dasync.idle();
        fill(); // chunk i's buffer stays untouched: the ring has window + 1 buffers
        dasync.write(i * a.chunk, bufs[i % bufs.size()].data(), chunk_len(i));
    }
    const double t_async = std::chrono::duration<double>(Clock::now() - t0).count();
    const double ideal = std::max(t_crypto, t_disk);

    std::printf("diskbench: %llu MB in %u-byte chunks, AES-256-XTS, disk %.1f KB/ms, window %u\n",
                static_cast<unsigned long long>(a.mb), a.chunk, a.disk_kb_per_ms, a.window);
    std::printf("crypto alone  %8.3f s  (%.1f KB/ms)\n", t_crypto,
                total / 1000.0 / (t_crypto * 1000.0));
    std::printf("disk alone    %8.3f s  (%.1f KB/ms)\n", t_disk, a.disk_kb_per_ms);
    std::printf("ideal         %8.3f s  max(crypto, disk)\n", ideal);
    std::printf("sync          %8.3f s  %.3f x ideal\n", t_sync, t_sync / ideal);
    std::printf("async         %8.3f s  %.3f x ideal\n", t_async, t_async / ideal);
    std::printf("sync / async  %8.3f\n", t_sync / t_async);

    int failures = 0;
    if (a.verify) {
        // Decrypt what reached each emulated disk with libcrypto's default provider.
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        std::vector<uint8_t> dec(a.chunk);
        uint64_t ok = 0;
        for (const auto *store : {&store_sync, &store_async}) {
            for (uint64_t i = 0; i < nchunks; ++i) {
                uint8_t tweak[16] = {};
                uint64_t sector = i * a.chunk / 512;
                for (int b = 0; b < 8; ++b) tweak[b] = static_cast<uint8_t>(sector >> (8 * b));
                int outl = 0;
                size_t n = chunk_len(i);
                if (EVP_DecryptInit_ex(c, EVP_aes_256_xts(), nullptr, key, tweak) != 1 ||
                    EVP_DecryptUpdate(c, dec.data(), &outl, store->data() + i * a.chunk,
                                      static_cast<int>(n)) != 1 ||
                    std::memcmp(dec.data(), plain[i % kBlocks].data(), n) != 0)
                    ++failures;
                else
                    ++ok;
            }
        }
        EVP_CIPHER_CTX_free(c);
        std::printf("verify: %llu/%llu chunks decrypt correctly (sync and async disks)\n",
                    static_cast<unsigned long long>(ok),
                    static_cast<unsigned long long>(2 * nchunks));
    }
    acrypto_key_free(kh);
    acrypto_ctx_free(ctx);
    return failures == 0 ? 0 : 1;
}
