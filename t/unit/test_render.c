/*
 * incident_html (buffer, escaping, safe Markdown), inc_duration_text, and
 * incident_render: the status page, the incident page, history, not-found
 * and the Atom and RSS feeds, from hand-built documents shaped like those
 * of incident_service_page.c.  Every user-written string is hostile here.
 */

#define _GNU_SOURCE

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "incident_model.h"
#include "incident_html.h"
#include "incident_render.h"
#include "tap.h"
#include "markup.h"


#define DAY   86400

/* 2026-11-27T10:00:00Z, a Friday */
#define NOW   ((time_t) 1795773600)

/* breaks out of text, of attributes either quoted, and of CDATA-less XML */
#define EVIL      "\"'><script>alert('&')</script>"
#define EVIL_ESC  "&quot;&#39;&gt;&lt;script&gt;alert(&#39;&amp;&#39;)" \
                  "&lt;/script&gt;"


/* helpers */

static int
in_order(const char *hay, const char **needles, int n)
{
    int   i;
    long  prev, at;

    prev = -1;

    for (i = 0; i < n; i++) {
        at = pos(hay, needles[i]);
        if (at < 0 || at <= prev) {
            diag("  '%s' at %ld, after %ld", needles[i], at, prev);
            return 0;
        }
        prev = at;
    }

    return 1;
}


static void
test_markup_checker(void)
{
    int  i;

    static const char  *good[] = {
        "<p>a &amp; b</p>",
        "<!doctype html>\n<html><body><br><img src=\"x\" alt=\"\">"
        "<time datetime=\"t\" data-d>x</time><svg><use href=\"#i\"/></svg>"
        "<style>a>b{}</style><script>if(a<b)x()</script></body></html>",
        "<p>&middot; &#39; &#x27;<!-- c --></p>",
    };

    static const char  *bad[] = {
        "<p><b></p></b>",
        "<p>a < b</p>",
        "<p>a > b</p>",
        "<p>a & b</p>",
        "<p title=\"a\"b\">x</p>",
        "<p title=\"<x>\">x</p>",
        "<p title='x'>x</p>",
        "<p>",
        "</p>",
        "<p>x</p><script>",
    };

    markup_quiet = 1;

    for (i = 0; i < (int) (sizeof(good) / sizeof(good[0])); i++) {
        ok(markup_ok(good[i], 1), "the checker accepts good markup %d", i);
    }

    for (i = 0; i < (int) (sizeof(bad) / sizeof(bad[0])); i++) {
        ok(!markup_ok(bad[i], 1), "the checker refuses bad markup %d", i);
    }

    ok(!markup_ok("<a b>x</a>", 0), "XML: no attribute without a value");
    ok(!markup_ok("<a>&middot;</a>", 0), "XML: no HTML entities");
    ok(!markup_ok("<feed><entry></feed>", 0), "XML: an unclosed entry");

    markup_quiet = 0;
}


/* the text of a buffer after f() wrote into it */
static char *
buf_text(void (*f)(inc_buf_t *b, const char *s), const char *s)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 0) != 0) {
        return NULL;
    }

    f(&b, s);

    return inc_buf_detach(&b, NULL);
}


/* incident_html */

static void
test_buf(void)
{
    int        i;
    char      *text, big[5001];
    size_t     len;
    inc_buf_t  b;

    is_int(inc_buf_init(&b, 0), 0, "inc_buf_init");
    is_int(b.cap, 256, "a capacity of 0 means 256");
    is_str(b.data, "", "a new buffer is an empty string");
    inc_buf_free(&b);
    ok(b.data == NULL && b.len == 0 && b.cap == 0, "inc_buf_free");
    inc_buf_free(&b);

    inc_buf_init(&b, 4);
    for (i = 0; i < 100; i++) {
        inc_buf_str(&b, "abc");
    }
    inc_buf_add(&b, "xyz", 1);
    inc_buf_printf(&b, "[%d|%s]", 42, "q");

    is_int(b.len, 300 + 1 + 6, "the buffer grows from 4 bytes");
    ok(b.cap > b.len, "with room for the NUL");
    ok(strncmp(b.data + 297, "abcx[42|q]", 10) == 0,
       "the appended text in order");
    is_int(b.failed, 0, "not failed");

    memset(big, 'y', 5000);
    big[5000] = '\0';
    inc_buf_printf(&b, "%s!", big);
    is_int(b.len, 307 + 5001, "a printf larger than the buffer");
    is_int(b.data[b.len - 1], '!', "ends as printed");
    is_int(b.data[b.len], '\0', "NUL-terminated");

    text = inc_buf_detach(&b, &len);
    is_int(len, 5308, "detach gives the length");
    ok(text != NULL && strlen(text) == 5308, "and the text");
    ok(b.data == NULL && b.len == 0 && b.cap == 0, "the buffer is emptied");
    free(text);
    inc_buf_free(&b);

    inc_buf_init(&b, 16);
    b.failed = 1;
    ok(inc_buf_detach(&b, NULL) == NULL, "a failed buffer detaches NULL");
    ok(b.data == NULL, "and is freed");
}


