/*
 * yamlread.c: the manifest's YAML, loaded with libyaml's document API and
 * read through typed accessors that refuse with the place and a sentence.
 *
 * libyaml allocates its own nodes with the C library's malloc (it has no
 * allocator hook); everything Custos keeps goes through the arena.
 */
#include "yamlread.h"
#include "manifest_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Refuse a document nested deeper than CUSTOS_MANIFEST_MAX_DEPTH before
 * libyaml builds it: the scanner's and loader's work grows with the square
 * of the depth (100,000 '[' take seconds), so the depth is counted on the
 * event stream, which stops at the first collection past the limit. A
 * syntax error ends the scan; the load below reports it with its place. */
static int depth_scan(mf_yaml *y, const char *text, size_t len)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return y->rc = custos_manifest__fail(y->err, CUSTOS_ENOMEM, "out of memory while reading %s", y->file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    unsigned depth = 0;
    yaml_event_t ev;
    while (y->rc == CUSTOS_OK && yaml_parser_parse(&p, &ev)) {
        yaml_event_type_t t = ev.type;
        yaml_mark_t m = ev.start_mark;
        yaml_event_delete(&ev);
        if (t == YAML_STREAM_END_EVENT)
            break;
        if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
            depth--;
        if ((t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) && ++depth > CUSTOS_MANIFEST_MAX_DEPTH) {
            y->rc = custos_manifest__fail(y->err, CUSTOS_EMANIFEST, "%s:%zu:%zu: the document nests mappings and lists "
                                          "more than %u levels deep; a manifest needs fewer than 10",
                                          y->file, m.line + 1, m.column + 1, CUSTOS_MANIFEST_MAX_DEPTH);
            if (y->err != NULL)
                y->err->line = (uint32_t)m.line + 1, y->err->column = (uint32_t)m.column + 1;
        }
    }
    yaml_parser_delete(&p);
    return y->rc;
}

int custos_manifest__yaml_load(mf_yaml *y, const char *text, size_t len)
{
    if (depth_scan(y, text, len) != CUSTOS_OK)
        return y->rc;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return y->rc = custos_manifest__fail(y->err, CUSTOS_ENOMEM, "out of memory while reading %s", y->file);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    int ok = yaml_parser_load(&p, &y->doc);
    if (!ok) {
        if (p.error == YAML_MEMORY_ERROR) {
            y->rc = custos_manifest__fail(y->err, CUSTOS_ENOMEM, "out of memory while reading %s", y->file);
        } else {
            yaml_mark_t m = p.problem_mark;
            custos_manifest_error *e = y->err;
            y->rc = custos_manifest__fail(e, CUSTOS_EMANIFEST, "%s:%zu:%zu: this is not valid YAML: %s%s%s; check the "
                            "indentation and quoting on this line or the one before",
                            y->file, m.line + 1, m.column + 1, p.problem ? p.problem : "syntax error",
                            p.context ? " " : "", p.context ? p.context : "");
            if (e != NULL) {
                e->line = (uint32_t)m.line + 1;
                e->column = (uint32_t)m.column + 1;
            }
        }
        yaml_parser_delete(&p);
        return y->rc;
    }
    y->loaded = 1;
    /* A second document in the same file is almost always a mistake. */
    yaml_document_t extra;
    if (yaml_parser_load(&p, &extra)) {
        yaml_node_t *root = yaml_document_get_root_node(&extra);
        if (root != NULL)
            custos_manifest__yerr(y, root, "the file holds a second YAML document after '---'; a manifest is one document");
        yaml_document_delete(&extra);
    }
    yaml_parser_delete(&p);
    return y->rc;
}

void custos_manifest__yaml_unload(mf_yaml *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = 0;
}

yaml_node_t *custos_manifest__yaml_root(mf_yaml *y) { return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL; }

int custos_manifest__yerr(mf_yaml *y, const yaml_node_t *at, const char *fmt, ...)
{
    if (y->rc != CUSTOS_OK)
        return y->rc;
    y->rc = CUSTOS_EMANIFEST;
    size_t line = at ? at->start_mark.line + 1 : 1, col = at ? at->start_mark.column + 1 : 1;
    char msg[CUSTOS_ERRMSG_MAX] = "";
    int n = snprintf(msg, sizeof msg, "%s:%zu:%zu: ", y->file, line, col);
    if (n > 0 && (size_t)n < sizeof msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
        va_end(ap);
    }
    custos__fail_noctx(y->rc, "%s", msg);
    custos_manifest_error *e = y->err;
    if (e == NULL)
        return y->rc;
    memcpy(e->message, msg, sizeof e->message);
    e->line = (uint32_t)line;
    e->column = (uint32_t)col;
    return y->rc;
}

