/*
 * Form bodies and their API documents.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incident_model.h"
#include "incident_form.h"


/*
 * Percent-decodes p[0 .. n-1] ("+" is a space) into a new string; NULL for
 * a NUL or invalid UTF-8.  Textareas send CRLF: it becomes LF, as the API
 * stores it.
 */
static char *
inc_form_decode(const char *p, size_t n)
{
    int     hi, lo, c;
    char   *out, *o;
    size_t  i;

    out = malloc(n + 1);
    if (out == NULL) {
        return NULL;
    }

    o = out;

    for (i = 0; i < n; i++) {
        c = (unsigned char) p[i];

        if (c == '+') {
            c = ' ';

        } else if (c == '%' && i + 2 < n
                   && (hi = inc_hex_digit((unsigned char) p[i + 1])) >= 0
                   && (lo = inc_hex_digit((unsigned char) p[i + 2])) >= 0)
        {
            c = hi * 16 + lo;
            i += 2;
        }

        if (c == '\0') {
            free(out);
            return NULL;
        }

        if (c == '\n' && o > out && o[-1] == '\r') {
            o--;
        }

        *o++ = (char) c;
    }

    *o = '\0';

    if (!inc_utf8_valid((unsigned char *) out, (size_t) (o - out))) {
        free(out);
        return NULL;
    }

    return out;
}


cJSON *
inc_form_parse(const char *body, size_t len)
{
    char        *name, *value;
    cJSON       *form, *values;
    const char  *p, *last, *amp, *eq;

    form = cJSON_CreateObject();
    if (form == NULL) {
        return NULL;
    }

    p = body;
    last = body + len;

    while (p < last) {
        amp = memchr(p, '&', (size_t) (last - p));
        if (amp == NULL) {
            amp = last;
        }

        eq = memchr(p, '=', (size_t) (amp - p));
        if (eq == NULL) {
            eq = amp;
        }

        if (eq == p) {
            p = amp + 1;
            continue;
        }

        name = inc_form_decode(p, (size_t) (eq - p));
        value = eq < amp ? inc_form_decode(eq + 1, (size_t) (amp - eq - 1))
                         : inc_form_decode("", 0);

        if (name == NULL || value == NULL) {
            free(name);
            free(value);
            cJSON_Delete(form);
            return NULL;
        }

        values = cJSON_GetObjectItemCaseSensitive(form, name);
        if (values == NULL) {
            values = cJSON_AddArrayToObject(form, name);
        }

        cJSON_AddItemToArray(values, cJSON_CreateString(value));

        free(name);
        free(value);

        p = amp + 1;
    }

    return form;
}


const char *
inc_form_value(const cJSON *form, const char *name)
{
    const cJSON  *v;

    v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(form, name), 0);

    return cJSON_IsString(v) ? v->valuestring : NULL;
}


/* a plain decimal number, as a checkbox or a select sends it; else -1 */
static double
inc_form_number(const char *s)
{
    double  v;

    if (*s == '\0' || strlen(s) > 15) {
        return -1;
    }

    for (v = 0; *s; s++) {
        if (*s < '0' || *s > '9') {
            return -1;
        }

        v = v * 10 + (*s - '0');
    }

    return v;
}


static void
inc_form_string(cJSON *out, const cJSON *form, const char *name)
{
    const char  *v;

    v = inc_form_value(form, name);

    if (v != NULL) {
        cJSON_AddStringToObject(out, name, v);
    }
}


/*
 * Checkboxes say nothing when none is ticked: the form carries a marker
 * field "NAME_shown" so that "none" can be told from "not on the form".
 * A value that is not a number is passed on as a string, for the
 * validator to refuse.
 */
static void
inc_form_ids(cJSON *out, const cJSON *form, const char *name)
{
    char          marker[64];
    double        id;
    cJSON        *ids;
    const cJSON  *v;

    snprintf(marker, sizeof(marker), "%s_shown", name);

    if (inc_form_value(form, marker) == NULL
        && cJSON_GetObjectItemCaseSensitive(form, name) == NULL)
    {
        return;
    }

    ids = cJSON_AddArrayToObject(out, name);

    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(form, name)) {
        id = inc_form_number(v->valuestring);

        if (id >= 0) {
            cJSON_AddItemToArray(ids, cJSON_CreateNumber(id));

        } else {
            cJSON_AddItemToArray(ids, cJSON_CreateString(v->valuestring));
        }
    }
}


