/*
 * dev_format1.h: the flash record as firmware before issue 16 wrote it
 * (format 1, device/src/dev_store.c), for the device tests that check it
 * still opens. The device's own tests only: it uses dev_internal.h.
 */
#ifndef CUSTOS_DEV_FORMAT1_H
#define CUSTOS_DEV_FORMAT1_H

#include <stddef.h>
#include <stdint.h>

#include "dev_test_util.h"

/* Put in slot a format-1 record of seq and the payload plain, sealed with
 * the port's key, and flush the image. */
void dt_plant_format1(dt_env *e, unsigned slot, uint32_t seq, const uint8_t *plain,
                      size_t plen);

#endif
