// SPDX-License-Identifier: Apache-2.0
// Session, Key, Config and Result: pooling, arena, exactly-once finish, wipe.
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <thread>

#include "acrypto/sched/config.hpp"
#include "acrypto/sched/result.hpp"
#include "acrypto/sched/session.hpp"
#include "session_access.hpp"

namespace acrypto::sched {
namespace {

TEST(Result, StatusRoundTrip) {
    for (int st = 0; st >= ACRYPTO_E_BOUND; --st) {
        EXPECT_EQ(status_from_errc(errc_from_status(st)), st) << st;
    }
    EXPECT_EQ(errc_from_status(-1000), Errc::Internal);
    EXPECT_STREQ(errc_name(Errc::Busy), "busy");
    EXPECT_STREQ(errc_name(Errc::Bound), "bound");
    Result<int> r(Errc::Busy, "full");
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::Busy);
    Result<int> v(7);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(v.value(), 7);
}

TEST(Config, SetFindSectionView) {
    Config c{{"a", "1"}, {"dev.x", "2"}, {"dev.y", "3"}, {"devz", "4"}};
    c.set("a", "5");
    ASSERT_NE(c.find("a"), nullptr);
    EXPECT_EQ(*c.find("a"), "5");
    EXPECT_EQ(c.find("b"), nullptr);
    Config sec = c.section("dev");
    ASSERT_EQ(sec.items().size(), 2u);
    EXPECT_EQ(sec.items()[0].first, "x");
    EXPECT_EQ(sec.items()[1].second, "3");
    auto v = c.c_view();
    ASSERT_EQ(v.cfg.count, 4u);
    EXPECT_STREQ(v.cfg.items[2].key, "dev.y");
    EXPECT_STREQ(v.cfg.items[0].value, "5");
}

TEST(Session, MakeFillsCViewAndUniqueIds) {
    auto a = Session::make(3, 100);
    auto b = Session::make(1);
    EXPECT_EQ(a->c().nsteps, 3u);
    EXPECT_EQ(a->c().struct_size, sizeof(acrypto_session));
    EXPECT_EQ(a->c().steps, &a->step(0));
    EXPECT_NE(a->c().id, b->c().id);
    EXPECT_EQ(a->id(), a->c().id);
    EXPECT_FALSE(a->done());
    EXPECT_EQ(Session::make(9)->c().nsteps, ACRYPTO_MAX_STEPS);
}

TEST(Session, PooledReuseAndWipedOnRecycle) {
    Session *first;
    {
        auto s = Session::make(2, 256);
        first = s.get();
        uint8_t *p = s->alloc(64);
        std::memset(p, 0xee, 64);
        s->step(1).iv[0] = 0x77;
        s->set_priority(5);
        s->bind("x");
    }
    auto again = Session::make(1, 128);
    EXPECT_EQ(again.get(), first); // same thread: recycled, no heap churn
    EXPECT_EQ(again->step(1).iv[0], 0);
    EXPECT_EQ(again->c().priority, 0u);
    EXPECT_EQ(again->bound_device(), nullptr);
    uint8_t *p = again->alloc(64);
    for (int i = 0; i < 64; ++i) ASSERT_EQ(p[i], 0) << i;
}

TEST(Session, ArenaDeclaredPublicKeepsItsBytesStepsStillWiped) {
    Session *first;
    {
        auto s = Session::make(1, 256);
        first = s.get();
        std::memset(s->alloc(64), 0xc1, 64);
        s->step(0).iv[0] = 0x55;
        s->arena_holds_no_secret();
    }
    {
        auto again = Session::make(1, 128);
        ASSERT_EQ(again.get(), first);
        EXPECT_EQ(again->step(0).iv[0], 0); // steps are wiped regardless
        uint8_t *p = again->alloc(64);
        EXPECT_EQ(p[0], 0xc1); // the declared-public arena was left as it was
        std::memset(p, 0xd2, 64);
    }
    // The declaration lasted one life: the next recycle wipes again.
    auto third = Session::make(1, 128);
    ASSERT_EQ(third.get(), first);
    uint8_t *p = third->alloc(64);
    for (int i = 0; i < 64; ++i) ASSERT_EQ(p[i], 0) << i;
}

TEST(Session, ArenaAlignedAndGrows) {
    auto s = Session::make(1, 100);
    uint8_t *a = s->alloc(10);
    uint8_t *b = s->alloc(10);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a) % 64, 0u);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b) % 64, 0u);
    EXPECT_NE(a, b);
    uint8_t *big = s->alloc(1 << 20); // beyond the arena: an overflow chunk
    ASSERT_NE(big, nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(big) % 64, 0u);
    std::memset(big, 1, 1 << 20);
    std::memset(a, 2, 10); // earlier allocations stay valid
}

TEST(Session, FinishOnceRunsDoneFnOnce) {
    auto s = Session::make(1);
    int calls = 0;
    s->set_done(
        [](void *arg, Session &x) {
            EXPECT_TRUE(x.done());
            ++*static_cast<int *>(arg);
        },
        &calls);
    EXPECT_TRUE(s->finish(ACRYPTO_E_VERIFY, 0, "dev"));
    EXPECT_FALSE(s->finish(ACRYPTO_OK, 0, "other"));
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(s->done());
    EXPECT_EQ(s->status(), ACRYPTO_E_VERIFY);
    EXPECT_STREQ(s->last_device(), "dev");
    s->rearm();
    EXPECT_FALSE(s->done());
    EXPECT_TRUE(s->finish(ACRYPTO_OK, 0, nullptr));
    EXPECT_EQ(calls, 2);
}

