/*
 * The admin UI (location with incident_admin): server-rendered pages and
 * plain HTML forms.  Authentication is nginx's (auth_basic, auth_request,
 * allow/deny); here every POST must come from this origin and carry the
 * CSRF token, and then goes through the API's validators and write
 * operations: one code path, one set of rules.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "ngx_http_incident.h"
#include "incident_model.h"
#include "incident_form.h"
#include "incident_service.h"
#include "incident_admin_render.h"


#define NGX_HTTP_INCIDENT_ADMIN_MAX_BODY  (64 * 1024)
#define NGX_HTTP_INCIDENT_CSRF_LEN        64


typedef enum {
    NGX_HTTP_INCIDENT_A_DASHBOARD = 0,
    NGX_HTTP_INCIDENT_A_INCIDENTS,
    NGX_HTTP_INCIDENT_A_INCIDENT_NEW,
    NGX_HTTP_INCIDENT_A_INCIDENT,
    NGX_HTTP_INCIDENT_A_INCIDENT_EDIT,
    NGX_HTTP_INCIDENT_A_INCIDENT_DELETE,
    NGX_HTTP_INCIDENT_A_UPDATES,
    NGX_HTTP_INCIDENT_A_UPDATE,
    NGX_HTTP_INCIDENT_A_UPDATE_EDIT,
    NGX_HTTP_INCIDENT_A_UPDATE_DELETE,
    NGX_HTTP_INCIDENT_A_COMPONENTS,
    NGX_HTTP_INCIDENT_A_COMPONENT_NEW,
    NGX_HTTP_INCIDENT_A_COMPONENT,
    NGX_HTTP_INCIDENT_A_COMPONENT_MOVE,
    NGX_HTTP_INCIDENT_A_COMPONENT_DELETE,
    NGX_HTTP_INCIDENT_A_SETTINGS,
    NGX_HTTP_INCIDENT_A_SUBSCRIBERS,
    NGX_HTTP_INCIDENT_A_SUBSCRIBER_NEW,
    NGX_HTTP_INCIDENT_A_SUBSCRIBER,
    NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE,
    NGX_HTTP_INCIDENT_A_DEAD_LETTERS,
    NGX_HTTP_INCIDENT_A_DEAD_RETRY,
    NGX_HTTP_INCIDENT_A_MAINTENANCES,
    NGX_HTTP_INCIDENT_A_MAINT_NEW,
    NGX_HTTP_INCIDENT_A_MAINT,
    NGX_HTTP_INCIDENT_A_MAINT_EDIT,
    NGX_HTTP_INCIDENT_A_MAINT_UPDATES,
    NGX_HTTP_INCIDENT_A_MAINT_START,
    NGX_HTTP_INCIDENT_A_MAINT_COMPLETE,
    NGX_HTTP_INCIDENT_A_MAINT_DELETE,
    NGX_HTTP_INCIDENT_A_CSS,
    NGX_HTTP_INCIDENT_A_JS,
    NGX_HTTP_INCIDENT_A_COUNT
} ngx_http_incident_admin_e;


/*
 * What a POST to a route does: the write, the form it reads, the page a
 * failed attempt is shown again on, where a success lands and what it
 * says there.
 */
typedef struct {
    ngx_int_t                  op;          /* inc_op_t; -1: no POST */
    inc_form_t                 form;
    ngx_http_incident_admin_e  retry;
    const char                *next;        /* "%s" gets the id */
    const char                *done;        /* the flash message key */
    unsigned                   get:1;       /* has a page of its own */
} ngx_http_incident_admin_route_t;


typedef struct {
    ngx_http_incident_job_t    job;         /* first: the task's ctx */
    ngx_http_incident_admin_e  route;
    uint64_t                   id;
    uint64_t                   sub;
    cJSON                     *values;      /* the form, as submitted */
    inc_admin_ctx_t            ac;
} ngx_http_incident_admin_ctx_t;


typedef struct {
    const char                *key;
    const char                *text;
} ngx_http_incident_flash_t;


/* TZ as it was before a maintenance page set it to the page's zone */
typedef struct {
    char                      *saved;
    unsigned                   had:1;
    unsigned                   set:1;
} ngx_http_incident_admin_tz_t;


static ngx_int_t ngx_http_incident_admin_view(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, ngx_http_incident_admin_e view,
    const cJSON *values, const cJSON *errors, ngx_uint_t status);
static void ngx_http_incident_admin_body_handler(ngx_http_request_t *r);
static ngx_int_t ngx_http_incident_admin_done(ngx_http_request_t *r,
    ngx_http_incident_job_t *job);
static ngx_int_t ngx_http_incident_admin_redirect(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, const char *id, const char *done);


static ngx_http_incident_admin_route_t  ngx_http_incident_admin_routes[] = {

    /* dashboard */
    { -1, 0, 0, NULL, NULL, 1 },

    /* incidents: the list; POST creates */
    { INC_OP_INCIDENT_CREATE, INC_FORM_INCIDENT_CREATE,
      NGX_HTTP_INCIDENT_A_INCIDENT_NEW, "incidents/%s", "created", 1 },

    /* incidents/new */
    { -1, 0, 0, NULL, NULL, 1 },

    /* incidents/N: its page; POST saves the edit form */
    { INC_OP_INCIDENT_PATCH, INC_FORM_INCIDENT_EDIT,
      NGX_HTTP_INCIDENT_A_INCIDENT_EDIT, "incidents/%s", "saved", 1 },

    /* incidents/N/edit */
    { -1, 0, 0, NULL, NULL, 1 },

    /* incidents/N/delete: a confirmation; POST deletes */
    { INC_OP_INCIDENT_DELETE, INC_FORM_COUNT,
      NGX_HTTP_INCIDENT_A_INCIDENT_DELETE, "incidents", "deleted", 1 },

    /* incidents/N/updates: POST posts an update */
    { INC_OP_UPDATE_CREATE, INC_FORM_UPDATE_CREATE,
      NGX_HTTP_INCIDENT_A_INCIDENT, "incidents/%s", "posted", 0 },

    /* incidents/N/updates/U: POST saves the message */
    { INC_OP_UPDATE_PATCH, INC_FORM_UPDATE_EDIT,
      NGX_HTTP_INCIDENT_A_UPDATE_EDIT, "incidents/%s", "saved", 0 },

    /* incidents/N/updates/U/edit */
    { -1, 0, 0, NULL, NULL, 1 },

    /* incidents/N/updates/U/delete */
    { INC_OP_UPDATE_DELETE, INC_FORM_COUNT,
      NGX_HTTP_INCIDENT_A_UPDATE_DELETE, "incidents/%s", "update-deleted",
      1 },

    /* components: the list; POST adds */
    { INC_OP_COMPONENT_CREATE, INC_FORM_COMPONENT,
      NGX_HTTP_INCIDENT_A_COMPONENT_NEW, "components", "component-added",
      1 },

    /* components/new */
    { -1, 0, 0, NULL, NULL, 1 },

    /* components/N: the edit form; POST saves */
    { INC_OP_COMPONENT_PATCH, INC_FORM_COMPONENT,
      NGX_HTTP_INCIDENT_A_COMPONENT, "components", "saved", 1 },

    /* components/N/move */
    { INC_OP_COMPONENT_MOVE, INC_FORM_COMPONENT_MOVE,
      NGX_HTTP_INCIDENT_A_COMPONENTS, "components", "moved", 0 },

    /* components/N/delete */
    { INC_OP_COMPONENT_DELETE, INC_FORM_COUNT,
      NGX_HTTP_INCIDENT_A_COMPONENT_DELETE, "components",
      "component-deleted", 1 },

    /* settings */
    { INC_OP_SETTINGS_PATCH, INC_FORM_SETTINGS,
      NGX_HTTP_INCIDENT_A_SETTINGS, "settings", "saved", 1 },

    /* subscribers: the list and the queue; POST adds */
    { INC_OP_SUBSCRIBER_CREATE, INC_FORM_SUBSCRIBER,
      NGX_HTTP_INCIDENT_A_SUBSCRIBER_NEW, "subscribers/%s",
      "subscriber-added", 1 },

    /* subscribers/new */
    { -1, 0, 0, NULL, NULL, 1 },

    /* subscribers/N: its details and delivery history */
    { -1, 0, 0, NULL, NULL, 1 },

    /* subscribers/N/delete: a confirmation; POST removes */
    { INC_OP_SUBSCRIBER_DELETE, INC_FORM_COUNT,
      NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE, "subscribers",
      "subscriber-removed", 1 },

    /* dead-letters: the failed deliveries */
    { -1, 0, 0, NULL, NULL, 1 },

    /* dead-letters/N/retry */
    { INC_OP_DEAD_RETRY, INC_FORM_COUNT,
      NGX_HTTP_INCIDENT_A_DEAD_LETTERS, "dead-letters", "retried", 0 },

    /* maintenance: the list; POST schedules one */
    { INC_OP_MAINT_CREATE, INC_FORM_MAINT_CREATE,
      NGX_HTTP_INCIDENT_A_MAINT_NEW, "maintenance/%s",
      "maintenance-scheduled", 1 },

    /* maintenance/new */
    { -1, 0, 0, NULL, NULL, 1 },

    /* maintenance/N: its page; POST saves the edit form */
    { INC_OP_MAINT_PATCH, INC_FORM_MAINT_EDIT,
      NGX_HTTP_INCIDENT_A_MAINT_EDIT, "maintenance/%s", "saved", 1 },

    /* maintenance/N/edit */
    { -1, 0, 0, NULL, NULL, 1 },

    /* maintenance/N/updates: POST posts an update */
    { INC_OP_MAINT_UPDATE_CREATE, INC_FORM_MAINT_UPDATE,
      NGX_HTTP_INCIDENT_A_MAINT, "maintenance/%s", "posted", 0 },

    /* maintenance/N/start, maintenance/N/complete */
    { INC_OP_MAINT_UPDATE_CREATE, INC_FORM_MAINT_START,
      NGX_HTTP_INCIDENT_A_MAINT, "maintenance/%s", "maintenance-started",
      0 },
    { INC_OP_MAINT_UPDATE_CREATE, INC_FORM_MAINT_COMPLETE,
      NGX_HTTP_INCIDENT_A_MAINT, "maintenance/%s", "maintenance-completed",
      0 },

    /* maintenance/N/delete: a confirmation; POST cancels it */
    { INC_OP_MAINT_DELETE, INC_FORM_COUNT,
      NGX_HTTP_INCIDENT_A_MAINT_DELETE, "maintenance",
      "maintenance-cancelled", 1 },

    /* admin.css, admin.js */
    { -1, 0, 0, NULL, NULL, 1 },
    { -1, 0, 0, NULL, NULL, 1 },
};


