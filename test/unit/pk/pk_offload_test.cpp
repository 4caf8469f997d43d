// SPDX-License-Identifier: Apache-2.0
// Public-key placement (inline or offloaded) from injected measurements, and X25519/X448
// keys imported with their public key: results against the default provider.
#include <gtest/gtest.h>

#include <openssl/async.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "busy_cpu.hpp"
#include "pk/pk_common.hpp"
#include "pk_env.hpp"

namespace acrypto::test::pk {
namespace {

using acrypto::prov::pk::pk_place;
using acrypto::prov::pk::PkPlace;
using acrypto::prov::pk::PkPlaceInputs;

PkPlaceInputs inputs(uint32_t cost, uint32_t pause, uint32_t in_flight, uint32_t depth,
                     bool overlaps = true) {
    PkPlaceInputs in;
    in.overlaps = overlaps;
    in.cost_ns = cost;
    in.pause_ns = pause;
    in.min_ns = 100000;
    in.in_flight = in_flight;
    in.depth = depth;
    return in;
}

TEST(PkPlace, UnmeasuredRunsInlineToBeMeasured) {
    EXPECT_EQ(pk_place(inputs(0, 1000, 0, 2)), PkPlace::Inline);
}

TEST(PkPlace, ExpensiveOffloadedWhileTheDevicesHaveRoom) {
    // RSA-2048 sign: offloaded whatever the caller's pause cost...
    EXPECT_EQ(pk_place(inputs(700000, 0, 0, 2)), PkPlace::Offload);
    EXPECT_EQ(pk_place(inputs(700000, 90000, 1, 2)), PkPlace::Offload);
    // ...until the devices hold `depth`: then the caller's core runs it.
    EXPECT_EQ(pk_place(inputs(700000, 90000, 2, 2)), PkPlace::Inline);
    EXPECT_EQ(pk_place(inputs(700000, 3000, 5, 2)), PkPlace::Inline);
    // Depth 0 (cheap work kept inline) still offloads one expensive operation.
    EXPECT_EQ(pk_place(inputs(700000, 3000, 0, 0)), PkPlace::Offload);
    EXPECT_EQ(pk_place(inputs(700000, 3000, 1, 0)), PkPlace::Inline);
}

TEST(PkPlace, CheapOffloadedWhileADeviceHasRoomAndAPauseIsCheap) {
    // ECDSA P-256 sign (25 us) from a caller whose pause costs 3 us.
    EXPECT_EQ(pk_place(inputs(25000, 3000, 0, 2)), PkPlace::Offload);
    EXPECT_EQ(pk_place(inputs(25000, 3000, 1, 2)), PkPlace::Offload);
    // Devices busy: the caller runs it itself instead of queueing behind them.
    EXPECT_EQ(pk_place(inputs(25000, 3000, 2, 2)), PkPlace::Inline);
    EXPECT_EQ(pk_place(inputs(25000, 3000, 7, 2)), PkPlace::Inline);
}

TEST(PkPlace, ExpensivePauseKeepsCheapWorkInline) {
    // An event loop that re-enters the handshake on resume: a pause costs more
    // than half the signature, so it stays inline (probed now and then).
    EXPECT_EQ(pk_place(inputs(25000, 12501, 0, 2)), PkPlace::Probe);
    EXPECT_EQ(pk_place(inputs(25000, 60000, 0, 2)), PkPlace::Probe);
    EXPECT_EQ(pk_place(inputs(25000, 12500, 0, 2)), PkPlace::Offload);
    // Unknown pause cost: measured by a probe.
    EXPECT_EQ(pk_place(inputs(25000, 0, 0, 2)), PkPlace::Probe);
    EXPECT_EQ(pk_place(inputs(25000, 0, 2, 2)), PkPlace::Inline);
}

TEST(PkPlace, CallerWithNothingElseToDoKeepsCheapWorkInline) {
    // One job or one connection: a pause is cheap but the thread only waits, so
    // offloading would add the device's wake-up to the operation's latency.
    EXPECT_EQ(pk_place(inputs(25000, 3000, 0, 2, false)), PkPlace::Probe);
    EXPECT_EQ(pk_place(inputs(700000, 3000, 0, 2, false)), PkPlace::Offload);
}

TEST(PkPlace, StarvedWorkersTurnOffloadsIntoStarvedProbes) {
    // Where the rule would offload, starved workers (every core busy) make it Starved:
    // inline, but for an offload now and then that measures the workers again.
    auto starved = [](PkPlaceInputs in) {
        in.starved = true;
        return pk_place(in);
    };
    EXPECT_EQ(starved(inputs(700000, 0, 0, 2)), PkPlace::Starved);
    EXPECT_EQ(starved(inputs(25000, 3000, 1, 2)), PkPlace::Starved);
    // What would not be offloaded stays as it was: no more offloads for starved workers.
    EXPECT_EQ(starved(inputs(0, 1000, 0, 2)), PkPlace::Inline);
    EXPECT_EQ(starved(inputs(700000, 3000, 2, 2)), PkPlace::Inline);
    EXPECT_EQ(starved(inputs(25000, 60000, 0, 2)), PkPlace::Probe);
    EXPECT_EQ(starved(inputs(25000, 3000, 0, 2, false)), PkPlace::Probe);
}

/// "submitted=" of the acrypto scheduler's statistics.
long long submitted() { return stat_value("submitted"); }

struct SignJob {
    EVP_PKEY_CTX *ctx;
    const Bytes *tbs;
    Bytes *sig;
};

int sign_in_job(void *arg) {
    auto *j = *static_cast<SignJob **>(arg);
    size_t len = j->sig->size();
    const int ok = EVP_PKEY_sign(j->ctx, j->sig->data(), &len, j->tbs->data(), j->tbs->size());
    j->sig->resize(len);
    return ok;
}

/// One ECDSA P-256 signature inside an ASYNC job with a wait ctx; pauses counted.
int sign_paused(EVP_PKEY_CTX *ctx, const Bytes &tbs, Bytes &sig, int &pauses) {
    ASYNC_WAIT_CTX *w = ASYNC_WAIT_CTX_new();
    ASYNC_JOB *job = nullptr;
    SignJob sj{ctx, &tbs, &sig};
    SignJob *arg = &sj;
    int ret = 0;
    pauses = 0;
    for (;;) {
        const int r = ASYNC_start_job(&job, w, &ret, sign_in_job, &arg, sizeof arg);
        if (r != ASYNC_PAUSE) break;
        ++pauses;
    }
    ASYNC_WAIT_CTX_free(w);
    return ret;
}

/// The cost-model step of an ECDSA P-256 signature (as run_pk keys its measurements).
void inject_p256_sign_cost(uint32_t ns) {
    acrypto_key k{};
    k.alg = ACRYPTO_ALG_EC;
    k.curve_nid = NID_X9_62_prime256v1;
    acrypto_step st{};
    st.op = ACRYPTO_OP_PKEY;
    st.alg = ACRYPTO_ALG_EC;
    st.mode = ACRYPTO_MODE_PK_SIGN;
    st.key = &k;
    acrypto::prov::pk::pk_test_set_cost(st, ns);
    EXPECT_EQ(acrypto::prov::pk::pk_cost_estimate_ns(st), ns);
}

class PkPlaceInJob : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(env().loaded()) << env().load_error();
        ASSERT_EQ(ASYNC_init_thread(4, 0), 1);
        key_ = keygen(kDefault, "EC", "P-256");
        ASSERT_NE(key_, nullptr);
        ctx_ = EVP_PKEY_CTX_new_from_pkey(env().ctx(), key_, kAcrypto);
        ASSERT_NE(ctx_, nullptr);
        ASSERT_EQ(EVP_PKEY_sign_init(ctx_), 1) << drain_errors();
        ASSERT_EQ(op_provider(ctx_), "acrypto");
        tbs_ = random_bytes(32);
        acrypto::prov::pk::pk_test_set_depth(2);
    }
    void TearDown() override {
        acrypto::prov::pk::pk_test_set_starved(-1);
        acrypto::prov::pk::pk_test_set_depth(0);
        acrypto::prov::pk::pk_test_set_pause_ns(0);
        EVP_PKEY_CTX_free(ctx_);
        EVP_PKEY_free(key_);
        ASYNC_cleanup_thread();
    }

