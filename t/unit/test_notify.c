/*
 * Notifications: mail addresses and RFC 5322 / MIME messages (decoded
 * again here with the test's own base64, RFC 2047 and quoted-printable
 * decoders), what each channel says, Standard Webhooks signatures, the
 * SSRF guard, link tokens, and the queue on a real store: fan-out in the
 * writing transaction, leases, retries with backoff, dead letters, 410,
 * and the public double opt-in.
 */

#define _GNU_SOURCE             /* strcasestr() */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_json.h"
#include "incident_service.h"
#include "incident_mail.h"
#include "incident_message.h"
#include "incident_webhook.h"
#include "incident_queue.h"
#include "tap.h"


/* 2026-11-27T10:00:00Z, a Friday */
#define NOW       ((time_t) 1795773600)
#define NOW_MS    ((uint64_t) NOW * 1000)
#define BASE_URL  "https://status.example.com"

#include "store_env.h"
#include "doc_env.h"


#define MAIL_FROM  "Status <status@example.com>"
#define HOUR_MS    (3600ULL * 1000)


/* scratch strings */


static char *
repeat(const char *s, int n)
{
    int     i;
    char   *buf;
    size_t  len, step;

    buf = scratch();
    step = strlen(s);
    len = 0;

    for (i = 0; i < n && len + step < 8192; i++) {
        memcpy(buf + len, s, step);
        len += step;
    }

    buf[len] = '\0';

    return buf;
}


/* a string for a test's description: control characters escaped */
static const char *
printable(const char *s)
{
    char    *buf;
    size_t   o;

    buf = scratch();

    for (o = 0; *s && o < 8000; s++) {
        switch (*s) {
        case '\r':
            o += (size_t) snprintf(buf + o, 8192 - o, "\\r");
            break;
        case '\n':
            o += (size_t) snprintf(buf + o, 8192 - o, "\\n");
            break;
        case '\t':
            o += (size_t) snprintf(buf + o, 8192 - o, "\\t");
            break;
        default:
            if ((unsigned char) *s < 0x20 || *s == 0x7f) {
                o += (size_t) snprintf(buf + o, 8192 - o, "\\x%02x",
                                       (unsigned char) *s);
            } else {
                buf[o++] = *s;
            }
        }
    }

    buf[o] = '\0';

    return buf;
}


/* the test's own decoders and checks */

static int
b64_value(int c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }

    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }

    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }

    return c == '+' ? 62 : c == '/' ? 63 : -1;
}


/* strict base64: whole quanta, padding only at the end, no stray bits */
static long
b64_decode(const char *in, size_t len, unsigned char *out)
{
    int     v[4], k, pad;
    size_t  i, o;

    if (len % 4) {
        return -1;
    }

    o = 0;

    for (i = 0; i < len; i += 4) {
        pad = 0;

        for (k = 0; k < 4; k++) {
            if (in[i + k] == '=') {
                if (i + 4 != len || k < 2) {
                    return -1;
                }
                pad++;
                v[k] = 0;
                continue;
            }

            if (pad) {
                return -1;
            }

            v[k] = b64_value((unsigned char) in[i + k]);
            if (v[k] < 0) {
                return -1;
            }
        }

        if ((pad == 2 && (v[1] & 15)) || (pad == 1 && (v[2] & 3))) {
            return -1;
        }

        out[o++] = (unsigned char) (v[0] << 2 | v[1] >> 4);

        if (pad < 2) {
            out[o++] = (unsigned char) ((v[1] & 15) << 4 | v[2] >> 2);
        }

        if (pad < 1) {
            out[o++] = (unsigned char) ((v[2] & 3) << 6 | v[3]);
        }
    }

    return (long) o;
}


static void
b64_encode(const unsigned char *in, size_t len, char *out)
{
    EVP_EncodeBlock((unsigned char *) out, in, (int) len);
}


/* strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF */
static int
utf8_ok(const char *s, size_t len)
{
    size_t                i, n, k;
    uint32_t              cp, min;
    const unsigned char  *p;

    p = (const unsigned char *) s;

    for (i = 0; i < len; i += n + 1) {
        if (p[i] < 0x80) {
            n = 0;
            continue;
        }

        if ((p[i] & 0xe0) == 0xc0) {
            n = 1;
            cp = p[i] & 0x1f;
            min = 0x80;

        } else if ((p[i] & 0xf0) == 0xe0) {
            n = 2;
            cp = p[i] & 0x0f;
            min = 0x800;

        } else if ((p[i] & 0xf8) == 0xf0) {
            n = 3;
            cp = p[i] & 0x07;
            min = 0x10000;

        } else {
            return 0;
        }

        if (len - i <= n) {
            return 0;
        }

        for (k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (p[i + k] & 0x3f);
        }

        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
    }

    return 1;
}


static int
hex_upper(int c)
{
    return (c >= '0' && c <= '9') ? c - '0'
           : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}


/*
 * Quoted-printable (RFC 2045) back to bytes, a hard line break as "\n";
 * -1 for anything a QP encoder must not produce: a bare CR or LF, "="
 * not followed by two upper-case hex digits or CRLF, 8-bit or control
 * octets, a line over 76 characters, white space at the end of a line.
 */
static long
qp_decode(const char *in, size_t len, char *out)
{
    int     hi, lo;
    size_t  i, o, col;

    o = 0;
    col = 0;

    for (i = 0; i < len; /* void */) {

        if (in[i] == '\r') {
            if (i + 1 >= len || in[i + 1] != '\n') {
                return -1;
            }

            if (i > 0 && (in[i - 1] == ' ' || in[i - 1] == '\t')) {
                return -1;
            }

            out[o++] = '\n';
            i += 2;
            col = 0;
            continue;
        }

        if (in[i] == '=') {
            if (i + 2 < len && in[i + 1] == '\r' && in[i + 2] == '\n') {
                if (col + 1 > 76) {
                    return -1;
                }
                i += 3;
                col = 0;
                continue;
            }

            if (i + 2 >= len) {
                return -1;
            }

            hi = hex_upper((unsigned char) in[i + 1]);
            lo = hex_upper((unsigned char) in[i + 2]);

            if (hi < 0 || lo < 0) {
                return -1;
            }

            out[o++] = (char) (hi << 4 | lo);
            i += 3;
            col += 3;

        } else if ((in[i] >= 33 && in[i] <= 126) || in[i] == ' '
                   || in[i] == '\t')
        {
            out[o++] = in[i++];
            col++;

        } else {
            return -1;
        }

        if (col > 76) {
            return -1;
        }
    }

    if (len && (in[len - 1] == ' ' || in[len - 1] == '\t')) {
        return -1;
    }

    out[o] = '\0';

    return (long) o;
}


/* CRLF line ends only; the longest line without its CRLF */
static int
crlf_only(const char *s, size_t len, size_t *longest)
{
    size_t  i, start;

    *longest = 0;
    start = 0;

    for (i = 0; i < len; i++) {
        if (s[i] == '\r') {
            if (i + 1 >= len || s[i + 1] != '\n') {
                return 0;
            }

            if (i - start > *longest) {
                *longest = i - start;
            }

            i++;
            start = i + 1;

        } else if (s[i] == '\n') {
            return 0;
        }
    }

    if (len - start > *longest) {
        *longest = len - start;
    }

    /* the message ends with a line end */
    return start == len;
}


/* lines of the whole message starting with "prefix", case-insensitively */
static int
lines_starting(const char *msg, const char *prefix)
{
    int          n;
    size_t       plen;
    const char  *p;

    n = 0;
    plen = strlen(prefix);

    for (p = msg; p != NULL && *p; /* void */) {
        if (strncasecmp(p, prefix, plen) == 0) {
            n++;
        }

        p = strpbrk(p, "\r\n");
        while (p != NULL && (*p == '\r' || *p == '\n')) {
            p++;
        }
    }

    return n;
}


/* the end of the header section (its empty line), or NULL */
static const char *
header_end(const char *msg)
{
    const char  *end;

    end = strstr(msg, "\r\n\r\n");

    return end ? end + 2 : NULL;
}


/* the value of the nth header "name", unfolded; NULL if there is none */
static char *
hdr_n(const char *msg, const char *name, int nth)
{
    char        *buf;
    size_t       nlen, o, n;
    const char  *p, *end, *eol;

    end = header_end(msg);
    if (end == NULL) {
        return NULL;
    }

    buf = scratch();
    nlen = strlen(name);

    for (p = msg; p < end; p = eol + 2) {
        eol = strstr(p, "\r\n");

        if (strncasecmp(p, name, nlen) != 0 || p[nlen] != ':' || nth-- > 0) {
            continue;
        }

        p += nlen + 1;
        if (*p == ' ') {
            p++;
        }

        o = 0;

        for ( ;; ) {
            n = (size_t) (eol - p);
            if (o + n >= 8192) {
                n = 8191 - o;
            }
            memcpy(buf + o, p, n);
            o += n;

            p = eol + 2;
            if (p >= end || (*p != ' ' && *p != '\t')) {
                break;
            }
            eol = strstr(p, "\r\n");
        }

        buf[o] = '\0';
        return buf;
    }

    return NULL;
}


static char *
hdr(const char *msg, const char *name)
{
    return hdr_n(msg, name, 0);
}


/*
 * An RFC 2047 header value back to UTF-8: either plain text, or encoded
 * words "=?UTF-8?B?...?=" separated by white space (which is dropped).
 * -1 if a word is malformed or does not hold whole UTF-8 characters;
 * "longest" is the longest encoded word.
 */
static long
rfc2047_decode(const char *v, char *out, size_t size, size_t *longest,
    int *words)
{
    long         n;
    size_t       o, wlen;
    const char  *p, *q;

    *longest = 0;
    *words = 0;

    if (strncmp(v, "=?", 2) != 0) {
        snprintf(out, size, "%s", v);
        return (long) strlen(out);
    }

    o = 0;

    for (p = v; *p; /* void */) {
        if (*p == ' ' || *p == '\t') {
            p++;
            continue;
        }

        if (strncasecmp(p, "=?UTF-8?B?", 10) != 0) {
            return -1;
        }

        q = strstr(p + 10, "?=");
        if (q == NULL) {
            return -1;
        }

        wlen = (size_t) (q + 2 - p);
        if (wlen > *longest) {
            *longest = wlen;
        }

        if (o + (size_t) (q - p) >= size) {
            return -1;
        }

        n = b64_decode(p + 10, (size_t) (q - p - 10),
                       (unsigned char *) out + o);
        if (n < 0 || !utf8_ok(out + o, (size_t) n)) {
            return -1;
        }

        o += (size_t) n;
        (*words)++;
        p = q + 2;

        if (*p != '\0' && *p != ' ' && *p != '\t') {
            return -1;
        }
    }

    out[o] = '\0';

    return (long) o;
}


/* a multipart message taken apart */
typedef struct {
    int      crlf;               /* CRLF line ends only */
    size_t   longest;            /* the longest line */
    int      parts;
    int      closed;             /* "--boundary--" ends the body */
    int      qp_ok[2];           /* each part decodes as sound QP */
    char     ctype[2][128];
    char     cte[2][64];
    char    *content[2];         /* decoded, malloc()ed */
} mail_parts_t;


static void
mail_parts_free(mail_parts_t *m)
{
    free(m->content[0]);
    free(m->content[1]);
    memset(m, 0, sizeof(mail_parts_t));
}


static void
mail_parse(const char *msg, size_t len, mail_parts_t *m)
{
    int          i;
    long         n;
    char         delim[128], *ctype, *b;
    size_t       dlen;
    const char  *body, *p, *start[3], *next, *phdr, *content;

    memset(m, 0, sizeof(mail_parts_t));

    m->crlf = crlf_only(msg, len, &m->longest);

    ctype = hdr(msg, "Content-Type");
    b = ctype ? strstr(ctype, "boundary=\"") : NULL;
    body = header_end(msg);

    if (b == NULL || body == NULL) {
        return;
    }

    b += sizeof("boundary=\"") - 1;
    snprintf(delim, sizeof(delim), "--%.*s", (int) strcspn(b, "\""), b);
    dlen = strlen(delim);
    body += 2;

    /* the delimiter lines: at the start of the body or after a CRLF */
    p = body;

    for (i = 0; i < 3; i++) {
        next = strncmp(p, delim, dlen) == 0 && p == body ? p : NULL;

        if (next == NULL) {
            for (next = strstr(p, delim); next != NULL;
                 next = strstr(next + 1, delim))
            {
                if (next == body || (next[-1] == '\n' && next[-2] == '\r')) {
                    break;
                }
            }
        }

        if (next == NULL) {
            break;
        }

        start[i] = next;
        p = next + dlen;

        if (strncmp(p, "--\r\n", 4) == 0) {
            m->closed = p + 4 == msg + len;
            break;
        }

        if (strncmp(p, "\r\n", 2) != 0) {
            break;
        }
    }

    m->parts = i;

    for (i = 0; i < m->parts && i < 2; i++) {
        phdr = start[i] + dlen + 2;
        content = strstr(phdr, "\r\n\r\n");

        if (content == NULL || content > start[i + 1]) {
            continue;
        }

        snprintf(m->ctype[i], sizeof(m->ctype[i]), "%.*s",
                 (int) strcspn(phdr + sizeof("Content-Type: ") - 1, "\r"),
                 strncasecmp(phdr, "Content-Type: ", 14) == 0
                 ? phdr + 14 : "");

        p = strcasestr(phdr, "Content-Transfer-Encoding: ");
        if (p != NULL && p < content) {
            p += sizeof("Content-Transfer-Encoding: ") - 1;
            snprintf(m->cte[i], sizeof(m->cte[i]), "%.*s",
                     (int) strcspn(p, "\r"), p);
        }

        content += 4;

        /* the CRLF before the next delimiter belongs to the delimiter */
        n = start[i + 1] - 2 - content;
        if (n < 0) {
            continue;
        }

        m->content[i] = malloc((size_t) n + 1);
        if (m->content[i] == NULL) {
            abort();
        }

        n = qp_decode(content, (size_t) n, m->content[i]);
        m->qp_ok[i] = n >= 0;

        if (n < 0) {
            m->content[i][0] = '\0';
        }
    }
}


static int
has(const char *s, const char *needle)
{
    return s != NULL && strstr(s, needle) != NULL;
}


/* addresses */

static void
test_email_valid(void)
{
    char    local64[80], local65[80], addr[400], label63[80], label64[80];
    size_t  i;

    static const char  *valid[] = {
        "a@b.co",
        "user@example.com",
        "first.last@example.com",
        "user+tag@sub.example.org",
        "o'brien@example.ie",
        "a!#$%&'*+-/=?^_`{|}~@example.com",
        "UPPER@EXAMPLE.COM",
        "x@a-b.example",
        "1@2.io",
        "user@xn--bcher-kva.example",
    };

    static const char  *invalid[] = {
        "",
        "a",
        "a@b",
        "@example.com",
        "user@",
        "user@@example.com",
        "user@exa@mple.com",
        "userexample.com",
        "user name@example.com",
        " user@example.com",
        "user@example.com ",
        "user@exam ple.com",
        "user@example.com\r\nBcc: evil@x.com",
        "user\r\n@example.com",
        "user@example.com\n",
        "user@example.com\r",
        "\tuser@example.com",
        "user\0@example.com",
        "user@localhost",
        ".user@example.com",
        "user.@example.com",
        "us..er@example.com",
        "user@.example.com",
        "user@example.com.",
        "user@example..com",
        "user@-example.com",
        "user@example-.com",
        "user@example.-com",
        "user@exa_mple.com",
        "Name <user@example.com>",
        "<user@example.com>",
        "user@ex\xc3\xa4mple.com",
        "\xc3\xbcser@example.com",
        "user@[127.0.0.1]",
        "\"quoted\"@example.com",
        "user@example.com,other@example.com",
        "user@example.com;",
        "(comment)user@example.com",
        "user\\@example.com",
    };

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        ok(inc_email_valid(valid[i], strlen(valid[i])), "valid: %s",
           valid[i]);
    }

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        ok(!inc_email_valid(invalid[i], strlen(invalid[i])),
           "invalid: '%s'", printable(invalid[i]));
    }

    /* an embedded NUL: the length given is what counts */
    ok(!inc_email_valid("user\0@example.com", 17),
       "invalid: a NUL inside the given length");
    ok(inc_email_valid("user@example.com\r\nBcc: x", 16),
       "only the given length is judged");

    /* the local part: 64 octets at most */
    memset(local64, 'a', 64);
    local64[64] = '\0';
    memset(local65, 'a', 65);
    local65[65] = '\0';

    snprintf(addr, sizeof(addr), "%s@example.com", local64);
    ok(inc_email_valid(addr, strlen(addr)), "a local part of 64 octets");
    snprintf(addr, sizeof(addr), "%s@example.com", local65);
    ok(!inc_email_valid(addr, strlen(addr)), "a local part of 65 octets");

    /* labels: 63 octets at most */
    memset(label63, 'b', 63);
    label63[63] = '\0';
    memset(label64, 'b', 64);
    label64[64] = '\0';

    snprintf(addr, sizeof(addr), "u@%s.com", label63);
    ok(inc_email_valid(addr, strlen(addr)), "a domain label of 63 octets");
    snprintf(addr, sizeof(addr), "u@%s.com", label64);
    ok(!inc_email_valid(addr, strlen(addr)), "a domain label of 64 octets");

    /* the whole address: 254 octets at most (64 + 1 + 63.63.57.com) */
    snprintf(addr, sizeof(addr), "%s@%s.%s.%.57s.com", local64, label63,
             label63, label63);
    is_int(strlen(addr), 254, "the 254-octet address is 254 octets");
    ok(inc_email_valid(addr, strlen(addr)), "an address of 254 octets");

    snprintf(addr, sizeof(addr), "%s@%s.%s.%.58s.com", local64, label63,
             label63, label63);
    is_int(strlen(addr), 255, "the 255-octet address is 255 octets");
    ok(!inc_email_valid(addr, strlen(addr)), "an address of 255 octets");
}


