/*
 * jni_audit.c: natives of io.custos.Audit: verify the store's chain or an
 * exported one, export it, sign a checkpoint, the optional-events setting,
 * read its entries.
 * A broken chain is not an exception here: the report says where it broke.
 */
#include "jni_util.h"

#include <stdlib.h>
#include <string.h>

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
    const int key_ok = pk.len == CUSTOS_PUBLIC_KEY_BYTES;
    int rc = key_ok ? custos_audit_verify_export(&r, exp.data, exp.len, pk.data) : CUSTOS_EINVAL;
    cj_bytes_free(&pk);
    cj_bytes_free(&exp);
    if (rc != CUSTOS_OK && rc != CUSTOS_ECORRUPT) {
        cj_throw(env, rc, key_ok ? custos_last_error() : "a public key is 32 bytes (Ed25519)");
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

/*
 * The entries from a seq on, serialized for Audit.entries (little-endian):
 * seq u64, kind i32, time u64, has_subject u8, subject_hash[32], purpose
 * i64, code i32, hash[32], detail length u16, detail (UTF-8).
 */
typedef struct entry_buf {
    uint8_t *data;
    size_t len, cap;
} entry_buf;

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int append_entry(void *user, const custos_audit_entry *e)
{
    entry_buf *b = user;
    size_t dlen = e->detail != NULL ? strlen(e->detail) : 0;
    if (dlen > UINT16_MAX)
        dlen = UINT16_MAX;
    size_t need = 8 + 4 + 8 + 1 + 32 + 8 + 4 + 32 + 2 + dlen;
    if (b->len + need > b->cap) {
        size_t cap = (b->cap + need) * 2;
        uint8_t *p = realloc(b->data, cap);
        if (p == NULL)
            return CUSTOS_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    uint8_t *o = b->data + b->len;
    put_le(o, e->seq, 8);
    put_le(o + 8, (uint32_t)e->kind, 4);
    put_le(o + 12, e->time, 8);
    o[20] = e->has_subject != 0;
    memcpy(o + 21, e->subject_hash, 32);
    put_le(o + 53, (uint64_t)e->purpose, 8);
    put_le(o + 61, (uint32_t)e->code, 4);
    memcpy(o + 65, e->hash, 32);
    put_le(o + 97, dlen, 2);
    if (dlen > 0)
        memcpy(o + 99, e->detail, dlen);
    b->len += need;
    return 0;
}

static jbyteArray JNICALL n_entries(JNIEnv *env, jclass cls, jlong h, jlong from)
{
    (void)cls;
    if (from < 0) {
        cj_throw_illegal_argument(env, "from must not be negative");
        return NULL;
    }
    entry_buf b = { NULL, 0, 0 };
    int rc = custos_audit_foreach(cj_ctx(h), (uint64_t)from, append_entry, &b);
    jbyteArray out = NULL;
    if (rc == CUSTOS_OK)
        out = cj_bytes_new(env, b.data, b.len);
    else if (rc == CUSTOS_ENOMEM)
        cj_throw(env, rc, NULL);
    else
        cj_throw_ctx(env, rc, cj_ctx(h));
    free(b.data);
    return out;
}

static jbyteArray JNICALL n_kind_name(JNIEnv *env, jclass cls, jint kind)
{
    (void)cls;
    const char *s = custos_audit_kind_name((custos_audit_kind)kind);
    return cj_bytes_new(env, (const uint8_t *)s, strlen(s));
}

static jboolean JNICALL n_kind_is_mandatory(JNIEnv *env, jclass cls, jint kind)
{
    (void)env;
    (void)cls;
    return custos_audit_kind_is_mandatory((custos_audit_kind)kind) == 1 ? JNI_TRUE : JNI_FALSE;
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
        CJ_NATIVE("nativeEntries", "(JJ)[B", n_entries),
        CJ_NATIVE("nativeKindName", "(I)[B", n_kind_name),
        CJ_NATIVE("nativeKindIsMandatory", "(I)Z", n_kind_is_mandatory),
    };
    return cj_register(env, "io/custos/Audit", methods, (int)(sizeof methods / sizeof methods[0]));
}
