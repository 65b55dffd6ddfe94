/*
 * The notification runner, one per worker.  A timer leases due jobs in a
 * thread-pool task (an LMDB write and its fsync never run on the event
 * loop), the deliveries go out through libcurl's multi-socket API driven
 * by nginx events (each curl socket an ngx_connection_t, curl's timer an
 * ngx_event_t), and their outcomes are settled in batches, again in a
 * thread-pool task.  Nothing here blocks the event loop.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <curl/curl.h>

#include "ngx_http_incident.h"
#include "incident_mail.h"
#include "incident_queue.h"
#include "incident_webhook.h"


#define NGX_HTTP_INCIDENT_POLL         1000    /* ms between idle looks */
#define NGX_HTTP_INCIDENT_LOG_EVERY    60      /* s between repeated errors */
#define NGX_HTTP_INCIDENT_UA           "ngx_incident_module"


typedef struct {
    ngx_queue_t                     queue;
    ngx_connection_t               *connection;
    dev_t                           dev;        /* which socket "fd" is */
    ino_t                           ino;
} ngx_http_incident_sock_t;


typedef struct {
    ngx_queue_t                     queue;      /* in flight */
    inc_delivery_t                  item;
    CURL                           *easy;
    struct curl_slist              *headers;    /* or the mail recipients */
    size_t                          sent;       /* of a mail's body */
    unsigned                        refused:1;  /* by the SSRF guard */
} ngx_http_incident_xfer_t;


typedef struct {
    uint64_t                        now_ms;
    unsigned                        max;
    inc_delivery_t                 *items;
    unsigned                        n;
    uint64_t                        next_due_ms;
    int                             rc;
    char                            err[256];
} ngx_http_incident_lease_job_t;


typedef struct {
    uint64_t                        now_ms;
    inc_outcome_t                  *outcomes;
    unsigned                        n;
    int                             rc;
    char                            err[256];
} ngx_http_incident_settle_job_t;


typedef struct {
    time_t                          now;
    int                             changed;
    int                             rc;
    char                            err[256];
} ngx_http_incident_tick_job_t;


typedef struct {
    ngx_http_incident_main_conf_t  *imcf;
    ngx_log_t                      *log;
    CURLM                          *multi;
    inc_queue_conf_t                qconf;

    ngx_connection_t                dummy;      /* the timers' ev->data */
    ngx_event_t                     poll;
    ngx_event_t                     curl_timer;
    ngx_event_t                     settle_soon;

    CURL                          **idle;       /* easy handles to reuse */
    ngx_uint_t                      nidle;
    ngx_queue_t                     sockets;
    ngx_queue_t                     xfers;

    ngx_thread_task_t              *lease_task;
    ngx_thread_task_t              *settle_task;
    ngx_thread_task_t              *tick_task;     /* maintenance */
    ngx_uint_t                      in_flight;

    inc_outcome_t                  *pending;    /* waiting to be settled */
    unsigned                        npending;
    unsigned                        cap;

    uint64_t                        last_lease_ms;
    uint64_t                        purge_every;   /* ms between leases */
    double                          tokens;        /* incident_notify_rate */
    uint64_t                        tokens_at;
    time_t                          last_error_log;

    unsigned                        lease_busy:1;
    unsigned                        settle_busy:1;
    unsigned                        tick_busy:1;
} ngx_http_incident_runner_t;


static ngx_http_incident_runner_t  *ngx_http_incident_runner;


static uint64_t
ngx_http_incident_now_ms(void)
{
    ngx_time_t  *tp;

    tp = ngx_timeofday();

    return (uint64_t) tp->sec * 1000 + tp->msec;
}


static ngx_uint_t
ngx_http_incident_stopping(void)
{
    return ngx_exiting || ngx_terminate || ngx_quit;
}


static void
ngx_http_incident_poll_in(ngx_http_incident_runner_t *rn, ngx_msec_t ms)
{
    if (ngx_http_incident_stopping()) {
        return;
    }

    if (rn->poll.timer_set) {
        if (rn->poll.timer.key <= ngx_current_msec + ms) {
            return;
        }

        ngx_del_timer(&rn->poll);
    }

    ngx_add_timer(&rn->poll, ms);
}


/* a write in this worker may have queued work: look at once */
void
ngx_http_incident_notify_kick(void)
{
    if (ngx_http_incident_runner != NULL) {
        ngx_http_incident_poll_in(ngx_http_incident_runner, 0);
    }
}