static void
test_mail_address(void)
{
    char  out[256];

    ok(inc_mail_address("Status Page <status@example.com>", out,
                        sizeof(out))
       && strcmp(out, "status@example.com") == 0,
       "\"Name <addr>\" gives the address (%s)", out);

    out[0] = '\0';
    ok(inc_mail_address("status@example.com", out, sizeof(out))
       && strcmp(out, "status@example.com") == 0,
       "a bare address is itself (%s)", out);

    out[0] = '\0';
    ok(inc_mail_address("\"Ops, Inc.\" <ops@example.com>", out, sizeof(out))
       && strcmp(out, "ops@example.com") == 0,
       "a quoted display name with a comma (%s)", out);

    out[0] = '\0';
    ok(inc_mail_address("<ops@example.com>", out, sizeof(out))
       && strcmp(out, "ops@example.com") == 0,
       "an address in angle brackets without a name (%s)", out);

    ok(!inc_mail_address("Status <status@example.com", out, sizeof(out)),
       "no closing '>': refused");
    ok(!inc_mail_address("Status <not an address>", out, sizeof(out)),
       "not an address inside the brackets: refused");
    ok(!inc_mail_address("Status", out, sizeof(out)), "a name alone: refused");
    ok(!inc_mail_address("", out, sizeof(out)), "empty: refused");
    ok(!inc_mail_address("Status <>", out, sizeof(out)),
       "empty brackets: refused");
    ok(!inc_mail_address("status@example.com", out, 18),
       "a buffer too small for address and NUL: refused");
    ok(inc_mail_address("status@example.com", out, 19),
       "a buffer just large enough");
}


/* mail messages */

static char *
message(const char *from, const char *to, const char *subject,
    const char *message_id, const char *unsubscribe, const char *text,
    const char *html, size_t *len)
{
    inc_mail_t  m;

    m.from = from;
    m.to = to;
    m.subject = subject;
    m.message_id = message_id;
    m.unsubscribe = unsubscribe;
    m.text = text;
    m.html = html;
    m.date = NOW;

    return inc_mail_message(&m, len);
}


static void
test_mail_headers(void)
{
    char          *msg, *v;
    size_t         len;
    mail_parts_t   m;

    msg = message(MAIL_FROM, "user@example.org",
                  "[Investigating] Database issues",
                  "<42.9f86d081884c7d65@status.example.com>",
                  BASE_URL "/unsubscribe?token=7.abc",
                  "Database issues\n\nInvestigating - looking.\n",
                  "<p>Database issues</p>\n", &len);

    if (!ok(msg != NULL, "inc_mail_message() makes a message")) {
        return;
    }

    is_int(len, strlen(msg), "the length given is the message's");

    mail_parse(msg, len, &m);

    ok(m.crlf, "CRLF line ends only, ending with one");
    ok(m.longest <= 998, "no line over 998 octets (longest %zu)", m.longest);
    ok(m.longest <= 78, "no line over 78 characters (longest %zu)",
       m.longest);

    is_str(hdr(msg, "From"), MAIL_FROM, "From:");
    is_str(hdr(msg, "To"), "user@example.org", "To:");
    is_str(hdr(msg, "Subject"), "[Investigating] Database issues",
           "an ASCII Subject: stays plain");
    is_str(hdr(msg, "Date"), "Fri, 27 Nov 2026 10:00:00 +0000",
           "Date: in RFC 5322 form, UTC");
    is_str(hdr(msg, "Message-ID"),
           "<42.9f86d081884c7d65@status.example.com>", "Message-ID:");
    is_str(hdr(msg, "List-Unsubscribe"),
           "<" BASE_URL "/unsubscribe?token=7.abc>",
           "List-Unsubscribe: the URL in angle brackets");
    is_str(hdr(msg, "List-Unsubscribe-Post"), "List-Unsubscribe=One-Click",
           "List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058)");
    is_str(hdr(msg, "Auto-Submitted"), "auto-generated",
           "Auto-Submitted: auto-generated");
    is_str(hdr(msg, "MIME-Version"), "1.0", "MIME-Version: 1.0");

    v = hdr(msg, "Content-Type");
    ok(v != NULL && strncmp(v, "multipart/alternative;", 22) == 0
       && has(v, "boundary=\""),
       "Content-Type: multipart/alternative with a boundary (%s)",
       v ? v : "none");

    ok(hdr_n(msg, "From", 1) == NULL && hdr_n(msg, "To", 1) == NULL
       && hdr_n(msg, "Subject", 1) == NULL, "each header once");

    is_int(m.parts, 2, "two parts");
    ok(m.closed, "the closing delimiter ends the message");
    is_str(m.ctype[0], "text/plain; charset=UTF-8", "part 1 is text/plain");
    is_str(m.ctype[1], "text/html; charset=UTF-8", "part 2 is text/html");
    is_str(m.cte[0], "quoted-printable", "part 1 is quoted-printable");
    is_str(m.cte[1], "quoted-printable", "part 2 is quoted-printable");
    is_str(m.content[0], "Database issues\n\nInvestigating - looking.\n",
           "the text part decodes to the text");
    is_str(m.content[1], "<p>Database issues</p>\n",
           "the HTML part decodes to the HTML");

    mail_parts_free(&m);
    free(msg);

    /* no unsubscribe URL: no List-Unsubscribe headers */
    msg = message(MAIL_FROM, "user@example.org", "Hello", "<1.a@h>", NULL,
                  "x", "y", &len);

    ok(msg != NULL && hdr(msg, "List-Unsubscribe") == NULL
       && hdr(msg, "List-Unsubscribe-Post") == NULL,
       "without an unsubscribe URL there is no List-Unsubscribe");

    free(msg);
}


static void
test_mail_injection(void)
{
    int          i, n;
    char        *msg, subject[512];
    size_t       len, longest;
    const char  *v;
    int          words;

    static const char  *evil[] = {
        "\r\nBcc: evil@x.com",
        "\nBcc: evil@x.com",
        "\rBcc: evil@x.com",
        "\r\n\r\nBcc: evil@x.com",
        "\r\n Bcc: evil@x.com",
    };

    for (i = 0; i < (int) (sizeof(evil) / sizeof(evil[0])); i++) {
        char  from[256], to[256], mid[256], unsub[256], subj[256];

        snprintf(from, sizeof(from), "Status <s@example.com>%s", evil[i]);
        snprintf(to, sizeof(to), "user@example.org%s", evil[i]);
        snprintf(mid, sizeof(mid), "<1.a@h>%s", evil[i]);
        snprintf(unsub, sizeof(unsub), BASE_URL "/unsubscribe?t=1%s",
                 evil[i]);
        snprintf(subj, sizeof(subj), "Hello%s", evil[i]);

        msg = message(from, to, subj, mid, unsub, "text", "html", &len);
        if (msg == NULL) {
            ok(0, "injection %d: a message", i);
            continue;
        }

        n = lines_starting(msg, "Bcc:");

        ok(n == 0 && !has(msg, "\nBcc") && !has(msg, "\rBcc"),
           "injection %d: no line starts with Bcc:", i);
        ok(crlf_only(msg, len, &longest),
           "injection %d: still CRLF line ends only", i);

        v = hdr(msg, "Subject");
        ok(v != NULL
           && rfc2047_decode(v, subject, sizeof(subject), &longest, &words)
              >= 0
           && strpbrk(subject, "\r\n") == NULL
           && has(subject, "Bcc: evil@x.com"),
           "injection %d: the subject keeps the text, without line breaks "
           "(%s)", i, printable(subject));

        free(msg);
    }
}


/* a subject through a message and the test's RFC 2047 decoder */
static int
subject_round_trip(const char *subject, const char *name,
    size_t *subject_line)
{
    int          words, pass;
    char        *msg, *v, decoded[8192];
    long         n;
    size_t       len, longest, wlongest, i;
    const char  *p, *eol;

    words = 0;
    msg = message(MAIL_FROM, "u@example.org", subject, "<1.a@h>", NULL,
                  "t", "h", &len);
    if (msg == NULL) {
        return ok(0, "%s: a message", name);
    }

    v = hdr(msg, "Subject");
    n = v ? rfc2047_decode(v, decoded, sizeof(decoded), &wlongest, &words)
          : -1;

    pass = ok(n >= 0 && words > 0,
              "%s: the Subject: is RFC 2047 encoded words of valid base64, "
              "each of whole UTF-8 characters (%d words)", name, words);
    pass &= is_str(n >= 0 ? decoded : "(undecodable)", subject,
                   "%s: the encoded words decode to the subject", name);
    pass &= ok(wlongest <= 75, "%s: no encoded word over 75 characters "
               "(longest %zu)", name, wlongest);

    /* the lines of the Subject: header that hold encoded words */
    longest = 0;
    p = strstr(msg, "\r\nSubject: ") + 2;

    for (i = 0; p != NULL; i++) {
        eol = strstr(p, "\r\n");
        if ((size_t) (eol - p) > longest) {
            longest = (size_t) (eol - p);
        }
        p = eol + 2;
        if (*p != ' ' && *p != '\t') {
            break;
        }
    }

    pass &= ok(crlf_only(msg, len, &len) && len <= 998,
               "%s: CRLF only, no line over 998", name);
    if (longest > *subject_line) {
        *subject_line = longest;
    }

    free(msg);

    return pass;
}


static void
test_mail_subject_encoding(void)
{
    char    buf[4096];
    size_t  longest;

    longest = 0;

    subject_round_trip("[Investigating] St\xc3\xb6rung in Z\xc3\xbcrich",
                       "a short non-ASCII subject",
                       &longest);
    subject_round_trip("[Identified] \xe6\x9d\xb1\xe4\xba\xac \xe2\x80\x94 "
                       "\xf0\x9f\x9a\x80 API latency in the Asia-Pacific "
                       "region, users see timeouts on checkout",
                       "CJK, an em dash and an emoji in a long subject",
                       &longest);

    snprintf(buf, sizeof(buf), "[Investigating] %s",
             repeat("\xe2\x82\xac", 150));
    subject_round_trip(buf, "150 three-octet characters",
                       &longest);

    snprintf(buf, sizeof(buf), "%s", repeat("\xf0\x9f\x94\xa5", 60));
    subject_round_trip(buf, "60 four-octet characters",
                       &longest);

    snprintf(buf, sizeof(buf), "a%s", repeat("\xc3\xa9", 100));
    subject_round_trip(buf, "two-octet characters off by one",
                       &longest);

    snprintf(buf, sizeof(buf), "%s", repeat("0123456789", 95));
    subject_round_trip(buf, "an ASCII subject of 950 characters",
                       &longest);

    ok(longest <= 76, "no line of an encoded Subject: header is over 76 "
       "characters, as RFC 2047 section 2 requires (longest %zu)", longest);
}


/* a mail with this text and HTML: both decode back exactly */
static int
qp_round_trip(const char *text, const char *html)
{
    int            pass;
    char          *msg;
    size_t         len;
    mail_parts_t   m;

    msg = message(MAIL_FROM, "u@example.org", "s", "<1.a@h>", NULL, text,
                  html, &len);
    if (msg == NULL) {
        return 0;
    }

    mail_parse(msg, len, &m);

    pass = m.crlf && m.longest <= 998 && m.parts == 2 && m.closed
           && m.qp_ok[0] && m.qp_ok[1]
           && m.content[0] != NULL && strcmp(m.content[0], text) == 0
           && m.content[1] != NULL && strcmp(m.content[1], html) == 0;

    if (!pass) {
        diag("crlf %d longest %zu parts %d closed %d qp %d/%d", m.crlf,
             m.longest, m.parts, m.closed, m.qp_ok[0], m.qp_ok[1]);
        diag("text in:  '%s'", text);
        diag("text out: '%s'", m.content[0] ? m.content[0] : "(none)");
    }

    mail_parts_free(&m);
    free(msg);

    return pass;
}


static void
test_mail_quoted_printable(void)
{
    int       i, k, n, fails;
    char      text[2048], line[256];
    uint32_t  seed;

    static const char  *alphabet[] = {
        "a", "b", "Z", "0", " ", " ", "\t", "=", "==", "\n", "\n\n", ".",
        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x9a\x80", "-", "<", "&",
        "~", "?", "_", "=3D", "\x7f", "\x01",
    };

    ok(qp_round_trip("Hello, world.\n", "<p>Hello</p>\n"), "plain lines");
    ok(qp_round_trip("", ""), "empty parts");
    ok(qp_round_trip("no line end at the end", "x"),
       "a text without a final line end");
    ok(qp_round_trip("a=b==c =3D literal =\n=\n", "<a href=\"x?a=1&b=2\">"),
       "'=' signs, also at line ends and before hex digits");
    ok(qp_round_trip("trailing   \nspaces \t\nend ", "tab\t"),
       "trailing spaces and tabs, also at the very end");
    ok(qp_round_trip("Z\xc3\xbcrich \xe2\x80\x94 \xe6\x9d\xb1\xe4\xba\xac "
                     "\xf0\x9f\x9a\x80\n",
                     "<p>\xc3\xa9t\xc3\xa9</p>"), "UTF-8");
    ok(qp_round_trip(repeat("x", 300), repeat("y", 1000)),
       "long lines without spaces");
    ok(qp_round_trip(repeat("word ", 100), repeat("\xc3\xa9", 400)),
       "long lines of words, long UTF-8 lines");
    ok(qp_round_trip(repeat("=", 200), repeat(" =", 150)),
       "long lines of '=' signs");
    ok(qp_round_trip(".\n..\nFrom here\n", "\n\n\n"),
       "dots and From at line starts, empty lines");
    ok(qp_round_trip("\x01\x02 control \x1b[31m red\x7f\n", "\r"),
       "control characters and a lone CR");

    /* a space or '=' at each position around the soft line break */
    fails = 0;

    for (n = 60; n < 100; n++) {
        for (k = 0; k < 3; k++) {
            memset(line, k == 2 ? '=' : 'a', sizeof(line));
            line[n - 1] = k == 1 ? '=' : ' ';
            line[n] = 'b';
            line[n + 1] = '\n';
            line[n + 2] = '\0';

            if (!qp_round_trip(line, line)) {
                fails++;
            }

            line[n] = '\0';     /* ending in the space or '=' */

            if (!qp_round_trip(line, line)) {
                fails++;
            }
        }
    }

    is_int(fails, 0, "a space or '=' at columns 60-99 round trips");

    /* random texts from a small alphabet (a fixed seed) */
    seed = 20261127;
    fails = 0;

    for (i = 0; i < 300; i++) {
        text[0] = '\0';
        n = 0;

        while (n < 1500) {
            seed = seed * 1103515245 + 12345;
            k = (int) ((seed >> 16)
                       % (sizeof(alphabet) / sizeof(alphabet[0])));
            n += snprintf(text + n, sizeof(text) - n, "%s", alphabet[k]);
            seed = seed * 1103515245 + 12345;
            if ((seed >> 16) % 97 == 0) {
                break;
            }
        }

        if (!qp_round_trip(text, text)) {
            fails++;
        }
    }

    is_int(fails, 0, "300 random texts round trip through quoted-printable "
           "with sound encoding (lines <= 76, no trailing white space)");

    /* CRLF in the input is a line end like LF */
    {
        char          *msg;
        size_t         len;
        mail_parts_t   m;

        msg = message(MAIL_FROM, "u@example.org", "s", "<1.a@h>", NULL,
                      "one\r\ntwo\r\n", "x", &len);
        mail_parse(msg, len, &m);
        is_str(m.content[0], "one\ntwo\n", "CRLF in the text is one line end");
        mail_parts_free(&m);
        free(msg);
    }
}


/* what each channel says */

