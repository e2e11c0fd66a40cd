/* jni_custos.c: natives of io.custos.Custos: open (file, Java or passphrase
 * key provider), close, identity. */
#include "jni_util.h"

#include <string.h>

/*
 * Open a store. provider may be null (the file provider in dir); otherwise
 * a native provider over it is made here and its address is written to
 * out_provider[0]: it must outlive the handle, and nativeClose frees both.
 */
static jlong JNICALL n_open(JNIEnv *env, jclass cls, jstring jdir, jboolean create,
                            jobject provider, jlongArray out_provider)
{
    (void)cls;
    char *dir = NULL;
    if (cj_string_get(env, jdir, 0, &dir) != 0)
        return 0;
    custos_key_provider *kp = NULL;
    if (provider != NULL && (kp = cj_kp_new(env, provider)) == NULL) {
        cj_string_free(dir);
        return 0;
    }
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.flags = create ? CUSTOS_OPEN_CREATE : 0;
    opts.key_provider = kp;
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, &opts);
    cj_string_free(dir);
    if (rc != CUSTOS_OK) {
        cj_kp_free(env, kp);
        cj_throw(env, rc, custos_last_error());
        return 0;
    }
    jlong p = (jlong)(intptr_t)kp;
    (*env)->SetLongArrayRegion(env, out_provider, 0, 1, &p);
    return (jlong)(intptr_t)ctx;
}

static void JNICALL n_close(JNIEnv *env, jclass cls, jlong h, jlong provider)
{
    (void)cls;
    custos_close(cj_ctx(h));
    cj_kp_free(env, (custos_key_provider *)(intptr_t)provider);
}

/*
 * Open a store whose key file is sealed under a passphrase (Argon2id). The
 * core copies the passphrase; our guarded copy is wiped at once. The C
 * provider's address goes to out_owned[0]; nativeFreeOwned frees it after
 * nativeClose.
 */
static jlong JNICALL n_open_passphrase(JNIEnv *env, jclass cls, jstring jdir, jboolean create,
                                       jbyteArray jpass, jlongArray out_owned)
{
    (void)cls;
    char *dir = NULL;
    cj_bytes pass;
    if (cj_string_get(env, jdir, 0, &dir) != 0)
        return 0;
    if (cj_bytes_get(env, jpass, 0, &pass) != 0) {
        cj_string_free(dir);
        return 0;
    }
    custos_key_provider *kp = NULL;
    int rc = custos_key_provider_passphrase(&kp, (const char *)pass.data, pass.len);
    cj_bytes_free(&pass);
    custos_t *ctx = NULL;
    if (rc == CUSTOS_OK) {
        custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
        opts.flags = create ? CUSTOS_OPEN_CREATE : 0;
        opts.key_provider = kp;
        rc = custos_open(&ctx, dir, &opts);
    }
    cj_string_free(dir);
    if (rc != CUSTOS_OK) {
        custos_key_provider_free(kp);
        cj_throw(env, rc, kp != NULL ? custos_last_error() : NULL);
        return 0;
    }
    jlong p = (jlong)(intptr_t)kp;
    (*env)->SetLongArrayRegion(env, out_owned, 0, 1, &p);
    return (jlong)(intptr_t)ctx;
}

static void JNICALL n_free_owned(JNIEnv *env, jclass cls, jlong owned)
{
    (void)env;
    (void)cls;
    custos_key_provider_free((custos_key_provider *)(intptr_t)owned);
}

static jstring JNICALL n_version(JNIEnv *env, jclass cls)
{
    (void)cls;
    return cj_string_new(env, custos_version());
}

static jbyteArray JNICALL n_device_public_key(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint8_t pk[CUSTOS_PUBLIC_KEY_BYTES];
    int rc = custos_device_public_key(cj_ctx(h), pk);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    return cj_bytes_new(env, pk, sizeof pk);
}

static jbyteArray JNICALL n_device_id(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint8_t id[CUSTOS_DEVICE_ID_BYTES];
    int rc = custos_device_id(cj_ctx(h), id);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    return cj_bytes_new(env, id, sizeof id);
}

int cj_register_custos(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativeOpen", "(Ljava/lang/String;ZLio/custos/KeyProvider;[J)J", n_open),
        CJ_NATIVE("nativeClose", "(JJ)V", n_close),
        CJ_NATIVE("nativeOpenPassphrase", "(Ljava/lang/String;Z[B[J)J", n_open_passphrase),
        CJ_NATIVE("nativeFreeOwned", "(J)V", n_free_owned),
        CJ_NATIVE("nativeVersion", "()Ljava/lang/String;", n_version),
        CJ_NATIVE("nativeDevicePublicKey", "(J)[B", n_device_public_key),
        CJ_NATIVE("nativeDeviceId", "(J)[B", n_device_id),
    };
    return cj_register(env, "io/custos/Custos", methods, (int)(sizeof methods / sizeof methods[0]));
}