/* store errors repeat every poll: log them once a minute */
static void
ngx_http_incident_runner_error(ngx_http_incident_runner_t *rn,
    const char *what, const char *err)
{
    if (ngx_time() - rn->last_error_log < NGX_HTTP_INCIDENT_LOG_EVERY) {
        return;
    }

    rn->last_error_log = ngx_time();

    ngx_log_error(NGX_LOG_ERR, rn->log, 0,
                  "incident notifications: %s failed: %s", what, err);
}


/* curl's sockets as nginx connections */

/*
 * curl may close a socket before it says CURL_POLL_REMOVE (a transfer that
 * timed out) and open another under the same number.  The kernel has then
 * dropped the closed one from epoll: nginx is told so, rather than asked
 * to remove, or keep, a registration that is no longer there.
 */
static void
ngx_http_incident_sock_check(ngx_http_incident_sock_t *sock)
{
    struct stat        st;
    ngx_connection_t  *c;

    c = sock->connection;

    if (fstat(c->fd, &st) != 0) {
        st.st_dev = 0;
        st.st_ino = 0;

    } else if (st.st_dev == sock->dev && st.st_ino == sock->ino) {
        return;
    }

    c->read->active = 0;
    c->write->active = 0;

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    sock->dev = st.st_dev;
    sock->ino = st.st_ino;
}


static void
ngx_http_incident_sock_release(ngx_http_incident_sock_t *sock)
{
    ngx_connection_t  *c;

    c = sock->connection;

    ngx_http_incident_sock_check(sock);

    if (c->read->active) {
        ngx_del_event(c->read, NGX_READ_EVENT, 0);
    }

    if (c->write->active) {
        ngx_del_event(c->write, NGX_WRITE_EVENT, 0);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    /* the socket is curl's to close: only the connection is ours */
    ngx_free_connection(c);
    c->fd = (ngx_socket_t) -1;

    ngx_queue_remove(&sock->queue);
    ngx_free(sock);
}


static void ngx_http_incident_check_done(ngx_http_incident_runner_t *rn);


static void
ngx_http_incident_sock_event(ngx_event_t *ev)
{
    int                          running;
    ngx_connection_t            *c;
    ngx_http_incident_runner_t  *rn;

    c = ev->data;
    rn = ngx_http_incident_runner;

    /* "c" may be released inside: it is not used after this call */
    curl_multi_socket_action(rn->multi, c->fd,
                             ev->write ? CURL_CSELECT_OUT : CURL_CSELECT_IN,
                             &running);

    ngx_http_incident_check_done(rn);
}


static ngx_int_t
ngx_http_incident_sock_want(ngx_event_t *ev, ngx_uint_t event, int want)
{
    if (want && !ev->active) {
        /* level-triggered: curl may leave data unread */
        return ngx_add_event(ev, event, NGX_LEVEL_EVENT);
    }

    if (!want && ev->active) {
        return ngx_del_event(ev, event, 0);
    }

    return NGX_OK;
}


static int
ngx_http_incident_curl_socket(CURL *easy, curl_socket_t s, int what,
    void *userp, void *socketp)
{
    ngx_connection_t            *c;
    ngx_http_incident_sock_t    *sock;
    ngx_http_incident_runner_t  *rn = userp;

    sock = socketp;

    if (what == CURL_POLL_REMOVE) {
        if (sock != NULL) {
            ngx_http_incident_sock_release(sock);
            curl_multi_assign(rn->multi, s, NULL);
        }

        return 0;
    }

    if (sock == NULL) {
        sock = ngx_alloc(sizeof(ngx_http_incident_sock_t), rn->log);
        if (sock == NULL) {
            return -1;
        }


        c = ngx_get_connection(s, rn->log);
        if (c == NULL) {
            ngx_free(sock);
            return -1;
        }

        c->log = rn->log;
        c->read->log = rn->log;
        c->write->log = rn->log;
        c->read->handler = ngx_http_incident_sock_event;
        c->write->handler = ngx_http_incident_sock_event;

        sock->connection = c;
        sock->dev = 0;
        sock->ino = 0;
        ngx_queue_insert_tail(&rn->sockets, &sock->queue);
        curl_multi_assign(rn->multi, s, sock);
    }

    c = sock->connection;
    ngx_http_incident_sock_check(sock);

    if (ngx_http_incident_sock_want(c->read, NGX_READ_EVENT,
                                    what & CURL_POLL_IN)
        != NGX_OK
        || ngx_http_incident_sock_want(c->write, NGX_WRITE_EVENT,
                                       what & CURL_POLL_OUT)
           != NGX_OK)
    {
        return -1;
    }

    return 0;
}


static void
ngx_http_incident_curl_timeout(ngx_event_t *ev)
{
    int                          running;
    ngx_http_incident_runner_t  *rn;

    rn = ngx_http_incident_runner;

    curl_multi_socket_action(rn->multi, CURL_SOCKET_TIMEOUT, 0, &running);

    ngx_http_incident_check_done(rn);
}


static int
ngx_http_incident_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
    ngx_http_incident_runner_t  *rn = userp;

    if (rn->curl_timer.timer_set) {
        ngx_del_timer(&rn->curl_timer);
    }

    if (timeout_ms >= 0) {
        ngx_add_timer(&rn->curl_timer, (ngx_msec_t) timeout_ms);
    }

    return 0;
}


