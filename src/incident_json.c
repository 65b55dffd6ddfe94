/*
 * Records to API documents, and problem documents.
 */

#include <stdio.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_json.h"


typedef struct {
    int          status;
    const char  *type;
    const char  *title;
} inc_problem_type_t;


static const inc_problem_type_t  inc_problem_types[] = {
    { 400, "urn:incident:problem:bad-request", "Bad Request" },
    { 401, "urn:incident:problem:unauthorized", "Unauthorized" },
    { 404, "urn:incident:problem:not-found", "Not Found" },
    { 405, "urn:incident:problem:method-not-allowed",
      "Method Not Allowed" },
    { 413, "urn:incident:problem:too-large", "Content Too Large" },
    { 415, "urn:incident:problem:unsupported-media-type",
      "Unsupported Media Type" },
    { 422, "urn:incident:problem:validation", "Unprocessable Content" },
    { 503, "urn:incident:problem:store-unavailable", "Service Unavailable" },
    { 507, "urn:incident:problem:store-full", "Insufficient Storage" },
    { 0, "urn:incident:problem:internal", "Internal Server Error" }
};


void
inc_json_add_time(cJSON *obj, const char *name, time_t t)
{
    char  buf[INC_RFC3339_LEN + 1];

    if (t == 0) {
        cJSON_AddNullToObject(obj, name);
        return;
    }

    inc_time_format(t, buf);
    cJSON_AddStringToObject(obj, name, buf);
}


void
inc_json_add(cJSON *obj, const char *name, cJSON *item)
{
    if (!cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
    }
}


static void
inc_json_copy(cJSON *to, const cJSON *from, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(from, name);

    if (item == NULL) {
        cJSON_AddNullToObject(to, name);
        return;
    }

    inc_json_add(to, name, cJSON_Duplicate(item, 1));
}


static void
inc_json_copy_ids(cJSON *to, const cJSON *from, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(from, name);

    if (cJSON_IsArray(item)) {
        inc_json_add(to, name, cJSON_Duplicate(item, 1));

    } else {
        cJSON_AddArrayToObject(to, name);
    }
}


cJSON *
inc_json_update(const cJSON *rec)
{
    cJSON  *u;

    u = cJSON_CreateObject();
    if (u == NULL) {
        return NULL;
    }

    inc_json_copy(u, rec, "id");
    inc_json_copy(u, rec, "status");
    inc_json_copy(u, rec, "message");
    inc_json_copy_ids(u, rec, "componentIds");
    cJSON_AddBoolToObject(u, "notify",
                   !cJSON_IsFalse(cJSON_GetObjectItem(rec, "notify")));
    inc_json_add_time(u, "createdAt", inc_rec_time(rec, "createdAt"));
    inc_json_add_time(u, "updatedAt", inc_rec_time(rec, "updatedAt"));

    return u;
}


/* "updates" (an array of API updates, newest first) is taken over */
cJSON *
inc_json_incident(const cJSON *rec, cJSON *updates, const char *base_url)
{
    char    url[1024];
    cJSON  *inc;
    time_t  started, resolved;

    inc = cJSON_CreateObject();
    if (inc == NULL) {
        cJSON_Delete(updates);
        return NULL;
    }

    started = inc_rec_time(rec, "startedAt");
    resolved = inc_rec_time(rec, "resolvedAt");

    inc_json_copy(inc, rec, "id");
    inc_json_copy(inc, rec, "title");
    inc_json_copy(inc, rec, "status");
    inc_json_copy(inc, rec, "impact");
    inc_json_copy_ids(inc, rec, "componentIds");
    inc_json_add_time(inc, "createdAt", inc_rec_time(rec, "createdAt"));
    inc_json_add_time(inc, "startedAt", started);
    inc_json_add_time(inc, "updatedAt", inc_rec_time(rec, "updatedAt"));
    inc_json_add_time(inc, "resolvedAt", resolved);

    if (resolved) {
        cJSON_AddNumberToObject(inc, "durationSeconds",
                                resolved > started
                                ? (double) (resolved - started) : 0);
    } else {
        cJSON_AddNullToObject(inc, "durationSeconds");
    }

    snprintf(url, sizeof(url), "%s/incidents/%llu", base_url,
             (unsigned long long) inc_rec_id(rec, "id"));
    cJSON_AddStringToObject(inc, "url", url);

    if (updates == NULL) {
        updates = cJSON_CreateArray();
    }

    inc_json_add(inc, "updates", updates);

    return inc;
}


