// SPDX-License-Identifier: Apache-2.0
// FPI v1 register offsets, bits and descriptor layout (spec/fastcrypt.md §2.3-§2.4). No logic.
//
// FPI v1 is defined by this project; it is NOT the CE99C003B's interface (§1.2).
// Only this header and fpi.{hpp,cpp} may know these numbers (§2.1 isolation rule).
#pragma once

#include <cstdint>

namespace acrypto::hw::fastcrypt::regs {

// ---- BAR0 register map, 32-bit little-endian, aligned access only -------------------------

inline constexpr uint32_t BAR0_SIZE = 0x1000; ///< BAR0 length in bytes (4 KiB)

inline constexpr uint32_t ID = 0x00;           ///< RO: 0x46435259 "FCRY"
inline constexpr uint32_t VERSION = 0x04;      ///< RO: major << 16 | minor
inline constexpr uint32_t CAPS = 0x08;         ///< RO: capability bits (CAPS_*)
inline constexpr uint32_t MAX_XFER = 0x0C;     ///< RO: largest descriptor length, bytes
inline constexpr uint32_t CTRL = 0x10;         ///< RW: CTRL_* bits
inline constexpr uint32_t STATUS = 0x14;       ///< RO: STATUS_* bits
inline constexpr uint32_t INT_STATUS = 0x18;   ///< RW1C: INT_* bits
inline constexpr uint32_t INT_ENABLE = 0x1C;   ///< RW: INT_* bits
inline constexpr uint32_t RING_BASE_LO = 0x20; ///< RW: ring bus address bits 31:0 (64-byte aligned)
inline constexpr uint32_t RING_BASE_HI = 0x24; ///< RW: ring bus address bits 63:32 (0 unless DMA64)
inline constexpr uint32_t RING_SIZE = 0x28;    ///< RW: entries, power of two, RING_SIZE_MIN..MAX
inline constexpr uint32_t RING_HEAD = 0x2C;    ///< RO: next index the device processes
inline constexpr uint32_t RING_TAIL = 0x30;    ///< RW: doorbell, driver producer index
inline constexpr uint32_t DONE_COUNT = 0x34;   ///< RO: completed descriptors modulo 2^32
inline constexpr uint32_t FATAL_INFO = 0x38;   ///< RO: b7:0 fatal code, b31:16 ring index
inline constexpr uint32_t SCRATCH = 0x3C;      ///< RW: free register for bus sanity tests
inline constexpr uint32_t LAST_REG = SCRATCH;  ///< 0x40..0xFFC reserved: read 0, writes ignored

// ---- reset values --------------------------------------------------------------------------

inline constexpr uint32_t ID_FPI = 0x46435259;      ///< ID: "FCRY", most significant byte first
inline constexpr uint32_t VERSION_1_0 = 0x00010000; ///< VERSION: 1.0
inline constexpr uint32_t VERSION_MAJOR_SHIFT = 16; ///< VERSION: major in bits 31:16
inline constexpr uint32_t VERSION_MAJOR_FPI = 1;    ///< VERSION: the only major this driver speaks
inline constexpr uint32_t MAX_XFER_RESET = 0x00010000; ///< MAX_XFER: 64 KiB
inline constexpr uint32_t CAPS_RESET = 0x00000133;     ///< CAPS: DES, 3DES, ECB, CBC, IVWB

// ---- CAPS bits -----------------------------------------------------------------------------

inline constexpr uint32_t CAPS_DES = 1u << 0;   ///< single DES
inline constexpr uint32_t CAPS_TDES = 1u << 1;  ///< 3DES-EDE3
inline constexpr uint32_t CAPS_ECB = 1u << 4;   ///< ECB mode
inline constexpr uint32_t CAPS_CBC = 1u << 5;   ///< CBC mode
inline constexpr uint32_t CAPS_IVWB = 1u << 8;  ///< IV write-back supported
inline constexpr uint32_t CAPS_DMA64 = 1u << 9; ///< 64-bit bus addresses supported
inline constexpr uint32_t CAPS_DEFINED =
    CAPS_DES | CAPS_TDES | CAPS_ECB | CAPS_CBC | CAPS_IVWB | CAPS_DMA64;

// ---- CTRL bits -----------------------------------------------------------------------------

inline constexpr uint32_t CTRL_ENABLE = 1u << 0;      ///< process the ring
inline constexpr uint32_t CTRL_IRQ_EN = 1u << 1;      ///< master interrupt enable
inline constexpr uint32_t CTRL_SOFT_RESET = 1u << 31; ///< write 1: reset; self-clearing, reads 0
inline constexpr uint32_t CTRL_RW_MASK = CTRL_ENABLE | CTRL_IRQ_EN; ///< bits that read back

// ---- STATUS bits ---------------------------------------------------------------------------

inline constexpr uint32_t STATUS_READY = 1u << 0;  ///< reset completed
inline constexpr uint32_t STATUS_BUSY = 1u << 1;   ///< a descriptor is being processed
inline constexpr uint32_t STATUS_HALTED = 1u << 2; ///< fatal state; only SOFT_RESET leaves it

// ---- INT_STATUS / INT_ENABLE bits ----------------------------------------------------------

inline constexpr uint32_t INT_DONE = 1u << 0;     ///< a descriptor with IRQ set completed OK
inline constexpr uint32_t INT_DESC_ERR = 1u << 1; ///< a descriptor completed with an error
inline constexpr uint32_t INT_FATAL = 1u << 2;    ///< the device halted (FATAL_INFO)
inline constexpr uint32_t INT_ALL = INT_DONE | INT_DESC_ERR | INT_FATAL;

// ---- FATAL_INFO ----------------------------------------------------------------------------

inline constexpr uint32_t FATAL_CODE_MASK = 0xFFu; ///< FATAL_INFO b7:0
inline constexpr uint32_t FATAL_INDEX_SHIFT = 16;  ///< FATAL_INFO b31:16 ring index

inline constexpr uint32_t FATAL_BAD_RING_BASE = 1;     ///< ring base zero or misaligned
inline constexpr uint32_t FATAL_BAD_RING_SIZE = 2;     ///< RING_SIZE not a power of two in range
inline constexpr uint32_t FATAL_TAIL_RANGE = 3;        ///< RING_TAIL >= RING_SIZE
inline constexpr uint32_t FATAL_DESC_FETCH_FAULT = 4;  ///< descriptor unreadable
inline constexpr uint32_t FATAL_STATUS_WB_FAULT = 5;   ///< status not writable
inline constexpr uint32_t FATAL_CFG_WHILE_ENABLED = 6; ///< RING_* written while ENABLE=1
inline constexpr uint32_t FATAL_MAX = 6;               ///< highest defined fatal code

// ---- ring ----------------------------------------------------------------------------------

inline constexpr uint32_t RING_SIZE_MIN = 4;    ///< smallest RING_SIZE
inline constexpr uint32_t RING_SIZE_MAX = 4096; ///< largest RING_SIZE
inline constexpr uint32_t RING_ALIGN = 64;      ///< RING_BASE alignment, bytes

// ---- descriptor (64 bytes in the host ring) -------------------------------------------------

inline constexpr uint32_t DESC_SIZE = 64;   ///< bytes per ring entry
inline constexpr uint32_t D_CONTROL = 0x00; ///< u32 control (D_CTL_*)
inline constexpr uint32_t D_LENGTH = 0x04;  ///< u32 bytes, multiple of 8, 8..MAX_XFER
inline constexpr uint32_t D_SRC = 0x08;     ///< u64 source bus address, 8-byte aligned
inline constexpr uint32_t D_DST = 0x10;     ///< u64 destination bus address, 8-byte aligned
inline constexpr uint32_t D_KEY = 0x18;     ///< 24 bytes K1|K2|K3
inline constexpr uint32_t D_IV = 0x30;      ///< 8 bytes IV; chaining value out under IVWB
inline constexpr uint32_t D_STATUS = 0x38;  ///< u32 written by the device (D_ST_*)
inline constexpr uint32_t D_COOKIE = 0x3C;  ///< u32 driver-owned, preserved by the device
inline constexpr uint32_t D_KEY_LEN = 24;   ///< key field bytes
inline constexpr uint32_t D_IV_LEN = 8;     ///< IV field bytes
inline constexpr uint32_t BLOCK = 8;        ///< DES block, bytes; length and address granule

inline constexpr uint32_t D_CTL_ALG_TDES = 1u << 0;  ///< ALG: 0 DES, 1 3DES-EDE3
inline constexpr uint32_t D_CTL_DIR_ENC = 1u << 1;   ///< DIR: 0 decrypt, 1 encrypt
inline constexpr uint32_t D_CTL_MODE_SHIFT = 2;      ///< MODE in b3:2
inline constexpr uint32_t D_CTL_MODE_MASK = 3u << 2; ///< MODE field
inline constexpr uint32_t D_CTL_MODE_ECB = 0u << 2;  ///< MODE 0: ECB
inline constexpr uint32_t D_CTL_MODE_CBC = 1u << 2;  ///< MODE 1: CBC (2, 3 reserved)
inline constexpr uint32_t D_CTL_IRQ = 1u << 8;       ///< raise DONE on success
inline constexpr uint32_t D_CTL_IVWB = 1u << 9;      ///< write the final chaining value back
inline constexpr uint32_t D_CTL_DEFINED =
    D_CTL_ALG_TDES | D_CTL_DIR_ENC | D_CTL_MODE_MASK | D_CTL_IRQ | D_CTL_IVWB;

inline constexpr uint32_t D_ST_DONE = 1u << 31;   ///< status: the device finished this entry
inline constexpr uint32_t D_ST_CODE_MASK = 0xFFu; ///< status: b7:0 error code

inline constexpr uint32_t ERR_OK = 0;            ///< success
inline constexpr uint32_t ERR_BAD_CONTROL = 1;   ///< reserved ALG/MODE value or reserved bit
inline constexpr uint32_t ERR_BAD_LENGTH = 2;    ///< 0, not a multiple of 8, or > MAX_XFER
inline constexpr uint32_t ERR_BAD_ALIGN = 3;     ///< src or dst not 8-byte aligned
inline constexpr uint32_t ERR_OVERLAP = 4;       ///< src and dst partially overlap
inline constexpr uint32_t ERR_ADDR_RANGE = 5;    ///< address above 4 GiB without DMA64
inline constexpr uint32_t ERR_SRC_DMA_FAULT = 6; ///< source read failed
inline constexpr uint32_t ERR_DST_DMA_FAULT = 7; ///< destination write failed
inline constexpr uint32_t ERR_MAX = 7;           ///< highest defined descriptor error

inline constexpr uint32_t ALL_ONES = 0xFFFFFFFFu; ///< what a read returns from a removed card

} // namespace acrypto::hw::fastcrypt::regs
