/*
 * The store's anchor (core/src/lifecycle/anchor.c): a custos.db rolled back
 * alone, a WAL that lost committed transactions, a deleted or damaged anchor
 * are refused at open; a crash between a commit and its anchor update, a
 * torn slot, a store of a Custos before anchors and a factory reset open.
 * A whole directory rolled back together is not detected by the file
 * anchor (docs/security.md): a test pins that limit down, so that a change to
 * it is noticed; with a key provider that keeps the anchor, it is refused.
 */
#include "consent_fixture.h"

#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

static char path_buf[4][4200];

static const char *file_of(const fx *f, int i, const char *name)
{
    snprintf(path_buf[i], sizeof path_buf[i], "%s/%s", f->dir, name);
    return path_buf[i];
}

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *b = th_read_file(path, len);
    assert_non_null(b);
    return b;
}

static void put_back(const char *path, const uint8_t *b, size_t len)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(b, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

static int reopen_rc(fx *f)
{
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &f->seam;
    o.key_provider = f->kp;
    o.flags = 0;
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, f->dir, &o);
    if (ctx != NULL)
        custos_close(ctx);
    return rc;
}

static void expect_refused(fx *f, const char *says)
{
    assert_int_equal(reopen_rc(f), CUSTOS_ECORRUPT);
    if (strstr(custos_last_error(), says) == NULL)
        fail_msg("'%s' lacks '%s'", custos_last_error(), says);
}

/* An older custos.db copied over the current one: a withdrawn consent would come back. */
static void test_database_rolled_back_alone_is_refused(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-db");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    size_t len = 0;
    uint8_t *old = slurp(file_of(&f, 0, "custos.db"), &len);
    fx_reopen(&f);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    put_back(file_of(&f, 0, "custos.db"), old, len);
    expect_refused(&f, "older than the store's anchor");
    free(old);
    fx_close(&f);
}

