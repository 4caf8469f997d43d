// SPDX-License-Identifier: Apache-2.0
// The real transport: VFIO type-1 container, BAR mmap, IOMMU DMA mapping, INTx eventfd.
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <map>
#include <mutex>
#include <poll.h>
#include <shared_mutex>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acrypto/hw/vfio.hpp"

namespace acrypto::hw {
namespace {

std::string errno_text(int e) { return std::strerror(e); }

std::string link_basename(const std::string &path) {
    char buf[PATH_MAX];
    ssize_t len = ::readlink(path.c_str(), buf, sizeof buf - 1);
    if (len <= 0) return {};
    buf[len] = 0;
    std::string s(buf);
    auto slash = s.rfind('/');
    return slash == std::string::npos ? s : s.substr(slash + 1);
}

/// A file descriptor closed on destruction.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd &&o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd &operator=(Fd &&o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

/// A BAR mapped with mmap: volatile 32-bit loads and stores.
class VfioWindow final : public MmioWindow {
  public:
    VfioWindow(void *base, size_t size) : base_(static_cast<uint8_t *>(base)), size_(size) {}
    ~VfioWindow() override { ::munmap(base_, size_); }
    uint32_t read32(uint32_t off) override {
        if ((off & 3u) != 0 || size_t{off} + 4 > size_) return 0xFFFFFFFFu;
        return *reinterpret_cast<volatile uint32_t *>(base_ + off);
    }
    void write32(uint32_t off, uint32_t value) override {
        if ((off & 3u) != 0 || size_t{off} + 4 > size_) return;
        *reinterpret_cast<volatile uint32_t *>(base_ + off) = value;
    }
    size_t size() const override { return size_; }
    void wmb() override { io_mb(); }
    void rmb() override { io_mb(); }

  private:
    uint8_t *base_;
    size_t size_;
};

/// Pinned anonymous memory mapped once into the IOMMU at a fixed IOVA range.
class VfioArena final : public DmaArena {
  public:
    VfioArena(int container, uint8_t *mem, size_t cap, uint64_t iova)
        : container_(container), mem_(mem), cap_(cap), iova_(iova) {
        free_[0] = cap;
    }
    ~VfioArena() override {
        vfio_iommu_type1_dma_unmap un{};
        un.argsz = sizeof un;
        un.iova = iova_;
        un.size = cap_;
        ::ioctl(container_, VFIO_IOMMU_UNMAP_DMA, &un);
        std::memset(mem_, 0, cap_);
        ::munmap(mem_, cap_);
    }
    DmaBuf alloc(size_t size, size_t align) override {
        if (size == 0 || align == 0 || (align & (align - 1)) != 0) return {};
        std::unique_lock lk(mu_);
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            size_t start = (it->first + align - 1) & ~(align - 1);
            size_t end = it->first + it->second;
            if (start + size > end) continue;
            size_t hs = it->first;
            free_.erase(it);
            if (start > hs) free_[hs] = start - hs;
            if (start + size < end) free_[start + size] = end - start - size;
            live_[start] = size;
            return DmaBuf{mem_ + start, iova_ + start, size};
        }
        return {};
    }
    void free(const DmaBuf &b) override {
        if (!b || b.cpu < mem_ || b.cpu >= mem_ + cap_) return;
        size_t off = static_cast<size_t>(b.cpu - mem_);
        std::unique_lock lk(mu_);
        auto it = live_.find(off);
        if (it == live_.end()) return;
        std::memset(mem_ + off, 0, it->second);
        free_[off] = it->second;
        live_.erase(it);
        // Coalesce the whole list: arenas are small (tens of entries).
        for (auto a = free_.begin(); a != free_.end();) {
            auto b2 = std::next(a);
            if (b2 != free_.end() && a->first + a->second == b2->first) {
                a->second += b2->second;
                free_.erase(b2);
            } else {
                a = b2;
            }
        }
    }
    uint8_t *to_cpu(uint64_t bus, size_t len) override {
        if (bus < iova_ || len == 0 || bus - iova_ >= cap_ || len > cap_ - (bus - iova_))
            return nullptr;
        size_t off = static_cast<size_t>(bus - iova_);
        std::shared_lock lk(mu_);
        auto it = live_.upper_bound(off);
        if (it == live_.begin()) return nullptr;
        --it;
        return off + len <= it->first + it->second ? mem_ + off : nullptr;
    }

