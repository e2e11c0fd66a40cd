/*
 * stream_sweep.c: removing the files of streams/ that no record owns.
 *
 * A crash can leave a writer's <id>.part (before finish published it) or an
 * <id>.cvs whose record never committed or was deleted since (stream.c, LIFE
 * OF A FILE). The sweep unlinks every .cvs that vault_stream does not name,
 * and, when asked (at open, when no writer of this store can be running),
 * every .part; the directory is fsynced after a removal. Names that are not
 * ours (anything but 32 lowercase hex digits and .cvs or .part) are left.
 */
#include "vault_private.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>

/* 1 if name is <32 hex>.cvs or <32 hex>.part; *part says which. */
static int vs_our_name(const char *name, int *part)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < VT_STREAM_HEX; i++)
        if (i >= len || !((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return 0;
    *part = strcmp(name + VT_STREAM_HEX, ".part") == 0;
    return *part || strcmp(name + VT_STREAM_HEX, ".cvs") == 0;
}

static int vs_named(custos_t *ctx, const char *name, int *named)
{
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_STREAM_NAMED);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, VT_STREAM_HEX, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    *named = rc == SQLITE_ROW;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: find a stream");
}

int custos_vault__stream_sweep(custos_t *ctx, int parts)
{
    char *dir = custos_vault__stream_dir(ctx);
    if (dir == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory");
    DIR *d = opendir(dir);
    if (d == NULL) {
        int err = errno;
        custos__free(dir);
        return err == ENOENT ? CUSTOS_OK : custos_vault__stream_io_fail(ctx, err, "list the directory of");
    }
    int rc = CUSTOS_OK, removed = 0, part = 0, named = 0;
    struct dirent *e;
    while (rc == CUSTOS_OK && (e = readdir(d)) != NULL) {
        if (!vs_our_name(e->d_name, &part) || (part && !parts))
            continue;
        if (!part && ((rc = vs_named(ctx, e->d_name, &named)) != CUSTOS_OK || named))
            continue;
        char *path = custos__path_join(dir, e->d_name);
        rc = path == NULL ? custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory") : custos__file_unlink(ctx, path);
        custos__free(path);
        removed += rc == CUSTOS_OK;
    }
    closedir(d);
    if (rc == CUSTOS_OK && removed > 0)
        rc = custos__fsync_dir(ctx, dir);
    custos__free(dir);
    return rc;
}

int custos__vault_stream_sweep(custos_t *ctx) { return custos_vault__stream_sweep(ctx, 0); }
