/*
 * Form bodies and their API documents.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_form.h"


static int
inc_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }

    c |= 0x20;

    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }

    return -1;
}


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
                   && (hi = inc_hex((unsigned char) p[i + 1])) >= 0
                   && (lo = inc_hex((unsigned char) p[i + 2])) >= 0)
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
