/*
 * /subscribe, /subscribe/confirm and /unsubscribe under the status page.
 * GETs only show a form or a button; the POSTs write through the same
 * operations as the API, in a thread-pool task.  None of it is cached.
 * The unsubscribe POST is RFC 8058's one-click: the token in the link is
 * the whole authority, no cookie or CSRF token is involved.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_incident.h"
#include "incident_form.h"
#include "incident_render.h"


#define NGX_HTTP_INCIDENT_SUB_MAX_BODY  16384
#define NGX_HTTP_INCIDENT_HTML          "text/html; charset=utf-8"
#define NGX_HTTP_INCIDENT_SUB_INVALID   422
#define NGX_HTTP_INCIDENT_SUB_GONE      410


typedef struct {
    ngx_http_incident_job_t   job;       /* first: the thread task's ctx */
    ngx_uint_t                which;     /* NGX_HTTP_INCIDENT_SUB_* */
    inc_render_ctx_t          rc;
    char                     *token;
    cJSON                    *form;
} ngx_http_incident_sub_ctx_t;


static void ngx_http_incident_sub_body(ngx_http_request_t *r);
static ngx_int_t ngx_http_incident_sub_done(ngx_http_request_t *r,
    ngx_http_incident_job_t *job);


static ngx_int_t
ngx_http_incident_sub_render(ngx_http_request_t *r,
    ngx_http_incident_sub_ctx_t *ctx, ngx_uint_t status,
    inc_sub_page_t *sp)
{
    char                           *text;
    size_t                          len;
    ngx_int_t                       rc;
    inc_result_t                    res;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);

    if (imcf->store == NULL) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    /* the settings and, for the form, the components */
    inc_service_page_base(imcf->store, &res);

    if (res.status != NGX_HTTP_OK) {
        ngx_http_incident_log_result(r, &res);
        inc_result_free(&res);
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    text = inc_render_subscribe(res.body, &ctx->rc, sp, &len);
    inc_result_free(&res);

    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_incident_output(r, status, NGX_HTTP_INCIDENT_HTML, NULL,
                                  "no-store", (u_char *) text, len);
    free(text);

    return rc;
}


static ngx_int_t
ngx_http_incident_sub_problem(ngx_http_request_t *r,
    ngx_http_incident_sub_ctx_t *ctx, ngx_uint_t status, const char *detail)
{
    inc_sub_page_t  sp;

    ngx_memzero(&sp, sizeof(inc_sub_page_t));
    sp.view = INC_SUB_PROBLEM;
    sp.detail = detail;

    return ngx_http_incident_sub_render(r, ctx, status, &sp);
}


/* the id a link's token stands for, or 0 */
static uint64_t
ngx_http_incident_sub_token(ngx_http_request_t *r,
    ngx_http_incident_sub_ctx_t *ctx, const char *purpose)
{
    const char                     *t;
    ngx_str_t                       value;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);

    t = inc_form_value(ctx->form, "token");

    if (t == NULL) {
        if (ngx_http_arg(r, (u_char *) "token", 5, &value) != NGX_OK
            || value.len == 0 || value.len > 64)
        {
            return 0;
        }

        /* tokens are digits, a dot and hex: nothing to unescape */
        t = ngx_pnalloc(r->pool, value.len + 1);
        if (t == NULL) {
            return 0;
        }

        ngx_cpystrn((u_char *) t, value.data, value.len + 1);
    }

    ctx->token = (char *) t;

    return inc_link_token_check(imcf->secret, purpose, t, ngx_strlen(t));
}


static const char *
ngx_http_incident_sub_purpose(ngx_uint_t which)
{
    return which == NGX_HTTP_INCIDENT_SUB_CONFIRM ? "confirm"
                                                  : "unsubscribe";
}


static ngx_int_t
ngx_http_incident_sub_get(ngx_http_request_t *r,
    ngx_http_incident_sub_ctx_t *ctx)
{
    inc_sub_page_t  sp;

    ngx_memzero(&sp, sizeof(inc_sub_page_t));

    if (ctx->which == NGX_HTTP_INCIDENT_SUB_FORM) {
        sp.view = INC_SUB_FORM;
        return ngx_http_incident_sub_render(r, ctx, NGX_HTTP_OK, &sp);
    }

    /* a link scanner's GET must change nothing: show a button */
    if (ngx_http_incident_sub_token(r, ctx,
                                ngx_http_incident_sub_purpose(ctx->which))
        == 0)
    {
        return ngx_http_incident_sub_problem(r, ctx, NGX_HTTP_BAD_REQUEST,
                                             "This link is not valid: "
                                             "use the whole link from the "
                                             "mail.");
    }

    sp.view = ctx->which == NGX_HTTP_INCIDENT_SUB_CONFIRM
              ? INC_SUB_CONFIRM : INC_SUB_UNSUBSCRIBE;
    sp.token = ctx->token;

    return ngx_http_incident_sub_render(r, ctx, NGX_HTTP_OK, &sp);
}


