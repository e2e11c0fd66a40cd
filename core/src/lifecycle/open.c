/*
 * open.c: opening and closing a store (orchestration: the lifecycle of the
 * handle, attaching every module in order; see docs/architecture.md).
 *
 * STORE HEADER (<dir>/STORE, 64 bytes, little-endian)
 *
 *   offset  size  field
 *   0       8     magic "CUSTOSST"
 *   8       4     store format version (CUSTOS_STORE_FORMAT_VERSION)
 *   12      4     header length (64)
 *   16      4     algorithm suite (1: XChaCha20-Poly1305, BLAKE2b-256, Ed25519, X25519)
 *   20      4     flags (0)
 *   24      16    device id (random, made at creation)
 *   40      8     creation time, seconds since the epoch
 *   48      16    BLAKE2b-128 of bytes 0..47
 *
 * The header is written once, atomically, before anything else. The open
 * handle keeps an exclusive flock on it, so that two processes never share a
 * store (CUSTOS_EBUSY).
 *
 * A creation is marked by <dir>/CREATING, written before the header and
 * removed once the first transaction has made the schema. A header whose
 * custos.db is missing, empty or shorter than its own header says is then
 * a creation cut short (the marker is there: finished when creating, else
 * CUSTOS_ENOTFOUND), a factory reset cut short (its journal is there: the
 * reset finishes it), or a store whose database was deleted, emptied or
 * truncated: CUSTOS_ECORRUPT, never an empty store under the old keys. A
 * create that fails removes what it made.
 */
#define _GNU_SOURCE
#include "ground/internal.h"
#include "ground/pack.h"
#include "lifecycle/anchor.h"
#include "lifecycle/modules.h"
#include "vault/vault_migrate.h"
#include "erase/erase_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HDR_MAGIC "CUSTOSST"
#define HDR_LEN 64u
#define HDR_SUITE 1u
#define CREATING_NAME "CREATING"


/* Decide what a header file says: a store of ours, a newer one, damage, or a foreign file. */
static int header_parse(const char *path, const uint8_t *h, size_t len, uint8_t device_id[16])
{
    size_t cmp = len < 8 ? len : 8;
    if (memcmp(h, HDR_MAGIC, cmp) != 0)
        return custos__fail_noctx(CUSTOS_ENOTSTORE, "%s is not a Custos store header", path);
    if (len < 12)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is truncated (%zu of %u bytes)", path, len, HDR_LEN);
    uint32_t version = custos__le32_get(h + 8);
    if (version > CUSTOS_STORE_FORMAT_VERSION)
        return custos__fail_noctx(CUSTOS_EVERSION,
                                 "%s is store format %u; this Custos (%s) reads formats up to %u: upgrade Custos",
                                 path, version, CUSTOS_VERSION_STRING, CUSTOS_STORE_FORMAT_VERSION);
    if (len < HDR_LEN)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is truncated (%zu of %u bytes)", path, len, HDR_LEN);
    uint8_t sum[16];
    crypto_generichash(sum, sizeof sum, h, 48, NULL, 0);
    if (version == 0 || custos__le32_get(h + 12) != HDR_LEN || sodium_memcmp(sum, h + 48, 16) != 0)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is damaged (checksum mismatch)", path);
    if (custos__le32_get(h + 16) != HDR_SUITE)
        return custos__fail_noctx(CUSTOS_EVERSION, "%s uses algorithm suite %u, unknown to this Custos",
                                 path, custos__le32_get(h + 16));
    memcpy(device_id, h + 24, 16);
    return CUSTOS_OK;
}

static int header_create(custos_t *ctx, const char *path)
{
    uint8_t h[HDR_LEN] = {0};
    memcpy(h, HDR_MAGIC, 8);
    custos__le32_put(h + 8, CUSTOS_STORE_FORMAT_VERSION);
    custos__le32_put(h + 12, HDR_LEN);
    custos__le32_put(h + 16, HDR_SUITE);
    custos__random(ctx, ctx->device_id, sizeof ctx->device_id);
    memcpy(h + 24, ctx->device_id, 16);
    uint64_t now = custos__now(ctx, NULL);
    custos__le64_put(h + 40, now);
    crypto_generichash(h + 48, 16, h, 48, NULL, 0);
    return custos__file_write_atomic(NULL, path, h, sizeof h, 0600);
}

static int file_in_dir(const char *dir, const char *name)
{
    char *path = custos__path_join(dir, name);
    int there = path != NULL && access(path, F_OK) == 0;
    custos__free(path);
    return there;
}

