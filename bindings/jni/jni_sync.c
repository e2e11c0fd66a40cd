/*
 * jni_sync.c: natives of io.custos.Custos for pairing and the signed sync
 * messages (custos/sync.h). Records cross as primitive arrays that the Java
 * side packs and unpacks (no objects are built here): a consent change is
 * four longs (subject, purpose, status, valid_until), a compact state five
 * (subject, given, decided, policy_version, counter).
 */
#include "jni_util.h"

#define CHANGE_LONGS 4
#define STATE_LONGS 5

/* Copy a byte[] that must be exactly n bytes long. */
static int fixed_bytes(JNIEnv *env, jbyteArray arr, size_t n, const char *msg, cj_bytes *out)
{
    if (cj_bytes_get(env, arr, 0, out) != 0)
        return -1;
    if (out->len == n)
        return 0;
    cj_bytes_free(out);
    cj_throw_illegal_argument(env, msg);
    return -1;
}

static void JNICALL n_pair(JNIEnv *env, jclass cls, jlong h, jbyteArray jpk, jbyteArray jid)
{
    (void)cls;
    cj_bytes pk, id = { NULL, 0 };
    if (fixed_bytes(env, jpk, CUSTOS_PUBLIC_KEY_BYTES, "a public key is 32 bytes", &pk) != 0)
        return;
    if (jid != NULL && fixed_bytes(env, jid, CUSTOS_DEVICE_ID_BYTES, "a device id is 16 bytes", &id) != 0) {
        cj_bytes_free(&pk);
        return;
    }
    int rc = custos_pair(cj_ctx(h), pk.data, id.data);
    cj_bytes_free(&id);
    cj_bytes_free(&pk);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

static void JNICALL n_unpair(JNIEnv *env, jclass cls, jlong h, jbyteArray jpk)
{
    (void)cls;
    cj_bytes pk;
    if (fixed_bytes(env, jpk, CUSTOS_PUBLIC_KEY_BYTES, "a public key is 32 bytes", &pk) != 0)
        return;
    int rc = custos_unpair(cj_ctx(h), pk.data);
    cj_bytes_free(&pk);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/* Unpack the changes; *n receives their count. */
static int get_changes(JNIEnv *env, jlongArray jchanges, custos_consent_change *out, size_t *n)
{
    jsize len = (*env)->GetArrayLength(env, jchanges);
    if (len % CHANGE_LONGS != 0 || (size_t)len / CHANGE_LONGS > CUSTOS_SYNC_MAX_CHANGES) {
        cj_throw(env, CUSTOS_ERANGE, "at most 16 changes fit in one update");
        return -1;
    }
    jlong v[CUSTOS_SYNC_MAX_CHANGES * CHANGE_LONGS];
    (*env)->GetLongArrayRegion(env, jchanges, 0, len, v);
    if ((*env)->ExceptionCheck(env))
        return -1;
    *n = (size_t)len / CHANGE_LONGS;
    for (size_t i = 0; i < *n; i++) {
        const jlong *c = &v[i * CHANGE_LONGS];
        if (cj_subject(env, c[0], &out[i].subject) != 0 || cj_subject(env, c[1], &out[i].purpose) != 0)
            return -1;
        out[i].status = (custos_consent_status)c[2];
        out[i].valid_until = (uint64_t)c[3];
    }
    return 0;
}

static jbyteArray message(JNIEnv *env, jlong h, int rc, const uint8_t *out, size_t len)
{
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    return cj_bytes_new(env, out, len);
}

static jbyteArray JNICALL n_encode_update(JNIEnv *env, jclass cls, jlong h, jbyteArray jid, jlongArray jchanges)
{
    (void)cls;
    custos_consent_change changes[CUSTOS_SYNC_MAX_CHANGES];
    size_t n = 0;
    if (get_changes(env, jchanges, changes, &n) != 0)
        return NULL;
    cj_bytes id;
    if (fixed_bytes(env, jid, CUSTOS_DEVICE_ID_BYTES, "a device id is 16 bytes", &id) != 0)
        return NULL;
    uint8_t out[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0;
    int rc = custos_sync_encode_update(cj_ctx(h), out, sizeof out, &len, id.data, changes, n);
    cj_bytes_free(&id);
    return message(env, h, rc, out, len);
}

static jint JNICALL n_apply_update(JNIEnv *env, jclass cls, jlong h, jbyteArray jmsg)
{
    (void)cls;
    cj_bytes msg;
    if (cj_bytes_get(env, jmsg, 0, &msg) != 0)
        return 0;
    size_t applied = 0;
    int rc = custos_sync_apply_update(cj_ctx(h), &applied, msg.data, msg.len);
    cj_bytes_free(&msg);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    return (jint)applied;
}

static jbyteArray JNICALL n_encode_state_report(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint8_t out[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0;
    int rc = custos_sync_encode_state_report(cj_ctx(h), out, sizeof out, &len);
    return message(env, h, rc, out, len);
}

/* {counter, then STATE_LONGS per state}. */
static jlongArray pack_states(JNIEnv *env, uint32_t counter, const custos_compact_state *s, size_t n)
{
    jlong v[1 + CUSTOS_SYNC_MAX_STATES * STATE_LONGS];
    v[0] = (jlong)counter;
    for (size_t i = 0; i < n; i++) {
        jlong *o = &v[1 + i * STATE_LONGS];
        o[0] = (jlong)s[i].subject;
        o[1] = (jlong)s[i].given;
        o[2] = (jlong)s[i].decided;
        o[3] = (jlong)s[i].policy_version;
        o[4] = (jlong)s[i].counter;
    }
    jsize len = (jsize)(1 + n * STATE_LONGS);
    jlongArray arr = (*env)->NewLongArray(env, len);
    if (arr != NULL)
        (*env)->SetLongArrayRegion(env, arr, 0, len, v);
    return arr;
}

static jlongArray JNICALL n_decode_state_report(JNIEnv *env, jclass cls, jlong h, jbyteArray jmsg, jbyteArray jid_out)
{
    (void)cls;
    cj_bytes msg;
    if (cj_bytes_get(env, jmsg, 0, &msg) != 0)
        return NULL;
    custos_compact_state states[CUSTOS_SYNC_MAX_STATES];
    size_t n = 0;
    uint8_t id[CUSTOS_DEVICE_ID_BYTES];
    uint32_t counter = 0;
    int rc = custos_sync_decode_state_report(cj_ctx(h), states, CUSTOS_SYNC_MAX_STATES, &n, id, &counter,
                                             msg.data, msg.len);
    cj_bytes_free(&msg);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    (*env)->SetByteArrayRegion(env, jid_out, 0, (jsize)sizeof id, (const jbyte *)id);
    if ((*env)->ExceptionCheck(env))
        return NULL;
    return pack_states(env, counter, states, n);
}

static jbyteArray JNICALL n_encode_manifest_offer(JNIEnv *env, jclass cls, jlong h, jintArray jreconsent)
{
    (void)cls;
    jsize n = (*env)->GetArrayLength(env, jreconsent);
    if (n > 64) {
        cj_throw(env, CUSTOS_ERANGE, "at most 64 purposes fit in one offer");
        return NULL;
    }
    jint r[64];
    (*env)->GetIntArrayRegion(env, jreconsent, 0, n, r);
    if ((*env)->ExceptionCheck(env))
        return NULL;
    uint32_t purposes[64];
    for (jsize i = 0; i < n; i++)
        if (cj_u32(env, r[i], "a purpose", &purposes[i]) != 0)
            return NULL;
    uint8_t out[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0;
    int rc = custos_sync_encode_manifest_offer(cj_ctx(h), out, sizeof out, &len, purposes, (size_t)n);
    return message(env, h, rc, out, len);
}

/* The reconsent purposes; the manifest id and the policy version go to id_out and version_out[0]. */
static jintArray JNICALL n_decode_manifest_offer(JNIEnv *env, jclass cls, jlong h, jbyteArray jmsg,
                                                  jbyteArray jid_out, jlongArray jversion_out)
{
    (void)cls;
    cj_bytes msg;
    if (cj_bytes_get(env, jmsg, 0, &msg) != 0)
        return NULL;
    uint8_t id[CUSTOS_HASH_BYTES];
    uint32_t version = 0, purposes[64];
    size_t n = 0;
    int rc = custos_sync_decode_manifest_offer(cj_ctx(h), id, &version, purposes, 64, &n, msg.data, msg.len);
    cj_bytes_free(&msg);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    jlong v = (jlong)version;
    (*env)->SetByteArrayRegion(env, jid_out, 0, (jsize)sizeof id, (const jbyte *)id);
    if (!(*env)->ExceptionCheck(env))
        (*env)->SetLongArrayRegion(env, jversion_out, 0, 1, &v);
    if ((*env)->ExceptionCheck(env))
        return NULL;
    jintArray arr = (*env)->NewIntArray(env, (jsize)n);
    if (arr != NULL)
        (*env)->SetIntArrayRegion(env, arr, 0, (jsize)n, (const jint *)purposes);
    return arr;
}

static jint JNICALL n_max_message(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jint)custos_sync_max_message();
}

int cj_register_sync(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativePair", "(J[B[B)V", n_pair),
        CJ_NATIVE("nativeUnpair", "(J[B)V", n_unpair),
        CJ_NATIVE("nativeEncodeUpdate", "(J[B[J)[B", n_encode_update),
        CJ_NATIVE("nativeApplyUpdate", "(J[B)I", n_apply_update),
        CJ_NATIVE("nativeEncodeStateReport", "(J)[B", n_encode_state_report),
        CJ_NATIVE("nativeDecodeStateReport", "(J[B[B)[J", n_decode_state_report),
        CJ_NATIVE("nativeEncodeManifestOffer", "(J[I)[B", n_encode_manifest_offer),
        CJ_NATIVE("nativeDecodeManifestOffer", "(J[B[B[J)[I", n_decode_manifest_offer),
        CJ_NATIVE("nativeSyncMaxMessage", "()I", n_max_message),
    };
    return cj_register(env, "io/custos/Custos", methods, (int)(sizeof methods / sizeof methods[0]));
}
