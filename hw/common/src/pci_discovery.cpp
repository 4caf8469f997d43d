// SPDX-License-Identifier: Apache-2.0
// PCI discovery: libpci scan of sysfs, matched against vendor/device ID lists.
#include <algorithm>
#include <cerrno>
#include <csetjmp>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include <pci/pci.h>
}

#include "acrypto/hw/pci.hpp"

namespace acrypto::hw {
namespace {

/// Plain data copied out of libpci while its error hook may longjmp.
struct RawDev {
    int domain, bus, dev, func;
    uint16_t vendor, device;
    uint8_t rev;
};

// libpci's error hook must not return (the library would carry on with bad state)
// and must not exit the process: it jumps back into raw_scan(), whose frame holds
// only trivially destructible objects, so the jump skips no destructor.
thread_local std::jmp_buf *t_jump = nullptr;
// 64-byte aligned: see t_caller in provider/pk/pk_common.cpp (LeakSanitizer and dynamic TLS).
alignas(64) thread_local char t_error[256];

__attribute__((noreturn)) void on_pci_error(char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(t_error, sizeof t_error, fmt, ap);
    va_end(ap);
    std::longjmp(*t_jump, 1);
}

void on_pci_warning(char *, ...) {}

/// Returns 0, or -1 with t_error set. Writes at most `max` entries.
int raw_scan(pci_access *acc, RawDev *out, size_t max, size_t *n) {
    std::jmp_buf jb;
    t_jump = &jb;
    if (setjmp(jb) != 0) {
        t_jump = nullptr;
        return -1;
    }
    pci_init(acc);
    pci_scan_bus(acc);
    for (pci_dev *d = acc->devices; d != nullptr && *n < max; d = d->next) {
        pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS);
        RawDev r{d->domain, d->bus, d->dev, d->func, d->vendor_id, d->device_id, 0};
        r.rev = pci_read_byte(d, PCI_REVISION_ID);
        out[(*n)++] = r;
    }
    t_jump = nullptr;
    return 0;
}

std::string driver_of(const std::string &devdir) {
    char buf[4096];
    ssize_t len = ::readlink((devdir + "/driver").c_str(), buf, sizeof buf - 1);
    if (len <= 0) return {};
    buf[len] = 0;
    std::string s(buf);
    auto slash = s.rfind('/');
    return slash == std::string::npos ? s : s.substr(slash + 1);
}

bool parse_hex16(std::string_view s, uint16_t &out) {
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
    if (s.empty() || s.size() > 4) return false;
    unsigned v = 0;
    for (char c : s) {
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v * 16 + static_cast<unsigned>(d);
    }
    out = static_cast<uint16_t>(v);
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

} // namespace

std::string to_string(PciId id) {
    char b[16];
    std::snprintf(b, sizeof b, "%04x:%04x", id.vendor, id.device);
    return b;
}

Result<std::vector<PciId>> parse_pci_ids(std::string_view text) {
    std::vector<PciId> ids;
    text = trim(text);
    while (!text.empty()) {
        auto comma = text.find(',');
        std::string_view item = trim(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        auto colon = item.find(':');
        PciId id;
        if (colon == std::string_view::npos || !parse_hex16(item.substr(0, colon), id.vendor) ||
            !parse_hex16(item.substr(colon + 1), id.device))
            return Result<std::vector<PciId>>(Errc::InvalidInput,
                                              "bad PCI id '" + std::string(item) +
                                                  "': expected vvvv:dddd in hex");
        ids.push_back(id);
    }
    return ids;
}

Result<std::vector<PciFunction>> pci_find(std::span<const PciId> ids, const PciScanOptions &opt) {
    using R = Result<std::vector<PciFunction>>;
    const std::string bus_dir = opt.sysfs_root + "/bus/pci";
    struct stat st {};
    if (::stat((bus_dir + "/devices").c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return R(Errc::NotFound, "no PCI bus visible at " + bus_dir +
                                     "/devices: this machine (or container) exposes no PCI "
                                     "devices, so no card can be found");
    // libpci reports a malformed tree through its error hook; leaving it by longjmp
    // leaks what it had open. Check the entries first so that path stays a last resort.
    {
        std::error_code ec;
        for (const auto &e : std::filesystem::directory_iterator(bus_dir + "/devices", ec)) {
            std::string name = e.path().filename().string();
            unsigned dom, bus, dev, fn;
            char tail;
            if (std::sscanf(name.c_str(), "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) != 4 ||
                !std::filesystem::exists(e.path() / "vendor", ec) ||
                !std::filesystem::exists(e.path() / "device", ec))
                return R(Errc::DeviceBroken, "sysfs entry " + bus_dir + "/devices/" + name +
                                                 " is not a PCI function; libpci scan skipped");
        }
    }
    pci_access *acc = pci_alloc();
    if (acc == nullptr) return R(Errc::NoMemory, "libpci: pci_alloc failed");
    acc->error = on_pci_error;
    acc->warning = on_pci_warning;
    acc->method = PCI_ACCESS_SYS_BUS_PCI;
    std::string path = bus_dir;
    pci_set_param(acc, const_cast<char *>("sysfs.path"), path.data());
    std::vector<RawDev> raw(4096);
    size_t n = 0;
    int rc = raw_scan(acc, raw.data(), raw.size(), &n);
    pci_cleanup(acc);
    if (rc != 0)
        return R(Errc::DeviceBroken,
                 std::string("libpci scan of ") + bus_dir + " failed: " + t_error);
    std::vector<PciFunction> found;
    for (size_t i = 0; i < n; ++i) {
        const RawDev &r = raw[i];
        PciId id{r.vendor, r.device};
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
        char addr[32];
        std::snprintf(addr, sizeof addr, "%04x:%02x:%02x.%x", r.domain, r.bus, r.dev, r.func);
        PciFunction f{addr, id, r.rev, driver_of(bus_dir + "/devices/" + addr)};
        found.push_back(std::move(f));
    }
    std::sort(found.begin(), found.end(),
              [](const PciFunction &a, const PciFunction &b) { return a.address < b.address; });
    return found;
}

} // namespace acrypto::hw
