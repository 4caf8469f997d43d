// SPDX-License-Identifier: Apache-2.0
// HifnModel: an in-process HIFN 7955/7956 behind ModelWindow (spec/hifn-795x.md §7).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/model_window.hpp"

namespace acrypto::hw::hifn::model {

class CryptoEngine;

/// Faults the model can inject (spec §7.6 "Fault injection").
enum class Fault : unsigned {
    Stall,       ///< the command engine stops before completing a command (until reset)
    BadStatus,   ///< result record reports DSTOVERRUN for a command that fit
    DmaError,    ///< a source buffer address is treated as outside the window: S_ABORT
    DropIrq,     ///< the interrupt edge of a completion is not delivered
    SpuriousIrq, ///< an interrupt fires with no status bit set
    Hostile,     ///< residual destination count larger than anything posted
    SelfReset,   ///< the chip resets itself mid-command (rings stop, nothing completes)
    DoubleClear, ///< also clears VALID of the next result slot
    ValidStuck,  ///< completes the command but never clears the result VALID
    Garbage,     ///< the result record is random bytes (a device gone mad)
    Count_
};

/// How the chip reacts to CMDINVAL / DATAERR (UNKNOWN on real parts, §7.6).
enum class CmdErrorReaction { Complete, Stall };

/// Model configuration. Every choice the spec leaves open is a knob here.
struct ModelConfig {
    uint16_t device_id = 0x001d;  ///< 0x0020 (7955) or 0x001d (7956)
    uint8_t revision = 0x00;      ///< PCI revision / REVID
    uint32_t rate_mbps = 0;       ///< processing rate in Mbit/s; 0 = as fast as the host
    uint32_t command_ns = 0;      ///< fixed cost per command, ns (with rate_mbps)
    uint64_t seed = 1;            ///< unlock seed and RNG stream
    uint32_t unlock_level = 0x11; ///< enable level an unlock reaches: 0x11, or 0x10 (DES-only part)
    CmdErrorReaction on_cmd_error = CmdErrorReaction::Complete;
    bool relock_on_second_unlock = false; ///< a second handshake while unlocked locks the chip
    bool unlock_survives_mstreset = true; ///< §7.2: unlock lost only on power cycle
    bool rng_quirks = true;               ///< first read stale; a sample repeats for 8 reads
    bool stuck_rng = false;               ///< RNG_DATA returns one constant
    std::chrono::microseconds poll{2000}; ///< descriptor re-poll interval while WAITing
    std::array<uint32_t, static_cast<unsigned>(Fault::Count_)>
        every{}; ///< fault every N commands (0 off)
};

/// Counters of what the model saw and did.
struct ModelStats {
    uint64_t commands = 0, bytes = 0, cmdinval = 0, dataerr = 0, aborts = 0, dstover = 0, rover = 0,
             irqs = 0, irqs_dropped = 0, faults = 0, resets = 0, unlocks = 0, bad_mmio = 0,
             pll_warnings = 0;
};

/**
 * The chip. Registers live behind one mutex; the descriptor engine runs on its
 * own thread, reads and writes host memory only through DmaArena::to_cpu (a miss
 * is a PCI master abort) and signals the IrqWait while (DMA_CSR & DMA_IER) != 0.
 * `arena` and `irq` must outlive the model.
 */
class HifnModel final : public RegisterHandler {
  public:
    HifnModel(DmaArena &arena, IrqWait &irq, ModelConfig cfg);
    ~HifnModel() override;
    HifnModel(const HifnModel &) = delete;
    HifnModel &operator=(const HifnModel &) = delete;

    uint32_t read_reg(unsigned bar, uint32_t off) override;
    void write_reg(unsigned bar, uint32_t off, uint32_t value) override;

    /// Arm `fault` for the next `count` commands it applies to.
    void inject(Fault fault, uint32_t count = 1);
    /// Power cycle: every register, the unlock state and contexts back to reset values.
    void power_cycle();
    /// Surprise removal: every register read returns 0xFFFFFFFF, writes are lost.
    void unplug() { gone_.store(true); }
    /// Snapshot of the counters.
    ModelStats stats() const;
    /// Current enable level (PUSTAT bits 15:8 >> 8), for tests.
    uint32_t enable_level() const;
    /// The configuration it runs with.
    const ModelConfig &config() const { return cfg_; }

