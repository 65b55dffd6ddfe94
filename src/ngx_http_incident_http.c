/*
 * What the API and the pages share on the nginx side: sending a whole
 * answer from memory, and the worker's cache of rendered answers.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_incident.h"
#include <cjson/cJSON.h>


/* a handful of pages are hot; a small table with round-robin eviction */
#define NGX_HTTP_INCIDENT_CACHE_SLOTS  64
#define NGX_HTTP_INCIDENT_JOB_HOLD     60000   /* ms, renewed */


/*
 * A rendered answer.  The cache holds one reference and every request
 * sending it another, so it is sent straight from this memory and freed
 * only when the last one is done.
 */
struct ngx_http_incident_text_s {
    ngx_uint_t    refs;
    size_t        len;
    u_char        data[1];
};


typedef struct {
    ngx_str_t                  key;
    uint64_t                   generation;
    time_t                     day;
    ngx_http_incident_text_t  *text;
} ngx_http_incident_cache_slot_t;


static ngx_http_incident_cache_slot_t
    ngx_http_incident_cache[NGX_HTTP_INCIDENT_CACHE_SLOTS];
static ngx_uint_t  ngx_http_incident_cache_next;


ngx_int_t
ngx_http_incident_add_header(ngx_http_request_t *r, const char *key,
    ngx_str_t *value, ngx_table_elt_t **ref)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value = *value;

    if (ref != NULL) {
        *ref = h;
    }

    return NGX_OK;
}


/*
 * "g<generation>", or "g<generation>-<day>" for what also depends on the
 * day: the store's write counter names the state an answer shows.
 */
