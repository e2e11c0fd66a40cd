/*
 * jni_erase.c: natives of io.custos.Erasure (erase a subject, a purpose,
 * the expired records, factory reset, the receipts kept in the store) and
 * of io.custos.DeletionReceipt (verify, render as JSON), the outbox of
 * signed EraseRequests and io.custos.EraseRequestReceiver (accept one once).
 *
 * Every erase may take a Java EraseProgress. It is called on the calling
 * thread, with the store's write lock held; returning false, or throwing,
 * stops the erase with CUSTOS_ECANCELED (finished by the next open).
 */
#include "jni_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmethodID on_step_mid;

typedef struct progress {
    JNIEnv *env;
    jobject callback;
    int threw;
} progress;

static int on_step(void *user, custos_erase_step done, unsigned int total)
{
    progress *p = user;
    JNIEnv *env = p->env;
    jboolean go = (*env)->CallBooleanMethod(env, p->callback, on_step_mid, (jint)done, (jint)total);
    if ((*env)->ExceptionCheck(env)) {
        (*env)->ExceptionClear(env);
        p->threw = 1;
        return 1;
    }
    return go ? 0 : 1;
}

static void options(custos_erase_options *o, progress *p, JNIEnv *env, jobject callback)
{
    custos_erase_options init = CUSTOS_ERASE_OPTIONS_INIT;
    *o = init;
    p->env = env;
    p->callback = callback;
    p->threw = 0;
    if (callback != NULL) {
        o->progress = on_step;
        o->progress_user = p;
    }
}

/* The receipt as a byte[], or the exception for rc. */
static jbyteArray finish(JNIEnv *env, int rc, const custos_t *ctx, const char *open_error,
                         const progress *p, const uint8_t *receipt, size_t len)
{
    if (rc == CUSTOS_OK)
        return cj_bytes_new(env, receipt, len);
    if (rc == CUSTOS_ECANCELED)
        cj_throw(env, rc, p->threw ? "the progress callback threw; the erase finishes on the next open"
                                   : "stopped by the progress callback; the erase finishes on the next open");
    else if (ctx != NULL)
        cj_throw_ctx(env, rc, ctx);
    else
        cj_throw(env, rc, open_error);
    return NULL;
}

static jbyteArray JNICALL n_erase_subject(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jobject cb)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return NULL;
    custos_erase_options o;
    progress p;
    options(&o, &p, env, cb);
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0;
    int rc = custos_erase_subject(cj_ctx(h), receipt, sizeof receipt, &len, s, &o);
    return finish(env, rc, cj_ctx(h), NULL, &p, receipt, len);
}

static jbyteArray JNICALL n_erase_purpose(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint purpose,
                                          jobject cb)
{
    (void)cls;
    custos_subject s;
    uint32_t pu;
    if (cj_subject(env, jsubject, &s) != 0 || cj_u32(env, purpose, "purpose", &pu) != 0)
        return NULL;
    custos_erase_options o;
    progress p;
    options(&o, &p, env, cb);
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0;
    int rc = custos_erase_purpose(cj_ctx(h), receipt, sizeof receipt, &len, s, pu, &o);
    return finish(env, rc, cj_ctx(h), NULL, &p, receipt, len);
}

/* The receipt, or an empty array if nothing had expired; removed[0] counts the records. */
static jbyteArray JNICALL n_erase_expired(JNIEnv *env, jclass cls, jlong h, jlongArray jremoved)
{
    (void)cls;
    custos_erase_options o;
    progress p;
    options(&o, &p, env, NULL);
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0;
    uint64_t removed = 0;
    int rc = custos_erase_expired(cj_ctx(h), receipt, sizeof receipt, &len, &removed, &o);
    if (rc == CUSTOS_OK) {
        jlong r = (jlong)removed;
        (*env)->SetLongArrayRegion(env, jremoved, 0, 1, &r);
    }
    return finish(env, rc, cj_ctx(h), NULL, &p, receipt, len);
}

/*
 * Factory reset replaces the handle: handle[0] receives the new one (the
 * same if the reset never began, 0 if it failed half-way: the next open
 * finishes it). The Java side holds the store's write lock.
 */
static jbyteArray JNICALL n_factory_reset(JNIEnv *env, jclass cls, jlong h, jobject cb, jlongArray jhandle)
{
    (void)cls;
    custos_t *ctx = cj_ctx(h);
    custos_erase_options o;
    progress p;
    options(&o, &p, env, cb);
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0;
    int rc = custos_factory_reset(&ctx, receipt, sizeof receipt, &len, &o);
    jlong out = (jlong)(intptr_t)ctx;
    (*env)->SetLongArrayRegion(env, jhandle, 0, 1, &out);
    return finish(env, rc, ctx, custos_last_error(), &p, receipt, len);
}

