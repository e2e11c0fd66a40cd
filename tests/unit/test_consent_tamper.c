/* The gate fails closed when the tables it decides from are edited behind
 * the library's back (issue 16): every kind of edit an attacker with write
 * access to custos.db can make to consent_state, subject, policy and the
 * seal, made with a second SQLite connection between opens and while the
 * handle is open. For each: no ALLOW where the true state denies, the
 * affected subject answers CUSTOS_DENY_INTEGRITY, a vault put is refused
 * with CUSTOS_ECORRUPT, custos_consent_verify reports CUSTOS_ECORRUPT, one
 * integrity_violation audit entry is written, and custos_consent_repair
 * brings back exactly the true decisions. */
#include "consent_fixture.h"
#include "custos/v1/audit.pb-c.h"

#include <sqlite3.h>

enum { OWNER = 1, GUEST = 2, CHILD = 3 };

/* The true decisions after setup(): the ones repair must restore. */
typedef struct truth {
    custos_subject s;
    uint32_t p, c;
    custos_decision d;
} truth;

static const truth truths[] = {
    { OWNER, FX_ANALYTICS, FX_CAT_USAGE, CUSTOS_ALLOW },
    { OWNER, FX_VIDEO, FX_CAT_VIDEO, CUSTOS_DENY_REFUSED },
    { OWNER, FX_MARKETING, FX_CAT_CONTACT, CUSTOS_DENY_WITHDRAWN },
    { GUEST, FX_ANALYTICS, FX_CAT_USAGE, CUSTOS_ALLOW },
    { GUEST, FX_VIDEO, FX_CAT_VIDEO, CUSTOS_ALLOW },
    { GUEST, FX_MARKETING, FX_CAT_CONTACT, CUSTOS_DENY_NO_CONSENT },
    { CHILD, FX_ANALYTICS, FX_CAT_USAGE, CUSTOS_DENY_NO_CONSENT },
    { CHILD, FX_CORE, FX_CAT_USAGE, CUSTOS_ALLOW }, /* contract: no consent needed */
};
#define NTRUTHS (sizeof truths / sizeof truths[0])

/* The owner's marketing row while it was GIVEN (an "old row" to restore). */
static char old_marketing[256];
/* The whole consent state and its seal as they were then, copied back
 * together: consistent with each other, behind the ledger. */
static char old_state_and_seal[2048];