    /// Sign in a job; the signature must verify with the default provider.
    void sign_checked(int &pauses) {
        Bytes sig(80);
        ASSERT_EQ(sign_paused(ctx_, tbs_, sig, pauses), 1) << drain_errors();
        EVP_PKEY_CTX *v = EVP_PKEY_CTX_new_from_pkey(env().ctx(), key_, kDefault);
        ASSERT_EQ(EVP_PKEY_verify_init(v), 1);
        EXPECT_EQ(EVP_PKEY_verify(v, sig.data(), sig.size(), tbs_.data(), tbs_.size()), 1);
        EVP_PKEY_CTX_free(v);
    }

    /// With the one device slot taken, a sign of `cost_ns` runs on the caller (no
    /// submission, no pause); with the slot free again, cost_ns >= 100 us or a cheap
    /// pause offloads it.
    void expect_inline_while_full_then_offloaded(uint32_t cost_ns) {
        acrypto::prov::pk::pk_test_set_depth(1);
        acrypto::prov::pk::pk_test_add_in_flight(1); // the one worker is busy
        inject_p256_sign_cost(cost_ns);
        acrypto::prov::pk::pk_test_set_pause_ns(3000);
        const long long before = submitted();
        int pauses = 0;
        sign_checked(pauses);
        EXPECT_EQ(submitted(), before);
        EXPECT_EQ(pauses, 0);
        acrypto::prov::pk::pk_test_add_in_flight(-1);
        // Room again: offloaded.
        inject_p256_sign_cost(cost_ns);
        acrypto::prov::pk::pk_test_set_pause_ns(3000);
        sign_checked(pauses);
        EXPECT_EQ(submitted(), before + 1);
        EXPECT_GE(pauses, 1);
    }