#define INCIDENT_DOC                                                         \
    "{\"id\": 7,"                                                            \
    " \"title\": \"Database <script>alert(1)</script> & co\","               \
    " \"status\": \"investigating\", \"impact\": \"major\","                 \
    " \"componentIds\": [1, 2],"                                             \
    " \"createdAt\": \"2026-11-27T09:15:00Z\","                              \
    " \"startedAt\": \"2026-11-27T09:15:00Z\","                              \
    " \"updatedAt\": \"2026-11-27T10:00:00Z\","                              \
    " \"resolvedAt\": null, \"durationSeconds\": null,"                      \
    " \"url\": \"https://status.example.com/incidents/7\","                  \
    " \"updates\": []}"

#define UPDATE_DOC                                                           \
    "{\"id\": 3, \"status\": \"investigating\","                             \
    " \"message\": \"We are <b>looking</b> into it & <script>x()</script>\","\
    " \"componentIds\": [1], \"notify\": true,"                              \
    " \"createdAt\": \"2026-11-27T10:00:00Z\","                              \
    " \"updatedAt\": \"2026-11-27T10:00:00Z\"}"

#define RESOLVED_DOC                                                         \
    "{\"id\": 7, \"title\": \"Database issues\","                            \
    " \"status\": \"resolved\", \"impact\": \"critical\","                   \
    " \"componentIds\": [1],"                                                \
    " \"createdAt\": \"2026-11-27T09:15:00Z\","                              \
    " \"startedAt\": \"2026-11-27T09:15:00Z\","                              \
    " \"updatedAt\": \"2026-11-27T10:00:00Z\","                              \
    " \"resolvedAt\": \"2026-11-27T10:00:00Z\", \"durationSeconds\": 2700,"  \
    " \"url\": \"https://status.example.com/incidents/7\","                  \
    " \"updates\": []}"

#define RESOLVED_UPDATE_DOC                                                  \
    "{\"id\": 4, \"status\": \"resolved\", \"message\": \"Fixed.\","         \
    " \"componentIds\": [], \"notify\": true,"                               \
    " \"createdAt\": \"2026-11-27T10:00:00Z\","                              \
    " \"updatedAt\": \"2026-11-27T10:00:00Z\"}"


static cJSON *
parse(const char *json)
{
    cJSON  *j;

    j = cJSON_Parse(json);
    if (j == NULL) {
        diag("the test's own JSON does not parse: %s", json);
        abort();
    }

    return j;
}


static void
event(inc_event_t *ev, const char *type, const cJSON *incident,
    const cJSON *update, const char *components)
{
    memset(ev, 0, sizeof(inc_event_t));
    ev->type = type;
    ev->incident = incident;
    ev->update = update;
    ev->page_title = "Acme Status";
    ev->base_url = BASE_URL;
    ev->components = components;
}


static void
test_message_mail(void)
{
    cJSON            *inc, *upd, *res, *rupd;
    inc_event_t       ev;
    inc_mail_body_t   m;

    inc = parse(INCIDENT_DOC);
    upd = parse(UPDATE_DOC);
    res = parse(RESOLVED_DOC);
    rupd = parse(RESOLVED_UPDATE_DOC);

    event(&ev, "incident.created", inc, upd, "API, Dashboard");

    is_int(inc_message_mail(&ev, BASE_URL "/unsubscribe?token=1.ab&x=<y>",
                            &m), 0, "inc_message_mail()");

    is_str(m.subject, "[Investigating] Database <script>alert(1)</script> "
           "& co", "subject: [Label] title");

    ok(has(m.text, "Database <script>alert(1)</script> & co\n"),
       "text: the title");
    ok(has(m.text, "Investigating - We are <b>looking</b> into it & "
           "<script>x()</script>"), "text: \"Investigating - message\"");
    ok(has(m.text, "Impact: Major\n"), "text: the impact's label");
    ok(has(m.text, "Affected components: API, Dashboard\n"),
       "text: the affected components");
    ok(!has(m.text, "Duration"), "text: no duration while unresolved");
    ok(has(m.text, "Posted: 27 Nov 2026 10:00 UTC\n"),
       "text: when the update was posted");
    ok(has(m.text, "View the incident: https://status.example.com/"
           "incidents/7\n"), "text: the incident's URL");
    ok(has(m.text, "Unsubscribe: " BASE_URL "/unsubscribe?token=1.ab&x=<y>"),
       "text: the unsubscribe URL");
    ok(has(m.text, "Acme Status"), "text: the page's title");

    ok(!has(m.html, "<script"), "HTML: no <script> anywhere");
    ok(!has(m.html, "<b>"), "HTML: the message's raw HTML is not passed");
    ok(has(m.html, "<h1 style=\"font-size:20px\">Database &lt;script&gt;"
           "alert(1)&lt;/script&gt; &amp; co</h1>"),
       "HTML: the title escaped");
    ok(has(m.html, "<title>[Investigating] Database &lt;script&gt;"),
       "HTML: <title> escaped");
    ok(has(m.html, "into it &amp; "), "HTML: the message's & escaped");
    ok(has(m.html, "Impact: Major"), "HTML: impact");
    ok(has(m.html, "Affected components: API, Dashboard"),
       "HTML: components");
    ok(has(m.html, "href=\"https://status.example.com/incidents/7\""),
       "HTML: a link to the incident");
    ok(has(m.html, "href=\"" BASE_URL "/unsubscribe?token=1.ab&amp;x=&lt;y"
           "&gt;\""), "HTML: the unsubscribe link, escaped");
    ok(utf8_ok(m.html, strlen(m.html)) && utf8_ok(m.text, strlen(m.text)),
       "text and HTML are UTF-8");

    inc_mail_body_free(&m);

    /* no components, no update: the incident's own status and start */
    event(&ev, "incident.created", inc, NULL, "");
    is_int(inc_message_mail(&ev, NULL, &m), 0, "a mail without an update");
    is_str(m.subject, "[Investigating] Database <script>alert(1)</script> "
           "& co", "subject from the incident's status");
    ok(has(m.text, "\n\nInvestigating\n\nImpact: Major\n"),
       "text: the label without \" - \"");
    ok(!has(m.text, "Affected components"), "text: no components line");
    ok(has(m.text, "Posted: 27 Nov 2026 09:15 UTC"),
       "text: posted when the incident started");
    ok(!has(m.text, "Unsubscribe:"), "text: no unsubscribe line without URL");
    ok(!has(m.html, "Affected components"), "HTML: no components line");
    inc_mail_body_free(&m);

    /* resolved: the label and the duration */
    event(&ev, "incident.resolved", res, rupd, "API");
    is_int(inc_message_mail(&ev, NULL, &m), 0, "a resolution mail");
    is_str(m.subject, "[Resolved] Database issues", "subject: [Resolved]");
    ok(has(m.text, "Resolved - Fixed."), "text: Resolved - message");
    ok(has(m.text, "Impact: Critical\n"), "text: Critical");
    ok(has(m.text, "Duration: 45 minutes\n"), "text: Duration: 45 minutes");
    ok(has(m.html, "<li>Duration: 45 minutes</li>"), "HTML: the duration");
    inc_mail_body_free(&m);

    cJSON_Delete(inc);
    cJSON_Delete(upd);
    cJSON_Delete(res);
    cJSON_Delete(rupd);
}


static void
test_message_confirm(void)
{
    inc_mail_body_t  m;

    is_int(inc_message_confirm_mail("Acme <b>Status</b>",
                                    BASE_URL "/subscribe/confirm?token=5.ff&a",
                                    BASE_URL "/unsubscribe?token=5.ee",
                                    7 * 86400, &m),
           0, "inc_message_confirm_mail()");

    is_str(m.subject, "Confirm your subscription to Acme <b>Status</b>",
           "subject: Confirm your subscription to <pageTitle>");
    ok(has(m.text, BASE_URL "/subscribe/confirm?token=5.ff&a"),
       "text: the confirmation URL");
    ok(has(m.text, "7 days"), "text: how long the link works");
    ok(has(m.text, "Unsubscribe: " BASE_URL "/unsubscribe?token=5.ee"),
       "text: the unsubscribe URL");
    ok(has(m.html, "href=\"" BASE_URL "/subscribe/confirm?token=5.ff&amp;a\""),
       "HTML: the confirmation link, escaped");
    ok(has(m.html, "Acme &lt;b&gt;Status&lt;/b&gt;") && !has(m.html, "<b>"),
       "HTML: the page title escaped");
    inc_mail_body_free(&m);

    is_int(inc_message_confirm_mail("S", "u", NULL, 3600, &m), 0,
           "a confirmation mail for an hour");
    ok(has(m.text, "1 hour"), "text: 1 hour");
    inc_mail_body_free(&m);
}


static void
test_message_webhook(void)
{
    char         *json;
    cJSON        *inc, *upd, *doc;
    inc_event_t   ev;

    inc = parse(INCIDENT_DOC);
    upd = parse(UPDATE_DOC);

    event(&ev, "incident.created", inc, upd, "API, Dashboard");
    json = inc_message_webhook(&ev);
    doc = json ? cJSON_Parse(json) : NULL;

    if (ok(doc != NULL, "the webhook JSON parses")) {
        is_str(S(doc, "type"), "incident.created", "type");
        is_str(S(doc, "timestamp"), "2026-11-27T10:00:00Z",
               "timestamp: when the update was posted");
        is_str(S(doc, "data.page.title"), "Acme Status", "data.page.title");
        is_str(S(doc, "data.page.url"), BASE_URL, "data.page.url");
        ok(cJSON_Compare(at(doc, "data.incident"), inc, 1),
           "data.incident is the API incident document");
        ok(cJSON_Compare(at(doc, "data.update"), upd, 1),
           "data.update is the API update document");
        is_str(S(doc, "data.incident.title"),
               "Database <script>alert(1)</script> & co",
               "the title as it is (JSON needs no HTML escaping)");
    }

    cJSON_Delete(doc);
    free(json);

    event(&ev, "incident.updated", inc, NULL, "");
    json = inc_message_webhook(&ev);
    doc = json ? cJSON_Parse(json) : NULL;

    if (ok(doc != NULL, "the webhook JSON without an update parses")) {
        is_str(S(doc, "type"), "incident.updated", "type incident.updated");
        is_str(S(doc, "timestamp"), "2026-11-27T09:15:00Z",
               "timestamp: the incident's creation without an update");
        ok(cJSON_IsNull(at(doc, "data.update")), "data.update is null");
        is_int(N(doc, "data.incident.id"), 7, "data.incident.id");
    }

    cJSON_Delete(doc);
    free(json);
    cJSON_Delete(inc);
    cJSON_Delete(upd);
}


