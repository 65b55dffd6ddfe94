/*
 * The /api/v1 router, the list query parameters and the token file's
 * lines: everything a client or a configuration file says that decides
 * which code runs, kept apart from nginx's types for the fuzzers.
 */

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "incident_model.h"
#include "incident_route.h"


#define INC_ROUTE_SEGMENTS  4


typedef struct {
    const char  *data;
    size_t       len;
} inc_seg_t;


uint64_t
inc_route_id(const char *p, size_t len)
{
    uint64_t  id;

    if (len == 0 || len > 16 || *p == '0') {
        return 0;
    }

    for (id = 0; len--; p++) {
        if (*p < '0' || *p > '9') {
            return 0;
        }
        id = id * 10 + (uint64_t) (*p - '0');
    }

    return id <= 9007199254740991ULL ? id : 0;
}


static int
inc_seg_is(const inc_seg_t *seg, const char *s)
{
    return seg->len == strlen(s) && memcmp(seg->data, s, seg->len) == 0;
}


/* incidents and maintenances: the same shape of paths under them */
static int
inc_route_timeline(const inc_seg_t *seg, size_t n, inc_resource_t base,
    inc_route_t *route)
{
    if (n <= 2) {
        route->resource = base + n - 1;
        return 0;
    }

    if (!inc_seg_is(&seg[2], "updates")) {
        return -1;
    }

    if (n == 3) {
        route->resource = base + 2;
        return 0;
    }

    route->sub_id = inc_route_id(seg[3].data, seg[3].len);
    route->resource = base + 3;

    return route->sub_id ? 0 : -1;
}


static int
inc_route_single(const inc_seg_t *seg, inc_route_t *route)
{
    static const struct {
        const char      *name;
        inc_resource_t   resource;
    } singles[] = {
        { "incidents", INC_R_INCIDENTS },
        { "components", INC_R_COMPONENTS },
        { "maintenances", INC_R_MAINTENANCES },
        { "subscribers", INC_R_SUBSCRIBERS },
        { "dead-letters", INC_R_DEAD_LETTERS },
        { "status", INC_R_STATUS },
        { "settings", INC_R_SETTINGS },
        { "audit", INC_R_AUDIT },
        { "queue", INC_R_QUEUE },
    };

    size_t  i;

    for (i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
        if (inc_seg_is(seg, singles[i].name)) {
            route->resource = singles[i].resource;
            return 0;
        }
    }

    return -1;
}


int
inc_route_api(const char *path, size_t len, inc_route_t *route)
{
    size_t        n;
    inc_seg_t     seg[INC_ROUTE_SEGMENTS];
    const char   *p, *last, *slash;

    route->id = 0;
    route->sub_id = 0;

    p = path;
    last = path + len;

    if (last > p && last[-1] == '/') {
        last--;
    }

    for (n = 0; p < last; n++) {
        if (n == INC_ROUTE_SEGMENTS) {
            return -1;
        }

        slash = memchr(p, '/', last - p);
        if (slash == NULL) {
            slash = last;
        }

        seg[n].data = p;
        seg[n].len = slash - p;
        p = slash + 1;
    }

    if (n == 0) {
        return -1;
    }

    if (n == 1) {
        return inc_route_single(&seg[0], route);
    }

    if (n == 2 && inc_seg_is(&seg[0], "integrations")
        && inc_seg_is(&seg[1], "alertmanager"))
    {
        route->resource = INC_R_ALERTMANAGER;
        return 0;
    }

    route->id = inc_route_id(seg[1].data, seg[1].len);
    if (route->id == 0) {
        return -1;
    }

    if (inc_seg_is(&seg[0], "incidents")) {
        return inc_route_timeline(seg, n, INC_R_INCIDENTS, route);
    }

    if (inc_seg_is(&seg[0], "maintenances")) {
        return inc_route_timeline(seg, n, INC_R_MAINTENANCES, route);
    }

    if (n == 2) {
        if (inc_seg_is(&seg[0], "components")) {
            route->resource = INC_R_COMPONENT;
            return 0;
        }

        if (inc_seg_is(&seg[0], "subscribers")) {
            route->resource = INC_R_SUBSCRIBER;
            return 0;
        }

        return -1;
    }

    if (n == 3 && inc_seg_is(&seg[0], "subscribers")
        && inc_seg_is(&seg[2], "deliveries"))
    {
        route->resource = INC_R_DELIVERIES;
        return 0;
    }

    if (n == 3 && inc_seg_is(&seg[0], "dead-letters")
        && inc_seg_is(&seg[2], "retry"))
    {
        route->resource = INC_R_DEAD_RETRY;
        return 0;
    }

    return -1;
}


