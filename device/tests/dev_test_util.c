#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pb_encode.h>
#include <sodium.h>

#include "dev_test_util.h"

void dt_setup(dt_env *e, const char *tag)
{
    dt_setup_paged(e, tag, DT_PAGE);
}

void dt_setup_paged(dt_env *e, const char *tag, uint32_t page)
{
    const char *tmp = getenv("TMPDIR");
    memset(e, 0, sizeof *e);
    snprintf(e->path, sizeof e->path, "%s/dev-%s-%ld.flash", tmp ? tmp : "/tmp", tag,
             (long)getpid());
    unlink(e->path);
    char key[420];
    snprintf(key, sizeof key, "%s.key", e->path);
    unlink(key);
    assert_true(sodium_init() >= 0);
    crypto_sign_keypair(e->app_pk, e->app_sk);
    randombytes_buf(e->device_id, sizeof e->device_id);
    e->declared = DT_DECLARED;
    e->page = page;
    assert_int_equal(custos_posix_open(&e->port, e->path, page), 0);
    assert_int_equal(custos_dev_open(&e->dev, &e->port.port, e->device_id, e->declared), 0);
    assert_int_equal(custos_dev_pair(&e->dev, e->app_pk), 0);
}

void dt_reboot(dt_env *e)
{
    custos_dev_close(&e->dev);
    custos_posix_close(&e->port);
    assert_int_equal(custos_posix_open(&e->port, e->path, e->page), 0);
    assert_int_equal(custos_dev_open(&e->dev, &e->port.port, e->device_id, e->declared), 0);
}

void dt_teardown(dt_env *e)
{
    char key[420];
    custos_dev_close(&e->dev);
    custos_posix_close(&e->port);
    snprintf(key, sizeof key, "%s.key", e->path);
    unlink(e->path);
    unlink(key);
}

void dt_flush_image(dt_env *e)
{
    assert_int_equal(pwrite(e->port.fd, e->port.image, 2 * CUSTOS_DEV_SLOT_SIZE, 0),
                     2 * CUSTOS_DEV_SLOT_SIZE);
}

size_t dt_envelope(const uint8_t sk[64], uint32_t body_type, const uint8_t *body,
                   size_t len, uint8_t out[CUSTOS_DEV_MESSAGE_MAX])
{
    custos_v1_SignedMessage m = custos_v1_SignedMessage_init_zero;
    pb_ostream_t os = pb_ostream_from_buffer(out, CUSTOS_DEV_MESSAGE_MAX);
    assert_true(len <= sizeof m.body.bytes);
    m.body_type = (custos_v1_BodyType)body_type;
    memcpy(m.body.bytes, body, len);
    m.body.size = (pb_size_t)len;
    memcpy(m.signer, sk + 32, 32);
    crypto_sign_detached(m.signature, NULL, body, len, sk);
    assert_true(pb_encode(&os, custos_v1_SignedMessage_fields, &m));
    return os.bytes_written;
}

size_t dt_update(const dt_env *e, uint8_t out[CUSTOS_DEV_MESSAGE_MAX], uint32_t counter,
                 const custos_v1_ConsentChange *changes, size_t n)
{
    custos_v1_ConsentUpdate u = custos_v1_ConsentUpdate_init_zero;
    uint8_t body[CUSTOS_DEV_BODY_MAX];
    pb_ostream_t os = pb_ostream_from_buffer(body, sizeof body);
    u.body_type = custos_v1_BodyType_BODY_CONSENT_UPDATE;
    memcpy(u.device_id, e->device_id, 16);
    u.counter = counter;
    memset(u.manifest_id, 0xAB, 32);
    u.policy_version = 3;
    u.has_time = true;
    u.time = 1700000000u;
    assert_true(n <= 16);
    u.changes_count = (pb_size_t)n;
    for (size_t i = 0; i < n; i++)
        u.changes[i] = changes[i];
    assert_true(pb_encode(&os, custos_v1_ConsentUpdate_fields, &u));
    return dt_envelope(e->app_sk, custos_v1_BodyType_BODY_CONSENT_UPDATE, body,
                       os.bytes_written, out);
}

custos_v1_ConsentChange dt_change(unsigned subject, unsigned purpose,
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
