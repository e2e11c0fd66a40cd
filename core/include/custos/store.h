/*
 * custos/store.h: opening and closing a Custos store, and the seams through
 * which the host supplies keys, time and randomness.
 *
 * A store is a directory the SDK owns. It holds a format header (STORE), the
 * SQLite database (custos.db with its -wal and -shm), the key file of the
 * default key provider (keys, mode 0600) and, during multi-step erasures, an
 * intent journal. Nothing else may write there.
 *
 * A custos_t handle may be shared between threads. Writers are serialised
 * inside the library; the consent gate (gate.h) reads without a lock.
 */
#ifndef CUSTOS_STORE_H
#define CUSTOS_STORE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct custos custos_t;

/* --- Key provider ------------------------------------------------------ */

/*
 * The key provider holds the key-encryption keys (KEKs) and the device
 * signing key. Neither ever leaves it: Custos asks it to wrap, unwrap and
 * sign. KEKs are numbered by generation so that a rotation can be resumed
 * after a crash: create generation n+1, re-wrap every data key, commit, then
 * destroy generation n.
 *
 * Every callback returns 0 or a negative CUSTOS_E* code. A provider that
 * cannot open a wrapped key (wrong KEK, tampered blob) returns CUSTOS_EKEY.
 *
 * Version 2 added the optional anchor calls at the end; a provider built
 * for version 1 (without them) is still accepted.
 */
#define CUSTOS_KEY_PROVIDER_VERSION 2
#define CUSTOS_WRAP_OVERHEAD 40u /* wrapped = plaintext + 24-byte nonce + 16-byte tag */

typedef struct custos_key_provider {
    unsigned int version;  /* CUSTOS_KEY_PROVIDER_VERSION */
    void *state;

    /* Open or create the provider's keys for the store at dir. */
    int  (*open)(void *state, const char *dir, int create);
    void (*close)(void *state);

    /* KEK generations. current() reports the newest live one. */
    int (*kek_current)(void *state, uint32_t *out_generation);
    int (*kek_create)(void *state, uint32_t *out_generation);
    int (*kek_destroy)(void *state, uint32_t generation);

    /* Wrap / unwrap a data key with a KEK generation, bound to ad. */
    int (*wrap)(void *state, uint32_t generation,
                uint8_t *out, size_t out_size, size_t *out_len,
                const uint8_t *key, size_t key_len,
                const uint8_t *ad, size_t ad_len);
    int (*unwrap)(void *state, uint32_t generation,
                  uint8_t *out, size_t out_size, size_t *out_len,
                  const uint8_t *wrapped, size_t wrapped_len,
                  const uint8_t *ad, size_t ad_len);

    /* The device signing key (Ed25519). */
    int (*sign)(void *state, uint8_t sig[64], const uint8_t *msg, size_t len);
    int (*public_key)(void *state, uint8_t pk[32]);

    /* The device index key: a 32-byte secret for keyed hashes of subject ids.
     * Copied into guarded memory by the caller and wiped after use. */
    int (*index_key)(void *state, uint8_t key[32]);

    /* Destroy every key the provider holds (factory reset). */
    int (*destroy_all)(void *state);

    /* 1 if the keys live in hardware (secure element, TEE), else 0. */
    int (*hardware_backed)(void *state);

    /* Optional (both NULL: the anchor is the file <dir>/anchor). The store's
     * anchor (docs/security.md, "The store's anchor"): at most 128 bytes
     * Custos stores after each commit that grows the consent ledger or the
     * audit chain, and loads at open to refuse a database older than it. A
     * provider that keeps it where the store's files cannot take it back
     * (rollback-protected storage, a TPM NV index, a secure element's
     * monotonic counter) makes open refuse a directory restored whole from
     * an older copy. anchor_store must replace the value atomically;
     * anchor_load returns CUSTOS_ENOTFOUND if none was stored, CUSTOS_ERANGE
     * with *out_len set if out_size is short. */
    int (*anchor_store)(void *state, const uint8_t *anchor, size_t len);
    int (*anchor_load)(void *state, uint8_t *out, size_t out_size, size_t *out_len);
} custos_key_provider;

/*
 * The default provider: keys in <dir>/keys, mode 0600, written atomically.
 * It protects against reading the database alone (a copy, a backup, a
 * forensic image of custos.db); it does not protect against an attacker who
 * reads the whole directory. See docs/security.md.
 */
CUSTOS_API int  custos_key_provider_file(custos_key_provider **out);
CUSTOS_API void custos_key_provider_free(custos_key_provider *kp);

