// SPDX-License-Identifier: Apache-2.0
// cpu family "mac": HMAC over SHA-1/SHA-2 with per-key precomputed pad states.
#include "exec_mac.hpp"

#include <cstring>
#include <new>

#include <openssl/crypto.h>

#include "rates.hpp"
#include "sha_core.hpp"

namespace acrypto::soft::cpu {

namespace {

constexpr uint64_t kMaxInput = uint64_t{1} << 32;
constexpr uint32_t kFamilyId = 3;

constexpr acrypto_capability cap(uint32_t alg, double bps) {
    return {ACRYPTO_OP_MAC,
            alg,
            ACRYPTO_MODE_HMAC,
            0,
            0,
            1024,
            1,
            ACRYPTO_CAP_F_PARTIAL,
            kMaxInput,
            0,
            0,
            0,
            rates::kOffloadLatencyNs,
            bps,
            rates::kSmallOpsPerSec};
}
// kMacCaps: HMAC-SHA1/224/256/384/512, keys 0..1024 bytes, PARTIAL continuation:
// state is the inner hash's chaining value, state_len the message bytes absorbed.
const acrypto_capability kMacCaps[] = {
    cap(ACRYPTO_ALG_SHA1, rates::kSha1Bps),     cap(ACRYPTO_ALG_SHA224, rates::kSha256Bps),
    cap(ACRYPTO_ALG_SHA256, rates::kSha256Bps), cap(ACRYPTO_ALG_SHA384, rates::kSha512Bps),
    cap(ACRYPTO_ALG_SHA512, rates::kSha512Bps),
};

/// Hash states after absorbing K^ipad and K^opad (RFC 2104).
struct HmacPads {
    ShaCtx inner;
    ShaCtx outer;
};

void free_pads(void *p) {
    auto *pads = static_cast<HmacPads *>(p);
    pads->inner.wipe();
    pads->outer.wipe();
    delete pads;
}

bool make_pads(uint32_t alg, const uint8_t *key, size_t key_len, HmacPads &pads) {
    const ShaInfo *info = sha_info(alg);
    uint8_t k0[128] = {0};
    if (key_len > info->block_len) {
        ShaCtx h;
        h.init(alg);
        h.update(key, key_len);
        h.final(k0);
    } else if (key_len) {
        std::memcpy(k0, key, key_len);
    }
    uint8_t pad[128];
    for (size_t i = 0; i < info->block_len; ++i) pad[i] = k0[i] ^ 0x36;
    pads.inner.init(alg);
    pads.inner.update(pad, info->block_len);
    for (size_t i = 0; i < info->block_len; ++i) pad[i] = k0[i] ^ 0x5c;
    pads.outer.init(alg);
    pads.outer.update(pad, info->block_len);
    OPENSSL_cleanse(k0, sizeof(k0));
    OPENSSL_cleanse(pad, sizeof(pad));
    return true;
}

int exec(ExecCtx &c, acrypto_session &s, uint32_t i) {
    acrypto_step &st = s.steps[i];
    const ShaInfo *info = sha_info(st.alg);
    if (st.op != ACRYPTO_OP_MAC || st.mode != ACRYPTO_MODE_HMAC || !info)
        return ACRYPTO_E_UNSUPPORTED;
    if (!st.key || (st.key->len && !st.key->data) || st.key->len > 1024) return ACRYPTO_E_INVALID;
    const bool first = st.flags & ACRYPTO_STEP_F_FIRST;
    const bool final = st.flags & ACRYPTO_STEP_F_FINAL;
    if (st.src_len > kMaxInput || (st.src_len && !st.src)) return ACRYPTO_E_INVALID;
    if (!final && st.src_len % info->block_len != 0) return ACRYPTO_E_INVALID;
    if (final && (st.dst_len < info->digest_len || !st.dst)) return ACRYPTO_E_INVALID;
    if (!first && st.state_len % info->block_len != 0) return ACRYPTO_E_INVALID;

    const uint32_t tag = key_tag(kFamilyId, ACRYPTO_MODE_HMAC, st.alg);
    HmacPads local;
    auto *pads = static_cast<HmacPads *>(c.key_find(st.key->id, tag));
    if (!pads) {
        auto *fresh = new (std::nothrow) HmacPads;
        if (!fresh) return ACRYPTO_E_NOMEM;
        make_pads(st.alg, st.key->data, st.key->len, *fresh);
        if (c.key_put(st.key->id, tag, fresh, free_pads)) {
            pads = fresh;
        } else { // key id 0: not cacheable, key_put freed it
            make_pads(st.alg, st.key->data, st.key->len, local);
            pads = &local;
        }
    }
    ShaCtx h = pads->inner;
    if (!first && !h.load(st.alg, st.state, info->block_len + st.state_len)) {
        h.wipe();
        return ACRYPTO_E_INVALID;
    }
    h.update(st.src, st.src_len);
    if (final) {
        uint8_t ih[64];
        h.final(ih);
        ShaCtx o = pads->outer;
        o.update(ih, info->digest_len);
        o.final(st.dst);
        OPENSSL_cleanse(ih, sizeof(ih));
        st.out_len = info->digest_len;
    } else {
        h.store(st.state);
        st.state_len = (first ? 0 : st.state_len) + st.src_len;
        st.out_len = 0;
        h.wipe();
    }
    if (pads == &local) {
        local.inner.wipe();
        local.outer.wipe();
    }
    return ACRYPTO_OK;
}

} // namespace

const Family kMacFamily = {
    "mac", kMacCaps, sizeof(kMacCaps) / sizeof(kMacCaps[0]), exec, nullptr, nullptr, nullptr,
};

} // namespace acrypto::soft::cpu
