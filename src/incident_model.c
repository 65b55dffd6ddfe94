/*
 * Incident domain model: enumerations, validation, status rules, times.
 */

#define _GNU_SOURCE     /* timegm() */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident_model.h"
#include "incident_mail.h"
#include "incident_webhook.h"


/* a client may claim "now" a little ahead of our clock */
#define INC_CLOCK_SKEW  60

#define INC_ZONEINFO  "/usr/share/zoneinfo"

/* 2000-01-01T00:00:00Z: no status page predates it */
#define INC_TIME_MIN  946684800

/* the largest integer a JSON number carries exactly */
#define INC_MAX_SAFE_ID  9007199254740991.0


const inc_enum_t  inc_incident_statuses[INC_STATUS_COUNT] = {
    { "investigating", "Investigating", "Issue is being looked into" },
    { "identified", "Identified", "Root cause has been found" },
    { "monitoring", "Monitoring", "Fix deployed, watching for issues" },
    { "resolved", "Resolved", "Issue is completely fixed" },
};

const inc_enum_t  inc_maintenance_statuses[INC_MAINT_COUNT] = {
    { "scheduled", "Scheduled", "Planned, not started yet" },
    { "in_progress", "In Progress", "The work is being done" },
    { "verifying", "Verifying", "Done, being checked" },
    { "completed", "Completed", "Finished" },
};

const inc_enum_t  inc_impacts[INC_IMPACT_COUNT] = {
    { "critical", "Critical", "Complete service outage" },
    { "major", "Major", "Some features unavailable" },
    { "minor", "Minor", "Performance issues" },
    { "none", "Minimal", "Minimal impact" },
};

const inc_enum_t  inc_component_statuses[INC_COMP_COUNT] = {
    { "operational", "Operational", NULL },
    { "under_maintenance", "Under Maintenance", NULL },
    { "degraded_performance", "Degraded Performance", NULL },
    { "partial_outage", "Partial Outage", NULL },
    { "major_outage", "Major Outage", NULL },
};

const inc_enum_t  inc_subscriber_types[INC_SUBSCRIBER_COUNT] = {
    { "email", "Email", "mail to a confirmed address" },
    { "webhook", "Webhook", "signed JSON POSTs (Standard Webhooks)" },
    { "slack", "Slack", "a Slack incoming webhook" },
    { "discord", "Discord", "a Discord webhook" },
};

const inc_enum_t  inc_positions[INC_POSITION_COUNT] = {
    { "top", "Top", "Maximum visibility" },
    { "below_status", "Below Status", "Balanced visibility" },
    { "below_components", "Below Components", "Secondary focus" },
};

const char  *inc_overall_descriptions[INC_COMP_COUNT] = {
    "All Systems Operational",
    "Under Maintenance",
    "Degraded Performance",
    "Partial System Outage",
    "Major System Outage",
};


int
inc_enum_find(const inc_enum_t *e, int n, const char *value)
{
    int  i;

    if (value == NULL) {
        return -1;
    }

    for (i = 0; i < n; i++) {
        if (strcmp(e[i].value, value) == 0) {
            return i;
        }
    }

    return -1;
}


/* the label shown to people; an unknown value is shown as it is */
const char *
inc_enum_label(const inc_enum_t *e, int n, const char *value)
{
    int  i;

    i = inc_enum_find(e, n, value);

    return i < 0 ? value : e[i].label;
}


int
inc_impact_component_status(int impact)
{
    switch (impact) {
    case INC_IMPACT_CRITICAL:
        return INC_COMP_MAJOR_OUTAGE;
    case INC_IMPACT_MAJOR:
        return INC_COMP_PARTIAL_OUTAGE;
    case INC_IMPACT_MINOR:
        return INC_COMP_DEGRADED_PERFORMANCE;
    case INC_IMPACT_MAINTENANCE:
        return INC_COMP_UNDER_MAINTENANCE;
    default:
        return INC_COMP_OPERATIONAL;
    }
}


void
inc_error_add(cJSON *errors, const char *field, const char *message)
{
    cJSON  *e;

    e = cJSON_CreateObject();
    if (e == NULL) {
        return;
    }

    cJSON_AddStringToObject(e, "field", field);
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddItemToArray(errors, e);
}


