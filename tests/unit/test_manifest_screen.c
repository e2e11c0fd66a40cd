/*
 * What a consent screen shows (custos_manifest_consent_screen), checked
 * against examples/smart-camera/privacy.yaml, and the notice hash
 * (custos_notice_hash) a decision on that screen records. Out of memory at
 * every allocation of the screen is in test_manifest_oom.c.
 */
#include "consent_fixture.h"

#include <sodium.h>

typedef struct example {
    uint8_t *bytes;
    size_t len;
    uint8_t id[CUSTOS_HASH_BYTES];
} example;

static example compile_example(void)
{
    size_t len;
    uint8_t *yaml = th_read_file(CUSTOS_SOURCE_DIR "/examples/smart-camera/privacy.yaml", &len);
    assert_non_null(yaml);
    example e = { 0 };
    custos_manifest_error err;
    int rc = custos_manifest_compile(&e.bytes, &e.len, e.id, (const char *)yaml, len, "privacy.yaml", NULL, &err);
    if (rc != CUSTOS_OK)
        fail_msg("compile: %s: %s", custos_strerror(rc), err.message);
    free(yaml);
    return e;
}

static custos_manifest_screen *screen_of(const example *e, const char *lang)
{
    custos_manifest_screen *s = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_consent_screen(&s, e->bytes, e->len, lang, &err);
    if (rc != CUSTOS_OK)
        fail_msg("consent screen: %s: %s", custos_strerror(rc), err.message);
    return s;
}

static const custos_manifest_screen_purpose *purpose(const custos_manifest_screen *s, uint32_t id)
{
    for (size_t i = 0; i < s->n_purposes; i++)
        if (s->purposes[i].id == id)
            return &s->purposes[i];
    fail_msg("purpose %u is not on the screen", id);
    return NULL;
}

static void test_screen_lists_every_purpose_in_id_order_with_the_manifest_identity(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, "en");
    assert_int_equal(s->n_purposes, 6);
    for (size_t i = 0; i < s->n_purposes; i++)
        assert_int_equal(s->purposes[i].id, i + 1);
    assert_string_equal(s->lang, "en");
    assert_int_equal(s->policy_version, 1);
    assert_memory_equal(s->manifest_id, e.id, CUSTOS_HASH_BYTES);
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

static void test_screen_gives_the_yaml_values_of_a_consent_purpose(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, "en");
    const custos_manifest_screen_purpose *p = purpose(s, 2);
    assert_string_equal(p->key, "functional.service");
    assert_string_equal(p->title, "Cloud recording");
    assert_string_equal(p->description,
                        "Record video and sound when motion is detected and keep the clips in our cloud for 30 days.");
    assert_string_equal(p->legal_basis, "consent");
    assert_int_equal(p->required, 0);
    assert_int_equal(p->n_categories, 3);
    const uint32_t ids[] = { 1, 2, 3 };
    const char *names[] = { "Video from the camera", "Sound from the microphone", "Motion and presence events" };
    const char *keys[] = { "user.sensor.video", "user.sensor.audio", "user.sensor.presence" };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(p->categories[i].id, ids[i]);
        assert_string_equal(p->categories[i].name, names[i]);
        assert_string_equal(p->categories[i].key, keys[i]);
    }
    assert_int_equal(p->n_recipients, 1);
    assert_string_equal(p->recipients[0].name, "Example Cloud Hosting Ltd.");
    assert_string_equal(p->recipients[0].country, "JP");
    assert_string_equal(p->recipients[0].role, "processor");
    assert_string_equal(p->retention, "P30D");
    assert_int_equal(p->retention_days, 30);
    assert_null(p->retention_until);
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

static void test_screen_marks_required_purposes_and_their_legal_basis(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, "en");
    const custos_manifest_screen_purpose *op = purpose(s, 1), *alerts = purpose(s, 5), *updates = purpose(s, 6);
    assert_int_equal(op->required, 1);
    assert_string_equal(op->legal_basis, "contract");
    assert_int_equal(op->n_recipients, 0);
    assert_int_equal(alerts->required, 1);
    assert_string_equal(updates->legal_basis, "legal_obligation");
    assert_int_equal(updates->required, 1);
    assert_int_equal(purpose(s, 4)->required, 0);
    assert_string_equal(purpose(s, 4)->legal_basis, "consent");
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

