// SPDX-License-Identifier: Apache-2.0
// acrypto-bd: workloads (sequential/random reads and writes, queue depth, verify) on the bd disk.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "bd.hpp"

namespace {

using acrypto::tools::bd::Dir;
using acrypto::tools::bd::Disk;
using acrypto::tools::bd::Request;

struct Args {
    const char *config = nullptr;
    std::string device;
    uint64_t size_mib = 64;
    uint32_t sector = 512;
    uint32_t key_bits = 256;
    uint32_t io_size = 4096;
    uint32_t qd = 16;
    std::string rw = "write";    // read | write
    std::string pattern = "seq"; // seq | rand
    uint64_t total_mib = 0;      // 0 = the disk size
    bool verify = false;
    uint64_t seed = 1;
};

void usage() {
    std::fprintf(
        stderr,
        "usage: acrypto-bd [--config FILE] [--device NAME] [--size MiB] [--sector 512|4096]\n"
        "                  [--key-bits 128|256] [--rw read|write] [--pattern seq|rand]\n"
        "                  [--io-size BYTES] [--qd N] [--total MiB] [--verify] [--seed N]\n");
}

/// Deterministic plaintext of sector `lba` at write generation `gen`.
void fill_pattern(uint8_t *p, uint32_t n, uint64_t lba, uint64_t gen) {
    uint64_t x = (lba + 1) * 0x9E3779B97F4A7C15ull ^ (gen + 1) * 0xD1B54A32D192ED03ull;
    for (uint32_t i = 0; i < n; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        std::memcpy(p + i, &x, 8);
    }
}

/// Completed requests, handed from callbacks to the main thread.
struct Completions {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<Request *> done;
    static void on_done(void *arg, Request *req, int) {
        auto *c = static_cast<Completions *>(arg);
        std::lock_guard<std::mutex> lk(c->mu);
        c->done.push_back(req);
        c->cv.notify_one();
    }
    Request *pop() {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [this] { return !done.empty(); });
        Request *r = done.front();
        done.pop_front();
        return r;
    }
};

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
        if (k == "--config")
            a.config = next();
        else if (k == "--device")
            a.device = next();
        else if (k == "--size")
            a.size_mib = std::strtoull(next(), nullptr, 10);
        else if (k == "--sector")
            a.sector = static_cast<uint32_t>(std::strtoul(next(), nullptr, 10));
        else if (k == "--key-bits")
            a.key_bits = static_cast<uint32_t>(std::strtoul(next(), nullptr, 10));
        else if (k == "--io-size")
            a.io_size = static_cast<uint32_t>(std::strtoul(next(), nullptr, 10));
        else if (k == "--qd")
            a.qd = static_cast<uint32_t>(std::strtoul(next(), nullptr, 10));
        else if (k == "--rw")
            a.rw = next();
        else if (k == "--pattern")
            a.pattern = next();
        else if (k == "--total")
            a.total_mib = std::strtoull(next(), nullptr, 10);
        else if (k == "--verify")
            a.verify = true;
        else if (k == "--seed")
            a.seed = std::strtoull(next(), nullptr, 10);
        else {
            usage();
            return 2;
        }
    }
    if ((a.rw != "read" && a.rw != "write") || (a.pattern != "seq" && a.pattern != "rand") ||
        a.qd == 0 || a.io_size == 0 || a.io_size % a.sector != 0 || a.size_mib == 0) {
        usage();
        return 2;
    }
    char err[512];
    acrypto_ctx *ctx = acrypto_ctx_new(a.config, err, sizeof(err));
    if (ctx == nullptr) {
        std::fprintf(stderr, "acrypto-bd: %s\n", err);
        return 1;
    }
    if (*acrypto_ctx_get0_messages(ctx) != '\0')
        std::fprintf(stderr, "acrypto-bd: %s", acrypto_ctx_get0_messages(ctx));

    acrypto::tools::bd::DiskOptions opts;
    opts.sector_size = a.sector;
    opts.sectors = (a.size_mib << 20) / a.sector;
    opts.key_bits = a.key_bits;
    opts.device = a.device;
    std::vector<uint8_t> key(a.key_bits / 4);
    if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
        std::fprintf(stderr, "acrypto-bd: no random key\n");
        return 1;
    }
    std::string error;
    auto disk = Disk::create(ctx, opts, key.data(), error);
    if (!disk) {
        std::fprintf(stderr, "acrypto-bd: %s\n", error.c_str());
        acrypto_ctx_free(ctx);
        return 1;
    }
    const uint32_t per_io = a.io_size / a.sector;
    const uint64_t slots = opts.sectors / per_io;
    std::vector<uint64_t> gen(opts.sectors, 0); // write generation per sector (0: prefill)
    int failures = 0;

    // Reads and verification need known contents: fill the disk first (sequential, qd).
    auto run = [&](bool write, bool random, uint64_t ios, bool check, const char *label) {
        Completions comp;
        std::mt19937_64 rng(a.seed);
        std::vector<uint8_t> busy(slots, 0);
        std::vector<std::vector<uint8_t>> bufs(a.qd, std::vector<uint8_t>(a.io_size));
        std::vector<uint32_t> free_bufs;
        for (uint32_t i = 0; i < a.qd; ++i) free_bufs.push_back(i);
        uint64_t issued = 0, completed = 0, next_slot = 0, verified = 0;
        uint32_t inflight = 0;
        auto t0 = std::chrono::steady_clock::now();
        auto reap = [&]() {
            Request *r = comp.pop();
            auto bi = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(r->user));
            if (r->status != ACRYPTO_OK) {
                std::fprintf(stderr, "acrypto-bd: %s at sector %llu: %s\n", label,
                             static_cast<unsigned long long>(r->lba),
                             acrypto_status_string(r->status));
                ++failures;
            } else if (!write && check) {
                std::vector<uint8_t> want(a.sector);
                for (uint32_t s = 0; s < r->count; ++s) {
                    fill_pattern(want.data(), a.sector, r->lba + s, gen[r->lba + s]);
                    if (std::memcmp(want.data(), bufs[bi].data() + size_t{s} * a.sector,
                                    a.sector) != 0) {
                        std::fprintf(stderr, "acrypto-bd: sector %llu reads back wrong\n",
                                     static_cast<unsigned long long>(r->lba + s));
                        ++failures;
                    } else {
                        ++verified;
                    }
                }
            }
            busy[r->lba / per_io] = 0;
            disk->release(r);
            free_bufs.push_back(bi);
            --inflight;
            ++completed;
        };
        while (issued < ios) {
            if (inflight == a.qd) {
                reap();
                continue;
            }
            uint64_t slot = random ? rng() % slots : next_slot++ % slots;
            while (busy[slot]) // never two requests on one sector at once
                slot = (slot + 1) % slots;
            uint64_t lba = slot * per_io;
            uint32_t bi = free_bufs.back();
            if (write)
                for (uint32_t s = 0; s < per_io; ++s)
                    fill_pattern(bufs[bi].data() + size_t{s} * a.sector, a.sector, lba + s,
                                 ++gen[lba + s]);
            int rc = ACRYPTO_OK;
            Request *r = disk->submit(write ? Dir::Write : Dir::Read, lba, per_io, bufs[bi].data(),
                                      Completions::on_done, &comp, &rc);
            if (r == nullptr) {
                if (write)
                    for (uint32_t s = 0; s < per_io; ++s) --gen[lba + s];
                if (rc == ACRYPTO_E_BUSY && inflight > 0) {
                    reap();
                    continue;
                }
                std::fprintf(stderr, "acrypto-bd: submit: %s\n", acrypto_status_string(rc));
                ++failures;
                break;
            }
            // The callback may already have run: `user` is read only after pop().
            r->user = reinterpret_cast<void *>(static_cast<uintptr_t>(bi));
            free_bufs.pop_back();
            busy[slot] = 1;
            ++inflight;
            ++issued;
        }
        while (inflight > 0) reap();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        double mib = static_cast<double>(completed) * a.io_size / (1 << 20);
        std::printf("%-12s %s %s io=%u qd=%u: %llu ios, %.1f MiB in %.3f s = %.1f MiB/s, %.0f IOPS",
                    label, random ? "rand" : "seq", write ? "write" : "read", a.io_size, a.qd,
                    static_cast<unsigned long long>(completed), mib, secs,
                    secs > 0 ? mib / secs : 0.0, secs > 0 ? completed / secs : 0.0);
        if (check && !write)
            std::printf(", %llu sectors verified", static_cast<unsigned long long>(verified));
        std::printf("\n");
        return verified;
    };

    const uint64_t total_ios = ((a.total_mib != 0 ? a.total_mib : a.size_mib) << 20) / a.io_size;
    const bool rnd = a.pattern == "rand";
    if (a.rw == "read" || a.verify) run(true, false, slots, false, "fill");
    run(a.rw == "write", rnd, total_ios, a.verify, "workload");

    if (a.verify) {
        // Every sector: stored ciphertext equals libcrypto's AES-XTS (default provider) of
        // the expected plaintext with the sector number as tweak, and reads back.
        const EVP_CIPHER *xts = a.key_bits == 256 ? EVP_aes_256_xts() : EVP_aes_128_xts();
        EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
        std::vector<uint8_t> plain(a.sector), want(a.sector);
        uint64_t ok_ct = 0;
        for (uint64_t lba = 0; lba < opts.sectors; ++lba) {
            uint8_t tweak[16];
            acrypto::tools::bd::sector_tweak(lba, tweak);
            fill_pattern(plain.data(), a.sector, lba, gen[lba]);
            int outl = 0;
            if (EVP_EncryptInit_ex(c, xts, nullptr, key.data(), tweak) != 1 ||
                EVP_EncryptUpdate(c, want.data(), &outl, plain.data(),
                                  static_cast<int>(a.sector)) != 1 ||
                std::memcmp(want.data(), disk->raw(lba), a.sector) != 0) {
                if (failures++ < 10)
                    std::fprintf(stderr,
                                 "acrypto-bd: sector %llu ciphertext differs from libcrypto XTS\n",
                                 static_cast<unsigned long long>(lba));
            } else {
                ++ok_ct;
            }
        }
        EVP_CIPHER_CTX_free(c);
        uint64_t rt = run(false, false, slots, true, "verify-read");
        std::printf("verify: %llu/%llu sectors match libcrypto AES-%u-XTS, %llu/%llu read back, %d "
                    "failures\n",
                    static_cast<unsigned long long>(ok_ct),
                    static_cast<unsigned long long>(opts.sectors), a.key_bits,
                    static_cast<unsigned long long>(rt),
                    static_cast<unsigned long long>(slots * per_io), failures);
    }
    disk.reset();
    acrypto_ctx_free(ctx);
    return failures == 0 ? 0 : 1;
}
