/*
 * RFC 5322 messages for notifications.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_html.h"
#include "incident_mail.h"


#define INC_MAIL_BOUNDARY  "=_incident_alternative"
#define INC_QP_LINE        76


static const char  inc_base64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


static int
inc_atext(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9')
           || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}


static int
inc_label_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
           || (c >= '0' && c <= '9') || c == '-';
}


int
inc_email_valid(const char *s, size_t len)
{
    size_t  i, at, label, dots;

    if (len < 3 || len > INC_EMAIL_MAX) {
        return 0;
    }

    for (at = 0; at < len && s[at] != '@'; at++) {
        if (!inc_atext((unsigned char) s[at]) && s[at] != '.') {
            return 0;
        }

        if (s[at] == '.' && (at == 0 || s[at - 1] == '.')) {
            return 0;
        }
    }

    if (at == 0 || at > 64 || at >= len - 1 || s[at - 1] == '.') {
        return 0;
    }

    /* the domain: dot-separated labels, not starting or ending in "-" */
    label = 0;
    dots = 0;

    for (i = at + 1; i < len; i++) {
        if (s[i] == '.') {
            if (label == 0 || s[i - 1] == '-') {
                return 0;
            }
            label = 0;
            dots++;
            continue;
        }

        if (!inc_label_char((unsigned char) s[i])
            || (label == 0 && s[i] == '-') || ++label > 63)
        {
            return 0;
        }
    }

    return label > 0 && s[len - 1] != '-' && dots > 0;
}


int
inc_mail_address(const char *from, char *out, size_t size)
{
    size_t       len;
    const char  *lt, *gt;

    lt = strchr(from, '<');

    if (lt != NULL) {
        gt = strchr(lt, '>');
        if (gt == NULL) {
            return 0;
        }
        from = lt + 1;
        len = gt - from;

    } else {
        len = strlen(from);
    }

    if (len >= size || !inc_email_valid(from, len)) {
        return 0;
    }

    memcpy(out, from, len);
    out[len] = '\0';

    return 1;
}


static void
inc_base64_add(inc_buf_t *b, const unsigned char *p, size_t n)
{
    char    out[4];
    size_t  i;

    for (i = 0; i + 2 < n; i += 3) {
        out[0] = inc_base64[p[i] >> 2];
        out[1] = inc_base64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        out[2] = inc_base64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)];
        out[3] = inc_base64[p[i + 2] & 63];
        inc_buf_add(b, out, 4);
    }

    if (n - i == 1) {
        out[0] = inc_base64[p[i] >> 2];
        out[1] = inc_base64[(p[i] & 3) << 4];
        out[2] = '=';
        out[3] = '=';
        inc_buf_add(b, out, 4);

    } else if (n - i == 2) {
        out[0] = inc_base64[p[i] >> 2];
        out[1] = inc_base64[((p[i] & 3) << 4) | (p[i + 1] >> 4)];
        out[2] = inc_base64[(p[i + 1] & 15) << 2];
        out[3] = '=';
        inc_buf_add(b, out, 4);
    }
}


/*
 * A header value from user input: control characters (CR and LF among
 * them) become spaces, so that nothing can start a header of its own.
 */
static void
inc_header_clean(inc_buf_t *b, const char *s)
{
    for ( /* void */ ; *s; s++) {
        if ((unsigned char) *s < 0x20 || *s == 0x7f) {
            inc_buf_add(b, " ", 1);

        } else {
            inc_buf_add(b, s, 1);
        }
    }
}


/*
 * RFC 2047 encoded words of at most 39 bytes, never splitting a character:
 * with "Subject: " in front a line stays within 76 characters.
 */
