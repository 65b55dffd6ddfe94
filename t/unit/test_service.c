/*
 * incident_service: the API's operations on a real store, driven as the
 * nginx handler drives them: the body is validated with the model's
 * validators first, and only a valid, normalized input reaches
 * inc_service_write().
 */

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_json.h"
#include "incident_service.h"
#include "tap.h"


/* 2026-11-27T10:00:00Z */
#define NOW       ((time_t) 1795773600)
#define BASE_URL  "https://status.example.com"

#include "store_env.h"
#include "doc_env.h"


#define SEED_BODY                                                            \
    "{\"title\": \"Database connectivity issues\","                          \
    " \"status\": \"investigating\", \"impact\": \"major\","                 \
    " \"message\": \"We are investigating reports of database issues.\","    \
    " \"componentIds\": [1, 2]}"


/* reading documents */


/* the "field"s of a problem's errors */
static const char *
FIELDS(const cJSON *problem)
{
    char         *buf;
    size_t        len;
    const cJSON  *e;

    buf = scratch();
    buf[0] = '\0';
    len = 0;

    cJSON_ArrayForEach(e, at(problem, "errors")) {
        len += (size_t) snprintf(buf + len, 1024 - len, "%s%s",
                                 len ? "," : "", S(e, "field"));
        if (len >= 1024) {
            break;
        }
    }

    return buf;
}


static const char *
TIME(time_t t)
{
    char  *buf;

    buf = scratch();
    inc_time_format(t, buf);

    return buf;
}


/* one component's effective and base status, "partial_outage/operational" */
static const char *
comp_status(env_t *e, uint64_t id)
{
    char  *buf;

    buf = scratch();

    inc_service_component_get(e->store, id, R(e));

    if (e->res.status != 200) {
        snprintf(buf, 1024, "(status %d)", e->res.status);
        return buf;
    }

    snprintf(buf, 1024, "%s/%s", S(e->res.body, "status"),
             S(e->res.body, "baseStatus"));

    return buf;
}


static const char *
overall(env_t *e)
{
    char  *buf;

    buf = scratch();

    inc_service_status(e->store, &e->ctx, R(e));
    snprintf(buf, 1024, "%s: %s", S(e->res.body, "status"),
             S(e->res.body, "description"));

    return buf;
}


static const char *
list_incidents(env_t *e, inc_state_t state, int limit, uint64_t cursor)
{
    char        *buf;
    inc_page_t   page;

    page.state = state;
    page.limit = limit;
    page.cursor = cursor;

    buf = scratch();

    inc_service_incident_list(e->store, &e->ctx, &page, R(e));

    if (e->res.status != 200) {
        snprintf(buf, 1024, "(status %d)", e->res.status);
        return buf;
    }

    snprintf(buf, 1024, "[%s] next=%s", IDS(e->res.body, "data"),
             S(e->res.body, "nextCursor"));

    return buf;
}


static int
is_problem(const cJSON *p, int status, const char *type)
{
    return N(p, "status") == status
           && strcmp(S(p, "type"), type) == 0
           && strcmp(S(p, "title"), "(missing)") != 0
           && strcmp(S(p, "detail"), "(missing)") != 0;
}


static void
seed_components(env_t *e)
{
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"API\"}");
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"Dashboard\"}");
}


/* the seed's walk-through */

