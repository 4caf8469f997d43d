// SPDX-License-Identifier: Apache-2.0
// VFIO transport: every failure before a real card is needed gives a clear message.
#include <gtest/gtest.h>

#include <filesystem>

#include "acrypto/hw/vfio.hpp"
#include "fake_sysfs.hpp"

using namespace acrypto::hw;

namespace {
bool contains(const std::string &s, const char *what) { return s.find(what) != std::string::npos; }
} // namespace

TEST(Vfio, MissingDevice) {
    acrypto::test::FakeSysfs fs;
    auto r = vfio_open("0000:09:00.0", VfioOptions{fs.root(), fs.root() + "/dev"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::NotFound);
    EXPECT_TRUE(contains(r.error().message, "not found")) << r.error().message;
}

TEST(Vfio, NotBoundToVfioPci) {
    acrypto::test::FakeSysfs fs;
    fs.add("0000:03:00.0", 0x13a3, 0x0020, 0, "hifn_795x", "5");
    fs.add("0000:04:00.0", 0x13a3, 0x0020, 0);
    auto r = vfio_open("0000:03:00.0", VfioOptions{fs.root(), fs.root() + "/dev"});
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.error().message, "not bound to vfio-pci")) << r.error().message;
    EXPECT_TRUE(contains(r.error().message, "bound to hifn_795x")) << r.error().message;
    auto r2 = vfio_open("0000:04:00.0", VfioOptions{fs.root(), fs.root() + "/dev"});
    ASSERT_FALSE(r2.ok());
    EXPECT_TRUE(contains(r2.error().message, "no driver bound")) << r2.error().message;
}

TEST(Vfio, NoIommuGroup) {
    acrypto::test::FakeSysfs fs;
    fs.add("0000:03:00.0", 0x13a3, 0x0020, 0, "vfio-pci");
    auto r = vfio_open("0000:03:00.0", VfioOptions{fs.root(), fs.root() + "/dev"});
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.error().message, "no IOMMU group")) << r.error().message;
}

TEST(Vfio, NoVfioContainer) {
    acrypto::test::FakeSysfs fs;
    fs.add("0000:03:00.0", 0x13a3, 0x0020, 0, "vfio-pci", "12");
    auto r = vfio_open("0000:03:00.0", VfioOptions{fs.root(), fs.root() + "/dev"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::NotFound);
    EXPECT_TRUE(contains(r.error().message, "/dev/vfio")) << r.error().message;
    EXPECT_TRUE(contains(r.error().message, "vfio module")) << r.error().message;
}

TEST(Vfio, ContainerThatIsNotVfio) {
    // A plain file where /dev/vfio/vfio should be: the API-version ioctl fails cleanly.
    acrypto::test::FakeSysfs fs;
    fs.add("0000:03:00.0", 0x13a3, 0x0020, 0, "vfio-pci", "12");
    std::filesystem::create_directories(fs.root() + "/dev");
    acrypto::test::FakeSysfs::write(fs.root() + "/dev/vfio", "x");
    auto r = vfio_open("0000:03:00.0", VfioOptions{fs.root(), fs.root() + "/dev"});
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(contains(r.error().message, "VFIO API version")) << r.error().message;
}