static void
test_escape(void)
{
    char  *t;

    t = buf_text(inc_buf_escape, "&<>\"'");
    is_str(t, "&amp;&lt;&gt;&quot;&#39;", "the five characters escaped");
    free(t);

    t = buf_text(inc_buf_escape, "plain text, no change; 100% é");
    is_str(t, "plain text, no change; 100% é", "other text as is");
    free(t);

    t = buf_text(inc_buf_escape, "");
    is_str(t, "", "the empty string");
    free(t);

    t = buf_text(inc_buf_escape, "a<b>c&&d\"e'f");
    is_str(t, "a&lt;b&gt;c&amp;&amp;d&quot;e&#39;f", "mixed, repeated");
    free(t);

    t = buf_text(inc_buf_escape, "&amp;");
    is_str(t, "&amp;amp;", "an entity is escaped again (no double-decode)");
    free(t);

    t = buf_text(inc_buf_escape, EVIL);
    is_str(t, EVIL_ESC, "the hostile test string");
    free(t);
}


static void
test_markdown(void)
{
    char  *t;

    t = buf_text(inc_buf_markdown, "**bold** and *em*");
    is_str(t, "<p><strong>bold</strong> and <em>em</em></p>\n",
           "Markdown: emphasis");
    free(t);

    t = buf_text(inc_buf_markdown, "- one\n- two");
    is_str(t, "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n", "Markdown: list");
    free(t);

    t = buf_text(inc_buf_markdown, "a < b & c > d");
    is_str(t, "<p>a &lt; b &amp; c &gt; d</p>\n", "text is escaped");
    free(t);

    t = buf_text(inc_buf_markdown, "<script>alert(1)</script>");
    ok(t && strstr(t, "<script") == NULL, "a raw <script> block is dropped");
    ok(t && strstr(t, "raw HTML omitted") != NULL, "replaced by a comment");
    free(t);

    t = buf_text(inc_buf_markdown, "hi <img src=x onerror=alert(1)> there");
    ok(t && strstr(t, "<img") == NULL && strstr(t, "onerror") == NULL,
       "inline raw HTML is dropped");
    ok(t && strstr(t, "hi ") && strstr(t, " there"), "the text around stays");
    free(t);

    t = buf_text(inc_buf_markdown, "<div onclick=\"x()\">\nblock\n</div>");
    ok(t && strstr(t, "<div") == NULL && strstr(t, "onclick") == NULL,
       "a raw HTML block is dropped");
    free(t);

    t = buf_text(inc_buf_markdown, "[click](javascript:alert(1))");
    ok(t && strstr(t, "javascript") == NULL, "a javascript: link is dropped");
    ok(t && strstr(t, "<a href=\"\">click</a>"), "the link has no target");
    free(t);

    t = buf_text(inc_buf_markdown, "[x](JaVaScRiPt:alert(1)) "
                 "[y](vbscript:x) [z](data:text/html;base64,PHN2Zz4=)");
    ok(t && strcasestr(t, "javascript") == NULL
       && strstr(t, "vbscript") == NULL && strstr(t, "data:") == NULL,
       "javascript: in any case, vbscript: and data: links are dropped");
    free(t);

    t = buf_text(inc_buf_markdown, "![i](javascript:alert(1))");
    ok(t && strstr(t, "javascript") == NULL, "a javascript: image is dropped");
    free(t);

    t = buf_text(inc_buf_markdown, "<javascript:alert(1)>");
    ok(t && strstr(t, "href=\"javascript") == NULL,
       "a javascript: autolink has no href");
    free(t);

    t = buf_text(inc_buf_markdown,
                 "[docs](https://example.com/a?b=1&c=\"2\")");
    is_str(t, "<p><a href=\"https://example.com/a?b=1&amp;c=%222%22\">docs"
           "</a></p>\n", "an https link is kept, escaped");
    free(t);

    t = buf_text(inc_buf_markdown, "\"quoted\" -- it's");
    is_str(t, "<p>\xe2\x80\x9cquoted\xe2\x80\x9d \xe2\x80\x93 it\xe2\x80\x99s"
           "</p>\n", "smart punctuation");
    free(t);

    t = buf_text(inc_buf_markdown, "");
    is_str(t, "", "empty Markdown: nothing");
    free(t);

    t = buf_text(inc_buf_markdown, EVIL);
    ok(t && strstr(t, "<script") == NULL, "the hostile string: no <script>");
    ok(t && markup_ok(t, 1), "the hostile string: well-formed");
    free(t);
}


