/*
 * notice_private.h: what notice.c (the layered notice) and notice_law.c (the
 * items GDPR Art. 13/14/27 and APPI Art. 20/27/28/32-35 require) share.
 *
 * Each legally required item is written with a marker before it, an HTML
 * comment <!--custos:ID--> in both Markdown and HTML; ID is the item's id in
 * the checklists (the .tsv files of tests/format/checklists), with "#P" for purpose P,
 * "#P.N" for its N-th recipient (1-based, in the compiled order) and "#C" for
 * category C. The checklist tests look for the markers, never for prose.
 */
#ifndef CUSTOS_DISCLOSE_NOTICE_PRIVATE_H
#define CUSTOS_DISCLOSE_NOTICE_PRIVATE_H

#include "disclose_private.h"

typedef struct notice {
    dc_gen *g;
    dc_doc d;
    const custos_manifest_pb *m;
    int gdpr, appi;     /* the manifest names EU-GDPR or UK-GDPR; JP-APPI */
} notice;

#define STR(buf) ((buf).data ? (buf).data : "")

/* notice.c: one list item "**label:** text", after the marker id#a when id is not NULL. */
void custos_disclose__notice_item(notice *n, const char *id, uint32_t a, const char *label, const char *text);

/* notice_law.c */
void custos_disclose__notice_mark(notice *n, const char *id, uint32_t a, uint32_t b); /* a, b: 0 for none */
void custos_disclose__notice_purpose_law(notice *n, const custos_purpose_pb *p);
void custos_disclose__notice_recipient_law(notice *n, const custos_purpose_pb *p, size_t index);
void custos_disclose__notice_security(notice *n);
void custos_disclose__notice_requests(notice *n);
void custos_disclose__notice_rights(notice *n);
void custos_disclose__notice_contact(notice *n);

#endif