/*
 * The SSRF guard: curl has resolved the name, and this is the address it
 * is about to connect to, so DNS rebinding cannot get past it.
 */
static curl_socket_t
ngx_http_incident_curl_open(void *clientp, curlsocktype purpose,
    struct curl_sockaddr *address)
{
    ngx_http_incident_xfer_t    *x = clientp;
    ngx_http_incident_runner_t  *rn;

    rn = ngx_http_incident_runner;

    if (purpose == CURLSOCKTYPE_IPCXN
        && x->item.channel != INC_CHANNEL_EMAIL
        && !rn->imcf->webhook_allow_private
        && !inc_addr_public(&address->addr))
    {
        x->refused = 1;
        return CURL_SOCKET_BAD;
    }

    return socket(address->family, address->socktype | SOCK_CLOEXEC,
                  address->protocol);
}


static size_t
ngx_http_incident_curl_read(char *buf, size_t size, size_t n, void *data)
{
    size_t                     len;
    ngx_http_incident_xfer_t  *x = data;

    len = x->item.body_len - x->sent;

    if (len > size * n) {
        len = size * n;
    }

    ngx_memcpy(buf, x->item.body + x->sent, len);
    x->sent += len;

    return len;
}


/* the target's answer body is not needed */
static size_t
ngx_http_incident_curl_discard(char *buf, size_t size, size_t n, void *data)
{
    return size * n;
}


