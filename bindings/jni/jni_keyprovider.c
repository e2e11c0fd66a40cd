/*
 * jni_keyprovider.c: a custos_key_provider whose callbacks call a Java
 * io.custos.KeyProvider (Android Keystore on a phone, an in-memory one in
 * the tests).
 *
 * The core calls the provider from whatever thread makes the Custos call,
 * usually a Java thread inside a native method; a thread the VM does not
 * know is attached (as a daemon) for the callback and detached after it.
 * Every callback runs inside PushLocalFrame / PopLocalFrame, so the many
 * callbacks of one long call (an erase re-wraps every data key) leave no
 * local reference behind. A Throwable from Java is cleared and becomes a
 * code: a CustosException's own code, anything else CUSTOS_EKEY; its text is
 * kept per thread and added to the message of the KeyException that the
 * failed call throws. Secrets that come back from Java (unwrapped keys, the
 * index key) are copied into the core's buffer and the Java array zeroed.
 *
 * The anchor calls (store.h, version 2) are set only for a provider whose
 * keepsAnchor() said true when the store was opened; otherwise both stay
 * NULL, which the core reads as "the anchor is the file <dir>/anchor". The
 * anchor is not secret, so it is not wiped, but it crosses byte for byte:
 * a Java array longer than the core's buffer is CUSTOS_ERANGE with its
 * length, never cut, and loadAnchor() returning null is CUSTOS_ENOTFOUND.
 */
#include "jni_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KP_DETAIL_MAX 256

static _Thread_local char kp_detail[KP_DETAIL_MAX];

static jclass custos_exception_class;
static jmethodID code_mid;
static jmethodID to_string_mid;
static struct {
    jmethodID open, close, kek_current, kek_create, kek_destroy, wrap, unwrap;
    jmethodID sign, public_key, index_key, destroy_all, hardware_backed;
    jmethodID keeps_anchor, store_anchor, load_anchor;
} mid;

typedef struct cj_kp {
    custos_key_provider kp;  /* first: the core sees only this */
    jobject obj;             /* global reference to the Java KeyProvider */
} cj_kp;

const char *cj_kp_detail(void) { return kp_detail; }
void cj_kp_detail_clear(void) { kp_detail[0] = '\0'; }

/* One callback's JNI context. */
typedef struct kp_call {
    JNIEnv *env;
    int attached;
    jobject obj;
} kp_call;

static int call_begin(kp_call *c, void *state)
{
    c->env = NULL;
    c->attached = 0;
    c->obj = ((cj_kp *)state)->obj;
    jint r = (*cj_vm)->GetEnv(cj_vm, (void **)&c->env, JNI_VERSION_1_6);
    if (r == JNI_EDETACHED) {
        if ((*cj_vm)->AttachCurrentThreadAsDaemon(cj_vm, (void **)&c->env, NULL) != JNI_OK)
            return CUSTOS_EKEY;
        c->attached = 1;
    } else if (r != JNI_OK) {
        return CUSTOS_EKEY;
    }
    /* A Java exception already pending (never expected): Java cannot be called. */
    if ((*c->env)->ExceptionCheck(c->env) || (*c->env)->PushLocalFrame(c->env, 16) != 0) {
        if (c->attached)
            (*cj_vm)->DetachCurrentThread(cj_vm);
        return CUSTOS_EKEY;
    }
    return CUSTOS_OK;
}

static void keep_detail(JNIEnv *env, jthrowable t)
{
    jstring s = (*env)->CallObjectMethod(env, t, to_string_mid);
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        snprintf(kp_detail, sizeof kp_detail, "the Java key provider threw");
        return;
    }
    /* Real UTF-8, cut at a character boundary so the detail stays valid text. */
    char *utf = NULL;
    if (s != NULL && cj_string_get(env, s, 0, &utf) == 0 && utf != NULL) {
        size_t n = cj_utf8_prefix(utf, sizeof kp_detail - 1);
        memcpy(kp_detail, utf, n);
        kp_detail[n] = '\0';
        cj_string_free(utf);
    } else {
        snprintf(kp_detail, sizeof kp_detail, "the Java key provider threw");
    }
    (*env)->ExceptionClear(env);
}

