/*
 * incident_statuspage: Statuspage's v2 documents over a real store filled
 * through the service's writes, as the API fills it.  Every document's
 * shape (members and their JSON types), ids as strings, times with
 * milliseconds, groups, the status indicator, affected components, the
 * limits and orders, and the page id.
 */

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_service.h"
#include "incident_statuspage.h"
#include "tap.h"


/* 2026-11-27T10:00:00Z */
#define NOW       ((time_t) 1795773600)
#define BASE_URL  "https://status.example.com"

#include "store_env.h"
#include "doc_env.h"


/* the members of each v2 object and their types (see shape()) */
#define PAGE_SHAPE                                                           \
    "id:s name:s url:s time_zone:s updated_at:T"
#define COMPONENT_SHAPE                                                      \
    "id:s name:s status:s created_at:t updated_at:t position:n"              \
    " description:S showcase:b start_date:d group_id:S page_id:s group:b"    \
    " only_show_if_degraded:b"
#define GROUP_SHAPE  COMPONENT_SHAPE " components:a"
#define EVENT_SHAPE                                                          \
    "id:s name:s status:s created_at:t updated_at:t monitoring_at:T"         \
    " resolved_at:T impact:s shortlink:s started_at:t page_id:s"             \
    " incident_updates:a components:a"
#define INCIDENT_SHAPE  EVENT_SHAPE
#define MAINT_SHAPE     EVENT_SHAPE " scheduled_for:t scheduled_until:t"
#define UPDATE_SHAPE                                                         \
    "id:s status:s body:s incident_id:s created_at:t updated_at:t"           \
    " display_at:t affected_components:A deliver_notifications:b"            \
    " custom_tweet:z tweet_id:z"
#define AFFECTED_SHAPE  "code:s name:s old_status:s new_status:s"
#define STATUS_SHAPE    "indicator:s description:s"


/* a v2 document, or NULL */
static const cJSON *
v2(env_t *e, inc_v2_doc_t doc)
{
    inc_service_v2(e->store, &e->ctx, doc, R(e));

    if (e->res.status != 200) {
        diag("v2 document %d: status %d", (int) doc, e->res.status);
        return NULL;
    }

    return e->res.body;
}


/* reading documents */


/* the object of "list" whose "id" is "id" */
static const cJSON *
FIND(const cJSON *list, const char *id)
{
    const cJSON  *item;

    cJSON_ArrayForEach(item, list) {
        if (strcmp(S(item, "id"), id) == 0) {
            return item;
        }
    }

    return NULL;
}


/* affected components, "1:operational>partial_outage,3:..." or "(null)" */
static const char *
AFFECTED(const cJSON *update)
{
    char          *buf;
    size_t         len;
    const cJSON   *list, *a;

    list = at(update, "affected_components");

    if (cJSON_IsNull(list)) {
        return "(null)";
    }

    if (!cJSON_IsArray(list)) {
        return "(not an array)";
    }

    buf = scratch();
    buf[0] = '\0';
    len = 0;

    cJSON_ArrayForEach(a, list) {
        len += (size_t) snprintf(buf + len, 1024 - len, "%s%s %s:%s>%s",
                                 len ? "," : "", S(a, "code"), S(a, "name"),
                                 S(a, "old_status"), S(a, "new_status"));
        if (len >= 1024) {
            break;
        }
    }

    return buf;
}


/* Statuspage's time: "2026-11-27T10:00:00.000Z" */
static const char *
T2(time_t t)
{
    char  *buf, rfc[INC_RFC3339_LEN + 1];

    buf = scratch();
    inc_time_format(t, rfc);
    snprintf(buf, 1024, "%.19s.000Z", rfc);

    return buf;
}


static int
is_v2_time(const char *s)
{
    int          i;
    const char  *fmt;

    fmt = "dddd-dd-ddTdd:dd:dd.000Z";

    if (strlen(s) != strlen(fmt)) {
        return 0;
    }

    for (i = 0; fmt[i]; i++) {
        if (fmt[i] == 'd' ? !isdigit((unsigned char) s[i]) : s[i] != fmt[i])
        {
            return 0;
        }
    }

    return 1;
}


static int
is_date(const char *s)
{
    return strlen(s) == 10 && isdigit((unsigned char) s[0])
           && s[4] == '-' && s[7] == '-';
}


/* does "item" have the type "t" of a shape? */
static int
type_ok(const cJSON *item, char t)
{
    switch (t) {
    case 's':
        return cJSON_IsString(item);
    case 'S':
        return cJSON_IsString(item) || cJSON_IsNull(item);
    case 'n':
        return cJSON_IsNumber(item);
    case 'b':
        return cJSON_IsBool(item);
    case 't':
        return cJSON_IsString(item) && is_v2_time(item->valuestring);
    case 'T':
        return cJSON_IsNull(item)
               || (cJSON_IsString(item) && is_v2_time(item->valuestring));
    case 'd':
        return cJSON_IsString(item) && is_date(item->valuestring);
    case 'a':
        return cJSON_IsArray(item);
    case 'A':
        return cJSON_IsArray(item) || cJSON_IsNull(item);
    case 'z':
        return cJSON_IsNull(item);
    case 'o':
        return cJSON_IsObject(item);
    default:
        return 0;
    }
}


