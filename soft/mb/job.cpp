// SPDX-License-Identifier: Apache-2.0
// Step <-> IMB_JOB translation: validation, CTR splitting, chaining IVs, AEAD tags.
#include "acrypto/soft/mb/job.hpp"

#include <cstring>

namespace acrypto::soft::mb {

namespace {

// Non-null placeholder for empty AAD/input: the checked submit path rejects NULL.
alignas(16) const uint8_t kEmpty[16] = {};

bool hash_of(uint32_t alg, bool hmac, IMB_HASH_ALG *out, uint32_t *len) noexcept {
    switch (alg) {
    case ACRYPTO_ALG_SHA1:
        *out = hmac ? IMB_AUTH_HMAC_SHA_1 : IMB_AUTH_SHA_1;
        *len = 20;
        break;
    case ACRYPTO_ALG_SHA224:
        *out = hmac ? IMB_AUTH_HMAC_SHA_224 : IMB_AUTH_SHA_224;
        *len = 28;
        break;
    case ACRYPTO_ALG_SHA256:
        *out = hmac ? IMB_AUTH_HMAC_SHA_256 : IMB_AUTH_SHA_256;
        *len = 32;
        break;
    case ACRYPTO_ALG_SHA384:
        *out = hmac ? IMB_AUTH_HMAC_SHA_384 : IMB_AUTH_SHA_384;
        *len = 48;
        break;
    case ACRYPTO_ALG_SHA512:
        *out = hmac ? IMB_AUTH_HMAC_SHA_512 : IMB_AUTH_SHA_512;
        *len = 64;
        break;
    default: return false;
    }
    return true;
}

// 128-bit big-endian counter arithmetic (OpenSSL's CTR carries through all 16 bytes).
void ctr_add(uint8_t c[16], uint64_t n) noexcept {
    for (int i = 15; i >= 0 && n; --i) {
        uint64_t s = c[i] + (n & 0xff);
        c[i] = static_cast<uint8_t>(s);
        n = (n >> 8) + (s >> 8);
    }
}

void ctr_sub1(uint8_t c[16]) noexcept {
    for (int i = 15; i >= 0; --i) {
        if (c[i]--) break;
    }
}

uint32_t low32(const uint8_t c[16]) noexcept {
    return (uint32_t{c[12]} << 24) | (uint32_t{c[13]} << 16) | (uint32_t{c[14]} << 8) | c[15];
}

bool ct_equal(const uint8_t *a, const uint8_t *b, size_t n) noexcept {
    uint8_t d = 0;
    for (size_t i = 0; i < n; ++i) d |= static_cast<uint8_t>(a[i] ^ b[i]);
    return d == 0;
}

bool aes_key_ok(const acrypto_key *k) noexcept {
    return k && (k->len == 16 || k->len == 24 || k->len == 32) && k->data;
}

int check_cipher_buffers(const acrypto_step &st) noexcept {
    if (st.src_len == 0) return 0;
    if (!st.src || !st.dst || st.dst_len < st.src_len) return ACRYPTO_E_INVALID;
    return 0;
}

// Decrypt: the next chaining value is the last ciphertext block of the chunk,
// which an in-place operation overwrites, so keep it before submitting.
void save_next_iv(Slot &slot) noexcept {
    if (slot.plan.encrypt) return;
    size_t bs = slot.plan.kind == OpKind::AesCbc ? 16 : 8;
    std::memcpy(slot.iv_next, slot.step->src + slot.done + slot.chunk - bs, bs);
}

} // namespace

uint32_t mb_digest_size(uint32_t alg) noexcept {
    IMB_HASH_ALG h;
    uint32_t n = 0;
    return hash_of(alg, false, &h, &n) ? n : 0;
}

int plan_step(const acrypto_step &st, Plan *p) noexcept {
    *p = Plan{};
    switch (st.op) {
    case ACRYPTO_OP_CIPHER: {
        if (st.dir != ACRYPTO_DIR_ENCRYPT && st.dir != ACRYPTO_DIR_DECRYPT)
            return ACRYPTO_E_INVALID;
        p->encrypt = st.dir == ACRYPTO_DIR_ENCRYPT;
        if (int rc = check_cipher_buffers(st)) return rc;
        if (st.alg == ACRYPTO_ALG_AES) {
            if (!aes_key_ok(st.key)) return ACRYPTO_E_INVALID;
            switch (st.mode) {
            case ACRYPTO_MODE_CBC:
                p->kind = OpKind::AesCbc;
                p->schedule = ScheduleKind::Aes;
                if (st.iv_len != 16 || st.src_len % 16) return ACRYPTO_E_INVALID;
                return st.src_len ? 0 : kNoWork;
            case ACRYPTO_MODE_CTR:
                p->kind = OpKind::AesCtr;
                p->schedule = ScheduleKind::Aes;
                if (st.iv_len != 16 || st.num >= 16) return ACRYPTO_E_INVALID;
                return st.src_len ? 0 : kNoWork;
            case ACRYPTO_MODE_GCM:
                p->kind = OpKind::AesGcm;
                p->schedule = ScheduleKind::AesGcm;
                if (st.iv_len == 0 || st.iv_len > ACRYPTO_MAX_IV) return ACRYPTO_E_INVALID;
                if (st.tag_len == 0 || st.tag_len > 16) return ACRYPTO_E_INVALID;
                if (st.aad_len && !st.aad) return ACRYPTO_E_INVALID;
                return 0;
            default: return ACRYPTO_E_UNSUPPORTED;
            }
        }
        if (st.alg == ACRYPTO_ALG_DES || st.alg == ACRYPTO_ALG_DES_EDE3) {
            if (st.mode != ACRYPTO_MODE_CBC) return ACRYPTO_E_UNSUPPORTED;
            bool triple = st.alg == ACRYPTO_ALG_DES_EDE3;
            p->kind = triple ? OpKind::Des3Cbc : OpKind::DesCbc;
            p->schedule = triple ? ScheduleKind::Des3 : ScheduleKind::Des;
            size_t klen = triple ? 24 : 8;
            if (!st.key || st.key->len != klen || !st.key->data) return ACRYPTO_E_INVALID;
            if (st.iv_len != 8 || st.src_len % 8) return ACRYPTO_E_INVALID;
            return st.src_len ? 0 : kNoWork;
        }
        if (st.alg == ACRYPTO_ALG_CHACHA20 && st.mode == ACRYPTO_MODE_POLY1305) {
            p->kind = OpKind::ChachaPoly;
            p->schedule = ScheduleKind::Chacha;
            if (!st.key || st.key->len != 32 || !st.key->data) return ACRYPTO_E_INVALID;
            if (st.iv_len != 12) return ACRYPTO_E_INVALID;
            if (st.tag_len == 0 || st.tag_len > 16) return ACRYPTO_E_INVALID;
            if (st.aad_len && !st.aad) return ACRYPTO_E_INVALID;
            return 0;
        }
        return ACRYPTO_E_UNSUPPORTED;
    }
    case ACRYPTO_OP_DIGEST:
    case ACRYPTO_OP_MAC: {
        bool hmac = st.op == ACRYPTO_OP_MAC;
        if (hmac && st.mode != ACRYPTO_MODE_HMAC) return ACRYPTO_E_UNSUPPORTED;
        if (!hash_of(st.alg, hmac, &p->imb_hash, &p->digest_len)) return ACRYPTO_E_UNSUPPORTED;
        // One-shot only: no continuation state (no ACRYPTO_CAP_F_PARTIAL).
        constexpr uint32_t kOneShot = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
        if ((st.flags & kOneShot) != kOneShot) return ACRYPTO_E_UNSUPPORTED;
        if (st.src_len && !st.src) return ACRYPTO_E_INVALID;
        if (!st.dst || st.dst_len < p->digest_len) return ACRYPTO_E_INVALID;
        if (hmac && st.src_len > kHashJobMax) return ACRYPTO_E_UNSUPPORTED;
        p->kind = hmac ? OpKind::Hmac : OpKind::Digest;
        p->schedule = ScheduleKind::Hmac;
        p->hash_alg = st.alg;
        if (hmac && (!st.key || (st.key->len && !st.key->data))) return ACRYPTO_E_INVALID;
        return 0;
    }
    default: return ACRYPTO_E_UNSUPPORTED;
    }
}

uint32_t prepare_parts(Slot &slot) noexcept {
    const acrypto_step &st = *slot.step;
    slot.status = ACRYPTO_OK;
    slot.nparts = 0;
    switch (slot.plan.kind) {
    case OpKind::AesCbc:
    case OpKind::DesCbc:
    case OpKind::Des3Cbc: {
        // AES-CBC decrypt is single-buffer in the library and takes any length;
        // the lane algorithms run in chunks.
        bool lanes = slot.plan.kind != OpKind::AesCbc || slot.plan.encrypt;
        slot.done = 0;
        slot.chunk = lanes && st.src_len > kCbcChunk ? kCbcChunk : st.src_len;
        std::memcpy(slot.chain, st.iv, slot.plan.kind == OpKind::AesCbc ? 16 : 8);
        save_next_iv(slot);
        slot.parts[slot.nparts++] = Part::Whole;
        break;
    }
    case OpKind::AesCtr: {
        // The library increments only the low 32 bits of the counter block;
        // OpenSSL carries through all 128. Split the run where the low word wraps,
        // and serve a partially used keystream block (num > 0) from its own job.
        uint64_t len = st.src_len;
        slot.head_len = 0;
        if (st.num) {
            slot.head_len = static_cast<uint32_t>(len < 16u - st.num ? len : 16u - st.num);
            std::memcpy(slot.ctr_head, st.iv, 16);
            ctr_sub1(slot.ctr_head);
            std::memset(slot.head, 0, sizeof slot.head);
            std::memcpy(slot.head + st.num, st.src, slot.head_len);
            slot.parts[slot.nparts++] = Part::CtrHead;
            len -= slot.head_len;
        }
        if (len) {
            uint64_t blocks = (len + 15) / 16;
            uint64_t before_wrap = (uint64_t{1} << 32) - low32(st.iv);
            if (blocks > before_wrap) {
                slot.body1_len = before_wrap * 16;
                std::memcpy(slot.ctr_body2, st.iv, 16);
                ctr_add(slot.ctr_body2, before_wrap);
                slot.parts[slot.nparts++] = Part::CtrBody1;
                slot.parts[slot.nparts++] = Part::CtrBody2;
            } else {
                slot.body1_len = len;
                slot.parts[slot.nparts++] = Part::CtrBody1;
            }
        }
        break;
    }
    default: slot.parts[slot.nparts++] = Part::Whole; break;
    }
    slot.parts_left = slot.nparts;
    return slot.nparts;
}

void fill_job(const Slot &slot, uint32_t i, IMB_JOB *job) noexcept {
    const acrypto_step &st = *slot.step;
    const KeySchedule *k = slot.key;
    const Plan &p = slot.plan;
    job->user_data = const_cast<Slot *>(&slot);
    job->user_data2 = nullptr;
    job->cipher_direction = p.encrypt ? IMB_DIR_ENCRYPT : IMB_DIR_DECRYPT;
    job->chain_order = p.encrypt ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
    job->cipher_start_src_offset_in_bytes = 0;
    job->hash_start_src_offset_in_bytes = 0;
    job->msg_len_to_hash_in_bytes = 0;
    job->auth_tag_output = nullptr;
    job->auth_tag_output_len_in_bytes = 0;
    job->hash_alg = IMB_AUTH_NULL;
    job->src = st.src_len ? st.src : kEmpty;
    job->dst = st.src_len ? st.dst : const_cast<uint8_t *>(slot.head);
    job->msg_len_to_cipher_in_bytes = st.src_len;
    job->iv = st.iv;
    job->iv_len_in_bytes = st.iv_len;
    if (p.kind == OpKind::AesCbc || p.kind == OpKind::DesCbc || p.kind == OpKind::Des3Cbc) {
        job->src = st.src + slot.done;
        job->dst = st.dst + slot.done;
        job->msg_len_to_cipher_in_bytes = slot.chunk;
        job->iv = slot.chain;
    }
    switch (p.kind) {
    case OpKind::AesCbc:
        job->cipher_mode = IMB_CIPHER_CBC;
        job->enc_keys = k->m.aes.enc;
        job->dec_keys = k->m.aes.dec;
        job->key_len_in_bytes = k->key_len;
        break;
    case OpKind::AesCtr: {
        job->cipher_mode = IMB_CIPHER_CNTR;
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_CIPHER_HASH;
        job->enc_keys = k->m.aes.enc;
        job->dec_keys = k->m.aes.enc;
        job->key_len_in_bytes = k->key_len;
        job->iv_len_in_bytes = 16;
        switch (slot.parts[i]) {
        case Part::CtrHead:
            job->src = slot.head;
            job->dst = const_cast<uint8_t *>(slot.head);
            job->msg_len_to_cipher_in_bytes = 16;
            job->iv = slot.ctr_head;
            break;
        case Part::CtrBody1:
            job->src = st.src + slot.head_len;
            job->dst = st.dst + slot.head_len;
            job->msg_len_to_cipher_in_bytes = slot.body1_len;
            job->iv = st.iv;
            break;
        case Part::CtrBody2: {
            uint64_t off = slot.head_len + slot.body1_len;
            job->src = st.src + off;
            job->dst = st.dst + off;
            job->msg_len_to_cipher_in_bytes = st.src_len - off;
            job->iv = slot.ctr_body2;
            break;
        }
        case Part::Whole: break;
        }
        break;
    }
    case OpKind::DesCbc:
        job->cipher_mode = IMB_CIPHER_DES;
        job->enc_keys = k->m.des.ks[0];
        job->dec_keys = k->m.des.ks[0];
        job->key_len_in_bytes = 8;
        break;
    case OpKind::Des3Cbc:
        job->cipher_mode = IMB_CIPHER_DES3;
        job->enc_keys = k->m.des.ks_ptr;
        job->dec_keys = k->m.des.ks_ptr;
        job->key_len_in_bytes = 24;
        break;
    case OpKind::AesGcm:
        job->cipher_mode = IMB_CIPHER_GCM;
        job->hash_alg = IMB_AUTH_AES_GMAC;
        job->enc_keys = k->gcm();
        job->dec_keys = k->gcm();
        job->key_len_in_bytes = k->key_len;
        job->msg_len_to_hash_in_bytes = st.src_len;
        job->u.GCM.aad = st.aad_len ? st.aad : kEmpty;
        job->u.GCM.aad_len_in_bytes = st.aad_len;
        job->auth_tag_output = const_cast<uint8_t *>(slot.tag);
        job->auth_tag_output_len_in_bytes = 16;
        break;
    case OpKind::ChachaPoly:
        job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
        job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
        job->enc_keys = k->m.chacha.key;
        job->dec_keys = k->m.chacha.key;
        job->key_len_in_bytes = 32;
        job->msg_len_to_hash_in_bytes = st.src_len;
        job->u.CHACHA20_POLY1305.aad = st.aad_len ? st.aad : kEmpty;
        job->u.CHACHA20_POLY1305.aad_len_in_bytes = st.aad_len;
        job->auth_tag_output = const_cast<uint8_t *>(slot.tag);
        job->auth_tag_output_len_in_bytes = 16;
        break;
    case OpKind::Hmac:
    case OpKind::Digest:
        job->cipher_mode = IMB_CIPHER_NULL;
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_HASH_CIPHER;
        job->hash_alg = p.imb_hash;
        job->enc_keys = nullptr;
        job->dec_keys = nullptr;
        job->key_len_in_bytes = 0;
        job->iv = nullptr;
        job->iv_len_in_bytes = 0;
        job->dst = nullptr;
        job->msg_len_to_cipher_in_bytes = 0;
        job->msg_len_to_hash_in_bytes = st.src_len;
        job->auth_tag_output = st.dst;
        job->auth_tag_output_len_in_bytes = p.digest_len;
        if (p.kind == OpKind::Hmac) {
            job->u.HMAC._hashed_auth_key_xor_ipad = k->m.hmac.ipad;
            job->u.HMAC._hashed_auth_key_xor_opad = k->m.hmac.opad;
        }
        break;
    }
}

int status_from_job(const IMB_JOB *job) noexcept {
    switch (job->status) {
    case IMB_STATUS_COMPLETED: return ACRYPTO_OK;
    case IMB_STATUS_INVALID_ARGS: return ACRYPTO_E_INVALID;
    default: return ACRYPTO_E_INTERNAL;
    }
}

bool next_chunk(Slot &slot) noexcept {
    if (slot.plan.kind != OpKind::AesCbc && slot.plan.kind != OpKind::DesCbc &&
        slot.plan.kind != OpKind::Des3Cbc) {
        return false;
    }
    const acrypto_step &st = *slot.step;
    uint64_t end = slot.done + slot.chunk;
    if (end >= st.src_len || slot.status != ACRYPTO_OK) return false;
    size_t bs = slot.plan.kind == OpKind::AesCbc ? 16 : 8;
    if (slot.plan.encrypt) {
        std::memcpy(slot.chain, st.dst + end - bs, bs);
    } else {
        std::memcpy(slot.chain, slot.iv_next, bs);
    }
    slot.done = end;
    slot.chunk = st.src_len - end > kCbcChunk ? kCbcChunk : st.src_len - end;
    save_next_iv(slot);
    slot.parts_left = slot.nparts;
    return true;
}

bool digest_direct(IMB_MGR *mgr, Slot &slot) noexcept {
    const acrypto_step &st = *slot.step;
    if (slot.plan.kind != OpKind::Digest || st.src_len <= kHashJobMax) return false;
    hash_fn_t fn = nullptr;
    switch (st.alg) {
    case ACRYPTO_ALG_SHA1: fn = mgr->sha1; break;
    case ACRYPTO_ALG_SHA224: fn = mgr->sha224; break;
    case ACRYPTO_ALG_SHA256: fn = mgr->sha256; break;
    case ACRYPTO_ALG_SHA384: fn = mgr->sha384; break;
    case ACRYPTO_ALG_SHA512: fn = mgr->sha512; break;
    default: return false;
    }
    fn(st.src, st.src_len, st.dst);
    slot.status = ACRYPTO_OK;
    slot.parts_left = 0;
    return true;
}

int hmac_empty(IMB_MGR *mgr, const acrypto_step &st, uint32_t digest_len) noexcept {
    hash_fn_t fn = nullptr;
    size_t block = 64;
    switch (st.alg) {
    case ACRYPTO_ALG_SHA1: fn = mgr->sha1; break;
    case ACRYPTO_ALG_SHA224: fn = mgr->sha224; break;
    case ACRYPTO_ALG_SHA256: fn = mgr->sha256; break;
    case ACRYPTO_ALG_SHA384:
        fn = mgr->sha384;
        block = 128;
        break;
    case ACRYPTO_ALG_SHA512:
        fn = mgr->sha512;
        block = 128;
        break;
    default: return ACRYPTO_E_UNSUPPORTED;
    }
    // HMAC(K, "") = H((K ^ opad) || H(K ^ ipad)), K hashed first when longer than a block.
    alignas(16) uint8_t k[128] = {};
    alignas(16) uint8_t buf[128 + 64];
    alignas(16) uint8_t inner[64];
    const acrypto_key &key = *st.key;
    if (key.len > block) {
        fn(key.data, key.len, k);
    } else if (key.len) {
        std::memcpy(k, key.data, key.len);
    }
    for (size_t i = 0; i < block; ++i) buf[i] = k[i] ^ 0x36;
    fn(buf, block, inner);
    for (size_t i = 0; i < block; ++i) buf[i] = k[i] ^ 0x5c;
    std::memcpy(buf + block, inner, digest_len);
    fn(buf, block + digest_len, st.dst);
    secure_wipe(k, sizeof k);
    secure_wipe(buf, sizeof buf);
    secure_wipe(inner, sizeof inner);
    return ACRYPTO_OK;
}

int finish_step(Slot &slot) noexcept {
    acrypto_step &st = *slot.step;
    if (slot.status != ACRYPTO_OK) return slot.status;
    switch (slot.plan.kind) {
    case OpKind::AesCbc:
    case OpKind::DesCbc:
    case OpKind::Des3Cbc: {
        size_t bs = slot.plan.kind == OpKind::AesCbc ? 16 : 8;
        if (slot.plan.encrypt) {
            std::memcpy(st.iv, st.dst + st.src_len - bs, bs);
            secure_wipe(slot.chain, sizeof slot.chain);
        } else {
            std::memcpy(st.iv, slot.iv_next, bs);
        }
        st.out_len = st.src_len;
        return ACRYPTO_OK;
    }
    case OpKind::AesCtr: {
        uint64_t body = st.src_len - slot.head_len;
        if (slot.head_len) {
            std::memcpy(st.dst, slot.head + st.num, slot.head_len);
            secure_wipe(slot.head, sizeof slot.head);
        }
        if (body) {
            ctr_add(st.iv, (body + 15) / 16);
            st.num = static_cast<uint32_t>(body % 16);
        } else {
            st.num = (st.num + slot.head_len) % 16;
        }
        st.out_len = st.src_len;
        return ACRYPTO_OK;
    }
    case OpKind::AesGcm:
    case OpKind::ChachaPoly: {
        st.out_len = st.src_len;
        int rc = ACRYPTO_OK;
        if (slot.plan.encrypt) {
            std::memcpy(st.tag, slot.tag, st.tag_len);
        } else if (!ct_equal(st.tag, slot.tag, st.tag_len)) {
            rc = ACRYPTO_E_VERIFY;
        }
        secure_wipe(slot.tag, sizeof slot.tag);
        return rc;
    }
    case OpKind::Hmac:
    case OpKind::Digest: st.out_len = slot.plan.digest_len; return ACRYPTO_OK;
    }
    return ACRYPTO_E_INTERNAL;
}

namespace {

void finish_part(IMB_JOB *job) noexcept {
    auto *slot = static_cast<Slot *>(job->user_data);
    int rc = status_from_job(job);
    if (rc != ACRYPTO_OK && slot->status == ACRYPTO_OK) slot->status = rc;
    --slot->parts_left;
}

} // namespace

int run_step_sync(IMB_MGR *mgr, KeyCache &cache, acrypto_step &st) noexcept {
    Slot slot;
    slot.step = &st;
    int rc = plan_step(st, &slot.plan);
    if (rc == kNoWork) {
        st.out_len = 0;
        return ACRYPTO_OK;
    }
    if (rc != 0) return rc;
    if (slot.plan.kind == OpKind::Hmac && st.src_len == 0) {
        rc = hmac_empty(mgr, st, slot.plan.digest_len);
        if (rc == ACRYPTO_OK) st.out_len = slot.plan.digest_len;
        return rc;
    }
    if (digest_direct(mgr, slot)) return finish_step(slot);
    if (slot.plan.kind != OpKind::Digest) {
        auto guard = cache.lock();
        slot.key = cache.get(*st.key, slot.plan.schedule, slot.plan.hash_alg, &rc);
        if (!slot.key) return rc;
    }
    uint32_t n = prepare_parts(slot);
    do {
        for (uint32_t i = 0; i < n; ++i) {
            IMB_JOB *job = IMB_GET_NEXT_JOB(mgr);
            fill_job(slot, i, job);
            for (IMB_JOB *done = IMB_SUBMIT_JOB(mgr); done; done = IMB_GET_COMPLETED_JOB(mgr)) {
                finish_part(done);
            }
        }
        while (IMB_JOB *done = IMB_FLUSH_JOB(mgr)) finish_part(done);
        if (slot.parts_left != 0) return ACRYPTO_E_INTERNAL;
    } while (next_chunk(slot));
    return finish_step(slot);
}

} // namespace acrypto::soft::mb
