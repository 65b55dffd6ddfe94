/*
 * Subscribers: double opt-in for the public, direct creation for admins,
 * link tokens, and the reads of the subscriber list, the delivery history
 * and the dead letters.  None of it shows on a public page, so these
 * writes commit without a new generation.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "incident_model.h"
#include "incident_json.h"
#include "incident_mail.h"
#include "incident_queue.h"
#include "incident_webhook.h"
#include "incident_service_int.h"


#define INC_CONFIRM_EXPIRY_DEFAULT  (7 * 24 * 60 * 60)
#define INC_RESEND_AFTER_DEFAULT    (10 * 60)
#define INC_TOKEN_MAC_HEX           32


void
inc_link_token(const unsigned char *secret, const char *purpose,
    uint64_t id, char *out, size_t size)
{
    int            n;
    char           msg[96];
    unsigned int   len, i;
    unsigned char  mac[EVP_MAX_MD_SIZE];

    n = snprintf(msg, sizeof(msg), "%s:%llu", purpose,
                 (unsigned long long) id);

    if (HMAC(EVP_sha256(), secret, INC_SECRET_LEN, (unsigned char *) msg,
             (size_t) n, mac, &len)
        == NULL)
    {
        /* an unusable token rather than a guessable one */
        snprintf(out, size, "0.");
        return;
    }

    n = snprintf(out, size, "%llu.", (unsigned long long) id);

    for (i = 0; i < INC_TOKEN_MAC_HEX / 2 && (size_t) n + 2 < size; i++) {
        n += snprintf(out + n, size - n, "%02x", mac[i]);
    }
}


uint64_t
inc_link_token_check(const unsigned char *secret, const char *purpose,
    const char *token, size_t len)
{
    char        expect[128];
    size_t      i;
    uint64_t    id;

    if (len == 0 || len > 64 || token[0] == '0') {
        return 0;
    }

    for (i = 0, id = 0; i < len && token[i] != '.'; i++) {
        if (!isdigit((unsigned char) token[i]) || i >= 16) {
            return 0;
        }
        id = id * 10 + (uint64_t) (token[i] - '0');
    }

    if (i == 0 || i == len) {
        return 0;
    }

    inc_link_token(secret, purpose, id, expect, sizeof(expect));

    if (strlen(expect) != len || CRYPTO_memcmp(expect, token, len) != 0) {
        return 0;
    }

    return id;
}


/* the index key of an address: lower case, as mail systems treat it */
static void
inc_email_key(const char *email, char *key, size_t size)
{
    size_t  i;

    for (i = 0; email[i] && i + 1 < size; i++) {
        key[i] = (char) tolower((unsigned char) email[i]);
    }

    key[i] = '\0';
}


static int
inc_subscriber_find(inc_txn_t *txn, const char *email, uint64_t *id,
    cJSON **rec)
{
    int     rc;
    char    key[INC_EMAIL_MAX + 1];
    cJSON  *idx;

    *rec = NULL;
    inc_email_key(email, key, sizeof(key));

    rc = inc_named_get(txn, INC_DB_SUBSCRIBER_EMAIL, key, &idx);
    if (rc != INC_OK) {
        return rc;
    }

    *id = inc_rec_id(idx, "id");
    cJSON_Delete(idx);

    return inc_record_get(txn, INC_DB_SUBSCRIBERS, *id, 0, rec);
}


static int
inc_subscriber_index(inc_txn_t *txn, const char *email, uint64_t id)
{
    int     rc;
    char    key[INC_EMAIL_MAX + 1];
    cJSON  *idx;

    inc_email_key(email, key, sizeof(key));

    idx = cJSON_CreateObject();
    if (idx == NULL) {
        return INC_ERROR;
    }

    cJSON_AddNumberToObject(idx, "id", (double) id);

    rc = inc_named_put(txn, INC_DB_SUBSCRIBER_EMAIL, key, idx);
    cJSON_Delete(idx);

    return rc;
}