/* fixed texts: the query string names one, it never supplies the text */
static ngx_http_incident_flash_t  ngx_http_incident_flashes[] = {
    { "created", "Incident created." },
    { "saved", "Changes saved." },
    { "deleted", "Incident deleted." },
    { "posted", "Update posted." },
    { "update-deleted", "Update deleted." },
    { "component-added", "Component added." },
    { "component-deleted", "Component deleted." },
    { "moved", "Order changed." },
    { "subscriber-added", "Subscriber added." },
    { "subscriber-removed", "Subscriber removed." },
    { "retried", "The delivery is queued again." },
    { "maintenance-scheduled", "Maintenance scheduled." },
    { "maintenance-started", "Maintenance started." },
    { "maintenance-completed", "Maintenance completed." },
    { "maintenance-cancelled", "Maintenance cancelled." },
    { "already-started", "It had already started: nothing was changed." },
    { "already-completed",
      "It had already completed: nothing was changed." },
    { NULL, NULL }
};


#define ngx_http_incident_admin_is_maint(view)                               \
    ((view) >= NGX_HTTP_INCIDENT_A_MAINTENANCES                               \
     && (view) <= NGX_HTTP_INCIDENT_A_MAINT_DELETE)


/*
 * A maintenance's window is typed and shown in the status page's time
 * zone, when it has one that tzdata knows: TZ is set to it around the
 * reading of the form and the rendering, as the status page does (TZ
 * belongs to the process; only the event loop reads and formats local
 * times).  Returns the zone, or NULL (UTC) with TZ untouched.
 */
static const char *
ngx_http_incident_admin_tz_set(const cJSON *settings,
    ngx_http_incident_admin_tz_t *tz)
{
    char         path[NGX_MAX_PATH];
    const char  *zone, *old;

    ngx_memzero(tz, sizeof(ngx_http_incident_admin_tz_t));

    zone = inc_rec_str(settings, "timezone");

    if (zone[0] == '\0') {
        return NULL;
    }

    ngx_snprintf((u_char *) path, sizeof(path), "/usr/share/zoneinfo/%s%Z",
                 zone);

    if (access(path, R_OK) != 0) {
        return NULL;
    }

    old = getenv("TZ");
    tz->had = old != NULL;

    if (tz->had) {
        tz->saved = strdup(old);
        if (tz->saved == NULL) {
            return NULL;
        }
    }

    if (setenv("TZ", zone, 1) != 0) {
        free(tz->saved);
        return NULL;
    }

    tzset();
    tz->set = 1;

    return zone;
}


static void
ngx_http_incident_admin_tz_restore(ngx_http_incident_admin_tz_t *tz)
{
    if (!tz->set) {
        return;
    }

    if (tz->had) {
        setenv("TZ", tz->saved, 1);

    } else {
        unsetenv("TZ");
    }

    free(tz->saved);
    tzset();
    tz->set = 0;
}


