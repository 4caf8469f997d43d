// SPDX-License-Identifier: Apache-2.0
// FPI model descriptors: every error code, DES/3DES results, IV write-back, abandonment, faults.
#include <gtest/gtest.h>

#include "model_rig.hpp"
#include "reference.hpp"
#include "session_builder.hpp"

namespace acrypto::hw::fastcrypt::testing {
namespace {

using acrypto::test::Bytes;
using acrypto::test::from_hex;
using model::FaultKind;
using model::ModelOptions;

const Bytes DES_KEY = from_hex("0123456789abcdef");
const Bytes FIPS81_IV = from_hex("1234567890abcdef");
const Bytes FIPS81_PT = from_hex("4e6f77206973207468652074696d6520666f7220616c6c20");
const Bytes FIPS81_CT = from_hex("e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");

Bytes key24(const Bytes &k) {
    Bytes out(24, 0);
    std::copy(k.begin(), k.end(), out.begin());
    return out;
}

struct ErrCase {
    const char *name;
    uint32_t control;
    uint32_t len;
    int64_t src_delta; ///< added to the buffer's bus address
    int64_t dst_delta;
    uint64_t abs_src; ///< non-zero: absolute source address
    uint32_t code;
};

class ModelDescErrors : public ::testing::TestWithParam<ErrCase> {};

TEST_P(ModelDescErrors, StatusCodeAndNothingWritten) {
    const ErrCase &c = GetParam();
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(0x20000, 64);
    std::memset(buf.cpu, 0xAB, buf.size);
    const Bytes key = key24(DES_KEY);
    const uint64_t src = c.abs_src != 0 ? c.abs_src : buf.bus + 0x100 + c.src_delta;
    const uint64_t dst = buf.bus + 0x100 + c.dst_delta;
    r.put_desc(0, c.control, c.len, src, dst, key.data(), FIPS81_IV.data(), 0xC00C1E);
    r.wr(regs::RING_TAIL, 1);
    ASSERT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(r.status(0), regs::D_ST_DONE | c.code);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 1u);
    EXPECT_EQ(r.rd(regs::INT_STATUS), regs::INT_DESC_ERR);
    EXPECT_EQ(r.cookie(0), 0xC00C1Eu);
    EXPECT_EQ(0, std::memcmp(r.iv(0), FIPS81_IV.data(), 8)) << "IV untouched on error";
    for (size_t i = 0; i < buf.size; ++i)
        if (buf.cpu[i] != 0xAB) FAIL() << "dst written at " << i;
    EXPECT_EQ(r.model->counters().desc_err[c.code], 1u);
    r.arena->free(buf);
}

constexpr uint32_t ENC_CBC =
    regs::D_CTL_DIR_ENC | regs::D_CTL_MODE_CBC | regs::D_CTL_IRQ | regs::D_CTL_IVWB;

INSTANTIATE_TEST_SUITE_P(
    AllCodes, ModelDescErrors,
    ::testing::Values(
        ErrCase{"ReservedBit", ENC_CBC | (1u << 4), 8, 0, 0, 0, regs::ERR_BAD_CONTROL},
        ErrCase{"ReservedHighBit", ENC_CBC | (1u << 20), 8, 0, 0, 0, regs::ERR_BAD_CONTROL},
        ErrCase{"ReservedMode2", regs::D_CTL_DIR_ENC | (2u << 2), 8, 0, 0, 0,
                regs::ERR_BAD_CONTROL},
        ErrCase{"ReservedMode3", regs::D_CTL_DIR_ENC | (3u << 2), 8, 0, 0, 0,
                regs::ERR_BAD_CONTROL},
        ErrCase{"LengthZero", ENC_CBC, 0, 0, 0, 0, regs::ERR_BAD_LENGTH},
        ErrCase{"LengthNotBlock", ENC_CBC, 12, 0, 0, 0, regs::ERR_BAD_LENGTH},
        ErrCase{"LengthOverMax", ENC_CBC, 0x10008, 0, 0, 0, regs::ERR_BAD_LENGTH},
        ErrCase{"SrcMisaligned", ENC_CBC, 8, 4, 0x40, 0, regs::ERR_BAD_ALIGN},
        ErrCase{"DstMisaligned", ENC_CBC, 8, 0, 0x44, 0, regs::ERR_BAD_ALIGN},
        ErrCase{"PartialOverlap", ENC_CBC, 16, 0, 8, 0, regs::ERR_OVERLAP},
        ErrCase{"Above4GiB", ENC_CBC, 8, 0, 0, 0x100000000ull, regs::ERR_ADDR_RANGE},
        ErrCase{"SrcOutsideArena", ENC_CBC, 8, 0, 0, 0x08000000ull, regs::ERR_SRC_DMA_FAULT},
        ErrCase{"DstOutsideArena", ENC_CBC, 8, 0, -0x01000000ll, 0, regs::ERR_DST_DMA_FAULT}),
    [](const auto &info) { return info.param.name; });

TEST(ModelDesc, InjectedDmaFaultsAreDescriptorErrors) {
    for (auto [kind, code] : {std::pair{FaultKind::SrcDma, regs::ERR_SRC_DMA_FAULT},
                              std::pair{FaultKind::DstDma, regs::ERR_DST_DMA_FAULT}}) {
        ModelRig r;
        r.start(8);
        DmaBuf buf = r.arena->alloc(64, 8);
        const Bytes key = key24(DES_KEY);
        r.put_desc(0, ENC_CBC, 8, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 1);
        r.put_desc(1, ENC_CBC, 8, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 2);
        r.model->inject_next(kind);
        r.wr(regs::RING_TAIL, 2);
        ASSERT_EQ(r.model->step(2), 2u);
        EXPECT_EQ(r.status(0), regs::D_ST_DONE | code);
        EXPECT_EQ(r.status(1), regs::D_ST_DONE) << "the fault hits one descriptor only";
        r.arena->free(buf);
    }
}

TEST(ModelDesc, Dma64AllowsHighAddresses) {
    ModelOptions o;
    o.caps |= regs::CAPS_DMA64;
    {
        ModelRig r(o);
        r.wr(regs::RING_BASE_LO, 0x40);
        r.wr(regs::RING_BASE_HI, 1);
        r.wr(regs::RING_SIZE, 4);
        r.wr(regs::CTRL, regs::CTRL_ENABLE);
        EXPECT_EQ(r.rd(regs::CTRL), regs::CTRL_ENABLE) << "a high ring base is legal with DMA64";
        EXPECT_EQ(r.rd(regs::STATUS) & regs::STATUS_HALTED, 0u);
    }
    ModelRig r(o);
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    const Bytes key = key24(DES_KEY);
    // Past the range check (DMA64), the unmapped high address is a source DMA fault.
    r.put_desc(0, ENC_CBC, 8, 0x100000000ull, buf.bus, key.data(), FIPS81_IV.data(), 1);
    r.wr(regs::RING_TAIL, 1);
    ASSERT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(r.status(0), regs::D_ST_DONE | regs::ERR_SRC_DMA_FAULT);
    r.arena->free(buf);
}

TEST(ModelDesc, StatusWriteFaultIsFatal5) {
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, ENC_CBC, 8, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 1);
    r.model->inject_next(FaultKind::StatusWrite);
    r.wr(regs::RING_TAIL, 1);
    r.model->step(1);
    EXPECT_EQ(r.status(0), 0u);
    EXPECT_EQ(r.rd(regs::FATAL_INFO), regs::FATAL_STATUS_WB_FAULT);
    EXPECT_NE(r.rd(regs::STATUS) & regs::STATUS_HALTED, 0u);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 0u);
    r.arena->free(buf);
}

