#include <string.h>

#include <pb_encode.h>

#include "crypto_sign_ed25519.h"
#include "semihost.h"
#include "stack.h"
#include "target_util.h"

int tt_failed;
uint32_t tt_stack[TS_COUNT];
uint32_t tt_stack_deepest;
const char *const tt_stack_name[TS_COUNT] = {
    "custos_dev_open", "custos_dev_pair", "custos_dev_check", "custos_dev_apply_update",
    "custos_dev_encode_report", "custos_dev_encode_compact", "custos_dev_erase",
    "custos_dev_close",
};

__attribute__((section(".custos_flash")))
uint8_t tt_flash[CUSTOS_BM_REGION_SIZE(TT_PAGE)];

void tt_fail(const char *file, int line, const char *expr, long got, long want)
{
    tt_failed = 1;
    sh_puts("  check failed: ");
    sh_puts(file);
    sh_puts(":");
    sh_putu((uint32_t)line);
    sh_puts(": ");
    sh_puts(expr);
    sh_puts(" (got ");
    sh_puti(got);
    sh_puts(", want ");
    sh_puti(want);
    sh_puts(")\n");
}

void tt_setup(tt_env *e)
{
    int rc;
    memset(e, 0, sizeof *e); /* not secret */
    custos_bm_format(tt_flash, TT_PAGE);
    crypto_sign_ed25519_keypair(e->app_pk, e->app_sk);
    (void)custos_bm_random(e->device_id, sizeof e->device_id);
    (void)custos_bm_open(&e->port, tt_flash, TT_PAGE);
    TT_MEASURE(TS_OPEN, rc, custos_dev_open(&e->dev, &e->port.port, e->device_id, TT_DECLARED));
    if (rc != 0)
        tt_fail(__FILE__, __LINE__, "custos_dev_open", rc, 0);
    TT_MEASURE(TS_PAIR, rc, custos_dev_pair(&e->dev, e->app_pk));
    if (rc != 0)
        tt_fail(__FILE__, __LINE__, "custos_dev_pair", rc, 0);
}

int tt_reboot(tt_env *e)
{
    int rc;
    custos_dev_close(&e->dev);
    custos_bm_close(&e->port);
    rc = custos_bm_open(&e->port, tt_flash, TT_PAGE);
    if (rc != 0)
        return rc;
    TT_MEASURE(TS_OPEN, rc, custos_dev_open(&e->dev, &e->port.port, e->device_id, TT_DECLARED));
    return rc;
}

void tt_teardown(tt_env *e)
{
    uintptr_t m = stack_paint();
    custos_dev_close(&e->dev);
    uint32_t u = stack_used_since(m);
    if (u > tt_stack[TS_CLOSE])
        tt_stack[TS_CLOSE] = u;
    if (stack_depth_at(m) + u > tt_stack_deepest)
        tt_stack_deepest = stack_depth_at(m) + u;
    custos_bm_close(&e->port);
    custos_dev_wipe(e, sizeof *e);
}

size_t tt_envelope(const uint8_t sk[64], uint32_t body_type, const uint8_t *body, size_t len,
                   uint8_t out[CUSTOS_DEV_MESSAGE_MAX])
{
    static custos_v1_SignedMessage m;
    pb_ostream_t os = pb_ostream_from_buffer(out, CUSTOS_DEV_MESSAGE_MAX);
    memset(&m, 0, sizeof m); /* not secret */
    if (len > sizeof m.body.bytes)
        return 0;
    m.body_type = (custos_v1_BodyType)body_type;
    memcpy(m.body.bytes, body, len);
    m.body.size = (pb_size_t)len;
    memcpy(m.signer, sk + 32, 32);
    crypto_sign_ed25519_detached(m.signature, NULL, body, len, sk);
    return pb_encode(&os, custos_v1_SignedMessage_fields, &m) ? os.bytes_written : 0;
}

size_t tt_update(const tt_env *e, uint8_t out[CUSTOS_DEV_MESSAGE_MAX], uint32_t counter,
                 const custos_v1_ConsentChange *changes, size_t n)
{
    static custos_v1_ConsentUpdate u;
    static uint8_t body[CUSTOS_DEV_BODY_MAX];
    pb_ostream_t os = pb_ostream_from_buffer(body, sizeof body);
    memset(&u, 0, sizeof u); /* not secret */
    u.body_type = custos_v1_BodyType_BODY_CONSENT_UPDATE;
    memcpy(u.device_id, e->device_id, 16);
    u.counter = counter;
    memset(u.manifest_id, 0xAB, 32);
    u.policy_version = 3;
    u.has_time = true;
    u.time = 1700000000u;
    if (n > 16)
        return 0;
    u.changes_count = (pb_size_t)n;
    for (size_t i = 0; i < n; i++)
        u.changes[i] = changes[i];
    if (!pb_encode(&os, custos_v1_ConsentUpdate_fields, &u))
        return 0;
    return tt_envelope(e->app_sk, custos_v1_BodyType_BODY_CONSENT_UPDATE, body,
                       os.bytes_written, out);
}

custos_v1_ConsentChange tt_change(unsigned subject, unsigned purpose,
                                  custos_v1_ConsentStatus status, uint64_t valid_until)
{
    custos_v1_ConsentChange c = custos_v1_ConsentChange_init_zero;
    c.subject = (uint8_t)subject;
    c.purpose = (uint8_t)purpose;
    c.status = status;
    c.has_valid_until = valid_until != 0;
    c.valid_until = valid_until;
    return c;
}