static ngx_int_t
ngx_http_incident_xfer_mail(ngx_http_incident_runner_t *rn,
    ngx_http_incident_xfer_t *x)
{
    char                            rcpt[INC_EMAIL_MAX + 3];
    ngx_http_incident_main_conf_t  *imcf;

    imcf = rn->imcf;

    ngx_sprintf((u_char *) rcpt, "<%s>%Z", x->item.target);

    x->headers = curl_slist_append(NULL, rcpt);
    if (x->headers == NULL) {
        return NGX_ERROR;
    }

    curl_easy_setopt(x->easy, CURLOPT_URL, imcf->smtp_url.data);
    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(x->easy, CURLOPT_MAIL_FROM, x->item.sender);
    curl_easy_setopt(x->easy, CURLOPT_MAIL_RCPT, x->headers);
    curl_easy_setopt(x->easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(x->easy, CURLOPT_READFUNCTION,
                     ngx_http_incident_curl_read);
    curl_easy_setopt(x->easy, CURLOPT_READDATA, x);
    curl_easy_setopt(x->easy, CURLOPT_INFILESIZE_LARGE,
                     (curl_off_t) x->item.body_len);

    if (imcf->smtp_starttls) {
        curl_easy_setopt(x->easy, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_incident_xfer_http(ngx_http_incident_runner_t *rn,
    ngx_http_incident_xfer_t *x)
{
    u_char              line[160];
    time_t              now;
    char                sig[INC_WEBHOOK_SIGNATURE_LEN + 1];
    ngx_uint_t          i;
    struct curl_slist  *list;
    const char         *headers[6];

    headers[0] = "Content-Type: application/json";
    headers[1] = "User-Agent: " NGX_HTTP_INCIDENT_UA;
    headers[2] = "Expect:";
    headers[3] = NULL;
    headers[4] = NULL;
    headers[5] = NULL;

    list = NULL;

    for (i = 0; headers[i] != NULL; i++) {
        list = curl_slist_append(list, headers[i]);
        if (list == NULL) {
            return NGX_ERROR;
        }
    }

    x->headers = list;

    if (x->item.secret != NULL) {
        /* Standard Webhooks: the id stays, the timestamp is this try's */
        now = ngx_time();

        if (inc_webhook_sign(x->item.secret, x->item.msg_id, now,
                             x->item.body, x->item.body_len, sig,
                             sizeof(sig))
            != 0)
        {
            return NGX_ERROR;
        }

        ngx_sprintf(line, "webhook-id: %s%Z", x->item.msg_id);
        list = curl_slist_append(list, (char *) line);

        ngx_sprintf(line, "webhook-timestamp: %T%Z", now);
        list = list ? curl_slist_append(list, (char *) line) : NULL;

        ngx_sprintf(line, "webhook-signature: %s%Z", sig);
        list = list ? curl_slist_append(list, (char *) line) : NULL;

        if (list == NULL) {
            return NGX_ERROR;
        }
    }

    curl_easy_setopt(x->easy, CURLOPT_URL, x->item.target);
    curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(x->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDS, x->item.body);
    curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t) x->item.body_len);
    curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION,
                     ngx_http_incident_curl_discard);

    return NGX_OK;
}


/*
 * An easy handle goes back to the pool: making and freeing one per
 * delivery costs more than the delivery's own work.
 */
static void
ngx_http_incident_xfer_free(ngx_http_incident_xfer_t *x)
{
    ngx_http_incident_runner_t  *rn;

    rn = ngx_http_incident_runner;

    if (x->easy != NULL) {
        if (rn != NULL && rn->nidle < rn->imcf->notify_concurrency) {
            curl_easy_reset(x->easy);
            rn->idle[rn->nidle++] = x->easy;

        } else {
            curl_easy_cleanup(x->easy);
        }
    }

    curl_slist_free_all(x->headers);
    inc_delivery_free(&x->item, 1);
    ngx_free(x);
}


static void ngx_http_incident_outcome(ngx_http_incident_runner_t *rn,
    ngx_http_incident_xfer_t *x, CURLcode result);


static void
ngx_http_incident_xfer_start(ngx_http_incident_runner_t *rn,
    inc_delivery_t *item)
{
    ngx_int_t                       rc;
    ngx_http_incident_xfer_t       *x;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = rn->imcf;

    x = ngx_calloc(sizeof(ngx_http_incident_xfer_t), rn->log);
    if (x == NULL) {
        inc_delivery_free(item, 1);
        return;     /* the lease expires and the job is tried again */
    }

    x->item = *item;

    if (x->item.channel == INC_CHANNEL_EMAIL && imcf->smtp_url.len == 0) {
        rn->in_flight++;
        ngx_http_incident_outcome(rn, x, CURLE_UNSUPPORTED_PROTOCOL);
        return;
    }

    x->easy = rn->nidle ? rn->idle[--rn->nidle] : curl_easy_init();
    if (x->easy == NULL) {
        ngx_http_incident_xfer_free(x);
        return;
    }

    curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
    curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, (long) imcf->notify_timeout);
    curl_easy_setopt(x->easy, CURLOPT_CONNECTTIMEOUT_MS,
                     (long) ngx_min(imcf->notify_timeout, 10000));
    curl_easy_setopt(x->easy, CURLOPT_PROXY, "");
    curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETFUNCTION,
                     ngx_http_incident_curl_open);
    curl_easy_setopt(x->easy, CURLOPT_OPENSOCKETDATA, x);

    rc = x->item.channel == INC_CHANNEL_EMAIL
         ? ngx_http_incident_xfer_mail(rn, x)
         : ngx_http_incident_xfer_http(rn, x);

    if (rc != NGX_OK || curl_multi_add_handle(rn->multi, x->easy) != CURLM_OK)
    {
        ngx_log_error(NGX_LOG_ALERT, rn->log, 0,
                      "incident notifications: cannot start a delivery");
        ngx_http_incident_xfer_free(x);
        return;
    }

    ngx_queue_insert_tail(&rn->xfers, &x->queue);
    rn->in_flight++;
}


static void ngx_http_incident_settle(ngx_http_incident_runner_t *rn);


