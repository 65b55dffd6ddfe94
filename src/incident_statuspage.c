/*
 * Statuspage's public v2 documents.  Each is made of our own v1 documents
 * (the same builders /api/v1 uses, over one read transaction), mapped
 * member by member into Statuspage's shape: the two APIs cannot disagree
 * about what the page shows, and the mapping is all this file knows.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_service_int.h"
#include "incident_statuspage.h"


#define INC_V2_LIMIT        50
#define INC_V2_PAGE_ID_LEN  12
#define INC_V2_TIME_LEN     24      /* "2026-11-27T10:00:00.000Z" */
#define INC_V2_ID_LEN       32

/* the HMAC's message: the page id is the store's, not a token's */
#define INC_V2_PAGE_ID_PURPOSE  "statuspage-v2:page-id"


/* Statuspage's indicators, least severe first; maintenance is apart */
enum {
    INC_V2_NONE = 0,
    INC_V2_MINOR,
    INC_V2_MAJOR,
    INC_V2_CRITICAL,
    INC_V2_MAINTENANCE,
    INC_V2_INDICATOR_COUNT
};


typedef struct {
    inc_txn_t        *txn;
    const inc_ctx_t  *ctx;
    cJSON            *comps;       /* v2 components, in page order */
    int               overall;     /* our overall status */
    char              page_id[INC_V2_PAGE_ID_LEN + 1];
} inc_v2_t;

/* the incident or maintenance whose updates are mapped */
typedef struct {
    const char       *id;          /* "3" or "m2" */
    int               maint;
    const cJSON      *comp_ids;    /* a maintenance's components */
} inc_v2_parent_t;

typedef int (*inc_v2_part_pt)(inc_v2_t *v2, cJSON *body);

typedef struct {
    const char       *path;
    inc_v2_part_pt    parts[6];     /* the members, in order, NULL-ended */
} inc_v2_doc_def_t;


static const char  *inc_v2_indicators[INC_V2_INDICATOR_COUNT] = {
    "none", "minor", "major", "critical", "maintenance"
};

static const char  *inc_v2_descriptions[INC_V2_INDICATOR_COUNT] = {
    "All Systems Operational",
    "Minor Service Outage",
    "Partial System Outage",
    "Major System Outage",
    "Service Under Maintenance"
};

/* our overall status (component status order) to an indicator */
static const int  inc_v2_overall_indicator[INC_COMP_COUNT] = {
    INC_V2_NONE,            /* operational */
    INC_V2_MAINTENANCE,     /* under_maintenance */
    INC_V2_MINOR,           /* degraded_performance */
    INC_V2_MAJOR,           /* partial_outage */
    INC_V2_CRITICAL         /* major_outage */
};


/* building blocks: every allocation failure clears "*ok" */

/* adds "item" (taken over) to the object "obj" */
static void
inc_v2_set(cJSON *obj, const char *name, cJSON *item, int *ok)
{
    if (item == NULL || !cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        *ok = 0;
    }
}


/* appends "item" (taken over) to the array "list" */
static void
inc_v2_push(cJSON *list, cJSON *item, int *ok)
{
    if (item == NULL || !cJSON_AddItemToArray(list, item)) {
        cJSON_Delete(item);
        *ok = 0;
    }
}


/* "obj", or NULL (and "obj" freed) when something in it failed */
static cJSON *
inc_v2_done(cJSON *obj, int ok)
{
    if (!ok) {
        cJSON_Delete(obj);
        return NULL;
    }

    return obj;
}


/* a member of a v1 document as a time_t, 0 when null or absent */
static time_t
inc_v2_doc_time(const cJSON *doc, const char *name)
{
    time_t        t;
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(doc, name);

    if (!cJSON_IsString(item) || inc_time_parse(item->valuestring, &t) != 0)
    {
        return 0;
    }

    return t;
}


/* "2026-11-27T10:00:00.000Z", or null for no time */
static cJSON *
inc_v2_time(time_t t)
{
    char  rfc[INC_RFC3339_LEN + 1], buf[INC_V2_TIME_LEN + 1];

    if (t == 0) {
        return cJSON_CreateNull();
    }

    /* Statuspage's clients parse milliseconds; ours are always whole */
    inc_time_format(t, rfc);
    snprintf(buf, sizeof(buf), "%.19s.000Z", rfc);

    return cJSON_CreateString(buf);
}


