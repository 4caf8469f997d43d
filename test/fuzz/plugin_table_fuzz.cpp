// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the checks on a plugin's device driver table, balancer table and device
// descriptor (scheduler/src/plugin_loader.cpp), against the contract in include/acrypto.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "acrypto/balancer.h"
#include "acrypto/device.h"
#include "fuzz_input.hpp"
#include "plugin_check.hpp"

using namespace acrypto::sched::detail;

namespace {

using acrypto::fuzz::Input;

int probe(const acrypto_config *, uint32_t *, char *, size_t) { return 0; }
int open_dev(const acrypto_config *, uint32_t, acrypto_host *, const acrypto_host_ops *, void **,
             acrypto_device_desc *, char *, size_t) {
    return 0;
}
void data_ready(void *) {}
void close_dev(void *) {}
int find_device(void *, const acrypto_session *, const acrypto_candidate *, uint32_t) { return 0; }

/// The ABI version as a plugin might state it: mostly right, sometimes anything.
uint32_t abi(Input &in) {
    const uint32_t v = in.take(1);
    return v < 200 ? ACRYPTO_ABI_VERSION : in.take(4);
}
/// A struct size: the right one, a smaller or larger one, or anything.
uint32_t size_of(Input &in, uint32_t real) {
    switch (in.take(1) % 4) {
    case 0: return real;
    case 1: return real - 1 - in.take(1) % real;
    case 2: return real + in.take(2);
    default: return in.take(4);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    Input in{data, size};
    const uint32_t flags = in.take(2);
    const std::string name = in.text();
    const char *nm = (flags & 1) ? nullptr : name.c_str();

    acrypto_device_driver drv{};
    drv.abi_version = abi(in);
    drv.struct_size = size_of(in, sizeof drv);
    drv.name = nm;
    drv.probe_fn = (flags & 2) ? nullptr : probe;
    drv.open_fn = (flags & 4) ? nullptr : open_dev;
    drv.data_ready_fn = (flags & 8) ? nullptr : data_ready;
    drv.close_fn = (flags & 16) ? nullptr : close_dev;
    const bool drv_good = drv.abi_version == ACRYPTO_ABI_VERSION &&
                          drv.struct_size >= ACRYPTO_DEVICE_DRIVER_SIZE_V1_0 && nm && *nm &&
                          drv.probe_fn && drv.open_fn && drv.data_ready_fn && drv.close_fn;
    auto dr = check_driver_table((flags & 32) ? nullptr : &drv, "fuzz");
    if (bool(dr) != (drv_good && !(flags & 32)))
        abort();                                    // accepted a bad table or refused a good one
    if (!dr && dr.error().message.empty()) abort(); // a refusal must say why

    acrypto_balancer bal{};
    bal.abi_version = abi(in);
    bal.struct_size = size_of(in, sizeof bal);
    bal.name = nm;
    bal.find_device_fn = (flags & 64) ? nullptr : find_device;
    const bool bal_good = bal.abi_version == ACRYPTO_ABI_VERSION && bal.struct_size >= sizeof bal &&
                          nm && *nm && bal.find_device_fn;
    auto br = check_balancer_table((flags & 128) ? nullptr : &bal);
    if (bool(br) != (bal_good && !(flags & 128))) abort();
    if (!br && br.error().message.empty()) abort();

    // Device descriptor: a capability array of exactly `have` entries; ncaps may lie.
    const uint32_t have = in.take(1) % 16;
    std::vector<acrypto_capability> caps(have);
    for (auto &c : caps) {
        c.op = in.take(1);
        c.alg = in.take(1);
        c.key_min = in.take(1);
        c.key_max = in.take(1);
    }
    acrypto_device_desc desc{};
    desc.struct_size = (flags & 256) ? size_of(in, sizeof desc) : 0;
    desc.name = nm;
    desc.caps = (flags & 512) ? nullptr : (have ? caps.data() : nullptr);
    desc.ncaps = (flags & 1024) ? in.take(4) : have;
    const char *why = check_device_desc(desc);
    const bool desc_good = (desc.struct_size == 0 || desc.struct_size >= sizeof desc) && nm &&
                           *nm && (desc.ncaps == 0 || desc.caps) && desc.ncaps <= kMaxCaps;
    if ((why == nullptr) != desc_good) abort();
    if (why && !*why) abort();
    if (!why && desc.ncaps <= have) {
        // What the scheduler does with an accepted descriptor: copy the array.
        std::vector<acrypto_capability> copy(desc.caps, desc.caps + desc.ncaps);
        if (!copy.empty() && std::memcmp(copy.data(), desc.caps, copy.size() * sizeof copy[0]) != 0)
            abort();
    }
    return 0;
}
