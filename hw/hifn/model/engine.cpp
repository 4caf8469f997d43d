// SPDX-License-Identifier: Apache-2.0
// HifnModel descriptor engine and command processor (§7.4-§7.6): one command per step.
#include <algorithm>
#include <cstring>
#include <vector>

#include <openssl/crypto.h>

#include "../regs.hpp"
#include "crypto_engine.hpp"
#include "hifn_model.hpp"

namespace acrypto::hw::hifn::model {

using namespace regs;

namespace {

constexpr unsigned kCmd = 0, kSrc = 1, kRes = 2, kDst = 3;
constexpr unsigned kMaxJumps = 4;      // consecutive jumps before a jump loop aborts
constexpr unsigned kMaxSegments = 256; // descriptors per operand before the ring aborts
constexpr uint32_t kAbort[4] = {HIFN_DMACSR_C_ABORT, HIFN_DMACSR_S_ABORT, HIFN_DMACSR_R_ABORT,
                                HIFN_DMACSR_D_ABORT};
constexpr uint32_t kWait[4] = {HIFN_DMACSR_C_WAIT, HIFN_DMACSR_S_WAIT, HIFN_DMACSR_R_WAIT,
                               HIFN_DMACSR_D_WAIT};
constexpr uint32_t kDone[4] = {HIFN_DMACSR_C_DONE, HIFN_DMACSR_S_DONE, HIFN_DMACSR_R_DONE,
                               HIFN_DMACSR_D_DONE};
constexpr uint32_t kLast[4] = {HIFN_DMACSR_C_LAST, HIFN_DMACSR_S_LAST, HIFN_DMACSR_R_LAST,
                               HIFN_DMACSR_D_LAST};

uint32_t load_acquire(uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void store_release(uint32_t *p, uint32_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
uint16_t le16(const uint8_t *p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
void put16(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
}

/// One descriptor seen by a peek: where its `l` lives, its words.
struct Desc {
    uint32_t *ptr = nullptr;
    uint32_t l = 0, p = 0;
};

enum class Peek { Ok, NotValid, Abort };

/// The parsed command buffer (§4).
struct Command {
    uint16_t base = 0, session = 0;
    uint32_t src_total = 0, dst_total = 0;
    bool mac = false, crypt = false, comp = false, decode = false;
    uint16_t mac_masks = 0, crypt_masks = 0;
    uint32_t mac_skip = 0, mac_len = 0, crypt_skip = 0, crypt_len = 0;
    const uint8_t *mac_key = nullptr, *key = nullptr, *iv = nullptr;
    size_t key_len = 0, iv_len = 0;
};

} // namespace

/// Everything one command will consume, collected before anything is written.
struct HifnModel::Peeked {
    Desc cmd, res;
    std::vector<Desc> src, dst, jumps;
    uint32_t cur[4] = {};
};

void HifnModel::engine() {
    std::unique_lock lk(mu_);
    while (!stop_) {
        bool can = running_locked() && !halted_ && !stalled_ && rings_[kCmd].enabled;
        if (!can) {
            streaming_ = false;
            cv_.wait(lk);
            continue;
        }
        Step s = step_locked(lk);
        streaming_ = s == Step::Done;
        if (s == Step::Idle) cv_.wait_for(lk, cfg_.poll); // the chip re-polls at POLLFREQ (§3.3)
    }
}

HifnModel::Step HifnModel::step_locked(std::unique_lock<std::mutex> &lk) {
    const uint64_t gen = gen_;
    Peeked pk;
    for (unsigned r = 0; r < 4; ++r) pk.cur[r] = rings_[r].cur;

    auto abort_ring = [&](unsigned r) {
        ++st_.aborts;
        halted_ = true; // a PCI master abort halts the engine until reset
        set_status_locked(kAbort[r]);
        return Step::Halted;
    };
    // Read the descriptor at the ring's peek cursor, following jumps (not yet cleared).
    auto peek = [&](unsigned r, Desc &d) -> Peek {
        for (unsigned j = 0; j <= kMaxJumps; ++j) {
            uint32_t at = pk.cur[r];
            auto *w = reinterpret_cast<uint32_t *>((at & 3u) ? nullptr : arena_.to_cpu(at, 8));
            if (w == nullptr) return Peek::Abort;
            uint32_t l = load_acquire(&w[0]);
            if ((l & HIFN_D_VALID) == 0) return Peek::NotValid;
            uint32_t p = __atomic_load_n(&w[1], __ATOMIC_RELAXED); // read only after VALID
            if ((l & HIFN_D_JUMP) != 0) {
                pk.jumps.push_back(Desc{w, l, p});
                pk.cur[r] = p;
                continue;
            }
            d = Desc{w, l, p};
            pk.cur[r] = at + HIFN_DESC_SIZE;
            return Peek::Ok;
        }
        return Peek::Abort; // jump loop
    };
    auto wait_on = [&](unsigned r) {
        set_status_locked(kWait[r]);
        return Step::Idle;
    };

    // 1. Command descriptor, then the whole packet: sources and destinations up to
    //    LAST, and the result descriptor.
    if (!rings_[kSrc].enabled || !rings_[kDst].enabled || !rings_[kRes].enabled) return Step::Idle;
    Peek st = peek(kCmd, pk.cmd);
    if (st == Peek::Abort) return abort_ring(kCmd);
    if (st == Peek::NotValid) return wait_on(kCmd);
    for (unsigned r : {kSrc, kDst}) {
        auto &list = r == kSrc ? pk.src : pk.dst;
        for (;;) {
            Desc d;
            st = peek(r, d);
            if (st == Peek::Abort) return abort_ring(r);
            if (st == Peek::NotValid) return wait_on(r);
            list.push_back(d);
            if ((d.l & HIFN_D_LAST) != 0) break;
            if (list.size() >= kMaxSegments) return abort_ring(r);
        }
    }
    st = peek(kRes, pk.res);
    if (st == Peek::Abort) return abort_ring(kRes);
    if (st == Peek::NotValid) return wait_on(kRes);

    ++cmd_index_;
    const auto started = std::chrono::steady_clock::now();
    if (fault_now_locked(Fault::Stall)) {
        stalled_ = true;
        return Step::Halted;
    }
    if (fault_now_locked(Fault::DmaError)) return abort_ring(kSrc);

    // 2. Buffers must lie inside the DMA window and be 4-byte aligned.
    uint32_t cmd_len = pk.cmd.l & HIFN_D_LENGTH;
    const uint8_t *cbuf =
        (pk.cmd.p & 3u) ? nullptr : arena_.to_cpu(pk.cmd.p, cmd_len ? cmd_len : 1);
    if (cbuf == nullptr) return abort_ring(kCmd);
    std::vector<uint8_t> in;
    for (auto &d : pk.src) {
        uint32_t len = d.l & HIFN_D_LENGTH;
        if (len == 0) continue;
        const uint8_t *b = (d.p & 3u) ? nullptr : arena_.to_cpu(d.p, len);
        if (b == nullptr) return abort_ring(kSrc);
        in.insert(in.end(), b, b + len);
    }
    uint64_t dst_cap = 0;
    for (auto &d : pk.dst) {
        uint32_t len = d.l & HIFN_D_LENGTH;
        if (len != 0 && ((d.p & 3u) || arena_.to_cpu(d.p, len) == nullptr)) return abort_ring(kDst);
        dst_cap += len;
    }
    uint32_t res_len = pk.res.l & HIFN_D_LENGTH;
    if (res_len != 0 && ((pk.res.p & 3u) || arena_.to_cpu(pk.res.p, res_len) == nullptr))
        return abort_ring(kRes);

    // 3. Parse the command (§4), bounded by the descriptor length.
    Command c;
    uint32_t pu_err = 0;
    std::vector<uint8_t> cmd(cbuf, cbuf + cmd_len);
    struct Wipe { // the command copy carries keys
        std::vector<uint8_t> &v;
        ~Wipe() { OPENSSL_cleanse(v.data(), v.size()); }
    } wipe_cmd{cmd};
    size_t off = 0;
    auto need = [&](size_t n) {
        if (off + n > cmd.size()) {
            pu_err = HIFN_PUISR_CMDINVAL;
            return false;
        }
        return true;
    };
    auto sub = [&](uint16_t &masks, uint32_t &skip, uint32_t &len) {
        masks = le16(&cmd[off]);
        skip = le16(&cmd[off + 2]);
        len = le16(&cmd[off + 4]) | (static_cast<uint32_t>(masks >> HIFN_SUB_CMD_LEN_S) << 16);
        off += 8;
    };
    if (need(8)) {
        c.base = le16(&cmd[0]);
        uint16_t w1 = le16(&cmd[2]);
        c.session = w1 & HIFN_BASE_CMD_SESSION_MASK;
        c.src_total = le16(&cmd[4]) | (uint32_t{(w1 >> HIFN_BASE_CMD_SRCLEN_S) & 3u} << 16);
        c.dst_total = le16(&cmd[6]) | (uint32_t{(w1 >> HIFN_BASE_CMD_DSTLEN_S) & 3u} << 16);
        off = 8;
        c.comp = (c.base & HIFN_BASE_CMD_COMP) != 0;
        c.mac = (c.base & HIFN_BASE_CMD_MAC) != 0;
        c.crypt = (c.base & HIFN_BASE_CMD_CRYPT) != 0;
        c.decode = (c.base & HIFN_BASE_CMD_OP_MASK) == HIFN_BASE_CMD_DECODE;
        if ((c.base & HIFN_BASE_CMD_OP_MASK) >= HIFN_BASE_CMD_READ_RAM || c.comp)
            pu_err = HIFN_PUISR_CMDINVAL; // no context-RAM probe on 795x; LZS not modelled
        uint16_t unused;
        uint32_t u1, u2;
        if (!pu_err && c.comp && need(8)) sub(unused, u1, u2);
        if (!pu_err && c.mac && need(8)) sub(c.mac_masks, c.mac_skip, c.mac_len);
        if (!pu_err && c.crypt && need(8)) sub(c.crypt_masks, c.crypt_skip, c.crypt_len);
        if (!pu_err && c.mac && (c.mac_masks & HIFN_MAC_CMD_NEW_KEY) && need(HIFN_MAC_KEY_LENGTH)) {
            c.mac_key = &cmd[off];
            off += HIFN_MAC_KEY_LENGTH;
        }
        auto alg = static_cast<CipherAlg>(c.crypt_masks & HIFN_CRYPT_CMD_ALG_MASK);
        if (!pu_err && c.crypt) {
            switch (alg) {
            case CipherAlg::Des: c.key_len = HIFN_DES_KEY_LENGTH; break;
            case CipherAlg::TripleDes: c.key_len = HIFN_3DES_KEY_LENGTH; break;
            case CipherAlg::Rc4: c.key_len = HIFN_RC4_KEY_LENGTH; break;
            case CipherAlg::Aes:
                switch (c.crypt_masks & HIFN_CRYPT_CMD_KSZ_MASK) {
                case HIFN_CRYPT_CMD_KSZ_128: c.key_len = 16; break;
                case HIFN_CRYPT_CMD_KSZ_192: c.key_len = 24; break;
                case HIFN_CRYPT_CMD_KSZ_256: c.key_len = 32; break;
                default: pu_err = HIFN_PUISR_CMDINVAL; // reserved key-size code
                }
                break;
            }
            c.iv_len = alg == CipherAlg::Aes   ? HIFN_AES_IV_LENGTH
                       : alg == CipherAlg::Rc4 ? 0
                                               : HIFN_DES_IV_LENGTH;
            if (!pu_err && (c.crypt_masks & HIFN_CRYPT_CMD_NEW_KEY) && need(c.key_len)) {
                c.key = &cmd[off];
                off += c.key_len;
            }
            if (!pu_err && (c.crypt_masks & HIFN_CRYPT_CMD_NEW_IV)) {
                if (c.iv_len == 0)
                    pu_err = HIFN_PUISR_CMDINVAL;
                else if (need(c.iv_len)) {
                    c.iv = &cmd[off];
                    off += c.iv_len;
                }
            }
        }
        if (!pu_err && !c.mac && !c.crypt && !c.comp) (void)need(HIFN_NOP_PAD);
        // Enable level (§2.1): DES/MD5/SHA1 need ENA_1, 3DES/ARC4/AES need ENA_2.
        uint32_t need_level = 0;
        if (c.mac || (c.crypt && alg == CipherAlg::Des)) need_level = HIFN_PUSTAT_ENA_1 >> 8;
        if (c.crypt && alg != CipherAlg::Des) need_level = HIFN_PUSTAT_ENA_2 >> 8;
        if (need_level != 0 && (lock_ != Lock::Unlocked || level_ < need_level))
            pu_err = HIFN_PUISR_CMDINVAL;
        unsigned nctx =
            (pucnfg_ & HIFN_PUCNFG_COMPSING)
                ? HIFN_795X_CTX_RAM /
                      ((pucnfg_ & HIFN_PUCNFG_ENCCNFG) ? HIFN_CTX_SIZE_SMALL : HIFN_CTX_SIZE_LARGE)
                : HIFN_795X_CTX_RAM / 16384;
        if (c.session >= nctx) pu_err = HIFN_PUISR_CMDINVAL;
        if (in.size() != c.src_total)
            pu_err = HIFN_PUISR_CMDINVAL; // source total != sum of source descriptors
        if (c.mac && uint64_t{c.mac_skip} + c.mac_len > c.src_total) pu_err = HIFN_PUISR_CMDINVAL;
        if (c.crypt && uint64_t{c.crypt_skip} + c.crypt_len > c.src_total)
            pu_err = HIFN_PUISR_CMDINVAL;
        if (c.mac && c.crypt && (c.mac_masks & HIFN_MAC_CMD_POS_MASK) != HIFN_MAC_CMD_POS_IPSEC)
            pu_err = HIFN_PUISR_CMDINVAL; // model choice: only the IPsec order is offered
        if (c.mac && ((c.mac_masks & HIFN_MAC_CMD_MODE_MASK) == HIFN_MAC_CMD_MODE_SSL_MAC ||
                      (c.mac_masks & HIFN_MAC_CMD_MODE_MASK) == HIFN_MAC_CMD_MODE_MASK))
            pu_err = HIFN_PUISR_CMDINVAL;
        if (!pu_err && c.crypt) {
            Context &ctx = contexts_[c.session];
            if (c.key != nullptr) {
                ctx.key.assign(c.key, c.key + c.key_len);
                ctx.has_key = true;
            } else if (!ctx.has_key || ctx.key.size() != c.key_len) {
                pu_err = HIFN_PUISR_CMDINVAL; // no cached key for this session
            }
            if (c.iv != nullptr) ctx.iv.assign(c.iv, c.iv + c.iv_len);
            auto mode = (c.crypt_masks & HIFN_CRYPT_CMD_MODE_MASK) >> 3;
            size_t block = alg == CipherAlg::Aes ? 16 : alg == CipherAlg::Rc4 ? 1 : 8;
            if (!pu_err && mode <= 1 && c.crypt_len % block != 0) pu_err = HIFN_PUISR_DATAERR;
        }
        if (!pu_err && c.mac && (c.mac_masks & HIFN_MAC_CMD_MODE_MASK) == HIFN_MAC_CMD_MODE_HMAC) {
            Context &ctx = contexts_[c.session];
            if (c.mac_key != nullptr)
                ctx.mac_key.assign(c.mac_key, c.mac_key + HIFN_MAC_KEY_LENGTH);
            else if (ctx.mac_key.empty())
                pu_err = HIFN_PUISR_CMDINVAL;
        }
    }

    if (pu_err != 0 && cfg_.on_cmd_error == CmdErrorReaction::Stall) {
        if (pu_err == HIFN_PUISR_CMDINVAL)
            ++st_.cmdinval;
        else
            ++st_.dataerr;
        set_pu_locked(pu_err);
        stalled_ = true;
        return Step::Halted;
    }

    // 4. Run the engines outside the lock (§7.5), in IPsec order.
    std::vector<uint8_t> out(in);
    uint8_t mac[20] = {};
    size_t mac_n = 0;
    bool engine_ok = true;
    if (pu_err == 0) {
        Context ctx = contexts_[c.session];
        auto alg = static_cast<CipherAlg>(c.crypt_masks & HIFN_CRYPT_CMD_ALG_MASK);
        auto mode = static_cast<CipherMode>((c.crypt_masks & HIFN_CRYPT_CMD_MODE_MASK) >> 3);
        bool md5 = (c.mac_masks & 1u) != 0;
        bool hmac = (c.mac_masks & HIFN_MAC_CMD_MODE_MASK) == HIFN_MAC_CMD_MODE_HMAC;
        lk.unlock();
        auto do_mac = [&](const std::vector<uint8_t> &buf) {
            std::span<const uint8_t> key;
            if (hmac) key = ctx.mac_key;
            mac_n = crypto_->mac(md5, hmac, key,
                                 std::span<const uint8_t>(buf).subspan(c.mac_skip, c.mac_len), mac);
            engine_ok = engine_ok && mac_n != 0;
        };
        if (c.mac && c.decode) do_mac(in); // decode: MAC the ciphertext, then decrypt
        if (c.crypt && c.crypt_len != 0) {
            std::vector<uint8_t> iv = ctx.iv;
            iv.resize(16);
            engine_ok =
                engine_ok &&
                crypto_->cipher(alg, mode, c.decode, ctx.key, iv,
                                std::span<const uint8_t>(in).subspan(c.crypt_skip, c.crypt_len),
                                out.data() + c.crypt_skip);
        }
        if (c.mac && !c.decode) do_mac(out);             // encode: MAC over the ciphertext
        OPENSSL_cleanse(ctx.key.data(), ctx.key.size()); // the engines' copy of the keys
        OPENSSL_cleanse(ctx.mac_key.data(), ctx.mac_key.size());
        lk.lock();
        if (gen != gen_ || stop_)
            return Step::Idle; // reset while the engines ran: the command is gone
        if (!engine_ok) pu_err = HIFN_PUISR_CMDINVAL; // algorithm unavailable in this build
    }
    if (pu_err == HIFN_PUISR_CMDINVAL)
        ++st_.cmdinval;
    else if (pu_err == HIFN_PUISR_DATAERR)
        ++st_.dataerr;

    // 5. Processing time at the configured rate.
    if (cfg_.rate_mbps != 0) {
        // The chip's time for this command counts from when it fetched it; the host's
        // own crypto time is hidden inside it, not added to it.
        auto cost = std::chrono::nanoseconds(uint64_t{in.size()} * 8000u / cfg_.rate_mbps +
                                             cfg_.command_ns);
        // A virtual clock with up to 2 ms of credit: a late wake-up (a loaded host) is
        // made up by the next commands instead of lowering the rate.
        // Credit only while streaming: after an idle spell a command costs its full time.
        auto floor = streaming_ ? started - std::chrono::milliseconds(2) : started;
        busy_until_ = std::max(busy_until_, floor) + cost;
        while (!stop_ && gen == gen_ && std::chrono::steady_clock::now() < busy_until_)
            cv_.wait_until(lk, busy_until_);
        if (gen != gen_ || stop_) return Step::Idle;
    }
    if (fault_now_locked(Fault::SelfReset)) {
        master_reset_locked();
        return Step::Idle;
    }

    // 6. Commit in the chip's order (§7.4): command, sources, destination data and
    //    descriptors, result record, result descriptor.
    auto retire = [&](unsigned r, const Desc &d, uint32_t extra = 0) {
        store_release(d.ptr, (d.l & ~HIFN_D_VALID) | extra);
        uint32_t bits = 0;
        if ((d.l & HIFN_D_LAST) != 0) bits |= kLast[r];
        if ((d.l & HIFN_D_MASKDONEIRQ) == 0) bits |= kDone[r];
        if (bits) set_status_locked(bits);
    };
    drop_irq_ = fault_now_locked(Fault::DropIrq);
    for (auto &j : pk.jumps)
        store_release(j.ptr, j.l & ~HIFN_D_VALID); // the chip clears VALID on jumps too (§3.3)
    retire(kCmd, pk.cmd);
    for (auto &d : pk.src) retire(kSrc, d);

    uint16_t base_flags = 0;
    uint64_t written = 0;
    if (pu_err == 0) {
        size_t want = (out.size() + 3) & ~size_t{3}; // whole 32-bit words
        out.resize(want, 0);
        uint64_t limit = std::min<uint64_t>(dst_cap, c.dst_total);
        size_t pos = 0;
        for (auto &d : pk.dst) {
            uint32_t len = d.l & HIFN_D_LENGTH;
            size_t n = std::min<size_t>(len, want - pos);
            if (written + n > limit) n = static_cast<size_t>(limit - written);
            if (n != 0) std::memcpy(arena_.to_cpu(d.p, len), out.data() + pos, n);
            pos += n;
            written += n;
        }
        if (pos < want) {
            base_flags |= HIFN_BASE_RES_DSTOVERRUN;
            ++st_.dstover;
            set_pu_locked(HIFN_PUISR_DSTOVER);
            set_status_locked(HIFN_DMACSR_D_OVER);
        }
    } else {
        base_flags = static_cast<uint16_t>(pu_err); // model choice: PU error in the flags
        set_pu_locked(pu_err);
    }
    for (auto &d : pk.dst) retire(kDst, d);
    if (fault_now_locked(Fault::BadStatus)) base_flags |= HIFN_BASE_RES_DSTOVERRUN;

    std::vector<uint8_t> rec(HIFN_BASE_RES_SIZE, 0);
    uint32_t dst_res = c.dst_total > written ? static_cast<uint32_t>(c.dst_total - written) : 0;
    if (fault_now_locked(Fault::Hostile)) dst_res = HIFN_MAX_LENGTH;
    put16(&rec[0], base_flags);
    // Model choice: the session number is echoed in bits 11:0.
    put16(&rec[2], static_cast<uint16_t>((((dst_res >> 16) & 3u) << HIFN_BASE_RES_DSTLEN_S) |
                                         (c.session & HIFN_BASE_CMD_SESSION_MASK)));
    put16(&rec[4], 0);
    put16(&rec[6], static_cast<uint16_t>(dst_res));
    if (c.mac && pu_err == 0) {
        rec.resize(rec.size() + HIFN_MAC_RES_SIZE, 0);
        if ((c.mac_masks & HIFN_MAC_CMD_RESULT) != 0) {
            size_t n = (c.mac_masks & HIFN_MAC_CMD_TRUNC) ? 12 : mac_n;
            rec.insert(rec.end(), mac, mac + n);
        }
    }
    if (c.crypt && pu_err == 0) rec.resize(rec.size() + HIFN_CRYPT_RES_SIZE, 0);
    if (fault_now_locked(Fault::Garbage))
        for (auto &b : rec)
            b = static_cast<uint8_t>(rng_state_ = rng_state_ * 6364136223846793005ull + 1,
                                     rng_state_ >> 56);
    if (rec.size() > res_len) {
        ++st_.rover;
        set_status_locked(HIFN_DMACSR_R_OVER);
        rec.resize(res_len); // write nothing past the result descriptor
    }
    if (!rec.empty()) std::memcpy(arena_.to_cpu(pk.res.p, res_len), rec.data(), rec.size());
    for (unsigned r = 0; r < 4; ++r) rings_[r].cur = pk.cur[r];
    ++st_.commands;
    st_.bytes += in.size();
    if (fault_now_locked(Fault::ValidStuck)) {
        drop_irq_ = false;
        halted_ = true; // the result never shows up; the engine wedges
        return Step::Halted;
    }
    retire(kRes, pk.res);
    drop_irq_ = false;
    if (fault_now_locked(Fault::SpuriousIrq))
        irq_.raise(); // an extra pulse with nothing new to report
    if (fault_now_locked(Fault::DoubleClear)) {
        auto *w = reinterpret_cast<uint32_t *>(arena_.to_cpu(rings_[kRes].cur, 8));
        if (w != nullptr) store_release(w, load_acquire(w) & ~HIFN_D_VALID);
    }
    return Step::Done;
}

} // namespace acrypto::hw::hifn::model
