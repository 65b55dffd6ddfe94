/*
 * Incidents from Prometheus Alertmanager.  Each alert group (its groupKey)
 * owns at most one open incident: a firing group opens it, changes to the
 * group are posted as updates, and the group's resolution resolves it.
 * Once an operator posts an update of their own, the incident is theirs
 * and the integration only adds notes.
 *
 * Alertmanager retries failed deliveries and repeats notifications every
 * repeat_interval, so a digest of the group's state is kept: the same
 * notification again changes nothing.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_html.h"
#include "incident_json.h"
#include "incident_route.h"
#include "incident_service_int.h"
#include "incident_alertmanager.h"


#define INC_AM_LISTED      20      /* alerts named in one message */
#define INC_AM_NAME_MAX    200
#define INC_AM_DIGEST_LEN  (2 * 32)
#define INC_AM_PARSED      10      /* members inc_am_parse() writes */


typedef struct {
    const cJSON  *in;              /* the parsed notification */
    cJSON        *group;           /* its stored state, or NULL */
    cJSON        *incident;        /* the group's incident, or NULL */
    uint64_t      incident_id;
    uint64_t      last_update_id;  /* the integration's newest update */
    int           taken_over;
} inc_am_t;


static const inc_am_severity_t  inc_am_builtin[] = {
    { "critical", INC_IMPACT_CRITICAL },
    { "error", INC_IMPACT_MAJOR },
    { "major", INC_IMPACT_MAJOR },
    { "warning", INC_IMPACT_MINOR },
    { "minor", INC_IMPACT_MINOR },
    { "info", INC_IMPACT_NONE },
    { "none", INC_IMPACT_NONE },
};


int
inc_am_impact(const inc_am_severity_t *map, size_t n, const char *severity)
{
    int     fallback;
    size_t  i;

    fallback = INC_IMPACT_MINOR;

    for (i = 0; i < n; i++) {
        if (strcasecmp(map[i].severity, INC_AM_DEFAULT) == 0) {
            fallback = map[i].impact;

        } else if (severity != NULL
                   && strcasecmp(map[i].severity, severity) == 0)
        {
            return map[i].impact;
        }
    }

    for (i = 0; severity != NULL && i < sizeof(inc_am_builtin)
                                        / sizeof(inc_am_builtin[0]); i++)
    {
        if (strcasecmp(inc_am_builtin[i].severity, severity) == 0) {
            return inc_am_builtin[i].impact;
        }
    }

    return fallback;
}


static const char *
inc_am_str(const cJSON *obj, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(item) ? item->valuestring : NULL;
}


/*
 * A label or annotation made fit for a title or a message: trimmed,
 * control characters (but new lines and tabs in "multiline" text) turned
 * into spaces, and cut to "max" characters on a character boundary.
 */
static cJSON *
inc_am_text(const char *s, size_t max, int multiline)
{
    char    *copy, *p, *end;
    cJSON   *item;
    size_t   chars;

    copy = strdup(s != NULL ? s : "");
    if (copy == NULL) {
        return NULL;
    }

    chars = 0;

    for (p = copy; *p; p++) {
        if ((*p & 0xc0) != 0x80 && chars++ == max) {
            break;
        }

        if ((unsigned char) *p < 0x20 || *p == 0x7f) {
            if (!(multiline && (*p == '\n' || *p == '\t'))) {
                *p = ' ';
            }
        }
    }

    *p = '\0';

    for (end = p; end > copy && isspace((unsigned char) end[-1]); end--) {
        /* void */
    }

    *end = '\0';

    for (p = copy; isspace((unsigned char) *p); p++) {
        /* void */
    }

    item = cJSON_CreateString(p);
    free(copy);

    return item;
}


/* how many bytes of "s" fit in "max" without cutting a character */
static int
inc_am_cut(const char *s, size_t max)
{
    size_t  n;

    n = strnlen(s, max + 1);

    if (n > max) {
        for (n = max; n > 0 && ((unsigned char) s[n] & 0xc0) == 0x80; n--) {
            /* void */
        }
    }

    return (int) n;
}