static void
test_message_slack(void)
{
    char         *json, title[1024];
    cJSON        *inc, *upd, *res, *rupd, *doc;
    const char   *text;
    inc_event_t   ev;

    inc = parse(INCIDENT_DOC);
    upd = parse(UPDATE_DOC);
    res = parse(RESOLVED_DOC);
    rupd = parse(RESOLVED_UPDATE_DOC);

    event(&ev, "incident.created", inc, upd, "API, Dashboard & <Web>");
    json = inc_message_slack(&ev);
    doc = json ? cJSON_Parse(json) : NULL;

    if (ok(doc != NULL, "Slack: the JSON parses")) {
        is_str(S(doc, "text"),
               "*[Investigating] <https://status.example.com/incidents/7|"
               "Database &lt;script&gt;alert(1)&lt;/script&gt; &amp; co>*\n"
               "We are &lt;b&gt;looking&lt;/b&gt; into it &amp; "
               "&lt;script&gt;x()&lt;/script&gt;\n"
               "Impact: Major \xc2\xb7 Components: API, Dashboard &amp; "
               "&lt;Web&gt;",
               "Slack: the text, & < > escaped everywhere");
        is_int(cJSON_GetArraySize(doc), 1, "Slack: only \"text\"");
    }

    cJSON_Delete(doc);
    free(json);

    event(&ev, "incident.resolved", res, rupd, "");
    json = inc_message_slack(&ev);
    doc = json ? cJSON_Parse(json) : NULL;

    is_str(S(doc, "text"),
           "*[Resolved] <https://status.example.com/incidents/7|Database "
           "issues>*\nFixed.\nImpact: Critical \xc2\xb7 Duration: 45 minutes",
           "Slack: resolved, with the duration, without components");

    cJSON_Delete(doc);
    free(json);

    /* long UTF-8 texts are cut on a character boundary, one at a time */
    snprintf(title, sizeof(title), "%s", repeat("\xe2\x82\xac", 100));
    cJSON_ReplaceItemInObject(inc, "title", cJSON_CreateString(title));

    event(&ev, "incident.created", inc, NULL, "");
    json = inc_message_slack(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    text = S(doc, "text");
    ok(doc != NULL && utf8_ok(text, strlen(text)),
       "Slack: a title of 100 three-octet characters (300 octets) is "
       "valid UTF-8 in the text");
    cJSON_Delete(doc);
    free(json);

    cJSON_ReplaceItemInObject(inc, "title", cJSON_CreateString("T"));
    cJSON_ReplaceItemInObject(upd, "message",
                              cJSON_CreateString(repeat("\xe2\x82\xac",
                                                        1000)));
    event(&ev, "incident.created", inc, upd, "");
    json = inc_message_slack(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    text = S(doc, "text");
    ok(doc != NULL && utf8_ok(text, strlen(text)),
       "Slack: a message of 1000 three-octet characters (3000 octets) is "
       "valid UTF-8 in the text");
    cJSON_Delete(doc);
    free(json);

    snprintf(title, sizeof(title), "x%s", repeat("\xc3\xa9", 300));
    event(&ev, "incident.created", inc, NULL, title);
    json = inc_message_slack(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    text = S(doc, "text");
    ok(doc != NULL && utf8_ok(text, strlen(text)),
       "Slack: components of 601 octets (\"x\" and 300 two-octet "
       "characters) are valid UTF-8 in the text");
    cJSON_Delete(doc);
    free(json);

    event(&ev, "incident.created", inc, NULL, repeat("\xc3\xa9", 200));
    json = inc_message_slack(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    ok(has(S(doc, "text"), repeat("\xc3\xa9", 200)),
       "Slack: components of 400 octets are kept whole");
    cJSON_Delete(doc);
    free(json);

    cJSON_Delete(inc);
    cJSON_Delete(upd);
    cJSON_Delete(res);
    cJSON_Delete(rupd);
}


static void
test_message_discord(void)
{
    char         *json, expect[64];
    cJSON        *inc, *upd, *res, *rupd, *doc;
    const char   *d, *t;
    inc_event_t   ev;

    inc = parse(INCIDENT_DOC);
    upd = parse(UPDATE_DOC);
    res = parse(RESOLVED_DOC);
    rupd = parse(RESOLVED_UPDATE_DOC);

    cJSON_ReplaceItemInObject(upd, "message",
                              cJSON_CreateString("@everyone the API is "
                                                 "down <@123>"));

    event(&ev, "incident.created", inc, upd, "API, Dashboard");
    json = inc_message_discord(&ev);
    doc = json ? cJSON_Parse(json) : NULL;

    if (ok(doc != NULL, "Discord: the JSON parses")) {
        is_str(S(doc, "embeds.0.title"),
               "[Investigating] Database <script>alert(1)</script> & co",
               "Discord: embed title");
        is_str(S(doc, "embeds.0.url"), "https://status.example.com/"
               "incidents/7", "Discord: embed url");
        is_str(S(doc, "embeds.0.description"),
               "@everyone the API is down <@123>",
               "Discord: description is the message");
        is_int(N(doc, "embeds.0.color"), 0xe16f24, "Discord: major is orange");
        is_str(S(doc, "embeds.0.timestamp"), "2026-11-27T10:00:00Z",
               "Discord: timestamp of the update");
        is_str(S(doc, "embeds.0.fields.0.name"), "Impact", "field Impact");
        is_str(S(doc, "embeds.0.fields.0.value"), "Major", "Impact: Major");
        is_str(S(doc, "embeds.0.fields.1.name"), "Components",
               "field Components");
        is_str(S(doc, "embeds.0.fields.1.value"), "API, Dashboard",
               "Components: the names");
        ok(at(doc, "embeds.0.fields.2") == NULL, "no Duration field");
        ok(cJSON_IsArray(at(doc, "allowed_mentions.parse"))
           && cJSON_GetArraySize(at(doc, "allowed_mentions.parse")) == 0,
           "Discord: allowed_mentions.parse is [] (nobody is pinged)");
    }

    cJSON_Delete(doc);
    free(json);

    event(&ev, "incident.resolved", res, rupd, "");
    json = inc_message_discord(&ev);
    doc = json ? cJSON_Parse(json) : NULL;

    is_str(S(doc, "embeds.0.title"), "[Resolved] Database issues",
           "Discord: resolved title");
    is_int(N(doc, "embeds.0.color"), 0xd1242f, "Discord: critical is red");
    is_str(S(doc, "embeds.0.fields.1.name"), "Duration",
           "Discord: the Duration field follows Impact without components");
    is_str(S(doc, "embeds.0.fields.1.value"), "45 minutes",
           "Discord: Duration: 45 minutes");

    cJSON_Delete(doc);
    free(json);

    /* no message: no description */
    event(&ev, "incident.created", inc, NULL, "");
    json = inc_message_discord(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    ok(doc != NULL && at(doc, "embeds.0.description") == NULL,
       "Discord: no description without a message");
    is_str(S(doc, "embeds.0.timestamp"), "2026-11-27T09:15:00Z",
           "Discord: the incident's start without an update");
    cJSON_Delete(doc);
    free(json);

    /* a long message: cut to at most 4000 octets of whole characters */
    cJSON_ReplaceItemInObject(upd, "message",
                              cJSON_CreateString(repeat("\xe2\x82\xac",
                                                        2000)));
    event(&ev, "incident.created", inc, upd, "");
    json = inc_message_discord(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    d = S(doc, "embeds.0.description");

    ok(strlen(d) <= 4000 && strlen(d) >= 3990, "Discord: the description "
       "is cut to 4000 octets at most (%zu)", strlen(d));
    ok(utf8_ok(d, strlen(d)), "Discord: the cut description is valid UTF-8");
    is_int(strlen(d) % 3, 0, "Discord: cut between characters");
    ok(strncmp(d, repeat("\xe2\x82\xac", 2000), strlen(d)) == 0,
       "Discord: the description is the message's start");
    cJSON_Delete(doc);
    free(json);

    /* four-octet characters, cut exactly at 4000 */
    cJSON_ReplaceItemInObject(upd, "message",
                              cJSON_CreateString(repeat("\xf0\x9f\x9a\x80",
                                                        1500)));
    json = inc_message_discord(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    d = S(doc, "embeds.0.description");
    ok(strlen(d) == 4000 && utf8_ok(d, strlen(d)),
       "Discord: 1500 emoji give 1000 whole ones (%zu octets)", strlen(d));
    cJSON_Delete(doc);
    free(json);

    /* a title of 100 three-octet characters (300 octets) */
    cJSON_ReplaceItemInObject(inc, "title",
                              cJSON_CreateString(repeat("\xe2\x82\xac",
                                                        100)));
    event(&ev, "incident.created", inc, NULL, "");
    json = inc_message_discord(&ev);
    doc = json ? cJSON_Parse(json) : NULL;
    t = S(doc, "embeds.0.title");
    snprintf(expect, sizeof(expect), "[Investigating] ");
    ok(strncmp(t, expect, strlen(expect)) == 0 && utf8_ok(t, strlen(t)),
       "Discord: a long UTF-8 title is valid UTF-8 (%zu octets)", strlen(t));
    cJSON_Delete(doc);
    free(json);

    cJSON_Delete(inc);
    cJSON_Delete(upd);
    cJSON_Delete(res);
    cJSON_Delete(rupd);
}


/* webhooks */

#define VECTOR_SECRET     "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define VECTOR_ID         "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define VECTOR_TIMESTAMP  1614265330
#define VECTOR_BODY       "{\"test\": 2432232314}"
#define VECTOR_SIGNATURE  "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


/* the signature computed here, from the spec, with OpenSSL's HMAC */
static int
reference_sign(const char *secret, const char *id, long long ts,
    const char *body, char *out)
{
    long           klen;
    char           content[4096];
    unsigned int   maclen;
    unsigned char  key[128], mac[EVP_MAX_MD_SIZE];

    if (strncmp(secret, "whsec_", 6) != 0) {
        return -1;
    }

    klen = b64_decode(secret + 6, strlen(secret + 6), key);
    if (klen <= 0) {
        return -1;
    }

    snprintf(content, sizeof(content), "%s.%lld.%s", id, ts, body);

    if (HMAC(EVP_sha256(), key, (int) klen, (unsigned char *) content,
             strlen(content), mac, &maclen) == NULL)
    {
        return -1;
    }

    memcpy(out, "v1,", 3);
    b64_encode(mac, maclen, out + 3);

    return 0;
}


static void
test_webhook_sign(void)
{
    int            i;
    char           sig[64], ref[64], other[64], s1[80], s2[80];
    long           n;
    unsigned char  key[64];

    static const char  *bad[] = {
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La!aSw",
        "whsec_====",
        "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "",
    };

    memset(sig, 0, sizeof(sig));
    is_int(inc_webhook_sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP,
                            VECTOR_BODY, strlen(VECTOR_BODY), sig,
                            sizeof(sig)),
           0, "inc_webhook_sign() on the Standard Webhooks test vector");
    is_str(sig, VECTOR_SIGNATURE, "the reference signature");
    ok(strlen(sig) == 3 + 44 && strlen(sig) <= INC_WEBHOOK_SIGNATURE_LEN,
       "\"v1,\" and 44 base64 characters, within "
       "INC_WEBHOOK_SIGNATURE_LEN");

    ok(reference_sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP,
                      VECTOR_BODY, ref) == 0
       && strcmp(ref, VECTOR_SIGNATURE) == 0,
       "the test's own HMAC agrees with the vector");

    is_int(inc_webhook_sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP,
                            VECTOR_BODY, strlen(VECTOR_BODY), sig,
                            INC_WEBHOOK_SIGNATURE_LEN),
           -1, "an output buffer without room for the NUL: refused");

    inc_webhook_sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP + 1,
                     VECTOR_BODY, strlen(VECTOR_BODY), other, sizeof(other));
    ok(strcmp(other, VECTOR_SIGNATURE) != 0, "another timestamp, another "
       "signature");

    inc_webhook_sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP,
                     "{\"test\": 2432232315}", strlen(VECTOR_BODY), other,
                     sizeof(other));
    ok(strcmp(other, VECTOR_SIGNATURE) != 0, "another body, another "
       "signature");

    /* the body's length is what is signed, not up to a NUL */
    inc_webhook_sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP,
                     VECTOR_BODY "trailing", strlen(VECTOR_BODY), other,
                     sizeof(other));
    is_str(other, VECTOR_SIGNATURE, "only \"len\" octets of the body count");

    for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++) {
        is_int(inc_webhook_sign(bad[i], VECTOR_ID, VECTOR_TIMESTAMP,
                                VECTOR_BODY, strlen(VECTOR_BODY), sig,
                                sizeof(sig)),
               -1, "a bad secret is refused: '%s'", bad[i]);
    }

    /* fresh secrets */
    memset(s1, 0, sizeof(s1));
    memset(s2, 0, sizeof(s2));

    is_int(inc_webhook_secret_new(s1, sizeof(s1)), 0,
           "inc_webhook_secret_new()");
    inc_webhook_secret_new(s2, sizeof(s2));

    ok(strncmp(s1, "whsec_", 6) == 0, "a secret starts with whsec_ (%s)", s1);
    is_int(strlen(s1), 6 + 32, "whsec_ and 32 base64 characters");
    n = b64_decode(s1 + 6, strlen(s1 + 6), key);
    is_int(n, 24, "the base64 decodes to 24 random octets");
    ok(strcmp(s1, s2) != 0, "each call gives another secret");
    ok(strlen(s1) <= INC_WEBHOOK_SECRET_LEN,
       "INC_WEBHOOK_SECRET_LEN holds it");
    is_int(inc_webhook_secret_new(s1, 38), -1,
           "a buffer without room for the NUL: refused");
    is_int(inc_webhook_secret_new(s1, 39), 0, "a buffer just large enough");

    /* a fresh secret signs as the spec says */
    ok(inc_webhook_sign(s2, "msg_1", NOW, "{}", 2, sig, sizeof(sig)) == 0
       && reference_sign(s2, "msg_1", NOW, "{}", ref) == 0
       && strcmp(sig, ref) == 0,
       "a fresh secret's signature matches the test's own HMAC");
}


static int
addr_public(const char *text)
{
    struct sockaddr_in   sin;
    struct sockaddr_in6  sin6;

    memset(&sin, 0, sizeof(sin));
    memset(&sin6, 0, sizeof(sin6));

    if (inet_pton(AF_INET, text, &sin.sin_addr) == 1) {
        sin.sin_family = AF_INET;
        return inc_addr_public((struct sockaddr *) &sin);
    }

    if (inet_pton(AF_INET6, text, &sin6.sin6_addr) == 1) {
        sin6.sin6_family = AF_INET6;
        return inc_addr_public((struct sockaddr *) &sin6);
    }

    diag("not an address: %s", text);
    abort();
}


static void
test_addr_public(void)
{
    size_t              i;
    struct sockaddr_un  sun;

    static const char  *private[] = {
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255",
        "172.16.0.1", "172.31.255.255", "192.168.0.1", "192.168.255.255",
        "169.254.169.254", "169.254.0.1", "100.64.0.1", "100.127.255.255",
        "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250",
        "240.0.0.1", "255.255.255.255", "192.0.0.8", "192.0.2.1",
        "198.18.0.1", "198.19.255.255", "198.51.100.7", "203.0.113.9",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
        "64:ff9b::10.0.0.1", "64:ff9b::127.0.0.1", "2001:db8::1",
        "2001::1", "::127.0.0.1", "100::1", "fec0::1",
    };

    static const char  *public[] = {
        "8.8.8.8", "1.1.1.1", "9.9.9.9", "172.15.255.255", "172.32.0.1",
        "100.63.255.255", "100.128.0.1", "169.253.255.255", "192.169.0.1",
        "198.17.255.255", "198.20.0.1", "223.255.255.255",
        "2606:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8",
        "64:ff9b::8.8.8.8", "2001:4860:4860::8888",
    };

    for (i = 0; i < sizeof(private) / sizeof(private[0]); i++) {
        ok(!addr_public(private[i]), "not public: %s", private[i]);
    }

    for (i = 0; i < sizeof(public) / sizeof(public[0]); i++) {
        ok(addr_public(public[i]), "public: %s", public[i]);
    }

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    ok(!inc_addr_public((struct sockaddr *) &sun), "not public: AF_UNIX");
}


static void
test_webhook_url(void)
{
    size_t  i;
    char    url[2100];

    static const char  *valid[] = {
        "https://hooks.example.com/in/abc",
        "http://example.com",
        "https://example.com:8443/path?q=1#frag",
        "HTTPS://EXAMPLE.COM/",
        "https://[2606:4700::1111]/hook",
        "https://example.com/a@b",
        "https://example.com?x=@y",
        "https://hooks.slack.com/services/T000/B000/XXXX",
        "https://discord.com/api/webhooks/1/abc-def_",
    };

    static const char  *invalid[] = {
        "",
        "example.com",
        "//example.com/x",
        "ftp://example.com/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "gopher://example.com/",
        "https://",
        "http://",
        "https:///path",
        "https://?x",
        "https://#x",
        "https://:443/",
        "https://user:pw@example.com/",
        "https://user@example.com/",
        "https://@example.com/",
        "https://exa mple.com/",
        "https://example.com/a b",
        "https://example.com/\r\nX-Evil: 1",
        "https://example.com\\@evil.com/",
        "https://example.com/\x7f",
        "https://ex\xc3\xa4mple.com/",
        "https://example.com/\t",
    };

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
        ok(inc_webhook_url_valid(valid[i], strlen(valid[i])),
           "URL valid: %s", valid[i]);
    }

    for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
        ok(!inc_webhook_url_valid(invalid[i], strlen(invalid[i])),
           "URL invalid: '%s'", printable(invalid[i]));
    }

    snprintf(url, sizeof(url), "https://example.com/%s",
             repeat("a", INC_URL_MAX - 20));
    is_int(strlen(url), INC_URL_MAX, "a URL of INC_URL_MAX octets");
    ok(inc_webhook_url_valid(url, strlen(url)), "... is valid");
    strcat(url, "b");
    ok(!inc_webhook_url_valid(url, strlen(url)), "one more octet is not");
}


/* link tokens */

static void
test_link_tokens(void)
{
    int            i, bad;
    char           tok[128], t2[160], *dot;
    size_t         len;
    unsigned char  secret[INC_SECRET_LEN], other[INC_SECRET_LEN];

    static const uint64_t  ids[] = {
        1, 7, 42, 1000, 123456789, 4294967296ULL, 9999999999999999ULL
    };

    for (i = 0; i < INC_SECRET_LEN; i++) {
        secret[i] = (unsigned char) (i * 7 + 3);
        other[i] = secret[i];
    }

    other[0] ^= 1;

    for (i = 0; i < (int) (sizeof(ids) / sizeof(ids[0])); i++) {
        inc_link_token(secret, "confirm", ids[i], tok, sizeof(tok));
        is_int(inc_link_token_check(secret, "confirm", tok, strlen(tok)),
               ids[i], "a token of %llu round trips (%s)",
               (unsigned long long) ids[i], tok);
    }

    inc_link_token(secret, "unsubscribe", 42, tok, sizeof(tok));
    len = strlen(tok);

    ok(strncmp(tok, "42.", 3) == 0 && len == 3 + 32
       && strspn(tok + 3, "0123456789abcdef") == 32,
       "the form: id, '.', 32 lower-case hex digits (%s)", tok);

    is_int(inc_link_token_check(secret, "unsubscribe", tok, len), 42,
           "checked with its purpose: 42");
    is_int(inc_link_token_check(secret, "confirm", tok, len), 0,
           "checked with another purpose: 0");
    is_int(inc_link_token_check(secret, "message-id", tok, len), 0,
           "another purpose again: 0");
    is_int(inc_link_token_check(other, "unsubscribe", tok, len), 0,
           "checked with another secret: 0");

    /* every single-character change of the MAC is refused */
    bad = 0;

    for (i = 3; i < (int) len; i++) {
        snprintf(t2, sizeof(t2), "%s", tok);
        t2[i] = t2[i] == '0' ? '1' : '0';
        bad += inc_link_token_check(secret, "unsubscribe", t2, len) != 0;
    }

    is_int(bad, 0, "no tampered MAC digit is accepted");

    snprintf(t2, sizeof(t2), "43%s", tok + 2);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, len), 0,
           "another id with the MAC of 42: 0");

    is_int(inc_link_token_check(secret, "unsubscribe", tok, len - 1), 0,
           "truncated by one: 0");
    is_int(inc_link_token_check(secret, "unsubscribe", tok, 3), 0,
           "the id and the dot alone: 0");
    is_int(inc_link_token_check(secret, "unsubscribe", tok, 2), 0,
           "the id alone: 0");

    snprintf(t2, sizeof(t2), "%s0", tok);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, len + 1), 0,
           "one digit more: 0");

    /* only "len" octets are read */
    snprintf(t2, sizeof(t2), "%sjunk", tok);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, len), 42,
           "only the given length is read");

    snprintf(t2, sizeof(t2), "%s", tok);
    for (dot = t2 + 3; *dot; dot++) {
        *dot = (char) (*dot >= 'a' ? *dot - 'a' + 'A' : *dot);
    }
    is_int(inc_link_token_check(secret, "unsubscribe", t2, len), 0,
           "upper-case hex: 0");

    /* leading zeros: another spelling of the id is not the token */
    snprintf(t2, sizeof(t2), "0%s", tok);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, len + 1), 0,
           "a leading zero: 0");

    inc_link_token(secret, "unsubscribe", 0, t2, sizeof(t2));
    is_int(inc_link_token_check(secret, "unsubscribe", t2, strlen(t2)), 0,
           "a token of id 0 is never accepted (%s)", t2);

    /* huge ids: no overflow, refused */
    inc_link_token(secret, "confirm", UINT64_MAX, t2, sizeof(t2));
    is_int(inc_link_token_check(secret, "confirm", t2, strlen(t2)), 0,
           "a 20-digit id is refused rather than wrapped (%s)", t2);

    snprintf(t2, sizeof(t2), "18446744073709551658.%s", tok + 3);
    is_int(inc_link_token_check(secret, "confirm", t2, strlen(t2)), 0,
           "an id past 2^64 is refused");

    snprintf(t2, sizeof(t2), "%s.%s", repeat("9", 40), tok + 3);
    is_int(inc_link_token_check(secret, "confirm", t2, strlen(t2)), 0,
           "a 40-digit id is refused");

    is_int(inc_link_token_check(secret, "confirm", "", 0), 0, "empty: 0");
    is_int(inc_link_token_check(secret, "confirm", ".", 1), 0, "'.': 0");
    snprintf(t2, sizeof(t2), ".%s", tok + 3);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, strlen(t2)), 0,
           "no id: 0");
    snprintf(t2, sizeof(t2), "4a.%s", tok + 3);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, strlen(t2)), 0,
           "a non-digit id: 0");
    snprintf(t2, sizeof(t2), "+42.%s", tok + 3);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, strlen(t2)), 0,
           "a signed id: 0");
    snprintf(t2, sizeof(t2), "42%s", tok + 3);
    is_int(inc_link_token_check(secret, "unsubscribe", t2, strlen(t2)), 0,
           "no dot: 0");
    is_int(inc_link_token_check(secret, "unsubscribe", repeat("1", 100), 100),
           0, "100 digits: 0");
}


