/*
 * incident_model: enumerations, validators, status rules, times, UTF-8.
 */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "incident_model.h"
#include "tap.h"


/* 2026-11-27T10:00:00Z */
#define NOW  ((time_t) 1795773600)


/* test helpers */

static cJSON *
json(const char *text)
{
    cJSON  *j;

    j = cJSON_Parse(text);
    if (j == NULL) {
        diag("the test's own JSON does not parse: %s", text);
        abort();
    }

    return j;
}


enum {
    V_INCIDENT_CREATE = 0,
    V_INCIDENT_PATCH,
    V_UPDATE_CREATE,
    V_UPDATE_PATCH,
    V_COMPONENT_CREATE,
    V_COMPONENT_PATCH,
    V_SETTINGS
};

typedef struct {
    cJSON  *out;
    cJSON  *errors;
    char    fields[512];      /* the errors' fields, comma separated */
    char    buf[512];         /* scratch for ids() */
} vres_t;


static void
validate_json(int which, const cJSON *in, vres_t *r)
{
    size_t        len;
    const cJSON  *e, *f;

    memset(r, 0, sizeof(vres_t));

    r->out = cJSON_CreateObject();
    r->errors = cJSON_CreateArray();

    switch (which) {
    case V_INCIDENT_CREATE:
        inc_validate_incident_create(in, NOW, r->out, r->errors);
        break;
    case V_INCIDENT_PATCH:
        inc_validate_incident_patch(in, NOW, r->out, r->errors);
        break;
    case V_UPDATE_CREATE:
        inc_validate_update_create(in, r->out, r->errors);
        break;
    case V_UPDATE_PATCH:
        inc_validate_update_patch(in, r->out, r->errors);
        break;
    case V_COMPONENT_CREATE:
        inc_validate_component(in, 1, r->out, r->errors);
        break;
    case V_COMPONENT_PATCH:
        inc_validate_component(in, 0, r->out, r->errors);
        break;
    default:
        inc_validate_settings(in, r->out, r->errors);
        break;
    }

    len = 0;

    cJSON_ArrayForEach(e, r->errors) {
        f = cJSON_GetObjectItemCaseSensitive(e, "field");
        len += (size_t) snprintf(r->fields + len, sizeof(r->fields) - len,
                                 "%s%s", len ? "," : "",
                                 cJSON_IsString(f) ? f->valuestring : "?");
        if (len >= sizeof(r->fields)) {
            break;
        }
    }
}


static void
validate(int which, const char *text, vres_t *r)
{
    cJSON  *in;

    in = json(text);
    validate_json(which, in, r);
    cJSON_Delete(in);
}


static void
vres_free(vres_t *r)
{
    cJSON_Delete(r->out);
    cJSON_Delete(r->errors);
    r->out = NULL;
    r->errors = NULL;
}


/* the message of the first error about "field", or NULL */
static const char *
err_msg(const vres_t *r, const char *field)
{
    const cJSON  *e, *f, *m;

    cJSON_ArrayForEach(e, r->errors) {
        f = cJSON_GetObjectItemCaseSensitive(e, "field");
        m = cJSON_GetObjectItemCaseSensitive(e, "message");
        if (cJSON_IsString(f) && strcmp(f->valuestring, field) == 0) {
            return cJSON_IsString(m) ? m->valuestring : "(no message)";
        }
    }

    return NULL;
}


static const char *
out_str(const vres_t *r, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(r->out, field);

    return cJSON_IsString(item) ? item->valuestring : NULL;
}


static double
out_num(const vres_t *r, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(r->out, field);

    return cJSON_IsNumber(item) ? item->valuedouble : -12345;
}


/* "1,2,3" for an array of numbers, "absent", or "not an array" */
static const char *
out_ids(vres_t *r, const char *field)
{
    size_t        len;
    const cJSON  *list, *item;

    list = cJSON_GetObjectItemCaseSensitive(r->out, field);

    if (list == NULL) {
        return "absent";
    }

    if (!cJSON_IsArray(list)) {
        return "not an array";
    }

    len = 0;
    r->buf[0] = '\0';

    cJSON_ArrayForEach(item, list) {
        len += (size_t) snprintf(r->buf + len, sizeof(r->buf) - len,
                                 "%s%.17g", len ? "," : "",
                                 item->valuedouble);
        if (len >= sizeof(r->buf)) {
            break;
        }
    }

    return r->buf;
}


static char *
repeat(const char *unit, int n)
{
    int     i;
    char   *s;
    size_t  len;

    len = strlen(unit);
    s = malloc(len * (size_t) n + 1);

    for (i = 0; i < n; i++) {
        memcpy(s + len * (size_t) i, unit, len);
    }

    s[len * (size_t) n] = '\0';

    return s;
}


/* {"<field>": "<value>"} plus the other required fields of a create */
static cJSON *
create_with_title(const char *title)
{
    cJSON  *in;

    in = json("{\"status\": \"investigating\", \"impact\": \"minor\"}");
    cJSON_AddStringToObject(in, "title", title);

    return in;
}


/* enumerations */