/* how an alert is named in a message: its summary, else its alertname */
static cJSON *
inc_am_alert_name(const cJSON *alert)
{
    char          buf[2 * INC_AM_NAME_MAX + 4];
    const char   *name, *instance;
    const cJSON  *labels;

    labels = cJSON_GetObjectItemCaseSensitive(alert, "labels");
    name = inc_am_str(cJSON_GetObjectItemCaseSensitive(alert, "annotations"),
                      "summary");

    if (name == NULL || name[0] == '\0') {
        name = inc_am_str(labels, "alertname");
    }

    instance = inc_am_str(labels, "instance");

    if (name == NULL || name[0] == '\0') {
        name = "alert";
    }

    if (instance != NULL && instance[0] != '\0') {
        snprintf(buf, sizeof(buf), "%.*s (%.*s)",
                 inc_am_cut(name, INC_AM_NAME_MAX), name,
                 inc_am_cut(instance, INC_AM_NAME_MAX), instance);

    } else {
        snprintf(buf, sizeof(buf), "%.*s", inc_am_cut(name, INC_AM_NAME_MAX),
                 name);
    }

    return inc_am_text(buf, INC_AM_NAME_MAX, 0);
}


/* a list member, or nothing (and no leak) without memory */
static void
inc_am_push(cJSON *list, cJSON *item)
{
    if (!cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(item);
    }
}


/* adds "value" to a list of strings unless it is there, ignoring case */
static void
inc_am_add_unique(cJSON *list, const char *value)
{
    const cJSON  *item;

    if (value == NULL || value[0] == '\0') {
        return;
    }

    cJSON_ArrayForEach(item, list) {
        if (strcasecmp(item->valuestring, value) == 0) {
            return;
        }
    }

    inc_am_push(list, inc_am_text(value, INC_NAME_MAX, 0));
}


static int
inc_am_cmp(const void *one, const void *two)
{
    return strcmp(*(char * const *) one, *(char * const *) two);
}


/*
 * The group's state: its status and, per alert, the fingerprint, status
 * and start.  Annotations are left out: templated values in them change
 * on every evaluation without the group changing.
 */
static int
inc_am_digest(const cJSON *in, char out[INC_AM_DIGEST_LEN + 1])
{
    int            rc;
    char         **lines, *p;
    size_t         n, i, len;
    unsigned int   dlen;
    unsigned char  md[EVP_MAX_MD_SIZE];
    const cJSON   *alerts, *alert;
    EVP_MD_CTX    *md_ctx;

    alerts = cJSON_GetObjectItemCaseSensitive(in, "alerts");
    n = cJSON_GetArraySize(alerts);

    lines = calloc(n + 1, sizeof(char *));
    md_ctx = EVP_MD_CTX_new();

    rc = (lines != NULL && md_ctx != NULL) ? 0 : -1;
    i = 0;

    cJSON_ArrayForEach(alert, alerts) {
        const char  *f, *s, *t;

        if (rc != 0) {
            break;
        }

        f = inc_am_str(alert, "fingerprint");
        s = inc_am_str(alert, "status");
        t = inc_am_str(alert, "startsAt");
        p = NULL;

        if (f == NULL) {
            p = cJSON_PrintUnformatted(
                    cJSON_GetObjectItemCaseSensitive(alert, "labels"));
            f = p ? p : "";
        }

        len = strlen(f) + strlen(s) + (t ? strlen(t) : 0) + 3;
        lines[i] = malloc(len);

        if (lines[i] == NULL) {
            rc = -1;

        } else {
            snprintf(lines[i++], len, "%s %s %s", f, s, t ? t : "");
        }

        free(p);
    }

    if (rc == 0) {
        qsort(lines, i, sizeof(char *), inc_am_cmp);

        rc = EVP_DigestInit_ex(md_ctx, EVP_sha256(), NULL) == 1 ? 0 : -1;
    }

    if (rc == 0) {
        p = (char *) inc_am_str(in, "status");

        if (EVP_DigestUpdate(md_ctx, p, strlen(p) + 1) != 1) {
            rc = -1;
        }
    }

    for (n = 0; rc == 0 && n < i; n++) {
        if (EVP_DigestUpdate(md_ctx, lines[n], strlen(lines[n]) + 1) != 1) {
            rc = -1;
        }
    }

    if (rc == 0 && EVP_DigestFinal_ex(md_ctx, md, &dlen) == 1) {
        for (n = 0; n < 32; n++) {
            snprintf(out + 2 * n, 3, "%02x", md[n]);
        }

    } else {
        rc = -1;
    }

    for (n = 0; lines != NULL && n < i; n++) {
        free(lines[n]);
    }

    free(lines);
    EVP_MD_CTX_free(md_ctx);

    return rc;
}


