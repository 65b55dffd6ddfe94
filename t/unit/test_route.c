/*
 * incident_route: the /api/v1 router, the list query parameters and the
 * token file's lines.
 */

#include <stdio.h>
#include <string.h>

#include "incident_route.h"
#include "tap.h"


static void
test_routes(void)
{
    size_t       i;
    inc_route_t  route;

    static const struct {
        const char      *path;
        int              rc;
        inc_resource_t   resource;
        uint64_t         id;
        uint64_t         sub_id;
    } cases[] = {
        { "incidents", 0, INC_R_INCIDENTS, 0, 0 },
        { "incidents/", 0, INC_R_INCIDENTS, 0, 0 },
        { "incidents/17", 0, INC_R_INCIDENT, 17, 0 },
        { "incidents/17/updates", 0, INC_R_UPDATES, 17, 0 },
        { "incidents/17/updates/3", 0, INC_R_UPDATE, 17, 3 },
        { "incidents/17/updates/3/", 0, INC_R_UPDATE, 17, 3 },
        { "maintenances/2/updates/9", 0, INC_R_MAINT_UPDATE, 2, 9 },
        { "maintenances", 0, INC_R_MAINTENANCES, 0, 0 },
        { "components", 0, INC_R_COMPONENTS, 0, 0 },
        { "components/5", 0, INC_R_COMPONENT, 5, 0 },
        { "status", 0, INC_R_STATUS, 0, 0 },
        { "settings", 0, INC_R_SETTINGS, 0, 0 },
        { "audit", 0, INC_R_AUDIT, 0, 0 },
        { "queue", 0, INC_R_QUEUE, 0, 0 },
        { "subscribers", 0, INC_R_SUBSCRIBERS, 0, 0 },
        { "subscribers/4", 0, INC_R_SUBSCRIBER, 4, 0 },
        { "subscribers/4/deliveries", 0, INC_R_DELIVERIES, 4, 0 },
        { "dead-letters", 0, INC_R_DEAD_LETTERS, 0, 0 },
        { "dead-letters/8/retry", 0, INC_R_DEAD_RETRY, 8, 0 },
        { "integrations/alertmanager", 0, INC_R_ALERTMANAGER, 0, 0 },
        { "9007199254740991", -1, 0, 0, 0 },
        { "incidents/9007199254740991", 0, INC_R_INCIDENT,
          9007199254740991ULL, 0 },
        { "incidents/9007199254740992", -1, 0, 0, 0 },
        { "incidents/0", -1, 0, 0, 0 },
        { "incidents/017", -1, 0, 0, 0 },
        { "incidents/-1", -1, 0, 0, 0 },
        { "incidents/1a", -1, 0, 0, 0 },
        { "incidents/1/updates/0", -1, 0, 0, 0 },
        { "incidents/1/comments/2", -1, 0, 0, 0 },
        { "incidents/1/updates/2/x", -1, 0, 0, 0 },
        { "incidents//", 0, INC_R_INCIDENTS, 0, 0 },   /* as nginx merges */
        { "components/1/x", -1, 0, 0, 0 },
        { "status/1", -1, 0, 0, 0 },
        { "integrations", -1, 0, 0, 0 },
        { "integrations/other", -1, 0, 0, 0 },
        { "..", -1, 0, 0, 0 },
        { "", -1, 0, 0, 0 },
        { "/", -1, 0, 0, 0 },
        { "Incidents", -1, 0, 0, 0 },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&route, 0xff, sizeof(route));

        if (inc_route_api(cases[i].path, strlen(cases[i].path), &route)
            != cases[i].rc)
        {
            ok(0, "\"%s\" is %s", cases[i].path,
               cases[i].rc ? "refused" : "routed");
            continue;
        }

        if (cases[i].rc != 0) {
            ok(1, "\"%s\" is refused", cases[i].path);
            continue;
        }

        ok(route.resource == cases[i].resource
           && route.id == cases[i].id && route.sub_id == cases[i].sub_id,
           "\"%s\" names resource %d, ids %llu %llu", cases[i].path,
           (int) cases[i].resource, (unsigned long long) cases[i].id,
           (unsigned long long) cases[i].sub_id);
    }
}