static void test_screen_states_retention_as_the_manifest_does(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, "en");
    /* P13M is 13 * 30 days (the manifest module's normalisation) */
    assert_string_equal(purpose(s, 3)->retention, "P13M");
    assert_int_equal(purpose(s, 3)->retention_days, 390);
    assert_int_equal(purpose(s, 5)->retention_days, 7);
    const custos_manifest_screen_purpose *op = purpose(s, 1);
    assert_null(op->retention);
    assert_int_equal(op->retention_days, 0);
    assert_string_equal(op->retention_until, "device_reset");
    assert_string_equal(purpose(s, 6)->retention_until, "end_of_support");
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

static void test_screen_names_a_recipient_outside_japan_with_its_country(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, "ja");
    const custos_manifest_screen_purpose *p = purpose(s, 4);
    assert_int_equal(p->n_recipients, 1);
    assert_string_equal(p->recipients[0].name, "Vision AI Inc.");
    assert_string_equal(p->recipients[0].country, "US");
    assert_int_equal(p->n_categories, 2);
    assert_int_equal(p->categories[1].id, 7);
    assert_string_equal(p->categories[1].name, "識別した人物の顔特徴データ");
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

static void test_japanese_screen_has_japanese_texts_and_the_same_facts(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *en = screen_of(&e, "en"), *ja = screen_of(&e, "ja");
    assert_string_equal(ja->lang, "ja");
    assert_string_equal(purpose(ja, 2)->title, "クラウド録画");
    assert_string_equal(purpose(ja, 1)->title, "カメラの動作");
    assert_string_equal(purpose(ja, 2)->categories[0].name, "カメラの映像");
    assert_string_equal(purpose(ja, 2)->description,
                        "動きを検知したときに映像と音声を録画し、クリップを当社のクラウドに30日間保存します。");
    assert_int_equal(ja->n_purposes, en->n_purposes);
    for (size_t i = 0; i < en->n_purposes; i++) {
        const custos_manifest_screen_purpose *a = &en->purposes[i], *b = &ja->purposes[i];
        assert_string_not_equal(a->title, b->title);
        assert_string_equal(a->legal_basis, b->legal_basis);
        assert_int_equal(a->required, b->required);
        assert_int_equal(a->n_categories, b->n_categories);
        assert_int_equal(a->n_recipients, b->n_recipients);
        assert_int_equal(a->retention_days, b->retention_days);
    }
    custos_manifest_free(en);
    custos_manifest_free(ja);
    custos_manifest_free(e.bytes);
}

static void test_null_language_is_english(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, NULL);
    assert_string_equal(s->lang, "en");
    assert_string_equal(purpose(s, 2)->title, "Cloud recording");
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

static void test_purpose_without_description_has_an_empty_one(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_screen *s = screen_of(&e, "ja");
    assert_string_equal(purpose(s, 5)->description, "");
    assert_string_equal(purpose(s, 5)->title, "動体検知の通知");
    custos_manifest_free(s);
    custos_manifest_free(e.bytes);
}

/* The example declares every text in en and ja; drop the Japanese
 * description of purpose 2 and name of category 1 (a compiled file from
 * another writer may lack them) and re-frame the manifest. */
static example without_some_japanese(const example *e)
{
    custos_manifest_pb *m = NULL;
    custos_manifest_error err;
    assert_int_equal(custos_manifest__decode(e->bytes, e->len, &m, NULL, &err), CUSTOS_OK);
    custos_purpose_pb *p = m->purposes[1];
    custos_category_pb *c = m->categories[0];
    assert_string_equal(p->description[1]->lang, "ja");
    assert_string_equal(c->name[1]->lang, "ja");
    p->n_description = c->n_name = 1; /* the "en" texts sort first */
    example out = { 0 };
    assert_int_equal(custos_manifest__encode(&out.bytes, &out.len, m, out.id), CUSTOS_OK);
    p->n_description = c->n_name = 2; /* so that free_unpacked frees them */
    custos__manifest_free(m);
    return out;
}

