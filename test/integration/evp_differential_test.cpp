// SPDX-License-Identifier: Apache-2.0
// Random differential checks: provider=acrypto against the default provider, odd update sizes.
#include <gtest/gtest.h>

#include <openssl/async.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "provider_env.hpp"

namespace acrypto::test {
namespace {

constexpr const char *kAcrypto = "provider=acrypto";
constexpr const char *kDefault = "provider=default";

const char *const kCiphers[] = {"AES-128-ECB", "AES-192-ECB", "AES-256-ECB",
                                "AES-128-CBC", "AES-192-CBC", "AES-256-CBC",
                                "AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
const char *const kDigests[] = {"SHA1", "SHA224", "SHA256", "SHA384", "SHA512"};

class Differential : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { env_ = new ProviderEnv(); }
    static void TearDownTestSuite() {
        delete env_;
        env_ = nullptr;
    }
    static ProviderEnv *env_;
    std::mt19937 rng_{20261124};
    size_t pick(size_t lo, size_t hi) {
        return std::uniform_int_distribution<size_t>(lo, hi)(rng_);
    }
};
ProviderEnv *Differential::env_ = nullptr;

TEST_F(Differential, Ciphers) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *alg : kCiphers) {
        EVP_CIPHER *c = EVP_CIPHER_fetch(env_->ctx(), alg, kDefault);
        ASSERT_NE(c, nullptr);
        const size_t klen = static_cast<size_t>(EVP_CIPHER_get_key_length(c));
        const size_t ivlen = static_cast<size_t>(EVP_CIPHER_get_iv_length(c));
        const bool block = EVP_CIPHER_get_block_size(c) > 1;
        EVP_CIPHER_free(c);
        for (int round = 0; round < 24; ++round) {
            SCOPED_TRACE(std::string(alg) + " round " + std::to_string(round));
            auto key = random_bytes(klen);
            auto iv = random_bytes(ivlen);
            const bool pad = !block || round % 2 == 0;
            size_t len = pick(0, round < 20 ? 600 : 70000);
            if (!pad) len -= len % 16;
            auto pt = random_bytes(len);
            std::vector<size_t> chunks;
            if (round % 3 == 1)
                chunks = {1, 7, 15, 16, 17, 33};
            else if (round % 3 == 2)
                chunks = {pick(1, 4096)};
            std::vector<uint8_t> a, b, back;
            ASSERT_TRUE(evp_cipher(env_->ctx(), alg, kAcrypto, true, key, iv, pt, a, pad, chunks))
                << drain_errors();
            ASSERT_TRUE(evp_cipher(env_->ctx(), alg, kDefault, true, key, iv, pt, b, pad));
            ASSERT_EQ(a, b);
            ASSERT_TRUE(
                evp_cipher(env_->ctx(), alg, kAcrypto, false, key, iv, a, back, pad, chunks))
                << drain_errors();
            ASSERT_EQ(back, pt);
        }
    }
}

/// Bind `c` to device `dev` ("" unbinds) through its acrypto-device parameter.
bool set_device(EVP_CIPHER_CTX *c, const char *dev) {
    char d[16] = {};
    std::strncpy(d, dev, sizeof d - 1);
    const OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("acrypto-device", d, 0),
                            OSSL_PARAM_construct_end()};
    return EVP_CIPHER_CTX_set_params(c, p) == 1;
}

/// One AEAD message through `ctx` (keyed already; `enc` as it was keyed): IV, AAD,
/// the payload in `chunks` (whole when empty), final. Encrypting, `tag` is written;
/// decrypting, it is checked, set before the payload when `tag_first` (as libssl does)
/// or before final. `copy_at`: after that many payload updates, the context is copied
/// and the copy finishes the message instead (it must give the same bytes).
bool aead_message(EVP_CIPHER_CTX *ctx, bool enc, const std::vector<uint8_t> &iv,
                  const std::vector<uint8_t> &aad, const std::vector<uint8_t> &in,
                  std::vector<uint8_t> &out, std::vector<uint8_t> &tag,
                  const std::vector<size_t> &chunks, size_t copy_at = SIZE_MAX,
                  bool tag_first = false) {
    if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv.data(), enc ? 1 : 0, nullptr) != 1)
        return false;
    if (!enc && tag_first &&
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()), tag.data()) !=
            1)
        return false;
    int n = 0;
    if (!aad.empty() &&
        EVP_CipherUpdate(ctx, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1)
        return false;
    out.assign(in.size(), 0);
    EVP_CIPHER_CTX *use = ctx, *copy = nullptr;
    size_t off = 0, k = 0, done = 0;
    while (off < in.size()) {
        if (k == copy_at) {
            copy = EVP_CIPHER_CTX_new();
            if (copy == nullptr || EVP_CIPHER_CTX_copy(copy, ctx) != 1) return false;
            use = copy;
        }
        const size_t piece =
            chunks.empty() ? in.size() : std::min(chunks[k % chunks.size()], in.size() - off);
        if (EVP_CipherUpdate(use, out.data() + done, &n, in.data() + off,
                             static_cast<int>(piece)) != 1)
            return false;
        done += static_cast<size_t>(n);
        off += piece;
        ++k;
    }
    if (!enc && !tag_first &&
        EVP_CIPHER_CTX_ctrl(use, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag.size()), tag.data()) !=
            1)
        return false;
    uint8_t last[16];
    bool ok = EVP_CipherFinal_ex(use, last, &n) == 1 && n == 0 && done == in.size();
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(use, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag.size()),
                                 tag.data()) == 1;
    EVP_CIPHER_CTX_free(copy);
    return ok;
}

/// `n` keystream bytes past a ChaCha20 IV: the IV and num there. The block counter carries
/// out of iv[0..3] into iv[4..7], as the default provider's does.
std::pair<std::vector<uint8_t>, unsigned int> chacha_position(std::vector<uint8_t> iv, uint64_t n) {
    uint64_t ctr = 0;
    for (int i = 0; i < 8; ++i) ctr |= uint64_t{iv[i]} << (8 * i);
    ctr += n / 64;
    for (int i = 0; i < 8; ++i) iv[i] = static_cast<uint8_t>(ctr >> (8 * i));
    return {iv, static_cast<unsigned int>(n % 64)};
}

