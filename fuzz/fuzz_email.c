/*
 * Subscriber addresses (POST /subscribers, the public subscribe form):
 * inc_email_valid() over the bytes as they come, inc_mail_address() over
 * "Name <addr>", and the message a notification becomes with the input as
 * its subject and text, which must stay one set of headers and three MIME
 * boundaries whatever the text says.
 */

#include "fuzz.h"

#include "incident_model.h"
#include "incident_mail.h"


static const char  *fz_headers[] = {
    "From: ", "To: ", "Subject: ", "Date: ", "Message-ID: ",
    "List-Unsubscribe: ", "List-Unsubscribe-Post: ", "Auto-Submitted: ",
    "MIME-Version: ", "Content-Type: ", NULL
};


static void
fz_check_address(const char *s, size_t len)
{
    size_t  i, at;

    FZ_ASSERT(len >= 3 && len <= INC_EMAIL_MAX, "address length");

    for (i = 0, at = 0; i < len; i++) {
        FZ_ASSERT((unsigned char) s[i] > 0x20 && (unsigned char) s[i] < 0x7f
                  && s[i] != '<' && s[i] != '>' && s[i] != ',',
                  "an address with a character a header must not get");
        at += s[i] == '@';
    }

    FZ_ASSERT(at == 1, "an address without exactly one @");
}


static void
fz_check_message(const char *msg, size_t len)
{
    size_t       n, boundaries;
    const char  *p, *eol, *body, **h;

    FZ_ASSERT(strlen(msg) == len, "message length");

    body = strstr(msg, "\r\n\r\n");
    FZ_ASSERT(body != NULL, "no end of the headers");

    /* every header line one of ours, or a folded continuation */
    for (p = msg; p < body + 2; p = eol + 2) {
        eol = strstr(p, "\r\n");
        FZ_ASSERT(eol != NULL && eol - p <= 998, "a header line too long");

        if (*p == ' ' || *p == '\t') {
            continue;
        }

        for (h = fz_headers; *h; h++) {
            if (strncmp(p, *h, strlen(*h)) == 0) {
                break;
            }
        }

        FZ_ASSERT(*h != NULL, "a header that is not ours");
    }

    /* the body: quoted-printable lines of at most 76, three boundaries */
    boundaries = 0;

    for (p = body + 4; *p; p = eol + 2) {
        eol = strstr(p, "\r\n");
        FZ_ASSERT(eol != NULL, "a bare line end in the body");

        n = (size_t) (eol - p);

        if (n >= 2 && strncmp(p, "--", 2) == 0
            && strstr(p, "=_incident_alternative") == p + 2)
        {
            boundaries++;
            continue;
        }

        FZ_ASSERT(n <= 76, "a body line longer than 76");

        for ( /* void */ ; p < eol; p++) {
            FZ_ASSERT(*p != '\r' && *p != '\n'
                      && (unsigned char) *p < 0x80,
                      "a raw byte in the quoted-printable body");
        }
    }

    FZ_ASSERT(boundaries == 3, "the MIME structure changed");
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char        *raw, *s, out[INC_EMAIL_MAX + 1], *msg;
    size_t       len;
    inc_mail_t   m;

    /* the bytes exactly, not NUL-terminated */
    raw = fz_copy(data, size);

    if (inc_email_valid(raw, size)) {
        fz_check_address(raw, size);
    }

    free(raw);

    s = fz_cstr(data, size);
    if (s == NULL) {
        return 0;
    }

    if (inc_mail_address(s, out, sizeof(out))) {
        fz_check_address(out, strlen(out));
    }

    /* a title and a message as the API takes them: UTF-8 text */
    if (inc_utf8_valid((unsigned char *) s, size)) {
        memset(&m, 0, sizeof(inc_mail_t));
        m.from = "Example Status <status@example.com>";
        m.to = "someone@example.org";
        m.subject = s;
        m.message_id = "<1.2@status.example.com>";
        m.unsubscribe = "https://status.example.com/unsubscribe?token=1.ab";
        m.text = s;
        m.html = s;
        m.date = FZ_NOW;

        msg = inc_mail_message(&m, &len);

        if (msg != NULL) {
            fz_check_message(msg, len);
            free(msg);
        }
    }

    free(s);

    return 0;
}