static void
test_enums(void)
{
    int  i;

    static const char  *statuses[][3] = {
        { "investigating", "Investigating", "Issue is being looked into" },
        { "identified", "Identified", "Root cause has been found" },
        { "monitoring", "Monitoring", "Fix deployed, watching for issues" },
        { "resolved", "Resolved", "Issue is completely fixed" },
    };

    static const char  *impacts[][3] = {
        { "critical", "Critical", "Complete service outage" },
        { "major", "Major", "Some features unavailable" },
        { "minor", "Minor", "Performance issues" },
        { "none", "Minimal", "Minimal impact" },
    };

    static const char  *comps[][2] = {
        { "operational", "Operational" },
        { "degraded_performance", "Degraded Performance" },
        { "partial_outage", "Partial Outage" },
        { "major_outage", "Major Outage" },
        { "under_maintenance", "Under Maintenance" },
    };

    static const char  *positions[][2] = {
        { "top", "Top" },
        { "below_status", "Below Status" },
        { "below_components", "Below Components" },
    };

    is_int(INC_STATUS_COUNT, 4, "four incident statuses");

    for (i = 0; i < 4; i++) {
        is_int(inc_enum_find(inc_incident_statuses, INC_STATUS_COUNT,
                             statuses[i][0]), i,
               "status %s is number %d, in lifecycle order",
               statuses[i][0], i);
        is_str(inc_incident_statuses[i].label, statuses[i][1],
               "status %s: label", statuses[i][0]);
        ok(inc_incident_statuses[i].meaning != NULL
           && strncmp(inc_incident_statuses[i].meaning, statuses[i][2],
                      strlen(statuses[i][2])) == 0,
           "status %s: meaning \"%s\"", statuses[i][0], statuses[i][2]);
    }

    is_int(INC_STATUS_RESOLVED, 3, "INC_STATUS_RESOLVED is the last one");

    is_int(INC_IMPACT_COUNT, 4, "four impacts");

    for (i = 0; i < 4; i++) {
        is_int(inc_enum_find(inc_impacts, INC_IMPACT_COUNT, impacts[i][0]),
               i, "impact %s is number %d, most severe first",
               impacts[i][0], i);
        is_str(inc_impacts[i].label, impacts[i][1], "impact %s: label",
               impacts[i][0]);
        is_str(inc_impacts[i].meaning, impacts[i][2],
               "impact %s: the seed's meaning", impacts[i][0]);
    }

    is_int(INC_COMP_COUNT, 5, "five component statuses");

    for (i = 0; i < 5; i++) {
        int  k;

        k = inc_enum_find(inc_component_statuses, INC_COMP_COUNT,
                          comps[i][0]);
        ok(k >= 0, "component status %s exists", comps[i][0]);
        if (k >= 0) {
            is_str(inc_component_statuses[k].label, comps[i][1],
                   "component status %s: label", comps[i][0]);
        }
    }

    /* severity: major > partial > degraded > maintenance > operational */
    ok(INC_COMP_MAJOR_OUTAGE > INC_COMP_PARTIAL_OUTAGE
       && INC_COMP_PARTIAL_OUTAGE > INC_COMP_DEGRADED_PERFORMANCE
       && INC_COMP_DEGRADED_PERFORMANCE > INC_COMP_UNDER_MAINTENANCE
       && INC_COMP_UNDER_MAINTENANCE > INC_COMP_OPERATIONAL,
       "component statuses are ordered by severity");
    is_int(inc_enum_find(inc_component_statuses, INC_COMP_COUNT,
                         "partial_outage"), INC_COMP_PARTIAL_OUTAGE,
           "the table agrees with the enum (partial_outage)");
    is_int(inc_enum_find(inc_component_statuses, INC_COMP_COUNT,
                         "under_maintenance"), INC_COMP_UNDER_MAINTENANCE,
           "the table agrees with the enum (under_maintenance)");

    is_int(INC_POSITION_COUNT, 3, "three incident positions");
    is_int(INC_POSITION_TOP, 0, "top is the first (default) position");

    for (i = 0; i < 3; i++) {
        is_int(inc_enum_find(inc_positions, INC_POSITION_COUNT,
                             positions[i][0]), i, "position %s is number %d",
               positions[i][0], i);
        is_str(inc_positions[i].label, positions[i][1], "position %s: label",
               positions[i][0]);
    }

    is_str(inc_positions[INC_POSITION_TOP].meaning, "Maximum visibility",
           "top: maximum visibility");
    is_str(inc_positions[INC_POSITION_BELOW_STATUS].meaning,
           "Balanced visibility", "below_status: balanced visibility");
    is_str(inc_positions[INC_POSITION_BELOW_COMPONENTS].meaning,
           "Secondary focus", "below_components: secondary focus");

    is_int(inc_enum_find(inc_impacts, INC_IMPACT_COUNT, "Critical"), -1,
           "enum values are case-sensitive");
    is_int(inc_enum_find(inc_impacts, INC_IMPACT_COUNT, "severe"), -1,
           "an unknown value is not found");
    is_int(inc_enum_find(inc_impacts, INC_IMPACT_COUNT, ""), -1,
           "the empty string is not found");
    is_int(inc_enum_find(inc_impacts, INC_IMPACT_COUNT, NULL), -1,
           "NULL is not found");

    is_int(inc_impact_component_status(INC_IMPACT_CRITICAL),
           INC_COMP_MAJOR_OUTAGE, "critical impact -> major_outage");
    is_int(inc_impact_component_status(INC_IMPACT_MAJOR),
           INC_COMP_PARTIAL_OUTAGE, "major impact -> partial_outage");
    is_int(inc_impact_component_status(INC_IMPACT_MINOR),
           INC_COMP_DEGRADED_PERFORMANCE,
           "minor impact -> degraded_performance");
    is_int(inc_impact_component_status(INC_IMPACT_NONE),
           INC_COMP_OPERATIONAL, "none impact -> operational");

    is_str(inc_overall_descriptions[INC_COMP_OPERATIONAL],
           "All Systems Operational", "description: operational");
    is_str(inc_overall_descriptions[INC_COMP_DEGRADED_PERFORMANCE],
           "Degraded Performance", "description: degraded_performance");
    is_str(inc_overall_descriptions[INC_COMP_PARTIAL_OUTAGE],
           "Partial System Outage", "description: partial_outage");
    is_str(inc_overall_descriptions[INC_COMP_MAJOR_OUTAGE],
           "Major System Outage", "description: major_outage");
    is_str(inc_overall_descriptions[INC_COMP_UNDER_MAINTENANCE],
           "Under Maintenance", "description: under_maintenance");
}


static void
test_error_add(void)
{
    cJSON  *errors;

    errors = cJSON_CreateArray();
    inc_error_add(errors, "impact", "must be one of critical");

    is_int(cJSON_GetArraySize(errors), 1, "inc_error_add adds one entry");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
               cJSON_GetArrayItem(errors, 0), "field")), "impact",
           "with its field");
    is_str(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
               cJSON_GetArrayItem(errors, 0), "message")),
           "must be one of critical", "and its message");

    cJSON_Delete(errors);
}


/* POST /incidents */

