/*
 * keyprov_passphrase.c: the passphrase key provider. It is the file
 * provider (keyprov_file.c) whose key file is sealed under a key derived
 * from a passphrase with Argon2id, run once per open.
 *
 * SEALED KEY FILE (<store>/keys, little-endian)
 *
 *   offset  size  field
 *   0       8     magic "CUSTOSPW"
 *   8       4     format version (1)
 *   12      4     algorithm (crypto_pwhash_ALG_ARGON2ID13)
 *   16      8     opslimit
 *   24      8     memlimit (bytes)
 *   32      16    salt (random, made at creation)
 *   48      24    nonce (random, new at every write)
 *   72      n+16  XChaCha20-Poly1305 of the file provider's key file (n bytes)
 *
 * The associated data is bytes 0..47, so the parameters and salt cannot be
 * weakened without the open failing. A wrong passphrase fails the tag check:
 * CUSTOS_EKEY. The derived key stays in guarded memory while the store is
 * open (every KEK rotation rewrites the file); the passphrase is wiped as
 * soon as the key is derived.
 */
#include "ground/internal.h"
#include "ground/pack.h"
#include "keyprov/keyprov_internal.h"
#include <custos/store.h>

#include <sodium.h>
#include <string.h>

#define PW_MAGIC "CUSTOSPW"
#define PW_VERSION 1u
#define PW_AD 48u
#define PW_HEAD (PW_AD + 24u)
#define PW_OVERHEAD (PW_HEAD + 16u)

/* Creation limits: MODERATE (about 0.7 s, 256 MiB) unless a test lowered them. */
static unsigned long long create_ops = crypto_pwhash_OPSLIMIT_MODERATE;
static size_t create_mem = crypto_pwhash_MEMLIMIT_MODERATE;

void custos__passphrase_set_limits(unsigned long long ops, size_t mem)
{
    create_ops = ops != 0 ? ops : crypto_pwhash_OPSLIMIT_MODERATE;
    create_mem = mem != 0 ? mem : crypto_pwhash_MEMLIMIT_MODERATE;
}

typedef struct pw_secret {
    uint8_t key[32];
    uint8_t head[PW_AD];        /* magic, version, parameters, salt */
    int derived;
    size_t pass_len;
    char pass[];                /* wiped once the key is derived */
} pw_secret;

typedef struct pw_state { pw_secret *sec; } pw_state; /* sec: sodium_malloc'd */


static int derive(pw_secret *s)
{
    uint64_t ops = custos__le64_get(s->head + 16), mem = custos__le64_get(s->head + 24);
    int rc = crypto_pwhash(s->key, 32, s->pass, s->pass_len, s->head + 32, ops, (size_t)mem,
                           crypto_pwhash_ALG_ARGON2ID13) == 0 ? CUSTOS_OK : CUSTOS_ENOMEM;
    sodium_memzero(s->pass, s->pass_len);
    s->pass_len = 0;
    s->derived = rc == CUSTOS_OK;
    return rc == CUSTOS_OK ? rc : custos__fail_noctx(rc, "Argon2id could not run (%llu MiB needed)",
                                                    (unsigned long long)(mem >> 20));
}

static void head_new(pw_secret *s)
{
    memcpy(s->head, PW_MAGIC, 8);
    custos__le32_put(s->head + 8, PW_VERSION);
    custos__le32_put(s->head + 12, (uint32_t)crypto_pwhash_ALG_ARGON2ID13);
    custos__le64_put(s->head + 16, create_ops);
    custos__le64_put(s->head + 24, create_mem);
    randombytes_buf(s->head + 32, 16);
}

