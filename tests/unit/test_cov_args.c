/*
 * Every public entry point refuses a missing (NULL) argument, an unknown
 * format or an out-of-range count with CUSTOS_EINVAL or CUSTOS_ERANGE, and,
 * when it has a store, says why in custos_errmsg(). Bindings map these codes
 * to exceptions, so each must be the precise one, and nothing may be
 * written through the pointers that were given.
 */
#include "consent_fixture.h"

#include <custos/audit.h>
#include <custos/disclose.h>
#include <custos/erase.h>
#include <custos/manifest.h>
#include <custos/sync.h>

static void expect_msg(custos_t *ctx, const char *part)
{
    const char *m = custos_errmsg(ctx);
    if (strstr(m, part) == NULL)
        fail_msg("custos_errmsg is \"%s\", expected it to contain \"%s\"", m, part);
}

static void test_subject_calls_refuse_null_arguments(void **state)
{
    (void)state;
    fx f;
    custos_subject s = 77;
    custos_role role = (custos_role)77;
    fx_open(&f, "args-subject");
    assert_int_equal(custos_subject_add(NULL, &s, "x", CUSTOS_ROLE_GUEST), CUSTOS_EINVAL);
    assert_int_equal(custos_subject_add(f.ctx, NULL, "x", CUSTOS_ROLE_GUEST), CUSTOS_EINVAL);
    expect_msg(f.ctx, "subject: NULL argument");
    assert_int_equal(custos_subject_find(NULL, &s, "guest-1"), CUSTOS_EINVAL);
    assert_int_equal(custos_subject_find(f.ctx, NULL, "guest-1"), CUSTOS_EINVAL);
    assert_int_equal(custos_subject_role(NULL, &role, f.owner), CUSTOS_EINVAL);
    assert_int_equal(custos_subject_role(f.ctx, NULL, f.owner), CUSTOS_EINVAL);
    expect_msg(f.ctx, "subject: NULL argument");
    assert_int_equal(s, 77);
    assert_int_equal(role, 77);
    fx_close(&f);
}

static void test_consent_queries_refuse_null_arguments(void **state)
{
    (void)state;
    fx f;
    custos_consent_state_info st;
    custos_consent_event_info ev[2];
    char buf[64];
    size_t len = 12345;
    fx_open(&f, "args-consent");
    assert_int_equal(custos_consent_state(NULL, &st, f.owner, FX_ANALYTICS), CUSTOS_EINVAL);
    assert_int_equal(custos_consent_state(f.ctx, NULL, f.owner, FX_ANALYTICS), CUSTOS_EINVAL);
    expect_msg(f.ctx, "consent: NULL argument");
    assert_int_equal(custos_consent_history(NULL, ev, 2, &len, f.owner), CUSTOS_EINVAL);
    assert_int_equal(custos_consent_history(f.ctx, ev, 2, NULL, f.owner), CUSTOS_EINVAL);
    assert_int_equal(custos_consent_history(f.ctx, NULL, 2, &len, f.owner), CUSTOS_EINVAL);
    expect_msg(f.ctx, "consent history: NULL argument");
    assert_int_equal(custos_consent_receipt(NULL, buf, sizeof buf, &len, f.owner, CUSTOS_RECEIPT_KANTARA),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_consent_receipt(f.ctx, buf, sizeof buf, NULL, f.owner, CUSTOS_RECEIPT_KANTARA),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_consent_receipt(f.ctx, NULL, sizeof buf, &len, f.owner, CUSTOS_RECEIPT_KANTARA),
                     CUSTOS_EINVAL);
    expect_msg(f.ctx, "receipt: NULL argument");
    assert_int_equal(len, 12345);
    fx_close(&f);
}

