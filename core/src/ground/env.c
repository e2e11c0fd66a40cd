/*
 * env.c: the environment every module reads: the clock, the random source,
 * the keyed subject hash, the store's identity getters and the version.
 * Ground layer: it knows struct custos's own fields and no module.
 */
#include "ground/internal.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

static uint64_t system_now(void *state, custos_time_confidence *conf)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (conf != NULL)
        *conf = CUSTOS_TIME_TRUSTED_CLOCK;
    return (uint64_t)ts.tv_sec;
}

static void system_random(void *state, uint8_t *buf, size_t len)
{
    (void)state;
    randombytes_buf(buf, len);
}

uint64_t custos__now(const custos_t *ctx, custos_time_confidence *confidence)
{
    return ctx->clock.now(ctx->clock.state, confidence);
}

void custos__random(const custos_t *ctx, uint8_t *buf, size_t len)
{
    ctx->rng.fill(ctx->rng.state, buf, len);
}

void custos__env_init(custos_t *ctx, const custos_clock *clock, const custos_rng *rng)
{
    ctx->clock = clock != NULL ? *clock : (custos_clock){ system_now, NULL };
    ctx->rng = rng != NULL ? *rng : (custos_rng){ system_random, NULL };
}

int custos__clock_is_system(const custos_t *ctx) { return ctx->clock.now == system_now; }

const char *custos_version(void) { return CUSTOS_VERSION_STRING; }
int custos_version_number(void) { return CUSTOS_VERSION_NUMBER; }
uint32_t custos_store_format_version(void) { return CUSTOS_STORE_FORMAT_VERSION; }
const char *custos_store_dir(const custos_t *ctx) { return ctx != NULL ? ctx->dir : NULL; }

int custos_device_id(const custos_t *ctx, uint8_t out[16])
{
    if (ctx == NULL || out == NULL)
        return CUSTOS_EINVAL;
    memcpy(out, ctx->device_id, CUSTOS_DEVICE_ID_BYTES);
    return CUSTOS_OK;
}

int custos_device_public_key(const custos_t *ctx, uint8_t out[32])
{
    if (ctx == NULL || out == NULL)
        return CUSTOS_EINVAL;
    return ctx->kp->public_key(ctx->kp->state, out);
}

void custos__derive_key(const custos_t *ctx, uint8_t out[32], const char *label)
{
    crypto_generichash_state h;
    sodium_mprotect_readonly(ctx->index_key);
    crypto_generichash_init(&h, ctx->index_key, 32, 32);
    sodium_mprotect_noaccess(ctx->index_key);
    crypto_generichash_update(&h, (const uint8_t *)"custos.v1 ", 10);
    crypto_generichash_update(&h, (const uint8_t *)label, strlen(label));
    crypto_generichash_final(&h, out, 32);
    custos__wipe(&h, sizeof h);
}

int custos__subject_hash(const custos_t *ctx, uint8_t out[CUSTOS_HASH_BYTES], const char *subject_id)
{
    if (subject_id == NULL || subject_id[0] == '\0')
        return CUSTOS_EINVAL;
    sodium_mprotect_readonly(ctx->index_key);
    crypto_generichash(out, CUSTOS_HASH_BYTES, (const uint8_t *)subject_id, strlen(subject_id),
                       ctx->index_key, 32);
    sodium_mprotect_noaccess(ctx->index_key);
    return CUSTOS_OK;
}