static int pw_seal(void *state, uint8_t **out, size_t *out_len, const uint8_t *plain, size_t len)
{
    pw_secret *s = ((pw_state *)state)->sec;
    sodium_mprotect_readwrite(s);
    int rc = CUSTOS_OK;
    if (!s->derived) {
        head_new(s);
        rc = derive(s);
    }
    uint8_t *f = rc == CUSTOS_OK ? custos__malloc(len + PW_OVERHEAD) : NULL;
    if (f != NULL) {
        memcpy(f, s->head, PW_AD);
        randombytes_buf(f + PW_AD, 24);
        crypto_aead_xchacha20poly1305_ietf_encrypt(f + PW_HEAD, NULL, plain, len, f, PW_AD, NULL, f + PW_AD, s->key);
        *out = f;
        *out_len = len + PW_OVERHEAD;
    } else if (rc == CUSTOS_OK) {
        rc = CUSTOS_ENOMEM;
    }
    sodium_mprotect_noaccess(s);
    return rc;
}

/* Refuse parameters this build would not have written: a damaged or hostile file. */
static int check_head(const uint8_t *f, size_t len)
{
    if (len < 8 || memcmp(f, PW_MAGIC, 8) != 0)
        return custos__fail_noctx(CUSTOS_EKEY, "the key file is not sealed by a passphrase");
    if (len < PW_OVERHEAD)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "the passphrase key file is truncated");
    uint32_t version = (uint32_t)custos__le64_get((const uint8_t[8]){ f[8], f[9], f[10], f[11] });
    uint32_t alg = (uint32_t)custos__le64_get((const uint8_t[8]){ f[12], f[13], f[14], f[15] });
    if (version != PW_VERSION || alg != (uint32_t)crypto_pwhash_ALG_ARGON2ID13)
        return custos__fail_noctx(CUSTOS_EVERSION, "the passphrase key file has version %u, algorithm %u", version, alg);
    uint64_t ops = custos__le64_get(f + 16), mem = custos__le64_get(f + 24);
    if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE * 4 ||
        mem < crypto_pwhash_MEMLIMIT_MIN || mem > crypto_pwhash_MEMLIMIT_SENSITIVE * 4ull)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "the passphrase key file has out-of-range Argon2id parameters");
    return CUSTOS_OK;
}

static int pw_open(void *state, uint8_t *plain, size_t *plain_len, const uint8_t *f, size_t len)
{
    pw_secret *s = ((pw_state *)state)->sec;
    int rc = check_head(f, len);
    if (rc != CUSTOS_OK)
        return rc;
    sodium_mprotect_readwrite(s);
    memcpy(s->head, f, PW_AD);
    if (!s->derived)
        rc = derive(s);
    if (rc == CUSTOS_OK &&
        crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, f + PW_HEAD, len - PW_HEAD, f, PW_AD,
                                                   f + PW_AD, s->key) != 0)
        rc = custos__fail_noctx(CUSTOS_EKEY, "wrong passphrase (or the sealed key file was altered)");
    if (rc == CUSTOS_OK)
        *plain_len = len - PW_OVERHEAD;
    sodium_mprotect_noaccess(s);
    return rc;
}

static void pw_destroy(void *state)
{
    pw_state *p = state;
    if (p != NULL && p->sec != NULL)
        sodium_free(p->sec); /* wipes */
    custos__free(p);
}

static const custos__keyfile_codec pw_codec = { PW_OVERHEAD, pw_seal, pw_open, pw_destroy };

int custos_key_provider_passphrase(custos_key_provider **out, const char *passphrase, size_t len)
{
    if (out == NULL)
        return CUSTOS_EINVAL;
    *out = NULL;
    if (passphrase == NULL || len == 0 || len > 4096)
        return CUSTOS_EINVAL;
    if (sodium_init() < 0)
        return CUSTOS_ECRYPTO;
    pw_state *p = custos__calloc(1, sizeof *p);
    /* sodium_malloc aligns only sizes that are multiples of the alignment. */
    if (p == NULL || (p->sec = sodium_malloc((sizeof(pw_secret) + len + 15) & ~(size_t)15)) == NULL) {
        custos__free(p);
        return CUSTOS_ENOMEM;
    }
    custos__wipe(p->sec, sizeof(pw_secret));
    memcpy(p->sec->pass, passphrase, len);
    p->sec->pass_len = len;
    sodium_mprotect_noaccess(p->sec);
    return custos__key_provider_file_codec(out, &pw_codec, p);
}
