// SPDX-License-Identifier: Apache-2.0
// acrypto-dev-mb.so entry point: the one exported symbol.
#include "acrypto/device.h"
#include "acrypto/soft/mb/driver.hpp"

extern "C" __attribute__((visibility("default"))) const acrypto_device_driver *
acrypto_device_driver_v1(void) {
    return acrypto::soft::mb::driver();
}
