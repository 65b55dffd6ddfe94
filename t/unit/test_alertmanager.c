/*
 * incident_alertmanager: Alertmanager's notifications read into the
 * operation's input, and the operation on a real store: open, update,
 * resolve, notes after an operator took over, and repeated deliveries.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_service.h"
#include "incident_alertmanager.h"
#include "tap.h"


/* 2026-11-27T10:00:00Z */
#define NOW       ((time_t) 1795773600)
#define BASE_URL  "https://status.example.com"

#include "store_env.h"
#include "doc_env.h"


#define ALERT(status, name, severity, component, fp, starts)                 \
    "{\"status\": \"" status "\", \"labels\": {\"alertname\": \"" name       \
    "\", \"severity\": \"" severity "\", \"component\": \"" component        \
    "\"}, \"annotations\": {\"summary\": \"" name " is down\"},"             \
    " \"startsAt\": \"" starts "\", \"endsAt\": \"0001-01-01T00:00:00Z\","   \
    " \"fingerprint\": \"" fp "\"}"

#define NOTE(status, key, alerts)                                            \
    "{\"version\": \"4\", \"status\": \"" status "\", \"groupKey\": \""      \
    key "\", \"commonLabels\": {}, \"commonAnnotations\": {},"               \
    " \"alerts\": [" alerts "]}"


static const inc_am_severity_t  operator_map[] = {
    { "page", INC_IMPACT_CRITICAL },
    { "warning", INC_IMPACT_MAJOR },
    { "default", INC_IMPACT_NONE },
};


/* inc_am_parse() over a JSON text; "errors" counts its complaints */
static cJSON *
parse(const char *text, int *errors)
{
    cJSON  *in, *out, *err;

    in = cJSON_Parse(text);
    if (in == NULL) {
        diag("the test's own JSON does not parse: %s", text);
        abort();
    }

    out = cJSON_CreateObject();
    err = cJSON_CreateArray();

    inc_am_parse(in, NULL, 0, NOW, out, err);

    *errors = cJSON_GetArraySize(err);
    cJSON_Delete(in);
    cJSON_Delete(err);

    return out;
}


static void
test_impact_map(void)
{
    is_int(inc_am_impact(NULL, 0, "critical"), INC_IMPACT_CRITICAL,
           "critical is critical");
    is_int(inc_am_impact(NULL, 0, "WARNING"), INC_IMPACT_MINOR,
           "warning is minor, whatever its case");
    is_int(inc_am_impact(NULL, 0, "info"), INC_IMPACT_NONE, "info is none");
    is_int(inc_am_impact(NULL, 0, "bogus"), INC_IMPACT_MINOR,
           "an unknown severity is minor");
    is_int(inc_am_impact(NULL, 0, NULL), INC_IMPACT_MINOR,
           "no severity is minor");
    is_int(inc_am_impact(operator_map, 3, "page"), INC_IMPACT_CRITICAL,
           "the operator's own value");
    is_int(inc_am_impact(operator_map, 3, "warning"), INC_IMPACT_MAJOR,
           "the operator's map comes first");
    is_int(inc_am_impact(operator_map, 3, "critical"), INC_IMPACT_CRITICAL,
           "ours after it");
    is_int(inc_am_impact(operator_map, 3, "bogus"), INC_IMPACT_NONE,
           "the operator's default");
}