static ngx_int_t
ngx_http_incident_admin_id(u_char *p, size_t len, uint64_t *id)
{
    *id = 0;

    if (len == 0 || len > 16 || *p == '0') {
        return NGX_ERROR;
    }

    while (len--) {
        if (*p < '0' || *p > '9') {
            return NGX_ERROR;
        }

        *id = *id * 10 + (*p++ - '0');
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_incident_admin_route(ngx_http_incident_admin_ctx_t *ctx,
    ngx_str_t *rest)
{
    u_char      *p, *last, *slash;
    ngx_str_t    seg[6];
    ngx_uint_t   n;

    p = rest->data;
    last = rest->data + rest->len;

    for (n = 0; p < last; n++) {
        if (n == 6) {
            return NGX_DECLINED;
        }

        slash = ngx_strlchr(p, last, '/');
        if (slash == NULL) {
            slash = last;
        }

        seg[n].data = p;
        seg[n].len = slash - p;
        p = slash + 1;
    }

#define ngx_http_incident_seg(i, s)                                           \
    (seg[i].len == sizeof(s) - 1                                              \
     && ngx_strncmp(seg[i].data, s, sizeof(s) - 1) == 0)

#define ngx_http_incident_route_is(r)                                         \
    ctx->route = NGX_HTTP_INCIDENT_A_##r; return NGX_OK

    if (n == 0) {
        ngx_http_incident_route_is(DASHBOARD);
    }

    if (n == 1) {
        if (ngx_http_incident_seg(0, "incidents")) {
            ngx_http_incident_route_is(INCIDENTS);
        }

        if (ngx_http_incident_seg(0, "components")) {
            ngx_http_incident_route_is(COMPONENTS);
        }

        if (ngx_http_incident_seg(0, "settings")) {
            ngx_http_incident_route_is(SETTINGS);
        }

        if (ngx_http_incident_seg(0, "subscribers")) {
            ngx_http_incident_route_is(SUBSCRIBERS);
        }

        if (ngx_http_incident_seg(0, "dead-letters")) {
            ngx_http_incident_route_is(DEAD_LETTERS);
        }

        if (ngx_http_incident_seg(0, "maintenance")) {
            ngx_http_incident_route_is(MAINTENANCES);
        }

        if (ngx_http_incident_seg(0, "admin.css")) {
            ngx_http_incident_route_is(CSS);
        }

        if (ngx_http_incident_seg(0, "admin.js")) {
            ngx_http_incident_route_is(JS);
        }

        return NGX_DECLINED;
    }

    if (ngx_http_incident_seg(1, "new") && n == 2) {
        if (ngx_http_incident_seg(0, "incidents")) {
            ngx_http_incident_route_is(INCIDENT_NEW);
        }

        if (ngx_http_incident_seg(0, "components")) {
            ngx_http_incident_route_is(COMPONENT_NEW);
        }

        if (ngx_http_incident_seg(0, "subscribers")) {
            ngx_http_incident_route_is(SUBSCRIBER_NEW);
        }

        if (ngx_http_incident_seg(0, "maintenance")) {
            ngx_http_incident_route_is(MAINT_NEW);
        }

        return NGX_DECLINED;
    }

    if (ngx_http_incident_admin_id(seg[1].data, seg[1].len, &ctx->id)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (ngx_http_incident_seg(0, "components")) {
        if (n == 2) {
            ngx_http_incident_route_is(COMPONENT);
        }

        if (n == 3 && ngx_http_incident_seg(2, "move")) {
            ngx_http_incident_route_is(COMPONENT_MOVE);
        }

        if (n == 3 && ngx_http_incident_seg(2, "delete")) {
            ngx_http_incident_route_is(COMPONENT_DELETE);
        }

        return NGX_DECLINED;
    }

    if (ngx_http_incident_seg(0, "subscribers")) {
        if (n == 2) {
            ngx_http_incident_route_is(SUBSCRIBER);
        }

        if (n == 3 && ngx_http_incident_seg(2, "delete")) {
            ngx_http_incident_route_is(SUBSCRIBER_DELETE);
        }

        return NGX_DECLINED;
    }

    if (ngx_http_incident_seg(0, "dead-letters")) {
        if (n == 3 && ngx_http_incident_seg(2, "retry")) {
            ngx_http_incident_route_is(DEAD_RETRY);
        }

        return NGX_DECLINED;
    }

    if (ngx_http_incident_seg(0, "maintenance")) {
        if (n == 2) {
            ngx_http_incident_route_is(MAINT);
        }

        if (n == 3 && ngx_http_incident_seg(2, "edit")) {
            ngx_http_incident_route_is(MAINT_EDIT);
        }

        if (n == 3 && ngx_http_incident_seg(2, "updates")) {
            ngx_http_incident_route_is(MAINT_UPDATES);
        }

        if (n == 3 && ngx_http_incident_seg(2, "start")) {
            ngx_http_incident_route_is(MAINT_START);
        }

        if (n == 3 && ngx_http_incident_seg(2, "complete")) {
            ngx_http_incident_route_is(MAINT_COMPLETE);
        }

        if (n == 3 && ngx_http_incident_seg(2, "delete")) {
            ngx_http_incident_route_is(MAINT_DELETE);
        }

        return NGX_DECLINED;
    }

    if (!ngx_http_incident_seg(0, "incidents")) {
        return NGX_DECLINED;
    }

    if (n == 2) {
        ngx_http_incident_route_is(INCIDENT);
    }

    if (n == 3 && ngx_http_incident_seg(2, "edit")) {
        ngx_http_incident_route_is(INCIDENT_EDIT);
    }

    if (n == 3 && ngx_http_incident_seg(2, "delete")) {
        ngx_http_incident_route_is(INCIDENT_DELETE);
    }

    if (!ngx_http_incident_seg(2, "updates")) {
        return NGX_DECLINED;
    }

    if (n == 3) {
        ngx_http_incident_route_is(UPDATES);
    }

    if (ngx_http_incident_admin_id(seg[3].data, seg[3].len, &ctx->sub)
        != NGX_OK)
    {
        return NGX_DECLINED;
    }

    if (n == 4) {
        ngx_http_incident_route_is(UPDATE);
    }

    if (n == 5 && ngx_http_incident_seg(4, "edit")) {
        ngx_http_incident_route_is(UPDATE_EDIT);
    }

    if (n == 5 && ngx_http_incident_seg(4, "delete")) {
        ngx_http_incident_route_is(UPDATE_DELETE);
    }

#undef ngx_http_incident_route_is
#undef ngx_http_incident_seg

    return NGX_DECLINED;
}


/* no caching, no framing, no script or style but our own files */
static ngx_int_t
ngx_http_incident_admin_headers(ngx_http_request_t *r)
{
    ngx_str_t   value;
    ngx_uint_t  i;

    static const char  *headers[][2] = {
        { "Content-Security-Policy",
          "default-src 'none'; style-src 'self'; script-src 'self'; "
          "img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
          "base-uri 'none'" },
        { "X-Frame-Options", "DENY" },
        { "X-Content-Type-Options", "nosniff" },
        { "Referrer-Policy", "same-origin" },
        { "Cache-Control", "no-store" },
    };

    for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
        value.data = (u_char *) headers[i][1];
        value.len = ngx_strlen(headers[i][1]);

        if (ngx_http_incident_add_header(r, headers[i][0], &value, NULL)
            != NGX_OK)
        {
            return NGX_ERROR;
        }
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_incident_admin_send(ngx_http_request_t *r, ngx_uint_t status,
    char *text, size_t len)
{
    ngx_int_t  rc;

    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_incident_output(r, status, "text/html; charset=utf-8",
                                  NULL, NULL, (u_char *) text, len);
    free(text);

    return rc;
}


static ngx_int_t
ngx_http_incident_admin_message(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, ngx_uint_t status,
    const char *title, const char *message)
{
    char    *text;
    size_t   len;

    text = inc_admin_message(title, message, &ctx->ac, &len);

    return ngx_http_incident_admin_send(r, status, text, len);
}


/* $remote_user when nginx authenticated one, else "admin" */
static const char *
ngx_http_incident_admin_user(ngx_http_request_t *r)
{
    u_char  *p;

    if (r->headers_in.user.len == 0
        && r->headers_in.authorization != NULL)
    {
        (void) ngx_http_auth_basic_user(r);
    }

    if (r->headers_in.user.len == 0) {
        return "admin";
    }

    p = ngx_pnalloc(r->pool, r->headers_in.user.len + 1);
    if (p == NULL) {
        return NULL;
    }

    ngx_memcpy(p, r->headers_in.user.data, r->headers_in.user.len);
    p[r->headers_in.user.len] = '\0';

    return (char *) p;
}


/* HMAC-SHA256(store secret, "csrf:" + user), in hex */
static char *
ngx_http_incident_admin_csrf(ngx_http_request_t *r, const char *user)
{
    u_char                          mac[EVP_MAX_MD_SIZE], *msg, *p;
    size_t                          len;
    unsigned int                    n;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);

    len = sizeof("csrf:") - 1 + ngx_strlen(user);

    msg = ngx_pnalloc(r->pool, len);
    if (msg == NULL) {
        return NULL;
    }

    p = ngx_cpymem(msg, "csrf:", sizeof("csrf:") - 1);
    ngx_memcpy(p, user, ngx_strlen(user));

    if (HMAC(EVP_sha256(), imcf->secret, INC_SECRET_LEN, msg, len, mac, &n)
        == NULL)
    {
        return NULL;
    }

    p = ngx_pnalloc(r->pool, 2 * n + 1);
    if (p == NULL) {
        return NULL;
    }

    *ngx_hex_dump(p, mac, n) = '\0';

    return (char *) p;
}


static ngx_int_t
ngx_http_incident_admin_scheme(ngx_http_request_t *r, ngx_str_t *scheme)
{
    ngx_str_t                      ours;
    ngx_http_incident_loc_conf_t  *ilcf;

    ngx_str_set(&ours, "http");

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&ours, "https");
    }
#endif

    if (scheme->len == ours.len
        && ngx_strncasecmp(scheme->data, ours.data, ours.len) == 0)
    {
        return NGX_OK;
    }

    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_incident_module);

    if (ilcf->public_url.len > scheme->len + 3
        && ngx_strncasecmp(ilcf->public_url.data, scheme->data, scheme->len)
           == 0
        && ngx_strncmp(ilcf->public_url.data + scheme->len, "://", 3) == 0)
    {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


/*
 * An Origin ("scheme://host") or a Referer ("scheme://host/path") must
 * name the host this request was sent to, with this request's scheme, or
 * incident_public_url's: when TLS ends at a proxy in front of nginx,
 * browsers say https where nginx sees http.
 */
static ngx_int_t
ngx_http_incident_admin_ours(ngx_http_request_t *r, ngx_str_t *url,
    ngx_uint_t referer)
{
    u_char     *sep, *rest, *end;
    ngx_str_t   scheme, *host;

    host = r->headers_in.host ? &r->headers_in.host->value : NULL;
    sep = ngx_strlcasestrn(url->data, url->data + url->len,
                           (u_char *) "://", 3 - 1);

    if (host == NULL || sep == NULL) {
        return NGX_DECLINED;
    }

    rest = sep + 3;
    end = url->data + url->len;

    if (referer) {
        for (sep = rest; sep < end; sep++) {
            if (*sep == '/' || *sep == '?' || *sep == '#') {
                break;
            }
        }

        end = sep;
    }

    if ((size_t) (end - rest) != host->len
        || ngx_strncasecmp(rest, host->data, host->len) != 0)
    {
        return NGX_DECLINED;
    }

    scheme.data = url->data;
    scheme.len = (rest - 3) - url->data;

    return ngx_http_incident_admin_scheme(r, &scheme);
}


/*
 * A cross-site POST is refused: the browser's Sec-Fetch-Site, Origin or
 * (without an Origin) Referer must say this origin, and the form must
 * carry this user's token.
 */
static ngx_int_t
ngx_http_incident_admin_same_origin(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, const char *token)
{
    ngx_str_t         name, value, *origin;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;
    ngx_uint_t        i;

    origin = NULL;

    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */; i++) {
        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;
        }

        name = h[i].key;
        value = h[i].value;

        if (name.len == 14
            && ngx_strncasecmp(name.data, (u_char *) "Sec-Fetch-Site", 14)
               == 0)
        {
            if (!(value.len == 11
                  && ngx_strncmp(value.data, "same-origin", 11) == 0)
                && !(value.len == 4 && ngx_strncmp(value.data, "none", 4)
                                       == 0))
            {
                return NGX_DECLINED;
            }
        }

        if (name.len == 6
            && ngx_strncasecmp(name.data, (u_char *) "Origin", 6) == 0)
        {
            origin = &h[i].value;
        }
    }

    if (origin != NULL) {
        if (ngx_http_incident_admin_ours(r, origin, 0) != NGX_OK) {
            return NGX_DECLINED;
        }

    } else if (r->headers_in.referer != NULL
               && ngx_http_incident_admin_ours(r,
                                         &r->headers_in.referer->value, 1)
                  != NGX_OK)
    {
        /* no Origin (older browsers): the page the form was on */
        return NGX_DECLINED;
    }

    if (token == NULL || ngx_strlen(token) != NGX_HTTP_INCIDENT_CSRF_LEN
        || CRYPTO_memcmp(token, ctx->ac.csrf, NGX_HTTP_INCIDENT_CSRF_LEN)
           != 0)
    {
        return NGX_DECLINED;
    }

    return NGX_OK;
}


