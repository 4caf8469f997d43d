// SPDX-License-Identifier: Apache-2.0
// HIFN 7955/7956 driver: bring-up (§6.1), submission (§6.2), reaping (§6.3), recovery (§6.4).
#include "device.hpp"

#include <algorithm>
#include <cstring>

#include "regs.hpp"

namespace acrypto::hw::hifn {

using namespace regs;
using Clock = std::chrono::steady_clock;

namespace {

constexpr uint32_t kSegMax = 0xFFFC;       // per-descriptor bytes: 4-aligned, <= 0xFFFF
constexpr uint32_t kCipherChunk = 0x3FFF0; // cipher bytes per command: 18 bits, block multiple
constexpr uint32_t kMacMax = 0x3FFFC;      // one command is one whole message (§4.4)
constexpr uint32_t kAllRingsEnable = HIFN_DMACSR_CTRL_ENA << HIFN_DMACSR_C_CTRL_SHIFT |
                                     HIFN_DMACSR_CTRL_ENA << HIFN_DMACSR_S_CTRL_SHIFT |
                                     HIFN_DMACSR_CTRL_ENA << HIFN_DMACSR_R_CTRL_SHIFT |
                                     HIFN_DMACSR_CTRL_ENA << HIFN_DMACSR_D_CTRL_SHIFT;
constexpr uint32_t kAllRingsDisable = HIFN_DMACSR_CTRL_DIS << HIFN_DMACSR_C_CTRL_SHIFT |
                                      HIFN_DMACSR_CTRL_DIS << HIFN_DMACSR_S_CTRL_SHIFT |
                                      HIFN_DMACSR_CTRL_DIS << HIFN_DMACSR_R_CTRL_SHIFT |
                                      HIFN_DMACSR_CTRL_DIS << HIFN_DMACSR_D_CTRL_SHIFT;
constexpr uint32_t kAllStatus = ~HIFN_DMACSR_CTRL_MASK;
// §3.4: R_DONE, every ABORT, D_OVER, R_OVER, ENGINE ([L][N]).
constexpr uint32_t kIer = HIFN_DMACSR_R_DONE | HIFN_DMACSR_ABORTS | HIFN_DMACSR_D_OVER |
                          HIFN_DMACSR_R_OVER | HIFN_DMACSR_ENGINE;

void sleep_ms(unsigned ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }
uint32_t round4(size_t n) { return static_cast<uint32_t>((n + 3) & ~size_t{3}); }
uint32_t lfsr_sig(uint32_t a, unsigned n) {
    for (unsigned i = 0; i < n; ++i)
        a = (a << 1) | static_cast<uint32_t>(__builtin_parity(a & HIFN_UNLOCK_TAP));
    return a;
}
uint32_t load_acquire(const uint32_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
void set_desc(uint32_t *d, uint32_t l, uint32_t p) {
    // `p` before `l`: the chip reads `p` only after it sees VALID in `l` (§6.2).
    __atomic_store_n(&d[1], p, __ATOMIC_RELAXED);
    __atomic_store_n(&d[0], l, __ATOMIC_RELEASE);
}

enum class Kind { Cipher, Digest, Hmac, FusedEnc, FusedDec };

} // namespace

/// One session the driver holds, possibly split into several commands.
struct Device::Op {
    acrypto_session *s = nullptr;
    Kind kind = Kind::Cipher;
    acrypto_step *cs = nullptr; ///< cipher step
    acrypto_step *ms = nullptr; ///< digest/MAC step
    uint32_t steps = 1;
    size_t total = 0, done = 0;
    uint8_t iv[16] = {};
    uint32_t block = 0;
    // Internal requests (self-test) wait here instead of going to the host.
    std::mutex *wmu = nullptr;
    std::condition_variable *wcv = nullptr;
    int *wstatus = nullptr;
    bool *wdone = nullptr;
    std::shared_ptr<void> keep; ///< keeps an internal request's buffers alive until completion
};

/// One posted command, indexed by its command/result ring position.
struct Device::Slot {
    Op *op = nullptr;
    CommandSpec spec;
    DmaBuf bounce;
    uint32_t nsrc = 0, ndst = 0;
    size_t off = 0, len = 0;
    uint32_t out_min = 0, out_max = 0;
    uint8_t next_iv[16] = {};
    Clock::time_point t0{};
};

Device::Device(Transport t, const DeviceConfig &cfg, HostLink host)
    : t_(std::move(t)), cfg_(cfg), host_(host) {}

Result<std::unique_ptr<Device>> Device::open(Transport t, const DeviceConfig &cfg, HostLink host) {
    using R = Result<std::unique_ptr<Device>>;
    if (t.bar0 == nullptr || t.bar1 == nullptr || t.arena == nullptr || t.irq == nullptr)
        return R(Errc::InvalidInput, "incomplete transport");
    if (cfg.ring_size < 2 || cfg.ring_size > 1024)
        return R(Errc::InvalidInput, "ring-size must be 2..1024");
    if (t.bar0->size() < BAR0_SIZE || t.bar1->size() < BAR1_SIZE)
        return R(Errc::Unsupported, "BAR0/BAR1 smaller than 4 KiB/8 KiB");
    std::unique_ptr<Device> d(new Device(std::move(t), cfg, host));
    // DMA block (§3.2): four rings with a jump slot each, then command/result buffers.
    uint32_t n = cfg.ring_size, nd = cfg.ring_size * 4;
    auto ring = [&](Ring &r, uint32_t slots) {
        r.n = slots;
        r.mem = d->t_.arena->alloc(8u * (slots + 1), 4096); // base alignment UNKNOWN: 4 KiB
        return static_cast<bool>(r.mem);
    };
    if (!ring(d->cmd_, n) || !ring(d->res_, n) || !ring(d->src_, nd) || !ring(d->dst_, nd))
        return R(Errc::NoMemory, "DMA arena too small for the rings");
    for (uint32_t i = 0; i < n; ++i) {
        d->cmd_bufs_.push_back(d->t_.arena->alloc(kMaxCommandBytes, 16));
        d->res_bufs_.push_back(d->t_.arena->alloc(kResultBytes, 16));
        if (!d->cmd_bufs_.back() || !d->res_bufs_.back())
            return R(Errc::NoMemory, "DMA arena too small for command/result buffers");
        if (d->cmd_bufs_.back().bus + kMaxCommandBytes > 0x100000000ull)
            return R(Errc::Unsupported, "DMA memory above 4 GiB: the chip is 32-bit only");
    }
    d->slots_.resize(n);
    d->ctx_.resize(HIFN_795X_CTX_RAM / HIFN_CTX_SIZE_LARGE); // PUCNFG 0x0344: 64 contexts
    if (auto r = d->init_hw(true); !r) return r.error();
    d->build_caps();
    if (d->caps_.empty()) return R(Errc::Unsupported, cfg.name + ": enable level offers no crypto");
    d->progress_ = Clock::now();
    d->thread_ = std::thread([p = d.get()] { p->reaper(); });
    return d;
}

Device::~Device() {
    close();
    std::lock_guard lk(mu_);
    auto give = [&](DmaBuf &b) {
        if (b) t_.arena->free(b);
        b = {};
    };
    for (auto &b : cmd_bufs_) give(b);
    for (auto &b : res_bufs_) give(b);
    give(cmd_.mem);
    give(src_.mem);
    give(dst_.mem);
    give(res_.mem);
}

void Device::log(int level, const std::string &msg) {
    if (host_.ops != nullptr && host_.ops->log_fn != nullptr)
        host_.ops->log_fn(host_.host, level, (cfg_.name + ": " + msg).c_str());
}

// ---- Bring-up (§6.1) -------------------------------------------------------------

Result<uint32_t> Device::read_level() {
    // CHIPID must be set before every enable-level read (§6.8).
    uint32_t cnfg = rd0(HIFN_0_PUCNFG);
    wr0(HIFN_0_PUCNFG, cnfg | HIFN_PUCNFG_CHIPID);
    uint32_t v = rd0(HIFN_0_PUSTAT);
    wr0(HIFN_0_PUCNFG, cnfg);
    if (v == 0xFFFFFFFFu)
        return Result<uint32_t>(Errc::DeviceBroken, "PUSTAT reads all ones: device gone");
    return v & HIFN_PUSTAT_ENA_MASK;
}

Result<void> Device::board_reset() {
    wr1(HIFN_1_DMA_CSR, kAllRingsDisable | kAllStatus);
    wr0(HIFN_0_PUIER, 0);
    wr1(HIFN_1_DMA_IER, 0);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_IDLE);
    sleep_ms(1);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_FULL_RESET);
    sleep_ms(1);
    for (Ring *r : {&cmd_, &src_, &dst_, &res_}) std::memset(r->mem.cpu, 0, r->mem.size);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_IDLE);
    // Bounded wait for the PU reset (5-10 ms on real parts).
    for (int i = 0; (rd0(HIFN_0_PUCTRL) & HIFN_PUCTRL_RESET) != 0; ++i) {
        if (i >= 20) return Result<void>(Errc::Timeout, "PU reset did not finish in 20 ms");
        sleep_ms(1);
    }
    wr1(HIFN_1_DMA_CNFG2, HIFN_DMACNFG2_VALUE);
    return {};
}