/* How long custos.db must be: its header's page count times its page size
 * (SQLite keeps both valid since 3.7.0); 0 if the file is too short to say. */
static int64_t db_wanted_size(const char *db)
{
    uint8_t h[100];
    int fd = open(db, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t got = fd < 0 ? -1 : pread(fd, h, sizeof h, 0);
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof h || memcmp(h, "SQLite format 3", 16) != 0)
        return 0;
    uint32_t page = ((uint32_t)h[16] << 8 | h[17]) == 1 ? 65536u : ((uint32_t)h[16] << 8 | h[17]);
    uint32_t pages = (uint32_t)h[28] << 24 | (uint32_t)h[29] << 16 | (uint32_t)h[30] << 8 | h[31];
    return (int64_t)page * pages;
}

/* A header exists: is its database whole? See the comment at the top. */
static int db_state(custos_t *ctx, const char *db, int create, int *created)
{
    struct stat st;
    int64_t size = stat(db, &st) == 0 ? (int64_t)st.st_size : -1, want = 0;
    char wal[4096];
    /* With a WAL, SQLite rebuilds the pages from it: only a database without
     * one must hold every page its header counts. */
    if (size > 0 && snprintf(wal, sizeof wal, "%s-wal", db) < (int)sizeof wal &&
        (stat(wal, &st) != 0 || st.st_size == 0))
        want = db_wanted_size(db);
    if ((size > 0 && size >= want) || file_in_dir(ctx->dir, ERASE_JOURNAL_NAME))
        return CUSTOS_OK;
    if (file_in_dir(ctx->dir, CREATING_NAME)) {
        if (!create)
            return custos__fail_noctx(CUSTOS_ENOTFOUND, "no store at %s (its creation was interrupted)", ctx->dir);
        *created = 1;
        return CUSTOS_OK;
    }
    if (size < 0)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is a store whose custos.db is missing: restore the whole "
                                 "directory from its backup, or remove it to create a new store", ctx->dir);
    if (size == 0)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is a store whose custos.db is empty: restore the whole "
                                 "directory from its backup, or remove it to create a new store", ctx->dir);
    return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is a store whose custos.db is truncated (%lld of %lld bytes): "
                             "restore the whole directory from its backup, or remove it to create a new store",
                             ctx->dir, (long long)size, (long long)want);
}

/* Write the creation marker, then the header. */
static int store_create(custos_t *ctx, const char *path)
{
    char *mark = custos__path_join(ctx->dir, CREATING_NAME);
    int rc = mark == NULL ? CUSTOS_ENOMEM : custos__file_write_atomic(NULL, mark, "", 0, 0600);
    custos__free(mark);
    return rc == CUSTOS_OK ? header_create(ctx, path) : rc;
}

/* Find or create the header; on success *created says which. *made is 1
 * when this call wrote the header, 2 when it also made the directory. */
static int header_open(custos_t *ctx, int create, int *created, int *made)
{
    struct stat st;
    *created = 0;
    *made = 0;
    if (stat(ctx->dir, &st) != 0) {
        if (errno != ENOENT)
            return custos__fail_noctx(CUSTOS_EIO, "%s: %s", ctx->dir, strerror(errno));
        if (!create)
            return custos__fail_noctx(CUSTOS_ENOTFOUND, "no store at %s", ctx->dir);
        if (mkdir(ctx->dir, 0700) != 0)
            return custos__fail_noctx(errno == ENOSPC ? CUSTOS_ENOSPC : CUSTOS_EIO,
                                     "cannot create %s: %s", ctx->dir, strerror(errno));
        *made = 2;
    } else if (!S_ISDIR(st.st_mode)) {
        return custos__fail_noctx(CUSTOS_ENOTSTORE, "%s is a file, not a store directory", ctx->dir);
    }

    char *path = custos__path_join(ctx->dir, "STORE");
    char *db = custos__path_join(ctx->dir, "custos.db");
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc;
    if (path == NULL || db == NULL) {
        rc = CUSTOS_ENOMEM;
        goto out;
    }
    rc = custos__file_read(NULL, path, &buf, &len, 4096);
    if (rc == CUSTOS_OK) {
        rc = header_parse(path, buf, len, ctx->device_id);
        if (rc == CUSTOS_OK)
            rc = db_state(ctx, db, create, created);
    } else if (rc == CUSTOS_ENOTFOUND) {
        if (access(db, F_OK) == 0)
            rc = custos__fail_noctx(CUSTOS_ECORRUPT, "%s holds a database but its STORE header is missing", ctx->dir);
        else if (!create)
            rc = custos__fail_noctx(CUSTOS_ENOTFOUND, "no store at %s", ctx->dir);
        else if ((rc = store_create(ctx, path)) == CUSTOS_OK)
            *created = 1;
        if (*created && *made == 0)
            *made = 1;
    } else if (rc == CUSTOS_ECORRUPT) {
        rc = custos__fail_noctx(CUSTOS_ENOTSTORE, "%s is too large to be a Custos store header", path);
    }
out:
    custos__free(buf);
    custos__free(path);
    custos__free(db);
    return rc;
}

