/*
 * facts.c: what a manifest implies for the store disclosures.
 *
 * Apple and Google call data "collected" when it is transmitted off the
 * device to the developer or a third party; data kept on the product and in
 * the companion app on the user's phone is not collected in their sense. A
 * purpose therefore collects when it stores data in the cloud or hands it
 * to a recipient. Play calls a transfer "sharing" unless it goes to a
 * service provider acting for the developer: a recipient whose role is
 * "processor" is not sharing; any other role (or none) is, so that an
 * undeclared role errs towards disclosure.
 */
#include "disclose_private.h"

#include <string.h>

int custos_disclose__recipient_is_processor(const Custos__V1__Recipient *r)
{
    return r->role != NULL && strcmp(r->role, "processor") == 0;
}

int custos_disclose__purpose_collected(const custos_purpose_pb *p)
{
    if (p->n_recipients > 0)
        return 1;
    for (size_t i = 0; i < p->n_locations; i++)
        if (p->locations[i] == CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_CLOUD)
            return 1;
    return 0;
}

int custos_disclose__purpose_shared(const custos_purpose_pb *p)
{
    for (size_t i = 0; i < p->n_recipients; i++)
        if (!custos_disclose__recipient_is_processor(p->recipients[i]))
            return 1;
    return 0;
}

int custos_disclose__category_collected(const custos_manifest_pb *m, uint32_t category)
{
    for (size_t i = 0; i < m->n_purposes; i++)
        if (custos__purpose_uses(m->purposes[i], category) && custos_disclose__purpose_collected(m->purposes[i]))
            return 1;
    return 0;
}

int custos_disclose__category_shared(const custos_manifest_pb *m, uint32_t category)
{
    for (size_t i = 0; i < m->n_purposes; i++)
        if (custos__purpose_uses(m->purposes[i], category) && custos_disclose__purpose_shared(m->purposes[i]))
            return 1;
    return 0;
}

int custos_disclose__category_optional(const custos_manifest_pb *m, uint32_t category)
{
    for (size_t i = 0; i < m->n_purposes; i++) {
        const custos_purpose_pb *p = m->purposes[i];
        if (custos__purpose_uses(p, category) && custos_disclose__purpose_collected(p) &&
            p->necessity != CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL)
            return 0;
    }
    return 1;
}

int custos_disclose__has_location(const custos_manifest_pb *m, Custos__V1__StorageLocation where)
{
    for (size_t i = 0; i < m->n_purposes; i++)
        for (size_t j = 0; j < m->purposes[i]->n_locations; j++)
            if (m->purposes[i]->locations[j] == where)
                return 1;
    return 0;
}

int custos_disclose__has_basis(const custos_manifest_pb *m, Custos__V1__LegalBasis basis)
{
    for (size_t i = 0; i < m->n_purposes; i++)
        if (m->purposes[i]->legal_basis == basis)
            return 1;
    return 0;
}

int custos_disclose__has_jurisdiction(const custos_manifest_pb *m, const char *j)
{
    for (size_t i = 0; i < m->product->n_jurisdictions; i++)
        if (strcmp(m->product->jurisdictions[i], j) == 0)
            return 1;
    return 0;
}

int custos_disclose__has_special(const custos_manifest_pb *m)
{
    for (size_t i = 0; i < m->n_categories; i++)
        if (m->categories[i]->has_special && m->categories[i]->special)
            return 1;
    return 0;
}