TEST(ModelDesc, InjectedFetchFaultIsFatal4WithIndex) {
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, ENC_CBC, 8, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 1);
    r.put_desc(1, ENC_CBC, 8, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 2);
    r.model->inject(FaultKind::Fetch, r.model->next_seq() + 1);
    r.wr(regs::RING_TAIL, 2);
    r.model->step(2);
    EXPECT_EQ(r.rd(regs::FATAL_INFO), regs::FATAL_DESC_FETCH_FAULT | (1u << 16));
    EXPECT_EQ(r.rd(regs::RING_HEAD), 1u);
    r.arena->free(buf);
}

TEST(ModelDesc, CbcEncryptWritesOutputAndLastOutputBlock) {
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    std::memcpy(buf.cpu, FIPS81_PT.data(), 24);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, ENC_CBC, 24, buf.bus, buf.bus + 32, key.data(), FIPS81_IV.data(), 5);
    r.wr(regs::RING_TAIL, 1);
    ASSERT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(r.status(0), regs::D_ST_DONE);
    EXPECT_EQ(Bytes(buf.cpu + 32, buf.cpu + 56), FIPS81_CT);
    EXPECT_EQ(Bytes(r.iv(0), r.iv(0) + 8), Bytes(FIPS81_CT.end() - 8, FIPS81_CT.end()));
    EXPECT_EQ(Bytes(buf.cpu, buf.cpu + 24), FIPS81_PT) << "source untouched";
    EXPECT_EQ(r.rd(regs::INT_STATUS), regs::INT_DONE);
    r.arena->free(buf);
}