static void test_text_missing_in_the_language_falls_back_to_english(void **state)
{
    (void)state;
    example e = compile_example(), partial = without_some_japanese(&e);
    custos_manifest_screen *s = screen_of(&partial, "ja");
    const custos_manifest_screen_purpose *p = purpose(s, 2);
    assert_string_equal(p->title, "クラウド録画");
    assert_string_equal(p->description,
                        "Record video and sound when motion is detected and keep the clips in our cloud for 30 days.");
    assert_string_equal(p->categories[0].name, "Video from the camera");
    assert_string_equal(p->categories[1].name, "マイクの音声");
    custos_manifest_free(s);
    custos_manifest_free(partial.bytes);
    custos_manifest_free(e.bytes);
}

/* rc, with *out left NULL and a message in err. */
static int screen_rc(const uint8_t *bytes, size_t len, const char *lang)
{
    custos_manifest_screen *s = (custos_manifest_screen *)&s; /* not NULL: must be cleared */
    custos_manifest_error err;
    int rc = custos_manifest_consent_screen(&s, bytes, len, lang, &err);
    assert_null(s);
    assert_true(err.message[0] != '\0');
    return rc;
}

static void test_missing_output_or_input_is_einval(void **state)
{
    (void)state;
    example e = compile_example();
    custos_manifest_error err;
    assert_int_equal(custos_manifest_consent_screen(NULL, e.bytes, e.len, "en", &err), CUSTOS_EINVAL);
    assert_true(err.message[0] != '\0');
    assert_int_equal(custos_manifest_consent_screen(NULL, e.bytes, e.len, "en", NULL), CUSTOS_EINVAL);
    assert_int_equal(screen_rc(NULL, e.len, "en"), CUSTOS_EINVAL);
    assert_int_equal(screen_rc(NULL, 0, "en"), CUSTOS_EINVAL);
    custos_manifest_free(e.bytes);
}