  private:
    int container_;
    uint8_t *mem_;
    size_t cap_;
    uint64_t iova_;
    std::shared_mutex mu_;
    std::map<size_t, size_t> free_, live_;
};

/// INTx through an eventfd the kernel signals; unmask() re-arms the masked line.
class VfioIrq final : public IrqWait {
  public:
    VfioIrq(int device, Fd efd) : device_(device), efd_(std::move(efd)) {}
    ~VfioIrq() override {
        vfio_irq_set off{};
        off.argsz = sizeof off;
        off.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
        off.index = VFIO_PCI_INTX_IRQ_INDEX;
        off.count = 0;
        ::ioctl(device_, VFIO_DEVICE_SET_IRQS, &off);
    }
    IrqResult wait(std::chrono::milliseconds timeout) override {
        if (closed_.load(std::memory_order_acquire)) return IrqResult::Closed;
        pollfd p{efd_.get(), POLLIN, 0};
        int r;
        do {
            r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(timeout.count(), INT_MAX)));
        } while (r < 0 && errno == EINTR);
        if (closed_.load(std::memory_order_acquire)) return IrqResult::Closed;
        if (r <= 0) return IrqResult::Timeout;
        uint64_t v;
        (void)!::read(efd_.get(), &v, sizeof v);
        return IrqResult::Fired;
    }
    void raise() override {
        uint64_t one = 1;
        (void)!::write(efd_.get(), &one, sizeof one);
    }
    void close() override {
        closed_.store(true, std::memory_order_release);
        raise();
    }
    int fd() const override { return efd_.get(); }
    void unmask() override {
        vfio_irq_set u{};
        u.argsz = sizeof u;
        u.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK;
        u.index = VFIO_PCI_INTX_IRQ_INDEX;
        u.count = 1;
        ::ioctl(device_, VFIO_DEVICE_SET_IRQS, &u);
    }

  private:
    int device_;
    Fd efd_;
    std::atomic<bool> closed_{false};
};

class VfioDeviceImpl final : public VfioDevice {
  public:
    VfioDeviceImpl(std::string address, Fd container, Fd group, Fd device)
        : address_(std::move(address)), container_(std::move(container)), group_(std::move(group)),
          device_(std::move(device)) {}

    Result<std::unique_ptr<MmioWindow>> map_bar(unsigned index, size_t min_size) override {
        using R = Result<std::unique_ptr<MmioWindow>>;
        vfio_region_info ri{};
        ri.argsz = sizeof ri;
        ri.index = VFIO_PCI_BAR0_REGION_INDEX + index;
        if (index > 5 || ::ioctl(device_.get(), VFIO_DEVICE_GET_REGION_INFO, &ri) != 0)
            return R(Errc::NotFound,
                     address_ + ": BAR" + std::to_string(index) +
                         ": VFIO_DEVICE_GET_REGION_INFO failed: " + errno_text(errno));
        if ((ri.flags & VFIO_REGION_INFO_FLAG_MMAP) == 0 || ri.size < min_size)
            return R(Errc::Unsupported, address_ + ": BAR" + std::to_string(index) +
                                            " is not mappable or is smaller than " +
                                            std::to_string(min_size) + " bytes");
        void *p = ::mmap(nullptr, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, device_.get(),
                         static_cast<off_t>(ri.offset));
        if (p == MAP_FAILED)
            return R(Errc::DeviceBroken, address_ + ": mmap of BAR" + std::to_string(index) +
                                             " failed: " + errno_text(errno));
        return std::unique_ptr<MmioWindow>(new VfioWindow(p, ri.size));
    }

    Result<std::unique_ptr<DmaArena>> make_arena(size_t capacity, uint64_t iova_base) override {
        using R = Result<std::unique_ptr<DmaArena>>;
        capacity = (capacity + 4095) & ~size_t{4095};
        void *p = ::mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
        if (p == MAP_FAILED)
            return R(Errc::NoMemory, "DMA arena: mmap failed: " + errno_text(errno));
        std::memset(p, 0, capacity);
        vfio_iommu_type1_dma_map m{};
        m.argsz = sizeof m;
        m.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
        m.vaddr = reinterpret_cast<uintptr_t>(p);
        m.iova = iova_base;
        m.size = capacity;
        if (::ioctl(container_.get(), VFIO_IOMMU_MAP_DMA, &m) != 0) {
            int e = errno;
            ::munmap(p, capacity);
            return R(Errc::DeviceBroken,
                     address_ + ": VFIO_IOMMU_MAP_DMA failed: " + errno_text(e));
        }
        return std::unique_ptr<DmaArena>(
            new VfioArena(container_.get(), static_cast<uint8_t *>(p), capacity, iova_base));
    }

