/*
 * Notification contents for each channel.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_html.h"
#include "incident_model.h"
#include "incident_message.h"


#define INC_DISCORD_DESCRIPTION_MAX  4000
#define INC_SLACK_TEXT_MAX           2900


typedef struct {
    const char  *title;
    const char  *status;         /* the label: "Investigating" */
    const char  *impact;         /* the label: "Major" */
    const char  *message;        /* Markdown, may be "" */
    const char  *url;
    const char  *posted;         /* RFC 3339 */
    char         duration[64];   /* "45 minutes" once resolved, or "" */
    char         window[112];    /* a maintenance's, or "" */
    int          severity;       /* INC_IMPACT_* */
} inc_facts_t;


static void inc_human_time(const char *rfc3339, char *buf, size_t size);


static const char *
inc_str(const cJSON *obj, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(obj, name);

    return cJSON_IsString(item) ? item->valuestring : "";
}


/* "27 Nov 2026 22:00 UTC – 27 Nov 2026 23:00 UTC" */
static void
inc_facts_window(const inc_event_t *ev, inc_facts_t *f)
{
    char  from[48], until[48];

    inc_human_time(inc_str(ev->incident, "scheduledFor"), from, sizeof(from));
    inc_human_time(inc_str(ev->incident, "scheduledUntil"), until,
                   sizeof(until));

    snprintf(f->window, sizeof(f->window), "%s \xe2\x80\x93 %s", from, until);
}


static void
inc_facts_maintenance(const inc_event_t *ev, inc_facts_t *f)
{
    const char  *status;

    /* the status the event announced, not the one at delivery time */
    if (ev->update != NULL) {
        status = inc_str(ev->update, "status");

    } else if (strcmp(ev->type, "maintenance.started") == 0) {
        status = "in_progress";

    } else if (strcmp(ev->type, "maintenance.completed") == 0) {
        status = "completed";

    } else {
        status = "scheduled";
    }

    f->status = strcmp(ev->type, "maintenance.reminder") == 0
                ? "Starting soon"
                : inc_enum_label(inc_maintenance_statuses, INC_MAINT_COUNT,
                                 status);
    f->impact = "";
    f->severity = INC_IMPACT_NONE;
    f->posted = inc_str(ev->update ? ev->update : ev->incident,
                        "createdAt");
    f->duration[0] = '\0';

    if (f->status == NULL) {
        f->status = status;
    }

    inc_facts_window(ev, f);
}


static void
inc_facts(const inc_event_t *ev, inc_facts_t *f)
{
    const char   *status;
    const cJSON  *seconds;

    f->title = inc_str(ev->incident, "title");
    f->message = ev->update ? inc_str(ev->update, "message") : "";
    f->url = inc_str(ev->incident, "url");
    f->window[0] = '\0';

    if (ev->maintenance) {
        inc_facts_maintenance(ev, f);
        return;
    }

    status = inc_str(ev->update ? ev->update : ev->incident, "status");

    f->status = inc_enum_label(inc_incident_statuses, INC_STATUS_COUNT,
                               status);
    f->impact = inc_enum_label(inc_impacts, INC_IMPACT_COUNT,
                               inc_str(ev->incident, "impact"));
    f->severity = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                                inc_str(ev->incident, "impact"));
    f->posted = inc_str(ev->update ? ev->update : ev->incident,
                        ev->update ? "createdAt" : "startedAt");
    f->duration[0] = '\0';

    seconds = cJSON_GetObjectItemCaseSensitive(ev->incident,
                                               "durationSeconds");

    if (strcmp(status, "resolved") == 0 && cJSON_IsNumber(seconds)) {
        inc_duration_text((long) seconds->valuedouble, f->duration,
                          sizeof(f->duration));
    }

    if (f->status == NULL) {
        f->status = status;
    }

    if (f->impact == NULL) {
        f->impact = "";
    }
}


/* a string cut short by snprintf() ends on a whole character again */
static void
inc_utf8_trim(char *s)
{
    size_t  len;

    len = strlen(s);

    while (len && !inc_utf8_valid((unsigned char *) s, len)) {
        s[--len] = '\0';
    }
}


/* "2026-11-27T10:00:00Z" as "27 Nov 2026 10:00 UTC" */
static void
inc_human_time(const char *rfc3339, char *buf, size_t size)
{
    time_t     t;
    struct tm  tm;

    if (inc_time_parse(rfc3339, &t) != 0) {
        snprintf(buf, size, "%s", rfc3339);
        return;
    }

    gmtime_r(&t, &tm);
    strftime(buf, size, "%d %b %Y %H:%M UTC", &tm);
}


static char *
inc_strdup_subject(const inc_facts_t *f)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 256) != 0) {
        return NULL;
    }

    inc_buf_printf(&b, "[%s] %s", f->status, f->title);

    return inc_buf_detach(&b, NULL);
}