/* the "must be one of a, b, c" message of an enumeration */
static void
inc_enum_error(cJSON *errors, const char *field, const inc_enum_t *e, int n)
{
    char    msg[256];
    size_t  len;
    int     i;

    len = (size_t) snprintf(msg, sizeof(msg), "must be one of ");

    for (i = 0; i < n && len < sizeof(msg); i++) {
        len += (size_t) snprintf(msg + len, sizeof(msg) - len, "%s%s",
                                 i ? ", " : "", e[i].value);
    }

    inc_error_add(errors, field, msg);
}


static int
inc_rec_str_empty(const cJSON *obj, const char *field)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(obj, field);

    return !cJSON_IsString(item) || item->valuestring[0] == '\0';
}


static int
inc_is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'
           || ch == '\v' || ch == '\f';
}


/*
 * Reads a string field, trims it and copies it to "out".  Returns 1 when
 * the field was accepted, 0 when absent, -1 on an error (already added).
 */
static int
inc_has_control(const char *s, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
        if (((unsigned char) s[i] < 0x20 && s[i] != '\t' && s[i] != '\n'
             && s[i] != '\r')
            || s[i] == 0x7f)
        {
            return 1;
        }
    }

    return 0;
}


static int
inc_take_string(const cJSON *in, const char *field, int required,
    size_t max_chars, cJSON *out, cJSON *errors)
{
    char          msg[64], *copy;
    size_t        len;
    const char   *s;
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(in, field);

    if (item == NULL || (cJSON_IsNull(item) && required)) {
        if (required) {
            inc_error_add(errors, field, "is required");
            return -1;
        }
        return 0;
    }

    if (cJSON_IsNull(item)) {
        s = "";

    } else if (!cJSON_IsString(item)) {
        inc_error_add(errors, field, "must be a string");
        return -1;

    } else {
        s = item->valuestring;
    }

    while (inc_is_space((unsigned char) *s)) {
        s++;
    }

    len = strlen(s);
    while (len && inc_is_space((unsigned char) s[len - 1])) {
        len--;
    }

    if (len == 0 && required) {
        inc_error_add(errors, field, "must not be empty");
        return -1;
    }

    /* they would break the feeds' XML and the calendar */
    if (inc_has_control(s, len)) {
        inc_error_add(errors, field, "must not contain control characters "
                      "(tab and line breaks are fine)");
        return -1;
    }

    copy = malloc(len + 1);
    if (copy == NULL) {
        inc_error_add(errors, field, "could not be stored");
        return -1;
    }

    memcpy(copy, s, len);
    copy[len] = '\0';

    if (inc_utf8_length(copy) > max_chars) {
        free(copy);
        snprintf(msg, sizeof(msg), "must be at most %zu characters",
                 max_chars);
        inc_error_add(errors, field, msg);
        return -1;
    }

    cJSON_DeleteItemFromObjectCaseSensitive(out, field);
    cJSON_AddStringToObject(out, field, copy);
    free(copy);

    return 1;
}


static int
inc_take_enum(const cJSON *in, const char *field, int required,
    const inc_enum_t *e, int n, cJSON *out, cJSON *errors)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(in, field);

    if (item == NULL) {
        if (required) {
            inc_error_add(errors, field, "is required");
            return -1;
        }
        return 0;
    }

    if (!cJSON_IsString(item)
        || inc_enum_find(e, n, item->valuestring) < 0)
    {
        inc_enum_error(errors, field, e, n);
        return -1;
    }

    cJSON_AddStringToObject(out, field, item->valuestring);

    return 1;
}


static int
inc_is_id(const cJSON *item)
{
    double  d;

    if (!cJSON_IsNumber(item)) {
        return 0;
    }

    d = item->valuedouble;

    return d >= 1 && d <= INC_MAX_SAFE_ID && floor(d) == d;
}