static void
test_parse_fields(void)
{
    int     errors;
    cJSON  *out;

    out = parse("{\"version\": \"4\", \"status\": \"firing\","
                " \"groupKey\": \"g\","
                " \"commonLabels\": {\"alertname\": \"Common\"},"
                " \"commonAnnotations\": {\"description\": \"Line 1\\nL2\"},"
                " \"alerts\": ["
                ALERT("firing", "A", "warning", "API", "f1",
                      "2026-11-27T09:30:00.5+01:00") ","
                ALERT("firing", "B", "critical", "api", "f2",
                      "2026-11-27T09:00:00Z") ","
                ALERT("resolved", "C", "critical", "Web", "f3",
                      "2026-11-27T07:00:00Z") "]}", &errors);

    is_int(errors, 0, "a notification with three alerts is accepted");
    is_str(S(out, "title"), "A is down",
           "the title is the first firing alert's summary");
    is_str(S(out, "impact"), "critical", "the worst firing severity");
    is_str(S(out, "startedAt"), "2026-11-27T08:30:00Z",
           "the earliest firing start, offsets honoured, resolved ignored");
    is_str(S(out, "description"), "Line 1\nL2",
           "the common description, new lines kept");
    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(out, "components")), 1,
           "component labels are unique without case; resolved not read");
    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(out, "firingNames")), 2,
           "two firing");
    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(out, "resolvedNames")), 1,
           "one resolved");
    ok(cJSON_IsTrue(cJSON_GetObjectItem(out, "firing")), "firing");
    is_int(strlen(S(out, "digest")), 64, "a SHA-256 digest");

    cJSON_Delete(out);

    out = parse(NOTE("firing", "g", "{\"status\": \"firing\","
                     " \"labels\": {\"alertname\": \"Only\\u0007name\"},"
                     " \"startsAt\": \"2030-01-01T00:00:00Z\"}"), &errors);

    is_int(errors, 0, "an alert with labels only");
    is_str(S(out, "title"), "Only name",
           "the alertname, control characters made spaces");
    is_str(S(out, "startedAt"), "2026-11-27T10:00:00Z",
           "a start in the future is now");
    cJSON_Delete(out);

    out = parse(NOTE("resolved", "g", ""), &errors);
    is_int(errors, 0, "resolved with no alerts is accepted");
    ok(cJSON_IsFalse(cJSON_GetObjectItem(out, "firing")), "not firing");
    is_str(S(out, "title"), "Alert firing", "a title of last resort");
    cJSON_Delete(out);
}


static void
test_parse_long_title(void)
{
    int     errors;
    char   *text, *p;
    cJSON  *out;
    size_t  i;

    text = malloc(4096);
    p = text + sprintf(text, "{\"status\": \"firing\", \"groupKey\": \"g\","
                       " \"alerts\": [{\"status\": \"firing\","
                       " \"annotations\": {\"summary\": \"");

    for (i = 0; i < 300; i++) {
        p += sprintf(p, "\xc3\xa9");
    }

    sprintf(p, "\"}}]}");

    out = parse(text, &errors);

    is_int(errors, 0, "a 300-character summary");
    is_int(inc_utf8_length(S(out, "title")), INC_TITLE_MAX,
           "is cut to 200 characters");
    ok(inc_utf8_valid((unsigned char *) S(out, "title"),
                      strlen(S(out, "title"))),
       "on a character boundary");
    ok(inc_utf8_valid((unsigned char *) S(out, "firingNames.0"),
                      strlen(S(out, "firingNames.0"))),
       "and so is the alert's name in the messages");

    cJSON_Delete(out);
    free(text);
}


static void
test_parse_errors(void)
{
    int     errors;
    cJSON  *out;

    static const char  *bad[] = {
        "{\"status\": \"firing\", \"alerts\": []}",
        "{\"status\": \"firing\", \"groupKey\": \"\", \"alerts\": []}",
        "{\"status\": \"on\", \"groupKey\": \"g\", \"alerts\": []}",
        "{\"version\": \"3\", \"status\": \"resolved\", \"groupKey\": \"g\","
        " \"alerts\": []}",
        "{\"version\": 4, \"status\": \"resolved\", \"groupKey\": \"g\","
        " \"alerts\": []}",
        "{\"status\": \"firing\", \"groupKey\": \"g\", \"alerts\": {}}",
        "{\"status\": \"firing\", \"groupKey\": \"g\", \"alerts\": []}",
        "{\"status\": \"firing\", \"groupKey\": \"g\","
        " \"alerts\": [{\"status\": \"resolved\"}]}",
        "{\"status\": \"firing\", \"groupKey\": \"g\","
        " \"alerts\": [{\"status\": \"pending\"}]}",
        "{\"status\": \"firing\", \"groupKey\": \"g\","
        " \"alerts\": [{\"status\": \"firing\", \"labels\": []}]}",
        "{\"status\": \"firing\", \"groupKey\": \"g\", \"alerts\": [7]}",
    };

    size_t  i;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        out = parse(bad[i], &errors);
        ok(errors > 0, "refused: %s", bad[i]);
        cJSON_Delete(out);
    }
}