TEST(Session, WaitWakesOnFinishFromAnotherThread) {
    auto s = Session::make(1);
    EXPECT_FALSE(s->wait_for(std::chrono::milliseconds(1)));
    std::thread t([&] { s->finish(ACRYPTO_OK, 0, nullptr); });
    s->wait();
    EXPECT_TRUE(s->done());
    t.join();
    EXPECT_TRUE(s->wait_for(std::chrono::seconds(0)));
}

TEST(Session, ManyWaitersAllWake) {
    auto s = Session::make(1);
    std::atomic<int> woke{0};
    std::vector<std::thread> ts;
    for (int i = 0; i < 4; ++i)
        ts.emplace_back([&] {
            if (s->wait_for(std::chrono::seconds(30))) woke.fetch_add(1);
        });
    s->finish(ACRYPTO_OK, 0, nullptr);
    for (auto &t : ts) t.join();
    EXPECT_EQ(woke.load(), 4);
}

TEST(Session, RecycledAcrossThreads) {
    // Sessions freed on another thread go back to a pool (no leak, no crash).
    std::vector<Ref<Session>> v;
    for (int i = 0; i < 600; ++i) v.push_back(Session::make(1, 64));
    std::set<Session *> freed;
    for (auto &s : v) freed.insert(s.get());
    std::thread t([&] { v.clear(); }); // spills batches, then its cache at exit
    t.join();
    // Keep the sessions alive so each make() takes a new one.
    size_t reused = 0;
    for (int i = 0; i < 1200; ++i) {
        v.push_back(Session::make(1, 64));
        reused += freed.count(v.back().get());
    }
    EXPECT_EQ(reused, 600u); // every session freed elsewhere came back
    for (auto &s : v) EXPECT_FALSE(s->done());
}

std::vector<uint8_t> *g_wiped;
void record_wipe(const uint8_t *p, size_t n) { g_wiped->assign(p, p + n); }

TEST(Key, CopiedUniqueAndWiped) {
    std::vector<uint8_t> wiped;
    g_wiped = &wiped;
    detail::g_key_wipe_observer.store(record_wipe);
    uint8_t raw[24];
    for (int i = 0; i < 24; ++i) raw[i] = static_cast<uint8_t>(0xa0 + i);
    uint64_t id1, id2;
    {
        auto k1 = Key::make(nullptr, ACRYPTO_ALG_AES, raw, 24);
        auto k2 = Key::make(nullptr, ACRYPTO_ALG_AES, raw, 16);
        id1 = k1->c().id;
        id2 = k2->c().id;
        EXPECT_NE(id1, id2);
        EXPECT_NE(k1->c().data, raw);
        EXPECT_EQ(std::memcmp(k1->c().data, raw, 24), 0);
        EXPECT_EQ(k1->c().len, 24u);
        EXPECT_EQ(k1->c().alg, static_cast<uint32_t>(ACRYPTO_ALG_AES));
        raw[0] = 0; // the key is a copy
        EXPECT_EQ(k1->c().data[0], 0xa0);
        k2.reset();
        ASSERT_EQ(wiped.size(), 16u);
        for (auto b : wiped) EXPECT_EQ(b, 0);
        wiped.clear();
        auto s = Session::make(1);
        s->set_key(0, k1);
        EXPECT_EQ(s->step(0).key, &k1->c());
        k1.reset();
        EXPECT_TRUE(wiped.empty()); // the session still holds it
    }
    ASSERT_EQ(wiped.size(), 24u);
    for (auto b : wiped) EXPECT_EQ(b, 0);
    auto k3 = Key::make(nullptr, ACRYPTO_ALG_AES, raw, 16);
    EXPECT_GT(k3->c().id, id2); // never reused
    detail::g_key_wipe_observer.store(nullptr);
}

} // namespace
} // namespace acrypto::sched

#include <sys/wait.h>
#include <unistd.h>

namespace acrypto::sched {
namespace {

TEST(Session, PoolUsableInAForkedChild) {
#if defined(__SANITIZE_ADDRESS__)
    // gcc 12's ASan allocator takes no lock across fork(): a child forked while the churn
    // thread allocates can block forever in its first malloc (seen in CI). Plain and TSan
    // builds run it.
    GTEST_SKIP() << "fork under allocation churn deadlocks inside the ASan runtime";
#endif
    // Another thread keeps the shared pool busy while we fork.
    std::atomic<bool> stop{false};
    std::thread churn([&] {
        while (!stop.load()) {
            std::vector<Ref<Session>> v;
            for (int i = 0; i < 300; ++i) v.push_back(Session::make(1));
        }
    });
    for (int round = 0; round < 20; ++round) {
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            std::vector<Ref<Session>> v;
            for (int i = 0; i < 600; ++i) v.push_back(Session::make(1, 64));
            v.clear();
            _exit(0);
        }
        int st = 0;
        ASSERT_EQ(waitpid(pid, &st, 0), pid);
        ASSERT_TRUE(WIFEXITED(st));
        EXPECT_EQ(WEXITSTATUS(st), 0);
    }
    stop = true;
    churn.join();
}

} // namespace
} // namespace acrypto::sched
