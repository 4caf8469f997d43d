// SPDX-License-Identifier: Apache-2.0
// SimDevice: a simulated device with latency, throughput, slots and injected faults.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "acrypto/device.h"
#include "config.hpp"
#include "family.hpp"

namespace acrypto::soft::sim {

/**
 * One sim instance. Sessions are dequeued while fewer than `slots` are in
 * flight; each gets a completion time (latency + bytes/rate, the transfer part
 * serialised as on a real bus) and completes in order from the service thread,
 * except stalled ones (held stall_ms) and, in immediate null mode, all of them
 * (completed inside data_ready). Every session it takes completes exactly once,
 * close and mark_broken included.
 */
class SimDevice {
  public:
    using Clock = std::chrono::steady_clock;

    static std::unique_ptr<SimDevice> create(const SimConfig &cfg, uint32_t index,
                                             acrypto_host *host, const acrypto_host_ops *hops,
                                             std::string &why);
    ~SimDevice();
    SimDevice(const SimDevice &) = delete;
    SimDevice &operator=(const SimDevice &) = delete;

    void fill_desc(acrypto_device_desc &d) const;
    void data_ready();
    void key_free(uint64_t key_id);
    void stats(acrypto_stat *out, uint32_t max, uint32_t *n) const;
    /// Fails while broken (until break-ms has passed); then the known answer
    /// (compute mode) and, when it passes, the device is back in service.
    int self_test(std::string &why);
    /// Complete everything held with ACRYPTO_E_SHUTDOWN and join the service thread.
    void close();

  private:
    struct Held {
        acrypto_session *s;
        Clock::time_point due;
        int status;
    };
    enum class Fate { Normal, Fail, Stall, Break };

    SimDevice() = default;
    Fate decide(); ///< with mu_ held
    int compute(acrypto_session &s, uint32_t &done) noexcept;
    uint64_t bytes_of(const acrypto_session &s) const noexcept;
    int known_answer(std::string &why);
    void run_immediate();
    void service_main();
    void finish(acrypto_session *s, int status, uint32_t steps) noexcept;
    void break_now(std::unique_lock<std::mutex> &lk);

    SimConfig cfg_;
    uint32_t index_ = 0;
    std::string name_;
    acrypto_host *host_ = nullptr;
    const acrypto_host_ops *hops_ = nullptr;
    std::vector<acrypto_capability> caps_;
    std::unique_ptr<cpu::CryptoLib> lib_; ///< compute mode only
    std::unique_ptr<cpu::ExecCtx> ctx_;   ///< used by the service thread only
    std::mutex ctx_mu_;                   ///< key_free vs service thread

    std::mutex mu_;
    std::condition_variable cv_;
    bool kicked_ = false;
    bool stop_ = false;
    bool broken_ = false;
    bool started_ = false;
    std::thread thread_;
    std::deque<Held> pipeline_;    ///< in completion order
    std::vector<Held> stalled_;    ///< completed at their own due time
    uint32_t in_flight_ = 0;       ///< dequeued, not completed (immediate path included)
    Clock::time_point bus_free_{}; ///< when the emulated transfer channel is next idle
    std::mt19937_64 rng_;
    uint64_t taken_ = 0;       ///< since open or the last revival (break-after)
    uint64_t taken_total_ = 0; ///< since open (stall-first)
    Clock::time_point broken_at_{};

    std::atomic<uint64_t> st_sessions_{0}, st_ok_{0}, st_failed_{0}, st_stalled_{0},
        st_shutdown_{0}, st_bytes_{0}, st_batches_{0}, st_max_in_flight_{0}, st_errors_{0};
};

} // namespace acrypto::soft::sim
