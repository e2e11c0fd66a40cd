/* jni_util.c: exception mapping and safe copies between Java and C. */
#include "jni_util.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One Java class per error code a caller handles differently. */
static const struct { int code; const char *cls; } exception_classes[] = {
    { CUSTOS_ECORRUPT,   "io/custos/CorruptException" },
    { CUSTOS_EVERSION,   "io/custos/VersionException" },
    { CUSTOS_ENOTSTORE,  "io/custos/NotAStoreException" },
    { CUSTOS_EKEY,       "io/custos/KeyException" },
    { CUSTOS_EDENIED,    "io/custos/DeniedException" },
    { CUSTOS_ENOTFOUND,  "io/custos/NotFoundException" },
    { CUSTOS_EEXIST,     "io/custos/AlreadyExistsException" },
    { CUSTOS_ESIGNATURE, "io/custos/SignatureException" },
    { CUSTOS_EREPLAY,    "io/custos/ReplayException" },
    { CUSTOS_EMANIFEST,  "io/custos/ManifestException" },
    { CUSTOS_EBUSY,      "io/custos/BusyException" },
    { CUSTOS_EIO,        "io/custos/StorageException" },
    { CUSTOS_ENOSPC,     "io/custos/DiskFullException" },
    { CUSTOS_ESTATE,     "io/custos/InvalidStateException" },
    { CUSTOS_ECANCELED,  "io/custos/CanceledException" },
};
#define N_EXC (sizeof exception_classes / sizeof exception_classes[0])

JavaVM *cj_vm;

static jclass exc_class[N_EXC];
static jmethodID exc_ctor[N_EXC];
static jclass base_class;
static jmethodID base_ctor;

int cj_cache_class(JNIEnv *env, const char *name, const char *ctor_sig, jclass *cls, jmethodID *ctor)
{
    jclass local = (*env)->FindClass(env, name);
    if (local == NULL)
        return -1;
    *cls = (*env)->NewGlobalRef(env, local);
    (*env)->DeleteLocalRef(env, local);
    if (*cls == NULL)
        return -1;
    if (ctor_sig == NULL)
        return 0;
    *ctor = (*env)->GetMethodID(env, *cls, "<init>", ctor_sig);
    return *ctor == NULL ? -1 : 0;
}

static int cache(JNIEnv *env, const char *name, jclass *cls, jmethodID *ctor)
{
    return cj_cache_class(env, name, "(ILjava/lang/String;)V", cls, ctor);
}

int cj_init_exceptions(JNIEnv *env)
{
    if (cache(env, "io/custos/CustosException", &base_class, &base_ctor) != 0)
        return -1;
    for (size_t i = 0; i < N_EXC; i++)
        if (cache(env, exception_classes[i].cls, &exc_class[i], &exc_ctor[i]) != 0)
            return -1;
    return 0;
}

void cj_free_exceptions(JNIEnv *env)
{
    for (size_t i = 0; i < N_EXC; i++)
        if (exc_class[i] != NULL)
            (*env)->DeleteGlobalRef(env, exc_class[i]);
    if (base_class != NULL)
        (*env)->DeleteGlobalRef(env, base_class);
}

void cj_throw_illegal_argument(JNIEnv *env, const char *msg)
{
    jclass c = (*env)->FindClass(env, "java/lang/IllegalArgumentException");
    if (c != NULL)
        (*env)->ThrowNew(env, c, msg);
}

void cj_throw(JNIEnv *env, int rc, const char *detail)
{
    char msg[CUSTOS_ERRMSG_MAX + 384];
    const char *kp = rc == CUSTOS_EKEY ? cj_kp_detail() : "";
    if (detail != NULL && detail[0] != '\0')
        snprintf(msg, sizeof msg, "%s: %s%s%s", custos_strerror(rc), detail,
                 kp[0] != '\0' ? "; key provider: " : "", kp);
    else
        snprintf(msg, sizeof msg, "%s%s%s", custos_strerror(rc),
                 kp[0] != '\0' ? ": key provider: " : "", kp);
    cj_kp_detail_clear();
    if (rc == CUSTOS_EINVAL) {
        cj_throw_illegal_argument(env, msg);
        return;
    }
    if (rc == CUSTOS_ENOMEM) {
        jclass c = (*env)->FindClass(env, "java/lang/OutOfMemoryError");
        if (c != NULL)
            (*env)->ThrowNew(env, c, msg);
        return;
    }
    jclass cls = base_class;
    jmethodID ctor = base_ctor;
    for (size_t i = 0; i < N_EXC; i++)
        if (exception_classes[i].code == rc) {
            cls = exc_class[i];
            ctor = exc_ctor[i];
        }
    jstring jmsg = (*env)->NewStringUTF(env, msg);
    if (jmsg == NULL)
        return; /* OutOfMemoryError pending */
    jobject e = (*env)->NewObject(env, cls, ctor, (jint)rc, jmsg);
    (*env)->DeleteLocalRef(env, jmsg);
    if (e != NULL) {
        (*env)->Throw(env, (jthrowable)e);
        (*env)->DeleteLocalRef(env, e);
    }
}