int custos_manifest__ynomem(mf_yaml *y)
{
    if (y->rc == CUSTOS_OK)
        y->rc = custos_manifest__fail(y->err, CUSTOS_ENOMEM, "out of memory while compiling %s", y->file);
    return y->rc;
}

const char *custos_manifest__yscalar(const yaml_node_t *n)
{
    return n != NULL && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE:  return "a mapping (key: value lines)";
    case YAML_SEQUENCE_NODE: return "a list";
    default:                 return "a single value";
    }
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

const char *custos_manifest__closest(const char *s, const void *names, size_t count, size_t stride)
{
    const char *best = NULL;
    size_t best_d = (size_t)-1, len = strlen(s);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    for (size_t i = 0; i < count; i++) {
        const char *name = *(const char *const *)(const void *)((const unsigned char *)names + i * stride);
        size_t d = distance(s, name);
        if (d < best_d) {
            best_d = d;
            best = name;
        }
    }
    return best_d <= limit && best_d < len ? best : NULL;
}

static size_t count_names(const char *const *allowed)
{
    size_t n = 0;
    while (allowed[n] != NULL)
        n++;
    return n;
}

int custos_manifest__ymap(mf_yaml *y, yaml_node_t *n, const char *const *allowed, const char *what)
{
    if (n->type != YAML_MAPPING_NODE)
        return custos_manifest__yerr(y, n, "%s must be a mapping (key: value lines), not %s", what, kind(n));
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
        const char *name = custos_manifest__yscalar(k);
        if (name == NULL)
            return custos_manifest__yerr(y, k, "a key of %s is %s; keys are plain words", what, kind(k));
        size_t i = 0;
        while (allowed[i] != NULL && strcmp(allowed[i], name) != 0)
            i++;
        if (allowed[i] == NULL) {
            const char *near = custos_manifest__closest(name, allowed, count_names(allowed), sizeof allowed[0]);
            if (near != NULL)
                return custos_manifest__yerr(y, k, "unknown key '%s' in %s; did you mean '%s'?", name, what, near);
            return custos_manifest__yerr(y, k, "unknown key '%s' in %s; see docs/manifest.md for the keys it accepts", name, what);
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            if (strcmp(custos_manifest__yscalar(yaml_document_get_node(&y->doc, q->key)), name) == 0)
                return custos_manifest__yerr(y, k, "key '%s' appears twice in %s; keep one", name, what);
        }
    }
    return y->rc;
}

yaml_node_t *custos_manifest__yget(mf_yaml *y, yaml_node_t *map, const char *key)
{
    if (map == NULL || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *name = custos_manifest__yscalar(yaml_document_get_node(&y->doc, p->key));
        if (name != NULL && strcmp(name, key) == 0)
            return yaml_document_get_node(&y->doc, p->value);
    }
    return NULL;
}

yaml_node_t *custos_manifest__yneed(mf_yaml *y, yaml_node_t *map, const char *key, const char *what, const char *hint)
{
    yaml_node_t *v = custos_manifest__yget(y, map, key);
    if (v == NULL)
        custos_manifest__yerr(y, map, "%s has no '%s:'; %s", what, key, hint);
    return v;
}

static int is_null(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (n->data.scalar.length == 0 || strcmp((const char *)n->data.scalar.value, "~") == 0 ||
            strcmp((const char *)n->data.scalar.value, "null") == 0);
}

/* Code points a manifest may not contain anywhere: C0 controls other than
 * tab, line feed and carriage return, DEL, the C1 controls (NEL among them),
 * and the bidirectional embedding, override and isolate controls. A name
 * with U+202E renders as another text in every notice (a spoofing vector);
 * a control character corrupts the YAML, CSV and HTML it is copied into. */
