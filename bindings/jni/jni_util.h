/*
 * jni_util.h: what every JNI file of the bridge shares: the exception
 * mapping (one function builds every CustosException), byte-array copies
 * that are wiped, and registration of native methods.
 *
 * Rules of the bridge: natives are static methods registered in JNI_OnLoad;
 * handles travel as jlong and the Java side keeps its object reachable (and
 * the handle valid, under a read lock) for the whole call; secrets are copied
 * out of Java arrays with GetByteArrayRegion into native memory and wiped;
 * after throwing, a native returns at once.
 */
#ifndef CUSTOS_JNI_UTIL_H
#define CUSTOS_JNI_UTIL_H

#include <jni.h>
#include <stddef.h>
#include <stdint.h>

#include <custos/custos.h>

/* Cache the exception classes; called once from JNI_OnLoad. */
int cj_init_exceptions(JNIEnv *env);
void cj_free_exceptions(JNIEnv *env);

/* Throw the exception for rc (< 0) with the given detail (may be NULL).
 * CUSTOS_EINVAL -> IllegalArgumentException, CUSTOS_ENOMEM -> OutOfMemoryError,
 * everything else a CustosException subclass carrying the code. */
void cj_throw(JNIEnv *env, int rc, const char *detail);
/* Throw for rc using custos_errmsg(ctx) as the detail. */
void cj_throw_ctx(JNIEnv *env, int rc, const custos_t *ctx);
void cj_throw_illegal_argument(JNIEnv *env, const char *msg);

static inline custos_t *cj_ctx(jlong h) { return (custos_t *)(intptr_t)h; }

/* A copy of a Java byte[] in native memory; wiped and freed by cj_bytes_free. */
typedef struct cj_bytes {
    uint8_t *data;
    size_t len;
} cj_bytes;

/* Copy arr (NULL allowed only if nullable) into out. Throws and returns -1 on failure. */
int cj_bytes_get(JNIEnv *env, jbyteArray arr, int nullable, cj_bytes *out);
void cj_bytes_free(cj_bytes *b);
/* A new Java byte[] holding data[0..len). NULL (with an exception pending) on failure. */
jbyteArray cj_bytes_new(JNIEnv *env, const uint8_t *data, size_t len);

/* UTF-8 copy of a Java String (NULL allowed only if nullable); free with cj_string_free. */
int cj_string_get(JNIEnv *env, jstring s, int nullable, char **out);
void cj_string_free(char *s);

/* One entry of a JNINativeMethod table (JNI's fields are non-const char *). */
#define CJ_NATIVE(name, sig, fn) { (char *)(name), (char *)(sig), (void *)(fn) }

/* Register natives of one class; returns 0 or -1 (exception pending). */
int cj_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int n);

/* Each bridge file registers its class's natives. */
int cj_register_custos(JNIEnv *env);

#endif