static void
inc_mail_footer_text(inc_buf_t *b, const char *page_title,
    const char *unsubscribe)
{
    inc_buf_printf(b, "\n-- \nYou receive this mail because this address "
                   "subscribed to updates from %s.\n", page_title);

    if (unsubscribe != NULL) {
        inc_buf_printf(b, "Unsubscribe: %s\n", unsubscribe);
    }
}


static void
inc_mail_footer_html(inc_buf_t *b, const char *page_title,
    const char *unsubscribe)
{
    inc_buf_str(b, "<hr><p style=\"color:#555;font-size:13px\">You receive "
                "this mail because this address subscribed to updates "
                "from ");
    inc_buf_escape(b, page_title);
    inc_buf_str(b, ".");

    if (unsubscribe != NULL) {
        inc_buf_str(b, " <a href=\"");
        inc_buf_escape(b, unsubscribe);
        inc_buf_str(b, "\">Unsubscribe</a>");
    }

    inc_buf_str(b, "</p>\n</body>\n</html>\n");
}


static void
inc_mail_head_html(inc_buf_t *b, const char *subject)
{
    inc_buf_str(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>"
                "<meta charset=\"utf-8\"><title>");
    inc_buf_escape(b, subject);
    inc_buf_str(b, "</title></head>\n<body style=\"font-family:sans-serif;"
                "line-height:1.5;color:#1a1a1a;max-width:40em\">\n");
}


int
inc_message_mail(const inc_event_t *ev, const char *unsubscribe,
    inc_mail_body_t *out)
{
    char         when[64];
    inc_buf_t    text, html;
    inc_facts_t  f;

    memset(out, 0, sizeof(inc_mail_body_t));
    inc_facts(ev, &f);
    inc_human_time(f.posted, when, sizeof(when));

    out->subject = inc_strdup_subject(&f);

    if (out->subject == NULL || inc_buf_init(&text, 2048) != 0) {
        inc_mail_body_free(out);
        return -1;
    }

    if (inc_buf_init(&html, 4096) != 0) {
        inc_buf_free(&text);
        inc_mail_body_free(out);
        return -1;
    }

    inc_buf_printf(&text, "%s\n\n%s", f.title, f.status);

    if (f.message[0] != '\0') {
        inc_buf_printf(&text, " - %s", f.message);
    }

    inc_buf_str(&text, "\n\n");

    if (f.impact[0] != '\0') {
        inc_buf_printf(&text, "Impact: %s\n", f.impact);
    }

    if (f.window[0] != '\0') {
        inc_buf_printf(&text, "Window: %s\n", f.window);
    }

    if (ev->components[0] != '\0') {
        inc_buf_printf(&text, "Affected components: %s\n", ev->components);
    }

    if (f.duration[0] != '\0') {
        inc_buf_printf(&text, "Duration: %s\n", f.duration);
    }

    inc_buf_printf(&text, "Posted: %s\n\nView the %s: %s\n", when,
                   ev->maintenance ? "maintenance" : "incident", f.url);
    inc_mail_footer_text(&text, ev->page_title, unsubscribe);

    inc_mail_head_html(&html, out->subject);
    inc_buf_str(&html, "<h1 style=\"font-size:20px\">");
    inc_buf_escape(&html, f.title);
    inc_buf_str(&html, "</h1>\n<p><strong>");
    inc_buf_escape(&html, f.status);
    inc_buf_str(&html, "</strong></p>\n");
    inc_buf_markdown(&html, f.message);
    inc_buf_str(&html, "<ul>\n");

    if (f.impact[0] != '\0') {
        inc_buf_str(&html, "<li>Impact: ");
        inc_buf_escape(&html, f.impact);
        inc_buf_str(&html, "</li>\n");
    }

    if (f.window[0] != '\0') {
        inc_buf_str(&html, "<li>Window: ");
        inc_buf_escape(&html, f.window);
        inc_buf_str(&html, "</li>\n");
    }

    if (ev->components[0] != '\0') {
        inc_buf_str(&html, "<li>Affected components: ");
        inc_buf_escape(&html, ev->components);
        inc_buf_str(&html, "</li>\n");
    }

    if (f.duration[0] != '\0') {
        inc_buf_str(&html, "<li>Duration: ");
        inc_buf_escape(&html, f.duration);
        inc_buf_str(&html, "</li>\n");
    }

    inc_buf_str(&html, "<li>Posted: ");
    inc_buf_escape(&html, when);
    inc_buf_str(&html, "</li>\n</ul>\n<p><a href=\"");
    inc_buf_escape(&html, f.url);
    inc_buf_printf(&html, "\">View the %s</a></p>\n",
                   ev->maintenance ? "maintenance" : "incident");
    inc_mail_footer_html(&html, ev->page_title, unsubscribe);

    out->text = inc_buf_detach(&text, NULL);
    out->html = inc_buf_detach(&html, NULL);

    if (out->text == NULL || out->html == NULL) {
        inc_mail_body_free(out);
        return -1;
    }

    return 0;
}