TEST(ModelDesc, CbcDecryptInPlaceWritesBackLastInputBlock) {
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    std::memcpy(buf.cpu, FIPS81_CT.data(), 24);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, regs::D_CTL_MODE_CBC | regs::D_CTL_IRQ | regs::D_CTL_IVWB, 24, buf.bus, buf.bus,
               key.data(), FIPS81_IV.data(), 5);
    r.wr(regs::RING_TAIL, 1);
    ASSERT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(Bytes(buf.cpu, buf.cpu + 24), FIPS81_PT);
    // The chaining value is the last *ciphertext* block, which the in-place write destroyed.
    EXPECT_EQ(Bytes(r.iv(0), r.iv(0) + 8), Bytes(FIPS81_CT.end() - 8, FIPS81_CT.end()));
    r.arena->free(buf);
}

TEST(ModelDesc, NoWritebackWithoutIvwbOrInEcb) {
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    std::memcpy(buf.cpu, FIPS81_PT.data(), 24);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, ENC_CBC & ~regs::D_CTL_IVWB, 24, buf.bus, buf.bus, key.data(), FIPS81_IV.data(),
               1);
    r.put_desc(1, regs::D_CTL_DIR_ENC | regs::D_CTL_IVWB, 8, buf.bus, buf.bus, key.data(),
               FIPS81_IV.data(), 2);
    r.wr(regs::RING_TAIL, 2);
    ASSERT_EQ(r.model->step(2), 2u);
    EXPECT_EQ(Bytes(r.iv(0), r.iv(0) + 8), FIPS81_IV);
    EXPECT_EQ(Bytes(r.iv(1), r.iv(1) + 8), FIPS81_IV) << "ECB leaves the IV field unchanged";
    r.arena->free(buf);
}

TEST(ModelDesc, TripleDesMatchesReferenceInAllModes) {
    ModelRig r;
    r.start(16);
    const Bytes key = from_hex("0123456789abcdef23456789abcdef01456789abcdef0123");
    const Bytes iv = from_hex("f69f2445df4f9b17");
    const Bytes pt = acrypto::test::pattern_bytes(4096, 7);
    DmaBuf buf = r.arena->alloc(8192, 64);
    uint32_t slot = 0;
    for (bool cbc : {false, true})
        for (bool enc : {true, false}) {
            std::memcpy(buf.cpu, pt.data(), pt.size());
            const uint32_t ctl = regs::D_CTL_ALG_TDES | (enc ? regs::D_CTL_DIR_ENC : 0u) |
                                 (cbc ? regs::D_CTL_MODE_CBC : 0u) | regs::D_CTL_IRQ;
            r.put_desc(slot, ctl, 4096, buf.bus, buf.bus + 4096, key.data(), iv.data(), slot);
            r.wr(regs::RING_TAIL, slot + 1);
            ASSERT_EQ(r.model->step(1), 1u);
            const Bytes want = acrypto::test::reference_cipher(
                ACRYPTO_ALG_DES_EDE3, cbc ? ACRYPTO_MODE_CBC : ACRYPTO_MODE_ECB,
                enc ? ACRYPTO_DIR_ENCRYPT : ACRYPTO_DIR_DECRYPT, key, iv, pt);
            EXPECT_EQ(Bytes(buf.cpu + 4096, buf.cpu + 8192), want)
                << "cbc=" << cbc << " enc=" << enc;
            ++slot;
        }
    r.arena->free(buf);
}