ngx_int_t
ngx_http_incident_etag(ngx_http_request_t *r, uint64_t generation,
    time_t day, ngx_str_t *etag)
{
    u_char  *p;

    etag->data = ngx_pnalloc(r->pool, 2 * NGX_INT64_LEN + 5);
    if (etag->data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_sprintf(etag->data, "\"g%uL", generation);

    if (day) {
        p = ngx_sprintf(p, "-%T", day / 86400);
    }

    *p++ = '"';
    etag->len = p - etag->data;

    return NGX_OK;
}


/*
 * Sends "text" as the whole answer.  An ETag lets nginx's not_modified
 * filter answer a matching If-None-Match with 304; HEAD sends the headers.
 */
ngx_int_t
ngx_http_incident_output(ngx_http_request_t *r, ngx_uint_t status,
    const char *content_type, ngx_str_t *etag, const char *cache_control,
    const u_char *text, size_t len)
{
    u_char  *copy;

    copy = NULL;

    if (len) {
        copy = ngx_pnalloc(r->pool, len);
        if (copy == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_memcpy(copy, text, len);
    }

    return ngx_http_incident_output_ref(r, status, content_type, etag,
                                        cache_control, copy, len);
}


/* as ngx_http_incident_output(), "text" living as long as the request */
ngx_int_t
ngx_http_incident_output_ref(ngx_http_request_t *r, ngx_uint_t status,
    const char *content_type, ngx_str_t *etag, const char *cache_control,
    u_char *text, size_t len)
{
    u_char       *semi, *type;
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_str_t     value;
    ngx_chain_t   out;

    r->headers_out.status = status;

    r->headers_out.content_type.data = (u_char *) content_type;
    r->headers_out.content_type.len = ngx_strlen(content_type);

    /* the type alone, without "; charset": what gzip_types matches */
    type = r->headers_out.content_type.data;
    semi = ngx_strlchr(type, type + r->headers_out.content_type.len, ';');

    r->headers_out.content_type_len = semi ? (size_t) (semi - type)
                                           : r->headers_out.content_type.len;

    if (etag != NULL
        && ngx_http_incident_add_header(r, "ETag", etag,
                                        &r->headers_out.etag)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (cache_control != NULL) {
        value.data = (u_char *) cache_control;
        value.len = ngx_strlen(cache_control);

        if (ngx_http_incident_add_header(r, "Cache-Control", &value, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    r->headers_out.content_length_n = len;

    if (len == 0) {
        r->header_only = 1;
        return ngx_http_send_header(r);
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = text;
    b->last = text + len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, &out);
}


static void
ngx_http_incident_text_release(void *data)
{
    ngx_http_incident_text_t  *text = data;

    if (--text->refs == 0) {
        ngx_free(text);
    }
}


/* one more reference, given back when the request's pool goes */
static ngx_int_t
ngx_http_incident_text_hold(ngx_http_request_t *r,
    ngx_http_incident_text_t *text)
{
    ngx_pool_cleanup_t  *cln;

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_ERROR;
    }

    text->refs++;
    cln->handler = ngx_http_incident_text_release;
    cln->data = text;

    return NGX_OK;
}


u_char *
ngx_http_incident_text_data(ngx_http_incident_text_t *text, size_t *len)
{
    *len = text->len;

    return text->data;
}


/* the text rendered for "key" at this generation and day, held for "r" */
ngx_http_incident_text_t *
ngx_http_incident_cache_get(ngx_http_request_t *r, ngx_str_t *key,
    uint64_t generation, time_t day)
{
    ngx_uint_t                       i;
    ngx_http_incident_cache_slot_t  *slot;

    for (i = 0; i < NGX_HTTP_INCIDENT_CACHE_SLOTS; i++) {
        slot = &ngx_http_incident_cache[i];

        if (slot->text != NULL
            && slot->generation == generation
            && slot->day == day
            && slot->key.len == key->len
            && ngx_memcmp(slot->key.data, key->data, key->len) == 0)
        {
            if (ngx_http_incident_text_hold(r, slot->text) != NGX_OK) {
                return NULL;
            }

            return slot->text;
        }
    }

    return NULL;
}


static void
ngx_http_incident_cache_clear(ngx_http_incident_cache_slot_t *slot)
{
    if (slot->text != NULL) {
        ngx_http_incident_text_release(slot->text);
    }

    ngx_free(slot->key.data);
    ngx_memzero(slot, sizeof(ngx_http_incident_cache_slot_t));
}


/* stores a copy of "data" for "key" and holds it for "r"; NULL: no memory */
ngx_http_incident_text_t *
ngx_http_incident_cache_put(ngx_http_request_t *r, ngx_str_t *key,
    uint64_t generation, time_t day, const u_char *data, size_t len)
{
    ngx_uint_t                       i;
    ngx_http_incident_text_t        *text;
    ngx_http_incident_cache_slot_t  *slot;

    slot = NULL;

    /* the same page at an older generation is replaced in place */
    for (i = 0; i < NGX_HTTP_INCIDENT_CACHE_SLOTS; i++) {
        if (ngx_http_incident_cache[i].key.len == key->len
            && ngx_memcmp(ngx_http_incident_cache[i].key.data, key->data,
                          key->len) == 0)
        {
            slot = &ngx_http_incident_cache[i];
            break;
        }
    }

    if (slot == NULL) {
        slot = &ngx_http_incident_cache[ngx_http_incident_cache_next];
        ngx_http_incident_cache_next = (ngx_http_incident_cache_next + 1)
                                       % NGX_HTTP_INCIDENT_CACHE_SLOTS;
    }

    ngx_http_incident_cache_clear(slot);

    text = ngx_alloc(sizeof(ngx_http_incident_text_t) + len,
                     r->connection->log);
    if (text == NULL) {
        return NULL;
    }

    text->refs = 1;
    text->len = len;
    ngx_memcpy(text->data, data, len);

    slot->key.data = ngx_alloc(key->len, r->connection->log);
    if (slot->key.data != NULL) {
        ngx_memcpy(slot->key.data, key->data, key->len);
        slot->key.len = key->len;
        slot->generation = generation;
        slot->day = day;
        slot->text = text;
        text->refs++;
    }

    if (ngx_http_incident_text_hold(r, text) != NGX_OK) {
        ngx_http_incident_text_release(text);
        return NULL;
    }

    /* the reference taken at allocation was only to reach here */
    ngx_http_incident_text_release(text);

    return text;
}


/* the store's failures are the operator's to fix: say so, once */
void
ngx_http_incident_log_result(ngx_http_request_t *r, inc_result_t *res)
{
    if (res->status == 507) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "incident_db is full (%s): the write was refused; "
                      "raise \"size=\" of incident_db", res->store_error);

    } else if (res->status == 503 && res->store_error != NULL) {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "incident_db failed: %s", res->store_error);
    }
}


/* in a pool thread: the write transaction, its fsync, serialization */
static void
ngx_http_incident_job_thread(void *data, ngx_log_t *log)
{
    ngx_http_incident_job_t  *job = data;

    inc_service_write(job->store, &job->ictx, &job->write, &job->result);

    if (job->serialize && job->result.body != NULL) {
        job->text = cJSON_PrintUnformatted(job->result.body);
        inc_result_free(&job->result);
    }
}


static void
ngx_http_incident_job_finish(ngx_event_t *ev)
{
    ngx_int_t                 rc;
    ngx_connection_t         *c;
    ngx_http_request_t       *r;
    ngx_http_incident_job_t  *job;

    job = ev->data;
    r = job->request;
    c = r->connection;

    ngx_http_set_log_request(c->log, r);

    r->main->blocked--;
    r->aio = 0;

    if (job->hold.timer_set) {
        ngx_del_timer(&job->hold);
    }

    ngx_http_incident_log_result(r, &job->result);

    if (job->result.status < NGX_HTTP_SPECIAL_RESPONSE) {
        /* the write may have queued notifications */
        ngx_http_incident_notify_kick();
    }

    rc = job->done(r, job);

    free(job->text);
    job->text = NULL;
    inc_result_free(&job->result);

    ngx_http_finalize_request(r, rc);
    ngx_http_run_posted_requests(c);
}


/*
 * A worker that exits gracefully (reload, upgrade) waits for the timers
 * that are not cancelable: this one keeps it until the write, which may
 * already be committed, has been answered.
 */
static void
ngx_http_incident_job_hold(ngx_event_t *ev)
{
    ngx_add_timer(ev, NGX_HTTP_INCIDENT_JOB_HOLD);
}


/* "task->ctx" starts with the job; the request waits for "done" */
ngx_int_t
ngx_http_incident_job_post(ngx_http_request_t *r, ngx_thread_task_t *task)
{
    ngx_http_incident_job_t        *job;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);
    job = task->ctx;

    job->request = r;
    job->store = imcf->store;

    task->handler = ngx_http_incident_job_thread;
    task->event.handler = ngx_http_incident_job_finish;
    task->event.data = job;

    if (ngx_thread_task_post(imcf->thread_pool, task) != NGX_OK) {
        return NGX_ERROR;
    }

    r->main->blocked++;
    r->aio = 1;

    job->hold.handler = ngx_http_incident_job_hold;
    job->hold.data = r->connection;     /* what nginx's debug log names */
    job->hold.log = r->connection->log;
    job->hold.cancelable = 0;
    ngx_add_timer(&job->hold, NGX_HTTP_INCIDENT_JOB_HOLD);

    return NGX_OK;
}


/*
 * The location's prefix, "/" or "/admin/", under which links are built,
 * and the rest of the URI after it.  NGX_DECLINED: the URI is the prefix
 * without its slash ("/admin"), which wants a redirect.
 */
ngx_int_t
ngx_http_incident_split_uri(ngx_http_request_t *r, const char **base,
    ngx_str_t *rest)
{
    u_char                    *p, *last;
    size_t                     len;
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    len = clcf->name.len;

    if (clcf->exact_match && r->uri.len && r->uri.data[0] == '/') {
        /* "location = /status/subscribe": one page of "/status/" */
        for (len = r->uri.len; r->uri.data[len - 1] != '/'; len--) {
            /* void */
        }

        p = ngx_pnalloc(r->pool, len + 1);
        if (p == NULL) {
            return NGX_ERROR;
        }

        ngx_cpystrn(p, r->uri.data, len + 1);

        *base = (char *) p;
        rest->data = r->uri.data + len;
        rest->len = r->uri.len - len;

        return NGX_OK;
    }

    if (len == 0 || clcf->regex != NULL || clcf->name.data[0] != '/'
        || ngx_strncmp(r->uri.data, clcf->name.data,
                       ngx_min(len, r->uri.len)) != 0)
    {
        *base = "/";
        rest->data = r->uri.data + 1;
        rest->len = r->uri.len ? r->uri.len - 1 : 0;
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, len + 2);
    if (p == NULL) {
        return NGX_ERROR;
    }

    last = ngx_cpymem(p, clcf->name.data, len);
    if (last[-1] != '/') {
        *last++ = '/';
    }
    *last = '\0';

    *base = (char *) p;

    if (r->uri.len < (size_t) (last - p)) {
        return NGX_DECLINED;
    }

    rest->data = r->uri.data + (last - p);
    rest->len = r->uri.len - (last - p);

    return NGX_OK;
}


/* the body in one piece, wherever nginx kept it (memory or temp file) */
ngx_int_t
ngx_http_incident_read_body(ngx_http_request_t *r, size_t max, ngx_str_t *body)
{
    off_t         size;
    u_char       *p;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    ngx_str_null(body);

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        return NGX_OK;
    }

    size = 0;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        size += ngx_buf_size(cl->buf);
    }

    if (size > (off_t) max) {
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    p = ngx_pnalloc(r->pool, (size_t) size + 1);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    body->data = p;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (!b->in_file) {
            /* the last buffer may be empty, its pointers NULL */
            if (b->last != b->pos) {
                p = ngx_cpymem(p, b->pos, b->last - b->pos);
            }

            continue;
        }

        n = ngx_read_file(b->file, p, (size_t) (b->file_last - b->file_pos),
                          b->file_pos);

        if (n != b->file_last - b->file_pos) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                          "incident module cannot read the request body "
                          "from its temporary file");
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        p += n;
    }

    body->len = p - body->data;
    *p = '\0';

    return NGX_OK;
}


