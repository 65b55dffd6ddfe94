/*
 * What the API and the pages share on the nginx side: sending a whole
 * answer from memory, and the worker's cache of rendered answers.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_incident.h"


/* a handful of pages are hot; a small table with round-robin eviction */
#define NGX_HTTP_INCIDENT_CACHE_SLOTS  64


typedef struct {
    ngx_str_t     key;
    uint64_t      generation;
    time_t        day;
    ngx_str_t     text;
} ngx_http_incident_cache_slot_t;


static ngx_http_incident_cache_slot_t
    ngx_http_incident_cache[NGX_HTTP_INCIDENT_CACHE_SLOTS];
static ngx_uint_t  ngx_http_incident_cache_next;


ngx_int_t
ngx_http_incident_add_header(ngx_http_request_t *r, const char *key,
    ngx_str_t *value, ngx_table_elt_t **ref)
{
    ngx_table_elt_t  *h;

    h = ngx_list_push(&r->headers_out.headers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    h->hash = 1;
    h->key.data = (u_char *) key;
    h->key.len = ngx_strlen(key);
    h->value = *value;

    if (ref != NULL) {
        *ref = h;
    }

    return NGX_OK;
}


/*
 * Sends "text" as the whole answer.  An ETag lets nginx's not_modified
 * filter answer a matching If-None-Match with 304; HEAD sends the headers.
 */
ngx_int_t
ngx_http_incident_output(ngx_http_request_t *r, ngx_uint_t status,
    const char *content_type, ngx_str_t *etag, const char *cache_control,
    const u_char *text, size_t len)
{
    ngx_int_t     rc;
    ngx_buf_t    *b;
    ngx_str_t     value;
    ngx_chain_t   out;

    r->headers_out.status = status;

    r->headers_out.content_type.data = (u_char *) content_type;
    r->headers_out.content_type.len = ngx_strlen(content_type);
    r->headers_out.content_type_len = r->headers_out.content_type.len;

    if (etag != NULL
        && ngx_http_incident_add_header(r, "ETag", etag,
                                        &r->headers_out.etag)
           != NGX_OK)
    {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (cache_control != NULL) {
        value.data = (u_char *) cache_control;
        value.len = ngx_strlen(cache_control);

        if (ngx_http_incident_add_header(r, "Cache-Control", &value, NULL)
            != NGX_OK)
        {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    r->headers_out.content_length_n = len;

    if (len == 0) {
        r->header_only = 1;
        return ngx_http_send_header(r);
    }

    b = ngx_create_temp_buf(r->pool, len);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_cpymem(b->pos, text, len);
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    return ngx_http_output_filter(r, &out);
}


/* the text rendered for "key" at this generation and day, or NULL */
ngx_str_t *
ngx_http_incident_cache_get(ngx_str_t *key, uint64_t generation, time_t day)
{
    ngx_uint_t                       i;
    ngx_http_incident_cache_slot_t  *slot;

    for (i = 0; i < NGX_HTTP_INCIDENT_CACHE_SLOTS; i++) {
        slot = &ngx_http_incident_cache[i];

        if (slot->text.data != NULL
            && slot->generation == generation
            && slot->day == day
            && slot->key.len == key->len
            && ngx_memcmp(slot->key.data, key->data, key->len) == 0)
        {
            return &slot->text;
        }
    }

    return NULL;
}


void
ngx_http_incident_cache_put(ngx_str_t *key, uint64_t generation, time_t day,
    const u_char *text, size_t len, ngx_log_t *log)
{
    ngx_uint_t                       i;
    ngx_http_incident_cache_slot_t  *slot;

    slot = NULL;

    /* the same page at an older generation is replaced in place */
    for (i = 0; i < NGX_HTTP_INCIDENT_CACHE_SLOTS; i++) {
        if (ngx_http_incident_cache[i].key.len == key->len
            && ngx_memcmp(ngx_http_incident_cache[i].key.data, key->data,
                          key->len) == 0)
        {
            slot = &ngx_http_incident_cache[i];
            break;
        }
    }

    if (slot == NULL) {
        slot = &ngx_http_incident_cache[ngx_http_incident_cache_next];
        ngx_http_incident_cache_next = (ngx_http_incident_cache_next + 1)
                                       % NGX_HTTP_INCIDENT_CACHE_SLOTS;
    }

    ngx_free(slot->key.data);
    ngx_free(slot->text.data);
    ngx_memzero(slot, sizeof(ngx_http_incident_cache_slot_t));

    slot->key.data = ngx_alloc(key->len, log);
    slot->text.data = ngx_alloc(len ? len : 1, log);

    if (slot->key.data == NULL || slot->text.data == NULL) {
        ngx_free(slot->key.data);
        ngx_free(slot->text.data);
        ngx_memzero(slot, sizeof(ngx_http_incident_cache_slot_t));
        return;
    }

    ngx_memcpy(slot->key.data, key->data, key->len);
    ngx_memcpy(slot->text.data, text, len);
    slot->key.len = key->len;
    slot->text.len = len;
    slot->generation = generation;
    slot->day = day;
}