Result<void> Device::unlock() {
    auto lvl = read_level();
    if (!lvl) return lvl.error();
    // Already unlocked: a second handshake may lock the chip until reset (§2.3, §6.8).
    if (lvl.value() == HIFN_PUSTAT_ENA_1 || lvl.value() == HIFN_PUSTAT_ENA_2) return {};
    if (lvl.value() != HIFN_PUSTAT_ENA_LOCKED && lvl.value() != HIFN_PUSTAT_ENA_0)
        return Result<void>(Errc::Unsupported,
                            "unknown enable level " + std::to_string(lvl.value()));
    uint32_t ramcfg = rd0(HIFN_0_PUCNFG), dmacfg = rd1(HIFN_1_DMA_CNFG);
    wr0(HIFN_0_PUCNFG, ramcfg | HIFN_PUCNFG_CHIPID);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_UNLOCK_VALUE);
    sleep_ms(1);
    uint32_t a = rd1(HIFN_1_UNLOCK_SECRET1);
    sleep_ms(1);
    wr1(HIFN_1_UNLOCK_SECRET2, 0);
    sleep_ms(1);
    for (unsigned i = 0; i < HIFN_UNLOCK_WORDS; ++i) {
        a = lfsr_sig(a, HIFN_UNLOCK_STEP); // all-zero card key: k[i] + 0x101
        wr1(HIFN_1_UNLOCK_SECRET2, a);
        sleep_ms(1);
    }
    wr0(HIFN_0_PUCNFG, ramcfg);
    wr1(HIFN_1_DMA_CNFG, dmacfg);
    lvl = read_level();
    if (!lvl) return lvl.error();
    if (lvl.value() != HIFN_PUSTAT_ENA_1 && lvl.value() != HIFN_PUSTAT_ENA_2)
        return Result<void>(Errc::DeviceBroken, "unlock failed: enable level still " +
                                                    std::to_string(lvl.value() >> 8));
    return {};
}

void Device::program_pll() {
    // §2.4: external 66 MHz reference; multiplier floor(266/66) rounded to even, 2..12.
    uint32_t mult = std::clamp<uint32_t>((HIFN_PLL_MAX_MHZ / HIFN_PLL_REF_MHZ) & ~1u, 2, 12);
    uint32_t cfg =
        HIFN_PLL_REF_SEL | ((mult / 2 - 1) << HIFN_PLL_ND_SHIFT) | (mult > 8 ? HIFN_PLL_IS : 0);
    uint32_t v = rd1(HIFN_1_PLL);
    v = (v & ~(HIFN_PLL_PK_CLK_SEL | HIFN_PLL_PE_CLK_SEL)) | HIFN_PLL_BP | HIFN_PLL_MBSET;
    wr1(HIFN_1_PLL, v);
    sleep_ms(10);
    v = (v & ~(HIFN_PLL_REF_SEL | HIFN_PLL_ND_MASK | HIFN_PLL_IS)) | cfg;
    wr1(HIFN_1_PLL, v);
    sleep_ms(10);
    v &= ~HIFN_PLL_BP;
    wr1(HIFN_1_PLL, v);
    v |= HIFN_PLL_PK_CLK_SEL | HIFN_PLL_PE_CLK_SEL;
    wr1(HIFN_1_PLL, v);
}

void Device::init_rings() {
    for (Ring *r : {&cmd_, &src_, &dst_, &res_}) {
        std::memset(r->mem.cpu, 0, r->mem.size);
        r->prod = r->cons = r->used = 0;
    }
    for (auto &s : slots_) s = Slot{};
    outstanding_ = 0;
    for (auto &c : ctx_)
        c = CtxSlot{}; // a reset may have cleared the chip's contexts: send keys again
}

void Device::init_registers() {
    wr0(HIFN_0_PUCTRL, HIFN_PUCTRL_DMAENA);
    wr0(HIFN_0_FIFOCNFG, HIFN_FIFOCNFG_THRESHOLD);
    wr0(HIFN_0_PUIER, HIFN_PUISR_DSTOVER);
    wr1(HIFN_1_DMA_CRAR, static_cast<uint32_t>(cmd_.mem.bus));
    wr1(HIFN_1_DMA_SRAR, static_cast<uint32_t>(src_.mem.bus));
    wr1(HIFN_1_DMA_DRAR, static_cast<uint32_t>(dst_.mem.bus));
    wr1(HIFN_1_DMA_RRAR, static_cast<uint32_t>(res_.mem.bus));
    sleep_ms(2);
    wr1(HIFN_1_DMA_CSR, kAllRingsDisable | kAllStatus);
    rings_on_ = false;
    ier_ = kIer | (rng_ok_ ? HIFN_DMACSR_PUBDONE : 0);
    wr1(HIFN_1_DMA_IER, ier_);
    wr0(HIFN_0_PUCNFG, HIFN_PUCNFG_795X);
    program_pll();
    wr0(HIFN_0_PUISR, HIFN_PUISR_DSTOVER);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_RUN);
}

