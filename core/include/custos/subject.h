/*
 * custos/subject.h: the people a device serves. A subject is registered
 * once with the maker's own identifier for the person (an account id, a
 * household member's name) and a role; Custos stores only a keyed hash of
 * that identifier and hands back a small store-local number used by every
 * other call.
 *
 * The registry (core/src/consent/subject.c) owns the table `subject`. It
 * never stores the identifier itself, and never reuses a subject number.
 */
#ifndef CUSTOS_SUBJECT_H
#define CUSTOS_SUBJECT_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A store-local subject number, assigned by custos_subject_add. */
typedef uint32_t custos_subject;

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
/* A registered subject's role; CUSTOS_ENOTFOUND if none. */
CUSTOS_API int custos_subject_role(custos_t *ctx, custos_role *out, custos_subject subject);

/*
 * Make new_owner the owner. Every subject that was owner becomes a
 * household member, and each of its valid consents is recorded as
 * INVALIDATED (the subject is back at REQUESTED): a new owner's device must
 * not keep processing on the previous owner's word. CUSTOS_ENOTFOUND for an
 * unknown subject; CUSTOS_ESTATE if new_owner already owns the device.
 */
CUSTOS_API int custos_subject_transfer_ownership(custos_t *ctx, custos_subject new_owner);

#ifdef __cplusplus
}
#endif
#endif