/* The first transaction made the schema: the store exists from now on. */
static int creation_done(custos_t *ctx)
{
    char *mark = custos__path_join(ctx->dir, CREATING_NAME);
    int rc = mark == NULL ? CUSTOS_ENOMEM : CUSTOS_OK;
    if (rc == CUSTOS_OK && unlink(mark) != 0 && errno != ENOENT)
        rc = custos__fail_noctx(CUSTOS_EIO, "cannot finish creating %s: %s", ctx->dir, strerror(errno));
    custos__free(mark);
    return rc == CUSTOS_OK ? custos__fsync_dir(NULL, ctx->dir) : rc;
}

/* A create that failed takes back what it made. The header goes first: from
 * then on there is no store, whatever else fails to go. If it cannot be
 * removed, the rest stays as a creation cut short (the marker says so) for
 * the next create to finish. No allocation: this runs after ENOMEM too. */
static void creation_undo(custos_t *ctx, int made, int keys_made)
{
    static const char *const names[] = { CREATING_NAME, "custos.db", "custos.db-wal", "custos.db-shm", "anchor" };
    char path[4096];
    if (snprintf(path, sizeof path, "%s/STORE", ctx->dir) >= (int)sizeof path || unlink(path) != 0)
        return;
    if (keys_made && ctx->kp != NULL && ctx->kp->destroy_all != NULL)
        (void)ctx->kp->destroy_all(ctx->kp->state);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (snprintf(path, sizeof path, "%s/%s", ctx->dir, names[i]) < (int)sizeof path)
            (void)unlink(path);
    if (made == 2)
        (void)rmdir(ctx->dir);
}

static int lock_store(custos_t *ctx, int *fd_out)
{
    char *path = custos__path_join(ctx->dir, "STORE");
    if (path == NULL)
        return CUSTOS_ENOMEM;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    custos__free(path);
    if (fd < 0)
        return custos__fail_noctx(CUSTOS_EIO, "cannot open the store header: %s", strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return custos__fail_noctx(CUSTOS_EBUSY, "%s is open in another process", ctx->dir);
    }
    *fd_out = fd;
    return CUSTOS_OK;
}

/* Make path (custos.db, or its -wal or -shm when present) private: SQLite
 * creates the database 0644 less the umask and gives -wal and -shm the
 * database's mode, so custos.db is created 0600 here, before SQLite opens
 * it, and a group or other bit left by an older Custos is cleared. Never
 * follows a symlink; a path that cannot be opened is left to SQLite. */
static int db_file_private(custos_t *ctx, const char *path, int create)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
    if (fd < 0)
        return CUSTOS_OK;
    struct stat st;
    int rc = CUSTOS_OK;
    if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0 && fchmod(fd, st.st_mode & 0700) != 0))
        rc = custos__fail(ctx, CUSTOS_EIO, "cannot make %s private (mode 0600): %s", path, strerror(errno));
    close(fd);
    return rc;
}

static int db_files_private(custos_t *ctx, const char *path)
{
    char side[4096];
    int rc = db_file_private(ctx, path, 1);
    for (int i = 0; i < 2 && rc == CUSTOS_OK; i++)
        if (snprintf(side, sizeof side, "%s%s", path, i == 0 ? "-wal" : "-shm") < (int)sizeof side)
            rc = db_file_private(ctx, side, 0);
    return rc;
}