Result<void> Device::init_rng() {
    wr1(HIFN_1_PUB_RESET, HIFN_PUBRST_RESET);
    for (int i = 0; (rd1(HIFN_1_PUB_RESET) & HIFN_PUBRST_RESET) != 0; ++i) {
        if (i >= 100) return Result<void>(Errc::Timeout, "PUB_RESET did not clear in 100 ms");
        sleep_ms(1);
    }
    wr1(HIFN_1_RNG_CONFIG, rd1(HIFN_1_RNG_CONFIG) | HIFN_RNGCFG_ENA);
    sleep_ms(4);
    (void)rd1(HIFN_1_RNG_DATA); // the first word is stale (§6.6)
    wr1(HIFN_1_PUB_IEN, HIFN_PUBIEN_DONE);
    return {};
}

Result<void> Device::init_hw(bool first) {
    if (auto r = board_reset(); !r) return r;
    if (auto r = unlock(); !r) return r;
    wr0(HIFN_0_PUCTRL, HIFN_PUCTRL_DMAENA); // PU reset (§6.1 step 5)
    for (int i = 0; (rd0(HIFN_0_PUCTRL) & HIFN_PUCTRL_RESET) != 0; ++i) {
        if (i >= 20) return Result<void>(Errc::Timeout, "PU reset did not finish in 20 ms");
        sleep_ms(1);
    }
    auto lvl = read_level();
    if (!lvl) return lvl.error();
    level_ = lvl.value() >> 8;
    init_rings();
    if (first) {
        std::lock_guard lk(rng_mu_);
        auto r = init_rng();
        rng_ok_ = r.ok();
        if (!r) log(ACRYPTO_LOG_WARN, "RNG unavailable: " + r.error().message);
    }
    init_registers();
    return {};
}

void Device::build_caps() {
    caps_.clear();
    const bool ena2 = level_ >= (HIFN_PUSTAT_ENA_2 >> 8);
    const bool ena1 = level_ >= (HIFN_PUSTAT_ENA_1 >> 8);
    const bool aes = ena2 && (t_.device_id == HIFN_7955 || t_.device_id == HIFN_7956);
    if (!ena1) return;
    struct C {
        uint32_t alg, kmin, kmax, kstep;
    };
    std::vector<C> ciphers = {{ACRYPTO_ALG_DES, 8, 8, 0}};
    if (ena2) ciphers.push_back({ACRYPTO_ALG_DES_EDE3, 24, 24, 0});
    if (aes) ciphers.push_back({ACRYPTO_ALG_AES, 16, 32, 8});
    // CFB/OFB feedback width is unverified on hardware (§5.1): only ECB and CBC.
    const uint32_t modes[] = {ACRYPTO_MODE_ECB, ACRYPTO_MODE_CBC};
    const uint32_t macs[] = {ACRYPTO_ALG_SHA1, ACRYPTO_ALG_MD5};
    auto cap = [&](uint32_t op, uint32_t alg, uint32_t mode, uint32_t dirs, uint32_t kmin,
                   uint32_t kmax, uint32_t kstep, uint32_t flags, uint64_t max_in) {
        acrypto_capability c{};
        c.op = op;
        c.alg = alg;
        c.mode = mode;
        c.dirs = dirs;
        c.key_min = kmin;
        c.key_max = kmax;
        c.key_step = kstep;
        c.flags = flags;
        c.max_input = max_in;
        c.latency_ns = cfg_.latency_ns;
        c.bytes_per_sec = cfg_.rate_bytes_per_sec;
        c.ops_per_sec = 1e9 / std::max<uint32_t>(cfg_.latency_ns, 1);
        return c;
    };
    const uint32_t both = ACRYPTO_DIR_ENCRYPT | ACRYPTO_DIR_DECRYPT;
    for (auto &c : ciphers)
        for (uint32_t m : modes)
            caps_.push_back(cap(ACRYPTO_OP_CIPHER, c.alg, m, both, c.kmin, c.kmax, c.kstep,
                                ACRYPTO_CAP_F_BLOCK_MULTIPLE, 0));
    for (uint32_t h : macs) {
        caps_.push_back(cap(ACRYPTO_OP_DIGEST, h, ACRYPTO_MODE_NONE, 0, 0, 0, 0, 0, kMacMax));
        caps_.push_back(
            cap(ACRYPTO_OP_MAC, h, ACRYPTO_MODE_HMAC, 0, 0, HIFN_MAC_KEY_LENGTH, 1, 0, kMacMax));
    }
    // Fused, IPsec order only (§4.4): encrypt then HMAC the ciphertext; HMAC the
    // ciphertext then decrypt.
    for (auto &c : ciphers)
        for (uint32_t m : modes)
            for (uint32_t h : macs) {
                auto e =
                    cap(ACRYPTO_OP_CIPHER, c.alg, m, ACRYPTO_DIR_ENCRYPT, c.kmin, c.kmax, c.kstep,
                        ACRYPTO_CAP_F_FUSED | ACRYPTO_CAP_F_BLOCK_MULTIPLE, kCipherChunk);
                e.fused_op = ACRYPTO_OP_MAC;
                e.fused_alg = h;
                e.fused_mode = ACRYPTO_MODE_HMAC;
                caps_.push_back(e);
                auto d = cap(ACRYPTO_OP_MAC, h, ACRYPTO_MODE_HMAC, 0, 0, HIFN_MAC_KEY_LENGTH, 1,
                             ACRYPTO_CAP_F_FUSED, kCipherChunk);
                d.fused_op = ACRYPTO_OP_CIPHER;
                d.fused_alg = c.alg;
                d.fused_mode = m;
                caps_.push_back(d);
            }
}

// ---- Submission (§6.2) -----------------------------------------------------------

void Device::data_ready() {
    kicked_.store(true, std::memory_order_release);
    t_.irq->raise(); // wakes the reaper, which dequeues; the submitter never blocks
}

