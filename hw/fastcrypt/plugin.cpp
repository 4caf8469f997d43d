// SPDX-License-Identifier: Apache-2.0
// acrypto-dev-fastcrypt.so entry point: exports the FastCrypt driver table.
#include "acrypto/device.h"
#include "driver_table.hpp"

/// The plugin's only exported symbol (cmake/device_plugin.map).
extern "C" __attribute__((visibility("default"))) const acrypto_device_driver *
acrypto_device_driver_v1(void) {
    return acrypto::hw::fastcrypt::driver_table();
}