static const char *
ngx_http_incident_admin_flash(ngx_http_request_t *r)
{
    ngx_str_t                   value;
    ngx_http_incident_flash_t  *f;

    if (ngx_http_arg(r, (u_char *) "done", 4, &value) != NGX_OK) {
        return NULL;
    }

    for (f = ngx_http_incident_flashes; f->key; f++) {
        if (value.len == ngx_strlen(f->key)
            && ngx_strncmp(value.data, f->key, value.len) == 0)
        {
            return f->text;
        }
    }

    return NULL;
}


ngx_int_t
ngx_http_incident_admin_handler(ngx_http_request_t *r)
{
    ngx_int_t                        rc;
    ngx_str_t                        rest, allow;
    ngx_thread_task_t               *task;
    ngx_http_incident_admin_ctx_t   *ctx;
    ngx_http_incident_main_conf_t   *imcf;
    ngx_http_incident_loc_conf_t    *ilcf;
    ngx_http_incident_admin_route_t *route;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);
    ilcf = ngx_http_get_module_loc_conf(r, ngx_http_incident_module);

    task = ngx_thread_task_alloc(r->pool,
                                 sizeof(ngx_http_incident_admin_ctx_t));
    if (task == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx = task->ctx;
    ctx->job.store = imcf->store;
    ngx_http_set_ctx(r, task, ngx_http_incident_module);

    if (ngx_http_incident_admin_headers(r) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_incident_split_uri(r, &ctx->ac.base_path, &rest);
    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (ngx_http_incident_base_url(r, &ctx->job.ictx.base_url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    ctx->ac.user = ngx_http_incident_admin_user(r);
    ctx->ac.csrf = ctx->ac.user ? ngx_http_incident_admin_csrf(r,
                                                               ctx->ac.user)
                                : NULL;
    ctx->ac.public_url = ilcf->public_url.len ? (char *) ilcf->public_url.data
                                              : "/";
    ctx->ac.now = ngx_time();
    ctx->ac.flash = ngx_http_incident_admin_flash(r);
    ctx->job.ictx.actor = ctx->ac.user;
    ctx->job.ictx.now = ctx->ac.now;

    if (ctx->ac.csrf == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (imcf->store == NULL || !imcf->has_secret) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_admin_message(r, ctx,
                                  NGX_HTTP_SERVICE_UNAVAILABLE,
                                  "Store unavailable",
                                  "The store is unavailable; see the "
                                  "error log.");
    }

    if (rc == NGX_DECLINED
        || ngx_http_incident_admin_route(ctx, &rest) != NGX_OK)
    {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_NOT_FOUND,
                                               "Not found",
                                               "There is no such page.");
    }

    route = &ngx_http_incident_admin_routes[ctx->route];

    if (r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD) && route->get) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_admin_view(r, ctx, ctx->route, NULL, NULL,
                                            NGX_HTTP_OK);
    }

    if (r->method != NGX_HTTP_POST || route->op < 0) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (route->op < 0) {
            ngx_str_set(&allow, "GET, HEAD");

        } else if (route->get) {
            ngx_str_set(&allow, "GET, HEAD, POST");

        } else {
            ngx_str_set(&allow, "POST");
        }

        if (ngx_http_incident_add_header(r, "Allow", &allow, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_NOT_ALLOWED,
                                               "Not allowed",
                                               "This page does not take "
                                               "this method.");
    }

    if (r->headers_in.content_length_n > NGX_HTTP_INCIDENT_ADMIN_MAX_BODY) {
        if (ngx_http_discard_request_body(r) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_admin_message(r, ctx,
                                  NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
                                  "Too large", "The form is too large.");
    }

    rc = ngx_http_read_client_request_body(r,
                                       ngx_http_incident_admin_body_handler);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


/*
 * "Start now" and "Complete now" from a page shown before the timer (or
 * someone else) did it would post the same news twice: they change
 * nothing then, and say so.  NGX_DECLINED: go on.
 */
static ngx_int_t
ngx_http_incident_admin_maint_stale(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx)
{
    char          id[NGX_INT64_LEN + 1];
    const char   *status, *done;
    inc_result_t  res;

    inc_service_maintenance_get(ctx->job.store, &ctx->job.ictx, ctx->id,
                                &res);

    if (res.status == NGX_HTTP_NOT_FOUND) {
        inc_result_free(&res);
        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_NOT_FOUND,
                                               "Not found",
                                               "It does not exist (any "
                                               "more): nothing was changed.");
    }

    if (res.status != NGX_HTTP_OK) {
        ngx_http_incident_log_result(r, &res);
        inc_result_free(&res);
        return ngx_http_incident_admin_message(r, ctx,
                                  NGX_HTTP_SERVICE_UNAVAILABLE,
                                  "Store unavailable",
                                  "The store is unavailable; see the error "
                                  "log.");
    }

    status = inc_rec_str(res.body, "status");
    done = NULL;

    if (ngx_strcmp(status, "completed") == 0) {
        done = "already-completed";

    } else if (ctx->route == NGX_HTTP_INCIDENT_A_MAINT_START
               && ngx_strcmp(status, "scheduled") != 0)
    {
        done = "already-started";
    }

    inc_result_free(&res);

    if (done == NULL) {
        return NGX_DECLINED;
    }

    *ngx_sprintf((u_char *) id, "%uL", ctx->id) = '\0';

    return ngx_http_incident_admin_redirect(r, ctx, id, done);
}


/*
 * A maintenance's window as typed in its datetime-local controls, read in
 * the status page's time zone (or UTC): the API's times in "in".  The form
 * says which zone it was shown in ("shown"); when the page's has changed
 * since, the times are not read but sent back to be checked.
 */
static ngx_int_t
ngx_http_incident_admin_window(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, cJSON *in, const char *shown,
    cJSON *errors)
{
    char                           msg[256];
    ngx_uint_t                     i;
    const char                    *zone, *now;
    inc_result_t                   res;
    ngx_http_incident_admin_tz_t   tz;

    static const char  *fields[] = { "scheduledFor", "scheduledUntil" };

    inc_service_settings(ctx->job.store, &res);

    if (res.status != NGX_HTTP_OK) {
        ngx_http_incident_log_result(r, &res);
        inc_result_free(&res);
        return NGX_ERROR;
    }

    zone = ngx_http_incident_admin_tz_set(res.body, &tz);
    now = zone ? zone : "UTC";

    if (shown == NULL || ngx_strcmp(shown, now) == 0) {
        inc_form_window(in, zone != NULL, zone, errors);

    } else {
        ngx_snprintf((u_char *) msg, sizeof(msg),
                     "was typed in %s, but the status page's time zone is "
                     "now %s: check it%Z", shown, now);

        for (i = 0; i < 2; i++) {
            if (cJSON_GetObjectItemCaseSensitive(in, fields[i]) != NULL) {
                cJSON_DeleteItemFromObjectCaseSensitive(in, fields[i]);
                inc_error_add(errors, fields[i], msg);
            }
        }
    }

    ngx_http_incident_admin_tz_restore(&tz);

    inc_result_free(&res);

    return NGX_OK;
}


static ngx_int_t
ngx_http_incident_admin_post(ngx_http_request_t *r)
{
    cJSON                            *form, *in, *errors, *api;
    ngx_str_t                         body;
    ngx_int_t                         rc;
    ngx_thread_task_t                *task;
    ngx_http_incident_admin_ctx_t    *ctx;
    ngx_http_incident_admin_route_t  *route;

    task = ngx_http_get_module_ctx(r, ngx_http_incident_module);
    ctx = task->ctx;
    route = &ngx_http_incident_admin_routes[ctx->route];

    rc = ngx_http_incident_read_body(r, NGX_HTTP_INCIDENT_ADMIN_MAX_BODY,
                                     &body);
    if (rc != NGX_OK) {
        return rc;
    }

    form = ngx_http_incident_pool_json(r,
                            inc_form_parse((char *) body.data, body.len));
    if (form == NULL) {
        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_BAD_REQUEST,
                                               "Bad request",
                                               "The form could not be read "
                                               "(it must be UTF-8).");
    }

    if (ngx_http_incident_admin_same_origin(r, ctx,
                                            inc_form_value(form, "csrf"))
        != NGX_OK)
    {
        ngx_log_error(NGX_LOG_WARN, r->connection->log, 0,
                      "incident admin refused a cross-site or expired "
                      "form post");

        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_FORBIDDEN,
                                  "Refused",
                                  "This form did not come from this admin "
                                  "page (or it expired): nothing was "
                                  "changed. Go back, reload and try "
                                  "again.");
    }

    if (ctx->route == NGX_HTTP_INCIDENT_A_MAINT_START
        || ctx->route == NGX_HTTP_INCIDENT_A_MAINT_COMPLETE)
    {
        rc = ngx_http_incident_admin_maint_stale(r, ctx);
        if (rc != NGX_DECLINED) {
            return rc;
        }
    }

    ctx->job.write.op = (inc_op_t) route->op;
    ctx->job.write.id = ctx->id;
    ctx->job.write.sub_id = ctx->sub;

    /* the deletes read nothing from the form but its token */
    in = route->form < INC_FORM_COUNT ? inc_form_to_json(route->form, form)
                                      : cJSON_CreateObject();
    ctx->values = ngx_http_incident_pool_json(r, in);
    errors = ngx_http_incident_pool_json(r, cJSON_CreateArray());
    ctx->job.write.input = ngx_http_incident_pool_json(r,
                                                        cJSON_CreateObject());

    if (ctx->values == NULL || errors == NULL
        || ctx->job.write.input == NULL)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* what was typed is shown again; the API's document is read from it */
    api = ctx->values;

    if (route->form == INC_FORM_MAINT_CREATE
        || route->form == INC_FORM_MAINT_EDIT)
    {
        api = ngx_http_incident_pool_json(r,
                                          cJSON_Duplicate(ctx->values, 1));
        if (api == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (ngx_http_incident_admin_window(r, ctx, api,
                                           inc_form_value(form, "zone"),
                                           errors)
            != NGX_OK)
        {
            return ngx_http_incident_admin_message(r, ctx,
                                      NGX_HTTP_SERVICE_UNAVAILABLE,
                                      "Store unavailable",
                                      "The store is unavailable; see the "
                                      "error log.");
        }
    }

    inc_service_validate(ctx->job.write.op, api, ctx->ac.now,
                         ctx->job.write.input, errors);

    /* a window time that could not be read is not also "required" */
    inc_form_errors_first(errors);

    if (cJSON_GetArraySize(errors)) {
        inc_service_check_references(ctx->job.store, &ctx->job.write,
                                     errors);

        return ngx_http_incident_admin_view(r, ctx, route->retry,
                                            ctx->values, errors, 422);
    }

    ctx->job.done = ngx_http_incident_admin_done;
    ctx->job.serialize = 0;

    if (ngx_http_incident_job_post(r, task) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_DONE;
}


static void
ngx_http_incident_admin_body_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_incident_admin_post(r);

    if (rc != NGX_DONE) {
        ngx_http_finalize_request(r, rc);
    }
}