static void
test_incident_create(void)
{
    char    *s;
    cJSON   *in;
    vres_t   r;

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"Database connectivity issues\","
             " \"status\": \"investigating\", \"impact\": \"major\","
             " \"message\": \"We are investigating reports of database "
             "issues.\", \"componentIds\": [1, 2]}", &r);
    is_str(r.fields, "", "the seed's body is valid");
    is_str(out_str(&r, "title"), "Database connectivity issues",
           "seed: title");
    is_str(out_str(&r, "status"), "investigating", "seed: status");
    is_str(out_str(&r, "impact"), "major", "seed: impact");
    is_str(out_str(&r, "message"),
           "We are investigating reports of database issues.",
           "seed: message");
    is_str(out_ids(&r, "componentIds"), "1,2", "seed: componentIds");
    ok(cJSON_GetObjectItem(r.out, "notify") == NULL,
       "seed: notify is absent (the default applies later)");
    ok(cJSON_GetObjectItem(r.out, "startedAt") == NULL,
       "seed: startedAt is absent");
    is_int(cJSON_GetArraySize(r.out), 5, "seed: five normalized fields");
    vres_free(&r);

    validate(V_INCIDENT_CREATE, "{}", &r);
    is_str(r.fields, "title,status,impact",
           "empty body: title, status and impact are required");
    is_str(err_msg(&r, "title"), "is required", "title: is required");
    is_str(err_msg(&r, "status"), "is required", "status: is required");
    is_str(err_msg(&r, "impact"), "is required", "impact: is required");
    is_int(cJSON_GetArraySize(r.out), 0, "nothing normalized");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"  \\t Slow API \\n \", \"status\": \"monitoring\","
             " \"impact\": \"minor\", \"message\": \"  hello  \","
             " \"extra\": 1}", &r);
    is_str(r.fields, "", "a body with spaces and an unknown field is valid");
    is_str(out_str(&r, "title"), "Slow API", "title is trimmed");
    is_str(out_str(&r, "message"), "hello", "message is trimmed");
    ok(cJSON_GetObjectItem(r.out, "extra") == NULL,
       "unknown fields are dropped");
    is_str(out_ids(&r, "componentIds"), "absent",
           "componentIds absent stays absent");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \" \\t\\n \", \"status\": \"investigating\","
             " \"impact\": \"none\"}", &r);
    is_str(r.fields, "title", "a blank title is an error");
    is_str(err_msg(&r, "title"), "must not be empty",
           "blank title: must not be empty");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": null, \"status\": \"investigating\","
             " \"impact\": \"none\"}", &r);
    is_str(r.fields, "title", "a null title is an error");
    is_str(err_msg(&r, "title"), "is required", "null title: is required");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"A\", \"status\": \"investigating\","
             " \"impact\": \"none\", \"message\": \"   \"}", &r);
    is_str(r.fields, "", "a blank message is allowed on create");
    is_str(out_str(&r, "message"), "",
           "a blank message is normalized to \"\"");
    vres_free(&r);

    /* the 200-character limit counts characters, not bytes */
    s = repeat("a", 200);
    in = create_with_title(s);
    validate_json(V_INCIDENT_CREATE, in, &r);
    is_str(r.fields, "", "200 ASCII characters are accepted");
    is_int(strlen(out_str(&r, "title") ? out_str(&r, "title") : ""), 200,
           "the whole title is kept");
    vres_free(&r);
    cJSON_Delete(in);
    free(s);

    s = repeat("a", 201);
    in = create_with_title(s);
    validate_json(V_INCIDENT_CREATE, in, &r);
    is_str(r.fields, "title", "201 ASCII characters are refused");
    is_str(err_msg(&r, "title"), "must be at most 200 characters",
           "the message names the limit");
    vres_free(&r);
    cJSON_Delete(in);
    free(s);

    s = repeat("\xc3\xa9", 200);       /* 200 x U+00E9, 400 bytes */
    in = create_with_title(s);
    validate_json(V_INCIDENT_CREATE, in, &r);
    is_str(r.fields, "", "200 two-byte characters (400 bytes) are accepted");
    is_str(out_str(&r, "title"), s, "and kept intact");
    vres_free(&r);
    cJSON_Delete(in);
    free(s);

    s = repeat("\xf0\x9f\x94\xa5", 200);       /* 200 x U+1F525 */
    in = create_with_title(s);
    validate_json(V_INCIDENT_CREATE, in, &r);
    is_str(r.fields, "", "200 four-byte characters (800 bytes) are accepted");
    vres_free(&r);
    cJSON_Delete(in);
    free(s);

    s = repeat("\xe2\x82\xac", 201);           /* 201 x U+20AC */
    in = create_with_title(s);
    validate_json(V_INCIDENT_CREATE, in, &r);
    is_str(r.fields, "title", "201 three-byte characters are refused");
    vres_free(&r);
    cJSON_Delete(in);
    free(s);

    s = repeat("a", 200);
    {
        char  *padded;

        padded = malloc(strlen(s) + 7);
        sprintf(padded, "   %s   ", s);
        in = create_with_title(padded);
        validate_json(V_INCIDENT_CREATE, in, &r);
        is_str(r.fields, "", "the limit applies after trimming");
        vres_free(&r);
        cJSON_Delete(in);
        free(padded);
    }
    free(s);

    /* wrong types */
    validate(V_INCIDENT_CREATE,
             "{\"title\": 42, \"status\": \"investigating\","
             " \"impact\": \"none\"}", &r);
    is_str(r.fields, "title", "a numeric title is an error");
    is_str(err_msg(&r, "title"), "must be a string",
           "numeric title: must be a string");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": [\"x\"], \"status\": \"investigating\","
             " \"impact\": \"none\"}", &r);
    is_str(r.fields, "title", "an array title is an error");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"broken\","
             " \"impact\": \"none\"}", &r);
    is_str(r.fields, "status", "an unknown status is an error");
    is_str(err_msg(&r, "status"),
           "must be one of investigating, identified, monitoring, resolved",
           "the status error lists the values");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"Investigating\","
             " \"impact\": \"none\"}", &r);
    is_str(r.fields, "status", "a status in the wrong case is an error");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": 0, \"impact\": true}", &r);
    is_str(r.fields, "status,impact", "non-string enums are errors");
    is_str(err_msg(&r, "impact"),
           "must be one of critical, major, minor, none",
           "the impact error lists the values");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"resolved\","
             " \"impact\": \"critical\", \"message\": 7}", &r);
    is_str(r.fields, "message", "a numeric message is an error");
    vres_free(&r);

    /* one entry per bad field, each with its field */
    validate(V_INCIDENT_CREATE,
             "{\"title\": \"\", \"status\": \"nope\", \"impact\": \"severe\","
             " \"message\": false, \"componentIds\": \"1,2\","
             " \"notify\": \"yes\", \"startedAt\": \"yesterday\"}", &r);
    is_str(r.fields, "title,status,impact,message,componentIds,notify,"
           "startedAt", "seven bad fields, seven errors, in order");
    is_int(cJSON_GetArraySize(r.out), 0, "none of them is normalized");
    vres_free(&r);
}


static void
test_component_ids(void)
{
    vres_t  r;
    char    text[64 + 6 * 600], *p;
    int     i;

#define IDS_CASE(ids, errs, expect, name)                                  \
    validate(V_INCIDENT_CREATE,                                              \
             "{\"title\": \"x\", \"status\": \"identified\","                \
             " \"impact\": \"minor\", \"componentIds\": " ids "}", &r);      \
    is_str(r.fields, errs, "componentIds " ids ": " name);                 \
    is_str(out_ids(&r, "componentIds"), expect,                              \
           "componentIds " ids ": normalized");                              \
    vres_free(&r)

    IDS_CASE("[1, 2, 3]", "", "1,2,3", "accepted");
    IDS_CASE("[3, 1, 3, 2, 1, 3]", "", "3,1,2",
             "duplicates collapsed, first order kept");
    IDS_CASE("[]", "", "", "empty array accepted");
    IDS_CASE("null", "", "", "null means none");
    IDS_CASE("[2.0]", "", "2", "an integral float is an id");
    IDS_CASE("[9007199254740991]", "", "9007199254740991",
             "the largest exact JSON integer is accepted");
    IDS_CASE("\"1,2\"", "componentIds", "absent", "a string is refused");
    IDS_CASE("{\"1\": 1}", "componentIds", "absent",
             "an object is refused");
    IDS_CASE("7", "componentIds", "absent", "a number is refused");
    IDS_CASE("[1, \"2\"]", "componentIds", "absent",
             "a string id is refused");
    IDS_CASE("[1.5]", "componentIds", "absent", "a fraction is refused");
    IDS_CASE("[0]", "componentIds", "absent", "zero is refused");
    IDS_CASE("[1, -2]", "componentIds", "absent", "a negative is refused");
    IDS_CASE("[true]", "componentIds", "absent", "a boolean is refused");
    IDS_CASE("[null]", "componentIds", "absent", "null inside is refused");
    IDS_CASE("[[1]]", "componentIds", "absent", "nested arrays refused");
    IDS_CASE("[1e300]", "componentIds", "absent", "a huge number is refused");

#undef IDS_CASE

    /* one error entry for the field, however many bad ids */
    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"componentIds\": [0, -1, \"a\"]}", &r);
    is_str(r.fields, "componentIds", "three bad ids give one error entry");
    vres_free(&r);

    /* more than INC_COMPONENT_IDS_MAX ids */
    p = text + sprintf(text, "{\"title\": \"x\", \"status\": \"identified\","
                       " \"impact\": \"minor\", \"componentIds\": [");
    for (i = 1; i <= INC_COMPONENT_IDS_MAX + 1; i++) {
        p += sprintf(p, "%s%d", i > 1 ? "," : "", i);
    }
    sprintf(p, "]}");

    validate(V_INCIDENT_CREATE, text, &r);
    is_str(r.fields, "componentIds", "%d ids are too many",
           INC_COMPONENT_IDS_MAX + 1);
    vres_free(&r);
}


