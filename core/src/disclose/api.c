/* api.c: the public functions of custos/disclose.h: formats, decoding, dispatch. */
#include "disclose_private.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef struct format_row {
    custos_disclose_format format;
    const char *name;
    const char *file;   /* file name, or its stem for localized formats */
    int localized;      /* the name is stem.LANG.ext */
    const char *ext;
} format_row;

static const format_row formats[] = {
    { CUSTOS_DISCLOSE_NOTICE_MD,      "notice-md",      "privacy-notice", 1, ".md" },
    { CUSTOS_DISCLOSE_NOTICE_HTML,    "notice-html",    "privacy-notice", 1, ".html" },
    { CUSTOS_DISCLOSE_XCPRIVACY,      "xcprivacy",      "PrivacyInfo.xcprivacy",  0, "" },
    { CUSTOS_DISCLOSE_PLAY_CSV,       "play-csv",       "play-data-safety.csv",   0, "" },
    { CUSTOS_DISCLOSE_ANDROID_LABELS, "android-labels", "app-metadata.xml",       0, "" },
    { CUSTOS_DISCLOSE_DPV_JSONLD,     "dpv",            "processing.dpv.jsonld",  0, "" },
    { CUSTOS_DISCLOSE_FIDESLANG,      "fideslang",      "fideslang-system.yaml",  0, "" },
    { CUSTOS_DISCLOSE_ICS_JSON,       "ics-json",       "etsi-ics.json",          0, "" },
    { CUSTOS_DISCLOSE_ICS_MD,         "ics-md",         "etsi-ics.md",            0, "" },
    { CUSTOS_DISCLOSE_IXIT_JSON,      "ixit-json",      "etsi-ixit.json",         0, "" },
    { CUSTOS_DISCLOSE_IXIT_MD,        "ixit-md",        "etsi-ixit.md",           0, "" },
    { CUSTOS_DISCLOSE_JCSTAR_MD,      "jcstar",         "jcstar-star1.md",        0, "" },
    { CUSTOS_DISCLOSE_EN18031_MD,     "en18031",        "en18031-2.md",           0, "" },
    { CUSTOS_DISCLOSE_CRA_MD,         "cra",            "cra-annex1.md",          0, "" },
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

static const format_row *find_format(custos_disclose_format f)
{
    for (size_t i = 0; i < N_FORMATS; i++)
        if (formats[i].format == f)
            return &formats[i];
    return NULL;
}

__attribute__((format(printf, 3, 0)))
static int set_err(custos_manifest_error *err, int code, const char *fmt, va_list ap)
{
    custos__fail_noctxv(code, fmt, ap);
    if (err != NULL) {
        snprintf(err->message, sizeof err->message, "%s", custos_last_error());
        err->line = 0;
        err->column = 0;
    }
    return code;
}

static int api_fail(custos_manifest_error *err, int code, const char *fmt, ...) CUSTOS_PRINTF(3, 4);
static int api_fail(custos_manifest_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(err, code, fmt, ap);
    va_end(ap);
    return code;
}

int custos_disclose__fail(dc_gen *g, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(g->err, code, fmt, ap);
    va_end(ap);
    return code;
}

const char *custos_disclose__l(const dc_gen *g, const char *en, const char *ja)
{
    return g->ja ? ja : en;
}

const char *custos_disclose_format_name(custos_disclose_format format)
{
    const format_row *r = find_format(format);
    return r ? r->name : NULL;
}

int custos_disclose_format_localized(custos_disclose_format format)
{
    const format_row *r = find_format(format);
    return r ? r->localized : 0;
}

int custos_disclose_format_parse(custos_disclose_format *out, const char *name,
                                 custos_manifest_error *err)
{
    if (out == NULL)
        return api_fail(err, CUSTOS_EINVAL, "no output pointer given");
    for (size_t i = 0; name != NULL && i < N_FORMATS; i++)
        if (strcmp(formats[i].name, name) == 0) {
            *out = formats[i].format;
            return CUSTOS_OK;
        }
    char list[256] = "";
    for (size_t i = 0; i < N_FORMATS; i++) {
        strncat(list, formats[i].name, sizeof list - strlen(list) - 1);
        if (i + 1 < N_FORMATS)
            strncat(list, ", ", sizeof list - strlen(list) - 1);
    }
    return api_fail(err, CUSTOS_EINVAL, "unknown disclosure format '%s'; valid formats: %s",
                    name ? name : "(none)", list);
}

static int lang_valid(const char *lang)
{
    return strcmp(lang, "en") == 0 || strcmp(lang, "ja") == 0;
}

int custos_disclose_file_name(char *out, size_t out_size, size_t *out_len,
                              custos_disclose_format format, const char *lang)
{
    const format_row *r = find_format(format);
    if (r == NULL || out_len == NULL || (out == NULL && out_size > 0))
        return CUSTOS_EINVAL;
    if (lang == NULL)
        lang = "en";
    if (r->localized && !lang_valid(lang))
        return CUSTOS_EINVAL;
    char name[64];
    if (r->localized)
        snprintf(name, sizeof name, "%s.%s%s", r->file, lang, r->ext);
    else
        snprintf(name, sizeof name, "%s", r->file);
    size_t need = strlen(name) + 1;
    *out_len = need;
    if (out_size < need)
        return CUSTOS_ERANGE;
    memcpy(out, name, need);
    return CUSTOS_OK;
}

/* An ISO 8601 calendar date, YYYY-MM-DD: the only thing printed as a date. */
static int date_valid(const char *d)
{
    if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
            return 0;
    int month = (d[5] - '0') * 10 + (d[6] - '0');
    int day = (d[8] - '0') * 10 + (d[9] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static int dispatch(dc_gen *g, custos_disclose_format format)
{
    switch (format) {
    case CUSTOS_DISCLOSE_NOTICE_MD:      return custos_disclose__notice(g, 0);
    case CUSTOS_DISCLOSE_NOTICE_HTML:    return custos_disclose__notice(g, 1);
    case CUSTOS_DISCLOSE_XCPRIVACY:      return custos_disclose__xcprivacy(g);
    case CUSTOS_DISCLOSE_PLAY_CSV:       return custos_disclose__play_csv(g);
    case CUSTOS_DISCLOSE_ANDROID_LABELS: return custos_disclose__android_labels(g);
    case CUSTOS_DISCLOSE_DPV_JSONLD:     return custos_disclose__dpv(g);
    case CUSTOS_DISCLOSE_FIDESLANG:      return custos_disclose__fideslang(g);
    case CUSTOS_DISCLOSE_ICS_JSON:       return custos_disclose__ics(g, 1);
    case CUSTOS_DISCLOSE_ICS_MD:         return custos_disclose__ics(g, 0);
    case CUSTOS_DISCLOSE_IXIT_JSON:      return custos_disclose__ixit(g, 1);
    case CUSTOS_DISCLOSE_IXIT_MD:        return custos_disclose__ixit(g, 0);
    case CUSTOS_DISCLOSE_JCSTAR_MD:      return custos_disclose__jcstar(g);
    case CUSTOS_DISCLOSE_EN18031_MD:     return custos_disclose__en18031(g);
    case CUSTOS_DISCLOSE_CRA_MD:         return custos_disclose__cra(g);
    }
    return custos_disclose__fail(g, CUSTOS_EINVAL, "unknown disclosure format %d", (int)format);
}

/* The options every generator shares: version, language, date. */
static int check_args(const uint8_t *compiled, custos_disclose_format format,
                      const custos_disclose_options *opts, custos_manifest_error *err)
{
    if (compiled == NULL)
        return api_fail(err, CUSTOS_EINVAL, "no compiled manifest given");
    if (find_format(format) == NULL) {
        custos_disclose_format unused;
        return custos_disclose_format_parse(&unused, NULL, err);
    }
    return custos_disclose__check_options(opts, err);
}

int custos_disclose__check_options(const custos_disclose_options *opts, custos_manifest_error *err)
{
    if (opts == NULL)
        return CUSTOS_OK;
    if (opts->version < 1 || opts->version > CUSTOS_DISCLOSE_OPTIONS_VERSION)
        return api_fail(err, CUSTOS_EINVAL, "custos_disclose_options version %u is not 1..%u",
                        opts->version, CUSTOS_DISCLOSE_OPTIONS_VERSION);
    if (opts->lang != NULL && !lang_valid(opts->lang))
        return api_fail(err, CUSTOS_EINVAL, "unsupported notice language '%s'; supported: en, ja", opts->lang);
    if (opts->date != NULL && !date_valid(opts->date))
        return api_fail(err, CUSTOS_EINVAL, "date '%s' is not an ISO 8601 date (YYYY-MM-DD)", opts->date);
    return CUSTOS_OK;
}

int custos_disclose(char **out, size_t *out_len, const uint8_t *compiled, size_t compiled_len,
                    custos_disclose_format format, const custos_disclose_options *opts,
                    custos_manifest_error *err)
{
    if (out == NULL || out_len == NULL)
        return api_fail(err, CUSTOS_EINVAL, "no output pointer given");
    *out = NULL;
    *out_len = 0;
    int rc = check_args(compiled, format, opts, err);
    if (rc != CUSTOS_OK)
        return rc;
    /* custos_manifest_id verifies the file and explains a failure; the
     * internal decoder then gives the message itself. */
    uint8_t id[CUSTOS_HASH_BYTES];
    rc = custos_manifest_id(id, compiled, compiled_len, err);
    if (rc != CUSTOS_OK)
        return rc;
    custos_manifest_pb *m = NULL;
    rc = custos__manifest_decode(NULL, compiled, compiled_len, &m, id);
    if (rc != CUSTOS_OK)
        return api_fail(err, rc, "the compiled manifest could not be decoded");
    dc_gen g = { .m = m, .err = err };
    sodium_bin2hex(g.id_hex, sizeof g.id_hex, id, sizeof id);
    g.lang = opts && opts->lang ? opts->lang : "en";
    g.ja = strcmp(g.lang, "ja") == 0;
    g.date = opts ? opts->date : NULL;
    if (opts != NULL && opts->version >= 2 && opts->ics_answers != NULL) {
        g.answers = opts->ics_answers;
        g.answers_len = opts->ics_answers_len;
    }
    rc = dispatch(&g, format);
    custos__manifest_free(m);
    if (rc != CUSTOS_OK) {
        custos__text_discard(&g.out);
        return rc;
    }
    rc = custos__text_finish(&g.out, out, out_len);
    if (rc != CUSTOS_OK)
        return api_fail(err, rc, "out of memory while writing the disclosure");
    return CUSTOS_OK;
}

void custos_disclose_free(void *p)
{
    custos__free(p);
}
