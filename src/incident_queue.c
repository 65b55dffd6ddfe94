/*
 * The notification queue: jobs keyed by (due time in ms, job id), so the
 * runner reads due work from the front of one database.  A job is leased
 * by moving it to (now + lease, id): if its worker dies the job simply
 * comes due again.  A job's id never changes, and it is the Message-ID's
 * and the webhook-id's stem, so a retried delivery is recognisable.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "incident_model.h"
#include "incident_json.h"
#include "incident_mail.h"
#include "incident_message.h"
#include "incident_queue.h"
#include "incident_service_int.h"


#define INC_LEASE_SCAN_EXTRA    16       /* fan-outs met on the way */
#define INC_EVENT_CACHE         4
#define INC_RETRY_AFTER_MAX_MS  (24ULL * 60 * 60 * 1000)
#define INC_PURGE_INTERVAL_MAX  (60 * 60)
#define INC_HISTORY_KEEP        100      /* attempts kept per subscriber */


typedef struct {
    uint64_t     due;
    uint64_t     id;
    cJSON       *rec;
} inc_due_t;

/* what a job announces: an incident's or a maintenance's change */
typedef struct {
    const char  *field;          /* the job's "incidentId", ... */
    inc_db_t     db;
    inc_db_t     updates;
    int        (*doc)(inc_txn_t *txn, const inc_ctx_t *ctx,
                      const cJSON *rec, cJSON **out);
    cJSON     *(*update_doc)(const cJSON *rec);
} inc_subject_t;

static const inc_subject_t  inc_subjects[] = {
    { "incidentId", INC_DB_INCIDENTS, INC_DB_UPDATES, inc_incident_doc,
      inc_json_update },
    { "maintenanceId", INC_DB_MAINTENANCES, INC_DB_MAINT_UPDATES,
      inc_maintenance_doc, inc_json_maint_update },
};

typedef struct {
    const inc_subject_t  *subject;
    uint64_t     incident_id;    /* or the maintenance's */
    uint64_t     update_id;
    cJSON       *incident;       /* the API document, NULL if deleted */
    cJSON       *update;
    char         components[1024];
} inc_cached_event_t;

typedef struct {
    const inc_queue_conf_t  *conf;
    inc_txn_t               *txn;
    uint64_t                 now_ms;
    char                     page_title[256];
    char                     host[256];      /* of the Message-IDs */
    inc_cached_event_t       events[INC_EVENT_CACHE];
    unsigned                 nevents;
} inc_lease_t;


