// SPDX-License-Identifier: Apache-2.0
// FpiEngine: reset, configure, post, reap and validate over the FPI v1 registers and ring.
#include "fpi.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

#include "regs.hpp"

namespace acrypto::hw::fastcrypt {

namespace {

void store_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void store_le64(uint8_t *p, uint64_t v) {
    store_le32(p, static_cast<uint32_t>(v));
    store_le32(p + 4, static_cast<uint32_t>(v >> 32));
}

std::string hex32(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08X", v);
    return b;
}

// §3.6 known answers (checked against OpenSSL 3.0's default/legacy providers).
struct Kat {
    Alg alg;
    Mode mode;
    uint8_t key[24];
    uint8_t iv[8];
    uint8_t pt[24];
    uint8_t ct[24];
    uint32_t len;
};
constexpr Kat KATS[] = {
    // DES-ECB, key 133457799BBCDFF1.
    {Alg::Des,
     Mode::Ecb,
     {0x13, 0x34, 0x57, 0x79, 0x9B, 0xBC, 0xDF, 0xF1},
     {},
     {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF},
     {0x85, 0xE8, 0x13, 0x54, 0x0F, 0x0A, 0xB4, 0x05},
     8},
    // 3DES-ECB, NIST SP 800-67 example: "The qufck brown fox jump".
    {Alg::TripleDes,
     Mode::Ecb,
     {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x23, 0x45, 0x67, 0x89,
      0xAB, 0xCD, 0xEF, 0x01, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23},
     {},
     {'T', 'h', 'e', ' ', 'q', 'u', 'f', 'c', 'k', ' ', 'b', 'r',
      'o', 'w', 'n', ' ', 'f', 'o', 'x', ' ', 'j', 'u', 'm', 'p'},
     {0xA8, 0x26, 0xFD, 0x8C, 0xE5, 0x3B, 0x85, 0x5F, 0xCC, 0xE2, 0x1C, 0x81,
      0x12, 0x25, 0x6F, 0xE6, 0x68, 0xD5, 0xC0, 0x5D, 0xD9, 0xB6, 0xB9, 0x00},
     24},
    // DES-CBC, FIPS 81 example: "Now is the time for all " (also checks IV write-back).
    {Alg::Des,
     Mode::Cbc,
     {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF},
     {0x12, 0x34, 0x56, 0x78, 0x90, 0xAB, 0xCD, 0xEF},
     {'N', 'o', 'w', ' ', 'i', 's', ' ', 't', 'h', 'e', ' ', 't',
      'i', 'm', 'e', ' ', 'f', 'o', 'r', ' ', 'a', 'l', 'l', ' '},
     {0xE5, 0xC7, 0xCD, 0xDE, 0x87, 0x2B, 0xF2, 0x7C, 0x43, 0xE9, 0x34, 0x00,
      0x8C, 0x38, 0x9C, 0x0F, 0x68, 0x37, 0x88, 0x49, 0x9A, 0x7C, 0x05, 0xF6},
     24},
    // 3DES-CBC, SP 800-67 keys and plaintext in outer CBC (test/vectors/des/tdes.txt).
    {Alg::TripleDes,
     Mode::Cbc,
     {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x23, 0x45, 0x67, 0x89,
      0xAB, 0xCD, 0xEF, 0x01, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x01, 0x23},
     {0xF6, 0x9F, 0x24, 0x45, 0xDF, 0x4F, 0x9B, 0x17},
     {'T', 'h', 'e', ' ', 'q', 'u', 'f', 'c', 'k', ' ', 'b', 'r',
      'o', 'w', 'n', ' ', 'f', 'o', 'x', ' ', 'j', 'u', 'm', 'p'},
     {0xA5, 0xC2, 0x82, 0xBA, 0xD0, 0xDE, 0x37, 0x74, 0xBE, 0xCD, 0x2E, 0x04,
      0x38, 0x6B, 0x58, 0x9F, 0xB5, 0x05, 0x7D, 0x85, 0x52, 0xFC, 0x43, 0x36},
     24},
};
constexpr uint32_t KAT_COOKIE = 0xC0DE0000u;
constexpr uint32_t KAT_STRIDE = 32; // bytes per KAT in the self-test buffer

} // namespace

Result<void> identify_fpi(MmioWindow &mmio) {
    const uint32_t id = mmio.read32(regs::ID);
    const uint32_t ver = mmio.read32(regs::VERSION);
    if (id != regs::ID_FPI || ver >> regs::VERSION_MAJOR_SHIFT != regs::VERSION_MAJOR_FPI)
        return Error{Errc::Unsupported,
                     "ID " + hex32(id) + " VERSION " + hex32(ver) + " is not FPI v1, refused"};
    return {};
}

const char *desc_result_name(DescResult r) noexcept {
    switch (r) {
    case DescResult::Ok: return "ok";
    case DescResult::BadControl: return "bad-control";
    case DescResult::BadLength: return "bad-length";
    case DescResult::BadAlign: return "bad-align";
    case DescResult::Overlap: return "overlap";
    case DescResult::AddrRange: return "addr-range";
    case DescResult::SrcDmaFault: return "src-dma-fault";
    case DescResult::DstDmaFault: return "dst-dma-fault";
    }
    return "?";
}

const char *fault_cause_name(FaultCause c) noexcept {
    switch (c) {
    case FaultCause::None: return "none";
    case FaultCause::Fatal: return "fatal";
    case FaultCause::Removed: return "removed";
    case FaultCause::BadHead: return "bad-head";
    case FaultCause::NotDone: return "not-done";
    case FaultCause::BadStatus: return "bad-status";
    case FaultCause::CookieMismatch: return "cookie-mismatch";
    case FaultCause::Timeout: return "timeout";
    case FaultCause::BadWriteback: return "bad-writeback";
    }
    return "?";
}

FpiEngine::FpiEngine(MmioWindow &mmio, DmaArena &arena, IrqWait &irq, EngineOptions opt)
    : mmio_(mmio), arena_(arena), irq_(irq), opt_(opt) {}

FpiEngine::~FpiEngine() {
    if (ring_) {
        explicit_bzero(ring_.cpu, ring_.size);
        arena_.free(ring_);
    }
    if (kat_) {
        explicit_bzero(kat_.cpu, kat_.size);
        arena_.free(kat_);
    }
}

uint32_t FpiEngine::rd(uint32_t off) { return mmio_.read32(off); }
void FpiEngine::wr(uint32_t off, uint32_t value) { mmio_.write32(off, value); }

uint8_t *FpiEngine::slot_ptr(uint32_t slot) const {
    return ring_.cpu + size_t{slot} * regs::DESC_SIZE;
}

Error FpiEngine::device_error(FaultCause cause, std::string msg) {
    fault_.cause = cause;
    fault_.message = msg;
    return Error{Errc::DeviceBroken, std::move(msg)};
}

bool FpiEngine::halted() {
    const uint32_t st = rd(regs::STATUS);
    return st == regs::ALL_ONES || (st & regs::STATUS_HALTED) != 0;
}

Result<EngineInfo> FpiEngine::reset() {
    reset_ok_ = false;
    in_flight_ = 0;
    sw_head_ = sw_tail_ = 0;
    doorbell_pending_ = false;
    fault_ = {};
    wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    // Bounded poll for READY with a growing sleep (no spinning; Linux hifn_wait_puc style).
    const auto deadline = std::chrono::steady_clock::now() + opt_.ready_timeout;
    auto nap = std::chrono::microseconds(20);
    for (;;) {
        const uint32_t st = rd(regs::STATUS);
        if (st == regs::ALL_ONES)
            return device_error(FaultCause::Removed, "STATUS reads 0xFFFFFFFF: card removed");
        if ((st & regs::STATUS_READY) != 0) break;
        if (std::chrono::steady_clock::now() >= deadline)
            return Error{Errc::Timeout, "STATUS.READY not set " +
                                            std::to_string(opt_.ready_timeout.count()) +
                                            " ms after SOFT_RESET"};
        std::this_thread::sleep_for(nap);
        nap = std::min(nap * 2, std::chrono::microseconds(2000));
    }
    const uint32_t id = rd(regs::ID);
    if (id == regs::ALL_ONES)
        return device_error(FaultCause::Removed, "ID reads 0xFFFFFFFF: card removed");
    if (id != regs::ID_FPI)
        return Error{Errc::Unsupported, "ID " + hex32(id) + " is not FPI v1 (\"FCRY\" " +
                                            hex32(regs::ID_FPI) + "): refusing the device"};
    const uint32_t ver = rd(regs::VERSION);
    if (ver >> regs::VERSION_MAJOR_SHIFT != regs::VERSION_MAJOR_FPI)
        return Error{Errc::Unsupported,
                     "VERSION " + hex32(ver) + " is not FPI major 1: refusing the device"};
    const uint32_t caps = rd(regs::CAPS);
    EngineInfo info;
    info.version = ver;
    info.des = (caps & regs::CAPS_DES) != 0;
    info.triple_des = (caps & regs::CAPS_TDES) != 0;
    info.ecb = (caps & regs::CAPS_ECB) != 0;
    info.cbc = (caps & regs::CAPS_CBC) != 0;
    info.iv_writeback = (caps & regs::CAPS_IVWB) != 0;
    info.dma64 = (caps & regs::CAPS_DMA64) != 0;
    if (!(info.des || info.triple_des) || !(info.ecb || info.cbc))
        return Error{Errc::Unsupported, "CAPS " + hex32(caps) + " offers no usable cipher/mode"};
    info.max_xfer = rd(regs::MAX_XFER);
    if (info.max_xfer < regs::BLOCK || info.max_xfer % regs::BLOCK != 0 ||
        info.max_xfer == regs::ALL_ONES)
        return device_error(FaultCause::BadStatus,
                            "MAX_XFER " + hex32(info.max_xfer) + " is not a multiple of 8 >= 8");
    for (uint32_t pattern : {0xA5A55A5Au, 0x5A5AA5A5u}) {
        wr(regs::SCRATCH, pattern);
        const uint32_t back = rd(regs::SCRATCH);
        if (back != pattern)
            return device_error(FaultCause::BadStatus, "SCRATCH read back " + hex32(back) +
                                                           " after writing " + hex32(pattern));
    }
    info_ = info;
    reset_ok_ = true;
    return info;
}

Result<void> FpiEngine::start_ring() {
    if (!reset_ok_) return Error{Errc::DeviceBroken, "start_ring before a successful reset"};
    const size_t bytes = size_t{opt_.ring_size} * regs::DESC_SIZE;
    if (!ring_) {
        ring_ = arena_.alloc(bytes, regs::RING_ALIGN);
        if (!ring_)
            return Error{Errc::NoMemory,
                         "no DMA memory for a " + std::to_string(opt_.ring_size) + "-entry ring"};
        if (!info_.dma64 && ring_.bus + bytes > (1ull << 32))
            return Error{Errc::NoMemory, "ring lies above 4 GiB and the device has no DMA64"};
        cookies_.assign(opt_.ring_size, 0);
    }
    explicit_bzero(ring_.cpu, bytes);
    sw_head_ = sw_tail_ = 0;
    in_flight_ = 0;
    wr(regs::CTRL, 0);
    wr(regs::RING_BASE_LO, static_cast<uint32_t>(ring_.bus));
    wr(regs::RING_BASE_HI, static_cast<uint32_t>(ring_.bus >> 32));
    wr(regs::RING_SIZE, opt_.ring_size);
    wr(regs::INT_ENABLE, regs::INT_ALL);
    wr(regs::CTRL, regs::CTRL_ENABLE | regs::CTRL_IRQ_EN);
    const uint32_t st = rd(regs::STATUS);
    if (st == regs::ALL_ONES)
        return device_error(FaultCause::Removed, "STATUS reads 0xFFFFFFFF: card removed");
    if ((st & regs::STATUS_HALTED) != 0) {
        const uint32_t fi = rd(regs::FATAL_INFO);
        fault_.fatal_code = fi & regs::FATAL_CODE_MASK;
        fault_.fatal_index = fi >> regs::FATAL_INDEX_SHIFT;
        return device_error(FaultCause::Fatal,
                            "device halted while starting the ring, fatal code " +
                                std::to_string(fault_.fatal_code));
    }
    return {};
}

void FpiEngine::ring_doorbell() {
    if (!doorbell_pending_) return;
    doorbell_pending_ = false;
    // Descriptors must be visible before the doorbell (§2.5 step 3).
    mmio_.wmb();
    wr(regs::RING_TAIL, sw_tail_);
}

Result<uint32_t> FpiEngine::post(const Request &req, Doorbell when) {
    if (!reset_ok_ || !ring_) return Error{Errc::DeviceBroken, "ring not started"};
    if (full()) return Error{Errc::Busy, "ring full"};
    const uint32_t slot = sw_tail_;
    uint8_t *p = slot_ptr(slot);
    uint32_t control = (req.alg == Alg::TripleDes ? regs::D_CTL_ALG_TDES : 0u) |
                       (req.dir == Dir::Encrypt ? regs::D_CTL_DIR_ENC : 0u) |
                       (req.mode == Mode::Cbc ? regs::D_CTL_MODE_CBC : regs::D_CTL_MODE_ECB) |
                       (req.irq ? regs::D_CTL_IRQ : 0u) |
                       (req.iv_writeback ? regs::D_CTL_IVWB : 0u) | req.raw_control_extra;
    store_le32(p + regs::D_CONTROL, control);
    store_le32(p + regs::D_LENGTH, req.length);
    store_le64(p + regs::D_SRC, req.src);
    store_le64(p + regs::D_DST, req.dst);
    std::memcpy(p + regs::D_KEY, req.key, regs::D_KEY_LEN);
    std::memcpy(p + regs::D_IV, req.iv, regs::D_IV_LEN);
    store_le32(p + regs::D_COOKIE, req.cookie);
    __atomic_store_n(reinterpret_cast<uint32_t *>(p + regs::D_STATUS), 0u, __ATOMIC_RELAXED);
    cookies_[slot] = req.cookie;
    sw_tail_ = (sw_tail_ + 1) % opt_.ring_size;
    ++in_flight_;
    doorbell_pending_ = true;
    if (when == Doorbell::Now) ring_doorbell();
    return slot;
}

Result<uint32_t> FpiEngine::ack() {
    const uint32_t bits = rd(regs::INT_STATUS);
    if (bits == regs::ALL_ONES)
        return device_error(FaultCause::Removed, "INT_STATUS reads 0xFFFFFFFF: card removed");
    if ((bits & ~regs::INT_ALL) != 0)
        return device_error(FaultCause::BadStatus, "INT_STATUS has reserved bits: " + hex32(bits));
    if (bits != 0) wr(regs::INT_STATUS, bits);
    if ((bits & regs::INT_FATAL) != 0) {
        const uint32_t fi = rd(regs::FATAL_INFO);
        fault_.fatal_code = fi & regs::FATAL_CODE_MASK;
        fault_.fatal_index = fi >> regs::FATAL_INDEX_SHIFT;
        return device_error(FaultCause::Fatal,
                            "device halted: fatal code " + std::to_string(fault_.fatal_code) +
                                " at ring index " + std::to_string(fault_.fatal_index));
    }
    return bits;
}

Result<void> FpiEngine::reap(std::vector<Completion> &out) {
    if (in_flight_ == 0) return {};
    const uint32_t head = rd(regs::RING_HEAD);
    mmio_.rmb();
    const size_t first = out.size();
    ReapCheck rc = check_reap(head, ReapState{opt_.ring_size, sw_head_, in_flight_},
                              {ring_.cpu, size_t{opt_.ring_size} * regs::DESC_SIZE}, cookies_, out);
    for (size_t i = first; i < out.size(); ++i)
        explicit_bzero(slot_ptr(out[i].slot) + regs::D_KEY,
                       regs::D_KEY_LEN + regs::D_IV_LEN); // key, then IV
    sw_head_ = (sw_head_ + rc.reaped) % opt_.ring_size;
    in_flight_ -= rc.reaped;
    if (rc.cause != FaultCause::None) return device_error(rc.cause, std::move(rc.message));
    return {};
}

Result<void> FpiEngine::self_test() {
    if (in_flight_ != 0) return Error{Errc::Busy, "self-test needs an empty ring"};
    if (!kat_) {
        kat_ = arena_.alloc(KAT_STRIDE * std::size(KATS), regs::BLOCK);
        if (!kat_) return Error{Errc::NoMemory, "no DMA memory for the self-test"};
    }
    bool used[std::size(KATS)] = {};
    uint32_t wanted = 0;
    for (size_t i = 0; i < std::size(KATS); ++i) {
        const Kat &k = KATS[i];
        used[i] =
            !((k.alg == Alg::Des && !info_.des) || (k.alg == Alg::TripleDes && !info_.triple_des) ||
              (k.mode == Mode::Ecb && !info_.ecb) || (k.mode == Mode::Cbc && !info_.cbc));
        wanted += used[i] ? 1 : 0;
    }
    if (wanted == 0) return Error{Errc::Unsupported, "no known answer applies to this CAPS"};
    std::vector<Completion> done;
    size_t next = 0;
    const auto deadline = std::chrono::steady_clock::now() + opt_.selftest_timeout;
    while (done.size() < wanted) {
        // Post what fits (a 4-entry ring holds only 3), then wait for completions.
        for (; next < std::size(KATS) && !full(); ++next) {
            if (!used[next]) continue;
            const Kat &k = KATS[next];
            uint8_t *buf = kat_.cpu + next * KAT_STRIDE;
            std::memcpy(buf, k.pt, k.len);
            Request r;
            r.alg = k.alg;
            r.mode = k.mode;
            r.dir = Dir::Encrypt;
            r.iv_writeback = info_.iv_writeback;
            r.length = k.len;
            r.src = r.dst = kat_.bus + next * KAT_STRIDE;
            std::memcpy(r.key, k.key, sizeof r.key);
            if (k.alg == Alg::Des) std::memset(r.key + 8, 0, 16);
            std::memcpy(r.iv, k.iv, sizeof r.iv);
            r.cookie = KAT_COOKIE | static_cast<uint32_t>(next);
            auto slot = post(r);
            if (!slot) return slot.error();
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            fault_.cause = FaultCause::Timeout;
            return Error{Errc::Timeout, "self-test descriptors not completed within " +
                                            std::to_string(opt_.selftest_timeout.count()) + " ms"};
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        // A lost interrupt degrades to a 10 ms poll, never to a hang.
        (void)irq_.wait(std::min(left, std::chrono::milliseconds(10)) +
                        std::chrono::milliseconds(1));
        auto bits = ack();
        if (!bits) return bits.error();
        auto r = reap(done);
        if (!r) return r.error();
        irq_.unmask();
    }
    for (const Completion &c : done) {
        const size_t i = c.cookie & 0xFFFFu;
        if ((c.cookie & 0xFFFF0000u) != KAT_COOKIE || i >= std::size(KATS) || !used[i])
            return device_error(FaultCause::CookieMismatch,
                                "self-test completion with a foreign cookie");
        const Kat &k = KATS[i];
        if (c.result != DescResult::Ok)
            return device_error(FaultCause::BadStatus,
                                std::string("self-test descriptor failed: ") +
                                    desc_result_name(c.result));
        if (std::memcmp(kat_.cpu + i * KAT_STRIDE, k.ct, k.len) != 0)
            return device_error(FaultCause::BadStatus, "self-test known answer mismatch (vector " +
                                                           std::to_string(i) + ")");
        if (k.mode == Mode::Cbc && info_.iv_writeback &&
            std::memcmp(c.iv, k.ct + k.len - regs::BLOCK, regs::BLOCK) != 0)
            return device_error(FaultCause::BadWriteback, "self-test IV write-back mismatch");
    }
    explicit_bzero(kat_.cpu, kat_.size);
    return {};
}

void FpiEngine::stop() {
    wr(regs::CTRL, 0);
    wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    if (ring_) explicit_bzero(ring_.cpu, ring_.size);
    in_flight_ = 0;
    sw_head_ = sw_tail_ = 0;
    reset_ok_ = false;
}

} // namespace acrypto::hw::fastcrypt
