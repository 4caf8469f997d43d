// SPDX-License-Identifier: Apache-2.0
// Checks on the tables a device or balancer plugin hands over, apart from dlopen (fuzzable).
#pragma once

#include <cstdint>
#include <string>

#include "acrypto/balancer.h"
#include "acrypto/device.h"
#include "acrypto/sched/result.hpp"

namespace acrypto::sched::detail {

/// Most capabilities one device instance may declare (the scheduler copies them).
inline constexpr uint32_t kMaxCaps = 4096;

/// ABI version, struct size, name and the mandatory entry points of a driver table.
/// `origin` ("built-in" or the plugin path) goes into the message. Never reads past
/// sizeof(acrypto_device_driver), whatever struct_size says; a table of the first
/// ABI 1 release (ACRYPTO_DEVICE_DRIVER_SIZE_V1_0) is accepted.
Result<void> check_driver_table(const acrypto_device_driver *drv, const std::string &origin);

/// The same for a balancer table.
Result<void> check_balancer_table(const acrypto_balancer *bal);

/// The driver's bind_kernel_fn when its table is new enough to have one, else null.
inline int (*driver_bind_kernel(const acrypto_device_driver *drv) noexcept)(void *,
                                                                            const acrypto_step *,
                                                                            acrypto_kernel *) {
    return drv->struct_size >= ACRYPTO_DEVICE_DRIVER_SIZE_V1_0 + sizeof(drv->bind_kernel_fn)
               ? drv->bind_kernel_fn
               : nullptr;
}

/// Why the descriptor open_fn filled in is refused (struct size, name, capability
/// array), or nullptr when it is usable. Uniqueness of the name is the caller's check.
const char *check_device_desc(const acrypto_device_desc &desc) noexcept;

} // namespace acrypto::sched::detail