static int
inc_job_new(inc_txn_t *txn, time_t now, const char *kind, cJSON **rec,
    uint64_t *id)
{
    int  rc;

    rc = inc_record_new(txn, "job", id, rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddStringToObject(*rec, "kind", kind);
    cJSON_AddNumberToObject(*rec, "attempt", 0);
    cJSON_AddNumberToObject(*rec, "createdAt", (double) now);

    return INC_OK;
}


static int
inc_job_put_new(inc_txn_t *txn, uint64_t due_ms, uint64_t id, cJSON *rec)
{
    int  rc;

    rc = inc_record_put(txn, INC_DB_JOBS, due_ms, id, rec);
    cJSON_Delete(rec);

    return rc;
}


/* the announcement of an incident's or a maintenance's change */
static int
inc_queue_fanout(inc_txn_t *txn, time_t now, const char *field,
    uint64_t object_id, uint64_t update_id, const char *event)
{
    int       rc;
    cJSON    *rec;
    uint64_t  id;

    rc = inc_job_new(txn, now, "fanout", &rec, &id);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddStringToObject(rec, "type", event);
    cJSON_AddNumberToObject(rec, field, (double) object_id);
    cJSON_AddNumberToObject(rec, "updateId", (double) update_id);
    cJSON_AddNumberToObject(rec, "cursor", 0);

    return inc_job_put_new(txn, (uint64_t) now * 1000, id, rec);
}


int
inc_queue_enqueue_fanout(inc_txn_t *txn, time_t now, uint64_t incident_id,
    uint64_t update_id, const char *event)
{
    return inc_queue_fanout(txn, now, "incidentId", incident_id, update_id,
                            event);
}


int
inc_queue_enqueue_maintenance(inc_txn_t *txn, time_t now,
    uint64_t maintenance_id, uint64_t update_id, const char *event)
{
    return inc_queue_fanout(txn, now, "maintenanceId", maintenance_id,
                            update_id, event);
}


int
inc_queue_enqueue_confirm(inc_txn_t *txn, time_t now, uint64_t subscriber_id)
{
    int       rc;
    cJSON    *rec;
    uint64_t  id;

    rc = inc_job_new(txn, now, "confirm", &rec, &id);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddStringToObject(rec, "type", "subscription.confirm");
    cJSON_AddNumberToObject(rec, "subscriberId", (double) subscriber_id);

    return inc_job_put_new(txn, (uint64_t) now * 1000, id, rec);
}


static int
inc_ids_contain(const cJSON *ids, double id)
{
    const cJSON  *item;

    cJSON_ArrayForEach(item, ids) {
        if (item->valuedouble == id) {
            return 1;
        }
    }

    return 0;
}


/* a confirmed, enabled subscriber that wants this incident's news */
static int
inc_subscriber_wants(const cJSON *sub, const cJSON *touched)
{
    const cJSON  *ids, *item;

    if (!cJSON_IsTrue(inc_field(sub, "confirmed"))
        || cJSON_IsTrue(inc_field(sub, "disabled")))
    {
        return 0;
    }

    ids = inc_field(sub, "componentIds");

    if (cJSON_GetArraySize(ids) == 0) {
        return 1;
    }

    cJSON_ArrayForEach(item, ids) {
        if (inc_ids_contain(touched, item->valuedouble)) {
            return 1;
        }
    }

    return 0;
}


static const inc_subject_t *
inc_job_subject(const cJSON *job, uint64_t *id)
{
    *id = inc_rec_id(job, "maintenanceId");

    if (*id != 0) {
        return &inc_subjects[1];
    }

    *id = inc_rec_id(job, "incidentId");

    return &inc_subjects[0];
}


/* the components an event touches: the incident's and the update's */
static int
inc_event_components(inc_txn_t *txn, const inc_subject_t *subject,
    const cJSON *incident, uint64_t update_id, cJSON **touched)
{
    int           rc;
    cJSON        *update;
    const cJSON  *item;

    *touched = cJSON_Duplicate(inc_field(incident, "componentIds"), 1);
    if (*touched == NULL) {
        *touched = cJSON_CreateArray();
        if (*touched == NULL) {
            return INC_ERROR;
        }
    }

    if (update_id == 0) {
        return INC_OK;
    }

    rc = inc_record_get(txn, subject->updates, inc_rec_id(incident, "id"),
                        update_id, &update);
    if (rc == INC_NOTFOUND) {
        return INC_OK;
    }

    if (rc != INC_OK) {
        return rc;
    }

    cJSON_ArrayForEach(item, inc_field(update, "componentIds")) {
        if (!inc_ids_contain(*touched, item->valuedouble)) {
            cJSON_AddItemToArray(*touched,
                                 cJSON_CreateNumber(item->valuedouble));
        }
    }

    cJSON_Delete(update);

    return INC_OK;
}


/*
 * One batch of a fan-out: a delivery job for each subscriber that wants
 * the news, from the job's cursor on.  The fan-out stays due at once
 * until the last subscriber is passed.
 */
static int
inc_queue_expand(inc_lease_t *ls, inc_due_t *d)
{
    int                   rc;
    cJSON                *incident, *touched, *sub, *job;
    unsigned              examined;
    uint64_t              cursor, id, incident_id, update_id;
    inc_iter_t            it;
    inc_txn_t            *txn;
    const inc_subject_t  *subject;

    txn = ls->txn;
    subject = inc_job_subject(d->rec, &incident_id);
    update_id = inc_rec_id(d->rec, "updateId");

    rc = inc_record_del(txn, INC_DB_JOBS, d->due, d->id);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_record_get(txn, subject->db, incident_id, 0, &incident);
    if (rc == INC_NOTFOUND) {
        return INC_OK;          /* deleted since: nothing to announce */
    }

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_event_components(txn, subject, incident, update_id, &touched);
    cJSON_Delete(incident);

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_iter_open(txn, INC_DB_SUBSCRIBERS, &it);
    if (rc != INC_OK) {
        cJSON_Delete(touched);
        return rc;
    }

    cursor = (uint64_t) inc_rec_num(d->rec, "cursor");
    examined = 0;

    for (rc = inc_iter_seek(&it, cursor + 1, 0, &sub);
         rc == INC_OK && examined < ls->conf->fanout_batch;
         rc = inc_iter_next(&it, &sub))
    {
        cursor = it.key[0];
        examined++;

        if (!inc_subscriber_wants(sub, touched)) {
            cJSON_Delete(sub);
            continue;
        }

        cJSON_Delete(sub);

        rc = inc_job_new(txn, (time_t) (ls->now_ms / 1000), "deliver", &job,
                         &id);
        if (rc != INC_OK) {
            break;
        }

        inc_set_copy(job, d->rec, "type");
        cJSON_AddNumberToObject(job, subject->field, (double) incident_id);
        cJSON_AddNumberToObject(job, "updateId", (double) update_id);
        cJSON_AddNumberToObject(job, "subscriberId", (double) cursor);

        rc = inc_job_put_new(txn, ls->now_ms, id, job);
        if (rc != INC_OK) {
            break;
        }
    }

    inc_iter_close(&it);
    cJSON_Delete(touched);

    if (rc == INC_NOTFOUND) {
        return INC_OK;          /* every subscriber had its job */
    }

    if (rc != INC_OK) {
        return rc;
    }

    cJSON_Delete(sub);          /* the first of the next batch */

    inc_set(d->rec, "cursor", cJSON_CreateNumber((double) cursor));

    return inc_record_put(txn, INC_DB_JOBS, ls->now_ms, d->id, d->rec);
}


static void
inc_event_free(inc_cached_event_t *ev)
{
    cJSON_Delete(ev->incident);
    cJSON_Delete(ev->update);
}


/*
 * "API, Dashboard": whole names only; when the next does not fit the
 * list ends in "…" (and stays valid UTF-8).
 */
static size_t
inc_list_add(char *list, size_t size, size_t len, const char *name)
{
    size_t  need;

    static const char  more[] = ", \xe2\x80\xa6";

    if (len >= size || (len > 0 && list[len - 1] == '\xa6')) {
        return len;                 /* full already */
    }

    need = (len ? 2 : 0) + strlen(name);

    if (len + need + sizeof(more) > size) {
        snprintf(list + len, size - len, "%s", len ? more : more + 2);
        return strlen(list);
    }

    snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);

    return len + need;
}