static void
test_seed(void)
{
    int           st;
    env_t         e;
    cJSON        *created;
    uint64_t      g;
    const cJSON  *doc;

    if (!ok(env_open(&e), "seed: the store opens")) {
        return;
    }

    is_str(overall(&e), "operational: All Systems Operational",
           "an empty page is operational");
    is_str(IDS(e.res.body, "components"), "", "with no components");
    is_str(IDS(e.res.body, "activeIncidents"), "", "and no incidents");

    st = wr(&e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"API\"}");
    doc = e.res.body;
    is_int(st, 201, "create component API: 201");
    is_str(e.res.location, "/api/v1/components/1", "its Location");
    is_int(N(doc, "id"), 1, "API is component 1");
    is_str(S(doc, "name"), "API", "named API");
    is_str(S(doc, "description"), "", "description defaults to \"\"");
    is_str(S(doc, "groupId"), "(null)", "groupId defaults to null");
    is_int(N(doc, "position"), 0, "the first position is 0");
    is_str(S(doc, "status"), "operational", "status operational");
    is_str(S(doc, "baseStatus"), "operational", "baseStatus operational");
    is_str(B(doc, "isGroup"), "false", "not a group");
    is_str(S(doc, "createdAt"), TIME(NOW), "createdAt is now");
    is_int(e.res.generation, gen(&e),
           "a write reports the generation it committed");

    st = wr(&e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"Dashboard\"}");
    is_int(st, 201, "create component Dashboard: 201");
    is_int(N(e.res.body, "id"), 2, "Dashboard is component 2");
    is_int(N(e.res.body, "position"), 1, "placed after API");

    /* unknown components: 422 and nothing written */
    g = gen(&e);
    st = wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
            "{\"title\": \"Database connectivity issues\","
            " \"status\": \"investigating\", \"impact\": \"major\","
            " \"componentIds\": [1, 3]}");
    is_int(st, 422, "an unknown component id: 422");
    ok(!e.invalid, "(refused by the service, not the validators)");
    ok(is_problem(e.res.body, 422, "urn:incident:problem:validation"),
       "a validation problem document");
    is_str(FIELDS(e.res.body), "componentIds", "about componentIds");
    ok(strstr(S(e.res.body, "errors.0.message"), "3") != NULL,
       "naming the unknown id (%s)", S(e.res.body, "errors.0.message"));
    is_str(e.res.location, "", "no Location");
    is_int(gen(&e), g, "nothing was written: the generation is unchanged");

    st = wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
            "{\"title\": \"x\", \"status\": \"investigating\","
            " \"impact\": \"huge\", \"componentIds\": [1, 9]}");
    is_int(st, 422, "a bad impact and an unknown component: 422");
    is_str(FIELDS(e.res.body), "impact,componentIds",
           "one entry per bad field, the unknown id included");
    is_int(gen(&e), g, "nothing was written");

    /* the seed's incident */
    st = wr(&e, INC_OP_INCIDENT_CREATE, 0, 0, SEED_BODY);
    doc = e.res.body;
    is_int(st, 201, "the seed's incident: 201");
    is_str(e.res.location, "/api/v1/incidents/1",
           "Location /api/v1/incidents/1 (the refused one used no id)");
    is_int(gen(&e), g + 1, "one write, one generation");
    is_int(e.res.generation, g + 1, "reported with the result");
    is_int(N(doc, "id"), 1, "id 1");
    is_str(S(doc, "title"), "Database connectivity issues", "title");
    is_str(S(doc, "status"), "investigating", "status");
    is_str(S(doc, "impact"), "major", "impact");
    is_str(IDS(doc, "componentIds"), "1,2", "componentIds [1, 2]");
    is_str(S(doc, "createdAt"), "2026-11-27T10:00:00Z", "createdAt");
    is_str(S(doc, "startedAt"), "2026-11-27T10:00:00Z",
           "startedAt defaults to now");
    is_str(S(doc, "updatedAt"), "2026-11-27T10:00:00Z", "updatedAt");
    is_str(S(doc, "resolvedAt"), "(null)", "resolvedAt null");
    is_int(N(doc, "durationSeconds"), -1, "durationSeconds null");
    is_str(S(doc, "url"), BASE_URL "/incidents/1", "url");
    is_int(cJSON_GetArraySize(at(doc, "updates")), 1,
           "the message became the first update");
    is_int(N(doc, "updates.0.id"), 1, "update 1");
    is_str(S(doc, "updates.0.status"), "investigating", "update status");
    is_str(S(doc, "updates.0.message"),
           "We are investigating reports of database issues.",
           "update message");
    is_str(IDS(doc, "updates.0.componentIds"), "1,2", "update components");
    is_str(B(doc, "updates.0.notify"), "true", "notify defaults to true");
    is_str(S(doc, "updates.0.createdAt"), "2026-11-27T10:00:00Z",
           "update createdAt");

    created = cJSON_Duplicate(doc, 1);

    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    is_int(e.res.status, 200, "GET incident 1: 200");
    ok(cJSON_Compare(e.res.body, created, 1),
       "GET shows what POST returned");
    is_int(e.res.generation, gen(&e), "a read reports the generation");
    cJSON_Delete(created);

    is_str(comp_status(&e, 1), "partial_outage/operational",
           "API shows partial_outage while the incident is open");
    is_str(comp_status(&e, 2), "partial_outage/operational",
           "Dashboard too");

    is_str(overall(&e), "partial_outage: Partial System Outage",
           "the page shows a partial outage");
    is_str(IDS(e.res.body, "activeIncidents"), "1",
           "with the incident active");
    is_str(IDS(e.res.body, "components"), "1,2", "and both components");
    is_str(S(e.res.body, "components.0.status"), "partial_outage",
           "components in the status carry their effective status");
    is_str(S(e.res.body, "updatedAt"), TIME(NOW), "status updatedAt");

    /* the seed's update and resolution, 45 minutes later */
    e.ctx.now = NOW + 600;
    st = wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
            "{\"status\": \"identified\", \"message\": \"We've identified "
            "the root cause as a database connection pool exhaustion "
            "issue.\"}");
    doc = e.res.body;
    is_int(st, 201, "post an update: 201");
    is_str(e.res.location, "/api/v1/incidents/1/updates/2",
           "its Location");
    is_int(N(doc, "id"), 2, "update 2");
    is_str(S(doc, "status"), "identified", "status identified");
    is_str(IDS(doc, "componentIds"), "1,2",
           "it carries the incident's components");
    is_str(S(doc, "createdAt"), TIME(NOW + 600), "createdAt");

    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    doc = e.res.body;
    is_str(S(doc, "status"), "identified", "the update set the status");
    is_str(IDS(doc, "updates"), "2,1", "updates are listed newest first");
    is_str(S(doc, "updatedAt"), TIME(NOW + 600), "updatedAt moved");
    is_str(S(doc, "createdAt"), TIME(NOW), "createdAt did not");

    e.ctx.now = NOW + 2700;
    st = wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
            "{\"status\": \"resolved\", \"message\": \"This incident has "
            "been resolved.\"}");
    is_int(st, 201, "resolve: 201");

    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    doc = e.res.body;
    is_str(S(doc, "status"), "resolved", "resolved");
    is_str(S(doc, "resolvedAt"), TIME(NOW + 2700), "resolvedAt is now");
    is_int(N(doc, "durationSeconds"), 2700,
           "durationSeconds: the seed's 45 minutes");
    is_str(IDS(doc, "updates"), "3,2,1", "three updates, newest first");

    is_str(comp_status(&e, 1), "operational/operational",
           "API is back to its base status");
    is_str(comp_status(&e, 2), "operational/operational", "Dashboard too");
    is_str(overall(&e), "operational: All Systems Operational",
           "the page is operational again");
    is_str(IDS(e.res.body, "activeIncidents"), "", "no active incident");

    inc_service_update_list(e.store, 1, R(&e));
    is_int(e.res.status, 200, "GET updates: 200");
    is_str(IDS(e.res.body, "data"), "3,2,1", "the updates, newest first");
    is_str(S(e.res.body, "nextCursor"), "(null)", "one page");

    inc_service_update_get(e.store, 1, 2, R(&e));
    is_int(e.res.status, 200, "GET update 2: 200");
    is_str(S(e.res.body, "status"), "identified", "update 2 is identified");

    env_close(&e);
}