static void
test_duration(void)
{
    int  i;
    char buf[64];

    static const struct {
        long         seconds;
        const char  *text;
    } cases[] = {
        { 0, "less than a minute" },
        { -120, "less than a minute" },
        { 29, "less than a minute" },
        { 30, "1 minute" },
        { 59, "1 minute" },
        { 60, "1 minute" },
        { 119, "2 minutes" },
        { 45 * 60, "45 minutes" },
        { 3600, "1 hour" },
        { 3600 + 29, "1 hour" },
        { 3600 + 60, "1 hour 1 minute" },
        { 3600 + 5 * 60, "1 hour 5 minutes" },
        { 7200, "2 hours" },
        { 2 * 3600 + 30 * 60, "2 hours 30 minutes" },
        { 86400 - 30, "1 day" },
        { 86400, "1 day" },
        { 86400 + 3600, "1 day 1 hour" },
        { 86400 + 30 * 60, "1 day" },
        { 2 * 86400, "2 days" },
        { 2 * 86400 + 3 * 3600, "2 days 3 hours" },
        { 2 * 86400 + 3 * 3600 + 40 * 60, "2 days 3 hours" },
        { 400 * 86400L, "400 days" },
    };

    for (i = 0; i < (int) (sizeof(cases) / sizeof(cases[0])); i++) {
        inc_duration_text(cases[i].seconds, buf, sizeof(buf));
        is_str(buf, cases[i].text, "inc_duration_text(%ld)",
               cases[i].seconds);
    }

    memset(buf, 'z', sizeof(buf));
    inc_duration_text(2 * 86400 + 3 * 3600, buf, 6);
    is_str(buf, "2 day", "a short buffer is cut, NUL-terminated");
    is_int(buf[6], 'z', "nothing written past it");
}


/* documents */

static cJSON *
settings_doc(const char *position)
{
    cJSON  *s, *links, *link;

    s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "pageTitle", "Acme " EVIL);
    cJSON_AddStringToObject(s, "incidentPosition", position);
    cJSON_AddStringToObject(s, "logoUrl", "https://x.example/l.png?" EVIL);
    cJSON_AddStringToObject(s, "accentColor", "#0969da");
    cJSON_AddStringToObject(s, "timezone", "Europe/" EVIL);

    links = cJSON_AddArrayToObject(s, "footerLinks");
    link = cJSON_CreateObject();
    cJSON_AddStringToObject(link, "label", "Terms " EVIL);
    cJSON_AddStringToObject(link, "url", "https://t.example/?" EVIL);
    cJSON_AddItemToArray(links, link);

    return s;
}


static cJSON *
update_doc(double id, const char *status, const char *message,
    const char *created)
{
    cJSON  *u;

    u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "id", id);
    cJSON_AddStringToObject(u, "status", status);
    cJSON_AddStringToObject(u, "message", message);
    cJSON_AddArrayToObject(u, "componentIds");
    cJSON_AddTrueToObject(u, "notify");
    cJSON_AddStringToObject(u, "createdAt", created);
    cJSON_AddNullToObject(u, "updatedAt");

    return u;
}


/*
 * 7: active, major, on DB (3) and an unknown 99, two updates;
 * 5: resolved Nov 20 after 1 h 5 min; 4: resolved, from Nov 1;
 * 3: resolved, October.
 */
static cJSON *
incident_doc(int which)
{
    cJSON  *inc, *ids, *ups;

    inc = cJSON_CreateObject();
    ups = cJSON_CreateArray();

    switch (which) {

    case 7:
        cJSON_AddNumberToObject(inc, "id", 7);
        cJSON_AddStringToObject(inc, "title", "DB down " EVIL);
        cJSON_AddStringToObject(inc, "status", "identified");
        cJSON_AddStringToObject(inc, "impact", "major");
        ids = cJSON_AddArrayToObject(inc, "componentIds");
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(3));
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(99));
        cJSON_AddStringToObject(inc, "startedAt", "2026-11-27T08:00:00Z");
        cJSON_AddStringToObject(inc, "updatedAt", "2026-11-27T09:30:00Z");
        cJSON_AddNullToObject(inc, "resolvedAt");
        cJSON_AddNullToObject(inc, "durationSeconds");
        cJSON_AddItemToArray(ups, update_doc(12, "identified",
                                             "Found **it** " EVIL,
                                             "2026-11-27T09:30:00Z"));
        cJSON_AddItemToArray(ups, update_doc(11, "investigating",
                                             "Looking into it",
                                             "2026-11-27T08:05:00Z"));
        break;

    case 5:
        cJSON_AddNumberToObject(inc, "id", 5);
        cJSON_AddStringToObject(inc, "title", "Slow API");
        cJSON_AddStringToObject(inc, "status", "resolved");
        cJSON_AddStringToObject(inc, "impact", "minor");
        ids = cJSON_AddArrayToObject(inc, "componentIds");
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(1));
        cJSON_AddStringToObject(inc, "startedAt", "2026-11-20T10:00:00Z");
        cJSON_AddStringToObject(inc, "updatedAt", "2026-11-20T11:05:00Z");
        cJSON_AddStringToObject(inc, "resolvedAt", "2026-11-20T11:05:00Z");
        cJSON_AddNumberToObject(inc, "durationSeconds", 3900);
        cJSON_AddItemToArray(ups, update_doc(9, "resolved", "Fixed.",
                                             "2026-11-20T11:05:00Z"));
        break;

    case 4:
        cJSON_AddNumberToObject(inc, "id", 4);
        cJSON_AddStringToObject(inc, "title", "Long ago");
        cJSON_AddStringToObject(inc, "status", "resolved");
        cJSON_AddStringToObject(inc, "impact", "none");
        cJSON_AddArrayToObject(inc, "componentIds");
        cJSON_AddStringToObject(inc, "startedAt", "2026-11-01T10:00:00Z");
        cJSON_AddStringToObject(inc, "updatedAt", "2026-11-26T10:00:00Z");
        cJSON_AddStringToObject(inc, "resolvedAt", "2026-11-26T10:00:00Z");
        cJSON_AddNumberToObject(inc, "durationSeconds", 25 * DAY);
        break;

    default:
        cJSON_AddNumberToObject(inc, "id", 3);
        cJSON_AddStringToObject(inc, "title", "October thing");
        cJSON_AddStringToObject(inc, "status", "resolved");
        cJSON_AddStringToObject(inc, "impact", "critical");
        cJSON_AddArrayToObject(inc, "componentIds");
        cJSON_AddStringToObject(inc, "startedAt", "2026-10-30T23:00:00Z");
        cJSON_AddStringToObject(inc, "updatedAt", "2026-10-31T01:00:00Z");
        cJSON_AddStringToObject(inc, "resolvedAt", "2026-10-31T01:00:00Z");
        cJSON_AddNumberToObject(inc, "durationSeconds", 7200);
        cJSON_AddItemToArray(ups, update_doc(5, "resolved", "Done <b>x</b>",
                                             "2026-10-31T01:00:00Z"));
        break;
    }

    cJSON_AddItemToObject(inc, "updates", ups);

    return inc;
}


