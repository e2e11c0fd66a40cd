/*
 * jni_audit.c: natives of io.custos.Audit: verify the store's chain or an
 * exported one, export it, sign a checkpoint, the optional-events setting.
 * A broken chain is not an exception here: the report says where it broke.
 */
#include "jni_util.h"

#include <stdlib.h>

/* report -> long[7]: failure, failed_seq, entries, last_seq, checkpoints,
 * last_checkpoint_seq, unsigned_tail. */
static void put_report(JNIEnv *env, jlongArray out, const custos_audit_report *r)
{
    jlong v[7] = { r->failure, (jlong)r->failed_seq, (jlong)r->entries, (jlong)r->last_seq,
                   (jlong)r->checkpoints, (jlong)r->last_checkpoint_seq, (jlong)r->unsigned_tail };
    (*env)->SetLongArrayRegion(env, out, 0, 7, v);
}

static void JNICALL n_verify(JNIEnv *env, jclass cls, jlong h, jlongArray out)
{
    (void)cls;
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    int rc = custos_audit_verify(cj_ctx(h), &r);
    if (rc != CUSTOS_OK && rc != CUSTOS_ECORRUPT) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return;
    }
    put_report(env, out, &r);
}

static void JNICALL n_verify_export(JNIEnv *env, jclass cls, jbyteArray jexport, jbyteArray jpk, jlongArray out)
{
    (void)cls;
    cj_bytes exp, pk;
    if (cj_bytes_get(env, jexport, 0, &exp) != 0)
        return;
    if (cj_bytes_get(env, jpk, 0, &pk) != 0) {
        cj_bytes_free(&exp);
        return;
    }
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    int rc = CUSTOS_EINVAL;
    if (pk.len == CUSTOS_PUBLIC_KEY_BYTES)
        rc = custos_audit_verify_export(exp.data, exp.len, pk.data, &r);
    cj_bytes_free(&pk);
    cj_bytes_free(&exp);
    if (rc != CUSTOS_OK && rc != CUSTOS_ECORRUPT) {
        cj_throw(env, rc, rc == CUSTOS_EINVAL ? "a public key is 32 bytes (Ed25519)" : NULL);
        return;
    }
    put_report(env, out, &r);
}

static jbyteArray JNICALL n_export(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint8_t *buf = NULL;
    size_t size = 0, len = 0;
    int rc;
    /* Size, then fetch; another thread may append in between: ask again. */
    while ((rc = custos_audit_export(cj_ctx(h), buf, size, &len)) == CUSTOS_ERANGE) {
        free(buf);
        size = len + 1024;
        if ((buf = malloc(size)) == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
    }
    jbyteArray out = NULL;
    if (rc == CUSTOS_OK)
        out = cj_bytes_new(env, buf, len);
    else
        cj_throw_ctx(env, rc, cj_ctx(h));
    free(buf);
    return out;
}

static void JNICALL n_checkpoint(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    int rc = custos_audit_checkpoint(cj_ctx(h));
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

static void JNICALL n_set_optional(JNIEnv *env, jclass cls, jlong h, jboolean enabled)
{
    (void)cls;
    int rc = custos_audit_set_optional(cj_ctx(h), enabled ? 1 : 0);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

static jboolean JNICALL n_get_optional(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    int enabled = 1;
    int rc = custos_audit_get_optional(cj_ctx(h), &enabled);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
    return enabled ? JNI_TRUE : JNI_FALSE;
}

int cj_register_audit(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativeVerify", "(J[J)V", n_verify),
        CJ_NATIVE("nativeVerifyExport", "([B[B[J)V", n_verify_export),
        CJ_NATIVE("nativeExport", "(J)[B", n_export),
        CJ_NATIVE("nativeCheckpoint", "(J)V", n_checkpoint),
        CJ_NATIVE("nativeSetOptional", "(JZ)V", n_set_optional),
        CJ_NATIVE("nativeGetOptional", "(J)Z", n_get_optional),
    };
    return cj_register(env, "io/custos/Audit", methods, (int)(sizeof methods / sizeof methods[0]));
}
