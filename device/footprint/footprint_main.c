/*
 * footprint_main.c: the program the footprint gate links for Cortex-M. It
 * calls every public function of the device layer once, so that
 * --gc-sections keeps exactly what a firmware using all of it would carry.
 * Its own code, and the port stubs in footprint_port.c, are not counted.
 */
#include "custos_dev.h"

extern const custos_dev_port fp_port;

/* The caller-placed context, in .bss: its size shows in the table. */
static custos_dev_t fp_dev;
static uint8_t fp_buf[CUSTOS_DEV_MESSAGE_MAX];
volatile int fp_sink;
volatile size_t fp_len;

void fp_entry(void);
void fp_entry(void)
{
    static const uint8_t id[16] = { 1 };
    static const uint8_t app[32] = { 2 };
    size_t len = 0;
    int rc = custos_dev_open(&fp_dev, &fp_port, id, ~(uint64_t)0);
    rc |= custos_dev_pair(&fp_dev, app);
    rc |= custos_dev_check(&fp_dev, 0, (unsigned)fp_sink);
    rc |= custos_dev_apply_update(&fp_dev, fp_buf, fp_len);
    rc |= custos_dev_encode_report(&fp_dev, fp_buf, sizeof fp_buf, &len);
    rc |= custos_dev_encode_compact(&fp_dev, 0, fp_buf, sizeof fp_buf, &len);
    rc |= custos_dev_erase(&fp_dev, fp_buf, sizeof fp_buf, &len);
    rc |= (int)custos_dev_counter(&fp_dev);
    rc |= (int)custos_dev_message_max() + (int)custos_dev_max_subjects()
        + (int)custos_dev_max_purposes();
    fp_sink = rc + (int)len + custos_dev_strerror(rc)[0];
    custos_dev_wipe(fp_buf, sizeof fp_buf);
    custos_dev_close(&fp_dev);
    for (;;) {
    }
}
