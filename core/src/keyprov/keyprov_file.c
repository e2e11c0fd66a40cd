/*
 * keyprov_file.c: the default key provider. Keys live in <store>/keys, mode
 * 0600, rewritten atomically on every change.
 *
 * KEY FILE LAYOUT (little-endian)
 *
 *   offset  size  field
 *   0       8     magic "CUSTOSKY"
 *   8       4     format version (1)
 *   12      4     n: number of live KEK generations (1..KEK_MAX)
 *   16      32    Ed25519 seed of the device signing key
 *   48      32    device index key (keyed hashes of subject ids)
 *   80      36*n  n x { generation u32, KEK 32 bytes }
 *   80+36n  32    BLAKE2b-256 of every byte before it
 *
 * The checksum detects a damaged file (CUSTOS_ECORRUPT); it is not a MAC:
 * whoever can write this file owns the keys anyway. In memory the keys sit in
 * one sodium_malloc'd region (guard pages, mlock'd, no core dump) that is
 * read-only between calls and wiped by sodium_free on close.
 */
#include "ground/internal.h"
#include "ground/pack.h"
#include "keyprov/keyprov_internal.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>

#define KF_MAGIC "CUSTOSKY"
#define KF_VERSION 1u
#define KEK_MAX 4u
#define KF_HEAD 80u
#define KF_ENTRY 36u

typedef struct { uint32_t gen; uint8_t kek[32]; } kek_slot;

typedef struct {
    uint8_t seed[32];
    uint8_t sign_sk[64];
    uint8_t sign_pk[32];
    uint8_t index_key[32];
    uint32_t n;
    kek_slot keks[KEK_MAX];
} key_material;

typedef struct {
    char *path;
    key_material *km; /* sodium_malloc'd */
    const custos__keyfile_codec *codec; /* NULL: the file holds the plain layout */
    void *codec_state;
} file_state;


static void km_unlock(file_state *s) { sodium_mprotect_readwrite(s->km); }
static void km_lock(file_state *s) { sodium_mprotect_readonly(s->km); }

static int save(file_state *s)
{
    size_t len = KF_HEAD + KF_ENTRY * s->km->n + 32;
    uint8_t *buf = sodium_malloc(len);
    if (buf == NULL)
        return CUSTOS_ENOMEM;
    memcpy(buf, KF_MAGIC, 8);
    custos__le32_put(buf + 8, KF_VERSION);
    custos__le32_put(buf + 12, s->km->n);
    memcpy(buf + 16, s->km->seed, 32);
    memcpy(buf + 48, s->km->index_key, 32);
    for (uint32_t i = 0; i < s->km->n; i++) {
        custos__le32_put(buf + KF_HEAD + KF_ENTRY * i, s->km->keks[i].gen);
        memcpy(buf + KF_HEAD + KF_ENTRY * i + 4, s->km->keks[i].kek, 32);
    }
    crypto_generichash(buf + len - 32, 32, buf, len - 32, NULL, 0);
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    int rc = s->codec == NULL ? CUSTOS_OK : s->codec->seal(s->codec_state, &sealed, &sealed_len, buf, len);
    if (rc == CUSTOS_OK)
        rc = custos__file_write_atomic(NULL, s->path, sealed ? sealed : buf, sealed ? sealed_len : len, 0600);
    custos__free(sealed);
    sodium_free(buf);
    return rc;
}

static int parse(file_state *s, const uint8_t *buf, size_t len)
{
    if (len < 8 || memcmp(buf, KF_MAGIC, 8) != 0)
        return custos__fail_noctx(CUSTOS_EKEY, "%s is not a Custos key file", s->path);
    if (len < KF_HEAD + 32)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s is truncated", s->path);
    if (custos__le32_get(buf + 8) > KF_VERSION)
        return custos__fail_noctx(CUSTOS_EVERSION, "%s was written by a newer Custos (key file version %u)",
                                 s->path, custos__le32_get(buf + 8));
    uint32_t n = custos__le32_get(buf + 12);
    if (n == 0 || n > KEK_MAX || len != KF_HEAD + KF_ENTRY * n + 32)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s has a bad length", s->path);
    uint8_t sum[32];
    crypto_generichash(sum, 32, buf, len - 32, NULL, 0);
    if (sodium_memcmp(sum, buf + len - 32, 32) != 0)
        return custos__fail_noctx(CUSTOS_ECORRUPT, "%s failed its checksum", s->path);
    memcpy(s->km->seed, buf + 16, 32);
    memcpy(s->km->index_key, buf + 48, 32);
    s->km->n = n;
    for (uint32_t i = 0; i < n; i++) {
        s->km->keks[i].gen = custos__le32_get(buf + KF_HEAD + KF_ENTRY * i);
        memcpy(s->km->keks[i].kek, buf + KF_HEAD + KF_ENTRY * i + 4, 32);
    }
    crypto_sign_seed_keypair(s->km->sign_pk, s->km->sign_sk, s->km->seed);
    return CUSTOS_OK;
}