/* the fields of the notification itself; 0 when they are all usable */
static int
inc_am_check(const cJSON *in, cJSON *errors)
{
    int           i, n, firing;
    char          field[48];
    const char   *s;
    const cJSON  *item, *alert;

    n = cJSON_GetArraySize(errors);

    item = cJSON_GetObjectItemCaseSensitive(in, "version");
    if (item != NULL && !(cJSON_IsString(item)
                          && strcmp(item->valuestring, "4") == 0))
    {
        inc_error_add(errors, "version",
                      "must be \"4\", the version Alertmanager sends");
    }

    s = inc_am_str(in, "status");
    if (s == NULL || (strcmp(s, "firing") != 0 && strcmp(s, "resolved") != 0))
    {
        inc_error_add(errors, "status", "must be one of firing, resolved");
    }

    firing = s != NULL && strcmp(s, "firing") == 0;

    s = inc_am_str(in, "groupKey");
    if (s == NULL || s[0] == '\0' || strlen(s) > INC_AM_GROUP_KEY_MAX) {
        inc_error_add(errors, "groupKey",
                      "must be a string of 1 to 4096 bytes");
    }

    item = cJSON_GetObjectItemCaseSensitive(in, "alerts");
    if (!cJSON_IsArray(item)) {
        inc_error_add(errors, "alerts", "must be an array of alerts");
        return -1;
    }

    if (cJSON_GetArraySize(item) > INC_AM_ALERTS_MAX) {
        inc_error_add(errors, "alerts", "holds more than 1000 alerts");
        return -1;
    }

    i = 0;

    cJSON_ArrayForEach(alert, item) {
        s = inc_am_str(alert, "status");

        if (s != NULL && strcmp(s, "firing") == 0) {
            firing |= 2;

        } else if (s == NULL || strcmp(s, "resolved") != 0) {
            snprintf(field, sizeof(field), "alerts[%d].status", i);
            inc_error_add(errors, field, "must be one of firing, resolved");
        }

        if (cJSON_GetObjectItemCaseSensitive(alert, "labels") != NULL
            && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(alert,
                                                                "labels")))
        {
            snprintf(field, sizeof(field), "alerts[%d].labels", i);
            inc_error_add(errors, field, "must be an object");
        }

        i++;
    }

    if (firing == 1) {
        inc_error_add(errors, "alerts",
                      "must hold a firing alert when status is firing");
    }

    return cJSON_GetArraySize(errors) == n ? 0 : -1;
}


/* what the firing alerts say: impact, start, components */
static void
inc_am_firing(const cJSON *alert, const inc_am_severity_t *map, size_t n,
    int *impact, time_t *started, cJSON *components)
{
    int           i;
    time_t        t;
    const char   *s;
    const cJSON  *labels;

    labels = cJSON_GetObjectItemCaseSensitive(alert, "labels");

    i = inc_am_impact(map, n, inc_am_str(labels, "severity"));
    if (i < *impact) {
        *impact = i;
    }

    s = inc_am_str(alert, "startsAt");
    if (s != NULL && inc_time_parse(s, &t) == 0 && t > 0
        && (*started == 0 || t < *started))
    {
        *started = t;
    }

    inc_am_add_unique(components, inc_am_str(labels, "component"));
}


