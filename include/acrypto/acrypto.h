/* SPDX-License-Identifier: Apache-2.0 */
/* acrypto/acrypto.h - native C API (libacrypto.so) for programs that are not OpenSSL apps. */
#ifndef ACRYPTO_ACRYPTO_H
#define ACRYPTO_ACRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "acrypto/device.h"
#include "acrypto/session.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this API. Bumped on incompatible change; compare with acrypto_api_version(). */
#define ACRYPTO_API_VERSION 1u

/** Returned by acrypto_session_status() and acrypto_wait() while a session has not completed. */
#define ACRYPTO_PENDING 1

/** acrypto_wait() timeout meaning "wait until the session completes". */
#define ACRYPTO_WAIT_FOREVER (-1)

/** A library context: one configuration over the process's scheduler. */
typedef struct acrypto_ctx acrypto_ctx;
/** A key object (key bytes copied in, wiped when the last user drops it). */
typedef struct acrypto_key_handle acrypto_key_handle;
/** One unit of work, created from struct acrypto_session_params. */
typedef struct acrypto_session_handle acrypto_session_handle;

/**
 * Completion callback: runs once, on a scheduler thread (or the submitting thread
 * when the work ran inline), after the result was copied to the caller's output
 * buffer. Must be short and must not block; it may call acrypto_session_status(),
 * acrypto_session_get_out_len(), acrypto_session_get_iv() and submit other
 * sessions, but must not free `s`.
 */
typedef void (*acrypto_done_cb)(acrypto_session_handle *s, int status, void *arg);

/** API version the library was built with (ACRYPTO_API_VERSION). Any thread, never blocks. */
unsigned acrypto_api_version(void);
/** Library version string ("0.1.0"), static storage. Any thread, never blocks. */
const char *acrypto_version_string(void);
/**
 * Stable short text of a status: "ok", "pending", "busy", "unsupported", ...
 * Static storage; unknown values give "unknown". Any thread, never blocks.
 */
const char *acrypto_status_string(int status);

/**
 * Open a context. `config_file` is a `key = value` file with the keys of the
 * provider's openssl.cnf section (devices, required, balancer, <balancer>.<key>,
 * plugin-dir, inline-threshold, aging-ms, <driver>.<key>; `#` starts a comment),
 * or NULL for the embedded default (devices = cpu). Plugins are found in
 * plugin-dir, else $ACRYPTO_PLUGIN_DIR, else the `acrypto` folder beside
 * libacrypto.so. The process has one scheduler: the first context creates it
 * from its configuration, later contexts share it (their device keys are ignored
 * and reported by acrypto_ctx_get0_messages()).
 * Any thread; may block (loads plugins, probes devices).
 * Returns a new context owned by the caller, or NULL with a message in `err`
 * (NUL-terminated, truncated to `errlen`; `err` may be NULL).
 */
acrypto_ctx *acrypto_ctx_new(const char *config_file, char *err, size_t errlen);
/**
 * Drop a context. Free its sessions first: sessions still queued when the last
 * context of the process goes complete with ACRYPTO_E_SHUTDOWN, as the scheduler
 * shuts down and joins its threads. Keys may be freed before or after. NULL is a no-op.
 * Must not run on a scheduler thread (not from a callback); may block.
 */
void acrypto_ctx_free(acrypto_ctx *ctx);
/**
 * Probe messages of the context's start: why a configured driver is absent,
 * ignored keys. "" when there are none. Owned by `ctx`, valid until it is freed.
 */
const char *acrypto_ctx_get0_messages(const acrypto_ctx *ctx);

/** What acrypto_ctx_devices() reports of one device instance. */
struct acrypto_device_info {
    char name[32];           /**< instance name: "cpu", "hifn0" */
    char driver[32];         /**< driver name: "cpu", "hifn" */
    uint32_t flags;          /**< enum acrypto_device_flag */
    int broken;              /**< 1 when the device left the candidate set */
    char broken_reason[128]; /**< why, when broken */
    uint32_t queued;         /**< sessions waiting in its queue now */
    uint32_t in_flight;      /**< sessions it holds now */
    uint32_t queue_len;      /**< its queue capacity */
    uint32_t ncaps;          /**< capabilities (see acrypto_ctx_device_caps()) */
};

/**
 * Fill up to `max` entries of `out` (may be NULL when max is 0) with the
 * scheduler's devices. Returns the number of devices (may exceed max).
 * Any thread, never blocks for long.
 */
size_t acrypto_ctx_devices(const acrypto_ctx *ctx, struct acrypto_device_info *out, size_t max);
/**
 * Copy up to `max` capabilities of device number `index` (order of
 * acrypto_ctx_devices()) into `out`. Returns the device's capability count, or 0
 * for a bad index. Any thread.
 */
size_t acrypto_ctx_device_caps(const acrypto_ctx *ctx, size_t index, struct acrypto_capability *out,
                               size_t max);

/** One named scheduler counter. */
struct acrypto_stat_entry {
    char name[64]; /**< "submitted", "completed", "dev.cpu.completed", ... */
    uint64_t value;
};
/**
 * Fill up to `max` counters into `out` (NULL when max is 0). Returns the number
 * of counters (may exceed max). Any thread.
 */
size_t acrypto_ctx_stats(const acrypto_ctx *ctx, struct acrypto_stat_entry *out, size_t max);
/**
 * Run every device's self-test. Returns ACRYPTO_OK when all passed, else
 * ACRYPTO_E_DEVICE with the failures in `msg` (may be NULL). May block.
 */
