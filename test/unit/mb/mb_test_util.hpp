// SPDX-License-Identifier: Apache-2.0
// Helpers for the mb device tests: open it per code path, run batches, read stats.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "device_harness.hpp"
#include "session_builder.hpp"

namespace acrypto::soft::mb::testing {

using acrypto::test::Bytes;
using acrypto::test::DeviceHarness;
using acrypto::test::KvList;
using acrypto::test::OwnedSession;

/// Code paths this CPU can run ("sse", "avx", "avx2", "avx512").
std::vector<std::string> available_arches();

/// Open the mb device from its driver table; fails the test when it cannot.
std::unique_ptr<DeviceHarness> open_mb(const KvList &cfg = {});

/// Enqueue every session, kick once, wait for all; true when all completed.
bool run_batch(DeviceHarness &h, const std::vector<std::unique_ptr<OwnedSession>> &batch);

/// A stat by name (0 when absent).
uint64_t stat(const DeviceHarness &h, const std::string &name);

} // namespace acrypto::soft::mb::testing
