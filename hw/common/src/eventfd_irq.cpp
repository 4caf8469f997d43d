// SPDX-License-Identifier: Apache-2.0
// IrqWait over an eventfd: the model's interrupt line.
#include <atomic>
#include <cerrno>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "acrypto/hw/irq.hpp"

namespace acrypto::hw {
namespace {

class EventfdIrq final : public IrqWait {
  public:
    EventfdIrq() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}
    ~EventfdIrq() override {
        if (fd_ >= 0) ::close(fd_);
    }

    IrqResult wait(std::chrono::milliseconds timeout) override {
        if (closed_.load(std::memory_order_acquire) || fd_ < 0) return IrqResult::Closed;
        pollfd p{fd_, POLLIN, 0};
        int ms = timeout.count() > 0x7fffffff ? 0x7fffffff : static_cast<int>(timeout.count());
        int r;
        do {
            r = ::poll(&p, 1, ms);
        } while (r < 0 && errno == EINTR);
        if (closed_.load(std::memory_order_acquire)) return IrqResult::Closed;
        if (r <= 0) return IrqResult::Timeout;
        uint64_t v;
        // Drain; another waiter may have drained first, which is still a fire.
        (void)!::read(fd_, &v, sizeof v);
        return IrqResult::Fired;
    }

    void raise() override {
        uint64_t one = 1;
        if (fd_ >= 0) (void)!::write(fd_, &one, sizeof one);
    }

    void close() override {
        closed_.store(true, std::memory_order_release);
        raise();
    }

    int fd() const override { return fd_; }

  private:
    int fd_;
    std::atomic<bool> closed_{false};
};

} // namespace

std::unique_ptr<IrqWait> make_eventfd_irq() { return std::make_unique<EventfdIrq>(); }

} // namespace acrypto::hw
