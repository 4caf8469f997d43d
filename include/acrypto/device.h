/* SPDX-License-Identifier: Apache-2.0 */
/* acrypto/device.h - device plugin C ABI, version 1. */
#ifndef ACRYPTO_DEVICE_H
#define ACRYPTO_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "acrypto/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One configuration item handed to a plugin: both strings NUL-terminated, owned by the caller. */
struct acrypto_kv {
    const char *key;
    const char *value;
};

/** A plugin's configuration: the keys of its own section, prefix removed. Valid during the call. */
struct acrypto_config {
    const struct acrypto_kv *items;
    uint32_t count;
};

/** Capability flags. */
enum acrypto_cap_flag {
    /** Digest/MAC: accepts non-final chunks and state continuation (FIRST/FINAL flags). */
    ACRYPTO_CAP_F_PARTIAL = 1u << 0,
    /** Fused: this capability also takes the next step when it matches fused_op/alg/mode. */
    ACRYPTO_CAP_F_FUSED = 1u << 1,
    /** Input length must be a multiple of the cipher block (device cannot pad or stream). */
    ACRYPTO_CAP_F_BLOCK_MULTIPLE = 1u << 2,
    /** Entropy source: random bytes come from a physical noise source. */
    ACRYPTO_CAP_F_ENTROPY = 1u << 3
};

/**
 * One thing a device can do, as data. The scheduler matches a step against
 * (op, alg, mode), the direction bit, the key size range and max_input. Rates are
 * what the device can sustain; the cost balancer starts from them and learns.
 */
struct acrypto_capability {
    uint32_t op;      /**< enum acrypto_op */
    uint32_t alg;     /**< enum acrypto_alg */
    uint32_t mode;    /**< enum acrypto_mode */
    uint32_t dirs;    /**< enum acrypto_dir bits for ciphers; 0 otherwise */
    uint32_t key_min; /**< smallest key in bytes (0 if keyless) */
    uint32_t key_max; /**< largest key in bytes */
    uint32_t
        key_step;   /**< key sizes go key_min, key_min+step, ... (0 = only key_min..key_max ends) */
    uint32_t flags; /**< enum acrypto_cap_flag */
    uint64_t max_input;   /**< largest src_len per step in bytes; 0 = no limit */
    uint32_t fused_op;    /**< with ACRYPTO_CAP_F_FUSED: the next step's op */
    uint32_t fused_alg;   /**< ... alg */
    uint32_t fused_mode;  /**< ... mode */
    uint32_t latency_ns;  /**< fixed cost per step (submission to completion when idle) */
    double bytes_per_sec; /**< sustained throughput for large inputs */
    double ops_per_sec;   /**< sustained steps per second for tiny inputs */
};

/** Device flags. */
enum acrypto_device_flag {
    /** run_inline_fn is available: steps can run synchronously on the caller's thread. */
    ACRYPTO_DEV_F_INLINE = 1u << 0,
    /** A hardware device (as opposed to a software one). */
    ACRYPTO_DEV_F_HARDWARE = 1u << 1,
    /** get_entropy_fn is available. */
    ACRYPTO_DEV_F_ENTROPY = 1u << 2
};

/** What a plugin fills for each opened instance. Pointers must stay valid until close_fn. */
struct acrypto_device_desc {
    uint32_t struct_size; /**< sizeof(struct acrypto_device_desc) the plugin was built with */
    uint32_t flags;       /**< enum acrypto_device_flag */
    const char *name;     /**< instance name, unique: "cpu", "hifn0", "padlock" */
    uint32_t queue_len;   /**< sessions the scheduler may queue for it before it is "busy" */
    uint32_t max_burst;   /**< largest burst it dequeues at once */
    const struct acrypto_capability *caps;
    uint32_t ncaps;
};

/** Opaque handle the scheduler gives each device instance. */
struct acrypto_host;

/** Log levels for log_fn. */
enum acrypto_log_level {
    ACRYPTO_LOG_ERROR = 0,
    ACRYPTO_LOG_WARN = 1,
    ACRYPTO_LOG_INFO = 2,
    ACRYPTO_LOG_DEBUG = 3
};

/**
 * Scheduler services for a device. Every function may be called from any
 * thread, never blocks, and takes no lock the device could hold.
 */
