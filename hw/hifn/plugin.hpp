// SPDX-License-Identifier: Apache-2.0
// The hifn plugin's C table, and white-box access to an opened instance for tests.
#pragma once

#include "acrypto/device.h"

namespace acrypto::hw::hifn {

class Device;
namespace model {
class HifnModel;
}

/// The driver table acrypto_device_driver_v1 returns.
const acrypto_device_driver *driver_table();
/// The driver behind an instance opened through driver_table() (tests).
Device *device_of(void *dev);
/// The chip model behind an instance, nullptr for a real card (tests, fault injection).
model::HifnModel *model_of(void *dev);

} // namespace acrypto::hw::hifn
