// SPDX-License-Identifier: Apache-2.0
// PadLock register, CPUID, control-word and status-word constants (spec/padlock.md §1-§6); no
// logic.
#pragma once

#include <cstddef>
#include <cstdint>

namespace acrypto::hw::padlock::regs {

// --- CPUID leaf 0 vendor words (EBX, EDX, ECX), spec §1.1 ---
inline constexpr uint32_t VENDOR_CENTAUR_EBX = 0x746E6543;  ///< "Cent"
inline constexpr uint32_t VENDOR_CENTAUR_EDX = 0x48727561;  ///< "aurH"
inline constexpr uint32_t VENDOR_CENTAUR_ECX = 0x736C7561;  ///< "auls"
inline constexpr uint32_t VENDOR_SHANGHAI_EBX = 0x68532020; ///< "  Sh"
inline constexpr uint32_t VENDOR_SHANGHAI_EDX = 0x68676E61; ///< "angh"
inline constexpr uint32_t VENDOR_SHANGHAI_ECX = 0x20206961; ///< "ai  "

// --- Centaur extended leaves, spec §1.2 ---
inline constexpr uint32_t CPUID_CENTAUR_MAX = 0xC0000000;      ///< EAX = highest Centaur leaf
inline constexpr uint32_t CPUID_CENTAUR_FEATURES = 0xC0000001; ///< EDX = PadLock feature word

// --- CPUID 0xC0000001 EDX bits: each unit has a present and an enabled bit ---
inline constexpr uint32_t EDX_SM2 = 1u << 0;     ///< Zhaoxin GMI SM2 present
inline constexpr uint32_t EDX_SM2_EN = 1u << 1;  ///< Zhaoxin GMI SM2 enabled
inline constexpr uint32_t EDX_RNG = 1u << 2;     ///< xstore RNG present
inline constexpr uint32_t EDX_RNG_EN = 1u << 3;  ///< xstore RNG enabled
inline constexpr uint32_t EDX_CCS = 1u << 4;     ///< Zhaoxin GMI SM3/SM4 present
inline constexpr uint32_t EDX_CCS_EN = 1u << 5;  ///< Zhaoxin GMI SM3/SM4 enabled
inline constexpr uint32_t EDX_ACE = 1u << 6;     ///< AES engine (xcrypt-*) present
inline constexpr uint32_t EDX_ACE_EN = 1u << 7;  ///< AES engine enabled
inline constexpr uint32_t EDX_ACE2 = 1u << 8;    ///< ACE v2 (xcrypt-ctr) present
inline constexpr uint32_t EDX_ACE2_EN = 1u << 9; ///< ACE v2 enabled
inline constexpr uint32_t EDX_PHE = 1u << 10;    ///< SHA-1/SHA-256 engine present
inline constexpr uint32_t EDX_PHE_EN = 1u << 11; ///< SHA-1/SHA-256 engine enabled
inline constexpr uint32_t EDX_PMM = 1u << 12;    ///< Montgomery multiplier present
inline constexpr uint32_t EDX_PMM_EN = 1u << 13; ///< Montgomery multiplier enabled
inline constexpr uint32_t EDX_RNG2 = 1u << 22;   ///< Zhaoxin RNG2 present (semantics unknown)
inline constexpr uint32_t EDX_RNG2_EN = 1u << 23;
inline constexpr uint32_t EDX_PHE2 = 1u << 25;    ///< Zhaoxin SHA-384/512 present
inline constexpr uint32_t EDX_PHE2_EN = 1u << 26; ///< Zhaoxin SHA-384/512 enabled
inline constexpr uint32_t EDX_RSA = 1u << 27;     ///< Zhaoxin xmodexp/montmul2 present
inline constexpr uint32_t EDX_RSA_EN = 1u << 28;

// --- CPUID leaf 1 EAX signature fields ---
inline constexpr uint32_t SIG_STEPPING_MASK = 0xF;   ///< bits 3:0
inline constexpr uint32_t SIG_MODEL_SHIFT = 4;       ///< bits 7:4
inline constexpr uint32_t SIG_FAMILY_SHIFT = 8;      ///< bits 11:8
inline constexpr uint32_t SIG_EXT_MODEL_SHIFT = 16;  ///< bits 19:16
inline constexpr uint32_t SIG_EXT_FAMILY_SHIFT = 20; ///< bits 27:20

// --- ACE control word, first dword (spec §3.1); the other 96 bits are reserved, zero ---
inline constexpr uint32_t CW_ROUNDS_MASK = 0xFu;     ///< bits 3:0 rounds: 10/12/14
inline constexpr uint32_t CW_ALG_MASK = 0x70u;       ///< bits 6:4 algorithm, 0 = AES
inline constexpr uint32_t CW_KEYGEN = 1u << 7;       ///< 1 = software supplies the schedule
inline constexpr uint32_t CW_INTERMEDIATE = 1u << 8; ///< intermediate-result test mode
inline constexpr uint32_t CW_DECRYPT = 1u << 9;      ///< direction: 1 = decrypt
inline constexpr uint32_t CW_KEYSIZE_SHIFT = 10;     ///< bits 11:10: 0=128 1=192 2=256
inline constexpr uint32_t CW_KEYSIZE_MASK = 3u << 10;
inline constexpr uint32_t CW_RESERVED_MASK = 0xFFFFF000u; ///< bits 31:12 of dword 0

// --- xstore status word in EAX (spec §6.2) ---
inline constexpr uint32_t XSTORE_COUNT_MASK = 0x1Fu;        ///< bits 4:0 bytes stored
inline constexpr uint32_t XSTORE_RNG_ENABLED = 1u << 6;     ///< RNG enabled
inline constexpr uint32_t XSTORE_SOURCE1 = 1u << 8;         ///< noise source 1 selected
inline constexpr uint32_t XSTORE_SOURCE2 = 1u << 9;         ///< noise source 2 selected
inline constexpr uint32_t XSTORE_DC_BIAS_MASK = 7u << 10;   ///< bits 12:10 DC bias, good = 0
inline constexpr uint32_t XSTORE_RAW_BITS = 1u << 13;       ///< whitener bypassed, good = 0
inline constexpr uint32_t XSTORE_FILTER_ENABLED = 1u << 14; ///< string filter on, good = 0
inline constexpr uint32_t XSTORE_FILTER_FAILED = 1u << 15;  ///< string filter failed, good = 0
inline constexpr uint32_t XSTORE_BAD_MASK = 0xFC00u;        ///< bits 15:10, any set = reject
inline constexpr uint32_t XSTORE_DIVISOR_MASK = 3u;         ///< EDX bits 1:0 quality divisor

// --- Sizes (bytes) ---
inline constexpr size_t AES_BLOCK = 16;        ///< xcrypt unit
inline constexpr size_t SHA_BLOCK = 64;        ///< xsha1/xsha256 unit
inline constexpr size_t SHA512_BLOCK = 128;    ///< xsha512 unit
inline constexpr size_t PHE_STATE_BYTES = 128; ///< state buffer the engine may scribble on (§4.1)
inline constexpr size_t KEY_SCHEDULE_BYTES = 256; ///< engine may read 16 round-key slots (§3.2)
inline constexpr size_t CONTROL_WORD_BYTES = 16;  ///< 128-bit control word
inline constexpr size_t OPERAND_ALIGN = 16;       ///< control word, key, IV, data, PHE state
inline constexpr size_t PAGE = 4096;              ///< over-read must not cross into a new page
inline constexpr size_t PREFETCH_MAX = 128;       ///< widest input over-read (ECB, 8 blocks, §4.2)
inline constexpr size_t XSTORE_MAX_WRITE = 8;     ///< xstore writes 8 or 4 bytes (§6.1)
inline constexpr size_t REP_XSTORE_SLACK = 7;     ///< rep xstore may write 7 bytes past the end

} // namespace acrypto::hw::padlock::regs