/* Post/Redirect/Get: the page that shows the result, with its message */
static ngx_int_t
ngx_http_incident_admin_redirect(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, const char *id, const char *done)
{
    u_char                           *p;
    size_t                            len;
    ngx_table_elt_t                  *h;
    ngx_http_incident_admin_route_t  *route;

    route = &ngx_http_incident_admin_routes[ctx->route];

    len = ngx_strlen(ctx->ac.base_path) + ngx_strlen(route->next)
          + NGX_INT64_LEN + sizeof("?done=") + ngx_strlen(done);

    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    h->hash = 1;
    ngx_str_set(&h->key, "Location");
    h->value.data = p;

    p = ngx_sprintf(p, "%s", ctx->ac.base_path);
    p = ngx_snprintf(p, ngx_strlen(route->next) + NGX_INT64_LEN,
                     route->next, id);
    p = ngx_sprintf(p, "?done=%s", done);

    h->value.len = p - h->value.data;

    r->headers_out.status = NGX_HTTP_SEE_OTHER;
    r->headers_out.content_length_n = 0;
    r->header_only = 1;

    return ngx_http_send_header(r);
}


/*
 * A new webhook's signing secret is shown once, in the answer to the POST
 * that made it: never in a URL (a Location, the history, an access log),
 * never kept for a later page.  Like every admin page it is no-store; a
 * reload would post the form again (and add another webhook), not show
 * this secret.
 */