/* the first of: the common annotation, the first firing alert's */
static const char *
inc_am_annotation(const cJSON *in, const cJSON *first, const char *name)
{
    const char  *s;

    s = inc_am_str(cJSON_GetObjectItemCaseSensitive(in, "commonAnnotations"),
                   name);

    if (s == NULL || s[0] == '\0') {
        s = inc_am_str(cJSON_GetObjectItemCaseSensitive(first, "annotations"),
                       name);
    }

    return s != NULL && s[0] != '\0' ? s : NULL;
}


void
inc_am_parse(const cJSON *in, const inc_am_severity_t *map, size_t n,
    time_t now, cJSON *out, cJSON *errors)
{
    int           impact;
    char          digest[INC_AM_DIGEST_LEN + 1];
    char          started_at[INC_RFC3339_LEN + 1];
    cJSON        *components, *firing, *resolved;
    time_t        started;
    const char   *title, *description;
    const cJSON  *alert, *first;

    if (inc_am_check(in, errors) != 0) {
        return;
    }

    if (inc_am_digest(in, digest) != 0) {
        inc_error_add(errors, "alerts", "could not be read");
        return;
    }

    components = cJSON_AddArrayToObject(out, "components");
    firing = cJSON_AddArrayToObject(out, "firingNames");
    resolved = cJSON_AddArrayToObject(out, "resolvedNames");

    if (components == NULL || firing == NULL || resolved == NULL) {
        inc_error_add(errors, "alerts", "could not be read");
        return;
    }

    impact = INC_IMPACT_NONE;
    started = 0;
    first = NULL;

    cJSON_ArrayForEach(alert, cJSON_GetObjectItemCaseSensitive(in, "alerts"))
    {
        if (strcmp(inc_am_str(alert, "status"), "firing") != 0) {
            inc_am_push(resolved, inc_am_alert_name(alert));
            continue;
        }

        if (first == NULL) {
            first = alert;
        }

        inc_am_push(firing, inc_am_alert_name(alert));
        inc_am_firing(alert, map, n, &impact, &started, components);
    }

    title = inc_am_annotation(in, first, "summary");

    if (title == NULL) {
        title = inc_am_str(cJSON_GetObjectItemCaseSensitive(in,
                                                            "commonLabels"),
                           "alertname");
    }

    if (title == NULL || title[0] == '\0') {
        title = inc_am_str(cJSON_GetObjectItemCaseSensitive(first, "labels"),
                           "alertname");
    }

    description = inc_am_annotation(in, first, "description");

    if (description == NULL) {
        description = inc_am_annotation(in, first, "summary");
    }

    if (started == 0 || started > now) {
        started = now;
    }

    inc_time_format(started, started_at);

    cJSON_AddBoolToObject(out, "firing",
                          strcmp(inc_am_str(in, "status"), "firing") == 0);
    inc_json_add(out, "groupKey",
                 cJSON_CreateString(inc_am_str(in, "groupKey")));
    inc_json_add(out, "digest", cJSON_CreateString(digest));
    inc_json_add(out, "title", inc_am_text(title && title[0] ? title
                                                           : "Alert firing",
                                           INC_TITLE_MAX, 0));
    inc_json_add(out, "impact",
                 cJSON_CreateString(inc_impacts[impact].value));
    inc_json_add(out, "startedAt", cJSON_CreateString(started_at));
    inc_json_add(out, "description",
                 inc_am_text(description, INC_MESSAGE_MAX / 2, 1));

    /* the operation relies on every member: no memory, no operation */
    if (cJSON_GetArraySize(out) != INC_AM_PARSED) {
        inc_error_add(errors, "alerts", "could not be read");
    }
}


/* "- name" lines for a message, the first INC_AM_LISTED of them */
static void
inc_am_list(inc_buf_t *b, const char *heading, const cJSON *names)
{
    int           n, i;
    const cJSON  *name;

    n = cJSON_GetArraySize(names);
    if (n == 0) {
        return;
    }

    inc_buf_printf(b, "\n\n%s:\n", heading);
    i = 0;

    cJSON_ArrayForEach(name, names) {
        if (i++ == INC_AM_LISTED) {
            inc_buf_printf(b, "\n- and %d more", n - INC_AM_LISTED);
            break;
        }

        inc_buf_printf(b, "\n- %s", name->valuestring);
    }
}


