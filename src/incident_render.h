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


typedef struct {
    const char  *base_path;      /* where the page is served: "/", "/s/" */
    const char  *base_url;       /* "https://status.example.com", no '/' */
    uint64_t     generation;     /* for the live-update script */
    time_t       now;
    int          local_time;     /* times in TZ's zone: the page's own */
} inc_render_ctx_t;


char *inc_render_home(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_incident(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_history(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_not_found(const inc_render_ctx_t *rc, size_t *len);
char *inc_render_atom(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);
char *inc_render_rss(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len);


#endif /* _INCIDENT_RENDER_H_INCLUDED_ */
