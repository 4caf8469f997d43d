// SPDX-License-Identifier: Apache-2.0
// Every §7.6 error provoked and handled; injected faults; watchdog and reset recovery;
// hostile write-backs. Every session must complete exactly once.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "hifn_fixture.hpp"
#include "reference.hpp"
#include "regs.hpp"

using namespace hifn_test;
using namespace acrypto::hw::hifn::regs;
using acrypto::hw::hifn::DeviceTestPeer;
using acrypto::hw::hifn::PostView;
using acrypto::hw::hifn::model::Fault;
using acrypto::test::make_cipher;
using acrypto::test::OwnedSession;
using acrypto::test::pattern_bytes;

namespace {

uint64_t statv(DeviceHarness &h, const char *name) {
    auto s = h.stats();
    return s.count(name) ? s.at(name) : ~0ull;
}

struct Batch {
    std::vector<std::unique_ptr<OwnedSession>> ss;
    Bytes key = pattern_bytes(16, 77), iv = pattern_bytes(16, 78);
    void add(DeviceHarness &h, int n, size_t len = 256) {
        for (int i = 0; i < n; ++i) {
            ss.push_back(make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key,
                                     iv, pattern_bytes(len, ss.size() + 1)));
            h.enqueue(ss.back()->get());
        }
        h.kick();
    }
    /// Sessions that succeeded carry the right bytes; returns how many succeeded.
    int check(DeviceHarness &h) {
        int ok = 0;
        for (auto &s : ss) {
            EXPECT_EQ(h.completions(s->get()), 1u);
            if (h.status_of(s->get()) != ACRYPTO_OK) continue;
            ++ok;
            Bytes in(s->step().src, s->step().src + s->step().src_len);
            EXPECT_EQ(s->output_bytes(),
                      acrypto::test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                                      ACRYPTO_DIR_ENCRYPT, key, iv, in));
        }
        return ok;
    }
};

/// One AES-CBC session run with a hook altering its command; returns its status.
int run_hooked(DeviceHarness &h, std::function<void(PostView &)> hook, size_t len = 64) {
    DeviceTestPeer::set_post_hook(driver(h), std::move(hook));
    auto s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                         pattern_bytes(16, 1), pattern_bytes(16, 2), pattern_bytes(len, 3));
    int st = h.run(*s->get(), std::chrono::seconds(20));
    DeviceTestPeer::set_post_hook(driver(h), nullptr);
    EXPECT_EQ(h.completions(s->get()), 1u);
    return st;
}

/// After a fault, the device must still do correct work (unless broken).
void still_works(DeviceHarness &h) {
    Batch b;
    b.add(h, 8, 1024);
    ASSERT_TRUE(h.wait_all(std::chrono::seconds(20)));
    EXPECT_EQ(b.check(h), 8);
}

void put16(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}

} // namespace

// ---- §7.6 conditions, each provoked by altering one command -----------------------

TEST(Errors, SourceTotalMismatchIsCmdinval) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { put16(v.cmd + 4, 68); }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(statv(*h, "command_error"), 1u);
    EXPECT_EQ(chip(*h).stats().cmdinval, 1u);
    EXPECT_FALSE(h->broken());
    still_works(*h);
}

TEST(Errors, ReservedKeySizeIsCmdinval) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { v.cmd[9] |= 0x06; }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(chip(*h).stats().cmdinval, 1u);
    still_works(*h);
}

TEST(Errors, CommandShorterThanItsFlagsIsCmdinval) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { v.cmd_len -= 8; }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(chip(*h).stats().cmdinval, 1u);
    still_works(*h);
}

TEST(Errors, SkipPlusLengthBeyondSourceIsCmdinval) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { put16(v.cmd + 10, 16); }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(chip(*h).stats().cmdinval, 1u);
    still_works(*h);
}

TEST(Errors, PartialBlockIsDataerr) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { put16(v.cmd + 12, 60); }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(chip(*h).stats().dataerr, 1u);
    EXPECT_EQ(statv(*h, "command_error"), 1u);
    still_works(*h);
}

TEST(Errors, CmdinvalWithStallReactionEndsInWatchdogReset) {
    auto h = open_model({{"model-cmd-error", "stall"}});
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { put16(v.cmd + 4, 68); }), ACRYPTO_E_TIMEOUT);
    EXPECT_EQ(statv(*h, "watchdog"), 1u);
    still_works(*h);
}