    EVP_PKEY *key_ = nullptr;
    EVP_PKEY_CTX *ctx_ = nullptr;
    Bytes tbs_;
};

TEST_F(PkPlaceInJob, CheapPauseOffloads) {
    for (int i = 0; i < 3; ++i) {
        inject_p256_sign_cost(25000);
        acrypto::prov::pk::pk_test_set_pause_ns(3000);
        const long long before = submitted();
        int pauses = 0;
        sign_checked(pauses);
        EXPECT_EQ(submitted(), before + 1);
        EXPECT_GE(pauses, 1);
        EXPECT_EQ(acrypto::prov::pk::pk_in_flight(), 0u);
        // The offload measured this thread's pause cost again.
        EXPECT_NE(acrypto::prov::pk::pk_pause_estimate_ns(), 3000u);
    }
}

TEST_F(PkPlaceInJob, ExpensivePauseStaysInline) {
    for (int i = 0; i < 3; ++i) {
        inject_p256_sign_cost(25000);
        acrypto::prov::pk::pk_test_set_pause_ns(60000);
        const long long before = submitted();
        int pauses = 0;
        sign_checked(pauses);
        EXPECT_EQ(submitted(), before);
        EXPECT_EQ(pauses, 0);
        EXPECT_EQ(acrypto::prov::pk::pk_pause_estimate_ns(), 60000u);
    }
}

TEST_F(PkPlaceInJob, LoneCallerStaysInline) {
    inject_p256_sign_cost(25000);
    acrypto::prov::pk::pk_test_set_pause_ns(3000, false);
    const long long before = submitted();
    int pauses = 0;
    sign_checked(pauses);
    EXPECT_EQ(submitted(), before);
    EXPECT_EQ(pauses, 0);
}

TEST_F(PkPlaceInJob, ExpensiveOperationOffloadsWhateverThePause) {
    inject_p256_sign_cost(150000);
    acrypto::prov::pk::pk_test_set_pause_ns(60000);
    const long long before = submitted();
    int pauses = 0;
    sign_checked(pauses);
    EXPECT_EQ(submitted(), before + 1);
    EXPECT_GE(pauses, 1);
}

TEST_F(PkPlaceInJob, ExpensiveOperationRunsOnTheCallerWhenTheDevicesAreFull) {
    expect_inline_while_full_then_offloaded(150000);
}

TEST_F(PkPlaceInJob, NoRoomOnTheDevicesStaysInline) {
    expect_inline_while_full_then_offloaded(25000);
}

