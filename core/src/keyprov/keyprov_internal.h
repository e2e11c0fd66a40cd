/*
 * keyprov_internal.h: how a key provider built on the file provider seals
 * its key file (the passphrase provider, keyprov_passphrase.c).
 *
 * The file provider (keyprov_file.c) owns the key file's plaintext layout
 * and every key operation. A codec only turns those bytes into what is
 * written to disk and back: seal before each atomic write, open after each
 * read. It must never write the plaintext anywhere.
 */
#ifndef CUSTOS_KEYPROV_INTERNAL_H
#define CUSTOS_KEYPROV_INTERNAL_H

#include "ground/internal.h"

typedef struct custos__keyfile_codec {
    size_t overhead;  /* bytes the codec adds to the key file */
    /* Seal len plaintext bytes into a new buffer (*out, custos__malloc'd). */
    int (*seal)(void *state, uint8_t **out, size_t *out_len, const uint8_t *plain, size_t len);
    /* Open a file of len bytes into plain (at least len bytes); CUSTOS_EKEY
     * for a wrong secret, CUSTOS_ECORRUPT / CUSTOS_EVERSION for a bad file. */
    int (*open)(void *state, uint8_t *plain, size_t *plain_len, const uint8_t *file, size_t len);
    void (*destroy)(void *state); /* wipe and free state */
} custos__keyfile_codec;

/* The file provider with its key file sealed by codec (state owned by the
 * provider from here on, also on failure). */
int custos__key_provider_file_codec(custos_key_provider **out, const custos__keyfile_codec *codec, void *state);

/* Tests only: the Argon2id limits used when a passphrase provider creates
 * its key file (0, 0: back to MODERATE). Opening always uses the limits
 * stored in the file. */
void custos__passphrase_set_limits(unsigned long long ops, size_t mem);

#endif
