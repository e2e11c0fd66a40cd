/*
 * jni_consent.c: natives of io.custos.Consent: record decisions, read the
 * state and history of a (subject, purpose), export and verify receipts,
 * verify the ledger, hash a notice.
 */
#include "jni_util.h"

#include <stdio.h>
#include <stdlib.h>

static jclass event_class;
static jmethodID event_ctor;

static void JNICALL n_record(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint purpose, jint status,
                             jint method, jint actor, jstring jlang, jbyteArray jnotice)
{
    (void)cls;
    custos_subject s;
    uint32_t p;
    if (cj_subject(env, jsubject, &s) != 0 || cj_u32(env, purpose, "purpose", &p) != 0)
        return;
    char *lang = NULL;
    cj_bytes notice;
    if (cj_string_get(env, jlang, 0, &lang) != 0)
        return;
    if (cj_bytes_get(env, jnotice, 1, &notice) != 0) {
        cj_string_free(lang);
        return;
    }
    if (notice.data != NULL && notice.len != CUSTOS_HASH_BYTES) {
        cj_bytes_free(&notice);
        cj_string_free(lang);
        cj_throw_illegal_argument(env, "a notice hash is 32 bytes (BLAKE2b-256)");
        return;
    }
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    info.notice_hash = notice.data;
    info.notice_lang = lang;
    info.method = (custos_consent_method)method;
    info.actor = (custos_consent_actor)actor;
    int rc = custos_consent_record(cj_ctx(h), s, p, (custos_consent_status)status, &info);
    cj_bytes_free(&notice);
    cj_string_free(lang);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/* out: status, valid_until, time, policy_version, seq, invalidated. */
static void JNICALL n_state(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint purpose, jlongArray out)
{
    (void)cls;
    custos_subject s;
    uint32_t p;
    if (cj_subject(env, jsubject, &s) != 0 || cj_u32(env, purpose, "purpose", &p) != 0)
        return;
    custos_consent_state_info st;
    int rc = custos_consent_state(cj_ctx(h), &st, s, p);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return;
    }
    jlong v[6] = { st.status, (jlong)st.valid_until, (jlong)st.time, st.policy_version,
                   (jlong)st.seq, st.invalidated };
    (*env)->SetLongArrayRegion(env, out, 0, 6, v);
}

static jobject new_event(JNIEnv *env, const custos_consent_event_info *e)
{
    jbyteArray id = cj_bytes_new(env, e->event_id, sizeof e->event_id);
    jbyteArray manifest = id != NULL ? cj_bytes_new(env, e->manifest_id, sizeof e->manifest_id) : NULL;
    jbyteArray notice = NULL;
    if (manifest != NULL && e->has_notice_hash && (notice = cj_bytes_new(env, e->notice_hash, 32)) == NULL)
        return NULL;
    jstring lang = manifest != NULL ? cj_string_new(env, e->notice_lang) : NULL;
    if (lang == NULL)
        return NULL;
    return (*env)->NewObject(env, event_class, event_ctor, (jlong)e->seq, id, (jint)e->purpose,
                             (jint)e->status, (jint)e->method, (jint)e->actor, (jlong)e->time,
                             (jint)e->time_confidence, (jlong)e->valid_until, (jlong)e->policy_version,
                             manifest, notice, lang, (jboolean)(e->app_signed != 0));
}

/* The history as ConsentEvent[]; each element is built in its own local frame. */
static jobjectArray JNICALL n_history(JNIEnv *env, jclass cls, jlong h, jlong jsubject)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return NULL;
    custos_consent_event_info *events = NULL;
    size_t size = 0, n = 0;
    int rc;
    /* Size, then fetch; an event may be added between the two: ask again. */
    while ((rc = custos_consent_history(cj_ctx(h), events, size, &n, s)) == CUSTOS_ERANGE) {
        free(events);
        size = n + 4;
        if ((events = calloc(size, sizeof *events)) == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
    }
    if (rc != CUSTOS_OK) {
        free(events);
        cj_throw_ctx(env, rc, cj_ctx(h));
        return NULL;
    }
    jobjectArray arr = (*env)->NewObjectArray(env, (jsize)n, event_class, NULL);
    for (size_t i = 0; arr != NULL && i < n; i++) {
        if ((*env)->PushLocalFrame(env, 8) != 0) {
            arr = NULL;
            break;
        }
        jobject e = new_event(env, &events[i]);
        if (e != NULL)
            (*env)->SetObjectArrayElement(env, arr, (jsize)i, e);
        (*env)->PopLocalFrame(env, NULL);
        if (e == NULL)
            arr = NULL; /* exception pending */
    }
    free(events);
    return arr;
}

