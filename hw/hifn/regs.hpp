// SPDX-License-Identifier: Apache-2.0
// HIFN 7751/7811/795x register offsets, bits and descriptor/command/result layouts
// (spec/hifn-795x.md).
#pragma once

#include <cstdint>

namespace acrypto::hw::hifn::regs {

// ---- PCI identification (§1.1) ----
inline constexpr uint16_t HIFN_VENDOR = 0x13a3;     ///< Hifn Inc. PCI vendor ID
inline constexpr uint16_t HIFN_7955 = 0x0020;       ///< 7954/7955 device ID
inline constexpr uint16_t HIFN_7956 = 0x001d;       ///< 7956 device ID
inline constexpr uint32_t PCI_TRDY_TIMEOUT = 0x40;  ///< config byte: TRDY timeout, zeroed (errata)
inline constexpr uint32_t PCI_RETRY_TIMEOUT = 0x41; ///< config byte: retry timeout, zeroed (errata)

// ---- BAR sizes (§1.2), bytes ----
inline constexpr uint32_t BAR0_SIZE = 0x1000; ///< group 0 (PU registers), minimum size
inline constexpr uint32_t BAR1_SIZE = 0x2000; ///< group 1 (DMA, PLL, RNG, PK, unlock), minimum size
inline constexpr uint32_t BAR2_SIZE = 0x8000; ///< unused window, minimum size

// ---- Group 0 (BAR0) offsets (§2.1) ----
inline constexpr uint32_t HIFN_0_PUDATA = 0x00; ///< PU data (unused)
inline constexpr uint32_t HIFN_0_PUCTRL = 0x04; ///< PU control
inline constexpr uint32_t HIFN_0_PUISR = 0x08;  ///< PU interrupt status, write-1-to-clear
inline constexpr uint32_t HIFN_0_PUCNFG = 0x0C; ///< PU configuration
inline constexpr uint32_t HIFN_0_PUIER = 0x10;  ///< PU interrupt enable (PUISR layout)
inline constexpr uint32_t HIFN_0_PUSTAT = 0x14; ///< PU status, or enable level|revision with CHIPID
inline constexpr uint32_t HIFN_0_FIFOSTAT = 0x18; ///< free FIFO entries
inline constexpr uint32_t HIFN_0_FIFOCNFG = 0x1C; ///< FIFO configuration
inline constexpr uint32_t HIFN_0_PUCTRL2 =
    0x28; ///< FreeBSD's 795x PU reset register; aliases PUCTRL

// PUCTRL bits
inline constexpr uint32_t HIFN_PUCTRL_RESET = 1u << 0;      ///< PU reset in progress (poll to 0)
inline constexpr uint32_t HIFN_PUCTRL_DMAENA = 1u << 1;     ///< enable PU DMA
inline constexpr uint32_t HIFN_PUCTRL_LOCKRAM = 1u << 2;    ///< lock context RAM
inline constexpr uint32_t HIFN_PUCTRL_STOP = 1u << 3;       ///< stop the PU
inline constexpr uint32_t HIFN_PUCTRL_CLRSRCFIFO = 1u << 4; ///< clear source FIFO

// PU status bits (PUISR, PUIER, PUSTAT)
inline constexpr uint32_t HIFN_PUISR_CMDINVAL = 1u << 15; ///< invalid command
inline constexpr uint32_t HIFN_PUISR_DATAERR = 1u << 14;  ///< data error (not a block multiple)
inline constexpr uint32_t HIFN_PUISR_SRCFIFO = 1u << 13;  ///< source FIFO ready
inline constexpr uint32_t HIFN_PUISR_DSTFIFO = 1u << 12;  ///< destination FIFO ready
inline constexpr uint32_t HIFN_PUISR_DSTOVER = 1u << 9;   ///< destination overrun
inline constexpr uint32_t HIFN_PUISR_SRCCMD = 1u << 7;    ///< source command
inline constexpr uint32_t HIFN_PUISR_SRCCTX = 1u << 6;    ///< source context
inline constexpr uint32_t HIFN_PUISR_SRCDATA = 1u << 5;   ///< source data
inline constexpr uint32_t HIFN_PUISR_DSTDATA = 1u << 4;   ///< destination data
inline constexpr uint32_t HIFN_PUISR_DSTRESULT = 1u << 2; ///< destination result

// PUCNFG bits
inline constexpr uint32_t HIFN_PUCNFG_TCALLPHASES = 1u << 9; ///< undocumented, drivers set it
inline constexpr uint32_t HIFN_PUCNFG_TCDRVTOTEM = 1u << 8;  ///< undocumented, drivers set it
inline constexpr uint32_t HIFN_PUCNFG_BIGENDIAN = 1u << 7;   ///< big-endian data (never set)
inline constexpr uint32_t HIFN_PUCNFG_BUS32 = 1u << 6;       ///< 32-bit bus
inline constexpr uint32_t HIFN_PUCNFG_CHIPID = 1u << 5;      ///< PUSTAT shows enable level|revision
inline constexpr uint32_t HIFN_PUCNFG_DRAM = 1u << 4;     ///< context memory is DRAM (1) / SRAM (0)
inline constexpr uint32_t HIFN_PUCNFG_COMPSING = 1u << 2; ///< single compression context
inline constexpr uint32_t HIFN_PUCNFG_ENCCNFG = 1u << 1;  ///< small (128 B) contexts
inline constexpr uint32_t HIFN_PUCNFG_795X = 0x0344;      ///< value [F][N] program on 795x parts

// PUSTAT enable level (bits 15:8 with CHIPID set), §2.1
inline constexpr uint32_t HIFN_PUSTAT_ENA_MASK = 0xFF00;   ///< enable-level field
inline constexpr uint32_t HIFN_PUSTAT_CHIPREV = 0x00FF;    ///< chip revision field
inline constexpr uint32_t HIFN_PUSTAT_ENA_LOCKED = 0x0000; ///< locked; unlock allowed
inline constexpr uint32_t HIFN_PUSTAT_ENA_0 = 0x3000;      ///< compression only
inline constexpr uint32_t HIFN_PUSTAT_ENA_1 = 0x1000;      ///< DES + MD5/SHA1 (+HMAC)
inline constexpr uint32_t HIFN_PUSTAT_ENA_2 = 0x1100;      ///< ENA_1 + 3DES, ARC4, AES (795x)

inline constexpr uint32_t HIFN_FIFOCNFG_THRESHOLD = 0x400; ///< FIFOCNFG value; bit10 must be 1

// ---- Group 1 (BAR1) offsets (§2.2) ----
inline constexpr uint32_t HIFN_1_DMA_CRAR = 0x0C;  ///< command-ring base, 32-bit bus address
inline constexpr uint32_t HIFN_1_DMA_SRAR = 0x1C;  ///< source-ring base
inline constexpr uint32_t HIFN_1_DMA_RRAR = 0x2C;  ///< result-ring base
inline constexpr uint32_t HIFN_1_DMA_DRAR = 0x3C;  ///< destination-ring base
inline constexpr uint32_t HIFN_1_DMA_CSR = 0x40;   ///< DMA status and control
inline constexpr uint32_t HIFN_1_DMA_IER = 0x44;   ///< DMA interrupt enable (CSR status layout)
inline constexpr uint32_t HIFN_1_DMA_CNFG = 0x48;  ///< DMA configuration
inline constexpr uint32_t HIFN_1_PLL = 0x4C;       ///< PLL configuration (7954/7955/7956)
inline constexpr uint32_t HIFN_1_DMA_CNFG2 = 0x6C; ///< burst sizes and swaps (7951/795x)
inline constexpr uint32_t HIFN_1_REVID = 0x98;     ///< revision ID (low 16 bits)
inline constexpr uint32_t HIFN_1_UNLOCK_SECRET1 = 0xF4; ///< read: unlock seed
inline constexpr uint32_t HIFN_1_UNLOCK_SECRET2 = 0xFC; ///< write: unlock handshake words
inline constexpr uint32_t HIFN_1_PUB_RESET = 0x204;   ///< bit0 resets PK + RNG unit; self-clearing
inline constexpr uint32_t HIFN_1_PUB_BASE = 0x300;    ///< PK base address (bits 13:0)
inline constexpr uint32_t HIFN_1_PUB_OPLEN = 0x304;   ///< PK operand lengths
inline constexpr uint32_t HIFN_1_PUB_OP = 0x308;      ///< PK operand offsets + opcode (bits 21:18)
inline constexpr uint32_t HIFN_1_PUB_STATUS = 0x30C;  ///< bit0 DONE (write-1-to-clear), bit1 CARRY
inline constexpr uint32_t HIFN_1_PUB_IEN = 0x310;     ///< bit0 interrupt on DONE
inline constexpr uint32_t HIFN_1_RNG_CONFIG = 0x314;  ///< bit0 enables the RNG
inline constexpr uint32_t HIFN_1_RNG_DATA = 0x318;    ///< one 32-bit RNG sample per read
inline constexpr uint32_t HIFN_1_PUB_MEM = 0x400;     ///< PK operand memory start (2 KiB)
inline constexpr uint32_t HIFN_1_PUB_MEM_END = 0xC00; ///< PK operand memory end (exclusive)

inline constexpr uint32_t HIFN_PUBRST_RESET = 1u << 0;         ///< PUB_RESET: reset PK/RNG unit
inline constexpr uint32_t HIFN_PUBSTS_DONE = 1u << 0;          ///< PUB_STATUS: operation done
inline constexpr uint32_t HIFN_PUBIEN_DONE = 1u << 0;          ///< PUB_IEN: interrupt on DONE
inline constexpr uint32_t HIFN_RNGCFG_ENA = 1u << 0;           ///< RNG_CONFIG: enable
inline constexpr uint32_t HIFN_PUBOP_OPCODE_SHIFT = 18;        ///< PUB_OP opcode field, bits 21:18
inline constexpr uint32_t HIFN_PUBOP_OPCODE_MASK = 0xFu << 18; ///< PUB_OP opcode mask

// DMA_CSR: per-ring 2-bit control field (00 no-op, 01 disable, 10 enable) and status flags.
inline constexpr uint32_t HIFN_DMACSR_CTRL_NOP = 0u;      ///< control value: no change
inline constexpr uint32_t HIFN_DMACSR_CTRL_DIS = 1u;      ///< control value: disable ring
inline constexpr uint32_t HIFN_DMACSR_CTRL_ENA = 2u;      ///< control value: enable ring
inline constexpr uint32_t HIFN_DMACSR_D_CTRL_SHIFT = 30;  ///< destination ring control, bits 31:30
inline constexpr uint32_t HIFN_DMACSR_D_ABORT = 1u << 29; ///< destination PCI master abort
inline constexpr uint32_t HIFN_DMACSR_D_DONE = 1u << 28;  ///< destination descriptor done
inline constexpr uint32_t HIFN_DMACSR_D_LAST = 1u << 27;  ///< destination LAST processed
inline constexpr uint32_t HIFN_DMACSR_D_WAIT = 1u << 26;  ///< destination engine waiting on VALID
inline constexpr uint32_t HIFN_DMACSR_D_OVER = 1u << 25;  ///< destination overflow
inline constexpr uint32_t HIFN_DMACSR_R_CTRL_SHIFT = 22;  ///< result ring control, bits 23:22
inline constexpr uint32_t HIFN_DMACSR_R_ABORT = 1u << 21; ///< result PCI master abort
inline constexpr uint32_t HIFN_DMACSR_R_DONE = 1u << 20;  ///< result descriptor done
inline constexpr uint32_t HIFN_DMACSR_R_LAST = 1u << 19;  ///< result LAST processed
inline constexpr uint32_t HIFN_DMACSR_R_WAIT = 1u << 18;  ///< result engine waiting on VALID
inline constexpr uint32_t HIFN_DMACSR_R_OVER = 1u << 17;  ///< result record overflow
inline constexpr uint32_t HIFN_DMACSR_S_CTRL_SHIFT = 14;  ///< source ring control, bits 15:14
inline constexpr uint32_t HIFN_DMACSR_S_ABORT = 1u << 13; ///< source PCI master abort
inline constexpr uint32_t HIFN_DMACSR_S_DONE = 1u << 12;  ///< source descriptor done
inline constexpr uint32_t HIFN_DMACSR_S_LAST = 1u << 11;  ///< source LAST processed
inline constexpr uint32_t HIFN_DMACSR_S_WAIT = 1u << 10;  ///< source engine waiting on VALID
inline constexpr uint32_t HIFN_DMACSR_ILLW = 1u
                                             << 9; ///< 7811 illegal write (S_OVER in early OpenBSD)
inline constexpr uint32_t HIFN_DMACSR_ILLR = 1u << 8;    ///< 7811 illegal read
inline constexpr uint32_t HIFN_DMACSR_C_CTRL_SHIFT = 6;  ///< command ring control, bits 7:6
inline constexpr uint32_t HIFN_DMACSR_C_ABORT = 1u << 5; ///< command PCI master abort
inline constexpr uint32_t HIFN_DMACSR_C_DONE = 1u << 4;  ///< command descriptor done
inline constexpr uint32_t HIFN_DMACSR_C_LAST = 1u << 3;  ///< command LAST processed
inline constexpr uint32_t HIFN_DMACSR_C_WAIT = 1u << 2;  ///< command engine waiting on VALID
inline constexpr uint32_t HIFN_DMACSR_PUBDONE = 1u << 1; ///< public-key operation done
inline constexpr uint32_t HIFN_DMACSR_ENGINE = 1u << 0;  ///< PU interrupt pending (PUISR & PUIER)
inline constexpr uint32_t HIFN_DMACSR_CTRL_MASK = 0xC0C0C0C0u; ///< all four control fields
inline constexpr uint32_t HIFN_DMACSR_ABORTS = HIFN_DMACSR_D_ABORT | HIFN_DMACSR_R_ABORT |
                                               HIFN_DMACSR_S_ABORT |
                                               HIFN_DMACSR_C_ABORT; ///< any ring master abort

// DMA_CNFG bits (§2.2)
inline constexpr uint32_t HIFN_DMACNFG_BIGENDIAN = 1u << 28; ///< big-endian descriptors (never set)
inline constexpr uint32_t HIFN_DMACNFG_POLLFREQ_SHIFT =
    16; ///< descriptor poll frequency, bits 23:16
inline constexpr uint32_t HIFN_DMACNFG_POLLFREQ_MASK = 0xFFu << 16; ///< POLLFREQ field
inline constexpr uint32_t HIFN_DMACNFG_UNLOCK = 1u << 11;           ///< arm the unlock handshake
inline constexpr uint32_t HIFN_DMACNFG_POLLINVAL_MASK = 7u << 8;    ///< poll scalar, bits 10:8
inline constexpr uint32_t HIFN_DMACNFG_LAST = 1u << 4;              ///< host controls LAST
inline constexpr uint32_t HIFN_DMACNFG_MODE = 1u << 2;              ///< always 1
inline constexpr uint32_t HIFN_DMACNFG_DMARESET = 1u << 1;          ///< DMARESET#, active low
inline constexpr uint32_t HIFN_DMACNFG_MSTRESET = 1u << 0;          ///< MSTRESET#, active low
inline constexpr uint32_t HIFN_DMACNFG_IDLE = 0x7;                  ///< no reset, polling off
inline constexpr uint32_t HIFN_DMACNFG_FULL_RESET = 0x4;            ///< master + DMA held in reset
inline constexpr uint32_t HIFN_DMACNFG_DMA_RESET = 0x5;             ///< DMA-only reset
inline constexpr uint32_t HIFN_DMACNFG_UNLOCK_VALUE = 0x807;        ///< value during the handshake
inline constexpr uint32_t HIFN_DMACNFG_RUN = 0x00010017;            ///< normal operation
inline constexpr uint32_t HIFN_DMACNFG2_VALUE = 0x00003322;         ///< burst sizes [F] writes

// PLL bits (§2.4)
inline constexpr uint32_t HIFN_PLL_REF_SEL = 1u << 0;    ///< 1 = external reference clock
inline constexpr uint32_t HIFN_PLL_BP = 1u << 1;         ///< bypass while settling
inline constexpr uint32_t HIFN_PLL_PK_CLK_SEL = 1u << 3; ///< PK engine clocked by the PLL
inline constexpr uint32_t HIFN_PLL_PE_CLK_SEL = 1u << 4; ///< packet engine clocked by the PLL
inline constexpr uint32_t HIFN_PLL_MBSET = 1u << 10;     ///< reserved, must be 1
inline constexpr uint32_t HIFN_PLL_ND_SHIFT = 11;        ///< multiplier field: mult = 2*(ND+1)
inline constexpr uint32_t HIFN_PLL_ND_MASK = 7u << 11;   ///< ND field, bits 13:11
inline constexpr uint32_t HIFN_PLL_IS = 1u << 16;        ///< charge pump: set when multiplier > 8
inline constexpr uint32_t HIFN_PLL_DEFINED =
    HIFN_PLL_REF_SEL | HIFN_PLL_BP | HIFN_PLL_PK_CLK_SEL | HIFN_PLL_PE_CLK_SEL | HIFN_PLL_MBSET |
    HIFN_PLL_ND_MASK | HIFN_PLL_IS;               ///< every non-reserved PLL bit
inline constexpr uint32_t HIFN_PLL_MAX_MHZ = 266; ///< highest core clock, MHz
inline constexpr uint32_t HIFN_PLL_REF_MHZ = 66;  ///< default external reference, MHz

// Unlock handshake (§2.3)
inline constexpr uint32_t HIFN_UNLOCK_TAP = 0x80080125u; ///< LFSR taps of sig()
inline constexpr uint32_t HIFN_UNLOCK_STEP = 0x101;      ///< n per key byte (key byte 0 + 0x101)
inline constexpr unsigned HIFN_UNLOCK_WORDS = 13;        ///< key bytes [F][N] send ([L]: 12)

// ---- Descriptors (§3.1): word0 `l`, word1 `p` ----
inline constexpr uint32_t HIFN_D_LENGTH = 0x0000FFFF;    ///< byte length
inline constexpr uint32_t HIFN_D_NOINVALID = 1u << 24;   ///< [L] only, meaning unknown, never set
inline constexpr uint32_t HIFN_D_MASKDONEIRQ = 1u << 25; ///< no DONE interrupt for this descriptor
inline constexpr uint32_t HIFN_D_DESTOVER = 1u << 26;    ///< destination overflow (chip status)
inline constexpr uint32_t HIFN_D_OVER = 1u << 27;        ///< overflow (chip status)
inline constexpr uint32_t HIFN_D_LAST = 1u << 29;        ///< last descriptor of a packet/command
inline constexpr uint32_t HIFN_D_JUMP = 1u << 30;        ///< `p` is the next descriptor (wrap)
inline constexpr uint32_t HIFN_D_VALID = 1u << 31;       ///< owned by the chip
inline constexpr uint32_t HIFN_DESC_SIZE = 8;            ///< bytes per descriptor
inline constexpr uint32_t HIFN_MAX_SEGLEN = 0xFFFF;      ///< longest descriptor, bytes
inline constexpr uint32_t HIFN_MAX_LENGTH = 0x3FFFF; ///< longest command operand (18 bits), bytes
inline constexpr uint32_t HIFN_MAX_SEGMENTS = 64;    ///< scatter segments per operand [F]

// ---- Command buffer (§4) ----
inline constexpr uint32_t HIFN_MAX_COMMAND = 348; ///< largest command buffer, bytes
inline constexpr uint32_t HIFN_MAX_RESULT = 36;   ///< result buffer [F] uses, bytes
// Base command word0 masks
inline constexpr uint16_t HIFN_BASE_CMD_COMP = 0x0100;      ///< compression engine
inline constexpr uint16_t HIFN_BASE_CMD_PAD = 0x0200;       ///< pad
inline constexpr uint16_t HIFN_BASE_CMD_MAC = 0x0400;       ///< MAC engine
inline constexpr uint16_t HIFN_BASE_CMD_CRYPT = 0x0800;     ///< crypt engine
inline constexpr uint16_t HIFN_BASE_CMD_DECODE = 0x2000;    ///< operation: decode
inline constexpr uint16_t HIFN_BASE_CMD_READ_RAM = 0x4000;  ///< operation: read context RAM
inline constexpr uint16_t HIFN_BASE_CMD_WRITE_RAM = 0x6000; ///< operation: write context RAM
inline constexpr uint16_t HIFN_BASE_CMD_OP_MASK = 0x6000;   ///< operation field, bits 14:13
// Base command word1
inline constexpr uint16_t HIFN_BASE_CMD_SESSION_MASK = 0x0FFF; ///< session number, bits 11:0
inline constexpr unsigned HIFN_BASE_CMD_DSTLEN_S = 12; ///< dst length bits 17:16 at bits 13:12
inline constexpr unsigned HIFN_BASE_CMD_SRCLEN_S = 14; ///< src length bits 17:16 at bits 15:14
// Sub-command (MAC, crypt, compression) word0: length bits 17:16 at bits 15:14
inline constexpr unsigned HIFN_SUB_CMD_LEN_S = 14; ///< engine length bits 17:16 shift
// Crypt command masks
inline constexpr uint16_t HIFN_CRYPT_CMD_ALG_MASK = 0x0003;  ///< algorithm
inline constexpr uint16_t HIFN_CRYPT_CMD_ALG_DES = 0x0000;   ///< DES
inline constexpr uint16_t HIFN_CRYPT_CMD_ALG_3DES = 0x0001;  ///< 3DES EDE
inline constexpr uint16_t HIFN_CRYPT_CMD_ALG_RC4 = 0x0002;   ///< ARC4
inline constexpr uint16_t HIFN_CRYPT_CMD_ALG_AES = 0x0003;   ///< AES (795x)
inline constexpr uint16_t HIFN_CRYPT_CMD_MODE_MASK = 0x0018; ///< mode, bits 4:3
inline constexpr uint16_t HIFN_CRYPT_CMD_MODE_ECB = 0x0000;  ///< ECB
inline constexpr uint16_t HIFN_CRYPT_CMD_MODE_CBC = 0x0008;  ///< CBC
inline constexpr uint16_t HIFN_CRYPT_CMD_MODE_CFB = 0x0010;  ///< CFB (feedback width unverified)
inline constexpr uint16_t HIFN_CRYPT_CMD_MODE_OFB = 0x0018;  ///< OFB (unverified)
inline constexpr uint16_t HIFN_CRYPT_CMD_CLR_CTX = 0x0040;   ///< clear context
inline constexpr uint16_t HIFN_CRYPT_CMD_KSZ_MASK = 0x0600;  ///< AES key size, bits 10:9
inline constexpr uint16_t HIFN_CRYPT_CMD_KSZ_128 = 0x0000;   ///< AES-128
inline constexpr uint16_t HIFN_CRYPT_CMD_KSZ_192 = 0x0200;   ///< AES-192
inline constexpr uint16_t HIFN_CRYPT_CMD_KSZ_256 = 0x0400;   ///< AES-256
inline constexpr uint16_t HIFN_CRYPT_CMD_NEW_KEY = 0x0800;   ///< key follows in the command
inline constexpr uint16_t HIFN_CRYPT_CMD_NEW_IV = 0x1000;    ///< IV follows in the command
// MAC command masks
inline constexpr uint16_t HIFN_MAC_CMD_ALG_SHA1 = 0x0000;     ///< SHA-1
inline constexpr uint16_t HIFN_MAC_CMD_ALG_MD5 = 0x0001;      ///< MD5
inline constexpr uint16_t HIFN_MAC_CMD_MODE_MASK = 0x000C;    ///< mode, bits 3:2
inline constexpr uint16_t HIFN_MAC_CMD_MODE_HMAC = 0x0000;    ///< HMAC
inline constexpr uint16_t HIFN_MAC_CMD_MODE_SSL_MAC = 0x0004; ///< SSL-MAC ("FULL"), undocumented
inline constexpr uint16_t HIFN_MAC_CMD_MODE_HASH = 0x0008;    ///< plain hash
inline constexpr uint16_t HIFN_MAC_CMD_TRUNC = 0x0010;        ///< 96-bit MAC
inline constexpr uint16_t HIFN_MAC_CMD_RESULT = 0x0020;       ///< MAC into the result record
inline constexpr uint16_t HIFN_MAC_CMD_APPEND = 0x0040;       ///< MAC appended to destination data
inline constexpr uint16_t HIFN_MAC_CMD_POS_MASK = 0x0300;     ///< position, bits 9:8
inline constexpr uint16_t HIFN_MAC_CMD_POS_IPSEC = 0x0200;    ///< MAC over ciphertext (IPsec order)
inline constexpr uint16_t HIFN_MAC_CMD_NEW_KEY = 0x0800;      ///< MAC key follows in the command
// Command payload sizes, bytes
inline constexpr uint32_t HIFN_MAC_KEY_LENGTH = 64;  ///< MAC key field (zero padded)
inline constexpr uint32_t HIFN_DES_KEY_LENGTH = 8;   ///< DES key
inline constexpr uint32_t HIFN_3DES_KEY_LENGTH = 24; ///< 3DES key
inline constexpr uint32_t HIFN_RC4_KEY_LENGTH = 260; ///< ARC4: 256 key bytes + 4 zero bytes
inline constexpr uint32_t HIFN_DES_IV_LENGTH = 8;    ///< DES/3DES IV
inline constexpr uint32_t HIFN_AES_IV_LENGTH = 16;   ///< AES IV
inline constexpr uint32_t HIFN_NOP_PAD = 8;          ///< zero bytes after a bare base command

// ---- Result record (§4.6) ----
inline constexpr uint16_t HIFN_BASE_RES_DSTOVERRUN = 0x0200;   ///< base result: destination overrun
inline constexpr unsigned HIFN_BASE_RES_SRCLEN_S = 14;         ///< word1: src count bits 17:16
inline constexpr unsigned HIFN_BASE_RES_DSTLEN_S = 12;         ///< word1: dst count bits 17:16
inline constexpr uint16_t HIFN_MAC_RES_SRC_NOTZERO = 0x0001;   ///< MAC result: source expired
inline constexpr uint16_t HIFN_MAC_RES_MISCOMPARE = 0x0002;    ///< MAC result: miscompare
inline constexpr uint16_t HIFN_CRYPT_RES_SRC_NOTZERO = 0x0001; ///< crypt result: source expired
inline constexpr uint32_t HIFN_BASE_RES_SIZE = 8;              ///< base result, bytes
inline constexpr uint32_t HIFN_COMP_RES_SIZE = 4;              ///< compression result, bytes
inline constexpr uint32_t HIFN_MAC_RES_SIZE = 4;    ///< MAC result flags, bytes (MAC follows)
inline constexpr uint32_t HIFN_CRYPT_RES_SIZE = 4;  ///< crypt result, bytes
inline constexpr uint32_t HIFN_MAC_RES_OFFSET = 12; ///< MAC bytes start here (no compression)

// ---- Context memory (§5.3) ----
inline constexpr uint32_t HIFN_795X_CTX_RAM = 32768; ///< internal context RAM, bytes
inline constexpr uint32_t HIFN_CTX_SIZE_LARGE = 512; ///< context size, COMPSING without ENCCNFG
inline constexpr uint32_t HIFN_CTX_SIZE_SMALL = 128; ///< context size with ENCCNFG

} // namespace acrypto::hw::hifn::regs
