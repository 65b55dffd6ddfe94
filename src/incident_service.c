/*
 * API operations over the store.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_json.h"
#include "incident_service.h"
#include "incident_service_int.h"
#include "incident_queue.h"


typedef int (*inc_op_pt)(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);

static int inc_op_incident_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_update_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_update_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_component_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_component_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_component_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_settings_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);
static int inc_op_component_move(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);


static const inc_op_pt  inc_ops[INC_OP_COUNT] = {
    inc_op_incident_create,
    inc_op_incident_patch,
    inc_op_incident_delete,
    inc_op_update_create,
    inc_op_update_patch,
    inc_op_update_delete,
    inc_op_component_create,
    inc_op_component_patch,
    inc_op_component_delete,
    inc_op_settings_patch,
    inc_op_component_move,
    inc_op_subscribe,
    inc_op_subscriber_create,
    inc_op_subscriber_delete,
    inc_op_subscriber_confirm,
    inc_op_unsubscribe,
    inc_op_dead_retry,
    inc_op_maintenance_create,
    inc_op_maintenance_patch,
    inc_op_maintenance_delete,
    inc_op_maintenance_update,
    inc_op_alertmanager,
};


void
inc_result_free(inc_result_t *res)
{
    cJSON_Delete(res->body);
    res->body = NULL;
}


void
inc_result_problem(inc_result_t *res, int status, const char *detail,
    cJSON *errors)
{
    inc_result_free(res);

    res->status = status;
    res->body = inc_json_problem(status, detail, errors);
    res->location[0] = '\0';
}


void
inc_result_ok(inc_result_t *res, int status, cJSON *body)
{
    inc_result_free(res);

    res->status = body != NULL || status == 204 ? status : 500;
    res->body = body;
}


void
inc_result_store_failed(inc_result_t *res, inc_txn_t *txn, int rc)
{
    res->store_error = inc_txn_error(txn);

    if (rc == INC_FULL) {
        inc_result_problem(res, 507, "The store is full: the change was "
                           "not made. Reads keep working.", NULL);
        return;
    }

    inc_result_problem(res, 503, "The store is unavailable: the change "
                       "was not made.", NULL);
}


int
inc_result_not_found(inc_result_t *res, const char *what)
{
    char  detail[128];

    snprintf(detail, sizeof(detail), "No %s has this id.", what);
    inc_result_problem(res, 404, detail, NULL);

    return INC_OK;
}


int
inc_result_invalid(inc_result_t *res, cJSON *errors)
{
    inc_result_problem(res, 422, "Some fields are invalid; nothing was "
                       "changed.", errors);

    return INC_OK;
}


const cJSON *
inc_field(const cJSON *obj, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(obj, name);
}


void
inc_set(cJSON *obj, const char *name, cJSON *item)
{
    if (item == NULL) {
        return;
    }

    if (cJSON_GetObjectItemCaseSensitive(obj, name) == NULL) {
        inc_json_add(obj, name, item);

    } else if (!cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item)) {
        cJSON_Delete(item);
    }
}


void
inc_set_copy(cJSON *obj, const cJSON *from, const char *name)
{
    const cJSON  *item;

    item = inc_field(from, name);
    if (item != NULL) {
        inc_set(obj, name, cJSON_Duplicate(item, 1));
    }
}


void
inc_set_time(cJSON *obj, const char *name, time_t t)
{
    inc_set(obj, name, t ? cJSON_CreateNumber((double) t)
                         : cJSON_CreateNull());
}


int
inc_audit(inc_txn_t *txn, const inc_ctx_t *ctx, const char *action,
    const char *type, uint64_t object_id)
{
    int       rc;
    cJSON    *rec;
    uint64_t  id;

    rc = inc_record_new(txn, "audit", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddNumberToObject(rec, "at", (double) ctx->now);
    cJSON_AddStringToObject(rec, "actor", ctx->actor ? ctx->actor : "");
    cJSON_AddStringToObject(rec, "action", action);
    cJSON_AddStringToObject(rec, "objectType", type);
    cJSON_AddNumberToObject(rec, "objectId", (double) object_id);

    rc = inc_record_put(txn, INC_DB_AUDIT, id, 0, rec);
    cJSON_Delete(rec);

    return rc;
}


/* the components "ids" names all exist, or a 422 is in "res" */
int
inc_components_known(inc_txn_t *txn, const cJSON *ids, inc_result_t *res)
{
    int     rc;
    cJSON  *errors;

    errors = cJSON_CreateArray();
    if (errors == NULL) {
        return INC_ERROR;
    }

    rc = inc_check_components(txn, ids, errors);

    if (rc != INC_OK || cJSON_GetArraySize(errors) == 0) {
        cJSON_Delete(errors);
        return rc;
    }

    return inc_result_invalid(res, errors);
}


/* every id in "ids" must name a component; else one error entry */
int
inc_check_components(inc_txn_t *txn, const cJSON *ids, cJSON *errors)
{
    int           rc;
    char          msg[96];
    const cJSON  *item;

    cJSON_ArrayForEach(item, ids) {
        rc = inc_record_get(txn, INC_DB_COMPONENTS,
                            (uint64_t) item->valuedouble, 0, NULL);

        if (rc == INC_NOTFOUND) {
            snprintf(msg, sizeof(msg), "names unknown component %.0f",
                     item->valuedouble);
            inc_error_add(errors, "componentIds", msg);
            return INC_OK;
        }

        if (rc != INC_OK) {
            return rc;
        }
    }

    return INC_OK;
}


/* the API updates of one incident, newest first */
int
inc_updates_doc(inc_txn_t *txn, uint64_t id, cJSON **out)
{
    return inc_timeline_doc(txn, INC_DB_UPDATES, id, inc_json_update, out);
}


/* the updates of an incident or a maintenance, newest first */
int
inc_timeline_doc(inc_txn_t *txn, inc_db_t db, uint64_t id, inc_doc_pt doc,
    cJSON **out)
{
    int          rc;
    cJSON       *list, *rec;
    inc_iter_t   it;

    *out = NULL;

    list = cJSON_CreateArray();
    if (list == NULL) {
        return INC_ERROR;
    }

    rc = inc_iter_open(txn, db, &it);
    if (rc != INC_OK) {
        cJSON_Delete(list);
        return rc;
    }

    for (rc = inc_iter_seek_before(&it, id + 1, 0, &rec);
         rc == INC_OK && it.key[0] == id;
         rc = inc_iter_prev(&it, &rec))
    {
        cJSON_AddItemToArray(list, doc(rec));
        cJSON_Delete(rec);
    }

    if (rc == INC_OK) {
        cJSON_Delete(rec);      /* the first record of another incident */

    } else if (rc != INC_NOTFOUND) {
        inc_iter_close(&it);
        cJSON_Delete(list);
        return rc;
    }

    inc_iter_close(&it);
    *out = list;

    return INC_OK;
}


