/*
 * The documents the public pages are rendered from: one read transaction
 * each, the same store code and status rules as the API.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_json.h"
#include "incident_uptime.h"
#include "incident_service.h"
#include "incident_service_int.h"


#define INC_DAY             86400
#define INC_RECENT_DAYS     14


/* an incident that touches the uptime window */
typedef struct {
    cJSON      *rec;
    uint64_t    id;
    time_t      from;
    time_t      to;
} inc_hist_t;

typedef struct {
    inc_hist_t  *items;
    size_t       n;
} inc_hists_t;

typedef struct {
    inc_span_t  *items;
    size_t       n;
    size_t       cap;
} inc_spans_t;


static void
inc_hists_free(inc_hists_t *h)
{
    size_t  i;

    for (i = 0; i < h->n; i++) {
        cJSON_Delete(h->items[i].rec);
    }

    free(h->items);
    h->items = NULL;
    h->n = 0;
}


/* every incident that was open at some time since "since", newest first */
static int
inc_hists_load(inc_txn_t *txn, time_t since, time_t now, inc_hists_t *h)
{
    int          rc;
    size_t       cap;
    time_t       to;
    cJSON       *rec;
    inc_hist_t  *p;
    inc_iter_t   it;

    h->items = NULL;
    h->n = 0;
    cap = 0;

    rc = inc_iter_open(txn, INC_DB_INCIDENTS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_last(&it, &rec); rc == INC_OK;
         rc = inc_iter_prev(&it, &rec))
    {
        to = inc_rec_time(rec, "resolvedAt");
        if (to == 0) {
            to = now;
        }

        if (to < since) {
            cJSON_Delete(rec);
            continue;
        }

        if (h->n == cap) {
            cap = cap ? cap * 2 : 32;
            p = realloc(h->items, cap * sizeof(inc_hist_t));
            if (p == NULL) {
                cJSON_Delete(rec);
                rc = INC_ERROR;
                break;
            }
            h->items = p;
        }

        p = &h->items[h->n++];
        p->rec = rec;
        p->id = it.key[0];
        p->from = inc_rec_time(rec, "startedAt");
        p->to = to;
    }

    inc_iter_close(&it);

    if (rc != INC_NOTFOUND) {
        inc_hists_free(h);
        return rc;
    }

    return INC_OK;
}


static int
inc_spans_add(inc_spans_t *s, time_t from, time_t to, int status)
{
    inc_span_t  *p;

    if (from >= to) {
        return INC_OK;
    }

    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 16;
        p = realloc(s->items, s->cap * sizeof(inc_span_t));
        if (p == NULL) {
            return INC_ERROR;
        }
        s->items = p;
    }

    s->items[s->n].from = from;
    s->items[s->n].to = to;
    s->items[s->n].status = status;
    s->n++;

    return INC_OK;
}


static int
inc_hist_names(const inc_hist_t *h, uint64_t component_id)
{
    const cJSON  *id;

    cJSON_ArrayForEach(id, cJSON_GetObjectItem(h->rec, "componentIds")) {
        if ((uint64_t) id->valuedouble == component_id) {
            return 1;
        }
    }

    return 0;
}


/*
 * The spans of one component: its base statuses as logged, and a partial
 * outage for every incident that names it.  "since" moves back to the
 * earliest of its creation and the incidents that name it: an incident
 * recorded after the fact shows the component as it was then.
 */