TEST_F(PkPlaceInJob, StarvedWorkersLeaveExpensiveOperationsOnTheCaller) {
    // An operation offloaded whatever the pause (past the offload minimum) stays on the
    // caller while the workers are starved, but for one probe in 32.
    acrypto::prov::pk::pk_test_set_starved(1);
    const long long before = submitted(), inl = stat_value("pk.starved-inline");
    ASSERT_GE(inl, 0) << "no pk.starved-inline statistic";
    constexpr int kOps = 40;
    int paused_ops = 0;
    for (int i = 0; i < kOps; ++i) {
        inject_p256_sign_cost(150000);
        int pauses = 0;
        sign_checked(pauses);
        if (pauses > 0) ++paused_ops;
    }
    const long long offloaded = submitted() - before;
    EXPECT_GE(offloaded, 1) << "no probe measured the workers again";
    EXPECT_LE(offloaded, 2);
    EXPECT_EQ(paused_ops, offloaded);
    EXPECT_EQ(stat_value("pk.starved-inline") - inl, kOps - offloaded);
    // Workers with a free core again: offloaded.
    acrypto::prov::pk::pk_test_set_starved(0);
    inject_p256_sign_cost(150000);
    int pauses = 0;
    sign_checked(pauses);
    EXPECT_EQ(submitted(), before + offloaded + 1);
    EXPECT_GE(pauses, 1);
}

using acrypto::test::OneBusyCpu;

TEST(PkStarved, WorkersWithoutACpuLeaveSignaturesOnTheCaller) {
    // The real measurement: the cpu device's worker shares one CPU with the caller and two
    // spinning threads, so it waits in the run queue. RSA-2048 signatures in ASYNC jobs
    // start offloaded (about 1 ms each, past the offload minimum); once the workers'
    // wait is measured, they stay on the caller, each still correct.
    ASSERT_TRUE(env().loaded()) << env().load_error();
    ASSERT_EQ(ASYNC_init_thread(4, 0), 1);
    EVP_PKEY *key = keygen(kDefault, "RSA", "2048");
    ASSERT_NE(key, nullptr);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(env().ctx(), key, kAcrypto);
    ASSERT_NE(ctx, nullptr);
    ASSERT_EQ(EVP_PKEY_sign_init(ctx), 1) << drain_errors();
    const Bytes tbs = random_bytes(32);
    const long long kept_before = stat_value("pk.starved-inline");
    ASSERT_GE(kept_before, 0);
    long long kept = kept_before, paused = 0;
    {
        OneBusyCpu busy;
        ASSERT_GE(busy.pinned(), 2u) << "could not pin the process's threads";
        const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (kept == kept_before && std::chrono::steady_clock::now() < end) {
            for (int i = 0; i < 8; ++i) {
                Bytes sig(256);
                int pauses = 0;
                ASSERT_EQ(sign_paused(ctx, tbs, sig, pauses), 1) << drain_errors();
                if (pauses > 0) ++paused;
                EVP_PKEY_CTX *v = EVP_PKEY_CTX_new_from_pkey(env().ctx(), key, kDefault);
                ASSERT_EQ(EVP_PKEY_verify_init(v), 1);
                EXPECT_EQ(EVP_PKEY_verify(v, sig.data(), sig.size(), tbs.data(), tbs.size()), 1);
                EVP_PKEY_CTX_free(v);
            }
            kept = stat_value("pk.starved-inline");
        }
    }
    EXPECT_GT(paused, 0) << "no signature was offloaded to be measured";
    EXPECT_GT(kept, kept_before) << "starved workers still got every signature";
    EXPECT_GE(stat_value("worker-wait-permille"), 250);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    ASYNC_cleanup_thread();
}

// ---- digest names ----------------------------------------------------------------