/* "nodata" days without data, then quiet ones, "bad" a partial day */
static cJSON *
uptime_doc(double percent, int nodata, int bad, const char *bad_title)
{
    int     d;
    char    date[16];
    cJSON  *up, *days, *day, *incs, *inc;
    time_t  t;

    up = cJSON_CreateObject();
    cJSON_AddNumberToObject(up, "percent", percent);
    days = cJSON_AddArrayToObject(up, "days");

    for (d = 0; d < 90; d++) {
        t = NOW - (time_t) (89 - d) * DAY;
        strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&t));

        day = cJSON_CreateObject();
        cJSON_AddStringToObject(day, "date", date);

        if (d < nodata) {
            cJSON_AddNullToObject(day, "status");

        } else {
            cJSON_AddStringToObject(day, "status",
                                    d == bad ? "partial_outage"
                                             : "operational");
        }

        incs = cJSON_AddArrayToObject(day, "incidents");

        if (d == bad) {
            inc = cJSON_CreateObject();
            cJSON_AddNumberToObject(inc, "id", 7);
            cJSON_AddStringToObject(inc, "title", bad_title);
            cJSON_AddItemToArray(incs, inc);
        }

        cJSON_AddItemToArray(days, day);
    }

    return up;
}


static cJSON *
component_doc(double id, const char *name, double group, int is_group,
    const char *status, cJSON *uptime)
{
    cJSON  *c;

    c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "id", id);
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "description", id == 1 ? "Public " EVIL : "");

    if (group) {
        cJSON_AddNumberToObject(c, "groupId", group);
    } else {
        cJSON_AddNullToObject(c, "groupId");
    }

    cJSON_AddStringToObject(c, "status", status);
    cJSON_AddStringToObject(c, "baseStatus", "operational");
    cJSON_AddBoolToObject(c, "isGroup", is_group);

    if (uptime != NULL) {
        cJSON_AddItemToObject(c, "uptime", uptime);
    }

    return c;
}


static cJSON *
components_doc(int with_uptime)
{
    cJSON  *list;

    list = cJSON_CreateArray();
    cJSON_AddItemToArray(list,
        component_doc(1, "API " EVIL, 0, 0, "operational",
                      with_uptime ? uptime_doc(100, 0, -1, NULL) : NULL));
    cJSON_AddItemToArray(list,
        component_doc(2, "Backend", 0, 1, "partial_outage",
                      with_uptime ? uptime_doc(99.5, 80, 88, "Bad " EVIL)
                                  : NULL));
    cJSON_AddItemToArray(list,
        component_doc(3, "DB", 2, 0, "partial_outage", NULL));

    return list;
}


static cJSON *
home_doc(const char *position, int with_active)
{
    cJSON  *doc, *active, *recent;

    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "settings", settings_doc(position));
    cJSON_AddStringToObject(doc, "status", "partial_outage");
    cJSON_AddStringToObject(doc, "description", "Partial System Outage");
    cJSON_AddStringToObject(doc, "updatedAt", "2026-11-27T09:30:00Z");
    cJSON_AddItemToObject(doc, "components", components_doc(1));

    active = cJSON_AddArrayToObject(doc, "activeIncidents");
    recent = cJSON_AddArrayToObject(doc, "recentIncidents");

    if (with_active) {
        cJSON_AddItemToArray(active, incident_doc(7));
        cJSON_AddItemToArray(recent, incident_doc(7));
    }

    cJSON_AddItemToArray(recent, incident_doc(5));
    cJSON_AddItemToArray(recent, incident_doc(4));

    return doc;
}


static const inc_render_ctx_t  rc = {
    "/", "https://status.example.com", 42, NOW, 0, 0
};


/* the status page */

