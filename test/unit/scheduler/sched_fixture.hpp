// SPDX-License-Identifier: Apache-2.0
// SchedFixture: a scheduler with fake devices, and helpers to build sessions.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "fake_device.hpp"

namespace acrypto::sched::test {

/// Counts DoneFn calls on one session.
struct DoneCount {
    std::atomic<int> calls{0};
    static void fn(void *arg, Session &) { static_cast<DoneCount *>(arg)->calls.fetch_add(1); }
};

class SchedFixture : public ::testing::Test {
  protected:
    void TearDown() override {
        if (core_) core_->shutdown();
        core_.reset();
    }

    void make(Options o = {}) {
        auto r = SchedulerCore::create(o);
        ASSERT_TRUE(r.ok()) << r.error().message;
        core_ = std::move(r.value());
        auto a = core_->add_driver(fake_driver());
        ASSERT_TRUE(a.ok()) << a.error().message;
    }

    /// Open fake instances; `kv` is the fake driver's configuration.
    void open(std::vector<std::pair<std::string, std::string>> kv) {
        Config c;
        for (auto &p : kv) c.set(p.first, p.second);
        auto r = core_->open_devices("fake", c);
        ASSERT_TRUE(r.ok()) << r.error().message;
    }

    /// A one-step AES-CBC encryption of `len` bytes (0x00.. pattern) with a 16-byte key.
    Ref<Session> cipher(size_t len = 32, uint32_t prio = 0) {
        auto s = Session::make(1, 2 * len);
        fill_cipher_step(*s, 0, len);
        s->set_priority(prio);
        return s;
    }

    void fill_cipher_step(Session &s, uint32_t i, size_t len, uint32_t dir = ACRYPTO_DIR_ENCRYPT) {
        acrypto_step &st = s.step(i);
        st.op = ACRYPTO_OP_CIPHER;
        st.alg = ACRYPTO_ALG_AES;
        st.mode = ACRYPTO_MODE_CBC;
        st.dir = dir;
        uint8_t key[16];
        for (int k = 0; k < 16; ++k) key[k] = static_cast<uint8_t>(k);
        s.set_key(i, core_->make_key(ACRYPTO_ALG_AES, key, sizeof(key)));
        uint8_t *src = s.alloc(len);
        for (size_t k = 0; k < len; ++k) src[k] = static_cast<uint8_t>(k);
        st.src = src;
        st.src_len = len;
        st.dst = s.alloc(len);
        st.dst_len = len;
        st.iv_len = 16;
    }

    void fill_hmac_step(Session &s, uint32_t i, size_t len) {
        acrypto_step &st = s.step(i);
        st.op = ACRYPTO_OP_MAC;
        st.alg = ACRYPTO_ALG_SHA256;
        st.mode = ACRYPTO_MODE_HMAC;
        st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        const uint8_t key[20] = {1, 2, 3};
        s.set_key(i, core_->make_key(ACRYPTO_ALG_SHA256, key, sizeof(key)));
        st.src = s.step(0).dst ? s.step(0).dst : s.alloc(len);
        st.src_len = len;
        st.dst = s.alloc(32);
        st.dst_len = 32;
    }

    uint64_t stat(const std::string &name) const {
        for (const auto &st : core_->stats())
            if (st.name == name) return st.value;
        ADD_FAILURE() << "no stat " << name;
        return 0;
    }

    /// dst == src ^ 0x5a (what the fake devices compute).
    static bool fake_output_ok(const acrypto_step &st) {
        if (st.out_len != st.src_len) return false;
        for (size_t k = 0; k < st.src_len; ++k)
            if (st.dst[k] != (st.src[k] ^ 0x5a)) return false;
        return true;
    }

    std::unique_ptr<SchedulerCore> core_;
};

} // namespace acrypto::sched::test
