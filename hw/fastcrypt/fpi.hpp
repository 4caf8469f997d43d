// SPDX-License-Identifier: Apache-2.0
// FpiEngine: the FPI v1 register layer, the only code that knows FPI offsets and the descriptor.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "acrypto/hw/dma.hpp"
#include "acrypto/hw/irq.hpp"
#include "acrypto/hw/mmio.hpp"
#include "acrypto/hw/result.hpp"

namespace acrypto::hw::fastcrypt {

/// Bytes of the FPI register window (BAR0).
inline constexpr size_t FPI_BAR_SIZE = 0x1000;
/// Bytes and alignment of the ring entries the adapter must budget DMA memory for.
inline constexpr size_t FPI_DESC_BYTES = 64;

/// Probe check: ID and VERSION say FPI v1. Unsupported (values in the message) otherwise.
Result<void> identify_fpi(MmioWindow &mmio);

/// Cipher of one descriptor.
enum class Alg : uint8_t { Des, TripleDes };
/// Chaining mode of one descriptor.
enum class Mode : uint8_t { Ecb, Cbc };
/// Direction of one descriptor.
enum class Dir : uint8_t { Decrypt, Encrypt };

/// What reset() learned from the identification registers.
struct EngineInfo {
    uint32_t version = 0;      ///< VERSION register
    uint32_t max_xfer = 0;     ///< largest descriptor, bytes (multiple of 8)
    bool des = false;          ///< single DES offered
    bool triple_des = false;   ///< 3DES-EDE3 offered
    bool ecb = false;          ///< ECB offered
    bool cbc = false;          ///< CBC offered
    bool iv_writeback = false; ///< the device writes the chaining value back
    bool dma64 = false;        ///< bus addresses above 4 GiB allowed
};

/// One unit of work in semantic terms (the layer encodes it).
struct Request {
    Alg alg = Alg::Des;
    Mode mode = Mode::Ecb;
    Dir dir = Dir::Encrypt;
    bool irq = true;           ///< interrupt on success
    bool iv_writeback = false; ///< ask for the final chaining value
    uint32_t length = 0;       ///< bytes
    uint64_t src = 0;          ///< bus address
    uint64_t dst = 0;          ///< bus address
    uint8_t key[24] = {};      ///< K1|K2|K3 (DES: K1 only)
    uint8_t iv[8] = {};        ///< CBC IV
    uint32_t cookie = 0;       ///< driver tag, checked on reap
    /// Test hook: raw control bits OR-ed into the encoded control word (reserved bits).
    uint32_t raw_control_extra = 0;
};

/// Per-descriptor result codes (spec/fastcrypt.md §2.4), all known to the driver.
enum class DescResult : uint8_t {
    Ok = 0,
    BadControl = 1,
    BadLength = 2,
    BadAlign = 3,
    Overlap = 4,
    AddrRange = 5,
    SrcDmaFault = 6,
    DstDmaFault = 7,
};
/// Stable name of a descriptor result ("ok", "bad-control", ...).
const char *desc_result_name(DescResult r) noexcept;

/// One reaped, validated completion.
struct Completion {
    uint32_t slot = 0;   ///< ring index
    uint32_t cookie = 0; ///< the cookie posted with it (checked against the device's copy)
    DescResult result = DescResult::Ok;
    uint8_t iv[8] = {}; ///< chaining value the device wrote (meaningful with IVWB, CBC, Ok)
};

/// Why the device is considered faulty; each maps to one failure counter.
enum class FaultCause : uint8_t {
    None,
    Fatal,          ///< INT_STATUS.FATAL / STATUS.HALTED (see fatal_code)
    Removed,        ///< a register read returned 0xFFFFFFFF
    BadHead,        ///< RING_HEAD out of range or beyond what was posted
    NotDone,        ///< HEAD passed a slot whose status lacks DONE
    BadStatus,      ///< unknown error code or reserved status bits
    CookieMismatch, ///< the device changed a cookie
    Timeout,        ///< the watchdog expired
    BadWriteback,   ///< the chaining value written back is wrong
};
/// Stable name of a cause ("fatal", "removed", ...).
const char *fault_cause_name(FaultCause c) noexcept;

/// The last device fault seen by reap() / ack().
struct DeviceFault {
    FaultCause cause = FaultCause::None;
    uint32_t fatal_code = 0;  ///< FATAL_INFO code when cause == Fatal
    uint32_t fatal_index = 0; ///< FATAL_INFO ring index when cause == Fatal
    std::string message;
};

/// What the driver knows when it reaps: nothing here comes from the device.
struct ReapState {
    uint32_t ring_size = 0; ///< entries in the ring
    uint32_t sw_head = 0;   ///< next slot to reap
    uint32_t in_flight = 0; ///< descriptors posted and not yet reaped
};

/// Outcome of check_reap: how many slots from sw_head passed, and the first fault.
struct ReapCheck {
    uint32_t reaped = 0;                 ///< valid completions appended, in ring order
    FaultCause cause = FaultCause::None; ///< None when every slot up to `head` passed
    std::string message;                 ///< why, with the values seen (empty when None)
};

/**
 * Validate a reap (spec/fastcrypt.md §2.5 step 4) on a snapshot, with no device access:
 * `head` is the RING_HEAD value read, `ring` the descriptor ring (ring_size * DESC_SIZE
 * bytes, status and cookie written by the device), `cookies` what the driver posted per
 * slot. Appends one Completion per valid slot to `out`, in order from sw_head, and stops
 * at the first fault (HEAD out of range or beyond in_flight, status without DONE or with
 * unknown bits or code, changed cookie). A state the driver could not have produced
 * (ring_size 0, sw_head or in_flight out of range, short buffers) is refused as BadHead.
 * Every slot reported satisfies slot < ring_size, and reaped <= in_flight.
 */
ReapCheck check_reap(uint32_t head, const ReapState &st, std::span<const uint8_t> ring,
                     std::span<const uint32_t> cookies, std::vector<Completion> &out);

/// Bounded waits of the layer.
struct EngineOptions {
    uint32_t ring_size = 64;                          ///< entries, power of two 4..4096
    std::chrono::milliseconds ready_timeout{500};     ///< SOFT_RESET to READY
    std::chrono::milliseconds selftest_timeout{1000}; ///< known answers through the ring
};

/**
 * FPI v1 semantic device API (spec/fastcrypt.md §2.1, layer 2): reset, self-test,
 * ring start, post, reap, stop. Everything the device writes back is checked
 * here (HEAD range, DONE, status code, cookie) before the adapter sees it.
 * Not thread-safe: one driver thread owns it.
 */
class FpiEngine {
  public:
    /// The transport objects must outlive the engine.
    FpiEngine(MmioWindow &mmio, DmaArena &arena, IrqWait &irq, EngineOptions opt);
    ~FpiEngine();
    FpiEngine(const FpiEngine &) = delete;
    FpiEngine &operator=(const FpiEngine &) = delete;