static void
inc_header_encode(inc_buf_t *b, const char *s)
{
    size_t            n, len, i;
    inc_buf_t         clean;
    const unsigned char  *p;

    for (p = (const unsigned char *) s; *p; p++) {
        if (*p >= 0x80 || *p < 0x20) {
            break;
        }
    }

    if (*p == '\0' && p - (const unsigned char *) s <= 900) {
        inc_header_clean(b, s);
        return;
    }

    if (inc_buf_init(&clean, 256) != 0) {
        b->failed = 1;
        return;
    }

    inc_header_clean(&clean, s);
    p = (const unsigned char *) clean.data;
    len = clean.len;

    for (i = 0; i < len; i += n) {
        n = len - i < 39 ? len - i : 39;

        /* back off to the start of a UTF-8 sequence */
        while (n > 1 && i + n < len && (p[i + n] & 0xc0) == 0x80) {
            n--;
        }

        inc_buf_str(b, i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?");
        inc_base64_add(b, p + i, n);
        inc_buf_str(b, "?=");
    }

    inc_buf_free(&clean);
}


/* quoted-printable (RFC 2045), LF or CRLF in, CRLF out */
static void
inc_qp_add(inc_buf_t *b, const char *s)
{
    char                  hex[4];
    size_t                col;
    const unsigned char  *p;

    col = 0;

    for (p = (const unsigned char *) s; *p; p++) {

        if (*p == '\r' && p[1] == '\n') {
            continue;
        }

        if (*p == '\n') {
            inc_buf_add(b, "\r\n", 2);
            col = 0;
            continue;
        }

        if (col >= INC_QP_LINE - 3) {
            inc_buf_add(b, "=\r\n", 3);
            col = 0;
        }

        if ((*p >= 33 && *p <= 126 && *p != '=')
            || (*p == ' ' && p[1] != '\n' && p[1] != '\r' && p[1] != '\0'))
        {
            inc_buf_add(b, (const char *) p, 1);
            col++;
            continue;
        }

        snprintf(hex, sizeof(hex), "=%02X", *p);
        inc_buf_add(b, hex, 3);
        col += 3;
    }

    inc_buf_add(b, "\r\n", 2);
}


static void
inc_mail_date(inc_buf_t *b, time_t t)
{
    char       date[64];
    struct tm  tm;

    static const char  *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
                                   "Fri", "Sat" };
    static const char  *months[] = { "Jan", "Feb", "Mar", "Apr", "May",
                                     "Jun", "Jul", "Aug", "Sep", "Oct",
                                     "Nov", "Dec" };

    gmtime_r(&t, &tm);

    snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000",
             days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
             tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);

    inc_buf_str(b, date);
}


char *
inc_mail_message(const inc_mail_t *m, size_t *len)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 4096) != 0) {
        return NULL;
    }

    inc_buf_str(&b, "From: ");
    inc_header_clean(&b, m->from);
    inc_buf_str(&b, "\r\nTo: ");
    inc_header_clean(&b, m->to);
    inc_buf_str(&b, "\r\nSubject: ");
    inc_header_encode(&b, m->subject);
    inc_buf_str(&b, "\r\nDate: ");
    inc_mail_date(&b, m->date);
    inc_buf_str(&b, "\r\nMessage-ID: ");
    inc_header_clean(&b, m->message_id);

    if (m->unsubscribe != NULL) {
        /* RFC 8058: one click, answered by POST /unsubscribe */
        inc_buf_str(&b, "\r\nList-Unsubscribe: <");
        inc_header_clean(&b, m->unsubscribe);
        inc_buf_str(&b, ">\r\nList-Unsubscribe-Post: "
                    "List-Unsubscribe=One-Click");
    }

    /* automatic mail: no vacation replies to it */
    inc_buf_str(&b, "\r\nAuto-Submitted: auto-generated"
                "\r\nMIME-Version: 1.0"
                "\r\nContent-Type: multipart/alternative; boundary=\""
                INC_MAIL_BOUNDARY "\"\r\n\r\n");

    inc_buf_str(&b, "--" INC_MAIL_BOUNDARY "\r\n"
                "Content-Type: text/plain; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    inc_qp_add(&b, m->text);

    inc_buf_str(&b, "--" INC_MAIL_BOUNDARY "\r\n"
                "Content-Type: text/html; charset=UTF-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    inc_qp_add(&b, m->html);

    inc_buf_str(&b, "--" INC_MAIL_BOUNDARY "--\r\n");

    return inc_buf_detach(&b, len);
}
