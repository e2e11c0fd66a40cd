/*
 * receipt.c: deletion receipts and erase requests, signed and checked.
 *
 * Both travel as a SignedMessage (schemas/custos/v1/sync.proto):
 *   body_type  BODY_DELETION_RECEIPT or BODY_ERASE_REQUEST
 *   body       the encoded DeletionReceipt / EraseRequest: exactly the bytes signed
 *   signer     the 32-byte Ed25519 public key of the device
 *   signature  64-byte Ed25519 signature over body
 * The body repeats its body_type, so that a receipt cannot pass as a
 * request. Verification checks the signature over the body bytes received
 * and only then decodes them; nothing is ever re-encoded before checking.
 */
#include "erase_internal.h"
#include "custos/v1/sync.pb-c.h"

#include <sodium.h>
#include <string.h>

/* Wrap body in a SignedMessage signed by the provider's device key. */
static int sign_envelope(custos_t *ctx, const custos_key_provider *kp, Custos__V1__BodyType type,
                         const uint8_t *body, size_t body_len, uint8_t **out, size_t *out_len)
{
    uint8_t pk[32], sig[64];
    int rc = kp->public_key(kp->state, pk);
    if (rc == CUSTOS_OK)
        rc = kp->sign(kp->state, sig, body, body_len);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "the key provider could not sign the erase record: %s", custos_strerror(rc));
    Custos__V1__SignedMessage m = CUSTOS__V1__SIGNED_MESSAGE__INIT;
    m.body_type = type;
    m.body = (ProtobufCBinaryData){ body_len, (uint8_t *)body };
    m.signer = (ProtobufCBinaryData){ 32, pk };
    m.signature = (ProtobufCBinaryData){ 64, sig };
    *out_len = custos__v1__signed_message__get_packed_size(&m);
    if ((*out = custos__malloc(*out_len)) == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    custos__v1__signed_message__pack(&m, *out);
    return CUSTOS_OK;
}

static int pack_and_sign(custos_t *ctx, const custos_key_provider *kp, Custos__V1__BodyType type,
                         const ProtobufCMessage *msg, uint8_t **out, size_t *out_len)
{
    size_t len = protobuf_c_message_get_packed_size(msg);
    uint8_t *body = custos__malloc(len ? len : 1);
    if (body == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    protobuf_c_message_pack(msg, body);
    int rc = sign_envelope(ctx, kp, type, body, len, out, out_len);
    custos__free(body);
    return rc;
}

int custos_erase__receipt_sign(custos_t *ctx, const custos_key_provider *kp, const uint8_t device_id[16],
                        const erase_facts *f, uint8_t **out, size_t *out_len)
{
    const erase_intent *in = f->intent;
    uint8_t pk[32];
    int rc = kp->public_key(kp->state, pk);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "the key provider has no device key");
    size_t n_keys = f->n_keys > ERASE_MAX_KEY_IDS ? ERASE_MAX_KEY_IDS : f->n_keys;
    ProtobufCBinaryData ids[ERASE_MAX_KEY_IDS];
    for (size_t i = 0; i < n_keys; i++)
        ids[i] = (ProtobufCBinaryData){ ERASE_KEY_ID_BYTES, (uint8_t *)f->key_ids[i] };
    Custos__V1__StorageKind storage[8];
    size_t n_storage = f->n_storage > 8 ? 8 : f->n_storage;
    for (size_t i = 0; i < n_storage; i++)
        storage[i] = (Custos__V1__StorageKind)f->storage[i];

    Custos__V1__DeletionReceipt r = CUSTOS__V1__DELETION_RECEIPT__INIT;
    r.body_type = CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT;
    r.device_id = (ProtobufCBinaryData){ 16, (uint8_t *)device_id };
    r.receipt_id = (ProtobufCBinaryData){ 16, (uint8_t *)in->receipt_id };
    r.scope = (Custos__V1__EraseScope)in->scope;
    if (in->scope == ERASE_SCOPE_SUBJECT || in->scope == ERASE_SCOPE_PURPOSE) {
        r.has_subject_hash = 1;
        r.subject_hash = (ProtobufCBinaryData){ 32, (uint8_t *)in->subject_hash };
    }
    if (in->scope == ERASE_SCOPE_PURPOSE) {
        r.has_purpose = 1;
        r.purpose = in->purpose;
    }
    r.method = (Custos__V1__EraseMethod)f->method;
    r.n_destroyed_key_ids = n_keys;
    r.destroyed_key_ids = ids;
    r.n_storage = n_storage;
    r.storage = storage;
    r.verified = f->verified ? 1 : 0;
    r.has_records_removed = in->scope != ERASE_SCOPE_RESET; /* a reset does not count records */
    r.records_removed = f->removed > UINT32_MAX ? UINT32_MAX : (uint32_t)f->removed;
    r.time = in->time;
    r.has_signer_public_key = 1;
    r.signer_public_key = (ProtobufCBinaryData){ 32, pk };
    return pack_and_sign(ctx, kp, CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT, &r.base, out, out_len);
}

