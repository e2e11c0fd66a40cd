/*
 * harness.h: helpers every Custos test uses: temporary store directories,
 * and (see fault.h, crash.h) the fault-injection and crash loops.
 */
#ifndef CUSTOS_TEST_HARNESS_H
#define CUSTOS_TEST_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <custos/custos.h>

/* A fresh, empty directory under $TMPDIR; removed by th_tmpdir_remove. */
char *th_tmpdir(const char *tag);
void th_tmpdir_remove(char *dir);
/* A fresh directory for a fault or crash loop: on /dev/shm when it exists
 * (fsync is free there; $CUSTOS_FAULT_TMPDIR overrides), else as th_tmpdir. */
char *th_fast_tmpdir(const char *tag);
/* Copy the regular files and folders of from into the existing folder to. */
void th_copy_dir(const char *from, const char *to);
/* Write bytes to dir/name (creating it), mode 0600 like the store's own files. */
void th_write_file(const char *dir, const char *name, const void *data, size_t len);
/* Read a whole file; caller frees. Returns NULL if absent. The buffer holds
 * one more byte, a NUL after the data, so text can be used as a string. */
uint8_t *th_read_file(const char *path, size_t *len);
/* Run sql on dir/custos.db through a connection of its own, as someone with
 * the store's files would (the store closed, or open in this process). Fails
 * the test on an SQL error; returns the rows the last statement changed. */
int th_db_edit(const char *dir, const char *sql);
/* Open (creating) a store in dir with default options, asserting success. */
custos_t *th_open(const char *dir);

#endif
