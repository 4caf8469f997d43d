// SPDX-License-Identifier: Apache-2.0
// FpiModel: registers, ring engine, IV write-back, W1C interrupts, halt/reset and fault injection.
#include "fpi_model.hpp"

#include <cstring>

#include "../regs.hpp"

namespace acrypto::hw::fastcrypt::model {

namespace {

uint32_t load_le32(const uint8_t *p) {
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

uint64_t load_le64(const uint8_t *p) {
    return uint64_t{load_le32(p)} | uint64_t{load_le32(p + 4)} << 32;
}

void wipe(void *p, size_t n) {
    if (p != nullptr && n != 0) explicit_bzero(p, n);
}

bool is_pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

constexpr uint64_t FOUR_GIB = 1ull << 32;

} // namespace

const char *fault_name(FaultKind k) noexcept {
    switch (k) {
    case FaultKind::SrcDma: return "src-dma";
    case FaultKind::DstDma: return "dst-dma";
    case FaultKind::Fetch: return "fetch";
    case FaultKind::StatusWrite: return "status-write";
    case FaultKind::Delay: return "delay";
    case FaultKind::Stall: return "stall";
    case FaultKind::SpuriousIrq: return "spurious-irq";
    case FaultKind::LostIrq: return "lost-irq";
    case FaultKind::Count: break;
    }
    return "?";
}

FpiModel::FpiModel(DmaArena &arena, IrqWait &irq, ModelOptions opt)
    : arena_(arena), irq_(irq), opt_(std::move(opt)), rng_(opt_.fault_seed) {
    std::lock_guard lk(mu_);
    reset_locked();
    if (!des_.ok() && opt_.assert_hook) opt_.assert_hook("libcrypto DES/3DES ciphers unavailable");
    if (opt_.threaded) thread_ = std::thread([this] { thread_main(); });
}

FpiModel::~FpiModel() {
    {
        std::lock_guard lk(mu_);
        quit_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool FpiModel::ready_locked() const { return std::chrono::steady_clock::now() >= ready_at_; }

void FpiModel::reset_locked() {
    ctrl_ = 0;
    int_status_ = 0;
    int_enable_ = 0;
    ring_lo_ = ring_hi_ = ring_size_ = 0;
    head_ = tail_ = 0;
    done_count_ = 0;
    fatal_info_ = 0;
    scratch_ = 0;
    halted_ = false;
    busy_ = false;
    stalled_ = false;
    line_ = false;
    ++gen_; // anything the engine holds now is abandoned: its status is never written
    ready_at_ = std::chrono::steady_clock::now() + opt_.reset_latency;
    cv_.notify_all();
}

void FpiModel::fatal_locked(uint32_t code, uint32_t index) {
    fatal_info_ = (code & regs::FATAL_CODE_MASK) | (index & 0xFFFFu) << regs::FATAL_INDEX_SHIFT;
    int_status_ |= regs::INT_FATAL;
    halted_ = true;
    busy_ = false;
    ++ctr_.fatals;
    update_line_locked(false);
}

void FpiModel::update_line_locked(bool force_raise) {
    const bool asserted = (int_status_ & int_enable_) != 0 && (ctrl_ & regs::CTRL_IRQ_EN) != 0;
    // The line is level-triggered; the eventfd is an edge. Re-raise after every write
    // that leaves it asserted so a handler that consumed the edge sees it again.
    if (asserted && (!line_ || force_raise)) {
        ++ctr_.irqs;
        irq_.raise();
    }
    line_ = asserted;
}

bool FpiModel::runnable_locked() const {
    return !removed_ && !halted_ && !stalled_ && (ctrl_ & regs::CTRL_ENABLE) != 0 &&
           head_ != tail_ && ring_size_ != 0;
}

uint32_t FpiModel::read_reg(unsigned bar, uint32_t off) {
    std::lock_guard lk(mu_);
    if (removed_) return regs::ALL_ONES;
    if (bar != 0 || (off & 3u) != 0 || off >= regs::BAR0_SIZE) {
        if (opt_.assert_hook) opt_.assert_hook("bad FPI register read at " + std::to_string(off));
        return regs::ALL_ONES;
    }
    switch (off) {
    case regs::ID: return opt_.id;
    case regs::VERSION: return opt_.version;
    case regs::CAPS: return opt_.caps;
    case regs::MAX_XFER: return opt_.max_xfer;
    case regs::CTRL: return ctrl_ & regs::CTRL_RW_MASK;
    case regs::STATUS:
        return (ready_locked() ? regs::STATUS_READY : 0u) | (busy_ ? regs::STATUS_BUSY : 0u) |
               (halted_ ? regs::STATUS_HALTED : 0u);
    case regs::INT_STATUS: return int_status_;
    case regs::INT_ENABLE: return int_enable_;
    case regs::RING_BASE_LO: return ring_lo_;
    case regs::RING_BASE_HI: return ring_hi_;
    case regs::RING_SIZE: return ring_size_;
    case regs::RING_HEAD: return head_;
    case regs::RING_TAIL: return tail_;
    case regs::DONE_COUNT: return done_count_;
    case regs::FATAL_INFO: return fatal_info_;
    case regs::SCRATCH: return scratch_;
    default: return 0; // reserved
    }
}

void FpiModel::write_ctrl_locked(uint32_t value) {
    if ((value & regs::CTRL_SOFT_RESET) != 0) {
        if (busy_) ++ctr_.abandoned;
        reset_locked();
        ++ctr_.resets;
        return;
    }
    uint32_t next = value & regs::CTRL_RW_MASK;
    const bool enabling = (ctrl_ & regs::CTRL_ENABLE) == 0 && (next & regs::CTRL_ENABLE) != 0;
    if (enabling) {
        const bool dma64 = (opt_.caps & regs::CAPS_DMA64) != 0;
        if ((ring_lo_ == 0 && ring_hi_ == 0) || (ring_lo_ % regs::RING_ALIGN) != 0 ||
            (ring_hi_ != 0 && !dma64)) {
            next &= ~regs::CTRL_ENABLE;
            ctrl_ = next;
            fatal_locked(regs::FATAL_BAD_RING_BASE, 0);
            return;
        }
        if (!is_pow2(ring_size_) || ring_size_ < regs::RING_SIZE_MIN ||
            ring_size_ > regs::RING_SIZE_MAX) {
            next &= ~regs::CTRL_ENABLE;
            ctrl_ = next;
            fatal_locked(regs::FATAL_BAD_RING_SIZE, 0);
            return;
        }
    }
    ctrl_ = next;
    update_line_locked(false);
    cv_.notify_all();
}

void FpiModel::write_reg(unsigned bar, uint32_t off, uint32_t value) {
    std::lock_guard lk(mu_);
    if (removed_) return;
    if (bar != 0 || (off & 3u) != 0 || off >= regs::BAR0_SIZE) {
        if (opt_.assert_hook) opt_.assert_hook("bad FPI register write at " + std::to_string(off));
        return;
    }
    // Until READY, only SOFT_RESET is heard (§3.1).
    if (!ready_locked() && !(off == regs::CTRL && (value & regs::CTRL_SOFT_RESET) != 0)) return;
    const bool enabled = (ctrl_ & regs::CTRL_ENABLE) != 0;
    switch (off) {
    case regs::CTRL: write_ctrl_locked(value); break;
    case regs::INT_STATUS:
        int_status_ &= ~(value & regs::INT_ALL);
        update_line_locked(true);
        break;
    case regs::INT_ENABLE:
        int_enable_ = value & regs::INT_ALL;
        update_line_locked(false);
        break;
    case regs::RING_BASE_LO:
    case regs::RING_BASE_HI:
    case regs::RING_SIZE:
        if (enabled) {
            fatal_locked(regs::FATAL_CFG_WHILE_ENABLED, head_);
            break;
        }
        if (off == regs::RING_BASE_LO)
            ring_lo_ = value;
        else if (off == regs::RING_BASE_HI)
            ring_hi_ = value;
        else
            ring_size_ = value;
        break;
    case regs::RING_TAIL:
        if (halted_) {
            ++ctr_.spurious_doorbells; // a halted engine ignores doorbells (§2.5 step 6)
            break;
        }
        if (value >= ring_size_) {
            fatal_locked(regs::FATAL_TAIL_RANGE, value);
            break;
        }
        if (value == tail_) ++ctr_.spurious_doorbells;
        tail_ = value;
        cv_.notify_all();
        break;
    case regs::SCRATCH: scratch_ = value; break;
    default: break; // RO and reserved registers ignore writes
    }
}

void FpiModel::inject(FaultKind k, uint64_t seq) {
    std::lock_guard lk(mu_);
    if (k == FaultKind::SpuriousIrq) {
        ++ctr_.faults_injected;
        ++ctr_.irqs;
        irq_.raise();
        return;
    }
    forced_.emplace_back(seq, k);
}

uint64_t FpiModel::next_seq() const {
    std::lock_guard lk(mu_);
    return seq_;
}

void FpiModel::set_removed(bool removed) {
    std::lock_guard lk(mu_);
    removed_ = removed;
    cv_.notify_all();
}

ModelCounters FpiModel::counters() const {
    std::lock_guard lk(mu_);
    return ctr_;
}

bool FpiModel::busy() const {
    std::lock_guard lk(mu_);
    return busy_;
}

void FpiModel::draw_random_fault_locked(uint64_t seq) {
    pending_.fill(false);
    for (auto it = forced_.begin(); it != forced_.end();) {
        if (it->first == seq) {
            pending_[static_cast<size_t>(it->second)] = true;
            ++ctr_.faults_injected;
            it = forced_.erase(it);
        } else {
            ++it;
        }
    }
    if (opt_.fault_rate <= 0 || opt_.fault_kinds == 0) return;
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    if (coin(rng_) >= opt_.fault_rate) return;
    std::vector<FaultKind> kinds;
    for (uint32_t i = 0; i < static_cast<uint32_t>(FaultKind::Count); ++i)
        if ((opt_.fault_kinds & (1u << i)) != 0) kinds.push_back(static_cast<FaultKind>(i));
    std::uniform_int_distribution<size_t> pick(0, kinds.size() - 1);
    const FaultKind k = kinds[pick(rng_)];
    ++ctr_.faults_injected;
    if (k == FaultKind::SpuriousIrq) {
        ++ctr_.irqs;
        irq_.raise();
        return;
    }
    pending_[static_cast<size_t>(k)] = true;
}

bool FpiModel::take_fault_locked(uint64_t, FaultKind k) { return pending_[static_cast<size_t>(k)]; }

bool FpiModel::process_one(std::unique_lock<std::mutex> &lk) {
    if (!runnable_locked()) return false;
    const auto start = std::chrono::steady_clock::now();
    const uint64_t gen = gen_;
    const uint32_t idx = head_;
    const uint64_t seq = seq_++;
    draw_random_fault_locked(seq);
    const uint64_t ring = uint64_t{ring_hi_} << 32 | ring_lo_;
    const uint64_t desc_bus = ring + uint64_t{idx} * regs::DESC_SIZE;

    // §3.3 step 1: fetch.
    uint8_t *dp = arena_.to_cpu(desc_bus, regs::DESC_SIZE);
    if (dp == nullptr || take_fault_locked(seq, FaultKind::Fetch)) {
        fatal_locked(regs::FATAL_DESC_FETCH_FAULT, idx);
        return true;
    }
    uint8_t d[regs::DESC_SIZE];
    std::memcpy(d, dp, sizeof d);
    struct Wipe {
        uint8_t *p;
        size_t n;
        ~Wipe() { explicit_bzero(p, n); }
    } wipe_desc{d, sizeof d}; // key and IV never outlive the descriptor (§3.3 step 6)
    busy_ = true;

    const uint32_t control = load_le32(d + regs::D_CONTROL);
    const uint32_t len = load_le32(d + regs::D_LENGTH);
    const uint64_t src = load_le64(d + regs::D_SRC);
    const uint64_t dst = load_le64(d + regs::D_DST);
    const bool triple = (control & regs::D_CTL_ALG_TDES) != 0;
    const bool encrypt = (control & regs::D_CTL_DIR_ENC) != 0;
    const uint32_t mode = control & regs::D_CTL_MODE_MASK;
    const bool cbc = mode == regs::D_CTL_MODE_CBC;

    // §3.3 step 2: validate in order.
    uint32_t code = regs::ERR_OK;
    const bool dma64 = (opt_.caps & regs::CAPS_DMA64) != 0;
    if ((control & ~regs::D_CTL_DEFINED) != 0 ||
        (mode != regs::D_CTL_MODE_ECB && mode != regs::D_CTL_MODE_CBC)) {
        code = regs::ERR_BAD_CONTROL;
    } else if (len == 0 || len % regs::BLOCK != 0 || len > opt_.max_xfer) {
        code = regs::ERR_BAD_LENGTH;
    } else if (src % regs::BLOCK != 0 || dst % regs::BLOCK != 0) {
        code = regs::ERR_BAD_ALIGN;
    } else if (src != dst && src < dst + len && dst < src + len) {
        code = regs::ERR_OVERLAP;
    } else if (!dma64 && (src + len > FOUR_GIB || dst + len > FOUR_GIB)) {
        code = regs::ERR_ADDR_RANGE;
    }
    std::vector<uint8_t> buf;
    if (code == regs::ERR_OK) {
        const uint8_t *sp = arena_.to_cpu(src, len);
        if (sp == nullptr || take_fault_locked(seq, FaultKind::SrcDma))
            code = regs::ERR_SRC_DMA_FAULT;
        else
            buf.assign(sp, sp + len);
    }
    if (code == regs::ERR_OK &&
        (arena_.to_cpu(dst, len) == nullptr || take_fault_locked(seq, FaultKind::DstDma)))
        code = regs::ERR_DST_DMA_FAULT;

    uint8_t iv_out[regs::D_IV_LEN];
    std::memcpy(iv_out, d + regs::D_IV, sizeof iv_out);
    if (code == regs::ERR_OK) {
        // CBC decrypt chains on the last *input* block: take it from the private copy,
        // which an in-place destination write cannot destroy (§2.4).
        if (cbc && !encrypt) std::memcpy(iv_out, buf.data() + len - regs::BLOCK, regs::BLOCK);
        lk.unlock();
        const bool ok = des_.run(triple, cbc, encrypt, d + regs::D_KEY, d + regs::D_IV, buf.data(),
                                 buf.data(), len);
        lk.lock();
        if (!ok) {
            if (opt_.assert_hook) opt_.assert_hook("libcrypto DES run failed");
            code = regs::ERR_SRC_DMA_FAULT;
        } else if (cbc && encrypt) {
            std::memcpy(iv_out, buf.data() + len - regs::BLOCK, regs::BLOCK);
        }
    }
    wipe(d + regs::D_KEY, regs::D_KEY_LEN);

    // §3.4 cost model, plus injected delay / stall. Waits end early on reset or teardown.
    auto deadline =
        start + std::chrono::nanoseconds(opt_.desc_ns + uint64_t{len} * opt_.byte_ps / 1000);
    if (take_fault_locked(seq, FaultKind::Delay)) deadline += opt_.delay;
    const bool stall = take_fault_locked(seq, FaultKind::Stall);
    auto interrupted = [&] { return quit_ || removed_ || gen_ != gen; };
    if (stall && !opt_.threaded) {
        // Step mode never blocks the caller: the descriptor stays BUSY until SOFT_RESET.
        stalled_ = true;
        wipe(buf.data(), buf.size());
        wipe(iv_out, sizeof iv_out);
        return false;
    }
    if (stall)
        cv_.wait(lk, interrupted);
    else if (opt_.threaded && deadline > std::chrono::steady_clock::now())
        cv_.wait_until(lk, deadline, interrupted);
    if (interrupted()) {
        // A SOFT_RESET already counted this descriptor as abandoned (it was BUSY).
        if (!buf.empty()) wipe(buf.data(), buf.size());
        wipe(iv_out, sizeof iv_out);
        return true;
    }

    // §3.3 step 5: output, then IV, then status last; then HEAD, DONE_COUNT, INT_STATUS.
    if (code == regs::ERR_OK) {
        uint8_t *out = arena_.to_cpu(dst, len);
        if (out == nullptr)
            code = regs::ERR_DST_DMA_FAULT;
        else
            std::memcpy(out, buf.data(), len);
    }
    wipe(buf.data(), buf.size());
    uint8_t *wb = arena_.to_cpu(desc_bus, regs::DESC_SIZE);
    if (wb == nullptr || take_fault_locked(seq, FaultKind::StatusWrite)) {
        wipe(iv_out, sizeof iv_out);
        fatal_locked(regs::FATAL_STATUS_WB_FAULT, idx);
        return true;
    }
    if (code == regs::ERR_OK && cbc && (control & regs::D_CTL_IVWB) != 0)
        std::memcpy(wb + regs::D_IV, iv_out, sizeof iv_out);
    wipe(iv_out, sizeof iv_out);
    const uint32_t status = regs::D_ST_DONE | code;
    __atomic_store_n(reinterpret_cast<uint32_t *>(wb + regs::D_STATUS), status, __ATOMIC_RELEASE);
    head_ = (head_ + 1) % ring_size_;
    ++done_count_;
    busy_ = false;
    if (code != regs::ERR_OK) {
        ++ctr_.desc_err[code];
        int_status_ |= regs::INT_DESC_ERR;
    } else {
        ++ctr_.desc_ok;
        ctr_.bytes += len;
        if ((control & regs::D_CTL_IRQ) != 0) int_status_ |= regs::INT_DONE;
    }
    if (take_fault_locked(seq, FaultKind::LostIrq))
        line_ = (int_status_ & int_enable_) != 0 && (ctrl_ & regs::CTRL_IRQ_EN) != 0;
    else
        update_line_locked(false);
    return true;
}

size_t FpiModel::step(size_t n) {
    std::unique_lock lk(mu_);
    size_t done = 0;
    while (done < n && process_one(lk)) ++done;
    return done;
}

void FpiModel::thread_main() {
    std::unique_lock lk(mu_);
    while (!quit_) {
        cv_.wait(lk, [&] { return quit_ || runnable_locked(); });
        if (quit_) break;
        process_one(lk);
    }
}

} // namespace acrypto::hw::fastcrypt::model