/* the queue on a store */

typedef struct {
    inc_delivery_t  *items;
    unsigned         n;
    uint64_t         next_due;
    int              rc;
} leased_t;


static unsigned char      q_secret[INC_SECRET_LEN];
static inc_queue_conf_t   qconf;


static uint64_t
created_id(env_t *e)
{
    return e->res.status == 201 ? (uint64_t) N(e->res.body, "id") : 0;
}


static void
q_open(env_t *e)
{
    if (!env_open(e)) {
        printf("Bail out! no store\n");
        exit(255);
    }

    if (inc_store_secret(e->store, q_secret) != INC_OK) {
        printf("Bail out! no store secret\n");
        exit(255);
    }

    memset(&qconf, 0, sizeof(qconf));
    qconf.base_url = BASE_URL;
    qconf.mail_from = MAIL_FROM;
    qconf.secret = q_secret;
    qconf.lease_ms = 120 * 1000;
    qconf.backoff_ms = 30 * 1000;
    qconf.backoff_max_ms = 4 * HOUR_MS;
    qconf.attempts = 14;
    qconf.fanout_batch = 500;
    qconf.confirm_expiry = 7 * 86400;

    e->ctx.confirm_expiry = 7 * 86400;
    e->ctx.resend_after = 600;
}


static void
lease(env_t *e, uint64_t now_ms, unsigned max, leased_t *l)
{
    char  err[256];

    memset(l, 0, sizeof(leased_t));

    l->rc = inc_queue_lease(e->store, &qconf, now_ms, max, &l->items, &l->n,
                            &l->next_due, err, sizeof(err));

    if (l->rc != INC_OK) {
        diag("inc_queue_lease: %d %s", l->rc, err);
    }
}


static void
leased_free(leased_t *l)
{
    inc_delivery_free(l->items, l->n);
    free(l->items);
    memset(l, 0, sizeof(leased_t));
}


static inc_delivery_t *
leased_for(leased_t *l, uint64_t subscriber_id)
{
    unsigned  i;

    for (i = 0; i < l->n; i++) {
        if (l->items[i].subscriber_id == subscriber_id) {
            return &l->items[i];
        }
    }

    return NULL;
}


static int
settle(env_t *e, uint64_t now_ms, const inc_delivery_t *d, int success,
    int gone, uint64_t retry_after_ms, const char *detail)
{
    int            rc;
    char           err[256];
    inc_outcome_t  o;

    memset(&o, 0, sizeof(o));
    o.job_id = d->job_id;
    o.lease_due = d->lease_due;
    o.subscriber_id = d->subscriber_id;
    o.attempt = d->attempt;
    o.ok = success;
    o.gone = gone;
    o.retry_after_ms = retry_after_ms;
    snprintf(o.detail, sizeof(o.detail), "%s", detail);

    rc = inc_queue_settle(e->store, &qconf, now_ms, &o, 1, err, sizeof(err));
    if (rc != INC_OK) {
        diag("inc_queue_settle: %d %s", rc, err);
    }

    return rc;
}


/* "queued=1 fanouts=0 dead=0 subscribers=2 unconfirmed=0" */
static const char *
stats(env_t *e)
{
    char  *buf;

    buf = scratch();
    inc_service_queue_stats(e->store, R(e));

    if (e->res.status != 200) {
        snprintf(buf, 8192, "(status %d)", e->res.status);
        return buf;
    }

    snprintf(buf, 8192, "queued=%lld fanouts=%lld dead=%lld "
             "subscribers=%lld unconfirmed=%lld", N(e->res.body, "queued"),
             N(e->res.body, "fanouts"), N(e->res.body, "dead"),
             N(e->res.body, "subscribers"), N(e->res.body, "unconfirmed"));

    return buf;
}


/* the jobs in the store: their count, and one job's due time and record */
static int
jobs_walk(env_t *e, uint64_t job_id, uint64_t *due, cJSON **rec)
{
    int         rc, n;
    cJSON      *r;
    inc_txn_t   txn;
    inc_iter_t  it;

    n = 0;

    if (inc_txn_begin(e->store, 0, &txn) != INC_OK) {
        return -1;
    }

    if (inc_iter_open(&txn, INC_DB_JOBS, &it) != INC_OK) {
        inc_txn_abort(&txn);
        return -1;
    }

    for (rc = inc_iter_first(&it, &r); rc == INC_OK;
         rc = inc_iter_next(&it, &r))
    {
        n++;

        if (job_id != 0 && it.key[1] == job_id) {
            if (due != NULL) {
                *due = it.key[0];
            }

            if (rec != NULL) {
                *rec = r;
                r = NULL;
            }
        }

        cJSON_Delete(r);
    }

    inc_iter_close(&it);
    inc_txn_abort(&txn);

    return n;
}


/* when a job is due, or 0 if it is not in the queue */
static uint64_t
job_due(env_t *e, uint64_t job_id)
{
    uint64_t  due;

    due = 0;
    jobs_walk(e, job_id, &due, NULL);

    return due;
}


/* a job's record, or NULL */
static cJSON *
job_rec(env_t *e, uint64_t job_id)
{
    cJSON  *rec;

    rec = NULL;
    jobs_walk(e, job_id, NULL, &rec);

    return rec;
}


/* the first job's id and due time */
static uint64_t
first_job(env_t *e, uint64_t *due)
{
    int         rc;
    uint64_t    id;
    inc_txn_t   txn;
    inc_iter_t  it;

    id = 0;

    if (inc_txn_begin(e->store, 0, &txn) != INC_OK) {
        return 0;
    }

    if (inc_iter_open(&txn, INC_DB_JOBS, &it) == INC_OK) {
        rc = inc_iter_first(&it, NULL);
        if (rc == INC_OK) {
            id = it.key[1];
            if (due != NULL) {
                *due = it.key[0];
            }
        }
        inc_iter_close(&it);
    }

    inc_txn_abort(&txn);

    return id;
}


static uint64_t
component(env_t *e, const char *name)
{
    wr(e, INC_OP_COMPONENT_CREATE, 0, 0, "{\"name\": \"%s\"}", name);
    return created_id(e);
}


/* an admin's subscriber; "target" an address or a URL */
static uint64_t
subscriber(env_t *e, const char *type, const char *target, const char *ids,
    char *secret)
{
    uint64_t  id;

    wr(e, INC_OP_SUBSCRIBER_CREATE, 0, 0,
       "{\"type\": \"%s\", \"%s\": \"%s\", \"componentIds\": [%s]}", type,
       strcmp(type, "email") == 0 ? "email" : "url", target, ids);

    id = created_id(e);

    if (id == 0) {
        diag("subscriber %s %s: %d", type, target, e->res.status);
    }

    if (secret != NULL) {
        snprintf(secret, 80, "%s", S(e->res.body, "secret"));
    }

    return id;
}


/* an incident; returns its id, "update" its first update's */
static uint64_t
incident(env_t *e, const char *title, const char *ids, const char *extra,
    uint64_t *update)
{
    uint64_t  id;

    wr(e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"%s\", \"status\": \"investigating\","
       " \"impact\": \"major\", \"message\": \"We are looking into it.\","
       " \"componentIds\": [%s]%s}", title, ids, extra ? extra : "");

    id = created_id(e);

    if (update != NULL) {
        *update = id ? (uint64_t) N(e->res.body, "updates.0.id") : 0;
    }

    return id;
}


/* a subscriber's deliveries, newest first: "outcome/attempt/detail,..." */
static const char *
history(env_t *e, uint64_t sub)
{
    char          *buf;
    size_t         len;
    inc_page_t     page;
    const cJSON   *d;

    buf = scratch();
    memset(&page, 0, sizeof(page));
    page.limit = 25;

    inc_service_delivery_list(e->store, sub, &page, R(e));

    if (e->res.status != 200) {
        snprintf(buf, 8192, "(status %d)", e->res.status);
        return buf;
    }

    len = 0;

    cJSON_ArrayForEach(d, at(e->res.body, "data")) {
        len += (size_t) snprintf(buf + len, 8192 - len, "%s%s/%lld/%s",
                                 len ? "," : "", S(d, "outcome"),
                                 N(d, "attempt"), S(d, "detail"));
        if (len >= 8192) {
            break;
        }
    }

    return buf;
}


static void
test_queue_enqueue(void)
{
    env_t      e;
    cJSON     *rec;
    uint64_t   inc_id, upd_id, g, due, job, first;

    due = 0;

    q_open(&e);

    component(&e, "API");
    component(&e, "Dashboard");

    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=0", "an empty queue");
    is_int(inc_queue_peek(e.store, &first), INC_OK, "peek an empty queue");
    is_int(first, 0, "nothing is due");

    /* creation commits a fan-out in its transaction */
    inc_id = incident(&e, "Database issues", "1, 2", NULL, &upd_id);
    ok(inc_id != 0 && upd_id != 0, "an incident with a first update");
    is_str(stats(&e), "queued=0 fanouts=1 dead=0 subscribers=0 "
           "unconfirmed=0", "one fan-out job");

    job = first_job(&e, &due);
    rec = job_rec(&e, job);
    is_str(S(rec, "kind"), "fanout", "the job is a fan-out");
    is_str(S(rec, "type"), "incident.created", "for incident.created");
    is_int(N(rec, "incidentId"), inc_id, "of the incident");
    is_int(N(rec, "updateId"), upd_id, "and its first update");
    is_int(due, NOW_MS, "due at once");
    cJSON_Delete(rec);

    is_int(inc_queue_peek(e.store, &first), INC_OK, "peek");
    is_int(first, NOW_MS, "peek: the fan-out is due now");

    /* notify: false */
    g = gen(&e);
    incident(&e, "Quiet", "1", ", \"notify\": false", NULL);
    is_int(e.res.status, 201, "an incident with notify: false");
    is_int(gen(&e), g + 1, "it is committed");
    is_str(stats(&e), "queued=0 fanouts=1 dead=0 subscribers=0 "
           "unconfirmed=0", "notify: false commits no fan-out");

    /* a 422 from the write itself commits nothing */
    g = gen(&e);
    incident(&e, "Unknown component", "1, 99", NULL, NULL);
    is_int(e.res.status, 422, "an unknown component: 422");
    ok(!e.invalid, "... refused by the write, not by the validator");
    is_int(gen(&e), g, "nothing committed");
    is_str(stats(&e), "queued=0 fanouts=1 dead=0 subscribers=0 "
           "unconfirmed=0", "a 422 commits no fan-out");

    /* a past incident created resolved: notified like any other */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Past\", \"status\": \"resolved\", \"impact\": \"minor\","
       " \"startedAt\": \"2026-11-27T08:00:00Z\","
       " \"resolvedAt\": \"2026-11-27T09:00:00Z\"}");
    is_int(e.res.status, 201, "a past incident without a message");
    is_str(stats(&e), "queued=0 fanouts=2 dead=0 subscribers=0 "
           "unconfirmed=0", "a fan-out for it");

    /* updates: updated, resolved, notify: false */
    wr(&e, INC_OP_UPDATE_CREATE, inc_id, 0,
       "{\"status\": \"identified\", \"message\": \"Found it.\"}");
    is_int(e.res.status, 201, "an update");
    wr(&e, INC_OP_UPDATE_CREATE, inc_id, 0,
       "{\"status\": \"monitoring\", \"message\": \"Quietly.\","
       " \"notify\": false}");
    is_int(e.res.status, 201, "an update with notify: false");
    wr(&e, INC_OP_UPDATE_CREATE, inc_id, 0,
       "{\"status\": \"resolved\", \"message\": \"Fixed.\"}");
    is_int(e.res.status, 201, "a resolution");
    wr(&e, INC_OP_UPDATE_CREATE, 999, 0,
       "{\"status\": \"resolved\", \"message\": \"Nothing.\"}");
    is_int(e.res.status, 404, "an update of no incident: 404");

    is_str(stats(&e), "queued=0 fanouts=4 dead=0 subscribers=0 "
           "unconfirmed=0", "two more fan-outs, none for notify: false");

    {
        int         rc;
        char        types[512];
        size_t      len;
        cJSON      *r;
        inc_txn_t   txn;
        inc_iter_t  it;

        types[0] = '\0';
        len = 0;

        inc_txn_begin(e.store, 0, &txn);
        inc_iter_open(&txn, INC_DB_JOBS, &it);

        for (rc = inc_iter_first(&it, &r); rc == INC_OK;
             rc = inc_iter_next(&it, &r))
        {
            len += (size_t) snprintf(types + len, sizeof(types) - len,
                                     "%s%s", len ? "," : "", S(r, "type"));
            cJSON_Delete(r);
        }

        inc_iter_close(&it);
        inc_txn_abort(&txn);

        is_str(types, "incident.created,incident.created,incident.updated,"
               "incident.resolved", "the fan-outs' event types, in order");
    }

    /* nobody subscribed: the fan-outs expand to nothing and end */
    {
        leased_t  l;

        lease(&e, NOW_MS, 10, &l);
        is_int(l.rc, INC_OK, "a lease without subscribers");
        is_int(l.n, 0, "nothing to deliver");
        is_int(l.next_due, 0, "nothing due any more");
        leased_free(&l);
        is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=0 "
               "unconfirmed=0", "the fan-outs are done");
    }

    env_close(&e);
}


/* checks of one leased e-mail */
static void
check_mail(const inc_delivery_t *d, const char *to,
    const char *subject, const char *components, uint64_t incident_id)
{
    char          *v, want[256];
    size_t         len;
    uint64_t       id;
    mail_parts_t   m;

    is_str(d->target, to, "mail: the target is the address");
    is_str(d->sender, "status@example.com", "mail: the envelope sender");
    is_int(d->body_len, strlen(d->body), "mail: body_len");
    is_int(d->secret == NULL, 1, "mail: no secret");

    mail_parse(d->body, d->body_len, &m);
    ok(m.crlf && m.longest <= 998 && m.parts == 2 && m.closed
       && m.qp_ok[0] && m.qp_ok[1], "mail: a sound multipart message");

    is_str(hdr(d->body, "To"), to, "mail: To:");
    is_str(hdr(d->body, "From"), MAIL_FROM, "mail: From:");
    is_str(hdr(d->body, "Subject"), subject, "mail: Subject:");

    v = hdr(d->body, "Message-ID");
    snprintf(want, sizeof(want), "<%llu.", (unsigned long long) d->job_id);
    len = v ? strlen(v) : 0;
    ok(v != NULL && strncmp(v, want, strlen(want)) == 0 && len > 20
       && strcmp(v + len - 20, "@status.example.com>") == 0,
       "mail: Message-ID <JOBID.hex@status.example.com> (%s)",
       v ? v : "none");

    v = hdr(d->body, "List-Unsubscribe");
    snprintf(want, sizeof(want), "<%s/unsubscribe?token=", BASE_URL);
    id = 0;

    if (v != NULL && strncmp(v, want, strlen(want)) == 0) {
        v += strlen(want);
        len = strcspn(v, ">");
        id = inc_link_token_check(q_secret, "unsubscribe", v, len);
    }

    is_int(id, d->subscriber_id, "mail: List-Unsubscribe holds the "
           "subscriber's unsubscribe token");
    is_str(hdr(d->body, "List-Unsubscribe-Post"),
           "List-Unsubscribe=One-Click", "mail: one-click unsubscribe");

    if (components != NULL) {
        snprintf(want, sizeof(want), "Affected components: %s\n",
                 components);
        ok(has(m.content[0], want), "mail: %s", printable(want));

        snprintf(want, sizeof(want), "View the incident: %s/incidents/%llu",
                 BASE_URL, (unsigned long long) incident_id);
        ok(has(m.content[0], want), "mail: %s", want);
    }

    mail_parts_free(&m);
}