/// One cipher from acrypto and from the default provider, a context of each.
struct CipherPair {
    EVP_CIPHER *ours = nullptr, *theirs = nullptr;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new(), *ref = EVP_CIPHER_CTX_new();
    CipherPair() = default;
    CipherPair(const CipherPair &) = delete;
    CipherPair &operator=(const CipherPair &) = delete;
    ~CipherPair() {
        EVP_CIPHER_CTX_free(c);
        EVP_CIPHER_CTX_free(ref);
        EVP_CIPHER_free(ours);
        EVP_CIPHER_free(theirs);
    }
    /// Fetch `name` from both; false when either cannot be had.
    bool fetch(OSSL_LIB_CTX *lib, const char *name) {
        ours = EVP_CIPHER_fetch(lib, name, kAcrypto);
        theirs = EVP_CIPHER_fetch(lib, name, kDefault);
        return ours != nullptr && theirs != nullptr && c != nullptr && ref != nullptr;
    }
    /// Key both contexts alike (no IV when `iv` is empty); false when either refuses.
    bool key(bool enc, const std::vector<uint8_t> &key, const std::vector<uint8_t> &iv) {
        const unsigned char *ivp = iv.empty() ? nullptr : iv.data();
        return EVP_CipherInit_ex2(c, ours, key.data(), ivp, enc ? 1 : 0, nullptr) == 1 &&
               EVP_CipherInit_ex2(ref, theirs, key.data(), ivp, enc ? 1 : 0, nullptr) == 1;
    }
    /// fetch(), then both contexts encrypting under a random key and `iv_len` random IV
    /// bytes (none when 0).
    bool init(OSSL_LIB_CTX *lib, const char *name, size_t iv_len) {
        return fetch(lib, name) &&
               key(true, random_bytes(static_cast<size_t>(EVP_CIPHER_get_key_length(ours))),
                   random_bytes(iv_len));
    }
};

/// One update of `len` random bytes on `c`, in place or not, against the same update on
/// `ref`. With `via_copy`, a copy of `c` runs it, and then `c` itself (still where the
/// copy started) runs the same bytes, which must come out the same.
::testing::AssertionResult same_update(EVP_CIPHER_CTX *c, EVP_CIPHER_CTX *ref, size_t len,
                                       bool in_place, bool via_copy) {
    const auto in = random_bytes(len);
    std::vector<uint8_t> got = in, want(len);
    int outl = 0, wantl = 0;
    EVP_CIPHER_CTX *run = c;
    if (via_copy && ((run = EVP_CIPHER_CTX_new()) == nullptr || EVP_CIPHER_CTX_copy(run, c) != 1)) {
        EVP_CIPHER_CTX_free(run);
        return ::testing::AssertionFailure() << "copy: " << drain_errors();
    }
    const uint8_t *src = in_place ? got.data() : in.data();
    const bool ran = EVP_CipherUpdate(run, got.data(), &outl, src, static_cast<int>(len)) == 1;
    if (via_copy) EVP_CIPHER_CTX_free(run);
    if (!ran) return ::testing::AssertionFailure() << "update: " << drain_errors();
    if (EVP_CipherUpdate(ref, want.data(), &wantl, in.data(), static_cast<int>(len)) != 1)
        return ::testing::AssertionFailure() << "default provider's update";
    if (outl != static_cast<int>(len) || got != want)
        return ::testing::AssertionFailure() << "output differs from the default provider's";
    if (via_copy) {
        std::vector<uint8_t> again(len);
        if (EVP_CipherUpdate(c, again.data(), &outl, in.data(), static_cast<int>(len)) != 1)
            return ::testing::AssertionFailure() << "update after the copy: " << drain_errors();
        if (again != want)
            return ::testing::AssertionFailure() << "the original differs from its copy";
    }
    return ::testing::AssertionSuccess();
}

/// Whether `c` reports the ChaCha20 position `done` bytes past `iv` (updated-iv and num).
::testing::AssertionResult at_chacha_position(EVP_CIPHER_CTX *c, const std::vector<uint8_t> &iv,
                                              uint64_t done) {
    const auto [want_iv, want_num] = chacha_position(iv, done);
    std::vector<uint8_t> have_iv(16);
    unsigned int have_num = 99;
    OSSL_PARAM p[] = {
        OSSL_PARAM_construct_octet_string("updated-iv", have_iv.data(), have_iv.size()),
        OSSL_PARAM_construct_uint("num", &have_num), OSSL_PARAM_construct_end()};
    if (EVP_CIPHER_CTX_get_params(c, p) != 1)
        return ::testing::AssertionFailure() << "get_params: " << drain_errors();
    if (have_iv != want_iv || have_num != want_num)
        return ::testing::AssertionFailure()
               << "num " << have_num << " where " << want_num << " was due, or another IV";
    return ::testing::AssertionSuccess();
}

