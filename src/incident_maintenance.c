/*
 * Scheduled maintenance: windows with their own statuses and updates,
 * that start, complete and remind on their own.  The transitions are made
 * by whichever worker's timer comes first, each in a write transaction
 * that looks at the state again, so each happens exactly once however
 * many workers, reloads and restarts there are.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_json.h"
#include "incident_queue.h"
#include "incident_service_int.h"




static int
inc_maint_status(const cJSON *rec)
{
    int  s;

    s = inc_enum_find(inc_maintenance_statuses, INC_MAINT_COUNT,
                      inc_rec_str(rec, "status"));

    return s < 0 ? INC_MAINT_SCHEDULED : s;
}


static int
inc_maint_flag(const cJSON *rec, const char *name)
{
    return !cJSON_IsFalse(inc_field(rec, name));
}


static long
inc_maint_remind(const cJSON *rec)
{
    const cJSON  *m;

    m = inc_field(rec, "remindBeforeMinutes");

    return cJSON_IsNumber(m) ? (long) m->valuedouble : INC_REMIND_DEFAULT;
}


cJSON *
inc_json_maint_update(const cJSON *rec)
{
    cJSON  *u;

    u = cJSON_CreateObject();
    if (u == NULL) {
        return NULL;
    }

    cJSON_AddNumberToObject(u, "id", (double) inc_rec_id(rec, "id"));
    cJSON_AddNumberToObject(u, "maintenanceId",
                            (double) inc_rec_id(rec, "maintenanceId"));
    cJSON_AddStringToObject(u, "status", inc_rec_str(rec, "status"));
    cJSON_AddStringToObject(u, "message", inc_rec_str(rec, "message"));
    cJSON_AddBoolToObject(u, "notify", inc_maint_flag(rec, "notify"));
    cJSON_AddBoolToObject(u, "automatic",
                          cJSON_IsTrue(inc_field(rec, "automatic")));
    inc_json_add_time(u, "createdAt", inc_rec_time(rec, "createdAt"));

    return u;
}


cJSON *
inc_json_maintenance(const cJSON *rec, cJSON *updates, const char *base_url)
{
    char    url[1024];
    cJSON  *m;

    m = cJSON_CreateObject();
    if (m == NULL) {
        cJSON_Delete(updates);
        return NULL;
    }

    cJSON_AddNumberToObject(m, "id", (double) inc_rec_id(rec, "id"));
    cJSON_AddStringToObject(m, "kind", "maintenance");
    cJSON_AddStringToObject(m, "title", inc_rec_str(rec, "title"));
    cJSON_AddStringToObject(m, "status", inc_rec_str(rec, "status"));
    inc_json_add(m, "componentIds",
                 inc_field(rec, "componentIds")
                 ? cJSON_Duplicate(inc_field(rec, "componentIds"), 1)
                 : cJSON_CreateArray());
    inc_json_add_time(m, "scheduledFor", inc_rec_time(rec, "scheduledFor"));
    inc_json_add_time(m, "scheduledUntil",
                      inc_rec_time(rec, "scheduledUntil"));
    cJSON_AddBoolToObject(m, "autoStart", inc_maint_flag(rec, "autoStart"));
    cJSON_AddBoolToObject(m, "autoComplete",
                          inc_maint_flag(rec, "autoComplete"));
    cJSON_AddNumberToObject(m, "remindBeforeMinutes",
                            (double) inc_maint_remind(rec));
    cJSON_AddNumberToObject(m, "revision", inc_rec_num(rec, "revision"));
    inc_json_add_time(m, "startedAt", inc_rec_time(rec, "startedAt"));
    inc_json_add_time(m, "completedAt", inc_rec_time(rec, "completedAt"));
    inc_json_add_time(m, "createdAt", inc_rec_time(rec, "createdAt"));
    inc_json_add_time(m, "updatedAt", inc_rec_time(rec, "updatedAt"));

    snprintf(url, sizeof(url), "%s/maintenances/%llu", base_url,
             (unsigned long long) inc_rec_id(rec, "id"));
    cJSON_AddStringToObject(m, "url", url);
    inc_json_add(m, "updates", updates ? updates : cJSON_CreateArray());

    return m;
}




int
inc_maintenance_doc(inc_txn_t *txn, const inc_ctx_t *ctx, const cJSON *rec,
    cJSON **out)
{
    int     rc;
    cJSON  *updates;

    rc = inc_timeline_doc(txn, INC_DB_MAINT_UPDATES, inc_rec_id(rec, "id"),
                          inc_json_maint_update, &updates);
    if (rc != INC_OK) {
        return rc;
    }

    *out = inc_json_maintenance(rec, updates, ctx->base_url);

    return *out ? INC_OK : INC_ERROR;
}


static int
inc_maint_update_add(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id,
    const char *status, const char *message, int notify, int automatic,
    uint64_t *update_id)
{
    int     rc;
    cJSON  *rec;

    rc = inc_record_new(txn, "maintenance_update", update_id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddNumberToObject(rec, "maintenanceId", (double) id);
    cJSON_AddStringToObject(rec, "status", status);
    cJSON_AddStringToObject(rec, "message", message);
    cJSON_AddBoolToObject(rec, "notify", notify);
    cJSON_AddBoolToObject(rec, "automatic", automatic);
    cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
    cJSON_AddStringToObject(rec, "createdBy",
                            automatic ? "" : ctx->actor ? ctx->actor : "");

    rc = inc_record_put(txn, INC_DB_MAINT_UPDATES, id, *update_id, rec);
    cJSON_Delete(rec);

    return rc;
}


/*
 * Every change raises the revision: calendars take a changed event only
 * when its SEQUENCE goes up, and two changes may fall in one second.
 */
