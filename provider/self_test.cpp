// SPDX-License-Identifier: Apache-2.0
// Known answers: SP 800-38A F.2.1 (AES-128-CBC), FIPS 180-2 "abc", RFC 4231 case 2.
#include "self_test.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <string>
#include <vector>

#include "acrypto/sched/scheduler.hpp"
#include "errors.hpp"
#include "execute.hpp"

namespace acrypto::prov {

namespace {

using acrypto::sched::Ref;
using acrypto::sched::Session;

const uint8_t kAesKey[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                             0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
const uint8_t kAesIv[16] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                            0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
const uint8_t kAesPt[16] = {0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96,
                            0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a};
const uint8_t kAesCt[16] = {0x76, 0x49, 0xab, 0xac, 0x81, 0x19, 0xb2, 0x46,
                            0xce, 0xe9, 0x8e, 0x9b, 0x12, 0xe9, 0x19, 0x7d};
const uint8_t kSha256Abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
const uint8_t kHmacOut[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                              0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                              0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};

/// Run one single-step session built by `fill`; compare `want` with dst.
template <class Fill>
bool kat(ProvCtx *pctx, const char *what, size_t src_len, const uint8_t *src, const uint8_t *want,
         size_t want_len, Fill fill) {
    Ref<Session> s = Session::make(1, src_len + want_len + 64);
    if (!s) {
        raise(pctx, kReasonNoMemory, "self-test %s", what);
        return false;
    }
    acrypto_step &st = s->step(0);
    uint8_t *mem = s->alloc(src_len + want_len);
    if (mem == nullptr) {
        raise(pctx, kReasonNoMemory, "self-test %s", what);
        return false;
    }
    std::memcpy(mem, src, src_len);
    st.src = mem;
    st.src_len = src_len;
    st.dst = mem + src_len;
    st.dst_len = want_len;
    fill(*s, st);
    int status = execute(pctx, s, ExecMode::NoPause);
    if (status != ACRYPTO_OK) {
        raise(pctx, kReasonSelfTest, "%s: status %d", what, status);
        return false;
    }
    if (CRYPTO_memcmp(st.dst, want, want_len) != 0) {
        raise(pctx, kReasonSelfTest, "%s: wrong answer", what);
        return false;
    }
    return true;
}

} // namespace

bool run_self_test(ProvCtx *pctx) {
    acrypto::sched::SchedulerCore *sc = scheduler(pctx);
    if (sc == nullptr) {
        raise_status(pctx, ACRYPTO_E_SHUTDOWN, "self-test");
        return false;
    }
    auto aes_key = sc->make_key(ACRYPTO_ALG_AES, kAesKey, sizeof kAesKey);
    bool ok = kat(pctx, "AES-128-CBC", sizeof kAesPt, kAesPt, kAesCt, sizeof kAesCt,
                  [&](Session &s, acrypto_step &st) {
                      st.op = ACRYPTO_OP_CIPHER;
                      st.alg = ACRYPTO_ALG_AES;
                      st.mode = ACRYPTO_MODE_CBC;
                      st.dir = ACRYPTO_DIR_ENCRYPT;
                      st.iv_len = 16;
                      std::memcpy(st.iv, kAesIv, 16);
                      s.set_key(0, aes_key);
                  });
    const uint8_t abc[3] = {'a', 'b', 'c'};
    ok = ok && kat(pctx, "SHA-256", sizeof abc, abc, kSha256Abc, sizeof kSha256Abc,
                   [](Session &, acrypto_step &st) {
                       st.op = ACRYPTO_OP_DIGEST;
                       st.alg = ACRYPTO_ALG_SHA256;
                       st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
                   });
    const char *jefe_msg = "what do ya want for nothing?";
    auto hmac_key = sc->make_key(ACRYPTO_ALG_SHA256, reinterpret_cast<const uint8_t *>("Jefe"), 4);
    ok = ok && kat(pctx, "HMAC-SHA-256", std::strlen(jefe_msg),
                   reinterpret_cast<const uint8_t *>(jefe_msg), kHmacOut, sizeof kHmacOut,
                   [&](Session &s, acrypto_step &st) {
                       st.op = ACRYPTO_OP_MAC;
                       st.alg = ACRYPTO_ALG_SHA256;
                       st.mode = ACRYPTO_MODE_HMAC;
                       st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
                       s.set_key(0, hmac_key);
                   });
    if (!ok) return false;
    std::vector<std::string> messages;
    if (!sc->self_test(&messages)) {
        std::string all;
        for (const auto &m : messages) all += (all.empty() ? "" : "; ") + m;
        raise(pctx, kReasonSelfTest, "device self-test: %s", all.c_str());
        return false;
    }
    return true;
}

} // namespace acrypto::prov
