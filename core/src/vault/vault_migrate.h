/*
 * vault_migrate.h: forward migration of the store's database format.
 *
 * custos.db records its format in PRAGMA user_version. At open, inside the
 * open transaction and before any module attaches, context.c calls
 * custos__migrate() with the version found; it runs one step per format,
 * from that version up to the one this build writes, so a store made by any
 * released Custos opens in this one. The steps and the user_version update
 * commit together with the open transaction, or not at all: a crash during a
 * migration leaves the store in its old format, and the next open runs the
 * migration again. A store of a newer format is refused (CUSTOS_EVERSION)
 * before this is called.
 */
#ifndef CUSTOS_VAULT_MIGRATE_H
#define CUSTOS_VAULT_MIGRATE_H

#include "ground/internal.h"

/* One step: turns a store of format `from` into format from + 1. */
typedef struct custos_migration {
    uint32_t from;
    const char *what;          /* for the error text if it fails */
    int (*run)(custos_t *ctx);
} custos_migration;

/* Run every step from `from` up to custos__migrate_target(). A fresh
 * database (from 0) needs none: the modules create their tables. */
int custos__migrate(custos_t *ctx, uint32_t from);

/* The format this build writes: CUSTOS_STORE_FORMAT_VERSION, unless a test
 * replaced the steps with custos__migrate_set_steps. */
uint32_t custos__migrate_target(void);

/* vault.c: the CREATE TABLE of the format-2 vault_key, named vault_key_2 (the step from 1 renames it). */
extern const char custos_vault__key_table[];

/* Tests only: replace the step table and the target format (NULL, 0, 0: restore the built-in ones). */
void custos__migrate_set_steps(const custos_migration *steps, size_t n, uint32_t target);
/* Tests only: the built-in step table; *n receives its length. */
const custos_migration *custos__migrate_builtin(size_t *n);

#endif
