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
    { CUSTOS_EUNSUPPORTED, "io/custos/UnsupportedException" },
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
    jstring jmsg = cj_string_new(env, msg);
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

/*
 * Strings cross as real UTF-8 both ways. JNI's *StringUTF* functions use
 * modified UTF-8 (a character beyond U+FFFF as two 3-byte surrogates, U+0000
 * as C0 80), which names a different subject or path than the C CLI and
 * Swift, and which ART's CheckJNI rejects. So the bridge reads and writes
 * UTF-16 (GetStringRegion, NewString) and converts here.
 */

/* UTF-8 bytes of Java string s (UTF-16 code units u[0..n)), into out (may be
 * NULL to count). Returns the byte count, or -1 - index of the first code
 * unit that has no UTF-8 form (an unpaired surrogate) or is U+0000 (C cannot
 * carry it). */
static long utf16_to_utf8(const jchar *u, jsize n, char *out)
{
    long len = 0;
    for (jsize i = 0; i < n; i++) {
        uint32_t c = u[i];
        if (c == 0)
            return -1 - (long)i;
        if (c >= 0xD800 && c <= 0xDFFF) {
            if (c > 0xDBFF || i + 1 >= n || u[i + 1] < 0xDC00 || u[i + 1] > 0xDFFF)
                return -1 - (long)i;
            c = 0x10000 + ((c - 0xD800) << 10) + (u[i + 1] - 0xDC00u);
            i++;
        }
        uint8_t b[4];
        int k;
        if (c < 0x80) {
            b[0] = (uint8_t)c;
            k = 1;
        } else if (c < 0x800) {
            b[0] = (uint8_t)(0xC0 | (c >> 6));
            b[1] = (uint8_t)(0x80 | (c & 0x3F));
            k = 2;
        } else if (c < 0x10000) {
            b[0] = (uint8_t)(0xE0 | (c >> 12));
            b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (uint8_t)(0x80 | (c & 0x3F));
            k = 3;
        } else {
            b[0] = (uint8_t)(0xF0 | (c >> 18));
            b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (uint8_t)(0x80 | (c & 0x3F));
            k = 4;
        }
        if (out != NULL)
            memcpy(out + len, b, (size_t)k);
        len += k;
    }
    return len;
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
    jsize n = (*env)->GetStringLength(env, s);
    jchar *u = malloc(((size_t)n > 0 ? (size_t)n : 1) * sizeof *u);
    if (u == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return -1;
    }
    (*env)->GetStringRegion(env, s, 0, n, u);
    long len = utf16_to_utf8(u, n, NULL);
    if (len < 0) {
        long at = -1 - len;
        char msg[128];
        snprintf(msg, sizeof msg, u[at] == 0 ? "a string argument contains U+0000 (at index %ld)"
                                            : "a string argument has an unpaired surrogate (at index %ld)", at);
        sodium_memzero(u, (size_t)n * sizeof *u);
        free(u);
        cj_throw_illegal_argument(env, msg);
        return -1;
    }
    *out = malloc((size_t)len + 1);
    if (*out != NULL) {
        (void)utf16_to_utf8(u, n, *out);
        (*out)[len] = '\0';
    }
    sodium_memzero(u, (size_t)n * sizeof *u);
    free(u);
    if (*out == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return -1;
    }
    return 0;
}

/* The next code point of UTF-8 text p (advanced past it); an ill-formed
 * sequence (overlong, surrogate, beyond U+10FFFF, truncated) is one U+FFFD. */
static uint32_t utf8_next(const unsigned char **p)
{
    const unsigned char *s = *p;
    uint32_t c = s[0];
    int k = c < 0x80 ? 0 : c >= 0xC2 && c <= 0xDF ? 1 : c >= 0xE0 && c <= 0xEF ? 2 : c >= 0xF0 && c <= 0xF4 ? 3 : -1;
    *p = s + 1;
    if (k <= 0)
        return k == 0 ? c : 0xFFFD;
    c &= 0x3Fu >> k;
    for (int i = 1; i <= k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0xFFFD;
        c = (c << 6) | (s[i] & 0x3Fu);
    }
    if ((k == 2 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) || (k == 3 && (c < 0x10000 || c > 0x10FFFF)))
        return 0xFFFD;
    *p = s + 1 + k;
    return c;
}

jstring cj_string_new(JNIEnv *env, const char *utf8)
{
    if (utf8 == NULL)
        return NULL;
    size_t n = strlen(utf8);
    jchar *u = malloc((n > 0 ? n : 1) * sizeof *u); /* a UTF-8 byte yields at most one code unit */
    if (u == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return NULL;
    }
    jsize len = 0;
    const unsigned char *p = (const unsigned char *)utf8;
    while (*p != '\0') {
        uint32_t c = utf8_next(&p);
        if (c >= 0x10000) {
            u[len++] = (jchar)(0xD800 + ((c - 0x10000) >> 10));
            u[len++] = (jchar)(0xDC00 + ((c - 0x10000) & 0x3FF));
        } else {
            u[len++] = (jchar)c;
        }
    }
    jstring s = (*env)->NewString(env, u, len);
    free(u);
    return s;
}

size_t cj_utf8_prefix(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
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