/* an array of positive integer ids, duplicates collapsed, order kept */
static int
inc_take_ids(const cJSON *in, const char *field, cJSON *out, cJSON *errors)
{
    int           n, dup;
    cJSON        *ids;
    const cJSON  *item, *seen, *list;

    list = cJSON_GetObjectItemCaseSensitive(in, field);

    if (list == NULL) {
        return 0;
    }

    if (cJSON_IsNull(list)) {
        list = NULL;

    } else if (!cJSON_IsArray(list)) {
        inc_error_add(errors, field, "must be an array of component ids");
        return -1;
    }

    n = cJSON_GetArraySize(list);

    if (n > INC_COMPONENT_IDS_MAX) {
        inc_error_add(errors, field, "names too many components");
        return -1;
    }

    cJSON_ArrayForEach(item, list) {
        if (!inc_is_id(item)) {
            inc_error_add(errors, field,
                          "must be an array of positive integer ids");
            return -1;
        }
    }

    ids = cJSON_AddArrayToObject(out, field);
    if (ids == NULL) {
        inc_error_add(errors, field, "could not be stored");
        return -1;
    }

    cJSON_ArrayForEach(item, list) {
        dup = 0;

        cJSON_ArrayForEach(seen, ids) {
            if (seen->valuedouble == item->valuedouble) {
                dup = 1;
                break;
            }
        }

        if (!dup) {
            cJSON_AddItemToArray(ids, cJSON_CreateNumber(item->valuedouble));
        }
    }

    return 1;
}


static int
inc_take_bool(const cJSON *in, const char *field, cJSON *out, cJSON *errors)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(in, field);

    if (item == NULL) {
        return 0;
    }

    if (!cJSON_IsBool(item)) {
        inc_error_add(errors, field, "must be true or false");
        return -1;
    }

    cJSON_AddBoolToObject(out, field, cJSON_IsTrue(item));

    return 1;
}


/* an RFC 3339 time, not in the future; stored as seconds since the epoch */
static int
inc_take_past_time(const cJSON *in, const char *field, time_t now,
    cJSON *out, cJSON *errors)
{
    time_t        t;
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(in, field);

    if (item == NULL) {
        return 0;
    }

    if (!cJSON_IsString(item) || inc_time_parse(item->valuestring, &t) != 0)
    {
        inc_error_add(errors, field,
                      "must be an RFC 3339 time such as "
                      "2026-11-27T10:00:00Z");
        return -1;
    }

    if (t > now + INC_CLOCK_SKEW) {
        inc_error_add(errors, field, "must not be in the future");
        return -1;
    }

    /* 0 stands for "not given" in the records */
    if (t < INC_TIME_MIN) {
        inc_error_add(errors, field, "must not be before 2000");
        return -1;
    }

    cJSON_AddNumberToObject(out, field, (double) t);

    return 1;
}


/*
 * When a past incident ended: only with status "resolved" on creation
 * (the service checks a patch against the stored status), not before
 * startedAt.
 */
static void
inc_take_resolved_at(const cJSON *in, time_t now, cJSON *out, cJSON *errors)
{
    const cJSON  *status, *started, *resolved;

    if (inc_take_past_time(in, "resolvedAt", now, out, errors) != 1) {
        return;
    }

    status = cJSON_GetObjectItemCaseSensitive(out, "status");
    started = cJSON_GetObjectItemCaseSensitive(out, "startedAt");
    resolved = cJSON_GetObjectItemCaseSensitive(out, "resolvedAt");

    if (status != NULL && strcmp(status->valuestring, "resolved") != 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "resolvedAt");
        inc_error_add(errors, "resolvedAt",
                      "is only for an incident created as resolved");
        return;
    }

    if (started != NULL && resolved->valuedouble < started->valuedouble) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "resolvedAt");
        inc_error_add(errors, "resolvedAt", "must not be before startedAt");
    }
}


void
inc_validate_incident_create(const cJSON *in, time_t now, cJSON *out,
    cJSON *errors)
{
    inc_take_string(in, "title", 1, INC_TITLE_MAX, out, errors);
    inc_take_enum(in, "status", 1, inc_incident_statuses, INC_STATUS_COUNT,
                  out, errors);
    inc_take_enum(in, "impact", 1, inc_impacts, INC_IMPACT_COUNT,
                  out, errors);
    inc_take_string(in, "message", 0, INC_MESSAGE_MAX, out, errors);
    inc_take_ids(in, "componentIds", out, errors);
    inc_take_bool(in, "notify", out, errors);
    inc_take_past_time(in, "startedAt", now, out, errors);
    inc_take_resolved_at(in, now, out, errors);
}


