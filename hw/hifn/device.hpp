// SPDX-License-Identifier: Apache-2.0
// HIFN 7955/7956 driver: reset, unlock, PLL, the four DMA rings, commands, reaping, recovery.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/device.h"
#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/mmio.hpp"
#include "acrypto/hw/result.hpp"
#include "command.hpp"
#include "entropy.hpp"

namespace acrypto::hw::hifn {

/// The three objects the driver talks through, plus whatever owns them. Identical
/// driver code runs over a VFIO-mapped card and over the model: only these differ.
struct Transport {
    MmioWindow *bar0 = nullptr;  ///< group 0 registers
    MmioWindow *bar1 = nullptr;  ///< group 1 registers
    DmaArena *arena = nullptr;   ///< rings, command/result buffers and bounce buffers
    IrqWait *irq = nullptr;      ///< the interrupt line
    std::shared_ptr<void> owner; ///< keeps the above alive; released after the driver stops
    uint16_t device_id = 0;      ///< PCI device ID (0x0020 7955, 0x001d 7956)
};

/// Driver tunables (plugin configuration keys).
struct DeviceConfig {
    std::string name = "hifn0";
    uint32_t ring_size = 24;                  ///< command/result ring entries (+1 jump)
    std::chrono::milliseconds watchdog{5000}; ///< no completion for this long: reset
    std::chrono::milliseconds poll{20};       ///< reap without an interrupt this often
    uint32_t max_resets = 3;                  ///< consecutive resets before "broken"
    double rate_bytes_per_sec = 50e6;         ///< advertised throughput
    uint32_t latency_ns = 20000;              ///< advertised fixed cost per command
};

/// Where the scheduler is.
struct HostLink {
    acrypto_host *host = nullptr;
    const acrypto_host_ops *ops = nullptr;
};

class DeviceTestPeer;

/// What a test hook may alter of one command just before its command descriptor
/// turns VALID: the command bytes and the descriptors already posted for it.
struct PostView {
    CommandSpec &spec;
    uint8_t *cmd;                ///< command buffer (kMaxCommandBytes)
    size_t &cmd_len;             ///< bytes the command descriptor will announce
    uint32_t *cmd_desc;          ///< the command descriptor (l, p), written after the hook
    uint32_t *res_desc;          ///< the result descriptor (l, p)
    std::vector<uint32_t *> src; ///< source descriptors
    std::vector<uint32_t *> dst; ///< destination descriptors
};

/**
 * One card. A reaper thread waits on the interrupt line (bounded, so a lost
 * interrupt degrades to polling), reaps results in ring order, validates every
 * word the device wrote, completes sessions exactly once, and runs the watchdog.
 * data_ready() only wakes that thread, so it never blocks the submitter.
 */
class Device {
  public:
    /// Bring the card up (§6.1): reset, unlock, ring and register init, PLL, RNG.
    static Result<std::unique_ptr<Device>> open(Transport t, const DeviceConfig &cfg,
                                                HostLink host);
    ~Device();
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;

    /// The scheduler queued work (any thread, never blocks).
    void data_ready();
    /// Complete everything held (success if the chip already finished it, else
    /// ACRYPTO_E_SHUTDOWN), stop the chip, join the reaper. Idempotent.
    void close();
    /// AES-128-ECB known answer through the rings (§6.1 step 11), if AES is enabled.
    Result<void> self_test();
    /// Conditioned entropy from the chip's RNG (health-tested, SHA-256 compressed).
    int get_entropy(uint8_t *buf, size_t len);
    /// Counters by cause.
    std::vector<acrypto_stat> stats() const;
    /// Capabilities allowed by the enable level read after unlocking.
    const std::vector<acrypto_capability> &caps() const { return caps_; }
    /// A key context died: forget which context slot holds it.
    void key_free(uint64_t key_id);
    /// Sessions the scheduler may queue.
    uint32_t queue_len() const { return cfg_.ring_size * 4; }
    /// Enable level read at the last init (PUSTAT bits 15:8).
    uint32_t enable_level() const { return level_; }