// libssl names a signature's digest by EVP_MD_get0_name ("SHA2-256"): every such name is
// known from the table, without a fetch (a library context holding only the null
// provider could not fetch it).
TEST(DigestNames, TheNamesLibcryptoGivesNeedNoFetch) {
    using acrypto::prov::pk::digest_alg;
    OSSL_LIB_CTX *none = OSSL_LIB_CTX_new();
    ASSERT_NE(none, nullptr);
    OSSL_PROVIDER *null_prov = OSSL_PROVIDER_load(none, "null");
    ASSERT_NE(null_prov, nullptr);
    const std::pair<const char *, uint32_t> digests[] = {
        {"SHA1", ACRYPTO_ALG_SHA1},     {"SHA224", ACRYPTO_ALG_SHA224},
        {"SHA256", ACRYPTO_ALG_SHA256}, {"SHA384", ACRYPTO_ALG_SHA384},
        {"SHA512", ACRYPTO_ALG_SHA512}, {"MD5", ACRYPTO_ALG_MD5}};
    for (const auto &[name, alg] : digests) {
        EVP_MD *md = EVP_MD_fetch(env().ctx(), name, kDefault);
        ASSERT_NE(md, nullptr) << name;
        EXPECT_EQ(digest_alg(none, EVP_MD_get0_name(md)), alg) << EVP_MD_get0_name(md);
        EXPECT_EQ(digest_alg(none, name), alg) << name;
        EVP_MD_free(md);
    }
    EXPECT_EQ(digest_alg(none, "SHA-256"), uint32_t{ACRYPTO_ALG_SHA256});
    EXPECT_EQ(digest_alg(none, "sha2-384"), uint32_t{ACRYPTO_ALG_SHA384});
    EXPECT_EQ(digest_alg(none, "SHA3-256"), uint32_t{ACRYPTO_ALG_NONE});
    OSSL_PROVIDER_unload(null_prov);
    OSSL_LIB_CTX_free(none);
}

// ---- X25519 / X448 keys carrying their public key ---------------------------------

/// Shared secret of `priv` with `peer` through `propq`.
Bytes derive(EVP_PKEY *priv, EVP_PKEY *peer, const char *propq) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(env().ctx(), priv, propq);
    Bytes out;
    size_t len = 0;
    if (c != nullptr && EVP_PKEY_derive_init(c) == 1 && EVP_PKEY_derive_set_peer(c, peer) == 1 &&
        EVP_PKEY_derive(c, nullptr, &len) == 1) {
        out.resize(len);
        if (EVP_PKEY_derive(c, out.data(), &len) != 1) out.clear();
    }
    EVP_PKEY_CTX_free(c);
    return out;
}

Bytes raw(EVP_PKEY *k, bool priv) {
    size_t n = 0;
    Bytes b;
    if ((priv ? EVP_PKEY_get_raw_private_key(k, nullptr, &n)
              : EVP_PKEY_get_raw_public_key(k, nullptr, &n)) != 1)
        return b;
    b.resize(n);
    if ((priv ? EVP_PKEY_get_raw_private_key(k, b.data(), &n)
              : EVP_PKEY_get_raw_public_key(k, b.data(), &n)) != 1)
        b.clear();
    return b;
}

/// A key of `type` imported through `propq` from raw private (and maybe public) bytes.
EVP_PKEY *import(const char *type, const char *propq, const Bytes &priv, const Bytes *pub) {
    Bytes p = priv, q = pub != nullptr ? *pub : Bytes{};
    OSSL_PARAM params[3];
    size_t i = 0;
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, p.data(), p.size());
    if (pub != nullptr)
        params[i++] =
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, q.data(), q.size());
    params[i] = OSSL_PARAM_construct_end();
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(env().ctx(), type, propq);
    EVP_PKEY *k = nullptr;
    if (c == nullptr || EVP_PKEY_fromdata_init(c) != 1 ||
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_KEYPAIR, params) != 1)
        k = nullptr;
    EVP_PKEY_CTX_free(c);
    return k;
}

class EcxImport : public ::testing::TestWithParam<const char *> {};

TEST_P(EcxImport, GeneratedKeyMatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const char *type = GetParam();
    // Generated by the device: it hands back the private key with its public key.
    EVP_PKEY *a = keygen(kAcrypto, type);
    EVP_PKEY *b = keygen(kDefault, type);
    ASSERT_TRUE(a != nullptr && b != nullptr) << drain_errors();
    const Bytes apriv = raw(a, true), apub = raw(a, false);
    ASSERT_FALSE(apriv.empty());
    // The public key the device kept is the one the default provider computes.
    EVP_PKEY *ad = import(type, kDefault, apriv, nullptr);
    ASSERT_NE(ad, nullptr);
    EXPECT_EQ(raw(ad, false), apub);
    const Bytes s1 = derive(a, b, kAcrypto), s2 = derive(ad, b, kDefault),
                s3 = derive(b, ad, kDefault);
    ASSERT_FALSE(s1.empty()) << drain_errors();
    EXPECT_EQ(s1, s2);
    EXPECT_EQ(s1, s3);
    // Derived many times (device caches), still the same secret.
    for (int i = 0; i < 3; ++i) EXPECT_EQ(derive(a, b, kAcrypto), s1);
    EVP_PKEY_free(a);
    EVP_PKEY_free(b);
    EVP_PKEY_free(ad);
}