void
inc_validate_incident_patch(const cJSON *in, time_t now, cJSON *out,
    cJSON *errors)
{
    if (cJSON_GetObjectItemCaseSensitive(in, "status") != NULL) {
        inc_error_add(errors, "status",
                      "cannot be patched: post an update to change "
                      "the status");
    }

    if (cJSON_GetObjectItemCaseSensitive(in, "title") != NULL) {
        inc_take_string(in, "title", 1, INC_TITLE_MAX, out, errors);
    }

    inc_take_enum(in, "impact", 0, inc_impacts, INC_IMPACT_COUNT,
                  out, errors);
    inc_take_ids(in, "componentIds", out, errors);
    inc_take_past_time(in, "startedAt", now, out, errors);
    inc_take_resolved_at(in, now, out, errors);
}


void
inc_validate_update_create(const cJSON *in, cJSON *out, cJSON *errors)
{
    inc_take_enum(in, "status", 1, inc_incident_statuses, INC_STATUS_COUNT,
                  out, errors);
    inc_take_string(in, "message", 1, INC_MESSAGE_MAX, out, errors);
    inc_take_ids(in, "componentIds", out, errors);
    inc_take_bool(in, "notify", out, errors);
}


void
inc_validate_update_patch(const cJSON *in, cJSON *out, cJSON *errors)
{
    inc_take_string(in, "message", 1, INC_MESSAGE_MAX, out, errors);
}


void
inc_validate_component(const cJSON *in, int create, cJSON *out,
    cJSON *errors)
{
    const cJSON  *item;

    if (create || cJSON_GetObjectItemCaseSensitive(in, "name") != NULL) {
        inc_take_string(in, "name", 1, INC_NAME_MAX, out, errors);
    }

    inc_take_string(in, "description", 0, INC_DESCRIPTION_MAX, out, errors);
    inc_take_enum(in, "baseStatus", 0, inc_component_statuses,
                  INC_COMP_COUNT, out, errors);

    item = cJSON_GetObjectItemCaseSensitive(in, "groupId");

    if (item != NULL) {
        if (cJSON_IsNull(item)) {
            cJSON_AddNullToObject(out, "groupId");

        } else if (inc_is_id(item)) {
            cJSON_AddNumberToObject(out, "groupId", item->valuedouble);

        } else {
            inc_error_add(errors, "groupId",
                          "must be the id of a component or null");
        }
    }

    item = cJSON_GetObjectItemCaseSensitive(in, "position");

    if (item != NULL) {
        if (cJSON_IsNumber(item) && item->valuedouble >= 0
            && item->valuedouble <= 1000000
            && floor(item->valuedouble) == item->valuedouble)
        {
            cJSON_AddNumberToObject(out, "position", item->valuedouble);

        } else {
            inc_error_add(errors, "position",
                          "must be an integer from 0 to 1000000");
        }
    }
}


/* an absolute http(s) URL, or a path on this site */
static int
inc_is_link(const char *s)
{
    const char  *p;

    if (strncmp(s, "https://", 8) == 0) {
        p = s + 8;

    } else if (strncmp(s, "http://", 7) == 0) {
        p = s + 7;

    } else if (s[0] == '/' && s[1] != '/') {
        p = s;

    } else {
        return 0;
    }

    for ( /* void */ ; *p; p++) {
        if ((unsigned char) *p <= ' ' || *p == '"' || *p == '<'
            || *p == '>' || *p == '\\')
        {
            return 0;
        }
    }

    return 1;
}


static void
inc_take_link(const cJSON *in, const char *field, cJSON *out, cJSON *errors)
{
    const char  *s;

    if (inc_take_string(in, field, 0, 500, out, errors) != 1) {
        return;
    }

    s = cJSON_GetObjectItemCaseSensitive(out, field)->valuestring;

    if (s[0] != '\0' && !inc_is_link(s)) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, field);
        inc_error_add(errors, field,
                      "must be an http:// or https:// URL or a /path");
    }
}


static void
inc_take_color(const cJSON *in, cJSON *out, cJSON *errors)
{
    int          i;
    const char  *s;

    if (inc_take_string(in, "accentColor", 0, 7, out, errors) != 1) {
        return;
    }

    s = cJSON_GetObjectItemCaseSensitive(out, "accentColor")->valuestring;

    if (s[0] == '\0') {
        return;
    }

    for (i = 1; i < 7 && isxdigit((unsigned char) s[i]); i++) {
        /* void */
    }

    if (s[0] != '#' || i != 7 || s[7] != '\0') {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "accentColor");
        inc_error_add(errors, "accentColor",
                      "must be a colour such as #2f6feb");
    }
}