const char *custos_manifest__forbidden(uint32_t cp)
{
    if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || cp == 0x7F)
        return "a control character";
    if (cp >= 0x80 && cp <= 0x9F)
        return "a C1 control character";
    if ((cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
        return "a bidirectional control character, which makes text render as other text";
    return NULL;
}

/* The first forbidden code point of a valid UTF-8 string (libyaml's
 * output), or 0: catches what a YAML escape such as "\u202E" decoded. */
static uint32_t first_forbidden(const unsigned char *s)
{
    while (*s) {
        size_t n = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2 : 3;
        uint32_t cp = n == 0 ? *s : *s & (0x3Fu >> n);
        for (size_t k = 1; k <= n && s[k]; k++)
            cp = cp << 6 | (s[k] & 0x3Fu);
        if (custos_manifest__forbidden(cp) != NULL)
            return cp;
        for (size_t k = 0; k <= n && *s; k++)
            s++;
    }
    return 0;
}

int custos_manifest__ystr(mf_yaml *y, yaml_node_t *n, const char *what, char **out)
{
    if (n->type != YAML_SCALAR_NODE)
        return custos_manifest__yerr(y, n, "%s must be a single value, not %s", what, kind(n));
    if (is_null(n) || n->data.scalar.length == 0)
        return custos_manifest__yerr(y, n, "%s is empty; give it a value", what);
    const char *s = (const char *)n->data.scalar.value;
    if (strlen(s) != n->data.scalar.length)
        return custos_manifest__yerr(y, n, "%s contains a NUL character", what);
    uint32_t cp = first_forbidden((const unsigned char *)s);
    if (cp != 0)
        return custos_manifest__yerr(y, n, "%s contains U+%04X, %s; remove it", what, (unsigned)cp,
                                     custos_manifest__forbidden(cp));
    *out = custos_manifest__arena_strndup(y->arena, s, n->data.scalar.length);
    return *out == NULL ? custos_manifest__ynomem(y) : y->rc;
}

int custos_manifest__yuint(mf_yaml *y, yaml_node_t *n, const char *what, uint32_t min, uint32_t max, uint32_t *out)
{
    const char *s = custos_manifest__yscalar(n);
    if (s == NULL)
        return custos_manifest__yerr(y, n, "%s must be a whole number, not %s", what, kind(n));
    int digits = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && s[0] != '\0';
    for (const char *p = s; digits && *p; p++)
        digits = *p >= '0' && *p <= '9';
    if (!digits && n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return custos_manifest__yerr(y, n, "%s must be a whole number, not the quoted text \"%s\"; remove the quotes", what, s);
    if (!digits)
        return custos_manifest__yerr(y, n, "%s must be a whole number, not '%s'", what, s);
    uint64_t v = 0;
    for (const char *p = s; *p && v <= UINT32_MAX; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    if (v < min || v > max)
        return custos_manifest__yerr(y, n, "%s is %s, outside %u..%u", what, s, min, max);
    *out = (uint32_t)v;
    return y->rc;
}

int custos_manifest__ybool(mf_yaml *y, yaml_node_t *n, const char *what, int *out)
{
    const char *s = custos_manifest__yscalar(n);
    if (s != NULL && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
        if (strcmp(s, "true") == 0) {
            *out = 1;
            return y->rc;
        }
        if (strcmp(s, "false") == 0) {
            *out = 0;
            return y->rc;
        }
    }
    return custos_manifest__yerr(y, n, "%s must be true or false, not %s%s%s", what, s ? "'" : "", s ? s : kind(n), s ? "'" : "");
}

int custos_manifest__yseq(mf_yaml *y, yaml_node_t *n, const char *what, size_t *count)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return custos_manifest__yerr(y, n, "%s must be a list ([a, b] or '- ' lines), not %s", what, kind(n));
    *count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    return y->rc;
}

yaml_node_t *custos_manifest__yitem(mf_yaml *y, yaml_node_t *seq, size_t i)
{
    return yaml_document_get_node(&y->doc, seq->data.sequence.items.start[i]);
}

int custos_manifest__ychoose(mf_yaml *y, yaml_node_t *n, const char *what, const void *names, size_t count,
               size_t stride, size_t *index)
{
    const char *s = custos_manifest__yscalar(n);
    if (s == NULL || is_null(n))
        return custos_manifest__yerr(y, n, "%s must be one word, not %s", what, s ? "empty" : kind(n));
    for (size_t i = 0; i < count; i++) {
        if (strcmp(*(const char *const *)(const void *)((const unsigned char *)names + i * stride), s) == 0) {
            *index = i;
            return y->rc;
        }
    }
    const char *near = custos_manifest__closest(s, names, count, stride);
    if (near != NULL)
        return custos_manifest__yerr(y, n, "%s '%s' is not known; did you mean '%s'?", what, s, near);
    custos__text b = { 0 };
    for (size_t i = 0; i < count && i < 8; i++)
        custos__text_printf(&b, "%s'%s'", i ? ", " : "", *(const char *const *)(const void *)((const unsigned char *)names + i * stride));
    char *list = NULL;
    if (custos__text_finish(&b, &list, NULL) != CUSTOS_OK)
        return custos_manifest__ynomem(y);
    custos_manifest__yerr(y, n, "%s '%s' is not known; expected one of %s%s", what, s, list, count > 8 ? ", ..." : "");
    custos__free(list);
    return y->rc;
}
