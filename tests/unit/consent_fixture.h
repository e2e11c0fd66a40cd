/*
 * consent_fixture.h: a small compiled manifest, a test clock and a store
 * with subjects, shared by the consent, gate and sync tests.
 *
 * Purposes of the fixture manifest:
 *   1 "analytics"   consent, categories {1, 2}, no lifetime
 *   2 "video"       consent, category {3}, consent lifetime 3600 s
 *   3 "core"        contract, category {1}
 *   5 "marketing"   consent, category {2}, retention fx_retention seconds
 */
#ifndef CUSTOS_CONSENT_FIXTURE_H
#define CUSTOS_CONSENT_FIXTURE_H

#include "harness.h"
#include "manifest/manifest_private.h"

#include <custos/custos.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FX_ANALYTICS = 1, FX_VIDEO = 2, FX_CORE = 3, FX_MARKETING = 5 };
enum { FX_CAT_USAGE = 1, FX_CAT_CONTACT = 2, FX_CAT_VIDEO = 3, FX_CAT_UNUSED = 9 };
#define FX_LIFETIME 3600u

typedef struct fx_clock {
    uint64_t now;
    custos_time_confidence confidence;
} fx_clock;

static inline uint64_t fx_clock_now(void *state, custos_time_confidence *c)
{
    fx_clock *fc = state;
    if (c != NULL)
        *c = fc->confidence;
    return __atomic_load_n(&fc->now, __ATOMIC_SEQ_CST);
}

static Custos__V1__LocalizedText fx_text_en = { PROTOBUF_C_MESSAGE_INIT(&custos__v1__localized_text__descriptor), (char *)"en", (char *)"text" };

/* A compiled manifest; the caller frees *out with custos__free. */
static inline void fx_manifest(uint8_t **out, size_t *len, uint32_t version, uint64_t marketing_retention)
{
    static char *langs[] = { (char *)"en", (char *)"ja" };
    Custos__V1__Party ctrl = CUSTOS__V1__PARTY__INIT;
    ctrl.name = (char *)"Example Corp";
    ctrl.address = (char *)"1-1 Chiyoda, Tokyo";
    ctrl.contact = (char *)"privacy@example.com";
    ctrl.country = (char *)"JP";
    Custos__V1__Product prod = CUSTOS__V1__PRODUCT__INIT;
    prod.name = (char *)"Test Camera";
    prod.controller = &ctrl;
    prod.policy_version = version;
    prod.n_languages = 2;
    prod.languages = langs;
    static char *juris[] = { (char *)"EU-GDPR", (char *)"JP-APPI" };
    prod.n_jurisdictions = 2;
    prod.jurisdictions = juris;

    Custos__V1__DataCategory c[3];
    Custos__V1__DataCategory *cp[3];
    const char *ckeys[3] = { "user.device.usage", "user.contact.email", "user.sensor.video" };
    for (int i = 0; i < 3; i++) {
        custos__v1__data_category__init(&c[i]);
        c[i].id = (uint32_t)i + 1;
        c[i].key = (char *)ckeys[i];
        cp[i] = &c[i];
    }
    static uint32_t cats1[] = { 1, 2 }, cats2[] = { 3 }, cats3[] = { 1 }, cats5[] = { 2 };
    Custos__V1__Duration life = CUSTOS__V1__DURATION__INIT, ret = CUSTOS__V1__DURATION__INIT;
    life.iso8601 = (char *)"PT1H";
    life.has_seconds = 1;
    life.seconds = FX_LIFETIME;
    char iso[32];
    snprintf(iso, sizeof iso, "PT%lluS", (unsigned long long)marketing_retention);
    ret.iso8601 = iso;
    ret.has_seconds = 1;
    ret.seconds = marketing_retention;

    Custos__V1__Purpose p[4];
    Custos__V1__Purpose *pp[4];
    const uint32_t ids[4] = { 1, 2, 3, 5 };
    const char *keys[4] = { "analytics.reporting", "essential.service.security", "essential.service", "marketing" };
    uint32_t *cats[4] = { cats1, cats2, cats3, cats5 };
    size_t ncats[4] = { 2, 1, 1, 1 };
    static Custos__V1__LocalizedText *names[1] = { &fx_text_en };
    for (int i = 0; i < 4; i++) {
        custos__v1__purpose__init(&p[i]);
        p[i].id = ids[i];
        p[i].key = (char *)keys[i];
        p[i].n_name = 1;
        p[i].name = names;
        p[i].legal_basis = ids[i] == 3 ? CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONTRACT
                                       : CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT;
        p[i].necessity = CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL;
        p[i].n_categories = ncats[i];
        p[i].categories = cats[i];
        pp[i] = &p[i];
    }
    p[1].consent_lifetime = &life;
    p[3].retention = &ret;
    Custos__V1__Manifest m = CUSTOS__V1__MANIFEST__INIT;
    m.format_version = CUSTOS_MANIFEST_FORMAT_VERSION;
    m.product = &prod;
    m.n_categories = 3;
    m.categories = cp;
    m.n_purposes = 4;
    m.purposes = pp;
    assert_int_equal(custos_manifest__encode(out, len, &m, NULL), CUSTOS_OK);
}