static int db_open(custos_t *ctx, const char *vfs)
{
    /* SQLITE_OPEN_NOFOLLOW refuses a symlink anywhere in the path, and a
     * parent may well be one (/var is /private/var on Apple platforms): name
     * the directory by its real path; custos.db itself is still never
     * followed. */
    char *real = realpath(ctx->dir, NULL);
    if (real == NULL)
        return custos__fail(ctx, errno == ENOMEM ? CUSTOS_ENOMEM : CUSTOS_EIO, "cannot resolve %s: %s", ctx->dir,
                            strerror(errno));
    char *path = custos__path_join(real, "custos.db");
    free(real); /* realpath's own allocation */
    if (path == NULL)
        return CUSTOS_ENOMEM;
    int rc = db_files_private(ctx, path);
    if (rc != CUSTOS_OK) {
        custos__free(path);
        return rc;
    }
    rc = sqlite3_open_v2(path, &ctx->db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX |
                             SQLITE_OPEN_NOFOLLOW, vfs);
    custos__free(path);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "open custos.db");
    sqlite3_extended_result_codes(ctx->db, 1);
    sqlite3_busy_timeout(ctx->db, 5000);
    static const char pragmas[] =
        "PRAGMA secure_delete=ON;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA trusted_schema=OFF;"
        "PRAGMA cell_size_check=ON;"
        "PRAGMA synchronous=FULL;"
        /* Sorts, temporary tables and the consent seal's triggers stay in
         * memory, never in temporary files that outlive the store's own
         * (reference/platforms.md §7.3, item 5); set before the temporary
         * schema first exists, as SQLite requires. */
        "PRAGMA temp_store=MEMORY;";
    if ((rc = custos__db_exec(ctx, pragmas)) != CUSTOS_OK)
        return rc;
    /* WAL is required: never the PERSIST journal, which leaves old pages behind. */
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(ctx->db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(st, 0);
        rc = (mode != NULL && strcmp(mode, "wal") == 0) ? SQLITE_OK : SQLITE_ERROR;
        if (rc != SQLITE_OK) {
            sqlite3_finalize(st);
            return custos__fail(ctx, CUSTOS_EIO, "custos.db refused WAL journal mode (got %s)", mode ? mode : "?");
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_OK && rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "set WAL journal mode");
    return CUSTOS_OK;
}

static int check_db_format(custos_t *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "PRAGMA user_version", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "read the database format");
    int version = 0;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return custos__sqlite_fail(ctx, rc, "read the database format");
    if (version > (int)custos__migrate_target())
        return custos__fail(ctx, CUSTOS_EVERSION, "custos.db is format %d; this Custos reads up to %u",
                            version, custos__migrate_target());
    if ((rc = custos__migrate(ctx, (uint32_t)version)) != CUSTOS_OK)
        return rc;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%u", custos__migrate_target());
    return custos__db_exec(ctx, sql);
}

static int attach_modules(custos_t *ctx)
{
    int rc = custos__db_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    if ((rc = check_db_format(ctx)) != CUSTOS_OK) {
        custos__db_rollback(ctx);
        return rc;
    }
    for (size_t i = 0; i < custos__module_count; i++) {
        if (custos__modules[i].attach == NULL)
            continue;
        if ((rc = custos__modules[i].attach(ctx)) != CUSTOS_OK) {
            custos__db_rollback(ctx);
            return rc;
        }
    }
    return custos__db_commit(ctx);
}

static void detach_modules(custos_t *ctx)
{
    for (size_t i = custos__module_count; i-- > 0;)
        if (custos__modules[i].detach != NULL)
            custos__modules[i].detach(ctx);
}

static int load_keys(custos_t *ctx, int create)
{
    int rc = ctx->kp->open(ctx->kp->state, ctx->dir, create);
    if (rc != CUSTOS_OK)
        return rc;
    ctx->index_key = sodium_malloc(32);
    if (ctx->index_key == NULL)
        return CUSTOS_ENOMEM;
    rc = ctx->kp->index_key(ctx->kp->state, ctx->index_key);
    sodium_mprotect_noaccess(ctx->index_key);
    return rc;
}

