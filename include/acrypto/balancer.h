/* SPDX-License-Identifier: Apache-2.0 */
/* acrypto/balancer.h - load balancer plugin C ABI, version 1. */
#ifndef ACRYPTO_BALANCER_H
#define ACRYPTO_BALANCER_H

#include <stddef.h>
#include <stdint.h>

#include "acrypto/device.h"
#include "acrypto/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * What a balancer sees of one candidate device for one step: only devices that
 * are healthy and have a capability matching the step are offered.
 */
struct acrypto_candidate {
    uint32_t device_id;    /**< stable index of the device in the scheduler */
    const char *name;      /**< instance name */
    uint32_t queued;       /**< sessions queued, not yet dequeued */
    uint32_t in_flight;    /**< sessions dequeued, not yet completed */
    uint32_t queue_len;    /**< queue capacity (queued == queue_len: busy, do not pick) */
    uint64_t queued_bytes; /**< input bytes queued + in flight */
    const struct acrypto_capability *cap; /**< the matching capability */
    double rate_bps;   /**< measured bytes/s for this (device, algorithm), or cap's */
    double latency_ns; /**< measured fixed latency, or cap's */
};

/**
 * A balancer. A plugin .so exports `acrypto_balancer_v1` returning a pointer to
 * a static instance. All functions may be called from any thread concurrently;
 * the balancer protects its own state.
 */
struct acrypto_balancer {
    uint32_t abi_version; /**< ACRYPTO_ABI_VERSION */
    uint32_t struct_size; /**< sizeof(struct acrypto_balancer) */
    const char *name;     /**< configuration name: "least-loaded", "round-robin", "cost" */
    const char *description;
    /** NULL-terminated list of configuration keys create_fn accepts. May be NULL. */
    const char *const *config_keys;
    /** Create state from `cfg` (unknown key: error naming it in `why`). 0 or negative. */
    int (*create_fn)(const struct acrypto_config *cfg, void **state, char *why, size_t why_len);
    /** Free state. */
    void (*destroy_fn)(void *state);
    /**
     * Choose a device for step `s->steps[s->cur]`: return an index into `cands`
     * (0..n-1), or -1 when every candidate is busy. Must not block.
     */
    int (*find_device_fn)(void *state, const struct acrypto_session *s,
                          const struct acrypto_candidate *cands, uint32_t n);
    /**
     * Optional: device `device_id` broke (or left); drop state kept about it.
     * The scheduler then re-places its sessions through find_device_fn.
     */
    void (*rehash_fn)(void *state, uint32_t device_id);
    /**
     * Optional: a step finished on `device_id` after `ns` nanoseconds for
     * `bytes` of input (for learning balancers). Must be cheap.
     */
    void (*observe_fn)(void *state, uint32_t device_id, const struct acrypto_session *s,
                       uint64_t bytes, uint64_t ns);
};

typedef const struct acrypto_balancer *(*acrypto_balancer_v1_fn)(void);
#define ACRYPTO_BALANCER_ENTRY "acrypto_balancer_v1"

#ifdef __cplusplus
}
#endif

#endif /* ACRYPTO_BALANCER_H */