static void
ngx_http_incident_outcome(ngx_http_incident_runner_t *rn,
    ngx_http_incident_xfer_t *x, CURLcode result)
{
    long            code, retry;
    unsigned        cap;
    inc_outcome_t  *o, *grown;

    rn->in_flight--;

    if (rn->npending == rn->cap) {
        cap = rn->cap ? rn->cap * 2 : 64;

        grown = ngx_alloc(cap * sizeof(inc_outcome_t), rn->log);
        if (grown == NULL) {
            /* not settled: the lease expires and the job runs again */
            if (x->easy != NULL) {
                curl_multi_remove_handle(rn->multi, x->easy);
                ngx_queue_remove(&x->queue);
            }

            ngx_http_incident_xfer_free(x);
            return;
        }

        if (rn->pending != NULL) {
            ngx_memcpy(grown, rn->pending,
                       rn->npending * sizeof(inc_outcome_t));
            ngx_free(rn->pending);
        }

        rn->pending = grown;
        rn->cap = cap;
    }

    o = &rn->pending[rn->npending++];
    ngx_memzero(o, sizeof(inc_outcome_t));

    o->job_id = x->item.job_id;
    o->lease_due = x->item.lease_due;
    o->subscriber_id = x->item.subscriber_id;
    o->attempt = x->item.attempt;

    code = 0;
    retry = 0;

    if (x->easy != NULL) {
        curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
    }

    if (x->item.channel == INC_CHANNEL_EMAIL) {
        o->ok = (result == CURLE_OK);

        if (x->easy == NULL) {
            ngx_cpystrn((u_char *) o->detail,
                        (u_char *) "incident_smtp is not configured",
                        sizeof(o->detail));

        } else {
            ngx_snprintf((u_char *) o->detail, sizeof(o->detail) - 1,
                         "SMTP %l: %s", code, curl_easy_strerror(result));
        }

    } else if (result != CURLE_OK) {
        ngx_snprintf((u_char *) o->detail, sizeof(o->detail) - 1, "%s",
                     x->refused ? "refused: the address is not public "
                                  "(incident_webhook_allow_private is off)"
                                : curl_easy_strerror(result));

    } else {
        o->ok = (code >= 200 && code < 300);
        o->gone = (code == 410);

        if (code == 429 || code == 503) {
            curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry);
            o->retry_after_ms = retry > 0 ? (uint64_t) retry * 1000 : 0;
        }

        ngx_snprintf((u_char *) o->detail, sizeof(o->detail) - 1,
                     "HTTP %l", code);
    }

    if (!o->ok) {
        ngx_log_error(NGX_LOG_INFO, rn->log, 0,
                      "incident notification %uL to subscriber %uL, "
                      "attempt %ui: %s", o->job_id, o->subscriber_id,
                      (ngx_uint_t) o->attempt, o->detail);
    }

    if (x->easy != NULL) {
        curl_multi_remove_handle(rn->multi, x->easy);
        ngx_queue_remove(&x->queue);
    }

    ngx_http_incident_xfer_free(x);

    /* outcomes settle in batches: one transaction (and fsync) for many */
    if (!rn->settle_soon.timer_set) {
        ngx_add_timer(&rn->settle_soon, rn->npending >= 256 ? 0 : 20);
    }
}


static void
ngx_http_incident_check_done(ngx_http_incident_runner_t *rn)
{
    int                        left;
    CURLMsg                   *msg;
    ngx_http_incident_xfer_t  *x;

    while ((msg = curl_multi_info_read(rn->multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE) {
            continue;
        }

        x = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **) &x);

        ngx_http_incident_outcome(rn, x, msg->data.result);
    }

    /* room for a batch: one lease transaction for many deliveries */
    if (rn->in_flight <= rn->imcf->notify_concurrency / 2) {
        ngx_http_incident_poll_in(rn, 0);
    }
}


static void
ngx_http_incident_settle_timer(ngx_event_t *ev)
{
    ngx_http_incident_settle(ngx_http_incident_runner);
}


/* settling: a batch of outcomes in one write transaction */

static void
ngx_http_incident_settle_thread(void *data, ngx_log_t *log)
{
    ngx_http_incident_settle_job_t  *job = data;
    ngx_http_incident_runner_t      *rn;

    rn = ngx_http_incident_runner;

    job->rc = inc_queue_settle(rn->imcf->store, &rn->qconf, job->now_ms,
                               job->outcomes, job->n, job->err,
                               sizeof(job->err));
}


static void
ngx_http_incident_settle_done(ngx_event_t *ev)
{
    ngx_http_incident_runner_t      *rn;
    ngx_http_incident_settle_job_t  *job;

    rn = ngx_http_incident_runner;
    job = rn->settle_task->ctx;

    if (job->rc != INC_OK) {
        /* the leases expire and the deliveries run again: at least once */
        ngx_http_incident_runner_error(rn, "settling deliveries", job->err);
    }

    ngx_free(job->outcomes);
    job->outcomes = NULL;
    rn->settle_busy = 0;

    ngx_http_incident_settle(rn);
}


static void
ngx_http_incident_settle(ngx_http_incident_runner_t *rn)
{
    ngx_http_incident_settle_job_t  *job;

    if (rn->settle_busy || rn->npending == 0) {
        return;
    }

    job = rn->settle_task->ctx;
    job->outcomes = rn->pending;
    job->n = rn->npending;
    job->now_ms = ngx_http_incident_now_ms();

    rn->pending = NULL;
    rn->npending = 0;
    rn->cap = 0;

    if (ngx_thread_task_post(rn->imcf->thread_pool, rn->settle_task)
        != NGX_OK)
    {
        ngx_free(job->outcomes);
        job->outcomes = NULL;
        return;
    }

    rn->settle_busy = 1;
}