namespace {

bool cipher_ok(const acrypto_step &st, uint32_t level, uint16_t devid, uint32_t &block, int &err) {
    block = st.alg == ACRYPTO_ALG_AES ? 16 : 8;
    bool ena2 = level >= (HIFN_PUSTAT_ENA_2 >> 8);
    bool alg_ok = st.alg == ACRYPTO_ALG_DES || (st.alg == ACRYPTO_ALG_DES_EDE3 && ena2) ||
                  (st.alg == ACRYPTO_ALG_AES && ena2 && (devid == HIFN_7955 || devid == HIFN_7956));
    if (st.op != ACRYPTO_OP_CIPHER || !alg_ok ||
        (st.mode != ACRYPTO_MODE_ECB && st.mode != ACRYPTO_MODE_CBC) ||
        (st.dir != ACRYPTO_DIR_ENCRYPT && st.dir != ACRYPTO_DIR_DECRYPT)) {
        err = ACRYPTO_E_UNSUPPORTED;
        return false;
    }
    size_t klen = st.key != nullptr ? st.key->len : 0;
    bool key_ok = st.key != nullptr && st.key->data != nullptr &&
                  (st.alg == ACRYPTO_ALG_DES        ? klen == 8
                   : st.alg == ACRYPTO_ALG_DES_EDE3 ? klen == 24
                                                    : (klen == 16 || klen == 24 || klen == 32));
    if (!key_ok || (st.mode == ACRYPTO_MODE_CBC && st.iv_len < block) || st.src_len % block != 0 ||
        st.dst_len < st.src_len || (st.src_len != 0 && (st.src == nullptr || st.dst == nullptr))) {
        err = ACRYPTO_E_INVALID;
        return false;
    }
    return true;
}

bool mac_ok(const acrypto_step &st, int &err) {
    bool hmac = st.op == ACRYPTO_OP_MAC;
    if (!((st.op == ACRYPTO_OP_DIGEST && st.mode == ACRYPTO_MODE_NONE) ||
          (hmac && st.mode == ACRYPTO_MODE_HMAC)) ||
        (st.alg != ACRYPTO_ALG_MD5 && st.alg != ACRYPTO_ALG_SHA1)) {
        err = ACRYPTO_E_UNSUPPORTED;
        return false;
    }
    // One command is one complete message: no continuation (§4.4).
    constexpr uint32_t whole = ACRYPTO_STEP_F_FIRST | ACRYPTO_STEP_F_FINAL;
    if ((st.flags & whole) != whole || st.src_len > kMacMax) {
        err = ACRYPTO_E_UNSUPPORTED;
        return false;
    }
    size_t dlen = st.alg == ACRYPTO_ALG_MD5 ? 16 : 20;
    if (st.dst == nullptr || st.dst_len < dlen || (st.src_len != 0 && st.src == nullptr) ||
        (hmac && (st.key == nullptr || st.key->len > HIFN_MAC_KEY_LENGTH ||
                  (st.key->len != 0 && st.key->data == nullptr)))) {
        err = ACRYPTO_E_INVALID;
        return false;
    }
    return true;
}

} // namespace

int Device::prepare_locked(Op &op) {
    acrypto_session *s = op.s;
    if (s == nullptr || s->steps == nullptr || s->cur >= s->nsteps || s->ncur == 0 ||
        s->cur + s->ncur > s->nsteps)
        return ACRYPTO_E_INVALID;
    acrypto_step *a = &s->steps[s->cur];
    acrypto_step *b = s->ncur >= 2 ? &s->steps[s->cur + 1] : nullptr;
    int err = ACRYPTO_E_UNSUPPORTED;
    if (b != nullptr) {
        // Fused: only the IPsec orders, and only when the MAC covers the ciphertext.
        uint32_t blk = 0;
        int e1 = 0, e2 = 0;
        if (a->op == ACRYPTO_OP_CIPHER && a->dir == ACRYPTO_DIR_ENCRYPT &&
            b->op == ACRYPTO_OP_MAC && cipher_ok(*a, level_, t_.device_id, blk, e1) &&
            mac_ok(*b, e2) && b->src == a->dst && b->src_len == a->src_len &&
            a->src_len <= kCipherChunk) {
            op.kind = Kind::FusedEnc;
            op.cs = a;
            op.ms = b;
            op.steps = 2;
        } else if (a->op == ACRYPTO_OP_MAC && b->op == ACRYPTO_OP_CIPHER &&
                   b->dir == ACRYPTO_DIR_DECRYPT && mac_ok(*a, e2) &&
                   cipher_ok(*b, level_, t_.device_id, blk, e1) && a->src == b->src &&
                   a->src_len == b->src_len && b->src_len <= kCipherChunk) {
            op.kind = Kind::FusedDec;
            op.ms = a;
            op.cs = b;
            op.steps = 2;
        }
        if (op.steps == 2) {
            op.block = blk;
            op.total = op.cs->src_len;
            if (op.cs->mode == ACRYPTO_MODE_CBC) std::memcpy(op.iv, op.cs->iv, blk);
            return ACRYPTO_OK;
        }
        // Otherwise take the first step alone; the scheduler places the rest.
    }
    op.steps = 1;
    if (a->op == ACRYPTO_OP_CIPHER) {
        if (!cipher_ok(*a, level_, t_.device_id, op.block, err)) return err;
        op.kind = Kind::Cipher;
        op.cs = a;
        op.total = a->src_len;
        if (a->mode == ACRYPTO_MODE_CBC) std::memcpy(op.iv, a->iv, op.block);
        return ACRYPTO_OK;
    }
    if (a->op == ACRYPTO_OP_DIGEST || a->op == ACRYPTO_OP_MAC) {
        if (!mac_ok(*a, err)) return err;
        op.kind = a->op == ACRYPTO_OP_MAC ? Kind::Hmac : Kind::Digest;
        op.ms = a;
        op.total = a->src_len;
        return ACRYPTO_OK;
    }
    return ACRYPTO_E_UNSUPPORTED;
}