static void
test_notify(void)
{
    vres_t  r;

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"notify\": false}", &r);
    is_str(r.fields, "", "notify: false is valid");
    ok(cJSON_IsFalse(cJSON_GetObjectItem(r.out, "notify")),
       "notify false is kept as false");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"notify\": true}", &r);
    ok(cJSON_IsTrue(cJSON_GetObjectItem(r.out, "notify")),
       "notify true is kept as true");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"notify\": 1}", &r);
    is_str(r.fields, "notify", "notify: 1 is not a boolean");
    is_str(err_msg(&r, "notify"), "must be true or false",
           "notify: the message");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"notify\": \"false\"}", &r);
    is_str(r.fields, "notify", "notify: \"false\" is not a boolean");
    vres_free(&r);
}


static void
test_started_at(void)
{
    size_t  i;
    vres_t  r;
    char    text[256];

    static const struct {
        const char  *value;
        const char  *fields;
        double       expect;
        const char  *name;
    } cases[] = {
        { "\"2026-11-27T09:15:00Z\"", "", NOW - 2700, "UTC" },
        { "\"2026-11-27T11:15:00+02:00\"", "", NOW - 2700, "+02:00 offset" },
        { "\"2026-11-27T04:15:00-05:00\"", "", NOW - 2700, "-05:00 offset" },
        { "\"2026-11-27T14:45:00+05:30\"", "", NOW - 2700, "+05:30 offset" },
        { "\"2026-11-27T09:15:00.123456Z\"", "", NOW - 2700,
          "fraction dropped" },
        { "\"2026-11-27T09:15:00.9+00:00\"", "", NOW - 2700,
          "fraction and offset" },
        { "\"2026-11-27t09:15:00z\"", "", NOW - 2700, "lower-case t and z" },
        { "\"2026-11-27T10:00:30Z\"", "", NOW + 30,
          "30 s ahead is clock skew, accepted" },
        { "\"2026-11-27T11:00:00Z\"", "startedAt", 0,
          "an hour ahead is in the future" },
        { "\"2027-01-01T00:00:00Z\"", "startedAt", 0, "next year" },
        { "\"2026-02-30T10:00:00Z\"", "startedAt", 0, "February 30th" },
        { "\"2025-02-29T10:00:00Z\"", "startedAt", 0,
          "February 29th of a common year" },
        { "\"2026-04-31T10:00:00Z\"", "startedAt", 0, "April 31st" },
        { "\"2026-13-01T10:00:00Z\"", "startedAt", 0, "month 13" },
        { "\"2026-00-10T10:00:00Z\"", "startedAt", 0, "month 0" },
        { "\"2026-11-00T10:00:00Z\"", "startedAt", 0, "day 0" },
        { "\"2026-11-27T24:00:00Z\"", "startedAt", 0, "hour 24" },
        { "\"2026-11-27T10:60:00Z\"", "startedAt", 0, "minute 60" },
        { "\"2026-11-27T10:00:00\"", "startedAt", 0, "no offset" },
        { "\"2026-11-27T10:00:00+0200\"", "startedAt", 0,
          "offset without a colon" },
        { "\"2026-11-27T10:00:00.Z\"", "startedAt", 0, "empty fraction" },
        { "\"2026-11-27T10:00:00Zjunk\"", "startedAt", 0, "trailing text" },
        { "\"2026-11-27\"", "startedAt", 0, "a date alone" },
        { "\"27/11/2026 10:00\"", "startedAt", 0, "another format" },
        { "\"\"", "startedAt", 0, "the empty string" },
        { "1795770900", "startedAt", 0, "a number" },
        { "null", "startedAt", 0, "null" },
    };

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text),
                 "{\"title\": \"x\", \"status\": \"identified\","
                 " \"impact\": \"minor\", \"startedAt\": %s}",
                 cases[i].value);

        validate(V_INCIDENT_CREATE, text, &r);
        is_str(r.fields, cases[i].fields, "startedAt %s (%s)",
               cases[i].value, cases[i].name);

        if (cases[i].fields[0] == '\0') {
            is_int((long long) out_num(&r, "startedAt"),
                   (long long) cases[i].expect,
                   "startedAt %s is stored as seconds", cases[i].value);
        }

        vres_free(&r);
    }

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"startedAt\": \"2026-11-27T11:00:00Z\"}",
             &r);
    is_str(err_msg(&r, "startedAt"), "must not be in the future",
           "a future startedAt says so");
    vres_free(&r);

    validate(V_INCIDENT_CREATE,
             "{\"title\": \"x\", \"status\": \"identified\","
             " \"impact\": \"minor\", \"startedAt\": \"2026-02-30T10:00:00Z\"}",
             &r);
    ok(err_msg(&r, "startedAt") != NULL
       && strstr(err_msg(&r, "startedAt"), "RFC 3339") != NULL,
       "an invalid startedAt names RFC 3339");
    vres_free(&r);
}


/* PATCH /incidents/N */