int
inc_incident_doc(inc_txn_t *txn, const inc_ctx_t *ctx, const cJSON *rec,
    cJSON **out)
{
    int     rc;
    cJSON  *updates;

    rc = inc_updates_doc(txn, inc_rec_id(rec, "id"), &updates);
    if (rc != INC_OK) {
        return rc;
    }

    *out = inc_json_incident(rec, updates, ctx->base_url);

    return *out ? INC_OK : INC_ERROR;
}


void
inc_comps_free(inc_comps_t *cs)
{
    size_t  i;

    for (i = 0; i < cs->n; i++) {
        cJSON_Delete(cs->comps[i].rec);
    }

    free(cs->comps);
    free(cs->unlinked);
    memset(cs, 0, sizeof(inc_comps_t));
}


inc_comp_t *
inc_comps_find(inc_comps_t *cs, uint64_t id)
{
    size_t  i;

    for (i = 0; i < cs->n; i++) {
        if (cs->comps[i].state.id == id) {
            return &cs->comps[i];
        }
    }

    return NULL;
}


static int
inc_comps_cmp(const void *one, const void *two)
{
    int                i;
    const inc_comp_t  *a, *b;

    a = one;
    b = two;

    for (i = 0; i < 4; i++) {
        if (a->sort[i] != b->sort[i]) {
            return a->sort[i] < b->sort[i] ? -1 : 1;
        }
    }

    return a->state.id < b->state.id ? -1 : a->state.id > b->state.id;
}


/* marks the components that unresolved incidents name */
/* what an unresolved incident (or maintenance) naming no component adds */
int
inc_comps_add_unlinked(inc_comps_t *cs, int impact)
{
    int  *p;

    if (cs->nunlinked % 64 == 0 && cs->nunlinked) {
        p = realloc(cs->unlinked, (cs->nunlinked + 64) * sizeof(int));
        if (p == NULL) {
            return INC_ERROR;
        }
        cs->unlinked = p;
    }

    cs->unlinked[cs->nunlinked++] = impact;

    return INC_OK;
}


static int
inc_comps_link(inc_txn_t *txn, inc_comps_t *cs)
{
    int            rc, impact, named;
    cJSON         *inc;
    inc_comp_t    *c;
    inc_iter_t     it;
    const cJSON   *id;

    rc = inc_iter_open(txn, INC_DB_ACTIVE, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
         rc = inc_iter_next(&it, NULL))
    {
        rc = inc_record_get(txn, INC_DB_INCIDENTS, it.key[0], 0, &inc);
        if (rc == INC_NOTFOUND) {
            continue;
        }

        if (rc != INC_OK) {
            break;
        }

        named = 0;

        cJSON_ArrayForEach(id, inc_field(inc, "componentIds")) {
            c = inc_comps_find(cs, (uint64_t) id->valuedouble);
            if (c != NULL) {
                c->state.linked = 1;
                named = 1;
            }
        }

        if (!named) {
            impact = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                                   inc_rec_str(inc, "impact"));
            rc = inc_comps_add_unlinked(cs, impact < 0 ? INC_IMPACT_NONE
                                                       : impact);
        }

        cJSON_Delete(inc);

        if (rc != INC_OK) {
            break;
        }
    }

    inc_iter_close(&it);

    if (rc == INC_NOTFOUND) {
        rc = inc_maintenance_link(txn, cs);
    }

    return rc;
}


/*
 * All components with their effective status, in page order: top-level
 * components and groups by position, each group followed by its members.
 */
int
inc_comps_load(inc_txn_t *txn, inc_comps_t *cs)
{
    int          rc, status;
    size_t       i, cap;
    cJSON       *rec;
    inc_comp_t  *c, *g, *p;
    inc_iter_t   it;

    memset(cs, 0, sizeof(inc_comps_t));

    cs->unlinked = malloc(64 * sizeof(int));
    if (cs->unlinked == NULL) {
        return INC_ERROR;
    }

    rc = inc_iter_open(txn, INC_DB_COMPONENTS, &it);
    if (rc != INC_OK) {
        inc_comps_free(cs);
        return rc;
    }

    cap = 0;

    for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
         rc = inc_iter_next(&it, &rec))
    {
        if (cs->n == cap) {
            cap = cap ? cap * 2 : 32;
            p = realloc(cs->comps, cap * sizeof(inc_comp_t));
            if (p == NULL) {
                cJSON_Delete(rec);
                rc = INC_ERROR;
                break;
            }
            cs->comps = p;
        }

        c = &cs->comps[cs->n++];
        memset(c, 0, sizeof(inc_comp_t));

        c->rec = rec;
        c->state.id = it.key[0];
        c->state.group_id = inc_rec_id(rec, "groupId");
        status = inc_enum_find(inc_component_statuses, INC_COMP_COUNT,
                               inc_rec_str(rec, "baseStatus"));
        c->state.base_status = status < 0 ? INC_COMP_OPERATIONAL : status;
    }

    inc_iter_close(&it);

    if (rc == INC_NOTFOUND) {
        rc = inc_comps_link(txn, cs);
    }

    if (rc != INC_OK) {
        inc_comps_free(cs);
        return rc;
    }

    {
        inc_component_state_t  *states;

        states = malloc((cs->n + 1) * sizeof(inc_component_state_t));
        if (states == NULL) {
            inc_comps_free(cs);
            return INC_ERROR;
        }

        for (i = 0; i < cs->n; i++) {
            states[i] = cs->comps[i].state;
        }

        inc_effective_statuses(states, cs->n);

        for (i = 0; i < cs->n; i++) {
            cs->comps[i].state = states[i];
        }

        free(states);
    }

    for (i = 0; i < cs->n; i++) {
        c = &cs->comps[i];
        g = c->state.group_id ? inc_comps_find(cs, c->state.group_id) : NULL;

        if (g == NULL || g == c) {
            g = c;
        }

        c->sort[0] = (uint64_t) cJSON_GetNumberValue(
                                    cJSON_GetObjectItem(g->rec, "position"));
        c->sort[1] = g->state.id;
        c->sort[2] = g != c;
        c->sort[3] = (uint64_t) cJSON_GetNumberValue(
                                    cJSON_GetObjectItem(c->rec, "position"));
    }

    if (cs->n > 1) {
        qsort(cs->comps, cs->n, sizeof(inc_comp_t), inc_comps_cmp);
    }

    return INC_OK;
}