static void test_store_identity_and_manifest_load_refuse_null_arguments(void **state)
{
    (void)state;
    fx f;
    uint8_t id[32];
    fx_open(&f, "args-store");
    assert_int_equal(custos_device_id(NULL, id), CUSTOS_EINVAL);
    assert_int_equal(custos_device_id(f.ctx, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_device_public_key(NULL, id), CUSTOS_EINVAL);
    assert_int_equal(custos_device_public_key(f.ctx, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_load(NULL, id, sizeof id), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_load(f.ctx, NULL, 10), CUSTOS_EINVAL);
    expect_msg(f.ctx, "manifest: no compiled manifest given");
    fx_close(&f);
}

static int visit_nothing(void *user, const custos_audit_entry *e)
{
    (void)e;
    (void)user;
    return 0;
}

static void test_audit_calls_refuse_null_arguments(void **state)
{
    (void)state;
    fx f;
    int enabled = 7;
    uint8_t out[16], pk[32] = { 0 };
    size_t len = 99;
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    fx_open(&f, "args-audit");
    assert_int_equal(custos_audit_checkpoint(NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_set_optional(NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_get_optional(NULL, &enabled), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_get_optional(f.ctx, NULL), CUSTOS_EINVAL);
    assert_int_equal(enabled, 7);
    assert_int_equal(custos_audit_verify(NULL, &r), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_export(NULL, out, sizeof out, &len), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_export(f.ctx, out, sizeof out, NULL), CUSTOS_EINVAL);
    assert_int_equal(len, 99);
    assert_int_equal(custos_audit_verify_export(&r, NULL, 5, pk), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_verify_export(&r, out, sizeof out, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_foreach(NULL, 0, visit_nothing, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_foreach(f.ctx, 0, NULL, NULL), CUSTOS_EINVAL);
    fx_close(&f);
}

static void test_pairing_refuses_null_arguments(void **state)
{
    (void)state;
    fx f;
    uint8_t pk[32] = { 1 }, id[16] = { 2 };
    fx_open(&f, "args-pair");
    assert_int_equal(custos_pair(NULL, pk, id), CUSTOS_EINVAL);
    assert_int_equal(custos_pair(f.ctx, NULL, id), CUSTOS_EINVAL);
    expect_msg(f.ctx, "pair: no public key given");
    assert_int_equal(custos_unpair(NULL, pk), CUSTOS_EINVAL);
    assert_int_equal(custos_unpair(f.ctx, NULL), CUSTOS_EINVAL);
    expect_msg(f.ctx, "pair: no public key given");
    fx_close(&f);
}

static void test_sync_encoders_refuse_null_arguments_and_bad_counts(void **state)
{
    (void)state;
    fx f;
    uint8_t out[512], id[16] = { 0 };
    size_t len = 99;
    uint32_t reconsent[65] = { 1 };
    custos_consent_change ch[1];
    memset(ch, 0, sizeof ch);
    fx_open(&f, "args-syncenc");
    assert_int_equal(custos_sync_encode_state_report(NULL, out, sizeof out, &len), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_state_report(f.ctx, out, sizeof out, NULL), CUSTOS_EINVAL);
    expect_msg(f.ctx, "sync: NULL argument");
    assert_int_equal(custos_sync_encode_manifest_offer(NULL, out, sizeof out, &len, reconsent, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_manifest_offer(f.ctx, out, sizeof out, NULL, reconsent, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_manifest_offer(f.ctx, out, sizeof out, &len, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_manifest_offer(f.ctx, out, sizeof out, &len, reconsent, 65), CUSTOS_ERANGE);
    expect_msg(f.ctx, "at most 64 purposes");
    assert_int_equal(custos_sync_encode_update(NULL, out, sizeof out, &len, id, ch, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_update(f.ctx, out, sizeof out, NULL, id, ch, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_update(f.ctx, out, sizeof out, &len, NULL, ch, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_update(f.ctx, out, sizeof out, &len, id, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_encode_update(f.ctx, out, sizeof out, &len, id, ch, 0), CUSTOS_ERANGE);
    expect_msg(f.ctx, "not 0");
    assert_int_equal(custos_sync_encode_update(f.ctx, out, sizeof out, &len, id, ch,
                                               custos_sync_max_changes() + 1), CUSTOS_ERANGE);
    assert_int_equal(len, 99);
    fx_close(&f);
}

static void test_sync_decoders_refuse_null_arguments(void **state)
{
    (void)state;
    fx f;
    uint8_t msg[8] = { 1 }, mid[32], did[16];
    uint32_t version, counter, reconsent[4];
    size_t n = 99, applied = 99;
    custos_compact_state st[2];
    fx_open(&f, "args-syncdec");
    assert_int_equal(custos_sync_decode_state_report(NULL, st, 2, &n, did, &counter, msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_sync_decode_state_report(f.ctx, st, 2, NULL, did, &counter, msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_sync_decode_state_report(f.ctx, NULL, 2, &n, did, &counter, msg, sizeof msg),
                     CUSTOS_EINVAL);
    expect_msg(f.ctx, "sync: NULL argument");
    assert_int_equal(custos_sync_decode_manifest_offer(NULL, mid, &version, reconsent, 4, &n, msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_sync_decode_manifest_offer(f.ctx, mid, &version, reconsent, 4, NULL, msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_sync_decode_manifest_offer(f.ctx, mid, &version, NULL, 4, &n, msg, sizeof msg),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_sync_apply_update(f.ctx, &applied, NULL, 0), CUSTOS_EINVAL);
    expect_msg(f.ctx, "sync: no message given");
    assert_int_equal(n, 99);
    fx_close(&f);
}

static void test_disclose_calls_refuse_null_arguments_and_unknown_formats(void **state)
{
    (void)state;
    fx f;
    char *out = NULL, name[64];
    size_t len = 99;
    uint8_t *mf = NULL;
    size_t mlen = 0;
    custos_manifest_error err;
    fx_open(&f, "args-disclose");
    fx_manifest(&mf, &mlen, 1, 86400);
    assert_int_equal(custos_disclose(NULL, &len, mf, mlen, CUSTOS_DISCLOSE_NOTICE_MD, NULL, &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "no output pointer given");
    assert_int_equal(custos_disclose(&out, NULL, mf, mlen, CUSTOS_DISCLOSE_NOTICE_MD, NULL, &err), CUSTOS_EINVAL);
    assert_null(out);
    assert_int_equal(custos_disclose_access_report(f.ctx, NULL, &len, f.owner, mf, mlen, CUSTOS_DISCLOSE_NOTICE_MD,
                                                   NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_disclose_access_report(f.ctx, &out, NULL, f.owner, mf, mlen, CUSTOS_DISCLOSE_NOTICE_MD,
                                                   NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_disclose_access_report(f.ctx, &out, &len, f.owner, NULL, mlen, CUSTOS_DISCLOSE_NOTICE_MD,
                                                   NULL), CUSTOS_EINVAL);
    expect_msg(f.ctx, "a required argument is NULL");
    assert_int_equal(custos_disclose_access_report(NULL, &out, &len, f.owner, mf, mlen, CUSTOS_DISCLOSE_NOTICE_MD,
                                                   NULL), CUSTOS_EINVAL);
    assert_null(out);
    assert_int_equal(custos_disclose_file_name(name, sizeof name, &len, (custos_disclose_format)99, NULL),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_disclose_file_name(name, sizeof name, NULL, CUSTOS_DISCLOSE_XCPRIVACY, NULL),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_disclose_file_name(NULL, 5, &len, CUSTOS_DISCLOSE_XCPRIVACY, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_disclose_file_name(NULL, 0, &len, CUSTOS_DISCLOSE_XCPRIVACY, NULL), CUSTOS_ERANGE);
    assert_int_equal(len, sizeof "PrivacyInfo.xcprivacy");
    custos__free(mf);
    fx_close(&f);
}

static void test_erase_receipt_helpers_refuse_null_arguments(void **state)
{
    (void)state;
    char out[64];
    uint8_t msg[8] = { 1 }, pk[32] = { 0 };
    size_t len = 99;
    custos_erase_request_info info;
    custos_erase_replay_state rs;
    memset(&rs, 0, sizeof rs);
    assert_int_equal(custos_receipt_json(out, sizeof out, NULL, msg, sizeof msg), CUSTOS_EINVAL);
    assert_int_equal(custos_receipt_json(out, sizeof out, &len, NULL, 8), CUSTOS_EINVAL);
    assert_int_equal(custos_receipt_json(NULL, sizeof out, &len, msg, sizeof msg), CUSTOS_EINVAL);
    assert_int_equal(len, 99);
    assert_int_equal(custos_erase_request_accept(NULL, &rs, msg, sizeof msg, pk), CUSTOS_EINVAL);
    assert_int_equal(custos_erase_request_accept(&info, NULL, msg, sizeof msg, pk), CUSTOS_EINVAL);
    assert_int_equal(custos_erase_request_accept(&info, &rs, NULL, sizeof msg, pk), CUSTOS_EINVAL);
    assert_int_equal(custos_erase_request_accept(&info, &rs, msg, sizeof msg, NULL), CUSTOS_EINVAL);
}

static void test_passphrase_provider_refuses_empty_or_oversize_passphrase(void **state)
{
    (void)state;
    custos_key_provider *kp = NULL;
    static char big[4097];
    memset(big, 'p', sizeof big);
    assert_int_equal(custos_key_provider_passphrase(&kp, NULL, 8), CUSTOS_EINVAL);
    assert_int_equal(custos_key_provider_passphrase(&kp, "secret", 0), CUSTOS_EINVAL);
    assert_int_equal(custos_key_provider_passphrase(&kp, big, sizeof big), CUSTOS_EINVAL);
    assert_null(kp);
}

static void test_manifest_tools_refuse_null_arguments_and_unknown_formats(void **state)
{
    (void)state;
    uint8_t *out = NULL, *mf = NULL;
    size_t len = 99, mlen = 0, n = 99;
    char *text = NULL;
    custos_manifest_change *ch = NULL;
    custos_manifest_error err;
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    fx_manifest(&mf, &mlen, 1, 86400);
    assert_int_equal(custos_manifest_compile(NULL, &len, NULL, "x", 1, "m.yaml", NULL, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_compile(&out, NULL, NULL, "x", 1, "m.yaml", NULL, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_compile(&out, &len, NULL, NULL, 1, "m.yaml", NULL, &err), CUSTOS_EINVAL);
    o.version = 99;
    assert_int_equal(custos_manifest_compile(&out, &len, NULL, "x", 1, "m.yaml", &o, &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "custos_manifest_compile: missing output, input or options version");
    assert_null(out);
    assert_int_equal(custos_manifest_check(NULL, 3, "m.yaml", &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "custos_manifest_check: no input");
    assert_int_equal(custos_manifest_diff(NULL, &n, mf, mlen, mf, mlen, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_diff(&ch, NULL, mf, mlen, mf, mlen, &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "custos_manifest_diff: no output");
    assert_null(ch);
    assert_int_equal(custos_manifest_diff_text(NULL, mf, mlen, mf, mlen, CUSTOS_MANIFEST_SHOW_TEXT, &err),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_diff_text(&text, mf, mlen, mf, mlen, (custos_manifest_show_format)99, &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "custos_manifest_diff_text: no output or unknown format 99");
    assert_int_equal(custos_manifest_show(NULL, mf, mlen, CUSTOS_MANIFEST_SHOW_TEXT, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_show(&text, mf, mlen, (custos_manifest_show_format)42, &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "custos_manifest_show: no output or unknown format 42");
    assert_int_equal(custos_manifest_show(&text, NULL, 0, CUSTOS_MANIFEST_SHOW_TEXT, &err), CUSTOS_EINVAL);
    assert_string_equal(err.message, "no compiled manifest given");
    assert_null(text);
    custos__free(mf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_calls_refuse_null_arguments),
        cmocka_unit_test(test_consent_queries_refuse_null_arguments),
        cmocka_unit_test(test_store_identity_and_manifest_load_refuse_null_arguments),
        cmocka_unit_test(test_audit_calls_refuse_null_arguments),
        cmocka_unit_test(test_pairing_refuses_null_arguments),
        cmocka_unit_test(test_sync_encoders_refuse_null_arguments_and_bad_counts),
        cmocka_unit_test(test_sync_decoders_refuse_null_arguments),
        cmocka_unit_test(test_disclose_calls_refuse_null_arguments_and_unknown_formats),
        cmocka_unit_test(test_erase_receipt_helpers_refuse_null_arguments),
        cmocka_unit_test(test_passphrase_provider_refuses_empty_or_oversize_passphrase),
        cmocka_unit_test(test_manifest_tools_refuse_null_arguments_and_unknown_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