    Result<std::unique_ptr<IrqWait>> intx() override {
        using R = Result<std::unique_ptr<IrqWait>>;
        Fd efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!efd) return R(Errc::NoMemory, "eventfd: " + errno_text(errno));
        alignas(vfio_irq_set) uint8_t buf[sizeof(vfio_irq_set) + sizeof(int32_t)] = {};
        auto *set = reinterpret_cast<vfio_irq_set *>(buf);
        set->argsz = sizeof buf;
        set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
        set->index = VFIO_PCI_INTX_IRQ_INDEX;
        set->start = 0;
        set->count = 1;
        int32_t fd = efd.get();
        std::memcpy(set->data, &fd, sizeof fd);
        if (::ioctl(device_.get(), VFIO_DEVICE_SET_IRQS, set) != 0)
            return R(Errc::Unsupported, address_ + ": INTx through VFIO_DEVICE_SET_IRQS failed: " +
                                            errno_text(errno) + " (no legacy interrupt pin?)");
        return std::unique_ptr<IrqWait>(new VfioIrq(device_.get(), std::move(efd)));
    }

    Result<uint32_t> config_read(uint32_t off, unsigned width) override {
        uint32_t v = 0;
        if ((width != 1 && width != 2 && width != 4) ||
            ::pread(device_.get(), &v, width, config_offset() + off) != static_cast<ssize_t>(width))
            return Result<uint32_t>(Errc::DeviceBroken, address_ + ": config read failed");
        return v;
    }

    Result<void> config_write(uint32_t off, unsigned width, uint32_t value) override {
        if ((width != 1 && width != 2 && width != 4) ||
            ::pwrite(device_.get(), &value, width, config_offset() + off) !=
                static_cast<ssize_t>(width))
            return Result<void>(Errc::DeviceBroken, address_ + ": config write failed");
        return {};
    }

    Result<void> enable_bus_master() override {
        auto cmd = config_read(PCI_COMMAND, 2);
        if (!cmd) return cmd.error();
        return config_write(PCI_COMMAND, 2, cmd.value() | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    }

    const std::string &address() const override { return address_; }

  private:
    off_t config_offset() {
        if (cfg_off_ < 0) {
            vfio_region_info ri{};
            ri.argsz = sizeof ri;
            ri.index = VFIO_PCI_CONFIG_REGION_INDEX;
            cfg_off_ = ::ioctl(device_.get(), VFIO_DEVICE_GET_REGION_INFO, &ri) == 0
                           ? static_cast<off_t>(ri.offset)
                           : 0;
        }
        return cfg_off_;
    }
    std::string address_;
    Fd container_, group_, device_;
    off_t cfg_off_ = -1;
};

} // namespace

Result<std::unique_ptr<VfioDevice>> vfio_open(const std::string &address, const VfioOptions &opt) {
    using R = Result<std::unique_ptr<VfioDevice>>;
    const std::string dev_dir = opt.sysfs_root + "/bus/pci/devices/" + address;
    struct stat st {};
    if (::stat(dev_dir.c_str(), &st) != 0)
        return R(Errc::NotFound, "PCI device " + address + " not found (no " + dev_dir + ")");
    std::string driver = link_basename(dev_dir + "/driver");
    if (driver != "vfio-pci")
        return R(Errc::Unsupported,
                 "PCI device " + address + " is not bound to vfio-pci (" +
                     (driver.empty() ? std::string("no driver bound") : "bound to " + driver) +
                     "); bind it: echo vfio-pci > " + dev_dir + "/driver_override && echo " +
                     address + " > /sys/bus/pci/drivers_probe");
    std::string group = link_basename(dev_dir + "/iommu_group");
    if (group.empty())
        return R(Errc::Unsupported,
                 "PCI device " + address +
                     " has no IOMMU group: enable the IOMMU (intel_iommu=on / "
                     "amd_iommu=on) or load vfio with enable_unsafe_noiommu_mode");
    Fd container(::open((opt.dev_root + "/vfio").c_str(), O_RDWR | O_CLOEXEC));
    if (!container)
        return R(Errc::NotFound, "cannot open " + opt.dev_root + "/vfio: " + errno_text(errno) +
                                     " (is the vfio module loaded?)");
    if (::ioctl(container.get(), VFIO_GET_API_VERSION) != VFIO_API_VERSION)
        return R(Errc::Unsupported, opt.dev_root + "/vfio: unknown VFIO API version");
    if (::ioctl(container.get(), VFIO_CHECK_EXTENSION, VFIO_TYPE1_IOMMU) <= 0)
        return R(Errc::Unsupported, "VFIO type-1 IOMMU not supported by this kernel");
    Fd grp(::open((opt.dev_root + "/" + group).c_str(), O_RDWR | O_CLOEXEC));
    if (!grp)
        return R(Errc::NotFound, "cannot open VFIO group " + opt.dev_root + "/" + group + ": " +
                                     errno_text(errno) +
                                     " (permissions, or in use by another "
                                     "process)");
    vfio_group_status gs{};
    gs.argsz = sizeof gs;
    if (::ioctl(grp.get(), VFIO_GROUP_GET_STATUS, &gs) != 0 ||
        (gs.flags & VFIO_GROUP_FLAGS_VIABLE) == 0)
        return R(Errc::Unsupported, "VFIO group " + group +
                                        " is not viable: bind every device of the group to "
                                        "vfio-pci");
    int cfd = container.get();
    if (::ioctl(grp.get(), VFIO_GROUP_SET_CONTAINER, &cfd) != 0)
        return R(Errc::DeviceBroken, "VFIO_GROUP_SET_CONTAINER: " + errno_text(errno));
    if (::ioctl(container.get(), VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU) != 0)
        return R(Errc::DeviceBroken, "VFIO_SET_IOMMU: " + errno_text(errno));
    Fd dev(::ioctl(grp.get(), VFIO_GROUP_GET_DEVICE_FD, address.c_str()));
    if (!dev)
        return R(Errc::DeviceBroken,
                 "VFIO_GROUP_GET_DEVICE_FD(" + address + "): " + errno_text(errno));
    return std::unique_ptr<VfioDevice>(
        new VfioDeviceImpl(address, std::move(container), std::move(grp), std::move(dev)));
}

} // namespace acrypto::hw