TEST_F(Differential, ChaCha20StreamRunsDirectAndKeepsItsPosition) {
    // One ChaCha20 stream per direction, many small updates: once the first binds the
    // kernel, the stream goes on in the context's own keyed default-provider context
    // (cipher.direct), its IV and num brought up to date only when read. The stream must
    // match the default provider through position queries, copies taken mid-stream, a
    // stretch bound to a device (sessions, off the path) and a new IV, and report the
    // position it is at. Two IVs start 10 blocks short of the 32-bit counter word's wrap,
    // which the stream crosses, once on the direct path and once in sessions: the count
    // carries into the nonce's first word.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const bool enc : {true, false}) {
        SCOPED_TRACE(enc ? "encrypt" : "decrypt");
        const long long direct_before = env_->stat("cipher.direct");
        const long long submitted_before = env_->stat("submitted");
        auto iv = random_bytes(16);
        CipherPair p;
        ASSERT_TRUE(p.fetch(env_->ctx(), "ChaCha20") && p.key(enc, random_bytes(32), iv));
        EVP_CIPHER_CTX *c = p.c, *ref = p.ref;
        uint64_t done = 0; // bytes since the IV
        for (int i = 0; i < 200; ++i) {
            SCOPED_TRACE("update " + std::to_string(i));
            if (i == 150 || i == 175) { // a new IV on the same key, 10 blocks short of the wrap
                iv = random_bytes(16);
                iv[0] = 0xf6;
                iv[1] = iv[2] = iv[3] = 0xff;
                ASSERT_EQ(EVP_CipherInit_ex2(c, nullptr, nullptr, iv.data(), -1, nullptr), 1);
                ASSERT_EQ(EVP_CipherInit_ex2(ref, nullptr, nullptr, iv.data(), -1, nullptr), 1);
                done = 0;
            }
            if (i == 60 || i == 80 || i == 175) { // bound to the cpu device: sessions
                ASSERT_TRUE(set_device(c, i == 80 ? "" : "cpu")) << drain_errors();
            }
            const size_t len = i % 16 == 15 ? pick(65, 1500) : pick(1, 64);
            // In place every third update; a copy taken mid-stream runs some.
            EXPECT_TRUE(same_update(c, ref, len, i % 3 == 0, i % 25 == 7));
            done += len;
            if (i % 10 == 9 || i == 199) { // where the stream is, as the context reports it
                EXPECT_TRUE(at_chacha_position(c, iv, done));
            }
        }
        // The stream went direct after its first update, again after the bound stretch, and
        // after the new IV (a copy starts with no kernel: its update took a session).
        EXPECT_GE(env_->stat("cipher.direct"), direct_before + 3) << env_->stats();
        // The bound stretches ran as sessions on the device.
        EXPECT_GE(env_->stat("submitted"), submitted_before + 45) << env_->stats();
    }
}

TEST_F(Differential, ChaCha20KeystreamMadeAheadMatchesAtEveryEdge) {
    // On the direct path short updates take keystream the library made ahead of the stream,
    // 1,024 bytes at a time; longer ones (over 512 bytes with none buffered) run in the
    // library. The first update runs as a session and binds the kernel; the path takes the
    // stream over at the second, whose buffer the next 64 use up exactly. The lengths after
    // them land on each edge in turn (left: buffered bytes before the update): a refill
    // for one byte, an update as long as what is left, 513 bytes with none left (the
    // library), 512 (a refill), more than is left with the rest refilled or run in the
    // library, one byte left and more wanted. After every update the output matches the
    // default provider and the context reports the position the stream is at; copies
    // taken where the buffer is part used, and a new IV there, start from the stream's
    // position, not the library's.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    std::vector<size_t> lens(65, 16); // a session, then one buffer used up exactly
    // left: 0, 1023, 0, 0, 512, 936, 0, 1021, 1, 1023, 1022, 1023, 1018, 1012
    lens.insert(lens.end(), {1, 1023, 513, 512, 600, 2000, 3, 1020, 2, 1, 1023, 1024, 5, 1030});
    for (int i = 0; i < 40; ++i) lens.push_back(pick(1, 1100));
    for (const bool enc : {true, false}) {
        SCOPED_TRACE(enc ? "encrypt" : "decrypt");
        const long long direct_before = env_->stat("cipher.direct");
        const auto iv = random_bytes(16);
        CipherPair p;
        ASSERT_TRUE(p.fetch(env_->ctx(), "ChaCha20") && p.key(enc, random_bytes(32), iv));
        EVP_CIPHER_CTX *c = p.c, *ref = p.ref;
        uint64_t done = 0;
        for (size_t i = 0; i < lens.size(); ++i) {
            const size_t len = lens[i];
            SCOPED_TRACE("update " + std::to_string(i) + ", " + std::to_string(len) + " bytes");
            if (i == 76) { // the same IV again, the buffer part used: the stream starts over
                ASSERT_EQ(EVP_CipherInit_ex2(c, nullptr, nullptr, iv.data(), -1, nullptr), 1);
                ASSERT_EQ(EVP_CipherInit_ex2(ref, nullptr, nullptr, iv.data(), -1, nullptr), 1);
                done = 0;
            }
            // In place or not in turn; a copy, the buffer part used, runs two of them.
            ASSERT_TRUE(same_update(c, ref, len, i % 2 == 0, i == 30 || i == 72));
            done += len;
            ASSERT_TRUE(at_chacha_position(c, iv, done));
        }
        // The stream ran on the direct path: entered once, and again after the new IV.
        EXPECT_GE(env_->stat("cipher.direct"), direct_before + 2) << env_->stats();
    }
}

TEST_F(Differential, ArmedKernelsHonourADeviceSetMidStream) {
    // A context's bound kernel runs most updates on the cost model's last answer, asked
    // again every few hundred runs. A device set on the context between two of those
    // questions must still send the next update to that device as a session, and clearing
    // it must bring the kernel back; every update matches the default provider.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *name : {"AES-128-XTS", "AES-128-CBC", "AES-256-CTR", "DES-EDE3-CBC"}) {
        SCOPED_TRACE(name);
        CipherPair p;
        ASSERT_TRUE(p.init(env_->ctx(), name, 16)) << drain_errors();
        EVP_CIPHER_CTX *c = p.c, *ref = p.ref;
        auto updates = [&](int n) {
            for (int i = 0; i < n; ++i) {
                const auto in = random_bytes(64);
                std::vector<uint8_t> got(in), want(64);
                int outl = 0, wantl = 0;
                ASSERT_EQ(EVP_EncryptUpdate(c, got.data(), &outl, got.data(), 64), 1)
                    << drain_errors();
                ASSERT_EQ(EVP_EncryptUpdate(ref, want.data(), &wantl, in.data(), 64), 1);
                ASSERT_EQ(outl, 64);
                ASSERT_EQ(got, want) << "update " << i;
            }
        };
        updates(300); // bound and armed: on the caller's thread
        const long long before = env_->stat("submitted");
        ASSERT_TRUE(set_device(c, "cpu")) << drain_errors();
        updates(10);
        const long long bound = env_->stat("submitted");
        EXPECT_GE(bound, before + 10) << env_->stats();
        ASSERT_TRUE(set_device(c, "")) << drain_errors();
        updates(300);
        EXPECT_LE(env_->stat("submitted"), bound + 1) << env_->stats(); // (the kernel binds again)
    }
}

