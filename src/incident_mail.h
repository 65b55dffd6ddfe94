/*
 * Mail: address validation and RFC 5322 / MIME messages (plain text and
 * HTML alternatives, quoted-printable, RFC 2047 subjects, RFC 8058
 * one-click unsubscribe headers).  Header values are cleaned of control
 * characters here, so no input can add a header.  No nginx types.
 */

#ifndef _INCIDENT_MAIL_H_INCLUDED_
#define _INCIDENT_MAIL_H_INCLUDED_


#include <stddef.h>
#include <time.h>


#define INC_EMAIL_MAX  254


typedef struct {
    const char  *from;           /* "Name <addr>" or "addr" */
    const char  *to;
    const char  *subject;        /* UTF-8 */
    const char  *message_id;     /* "<...@host>" */
    const char  *unsubscribe;    /* the one-click URL, or NULL */
    const char  *text;           /* UTF-8, LF line ends */
    const char  *html;
    time_t       date;
} inc_mail_t;


/* a single address "local@domain" of printable ASCII, without a name */
int inc_email_valid(const char *s, size_t len);

/* the bare address of "Name <addr>" or of "addr", into "out" */
int inc_mail_address(const char *from, char *out, size_t size);

/* the whole message with CRLF line ends, malloc()ed */
char *inc_mail_message(const inc_mail_t *m, size_t *len);


#endif /* _INCIDENT_MAIL_H_INCLUDED_ */
