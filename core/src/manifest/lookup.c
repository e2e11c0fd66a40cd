/* lookup.c: find purposes and categories by id, localized text, and a value
 * of a taxonomy table by its proto enum value. */
#include "manifest_private.h"
#include "taxonomy.h"

#include <string.h>

/* Both arrays are sorted by id (check.c guarantees it), so bisect. The
 * message types differ, so the search runs over a projection of the id. */
#define BISECT(arr, n, want, out)                         \
    do {                                                  \
        size_t lo = 0, hi = (n);                          \
        (out) = NULL;                                     \
        while (lo < hi) {                                 \
            size_t mid = lo + (hi - lo) / 2;              \
            if ((arr)[mid]->id == (want)) {               \
                (out) = (arr)[mid];                       \
                break;                                    \
            }                                             \
            if ((arr)[mid]->id < (want))                  \
                lo = mid + 1;                             \
            else                                          \
                hi = mid;                                 \
        }                                                 \
    } while (0)

const custos_purpose_pb *custos__manifest_purpose(const custos_manifest_pb *m, uint32_t id)
{
    const custos_purpose_pb *p;
    if (m == NULL)
        return NULL;
    BISECT(m->purposes, m->n_purposes, id, p);
    return p;
}

const custos_category_pb *custos__manifest_category(const custos_manifest_pb *m, uint32_t id)
{
    const custos_category_pb *c;
    if (m == NULL)
        return NULL;
    BISECT(m->categories, m->n_categories, id, c);
    return c;
}

int custos__purpose_uses(const custos_purpose_pb *p, uint32_t category)
{
    if (p == NULL)
        return 0;
    size_t lo = 0, hi = p->n_categories;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->categories[mid] == category)
            return 1;
        if (p->categories[mid] < category)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

const char *custos__manifest_text(Custos__V1__LocalizedText *const *texts, size_t n, const char *lang)
{
    const char *fallback = "";
    for (size_t i = 0; i < n; i++) {
        if (lang != NULL && strcmp(texts[i]->lang, lang) == 0)
            return texts[i]->text;
        if (strcmp(texts[i]->lang, "en") == 0)
            fallback = texts[i]->text;
    }
    return fallback;
}

const custos_tax_value *custos_manifest__tax_by_proto(const custos_tax_value *table, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].proto == code)
            return &table[i];
    return NULL;
}