/* the subscriber, its address index and its delivery history */
static int
inc_subscriber_remove(inc_txn_t *txn, uint64_t id, const cJSON *rec)
{
    int          rc;
    char         key[INC_EMAIL_MAX + 1];
    const char  *email;

    rc = inc_record_del(txn, INC_DB_SUBSCRIBERS, id, 0);

    email = inc_rec_str(rec, "email");

    if (rc == INC_OK && email[0] != '\0') {
        inc_email_key(email, key, sizeof(key));
        rc = inc_named_del(txn, INC_DB_SUBSCRIBER_EMAIL, key);
        if (rc == INC_NOTFOUND) {
            rc = INC_OK;
        }
    }

    if (rc == INC_OK) {
        rc = inc_record_del_all(txn, INC_DB_DELIVERIES, id);
    }

    /* queued deliveries to it are dropped when they come due */
    return rc;
}


#define INC_PURGE_BATCH  1000

/* addresses never confirmed within "expiry" of their last mail */
int
inc_subscribers_purge(inc_txn_t *txn, time_t now, time_t expiry)
{
    int          rc;
    cJSON       *rec;
    unsigned     n, i;
    uint64_t     ids[INC_PURGE_BATCH];
    inc_iter_t   it;

    rc = inc_iter_open(txn, INC_DB_SUBSCRIBERS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    n = 0;

    /* first the ids, as a delete would move the cursor */
    for (rc = inc_iter_first(&it, &rec); rc == INC_OK && n < INC_PURGE_BATCH;
         rc = inc_iter_next(&it, &rec))
    {
        if (!cJSON_IsTrue(inc_field(rec, "confirmed"))
            && now - inc_rec_time(rec, "confirmSentAt") > expiry)
        {
            ids[n++] = it.key[0];
        }

        cJSON_Delete(rec);
    }

    if (rc == INC_OK) {
        cJSON_Delete(rec);
    }

    inc_iter_close(&it);

    if (rc != INC_OK && rc != INC_NOTFOUND) {
        return rc;
    }

    for (i = 0, rc = INC_OK; rc == INC_OK && i < n; i++) {
        rc = inc_record_get(txn, INC_DB_SUBSCRIBERS, ids[i], 0, &rec);
        if (rc != INC_OK) {
            break;
        }

        rc = inc_subscriber_remove(txn, ids[i], rec);
        cJSON_Delete(rec);
    }

    return rc;
}


/*
 * A deleted component leaves its subscribers' lists.  One that named
 * nothing else is disabled rather than widened to every incident.
 */
int
inc_subscribers_forget_component(inc_txn_t *txn, uint64_t component_id)
{
    int          rc, i, n;
    cJSON       *rec, *ids;
    uint64_t     id;
    inc_iter_t   it;

    rc = inc_iter_open(txn, INC_DB_SUBSCRIBERS, &it);
    if (rc != INC_OK) {
        return rc;
    }

    /* a put does not move the cursor off its key: no need to seek */
    for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
         rc = inc_iter_next(&it, &rec))
    {
        ids = cJSON_GetObjectItemCaseSensitive(rec, "componentIds");
        n = cJSON_GetArraySize(ids);
        id = it.key[0];

        for (i = n - 1; i >= 0; i--) {
            if (cJSON_GetArrayItem(ids, i)->valuedouble
                == (double) component_id)
            {
                cJSON_DeleteItemFromArray(ids, i);
            }
        }

        if (cJSON_GetArraySize(ids) != n) {
            if (cJSON_GetArraySize(ids) == 0) {
                inc_set(rec, "disabled", cJSON_CreateTrue());
                inc_set(rec, "disabledReason",
                        cJSON_CreateString("its components were deleted"));
            }

            rc = inc_record_put(txn, INC_DB_SUBSCRIBERS, id, 0, rec);
        }

        cJSON_Delete(rec);

        if (rc != INC_OK) {
            break;
        }
    }

    inc_iter_close(&it);

    return rc == INC_NOTFOUND ? INC_OK : rc;
}