static long long audit_entries(fx *f)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(file_of(f, 3, "custos.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit_entry", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Each refused open leaves one integrity_violation entry in the refused
 * database's audit chain, for whoever examines it; however many there are,
 * the database is still refused (they are not the anchored entries). */
static void test_refused_open_is_audited_and_stays_refused(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-audit");
    custos_close(f.ctx);
    f.ctx = NULL;
    size_t len = 0;
    uint8_t *old = slurp(file_of(&f, 0, "custos.db"), &len);
    fx_reopen(&f);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    put_back(file_of(&f, 0, "custos.db"), old, len);
    long long before = audit_entries(&f);
    for (int i = 1; i <= 8; i++) {
        assert_int_equal(reopen_rc(&f), CUSTOS_ECORRUPT);
        assert_int_equal(audit_entries(&f), before + i);
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(file_of(&f, 3, "custos.db"), &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT bytes FROM audit_entry ORDER BY seq DESC LIMIT 1", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const char *b = sqlite3_column_blob(st, 0);
    int n = sqlite3_column_bytes(st, 0);
    assert_non_null(memmem(b, (size_t)n, "store anchor:", 13));
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(old);
    fx_close(&f);
}

/* A database that did not grow from the anchored entries is refused even
 * when it is ahead: here an older copy of the directory, used on its own
 * until its ledger passed the anchor, then its custos.db put in place. */
static void test_database_forked_ahead_of_its_anchor_is_refused(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-fork");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    char *other = th_tmpdir("anchor-fork-copy");
    th_copy_dir(f.dir, other);
    fx_reopen(&f);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &f.seam;
    o.key_provider = f.kp;
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, other, &o), CUSTOS_OK);
    assert_int_equal(custos_consent_give(ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    custos_close(ctx);
    char from[4200];
    snprintf(from, sizeof from, "%s/custos.db", other);
    size_t len = 0;
    uint8_t *db = slurp(from, &len);
    put_back(file_of(&f, 0, "custos.db"), db, len);
    expect_refused(&f, "is not the one anchored");
    free(db);
    th_tmpdir_remove(other);
    fx_close(&f);
}

/* A process that commits and dies without closing leaves its transactions
 * in the WAL; a WAL that then loses its last frames (cut, or a flipped bit:
 * SQLite drops the frame and every one after it) is refused. */
static void test_wal_that_lost_committed_frames_is_refused(void **state)
{
    (void)state;
    for (int flip = 0; flip < 2; flip++) {
        fx f;
        fx_open(&f, "anchor-wal");
        custos_close(f.ctx);
        f.ctx = NULL;
    f.ctx = NULL;
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
            custos_t *ctx = NULL;
            if (custos_open(&ctx, f.dir, &o) != CUSTOS_OK)
                _exit(2);
            for (int i = 0; i < 4; i++)
                if (custos_consent_give(ctx, 1, FX_MARKETING, &fx_info) != CUSTOS_OK ||
                    custos_consent_withdraw(ctx, 1, FX_MARKETING, &fx_info) != CUSTOS_OK)
                    _exit(3);
            _exit(0); /* no close: the WAL keeps every frame */
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        size_t len = 0;
        const char *wal = file_of(&f, 1, "custos.db-wal");
        uint8_t *b = slurp(wal, &len);
        assert_true(len > 32 + 3 * 4120);
        if (flip) {
            b[len - 3 * 4120] ^= 0x10; /* in one of the last frames */
            put_back(wal, b, len);
        } else {
            assert_int_equal(truncate(wal, (off_t)(len - 3 * 4120)), 0);
        }
        free(b);
        expect_refused(&f, "WAL that lost committed transactions");
        fx_close(&f);
    }
}

/* The anchor is written after the commit: a crash between the two leaves the
 * database ahead of it, which opens and is anchored anew. */
static void test_database_ahead_of_its_anchor_opens(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-ahead");
    custos_close(f.ctx);
    f.ctx = NULL;
    size_t len = 0;
    uint8_t *old = slurp(file_of(&f, 0, "anchor"), &len);
    fx_reopen(&f);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    put_back(file_of(&f, 0, "anchor"), old, len);
    free(old);
    fx_reopen(&f);
    assert_int_equal(fx_status(&f, f.owner, FX_MARKETING), CUSTOS_CONSENT_GIVEN);
    fx_close(&f);
}

/* Deleting the anchor does not switch the check off; damaging both of its
 * slots is refused; a torn write spoils one slot, and the other opens. */
static void test_anchor_deleted_or_damaged(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-gone");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    const char *anchor = file_of(&f, 0, "anchor");
    size_t len = 0;
    uint8_t *b = slurp(anchor, &len);
    assert_int_equal(len, 192);
    uint8_t *torn = malloc(len);
    assert_non_null(torn);
    for (size_t slot = 0; slot < 2; slot++) {
        memcpy(torn, b, len);
        torn[slot * 96 + 40] ^= 1;
        put_back(anchor, torn, len);
        assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    }
    memcpy(torn, b, len);
    torn[40] ^= 1;
    torn[96 + 40] ^= 1;
    put_back(anchor, torn, len);
    long long entries = audit_entries(&f);
    expect_refused(&f, "anchor file is damaged");
    assert_int_equal(audit_entries(&f), entries + 1);
    assert_int_equal(unlink(anchor), 0);
    expect_refused(&f, "anchor is missing");
    assert_int_equal(audit_entries(&f), entries + 2);
    /* the refusals' entries come after the anchored one: the anchor put back opens */
    put_back(anchor, b, len);
    assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    free(torn);
    free(b);
    fx_close(&f);
}

/* A store of a Custos before anchors (no anchor, no mark) is anchored at its
 * first open; a factory reset starts a new anchor. */
static void test_unanchored_store_and_factory_reset_open(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-old");
    assert_int_equal(custos__db_exec(f.ctx, "DROP TABLE store_anchor;"), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    assert_int_equal(unlink(file_of(&f, 0, "anchor")), 0);
    fx_reopen(&f);
    assert_int_equal(access(file_of(&f, 0, "anchor"), F_OK), 0);
    assert_int_equal(custos_factory_reset(&f.ctx, NULL, 0, NULL, NULL), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    fx_close(&f);
}

/* The limit: the directory rolled back as a whole (database and anchor
 * together, same keys) opens. Only a hardware monotonic counter would catch
 * it (docs/security.md, "The store's anchor"). */
static void test_whole_directory_rolled_back_together_is_not_detected(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-all");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    size_t dl = 0, al = 0;
    uint8_t *db = slurp(file_of(&f, 0, "custos.db"), &dl), *an = slurp(file_of(&f, 1, "anchor"), &al);
    fx_reopen(&f);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    put_back(file_of(&f, 0, "custos.db"), db, dl);
    put_back(file_of(&f, 1, "anchor"), an, al);
    fx_reopen(&f);
    assert_int_equal(fx_status(&f, f.owner, FX_MARKETING), CUSTOS_CONSENT_GIVEN);
    free(db);
    free(an);
    fx_close(&f);
}

/* A key provider that keeps the anchor outside the directory, as one over a
 * hardware monotonic counter would: here, this process's memory. */
static uint8_t kept[256];
static size_t kept_len;
static int kept_any, stores;

static int kept_store(void *state, const uint8_t *anchor, size_t len)
{
    (void)state;
    if (len > sizeof kept)
        return CUSTOS_ERANGE;
    memcpy(kept, anchor, len);
    kept_len = len;
    kept_any = 1;
    stores++;
    return CUSTOS_OK;
}

static int kept_load(void *state, uint8_t *out, size_t out_size, size_t *out_len)
{
    (void)state;
    if (!kept_any)
        return CUSTOS_ENOTFOUND;
    *out_len = kept_len;
    if (out_size < kept_len)
        return CUSTOS_ERANGE;
    memcpy(out, kept, kept_len);
    return CUSTOS_OK;
}

static void test_provider_anchor_refuses_a_whole_directory_rolled_back(void **state)
{
    (void)state;
    custos_key_provider *file = NULL;
    assert_int_equal(custos_key_provider_file(&file), CUSTOS_OK);
    custos_key_provider kp = *file; /* the file provider's keys, with anchor calls */
    kp.anchor_store = kept_store;
    kp.anchor_load = kept_load;
    kept_any = 0;
    stores = 0;
    fx f;
    fx_open_kp(&f, "anchor-kp", &kp);
    assert_true(stores > 0);
    assert_int_equal(access(file_of(&f, 0, "anchor"), F_OK), -1); /* no file: the provider keeps it */
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    char *old = th_tmpdir("anchor-kp-old");
    th_copy_dir(f.dir, old);
    fx_reopen(&f);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(f.ctx);
    f.ctx = NULL;
    assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    char cur[4200]; /* every file back, the key file included: the old directory takes the store's place */
    snprintf(cur, sizeof cur, "%s-current", f.dir);
    assert_int_equal(rename(f.dir, cur), 0);
    assert_int_equal(rename(old, f.dir), 0);
    expect_refused(&f, "older than the store's anchor");
    assert_int_equal(rename(f.dir, old), 0); /* and the newer one is still whole */
    assert_int_equal(rename(cur, f.dir), 0);
    assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    th_tmpdir_remove(old);
    fx_close(&f);
    custos_key_provider_free(file);
}

/* A store anchored in its file, opened with a provider that keeps anchors:
 * the file's anchor is checked and moved to the provider. */
static void test_file_anchor_moves_to_the_provider(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "anchor-move");
    custos_close(f.ctx);
    f.ctx = NULL;
    custos_key_provider *file = NULL;
    assert_int_equal(custos_key_provider_file(&file), CUSTOS_OK);
    custos_key_provider kp = *file;
    kp.anchor_store = kept_store;
    kp.anchor_load = kept_load;
    kept_any = 0;
    f.kp = &kp;
    assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    assert_true(kept_any);
    kp.version = 1; /* a version-1 provider: its anchor fields are not read */
    assert_int_equal(reopen_rc(&f), CUSTOS_OK);
    f.kp = NULL;
    fx_close(&f);
    custos_key_provider_free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_database_rolled_back_alone_is_refused),
        cmocka_unit_test(test_refused_open_is_audited_and_stays_refused),
        cmocka_unit_test(test_database_forked_ahead_of_its_anchor_is_refused),
        cmocka_unit_test(test_wal_that_lost_committed_frames_is_refused),
        cmocka_unit_test(test_database_ahead_of_its_anchor_opens),
        cmocka_unit_test(test_anchor_deleted_or_damaged),
        cmocka_unit_test(test_unanchored_store_and_factory_reset_open),
        cmocka_unit_test(test_whole_directory_rolled_back_together_is_not_detected),
        cmocka_unit_test(test_provider_anchor_refuses_a_whole_directory_rolled_back),
        cmocka_unit_test(test_file_anchor_moves_to_the_provider),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
