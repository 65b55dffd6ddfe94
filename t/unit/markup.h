/*
 * Helpers shared by the rendering tests: counting and finding strings, and
 * a strict checker of HTML and XML well-formedness (balanced tags, known
 * void elements, entities, quoted attributes).
 */

#ifndef _MARKUP_H_INCLUDED_
#define _MARKUP_H_INCLUDED_


#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tap.h"


static int  markup_quiet;


/* helpers */

static int
count(const char *hay, const char *needle)
{
    int          n;
    size_t       len;
    const char  *p;

    n = 0;
    len = strlen(needle);

    for (p = strstr(hay, needle); p != NULL; p = strstr(p + len, needle)) {
        n++;
    }

    return n;
}


/* the offset of needle, or -1 */
static long
pos(const char *hay, const char *needle)
{
    const char  *p;

    p = strstr(hay, needle);

    return p ? (long) (p - hay) : -1;
}


static const char  *void_tags[] = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link",
    "meta", "source", "track", "wbr", NULL
};


static int
is_void(const char *name)
{
    int  i;

    for (i = 0; void_tags[i]; i++) {
        if (strcmp(void_tags[i], name) == 0) {
            return 1;
        }
    }

    return 0;
}


/* &name; &#123; &#x1f; -- XML knows only five names */
static const char *
entity(const char *p, int html)
{
    const char  *q;

    q = p + 1;

    if (*q == '#') {
        q++;
        if (*q == 'x' || *q == 'X') {
            q++;
            if (!isxdigit((unsigned char) *q)) {
                return NULL;
            }
            while (isxdigit((unsigned char) *q)) {
                q++;
            }
        } else {
            if (!isdigit((unsigned char) *q)) {
                return NULL;
            }
            while (isdigit((unsigned char) *q)) {
                q++;
            }
        }

    } else {
        if (!isalpha((unsigned char) *q)) {
            return NULL;
        }
        while (isalnum((unsigned char) *q)) {
            q++;
        }

        if (!html && !(q - p == 4 && strncmp(p, "&amp", 4) == 0)
            && !(q - p == 3 && (strncmp(p, "&lt", 3) == 0
                                || strncmp(p, "&gt", 3) == 0))
            && !(q - p == 5 && (strncmp(p, "&quot", 5) == 0
                                || strncmp(p, "&apos", 5) == 0)))
        {
            return NULL;
        }
    }

    return *q == ';' ? q + 1 : NULL;
}


/*
 * A strict well-formedness check of the markup we produce: every element
 * closed in order (HTML: void elements, and <script>/<style> raw text),
 * attribute values double-quoted without '<', every '&' an entity, no
 * '>' in text.  A user string that is not escaped breaks one of these.
 */
static int
markup_ok(const char *s, int html)
{
    int          depth, selfclose;
    char         stack[128][32], name[32], close[40];
    size_t       n;
    const char  *p, *q, *why;

    depth = 0;
    p = s;
    why = NULL;

    if (strncmp(p, "<?xml", 5) == 0) {
        p = strstr(p, "?>");
        if (p == NULL) {
            why = "unterminated <?xml";
            goto bad;
        }
        p += 2;
    }

    if (html && strncasecmp(p, "<!doctype html>", 15) == 0) {
        p += 15;
    }

    while (*p) {
        if (*p == '&') {
            q = entity(p, html);
            if (q == NULL) {
                why = "a bare '&'";
                goto bad;
            }
            p = q;
            continue;
        }

        if (*p == '>') {
            why = "a '>' in text";
            goto bad;
        }

        if (*p != '<') {
            p++;
            continue;
        }

        if (strncmp(p, "<!--", 4) == 0) {
            q = strstr(p + 4, "-->");
            if (q == NULL) {
                why = "an unterminated comment";
                goto bad;
            }
            p = q + 3;
            continue;
        }

        if (p[1] == '/') {
            for (q = p + 2, n = 0;
                 (isalnum((unsigned char) *q) || *q == '-' || *q == ':')
                 && n < sizeof(name) - 1;
                 q++)
            {
                name[n++] = *q;
            }
            name[n] = '\0';

            if (*q != '>' || n == 0) {
                why = "a malformed end tag";
                goto bad;
            }

            if (depth == 0 || strcmp(stack[depth - 1], name) != 0) {
                if (!markup_quiet) {
                    diag("  </%s> closes <%s>", name,
                         depth ? stack[depth - 1] : "(nothing)");
                }
                why = "an end tag out of order";
                goto bad;
            }

            depth--;
            p = q + 1;
            continue;
        }

        for (q = p + 1, n = 0;
             (isalnum((unsigned char) *q) || *q == '-' || *q == ':')
             && n < sizeof(name) - 1;
             q++)
        {
            name[n++] = *q;
        }
        name[n] = '\0';

        if (n == 0 || !isalpha((unsigned char) name[0])) {
            why = "a '<' that starts no tag";
            goto bad;
        }

        selfclose = 0;

        for ( ;; ) {
            while (*q == ' ' || *q == '\n' || *q == '\t') {
                q++;
            }

            if (*q == '>') {
                q++;
                break;
            }

            if (q[0] == '/' && q[1] == '>') {
                selfclose = 1;
                q += 2;
                break;
            }

            if (!(isalpha((unsigned char) *q) || *q == '_' || *q == ':')) {
                why = "a malformed attribute";
                goto bad;
            }

            while (isalnum((unsigned char) *q) || *q == '-' || *q == '_'
                   || *q == ':' || *q == '.')
            {
                q++;
            }

            if (*q != '=') {
                if (!html) {
                    why = "an attribute without a value in XML";
                    goto bad;
                }
                continue;
            }

            if (q[1] != '"') {
                why = "an attribute value not double-quoted";
                goto bad;
            }

            for (q += 2; *q != '"'; ) {
                if (*q == '\0' || *q == '<') {
                    why = "a '<' or the end in an attribute value";
                    goto bad;
                }

                if (*q == '&') {
                    q = entity(q, html);
                    if (q == NULL) {
                        why = "a bare '&' in an attribute value";
                        goto bad;
                    }
                    continue;
                }

                q++;
            }

            q++;
        }

        p = q;

        if (html && (strcmp(name, "script") == 0
                     || strcmp(name, "style") == 0))
        {
            snprintf(close, sizeof(close), "</%s>", name);
            q = strstr(p, close);
            if (q == NULL) {
                why = "an unclosed raw text element";
                goto bad;
            }
            p = q + strlen(close);
            continue;
        }

        if (selfclose || (html && is_void(name))) {
            continue;
        }

        if (depth == (int) (sizeof(stack) / sizeof(stack[0]))) {
            why = "too deep";
            goto bad;
        }

        strcpy(stack[depth++], name);
    }

    if (depth != 0) {
        if (!markup_quiet) {
            diag("  <%s> is not closed", stack[depth - 1]);
        }
        why = "unclosed elements";
        goto bad;
    }

    return 1;

bad:

    if (!markup_quiet) {
        diag("  markup: %s at offset %ld: %.60s", why, (long) (p - s), p);
    }
    return 0;
}




/*
 * Every <form> is a POST with the CSRF field; returns the number of
 * forms, or -1 when one lacks either.
 */


#endif /* _MARKUP_H_INCLUDED_ */