static void
inc_maint_revise(cJSON *rec, const inc_ctx_t *ctx)
{
    if (inc_field(rec, "updatedAt") != NULL) {
        inc_set(rec, "revision",
                cJSON_CreateNumber(inc_rec_num(rec, "revision") + 1));
    }

    inc_set_time(rec, "updatedAt", ctx->now);
}


/* the status, its times, and the index of maintenances not completed */
static int
inc_maint_set_status(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id,
    cJSON *rec, int status)
{
    inc_set(rec, "status",
            cJSON_CreateString(inc_maintenance_statuses[status].value));
    inc_maint_revise(rec, ctx);

    if (status == INC_MAINT_COMPLETED) {
        if (inc_rec_time(rec, "completedAt") == 0) {
            inc_set_time(rec, "completedAt", ctx->now);
        }

        if (inc_rec_time(rec, "startedAt") == 0) {
            inc_set_time(rec, "startedAt", ctx->now);
        }

        return inc_record_del(txn, INC_DB_MAINT_OPEN, id, 0) == INC_ERROR
               ? INC_ERROR : INC_OK;
    }

    inc_set_time(rec, "completedAt", 0);

    if (status != INC_MAINT_SCHEDULED && inc_rec_time(rec, "startedAt") == 0)
    {
        inc_set_time(rec, "startedAt", ctx->now);
    }

    return inc_record_put(txn, INC_DB_MAINT_OPEN, id, 0, NULL);
}


/* "maintenance.started" and so on; "updated" for the other updates */
static const char *
inc_maint_event(int from, int to)
{
    if (from == to) {
        return "maintenance.updated";
    }

    switch (to) {
    case INC_MAINT_IN_PROGRESS:
        return from == INC_MAINT_SCHEDULED ? "maintenance.started"
                                           : "maintenance.updated";
    case INC_MAINT_COMPLETED:
        return "maintenance.completed";
    default:
        return "maintenance.updated";
    }
}