static ngx_int_t
ngx_http_incident_admin_secret(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, cJSON *sub)
{
    char          *text;
    size_t         len;
    cJSON         *secret;
    ngx_int_t      rc;
    inc_result_t   res;

    secret = cJSON_GetObjectItem(sub, "secret");

    /* the component names; without them the page still shows the secret */
    inc_service_page_base(ctx->job.store, &res);

    ctx->ac.flash = "Subscriber added.";
    text = inc_admin_subscriber_added(sub,
                            res.status == NGX_HTTP_OK
                            ? cJSON_GetObjectItem(res.body, "components")
                            : NULL,
                            secret->valuestring, &ctx->ac, &len);

    inc_result_free(&res);
    OPENSSL_cleanse(secret->valuestring, ngx_strlen(secret->valuestring));

    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_incident_output(r, NGX_HTTP_OK, "text/html; charset=utf-8",
                                  NULL, NULL, (u_char *) text, len);

    OPENSSL_cleanse(text, len);
    free(text);

    return rc;
}


static ngx_int_t
ngx_http_incident_admin_done(ngx_http_request_t *r,
    ngx_http_incident_job_t *job)
{
    char                              id[NGX_INT64_LEN + 1];
    cJSON                            *errors, *body;
    ngx_http_incident_admin_ctx_t    *ctx;
    ngx_http_incident_admin_route_t  *route;

    ctx = (ngx_http_incident_admin_ctx_t *) job;
    route = &ngx_http_incident_admin_routes[ctx->route];
    body = job->result.body;

    if (job->result.status < 300) {
        if (ctx->route == NGX_HTTP_INCIDENT_A_SUBSCRIBERS
            && cJSON_IsString(cJSON_GetObjectItem(body, "secret")))
        {
            return ngx_http_incident_admin_secret(r, ctx, body);
        }

        /* a new one's page is its own id; others the one posted to */
        *ngx_sprintf((u_char *) id, "%uL",
                     ctx->route == NGX_HTTP_INCIDENT_A_INCIDENTS
                     || ctx->route == NGX_HTTP_INCIDENT_A_SUBSCRIBERS
                     || ctx->route == NGX_HTTP_INCIDENT_A_MAINTENANCES
                     ? (uint64_t) cJSON_GetNumberValue(
                                      cJSON_GetObjectItem(body, "id"))
                     : ctx->id) = '\0';

        return ngx_http_incident_admin_redirect(r, ctx, id, route->done);
    }

    if (job->result.status == 422) {
        errors = cJSON_GetObjectItem(body, "errors");

        return ngx_http_incident_admin_view(r, ctx, route->retry,
                                            ctx->values, errors, 422);
    }

    if (job->result.status == NGX_HTTP_NOT_FOUND) {
        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_NOT_FOUND,
                                               "Not found",
                                               "It does not exist (any "
                                               "more): nothing was changed.");
    }

    return ngx_http_incident_admin_message(r, ctx, job->result.status,
                                  job->result.status == 507
                                  ? "Store full" : "Store unavailable",
                                  job->result.status == 507
                                  ? "The store is full: nothing was "
                                    "changed. Raise the size of "
                                    "incident_db."
                                  : "The store failed: nothing was "
                                    "changed; see the error log.");
}


/* ?cursor=N of a list page; 0 (the first page) when absent or not a number */
static uint64_t
ngx_http_incident_admin_cursor(ngx_http_request_t *r)
{
    off_t      n;
    ngx_str_t  value;

    if (ngx_http_arg(r, (u_char *) "cursor", 6, &value) != NGX_OK) {
        return 0;
    }

    n = ngx_atoof(value.data, value.len);

    return n == NGX_ERROR ? 0 : (uint64_t) n;
}


/*
 * Adds the document of another read to the view's under "key"; a failed
 * read becomes the view's result (NGX_DECLINED: not found).
 */
static ngx_int_t
ngx_http_incident_admin_attach(inc_result_t *res, const char *key,
    inc_result_t *part)
{
    if (part->status != NGX_HTTP_OK) {
        inc_result_free(res);
        *res = *part;

        return res->status == NGX_HTTP_NOT_FOUND ? NGX_DECLINED : NGX_ERROR;
    }

    if (!cJSON_AddItemToObject(res->body, key, part->body)) {
        inc_result_free(part);
        res->status = NGX_HTTP_INTERNAL_SERVER_ERROR;
        return NGX_ERROR;
    }

    part->body = NULL;

    return NGX_OK;
}


/*
 * {"ID": title, or null for one deleted since} of the incidents (and, in
 * "maintenances", of the maintenance windows) that the items of "list"
 * name, for links with their titles
 */
static void
ngx_http_incident_admin_titles(ngx_http_incident_admin_ctx_t *ctx,
    cJSON *doc, const cJSON *list)
{
    char          key[NGX_INT64_LEN + 1];
    double        id;
    cJSON        *titles;
    ngx_uint_t    maint;
    const cJSON  *item;
    inc_result_t  one;

    static const char  *fields[][2] = {
        { "incidents", "incidentId" },
        { "maintenances", "maintenanceId" },
    };

    for (maint = 0; maint < 2; maint++) {
        titles = cJSON_AddObjectToObject(doc, fields[maint][0]);
        if (titles == NULL) {
            return;
        }

        cJSON_ArrayForEach(item, cJSON_GetObjectItem(list, "data")) {
            id = inc_rec_num(item, fields[maint][1]);

            if (id <= 0) {
                continue;
            }

            *ngx_sprintf((u_char *) key, "%uL", (uint64_t) id) = '\0';

            if (cJSON_GetObjectItem(titles, key) != NULL) {
                continue;
            }

            if (maint) {
                inc_service_maintenance_get(ctx->job.store, &ctx->job.ictx,
                                            (uint64_t) id, &one);

            } else {
                inc_service_incident_get(ctx->job.store, &ctx->job.ictx,
                                         (uint64_t) id, &one);
            }

            if (one.status == NGX_HTTP_OK) {
                cJSON_AddStringToObject(titles, key,
                                        inc_rec_str(one.body, "title"));

            } else if (one.status == NGX_HTTP_NOT_FOUND) {
                cJSON_AddNullToObject(titles, key);
            }

            inc_result_free(&one);
        }
    }
}


/* {"ID": subscriber, or null for one removed since} of the dead letters */
static void
ngx_http_incident_admin_subscribers(ngx_http_incident_admin_ctx_t *ctx,
    cJSON *doc, const cJSON *list)
{
    char          key[NGX_INT64_LEN + 1];
    double        id;
    cJSON        *subs;
    const cJSON  *item;
    inc_result_t  one;

    subs = cJSON_AddObjectToObject(doc, "subscribers");
    if (subs == NULL) {
        return;
    }

    cJSON_ArrayForEach(item, cJSON_GetObjectItem(list, "data")) {
        id = inc_rec_num(item, "subscriberId");
        *ngx_sprintf((u_char *) key, "%uL", (uint64_t) id) = '\0';

        if (id <= 0 || cJSON_GetObjectItem(subs, key) != NULL) {
            continue;
        }

        inc_service_subscriber_get(ctx->job.store, (uint64_t) id, &one);

        if (one.status == NGX_HTTP_OK) {
            cJSON_AddItemToObject(subs, key, one.body);
            one.body = NULL;

        } else if (one.status == NGX_HTTP_NOT_FOUND) {
            cJSON_AddNullToObject(subs, key);
        }

        inc_result_free(&one);
    }
}


