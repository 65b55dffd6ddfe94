/*
 * The public status page: /, /incidents/{id}, /history, /feed.atom,
 * /feed.rss, /live and the badges /badge.svg and /components/{id}/badge.svg,
 * relative to the location.  Every rendered answer is cached per worker by
 * the store's generation (and the day, for the uptime bars), so a reload
 * during an outage costs one generation read and a copy.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_incident.h"
#include "incident_model.h"
#include "incident_store.h"
#include "incident_service.h"
#include "incident_uptime.h"
#include "incident_render.h"
#include "incident_render_badge.h"
#include "incident_form.h"
#include "incident_route.h"


#define NGX_HTTP_INCIDENT_HTML  "text/html; charset=utf-8"

/* READMEs are rendered through image proxies that honour max-age */
#define NGX_HTTP_INCIDENT_BADGE_CACHE  "public, max-age=60"
#define NGX_HTTP_INCIDENT_SVG          "image/svg+xml; charset=utf-8"
#define NGX_HTTP_INCIDENT_LABEL_MAX    64      /* characters */


typedef enum {
    NGX_HTTP_INCIDENT_P_HOME = 0,
    NGX_HTTP_INCIDENT_P_INCIDENT,
    NGX_HTTP_INCIDENT_P_HISTORY,
    NGX_HTTP_INCIDENT_P_ATOM,
    NGX_HTTP_INCIDENT_P_RSS,
    NGX_HTTP_INCIDENT_P_MAINTENANCE,
    NGX_HTTP_INCIDENT_P_ICS,
    NGX_HTTP_INCIDENT_P_LIVE,
    NGX_HTTP_INCIDENT_P_BADGE          /* id: the component's, 0: overall */
} ngx_http_incident_page_e;


typedef char *(*ngx_http_incident_render_pt)(const cJSON *doc,
    const inc_render_ctx_t *rc, size_t *len);


typedef struct {
    ngx_http_incident_page_e   page;
    uint64_t                   id;        /* incident, or history cursor */
    inc_render_ctx_t           rc;
    inc_ctx_t                  ictx;
    time_t                     day;       /* part of the cache key */
    inc_badge_style_t          style;
    const char                *label;     /* ?label=, or NULL */
} ngx_http_incident_page_t;


static ngx_int_t
ngx_http_incident_page_route(ngx_http_request_t *r,
    ngx_http_incident_page_t *pg)
{
    u_char     *p;
    size_t      len;
    ngx_int_t   rc;
    ngx_str_t   value, rest;

    rc = ngx_http_incident_split_uri(r, &pg->rc.base_path, &rest);
    if (rc != NGX_OK) {
        return rc;
    }

    p = rest.data;
    len = rest.len;

#define ngx_http_incident_is(s)                                               \
    (len == sizeof(s) - 1 && ngx_strncmp(p, s, sizeof(s) - 1) == 0)

    if (len == 0) {
        pg->page = NGX_HTTP_INCIDENT_P_HOME;
        return NGX_OK;
    }

    if (ngx_http_incident_is("history")) {
        pg->page = NGX_HTTP_INCIDENT_P_HISTORY;

        if (ngx_http_arg(r, (u_char *) "cursor", 6, &value) == NGX_OK
            && value.len)
        {
            pg->id = ngx_atoof(value.data, value.len);
            if (pg->id == 0 || pg->id == (uint64_t) NGX_ERROR) {
                return NGX_DECLINED;
            }
        }

        return NGX_OK;
    }

    if (ngx_http_incident_is("feed.atom")) {
        pg->page = NGX_HTTP_INCIDENT_P_ATOM;
        return NGX_OK;
    }

    if (ngx_http_incident_is("feed.rss")) {
        pg->page = NGX_HTTP_INCIDENT_P_RSS;
        return NGX_OK;
    }

    if (ngx_http_incident_is("live")) {
        pg->page = NGX_HTTP_INCIDENT_P_LIVE;
        return NGX_OK;
    }

    if (ngx_http_incident_is("maintenance.ics")) {
        pg->page = NGX_HTTP_INCIDENT_P_ICS;
        return NGX_OK;
    }

    if (ngx_http_incident_is("badge.svg")) {
        pg->page = NGX_HTTP_INCIDENT_P_BADGE;
        return NGX_OK;
    }

#undef ngx_http_incident_is

    if (len > 10 && ngx_strncmp(p, "incidents/", 10) == 0) {
        pg->page = NGX_HTTP_INCIDENT_P_INCIDENT;
        pg->id = inc_route_id((char *) p + 10, len - 10);

    } else if (len > 13 && ngx_strncmp(p, "maintenances/", 13) == 0) {
        pg->page = NGX_HTTP_INCIDENT_P_MAINTENANCE;
        pg->id = inc_route_id((char *) p + 13, len - 13);

    } else if (len > 21 && ngx_strncmp(p, "components/", 11) == 0
               && ngx_strncmp(p + len - 10, "/badge.svg", 10) == 0)
    {
        pg->page = NGX_HTTP_INCIDENT_P_BADGE;
        pg->id = inc_route_id((char *) p + 11, len - 21);
    }

    if (pg->id != 0) {
        return NGX_OK;
    }

    return NGX_DECLINED;
}