  private:
    struct Ring {
        uint32_t base = 0, cur = 0;
        bool enabled = false;
    };
    struct Peeked;
    enum class Step { Done, Idle, Halted };

    uint32_t read0(uint32_t off);
    uint32_t read1(uint32_t off);
    void write0(uint32_t off, uint32_t v);
    void write1(uint32_t off, uint32_t v);
    void write_csr(uint32_t v);
    void write_dma_cnfg(uint32_t v);
    void secret2(uint32_t v);
    void dma_reset_locked();
    void master_reset_locked();
    uint32_t csr_locked() const;
    void set_status_locked(uint32_t bits);
    void set_pu_locked(uint32_t bits);
    void update_irq_locked(bool force = false);
    bool fault_now_locked(Fault f);
    bool running_locked() const;
    void engine();
    Step step_locked(std::unique_lock<std::mutex> &lk);
    uint32_t rng_word_locked();

    DmaArena &arena_;
    IrqWait &irq_;
    const ModelConfig cfg_;
    std::unique_ptr<CryptoEngine> crypto_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;
    uint64_t gen_ = 0; ///< bumped on every reset: a command in progress is dropped

    // Group 0
    uint32_t puctrl_ = 0, puisr_ = 0, pucnfg_ = 0, puier_ = 0, fifocnfg_ = 0;
    // Group 1
    std::array<Ring, 4> rings_{}; ///< index: 0 command, 1 source, 2 result, 3 destination
    uint32_t csr_ = 0, ier_ = 0, dma_cnfg_ = 0, dma_cnfg2_ = 0, pll_ = 0;
    bool halted_ = false, stalled_ = false;
    uint32_t pub_op_ = 0, pub_status_ = 0, pub_ien_ = 0, pub_base_ = 0, pub_oplen_ = 0;
    std::chrono::steady_clock::time_point pub_reset_until_{};
    std::vector<uint32_t> pub_mem_;
    uint32_t rng_cfg_ = 0, rng_reads_ = 0, rng_value_ = 0;
    uint64_t rng_state_ = 0;
    bool pll_settling_ = false;

    // Unlock state machine (§2.3, §7.3)
    enum class Lock { Locked, Unlocked, Dead } lock_ = Lock::Locked;
    uint32_t level_ = 0;
    uint32_t seed_ = 0;
    bool hs_active_ = false;
    uint32_t hs_value_ = 0;
    unsigned hs_count_ = 0;

    // Contexts (§5.3): key/IV cached per session number.
    struct Context {
        bool has_key = false;
        std::vector<uint8_t> key, mac_key, iv;
    };
    std::vector<Context> contexts_;

    // Faults
    std::array<uint32_t, static_cast<unsigned>(Fault::Count_)> armed_{};
    uint64_t cmd_index_ = 0;
    std::chrono::steady_clock::time_point busy_until_{};
    bool streaming_ = false; ///< the engine found work on its last step
    bool irq_level_ = false;
    bool drop_irq_ = false; ///< the command being completed loses its interrupt

    ModelStats st_;
    std::atomic<bool> gone_{false};
    std::thread thread_;
};

/// A complete model instance: arena, interrupt line, chip and its two BAR windows,
/// destroyed in the right order (windows, chip, line, arena).
struct ModelInstance {
    std::unique_ptr<DmaArena> arena;
    std::unique_ptr<IrqWait> irq;
    std::unique_ptr<HifnModel> chip;
    std::unique_ptr<ModelWindow> bar0, bar1;
    ~ModelInstance() {
        bar1.reset();
        bar0.reset();
        chip.reset();
        irq.reset();
        arena.reset();
    }
};

/// Build one instance with an arena of `arena_bytes` at fake bus address `bus_base`.
std::unique_ptr<ModelInstance> make_model(const ModelConfig &cfg, size_t arena_bytes,
                                          uint64_t bus_base);

} // namespace acrypto::hw::hifn::model
