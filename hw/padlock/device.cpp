// SPDX-License-Identifier: Apache-2.0
// Device: lazily started workers blocking on a condition variable, bursts, completion, self-test.
#include "device.hpp"

#include <cstring>
#include <exception>

#include "key_schedule.hpp"

namespace acrypto::hw::padlock {

namespace {

constexpr uint32_t kQueueLen = 256;
constexpr uint32_t kMaxBurst = 16;

} // namespace

Device::Device(std::unique_ptr<Isa> isa, const Features &f, DeviceOptions opts, acrypto_host *host,
               const acrypto_host_ops *hops)
    : isa_(std::move(isa)), features_(f), opts_(std::move(opts)), host_(host), hops_(hops),
      aes_(*isa_, features_, stats_), sha_(*isa_, features_, stats_),
      entropy_(*isa_, features_, stats_, opts_.rng_divisor), caps_(padlock_capabilities(f)) {}

Device::~Device() { close(); }

void Device::describe(acrypto_device_desc *desc) const {
    desc->struct_size = sizeof(acrypto_device_desc);
    uint32_t flags = 0;
    if (opts_.hardware) flags |= ACRYPTO_DEV_F_HARDWARE;
    if (features_.rng) flags |= ACRYPTO_DEV_F_ENTROPY;
    if (opts_.inline_ok) flags |= ACRYPTO_DEV_F_INLINE;
    desc->flags = flags;
    desc->name = opts_.name.c_str();
    desc->queue_len = kQueueLen;
    desc->max_burst = kMaxBurst;
    desc->caps = caps_.data();
    desc->ncaps = static_cast<uint32_t>(caps_.size());
}

void Device::log(int level, const std::string &msg) const {
    if (hops_ && hops_->log_fn) hops_->log_fn(host_, level, msg.c_str());
}

void Device::data_ready() {
    {
        std::lock_guard lk(mu_);
        if (stop_) return;
        ++kicks_;
        if (!started_) {
            started_ = true;
            try {
                for (uint32_t i = 0; i < opts_.workers; ++i)
                    workers_.emplace_back([this] { worker_main(); });
            } catch (const std::exception &e) {
                if (workers_.empty() && hops_->mark_broken_fn)
                    hops_->mark_broken_fn(host_,
                                          (opts_.name + ": no worker thread: " + e.what()).c_str());
            }
        }
    }
    cv_.notify_one();
}

void Device::worker_main() {
    try {
        worker_loop();
    } catch (const std::exception &e) {
        // Out of memory for the scratch, typically: this worker cannot serve the queue.
        if (hops_->mark_broken_fn)
            hops_->mark_broken_fn(host_, (opts_.name + ": worker failed: " + e.what()).c_str());
    }
}

void Device::worker_loop() {
    ScratchHolder holder(*isa_);
    acrypto_session *batch[kMaxBurst];
    for (;;) {
        uint64_t seen;
        {
            std::lock_guard lk(mu_);
            if (stop_) return;
            seen = kicks_;
        }
        const uint32_t n = hops_->dequeue_fn(host_, batch, kMaxBurst);
        if (n == 0) {
            // Nothing queued: sleep until data_ready() (or close) moves the kick counter.
            std::unique_lock lk(mu_);
            cv_.wait(lk, [&] { return stop_ || kicks_ != seen; });
            continue;
        }
        // Several workers: pass the wake-up on, there may be more.
        if (opts_.workers > 1) cv_.notify_one();
        for (uint32_t i = 0; i < n && i < kMaxBurst; ++i) {
            uint32_t done = 0;
            const int rc = execute(*batch[i], holder.get(), &done);
            hops_->complete_fn(host_, batch[i], rc, done);
        }
    }
}

int Device::execute_step(acrypto_step &st, Scratch &scratch) {
    switch (st.op) {
    case ACRYPTO_OP_CIPHER: return aes_.run(st, scratch);
    case ACRYPTO_OP_DIGEST: return sha_.run(st, scratch);
    default: return ACRYPTO_E_UNSUPPORTED;
    }
}

int Device::execute(acrypto_session &s, Scratch &scratch, uint32_t *steps_done) {
    *steps_done = 0;
    int rc = ACRYPTO_OK;
    if (!s.steps || s.ncur == 0 || s.cur >= s.nsteps || s.ncur > s.nsteps - s.cur)
        rc = ACRYPTO_E_INVALID;
    for (uint32_t i = 0; rc == ACRYPTO_OK && i < s.ncur; ++i) {
        rc = execute_step(s.steps[s.cur + i], scratch);
        if (rc == ACRYPTO_OK) ++*steps_done;
    }
    scratch.wipe();
    switch (rc) {
    case ACRYPTO_OK: stats_.add(Stat::SessionsOk); break;
    case ACRYPTO_E_INVALID: stats_.add(Stat::SessionsInvalid); break;
    case ACRYPTO_E_UNSUPPORTED: stats_.add(Stat::SessionsUnsupported); break;
    default:
        stats_.add(Stat::SessionsFailed);
        log(ACRYPTO_LOG_WARN, opts_.name + ": session " + std::to_string(s.id) + " failed (" +
                                  std::to_string(rc) + ") on the " + isa_->name() + " layer " +
                                  isa_->last_fault_reason());
        break;
    }
    return rc;
}

int Device::run_inline(acrypto_session *s) {
    if (!s) return ACRYPTO_E_INVALID;
    ScratchHolder holder(*isa_);
    uint32_t done = 0;
    return execute(*s, holder.get(), &done);
}

void Device::close() {
    std::vector<std::thread> joined;
    {
        std::lock_guard lk(mu_);
        stop_ = true;
        joined.swap(workers_);
    }
    cv_.notify_all();
    for (auto &t : joined)
        if (t.joinable()) t.join();
}

int Device::get_stats(acrypto_stat *out, uint32_t max, uint32_t *n) const {
    const uint32_t count = static_cast<uint32_t>(Stat::Count);
    uint32_t i = 0;
    for (; i < count && i < max; ++i) {
        out[i].name = kStatNames[i];
        out[i].value = stats_.get(static_cast<Stat>(i));
    }
    *n = i;
    return ACRYPTO_OK;
}

int Device::get_entropy(uint8_t *buf, size_t len) { return entropy_.get(buf, len); }

int Device::self_test(std::string *why) {
    ScratchHolder holder(*isa_);
    Scratch &s = holder.get();
    auto fail = [&](const char *what, int rc) {
        *why = std::string(what) + " failed (status " + std::to_string(rc) + ")";
        return rc == ACRYPTO_OK ? ACRYPTO_E_DEVICE : rc;
    };
    static const uint8_t key[32] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
                                    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    static const uint8_t pt[16] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    // FIPS-197 C.1 and C.3 (spec §9.2 tests 1 and 3), both directions.
    static const uint8_t ct128[16] = {0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30,
                                      0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4, 0xc5, 0x5a};
    static const uint8_t ct256[16] = {0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf,
                                      0xea, 0xfc, 0x49, 0x90, 0x4b, 0x49, 0x60, 0x89};
    if (features_.ace) {
        for (size_t klen : {size_t(16), size_t(32)}) {
            const uint8_t *want = klen == 16 ? ct128 : ct256;
            for (uint32_t dir : {uint32_t(ACRYPTO_DIR_ENCRYPT), uint32_t(ACRYPTO_DIR_DECRYPT)}) {
                acrypto_key k{};
                k.alg = ACRYPTO_ALG_AES;
                k.data = key;
                k.len = klen;
                uint8_t out[16] = {};
                acrypto_step st{};
                st.op = ACRYPTO_OP_CIPHER;
                st.alg = ACRYPTO_ALG_AES;
                st.mode = ACRYPTO_MODE_ECB;
                st.dir = dir;
                st.key = &k;
                st.src = dir == ACRYPTO_DIR_ENCRYPT ? pt : want;
                st.src_len = 16;
                st.dst = out;
                st.dst_len = 16;
                const int rc = aes_.run(st, s);
                if (rc != ACRYPTO_OK ||
                    std::memcmp(out, dir == ACRYPTO_DIR_ENCRYPT ? want : pt, 16) != 0)
                    return fail(klen == 16 ? "AES-128 known answer" : "AES-256 known answer", rc);
            }
        }
    }
    struct DigestKat {
        uint32_t alg;
        const char *name;
        uint8_t first[4]; // leading bytes of the digest of "abc" (spec §9.2 tests 12, 16)
    };
    static const DigestKat kats[] = {
        {ACRYPTO_ALG_SHA1, "SHA-1 known answer", {0xa9, 0x99, 0x3e, 0x36}},
        {ACRYPTO_ALG_SHA256, "SHA-256 known answer", {0xba, 0x78, 0x16, 0xbf}},
        {ACRYPTO_ALG_SHA384, "SHA-384 known answer", {0xcb, 0x00, 0x75, 0x3f}},
        {ACRYPTO_ALG_SHA512, "SHA-512 known answer", {0xdd, 0xaf, 0x35, 0xa1}},
    };
    for (const auto &kat : kats) {
        if (!sha_.supports(kat.alg)) continue;
        uint8_t out[64] = {};
        acrypto_step st{};
        st.op = ACRYPTO_OP_DIGEST;
        st.alg = kat.alg;
        st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        st.src = reinterpret_cast<const uint8_t *>("abc");
        st.src_len = 3;
        st.dst = out;
        st.dst_len = sizeof out;
        const int rc = sha_.run(st, s);
        if (rc != ACRYPTO_OK || std::memcmp(out, kat.first, 4) != 0) return fail(kat.name, rc);
    }
    s.wipe();
    if (features_.rng) {
        uint8_t e[32];
        const int rc = entropy_.get(e, sizeof e);
        secure_wipe(e, sizeof e);
        if (rc != ACRYPTO_OK) {
            *why = "RNG health test failed: " + entropy_.failure();
            return rc;
        }
    }
    *why = "ok";
    return ACRYPTO_OK;
}

} // namespace acrypto::hw::padlock
