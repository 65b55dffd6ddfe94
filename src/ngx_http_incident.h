/*
 * Types shared by the module's nginx-facing files.
 */

#ifndef _NGX_HTTP_INCIDENT_H_INCLUDED_
#define _NGX_HTTP_INCIDENT_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>
#include <ngx_thread_pool.h>

#include "incident_store.h"
#include "incident_service.h"
#include <cjson/cJSON.h>


#define NGX_HTTP_INCIDENT_HASH_LEN  32

/* public documents: an edge cache may serve them, even while we are down */
#define NGX_HTTP_INCIDENT_PAGE_CACHE                                          \
    "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400"


typedef struct ngx_http_incident_text_s  ngx_http_incident_text_t;


typedef struct {
    ngx_str_t             name;
    u_char                hash[NGX_HTTP_INCIDENT_HASH_LEN];
} ngx_http_incident_token_t;


typedef struct {
    ngx_str_t             db_path;      /* NUL-terminated */
    size_t                db_size;
    ngx_thread_pool_t    *thread_pool;
    inc_store_t          *store;        /* this worker's, after the fork */
    u_char                secret[INC_SECRET_LEN];   /* CSRF, link tokens */
    ngx_uint_t            has_secret;

    /* notifications */
    ngx_str_t             smtp_url;     /* NUL-terminated, or empty */
    ngx_flag_t            smtp_starttls;
    ngx_str_t             mail_from;    /* NUL-terminated */
    ngx_str_t             notify_url;   /* links in messages, no "/" end */
    ngx_flag_t            webhook_allow_private;
    ngx_uint_t            notify_attempts;
    ngx_msec_t            notify_backoff;
    ngx_msec_t            notify_backoff_max;
    ngx_uint_t            notify_concurrency;
    ngx_uint_t            notify_connections;   /* per host */
    ngx_uint_t            notify_rate;   /* deliveries a second, 0: no limit */
    ngx_msec_t            notify_timeout;
    ngx_msec_t            notify_lease;
    time_t                confirm_expiry;
    time_t                resend_after;
} ngx_http_incident_main_conf_t;


typedef struct {
    ngx_flag_t            api;
    ngx_flag_t            page;
    ngx_flag_t            admin;
    ngx_array_t          *tokens;       /* ngx_http_incident_token_t */
    ngx_str_t             public_url;
    size_t                max_body;
    ngx_flag_t            alertmanager;
    ngx_array_t          *am_severities;  /* inc_am_severity_t */
} ngx_http_incident_loc_conf_t;


/*
 * A write, committed by a thread-pool task; "done" runs back in the event
 * loop and answers.  Handlers put it first in their own request context.
 */
typedef struct ngx_http_incident_job_s  ngx_http_incident_job_t;

typedef ngx_int_t (*ngx_http_incident_job_done_pt)(ngx_http_request_t *r,
    ngx_http_incident_job_t *job);

struct ngx_http_incident_job_s {
    ngx_http_request_t             *request;
    inc_store_t                    *store;
    inc_ctx_t                       ictx;
    inc_write_t                     write;
    inc_result_t                    result;
    char                           *text;      /* result.body, serialized */
    ngx_http_incident_job_done_pt   done;
    ngx_event_t                     hold;      /* a worker's exit waits */
    unsigned                        serialize:1;
};


ngx_int_t ngx_http_incident_api_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_incident_page_handler(ngx_http_request_t *r);

ngx_int_t ngx_http_incident_add_header(ngx_http_request_t *r,
    const char *key, ngx_str_t *value, ngx_table_elt_t **ref);
ngx_int_t ngx_http_incident_etag(ngx_http_request_t *r, uint64_t generation,
    time_t day, ngx_str_t *etag);
ngx_int_t ngx_http_incident_output(ngx_http_request_t *r, ngx_uint_t status,
    const char *content_type, ngx_str_t *etag, const char *cache_control,
    const u_char *text, size_t len);
ngx_int_t ngx_http_incident_output_ref(ngx_http_request_t *r,
    ngx_uint_t status, const char *content_type, ngx_str_t *etag,
    const char *cache_control, u_char *text, size_t len);

ngx_http_incident_text_t *ngx_http_incident_cache_get(ngx_http_request_t *r,
    ngx_str_t *key, uint64_t generation, time_t day);
ngx_http_incident_text_t *ngx_http_incident_cache_put(ngx_http_request_t *r,
    ngx_str_t *key, uint64_t generation, time_t day, const u_char *data,
    size_t len);
u_char *ngx_http_incident_text_data(ngx_http_incident_text_t *text,
    size_t *len);
ngx_int_t ngx_http_incident_job_post(ngx_http_request_t *r,
    ngx_thread_task_t *task);
void ngx_http_incident_log_result(ngx_http_request_t *r,
    inc_result_t *res);
cJSON *ngx_http_incident_pool_json(ngx_http_request_t *r, cJSON *json);
ngx_int_t ngx_http_incident_read_body(ngx_http_request_t *r, size_t max,
    ngx_str_t *body);
ngx_int_t ngx_http_incident_split_uri(ngx_http_request_t *r,
    const char **base, ngx_str_t *rest);
ngx_int_t ngx_http_incident_admin_handler(ngx_http_request_t *r);
ngx_int_t ngx_http_incident_base_url(ngx_http_request_t *r,
    const char **base_url);


/* the pages of incident_subscribe_page.c */
#define NGX_HTTP_INCIDENT_SUB_FORM         0
#define NGX_HTTP_INCIDENT_SUB_CONFIRM      1
#define NGX_HTTP_INCIDENT_SUB_UNSUBSCRIBE  2

ngx_int_t ngx_http_incident_subscribe_handler(ngx_http_request_t *r,
    const char *base_path, ngx_uint_t which);

ngx_int_t ngx_http_incident_notify_init(ngx_cycle_t *cycle,
    ngx_http_incident_main_conf_t *imcf);
void ngx_http_incident_notify_exit(void);
void ngx_http_incident_notify_kick(void);


extern ngx_module_t  ngx_http_incident_module;


#endif /* _NGX_HTTP_INCIDENT_H_INCLUDED_ */