static void
test_lifecycle(void)
{
    int           st;
    env_t         e;
    uint64_t      g;
    const cJSON  *doc;

    if (!ok(env_open(&e), "lifecycle: the store opens")) {
        return;
    }

    seed_components(&e);

    /* backdated 45 minutes, then resolved */
    st = wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
            "{\"title\": \"Login is broken\", \"status\": \"investigating\","
            " \"impact\": \"major\", \"componentIds\": [1],"
            " \"startedAt\": \"%s\"}", TIME(NOW - 2700));
    doc = e.res.body;
    is_int(st, 201, "a backdated incident: 201");
    is_str(S(doc, "startedAt"), TIME(NOW - 2700), "startedAt is backdated");
    is_str(S(doc, "createdAt"), TIME(NOW), "createdAt is now");
    is_int(cJSON_GetArraySize(at(doc, "updates")), 0,
           "no message, no update");

    st = wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
            "{\"status\": \"resolved\", \"message\": \"Fixed.\"}");
    is_int(st, 201, "resolve it");
    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    doc = e.res.body;
    is_str(S(doc, "resolvedAt"), TIME(NOW), "resolvedAt is now");
    is_int(N(doc, "durationSeconds"), 2700,
           "durationSeconds = resolvedAt - startedAt = 2700");
    is_str(list_incidents(&e, INC_STATE_ACTIVE, 25, 0), "[] next=(null)",
           "no longer active");

    /* a later non-resolved update reopens */
    e.ctx.now = NOW + 300;
    st = wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
            "{\"status\": \"monitoring\", \"message\": \"It is back.\"}");
    is_int(st, 201, "a monitoring update after the resolution");
    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    doc = e.res.body;
    is_str(S(doc, "status"), "monitoring", "status monitoring");
    is_str(S(doc, "resolvedAt"), "(null)", "reopened: resolvedAt null");
    is_int(N(doc, "durationSeconds"), -1, "reopened: durationSeconds null");
    is_str(list_incidents(&e, INC_STATE_ACTIVE, 25, 0), "[1] next=(null)",
           "active again");
    is_str(comp_status(&e, 1), "partial_outage/operational",
           "its component is in partial outage again");

    e.ctx.now = NOW + 600;
    wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"resolved\", \"message\": \"Fixed for good.\"}");
    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    is_int(N(e.res.body, "durationSeconds"), 3300,
           "resolved again: the duration runs to the new resolution");

    /* an update's componentIds replaces the incident's */
    e.ctx.now = NOW + 700;
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Slow dashboard\", \"status\": \"investigating\","
       " \"impact\": \"minor\", \"componentIds\": [1]}");
    is_int(N(e.res.body, "id"), 2, "incident 2");
    is_str(comp_status(&e, 1), "partial_outage/operational",
           "incident 2 links API");

    st = wr(&e, INC_OP_UPDATE_CREATE, 2, 0,
            "{\"status\": \"identified\", \"message\": \"It is the "
            "dashboard.\", \"componentIds\": [2], \"notify\": false}");
    doc = e.res.body;
    is_int(st, 201, "an update with componentIds");
    is_str(IDS(doc, "componentIds"), "2", "the update names Dashboard");
    is_str(B(doc, "notify"), "false", "notify false is kept");
    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_str(IDS(e.res.body, "componentIds"), "2",
           "the incident's components were replaced");
    is_str(comp_status(&e, 1), "operational/operational", "API is free");
    is_str(comp_status(&e, 2), "partial_outage/operational",
           "Dashboard is linked");

    g = gen(&e);
    st = wr(&e, INC_OP_UPDATE_CREATE, 2, 0,
            "{\"status\": \"monitoring\", \"message\": \"x\","
            " \"componentIds\": [2, 9]}");
    is_int(st, 422, "an update naming an unknown component: 422");
    ok(!e.invalid, "(refused by the service)");
    is_str(FIELDS(e.res.body), "componentIds", "about componentIds");
    is_int(gen(&e), g, "nothing written");
    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_str(S(e.res.body, "status"), "identified", "the status is unchanged");
    is_int(cJSON_GetArraySize(at(e.res.body, "updates")), 1,
           "no update was added");

    /* PATCH the incident */
    e.ctx.now = NOW + 800;
    st = wr(&e, INC_OP_INCIDENT_PATCH, 2, 0,
            "{\"title\": \"Slow dashboard pages\", \"impact\": \"major\"}");
    doc = e.res.body;
    is_int(st, 200, "patch title and impact: 200");
    is_str(S(doc, "title"), "Slow dashboard pages", "new title");
    is_str(S(doc, "impact"), "major", "new impact");
    is_str(S(doc, "status"), "identified", "status untouched");
    is_str(S(doc, "updatedAt"), TIME(NOW + 800), "updatedAt moved");
    is_str(S(doc, "createdAt"), TIME(NOW + 700), "createdAt did not");
    is_int(cJSON_GetArraySize(at(doc, "updates")), 1,
           "a patch posts no update");

    g = gen(&e);
    st = wr(&e, INC_OP_INCIDENT_PATCH, 2, 0, "{\"status\": \"resolved\"}");
    is_int(st, 422, "patching the status: 422");
    is_str(FIELDS(e.res.body), "status", "about status");
    is_int(gen(&e), g, "nothing written");

    st = wr(&e, INC_OP_INCIDENT_PATCH, 2, 0, "{\"componentIds\": [7]}");
    is_int(st, 422, "patching in an unknown component: 422");
    is_str(FIELDS(e.res.body), "componentIds", "about componentIds");

    st = wr(&e, INC_OP_INCIDENT_PATCH, 1, 0, "{\"startedAt\": \"%s\"}",
            TIME(NOW + 700));
    is_int(st, 422, "startedAt after resolvedAt: 422");
    is_str(FIELDS(e.res.body), "startedAt", "about startedAt");
    is_int(gen(&e), g, "nothing written");

    st = wr(&e, INC_OP_INCIDENT_PATCH, 1, 0, "{\"startedAt\": \"%s\"}",
            TIME(NOW - 3600));
    is_int(st, 200, "moving startedAt earlier: 200");
    is_int(N(e.res.body, "durationSeconds"), 4200,
           "the duration follows startedAt");

    st = wr(&e, INC_OP_INCIDENT_PATCH, 2, 0, "{\"componentIds\": []}");
    is_int(st, 200, "unlink every component: 200");
    is_str(comp_status(&e, 2), "operational/operational",
           "Dashboard is free");

    /* PATCH and DELETE an update */
    e.ctx.now = NOW + 900;
    st = wr(&e, INC_OP_UPDATE_PATCH, 2, 4,
            "{\"message\": \"It is the dashboard's cache.\"}");
    doc = e.res.body;
    is_int(st, 200, "fix an update's message: 200");
    is_str(S(doc, "message"), "It is the dashboard's cache.", "new message");
    is_str(S(doc, "status"), "identified", "its status is kept");
    is_str(S(doc, "updatedAt"), TIME(NOW + 900), "its updatedAt is set");
    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_str(S(e.res.body, "updates.0.message"),
           "It is the dashboard's cache.", "the incident shows it");
    is_str(S(e.res.body, "updatedAt"), TIME(NOW + 900),
           "and the incident's updatedAt moved");

    st = wr(&e, INC_OP_UPDATE_PATCH, 1, 4, "{\"message\": \"x\"}");
    is_int(st, 404, "update 4 is not an update of incident 1: 404");

    st = wr(&e, INC_OP_UPDATE_DELETE, 2, 4, NULL);
    is_int(st, 204, "delete an update: 204");
    ok(e.res.body == NULL, "no body");
    inc_service_update_get(e.store, 2, 4, R(&e));
    is_int(e.res.status, 404, "it is gone");
    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_str(S(e.res.body, "status"), "identified",
           "the incident's status stays");
    is_int(cJSON_GetArraySize(at(e.res.body, "updates")), 0,
           "no updates left");

    /* a past incident */
    e.ctx.now = NOW + 1000;
    st = wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
            "{\"title\": \"Yesterday's outage\", \"status\": \"resolved\","
            " \"impact\": \"critical\", \"componentIds\": [1, 2],"
            " \"startedAt\": \"%s\", \"message\": \"Was down.\"}",
            TIME(NOW - 86400));
    doc = e.res.body;
    is_int(st, 201, "create a resolved incident: 201");
    is_str(S(doc, "resolvedAt"), TIME(NOW + 1000), "resolvedAt is now");
    is_int(N(doc, "durationSeconds"), 87400, "with its duration");
    is_str(S(doc, "updates.0.status"), "resolved", "its first update");
    is_str(comp_status(&e, 1), "operational/operational",
           "a past incident does not touch the components");
    is_str(list_incidents(&e, INC_STATE_ACTIVE, 25, 0), "[2] next=(null)",
           "and is not active");

    env_close(&e);
}