bool Device::post_chunk_locked(Op &op) {
    auto t0 = Clock::now();
    size_t len =
        op.kind == Kind::Cipher ? std::min<size_t>(op.total - op.done, kCipherChunk) : op.total;
    uint32_t dlen = round4(len);
    uint32_t nseg = std::max<uint32_t>(1, (dlen + kSegMax - 1) / kSegMax);
    // One slot of every ring always stays free. The jump descriptor is rewritten when
    // the producer wraps; with a free slot, the command that last followed it (the
    // one at slot 0) has already been reaped, so the chip's write-back of that jump
    // can no longer clear the fresh VALID.
    if (cmd_.free() < 2 || res_.free() < 2 || src_.free() < nseg + 1 || dst_.free() < nseg + 1)
        return false;
    DmaBuf bounce = t_.arena->alloc(std::max<uint32_t>(dlen, 4), 16);
    if (!bounce) return false;
    // Driver-private bounce buffer: nothing unrelated shares what the chip can reach.
    const acrypto_step *in = op.cs != nullptr ? op.cs : op.ms;
    if (len != 0) std::memcpy(bounce.cpu, in->src + op.done, len);
    std::memset(bounce.cpu + len, 0, bounce.size - len);

    const uint32_t idx = cmd_.prod;
    Slot &sl = slots_[idx];
    sl = Slot{};
    sl.op = &op;
    sl.bounce = bounce;
    sl.off = op.done;
    sl.len = len;
    sl.t0 = t0;
    CommandSpec &sp = sl.spec;
    sp.src_len = static_cast<uint32_t>(len);
    sp.dst_len = dlen;
    if (op.cs != nullptr) {
        sp.crypt = true;
        sp.decode = op.cs->dir == ACRYPTO_DIR_DECRYPT;
        sp.crypt_alg = op.cs->alg == ACRYPTO_ALG_DES        ? HIFN_CRYPT_CMD_ALG_DES
                       : op.cs->alg == ACRYPTO_ALG_DES_EDE3 ? HIFN_CRYPT_CMD_ALG_3DES
                                                            : HIFN_CRYPT_CMD_ALG_AES;
        sp.crypt_mode =
            op.cs->mode == ACRYPTO_MODE_CBC ? HIFN_CRYPT_CMD_MODE_CBC : HIFN_CRYPT_CMD_MODE_ECB;
        sp.key = {op.cs->key->data, op.cs->key->len};
        if (op.cs->mode == ACRYPTO_MODE_CBC) {
            sp.iv = {op.iv, op.block};
            // Decrypt: the next IV is the last ciphertext block; save it before the
            // (possibly in-place) output overwrites it (§6.7).
            if (sp.decode && len >= op.block)
                std::memcpy(sl.next_iv, op.cs->src + op.done + len - op.block, op.block);
        }
        sl.out_min = sl.out_max = static_cast<uint32_t>(len);
    } else {
        sl.out_min = static_cast<uint32_t>(len);
        sl.out_max = dlen;
    }
    uint16_t slot = pick_context_locked(op);
    CtxSlot &ctx = ctx_[slot];
    sp.session = slot;
    if (op.cs != nullptr) {
        uint64_t id = op.cs->key->id;
        sp.send_key = id == 0 || ctx.key != id;
        ctx.key = id;
        (sp.send_key ? c_.key_sends : c_.key_hits)++;
    }
    if (op.ms != nullptr && op.ms->op == ACRYPTO_OP_MAC) {
        uint64_t id = op.ms->key->id;
        sp.send_mac_key = id == 0 || ctx.mac_key != id;
        ctx.mac_key = id;
        (sp.send_mac_key ? c_.key_sends : c_.key_hits)++;
    }
    ctx.used = ++ctx_clock_;
    if (op.ms != nullptr) {
        sp.mac = true;
        sp.mac_md5 = op.ms->alg == ACRYPTO_ALG_MD5;
        sp.mac_hmac = op.ms->op == ACRYPTO_OP_MAC;
        if (sp.mac_hmac && op.ms->key->len != 0) sp.mac_key = {op.ms->key->data, op.ms->key->len};
    }
    uint8_t *cbuf = cmd_bufs_[idx].cpu;
    size_t clen = encode_command(sp, cbuf);
    std::memset(res_bufs_[idx].cpu, 0xFF, kResultBytes); // poison: an unwritten record is caught

    auto put = [](Ring &r, uint32_t l, uint32_t p) {
        set_desc(r.desc(r.prod), l, p);
        ++r.used;
        if (++r.prod == r.n) {
            // Wrap (§3.3): rewrite the jump slot's `l` and `p` before every reuse.
            set_desc(r.desc(r.n), HIFN_D_VALID | HIFN_D_JUMP | HIFN_D_MASKDONEIRQ,
                     static_cast<uint32_t>(r.mem.bus));
            r.prod = 0;
        }
    };
    std::vector<uint32_t *> hook_src, hook_dst;
    auto scatter = [&](Ring &r, uint32_t total, uint32_t &count) {
        uint32_t off = 0;
        do {
            uint32_t n = std::min(total - off, kSegMax);
            bool last = off + n >= total;
            if (post_hook_) (&r == &src_ ? hook_src : hook_dst).push_back(r.desc(r.prod));
            put(r, n | HIFN_D_VALID | HIFN_D_MASKDONEIRQ | (last ? HIFN_D_LAST : 0),
                static_cast<uint32_t>(bounce.bus + off));
            off += n;
            ++count;
        } while (off < total);
    };
    scatter(src_, static_cast<uint32_t>(len), sl.nsrc);
    scatter(dst_, dlen, sl.ndst);
    uint32_t *res_desc = res_.desc(res_.prod);
    put(res_, kResultBytes | HIFN_D_VALID | HIFN_D_LAST, static_cast<uint32_t>(res_bufs_[idx].bus));
    uint32_t cmd_l = 0, cmd_p = static_cast<uint32_t>(cmd_bufs_[idx].bus);
    if (post_hook_) {
        uint32_t cd[2] = {0, cmd_p};
        PostView v{sp, cbuf, clen, cd, res_desc, hook_src, hook_dst};
        post_hook_(v);
        cmd_l = cd[0];
        cmd_p = cd[1];
    }
    t_.bar1->wmb();
    // The command descriptor goes last: VALID here hands the whole packet over.
    put(cmd_,
        cmd_l != 0 ? cmd_l
                   : static_cast<uint32_t>(clen) | HIFN_D_VALID | HIFN_D_LAST | HIFN_D_MASKDONEIRQ,
        cmd_p);
    if (outstanding_++ == 0) progress_ = Clock::now();
    c_.commands++;
    c_.bytes += len;
    c_.submit_ns += static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    return true;
}

uint16_t Device::pick_context_locked(const Op &op) {
    // The slot already holding this op's key(s), else the least recently used one.
    uint64_t want = op.cs != nullptr ? op.cs->key->id : 0;
    uint64_t want_mac = op.ms != nullptr && op.ms->op == ACRYPTO_OP_MAC ? op.ms->key->id : 0;
    size_t best = 0;
    for (size_t i = 0; i < ctx_.size(); ++i) {
        const CtxSlot &c = ctx_[i];
        if ((want != 0 && c.key == want) || (want == 0 && want_mac != 0 && c.mac_key == want_mac))
            return static_cast<uint16_t>(i);
        if (c.used < ctx_[best].used) best = i;
    }
    return static_cast<uint16_t>(best);
}

void Device::key_free(uint64_t key_id) {
    if (key_id == 0) return;
    std::lock_guard lk(mu_);
    // Key ids are never reused, so a stale entry is harmless; dropping it frees the slot.
    for (auto &c : ctx_) {
        if (c.key == key_id) c.key = 0;
        if (c.mac_key == key_id) c.mac_key = 0;
    }
}