/* "https://status.example.com": incident_public_url, or this request's */
ngx_int_t
ngx_http_incident_base_url(ngx_http_request_t *r, const char **base_url)
{
    u_char                        *p, c;
    ngx_str_t                      host, scheme;
    ngx_uint_t                     i;
    ngx_http_incident_loc_conf_t  *ilcf;

    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_incident_module);

    if (ilcf->public_url.len) {
        *base_url = (char *) ilcf->public_url.data;
        return NGX_OK;
    }

    ngx_str_set(&scheme, "http");

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&scheme, "https");
    }
#endif

    /*
     * The Host goes into links, feeds and cached pages: only a plain
     * name, address and port are taken from it.
     */
    ngx_str_set(&host, "localhost");

    if (r->headers_in.host != NULL && r->headers_in.host->value.len
        && r->headers_in.host->value.len <= 255)
    {
        host = r->headers_in.host->value;

        for (i = 0; i < host.len; i++) {
            c = host.data[i];

            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                  || (c >= '0' && c <= '9') || c == '.' || c == '-'
                  || c == ':' || c == '[' || c == ']' || c == '_'))
            {
                ngx_str_set(&host, "localhost");
                break;
            }
        }
    }

    p = ngx_pnalloc(r->pool, scheme.len + 3 + host.len + 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    *base_url = (char *) p;

    p = ngx_sprintf(p, "%V://%V", &scheme, &host);
    *p = '\0';

    return NGX_OK;
}


static void
ngx_http_incident_cjson_cleanup(void *data)
{
    cJSON_Delete(data);
}


/* a cJSON tree freed with the request */
cJSON *
ngx_http_incident_pool_json(ngx_http_request_t *r, cJSON *json)
{
    ngx_pool_cleanup_t  *cln;

    if (json == NULL) {
        return NULL;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        cJSON_Delete(json);
        return NULL;
    }

    cln->handler = ngx_http_incident_cjson_cleanup;
    cln->data = json;

    return json;
}
