/*
 * ics_answers.c: the manufacturer's answers to the ICS rows Custos cannot
 * know, read from a small YAML file and merged into the ICS (ics.c):
 *
 *   edition: V3                      # optional: V3 (the default) or V2.1.1
 *   provisions:
 *     "5.1-1": {support: "Yes", detail: "Each unit has its own password.", evidence: "Test report TR-12, 4.1"}
 *     "5.2-1": {support: "Yes", detail: "https://example.com/security", evidence: "the published policy"}
 *     "5.6-4B": {support: "N/A", detail: "The product has no physical debug port."}
 *
 * support is Yes, No or N/A. "Yes" needs evidence: a row is never marked
 * supported without it. "No" and "N/A" need a detail (EN 303 645 clause 4:
 * a recommendation not met needs its justification). An id that is not a
 * Table B.1 provision, or a row Custos answers itself, is refused at its
 * place in the file. A file may give only the edition.
 */
#include "disclose_private.h"
#include "manifest/yamlread.h"

#include <string.h>

static int answer_row(mf_yaml *y, yaml_node_t *v, const char *id, dc_answer *out)
{
    static const char *const keys[] = { "support", "detail", "evidence", NULL };
    static const char *const supports[] = { "N/A", "No", "Yes" };
    char what[64];
    size_t k;
    snprintf(what, sizeof what, "the answer to %s", id);
    if (custos_manifest__ymap(y, v, keys, what) != CUSTOS_OK)
        return y->rc;
    yaml_node_t *s = custos_manifest__yneed(y, v, "support", what, "say Yes, No or N/A");
    if (s == NULL || custos_manifest__ychoose(y, s, "support", supports, 3, sizeof supports[0], &k) != CUSTOS_OK)
        return y->rc;
    out->support = supports[k];
    yaml_node_t *d = custos_manifest__yget(y, v, "detail"), *e = custos_manifest__yget(y, v, "evidence");
    if ((d != NULL && custos_manifest__ystr(y, d, "detail", &out->detail) != CUSTOS_OK) ||
        (e != NULL && custos_manifest__ystr(y, e, "evidence", &out->evidence) != CUSTOS_OK))
        return y->rc;
    if (k == 2 && out->evidence == NULL)
        return custos_manifest__yerr(y, v, "%s is Yes without evidence; name the test report or document that shows "
                                     "it (evidence:)", id);
    if (k != 2 && out->detail == NULL)
        return custos_manifest__yerr(y, v, "%s is %s without a justification; say why (detail:)", id, supports[k]);
    return y->rc;
}

/* The edition: key, when given, picks one of eds by name; else eds[0]. */
static int pick_edition(mf_yaml *y, yaml_node_t *root, const dc_edition *eds, size_t n_eds, size_t *edition)
{
    yaml_node_t *e = custos_manifest__yget(y, root, "edition");
    *edition = 0;
    if (e == NULL)
        return CUSTOS_OK;
    const char *name = custos_manifest__yscalar(e);
    for (size_t i = 0; name != NULL && i < n_eds; i++)
        if (strcmp(eds[i].name, name) == 0) {
            *edition = i;
            return CUSTOS_OK;
        }
    return custos_manifest__yerr(y, e, "edition: '%s' is not an edition Custos writes; say V3 or V2.1.1",
                                 name ? name : "?");
}

static void answer_all(mf_yaml *y, yaml_node_t *map, const dc_edition *ed, dc_answer *out)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top && y->rc == CUSTOS_OK;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&y->doc, p->key);
        const char *id = custos_manifest__yscalar(k);
        size_t i = 0;
        while (id != NULL && i < ed->n && strcmp(ed->ids[i], id) != 0)
            i++;
        if (id == NULL || i == ed->n)
            custos_manifest__yerr(y, k, "'%s' is not a provision of ETSI EN 303 645 %s Table B.1", id ? id : "?",
                                  ed->name);
        else if (!ed->by_maker[i])
            custos_manifest__yerr(y, k, "%s is answered by Custos's own evidence; remove it from the answers", id);
        else if (out[i].support != NULL)
            custos_manifest__yerr(y, k, "%s is answered twice; keep one", id);
        else
            answer_row(y, yaml_document_get_node(&y->doc, p->value), id, &out[i]);
    }
}

int custos_disclose__ics_answers(dc_gen *g, const dc_edition *eds, size_t n_eds, size_t *edition, dc_answer *out,
                                 mf_arena *arena)
{
    mf_yaml y = { .file = "ics answers", .err = g->err, .arena = arena };
    static const char *const top[] = { "edition", "provisions", NULL };
    *edition = 0;
    if (custos_manifest__yaml_load(&y, g->answers, g->answers_len) != CUSTOS_OK)
        return y.rc;
    yaml_node_t *root = custos_manifest__yaml_root(&y), *map;
    if (root == NULL || custos_manifest__ymap(&y, root, top, "the ICS answers") != CUSTOS_OK ||
        pick_edition(&y, root, eds, n_eds, edition) != CUSTOS_OK)
        goto done;
    map = custos_manifest__yget(&y, root, "provisions");
    if (map != NULL && map->type != YAML_MAPPING_NODE)
        custos_manifest__yerr(&y, map, "provisions: must map provision ids to answers, e.g. \"5.1-1\": {support: Yes, "
                              "detail: ..., evidence: ...}");
    else if (map != NULL)
        answer_all(&y, map, &eds[*edition], out);
done:
    custos_manifest__yaml_unload(&y);
    return y.rc;
}