typedef int (*seq_list_fn)(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n);

/* The sequence numbers of a stored list (receipts or outbox) as a long[]. */
static jlongArray seq_list(JNIEnv *env, jlong h, seq_list_fn list)
{
    uint64_t *seqs = NULL;
    size_t max = 0, n = 0;
    int rc;
    /* Size, then fetch; an erase on another thread may add one in between. */
    for (;;) {
        rc = list(cj_ctx(h), seqs, max, &n);
        if (rc != CUSTOS_OK || n <= max)
            break;
        free(seqs);
        max = n + 4;
        if ((seqs = calloc(max, sizeof *seqs)) == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
    }
    jlongArray out = NULL;
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
    else if ((out = (*env)->NewLongArray(env, (jsize)n)) != NULL)
        for (size_t i = 0; i < n; i++) {
            jlong v = (jlong)seqs[i];
            (*env)->SetLongArrayRegion(env, out, (jsize)i, 1, &v);
        }
    free(seqs);
    return out;
}

static jlongArray JNICALL n_receipt_seqs(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    return seq_list(env, h, custos_erase_receipt_list);
}

static jbyteArray JNICALL n_receipt_get(JNIEnv *env, jclass cls, jlong h, jlong seq)
{
    (void)cls;
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0;
    int rc = custos_erase_receipt_get(cj_ctx(h), receipt, sizeof receipt, &len, (uint64_t)seq);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    return cj_bytes_new(env, receipt, len);
}

static void JNICALL n_receipt_verify(JNIEnv *env, jclass cls, jbyteArray jreceipt, jbyteArray jpk)
{
    (void)cls;
    cj_bytes receipt, pk;
    if (cj_bytes_get(env, jreceipt, 0, &receipt) != 0)
        return;
    if (cj_bytes_get(env, jpk, 0, &pk) != 0) {
        cj_bytes_free(&receipt);
        return;
    }
    const int key_ok = pk.len == CUSTOS_PUBLIC_KEY_BYTES;
    int rc = key_ok ? custos_receipt_verify(receipt.data, receipt.len, pk.data) : CUSTOS_EINVAL;
    cj_bytes_free(&receipt);
    cj_bytes_free(&pk);
    if (rc != CUSTOS_OK)
        cj_throw(env, rc, key_ok ? custos_last_error() : "a public key is 32 bytes (Ed25519)");
}

/* The receipt as JSON (UTF-8 bytes; the Java side decodes them). */
static jbyteArray JNICALL n_receipt_json(JNIEnv *env, jclass cls, jbyteArray jreceipt)
{
    (void)cls;
    cj_bytes receipt;
    if (cj_bytes_get(env, jreceipt, 0, &receipt) != 0)
        return NULL;
    char *json = NULL;
    size_t size = 0, len = 0;
    int rc;
    while ((rc = custos_receipt_json(json, size, &len, receipt.data, receipt.len)) == CUSTOS_ERANGE &&
           len >= size) {
        free(json);
        size = len + 1;
        if ((json = malloc(size)) == NULL) {
            cj_bytes_free(&receipt);
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
    }
    cj_bytes_free(&receipt);
    jbyteArray out = NULL;
    if (rc == CUSTOS_OK)
        out = cj_bytes_new(env, (const uint8_t *)json, len);
    else
        cj_throw(env, rc, custos_last_error());
    free(json);
    return out;
}

static jlongArray JNICALL n_outbox_seqs(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    return seq_list(env, h, custos_erase_outbox_list);
}

static jbyteArray JNICALL n_outbox_get(JNIEnv *env, jclass cls, jlong h, jlong seq)
{
    (void)cls;
    uint8_t *buf = NULL;
    size_t size = 0, len = 0;
    int rc;
    while ((rc = custos_erase_outbox_get(cj_ctx(h), buf, size, &len, (uint64_t)seq)) == CUSTOS_ERANGE &&
           len > size) {
        free(buf);
        size = len;
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

static void JNICALL n_outbox_ack(JNIEnv *env, jclass cls, jlong h, jlong seq)
{
    (void)cls;
    int rc = custos_erase_outbox_ack(cj_ctx(h), (uint64_t)seq);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/*
 * The replay state travels as bytes the app persists: last_counter and
 * n_ids (u32 little-endian), then CUSTOS_ERASE_REPLAY_IDS ids of 16 bytes.
 */
#define REPLAY_STATE_BYTES (8u + CUSTOS_ERASE_REPLAY_IDS * 16u)

static void u32_put(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t u32_get(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Accept one signed EraseRequest. state (REPLAY_STATE_BYTES) is updated in
 * place on success; nums receives counter, scope, purpose (-1: none), time,
 * has_subject; ids receives device id, request id and subject hash (64 bytes).
 */
static void JNICALL n_request_accept(JNIEnv *env, jclass cls, jbyteArray jstate, jbyteArray jmsg, jbyteArray jpk,
                                     jlongArray jnums, jbyteArray jids)
{
    (void)cls;
    uint8_t raw[REPLAY_STATE_BYTES], pk[CUSTOS_PUBLIC_KEY_BYTES];
    if ((*env)->GetArrayLength(env, jstate) != (jsize)sizeof raw ||
        (*env)->GetArrayLength(env, jpk) != (jsize)sizeof pk) {
        cj_throw_illegal_argument(env, "a replay state or a public key has the wrong length");
        return;
    }
    (*env)->GetByteArrayRegion(env, jstate, 0, (jsize)sizeof raw, (jbyte *)raw);
    (*env)->GetByteArrayRegion(env, jpk, 0, (jsize)sizeof pk, (jbyte *)pk);
    custos_erase_replay_state st;
    st.last_counter = u32_get(raw);
    st.n_ids = u32_get(raw + 4);
    memcpy(st.ids, raw + 8, sizeof st.ids);
    cj_bytes msg;
    if (cj_bytes_get(env, jmsg, 0, &msg) != 0)
        return;
    custos_erase_request_info info;
    int rc = custos_erase_request_accept(&info, &st, msg.data, msg.len, pk);
    cj_bytes_free(&msg);
    if (rc != CUSTOS_OK) {
        cj_throw(env, rc, custos_last_error());
        return;
    }
    u32_put(raw, st.last_counter);
    u32_put(raw + 4, st.n_ids);
    memcpy(raw + 8, st.ids, sizeof st.ids);
    (*env)->SetByteArrayRegion(env, jstate, 0, (jsize)sizeof raw, (const jbyte *)raw);
    jlong nums[5] = { info.counter, info.scope, info.has_purpose ? (jlong)info.purpose : -1, (jlong)info.time,
                      info.has_subject_hash };
    (*env)->SetLongArrayRegion(env, jnums, 0, 5, nums);
    uint8_t ids[64];
    memcpy(ids, info.device_id, 16);
    memcpy(ids + 16, info.request_id, 16);
    memcpy(ids + 32, info.subject_hash, 32);
    (*env)->SetByteArrayRegion(env, jids, 0, 64, (const jbyte *)ids);
}

int cj_register_erase(JNIEnv *env)
{
    static const JNINativeMethod erase[] = {
        CJ_NATIVE("nativeEraseSubject", "(JJLio/custos/EraseProgress;)[B", n_erase_subject),
        CJ_NATIVE("nativeErasePurpose", "(JJILio/custos/EraseProgress;)[B", n_erase_purpose),
        CJ_NATIVE("nativeEraseExpired", "(J[J)[B", n_erase_expired),
        CJ_NATIVE("nativeFactoryReset", "(JLio/custos/EraseProgress;[J)[B", n_factory_reset),
        CJ_NATIVE("nativeReceiptSeqs", "(J)[J", n_receipt_seqs),
        CJ_NATIVE("nativeReceiptGet", "(JJ)[B", n_receipt_get),
        CJ_NATIVE("nativeOutboxSeqs", "(J)[J", n_outbox_seqs),
        CJ_NATIVE("nativeOutboxGet", "(JJ)[B", n_outbox_get),
        CJ_NATIVE("nativeOutboxAck", "(JJ)V", n_outbox_ack),
    };
    static const JNINativeMethod receiver[] = {
        CJ_NATIVE("nativeAccept", "([B[B[B[J[B)V", n_request_accept),
    };
    static const JNINativeMethod receipt[] = {
        CJ_NATIVE("nativeVerify", "([B[B)V", n_receipt_verify),
        CJ_NATIVE("nativeJson", "([B)[B", n_receipt_json),
    };
    jclass cb = (*env)->FindClass(env, "io/custos/EraseProgress");
    if (cb == NULL)
        return -1;
    on_step_mid = (*env)->GetMethodID(env, cb, "onStep", "(II)Z");
    (*env)->DeleteLocalRef(env, cb);
    if (on_step_mid == NULL)
        return -1;
    if (cj_register(env, "io/custos/Erasure", erase, (int)(sizeof erase / sizeof erase[0])) != 0)
        return -1;
    if (cj_register(env, "io/custos/EraseRequestReceiver", receiver, 1) != 0)
        return -1;
    return cj_register(env, "io/custos/DeletionReceipt", receipt, (int)(sizeof receipt / sizeof receipt[0]));
}