static int
inc_spans_component(inc_txn_t *txn, const inc_comp_t *c,
    const inc_hists_t *hists, time_t now, char *linked, inc_spans_t *spans,
    time_t *since)
{
    int          rc, status, prev_status;
    size_t       i;
    time_t       at, prev_at, created;
    cJSON       *rec;
    inc_iter_t   it;

    created = inc_rec_time(c->rec, "createdAt");
    if (created < *since) {
        *since = created;
    }

    for (i = 0; i < hists->n; i++) {
        if (!inc_hist_names(&hists->items[i], c->state.id)) {
            continue;
        }

        linked[i] = 1;

        if (hists->items[i].from < *since) {
            *since = hists->items[i].from;
        }

        if (inc_spans_add(spans, hists->items[i].from, hists->items[i].to,
                          INC_COMP_PARTIAL_OUTAGE)
            != INC_OK)
        {
            return INC_ERROR;
        }
    }

    rc = inc_iter_open(txn, INC_DB_STATUS_LOG, &it);
    if (rc != INC_OK) {
        return rc;
    }

    prev_at = 0;
    prev_status = INC_COMP_OPERATIONAL;

    for (rc = inc_iter_seek(&it, c->state.id, 0, &rec);
         rc == INC_OK && it.key[0] == c->state.id;
         rc = inc_iter_next(&it, &rec))
    {
        at = inc_rec_time(rec, "at");
        status = inc_enum_find(inc_component_statuses, INC_COMP_COUNT,
                               inc_rec_str(rec, "status"));
        cJSON_Delete(rec);

        if (prev_at
            && inc_spans_add(spans, prev_at, at, prev_status) != INC_OK)
        {
            rc = INC_ERROR;
            break;
        }

        prev_at = at;
        prev_status = status < 0 ? INC_COMP_OPERATIONAL : status;
    }

    if (rc == INC_OK) {
        cJSON_Delete(rec);      /* the first entry of the next component */
        rc = INC_NOTFOUND;
    }

    inc_iter_close(&it);

    if (rc != INC_NOTFOUND) {
        return rc;
    }

    if (prev_at && inc_spans_add(spans, prev_at, now + 1, prev_status)
                   != INC_OK)
    {
        return INC_ERROR;
    }

    return INC_OK;
}


static cJSON *
inc_uptime_doc(const inc_uptime_day_t *days, time_t first,
    const inc_hists_t *hists, const char *linked)
{
    int          d;
    char         date[INC_RFC3339_LEN + 1];
    cJSON       *doc, *list, *day, *incs, *inc;
    size_t       i;
    time_t       from, to;

    doc = cJSON_CreateObject();
    list = cJSON_AddArrayToObject(doc, "days");

    if (doc == NULL || list == NULL) {
        cJSON_Delete(doc);
        return NULL;
    }

    cJSON_AddNumberToObject(doc, "percent",
                            inc_uptime_percent(days, INC_UPTIME_DAYS));

    for (d = 0; d < INC_UPTIME_DAYS; d++) {
        from = first + (time_t) d * INC_DAY;
        to = from + INC_DAY;

        day = cJSON_CreateObject();
        cJSON_AddItemToArray(list, day);

        inc_time_format(from, date);
        date[10] = '\0';
        cJSON_AddStringToObject(day, "date", date);

        if (days[d].status == INC_UPTIME_NO_DATA) {
            cJSON_AddNullToObject(day, "status");

        } else {
            cJSON_AddStringToObject(day, "status",
                             inc_component_statuses[days[d].status].value);
        }

        incs = cJSON_AddArrayToObject(day, "incidents");

        for (i = 0; i < hists->n; i++) {
            if (!linked[i] || hists->items[i].from >= to
                || hists->items[i].to <= from)
            {
                continue;
            }

            inc = cJSON_CreateObject();
            cJSON_AddNumberToObject(inc, "id", (double) hists->items[i].id);
            cJSON_AddStringToObject(inc, "title",
                                    inc_rec_str(hists->items[i].rec,
                                                "title"));
            cJSON_AddItemToArray(incs, inc);
        }
    }

    return doc;
}