static void
test_home_order(void)
{
    int          i;
    char        *html;
    cJSON       *doc;
    const char  *order[4];

    static const struct {
        const char  *position;
        const char  *first, *second, *third;
    } cases[] = {
        { "top", "id=\"active-incidents\"", "id=\"overall-status\"",
          "id=\"components\"" },
        { "below_status", "id=\"overall-status\"", "id=\"active-incidents\"",
          "id=\"components\"" },
        { "below_components", "id=\"overall-status\"", "id=\"components\"",
          "id=\"active-incidents\"" },
        { "bogus", "id=\"active-incidents\"", "id=\"overall-status\"",
          "id=\"components\"" },
        { "", "id=\"active-incidents\"", "id=\"overall-status\"",
          "id=\"components\"" },
    };

    for (i = 0; i < (int) (sizeof(cases) / sizeof(cases[0])); i++) {
        doc = home_doc(cases[i].position, 1);
        html = inc_render_home(doc, &rc, NULL);

        order[0] = cases[i].first;
        order[1] = cases[i].second;
        order[2] = cases[i].third;
        order[3] = "id=\"incident-history\"";

        ok(html && in_order(html, order, 4),
           "incidentPosition \"%s\": sections in order", cases[i].position);
        ok(html && count(html, "id=\"active-incidents\"") == 1
           && count(html, "id=\"overall-status\"") == 1
           && count(html, "id=\"components\"") == 1
           && count(html, "id=\"incident-history\"") == 1,
           "incidentPosition \"%s\": each section once", cases[i].position);

        free(html);
        cJSON_Delete(doc);
    }
}


