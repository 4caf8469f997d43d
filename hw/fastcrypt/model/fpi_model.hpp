// SPDX-License-Identifier: Apache-2.0
// FpiModel: an in-process model of the project-defined FPI v1 DES/3DES engine (spec/fastcrypt.md
// §3).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/model_window.hpp"
#include "des_engine.hpp"

namespace acrypto::hw::fastcrypt::model {

/// Faults the model can inject (spec/fastcrypt.md §3.5).
enum class FaultKind : uint32_t {
    SrcDma = 0,      ///< source read fails: descriptor error SRC_DMA_FAULT
    DstDma = 1,      ///< destination write fails: descriptor error DST_DMA_FAULT
    Fetch = 2,       ///< descriptor fetch fails: fatal DESC_FETCH_FAULT
    StatusWrite = 3, ///< status write-back fails: fatal STATUS_WB_FAULT
    Delay = 4,       ///< completion delayed by Options::delay (past the driver's watchdog)
    Stall = 5,       ///< stuck BUSY: the descriptor never completes until SOFT_RESET
    SpuriousIrq = 6, ///< the line is raised with INT_STATUS = 0
    LostIrq = 7,     ///< status written and INT_STATUS set, but the line is not raised
    Count = 8
};

/// Stable name of a fault kind ("src-dma", "dst-dma", "fetch", ...).
const char *fault_name(FaultKind k) noexcept;

/// Model configuration. Timing defaults are arbitrary: no real FastCrypt figures are public (F6).
struct ModelOptions {
    uint32_t id = 0x46435259;      ///< ID register (override to test the driver's refusal)
    uint32_t version = 0x00010000; ///< VERSION register
    uint32_t caps = 0x00000133;    ///< CAPS register (set b9 for DMA64)
    uint32_t max_xfer = 0x10000;   ///< MAX_XFER register, bytes
    std::chrono::microseconds reset_latency{0}; ///< SOFT_RESET to STATUS.READY
    uint64_t desc_ns = 0; ///< cost model: fixed time per descriptor (arbitrary default)
    uint64_t byte_ps = 0; ///< cost model: picoseconds per byte (arbitrary default)
    bool threaded = true; ///< false: deterministic step mode, step() processes
    std::chrono::milliseconds delay{3000}; ///< length of an injected Delay fault
    double fault_rate = 0;                 ///< probability per descriptor of a random fault
    uint32_t fault_kinds = 0;              ///< bit (1 << FaultKind) set: kind drawn by fault_rate
    uint64_t fault_seed = 1;               ///< seed of the fault generator (reproducible soaks)
    /// Called on a driver bug the model detects (e.g. access to a removed card). May be empty.
    std::function<void(const std::string &)> assert_hook;
};

/// Counters for tests (§3.4). Snapshot by value.
struct ModelCounters {
    uint64_t desc_ok = 0;               ///< descriptors completed with code 0
    std::array<uint64_t, 8> desc_err{}; ///< descriptors by error code (index 0 unused)
    uint64_t bytes = 0;                 ///< payload bytes processed successfully
    uint64_t irqs = 0;                  ///< times the line was raised
    uint64_t spurious_doorbells = 0;    ///< TAIL writes that added no work or were ignored
    uint64_t resets = 0;                ///< SOFT_RESETs (construction excluded)
    uint64_t fatals = 0;                ///< times the device halted
    uint64_t abandoned = 0;             ///< descriptors dropped by SOFT_RESET mid-flight
    uint64_t faults_injected = 0;       ///< faults applied (forced or random)
};

/**
 * The chip. Register accesses arrive through hw::ModelWindow (RegisterHandler);
 * descriptors and buffers are reached through the DmaArena's bus translation (a
 * miss is a DMA fault); the interrupt line is an IrqWait the model raises. With
 * `threaded` the engine runs on its own thread, one descriptor at a time, in order;
 * otherwise step() runs it on the caller's thread. All register access is thread-safe.
 */
class FpiModel final : public RegisterHandler {
  public:
    /// `arena` and `irq` must outlive the model.
    FpiModel(DmaArena &arena, IrqWait &irq, ModelOptions opt = {});
    ~FpiModel() override;
    FpiModel(const FpiModel &) = delete;
    FpiModel &operator=(const FpiModel &) = delete;

    uint32_t read_reg(unsigned bar, uint32_t off) override;
    void write_reg(unsigned bar, uint32_t off, uint32_t value) override;

    /// Step mode: process up to `n` queued descriptors now; returns how many completed
    /// (with any status). Also usable in threaded mode only from tests that paused the thread.
    size_t step(size_t n);

    /// Force fault `k` on the descriptor with sequence number `seq` (see next_seq()).
    /// SpuriousIrq fires immediately whatever `seq` is.
    void inject(FaultKind k, uint64_t seq);
    /// Force fault `k` on the next descriptor the engine fetches.
    void inject_next(FaultKind k) { inject(k, next_seq()); }
    /// Sequence number the next fetched descriptor will get (counts across resets).
    uint64_t next_seq() const;
    /// Surprise removal: reads return 0xFFFFFFFF, writes are dropped, the engine stops.
    void set_removed(bool removed);

    /// Counters snapshot.
    ModelCounters counters() const;
    /// Whether the engine currently holds a descriptor (between fetch and status write).
    bool busy() const;

  private:
    struct Job; // one fetched descriptor
    void reset_locked();
    void fatal_locked(uint32_t code, uint32_t index);
    void update_line_locked(bool force_raise);
    bool runnable_locked() const;
    bool ready_locked() const;
    void write_ctrl_locked(uint32_t value);
    bool process_one(std::unique_lock<std::mutex> &lk);
    bool take_fault_locked(uint64_t seq, FaultKind k);
    void draw_random_fault_locked(uint64_t seq);
    void thread_main();

    DmaArena &arena_;
    IrqWait &irq_;
    const ModelOptions opt_;
    DesEngine des_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::thread thread_;
    bool quit_ = false;
    bool removed_ = false;
    uint64_t gen_ = 0; ///< bumped by SOFT_RESET: work of an older generation is abandoned
    std::chrono::steady_clock::time_point ready_at_{};

    // registers
    uint32_t ctrl_ = 0;
    uint32_t int_status_ = 0;
    uint32_t int_enable_ = 0;
    uint32_t ring_lo_ = 0;
    uint32_t ring_hi_ = 0;
    uint32_t ring_size_ = 0;
    uint32_t head_ = 0;
    uint32_t tail_ = 0;
    uint32_t done_count_ = 0;
    uint32_t fatal_info_ = 0;
    uint32_t scratch_ = 0;
    bool halted_ = false;
    bool busy_ = false;
    bool stalled_ = false; ///< step mode: a Stall fault holds the engine until SOFT_RESET
    bool line_ = false;

    uint64_t seq_ = 0;
    std::vector<std::pair<uint64_t, FaultKind>> forced_;
    std::array<bool, static_cast<size_t>(FaultKind::Count)>
        pending_{}; ///< faults drawn for seq_now_
    std::mt19937_64 rng_;
    ModelCounters ctr_;
};

} // namespace acrypto::hw::fastcrypt::model