/*
 * "obj" has exactly the members of "spec" ("id:s name:S ..."), each of
 * its type: s string, S string or null, n number, b boolean, t time,
 * T time or null, d date, a array, A array or null, z null, o object.
 */
static int
shape(const cJSON *obj, const char *spec, const char *what)
{
    int           n, bad;
    char          name[64], *buf;
    size_t        len;
    const char   *p, *colon;
    const cJSON  *item;

    buf = scratch();
    buf[0] = '\0';
    n = 0;
    bad = !cJSON_IsObject(obj);

    for (p = spec; !bad && *p; p = colon + 2 + (colon[2] == ' ')) {
        colon = strchr(p, ':');
        len = (size_t) (colon - p);
        memcpy(name, p, len);
        name[len] = '\0';
        n++;

        item = cJSON_GetObjectItemCaseSensitive(obj, name);

        if (!type_ok(item, colon[1])) {
            snprintf(buf, 1024, "member %s: %s, not of type %c", name,
                     item ? "wrong type" : "missing", colon[1]);
            bad = 1;
        }

        if (colon[2] == '\0') {
            break;
        }
    }

    if (!bad && cJSON_GetArraySize(obj) != n) {
        snprintf(buf, 1024, "%d members, not %d", cJSON_GetArraySize(obj),
                 n);
        bad = 1;
    }

    if (bad) {
        char  *s;

        s = cJSON_PrintUnformatted(obj);
        diag("%s: %s in %s", what, bad && buf[0] ? buf : "not an object",
             s ? s : "?");
        free(s);
    }

    return ok(!bad, "%s: the members and their types", what);
}


/* every element of a list has a shape; the count is checked apart */
static void
shapes(const cJSON *list, const char *spec, const char *what)
{
    int           i;
    char          name[128];
    const cJSON  *item;

    i = 0;

    cJSON_ArrayForEach(item, list) {
        snprintf(name, sizeof(name), "%s %d (%s)", what, i++,
                 S(item, "id"));
        shape(item, spec, name);
    }
}


/* the incident's or maintenance's updates, each with its shape */
static void
event_shapes(const cJSON *list, const char *spec, const char *what)
{
    int           i;
    char          name[128];
    const cJSON  *e, *u, *a;

    shapes(list, spec, what);

    cJSON_ArrayForEach(e, list) {
        i = 0;

        cJSON_ArrayForEach(u, at(e, "incident_updates")) {
            snprintf(name, sizeof(name), "%s %s: update %d", what,
                     S(e, "id"), i++);
            shape(u, UPDATE_SHAPE, name);

            cJSON_ArrayForEach(a, at(u, "affected_components")) {
                shape(a, AFFECTED_SHAPE, "an affected component");
            }
        }

        cJSON_ArrayForEach(u, at(e, "components")) {
            shape(u, cJSON_IsTrue(at(u, "group")) ? GROUP_SHAPE
                                                  : COMPONENT_SHAPE,
                  "a component of an incident");
        }
    }
}


static const char *
indicator(env_t *e)
{
    char          *buf;
    const cJSON   *doc;

    buf = scratch();
    doc = v2(e, INC_V2_STATUS);
    snprintf(buf, 1024, "%s: %s", S(doc, "status.indicator"),
             S(doc, "status.description"));

    return buf;
}


static const char *
overall(env_t *e)
{
    inc_service_status(e->store, &e->ctx, R(e));

    return S(e->res.body, "status");
}


/* the member names of an object, "a,b,c" */
static const char *
KEYS(const cJSON *obj)
{
    char          *buf;
    size_t         len;
    const cJSON   *item;

    buf = scratch();
    buf[0] = '\0';
    len = 0;

    cJSON_ArrayForEach(item, obj) {
        len += (size_t) snprintf(buf + len, 1024 - len, "%s%s",
                                 len ? "," : "", item->string);
        if (len >= 1024) {
            break;
        }
    }

    return buf;
}


/*
 * API (1, "The public API"), Databases (2, a group of Primary 3 and
 * Replica 4), Dashboard (5): in page order API, Databases, Primary,
 * Replica, Dashboard.
 */
static void
seed_components(env_t *e)
{
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0,
       "{\"name\": \"API\", \"description\": \"The public API\"}");
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"Databases\"}");
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"Dashboard\"}");
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0,
       "{\"name\": \"Primary\", \"groupId\": 2}");
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0,
       "{\"name\": \"Replica\", \"groupId\": 2}");
}


static int
open_env(env_t *e, const char *what)
{
    return ok(env_open(e), "%s: the store opens", what);
}


/* the tests */