static void
test_incident_patch(void)
{
    vres_t  r;

    validate(V_INCIDENT_PATCH, "{}", &r);
    is_str(r.fields, "", "an empty patch is valid: nothing is required");
    is_int(cJSON_GetArraySize(r.out), 0, "and changes nothing");
    vres_free(&r);

    validate(V_INCIDENT_PATCH, "{\"status\": \"resolved\"}", &r);
    is_str(r.fields, "status", "status cannot be patched");
    ok(err_msg(&r, "status") != NULL
       && strstr(err_msg(&r, "status"), "update") != NULL,
       "the message points to posting an update");
    ok(cJSON_GetObjectItem(r.out, "status") == NULL,
       "status is not normalized");
    vres_free(&r);

    validate(V_INCIDENT_PATCH, "{\"title\": \"  Renamed  \"}", &r);
    is_str(r.fields, "", "a title patch is valid");
    is_str(out_str(&r, "title"), "Renamed", "and trimmed");
    is_int(cJSON_GetArraySize(r.out), 1, "only the title is in the patch");
    vres_free(&r);

    validate(V_INCIDENT_PATCH, "{\"title\": \" \"}", &r);
    is_str(r.fields, "title", "a blank title cannot be patched in");
    vres_free(&r);

    validate(V_INCIDENT_PATCH, "{\"title\": null}", &r);
    is_str(r.fields, "title", "a null title cannot be patched in");
    vres_free(&r);

    validate(V_INCIDENT_PATCH,
             "{\"impact\": \"critical\", \"componentIds\": [4, 4, 5],"
             " \"startedAt\": \"2026-11-27T09:00:00Z\"}", &r);
    is_str(r.fields, "", "impact, componentIds and startedAt patch");
    is_str(out_str(&r, "impact"), "critical", "patch: impact");
    is_str(out_ids(&r, "componentIds"), "4,5", "patch: ids collapsed");
    is_int((long long) out_num(&r, "startedAt"), NOW - 3600,
           "patch: startedAt");
    vres_free(&r);

    validate(V_INCIDENT_PATCH, "{\"componentIds\": []}", &r);
    is_str(out_ids(&r, "componentIds"), "",
           "patch: an empty list unlinks every component");
    vres_free(&r);

    validate(V_INCIDENT_PATCH,
             "{\"status\": \"identified\", \"impact\": \"huge\","
             " \"title\": \"\", \"componentIds\": [0],"
             " \"startedAt\": \"2030-01-01T00:00:00Z\"}", &r);
    is_str(r.fields, "status,title,impact,componentIds,startedAt",
           "patch: one error per bad field");
    vres_free(&r);

    validate(V_INCIDENT_PATCH, "{\"message\": \"ignored\"}", &r);
    is_str(r.fields, "", "patch: message is not an incident field");
    ok(cJSON_GetObjectItem(r.out, "message") == NULL,
       "patch: message is ignored");
    vres_free(&r);
}


/* POST and PATCH /incidents/N/updates */

static void
test_updates(void)
{
    vres_t  r;

    validate(V_UPDATE_CREATE, "{}", &r);
    is_str(r.fields, "status,message", "update: status and message required");
    vres_free(&r);

    validate(V_UPDATE_CREATE,
             "{\"status\": \"identified\", \"message\": \"  Found it.  \","
             " \"componentIds\": [2, 1, 2], \"notify\": false}", &r);
    is_str(r.fields, "", "update: a full body is valid");
    is_str(out_str(&r, "status"), "identified", "update: status");
    is_str(out_str(&r, "message"), "Found it.", "update: message trimmed");
    is_str(out_ids(&r, "componentIds"), "2,1", "update: ids collapsed");
    ok(cJSON_IsFalse(cJSON_GetObjectItem(r.out, "notify")),
       "update: notify false");
    vres_free(&r);

    validate(V_UPDATE_CREATE,
             "{\"status\": \"resolved\", \"message\": \"\"}", &r);
    is_str(r.fields, "message", "update: an empty message is an error");
    is_str(err_msg(&r, "message"), "must not be empty",
           "update: must not be empty");
    vres_free(&r);

    validate(V_UPDATE_CREATE,
             "{\"status\": \"fixed\", \"message\": \"x\"}", &r);
    is_str(r.fields, "status", "update: an unknown status is an error");
    vres_free(&r);

    validate(V_UPDATE_CREATE,
             "{\"status\": \"monitoring\", \"message\": \"x\","
             " \"componentIds\": [-3], \"notify\": null}", &r);
    is_str(r.fields, "componentIds,notify", "update: bad ids and notify");
    vres_free(&r);

    validate(V_UPDATE_PATCH, "{}", &r);
    is_str(r.fields, "message", "update patch: message is required");
    vres_free(&r);

    validate(V_UPDATE_PATCH, "{\"message\": \" Fixed typo \","
             " \"status\": \"resolved\"}", &r);
    is_str(r.fields, "", "update patch: a message is valid");
    is_str(out_str(&r, "message"), "Fixed typo", "update patch: trimmed");
    ok(cJSON_GetObjectItem(r.out, "status") == NULL,
       "update patch: only the message is taken");
    vres_free(&r);

    validate(V_UPDATE_PATCH, "{\"message\": 3}", &r);
    is_str(r.fields, "message", "update patch: a number is not a message");
    vres_free(&r);
}


/* components and settings */

static void
test_components(void)
{
    char    *s, text[400];
    vres_t   r;

    validate(V_COMPONENT_CREATE, "{}", &r);
    is_str(r.fields, "name", "component: name is required");
    vres_free(&r);

    validate(V_COMPONENT_CREATE, "{\"name\": \"  \"}", &r);
    is_str(r.fields, "name", "component: a blank name is an error");
    vres_free(&r);

    validate(V_COMPONENT_CREATE,
             "{\"name\": \" API \", \"description\": \" Public API \","
             " \"groupId\": 3, \"position\": 2, \"baseStatus\": "
             "\"under_maintenance\"}", &r);
    is_str(r.fields, "", "component: a full body is valid");
    is_str(out_str(&r, "name"), "API", "component: name trimmed");
    is_str(out_str(&r, "description"), "Public API",
           "component: description trimmed");
    is_int((long long) out_num(&r, "groupId"), 3, "component: groupId");
    is_int((long long) out_num(&r, "position"), 2, "component: position");
    is_str(out_str(&r, "baseStatus"), "under_maintenance",
           "component: baseStatus");
    vres_free(&r);

    validate(V_COMPONENT_CREATE, "{\"name\": \"API\", \"groupId\": null}",
             &r);
    is_str(r.fields, "", "component: groupId null is valid");
    ok(cJSON_IsNull(cJSON_GetObjectItem(r.out, "groupId")),
       "component: groupId null is kept as null (ungroup)");
    vres_free(&r);

    validate(V_COMPONENT_CREATE,
             "{\"name\": \"API\", \"groupId\": 0, \"position\": -1,"
             " \"baseStatus\": \"down\"}", &r);
    is_str(r.fields, "baseStatus,groupId,position",
           "component: one error per bad field");
    is_str(err_msg(&r, "baseStatus"),
           "must be one of operational, under_maintenance, "
           "degraded_performance, partial_outage, major_outage",
           "component: the baseStatus message lists the statuses");
    vres_free(&r);

    validate(V_COMPONENT_CREATE,
             "{\"name\": \"API\", \"groupId\": \"3\", \"position\": 1.5}",
             &r);
    is_str(r.fields, "groupId,position",
           "component: string groupId and fractional position");
    vres_free(&r);

    validate(V_COMPONENT_CREATE,
             "{\"name\": \"API\", \"position\": 1000001}", &r);
    is_str(r.fields, "position", "component: position over 1000000");
    vres_free(&r);

    validate(V_COMPONENT_CREATE, "{\"name\": \"API\", \"position\": 0}",
             &r);
    is_str(r.fields, "", "component: position 0 is valid");
    vres_free(&r);

    s = repeat("\xc3\xa9", INC_NAME_MAX);
    snprintf(text, sizeof(text), "{\"name\": \"%s\"}", s);
    free(s);
    validate(V_COMPONENT_CREATE, text, &r);
    is_str(r.fields, "", "component: %d characters of name are valid",
           INC_NAME_MAX);
    vres_free(&r);

    s = repeat("x", INC_NAME_MAX + 1);
    snprintf(text, sizeof(text), "{\"name\": \"%s\"}", s);
    free(s);
    validate(V_COMPONENT_CREATE, text, &r);
    is_str(r.fields, "name", "component: %d characters are too many",
           INC_NAME_MAX + 1);
    vres_free(&r);

    validate(V_COMPONENT_PATCH, "{}", &r);
    is_str(r.fields, "", "component patch: nothing is required");
    is_int(cJSON_GetArraySize(r.out), 0, "component patch: nothing set");
    vres_free(&r);

    validate(V_COMPONENT_PATCH, "{\"name\": \"\"}", &r);
    is_str(r.fields, "name", "component patch: a blank name is an error");
    vres_free(&r);

    validate(V_COMPONENT_PATCH, "{\"baseStatus\": \"major_outage\"}", &r);
    is_str(r.fields, "", "component patch: baseStatus alone");
    is_str(out_str(&r, "baseStatus"), "major_outage",
           "component patch: baseStatus kept");
    ok(cJSON_GetObjectItem(r.out, "name") == NULL,
       "component patch: name stays absent");
    vres_free(&r);
}