/* Turn a pending Java exception into a code (CUSTOS_OK if none). */
static int take_exception(JNIEnv *env)
{
    jthrowable t = (*env)->ExceptionOccurred(env);
    if (t == NULL)
        return CUSTOS_OK;
    (*env)->ExceptionClear(env);
    int rc = CUSTOS_EKEY;
    if ((*env)->IsInstanceOf(env, t, custos_exception_class)) {
        jint code = (*env)->CallIntMethod(env, t, code_mid);
        if ((*env)->ExceptionCheck(env))
            (*env)->ExceptionClear(env);
        else if (code < 0 && code > CUSTOS_E__LAST)
            rc = (int)code;
    }
    /* Only a failure that becomes CUSTOS_EKEY has its text kept: the core
     * tolerates some coded ones (destroying a KEK that is already gone). */
    if (rc == CUSTOS_EKEY)
        keep_detail(env, t);
    return rc;
}

static int call_end(kp_call *c, int rc)
{
    int thrown = take_exception(c->env);
    if (thrown != CUSTOS_OK)
        rc = thrown;
    (*c->env)->PopLocalFrame(c->env, NULL);
    if (c->attached)
        (*cj_vm)->DetachCurrentThread(cj_vm);
    return rc;
}

static int fail(const char *what)
{
    snprintf(kp_detail, sizeof kp_detail, "%s", what);
    return CUSTOS_EKEY;
}

/* Copy a byte[] returned by Java into out (exactly want bytes if want > 0). */
static int copy_out(JNIEnv *env, jbyteArray arr, uint8_t *out, size_t out_size, size_t *out_len,
                    size_t want, int secret)
{
    if ((*env)->ExceptionCheck(env))
        return CUSTOS_OK; /* call_end maps it */
    if (arr == NULL)
        return fail("the Java key provider returned null");
    size_t n = (size_t)(*env)->GetArrayLength(env, arr);
    int rc = CUSTOS_OK;
    if (want > 0 && n != want)
        rc = fail("the Java key provider returned an array of the wrong length");
    else if (n > out_size)
        rc = CUSTOS_ERANGE;
    else
        (*env)->GetByteArrayRegion(env, arr, 0, (jsize)n, (jbyte *)out);
    if (out_len != NULL)
        *out_len = n;
    if (secret)
        cj_bytes_wipe_java(env, arr);
    return rc;
}

static int kp_open(void *state, const char *dir, int create)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jstring jdir = cj_string_new(c.env, dir);
    if (jdir != NULL)
        (*c.env)->CallVoidMethod(c.env, c.obj, mid.open, jdir, (jboolean)(create != 0));
    return call_end(&c, rc);
}

static void kp_close(void *state)
{
    kp_call c;
    if (call_begin(&c, state) != CUSTOS_OK)
        return;
    (*c.env)->CallVoidMethod(c.env, c.obj, mid.close);
    (void)call_end(&c, CUSTOS_OK);
}

static int generation(JNIEnv *env, jint g, uint32_t *out)
{
    if ((*env)->ExceptionCheck(env))
        return CUSTOS_OK;
    if (g <= 0)
        return fail("the Java key provider returned a KEK generation below 1");
    *out = (uint32_t)g;
    return CUSTOS_OK;
}

static int kp_kek_current(void *state, uint32_t *out)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    rc = generation(c.env, (*c.env)->CallIntMethod(c.env, c.obj, mid.kek_current), out);
    return call_end(&c, rc);
}

static int kp_kek_create(void *state, uint32_t *out)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    rc = generation(c.env, (*c.env)->CallIntMethod(c.env, c.obj, mid.kek_create), out);
    return call_end(&c, rc);
}

static int kp_kek_destroy(void *state, uint32_t gen)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    (*c.env)->CallVoidMethod(c.env, c.obj, mid.kek_destroy, (jint)gen);
    return call_end(&c, rc);
}