static void
test_digest(void)
{
    int     errors;
    cJSON  *one, *two, *three, *four;

    one = parse(NOTE("firing", "g",
                     ALERT("firing", "A", "warning", "x", "f1",
                           "2026-11-27T09:00:00Z") ","
                     ALERT("firing", "B", "warning", "x", "f2",
                           "2026-11-27T09:00:00Z")), &errors);
    two = parse(NOTE("firing", "g",
                     ALERT("firing", "B", "warning", "x", "f2",
                           "2026-11-27T09:00:00Z") ","
                     ALERT("firing", "A", "critical", "y", "f1",
                           "2026-11-27T09:00:00Z")), &errors);
    three = parse(NOTE("firing", "g",
                       ALERT("firing", "A", "warning", "x", "f1",
                             "2026-11-27T09:00:00Z") ","
                       ALERT("resolved", "B", "warning", "x", "f2",
                             "2026-11-27T09:00:00Z")), &errors);
    four = parse(NOTE("resolved", "g",
                      ALERT("resolved", "A", "warning", "x", "f1",
                            "2026-11-27T09:00:00Z") ","
                      ALERT("resolved", "B", "warning", "x", "f2",
                            "2026-11-27T09:00:00Z")), &errors);

    is_str(S(one, "digest"), S(two, "digest"),
           "the order of alerts and their labels do not change the digest");
    ok(strcmp(S(one, "digest"), S(three, "digest")) != 0,
       "an alert resolving does");
    ok(strcmp(S(three, "digest"), S(four, "digest")) != 0,
       "and the group resolving does");

    cJSON_Delete(one);
    cJSON_Delete(two);
    cJSON_Delete(three);
    cJSON_Delete(four);
}


/* the operation on a store */


/* a notification delivered; returns the HTTP status */
static int
deliver(env_t *e, const char *text)
{
    int          errors;
    inc_write_t  w;

    inc_result_free(&e->res);
    memset(&e->res, 0, sizeof(inc_result_t));

    w.op = INC_OP_ALERTMANAGER;
    w.id = 0;
    w.sub_id = 0;
    w.input = parse(text, &errors);

    if (errors) {
        cJSON_Delete(w.input);
        return 422;
    }

    inc_service_write(e->store, &e->ctx, &w, &e->res);
    cJSON_Delete(w.input);

    return e->res.status;
}


static const char *
action(env_t *e)
{
    return S(e->res.body, "action");
}


static const cJSON *
incident(env_t *e)
{
    return cJSON_GetObjectItem(e->res.body, "incident");
}


static const cJSON *
newest_update(env_t *e)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItem(incident(e), "updates"),
                              0);
}


#define FIRING_A                                                             \
    NOTE("firing", "{}:{alertname=\\\"DB\\\"}",                              \
         ALERT("firing", "DB", "warning", "database", "f1",                  \
               "2026-11-27T09:00:00Z"))

#define FIRING_AB                                                            \
    NOTE("firing", "{}:{alertname=\\\"DB\\\"}",                              \
         ALERT("firing", "DB", "warning", "database", "f1",                  \
               "2026-11-27T09:00:00Z") ","                                   \
         ALERT("firing", "DB", "critical", "Nowhere", "f2",                  \
               "2026-11-27T09:10:00Z"))

#define RESOLVED_AB                                                          \
    NOTE("resolved", "{}:{alertname=\\\"DB\\\"}",                            \
         ALERT("resolved", "DB", "warning", "database", "f1",                \
               "2026-11-27T09:00:00Z") ","                                   \
         ALERT("resolved", "DB", "critical", "Nowhere", "f2",                \
               "2026-11-27T09:10:00Z"))