cJSON *
inc_json_component(const cJSON *rec, int status, int is_group)
{
    cJSON  *c;

    c = cJSON_CreateObject();
    if (c == NULL) {
        return NULL;
    }

    inc_json_copy(c, rec, "id");
    inc_json_copy(c, rec, "name");
    inc_json_copy(c, rec, "description");
    inc_json_copy(c, rec, "groupId");
    inc_json_copy(c, rec, "position");
    cJSON_AddStringToObject(c, "status",
                            inc_component_statuses[status].value);
    inc_json_copy(c, rec, "baseStatus");
    cJSON_AddBoolToObject(c, "isGroup", is_group);
    inc_json_add_time(c, "createdAt", inc_rec_time(rec, "createdAt"));
    inc_json_add_time(c, "updatedAt", inc_rec_time(rec, "updatedAt"));

    return c;
}


cJSON *
inc_json_settings(const cJSON *rec)
{
    cJSON  *s;

    s = cJSON_Duplicate(rec, 1);
    if (s != NULL) {
        cJSON_DeleteItemFromObjectCaseSensitive(s, "v");
    }

    return s;
}


cJSON *
inc_json_audit(const cJSON *rec)
{
    cJSON  *a;

    a = cJSON_CreateObject();
    if (a == NULL) {
        return NULL;
    }

    inc_json_copy(a, rec, "id");
    inc_json_add_time(a, "at", inc_rec_time(rec, "at"));
    inc_json_copy(a, rec, "actor");
    inc_json_copy(a, rec, "action");
    inc_json_copy(a, rec, "objectType");
    inc_json_copy(a, rec, "objectId");

    return a;
}


/* an escaped U+0000: an odd number of backslashes leads to "\u0000" */
static int
inc_json_has_nul_escape(const char *data, size_t len)
{
    const char  *p, *q, *last;

    last = data + len;

    for (p = data; p + 6 <= last; p++) {
        if (memcmp(p, "\\u0000", 6) != 0) {
            continue;
        }

        for (q = p; q > data && q[-1] == '\\'; q--) {
            /* void */
        }

        if ((p - q) % 2 == 0) {
            return 1;
        }
    }

    return 0;
}


cJSON *
inc_json_parse_body(const char *data, size_t len, const char **error)
{
    cJSON       *json;
    const char  *end, *last;

    if (len == 0) {
        /* no body at all: "data" may be NULL */
        *error = "The body is not valid JSON.";
        return NULL;
    }

    if (!inc_utf8_valid((const unsigned char *) data, len)) {
        *error = "The body is not valid UTF-8.";
        return NULL;
    }

    if (memchr(data, '\0', len) != NULL) {
        *error = "The body must not contain NUL bytes.";
        return NULL;
    }

    if (inc_json_has_nul_escape(data, len)) {
        *error = "Strings must not contain U+0000 (\\u0000).";
        return NULL;
    }

    *error = "The body is not valid JSON.";

    json = cJSON_ParseWithLengthOpts(data, len, &end, 0);
    if (json == NULL) {
        return NULL;
    }

    /* one value and nothing but white space after it */
    for (last = data + len; end < last; end++) {
        if (*end != ' ' && *end != '\t' && *end != '\r' && *end != '\n') {
            cJSON_Delete(json);
            return NULL;
        }
    }

    if (!cJSON_IsObject(json)) {
        *error = "The body must be a JSON object.";
        cJSON_Delete(json);
        return NULL;
    }

    return json;
}


/* RFC 9457; "errors" (field errors) is taken over, may be NULL */
cJSON *
inc_json_problem(int status, const char *detail, cJSON *errors)
{
    cJSON                     *p;
    const inc_problem_type_t  *t;

    for (t = inc_problem_types; t->status; t++) {
        if (t->status == status) {
            break;
        }
    }

    p = cJSON_CreateObject();
    if (p == NULL) {
        cJSON_Delete(errors);
        return NULL;
    }

    cJSON_AddStringToObject(p, "type", t->type);
    cJSON_AddStringToObject(p, "title", t->title);
    cJSON_AddNumberToObject(p, "status", status);
    cJSON_AddStringToObject(p, "detail", detail);

    if (errors != NULL) {
        inc_json_add(p, "errors", errors);
    }

    return p;
}


/* {"data": [...], "nextCursor": "N" | null}; "data" is taken over */
cJSON *
inc_json_list(cJSON *data, uint64_t next_cursor)
{
    char    buf[32];
    cJSON  *list;

    list = cJSON_CreateObject();
    if (list == NULL) {
        cJSON_Delete(data);
        return NULL;
    }

    inc_json_add(list, "data", data);

    if (next_cursor) {
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) next_cursor);
        cJSON_AddStringToObject(list, "nextCursor", buf);

    } else {
        cJSON_AddNullToObject(list, "nextCursor");
    }

    return list;
}
