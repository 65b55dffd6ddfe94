/*
 * Atlassian Statuspage's public v2 documents (/api/v2/summary.json and
 * the rest) built from our data, so that widgets, aggregators and client
 * libraries written for Statuspage read this page unchanged.
 */

#ifndef _INCIDENT_STATUSPAGE_H_INCLUDED_
#define _INCIDENT_STATUSPAGE_H_INCLUDED_


#include <stddef.h>

#include "incident_service.h"


typedef enum {
    INC_V2_SUMMARY = 0,
    INC_V2_STATUS,
    INC_V2_COMPONENTS,
    INC_V2_INCIDENTS,
    INC_V2_UNRESOLVED,
    INC_V2_MAINTENANCES,
    INC_V2_UPCOMING,
    INC_V2_ACTIVE,
    INC_V2_COUNT
} inc_v2_doc_t;


/* the document at "path" under /api/v2/ ("summary.json"), or -1 */
int inc_v2_doc_find(const char *path, size_t len);

/* one document, from one read transaction; res->generation is its ETag */
void inc_service_v2(inc_store_t *store, const inc_ctx_t *ctx,
    inc_v2_doc_t doc, inc_result_t *res);


#endif /* _INCIDENT_STATUSPAGE_H_INCLUDED_ */