/* Replace the file's bytes by their opened plaintext. */
static int codec_open(file_state *s, uint8_t **buf, size_t *len)
{
    uint8_t *plain = custos__malloc(*len);
    size_t plain_len = 0;
    int rc = plain == NULL ? CUSTOS_ENOMEM : s->codec->open(s->codec_state, plain, &plain_len, *buf, *len);
    custos__free(*buf);
    *buf = plain;
    *len = plain == NULL ? 0 : (rc == CUSTOS_OK ? plain_len : *len);
    if (rc != CUSTOS_OK && plain != NULL) {
        sodium_memzero(plain, *len);
        custos__free(plain);
        *buf = NULL;
        *len = 0;
    }
    return rc;
}

/* Refuse a key file that group or others may read or write: its keys
 * would be theirs. A missing file is left to the read that follows. */
static int check_private(const file_state *s)
{
    struct stat st;
    if (lstat(s->path, &st) != 0 || !S_ISREG(st.st_mode) || (st.st_mode & 077) == 0)
        return CUSTOS_OK;
    return custos__fail_noctx(CUSTOS_EKEY, "the key file %s is open to group or others (mode %03o): chmod 600 %s",
                             s->path, (unsigned)(st.st_mode & 0777), s->path);
}

static int fp_open(void *state, const char *dir, int create)
{
    file_state *s = state;
    s->path = custos__path_join(dir, "keys");
    s->km = sodium_malloc(sizeof *s->km);
    if (s->path == NULL || s->km == NULL)
        return CUSTOS_ENOMEM;
    custos__wipe(s->km, sizeof *s->km); /* key material: the one wipe routine, never memset */
    uint8_t *buf = NULL;
    size_t len = 0;
    size_t overhead = s->codec != NULL ? s->codec->overhead : 0;
    int rc = check_private(s);
    if (rc == CUSTOS_OK)
        rc = custos__file_read(NULL, s->path, &buf, &len, KF_HEAD + KF_ENTRY * KEK_MAX + 32 + overhead);
    if (rc == CUSTOS_OK && s->codec != NULL)
        rc = codec_open(s, &buf, &len);
    if (rc == CUSTOS_OK) {
        rc = parse(s, buf, len);
        sodium_memzero(buf, len);
        custos__free(buf);
    } else if (rc == CUSTOS_ENOTFOUND && create) {
        randombytes_buf(s->km->seed, 32);
        randombytes_buf(s->km->index_key, 32);
        s->km->n = 1;
        s->km->keks[0].gen = 1;
        randombytes_buf(s->km->keks[0].kek, 32);
        crypto_sign_seed_keypair(s->km->sign_pk, s->km->sign_sk, s->km->seed);
        rc = save(s);
    } else if (rc == CUSTOS_ENOTFOUND) {
        rc = custos__fail_noctx(CUSTOS_EKEY, "the key file %s is missing", s->path);
    }
    km_lock(s);
    return rc;
}

static void fp_close(void *state)
{
    file_state *s = state;
    if (s->km != NULL)
        sodium_free(s->km); /* wipes */
    s->km = NULL;
    custos__free(s->path);
    s->path = NULL;
}

static const kek_slot *find(const file_state *s, uint32_t gen)
{
    for (uint32_t i = 0; i < s->km->n; i++)
        if (s->km->keks[i].gen == gen)
            return &s->km->keks[i];
    return NULL;
}

static int fp_kek_current(void *state, uint32_t *out)
{
    file_state *s = state;
    uint32_t best = 0;
    for (uint32_t i = 0; i < s->km->n; i++)
        if (s->km->keks[i].gen > best)
            best = s->km->keks[i].gen;
    *out = best;
    return best == 0 ? CUSTOS_EKEY : CUSTOS_OK;
}

static int fp_kek_create(void *state, uint32_t *out)
{
    file_state *s = state;
    if (s->km->n == KEK_MAX)
        return CUSTOS_ESTATE;
    uint32_t cur;
    int rc = fp_kek_current(state, &cur);
    if (rc != CUSTOS_OK)
        return rc;
    km_unlock(s);
    kek_slot *k = &s->km->keks[s->km->n++];
    k->gen = cur + 1;
    randombytes_buf(k->kek, 32);
    rc = save(s);
    if (rc != CUSTOS_OK) {
        sodium_memzero(k, sizeof *k);
        s->km->n--;
    } else {
        *out = k->gen;
    }
    km_lock(s);
    return rc;
}

