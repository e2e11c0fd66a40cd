/* jni_onload.c: the bridge's only exported symbols. */
#include "jni_util.h"

#include <sodium.h>

typedef int (*cj_registrar)(JNIEnv *env);

/* One line per bridge file. */
static const cj_registrar registrars[] = {
    cj_register_custos,
    cj_register_keyprovider,
    cj_register_subject,
    cj_register_consent,
    cj_register_vault,
    cj_register_erase,
    cj_register_manifest,
    cj_register_disclose,
    cj_register_audit,
    cj_register_sync,
};

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) != JNI_OK)
        return JNI_ERR;
    cj_vm = vm;
    if (sodium_init() < 0 || cj_init_exceptions(env) != 0)
        return JNI_ERR;
    for (size_t i = 0; i < sizeof registrars / sizeof registrars[0]; i++)
        if (registrars[i](env) != 0)
            return JNI_ERR;
    return JNI_VERSION_1_6;
}

JNIEXPORT void JNICALL JNI_OnUnload(JavaVM *vm, void *reserved)
{
    (void)reserved;
    JNIEnv *env = NULL;
    if ((*vm)->GetEnv(vm, (void **)&env, JNI_VERSION_1_6) == JNI_OK)
        cj_free_exceptions(env);
}