/*
 * The components a notification names: "ids" gets those this page has
 * (by name without case, or by id), "unknown" the others.
 */
static int
inc_am_components(inc_txn_t *txn, const cJSON *names, cJSON *ids,
    cJSON *unknown)
{
    int           rc, found;
    size_t        i;
    uint64_t      id;
    inc_comps_t   cs;
    const cJSON  *name;

    rc = inc_comps_load(txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_ArrayForEach(name, names) {
        id = inc_route_id(name->valuestring, strlen(name->valuestring));
        found = 0;

        for (i = 0; i < cs.n && !found; i++) {
            if ((id != 0 && inc_rec_id(cs.comps[i].rec, "id") == id)
                || strcasecmp(inc_rec_str(cs.comps[i].rec, "name"),
                              name->valuestring) == 0)
            {
                id = inc_rec_id(cs.comps[i].rec, "id");
                found = 1;
            }
        }

        if (found && !inc_rec_find(ids, (double) id)) {
            inc_am_push(ids, cJSON_CreateNumber((double) id));

        } else if (!found) {
            inc_am_push(unknown, cJSON_CreateString(name->valuestring));
        }
    }

    inc_comps_free(&cs);

    return INC_OK;
}


/* the id of the newest update of an incident, 0 if it has none */
static int
inc_am_newest_update(inc_txn_t *txn, uint64_t incident_id, uint64_t *id)
{
    int         rc;
    inc_iter_t  it;

    *id = 0;

    rc = inc_iter_open(txn, INC_DB_UPDATES, &it);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_iter_seek_before(&it, incident_id + 1, 0, NULL);

    if (rc == INC_OK && it.key[0] == incident_id) {
        *id = it.key[1];
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


static int
inc_am_group_name(const char *group_key, char name[INC_AM_DIGEST_LEN + 1])
{
    size_t         i;
    unsigned int   len;
    unsigned char  md[EVP_MAX_MD_SIZE];

    if (EVP_Digest(group_key, strlen(group_key), md, &len, EVP_sha256(),
                   NULL)
        != 1)
    {
        return INC_ERROR;
    }

    for (i = 0; i < 32; i++) {
        snprintf(name + 2 * i, 3, "%02x", md[i]);
    }

    return INC_OK;
}


/* the group's state and incident, and whether an operator took it over */
static int
inc_am_load(inc_txn_t *txn, inc_am_t *am, const char *name)
{
    int       rc;
    uint64_t  newest;

    rc = inc_named_get(txn, INC_DB_ALERT_GROUPS, name, &am->group);
    if (rc == INC_NOTFOUND) {
        am->group = NULL;
        return INC_OK;
    }

    if (rc != INC_OK) {
        return rc;
    }

    am->incident_id = inc_rec_id(am->group, "incidentId");
    am->last_update_id = inc_rec_id(am->group, "lastUpdateId");

    rc = inc_record_get(txn, INC_DB_INCIDENTS, am->incident_id, 0,
                        &am->incident);
    if (rc == INC_NOTFOUND) {
        am->incident = NULL;
        return INC_OK;
    }

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_am_newest_update(txn, am->incident_id, &newest);

    am->taken_over = cJSON_IsTrue(inc_field(am->group, "takenOver"))
                     || newest != am->last_update_id;

    return rc;
}


/*
 * Runs one of the incident operations on an input built here, through
 * the same validator as the API's; "*made" gets the new object's id.
 */
static int
inc_am_write(inc_txn_t *txn, const inc_ctx_t *ctx, inc_op_t op,
    uint64_t id, cJSON *raw, uint64_t *made, inc_result_t *res)
{
    int           rc;
    cJSON        *input, *errors;
    inc_write_t   w;
    inc_result_t  sub;

    input = cJSON_CreateObject();
    errors = cJSON_CreateArray();

    if (raw == NULL || input == NULL || errors == NULL) {
        cJSON_Delete(raw);
        cJSON_Delete(input);
        cJSON_Delete(errors);
        return INC_ERROR;
    }

    inc_service_validate(op, raw, ctx->now, input, errors);
    cJSON_Delete(raw);

    if (cJSON_GetArraySize(errors)) {
        cJSON_Delete(input);
        return inc_result_invalid(res, errors);
    }

    cJSON_Delete(errors);
    memset(&sub, 0, sizeof(inc_result_t));

    w.op = op;
    w.id = id;
    w.sub_id = 0;
    w.input = input;

    rc = ((op == INC_OP_INCIDENT_CREATE) ? inc_op_incident_create
          : (op == INC_OP_INCIDENT_PATCH) ? inc_op_incident_patch
          : inc_op_update_create)(txn, ctx, &w, &sub);

    cJSON_Delete(input);

    if (rc == INC_OK && sub.status >= 300) {
        *res = sub;
        return INC_OK;
    }

    if (made != NULL) {
        *made = inc_rec_id(sub.body, "id");
    }

    inc_result_free(&sub);

    return rc;
}


/* the message's last paragraph: what the page could not match */
static void
inc_am_unknown(inc_buf_t *b, const cJSON *unknown)
{
    int           i;
    const cJSON  *name;

    if (cJSON_GetArraySize(unknown) == 0) {
        return;
    }

    inc_buf_str(b, "\n\nUnknown components in the alert: ");
    i = 0;

    cJSON_ArrayForEach(name, unknown) {
        if (i++ == INC_AM_LISTED) {
            inc_buf_str(b, ", …");
            break;
        }

        inc_buf_printf(b, "%s%s", i == 1 ? "" : ", ", name->valuestring);
    }

    inc_buf_str(b, ".");
}


static cJSON *
inc_am_raw_update(const char *status, inc_buf_t *message, int notify)
{
    cJSON  *raw;
    char   *text;

    text = inc_buf_detach(message, NULL);
    raw = cJSON_CreateObject();

    if (text == NULL || raw == NULL) {
        free(text);
        cJSON_Delete(raw);
        return NULL;
    }

    cJSON_AddStringToObject(raw, "status", status);
    cJSON_AddStringToObject(raw, "message", text);
    cJSON_AddBoolToObject(raw, "notify", notify);
    free(text);

    return raw;
}


static int
inc_am_create(inc_txn_t *txn, const inc_ctx_t *ctx, inc_am_t *am,
    inc_result_t *res)
{
    int           rc;
    cJSON        *raw, *ids, *unknown;
    inc_buf_t     b;
    const char   *title, *text;
    const cJSON  *in;

    in = am->in;
    raw = NULL;
    ids = cJSON_CreateArray();
    unknown = cJSON_CreateArray();

    rc = (ids && unknown && inc_buf_init(&b, 1024) == 0) ? INC_OK
                                                          : INC_ERROR;

    if (rc == INC_OK) {
        rc = inc_am_components(txn, inc_field(in, "components"), ids,
                               unknown);

        text = inc_rec_str(in, "description");
        inc_buf_str(&b, text[0] ? text : "Alertmanager reports that this "
                                         "alert is firing.");

        if (cJSON_GetArraySize(inc_field(in, "firingNames")) > 1) {
            inc_am_list(&b, "Firing alerts", inc_field(in, "firingNames"));
        }

        inc_am_unknown(&b, unknown);

        raw = inc_am_raw_update("investigating", &b, 1);

        if (raw == NULL) {
            rc = INC_ERROR;
        }
    }

    if (rc == INC_OK && raw != NULL) {
        title = inc_rec_str(in, "title");

        cJSON_AddStringToObject(raw, "title", title[0] ? title
                                                       : "Alert firing");
        inc_set_copy(raw, in, "impact");
        inc_set_copy(raw, in, "startedAt");
        cJSON_AddItemToObject(raw, "componentIds", ids);
        ids = NULL;

        rc = inc_am_write(txn, ctx, INC_OP_INCIDENT_CREATE, 0, raw,
                          &am->incident_id, res);
        raw = NULL;
    }

    cJSON_Delete(raw);
    cJSON_Delete(ids);
    cJSON_Delete(unknown);

    if (rc == INC_OK && res->status == 0) {
        am->taken_over = 0;
        rc = inc_am_newest_update(txn, am->incident_id, &am->last_update_id);
    }

    return rc;
}


/*
 * The group changed while firing: the incident's impact is raised (never
 * lowered: an operator may have raised it) and components are added.
 */
static int
inc_am_escalate(inc_txn_t *txn, const inc_ctx_t *ctx, inc_am_t *am,
    cJSON *unknown, int *rose, inc_result_t *res)
{
    int     rc, now_impact, new_impact, before;
    cJSON  *ids, *raw;

    ids = cJSON_Duplicate(inc_field(am->incident, "componentIds"), 1);
    if (ids == NULL) {
        ids = cJSON_CreateArray();
    }

    if (ids == NULL) {
        return INC_ERROR;
    }

    before = cJSON_GetArraySize(ids);

    rc = inc_am_components(txn, inc_field(am->in, "components"), ids,
                           unknown);

    now_impact = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                               inc_rec_str(am->incident, "impact"));
    new_impact = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                               inc_rec_str(am->in, "impact"));

    *rose = new_impact < now_impact;

    if (rc != INC_OK || (!*rose && cJSON_GetArraySize(ids) == before)) {
        cJSON_Delete(ids);
        return rc;
    }

    raw = cJSON_CreateObject();
    if (raw == NULL) {
        cJSON_Delete(ids);
        return INC_ERROR;
    }

    cJSON_AddItemToObject(raw, "componentIds", ids);

    if (*rose) {
        inc_set_copy(raw, am->in, "impact");
    }

    return inc_am_write(txn, ctx, INC_OP_INCIDENT_PATCH, am->incident_id,
                        raw, NULL, res);
}


/* an update on the group's open incident: "updated", "resolved", "noted" */
static int
inc_am_update(inc_txn_t *txn, const inc_ctx_t *ctx, inc_am_t *am,
    const char *action, inc_result_t *res)
{
    int          rc, firing, rose;
    cJSON       *unknown, *raw;
    inc_buf_t    b;
    const char  *status;

    firing = cJSON_IsTrue(inc_field(am->in, "firing"));
    status = inc_rec_str(am->incident, "status");
    rose = 0;

    unknown = cJSON_CreateArray();
    if (unknown == NULL || inc_buf_init(&b, 1024) != 0) {
        cJSON_Delete(unknown);
        return INC_ERROR;
    }

    rc = INC_OK;

    if (strcmp(action, "updated") == 0) {
        rc = inc_am_escalate(txn, ctx, am, unknown, &rose, res);
    }

    if (!firing && strcmp(action, "resolved") == 0) {
        inc_buf_str(&b, "All alerts have resolved.");
        status = "resolved";

    } else if (!firing) {
        inc_buf_str(&b, "Alertmanager reports that all alerts have "
                        "resolved. This incident stays open until it is "
                        "resolved here.");

    } else {
        inc_buf_printf(&b, "Alertmanager reports a change: %d alert%s "
                       "firing.",
                       cJSON_GetArraySize(inc_field(am->in, "firingNames")),
                       cJSON_GetArraySize(inc_field(am->in, "firingNames"))
                       == 1 ? "" : "s");
        inc_am_list(&b, "Firing", inc_field(am->in, "firingNames"));
    }

    inc_am_list(&b, "Resolved", inc_field(am->in, "resolvedNames"));
    inc_am_unknown(&b, unknown);
    cJSON_Delete(unknown);

    if (rc != INC_OK || res->status != 0) {
        inc_buf_free(&b);
        return rc;
    }

    /* subscribers hear of a resolution, or of a worse impact; not of notes */
    raw = inc_am_raw_update(status, &b,
                            strcmp(action, "resolved") == 0 || rose);

    return inc_am_write(txn, ctx, INC_OP_UPDATE_CREATE, am->incident_id, raw,
                        &am->last_update_id, res);
}


static int
inc_am_save(inc_txn_t *txn, const inc_ctx_t *ctx, inc_am_t *am,
    const char *name, const char *action)
{
    int     rc;
    char    audit[48];
    cJSON  *rec;

    rec = cJSON_CreateObject();
    if (rec == NULL) {
        return INC_ERROR;
    }

    inc_set_copy(rec, am->in, "groupKey");
    inc_set_copy(rec, am->in, "digest");
    cJSON_AddNumberToObject(rec, "incidentId", (double) am->incident_id);
    cJSON_AddNumberToObject(rec, "lastUpdateId",
                            (double) am->last_update_id);
    cJSON_AddBoolToObject(rec, "takenOver", am->taken_over);
    cJSON_AddNumberToObject(rec, "updatedAt", (double) ctx->now);

    rc = inc_named_put(txn, INC_DB_ALERT_GROUPS, name, rec);
    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    snprintf(audit, sizeof(audit), "alertmanager.%s", action);

    return inc_audit(txn, ctx, audit, "incident", am->incident_id);
}


/* {"action", "incidentId", "incident"} */
static int
inc_am_answer(inc_txn_t *txn, const inc_ctx_t *ctx, inc_am_t *am,
    const char *action, inc_result_t *res)
{
    int     rc;
    cJSON  *doc, *rec, *incident;

    doc = cJSON_CreateObject();
    if (doc == NULL) {
        return INC_ERROR;
    }

    cJSON_AddStringToObject(doc, "action", action);
    incident = NULL;

    rc = am->incident_id ? inc_record_get(txn, INC_DB_INCIDENTS,
                                          am->incident_id, 0, &rec)
                         : INC_NOTFOUND;

    if (rc == INC_OK) {
        rc = inc_incident_doc(txn, ctx, rec, &incident);
        cJSON_Delete(rec);

    } else if (rc == INC_NOTFOUND) {
        rc = INC_OK;
    }

    if (rc != INC_OK) {
        cJSON_Delete(doc);
        return rc;
    }

    inc_set(doc, "incidentId", incident ? cJSON_CreateNumber(
                                              (double) am->incident_id)
                                        : cJSON_CreateNull());
    inc_set(doc, "incident", incident ? incident : cJSON_CreateNull());

    if (strcmp(action, "created") == 0) {
        inc_result_ok(res, 201, doc);
        snprintf(res->location, sizeof(res->location),
                 "/api/v1/incidents/%llu",
                 (unsigned long long) am->incident_id);

    } else {
        inc_result_ok(res, 200, doc);
    }

    return INC_OK;
}


int
inc_op_alertmanager(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int          rc, open, firing;
    char         name[INC_AM_DIGEST_LEN + 1];
    inc_am_t     am;
    const char  *action;

    memset(&am, 0, sizeof(inc_am_t));
    am.in = w->input;

    rc = inc_am_group_name(inc_rec_str(am.in, "groupKey"), name);

    if (rc == INC_OK) {
        rc = inc_am_load(txn, &am, name);
    }

    if (rc != INC_OK) {
        goto done;
    }

    firing = cJSON_IsTrue(inc_field(am.in, "firing"));
    open = am.incident != NULL
           && strcmp(inc_rec_str(am.incident, "status"), "resolved") != 0;

    /*
     * The same notification again changes nothing; but a group that still
     * fires after its incident was resolved or deleted opens a new one.
     */
    if (am.group != NULL && (open || !firing)
        && strcmp(inc_rec_str(am.group, "digest"),
                  inc_rec_str(am.in, "digest")) == 0)
    {
        action = "unchanged";

    } else if (firing && !open) {
        action = "created";
        rc = inc_am_create(txn, ctx, &am, res);

    } else if (!open) {
        action = "ignored";

    } else {
        action = am.taken_over ? "noted" : firing ? "updated" : "resolved";
        rc = inc_am_update(txn, ctx, &am, action, res);
    }

    if (rc != INC_OK || res->status != 0) {
        goto done;
    }

    if (strcmp(action, "unchanged") == 0 || strcmp(action, "ignored") == 0) {
        /* nothing was written: caches stay valid */
        txn->quiet = 1;

    } else {
        rc = inc_am_save(txn, ctx, &am, name, action);
    }

    if (rc == INC_OK) {
        rc = inc_am_answer(txn, ctx, &am, action, res);
    }

done:

    cJSON_Delete(am.group);
    cJSON_Delete(am.incident);

    return rc;
}