static void
test_home(void)
{
    char    *html;
    size_t   len;
    cJSON   *doc;

    doc = home_doc("top", 1);
    len = 0;
    html = inc_render_home(doc, &rc, &len);

    if (!ok(html != NULL, "inc_render_home")) {
        cJSON_Delete(doc);
        return;
    }

    is_int(len, strlen(html), "the length is the text's");
    ok(markup_ok(html, 1), "the status page is well-formed");
    ok(strstr(html, "<script>alert") == NULL
       && strstr(html, "alert('") == NULL,
       "no hostile string unescaped anywhere");

    /* the page's settings */
    ok(strstr(html, "<title>Acme " EVIL_ESC "</title>") != NULL,
       "the page title, escaped");
    ok(strstr(html, "<h1 class=\"sr\">Acme " EVIL_ESC "</h1>") != NULL,
       "the h1, escaped");
    is_int(count(html, "Acme " EVIL_ESC), 5,
           "the page title escaped everywhere: <title>, the Atom and RSS "
           "links, the brand, the h1");
    ok(strstr(html, "title=\"Acme " EVIL_ESC " (Atom)\" href=\"/feed.atom\"")
       != NULL, "the Atom link");
    ok(strstr(html, "<img src=\"https://x.example/l.png?" EVIL_ESC
              "\" alt=\"\">") != NULL, "the logo URL, escaped");
    ok(strstr(html, "data-tz=\"Europe/" EVIL_ESC "\"") != NULL,
       "the time zone, escaped");
    ok(strstr(html, ":root{--ac:#0969da}") != NULL, "the accent colour");
    ok(strstr(html, "<a href=\"https://t.example/?" EVIL_ESC "\">Terms "
              EVIL_ESC "</a>") != NULL, "the footer link, escaped");
    ok(strstr(html, "data-live=\"/live\" data-etag=\"&quot;g42&quot;\"")
       != NULL, "live updates with the generation");

    /* the banner */
    ok(strstr(html, "<section id=\"overall-status\" class=\"banner\" "
              "data-status=\"partial_outage\"") != NULL,
       "the banner's data-status");
    ok(strstr(html, "<h2>Partial System Outage</h2><p>Updated "
              "<time datetime=\"2026-11-27T09:30:00Z\">Nov 27, 2026, "
              "09:30 UTC</time>") != NULL, "the banner's text and time");

    /* components */
    ok(strstr(html, "<li class=\"comp\" data-component-id=\"1\" "
              "data-status=\"operational\">") != NULL,
       "component 1: data-component-id, data-status");
    ok(strstr(html, "<li class=\"comp\" data-component-id=\"3\" "
              "data-status=\"partial_outage\">") != NULL,
       "component 3: data-component-id, data-status");
    is_int(count(html, "data-component-id=\"3\""), 1,
           "a member is listed once, under its group");
    ok(pos(html, "data-component-id=\"2\"") < pos(html, "<details open>")
       && pos(html, "<details open>") < pos(html, "data-component-id=\"3\""),
       "the member inside its group's <details>");
    ok(strstr(html, "<span class=\"name\">API " EVIL_ESC "</span>") != NULL,
       "the component name, escaped");
    ok(strstr(html, "<p class=\"desc\">Public " EVIL_ESC "</p>") != NULL,
       "the component description, escaped");
    is_int(count(html, "<p class=\"desc\">"), 1,
           "an empty description is not shown");

    /* uptime bars */
    ok(strstr(html, "aria-label=\"API " EVIL_ESC ": 100% uptime over the "
              "past 90 days\"") != NULL, "100%%: the bars' label");
    ok(strstr(html, "<rect x=\"0\" width=\"359\" height=\"28\" "
              "fill=\"url(#p-ok)\"><title>No downtime</title></rect>")
       != NULL, "90 quiet days: one tiled rectangle");
    ok(strstr(html, "aria-label=\"Backend: 99.50% uptime over the past 90 "
              "days\"") != NULL, "99.5%%: two decimals");
    ok(strstr(html, "<rect x=\"0\" width=\"319\" height=\"28\" "
              "fill=\"url(#p-none)\"><title>No data</title></rect>") != NULL,
       "80 days without data: one rectangle");
    ok(strstr(html, "<rect x=\"320\" width=\"31\" height=\"28\" "
              "fill=\"url(#p-ok)\">") != NULL,
       "then 8 quiet days");
    ok(strstr(html, "<rect x=\"352\" width=\"3\" height=\"28\" rx=\"1\" "
              "fill=\"var(--partial_outage)\"><title>Nov 26, 2026: Partial "
              "Outage - Bad " EVIL_ESC "</title></rect>") != NULL,
       "the partial day: its own bar, with the incident's title escaped");
    ok(strstr(html, "<rect x=\"356\" width=\"3\" height=\"28\" "
              "fill=\"url(#p-ok)\">") != NULL,
       "then today, quiet");
    ok(strstr(html, "<span>99.50% uptime</span>") != NULL,
       "the percentage under the bars");

    /* the active incident */
    ok(strstr(html, "<section id=\"active-incidents\" "
              "aria-labelledby=\"h-active\"><h2") != NULL,
       "active incidents shown");
    ok(strstr(html, "<article class=\"card inc\" data-incident-id=\"7\" "
              "data-status=\"identified\" data-impact=\"major\" "
              "style=\"--st:var(--partial_outage)\">") != NULL,
       "data-incident-id, data-status, data-impact; major is partial");
    ok(strstr(html, "<a href=\"/incidents/7\">DB down " EVIL_ESC "</a>")
       != NULL, "the incident title, escaped, linked");
    ok(strstr(html, "<span class=\"badge\">Major impact</span> "
              "<strong>Identified</strong> &middot; Affects DB &middot; "
              "Started <time datetime=\"2026-11-27T08:00:00Z\">") != NULL,
       "impact, status, the known affected component, started");
    ok(strstr(html, "Affects DB, ") == NULL,
       "an unknown component is skipped");
    ok(strstr(html, "<strong>it</strong>") != NULL,
       "the latest update as Markdown");
    ok(strstr(html, "Looking into it") == NULL,
       "only the latest update on the status page");

    /* recent days */
    is_int(count(html, "<div class=\"day\">"), 14, "14 days of history");
    is_int(count(html, "No incidents reported."), 11,
           "11 of them without incidents");
    ok(pos(html, "data-d>Nov 27, 2026</time>") < pos(html, "data-d>Nov 26,"),
       "newest day first");
    ok(pos(html, "data-d>Nov 20, 2026</time>")
       < pos(html, "href=\"/incidents/5\"")
       && pos(html, "href=\"/incidents/5\"")
          < pos(html, "data-d>Nov 19, 2026</time>"),
       "an incident under the day it began");
    ok(pos(html, "data-d>Nov 14, 2026</time>")
       < pos(html, "href=\"/incidents/4\""),
       "an older one under the last day");
    ok(strstr(html, "Resolved <time datetime=\"2026-11-20T11:05:00Z\">Nov 20, "
              "2026, 11:05 UTC</time> &middot; Duration: 1 hour 5 minutes")
       != NULL, "resolved incidents: when, and the duration");
    ok(strstr(html, "Duration: 25 days") != NULL, "a duration in days");

    free(html);
    cJSON_Delete(doc);

    /* nothing active: the section is there, hidden (for live updates) */
    doc = home_doc("below_status", 0);
    html = inc_render_home(doc, &rc, NULL);

    ok(html && strstr(html, "<section id=\"active-incidents\" "
                      "aria-labelledby=\"h-active\" hidden>") != NULL,
       "no active incident: the section is hidden");
    ok(html && strstr(html, "data-incident-id=\"7\"") == NULL,
       "no active incident: none shown");
    ok(html && markup_ok(html, 1), "well-formed");

    free(html);
    cJSON_Delete(doc);

    /* an empty page with default settings */
    doc = cJSON_CreateObject();
    html = inc_render_home(doc, &rc, NULL);

    ok(html && strstr(html, "No components yet.") != NULL,
       "an empty document: no components");
    ok(html && strstr(html, "Updated never") != NULL,
       "an empty document: never updated");
    ok(html && markup_ok(html, 1), "an empty document: well-formed");

    free(html);
    cJSON_Delete(doc);
}


/* an incident's page */