void Device::submit_locked(std::vector<Completion> &done) {
    if (broken_ || closing_) return;
    bool posted = false;
    for (;;) {
        if (ready_.empty()) {
            if (cmd_.free() <= 1) {
                // Full ring: stop dequeuing; work stays queued in the scheduler (busy).
                if (host_.ops->pending_fn != nullptr && host_.ops->pending_fn(host_.host) > 0)
                    c_.busy++;
                break;
            }
            acrypto_session *batch[16];
            uint32_t want = std::min<uint32_t>(16, cmd_.free() - 1);
            uint32_t got = host_.ops->dequeue_fn(host_.host, batch, want);
            if (got == 0) break;
            for (uint32_t i = 0; i < got; ++i) {
                Op *op = new Op;
                op->s = batch[i];
                ++held_;
                c_.sessions++;
                int st = prepare_locked(*op);
                if (st == ACRYPTO_E_INVALID)
                    c_.invalid++;
                else if (st == ACRYPTO_E_UNSUPPORTED)
                    c_.unsupported++;
                if (st != ACRYPTO_OK) {
                    done.emplace_back(op, st);
                } else if (op->kind == Kind::Cipher && op->total == 0) {
                    op->cs->out_len = 0;
                    done.emplace_back(op, ACRYPTO_OK);
                } else {
                    ready_.push_back(op);
                }
            }
            continue;
        }
        if (!post_chunk_locked(*ready_.front())) {
            c_.busy++; // ring or arena full: wait for completions, never fail
            break;
        }
        ready_.pop_front();
        posted = true;
    }
    if (posted) {
        t_.bar1->wmb();
        // Re-enabling an enabled ring changes nothing on the chip; it wakes an idle one.
        wr1(HIFN_1_DMA_CSR, kAllRingsEnable);
        rings_on_ = true;
        idle_ticks_ = 0;
        if (outstanding_ > 1 && (ier_ & HIFN_DMACSR_C_WAIT) == 0) {
            ier_ |= HIFN_DMACSR_C_WAIT; // safety net against a missed R_DONE (§3.4)
            wr1(HIFN_1_DMA_IER, ier_);
        }
    }
}

// ---- Reaping (§6.3) and validation (§7.7) -------------------------------------------

void Device::release_slot_locked(Slot &sl) {
    // Wipe the command buffer: it carried keys.
    uint32_t idx = static_cast<uint32_t>(&sl - slots_.data());
    std::memset(cmd_bufs_[idx].cpu, 0, kMaxCommandBytes);
    if (sl.bounce) t_.arena->free(sl.bounce); // the arena wipes freed memory
    sl.bounce = {};
    auto adv = [](Ring &r, uint32_t n) {
        for (uint32_t i = 0; i < n; ++i) {
            --r.used;
            if (++r.cons == r.n) r.cons = 0;
        }
    };
    adv(cmd_, 1);
    adv(res_, 1);
    adv(src_, sl.nsrc);
    adv(dst_, sl.ndst);
    sl.op = nullptr;
    --outstanding_;
}

bool Device::finish_slot_locked(Slot &sl, std::vector<Completion> &done, bool) {
    Op &op = *sl.op;
    // Completion order (§3.4): command, sources and destinations are done before the
    // result. A result with any of them still VALID was not produced by this packet.
    auto view = [](const Ring &r) {
        return RingView{
            {reinterpret_cast<const uint32_t *>(r.mem.cpu), (size_t{r.n} + 1) * kDescWords},
            r.n,
            r.cons};
    };
    const bool order_ok =
        check_packet_done(view(cmd_), view(src_), sl.nsrc, view(dst_), sl.ndst) == RingCheck::Done;
    uint32_t idx = res_.cons;
    ResultCheck rc;
    if (order_ok)
        rc = check_result(sl.spec, {res_bufs_[idx].cpu, kResultBytes}, sl.out_min, sl.out_max);
    int status = ACRYPTO_OK;
    bool hostile = !order_ok || rc.status == ResultStatus::Hostile;
    if (rc.status != ResultStatus::Ok || hostile)
        ctx_[sl.spec.session] = CtxSlot{}; // whether the chip loaded the keys is unknown
    switch (rc.status) {
    case ResultStatus::Ok: break;
    case ResultStatus::DstOverrun:
        c_.dst_overrun++;
        status = ACRYPTO_E_DEVICE;
        break;
    case ResultStatus::CommandError:
        c_.command_error++;
        status = ACRYPTO_E_DEVICE;
        break;
    case ResultStatus::SourceLeft:
        c_.source_left++;
        status = ACRYPTO_E_DEVICE;
        break;
    case ResultStatus::MacError:
        c_.mac_error++;
        status = ACRYPTO_E_DEVICE;
        break;
    case ResultStatus::Hostile: status = ACRYPTO_E_DEVICE; break;
    }
    if (hostile) {
        c_.hostile++;
        status = ACRYPTO_E_DEVICE;
    }
    if (status == ACRYPTO_OK) {
        // Copy out only what this command may write: bounded by the step's own buffers.
        if (op.cs != nullptr) {
            std::memcpy(op.cs->dst + sl.off, sl.bounce.cpu, sl.len);
            if (op.cs->mode == ACRYPTO_MODE_CBC && sl.len >= op.block) {
                if (sl.spec.decode)
                    std::memcpy(op.iv, sl.next_iv, op.block);
                else
                    std::memcpy(op.iv, sl.bounce.cpu + sl.len - op.block, op.block);
            }
        }
        if (op.ms != nullptr) {
            ResultLayout lay = result_layout(sl.spec);
            std::memcpy(op.ms->dst, res_bufs_[idx].cpu + lay.mac, lay.mac_len);
            op.ms->out_len = lay.mac_len;
        }
        op.done += sl.len;
    }
    release_slot_locked(sl);
    if (status != ACRYPTO_OK) {
        done.emplace_back(&op, status);
    } else if (op.done < op.total) {
        ready_.push_front(&op); // next chunk keeps its place ahead of new work
    } else {
        if (op.cs != nullptr) {
            op.cs->out_len = op.total;
            if (op.cs->mode == ACRYPTO_MODE_CBC) std::memcpy(op.cs->iv, op.iv, op.block);
        }
        done.emplace_back(&op, ACRYPTO_OK);
    }
    return !hostile;
}

void Device::reap_locked(std::vector<Completion> &done) {
    auto t0 = Clock::now();
    uint32_t reaped = 0;
    while (outstanding_ > 0 && !broken_) {
        Slot &sl = slots_[res_.cons];
        if (sl.op == nullptr) {
            broken_locked("result ring out of step with the driver", done);
            return;
        }
        if ((load_acquire(res_.desc(res_.cons)) & HIFN_D_VALID) != 0) break;
        t_.bar1->rmb();
        if (!finish_slot_locked(sl, done, false)) {
            broken_locked("device wrote back an impossible result (hostile or broken)", done);
            return;
        }
        ++reaped;
    }
    if (reaped != 0) {
        progress_ = Clock::now();
        consecutive_resets_ = 0;
        c_.reap_ns += static_cast<uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
    }
}

void Device::fail_all_locked(int status, std::vector<Completion> &done) {
    // Salvage (§6.4): a command whose result VALID is already clear completes normally.
    while (outstanding_ > 0) {
        Slot &sl = slots_[res_.cons];
        if (sl.op == nullptr) break;
        bool finished = (load_acquire(res_.desc(res_.cons)) & HIFN_D_VALID) == 0;
        if (finished) {
            c_.salvaged++;
            (void)finish_slot_locked(sl, done, true); // a bad record fails its own session
            continue;
        }
        Op *op = sl.op;
        release_slot_locked(sl);
        // A multi-chunk op may sit in ready_ only when not in flight, so no duplicate.
        done.emplace_back(op, status);
    }
    outstanding_ = 0;
}