TEST_F(Differential, ArmedAeadMessagesHonourADeviceSetMidStream) {
    // The direct path asks the bound kernel's armed answer once per AEAD message. A device
    // set on the context between two questions to the cost model sends the next messages
    // to that device as sessions, clearing it brings the direct path back; every message
    // (ciphertext and tag) matches the default provider.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *name : {"AES-128-GCM", "ChaCha20-Poly1305"}) {
        SCOPED_TRACE(name);
        CipherPair p;
        ASSERT_TRUE(p.init(env_->ctx(), name, 0)) << drain_errors();
        EVP_CIPHER_CTX *c = p.c, *ref = p.ref;
        auto messages = [&](int n) {
            for (int i = 0; i < n; ++i) {
                const auto iv = random_bytes(12), aad = random_bytes(13), pt = random_bytes(64);
                std::vector<uint8_t> got, want, got_tag(16), want_tag(16);
                ASSERT_TRUE(aead_message(c, true, iv, aad, pt, got, got_tag, {})) << drain_errors();
                ASSERT_TRUE(aead_message(ref, true, iv, aad, pt, want, want_tag, {}));
                ASSERT_EQ(got, want) << "message " << i;
                ASSERT_EQ(got_tag, want_tag) << "message " << i;
            }
        };
        messages(300); // bound and armed: direct, on the caller's thread
        const long long before = env_->stat("submitted");
        const long long direct = env_->stat("aead.direct");
        ASSERT_TRUE(set_device(c, "cpu")) << drain_errors();
        messages(10);
        const long long bound = env_->stat("submitted");
        EXPECT_GE(bound, before + 10) << env_->stats();
        EXPECT_EQ(env_->stat("aead.direct"), direct) << env_->stats();
        ASSERT_TRUE(set_device(c, "")) << drain_errors();
        messages(300);
        EXPECT_GE(env_->stat("aead.direct"), direct + 290) << env_->stats();
    }
}

/// What ReKeyedAesRunsWithoutSessions does in and out of an ASYNC job: one context
/// of each cipher re-keyed `keys` times, one `len`-byte update per key, compared with the
/// default provider.
struct ReKeyed {
    OSSL_LIB_CTX *lib = nullptr;
    const char *alg = nullptr;
    int keys = 0;
    size_t len = 0;
    bool ok = false;
    std::string failure;
};

int rekeyed_runs(void *arg) {
    ReKeyed &r = **static_cast<ReKeyed **>(arg);
    CipherPair p;
    r.ok = p.fetch(r.lib, r.alg) && p.key(true, {}, {});
    if (!r.ok) r.failure = "set-up";
    // The data comes from a local generator, not RAND_bytes: nothing else runs through
    // acrypto while the kernel runs are counted.
    std::mt19937_64 rng(static_cast<uint64_t>(r.keys) * 7919u + r.len);
    for (int i = 0; r.ok && i < r.keys; ++i) {
        std::vector<uint8_t> key(static_cast<size_t>(EVP_CIPHER_get_key_length(p.ours))), iv(16),
            in(r.len), got(r.len), want(r.len);
        for (auto *v : {&key, &iv, &in})
            for (auto &b : *v) b = static_cast<uint8_t>(rng());
        int n = 0, m = 0;
        // As a CTR DRBG does: a new key (and counter) on the same context, then a few blocks.
        r.ok = EVP_CipherInit_ex2(p.c, nullptr, key.data(), iv.data(), -1, nullptr) == 1 &&
               EVP_CipherInit_ex2(p.ref, nullptr, key.data(), iv.data(), -1, nullptr) == 1 &&
               EVP_CipherUpdate(p.c, got.data(), &n, in.data(), static_cast<int>(r.len)) == 1 &&
               EVP_CipherUpdate(p.ref, want.data(), &m, in.data(), static_cast<int>(r.len)) == 1 &&
               n == m && got == want;
        if (!r.ok) r.failure = "key " + std::to_string(i);
    }
    return 1;
}

TEST_F(Differential, ReKeyedAesRunsWithoutSessions) {
    // The default provider's CTR DRBG, fetching AES through acrypto, takes a new key for
    // every generate (13 times per TLS 1.3 handshake under HAProxy, inside its ASYNC jobs).
    // The first run under each key binds the cpu device's kernel and runs in it, on a
    // blocking caller's thread and inside a job alike: no session (inline or offloaded)
    // keys the device's own context for a key that serves a few blocks.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const bool in_job : {false, true}) {
        for (const char *alg : {"AES-256-CTR", "AES-256-ECB", "AES-128-CBC"}) {
            SCOPED_TRACE(std::string(alg) + (in_job ? " in a job" : " blocking"));
            ReKeyed r;
            r.lib = env_->ctx();
            r.alg = alg;
            r.keys = 40;
            r.len = 48;
            ReKeyed *arg = &r;
            // Kernel runs count into the cpu device's kernel_runs when the kernel is released
            // (each new key, and the context's free); the scheduler's "inline" counts them
            // and inline sessions alike.
            const long long kernel_before = env_->stat("dev.cpu.drv.kernel_runs");
            const long long submitted_before = env_->stat("submitted");
            if (in_job) {
                ASYNC_JOB *job = nullptr;
                ASYNC_WAIT_CTX *wctx = ASYNC_WAIT_CTX_new();
                int ret = 0;
                ASSERT_EQ(ASYNC_start_job(&job, wctx, &ret, rekeyed_runs, &arg, sizeof arg),
                          ASYNC_FINISH);
                ASYNC_WAIT_CTX_free(wctx);
            } else {
                rekeyed_runs(&arg);
            }
            EXPECT_TRUE(r.ok) << r.failure << ": " << drain_errors();
            EXPECT_EQ(env_->stat("dev.cpu.drv.kernel_runs"), kernel_before + r.keys)
                << env_->stats();
            EXPECT_EQ(env_->stat("submitted"), submitted_before) << env_->stats();
        }
    }
}

