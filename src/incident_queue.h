/*
 * The notification queue on the store.  A change that notifies commits a
 * fan-out job in its own transaction; the runner leases due jobs, expands
 * fan-outs into one delivery job per subscriber, and settles each delivery
 * it tried.  Every step is one write transaction, so a crash at any point
 * leaves jobs that become due again when their lease expires: delivery is
 * at-least-once, and a job keeps its id (the idempotency key) throughout.
 * No nginx types: the runner calls these from thread-pool tasks.
 */

#ifndef _INCIDENT_QUEUE_H_INCLUDED_
#define _INCIDENT_QUEUE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "incident_store.h"


typedef enum {
    INC_CHANNEL_EMAIL = 0,
    INC_CHANNEL_WEBHOOK,
    INC_CHANNEL_SLACK,
    INC_CHANNEL_DISCORD,
    INC_CHANNEL_COUNT
} inc_channel_t;


typedef struct {
    const char     *base_url;        /* the status page, no trailing "/" */
    const char     *mail_from;       /* "Status <status@example.com>" */
    const unsigned char  *secret;    /* INC_SECRET_LEN bytes */
    uint64_t        lease_ms;        /* how long a leased job is ours */
    uint64_t        backoff_ms;      /* the first retry's delay */
    uint64_t        backoff_max_ms;
    unsigned        attempts;        /* in all, before the dead letters */
    unsigned        fanout_batch;    /* subscribers expanded per lease */
    time_t          confirm_expiry;  /* unconfirmed addresses forgotten */
} inc_queue_conf_t;


/* one delivery to make, rendered in the lease transaction */
typedef struct {
    uint64_t        job_id;
    uint64_t        lease_due;       /* the job's key while leased to us */
    uint64_t        subscriber_id;
    inc_channel_t   channel;
    unsigned        attempt;         /* 1 for the first */
    char           *target;          /* the address or the URL */
    char           *body;            /* the message or the JSON */
    size_t          body_len;
    char           *secret;          /* a webhook's whsec_..., or NULL */
    char            sender[256];     /* the bare address of From: */
    char            msg_id[96];      /* a webhook's webhook-id */
} inc_delivery_t;


/* what became of one delivery */
typedef struct {
    uint64_t        job_id;
    uint64_t        lease_due;
    uint64_t        subscriber_id;
    unsigned        attempt;
    int             ok;
    int             gone;            /* the target said 410: stop for good */
    uint64_t        retry_after_ms;  /* asked for by 429/503, or 0 */
    char            detail[200];     /* "250 OK", "HTTP 500", an error */
} inc_outcome_t;


int inc_queue_enqueue_fanout(inc_txn_t *txn, time_t now, uint64_t incident_id,
    uint64_t update_id, const char *event);
int inc_queue_enqueue_maintenance(inc_txn_t *txn, time_t now,
    uint64_t maintenance_id, uint64_t update_id, const char *event);
int inc_queue_enqueue_confirm(inc_txn_t *txn, time_t now,
    uint64_t subscriber_id);

/*
 * Leases up to "max" due deliveries (expanding due fan-outs on the way)
 * into a malloc()ed array; "next_due_ms" is when the next job is due, or
 * 0 if there is none.
 */
int inc_queue_lease(inc_store_t *store, const inc_queue_conf_t *conf,
    uint64_t now_ms, unsigned max, inc_delivery_t **items, unsigned *n,
    uint64_t *next_due_ms, char *err, size_t err_len);
void inc_delivery_free(inc_delivery_t *items, unsigned n);

int inc_queue_settle(inc_store_t *store, const inc_queue_conf_t *conf,
    uint64_t now_ms, const inc_outcome_t *outcomes, unsigned n,
    char *err, size_t err_len);

/* when the first job is due (0: none), from a read transaction */
int inc_queue_peek(inc_store_t *store, uint64_t *first_due_ms);

/* the delay before attempt "attempt" + 1, without jitter */
uint64_t inc_queue_backoff(const inc_queue_conf_t *conf, unsigned attempt);

/* a dead letter back in the queue with its attempts reset */
int inc_queue_retry_dead(inc_txn_t *txn, time_t now, uint64_t job_id);


#endif /* _INCIDENT_QUEUE_H_INCLUDED_ */