static void
test_find(void)
{
    size_t  i;

    static const struct {
        const char  *path;
        int          doc;
    } cases[] = {
        { "summary.json", INC_V2_SUMMARY },
        { "status.json", INC_V2_STATUS },
        { "components.json", INC_V2_COMPONENTS },
        { "incidents.json", INC_V2_INCIDENTS },
        { "incidents/unresolved.json", INC_V2_UNRESOLVED },
        { "scheduled-maintenances.json", INC_V2_MAINTENANCES },
        { "scheduled-maintenances/upcoming.json", INC_V2_UPCOMING },
        { "scheduled-maintenances/active.json", INC_V2_ACTIVE },
        { "", -1 },
        { "summary", -1 },
        { "summary.jso", -1 },
        { "summary.json/", -1 },
        { "/summary.json", -1 },
        { "Summary.json", -1 },
        { "incidents", -1 },
        { "incidents/", -1 },
        { "incidents/unresolved", -1 },
        { "scheduled-maintenances/", -1 },
        { "scheduled-maintenances/past.json", -1 },
        { "components.json.gz", -1 }
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        is_int(inc_v2_doc_find(cases[i].path, strlen(cases[i].path)),
               cases[i].doc, "inc_v2_doc_find(\"%s\")", cases[i].path);
    }

    /* the length counts, not a NUL: a path inside a longer URI */
    is_int(inc_v2_doc_find("status.json?x=1", 11), INC_V2_STATUS,
           "a path given by its length");
    is_int(inc_v2_doc_find("status.json", 6), -1, "a prefix is no path");
    is_int(inc_v2_doc_find(NULL, 0), -1, "NULL is no path");
}


static int
page_id_ok(const char *id)
{
    size_t  i;

    if (strlen(id) != 12) {
        return 0;
    }

    for (i = 0; i < 12; i++) {
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '2'
                                                 && id[i] <= '7')))
        {
            return 0;
        }
    }

    return 1;
}


static void
test_page(void)
{
    char          id[64];
    env_t         e, other;
    uint64_t      g;
    const cJSON  *doc;

    if (!open_env(&e, "page")) {
        return;
    }

    doc = v2(&e, INC_V2_STATUS);
    is_int(e.res.status, 200, "status.json on an empty store: 200");
    is_str(KEYS(doc), "page,status", "status.json: page, status");
    shape(at(doc, "page"), PAGE_SHAPE, "page");
    shape(at(doc, "status"), STATUS_SHAPE, "status");
    is_str(indicator(&e), "none: All Systems Operational",
           "an empty page: none");

    doc = v2(&e, INC_V2_STATUS);
    snprintf(id, sizeof(id), "%s", S(doc, "page.id"));
    ok(page_id_ok(id), "page id is 12 characters of [a-z2-7] (%s)", id);
    is_str(S(doc, "page.name"), "Status", "name: the default pageTitle");
    is_str(S(doc, "page.url"), BASE_URL, "url: the public base URL");
    is_str(S(doc, "page.time_zone"), "Etc/UTC", "time_zone: Etc/UTC unset");
    g = 0;
    inc_store_generation(e.store, &g);
    is_int(e.res.generation, g, "the generation of the read");

    doc = v2(&e, INC_V2_SUMMARY);
    is_str(S(doc, "page.id"), id, "the page id is the same on a second call");

    e.ctx.now = NOW + 90;
    wr(&e, INC_OP_SETTINGS_PATCH, 0, 0,
       "{\"pageTitle\": \"Acme Status\", \"timezone\": \"Europe/Berlin\"}");
    g = e.res.generation;

    e.ctx.base_url = BASE_URL "/";
    doc = v2(&e, INC_V2_COMPONENTS);
    is_str(S(doc, "page.name"), "Acme Status", "name: pageTitle");
    is_str(S(doc, "page.time_zone"), "Europe/Berlin", "time_zone: timezone");
    is_str(S(doc, "page.url"), BASE_URL, "url: without a trailing slash");
    is_str(S(doc, "page.updated_at"), T2(NOW + 90),
           "updated_at: the time of the last write");
    is_str(S(doc, "page.id"), id, "the page id survives writes");
    is_int(e.res.generation, g, "the document's generation is the store's");
    is_str(KEYS(doc), "page,components", "components.json: page, components");
    is_str(IDS(doc, "components"), "", "no components: []");

    if (open_env(&other, "a second store")) {
        doc = v2(&other, INC_V2_STATUS);
        ok(page_id_ok(S(doc, "page.id")) && strcmp(S(doc, "page.id"), id),
           "another store has another page id (%s)", S(doc, "page.id"));
        env_close(&other);
    }

    inc_service_v2(e.store, &e.ctx, INC_V2_COUNT, R(&e));
    is_int(e.res.status, 404, "no such document: 404");
    is_str(S(e.res.body, "type"), "urn:incident:problem:not-found",
           "a problem document");

    env_close(&e);
}