/* the subscribers' pages: the components, and what each page lists */
static ngx_int_t
ngx_http_incident_admin_subscriber_doc(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, ngx_http_incident_admin_e view,
    inc_result_t *res)
{
    ngx_int_t      rc;
    inc_page_t     page;
    inc_store_t   *store;
    inc_result_t   part;

    store = ctx->job.store;

    page.state = INC_STATE_ALL;
    page.by_start = 0;
    page.limit = INC_LIST_LIMIT_DEFAULT;
    page.cursor = ngx_http_incident_admin_cursor(r);

    inc_service_page_base(store, res);

    if (res->status != NGX_HTTP_OK) {
        return NGX_ERROR;
    }

    switch (view) {

    case NGX_HTTP_INCIDENT_A_SUBSCRIBERS:
        inc_service_subscriber_list(store, &page, &part);

        rc = ngx_http_incident_admin_attach(res, "subscribers", &part);
        if (rc != NGX_OK) {
            return rc;
        }

        inc_service_queue_stats(store, &part);

        return ngx_http_incident_admin_attach(res, "queue", &part);

    case NGX_HTTP_INCIDENT_A_SUBSCRIBER:
    case NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE:
        inc_service_subscriber_get(store, ctx->id, &part);

        rc = ngx_http_incident_admin_attach(res, "subscriber", &part);
        if (rc != NGX_OK || view == NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE) {
            return rc;
        }

        inc_service_delivery_list(store, ctx->id, &page, &part);

        rc = ngx_http_incident_admin_attach(res, "deliveries", &part);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_incident_admin_titles(ctx, res->body,
                             cJSON_GetObjectItem(res->body, "deliveries"));
        return NGX_OK;

    default: /* NGX_HTTP_INCIDENT_A_DEAD_LETTERS */
        inc_service_dead_list(store, &page, &part);

        rc = ngx_http_incident_admin_attach(res, "dead", &part);
        if (rc != NGX_OK) {
            return rc;
        }

        ngx_http_incident_admin_subscribers(ctx, res->body,
                                   cJSON_GetObjectItem(res->body, "dead"));
        ngx_http_incident_admin_titles(ctx, res->body,
                                   cJSON_GetObjectItem(res->body, "dead"));
        return NGX_OK;
    }
}


/* the maintenance pages: components, settings, and what each page shows */
static ngx_int_t
ngx_http_incident_admin_maintenance_doc(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, ngx_http_incident_admin_e view,
    inc_result_t *res)
{
    ngx_int_t      rc;
    ngx_uint_t     i;
    inc_page_t     page;
    inc_store_t   *store;
    inc_result_t   part;

    static struct {
        inc_state_t   state;
        const char   *key;
    }  lists[] = {
        { INC_STATE_ACTIVE, "active" },
        { INC_STATE_UPCOMING, "upcoming" },
        { INC_STATE_PAST, "past" },
    };

    store = ctx->job.store;

    inc_service_page_base(store, res);

    if (res->status != NGX_HTTP_OK) {
        return NGX_ERROR;
    }

    switch (view) {

    case NGX_HTTP_INCIDENT_A_MAINT_NEW:
        return NGX_OK;

    case NGX_HTTP_INCIDENT_A_MAINTENANCES:
        page.by_start = 0;

        /* those to come and in progress all; the past a page at a time */
        for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
            page.state = lists[i].state;
            page.limit = page.state == INC_STATE_PAST
                         ? INC_LIST_LIMIT_DEFAULT : INC_LIST_LIMIT_MAX;
            page.cursor = page.state == INC_STATE_PAST
                          ? ngx_http_incident_admin_cursor(r) : 0;

            inc_service_maintenance_list(store, &ctx->job.ictx, &page, &part);

            rc = ngx_http_incident_admin_attach(res, lists[i].key, &part);
            if (rc != NGX_OK) {
                return rc;
            }
        }

        return NGX_OK;

    default:
        inc_service_maintenance_get(store, &ctx->job.ictx, ctx->id, &part);

        return ngx_http_incident_admin_attach(res, "maintenance", &part);
    }
}