static int kp_wrap(void *state, uint32_t gen, uint8_t *out, size_t out_size, size_t *out_len,
                   const uint8_t *key, size_t key_len, const uint8_t *ad, size_t ad_len)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray jkey = cj_bytes_new(c.env, key, key_len);
    jbyteArray jad = jkey != NULL ? cj_bytes_new(c.env, ad, ad_len) : NULL;
    if (jad != NULL) {
        jbyteArray r = (*c.env)->CallObjectMethod(c.env, c.obj, mid.wrap, (jint)gen, jkey, jad);
        rc = copy_out(c.env, r, out, out_size, out_len, key_len + CUSTOS_WRAP_OVERHEAD, 0);
    }
    if (jkey != NULL) {
        jthrowable pending = (*c.env)->ExceptionOccurred(c.env);
        if (pending != NULL)
            (*c.env)->ExceptionClear(c.env);
        cj_bytes_wipe_java(c.env, jkey);
        if (pending != NULL)
            (*c.env)->Throw(c.env, pending);
    }
    return call_end(&c, rc);
}

static int kp_unwrap(void *state, uint32_t gen, uint8_t *out, size_t out_size, size_t *out_len,
                     const uint8_t *wrapped, size_t wrapped_len, const uint8_t *ad, size_t ad_len)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray jw = cj_bytes_new(c.env, wrapped, wrapped_len);
    jbyteArray jad = jw != NULL ? cj_bytes_new(c.env, ad, ad_len) : NULL;
    if (jad != NULL) {
        jbyteArray r = (*c.env)->CallObjectMethod(c.env, c.obj, mid.unwrap, (jint)gen, jw, jad);
        rc = copy_out(c.env, r, out, out_size, out_len, 0, 1);
    }
    return call_end(&c, rc);
}

static int kp_sign(void *state, uint8_t sig[64], const uint8_t *msg, size_t len)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray jmsg = cj_bytes_new(c.env, msg, len);
    if (jmsg != NULL) {
        jbyteArray r = (*c.env)->CallObjectMethod(c.env, c.obj, mid.sign, jmsg);
        rc = copy_out(c.env, r, sig, CUSTOS_SIGNATURE_BYTES, NULL, CUSTOS_SIGNATURE_BYTES, 0);
    }
    return call_end(&c, rc);
}

static int kp_public_key(void *state, uint8_t pk[32])
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray r = (*c.env)->CallObjectMethod(c.env, c.obj, mid.public_key);
    rc = copy_out(c.env, r, pk, CUSTOS_PUBLIC_KEY_BYTES, NULL, CUSTOS_PUBLIC_KEY_BYTES, 0);
    return call_end(&c, rc);
}

static int kp_index_key(void *state, uint8_t key[32])
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray r = (*c.env)->CallObjectMethod(c.env, c.obj, mid.index_key);
    rc = copy_out(c.env, r, key, 32, NULL, 32, 1);
    return call_end(&c, rc);
}

static int kp_destroy_all(void *state)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    (*c.env)->CallVoidMethod(c.env, c.obj, mid.destroy_all);
    return call_end(&c, rc);
}

static int kp_hardware_backed(void *state)
{
    kp_call c;
    if (call_begin(&c, state) != CUSTOS_OK)
        return 0;
    jboolean hw = (*c.env)->CallBooleanMethod(c.env, c.obj, mid.hardware_backed);
    int thrown = call_end(&c, CUSTOS_OK);
    return thrown == CUSTOS_OK && hw ? 1 : 0; /* a failure claims nothing */
}

static int kp_anchor_store(void *state, const uint8_t *anchor, size_t len)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray a = cj_bytes_new(c.env, anchor, len);
    if (a != NULL)
        (*c.env)->CallVoidMethod(c.env, c.obj, mid.store_anchor, a);
    return call_end(&c, rc);
}

static int kp_anchor_load(void *state, uint8_t *out, size_t out_size, size_t *out_len)
{
    kp_call c;
    int rc = call_begin(&c, state);
    if (rc != CUSTOS_OK)
        return rc;
    jbyteArray r = (*c.env)->CallObjectMethod(c.env, c.obj, mid.load_anchor);
    if (r == NULL && !(*c.env)->ExceptionCheck(c.env))
        rc = CUSTOS_ENOTFOUND; /* none stored yet */
    else
        rc = copy_out(c.env, r, out, out_size, out_len, 0, 0);
    return call_end(&c, rc);
}