static void
test_groups(void)
{
    int           st;
    env_t         e;
    uint64_t      g;
    inc_page_t    page;
    const cJSON  *doc;

    if (!ok(env_open(&e), "groups: the store opens")) {
        return;
    }

    seed_components(&e);

    st = wr(&e, INC_OP_COMPONENT_CREATE, 0, 0,
            "{\"name\": \"Platform\", \"description\": \"Core\"}");
    is_int(st, 201, "create Platform: 201");
    is_int(N(e.res.body, "id"), 3, "component 3");
    is_int(N(e.res.body, "position"), 2, "at position 2");

    st = wr(&e, INC_OP_COMPONENT_PATCH, 1, 0, "{\"groupId\": 3}");
    doc = e.res.body;
    is_int(st, 200, "put API in Platform: 200");
    is_int(N(doc, "groupId"), 3, "API's groupId is 3");
    is_int(N(doc, "position"), 0, "first in its group");
    is_str(S(doc, "name"), "API", "a patch keeps the other fields");

    inc_service_component_get(e.store, 3, R(&e));
    is_str(B(e.res.body, "isGroup"), "true", "Platform is a group");
    inc_service_component_get(e.store, 2, R(&e));
    is_str(B(e.res.body, "isGroup"), "false", "Dashboard is not");

    st = wr(&e, INC_OP_COMPONENT_CREATE, 0, 0,
            "{\"name\": \"Database\", \"groupId\": 3}");
    is_int(st, 201, "create Database in Platform");
    is_int(N(e.res.body, "id"), 4, "component 4");
    is_int(N(e.res.body, "position"), 1, "after API in the group");

    page.state = INC_STATE_ALL;
    page.limit = 25;
    page.cursor = 0;
    inc_service_component_list(e.store, &page, R(&e));
    is_int(e.res.status, 200, "list components: 200");
    is_str(IDS(e.res.body, "data"), "2,3,1,4",
           "ordered by level and position, members after their group");
    is_str(S(e.res.body, "nextCursor"), "(null)", "one page");

    page.limit = 3;
    inc_service_component_list(e.store, &page, R(&e));
    is_str(IDS(e.res.body, "data"), "2,3,1", "limit 3");
    is_str(S(e.res.body, "nextCursor"), "3", "with a cursor");
    page.cursor = 3;
    inc_service_component_list(e.store, &page, R(&e));
    is_str(IDS(e.res.body, "data"), "4", "the next page");
    is_str(S(e.res.body, "nextCursor"), "(null)", "is the last");

    /* a linked member makes its group show partial_outage */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"API errors\", \"status\": \"investigating\","
       " \"impact\": \"minor\", \"componentIds\": [1]}");
    is_str(comp_status(&e, 1), "partial_outage/operational",
           "the linked member: partial_outage");
    is_str(comp_status(&e, 3), "partial_outage/operational",
           "its parent group: partial_outage");
    is_str(comp_status(&e, 4), "operational/operational",
           "its sibling: operational");
    is_str(comp_status(&e, 2), "operational/operational",
           "an unrelated component: operational");
    is_str(overall(&e), "partial_outage: Partial System Outage",
           "the page shows the worst component");

    wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"resolved\", \"message\": \"Done.\"}");
    is_str(comp_status(&e, 1), "operational/operational",
           "resolved: the member is back");
    is_str(comp_status(&e, 3), "operational/operational",
           "and the group too");

    /* base statuses */
    st = wr(&e, INC_OP_COMPONENT_PATCH, 4, 0,
            "{\"baseStatus\": \"under_maintenance\"}");
    is_int(st, 200, "Database under maintenance: 200");
    is_str(comp_status(&e, 4), "under_maintenance/under_maintenance",
           "shows under_maintenance");
    is_str(comp_status(&e, 3), "under_maintenance/operational",
           "its group too");
    is_str(overall(&e), "under_maintenance: Under Maintenance",
           "and the page");

    wr(&e, INC_OP_COMPONENT_PATCH, 2, 0, "{\"baseStatus\": \"major_outage\"}");
    is_str(overall(&e), "major_outage: Major System Outage",
           "a major outage beats maintenance");
    wr(&e, INC_OP_COMPONENT_PATCH, 2, 0, "{\"baseStatus\": \"operational\"}");
    wr(&e, INC_OP_COMPONENT_PATCH, 4, 0, "{\"baseStatus\": \"operational\"}");
    is_str(overall(&e), "operational: All Systems Operational",
           "back to operational");

    /* one level only */
    g = gen(&e);
    st = wr(&e, INC_OP_COMPONENT_CREATE, 0, 0,
            "{\"name\": \"Cache\", \"groupId\": 1}");
    is_int(st, 422, "a component in a member of a group: 422");
    is_str(FIELDS(e.res.body), "groupId", "about groupId");

    st = wr(&e, INC_OP_COMPONENT_CREATE, 0, 0,
            "{\"name\": \" \", \"groupId\": 1}");
    is_int(st, 422, "a blank name and a nested group: 422");
    is_str(FIELDS(e.res.body), "name,groupId", "both are named");

    st = wr(&e, INC_OP_COMPONENT_PATCH, 3, 0, "{\"groupId\": 2}");
    is_int(st, 422, "a group cannot be put in a group: 422");
    is_str(FIELDS(e.res.body), "groupId", "about groupId");

    st = wr(&e, INC_OP_COMPONENT_PATCH, 2, 0, "{\"groupId\": 2}");
    is_int(st, 422, "a component cannot be its own group: 422");

    st = wr(&e, INC_OP_COMPONENT_PATCH, 2, 0, "{\"groupId\": 99}");
    is_int(st, 422, "an unknown group: 422");

    st = wr(&e, INC_OP_COMPONENT_PATCH, 2, 0, "{\"groupId\": 1}");
    is_int(st, 422, "a member cannot become a group: 422");
    is_int(gen(&e), g, "none of them wrote anything");

    st = wr(&e, INC_OP_COMPONENT_PATCH, 4, 0, "{\"groupId\": null}");
    is_int(st, 200, "take Database out of its group: 200");
    is_str(S(e.res.body, "groupId"), "(null)", "groupId null");
    is_int(N(e.res.body, "position"), 3, "it goes last on the top level");
    wr(&e, INC_OP_COMPONENT_PATCH, 4, 0, "{\"groupId\": 3, \"position\": 7}");
    is_int(N(e.res.body, "position"), 7, "an explicit position is kept");

    /* deleting a group ungroups its members */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Platform down\", \"status\": \"investigating\","
       " \"impact\": \"critical\", \"componentIds\": [3]}");

    st = wr(&e, INC_OP_COMPONENT_DELETE, 3, 0, NULL);
    is_int(st, 204, "delete the group: 204");
    ok(e.res.body == NULL, "no body");
    inc_service_component_get(e.store, 3, R(&e));
    is_int(e.res.status, 404, "it is gone");
    inc_service_component_get(e.store, 1, R(&e));
    is_str(S(e.res.body, "groupId"), "(null)", "API is ungrouped");
    inc_service_component_get(e.store, 4, R(&e));
    is_str(S(e.res.body, "groupId"), "(null)", "Database is ungrouped");
    is_str(B(e.res.body, "isGroup"), "false", "nobody is a group");

    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_str(IDS(e.res.body, "componentIds"), "3",
           "the incident keeps its history");

    is_str(overall(&e), "major_outage: Major System Outage",
           "an incident naming no existing component counts by impact");

    st = wr(&e, INC_OP_COMPONENT_DELETE, 3, 0, NULL);
    is_int(st, 404, "delete it again: 404");

    env_close(&e);
}


