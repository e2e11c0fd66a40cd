/*
 * reset.c: factory reset. Three phases, each recorded in the journal before
 * the next begins, so that custos_open() can finish a reset cut short at any
 * point:
 *
 *   INTENT      a random probe key is wrapped by the current KEK and kept in
 *               the journal. Then: create a new KEK generation, destroy
 *               every older one, check that the probe no longer unwraps
 *               (the verification), and sign the receipt and the
 *               EraseRequest with the device key, which still exists.
 *   SIGNED      the journal carries the signed receipt and request. Then:
 *               destroy every key in the provider (destroy_all), replace
 *               custos.db by an empty file, and overwrite and unlink every
 *               other file of the store except STORE (the device id) and
 *               the journal, the old database and the vault's stream
 *               files (streams/) included.
 *   FILES_DONE  the next open creates fresh keys and an empty database; the
 *               erase module's attach hook stores the receipt and the
 *               request in it, commits, and removes the journal.
 *
 * Nothing here needs the database: the phases before FILES_DONE run with
 * the store closed (custos_factory_reset in lifecycle/reset.c closes it and
 * reopens it; custos_open runs them before the provider is opened). This file
 * holds the steps; the handle's lifecycle is the orchestration layer's.
 */
#include "erase_internal.h"
#include "ground/pack.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char probe_ad[] = "custos factory reset probe";

static void kek_key_id(uint8_t id[8], uint32_t gen)
{
    memcpy(id, "KEK", 4);
    custos__le32_put(id + 4, gen);
}

/* Wrap a random key nobody keeps under the current KEK: after the reset it must not unwrap. */
static int probe_make(const custos_key_provider *kp, erase_intent *in)
{
    uint8_t *key = sodium_malloc(32);
    size_t len = 0;
    if (key == NULL)
        return CUSTOS_ENOMEM;
    randombytes_buf(key, 32);
    int rc = kp->kek_current(kp->state, &in->probe_gen);
    if (rc == CUSTOS_OK)
        rc = kp->wrap(kp->state, in->probe_gen, in->probe, sizeof in->probe, &len, key, 32,
                      (const uint8_t *)probe_ad, sizeof probe_ad);
    sodium_free(key); /* wipes */
    return rc;
}

static int probe_dead(const custos_key_provider *kp, const erase_intent *in)
{
    uint8_t *key = sodium_malloc(32);
    size_t len = 0;
    if (key == NULL)
        return 0;
    int rc = kp->unwrap(kp->state, in->probe_gen, key, 32, &len, in->probe, sizeof in->probe,
                        (const uint8_t *)probe_ad, sizeof probe_ad);
    sodium_free(key);
    return rc == CUSTOS_EKEY;
}

/*
 * Destroy every KEK generation: the provider never destroys its last one,
 * so make a new (empty) generation first; it wraps nothing and goes with
 * destroy_all in the next phase. ids receives the generations destroyed.
 */
static int destroy_keks(const custos_key_provider *kp, uint8_t (*ids)[8], size_t max, size_t *n)
{
    uint32_t cur = 0, fresh = 0;
    int rc = kp->kek_current(kp->state, &cur);
    for (uint32_t g = cur; rc == CUSTOS_OK && g-- > 1;) /* older live generations first: frees a slot */
        if (kp->kek_destroy(kp->state, g) == CUSTOS_OK && *n < max)
            kek_key_id(ids[(*n)++], g);
    if (rc == CUSTOS_OK)
        rc = kp->kek_create(kp->state, &fresh);
    if (rc == CUSTOS_OK && (rc = kp->kek_destroy(kp->state, cur)) == CUSTOS_OK && *n < max)
        kek_key_id(ids[(*n)++], cur);
    return rc;
}

static int device_key_id(const custos_key_provider *kp, uint8_t id[8])
{
    uint8_t pk[32], h[32];
    int rc = kp->public_key(kp->state, pk);
    if (rc == CUSTOS_OK) {
        crypto_generichash(h, sizeof h, pk, sizeof pk, NULL, 0);
        memcpy(id, h, 8);
    }
    return rc;
}