/* the page's overall status, a component status; -1 without memory */
int
inc_comps_overall(const inc_comps_t *cs)
{
    int                     overall;
    size_t                  i;
    inc_component_state_t  *states;

    states = malloc((cs->n + 1) * sizeof(inc_component_state_t));
    if (states == NULL) {
        return -1;
    }

    for (i = 0; i < cs->n; i++) {
        states[i] = cs->comps[i].state;
    }

    overall = inc_overall_status(states, cs->n, cs->unlinked, cs->nunlinked);
    free(states);

    return overall;
}


/* "status" and "description" of the page, as /api/v1/status has them */
int
inc_overall_doc(const inc_comps_t *cs, cJSON *doc)
{
    int  overall;

    overall = inc_comps_overall(cs);
    if (overall < 0) {
        return INC_ERROR;
    }

    cJSON_AddStringToObject(doc, "status",
                            inc_component_statuses[overall].value);
    cJSON_AddStringToObject(doc, "description",
                            inc_overall_descriptions[overall]);

    return INC_OK;
}


cJSON *
inc_comp_doc(const inc_comp_t *c)
{
    return inc_json_component(c->rec, c->state.status, c->state.is_group);
}


static int
inc_component_doc(inc_txn_t *txn, uint64_t id, cJSON **out)
{
    int           rc;
    inc_comp_t   *c;
    inc_comps_t   cs;

    rc = inc_comps_load(txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    c = inc_comps_find(&cs, id);
    *out = c ? inc_comp_doc(c) : NULL;

    inc_comps_free(&cs);

    if (c == NULL) {
        return INC_NOTFOUND;
    }

    return *out ? INC_OK : INC_ERROR;
}


static int
inc_update_add(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t incident_id,
    const cJSON *incident, const cJSON *in, cJSON **doc)
{
    int        rc;
    cJSON     *rec;
    uint64_t   id;

    rc = inc_record_new(txn, "update", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddNumberToObject(rec, "incidentId", (double) incident_id);
    inc_set_copy(rec, incident, "status");
    inc_set_copy(rec, in, "message");
    inc_set_copy(rec, incident, "componentIds");
    cJSON_AddBoolToObject(rec, "notify",
                          !cJSON_IsFalse(inc_field(in, "notify")));
    cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
    cJSON_AddStringToObject(rec, "createdBy", ctx->actor ? ctx->actor : "");

    rc = inc_record_put(txn, INC_DB_UPDATES, incident_id, id, rec);

    if (rc == INC_OK && doc != NULL) {
        *doc = inc_json_update(rec);
        if (*doc == NULL) {
            rc = INC_ERROR;
        }
    }

    cJSON_Delete(rec);

    return rc;
}


/* moves an incident to "status", resolving or reopening it */
static int
inc_incident_set_status(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id,
    cJSON *rec, const char *status)
{
    int  rc;

    inc_set(rec, "status", cJSON_CreateString(status));

    if (strcmp(status, "resolved") == 0) {
        if (inc_rec_time(rec, "resolvedAt") == 0) {
            inc_set_time(rec, "resolvedAt", ctx->now);
        }

        rc = inc_record_del(txn, INC_DB_ACTIVE, id, 0);

        return rc == INC_NOTFOUND ? INC_OK : rc;
    }

    inc_set_time(rec, "resolvedAt", 0);

    return inc_record_put(txn, INC_DB_ACTIVE, id, 0, NULL);
}


int
inc_op_incident_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    char         *message;
    cJSON        *rec, *errors, *doc, *update;
    time_t        started;
    uint64_t      id;
    const cJSON  *in;

    in = w->input;

    rc = inc_components_known(txn, inc_field(in, "componentIds"), res);
    if (rc != INC_OK || res->status != 0) {
        return rc;
    }

    rc = inc_record_new(txn, "incident", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    started = inc_rec_time(in, "startedAt");
    if (started == 0) {
        started = ctx->now;
    }

    inc_set_copy(rec, in, "title");
    inc_set_copy(rec, in, "impact");
    inc_set(rec, "componentIds", cJSON_CreateArray());
    inc_set_copy(rec, in, "componentIds");
    cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
    cJSON_AddNumberToObject(rec, "startedAt", (double) started);
    cJSON_AddNumberToObject(rec, "updatedAt", (double) ctx->now);
    cJSON_AddStringToObject(rec, "createdBy", ctx->actor ? ctx->actor : "");

    rc = inc_incident_set_status(txn, ctx, id, rec,
                                 inc_rec_str(in, "status"));

    /* a past incident, recorded with when it ended */
    if (rc == INC_OK && inc_rec_time(in, "resolvedAt")) {
        if (inc_rec_time(in, "resolvedAt") < started) {
            cJSON_Delete(rec);
            errors = cJSON_CreateArray();
            if (errors == NULL) {
                return INC_ERROR;
            }
            inc_error_add(errors, "resolvedAt",
                          "must not be before startedAt");
            return inc_result_invalid(res, errors);
        }

        inc_set_copy(rec, in, "resolvedAt");
    }

    message = (char *) inc_rec_str(in, "message");
    update = NULL;

    if (rc == INC_OK && message[0] != '\0') {
        rc = inc_update_add(txn, ctx, id, rec, in, &update);
    }

    /* the announcement commits with the change, or neither does */
    if (rc == INC_OK && !cJSON_IsFalse(inc_field(in, "notify"))) {
        rc = inc_queue_enqueue_fanout(txn, ctx->now, id,
                                      inc_rec_id(update, "id"),
                                      "incident.created");
    }

    cJSON_Delete(update);

    if (rc == INC_OK) {
        rc = inc_record_put(txn, INC_DB_INCIDENTS, id, 0, rec);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "incident.create", "incident", id);
    }

    if (rc == INC_OK) {
        rc = inc_incident_doc(txn, ctx, rec, &doc);
    }

    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    inc_result_ok(res, 201, doc);
    snprintf(res->location, sizeof(res->location), "/api/v1/incidents/%llu",
             (unsigned long long) id);

    return INC_OK;
}


/*
 * The incident a write names, with the components its input names checked
 * (and startedAt against resolvedAt).  "*rec" is NULL when the write
 * cannot go on: a 404 or a 422 is then in "res", or a store error is
 * returned.
 */
static int
inc_incident_for_write(inc_txn_t *txn, const inc_write_t *w, cJSON **rec,
    inc_result_t *res)
{
    int           rc;
    cJSON        *errors;
    time_t        started, resolved;
    const cJSON  *in;

    in = w->input;

    rc = inc_record_get(txn, INC_DB_INCIDENTS, w->id, 0, rec);
    if (rc != INC_OK) {
        *rec = NULL;
        return rc == INC_NOTFOUND ? inc_result_not_found(res, "incident")
                                  : rc;
    }

    errors = cJSON_CreateArray();
    if (errors == NULL) {
        cJSON_Delete(*rec);
        *rec = NULL;
        return INC_ERROR;
    }

    rc = inc_check_components(txn, inc_field(in, "componentIds"), errors);

    started = inc_rec_time(in, "startedAt");
    if (started == 0) {
        started = inc_rec_time(*rec, "startedAt");
    }

    resolved = inc_rec_time(in, "resolvedAt");

    if (resolved && inc_rec_time(*rec, "resolvedAt") == 0) {
        inc_error_add(errors, "resolvedAt",
                      "can only be changed on a resolved incident");
    }

    if (resolved == 0) {
        resolved = inc_rec_time(*rec, "resolvedAt");
    }

    if (resolved && started > resolved) {
        inc_error_add(errors, inc_rec_time(in, "startedAt") ? "startedAt"
                                                             : "resolvedAt",
                      inc_rec_time(in, "startedAt")
                      ? "must not be after the incident was resolved"
                      : "must not be before startedAt");
    }

    if (rc == INC_OK && cJSON_GetArraySize(errors) == 0) {
        cJSON_Delete(errors);
        return INC_OK;
    }

    cJSON_Delete(*rec);
    *rec = NULL;

    if (rc != INC_OK) {
        cJSON_Delete(errors);
        return rc;
    }

    return inc_result_invalid(res, errors);
}


int
inc_op_incident_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    cJSON        *rec, *doc;
    const cJSON  *in;

    in = w->input;

    rc = inc_incident_for_write(txn, w, &rec, res);
    if (rec == NULL) {
        return rc;
    }

    inc_set_copy(rec, in, "title");
    inc_set_copy(rec, in, "impact");
    inc_set_copy(rec, in, "componentIds");
    inc_set_copy(rec, in, "startedAt");
    inc_set_copy(rec, in, "resolvedAt");
    inc_set_time(rec, "updatedAt", ctx->now);

    rc = inc_record_put(txn, INC_DB_INCIDENTS, w->id, 0, rec);

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "incident.patch", "incident", w->id);
    }

    if (rc == INC_OK) {
        rc = inc_incident_doc(txn, ctx, rec, &doc);
    }

    cJSON_Delete(rec);

    if (rc == INC_OK) {
        inc_result_ok(res, 200, doc);
    }

    return rc;
}


