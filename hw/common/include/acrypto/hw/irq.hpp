// SPDX-License-Identifier: Apache-2.0
// IrqWait: an interrupt line as an eventfd (VFIO INTx/MSI or a model's raise()).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace acrypto::hw {

/// Result of a bounded wait.
enum class IrqResult { Fired, Timeout, Closed };

/**
 * One interrupt source. The device (or model) signals it; the driver's reaper
 * thread waits with a timeout (a lost interrupt then degrades to polling, never
 * to a hang). Backed by an eventfd so it can be polled with other fds.
 */
class IrqWait {
  public:
    virtual ~IrqWait() = default;
    /// Block up to `timeout` for the line to fire; consumes pending fires.
    virtual IrqResult wait(std::chrono::milliseconds timeout) = 0;
    /// Signal the line (models call this; VFIO does it in the kernel).
    virtual void raise() = 0;
    /// Wake every waiter with Closed (teardown).
    virtual void close() = 0;
    /// The underlying eventfd, or -1.
    virtual int fd() const = 0;
    /// Re-enable delivery after handling (VFIO INTx unmask; no-op for the model).
    virtual void unmask() {}
};

/// An eventfd-backed line for device models: raise() writes the eventfd, wait()
/// polls it with a timeout and drains it. Any number of raise() calls between two
/// waits coalesce into one Fired (level-style interrupts are re-checked by the reaper).
std::unique_ptr<IrqWait> make_eventfd_irq();

} // namespace acrypto::hw
