// SPDX-License-Identifier: Apache-2.0
// The FastCrypt device driver table (plugin C ABI), shared by the plugin and the unit tests.
#pragma once

#include "acrypto/device.h"

namespace acrypto::hw::fastcrypt {

/// The static `acrypto_device_driver` for "fastcrypt".
const acrypto_device_driver *driver_table() noexcept;

} // namespace acrypto::hw::fastcrypt