int
inc_op_maintenance_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc, status;
    cJSON        *rec, *doc;
    uint64_t      id, update_id;
    const char   *message;
    const cJSON  *in;

    in = w->input;

    rc = inc_components_known(txn, inc_field(in, "componentIds"), res);
    if (rc != INC_OK || res->status != 0) {
        return rc;
    }

    rc = inc_record_new(txn, "maintenance", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    inc_set_copy(rec, in, "title");
    inc_set(rec, "componentIds", cJSON_CreateArray());
    inc_set_copy(rec, in, "componentIds");
    inc_set_copy(rec, in, "scheduledFor");
    inc_set_copy(rec, in, "scheduledUntil");
    inc_set_copy(rec, in, "autoStart");
    inc_set_copy(rec, in, "autoComplete");
    inc_set_copy(rec, in, "remindBeforeMinutes");
    cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
    cJSON_AddStringToObject(rec, "createdBy", ctx->actor ? ctx->actor : "");

    status = inc_enum_find(inc_maintenance_statuses, INC_MAINT_COUNT,
                           inc_rec_str(in, "status"));
    if (status < 0) {
        status = INC_MAINT_SCHEDULED;
    }

    rc = inc_maint_set_status(txn, ctx, id, rec, status);

    message = inc_rec_str(in, "message");
    update_id = 0;

    if (rc == INC_OK && message[0] != '\0') {
        rc = inc_maint_update_add(txn, ctx, id,
                                  inc_maintenance_statuses[status].value,
                                  message, inc_maint_flag(in, "notify"), 0,
                                  &update_id);
    }

    if (rc == INC_OK) {
        rc = inc_record_put(txn, INC_DB_MAINTENANCES, id, 0, rec);
    }

    if (rc == INC_OK && inc_maint_flag(in, "notify")) {
        rc = inc_queue_enqueue_maintenance(txn, ctx->now, id, update_id,
                                           status == INC_MAINT_SCHEDULED
                                           ? "maintenance.scheduled"
                                           : inc_maint_event(
                                                 INC_MAINT_SCHEDULED,
                                                 status));
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "maintenance.create", "maintenance", id);
    }

    if (rc == INC_OK) {
        rc = inc_maintenance_doc(txn, ctx, rec, &doc);
    }

    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    inc_result_ok(res, 201, doc);
    snprintf(res->location, sizeof(res->location),
             "/api/v1/maintenances/%llu", (unsigned long long) id);

    return INC_OK;
}


static int
inc_maint_for_write(inc_txn_t *txn, const inc_write_t *w, cJSON **rec,
    inc_result_t *res)
{
    int  rc;

    rc = inc_record_get(txn, INC_DB_MAINTENANCES, w->id, 0, rec);

    if (rc == INC_NOTFOUND) {
        *rec = NULL;
        return inc_result_not_found(res, "maintenance");
    }

    if (rc != INC_OK) {
        *rec = NULL;
    }

    return rc;
}


int
inc_op_maintenance_patch(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    cJSON        *rec, *errors, *doc;
    const cJSON  *in;

    in = w->input;

    rc = inc_maint_for_write(txn, w, &rec, res);
    if (rec == NULL) {
        return rc;
    }

    errors = cJSON_CreateArray();
    if (errors == NULL) {
        cJSON_Delete(rec);
        return INC_ERROR;
    }

    rc = inc_check_components(txn, inc_field(in, "componentIds"), errors);

    /* the window as it will be, the stored half with the given one */
    if (rc == INC_OK
        && (inc_field(in, "scheduledFor") || inc_field(in, "scheduledUntil"))
        && (inc_field(in, "scheduledUntil") ? inc_rec_num(in, "scheduledUntil")
                                  : inc_rec_num(rec, "scheduledUntil"))
           <= (inc_field(in, "scheduledFor") ? inc_rec_num(in, "scheduledFor")
                                  : inc_rec_num(rec, "scheduledFor")))
    {
        inc_error_add(errors, "scheduledUntil", "must be after scheduledFor");
    }

    if (rc != INC_OK || cJSON_GetArraySize(errors)) {
        cJSON_Delete(rec);

        if (rc != INC_OK) {
            cJSON_Delete(errors);
            return rc;
        }

        return inc_result_invalid(res, errors);
    }

    cJSON_Delete(errors);

    /* a window moved is a window to remind of again */
    if (inc_field(in, "scheduledFor") != NULL
        && inc_rec_num(in, "scheduledFor") != inc_rec_num(rec, "scheduledFor"))
    {
        inc_set_time(rec, "remindedAt", 0);
    }

    inc_set_copy(rec, in, "title");
    inc_set_copy(rec, in, "componentIds");
    inc_set_copy(rec, in, "scheduledFor");
    inc_set_copy(rec, in, "scheduledUntil");
    inc_set_copy(rec, in, "autoStart");
    inc_set_copy(rec, in, "autoComplete");
    inc_set_copy(rec, in, "remindBeforeMinutes");
    inc_maint_revise(rec, ctx);

    rc = inc_record_put(txn, INC_DB_MAINTENANCES, w->id, 0, rec);

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "maintenance.patch", "maintenance", w->id);
    }

    if (rc == INC_OK) {
        rc = inc_maintenance_doc(txn, ctx, rec, &doc);
    }

    cJSON_Delete(rec);

    if (rc == INC_OK) {
        inc_result_ok(res, 200, doc);
    }

    return rc;
}