static void
test_incident_page(void)
{
    char   *html;
    cJSON  *doc;

    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "settings", settings_doc("top"));
    cJSON_AddItemToObject(doc, "incident", incident_doc(7));
    cJSON_AddItemToObject(doc, "components", components_doc(0));

    html = inc_render_incident(doc, &rc, NULL);

    if (ok(html != NULL, "inc_render_incident")) {
        ok(markup_ok(html, 1), "the incident page is well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        ok(strstr(html, "<title>DB down " EVIL_ESC " - Acme " EVIL_ESC
                  "</title>") != NULL, "the title: incident - page");
        ok(strstr(html, "<h1>DB down " EVIL_ESC "</h1>") != NULL,
           "the heading, escaped");
        ok(strstr(html, "data-incident-id=\"7\" data-status=\"identified\" "
                  "data-impact=\"major\"") != NULL, "the markers");
        ok(strstr(html, "Affects DB</p>") != NULL, "the affected component");
        ok(pos(html, "Looking into it") >= 0
           && pos(html, "Looking into it") < pos(html, "<strong>it</strong>"),
           "the timeline reads oldest first");
        is_int(count(html, "<li><p class=\"meta\">"), 2, "two updates");
        ok(strstr(html, "Duration") == NULL, "no duration while active");
    }

    free(html);
    cJSON_Delete(doc);

    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "settings", settings_doc("top"));
    cJSON_AddItemToObject(doc, "incident", incident_doc(4));
    cJSON_AddItemToObject(doc, "components", components_doc(0));

    html = inc_render_incident(doc, &rc, NULL);

    ok(html && strstr(html, "No updates yet.") != NULL,
       "an incident without updates");
    ok(html && strstr(html, "Started <time datetime=\"2026-11-01T10:00:00Z\">"
                      "Nov 1, 2026, 10:00 UTC</time> &middot; Resolved "
                      "<time datetime=\"2026-11-26T10:00:00Z\">") != NULL,
       "started, resolved");
    ok(html && strstr(html, "Duration: 25 days") != NULL, "and the duration");
    ok(html && strstr(html, "data-impact=\"none\" "
                      "style=\"--st:var(--operational)\"") != NULL,
       "impact none is marked operational");
    ok(html && markup_ok(html, 1), "well-formed");

    free(html);
    cJSON_Delete(doc);
}


/* history */

static void
test_history(void)
{
    char   *html;
    cJSON  *doc, *list;

    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "settings", settings_doc("top"));
    cJSON_AddItemToObject(doc, "components", components_doc(0));
    list = cJSON_AddArrayToObject(doc, "incidents");
    cJSON_AddItemToArray(list, incident_doc(7));
    cJSON_AddItemToArray(list, incident_doc(5));
    cJSON_AddItemToArray(list, incident_doc(3));
    cJSON_AddStringToObject(doc, "nextCursor", "3\"<x>");

    html = inc_render_history(doc, &rc, NULL);

    if (ok(html != NULL, "inc_render_history")) {
        const char  *order[] = {
            "<h2>November 2026</h2>", "href=\"/incidents/7\"",
            "href=\"/incidents/5\"", "<h2>October 2026</h2>",
            "href=\"/incidents/3\""
        };

        ok(markup_ok(html, 1), "history is well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        ok(strstr(html, "<title>Incident history - Acme ") != NULL,
           "the title");
        is_int(count(html, "<section class=\"month\">"), 2, "two months");
        ok(in_order(html, order, 5), "incidents under their month");
        is_int(count(html, "data-incident-id="), 3, "three incidents");
        ok(strstr(html, "<h3><a href=\"/incidents/7\">DB down " EVIL_ESC
                  "</a></h3>") != NULL, "the titles, escaped");
        ok(strstr(html, "<a rel=\"next\" href=\"/history?cursor=3&quot;"
                  "&lt;x&gt;\">") != NULL, "the next page, escaped");
        ok(strstr(html, "data-live") == NULL, "history does not poll");
    }

    free(html);

    cJSON_DeleteItemFromObject(doc, "nextCursor");
    cJSON_AddNullToObject(doc, "nextCursor");
    cJSON_DeleteItemFromObject(doc, "incidents");
    cJSON_AddArrayToObject(doc, "incidents");

    html = inc_render_history(doc, &rc, NULL);

    ok(html && strstr(html, "<p class=\"quiet\">No incidents reported.</p>")
       != NULL, "no incidents: said so");
    ok(html && strstr(html, "class=\"month\"") == NULL, "no month");
    ok(html && strstr(html, "rel=\"next\"") == NULL, "no next page");
    ok(html && strstr(html, "<a href=\"/history\">Latest</a>") != NULL,
       "a link to the latest");
    ok(html && markup_ok(html, 1), "well-formed");

    free(html);
    cJSON_Delete(doc);
}


static void
test_not_found(void)
{
    char              *html;
    size_t             len;
    inc_render_ctx_t   c2;

    c2 = rc;
    c2.base_path = "/status/";

    html = inc_render_not_found(&c2, &len);

    ok(html != NULL, "inc_render_not_found");
    ok(html && len == strlen(html), "its length");
    ok(html && strstr(html, "<title>Not found</title>") != NULL, "the title");
    ok(html && strstr(html, "<h1>Not found</h1>") != NULL, "the heading");
    ok(html && strstr(html, "<a href=\"/status/\">Current status</a>") != NULL,
       "a link to the page");
    ok(html && markup_ok(html, 1), "well-formed");

    free(html);
}


/* feeds */

static cJSON *
feed_doc(void)
{
    cJSON  *doc, *list;

    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "settings", settings_doc("top"));
    cJSON_AddItemToObject(doc, "components", components_doc(0));
    list = cJSON_AddArrayToObject(doc, "incidents");
    cJSON_AddItemToArray(list, incident_doc(7));
    cJSON_AddItemToArray(list, incident_doc(5));
    cJSON_AddItemToArray(list, incident_doc(4));
    cJSON_AddItemToArray(list, incident_doc(3));

    return doc;
}


