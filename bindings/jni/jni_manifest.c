/*
 * jni_manifest.c: natives of io.custos.Manifest: compile, check, id, show
 * and diff. No store is needed; a failure's detail comes from the
 * custos_manifest_error of the call ("file:line:col: ...").
 * Texts go to Java as UTF-8 bytes (Java decodes them: NewStringUTF takes
 * modified UTF-8, which differs for supplementary characters).
 */
#include "jni_util.h"

#include <string.h>

static void throw_err(JNIEnv *env, int rc, const custos_manifest_error *err)
{
    cj_throw(env, rc, err->message);
}

static jbyteArray JNICALL n_compile(JNIEnv *env, jclass cls, jbyteArray jyaml, jstring jname, jbyteArray jprev)
{
    (void)cls;
    cj_bytes yaml, prev;
    char *name = NULL;
    if (cj_bytes_get(env, jyaml, 0, &yaml) != 0)
        return NULL;
    if (cj_string_get(env, jname, 1, &name) != 0 || cj_bytes_get(env, jprev, 1, &prev) != 0) {
        cj_string_free(name);
        cj_bytes_free(&yaml);
        return NULL;
    }
    custos_manifest_compile_options opts = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    opts.previous = prev.data;
    opts.previous_len = prev.len;
    custos_manifest_error err = { "", 0, 0 };
    uint8_t *out = NULL;
    size_t len = 0;
    int rc = custos_manifest_compile(&out, &len, NULL, (const char *)yaml.data, yaml.len, name, &opts, &err);
    cj_bytes_free(&prev);
    cj_string_free(name);
    cj_bytes_free(&yaml);
    jbyteArray result = NULL;
    if (rc == CUSTOS_OK)
        result = cj_bytes_new(env, out, len);
    else
        throw_err(env, rc, &err);
    custos_manifest_free(out);
    return result;
}

static void JNICALL n_check(JNIEnv *env, jclass cls, jbyteArray jyaml, jstring jname)
{
    (void)cls;
    cj_bytes yaml;
    char *name = NULL;
    if (cj_bytes_get(env, jyaml, 0, &yaml) != 0)
        return;
    if (cj_string_get(env, jname, 1, &name) != 0) {
        cj_bytes_free(&yaml);
        return;
    }
    custos_manifest_error err = { "", 0, 0 };
    int rc = custos_manifest_check((const char *)yaml.data, yaml.len, name, &err);
    cj_string_free(name);
    cj_bytes_free(&yaml);
    if (rc != CUSTOS_OK)
        throw_err(env, rc, &err);
}

static jbyteArray JNICALL n_id(JNIEnv *env, jclass cls, jbyteArray jcompiled)
{
    (void)cls;
    cj_bytes compiled;
    if (cj_bytes_get(env, jcompiled, 0, &compiled) != 0)
        return NULL;
    custos_manifest_error err = { "", 0, 0 };
    uint8_t id[CUSTOS_HASH_BYTES];
    int rc = custos_manifest_id(id, compiled.data, compiled.len, &err);
    cj_bytes_free(&compiled);
    if (rc != CUSTOS_OK) {
        throw_err(env, rc, &err);
        return NULL;
    }
    return cj_bytes_new(env, id, sizeof id);
}

static jbyteArray text(JNIEnv *env, int rc, char *out, const custos_manifest_error *err)
{
    jbyteArray result = NULL;
    if (rc == CUSTOS_OK)
        result = cj_bytes_new(env, (const uint8_t *)out, strlen(out));
    else
        throw_err(env, rc, err);
    custos_manifest_free(out);
    return result;
}

static jbyteArray JNICALL n_show(JNIEnv *env, jclass cls, jbyteArray jcompiled, jint format)
{
    (void)cls;
    cj_bytes compiled;
    if (cj_bytes_get(env, jcompiled, 0, &compiled) != 0)
        return NULL;
    custos_manifest_error err = { "", 0, 0 };
    char *out = NULL;
    int rc = custos_manifest_show(&out, compiled.data, compiled.len, (int)format, &err);
    cj_bytes_free(&compiled);
    return text(env, rc, out, &err);
}

static jbyteArray JNICALL n_diff_text(JNIEnv *env, jclass cls, jbyteArray jolder, jbyteArray jnewer, jint format)
{
    (void)cls;
    cj_bytes older, newer;
    if (cj_bytes_get(env, jolder, 0, &older) != 0)
        return NULL;
    if (cj_bytes_get(env, jnewer, 0, &newer) != 0) {
        cj_bytes_free(&older);
        return NULL;
    }
    custos_manifest_error err = { "", 0, 0 };
    char *out = NULL;
    int rc = custos_manifest_diff_text(&out, older.data, older.len, newer.data, newer.len, (int)format, &err);
    cj_bytes_free(&newer);
    cj_bytes_free(&older);
    return text(env, rc, out, &err);
}

/* {purpose, reasons, needs_consent} per change. */
static jintArray pack_changes(JNIEnv *env, const custos_manifest_change *c, size_t n)
{
    jintArray arr = (*env)->NewIntArray(env, (jsize)(n * 3));
    for (size_t i = 0; arr != NULL && i < n; i++) {
        jint v[3] = { (jint)c[i].purpose, (jint)c[i].reasons, c[i].needs_consent != 0 };
        (*env)->SetIntArrayRegion(env, arr, (jsize)(i * 3), 3, v);
        if ((*env)->ExceptionCheck(env))
            return NULL;
    }
    return arr;
}

static jintArray JNICALL n_diff(JNIEnv *env, jclass cls, jbyteArray jolder, jbyteArray jnewer)
{
    (void)cls;
    cj_bytes older, newer;
    if (cj_bytes_get(env, jolder, 0, &older) != 0)
        return NULL;
    if (cj_bytes_get(env, jnewer, 0, &newer) != 0) {
        cj_bytes_free(&older);
        return NULL;
    }
    custos_manifest_error err = { "", 0, 0 };
    custos_manifest_change *out = NULL;
    size_t n = 0;
    int rc = custos_manifest_diff(&out, &n, older.data, older.len, newer.data, newer.len, &err);
    cj_bytes_free(&newer);
    cj_bytes_free(&older);
    jintArray result = NULL;
    if (rc == CUSTOS_OK)
        result = pack_changes(env, out, n);
    else
        throw_err(env, rc, &err);
    custos_manifest_free(out);
    return result;
}

/* The core's words for one reason bit, as UTF-8 bytes. */
static jbyteArray JNICALL n_change_str(JNIEnv *env, jclass cls, jint reason)
{
    (void)cls;
    const char *s = custos_manifest_change_str((uint32_t)reason);
    return cj_bytes_new(env, (const uint8_t *)s, strlen(s));
}

int cj_register_manifest(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativeCompile", "([BLjava/lang/String;[B)[B", n_compile),
        CJ_NATIVE("nativeCheck", "([BLjava/lang/String;)V", n_check),
        CJ_NATIVE("nativeId", "([B)[B", n_id),
        CJ_NATIVE("nativeShow", "([BI)[B", n_show),
        CJ_NATIVE("nativeDiffText", "([B[BI)[B", n_diff_text),
        CJ_NATIVE("nativeDiff", "([B[B)[I", n_diff),
        CJ_NATIVE("nativeChangeString", "(I)[B", n_change_str),
    };
    return cj_register(env, "io/custos/Manifest", methods, (int)(sizeof methods / sizeof methods[0]));
}