TEST_P(EcxImport, ImportedWithAndWithoutPublicKeyMatchesDefault) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const char *type = GetParam();
    EVP_PKEY *ref = keygen(kDefault, type), *peer = keygen(kDefault, type);
    ASSERT_TRUE(ref != nullptr && peer != nullptr);
    const Bytes priv = raw(ref, true), pub = raw(ref, false);
    const Bytes want = derive(ref, peer, kDefault);
    ASSERT_FALSE(want.empty());
    EVP_PKEY *with_pub = import(type, kAcrypto, priv, &pub);
    EVP_PKEY *without = import(type, kAcrypto, priv, nullptr);
    ASSERT_TRUE(with_pub != nullptr && without != nullptr) << drain_errors();
    EXPECT_EQ(raw(with_pub, false), pub);
    EXPECT_EQ(raw(without, false), pub);
    EXPECT_EQ(derive(with_pub, peer, kAcrypto), want) << drain_errors();
    EXPECT_EQ(derive(without, peer, kAcrypto), want) << drain_errors();
    EXPECT_EQ(derive(peer, with_pub, kAcrypto), derive(peer, ref, kDefault));
    EVP_PKEY_free(ref);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(with_pub);
    EVP_PKEY_free(without);
}

/// A public key of `type` imported through `propq`.
EVP_PKEY *import_public(const char *type, const char *propq, const Bytes &pub) {
    Bytes q = pub;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, q.data(), q.size()),
        OSSL_PARAM_construct_end()};
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(env().ctx(), type, propq);
    EVP_PKEY *k = nullptr;
    if (c == nullptr || EVP_PKEY_fromdata_init(c) != 1 ||
        EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params) != 1)
        k = nullptr;
    EVP_PKEY_CTX_free(c);
    return k;
}

/// Results of the five key checks of `k` (through `propq`), as a string like "11011".
std::string checks(EVP_PKEY *k, const char *propq) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(env().ctx(), k, propq);
    if (c == nullptr) return "no context";
    std::string r;
    r += EVP_PKEY_public_check(c) == 1 ? '1' : '0';
    r += EVP_PKEY_public_check_quick(c) == 1 ? '1' : '0';
    r += EVP_PKEY_private_check(c) == 1 ? '1' : '0';
    r += EVP_PKEY_pairwise_check(c) == 1 ? '1' : '0';
    r += EVP_PKEY_check(c) == 1 ? '1' : '0';
    EVP_PKEY_CTX_free(c);
    return r;
}

TEST_P(EcxImport, KeyChecksAnswerAsTheDefaultProviderDoes) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const char *type = GetParam();
    EVP_PKEY *ref = keygen(kDefault, type), *other = keygen(kDefault, type);
    ASSERT_TRUE(ref != nullptr && other != nullptr);
    const Bytes priv = raw(ref, true), pub = raw(ref, false), wrong = raw(other, false);
    // A pair, a public key alone, and a private key with another key's public key.
    const Bytes *pubs[] = {&pub, nullptr, &wrong};
    for (int i = 0; i < 3; ++i) {
        EVP_PKEY *a = nullptr, *d = nullptr;
        if (i == 1) {
            a = import_public(type, kAcrypto, pub);
            d = import_public(type, kDefault, pub);
        } else {
            a = import(type, kAcrypto, priv, pubs[i]);
            d = import(type, kDefault, priv, pubs[i]);
        }
        ASSERT_TRUE(a != nullptr && d != nullptr) << i << drain_errors();
        const std::string want = checks(d, kDefault);
        EXPECT_EQ(checks(a, kAcrypto), want) << "key " << i;
        EXPECT_EQ(want, i == 0 ? "11111" : i == 1 ? "11000" : "11100") << "key " << i;
        EVP_PKEY_free(a);
        EVP_PKEY_free(d);
    }
    drain_errors();
    EVP_PKEY_free(ref);
    EVP_PKEY_free(other);
}