TEST_F(Differential, AeadContextsFirstMessagesRunDirect) {
    // A TLS handshake keys a context for a few records: those run on the direct path
    // from the first one, without a session or a device kernel keyed for them.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *alg : {"AES-256-GCM", "ChaCha20-Poly1305"}) {
        SCOPED_TRACE(alg);
        EVP_CIPHER *ours = EVP_CIPHER_fetch(env_->ctx(), alg, kAcrypto);
        EVP_CIPHER *theirs = EVP_CIPHER_fetch(env_->ctx(), alg, kDefault);
        ASSERT_TRUE(ours != nullptr && theirs != nullptr);
        const auto key = random_bytes(static_cast<size_t>(EVP_CIPHER_get_key_length(ours)));
        EVP_CIPHER_CTX *seal = EVP_CIPHER_CTX_new(), *open = EVP_CIPHER_CTX_new(),
                       *ref = EVP_CIPHER_CTX_new();
        ASSERT_EQ(EVP_CipherInit_ex2(seal, ours, key.data(), nullptr, 1, nullptr), 1);
        ASSERT_EQ(EVP_CipherInit_ex2(open, ours, key.data(), nullptr, 0, nullptr), 1);
        ASSERT_EQ(EVP_CipherInit_ex2(ref, theirs, key.data(), nullptr, 1, nullptr), 1);
        const long long direct_before = env_->stat("aead.direct");
        const long long sessions_before = env_->stat("submitted") + env_->stat("inline");
        for (int i = 0; i < 3; ++i) {
            const auto iv = random_bytes(12), aad = random_bytes(13), pt = random_bytes(100 + i);
            std::vector<uint8_t> ct, tag(16), want_ct, want_tag(16), back;
            ASSERT_TRUE(aead_message(seal, true, iv, aad, pt, ct, tag, {})) << drain_errors();
            ASSERT_TRUE(aead_message(ref, true, iv, aad, pt, want_ct, want_tag, {}));
            EXPECT_EQ(ct, want_ct);
            EXPECT_EQ(tag, want_tag);
            ASSERT_TRUE(aead_message(open, false, iv, aad, ct, back, tag, {})) << drain_errors();
            EXPECT_EQ(back, pt);
        }
        EXPECT_EQ(env_->stat("aead.direct"), direct_before + 6) << env_->stats();
        EXPECT_EQ(env_->stat("submitted") + env_->stat("inline"), sessions_before) << env_->stats();
        EVP_CIPHER_CTX_free(seal);
        EVP_CIPHER_CTX_free(open);
        EVP_CIPHER_CTX_free(ref);
        EVP_CIPHER_free(ours);
        EVP_CIPHER_free(theirs);
    }
}

TEST_F(Differential, AeadMessagesOnOneContextRunDirect) {
    // TLS 1.3's pattern: one context per direction, keyed once, a new IV per record.
    // After the first message binds the kernel, the messages the cost model keeps on
    // the caller's thread run in the context's own keyed default-provider context
    // (aead.direct). Each must match the default provider: payloads whole and in
    // pieces, a copy taken mid-message, a bad tag refused, a new key and a 16-byte
    // GCM IV on the way.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *alg : {"AES-128-GCM", "AES-256-GCM", "ChaCha20-Poly1305"}) {
        SCOPED_TRACE(alg);
        const bool gcm = std::strstr(alg, "GCM") != nullptr;
        EVP_CIPHER *ours = EVP_CIPHER_fetch(env_->ctx(), alg, kAcrypto);
        EVP_CIPHER *theirs = EVP_CIPHER_fetch(env_->ctx(), alg, kDefault);
        ASSERT_NE(ours, nullptr);
        ASSERT_NE(theirs, nullptr);
        const size_t klen = static_cast<size_t>(EVP_CIPHER_get_key_length(ours));
        auto key = random_bytes(klen);
        size_t ivlen = 12;
        EVP_CIPHER_CTX *seal = EVP_CIPHER_CTX_new(), *open = EVP_CIPHER_CTX_new();
        auto keyed = [&](EVP_CIPHER_CTX *c, bool enc) {
            OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                              OSSL_PARAM_construct_end()};
            return EVP_CipherInit_ex2(c, ours, nullptr, nullptr, enc ? 1 : 0, p) == 1 &&
                   EVP_CipherInit_ex2(c, nullptr, key.data(), nullptr, enc ? 1 : 0, nullptr) == 1;
        };
        ASSERT_TRUE(keyed(seal, true) && keyed(open, false)) << drain_errors();
        const long long direct_before = env_->stat("aead.direct");
        for (int i = 0; i < 40; ++i) {
            SCOPED_TRACE("message " + std::to_string(i));
            if (i == 20 || (i == 30 && gcm)) { // a new key; then (GCM) a 16-byte IV too
                key = random_bytes(klen);
                if (i == 30) ivlen = 16;
                ASSERT_TRUE(keyed(seal, true) && keyed(open, false)) << drain_errors();
            }
            const auto iv = random_bytes(ivlen), aad = random_bytes(pick(0, 40)),
                       pt = random_bytes(pick(1, 3000));
            std::vector<size_t> chunks;
            if (i % 4 == 3) chunks = {pick(1, 700), pick(1, 700)};
            const size_t copy_at = i % 8 == 5 ? 1 : SIZE_MAX;
            std::vector<uint8_t> ct, tag(16), want_ct, want_tag(16), back;
            ASSERT_TRUE(aead_message(seal, true, iv, aad, pt, ct, tag, chunks, copy_at))
                << drain_errors();
            EVP_CIPHER_CTX *ref = EVP_CIPHER_CTX_new();
            OSSL_PARAM p[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen),
                              OSSL_PARAM_construct_end()};
            ASSERT_EQ(EVP_CipherInit_ex2(ref, theirs, key.data(), nullptr, 1, p), 1);
            ASSERT_TRUE(aead_message(ref, true, iv, aad, pt, want_ct, want_tag, {}));
            EVP_CIPHER_CTX_free(ref);
            EXPECT_EQ(ct, want_ct);
            EXPECT_EQ(tag, want_tag);
            const bool tag_first = i % 2 == 0;
            ASSERT_TRUE(
                aead_message(open, false, iv, aad, ct, back, tag, chunks, copy_at, tag_first))
                << drain_errors();
            EXPECT_EQ(back, pt);
            if (i % 7 == 6) { // a tag off by one bit is refused
                auto bad = tag;
                bad[i % 16] ^= 1;
                EXPECT_FALSE(
                    aead_message(open, false, iv, aad, ct, back, bad, chunks, SIZE_MAX, tag_first));
                drain_errors();
            }
        }
        // Both directions: all but the messages that (re)bound a kernel went direct.
        EXPECT_GE(env_->stat("aead.direct"), direct_before + 2 * 30) << env_->stats();
        EVP_CIPHER_CTX_free(seal);
        EVP_CIPHER_CTX_free(open);
        EVP_CIPHER_free(ours);
        EVP_CIPHER_free(theirs);
    }
}

