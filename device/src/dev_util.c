/*
 * dev_util.c: the one wipe, the size getters and the error texts.
 */
#include "custos_dev.h"

void custos_dev_wipe(void *buf, size_t len)
{
    volatile uint8_t *p = (volatile uint8_t *)buf;
    while (len--)
        *p++ = 0;
}

size_t custos_dev_message_max(void) { return CUSTOS_DEV_MESSAGE_MAX; }
unsigned custos_dev_max_subjects(void) { return CUSTOS_DEV_MAX_SUBJECTS; }
unsigned custos_dev_max_purposes(void) { return CUSTOS_DEV_MAX_PURPOSES; }

const char *custos_dev_strerror(int rc)
{
    switch (rc) {
    case CUSTOS_DEV_OK:         return "ok";
    case CUSTOS_DEV_EINVAL:     return "invalid argument";
    case CUSTOS_DEV_EDECODE:    return "malformed or truncated message";
    case CUSTOS_DEV_ETOOBIG:    return "field or message exceeds its limit";
    case CUSTOS_DEV_ETYPE:      return "unexpected body type";
    case CUSTOS_DEV_ESIGNER:    return "signer is not the paired app";
    case CUSTOS_DEV_ESIGNATURE: return "signature does not verify";
    case CUSTOS_DEV_EDEVICE:    return "message is for another device";
    case CUSTOS_DEV_EREPLAY:    return "replayed or stale update counter";
    case CUSTOS_DEV_ESUBJECT:   return "unknown subject slot";
    case CUSTOS_DEV_EPURPOSE:   return "unknown purpose id";
    case CUSTOS_DEV_ESTATUS:    return "unknown consent status";
    case CUSTOS_DEV_ENOSPACE:   return "buffer or expiry table too small";
    case CUSTOS_DEV_EFLASH:     return "flash operation failed";
    case CUSTOS_DEV_ECRYPTO:    return "port crypto operation failed";
    case CUSTOS_DEV_ENOTPAIRED: return "no app paired";
    case CUSTOS_DEV_EPAIRED:    return "already paired";
    case CUSTOS_DEV_ENOCONSENT: return "no consent decision for this purpose";
    case CUSTOS_DEV_EDENIED:    return "consent refused or withdrawn";
    case CUSTOS_DEV_EEXPIRED:   return "consent expired";
    case CUSTOS_DEV_ESTALE:     return "state may be stale: waiting for a signed update";
    default:                    return "unknown error";
    }
}