cJSON *
inc_json_subscriber(const cJSON *rec)
{
    cJSON        *doc;
    const char   *type;
    const cJSON  *ids;

    doc = cJSON_CreateObject();
    if (doc == NULL) {
        return NULL;
    }

    type = inc_rec_str(rec, "type");

    cJSON_AddNumberToObject(doc, "id", (double) inc_rec_id(rec, "id"));
    cJSON_AddStringToObject(doc, "type", type);

    if (strcmp(type, "email") == 0) {
        cJSON_AddStringToObject(doc, "email", inc_rec_str(rec, "email"));

    } else {
        cJSON_AddStringToObject(doc, "url", inc_rec_str(rec, "url"));
    }

    ids = cJSON_GetObjectItemCaseSensitive(rec, "componentIds");
    cJSON_AddItemToObject(doc, "componentIds",
                          ids ? cJSON_Duplicate(ids, 1)
                              : cJSON_CreateArray());
    cJSON_AddBoolToObject(doc, "confirmed",
                          cJSON_IsTrue(inc_field(rec, "confirmed")));
    cJSON_AddBoolToObject(doc, "disabled",
                          cJSON_IsTrue(inc_field(rec, "disabled")));

    if (inc_rec_str(rec, "disabledReason")[0] != '\0') {
        cJSON_AddStringToObject(doc, "disabledReason",
                                inc_rec_str(rec, "disabledReason"));
    }

    cJSON_AddStringToObject(doc, "source", inc_rec_str(rec, "source"));
    inc_json_add_time(doc, "createdAt", inc_rec_time(rec, "createdAt"));
    inc_json_add_time(doc, "confirmedAt", inc_rec_time(rec, "confirmedAt"));

    return doc;
}


/* the public's request: the same answer whatever the address's state */
int
inc_op_subscribe(inc_txn_t *txn, const inc_ctx_t *ctx, const inc_write_t *w,
    inc_result_t *res)
{
    int          rc;
    cJSON       *rec, *doc;
    time_t       resend;
    uint64_t     id;
    const char  *email;

    txn->quiet = 1;
    email = inc_rec_str(w->input, "email");
    resend = ctx->resend_after ? ctx->resend_after
                               : INC_RESEND_AFTER_DEFAULT;

    rc = inc_components_known(txn, inc_field(w->input, "componentIds"),
                              res);
    if (rc != INC_OK || res->status != 0) {
        return rc;
    }

    rc = inc_subscriber_find(txn, email, &id, &rec);

    if (rc == INC_OK) {
        if (!cJSON_IsTrue(inc_field(rec, "confirmed"))
            && ctx->now - inc_rec_time(rec, "confirmSentAt") >= resend)
        {
            /* another mail, for the components asked for last */
            inc_set(rec, "componentIds", cJSON_CreateArray());
            inc_set_copy(rec, w->input, "componentIds");
            inc_set_time(rec, "confirmSentAt", ctx->now);

            rc = inc_record_put(txn, INC_DB_SUBSCRIBERS, id, 0, rec);

            if (rc == INC_OK) {
                rc = inc_queue_enqueue_confirm(txn, ctx->now, id);
            }
        }

        cJSON_Delete(rec);

    } else if (rc == INC_NOTFOUND) {
        rc = inc_record_new(txn, "subscriber", &id, &rec);

        if (rc == INC_OK) {
            cJSON_AddStringToObject(rec, "type", "email");
            inc_set_copy(rec, w->input, "email");
            inc_set(rec, "componentIds", cJSON_CreateArray());
            inc_set_copy(rec, w->input, "componentIds");
            cJSON_AddBoolToObject(rec, "confirmed", 0);
            cJSON_AddStringToObject(rec, "source", "public");
            cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
            cJSON_AddNumberToObject(rec, "confirmSentAt",
                                    (double) ctx->now);

            rc = inc_record_put(txn, INC_DB_SUBSCRIBERS, id, 0, rec);
            cJSON_Delete(rec);
        }

        if (rc == INC_OK) {
            rc = inc_subscriber_index(txn, email, id);
        }

        if (rc == INC_OK) {
            rc = inc_queue_enqueue_confirm(txn, ctx->now, id);
        }
    }

    if (rc != INC_OK) {
        return rc;
    }

    doc = cJSON_CreateObject();
    if (doc == NULL) {
        return INC_ERROR;
    }

    cJSON_AddStringToObject(doc, "status", "pending");
    cJSON_AddStringToObject(doc, "detail",
                            "If this address can receive updates, a "
                            "confirmation mail is on its way. Nothing "
                            "else is sent until the link in it is "
                            "followed.");

    inc_result_ok(res, 202, doc);

    return INC_OK;
}