static ngx_int_t
ngx_http_incident_page_bad_request(ngx_http_request_t *r, const char *why)
{
    return ngx_http_incident_output(r, NGX_HTTP_BAD_REQUEST,
                                    "text/plain; charset=utf-8", NULL, NULL,
                                    (u_char *) why, ngx_strlen(why));
}


/*
 * ?style= and ?label= of a badge, decoded as forms are ("+" a space, then
 * percent escapes).  The label is a line of text: no control characters.
 * Returns why they are refused, or NULL.
 */
static const char *
ngx_http_incident_badge_args(ngx_http_request_t *r,
    ngx_http_incident_page_t *pg)
{
    size_t       n;
    cJSON       *args;
    const char  *style, *label, *c;

    pg->style = INC_BADGE_FLAT;

    if (r->args.len == 0) {
        return NULL;
    }

    args = ngx_http_incident_pool_json(r,
               inc_form_parse((char *) r->args.data, r->args.len));
    if (args == NULL) {
        return "the query string is not UTF-8 text\n";
    }

    style = inc_form_value(args, "style");

    if (style != NULL && ngx_strcmp(style, "flat-square") == 0) {
        pg->style = INC_BADGE_FLAT_SQUARE;

    } else if (style != NULL && ngx_strcmp(style, "flat") != 0) {
        return "style must be \"flat\" or \"flat-square\"\n";
    }

    label = inc_form_value(args, "label");
    if (label == NULL) {
        return NULL;
    }

    for (c = label; *c; c++) {
        if ((u_char) *c < 0x20 || *c == 0x7f) {
            break;
        }
    }

    n = inc_utf8_length(label);

    if (n == 0 || n > NGX_HTTP_INCIDENT_LABEL_MAX || *c != '\0') {
        return "label must be 1 to 64 characters on one line\n";
    }

    pg->label = label;

    return NULL;
}