void Device::broken_locked(const std::string &why, std::vector<Completion> &done) {
    if (broken_) return;
    broken_ = true;
    c_.resets++;
    // Stop the chip first so nothing more is written to our memory.
    wr1(HIFN_1_DMA_IER, 0);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_FULL_RESET);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_IDLE);
    while (outstanding_ > 0) {
        Slot &sl = slots_[res_.cons];
        if (sl.op == nullptr) break;
        Op *op = sl.op;
        release_slot_locked(sl);
        done.emplace_back(op, ACRYPTO_E_DEVICE);
    }
    outstanding_ = 0;
    while (!ready_.empty()) {
        done.emplace_back(ready_.front(), ACRYPTO_E_DEVICE);
        ready_.pop_front();
    }
    log(ACRYPTO_LOG_ERROR, "marked broken: " + why);
    if (host_.ops != nullptr && host_.ops->mark_broken_fn != nullptr)
        host_.ops->mark_broken_fn(host_.host, (cfg_.name + ": " + why).c_str());
}

void Device::recover_locked(int status, const char *why, std::vector<Completion> &done) {
    log(ACRYPTO_LOG_WARN, std::string("resetting: ") + why);
    // Stop the engine before salvaging so no descriptor changes under us.
    wr1(HIFN_1_DMA_IER, 0);
    wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_FULL_RESET);
    std::vector<Completion> failed;
    fail_all_locked(status, failed);
    // Ops still in ready_ never reached the chip: they are posted after the reset.
    for (auto &f : failed) done.push_back(f);
    c_.resets++;
    if (++consecutive_resets_ > cfg_.max_resets) {
        broken_locked(std::string("no progress after ") + std::to_string(cfg_.max_resets) +
                          " resets (" + why + ")",
                      done);
        return;
    }
    if (auto r = init_hw(false); !r) {
        broken_locked("reset failed: " + r.error().message, done);
        return;
    }
    progress_ = Clock::now();
}

void Device::deliver(std::vector<Completion> &done) {
    for (auto &[op, status] : done) {
        if (op->wdone != nullptr) {
            std::shared_ptr<void> keep = op->keep; // outlives the notify even if the waiter left
            std::lock_guard lk(*op->wmu);
            *op->wstatus = status;
            *op->wdone = true;
            op->wcv->notify_all();
        } else {
            host_.ops->complete_fn(host_.host, op->s, status, status == ACRYPTO_OK ? op->steps : 0);
        }
        delete op;
    }
    if (!done.empty()) {
        std::lock_guard lk(mu_);
        held_ -= static_cast<uint32_t>(done.size());
    }
    done.clear();
}

void Device::reaper() {
    std::vector<Completion> done;
    while (!stop_.load(std::memory_order_acquire)) {
        bool busy;
        {
            std::lock_guard lk(mu_);
            busy = outstanding_ > 0 || !ready_.empty();
        }
        IrqResult r = t_.irq->wait(busy ? cfg_.poll : std::chrono::milliseconds(1000));
        if (r == IrqResult::Closed || stop_.load(std::memory_order_acquire)) break;
        bool kick = kicked_.exchange(false, std::memory_order_acq_rel);
        {
            std::lock_guard lk(mu_);
            if (!broken_ && !closing_) {
                uint32_t csr = rd1(HIFN_1_DMA_CSR);
                if (csr == 0xFFFFFFFFu) {
                    c_.device_gone++;
                    broken_locked("DMA_CSR reads all ones: device gone", done);
                } else {
                    uint32_t ack = csr & ier_;
                    if (ack != 0) {
                        c_.irqs++;
                        wr1(HIFN_1_DMA_CSR, ack); // 00 in every control field: rings unchanged
                        if ((ack & HIFN_DMACSR_ENGINE) != 0) wr0(HIFN_0_PUISR, rd0(HIFN_0_PUISR));
                        if ((ack & HIFN_DMACSR_PUBDONE) != 0)
                            wr1(HIFN_1_PUB_STATUS, HIFN_PUBSTS_DONE);
                        // Storm guard: a line that stays asserted after acknowledge.
                        if ((rd1(HIFN_1_DMA_CSR) & ier_ & ~HIFN_DMACSR_C_WAIT) != 0) {
                            if (++storm_ > 64) {
                                c_.storm_masked++;
                                ier_ = 0;
                                wr1(HIFN_1_DMA_IER, 0);
                                log(ACRYPTO_LOG_WARN, "interrupt storm: polling only");
                            }
                        } else {
                            storm_ = 0;
                        }
                    } else if (r == IrqResult::Fired && !kick) {
                        c_.spurious++;
                    }
                    uint32_t before = outstanding_;
                    if ((ack & HIFN_DMACSR_ABORTS) != 0) {
                        c_.aborts++;
                        recover_locked(ACRYPTO_E_DEVICE, "PCI master abort on a ring", done);
                    } else {
                        reap_locked(done);
                        if (r == IrqResult::Timeout && outstanding_ < before)
                            c_.polled++; // a completion found without its interrupt
                    }
                    if ((ack & HIFN_DMACSR_C_WAIT) != 0 && outstanding_ <= 1 && ier_ != 0) {
                        ier_ &= ~HIFN_DMACSR_C_WAIT;
                        wr1(HIFN_1_DMA_IER, ier_);
                    }
                    if (!broken_ && outstanding_ > 0 && Clock::now() - progress_ > cfg_.watchdog) {
                        c_.watchdog++;
                        recover_locked(ACRYPTO_E_TIMEOUT, "watchdog: no completion in time", done);
                    }
                    submit_locked(done);
                    if (!broken_ && outstanding_ == 0 && ready_.empty() && rings_on_ &&
                        r == IrqResult::Timeout && ++idle_ticks_ >= 5) {
                        wr1(HIFN_1_DMA_CSR, kAllRingsDisable); // idle: stop polling (§6.4)
                        rings_on_ = false;
                    }
                }
            } else if (broken_) {
                // Broken: take nothing more. Anything queued is the scheduler's to move.
            }
        }
        deliver(done);
        t_.irq->unmask();
    }
}