/* "2026-11-27" (UTC), or null */
static cJSON *
inc_v2_date(time_t t)
{
    char  rfc[INC_RFC3339_LEN + 1], buf[11];

    if (t == 0) {
        return cJSON_CreateNull();
    }

    inc_time_format(t, rfc);
    snprintf(buf, sizeof(buf), "%.10s", rfc);

    return cJSON_CreateString(buf);
}


static cJSON *
inc_v2_doc_time_item(const cJSON *doc, const char *name)
{
    return inc_v2_time(inc_v2_doc_time(doc, name));
}


/* a string member of a v1 document, or null */
static cJSON *
inc_v2_str(const cJSON *doc, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(doc, name);

    return cJSON_IsString(item) ? cJSON_CreateString(item->valuestring)
                                : cJSON_CreateNull();
}


static void
inc_v2_id_text(char *buf, const char *prefix, uint64_t id)
{
    snprintf(buf, INC_V2_ID_LEN, "%s%llu", prefix, (unsigned long long) id);
}


/* every id is a string: "3", "m2", "mu4" */
static cJSON *
inc_v2_id(const char *prefix, const cJSON *doc, const char *name)
{
    char  buf[INC_V2_ID_LEN];

    inc_v2_id_text(buf, prefix, inc_rec_id(doc, name));

    return cJSON_CreateString(buf);
}


/* the page id: 60 bits of HMAC-SHA256(secret, purpose) in base32 */
static int
inc_v2_page_id(inc_store_t *store, char *out)
{
    int            i;
    uint64_t       bits;
    unsigned int   len;
    unsigned char  secret[INC_SECRET_LEN], mac[EVP_MAX_MD_SIZE];

    static const char  alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

    if (inc_store_secret(store, secret) != INC_OK) {
        return INC_ERROR;
    }

    if (HMAC(EVP_sha256(), secret, INC_SECRET_LEN,
             (const unsigned char *) INC_V2_PAGE_ID_PURPOSE,
             sizeof(INC_V2_PAGE_ID_PURPOSE) - 1, mac, &len)
        == NULL)
    {
        OPENSSL_cleanse(secret, sizeof(secret));
        return INC_ERROR;
    }

    OPENSSL_cleanse(secret, sizeof(secret));

    bits = 0;

    for (i = 0; i < 8; i++) {
        bits = bits << 8 | mac[i];
    }

    for (i = 0; i < INC_V2_PAGE_ID_LEN; i++) {
        out[i] = alphabet[(bits >> (59 - 5 * i)) & 31];
    }

    out[INC_V2_PAGE_ID_LEN] = '\0';

    return INC_OK;
}


/* components */

static cJSON *
inc_v2_comp_find(const cJSON *comps, uint64_t id)
{
    char          buf[INC_V2_ID_LEN];
    const cJSON  *c;

    inc_v2_id_text(buf, "", id);

    cJSON_ArrayForEach(c, comps) {
        if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")), buf)
            == 0)
        {
            return (cJSON *) c;
        }
    }

    return NULL;
}


static cJSON *
inc_v2_description(const cJSON *c1)
{
    const cJSON  *d;

    d = cJSON_GetObjectItemCaseSensitive(c1, "description");

    if (!cJSON_IsString(d) || d->valuestring[0] == '\0') {
        return cJSON_CreateNull();
    }

    return cJSON_CreateString(d->valuestring);
}