static void
test_settings(void)
{
    vres_t  r;

    validate(V_SETTINGS, "{}", &r);
    is_str(r.fields, "", "settings: an empty patch is valid");
    vres_free(&r);

    validate(V_SETTINGS, "{\"pageTitle\": \" Acme Status \","
             " \"incidentPosition\": \"below_components\"}", &r);
    is_str(r.fields, "", "settings: title and position");
    is_str(out_str(&r, "pageTitle"), "Acme Status", "settings: title trimmed");
    is_str(out_str(&r, "incidentPosition"), "below_components",
           "settings: position");
    vres_free(&r);

    validate(V_SETTINGS, "{\"pageTitle\": \"\","
             " \"incidentPosition\": \"bottom\"}", &r);
    is_str(r.fields, "pageTitle,incidentPosition",
           "settings: blank title and unknown position");
    is_str(err_msg(&r, "incidentPosition"),
           "must be one of top, below_status, below_components",
           "settings: the position message lists the positions");
    vres_free(&r);
}


/* status rules */

static inc_component_state_t
comp(uint64_t id, uint64_t group, int base, int linked)
{
    inc_component_state_t  c;

    memset(&c, 0, sizeof(c));
    c.id = id;
    c.group_id = group;
    c.base_status = base;
    c.linked = linked;
    c.status = -1;
    c.is_group = -1;

    return c;
}


static void
test_effective(void)
{
    inc_component_state_t  c[6];

    c[0] = comp(1, 0, INC_COMP_OPERATIONAL, 0);
    c[1] = comp(2, 0, INC_COMP_OPERATIONAL, 1);
    inc_effective_statuses(c, 2);
    is_int(c[0].status, INC_COMP_OPERATIONAL,
           "an unlinked operational component stays operational");
    is_int(c[1].status, INC_COMP_PARTIAL_OUTAGE,
           "a linked component shows partial_outage");
    is_int(c[0].is_group + c[1].is_group, 0, "neither is a group");

    c[0] = comp(1, 0, INC_COMP_MAJOR_OUTAGE, 1);
    c[1] = comp(2, 0, INC_COMP_UNDER_MAINTENANCE, 1);
    c[2] = comp(3, 0, INC_COMP_DEGRADED_PERFORMANCE, 1);
    c[3] = comp(4, 0, INC_COMP_DEGRADED_PERFORMANCE, 0);
    c[4] = comp(5, 0, INC_COMP_UNDER_MAINTENANCE, 0);
    inc_effective_statuses(c, 5);
    is_int(c[0].status, INC_COMP_MAJOR_OUTAGE,
           "base major_outage beats the incident's partial_outage");
    is_int(c[1].status, INC_COMP_PARTIAL_OUTAGE,
           "linked under_maintenance shows partial_outage");
    is_int(c[2].status, INC_COMP_PARTIAL_OUTAGE,
           "linked degraded_performance shows partial_outage");
    is_int(c[3].status, INC_COMP_DEGRADED_PERFORMANCE,
           "unlinked: the base status shows");
    is_int(c[4].status, INC_COMP_UNDER_MAINTENANCE,
           "unlinked under_maintenance shows under_maintenance");

    /* group 10 with a linked member and an operational one */
    c[0] = comp(10, 0, INC_COMP_OPERATIONAL, 0);
    c[1] = comp(1, 10, INC_COMP_OPERATIONAL, 1);
    c[2] = comp(2, 10, INC_COMP_OPERATIONAL, 0);
    c[3] = comp(20, 0, INC_COMP_OPERATIONAL, 0);
    c[4] = comp(3, 20, INC_COMP_OPERATIONAL, 0);
    c[5] = comp(4, 0, INC_COMP_OPERATIONAL, 0);
    inc_effective_statuses(c, 6);
    is_int(c[0].status, INC_COMP_PARTIAL_OUTAGE,
           "the parent group of a linked member shows partial_outage");
    ok(c[0].is_group == 1, "a component with members is a group");
    is_int(c[1].status, INC_COMP_PARTIAL_OUTAGE, "the linked member too");
    is_int(c[2].status, INC_COMP_OPERATIONAL,
           "its sibling stays operational");
    is_int(c[1].is_group, 0, "a member is not a group");
    is_int(c[3].status, INC_COMP_OPERATIONAL,
           "a group whose members are fine stays operational");
    ok(c[3].is_group == 1, "and is a group");
    is_int(c[5].is_group, 0, "a lone component is not a group");

    /* members listed before their group */
    c[0] = comp(1, 9, INC_COMP_DEGRADED_PERFORMANCE, 0);
    c[1] = comp(2, 9, INC_COMP_UNDER_MAINTENANCE, 0);
    c[2] = comp(9, 0, INC_COMP_OPERATIONAL, 0);
    inc_effective_statuses(c, 3);
    is_int(c[2].status, INC_COMP_DEGRADED_PERFORMANCE,
           "a group shows the worst member (degraded > maintenance)");
    ok(c[2].is_group == 1, "members before the group: still a group");

    c[0] = comp(1, 9, INC_COMP_UNDER_MAINTENANCE, 0);
    c[1] = comp(2, 9, INC_COMP_OPERATIONAL, 0);
    c[2] = comp(9, 0, INC_COMP_OPERATIONAL, 0);
    inc_effective_statuses(c, 3);
    is_int(c[2].status, INC_COMP_UNDER_MAINTENANCE,
           "under_maintenance beats operational in a group");

    c[0] = comp(9, 0, INC_COMP_MAJOR_OUTAGE, 0);
    c[1] = comp(1, 9, INC_COMP_OPERATIONAL, 1);
    c[2] = comp(2, 9, INC_COMP_DEGRADED_PERFORMANCE, 0);
    inc_effective_statuses(c, 3);
    is_int(c[0].status, INC_COMP_MAJOR_OUTAGE,
           "a group's own major_outage beats its members");
    is_int(c[1].status, INC_COMP_PARTIAL_OUTAGE,
           "a member does not inherit its group's status");
    is_int(c[2].status, INC_COMP_DEGRADED_PERFORMANCE,
           "nor does its sibling");

    c[0] = comp(9, 0, INC_COMP_OPERATIONAL, 0);
    c[1] = comp(1, 9, INC_COMP_MAJOR_OUTAGE, 0);
    c[2] = comp(2, 9, INC_COMP_OPERATIONAL, 1);
    inc_effective_statuses(c, 3);
    is_int(c[0].status, INC_COMP_MAJOR_OUTAGE,
           "a member's major_outage reaches its group");

    c[0] = comp(1, 77, INC_COMP_OPERATIONAL, 1);
    c[1] = comp(2, 0, INC_COMP_OPERATIONAL, 0);
    inc_effective_statuses(c, 2);
    is_int(c[0].status, INC_COMP_PARTIAL_OUTAGE,
           "a member of a missing group keeps its own status");
    is_int(c[1].status, INC_COMP_OPERATIONAL,
           "and nobody else is touched");
    is_int(c[1].is_group, 0, "nor made a group");

    /* the effective status is recomputed, not accumulated */
    c[0] = comp(10, 0, INC_COMP_OPERATIONAL, 0);
    c[1] = comp(1, 10, INC_COMP_OPERATIONAL, 1);
    inc_effective_statuses(c, 2);
    c[1].linked = 0;
    inc_effective_statuses(c, 2);
    is_int(c[0].status, INC_COMP_OPERATIONAL,
           "once unlinked, the group goes back to its base status");
    is_int(c[1].status, INC_COMP_OPERATIONAL,
           "and so does the member");

    inc_effective_statuses(c, 0);
    ok(1, "no components: nothing to do");
}


