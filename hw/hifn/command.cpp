// SPDX-License-Identifier: Apache-2.0
// Command-buffer encoding (§4.1-§4.4) and result-record validation (§4.6, §7.7).
#include "command.hpp"

#include <cstring>

#include "regs.hpp"

namespace acrypto::hw::hifn {

using namespace regs;

namespace {

void put16(uint8_t *p, uint32_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}
uint32_t get16(std::span<const uint8_t> r, size_t off) {
    return static_cast<uint32_t>(r[off]) | (static_cast<uint32_t>(r[off + 1]) << 8);
}

/// The 8-byte sub-command layout shared by MAC and crypt (§4.1).
void put_sub(uint8_t *p, uint32_t masks, uint32_t len) {
    put16(p, masks | ((len >> 16) & 3u) << HIFN_SUB_CMD_LEN_S);
    put16(p + 2, 0); // header skip
    put16(p + 4, len & 0xFFFF);
    put16(p + 6, 0);
}

size_t key_len_for(const CommandSpec &s) {
    switch (s.crypt_alg) {
    case HIFN_CRYPT_CMD_ALG_DES: return HIFN_DES_KEY_LENGTH;
    case HIFN_CRYPT_CMD_ALG_3DES: return HIFN_3DES_KEY_LENGTH;
    case HIFN_CRYPT_CMD_ALG_AES:
        return s.key.size() == 16 || s.key.size() == 24 || s.key.size() == 32 ? s.key.size() : 0;
    default: return 0;
    }
}

} // namespace

size_t encode_command(const CommandSpec &s, uint8_t *out) {
    if (s.src_len > HIFN_MAX_LENGTH || s.dst_len > HIFN_MAX_LENGTH ||
        s.session > HIFN_BASE_CMD_SESSION_MASK || s.mac_key.size() > HIFN_MAC_KEY_LENGTH)
        return 0;
    if (s.crypt && (key_len_for(s) == 0 || key_len_for(s) != s.key.size())) return 0;
    size_t ivlen = s.crypt_alg == HIFN_CRYPT_CMD_ALG_AES ? HIFN_AES_IV_LENGTH : HIFN_DES_IV_LENGTH;
    bool send_iv = s.crypt && s.crypt_mode != HIFN_CRYPT_CMD_MODE_ECB;
    if (send_iv && s.iv.size() < ivlen) return 0;

    uint32_t base = 0;
    if (s.mac) base |= HIFN_BASE_CMD_MAC;
    if (s.crypt) base |= HIFN_BASE_CMD_CRYPT;
    if (s.decode) base |= HIFN_BASE_CMD_DECODE;
    put16(out, base);
    put16(out + 2, s.session | ((s.dst_len >> 16) & 3u) << HIFN_BASE_CMD_DSTLEN_S |
                       ((s.src_len >> 16) & 3u) << HIFN_BASE_CMD_SRCLEN_S);
    put16(out + 4, s.src_len & 0xFFFF);
    put16(out + 6, s.dst_len & 0xFFFF);
    size_t off = 8;
    if (s.mac) {
        uint32_t m = (s.mac_md5 ? HIFN_MAC_CMD_ALG_MD5 : HIFN_MAC_CMD_ALG_SHA1) |
                     (s.mac_hmac ? HIFN_MAC_CMD_MODE_HMAC : HIFN_MAC_CMD_MODE_HASH) |
                     HIFN_MAC_CMD_RESULT;
        if (s.crypt) m |= HIFN_MAC_CMD_POS_IPSEC; // MAC over the ciphertext, both directions
        if (s.mac_hmac && s.send_mac_key) m |= HIFN_MAC_CMD_NEW_KEY;
        put_sub(out + off, m, s.src_len);
        off += 8;
    }
    if (s.crypt) {
        uint32_t c = s.crypt_alg | s.crypt_mode | (s.send_key ? HIFN_CRYPT_CMD_NEW_KEY : 0);
        if (s.crypt_alg == HIFN_CRYPT_CMD_ALG_AES)
            c |= s.key.size() == 16   ? HIFN_CRYPT_CMD_KSZ_128
                 : s.key.size() == 24 ? HIFN_CRYPT_CMD_KSZ_192
                                      : HIFN_CRYPT_CMD_KSZ_256;
        if (send_iv) c |= HIFN_CRYPT_CMD_NEW_IV;
        put_sub(out + off, c, s.src_len);
        off += 8;
    }
    if (s.mac && s.mac_hmac && s.send_mac_key) {
        std::memset(out + off, 0, HIFN_MAC_KEY_LENGTH);
        if (!s.mac_key.empty()) std::memcpy(out + off, s.mac_key.data(), s.mac_key.size());
        off += HIFN_MAC_KEY_LENGTH;
    }
    if (s.crypt) {
        if (s.send_key) {
            std::memcpy(out + off, s.key.data(), s.key.size());
            off += s.key.size();
        }
        if (send_iv) {
            // Exactly the block size: [L]'s 24-byte 3DES IV is a known over-read (§6.7).
            std::memcpy(out + off, s.iv.data(), ivlen);
            off += ivlen;
        }
    }
    if (!s.mac && !s.crypt) {
        std::memset(out + off, 0, HIFN_NOP_PAD);
        off += HIFN_NOP_PAD;
    }
    return off;
}

ResultLayout result_layout(const CommandSpec &s) {
    ResultLayout l;
    uint32_t off = HIFN_BASE_RES_SIZE;
    if (s.mac) {
        l.mac_flags = off;
        l.mac = off + HIFN_MAC_RES_SIZE;
        l.mac_len = s.mac_md5 ? 16 : 20;
        off = l.mac + l.mac_len;
    }
    if (s.crypt) {
        l.crypt_flags = off;
        off += HIFN_CRYPT_RES_SIZE;
    }
    l.size = off;
    return l;
}

ResultCheck check_result(const CommandSpec &s, std::span<const uint8_t> rec, uint32_t out_min,
                         uint32_t out_max) {
    ResultCheck r;
    ResultLayout lay = result_layout(s);
    if (rec.size() < lay.size)
        return r; // Hostile: the driver always posts room for the whole record
    uint32_t flags = get16(rec, 0);
    uint32_t w1 = get16(rec, 2);
    uint32_t src_res = get16(rec, 4) | ((w1 >> HIFN_BASE_RES_SRCLEN_S) & 3u) << 16;
    uint32_t dst_res = get16(rec, 6) | ((w1 >> HIFN_BASE_RES_DSTLEN_S) & 3u) << 16;
    constexpr uint32_t pu_errors = HIFN_PUISR_CMDINVAL | HIFN_PUISR_DATAERR;
    if ((flags & ~(HIFN_BASE_RES_DSTOVERRUN | pu_errors)) != 0 ||
        // The session field may be echoed (§7.7): then it must be this command's.
        ((w1 & HIFN_BASE_CMD_SESSION_MASK) != 0 &&
         (w1 & HIFN_BASE_CMD_SESSION_MASK) != s.session) ||
        dst_res > s.dst_len || src_res > s.src_len)
        return r; // Hostile
    if ((flags & pu_errors) != 0) {
        r.status = ResultStatus::CommandError;
        return r;
    }
    if ((flags & HIFN_BASE_RES_DSTOVERRUN) != 0) {
        r.status = ResultStatus::DstOverrun;
        return r;
    }
    r.out_len = s.dst_len - dst_res;
    if (r.out_len < out_min || r.out_len > out_max) {
        r.status = ResultStatus::Hostile; // output must equal input (+ word padding)
        return r;
    }
    if (s.mac) {
        uint32_t mf = get16(rec, lay.mac_flags);
        if ((mf & ~(HIFN_MAC_RES_SRC_NOTZERO | HIFN_MAC_RES_MISCOMPARE)) != 0 ||
            get16(rec, lay.mac_flags + 2) != 0) {
            r.status = ResultStatus::Hostile;
            return r;
        }
        if ((mf & HIFN_MAC_RES_MISCOMPARE) != 0) {
            r.status = ResultStatus::MacError;
            return r;
        }
        if ((mf & HIFN_MAC_RES_SRC_NOTZERO) != 0) {
            r.status = ResultStatus::SourceLeft;
            return r;
        }
    }
    if (s.crypt) {
        uint32_t cf = get16(rec, lay.crypt_flags);
        if ((cf & ~HIFN_CRYPT_RES_SRC_NOTZERO) != 0 || get16(rec, lay.crypt_flags + 2) != 0) {
            r.status = ResultStatus::Hostile;
            return r;
        }
        if (cf != 0) {
            r.status = ResultStatus::SourceLeft;
            return r;
        }
    }
    r.status = src_res != 0 ? ResultStatus::SourceLeft : ResultStatus::Ok;
    return r;
}

RingCheck check_ring_done(const RingView &r, uint32_t count) noexcept {
    if (r.n == 0 || r.cons >= r.n || count > r.n || r.words.size() / kDescWords < r.n)
        return RingCheck::BadIndex;
    uint32_t i = r.cons;
    for (uint32_t k = 0; k < count; ++k) {
        if ((__atomic_load_n(&r.words[size_t{i} * kDescWords], __ATOMIC_ACQUIRE) & HIFN_D_VALID) !=
            0)
            return RingCheck::StillValid;
        i = i + 1 == r.n ? 0 : i + 1;
    }
    return RingCheck::Done;
}

RingCheck check_packet_done(const RingView &cmd, const RingView &src, uint32_t nsrc,
                            const RingView &dst, uint32_t ndst) noexcept {
    RingCheck c = check_ring_done(cmd, 1);
    if (c == RingCheck::Done) c = check_ring_done(src, nsrc);
    if (c == RingCheck::Done) c = check_ring_done(dst, ndst);
    return c;
}

} // namespace acrypto::hw::hifn
