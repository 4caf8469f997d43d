// SPDX-License-Identifier: Apache-2.0
// MbDevice: one mb instance: its workers, capabilities, statistics and the host it reports to.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "acrypto/device.h"
#include "acrypto/soft/mb/config.hpp"
#include "acrypto/soft/mb/worker.hpp"

namespace acrypto::soft::mb {

/// Count instances for `cfg`: 1, or 0 with the reason (no library, no CPU support).
/// Negative status on a configuration error, message in `*why`.
int probe(const acrypto_config *cfg, uint32_t *count, std::string *why);

/// One opened mb instance.
class MbDevice {
  public:
    /// Open instance `index` (only 0 exists). nullptr with `*why` and `*status`.
    static std::unique_ptr<MbDevice> open(const acrypto_config *cfg, uint32_t index,
                                          acrypto_host *host, const acrypto_host_ops *hops,
                                          std::string *why, int *status);
    ~MbDevice();
    MbDevice(const MbDevice &) = delete;
    MbDevice &operator=(const MbDevice &) = delete;

    /// Fill the descriptor (pointers valid until the device is destroyed).
    void describe(acrypto_device_desc *desc) const noexcept;
    /// Wake a sleeping worker. Submitter's thread; never blocks.
    void data_ready() noexcept;
    /// Ask every worker to complete its partial batches.
    void flush() noexcept;
    /// Drop cached schedules of `key_id` in every worker.
    void key_free(uint64_t key_id);
    /// Known answers on a private manager.
    int self_test(std::string *why) const;
    /// Counters summed over workers, plus device facts (arch, workers).
    void stats(acrypto_stat *out, uint32_t max, uint32_t *n) const;
    /// Stop workers (in-flight sessions complete first).
    void close() noexcept;

    Arch arch() const noexcept { return arch_; }
    const MbConfig &config() const noexcept { return cfg_; }

  private:
    MbDevice() = default;

    MbConfig cfg_;
    Arch arch_ = Arch::Sse;
    acrypto_host *host_ = nullptr;
    const acrypto_host_ops *hops_ = nullptr;
    std::vector<acrypto_capability> caps_;
    std::vector<std::unique_ptr<Worker>> workers_;
    bool hash_on_sse_ = false; ///< SHA/HMAC on an SSE (SHA-NI) manager
    uint32_t wake_batch_ = 8;  ///< queued sessions that end a worker's linger early (lanes)
};

} // namespace acrypto::soft::mb