static void
test_components(void)
{
    env_t         e;
    const cJSON  *doc, *list, *c;

    if (!open_env(&e, "components")) {
        return;
    }

    seed_components(&e);

    e.ctx.now = NOW + 60;
    wr(&e, INC_OP_COMPONENT_PATCH, 5, 0,
       "{\"baseStatus\": \"partial_outage\"}");

    doc = v2(&e, INC_V2_COMPONENTS);
    list = at(doc, "components");

    is_str(IDS(doc, "components"), "1,2,4,5,3",
           "page order: API, Databases, Primary, Replica, Dashboard");

    cJSON_ArrayForEach(c, list) {
        shape(c, strcmp(S(c, "id"), "2") == 0 ? GROUP_SHAPE
                                              : COMPONENT_SHAPE,
              S(c, "name"));
    }

    is_int(N(list, "0.position"), 1, "positions are 1-based");
    is_int(N(list, "4.position"), 5, "and count the whole list");
    is_str(S(list, "0.description"), "The public API", "a description");
    is_str(S(list, "4.description"), "(null)", "an empty one is null");
    is_str(S(list, "0.created_at"), T2(NOW), "created_at with .000Z");
    is_str(S(list, "0.start_date"), "2026-11-27", "start_date: the day");
    is_str(S(list, "0.page_id"), S(doc, "page.id"), "page_id is the page's");
    is_str(B(list, "0.only_show_if_degraded"), "false",
           "only_show_if_degraded false");

    c = FIND(list, "2");
    is_str(B(c, "group"), "true", "Databases: group true");
    is_str(B(c, "showcase"), "false", "a group is no showcase");
    is_str(IDS(c, "components"), "4,5", "its members' ids, in order");
    is_str(S(c, "components.0"), "4", "as strings");
    is_str(S(c, "components.1"), "5", "both");
    is_str(S(c, "group_id"), "(null)", "a group is in no group");
    is_str(S(c, "status"), "partial_outage", "its worst member's status");

    c = FIND(list, "5");
    is_str(B(c, "group"), "false", "Replica: group false");
    is_str(B(c, "showcase"), "true", "a component is a showcase");
    is_str(S(c, "group_id"), "2", "group_id is the group's, a string");
    is_str(S(c, "status"), "partial_outage", "its base status");
    is_str(S(c, "updated_at"), T2(NOW + 60), "updated_at of the change");

    c = FIND(list, "1");
    is_str(S(c, "group_id"), "(null)", "ungrouped: group_id null");
    is_str(S(c, "status"), "operational", "API operational");

    is_str(indicator(&e), "major: Partial System Outage",
           "a partial outage: major");

    env_close(&e);
}


/* the v1 status of the page, its v2 indicator, for a base status */
static void
indicator_of_base(env_t *e, const char *base, const char *want)
{
    wr(e, INC_OP_COMPONENT_PATCH, 3, 0, "{\"baseStatus\": \"%s\"}", base);
    is_str(indicator(e), want, "a component %s: %s", base, want);
}


static void
test_indicator(void)
{
    env_t  e;

    if (!open_env(&e, "indicator")) {
        return;
    }

    seed_components(&e);

    indicator_of_base(&e, "degraded_performance",
                      "minor: Minor Service Outage");
    indicator_of_base(&e, "partial_outage", "major: Partial System Outage");
    indicator_of_base(&e, "major_outage", "critical: Major System Outage");
    indicator_of_base(&e, "under_maintenance",
                      "maintenance: Service Under Maintenance");
    indicator_of_base(&e, "operational", "none: All Systems Operational");

    /* incident 1: impact none, no component: raises nothing */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Heads-up\", \"status\": \"identified\","
       " \"impact\": \"none\"}");
    is_str(indicator(&e), "none: All Systems Operational",
           "an unresolved incident of impact none raises nothing");

    /* incident 2: critical, names API: partial outage raised to critical */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Down\", \"status\": \"investigating\","
       " \"impact\": \"critical\", \"componentIds\": [1]}");
    is_str(overall(&e), "partial_outage", "v1: API in partial outage");
    is_str(indicator(&e), "critical: Major System Outage",
           "raised to the critical incident's impact");
    wr(&e, INC_OP_INCIDENT_PATCH, 2, 0, "{\"impact\": \"minor\"}");
    is_str(indicator(&e), "major: Partial System Outage",
           "a minor incident does not lower a partial outage");
    wr(&e, INC_OP_UPDATE_CREATE, 2, 0,
       "{\"status\": \"resolved\", \"message\": \"Fixed.\"}");
    is_str(indicator(&e), "none: All Systems Operational",
           "a resolved incident raises nothing");

    /* maintenance 1 in progress naming no component */
    wr(&e, INC_OP_MAINT_CREATE, 0, 0,
       "{\"title\": \"Everything\", \"status\": \"in_progress\","
       " \"scheduledFor\": \"2026-11-27T09:00:00Z\","
       " \"scheduledUntil\": \"2026-11-27T12:00:00Z\"}");
    is_str(indicator(&e), "maintenance: Service Under Maintenance",
           "a maintenance in progress (and an impact-none incident)");

    /* incident 3: minor, names API: raises the maintenance */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Slow\", \"status\": \"investigating\","
       " \"impact\": \"minor\", \"componentIds\": [1]}");
    is_str(indicator(&e), "major: Partial System Outage",
           "an incident under maintenance: its outage wins");
    wr(&e, INC_OP_UPDATE_CREATE, 3, 0,
       "{\"status\": \"resolved\", \"message\": \"Fixed.\"}");
    is_str(indicator(&e), "maintenance: Service Under Maintenance",
           "resolved: maintenance again");

    wr(&e, INC_OP_MAINT_UPDATE_CREATE, 1, 0,
       "{\"status\": \"completed\", \"message\": \"Done.\"}");
    is_str(indicator(&e), "none: All Systems Operational",
           "completed: none");

    /* maintenance 2 in progress naming Dashboard only */
    wr(&e, INC_OP_MAINT_CREATE, 0, 0,
       "{\"title\": \"Dashboard\", \"status\": \"in_progress\","
       " \"componentIds\": [3],"
       " \"scheduledFor\": \"2026-11-27T09:00:00Z\","
       " \"scheduledUntil\": \"2026-11-27T12:00:00Z\"}");
    is_str(indicator(&e), "maintenance: Service Under Maintenance",
           "a component under maintenance: maintenance");

    /* incident 4: no component, impact major */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Elsewhere\", \"status\": \"investigating\","
       " \"impact\": \"major\"}");
    is_str(indicator(&e), "major: Partial System Outage",
           "an incident naming no component, under maintenance: major");

    env_close(&e);
}