static int
inc_event_load(inc_lease_t *ls, inc_cached_event_t *ev)
{
    int           rc;
    size_t        len;
    cJSON        *rec, *touched, *comp;
    inc_ctx_t     ctx;
    const cJSON  *item;

    memset(&ctx, 0, sizeof(inc_ctx_t));
    ctx.base_url = ls->conf->base_url;

    rc = inc_record_get(ls->txn, ev->subject->db, ev->incident_id, 0, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    rc = ev->subject->doc(ls->txn, &ctx, rec, &ev->incident);

    if (rc == INC_OK) {
        rc = inc_event_components(ls->txn, ev->subject, rec, ev->update_id,
                                  &touched);
    }

    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    len = 0;

    cJSON_ArrayForEach(item, touched) {
        if (inc_record_get(ls->txn, INC_DB_COMPONENTS,
                           (uint64_t) item->valuedouble, 0, &comp)
            != INC_OK)
        {
            continue;
        }

        len = inc_list_add(ev->components, sizeof(ev->components), len,
                           inc_rec_str(comp, "name"));
        cJSON_Delete(comp);
    }

    cJSON_Delete(touched);

    if (ev->update_id == 0) {
        return INC_OK;
    }

    rc = inc_record_get(ls->txn, ev->subject->updates, ev->incident_id,
                        ev->update_id, &rec);
    if (rc == INC_NOTFOUND) {
        return INC_OK;          /* the update was deleted: the incident */
    }

    if (rc != INC_OK) {
        return rc;
    }

    ev->update = ev->subject->update_doc(rec);
    cJSON_Delete(rec);

    return ev->update ? INC_OK : INC_ERROR;
}


/* the incident and update a job announces, loaded once per lease */
static int
inc_event_get(inc_lease_t *ls, const cJSON *job, inc_cached_event_t **out)
{
    int                   rc;
    unsigned              i;
    uint64_t              incident_id, update_id;
    inc_cached_event_t   *ev;
    const inc_subject_t  *subject;

    subject = inc_job_subject(job, &incident_id);
    update_id = inc_rec_id(job, "updateId");

    for (i = 0; i < ls->nevents; i++) {
        ev = &ls->events[i];

        if (ev->subject == subject && ev->incident_id == incident_id
            && ev->update_id == update_id)
        {
            *out = ev;
            return ev->incident ? INC_OK : INC_NOTFOUND;
        }
    }

    if (ls->nevents == INC_EVENT_CACHE) {
        inc_event_free(&ls->events[0]);
        memmove(&ls->events[0], &ls->events[1],
                (INC_EVENT_CACHE - 1) * sizeof(inc_cached_event_t));
        ls->nevents--;
    }

    ev = &ls->events[ls->nevents++];
    memset(ev, 0, sizeof(inc_cached_event_t));
    ev->subject = subject;
    ev->incident_id = incident_id;
    ev->update_id = update_id;

    rc = inc_event_load(ls, ev);

    if (rc != INC_OK) {
        inc_event_free(ev);
        ev->incident = NULL;
        ev->update = NULL;
    }

    *out = ev;

    return rc;
}


/* what a delivery job announces, for the message builders */
static int
inc_event_of(inc_lease_t *ls, const cJSON *job, inc_event_t *ev)
{
    int                  rc;
    inc_cached_event_t  *cached;

    rc = inc_event_get(ls, job, &cached);
    if (rc != INC_OK) {
        return rc;
    }

    ev->type = inc_rec_str(job, "type");
    ev->maintenance = cached->subject == &inc_subjects[1];
    ev->incident = cached->incident;
    ev->update = cached->update;
    ev->page_title = ls->page_title;
    ev->base_url = ls->conf->base_url;
    ev->components = cached->components;

    return INC_OK;
}


static void
inc_link(inc_lease_t *ls, const char *path, const char *purpose, uint64_t id,
    char *out, size_t size)
{
    int   n;
    char  token[128];

    inc_link_token(ls->conf->secret, purpose, id, token, sizeof(token));

    n = snprintf(out, size, "%s%s?token=%s", ls->conf->base_url, path,
                 token);
    if (n < 0 || (size_t) n >= size) {
        out[0] = '\0';
    }
}


/* "<42.9f86d081884c7d65@status.example.com>": the job's, for every try */
static void
inc_message_id(inc_lease_t *ls, uint64_t job_id, char *out, size_t size)
{
    char  token[128];

    inc_link_token(ls->conf->secret, "message-id", job_id, token,
                   sizeof(token));
    token[strlen(token) > 36 ? 36 : strlen(token)] = '\0';

    snprintf(out, size, "<%s@%s>", token, ls->host);
}


static int
inc_render_mail(inc_lease_t *ls, const cJSON *job, const cJSON *sub,
    inc_delivery_t *item)
{
    int               rc;
    char              unsubscribe[512], confirm[512], message_id[400];
    inc_mail_t        mail;
    inc_mail_body_t   body;
    inc_event_t       ev;

    inc_link(ls, "/unsubscribe", "unsubscribe", item->subscriber_id,
             unsubscribe, sizeof(unsubscribe));

    if (strcmp(inc_rec_str(job, "kind"), "confirm") == 0) {
        inc_link(ls, "/subscribe/confirm", "confirm", item->subscriber_id,
                 confirm, sizeof(confirm));

        if (inc_message_confirm_mail(ls->page_title, confirm, unsubscribe,
                                     (long) ls->conf->confirm_expiry, &body)
            != 0)
        {
            return INC_ERROR;
        }

    } else {
        rc = inc_event_of(ls, job, &ev);
        if (rc != INC_OK) {
            return rc;
        }

        if (inc_message_mail(&ev, unsubscribe, &body) != 0) {
            return INC_ERROR;
        }
    }

    inc_message_id(ls, item->job_id, message_id, sizeof(message_id));

    mail.from = ls->conf->mail_from;
    mail.to = inc_rec_str(sub, "email");
    mail.subject = body.subject;
    mail.message_id = message_id;
    mail.unsubscribe = unsubscribe;
    mail.text = body.text;
    mail.html = body.html;
    mail.date = (time_t) (ls->now_ms / 1000);

    item->body = inc_mail_message(&mail, &item->body_len);
    inc_mail_body_free(&body);

    return item->body ? INC_OK : INC_ERROR;
}


static int
inc_render_webhook(inc_lease_t *ls, const cJSON *job, const cJSON *sub,
    inc_delivery_t *item)
{
    int           rc;
    inc_event_t   ev;

    rc = inc_event_of(ls, job, &ev);
    if (rc != INC_OK) {
        return rc;
    }

    switch (item->channel) {

    case INC_CHANNEL_SLACK:
        item->body = inc_message_slack(&ev);
        break;

    case INC_CHANNEL_DISCORD:
        item->body = inc_message_discord(&ev);
        break;

    default:
        item->body = inc_message_webhook(&ev);

        if (inc_rec_str(sub, "secret")[0] != '\0') {
            item->secret = strdup(inc_rec_str(sub, "secret"));
            if (item->secret == NULL) {
                return INC_ERROR;
            }
        }
    }

    if (item->body == NULL) {
        return INC_ERROR;
    }

    item->body_len = strlen(item->body);

    return INC_OK;
}


/*
 * Leases one delivery job and renders what it sends.  INC_NOTFOUND: the
 * job was dropped, as its subscriber or its incident is gone.
 */
static int
inc_queue_take(inc_lease_t *ls, inc_due_t *d, inc_delivery_t *item)
{
    int           rc, type;
    cJSON        *sub;
    unsigned      attempt;
    uint64_t      lease_due;
    const char   *kind;

    kind = inc_rec_str(d->rec, "kind");

    rc = inc_record_del(ls->txn, INC_DB_JOBS, d->due, d->id);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_record_get(ls->txn, INC_DB_SUBSCRIBERS,
                        inc_rec_id(d->rec, "subscriberId"), 0, &sub);
    if (rc != INC_OK) {
        return rc;
    }

    type = inc_enum_find(inc_subscriber_types, INC_SUBSCRIBER_COUNT,
                         inc_rec_str(sub, "type"));

    if (type < 0 || cJSON_IsTrue(inc_field(sub, "disabled"))
        || (strcmp(kind, "deliver") == 0
            && !cJSON_IsTrue(inc_field(sub, "confirmed")))
        || (strcmp(kind, "confirm") == 0 && type != INC_SUBSCRIBER_EMAIL))
    {
        cJSON_Delete(sub);
        return INC_NOTFOUND;
    }

    attempt = (unsigned) inc_rec_num(d->rec, "attempt") + 1;
    lease_due = ls->now_ms + ls->conf->lease_ms;

    inc_set(d->rec, "attempt", cJSON_CreateNumber(attempt));

    rc = inc_record_put(ls->txn, INC_DB_JOBS, lease_due, d->id, d->rec);
    if (rc != INC_OK) {
        cJSON_Delete(sub);
        return rc;
    }

    item->job_id = d->id;
    item->lease_due = lease_due;
    item->subscriber_id = inc_rec_id(d->rec, "subscriberId");
    item->channel = (inc_channel_t) type;
    item->attempt = attempt;

    if (type == INC_SUBSCRIBER_EMAIL) {
        item->target = strdup(inc_rec_str(sub, "email"));
        rc = inc_mail_address(ls->conf->mail_from, item->sender,
                              sizeof(item->sender))
             ? inc_render_mail(ls, d->rec, sub, item) : INC_ERROR;

    } else {
        inc_link_token(ls->conf->secret, "message-id", d->id, item->msg_id,
                       sizeof(item->msg_id));
        item->msg_id[strcspn(item->msg_id, ".")] = '_';
        item->msg_id[36] = '\0';
        memmove(item->msg_id + 4, item->msg_id, 37);
        memcpy(item->msg_id, "msg_", 4);

        item->target = strdup(inc_rec_str(sub, "url"));
        rc = inc_render_webhook(ls, d->rec, sub, item);
    }

    cJSON_Delete(sub);

    if (rc == INC_OK && item->target == NULL) {
        rc = INC_ERROR;
    }

    if (rc == INC_NOTFOUND) {
        /* the incident is gone: drop the job that was just leased */
        rc = inc_record_del(ls->txn, INC_DB_JOBS, lease_due, d->id);
        if (rc == INC_OK) {
            rc = INC_NOTFOUND;
        }
    }

    return rc;
}


static void
inc_lease_setup(inc_lease_t *ls)
{
    size_t       n;
    cJSON       *settings;
    const char  *p;

    snprintf(ls->page_title, sizeof(ls->page_title), "Status");

    if (inc_settings_load(ls->txn, &settings) == INC_OK) {
        snprintf(ls->page_title, sizeof(ls->page_title), "%s",
                 inc_rec_str(settings, "pageTitle"));
        cJSON_Delete(settings);
    }

    /* the host of the public URL, for Message-IDs */
    p = strstr(ls->conf->base_url, "://");
    p = p ? p + 3 : ls->conf->base_url;
    n = strcspn(p, ":/?#");

    if (n == 0 || n >= sizeof(ls->host)) {
        snprintf(ls->host, sizeof(ls->host), "localhost");

    } else {
        memcpy(ls->host, p, n);
        ls->host[n] = '\0';
    }
}


/* unconfirmed addresses are forgotten, every so often */
static int
inc_queue_purge(inc_lease_t *ls)
{
    int       rc;
    cJSON    *mark;
    time_t    interval;
    uint64_t  at;

    rc = inc_named_get(ls->txn, INC_DB_META, "queue.purge", &mark);

    if (rc == INC_OK) {
        at = (uint64_t) inc_rec_num(mark, "at");
        cJSON_Delete(mark);

        if (at > ls->now_ms) {
            return INC_OK;
        }

    } else if (rc != INC_NOTFOUND) {
        return rc;
    }

    rc = inc_subscribers_purge(ls->txn, (time_t) (ls->now_ms / 1000),
                               ls->conf->confirm_expiry);
    if (rc != INC_OK) {
        return rc;
    }

    interval = ls->conf->confirm_expiry / 4;
    interval = interval < 1 ? 1
               : interval > INC_PURGE_INTERVAL_MAX ? INC_PURGE_INTERVAL_MAX
               : interval;

    mark = cJSON_CreateObject();
    if (mark == NULL) {
        return INC_ERROR;
    }

    cJSON_AddNumberToObject(mark, "at",
                            (double) (ls->now_ms + interval * 1000));

    rc = inc_named_put(ls->txn, INC_DB_META, "queue.purge", mark);
    cJSON_Delete(mark);

    return rc;
}


static int
inc_next_due(inc_txn_t *txn, uint64_t *next_due)
{
    int         rc;
    inc_iter_t  it;

    *next_due = 0;

    rc = inc_iter_open(txn, INC_DB_JOBS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_iter_first(&it, NULL);

    if (rc == INC_OK) {
        *next_due = it.key[0];
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


int
inc_queue_peek(inc_store_t *store, uint64_t *first_due_ms)
{
    int        rc;
    inc_txn_t  txn;

    rc = inc_txn_begin(store, 0, &txn);
    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_next_due(&txn, first_due_ms);
    inc_txn_abort(&txn);

    return rc;
}


static int
inc_collect_due(inc_txn_t *txn, uint64_t now_ms, inc_due_t *due,
    unsigned max, unsigned *n)
{
    int         rc;
    cJSON      *rec;
    inc_iter_t  it;

    *n = 0;

    rc = inc_iter_open(txn, INC_DB_JOBS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
         rc = inc_iter_next(&it, &rec))
    {
        if (it.key[0] > now_ms || *n == max) {
            cJSON_Delete(rec);
            break;
        }

        due[*n].due = it.key[0];
        due[*n].id = it.key[1];
        due[*n].rec = rec;
        (*n)++;
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


int
inc_queue_lease(inc_store_t *store, const inc_queue_conf_t *conf,
    uint64_t now_ms, unsigned max, inc_delivery_t **items, unsigned *n,
    uint64_t *next_due_ms, char *err, size_t err_len)
{
    int              rc;
    unsigned         i, ndue, leased;
    inc_txn_t        txn;
    inc_due_t       *due;
    inc_lease_t      ls;
    inc_delivery_t  *out;

    *items = NULL;
    *n = 0;
    *next_due_ms = 0;
    err[0] = '\0';

    due = calloc(max + INC_LEASE_SCAN_EXTRA, sizeof(inc_due_t));
    out = calloc(max ? max : 1, sizeof(inc_delivery_t));

    if (due == NULL || out == NULL) {
        free(due);
        free(out);
        snprintf(err, err_len, "out of memory");
        return INC_ERROR;
    }

    rc = inc_txn_begin(store, 1, &txn);
    if (rc != INC_OK) {
        snprintf(err, err_len, "%s", inc_txn_error(&txn));
        free(due);
        free(out);
        return rc;
    }

    txn.quiet = 1;

    memset(&ls, 0, sizeof(inc_lease_t));
    ls.conf = conf;
    ls.txn = &txn;
    ls.now_ms = now_ms;
    inc_lease_setup(&ls);

    leased = 0;
    ndue = 0;

    rc = inc_queue_purge(&ls);

    if (rc == INC_OK) {
        rc = inc_collect_due(&txn, now_ms, due, max + INC_LEASE_SCAN_EXTRA,
                             &ndue);
    }

    for (i = 0; rc == INC_OK && i < ndue; i++) {
        if (strcmp(inc_rec_str(due[i].rec, "kind"), "fanout") == 0) {
            rc = inc_queue_expand(&ls, &due[i]);
            continue;
        }

        if (leased == max) {
            continue;
        }

        rc = inc_queue_take(&ls, &due[i], &out[leased]);

        if (rc == INC_OK) {
            leased++;

        } else if (rc == INC_NOTFOUND) {
            inc_delivery_free(&out[leased], 1);
            memset(&out[leased], 0, sizeof(inc_delivery_t));
            rc = INC_OK;
        }
    }

    for (i = 0; i < ndue; i++) {
        cJSON_Delete(due[i].rec);
    }

    free(due);

    for (i = 0; i < ls.nevents; i++) {
        inc_event_free(&ls.events[i]);
    }

    if (rc == INC_OK) {
        rc = inc_next_due(&txn, next_due_ms);
    }

    if (rc == INC_OK) {
        rc = inc_txn_commit(&txn, (time_t) (now_ms / 1000));

    } else {
        inc_txn_abort(&txn);
    }

    if (rc != INC_OK) {
        snprintf(err, err_len, "%s", inc_txn_error(&txn));
        inc_delivery_free(out, leased + (leased < max));
        free(out);
        return rc;
    }

    *items = out;
    *n = leased;

    return INC_OK;
}


void
inc_delivery_free(inc_delivery_t *items, unsigned n)
{
    unsigned  i;

    for (i = 0; i < n; i++) {
        free(items[i].target);
        free(items[i].body);
        free(items[i].secret);
        items[i].target = NULL;
        items[i].body = NULL;
        items[i].secret = NULL;
    }
}


uint64_t
inc_queue_backoff(const inc_queue_conf_t *conf, unsigned attempt)
{
    uint64_t  delay;

    delay = conf->backoff_ms;

    while (--attempt > 0 && delay < conf->backoff_max_ms) {
        delay *= 2;
    }

    return delay < conf->backoff_max_ms ? delay : conf->backoff_max_ms;
}


/* the backoff, spread by +-20% so that retries do not come in waves */
static uint64_t
inc_queue_delay(const inc_queue_conf_t *conf, const inc_outcome_t *o)
{
    uint32_t  r;
    uint64_t  delay;

    delay = inc_queue_backoff(conf, o->attempt ? o->attempt : 1);

    if (getrandom(&r, sizeof(r), 0) == (ssize_t) sizeof(r)) {
        delay = delay * 8 / 10 + (delay * 4 / 10) * (r % 1001) / 1000;
    }

    if (o->retry_after_ms > delay) {
        delay = o->retry_after_ms < INC_RETRY_AFTER_MAX_MS
                ? o->retry_after_ms : INC_RETRY_AFTER_MAX_MS;
    }

    return delay;
}


static int
inc_subscriber_disable(inc_txn_t *txn, uint64_t id, const char *reason)
{
    int     rc;
    cJSON  *sub;

    rc = inc_record_get(txn, INC_DB_SUBSCRIBERS, id, 0, &sub);
    if (rc != INC_OK) {
        return rc == INC_NOTFOUND ? INC_OK : rc;
    }

    inc_set(sub, "disabled", cJSON_CreateTrue());
    inc_set(sub, "disabledReason", cJSON_CreateString(reason));

    rc = inc_record_put(txn, INC_DB_SUBSCRIBERS, id, 0, sub);
    cJSON_Delete(sub);

    return rc;
}


/* a subscriber's history keeps its last INC_HISTORY_KEEP attempts */
static int
inc_history_trim(inc_txn_t *txn, uint64_t subscriber_id)
{
    int         rc;
    unsigned    n;
    uint64_t    oldest;
    inc_iter_t  it;

    rc = inc_iter_open(txn, INC_DB_DELIVERIES, &it);
    if (rc != INC_OK) {
        return rc;
    }

    n = 0;
    oldest = 0;

    for (rc = inc_iter_seek(&it, subscriber_id, 0, NULL);
         rc == INC_OK && it.key[0] == subscriber_id;
         rc = inc_iter_next(&it, NULL))
    {
        if (n++ == 0) {
            oldest = it.key[1];
        }
    }

    inc_iter_close(&it);

    if (rc != INC_OK && rc != INC_NOTFOUND) {
        return rc;
    }

    /* one attempt is added at a time: one goes */
    if (n <= INC_HISTORY_KEEP) {
        return INC_OK;
    }

    return inc_record_del(txn, INC_DB_DELIVERIES, subscriber_id, oldest);
}


static int
inc_history_add(inc_txn_t *txn, const inc_outcome_t *o, const cJSON *job,
    time_t now, const char *outcome)
{
    int       rc;
    cJSON    *rec;
    uint64_t  id;

    /* a subscriber removed meanwhile keeps no history */
    if (!inc_record_exists(txn, INC_DB_SUBSCRIBERS, o->subscriber_id, 0)) {
        return INC_OK;
    }

    rc = inc_record_new(txn, "delivery", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddNumberToObject(rec, "jobId", (double) o->job_id);
    inc_set_copy(rec, job, "kind");
    inc_set_copy(rec, job, "type");
    inc_set_copy(rec, job, "incidentId");
    inc_set_copy(rec, job, "maintenanceId");
    inc_set_copy(rec, job, "updateId");
    cJSON_AddNumberToObject(rec, "attempt", o->attempt);
    cJSON_AddNumberToObject(rec, "at", (double) now);
    cJSON_AddStringToObject(rec, "outcome", outcome);
    cJSON_AddStringToObject(rec, "detail", o->detail);

    rc = inc_record_put(txn, INC_DB_DELIVERIES, o->subscriber_id, id, rec);
    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    return inc_history_trim(txn, o->subscriber_id);
}


static int
inc_settle_one(inc_txn_t *txn, const inc_queue_conf_t *conf, uint64_t now_ms,
    const inc_outcome_t *o)
{
    int          rc;
    cJSON       *job;
    time_t       now;
    const char  *outcome;

    now = (time_t) (now_ms / 1000);

    rc = inc_record_get(txn, INC_DB_JOBS, o->lease_due, o->job_id, &job);

    if (rc == INC_NOTFOUND) {
        /* our lease ran out and another worker has the job now */
        return INC_OK;
    }

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_record_del(txn, INC_DB_JOBS, o->lease_due, o->job_id);

    if (rc != INC_OK) {
        cJSON_Delete(job);
        return rc;
    }

    if (o->ok) {
        outcome = "delivered";

    } else if (o->gone) {
        outcome = "disabled";
        rc = inc_subscriber_disable(txn, o->subscriber_id,
                                    "the target answered 410 Gone");

    } else {
        inc_set(job, "lastError", cJSON_CreateString(o->detail));

        if (o->attempt >= conf->attempts) {
            outcome = "dead";
            inc_set_time(job, "deadAt", now);
            rc = inc_record_put(txn, INC_DB_DEAD, o->job_id, 0, job);

        } else {
            outcome = "retrying";
            rc = inc_record_put(txn, INC_DB_JOBS,
                                now_ms + inc_queue_delay(conf, o),
                                o->job_id, job);
        }
    }

    if (rc == INC_OK) {
        rc = inc_history_add(txn, o, job, now, outcome);
    }

    cJSON_Delete(job);

    return rc;
}


int
inc_queue_settle(inc_store_t *store, const inc_queue_conf_t *conf,
    uint64_t now_ms, const inc_outcome_t *outcomes, unsigned n,
    char *err, size_t err_len)
{
    int        rc;
    unsigned   i;
    inc_txn_t  txn;

    err[0] = '\0';

    rc = inc_txn_begin(store, 1, &txn);
    if (rc != INC_OK) {
        snprintf(err, err_len, "%s", inc_txn_error(&txn));
        return rc;
    }

    txn.quiet = 1;

    for (i = 0; rc == INC_OK && i < n; i++) {
        rc = inc_settle_one(&txn, conf, now_ms, &outcomes[i]);
    }

    if (rc == INC_OK) {
        rc = inc_txn_commit(&txn, (time_t) (now_ms / 1000));

    } else {
        inc_txn_abort(&txn);
    }

    if (rc != INC_OK) {
        snprintf(err, err_len, "%s", inc_txn_error(&txn));
    }

    return rc;
}


int
inc_queue_retry_dead(inc_txn_t *txn, time_t now, uint64_t job_id)
{
    int     rc;
    cJSON  *job;

    rc = inc_record_get(txn, INC_DB_DEAD, job_id, 0, &job);
    if (rc != INC_OK) {
        return rc;
    }

    inc_set(job, "attempt", cJSON_CreateNumber(0));
    cJSON_DeleteItemFromObjectCaseSensitive(job, "deadAt");

    rc = inc_record_del(txn, INC_DB_DEAD, job_id, 0);

    if (rc == INC_OK) {
        rc = inc_record_put(txn, INC_DB_JOBS, (uint64_t) now * 1000, job_id,
                            job);
    }

    cJSON_Delete(job);

    return rc;
}
