/*
 * /maintenance.ics: the maintenance windows as an iCalendar feed
 * (RFC 5545), so that people can put them in their calendars.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_html.h"
#include "incident_render.h"


#define INC_ICS_LINE  75        /* octets, before a fold */


/* a content line, folded at 75 octets without splitting a character */
static void
inc_ics_line(inc_buf_t *b, const char *line)
{
    size_t                n, col, len;
    const unsigned char  *p;

    p = (const unsigned char *) line;
    col = 0;

    while (*p) {
        len = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

        for (n = 1; n < len && p[n]; n++) {
            /* void */
        }

        if (col + n > INC_ICS_LINE) {
            inc_buf_add(b, "\r\n ", 3);
            col = 1;
        }

        inc_buf_add(b, (const char *) p, n);
        col += n;
        p += n;
    }

    inc_buf_add(b, "\r\n", 2);
}


/* NAME:VALUE with the TEXT escapes of RFC 5545 3.3.11 */
static void
inc_ics_text(inc_buf_t *b, const char *name, const char *value)
{
    inc_buf_t    line;
    const char  *p;

    if (inc_buf_init(&line, 256) != 0) {
        b->failed = 1;
        return;
    }

    inc_buf_printf(&line, "%s:", name);

    for (p = value; *p; p++) {
        switch (*p) {
        case '\\':
        case ';':
        case ',':
            inc_buf_add(&line, "\\", 1);
            inc_buf_add(&line, p, 1);
            break;
        case '\n':
            inc_buf_add(&line, "\\n", 2);
            break;
        case '\r':
            break;
        default:
            inc_buf_add(&line, p, 1);
        }
    }

    if (line.failed) {
        b->failed = 1;

    } else {
        inc_ics_line(b, line.data);
    }

    inc_buf_free(&line);
}


static void
inc_ics_time(inc_buf_t *b, const char *name, const char *rfc3339)
{
    char       line[64];
    time_t     t;
    struct tm  tm;

    if (inc_time_parse(rfc3339, &t) != 0) {
        return;
    }

    gmtime_r(&t, &tm);
    snprintf(line, sizeof(line), "%s:%04d%02d%02dT%02d%02d%02dZ", name,
             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
             tm.tm_min, tm.tm_sec);
    inc_ics_line(b, line);
}


static void
inc_ics_event(inc_buf_t *b, const cJSON *m, const inc_render_ctx_t *rc,
    const char *host)
{
    char          line[1200];
    inc_buf_t     text;
    const char   *status, *label;
    const cJSON  *updates, *latest;

    updates = cJSON_GetObjectItem(m, "updates");
    latest = cJSON_GetArrayItem(updates, 0);
    status = inc_rec_str(m, "status");
    label = inc_enum_label(inc_maintenance_statuses, INC_MAINT_COUNT,
                           status);

    inc_ics_line(b, "BEGIN:VEVENT");

    snprintf(line, sizeof(line), "UID:maintenance-%.0f@%s",
             inc_rec_num(m, "id"), host);
    inc_ics_line(b, line);

    /* a calendar takes a change when the sequence goes up */
    snprintf(line, sizeof(line), "SEQUENCE:%.0f", inc_rec_num(m, "revision"));
    inc_ics_line(b, line);

    inc_ics_time(b, "DTSTAMP", inc_rec_str(m, "updatedAt"));
    inc_ics_time(b, "LAST-MODIFIED", inc_rec_str(m, "updatedAt"));
    inc_ics_time(b, "DTSTART", inc_rec_str(m, "scheduledFor"));
    inc_ics_time(b, "DTEND", inc_rec_str(m, "scheduledUntil"));
    inc_ics_text(b, "SUMMARY", inc_rec_str(m, "title"));

    if (inc_buf_init(&text, 1024) != 0) {
        b->failed = 1;
        return;
    }

    inc_buf_printf(&text, "%s%s%s", label ? label : status,
                   latest ? ": " : "",
                   latest ? inc_rec_str(latest, "message") : "");

    if (text.failed) {
        b->failed = 1;

    } else {
        inc_ics_text(b, "DESCRIPTION", text.data);
    }

    inc_buf_free(&text);

    snprintf(line, sizeof(line), "URL:%s%smaintenances/%.0f", rc->base_url,
             rc->base_path, inc_rec_num(m, "id"));
    inc_ics_line(b, line);
    inc_ics_line(b, "STATUS:CONFIRMED");
    inc_ics_line(b, "TRANSP:OPAQUE");
    inc_ics_line(b, "END:VEVENT");
}


char *
inc_render_ics(const cJSON *doc, const inc_render_ctx_t *rc, size_t *len)
{
    char          host[256];
    size_t        n;
    inc_buf_t     b;
    const char   *p;
    const cJSON  *m, *settings;

    settings = cJSON_GetObjectItem(doc, "settings");

    p = strstr(rc->base_url, "://");
    p = p ? p + 3 : rc->base_url;
    n = strcspn(p, ":/?#");
    snprintf(host, sizeof(host), "%.*s", (int) (n < 255 ? n : 255), p);

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_ics_line(&b, "BEGIN:VCALENDAR");
    inc_ics_line(&b, "VERSION:2.0");
    inc_ics_line(&b, "PRODID:-//ngx_incident_module//Status page//EN");
    inc_ics_line(&b, "CALSCALE:GREGORIAN");
    inc_ics_line(&b, "METHOD:PUBLISH");
    inc_ics_text(&b, "X-WR-CALNAME", inc_rec_str(settings, "pageTitle"));

    cJSON_ArrayForEach(m, cJSON_GetObjectItem(doc, "maintenances")) {
        inc_ics_event(&b, m, rc, host);
    }

    inc_ics_line(&b, "END:VCALENDAR");

    return inc_buf_detach(&b, len);
}