int custos_open(custos_t **out, const char *dir, const custos_open_options *opts)
{
    static const custos_open_options defaults = CUSTOS_OPEN_OPTIONS_INIT;
    if (out == NULL)
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_open: out is NULL");
    *out = NULL;
    if (dir == NULL || dir[0] == '\0')
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_open: no directory given");
    if (opts == NULL)
        opts = &defaults;
    if (opts->version != CUSTOS_OPEN_OPTIONS_VERSION)
        return custos__fail_noctx(CUSTOS_EVERSION, "custos_open: options version %u, expected %u",
                                 opts->version, CUSTOS_OPEN_OPTIONS_VERSION);
    unsigned int known = CUSTOS_OPEN_CREATE | CUSTOS_OPEN_KEYS_NOACCESS;
    if ((opts->flags & ~known) != 0)
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_open: unknown flags 0x%x (store.h names CUSTOS_OPEN_*)",
                                  opts->flags & ~known);
    if (sodium_init() < 0)
        return custos__fail_noctx(CUSTOS_ECRYPTO, "libsodium failed to initialise");

    custos__fail_noctx(CUSTOS_OK, "%s", ""); /* no stale detail from an earlier open */
    custos_t *ctx = custos__calloc(1, sizeof *ctx);
    if (ctx == NULL)
        return custos__fail_noctx(CUSTOS_ENOMEM, "out of memory");
    pthread_mutex_init(&ctx->write_lock, NULL);
    pthread_mutex_init(&ctx->err_lock, NULL);
    ctx->lock_fd = -1;
    ctx->flags = opts->flags;
    custos__env_init(ctx, opts->clock, opts->rng);
    custos__stores_opened(1);

    int created = 0, made = 0, keys_made = 0, rc;
    if ((ctx->dir = custos__strdup(dir)) == NULL) {
        rc = custos__fail_noctx(CUSTOS_ENOMEM, "out of memory");
        goto fail;
    }
    if ((rc = header_open(ctx, (opts->flags & CUSTOS_OPEN_CREATE) != 0, &created, &made)) != CUSTOS_OK)
        goto fail;
    if ((rc = lock_store(ctx, &ctx->lock_fd)) != CUSTOS_OK)
        goto fail;
    if (opts->key_provider != NULL) {
        if (opts->key_provider->version < 1 || opts->key_provider->version > CUSTOS_KEY_PROVIDER_VERSION) {
            rc = custos__fail_noctx(CUSTOS_EVERSION, "key provider version %u, expected 1 to %u",
                                   opts->key_provider->version, CUSTOS_KEY_PROVIDER_VERSION);
            goto fail;
        }
        ctx->kp = opts->key_provider;
    } else {
        if ((rc = custos_key_provider_file(&ctx->kp_owned)) != CUSTOS_OK)
            goto fail;
        ctx->kp = ctx->kp_owned;
    }
    if ((rc = custos__erase_before_open(ctx, &created)) != CUSTOS_OK) /* finish a cut-short factory reset */
        goto fail;
    if ((rc = load_keys(ctx, created)) != CUSTOS_OK) {
        if (custos_last_error()[0] == '\0')
            custos__fail_noctx(rc, "the key provider failed: %s", custos_strerror(rc));
        goto fail;
    }
    keys_made = created;
    /* ROLLBACK is prepared once the schema is settled (a schema change
     * would make SQLite prepare it again, which allocates). */
    if ((rc = db_open(ctx, opts->sqlite_vfs)) != CUSTOS_OK || (rc = attach_modules(ctx)) != CUSTOS_OK ||
        (rc = custos__anchor_open(ctx, created)) != CUSTOS_OK || (rc = sqlite3_prepare_v2(ctx->db, "ROLLBACK", -1, &ctx->rollback, NULL)) != SQLITE_OK) {
        if (rc > 0)
            rc = custos__sqlite_fail(ctx, rc, "prepare custos.db's rollback");
        custos__fail_noctx(rc, "%s", ctx->errmsg);
        goto fail;
    }
    if (created && (rc = creation_done(ctx)) != CUSTOS_OK)
        goto fail;
    custos__clear_error(ctx);
    *out = ctx;
    return CUSTOS_OK;

fail:
    if (custos_last_error()[0] == '\0') /* a bare code from a helper (e.g. ENOMEM) */
        custos__fail_noctx(rc, "custos_open %s: %s", dir, custos_strerror(rc));
    if (made)
        creation_undo(ctx, made, keys_made);
    custos_close(ctx);
    return rc;
}

void custos_close(custos_t *ctx)
{
    if (ctx == NULL)
        return;
    detach_modules(ctx);
    custos__anchor_close(ctx);
    sqlite3_finalize(ctx->rollback);
    if (ctx->db != NULL)
        sqlite3_close_v2(ctx->db);
    if (ctx->kp != NULL && ctx->kp->close != NULL)
        ctx->kp->close(ctx->kp->state);
    custos_key_provider_free(ctx->kp_owned);
    if (ctx->index_key != NULL)
        sodium_free(ctx->index_key);
    if (ctx->lock_fd >= 0)
        close(ctx->lock_fd);
    custos__free(ctx->dir);
    pthread_mutex_destroy(&ctx->write_lock);
    pthread_mutex_destroy(&ctx->err_lock);
    custos__wipe(ctx, sizeof *ctx);
    custos__free(ctx);
    custos__stores_opened(-1);
}
