/*
 * custos/common.h: error codes, version, allocator hooks and size getters
 * shared by every Custos module.
 *
 * Every function of the core returns an int: 0 on success, a negative
 * CUSTOS_E* code on failure. custos_strerror() names a code in a static
 * string; custos_errmsg() (store.h) gives the detail of the last failure on a
 * handle, custos_last_error() that of a call without one. The codes are stable: the Java and Swift bindings map each one to a
 * distinct exception or error case, so a new failure mode gets a new code
 * rather than overloading an old one.
 */
#ifndef CUSTOS_COMMON_H
#define CUSTOS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define CUSTOS_API __attribute__((visibility("default")))
#  define CUSTOS_WARN_UNUSED __attribute__((warn_unused_result))
#else
#  define CUSTOS_API
#  define CUSTOS_WARN_UNUSED
#endif

/* Error codes. Never renumber; append new ones before CUSTOS_E__LAST. */
enum {
    CUSTOS_OK         = 0,
    CUSTOS_EINVAL     = -1,  /* an argument is invalid (NULL, out of range, malformed) */
    CUSTOS_ENOMEM     = -2,  /* an allocation failed */
    CUSTOS_EIO        = -3,  /* a read, write, sync, rename or unlink failed */
    CUSTOS_ENOSPC     = -4,  /* the disk is full */
    CUSTOS_ECORRUPT   = -5,  /* stored or received data failed an integrity check */
    CUSTOS_EVERSION   = -6,  /* a format version this build cannot read */
    CUSTOS_ENOTSTORE  = -7,  /* the path is not a Custos store */
    CUSTOS_EKEY       = -8,  /* a key is missing, wrong or could not be used */
    CUSTOS_EDENIED    = -9,  /* the gate denied the operation */
    CUSTOS_ENOTFOUND  = -10, /* no such subject, purpose, record or file */
    CUSTOS_EEXIST     = -11, /* it already exists */
    CUSTOS_ESIGNATURE = -12, /* a signature did not verify */
    CUSTOS_EREPLAY    = -13, /* a message was already applied (counter not increasing) */
    CUSTOS_EMANIFEST  = -14, /* the manifest is invalid; custos_errmsg() says where and why */
    CUSTOS_EBUSY      = -15, /* the store is locked by another process */
    CUSTOS_ERANGE     = -16, /* an output buffer is too small; *out_len holds the size needed */
    CUSTOS_ESTATE     = -17, /* the operation is not allowed in the current state */
    CUSTOS_ECRYPTO    = -18, /* the crypto library failed to initialise or operate */
    CUSTOS_EINTERNAL  = -19, /* a bug in Custos: please report it */
    CUSTOS_ECANCELED  = -20, /* a progress callback asked to stop; the operation resumes on next open */
    CUSTOS_EUNSUPPORTED = -21, /* this machine lacks what the data needs (a record sealed with AES-256-GCM) */
    CUSTOS_E__LAST    = -22
};

/* The static name and meaning of an error code, e.g. "CUSTOS_EKEY: wrong or missing key". */
CUSTOS_API const char *custos_strerror(int code);

/*
 * The detail of the last failure, on the calling thread, of a call that
 * takes no handle: custos_open, custos_factory_reset once it has closed the
 * old handle, the verifiers (custos_receipt_verify, custos_receipt_json,
 * custos_consent_receipt_verify, custos_audit_verify_export,
 * custos_erase_request_accept) and every manifest and disclosure call (which
 * also fill their custos_manifest_error, with the YAML line and column).
 * Never NULL; meaningful only right after such a call failed, as a later
 * failure on the same thread replaces it and a success leaves it alone.
 * Calls on a handle report through custos_errmsg(ctx) (store.h) instead.
 */
CUSTOS_API const char *custos_last_error(void);

/* The library version, "MAJOR.MINOR.PATCH". */
CUSTOS_API const char *custos_version(void);
CUSTOS_API int custos_version_number(void); /* MAJOR * 10000 + MINOR * 100 + PATCH */

/*
 * Allocator hooks. Set them once, before any other call; every allocation
 * Custos makes (including protobuf-c's) goes through them. NULL restores the
 * C library's. Returns CUSTOS_ESTATE if a store is open.
 */
typedef struct custos_allocator {
    void *(*malloc_fn)(size_t size, void *user);
    void *(*realloc_fn)(void *ptr, size_t size, void *user);
    void  (*free_fn)(void *ptr, void *user);
    void  *user;
} custos_allocator;

CUSTOS_API int custos_set_allocator(const custos_allocator *alloc);

/* Wipe n bytes at p so that the compiler cannot elide it (sodium_memzero).
 * The one wipe routine of Custos, exported for the bindings' secret buffers. */
CUSTOS_API void custos_wipe(void *p, size_t n);

/* Size getters, so that bindings can size their buffers. */
CUSTOS_API size_t custos_hash_bytes(void);        /* 32: BLAKE2b-256 */
CUSTOS_API size_t custos_public_key_bytes(void);  /* 32: Ed25519 */
CUSTOS_API size_t custos_signature_bytes(void);   /* 64: Ed25519 */
CUSTOS_API size_t custos_device_id_bytes(void);   /* 16 */
CUSTOS_API size_t custos_errmsg_max(void);        /* longest custos_errmsg(), with its NUL */

#define CUSTOS_HASH_BYTES        32u
#define CUSTOS_PUBLIC_KEY_BYTES  32u
#define CUSTOS_SIGNATURE_BYTES   64u
#define CUSTOS_DEVICE_ID_BYTES   16u
#define CUSTOS_ERRMSG_MAX        512u

#ifdef __cplusplus
}
#endif
#endif
