/*
 * The /api/v1 router and the list query parameters (incident_route.c), as
 * ngx_http_incident_route() and ngx_http_incident_parse_page() call them,
 * and the /api/v2 (Statuspage) document names: the input is the URI after
 * "/api/v1/" (or "/api/v2/"), then "?" and the query string.
 * A path that routes is checked to be the one canonical spelling of its
 * resource and ids (but for trailing slashes).
 */

#include "fuzz.h"

#include "incident_route.h"
#include "incident_statuspage.h"


#define FZ_ID_MAX  9007199254740991ULL


static const struct {
    const char  *first;
    int          ids;           /* 0, 1: "first/ID", 2: "first/ID/...ID" */
    const char  *then;
} fz_paths[INC_R_COUNT] = {
    [INC_R_INCIDENTS] = { "incidents", 0, NULL },
    [INC_R_INCIDENT] = { "incidents", 1, NULL },
    [INC_R_UPDATES] = { "incidents", 1, "updates" },
    [INC_R_UPDATE] = { "incidents", 2, "updates" },
    [INC_R_COMPONENTS] = { "components", 0, NULL },
    [INC_R_COMPONENT] = { "components", 1, NULL },
    [INC_R_STATUS] = { "status", 0, NULL },
    [INC_R_SETTINGS] = { "settings", 0, NULL },
    [INC_R_AUDIT] = { "audit", 0, NULL },
    [INC_R_MAINTENANCES] = { "maintenances", 0, NULL },
    [INC_R_MAINTENANCE] = { "maintenances", 1, NULL },
    [INC_R_MAINT_UPDATES] = { "maintenances", 1, "updates" },
    [INC_R_MAINT_UPDATE] = { "maintenances", 2, "updates" },
    [INC_R_ALERTMANAGER] = { "integrations", 0, "alertmanager" },
    [INC_R_SUBSCRIBERS] = { "subscribers", 0, NULL },
    [INC_R_SUBSCRIBER] = { "subscribers", 1, NULL },
    [INC_R_DELIVERIES] = { "subscribers", 1, "deliveries" },
    [INC_R_DEAD_LETTERS] = { "dead-letters", 0, NULL },
    [INC_R_DEAD_RETRY] = { "dead-letters", 1, "retry" },
    [INC_R_QUEUE] = { "queue", 0, NULL },
};


static void
fz_route(const char *path, size_t len)
{
    int          n;
    char         canon[128];
    size_t       trimmed;
    inc_route_t  route, again;

    if (inc_route_api(path, len, &route) != 0) {
        return;
    }

    FZ_ASSERT(route.resource < INC_R_COUNT, "no such resource");
    FZ_ASSERT(route.id <= FZ_ID_MAX && route.sub_id <= FZ_ID_MAX,
              "an id JSON cannot carry");
    FZ_ASSERT((route.id != 0) == (fz_paths[route.resource].ids >= 1)
              && (route.sub_id != 0) == (fz_paths[route.resource].ids == 2),
              "ids that the resource does not have");

    switch (fz_paths[route.resource].ids) {
    case 0:
        n = snprintf(canon, sizeof(canon), "%s%s%s",
                     fz_paths[route.resource].first,
                     fz_paths[route.resource].then ? "/" : "",
                     fz_paths[route.resource].then
                     ? fz_paths[route.resource].then : "");
        break;
    case 1:
        n = snprintf(canon, sizeof(canon), "%s/%llu%s%s",
                     fz_paths[route.resource].first,
                     (unsigned long long) route.id,
                     fz_paths[route.resource].then ? "/" : "",
                     fz_paths[route.resource].then
                     ? fz_paths[route.resource].then : "");
        break;
    default:
        n = snprintf(canon, sizeof(canon), "%s/%llu/%s/%llu",
                     fz_paths[route.resource].first,
                     (unsigned long long) route.id,
                     fz_paths[route.resource].then,
                     (unsigned long long) route.sub_id);
        break;
    }

    FZ_ASSERT(inc_route_api(canon, (size_t) n, &again) == 0
              && again.resource == route.resource && again.id == route.id
              && again.sub_id == route.sub_id,
              "the canonical path routes elsewhere");

    /* one spelling per resource: no leading zeros, signs, spaces, ... */
    for (trimmed = len; trimmed > 0 && path[trimmed - 1] == '/'; trimmed--) {
        /* void */
    }

    FZ_ASSERT(trimmed == (size_t) n && memcmp(path, canon, trimmed) == 0,
              "a second spelling of a path routes");
}


static void
fz_query(const char *args, size_t len)
{
    int           rc;
    size_t        vlen;
    inc_page_t    page;
    const char   *v, *field, *message;
    inc_states_t  states;

    static const char  *names[] = { "limit", "cursor", "state", "token" };

    for (rc = 0; rc < 4; rc++) {
        if (inc_query_arg(args, len, names[rc], &v, &vlen) == 0) {
            FZ_ASSERT(v >= args && v + vlen <= args + len,
                      "an argument outside the query string");
        }
    }

    for (states = INC_STATES_NONE; states <= INC_STATES_MAINTENANCE;
         states++)
    {
        field = NULL;
        message = NULL;

        rc = inc_query_page(args, len, states, &page, &field, &message);

        if (rc != 0) {
            FZ_ASSERT(field != NULL && message != NULL,
                      "a refusal that names no field");
            continue;
        }

        FZ_ASSERT(page.limit >= 1 && page.limit <= INC_LIST_LIMIT_MAX,
                  "a limit out of range");
        FZ_ASSERT(page.cursor <= FZ_ID_MAX, "a cursor out of range");
        FZ_ASSERT(states != INC_STATES_NONE
                  ? 1 : page.state == INC_STATE_ALL,
                  "a state where none is taken");
        FZ_ASSERT(states != INC_STATES_INCIDENT
                  || page.state == INC_STATE_ALL
                  || page.state == INC_STATE_ACTIVE
                  || page.state == INC_STATE_RESOLVED,
                  "a maintenance state for incidents");
        FZ_ASSERT(states != INC_STATES_MAINTENANCE
                  || page.state != INC_STATE_RESOLVED,
                  "an incident state for maintenances");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int             v2;
    char           *path, *args;
    size_t          plen;
    const uint8_t  *q;

    q = memchr(data, '?', size);
    plen = q ? (size_t) (q - data) : size;

    /* each in a block of its own: r->uri and r->args are not terminated */
    path = fz_copy(data, plen);
    fz_route(path, plen);

    v2 = inc_v2_doc_find(path, plen);
    FZ_ASSERT(v2 >= -1 && v2 < INC_V2_COUNT, "no such v2 document");
    free(path);

    if (q != NULL) {
        args = fz_copy(q + 1, size - plen - 1);
        fz_query(args, size - plen - 1);
        free(args);
    }

    return 0;
}