static void
test_overall(void)
{
    int                    impacts[3];
    inc_component_state_t  c[3];

    is_int(inc_overall_status(NULL, 0, NULL, 0), INC_COMP_OPERATIONAL,
           "nothing at all: operational");

    impacts[0] = INC_IMPACT_CRITICAL;
    is_int(inc_overall_status(NULL, 0, impacts, 1), INC_COMP_MAJOR_OUTAGE,
           "no components, critical incident: major_outage");
    impacts[0] = INC_IMPACT_MAJOR;
    is_int(inc_overall_status(NULL, 0, impacts, 1), INC_COMP_PARTIAL_OUTAGE,
           "no components, major incident: partial_outage");
    impacts[0] = INC_IMPACT_MINOR;
    is_int(inc_overall_status(NULL, 0, impacts, 1),
           INC_COMP_DEGRADED_PERFORMANCE,
           "no components, minor incident: degraded_performance");
    impacts[0] = INC_IMPACT_NONE;
    is_int(inc_overall_status(NULL, 0, impacts, 1), INC_COMP_OPERATIONAL,
           "no components, none incident: operational");

    impacts[0] = INC_IMPACT_MINOR;
    impacts[1] = INC_IMPACT_CRITICAL;
    impacts[2] = INC_IMPACT_NONE;
    is_int(inc_overall_status(NULL, 0, impacts, 3), INC_COMP_MAJOR_OUTAGE,
           "several incidents: the worst impact counts");

    c[0] = comp(1, 0, INC_COMP_OPERATIONAL, 0);
    c[1] = comp(2, 0, INC_COMP_DEGRADED_PERFORMANCE, 0);
    c[2] = comp(3, 0, INC_COMP_UNDER_MAINTENANCE, 0);
    inc_effective_statuses(c, 3);
    is_int(inc_overall_status(c, 3, NULL, 0), INC_COMP_DEGRADED_PERFORMANCE,
           "the worst component counts (degraded > maintenance)");

    c[1] = comp(2, 0, INC_COMP_OPERATIONAL, 0);
    inc_effective_statuses(c, 3);
    is_int(inc_overall_status(c, 3, NULL, 0), INC_COMP_UNDER_MAINTENANCE,
           "maintenance alone: under_maintenance");

    c[0] = comp(1, 0, INC_COMP_OPERATIONAL, 1);
    inc_effective_statuses(c, 3);
    is_int(inc_overall_status(c, 3, NULL, 0), INC_COMP_PARTIAL_OUTAGE,
           "a linked component: partial_outage");

    impacts[0] = INC_IMPACT_CRITICAL;
    is_int(inc_overall_status(c, 3, impacts, 1), INC_COMP_MAJOR_OUTAGE,
           "an incident naming no component adds its impact");

    c[2] = comp(3, 0, INC_COMP_MAJOR_OUTAGE, 0);
    inc_effective_statuses(c, 3);
    impacts[0] = INC_IMPACT_MINOR;
    is_int(inc_overall_status(c, 3, impacts, 1), INC_COMP_MAJOR_OUTAGE,
           "a major_outage component beats a minor incident");

    is_str(inc_overall_descriptions[inc_overall_status(NULL, 0, NULL, 0)],
           "All Systems Operational", "the description of a quiet page");
}


/* times */

static int
parse(const char *s, time_t *t)
{
    *t = (time_t) -42;
    return inc_time_parse(s, t);
}


/*
 * inc_time_parse() on a heap copy of exactly strlen + 1 bytes, in a child,
 * so that an over-read is reported by AddressSanitizer without killing the
 * rest of this test.  True when it returned "expect" and did not crash.
 */
static int
parse_exact_in_child(const char *s, int expect)
{
    int     status, rc;
    char   *copy;
    pid_t   pid;
    time_t  t;

    fflush(stdout);
    fflush(stderr);

    pid = fork();

    if (pid == 0) {
        copy = strdup(s);
        rc = inc_time_parse(copy, &t);
        free(copy);
        _exit(rc == expect ? 0 : 3);
    }

    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return 0;
    }

    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}