int custos_erase__request_sign(custos_t *ctx, const custos_key_provider *kp, const uint8_t device_id[16],
                        const erase_intent *in, uint32_t counter, uint8_t **out, size_t *out_len)
{
    Custos__V1__EraseRequest q = CUSTOS__V1__ERASE_REQUEST__INIT;
    q.body_type = CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST;
    q.device_id = (ProtobufCBinaryData){ 16, (uint8_t *)device_id };
    /* The request id is the receipt id: one erase, one receipt, one request. */
    q.request_id = (ProtobufCBinaryData){ 16, (uint8_t *)in->receipt_id };
    q.counter = counter;
    q.scope = (Custos__V1__EraseScope)in->scope;
    if (in->scope == ERASE_SCOPE_SUBJECT || in->scope == ERASE_SCOPE_PURPOSE) {
        q.has_subject_hash = 1;
        q.subject_hash = (ProtobufCBinaryData){ 32, (uint8_t *)in->subject_hash };
    }
    if (in->scope == ERASE_SCOPE_PURPOSE) {
        q.has_purpose = 1;
        q.purpose = in->purpose;
    }
    q.time = in->time;
    return pack_and_sign(ctx, kp, CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST, &q.base, out, out_len);
}

/*
 * Check the envelope: its type, that public_key signed it (when given), and
 * the signature over the body bytes. On success *env is the decoded
 * envelope (free with custos__v1__signed_message__free_unpacked).
 */
static int open_envelope(Custos__V1__SignedMessage **env, const uint8_t *msg, size_t len,
                         Custos__V1__BodyType type, const uint8_t *public_key)
{
    *env = custos__v1__signed_message__unpack(custos__pbc_allocator(), len, msg);
    if (*env == NULL) { /* the literal return keeps the analyser's path through the callers */
        (void)custos__fail_noctx(CUSTOS_ECORRUPT, "%zu bytes that are not a SignedMessage", len);
        return CUSTOS_ECORRUPT;
    }
    Custos__V1__SignedMessage *m = *env;
    int rc = CUSTOS_OK;
    if (m->body_type != type || m->signer.len != 32 || m->signature.len != 64)
        rc = custos__fail_noctx(CUSTOS_ECORRUPT, "a SignedMessage of body type %d (expected %d) or with a malformed "
                                "signer or signature", (int)m->body_type, (int)type);
    else if (public_key != NULL && sodium_memcmp(m->signer.data, public_key, 32) != 0)
        rc = custos__fail_noctx(CUSTOS_ESIGNATURE, "signed by another key than the one given");
    else if (crypto_sign_verify_detached(m->signature.data, m->body.data, m->body.len, m->signer.data) != 0)
        rc = custos__fail_noctx(CUSTOS_ESIGNATURE, "the Ed25519 signature does not verify");
    if (rc != CUSTOS_OK) {
        custos__v1__signed_message__free_unpacked(m, custos__pbc_allocator());
        *env = NULL;
    }
    return rc;
}

static int receipt_decode(Custos__V1__DeletionReceipt **out, Custos__V1__SignedMessage **env,
                          const uint8_t *msg, size_t len, const uint8_t *public_key)
{
    *out = NULL;
    int rc = open_envelope(env, msg, len, CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT, public_key);
    if (rc != CUSTOS_OK)
        return rc;
    Custos__V1__DeletionReceipt *r =
        custos__v1__deletion_receipt__unpack(custos__pbc_allocator(), (*env)->body.len, (*env)->body.data);
    if (r == NULL || r->body_type != CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT || r->device_id.len != 16 ||
        r->receipt_id.len != 16 || (r->has_subject_hash && r->subject_hash.len != 32) ||
        (r->has_signer_public_key && (r->signer_public_key.len != 32 ||
                                      sodium_memcmp(r->signer_public_key.data, (*env)->signer.data, 32) != 0))) {
        if (r != NULL)
            custos__v1__deletion_receipt__free_unpacked(r, custos__pbc_allocator());
        custos__v1__signed_message__free_unpacked(*env, custos__pbc_allocator());
        *env = NULL;
        (void)custos__fail_noctx(CUSTOS_ECORRUPT, "a signed body that is not a well-formed DeletionReceipt");
        return CUSTOS_ECORRUPT;
    }
    *out = r;
    return CUSTOS_OK;
}