int
inc_query_arg(const char *args, size_t len, const char *name,
    const char **value, size_t *value_len)
{
    size_t       n;
    const char  *p, *last, *end;

    n = strlen(name);
    last = args + len;

    for (p = args; p < last; p = end + 1) {
        end = memchr(p, '&', last - p);
        if (end == NULL) {
            end = last;
        }

        if ((size_t) (end - p) > n && p[n] == '='
            && strncasecmp(p, name, n) == 0)
        {
            *value = p + n + 1;
            *value_len = end - *value;
            return 0;
        }
    }

    return -1;
}


static int
inc_query_int(const char *p, size_t len, int min, int max)
{
    int  v;

    if (len == 0 || len > 9) {
        return -1;
    }

    for (v = 0; len--; p++) {
        if (*p < '0' || *p > '9') {
            return -1;
        }
        v = v * 10 + (*p - '0');
    }

    return (v >= min && v <= max) ? v : -1;
}


static int
inc_query_state(const char *v, size_t len, inc_states_t states,
    inc_state_t *state)
{
    static const struct {
        const char    *name;
        inc_state_t    state;
        unsigned       in;            /* 1 << inc_states_t */
    } names[] = {
        { "all", INC_STATE_ALL, 6 },
        { "active", INC_STATE_ACTIVE, 6 },
        { "resolved", INC_STATE_RESOLVED, 2 },
        { "upcoming", INC_STATE_UPCOMING, 4 },
        { "past", INC_STATE_PAST, 4 },
    };

    size_t  i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if ((names[i].in & (1u << states)) && len == strlen(names[i].name)
            && memcmp(v, names[i].name, len) == 0)
        {
            *state = names[i].state;
            return 0;
        }
    }

    return -1;
}


int
inc_query_page(const char *args, size_t len, inc_states_t states,
    inc_page_t *page, const char **field, const char **message)
{
    size_t       vlen;
    const char  *v;

    page->state = INC_STATE_ALL;
    page->by_start = 0;
    page->limit = INC_LIST_LIMIT_DEFAULT;
    page->cursor = 0;

    if (inc_query_arg(args, len, "limit", &v, &vlen) == 0) {
        page->limit = inc_query_int(v, vlen, 1, INC_LIST_LIMIT_MAX);

        if (page->limit < 0) {
            *field = "limit";
            *message = "must be an integer from 1 to 100";
            return -1;
        }
    }

    if (inc_query_arg(args, len, "cursor", &v, &vlen) == 0 && vlen) {
        page->cursor = inc_route_id(v, vlen);

        if (page->cursor == 0) {
            *field = "cursor";
            *message = "is not a cursor this API gave";
            return -1;
        }
    }

    if (states != INC_STATES_NONE
        && inc_query_arg(args, len, "state", &v, &vlen) == 0
        && inc_query_state(v, vlen, states, &page->state) != 0)
    {
        *field = "state";
        *message = states == INC_STATES_INCIDENT
                   ? "must be one of active, resolved, all"
                   : "must be one of upcoming, active, past, all";
        return -1;
    }

    return 0;
}


int
inc_token_line(const char *p, size_t len, inc_token_line_t *token)
{
    int          hi, lo;
    size_t       i;
    const char  *last, *colon;

    last = p + len;

    while (p < last && (*p == ' ' || *p == '\t' || *p == '\r')) {
        p++;
    }

    while (last > p && (last[-1] == ' ' || last[-1] == '\t'
                        || last[-1] == '\r'))
    {
        last--;
    }

    if (p == last || *p == '#') {
        return 0;
    }

    colon = memchr(p, ':', last - p);

    if (colon == NULL || colon == p
        || last - colon - 1 != 2 * INC_TOKEN_HASH_LEN)
    {
        return -1;
    }

    for (i = 0; i < INC_TOKEN_HASH_LEN; i++) {
        hi = inc_hex_digit((unsigned char) colon[1 + 2 * i]);
        lo = inc_hex_digit((unsigned char) colon[2 + 2 * i]);

        if (hi < 0 || lo < 0) {
            return -1;
        }

        token->hash[i] = (unsigned char) (hi << 4 | lo);
    }

    token->name = p;
    token->name_len = colon - p;

    return 1;
}
