// SPDX-License-Identifier: Apache-2.0
// ProvCtx definition: core functions, settings, the lazily created scheduler, fork generation.
#pragma once

#include <openssl/core.h>
#include <openssl/core_dispatch.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "acrypto/sched/scheduler.hpp"
#include "config.hpp"
#include "prov_ctx.hpp"

namespace acrypto::prov {

struct ProvCtx {
    const OSSL_CORE_HANDLE *handle = nullptr;
    OSSL_LIB_CTX *libctx = nullptr;
    OSSL_FUNC_core_get_params_fn *core_get_params = nullptr;
    OSSL_FUNC_core_new_error_fn *core_new_error = nullptr;
    OSSL_FUNC_core_set_error_debug_fn *core_set_error_debug = nullptr;
    OSSL_FUNC_core_vset_error_fn *core_vset_error = nullptr;

    Settings settings;

    /// Guards creation and teardown of the scheduler (never held on the op path).
    std::mutex mu;
    /// Published scheduler for the fast path (acquire); owned by `owned`.
    std::atomic<acrypto::sched::SchedulerCore *> sched{nullptr};
    std::unique_ptr<acrypto::sched::SchedulerCore> owned;
    /// Fork generation the scheduler belongs to.
    uint64_t generation = 0;
    /// Why the scheduler could not be created (empty when fine).
    std::string sched_error;
    /// Warnings from start-up (drivers asked for that found no device).
    std::string warnings;
    std::atomic<bool> failed{false};
    bool torn_down = false;

    ProvCtx *next = nullptr; ///< registry link (fork handling)
};

/// Process fork generation (bumped in the child after fork()).
uint64_t fork_generation() noexcept;

/// Create the scheduler now (start-up with `required` drivers); false with sched_error.
bool start_scheduler(ProvCtx *pctx);

/// Register / unregister for fork handling.
void register_ctx(ProvCtx *pctx);
void unregister_ctx(ProvCtx *pctx);

/// Shut the scheduler down and join its threads (teardown).
void stop_scheduler(ProvCtx *pctx);

/// Debug trace gated by ACRYPTO_DEBUG.
void debug_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

} // namespace acrypto::prov