static void
test_queue_fanout(void)
{
    int              i;
    env_t            e;
    char             hook_secret[80], sig[64], ref[64];
    cJSON           *doc;
    leased_t         l, l2;
    uint64_t         api, dash, other, s_all, s_api, s_other, s_pending;
    uint64_t         s_hook, s_slack, s_discord, s_slack_other, inc_id;
    uint64_t         upd_id, g, t;
    inc_delivery_t  *d, *d2;

    q_open(&e);

    api = component(&e, "API");
    dash = component(&e, "Dashboard");
    other = component(&e, "Billing");

    s_all = subscriber(&e, "email", "all@example.com", "", NULL);
    s_api = subscriber(&e, "email", "api@example.com", "1", NULL);
    s_other = subscriber(&e, "email", "billing@example.com", "3", NULL);
    s_hook = subscriber(&e, "webhook", "https://hooks.example.com/in", "",
                        hook_secret);
    s_slack = subscriber(&e, "slack", "https://hooks.slack.com/services/T/B/X",
                         "2", NULL);
    s_slack_other = subscriber(&e, "slack", "https://hooks.slack.com/o", "3",
                               NULL);
    s_discord = subscriber(&e, "discord",
                           "https://discord.com/api/webhooks/1/abc", "1, 3",
                           NULL);

    ok(api && dash && other && s_all && s_api && s_other && s_hook
       && s_slack && s_slack_other && s_discord, "components, subscribers");
    ok(strncmp(hook_secret, "whsec_", 6) == 0,
       "the webhook subscriber's secret is shown on creation");

    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"pending@example.com\"}");
    is_int(e.res.status, 202, "a public subscription, unconfirmed");
    s_pending = s_discord + 1;

    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=7 "
           "unconfirmed=1", "7 confirmed, 1 pending with its confirmation");

    /* the confirmation mail goes out first */
    g = gen(&e);
    lease(&e, NOW_MS, 10, &l);
    is_int(l.rc, INC_OK, "lease");
    is_int(l.n, 1, "the confirmation is leased");
    d = l.n ? &l.items[0] : NULL;

    if (d != NULL) {
        is_int(d->subscriber_id, s_pending, "for the pending address");
        is_int(d->channel, INC_CHANNEL_EMAIL, "by mail");
        is_str(hdr(d->body, "Subject"), "Confirm your subscription to Status",
               "Subject: Confirm your subscription to <pageTitle>");
        is_int(settle(&e, NOW_MS + 10, d, 1, 0, 0, "SMTP 250: OK"), INC_OK,
               "settled as delivered");
    }

    leased_free(&l);
    is_int(gen(&e), g, "leasing and settling commit no new generation");

    /* an incident on API and Dashboard, leased 4 s after it was created */
    t = NOW_MS + 5000;
    e.ctx.now = NOW + 1;
    inc_id = incident(&e, "Database issues", "1, 2", NULL, &upd_id);
    is_str(stats(&e), "queued=0 fanouts=1 dead=0 subscribers=7 "
           "unconfirmed=1", "the incident's fan-out");

    lease(&e, t, 10, &l);
    is_int(l.rc, INC_OK, "the fan-out's lease");
    ok(l.next_due != 0 && l.next_due <= t,
       "after the expansion work is due at once");
    is_str(stats(&e), "queued=5 fanouts=0 dead=0 subscribers=7 "
           "unconfirmed=1", "5 deliveries: everyone, API, the webhook, "
           "Slack on Dashboard, Discord on API");

    if (l.n == 0) {
        leased_free(&l);
        lease(&e, t, 10, &l);
    }

    is_int(l.n, 5, "5 deliveries leased");
    ok(leased_for(&l, s_all) && leased_for(&l, s_api)
       && leased_for(&l, s_hook) && leased_for(&l, s_slack)
       && leased_for(&l, s_discord), "to the 5 that want the news");
    ok(!leased_for(&l, s_other) && !leased_for(&l, s_slack_other)
       && !leased_for(&l, s_pending),
       "not to other components' or the unconfirmed");

    for (i = 0; i < (int) l.n; i++) {
        if (l.items[i].attempt != 1
            || l.items[i].lease_due != t + qconf.lease_ms)
        {
            break;
        }
    }

    is_int(i, l.n, "each is attempt 1, leased until now + lease");

    d = leased_for(&l, s_all);
    if (d != NULL) {
        check_mail(d, "all@example.com", "[Investigating] Database issues",
                   "API, Dashboard", inc_id);
    }

    d = leased_for(&l, s_hook);
    if (d != NULL) {
        is_int(d->channel, INC_CHANNEL_WEBHOOK, "webhook: the channel");
        is_str(d->target, "https://hooks.example.com/in", "webhook: target");
        is_str(d->secret, hook_secret, "webhook: the subscriber's secret");
        ok(strncmp(d->msg_id, "msg_", 4) == 0 && strlen(d->msg_id) > 10,
           "webhook: msg_id msg_... (%s)", d->msg_id);

        doc = cJSON_Parse(d->body);
        is_str(S(doc, "type"), "incident.created", "webhook: type");
        is_str(S(doc, "timestamp"), "2026-11-27T10:00:01Z",
               "webhook: timestamp of the event, not of the lease");
        is_str(S(doc, "data.page.title"), "Status", "webhook: page title");
        is_str(S(doc, "data.page.url"), BASE_URL, "webhook: page url");
        is_int(N(doc, "data.incident.id"), inc_id, "webhook: incident id");
        is_str(S(doc, "data.incident.title"), "Database issues",
               "webhook: incident title");
        is_int(N(doc, "data.update.id"), upd_id, "webhook: the update");
        is_str(S(doc, "data.update.message"), "We are looking into it.",
               "webhook: the update's message");
        cJSON_Delete(doc);

        ok(inc_webhook_sign(d->secret, d->msg_id, NOW + 1, d->body,
                            d->body_len, sig, sizeof(sig)) == 0
           && reference_sign(hook_secret, d->msg_id, NOW + 1, d->body, ref)
              == 0
           && strcmp(sig, ref) == 0,
           "webhook: the signature a receiver computes matches");
    }

    d = leased_for(&l, s_slack);
    if (d != NULL) {
        doc = cJSON_Parse(d->body);
        is_int(d->channel, INC_CHANNEL_SLACK, "slack: the channel");
        ok(d->secret == NULL, "slack: no secret");
        ok(has(S(doc, "text"), "<" BASE_URL "/incidents/"), "slack: text");
        ok(has(S(doc, "text"), "Components: API, Dashboard"),
           "slack: the components' names");
        cJSON_Delete(doc);
    }

    d = leased_for(&l, s_discord);
    if (d != NULL) {
        doc = cJSON_Parse(d->body);
        is_int(d->channel, INC_CHANNEL_DISCORD, "discord: the channel");
        is_str(S(doc, "embeds.0.title"), "[Investigating] Database issues",
               "discord: title");
        cJSON_Delete(doc);
    }

    /* not again before the lease ends */
    lease(&e, t + qconf.lease_ms - 1, 10, &l2);
    is_int(l2.n, 0, "nothing is leased again before the lease ends");
    is_int(l2.next_due, t + qconf.lease_ms, "next due: the lease's end");
    leased_free(&l2);

    /* and again after it: another worker's lease, same ids */
    lease(&e, t + qconf.lease_ms, 10, &l2);
    is_int(l2.n, 5, "after the lease ends all 5 are leased again");

    d = leased_for(&l, s_all);
    d2 = leased_for(&l2, s_all);

    if (d != NULL && d2 != NULL) {
        is_int(d2->job_id, d->job_id, "the same job");
        is_int(d2->attempt, 2, "attempt 2");
        is_str(hdr(d2->body, "Message-ID"), hdr(d->body, "Message-ID"),
               "the same Message-ID on the retry");
    }

    d = leased_for(&l, s_hook);
    d2 = leased_for(&l2, s_hook);

    if (d != NULL && d2 != NULL) {
        is_str(d2->msg_id, d->msg_id, "the same webhook-id on the retry");
        is_str(d2->body, d->body, "the same webhook body on the retry");
    }

    /* the first worker settles late: nothing changes */
    for (i = 0; i < (int) l.n; i++) {
        settle(&e, t + qconf.lease_ms + 5, &l.items[i], i % 2, 0, 0,
               "HTTP 500");
    }

    is_str(stats(&e), "queued=5 fanouts=0 dead=0 subscribers=7 "
           "unconfirmed=1", "stale settles change nothing");
    d2 = leased_for(&l2, s_all);
    is_int(d2 ? job_due(&e, d2->job_id) : 0,
           t + 2 * qconf.lease_ms, "the job stays leased to the second");
    is_str(history(&e, s_all), "", "and no history is written");

    /* the second settles all five in one call: delivered */
    {
        char            err[256];
        inc_outcome_t   o[10];

        memset(o, 0, sizeof(o));

        for (i = 0; i < (int) l2.n && i < 10; i++) {
            o[i].job_id = l2.items[i].job_id;
            o[i].lease_due = l2.items[i].lease_due;
            o[i].subscriber_id = l2.items[i].subscriber_id;
            o[i].attempt = l2.items[i].attempt;
            o[i].ok = 1;
            snprintf(o[i].detail, sizeof(o[i].detail), "HTTP 204");
        }

        is_int(inc_queue_settle(e.store, &qconf, t + qconf.lease_ms + 10, o,
                                l2.n, err, sizeof(err)),
               INC_OK, "five outcomes settled in one call");
    }

    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=7 "
           "unconfirmed=1", "delivered jobs leave the queue");
    is_str(history(&e, s_hook), "delivered/2/HTTP 204",
           "the history: delivered at attempt 2");

    inc_service_delivery_list(e.store, s_hook, &(inc_page_t) { .limit = 25 },
                              R(&e));
    d2 = leased_for(&l2, s_hook);
    is_int(N(e.res.body, "data.0.jobId"), d2 ? (long long) d2->job_id : -9,
           "history: jobId");
    is_str(S(e.res.body, "data.0.kind"), "deliver", "history: kind");
    is_str(S(e.res.body, "data.0.type"), "incident.created", "history: type");
    is_int(N(e.res.body, "data.0.incidentId"), inc_id, "history: incidentId");
    is_int(N(e.res.body, "data.0.updateId"), upd_id, "history: updateId");
    is_str(S(e.res.body, "data.0.at"), "2026-11-27T10:02:05Z",
           "history: at, RFC 3339");

    inc_service_delivery_list(e.store, 999, &(inc_page_t) { .limit = 25 },
                              R(&e));
    is_int(e.res.status, 404, "history of no subscriber: 404");

    leased_free(&l);
    leased_free(&l2);

    /* an update touching Billing reaches the Billing subscribers too */
    e.ctx.now = NOW + 10;
    wr(&e, INC_OP_UPDATE_CREATE, inc_id, 0,
       "{\"status\": \"identified\", \"message\": \"Billing too.\","
       " \"componentIds\": [1, 2, 3]}");
    is_int(e.res.status, 201, "an update that adds Billing");

    lease(&e, NOW_MS + 10000, 20, &l);
    leased_free(&l);
    lease(&e, NOW_MS + 10000, 20, &l);
    is_int(l.n, 7, "7 deliveries: Billing's two as well");
    ok(leased_for(&l, s_other) && leased_for(&l, s_slack_other),
       "the Billing subscribers");

    d = leased_for(&l, s_other);
    if (d != NULL) {
        check_mail(d, "billing@example.com",
                   "[Identified] Database issues",
                   "API, Dashboard, Billing", inc_id);
    }

    leased_free(&l);

    env_close(&e);
}


static void
test_queue_batches(void)
{
    int              i, k;
    env_t            e;
    char             addr[64];
    leased_t         l;
    unsigned         total, seen[16];
    uint64_t         ids[12];

    q_open(&e);
    qconf.fanout_batch = 3;

    component(&e, "API");
    component(&e, "Web");

    /* 11 subscribers, 7 of whom want news of API */
    for (i = 0; i < 11; i++) {
        snprintf(addr, sizeof(addr), "s%d@example.com", i);
        ids[i] = subscriber(&e, "email", addr, i % 3 == 2 ? "2" : "", NULL);
    }

    wr(&e, INC_OP_UNSUBSCRIBE, ids[4], 0, NULL);
    is_int(e.res.status, 200, "one of them leaves again");

    incident(&e, "Outage", "1", NULL, NULL);

    memset(seen, 0, sizeof(seen));
    total = 0;

    /* lease k expands the k-th batch of three subscribers */
    for (k = 0; k < 6; k++) {
        lease(&e, NOW_MS + (uint64_t) k * 10, 100, &l);

        for (i = 0; i < (int) l.n; i++) {
            seen[l.items[i].subscriber_id]++;
            settle(&e, NOW_MS + (uint64_t) k * 10 + 1, &l.items[i], 1, 0, 0,
                   "SMTP 250");
        }

        total += l.n;

        if (k == 0) {
            is_int(l.n, 0, "the first lease only expands");
            is_str(stats(&e), "queued=2 fanouts=1 dead=0 subscribers=10 "
                   "unconfirmed=0", "batch 1 (ids 1-3): 2 deliveries, the "
                   "fan-out stays");
        }

        if (k == 1) {
            is_int(l.n, 2, "lease 2: batch 1's deliveries");
            is_str(stats(&e), "queued=2 fanouts=1 dead=0 subscribers=10 "
                   "unconfirmed=0", "batch 2 (ids 4, 6, 7; 5 is gone)");
        }

        if (k == 2) {
            is_str(stats(&e), "queued=2 fanouts=1 dead=0 subscribers=10 "
                   "unconfirmed=0", "batch 3 (ids 8-10)");
        }

        if (k == 3) {
            is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=10 "
                   "unconfirmed=0", "batch 4 (id 11), the last: the "
                   "fan-out is done");
        }

        leased_free(&l);
    }

    is_int(total, 7, "7 deliveries in all");

    for (i = 0, k = 0; i < 11; i++) {
        k += seen[ids[i]] == (i % 3 == 2 || i == 4 ? 0 : 1);
    }

    is_int(k, 11, "exactly one delivery to each subscriber that wants it");
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=10 "
           "unconfirmed=0", "all settled");

    /* max: at most that many at a time */
    qconf.fanout_batch = 500;
    incident(&e, "Again", "1", NULL, NULL);

    lease(&e, NOW_MS + 1000, 2, &l);
    leased_free(&l);
    is_str(stats(&e), "queued=7 fanouts=0 dead=0 subscribers=10 "
           "unconfirmed=0", "a batch of 500 expands all at once");

    for (k = 0; k < 4; k++) {
        lease(&e, NOW_MS + 1000, 2, &l);
        is_int(l.n, k < 3 ? 2 : 1, "max 2: lease %d gets %d", k + 1,
               k < 3 ? 2 : 1);
        if (k < 3) {
            ok(l.next_due != 0 && l.next_due <= NOW_MS + 1000,
               "lease %d: more is due at once", k + 1);
        } else {
            is_int(l.next_due, NOW_MS + 1000 + qconf.lease_ms,
                   "the last: next due when the leases end");
        }
        leased_free(&l);
    }

    env_close(&e);
}


