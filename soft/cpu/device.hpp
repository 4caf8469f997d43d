// SPDX-License-Identifier: Apache-2.0
// CpuDevice: a pool of worker threads running families over a private OSSL_LIB_CTX.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "acrypto/device.h"
#include "family.hpp"
#include "kernel.hpp"

namespace acrypto::soft::cpu {

/// Parsed configuration of the cpu driver.
struct CpuConfig {
    uint32_t workers = 0;      ///< worker threads (0: default_workers())
    uint32_t queue_len = 1024; ///< sessions the scheduler may queue
};

/// Workers when none are configured: online cores less one (the callers'
/// threads run inline work on it), at least one.
uint32_t default_workers();

/// Parse `cfg`; false with a message naming the offending key.
bool parse_config(const acrypto_config *cfg, CpuConfig &out, std::string &why);

/// One cpu device instance.
class CpuDevice {
  public:
    /// Open: set up the private library context and the capability list. nullptr with `why`.
    static std::unique_ptr<CpuDevice> create(const CpuConfig &cfg, acrypto_host *host,
                                             const acrypto_host_ops *hops, std::string &why);
    ~CpuDevice();
    CpuDevice(const CpuDevice &) = delete;
    CpuDevice &operator=(const CpuDevice &) = delete;

    void fill_desc(acrypto_device_desc &d) const;
    /// data_ready_fn: wake a worker (threads start on the first call).
    void data_ready();
    /// run_inline_fn: run on the caller's thread with its own cached contexts.
    int run_inline(acrypto_session &s);
    /// bind_kernel_fn (kernel.hpp).
    int bind_kernel(const acrypto_step &shape, acrypto_kernel &out);
    /// key_free_fn.
    void key_free(uint64_t key_id);
    /// get_stats_fn.
    void stats(acrypto_stat *out, uint32_t max, uint32_t *n) const;
    /// Known-answer self-test (AES-128-CBC, SHA-256, HMAC-SHA256) through the families.
    int self_test(std::string &why);
    /// Stop: join workers (each completes the sessions it holds), free contexts.
    void close();

    /// Execute s.steps[cur .. cur+ncur); `done` = steps that succeeded.
    int execute(ExecCtx &ctx, acrypto_session &s, uint32_t &done) noexcept;

  private:
    CpuDevice() = default;
    const Family *route(const acrypto_step &st) const noexcept;
    void start_workers();
    void worker_main(ExecCtx *ctx);
    ExecCtx *inline_ctx();
    void count(const acrypto_step &st, int rc) noexcept;

    struct Route {
        uint32_t key;
        const Family *family;
    };

    CpuConfig cfg_;
    acrypto_host *host_ = nullptr;
    const acrypto_host_ops *hops_ = nullptr;
    uint64_t uid_ = 0; ///< process-unique, never reused: keys thread-local inline slots
    std::shared_ptr<CryptoLib> lib_; ///< shared with the kernels bound on it
    std::shared_ptr<KernelCounts> kernel_counts_;
    std::vector<const Family *> families_;
    std::vector<acrypto_capability> caps_;
    std::vector<Route> routes_; ///< sorted by key
    uint32_t max_burst_ = 32;

    // Worker pool: woken by data_ready through seq_ (never spins).
    std::mutex mu_;
    std::condition_variable cv_;
    uint64_t seq_ = 0;
    uint32_t idle_ = 0;
    bool stop_ = false;
    bool started_ = false;
    std::vector<std::thread> threads_;

    // Every ExecCtx this instance made (workers and inline callers), for key_free.
    mutable std::mutex ctx_mu_;
    std::vector<std::unique_ptr<ExecCtx>> worker_ctxs_;
    std::unordered_map<std::thread::id, std::unique_ptr<ExecCtx>> inline_ctxs_;

    // Counters (relaxed).
    std::atomic<uint64_t> ops_cipher_{0}, ops_digest_{0}, ops_mac_{0}, ops_rand_{0}, ops_pkey_{0};
    std::atomic<uint64_t> bytes_{0}, errors_{0}, batches_{0}, sessions_{0}, inline_{0};
    std::atomic<uint64_t> wakeups_{0};
};

} // namespace acrypto::soft::cpu