static void
test_lists(void)
{
    int    i;
    env_t  e;

    static const char  *impact[] = { "none", "minor", "major", "none",
                                     "major" };

    if (!ok(env_open(&e), "lists: the store opens")) {
        return;
    }

    is_str(list_incidents(&e, INC_STATE_ALL, 25, 0), "[] next=(null)",
           "no incidents: an empty list");
    is_str(S(e.res.body, "nextCursor"), "(null)", "nextCursor null");

    for (i = 0; i < 5; i++) {
        e.ctx.now = NOW + i;
        wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
           "{\"title\": \"Incident %d\", \"status\": \"investigating\","
           " \"impact\": \"%s\", \"message\": \"m%d\"}",
           i + 1, impact[i], i + 1);
    }

    /* 1, 3 and 5 resolved */
    wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"resolved\", \"message\": \"ok\"}");
    wr(&e, INC_OP_UPDATE_CREATE, 3, 0,
       "{\"status\": \"resolved\", \"message\": \"ok\"}");
    wr(&e, INC_OP_UPDATE_CREATE, 5, 0,
       "{\"status\": \"resolved\", \"message\": \"ok\"}");

    is_str(list_incidents(&e, INC_STATE_ALL, 25, 0),
           "[5,4,3,2,1] next=(null)", "all, newest first");
    is_str(S(e.res.body, "data.0.title"), "Incident 5",
           "list items are full incidents");
    is_str(S(e.res.body, "data.0.updates.0.status"), "resolved",
           "with their updates");
    is_str(list_incidents(&e, INC_STATE_ALL, 2, 0), "[5,4] next=4",
           "limit 2: the first page");
    is_str(list_incidents(&e, INC_STATE_ALL, 2, 4), "[3,2] next=2",
           "cursor 4: the second page");
    is_str(list_incidents(&e, INC_STATE_ALL, 2, 2), "[1] next=(null)",
           "cursor 2: the last page");
    is_str(list_incidents(&e, INC_STATE_ALL, 5, 0), "[5,4,3,2,1] next=(null)",
           "a page that exactly fits: no next cursor");
    is_str(list_incidents(&e, INC_STATE_ALL, 4, 0), "[5,4,3,2] next=2",
           "limit 4");
    is_str(list_incidents(&e, INC_STATE_ALL, 4, 2), "[1] next=(null)",
           "and the rest");
    is_str(list_incidents(&e, INC_STATE_ALL, 1, 1), "[] next=(null)",
           "a cursor at the oldest: an empty page");
    is_str(list_incidents(&e, INC_STATE_ALL, 2, 1000), "[5,4] next=4",
           "a cursor past the newest starts at the newest");

    is_str(list_incidents(&e, INC_STATE_ACTIVE, 25, 0), "[4,2] next=(null)",
           "state=active");
    is_str(list_incidents(&e, INC_STATE_ACTIVE, 1, 0), "[4] next=4",
           "state=active, limit 1");
    is_str(list_incidents(&e, INC_STATE_ACTIVE, 1, 4), "[2] next=(null)",
           "state=active, the next page");
    is_str(list_incidents(&e, INC_STATE_RESOLVED, 25, 0),
           "[5,3,1] next=(null)", "state=resolved");
    is_str(list_incidents(&e, INC_STATE_RESOLVED, 2, 0), "[5,3] next=3",
           "state=resolved, limit 2");
    is_str(list_incidents(&e, INC_STATE_RESOLVED, 2, 3), "[1] next=(null)",
           "state=resolved, the next page");
    is_str(list_incidents(&e, INC_STATE_RESOLVED, 1, 5), "[3] next=3",
           "state=resolved, limit 1 from cursor 5");

    /* the page status without components: the impacts decide */
    is_str(overall(&e), "degraded_performance: Degraded Performance",
           "no components, active minor (and none): degraded_performance");
    is_str(IDS(e.res.body, "activeIncidents"), "4,2",
           "active incidents, newest first");
    is_str(S(e.res.body, "activeIncidents.0.title"), "Incident 4",
           "as full incidents");

    wr(&e, INC_OP_UPDATE_CREATE, 2, 0,
       "{\"status\": \"resolved\", \"message\": \"ok\"}");
    is_str(overall(&e), "operational: All Systems Operational",
           "only a \"none\" incident left: operational");
    is_str(IDS(e.res.body, "activeIncidents"), "4", "still listed");

    wr(&e, INC_OP_INCIDENT_PATCH, 4, 0, "{\"impact\": \"major\"}");
    is_str(overall(&e), "partial_outage: Partial System Outage",
           "major impact: partial_outage");

    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Website is down\", \"status\": \"identified\","
       " \"impact\": \"critical\"}");
    is_str(overall(&e), "major_outage: Major System Outage",
           "critical impact: major_outage");
    is_str(S(e.res.body, "updatedAt"), TIME(e.ctx.now),
           "status updatedAt is the last write's time");

    env_close(&e);
}


