/*
 * What a request names, in plain C so that it can be fuzzed: the /api/v1
 * path split into a resource and its ids, the list query parameters, and
 * the lines of an incident_api_tokens file.
 */

#ifndef _INCIDENT_ROUTE_H_INCLUDED_
#define _INCIDENT_ROUTE_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>

#include "incident_service.h"


#define INC_TOKEN_HASH_LEN  32          /* SHA-256 */


typedef enum {
    INC_R_INCIDENTS = 0,
    INC_R_INCIDENT,
    INC_R_UPDATES,
    INC_R_UPDATE,
    INC_R_COMPONENTS,
    INC_R_COMPONENT,
    INC_R_STATUS,
    INC_R_SETTINGS,
    INC_R_AUDIT,
    INC_R_MAINTENANCES,
    INC_R_MAINTENANCE,
    INC_R_MAINT_UPDATES,
    INC_R_MAINT_UPDATE,
    INC_R_ALERTMANAGER,
    INC_R_SUBSCRIBERS,              /* from here on: private documents */
    INC_R_SUBSCRIBER,
    INC_R_DELIVERIES,
    INC_R_DEAD_LETTERS,
    INC_R_DEAD_RETRY,
    INC_R_QUEUE,
    INC_R_COUNT
} inc_resource_t;

typedef struct {
    inc_resource_t   resource;
    uint64_t         id;            /* the object the path names */
    uint64_t         sub_id;        /* its update */
} inc_route_t;

/* which states a list's ?state= takes */
typedef enum {
    INC_STATES_NONE = 0,
    INC_STATES_INCIDENT,            /* active, resolved, all */
    INC_STATES_MAINTENANCE          /* upcoming, active, past, all */
} inc_states_t;

typedef struct {
    const char      *name;          /* not NUL-terminated */
    size_t           name_len;
    unsigned char    hash[INC_TOKEN_HASH_LEN];
} inc_token_line_t;


/* a decimal id from 1 to 2^53 - 1, as JSON numbers carry them; else 0 */
uint64_t inc_route_id(const char *p, size_t len);

/* "incidents/17/updates/3" (after "/api/v1/"): 0, or -1 for nothing */
int inc_route_api(const char *path, size_t len, inc_route_t *route);

/*
 * The raw value of "name" in a query string ("a=1&b=2"), as nginx's
 * ngx_http_arg() finds it: 0 when found, -1 when not.
 */
int inc_query_arg(const char *args, size_t len, const char *name,
    const char **value, size_t *value_len);

/* limit, cursor and state; a bad one is named in "field", -1 returned */
int inc_query_page(const char *args, size_t len, inc_states_t states,
    inc_page_t *page, const char **field, const char **message);

/* one line of a token file: 1 a token, 0 blank or a comment, -1 invalid */
int inc_token_line(const char *p, size_t len, inc_token_line_t *token);


#endif /* _INCIDENT_ROUTE_H_INCLUDED_ */