TEST_F(Differential, Digests) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *alg : kDigests) {
        for (int round = 0; round < 16; ++round) {
            SCOPED_TRACE(std::string(alg) + " round " + std::to_string(round));
            // Rounds past 12 cross the streaming chunk (partial device steps).
            size_t len = pick(0, round < 12 ? 1000 : 200000);
            auto msg = random_bytes(len);
            std::vector<size_t> chunks;
            if (round % 3 == 1)
                chunks = {1, 3, 63, 64, 65, 127, 129};
            else if (round % 3 == 2)
                chunks = {pick(1, 20000)};
            std::vector<uint8_t> a, b;
            ASSERT_TRUE(evp_digest(env_->ctx(), alg, kAcrypto, msg, a, chunks)) << drain_errors();
            ASSERT_TRUE(evp_digest(env_->ctx(), alg, kDefault, msg, b));
            ASSERT_EQ(a, b);
        }
    }
}

TEST_F(Differential, DigestCopyMidStream) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    EVP_MD *md = EVP_MD_fetch(env_->ctx(), "SHA256", kAcrypto);
    ASSERT_NE(md, nullptr);
    EVP_MD_CTX *a = EVP_MD_CTX_new();
    EVP_MD_CTX *b = EVP_MD_CTX_new();
    auto head = random_bytes(20000);
    auto tail = random_bytes(333);
    ASSERT_EQ(EVP_DigestInit_ex2(a, md, nullptr), 1);
    ASSERT_EQ(EVP_DigestUpdate(a, head.data(), head.size()), 1);
    ASSERT_EQ(EVP_MD_CTX_copy_ex(b, a), 1);
    ASSERT_EQ(EVP_DigestUpdate(b, tail.data(), tail.size()), 1);
    unsigned char o1[32], o2[32];
    unsigned int l = 0;
    ASSERT_EQ(EVP_DigestFinal_ex(a, o1, &l), 1);
    ASSERT_EQ(EVP_DigestFinal_ex(b, o2, &l), 1);
    std::vector<uint8_t> ra, rb, both = head;
    both.insert(both.end(), tail.begin(), tail.end());
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kDefault, head, ra));
    ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kDefault, both, rb));
    EXPECT_EQ(std::vector<uint8_t>(o1, o1 + 32), ra);
    EXPECT_EQ(std::vector<uint8_t>(o2, o2 + 32), rb);
    EVP_MD_CTX_free(a);
    EVP_MD_CTX_free(b);
    EVP_MD_free(md);
}

// Small messages take the direct path (the default provider's digest functions with
// no EVP context): copies mid-message, and a context restarted for message after
// message, match the default provider for every SHA variant.
TEST_F(Differential, DirectDigestCopiesAndRestarts) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    const uint64_t direct_before = env_->stat("digest.direct");
    for (const char *alg : kDigests) {
        SCOPED_TRACE(alg);
        EVP_MD *md = EVP_MD_fetch(env_->ctx(), alg, kAcrypto);
        ASSERT_NE(md, nullptr);
        const auto n = static_cast<size_t>(EVP_MD_get_size(md));
        EVP_MD_CTX *a = EVP_MD_CTX_new();
        EVP_MD_CTX *b = EVP_MD_CTX_new();
        for (int msg = 0; msg < 4; ++msg) {
            auto head = random_bytes(pick(1, 300));
            auto tail = random_bytes(pick(0, 300));
            ASSERT_EQ(EVP_DigestInit_ex2(a, md, nullptr), 1);
            ASSERT_EQ(EVP_DigestUpdate(a, head.data(), head.size()), 1);
            ASSERT_EQ(EVP_MD_CTX_copy_ex(b, a), 1);
            ASSERT_EQ(EVP_DigestUpdate(b, tail.data(), tail.size()), 1);
            unsigned char o1[64], o2[64];
            unsigned int l1 = 0, l2 = 0;
            ASSERT_EQ(EVP_DigestFinal_ex(b, o2, &l2), 1);
            ASSERT_EQ(EVP_DigestFinal_ex(a, o1, &l1), 1);
            ASSERT_EQ(l1, n);
            ASSERT_EQ(l2, n);
            std::vector<uint8_t> ra, rb, both = head;
            both.insert(both.end(), tail.begin(), tail.end());
            ASSERT_TRUE(evp_digest(env_->ctx(), alg, kDefault, head, ra));
            ASSERT_TRUE(evp_digest(env_->ctx(), alg, kDefault, both, rb));
            EXPECT_EQ(std::vector<uint8_t>(o1, o1 + n), ra) << "message " << msg;
            EXPECT_EQ(std::vector<uint8_t>(o2, o2 + n), rb) << "message " << msg;
        }
        EVP_MD_CTX_free(a);
        EVP_MD_CTX_free(b);
        EVP_MD_free(md);
    }
    // Every message above was small: they were computed directly (2 per round).
    EXPECT_GE(env_->stat("digest.direct"), direct_before + 2 * 4 * std::size(kDigests));
}