/* the incidents' walk-through: every update, components coming and going */
static void
seed_incidents(env_t *e)
{
    e->ctx.now = NOW;
    wr(e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Database connectivity issues\","
       " \"status\": \"investigating\", \"impact\": \"major\","
       " \"message\": \"Investigating.\", \"componentIds\": [1, 4]}");
    e->ctx.now = NOW + 60;
    wr(e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"identified\", \"message\": \"Found it.\"}");
    e->ctx.now = NOW + 120;
    wr(e, INC_OP_INCIDENT_PATCH, 1, 0, "{\"componentIds\": [1]}");
    e->ctx.now = NOW + 180;
    wr(e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"monitoring\", \"message\": \"Watching.\"}");
    e->ctx.now = NOW + 240;
    wr(e, INC_OP_INCIDENT_PATCH, 1, 0, "{\"componentIds\": [1, 3]}");
    e->ctx.now = NOW + 300;
    wr(e, INC_OP_UPDATE_CREATE, 1, 0,
       "{\"status\": \"resolved\", \"message\": \"Fixed.\"}");
    e->ctx.now = NOW + 360;
    wr(e, INC_OP_UPDATE_PATCH, 1, 2, "{\"message\": \"Found it: a disk.\"}");

    e->ctx.now = NOW + 400;
    wr(e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Slow dashboard\", \"status\": \"identified\","
       " \"impact\": \"minor\", \"message\": \"Slow.\", \"notify\": false}");
    e->ctx.now = NOW + 500;
    wr(e, INC_OP_UPDATE_CREATE, 2, 0,
       "{\"status\": \"monitoring\", \"message\": \"Better.\"}");
    e->ctx.now = NOW + 560;
    wr(e, INC_OP_UPDATE_CREATE, 2, 0,
       "{\"status\": \"monitoring\", \"message\": \"Still better.\"}");
}


static void
check_incident_1(const cJSON *i)
{
    const cJSON  *u;

    is_str(S(i, "id"), "1", "incident id: a string");
    is_str(S(i, "name"), "Database connectivity issues", "name: the title");
    is_str(S(i, "status"), "resolved", "status");
    is_str(S(i, "impact"), "major", "impact");
    is_str(S(i, "shortlink"), BASE_URL "/incidents/1", "shortlink: our url");
    is_str(S(i, "created_at"), T2(NOW), "created_at");
    is_str(S(i, "started_at"), T2(NOW), "started_at");
    is_str(S(i, "resolved_at"), T2(NOW + 300), "resolved_at");
    is_str(S(i, "monitoring_at"), T2(NOW + 180),
           "monitoring_at: the monitoring update's time");
    is_str(IDS(i, "components"), "1,3",
           "components: the current componentIds");
    is_str(S(i, "components.1.name"), "Dashboard", "as component objects");
    is_str(IDS(i, "incident_updates"), "4,3,2,1", "updates newest first");

    u = at(i, "incident_updates");
    is_str(S(u, "0.incident_id"), "1", "incident_id: a string");
    is_str(S(u, "0.body"), "Fixed.", "body: the message");
    is_str(S(u, "0.status"), "resolved", "update status");
    is_str(AFFECTED(at(u, "0")),
           "1 API:partial_outage>operational,3 Dashboard:operational>"
           "operational",
           "resolved: operational; a component the last update did not "
           "name was operational");
    is_str(AFFECTED(at(u, "1")), "1 API:partial_outage>partial_outage",
           "monitoring names the incident's components then");
    is_str(AFFECTED(at(u, "2")),
           "1 API:partial_outage>partial_outage,"
           "4 Primary:partial_outage>partial_outage",
           "identified: partial_outage after partial_outage");
    is_str(AFFECTED(at(u, "3")),
           "1 API:operational>partial_outage,"
           "4 Primary:operational>partial_outage",
           "the first update: operational before");
    is_str(S(u, "2.created_at"), T2(NOW + 60), "update created_at");
    is_str(S(u, "2.display_at"), T2(NOW + 60), "display_at: created_at");
    is_str(S(u, "2.updated_at"), T2(NOW + 360),
           "updated_at: an edited update's edit");
    is_str(S(u, "3.updated_at"), T2(NOW), "else its created_at");
    is_str(B(u, "3.deliver_notifications"), "true",
           "deliver_notifications: notify");
}