/* a checkbox with a "NAME_shown" marker: ticked or not */
static void
inc_form_bool(cJSON *out, const cJSON *form, const char *name)
{
    char  marker[64];

    snprintf(marker, sizeof(marker), "%s_shown", name);

    if (inc_form_value(form, marker) != NULL
        || inc_form_value(form, name) != NULL)
    {
        cJSON_AddBoolToObject(out, name, inc_form_value(form, name) != NULL);
    }
}


/* "" (no group) is null; anything else a number, or a string to refuse */
static void
inc_form_group(cJSON *out, const cJSON *form)
{
    double       id;
    const char  *v;

    v = inc_form_value(form, "groupId");

    if (v == NULL) {
        return;
    }

    if (v[0] == '\0') {
        cJSON_AddNullToObject(out, "groupId");
        return;
    }

    id = inc_form_number(v);

    if (id >= 0) {
        cJSON_AddNumberToObject(out, "groupId", id);

    } else {
        cJSON_AddStringToObject(out, "groupId", v);
    }
}


/* one "Label | URL" a line */
static void
inc_form_links(cJSON *out, const cJSON *form)
{
    char        *text, *line, *next, *bar, *a, *z;
    cJSON       *links, *link;
    const char  *v;

    v = inc_form_value(form, "footerLinks");

    if (v == NULL) {
        return;
    }

    text = strdup(v);
    links = cJSON_AddArrayToObject(out, "footerLinks");

    if (text == NULL || links == NULL) {
        free(text);
        return;
    }

    for (line = text; line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        }

        for (a = line; *a == ' ' || *a == '\t' || *a == '\r'; a++) {
            /* void */
        }

        if (*a == '\0') {
            continue;
        }

        link = cJSON_CreateObject();
        cJSON_AddItemToArray(links, link);

        bar = strchr(a, '|');
        if (bar == NULL) {
            cJSON_AddStringToObject(link, "label", a);
            continue;
        }

        for (z = bar; z > a && (z[-1] == ' ' || z[-1] == '\t'); z--) {
            /* void */
        }

        *z = '\0';
        cJSON_AddStringToObject(link, "label", a);
        cJSON_AddStringToObject(link, "url", bar + 1);
    }

    free(text);
}


/* 2000-01-01T00:00:00Z: the validator's first time */
#define INC_FORM_TIME_MIN  946684800


/* what "Start now" and "Complete now" post, as the timer would */


/* a number field: digits are a number; anything else, for the validator */
static void
inc_form_count(cJSON *out, const cJSON *form, const char *name)
{
    double       n;
    const char  *v;

    v = inc_form_value(form, name);

    if (v == NULL) {
        return;
    }

    n = inc_form_number(v);

    if (n >= 0) {
        cJSON_AddNumberToObject(out, name, n);

    } else {
        cJSON_AddStringToObject(out, name, v);
    }
}


static void
inc_form_maintenance(cJSON *out, const cJSON *form, int create)
{
    inc_form_string(out, form, "title");

    if (create) {
        inc_form_string(out, form, "message");
    }

    inc_form_ids(out, form, "componentIds");
    inc_form_string(out, form, "scheduledFor");
    inc_form_string(out, form, "scheduledUntil");
    inc_form_bool(out, form, "autoStart");
    inc_form_bool(out, form, "autoComplete");
    inc_form_count(out, form, "remindBeforeMinutes");

    if (create) {
        inc_form_bool(out, form, "notify");
    }
}