static void
test_queue_retries(void)
{
    env_t            e;
    cJSON           *doc;
    leased_t         l;
    uint64_t         s_hook, s_slack, inc_id, upd_id, job, due, t, g;
    inc_page_t       page;
    inc_delivery_t  *d;

    q_open(&e);
    qconf.attempts = 3;
    qconf.backoff_ms = 1000;
    qconf.backoff_max_ms = 4000;

    s_hook = subscriber(&e, "webhook", "https://hooks.example.com/in", "",
                        NULL);
    inc_id = incident(&e, "Outage", "", NULL, &upd_id);

    lease(&e, NOW_MS, 10, &l);
    leased_free(&l);
    lease(&e, NOW_MS, 10, &l);
    is_int(l.n, 1, "one delivery");

    if (l.n != 1) {
        leased_free(&l);
        env_close(&e);
        return;
    }

    d = &l.items[0];
    job = d->job_id;
    is_int(d->attempt, 1, "attempt 1");

    /* a failure: retried after the backoff, +-20% */
    t = NOW_MS + 100;
    g = gen(&e);
    is_int(settle(&e, t, d, 0, 0, 0, "HTTP 500"), INC_OK, "settle a failure");
    is_int(gen(&e), g, "settling commits no new generation");
    due = job_due(&e, job);
    ok(due >= t + 800 && due <= t + 1200,
       "due again within 1 s +-20%% (in %lld ms)", (long long) (due - t));
    is_str(history(&e, s_hook), "retrying/1/HTTP 500",
           "history: retrying, attempt 1, the detail");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "still queued");

    doc = job_rec(&e, job);
    is_str(S(doc, "lastError"), "HTTP 500", "the job keeps its last error");
    cJSON_Delete(doc);

    leased_free(&l);
    lease(&e, due - 1, 10, &l);
    is_int(l.n, 0, "not before it is due");
    is_int(l.next_due, due, "next due: the retry");
    leased_free(&l);

    /* Retry-After longer than the backoff wins */
    lease(&e, due, 10, &l);
    is_int(l.n, 1, "leased again when due");
    d = &l.items[0];
    is_int(d->attempt, 2, "attempt 2");
    t = due + 50;
    settle(&e, t, d, 0, 0, 60000, "HTTP 429");
    is_int(job_due(&e, job), t + 60000,
           "Retry-After: 60 s exactly, not the 2 s backoff");
    leased_free(&l);

    /* the last attempt: a dead letter */
    lease(&e, t + 60000, 10, &l);
    is_int(l.n, 1, "attempt 3 leased");
    d = &l.items[0];
    is_int(d->attempt, 3, "attempt 3");
    t += 60000 + 20;
    settle(&e, t, d, 0, 0, 0, "HTTP 502");
    leased_free(&l);

    is_int(job_due(&e, job), 0, "the job has left the queue");
    is_str(stats(&e), "queued=0 fanouts=0 dead=1 subscribers=1 "
           "unconfirmed=0", "one dead letter");
    is_str(history(&e, s_hook),
           "dead/3/HTTP 502,retrying/2/HTTP 429,retrying/1/HTTP 500",
           "history newest first: dead, retrying, retrying");

    memset(&page, 0, sizeof(page));
    page.limit = 25;
    inc_service_dead_list(e.store, &page, R(&e));
    is_int(e.res.status, 200, "the dead letters");
    is_int(cJSON_GetArraySize(at(e.res.body, "data")), 1, "one");
    is_int(N(e.res.body, "data.0.id"), job, "id: the job's");
    is_str(S(e.res.body, "data.0.kind"), "deliver", "kind");
    is_str(S(e.res.body, "data.0.type"), "incident.created", "type");
    is_int(N(e.res.body, "data.0.incidentId"), inc_id, "incidentId");
    is_int(N(e.res.body, "data.0.updateId"), upd_id, "updateId");
    is_int(N(e.res.body, "data.0.subscriberId"), s_hook, "subscriberId");
    is_int(N(e.res.body, "data.0.attempt"), 3, "attempt 3");
    is_str(S(e.res.body, "data.0.lastError"), "HTTP 502", "lastError");
    {
        char  ts[INC_RFC3339_LEN + 1];

        inc_time_format((time_t) (t / 1000), ts);
        is_str(S(e.res.body, "data.0.deadAt"), ts, "deadAt, RFC 3339");
    }
    is_str(S(e.res.body, "data.0.createdAt"), "2026-11-27T10:00:00Z",
           "createdAt, RFC 3339");

    /* pages of the history: newest first, nextCursor to go on */
    memset(&page, 0, sizeof(page));
    page.limit = 2;
    inc_service_delivery_list(e.store, s_hook, &page, R(&e));
    is_int(cJSON_GetArraySize(at(e.res.body, "data")), 2, "a page of 2");
    is_str(S(e.res.body, "data.0.outcome"), "dead", "newest first");
    page.cursor = strtoull(S(e.res.body, "nextCursor"), NULL, 10);
    ok(page.cursor > 0, "a nextCursor (%s)", S(e.res.body, "nextCursor"));
    inc_service_delivery_list(e.store, s_hook, &page, R(&e));
    is_int(cJSON_GetArraySize(at(e.res.body, "data")), 1,
           "the next page: the last one");
    is_str(S(e.res.body, "data.0.detail"), "HTTP 500", "the oldest");
    ok(cJSON_IsNull(at(e.res.body, "nextCursor")), "no nextCursor after it");

    /* back into the queue */
    e.ctx.now = NOW + 3600;
    wr(&e, INC_OP_DEAD_RETRY, job, 0, NULL);
    is_int(e.res.status, 202, "retry the dead letter: 202");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "queued again");
    is_int(job_due(&e, job), (uint64_t) (NOW + 3600) * 1000,
           "due at once");
    wr(&e, INC_OP_DEAD_RETRY, job, 0, NULL);
    is_int(e.res.status, 404, "retry it again: 404, it is not dead");
    wr(&e, INC_OP_DEAD_RETRY, 12345, 0, NULL);
    is_int(e.res.status, 404, "retry of no dead letter: 404");

    lease(&e, (uint64_t) (NOW + 3600) * 1000, 10, &l);
    is_int(l.n, 1, "leased after the retry");
    is_int(l.n ? l.items[0].job_id : 0, job, "the same job id");
    is_int(l.n ? l.items[0].attempt : 0, 1, "attempts reset: attempt 1");

    if (l.n) {
        settle(&e, (uint64_t) (NOW + 3601) * 1000, &l.items[0], 1, 0, 0,
               "HTTP 200");
    }

    leased_free(&l);
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "delivered at last");

    /* Retry-After shorter than the backoff, and a huge one */
    qconf.attempts = 10;
    e.ctx.now = NOW + 7200;
    incident(&e, "Again", "", NULL, NULL);
    t = (uint64_t) (NOW + 7200) * 1000;
    lease(&e, t, 10, &l);
    leased_free(&l);
    lease(&e, t, 10, &l);

    if (l.n == 1) {
        job = l.items[0].job_id;
        settle(&e, t, &l.items[0], 0, 0, 10, "HTTP 503");
        due = job_due(&e, job);
        ok(due >= t + 800 && due <= t + 1200,
           "a Retry-After shorter than the backoff: the backoff (%lld ms)",
           (long long) (due - t));
        leased_free(&l);

        lease(&e, due, 10, &l);
        settle(&e, due, &l.items[0], 0, 0, 72 * HOUR_MS, "HTTP 503");
        is_int(job_due(&e, job), due + 24 * HOUR_MS,
               "a Retry-After of 72 h is capped at 24 h");
        leased_free(&l);

        lease(&e, due + 24 * HOUR_MS, 10, &l);
        is_int(l.n ? l.items[0].attempt : 0, 3, "attempt 3");
        settle(&e, due + 24 * HOUR_MS, &l.items[0], 0, 0, 0, "timeout");
        t = job_due(&e, job) - (due + 24 * HOUR_MS);
        ok(t >= 3200 && t <= 4800, "attempt 3 failed: 4 s +-20%% (%llu)",
           (unsigned long long) t);
        leased_free(&l);

    } else {
        leased_free(&l);
        ok(0, "a delivery for the Retry-After checks");
    }

    /* 410: the subscriber is disabled, the job dropped */
    s_slack = subscriber(&e, "slack", "https://hooks.slack.com/x", "", NULL);
    e.ctx.now = NOW + 200000;
    incident(&e, "Third", "", NULL, NULL);
    t = (uint64_t) (NOW + 200000) * 1000;
    lease(&e, t, 10, &l);
    leased_free(&l);
    lease(&e, t, 10, &l);
    d = leased_for(&l, s_slack);

    if (d != NULL) {
        job = d->job_id;
        settle(&e, t + 5, d, 0, 1, 0, "HTTP 410");
        is_int(job_due(&e, job), 0, "410: the job is dropped");

        inc_service_subscriber_get(e.store, s_slack, R(&e));
        is_str(B(e.res.body, "disabled"), "true", "410: disabled");
        ok(has(S(e.res.body, "disabledReason"), "410"),
           "410: a reason (%s)", S(e.res.body, "disabledReason"));
        is_str(history(&e, s_slack), "disabled/1/HTTP 410",
               "410: history says disabled");

    } else {
        ok(0, "a Slack delivery for the 410");
    }

    leased_free(&l);

    /* the disabled one gets nothing more */
    e.ctx.now = NOW + 300000;
    incident(&e, "Fourth", "", NULL, NULL);
    t = (uint64_t) (NOW + 300000) * 1000;
    lease(&e, t, 10, &l);
    leased_free(&l);
    lease(&e, t, 10, &l);
    ok(leased_for(&l, s_slack) == NULL && leased_for(&l, s_hook) != NULL,
       "a disabled subscriber is left out of the next fan-out");
    leased_free(&l);

    env_close(&e);
}


static void
test_queue_backoff(void)
{
    inc_queue_conf_t  c;

    memset(&c, 0, sizeof(c));
    c.backoff_ms = 30000;
    c.backoff_max_ms = 4 * HOUR_MS;

    is_int(inc_queue_backoff(&c, 1), 30000, "backoff(1) = base");
    is_int(inc_queue_backoff(&c, 2), 60000, "backoff(2) = 2 base");
    is_int(inc_queue_backoff(&c, 3), 120000, "backoff(3) = 4 base");
    is_int(inc_queue_backoff(&c, 9), 30000ULL << 8, "backoff(9) = 256 base");
    is_int(inc_queue_backoff(&c, 10), 4 * HOUR_MS,
           "backoff(10) = 512 base, past the maximum: the maximum");
    is_int(inc_queue_backoff(&c, 14), 4 * HOUR_MS, "backoff(14) = max");
    is_int(inc_queue_backoff(&c, 1000), 4 * HOUR_MS,
           "backoff(1000) = max, no overflow");

    c.backoff_ms = 5000;
    c.backoff_max_ms = 5000;
    is_int(inc_queue_backoff(&c, 1), 5000, "base = max: base");
    is_int(inc_queue_backoff(&c, 5), 5000, "base = max: always");

    c.backoff_ms = 10000;
    c.backoff_max_ms = 3000;
    is_int(inc_queue_backoff(&c, 1), 3000, "a base above the max is capped");
}


static void
test_queue_gone(void)
{
    env_t     e;
    leased_t  l;
    uint64_t  a, b, inc2;

    q_open(&e);

    a = subscriber(&e, "email", "a@example.com", "", NULL);
    b = subscriber(&e, "webhook", "https://hooks.example.com/b", "", NULL);
    incident(&e, "One", "", NULL, NULL);

    lease(&e, NOW_MS, 10, &l);
    leased_free(&l);
    is_str(stats(&e), "queued=2 fanouts=0 dead=0 subscribers=2 "
           "unconfirmed=0", "two deliveries");

    /* a subscriber deleted while its delivery waits */
    wr(&e, INC_OP_SUBSCRIBER_DELETE, a, 0, NULL);
    is_int(e.res.status, 204, "delete a subscriber");

    lease(&e, NOW_MS, 10, &l);
    is_int(l.n, 1, "only the other's delivery is leased");
    ok(l.n && l.items[0].subscriber_id == b, "the webhook's");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "the deleted subscriber's job was dropped");

    /* it is deleted now, while leased: the settle writes no history */
    if (l.n) {
        wr(&e, INC_OP_SUBSCRIBER_DELETE, b, 0, NULL);
        is_int(settle(&e, NOW_MS + 1, &l.items[0], 0, 0, 0, "HTTP 500"),
               INC_OK, "settling for a deleted subscriber");
        inc_service_delivery_list(e.store, b, &(inc_page_t) { .limit = 25 },
                                  R(&e));
        is_int(e.res.status, 404, "no history for it");
    }

    leased_free(&l);

    /* the retry is dropped when it comes due */
    lease(&e, NOW_MS + 10 * HOUR_MS, 10, &l);
    is_int(l.n, 0, "the retry for the deleted subscriber is dropped");
    leased_free(&l);
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=0", "the queue is empty");

    /* an incident deleted after its expansion */
    a = subscriber(&e, "email", "a2@example.com", "", NULL);
    b = subscriber(&e, "discord", "https://discord.com/api/webhooks/2/x", "",
                   NULL);
    e.ctx.now = NOW + 100;
    inc2 = incident(&e, "Two", "", NULL, NULL);

    lease(&e, (NOW + 100) * 1000ULL, 10, &l);
    leased_free(&l);
    is_str(stats(&e), "queued=2 fanouts=0 dead=0 subscribers=2 "
           "unconfirmed=0", "two deliveries for incident 2");

    wr(&e, INC_OP_INCIDENT_DELETE, inc2, 0, NULL);
    is_int(e.res.status, 204, "delete the incident");

    lease(&e, (NOW + 100) * 1000ULL, 10, &l);
    is_int(l.n, 0, "nothing is sent about a deleted incident");
    leased_free(&l);
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=2 "
           "unconfirmed=0", "its jobs were dropped");

    /* an incident deleted before its expansion */
    e.ctx.now = NOW + 200;
    inc2 = incident(&e, "Three", "", NULL, NULL);
    wr(&e, INC_OP_INCIDENT_DELETE, inc2, 0, NULL);

    lease(&e, (NOW + 200) * 1000ULL, 10, &l);
    is_int(l.n, 0, "a fan-out of a deleted incident sends nothing");
    leased_free(&l);
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=2 "
           "unconfirmed=0", "and is gone");

    env_close(&e);
}


/* delivery records kept in the store for a subscriber */
static int
deliveries_stored(env_t *e, uint64_t sub)
{
    int         rc, n;
    inc_txn_t   txn;
    inc_iter_t  it;

    n = 0;

    if (inc_txn_begin(e->store, 0, &txn) != INC_OK) {
        return -1;
    }

    if (inc_iter_open(&txn, INC_DB_DELIVERIES, &it) == INC_OK) {
        for (rc = inc_iter_seek(&it, sub, 0, NULL);
             rc == INC_OK && it.key[0] == sub;
             rc = inc_iter_next(&it, NULL))
        {
            n++;
        }

        inc_iter_close(&it);
    }

    inc_txn_abort(&txn);

    return n;
}


/* the confirmation link's token in a leased confirmation mail */
static uint64_t
confirm_token_id(const inc_delivery_t *d)
{
    char          *p;
    size_t         len;
    uint64_t       id;
    mail_parts_t   m;

    mail_parse(d->body, d->body_len, &m);

    id = 0;
    p = m.content[0] ? strstr(m.content[0], BASE_URL "/subscribe/confirm"
                              "?token=")
                     : NULL;

    if (p != NULL) {
        p += sizeof(BASE_URL "/subscribe/confirm?token=") - 1;
        len = strcspn(p, " \n");
        id = inc_link_token_check(q_secret, "confirm", p, len);
    }

    mail_parts_free(&m);

    return id;
}