/* Sign the receipt and the request into in->payload: u32 receipt length, receipt, request. */
static int sign_payload(const custos_key_provider *kp, const uint8_t device_id[16], erase_intent *in,
                        const uint8_t (*ids)[8], size_t n_ids, int verified)
{
    uint32_t storage[3] = { 1 /* DATABASE */, 2 /* WAL */,
                            kp->hardware_backed(kp->state) ? 6u /* KEYSTORE */ : 3u /* KEY_FILE */ };
    erase_facts f = { .intent = in, .method = ERASE_METHOD_CRYPTO, .key_ids = ids, .n_keys = n_ids,
                      .verified = verified, .storage = storage, .n_storage = 3 };
    uint8_t *r = NULL, *q = NULL;
    size_t rl = 0, ql = 0;
    int rc = custos_erase__receipt_sign(NULL, kp, device_id, &f, &r, &rl);
    if (rc == CUSTOS_OK)
        rc = custos_erase__request_sign(NULL, kp, device_id, in, in->counter, &q, &ql);
    if (rc == CUSTOS_OK && (in->payload = custos__malloc(4 + rl + ql)) == NULL)
        rc = CUSTOS_ENOMEM;
    if (rc == CUSTOS_OK) {
        custos__le32_put(in->payload, (uint32_t)rl);
        memcpy(in->payload + 4, r, rl);
        memcpy(in->payload + 4 + rl, q, ql);
        in->payload_len = 4 + rl + ql;
    }
    custos__free(r);
    custos__free(q);
    return rc;
}

/* Phase INTENT -> SIGNED, with the provider open. */
static int phase_keks(const custos_key_provider *kp, const char *dir, const uint8_t device_id[16],
                      erase_intent *in)
{
    uint8_t ids[ERASE_MAX_KEY_IDS][8];
    size_t n = 0;
    int rc = device_key_id(kp, ids[n++]);
    if (rc == CUSTOS_OK)
        rc = destroy_keks(kp, ids, ERASE_MAX_KEY_IDS, &n);
    if (rc == CUSTOS_OK)
        rc = sign_payload(kp, device_id, in, (const uint8_t (*)[8])ids, n, probe_dead(kp, in));
    if (rc == CUSTOS_OK) {
        in->phase = RESET_PHASE_SIGNED;
        rc = custos_erase__journal_write(NULL, dir, in);
    }
    return rc;
}

#define DB_NAME "custos.db"             /* context.c names the database so */
#define DB_OLD_NAME "custos.db.shred"

/*
 * Put an empty database in place of custos.db without a moment where none
 * exists (an open without CUSTOS_OPEN_CREATE must still find the store and
 * finish the reset): keep the old file alive under a second name, replace
 * custos.db atomically by an empty file (an empty file is an empty SQLite
 * database), and leave the old one to shred_files.
 */
static int replace_database(const char *dir)
{
    char *db = custos__path_join(dir, DB_NAME), *old = custos__path_join(dir, DB_OLD_NAME);
    int rc = db == NULL || old == NULL ? CUSTOS_ENOMEM : CUSTOS_OK;
    if (rc == CUSTOS_OK && link(db, old) != 0 && errno != EEXIST && errno != ENOENT)
        rc = custos__fail_noctx(CUSTOS_EIO, "cannot keep the old database for shredding: %s", strerror(errno));
    if (rc == CUSTOS_OK)
        rc = custos__file_write_atomic(NULL, db, "", 0, 0600);
    custos__free(db);
    custos__free(old);
    return rc;
}

#define STREAMS_NAME "streams"         /* the vault's stream files (vault/stream.c) */

