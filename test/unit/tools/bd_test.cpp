// SPDX-License-Identifier: Apache-2.0
// bd: every sector's ciphertext equals libcrypto's AES-XTS (default provider) with the sector
// number as tweak; reads round-trip; async requests at queue depth; bad geometry is refused.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <vector>

#include "bd.hpp"

using acrypto::tools::bd::Dir;
using acrypto::tools::bd::Disk;
using acrypto::tools::bd::DiskOptions;
using acrypto::tools::bd::Request;

namespace {

struct Geometry {
    uint32_t sector_size;
    uint32_t key_bits;
    uint64_t sectors;
};

class BdDisk : public ::testing::TestWithParam<Geometry> {
  protected:
    void SetUp() override {
        char err[256];
        ctx_ = acrypto_ctx_new(nullptr, err, sizeof(err));
        ASSERT_NE(ctx_, nullptr) << err;
    }
    void TearDown() override { acrypto_ctx_free(ctx_); }
    acrypto_ctx *ctx_ = nullptr;
};

/// libcrypto's AES-XTS of one sector (EVP_aes_*_xts, default provider).
std::vector<uint8_t> evp_xts(uint32_t key_bits, const uint8_t *key, uint64_t lba, const uint8_t *in,
                             size_t n, bool enc) {
    uint8_t tweak[16];
    acrypto::tools::bd::sector_tweak(lba, tweak);
    std::vector<uint8_t> out(n);
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0;
    EXPECT_EQ(EVP_CipherInit_ex(c, key_bits == 256 ? EVP_aes_256_xts() : EVP_aes_128_xts(), nullptr,
                                key, tweak, enc ? 1 : 0),
              1);
    EXPECT_EQ(EVP_CipherUpdate(c, out.data(), &l, in, static_cast<int>(n)), 1);
    EVP_CIPHER_CTX_free(c);
    return out;
}

} // namespace

TEST(BdTweak, SectorNumberLittleEndian) {
    uint8_t t[16];
    acrypto::tools::bd::sector_tweak(0x0102030405060708ull, t);
    const uint8_t want[16] = {8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(0, std::memcmp(t, want, 16));
}

TEST_P(BdDisk, EverySectorMatchesLibcryptoXtsAndRoundTrips) {
    const Geometry g = GetParam();
    std::vector<uint8_t> key(g.key_bits / 4);
    ASSERT_EQ(RAND_bytes(key.data(), static_cast<int>(key.size())), 1);
    DiskOptions o;
    o.sectors = g.sectors;
    o.sector_size = g.sector_size;
    o.key_bits = g.key_bits;
    std::string error;
    auto disk = Disk::create(ctx_, o, key.data(), error);
    ASSERT_TRUE(disk) << error;
    const size_t ss = g.sector_size;
    std::vector<uint8_t> plain(g.sectors * ss);
    ASSERT_EQ(RAND_bytes(plain.data(), static_cast<int>(plain.size())), 1);

    // Write the whole disk asynchronously, 8 sectors per request, 16 requests deep.
    struct Done {
        std::mutex mu;
        std::condition_variable cv;
        std::vector<Request *> reqs;
    } done;
    auto cb = [](void *arg, Request *r, int) {
        auto *d = static_cast<Done *>(arg);
        std::lock_guard<std::mutex> lk(d->mu);
        d->reqs.push_back(r);
        d->cv.notify_one();
    };
    uint64_t next = 0, inflight = 0;
    const uint32_t per = 8;
    while (next < g.sectors || inflight > 0) {
        if (next < g.sectors && inflight < 16) {
            int rc = 0;
            Request *r =
                disk->submit(Dir::Write, next, per, plain.data() + next * ss, cb, &done, &rc);
            if (r != nullptr) {
                next += per;
                ++inflight;
                continue;
            }
            ASSERT_EQ(rc, ACRYPTO_E_BUSY);
        }
        std::unique_lock<std::mutex> lk(done.mu);
        done.cv.wait(lk, [&] { return !done.reqs.empty(); });
        Request *r = done.reqs.back();
        done.reqs.pop_back();
        lk.unlock();
        EXPECT_EQ(r->status, ACRYPTO_OK);
        disk->release(r);
        --inflight;
    }

    uint64_t matched = 0;
    for (uint64_t lba = 0; lba < g.sectors; ++lba) {
        auto want = evp_xts(g.key_bits, key.data(), lba, plain.data() + lba * ss, ss, true);
        if (std::memcmp(want.data(), disk->raw(lba), ss) == 0)
            ++matched;
        else
            ADD_FAILURE() << "sector " << lba << " differs from libcrypto AES-" << g.key_bits
                          << "-XTS";
    }
    EXPECT_EQ(matched, g.sectors);

    // Read back synchronously in uneven runs; also libcrypto decrypts the stored sectors.
    std::vector<uint8_t> back(plain.size(), 0);
    for (uint64_t lba = 0; lba < g.sectors;) {
        uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(1 + lba % 5, g.sectors - lba));
        ASSERT_EQ(disk->read(lba, n, back.data() + lba * ss), ACRYPTO_OK);
        lba += n;
    }
    EXPECT_EQ(back, plain);
    auto dec = evp_xts(g.key_bits, key.data(), 3, disk->raw(3), ss, false);
    EXPECT_EQ(0, std::memcmp(dec.data(), plain.data() + 3 * ss, ss));

    // Overwrite one sector: only that sector's ciphertext changes.
    std::vector<uint8_t> before(disk->raw(0), disk->raw(0) + g.sectors * ss);
    std::vector<uint8_t> fresh(ss, 0xA5);
    ASSERT_EQ(disk->write(5, 1, fresh.data()), ACRYPTO_OK);
    for (uint64_t lba = 0; lba < g.sectors; ++lba)
        EXPECT_EQ(std::memcmp(before.data() + lba * ss, disk->raw(lba), ss) == 0, lba != 5) << lba;
    ASSERT_EQ(disk->read(5, 1, back.data()), ACRYPTO_OK);
    EXPECT_EQ(0, std::memcmp(back.data(), fresh.data(), ss));
    // Same plaintext in two sectors gives different ciphertext (the tweak).
    ASSERT_EQ(disk->write(6, 1, fresh.data()), ACRYPTO_OK);
    EXPECT_NE(0, std::memcmp(disk->raw(5), disk->raw(6), ss));
}