/* cancelling: the window and its updates go */
int
inc_op_maintenance_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int     rc;
    cJSON  *rec;

    rc = inc_maint_for_write(txn, w, &rec, res);
    if (rec == NULL) {
        return rc;
    }

    cJSON_Delete(rec);

    rc = inc_record_del_all(txn, INC_DB_MAINT_UPDATES, w->id);

    if (rc == INC_OK) {
        rc = inc_record_del(txn, INC_DB_MAINT_OPEN, w->id, 0);
        rc = rc == INC_NOTFOUND ? INC_OK : rc;
    }

    if (rc == INC_OK) {
        rc = inc_record_del(txn, INC_DB_MAINTENANCES, w->id, 0);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "maintenance.delete", "maintenance", w->id);
    }

    if (rc == INC_OK) {
        inc_result_ok(res, 204, NULL);
    }

    return rc;
}


/* a status change (or none) with a message, announced unless notify false */
static int
inc_maint_post(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id,
    cJSON *rec, int status, const char *message, int notify, int automatic,
    uint64_t *update_id)
{
    int  rc, from;

    from = inc_maint_status(rec);

    rc = inc_maint_set_status(txn, ctx, id, rec, status);

    if (rc == INC_OK) {
        rc = inc_maint_update_add(txn, ctx, id,
                                  inc_maintenance_statuses[status].value,
                                  message, notify, automatic, update_id);
    }

    if (rc == INC_OK) {
        rc = inc_record_put(txn, INC_DB_MAINTENANCES, id, 0, rec);
    }

    if (rc == INC_OK && notify) {
        rc = inc_queue_enqueue_maintenance(txn, ctx->now, id, *update_id,
                                           inc_maint_event(from, status));
    }

    return rc;
}


int
inc_op_maintenance_update(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int        rc, status;
    cJSON     *rec, *doc, *urec;
    uint64_t   update_id;

    rc = inc_maint_for_write(txn, w, &rec, res);
    if (rec == NULL) {
        return rc;
    }

    status = inc_enum_find(inc_maintenance_statuses, INC_MAINT_COUNT,
                           inc_rec_str(w->input, "status"));

    rc = inc_maint_post(txn, ctx, w->id, rec, status,
                        inc_rec_str(w->input, "message"),
                        inc_maint_flag(w->input, "notify"), 0, &update_id);
    cJSON_Delete(rec);

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "maintenance.update.create", "maintenance",
                       w->id);
    }

    if (rc == INC_OK) {
        rc = inc_record_get(txn, INC_DB_MAINT_UPDATES, w->id, update_id,
                            &urec);
    }

    if (rc != INC_OK) {
        return rc;
    }

    doc = inc_json_maint_update(urec);
    cJSON_Delete(urec);

    inc_result_ok(res, 201, doc);
    snprintf(res->location, sizeof(res->location),
             "/api/v1/maintenances/%llu/updates/%llu",
             (unsigned long long) w->id, (unsigned long long) update_id);

    return INC_OK;
}


/*
 * Components under a maintenance in progress show under_maintenance; one
 * that names none puts the whole page under maintenance.
 */