static ngx_int_t
ngx_http_incident_page_not_found(ngx_http_request_t *r,
    ngx_http_incident_page_t *pg)
{
    char       *text;
    size_t      len;
    ngx_int_t   rc;

    text = inc_render_not_found(&pg->rc, &len);
    if (text == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    rc = ngx_http_incident_output(r, NGX_HTTP_NOT_FOUND,
                                  NGX_HTTP_INCIDENT_HTML, NULL, NULL,
                                  (u_char *) text, len);
    free(text);

    return rc;
}


/* the document a page is rendered from, built by the service */
static void
ngx_http_incident_page_doc(ngx_http_incident_page_t *pg, inc_store_t *store,
    inc_result_t *res)
{
    inc_page_t  page;

    page.state = INC_STATE_ALL;
    page.cursor = pg->id;
    page.limit = INC_LIST_LIMIT_DEFAULT;
    page.by_start = pg->page == NGX_HTTP_INCIDENT_P_HISTORY;

    switch (pg->page) {

    case NGX_HTTP_INCIDENT_P_HOME:
        inc_service_page_home(store, &pg->ictx, res);
        break;

    case NGX_HTTP_INCIDENT_P_INCIDENT:
        inc_service_page_incident(store, &pg->ictx, pg->id, res);
        break;

    case NGX_HTTP_INCIDENT_P_HISTORY:
        inc_service_page_incidents(store, &pg->ictx, &page, res);
        break;

    case NGX_HTTP_INCIDENT_P_MAINTENANCE:
        inc_service_page_maintenance(store, &pg->ictx, pg->id, res);
        break;

    default: /* the feeds and the calendar: the most recent of each */
        page.cursor = 0;
        page.limit = 50;
        inc_service_page_incidents(store, &pg->ictx, &page, res);
        break;
    }
}


static ngx_int_t
ngx_http_incident_page_live(ngx_http_request_t *r, uint64_t generation,
    ngx_str_t *etag)
{
    u_char  buf[NGX_INT64_LEN + 32], *last;

    last = ngx_sprintf(buf, "{\"generation\":%uL}", generation);

    return ngx_http_incident_output(r, NGX_HTTP_OK, "application/json", etag,
                                    "no-cache", buf, last - buf);
}


/*
 * Renders with times in the page's time zone.  TZ belongs to the process,
 * and only the event loop formats local times, so it is set around the
 * render and put back.  The zone must exist in tzdata: a name that does
 * not leaves the page in UTC.
 */
static char *
ngx_http_incident_page_render(ngx_http_incident_page_t *pg, const cJSON *doc,
    size_t *len)
{
    char        *text, *saved, path[NGX_MAX_PATH];
    const char  *tz, *old;
    ngx_uint_t   had;

    static ngx_http_incident_render_pt  renders[] = {
        inc_render_home, inc_render_incident, inc_render_history,
        inc_render_atom, inc_render_rss, inc_render_maintenance,
        inc_render_ics
    };

    tz = inc_rec_str(cJSON_GetObjectItem(doc, "settings"), "timezone");
    saved = NULL;
    had = 0;
    pg->rc.local_time = 0;

    if (tz[0] != '\0' && (pg->page <= NGX_HTTP_INCIDENT_P_HISTORY
                          || pg->page == NGX_HTTP_INCIDENT_P_MAINTENANCE))
    {
        ngx_snprintf((u_char *) path, sizeof(path),
                     "/usr/share/zoneinfo/%s%Z", tz);

        if (access(path, R_OK) == 0) {
            old = getenv("TZ");
            had = old != NULL;
            saved = had ? strdup(old) : NULL;

            if (!had || saved != NULL) {
                setenv("TZ", tz, 1);
                tzset();
                pg->rc.local_time = 1;
            }
        }
    }

    text = renders[pg->page](doc, &pg->rc, len);

    if (pg->rc.local_time) {
        if (had) {
            setenv("TZ", saved, 1);

        } else {
            unsetenv("TZ");
        }

        free(saved);
        tzset();
    }

    return text;
}


static const char *
ngx_http_incident_page_type(ngx_http_incident_page_e page)
{
    switch (page) {
    case NGX_HTTP_INCIDENT_P_ATOM:
        return "application/atom+xml; charset=utf-8";
    case NGX_HTTP_INCIDENT_P_RSS:
        return "application/rss+xml; charset=utf-8";
    case NGX_HTTP_INCIDENT_P_ICS:
        return "text/calendar; charset=utf-8";
    default:
        return NGX_HTTP_INCIDENT_HTML;
    }
}


/* a read that did not give the document: 404, or 503 and a log line */
static ngx_int_t
ngx_http_incident_page_failed(ngx_http_request_t *r,
    ngx_http_incident_page_t *pg, inc_result_t *res)
{
    ngx_int_t  rc;

    if (res->status == NGX_HTTP_NOT_FOUND) {
        rc = ngx_http_incident_page_not_found(r, pg);

    } else {
        ngx_log_error(NGX_LOG_CRIT, r->connection->log, 0,
                      "incident_db failed: %s",
                      res->store_error ? res->store_error : "no memory");
        rc = NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    inc_result_free(res);

    return rc;
}


/*
 * The badge from the store: the overall status under "status", or a
 * component's effective status under its name; a ?label= replaces either.
 * NULL with res->status 404 for a component that does not exist.
 */
static char *
ngx_http_incident_badge_render(ngx_http_incident_page_t *pg,
    inc_store_t *store, inc_result_t *res, size_t *len)
{
    const char  *status, *label;

    if (pg->id == 0) {
        inc_service_status(store, &pg->ictx, res);
        label = "status";

    } else {
        inc_service_component_get(store, pg->id, res);
        label = inc_rec_str(res->body, "name");
    }

    if (res->status != NGX_HTTP_OK) {
        return NULL;
    }

    status = inc_rec_str(res->body, "status");

    return inc_render_badge(pg->label ? pg->label : label,
                            inc_enum_label(inc_component_statuses,
                                           INC_COMP_COUNT, status),
                            status, pg->style, len);
}


/* the ETag tells badges apart: "g<generation>-b<crc32 of the key>" */
static ngx_int_t
ngx_http_incident_badge_send(ngx_http_request_t *r, ngx_str_t *key,
    uint64_t generation, u_char *svg, size_t len, ngx_uint_t copy)
{
    ngx_str_t  etag;

    etag.data = ngx_pnalloc(r->pool, NGX_INT64_LEN + 16);
    if (etag.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    etag.len = ngx_sprintf(etag.data, "\"g%uL-b%08xD\"", generation,
                           ngx_crc32_short(key->data, key->len))
               - etag.data;

    return copy ? ngx_http_incident_output(r, NGX_HTTP_OK,
                                           NGX_HTTP_INCIDENT_SVG, &etag,
                                           NGX_HTTP_INCIDENT_BADGE_CACHE,
                                           svg, len)
                : ngx_http_incident_output_ref(r, NGX_HTTP_OK,
                                               NGX_HTTP_INCIDENT_SVG, &etag,
                                               NGX_HTTP_INCIDENT_BADGE_CACHE,
                                               svg, len);
}


/*
 * Cached like the pages, one entry per badge and style; labelled ones are
 * rendered each time.
 */
static ngx_int_t
ngx_http_incident_page_badge(ngx_http_request_t *r,
    ngx_http_incident_page_t *pg, inc_store_t *store, uint64_t generation)
{
    char                      *text;
    u_char                    *p;
    size_t                     len;
    ngx_int_t                  rc;
    ngx_str_t                  key;
    inc_result_t               res;
    ngx_http_incident_text_t  *cached;

    len = 3 * NGX_INT64_LEN + 4 + (pg->label ? ngx_strlen(pg->label) : 0);

    key.data = ngx_pnalloc(r->pool, len);
    if (key.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* "PAGE ID STYLE" and " =LABEL" when one is given */
    p = ngx_sprintf(key.data, "%ui %uL %ui", (ngx_uint_t) pg->page, pg->id,
                    (ngx_uint_t) pg->style);

    if (pg->label) {
        p = ngx_sprintf(p, " =%s", pg->label);
    }

    key.len = p - key.data;

    /* a ?label= is the client's to choose: kept out of the page cache */
    cached = pg->label ? NULL
                       : ngx_http_incident_cache_get(r, &key, generation, 0);

    if (cached == NULL) {
        text = ngx_http_incident_badge_render(pg, store, &res, &len);

        if (res.status != NGX_HTTP_OK) {
            return ngx_http_incident_page_failed(r, pg, &res);
        }

        generation = res.generation;
        inc_result_free(&res);

        if (text == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        if (pg->label) {
            rc = ngx_http_incident_badge_send(r, &key, generation,
                                              (u_char *) text, len, 1);
            free(text);
            return rc;
        }

        cached = ngx_http_incident_cache_put(r, &key, generation, 0,
                                             (u_char *) text, len);
        free(text);

        if (cached == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    p = ngx_http_incident_text_data(cached, &len);

    return ngx_http_incident_badge_send(r, &key, generation, p, len, 0);
}


/*
 * Subscribing is offered when mail can be sent (incident_smtp); without
 * it the subscribe pages do not exist.
 */
static ngx_int_t
ngx_http_incident_page_subscribe(ngx_http_request_t *r,
    ngx_http_incident_main_conf_t *imcf)
{
    u_char      *p;
    size_t       len;
    ngx_str_t    rest;
    ngx_uint_t   which;
    const char  *base_path;

    if (ngx_http_incident_split_uri(r, &base_path, &rest) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = rest.data;
    len = rest.len;

#define ngx_http_incident_is(s)                                               \
    (len == sizeof(s) - 1 && ngx_strncmp(p, s, sizeof(s) - 1) == 0)

    if (ngx_http_incident_is("subscribe")) {
        which = NGX_HTTP_INCIDENT_SUB_FORM;

    } else if (ngx_http_incident_is("subscribe/confirm")) {
        which = NGX_HTTP_INCIDENT_SUB_CONFIRM;

    } else if (ngx_http_incident_is("unsubscribe")) {
        which = NGX_HTTP_INCIDENT_SUB_UNSUBSCRIBE;

    } else {
        return NGX_DECLINED;
    }

#undef ngx_http_incident_is

    if (imcf->smtp_url.len == 0) {
        return NGX_DECLINED;
    }

    return ngx_http_incident_subscribe_handler(r, base_path, which);
}


ngx_int_t
ngx_http_incident_page_handler(ngx_http_request_t *r)
{
    char                           *text;
    u_char                         *p;
    size_t                          len;
    uint64_t                        generation;
    ngx_int_t                       rc;
    ngx_str_t                       key, etag, allow;
    const char                     *why;
    inc_result_t                    res;
    ngx_http_incident_text_t       *cached;
    ngx_http_incident_page_t        pg;
    ngx_http_incident_main_conf_t  *imcf;

    imcf = ngx_http_get_module_main_conf(r, ngx_http_incident_module);

    rc = ngx_http_incident_page_subscribe(r, imcf);
    if (rc != NGX_DECLINED) {
        return rc;
    }

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        ngx_str_set(&allow, "GET, HEAD");

        if (ngx_http_incident_add_header(r, "Allow", &allow, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    ngx_memzero(&pg, sizeof(ngx_http_incident_page_t));

    rc = ngx_http_incident_page_route(r, &pg);

    if (rc == NGX_ERROR) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (rc == NGX_DECLINED) {
        return ngx_http_incident_page_not_found(r, &pg);
    }

    if (pg.page == NGX_HTTP_INCIDENT_P_BADGE) {
        why = ngx_http_incident_badge_args(r, &pg);
        if (why != NULL) {
            return ngx_http_incident_page_bad_request(r, why);
        }
    }

    if (imcf->store == NULL
        || inc_store_generation(imcf->store, &generation) != INC_OK)
    {
        return NGX_HTTP_SERVICE_UNAVAILABLE;
    }

    if (ngx_http_incident_base_url(r, &pg.rc.base_url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    pg.ictx.base_url = pg.rc.base_url;
    pg.ictx.now = ngx_time();
    pg.rc.subscribe = imcf->smtp_url.len != 0;
    pg.rc.now = pg.ictx.now;
    pg.day = pg.page == NGX_HTTP_INCIDENT_P_HOME
             ? inc_day_start(pg.ictx.now) : 0;

    if (pg.page == NGX_HTTP_INCIDENT_P_LIVE) {
        if (ngx_http_incident_etag(r, generation, 0, &etag) != NGX_OK) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        return ngx_http_incident_page_live(r, generation, &etag);
    }

    if (pg.page == NGX_HTTP_INCIDENT_P_BADGE) {
        return ngx_http_incident_page_badge(r, &pg, imcf->store, generation);
    }

    /* "PAGE ID BASE_PATH BASE_URL": the same page seen from another host
     * has other absolute links */
    len = 2 * NGX_INT64_LEN + 4 + ngx_strlen(pg.rc.base_path)
          + ngx_strlen(pg.rc.base_url);

    key.data = ngx_pnalloc(r->pool, len);
    if (key.data == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    key.len = ngx_sprintf(key.data, "%ui %uL %s %s", (ngx_uint_t) pg.page,
                          pg.id, pg.rc.base_path, pg.rc.base_url)
              - key.data;

    cached = ngx_http_incident_cache_get(r, &key, generation, pg.day);

    if (cached == NULL) {
        ngx_http_incident_page_doc(&pg, imcf->store, &res);

        if (res.status != NGX_HTTP_OK) {
            return ngx_http_incident_page_failed(r, &pg, &res);
        }

        generation = res.generation;
        pg.rc.generation = generation;

        text = ngx_http_incident_page_render(&pg, res.body, &len);
        inc_result_free(&res);

        if (text == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        cached = ngx_http_incident_cache_put(r, &key, generation, pg.day,
                                             (u_char *) text, len);
        free(text);

        if (cached == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (ngx_http_incident_etag(r, generation, pg.day, &etag) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    p = ngx_http_incident_text_data(cached, &len);

    return ngx_http_incident_output_ref(r, NGX_HTTP_OK,
                                        ngx_http_incident_page_type(pg.page),
                                        &etag, NGX_HTTP_INCIDENT_PAGE_CACHE,
                                        p, len);
}