static void
test_settings(void)
{
    int    st;
    env_t  e;

    if (!ok(env_open(&e), "settings: the store opens")) {
        return;
    }

    inc_service_settings(e.store, R(&e));
    is_int(e.res.status, 200, "GET settings: 200");
    is_str(S(e.res.body, "pageTitle"), "Status", "default pageTitle");
    is_str(S(e.res.body, "incidentPosition"), "top",
           "default incidentPosition: top");
    is_str(S(e.res.body, "v"), "(missing)", "no record version shown");

    st = wr(&e, INC_OP_SETTINGS_PATCH, 0, 0,
            "{\"incidentPosition\": \"below_status\"}");
    is_int(st, 200, "PATCH incidentPosition: 200");
    is_str(S(e.res.body, "incidentPosition"), "below_status", "changed");
    is_str(S(e.res.body, "pageTitle"), "Status", "the title is kept");
    is_str(S(e.res.body, "v"), "(missing)", "no record version shown");

    st = wr(&e, INC_OP_SETTINGS_PATCH, 0, 0,
            "{\"pageTitle\": \"  Acme Status  \", \"unknown\": 1}");
    is_int(st, 200, "PATCH pageTitle: 200");

    inc_service_settings(e.store, R(&e));
    is_str(S(e.res.body, "pageTitle"), "Acme Status",
           "GET shows the new title, trimmed");
    is_str(S(e.res.body, "incidentPosition"), "below_status",
           "and the new position");
    is_str(S(e.res.body, "unknown"), "(missing)",
           "unknown fields are not stored");

    st = wr(&e, INC_OP_SETTINGS_PATCH, 0, 0,
            "{\"incidentPosition\": \"bottom\"}");
    is_int(st, 422, "an unknown position: 422");
    is_str(FIELDS(e.res.body), "incidentPosition", "about incidentPosition");

    env_close(&e);
}


