"""cffi API-mode builder: the declarations below are checked by the C
compiler against core/include/custos/*.h, so a drifted signature fails the
build instead of corrupting memory at run time."""
import glob
import os
import shutil

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))

CDEF = """
#define CUSTOS_HASH_BYTES ...
#define CUSTOS_PUBLIC_KEY_BYTES ...
#define CUSTOS_DEVICE_ID_BYTES ...
#define CUSTOS_ERRMSG_MAX ...
#define CUSTOS_ERASE_RECEIPT_MAX ...
#define CUSTOS_OPEN_CREATE ...
#define CUSTOS_OPEN_OPTIONS_VERSION ...
#define CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION ...
#define CUSTOS_DISCLOSE_OPTIONS_VERSION ...
#define CUSTOS_CONSENT_INFO_VERSION ...
#define CUSTOS_AUDIT_REPORT_VERSION ...
#define CUSTOS_DISCLOSE_FORMAT_FIRST ...
#define CUSTOS_DISCLOSE_FORMAT_LAST ...
#define CUSTOS_ERASE_REPLAY_IDS ...

typedef int... custos_subject;
typedef int64_t custos_record_id;
typedef struct custos custos_t;
typedef struct custos_key_provider custos_key_provider;

const char *custos_strerror(int code);
const char *custos_version(void);
void custos_wipe(void *p, size_t n);

/* store */
typedef struct custos_clock custos_clock;
typedef struct custos_rng custos_rng;
typedef struct {
    unsigned int version; unsigned int flags; custos_key_provider *key_provider;
    const custos_clock *clock; const custos_rng *rng; const char *sqlite_vfs; ...;
} custos_open_options;
int custos_open(custos_t **out, const char *dir, const custos_open_options *opts);
void custos_close(custos_t *ctx);
const char *custos_errmsg(const custos_t *ctx);
const char *custos_last_error(void);
int custos_device_id(const custos_t *ctx, uint8_t out[16]);
int custos_device_public_key(const custos_t *ctx, uint8_t out[32]);
int custos_key_provider_passphrase(custos_key_provider **out, const char *passphrase, size_t len);
void custos_key_provider_free(custos_key_provider *kp);

/* manifest */
typedef struct { char message[...]; uint32_t line; uint32_t column; ...; } custos_manifest_error;
typedef struct { unsigned int version; const uint8_t *previous; size_t previous_len; ...; }
    custos_manifest_compile_options;
int custos_manifest_compile(uint8_t **out, size_t *out_len, uint8_t out_id[32],
                            const char *yaml, size_t yaml_len, const char *filename,
                            const custos_manifest_compile_options *opts, custos_manifest_error *err);
int custos_manifest_check(const char *yaml, size_t yaml_len, const char *filename,
                          custos_manifest_error *err);
int custos_manifest_id(uint8_t out_id[32], const uint8_t *compiled, size_t len,
                       custos_manifest_error *err);
int custos_manifest_show(char **out, const uint8_t *compiled, size_t len, int format,
                         custos_manifest_error *err);
typedef struct { uint32_t purpose; uint32_t reasons; int needs_consent; ...; } custos_manifest_change;
const char *custos_manifest_change_str(uint32_t reason);
int custos_manifest_diff(custos_manifest_change **out, size_t *n, const uint8_t *older, size_t older_len,
                         const uint8_t *newer, size_t newer_len, custos_manifest_error *err);
int custos_manifest_diff_text(char **out, const uint8_t *older, size_t older_len,
                              const uint8_t *newer, size_t newer_len, int format,
                              custos_manifest_error *err);
typedef struct { uint32_t id; const char *key; const char *name; ...; } custos_manifest_screen_category;
typedef struct { const char *name; const char *country; const char *role; ...; } custos_manifest_screen_recipient;
typedef struct {
    uint32_t id; int required; const char *key; const char *title; const char *description;
    const char *legal_basis; const custos_manifest_screen_category *categories; size_t n_categories;
    const custos_manifest_screen_recipient *recipients; size_t n_recipients;
    const char *retention; uint64_t retention_days; const char *retention_until; ...;
} custos_manifest_screen_purpose;
typedef struct {
    const char *lang; uint32_t policy_version; uint8_t manifest_id[32];
    const custos_manifest_screen_purpose *purposes; size_t n_purposes; ...;
} custos_manifest_screen;
int custos_manifest_consent_screen(custos_manifest_screen **out, const uint8_t *compiled, size_t len,
                                   const char *lang, custos_manifest_error *err);
void custos_manifest_free(void *p);
int custos_manifest_load(custos_t *ctx, const uint8_t *compiled, size_t len);
int custos_policy_current(custos_t *ctx, uint8_t out_id[32], uint32_t *out_version);

/* disclose */
typedef enum { ... } custos_disclose_format;
const char *custos_disclose_format_name(custos_disclose_format format);
int custos_disclose_format_parse(custos_disclose_format *out, const char *name, custos_manifest_error *err);
int custos_disclose_format_localized(custos_disclose_format format);
typedef struct { unsigned int version; const char *lang; const char *date; ...; } custos_disclose_options;
int custos_disclose(char **out, size_t *out_len, const uint8_t *compiled, size_t compiled_len,
                    custos_disclose_format format, const custos_disclose_options *opts,
                    custos_manifest_error *err);
int custos_disclose_file_name(char *out, size_t out_size, size_t *out_len,
                              custos_disclose_format format, const char *lang);
void custos_disclose_free(void *p);

/* subjects, gate, vault */
typedef enum { ... } custos_role;
typedef enum { ... } custos_decision;
int custos_subject_add(custos_t *ctx, custos_subject *out, const char *external_id, custos_role role);
int custos_subject_find(custos_t *ctx, custos_subject *out, const char *external_id);
custos_decision custos_check(const custos_t *ctx, custos_subject subject, uint32_t purpose, uint32_t category);
const char *custos_decision_str(custos_decision d);
int custos_vault_put(custos_t *ctx, custos_record_id *out_id, custos_subject subject,
                     uint32_t purpose, uint32_t category, const void *data, size_t len);
typedef struct custos_vault_info custos_vault_info;
int custos_vault_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                     custos_vault_info *info, custos_record_id id);
int custos_vault_list(custos_t *ctx, custos_record_id *ids, size_t ids_size, size_t *n, custos_subject subject);

/* consent */
typedef enum { ... } custos_consent_status;
typedef enum { ... } custos_consent_method;
typedef enum { ... } custos_consent_actor;
typedef struct {
    unsigned int version; const uint8_t *notice_hash; const char *notice_lang;
    custos_consent_method method; custos_consent_actor actor; ...;
} custos_consent_info;
int custos_notice_hash(uint8_t out[32], const void *text, size_t len);
int custos_consent_record(custos_t *ctx, custos_subject subject, uint32_t purpose,
                          custos_consent_status status, const custos_consent_info *info);
typedef struct {
    custos_consent_status status; uint64_t valid_until; uint64_t time; uint32_t policy_version;
    uint64_t seq; int invalidated; ...;
} custos_consent_state_info;
int custos_consent_state(custos_t *ctx, custos_consent_state_info *out, custos_subject subject, uint32_t purpose);
int custos_consent_verify(custos_t *ctx, uint64_t *out_bad_seq);
const char *custos_consent_status_str(custos_consent_status s);
int custos_consent_receipt(custos_t *ctx, char *out, size_t out_size, size_t *out_len,
                           custos_subject subject, int format);
int custos_consent_receipt_verify(size_t *out_events, const char *receipt, size_t len, const uint8_t device_pk[32]);

/* audit */
typedef struct {
    unsigned int version; int failure; uint64_t failed_seq; uint64_t entries; uint64_t last_seq;
    uint64_t checkpoints; uint64_t last_checkpoint_seq; uint64_t unsigned_tail; ...;
} custos_audit_report;
const char *custos_audit_failure_name(int failure);
int custos_audit_verify(custos_t *ctx, custos_audit_report *report);
int custos_audit_export(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len);
int custos_audit_verify_export(custos_audit_report *report, const uint8_t *bytes, size_t len,
                               const uint8_t device_public_key[32]);

/* sync */
int custos_pair(custos_t *ctx, const uint8_t peer_pk[32], const uint8_t peer_device_id[16]);

/* erase */
int custos_erase_subject(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                         custos_subject subject, const void *opts);
int custos_erase_purpose(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                         custos_subject subject, uint32_t purpose, const void *opts);
int custos_receipt_verify(const uint8_t *receipt, size_t len, const uint8_t public_key[32]);
int custos_receipt_json(char *out, size_t out_size, size_t *out_len, const uint8_t *receipt, size_t len);
int custos_erase_receipt_list(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n);
int custos_erase_receipt_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq);
int custos_erase_outbox_list(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n);
int custos_erase_outbox_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq);
int custos_erase_outbox_ack(custos_t *ctx, uint64_t seq);
typedef struct {
    uint32_t last_counter; uint32_t n_ids; uint8_t ids[...][16]; ...;
} custos_erase_replay_state;
typedef struct {
    uint8_t device_id[16]; uint8_t request_id[16]; uint32_t counter; int scope;
    int has_subject_hash; uint8_t subject_hash[32]; int has_purpose; uint32_t purpose; uint64_t time; ...;
} custos_erase_request_info;
int custos_erase_request_accept(custos_erase_request_info *out, custos_erase_replay_state *state,
                                const uint8_t *msg, size_t len, const uint8_t device_public_key[32]);
"""