TEST(Errors, SourceBufferOutsideWindowIsSourceAbort) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { v.src[0][1] = 0x1000; }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(statv(*h, "aborts"), 1u);
    EXPECT_EQ(chip(*h).stats().aborts, 1u);
    still_works(*h);
}

TEST(Errors, MisalignedDestinationIsDestinationAbort) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { v.dst[0][1] += 2; }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(statv(*h, "aborts"), 1u);
    still_works(*h);
}

TEST(Errors, JumpToGarbageIsResultAbort) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h,
                         [](PostView &v) {
                             v.res_desc[1] = 0xFFFFFFF0u;
                             v.res_desc[0] = HIFN_D_VALID | HIFN_D_JUMP;
                         }),
              ACRYPTO_E_DEVICE);
    EXPECT_EQ(statv(*h, "aborts"), 1u);
    still_works(*h);
}

TEST(Errors, ShortDestinationIsDstOverrun) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { v.dst[0][0] -= 16; }), ACRYPTO_E_DEVICE);
    EXPECT_EQ(statv(*h, "dst_overrun"), 1u);
    EXPECT_EQ(chip(*h).stats().dstover, 1u);
    EXPECT_FALSE(h->broken());
    still_works(*h);
}

TEST(Errors, ShortResultDescriptorIsROverAndCaught) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, [](PostView &v) { v.res_desc[0] = (v.res_desc[0] & ~0xFFFFu) | 8; }),
              ACRYPTO_E_DEVICE);
    EXPECT_EQ(chip(*h).stats().rover, 1u);
    // The crypt result word was never written (still poisoned): a device that does
    // this is broken, and says so.
    EXPECT_TRUE(h->broken());
    EXPECT_EQ(statv(*h, "hostile"), 1u);
}

// ---- Injected faults ------------------------------------------------------------

TEST(Faults, StallEndsInWatchdogResetAndEverySessionCompletesOnce) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::Stall);
    Batch b;
    b.add(*h, 40);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    int ok = b.check(*h);
    EXPECT_LT(ok, 40);
    EXPECT_GT(ok, 0) << "work not yet posted runs after the reset";
    for (auto &s : b.ss) {
        if (h->status_of(s->get()) != ACRYPTO_OK) {
            EXPECT_EQ(h->status_of(s->get()), ACRYPTO_E_TIMEOUT);
        }
    }
    EXPECT_EQ(statv(*h, "watchdog"), 1u);
    EXPECT_FALSE(h->broken());
    still_works(*h);
}

TEST(Faults, DmaErrorAbortsAndRecovers) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::DmaError);
    Batch b;
    b.add(*h, 20);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    EXPECT_LT(b.check(*h), 20);
    EXPECT_EQ(statv(*h, "aborts"), 1u);
    still_works(*h);
}

TEST(Faults, LostInterruptsDegradeToPolling) {
    // One command in flight at a time, so C_WAIT (the other safety net) stays off and
    // only the bounded wait finds the completions.
    auto h = open_model({{"ring-size", "2"}});
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::DropIrq, 1000000);
    Batch b;
    b.add(*h, 30);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    EXPECT_EQ(b.check(*h), 30);
    EXPECT_GT(chip(*h).stats().irqs_dropped, 0u);
    EXPECT_GT(statv(*h, "polled"), 0u);
}

TEST(Faults, SpuriousInterruptsAreCountedAndHarmless) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::SpuriousIrq, 5);
    for (int i = 0; i < 200 && statv(*h, "spurious_irqs") == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_GT(statv(*h, "spurious_irqs"), 0u);
    still_works(*h);
}

TEST(Faults, BadStatusFailsOneSessionOnly) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::BadStatus);
    Batch b;
    b.add(*h, 10);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    EXPECT_EQ(b.check(*h), 9);
    EXPECT_EQ(statv(*h, "dst_overrun"), 1u);
    EXPECT_FALSE(h->broken());
}

TEST(Faults, HostileResidualMarksTheDeviceBroken) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::Hostile);
    Batch b;
    b.add(*h, 30);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    EXPECT_LT(b.check(*h), 30);
    EXPECT_TRUE(h->broken());
    EXPECT_NE(h->broken_reason().find("impossible"), std::string::npos) << h->broken_reason();
    EXPECT_EQ(statv(*h, "hostile"), 1u);
}

