/*
 * companion.c: the smart camera's companion app on the Custos core, and the
 * narrator of the end-to-end demo (scripts/demo).
 *
 * It walks the camera through the JC-STAR lifecycle: factory, first use,
 * operation, a policy update, an incident, a household member leaving, and
 * decommissioning. The app side is this program (the core, an SQLite store
 * in OUT/app-store); the camera is the firmware program on the device layer
 * (examples/smart-camera/firmware, its flash simulated in OUT/camera); the
 * associated cloud service is a folder (OUT/cloud): the app drops the signed
 * erase requests there and the "service" (a function below, as a real
 * service would run it) verifies each and recognises a replay. Files rather
 * than a socket keep the demo free of network set-up and leave every
 * message on disk for inspection.
 *
 * Every claim the narration makes is checked; the program exits 1 if any
 * fails, so CI runs it as a test.
 *
 *   camera-companion --firmware PATH --examples DIR --out DIR
 */
#define _GNU_SOURCE
#include <custos/custos.h>

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Purpose and category ids of examples/smart-camera/privacy.yaml. */
enum { P_OPERATION = 1, P_CLOUD_RECORDING = 2, P_ANALYTICS = 3, P_AI_TRAINING = 4 };
enum { C_VIDEO = 1, C_AUDIO = 2, C_PRESENCE = 3, C_TELEMETRY = 5 };
/* Each person's slot on the camera. */
enum { SLOT_ALICE = 0, SLOT_BOB = 1 };

static const char *const CANARY_ALICE = "CANARY-alice-clip-7f3a";
static const char *const CANARY_BOB = "CANARY-bob-clip-91c2";

static struct {
    const char *firmware, *examples, *out;
    int claims, failed;
} demo;

/* ---- narration and claims ------------------------------------------------ */

static void stage(const char *title, const char *why)
{
    printf("\n=== %s ===\n    %s\n", title, why);
}

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  - ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

static void claim(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  %s ", ok ? "[ok]  " : "[FAIL]");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    demo.claims++;
    if (!ok)
        demo.failed++;
}

static void die(const char *what, int rc, custos_t *ctx)
{
    fprintf(stderr, "camera-companion: %s: %s: %s\n", what, custos_strerror(rc),
            ctx ? custos_errmsg(ctx) : custos_last_error());
    exit(1);
}

#define MUST(ctx, call) do { int rc_ = (call); if (rc_ != CUSTOS_OK) die(#call, rc_, ctx); } while (0)

/* ---- files --------------------------------------------------------------- */

static char *path_of(const char *dir, const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", dir, name) < 0)
        exit(1);
    return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "camera-companion: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n)
        exit(1);
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

static void spit(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "camera-companion: cannot write %s\n", path);
        exit(1);
    }
}

static void mkdirs(const char *dir)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "camera-companion: mkdir %s: %s\n", dir, strerror(errno));
        exit(1);
    }
}

static void hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* ---- the camera (firmware program) --------------------------------------- */

/* Run the firmware with one optional extra option; its output (stdout and
 * stderr) goes to *out (malloc'd). Returns its exit status. */