static jbyteArray JNICALL n_receipt(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint format)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return NULL;
    char *buf = NULL;
    size_t size = 0, len = 0;
    int rc;
    while ((rc = custos_consent_receipt(cj_ctx(h), buf, size, &len, s,
                                        (custos_receipt_format)format)) == CUSTOS_ERANGE) {
        free(buf);
        size = len + 256;
        if ((buf = malloc(size)) == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
    }
    jbyteArray out = NULL;
    if (rc == CUSTOS_OK)
        out = cj_bytes_new(env, (const uint8_t *)buf, len);
    else
        cj_throw_ctx(env, rc, cj_ctx(h));
    free(buf);
    return out;
}

static jint JNICALL n_receipt_verify(JNIEnv *env, jclass cls, jbyteArray jreceipt, jbyteArray jpk)
{
    (void)cls;
    cj_bytes receipt, pk;
    if (cj_bytes_get(env, jreceipt, 0, &receipt) != 0)
        return 0;
    if (cj_bytes_get(env, jpk, 1, &pk) != 0) {
        cj_bytes_free(&receipt);
        return 0;
    }
    size_t events = 0;
    const int key_ok = pk.data == NULL || pk.len == CUSTOS_PUBLIC_KEY_BYTES;
    int rc = key_ok ? custos_consent_receipt_verify(&events, (const char *)receipt.data, receipt.len, pk.data)
                    : CUSTOS_EINVAL;
    cj_bytes_free(&receipt);
    cj_bytes_free(&pk);
    if (rc != CUSTOS_OK) {
        cj_throw(env, rc, key_ok ? custos_last_error() : "a public key is 32 bytes");
        return 0;
    }
    return (jint)events;
}

static void JNICALL n_verify_ledger(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint64_t bad = 0;
    int rc = custos_consent_verify(cj_ctx(h), &bad);
    if (rc != CUSTOS_OK) {
        char detail[CUSTOS_ERRMSG_MAX + 64];
        snprintf(detail, sizeof detail, "first bad event at seq %llu: %s", (unsigned long long)bad,
                 custos_errmsg(cj_ctx(h)));
        cj_throw(env, rc, detail);
    }
}

static jlong JNICALL n_repair(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    size_t n = 0;
    int rc = custos_consent_repair(cj_ctx(h), &n);
    if (rc != CUSTOS_OK)
        cj_throw(env, rc, custos_errmsg(cj_ctx(h)));
    return (jlong)n;
}

/* The notice hash of the bytes the person was shown (custos_notice_hash). */
static jbyteArray JNICALL n_notice_hash(JNIEnv *env, jclass cls, jbyteArray jtext)
{
    (void)cls;
    cj_bytes text;
    if (cj_bytes_get(env, jtext, 0, &text) != 0)
        return NULL;
    uint8_t h[CUSTOS_HASH_BYTES];
    int rc = custos_notice_hash(h, text.data, text.len);
    cj_bytes_free(&text);
    if (rc != CUSTOS_OK) {
        cj_throw(env, rc, "the notice could not be hashed");
        return NULL;
    }
    return cj_bytes_new(env, h, sizeof h);
}

int cj_register_consent(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativeRecord", "(JJIIIILjava/lang/String;[B)V", n_record),
        CJ_NATIVE("nativeState", "(JJI[J)V", n_state),
        CJ_NATIVE("nativeHistory", "(JJ)[Lio/custos/ConsentEvent;", n_history),
        CJ_NATIVE("nativeReceipt", "(JJI)[B", n_receipt),
        CJ_NATIVE("nativeReceiptVerify", "([B[B)I", n_receipt_verify),
        CJ_NATIVE("nativeVerifyLedger", "(J)V", n_verify_ledger),
        CJ_NATIVE("nativeRepair", "(J)J", n_repair),
        CJ_NATIVE("nativeNoticeHash", "([B)[B", n_notice_hash),
    };
    if (cj_cache_class(env, "io/custos/ConsentEvent", "(J[BIIIIJIJJ[B[BLjava/lang/String;Z)V",
                       &event_class, &event_ctor) != 0)
        return -1;
    return cj_register(env, "io/custos/Consent", methods, (int)(sizeof methods / sizeof methods[0]));
}
