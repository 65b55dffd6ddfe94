/*
 * /api/v1: routing, authentication, request bodies, responses.  Reads run
 * in the event loop on short LMDB read transactions; writes are validated
 * here and committed by a thread-pool task.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "ngx_http_incident.h"
#include "incident_model.h"
#include "incident_json.h"
#include "incident_service.h"
#include "incident_statuspage.h"
#include "incident_alertmanager.h"
#include "incident_route.h"


#define NGX_HTTP_INCIDENT_READ  (NGX_HTTP_GET|NGX_HTTP_HEAD)
#define NGX_HTTP_INCIDENT_UNPROCESSABLE  422


typedef struct {
    ngx_uint_t                methods;
    ngx_str_t                 allow;
    ngx_int_t                 post;      /* inc_op_t, or -1 */
    ngx_int_t                 patch;
    ngx_int_t                 delete;
} ngx_http_incident_route_t;


typedef struct {
    ngx_http_incident_job_t   job;       /* first: the thread task's ctx */
    ngx_uint_t                resource;
    ngx_uint_t                max_body;
    unsigned                  private_doc:1;   /* never cached */
} ngx_http_incident_api_ctx_t;


static ngx_int_t ngx_http_incident_api_read(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx);
static void ngx_http_incident_api_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_incident_api_v2(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx, ngx_str_t *path);
static ngx_int_t ngx_http_incident_api_write_done(ngx_http_request_t *r,
    ngx_http_incident_job_t *job);


static ngx_http_incident_route_t  ngx_http_incident_routes[] = {

    /* /incidents */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_POST,
      ngx_string("GET, HEAD, POST"),
      INC_OP_INCIDENT_CREATE, -1, -1 },

    /* /incidents/{id} */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_PATCH|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, PATCH, DELETE"),
      -1, INC_OP_INCIDENT_PATCH, INC_OP_INCIDENT_DELETE },

    /* /incidents/{id}/updates */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_POST,
      ngx_string("GET, HEAD, POST"),
      INC_OP_UPDATE_CREATE, -1, -1 },

    /* /incidents/{id}/updates/{id} */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_PATCH|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, PATCH, DELETE"),
      -1, INC_OP_UPDATE_PATCH, INC_OP_UPDATE_DELETE },

    /* /components */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_POST,
      ngx_string("GET, HEAD, POST"),
      INC_OP_COMPONENT_CREATE, -1, -1 },

    /* /components/{id} */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_PATCH|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, PATCH, DELETE"),
      -1, INC_OP_COMPONENT_PATCH, INC_OP_COMPONENT_DELETE },

    /* /status */
    { NGX_HTTP_INCIDENT_READ, ngx_string("GET, HEAD"), -1, -1, -1 },

    /* /settings */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_PATCH,
      ngx_string("GET, HEAD, PATCH"),
      -1, INC_OP_SETTINGS_PATCH, -1 },

    /* /audit */
    { NGX_HTTP_INCIDENT_READ, ngx_string("GET, HEAD"), -1, -1, -1 },

    /* /maintenances */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_POST,
      ngx_string("GET, HEAD, POST"),
      INC_OP_MAINT_CREATE, -1, -1 },

    /* /maintenances/{id} */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_PATCH|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, PATCH, DELETE"),
      -1, INC_OP_MAINT_PATCH, INC_OP_MAINT_DELETE },

    /* /maintenances/{id}/updates */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_POST,
      ngx_string("GET, HEAD, POST"),
      INC_OP_MAINT_UPDATE_CREATE, -1, -1 },

    /* /maintenances/{id}/updates/{id} */
    { NGX_HTTP_INCIDENT_READ, ngx_string("GET, HEAD"), -1, -1, -1 },

    /* /integrations/alertmanager */
    { NGX_HTTP_POST, ngx_string("POST"), INC_OP_ALERTMANAGER, -1, -1 },

    /* /subscribers: POST without a token is the public's double opt-in */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_POST,
      ngx_string("GET, HEAD, POST"),
      INC_OP_SUBSCRIBER_CREATE, -1, -1 },

    /* /subscribers/{id} */
    { NGX_HTTP_INCIDENT_READ|NGX_HTTP_DELETE,
      ngx_string("GET, HEAD, DELETE"),
      -1, -1, INC_OP_SUBSCRIBER_DELETE },

    /* /subscribers/{id}/deliveries */
    { NGX_HTTP_INCIDENT_READ, ngx_string("GET, HEAD"), -1, -1, -1 },

    /* /dead-letters */
    { NGX_HTTP_INCIDENT_READ, ngx_string("GET, HEAD"), -1, -1, -1 },

    /* /dead-letters/{id}/retry */
    { NGX_HTTP_POST, ngx_string("POST"), INC_OP_DEAD_RETRY, -1, -1 },

    /* /queue */
    { NGX_HTTP_INCIDENT_READ, ngx_string("GET, HEAD"), -1, -1, -1 },
};


