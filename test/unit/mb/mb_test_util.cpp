// SPDX-License-Identifier: Apache-2.0
// Helpers for the mb device tests.
#include "mb_test_util.hpp"

#include <gtest/gtest.h>

#include "acrypto/soft/mb/arch.hpp"
#include "acrypto/soft/mb/driver.hpp"

namespace acrypto::soft::mb::testing {

std::vector<std::string> available_arches() {
    std::vector<std::string> out;
    uint64_t f = cpu_features();
    for (Arch a : {Arch::Sse, Arch::Avx, Arch::Avx2, Arch::Avx512}) {
        if (arch_supported(a, f)) out.emplace_back(arch_name(a));
    }
    return out;
}

std::unique_ptr<DeviceHarness> open_mb(const KvList &cfg) {
    std::string why;
    auto h = DeviceHarness::open(driver(), cfg, 0, &why);
    EXPECT_TRUE(h) << why;
    return h;
}

bool run_batch(DeviceHarness &h, const std::vector<std::unique_ptr<OwnedSession>> &batch) {
    for (const auto &s : batch) h.enqueue(s->get());
    h.kick();
    return h.wait_all();
}

uint64_t stat(const DeviceHarness &h, const std::string &name) {
    auto m = h.stats();
    auto it = m.find(name);
    return it == m.end() ? 0 : it->second;
}

} // namespace acrypto::soft::mb::testing