/* A store with the fixture manifest (version 1) loaded and a test clock. */
typedef struct fx {
    char *dir;
    custos_t *ctx;
    fx_clock clock;
    custos_clock seam;
    custos_subject owner, guest, child;
    custos_key_provider *kp;   /* NULL: the file provider */
} fx;

/* fx_open with a key provider of the test's (not owned). */
static inline void fx_open_kp(fx *f, const char *tag, custos_key_provider *kp)
{
    memset(f, 0, sizeof *f);
    f->dir = th_tmpdir(tag);
    f->kp = kp;
    f->clock.now = 1700000000u;
    f->clock.confidence = CUSTOS_TIME_TRUSTED_CLOCK;
    f->seam = (custos_clock){ fx_clock_now, &f->clock };
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &f->seam;
    o.key_provider = kp;
    assert_int_equal(custos_open(&f->ctx, f->dir, &o), CUSTOS_OK);
    uint8_t *mf = NULL;
    size_t len = 0;
    fx_manifest(&mf, &len, 1, 86400);
    assert_int_equal(custos_manifest_load(f->ctx, mf, len), CUSTOS_OK);
    custos__free(mf);
    assert_int_equal(custos_subject_add(f->ctx, &f->owner, "owner@example.com", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    assert_int_equal(custos_subject_add(f->ctx, &f->guest, "guest-1", CUSTOS_ROLE_GUEST), CUSTOS_OK);
    assert_int_equal(custos_subject_add(f->ctx, &f->child, "child-1", CUSTOS_ROLE_CHILD), CUSTOS_OK);
}

static inline void fx_open(fx *f, const char *tag) { fx_open_kp(f, tag, NULL); }

static inline void fx_reopen(fx *f)
{
    custos_close(f->ctx);
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &f->seam;
    o.key_provider = f->kp;
    assert_int_equal(custos_open(&f->ctx, f->dir, &o), CUSTOS_OK);
}

/* An edit of custos.db through a connection of its own, as another process
 * (an attacker with write access to the file) would make it. */
static inline void fx_edit(fx *f, const char *sql)
{
    int changed = th_db_edit(f->dir, sql);
    assert_int_equal(changed > 0 || strstr(sql, "DELETE") != NULL || strstr(sql, "DROP") != NULL, 1);
}

static inline void fx_close(fx *f)
{
    custos_close(f->ctx);
    th_tmpdir_remove(f->dir);
}

static const custos_consent_info fx_info = CUSTOS_CONSENT_INFO_INIT;

static inline custos_consent_status fx_status(fx *f, custos_subject s, uint32_t p)
{
    custos_consent_state_info st;
    assert_int_equal(custos_consent_state(f->ctx, &st, s, p), CUSTOS_OK);
    return st.status;
}

static inline int fx_events(fx *f, const char *where)
{
    sqlite3_stmt *st = NULL;
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM consent_event %s", where);
    assert_int_equal(sqlite3_prepare_v2(f->ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Two stores paired as a device and its companion app (sync tests). */
typedef struct fx_pair {
    fx dev, app;
    uint8_t dev_id[16], dev_pk[32], app_pk[32];
} fx_pair;

static inline void fx_pair_open(fx_pair *p, const char *tag)
{
    char t[64];
    snprintf(t, sizeof t, "%s-dev", tag);
    fx_open(&p->dev, t);
    snprintf(t, sizeof t, "%s-app", tag);
    fx_open(&p->app, t);
    assert_int_equal(custos_device_id(p->dev.ctx, p->dev_id), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(p->dev.ctx, p->dev_pk), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(p->app.ctx, p->app_pk), CUSTOS_OK);
    assert_int_equal(custos_pair(p->dev.ctx, p->app_pk, NULL), CUSTOS_OK);
    assert_int_equal(custos_pair(p->app.ctx, p->dev_pk, p->dev_id), CUSTOS_OK);
}

static inline void fx_pair_close(fx_pair *p)
{
    fx_close(&p->dev);
    fx_close(&p->app);
}

#endif