/* 90 days of one component (a group: with its members) */
static int
inc_component_uptime(inc_txn_t *txn, inc_comps_t *cs, size_t k,
    const inc_hists_t *hists, time_t now, cJSON **out)
{
    int                rc;
    char              *linked;
    size_t             i;
    time_t             since;
    inc_spans_t        spans;
    inc_uptime_day_t   days[INC_UPTIME_DAYS];

    *out = NULL;

    linked = calloc(hists->n + 1, 1);
    if (linked == NULL) {
        return INC_ERROR;
    }

    memset(&spans, 0, sizeof(inc_spans_t));
    since = now;

    rc = inc_spans_component(txn, &cs->comps[k], hists, now, linked, &spans,
                             &since);

    for (i = 0; rc == INC_OK && i < cs->n; i++) {
        if (cs->comps[i].state.group_id == cs->comps[k].state.id && i != k) {
            rc = inc_spans_component(txn, &cs->comps[i], hists, now, linked,
                                     &spans, &since);
        }
    }

    if (rc == INC_OK) {
        inc_uptime_days(spans.items, spans.n, since, now, INC_UPTIME_DAYS,
                        days);
        *out = inc_uptime_doc(days,
                              inc_day_start(now)
                              - (INC_UPTIME_DAYS - 1) * INC_DAY,
                              hists, linked);
        rc = *out ? INC_OK : INC_ERROR;
    }

    free(spans.items);
    free(linked);

    return rc;
}


/* settings and components, which every page shows */
static int
inc_page_base(inc_txn_t *txn, inc_comps_t *cs, cJSON *doc)
{
    int     rc;
    cJSON  *settings;

    rc = inc_settings_load(txn, &settings);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddItemToObject(doc, "settings", inc_json_settings(settings));
    cJSON_Delete(settings);

    return inc_comps_load(txn, cs);
}


static cJSON *
inc_page_components(inc_comps_t *cs)
{
    size_t  i;
    cJSON  *list;

    list = cJSON_CreateArray();

    for (i = 0; list && i < cs->n; i++) {
        cJSON_AddItemToArray(list, inc_comp_doc(&cs->comps[i]));
    }

    return list;
}


void
inc_service_page_home(inc_store_t *store, const inc_ctx_t *ctx,
    inc_result_t *res)
{
    int           rc;
    cJSON        *doc, *comps, *active, *recent, *inc, *uptime;
    size_t        i;
    time_t        window, recent_since;
    inc_txn_t     txn;
    inc_comps_t   cs;
    inc_hists_t   hists;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = cJSON_CreateObject();
    if (doc == NULL) {
        inc_read_end(&txn, INC_ERROR, 0, NULL, res);
        return;
    }

    rc = inc_page_base(&txn, &cs, doc);
    if (rc != INC_OK) {
        inc_read_end(&txn, rc, 0, doc, res);
        return;
    }

    window = inc_day_start(ctx->now) - (INC_UPTIME_DAYS - 1) * INC_DAY;
    recent_since = inc_day_start(ctx->now) - (INC_RECENT_DAYS - 1) * INC_DAY;

    rc = inc_hists_load(&txn, window, ctx->now, &hists);
    if (rc != INC_OK) {
        inc_comps_free(&cs);
        inc_read_end(&txn, rc, 0, doc, res);
        return;
    }

    rc = inc_overall_doc(&cs, doc);
    inc_json_add_time(doc, "updatedAt", inc_txn_updated_at(&txn));

    comps = cJSON_AddArrayToObject(doc, "components");
    active = cJSON_AddArrayToObject(doc, "activeIncidents");
    recent = cJSON_AddArrayToObject(doc, "recentIncidents");

    for (i = 0; rc == INC_OK && i < cs.n; i++) {
        rc = inc_component_uptime(&txn, &cs, i, &hists, ctx->now, &uptime);

        if (rc == INC_OK) {
            inc = inc_comp_doc(&cs.comps[i]);
            cJSON_AddItemToObject(inc, "uptime", uptime);
            cJSON_AddItemToArray(comps, inc);
        }
    }

    for (i = 0; rc == INC_OK && i < hists.n; i++) {
        if (hists.items[i].to < recent_since) {
            continue;
        }

        rc = inc_incident_doc(&txn, ctx, hists.items[i].rec, &inc);
        if (rc != INC_OK) {
            break;
        }

        if (inc_rec_time(hists.items[i].rec, "resolvedAt") == 0) {
            cJSON_AddItemToArray(active, cJSON_Duplicate(inc, 1));
        }

        cJSON_AddItemToArray(recent, inc);
    }

    if (rc == INC_OK) {
        rc = inc_maintenance_page_lists(&txn, ctx, doc);
    }

    inc_hists_free(&hists);
    inc_comps_free(&cs);

    inc_read_end(&txn, rc, 200, doc, res);
}