INSTANTIATE_TEST_SUITE_P(Geometries, BdDisk,
                         ::testing::Values(Geometry{512, 256, 2048}, Geometry{512, 128, 512},
                                           Geometry{4096, 256, 256}, Geometry{4096, 128, 128}),
                         [](const auto &info) {
                             return "s" + std::to_string(info.param.sector_size) + "_aes" +
                                    std::to_string(info.param.key_bits);
                         });

TEST(BdOptions, BadGeometryAndRangesAreRefused) {
    char err[256];
    acrypto_ctx *ctx = acrypto_ctx_new(nullptr, err, sizeof(err));
    ASSERT_NE(ctx, nullptr) << err;
    std::vector<uint8_t> key(64);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i);
    std::string error;
    DiskOptions o;
    o.sector_size = 1024;
    EXPECT_FALSE(Disk::create(ctx, o, key.data(), error));
    o.sector_size = 512;
    o.key_bits = 192;
    EXPECT_FALSE(Disk::create(ctx, o, key.data(), error));
    o.key_bits = 256;
    std::vector<uint8_t> same(64, 7);
    EXPECT_FALSE(Disk::create(ctx, o, same.data(), error)); // equal XTS halves
    o.sectors = 16;
    auto disk = Disk::create(ctx, o, key.data(), error);
    ASSERT_TRUE(disk) << error;
    std::vector<uint8_t> buf(512 * 4);
    EXPECT_EQ(disk->write(14, 4, buf.data()), ACRYPTO_E_INVALID);
    EXPECT_EQ(disk->read(16, 1, buf.data()), ACRYPTO_E_INVALID);
    disk.reset();
    acrypto_ctx_free(ctx);
}

TEST(BdQueue, RequestsLongerThanTheDeviceQueueComplete) {
    // A 4-deep queue on a device that takes 2 ms per sector, one at a time: a 64-sector
    // request meets "busy" after its first sectors whatever the machine's load (a cpu
    // worker could drain the queue as fast as the request fills it).
    char path[] = "/tmp/acrypto-bd-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    const char text[] = "devices = sim\nsim.mode = compute\nsim.latency-us = 2000\nsim.slots = 1\n"
                        "sim.queue-len = 4\ninline-threshold = 0\n";
    ASSERT_EQ(write(fd, text, sizeof(text) - 1), static_cast<ssize_t>(sizeof(text) - 1));
    close(fd);
    char err[256];
    acrypto_ctx *ctx = acrypto_ctx_new(path, err, sizeof(err));
    unlink(path);
    ASSERT_NE(ctx, nullptr) << err;
    std::vector<uint8_t> key(32);
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    DiskOptions o;
    o.sectors = 64;
    o.key_bits = 128;
    std::string error;
    auto disk = Disk::create(ctx, o, key.data(), error);
    ASSERT_TRUE(disk) << error;
    std::vector<uint8_t> plain(64 * 512), back(64 * 512);
    ASSERT_EQ(RAND_bytes(plain.data(), static_cast<int>(plain.size())), 1);
    ASSERT_EQ(disk->write(0, 64, plain.data()), ACRYPTO_OK);
    ASSERT_EQ(disk->read(0, 64, back.data()), ACRYPTO_OK);
    EXPECT_EQ(back, plain);
    for (uint64_t lba = 0; lba < 64; ++lba) {
        auto want = evp_xts(128, key.data(), lba, plain.data() + lba * 512, 512, true);
        EXPECT_EQ(0, std::memcmp(want.data(), disk->raw(lba), 512)) << lba;
    }
    acrypto_stat_entry st[512];
    size_t n = std::min<size_t>(acrypto_ctx_stats(ctx, st, 512), 512);
    uint64_t busy = 0;
    for (size_t i = 0; i < n; ++i)
        if (std::strcmp(st[i].name, "busy") == 0) busy = st[i].value;
    EXPECT_GT(busy, 0u); // the queue did fill
    disk.reset();
    acrypto_ctx_free(ctx);
}