void Device::close() {
    {
        std::lock_guard lk(mu_);
        if (closing_) return;
        closing_ = true;
    }
    stop_.store(true, std::memory_order_release);
    t_.irq->raise();
    if (thread_.joinable()) thread_.join();
    std::vector<Completion> done;
    {
        std::lock_guard lk(mu_);
        // §6.5: interrupts off, stop the engine, then settle what is held.
        wr1(HIFN_1_DMA_IER, 0);
        wr1(HIFN_1_DMA_CSR, kAllRingsDisable);
        wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_FULL_RESET);
        wr1(HIFN_1_DMA_CNFG, HIFN_DMACNFG_IDLE);
        while (outstanding_ > 0) {
            Slot &sl = slots_[res_.cons];
            if (sl.op == nullptr) break;
            if ((load_acquire(res_.desc(res_.cons)) & HIFN_D_VALID) == 0 && !broken_) {
                c_.salvaged++;
                finish_slot_locked(sl, done, true);
                continue;
            }
            Op *op = sl.op;
            release_slot_locked(sl);
            done.emplace_back(op, ACRYPTO_E_SHUTDOWN);
        }
        outstanding_ = 0;
        // A partly done multi-chunk op, or one never posted, ends with SHUTDOWN.
        while (!ready_.empty()) {
            done.emplace_back(ready_.front(), ACRYPTO_E_SHUTDOWN);
            ready_.pop_front();
        }
        // Ops finished with OK but needing more chunks were pushed to ready_ above.
        for (auto &d : done)
            if (d.second == ACRYPTO_E_SHUTDOWN) c_.shutdown++;
    }
    // Salvaged multi-chunk ops could have been re-queued into ready_ after the drain.
    {
        std::lock_guard lk(mu_);
        while (!ready_.empty()) {
            done.emplace_back(ready_.front(), ACRYPTO_E_SHUTDOWN);
            ready_.pop_front();
        }
    }
    deliver(done);
    {
        std::lock_guard lk(rng_mu_);
        if (rng_ok_) wr1(HIFN_1_RNG_CONFIG, 0);
        rng_ok_ = false;
    }
}

// ---- Self-test, entropy, stats ---------------------------------------------------

Result<void> Device::self_test() {
    bool has_aes = std::any_of(caps_.begin(), caps_.end(), [](const acrypto_capability &c) {
        return c.alg == ACRYPTO_ALG_AES;
    });
    if (!has_aes) return {};
    static const uint8_t zero_key[16] = {};
    static const uint8_t expect[16] = {0x66, 0xe9, 0x4b, 0xd4, 0xef, 0x8a, 0x2c, 0x3b,
                                       0x88, 0x4c, 0xfa, 0x59, 0xca, 0x34, 0x2b, 0x2e};
    // Shared with the op: if the wait below gives up, the request still owns its buffers.
    struct State {
        acrypto_key key{};
        uint8_t in[16] = {}, out[16] = {};
        acrypto_step st{};
        acrypto_session s{};
        std::mutex m;
        std::condition_variable cv;
        int status = ACRYPTO_E_INTERNAL;
        bool fin = false;
    };
    auto k = std::make_shared<State>();
    k->key.alg = ACRYPTO_ALG_AES;
    k->key.data = zero_key;
    k->key.len = 16;
    k->st.op = ACRYPTO_OP_CIPHER;
    k->st.alg = ACRYPTO_ALG_AES;
    k->st.mode = ACRYPTO_MODE_ECB;
    k->st.dir = ACRYPTO_DIR_ENCRYPT;
    k->st.key = &k->key;
    k->st.src = k->in;
    k->st.src_len = 16;
    k->st.dst = k->out;
    k->st.dst_len = 16;
    k->s.struct_size = sizeof k->s;
    k->s.nsteps = 1;
    k->s.ncur = 1;
    k->s.steps = &k->st;
    auto *op = new Op;
    op->s = &k->s;
    op->wmu = &k->m;
    op->wcv = &k->cv;
    op->wstatus = &k->status;
    op->wdone = &k->fin;
    op->keep = k;
    {
        std::lock_guard lk(mu_);
        if (broken_ || closing_) {
            delete op;
            return Result<void>(Errc::DeviceBroken, "device is broken or closing");
        }
        if (prepare_locked(*op) != ACRYPTO_OK) {
            delete op;
            return Result<void>(Errc::Unsupported, "self-test step refused");
        }
        ++held_;
        ready_.push_back(op);
    }
    data_ready();
    std::unique_lock lk(k->m);
    if (!k->cv.wait_for(lk, cfg_.watchdog * 3 + std::chrono::seconds(2), [&] { return k->fin; }))
        return Result<void>(Errc::Timeout, "self-test did not complete");
    if (k->status != ACRYPTO_OK)
        return Result<void>(Errc::DeviceBroken,
                            "self-test failed with status " + std::to_string(k->status));
    if (std::memcmp(k->out, expect, 16) != 0)
        return Result<void>(Errc::DeviceBroken, "AES-128-ECB known answer mismatch");
    return {};
}

int Device::get_entropy(uint8_t *buf, size_t len) {
    std::lock_guard lk(rng_mu_);
    if (!rng_ok_) return ACRYPTO_E_UNSUPPORTED;
    if (health_.failed()) return ACRYPTO_E_DEVICE;
    uint8_t block[32];
    size_t off = 0;
    while (off < len) {
        Sha256 h;
        for (unsigned i = 0; i < kWordsPerBlock; ++i) {
            uint32_t w = 0;
            // The 795x data register latches every 8th read (§6.6): keep one in eight.
            for (int k = 0; k < 8; ++k) w = rd1(HIFN_1_RNG_DATA);
            c_.rng_words++;
            if (!health_.feed(w)) {
                c_.rng_health_fail++;
                log(ACRYPTO_LOG_ERROR, "RNG health test failed: entropy source disabled");
                std::memset(block, 0, sizeof block);
                return ACRYPTO_E_DEVICE;
            }
            uint8_t b[4] = {static_cast<uint8_t>(w), static_cast<uint8_t>(w >> 8),
                            static_cast<uint8_t>(w >> 16), static_cast<uint8_t>(w >> 24)};
            h.update(b, 4);
        }
        h.final(block);
        size_t n = std::min(len - off, sizeof block);
        std::memcpy(buf + off, block, n);
        off += n;
    }
    std::memset(block, 0, sizeof block);
    return ACRYPTO_OK;
}

std::vector<acrypto_stat> Device::stats() const {
    return {
        {"commands", c_.commands.load()},
        {"sessions", c_.sessions.load()},
        {"bytes", c_.bytes.load()},
        {"busy", c_.busy.load()},
        {"invalid", c_.invalid.load()},
        {"unsupported", c_.unsupported.load()},
        {"dst_overrun", c_.dst_overrun.load()},
        {"command_error", c_.command_error.load()},
        {"source_left", c_.source_left.load()},
        {"mac_error", c_.mac_error.load()},
        {"hostile", c_.hostile.load()},
        {"aborts", c_.aborts.load()},
        {"watchdog", c_.watchdog.load()},
        {"resets", c_.resets.load()},
        {"irqs", c_.irqs.load()},
        {"spurious_irqs", c_.spurious.load()},
        {"polled", c_.polled.load()},
        {"storm_masked", c_.storm_masked.load()},
        {"device_gone", c_.device_gone.load()},
        {"rng_words", c_.rng_words.load()},
        {"rng_health_fail", c_.rng_health_fail.load()},
        {"submit_ns", c_.submit_ns.load()},
        {"reap_ns", c_.reap_ns.load()},
        {"salvaged", c_.salvaged.load()},
        {"shutdown", c_.shutdown.load()},
        {"key_sends", c_.key_sends.load()},
        {"key_hits", c_.key_hits.load()},
    };
}

} // namespace acrypto::hw::hifn