/* an IANA zone name such as Europe/Paris; "" is UTC */
static void
inc_take_timezone(const cJSON *in, cJSON *out, cJSON *errors)
{
    char         path[128];
    const char  *s, *p;

    if (inc_take_string(in, "timezone", 0, 64, out, errors) != 1) {
        return;
    }

    s = cJSON_GetObjectItemCaseSensitive(out, "timezone")->valuestring;

    for (p = s; *p; p++) {
        if (!(isalnum((unsigned char) *p) || *p == '/' || *p == '_'
              || *p == '-' || *p == '+'))
        {
            break;
        }
    }

    if (*p != '\0' || s[0] == '/' || strstr(s, "..") != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "timezone");
        inc_error_add(errors, "timezone",
                      "must be a time zone name such as Europe/Paris");
        return;
    }

    /* the page shows times in it: it must be one tzdata knows */
    snprintf(path, sizeof(path), "%s/%s", INC_ZONEINFO, s);

    if (s[0] != '\0' && access(path, R_OK) != 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "timezone");
        inc_error_add(errors, "timezone",
                      "is not a time zone this system knows");
    }
}


#define INC_FOOTER_LINKS_MAX  10


static void
inc_take_footer_links(const cJSON *in, cJSON *out, cJSON *errors)
{
    int           bad;
    cJSON        *links, *link, *item_errors;
    const cJSON  *list, *item;

    list = cJSON_GetObjectItemCaseSensitive(in, "footerLinks");

    if (list == NULL) {
        return;
    }

    if (!cJSON_IsArray(list)
        || cJSON_GetArraySize(list) > INC_FOOTER_LINKS_MAX)
    {
        inc_error_add(errors, "footerLinks",
                      "must be an array of at most 10 "
                      "{\"label\", \"url\"} objects");
        return;
    }

    links = cJSON_CreateArray();
    item_errors = cJSON_CreateArray();
    bad = links == NULL || item_errors == NULL;

    cJSON_ArrayForEach(item, list) {
        link = cJSON_CreateObject();

        if (bad || link == NULL || !cJSON_IsObject(item)) {
            cJSON_Delete(link);
            bad = 1;
            break;
        }

        inc_take_string(item, "label", 1, 60, link, item_errors);
        inc_take_link(item, "url", link, item_errors);

        cJSON_AddItemToArray(links, link);

        if (cJSON_GetArraySize(item_errors)
            || cJSON_GetObjectItem(link, "url") == NULL
            || inc_rec_str_empty(link, "url"))
        {
            bad = 1;
            break;
        }
    }

    cJSON_Delete(item_errors);

    if (bad) {
        cJSON_Delete(links);
        inc_error_add(errors, "footerLinks",
                      "each link needs a label (1 to 60 characters) and "
                      "an http(s):// URL or a /path");
        return;
    }

    cJSON_AddItemToObject(out, "footerLinks", links);
}


void
inc_validate_component_move(const cJSON *in, cJSON *out, cJSON *errors)
{
    static const inc_enum_t  directions[2] = {
        { "up", "Up", NULL }, { "down", "Down", NULL }
    };

    inc_take_enum(in, "direction", 1, directions, 2, out, errors);
}


/* a bare address, trimmed; stored as given, indexed in lower case */
static void
inc_take_email(const cJSON *in, cJSON *out, cJSON *errors)
{
    const cJSON  *email;

    if (inc_take_string(in, "email", 1, INC_EMAIL_MAX, out, errors) != 1) {
        return;
    }

    email = cJSON_GetObjectItemCaseSensitive(out, "email");

    if (!inc_email_valid(email->valuestring, strlen(email->valuestring))) {
        inc_error_add(errors, "email",
                      "must be an email address such as "
                      "name@example.com");
    }
}


void
inc_validate_subscribe(const cJSON *in, cJSON *out, cJSON *errors)
{
    inc_take_email(in, out, errors);
    inc_take_ids(in, "componentIds", out, errors);
}