TEST(ModelDesc, SoftResetAbandonsInFlightDescriptor) {
    ModelRig r({}, /*threaded=*/true);
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    std::memcpy(buf.cpu, FIPS81_PT.data(), 24);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, ENC_CBC, 24, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 1);
    r.model->inject_next(FaultKind::Stall);
    r.wr(regs::RING_TAIL, 1);
    ASSERT_TRUE(
        ModelRig::eventually([&] { return (r.rd(regs::STATUS) & regs::STATUS_BUSY) != 0; }));
    r.wr(regs::CTRL, regs::CTRL_SOFT_RESET);
    ASSERT_TRUE(ModelRig::eventually([&] { return r.model->counters().abandoned == 1; }));
    EXPECT_EQ(r.status(0), 0u) << "an abandoned descriptor's status is never written";
    EXPECT_EQ(Bytes(buf.cpu, buf.cpu + 24), FIPS81_PT);
    EXPECT_EQ(r.rd(regs::RING_HEAD), 0u);
    EXPECT_EQ(r.rd(regs::RING_SIZE), 0u);
    EXPECT_EQ(r.rd(regs::STATUS), regs::STATUS_READY);
    r.arena->free(buf);
}

TEST(ModelDesc, LostInterruptStillCompletes) {
    ModelRig r;
    r.start(8);
    DmaBuf buf = r.arena->alloc(64, 8);
    const Bytes key = key24(DES_KEY);
    r.put_desc(0, ENC_CBC, 8, buf.bus, buf.bus, key.data(), FIPS81_IV.data(), 1);
    r.model->inject_next(FaultKind::LostIrq);
    r.wr(regs::RING_TAIL, 1);
    ASSERT_EQ(r.model->step(1), 1u);
    EXPECT_EQ(r.status(0), regs::D_ST_DONE);
    EXPECT_EQ(r.rd(regs::INT_STATUS), regs::INT_DONE);
    EXPECT_EQ(r.irq->wait(std::chrono::milliseconds(0)), IrqResult::Timeout);
    r.arena->free(buf);
}

TEST(ModelDesc, ThreadedInOrderProcessingAndCounters) {
    ModelRig r({}, /*threaded=*/true);
    r.start(64);
    DmaBuf buf = r.arena->alloc(63 * 8, 8);
    const Bytes key = key24(from_hex("133457799bbcdff1"));
    for (uint32_t i = 0; i < 63; ++i) {
        std::memcpy(buf.cpu + 8 * i, from_hex("0123456789abcdef").data(), 8);
        r.put_desc(i, regs::D_CTL_DIR_ENC | regs::D_CTL_IRQ, 8, buf.bus + 8 * i, buf.bus + 8 * i,
                   key.data(), nullptr, 100 + i);
    }
    r.wr(regs::RING_TAIL, 63);
    ASSERT_TRUE(ModelRig::eventually([&] { return r.rd(regs::RING_HEAD) == 63; }));
    for (uint32_t i = 0; i < 63; ++i) {
        EXPECT_EQ(r.status(i), regs::D_ST_DONE);
        EXPECT_EQ(r.cookie(i), 100 + i);
        EXPECT_EQ(Bytes(buf.cpu + 8 * i, buf.cpu + 8 * i + 8), from_hex("85e813540f0ab405"));
    }
    const auto c = r.model->counters();
    EXPECT_EQ(c.desc_ok, 63u);
    EXPECT_EQ(c.bytes, 63u * 8);
    EXPECT_EQ(r.rd(regs::DONE_COUNT), 63u);
    r.arena->free(buf);
}

} // namespace
} // namespace acrypto::hw::fastcrypt::testing