static int camera(char **out, const char *opt, const char *value)
{
    char *identity = path_of(demo.out, "camera");
    char *cmd = NULL;
    if (asprintf(&cmd, "'%s' --identity '%s' --flash '%s/flash.bin'%s%s%s%s 2>&1", demo.firmware,
                 identity, identity, opt ? " " : "", opt ? opt : "", value ? " " : "",
                 value ? value : "") < 0)
        exit(1);
    FILE *p = popen(cmd, "r");
    if (p == NULL)
        exit(1);
    size_t cap = 8192, len = 0, n;
    char *buf = malloc(cap);
    while (buf != NULL && (n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    if (buf == NULL)
        exit(1);
    buf[len] = 0;
    int status = pclose(p);
    free(cmd);
    free(identity);
    *out = buf;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int has_line(const char *output, const char *line)
{
    const char *p = output;
    size_t n = strlen(line);
    while ((p = strstr(p, line)) != NULL) {
        if ((p == output || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

static void show_camera(const char *output, const char *prefix)
{
    for (const char *l = output; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (strncmp(l, prefix, strlen(prefix)) == 0)
            printf("      camera> %.*s\n", (int)n, l);
        l += n + (e != NULL);
    }
}

/* ---- the lifecycle --------------------------------------------------------- */

typedef struct {
    custos_t *app;
    uint8_t *v1, *v2;
    size_t v1_len, v2_len;
    custos_subject alice, bob;
    uint8_t cam_pk[32], cam_id[16], app_pk[32];
    custos_record_id alice_clip, bob_clip;
} lifecycle;

static void factory(lifecycle *lc)
{
    stage("1. Factory", "No shared secret leaves the factory: each unit makes its own keys on first boot.");
    char *out = NULL;
    int rc = camera(&out, NULL, NULL);
    show_camera(out, "first boot");
    claim(rc == 0, "the camera generated its own device key and id on first boot");
    free(out);

    char *cam = path_of(demo.out, "camera");
    char *pk = path_of(cam, "device.pub"), *id = path_of(cam, "device.id");
    size_t n = 0;
    uint8_t *b = slurp(pk, &n);
    claim(n == 32, "the camera's public key is 32 bytes (Ed25519)");
    memcpy(lc->cam_pk, b, 32);
    free(b);
    b = slurp(id, &n);
    claim(n == 16, "the camera's id is 16 random bytes");
    memcpy(lc->cam_id, b, 16);
    free(b);
    free(pk);
    free(id);
    free(cam);

    char *store = path_of(demo.out, "app-store");
    MUST(NULL, custos_open(&lc->app, store, NULL));
    MUST(lc->app, custos_device_public_key(lc->app, lc->app_pk));
    free(store);
    char a[65], c[65];
    hex(a, lc->app_pk, 8);
    hex(c, lc->cam_pk, 8);
    say("companion app key %s..., camera key %s...", a, c);
    claim(memcmp(lc->app_pk, lc->cam_pk, 32) != 0, "the app and the camera hold different keys");
}

static uint8_t *compile(const char *yaml_name, const uint8_t *previous, size_t previous_len, size_t *len)
{
    char *path = path_of(demo.examples, yaml_name);
    size_t ylen = 0;
    uint8_t *yaml = slurp(path, &ylen);
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    o.previous = previous;
    o.previous_len = previous_len;
    custos_manifest_error err;
    uint8_t *out = NULL, id[32];
    int rc = custos_manifest_compile(&out, len, id, (const char *)yaml, ylen, yaml_name, &o, &err);
    if (rc != CUSTOS_OK) {
        fprintf(stderr, "camera-companion: %s\n", err.message);
        exit(1);
    }
    char h[65];
    hex(h, id, 8);
    say("compiled %s: manifest id %s...", yaml_name, h);
    free(yaml);
    free(path);
    return out;
}

static void write_disclosures(const uint8_t *m, size_t len, const char *dir)
{
    mkdirs(dir);
    int written = 0;
    for (int f = CUSTOS_DISCLOSE_FORMAT_FIRST; f <= CUSTOS_DISCLOSE_FORMAT_LAST; f++) {
        const char *langs[] = { "en", "ja" };
        int nl = custos_disclose_format_localized((custos_disclose_format)f) ? 2 : 1;
        for (int l = 0; l < nl; l++) {
            custos_disclose_options o = CUSTOS_DISCLOSE_OPTIONS_INIT;
            o.lang = langs[l];
            char *doc = NULL, name[128];
            size_t dlen = 0, nlen = 0;
            custos_manifest_error err;
            int rc = custos_disclose(&doc, &dlen, m, len, (custos_disclose_format)f, &o, &err);
            if (rc != CUSTOS_OK) {
                fprintf(stderr, "camera-companion: disclose %s: %s\n",
                        custos_disclose_format_name((custos_disclose_format)f), err.message);
                exit(1);
            }
            if (custos_disclose_file_name(name, sizeof name, &nlen, (custos_disclose_format)f, langs[l]) != 0)
                exit(1);
            char *p = path_of(dir, name);
            spit(p, doc, dlen);
            free(p);
            custos_disclose_free(doc);
            written++;
        }
    }
    say("%d disclosures written to %s (notices in English and Japanese, xcprivacy, Play CSV, DPV, ETSI, JC-STAR)", written, dir);
}

static void give(custos_t *app, custos_subject s, uint32_t purpose, int yes, const uint8_t notice_hash[32], const char *lang)
{
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    info.method = CUSTOS_METHOD_COMPANION_APP;
    info.notice_hash = notice_hash;
    info.notice_lang = lang;
    int rc = yes ? custos_consent_give(app, s, purpose, &info) : custos_consent_refuse(app, s, purpose, &info);
    if (rc != CUSTOS_OK)
        die(yes ? "custos_consent_give" : "custos_consent_refuse", rc, app);
}

static void sync_to_camera(lifecycle *lc, const custos_consent_change *ch, size_t n, const char *file, char **cam_out)
{
    uint8_t msg[1024];
    size_t len = 0;
    MUST(lc->app, custos_sync_encode_update(lc->app, msg, sizeof msg, &len, lc->cam_id, ch, n));
    char *p = path_of(demo.out, file);
    spit(p, msg, len);
    say("signed consent update: %zu bytes (%s)", len, file);
    int rc = camera(cam_out, "--update", p);
    show_camera(*cam_out, "update");
    claim(rc == 0, "the camera verified the app's signature and applied the update");
    free(p);
}

static void first_use(lifecycle *lc)
{
    stage("2. First use", "The app shows the notice generated from the manifest; choices become signed consent events, synced to the camera.");
    lc->v1 = compile("privacy.yaml", NULL, 0, &lc->v1_len);
    char *dir = path_of(demo.out, "disclosures");
    write_disclosures(lc->v1, lc->v1_len, dir);
    char *ja = path_of(dir, "privacy-notice.ja.md"), *en = path_of(dir, "privacy-notice.en.md");
    struct stat st;
    claim(stat(en, &st) == 0 && st.st_size > 0 && stat(ja, &st) == 0 && st.st_size > 0,
          "a privacy notice exists in English and in Japanese");
    size_t nlen = 0;
    uint8_t *notice = slurp(ja, &nlen), nh[32];
    MUST(NULL, custos_notice_hash(nh, notice, nlen));
    free(notice);
    free(ja);
    free(en);
    free(dir);

    MUST(lc->app, custos_manifest_load(lc->app, lc->v1, lc->v1_len));
    MUST(lc->app, custos_subject_add(lc->app, &lc->alice, "alice@example.com", CUSTOS_ROLE_OWNER));
    MUST(lc->app, custos_subject_add(lc->app, &lc->bob, "bob@example.com", CUSTOS_ROLE_HOUSEHOLD_MEMBER));
    say("registered the owner (Alice) and a household member (Bob); the store keeps only keyed hashes of their ids");

    give(lc->app, lc->alice, P_CLOUD_RECORDING, 1, nh, "ja");
    give(lc->app, lc->alice, P_ANALYTICS, 0, nh, "ja");
    give(lc->app, lc->alice, P_AI_TRAINING, 0, nh, "ja");
    give(lc->app, lc->bob, P_CLOUD_RECORDING, 1, nh, "en");
    give(lc->app, lc->bob, P_ANALYTICS, 1, nh, "en");
    say("Alice (read the Japanese notice): cloud recording yes, analytics no, AI training no");
    say("Bob (read the English notice): cloud recording yes, analytics yes");

    MUST(lc->app, custos_pair(lc->app, lc->cam_pk, lc->cam_id));
    char *apppub = path_of(demo.out, "app.pub");
    spit(apppub, lc->app_pk, 32);
    char *out = NULL;
    int rc = camera(&out, "--pair", apppub);
    claim(rc == 0 && has_line(out, "pair: ok"), "the app and the camera paired (each registered the other's public key)");
    free(out);
    free(apppub);

    const custos_consent_change ch[] = {
        { SLOT_ALICE, P_CLOUD_RECORDING, CUSTOS_CONSENT_GIVEN, 0 },
        { SLOT_ALICE, P_ANALYTICS, CUSTOS_CONSENT_REFUSED, 0 },
        { SLOT_ALICE, P_AI_TRAINING, CUSTOS_CONSENT_REFUSED, 0 },
        { SLOT_BOB, P_CLOUD_RECORDING, CUSTOS_CONSENT_GIVEN, 0 },
        { SLOT_BOB, P_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 },
    };
    sync_to_camera(lc, ch, sizeof ch / sizeof ch[0], "update-1.bin", &out);
    show_camera(out, "subject 0");
    claim(has_line(out, "subject 0 video: COLLECT"), "the camera records Alice's video");
    claim(!has_line(out, "subject 0 analytics: COLLECT"), "the camera sends no analytics about Alice");

    /* A replayed update must be refused. */
    free(out);
    char *p = path_of(demo.out, "update-1.bin");
    rc = camera(&out, "--update", p);
    show_camera(out, "update");
    claim(rc != 0 && strstr(out, "rejected") != NULL, "the camera rejected a replay of the same update");
    free(out);
    free(p);
}

static void operation(lifecycle *lc)
{
    stage("3. Operation", "Every collection point asks the gate; personal data is sealed in the vault.");
    custos_decision d = custos_check(lc->app, lc->alice, P_CLOUD_RECORDING, C_VIDEO);
    claim(d == CUSTOS_ALLOW, "gate: Alice's video for cloud recording -> %s", custos_decision_str(d));
    d = custos_check(lc->app, lc->alice, P_ANALYTICS, C_TELEMETRY);
    claim(d == CUSTOS_DENY_REFUSED, "gate: Alice's telemetry for analytics -> %s", custos_decision_str(d));
    d = custos_check(lc->app, lc->alice, P_ANALYTICS, C_VIDEO);
    claim(d == CUSTOS_DENY_CATEGORY_NOT_DECLARED, "gate: video for analytics (never declared) -> %s", custos_decision_str(d));
    d = custos_check(lc->app, lc->alice, P_OPERATION, C_VIDEO);
    claim(d == CUSTOS_ALLOW, "gate: device operation (contract, no consent needed) -> %s", custos_decision_str(d));

    MUST(lc->app, custos_vault_put(lc->app, &lc->alice_clip, lc->alice, P_CLOUD_RECORDING, C_VIDEO,
                                   CANARY_ALICE, strlen(CANARY_ALICE)));
    MUST(lc->app, custos_vault_put(lc->app, &lc->bob_clip, lc->bob, P_CLOUD_RECORDING, C_VIDEO,
                                   CANARY_BOB, strlen(CANARY_BOB)));
    custos_record_id refused = 0;
    int rc = custos_vault_put(lc->app, &refused, lc->alice, P_ANALYTICS, C_TELEMETRY, "x", 1);
    claim(rc == CUSTOS_EDENIED, "the vault refused to store analytics data Alice refused (%s)", custos_strerror(rc));
    say("sealed one clip each for Alice and Bob (AES-256-GCM, or XChaCha20-Poly1305 on a CPU without AES;"
        " a key per person and purpose)");
}

static void update(lifecycle *lc)
{
    stage("4. Update", "Policy version 2 adds a recipient abroad to one purpose: only that purpose asks again.");
    lc->v2 = compile("privacy-v2.yaml", lc->v1, lc->v1_len, &lc->v2_len);
    custos_manifest_change *changes = NULL;
    size_t n = 0;
    custos_manifest_error err;
    MUST(NULL, custos_manifest_diff(&changes, &n, lc->v1, lc->v1_len, lc->v2, lc->v2_len, &err));
    for (size_t i = 0; i < n; i++)
        say("purpose %u changed materially: %s", changes[i].purpose,
            custos_manifest_change_str(changes[i].reasons & -changes[i].reasons));
    claim(n == 1 && changes[0].purpose == P_ANALYTICS, "exactly one purpose (analytics) needs consent again");
    custos_manifest_free(changes);

    MUST(lc->app, custos_manifest_load(lc->app, lc->v2, lc->v2_len));
    custos_decision d = custos_check(lc->app, lc->bob, P_ANALYTICS, C_TELEMETRY);
    claim(d != CUSTOS_ALLOW, "Bob's analytics consent no longer counts (%s)", custos_decision_str(d));
    d = custos_check(lc->app, lc->bob, P_CLOUD_RECORDING, C_VIDEO);
    claim(d == CUSTOS_ALLOW, "Bob's cloud recording consent still counts (%s)", custos_decision_str(d));
}

/* Flip one byte of a blob in custos.db, with the store closed. */
static void tamper(const char *sql_select, const char *sql_update_fmt)
{
    char *dbp = path_of(demo.out, "app-store/custos.db");
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open(dbp, &db) != SQLITE_OK || sqlite3_prepare_v2(db, sql_select, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        exit(1);
    sqlite3_int64 key = sqlite3_column_int64(st, 0);
    int len = sqlite3_column_bytes(st, 1);
    uint8_t *blob = malloc((size_t)len);
    memcpy(blob, sqlite3_column_blob(st, 1), (size_t)len);
    sqlite3_finalize(st);
    blob[len / 2] ^= 0x01;
    if (sqlite3_prepare_v2(db, sql_update_fmt, -1, &st, NULL) != SQLITE_OK)
        exit(1);
    sqlite3_bind_blob(st, 1, blob, len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, key);
    if (sqlite3_step(st) != SQLITE_DONE)
        exit(1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(blob);
    free(dbp);
}

static void reopen(lifecycle *lc)
{
    custos_close(lc->app);
    char *store = path_of(demo.out, "app-store");
    MUST(NULL, custos_open(&lc->app, store, NULL));
    free(store);
}

static void incident(lifecycle *lc)
{
    stage("5. Incident", "Someone edits the store behind the SDK's back: the record and the audit chain say so.");
    custos_audit_report before = CUSTOS_AUDIT_REPORT_INIT;
    int intact = custos_audit_verify(lc->app, &before) == CUSTOS_OK;
    claim(intact && before.entries > 0, "audit chain intact before: %llu entries",
          (unsigned long long)before.entries);
    custos_close(lc->app);
    lc->app = NULL;
    char sel[128];
    snprintf(sel, sizeof sel, "SELECT id, sealed FROM vault_record WHERE id=%lld", (long long)lc->bob_clip);
    tamper(sel, "UPDATE vault_record SET sealed=?1 WHERE id=?2");
    tamper("SELECT seq, bytes FROM audit_entry ORDER BY seq LIMIT 1 OFFSET 2",
           "UPDATE audit_entry SET bytes=?1 WHERE seq=?2");
    say("flipped one bit in Bob's sealed clip and one in the third audit entry");
    reopen(lc);

    uint8_t buf[256];
    size_t len = 0;
    int rc = custos_vault_get(lc->app, buf, sizeof buf, &len, NULL, lc->bob_clip);
    claim(rc == CUSTOS_ECORRUPT, "reading the tampered clip: %s", custos_strerror(rc));
    rc = custos_vault_get(lc->app, buf, sizeof buf, &len, NULL, lc->alice_clip);
    claim(rc == CUSTOS_OK && len == strlen(CANARY_ALICE), "Alice's clip still reads back intact");
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    rc = custos_audit_verify(lc->app, &r);
    claim(rc == CUSTOS_ECORRUPT && r.failed_seq == 3, "audit verification names entry %llu as altered (%s)",
          (unsigned long long)r.failed_seq, custos_audit_failure_name(r.failure));
}

static void cloud_receives(lifecycle *lc, const char *tag)
{
    /* The associated service: verify each signed request once, refuse replays. */
    static custos_erase_replay_state state;
    uint64_t seqs[16];
    size_t n = 0;
    MUST(lc->app, custos_erase_outbox_list(lc->app, seqs, 16, &n));
    char *cloud = path_of(demo.out, "cloud");
    mkdirs(cloud);
    for (size_t i = 0; i < n && i < 16; i++) {
        uint8_t msg[1024];
        size_t len = 0;
        MUST(lc->app, custos_erase_outbox_get(lc->app, msg, sizeof msg, &len, seqs[i]));
        char name[64];
        snprintf(name, sizeof name, "erase-request-%s-%zu.bin", tag, i);
        char *p = path_of(cloud, name);
        spit(p, msg, len);
        free(p);
        custos_erase_request_info info;
        int rc = custos_erase_request_accept(&info, &state, msg, len, lc->app_pk);
        claim(rc == CUSTOS_OK, "cloud: accepted the signed erase request %s (counter %u)", name, info.counter);
        rc = custos_erase_request_accept(&info, &state, msg, len, lc->app_pk);
        claim(rc == CUSTOS_EREPLAY, "cloud: the same request sent again is recognised as a replay");
        MUST(lc->app, custos_erase_outbox_ack(lc->app, seqs[i]));
    }
    free(cloud);
}

static void member_leaves(lifecycle *lc)
{
    stage("6. A household member leaves", "Bob's data is erased: keys destroyed first, then rows; a signed receipt proves it.");
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t rlen = 0;
    MUST(lc->app, custos_erase_subject(lc->app, receipt, sizeof receipt, &rlen, lc->bob, NULL));
    char *p = path_of(demo.out, "receipt-bob.bin");
    spit(p, receipt, rlen);
    free(p);
    claim(custos_receipt_verify(receipt, rlen, lc->app_pk) == CUSTOS_OK,
          "Bob's deletion receipt verifies with the device's public key");
    char json[4096];
    size_t jlen = 0;
    MUST(NULL, custos_receipt_json(json, sizeof json, &jlen, receipt, rlen));
    p = path_of(demo.out, "receipt-bob.json");
    spit(p, json, jlen);
    free(p);
    claim(strstr(json, "\"verified\":true") != NULL || strstr(json, "\"verified\": true") != NULL,
          "the receipt records that a sampled ciphertext no longer opens");
    custos_subject s;
    claim(custos_subject_find(lc->app, &s, "bob@example.com") == CUSTOS_ENOTFOUND, "Bob is no longer known to the store");
    custos_decision d = custos_check(lc->app, lc->alice, P_CLOUD_RECORDING, C_VIDEO);
    claim(d == CUSTOS_ALLOW, "Alice is unaffected (%s)", custos_decision_str(d));
    cloud_receives(lc, "bob");
}

/* Count occurrences of needle in every regular file under dir. */
static size_t scan_dir(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    size_t hits = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && e->d_name[2] == 0)))
            continue;
        char *p = path_of(dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            hits += scan_dir(p, needle);
        } else if (S_ISREG(st.st_mode)) {
            size_t len = 0;
            uint8_t *b = slurp(p, &len);
            size_t nl = strlen(needle);
            for (size_t i = 0; i + nl <= len; i++)
                hits += memcmp(b + i, needle, nl) == 0;
            free(b);
        }
        free(p);
    }
    if (d != NULL)
        closedir(d);
    return hits;
}

static void decommission(lifecycle *lc)
{
    stage("7. Decommissioning", "Factory reset: every key destroyed, every file overwritten, fresh keys; then a forensic scan.");
    uint8_t old_pk[32];
    memcpy(old_pk, lc->app_pk, 32);
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t rlen = 0;
    MUST(lc->app, custos_factory_reset(&lc->app, receipt, sizeof receipt, &rlen, NULL));
    char *p = path_of(demo.out, "receipt-factory-reset.bin");
    spit(p, receipt, rlen);
    free(p);
    claim(custos_receipt_verify(receipt, rlen, old_pk) == CUSTOS_OK,
          "the reset's receipt verifies with the old device key it was signed with");
    uint8_t new_pk[32];
    MUST(lc->app, custos_device_public_key(lc->app, new_pk));
    claim(memcmp(new_pk, old_pk, 32) != 0, "the store came back with a fresh device key");
    custos_subject s;
    claim(custos_subject_find(lc->app, &s, "alice@example.com") == CUSTOS_ENOTFOUND, "no subject survives the reset");
    custos_close(lc->app);
    lc->app = NULL;

    char *out = NULL, *cam_receipt = path_of(demo.out, "camera-erase-receipt.bin");
    int rc = camera(&out, "--erase", cam_receipt);
    show_camera(out, "erase");
    claim(rc == 0, "the camera erased its consent state and keys (both flash slots) and signed a receipt");
    free(out);
    free(cam_receipt);

    char *store = path_of(demo.out, "app-store");
    size_t a = scan_dir(store, CANARY_ALICE), b = scan_dir(store, CANARY_BOB);
    size_t ids = scan_dir(store, "alice@example.com") + scan_dir(store, "bob@example.com");
    claim(a == 0 && b == 0 && ids == 0, "forensic scan of every file of the store: %zu canaries, %zu subject ids", a + b, ids);
    free(store);
}

int main(int argc, char **argv)
{
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--firmware") == 0) demo.firmware = argv[i + 1];
        else if (strcmp(argv[i], "--examples") == 0) demo.examples = argv[i + 1];
        else if (strcmp(argv[i], "--out") == 0) demo.out = argv[i + 1];
    }
    if (demo.firmware == NULL || demo.examples == NULL || demo.out == NULL) {
        fprintf(stderr, "usage: camera-companion --firmware PATH --examples DIR --out DIR\n");
        return 2;
    }
    mkdirs(demo.out);
    char *cam = path_of(demo.out, "camera");
    mkdirs(cam);
    free(cam);

    lifecycle lc = {0};
    printf("Custos %s: a smart camera's privacy lifecycle, end to end\n", custos_version());
    factory(&lc);
    first_use(&lc);
    operation(&lc);
    update(&lc);
    incident(&lc);
    member_leaves(&lc);
    decommission(&lc);
    custos_manifest_free(lc.v1);
    custos_manifest_free(lc.v2);

    printf("\nEverything generated is in %s/:\n", demo.out);
    printf("  disclosures/   privacy notices (en, ja; Markdown, HTML), PrivacyInfo.xcprivacy, Play CSV, DPV, ETSI ICS/IXIT, JC-STAR\n");
    printf("  receipt-*.bin  signed deletion receipts (receipt-bob.json is one rendered)\n");
    printf("  cloud/         the signed erase requests the cloud service received\n");
    printf("  camera/        the camera's identity and simulated flash\n");
    printf("\n%d passed, %d failed\n", demo.claims - demo.failed, demo.failed);
    return demo.failed == 0 ? 0 : 1;
}