static int
inc_op_incident_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int  rc;

    rc = inc_record_get(txn, INC_DB_INCIDENTS, w->id, 0, NULL);
    if (rc == INC_NOTFOUND) {
        return inc_result_not_found(res, "incident");
    }

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_record_del_all(txn, INC_DB_UPDATES, w->id);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_record_del(txn, INC_DB_ACTIVE, w->id, 0);
    if (rc == INC_ERROR || rc == INC_FULL) {
        return rc;
    }

    rc = inc_record_del(txn, INC_DB_INCIDENTS, w->id, 0);

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "incident.delete", "incident", w->id);
    }

    if (rc == INC_OK) {
        inc_result_ok(res, 204, NULL);
    }

    return rc;
}


int
inc_op_update_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    cJSON        *rec, *doc;
    uint64_t      update_id;
    const cJSON  *in;

    in = w->input;

    rc = inc_incident_for_write(txn, w, &rec, res);
    if (rec == NULL) {
        return rc;
    }

    inc_set_copy(rec, in, "componentIds");
    inc_set_time(rec, "updatedAt", ctx->now);

    doc = NULL;

    rc = inc_incident_set_status(txn, ctx, w->id, rec,
                                 inc_rec_str(in, "status"));

    if (rc == INC_OK) {
        rc = inc_update_add(txn, ctx, w->id, rec, in, &doc);
    }

    if (rc == INC_OK && !cJSON_IsFalse(inc_field(in, "notify"))) {
        rc = inc_queue_enqueue_fanout(txn, ctx->now, w->id,
                                      inc_rec_id(doc, "id"),
                                      strcmp(inc_rec_str(in, "status"),
                                             "resolved") == 0
                                      ? "incident.resolved"
                                      : "incident.updated");
    }

    if (rc == INC_OK) {
        rc = inc_record_put(txn, INC_DB_INCIDENTS, w->id, 0, rec);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "incident.update.create", "incident",
                       w->id);
    }

    cJSON_Delete(rec);

    if (rc != INC_OK) {
        cJSON_Delete(doc);
        return rc;
    }

    update_id = inc_rec_id(doc, "id");

    inc_result_ok(res, 201, doc);
    snprintf(res->location, sizeof(res->location),
             "/api/v1/incidents/%llu/updates/%llu",
             (unsigned long long) w->id, (unsigned long long) update_id);

    return INC_OK;
}


/* the incident and its update both exist, or a 404 is in "res" */
static int
inc_update_find(inc_txn_t *txn, const inc_write_t *w, cJSON **update,
    inc_result_t *res)
{
    int  rc;

    *update = NULL;

    rc = inc_record_get(txn, INC_DB_INCIDENTS, w->id, 0, NULL);
    if (rc == INC_NOTFOUND) {
        inc_result_not_found(res, "incident");
        return INC_NOTFOUND;
    }

    if (rc == INC_OK) {
        rc = inc_record_get(txn, INC_DB_UPDATES, w->id, w->sub_id, update);
        if (rc == INC_NOTFOUND) {
            inc_result_not_found(res, "update of this incident");
        }
    }

    return rc;
}


static int
inc_touch_incident(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id)
{
    int     rc;
    cJSON  *rec;

    rc = inc_record_get(txn, INC_DB_INCIDENTS, id, 0, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    inc_set_time(rec, "updatedAt", ctx->now);
    rc = inc_record_put(txn, INC_DB_INCIDENTS, id, 0, rec);
    cJSON_Delete(rec);

    return rc;
}


static int
inc_op_update_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int     rc;
    cJSON  *rec, *doc;

    rc = inc_update_find(txn, w, &rec, res);
    if (rc != INC_OK) {
        return rc == INC_NOTFOUND ? INC_OK : rc;
    }

    inc_set_copy(rec, w->input, "message");
    inc_set_time(rec, "updatedAt", ctx->now);

    rc = inc_record_put(txn, INC_DB_UPDATES, w->id, w->sub_id, rec);

    if (rc == INC_OK) {
        rc = inc_touch_incident(txn, ctx, w->id);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "incident.update.patch", "incident", w->id);
    }

    doc = rc == INC_OK ? inc_json_update(rec) : NULL;
    cJSON_Delete(rec);

    if (rc == INC_OK) {
        inc_result_ok(res, 200, doc);
    }

    return rc;
}


