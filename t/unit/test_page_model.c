/*
 * incident_service_page: the documents of the public pages, on a real
 * store in a temp directory, written through the API's validators and
 * service with the clock moved between writes.  Uptime is hand-computed
 * with Statuspage's rule (major minutes + 0.3 x partial minutes); then
 * the documents go through the renderer.
 */

#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_service.h"
#include "incident_render.h"
#include "tap.h"


#define DAY       86400
#define HOUR      3600
#define MIN       60

/* 2026-11-27T00:00:00Z; the tests read the pages at 10:00 */
#define D0        ((time_t) 1795737600)
#define NOW       (D0 + 10 * HOUR)
#define BASE_URL  "https://status.example.com"

#include "store_env.h"





static inc_result_t *
R(env_t *e)
{
    inc_result_free(&e->res);
    memset(&e->res, 0, sizeof(inc_result_t));

    return &e->res;
}


/* RFC 3339 of t, in one of a few rotating buffers */
static const char *
iso(time_t t)
{
    static int   next;
    static char  bufs[8][INC_RFC3339_LEN + 1];

    next = (next + 1) % 8;
    inc_time_format(t, bufs[next]);

    return bufs[next];
}


/* a write at time "at" as the handler does it: validated, then written */
static TAP_FMT(5, 6) int
wr(env_t *e, time_t at, inc_op_t op, uint64_t id, const char *fmt, ...)
{
    char         body[4096];
    cJSON       *in, *out, *errors;
    va_list      args;
    inc_write_t  w;

    R(e);
    e->ctx.now = at;

    va_start(args, fmt);
    vsnprintf(body, sizeof(body), fmt, args);
    va_end(args);

    in = cJSON_Parse(body);
    if (in == NULL) {
        diag("the test's own JSON does not parse: %s", body);
        abort();
    }

    out = cJSON_CreateObject();
    errors = cJSON_CreateArray();

    switch (op) {
    case INC_OP_INCIDENT_CREATE:
        inc_validate_incident_create(in, at, out, errors);
        break;
    case INC_OP_UPDATE_CREATE:
        inc_validate_update_create(in, out, errors);
        break;
    case INC_OP_COMPONENT_CREATE:
    case INC_OP_COMPONENT_PATCH:
        inc_validate_component(in, op == INC_OP_COMPONENT_CREATE, out,
                               errors);
        break;
    default:
        diag("wr(): no validator for op %d", (int) op);
        abort();
    }

    cJSON_Delete(in);

    if (cJSON_GetArraySize(errors)) {
        char  *text = cJSON_PrintUnformatted(errors);

        diag("the validator refused %s: %s", body, text);
        free(text);
        cJSON_Delete(errors);
        cJSON_Delete(out);
        e->ctx.now = NOW;
        return 422;
    }

    cJSON_Delete(errors);

    w.op = op;
    w.id = id;
    w.sub_id = 0;
    w.input = out;

    inc_service_write(e->store, &e->ctx, &w, &e->res);
    cJSON_Delete(out);

    e->ctx.now = NOW;

    if (e->res.status >= 300) {
        diag("write failed: %d %s", e->res.status,
             e->res.store_error ? e->res.store_error : "");
    }

    return e->res.status;
}


/* reading documents */

static const cJSON *
by_id(const cJSON *list, double id)
{
    const cJSON  *item;

    cJSON_ArrayForEach(item, list) {
        if (cJSON_GetNumberValue(cJSON_GetObjectItem(item, "id")) == id) {
            return item;
        }
    }

    return NULL;
}


static const char *
str(const cJSON *obj, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItem(obj, name);

    if (item == NULL) {
        return "(missing)";
    }

    if (cJSON_IsNull(item)) {
        return "(null)";
    }

    return cJSON_IsString(item) ? item->valuestring : "(not a string)";
}