static void test_language_the_manifest_does_not_declare_is_einval(void **state)
{
    (void)state;
    example e = compile_example();
    const char *bad[] = { "fr", "", "EN", "en-US", "ja ", "jpn", "a-language-tag-longer-than-any-real-one-by-far" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(screen_rc(e.bytes, e.len, bad[i]), CUSTOS_EINVAL);
    custos_manifest_error err;
    custos_manifest_screen *s = NULL;
    assert_int_equal(custos_manifest_consent_screen(&s, e.bytes, e.len, "fr", &err), CUSTOS_EINVAL);
    assert_non_null(strstr(err.message, "'fr'"));
    assert_non_null(strstr(err.message, "en, ja"));
    custos_manifest_free(e.bytes);
}

static void test_damaged_compiled_manifest_is_ecorrupt(void **state)
{
    (void)state;
    example e = compile_example();
    assert_int_equal(screen_rc(e.bytes, e.len - 1, "en"), CUSTOS_ECORRUPT);
    assert_int_equal(screen_rc(e.bytes, 0, "en"), CUSTOS_ECORRUPT);
    e.bytes[e.len / 2] ^= 0x01;
    assert_int_equal(screen_rc(e.bytes, e.len, "en"), CUSTOS_ECORRUPT);
    e.bytes[e.len / 2] ^= 0x01;
    size_t ylen;
    uint8_t *yaml = th_read_file(CUSTOS_SOURCE_DIR "/examples/smart-camera/privacy.yaml", &ylen);
    assert_int_equal(screen_rc(yaml, ylen, "en"), CUSTOS_ECORRUPT); /* YAML, not compiled */
    free(yaml);
    custos_manifest_free(e.bytes);
}

static void test_other_compiled_format_is_eversion(void **state)
{
    (void)state;
    example e = compile_example();
    e.bytes[8] = 2; /* format version 2, checksum made to match */
    crypto_generichash(e.bytes + e.len - 32, 32, e.bytes, e.len - 32, NULL, 0);
    assert_int_equal(screen_rc(e.bytes, e.len, "en"), CUSTOS_EVERSION);
    custos_manifest_free(e.bytes);
}

/* --- the notice hash ------------------------------------------------------ */

static const char notice_ja[] = "# プライバシーのお知らせ\n\nカメラの映像をクラウドに保存します。\n";

static void test_notice_hash_is_unkeyed_blake2b_256_of_the_text(void **state)
{
    (void)state;
    uint8_t got[CUSTOS_HASH_BYTES], want[CUSTOS_HASH_BYTES];
    assert_int_equal(custos_notice_hash(got, notice_ja, strlen(notice_ja)), CUSTOS_OK);
    crypto_generichash(want, sizeof want, (const uint8_t *)notice_ja, strlen(notice_ja), NULL, 0);
    assert_memory_equal(got, want, sizeof want);
    /* the BLAKE2b-256 of nothing (RFC 7693 parameters, 32-byte digest) */
    static const uint8_t empty[32] = { 0x0e, 0x57, 0x51, 0xc0, 0x26, 0xe5, 0x43, 0xb2, 0xe8, 0xab, 0x2e,
                                       0xb0, 0x60, 0x99, 0xda, 0xa1, 0xd1, 0xe5, 0xdf, 0x47, 0x77, 0x8f,
                                       0x77, 0x87, 0xfa, 0xab, 0x45, 0xcd, 0xf1, 0x2f, 0xe3, 0xa8 };
    assert_int_equal(custos_notice_hash(got, NULL, 0), CUSTOS_OK);
    assert_memory_equal(got, empty, sizeof empty);
    assert_int_equal(custos_notice_hash(got, "", 0), CUSTOS_OK);
    assert_memory_equal(got, empty, sizeof empty);
}

static void test_notice_hash_bad_arguments_are_einval(void **state)
{
    (void)state;
    uint8_t out[CUSTOS_HASH_BYTES];
    assert_int_equal(custos_notice_hash(NULL, notice_ja, 3), CUSTOS_EINVAL);
    assert_int_equal(custos_notice_hash(out, NULL, 1), CUSTOS_EINVAL);
}

static void test_notice_hash_is_what_the_consent_event_records(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "screen-notice");
    uint8_t h[CUSTOS_HASH_BYTES];
    assert_int_equal(custos_notice_hash(h, notice_ja, strlen(notice_ja)), CUSTOS_OK);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    info.notice_hash = h;
    info.notice_lang = "ja";
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &info), CUSTOS_OK);
    custos_consent_event_info ev[1];
    size_t n = 0;
    assert_int_equal(custos_consent_history(f.ctx, ev, 1, &n, f.owner), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ev[0].has_notice_hash, 1);
    assert_memory_equal(ev[0].notice_hash, h, sizeof h);
    assert_string_equal(ev[0].notice_lang, "ja");
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_lists_every_purpose_in_id_order_with_the_manifest_identity),
        cmocka_unit_test(test_screen_gives_the_yaml_values_of_a_consent_purpose),
        cmocka_unit_test(test_screen_marks_required_purposes_and_their_legal_basis),
        cmocka_unit_test(test_screen_states_retention_as_the_manifest_does),
        cmocka_unit_test(test_screen_names_a_recipient_outside_japan_with_its_country),
        cmocka_unit_test(test_japanese_screen_has_japanese_texts_and_the_same_facts),
        cmocka_unit_test(test_null_language_is_english),
        cmocka_unit_test(test_purpose_without_description_has_an_empty_one),
        cmocka_unit_test(test_text_missing_in_the_language_falls_back_to_english),
        cmocka_unit_test(test_missing_output_or_input_is_einval),
        cmocka_unit_test(test_language_the_manifest_does_not_declare_is_einval),
        cmocka_unit_test(test_damaged_compiled_manifest_is_ecorrupt),
        cmocka_unit_test(test_other_compiled_format_is_eversion),
        cmocka_unit_test(test_notice_hash_is_unkeyed_blake2b_256_of_the_text),
        cmocka_unit_test(test_notice_hash_bad_arguments_are_einval),
        cmocka_unit_test(test_notice_hash_is_what_the_consent_event_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
