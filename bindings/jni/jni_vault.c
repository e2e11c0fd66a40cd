/*
 * jni_vault.c: natives of io.custos.Vault: put (one or a batch), get, list
 * and delete records, sealed streams (write and read one record of any
 * size in pieces), export and import a subject's records, maintenance.
 * Payloads are personal data: they are copied into guarded native memory
 * and wiped (cj_bytes, a stream's bounded buffer), never pinned.
 */
#include "jni_util.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static jlong JNICALL n_put(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint purpose, jint category,
                           jbyteArray jdata)
{
    (void)cls;
    custos_subject s;
    uint32_t p, c;
    cj_bytes data;
    if (cj_subject(env, jsubject, &s) != 0 || cj_u32(env, purpose, "purpose", &p) != 0 ||
        cj_u32(env, category, "category", &c) != 0 || cj_bytes_get(env, jdata, 0, &data) != 0)
        return 0;
    custos_record_id id = 0;
    int rc = custos_vault_put(cj_ctx(h), &id, s, p, c, data.data, data.len);
    cj_bytes_free(&data);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    return (jlong)id;
}

/* What io.custos.VaultInfo reads: purpose, category, created, expires, size, flags. */
#define CJ_INFO_LONGS 6
static void info_out(JNIEnv *env, const custos_vault_info *info, jlongArray jinfo)
{
    jlong v[CJ_INFO_LONGS] = { info->purpose, info->category, (jlong)info->created, (jlong)info->expires,
                               (jlong)info->size, info->flags };
    (*env)->SetLongArrayRegion(env, jinfo, 0, CJ_INFO_LONGS, v);
}

/* The payload; info (CJ_INFO_LONGS) receives what the vault knows about it. */
static jbyteArray JNICALL n_get(JNIEnv *env, jclass cls, jlong h, jlong id, jlongArray jinfo)
{
    (void)cls;
    size_t need = 0;
    custos_vault_info info;
    uint8_t probe[1];
    int rc = custos_vault_get(cj_ctx(h), probe, 0, &need, &info, (custos_record_id)id);
    uint8_t *buf = NULL;
    /* A record never changes once written: one retry with its size is enough. */
    if (rc == CUSTOS_ERANGE || rc == CUSTOS_OK) {
        if ((buf = sodium_malloc(need > 0 ? need : 1)) == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
        rc = custos_vault_get(cj_ctx(h), buf, need, &need, &info, (custos_record_id)id);
    }
    jbyteArray out = NULL;
    if (rc == CUSTOS_OK) {
        info_out(env, &info, jinfo);
        out = cj_bytes_new(env, buf, need);
    } else {
        cj_throw_ctx(env, rc, cj_ctx(h));
    }
    if (buf != NULL)
        sodium_free(buf); /* wipes */
    return out;
}

static jlongArray JNICALL n_list(JNIEnv *env, jclass cls, jlong h, jlong jsubject)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return NULL;
    custos_record_id *ids = NULL;
    size_t size = 0, n = 0;
    int rc;
    while ((rc = custos_vault_list(cj_ctx(h), ids, size, &n, s)) == CUSTOS_ERANGE) {
        free(ids);
        size = n + 16;
        if ((ids = calloc(size, sizeof *ids)) == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            return NULL;
        }
    }
    jlongArray out = NULL;
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
    } else if ((out = (*env)->NewLongArray(env, (jsize)n)) != NULL && n > 0) {
        jlong *tmp = malloc(n * sizeof *tmp);
        if (tmp == NULL) {
            cj_throw(env, CUSTOS_ENOMEM, NULL);
            out = NULL;
        } else {
            for (size_t i = 0; i < n; i++)
                tmp[i] = (jlong)ids[i];
            (*env)->SetLongArrayRegion(env, out, 0, (jsize)n, tmp);
            free(tmp);
        }
    }
    free(ids);
    return out;
}