int custos_receipt_verify(const uint8_t *receipt, size_t len, const uint8_t public_key[32])
{
    if (receipt == NULL || public_key == NULL)
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_receipt_verify: no receipt or no public key");
    Custos__V1__DeletionReceipt *r = NULL;
    Custos__V1__SignedMessage *env = NULL;
    int rc = receipt_decode(&r, &env, receipt, len, public_key);
    if (rc == CUSTOS_OK) {
        custos__v1__deletion_receipt__free_unpacked(r, custos__pbc_allocator());
        custos__v1__signed_message__free_unpacked(env, custos__pbc_allocator());
    }
    return rc;
}

/* --- JSON ---------------------------------------------------------------- */

typedef struct jbuf { char *p; size_t size, len; } jbuf;

static void jput(jbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n < b->size)
        memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

/* A quoted lowercase hex string of at most 64 bytes. */
static void jhexval(jbuf *b, const uint8_t *d, size_t n)
{
    char hex[2 * 64 + 1];
    sodium_bin2hex(hex, sizeof hex, d, n > 64 ? 64 : n);
    jput(b, "\"");
    jput(b, hex);
    jput(b, "\"");
}

static void jhex(jbuf *b, const char *key, const uint8_t *d, size_t n)
{
    jput(b, ",\"");
    jput(b, key);
    jput(b, "\":");
    jhexval(b, d, n);
}

