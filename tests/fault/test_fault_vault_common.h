/*
 * test_fault_vault_common.h: the store every vault fault test starts from
 * (one populated store, made once per executable, copied before each k).
 * Included by tests/fault/test_fault_vault*.c; not a test itself.
 */
#ifndef TEST_FAULT_VAULT_COMMON_H
#define TEST_FAULT_VAULT_COMMON_H

#include "fault.h"
#include "../unit/test_vault_helpers.h"

#include <unistd.h>

static char *template_dir;
static custos_record_id existing_id;

/* One populated store with one record, made once; each k starts from a copy. */
static inline int make_template(void **state)
{
    (void)state;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&template_dir, "vfault-tpl", &alice, NULL);
    existing_id = tv_put(ctx, alice, 1, 1, "existing record");
    custos_close(ctx);
    return 0;
}

static inline int drop_template(void **state)
{
    (void)state;
    th_tmpdir_remove(template_dir);
    return 0;
}

static inline void setup_copy(const char *dir, void *arg)
{
    (void)arg;
    tv_copy_store(template_dir, dir);
}

static inline int alice_of(custos_t *ctx, custos_subject *s) { return custos_subject_find(ctx, s, TV_ALICE_ID); }

/* How many of alice's records hold text, asserting that every record opens. */
static inline size_t count_text(custos_t *ctx, const char *text)
{
    custos_subject alice;
    assert_int_equal(alice_of(ctx, &alice), CUSTOS_OK);
    custos_record_id ids[8];
    size_t n = 0, hits = 0;
    assert_int_equal(custos_vault_list(ctx, ids, 8, &n, alice), CUSTOS_OK);
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[64];
        size_t len;
        assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, ids[i]), CUSTOS_OK);
        hits += len == strlen(text) && memcmp(buf, text, len) == 0;
    }
    return hits;
}

/* The loops of th_fault_run_all except persistent OOM (which fails the same
 * points as transient OOM here): keeps the slower operations in seconds. */
static inline unsigned long tf_run(const char *name, th_op_fn op, th_check_fn check)
{
    static const struct { int kind, persistent; } loops[] = {
        { TH_FAULT_EIO, 0 }, { TH_FAULT_EIO, 1 }, { TH_FAULT_ENOSPC, 0 }, { TH_FAULT_ENOSPC, 1 }, { TH_FAULT_OOM, 0 },
    };
    unsigned long total = 0;
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        th_fault_loop l = { .name = name, .kind = loops[i].kind, .persistent = loops[i].persistent,
                            .open_store = 1, .setup = setup_copy, .op = op, .check = check };
        total += th_fault_run(&l);
    }
    return total;
}

#endif