static void
test_times(void)
{
    size_t  i;
    char    buf[INC_RFC3339_LEN + 1];
    time_t  t;

    static const time_t  round_trips[] = {
        0, 1, 59, 86399, 86400, 946684800, 951782400, 1709251199,
        1795773600, 2147483647, 2147483648LL, 4102444800LL
    };

    static const char  *bad[] = {
        "2023-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
        "1969-12-31T23:59:59Z", "2026-11-27T10:00:61Z",
        "2026-11-27T10:00:00+24:00", "2026-11-27T10:00:00+02:60",
        "2026-11-27T10:00:00+2:00", "2026-11-27T10:00:00 Z",
        "2026-11-27T1:00:00Z", "2026-1-27T10:00:00Z", "20261127T100000Z",
        "2026-11-27T10:00:00.5", "2026-11-27X10:00:00Z",
        "abcd-ef-ghTij:kl:mnZ", "", "Z"
    };

    ok(parse("2026-11-27T10:00:00Z", &t) == 0 && t == NOW,
       "parse the API example time");
    ok(parse("2024-02-29T23:59:59Z", &t) == 0 && t == 1709251199,
       "leap day of 2024");
    ok(parse("2000-02-29T00:00:00Z", &t) == 0 && t == 951782400,
       "leap day of 2000 (divisible by 400)");
    ok(parse("1970-01-01T00:00:00Z", &t) == 0 && t == 0, "the epoch");
    ok(parse("2026-11-27T10:00:00.999999999Z", &t) == 0 && t == NOW,
       "fractions are dropped, not rounded");
    ok(parse("2026-11-27T12:00:00+02:00", &t) == 0 && t == NOW,
       "a positive offset is subtracted");
    ok(parse("2026-11-27T00:00:00-10:00", &t) == 0 && t == NOW,
       "a negative offset is added, across midnight");
    ok(parse("2026-11-28T09:59:00+23:59", &t) == 0 && t == NOW,
       "the largest offset");
    ok(parse("2026-11-27T10:00:00-00:00", &t) == 0 && t == NOW,
       "-00:00 is UTC");
    ok(parse("2026-12-31T23:59:60Z", &t) == 0 && t == 1798761599,
       "a leap second is accepted as :59");

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ok(parse(bad[i], &t) != 0, "refused: \"%s\"", bad[i]);
    }

    ok(parse_exact_in_child("2026-11-27T10:00:00+", -1),
       "a lone '+' after the time is refused without reading past the "
       "string");
    ok(parse_exact_in_child("2026-11-27T10:00:00-0", -1),
       "a truncated offset is refused without reading past the string");
    ok(parse_exact_in_child("2026-11-27T10:00:00.", -1),
       "a trailing '.' is refused without reading past the string");
    ok(parse_exact_in_child("2026-11-27T10:00:00+02:00", 0),
       "a full offset on an exact-size buffer parses");

    inc_time_format(NOW, buf);
    is_str(buf, "2026-11-27T10:00:00Z", "format the API example time");
    inc_time_format(0, buf);
    is_str(buf, "1970-01-01T00:00:00Z", "format the epoch");
    inc_time_format(1709251199, buf);
    is_str(buf, "2024-02-29T23:59:59Z", "format a leap day");
    is_int(strlen(buf), INC_RFC3339_LEN, "formatted times are %d characters",
           INC_RFC3339_LEN);

    for (i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
        inc_time_format(round_trips[i], buf);
        ok(parse(buf, &t) == 0 && t == round_trips[i],
           "round trip %lld -> %s -> same", (long long) round_trips[i], buf);
    }
}


/* UTF-8 */

/* inc_utf8_valid() on an exact-size heap copy, so ASan sees over-reads */
static int
utf8(const char *bytes, size_t len)
{
    int             rc;
    unsigned char  *copy;

    copy = malloc(len ? len : 1);
    memcpy(copy, bytes, len);
    rc = inc_utf8_valid(copy, len);
    free(copy);

    return rc;
}


static void
test_utf8(void)
{
    size_t  i;

    static const struct {
        const char  *bytes;
        size_t       len;
        const char  *name;
    } good[] = {
        { "", 0, "the empty string" },
        { "plain ASCII", 11, "ASCII" },
        { "a\0b", 3, "an embedded NUL byte" },
        { "\x7f", 1, "U+007F" },
        { "\xc2\x80", 2, "U+0080, the smallest two-byte form" },
        { "\xc3\xa9t\xc3\xa9", 5, "U+00E9 twice" },
        { "\xdf\xbf", 2, "U+07FF" },
        { "\xe0\xa0\x80", 3, "U+0800, the smallest three-byte form" },
        { "\xe2\x82\xac", 3, "U+20AC euro sign" },
        { "\xed\x9f\xbf", 3, "U+D7FF, just below the surrogates" },
        { "\xee\x80\x80", 3, "U+E000, just above the surrogates" },
        { "\xef\xbf\xbf", 3, "U+FFFF" },
        { "\xf0\x90\x80\x80", 4, "U+10000, the smallest four-byte form" },
        { "\xf0\x9f\x94\xa5", 4, "U+1F525" },
        { "\xf4\x8f\xbf\xbf", 4, "U+10FFFF, the largest code point" },
        { "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5z", 11, "mixed widths" },
    };

    static const struct {
        const char  *bytes;
        size_t       len;
        const char  *name;
    } bad[] = {
        { "\x80", 1, "a lone continuation byte" },
        { "a\xbf" "b", 3, "a continuation byte between ASCII" },
        { "\xc0\x80", 2, "overlong NUL (C0 80)" },
        { "\xc1\xbf", 2, "overlong U+007F (C1 BF)" },
        { "\xe0\x80\x80", 3, "overlong three-byte NUL" },
        { "\xe0\x9f\xbf", 3, "overlong U+07FF in three bytes" },
        { "\xf0\x80\x80\x80", 4, "overlong four-byte NUL" },
        { "\xf0\x8f\xbf\xbf", 4, "overlong U+FFFF in four bytes" },
        { "\xed\xa0\x80", 3, "surrogate U+D800" },
        { "\xed\xbf\xbf", 3, "surrogate U+DFFF" },
        { "\xed\xa0\xbd\xed\xb2\xa9", 6, "a CESU-8 surrogate pair" },
        { "\xf4\x90\x80\x80", 4, "U+110000, past the last code point" },
        { "\xf5\x80\x80\x80", 4, "lead byte F5" },
        { "\xf7\xbf\xbf\xbf", 4, "lead byte F7" },
        { "\xf8\x88\x80\x80\x80", 5, "a five-byte form" },
        { "\xfc\x84\x80\x80\x80\x80", 6, "a six-byte form" },
        { "\xfe", 1, "byte FE" },
        { "\xff", 1, "byte FF" },
        { "\xc3", 1, "a two-byte form cut after its lead" },
        { "ab\xe2\x82", 4, "a three-byte form cut short at the end" },
        { "\xf0\x9f\x94", 3, "a four-byte form cut short" },
        { "\xc3\x28", 2, "a lead byte followed by ASCII" },
        { "\xe2\x28\xa1", 3, "a bad second byte of three" },
        { "\xe2\x82\x28", 3, "a bad third byte of three" },
        { "\xf0\x9f\x94\x28", 4, "a bad fourth byte of four" },
    };

    for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        is_int(utf8(good[i].bytes, good[i].len), 1, "valid UTF-8: %s",
               good[i].name);
    }

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        is_int(utf8(bad[i].bytes, bad[i].len), 0, "invalid UTF-8: %s",
               bad[i].name);
    }

    is_int(utf8("\xc3\xa9", 1), 0,
           "the length is honoured: half of a two-byte character");

    is_int(inc_utf8_length(""), 0, "length of \"\"");
    is_int(inc_utf8_length("abc"), 3, "length of ASCII");
    is_int(inc_utf8_length("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5"), 4,
           "length counts characters, not bytes");
}


int
main(void)
{
    test_enums();
    test_error_add();
    test_incident_create();
    test_component_ids();
    test_notify();
    test_started_at();
    test_incident_patch();
    test_updates();
    test_components();
    test_settings();
    test_effective();
    test_overall();
    test_times();
    test_utf8();

    return done_testing();
}