// Messages whose first update is 4 KB or more are computed directly too when the cost
// model keeps that size on a blocking caller's thread (it does up to 32 KB here): one
// large update, and many, match the default provider and each counts as one direct
// digest or HMAC.
TEST_F(Differential, LargeMessagesOfBlockingCallersAreDirect) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const size_t len : {size_t{4096}, size_t{8192}, size_t{16384}, size_t{32768}}) {
        SCOPED_TRACE(len);
        auto msg = random_bytes(len);
        std::vector<uint8_t> a, b;
        long long before = env_->stat("digest.direct");
        ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kAcrypto, msg, a)) << drain_errors();
        EXPECT_EQ(env_->stat("digest.direct"), before + 1);
        ASSERT_TRUE(evp_digest(env_->ctx(), "SHA256", kDefault, msg, b));
        EXPECT_EQ(a, b);
        auto key = random_bytes(32);
        std::vector<uint8_t> c, d;
        before = env_->stat("digest.direct");
        ASSERT_TRUE(evp_hmac(env_->ctx(), "SHA384", kAcrypto, key, msg, c, {4096, 100, 70000}))
            << drain_errors();
        EXPECT_EQ(env_->stat("digest.direct"), before + 1);
        ASSERT_TRUE(evp_hmac(env_->ctx(), "SHA384", kDefault, key, msg, d));
        EXPECT_EQ(c, d);
    }
}

// A context freed on a thread is kept as that thread's spare and serves its next
// context of the same digest and provider instance. Messages left unfinished, copies,
// the five variants interleaved and a second provider instance on the same thread
// (whose spares must not be taken by the first) all match the default provider, and
// a spare freed with its thread or its library context leaks nothing (ASan).
TEST_F(Differential, SpareDigestContextsServeTheNextMessage) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    auto other = std::make_unique<ProviderEnv>();
    ASSERT_TRUE(other->loaded()) << other->load_error();
    const long long other_before = other->stat("digest.direct");
    auto check = [&](OSSL_LIB_CTX *ctx, const char *alg, const std::vector<uint8_t> &msg) {
        std::vector<uint8_t> a, b;
        ASSERT_TRUE(evp_digest(ctx, alg, kAcrypto, msg, a)) << drain_errors();
        ASSERT_TRUE(evp_digest(env_->ctx(), alg, kDefault, msg, b));
        EXPECT_EQ(a, b) << alg << " " << msg.size() << " bytes";
    };
    for (int round = 0; round < 40; ++round) {
        const char *alg = kDigests[round % std::size(kDigests)];
        SCOPED_TRACE(std::string(alg) + " round " + std::to_string(round));
        // Freed mid-message: the next context of this variant starts clean.
        EVP_MD *md = EVP_MD_fetch(env_->ctx(), alg, kAcrypto);
        ASSERT_NE(md, nullptr);
        EVP_MD_CTX *left = EVP_MD_CTX_new();
        auto junk = random_bytes(pick(1, 200));
        ASSERT_EQ(EVP_DigestInit_ex2(left, md, nullptr), 1);
        ASSERT_EQ(EVP_DigestUpdate(left, junk.data(), junk.size()), 1);
        if (round % 4 == 1) {
            EVP_MD_CTX *copy = EVP_MD_CTX_new();
            ASSERT_EQ(EVP_MD_CTX_copy_ex(copy, left), 1);
            EVP_MD_CTX_free(copy);
        }
        EVP_MD_CTX_free(left);
        EVP_MD_free(md);
        check(env_->ctx(), alg, random_bytes(pick(0, 300)));
        check(other->ctx(), alg, random_bytes(pick(0, 300)));
        check(env_->ctx(), kDigests[(round + 2) % std::size(kDigests)], random_bytes(pick(0, 300)));
    }
    EXPECT_GE(other->stat("digest.direct"), other_before + 40);
    // Spares of a thread that exits, and of an instance that goes away, are freed.
    std::thread([&] {
        check(other->ctx(), "SHA256", random_bytes(100));
        check(env_->ctx(), "SHA256", random_bytes(100));
    }).join();
    other.reset();
    check(env_->ctx(), "SHA256", random_bytes(100));
}

TEST_F(Differential, Hmac) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    for (const char *alg : kDigests) {
        for (int round = 0; round < 12; ++round) {
            SCOPED_TRACE(std::string(alg) + " round " + std::to_string(round));
            auto key = random_bytes(pick(1, 200)); // past the block size too
            auto msg = random_bytes(pick(0, round < 9 ? 2000 : 100000));
            std::vector<size_t> chunks;
            if (round % 2 == 1) chunks = {1, 5, 64, 100};
            std::vector<uint8_t> a, b;
            ASSERT_TRUE(evp_hmac(env_->ctx(), alg, kAcrypto, key, msg, a, chunks))
                << drain_errors();
            ASSERT_TRUE(evp_hmac(env_->ctx(), alg, kDefault, key, msg, b));
            ASSERT_EQ(a, b);
        }
    }
}