cJSON *
inc_form_to_json(inc_form_t kind, const cJSON *form)
{
    cJSON  *out;

    out = cJSON_CreateObject();
    if (out == NULL) {
        return NULL;
    }

    switch (kind) {

    case INC_FORM_INCIDENT_CREATE:
        inc_form_string(out, form, "title");

        /* open it first, find the cause later: the seed's best practice */
        if (inc_form_value(form, "status") == NULL) {
            cJSON_AddStringToObject(out, "status", "investigating");
        }

        inc_form_string(out, form, "status");
        inc_form_string(out, form, "impact");
        inc_form_string(out, form, "message");
        inc_form_ids(out, form, "componentIds");
        inc_form_bool(out, form, "notify");
        break;

    case INC_FORM_INCIDENT_EDIT:
        inc_form_string(out, form, "title");
        inc_form_string(out, form, "impact");
        inc_form_ids(out, form, "componentIds");
        break;

    case INC_FORM_UPDATE_CREATE:
        inc_form_string(out, form, "status");
        inc_form_string(out, form, "message");
        inc_form_ids(out, form, "componentIds");
        inc_form_bool(out, form, "notify");
        break;

    case INC_FORM_UPDATE_EDIT:
        inc_form_string(out, form, "message");
        break;

    case INC_FORM_COMPONENT:
        inc_form_string(out, form, "name");
        inc_form_string(out, form, "description");
        inc_form_string(out, form, "baseStatus");
        inc_form_group(out, form);
        break;

    case INC_FORM_COMPONENT_MOVE:
        inc_form_string(out, form, "direction");
        break;

    /*
     * Both address fields go along: the validator takes the one the type
     * needs, and a form shown again keeps what was typed in the other.
     */
    case INC_FORM_SUBSCRIBER:
        inc_form_string(out, form, "type");
        inc_form_string(out, form, "email");
        inc_form_string(out, form, "url");
        inc_form_ids(out, form, "componentIds");
        break;

    case INC_FORM_SUBSCRIBE:
        inc_form_string(out, form, "email");
        inc_form_ids(out, form, "componentIds");
        break;

    case INC_FORM_MAINT_CREATE:
    case INC_FORM_MAINT_EDIT:
        inc_form_maintenance(out, form, kind == INC_FORM_MAINT_CREATE);
        break;

    case INC_FORM_MAINT_UPDATE:
        inc_form_string(out, form, "status");
        inc_form_string(out, form, "message");
        inc_form_bool(out, form, "notify");
        break;

    /* subscribers hear of it, as when the timer does it */
    case INC_FORM_MAINT_START:
    case INC_FORM_MAINT_COMPLETE:
        cJSON_AddStringToObject(out, "status",
                                kind == INC_FORM_MAINT_START
                                ? "in_progress" : "completed");
        cJSON_AddStringToObject(out, "message",
                                kind == INC_FORM_MAINT_START
                                ? INC_MAINT_STARTED_TEXT
                                : INC_MAINT_COMPLETED_TEXT);
        cJSON_AddBoolToObject(out, "notify", 1);
        break;

    default: /* INC_FORM_SETTINGS */
        inc_form_string(out, form, "pageTitle");
        inc_form_string(out, form, "incidentPosition");
        inc_form_string(out, form, "timezone");
        inc_form_string(out, form, "logoUrl");
        inc_form_string(out, form, "accentColor");
        inc_form_links(out, form);
        break;
    }

    return out;
}


/*
 * "2026-11-27T22:00", "2026-11-27T22:00:30" or with a fraction of a second
 * (dropped), as a datetime-local control sends it, into "tm" (UTC fields,
 * checked: no 30 February); -1 when it is not one.
 */
static int
inc_form_local_fields(const char *s, struct tm *tm)
{
    char         iso[INC_RFC3339_LEN + 1];
    size_t       n, i;
    time_t       t;
    const char  *digits;

    n = strlen(s);

    if (n != 16 && n < 19) {
        return -1;
    }

    digits = n == 16 ? "dddd-dd-ddTdd:dd" : "dddd-dd-ddTdd:dd:dd";

    for (i = 0; digits[i] != '\0'; i++) {
        if (digits[i] == 'd' ? (s[i] < '0' || s[i] > '9')
                             : s[i] != digits[i])
        {
            return -1;
        }
    }

    if (n > 19) {
        if (s[19] != '.' || n == 20 || n > 29) {
            return -1;
        }

        for (i = 20; i < n; i++) {
            if (s[i] < '0' || s[i] > '9') {
                return -1;
            }
        }
    }

    snprintf(iso, sizeof(iso), "%.16s:%.2sZ", s, n == 16 ? "00" : s + 17);

    if (inc_time_parse(iso, &t) != 0 || gmtime_r(&t, tm) == NULL) {
        return -1;
    }

    return 0;
}