  private:
    friend class DeviceTestPeer;
    struct Op;
    struct Slot;
    struct Ring {
        DmaBuf mem;
        uint32_t n = 0; ///< usable slots; slot n is the jump descriptor
        uint32_t prod = 0, cons = 0, used = 0;
        uint32_t *desc(uint32_t i) const { return reinterpret_cast<uint32_t *>(mem.cpu + 8u * i); }
        uint32_t free() const { return n - used; }
    };
    using Completion = std::pair<Op *, int>;

    Device(Transport t, const DeviceConfig &cfg, HostLink host);
    Result<void> init_hw(bool first);
    Result<void> board_reset();
    Result<void> unlock();
    Result<uint32_t> read_level();
    void program_pll();
    void init_rings();
    void init_registers();
    Result<void> init_rng();
    void build_caps();

    uint32_t rd0(uint32_t off) { return t_.bar0->read32(off); }
    uint32_t rd1(uint32_t off) { return t_.bar1->read32(off); }
    void wr0(uint32_t off, uint32_t v) { t_.bar0->write32(off, v); }
    void wr1(uint32_t off, uint32_t v) { t_.bar1->write32(off, v); }

    void reaper();
    void submit_locked(std::vector<Completion> &done);
    int prepare_locked(Op &op);
    bool post_chunk_locked(Op &op);
    void reap_locked(std::vector<Completion> &done);
    bool finish_slot_locked(Slot &sl, std::vector<Completion> &done, bool salvage_only);
    void recover_locked(int status, const char *why, std::vector<Completion> &done);
    void fail_all_locked(int status, std::vector<Completion> &done);
    void broken_locked(const std::string &why, std::vector<Completion> &done);
    void deliver(std::vector<Completion> &done);
    void log(int level, const std::string &msg);
    void release_slot_locked(Slot &sl);

    Transport t_;
    DeviceConfig cfg_;
    HostLink host_;
    std::vector<acrypto_capability> caps_;
    std::atomic<uint32_t> level_{0};

    mutable std::mutex mu_;
    Ring cmd_, src_, dst_, res_;
    std::vector<DmaBuf> cmd_bufs_, res_bufs_;
    std::vector<Slot> slots_;  ///< by command/result ring index
    uint32_t outstanding_ = 0; ///< commands posted and not reaped
    std::deque<Op *> ready_;   ///< ops holding the next chunk to post
    uint32_t held_ = 0;        ///< ops the device owns (for exactly-once accounting)
    uint32_t ier_ = 0;
    bool rings_on_ = false, broken_ = false, closing_ = false;
    std::chrono::steady_clock::time_point progress_{};
    uint32_t consecutive_resets_ = 0, idle_ticks_ = 0, storm_ = 0;

    /// Which key each chip context slot holds (§5.3): keys are sent only when the
    /// slot does not already hold them. All slots are forgotten on any reset.
    struct CtxSlot {
        uint64_t key = 0, mac_key = 0; ///< key ids; 0 = nothing known
        uint64_t used = 0;             ///< LRU clock
    };
    std::vector<CtxSlot> ctx_;
    uint64_t ctx_clock_ = 0;
    uint16_t pick_context_locked(const Op &op);

    std::mutex rng_mu_;
    HealthTest health_;
    bool rng_ok_ = false;

    std::atomic<bool> stop_{false};
    std::atomic<bool> kicked_{false};
    std::thread thread_;

    /// Test-only: called on each command right before it is handed to the chip.
    std::function<void(PostView &)> post_hook_;

    struct Counters {
        std::atomic<uint64_t> commands{0}, sessions{0}, bytes{0}, busy{0}, invalid{0},
            unsupported{0}, dst_overrun{0}, command_error{0}, source_left{0}, mac_error{0},
            hostile{0}, aborts{0}, watchdog{0}, resets{0}, irqs{0}, spurious{0}, polled{0},
            storm_masked{0}, device_gone{0}, rng_words{0}, rng_health_fail{0}, submit_ns{0},
            reap_ns{0}, salvaged{0}, shutdown{0}, key_sends{0}, key_hits{0};
    };
    mutable Counters c_;
};

} // namespace acrypto::hw::hifn
