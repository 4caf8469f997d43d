/* SPDX-License-Identifier: Apache-2.0 */
/* acrypto/session.h - what a device sees of a session (plugin C ABI, version 1). */
#ifndef ACRYPTO_SESSION_H
#define ACRYPTO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version of every table in include/acrypto. Bumped on incompatible change. */
#define ACRYPTO_ABI_VERSION 1u

/** Most steps one session's route may carry. */
#define ACRYPTO_MAX_STEPS 4u
/** Largest IV / counter / tweak a step carries, bytes. */
#define ACRYPTO_MAX_IV 32u
/** Largest AEAD tag, bytes. */
#define ACRYPTO_MAX_TAG 16u
/** Size of the digest/MAC continuation state, bytes (SHA-512 chaining value). */
#define ACRYPTO_MAX_STATE 64u
/** Lowest and highest session priority. */
#define ACRYPTO_PRIO_MIN 0u
#define ACRYPTO_PRIO_MAX 7u

/** Status codes: 0 or negative. Used by complete callbacks and table functions. */
enum acrypto_status {
    ACRYPTO_OK = 0,
    ACRYPTO_E_BUSY = -1,        /**< no room now; retry later (never a failure) */
    ACRYPTO_E_UNSUPPORTED = -2, /**< operation/algorithm/mode/size not handled */
    ACRYPTO_E_INVALID = -3,     /**< bad input: key/IV length, alignment, sizes */
    ACRYPTO_E_DEVICE = -4,      /**< device fault: the scheduler may rehash the session */
    ACRYPTO_E_TIMEOUT = -5,     /**< device did not answer in time: may rehash */
    ACRYPTO_E_SHUTDOWN = -6,    /**< device or scheduler shutting down */
    ACRYPTO_E_VERIFY = -7,      /**< signature or tag did not verify (not a fault) */
    ACRYPTO_E_NOMEM = -8,       /**< out of memory */
    ACRYPTO_E_INTERNAL = -9,    /**< bug or broken invariant */
    ACRYPTO_E_BOUND = -10       /**< bound device unavailable; bound sessions never move */
};

/** Operation kinds. */
enum acrypto_op {
    ACRYPTO_OP_NONE = 0,
    ACRYPTO_OP_CIPHER = 1, /**< symmetric cipher, AEAD included */
    ACRYPTO_OP_DIGEST = 2,
    ACRYPTO_OP_MAC = 3,
    ACRYPTO_OP_RAND = 4,
    ACRYPTO_OP_PKEY = 5
};

/** Algorithms. Ciphers, digests (also the hash of an HMAC), public key, random. */
enum acrypto_alg {
    ACRYPTO_ALG_NONE = 0,
    ACRYPTO_ALG_AES = 1,
    ACRYPTO_ALG_DES = 2,
    ACRYPTO_ALG_DES_EDE3 =
        3, /**< key is K1|K2|K3, 24 bytes (two-key 3DES expanded by the caller) */
    ACRYPTO_ALG_CHACHA20 = 4,
    ACRYPTO_ALG_MD5 = 16,
    ACRYPTO_ALG_SHA1 = 17,
    ACRYPTO_ALG_SHA224 = 18,
    ACRYPTO_ALG_SHA256 = 19,
    ACRYPTO_ALG_SHA384 = 20,
    ACRYPTO_ALG_SHA512 = 21,
    ACRYPTO_ALG_RSA = 32,
    ACRYPTO_ALG_RSA_PSS = 33,
    ACRYPTO_ALG_EC = 34, /**< key names the curve */
    ACRYPTO_ALG_X25519 = 35,
    ACRYPTO_ALG_X448 = 36,
    ACRYPTO_ALG_RNG = 48 /**< random bytes / entropy */
};

/** Modes. Cipher chaining modes; MAC constructions; public-key primitives. */
enum acrypto_mode {
    ACRYPTO_MODE_NONE = 0,
    ACRYPTO_MODE_ECB = 1,
    ACRYPTO_MODE_CBC = 2,
    ACRYPTO_MODE_CFB = 3, /**< CFB128 */
    ACRYPTO_MODE_OFB = 4,
    ACRYPTO_MODE_CTR = 5, /**< 128-bit big-endian counter in iv */
    ACRYPTO_MODE_GCM = 6,
    ACRYPTO_MODE_XTS = 7,
    ACRYPTO_MODE_STREAM = 8,   /**< plain stream cipher (ChaCha20: iv = counter|nonce) */
    ACRYPTO_MODE_POLY1305 = 9, /**< ChaCha20-Poly1305 AEAD */
    ACRYPTO_MODE_HMAC = 16,    /**< alg names the digest */
    ACRYPTO_MODE_CMAC = 17,    /**< alg names the cipher */
    ACRYPTO_MODE_PK_SIGN = 32,
    ACRYPTO_MODE_PK_VERIFY = 33,
    ACRYPTO_MODE_PK_ENCRYPT = 34,
    ACRYPTO_MODE_PK_DECRYPT = 35,
    ACRYPTO_MODE_PK_DERIVE = 36,
    ACRYPTO_MODE_PK_KEYGEN = 37
};

/** Direction of a cipher step (bit values, so a capability can hold both). */
enum acrypto_dir { ACRYPTO_DIR_ENCRYPT = 1u, ACRYPTO_DIR_DECRYPT = 2u };

/** Step flags. */
enum acrypto_step_flag {
    /** Digest/MAC: this chunk starts the message (ignore state/state_len on input). */
    ACRYPTO_STEP_F_FIRST = 1u << 0,
    /** Digest/MAC: this chunk ends the message: pad and write the result to dst. */
    ACRYPTO_STEP_F_FINAL = 1u << 1,
    /** src == dst (in place). */
    ACRYPTO_STEP_F_INPLACE = 1u << 2
};