# The CUSTOS_E* codes, read from the header by the compiler.
ERROR_NAMES = ["EINVAL", "ENOMEM", "EIO", "ENOSPC", "ECORRUPT", "EVERSION", "ENOTSTORE", "EKEY",
               "EDENIED", "ENOTFOUND", "EEXIST", "ESIGNATURE", "EREPLAY", "EMANIFEST", "EBUSY",
               "ERANGE", "ESTATE", "ECRYPTO", "EINTERNAL", "ECANCELED", "EUNSUPPORTED"]
CDEF += "".join("#define CUSTOS_%s ...\n" % n for n in ERROR_NAMES)
CDEF += "#define CUSTOS_OK ...\n"


def _dirs():
    inc = os.environ.get("CUSTOS_INCLUDE_DIR")
    lib = os.environ.get("CUSTOS_LIB_DIR")
    prefix = os.environ.get("CUSTOS_PREFIX")
    if prefix:
        inc = inc or os.path.join(prefix, "include")
        lib = lib or next((d for d in (os.path.join(prefix, "lib"), os.path.join(prefix, "lib64"))
                           if glob.glob(os.path.join(d, "libcustos.so*"))), os.path.join(prefix, "lib"))
    if not inc:
        inc = os.path.join(REPO, "core", "include")
    if not lib:
        found = sorted(glob.glob(os.path.join(REPO, "build", "*", "core", "libcustos.so")),
                       key=os.path.getmtime, reverse=True)
        if not found:
            raise RuntimeError("custos: libcustos.so not found; build the core "
                               "(cmake --build BUILD --target custos_tools) and set CUSTOS_LIB_DIR")
        lib = os.path.dirname(found[0])
    if not os.path.isfile(os.path.join(inc, "custos", "custos.h")):
        raise RuntimeError("custos: %s has no custos/custos.h; set CUSTOS_INCLUDE_DIR" % inc)
    return inc, lib


def _bundle(lib):
    """Copy libcustos.so.N and libcustos-tools.so.N next to the extension so
    that a wheel carries them. The package wraps the manifest compiler and the
    disclosures too, so it bundles both libraries (bindings/python/README.md)."""
    for path in glob.glob(os.path.join(lib, "libcustos.so.*")) + glob.glob(os.path.join(lib, "libcustos-tools.so.*")):
        if path.count(".so.") == 1 and path.rsplit(".so.", 1)[1].isdigit():
            shutil.copy2(os.path.realpath(path), os.path.join(HERE, os.path.basename(path)))


INC, LIB = _dirs()
_bundle(LIB)
ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source(
    "custos._native",
    "#include <custos/custos.h>\n",
    include_dirs=[INC],
    library_dirs=[LIB],
    libraries=["custos-tools", "custos"],
    extra_link_args=["-Wl,-rpath,$ORIGIN"],
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