void
inc_validate_subscriber(const cJSON *in, cJSON *out, cJSON *errors)
{
    int           type;
    const cJSON  *url, *t;

    t = cJSON_GetObjectItemCaseSensitive(in, "type");

    if (t == NULL) {
        cJSON_AddStringToObject(out, "type", "email");
        type = INC_SUBSCRIBER_EMAIL;

    } else if (inc_take_enum(in, "type", 1, inc_subscriber_types,
                             INC_SUBSCRIBER_COUNT, out, errors) == 1)
    {
        type = inc_enum_find(inc_subscriber_types, INC_SUBSCRIBER_COUNT,
                             t->valuestring);

    } else {
        return;
    }

    inc_take_ids(in, "componentIds", out, errors);

    if (type == INC_SUBSCRIBER_EMAIL) {
        inc_take_email(in, out, errors);
        return;
    }

    if (inc_take_string(in, "url", 1, INC_URL_MAX, out, errors) != 1) {
        return;
    }

    url = cJSON_GetObjectItemCaseSensitive(out, "url");

    if (!inc_webhook_url_valid(url->valuestring, strlen(url->valuestring)))
    {
        inc_error_add(errors, "url",
                      "must be an http:// or https:// URL without "
                      "credentials in the host part");
    }
}


/* a window's end or start: any RFC 3339 time from 2000 on */
static int
inc_take_time(const cJSON *in, const char *field, int required, cJSON *out,
    cJSON *errors)
{
    time_t        t;
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(in, field);

    if (item == NULL) {
        if (required) {
            inc_error_add(errors, field, "is required");
            return -1;
        }
        return 0;
    }

    if (!cJSON_IsString(item) || inc_time_parse(item->valuestring, &t) != 0
        || t < INC_TIME_MIN)
    {
        inc_error_add(errors, field,
                      "must be an RFC 3339 time such as "
                      "2026-11-27T22:00:00Z");
        return -1;
    }

    cJSON_AddNumberToObject(out, field, (double) t);

    return 1;
}


static void
inc_take_minutes(const cJSON *in, const char *field, cJSON *out,
    cJSON *errors)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(in, field);

    if (item == NULL) {
        return;
    }

    if (!cJSON_IsNumber(item) || item->valuedouble < 0
        || item->valuedouble > INC_REMIND_MAX
        || item->valuedouble != (double) (long) item->valuedouble)
    {
        inc_error_add(errors, field, "must be a whole number of minutes "
                      "from 0 to 10080 (0: no reminder)");
        return;
    }

    cJSON_AddNumberToObject(out, field, item->valuedouble);
}


/* scheduledUntil after scheduledFor, when the input has both */
static void
inc_check_window(cJSON *out, cJSON *errors)
{
    const cJSON  *from, *until;

    from = cJSON_GetObjectItemCaseSensitive(out, "scheduledFor");
    until = cJSON_GetObjectItemCaseSensitive(out, "scheduledUntil");

    if (from != NULL && until != NULL
        && until->valuedouble <= from->valuedouble)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(out, "scheduledUntil");
        inc_error_add(errors, "scheduledUntil", "must be after scheduledFor");
    }
}


void
inc_validate_maintenance(const cJSON *in, int create, cJSON *out,
    cJSON *errors)
{
    if (cJSON_GetObjectItemCaseSensitive(in, "status") != NULL) {
        if (create) {
            inc_take_enum(in, "status", 0, inc_maintenance_statuses,
                          INC_MAINT_COUNT, out, errors);

        } else {
            inc_error_add(errors, "status",
                          "cannot be patched: post an update to change "
                          "the status");
        }
    }

    if (create || cJSON_GetObjectItemCaseSensitive(in, "title") != NULL) {
        inc_take_string(in, "title", 1, INC_TITLE_MAX, out, errors);
    }

    if (create) {
        inc_take_string(in, "message", 0, INC_MESSAGE_MAX, out, errors);
        inc_take_bool(in, "notify", out, errors);
    }

    inc_take_ids(in, "componentIds", out, errors);
    inc_take_time(in, "scheduledFor", create, out, errors);
    inc_take_time(in, "scheduledUntil", create, out, errors);
    inc_take_bool(in, "autoStart", out, errors);
    inc_take_bool(in, "autoComplete", out, errors);
    inc_take_minutes(in, "remindBeforeMinutes", out, errors);
    inc_check_window(out, errors);
}