static void JNICALL n_delete(JNIEnv *env, jclass cls, jlong h, jlong id)
{
    (void)cls;
    int rc = custos_vault_delete(cj_ctx(h), (custos_record_id)id);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

static int key32(JNIEnv *env, jbyteArray arr, cj_bytes *out, const char *what)
{
    if (cj_bytes_get(env, arr, 0, out) != 0)
        return -1;
    if (out->len != 32) {
        cj_bytes_free(out);
        cj_throw_illegal_argument(env, what);
        return -1;
    }
    return 0;
}

static void JNICALL n_export(JNIEnv *env, jclass cls, jlong h, jstring jpath, jlong jsubject, jbyteArray jpk)
{
    (void)cls;
    custos_subject s;
    char *path = NULL;
    cj_bytes pk;
    if (cj_subject(env, jsubject, &s) != 0 || cj_string_get(env, jpath, 0, &path) != 0)
        return;
    if (key32(env, jpk, &pk, "a recipient public key is 32 bytes (X25519)") != 0) {
        cj_string_free(path);
        return;
    }
    int rc = custos_vault_export(cj_ctx(h), path, s, pk.data);
    cj_bytes_free(&pk);
    cj_string_free(path);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

static jint JNICALL n_import(JNIEnv *env, jclass cls, jlong h, jstring jpath, jlong jsubject, jbyteArray jpk,
                             jbyteArray jsk)
{
    (void)cls;
    custos_subject s;
    char *path = NULL;
    cj_bytes pk, sk;
    if (cj_subject(env, jsubject, &s) != 0 || cj_string_get(env, jpath, 0, &path) != 0)
        return 0;
    if (key32(env, jpk, &pk, "a recipient public key is 32 bytes (X25519)") != 0) {
        cj_string_free(path);
        return 0;
    }
    if (key32(env, jsk, &sk, "a recipient secret key is 32 bytes (X25519)") != 0) {
        cj_bytes_free(&pk);
        cj_string_free(path);
        return 0;
    }
    size_t n = 0;
    int rc = custos_vault_import(cj_ctx(h), &n, path, s, pk.data, sk.data);
    cj_bytes_free(&sk);
    cj_bytes_free(&pk);
    cj_string_free(path);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    return (jint)n;
}

/* A recipient key pair: pk and sk are 32-byte Java arrays to fill. */
static void JNICALL n_export_keypair(JNIEnv *env, jclass cls, jbyteArray jpk, jbyteArray jsk)
{
    (void)cls;
    uint8_t pk[32];
    uint8_t *sk = sodium_malloc(32);
    if (sk == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return;
    }
    int rc = custos_export_keypair(pk, sk);
    if (rc == CUSTOS_OK) {
        (*env)->SetByteArrayRegion(env, jpk, 0, 32, (const jbyte *)pk);
        (*env)->SetByteArrayRegion(env, jsk, 0, 32, (const jbyte *)sk);
    }
    sodium_free(sk);
    if (rc != CUSTOS_OK)
        cj_throw(env, rc, NULL);
}

static jlong JNICALL n_payload_max(JNIEnv *env, jclass cls)
{
    (void)env;
    (void)cls;
    return (jlong)custos_vault_payload_max();
}

static jlong JNICALL n_maintain(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint64_t removed = 0;
    int rc = custos_maintain(cj_ctx(h), &removed);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
    return (jlong)removed;
}

static void JNICALL n_rotate_kek(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    int rc = custos_vault_rotate_kek(cj_ctx(h));
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/* A batch for custos_vault_put_many: the payloads in guarded memory. */
typedef struct batch {
    size_t n;
    cj_bytes *data;
    custos_vault_item *items;
} batch;

static void batch_free(batch *b)
{
    for (size_t i = 0; b->data != NULL && i < b->n; i++)
        cj_bytes_free(&b->data[i]);
    free(b->data);
    free(b->items);
}

/* Copy payload i of jpayloads; each element's local reference is freed at once. */
static int batch_payload(JNIEnv *env, jobjectArray jpayloads, batch *b, size_t i)
{
    jbyteArray arr = (jbyteArray)(*env)->GetObjectArrayElement(env, jpayloads, (jsize)i);
    if ((*env)->ExceptionCheck(env))
        return -1;
    int rc = cj_bytes_get(env, arr, 0, &b->data[i]);
    (*env)->DeleteLocalRef(env, arr);
    b->items[i].data = b->data[i].data;
    b->items[i].len = b->data[i].len;
    return rc;
}

static int batch_get(JNIEnv *env, jintArray jpurposes, jintArray jcategories, jobjectArray jpayloads, batch *b)
{
    jsize n = (*env)->GetArrayLength(env, jpayloads);
    b->n = (size_t)n;
    b->data = calloc(b->n + 1, sizeof *b->data);
    b->items = calloc(b->n + 1, sizeof *b->items);
    jint *pc = calloc(2 * b->n + 1, sizeof *pc);
    if (b->data == NULL || b->items == NULL || pc == NULL) {
        free(pc);
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return -1;
    }
    int rc = 0;
    (*env)->GetIntArrayRegion(env, jpurposes, 0, n, pc);
    if (!(*env)->ExceptionCheck(env))
        (*env)->GetIntArrayRegion(env, jcategories, 0, n, pc + n);
    if ((*env)->ExceptionCheck(env))
        rc = -1;
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        if (cj_u32(env, pc[i], "purpose", &b->items[i].purpose) != 0 ||
            cj_u32(env, pc[b->n + i], "category", &b->items[i].category) != 0 ||
            batch_payload(env, jpayloads, b, i) != 0)
            rc = -1;
    }
    free(pc);
    return rc;
}

static jlongArray JNICALL n_put_many(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jintArray jpurposes,
                                     jintArray jcategories, jobjectArray jpayloads)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return NULL;
    batch b = { 0, NULL, NULL };
    custos_record_id *ids = NULL;
    jlongArray out = NULL;
    if (batch_get(env, jpurposes, jcategories, jpayloads, &b) == 0) {
        int rc = CUSTOS_ENOMEM;
        if ((ids = calloc(b.n + 1, sizeof *ids)) != NULL)
            rc = custos_vault_put_many(cj_ctx(h), ids, s, b.items, b.n);
        if (rc != CUSTOS_OK)
            cj_throw_ctx(env, rc, cj_ctx(h));
        else if ((out = (*env)->NewLongArray(env, (jsize)b.n)) != NULL)
            (*env)->SetLongArrayRegion(env, out, 0, (jsize)b.n, (const jlong *)ids);
    }
    free(ids);
    batch_free(&b);
    return out;
}

/*
 * Sealed streams. The jlong a VaultOutputStream or VaultInputStream holds
 * points to a cj_stream: the core's handle and one bounded buffer of
 * guarded memory through which every byte passes (copied with
 * Get/SetByteArrayRegion, at most CJ_STREAM_BUF at a time, and wiped after
 * each use), so a write or read of any size copies at most one buffer's
 * worth and pins nothing. The Java side calls these under the store's read
 * lock (the custos_t stays open) and the stream's monitor (one thread at a
 * time, as the core requires), and closes every open stream before it
 * closes or resets the store (a stream must not outlive its custos_t).
 */
#define CJ_STREAM_BUF (64u * 1024u)

typedef struct cj_stream {
    custos_vault_stream *s;
    uint8_t *buf;   /* CJ_STREAM_BUF bytes, sodium_malloc */
    int at_end;     /* a read returned 0: the end has authenticated */
} cj_stream;

static inline cj_stream *cj_stream_of(jlong p) { return (cj_stream *)(intptr_t)p; }

static cj_stream *stream_new(JNIEnv *env)
{
    cj_stream *st = calloc(1, sizeof *st);
    if (st != NULL && (st->buf = sodium_malloc(CJ_STREAM_BUF)) == NULL) {
        free(st);
        st = NULL;
    }
    if (st == NULL)
        cj_throw(env, CUSTOS_ENOMEM, NULL);
    return st;
}

/* Frees the wrapper (not the core's handle). */
static void stream_free(cj_stream *st)
{
    if (st == NULL)
        return;
    sodium_free(st->buf); /* wipes */
    free(st);
}

static jlong JNICALL n_stream_create(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint purpose,
                                     jint category)
{
    (void)cls;
    custos_subject s;
    uint32_t p, c;
    if (cj_subject(env, jsubject, &s) != 0 || cj_u32(env, purpose, "purpose", &p) != 0 ||
        cj_u32(env, category, "category", &c) != 0)
        return 0;
    cj_stream *st = stream_new(env);
    if (st == NULL)
        return 0;
    int rc = custos_vault_stream_create(cj_ctx(h), &st->s, s, p, c);
    if (rc != CUSTOS_OK) {
        stream_free(st);
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    return (jlong)(intptr_t)st;
}

/* Append jdata[off, off + len) (bounds checked by the Java side). */
static void JNICALL n_stream_write(JNIEnv *env, jclass cls, jlong h, jlong js, jbyteArray jdata, jint off,
                                   jint len)
{
    (void)cls;
    cj_stream *st = cj_stream_of(js);
    int rc = CUSTOS_OK;
    for (jint done = 0; rc == CUSTOS_OK && done < len;) {
        jint k = len - done < (jint)CJ_STREAM_BUF ? len - done : (jint)CJ_STREAM_BUF;
        (*env)->GetByteArrayRegion(env, jdata, off + done, k, (jbyte *)st->buf);
        if ((*env)->ExceptionCheck(env)) {
            sodium_memzero(st->buf, (size_t)k);
            return;
        }
        rc = custos_vault_stream_write(st->s, st->buf, (size_t)k);
        sodium_memzero(st->buf, (size_t)k);
        done += k;
    }
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/* Store the stream; the core's handle and the wrapper are freed whatever the result. */
static jlong JNICALL n_stream_finish(JNIEnv *env, jclass cls, jlong h, jlong js)
{
    (void)cls;
    cj_stream *st = cj_stream_of(js);
    custos_record_id id = 0;
    int rc = custos_vault_stream_finish(st->s, &id);
    stream_free(st);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    return (jlong)id;
}

/* Open a stream record; info (CJ_INFO_LONGS) receives what the vault knows about it. */
static jlong JNICALL n_stream_open(JNIEnv *env, jclass cls, jlong h, jlong id, jlongArray jinfo)
{
    (void)cls;
    cj_stream *st = stream_new(env);
    if (st == NULL)
        return 0;
    custos_vault_info info = {0};
    int rc = custos_vault_stream_open(cj_ctx(h), &st->s, &info, (custos_record_id)id);
    if (rc != CUSTOS_OK) {
        stream_free(st);
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    info_out(env, &info, jinfo);
    return (jlong)(intptr_t)st;
}

/*
 * Read into jdata[off, off + len) (bounds checked by the Java side, len > 0):
 * fills up to min(len, CJ_STREAM_BUF) bytes, fewer only at the end. Returns
 * the count, 0 only at the authenticated end. A failure throws and returns
 * 0; whatever it had read is wiped, not delivered.
 */
static jint JNICALL n_stream_read(JNIEnv *env, jclass cls, jlong h, jlong js, jbyteArray jdata, jint off,
                                  jint len)
{
    (void)cls;
    cj_stream *st = cj_stream_of(js);
    size_t want = (size_t)len < CJ_STREAM_BUF ? (size_t)len : CJ_STREAM_BUF;
    size_t got = 0;
    int rc = CUSTOS_OK;
    while (rc == CUSTOS_OK && !st->at_end && got < want) {
        size_t n = 0;
        rc = custos_vault_stream_read(st->s, st->buf + got, want - got, &n);
        if (rc == CUSTOS_OK && n == 0)
            st->at_end = 1;
        got += n;
    }
    if (rc != CUSTOS_OK) {
        sodium_memzero(st->buf, want);
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    if (got > 0)
        (*env)->SetByteArrayRegion(env, jdata, off, (jsize)got, (const jbyte *)st->buf);
    sodium_memzero(st->buf, got);
    return (jint)got;
}

/* Free a stream; one being written and not finished is discarded. */
static void JNICALL n_stream_close(JNIEnv *env, jclass cls, jlong js)
{
    (void)env;
    (void)cls;
    cj_stream *st = cj_stream_of(js);
    if (st == NULL)
        return;
    custos_vault_stream_close(st->s);
    stream_free(st);
}

int cj_register_vault(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativePut", "(JJII[B)J", n_put),
        CJ_NATIVE("nativePutMany", "(JJ[I[I[[B)[J", n_put_many),
        CJ_NATIVE("nativeGet", "(JJ[J)[B", n_get),
        CJ_NATIVE("nativeStreamCreate", "(JJII)J", n_stream_create),
        CJ_NATIVE("nativeStreamWrite", "(JJ[BII)V", n_stream_write),
        CJ_NATIVE("nativeStreamFinish", "(JJ)J", n_stream_finish),
        CJ_NATIVE("nativeStreamOpen", "(JJ[J)J", n_stream_open),
        CJ_NATIVE("nativeStreamRead", "(JJ[BII)I", n_stream_read),
        CJ_NATIVE("nativeStreamClose", "(J)V", n_stream_close),
        CJ_NATIVE("nativeList", "(JJ)[J", n_list),
        CJ_NATIVE("nativeDelete", "(JJ)V", n_delete),
        CJ_NATIVE("nativeExport", "(JLjava/lang/String;J[B)V", n_export),
        CJ_NATIVE("nativeImport", "(JLjava/lang/String;J[B[B)I", n_import),
        CJ_NATIVE("nativeExportKeyPair", "([B[B)V", n_export_keypair),
        CJ_NATIVE("nativePayloadMax", "()J", n_payload_max),
        CJ_NATIVE("nativeMaintain", "(J)J", n_maintain),
        CJ_NATIVE("nativeRotateKek", "(J)V", n_rotate_kek),
    };
    return cj_register(env, "io/custos/Vault", methods, (int)(sizeof methods / sizeof methods[0]));
}