TEST(Faults, DoubleClearedSlotIsCaughtNeverMisread) {
    auto h = open_model({{"ring-size", "8"}});
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::DoubleClear, 3);
    Batch b;
    b.add(*h, 60);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    b.check(*h); // whatever completed OK carries exactly the reference bytes
    EXPECT_EQ(h->duplicate_completions(), 0u);
}

TEST(Faults, SelfResetRecoversThroughTheWatchdog) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::SelfReset);
    Batch b;
    b.add(*h, 10);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    b.check(*h);
    EXPECT_GE(statv(*h, "watchdog"), 1u);
    still_works(*h);
}

TEST(Faults, ValidNeverClearedRecoversThroughTheWatchdog) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::ValidStuck);
    Batch b;
    b.add(*h, 10);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    b.check(*h);
    EXPECT_GE(statv(*h, "watchdog"), 1u);
    still_works(*h);
}

TEST(Faults, PowerCycleRelocksAndTheResetUnlocksAgain) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).power_cycle();
    Batch b;
    b.add(*h, 5);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    b.check(*h);
    EXPECT_EQ(chip(*h).stats().unlocks, 2u);
    EXPECT_EQ(chip(*h).enable_level(), 0x11u);
    still_works(*h);
}

TEST(Faults, EndlessStallsEndInBrokenWithEverySessionCompleted) {
    auto h = open_model({{"fault-stall-every", "1"}, {"max-resets", "2"}, {"watchdog-ms", "100"}});
    ASSERT_TRUE(h);
    Batch b;
    // Each round's work dies in a stall; the third reset in a row without any
    // completion gives up.
    for (int round = 0; round < 3; ++round) {
        b.add(*h, 4);
        ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    }
    EXPECT_EQ(b.check(*h), 0);
    EXPECT_TRUE(h->broken());
    EXPECT_EQ(statv(*h, "watchdog"), 3u);
}

TEST(Faults, CloseWithWorkInFlightCompletesEverything) {
    auto h = open_model({{"watchdog-ms", "60000"}});
    ASSERT_TRUE(h);
    chip(*h).inject(Fault::Stall);
    Batch b;
    b.add(*h, 20);
    for (int i = 0; i < 200 && h->pending() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    h->close(); // the harness fails the test unless every session completed exactly once
    EXPECT_EQ(h->duplicate_completions(), 0u);
    EXPECT_EQ(h->outstanding(), 0u);
}

// ---- Enable level and the context cache ----------------------------------------------

TEST(Errors, EnableLevelOneOffersDesOnlyAndRefusesAbove) {
    auto h = open_model({{"model-enable-level", "1"}});
    ASSERT_TRUE(h);
    EXPECT_EQ(driver(*h).enable_level(), 0x10u);
    for (uint32_t i = 0; i < h->desc().ncaps; ++i) {
        EXPECT_NE(h->desc().caps[i].alg, static_cast<uint32_t>(ACRYPTO_ALG_AES));
        EXPECT_NE(h->desc().caps[i].alg, static_cast<uint32_t>(ACRYPTO_ALG_DES_EDE3));
    }
    auto aes = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_ECB, ACRYPTO_DIR_ENCRYPT,
                           pattern_bytes(16, 1), {}, pattern_bytes(32, 2));
    EXPECT_EQ(h->run(*aes->get()), ACRYPTO_E_UNSUPPORTED);
    // A DES command turned into 3DES on the way (key 8 -> 24 bytes) is above level 1.
    DeviceTestPeer::set_post_hook(driver(*h), [](PostView &v) {
        v.cmd[8] = (v.cmd[8] & ~0x03) | 0x01;
        memmove(v.cmd + 16 + 24, v.cmd + 16 + 8, 8);
        v.cmd_len += 16;
    });
    auto des = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                           pattern_bytes(8, 1), pattern_bytes(8, 2), pattern_bytes(64, 3));
    EXPECT_EQ(h->run(*des->get()), ACRYPTO_E_DEVICE);
    DeviceTestPeer::set_post_hook(driver(*h), nullptr);
    EXPECT_EQ(chip(*h).stats().cmdinval, 1u);
    auto ok = make_cipher(ACRYPTO_ALG_DES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT,
                          pattern_bytes(8, 1), pattern_bytes(8, 2), pattern_bytes(64, 3));
    EXPECT_EQ(h->run(*ok->get()), ACRYPTO_OK);
}