static void jnum(jbuf *b, const char *key, uint64_t v)
{
    char num[32];
    int i = (int)sizeof num - 1;
    num[i] = '\0';
    do {
        num[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    jput(b, ",\"");
    jput(b, key);
    jput(b, "\":");
    jput(b, num + i);
}

static const char *scope_name(int s)
{
    static const char *const names[] = { "unspecified", "subject", "subject-purpose", "factory-reset", "expired" };
    return s >= 0 && s <= 4 ? names[s] : "unknown";
}

static const char *method_name(int m)
{
    static const char *const names[] = { "unspecified", "cryptographic-erase-then-removal", "removal",
                                         "overwrite-then-unlink" };
    return m >= 0 && m <= 3 ? names[m] : "unknown";
}

static const char *storage_name(int s)
{
    static const char *const names[] = { "unspecified", "database", "wal", "key-file", "journal", "flash",
                                         "keystore", "export" };
    return s >= 0 && s <= 7 ? names[s] : "unknown";
}

static void render(jbuf *b, const Custos__V1__DeletionReceipt *r, const Custos__V1__SignedMessage *env)
{
    jput(b, "{\"type\":\"DeletionReceipt\"");
    jhex(b, "receipt_id", r->receipt_id.data, r->receipt_id.len);
    jhex(b, "device_id", r->device_id.data, r->device_id.len);
    jput(b, ",\"scope\":\"");
    jput(b, scope_name(r->scope));
    jput(b, "\"");
    if (r->has_subject_hash)
        jhex(b, "subject_hash", r->subject_hash.data, r->subject_hash.len);
    if (r->has_purpose)
        jnum(b, "purpose", r->purpose);
    jput(b, ",\"method\":\"");
    jput(b, method_name(r->method));
    jput(b, "\",\"destroyed_key_ids\":[");
    for (size_t i = 0; i < r->n_destroyed_key_ids; i++) {
        if (i > 0)
            jput(b, ",");
        jhexval(b, r->destroyed_key_ids[i].data, r->destroyed_key_ids[i].len);
    }
    jput(b, "],\"storage\":[");
    for (size_t i = 0; i < r->n_storage; i++) {
        jput(b, i > 0 ? ",\"" : "\"");
        jput(b, storage_name(r->storage[i]));
        jput(b, "\"");
    }
    jput(b, r->verified ? "],\"verified\":true" : "],\"verified\":false");
    if (r->has_records_removed)
        jnum(b, "records_removed", r->records_removed);
    jnum(b, "time", r->time);
    jhex(b, "signer", env->signer.data, env->signer.len);
    jhex(b, "signature", env->signature.data, env->signature.len);
    jput(b, "}");
}

int custos_receipt_json(char *out, size_t out_size, size_t *out_len, const uint8_t *receipt, size_t len)
{
    if (out_len == NULL || receipt == NULL || (out == NULL && out_size > 0))
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_receipt_json: no output length, no receipt or no buffer");
    Custos__V1__DeletionReceipt *r = NULL;
    Custos__V1__SignedMessage *env = NULL;
    int rc = receipt_decode(&r, &env, receipt, len, NULL);
    if (rc == CUSTOS_ESIGNATURE) { /* a receipt whose own signature fails is not rendered */
        rc = CUSTOS_ECORRUPT;
        (void)custos__fail_noctx(rc, "the receipt's own signature does not verify");
    }
    if (rc != CUSTOS_OK)
        return rc;
    jbuf b = { out, out_size, 0 };
    if (out_size > 0)
        out[0] = '\0';
    render(&b, r, env);
    custos__v1__deletion_receipt__free_unpacked(r, custos__pbc_allocator());
    custos__v1__signed_message__free_unpacked(env, custos__pbc_allocator());
    *out_len = b.len;
    if (b.len + 1 > out_size) {
        if (out_size > 0)
            out[0] = '\0';
        return CUSTOS_ERANGE;
    }
    return CUSTOS_OK;
}

/* --- Receiving a request ---------------------------------------------------- */

static int replay_seen(const custos_erase_replay_state *st, const uint8_t id[16])
{
    uint32_t n = st->n_ids > CUSTOS_ERASE_REPLAY_IDS ? CUSTOS_ERASE_REPLAY_IDS : st->n_ids;
    for (uint32_t i = 0; i < n; i++)
        if (sodium_memcmp(st->ids[i], id, 16) == 0)
            return 1;
    return 0;
}

static void replay_remember(custos_erase_replay_state *st, const uint8_t id[16], uint32_t counter)
{
    uint32_t n = st->n_ids > CUSTOS_ERASE_REPLAY_IDS ? CUSTOS_ERASE_REPLAY_IDS : st->n_ids;
    if (n == CUSTOS_ERASE_REPLAY_IDS) {
        memmove(st->ids[0], st->ids[1], (CUSTOS_ERASE_REPLAY_IDS - 1) * 16);
        n--;
    }
    memcpy(st->ids[n], id, 16);
    st->n_ids = n + 1;
    st->last_counter = counter;
}

static void request_info(custos_erase_request_info *out, const Custos__V1__EraseRequest *q)
{
    memset(out, 0, sizeof *out); /* not secret */
    memcpy(out->device_id, q->device_id.data, 16);
    memcpy(out->request_id, q->request_id.data, 16);
    out->counter = q->counter;
    out->scope = q->scope;
    out->has_subject_hash = q->has_subject_hash;
    if (q->has_subject_hash)
        memcpy(out->subject_hash, q->subject_hash.data, 32);
    out->has_purpose = q->has_purpose;
    out->purpose = q->purpose;
    out->time = q->time;
}

int custos_erase_request_accept(custos_erase_request_info *out, custos_erase_replay_state *state,
                                const uint8_t *msg, size_t len, const uint8_t device_public_key[32])
{
    if (out == NULL || state == NULL || msg == NULL || device_public_key == NULL)
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_erase_request_accept: an argument is NULL");
    Custos__V1__SignedMessage *env = NULL;
    int rc = open_envelope(&env, msg, len, CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST, device_public_key);
    if (rc != CUSTOS_OK)
        return rc;
    Custos__V1__EraseRequest *q =
        custos__v1__erase_request__unpack(custos__pbc_allocator(), env->body.len, env->body.data);
    if (q == NULL || q->body_type != CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST || q->device_id.len != 16 ||
        q->request_id.len != 16 || (q->has_subject_hash && q->subject_hash.len != 32)) {
        rc = CUSTOS_ECORRUPT;
        (void)custos__fail_noctx(rc, "a signed body that is not a well-formed EraseRequest");
    } else if (replay_seen(state, q->request_id.data)) {
        rc = CUSTOS_EREPLAY;
        (void)custos__fail_noctx(rc, "this request id was accepted before");
    } else if (q->counter <= state->last_counter) {
        rc = CUSTOS_EREPLAY;
        (void)custos__fail_noctx(rc, "counter %u is not above %u, the last accepted", q->counter, state->last_counter);
    }
    if (rc == CUSTOS_OK) {
        request_info(out, q);
        replay_remember(state, q->request_id.data, q->counter);
    }
    if (q != NULL)
        custos__v1__erase_request__free_unpacked(q, custos__pbc_allocator());
    custos__v1__signed_message__free_unpacked(env, custos__pbc_allocator());
    return rc;
}
