/*
 * compile_duration.c: retention and consent lifetimes. A duration is an
 * ISO 8601 duration (P[nY][nM][nW][nD][T[nH][nM][nS]], whole numbers) or,
 * for retention, "until" an event ({until: account_deletion}). DPV calls
 * them TemporalDuration and UntilEventDuration; an endless duration is not
 * accepted (DPV: "not best practice").
 */
#include "compile.h"

#include <string.h>

#define DAY 86400ull

static int add_part(uint64_t *total, uint64_t n, uint64_t unit)
{
    if (n != 0 && unit > UINT64_MAX / n)
        return -1;
    if (*total > UINT64_MAX - n * unit)
        return -1;
    *total += n * unit;
    return 0;
}

int custos_manifest__iso_duration(const char *s, uint64_t *seconds)
{
    static const char date_units[] = "YMWD", time_units[] = "HMS";
    static const uint64_t date_secs[] = { 365 * DAY, 30 * DAY, 7 * DAY, DAY }, time_secs[] = { 3600, 60, 1 };
    if (s[0] != 'P' || s[1] == '\0')
        return -1;
    const char *p = s + 1, *units = date_units;
    const uint64_t *secs = date_secs;
    size_t next = 0;            /* units must come in order, each at most once */
    int in_time = 0, parts = 0;
    uint64_t total = 0;
    while (*p != '\0') {
        if (*p == 'T') {
            if (in_time || p[1] == '\0')
                return -1;
            in_time = 1, units = time_units, secs = time_secs, next = 0, p++;
            continue;
        }
        uint64_t n = 0;
        const char *digits = p;
        while (*p >= '0' && *p <= '9') {
            if (n > (UINT64_MAX - 9) / 10)
                return -1;
            n = n * 10 + (uint64_t)(*p++ - '0');
        }
        const char *u = *p ? strchr(units + next, *p) : NULL;
        if (p == digits || u == NULL || add_part(&total, n, secs[u - units]) != 0)
            return -1;
        next = (size_t)(u - units) + 1;
        parts++, p++;
    }
    if (parts == 0 || total == 0 || (in_time && s[strlen(s) - 1] == 'T'))
        return -1;
    *seconds = total;
    return 0;
}

static int valid_event(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

int custos_manifest__compile_duration(mf_compile *c, yaml_node_t *n, const char *what, int allow_event,
                        Custos__V1__Duration **out)
{
    mf_yaml *y = &c->y;
    Custos__V1__Duration *d = MF_NEW(c, Custos__V1__Duration, CUSTOS__V1__DURATION__INIT);
    if (d == NULL)
        return y->rc;
    if (n->type == YAML_MAPPING_NODE && allow_event) {
        static const char *const keys[] = { "until", NULL };
        if (custos_manifest__ymap(y, n, keys, what) != CUSTOS_OK)
            return y->rc;
        yaml_node_t *ev = custos_manifest__yneed(y, n, "until", what, "write the event that ends it, e.g. until: account_deletion");
        if (ev == NULL || custos_manifest__ystr(y, ev, what, &d->until_event) != CUSTOS_OK)
            return y->rc;
        if (!valid_event(d->until_event))
            return custos_manifest__yerr(y, ev, "%s: event '%s' must be lower-case words joined by '_' or '-', "
                           "e.g. account_deletion", what, d->until_event);
        *out = d;
        return y->rc;
    }
    if (n->type == YAML_MAPPING_NODE)
        return custos_manifest__yerr(y, n, "%s must be an ISO 8601 duration such as P1Y; it cannot last until an event", what);
    if (custos_manifest__ystr(y, n, what, &d->iso8601) != CUSTOS_OK)
        return y->rc;
    if (custos_manifest__iso_duration(d->iso8601, &d->seconds) != 0)
        return custos_manifest__yerr(y, n, "%s '%s' is not an ISO 8601 duration such as P30D, P6M, P1Y or PT12H%s", what,
                       d->iso8601, allow_event ? ", nor {until: event}" : "");
    d->has_seconds = 1;
    *out = d;
    return y->rc;
}
