// SPDX-License-Identifier: Apache-2.0
// PCI discovery: ID parsing, matching over a fake sysfs tree, clear "no bus" errors.
#include <gtest/gtest.h>

#include <filesystem>

#include "acrypto/hw/pci.hpp"
#include "fake_sysfs.hpp"

using namespace acrypto::hw;

TEST(PciIds, ParsesLists) {
    auto r = parse_pci_ids(" 13a3:0020, 0x13A3:0x001d ,14e1:5");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r.value().size(), 3u);
    EXPECT_EQ(r.value()[0], (PciId{0x13a3, 0x0020}));
    EXPECT_EQ(r.value()[1], (PciId{0x13a3, 0x001d}));
    EXPECT_EQ(r.value()[2], (PciId{0x14e1, 0x0005}));
    EXPECT_EQ(to_string(r.value()[1]), "13a3:001d");
    auto empty = parse_pci_ids("");
    ASSERT_TRUE(empty.ok());
    EXPECT_TRUE(empty.value().empty());
}

TEST(PciIds, RejectsGarbageNamingTheItem) {
    for (const char *bad : {"13a3", "13a3:", "xyz:0020", "13a3:12345", "13a3:0020,,"}) {
        auto r = parse_pci_ids(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().code, Errc::InvalidInput);
        EXPECT_NE(r.error().message.find("bad PCI id"), std::string::npos);
    }
}

TEST(PciFind, FindsMatchingFunctionsInBusOrder) {
    acrypto::test::FakeSysfs fs;
    fs.add("0000:03:00.0", 0x13a3, 0x001d, 0x00, "vfio-pci", "7");
    fs.add("0000:02:00.0", 0x13a3, 0x0020, 0x01);
    fs.add("0000:00:1f.0", 0x8086, 0x1234, 0x10, "lpc_ich");
    PciId ids[] = {{0x13a3, 0x0020}, {0x13a3, 0x001d}};
    auto r = pci_find(ids, PciScanOptions{fs.root()});
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r.value().size(), 2u);
    EXPECT_EQ(r.value()[0].address, "0000:02:00.0");
    EXPECT_EQ(r.value()[0].id, (PciId{0x13a3, 0x0020}));
    EXPECT_EQ(r.value()[0].revision, 1);
    EXPECT_EQ(r.value()[0].driver, "");
    EXPECT_EQ(r.value()[1].address, "0000:03:00.0");
    EXPECT_EQ(r.value()[1].driver, "vfio-pci");
}

TEST(PciFind, NoMatchIsAnEmptyList) {
    acrypto::test::FakeSysfs fs;
    fs.add("0000:00:1f.0", 0x8086, 0x1234, 0x10);
    PciId ids[] = {{0x13a3, 0x0020}};
    auto r = pci_find(ids, PciScanOptions{fs.root()});
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_TRUE(r.value().empty());
}

TEST(PciFind, NoPciBusSaysSo) {
    PciId ids[] = {{0x13a3, 0x0020}};
    auto r = pci_find(ids, PciScanOptions{"/nonexistent-acrypto"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::NotFound);
    EXPECT_NE(r.error().message.find("no PCI bus"), std::string::npos) << r.error().message;
}

TEST(PciFind, LibpciErrorsComeBackInsteadOfExiting) {
    acrypto::test::FakeSysfs fs;
    std::filesystem::create_directories(fs.devices() + "/not-a-pci-address");
    PciId ids[] = {{0x13a3, 0x0020}};
    auto r = pci_find(ids, PciScanOptions{fs.root()});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::DeviceBroken);
    EXPECT_NE(r.error().message.find("libpci"), std::string::npos) << r.error().message;
}

TEST(PciFind, RealMachineScanDoesNotFail) {
    // Whatever this machine has, a scan either works or says there is no bus.
    PciId ids[] = {{0x13a3, 0x0020}, {0x13a3, 0x001d}};
    auto r = pci_find(ids);
    if (!r.ok()) {
        EXPECT_EQ(r.error().code, Errc::NotFound) << r.error().message;
    }
}
