/*
 * jni_disclose.c: natives of io.custos.Disclosure: generate a disclosure
 * from a compiled manifest, its conventional file name, and the access
 * report of one subject of an open store. Texts go to Java as UTF-8 bytes.
 */
#include "jni_util.h"

static jbyteArray result(JNIEnv *env, int rc, char *out, size_t len, const char *detail)
{
    jbyteArray r = NULL;
    if (rc == CUSTOS_OK)
        r = cj_bytes_new(env, (const uint8_t *)out, len);
    else
        cj_throw(env, rc, detail);
    custos_disclose_free(out);
    return r;
}

static jbyteArray JNICALL n_generate(JNIEnv *env, jclass cls, jbyteArray jcompiled, jint format, jstring jlang,
                                     jstring jdate)
{
    (void)cls;
    cj_bytes compiled;
    char *lang = NULL, *date = NULL;
    if (cj_bytes_get(env, jcompiled, 0, &compiled) != 0)
        return NULL;
    if (cj_string_get(env, jlang, 1, &lang) != 0 || cj_string_get(env, jdate, 1, &date) != 0) {
        cj_string_free(lang);
        cj_bytes_free(&compiled);
        return NULL;
    }
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = lang;
    opts.date = date;
    custos_manifest_error err = { "", 0, 0 };
    char *out = NULL;
    size_t len = 0;
    int rc = custos_disclose(&out, &len, compiled.data, compiled.len, (custos_disclose_format)format, &opts, &err);
    cj_string_free(date);
    cj_string_free(lang);
    cj_bytes_free(&compiled);
    return result(env, rc, out, len, err.message);
}

static jstring JNICALL n_file_name(JNIEnv *env, jclass cls, jint format, jstring jlang)
{
    (void)cls;
    char *lang = NULL;
    if (cj_string_get(env, jlang, 1, &lang) != 0)
        return NULL;
    char name[256];
    size_t len = 0;
    int rc = custos_disclose_file_name(name, sizeof name, &len, (custos_disclose_format)format, lang);
    cj_string_free(lang);
    if (rc != CUSTOS_OK) {
        cj_throw(env, rc, "no file name for this format and language");
        return NULL;
    }
    return cj_string_new(env, name);
}

static jbyteArray JNICALL n_access_report(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jbyteArray jcompiled,
                                          jint format, jstring jlang)
{
    (void)cls;
    custos_subject s;
    cj_bytes compiled;
    char *lang = NULL;
    if (cj_subject(env, jsubject, &s) != 0 || cj_bytes_get(env, jcompiled, 0, &compiled) != 0)
        return NULL;
    if (cj_string_get(env, jlang, 1, &lang) != 0) {
        cj_bytes_free(&compiled);
        return NULL;
    }
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = lang;
    char *out = NULL;
    size_t len = 0;
    int rc = custos_disclose_access_report(cj_ctx(h), &out, &len, s, compiled.data, compiled.len,
                                           (custos_disclose_format)format, &opts);
    cj_string_free(lang);
    cj_bytes_free(&compiled);
    return result(env, rc, out, len, custos_errmsg(cj_ctx(h)));
}

int cj_register_disclose(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativeGenerate", "([BILjava/lang/String;Ljava/lang/String;)[B", n_generate),
        CJ_NATIVE("nativeFileName", "(ILjava/lang/String;)Ljava/lang/String;", n_file_name),
        CJ_NATIVE("nativeAccessReport", "(JJ[BILjava/lang/String;)[B", n_access_report),
    };
    return cj_register(env, "io/custos/Disclosure", methods, (int)(sizeof methods / sizeof methods[0]));
}