void
inc_validate_maintenance_update(const cJSON *in, cJSON *out, cJSON *errors)
{
    inc_take_enum(in, "status", 1, inc_maintenance_statuses, INC_MAINT_COUNT,
                  out, errors);
    inc_take_string(in, "message", 1, INC_MESSAGE_MAX, out, errors);
    inc_take_bool(in, "notify", out, errors);
}


cJSON *
inc_settings_defaults(void)
{
    cJSON  *s;

    s = cJSON_CreateObject();
    if (s == NULL) {
        return NULL;
    }

    cJSON_AddNumberToObject(s, "v", 1);
    cJSON_AddStringToObject(s, "pageTitle", "Status");
    cJSON_AddStringToObject(s, "incidentPosition", "top");
    cJSON_AddStringToObject(s, "logoUrl", "");
    cJSON_AddStringToObject(s, "accentColor", "");
    cJSON_AddStringToObject(s, "timezone", "");
    cJSON_AddArrayToObject(s, "footerLinks");

    return s;
}


void
inc_validate_settings(const cJSON *in, cJSON *out, cJSON *errors)
{
    if (cJSON_GetObjectItemCaseSensitive(in, "pageTitle") != NULL) {
        inc_take_string(in, "pageTitle", 1, INC_TITLE_MAX, out, errors);
    }

    inc_take_enum(in, "incidentPosition", 0, inc_positions,
                  INC_POSITION_COUNT, out, errors);
    inc_take_link(in, "logoUrl", out, errors);
    inc_take_color(in, out, errors);
    inc_take_timezone(in, out, errors);
    inc_take_footer_links(in, out, errors);
}


/*
 * The seed's rule: a component named by an unresolved incident shows at
 * least a partial outage; a group shows the worst of itself and its
 * members.  Groups are one level deep, so one pass over members suffices.
 */
void
inc_effective_statuses(inc_component_state_t *c, size_t n)
{
    size_t  i, j;

    for (i = 0; i < n; i++) {
        c[i].is_group = 0;
        c[i].status = c[i].base_status;

        /* an incident's outage is worse than the maintenance */
        if (c[i].maintenance && c[i].status < INC_COMP_UNDER_MAINTENANCE) {
            c[i].status = INC_COMP_UNDER_MAINTENANCE;
        }

        if (c[i].linked && c[i].status < INC_COMP_PARTIAL_OUTAGE) {
            c[i].status = INC_COMP_PARTIAL_OUTAGE;
        }
    }

    for (i = 0; i < n; i++) {
        if (c[i].group_id == 0) {
            continue;
        }

        for (j = 0; j < n; j++) {
            if (c[j].id == c[i].group_id && j != i) {
                c[j].is_group = 1;
                break;
            }
        }
    }

    for (i = 0; i < n; i++) {
        if (c[i].group_id == 0 || c[i].is_group) {
            continue;
        }

        for (j = 0; j < n; j++) {
            if (c[j].id == c[i].group_id && j != i) {
                if (c[i].status > c[j].status) {
                    c[j].status = c[i].status;
                }
                break;
            }
        }
    }
}


/*
 * The page's status: the worst effective component status, and for each
 * unresolved incident that names no existing component, its impact.
 */
int
inc_overall_status(const inc_component_state_t *c, size_t n,
    const int *unlinked_impacts, size_t nimpacts)
{
    int     worst, s;
    size_t  i;

    worst = INC_COMP_OPERATIONAL;

    for (i = 0; i < n; i++) {
        if (c[i].status > worst) {
            worst = c[i].status;
        }
    }

    for (i = 0; i < nimpacts; i++) {
        s = inc_impact_component_status(unlinked_impacts[i]);
        if (s > worst) {
            worst = s;
        }
    }

    return worst;
}


void
inc_time_format(time_t t, char buf[INC_RFC3339_LEN + 1])
{
    char       tmp[80];
    struct tm  tm;

    if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 > 9999
        || tm.tm_year + 1900 < 0)
    {
        memcpy(buf, "1970-01-01T00:00:00Z", INC_RFC3339_LEN + 1);
        return;
    }

    /* the year is checked above: the text is exactly 20 characters */
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ",
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    memcpy(buf, tmp, INC_RFC3339_LEN + 1);
}