/* the document a view is drawn from; NGX_DECLINED: not found */
static ngx_int_t
ngx_http_incident_admin_doc(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, ngx_http_incident_admin_e view,
    inc_result_t *res)
{
    ngx_str_t    value;
    inc_page_t   page;

    switch (view) {

    case NGX_HTTP_INCIDENT_A_DASHBOARD:
        inc_service_page_home(ctx->job.store, &ctx->job.ictx, res);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENTS:
        page.state = INC_STATE_ALL;
        page.by_start = 0;
        page.limit = INC_LIST_LIMIT_DEFAULT;
        page.cursor = 0;

        if (ngx_http_arg(r, (u_char *) "state", 5, &value) == NGX_OK) {
            if (value.len == 6 && ngx_strncmp(value.data, "active", 6) == 0)
            {
                page.state = INC_STATE_ACTIVE;

            } else if (value.len == 8
                       && ngx_strncmp(value.data, "resolved", 8) == 0)
            {
                page.state = INC_STATE_RESOLVED;
            }
        }

        if (ngx_http_arg(r, (u_char *) "cursor", 6, &value) == NGX_OK) {
            page.cursor = (uint64_t) ngx_atoof(value.data, value.len);
            if (page.cursor == (uint64_t) NGX_ERROR) {
                page.cursor = 0;
            }
        }

        inc_service_page_incidents(ctx->job.store, &ctx->job.ictx, &page,
                                   res);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENT:
    case NGX_HTTP_INCIDENT_A_INCIDENT_EDIT:
    case NGX_HTTP_INCIDENT_A_INCIDENT_DELETE:
    case NGX_HTTP_INCIDENT_A_UPDATE_EDIT:
    case NGX_HTTP_INCIDENT_A_UPDATE_DELETE:
        inc_service_page_incident(ctx->job.store, &ctx->job.ictx, ctx->id,
                                  res);
        break;

    case NGX_HTTP_INCIDENT_A_SUBSCRIBERS:
    case NGX_HTTP_INCIDENT_A_SUBSCRIBER:
    case NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE:
    case NGX_HTTP_INCIDENT_A_DEAD_LETTERS:
        return ngx_http_incident_admin_subscriber_doc(r, ctx, view, res);

    case NGX_HTTP_INCIDENT_A_MAINTENANCES:
    case NGX_HTTP_INCIDENT_A_MAINT_NEW:
    case NGX_HTTP_INCIDENT_A_MAINT:
    case NGX_HTTP_INCIDENT_A_MAINT_EDIT:
    case NGX_HTTP_INCIDENT_A_MAINT_DELETE:
        return ngx_http_incident_admin_maintenance_doc(r, ctx, view, res);

    default:
        inc_service_page_base(ctx->job.store, res);
        break;
    }

    if (res->status == NGX_HTTP_NOT_FOUND) {
        return NGX_DECLINED;
    }

    return res->status == NGX_HTTP_OK ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_incident_admin_view(ngx_http_request_t *r,
    ngx_http_incident_admin_ctx_t *ctx, ngx_http_incident_admin_e view,
    const cJSON *values, const cJSON *errors, ngx_uint_t status)
{
    char                          *text, action[96], back[64];
    size_t                         len;
    ngx_int_t                      rc;
    ngx_str_t                      value;
    inc_result_t                   res;
    const char                    *state, *zone;
    const cJSON                   *doc, *comps, *item;
    inc_admin_ctx_t               *ac;
    ngx_http_incident_admin_tz_t   tz;

    ac = &ctx->ac;

    if (view == NGX_HTTP_INCIDENT_A_CSS || view == NGX_HTTP_INCIDENT_A_JS) {
        text = view == NGX_HTTP_INCIDENT_A_CSS ? (char *) inc_admin_css
                                               : (char *) inc_admin_js;

        return ngx_http_incident_output(r, NGX_HTTP_OK,
                       view == NGX_HTTP_INCIDENT_A_CSS
                       ? "text/css; charset=utf-8"
                       : "text/javascript; charset=utf-8",
                       NULL, NULL, (u_char *) text, ngx_strlen(text));
    }

    ngx_memzero(&res, sizeof(inc_result_t));

    rc = ngx_http_incident_admin_doc(r, ctx, view, &res);

    if (rc == NGX_DECLINED) {
        inc_result_free(&res);
        return ngx_http_incident_admin_message(r, ctx, NGX_HTTP_NOT_FOUND,
                                  "Not found",
                                  view == NGX_HTTP_INCIDENT_A_SUBSCRIBER
                                  || view
                                     == NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE
                                  ? "There is no such subscriber."
                                  : ngx_http_incident_admin_is_maint(view)
                                  ? "There is no such maintenance."
                                  : "There is no such incident.");
    }

    if (rc != NGX_OK) {
        ngx_http_incident_log_result(r, &res);
        inc_result_free(&res);
        return ngx_http_incident_admin_message(r, ctx,
                                  NGX_HTTP_SERVICE_UNAVAILABLE,
                                  "Store unavailable",
                                  "The store is unavailable; see the error "
                                  "log.");
    }

    doc = res.body;
    comps = cJSON_GetObjectItem(doc, "components");
    text = NULL;
    len = 0;
    zone = NULL;
    tz.set = 0;

    if (ngx_http_incident_admin_is_maint(view)) {
        zone = ngx_http_incident_admin_tz_set(cJSON_GetObjectItem(doc,
                                                                  "settings"),
                                              &tz);
    }

    switch (view) {

    case NGX_HTTP_INCIDENT_A_MAINTENANCES:
        text = inc_admin_maintenances(doc, zone, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_MAINT_NEW:
        text = inc_admin_maintenance_new(comps, zone, values, errors, ac,
                                         &len);
        break;

    case NGX_HTTP_INCIDENT_A_MAINT:
        text = inc_admin_maintenance(doc, zone, values, errors, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_MAINT_EDIT:
        text = inc_admin_maintenance_edit(doc, zone, values, errors, ac,
                                          &len);
        break;

    case NGX_HTTP_INCIDENT_A_MAINT_DELETE:
        text = inc_admin_maintenance_delete(doc, zone, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_DASHBOARD:
        text = inc_admin_dashboard(doc, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENTS:
        state = "all";

        if (ngx_http_arg(r, (u_char *) "state", 5, &value) == NGX_OK) {
            if (value.len == 6 && ngx_strncmp(value.data, "active", 6) == 0)
            {
                state = "active";

            } else if (value.len == 8
                       && ngx_strncmp(value.data, "resolved", 8) == 0)
            {
                state = "resolved";
            }
        }

        text = inc_admin_incidents(doc, state, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENT_NEW:
        text = inc_admin_incident_new(comps, values, errors, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENT:
        state = NULL;

        if (values == NULL
            && ngx_http_arg(r, (u_char *) "status", 6, &value) == NGX_OK
            && value.len == 8 && ngx_strncmp(value.data, "resolved", 8) == 0)
        {
            state = "resolved";
        }

        text = inc_admin_incident(doc, state, values, errors, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENT_EDIT:
        text = inc_admin_incident_edit(doc, values, errors, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_UPDATE_EDIT:
        item = inc_rec_find(
                   cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "incident"),
                                       "updates"), ctx->sub);
        if (item == NULL) {
            inc_result_free(&res);
            return ngx_http_incident_admin_message(r, ctx,
                                      NGX_HTTP_NOT_FOUND, "Not found",
                                      "There is no such update.");
        }

        text = inc_admin_update_edit(doc, (double) ctx->sub, values, errors,
                                     ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_INCIDENT_DELETE:
        ngx_sprintf((u_char *) action, "incidents/%uL/delete%Z", ctx->id);
        ngx_sprintf((u_char *) back, "incidents/%uL%Z", ctx->id);
        text = inc_admin_confirm("Delete incident",
                                 "Delete this incident and all its "
                                 "updates? It disappears from the status "
                                 "page and its history. This cannot be "
                                 "undone.",
                                 inc_rec_str(cJSON_GetObjectItem(doc,
                                                                 "incident"),
                                             "title"),
                                 action, "Delete incident", back, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_UPDATE_DELETE:
        item = inc_rec_find(cJSON_GetObjectItem(cJSON_GetObjectItem(doc,
                                                                 "incident"),
                                                "updates"), ctx->sub);
        if (item == NULL) {
            inc_result_free(&res);
            return ngx_http_incident_admin_message(r, ctx,
                                      NGX_HTTP_NOT_FOUND, "Not found",
                                      "There is no such update.");
        }

        ngx_sprintf((u_char *) action, "incidents/%uL/updates/%uL/delete%Z",
                    ctx->id, ctx->sub);
        ngx_sprintf((u_char *) back, "incidents/%uL%Z", ctx->id);
        text = inc_admin_confirm("Delete update",
                                 "Delete this update? The incident keeps "
                                 "its current status.",
                                 inc_rec_str(item, "message"), action,
                                 "Delete update", back, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_COMPONENTS:
        text = inc_admin_components(comps, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_COMPONENT_NEW:
        text = inc_admin_component_form(comps, NULL, values, errors, ac,
                                        &len);
        break;

    case NGX_HTTP_INCIDENT_A_COMPONENT:
    case NGX_HTTP_INCIDENT_A_COMPONENT_DELETE:
        item = inc_rec_find(comps, ctx->id);
        if (item == NULL) {
            inc_result_free(&res);
            return ngx_http_incident_admin_message(r, ctx,
                                      NGX_HTTP_NOT_FOUND, "Not found",
                                      "There is no such component.");
        }

        if (view == NGX_HTTP_INCIDENT_A_COMPONENT) {
            text = inc_admin_component_form(comps, item, values, errors, ac,
                                            &len);
            break;
        }

        ngx_sprintf((u_char *) action, "components/%uL/delete%Z", ctx->id);
        text = inc_admin_confirm("Delete component",
                                 "Delete this component? Its members "
                                 "become ungrouped; incidents keep their "
                                 "history.", inc_rec_str(item, "name"),
                                 action, "Delete component", "components",
                                 ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_SUBSCRIBERS:
        text = inc_admin_subscribers(doc, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_SUBSCRIBER_NEW:
        text = inc_admin_subscriber_new(comps, values, errors, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_SUBSCRIBER:
        text = inc_admin_subscriber(doc, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_SUBSCRIBER_DELETE:
        text = inc_admin_subscriber_delete(cJSON_GetObjectItem(doc,
                                                               "subscriber"),
                                           comps, ac, &len);
        break;

    case NGX_HTTP_INCIDENT_A_DEAD_LETTERS:
        text = inc_admin_dead_letters(doc, ac, &len);
        break;

    default: /* NGX_HTTP_INCIDENT_A_SETTINGS */
        text = inc_admin_settings(cJSON_GetObjectItem(doc, "settings"),
                                  values, errors, ac, &len);
        break;
    }

    ngx_http_incident_admin_tz_restore(&tz);
    inc_result_free(&res);

    return ngx_http_incident_admin_send(r, status, text, len);
}