/* one v1 component at "position" (1-based) */
static cJSON *
inc_v2_component(const inc_v2_t *v2, const cJSON *c1, int position)
{
    int      ok, group;
    cJSON   *c;
    time_t   created;

    c = cJSON_CreateObject();
    if (c == NULL) {
        return NULL;
    }

    ok = 1;
    group = cJSON_IsTrue(cJSON_GetObjectItem(c1, "isGroup"));
    created = inc_v2_doc_time(c1, "createdAt");

    inc_v2_set(c, "id", inc_v2_id("", c1, "id"), &ok);
    inc_v2_set(c, "name", inc_v2_str(c1, "name"), &ok);
    inc_v2_set(c, "status", inc_v2_str(c1, "status"), &ok);
    inc_v2_set(c, "created_at", inc_v2_time(created), &ok);
    inc_v2_set(c, "updated_at", inc_v2_doc_time_item(c1, "updatedAt"), &ok);
    inc_v2_set(c, "position", cJSON_CreateNumber(position), &ok);
    inc_v2_set(c, "description", inc_v2_description(c1), &ok);
    inc_v2_set(c, "showcase", cJSON_CreateBool(!group), &ok);
    inc_v2_set(c, "start_date", inc_v2_date(created), &ok);
    inc_v2_set(c, "group_id", inc_rec_id(c1, "groupId")
                              ? inc_v2_id("", c1, "groupId")
                              : cJSON_CreateNull(), &ok);
    inc_v2_set(c, "page_id", cJSON_CreateString(v2->page_id), &ok);
    inc_v2_set(c, "group", cJSON_CreateBool(group), &ok);
    inc_v2_set(c, "only_show_if_degraded", cJSON_CreateFalse(), &ok);

    if (group) {
        /* filled by inc_v2_members() */
        inc_v2_set(c, "components", cJSON_CreateArray(), &ok);
    }

    return inc_v2_done(c, ok);
}


/* each group lists its members' ids, in page order */
static int
inc_v2_members(cJSON *comps)
{
    int           ok;
    cJSON        *g, *members;
    const cJSON  *c, *gid, *id;

    ok = 1;

    cJSON_ArrayForEach(c, comps) {
        gid = cJSON_GetObjectItem(c, "group_id");
        if (!cJSON_IsString(gid)) {
            continue;
        }

        g = inc_v2_comp_find(comps, strtoull(gid->valuestring, NULL, 10));
        members = cJSON_GetObjectItem(g, "components");
        id = cJSON_GetObjectItem(c, "id");

        if (members != NULL) {
            inc_v2_push(members, cJSON_CreateString(id->valuestring), &ok);
        }
    }

    return ok ? INC_OK : INC_ERROR;
}


static int
inc_v2_comps_map(inc_v2_t *v2, inc_comps_t *cs)
{
    int     ok;
    cJSON  *c1;
    size_t  i;

    ok = 1;

    for (i = 0; i < cs->n && ok; i++) {
        c1 = inc_comp_doc(&cs->comps[i]);
        if (c1 == NULL) {
            return INC_ERROR;
        }

        inc_v2_push(v2->comps, inc_v2_component(v2, c1, (int) i + 1), &ok);
        cJSON_Delete(c1);
    }

    return ok ? inc_v2_members(v2->comps) : INC_ERROR;
}