/* Overwrite and unlink every file of the vault's streams/ directory, and the directory. */
static int shred_streams(const char *dir)
{
    char *sdir = custos__path_join(dir, STREAMS_NAME);
    if (sdir == NULL)
        return CUSTOS_ENOMEM;
    DIR *d = opendir(sdir);
    int rc = d != NULL || errno == ENOENT ? CUSTOS_OK
             : custos__fail_noctx(CUSTOS_EIO, "cannot list the store's streams directory");
    struct dirent *e;
    while (d != NULL && rc == CUSTOS_OK && (e = readdir(d)) != NULL) {
        char *path = custos__path_join(sdir, e->d_name);
        struct stat st;
        if (path == NULL)
            rc = CUSTOS_ENOMEM;
        else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = custos__file_shred(NULL, path);
        custos__free(path);
    }
    if (d != NULL)
        closedir(d);
    if (rc == CUSTOS_OK && d != NULL && rmdir(sdir) != 0 && errno != ENOENT)
        rc = custos__fail_noctx(CUSTOS_EIO, "cannot remove the store's streams directory: %s", strerror(errno));
    custos__free(sdir);
    return rc;
}

/* Overwrite and unlink every file of the store but STORE, the journal and
 * the (new, empty) database, streams/ included. */
static int shred_files(const char *dir)
{
    int rc = replace_database(dir);
    if (rc == CUSTOS_OK)
        rc = shred_streams(dir);
    DIR *d = rc == CUSTOS_OK ? opendir(dir) : NULL;
    if (rc != CUSTOS_OK)
        return rc;
    if (d == NULL)
        return custos__fail_noctx(CUSTOS_EIO, "cannot list the store directory");
    struct dirent *e;
    while (rc == CUSTOS_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, "STORE") == 0 || strcmp(e->d_name, ERASE_JOURNAL_NAME) == 0 ||
            strcmp(e->d_name, DB_NAME) == 0)
            continue;
        char *path = custos__path_join(dir, e->d_name);
        struct stat st;
        if (path == NULL)
            rc = CUSTOS_ENOMEM;
        else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            rc = custos__file_shred(NULL, path);
        custos__free(path);
    }
    closedir(d);
    return rc == CUSTOS_OK ? custos__fsync_dir(NULL, dir) : rc;
}

/*
 * Run the phases of a reset journal that are not done yet, with the store
 * closed and kp not open. Errors are described in custos_last_error().
 */
static int reset_run(const custos_key_provider *kp, const char *dir, const uint8_t device_id[16],
                     erase_intent *in, const custos_erase_options *opts)
{
    int rc = CUSTOS_OK;
    if (in->phase < RESET_PHASE_FILES_DONE) {
        int opened = kp->open(kp->state, dir, 0);
        if (opened == CUSTOS_OK && in->phase == RESET_PHASE_INTENT)
            rc = phase_keks(kp, dir, device_id, in);
        else if (opened != CUSTOS_OK && in->phase == RESET_PHASE_INTENT)
            rc = custos__fail_noctx(opened, "a factory reset cannot sign its receipt: the key provider failed");
        else if (opened != CUSTOS_OK && opened != CUSTOS_EKEY && opened != CUSTOS_ECORRUPT)
            rc = custos__fail_noctx(opened, "a factory reset cannot reach the key provider to destroy its keys");
        /* EKEY / ECORRUPT after SIGNED: the keys are already gone, or torn by their shredding. */
        if (rc == CUSTOS_OK && opened == CUSTOS_OK)
            rc = kp->destroy_all(kp->state);
        if (kp->close != NULL) /* also after a failed open, which may hold partial state */
            kp->close(kp->state);
        if (rc == CUSTOS_OK)
            rc = custos_erase__report(opts, CUSTOS_ERASE_STEP_KEYS);
        if (rc == CUSTOS_OK)
            rc = shred_files(dir);
        if (rc == CUSTOS_OK) {
            in->phase = RESET_PHASE_FILES_DONE;
            rc = custos_erase__journal_write(NULL, dir, in);
        }
        if (rc == CUSTOS_OK)
            rc = custos_erase__report(opts, CUSTOS_ERASE_STEP_ROWS);
    }
    return rc;
}