int
inc_op_subscriber_create(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int           rc;
    char          secret[INC_WEBHOOK_SECRET_LEN + 1];
    cJSON        *rec, *doc, *errors;
    uint64_t      id, existing;
    const char   *type, *email;

    txn->quiet = 1;
    type = inc_rec_str(w->input, "type");
    email = inc_rec_str(w->input, "email");

    errors = cJSON_CreateArray();
    if (errors == NULL) {
        return INC_ERROR;
    }

    rc = inc_check_components(txn, inc_field(w->input, "componentIds"),
                              errors);

    if (rc == INC_OK && email[0] != '\0') {
        rc = inc_subscriber_find(txn, email, &existing, &rec);

        if (rc == INC_OK) {
            cJSON_Delete(rec);
            inc_error_add(errors, "email", "is already subscribed");

        } else if (rc == INC_NOTFOUND) {
            rc = INC_OK;
        }
    }

    if (rc != INC_OK) {
        cJSON_Delete(errors);
        return rc;
    }

    if (cJSON_GetArraySize(errors)) {
        return inc_result_invalid(res, errors);
    }

    cJSON_Delete(errors);

    rc = inc_record_new(txn, "subscriber", &id, &rec);
    if (rc != INC_OK) {
        return rc;
    }

    cJSON_AddStringToObject(rec, "type", type);
    inc_set_copy(rec, w->input, strcmp(type, "email") == 0 ? "email"
                                                           : "url");
    inc_set(rec, "componentIds", cJSON_CreateArray());
    inc_set_copy(rec, w->input, "componentIds");
    cJSON_AddBoolToObject(rec, "confirmed", 1);
    cJSON_AddStringToObject(rec, "source", "admin");
    cJSON_AddNumberToObject(rec, "createdAt", (double) ctx->now);
    cJSON_AddNumberToObject(rec, "confirmedAt", (double) ctx->now);

    secret[0] = '\0';

    if (strcmp(type, "webhook") == 0) {
        if (inc_webhook_secret_new(secret, sizeof(secret)) != 0) {
            cJSON_Delete(rec);
            return INC_ERROR;
        }

        cJSON_AddStringToObject(rec, "secret", secret);
    }

    rc = inc_record_put(txn, INC_DB_SUBSCRIBERS, id, 0, rec);

    if (rc == INC_OK && email[0] != '\0') {
        rc = inc_subscriber_index(txn, email, id);
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "subscriber.create", "subscriber", id);
    }

    doc = rc == INC_OK ? inc_json_subscriber(rec) : NULL;
    cJSON_Delete(rec);

    if (rc != INC_OK || doc == NULL) {
        cJSON_Delete(doc);
        return rc != INC_OK ? rc : INC_ERROR;
    }

    /* the only time the signing secret is shown */
    if (secret[0] != '\0') {
        cJSON_AddStringToObject(doc, "secret", secret);
    }

    inc_result_ok(res, 201, doc);
    snprintf(res->location, sizeof(res->location), "/api/v1/subscribers/%llu",
             (unsigned long long) id);

    return INC_OK;
}


int
inc_op_subscriber_delete(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int     rc;
    cJSON  *rec;

    txn->quiet = 1;

    rc = inc_record_get(txn, INC_DB_SUBSCRIBERS, w->id, 0, &rec);
    if (rc == INC_NOTFOUND) {
        return inc_result_not_found(res, "subscriber");
    }

    if (rc != INC_OK) {
        return rc;
    }

    rc = inc_subscriber_remove(txn, w->id, rec);
    cJSON_Delete(rec);

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "subscriber.delete", "subscriber", w->id);
    }

    if (rc == INC_OK) {
        inc_result_ok(res, 204, NULL);
    }

    return rc;
}


static int
inc_result_status(inc_result_t *res, int status, const char *state,
    const char *detail)
{
    cJSON  *doc;

    doc = cJSON_CreateObject();
    if (doc == NULL) {
        return INC_ERROR;
    }

    cJSON_AddStringToObject(doc, "status", state);
    cJSON_AddStringToObject(doc, "detail", detail);
    inc_result_ok(res, status, doc);

    return INC_OK;
}