static void setup(fx *f, const char *tag)
{
    fx_open(f, tag);
    assert_int_equal(custos_consent_give(f->ctx, OWNER, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_refuse(f->ctx, OWNER, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f->ctx, OWNER, FX_MARKETING, &fx_info), CUSTOS_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->ctx->db, "SELECT status, valid_until, time, policy_version, seq, invalidated"
                                        " FROM consent_state WHERE subject = 1 AND purpose = 5", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(old_marketing, sizeof old_marketing,
             "UPDATE consent_state SET status = %d, valid_until = %lld, time = %lld, policy_version = %lld,"
             " seq = %lld, invalidated = %d WHERE subject = 1 AND purpose = 5", sqlite3_column_int(st, 0),
             sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
             sqlite3_column_int64(st, 4), sqlite3_column_int(st, 5));
    sqlite3_finalize(st);
    char copy[1024];
    snprintf(copy, sizeof copy, "VACUUM INTO '%s/old.db'", f->dir);
    assert_int_equal(sqlite3_exec(f->ctx->db, copy, NULL, NULL, NULL), SQLITE_OK);
    snprintf(old_state_and_seal, sizeof old_state_and_seal,
             "ATTACH '%s/old.db' AS o; DELETE FROM consent_state; INSERT INTO consent_state SELECT * FROM"
             " o.consent_state; DELETE FROM consent_seal; INSERT INTO consent_seal SELECT * FROM o.consent_seal;",
             f->dir);
    assert_int_equal(custos_consent_withdraw(f->ctx, OWNER, FX_MARKETING, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f->ctx, GUEST, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f->ctx, GUEST, FX_VIDEO, &fx_info), CUSTOS_OK);
}

static void expect_truth(fx *f)
{
    for (size_t i = 0; i < NTRUTHS; i++) {
        custos_decision d = custos_check(f->ctx, truths[i].s, truths[i].p, truths[i].c);
        if (d != truths[i].d)
            fail_msg("subject %u purpose %u: %s, want %s", truths[i].s, truths[i].p, custos_decision_str(d),
                     custos_decision_str(truths[i].d));
    }
}

/* Nothing the true state denies is allowed; the tainted subjects deny with
 * the integrity reason (every subject when taint_all). */
static void expect_fail_closed(fx *f, unsigned tainted_mask)
{
    for (size_t i = 0; i < NTRUTHS; i++) {
        custos_decision d = custos_check(f->ctx, truths[i].s, truths[i].p, truths[i].c);
        if (truths[i].d != CUSTOS_ALLOW && d == CUSTOS_ALLOW)
            fail_msg("subject %u purpose %u: ALLOW where the ledger says %s", truths[i].s, truths[i].p,
                     custos_decision_str(truths[i].d));
        if ((tainted_mask >> truths[i].s) & 1u)
            assert_int_equal(d, CUSTOS_DENY_INTEGRITY);
    }
}

static int integrity_entries(fx *f)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    assert_int_equal(sqlite3_prepare_v2(f->ctx->db, "SELECT bytes FROM audit_entry", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, (size_t)sqlite3_column_bytes(st, 0),
                                                                    sqlite3_column_blob(st, 0));
        assert_non_null(e);
        n += e->kind == CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION && e->code == CUSTOS_ECORRUPT;
        custos__v1__audit_entry__free_unpacked(e, NULL);
    }
    sqlite3_finalize(st);
    return n;
}

typedef struct tamper {
    const char *name;
    const char *sql;             /* NULL: the case builds it (policy swaps) */
    unsigned tainted;            /* bit s: subject s must answer DENY_INTEGRITY */
} tamper;

#define ALL ((1u << OWNER) | (1u << GUEST) | (1u << CHILD))

static const tamper cases[] = {
    { "refused to given", "UPDATE consent_state SET status = 3 WHERE subject = 1 AND purpose = 2", 1u << OWNER },
    { "withdrawn to given", "UPDATE consent_state SET status = 3 WHERE subject = 1 AND purpose = 5", 1u << OWNER },
    { "withdrawn to another integer (renewed)", "UPDATE consent_state SET status = 4 WHERE subject = 1 AND purpose = 5",
      1u << OWNER },
    { "row for a purpose never asked",
      "INSERT INTO consent_state SELECT 3, 1, 3, 0, time, policy_version, seq, 0 FROM consent_state"
      " WHERE subject = 1 AND purpose = 1", 1u << CHILD },
    { "expiry extended", "UPDATE consent_state SET valid_until = valid_until + 100000 WHERE subject = 2 AND purpose = 2",
      1u << GUEST },
    { "row moved to another subject", "UPDATE consent_state SET subject = 3 WHERE subject = 2 AND purpose = 1",
      1u << CHILD },
    { "subjects' hashes swapped",
      "CREATE TEMP TABLE h AS SELECT id, hash FROM subject WHERE id IN (1, 2);"
      "UPDATE subject SET hash = x'00' WHERE id = 1;"
      "UPDATE subject SET hash = (SELECT hash FROM h WHERE id = 1) WHERE id = 2;"
      "UPDATE subject SET hash = (SELECT hash FROM h WHERE id = 2) WHERE id = 1;", (1u << OWNER) | (1u << GUEST) },
    { "row deleted", "DELETE FROM consent_state WHERE subject = 1 AND purpose = 5", 1u << OWNER },
    { "old row restored", old_marketing, 1u << OWNER },
    { "state and seal restored together from an older copy", old_state_and_seal, (1u << OWNER) | (1u << GUEST) },
    { "role changed", "UPDATE subject SET role = 0 WHERE id = 3", ALL },
    { "seal deleted", "DELETE FROM consent_seal", ALL },
    { "access audit opt-out set", "INSERT OR REPLACE INTO audit_setting(name, value) VALUES ('optional', 0)", ALL },
    { "policy blob swapped", NULL, ALL },
    { "policy blob and id swapped", NULL, ALL },
};

/* The loaded manifest with marketing under legitimate interest (no consent
 * needed): what an attacker would put in the policy table. */
static void swap_policy(fx *f, int with_id)
{
    uint8_t *mf = NULL, id[32];
    size_t len = 0;
    fx_manifest(&mf, &len, 1, 86400);
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(f->ctx, mf, len, &m, id), CUSTOS_OK);
    custos__free(mf);
    for (size_t i = 0; i < m->n_purposes; i++)
        if (m->purposes[i]->id == FX_MARKETING)
            m->purposes[i]->legal_basis = CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST;
    assert_int_equal(custos_manifest__encode(&mf, &len, m, NULL), CUSTOS_OK);
    custos__manifest_free(m);
    assert_int_equal(custos_manifest_id(id, mf, len, NULL), CUSTOS_OK);
    size_t cap = 2 * len + 256, n = 0;
    char *sql = malloc(cap);
    assert_non_null(sql);
    n += (size_t)snprintf(sql, cap, "UPDATE policy SET compiled = x'");
    for (size_t i = 0; i < len; i++)
        n += (size_t)snprintf(sql + n, cap - n, "%02x", mf[i]);
    n += (size_t)snprintf(sql + n, cap - n, "'");
    if (with_id) {
        n += (size_t)snprintf(sql + n, cap - n, ", manifest_id = x'");
        for (int i = 0; i < 32; i++)
            n += (size_t)snprintf(sql + n, cap - n, "%02x", id[i]);
        n += (size_t)snprintf(sql + n, cap - n, "'");
    }
    (void)snprintf(sql + n, cap - n, ";");
    custos__free(mf);
    fx_edit(f, sql);
    free(sql);
}