int
inc_maintenance_link(inc_txn_t *txn, inc_comps_t *cs)
{
    int           rc, named, status;
    cJSON        *rec;
    inc_comp_t   *c;
    inc_iter_t    it;
    const cJSON  *id;

    rc = inc_iter_open(txn, INC_DB_MAINT_OPEN, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
         rc = inc_iter_next(&it, NULL))
    {
        rc = inc_record_get(txn, INC_DB_MAINTENANCES, it.key[0], 0, &rec);
        if (rc == INC_NOTFOUND) {
            continue;
        }

        if (rc != INC_OK) {
            break;
        }

        status = inc_maint_status(rec);
        named = 0;

        if (status == INC_MAINT_IN_PROGRESS || status == INC_MAINT_VERIFYING)
        {
            cJSON_ArrayForEach(id, inc_field(rec, "componentIds")) {
                c = inc_comps_find(cs, (uint64_t) id->valuedouble);
                if (c != NULL) {
                    c->state.maintenance = 1;
                    named = 1;
                }
            }

            if (!named) {
                rc = inc_comps_add_unlinked(cs, INC_IMPACT_MAINTENANCE);
            }
        }

        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


/*
 * A reminder is sent once, and only when its moment came after the
 * maintenance was scheduled: a window announced 10 minutes ahead gets no
 * "starts in an hour".
 */
static int
inc_maint_reminder_due(const cJSON *rec, time_t from, long remind)
{
    return remind > 0 && inc_rec_time(rec, "remindedAt") == 0
           && from - remind * 60 > inc_rec_time(rec, "createdAt");
}


/* when this maintenance next needs the timer, or 0 */
static time_t
inc_maint_due(const cJSON *rec, time_t now)
{
    int     status;
    long    remind;
    time_t  from, until, at;

    status = inc_maint_status(rec);
    from = inc_rec_time(rec, "scheduledFor");
    until = inc_rec_time(rec, "scheduledUntil");
    remind = inc_maint_remind(rec);
    at = 0;

    if (status == INC_MAINT_COMPLETED) {
        return 0;
    }

    if (status == INC_MAINT_SCHEDULED) {
        if (inc_maint_reminder_due(rec, from, remind) && now < from) {
            at = from - remind * 60;
        }

        if (inc_maint_flag(rec, "autoStart") && (at == 0 || from < at)) {
            at = from;
        }

        return at;
    }

    return inc_maint_flag(rec, "autoComplete") ? until : 0;
}


static int
inc_maint_tick_one(inc_txn_t *txn, const inc_ctx_t *ctx, uint64_t id,
    int *changed)
{
    int       rc, status;
    long      remind;
    cJSON    *rec;
    time_t    from, until;
    uint64_t  update_id;

    rc = inc_record_get(txn, INC_DB_MAINTENANCES, id, 0, &rec);
    if (rc != INC_OK) {
        return rc == INC_NOTFOUND ? INC_OK : rc;
    }

    status = inc_maint_status(rec);
    from = inc_rec_time(rec, "scheduledFor");
    until = inc_rec_time(rec, "scheduledUntil");
    remind = inc_maint_remind(rec);

    if (status == INC_MAINT_SCHEDULED && ctx->now < from
        && inc_maint_reminder_due(rec, from, remind)
        && ctx->now >= from - remind * 60)
    {
        inc_set_time(rec, "remindedAt", ctx->now);

        rc = inc_record_put(txn, INC_DB_MAINTENANCES, id, 0, rec);

        if (rc == INC_OK) {
            rc = inc_queue_enqueue_maintenance(txn, ctx->now, id, 0,
                                               "maintenance.reminder");
        }

        *changed = 1;
    }

    if (rc == INC_OK && status == INC_MAINT_SCHEDULED
        && inc_maint_flag(rec, "autoStart") && ctx->now >= from)
    {
        status = INC_MAINT_IN_PROGRESS;
        rc = inc_maint_post(txn, ctx, id, rec, status,
                            INC_MAINT_STARTED_TEXT, 1, 1, &update_id);
        *changed = 1;
    }

    /* one that was due while nginx was stopped may start and complete */
    if (rc == INC_OK && status != INC_MAINT_SCHEDULED
        && status != INC_MAINT_COMPLETED
        && inc_maint_flag(rec, "autoComplete") && ctx->now >= until)
    {
        rc = inc_maint_post(txn, ctx, id, rec, INC_MAINT_COMPLETED,
                            INC_MAINT_COMPLETED_TEXT, 1, 1, &update_id);
        *changed = 1;
    }

    cJSON_Delete(rec);

    return rc;
}


int
inc_maintenance_tick(inc_store_t *store, const inc_ctx_t *ctx, int *changed,
    char *err, size_t err_len)
{
    int         rc;
    size_t      n, i;
    uint64_t    ids[256];
    inc_txn_t   txn;
    inc_iter_t  it;

    *changed = 0;
    err[0] = '\0';

    rc = inc_txn_begin(store, 1, &txn);
    if (rc != INC_OK) {
        snprintf(err, err_len, "%s", inc_txn_error(&txn));
        return rc;
    }

    n = 0;
    rc = inc_iter_open(&txn, INC_DB_MAINT_OPEN, &it);

    if (rc == INC_OK) {
        for (rc = inc_iter_first(&it, NULL);
             rc == INC_OK && n < sizeof(ids) / sizeof(ids[0]);
             rc = inc_iter_next(&it, NULL))
        {
            ids[n++] = it.key[0];
        }

        inc_iter_close(&it);
    }

    rc = (rc == INC_NOTFOUND || rc == INC_OK) ? INC_OK : rc;

    for (i = 0; rc == INC_OK && i < n; i++) {
        rc = inc_maint_tick_one(&txn, ctx, ids[i], changed);
    }

    if (rc != INC_OK || !*changed) {
        inc_txn_abort(&txn);

    } else {
        rc = inc_txn_commit(&txn, ctx->now);
    }

    if (rc != INC_OK) {
        *changed = 0;
        snprintf(err, err_len, "%s", inc_txn_error(&txn));
    }

    return rc;
}


int
inc_maintenance_next(inc_store_t *store, time_t now, time_t *next)
{
    int          rc;
    cJSON       *rec;
    time_t       at;
    inc_txn_t    txn;
    inc_iter_t   it;

    *next = 0;

    rc = inc_txn_begin(store, 0, &txn);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_iter_open(&txn, INC_DB_MAINT_OPEN, &it);

    if (rc == INC_OK) {
        for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
             rc = inc_iter_next(&it, NULL))
        {
            if (inc_record_get(&txn, INC_DB_MAINTENANCES, it.key[0], 0, &rec)
                != INC_OK)
            {
                continue;
            }

            at = inc_maint_due(rec, now);
            cJSON_Delete(rec);

            if (at != 0 && (*next == 0 || at < *next)) {
                *next = at;
            }
        }

        inc_iter_close(&it);
    }

    inc_txn_abort(&txn);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


/* read side */

static int
inc_maint_state_match(const cJSON *rec, inc_state_t state)
{
    int  status;

    status = inc_maint_status(rec);

    switch (state) {
    case INC_STATE_UPCOMING:
        return status == INC_MAINT_SCHEDULED;
    case INC_STATE_ACTIVE:
        return status == INC_MAINT_IN_PROGRESS
               || status == INC_MAINT_VERIFYING;
    case INC_STATE_PAST:
        return status == INC_MAINT_COMPLETED;
    default:
        return 1;
    }
}


static int
inc_maint_match(inc_txn_t *txn, inc_state_t state, const cJSON *rec)
{
    (void) txn;

    return inc_maint_state_match(rec, state);
}


/* newest first, like incidents; a state filters */
void
inc_service_maintenance_list(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_result_t *res)
{
    inc_service_doc_list(store, ctx, page, INC_DB_MAINTENANCES,
                         INC_DB_MAINTENANCES, inc_maint_match,
                         inc_maintenance_doc, res);
}


void
inc_service_maintenance_get(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res)
{
    inc_service_doc_get(store, ctx, INC_DB_MAINTENANCES, id,
                        inc_maintenance_doc, "maintenance", res);
}


void
inc_service_maintenance_updates(inc_store_t *store, uint64_t id,
    inc_result_t *res)
{
    int        rc;
    cJSON     *list;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    if (!inc_record_exists(&txn, INC_DB_MAINTENANCES, id, 0)) {
        inc_txn_abort(&txn);
        inc_result_not_found(res, "maintenance");
        return;
    }

    list = NULL;
    rc = inc_timeline_doc(&txn, INC_DB_MAINT_UPDATES, id,
                          inc_json_maint_update, &list);

    inc_read_end(&txn, rc, 200, rc == INC_OK ? inc_json_list(list, 0) : list,
                 res);
}


void
inc_service_maintenance_update_get(inc_store_t *store, uint64_t id,
    uint64_t sub, inc_result_t *res)
{
    int        rc;
    cJSON     *rec, *doc;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    rc = inc_record_get(&txn, INC_DB_MAINT_UPDATES, id, sub, &rec);

    if (rc == INC_NOTFOUND) {
        inc_txn_abort(&txn);
        inc_result_not_found(res, "update");
        return;
    }

    doc = rc == INC_OK ? inc_json_maint_update(rec) : NULL;

    if (rc == INC_OK) {
        cJSON_Delete(rec);
    }

    inc_read_end(&txn, doc ? rc : INC_ERROR, 200, doc, res);
}


static int
inc_maint_by_start(const void *one, const void *two)
{
    double  a, b;

    a = inc_rec_num(*(const cJSON **) one, "scheduledForEpoch");
    b = inc_rec_num(*(const cJSON **) two, "scheduledForEpoch");

    return (a > b) - (a < b);
}


/*
 * For the status page: the maintenances in progress, and the upcoming
 * ones soonest first.
 */
int
inc_maintenance_page_lists(inc_txn_t *txn, const inc_ctx_t *ctx, cJSON *doc)
{
    int          rc, status;
    cJSON       *active, *upcoming, *rec, *m, **sorted;
    size_t       n, cap, i;
    inc_iter_t   it;

    active = cJSON_AddArrayToObject(doc, "activeMaintenances");
    upcoming = cJSON_AddArrayToObject(doc, "upcomingMaintenances");

    if (active == NULL || upcoming == NULL) {
        return INC_ERROR;
    }

    rc = inc_iter_open(txn, INC_DB_MAINT_OPEN, &it);
    if (rc != INC_OK) {
        return rc;
    }

    sorted = NULL;
    n = 0;
    cap = 0;

    for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
         rc = inc_iter_next(&it, NULL))
    {
        if (inc_record_get(txn, INC_DB_MAINTENANCES, it.key[0], 0, &rec)
            != INC_OK)
        {
            continue;
        }

        status = inc_maint_status(rec);
        rc = inc_maintenance_doc(txn, ctx, rec, &m);

        if (rc == INC_OK) {
            /* the sort key, removed again below */
            cJSON_AddNumberToObject(m, "scheduledForEpoch",
                                    inc_rec_num(rec, "scheduledFor"));
        }

        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }

        if (status != INC_MAINT_SCHEDULED) {
            cJSON_DeleteItemFromObjectCaseSensitive(m, "scheduledForEpoch");
            cJSON_AddItemToArray(active, m);
            continue;
        }

        if (n == cap) {
            cJSON  **p;

            cap = cap ? cap * 2 : 16;
            p = realloc(sorted, cap * sizeof(cJSON *));
            if (p == NULL) {
                cJSON_Delete(m);
                rc = INC_ERROR;
                break;
            }
            sorted = p;
        }

        sorted[n++] = m;
    }

    inc_iter_close(&it);

    if (n > 1) {
        qsort(sorted, n, sizeof(cJSON *), inc_maint_by_start);
    }

    for (i = 0; i < n; i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(sorted[i],
                                                "scheduledForEpoch");
        cJSON_AddItemToArray(upcoming, sorted[i]);
    }

    free(sorted);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


/* the newest maintenances in a state, for the history and the feeds */
int
inc_maintenance_recent(inc_txn_t *txn, const inc_ctx_t *ctx,
    inc_state_t state, int limit, cJSON *doc)
{
    int          rc, n;
    cJSON       *list, *rec, *m;
    inc_iter_t   it;

    list = cJSON_AddArrayToObject(doc, "maintenances");
    if (list == NULL) {
        return INC_ERROR;
    }

    rc = inc_iter_open(txn, INC_DB_MAINTENANCES, &it);
    if (rc != INC_OK) {
        return rc;
    }

    n = 0;

    for (rc = inc_iter_last(&it, &rec); rc == INC_OK && n < limit;
         rc = inc_iter_prev(&it, &rec))
    {
        if (!inc_maint_state_match(rec, state)) {
            cJSON_Delete(rec);
            continue;
        }

        rc = inc_maintenance_doc(txn, ctx, rec, &m);
        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }

        cJSON_AddItemToArray(list, m);
        n++;
    }

    if (rc == INC_OK && n == limit) {
        cJSON_Delete(rec);
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND || rc == INC_OK ? INC_OK : rc;
}