int
inc_op_subscriber_confirm(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int     rc;
    cJSON  *rec;
    time_t  expiry;

    txn->quiet = 1;
    expiry = ctx->confirm_expiry ? ctx->confirm_expiry
                                 : INC_CONFIRM_EXPIRY_DEFAULT;

    rc = inc_record_get(txn, INC_DB_SUBSCRIBERS, w->id, 0, &rec);
    if (rc == INC_NOTFOUND) {
        inc_result_problem(res, 410, "This confirmation link has expired: "
                           "subscribe again.", NULL);
        return INC_OK;
    }

    if (rc != INC_OK) {
        return rc;
    }

    if (cJSON_IsTrue(inc_field(rec, "confirmed"))) {
        cJSON_Delete(rec);
        return inc_result_status(res, 200, "confirmed",
                                 "The subscription is confirmed.");
    }

    if (ctx->now - inc_rec_time(rec, "confirmSentAt") > expiry) {
        cJSON_Delete(rec);
        inc_result_problem(res, 410, "This confirmation link has expired: "
                           "subscribe again.", NULL);
        return INC_OK;
    }

    inc_set(rec, "confirmed", cJSON_CreateTrue());
    inc_set_time(rec, "confirmedAt", ctx->now);

    rc = inc_record_put(txn, INC_DB_SUBSCRIBERS, w->id, 0, rec);
    cJSON_Delete(rec);

    if (rc != INC_OK) {
        return rc;
    }

    return inc_result_status(res, 200, "confirmed",
                             "The subscription is confirmed.");
}


/* idempotent: a second click, or a link of a removed subscriber, is fine */
int
inc_op_unsubscribe(inc_txn_t *txn, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res)
{
    int     rc;
    cJSON  *rec;

    (void) ctx;

    txn->quiet = 1;

    rc = inc_record_get(txn, INC_DB_SUBSCRIBERS, w->id, 0, &rec);

    if (rc == INC_OK) {
        rc = inc_subscriber_remove(txn, w->id, rec);
        cJSON_Delete(rec);

    } else if (rc == INC_NOTFOUND) {
        rc = INC_OK;
    }

    if (rc != INC_OK) {
        return rc;
    }

    return inc_result_status(res, 200, "unsubscribed",
                             "This address will receive no more updates.");
}


int
inc_op_dead_retry(inc_txn_t *txn, const inc_ctx_t *ctx, const inc_write_t *w,
    inc_result_t *res)
{
    int  rc;

    txn->quiet = 1;

    rc = inc_queue_retry_dead(txn, ctx->now, w->id);
    if (rc == INC_NOTFOUND) {
        return inc_result_not_found(res, "dead letter");
    }

    if (rc == INC_OK) {
        rc = inc_audit(txn, ctx, "notification.retry", "job", w->id);
    }

    if (rc != INC_OK) {
        return rc;
    }

    return inc_result_status(res, 202, "queued",
                             "The delivery is queued again.");
}


/* read side */

void
inc_service_subscriber_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res)
{
    inc_service_list_db(store, INC_DB_SUBSCRIBERS, 0, page,
                        inc_json_subscriber, res);
}


void
inc_service_subscriber_get(inc_store_t *store, uint64_t id,
    inc_result_t *res)
{
    int        rc;
    cJSON     *rec, *doc;
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    rc = inc_record_get(&txn, INC_DB_SUBSCRIBERS, id, 0, &rec);

    if (rc == INC_NOTFOUND) {
        inc_txn_abort(&txn);
        inc_result_not_found(res, "subscriber");
        return;
    }

    doc = rc == INC_OK ? inc_json_subscriber(rec) : NULL;
    cJSON_Delete(rec);

    inc_read_end(&txn, doc ? rc : INC_ERROR, 200, doc, res);
}


static cJSON *
inc_json_delivery(const cJSON *rec)
{
    cJSON  *doc;

    doc = cJSON_Duplicate(rec, 1);
    if (doc == NULL) {
        return NULL;
    }

    cJSON_DeleteItemFromObjectCaseSensitive(doc, "v");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "at");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "createdAt");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "deadAt");
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "due");

    if (inc_field(rec, "at") != NULL) {
        inc_json_add_time(doc, "at", inc_rec_time(rec, "at"));
    }

    if (inc_field(rec, "createdAt") != NULL) {
        inc_json_add_time(doc, "createdAt", inc_rec_time(rec, "createdAt"));
    }

    if (inc_field(rec, "deadAt") != NULL) {
        inc_json_add_time(doc, "deadAt", inc_rec_time(rec, "deadAt"));
    }

    /* an incident created without a message announces no update */
    if (inc_field(rec, "updateId") != NULL && inc_rec_id(rec, "updateId") == 0)
    {
        inc_set(doc, "updateId", cJSON_CreateNull());
    }

    return doc;
}


