/*
 * jni_manifest.c: natives of io.custos.Manifest: compile, check, id, show,
 * diff and the consent screen. No store is needed; a failure's detail comes from the
 * custos_manifest_error of the call ("file:line:col: ...").
 * Texts go to Java as UTF-8 bytes (Java decodes them: NewStringUTF takes
 * modified UTF-8, which differs for supplementary characters).
 */
#include "jni_util.h"

#include <stdlib.h>
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
    int rc = custos_manifest_show(&out, compiled.data, compiled.len, (custos_manifest_show_format)format, &err);
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
    int rc = custos_manifest_diff_text(&out, older.data, older.len, newer.data, newer.len,
                                       (custos_manifest_show_format)format, &err);
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

static jclass string_class, object_class;

/*
 * The consent screen crosses as two flat arrays, which Manifest.java reads
 * back in the same order (Manifest.screenFrom):
 *   numbers: n_purposes, then per purpose id, required, n_categories,
 *            n_recipients, retention_days, and each category id
 *   strings: per purpose key, title, description, legal_basis, retention,
 *            retention_until, each category's key and name, each
 *            recipient's name, country and role (null where C has NULL)
 */
static size_t screen_counts(const custos_manifest_screen *s, size_t *n_strings)
{
    size_t numbers = 1;
    *n_strings = 0;
    for (size_t i = 0; i < s->n_purposes; i++) {
        const custos_manifest_screen_purpose *p = &s->purposes[i];
        numbers += 5 + p->n_categories;
        *n_strings += 6 + 2 * p->n_categories + 3 * p->n_recipients;
    }
    return numbers;
}

/* strings[(*at)++] = s (which may be NULL); 0, or -1 with an exception pending. */
static int put_string(JNIEnv *env, jobjectArray strings, jsize *at, const char *s)
{
    jstring js = cj_string_new(env, s);
    if (js == NULL && s != NULL)
        return -1;
    (*env)->SetObjectArrayElement(env, strings, (*at)++, js);
    if (js != NULL)
        (*env)->DeleteLocalRef(env, js);
    return (*env)->ExceptionCheck(env) ? -1 : 0;
}

static int put_purpose_strings(JNIEnv *env, jobjectArray strings, jsize *at, const custos_manifest_screen_purpose *p)
{
    const char *head[] = { p->key, p->title, p->description, p->legal_basis, p->retention, p->retention_until };
    for (size_t i = 0; i < 6; i++)
        if (put_string(env, strings, at, head[i]) != 0)
            return -1;
    for (size_t i = 0; i < p->n_categories; i++)
        if (put_string(env, strings, at, p->categories[i].key) != 0 || put_string(env, strings, at, p->categories[i].name) != 0)
            return -1;
    for (size_t i = 0; i < p->n_recipients; i++) {
        const custos_manifest_screen_recipient *r = &p->recipients[i];
        if (put_string(env, strings, at, r->name) != 0 || put_string(env, strings, at, r->country) != 0 ||
            put_string(env, strings, at, r->role) != 0)
            return -1;
    }
    return 0;
}

static jlongArray screen_numbers(JNIEnv *env, const custos_manifest_screen *s, size_t n)
{
    jlong *v = calloc(n, sizeof *v);
    if (v == NULL) {
        cj_throw(env, CUSTOS_ENOMEM, NULL);
        return NULL;
    }
    size_t at = 0;
    v[at++] = (jlong)s->n_purposes;
    for (size_t i = 0; i < s->n_purposes; i++) {
        const custos_manifest_screen_purpose *p = &s->purposes[i];
        v[at++] = p->id;
        v[at++] = p->required;
        v[at++] = (jlong)p->n_categories;
        v[at++] = (jlong)p->n_recipients;
        v[at++] = (jlong)p->retention_days;
        for (size_t k = 0; k < p->n_categories; k++)
            v[at++] = p->categories[k].id;
    }
    jlongArray arr = (*env)->NewLongArray(env, (jsize)n);
    if (arr != NULL)
        (*env)->SetLongArrayRegion(env, arr, 0, (jsize)n, v);
    free(v);
    return (*env)->ExceptionCheck(env) ? NULL : arr;
}

/* {long[] numbers, String[] strings}, or NULL with an exception pending. */
static jobjectArray screen_to_java(JNIEnv *env, const custos_manifest_screen *s)
{
    size_t n_strings;
    size_t n_numbers = screen_counts(s, &n_strings);
    jobjectArray out = (*env)->NewObjectArray(env, 2, object_class, NULL);
    jlongArray numbers = out != NULL ? screen_numbers(env, s, n_numbers) : NULL;
    jobjectArray strings = numbers != NULL ? (*env)->NewObjectArray(env, (jsize)n_strings, string_class, NULL) : NULL;
    if (strings == NULL)
        return NULL;
    jsize at = 0;
    for (size_t i = 0; i < s->n_purposes; i++)
        if (put_purpose_strings(env, strings, &at, &s->purposes[i]) != 0)
            return NULL;
    (*env)->SetObjectArrayElement(env, out, 0, numbers);
    (*env)->SetObjectArrayElement(env, out, 1, strings);
    (*env)->DeleteLocalRef(env, numbers);
    (*env)->DeleteLocalRef(env, strings);
    return (*env)->ExceptionCheck(env) ? NULL : out;
}

static jobjectArray JNICALL n_consent_screen(JNIEnv *env, jclass cls, jbyteArray jcompiled, jstring jlang)
{
    (void)cls;
    cj_bytes compiled;
    char *lang = NULL;
    if (cj_bytes_get(env, jcompiled, 0, &compiled) != 0)
        return NULL;
    if (cj_string_get(env, jlang, 1, &lang) != 0) {
        cj_bytes_free(&compiled);
        return NULL;
    }
    custos_manifest_error err = { "", 0, 0 };
    custos_manifest_screen *s = NULL;
    int rc = custos_manifest_consent_screen(&s, compiled.data, compiled.len, lang, &err);
    cj_string_free(lang);
    cj_bytes_free(&compiled);
    jobjectArray result = NULL;
    if (rc == CUSTOS_OK)
        result = screen_to_java(env, s);
    else
        throw_err(env, rc, &err);
    custos_manifest_free(s);
    return result;
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
        CJ_NATIVE("nativeConsentScreen", "([BLjava/lang/String;)[Ljava/lang/Object;", n_consent_screen),
    };
    if (cj_cache_class(env, "java/lang/String", NULL, &string_class, NULL) != 0 ||
        cj_cache_class(env, "java/lang/Object", NULL, &object_class, NULL) != 0)
        return -1;
    return cj_register(env, "io/custos/Manifest", methods, (int)(sizeof methods / sizeof methods[0]));
}