static void apply(fx *f, size_t k)
{
    if (cases[k].sql != NULL)
        fx_edit(f, cases[k].sql);
    else
        swap_policy(f, strstr(cases[k].name, "id") != NULL);
}

static void check_detected_and_repair(fx *f, size_t k)
{
    print_message("tamper: %s\n", cases[k].name);
    expect_fail_closed(f, cases[k].tainted);
    assert_int_equal(integrity_entries(f), 1);
    custos_subject victim = (cases[k].tainted >> OWNER) & 1u ? OWNER : (cases[k].tainted >> GUEST) & 1u ? GUEST : CHILD;
    custos_record_id rid;
    assert_int_equal(custos_vault_put(f->ctx, &rid, victim, FX_ANALYTICS, FX_CAT_USAGE, "x", 1), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(f->ctx), "integrity"));
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f->ctx, &bad), CUSTOS_ECORRUPT);
    size_t n = 0;
    assert_int_equal(custos_consent_repair(f->ctx, &n), CUSTOS_OK);
    if (cases[k].sql == NULL) {
        /* The swapped policy contradicts the ledger's events: removed. */
        assert_int_equal(custos_check(f->ctx, OWNER, FX_MARKETING, FX_CAT_CONTACT), CUSTOS_DENY_NO_MANIFEST);
        uint8_t *mf = NULL;
        size_t len = 0;
        fx_manifest(&mf, &len, 1, 86400);
        assert_int_equal(custos_manifest_load(f->ctx, mf, len), CUSTOS_OK);
        custos__free(mf);
    }
    assert_int_equal(n, 3);
    assert_int_equal(custos_consent_verify(f->ctx, &bad), CUSTOS_OK);
    int optional = 0; /* the chain never recorded an opt-out: repair takes the row back to recording */
    assert_int_equal(custos_audit_get_optional(f->ctx, &optional), CUSTOS_OK);
    assert_int_equal(optional, 1);
    if (strstr(cases[k].name, "hashes") != NULL) {
        /* Which number a keyed hash has is not in the ledger: the repair
         * folds each identity's own events, under the number it now has. */
        assert_int_equal(custos_check(f->ctx, GUEST, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_DENY_REFUSED);
        assert_int_equal(custos_check(f->ctx, OWNER, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_ALLOW);
        return;
    }
    expect_truth(f);
    fx_reopen(f);
    expect_truth(f);
}

static void test_every_edit_between_opens_fails_closed(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        fx f;
        setup(&f, "tamper-closed");
        expect_truth(&f);
        custos_close(f.ctx);
        f.ctx = NULL;
        apply(&f, k);
        custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
        o.clock = &f.seam;
        assert_int_equal(custos_open(&f.ctx, f.dir, &o), CUSTOS_OK);
        check_detected_and_repair(&f, k);
        fx_close(&f);
    }
}