/* leasing: due jobs in one write transaction */

static void
ngx_http_incident_lease_thread(void *data, ngx_log_t *log)
{
    ngx_http_incident_lease_job_t  *job = data;
    ngx_http_incident_runner_t     *rn;

    rn = ngx_http_incident_runner;

    job->rc = inc_queue_lease(rn->imcf->store, &rn->qconf, job->now_ms,
                              job->max, &job->items, &job->n,
                              &job->next_due_ms, job->err,
                              sizeof(job->err));
}


static void
ngx_http_incident_lease_done(ngx_event_t *ev)
{
    unsigned                        i;
    uint64_t                        now;
    ngx_msec_t                      wait;
    ngx_http_incident_runner_t     *rn;
    ngx_http_incident_lease_job_t  *job;

    rn = ngx_http_incident_runner;
    job = rn->lease_task->ctx;
    rn->lease_busy = 0;

    if (job->rc != INC_OK) {
        ngx_http_incident_runner_error(rn, "leasing jobs", job->err);
        ngx_http_incident_poll_in(rn, NGX_HTTP_INCIDENT_POLL);
        return;
    }

    for (i = 0; i < job->n; i++) {
        ngx_http_incident_xfer_start(rn, &job->items[i]);
    }

    free(job->items);
    job->items = NULL;

    now = ngx_http_incident_now_ms();
    wait = NGX_HTTP_INCIDENT_POLL;

    if (job->next_due_ms != 0) {
        wait = job->next_due_ms <= now ? 0
               : ngx_min(job->next_due_ms - now, NGX_HTTP_INCIDENT_POLL);
    }

    ngx_http_incident_poll_in(rn, wait);
}


/*
 * Scheduled maintenance: the transitions and reminders that are due, in
 * one write transaction (which bumps the generation: the pages change).
 */
static void
ngx_http_incident_tick_thread(void *data, ngx_log_t *log)
{
    inc_ctx_t                      ctx;
    ngx_http_incident_runner_t    *rn;
    ngx_http_incident_tick_job_t  *job = data;

    rn = ngx_http_incident_runner;

    ngx_memzero(&ctx, sizeof(inc_ctx_t));
    ctx.base_url = rn->qconf.base_url;
    ctx.now = job->now;

    job->rc = inc_maintenance_tick(rn->imcf->store, &ctx, &job->changed,
                                   job->err, sizeof(job->err));
}


static void
ngx_http_incident_tick_done(ngx_event_t *ev)
{
    ngx_http_incident_runner_t    *rn;
    ngx_http_incident_tick_job_t  *job;

    rn = ngx_http_incident_runner;
    job = rn->tick_task->ctx;
    rn->tick_busy = 0;

    if (job->rc != INC_OK) {
        ngx_http_incident_runner_error(rn, "maintenance transitions",
                                       job->err);
        return;
    }

    if (job->changed) {
        /* the transitions queued their announcements */
        ngx_http_incident_poll_in(rn, 0);
    }
}


static void
ngx_http_incident_tick(ngx_http_incident_runner_t *rn)
{
    time_t                         next;
    ngx_http_incident_tick_job_t  *job;

    if (rn->tick_busy
        || inc_maintenance_next(rn->imcf->store, ngx_time(), &next)
           != INC_OK
        || next == 0 || next > ngx_time())
    {
        return;
    }

    job = rn->tick_task->ctx;
    job->now = ngx_time();
    job->changed = 0;

    if (ngx_thread_task_post(rn->imcf->thread_pool, rn->tick_task)
        == NGX_OK)
    {
        rn->tick_busy = 1;
    }
}