static void
test_atom(void)
{
    char              *xml;
    cJSON             *doc;
    inc_render_ctx_t   c2;

    doc = feed_doc();
    c2 = rc;
    c2.base_path = "/s/";

    xml = inc_render_atom(doc, &c2, NULL);

    if (ok(xml != NULL, "inc_render_atom")) {
        ok(strncmp(xml, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "
                   "xmlns=\"http://www.w3.org/2005/Atom\">", 78) == 0,
           "an Atom document");
        ok(markup_ok(xml, 0), "the Atom feed is well-formed XML");
        is_int(count(xml, "<entry>"), 4, "one entry per update (2+1+0+1)");
        is_int(count(xml, "</entry>"), 4, "each entry closed");
        ok(strstr(xml, "<script") == NULL && strstr(xml, "<x>") == NULL
           && strstr(xml, "<b>") == NULL, "no raw '<' from user text");
        ok(strstr(xml, "<title>Acme " EVIL_ESC "</title>") != NULL,
           "the feed title, escaped");
        ok(strstr(xml, "<name>Acme " EVIL_ESC "</name>") != NULL,
           "the author, escaped");
        ok(strstr(xml, "<id>https://status.example.com/s/</id>") != NULL,
           "the feed id");
        ok(strstr(xml, "<link rel=\"self\" type=\"application/atom+xml\" "
                  "href=\"https://status.example.com/s/feed.atom\"/>") != NULL,
           "the self link");
        ok(strstr(xml, "<updated>2026-11-27T09:30:00Z</updated><author>")
           != NULL, "updated: the latest incident change");
        ok(strstr(xml, "<entry><id>https://status.example.com/s/incidents/7"
                  "#update-12</id><title>[Identified] DB down " EVIL_ESC
                  "</title><link rel=\"alternate\" type=\"text/html\" "
                  "href=\"https://status.example.com/s/incidents/7\"/>"
                  "<updated>2026-11-27T09:30:00Z</updated><published>"
                  "2026-11-27T09:30:00Z</published>") != NULL,
           "an entry: stable id, status and title, link, times");
        ok(pos(xml, "#update-12<") < pos(xml, "#update-11<"),
           "updates newest first");
        ok(strstr(xml, "<content type=\"html\">&lt;p&gt;Found &lt;strong&gt;"
                  "it&lt;/strong&gt; ") != NULL,
           "the content: Markdown's HTML, escaped once more");
        ok(strstr(xml, "&lt;p&gt;Done &lt;!-- raw HTML omitted --&gt;x")
           != NULL,
           "raw HTML in a message is dropped before escaping");
    }

    free(xml);

    /* no incidents: an empty, valid feed */
    cJSON_DeleteItemFromObject(doc, "incidents");
    cJSON_AddArrayToObject(doc, "incidents");

    xml = inc_render_atom(doc, &c2, NULL);
    ok(xml && count(xml, "<entry>") == 0, "no incidents: no entries");
    ok(xml && markup_ok(xml, 0), "no incidents: well-formed");

    free(xml);
    cJSON_Delete(doc);
}


static void
test_rss(void)
{
    char   *xml;
    cJSON  *doc;

    doc = feed_doc();
    xml = inc_render_rss(doc, &rc, NULL);

    if (ok(xml != NULL, "inc_render_rss")) {
        ok(markup_ok(xml, 0), "the RSS feed is well-formed XML");
        is_int(count(xml, "<item>"), 4, "one item per update");
        is_int(count(xml, "</item>"), 4, "each item closed");
        ok(strstr(xml, "<script") == NULL && strstr(xml, "<x>") == NULL,
           "no raw '<' from user text");
        ok(strstr(xml, "<channel><title>Acme " EVIL_ESC "</title><link>"
                  "https://status.example.com/</link>") != NULL,
           "the channel, escaped");
        ok(strstr(xml, "<lastBuildDate>Fri, 27 Nov 2026 09:30:00 GMT"
                  "</lastBuildDate>") != NULL,
           "lastBuildDate: RFC 822, the latest change");
        ok(strstr(xml, "<item><title>[Identified] DB down " EVIL_ESC
                  "</title><link>https://status.example.com/incidents/7</link>"
                  "<guid isPermaLink=\"false\">https://status.example.com/"
                  "incidents/7#update-12</guid><pubDate>Fri, 27 Nov 2026 "
                  "09:30:00 GMT</pubDate><description>&lt;p&gt;Found") != NULL,
           "an item: title, link, guid, pubDate, description");
        ok(strstr(xml, "<pubDate>Fri, 20 Nov 2026 11:05:00 GMT</pubDate>")
           != NULL, "a week earlier is a Friday too");
        ok(strstr(xml, "<pubDate>Sat, 31 Oct 2026 01:00:00 GMT</pubDate>")
           != NULL, "Oct 31, 2026 is a Saturday");
    }

    free(xml);
    cJSON_Delete(doc);
}


int
main(void)
{
    test_markup_checker();
    test_buf();
    test_escape();
    test_markdown();
    test_duration();
    test_home_order();
    test_home();
    test_incident_page();
    test_history();
    test_not_found();
    test_atom();
    test_rss();

    return done_testing();
}