/* While the handle is open: the next snapshot (any writer's commit) sees it. */
static void test_every_edit_while_open_fails_closed(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        if (cases[k].sql == NULL)
            continue; /* the loaded policy is read at open; the case above covers it */
        fx f;
        setup(&f, "tamper-open");
        apply(&f, k);
        /* Any commit rebuilds the snapshot: a guardian's refusal for the child
         * of a purpose no truth depends on. */
        custos_consent_info guardian = CUSTOS_CONSENT_INFO_INIT;
        guardian.actor = CUSTOS_ACTOR_GUARDIAN;
        assert_int_equal(custos_consent_refuse(f.ctx, CHILD, FX_MARKETING, &guardian), CUSTOS_OK);
        check_detected_and_repair(&f, k);
        fx_close(&f);
    }
}

/* An untouched store: the seal holds across writes, reopen and repair. */
static void test_untouched_store_verifies_and_repair_changes_nothing(void **state)
{
    (void)state;
    fx f;
    setup(&f, "tamper-none");
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    fx_reopen(&f);
    expect_truth(&f);
    assert_int_equal(integrity_entries(&f), 0);
    size_t n = 0;
    assert_int_equal(custos_consent_repair(f.ctx, &n), CUSTOS_OK);
    expect_truth(&f);
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    fx_close(&f);
}

/* The user's opt-out of access entries, switched back on behind the
 * library's back: repair takes it from the chain, which recorded the opt-out. */
static void test_repair_restores_the_recorded_audit_opt_out(void **state)
{
    (void)state;
    fx f;
    setup(&f, "tamper-optout");
    assert_int_equal(custos_audit_set_optional(f.ctx, 0), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    fx_edit(&f, "UPDATE audit_setting SET value = 1 WHERE name = 'optional'");
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &f.seam;
    assert_int_equal(custos_open(&f.ctx, f.dir, &o), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, OWNER, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_INTEGRITY);
    size_t n = 0;
    assert_int_equal(custos_consent_repair(f.ctx, &n), CUSTOS_OK);
    int optional = 1;
    assert_int_equal(custos_audit_get_optional(f.ctx, &optional), CUSTOS_OK);
    assert_int_equal(optional, 0);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    fx_reopen(&f);
    assert_int_equal(custos_audit_get_optional(f.ctx, &optional), CUSTOS_OK);
    assert_int_equal(optional, 0);
    expect_truth(&f);
    fx_close(&f);
}

/* A repair cannot trust a ledger that fails verification: nothing changes. */
static void test_repair_refuses_a_broken_ledger(void **state)
{
    (void)state;
    fx f;
    setup(&f, "tamper-ledger");
    custos_close(f.ctx);
    f.ctx = NULL;
    fx_edit(&f, "UPDATE consent_state SET status = 3 WHERE subject = 1 AND purpose = 5;"
             "DELETE FROM consent_event WHERE seq = 2");
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &f.seam;
    assert_int_equal(custos_open(&f.ctx, f.dir, &o), CUSTOS_OK);
    size_t n = 0;
    assert_int_equal(custos_consent_repair(f.ctx, &n), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(f.ctx), "event 2"));
    assert_int_equal(custos_check(f.ctx, OWNER, FX_MARKETING, FX_CAT_CONTACT), CUSTOS_DENY_INTEGRITY);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_untouched_store_verifies_and_repair_changes_nothing),
        cmocka_unit_test(test_every_edit_between_opens_fails_closed),
        cmocka_unit_test(test_every_edit_while_open_fails_closed),
        cmocka_unit_test(test_repair_refuses_a_broken_ledger),
        cmocka_unit_test(test_repair_restores_the_recorded_audit_opt_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
