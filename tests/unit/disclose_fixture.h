/*
 * disclose_fixture.h: a small thermostat manifest and helpers to compile it
 * and generate disclosures, shared by test_disclose.c and
 * test_disclose_evidence.c.
 */
#ifndef CUSTOS_DISCLOSE_FIXTURE_H
#define CUSTOS_DISCLOSE_FIXTURE_H

#include "harness.h"

#include <custos/disclose.h>
#include "manifest/manifest_private.h"
#include <stdio.h>
#include <string.h>

/* A small product: one category kept on the device, purposes added by tests. */
static const char head[] __attribute__((unused)) =
    "custos: 1\n"
    "product:\n"
    "  name: Test Thermostat\n"
    "  model: TT-1\n"
    "  policy_version: 3\n"
    "  jurisdictions: [JP-APPI]\n"
    "  languages: [en, ja]\n"
    "  controller: {name: Test Devices K.K., address: 1-1 Test Tokyo, contact: privacy@example.com, country: JP}\n"
    "subjects: [owner]\n"
    "stores:\n"
    "  play: {encrypted_in_transit: true, account_creation: [PSL_ACM_NONE]}\n";

static const char room_category[] __attribute__((unused)) =
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.environment\n"
    "    name: {en: Room temperature, ja: 室温}\n";

static const char operate_purpose[] __attribute__((unused)) =
    "  - id: 1\n"
    "    key: essential.service.device_operation\n"
    "    name: {en: Keep the room warm, ja: 室温の調整}\n"
    "    legal_basis: contract\n"
    "    necessity: required\n"
    "    categories: [1]\n"
    "    retention: P30D\n"
    "    locations: [device]\n";

typedef struct compiled {
    uint8_t *bytes;
    size_t len;
} compiled;

static inline compiled compile_yaml(const char *categories, const char *purposes)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%s%spurposes:\n%s", head, categories, purposes);
    compiled c = { NULL, 0 };
    custos_manifest_error err;
    int rc = custos_manifest_compile(&c.bytes, &c.len, NULL, yaml, strlen(yaml), "test.yaml", NULL, &err);
    if (rc != CUSTOS_OK)
        fail_msg("test manifest did not compile: %s", err.message);
    return c;
}

static inline compiled simple(void)
{
    return compile_yaml(room_category, operate_purpose);
}

static inline void drop(compiled c)
{
    custos_manifest_free(c.bytes);
}

/* The compiler always fills a store type from the taxonomy, so a manifest
 * without one is made here: decode, clear the field, re-frame. */
static inline compiled without_store_types(compiled c, uint32_t category)
{
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(NULL, c.bytes, c.len, &m, NULL), CUSTOS_OK);
    custos_category_pb *cat = (custos_category_pb *)custos__manifest_category(m, category);
    assert_non_null(cat);
    char *apple = cat->apple_type, *play = cat->play_type;
    cat->apple_type = NULL;
    cat->play_type = NULL;
    compiled out = { NULL, 0 };
    assert_int_equal(custos_manifest__encode(&out.bytes, &out.len, m, NULL), CUSTOS_OK);
    cat->apple_type = apple;
    cat->play_type = play;
    custos__manifest_free(m);
    custos_manifest_free(c.bytes);
    return out;
}

/* Generate, asserting success; the caller frees with custos_disclose_free. */
static char *gen(compiled c, custos_disclose_format f, const char *lang)
{
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = lang;
    custos_manifest_error err = { { 0 }, 0, 0 };
    char *out = NULL;
    size_t len = 0;
    int rc = custos_disclose(&out, &len, c.bytes, c.len, f, &opts, &err);
    if (rc != CUSTOS_OK)
        fail_msg("%s failed: %s", custos_disclose_format_name(f), err.message);
    assert_int_equal(strlen(out), len);
    return out;
}

/* Generate, expecting failure; returns the code, err receives the detail. */
static inline int gen_fails(compiled c, custos_disclose_format f, custos_manifest_error *err)
{
    char *out = (char *)1;
    size_t len = 1;
    int rc = custos_disclose(&out, &len, c.bytes, c.len, f, NULL, err);
    assert_null(out);
    assert_int_equal(len, 0);
    return rc;
}

static inline int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static const char two_clouds[] __attribute__((unused)) =
    "  - id: 2\n"
    "    key: analytics.reporting.system.performance\n"
    "    name: {en: Improve heating, ja: 暖房の改善}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: P1Y6M\n"
    "    consent_lifetime: P1Y\n"
    "    locations: [cloud]\n"
    "    recipients:\n"
    "      - {name: Hosting Co., country: JP, role: processor}\n"
    "  - id: 3\n"
    "    key: marketing.advertising.third_party.targeted\n"
    "    name: {en: Energy offers, ja: 省エネのご提案}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: {until: ownership_transfer}\n"
    "    locations: [cloud]\n"
    "    recipients:\n"
    "      - {name: Power Partner Inc., country: US, role: third_party, appi_route: equivalent_system, measures: {en: Bound by our contract., ja: 当社との契約に従います。}}\n";

static inline compiled clouds(void)
{
    char purposes[4096];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, two_clouds);
    return compile_yaml(room_category, purposes);
}

#endif