int
inc_message_confirm_mail(const char *page_title, const char *confirm,
    const char *unsubscribe, long expiry_seconds, inc_mail_body_t *out)
{
    char       expiry[64];
    inc_buf_t  text, html, subject;

    memset(out, 0, sizeof(inc_mail_body_t));
    inc_duration_text(expiry_seconds, expiry, sizeof(expiry));

    if (inc_buf_init(&subject, 128) != 0) {
        return -1;
    }

    inc_buf_printf(&subject, "Confirm your subscription to %s", page_title);
    out->subject = inc_buf_detach(&subject, NULL);

    if (out->subject == NULL || inc_buf_init(&text, 1024) != 0) {
        inc_mail_body_free(out);
        return -1;
    }

    if (inc_buf_init(&html, 2048) != 0) {
        inc_buf_free(&text);
        inc_mail_body_free(out);
        return -1;
    }

    inc_buf_printf(&text, "Someone, probably you, asked to receive "
                   "incident updates from %s at this address.\n\n"
                   "Confirm the subscription here:\n%s\n\n"
                   "The link works for %s. If you did not ask for this, "
                   "ignore this mail: nothing more will be sent.\n",
                   page_title, confirm, expiry);
    inc_mail_footer_text(&text, page_title, unsubscribe);

    inc_mail_head_html(&html, out->subject);
    inc_buf_str(&html, "<p>Someone, probably you, asked to receive incident "
                "updates from ");
    inc_buf_escape(&html, page_title);
    inc_buf_str(&html, " at this address.</p>\n<p><a href=\"");
    inc_buf_escape(&html, confirm);
    inc_buf_str(&html, "\">Confirm the subscription</a></p>\n<p>The link "
                "works for ");
    inc_buf_escape(&html, expiry);
    inc_buf_str(&html, ". If you did not ask for this, ignore this mail: "
                "nothing more will be sent.</p>\n");
    inc_mail_footer_html(&html, page_title, unsubscribe);

    out->text = inc_buf_detach(&text, NULL);
    out->html = inc_buf_detach(&html, NULL);

    if (out->text == NULL || out->html == NULL) {
        inc_mail_body_free(out);
        return -1;
    }

    return 0;
}


void
inc_mail_body_free(inc_mail_body_t *m)
{
    free(m->subject);
    free(m->text);
    free(m->html);
    memset(m, 0, sizeof(inc_mail_body_t));
}


static char *
inc_print(cJSON *doc)
{
    char  *text;

    text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);

    return text;
}


/*
 * Our own webhook: the documents the API serves, in an envelope whose
 * timestamp is the event's, the same on every retry (the webhook-timestamp
 * header is the try's).
 */
char *
inc_message_webhook(const inc_event_t *ev)
{
    cJSON  *doc, *data, *page;

    doc = cJSON_CreateObject();
    data = cJSON_CreateObject();
    page = cJSON_CreateObject();

    if (doc == NULL || data == NULL || page == NULL) {
        cJSON_Delete(doc);
        cJSON_Delete(data);
        cJSON_Delete(page);
        return NULL;
    }

    cJSON_AddStringToObject(doc, "type", ev->type);
    cJSON_AddStringToObject(doc, "timestamp",
                            inc_str(ev->update ? ev->update : ev->incident,
                                    "createdAt"));
    cJSON_AddItemToObject(doc, "data", data);

    cJSON_AddStringToObject(page, "title", ev->page_title);
    cJSON_AddStringToObject(page, "url", ev->base_url);
    cJSON_AddItemToObject(data, "page", page);
    cJSON_AddItemToObject(data, ev->maintenance ? "maintenance" : "incident",
                          cJSON_Duplicate(ev->incident, 1));
    cJSON_AddItemToObject(data, "update", ev->update
                          ? cJSON_Duplicate(ev->update, 1)
                          : cJSON_CreateNull());

    return inc_print(doc);
}


/*
 * Slack's mrkdwn reserves & < >; everything else passes.  At most "max"
 * bytes of "s" are taken, never part of a character.
 */
static void
inc_slack_escape(inc_buf_t *b, const char *s, size_t max)
{
    size_t                n, len;
    const unsigned char  *p;

    p = (const unsigned char *) s;

    for (n = 0; *p; p += len, n += len) {
        len = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

        if (n + len > max) {
            break;
        }

        switch (*p) {
        case '&':
            inc_buf_str(b, "&amp;");
            break;
        case '<':
            inc_buf_str(b, "&lt;");
            break;
        case '>':
            inc_buf_str(b, "&gt;");
            break;
        default:
            inc_buf_add(b, (const char *) p, len);
        }
    }
}