static void
check_incident_2(const cJSON *i)
{
    is_str(S(i, "id"), "2", "incident 2");
    is_str(S(i, "resolved_at"), "(null)", "unresolved: resolved_at null");
    is_str(S(i, "monitoring_at"), T2(NOW + 560),
           "monitoring_at: the newest monitoring update");
    is_str(IDS(i, "components"), "", "no components: []");
    is_str(AFFECTED(at(i, "incident_updates.2")), "(null)",
           "an update naming no component: affected_components null");
    is_str(B(i, "incident_updates.2.deliver_notifications"), "false",
           "notify false: deliver_notifications false");
    is_str(S(i, "impact"), "minor", "impact minor");
}


static void
test_incidents(void)
{
    env_t         e;
    const cJSON  *doc, *list;

    if (!open_env(&e, "incidents")) {
        return;
    }

    seed_components(&e);
    seed_incidents(&e);

    doc = v2(&e, INC_V2_INCIDENTS);
    list = at(doc, "incidents");
    is_str(KEYS(doc), "page,incidents", "incidents.json: page, incidents");
    is_str(IDS(doc, "incidents"), "2,1", "every incident, newest first");
    event_shapes(list, INCIDENT_SHAPE, "incident");
    is_str(S(list, "0.page_id"), S(doc, "page.id"), "page_id: the page's");

    check_incident_1(FIND(list, "1"));
    check_incident_2(FIND(list, "2"));

    doc = v2(&e, INC_V2_UNRESOLVED);
    is_str(KEYS(doc), "page,incidents", "unresolved.json: page, incidents");
    is_str(IDS(doc, "incidents"), "2", "only the unresolved");
    event_shapes(at(doc, "incidents"), INCIDENT_SHAPE, "unresolved");

    /* a deleted component: no longer shown, the rest is */
    wr(&e, INC_OP_COMPONENT_DELETE, 3, 0, "{}");
    doc = v2(&e, INC_V2_INCIDENTS);
    is_str(IDS(FIND(at(doc, "incidents"), "1"), "components"), "1",
           "a deleted component is left out of components");
    is_str(AFFECTED(at(FIND(at(doc, "incidents"), "1"),
                       "incident_updates.0")),
           "1 API:partial_outage>operational",
           "and out of affected_components");

    env_close(&e);
}


static void
test_limit(void)
{
    int           i;
    env_t         e;
    const cJSON  *doc;

    if (!open_env(&e, "limit")) {
        return;
    }

    for (i = 1; i <= 55; i++) {
        e.ctx.now = NOW + i;
        wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
           "{\"title\": \"Incident %d\", \"status\": \"%s\","
           " \"impact\": \"none\"}", i, i % 2 ? "investigating" : "resolved");
    }

    doc = v2(&e, INC_V2_INCIDENTS);
    is_int(cJSON_GetArraySize(at(doc, "incidents")), 50,
           "incidents.json: at most 50");
    is_str(S(doc, "incidents.0.id"), "55", "the newest first");
    is_str(S(doc, "incidents.49.id"), "6", "down to the 50th newest");

    doc = v2(&e, INC_V2_UNRESOLVED);
    is_int(cJSON_GetArraySize(at(doc, "incidents")), 28,
           "unresolved.json: every unresolved one, no limit");
    is_str(S(doc, "incidents.0.id"), "55", "newest first");
    is_str(S(doc, "incidents.27.id"), "1", "down to the oldest");

    env_close(&e);
}


/*
 * Maintenance 1 in progress (Dashboard), then verifying; 2 upcoming in two
 * days (API, Dashboard); 3 upcoming tomorrow (none); 4 completed (API).
 * Update ids: 1, 2 (of 1), 3 (of 3), 4 and 5 (of 4).
 */
static void
seed_maintenances(env_t *e)
{
    e->ctx.now = NOW;
    wr(e, INC_OP_MAINT_CREATE, 0, 0,
       "{\"title\": \"Network work\", \"status\": \"in_progress\","
       " \"componentIds\": [3], \"message\": \"Started.\","
       " \"scheduledFor\": \"2026-11-27T09:50:00Z\","
       " \"scheduledUntil\": \"2026-11-27T11:00:00Z\"}");
    e->ctx.now = NOW + 60;
    wr(e, INC_OP_MAINT_UPDATE_CREATE, 1, 0,
       "{\"status\": \"verifying\", \"message\": \"Checking.\"}");
    wr(e, INC_OP_MAINT_CREATE, 0, 0,
       "{\"title\": \"Later\", \"componentIds\": [1, 3],"
       " \"scheduledFor\": \"2026-11-29T10:00:00Z\","
       " \"scheduledUntil\": \"2026-11-29T11:00:00Z\"}");
    wr(e, INC_OP_MAINT_CREATE, 0, 0,
       "{\"title\": \"Sooner\", \"message\": \"Planned.\","
       " \"scheduledFor\": \"2026-11-28T10:00:00Z\","
       " \"scheduledUntil\": \"2026-11-28T11:00:00Z\"}");
    wr(e, INC_OP_MAINT_CREATE, 0, 0,
       "{\"title\": \"Done\", \"componentIds\": [1], \"message\": \"Soon.\","
       " \"scheduledFor\": \"2026-11-27T08:00:00Z\","
       " \"scheduledUntil\": \"2026-11-27T09:00:00Z\","
       " \"autoStart\": false, \"autoComplete\": false}");
    e->ctx.now = NOW + 120;
    wr(e, INC_OP_MAINT_UPDATE_CREATE, 4, 0,
       "{\"status\": \"completed\", \"message\": \"Finished.\"}");
}


