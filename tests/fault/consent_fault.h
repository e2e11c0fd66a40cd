/*
 * consent_fault.h: what the consent fault loops share: a store with the
 * fixture manifest and one subject, the check that the gate, the state and
 * the ledger agree, and the loop runner.
 */
#ifndef CUSTOS_CONSENT_FAULT_H
#define CUSTOS_CONSENT_FAULT_H

#include "../unit/consent_fixture.h"
#include "fault.h"

static const int consent_fault_allowed[] = { CUSTOS_EIO, CUSTOS_ENOSPC, CUSTOS_ENOMEM, CUSTOS_EKEY, CUSTOS_ECRYPTO, 0 };

static inline void setup_subject(const char *dir, void *arg)
{
    (void)arg;
    custos_open_options o = th_open_options(CUSTOS_OPEN_CREATE);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_OK);
    uint8_t *mf = NULL;
    size_t len = 0;
    fx_manifest(&mf, &len, 1, 86400);
    assert_int_equal(custos_manifest_load(ctx, mf, len), CUSTOS_OK);
    custos__free(mf);
    custos_subject s;
    assert_int_equal(custos_subject_add(ctx, &s, "owner", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    assert_int_equal(custos_consent_give(ctx, s, FX_MARKETING, &fx_info), CUSTOS_OK);
    custos_close(ctx);
}

/* The gate, the state and the ledger agree, and the chain verifies. */
static inline custos_consent_status consistent(custos_t *ctx, uint32_t purpose, uint32_t category)
{
    custos_consent_state_info st;
    assert_int_equal(custos_consent_state(ctx, &st, 1, purpose), CUSTOS_OK);
    custos_decision d = custos_check(ctx, 1, purpose, category);
    assert_int_equal(d == CUSTOS_ALLOW, custos_consent_valid_for_processing(st.status));
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(ctx, &bad), CUSTOS_OK);
    return st.status;
}

/* One loop of the harness over op, from setup. */
static inline void consent_fault_loop(const char *name, int kind, th_setup_fn setup, th_op_fn op, th_check_fn check,
                                      void *arg)
{
    th_fault_loop l = { .name = name, .kind = kind, .open_store = 1, .setup = setup, .op = op, .check = check,
                        .allowed = consent_fault_allowed, .arg = arg };
    assert_true(th_fault_run(&l) > 0);
}

#endif