static void
ngx_http_incident_poll(ngx_event_t *ev)
{
    uint64_t                        now, first;
    ngx_http_incident_runner_t     *rn;
    ngx_http_incident_lease_job_t  *job;

    rn = ngx_http_incident_runner;

    if (ngx_http_incident_stopping() || rn->lease_busy) {
        return;
    }

    if (rn->imcf->store != NULL) {
        ngx_http_incident_tick(rn);
    }

    if (rn->imcf->store == NULL
        || rn->in_flight >= rn->imcf->notify_concurrency)
    {
        ngx_http_incident_poll_in(rn, NGX_HTTP_INCIDENT_POLL);
        return;
    }

    now = ngx_http_incident_now_ms();

    /*
     * A read transaction first: an idle queue costs no write (and no
     * fsync), except for the periodic purge of unconfirmed addresses.
     */
    if (inc_queue_peek(rn->imcf->store, &first) == INC_OK
        && (first == 0 || first > now)
        && now - rn->last_lease_ms < rn->purge_every)
    {
        ngx_http_incident_poll_in(rn, first == 0 ? NGX_HTTP_INCIDENT_POLL
                                  : ngx_min(first - now,
                                            NGX_HTTP_INCIDENT_POLL));
        return;
    }

    job = rn->lease_task->ctx;
    job->now_ms = now;
    job->max = (unsigned) (rn->imcf->notify_concurrency - rn->in_flight);
    job->items = NULL;
    job->n = 0;

    if (rn->imcf->notify_rate) {
        /* a token bucket of one second's deliveries */
        rn->tokens += (double) (now - rn->tokens_at)
                      * rn->imcf->notify_rate / 1000;
        rn->tokens = ngx_min(rn->tokens, (double) rn->imcf->notify_rate);
        rn->tokens_at = now;

        if (rn->tokens < 1) {
            ngx_http_incident_poll_in(rn, 1000 / rn->imcf->notify_rate + 1);
            return;
        }

        job->max = ngx_min(job->max, (unsigned) rn->tokens);
        rn->tokens -= job->max;
    }

    if (ngx_thread_task_post(rn->imcf->thread_pool, rn->lease_task)
        != NGX_OK)
    {
        ngx_http_incident_poll_in(rn, NGX_HTTP_INCIDENT_POLL);
        return;
    }

    rn->last_lease_ms = now;
    rn->lease_busy = 1;
}


static void
ngx_http_incident_runner_event(ngx_http_incident_runner_t *rn,
    ngx_event_t *ev, ngx_event_handler_pt handler)
{
    ev->handler = handler;
    ev->data = &rn->dummy;
    ev->log = rn->log;

    /* a pending delivery never holds up a graceful shutdown */
    ev->cancelable = 1;
}


ngx_int_t
ngx_http_incident_notify_init(ngx_cycle_t *cycle,
    ngx_http_incident_main_conf_t *imcf)
{
    ngx_http_incident_runner_t  *rn;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        ngx_log_error(NGX_LOG_CRIT, cycle->log, 0,
                      "incident notifications: curl_global_init() failed");
        return NGX_OK;
    }

    rn = ngx_pcalloc(cycle->pool, sizeof(ngx_http_incident_runner_t));
    if (rn == NULL) {
        return NGX_ERROR;
    }

    rn->imcf = imcf;
    rn->log = cycle->log;
    rn->dummy.fd = (ngx_socket_t) -1;
    ngx_queue_init(&rn->sockets);
    ngx_queue_init(&rn->xfers);

    rn->qconf.base_url = (char *) imcf->notify_url.data;
    rn->qconf.mail_from = (char *) imcf->mail_from.data;
    rn->qconf.secret = imcf->secret;
    rn->qconf.lease_ms = imcf->notify_lease;
    rn->qconf.backoff_ms = imcf->notify_backoff;
    rn->qconf.backoff_max_ms = imcf->notify_backoff_max;
    rn->qconf.attempts = (unsigned) imcf->notify_attempts;
    rn->qconf.fanout_batch = 500;
    rn->qconf.confirm_expiry = imcf->confirm_expiry;

    /* an idle queue is still leased now and then: the lease purges */
    rn->purge_every = (uint64_t) imcf->confirm_expiry * 1000 / 4;
    rn->purge_every = ngx_max(rn->purge_every, NGX_HTTP_INCIDENT_POLL);
    rn->purge_every = ngx_min(rn->purge_every, 60 * NGX_HTTP_INCIDENT_POLL);

    rn->multi = curl_multi_init();
    rn->lease_task = ngx_thread_task_alloc(cycle->pool,
                                     sizeof(ngx_http_incident_lease_job_t));
    rn->settle_task = ngx_thread_task_alloc(cycle->pool,
                                    sizeof(ngx_http_incident_settle_job_t));
    rn->tick_task = ngx_thread_task_alloc(cycle->pool,
                                      sizeof(ngx_http_incident_tick_job_t));

    if (rn->multi == NULL || rn->lease_task == NULL
        || rn->settle_task == NULL || rn->tick_task == NULL)
    {
        ngx_log_error(NGX_LOG_CRIT, cycle->log, 0,
                      "incident notifications cannot start");
        return NGX_ERROR;
    }

    rn->lease_task->handler = ngx_http_incident_lease_thread;
    rn->lease_task->event.handler = ngx_http_incident_lease_done;
    rn->lease_task->event.data = rn;
    rn->lease_task->event.log = cycle->log;

    rn->settle_task->handler = ngx_http_incident_settle_thread;
    rn->settle_task->event.handler = ngx_http_incident_settle_done;
    rn->settle_task->event.data = rn;
    rn->settle_task->event.log = cycle->log;

    rn->tick_task->handler = ngx_http_incident_tick_thread;
    rn->tick_task->event.handler = ngx_http_incident_tick_done;
    rn->tick_task->event.data = rn;
    rn->tick_task->event.log = cycle->log;

    curl_multi_setopt(rn->multi, CURLMOPT_SOCKETFUNCTION,
                      ngx_http_incident_curl_socket);
    curl_multi_setopt(rn->multi, CURLMOPT_SOCKETDATA, rn);
    curl_multi_setopt(rn->multi, CURLMOPT_TIMERFUNCTION,
                      ngx_http_incident_curl_timer);
    curl_multi_setopt(rn->multi, CURLMOPT_TIMERDATA, rn);
    curl_multi_setopt(rn->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      (long) imcf->notify_connections);

    ngx_http_incident_runner_event(rn, &rn->poll, ngx_http_incident_poll);
    ngx_http_incident_runner_event(rn, &rn->curl_timer,
                                   ngx_http_incident_curl_timeout);
    ngx_http_incident_runner_event(rn, &rn->settle_soon,
                                   ngx_http_incident_settle_timer);

    rn->idle = ngx_pcalloc(cycle->pool,
                           imcf->notify_concurrency * sizeof(CURL *));
    if (rn->idle == NULL) {
        return NGX_ERROR;
    }

    /* keep the connections of a fan-out open between its deliveries */
    curl_multi_setopt(rn->multi, CURLMOPT_MAXCONNECTS,
                      (long) ngx_max(imcf->notify_concurrency, 16));

    ngx_http_incident_runner = rn;

    /* spread the workers' first looks */
    ngx_add_timer(&rn->poll, ngx_random() % NGX_HTTP_INCIDENT_POLL);

    return NGX_OK;
}


