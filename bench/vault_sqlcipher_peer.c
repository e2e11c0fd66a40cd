/*
 * vault_sqlcipher_peer.c: bench_vault's SQLCipher peer, a program of its own
 * (linked with libsqlcipher, whose symbols clash with SQLite's). Runs the
 * workload of bench_vault_peer.h with a raw 256-bit key and prints
 * "put_seconds get_seconds check".
 *
 *   vault_sqlcipher_peer DB_PATH PAYLOAD SUBJECTS PER_SUBJECT BATCH
 */
#include "bench_vault_peer.h"

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s DB_PATH PAYLOAD SUBJECTS PER_SUBJECT BATCH\n", argv[0]);
        return 2;
    }
    long payload = bv_arg(argv[2], 1, 1L << 24), subjects = bv_arg(argv[3], 1, 1000000);
    long per = bv_arg(argv[4], 1, 1000000), batch = bv_arg(argv[5], 1, 1000000);
    if (payload < 0 || subjects < 0 || per < 0 || batch < 0) {
        fprintf(stderr, "%s: PAYLOAD is 1..16777216 bytes, the counts 1..1000000\n", argv[0]);
        return 2;
    }
    bv_workload w = { (size_t)payload, (int)subjects, (int)per, (int)batch };
    bv_result r;
    /* A fixed raw key: PBKDF2 is skipped, as in SQLCipher's own fair comparisons. */
    static const char key[] = "2b7e151628aed2a6abf7158809cf4f3c2b7e151628aed2a6abf7158809cf4f3c";
    if (bv_peer_run(argv[1], key, &w, &r) != 0) {
        fprintf(stderr, "sqlcipher peer failed\n");
        return 1;
    }
    printf("%.6f %.6f %.0f\n", r.put_s, r.get_s, r.check);
    return 0;
}
