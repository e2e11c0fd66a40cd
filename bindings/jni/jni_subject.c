/*
 * jni_subject.c: natives of io.custos.Custos for the store's policy and its
 * subjects, and the consent gate: load a compiled manifest, register and
 * find subjects, transfer ownership, check.
 */
#include "jni_util.h"

static void JNICALL n_load_manifest(JNIEnv *env, jclass cls, jlong h, jbyteArray jcompiled)
{
    (void)cls;
    cj_bytes compiled;
    if (cj_bytes_get(env, jcompiled, 0, &compiled) != 0)
        return;
    int rc = custos_manifest_load(cj_ctx(h), compiled.data, compiled.len);
    cj_bytes_free(&compiled);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/* The loaded policy version; -1 if no manifest is loaded. */
static jlong JNICALL n_policy_version(JNIEnv *env, jclass cls, jlong h)
{
    (void)cls;
    uint32_t version = 0;
    int rc = custos_policy_current(cj_ctx(h), NULL, &version);
    if (rc == CUSTOS_ENOTFOUND)
        return -1;
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return -1;
    }
    return (jlong)version;
}

/* The external id is the maker's identifier of a person: copied, then wiped. */
static jlong JNICALL n_subject_add(JNIEnv *env, jclass cls, jlong h, jstring jid, jint role)
{
    (void)cls;
    char *id = NULL;
    if (cj_string_get(env, jid, 0, &id) != 0)
        return -1;
    custos_subject s = 0;
    int rc = custos_subject_add(cj_ctx(h), &s, id, (custos_role)role);
    cj_string_free(id);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return -1;
    }
    return (jlong)s;
}

static jlong JNICALL n_subject_find(JNIEnv *env, jclass cls, jlong h, jstring jid)
{
    (void)cls;
    char *id = NULL;
    if (cj_string_get(env, jid, 0, &id) != 0)
        return -1;
    custos_subject s = 0;
    int rc = custos_subject_find(cj_ctx(h), &s, id);
    cj_string_free(id);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return -1;
    }
    return (jlong)s;
}

static jint JNICALL n_subject_role(JNIEnv *env, jclass cls, jlong h, jlong jsubject)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return 0;
    custos_role role = CUSTOS_ROLE_OWNER;
    int rc = custos_subject_role(cj_ctx(h), &role, s);
    if (rc != CUSTOS_OK) {
        cj_throw_ctx(env, rc, cj_ctx(h));
        return 0;
    }
    return (jint)role;
}

static void JNICALL n_transfer_ownership(JNIEnv *env, jclass cls, jlong h, jlong jsubject)
{
    (void)cls;
    custos_subject s;
    if (cj_subject(env, jsubject, &s) != 0)
        return;
    int rc = custos_subject_transfer_ownership(cj_ctx(h), s);
    if (rc != CUSTOS_OK)
        cj_throw_ctx(env, rc, cj_ctx(h));
}

/* The gate never fails: every problem is a denial, returned as its code. */
static jint JNICALL n_check(JNIEnv *env, jclass cls, jlong h, jlong jsubject, jint purpose, jint category)
{
    (void)cls;
    custos_subject s;
    uint32_t p, c;
    if (cj_subject(env, jsubject, &s) != 0 || cj_u32(env, purpose, "purpose", &p) != 0 ||
        cj_u32(env, category, "category", &c) != 0)
        return CUSTOS_DENY_ERROR;
    return (jint)custos_check(cj_ctx(h), s, p, c);
}

static jstring JNICALL n_decision_str(JNIEnv *env, jclass cls, jint decision)
{
    (void)cls;
    return cj_string_new(env, custos_decision_str((custos_decision)decision));
}

int cj_register_subject(JNIEnv *env)
{
    static const JNINativeMethod methods[] = {
        CJ_NATIVE("nativeLoadManifest", "(J[B)V", n_load_manifest),
        CJ_NATIVE("nativePolicyVersion", "(J)J", n_policy_version),
        CJ_NATIVE("nativeSubjectAdd", "(JLjava/lang/String;I)J", n_subject_add),
        CJ_NATIVE("nativeSubjectFind", "(JLjava/lang/String;)J", n_subject_find),
        CJ_NATIVE("nativeSubjectRole", "(JJ)I", n_subject_role),
        CJ_NATIVE("nativeTransferOwnership", "(JJ)V", n_transfer_ownership),
        CJ_NATIVE("nativeCheck", "(JJII)I", n_check),
        CJ_NATIVE("nativeDecisionString", "(I)Ljava/lang/String;", n_decision_str),
    };
    return cj_register(env, "io/custos/Custos", methods, (int)(sizeof methods / sizeof methods[0]));
}