/// A key of `type` without values made through `propq`, then given `pub` as its encoded
/// public key: what libssl does with a peer's key share.
EVP_PKEY *peer_share(const char *type, const char *propq, const Bytes &pub) {
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(env().ctx(), type, propq);
    EVP_PKEY *k = nullptr;
    if (c == nullptr || EVP_PKEY_paramgen_init(c) != 1 || EVP_PKEY_paramgen(c, &k) != 1 ||
        EVP_PKEY_set1_encoded_public_key(k, pub.data(), pub.size()) != 1) {
        EVP_PKEY_free(k);
        k = nullptr;
    }
    EVP_PKEY_CTX_free(c);
    return k;
}

/// Sizes and the encoded public key, as libcrypto reports them.
std::string describe(EVP_PKEY *k) {
    unsigned char *enc = nullptr;
    const size_t n = EVP_PKEY_get1_encoded_public_key(k, &enc);
    std::string s = std::to_string(EVP_PKEY_get_bits(k)) + "/" +
                    std::to_string(EVP_PKEY_get_security_bits(k)) + "/" +
                    std::to_string(EVP_PKEY_get_size(k)) + "/" + std::to_string(n) + ":";
    for (size_t i = 0; i < n; ++i) s += std::to_string(enc[i]) + ",";
    OPENSSL_free(enc);
    return s;
}

// Generated keys and peers' key shares are held raw until something needs more
// (key_data.hpp): every question asked of them answers as the default provider does.
TEST_P(EcxImport, KeysHeldRawAnswerLikeTheDefaultProvider) {
    ASSERT_TRUE(env().loaded()) << env().load_error();
    const char *type = GetParam();
    EVP_PKEY *gen = keygen(kAcrypto, type), *other = keygen(kDefault, type);
    ASSERT_TRUE(gen != nullptr && other != nullptr) << drain_errors();
    const Bytes priv = raw(gen, true), pub = raw(gen, false), other_pub = raw(other, false);
    ASSERT_FALSE(priv.empty());
    EVP_PKEY *ref = import(type, kDefault, priv, nullptr);
    ASSERT_NE(ref, nullptr);
    EXPECT_EQ(pub, raw(ref, false));
    EXPECT_EQ(describe(gen), describe(ref));
    EXPECT_EQ(EVP_PKEY_eq(gen, ref), 1);
    EXPECT_EQ(EVP_PKEY_eq(gen, other), 0);
    // A copy keeps both keys; the secret with a peer is the default provider's.
    EVP_PKEY *copy = EVP_PKEY_dup(gen);
    ASSERT_NE(copy, nullptr) << drain_errors();
    EXPECT_EQ(raw(copy, true), priv);
    EXPECT_EQ(derive(copy, other, kAcrypto), derive(ref, other, kDefault));

    // The peer's share, set on an empty key, then checked and derived with.
    EVP_PKEY *share = peer_share(type, kAcrypto, other_pub);
    EVP_PKEY *share_ref = peer_share(type, kDefault, other_pub);
    ASSERT_TRUE(share != nullptr && share_ref != nullptr) << drain_errors();
    EXPECT_EQ(describe(share), describe(share_ref));
    EXPECT_EQ(checks(share, kAcrypto), checks(share_ref, kDefault));
    EXPECT_EQ(raw(share, false), other_pub);
    EXPECT_TRUE(raw(share, true).empty());
    const Bytes want = derive(ref, share_ref, kDefault);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(derive(gen, share, kAcrypto), want) << drain_errors();
    EXPECT_EQ(EVP_PKEY_eq(share, other), 1);
    EVP_PKEY *share_copy = EVP_PKEY_dup(share);
    ASSERT_NE(share_copy, nullptr);
    EXPECT_EQ(raw(share_copy, false), other_pub);
    // A share of the wrong length is refused, as the default provider refuses it.
    Bytes short_pub(other_pub.begin(), other_pub.end() - 1);
    EXPECT_EQ(peer_share(type, kAcrypto, short_pub), nullptr);
    EXPECT_EQ(peer_share(type, kDefault, short_pub), nullptr);
    drain_errors();
    for (EVP_PKEY *k : {gen, other, ref, copy, share, share_ref, share_copy}) EVP_PKEY_free(k);
}

INSTANTIATE_TEST_SUITE_P(Curves, EcxImport, ::testing::Values("X25519", "X448"));

} // namespace
} // namespace acrypto::test::pk