/*
 * A key provider like the file provider above, whose key file
 * (<dir>/keys) is sealed under a key derived from a passphrase with
 * Argon2id (crypto_pwhash, MODERATE limits, parameters and salt stored in
 * the file). The derivation runs once per open. A wrong passphrase makes
 * custos_open fail with CUSTOS_EKEY. The passphrase is copied into guarded
 * memory; the caller may wipe its own copy at once. Free with
 * custos_key_provider_free() after the store is closed.
 */
CUSTOS_API int custos_key_provider_passphrase(custos_key_provider **out, const char *passphrase, size_t len);

/* --- Clock and randomness ---------------------------------------------- */

/* Time confidence, as recorded with every consent event. */
typedef enum custos_time_confidence {
    CUSTOS_TIME_MONOTONIC_ONLY = 0,
    CUSTOS_TIME_APP_SIGNED     = 1,
    CUSTOS_TIME_TRUSTED_CLOCK  = 2
} custos_time_confidence;

typedef struct custos_clock {
    /* Seconds since the Unix epoch, and how far to trust it. */
    uint64_t (*now)(void *state, custos_time_confidence *confidence);
    void *state;
} custos_clock;

typedef struct custos_rng {
    void (*fill)(void *state, uint8_t *buf, size_t len);
    void *state;
} custos_rng;

/* --- Opening a store --------------------------------------------------- */

#define CUSTOS_OPEN_CREATE   0x1u  /* create the store if dir holds none */
/* Keep the vault's key cache no-access between vault calls (two mprotect(2) calls per call, measured at
 * about 2 us per call on a 2-vCPU VM: docs/BENCHMARKS.md). Without it the cache stays readable for the
 * handle's life, still in guarded memory (guard pages, mlock, no core dumps) and wiped as documented in
 * docs/security.md. Choose it where other code in the process may read out of bounds. */
#define CUSTOS_OPEN_KEYS_NOACCESS 0x2u
#define CUSTOS_OPEN_OPTIONS_VERSION 1

typedef struct custos_open_options {
    unsigned int version;                   /* CUSTOS_OPEN_OPTIONS_VERSION */
    unsigned int flags;                     /* CUSTOS_OPEN_* */
    custos_key_provider *key_provider;      /* NULL: the file provider in dir; not owned */
    const custos_clock *clock;              /* NULL: the system clock (trusted) */
    const custos_rng *rng;                  /* NULL: libsodium's randombytes */
    const char *sqlite_vfs;                 /* NULL: SQLite's default VFS (tests inject faults here) */
} custos_open_options;

#define CUSTOS_OPEN_OPTIONS_INIT { CUSTOS_OPEN_OPTIONS_VERSION, CUSTOS_OPEN_CREATE, NULL, NULL, NULL, NULL }

/*
 * Open the store in dir (created with mode 0700 if CUSTOS_OPEN_CREATE and
 * absent). opts may be NULL for the defaults. On failure *out is NULL and
 * the code says why: CUSTOS_ENOTSTORE (a foreign file where the header
 * should be), CUSTOS_EVERSION (written by a newer Custos), CUSTOS_ECORRUPT
 * (a truncated or altered header), CUSTOS_ENOTFOUND (no store and no CREATE),
 * CUSTOS_EKEY (the key provider failed), CUSTOS_EIO / CUSTOS_ENOSPC.
 * custos_last_error() (common.h) gives the detail of a failed open.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_open(custos_t **out, const char *dir, const custos_open_options *opts);

/* Close the handle and wipe every secret it holds. NULL is accepted. */
CUSTOS_API void custos_close(custos_t *ctx);

/* Detail of the last failure on ctx (never NULL; "" if none). Thread-safe:
 * the text is copied into a buffer of the calling thread. */
CUSTOS_API const char *custos_errmsg(const custos_t *ctx);

/* The store's directory, and this device's 16-byte id. */
CUSTOS_API const char *custos_store_dir(const custos_t *ctx);
CUSTOS_API int custos_device_id(const custos_t *ctx, uint8_t out[16]);
/* The device's Ed25519 public key (verifies receipts, events, audit checkpoints). */
CUSTOS_API int custos_device_public_key(const custos_t *ctx, uint8_t out[32]);

/* The store format this build writes, and the oldest it migrates from. */
#define CUSTOS_STORE_FORMAT_VERSION 3u
CUSTOS_API uint32_t custos_store_format_version(void);

#ifdef __cplusplus
}
#endif
#endif
