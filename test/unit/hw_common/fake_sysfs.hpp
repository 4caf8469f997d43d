// SPDX-License-Identifier: Apache-2.0
// A throw-away sysfs tree for discovery and VFIO tests (bus/pci/devices/<addr>/...).
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace acrypto::test {

/// Creates <tmp>/bus/pci/devices and removes the whole tree on destruction.
class FakeSysfs {
  public:
    FakeSysfs() {
        char tmpl[] = "/tmp/acrypto-sysfs-XXXXXX";
        root_ = ::mkdtemp(tmpl);
        std::filesystem::create_directories(devices());
    }
    ~FakeSysfs() { std::filesystem::remove_all(root_); }
    const std::string &root() const { return root_; }
    std::string devices() const { return root_ + "/bus/pci/devices"; }

    /// Add one function with IDs, revision and (optionally) a bound driver / IOMMU group.
    void add(const std::string &addr, uint16_t vendor, uint16_t device, uint8_t rev,
             const std::string &driver = "", const std::string &group = "") {
        std::string d = devices() + "/" + addr;
        std::filesystem::create_directories(d);
        write(d + "/vendor", hex(vendor));
        write(d + "/device", hex(device));
        write(d + "/class", "0x108000");
        write(d + "/irq", "0");
        unsigned char cfg[256] = {};
        cfg[0] = vendor & 0xff;
        cfg[1] = vendor >> 8;
        cfg[2] = device & 0xff;
        cfg[3] = device >> 8;
        cfg[8] = rev;
        cfg[0x0a] = 0x80;
        cfg[0x0b] = 0x10;
        std::ofstream(d + "/config", std::ios::binary).write(reinterpret_cast<char *>(cfg), 256);
        if (!driver.empty()) {
            std::filesystem::create_directories(root_ + "/bus/pci/drivers/" + driver);
            std::filesystem::create_directory_symlink(root_ + "/bus/pci/drivers/" + driver,
                                                      d + "/driver");
        }
        if (!group.empty()) {
            std::filesystem::create_directories(root_ + "/kernel/iommu_groups/" + group);
            std::filesystem::create_directory_symlink(root_ + "/kernel/iommu_groups/" + group,
                                                      d + "/iommu_group");
        }
    }

    static void write(const std::string &path, const std::string &text) {
        std::ofstream(path) << text << "\n";
    }

  private:
    static std::string hex(uint16_t v) {
        char b[16];
        std::snprintf(b, sizeof b, "0x%04x", v);
        return b;
    }
    std::string root_;
};

} // namespace acrypto::test
