/*
 * custos_scan: count canaries and key bytes in a store directory, a core
 * dump or any file.
 *
 *   custos_scan PATH... -x HEX [-x HEX]... [-s STRING]...
 *
 * Each -x gives a needle as hex bytes (a key, a canary), each -s a text
 * needle. Every file under each PATH is scanned for every needle in raw, hex
 * and base64 form. Prints one line per file with hits and a total per
 * needle; exits 0 when nothing was found, 1 when something was, 2 on a bad
 * command line.
 */
#include "scan.h"

#include <stdlib.h>
#include <string.h>

static int unhex(uint8_t *out, const char *hex, size_t *len)
{
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return -1;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned int v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 0;
}

int main(int argc, char **argv)
{
    scan_needle *needles = calloc((size_t)argc, sizeof *needles);
    const char **paths = calloc((size_t)argc, sizeof *paths);
    size_t n = 0, np = 0;
    for (int i = 1; needles != NULL && paths != NULL && i < argc; i++) {
        int hex = strcmp(argv[i], "-x") == 0, str = strcmp(argv[i], "-s") == 0;
        if ((hex || str) && i + 1 < argc) {
            const char *v = argv[++i];
            uint8_t *b = malloc(strlen(v) + 1);
            size_t len = strlen(v);
            if (b == NULL || (hex && unhex(b, v, &len) != 0) || len < 8) {
                fprintf(stderr, "custos_scan: bad needle '%s' (hex, at least 8 bytes)\n", v);
                return 2;
            }
            if (str)
                memcpy(b, v, len);
            needles[n++] = (scan_needle){ b, len, v };
        } else {
            paths[np++] = argv[i];
        }
    }
    if (n == 0 || np == 0) {
        fprintf(stderr, "usage: custos_scan PATH... -x HEX [-x HEX]... [-s STRING]...\n");
        return 2;
    }
    size_t *counts = calloc(n, sizeof *counts);
    size_t total = 0;
    for (size_t i = 0; i < np; i++)
        total += scan_path(paths[i], needles, n, counts, stdout);
    for (size_t i = 0; i < n; i++)
        printf("needle %s: %zu hit(s)\n", needles[i].label, counts[i]);
    printf("total: %zu hit(s)\n", total);
    return total == 0 ? 0 : 1;
}