int acrypto_ctx_self_test(acrypto_ctx *ctx, char *msg, size_t msglen);

/**
 * A key for algorithm `alg` (enum acrypto_alg): `len` bytes copied in. AES-XTS
 * keys are both halves (32 or 64 bytes). Returns a new key owned by the caller,
 * or NULL (bad arguments, out of memory). Any thread, never blocks.
 */
acrypto_key_handle *acrypto_key_new(acrypto_ctx *ctx, uint32_t alg, const uint8_t *bytes,
                                    size_t len);
/**
 * Drop the caller's reference. Sessions that use the key keep it alive until they
 * are freed; the bytes are wiped when the last reference goes. NULL is a no-op.
 */
void acrypto_key_free(acrypto_key_handle *key);

/** What a session does. Zero-initialise, set struct_size = sizeof(struct acrypto_session_params).
 */
struct acrypto_session_params {
    uint32_t struct_size; /**< sizeof(struct acrypto_session_params) the caller was built with */
    uint32_t op;          /**< enum acrypto_op: CIPHER, DIGEST, MAC, RAND */
    uint32_t alg;         /**< enum acrypto_alg */
    uint32_t mode;        /**< enum acrypto_mode (NONE for digests) */
    uint32_t dir;         /**< enum acrypto_dir for ciphers, else 0 */
    uint32_t priority;    /**< ACRYPTO_PRIO_MIN..ACRYPTO_PRIO_MAX (3 is the usual default) */
    const acrypto_key_handle *key; /**< cipher/MAC key (the session takes a reference), else NULL */
    const uint8_t *iv;             /**< IV, counter or XTS tweak (copied), may be NULL */
    size_t iv_len;                 /**< at most ACRYPTO_MAX_IV */
    const char *device;            /**< bind to this device instance ("cpu"), or NULL for any */
    const uint8_t *in;             /**< input, copied into session-owned memory at creation */
    size_t in_len;
    uint8_t *out;      /**< caller's output buffer: written once, at completion */
    size_t out_len;    /**< room at out (ciphers: >= in_len; digests: digest size) */
    uint32_t tag_len;  /**< AEAD tag bytes, else 0 */
    uint32_t reserved; /**< 0 */
};

/**
 * Create a session: input copied into session-owned memory. Digests and MACs are
 * one-shot (first and final chunk). Returns a new session owned by the caller, or
 * NULL with the reason in `*status` (may be NULL): ACRYPTO_E_INVALID,
 * ACRYPTO_E_NOMEM. Any thread, never blocks.
 */
acrypto_session_handle *
acrypto_session_new(acrypto_ctx *ctx, const struct acrypto_session_params *params, int *status);
/**
 * Free a session. A session still running is detached: its output buffer is no
 * longer written and its callback no longer called once this returns (it waits
 * for a callback that is running now). NULL is a no-op. Any thread except from
 * this session's own callback.
 */
void acrypto_session_free(acrypto_session_handle *s);

/**
 * Queue the session. `cb` (may be NULL) runs once at completion with `arg`.
 * Returns ACRYPTO_OK (it will complete exactly once), ACRYPTO_E_BUSY (every
 * capable device is full: retry after another session completed), or
 * ACRYPTO_E_UNSUPPORTED / ACRYPTO_E_BOUND / ACRYPTO_E_SHUTDOWN / ACRYPTO_E_INVALID
 * (a second submit): nothing runs then. Any thread, never blocks.
 */
int acrypto_submit(acrypto_session_handle *s, acrypto_done_cb cb, void *arg);
/**
 * Submit and wait: the synchronous call. Returns the session's final status or a
 * submit error. May block; must not run in a callback.
 */
int acrypto_run(acrypto_session_handle *s);
/**
 * Block until the session completes or `timeout_ms` passed (ACRYPTO_WAIT_FOREVER:
 * no limit; 0: poll). Returns the final status (0 or negative), ACRYPTO_PENDING
 * when it has not completed in time, or ACRYPTO_E_INVALID when it was never
 * submitted. Never spins (sleeps on a condition variable). Must not run in a callback.
 */
int acrypto_wait(acrypto_session_handle *s, int timeout_ms);
/** Final status, or ACRYPTO_PENDING before completion. Any thread, never blocks. */
int acrypto_session_status(const acrypto_session_handle *s);
/**
 * An eventfd (EFD_NONBLOCK) that becomes readable when the session completes, for
 * poll/epoll loops. Created on first call, owned by the session (closed by
 * acrypto_session_free()); readable at once when the session already completed.
 * Returns the fd or -1 (errno set). Any thread, never blocks.
 */
int acrypto_session_get_eventfd(acrypto_session_handle *s);
/** Bytes written to the output buffer (valid after completion). */
size_t acrypto_session_get_out_len(const acrypto_session_handle *s);
/**
 * Copy the step's output IV / chaining value (for continuing a CBC/CTR stream)
 * into `iv` (up to `len` bytes). Returns the bytes copied; 0 before completion.
 */
size_t acrypto_session_get_iv(const acrypto_session_handle *s, uint8_t *iv, size_t len);
/** Name of the device that ran the session ("" before completion), owned by the library. */
const char *acrypto_session_get0_device(const acrypto_session_handle *s);

#ifdef __cplusplus
}
#endif

#endif /* ACRYPTO_ACRYPTO_H */