static void
test_audit(void)
{
    env_t       e;
    inc_page_t  page;

    if (!ok(env_open(&e), "audit: the store opens")) {
        return;
    }

    e.ctx.actor = "alice";
    wr(&e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"API\"}");

    e.ctx.actor = "bob";
    e.ctx.now = NOW + 60;
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"x\", \"status\": \"investigating\","
       " \"impact\": \"minor\", \"componentIds\": [1]}");
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"x\", \"status\": \"investigating\","
       " \"impact\": \"minor\", \"componentIds\": [5]}");
    wr(&e, INC_OP_INCIDENT_DELETE, 9, 0, NULL);

    e.ctx.actor = "carol";
    e.ctx.now = NOW + 120;
    wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"resolved\", \"message\": \"ok\"}");
    wr(&e, INC_OP_SETTINGS_PATCH, 0, 0, "{\"pageTitle\": \"Acme\"}");

    page.state = INC_STATE_ALL;
    page.limit = 25;
    page.cursor = 0;
    inc_service_audit_list(e.store, &page, R(&e));
    is_int(e.res.status, 200, "audit list: 200");
    is_str(IDS(e.res.body, "data"), "4,3,2,1",
           "four entries, newest first; refused writes leave none");
    is_str(S(e.res.body, "data.0.action"), "settings.patch",
           "settings patch");
    is_str(S(e.res.body, "data.0.actor"), "carol", "by carol");
    is_str(S(e.res.body, "data.1.action"), "incident.update.create",
           "an update");
    is_str(S(e.res.body, "data.1.objectType"), "incident", "of an incident");
    is_int(N(e.res.body, "data.1.objectId"), 1, "incident 1");
    is_str(S(e.res.body, "data.1.at"), TIME(NOW + 120), "at its time");
    is_str(S(e.res.body, "data.2.action"), "incident.create",
           "incident create");
    is_str(S(e.res.body, "data.2.actor"), "bob", "by bob");
    is_str(S(e.res.body, "data.3.action"), "component.create",
           "component create");
    is_str(S(e.res.body, "data.3.actor"), "alice", "by alice");
    is_str(S(e.res.body, "data.3.objectType"), "component", "a component");
    is_str(S(e.res.body, "data.3.at"), TIME(NOW), "at its time");

    page.limit = 3;
    inc_service_audit_list(e.store, &page, R(&e));
    is_str(IDS(e.res.body, "data"), "4,3,2", "audit: limit 3");
    is_str(S(e.res.body, "nextCursor"), "2", "audit: next cursor");
    page.cursor = 2;
    inc_service_audit_list(e.store, &page, R(&e));
    is_str(IDS(e.res.body, "data"), "1", "audit: the last page");
    is_str(S(e.res.body, "nextCursor"), "(null)", "audit: no next cursor");

    env_close(&e);
}


static void
test_not_found(void)
{
    env_t     e;
    uint64_t  g;

    if (!ok(env_open(&e), "404s: the store opens")) {
        return;
    }

    seed_components(&e);
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0, SEED_BODY);
    g = gen(&e);

#define NOT_FOUND(name)                                                      \
    is_int(e.res.status, 404, name ": 404");                                 \
    ok(is_problem(e.res.body, 404, "urn:incident:problem:not-found"),        \
       name ": a not-found problem document")

    inc_service_incident_get(e.store, &e.ctx, 99, R(&e));
    NOT_FOUND("GET incident 99");
    is_str(S(e.res.body, "detail"), "No incident has this id.",
           "the detail names the kind");
    is_str(S(e.res.body, "title"), "Not Found", "title Not Found");
    is_str(S(e.res.body, "errors"), "(missing)", "no errors member");

    wr(&e, INC_OP_INCIDENT_PATCH, 99, 0, "{\"title\": \"x\"}");
    NOT_FOUND("PATCH incident 99");
    wr(&e, INC_OP_INCIDENT_DELETE, 99, 0, NULL);
    NOT_FOUND("DELETE incident 99");
    wr(&e, INC_OP_UPDATE_CREATE, 99, 0,
       "{\"status\": \"resolved\", \"message\": \"x\"}");
    NOT_FOUND("POST an update to incident 99");
    inc_service_update_list(e.store, 99, R(&e));
    NOT_FOUND("GET the updates of incident 99");
    inc_service_update_get(e.store, 1, 99, R(&e));
    NOT_FOUND("GET update 99 of incident 1");
    inc_service_update_get(e.store, 99, 1, R(&e));
    NOT_FOUND("GET update 1 of incident 99");
    wr(&e, INC_OP_UPDATE_PATCH, 1, 99, "{\"message\": \"x\"}");
    NOT_FOUND("PATCH update 99 of incident 1");
    wr(&e, INC_OP_UPDATE_PATCH, 99, 1, "{\"message\": \"x\"}");
    NOT_FOUND("PATCH update 1 of incident 99");
    wr(&e, INC_OP_UPDATE_DELETE, 1, 99, NULL);
    NOT_FOUND("DELETE update 99 of incident 1");
    inc_service_component_get(e.store, 99, R(&e));
    NOT_FOUND("GET component 99");
    is_str(S(e.res.body, "detail"), "No component has this id.",
           "the detail names the kind");
    wr(&e, INC_OP_COMPONENT_PATCH, 99, 0, "{\"name\": \"x\"}");
    NOT_FOUND("PATCH component 99");
    wr(&e, INC_OP_COMPONENT_DELETE, 99, 0, NULL);
    NOT_FOUND("DELETE component 99");

#undef NOT_FOUND

    is_int(gen(&e), g, "no 404 wrote anything");

    env_close(&e);
}


/* "incident.update" keys left in the updates database */
static const char *
update_keys(env_t *e)
{
    int          rc;
    char        *buf;
    size_t       len;
    inc_txn_t    txn;
    inc_iter_t   it;

    buf = scratch();
    buf[0] = '\0';
    len = 0;

    inc_txn_begin(e->store, 0, &txn);
    inc_iter_open(&txn, INC_DB_UPDATES, &it);

    for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
         rc = inc_iter_next(&it, NULL))
    {
        len += (size_t) snprintf(buf + len, 1024 - len, "%s%llu.%llu",
                                 len ? " " : "",
                                 (unsigned long long) it.key[0],
                                 (unsigned long long) it.key[1]);
        if (len >= 1024) {
            break;
        }
    }

    inc_iter_close(&it);
    inc_txn_abort(&txn);

    return buf;
}