/* the incident's status stays: an update is a message, not a state */
static int
inc_op_update_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int     rc;
    cJSON  *rec;

    rc = inc_update_find(txn, w, &rec, res);
    if (rc != INC_OK) {
        return rc == INC_NOTFOUND ? INC_OK : rc;
    }

    cJSON_Delete(rec);

    rc = inc_record_del(txn, INC_DB_UPDATES, w->id, w->sub_id);

    if (rc == INC_OK) {
        rc = inc_touch_incident(txn, ctx, w->id);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "incident.update.delete", "incident",
                       w->id);
    }

    if (rc == INC_OK) {
        inc_result_ok(res, 204, NULL);
    }

    return rc;
}


/*
 * Groups are one level deep: a component can join only a component that
 * is not itself in a group, and a component with members cannot join any.
 */
static void
inc_check_group(inc_comps_t *cs, uint64_t id, const cJSON *in, cJSON *errors)
{
    size_t        i;
    inc_comp_t   *group;
    const cJSON  *item;

    item = inc_field(in, "groupId");

    if (item == NULL || cJSON_IsNull(item)) {
        return;
    }

    if ((uint64_t) item->valuedouble == id) {
        inc_error_add(errors, "groupId", "cannot name the component itself");
        return;
    }

    group = inc_comps_find(cs, (uint64_t) item->valuedouble);

    if (group == NULL) {
        inc_error_add(errors, "groupId", "names no component");
        return;
    }

    if (group->state.group_id != 0) {
        inc_error_add(errors, "groupId",
                      "names a component that is in a group: "
                      "a group cannot be in a group");
        return;
    }

    for (i = 0; id != 0 && i < cs->n; i++) {
        if (cs->comps[i].state.group_id == id) {
            inc_error_add(errors, "groupId",
                          "this component is a group: a group cannot be "
                          "in a group");
            return;
        }
    }
}


/* the position after the last component of the level "group_id" */
static double
inc_next_position(inc_comps_t *cs, uint64_t group_id, uint64_t except)
{
    double  next, p;
    size_t  i;

    next = 0;

    for (i = 0; i < cs->n; i++) {
        if (cs->comps[i].state.group_id == group_id
            && cs->comps[i].state.id != except)
        {
            p = cJSON_GetNumberValue(inc_field(cs->comps[i].rec, "position"));
            if (p + 1 > next) {
                next = p + 1;
            }
        }
    }

    return next;
}


/* "log": the base status is new, and goes into the uptime history */
static int
inc_component_save(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id,
    cJSON *rec, int log, const char *action, int status, inc_result_t *res)
{
    int     rc;
    cJSON  *doc;

    rc = inc_record_put(txn, INC_DB_COMPONENTS, id, 0, rec);

    if (rc == INC_OK && log) {
        rc = inc_status_log_add(txn, id, ctx->now,
                                inc_rec_str(rec, "baseStatus"));
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, action, "component", id);
    }

    if (rc == INC_OK) {
        rc = inc_component_doc(txn, id, &doc);
    }

    if (rc != INC_OK) {
        return rc;
    }

    inc_result_ok(res, status, doc);

    if (status == 201) {
        snprintf(res->location, sizeof(res->location),
                 "/api/v1/components/%llu", (unsigned long long) id);
    }

    return INC_OK;
}


static int
inc_op_component_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    cJSON        *rec, *errors;
    uint64_t      id;
    inc_comps_t   cs;
    const cJSON  *in;

    in = w->input;

    rc = inc_comps_load(txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    errors = cJSON_CreateArray();
    if (errors == NULL) {
        inc_comps_free(&cs);
        return INC_ERROR;
    }

    inc_check_group(&cs, 0, in, errors);

    if (cJSON_GetArraySize(errors)) {
        inc_comps_free(&cs);
        return inc_result_invalid(res, errors);
    }

    cJSON_Delete(errors);

    rc = inc_record_new(txn, "component", &id, &rec);
    if (rc != INC_OK) {
        inc_comps_free(&cs);
        return rc;
    }

    inc_set_copy(rec, in, "name");
    cJSON_AddStringToObject(rec, "description", "");
    inc_set_copy(rec, in, "description");
    cJSON_AddNullToObject(rec, "groupId");
    inc_set_copy(rec, in, "groupId");
    cJSON_AddNumberToObject(rec, "position",
                            inc_next_position(&cs,
                                              inc_rec_id(rec, "groupId"),
                                              0));
    inc_set_copy(rec, in, "position");
    cJSON_AddStringToObject(rec, "baseStatus", "operational");
    inc_set_copy(rec, in, "baseStatus");
    cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
    cJSON_AddNumberToObject(rec, "updatedAt", (double) ctx->now);

    inc_comps_free(&cs);

    rc = inc_component_save(txn, ctx, id, rec, 1, "component.create", 201,
                            res);
    cJSON_Delete(rec);

    return rc;
}


static int
inc_op_component_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    cJSON        *rec, *errors, *c_base;
    uint64_t      group;
    inc_comp_t   *c;
    inc_comps_t   cs;
    const cJSON  *in;

    in = w->input;

    rc = inc_comps_load(txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    c = inc_comps_find(&cs, w->id);
    if (c == NULL) {
        inc_comps_free(&cs);
        return inc_result_not_found(res, "component");
    }

    errors = cJSON_CreateArray();
    rec = cJSON_Duplicate(c->rec, 1);

    if (errors == NULL || rec == NULL) {
        cJSON_Delete(errors);
        cJSON_Delete(rec);
        inc_comps_free(&cs);
        return INC_ERROR;
    }

    inc_check_group(&cs, w->id, in, errors);

    if (cJSON_GetArraySize(errors)) {
        cJSON_Delete(rec);
        inc_comps_free(&cs);
        return inc_result_invalid(res, errors);
    }

    cJSON_Delete(errors);

    group = inc_rec_id(rec, "groupId");
    c_base = cJSON_Duplicate(c->rec, 1);

    inc_set_copy(rec, in, "name");
    inc_set_copy(rec, in, "description");
    inc_set_copy(rec, in, "groupId");
    inc_set_copy(rec, in, "baseStatus");

    /* moved to another level without a position: it goes last there */
    if (inc_rec_id(rec, "groupId") != group
        && inc_field(in, "position") == NULL)
    {
        inc_set(rec, "position",
                cJSON_CreateNumber(inc_next_position(&cs,
                                       inc_rec_id(rec, "groupId"), w->id)));
    }

    inc_set_copy(rec, in, "position");
    inc_set_time(rec, "updatedAt", ctx->now);

    inc_comps_free(&cs);

    rc = inc_component_save(txn, ctx, w->id, rec,
                            strcmp(inc_rec_str(rec, "baseStatus"),
                                   inc_rec_str(c_base, "baseStatus")) != 0,
                            "component.patch", 200, res);
    cJSON_Delete(c_base);
    cJSON_Delete(rec);

    return rc;
}