static void
test_subscribe(void)
{
    char       first[512];
    env_t      e;
    leased_t   l;
    uint64_t   id, id2, g, t;

    q_open(&e);
    e.ctx.confirm_expiry = 3600;
    e.ctx.resend_after = 600;

    component(&e, "API");

    /* a new address */
    g = gen(&e);
    wr(&e, INC_OP_SUBSCRIBE, 0, 0,
       "{\"email\": \"New@Example.com\", \"componentIds\": [1]}");
    is_int(e.res.status, 202, "subscribe: 202");
    is_str(S(e.res.body, "status"), "pending", "status: pending");
    snprintf(first, sizeof(first), "%s", S(e.res.body, "detail"));
    is_int(gen(&e), g, "no new generation: nothing public changed");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=1", "unconfirmed, one confirmation job");

    id = 1;
    inc_service_subscriber_get(e.store, id, R(&e));
    is_str(S(e.res.body, "email"), "New@Example.com", "the address as given");
    is_str(B(e.res.body, "confirmed"), "false", "not confirmed");
    is_str(S(e.res.body, "source"), "public", "source: public");
    is_str(S(e.res.body, "componentIds"), "(not a string)", "componentIds");

    /* again within resend_after: nothing new */
    e.ctx.now = NOW + 599;
    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"new@example.COM\"}");
    is_int(e.res.status, 202, "again (other case) within 10 min: 202");
    is_str(S(e.res.body, "detail"), first, "the same answer");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=1", "no second confirmation job");

    /* after resend_after: one more mail */
    e.ctx.now = NOW + 600;
    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"new@example.com\"}");
    is_int(e.res.status, 202, "again after 10 min: 202");
    is_str(stats(&e), "queued=2 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=1", "a second confirmation job");

    inc_service_subscriber_get(e.store, id, R(&e));
    is_int(cJSON_GetArraySize(at(e.res.body, "componentIds")), 0,
           "the components asked for last (none: all)");

    /* the confirmation mails */
    t = (uint64_t) (NOW + 600) * 1000;
    lease(&e, t, 10, &l);
    is_int(l.n, 2, "both confirmation mails are leased");

    if (l.n) {
        is_str(l.items[0].target, "New@Example.com", "to the address");
        is_str(hdr(l.items[0].body, "Subject"),
               "Confirm your subscription to Status", "the subject");
        is_int(confirm_token_id(&l.items[0]), id,
               "the mail's confirmation link holds the subscriber's token");
        ok(hdr(l.items[0].body, "List-Unsubscribe") != NULL,
           "with List-Unsubscribe");
        settle(&e, t, &l.items[0], 1, 0, 0, "SMTP 250");
        settle(&e, t, &l.items[1], 1, 0, 0, "SMTP 250");
    }

    leased_free(&l);
    is_str(history(&e, id), "delivered/1/SMTP 250,delivered/1/SMTP 250",
           "the confirmation mails' history");
    is_int(deliveries_stored(&e, id), 2, "two delivery records stored");

    inc_service_delivery_list(e.store, id, &(inc_page_t) { .limit = 25 },
                              R(&e));
    is_str(S(e.res.body, "data.0.kind"), "confirm", "history: kind confirm");
    is_str(S(e.res.body, "data.0.type"), "subscription.confirm",
           "history: type subscription.confirm");

    /* no news before confirmation */
    e.ctx.now = NOW + 700;
    incident(&e, "Outage", "1", NULL, NULL);
    lease(&e, (NOW + 700) * 1000ULL, 10, &l);
    leased_free(&l);
    lease(&e, (NOW + 700) * 1000ULL, 10, &l);
    is_int(l.n, 0, "nothing goes to an unconfirmed address");
    leased_free(&l);

    /* confirming: the link expires an hour after the last mail */
    e.ctx.now = NOW + 600 + 3601;
    wr(&e, INC_OP_SUBSCRIBER_CONFIRM, id, 0, NULL);
    is_int(e.res.status, 410, "confirm after the expiry: 410");
    inc_service_subscriber_get(e.store, id, R(&e));
    is_str(B(e.res.body, "confirmed"), "false", "still unconfirmed");

    e.ctx.now = NOW + 600 + 3600;
    wr(&e, INC_OP_SUBSCRIBER_CONFIRM, id, 0, NULL);
    is_int(e.res.status, 200, "confirm at the expiry's last second: 200");
    is_str(S(e.res.body, "status"), "confirmed", "status: confirmed");
    inc_service_subscriber_get(e.store, id, R(&e));
    is_str(B(e.res.body, "confirmed"), "true", "confirmed");
    is_str(S(e.res.body, "confirmedAt"), "2026-11-27T11:10:00Z",
           "confirmedAt");
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "one confirmed subscriber");

    e.ctx.now = NOW + 100000;
    wr(&e, INC_OP_SUBSCRIBER_CONFIRM, id, 0, NULL);
    is_int(e.res.status, 200, "confirming again later: 200");

    wr(&e, INC_OP_SUBSCRIBER_CONFIRM, 999, 0, NULL);
    is_int(e.res.status, 410, "confirm of no subscriber: 410");

    /* a confirmed address: the same answer, nothing sent */
    e.ctx.now = NOW + 200000;
    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"new@example.com\"}");
    is_int(e.res.status, 202, "subscribe a confirmed address: 202");
    is_str(S(e.res.body, "detail"), first, "the same answer");
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "no mail to a confirmed address");

    /* a bad address */
    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"not an address\"}");
    is_int(e.res.status, 422, "a bad address: 422");
    is_str(S(e.res.body, "errors.0.field"), "email", "errors[0].field email");
    wr(&e, INC_OP_SUBSCRIBE, 0, 0,
       "{\"email\": \"x@example.com\\r\\nBcc: evil@x.com\"}");
    is_int(e.res.status, 422, "an address with CRLF: 422");
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "the 422s changed nothing");

    /* the admin's create refuses a subscribed address */
    wr(&e, INC_OP_SUBSCRIBER_CREATE, 0, 0,
       "{\"type\": \"email\", \"email\": \"NEW@example.com\"}");
    is_int(e.res.status, 422, "an admin's create of the address: 422");
    is_str(S(e.res.body, "errors.0.message"), "is already subscribed",
           "... is already subscribed");

    /* unsubscribe: idempotent */
    g = gen(&e);
    wr(&e, INC_OP_UNSUBSCRIBE, id, 0, NULL);
    is_int(e.res.status, 200, "unsubscribe: 200");
    is_str(S(e.res.body, "status"), "unsubscribed", "status: unsubscribed");
    is_int(gen(&e), g, "no new generation");
    inc_service_subscriber_get(e.store, id, R(&e));
    is_int(e.res.status, 404, "the subscriber is gone");
    inc_service_delivery_list(e.store, id, &(inc_page_t) { .limit = 25 },
                              R(&e));
    is_int(e.res.status, 404, "with its history");
    is_int(deliveries_stored(&e, id), 0, "its delivery records are removed");
    wr(&e, INC_OP_UNSUBSCRIBE, id, 0, NULL);
    is_int(e.res.status, 200, "unsubscribe again: 200");
    is_str(stats(&e), "queued=0 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=0", "nobody left");

    /* the address can subscribe afresh */
    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"new@example.com\"}");
    is_int(e.res.status, 202, "subscribe again after unsubscribing");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=1", "a new pending subscriber with its mail");

    inc_service_subscriber_list(e.store, &(inc_page_t) { .limit = 25 },
                                R(&e));
    id2 = (uint64_t) N(e.res.body, "data.0.id");
    ok(id2 > id, "under a new id (%llu)", (unsigned long long) id2);

    /* unknown or malformed component ids are refused */
    wr(&e, INC_OP_SUBSCRIBE, 0, 0,
       "{\"email\": \"y@example.com\", \"componentIds\": [1, 42]}");
    is_int(e.res.status, 422, "subscribe with an unknown component: 422");
    ok(!e.invalid, "... refused by the write");
    is_str(S(e.res.body, "errors.0.field"), "componentIds",
           "errors[0].field componentIds");
    wr(&e, INC_OP_SUBSCRIBE, 0, 0,
       "{\"email\": \"new@example.com\", \"componentIds\": [42]}");
    is_int(e.res.status, 422, "a known pending address with an unknown "
           "component: 422 as well");
    wr(&e, INC_OP_SUBSCRIBE, 0, 0,
       "{\"email\": \"y@example.com\", \"componentIds\": [0]}");
    is_int(e.res.status, 422, "subscribe with component id 0: 422");
    is_str(S(e.res.body, "errors.0.field"), "componentIds",
           "errors[0].field componentIds");
    wr(&e, INC_OP_SUBSCRIBE, 0, 0,
       "{\"email\": \"y@example.com\", \"componentIds\": \"1\"}");
    is_int(e.res.status, 422, "subscribe with componentIds a string: 422");

    wr(&e, INC_OP_SUBSCRIBER_CREATE, 0, 0,
       "{\"type\": \"email\", \"email\": \"z@example.com\","
       " \"componentIds\": [1, 42]}");
    is_int(e.res.status, 422, "an admin's create with an unknown "
           "component: 422");
    ok(!e.invalid, "... refused by the write");
    is_str(S(e.res.body, "errors.0.field"), "componentIds",
           "errors[0].field componentIds");
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=0 "
           "unconfirmed=1", "the 422s changed nothing");

    env_close(&e);
}


static void
test_purge(void)
{
    env_t     e;
    leased_t  l;
    uint64_t  pending, admin, again;

    q_open(&e);
    qconf.confirm_expiry = 60;

    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"p@example.com\"}");
    pending = 1;
    admin = subscriber(&e, "email", "admin@example.com", "", NULL);
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=1", "one pending, one confirmed");

    /* max 0: nothing leased, the purge still runs */
    lease(&e, (NOW + 60) * 1000ULL, 0, &l);
    is_int(l.rc, INC_OK, "a lease at the expiry");
    is_int(l.n, 0, "max 0 leases nothing");
    leased_free(&l);
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=1", "at the expiry it is still there");

    /* the purge runs every expiry/4 at most: 15 s */
    lease(&e, (NOW + 76) * 1000ULL, 0, &l);
    leased_free(&l);
    is_str(stats(&e), "queued=1 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=0", "past the expiry the pending address is "
           "forgotten");

    inc_service_subscriber_get(e.store, pending, R(&e));
    is_int(e.res.status, 404, "it is gone");
    inc_service_subscriber_get(e.store, admin, R(&e));
    is_int(e.res.status, 200, "the confirmed one stays");

    /* its confirmation job is dropped when due; it can subscribe again */
    e.ctx.now = NOW + 80;
    wr(&e, INC_OP_SUBSCRIBE, 0, 0, "{\"email\": \"p@example.com\"}");
    is_int(e.res.status, 202, "the address subscribes again");
    is_str(stats(&e), "queued=2 fanouts=0 dead=0 subscribers=1 "
           "unconfirmed=1", "a new pending one");

    lease(&e, (NOW + 80) * 1000ULL, 10, &l);
    is_int(l.n, 1, "only the new confirmation is leased");
    again = l.n ? l.items[0].subscriber_id : 0;
    ok(again != 0 && again != pending, "for the new subscriber");
    is_int(l.n ? confirm_token_id(&l.items[0]) : 0, again,
           "its token is the new id's");
    leased_free(&l);

    env_close(&e);
}


/* one attempt only: each failure is a dead letter; pages of them */
static void
test_dead_pages(void)
{
    int          i;
    env_t        e;
    char         url[64];
    leased_t     l;
    uint64_t     subs[3], first, second, third;
    inc_page_t   page;

    q_open(&e);
    qconf.attempts = 1;

    for (i = 0; i < 3; i++) {
        snprintf(url, sizeof(url), "https://hooks.example.com/%d", i);
        subs[i] = subscriber(&e, "webhook", url, "", NULL);
    }

    /* an incident without a message: no update */
    wr(&e, INC_OP_INCIDENT_CREATE, 0, 0,
       "{\"title\": \"Down\", \"status\": \"investigating\","
       " \"impact\": \"critical\"}");
    is_int(e.res.status, 201, "an incident without a message");
    lease(&e, NOW_MS, 10, &l);
    leased_free(&l);
    lease(&e, NOW_MS, 10, &l);
    is_int(l.n, 3, "three deliveries");

    if (l.n) {
        cJSON  *doc;

        doc = cJSON_Parse(l.items[0].body);
        ok(cJSON_IsNull(at(doc, "data.update")),
           "the webhook's data.update is null");
        is_str(S(doc, "data.incident.title"), "Down", "about the incident");
        is_str(S(doc, "timestamp"), "2026-11-27T10:00:00Z",
               "timestamp: the incident's creation");
        cJSON_Delete(doc);
    }

    for (i = 0; i < (int) l.n; i++) {
        settle(&e, NOW_MS + 1, &l.items[i], 0, 0, 0,
               "refused: the address is not public "
               "(incident_webhook_allow_private is off)");
    }

    leased_free(&l);

    is_str(stats(&e), "queued=0 fanouts=0 dead=3 subscribers=3 "
           "unconfirmed=0", "with one attempt the first failure is dead");
    is_str(history(&e, subs[1]), "dead/1/refused: the address is not public "
           "(incident_webhook_allow_private is off)",
           "the history names the refusal");
    inc_service_delivery_list(e.store, subs[1], &(inc_page_t) { .limit = 25 },
                              R(&e));
    ok(cJSON_IsNull(at(e.res.body, "data.0.updateId")),
       "history: updateId null without an update");

    memset(&page, 0, sizeof(page));
    page.limit = 2;
    inc_service_dead_list(e.store, &page, R(&e));
    is_int(cJSON_GetArraySize(at(e.res.body, "data")), 2,
           "dead letters: a page of 2");
    first = (uint64_t) N(e.res.body, "data.0.id");
    second = (uint64_t) N(e.res.body, "data.1.id");
    ok(first > second, "newest first (%llu, %llu)",
       (unsigned long long) first, (unsigned long long) second);
    page.cursor = strtoull(S(e.res.body, "nextCursor"), NULL, 10);
    ok(page.cursor != 0, "a nextCursor");

    inc_service_dead_list(e.store, &page, R(&e));
    is_int(cJSON_GetArraySize(at(e.res.body, "data")), 1, "the next page: 1");
    third = (uint64_t) N(e.res.body, "data.0.id");
    ok(third < second, "the oldest");
    ok(cJSON_IsNull(at(e.res.body, "data.0.updateId")),
       "dead letter: updateId null without an update");
    ok(cJSON_IsNull(at(e.res.body, "nextCursor")), "and no nextCursor");

    /* the middle one back into the queue */
    wr(&e, INC_OP_DEAD_RETRY, second, 0, NULL);
    is_int(e.res.status, 202, "retry the middle one");
    is_str(stats(&e), "queued=1 fanouts=0 dead=2 subscribers=3 "
           "unconfirmed=0", "one queued, two dead");

    page.cursor = 0;
    page.limit = 25;
    inc_service_dead_list(e.store, &page, R(&e));
    ok(cJSON_GetArraySize(at(e.res.body, "data")) == 2
       && (uint64_t) N(e.res.body, "data.0.id") == first
       && (uint64_t) N(e.res.body, "data.1.id") == third,
       "the other two are still dead");

    env_close(&e);
}


/* more incidents in one lease than the lease's cache of events holds */
static void
test_queue_many_events(void)
{
    int              i, right;
    env_t            e;
    char             title[64], want[128];
    cJSON           *doc, *job;
    leased_t         l;
    uint64_t         hook, slack, ids[6];
    inc_delivery_t  *d;

    q_open(&e);

    hook = subscriber(&e, "webhook", "https://hooks.example.com/h", "", NULL);
    slack = subscriber(&e, "slack", "https://hooks.slack.com/s", "", NULL);

    for (i = 0; i < 6; i++) {
        snprintf(title, sizeof(title), "Incident number %d", i + 1);
        ids[i] = incident(&e, title, "", NULL, NULL);
    }

    lease(&e, NOW_MS, 20, &l);
    is_int(l.n, 0, "six fan-outs expanded");
    leased_free(&l);
    is_str(stats(&e), "queued=12 fanouts=0 dead=0 subscribers=2 "
           "unconfirmed=0", "12 deliveries");

    lease(&e, NOW_MS, 20, &l);
    is_int(l.n, 12, "all 12 leased in one lease");

    right = 0;

    for (i = 0; i < (int) l.n; i++) {
        d = &l.items[i];
        job = job_rec(&e, d->job_id);
        snprintf(title, sizeof(title), "Incident number %lld",
                 N(job, "incidentId") - (long long) ids[0] + 1);

        if (d->subscriber_id == hook) {
            doc = cJSON_Parse(d->body);
            right += N(doc, "data.incident.id") == N(job, "incidentId")
                     && strcmp(S(doc, "data.incident.title"), title) == 0;
            cJSON_Delete(doc);

        } else if (d->subscriber_id == slack) {
            doc = cJSON_Parse(d->body);
            snprintf(want, sizeof(want), "/incidents/%lld|%s>",
                     N(job, "incidentId"), title);
            right += has(S(doc, "text"), want);
            cJSON_Delete(doc);
        }

        cJSON_Delete(job);
    }

    is_int(right, 12, "each delivery tells of its own job's incident");
    leased_free(&l);

    env_close(&e);
}


/* long component lists of multi-octet names, cut for the messages */
static void
test_long_components(void)
{
    int              i;
    env_t            e;
    char             name[256], ids[64];
    cJSON           *doc;
    leased_t         l;
    uint64_t         s_mail, s_discord, s_slack;
    const char      *v;
    mail_parts_t     m;
    inc_delivery_t  *d;

    q_open(&e);

    /* 6 names of 199 octets: 1204 octets with the separators */
    for (i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "%c%s", 'A' + i, repeat("\xc3\xa9", 99));
        component(&e, name);
    }

    s_mail = subscriber(&e, "email", "m@example.com", "", NULL);
    s_discord = subscriber(&e, "discord", "https://discord.com/api/webhooks/"
                           "3/x", "", NULL);
    s_slack = subscriber(&e, "slack", "https://hooks.slack.com/y", "", NULL);

    snprintf(ids, sizeof(ids), "1, 2, 3, 4, 5, 6");
    incident(&e, "Everything", ids, NULL, NULL);

    lease(&e, NOW_MS, 10, &l);
    leased_free(&l);
    lease(&e, NOW_MS, 10, &l);
    is_int(l.n, 3, "three deliveries");

    d = leased_for(&l, s_mail);
    if (d != NULL) {
        mail_parse(d->body, d->body_len, &m);
        ok(m.qp_ok[0] && has(m.content[0], "Affected components: A"),
           "mail: a long component list");
        ok(m.content[0] && utf8_ok(m.content[0], strlen(m.content[0])),
           "mail: a long component list is valid UTF-8");
        mail_parts_free(&m);
    }

    d = leased_for(&l, s_discord);
    if (d != NULL) {
        doc = cJSON_Parse(d->body);
        v = S(doc, "embeds.0.fields.1.value");
        ok(strncmp(v, "A", 1) == 0 && utf8_ok(v, strlen(v)),
           "discord: a long component list is valid UTF-8 (%zu octets)",
           strlen(v));
        cJSON_Delete(doc);
    }

    d = leased_for(&l, s_slack);
    if (d != NULL) {
        doc = cJSON_Parse(d->body);
        v = S(doc, "text");
        ok(has(v, "Components: A") && utf8_ok(v, strlen(v)),
           "slack: a long component list is valid UTF-8");
        cJSON_Delete(doc);
    }

    leased_free(&l);

    env_close(&e);
}


int
main(void)
{
    test_email_valid();
    test_mail_address();
    test_mail_headers();
    test_mail_injection();
    test_mail_subject_encoding();
    test_mail_quoted_printable();
    test_message_mail();
    test_message_confirm();
    test_message_webhook();
    test_message_slack();
    test_message_discord();
    test_webhook_sign();
    test_addr_public();
    test_webhook_url();
    test_link_tokens();
    test_queue_enqueue();
    test_queue_fanout();
    test_queue_batches();
    test_queue_retries();
    test_queue_backoff();
    test_queue_gone();
    test_subscribe();
    test_purge();
    test_dead_pages();
    test_queue_many_events();
    test_long_components();

    return done_testing();
}