/* the ids of an array of objects: "4,3,2,1" */
static const char *
ids(const cJSON *list)
{
    static char   buf[256];
    size_t        len;
    const cJSON  *item;

    buf[0] = '\0';
    len = 0;

    cJSON_ArrayForEach(item, list) {
        len += snprintf(buf + len, sizeof(buf) - len, "%s%.0f",
                        len ? "," : "",
                        cJSON_GetNumberValue(cJSON_GetObjectItem(item, "id")));
        if (len >= sizeof(buf)) {
            break;
        }
    }

    return buf;
}


static int
is_percent(const cJSON *component, double expected, const char *name)
{
    int     pass;
    double  got;

    got = cJSON_GetNumberValue(cJSON_GetObjectItem(
              cJSON_GetObjectItem(component, "uptime"), "percent"));
    pass = fabs(got - expected) < 1e-9;

    ok(pass, "%s", name);

    if (!pass) {
        diag("         got: %.12f", got);
        diag("    expected: %.12f", expected);
    }

    return pass;
}


static const cJSON *
day(const cJSON *component, int d)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(
               cJSON_GetObjectItem(component, "uptime"), "days"), d);
}


/* the ids of the incidents of day d */
static const char *
day_incidents(const cJSON *component, int d)
{
    return ids(cJSON_GetObjectItem(day(component, d), "incidents"));
}


/* the main scenario */

static void
seed(env_t *e)
{
    int  st;

    /* components: API 1, Web 2, Backend 3 (a group) ten days ago */
    st = wr(e, D0 - 10 * DAY, INC_OP_COMPONENT_CREATE, 0,
            "{\"name\": \"API\"}");
    st += wr(e, D0 - 10 * DAY, INC_OP_COMPONENT_CREATE, 0,
             "{\"name\": \"Web\"}");
    st += wr(e, D0 - 10 * DAY, INC_OP_COMPONENT_CREATE, 0,
             "{\"name\": \"Backend\"}");
    /* DB 4, in Backend, five days ago */
    st += wr(e, D0 - 5 * DAY, INC_OP_COMPONENT_CREATE, 0,
             "{\"name\": \"DB\", \"groupId\": 3}");
    is_int(st, 4 * 201, "four components created");

    /* 1: API, partial 4 h three days ago, 10:00 to 14:00 */
    st = wr(e, D0 - 3 * DAY + 12 * HOUR, INC_OP_INCIDENT_CREATE, 0,
            "{\"title\": \"API slow\", \"status\": \"investigating\","
            " \"impact\": \"minor\", \"message\": \"Looking\","
            " \"componentIds\": [1], \"startedAt\": \"%s\"}",
            iso(D0 - 3 * DAY + 10 * HOUR));
    st += wr(e, D0 - 3 * DAY + 14 * HOUR, INC_OP_UPDATE_CREATE, 1,
             "{\"status\": \"resolved\", \"message\": \"Fixed\"}");
    is_int(st, 2 * 201, "incident 1 opened, then resolved");

    /* Web: major outage yesterday 06:00 to 07:00 (its base status) */
    st = wr(e, D0 - DAY + 6 * HOUR, INC_OP_COMPONENT_PATCH, 2,
            "{\"baseStatus\": \"major_outage\"}");
    st += wr(e, D0 - DAY + 7 * HOUR, INC_OP_COMPONENT_PATCH, 2,
             "{\"baseStatus\": \"operational\"}");
    is_int(st, 2 * 200, "Web: major outage, then operational");

    /* 2: Web, recorded resolved at 08:00, from 06:30 */
    st = wr(e, D0 - DAY + 8 * HOUR, INC_OP_INCIDENT_CREATE, 0,
            "{\"title\": \"Web down\", \"status\": \"resolved\","
            " \"impact\": \"critical\", \"message\": \"Was down\","
            " \"componentIds\": [2], \"startedAt\": \"%s\"}",
            iso(D0 - DAY + 6 * HOUR + 30 * MIN));
    is_int(st, 201, "incident 2 recorded resolved");

    /* 3: DB, active since 08:00 today */
    st = wr(e, D0 + 8 * HOUR, INC_OP_INCIDENT_CREATE, 0,
            "{\"title\": \"DB errors\", \"status\": \"identified\","
            " \"impact\": \"major\", \"message\": \"Found it\","
            " \"componentIds\": [4]}");
    is_int(st, 201, "incident 3 opened");

    /* 4: no component, recorded today from 20 days ago */
    st = wr(e, D0 + 9 * HOUR, INC_OP_INCIDENT_CREATE, 0,
            "{\"title\": \"Old outage\", \"status\": \"resolved\","
            " \"impact\": \"none\", \"message\": \"Long ago\","
            " \"startedAt\": \"%s\"}", iso(D0 - 20 * DAY));
    is_int(st, 201, "incident 4 recorded after the fact");
}


