/*
 * The operations of the API on the store: each read runs in one read
 * transaction, each write in one write transaction that is committed only
 * when the whole operation succeeded.  No nginx types: the handlers call
 * these from the event loop (reads) or from a thread-pool task (writes),
 * and the unit tests call them directly.
 */

#ifndef _INCIDENT_SERVICE_H_INCLUDED_
#define _INCIDENT_SERVICE_H_INCLUDED_


#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "incident_store.h"


#define INC_LIST_LIMIT_DEFAULT  25
#define INC_LIST_LIMIT_MAX      100


typedef enum {
    INC_OP_INCIDENT_CREATE = 0,
    INC_OP_INCIDENT_PATCH,
    INC_OP_INCIDENT_DELETE,
    INC_OP_UPDATE_CREATE,
    INC_OP_UPDATE_PATCH,
    INC_OP_UPDATE_DELETE,
    INC_OP_COMPONENT_CREATE,
    INC_OP_COMPONENT_PATCH,
    INC_OP_COMPONENT_DELETE,
    INC_OP_SETTINGS_PATCH,
    INC_OP_COMPONENT_MOVE,       /* {"direction": "up" | "down"} */
    INC_OP_SUBSCRIBE,            /* public: double opt-in */
    INC_OP_SUBSCRIBER_CREATE,    /* an admin's: confirmed at once */
    INC_OP_SUBSCRIBER_DELETE,
    INC_OP_SUBSCRIBER_CONFIRM,   /* id from a verified link token */
    INC_OP_UNSUBSCRIBE,          /* id from a verified link token */
    INC_OP_DEAD_RETRY,           /* a dead letter back into the queue */
    INC_OP_MAINT_CREATE,
    INC_OP_MAINT_PATCH,
    INC_OP_MAINT_DELETE,
    INC_OP_MAINT_UPDATE_CREATE,
    INC_OP_ALERTMANAGER,         /* a notification of Alertmanager's */
    INC_OP_COUNT
} inc_op_t;

typedef enum {
    INC_STATE_ALL = 0,
    INC_STATE_ACTIVE,
    INC_STATE_RESOLVED,
    INC_STATE_UPCOMING,          /* maintenance: scheduled */
    INC_STATE_PAST               /* maintenance: completed */
} inc_state_t;


typedef struct {
    const char  *base_url;       /* "https://status.example.com" */
    const char  *actor;          /* who writes: a token name */
    time_t       now;
    time_t       confirm_expiry; /* a confirmation link works this long */
    time_t       resend_after;   /* between confirmation mails to one */
} inc_ctx_t;

typedef struct {
    inc_op_t     op;
    uint64_t     id;             /* the object the URI names */
    uint64_t     sub_id;         /* an update of incident "id" */
    cJSON       *input;          /* validated and normalized */
} inc_write_t;

typedef struct {
    int          status;         /* the HTTP status to answer */
    cJSON       *body;           /* the document or problem, NULL for 204 */
    char         location[96];   /* of a created object, or "" */
    uint64_t     generation;     /* of the data the body shows */
    const char  *store_error;    /* for the log, when the store failed */
} inc_result_t;

typedef struct {
    inc_state_t  state;
    int          limit;
    uint64_t     cursor;         /* 0: from the start */
    int          by_start;       /* newest startedAt first; cursor: offset */
} inc_page_t;


void inc_result_free(inc_result_t *res);
void inc_result_problem(inc_result_t *res, int status, const char *detail,
    cJSON *errors);

void inc_service_write(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_write_t *w, inc_result_t *res);

void inc_service_validate(inc_op_t op, const cJSON *in, time_t now,
    cJSON *out, cJSON *errors);
void inc_service_check_references(inc_store_t *store, const inc_write_t *w,
    cJSON *errors);

void inc_service_incident_list(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_result_t *res);
void inc_service_incident_get(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res);
void inc_service_update_list(inc_store_t *store, uint64_t id,
    inc_result_t *res);
void inc_service_update_get(inc_store_t *store, uint64_t id, uint64_t sub,
    inc_result_t *res);
void inc_service_component_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res);
void inc_service_component_get(inc_store_t *store, uint64_t id,
    inc_result_t *res);
void inc_service_status(inc_store_t *store, const inc_ctx_t *ctx,
    inc_result_t *res);
void inc_service_settings(inc_store_t *store, inc_result_t *res);
/* documents for the public pages (incident_service_page.c) */
void inc_service_page_home(inc_store_t *store, const inc_ctx_t *ctx,
    inc_result_t *res);
void inc_service_page_incident(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res);
void inc_service_page_incidents(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_result_t *res);
void inc_service_page_base(inc_store_t *store, inc_result_t *res);
void inc_service_page_maintenance(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res);

void inc_service_audit_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res);

/* scheduled maintenance (incident_maintenance.c) */
void inc_service_maintenance_list(inc_store_t *store, const inc_ctx_t *ctx,
    const inc_page_t *page, inc_result_t *res);
void inc_service_maintenance_get(inc_store_t *store, const inc_ctx_t *ctx,
    uint64_t id, inc_result_t *res);
void inc_service_maintenance_updates(inc_store_t *store, uint64_t id,
    inc_result_t *res);
void inc_service_maintenance_update_get(inc_store_t *store, uint64_t id,
    uint64_t sub, inc_result_t *res);

/*
 * The automatic transitions and reminders that are due at "now", in one
 * write transaction; "*changed" tells whether any was made.  "next" is
 * when the next one is due (0: none), from a read transaction.
 */
int inc_maintenance_tick(inc_store_t *store, const inc_ctx_t *ctx,
    int *changed, char *err, size_t err_len);
int inc_maintenance_next(inc_store_t *store, time_t now, time_t *next);

/* subscribers and the queue (incident_subscriber.c) */
void inc_service_subscriber_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res);
void inc_service_subscriber_get(inc_store_t *store, uint64_t id,
    inc_result_t *res);
void inc_service_delivery_list(inc_store_t *store, uint64_t id,
    const inc_page_t *page, inc_result_t *res);
void inc_service_dead_list(inc_store_t *store, const inc_page_t *page,
    inc_result_t *res);
void inc_service_queue_stats(inc_store_t *store, inc_result_t *res);

/*
 * Link tokens: "<id>.<hex HMAC-SHA256(secret, purpose:id)>", for the
 * confirmation and unsubscribe links.  inc_link_token_check() returns the
 * id, or 0 for a token that is not ours.
 */
void inc_link_token(const unsigned char *secret, const char *purpose,
    uint64_t id, char *out, size_t size);
uint64_t inc_link_token_check(const unsigned char *secret,
    const char *purpose, const char *token, size_t len);


#endif /* _INCIDENT_SERVICE_H_INCLUDED_ */