/* the level a component is listed in: its group, or 0 for the top */
static uint64_t
inc_comp_level(inc_comps_t *cs, const inc_comp_t *c)
{
    inc_comp_t  *g;

    if (c->state.group_id == 0) {
        return 0;
    }

    g = inc_comps_find(cs, c->state.group_id);

    return g != NULL && g != c ? c->state.group_id : 0;
}


/*
 * Swaps a component with its neighbour in its level; the level is then
 * numbered 0, 1, 2... in its new order.  At either end it stays put.
 */
static int
inc_op_component_move(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc, up;
    size_t        i, n, k, *order, tmp;
    uint64_t      level;
    inc_comp_t   *c;
    inc_comps_t   cs;

    rc = inc_comps_load(txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    c = inc_comps_find(&cs, w->id);
    if (c == NULL) {
        inc_comps_free(&cs);
        return inc_result_not_found(res, "component");
    }

    order = malloc((cs.n + 1) * sizeof(size_t));
    if (order == NULL) {
        inc_comps_free(&cs);
        return INC_ERROR;
    }

    level = inc_comp_level(&cs, c);
    up = strcmp(inc_rec_str(w->input, "direction"), "up") == 0;
    n = 0;
    k = 0;

    /* cs is in page order, so the level's members come in order too */
    for (i = 0; i < cs.n; i++) {
        if (inc_comp_level(&cs, &cs.comps[i]) == level) {
            if (cs.comps[i].state.id == w->id) {
                k = n;
            }
            order[n++] = i;
        }
    }

    if (up ? k > 0 : k + 1 < n) {
        tmp = order[k];
        order[k] = order[up ? k - 1 : k + 1];
        order[up ? k - 1 : k + 1] = tmp;
    }

    for (i = 0; i < n && rc == INC_OK; i++) {
        c = &cs.comps[order[i]];

        if (cJSON_GetNumberValue(inc_field(c->rec, "position"))
            == (double) i)
        {
            continue;
        }

        inc_set(c->rec, "position", cJSON_CreateNumber((double) i));
        inc_set_time(c->rec, "updatedAt", ctx->now);
        rc = inc_record_put(txn, INC_DB_COMPONENTS, c->state.id, 0, c->rec);
    }

    free(order);
    inc_comps_free(&cs);

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_audit(txn, ctx, "component.move", "component", w->id);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_component_doc(txn, w->id, &res->body);
    if (rc == INC_OK) {
        res->status = 200;
    }

    return rc;
}


/* members of a deleted group become ungrouped; incidents keep their ids */
static int
inc_op_component_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    size_t        i;
    cJSON        *rec;
    inc_comps_t   cs;

    rc = inc_comps_load(txn, &cs);
    if (rc != INC_OK) {
        return rc;
    }

    if (inc_comps_find(&cs, w->id) == NULL) {
        inc_comps_free(&cs);
        return inc_result_not_found(res, "component");
    }

    for (i = 0; i < cs.n && rc == INC_OK; i++) {
        if (cs.comps[i].state.group_id != w->id) {
            continue;
        }

        rec = cs.comps[i].rec;
        inc_set(rec, "groupId", cJSON_CreateNull());
        inc_set_time(rec, "updatedAt", ctx->now);

        rc = inc_record_put(txn, INC_DB_COMPONENTS, cs.comps[i].state.id, 0,
                            rec);
    }

    inc_comps_free(&cs);

    if (rc == INC_OK) {
        rc = inc_record_del_all(txn, INC_DB_STATUS_LOG, w->id);
    }

    if (rc == INC_OK) {
        rc = inc_record_del(txn, INC_DB_COMPONENTS, w->id, 0);
    }

    if (rc == INC_OK) {
        rc = inc_subscribers_forget_component(txn, w->id);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "component.delete", "component", w->id);
    }

    if (rc == INC_OK) {
        inc_result_ok(res, 204, NULL);
    }

    return rc;
}


/* the stored settings, with defaults for what a newer version added */
int
inc_settings_load(inc_txn_t *txn, cJSON **rec)
{
    int           rc;
    cJSON        *defaults;
    const cJSON  *item;

    defaults = inc_settings_defaults();
    if (defaults == NULL) {
        return INC_ERROR;
    }

    rc = inc_named_get(txn, INC_DB_SETTINGS, "page", rec);

    if (rc == INC_NOTFOUND || (rc == INC_OK && *rec == NULL)) {
        *rec = defaults;
        return INC_OK;
    }

    if (rc != INC_OK) {
        cJSON_Delete(defaults);
        return rc;
    }

    cJSON_ArrayForEach(item, defaults) {
        if (inc_field(*rec, item->string) == NULL) {
            inc_set(*rec, item->string, cJSON_Duplicate(item, 1));
        }
    }

    cJSON_Delete(defaults);

    return INC_OK;
}


static int
inc_op_settings_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    cJSON        *rec;
    const cJSON  *item;

    rc = inc_settings_load(txn, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_ArrayForEach(item, w->input) {
        inc_set_copy(rec, w->input, item->string);
    }

    rc = inc_named_put(txn, INC_DB_SETTINGS, "page", rec);

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "settings.patch", "settings", 1);
    }

    if (rc == INC_OK) {
        inc_result_ok(res, 200, inc_json_settings(rec));
    }

    cJSON_Delete(rec);

    return rc;
}


void
inc_service_write(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int        rc;
    inc_txn_t  txn;

    memset(res, 0, sizeof(inc_result_t));

    rc = inc_txn_begin(store, 1, &txn);
    if (rc != INC_OK) {
        inc_result_store_failed(res, &txn, rc);
        return;
    }

    rc = inc_ops[w->op](&txn, ctx, w, res);

    if (rc != INC_OK) {
        inc_txn_abort(&txn);
        inc_result_store_failed(res, &txn, rc);
        return;
    }

    if (res->status >= 300) {
        /* a client error: nothing the operation did is kept */
        inc_txn_abort(&txn);
        return;
    }

    res->generation = inc_txn_generation(&txn) + 1;

    rc = inc_txn_commit(&txn, ctx->now);
    if (rc != INC_OK) {
        inc_result_store_failed(res, &txn, rc);
    }
}


/*
 * The validator of each write: a client document in, the normalized input
 * of the operation in "out", one entry a bad field in "errors".  The API,
 * the admin's forms and the tests all validate through here.
 */