static int
inc_form_same_wall_time(const struct tm *a, const struct tm *b)
{
    return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon
           && a->tm_mday == b->tm_mday && a->tm_hour == b->tm_hour
           && a->tm_min == b->tm_min && a->tm_sec == b->tm_sec;
}


/*
 * The moment the wall-clock time "wall" names in the zone of TZ: 0 and
 * "t", or 1 when the zone skips it (the clocks go forward), 2 when it
 * happens twice (they go back).
 */
static int
inc_form_local_moment(const struct tm *wall, time_t *t)
{
    int        n, dst;
    time_t     found[2], x;
    struct tm  tm, back;

    n = 0;

    for (dst = 0; dst <= 1; dst++) {
        tm = *wall;
        tm.tm_isdst = dst;
        tm.tm_wday = -1;

        x = mktime(&tm);

        if ((x == (time_t) -1 && tm.tm_wday == -1)
            || localtime_r(&x, &back) == NULL
            || !inc_form_same_wall_time(&back, wall))
        {
            continue;
        }

        if (n == 0 || found[0] != x) {
            found[n++] = x;
        }
    }

    if (n == 0) {
        return 1;
    }

    if (n == 2) {
        return 2;
    }

    *t = found[0];

    return 0;
}


static void
inc_form_window_time(cJSON *in, const char *field, int local,
    const char *zone, cJSON *errors)
{
    int           rc;
    char          iso[INC_RFC3339_LEN + 1], msg[256];
    time_t        t;
    struct tm     wall;
    const cJSON  *v;

    v = cJSON_GetObjectItemCaseSensitive(in, field);

    if (v == NULL) {
        return;                 /* not on the form: the validator says */
    }

    t = 0;
    msg[0] = '\0';

    if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
        snprintf(msg, sizeof(msg), "is required");

    } else if (inc_form_local_fields(v->valuestring, &wall) != 0) {
        snprintf(msg, sizeof(msg), "must be a date and a time, such as "
                 "2026-11-27 22:00");

    } else if (!local) {
        t = timegm(&wall);

    } else {
        rc = inc_form_local_moment(&wall, &t);

        if (rc == 1) {
            snprintf(msg, sizeof(msg), "does not exist in %s: the clocks "
                     "go forward over it; pick another time", zone);

        } else if (rc == 2) {
            snprintf(msg, sizeof(msg), "happens twice in %s, as the "
                     "clocks go back; pick a time outside that hour", zone);
        }
    }

    if (msg[0] == '\0' && t < INC_FORM_TIME_MIN) {
        snprintf(msg, sizeof(msg), "must be in 2000 or later");
    }

    if (msg[0] != '\0') {
        cJSON_DeleteItemFromObjectCaseSensitive(in, field);
        inc_error_add(errors, field, msg);
        return;
    }

    inc_time_format(t, iso);
    cJSON_ReplaceItemInObjectCaseSensitive(in, field,
                                           cJSON_CreateString(iso));
}


void
inc_form_window(cJSON *in, int local, const char *zone, cJSON *errors)
{
    inc_form_window_time(in, "scheduledFor", local, zone, errors);
    inc_form_window_time(in, "scheduledUntil", local, zone, errors);
}


static const char *
inc_form_error_field(const cJSON *error)
{
    const cJSON  *f;

    f = cJSON_GetObjectItemCaseSensitive(error, "field");

    return cJSON_IsString(f) ? f->valuestring : "";
}


void
inc_form_errors_first(cJSON *errors)
{
    int           i, j, n, dup;
    const char   *field;

    n = cJSON_GetArraySize(errors);

    for (i = n - 1; i > 0; i--) {
        field = inc_form_error_field(cJSON_GetArrayItem(errors, i));
        dup = 0;

        for (j = 0; j < i && !dup; j++) {
            dup = strcmp(inc_form_error_field(cJSON_GetArrayItem(errors, j)),
                         field) == 0;
        }

        if (dup) {
            cJSON_DeleteItemFromArray(errors, i);
        }
    }
}


void
inc_form_local_value(time_t t, int local, char *buf, size_t size)
{
    struct tm  tm;

    if ((local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)) == NULL) {
        buf[0] = '\0';
        return;
    }

    strftime(buf, size, tm.tm_sec ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M",
             &tm);
}
