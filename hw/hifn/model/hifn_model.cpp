// SPDX-License-Identifier: Apache-2.0
// HifnModel: registers, reset values and side effects, unlock, PLL, PK/RNG stubs (§7.1-§7.3).
#include "hifn_model.hpp"

#include "../regs.hpp"
#include "crypto_engine.hpp"

#include <openssl/crypto.h>

namespace acrypto::hw::hifn::model {

using namespace regs;

namespace {

uint32_t parity(uint32_t x) { return static_cast<uint32_t>(__builtin_parity(x)); }

/// §2.3 sig(): n steps of the 32-bit LFSR.
uint32_t sig(uint32_t a, unsigned n) {
    for (unsigned i = 0; i < n; ++i) a = (a << 1) | parity(a & HIFN_UNLOCK_TAP);
    return a;
}

uint64_t splitmix(uint64_t &s) {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

constexpr unsigned kMaxContexts = 2048;

} // namespace

HifnModel::HifnModel(DmaArena &arena, IrqWait &irq, ModelConfig cfg)
    : arena_(arena), irq_(irq), cfg_(cfg), crypto_(std::make_unique<CryptoEngine>()) {
    power_cycle();
    thread_ = std::thread([this] { engine(); });
}

HifnModel::~HifnModel() {
    {
        std::lock_guard lk(mu_);
        stop_ = true;
        ++gen_;
    }
    cv_.notify_all();
    thread_.join();
    for (auto &c : contexts_) { // contexts hold keys
        OPENSSL_cleanse(c.key.data(), c.key.size());
        OPENSSL_cleanse(c.mac_key.data(), c.mac_key.size());
    }
}

void HifnModel::power_cycle() {
    std::lock_guard lk(mu_);
    ++gen_;
    puctrl_ = puisr_ = pucnfg_ = puier_ = fifocnfg_ = 0;
    for (auto &r : rings_) r = Ring{};
    csr_ = ier_ = dma_cnfg_ = dma_cnfg2_ = pll_ = 0;
    halted_ = stalled_ = false;
    pub_op_ = pub_status_ = pub_ien_ = pub_base_ = pub_oplen_ = 0;
    pub_mem_.assign((HIFN_1_PUB_MEM_END - HIFN_1_PUB_MEM) / 4, 0);
    rng_cfg_ = rng_reads_ = rng_value_ = 0;
    rng_state_ = cfg_.seed ^ 0x5EED;
    lock_ = Lock::Locked;
    level_ = 0;
    uint64_t s = cfg_.seed;
    seed_ = static_cast<uint32_t>(splitmix(s)) | 1u;
    hs_active_ = false;
    for (auto &c : contexts_) {
        OPENSSL_cleanse(c.key.data(), c.key.size());
        OPENSSL_cleanse(c.mac_key.data(), c.mac_key.size());
    }
    contexts_.assign(kMaxContexts, Context{});
    irq_level_ = false;
    pll_settling_ = false;
}

ModelStats HifnModel::stats() const {
    std::lock_guard lk(mu_);
    return st_;
}

uint32_t HifnModel::enable_level() const {
    std::lock_guard lk(mu_);
    return level_;
}

void HifnModel::inject(Fault fault, uint32_t count) {
    std::lock_guard lk(mu_);
    armed_[static_cast<unsigned>(fault)] += count;
    if (fault == Fault::SpuriousIrq) {
        // Fires at once: a line that pulses with nothing to report.
        armed_[static_cast<unsigned>(fault)] -= count;
        for (uint32_t i = 0; i < count; ++i) irq_.raise();
        st_.faults += count;
    }
    cv_.notify_all();
}

bool HifnModel::fault_now_locked(Fault f) {
    auto i = static_cast<unsigned>(f);
    bool fire = false;
    if (armed_[i] > 0) {
        --armed_[i];
        fire = true;
    } else if (cfg_.every[i] != 0 && cmd_index_ % cfg_.every[i] == cfg_.every[i] - 1) {
        fire = true;
    }
    if (fire) ++st_.faults;
    return fire;
}

bool HifnModel::running_locked() const {
    constexpr uint32_t both = HIFN_DMACNFG_MSTRESET | HIFN_DMACNFG_DMARESET;
    return (dma_cnfg_ & both) == both && (dma_cnfg_ & HIFN_DMACNFG_POLLFREQ_MASK) != 0;
}

uint32_t HifnModel::csr_locked() const {
    uint32_t v = csr_ & ~HIFN_DMACSR_CTRL_MASK;
    if ((puisr_ & puier_) != 0) v |= HIFN_DMACSR_ENGINE;
    return v;
}

void HifnModel::set_status_locked(uint32_t bits) {
    uint32_t before = csr_locked() & ier_;
    csr_ |= bits;
    if (((csr_locked() & ier_) & ~before) != 0) update_irq_locked(true);
}

void HifnModel::set_pu_locked(uint32_t bits) {
    uint32_t before = csr_locked() & ier_;
    puisr_ |= bits;
    if (((csr_locked() & ier_) & ~before) != 0) update_irq_locked(true);
}

void HifnModel::update_irq_locked(bool edge) {
    bool level = (csr_locked() & ier_) != 0;
    if (level && (edge || !irq_level_)) {
        if (drop_irq_) {
            ++st_.irqs_dropped;
        } else {
            ++st_.irqs;
            irq_.raise();
        }
    }
    irq_level_ = level;
}

uint32_t HifnModel::read_reg(unsigned bar, uint32_t off) {
    if (gone_.load(std::memory_order_relaxed))
        return 0xFFFFFFFFu; // what a read from a vanished PCI device returns
    std::lock_guard lk(mu_);
    if (bar == 0) return read0(off);
    if (bar == 1) return read1(off);
    return 0;
}

void HifnModel::write_reg(unsigned bar, uint32_t off, uint32_t value) {
    if (gone_.load(std::memory_order_relaxed)) return;
    {
        std::lock_guard lk(mu_);
        if (bar == 0)
            write0(off, value);
        else if (bar == 1)
            write1(off, value);
    }
    // Only a ring enable or a configuration change makes the engine look again at
    // once; otherwise it re-polls at its own pace, as the chip does (POLLFREQ). Waking
    // on every acknowledge would turn C_WAIT into an interrupt storm.
    if (bar == 1 && ((off == regs::HIFN_1_DMA_CSR && (value & regs::HIFN_DMACSR_CTRL_MASK) != 0) ||
                     off == regs::HIFN_1_DMA_CNFG))
        cv_.notify_all();
}

uint32_t HifnModel::read0(uint32_t off) {
    switch (off) {
    case HIFN_0_PUCTRL:
    case HIFN_0_PUCTRL2: return puctrl_ & ~HIFN_PUCTRL_RESET; // PU reset completes at once
    case HIFN_0_PUISR: return puisr_;
    case HIFN_0_PUCNFG: return pucnfg_;
    case HIFN_0_PUIER: return puier_;
    case HIFN_0_PUSTAT:
        if ((pucnfg_ & HIFN_PUCNFG_CHIPID) != 0) return (level_ << 8) | cfg_.revision;
        return puisr_ & 0xFFFF;
    case HIFN_0_FIFOSTAT: return (0x40u << 8) | 0x40u;
    case HIFN_0_FIFOCNFG: return fifocnfg_;
    default: return 0;
    }
}

void HifnModel::write0(uint32_t off, uint32_t v) {
    switch (off) {
    case HIFN_0_PUCTRL:
    case HIFN_0_PUCTRL2: // FreeBSD's 795x reset register: alias (§2.1 CONFLICT)
        puctrl_ = v & ~HIFN_PUCTRL_RESET;
        if ((v & HIFN_PUCTRL_RESET) != 0) puisr_ = 0;
        break;
    case HIFN_0_PUISR:
        puisr_ &= ~v;
        update_irq_locked();
        break;
    case HIFN_0_PUCNFG: pucnfg_ = v; break;
    case HIFN_0_PUIER:
        puier_ = v;
        update_irq_locked();
        break;
    case HIFN_0_FIFOCNFG: fifocnfg_ = v; break;
    default: break; // unimplemented: ignored
    }
}

uint32_t HifnModel::read1(uint32_t off) {
    switch (off) {
    case HIFN_1_DMA_CRAR: return rings_[0].base;
    case HIFN_1_DMA_SRAR: return rings_[1].base;
    case HIFN_1_DMA_RRAR: return rings_[2].base;
    case HIFN_1_DMA_DRAR: return rings_[3].base;
    case HIFN_1_DMA_CSR: return csr_locked();
    case HIFN_1_DMA_IER: return ier_;
    case HIFN_1_DMA_CNFG: return dma_cnfg_;
    case HIFN_1_PLL: return pll_;
    case HIFN_1_DMA_CNFG2: return dma_cnfg2_;
    case HIFN_1_REVID: return cfg_.revision;
    case HIFN_1_UNLOCK_SECRET1: return seed_;
    case HIFN_1_PUB_RESET:
        return std::chrono::steady_clock::now() < pub_reset_until_ ? HIFN_PUBRST_RESET : 0;
    case HIFN_1_PUB_BASE: return pub_base_;
    case HIFN_1_PUB_OPLEN: return pub_oplen_;
    case HIFN_1_PUB_OP: return pub_op_;
    case HIFN_1_PUB_STATUS: return pub_status_;
    case HIFN_1_PUB_IEN: return pub_ien_;
    case HIFN_1_RNG_CONFIG: return rng_cfg_;
    case HIFN_1_RNG_DATA: return rng_word_locked();
    default:
        if (off >= HIFN_1_PUB_MEM && off < HIFN_1_PUB_MEM_END)
            return pub_mem_[(off - HIFN_1_PUB_MEM) / 4];
        return 0;
    }
}

uint32_t HifnModel::rng_word_locked() {
    if ((rng_cfg_ & HIFN_RNGCFG_ENA) == 0) return 0;
    if (cfg_.stuck_rng) return 0x5A5A5A5Au;
    uint32_t n = rng_reads_++;
    if (!cfg_.rng_quirks) return static_cast<uint32_t>(splitmix(rng_state_));
    if (n == 0) return 0; // first read after enable is stale (§6.6)
    if ((n - 1) % 8 == 0) rng_value_ = static_cast<uint32_t>(splitmix(rng_state_));
    return rng_value_; // the data register latches every 8 reads on 795x (§6.6)
}

void HifnModel::write1(uint32_t off, uint32_t v) {
    switch (off) {
    case HIFN_1_DMA_CRAR: rings_[0].base = rings_[0].cur = v; break;
    case HIFN_1_DMA_SRAR: rings_[1].base = rings_[1].cur = v; break;
    case HIFN_1_DMA_RRAR: rings_[2].base = rings_[2].cur = v; break;
    case HIFN_1_DMA_DRAR: rings_[3].base = rings_[3].cur = v; break;
    case HIFN_1_DMA_CSR: write_csr(v); break;
    case HIFN_1_DMA_IER:
        ier_ = v;
        update_irq_locked();
        break;
    case HIFN_1_DMA_CNFG: write_dma_cnfg(v); break;
    case HIFN_1_PLL: {
        uint32_t nv = v & HIFN_PLL_DEFINED; // reserved bits ignored (§2.4)
        bool clk_sel = (nv & (HIFN_PLL_PE_CLK_SEL | HIFN_PLL_PK_CLK_SEL)) != 0;
        if (clk_sel && (pll_ & (HIFN_PLL_PE_CLK_SEL | HIFN_PLL_PK_CLK_SEL)) == 0 && !pll_settling_)
            ++st_.pll_warnings; // clocks switched to the PLL without a bypass settle
        if ((nv & HIFN_PLL_BP) != 0) pll_settling_ = true;
        unsigned mult = 2 * (((nv & HIFN_PLL_ND_MASK) >> HIFN_PLL_ND_SHIFT) + 1);
        if ((nv & HIFN_PLL_REF_SEL) != 0 && mult * HIFN_PLL_REF_MHZ > HIFN_PLL_MAX_MHZ)
            ++st_.pll_warnings;
        pll_ = nv;
        break;
    }
    case HIFN_1_DMA_CNFG2: dma_cnfg2_ = v; break;
    case HIFN_1_UNLOCK_SECRET2: secret2(v); break;
    case HIFN_1_PUB_RESET:
        if ((v & HIFN_PUBRST_RESET) != 0) {
            pub_reset_until_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(1);
            rng_cfg_ = 0;
            rng_reads_ = 0;
            pub_status_ = 0;
        }
        break;
    case HIFN_1_PUB_BASE: pub_base_ = v & 0x3FFF; break;
    case HIFN_1_PUB_OPLEN: pub_oplen_ = v; break;
    case HIFN_1_PUB_OP:
        // No public-key unit is modelled (§2.5): every operation completes as a NOP.
        pub_op_ = v;
        pub_status_ |= HIFN_PUBSTS_DONE;
        if ((pub_ien_ & HIFN_PUBIEN_DONE) != 0) set_status_locked(HIFN_DMACSR_PUBDONE);
        break;
    case HIFN_1_PUB_STATUS: pub_status_ &= ~(v & HIFN_PUBSTS_DONE); break;
    case HIFN_1_PUB_IEN: pub_ien_ = v; break;
    case HIFN_1_RNG_CONFIG:
        if ((v & HIFN_RNGCFG_ENA) != 0 && (rng_cfg_ & HIFN_RNGCFG_ENA) == 0) rng_reads_ = 0;
        rng_cfg_ = v;
        break;
    default:
        if (off >= HIFN_1_PUB_MEM && off < HIFN_1_PUB_MEM_END)
            pub_mem_[(off - HIFN_1_PUB_MEM) / 4] = v;
        break;
    }
}

void HifnModel::write_csr(uint32_t v) {
    static constexpr unsigned shifts[4] = {HIFN_DMACSR_C_CTRL_SHIFT, HIFN_DMACSR_S_CTRL_SHIFT,
                                           HIFN_DMACSR_R_CTRL_SHIFT, HIFN_DMACSR_D_CTRL_SHIFT};
    for (unsigned r = 0; r < 4; ++r) {
        uint32_t ctl = (v >> shifts[r]) & 3u;
        if (ctl == HIFN_DMACSR_CTRL_ENA)
            rings_[r].enabled = true;
        else if (ctl == HIFN_DMACSR_CTRL_DIS)
            rings_[r].enabled = false;
    }
    csr_ &= ~(v & ~HIFN_DMACSR_CTRL_MASK);
    update_irq_locked();
}

void HifnModel::dma_reset_locked() {
    ++gen_;
    for (auto &r : rings_) {
        r.enabled = false;
        r.cur = r.base;
    }
    csr_ = 0;
    halted_ = stalled_ = false;
    update_irq_locked();
}

void HifnModel::master_reset_locked() {
    dma_reset_locked();
    ++st_.resets;
    puisr_ = 0;
    puctrl_ = 0;
    for (auto &c : contexts_) { // model choice: the context cache is lost, keys must be re-sent
        OPENSSL_cleanse(c.key.data(), c.key.size());
        OPENSSL_cleanse(c.mac_key.data(), c.mac_key.size());
        c = Context{};
    }
    if (!cfg_.unlock_survives_mstreset && lock_ != Lock::Dead) {
        lock_ = Lock::Locked;
        level_ = 0;
    }
    update_irq_locked();
}

void HifnModel::write_dma_cnfg(uint32_t v) {
    if ((v & HIFN_DMACNFG_MSTRESET) == 0)
        master_reset_locked();
    else if ((v & HIFN_DMACNFG_DMARESET) == 0)
        dma_reset_locked();
    if ((v & HIFN_DMACNFG_UNLOCK) == 0)
        hs_active_ = false; // the handshake ends when the driver restores DMA_CNFG
    dma_cnfg_ = v;
}

void HifnModel::secret2(uint32_t v) {
    if ((dma_cnfg_ & HIFN_DMACNFG_UNLOCK) == 0 || lock_ == Lock::Dead) return;
    if (!hs_active_) {
        if (v != 0) return;
        if (lock_ == Lock::Unlocked) {
            if (cfg_.relock_on_second_unlock) {
                lock_ = Lock::Dead; // §2.3: a second unlock locks until power cycle
                level_ = 0;
            }
            return;
        }
        hs_active_ = true;
        hs_value_ = seed_;
        hs_count_ = 0;
        return;
    }
    uint32_t expected = sig(hs_value_, HIFN_UNLOCK_STEP);
    if (v != expected) {
        lock_ = Lock::Dead;
        level_ = 0;
        hs_active_ = false;
        return;
    }
    hs_value_ = v;
    ++hs_count_;
    if (hs_count_ == 12 && lock_ != Lock::Unlocked) {
        lock_ = Lock::Unlocked;
        level_ = cfg_.unlock_level == (HIFN_PUSTAT_ENA_1 >> 8) ? HIFN_PUSTAT_ENA_1 >> 8
                                                               : HIFN_PUSTAT_ENA_2 >> 8;
        ++st_.unlocks;
    } else if (hs_count_ >= 13) {
        hs_active_ = false; // [F][N]'s 13th word is accepted silently
    }
}

std::unique_ptr<ModelInstance> make_model(const ModelConfig &cfg, size_t arena_bytes,
                                          uint64_t bus_base) {
    auto m = std::make_unique<ModelInstance>();
    m->arena = make_host_arena(arena_bytes, bus_base);
    m->irq = make_eventfd_irq();
    m->chip = std::make_unique<HifnModel>(*m->arena, *m->irq, cfg);
    m->bar0 = std::make_unique<ModelWindow>(*m->chip, 0, BAR0_SIZE);
    m->bar1 = std::make_unique<ModelWindow>(*m->chip, 1, BAR1_SIZE);
    return m;
}

} // namespace acrypto::hw::hifn::model