void cj_throw_ctx(JNIEnv *env, int rc, const custos_t *ctx)
{
    cj_throw(env, rc, ctx != NULL ? custos_errmsg(ctx) : NULL);
}

int cj_bytes_get(JNIEnv *env, jbyteArray arr, int nullable, cj_bytes *out)
{
    out->data = NULL;
    out->len = 0;
    if (arr == NULL) {
        if (nullable)
            return 0;
        cj_throw_illegal_argument(env, "a byte array argument is null");
        return -1;
    }
    jsize n = (*env)->GetArrayLength(env, arr);
    out->data = sodium_malloc(n > 0 ? (size_t)n : 1);
    if (out->data == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return -1;
    }
    out->len = (size_t)n;
    (*env)->GetByteArrayRegion(env, arr, 0, n, (jbyte *)out->data);
    return 0;
}

void cj_bytes_free(cj_bytes *b)
{
    if (b->data != NULL)
        sodium_free(b->data); /* wipes */
    b->data = NULL;
    b->len = 0;
}

jbyteArray cj_bytes_new(JNIEnv *env, const uint8_t *data, size_t len)
{
    jbyteArray arr = (*env)->NewByteArray(env, (jsize)len);
    if (arr != NULL && len > 0)
        (*env)->SetByteArrayRegion(env, arr, 0, (jsize)len, (const jbyte *)data);
    return arr;
}

void cj_bytes_wipe_java(JNIEnv *env, jbyteArray arr)
{
    static const jbyte zeros[256];
    if (arr == NULL)
        return;
    jsize n = (*env)->GetArrayLength(env, arr);
    for (jsize off = 0; off < n; off += (jsize)sizeof zeros) {
        jsize k = n - off < (jsize)sizeof zeros ? n - off : (jsize)sizeof zeros;
        (*env)->SetByteArrayRegion(env, arr, off, k, zeros);
    }
}

int cj_subject(JNIEnv *env, jlong v, custos_subject *out)
{
    if (v < 0 || v > (jlong)UINT32_MAX) {
        cj_throw_illegal_argument(env, "a subject number is out of range");
        return -1;
    }
    *out = (custos_subject)v;
    return 0;
}

int cj_u32(JNIEnv *env, jint v, const char *what, uint32_t *out)
{
    if (v < 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "%s must not be negative", what);
        cj_throw_illegal_argument(env, msg);
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

int cj_string_get(JNIEnv *env, jstring s, int nullable, char **out)
{
    *out = NULL;
    if (s == NULL) {
        if (nullable)
            return 0;
        cj_throw_illegal_argument(env, "a string argument is null");
        return -1;
    }
    const char *utf = (*env)->GetStringUTFChars(env, s, NULL);
    if (utf == NULL)
        return -1;
    *out = strdup(utf);
    (*env)->ReleaseStringUTFChars(env, s, utf);
    if (*out == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return -1;
    }
    return 0;
}

void cj_string_free(char *s)
{
    if (s != NULL) {
        sodium_memzero(s, strlen(s));
        free(s);
    }
}

int cj_register(JNIEnv *env, const char *class_name, const JNINativeMethod *methods, int n)
{
    jclass cls = (*env)->FindClass(env, class_name);
    if (cls == NULL)
        return -1;
    int rc = (*env)->RegisterNatives(env, cls, methods, n);
    (*env)->DeleteLocalRef(env, cls);
    return rc == 0 ? 0 : -1;
}
