// SPDX-License-Identifier: Apache-2.0
// Host ops: the C entry points devices call. No exception crosses them.
#include "host_ops.hpp"

#include "core.hpp"

namespace acrypto::sched::detail {
namespace {

uint32_t host_dequeue(acrypto_host *host, acrypto_session **out, uint32_t max) {
    if (!host || !out || max == 0) return 0;
    try {
        detail::Device *d = host->dev;
        const uint32_t n = d->core->dequeue(d, out, max);
        // A software device runs its work on this thread: does it get a CPU?
        if (n != 0 && (d->desc.flags & ACRYPTO_DEV_F_HARDWARE) == 0)
            d->core->worker_wait.on_dequeue();
        return n;
    } catch (...) {
        return 0;
    }
}

void host_complete(acrypto_host *host, acrypto_session *s, int status, uint32_t steps_done) {
    if (!host || !s) return;
    try {
        host->dev->core->complete(host->dev, s, status, steps_done);
    } catch (...) {}
}

void host_mark_broken(acrypto_host *host, const char *reason) {
    if (!host) return;
    try {
        host->dev->core->mark_broken(host->dev, reason ? reason : "no reason given");
    } catch (...) {}
}

uint32_t host_pending(acrypto_host *host) {
    if (!host) return 0;
    return host->dev->queued.load(std::memory_order_acquire);
}

void host_log(acrypto_host *host, int level, const char *msg) {
    if (!host || !msg) return;
    try {
        host->dev->core->log(host->dev, level, msg);
    } catch (...) {}
}

} // namespace

const acrypto_host_ops kHostOps = {
    ACRYPTO_ABI_VERSION,
    sizeof(acrypto_host_ops),
    host_dequeue,
    host_complete,
    host_mark_broken,
    host_pending,
    host_log,
};

} // namespace acrypto::sched::detail
