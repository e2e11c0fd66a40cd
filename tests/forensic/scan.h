/*
 * scan.h: the forensic scanner (requirements.md §8.0 scan()). It looks for
 * given byte strings (canaries, key bytes) in every file under a directory,
 * in a core dump, or in a dump of a process's memory, and counts the hits.
 *
 * Each needle is searched in four forms: its raw bytes, lowercase hex,
 * uppercase hex and standard base64 (from its first byte, without padding),
 * so that a key written out as text is found too. Used by the erase tests
 * and by the custos_scan program (custos_scan.c).
 */
#ifndef CUSTOS_SCAN_H
#define CUSTOS_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct scan_needle {
    const uint8_t *bytes;
    size_t len;              /* at least 8: shorter needles match noise */
    const char *label;       /* printed in the report, e.g. "canary A1" */
} scan_needle;

/* Count the needles in one buffer; counts[i] += hits of needle i. Returns the total. */
size_t scan_buffer(const uint8_t *buf, size_t len, const scan_needle *needles, size_t n, size_t *counts);

/* Scan path: a regular file, or every regular file under a directory
 * (recursively). counts[i] += hits of needle i (counts may be NULL). Each
 * file with a hit is reported to report (may be NULL) as
 * "<file>: <label> x<count>". Returns the total number of hits. */
size_t scan_path(const char *path, const scan_needle *needles, size_t n, size_t *counts, FILE *report);

/* Write every readable mapping of the calling process (from /proc/self/maps
 * and /proc/self/mem) to the file at path, except mappings larger than
 * SCAN_DUMP_MAX_MAPPING (the terabytes of shadow memory ASan reserves).
 * Returns the bytes written, or -1. */
#define SCAN_DUMP_MAX_MAPPING (64ul * 1024 * 1024)
long scan_dump_self(const char *path);

#endif