static cJSON *
home(env_t *e)
{
    inc_service_page_home(e->store, &e->ctx, R(e));

    is_int(e->res.status, 200, "inc_service_page_home: 200");

    return e->res.body;
}


static void
test_home(env_t *e)
{
    char              *html;
    cJSON             *doc;
    const cJSON       *comps, *api, *web, *backend, *db, *list;
    inc_render_ctx_t   rc;

    doc = home(e);

    if (!ok(doc != NULL, "a document")) {
        return;
    }

    is_str(str(cJSON_GetObjectItem(doc, "settings"), "pageTitle"), "Status",
           "the default settings");
    is_str(str(doc, "status"), "partial_outage",
           "overall: partial outage (DB is in an active incident)");
    is_str(str(doc, "description"), "Partial System Outage",
           "the overall description");
    is_str(str(doc, "updatedAt"), "2026-11-27T09:00:00Z",
           "updatedAt: the last write");

    comps = cJSON_GetObjectItem(doc, "components");
    is_str(ids(comps), "1,2,3,4", "components in page order");

    api = by_id(comps, 1);
    web = by_id(comps, 2);
    backend = by_id(comps, 3);
    db = by_id(comps, 4);

    if (!ok(api && web && backend && db, "every component")) {
        return;
    }

    is_str(str(db, "status"), "partial_outage", "DB: partial (linked)");
    is_str(str(backend, "status"), "partial_outage",
           "Backend: its member's worst");
    ok(cJSON_IsTrue(cJSON_GetObjectItem(backend, "isGroup")),
       "Backend is a group");
    is_str(str(api, "status"), "operational", "API: operational again");

    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(
               cJSON_GetObjectItem(api, "uptime"), "days")), 90, "90 days");
    is_str(str(day(api, 89), "date"), "2026-11-27", "the last day: today");
    is_str(str(day(api, 0), "date"), "2026-08-30", "the first: 89 days ago");

    /*
     * API: known from its creation, 10 days 10 hours = 900000 s; down:
     * 4 h partial = 0.3 x 14400 = 4320 s
     */
    is_percent(api, 100.0 * (1 - 4320.0 / 900000), "API: 99.52%");
    is_str(str(day(api, 78), "status"), "(null)", "API: no data before");
    is_str(str(day(api, 79), "status"), "operational",
           "API: data from the day it was created");
    is_str(str(day(api, 86), "status"), "partial_outage",
           "API: the incident's day is partial");
    is_str(day_incidents(api, 86), "1", "API: with the incident");
    is_str(str(cJSON_GetArrayItem(cJSON_GetObjectItem(day(api, 86),
                                                      "incidents"), 0),
               "title"), "API slow", "and its title");
    is_str(str(day(api, 87), "status"), "operational", "API: the day after");
    is_str(day_incidents(api, 87), "", "API: no incident the day after");
    is_str(str(day(api, 89), "status"), "operational", "API: today");

    /*
     * Web: major 06:00-07:00 (3600 s), partial from the incident 06:30 to
     * 08:00 of which 07:00-08:00 counts (0.3 x 3600 = 1080 s)
     */
    is_percent(web, 100.0 * (1 - 4680.0 / 900000), "Web: 99.48%");
    is_str(str(day(web, 88), "status"), "major_outage",
           "Web: yesterday major");
    is_str(day_incidents(web, 88), "2", "Web: with the incident");
    is_str(str(day(web, 89), "status"), "operational", "Web: today fine");

    /* DB: known from its creation, 5 days 10 hours; 2 h partial today */
    is_percent(db, 100.0 * (1 - 2160.0 / 468000), "DB: 99.54%");
    is_str(str(day(db, 83), "status"), "(null)", "DB: no data before");
    is_str(str(day(db, 84), "status"), "operational", "DB: from creation");
    is_str(str(day(db, 89), "status"), "partial_outage", "DB: today partial");
    is_str(day_incidents(db, 89), "3", "DB: today's incident");

    /* Backend: its own history and its member's */
    is_percent(backend, 100.0 * (1 - 2160.0 / 900000),
               "Backend: its member's downtime over its own 10 days");
    is_str(str(day(backend, 89), "status"), "partial_outage",
           "Backend: today partial, from DB");
    is_str(day_incidents(backend, 89), "3",
           "Backend: the member's incident");
    is_str(str(day(backend, 79), "status"), "operational",
           "Backend: data from its own creation");

    /* incidents */
    list = cJSON_GetObjectItem(doc, "activeIncidents");
    is_str(ids(list), "3", "active: the open one");
    list = cJSON_GetObjectItem(doc, "recentIncidents");
    is_str(ids(list), "4,3,2,1", "recent: all four, newest first");
    is_str(str(by_id(list, 2), "resolvedAt"),
           iso(D0 - DAY + 8 * HOUR), "a resolved one");
    is_int(cJSON_GetNumberValue(cJSON_GetObjectItem(by_id(list, 2),
                                                    "durationSeconds")),
           90 * MIN, "its duration");
    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(by_id(list, 3),
                                                  "updates")), 1,
           "with its updates");

    /* and rendered */
    rc.base_path = "/";
    rc.base_url = BASE_URL;
    rc.generation = 7;
    rc.now = NOW;

    html = inc_render_home(doc, &rc, NULL);

    if (ok(html != NULL, "the home document renders")) {
        ok(strstr(html, "aria-label=\"API: 99.52% uptime over the past 90 "
                  "days\"") != NULL, "API's bars: 99.52%%");
        ok(strstr(html, "aria-label=\"Web: 99.48% uptime over the past 90 "
                  "days\"") != NULL, "Web's bars: 99.48%%");
        ok(strstr(html, "fill=\"var(--major_outage)\"><title>Nov 26, 2026: "
                  "Major Outage - Web down</title>") != NULL,
           "Web's major day, with its incident");
        ok(strstr(html, "fill=\"var(--partial_outage)\"><title>Nov 24, 2026:"
                  " Partial Outage - API slow</title>") != NULL,
           "API's partial day, with its incident");
        ok(strstr(html, "<li class=\"comp\" data-component-id=\"4\" "
                  "data-status=\"partial_outage\">") != NULL,
           "DB: its markers");
        ok(strstr(html, "data-incident-id=\"3\" data-status=\"identified\" "
                  "data-impact=\"major\"") != NULL, "the active incident");
        ok(strstr(html, "<h2>Partial System Outage</h2>") != NULL,
           "the banner");
        ok(strstr(html, "data-etag=\"&quot;g7&quot;\"") != NULL,
           "the generation");
        ok(strstr(html, "Duration: 1 hour 30 minutes") != NULL,
           "incident 2's duration");
    }

    free(html);
}