/*
 * Splits "/api/v1/incidents/17/updates/3" into its resource and ids.
 * Returns NGX_DECLINED for a path that names nothing.
 */
static ngx_int_t
ngx_http_incident_route(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx)
{
    inc_route_t  route;

    static ngx_str_t  prefix = ngx_string("/api/v1/");

    if (r->uri.len <= prefix.len
        || ngx_strncmp(r->uri.data, prefix.data, prefix.len) != 0
        || inc_route_api((char *) r->uri.data + prefix.len,
                         r->uri.len - prefix.len, &route)
           != 0)
    {
        return NGX_DECLINED;
    }

    ctx->resource = route.resource;
    ctx->job.write.id = route.id;
    ctx->job.write.sub_id = route.sub_id;

    return NGX_OK;
}


/*
 * JSON for success, problem+json for errors; GET answers carry the
 * generation as their ETag.
 */
static ngx_int_t
ngx_http_incident_send(ngx_http_request_t *r, ngx_uint_t status,
    const char *text, size_t len, const char *location, uint64_t generation)
{
    ngx_str_t           value, *etag;
    const char         *type, *cache;
    ngx_thread_task_t  *task;

    if (location != NULL && location[0] != '\0') {
        value.data = (u_char *) location;
        value.len = ngx_strlen(location);

        value.data = ngx_pstrdup(r->pool, &value);
        if (value.data == NULL
            || ngx_http_incident_add_header(r, "Location", &value, NULL)
               != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    etag = NULL;
    cache = NULL;

    task = ngx_http_get_module_ctx(r, ngx_http_incident_module);

    if (task != NULL
        && ((ngx_http_incident_api_ctx_t *) task->ctx)->private_doc)
    {
        /* subscribers and deliveries change without a new generation */
        cache = "no-store";

    } else if (status == NGX_HTTP_OK && (r->method & NGX_HTTP_INCIDENT_READ))
    {
        if (ngx_http_incident_etag(r, generation, 0, &value) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        etag = &value;
        cache = "no-cache";
    }

    type = status >= NGX_HTTP_BAD_REQUEST ? "application/problem+json"
                                          : "application/json";

    return ngx_http_incident_output(r, status, type, etag, cache,
                                    (u_char *) text, len);
}


static ngx_int_t
ngx_http_incident_send_doc(ngx_http_request_t *r, ngx_uint_t status,
    cJSON *doc, const char *location, uint64_t generation)
{
    char       *text;
    ngx_int_t   rc;

    if (doc == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);

    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_incident_send(r, status, text, ngx_strlen(text), location,
                                generation);
    free(text);

    return rc;
}


static ngx_int_t
ngx_http_incident_problem(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail, cJSON *errors)
{
    return ngx_http_incident_send_doc(r, status,
                                      inc_json_problem(status, detail,
                                                       errors),
                                      NULL, 0);
}


static ngx_int_t
ngx_http_incident_problem_field(ngx_http_request_t *r, ngx_uint_t status,
    const char *detail, const char *field, const char *message)
{
    cJSON  *errors;

    errors = cJSON_CreateArray();
    if (errors != NULL) {
        inc_error_add(errors, field, message);
    }

    return ngx_http_incident_problem(r, status, detail, errors);
}


static ngx_int_t
ngx_http_incident_send_result(ngx_http_request_t *r, inc_result_t *res)
{
    cJSON  *doc;

    ngx_http_incident_log_result(r, res);

    doc = res->body;
    res->body = NULL;

    if (res->status == NGX_HTTP_NO_CONTENT) {
        cJSON_Delete(doc);
        return ngx_http_incident_send(r, res->status, NULL, 0, NULL, 0);
    }

    return ngx_http_incident_send_doc(r, res->status, doc, res->location,
                                      res->generation);
}


/* the bearer token's name, or NULL; every token is compared, in full */
static ngx_http_incident_token_t *
ngx_http_incident_authenticate(ngx_http_request_t *r)
{
    u_char                         digest[EVP_MAX_MD_SIZE];
    unsigned int                   n;
    ngx_str_t                      token;
    ngx_uint_t                     i;
    ngx_http_incident_token_t     *t, *match;
    ngx_http_incident_loc_conf_t  *ilcf;

    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_incident_module);

    if (ilcf->tokens == NULL || r->headers_in.authorization == NULL) {
        return NULL;
    }

    token = r->headers_in.authorization->value;

    if (token.len <= 7
        || ngx_strncasecmp(token.data, (u_char *) "Bearer ", 7) != 0)
    {
        return NULL;
    }

    token.data += 7;
    token.len -= 7;

    while (token.len && token.data[0] == ' ') {
        token.data++;
        token.len--;
    }

    while (token.len && token.data[token.len - 1] == ' ') {
        token.len--;
    }

    if (token.len == 0
        || EVP_Digest(token.data, token.len, digest, &n, EVP_sha256(), NULL)
           != 1)
    {
        return NULL;
    }

    match = NULL;
    t = ilcf->tokens->elts;

    for (i = 0; i < ilcf->tokens->nelts; i++) {
        if (CRYPTO_memcmp(digest, t[i].hash, NGX_HTTP_INCIDENT_HASH_LEN)
            == 0)
        {
            match = &t[i];
        }
    }

    return match;
}


static ngx_int_t
ngx_http_incident_unauthorized(ngx_http_request_t *r)
{
    ngx_str_t  value;

    ngx_str_set(&value, "Bearer");

    if (ngx_http_incident_add_header(r, "WWW-Authenticate", &value,
                                     &r->headers_out.www_authenticate)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_incident_problem(r, NGX_HTTP_UNAUTHORIZED,
                                     "A valid bearer token is required: "
                                     "Authorization: Bearer TOKEN.", NULL);
}


ngx_int_t
ngx_http_incident_api_handler(ngx_http_request_t *r)
{
    ngx_int_t                       rc, op;
    ngx_str_t                       allow, path;
    ngx_thread_task_t              *task;
    ngx_http_incident_token_t      *token;
    ngx_http_incident_route_t      *route;
    ngx_http_incident_api_ctx_t    *ctx;
    ngx_http_incident_loc_conf_t   *ilcf;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);
    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_incident_module);

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_incident_api_ctx_t));
    if (task == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = task->ctx;
    ctx->job.request = r;
    ctx->job.store = imcf->store;
    ctx->max_body = ilcf->max_body;
    ngx_http_set_ctx(r, task, ngx_http_incident_module);

    /* "/api/v2" and everything under it: Statuspage's, with CORS */
    if (r->uri.len >= sizeof("/api/v2") - 1
        && ngx_strncmp(r->uri.data, "/api/v2", sizeof("/api/v2") - 1) == 0
        && (r->uri.len == sizeof("/api/v2") - 1
            || r->uri.data[sizeof("/api/v2") - 1] == '/'))
    {
        path.data = r->uri.data + sizeof("/api/v2") - 1;
        path.len = r->uri.len - (sizeof("/api/v2") - 1);

        if (path.len) {
            path.data++;
            path.len--;
        }

        return ngx_http_incident_api_v2(r, ctx, &path);
    }

    if (ngx_http_incident_route(r, ctx) != NGX_OK
        || (ctx->resource == INC_R_ALERTMANAGER
            && !ilcf->alertmanager))
    {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_problem(r, NGX_HTTP_NOT_FOUND,
                                         "There is no such resource.",
                                         NULL);
    }

    route = &ngx_http_incident_routes[ctx->resource];

    /* subscribers, their secrets and deliveries: never in a cache */
    ctx->private_doc = ctx->resource >= INC_R_SUBSCRIBERS;

    if (!(r->method & route->methods)) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        allow = route->allow;

        if (ngx_http_incident_add_header(r, "Allow", &allow, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_problem(r, NGX_HTTP_NOT_ALLOWED,
                                         "This method is not allowed here.",
                                         NULL);
    }

    if (ngx_http_incident_base_url(r, &ctx->job.ictx.base_url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (r->method & NGX_HTTP_INCIDENT_READ) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_api_read(r, ctx);
    }

    op = r->method == NGX_HTTP_POST ? route->post
         : r->method == NGX_HTTP_PATCH ? route->patch : route->delete;

    ctx->job.write.op = (inc_op_t) op;
    ctx->job.ictx.confirm_expiry = imcf->confirm_expiry;
    ctx->job.ictx.resend_after = imcf->resend_after;

    if (ctx->resource == INC_R_SUBSCRIBERS
        && r->headers_in.authorization == NULL)
    {
        /* anyone may ask to subscribe; the mail's link confirms */
        ctx->job.write.op = INC_OP_SUBSCRIBE;
        ctx->private_doc = 1;
        token = NULL;
        goto body;
    }

    token = ngx_http_incident_authenticate(r);

    if (token == NULL) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_unauthorized(r);
    }

    ctx->job.ictx.actor = (char *) token->name.data;

body:

    if (r->method != NGX_HTTP_DELETE && op != INC_OP_DEAD_RETRY) {
        rc = NGX_OK;

        if (r->headers_in.content_type == NULL) {
            rc = NGX_DECLINED;

        } else {
            ngx_str_t  type = r->headers_in.content_type->value;
            u_char    *semi = ngx_strlchr(type.data, type.data + type.len,
                                          ';');

            if (semi != NULL) {
                type.len = semi - type.data;
            }

            while (type.len && type.data[type.len - 1] == ' ') {
                type.len--;
            }

            if (!((type.len == 16
                   && ngx_strncasecmp(type.data,
                                      (u_char *) "application/json", 16)
                      == 0)
                  || (type.len == 28
                      && ngx_strncasecmp(type.data,
                             (u_char *) "application/merge-patch+json", 28)
                         == 0)))
            {
                rc = NGX_DECLINED;
            }
        }

        if (rc != NGX_OK) {
            if (ngx_http_discard_request_body(r) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            return ngx_http_incident_problem(r,
                                        NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
                                        "Send the body as application/json.",
                                        NULL);
        }
    }

    if (r->headers_in.content_length_n > (off_t) ilcf->max_body) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_problem(r, NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                         "The body is larger than "
                                         "incident_api_max_body.", NULL);
    }

    rc = ngx_http_read_client_request_body(r,
                                         ngx_http_incident_api_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/*
 * limit, cursor and (for incidents and maintenances) state.  A bad one is
 * named in "field" and NGX_DECLINED returned; the caller answers 400.
 */
static ngx_int_t
ngx_http_incident_parse_page(ngx_http_request_t *r, inc_states_t states,
    inc_page_t *page, const char **field, const char **message)
{
    return inc_query_page((char *) r->args.data, r->args.len, states, page,
                          field, message) == 0
           ? NGX_OK : NGX_DECLINED;
}


typedef void (*ngx_http_incident_build_pt)(inc_store_t *store,
    const inc_ctx_t *ctx, ngx_uint_t which, inc_result_t *res);

typedef struct {
    ngx_str_t                    name;       /* of the cache entry */
    ngx_http_incident_build_pt   build;
    ngx_uint_t                   which;
    const char                  *cache_control;
} ngx_http_incident_doc_t;


/*
 * A public document everyone reloads during an outage (/api/v1/status,
 * the /api/v2 documents): rendered once per generation and worker.
 */
static ngx_int_t
ngx_http_incident_cached_doc(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx, ngx_http_incident_doc_t *doc)
{
    char                      *text;
    u_char                    *p;
    size_t                     len;
    uint64_t                   generation;
    ngx_str_t                  key, etag;
    inc_result_t              *res;
    ngx_http_incident_text_t  *cached;

    res = &ctx->job.result;

    key.len = doc->name.len + 1 + ngx_strlen(ctx->job.ictx.base_url);
    key.data = ngx_pnalloc(r->pool, key.len);
    if (key.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_sprintf(key.data, "%V %s", &doc->name, ctx->job.ictx.base_url);

    if (inc_store_generation(ctx->job.store, &generation) == INC_OK) {
        cached = ngx_http_incident_cache_get(r, &key, generation, 0);

        if (cached != NULL) {
            goto send;
        }
    }

    doc->build(ctx->job.store, &ctx->job.ictx, doc->which, res);

    if (res->status != NGX_HTTP_OK) {
        return ngx_http_incident_send_result(r, res);
    }

    text = cJSON_PrintUnformatted(res->body);
    inc_result_free(res);

    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    generation = res->generation;
    cached = ngx_http_incident_cache_put(r, &key, generation, 0,
                                         (u_char *) text, ngx_strlen(text));
    free(text);

    if (cached == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

send:

    p = ngx_http_incident_text_data(cached, &len);

    if (ngx_http_incident_etag(r, generation, 0, &etag) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_incident_output_ref(r, NGX_HTTP_OK, "application/json",
                                        &etag, doc->cache_control, p, len);
}


static void
ngx_http_incident_build_status(inc_store_t *store, const inc_ctx_t *ctx,
    ngx_uint_t which, inc_result_t *res)
{
    (void) which;

    inc_service_status(store, ctx, res);
}


static void
ngx_http_incident_build_v2(inc_store_t *store, const inc_ctx_t *ctx,
    ngx_uint_t which, inc_result_t *res)
{
    inc_service_v2(store, ctx, (inc_v2_doc_t) which, res);
}


/*
 * /api/v2: Atlassian Statuspage's public documents, read by browser
 * widgets on other origins, so every answer allows any origin.
 */
static ngx_int_t
ngx_http_incident_api_v2(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx, ngx_str_t *path)
{
    int                       doc;
    ngx_str_t                 value;
    ngx_http_incident_doc_t   v2;

    ngx_str_set(&value, "*");

    if (ngx_http_incident_add_header(r, "Access-Control-Allow-Origin",
                                     &value, NULL)
        != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_discard_request_body(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ngx_str_set(&value, "GET, HEAD, OPTIONS");

    if (r->method == NGX_HTTP_OPTIONS) {
        if (ngx_http_incident_add_header(r, "Access-Control-Allow-Methods",
                                         &value, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ngx_str_set(&value, "86400");

        if (ngx_http_incident_add_header(r, "Access-Control-Max-Age",
                                         &value, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_send(r, NGX_HTTP_NO_CONTENT, NULL, 0, NULL,
                                      0);
    }

    doc = inc_v2_doc_find((char *) path->data, path->len);

    if (doc < 0) {
        return ngx_http_incident_problem(r, NGX_HTTP_NOT_FOUND,
                                         "There is no such resource.",
                                         NULL);
    }

    if (!(r->method & NGX_HTTP_INCIDENT_READ)) {
        if (ngx_http_incident_add_header(r, "Allow", &value, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_problem(r, NGX_HTTP_NOT_ALLOWED,
                                         "This method is not allowed here.",
                                         NULL);
    }

    if (ctx->job.store == NULL) {
        return ngx_http_incident_problem(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "The store is unavailable; see "
                                         "the error log.", NULL);
    }

    if (ngx_http_incident_base_url(r, &ctx->job.ictx.base_url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    v2.name = *path;
    v2.build = ngx_http_incident_build_v2;
    v2.which = (ngx_uint_t) doc;

    /* like the page: edge caches may serve the widgets' polls */
    v2.cache_control = NGX_HTTP_INCIDENT_PAGE_CACHE;

    return ngx_http_incident_cached_doc(r, ctx, &v2);
}


/* the reads that need a token: subscribers and their deliveries */
static ngx_int_t
ngx_http_incident_api_private(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx)
{
    const char    *field, *message;
    inc_page_t     page;
    inc_result_t  *res;

    res = &ctx->job.result;
    ctx->private_doc = 1;

    if (ngx_http_incident_authenticate(r) == NULL) {
        return ngx_http_incident_unauthorized(r);
    }

    if (ctx->resource != INC_R_SUBSCRIBER
        && ctx->resource != INC_R_QUEUE
        && ngx_http_incident_parse_page(r, INC_STATES_NONE, &page,
                                        &field, &message)
           != NGX_OK)
    {
        return ngx_http_incident_problem_field(r, NGX_HTTP_BAD_REQUEST,
                                               "A query parameter is "
                                               "invalid.", field, message);
    }

    switch (ctx->resource) {

    case INC_R_SUBSCRIBERS:
        inc_service_subscriber_list(ctx->job.store, &page, res);
        break;

    case INC_R_SUBSCRIBER:
        inc_service_subscriber_get(ctx->job.store, ctx->job.write.id, res);
        break;

    case INC_R_DELIVERIES:
        inc_service_delivery_list(ctx->job.store, ctx->job.write.id, &page,
                                  res);
        break;

    case INC_R_DEAD_LETTERS:
        inc_service_dead_list(ctx->job.store, &page, res);
        break;

    default: /* INC_R_QUEUE */
        inc_service_queue_stats(ctx->job.store, res);
        break;
    }

    return ngx_http_incident_send_result(r, res);
}


static ngx_int_t
ngx_http_incident_api_read(ngx_http_request_t *r,
    ngx_http_incident_api_ctx_t *ctx)
{
    const char    *field, *message;
    inc_page_t     page;
    inc_result_t  *res;

    static ngx_http_incident_doc_t  status_doc = {
        ngx_string("status"), ngx_http_incident_build_status, 0, "no-cache"
    };

    res = &ctx->job.result;

    if (ctx->job.store == NULL) {
        return ngx_http_incident_problem(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "The store is unavailable; see "
                                         "the error log.", NULL);
    }

    switch (ctx->resource) {

    case INC_R_INCIDENTS:
        if (ngx_http_incident_parse_page(r, INC_STATES_INCIDENT, &page,
                                         &field, &message)
            != NGX_OK)
        {
            goto bad_query;
        }

        inc_service_incident_list(ctx->job.store, &ctx->job.ictx, &page, res);
        break;

    case INC_R_INCIDENT:
        inc_service_incident_get(ctx->job.store, &ctx->job.ictx,
                                 ctx->job.write.id, res);
        break;

    case INC_R_UPDATES:
        inc_service_update_list(ctx->job.store, ctx->job.write.id, res);
        break;

    case INC_R_UPDATE:
        inc_service_update_get(ctx->job.store, ctx->job.write.id,
                               ctx->job.write.sub_id, res);
        break;

    case INC_R_COMPONENTS:
        if (ngx_http_incident_parse_page(r, INC_STATES_NONE, &page,
                                         &field, &message)
            != NGX_OK)
        {
            goto bad_query;
        }

        inc_service_component_list(ctx->job.store, &page, res);
        break;

    case INC_R_COMPONENT:
        inc_service_component_get(ctx->job.store, ctx->job.write.id, res);
        break;

    case INC_R_STATUS:
        return ngx_http_incident_cached_doc(r, ctx, &status_doc);

    case INC_R_SETTINGS:
        inc_service_settings(ctx->job.store, res);
        break;

    case INC_R_MAINTENANCES:
        if (ngx_http_incident_parse_page(r, INC_STATES_MAINTENANCE, &page,
                                         &field, &message)
            != NGX_OK)
        {
            goto bad_query;
        }

        inc_service_maintenance_list(ctx->job.store, &ctx->job.ictx, &page,
                                     res);
        break;

    case INC_R_MAINTENANCE:
        inc_service_maintenance_get(ctx->job.store, &ctx->job.ictx,
                                    ctx->job.write.id, res);
        break;

    case INC_R_MAINT_UPDATES:
        inc_service_maintenance_updates(ctx->job.store, ctx->job.write.id,
                                        res);
        break;

    case INC_R_MAINT_UPDATE:
        inc_service_maintenance_update_get(ctx->job.store, ctx->job.write.id,
                                           ctx->job.write.sub_id, res);
        break;

    case INC_R_SUBSCRIBERS:
    case INC_R_SUBSCRIBER:
    case INC_R_DELIVERIES:
    case INC_R_DEAD_LETTERS:
    case INC_R_QUEUE:
        return ngx_http_incident_api_private(r, ctx);

    default: /* INC_R_AUDIT */
        if (ngx_http_incident_authenticate(r) == NULL) {
            return ngx_http_incident_unauthorized(r);
        }

        if (ngx_http_incident_parse_page(r, INC_STATES_NONE, &page,
                                         &field, &message)
            != NGX_OK)
        {
            goto bad_query;
        }

        inc_service_audit_list(ctx->job.store, &page, res);
        break;
    }

    return ngx_http_incident_send_result(r, res);

bad_query:

    return ngx_http_incident_problem_field(r, NGX_HTTP_BAD_REQUEST,
                                           "A query parameter is invalid.",
                                           field, message);
}


static void
ngx_http_incident_alertmanager_parse(ngx_http_request_t *r, cJSON *in,
    ngx_http_incident_api_ctx_t *ctx, cJSON *errors)
{
    ngx_uint_t                     n;
    inc_am_severity_t             *map;
    ngx_http_incident_loc_conf_t  *ilcf;

    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_incident_module);

    map = NULL;
    n = 0;

    if (ilcf->am_severities != NULL) {
        map = ilcf->am_severities->elts;
        n = ilcf->am_severities->nelts;
    }

    inc_am_parse(in, map, n, ctx->job.ictx.now, ctx->job.write.input,
                 errors);
}


static ngx_int_t
ngx_http_incident_api_write(ngx_http_request_t *r)
{
    cJSON                        *in, *errors;
    ngx_int_t                     rc;
    ngx_str_t                     body;
    const char                   *detail;
    ngx_thread_task_t            *task;
    ngx_http_incident_api_ctx_t  *ctx;

    task = ngx_http_get_module_ctx(r, ngx_http_incident_module);
    ctx = task->ctx;

    rc = ngx_http_incident_read_body(r, ctx->max_body, &body);

    if (rc == NGX_HTTP_REQUEST_ENTITY_TOO_LARGE) {
        return ngx_http_incident_problem(r, rc, "The body is larger than "
                                         "incident_api_max_body.", NULL);
    }

    if (rc != NGX_OK) {
        return rc;
    }

    if (ctx->job.store == NULL) {
        return ngx_http_incident_problem(r, NGX_HTTP_SERVICE_UNAVAILABLE,
                                         "The store is unavailable; see "
                                         "the error log.", NULL);
    }

    ctx->job.ictx.now = ngx_time();

    if (r->method != NGX_HTTP_DELETE
        && ctx->job.write.op != INC_OP_DEAD_RETRY)
    {
        in = inc_json_parse_body((char *) body.data, body.len, &detail);

        if (in == NULL) {
            return ngx_http_incident_problem(r, NGX_HTTP_BAD_REQUEST,
                                             detail, NULL);
        }

        if (ngx_http_incident_pool_json(r, in) == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        errors = cJSON_CreateArray();
        if (errors == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->job.write.input = ngx_http_incident_pool_json(r,
                                                      cJSON_CreateObject());
        if (ctx->job.write.input == NULL) {
            cJSON_Delete(errors);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ctx->job.write.op == INC_OP_ALERTMANAGER) {
            ngx_http_incident_alertmanager_parse(r, in, ctx, errors);

        } else {
            inc_service_validate(ctx->job.write.op, in, ctx->job.ictx.now,
                                 ctx->job.write.input, errors);
        }

        if (cJSON_GetArraySize(errors)) {
            /* one entry per bad field: unknown ids are named too */
            inc_service_check_references(ctx->job.store, &ctx->job.write,
                                         errors);

            return ngx_http_incident_problem(r, NGX_HTTP_INCIDENT_UNPROCESSABLE,
                                             "Some fields are invalid; "
                                             "nothing was changed.", errors);
        }

        cJSON_Delete(errors);
    }

    ctx->job.done = ngx_http_incident_api_write_done;
    ctx->job.serialize = 1;

    if (ngx_http_incident_job_post(r, task) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


static void
ngx_http_incident_api_body_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_incident_api_write(r);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* back in the event loop: the write's answer */
static ngx_int_t
ngx_http_incident_api_write_done(ngx_http_request_t *r,
    ngx_http_incident_job_t *job)
{
    if (job->text == NULL && job->result.status != NGX_HTTP_NO_CONTENT) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return ngx_http_incident_send(r, job->result.status, job->text,
                                  job->text ? ngx_strlen(job->text) : 0,
                                  job->result.location, 0);
}
