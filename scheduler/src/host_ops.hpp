// SPDX-License-Identifier: Apache-2.0
// The host ops table every device instance gets (the C side of the scheduler).
#pragma once

#include "acrypto/device.h"

namespace acrypto::sched::detail {

/// dequeue/complete/mark_broken/pending/log, each catching everything.
extern const acrypto_host_ops kHostOps;

} // namespace acrypto::sched::detail