static void
test_lists(env_t *e)
{
    cJSON        *doc;
    inc_page_t    page;

    memset(&page, 0, sizeof(page));
    page.state = INC_STATE_ALL;
    page.limit = 25;

    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_int(e->res.status, 200, "incidents by id: 200");
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "4,3,2,1",
           "by id: newest created first");
    is_str(str(doc, "nextCursor"), "(null)", "by id: one page");
    is_str(ids(cJSON_GetObjectItem(doc, "components")), "1,2,3,4",
           "with the components");
    ok(cJSON_GetObjectItem(doc, "settings") != NULL, "and the settings");

    page.by_start = 1;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "3,2,1,4",
           "by start: where they happened (4 began 20 days ago)");

    page.limit = 2;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "3,2",
           "by start, 2 a page: the first");
    is_str(str(doc, "nextCursor"), "2", "the cursor is an offset");

    page.cursor = 2;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "1,4",
           "by start, from offset 2");
    is_str(str(doc, "nextCursor"), "(null)", "the last page");

    page.cursor = 10;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "",
           "by start, past the end: nothing");
    is_str(str(doc, "nextCursor"), "(null)", "and no next page");

    page.by_start = 0;
    page.cursor = 0;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "4,3",
           "by id, 2 a page");
    is_str(str(doc, "nextCursor"), "3", "the cursor is the last id");

    page.cursor = 3;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    doc = e->res.body;
    is_str(ids(cJSON_GetObjectItem(doc, "incidents")), "2,1",
           "by id, before id 3");
    is_str(str(doc, "nextCursor"), "(null)", "the last page");

    page.cursor = 0;
    page.limit = 25;
    page.state = INC_STATE_ACTIVE;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    is_str(ids(cJSON_GetObjectItem(e->res.body, "incidents")), "3",
           "active only");

    page.state = INC_STATE_RESOLVED;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));
    is_str(ids(cJSON_GetObjectItem(e->res.body, "incidents")), "4,2,1",
           "resolved only");

    /* history rendered from the by-start document */
    page.state = INC_STATE_ALL;
    page.by_start = 1;
    inc_service_page_incidents(e->store, &e->ctx, &page, R(e));

    {
        char               *html;
        const char         *p3, *p2, *p1, *p4;
        inc_render_ctx_t    rc = { "/", BASE_URL, 1, NOW, 0, 0 };

        html = inc_render_history(e->res.body, &rc, NULL);

        p3 = html ? strstr(html, "href=\"/incidents/3\"") : NULL;
        p2 = html ? strstr(html, "href=\"/incidents/2\"") : NULL;
        p1 = html ? strstr(html, "href=\"/incidents/1\"") : NULL;
        p4 = html ? strstr(html, "href=\"/incidents/4\"") : NULL;

        ok(p3 && p2 && p1 && p4 && p3 < p2 && p2 < p1 && p1 < p4,
           "the history page in start order");
        ok(html && strstr(html, "<h2>November 2026</h2>") != NULL
           && strstr(html, "October") == NULL, "all in November 2026");

        free(html);
    }
}