struct acrypto_host_ops {
    uint32_t abi_version; /**< ACRYPTO_ABI_VERSION */
    uint32_t struct_size; /**< sizeof(struct acrypto_host_ops) */
    /**
     * Take up to `max` queued sessions, highest priority first (FIFO within a
     * priority, aged so low priorities never starve). Returns the number written
     * to `out`. Each session is now owned by the device until complete_fn.
     */
    uint32_t (*dequeue_fn)(struct acrypto_host *host, struct acrypto_session **out, uint32_t max);
    /**
     * Report that `steps_done` steps starting at session->cur finished with
     * `status` (enum acrypto_status). Exactly once per dequeued session. After
     * this call the device must not touch the session. ACRYPTO_E_DEVICE and
     * ACRYPTO_E_TIMEOUT let the scheduler move an unbound session elsewhere.
     */
    void (*complete_fn)(struct acrypto_host *host, struct acrypto_session *s, int status,
                        uint32_t steps_done);
    /**
     * The device is broken: it gets no more work; the scheduler takes back its
     * queued sessions. Sessions the device still holds must still be completed
     * (with ACRYPTO_E_DEVICE is fine: they are rehashed). `reason` is copied.
     */
    void (*mark_broken_fn)(struct acrypto_host *host, const char *reason);
    /** Sessions queued for this device and not yet dequeued. */
    uint32_t (*pending_fn)(struct acrypto_host *host);
    /** Diagnostic message; `msg` is copied. Gated by ACRYPTO_DEBUG for DEBUG level. */
    void (*log_fn)(struct acrypto_host *host, int level, const char *msg);
};

/** One statistics counter: name is static in the plugin. No key material, ever. */
struct acrypto_stat {
    const char *name;
    uint64_t value;
};

/**
 * A bound inline kernel (see bind_kernel_fn): one key and one step shape set up
 * once, then run on the caller's thread many times with no session, no queue
 * and no capability match. It is how small synchronous operations cost little
 * more than the bare instruction. One caller thread uses it at a time (the
 * caller serialises runs); it is released once.
 */
struct acrypto_kernel {
    uint32_t struct_size; /**< sizeof(struct acrypto_kernel) the device filled */
    uint32_t flags;       /**< reserved, 0 */
    /** Largest `len` run_fn / aead_fn take (0: no limit); larger work goes through sessions. */
    uint64_t max_len;
    /**
     * Free `state`, wiping its key material. Any thread. May be called after
     * close_fn returned (the state must not depend on the device instance
     * staying open), never after the plugin is unloaded. It and `state` stay at
     * these offsets in every later layout, so any kernel can be released.
     */
    void (*release_fn)(void *state);
    void *state; /**< the device's; opaque to the caller */
    /**
     * Cipher kernels: transform `len` bytes from `src` to `dst` (the same
     * pointer, or not overlapping). ECB and CBC: `len` is a block multiple.
     * `iv` is the 16-byte chaining value (CBC), counter block (CTR), tweak (XTS:
     * one whole data unit per run, `iv` left as it is) or counter || nonce
     * (ChaCha20), and `num` the bytes used of the current CTR or ChaCha20
     * keystream block; both are read and
     * updated exactly as a session's step would leave them, so runs and
     * sessions may alternate on one stream. Returns enum acrypto_status; on an
     * error `dst`, `iv` and `num` are unspecified.
     */
    int (*run_fn)(void *state, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *iv,
                  uint32_t *num);
    /**
     * AEAD kernels (run_fn is NULL): one whole message under `iv` (`iv_len`
     * bytes; the length bound with the kernel, ACRYPTO_E_UNSUPPORTED for another),
     * `aad_len` bytes of additional data, `len` payload bytes from `src` to `dst`
     * (the same pointer, or not overlapping). Encrypt writes `tag_len` bytes of
     * tag to `tag`; decrypt checks the `tag_len` bytes at `tag` and returns
     * ACRYPTO_E_VERIFY, with `dst` wiped, when they do not match.
     */
    int (*aead_fn)(void *state, const uint8_t *iv, size_t iv_len, const uint8_t *aad,
                   size_t aad_len, const uint8_t *src, uint8_t *dst, size_t len, uint8_t *tag,
                   size_t tag_len);
};

/**
 * A device driver. A plugin .so exports `acrypto_device_driver_v1` returning a
 * pointer to a static instance of this table. Optional members may be NULL.
 */