TEST_F(Differential, HmacReinitKeepsKey) {
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    EVP_MAC *mac = EVP_MAC_fetch(env_->ctx(), "HMAC", kAcrypto);
    ASSERT_NE(mac, nullptr);
    EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
    auto key = random_bytes(32);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>("SHA256"), 0),
        OSSL_PARAM_construct_end()};
    ASSERT_EQ(EVP_MAC_init(mc, key.data(), key.size(), params), 1);
    std::vector<uint8_t> msg = {1, 2, 3};
    unsigned char o1[32], o2[32];
    size_t l = 0;
    ASSERT_EQ(EVP_MAC_update(mc, msg.data(), msg.size()), 1);
    ASSERT_EQ(EVP_MAC_final(mc, o1, &l, sizeof o1), 1);
    ASSERT_EQ(EVP_MAC_init(mc, nullptr, 0, nullptr), 1);
    ASSERT_EQ(EVP_MAC_update(mc, msg.data(), msg.size()), 1);
    ASSERT_EQ(EVP_MAC_final(mc, o2, &l, sizeof o2), 1);
    EXPECT_EQ(0, memcmp(o1, o2, 32));
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(mac);
}

TEST_F(Differential, HmacContextServesMessagesKeysAndDevices) {
    // One HMAC context, message after message (EVP_MAC_init with no key between them, as
    // openssl speed and TLS 1.2 CBC records do): its keyed direct state restarts without
    // re-keying while the key stays, and is keyed again for a new key, another digest or the
    // same bytes set again. A stretch bound to a device runs as sessions. Every MAC must
    // match the default provider's.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    EVP_MAC *mac = EVP_MAC_fetch(env_->ctx(), "HMAC", kAcrypto);
    ASSERT_NE(mac, nullptr);
    EVP_MAC_CTX *mc = EVP_MAC_CTX_new(mac);
    ASSERT_NE(mc, nullptr);
    auto key = random_bytes(32);
    const char *digest = "SHA256";
    const long long submitted_before = env_->stat("submitted");
    for (int i = 0; i < 120; ++i) {
        SCOPED_TRACE("message " + std::to_string(i));
        const unsigned char *k = nullptr;
        OSSL_PARAM set[2] = {OSSL_PARAM_construct_end(), OSSL_PARAM_construct_end()};
        if (i == 0 || i % 20 == 0) { // a new key; every other time another digest as well
            if (i % 40 == 20) digest = std::strcmp(digest, "SHA256") == 0 ? "SHA1" : "SHA256";
            if (i % 60 != 40) key = random_bytes(pick(1, 100)); // else the same bytes again
            k = key.data();
            set[0] = OSSL_PARAM_construct_utf8_string("digest", const_cast<char *>(digest), 0);
        }
        if (i == 50 || i == 56) { // bound to the cpu device for six messages: sessions
            char dev[8] = {};
            std::strcpy(dev, i == 50 ? "cpu" : "");
            const OSSL_PARAM p[] = {OSSL_PARAM_construct_utf8_string("acrypto-device", dev, 0),
                                    OSSL_PARAM_construct_end()};
            ASSERT_EQ(EVP_MAC_CTX_set_params(mc, p), 1) << drain_errors();
        }
        ASSERT_EQ(EVP_MAC_init(mc, k, k != nullptr ? key.size() : 0, set), 1) << drain_errors();
        const auto msg = random_bytes(pick(0, 300));
        if (!msg.empty()) {
            ASSERT_EQ(EVP_MAC_update(mc, msg.data(), msg.size()), 1);
        }
        unsigned char got[64];
        size_t n = 0;
        ASSERT_EQ(EVP_MAC_final(mc, got, &n, sizeof got), 1) << drain_errors();
        std::vector<uint8_t> want;
        ASSERT_TRUE(evp_hmac(env_->ctx(), digest, kDefault, key, msg, want));
        EXPECT_EQ(std::vector<uint8_t>(got, got + n), want) << digest;
    }
    EXPECT_GE(env_->stat("submitted"), submitted_before + 6) << env_->stats();
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(mac);
}

TEST_F(Differential, SpareDigestContextStartsWithTheDefaultOptions) {
    // A context freed after its options were set is kept for the next message's context,
    // which must start with the configured defaults, not the options set before.
    ASSERT_TRUE(env_->loaded()) << env_->load_error();
    EVP_MD *md = EVP_MD_fetch(env_->ctx(), "SHA256", kAcrypto);
    ASSERT_NE(md, nullptr);
    auto priority_of = [](EVP_MD_CTX *c) {
        unsigned int prio = 99;
        OSSL_PARAM p[] = {OSSL_PARAM_construct_uint("acrypto-priority", &prio),
                          OSSL_PARAM_construct_end()};
        return EVP_MD_CTX_get_params(c, p) == 1 ? prio : 100u;
    };
    EVP_MD_CTX *fresh = EVP_MD_CTX_new();
    ASSERT_EQ(EVP_DigestInit_ex2(fresh, md, nullptr), 1);
    const unsigned int configured = priority_of(fresh);
    ASSERT_LE(configured, 7u);
    EVP_MD_CTX_free(fresh);
    for (int round = 0; round < 4; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        EVP_MD_CTX *c = EVP_MD_CTX_new();
        ASSERT_EQ(EVP_DigestInit_ex2(c, md, nullptr), 1);
        ASSERT_EQ(priority_of(c), configured);
        unsigned int prio = configured == 6 ? 5 : 6;
        const OSSL_PARAM p[] = {OSSL_PARAM_construct_uint("acrypto-priority", &prio),
                                OSSL_PARAM_construct_end()};
        ASSERT_EQ(EVP_MD_CTX_set_params(c, p), 1);
        ASSERT_EQ(priority_of(c), prio);
        const auto msg = random_bytes(pick(1, 100));
        unsigned char out[32];
        ASSERT_EQ(EVP_DigestUpdate(c, msg.data(), msg.size()), 1);
        ASSERT_EQ(EVP_DigestFinal_ex(c, out, nullptr), 1);
        EVP_MD_CTX_free(c); // kept as this thread's spare
    }
    EVP_MD_free(md);
}

} // namespace
} // namespace acrypto::test
