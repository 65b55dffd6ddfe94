/*
 * The public pages and feeds, rendered from the documents of
 * incident_service_page.c.  Plain C: a document in, text out (malloc()ed,
 * NULL when memory ran out).
 */

#ifndef _INCIDENT_RENDER_H_INCLUDED_
#define _INCIDENT_RENDER_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "incident_html.h"


typedef struct {
    const char  *base_path;      /* where the page is served: "/", "/s/" */
    const char  *base_url;       /* "https://status.example.com", no '/' */
    uint64_t     generation;     /* for the live-update script */
    time_t       now;
    int          local_time;     /* times in TZ's zone: the page's own */
    int          subscribe;      /* mail subscriptions are offered */
} inc_render_ctx_t;


char *inc_render_home(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_incident(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_maintenance(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_ics(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_history(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_not_found(const inc_render_ctx_t *rc, size_t *len);
char *inc_render_atom(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_rss(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);

/* the shared layout, for the pages of incident_render_subscribe.c */
void inc_render_page_open(inc_buf_t *b, const cJSON *settings,
    const char *title, const inc_render_ctx_t *rc, int live);
void inc_render_page_close(inc_buf_t *b, const cJSON *settings,
    const inc_render_ctx_t *rc);


/* subscribing and unsubscribing */
typedef enum {
    INC_SUB_FORM = 0,            /* the form, again with errors */
    INC_SUB_SENT,                /* "check your inbox" */
    INC_SUB_CONFIRM,             /* a button that confirms */
    INC_SUB_CONFIRMED,
    INC_SUB_UNSUBSCRIBE,         /* a button that unsubscribes */
    INC_SUB_UNSUBSCRIBED,
    INC_SUB_PROBLEM              /* a bad or expired link */
} inc_sub_view_t;

typedef struct {
    inc_sub_view_t   view;
    const char      *token;      /* of the link, for the buttons */
    const cJSON     *form;       /* the fields sent, to fill in again */
    const cJSON     *errors;     /* [{"field", "message"}] */
    const char      *detail;     /* of a problem */
} inc_sub_page_t;

char *inc_render_subscribe(const cJSON *doc, const inc_render_ctx_t *rc,
    const inc_sub_page_t *sp, size_t *len);


#endif /* _INCIDENT_RENDER_H_INCLUDED_ */
