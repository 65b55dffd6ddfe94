/*
 * Text buffers, escaping and Markdown.
 */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark.h>

#include "incident_html.h"


int
inc_buf_init(inc_buf_t *b, size_t cap)
{
    b->len = 0;
    b->cap = cap ? cap : 256;
    b->failed = 0;
    b->data = malloc(b->cap);

    if (b->data == NULL) {
        b->cap = 0;
        b->failed = 1;
        return -1;
    }

    b->data[0] = '\0';

    return 0;
}


void
inc_buf_free(inc_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}


/* the text, NUL-terminated, for the caller to free(); NULL on failure */
char *
inc_buf_detach(inc_buf_t *b, size_t *len)
{
    char  *data;

    if (b->failed) {
        inc_buf_free(b);
        return NULL;
    }

    data = b->data;

    if (len != NULL) {
        *len = b->len;
    }

    b->data = NULL;
    b->len = 0;
    b->cap = 0;

    return data;
}


static int
inc_buf_reserve(inc_buf_t *b, size_t n)
{
    char    *p;
    size_t   cap;

    if (b->failed) {
        return -1;
    }

    if (b->len + n + 1 <= b->cap) {
        return 0;
    }

    cap = b->cap ? b->cap : 256;

    while (cap < b->len + n + 1) {
        cap *= 2;
    }

    p = realloc(b->data, cap);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }

    b->data = p;
    b->cap = cap;

    return 0;
}


void
inc_buf_add(inc_buf_t *b, const char *s, size_t n)
{
    if (inc_buf_reserve(b, n) != 0) {
        return;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}


void
inc_buf_str(inc_buf_t *b, const char *s)
{
    inc_buf_add(b, s, strlen(s));
}


void
inc_buf_printf(inc_buf_t *b, const char *fmt, ...)
{
    int      n;
    va_list  args;

    va_start(args, fmt);
    n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);

    if (n < 0 || inc_buf_reserve(b, (size_t) n) != 0) {
        b->failed = 1;
        return;
    }

    va_start(args, fmt);
    vsnprintf(b->data + b->len, (size_t) n + 1, fmt, args);
    va_end(args);

    b->len += (size_t) n;
}


void
inc_buf_escape(inc_buf_t *b, const char *s)
{
    const char  *p, *rep;

    for (p = s; *p; p++) {
        switch (*p) {
        case '&':  rep = "&amp;";  break;
        case '<':  rep = "&lt;";   break;
        case '>':  rep = "&gt;";   break;
        case '"':  rep = "&quot;"; break;
        case '\'': rep = "&#39;";  break;
        default:   continue;
        }

        inc_buf_add(b, s, (size_t) (p - s));
        inc_buf_str(b, rep);
        s = p + 1;
    }

    inc_buf_add(b, s, (size_t) (p - s));
}


void
inc_buf_markdown(inc_buf_t *b, const char *md)
{
    char  *html;

    /* CMARK_OPT_DEFAULT is safe since cmark 0.29: no raw HTML, no js: */
    html = cmark_markdown_to_html(md, strlen(md),
                                  CMARK_OPT_DEFAULT | CMARK_OPT_SMART);
    if (html == NULL) {
        b->failed = 1;
        return;
    }

    inc_buf_str(b, html);
    free(html);
}