/*
 * Deliveries in flight are dropped: their leases expire and another
 * worker (of this or the next generation) makes them again.
 */
void
ngx_http_incident_notify_exit(void)
{
    ngx_queue_t                     *q;
    ngx_http_incident_xfer_t        *x;
    ngx_http_incident_sock_t        *sock;
    ngx_http_incident_runner_t      *rn;
    ngx_http_incident_lease_job_t   *job;
    ngx_http_incident_settle_job_t  *sjob;

    rn = ngx_http_incident_runner;

    if (rn == NULL) {
        return;
    }

    while (!ngx_queue_empty(&rn->xfers)) {
        q = ngx_queue_head(&rn->xfers);
        x = ngx_queue_data(q, ngx_http_incident_xfer_t, queue);

        curl_multi_remove_handle(rn->multi, x->easy);
        ngx_queue_remove(q);
        ngx_http_incident_xfer_free(x);
    }

    while (rn->nidle) {
        curl_easy_cleanup(rn->idle[--rn->nidle]);
    }

    curl_multi_cleanup(rn->multi);

    /* connections curl kept open and has now closed itself */
    while (!ngx_queue_empty(&rn->sockets)) {
        q = ngx_queue_head(&rn->sockets);
        sock = ngx_queue_data(q, ngx_http_incident_sock_t, queue);

        sock->connection->read->active = 0;
        sock->connection->write->active = 0;
        ngx_http_incident_sock_release(sock);
    }

    if (rn->settle_busy) {
        /* these outcomes are lost with the worker: their leases expire */
        sjob = rn->settle_task->ctx;
        ngx_free(sjob->outcomes);
        sjob->outcomes = NULL;
    }

    if (rn->lease_busy) {
        /*
         * the thread pool has finished its tasks by now, but the lease's
         * completion event will not run: its deliveries are let go here,
         * and their leases expire for another worker to take them
         */
        job = rn->lease_task->ctx;

        if (job->items != NULL) {
            inc_delivery_free(job->items, job->n);
            free(job->items);
            job->items = NULL;
        }
    }

    if (rn->poll.timer_set) {
        ngx_del_timer(&rn->poll);
    }

    if (rn->curl_timer.timer_set) {
        ngx_del_timer(&rn->curl_timer);
    }

    if (rn->settle_soon.timer_set) {
        ngx_del_timer(&rn->settle_soon);
    }

    ngx_free(rn->pending);
    ngx_http_incident_runner = NULL;

    curl_global_cleanup();
}