static void
test_incident(env_t *e)
{
    const cJSON  *inc;

    inc_service_page_incident(e->store, &e->ctx, 2, R(e));
    is_int(e->res.status, 200, "incident 2: 200");

    inc = cJSON_GetObjectItem(e->res.body, "incident");
    is_str(str(inc, "title"), "Web down", "its title");
    is_str(str(inc, "startedAt"), iso(D0 - DAY + 6 * HOUR + 30 * MIN),
           "its start");
    is_str(str(inc, "url"), BASE_URL "/incidents/2", "its URL");
    is_str(ids(cJSON_GetObjectItem(inc, "updates")), "3",
           "its update (ids are global)");
    is_str(ids(cJSON_GetObjectItem(e->res.body, "components")), "1,2,3,4",
           "the components, for names");
    is_str(str(cJSON_GetObjectItem(e->res.body, "settings"), "pageTitle"),
           "Status", "the settings");

    inc_service_page_incident(e->store, &e->ctx, 99, R(e));
    is_int(e->res.status, 404, "an unknown incident: 404");

    inc_service_page_base(e->store, R(e));
    is_int(e->res.status, 200, "page base: 200");
    is_str(ids(cJSON_GetObjectItem(e->res.body, "components")), "1,2,3,4",
           "page base: the components");
    ok(cJSON_GetObjectItem(e->res.body, "settings") != NULL,
       "page base: the settings");
    ok(cJSON_GetObjectItem(e->res.body, "activeIncidents") == NULL,
       "page base: no incidents");
}