void
inc_service_validate(inc_op_t op, const cJSON *in, time_t now, cJSON *out,
    cJSON *errors)
{
    switch (op) {

    case INC_OP_INCIDENT_CREATE:
        inc_validate_incident_create(in, now, out, errors);
        break;

    case INC_OP_INCIDENT_PATCH:
        inc_validate_incident_patch(in, now, out, errors);
        break;

    case INC_OP_UPDATE_CREATE:
        inc_validate_update_create(in, out, errors);
        break;

    case INC_OP_UPDATE_PATCH:
        inc_validate_update_patch(in, out, errors);
        break;

    case INC_OP_COMPONENT_CREATE:
    case INC_OP_COMPONENT_PATCH:
        inc_validate_component(in, op == INC_OP_COMPONENT_CREATE, out,
                               errors);
        break;

    case INC_OP_COMPONENT_MOVE:
        inc_validate_component_move(in, out, errors);
        break;

    case INC_OP_SETTINGS_PATCH:
        inc_validate_settings(in, out, errors);
        break;

    case INC_OP_SUBSCRIBE:
        inc_validate_subscribe(in, out, errors);
        break;

    case INC_OP_SUBSCRIBER_CREATE:
        inc_validate_subscriber(in, out, errors);
        break;

    case INC_OP_MAINT_CREATE:
    case INC_OP_MAINT_PATCH:
        inc_validate_maintenance(in, op == INC_OP_MAINT_CREATE, out, errors);
        break;

    case INC_OP_MAINT_UPDATE_CREATE:
        inc_validate_maintenance_update(in, out, errors);
        break;

    default: /* the deletes take no document */
        break;
    }
}


/*
 * The checks a write makes on the ids it names, in a read transaction, so
 * that a 422 for other fields names the unknown ids as well.
 */
void
inc_service_check_references(inc_store_t *store, const inc_write_t *w,
    cJSON *errors)
{
    inc_txn_t    txn;
    inc_comps_t  cs;

    if (inc_txn_begin(store, 0, &txn) != INC_OK) {
        return;
    }

    inc_check_components(&txn, inc_field(w->input, "componentIds"), errors);

    if (inc_field(w->input, "groupId") != NULL
        && inc_comps_load(&txn, &cs) == INC_OK)
    {
        inc_check_group(&cs, w->op == INC_OP_COMPONENT_PATCH ? w->id : 0,
                        w->input, errors);
        inc_comps_free(&cs);
    }

    inc_txn_abort(&txn);
}


/* read side */

int
inc_read_begin(inc_store_t *store, inc_txn_t *txn, inc_result_t *res)
{
    int  rc;

    memset(res, 0, sizeof(inc_result_t));

    rc = inc_txn_begin(store, 0, txn);
    if (rc != INC_OK) {
        inc_result_store_failed(res, txn, rc);
        return rc;
    }

    res->generation = inc_txn_generation(txn);

    return INC_OK;
}


void
inc_read_end(inc_txn_t *txn, int rc, int status, cJSON *body,
    inc_result_t *res)
{
    if (rc == INC_OK) {
        inc_result_ok(res, status, body);

    } else if (rc != INC_NOTFOUND) {
        cJSON_Delete(body);
        inc_result_store_failed(res, txn, rc);
    }

    inc_txn_abort(txn);
}


/* does incident "id" belong in a list of "state"? */
static int
inc_incident_match(inc_txn_t *txn, inc_state_t state, const cJSON *rec)
{
    if (state == INC_STATE_RESOLVED) {
        return !inc_record_exists(txn, INC_DB_ACTIVE, inc_rec_id(rec, "id"),
                                  0);
    }

    return 1;
}


/*
 * A page of incidents or maintenances, newest first from the cursor:
 * "index" is walked (all of them, or an index of a state), "match"
 * filters, "make" builds each document.
 */
void
inc_service_doc_list(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_db_t index, inc_db_t db,
    inc_match_pt match, inc_make_pt make, inc_result_t *res)
{
    int          rc, n;
    cJSON       *data, *rec, *doc;
    uint64_t     next;
    inc_txn_t    txn;
    inc_iter_t   it;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    data = cJSON_CreateArray();
    next = 0;
    n = 0;

    rc = data ? inc_iter_open(&txn, index, &it) : INC_ERROR;
    if (rc != INC_OK) {
        inc_read_end(&txn, rc, 0, data, res);
        return;
    }

    rc = page->cursor ? inc_iter_seek_before(&it, page->cursor, 0, NULL)
                      : inc_iter_last(&it, NULL);

    for ( /* void */ ; rc == INC_OK; rc = inc_iter_prev(&it, NULL)) {
        rc = inc_record_get(&txn, db, it.key[0], 0, &rec);
        if (rc == INC_NOTFOUND) {
            continue;
        }

        if (rc != INC_OK) {
            break;
        }

        if (!match(&txn, page->state, rec)) {
            cJSON_Delete(rec);
            continue;
        }

        if (n == page->limit) {
            cJSON_Delete(rec);
            next = inc_rec_id(cJSON_GetArrayItem(data, n - 1), "id");
            break;
        }

        rc = make(&txn, ctx, rec, &doc);
        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }

        cJSON_AddItemToArray(data, doc);
        n++;
    }

    inc_iter_close(&it);

    if (rc == INC_NOTFOUND) {
        rc = INC_OK;
    }

    inc_read_end(&txn, rc, 200, rc == INC_OK ? inc_json_list(data, next)
                                             : data, res);
}


void
inc_service_incident_list(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_result_t *res)
{
    inc_service_doc_list(store, ctx, page,
                         page->state == INC_STATE_ACTIVE ? INC_DB_ACTIVE
                                                         : INC_DB_INCIDENTS,
                         INC_DB_INCIDENTS, inc_incident_match,
                         inc_incident_doc, res);
}


