/*
 * custos/subject.h: the people a device serves. A subject is registered
 * once with the maker's own identifier for the person (an account id, a
 * household member's name) and a role; Custos stores only a keyed hash of
 * that identifier and hands back a small store-local number used by every
 * other call.
 */
#ifndef CUSTOS_SUBJECT_H
#define CUSTOS_SUBJECT_H

#include "gate.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum custos_role {
    CUSTOS_ROLE_OWNER = 1,
    CUSTOS_ROLE_HOUSEHOLD_MEMBER = 2,
    CUSTOS_ROLE_GUEST = 3,
    CUSTOS_ROLE_CHILD = 4        /* consents are given by a guardian */
} custos_role;

/* Register a subject; CUSTOS_EEXIST if external_id is already registered. */
CUSTOS_API int custos_subject_add(custos_t *ctx, custos_subject *out,
                                  const char *external_id, custos_role role);
/* Find a registered subject; CUSTOS_ENOTFOUND if none. */
CUSTOS_API int custos_subject_find(custos_t *ctx, custos_subject *out, const char *external_id);

#ifdef __cplusplus
}
#endif
#endif
