// SPDX-License-Identifier: Apache-2.0
// Access to the padlock driver table without dlopen (tests link the driver statically).
#pragma once

#include "acrypto/device.h"

namespace acrypto::hw::padlock {

/// The same table acrypto_device_driver_v1 returns.
const acrypto_device_driver *padlock_driver();

} // namespace acrypto::hw::padlock