/* one incident or maintenance with the page's settings and components */
static void
inc_page_object(inc_store_t *store, const inc_ctx_t *ctx, inc_db_t db,
    uint64_t id, int (*make)(inc_txn_t *txn, const inc_ctx_t *ctx,
    const cJSON *rec, cJSON **out), const char *key, inc_result_t *res)
{
    int           rc;
    cJSON        *doc, *rec, *obj;
    inc_txn_t     txn;
    inc_comps_t   cs;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    rc = inc_record_get(&txn, db, id, 0, &rec);

    if (rc == INC_NOTFOUND) {
        inc_result_not_found(res, key);
        inc_read_end(&txn, rc, 0, NULL, res);
        return;
    }

    doc = cJSON_CreateObject();

    if (rc != INC_OK || doc == NULL) {
        inc_read_end(&txn, rc == INC_OK ? INC_ERROR : rc, 0, doc, res);
        return;
    }

    rc = make(&txn, ctx, rec, &obj);
    cJSON_Delete(rec);

    if (rc == INC_OK) {
        cJSON_AddItemToObject(doc, key, obj);
        rc = inc_page_base(&txn, &cs, doc);
    }

    if (rc == INC_OK) {
        cJSON_AddItemToObject(doc, "components", inc_page_components(&cs));
        inc_comps_free(&cs);
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


void
inc_service_page_incident(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res)
{
    inc_page_object(store, ctx, INC_DB_INCIDENTS, id, inc_incident_doc,
                    "incident", res);
}


void
inc_service_page_maintenance(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res)
{
    inc_page_object(store, ctx, INC_DB_MAINTENANCES, id, inc_maintenance_doc,
                    "maintenance", res);
}


/* newest first by id (creation), from the id "page->cursor" */
static int
inc_page_by_id(inc_txn_t *txn, const inc_ctx_t *ctx, const inc_page_t *page,
    cJSON *list, uint64_t *next)
{
    int          rc, n;
    cJSON       *rec, *inc;
    inc_iter_t   it;

    n = 0;

    rc = inc_iter_open(txn, INC_DB_INCIDENTS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    rc = page->cursor ? inc_iter_seek_before(&it, page->cursor, 0, &rec)
                      : inc_iter_last(&it, &rec);

    for ( /* void */ ; rc == INC_OK; rc = inc_iter_prev(&it, &rec)) {
        if (page->state != INC_STATE_ALL
            && inc_record_exists(txn, INC_DB_ACTIVE, it.key[0], 0)
               != (page->state == INC_STATE_ACTIVE))
        {
            cJSON_Delete(rec);
            continue;
        }

        if (n == page->limit) {
            cJSON_Delete(rec);
            *next = inc_rec_id(cJSON_GetArrayItem(list, n - 1), "id");
            break;
        }

        rc = inc_incident_doc(txn, ctx, rec, &inc);
        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }

        cJSON_AddItemToArray(list, inc);
        n++;
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


typedef struct {
    time_t      started;
    uint64_t    id;
} inc_start_t;


static int
inc_start_cmp(const void *one, const void *two)
{
    const inc_start_t  *a = one, *b = two;

    if (a->started != b->started) {
        return a->started > b->started ? -1 : 1;
    }

    return a->id > b->id ? -1 : a->id < b->id;
}


/*
 * Newest startedAt first, for history: an incident recorded after the
 * fact goes where it happened.  "page->cursor" is an offset here.
 */
static int
inc_page_by_start(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_page_t *page, cJSON *list, uint64_t *next)
{
    int           rc;
    cJSON        *rec, *inc;
    size_t        n, cap, i, end;
    inc_iter_t    it;
    inc_start_t  *all, *p;

    all = NULL;
    n = 0;
    cap = 0;

    rc = inc_iter_open(txn, INC_DB_INCIDENTS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
         rc = inc_iter_next(&it, &rec))
    {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            p = realloc(all, cap * sizeof(inc_start_t));
            if (p == NULL) {
                cJSON_Delete(rec);
                rc = INC_ERROR;
                break;
            }
            all = p;
        }

        all[n].started = inc_rec_time(rec, "startedAt");
        all[n].id = it.key[0];
        n++;

        cJSON_Delete(rec);
    }

    inc_iter_close(&it);

    if (rc != INC_NOTFOUND) {
        free(all);
        return rc;
    }

    if (n > 1) {
        qsort(all, n, sizeof(inc_start_t), inc_start_cmp);
    }

    end = page->cursor + (size_t) page->limit;
    if (end > n) {
        end = n;
    }

    rc = INC_OK;

    for (i = page->cursor; i < end && rc == INC_OK; i++) {
        rc = inc_record_get(txn, INC_DB_INCIDENTS, all[i].id, 0, &rec);
        if (rc != INC_OK) {
            break;
        }

        rc = inc_incident_doc(txn, ctx, rec, &inc);
        cJSON_Delete(rec);

        if (rc == INC_OK) {
            cJSON_AddItemToArray(list, inc);
        }
    }

    *next = end < n ? end : 0;
    free(all);

    return rc;
}


/*
 * Incidents newest first from "page->cursor", with the page's settings
 * and components: the history pages (limit) and the feeds.
 */
void
inc_service_page_incidents(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_result_t *res)
{
    int           rc;
    cJSON        *doc, *list;
    uint64_t      next;
    inc_txn_t     txn;
    inc_comps_t   cs;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = cJSON_CreateObject();
    if (doc == NULL) {
        inc_read_end(&txn, INC_ERROR, 0, NULL, res);
        return;
    }

    rc = inc_page_base(&txn, &cs, doc);
    if (rc != INC_OK) {
        inc_read_end(&txn, rc, 0, doc, res);
        return;
    }

    cJSON_AddItemToObject(doc, "components", inc_page_components(&cs));
    inc_comps_free(&cs);

    list = cJSON_AddArrayToObject(doc, "incidents");
    next = 0;

    if (page->by_start) {
        rc = inc_page_by_start(&txn, ctx, page, list, &next);

    } else {
        rc = inc_page_by_id(&txn, ctx, page, list, &next);
    }

    /* the history's first page and the feeds: maintenance windows too */
    if (rc == INC_OK && page->cursor == 0) {
        rc = inc_maintenance_recent(&txn, ctx,
                                    page->by_start ? INC_STATE_PAST
                                                   : INC_STATE_ALL,
                                    page->limit, doc);
    }

    if (next) {
        char  buf[32];

        snprintf(buf, sizeof(buf), "%llu", (unsigned long long) next);
        cJSON_AddStringToObject(doc, "nextCursor", buf);

    } else {
        cJSON_AddNullToObject(doc, "nextCursor");
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


/* settings and components: what the admin forms are drawn from */
void
inc_service_page_base(inc_store_t *store, inc_result_t *res)
{
    int           rc;
    cJSON        *doc;
    inc_txn_t     txn;
    inc_comps_t   cs;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = cJSON_CreateObject();

    rc = doc ? inc_page_base(&txn, &cs, doc) : INC_ERROR;

    if (rc == INC_OK) {
        cJSON_AddItemToObject(doc, "components", inc_page_components(&cs));
        inc_comps_free(&cs);
    }

    inc_read_end(&txn, rc, 200, doc, res);
}