static int
inc_digits(const char *p, int n)
{
    int  v;

    v = 0;

    while (n--) {
        if (!isdigit((unsigned char) *p)) {
            return -1;
        }
        v = v * 10 + (*p++ - '0');
    }

    return v;
}


/* RFC 3339 "date-time": fractions are accepted and dropped */
int
inc_time_parse(const char *s, time_t *t)
{
    int        year, mon, mday, hour, min, sec, oh, om, sign, mdays;
    struct tm  tm;

    static const int  days[] = { 31, 29, 31, 30, 31, 30,
                                 31, 31, 30, 31, 30, 31 };

    if (strlen(s) < 20 || s[4] != '-' || s[7] != '-'
        || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        || s[13] != ':' || s[16] != ':')
    {
        return -1;
    }

    year = inc_digits(s, 4);
    mon = inc_digits(s + 5, 2);
    mday = inc_digits(s + 8, 2);
    hour = inc_digits(s + 11, 2);
    min = inc_digits(s + 14, 2);
    sec = inc_digits(s + 17, 2);

    if (year < 1970 || mon < 1 || mon > 12 || mday < 1 || hour < 0
        || hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
    {
        return -1;
    }

    mdays = days[mon - 1];
    if (mon == 2 && !((year % 4 == 0 && year % 100 != 0)
                      || year % 400 == 0))
    {
        mdays = 28;
    }

    if (mday > mdays) {
        return -1;
    }

    s += 19;

    if (*s == '.') {
        s++;
        if (!isdigit((unsigned char) *s)) {
            return -1;
        }
        while (isdigit((unsigned char) *s)) {
            s++;
        }
    }

    oh = 0;
    om = 0;
    sign = 0;

    if (*s == 'Z' || *s == 'z') {
        s++;

    } else if ((*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':') {
        sign = (*s == '-') ? -1 : 1;
        oh = inc_digits(s + 1, 2);
        om = inc_digits(s + 4, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59) {
            return -1;
        }
        s += 6;

    } else {
        return -1;
    }

    if (*s != '\0') {
        return -1;
    }

    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = mday;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec == 60 ? 59 : sec;

    *t = timegm(&tm) - sign * (oh * 3600 + om * 60);

    return 0;
}


#define inc_plural(n)  ((n) == 1 ? "" : "s")


void
inc_duration_text(long seconds, char *buf, size_t size)
{
    long  minutes, hours, days;

    minutes = seconds > 0 ? (seconds + 30) / 60 : 0;
    days = minutes / 1440;
    hours = (minutes % 1440) / 60;
    minutes %= 60;

    if (days && hours) {
        snprintf(buf, size, "%ld day%s %ld hour%s", days, inc_plural(days),
                 hours, inc_plural(hours));

    } else if (days) {
        snprintf(buf, size, "%ld day%s", days, inc_plural(days));

    } else if (hours && minutes) {
        snprintf(buf, size, "%ld hour%s %ld minute%s", hours,
                 inc_plural(hours), minutes, inc_plural(minutes));

    } else if (hours) {
        snprintf(buf, size, "%ld hour%s", hours, inc_plural(hours));

    } else if (minutes) {
        snprintf(buf, size, "%ld minute%s", minutes, inc_plural(minutes));

    } else {
        snprintf(buf, size, "less than a minute");
    }
}


/* strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF */
int
inc_hex_digit(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}


int
inc_utf8_valid(const unsigned char *p, size_t len)
{
    size_t         i, n, k;
    uint32_t       cp, min;
    unsigned char  c;

    for (i = 0; i < len; i += n) {
        c = p[i];

        if (c < 0x80) {
            n = 1;
            continue;
        }

        if ((c & 0xe0) == 0xc0) {
            n = 2; cp = c & 0x1f; min = 0x80;

        } else if ((c & 0xf0) == 0xe0) {
            n = 3; cp = c & 0x0f; min = 0x800;

        } else if ((c & 0xf8) == 0xf0) {
            n = 4; cp = c & 0x07; min = 0x10000;

        } else {
            return 0;
        }

        if (i + n > len) {
            return 0;
        }

        for (k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


size_t
inc_utf8_length(const char *s)
{
    size_t  n;

    for (n = 0; *s; s++) {
        if (((unsigned char) *s & 0xc0) != 0x80) {
            n++;
        }
    }

    return n;
}