/* every document needs the page's components: incidents show them */
static int
inc_v2_comps_load(inc_v2_t *v2)
{
    int          rc;
    inc_comps_t  cs;

    rc = inc_comps_load(v2->txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    v2->comps = cJSON_CreateArray();

    rc = v2->comps ? inc_v2_comps_map(v2, &cs) : INC_ERROR;

    if (rc == INC_OK) {
        v2->overall = inc_comps_overall(&cs);
        rc = v2->overall < 0 ? INC_ERROR : INC_OK;
    }

    inc_comps_free(&cs);

    return rc;
}


/* the current v2 components that "ids" (v1 component ids) name */
static cJSON *
inc_v2_comp_list(const inc_v2_t *v2, const cJSON *ids)
{
    int           ok;
    cJSON        *list, *c;
    const cJSON  *id;

    list = cJSON_CreateArray();
    if (list == NULL) {
        return NULL;
    }

    ok = 1;

    cJSON_ArrayForEach(id, ids) {
        /* incidents keep the ids of deleted components: skipped */
        c = inc_v2_comp_find(v2->comps, (uint64_t) id->valuedouble);
        if (c != NULL) {
            inc_v2_push(list, cJSON_Duplicate(c, 1), &ok);
        }
    }

    return inc_v2_done(list, ok);
}


/* updates */

static int
inc_v2_names(const cJSON *ids, double id)
{
    const cJSON  *item;

    cJSON_ArrayForEach(item, ids) {
        if (item->valuedouble == id) {
            return 1;
        }
    }

    return 0;
}


/* what an update with "status" says of the components it names */
static const char *
inc_v2_new_status(int maintenance, const char *status)
{
    if (maintenance) {
        return strcmp(status, "in_progress") == 0
               || strcmp(status, "verifying") == 0
               ? "under_maintenance" : "operational";
    }

    return strcmp(status, "resolved") == 0 ? "operational"
                                            : "partial_outage";
}


static cJSON *
inc_v2_affected_one(const cJSON *c, const char *old_status,
    const char *new_status)
{
    int     ok;
    cJSON  *a;

    a = cJSON_CreateObject();
    if (a == NULL) {
        return NULL;
    }

    ok = 1;

    inc_v2_set(a, "code", cJSON_Duplicate(cJSON_GetObjectItem(c, "id"), 1),
               &ok);
    inc_v2_set(a, "name", cJSON_Duplicate(cJSON_GetObjectItem(c, "name"), 1),
               &ok);
    inc_v2_set(a, "old_status", cJSON_CreateString(old_status), &ok);
    inc_v2_set(a, "new_status", cJSON_CreateString(new_status), &ok);

    return inc_v2_done(a, ok);
}


/*
 * The components that update "u" names: a maintenance's updates all name
 * its components, an incident's the ones it had when it was posted.
 */
static const cJSON *
inc_v2_update_ids(const inc_v2_parent_t *p, const cJSON *u)
{
    return p->maint ? p->comp_ids : cJSON_GetObjectItem(u, "componentIds");
}


/*
 * The components update "u" names, with the status it gives them and the
 * one the previous (older) update gave them.
 */
static cJSON *
inc_v2_affected(const inc_v2_t *v2, const inc_v2_parent_t *p,
    const cJSON *u, const cJSON *older)
{
    int           ok, maint;
    cJSON        *list, *c;
    const char   *new_status, *old_status;
    const cJSON  *ids, *older_ids, *id;

    maint = p->maint;
    ids = inc_v2_update_ids(p, u);
    older_ids = older ? inc_v2_update_ids(p, older) : NULL;

    list = cJSON_CreateArray();
    if (list == NULL) {
        return NULL;
    }

    ok = 1;
    new_status = inc_v2_new_status(maint, inc_rec_str(u, "status"));

    cJSON_ArrayForEach(id, ids) {
        c = inc_v2_comp_find(v2->comps, (uint64_t) id->valuedouble);
        if (c == NULL) {
            continue;
        }

        old_status = older != NULL && inc_v2_names(older_ids, id->valuedouble)
                     ? inc_v2_new_status(maint, inc_rec_str(older, "status"))
                     : "operational";

        inc_v2_push(list, inc_v2_affected_one(c, old_status, new_status),
                    &ok);
    }

    if (ok && cJSON_GetArraySize(list) == 0) {
        cJSON_Delete(list);
        return cJSON_CreateNull();
    }

    return inc_v2_done(list, ok);
}


/* one v1 update of "p"; "older" is the one before it */
static cJSON *
inc_v2_update(const inc_v2_t *v2, const inc_v2_parent_t *p, const cJSON *u,
    const cJSON *older)
{
    int     ok;
    cJSON  *v;
    time_t  created, updated;

    v = cJSON_CreateObject();
    if (v == NULL) {
        return NULL;
    }

    ok = 1;
    created = inc_v2_doc_time(u, "createdAt");
    updated = inc_v2_doc_time(u, "updatedAt");

    inc_v2_set(v, "id", inc_v2_id(p->maint ? "mu" : "", u, "id"), &ok);
    inc_v2_set(v, "status", inc_v2_str(u, "status"), &ok);
    inc_v2_set(v, "body", inc_v2_str(u, "message"), &ok);
    inc_v2_set(v, "incident_id", cJSON_CreateString(p->id), &ok);
    inc_v2_set(v, "created_at", inc_v2_time(created), &ok);
    inc_v2_set(v, "updated_at", inc_v2_time(updated ? updated : created),
               &ok);
    inc_v2_set(v, "display_at", inc_v2_time(created), &ok);
    inc_v2_set(v, "affected_components",
               inc_v2_affected(v2, p, u, older), &ok);
    inc_v2_set(v, "deliver_notifications",
               cJSON_CreateBool(cJSON_IsTrue(cJSON_GetObjectItem(u,
                                                                 "notify"))),
               &ok);
    inc_v2_set(v, "custom_tweet", cJSON_CreateNull(), &ok);
    inc_v2_set(v, "tweet_id", cJSON_CreateNull(), &ok);

    return inc_v2_done(v, ok);
}


/* the v1 "updates" (newest first) of a document, as incident_updates */
static cJSON *
inc_v2_updates(const inc_v2_t *v2, const inc_v2_parent_t *p,
    const cJSON *doc)
{
    int           ok;
    cJSON        *list;
    const cJSON  *u;

    list = cJSON_CreateArray();
    if (list == NULL) {
        return NULL;
    }

    ok = 1;

    cJSON_ArrayForEach(u, cJSON_GetObjectItem(doc, "updates")) {
        inc_v2_push(list, inc_v2_update(v2, p, u, u->next), &ok);
    }

    return inc_v2_done(list, ok);
}


/* incidents and maintenances */

/* created_at of the newest update with status monitoring, or null */
static cJSON *
inc_v2_monitoring_at(const cJSON *i1)
{
    const cJSON  *u;

    cJSON_ArrayForEach(u, cJSON_GetObjectItem(i1, "updates")) {
        if (strcmp(inc_rec_str(u, "status"), "monitoring") == 0) {
            return inc_v2_doc_time_item(u, "createdAt");
        }
    }

    return cJSON_CreateNull();
}


/* page_id, incident_updates and components: the same for both kinds */
static void
inc_v2_event_tail(const inc_v2_t *v2, const inc_v2_parent_t *p, cJSON *e,
    const cJSON *doc, int *ok)
{
    inc_v2_set(e, "page_id", cJSON_CreateString(v2->page_id), ok);
    inc_v2_set(e, "incident_updates", inc_v2_updates(v2, p, doc), ok);
    inc_v2_set(e, "components",
               inc_v2_comp_list(v2, cJSON_GetObjectItem(doc, "componentIds")),
               ok);
}


static cJSON *
inc_v2_incident(const inc_v2_t *v2, const cJSON *i1)
{
    int              ok;
    char             id[INC_V2_ID_LEN];
    cJSON           *e;
    inc_v2_parent_t  p;

    e = cJSON_CreateObject();
    if (e == NULL) {
        return NULL;
    }

    ok = 1;
    inc_v2_id_text(id, "", inc_rec_id(i1, "id"));
    p.id = id;
    p.maint = 0;
    p.comp_ids = NULL;

    inc_v2_set(e, "id", cJSON_CreateString(id), &ok);
    inc_v2_set(e, "name", inc_v2_str(i1, "title"), &ok);
    inc_v2_set(e, "status", inc_v2_str(i1, "status"), &ok);
    inc_v2_set(e, "created_at", inc_v2_doc_time_item(i1, "createdAt"), &ok);
    inc_v2_set(e, "updated_at", inc_v2_doc_time_item(i1, "updatedAt"), &ok);
    inc_v2_set(e, "monitoring_at", inc_v2_monitoring_at(i1), &ok);
    inc_v2_set(e, "resolved_at", inc_v2_doc_time_item(i1, "resolvedAt"),
               &ok);
    inc_v2_set(e, "impact", inc_v2_str(i1, "impact"), &ok);
    inc_v2_set(e, "shortlink", inc_v2_str(i1, "url"), &ok);
    inc_v2_set(e, "started_at", inc_v2_doc_time_item(i1, "startedAt"), &ok);
    inc_v2_event_tail(v2, &p, e, i1, &ok);

    return inc_v2_done(e, ok);
}


static cJSON *
inc_v2_maintenance(const inc_v2_t *v2, const cJSON *m1)
{
    int              ok;
    char             id[INC_V2_ID_LEN];
    cJSON           *e;
    time_t           started;
    inc_v2_parent_t  p;

    e = cJSON_CreateObject();
    if (e == NULL) {
        return NULL;
    }

    ok = 1;
    inc_v2_id_text(id, "m", inc_rec_id(m1, "id"));
    started = inc_v2_doc_time(m1, "startedAt");
    p.id = id;
    p.maint = 1;
    p.comp_ids = cJSON_GetObjectItem(m1, "componentIds");

    inc_v2_set(e, "id", cJSON_CreateString(id), &ok);
    inc_v2_set(e, "name", inc_v2_str(m1, "title"), &ok);
    inc_v2_set(e, "status", inc_v2_str(m1, "status"), &ok);
    inc_v2_set(e, "created_at", inc_v2_doc_time_item(m1, "createdAt"), &ok);
    inc_v2_set(e, "updated_at", inc_v2_doc_time_item(m1, "updatedAt"), &ok);
    inc_v2_set(e, "monitoring_at", cJSON_CreateNull(), &ok);
    inc_v2_set(e, "resolved_at", inc_v2_doc_time_item(m1, "completedAt"),
               &ok);
    inc_v2_set(e, "impact", cJSON_CreateString("maintenance"), &ok);
    inc_v2_set(e, "shortlink", inc_v2_str(m1, "url"), &ok);
    inc_v2_set(e, "started_at", started ? inc_v2_time(started)
                     : inc_v2_doc_time_item(m1, "scheduledFor"), &ok);
    inc_v2_event_tail(v2, &p, e, m1, &ok);
    inc_v2_set(e, "scheduled_for", inc_v2_doc_time_item(m1, "scheduledFor"),
               &ok);
    inc_v2_set(e, "scheduled_until",
               inc_v2_doc_time_item(m1, "scheduledUntil"), &ok);

    return inc_v2_done(e, ok);
}


/* the document's parts */

/* the public base URL without a trailing slash */
static cJSON *
inc_v2_page_url(const char *base)
{
    size_t  len;
    cJSON  *url;

    url = cJSON_CreateString(base ? base : "");
    if (url == NULL) {
        return NULL;
    }

    len = strlen(url->valuestring);

    while (len > 0 && url->valuestring[len - 1] == '/') {
        url->valuestring[--len] = '\0';
    }

    return url;
}


static int
inc_v2_page(inc_v2_t *v2, cJSON *body)
{
    int          rc, ok;
    cJSON       *page, *settings;
    const char  *tz;

    rc = inc_settings_load(v2->txn, &settings);
    if (rc != INC_OK) {
        return rc;
    }

    page = cJSON_CreateObject();
    ok = page != NULL;
    tz = inc_rec_str(settings, "timezone");

    inc_v2_set(page, "id", cJSON_CreateString(v2->page_id), &ok);
    inc_v2_set(page, "name", inc_v2_str(settings, "pageTitle"), &ok);
    inc_v2_set(page, "url", inc_v2_page_url(v2->ctx->base_url), &ok);
    inc_v2_set(page, "time_zone",
               cJSON_CreateString(tz[0] ? tz : "Etc/UTC"), &ok);
    inc_v2_set(page, "updated_at",
               inc_v2_time(inc_txn_updated_at(v2->txn)), &ok);

    cJSON_Delete(settings);

    inc_v2_set(body, "page", page, &ok);

    return ok ? INC_OK : INC_ERROR;
}


static int
inc_v2_components(inc_v2_t *v2, cJSON *body)
{
    int  ok;

    ok = 1;
    inc_v2_set(body, "components", cJSON_Duplicate(v2->comps, 1), &ok);

    return ok ? INC_OK : INC_ERROR;
}


/* the worst impact of the unresolved incidents, as an indicator */
static int
inc_v2_incident_indicator(inc_txn_t *txn, int *worst)
{
    int         rc, impact;
    cJSON      *rec;
    inc_iter_t  it;

    *worst = INC_V2_NONE;

    rc = inc_iter_open(txn, INC_DB_ACTIVE, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
         rc = inc_iter_next(&it, NULL))
    {
        rc = inc_record_get(txn, INC_DB_INCIDENTS, it.key[0], 0, &rec);
        if (rc == INC_NOTFOUND) {
            continue;
        }

        if (rc != INC_OK) {
            break;
        }

        impact = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                               inc_rec_str(rec, "impact"));
        cJSON_Delete(rec);

        /* critical (0) .. none (3) to critical (3) .. none (0) */
        if (impact >= 0 && INC_IMPACT_NONE - impact > *worst) {
            *worst = INC_IMPACT_NONE - impact;
        }
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


/*
 * Our overall status, raised by the unresolved incidents' impact; a page
 * under maintenance says so only while no incident raises it.
 */
static int
inc_v2_status(inc_v2_t *v2, cJSON *body)
{
    int     rc, ok, indicator, worst;
    cJSON  *status;

    rc = inc_v2_incident_indicator(v2->txn, &worst);
    if (rc != INC_OK) {
        return rc;
    }

    indicator = inc_v2_overall_indicator[v2->overall];

    if (indicator == INC_V2_MAINTENANCE) {
        indicator = worst != INC_V2_NONE ? worst : INC_V2_MAINTENANCE;

    } else if (worst > indicator) {
        indicator = worst;
    }

    status = cJSON_CreateObject();
    ok = status != NULL;

    inc_v2_set(status, "indicator",
               cJSON_CreateString(inc_v2_indicators[indicator]), &ok);
    inc_v2_set(status, "description",
               cJSON_CreateString(inc_v2_descriptions[indicator]), &ok);
    inc_v2_set(body, "status", status, &ok);

    return ok ? INC_OK : INC_ERROR;
}


/* incident "id" mapped onto "list"; a record gone missing is skipped */
static int
inc_v2_incident_add(inc_v2_t *v2, uint64_t id, cJSON *list, int *added)
{
    int     rc, ok;
    cJSON  *rec, *i1;

    *added = 0;

    rc = inc_record_get(v2->txn, INC_DB_INCIDENTS, id, 0, &rec);
    if (rc != INC_OK) {
        return rc == INC_NOTFOUND ? INC_OK : rc;
    }

    rc = inc_incident_doc(v2->txn, v2->ctx, rec, &i1);
    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    ok = 1;
    inc_v2_push(list, inc_v2_incident(v2, i1), &ok);
    cJSON_Delete(i1);

    *added = ok;

    return ok ? INC_OK : INC_ERROR;
}


/* "incidents": the ids of "index", newest first, at most "limit" */
static int
inc_v2_incident_list(inc_v2_t *v2, cJSON *body, inc_db_t index, int limit)
{
    int         rc, n, added;
    cJSON      *list;
    inc_iter_t  it;

    list = cJSON_AddArrayToObject(body, "incidents");
    if (list == NULL) {
        return INC_ERROR;
    }

    rc = inc_iter_open(v2->txn, index, &it);
    if (rc != INC_OK) {
        return rc;
    }

    n = 0;

    for (rc = inc_iter_last(&it, NULL); rc == INC_OK && n < limit;
         rc = inc_iter_prev(&it, NULL))
    {
        rc = inc_v2_incident_add(v2, it.key[0], list, &added);
        if (rc != INC_OK) {
            break;
        }

        n += added;
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


static int
inc_v2_incidents(inc_v2_t *v2, cJSON *body)
{
    return inc_v2_incident_list(v2, body, INC_DB_INCIDENTS, INC_V2_LIMIT);
}


static int
inc_v2_unresolved(inc_v2_t *v2, cJSON *body)
{
    return inc_v2_incident_list(v2, body, INC_DB_ACTIVE, INT_MAX);
}


/* "scheduled_maintenances": the v1 lists "first" then "second" of "from" */
static int
inc_v2_maint_map(inc_v2_t *v2, cJSON *body, const cJSON *from,
    const char *first, const char *second)
{
    int           ok;
    cJSON        *list;
    const cJSON  *m;

    list = cJSON_AddArrayToObject(body, "scheduled_maintenances");
    if (list == NULL) {
        return INC_ERROR;
    }

    ok = 1;

    cJSON_ArrayForEach(m, cJSON_GetObjectItem(from, first)) {
        inc_v2_push(list, inc_v2_maintenance(v2, m), &ok);
    }

    if (second != NULL) {
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(from, second)) {
            inc_v2_push(list, inc_v2_maintenance(v2, m), &ok);
        }
    }

    return ok ? INC_OK : INC_ERROR;
}


/* in progress or verifying ("first"), then scheduled, soonest first */
static int
inc_v2_maint_open(inc_v2_t *v2, cJSON *body, const char *first,
    const char *second)
{
    int     rc;
    cJSON  *lists;

    lists = cJSON_CreateObject();
    if (lists == NULL) {
        return INC_ERROR;
    }

    rc = inc_maintenance_page_lists(v2->txn, v2->ctx, lists);

    if (rc == INC_OK) {
        rc = inc_v2_maint_map(v2, body, lists, first, second);
    }

    cJSON_Delete(lists);

    return rc;
}


static int
inc_v2_maint_summary(inc_v2_t *v2, cJSON *body)
{
    return inc_v2_maint_open(v2, body, "activeMaintenances",
                             "upcomingMaintenances");
}


static int
inc_v2_maint_active(inc_v2_t *v2, cJSON *body)
{
    return inc_v2_maint_open(v2, body, "activeMaintenances", NULL);
}


static int
inc_v2_maint_upcoming(inc_v2_t *v2, cJSON *body)
{
    return inc_v2_maint_open(v2, body, "upcomingMaintenances", NULL);
}


/* the 50 newest, any status */
static int
inc_v2_maint_recent(inc_v2_t *v2, cJSON *body)
{
    int     rc;
    cJSON  *lists;

    lists = cJSON_CreateObject();
    if (lists == NULL) {
        return INC_ERROR;
    }

    rc = inc_maintenance_recent(v2->txn, v2->ctx, INC_STATE_ALL,
                                INC_V2_LIMIT, lists);

    if (rc == INC_OK) {
        rc = inc_v2_maint_map(v2, body, lists, "maintenances", NULL);
    }

    cJSON_Delete(lists);

    return rc;
}


/* the documents: paths under /api/v2/ and their members, in order */
static const inc_v2_doc_def_t  inc_v2_docs[INC_V2_COUNT] = {
    { "summary.json",
      { inc_v2_page, inc_v2_components, inc_v2_unresolved,
        inc_v2_maint_summary, inc_v2_status, NULL } },
    { "status.json", { inc_v2_page, inc_v2_status, NULL } },
    { "components.json", { inc_v2_page, inc_v2_components, NULL } },
    { "incidents.json", { inc_v2_page, inc_v2_incidents, NULL } },
    { "incidents/unresolved.json", { inc_v2_page, inc_v2_unresolved, NULL } },
    { "scheduled-maintenances.json",
      { inc_v2_page, inc_v2_maint_recent, NULL } },
    { "scheduled-maintenances/upcoming.json",
      { inc_v2_page, inc_v2_maint_upcoming, NULL } },
    { "scheduled-maintenances/active.json",
      { inc_v2_page, inc_v2_maint_active, NULL } }
};


int
inc_v2_doc_find(const char *path, size_t len)
{
    int  i;

    if (path == NULL) {
        return -1;
    }

    for (i = 0; i < INC_V2_COUNT; i++) {
        if (strlen(inc_v2_docs[i].path) == len
            && memcmp(inc_v2_docs[i].path, path, len) == 0)
        {
            return i;
        }
    }

    return -1;
}


static int
inc_v2_build(inc_v2_t *v2, inc_v2_doc_t doc, cJSON **out)
{
    int                    rc;
    cJSON                 *body;
    const inc_v2_part_pt  *part;

    *out = NULL;

    body = cJSON_CreateObject();
    if (body == NULL) {
        return INC_ERROR;
    }

    rc = INC_OK;

    for (part = inc_v2_docs[doc].parts; *part && rc == INC_OK; part++) {
        rc = (*part)(v2, body);
    }

    if (rc != INC_OK) {
        cJSON_Delete(body);
        return rc;
    }

    *out = body;

    return INC_OK;
}


void
inc_service_v2(inc_store_t *store, const inc_ctx_t *ctx, inc_v2_doc_t doc,
    inc_result_t *res)
{
    int        rc;
    cJSON     *body;
    inc_v2_t   v2;
    inc_txn_t  txn;

    if ((unsigned) doc >= INC_V2_COUNT) {
        memset(res, 0, sizeof(inc_result_t));
        inc_result_problem(res, 404, "There is no such document.", NULL);
        return;
    }

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    memset(&v2, 0, sizeof(inc_v2_t));
    v2.txn = &txn;
    v2.ctx = ctx;

    body = NULL;

    /* the secret never changes: its own read does not split the view */
    rc = inc_v2_page_id(store, v2.page_id);

    if (rc == INC_OK) {
        rc = inc_v2_comps_load(&v2);
    }

    if (rc == INC_OK) {
        rc = inc_v2_build(&v2, doc, &body);
    }

    cJSON_Delete(v2.comps);

    /* a record that vanished mid-way is the store's fault, never a 404 */
    inc_read_end(&txn, rc == INC_NOTFOUND ? INC_ERROR : rc, 200, body, res);
}