static int fp_kek_destroy(void *state, uint32_t gen)
{
    file_state *s = state;
    uint32_t i;
    for (i = 0; i < s->km->n && s->km->keks[i].gen != gen; i++)
        ;
    if (i == s->km->n)
        return CUSTOS_ENOTFOUND;
    if (s->km->n == 1)
        return CUSTOS_ESTATE; /* never destroy the last KEK: create its successor first */
    km_unlock(s);
    kek_slot saved = s->km->keks[i];
    s->km->keks[i] = s->km->keks[s->km->n - 1];
    sodium_memzero(&s->km->keks[s->km->n - 1], sizeof(kek_slot));
    s->km->n--;
    int rc = save(s);
    if (rc != CUSTOS_OK) {
        s->km->keks[s->km->n++] = saved; /* the file still holds it: keep memory in step */
    }
    sodium_memzero(&saved, sizeof saved);
    km_lock(s);
    return rc;
}

static int fp_wrap(void *state, uint32_t gen, uint8_t *out, size_t out_size, size_t *out_len,
                   const uint8_t *key, size_t key_len, const uint8_t *ad, size_t ad_len)
{
    file_state *s = state;
    const kek_slot *k = find(s, gen);
    if (k == NULL)
        return CUSTOS_EKEY;
    size_t need = key_len + CUSTOS_WRAP_OVERHEAD;
    *out_len = need;
    if (out_size < need)
        return CUSTOS_ERANGE;
    uint8_t *nonce = out;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + 24, NULL, key, key_len, ad, ad_len, NULL, nonce, k->kek);
    return CUSTOS_OK;
}

static int fp_unwrap(void *state, uint32_t gen, uint8_t *out, size_t out_size, size_t *out_len,
                     const uint8_t *wrapped, size_t wrapped_len, const uint8_t *ad, size_t ad_len)
{
    file_state *s = state;
    const kek_slot *k = find(s, gen);
    if (k == NULL)
        return CUSTOS_EKEY;
    if (wrapped_len < CUSTOS_WRAP_OVERHEAD)
        return CUSTOS_ECORRUPT;
    size_t need = wrapped_len - CUSTOS_WRAP_OVERHEAD;
    *out_len = need;
    if (out_size < need)
        return CUSTOS_ERANGE;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, wrapped + 24, wrapped_len - 24,
                                                   ad, ad_len, wrapped, k->kek) != 0)
        return CUSTOS_EKEY;
    return CUSTOS_OK;
}

static int fp_sign(void *state, uint8_t sig[64], const uint8_t *msg, size_t len)
{
    file_state *s = state;
    if (s->km->n == 0)
        return CUSTOS_EKEY;
    crypto_sign_detached(sig, NULL, msg, len, s->km->sign_sk);
    return CUSTOS_OK;
}

static int fp_public_key(void *state, uint8_t pk[32])
{
    file_state *s = state;
    memcpy(pk, s->km->sign_pk, 32);
    return CUSTOS_OK;
}

static int fp_index_key(void *state, uint8_t key[32])
{
    file_state *s = state;
    memcpy(key, s->km->index_key, 32);
    return CUSTOS_OK;
}

static int fp_destroy_all(void *state)
{
    file_state *s = state;
    km_unlock(s);
    sodium_memzero(s->km, sizeof *s->km);
    km_lock(s);
    return custos__file_shred(NULL, s->path);
}

static int fp_hardware_backed(void *state) { (void)state; return 0; }

int custos_key_provider_file(custos_key_provider **out)
{
    return custos__key_provider_file_codec(out, NULL, NULL);
}

int custos__key_provider_file_codec(custos_key_provider **out, const custos__keyfile_codec *codec, void *cstate)
{
    if (out == NULL)
        return CUSTOS_EINVAL;
    *out = NULL;
    custos_key_provider *kp = custos__calloc(1, sizeof *kp);
    file_state *s = custos__calloc(1, sizeof *s);
    if (kp == NULL || s == NULL) {
        custos__free(kp);
        custos__free(s);
        if (codec != NULL)
            codec->destroy(cstate);
        return CUSTOS_ENOMEM;
    }
    s->codec = codec;
    s->codec_state = cstate;
    *kp = (custos_key_provider){
        .version = CUSTOS_KEY_PROVIDER_VERSION, .state = s,
        .open = fp_open, .close = fp_close,
        .kek_current = fp_kek_current, .kek_create = fp_kek_create, .kek_destroy = fp_kek_destroy,
        .wrap = fp_wrap, .unwrap = fp_unwrap, .sign = fp_sign, .public_key = fp_public_key,
        .index_key = fp_index_key, .destroy_all = fp_destroy_all, .hardware_backed = fp_hardware_backed,
    };
    *out = kp;
    return CUSTOS_OK;
}

void custos_key_provider_free(custos_key_provider *kp)
{
    if (kp == NULL)
        return;
    if (kp->close != NULL && kp->state != NULL)
        kp->close(kp->state);
    file_state *s = kp->state;
    if (s != NULL && s->codec != NULL)
        s->codec->destroy(s->codec_state);
    custos__free(kp->state);
    custos__free(kp);
}