/** Public-key padding modes (values match OpenSSL's RSA_*_PADDING numbers). */
enum acrypto_pk_pad {
    ACRYPTO_PAD_NONE = 3,
    ACRYPTO_PAD_PKCS1 = 1,
    ACRYPTO_PAD_OAEP = 4,
    ACRYPTO_PAD_X931 = 5,
    ACRYPTO_PAD_PSS = 6,
    ACRYPTO_PAD_PKCS1_TLS = 7 /**< TLS 1.2 RSA key transport (implicit rejection rules) */
};

/**
 * Key context: registered once per EVP context, refcounted by the scheduler,
 * wiped when the last reference goes. Devices may cache a key schedule or a
 * device-side session under `id`; `key_free_fn` (device.h) tells them when it dies.
 */
struct acrypto_key {
    uint64_t id;    /**< unique in this process for the key's lifetime, never reused */
    uint32_t alg;   /**< enum acrypto_alg the key is for */
    uint32_t flags; /**< reserved, 0 */
    const uint8_t
        *data;  /**< cipher/MAC key bytes; public-key: DER (PKCS#8 private or SPKI public) */
    size_t len; /**< bytes at data */
    uint32_t curve_nid; /**< ACRYPTO_ALG_EC: OpenSSL NID of the named curve, else 0 */
    uint32_t bits;      /**< public-key size in bits, else 0 */
};

/**
 * Parameters of a public-key step. ACRYPTO_MODE_PK_KEYGEN of RSA and RSA-PSS reads three
 * of them: other holds the public exponent, big-endian (none: 65537); an RSA-PSS key is
 * restricted to digest, mgf1_digest and a minimum salt of saltlen (digest NONE: no
 * restriction; saltlen < 0: the default minimum).
 */
struct acrypto_pk_params {
    int32_t pad;          /**< enum acrypto_pk_pad */
    uint32_t digest;      /**< enum acrypto_alg digest for sign/verify/OAEP, or NONE */
    uint32_t mgf1_digest; /**< PSS/OAEP MGF1 digest, or NONE = digest */
    int32_t saltlen;      /**< PSS salt length; -1 digest length, -2 max (OpenSSL meanings) */
    const uint8_t *label; /**< OAEP label, may be NULL */
    size_t label_len;
    const uint8_t *other; /**< verify: signature; derive: peer public key (raw or DER);
                               RSA keygen: public exponent */
    size_t other_len;
    uint32_t tls_version; /**< PKCS1_TLS: client version for the premaster check */
    uint32_t reserved;
};

/**
 * One step of a route. The scheduler owns every buffer a step points at for the
 * whole life of the session: a device writes only into dst, iv, num, tag,
 * state, state_len and out_len of the step(s) it was handed.
 */
struct acrypto_step {
    uint32_t op;                   /**< enum acrypto_op */
    uint32_t alg;                  /**< enum acrypto_alg */
    uint32_t mode;                 /**< enum acrypto_mode */
    uint32_t dir;                  /**< enum acrypto_dir for ciphers, else 0 */
    uint32_t flags;                /**< enum acrypto_step_flag */
    uint32_t iv_len;               /**< bytes of iv in use */
    const struct acrypto_key *key; /**< NULL for digests and random */
    uint8_t iv[ACRYPTO_MAX_IV]; /**< in: IV/counter/tweak; out: chaining value for the next chunk */
    uint32_t num; /**< CTR/CFB/OFB: bytes of the current keystream block already used (in/out) */
    uint32_t tag_len; /**< AEAD tag bytes: out on encrypt, checked on decrypt */
    uint8_t tag[ACRYPTO_MAX_TAG];
    const uint8_t *aad; /**< AEAD additional data, may be NULL */
    size_t aad_len;
    uint8_t state[ACRYPTO_MAX_STATE]; /**< digest/MAC chaining value (FIPS 180 words, big-endian) */
    uint64_t state_len;               /**< message bytes already absorbed into state */
    struct acrypto_pk_params pk;
    const uint8_t *src; /**< input bytes (one contiguous span) */
    size_t src_len;
    uint8_t *dst;   /**< output bytes; may equal src for ciphers */
    size_t dst_len; /**< room at dst */
    size_t out_len; /**< device sets: bytes written to dst */
};

/** Session flags (scheduler-set; devices read them). */
enum acrypto_session_flag {
    ACRYPTO_SESSION_F_BOUND = 1u << 0,    /**< runs on the bound device or fails, never moves */
    ACRYPTO_SESSION_F_INLINE_OK = 1u << 1 /**< may run on the caller's thread */
};

/**
 * What a device sees of a session. Devices read `steps[cur]` (and following
 * steps when a fused capability matched), write results into those steps, and
 * report with the host's complete callback. `dev_scratch` belongs to the device
 * that currently holds the session and is zeroed before each hand-over.
 */
struct acrypto_session {
    uint32_t struct_size; /**< sizeof(struct acrypto_session) as built by the scheduler */
    uint32_t priority;    /**< ACRYPTO_PRIO_MIN..ACRYPTO_PRIO_MAX */
    uint32_t flags;       /**< enum acrypto_session_flag */
    uint32_t nsteps;      /**< 1..ACRYPTO_MAX_STEPS */
    uint32_t cur;         /**< index of the step this hand-over is for */
    uint32_t ncur; /**< how many consecutive steps from cur this device was given (fused: >1) */
    uint64_t id;   /**< unique per session, for tracing */
    struct acrypto_step *steps;
    uint64_t dev_scratch[4];
};

#ifdef __cplusplus
}
#endif

#endif /* ACRYPTO_SESSION_H */