/* Whether the Java provider keeps the anchor: 1, 0, or -1 with an exception pending. */
static int keeps_anchor(JNIEnv *env, jobject provider)
{
    jboolean keeps = (*env)->CallBooleanMethod(env, provider, mid.keeps_anchor);
    int rc = take_exception(env);
    if (rc != CUSTOS_OK) {
        cj_throw(env, rc, "keepsAnchor() failed");
        return -1;
    }
    return keeps ? 1 : 0;
}

custos_key_provider *cj_kp_new(JNIEnv *env, jobject provider)
{
    int keeps = keeps_anchor(env, provider);
    if (keeps < 0)
        return NULL;
    cj_kp *p = calloc(1, sizeof *p);
    if (p == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return NULL;
    }
    p->obj = (*env)->NewGlobalRef(env, provider);
    if (p->obj == NULL) {
        free(p);
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return NULL;
    }
    custos_key_provider *kp = &p->kp;
    kp->version = CUSTOS_KEY_PROVIDER_VERSION;
    kp->state = p;
    kp->open = kp_open;
    kp->close = kp_close;
    kp->kek_current = kp_kek_current;
    kp->kek_create = kp_kek_create;
    kp->kek_destroy = kp_kek_destroy;
    kp->wrap = kp_wrap;
    kp->unwrap = kp_unwrap;
    kp->sign = kp_sign;
    kp->public_key = kp_public_key;
    kp->index_key = kp_index_key;
    kp->destroy_all = kp_destroy_all;
    kp->hardware_backed = kp_hardware_backed;
    if (keeps) {
        kp->anchor_store = kp_anchor_store;
        kp->anchor_load = kp_anchor_load;
    }
    return kp;
}

void cj_kp_free(JNIEnv *env, custos_key_provider *kp)
{
    if (kp == NULL)
        return;
    cj_kp *p = (cj_kp *)kp;
    (*env)->DeleteGlobalRef(env, p->obj);
    free(p);
}

int cj_register_keyprovider(JNIEnv *env)
{
    static const struct { jmethodID *id; const char *name, *sig; } methods[] = {
        { &mid.open, "open", "(Ljava/lang/String;Z)V" },
        { &mid.close, "close", "()V" },
        { &mid.kek_current, "currentKek", "()I" },
        { &mid.kek_create, "createKek", "()I" },
        { &mid.kek_destroy, "destroyKek", "(I)V" },
        { &mid.wrap, "wrap", "(I[B[B)[B" },
        { &mid.unwrap, "unwrap", "(I[B[B)[B" },
        { &mid.sign, "sign", "([B)[B" },
        { &mid.public_key, "publicKey", "()[B" },
        { &mid.index_key, "indexKey", "()[B" },
        { &mid.destroy_all, "destroyAll", "()V" },
        { &mid.hardware_backed, "isHardwareBacked", "()Z" },
        { &mid.keeps_anchor, "keepsAnchor", "()Z" },
        { &mid.store_anchor, "storeAnchor", "([B)V" },
        { &mid.load_anchor, "loadAnchor", "()[B" },
    };
    jclass kp = (*env)->FindClass(env, "io/custos/KeyProvider");
    if (kp == NULL)
        return -1;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof methods / sizeof methods[0]; i++)
        if ((*methods[i].id = (*env)->GetMethodID(env, kp, methods[i].name, methods[i].sig)) == NULL)
            rc = -1;
    (*env)->DeleteLocalRef(env, kp);
    if (rc != 0 || cj_cache_class(env, "io/custos/CustosException", NULL, &custos_exception_class, NULL) != 0)
        return -1;
    code_mid = (*env)->GetMethodID(env, custos_exception_class, "code", "()I");
    jclass thr = (*env)->FindClass(env, "java/lang/Throwable");
    if (code_mid == NULL || thr == NULL)
        return -1;
    to_string_mid = (*env)->GetMethodID(env, thr, "toString", "()Ljava/lang/String;");
    (*env)->DeleteLocalRef(env, thr);
    return to_string_mid == NULL ? -1 : 0;
}