    /// SOFT_RESET, bounded wait for READY, then check ID, VERSION (major 1), CAPS,
    /// MAX_XFER and SCRATCH read-back (§2.5 step 1, §3.6). Forgets posted slots.
    Result<EngineInfo> reset();
    /// Allocate (once) and zero the ring, program it with ENABLE=0, enable interrupts
    /// and the engine (§2.5 step 2). Requires a successful reset().
    Result<void> start_ring();
    /// Run the §3.6 known answers through the ring (the ring must be empty); waits on the IRQ.
    Result<void> self_test();
    /// When post() rings the doorbell.
    enum class Doorbell : uint8_t { Now, Defer };
    /// Post one descriptor: Busy when the ring is full (one slot always stays empty).
    /// Returns the slot index. With Doorbell::Defer the device does not see it until
    /// ring_doorbell() (one RING_TAIL write for a batch).
    Result<uint32_t> post(const Request &req, Doorbell when = Doorbell::Now);
    /// Publish every deferred descriptor (release barrier, then RING_TAIL).
    void ring_doorbell();
    /// Acknowledge the interrupt: read INT_STATUS and write the bits back (W1C).
    /// Returns the bits (0 = spurious). DeviceBroken on FATAL or removal (see fault()).
    Result<uint32_t> ack();
    /// Append every completed slot from the software head up to RING_HEAD to `out`, in
    /// order, validated; key and IV fields of reaped slots are wiped. On a device
    /// fault the valid prefix is still appended and DeviceBroken is returned.
    Result<void> reap(std::vector<Completion> &out);
    /// Disable the engine and soft-reset it; posted slots are abandoned. Wipes the ring.
    void stop();

    /// Descriptors posted and not yet reaped.
    uint32_t in_flight() const noexcept { return in_flight_; }
    /// Descriptors that can be in flight at once (ring size - 1).
    uint32_t capacity() const noexcept { return opt_.ring_size - 1; }
    /// Whether post() would answer Busy.
    bool full() const noexcept { return in_flight_ >= capacity(); }
    /// What the last reset() found.
    const EngineInfo &info() const noexcept { return info_; }
    /// The last fault diagnosed.
    const DeviceFault &fault() const noexcept { return fault_; }
    /// Status register snapshot says HALTED (or the card is gone).
    bool halted();
    /// Arena holding the ring (the adapter allocates its bounce buffers there too).
    DmaArena &arena() noexcept { return arena_; }
    IrqWait &irq() noexcept { return irq_; }

  private:
    Error device_error(FaultCause cause, std::string msg);
    uint32_t rd(uint32_t off);
    void wr(uint32_t off, uint32_t value);
    uint8_t *slot_ptr(uint32_t slot) const;

    MmioWindow &mmio_;
    DmaArena &arena_;
    IrqWait &irq_;
    const EngineOptions opt_;
    EngineInfo info_;
    DeviceFault fault_;
    DmaBuf ring_;
    DmaBuf kat_;                    ///< self-test buffer
    std::vector<uint32_t> cookies_; ///< per slot: the cookie posted there
    uint32_t sw_head_ = 0;          ///< next slot to reap
    uint32_t sw_tail_ = 0;          ///< next slot to fill
    uint32_t in_flight_ = 0;
    bool doorbell_pending_ = false;
    bool reset_ok_ = false;
};

} // namespace acrypto::hw::fastcrypt