char *
inc_message_slack(const inc_event_t *ev)
{
    char        *text;
    cJSON       *doc;
    inc_buf_t    b;
    inc_facts_t  f;

    inc_facts(ev, &f);

    if (inc_buf_init(&b, 1024) != 0) {
        return NULL;
    }

    inc_buf_str(&b, "*[");
    inc_slack_escape(&b, f.status, 64);
    inc_buf_str(&b, "] <");
    inc_slack_escape(&b, f.url, 512);
    inc_buf_str(&b, "|");
    inc_slack_escape(&b, f.title, 256);
    inc_buf_str(&b, ">*\n");

    if (f.message[0] != '\0') {
        inc_slack_escape(&b, f.message, INC_SLACK_TEXT_MAX);
        inc_buf_str(&b, "\n");
    }

    if (f.window[0] != '\0') {
        inc_buf_str(&b, "Window: ");
        inc_slack_escape(&b, f.window, sizeof(f.window));

    } else {
        inc_buf_str(&b, "Impact: ");
        inc_slack_escape(&b, f.impact, 64);
    }

    if (ev->components[0] != '\0') {
        inc_buf_str(&b, " · Components: ");
        inc_slack_escape(&b, ev->components, 512);
    }

    if (f.duration[0] != '\0') {
        inc_buf_str(&b, " · Duration: ");
        inc_slack_escape(&b, f.duration, 64);
    }

    text = inc_buf_detach(&b, NULL);
    if (text == NULL) {
        return NULL;
    }

    doc = cJSON_CreateObject();

    if (doc != NULL) {
        cJSON_AddStringToObject(doc, "text", text);
    }

    free(text);

    return inc_print(doc);
}


char *
inc_message_discord(const inc_event_t *ev)
{
    char         title[320], description[INC_DISCORD_DESCRIPTION_MAX + 1];
    cJSON       *doc, *embeds, *embed, *fields, *field, *mentions;
    inc_facts_t  f;

    /* red, orange, yellow, blue by impact */
    static const int  colors[INC_IMPACT_COUNT + 1] = {
        0xd1242f, 0xe16f24, 0xbf8700, 0x0969da, 0x0969da
    };

    inc_facts(ev, &f);

    snprintf(title, sizeof(title), "[%s] %.250s", f.status, f.title);
    inc_utf8_trim(title);
    snprintf(description, sizeof(description), "%s", f.message);
    inc_utf8_trim(description);

    doc = cJSON_CreateObject();
    embeds = cJSON_AddArrayToObject(doc, "embeds");
    embed = cJSON_CreateObject();
    fields = cJSON_CreateArray();
    mentions = cJSON_AddObjectToObject(doc, "allowed_mentions");

    if (doc == NULL || embeds == NULL || embed == NULL || fields == NULL
        || mentions == NULL)
    {
        cJSON_Delete(doc);
        cJSON_Delete(embed);
        cJSON_Delete(fields);
        return NULL;
    }

    /* "@everyone" in a message must not ping anybody */
    cJSON_AddItemToObject(mentions, "parse", cJSON_CreateArray());

    cJSON_AddItemToArray(embeds, embed);
    cJSON_AddStringToObject(embed, "title", title);
    cJSON_AddStringToObject(embed, "url", f.url);

    if (description[0] != '\0') {
        cJSON_AddStringToObject(embed, "description", description);
    }

    cJSON_AddNumberToObject(embed, "color",
                            colors[f.severity >= 0 ? f.severity
                                                   : INC_IMPACT_COUNT]);
    cJSON_AddStringToObject(embed, "timestamp", f.posted);
    cJSON_AddItemToObject(embed, "fields", fields);

    field = cJSON_CreateObject();
    cJSON_AddItemToArray(fields, field);
    cJSON_AddStringToObject(field, "name", f.window[0] ? "Window" : "Impact");
    cJSON_AddStringToObject(field, "value", f.window[0] ? f.window
                                            : f.impact[0] ? f.impact : "-");
    cJSON_AddBoolToObject(field, "inline", 1);

    if (ev->components[0] != '\0') {
        field = cJSON_CreateObject();
        cJSON_AddItemToArray(fields, field);
        cJSON_AddStringToObject(field, "name", "Components");
        cJSON_AddStringToObject(field, "value", ev->components);
        cJSON_AddBoolToObject(field, "inline", 1);
    }

    if (f.duration[0] != '\0') {
        field = cJSON_CreateObject();
        cJSON_AddItemToArray(fields, field);
        cJSON_AddStringToObject(field, "name", "Duration");
        cJSON_AddStringToObject(field, "value", f.duration);
        cJSON_AddBoolToObject(field, "inline", 1);
    }

    return inc_print(doc);
}
