/*
 * What a notification says, per channel: the mail's subject, text and
 * HTML, the webhook's JSON, and Slack's and Discord's incoming-webhook
 * messages.  Built from API documents; no store, no nginx types.
 */

#ifndef _INCIDENT_MESSAGE_H_INCLUDED_
#define _INCIDENT_MESSAGE_H_INCLUDED_


#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>


typedef struct {
    const char   *type;          /* "incident.created", ".updated", ... */
    const cJSON  *incident;      /* the API document, timeline included */
    const cJSON  *update;        /* the update announced, or NULL */
    const char   *page_title;
    const char   *base_url;
    const char   *components;    /* "API, Dashboard", or "" */
    int           maintenance;   /* "incident" is a maintenance's document */
} inc_event_t;


typedef struct {
    char         *subject;
    char         *text;
    char         *html;
} inc_mail_body_t;


int inc_message_mail(const inc_event_t *ev, const char *unsubscribe,
    inc_mail_body_t *out);
int inc_message_confirm_mail(const char *page_title, const char *confirm,
    const char *unsubscribe, long expiry_seconds, inc_mail_body_t *out);
void inc_mail_body_free(inc_mail_body_t *m);

/* malloc()ed JSON for each kind of webhook */
char *inc_message_webhook(const inc_event_t *ev);
char *inc_message_slack(const inc_event_t *ev);
char *inc_message_discord(const inc_event_t *ev);


#endif /* _INCIDENT_MESSAGE_H_INCLUDED_ */
