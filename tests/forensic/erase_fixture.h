/*
 * erase_fixture.h: the world the erase tests, the forensic test, the crash
 * tests and the benchmark share: a manifest with two consent purposes over
 * one category, subjects A and B, each with records whose payloads are
 * canaries (random 32 bytes written as 64 hex characters).
 *
 * Functions return 0 or a CUSTOS_E* code instead of asserting, so that
 * forked children of crash tests and the benchmark can use them too.
 */
#ifndef CUSTOS_ERASE_FIXTURE_H
#define CUSTOS_ERASE_FIXTURE_H

#include <custos/custos.h>
#include <custos/manifest.h>
#include <custos/vault.h>
#include <sodium.h>
#include <string.h>

#define EF_PURPOSE_VIDEO 1u
#define EF_PURPOSE_STATS 2u
#define EF_CATEGORY 1u
#define EF_CANARY_LEN 64u

static const char ef_yaml[] =
    "custos: 1\n"
    "product:\n"
    "  name: Erase Test Camera\n"
    "  model: ET-1\n"
    "  policy_version: 1\n"
    "  controller: {name: Example KK, address: '1-1 Chiyoda, Tokyo', contact: privacy@example.com, country: JP}\n"
    "  eu_representative: {name: Example EU B.V., address: '1 Dam, Amsterdam', contact: eu@example.com, country: NL}\n"
    "  jurisdictions: [JP-APPI, EU-GDPR]\n"
    "  languages: [en, ja]\n"
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.video\n"
    "    name: {en: Video, ja: 動画}\n"
    "purposes:\n"
    "  - id: 1\n"
    "    key: analytics.reporting\n"
    "    name: {en: Clips, ja: クリップ}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: P30D\n"
    "    locations: [device]\n"
    "  - id: 2\n"
    "    key: analytics.reporting.content_performance\n"
    "    name: {en: Statistics, ja: 統計}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: P1D\n"
    "    locations: [device]\n"
    "subjects: [owner, household_member]\n";

/* Load the fixture manifest into ctx. */
static inline int ef_load_manifest(custos_t *ctx)
{
    uint8_t *m = NULL;
    size_t len = 0;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&m, &len, NULL, ef_yaml, sizeof ef_yaml - 1, "erase.yaml", NULL, &err);
    if (rc == CUSTOS_OK)
        rc = custos_manifest_load(ctx, m, len);
    custos_manifest_free(m);
    return rc;
}

/* Register external_id and give consent to both purposes. */
static inline int ef_subject(custos_t *ctx, custos_subject *out, const char *external_id)
{
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    int rc = custos_subject_add(ctx, out, external_id, CUSTOS_ROLE_OWNER);
    if (rc == CUSTOS_OK)
        rc = custos_consent_give(ctx, *out, EF_PURPOSE_VIDEO, &info);
    if (rc == CUSTOS_OK)
        rc = custos_consent_give(ctx, *out, EF_PURPOSE_STATS, &info);
    return rc;
}

/* A fresh canary: 32 random bytes as 64 lowercase hex characters (no NUL). */
static inline void ef_canary(char out[EF_CANARY_LEN])
{
    uint8_t r[32];
    char hex[65];
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    memcpy(out, hex, EF_CANARY_LEN);
}

/* Store n canary records for subject under purpose; canaries[i] and ids[i]
 * (either may be NULL) receive what was stored. Batches of 1000. */
static inline int ef_put(custos_t *ctx, custos_subject subject, uint32_t purpose, size_t n,
                         char (*canaries)[EF_CANARY_LEN], custos_record_id *ids)
{
    enum { BATCH = 1000 };
    static char buf[BATCH][EF_CANARY_LEN];
    static custos_vault_item items[BATCH];
    static custos_record_id got[BATCH];
    for (size_t done = 0; done < n;) {
        size_t k = n - done < BATCH ? n - done : BATCH;
        for (size_t i = 0; i < k; i++) {
            ef_canary(buf[i]);
            items[i] = (custos_vault_item){ purpose, EF_CATEGORY, buf[i], EF_CANARY_LEN };
        }
        int rc = custos_vault_put_many(ctx, got, subject, items, k);
        if (rc != CUSTOS_OK)
            return rc;
        for (size_t i = 0; i < k; i++) {
            if (canaries != NULL)
                memcpy(canaries[done + i], buf[i], EF_CANARY_LEN);
            if (ids != NULL)
                ids[done + i] = got[i];
        }
        done += k;
    }
    sodium_memzero(buf, sizeof buf);
    return CUSTOS_OK;
}

/* 1 if record id opens and holds exactly canary. */
static inline int ef_reads(custos_t *ctx, custos_record_id id, const char canary[EF_CANARY_LEN])
{
    uint8_t out[EF_CANARY_LEN];
    size_t len = 0;
    int rc = custos_vault_get(ctx, out, sizeof out, &len, NULL, id);
    return rc == CUSTOS_OK && len == EF_CANARY_LEN && memcmp(out, canary, EF_CANARY_LEN) == 0;
}

#endif
