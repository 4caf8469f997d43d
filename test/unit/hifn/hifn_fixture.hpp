// SPDX-License-Identifier: Apache-2.0
// Shared helpers for the HIFN tests: open a model instance through the C table.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "device.hpp"
#include "device_harness.hpp"
#include "model/hifn_model.hpp"
#include "plugin.hpp"
#include "session_builder.hpp"

namespace acrypto::hw::hifn {

/// Named test friend of Device (STYLE.md §6): installs the post hook.
class DeviceTestPeer {
  public:
    static void set_post_hook(Device &d, std::function<void(PostView &)> hook) {
        std::lock_guard lk(d.mu_);
        d.post_hook_ = std::move(hook);
    }
};

} // namespace acrypto::hw::hifn

namespace hifn_test {

using acrypto::test::Bytes;
using acrypto::test::DeviceHarness;
using acrypto::test::KvList;

/// Open model instance `index` with `extra` configuration on top of fast defaults.
inline std::unique_ptr<DeviceHarness> open_model(KvList extra = {}, uint32_t index = 0,
                                                 uint32_t models = 1) {
    KvList cfg = {{"model", std::to_string(models)},
                  {"model-rate-mbps", "0"},
                  {"watchdog-ms", "300"},
                  {"poll-ms", "5"}};
    for (auto &kv : extra) cfg.push_back(kv);
    std::string why;
    auto h = DeviceHarness::open(acrypto::hw::hifn::driver_table(), cfg, index, &why);
    EXPECT_NE(h, nullptr) << why;
    return h;
}

inline acrypto::hw::hifn::model::HifnModel &chip(DeviceHarness &h) {
    return *acrypto::hw::hifn::model_of(h.dev());
}
inline acrypto::hw::hifn::Device &driver(DeviceHarness &h) {
    return *acrypto::hw::hifn::device_of(h.dev());
}

} // namespace hifn_test
