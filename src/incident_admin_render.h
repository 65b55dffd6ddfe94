/*
 * The admin UI's pages: server-rendered HTML with plain forms.  Plain C:
 * documents from the service in, text out (malloc()ed; NULL when memory
 * ran out).  "values" are what the operator submitted (API field names),
 * "errors" the validation errors to mark; both may be NULL.
 */

#ifndef _INCIDENT_ADMIN_RENDER_H_INCLUDED_
#define _INCIDENT_ADMIN_RENDER_H_INCLUDED_


#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>


typedef struct {
    const char  *base_path;      /* the admin location: "/admin/" */
    const char  *public_url;     /* the status page, for "View page" */
    const char  *csrf;           /* the token every form carries */
    const char  *user;           /* who is signed in, for the header */
    const char  *flash;          /* "Incident created.", or NULL */
    time_t       now;
} inc_admin_ctx_t;


char *inc_admin_dashboard(const cJSON *home, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_incidents(const cJSON *list, const char *state,
    const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_incident_new(const cJSON *components, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_incident(const cJSON *doc, const char *status,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_incident_edit(const cJSON *doc, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_update_edit(const cJSON *doc, double update_id,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_components(const cJSON *components,
    const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_component_form(const cJSON *components,
    const cJSON *component, const cJSON *values, const cJSON *errors,
    const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_settings(const cJSON *settings, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_confirm(const char *title, const char *question,
    const char *subject, const char *action, const char *button,
    const char *back, const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_message(const char *title, const char *message,
    const inc_admin_ctx_t *ac, size_t *len);

/*
 * Subscribers.  "doc" of the list: {components, subscribers: {data,
 * nextCursor}, queue}; of a subscriber's page: {components, subscriber,
 * deliveries: {data, nextCursor}, incidents: {"ID": title or null}}; of
 * the failed deliveries: {dead: {data, nextCursor}, subscribers: {"ID":
 * subscriber or null}, incidents}.  URLs show as "scheme://host/…" only.
 */
char *inc_admin_subscribers(const cJSON *doc, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_subscriber_new(const cJSON *components, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_subscriber_added(const cJSON *subscriber,
    const cJSON *components, const char *secret, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_subscriber(const cJSON *doc, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_subscriber_delete(const cJSON *subscriber,
    const cJSON *components, const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_dead_letters(const cJSON *doc, const inc_admin_ctx_t *ac,
    size_t *len);

/*
 * Scheduled maintenance.  Times are shown, and the forms' datetime-local
 * values are, in "zone", an IANA name that the caller set TZ to for the
 * call, or in UTC when "zone" is NULL.  "doc" of the list: {components,
 * active, upcoming, past: each {data, nextCursor}}; of a maintenance's
 * pages: {components, maintenance}.
 */
char *inc_admin_maintenances(const cJSON *doc, const char *zone,
    const inc_admin_ctx_t *ac, size_t *len);
char *inc_admin_maintenance_new(const cJSON *components, const char *zone,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_maintenance(const cJSON *doc, const char *zone,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_maintenance_edit(const cJSON *doc, const char *zone,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len);
char *inc_admin_maintenance_delete(const cJSON *doc, const char *zone,
    const inc_admin_ctx_t *ac, size_t *len);

/* "This incident has been resolved. ... Duration: 45 minutes ..." */
char *inc_admin_resolution_text(const cJSON *incident,
    const cJSON *components, time_t now);

extern const char  inc_admin_css[];
extern const char  inc_admin_js[];


#endif /* _INCIDENT_ADMIN_RENDER_H_INCLUDED_ */
