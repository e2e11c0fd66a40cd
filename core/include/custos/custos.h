/*
 * custos.h: the umbrella header of the Custos core. Include this one.
 *
 *   common.h    error codes, version, allocator hooks, size getters
 *   store.h     open / close a store; key provider, clock and RNG seams
 *   manifest.h  the privacy declaration: compile, check, show, diff
 *   audit.h     the hash-chained, signed audit log and its opt-out
 *   gate.h      custos_check: may this be processed now?
 *   subject.h   the people a device serves, and their roles
 *   policy.h    the manifest loaded into a store
 *   consent.h   the signed consent ledger, state, history, receipts
 *   vault.h     personal data sealed at rest; export, import, passphrase keys
 *   sync.h      pairing and signed messages between device and app
 *   erase.h     erasure, factory reset, deletion receipts, erase outbox
 *   disclose.h  privacy notices, store labels, DPV, ETSI and JC-STAR evidence
 *
 * Each module's header opens with what it is for and what it must never do.
 */
#ifndef CUSTOS_H
#define CUSTOS_H

#include "common.h"
#include "store.h"
#include "manifest.h"
#include "audit.h"
#include "gate.h"
#include "subject.h"
#include "policy.h"
#include "consent.h"
#include "vault.h"
#include "sync.h"
#include "erase.h"
#include "disclose.h"

#endif
