// SPDX-License-Identifier: Apache-2.0
// bd: per-sector AES-XTS sessions; writes land in the disk's memory, reads in the caller's buffer.
#include "bd.hpp"

#include <time.h>

#include <atomic>
#include <cstring>

namespace acrypto::tools::bd {

namespace {

void on_sector_done(acrypto_session_handle *, int status, void *arg) {
    auto *req = static_cast<Request *>(arg);
    std::atomic_ref<int> st(req->status);
    if (status != ACRYPTO_OK) {
        int expected = ACRYPTO_OK;
        st.compare_exchange_strong(expected, status);
    }
    std::atomic_ref<uint32_t> rem(req->remaining);
    if (rem.fetch_sub(1, std::memory_order_acq_rel) == 1 && req->done != nullptr)
        req->done(req->arg, req, st.load());
}

} // namespace

void sector_tweak(uint64_t lba, uint8_t tweak[16]) {
    std::memset(tweak, 0, 16);
    for (int i = 0; i < 8; ++i) tweak[i] = static_cast<uint8_t>(lba >> (8 * i));
}

std::unique_ptr<Disk> Disk::create(acrypto_ctx *ctx, const DiskOptions &opts, const uint8_t *key,
                                   std::string &error) {
    if (ctx == nullptr || key == nullptr) {
        error = "no context or key";
        return nullptr;
    }
    if (opts.sector_size != 512 && opts.sector_size != 4096) {
        error = "sector size must be 512 or 4096";
        return nullptr;
    }
    if (opts.key_bits != 128 && opts.key_bits != 256) {
        error = "key bits must be 128 or 256 (AES-XTS-128 / AES-XTS-256)";
        return nullptr;
    }
    if (opts.sectors == 0 || opts.sectors > (uint64_t{16} << 30) / opts.sector_size) {
        error = "sector count must be 1 .. 16 GiB worth";
        return nullptr;
    }
    if (std::memcmp(key, key + opts.key_bits / 8, opts.key_bits / 8) == 0) {
        error = "the two XTS key halves must differ";
        return nullptr;
    }
    std::unique_ptr<Disk> d(new Disk);
    d->ctx_ = ctx;
    d->opts_ = opts;
    d->key_ = acrypto_key_new(ctx, ACRYPTO_ALG_AES, key, opts.key_bits / 4);
    if (d->key_ == nullptr) {
        error = "cannot create the key";
        return nullptr;
    }
    d->store_.assign(opts.sectors * opts.sector_size, 0);
    return d;
}

Disk::~Disk() { acrypto_key_free(key_); }

Request *Disk::submit(Dir dir, uint64_t lba, uint32_t count, uint8_t *buf, RequestDoneFn done,
                      void *arg, int *status) {
    int dummy = 0;
    int &rc = status != nullptr ? *status : dummy;
    if (count == 0 || lba >= opts_.sectors || count > opts_.sectors - lba || buf == nullptr) {
        rc = ACRYPTO_E_INVALID;
        return nullptr;
    }
    auto req = std::make_unique<Request>();
    req->dir = dir;
    req->lba = lba;
    req->count = count;
    req->done = done;
    req->arg = arg;
    req->remaining = count;
    req->sessions.assign(count, nullptr);
    const uint32_t ss = opts_.sector_size;
    for (uint32_t i = 0; i < count; ++i) {
        uint8_t tweak[16];
        sector_tweak(lba + i, tweak);
        acrypto_session_params p{};
        p.struct_size = sizeof(p);
        p.op = ACRYPTO_OP_CIPHER;
        p.alg = ACRYPTO_ALG_AES;
        p.mode = ACRYPTO_MODE_XTS;
        p.dir = dir == Dir::Write ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT;
        p.priority = opts_.priority;
        p.key = key_;
        p.iv = tweak;
        p.iv_len = 16;
        p.device = opts_.device.empty() ? nullptr : opts_.device.c_str();
        uint8_t *disk = store_.data() + (lba + i) * ss;
        p.in = dir == Dir::Write ? buf + size_t{i} * ss : disk;
        p.in_len = ss;
        p.out = dir == Dir::Write ? disk : buf + size_t{i} * ss;
        p.out_len = ss;
        req->sessions[i] = acrypto_session_new(ctx_, &p, &rc);
        if (req->sessions[i] == nullptr) break;
        for (;;) {
            rc = acrypto_submit(req->sessions[i], on_sector_done, req.get());
            if (rc != ACRYPTO_E_BUSY || i == 0)
                break; // with nothing of ours queued, the caller decides (BUSY)
            // A full device queue: wait for one of this request's queued sectors;
            // when all of them are done (others fill the queue), back off 1 ms.
            uint32_t j = i;
            while (j > 0 && acrypto_session_status(req->sessions[j - 1]) != ACRYPTO_PENDING) --j;
            if (j > 0) {
                (void)acrypto_wait(req->sessions[j - 1], ACRYPTO_WAIT_FOREVER);
            } else {
                struct timespec ms {
                    0, 1000000
                };
                nanosleep(&ms, nullptr);
            }
        }
        if (rc != ACRYPTO_OK) break;
    }
    if (rc == ACRYPTO_OK) return req.release();
    // Partly queued: let the queued sectors finish (remaining never reaches 0, so
    // `done` is not called), report the failure.
    const int fail = rc;
    for (auto *s : req->sessions) {
        if (s != nullptr && acrypto_session_status(s) == ACRYPTO_PENDING)
            (void)acrypto_wait(s, ACRYPTO_WAIT_FOREVER);
    }
    // wait() returns "invalid" for never-submitted sessions; free everything.
    for (auto *s : req->sessions) acrypto_session_free(s);
    rc = fail;
    return nullptr;
}

int Disk::wait(Request *req) {
    for (auto *s : req->sessions) (void)acrypto_wait(s, ACRYPTO_WAIT_FOREVER);
    return std::atomic_ref<int>(req->status).load();
}

void Disk::release(Request *req) {
    if (req == nullptr) return;
    for (auto *s : req->sessions) acrypto_session_free(s);
    delete req;
}

int Disk::write(uint64_t lba, uint32_t count, const uint8_t *plain) {
    int rc = ACRYPTO_OK;
    for (;;) {
        Request *r =
            submit(Dir::Write, lba, count, const_cast<uint8_t *>(plain), nullptr, nullptr, &rc);
        if (r != nullptr) {
            rc = wait(r);
            release(r);
            return rc;
        }
        if (rc != ACRYPTO_E_BUSY) return rc;
        struct timespec ms {
            0, 1000000
        };
        nanosleep(&ms, nullptr);
    }
}

int Disk::read(uint64_t lba, uint32_t count, uint8_t *plain) {
    int rc = ACRYPTO_OK;
    for (;;) {
        Request *r = submit(Dir::Read, lba, count, plain, nullptr, nullptr, &rc);
        if (r != nullptr) {
            rc = wait(r);
            release(r);
            return rc;
        }
        if (rc != ACRYPTO_E_BUSY) return rc;
        struct timespec ms {
            0, 1000000
        };
        nanosleep(&ms, nullptr);
    }
}

} // namespace acrypto::tools::bd