ngx_int_t
ngx_http_incident_subscribe_handler(ngx_http_request_t *r,
    const char *base_path, ngx_uint_t which)
{
    ngx_int_t                       rc;
    ngx_str_t                       allow;
    ngx_thread_task_t              *task;
    ngx_http_incident_sub_ctx_t    *ctx;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_incident_sub_ctx_t));
    if (task == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = task->ctx;
    ctx->which = which;
    ctx->rc.base_path = base_path;
    ctx->rc.now = ngx_time();
    ctx->rc.subscribe = 1;
    ngx_http_set_ctx(r, task, ngx_http_incident_module);

    if (ngx_http_incident_base_url(r, &ctx->rc.base_url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!imcf->has_secret) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD)) {
        rc = ngx_http_discard_request_body(r);
        if (rc != NGX_OK) {
            return rc;
        }

        return ngx_http_incident_sub_get(r, ctx);
    }

    if (r->method != NGX_HTTP_POST) {
        ngx_str_set(&allow, "GET, HEAD, POST");

        if (ngx_http_incident_add_header(r, "Allow", &allow, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_NOT_ALLOWED;
    }

    if (r->headers_in.content_length_n > NGX_HTTP_INCIDENT_SUB_MAX_BODY) {
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;
    }

    rc = ngx_http_read_client_request_body(r, ngx_http_incident_sub_body);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static ngx_int_t
ngx_http_incident_sub_post(ngx_http_request_t *r)
{
    cJSON                          *in, *errors;
    uint64_t                        id;
    ngx_int_t                       rc;
    ngx_str_t                       body;
    inc_sub_page_t                  sp;
    ngx_thread_task_t              *task;
    ngx_http_incident_sub_ctx_t    *ctx;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);
    task = ngx_http_get_module_ctx(r, ngx_http_incident_module);
    ctx = task->ctx;

    rc = ngx_http_incident_read_body(r, NGX_HTTP_INCIDENT_SUB_MAX_BODY,
                                     &body);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx->form = ngx_http_incident_pool_json(r,
                        inc_form_parse((char *) body.data, body.len));
    if (ctx->form == NULL) {
        return ngx_http_incident_sub_problem(r, ctx, NGX_HTTP_BAD_REQUEST,
                                             "The form could not be read.");
    }

    ctx->job.ictx.now = ngx_time();
    ctx->job.ictx.base_url = ctx->rc.base_url;
    ctx->job.ictx.actor = "public";
    ctx->job.ictx.confirm_expiry = imcf->confirm_expiry;
    ctx->job.ictx.resend_after = imcf->resend_after;
    ctx->job.done = ngx_http_incident_sub_done;

    if (ctx->which == NGX_HTTP_INCIDENT_SUB_FORM) {
        in = ngx_http_incident_pool_json(r,
                        inc_form_to_json(INC_FORM_SUBSCRIBE, ctx->form));
        errors = cJSON_CreateArray();
        ctx->job.write.input = ngx_http_incident_pool_json(r,
                                                      cJSON_CreateObject());

        if (in == NULL || errors == NULL || ctx->job.write.input == NULL) {
            cJSON_Delete(errors);
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        ctx->job.write.op = INC_OP_SUBSCRIBE;
        inc_service_validate(INC_OP_SUBSCRIBE, in, ctx->job.ictx.now,
                             ctx->job.write.input, errors);

        if (cJSON_GetArraySize(errors)) {
            ngx_memzero(&sp, sizeof(inc_sub_page_t));
            sp.view = INC_SUB_FORM;
            sp.form = ctx->form;
            sp.errors = errors;

            rc = ngx_http_incident_sub_render(r, ctx,
                                              NGX_HTTP_INCIDENT_SUB_INVALID,
                                              &sp);
            cJSON_Delete(errors);
            return rc;
        }

        cJSON_Delete(errors);

    } else {
        id = ngx_http_incident_sub_token(r, ctx,
                                 ngx_http_incident_sub_purpose(ctx->which));
        if (id == 0) {
            return ngx_http_incident_sub_problem(r, ctx,
                                                 NGX_HTTP_BAD_REQUEST,
                                                 "This link is not valid: "
                                                 "use the whole link from "
                                                 "the mail.");
        }

        ctx->job.write.op = ctx->which == NGX_HTTP_INCIDENT_SUB_CONFIRM
                            ? INC_OP_SUBSCRIBER_CONFIRM : INC_OP_UNSUBSCRIBE;
        ctx->job.write.id = id;
    }

    if (ngx_http_incident_job_post(r, task) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


static void
ngx_http_incident_sub_body(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_incident_sub_post(r);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* back in the event loop: the page that says what happened */
static ngx_int_t
ngx_http_incident_sub_done(ngx_http_request_t *r,
    ngx_http_incident_job_t *job)
{
    inc_sub_page_t                sp;
    ngx_http_incident_sub_ctx_t  *ctx;

    ctx = (ngx_http_incident_sub_ctx_t *) job;

    if (job->result.status == NGX_HTTP_INCIDENT_SUB_GONE) {
        return ngx_http_incident_sub_problem(r, ctx,
                                             NGX_HTTP_INCIDENT_SUB_GONE,
                                             "This confirmation link has "
                                             "expired. Subscribe again to "
                                             "get a new one.");
    }

    ngx_memzero(&sp, sizeof(inc_sub_page_t));

    if (job->result.status == NGX_HTTP_INCIDENT_SUB_INVALID) {
        /* components that do not exist (any more) */
        sp.view = INC_SUB_FORM;
        sp.form = ctx->form;
        sp.errors = cJSON_GetObjectItem(job->result.body, "errors");

        return ngx_http_incident_sub_render(r, ctx,
                                            NGX_HTTP_INCIDENT_SUB_INVALID,
                                            &sp);
    }

    if (job->result.status >= NGX_HTTP_SPECIAL_RESPONSE) {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    sp.view = ctx->which == NGX_HTTP_INCIDENT_SUB_FORM ? INC_SUB_SENT
              : ctx->which == NGX_HTTP_INCIDENT_SUB_CONFIRM
              ? INC_SUB_CONFIRMED : INC_SUB_UNSUBSCRIBED;

    return ngx_http_incident_sub_render(r, ctx, NGX_HTTP_OK, &sp);
}