namespace {
/// Drop NEW_KEY from an AES-128-CBC command: the chip must use its cached key.
void strip_key(PostView &v) {
    v.cmd[9] &= static_cast<uint8_t>(~(HIFN_CRYPT_CMD_NEW_KEY >> 8));
    memmove(v.cmd + 16, v.cmd + 32, 16);
    v.cmd_len -= 16;
}
} // namespace

TEST(Errors, ContextCacheSendsAKeyOnceAndAgainAfterReset) {
    auto h = open_model();
    ASSERT_TRUE(h);
    Bytes key = pattern_bytes(16, 1), iv = pattern_bytes(16, 2);
    auto first = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv,
                             pattern_bytes(64, 3));
    auto run_same_key = [&](uint64_t seed) {
        Bytes in = pattern_bytes(96, seed);
        auto s = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv, in);
        s->step().key = &first->keys[0]; // the same key context (same id) as `first`
        ASSERT_EQ(h->run(*s->get()), ACRYPTO_OK);
        EXPECT_EQ(s->output_bytes(),
                  acrypto::test::reference_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
                                                  ACRYPTO_DIR_ENCRYPT, key, iv, in));
    };
    ASSERT_EQ(h->run(*first->get()), ACRYPTO_OK);
    EXPECT_EQ(statv(*h, "key_sends"), 1u);
    run_same_key(10);
    run_same_key(11);
    EXPECT_EQ(statv(*h, "key_hits"), 2u) << "the chip's context held the key";
    // A reset forgets every context: the next command must carry the key again.
    chip(*h).inject(Fault::Stall);
    auto lost = make_cipher(ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC, ACRYPTO_DIR_ENCRYPT, key, iv,
                            pattern_bytes(64, 4));
    EXPECT_EQ(h->run(*lost->get()), ACRYPTO_E_TIMEOUT);
    run_same_key(12);
    EXPECT_EQ(statv(*h, "key_hits"), 2u);
    h->key_free(first->keys[0].id);
}

TEST(Errors, MissingCachedKeyIsCmdinval) {
    auto h = open_model();
    ASSERT_TRUE(h);
    EXPECT_EQ(run_hooked(*h, strip_key), ACRYPTO_E_DEVICE);
    EXPECT_EQ(chip(*h).stats().cmdinval, 1u);
}

TEST(Faults, VanishedDeviceIsBrokenAndItsSessionsComplete) {
    auto h = open_model();
    ASSERT_TRUE(h);
    chip(*h).unplug();
    Batch b;
    b.add(*h, 10);
    ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
    EXPECT_EQ(b.check(*h), 0);
    EXPECT_TRUE(h->broken());
    EXPECT_NE(h->broken_reason().find("all ones"), std::string::npos) << h->broken_reason();
}

TEST(Faults, EveryFaultKindFromConfigurationKeepsExactlyOnce) {
    // The plugin's fault keys, each firing every few commands: whatever happens,
    // every session completes exactly once and successful ones carry correct bytes.
    const char *keys[] = {"fault-bad-status-every",   "fault-dma-error-every",
                          "fault-drop-irq-every",     "fault-spurious-irq-every",
                          "fault-double-clear-every", "fault-self-reset-every"};
    for (const char *k : keys) {
        auto h = open_model({{k, "7"}, {"max-resets", "1000"}, {"watchdog-ms", "100"}});
        ASSERT_TRUE(h);
        Batch b;
        b.add(*h, 30, 512);
        ASSERT_TRUE(h->wait_all(std::chrono::seconds(30))) << k;
        b.check(*h);
        EXPECT_EQ(h->duplicate_completions(), 0u) << k;
        EXPECT_GT(chip(*h).stats().faults, 0u) << k;
    }
}

TEST(Faults, RandomResultRecordsNeverReachTheCaller) {
    // Many seeds of a device writing random result records: the driver must never
    // report success with wrong bytes, never complete twice, and end up broken.
    for (uint32_t seed = 1; seed <= 8; ++seed) {
        auto h = open_model({{"fault-garbage-every", "2"}, {"model-seed", std::to_string(seed)}});
        ASSERT_TRUE(h);
        Batch b;
        b.add(*h, 16, 128);
        ASSERT_TRUE(h->wait_all(std::chrono::seconds(20)));
        b.check(*h);
        EXPECT_EQ(h->duplicate_completions(), 0u);
        EXPECT_TRUE(h->broken()) << "seed " << seed;
    }
}