struct acrypto_device_driver {
    uint32_t abi_version; /**< ACRYPTO_ABI_VERSION */
    uint32_t struct_size; /**< sizeof(struct acrypto_device_driver) */
    const char *name;     /**< driver name used in configuration: "cpu", "sim", "hifn" */
    const char *description;
    /**
     * NULL-terminated list of the configuration keys probe_fn/open_fn accept
     * (OpenSSL hands a provider only the keys it asks for by name). May be NULL.
     */
    const char *const *config_keys;

    /**
     * Find instances. Validates `cfg` (unknown key or bad value: error naming
     * it in `why`). Writes the instance count (0 is fine: `why` says why none).
     * Caller thread; may block briefly (PCI scan). Returns 0 or negative status.
     */
    int (*probe_fn)(const struct acrypto_config *cfg, uint32_t *count, char *why, size_t why_len);

    /**
     * Open instance `index` (0..count-1). Fills `desc`, stores an opaque device
     * pointer in `*dev`. `host`/`hops` stay valid until close_fn returns. Worker
     * threads may start here or lazily on first data_ready. Returns 0 or negative.
     */
    int (*open_fn)(const struct acrypto_config *cfg, uint32_t index, struct acrypto_host *host,
                   const struct acrypto_host_ops *hops, void **dev,
                   struct acrypto_device_desc *desc, char *why, size_t why_len);

    /**
     * New sessions are queued for this device. Called on the submitter's thread
     * with no scheduler lock held; must not block. The device may dequeue and even
     * complete sessions before returning (a null device does).
     */
    void (*data_ready_fn)(void *dev);

    /** Optional: complete partial batches now (batching devices). Any thread, no block. */
    void (*flush_fn)(void *dev);

    /**
     * Optional (ACRYPTO_DEV_F_INLINE): run session->steps[cur .. cur+ncur) on the
     * caller's thread and return their status; complete_fn is NOT called. Must be
     * thread-safe and reentrant, and must not block for I/O.
     */
    int (*run_inline_fn)(void *dev, struct acrypto_session *s);

    /** Optional: known-answer self-test. Caller thread; may block. 0 or negative. */
    int (*self_test_fn)(void *dev, char *why, size_t why_len);

    /**
     * Optional: copy up to `max` counters into `out`; sets `*n`. Any thread; cheap.
     */
    int (*get_stats_fn)(void *dev, struct acrypto_stat *out, uint32_t max, uint32_t *n);

    /**
     * Optional (ACRYPTO_DEV_F_ENTROPY): fill `buf` with `len` bytes of
     * conditioned entropy; synchronous, never pauses, may block briefly. 0 or negative.
     */
    int (*get_entropy_fn)(void *dev, uint8_t *buf, size_t len);

    /** Optional: key context `key_id` died: drop anything cached for it. Any thread. */
    void (*key_free_fn)(void *dev, uint64_t key_id);

    /**
     * Stop the instance: complete every session it holds (ACRYPTO_E_SHUTDOWN is
     * fine), join its threads, free it. After return no callback comes from it.
     */
    void (*close_fn)(void *dev);

    /*
     * Members below were added after the first ABI 1 release. The scheduler
     * reads one only when struct_size covers it (older tables stay loadable).
     */

    /**
     * Optional (ACRYPTO_DEV_F_INLINE): bind a kernel for one step shape: op,
     * alg, mode, dir and key of `shape`, and iv_len for AEAD modes (buffers,
     * lengths and the IV itself are ignored).
     * Fills `*out` and returns ACRYPTO_OK, or ACRYPTO_E_UNSUPPORTED when the
     * device has no kernel for it. Caller thread; may allocate; must not block
     * for I/O. The key may die after this returns: copy what the kernel needs.
     */
    int (*bind_kernel_fn)(void *dev, const struct acrypto_step *shape, struct acrypto_kernel *out);
};

/** struct_size of a driver table without bind_kernel_fn (the first ABI 1 release). */
#define ACRYPTO_DEVICE_DRIVER_SIZE_V1_0 offsetof(struct acrypto_device_driver, bind_kernel_fn)

/** The symbol every device plugin .so exports. */
typedef const struct acrypto_device_driver *(*acrypto_device_driver_v1_fn)(void);
#define ACRYPTO_DEVICE_ENTRY "acrypto_device_driver_v1"

#ifdef __cplusplus
}
#endif

#endif /* ACRYPTO_DEVICE_H */