/* the second scenario: after the fact, and midnight */

static void
test_edges(void)
{
    int           st;
    env_t         e;
    cJSON        *doc;
    const cJSON  *x, *y;

    if (!ok(env_open(&e), "a second store")) {
        return;
    }

    /* X (1), created at 01:00 today */
    st = wr(&e, D0 + HOUR, INC_OP_COMPONENT_CREATE, 0, "{\"name\": \"X\"}");

    /* 1: X, recorded at 02:00 as resolved, from 22:00 two days ago */
    st += wr(&e, D0 + 2 * HOUR, INC_OP_INCIDENT_CREATE, 0,
             "{\"title\": \"Before X existed\", \"status\": \"resolved\","
             " \"impact\": \"major\", \"componentIds\": [1],"
             " \"startedAt\": \"%s\"}", iso(D0 - 2 * DAY + 22 * HOUR));

    /* Y (2), three days ago; 2: Y, 20:00 yesterday to midnight */
    st += wr(&e, D0 - 3 * DAY, INC_OP_COMPONENT_CREATE, 0,
             "{\"name\": \"Y\"}");
    st += wr(&e, D0 - DAY + 20 * HOUR, INC_OP_INCIDENT_CREATE, 0,
             "{\"title\": \"Till midnight\", \"status\": \"investigating\","
             " \"impact\": \"minor\", \"componentIds\": [2]}");
    st += wr(&e, D0, INC_OP_UPDATE_CREATE, 2,
             "{\"status\": \"resolved\", \"message\": \"Fixed at 00:00\"}");
    is_int(st, 5 * 201, "second store seeded");

    doc = home(&e);
    x = by_id(cJSON_GetObjectItem(doc, "components"), 1);
    y = by_id(cJSON_GetObjectItem(doc, "components"), 2);

    if (!ok(x && y, "X and Y")) {
        env_close(&e);
        return;
    }

    /*
     * X: data from the incident's start, 22:00 two days ago: 36 hours to
     * now; 28 of them partial
     */
    is_percent(x, 100.0 * (1 - 0.3 * 28 * HOUR / (36.0 * HOUR)),
               "X: an incident from before it existed counts: 76.67%");
    is_str(str(day(x, 86), "status"), "(null)", "X: no data before");
    is_str(str(day(x, 87), "status"), "partial_outage",
           "X: data from the incident's start");
    is_str(str(day(x, 88), "status"), "partial_outage", "X: all yesterday");
    is_str(str(day(x, 89), "status"), "partial_outage",
           "X: today until 02:00");
    is_str(day_incidents(x, 87), "1", "X: the incident on its first day");
    is_str(day_incidents(x, 89), "1", "X: and on its last");

    /* Y: 4 hours partial in 3 days 10 hours */
    is_percent(y, 100.0 * (1 - 0.3 * 4 * HOUR / (3.0 * DAY + 10 * HOUR)),
               "Y: 4 hours partial");
    is_str(str(day(y, 88), "status"), "partial_outage", "Y: yesterday");
    is_str(day_incidents(y, 88), "2", "Y: yesterday's incident");
    is_str(str(day(y, 89), "status"), "operational",
           "Y: resolved at midnight: today operational");

    is_str(day_incidents(y, 89), "",
           "Y: an incident resolved at 00:00 is not on the next day");

    is_str(ids(cJSON_GetObjectItem(doc, "activeIncidents")), "",
           "nothing active");
    is_str(str(doc, "status"), "operational", "all operational");

    env_close(&e);
}


int
main(void)
{
    env_t  e;

    if (!ok(env_open(&e), "a store in a temp directory")) {
        return done_testing();
    }

    seed(&e);
    test_home(&e);
    test_lists(&e);
    test_incident(&e);

    env_close(&e);

    test_edges();

    return done_testing();
}
