// SPDX-License-Identifier: Apache-2.0
// The mb device's driver table (what acrypto-dev-mb.so exports; tests use it directly).
#pragma once

#include "acrypto/device.h"

namespace acrypto::soft::mb {

/// The static driver table of the mb device.
const acrypto_device_driver *driver() noexcept;

} // namespace acrypto::soft::mb
