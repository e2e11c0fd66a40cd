/*
 * cli.h: how the custos tool's subcommands plug in. Each cmd_*.c file
 * implements one command group and is listed once in main.c.
 *
 * Exit codes: 0 success, 1 the operation failed (the error is printed on
 * stderr with its CUSTOS_E* name and detail), 2 the command line was wrong.
 */
#ifndef CUSTOS_CLI_H
#define CUSTOS_CLI_H

#include <custos/custos.h>
#include <stdio.h>

typedef struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
} cli_command;

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* Command groups (tools/cmd_*.c), listed in main.c. */
int cmd_manifest(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_disclose(int argc, char **argv);
int cmd_vault(int argc, char **argv);
int cmd_consent(int argc, char **argv);
int cmd_erase(int argc, char **argv);
int cmd_factory_reset(int argc, char **argv);
int cmd_receipt(int argc, char **argv);

/* Print "custos: <what>: CUSTOS_E...: <detail>" and return CLI_FAIL. */
int cli_fail(const char *what, int code, const char *detail);

/* Open the store named by --store DIR (or $CUSTOS_STORE, or ./custos-store). */
int cli_open_store(custos_t **out, const char *dir, int create);

/* The kinds of input, each read with its own limit (main.c): a manifest
 * (YAML or compiled) or Play answers file, 1 MiB; a vault payload, audit
 * export or consent receipt, 16 MiB; a deletion receipt; a key pair file. */
typedef enum cli_input { CLI_IN_MANIFEST, CLI_IN_PAYLOAD, CLI_IN_RECEIPT, CLI_IN_KEYPAIR } cli_input;

/* Read a whole file (or "-" for stdin) of at most the limit of its kind;
 * past the limit it stops reading and refuses, with the limit in the
 * message. The caller frees *out. */
int cli_read_file(const char *path, cli_input kind, unsigned char **out, size_t *out_len);
/* A 32-byte key written as exactly 64 hex digits (the first len bytes of
 * hex; len is usually strlen(hex)): 0 and out filled, or -1 (NULL, another
 * length, a character that is not a hex digit). */
int cli_hex32(const char *hex, size_t len, uint8_t out[32]);
/* Write a whole file (or "-" for stdout) atomically, never through a
 * symbolic link (output.c): cli_write_file creates it 0600 (keys, receipts,
 * personal data), cli_write_public 0644 less the umask (disclosures,
 * compiled manifests). An existing device or FIFO is written in place. */
int cli_write_file(const char *path, const void *data, size_t len);
int cli_write_public(const char *path, const void *data, size_t len);

#endif