static void
check_maintenance_1(const cJSON *m)
{
    const cJSON  *u;

    is_str(S(m, "id"), "m1", "maintenance id: \"m\" + ours");
    is_str(S(m, "name"), "Network work", "name: the title");
    is_str(S(m, "status"), "verifying", "status");
    is_str(S(m, "impact"), "maintenance", "impact maintenance");
    is_str(S(m, "monitoring_at"), "(null)", "monitoring_at null");
    is_str(S(m, "resolved_at"), "(null)", "not completed: resolved_at null");
    is_str(S(m, "started_at"), T2(NOW), "started_at: startedAt");
    is_str(S(m, "scheduled_for"), "2026-11-27T09:50:00.000Z",
           "scheduled_for");
    is_str(S(m, "scheduled_until"), "2026-11-27T11:00:00.000Z",
           "scheduled_until");
    is_str(S(m, "shortlink"), BASE_URL "/maintenances/1",
           "shortlink: its page");
    is_str(IDS(m, "components"), "3", "components: its componentIds");
    is_str(S(m, "components.0.status"), "under_maintenance",
           "as they are now: under maintenance");
    is_str(IDS(m, "incident_updates"), "mu2,mu1",
           "update ids: \"mu\" + ours, newest first");

    u = at(m, "incident_updates");
    is_str(S(u, "0.incident_id"), "m1", "incident_id: the maintenance's");
    is_str(S(u, "0.body"), "Checking.", "body");
    is_str(S(u, "0.updated_at"), T2(NOW + 60), "updated_at: created_at");
    is_str(AFFECTED(at(u, "0")),
           "3 Dashboard:under_maintenance>under_maintenance",
           "verifying after in progress: under maintenance");
    is_str(AFFECTED(at(u, "1")), "3 Dashboard:operational>under_maintenance",
           "in progress: under maintenance, operational before");
}


static void
check_maintenances(const cJSON *list)
{
    const cJSON  *m;

    m = FIND(list, "m2");
    is_str(S(m, "started_at"), "2026-11-29T10:00:00.000Z",
           "not started: started_at is scheduled_for");
    is_str(IDS(m, "incident_updates"), "", "no message, no updates");
    is_str(IDS(m, "components"), "1,3", "components in its order");

    m = FIND(list, "m3");
    is_str(IDS(m, "incident_updates"), "mu3", "the first update's id");
    is_str(AFFECTED(at(m, "incident_updates.0")), "(null)",
           "a maintenance naming no component: affected_components null");

    m = FIND(list, "m4");
    is_str(S(m, "status"), "completed", "completed");
    is_str(S(m, "resolved_at"), T2(NOW + 120), "resolved_at: completedAt");
    is_str(AFFECTED(at(m, "incident_updates.0")),
           "1 API:operational>operational",
           "completed after scheduled: operational");
    is_str(AFFECTED(at(m, "incident_updates.1")),
           "1 API:operational>operational", "scheduled: operational");
}


static void
test_maintenances(void)
{
    env_t         e;
    const cJSON  *doc;

    if (!open_env(&e, "maintenances")) {
        return;
    }

    seed_components(&e);
    seed_maintenances(&e);

    doc = v2(&e, INC_V2_ACTIVE);
    is_str(KEYS(doc), "page,scheduled_maintenances",
           "active.json: page, scheduled_maintenances");
    is_str(IDS(doc, "scheduled_maintenances"), "m1",
           "active: in progress or verifying");
    event_shapes(at(doc, "scheduled_maintenances"), MAINT_SHAPE, "active");
    check_maintenance_1(at(doc, "scheduled_maintenances.0"));

    doc = v2(&e, INC_V2_UPCOMING);
    is_str(KEYS(doc), "page,scheduled_maintenances",
           "upcoming.json: page, scheduled_maintenances");
    is_str(IDS(doc, "scheduled_maintenances"), "m3,m2",
           "upcoming: scheduled, soonest first");
    event_shapes(at(doc, "scheduled_maintenances"), MAINT_SHAPE,
                 "upcoming");

    doc = v2(&e, INC_V2_MAINTENANCES);
    is_str(KEYS(doc), "page,scheduled_maintenances",
           "scheduled-maintenances.json: page, scheduled_maintenances");
    is_str(IDS(doc, "scheduled_maintenances"), "m4,m3,m2,m1",
           "all: newest first");
    event_shapes(at(doc, "scheduled_maintenances"), MAINT_SHAPE, "all");
    check_maintenances(at(doc, "scheduled_maintenances"));

    env_close(&e);
}