int custos__erase_before_open(custos_t *ctx, int *fresh_keys)
{
    erase_intent in;
    int rc = custos_erase__journal_read(ctx, ctx->dir, &in);
    if (rc == CUSTOS_ENOTFOUND) {
        custos__clear_error(ctx);
        return CUSTOS_OK;
    }
    if (rc != CUSTOS_OK)
        custos__fail_noctx(rc, "%s", ctx->errmsg);
    if (rc == CUSTOS_OK && in.scope == ERASE_SCOPE_RESET) {
        rc = reset_run(ctx->kp, ctx->dir, ctx->device_id, &in, NULL);
        if (rc == CUSTOS_OK)
            *fresh_keys = 1;
    }
    custos_erase__intent_clear(&in);
    return rc;
}

static int payload_split(const erase_intent *in, const uint8_t **r, size_t *rl, const uint8_t **q, size_t *ql)
{
    if (in->payload_len < 4)
        return CUSTOS_ECORRUPT;
    size_t n = custos__le32_get(in->payload);
    if (n > in->payload_len - 4)
        return CUSTOS_ECORRUPT;
    *r = in->payload + 4;
    *rl = n;
    *q = in->payload + 4 + n;
    *ql = in->payload_len - 4 - n;
    return CUSTOS_OK;
}

int custos_erase__reset_record(custos_t *ctx, const erase_intent *in)
{
    const uint8_t *r, *q;
    size_t rl, ql;
    int was_new = 0;
    if (in->phase != RESET_PHASE_FILES_DONE || payload_split(in, &r, &rl, &q, &ql) != CUSTOS_OK)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "the factory reset journal is inconsistent");
    int rc = custos_erase__receipt_store(ctx, in->receipt_id, in->time, r, rl, &was_new);
    if (rc == CUSTOS_OK && was_new)
        rc = custos_erase__outbox_store(ctx, q, ql, in->counter, in->receipt_id);
    if (rc == CUSTOS_OK && was_new)
        rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_FACTORY_RESET, NULL, -1, 0, "factory reset");
    /* The journal may go once the receipt is durable: commit the open
     * transaction (this module attaches last) and begin another for
     * custos_open() to commit. */
    if (rc == CUSTOS_OK && was_new)
        rc = custos__db_commit(ctx);
    if (rc == CUSTOS_OK)
        rc = custos_erase__journal_remove(ctx, ctx->dir);
    if (rc == CUSTOS_OK && was_new)
        rc = custos__db_begin(ctx);
    return rc;
}

/* --- the steps lifecycle/reset.c drives ------------------------------------ */

int custos_erase__reset_begin(custos_t *ctx, erase_intent *in)
{
    custos__wipe(in, sizeof *in);
    in->scope = ERASE_SCOPE_RESET;
    in->purpose = UINT32_MAX;
    in->phase = RESET_PHASE_INTENT;
    in->time = custos__now(ctx, NULL);
    custos__random(ctx, in->receipt_id, sizeof in->receipt_id);
    int rc = custos__db_begin(ctx);
    if (rc == CUSTOS_OK)
        rc = custos_erase__next_counter(ctx, &in->counter);
    custos__db_rollback(ctx); /* the counter dies with the database anyway */
    if (rc == CUSTOS_OK && (rc = probe_make(ctx->kp, in)) != CUSTOS_OK)
        rc = custos__fail(ctx, rc, "the key provider could not wrap the reset probe");
    if (rc == CUSTOS_OK)
        rc = custos_erase__journal_write(ctx, ctx->dir, in);
    return rc;
}

void custos_erase__reset_receipt(const erase_intent *in, uint8_t *out, size_t *out_len)
{
    const uint8_t *r, *q;
    size_t rl, ql;
    if (out != NULL && payload_split(in, &r, &rl, &q, &ql) == CUSTOS_OK && rl <= CUSTOS_ERASE_RECEIPT_MAX) {
        memcpy(out, r, rl);
        *out_len = rl;
    }
}

int custos_erase__reset_run(const custos_key_provider *kp, const char *dir, const uint8_t device_id[16],
                            erase_intent *in, const custos_erase_options *opts)
{
    return reset_run(kp, dir, device_id, in, opts);
}