static void
test_delete_incident(void)
{
    int        i, st, active;
    env_t      e;
    inc_txn_t  txn;

    if (!ok(env_open(&e), "delete: the store opens")) {
        return;
    }

    seed_components(&e);

    for (i = 1; i <= 3; i++) {
        wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
           "{\"title\": \"Incident %d\", \"status\": \"investigating\","
           " \"impact\": \"major\", \"componentIds\": [%d],"
           " \"message\": \"first\"}", i, i == 3 ? 2 : 1);
    }

    /* interleaved, so that update ids of the incidents interleave */
    for (i = 0; i < 2; i++) {
        wr(&e, INC_OP_UPDATE_CREATE, 1, 0,
           "{\"status\": \"identified\", \"message\": \"a\"}");
        wr(&e, INC_OP_UPDATE_CREATE, 2, 0,
           "{\"status\": \"identified\", \"message\": \"b\"}");
        wr(&e, INC_OP_UPDATE_CREATE, 3, 0,
           "{\"status\": \"identified\", \"message\": \"c\"}");
    }

    is_str(update_keys(&e), "1.1 1.4 1.7 2.2 2.5 2.8 3.3 3.6 3.9",
           "three incidents with three updates each");

    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_str(IDS(e.res.body, "updates"), "8,5,2",
           "a middle incident lists only its own updates");

    st = wr(&e, INC_OP_INCIDENT_DELETE, 2, 0, NULL);
    is_int(st, 204, "delete incident 2: 204");
    ok(e.res.body == NULL, "no body");
    is_str(update_keys(&e), "1.1 1.4 1.7 3.3 3.6 3.9",
           "its updates are gone, the others' are not");

    inc_service_incident_get(e.store, &e.ctx, 2, R(&e));
    is_int(e.res.status, 404, "GET incident 2: 404");
    inc_service_update_list(e.store, 2, R(&e));
    is_int(e.res.status, 404, "GET its updates: 404");
    inc_service_update_get(e.store, 2, 5, R(&e));
    is_int(e.res.status, 404, "GET one of its updates: 404");

    inc_txn_begin(e.store, 0, &txn);
    active = inc_record_exists(&txn, INC_DB_ACTIVE, 2, 0);
    inc_txn_abort(&txn);
    ok(!active, "it is no longer in the active index");

    is_str(list_incidents(&e, INC_STATE_ALL, 25, 0), "[3,1] next=(null)",
           "the list skips it");
    is_str(list_incidents(&e, INC_STATE_ACTIVE, 25, 0), "[3,1] next=(null)",
           "so does the active list");

    st = wr(&e, INC_OP_INCIDENT_DELETE, 3, 0, NULL);
    is_int(st, 204, "delete incident 3, the last one: 204");
    is_str(update_keys(&e), "1.1 1.4 1.7", "only incident 1's updates remain");
    is_str(comp_status(&e, 2), "operational/operational",
           "its component is free again");
    is_str(comp_status(&e, 1), "partial_outage/operational",
           "incident 1's is not");

    inc_service_incident_get(e.store, &e.ctx, 1, R(&e));
    is_str(IDS(e.res.body, "updates"), "7,4,1", "incident 1 is intact");

    st = wr(&e, INC_OP_INCIDENT_DELETE, 3, 0, NULL);
    is_int(st, 404, "deleting it again: 404");

    st = wr(&e, INC_OP_INCIDENT_DELETE, 1, 0, NULL);
    is_int(st, 204, "delete incident 1");
    is_str(update_keys(&e), "", "no updates remain");
    is_str(overall(&e), "operational: All Systems Operational",
           "nothing is active");

    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"New\", \"status\": \"investigating\","
       " \"impact\": \"none\"}");
    is_int(N(e.res.body, "id"), 4, "ids are not reused after a delete");

    env_close(&e);
}


/* more unlinked active incidents than the first allocation holds */
static void
test_many_active(void)
{
    int    i;
    env_t  e;

    if (!ok(env_open(&e), "many: the store opens")) {
        return;
    }

    for (i = 1; i <= 130; i++) {
        wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
           "{\"title\": \"Incident %d\", \"status\": \"investigating\","
           " \"impact\": \"%s\"}", i, i == 129 ? "critical" : "none");
    }

    is_int(N(e.res.body, "id"), 130, "130 incidents created");
    is_str(overall(&e), "major_outage: Major System Outage",
           "130 active incidents without components: the worst impact");
    is_int(cJSON_GetArraySize(at(e.res.body, "activeIncidents")), 130,
           "all of them are listed as active");
    list_incidents(&e, INC_STATE_ACTIVE, 100, 0);
    is_int(e.res.status, 200, "list 100 active incidents: 200");
    is_int(cJSON_GetArraySize(at(e.res.body, "data")), 100,
           "a page holds at most the limit");
    is_str(S(e.res.body, "nextCursor"), "31", "and points to the rest");

    env_close(&e);
}


static void
test_problem_docs(void)
{
    cJSON  *p, *errors;

    errors = cJSON_CreateArray();
    inc_error_add(errors, "impact", "must be one of critical, major, minor, "
                  "none");
    p = inc_json_problem(422, "Some fields are invalid.", errors);
    is_str(S(p, "type"), "urn:incident:problem:validation", "422 type");
    is_str(S(p, "title"), "Unprocessable Content", "422 title");
    is_int(N(p, "status"), 422, "422 status");
    is_str(S(p, "detail"), "Some fields are invalid.", "422 detail");
    is_str(S(p, "errors.0.field"), "impact", "422 errors");
    cJSON_Delete(p);

    p = inc_json_problem(507, "full", NULL);
    is_str(S(p, "title"), "Insufficient Storage", "507 title");
    is_str(S(p, "errors"), "(missing)", "no errors given, none shown");
    cJSON_Delete(p);

    p = inc_json_problem(503, "down", NULL);
    is_str(S(p, "title"), "Service Unavailable", "503 title");
    cJSON_Delete(p);

    p = inc_json_problem(500, "oops", NULL);
    is_str(S(p, "title"), "Internal Server Error", "an unlisted status");
    is_int(N(p, "status"), 500, "keeps its number");
    cJSON_Delete(p);

    p = inc_json_list(cJSON_CreateArray(), 42);
    is_str(S(p, "nextCursor"), "42", "a list's cursor is a string");
    cJSON_Delete(p);
}


int
main(void)
{
    test_seed();
    test_lifecycle();
    test_groups();
    test_lists();
    test_settings();
    test_audit();
    test_not_found();
    test_delete_incident();
    test_many_active();
    test_problem_docs();

    return done_testing();
}