static void
test_maintenance_limit(void)
{
    int           i;
    env_t         e;
    const cJSON  *doc;

    if (!open_env(&e, "maintenance limit")) {
        return;
    }

    for (i = 1; i <= 52; i++) {
        wr(&e, INC_OP_MAINT_CREATE, 0, 0,
           "{\"title\": \"Window %d\","
           " \"scheduledFor\": \"2026-12-%02dT10:00:00Z\","
           " \"scheduledUntil\": \"2026-12-%02dT11:00:00Z\"}",
           i, 1 + i % 28, 1 + i % 28);
    }

    doc = v2(&e, INC_V2_MAINTENANCES);
    is_int(cJSON_GetArraySize(at(doc, "scheduled_maintenances")), 50,
           "scheduled-maintenances.json: at most 50");
    is_str(S(doc, "scheduled_maintenances.0.id"), "m52", "newest first");
    is_str(S(doc, "scheduled_maintenances.49.id"), "m3", "to the 50th");

    doc = v2(&e, INC_V2_UPCOMING);
    is_int(cJSON_GetArraySize(at(doc, "scheduled_maintenances")), 52,
           "upcoming.json: all of them");
    is_str(S(doc, "scheduled_maintenances.0.scheduled_for"),
           "2026-12-01T10:00:00.000Z", "soonest first");
    is_str(S(doc, "scheduled_maintenances.51.scheduled_for"),
           "2026-12-28T10:00:00.000Z", "latest last");

    env_close(&e);
}


static void
test_summary(void)
{
    env_t         e;
    cJSON        *comps;
    const cJSON  *doc;

    if (!open_env(&e, "summary")) {
        return;
    }

    seed_components(&e);
    seed_maintenances(&e);
    seed_incidents(&e);

    doc = v2(&e, INC_V2_COMPONENTS);
    comps = cJSON_Duplicate(at(doc, "components"), 1);

    doc = v2(&e, INC_V2_SUMMARY);
    is_str(KEYS(doc), "page,components,incidents,scheduled_maintenances,"
           "status", "summary.json: its members, in order");
    shape(at(doc, "page"), PAGE_SHAPE, "summary: page");
    shape(at(doc, "status"), STATUS_SHAPE, "summary: status");
    ok(cJSON_Compare(at(doc, "components"), comps, 1),
       "components: as components.json");
    is_str(IDS(doc, "incidents"), "2", "incidents: the unresolved");
    event_shapes(at(doc, "incidents"), INCIDENT_SHAPE, "summary incident");
    is_str(IDS(doc, "scheduled_maintenances"), "m1,m3,m2",
           "scheduled_maintenances: active, then upcoming soonest first");
    event_shapes(at(doc, "scheduled_maintenances"), MAINT_SHAPE,
                 "summary maintenance");
    is_str(S(doc, "status.indicator"), "minor",
           "a minor incident raises the maintenance");

    cJSON_Delete(comps);
    env_close(&e);
}


/* cJSON's allocations fail after the "fail_after"th: -1 never */
static long  fail_after = -1;
static long  allocations;


static void *
failing_malloc(size_t size)
{
    if (fail_after >= 0 && allocations++ >= fail_after) {
        return NULL;
    }

    return malloc(size);
}


/*
 * Every document with each of its allocations failing in turn: a 5xx (or
 * the document, once there are enough), never a crash.
 */
static void
test_out_of_memory(void)
{
    int             doc, bad, done;
    long            n;
    env_t           e;
    cJSON_Hooks     hooks;

    if (!open_env(&e, "out of memory")) {
        return;
    }

    seed_components(&e);
    seed_maintenances(&e);
    seed_incidents(&e);

    hooks.malloc_fn = failing_malloc;
    hooks.free_fn = free;

    for (doc = 0; doc < INC_V2_COUNT; doc++) {
        bad = 0;
        done = 0;

        for (n = 0; n < 100000 && !done; n++) {
            cJSON_InitHooks(&hooks);
            fail_after = n;
            allocations = 0;

            inc_service_v2(e.store, &e.ctx, doc, R(&e));

            fail_after = -1;
            cJSON_InitHooks(NULL);

            if (e.res.status == 200 && allocations <= n) {
                done = 1;

            } else if (e.res.status != 503 && e.res.status != 500) {
                bad++;
                diag("document %d, allocation %ld failing: status %d",
                     doc, n, e.res.status);
            }
        }

        ok(done && !bad, "document %d: each allocation failing in turn "
           "(%ld of them): 5xx, then the document", doc, n - 1);
    }

    env_close(&e);
}


int
main(void)
{
    test_find();
    test_page();
    test_components();
    test_indicator();
    test_incidents();
    test_limit();
    test_maintenances();
    test_maintenance_limit();
    test_summary();
    test_out_of_memory();

    return done_testing();
}
