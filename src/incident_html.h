/*
 * Text building for the pages and feeds: a growable buffer, escaping for
 * HTML and XML text and attributes, and Markdown rendered safely.  Plain C,
 * no nginx types.
 */

#ifndef _INCIDENT_HTML_H_INCLUDED_
#define _INCIDENT_HTML_H_INCLUDED_


#include <stddef.h>


typedef struct {
    char    *data;
    size_t   len;
    size_t   cap;
    int      failed;         /* an allocation failed: the text is unusable */
} inc_buf_t;


int inc_buf_init(inc_buf_t *b, size_t cap);
void inc_buf_free(inc_buf_t *b);
char *inc_buf_detach(inc_buf_t *b, size_t *len);

void inc_buf_add(inc_buf_t *b, const char *s, size_t n);
void inc_buf_str(inc_buf_t *b, const char *s);
void inc_buf_printf(inc_buf_t *b, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* text and attribute values of HTML and XML: & < > " ' are escaped */
void inc_buf_escape(inc_buf_t *b, const char *s);

/* CommonMark to HTML; raw HTML and unsafe links are dropped */
void inc_buf_markdown(inc_buf_t *b, const char *md);


#endif /* _INCIDENT_HTML_H_INCLUDED_ */