/* one incident or maintenance, or a 404 naming "what" */
void
inc_service_doc_get(inc_store_t *store, const inc_ctx_t *ctx, inc_db_t db,
    uint64_t id, inc_make_pt make, const char *what, inc_result_t *res)
{
    int        rc;
    cJSON     *rec, *doc;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = NULL;

    rc = inc_record_get(&txn, db, id, 0, &rec);

    if (rc == INC_NOTFOUND) {
        inc_result_not_found(res, what);

    } else if (rc == INC_OK) {
        rc = make(&txn, ctx, rec, &doc);
        cJSON_Delete(rec);
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


void
inc_service_incident_get(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res)
{
    inc_service_doc_get(store, ctx, INC_DB_INCIDENTS, id, inc_incident_doc,
                        "incident", res);
}


void
inc_service_update_list(inc_store_t *store, uint64_t id, inc_result_t *res)
{
    int        rc;
    cJSON     *doc;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = NULL;

    rc = inc_record_get(&txn, INC_DB_INCIDENTS, id, 0, NULL);

    if (rc == INC_NOTFOUND) {
        inc_result_not_found(res, "incident");

    } else if (rc == INC_OK) {
        rc = inc_updates_doc(&txn, id, &doc);
        if (rc == INC_OK) {
            doc = inc_json_list(doc, 0);
        }
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


void
inc_service_update_get(inc_store_t *store, uint64_t id, uint64_t sub,
    inc_result_t *res)
{
    int          rc;
    cJSON       *rec, *doc;
    inc_txn_t    txn;
    inc_write_t  w;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    w.id = id;
    w.sub_id = sub;
    doc = NULL;

    rc = inc_update_find(&txn, &w, &rec, res);

    if (rc == INC_OK) {
        doc = inc_json_update(rec);
        cJSON_Delete(rec);
        rc = doc ? INC_OK : INC_ERROR;
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


void
inc_service_component_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res)
{
    int          rc;
    cJSON       *data;
    size_t       i, from, to;
    uint64_t     next;
    inc_txn_t    txn;
    inc_comps_t  cs;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    rc = inc_comps_load(&txn, &cs);
    if (rc != INC_OK) {
        inc_read_end(&txn, rc, 0, NULL, res);
        return;
    }

    from = page->cursor < cs.n ? (size_t) page->cursor : cs.n;
    to = from + (size_t) page->limit < cs.n ? from + page->limit : cs.n;

    data = cJSON_CreateArray();

    for (i = from; data && i < to; i++) {
        cJSON_AddItemToArray(data, inc_comp_doc(&cs.comps[i]));
    }

    next = to < cs.n ? to : 0;
    inc_comps_free(&cs);

    inc_read_end(&txn, data ? INC_OK : INC_ERROR, 200,
                 inc_json_list(data, next), res);
}


void
inc_service_component_get(inc_store_t *store, uint64_t id,
    inc_result_t *res)
{
    int        rc;
    cJSON     *doc;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = NULL;

    rc = inc_component_doc(&txn, id, &doc);
    if (rc == INC_NOTFOUND) {
        inc_result_not_found(res, "component");
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


void
inc_service_status(inc_store_t *store, const inc_ctx_t *ctx,
    inc_result_t *res)
{
    int           rc;
    cJSON        *doc, *comps, *active, *rec, *inc;
    size_t        i;
    inc_txn_t     txn;
    inc_iter_t    it;
    inc_comps_t   cs;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    rc = inc_comps_load(&txn, &cs);
    if (rc != INC_OK) {
        inc_read_end(&txn, rc, 0, NULL, res);
        return;
    }

    doc = cJSON_CreateObject();
    comps = cJSON_CreateArray();
    active = cJSON_CreateArray();

    if (doc == NULL || comps == NULL || active == NULL
        || inc_overall_doc(&cs, doc) != INC_OK)
    {
        cJSON_Delete(comps);
        cJSON_Delete(active);
        inc_comps_free(&cs);
        inc_read_end(&txn, INC_ERROR, 0, doc, res);
        return;
    }

    for (i = 0; i < cs.n; i++) {
        cJSON_AddItemToArray(comps, inc_comp_doc(&cs.comps[i]));
    }

    inc_comps_free(&cs);

    cJSON_AddItemToObject(doc, "components", comps);
    cJSON_AddItemToObject(doc, "activeIncidents", active);
    inc_json_add_time(doc, "updatedAt", inc_txn_updated_at(&txn));

    rc = inc_iter_open(&txn, INC_DB_ACTIVE, &it);

    for (rc = rc == INC_OK ? inc_iter_last(&it, NULL) : rc; rc == INC_OK;
         rc = inc_iter_prev(&it, NULL))
    {
        rc = inc_record_get(&txn, INC_DB_INCIDENTS, it.key[0], 0, &rec);
        if (rc == INC_NOTFOUND) {
            continue;
        }

        if (rc != INC_OK) {
            break;
        }

        rc = inc_incident_doc(&txn, ctx, rec, &inc);
        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }

        cJSON_AddItemToArray(active, inc);
    }

    inc_iter_close(&it);

    if (rc == INC_NOTFOUND) {
        rc = inc_maintenance_page_lists(&txn, ctx, doc);
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


void
inc_service_settings(inc_store_t *store, inc_result_t *res)
{
    int        rc;
    cJSON     *rec, *doc;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    doc = NULL;

    rc = inc_settings_load(&txn, &rec);
    if (rc == INC_OK) {
        doc = inc_json_settings(rec);
        cJSON_Delete(rec);
    }

    inc_read_end(&txn, rc, 200, doc, res);
}


/*
 * A page of a database keyed by one id, in id order or newest first, from
 * the cursor (the last id of the page before) on.
 */
void
inc_service_list_db(inc_store_t *store, inc_db_t db, int newest_first,
    const inc_page_t *page, inc_doc_pt doc, inc_result_t *res)
{
    int         rc, n;
    cJSON      *data, *rec;
    uint64_t    next;
    inc_txn_t   txn;
    inc_iter_t  it;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    data = cJSON_CreateArray();
    next = 0;
    n = 0;

    rc = data ? inc_iter_open(&txn, db, &it) : INC_ERROR;
    if (rc != INC_OK) {
        inc_read_end(&txn, rc, 0, data, res);
        return;
    }

    if (!newest_first) {
        rc = inc_iter_seek(&it, page->cursor + 1, 0, &rec);

    } else if (page->cursor) {
        rc = inc_iter_seek_before(&it, page->cursor, 0, &rec);

    } else {
        rc = inc_iter_last(&it, &rec);
    }

    while (rc == INC_OK) {
        if (n == page->limit) {
            cJSON_Delete(rec);
            next = inc_rec_id(cJSON_GetArrayItem(data, n - 1), "id");
            break;
        }

        cJSON_AddItemToArray(data, doc(rec));
        cJSON_Delete(rec);
        n++;

        rc = newest_first ? inc_iter_prev(&it, &rec)
                          : inc_iter_next(&it, &rec);
    }

    inc_iter_close(&it);

    if (rc == INC_NOTFOUND) {
        rc = INC_OK;
    }

    inc_read_end(&txn, rc, 200, rc == INC_OK ? inc_json_list(data, next)
                                             : data, res);
}


void
inc_service_audit_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res)
{
    inc_service_list_db(store, INC_DB_AUDIT, 1, page, inc_json_audit, res);
}