static void
test_lifecycle(void)
{
    env_t     e;
    uint64_t  g, id;

    if (!env_open(&e)) {
        ok(0, "a store");
        return;
    }

    e.ctx.actor = "alertmanager";

    wr(&e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"Database\"}");
    wr(&e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"Web\"}");

    is_int(deliver(&e, FIRING_A), 201, "a firing group opens an incident");
    is_str(action(&e), "created", "created");
    is_str(S(incident(&e), "title"), "DB is down", "titled by the summary");
    is_str(S(incident(&e), "impact"), "minor", "warning is minor");
    is_str(S(incident(&e), "startedAt"), "2026-11-27T09:00:00Z",
           "started when the alert did");
    is_int(cJSON_GetArrayItem(cJSON_GetObjectItem(incident(&e),
                                                  "componentIds"), 0)
           ->valueint, 1, "the component named without case");
    ok(cJSON_IsTrue(cJSON_GetObjectItem(newest_update(&e), "notify")),
       "subscribers are told");
    is_str(e.res.location, "/api/v1/incidents/1", "its location");

    g = gen(&e);
    is_int(deliver(&e, FIRING_A), 200, "the same notification again");
    is_str(action(&e), "unchanged", "changes nothing");
    is_int(gen(&e), g, "not even the generation");
    is_int(cJSON_GetArraySize(cJSON_GetObjectItem(incident(&e), "updates")),
           1, "no update was added");

    e.ctx.now += 60;
    is_int(deliver(&e, FIRING_AB), 200, "a second alert in the group");
    is_str(action(&e), "updated", "updates the incident");
    is_str(S(incident(&e), "impact"), "critical", "the impact is raised");
    ok(cJSON_IsTrue(cJSON_GetObjectItem(newest_update(&e), "notify")),
       "and subscribers hear of it");
    ok(strstr(S(newest_update(&e), "message"), "Unknown components in the "
              "alert: Nowhere.") != NULL, "the unknown component is noted");
    is_str(S(newest_update(&e), "status"), "investigating",
           "the status stays");

    is_int(deliver(&e, RESOLVED_AB), 200, "the group resolves");
    is_str(action(&e), "resolved", "resolved");
    is_str(S(incident(&e), "status"), "resolved", "the incident is over");
    is_int(deliver(&e, RESOLVED_AB), 200, "the resolution again");
    is_str(action(&e), "unchanged", "changes nothing");

    e.ctx.now += 60;
    is_int(deliver(&e, NOTE("firing", "{}:{alertname=\\\"DB\\\"}",
                            ALERT("firing", "DB", "warning", "database",
                                  "f1", "2026-11-27T10:00:30Z"))),
           201, "firing again after the resolution");
    is_int(cJSON_GetObjectItem(e.res.body, "incidentId")->valueint, 2,
           "opens a new incident");

    /* an operator takes over */
    e.ctx.actor = "oncall";
    is_int(wr(&e, INC_OP_UPDATE_CREATE, 2, 0,
                       "{\"status\": \"identified\", \"message\": \"Ours.\"}"),
           201, "an operator posts an update");
    e.ctx.actor = "alertmanager";

    is_int(deliver(&e, NOTE("resolved", "{}:{alertname=\\\"DB\\\"}",
                            ALERT("resolved", "DB", "warning", "database",
                                  "f1", "2026-11-27T10:00:30Z"))),
           200, "the group resolves after the take-over");
    is_str(action(&e), "noted", "only a note");
    is_str(S(incident(&e), "status"), "identified", "the status stays");
    ok(cJSON_IsFalse(cJSON_GetObjectItem(newest_update(&e), "notify")),
       "subscribers are not told");
    ok(strncmp(S(newest_update(&e), "message"), "Alertmanager reports", 20)
       == 0, "the note says who reports");

    is_int(deliver(&e, NOTE("resolved", "other", "")), 200,
           "an unknown group resolves");
    is_str(action(&e), "ignored", "ignored");
    ok(cJSON_IsNull(cJSON_GetObjectItem(e.res.body, "incident")),
       "with no incident");

    is_int(wr(&e, INC_OP_INCIDENT_DELETE, 2, 0, NULL), 204,
           "the operator deletes the incident");
    is_int(deliver(&e, NOTE("firing", "{}:{alertname=\\\"DB\\\"}",
                            ALERT("firing", "DB", "warning", "database",
                                  "f1", "2026-11-27T10:05:00Z"))),
           201, "the group fires again: a new incident");

    /* an operator resolves it while the alert still fires */
    id = (uint64_t) N(e.res.body, "incidentId");
    e.ctx.actor = "oncall";
    is_int(wr(&e, INC_OP_UPDATE_CREATE, id, 0,
              "{\"status\": \"resolved\", \"message\": \"Fixed.\"}"),
           201, "an operator resolves the incident");
    e.ctx.actor = "alertmanager";

    is_int(deliver(&e, NOTE("firing", "{}:{alertname=\\\"DB\\\"}",
                            ALERT("firing", "DB", "warning", "database",
                                  "f1", "2026-11-27T10:05:00Z"))),
           201, "Alertmanager repeats the very same notification");
    is_str(action(&e), "created",
           "the alert still fires: a new incident, not \"unchanged\"");
    is_int(deliver(&e, NOTE("firing", "{}:{alertname=\\\"DB\\\"}",
                            ALERT("firing", "DB", "warning", "database",
                                  "f1", "2026-11-27T10:05:00Z"))),
           200, "and again");
    is_str(action(&e), "unchanged", "now it is unchanged");

    env_close(&e);
}


int
main(void)
{
    test_impact_map();
    test_parse_fields();
    test_parse_long_title();
    test_parse_errors();
    test_digest();
    test_lifecycle();

    return done_testing();
}
