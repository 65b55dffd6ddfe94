/*
 * Incident and maintenance messages are Markdown from API clients and
 * admins, rendered into the public pages and mails: inc_buf_markdown()
 * (cmark, safe mode) and inc_buf_escape().  The output is checked to be
 * safe HTML: only the tags and attributes cmark makes, no raw HTML, no
 * script URLs.
 */

#include "fuzz.h"

#include <ctype.h>
#include <strings.h>

#include "incident_model.h"
#include "incident_html.h"


static const char  *fz_tags[] = {
    "p", "em", "strong", "a", "img", "code", "pre", "h1", "h2", "h3", "h4",
    "h5", "h6", "ul", "ol", "li", "blockquote", "hr", "br", "del", NULL
};

static const char  *fz_attrs[] = {
    "href", "title", "src", "alt", "class", "start", NULL
};


static int
fz_in(const char **list, const char *s, size_t n)
{
    for ( /* void */ ; *list; list++) {
        if (strlen(*list) == n && strncmp(*list, s, n) == 0) {
            return 1;
        }
    }

    return 0;
}


/* cmark's safe mode empties javascript:, vbscript:, file: and data: URLs */
static void
fz_check_url(const char *v, size_t n)
{
    char    lower[16];
    size_t  i;

    for (i = 0; i < n && i < sizeof(lower) - 1; i++) {
        lower[i] = (char) tolower((unsigned char) v[i]);
    }

    lower[i] = '\0';

    FZ_ASSERT(strncmp(lower, "javascript:", 11) != 0
              && strncmp(lower, "vbscript:", 9) != 0
              && strncmp(lower, "file:", 5) != 0,
              "a script or file URL in the HTML");

    /* the images cmark lets through */
    if (strncmp(lower, "data:", 5) == 0) {
        FZ_ASSERT((n >= 14 && strncasecmp(v, "data:image/png", 14) == 0)
                  || (n >= 14 && strncasecmp(v, "data:image/gif", 14) == 0)
                  || (n >= 15 && strncasecmp(v, "data:image/jpeg", 15) == 0)
                  || (n >= 15 && strncasecmp(v, "data:image/webp", 15) == 0),
                  "a data: URL that is not an image");
    }
}


/* one tag from "<" on; returns the position after its ">" */
static const char *
fz_tag(const char *p)
{
    size_t       n;
    const char  *name, *attr, *value;

    static const char  omitted[] = "<!-- raw HTML omitted -->";

    if (strncmp(p, "<!--", 4) == 0) {
        FZ_ASSERT(strncmp(p, omitted, sizeof(omitted) - 1) == 0,
                  "an HTML comment in the output");
        return p + sizeof(omitted) - 1;
    }

    p++;

    if (*p == '/') {
        p++;
    }

    for (name = p; isalnum((unsigned char) *p); p++) {
        /* void */
    }

    FZ_ASSERT(fz_in(fz_tags, name, (size_t) (p - name)),
              "a tag that cmark does not make");

    for ( ;; ) {
        while (*p == ' ') {
            p++;
        }

        if (*p == '>') {
            return p + 1;
        }

        if (p[0] == '/' && p[1] == '>') {
            return p + 2;
        }

        for (attr = p; islower((unsigned char) *p); p++) {
            /* void */
        }

        n = (size_t) (p - attr);

        FZ_ASSERT(fz_in(fz_attrs, attr, n), "an unexpected attribute");
        FZ_ASSERT(p[0] == '=' && p[1] == '"', "an unquoted attribute");

        p += 2;
        value = p;

        while (*p != '"') {
            FZ_ASSERT(*p != '\0' && *p != '<' && *p != '>',
                      "an attribute value is not escaped");
            p++;
        }

        if ((n == 4 && strncmp(attr, "href", 4) == 0)
            || (n == 3 && strncmp(attr, "src", 3) == 0))
        {
            fz_check_url(value, (size_t) (p - value));
        }

        p++;
    }
}


static void
fz_check_html(const char *html)
{
    const char  *p;

    for (p = html; *p; ) {
        if (*p == '<') {
            p = fz_tag(p);
            continue;
        }

        FZ_ASSERT(*p != '>', "a raw > in the text");
        p++;
    }
}


static void
fz_check_escaped(const char *s)
{
    for ( /* void */ ; *s; s++) {
        FZ_ASSERT(*s != '<' && *s != '>' && *s != '"' && *s != '\'',
                  "inc_buf_escape() left a special character");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char       *md;
    inc_buf_t   b;

    /* a message as the API stores it: UTF-8 text without NUL */
    md = fz_cstr(data, size);
    if (md == NULL) {
        return 0;
    }

    if (!inc_utf8_valid((unsigned char *) md, size)) {
        free(md);
        return 0;
    }

    if (inc_buf_init(&b, 0) == 0) {
        inc_buf_markdown(&b, md);

        if (!b.failed) {
            FZ_ASSERT(strlen(b.data) == b.len, "buffer length");
            fz_check_html(b.data);
        }

        inc_buf_free(&b);
    }

    if (inc_buf_init(&b, 16) == 0) {
        inc_buf_escape(&b, md);

        if (!b.failed) {
            FZ_ASSERT(strlen(b.data) == b.len, "buffer length");
            fz_check_escaped(b.data);
        }

        inc_buf_free(&b);
    }

    free(md);

    return 0;
}
