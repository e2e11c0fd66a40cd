/*
 * custos_dev_error.h: the device layer's result codes. Every function that
 * can fail returns 0 or one of these negative codes; each names one cause,
 * so that firmware can log it and the app can be told precisely why an
 * update was refused. The device does not include the core's headers, so
 * these are its own (the same spirit as CUSTOS_E*, different numbers).
 */
#ifndef CUSTOS_DEV_ERROR_H
#define CUSTOS_DEV_ERROR_H

#define CUSTOS_DEV_OK          0
#define CUSTOS_DEV_EINVAL     -1  /* bad argument (NULL, wrong size, not open) */
#define CUSTOS_DEV_EDECODE    -2  /* malformed or truncated message */
#define CUSTOS_DEV_ETOOBIG    -3  /* a field or the message exceeds its limit */
#define CUSTOS_DEV_ETYPE      -4  /* body type is not the one expected */
#define CUSTOS_DEV_ESIGNER    -5  /* signed by a key other than the paired app key */
#define CUSTOS_DEV_ESIGNATURE -6  /* signature does not verify over the body */
#define CUSTOS_DEV_EDEVICE    -7  /* message is for another device id */
#define CUSTOS_DEV_EREPLAY    -8  /* counter not above the last applied one */
#define CUSTOS_DEV_ESUBJECT   -9  /* subject slot out of range */
#define CUSTOS_DEV_EPURPOSE   -10 /* purpose id not declared by the product */
#define CUSTOS_DEV_ESTATUS    -11 /* consent status value unknown */
#define CUSTOS_DEV_ENOSPACE   -12 /* output buffer or expiry table too small */
#define CUSTOS_DEV_EFLASH     -13 /* flash read, program or erase failed */
#define CUSTOS_DEV_ECRYPTO    -14 /* port AEAD, RNG, signing or key destroy failed */
#define CUSTOS_DEV_ENOTPAIRED -15 /* no app key paired yet */
#define CUSTOS_DEV_EPAIRED    -16 /* already paired: erase before pairing again */
/* Gate answers (custos_dev_check): collection is not allowed. */
#define CUSTOS_DEV_ENOCONSENT -17 /* no decision recorded for this purpose */
#define CUSTOS_DEV_EDENIED    -18 /* refused, withdrawn, revoked or invalidated */
#define CUSTOS_DEV_EEXPIRED   -19 /* consent given but past valid_until (or no clock) */
#define CUSTOS_DEV_ESTALE     -20 /* the newest flash record was damaged: the state came from
                                     the older one, which may allow what was withdrawn since;
                                     no consent counts until a signed update (or erase) writes
                                     a new state */

/* A static English text for a code; never NULL. */
const char *custos_dev_strerror(int rc);

#endif
