// SPDX-License-Identifier: Apache-2.0
// The PadLock device: worker threads pulling sessions, engines per unit, stats, entropy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/device.h"
#include "aes_engine.hpp"
#include "cpuid.hpp"
#include "entropy_source.hpp"
#include "isa.hpp"
#include "sha_engine.hpp"
#include "stats.hpp"

namespace acrypto::hw::padlock {

/// How an instance is set up (from the driver configuration).
struct DeviceOptions {
    std::string name = "padlock";
    uint32_t workers = 1;     ///< threads executing sessions (one PadLock unit per core)
    uint32_t rng_divisor = 3; ///< xstore quality divisor (Linux and Zhaoxin use 3)
    bool inline_ok = false;   ///< advertise run_inline_fn
    bool hardware = true;     ///< native instructions (false: emulator)
};

/// Capabilities of a core with these features, with the published VIA Nehemiah rates.
std::vector<acrypto_capability> padlock_capabilities(const Features &f);

/// One PadLock instance. All members are safe to call from any thread.
class Device {
  public:
    Device(std::unique_ptr<Isa> isa, const Features &f, DeviceOptions opts, acrypto_host *host,
           const acrypto_host_ops *hops);
    ~Device();
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;

    /// Fills the descriptor (pointers stay valid until the device dies).
    void describe(acrypto_device_desc *desc) const;
    /// Wakes a worker (starting them on first use). Never blocks on session work.
    void data_ready();
    /// Runs the session's steps on the caller's thread.
    int run_inline(acrypto_session *s);
    /// Known answers on every unit present; RNG start-up health test.
    int self_test(std::string *why);
    /// Copies counters.
    int get_stats(acrypto_stat *out, uint32_t max, uint32_t *n) const;
    /// Conditioned entropy from xstore.
    int get_entropy(uint8_t *buf, size_t len);
    /// Stops and joins the workers. Idempotent.
    void close();

    const Features &features() const { return features_; }
    const Stats &stats() const { return stats_; }
    Isa &isa() { return *isa_; }

  private:
    int execute(acrypto_session &s, Scratch &scratch, uint32_t *steps_done);
    int execute_step(acrypto_step &st, Scratch &scratch);
    void worker_main();
    void worker_loop();
    void log(int level, const std::string &msg) const;

    std::unique_ptr<Isa> isa_;
    Features features_;
    DeviceOptions opts_;
    acrypto_host *host_;
    const acrypto_host_ops *hops_;
    Stats stats_;
    AesEngine aes_;
    ShaEngine sha_;
    EntropySource entropy_;
    std::vector<acrypto_capability> caps_;

    std::mutex mu_;
    std::condition_variable cv_;
    uint64_t kicks_ = 0;
    bool stop_ = false;
    bool started_ = false;
    std::vector<std::thread> workers_;
};

} // namespace acrypto::hw::padlock