static void
test_query(void)
{
    size_t       len;
    inc_page_t   page;
    const char  *v, *field, *message;

    static const char  *bad[] = {
        "limit=0", "limit=101", "limit=-1", "limit=1e3", "limit=",
        "limit=99999999999", "cursor=0", "cursor=x", "cursor=-5",
        "cursor=99999999999999999999", "state=bogus", "state=upcoming",
    };

    size_t  i;

    ok(inc_query_arg("a=1&limit=5&b", 13, "limit", &v, &len) == 0
       && len == 1 && v[0] == '5', "an argument in the middle");
    ok(inc_query_arg("LIMIT=5", 7, "limit", &v, &len) == 0,
       "names without case, as nginx's ngx_http_arg()");
    ok(inc_query_arg("xlimit=5", 8, "limit", &v, &len) != 0,
       "not a suffix of another name");
    ok(inc_query_arg("limit", 5, "limit", &v, &len) != 0,
       "not a name without '='");
    ok(inc_query_arg("limit=", 6, "limit", &v, &len) == 0 && len == 0,
       "an empty value");

    ok(inc_query_page("", 0, INC_STATES_INCIDENT, &page, &field, &message)
       == 0 && page.limit == INC_LIST_LIMIT_DEFAULT && page.cursor == 0
       && page.state == INC_STATE_ALL, "the defaults");
    ok(inc_query_page("limit=100&cursor=42&state=resolved", 34,
                      INC_STATES_INCIDENT, &page, &field, &message) == 0
       && page.limit == 100 && page.cursor == 42
       && page.state == INC_STATE_RESOLVED, "every parameter");
    ok(inc_query_page("state=past", 10, INC_STATES_MAINTENANCE, &page,
                      &field, &message) == 0
       && page.state == INC_STATE_PAST, "a maintenance state");
    ok(inc_query_page("state=bogus", 11, INC_STATES_NONE, &page, &field,
                      &message) == 0, "no state read where there is none");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        field = NULL;
        ok(inc_query_page(bad[i], strlen(bad[i]), INC_STATES_INCIDENT, &page,
                          &field, &message) != 0
           && field != NULL && strncmp(bad[i], field, strlen(field)) == 0,
           "\"%s\" is refused, naming %s", bad[i], field ? field : "-");
    }
}


static void
test_tokens(void)
{
    char              line[160];
    inc_token_line_t  t;

    static const char  *hex =
        "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";

    snprintf(line, sizeof(line), "  ci:%s \r", hex);
    ok(inc_token_line(line, strlen(line), &t) == 1 && t.name_len == 2
       && memcmp(t.name, "ci", 2) == 0 && t.hash[0] == 0x9f
       && t.hash[31] == 0x08, "a token line, blanks around it");

    ok(inc_token_line("", 0, &t) == 0, "a blank line");
    ok(inc_token_line(" \t\r", 3, &t) == 0, "white space only");
    ok(inc_token_line("# ci:abc", 8, &t) == 0, "a comment");

    snprintf(line, sizeof(line), ":%s", hex);
    ok(inc_token_line(line, strlen(line), &t) < 0, "no name");

    snprintf(line, sizeof(line), "ci:%.63s", hex);
    ok(inc_token_line(line, strlen(line), &t) < 0, "63 hex digits");

    snprintf(line, sizeof(line), "ci:%s0", hex);
    ok(inc_token_line(line, strlen(line), &t) < 0, "65 hex digits");

    snprintf(line, sizeof(line), "ci:%.63sg", hex);
    ok(inc_token_line(line, strlen(line), &t) < 0, "a digit that is not");

    ok(inc_token_line("ci", 2, &t) < 0, "no colon");
}


int
main(void)
{
    test_routes();
    test_query();
    test_tokens();

    return done_testing();
}
