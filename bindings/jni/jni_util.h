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

/* The VM, cached by JNI_OnLoad: callbacks from C into Java find their JNIEnv through it. */
extern JavaVM *cj_vm;

/* Cache the exception classes; called once from JNI_OnLoad. */
int cj_init_exceptions(JNIEnv *env);
void cj_free_exceptions(JNIEnv *env);

/* Cache a global class reference (and, if sig is not NULL, its constructor). */
int cj_cache_class(JNIEnv *env, const char *name, const char *ctor_sig, jclass *cls, jmethodID *ctor);

/* Throw the exception for rc (< 0) with the given detail (may be NULL).
 * CUSTOS_EINVAL -> IllegalArgumentException, CUSTOS_ENOMEM -> OutOfMemoryError,
 * everything else a CustosException subclass carrying the code. For
 * CUSTOS_EKEY the message also carries what a Java KeyProvider threw on this
 * thread (see jni_keyprovider.c). */
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
/* Overwrite a Java byte[] with zeros (best effort: the GC may have copied it). */
void cj_bytes_wipe_java(JNIEnv *env, jbyteArray arr);

/* Subject numbers travel as jlong so that all of uint32_t fits; throws
 * IllegalArgumentException and returns -1 if out of range. */
int cj_subject(JNIEnv *env, jlong v, custos_subject *out);
/* Purpose and category ids: non-negative jint. */
int cj_u32(JNIEnv *env, jint v, const char *what, uint32_t *out);

/* Key provider detail (jni_keyprovider.c): what the last failed Java
 * callback on this thread threw; "" if none. cj_throw consumes it. */
const char *cj_kp_detail(void);
void cj_kp_detail_clear(void);

/* UTF-8 copy of a Java String (NULL allowed only if nullable); free with
 * cj_string_free. Real UTF-8, not JNI's modified UTF-8: a string with U+0000
 * or an unpaired surrogate throws IllegalArgumentException naming its index. */
int cj_string_get(JNIEnv *env, jstring s, int nullable, char **out);
/* A Java String from UTF-8 text (ill-formed bytes become U+FFFD); NULL for a
 * NULL argument, or with an exception pending. */
jstring cj_string_new(JNIEnv *env, const char *utf8);
/* The length of the longest prefix of s of at most max bytes that does not
 * end inside a UTF-8 sequence. */
size_t cj_utf8_prefix(const char *s, size_t max);
void cj_string_free(char *s);

/* One entry of a JNINativeMethod table (JNI's fields are non-const char *). */
#define CJ_NATIVE(name, sig, fn) { (char *)(name), (char *)(sig), (void *)(fn) }

/* Register natives of one class; returns 0 or -1 (exception pending). */
int cj_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int n);

/* Each bridge file registers its class's natives (and caches what it needs). */
int cj_register_custos(JNIEnv *env);
int cj_register_keyprovider(JNIEnv *env);
int cj_register_subject(JNIEnv *env);
int cj_register_consent(JNIEnv *env);
int cj_register_vault(JNIEnv *env);
int cj_register_erase(JNIEnv *env);
int cj_register_manifest(JNIEnv *env);
int cj_register_disclose(JNIEnv *env);
int cj_register_audit(JNIEnv *env);
int cj_register_sync(JNIEnv *env);

/* A key provider whose callbacks call a Java io.custos.KeyProvider
 * (jni_keyprovider.c). NULL with an exception pending on failure. */
custos_key_provider *cj_kp_new(JNIEnv *env, jobject provider);
void cj_kp_free(JNIEnv *env, custos_key_provider *kp);

#endif