/* newest first, from the cursor down; "id" 0 walks a one-id database */
static void
inc_history_list(inc_store_t *store, inc_db_t db, uint64_t id,
    const inc_page_t *page, inc_result_t *res)
{
    int         rc, n;
    cJSON      *data, *rec;
    uint64_t    next, cursor;
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

    cursor = page->cursor ? page->cursor : UINT64_MAX;

    rc = id ? inc_iter_seek_before(&it, id, cursor, &rec)
            : inc_iter_seek_before(&it, cursor, 0, &rec);

    for ( /* void */ ; rc == INC_OK && (id == 0 || it.key[0] == id);
         rc = inc_iter_prev(&it, &rec))
    {
        if (n == page->limit) {
            next = id ? it.key[1] + 1 : it.key[0] + 1;
            break;
        }

        cJSON_AddItemToArray(data, inc_json_delivery(rec));
        cJSON_Delete(rec);
        n++;
    }

    if (rc == INC_OK) {
        cJSON_Delete(rec);      /* past the page, or another subscriber's */
    }

    inc_iter_close(&it);

    if (rc == INC_NOTFOUND || rc == INC_OK) {
        rc = INC_OK;
    }

    inc_read_end(&txn, rc, 200, rc == INC_OK ? inc_json_list(data, next)
                                             : data, res);
}


void
inc_service_delivery_list(inc_store_t *store, uint64_t id,
    const inc_page_t *page, inc_result_t *res)
{
    inc_txn_t  txn;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    if (!inc_record_exists(&txn, INC_DB_SUBSCRIBERS, id, 0)) {
        inc_txn_abort(&txn);
        inc_result_not_found(res, "subscriber");
        return;
    }

    inc_txn_abort(&txn);

    inc_history_list(store, INC_DB_DELIVERIES, id, page, res);
}


void
inc_service_dead_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res)
{
    inc_history_list(store, INC_DB_DEAD, 0, page, res);
}


void
inc_service_queue_stats(inc_store_t *store, inc_result_t *res)
{
    int          rc;
    cJSON       *doc, *rec;
    unsigned     jobs, fanouts, dead, confirmed, pending;
    inc_txn_t    txn;
    inc_iter_t   it;

    if (inc_read_begin(store, &txn, res) != INC_OK) {
        return;
    }

    jobs = fanouts = dead = confirmed = pending = 0;

    rc = inc_iter_open(&txn, INC_DB_JOBS, &it);

    if (rc == INC_OK) {
        for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
             rc = inc_iter_next(&it, &rec))
        {
            jobs++;
            fanouts += strcmp(inc_rec_str(rec, "kind"), "fanout") == 0;
            cJSON_Delete(rec);
        }

        inc_iter_close(&it);
    }

    if (rc == INC_NOTFOUND && inc_iter_open(&txn, INC_DB_DEAD, &it) == 0) {
        for (rc = inc_iter_first(&it, NULL); rc == INC_OK;
             rc = inc_iter_next(&it, NULL))
        {
            dead++;
        }

        inc_iter_close(&it);
    }

    if (rc == INC_NOTFOUND
        && inc_iter_open(&txn, INC_DB_SUBSCRIBERS, &it) == 0)
    {
        for (rc = inc_iter_first(&it, &rec); rc == INC_OK;
             rc = inc_iter_next(&it, &rec))
        {
            if (cJSON_IsTrue(inc_field(rec, "confirmed"))) {
                confirmed++;

            } else {
                pending++;
            }

            cJSON_Delete(rec);
        }

        inc_iter_close(&it);
    }

    if (rc != INC_NOTFOUND) {
        inc_read_end(&txn, rc == INC_OK ? INC_ERROR : rc, 0, NULL, res);
        return;
    }

    doc = cJSON_CreateObject();

    if (doc != NULL) {
        cJSON_AddNumberToObject(doc, "queued", jobs - fanouts);
        cJSON_AddNumberToObject(doc, "fanouts", fanouts);
        cJSON_AddNumberToObject(doc, "dead", dead);
        cJSON_AddNumberToObject(doc, "subscribers", confirmed);
        cJSON_AddNumberToObject(doc, "unconfirmed", pending);
    }

    inc_read_end(&txn, doc ? INC_OK : INC_ERROR, 200, doc, res);
}
