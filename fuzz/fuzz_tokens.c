/*
 * An incident_api_tokens file: split into lines at LF as
 * ngx_http_incident_api_tokens() does, each line through
 * inc_token_line().  A token line gives a non-empty name without a colon
 * or leading blanks, and the 32 bytes its 64 hex digits spell.
 */

#include "fuzz.h"

#include <ctype.h>

/* inc_token_line(): in incident_route.h, or its own incident_tokens.h */
#if __has_include("incident_tokens.h")
#include "incident_tokens.h"
#else
#include "incident_route.h"
#endif


static int
fz_hex(int c)
{
    c = tolower(c);
    return c >= 'a' ? c - 'a' + 10 : c - '0';
}


static void
fz_line(const char *line, size_t len)
{
    int               rc;
    size_t            i;
    const char       *p, *colon;
    inc_token_line_t  t;

    memset(&t, 0, sizeof(inc_token_line_t));

    rc = inc_token_line(line, len, &t);

    for (p = line; p < line + len && (*p == ' ' || *p == '\t' || *p == '\r');
         p++)
    {
        /* void */
    }

    if (rc == 0) {
        FZ_ASSERT(p == line + len || *p == '#',
                  "a line skipped that is neither blank nor a comment");
        return;
    }

    if (rc < 0) {
        return;
    }

    FZ_ASSERT(rc == 1, "inc_token_line() returned something else");
    FZ_ASSERT(t.name == p, "the name does not start the line");
    FZ_ASSERT(t.name_len > 0 && t.name + t.name_len <= line + len,
              "the name is outside the line");
    FZ_ASSERT(memchr(t.name, ':', t.name_len) == NULL, "a colon in a name");
    FZ_ASSERT(t.name[0] != '#', "a comment taken for a token");

    colon = t.name + t.name_len;
    FZ_ASSERT(colon + 1 + 2 * INC_TOKEN_HASH_LEN <= line + len
              && *colon == ':', "no hash after the name");

    for (i = 0; i < INC_TOKEN_HASH_LEN; i++) {
        FZ_ASSERT(isxdigit((unsigned char) colon[1 + 2 * i])
                  && isxdigit((unsigned char) colon[2 + 2 * i]),
                  "a hash digit that is not hex");
        FZ_ASSERT(t.hash[i] == (fz_hex((unsigned char) colon[1 + 2 * i]) << 4
                                | fz_hex((unsigned char) colon[2 + 2 * i])),
                  "the hash is not what its digits spell");
    }

    for (p = colon + 1 + 2 * INC_TOKEN_HASH_LEN; p < line + len; p++) {
        FZ_ASSERT(*p == ' ' || *p == '\t' || *p == '\r',
                  "something after the hash");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char           *line;
    const uint8_t  *p, *eol, *last;

    last = data + size;

    for (p = data; p < last; p = eol + 1) {
        eol = memchr(p, '\n', (size_t) (last - p));
        if (eol == NULL) {
            eol = last;
        }

        /* each line in a block of its own, to catch a read past it */
        line = fz_copy(p, (size_t) (eol - p));
        fz_line(line, (size_t) (eol - p));
        free(line);
    }

    return 0;
}
