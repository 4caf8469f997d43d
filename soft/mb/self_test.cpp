// SPDX-License-Identifier: Apache-2.0
// Self-test vectors: NIST SP 800-38A/38D, FIPS 180-2, RFC 4231, each through the job path.
#include "acrypto/soft/mb/self_test.hpp"

#include <cstring>
#include <string_view>
#include <vector>

#include "acrypto/soft/mb/job.hpp"
#include "acrypto/soft/mb/key_cache.hpp"

namespace acrypto::soft::mb {

namespace {

std::vector<uint8_t> hex(std::string_view h) {
    std::vector<uint8_t> out;
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return 0;
    };
    for (size_t i = 0; i + 1 < h.size(); i += 2) {
        out.push_back(static_cast<uint8_t>(nib(h[i]) << 4 | nib(h[i + 1])));
    }
    return out;
}

struct Vector {
    const char *name;
    uint32_t op, alg, mode, dir;
    const char *key, *iv, *aad, *in, *out, *tag;
};

// Key ids far above the scheduler's (which count up from 1) and never reused.
constexpr uint64_t kSelfTestKeyBase = uint64_t{1} << 62;

constexpr Vector kVectors[] = {
    {"AES-128-CBC SP800-38A F.2.1", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT, "2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f",
     "", "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2", ""},
    {"AES-128-CBC SP800-38A F.2.2", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_DECRYPT, "2b7e151628aed2a6abf7158809cf4f3c", "000102030405060708090a0b0c0d0e0f",
     "", "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2",
     "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", ""},
    {"AES-128-CTR SP800-38A F.5.1", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_CTR,
     ACRYPTO_DIR_ENCRYPT, "2b7e151628aed2a6abf7158809cf4f3c", "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
     "", "6bc1bee22e409f96e93d7e117393172a", "874d6191b620e3261bef6864990db6ce", ""},
    {"AES-128-GCM SP800-38D test case 2", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_AES, ACRYPTO_MODE_GCM,
     ACRYPTO_DIR_ENCRYPT, "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"DES-EDE3-CBC SP800-67 style", ACRYPTO_OP_CIPHER, ACRYPTO_ALG_DES_EDE3, ACRYPTO_MODE_CBC,
     ACRYPTO_DIR_ENCRYPT, "0123456789abcdef23456789abcdef01456789abcdef0123", "0000000000000000",
     "", "5468652071756663", "a826fd8ce53b855f", ""},
    {"SHA-256 FIPS 180-2 abc", ACRYPTO_OP_DIGEST, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_NONE, 0, "", "",
     "", "616263", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ""},
    {"HMAC-SHA-256 RFC 4231 case 2", ACRYPTO_OP_MAC, ACRYPTO_ALG_SHA256, ACRYPTO_MODE_HMAC, 0,
     "4a656665", "", "", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", ""},
};

} // namespace

int run_self_test(Arch a, std::string *why) {
    ManagerPtr mgr = make_manager(a, why);
    if (!mgr) return ACRYPTO_E_DEVICE;
    KeyCache cache(mgr.get());
    uint64_t id = kSelfTestKeyBase;
    for (const Vector &v : kVectors) {
        auto key = hex(v.key), iv = hex(v.iv), aad = hex(v.aad), in = hex(v.in), want = hex(v.out),
             tag = hex(v.tag);
        std::vector<uint8_t> out(want.size() + 16, 0);
        acrypto_key k{};
        k.id = id++;
        k.alg = v.alg;
        k.data = key.data();
        k.len = key.size();
        acrypto_step st{};
        st.op = v.op;
        st.alg = v.alg;
        st.mode = v.mode;
        st.dir = v.dir;
        st.flags = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        st.key = v.op == ACRYPTO_OP_DIGEST ? nullptr : &k;
        if (!iv.empty()) std::memcpy(st.iv, iv.data(), iv.size());
        st.iv_len = static_cast<uint32_t>(iv.size());
        st.tag_len = tag.empty() ? 0 : static_cast<uint32_t>(tag.size());
        st.aad = aad.data();
        st.aad_len = aad.size();
        st.src = in.data();
        st.src_len = in.size();
        st.dst = out.data();
        st.dst_len = out.size();
        int rc = run_step_sync(mgr.get(), cache, st);
        bool ok = rc == ACRYPTO_OK && st.out_len == want.size() &&
                  std::memcmp(out.data(), want.data(), want.size()) == 0 &&
                  (tag.empty() || std::memcmp(st.tag, tag.data(), tag.size()) == 0);
        cache.drop(k.id);
        if (!ok) {
            if (why)
                *why = std::string("self-test failed: ") + v.name + " (" +
                       std::string(arch_name(a)) + ")";
            return ACRYPTO_E_DEVICE;
        }
    }
    return ACRYPTO_OK;
}

} // namespace acrypto::soft::mb
