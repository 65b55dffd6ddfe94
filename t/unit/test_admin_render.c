/*
 * incident_admin_render: every admin page carries the CSRF token in each
 * POST form, marks field errors (aria-invalid, aria-describedby, the "err"
 * paragraph, the summary), keeps what the operator submitted, and escapes
 * every user-written string; and the prepared resolution text.
 */

#define _GNU_SOURCE

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "incident_model.h"
#include "incident_html.h"
#include "incident_admin_render.h"
#include "tap.h"
#include "markup.h"


/* 2026-11-27T10:00:00Z */
#define NOW       ((time_t) 1795773600)

#define EVIL      "\"'><script>alert('&')</script>"
#define EVIL_ESC  "&quot;&#39;&gt;&lt;script&gt;alert(&#39;&amp;&#39;)" \
                  "&lt;/script&gt;"

#define CSRF      "c5rf\"<&>"
#define CSRF_IN   "<input type=\"hidden\" name=\"csrf\" " \
                  "value=\"c5rf&quot;&lt;&amp;&gt;\">"


static int
post_forms(const char *html)
{
    int          n;
    char        *form;
    const char  *p, *end;

    n = 0;

    for (p = strstr(html, "<form"); p != NULL; p = strstr(end, "<form")) {
        end = strstr(p, "</form>");
        if (end == NULL) {
            if (!markup_quiet) {
                diag("  a form is not closed");
            }
            return -1;
        }

        form = strndup(p, (size_t) (end - p));

        /* the method in the <form> tag itself */
        form[strcspn(form, ">")] = '\0';

        if (strstr(form, " method=\"post\"") == NULL
            || strstr(p + strlen(form), CSRF_IN) == NULL
            || strstr(p + strlen(form), CSRF_IN) > end)
        {
            if (!markup_quiet) {
                diag("  form %d: no POST or no CSRF field: %.60s", n + 1,
                     form);
            }
            free(form);
            return -1;
        }

        free(form);
        n++;
    }

    return n;
}


/* the text between the first "from" and the next "to" */
static char *
between(const char *html, const char *from, const char *to)
{
    const char  *p, *q;

    p = strstr(html, from);
    if (p == NULL) {
        return strdup("(from not found)");
    }

    p += strlen(from);
    q = strstr(p, to);

    return q ? strndup(p, (size_t) (q - p)) : strdup("(to not found)");
}


static const inc_admin_ctx_t  ac = {
    "/admin/", "/?" EVIL, CSRF, "ops " EVIL, "Incident \"" EVIL "\" created.",
    NOW
};

static const inc_admin_ctx_t  ac_plain = {
    "/admin/", "/", "tok", NULL, NULL, NOW
};


/* documents */

static cJSON *
component(double id, const char *name, double group, int is_group)
{
    cJSON  *c;

    c = cJSON_CreateObject();
    cJSON_AddNumberToObject(c, "id", id);
    cJSON_AddStringToObject(c, "name", name);
    cJSON_AddStringToObject(c, "description", "");

    if (group) {
        cJSON_AddNumberToObject(c, "groupId", group);
    } else {
        cJSON_AddNullToObject(c, "groupId");
    }

    cJSON_AddStringToObject(c, "status", group || is_group
                                         ? "partial_outage" : "operational");
    cJSON_AddStringToObject(c, "baseStatus", "operational");
    cJSON_AddBoolToObject(c, "isGroup", is_group);

    return c;
}


/* API (1), Backend (2, a group) with DB (3) */
static cJSON *
components(void)
{
    cJSON  *list;

    list = cJSON_CreateArray();
    cJSON_AddItemToArray(list, component(1, "API " EVIL, 0, 0));
    cJSON_AddItemToArray(list, component(2, "Backend", 0, 1));
    cJSON_AddItemToArray(list, component(3, "DB", 2, 0));

    return list;
}


static cJSON *
update(double id, const char *status, const char *message, const char *at)
{
    cJSON  *u;

    u = cJSON_CreateObject();
    cJSON_AddNumberToObject(u, "id", id);
    cJSON_AddStringToObject(u, "status", status);
    cJSON_AddStringToObject(u, "message", message);
    cJSON_AddStringToObject(u, "createdAt", at);

    return u;
}


/* 7: active since 09:15 on API and DB; 5: resolved after 1 h 5 min */
static cJSON *
incident(int which)
{
    cJSON  *inc, *ids, *ups;

    inc = cJSON_CreateObject();
    ids = cJSON_CreateArray();
    ups = cJSON_CreateArray();

    if (which == 7) {
        cJSON_AddNumberToObject(inc, "id", 7);
        cJSON_AddStringToObject(inc, "title", EVIL);
        cJSON_AddStringToObject(inc, "status", "identified");
        cJSON_AddStringToObject(inc, "impact", "major");
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(1));
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(3));
        cJSON_AddStringToObject(inc, "startedAt", "2026-11-27T09:15:00Z");
        cJSON_AddNullToObject(inc, "resolvedAt");
        cJSON_AddNullToObject(inc, "durationSeconds");
        cJSON_AddStringToObject(inc, "url",
                                "https://status.example.com/incidents/7?"
                                EVIL);
        cJSON_AddItemToArray(ups, update(12, "identified", "Found **it**",
                                         "2026-11-27T09:30:00Z"));
        cJSON_AddItemToArray(ups, update(11, "investigating",
                                         "Looking <script>x()</script>",
                                         "2026-11-27T09:20:00Z"));

    } else {
        cJSON_AddNumberToObject(inc, "id", 5);
        cJSON_AddStringToObject(inc, "title", "Slow API");
        cJSON_AddStringToObject(inc, "status", "resolved");
        cJSON_AddStringToObject(inc, "impact", "minor");
        cJSON_AddItemToArray(ids, cJSON_CreateNumber(1));
        cJSON_AddStringToObject(inc, "startedAt", "2026-11-20T10:00:00Z");
        cJSON_AddStringToObject(inc, "resolvedAt", "2026-11-20T11:05:00Z");
        cJSON_AddNumberToObject(inc, "durationSeconds", 3900);
        cJSON_AddStringToObject(inc, "url",
                                "https://status.example.com/incidents/5");
    }

    cJSON_AddItemToObject(inc, "componentIds", ids);
    cJSON_AddItemToObject(inc, "updates", ups);

    return inc;
}


static cJSON *
incident_page_doc(int which)
{
    cJSON  *doc;

    doc = cJSON_CreateObject();
    cJSON_AddItemToObject(doc, "incident", incident(which));
    cJSON_AddItemToObject(doc, "components", components());

    return doc;
}


static cJSON *
json(const char *text)
{
    cJSON  *j;

    j = cJSON_Parse(text);
    if (j == NULL) {
        diag("the test's own JSON does not parse: %s", text);
        abort();
    }

    return j;
}


/* the checkers themselves */

static void
test_checkers(void)
{
    markup_quiet = 1;

    is_int(post_forms("<form method=\"post\">" CSRF_IN "</form>"), 1,
           "post_forms: a good form");
    is_int(post_forms("<form method=\"post\"><input name=\"csrf\">"
                      "</form>"), -1, "post_forms: no token");
    is_int(post_forms("<form method=\"get\">" CSRF_IN "</form>"), -1,
           "post_forms: not a POST");
    is_int(post_forms("<form method=\"post\"></form>" CSRF_IN), -1,
           "post_forms: the token after the form");
    is_int(post_forms("<form method=\"post\">" CSRF_IN), -1,
           "post_forms: an unclosed form");
    ok(!markup_ok("<p title=\"\"><script>x</script>\"></p>", 1),
       "markup_ok: an attribute broken out of");
    ok(!markup_ok("<p>a<b>c</p>", 1), "markup_ok: an injected element");

    markup_quiet = 0;
}


/* the common frame */

static void
test_frame(void)
{
    char  *html;

    html = inc_admin_message("Oops " EVIL, "Failed: " EVIL, &ac, NULL);

    if (!ok(html != NULL, "inc_admin_message")) {
        return;
    }

    ok(markup_ok(html, 1), "a message page is well-formed");
    ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
    ok(strstr(html, "<title>Oops " EVIL_ESC " - Admin</title>") != NULL,
       "the title, escaped");
    ok(strstr(html, "<h1>Oops " EVIL_ESC "</h1>") != NULL, "the heading");
    ok(strstr(html, "<p class=\"flash problem\" role=\"alert\">Failed: "
              EVIL_ESC "</p>") != NULL, "the message, as an alert");
    ok(strstr(html, "<span class=\"mu\">Signed in as ops " EVIL_ESC
              "</span>") != NULL, "the user, escaped");
    ok(strstr(html, "<p class=\"flash\" role=\"status\">Incident &quot;"
              EVIL_ESC "&quot; created.</p>") != NULL, "the flash, escaped");
    ok(strstr(html, "<a href=\"/?" EVIL_ESC "\">View status page</a>")
       != NULL, "the public URL, escaped");
    ok(strstr(html, "<link rel=\"stylesheet\" href=\"/admin/admin.css\">"
              "<script src=\"/admin/admin.js\" defer></script>") != NULL,
       "style and script under the base path");
    is_int(post_forms(html), 0, "no form");
    free(html);

    html = inc_admin_message("T", "M", &ac_plain, NULL);
    ok(html && strstr(html, "Signed in as") == NULL, "no user: not shown");
    ok(html && strstr(html, "class=\"flash\"") == NULL, "no flash: none");
    free(html);
}


static void
test_incident_new(void)
{
    char   *html;
    size_t  len;
    cJSON  *comps, *values, *errors;

    comps = components();

    html = inc_admin_incident_new(comps, NULL, NULL, &ac, &len);

    if (ok(html != NULL, "inc_admin_incident_new")) {
        is_int(len, strlen(html), "its length");
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "<form method=\"post\" action=\"/admin/incidents\">")
           != NULL, "posted to incidents");
        ok(strstr(html, "<input type=\"text\" id=\"f-title\" name=\"title\" "
                  "required value=\"\" aria-describedby=\"f-title-hint\">")
           != NULL, "the title: required, empty, with its hint");
        ok(strstr(html, "name=\"status\" value=\"investigating\" checked>")
           != NULL, "status: investigating by default");
        ok(strstr(html, "name=\"impact\" value=\"minor\" checked>") != NULL,
           "impact: minor by default");
        is_int(count(html, " checked>"), 3,
               "status, impact and notify checked, no component");
        ok(strstr(html, "(example: Website is down)") != NULL,
           "impacts with examples");
        ok(strstr(html, "<input type=\"hidden\" name=\"componentIds_shown\" "
                  "value=\"1\">") != NULL, "the componentIds marker");
        ok(strstr(html, "<input type=\"hidden\" name=\"notify_shown\" "
                  "value=\"1\">") != NULL, "the notify marker");
        ok(strstr(html, "name=\"notify\" value=\"1\" checked>") != NULL,
           "notify by default");
        ok(strstr(html, "<label class=\"opt\"><input type=\"checkbox\" "
                  "name=\"componentIds\" value=\"1\"> API " EVIL_ESC
                  "</label>") != NULL, "a component box, its name escaped");
        ok(strstr(html, "<label class=\"opt member\"><input type=\"checkbox\""
                  " name=\"componentIds\" value=\"3\"> DB</label>") != NULL,
           "a member box");
        ok(pos(html, "value=\"2\"> Backend") < pos(html, "value=\"3\"> DB"),
           "members after their group");
        ok(strstr(html, "aria-invalid") == NULL
           && strstr(html, "class=\"err\"") == NULL
           && strstr(html, "attention") == NULL, "no error marked");
    }

    free(html);

    values = json("{\"title\": \"<kept> \\\"'><script>alert('&')</script>\","
                  " \"status\": \"monitoring\", \"impact\": \"critical\","
                  " \"message\": \"m & <m>\", \"componentIds\": [1, 3],"
                  " \"notify\": false}");
    errors = json("[{\"field\": \"title\", \"message\": \"must not be "
                  "<empty>\"}, {\"field\": \"impact\", \"message\": \"bad\"},"
                  " {\"field\": \"componentIds\", \"message\": \"unknown\"},"
                  " {\"field\": \"message\", \"message\": \"too long\"}]");

    html = inc_admin_incident_new(comps, values, errors, &ac, NULL);

    if (ok(html != NULL, "inc_admin_incident_new with errors")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "the CSRF field still there");
        ok(strstr(html, "<p class=\"flash problem\" role=\"alert\">Nothing "
                  "was changed: 4 fields need attention.</p>") != NULL,
           "the summary");
        ok(pos(html, "Nothing was changed") < pos(html, "<form"),
           "the summary before the form");
        ok(strstr(html, "name=\"title\" required value=\"&lt;kept&gt; "
                  EVIL_ESC "\" aria-invalid=\"true\" aria-describedby=\""
                  "f-title-err f-title-hint\"><p class=\"err\" "
                  "id=\"f-title-err\">must not be &lt;empty&gt;</p>")
           != NULL, "the title: kept, escaped, invalid, its error");
        ok(strstr(html, "<fieldset aria-invalid=\"true\"><legend>Impact"
                  "</legend><p class=\"err\" id=\"f-impact-err\">bad</p>")
           != NULL, "impact: invalid, its error");
        ok(strstr(html, "name=\"impact\" value=\"critical\" checked>")
           != NULL, "impact: kept");
        ok(strstr(html, "name=\"status\" value=\"monitoring\" checked>")
           != NULL, "status: kept");
        ok(strstr(html, "<fieldset aria-invalid=\"true\"><legend>Affected "
                  "components</legend>") != NULL
           && strstr(html, "<p class=\"err\" id=\"f-componentIds-err\">"
                     "unknown</p>") != NULL,
           "components: invalid, their error");
        ok(strstr(html, "name=\"componentIds\" value=\"1\" checked>") != NULL
           && strstr(html, "name=\"componentIds\" value=\"3\" checked>")
              != NULL
           && strstr(html, "name=\"componentIds\" value=\"2\">") != NULL,
           "components: the ticked ones kept");
        ok(strstr(html, "<textarea id=\"f-message\" name=\"message\" "
                  "aria-invalid=\"true\" aria-describedby=\"f-message-err "
                  "f-message-hint\">m &amp; &lt;m&gt;</textarea><p "
                  "class=\"err\" id=\"f-message-err\">too long</p>") != NULL,
           "the message: kept, escaped, invalid, its error");
        ok(strstr(html, "name=\"notify\" value=\"1\">") != NULL,
           "notify: unticked, kept");
        is_int(count(html, "aria-invalid=\"true\""), 4, "four fields marked");
    }

    free(html);
    cJSON_Delete(errors);

    errors = json("[{\"field\": \"title\", \"message\": \"x\"}]");
    html = inc_admin_incident_new(comps, NULL, errors, &ac, NULL);
    ok(html && strstr(html, "Nothing was changed: 1 field needs attention.")
       != NULL, "one error: singular");
    free(html);
    cJSON_Delete(errors);

    errors = cJSON_CreateArray();
    html = inc_admin_incident_new(comps, values, errors, &ac, NULL);
    ok(html && strstr(html, "Nothing was changed") == NULL,
       "an empty error list: no summary");
    free(html);
    cJSON_Delete(errors);
    cJSON_Delete(values);

    /* no components yet */
    cJSON_Delete(comps);
    comps = cJSON_CreateArray();
    html = inc_admin_incident_new(comps, NULL, NULL, &ac, NULL);
    ok(html && strstr(html, "<p class=\"hint\">No components yet.</p>")
       != NULL, "no components: said so");
    ok(html && strstr(html, "name=\"componentIds_shown\"") != NULL,
       "no components: the marker is still there");
    free(html);
    cJSON_Delete(comps);
}


#define RESOLUTION_45                                                        \
    "This incident has been resolved. The issue was caused by ...\n\n"      \
    "Duration: 45 minutes\n\nImpact: API " EVIL " and DB were unavailable" \
    "\n\nWe apologize for any inconvenience caused."

#define RESOLUTION_45_ESC                                                    \
    "This incident has been resolved. The issue was caused by ...\n\n"      \
    "Duration: 45 minutes\n\nImpact: API " EVIL_ESC " and DB were "        \
    "unavailable\n\nWe apologize for any inconvenience caused."


static void
test_incident(void)
{
    char   *html, *text;
    cJSON  *doc, *values, *errors;

    doc = incident_page_doc(7);

    html = inc_admin_incident(doc, NULL, NULL, NULL, &ac, NULL);

    if (ok(html != NULL, "inc_admin_incident")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL
           && strstr(html, "<script>x") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "<form method=\"post\" action=\"/admin/incidents/7/"
                  "updates\">") != NULL, "posted to the incident's updates");
        ok(strstr(html, "<title>" EVIL_ESC " - Admin</title>") != NULL,
           "the title, escaped");
        ok(strstr(html, "<article data-incident-id=\"7\" data-status=\""
                  "identified\"><h1>" EVIL_ESC "</h1>") != NULL,
           "data-incident-id, data-status, the heading");
        ok(strstr(html, "<p><strong>Identified</strong> &middot; Major "
                  "impact &middot; Affects API " EVIL_ESC " and DB</p>")
           != NULL, "status, impact, the affected components");
        ok(strstr(html, "Started <time datetime=\"2026-11-27T09:15:00Z\">"
                  "2026-11-27 09:15 UTC</time></p>") != NULL, "started");
        ok(strstr(html, "<strong>Duration") == NULL
           && strstr(html, "&middot; Resolved") == NULL,
           "no duration while active");
        ok(strstr(html, "<a href=\"https://status.example.com/incidents/7?"
                  EVIL_ESC "\">Public page</a>") != NULL,
           "the public URL, escaped");
        ok(strstr(html, "href=\"/admin/incidents/7/edit\"") != NULL
           && strstr(html, "href=\"/admin/incidents/7/delete\"") != NULL,
           "edit and delete");
        ok(strstr(html, "name=\"status\" value=\"identified\" checked>")
           != NULL, "status: the incident's");
        ok(strstr(html, "<textarea id=\"f-message\" name=\"message\" "
                  "aria-describedby=\"f-message-hint\" data-resolution=\""
                  RESOLUTION_45_ESC "\"></textarea>") != NULL,
           "an empty message, the resolution text ready (escaped)");
        ok(strstr(html, "name=\"componentIds\" value=\"1\" checked>") != NULL
           && strstr(html, "name=\"componentIds\" value=\"3\" checked>")
              != NULL
           && strstr(html, "name=\"componentIds\" value=\"2\">") != NULL,
           "components: the incident's ticked");
        ok(pos(html, "<li id=\"update-11\">") >= 0
           && pos(html, "<li id=\"update-11\">")
              < pos(html, "<li id=\"update-12\">"),
           "the timeline oldest first");
        ok(strstr(html, "<strong>it</strong>") != NULL, "Markdown updates");
        ok(strstr(html, "href=\"/admin/incidents/7/updates/12/edit\"") != NULL
           && strstr(html, "href=\"/admin/incidents/7/updates/11/delete\"")
              != NULL, "each update: edit and delete");
        ok(pos(html, "<form") < pos(html, "Timeline"),
           "the update form before the timeline");
    }

    free(html);

    /* "Prepare the resolution" */
    html = inc_admin_incident(doc, "resolved", NULL, NULL, &ac, NULL);

    ok(html && strstr(html, "name=\"status\" value=\"resolved\" checked>")
       != NULL, "?status=resolved: resolved ticked");
    ok(html && strstr(html, "data-resolution=\"" RESOLUTION_45_ESC "\">"
                      RESOLUTION_45_ESC "</textarea>") != NULL,
       "?status=resolved: the message is the resolution text");
    ok(html && markup_ok(html, 1), "well-formed");
    free(html);

    /* a form that did not go through */
    values = json("{\"status\": \"monitoring\", \"message\": \"typed <x>\","
                  " \"componentIds\": [3], \"notify\": false}");
    errors = json("[{\"field\": \"message\", \"message\": \"is wrong\"}]");

    html = inc_admin_incident(doc, NULL, values, errors, &ac, NULL);

    if (ok(html != NULL, "inc_admin_incident with errors")) {
        ok(markup_ok(html, 1), "well-formed");
        is_int(post_forms(html), 1, "the CSRF field");
        ok(strstr(html, "Nothing was changed: 1 field needs attention.")
           != NULL, "the summary");
        ok(strstr(html, "name=\"status\" value=\"monitoring\" checked>")
           != NULL, "status: kept");
        ok(strstr(html, "<textarea id=\"f-message\" name=\"message\" "
                  "aria-invalid=\"true\" aria-describedby=\"f-message-err "
                  "f-message-hint\" data-resolution=\"") != NULL,
           "the message marked");
        ok(strstr(html, "\">typed &lt;x&gt;</textarea><p class=\"err\" "
                  "id=\"f-message-err\">is wrong</p>") != NULL,
           "the message kept, escaped, its error");
        ok(strstr(html, "name=\"componentIds\" value=\"3\" checked>") != NULL
           && strstr(html, "name=\"componentIds\" value=\"1\">") != NULL,
           "components: as submitted, not as stored");
        ok(strstr(html, "name=\"notify\" value=\"1\">") != NULL,
           "notify: as submitted");
    }

    free(html);
    cJSON_Delete(values);
    cJSON_Delete(errors);

    /* resolving with a message cleared on purpose: it stays empty */
    values = json("{\"status\": \"resolved\", \"message\": \"\"}");
    html = inc_admin_incident(doc, NULL, values, NULL, &ac, NULL);
    ok(html && strstr(html, "\"></textarea>") != NULL,
       "a submitted empty message is not replaced");
    ok(html && strstr(html, "name=\"status\" value=\"resolved\" checked>")
       != NULL, "the submitted status");
    free(html);
    cJSON_Delete(values);
    cJSON_Delete(doc);

    /* resolved */
    doc = incident_page_doc(5);
    html = inc_admin_incident(doc, NULL, NULL, NULL, &ac, NULL);
    ok(html && strstr(html, " &middot; Resolved <time datetime=\"2026-11-20"
                      "T11:05:00Z\">2026-11-20 11:05 UTC</time> &middot; "
                      "<strong>Duration: 1 hour 5 minutes</strong>") != NULL,
       "a resolved incident: when and how long");
    ok(html && strstr(html, "No updates yet.") != NULL, "no updates: said so");
    ok(html && strstr(html, "data-resolution") == NULL,
       "resolved: no resolution text prepared");
    ok(html && markup_ok(html, 1), "well-formed");
    free(html);

    html = inc_admin_incident(doc, "resolved", NULL, NULL, &ac, NULL);
    ok(html && strstr(html, "name=\"message\" aria-describedby=\""
                      "f-message-hint\"></textarea>") != NULL,
       "resolved, ?status=resolved: nothing prepared a second time");
    ok(html && strstr(html, "name=\"status\" value=\"resolved\" checked>")
       != NULL, "resolved, ?status=resolved: its status");
    free(html);
    cJSON_Delete(doc);

    /* the resolution text itself */
    doc = incident_page_doc(7);
    text = inc_admin_resolution_text(cJSON_GetObjectItem(doc, "incident"),
                                     cJSON_GetObjectItem(doc, "components"),
                                     NOW);
    is_str(text, RESOLUTION_45, "the resolution text (plain text)");
    free(text);
    cJSON_Delete(doc);
}


static char *
resolution(const char *ids, const char *started, time_t now)
{
    char   *text;
    cJSON  *inc, *comps;

    inc = cJSON_CreateObject();
    cJSON_AddItemToObject(inc, "componentIds", json(ids));

    if (started != NULL) {
        cJSON_AddStringToObject(inc, "startedAt", started);
    }

    comps = components();
    text = inc_admin_resolution_text(inc, comps, now);

    cJSON_Delete(inc);
    cJSON_Delete(comps);

    return text;
}


#define R_HEAD  "This incident has been resolved. The issue was caused by " \
                "...\n\nDuration: "
#define R_TAIL  "\n\nWe apologize for any inconvenience caused."


static void
test_resolution(void)
{
    char  *t;

    t = resolution("[1]", "2026-11-27T09:15:00Z", NOW);
    is_str(t, R_HEAD "45 minutes\n\nImpact: API " EVIL " was unavailable"
           R_TAIL, "one component: was unavailable");
    free(t);

    t = resolution("[3, 1]", "2026-11-27T09:15:00Z", NOW);
    is_str(t, R_HEAD "45 minutes\n\nImpact: DB and API " EVIL
           " were unavailable" R_TAIL,
           "two: A and B, in the incident's order");
    free(t);

    t = resolution("[1, 2, 3]", "2026-11-27T08:55:00Z", NOW);
    is_str(t, R_HEAD "1 hour 5 minutes\n\nImpact: API " EVIL ", Backend and "
           "DB were unavailable" R_TAIL, "three: A, B and C; 1 h 5 min");
    free(t);

    t = resolution("[]", "2026-11-25T07:00:00Z", NOW);
    is_str(t, R_HEAD "2 days 3 hours" R_TAIL,
           "no component: no impact line; 2 days 3 hours");
    free(t);

    t = resolution("[]", "2026-11-27T09:00:00Z", NOW);
    is_str(t, R_HEAD "1 hour" R_TAIL, "exactly an hour");
    free(t);

    t = resolution("[]", NULL, NOW);
    is_str(t, R_HEAD "less than a minute" R_TAIL,
           "no start: less than a minute");
    free(t);

    t = resolution("[]", "2026-11-27T09:59:31Z", NOW);
    is_str(t, R_HEAD "less than a minute" R_TAIL, "29 seconds");
    free(t);

    t = resolution("[]", "2026-11-27T09:59:01Z", NOW);
    is_str(t, R_HEAD "1 minute" R_TAIL, "59 seconds: 1 minute (rounded)");
    free(t);

    /* a named component that no longer exists */
    t = resolution("[1, 99]", "2026-11-27T09:15:00Z", NOW);
    is_str(t, R_HEAD "45 minutes\n\nImpact: API " EVIL " was unavailable"
           R_TAIL, "an unknown id is not counted: was unavailable");
    free(t);

    t = resolution("[99]", "2026-11-27T09:15:00Z", NOW);
    is_str(t, R_HEAD "45 minutes" R_TAIL,
           "only unknown ids: no impact line");
    free(t);
}


static void
test_incident_edit(void)
{
    char   *html;
    cJSON  *doc, *values, *errors;

    doc = incident_page_doc(7);

    html = inc_admin_incident_edit(doc, NULL, NULL, &ac, NULL);

    if (ok(html != NULL, "inc_admin_incident_edit")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "action=\"/admin/incidents/7\">") != NULL,
           "posted to the incident");
        ok(strstr(html, "name=\"title\" required value=\"" EVIL_ESC "\">")
           != NULL, "the stored title, escaped");
        ok(strstr(html, "name=\"impact\" value=\"major\" checked>") != NULL,
           "the stored impact");
        ok(strstr(html, "name=\"componentIds\" value=\"1\" checked>") != NULL
           && strstr(html, "name=\"componentIds\" value=\"3\" checked>")
              != NULL, "the stored components");
        ok(strstr(html, "href=\"/admin/incidents/7\">Cancel</a>") != NULL,
           "cancel goes back");
    }

    free(html);

    values = json("{\"title\": \"\", \"impact\": \"none\","
                  " \"componentIds\": []}");
    errors = json("[{\"field\": \"title\", \"message\": \"must not be "
                  "empty\"}]");
    html = inc_admin_incident_edit(doc, values, errors, &ac, NULL);

    if (ok(html != NULL, "inc_admin_incident_edit with errors")) {
        ok(markup_ok(html, 1), "well-formed");
        is_int(post_forms(html), 1, "the CSRF field");
        ok(strstr(html, "name=\"title\" required value=\"\" aria-invalid="
                  "\"true\" aria-describedby=\"f-title-err\"><p class=\"err\""
                  " id=\"f-title-err\">must not be empty</p>") != NULL,
           "the submitted empty title, marked");
        ok(strstr(html, "name=\"impact\" value=\"none\" checked>") != NULL,
           "the submitted impact");
        is_int(count(html, "name=\"componentIds\" value=\"1\" checked"), 0,
               "every box cleared as submitted (1)");
        is_int(count(html, "name=\"componentIds\" value=\"3\" checked"), 0,
               "every box cleared as submitted (3)");
    }

    free(html);
    cJSON_Delete(values);
    cJSON_Delete(errors);
    cJSON_Delete(doc);
}


static void
test_update_edit(void)
{
    char   *html;
    cJSON  *doc, *values, *errors;

    doc = incident_page_doc(7);

    html = inc_admin_update_edit(doc, 12, NULL, NULL, &ac, NULL);

    if (ok(html != NULL, "inc_admin_update_edit")) {
        ok(markup_ok(html, 1), "well-formed");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "action=\"/admin/incidents/7/updates/12\">") != NULL,
           "posted to the update");
        ok(strstr(html, "name=\"message\">Found **it**</textarea>") != NULL,
           "the stored message, as Markdown source");
    }

    free(html);

    html = inc_admin_update_edit(doc, 11, NULL, NULL, &ac, NULL);
    ok(html && strstr(html, ">Looking &lt;script&gt;x()&lt;/script&gt;"
                      "</textarea>") != NULL,
       "another update's message, escaped");
    ok(html && strstr(html, "<script>x") == NULL, "nothing unescaped");
    free(html);

    values = json("{\"message\": \" <fixed> \"}");
    errors = json("[{\"field\": \"message\", \"message\": \"bad\"}]");
    html = inc_admin_update_edit(doc, 12, values, errors, &ac, NULL);

    ok(html && strstr(html, "<textarea id=\"f-message\" name=\"message\" "
                      "aria-invalid=\"true\" aria-describedby=\"f-message-err"
                      "\"> &lt;fixed&gt; </textarea><p class=\"err\" "
                      "id=\"f-message-err\">bad</p>") != NULL,
       "the submitted message kept as typed, marked");
    ok(html && post_forms(html) == 1, "the CSRF field");
    ok(html && markup_ok(html, 1), "well-formed");
    free(html);
    cJSON_Delete(values);
    cJSON_Delete(errors);

    html = inc_admin_update_edit(doc, 99, NULL, NULL, &ac, NULL);
    ok(html && strstr(html, "name=\"message\"></textarea>") != NULL,
       "an unknown update: an empty message");
    free(html);
    cJSON_Delete(doc);
}


static void
test_components(void)
{
    char   *html;
    cJSON  *comps;

    comps = components();
    html = inc_admin_components(comps, &ac, NULL);

    if (ok(html != NULL, "inc_admin_components")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 2,
               "move forms only where they move something, each with the "
               "CSRF field");
        ok(strstr(html, "<form class=\"inline\" method=\"post\" action=\""
                  "/admin/components/1/move\">" CSRF_IN "<input type=\""
                  "hidden\" name=\"direction\" value=\"down\"><button "
                  "class=\"sec\" type=\"submit\" aria-label=\"Move API "
                  EVIL_ESC " down\">&darr;</button></form>") != NULL,
           "a move form: CSRF, direction, an escaped label");
        ok(strstr(html, "/admin/components/1/move\">" CSRF_IN "<input "
                  "type=\"hidden\" name=\"direction\" value=\"up\"")
           == NULL, "the first one has no up");
        ok(strstr(html, "/admin/components/2/move\">" CSRF_IN "<input "
                  "type=\"hidden\" name=\"direction\" value=\"up\"")
           != NULL, "the last one has up only");
        ok(strstr(html, "action=\"/admin/components/3/move\"") == NULL,
           "a group's only member has nothing to move past");
        ok(strstr(html, "<tr data-component-id=\"1\"><td><a href=\""
                  "/admin/components/1\">API " EVIL_ESC "</a></td>") != NULL,
           "a row: data-component-id, the name escaped");
        ok(strstr(html, "<tr data-component-id=\"3\"><td>&nbsp;&nbsp;&rdsh; ")
           != NULL, "a member row is indented");
        ok(pos(html, "data-component-id=\"2\"")
           < pos(html, "data-component-id=\"3\""), "members after the group");
        ok(strstr(html, "Backend</a> <span class=\"mu\">(group)</span></td>"
                  "<td data-label=\"Base status\">Operational</td><td "
                  "data-label=\"Shown as\">Partial Outage</td>") != NULL,
           "a group: base status and shown status");
        ok(strstr(html, "href=\"/admin/components/2/delete\"") != NULL,
           "delete links");
    }

    free(html);
    cJSON_Delete(comps);

    comps = cJSON_CreateArray();
    html = inc_admin_components(comps, &ac, NULL);
    ok(html && strstr(html, "No components yet.") != NULL, "none: said so");
    ok(html && post_forms(html) == 0, "none: no forms");
    ok(html && markup_ok(html, 1), "well-formed");
    free(html);
    cJSON_Delete(comps);
}


static void
test_component_form(void)
{
    char         *html, *select;
    cJSON        *comps, *values, *errors;
    const cJSON  *db;

    comps = components();

    /* add */
    html = inc_admin_component_form(comps, NULL, NULL, NULL, &ac, NULL);

    if (ok(html != NULL, "inc_admin_component_form (add)")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "<h1>Add component</h1>") != NULL, "the heading");
        ok(strstr(html, "action=\"/admin/components\">") != NULL,
           "posted to components");
        ok(strstr(html, "name=\"baseStatus\" value=\"operational\" checked>")
           != NULL, "operational by default");
        select = between(html, "<select", "</select>");
        is_str(select, " id=\"f-groupId\" name=\"groupId\"><option value=\"\""
               ">No group</option><option value=\"1\">API " EVIL_ESC
               "</option><option value=\"2\">Backend</option>",
               "groups: none, or a top-level component (not a member)");
        free(select);
        ok(strstr(html, ">Add component</button>") != NULL, "the button");
    }

    free(html);

    /* edit a member */
    db = cJSON_GetArrayItem(comps, 2);
    html = inc_admin_component_form(comps, db, NULL, NULL, &ac, NULL);

    if (ok(html != NULL, "inc_admin_component_form (edit)")) {
        ok(markup_ok(html, 1), "well-formed");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "action=\"/admin/components/3\">") != NULL,
           "posted to the component");
        ok(strstr(html, "name=\"name\" required value=\"DB\">") != NULL,
           "the stored name");
        ok(strstr(html, "<option value=\"2\" selected>Backend</option>")
           != NULL, "its group selected");
        ok(strstr(html, "<option value=\"3\"") == NULL,
           "not its own group");
        ok(strstr(html, ">Save</button>") != NULL, "the button");
    }

    free(html);

    values = json("{\"name\": \"<n>\", \"description\": \"d & d\","
                  " \"groupId\": null, \"baseStatus\": \"major_outage\"}");
    errors = json("[{\"field\": \"groupId\", \"message\": \"a group cannot "
                  "be in a group\"}, {\"field\": \"name\", \"message\": "
                  "\"taken\"}]");
    html = inc_admin_component_form(comps, db, values, errors, &ac, NULL);

    if (ok(html != NULL, "inc_admin_component_form with errors")) {
        ok(markup_ok(html, 1), "well-formed");
        is_int(post_forms(html), 1, "the CSRF field");
        ok(strstr(html, "Nothing was changed: 2 fields need attention.")
           != NULL, "the summary");
        ok(strstr(html, "name=\"name\" required value=\"&lt;n&gt;\" "
                  "aria-invalid=\"true\" aria-describedby=\"f-name-err\">"
                  "<p class=\"err\" id=\"f-name-err\">taken</p>") != NULL,
           "the name: kept, escaped, marked");
        ok(strstr(html, "name=\"description\" value=\"d &amp; d\" "
                  "aria-describedby=\"f-description-hint\">") != NULL,
           "the description: kept, not marked");
        ok(strstr(html, "<select id=\"f-groupId\" name=\"groupId\" "
                  "aria-invalid=\"true\" aria-describedby=\"f-groupId-err\">")
           != NULL, "the group: marked");
        ok(strstr(html, "</select><p class=\"err\" id=\"f-groupId-err\">a "
                  "group cannot be in a group</p>") != NULL,
           "the group's error");
        ok(strstr(html, " selected>") == NULL,
           "the submitted null group: none selected");
        ok(strstr(html, "name=\"baseStatus\" value=\"major_outage\" checked>")
           != NULL, "the submitted base status");
    }

    free(html);
    cJSON_Delete(values);
    cJSON_Delete(errors);
    cJSON_Delete(comps);
}


static void
test_settings(void)
{
    char   *html, *links;
    cJSON  *settings, *values, *errors;

    settings = json("{\"pageTitle\": \"Acme \\\"'><script>alert('&')"
                    "</script>\", \"incidentPosition\": \"below_status\","
                    " \"timezone\": \"Europe/Paris\", \"logoUrl\": \"\","
                    " \"accentColor\": \"#0969da\", \"footerLinks\": ["
                    "{\"label\": \"Docs\","
                    " \"url\": \"https://docs.example/\"},"
                    " {\"label\": \"Help <me>\", \"url\": \"/help\"}]}");

    html = inc_admin_settings(settings, NULL, NULL, &ac, NULL);

    if (ok(html != NULL, "inc_admin_settings")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "action=\"/admin/settings\">") != NULL,
           "posted to settings");
        ok(strstr(html, "name=\"pageTitle\" required value=\"Acme " EVIL_ESC
                  "\">") != NULL, "the stored title, escaped");
        ok(strstr(html, "name=\"incidentPosition\" value=\"below_status\" "
                  "checked> Below Status <small>&mdash; after overall status;"
                  " best for balanced visibility</small>") != NULL,
           "the stored position, with what it is best for");
        ok(strstr(html, "value=\"top\"> Top (Default) <small>") != NULL,
           "top is the default");
        ok(strstr(html, "name=\"timezone\" value=\"Europe/Paris\"") != NULL,
           "the time zone");
        ok(strstr(html, "name=\"accentColor\" value=\"#0969da\"") != NULL,
           "the colour");
        links = between(html, "name=\"footerLinks\"", "</textarea>");
        is_str(links, " aria-describedby=\"f-footerLinks-hint\">Docs | "
               "https://docs.example/\nHelp &lt;me&gt; | /help\n",
               "links: \"Label | URL\" a line, escaped");
        free(links);
    }

    free(html);

    values = json("{\"pageTitle\": \"\", \"incidentPosition\": \"top\","
                  " \"accentColor\": \"red\", \"footerLinks\": [{\"label\":"
                  " \"X\", \"url\": \"javascript:x\"}]}");
    errors = json("[{\"field\": \"pageTitle\", \"message\": \"empty\"},"
                  " {\"field\": \"incidentPosition\", \"message\": \"pos\"},"
                  " {\"field\": \"accentColor\", \"message\": \"colour\"},"
                  " {\"field\": \"footerLinks\", \"message\": \"links\"}]");
    html = inc_admin_settings(settings, values, errors, &ac, NULL);

    if (ok(html != NULL, "inc_admin_settings with errors")) {
        ok(markup_ok(html, 1), "well-formed");
        is_int(post_forms(html), 1, "the CSRF field");
        ok(strstr(html, "Nothing was changed: 4 fields need attention.")
           != NULL, "the summary");
        ok(strstr(html, "name=\"pageTitle\" required value=\"\" aria-invalid="
                  "\"true\" aria-describedby=\"f-pageTitle-err\"><p class="
                  "\"err\" id=\"f-pageTitle-err\">empty</p>") != NULL,
           "the title: as submitted, marked");
        ok(strstr(html, "<fieldset aria-invalid=\"true\" aria-describedby="
                  "\"f-incidentPosition-err\"><legend>Where active incidents "
                  "appear</legend><p class=\"err\" id=\"f-incidentPosition-"
                  "err\">pos</p>") != NULL, "the position: marked");
        ok(strstr(html, "value=\"top\" checked>") != NULL
           && strstr(html, "value=\"below_status\" checked>") == NULL,
           "the submitted position");
        ok(strstr(html, "name=\"accentColor\" value=\"red\" aria-invalid="
                  "\"true\" aria-describedby=\"f-accentColor-err "
                  "f-accentColor-hint\">") != NULL, "the colour: marked");
        ok(strstr(html, "name=\"timezone\" value=\"Europe/Paris\"") != NULL,
           "a field not submitted: the stored value");
        links = between(html, "name=\"footerLinks\"", "</textarea>");
        is_str(links, " aria-invalid=\"true\" aria-describedby=\""
               "f-footerLinks-err f-footerLinks-hint\">X | javascript:x\n",
               "the submitted links, marked");
        free(links);
        ok(strstr(html, "</textarea><p class=\"err\" id=\"f-footerLinks-err\""
                  ">links</p>") != NULL, "the links' error");
    }

    free(html);
    cJSON_Delete(values);
    cJSON_Delete(errors);
    cJSON_Delete(settings);
}


static void
test_confirm(void)
{
    char  *html;

    html = inc_admin_confirm("Delete \"" EVIL "\"?",
                             "Really delete <b>it</b>?", "The " EVIL " one",
                             "incidents/7/delete", "Delete incident",
                             "incidents/7", &ac, NULL);

    if (ok(html != NULL, "inc_admin_confirm")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL
           && strstr(html, "<b>it") == NULL, "nothing unescaped");
        is_int(post_forms(html), 1, "one POST form with the CSRF field");
        ok(strstr(html, "<form method=\"post\" action=\"/admin/incidents/7/"
                  "delete\">" CSRF_IN "<div class=\"actions\"><button class="
                  "\"danger\" type=\"submit\">Delete incident</button><a "
                  "href=\"/admin/incidents/7\">Cancel</a></div></form>")
           != NULL, "the form: CSRF, the button, cancel");
        ok(strstr(html, "<h1>Delete &quot;" EVIL_ESC "&quot;?</h1><p>Really "
                  "delete &lt;b&gt;it&lt;/b&gt;?</p>") != NULL,
           "title and question, escaped");
        ok(strstr(html, "<blockquote class=\"card\">The " EVIL_ESC
                  " one</blockquote>") != NULL,
           "what is deleted is named, escaped");
    }

    free(html);
}


static void
test_lists(void)
{
    char   *html;
    cJSON  *home, *list, *a, *r;

    home = cJSON_CreateObject();
    cJSON_AddStringToObject(home, "description", "Partial " EVIL);
    cJSON_AddItemToObject(home, "components", components());
    a = cJSON_AddArrayToObject(home, "activeIncidents");
    r = cJSON_AddArrayToObject(home, "recentIncidents");
    cJSON_AddItemToArray(a, incident(7));
    cJSON_AddItemToArray(r, incident(7));
    cJSON_AddItemToArray(r, incident(5));

    html = inc_admin_dashboard(home, &ac, NULL);

    if (ok(html != NULL, "inc_admin_dashboard")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(post_forms(html), 0, "no form");
        ok(strstr(html, "The page says: <strong>Partial " EVIL_ESC
                  "</strong>") != NULL, "the overall status, escaped");
        is_int(count(html, "<tr data-incident-id=\"7\">"), 2,
               "the active incident, in both lists");
        is_int(count(html, "<tr data-incident-id=\"5\">"), 1,
               "the resolved one, in recent");
        ok(strstr(html, "<a href=\"/admin/incidents/7\">" EVIL_ESC "</a><br>"
                  "<span class=\"mu\">API " EVIL_ESC ", DB</span></td><td "
                  "data-label=\"Status\">Identified</td><td data-label=\""
                  "Impact\">Major</td><td data-label=\"Started\"><time "
                  "datetime=\""
                  "2026-11-27T09:15:00Z\">2026-11-27 09:15 UTC</time></td>")
           != NULL, "a row: title, components, status, impact, start");
        ok(strstr(html, "None.") == NULL, "no empty list");
    }

    free(html);

    cJSON_DeleteItemFromObject(home, "activeIncidents");
    cJSON_AddArrayToObject(home, "activeIncidents");
    html = inc_admin_dashboard(home, &ac, NULL);
    is_int(html ? count(html, "<p class=\"mu\">None.</p>") : -1, 1,
           "no active incident: None.");
    free(html);
    cJSON_Delete(home);

    list = cJSON_CreateObject();
    cJSON_AddItemToObject(list, "components", components());
    a = cJSON_AddArrayToObject(list, "incidents");
    cJSON_AddItemToArray(a, incident(7));
    cJSON_AddItemToArray(a, incident(5));
    cJSON_AddStringToObject(list, "nextCursor", "5\"<x>");

    html = inc_admin_incidents(list, "active", &ac, NULL);

    if (ok(html != NULL, "inc_admin_incidents")) {
        ok(markup_ok(html, 1), "well-formed");
        ok(strstr(html, "<script>alert") == NULL, "nothing unescaped");
        is_int(count(html, "aria-current=\"page\""), 1, "one current filter");
        ok(strstr(html, "<a href=\"/admin/incidents?state=active\" "
                  "aria-current=\"page\">Active</a>") != NULL,
           "the current filter");
        ok(pos(html, "data-incident-id=\"7\"")
           < pos(html, "data-incident-id=\"5\""), "in the list's order");
        ok(strstr(html, "<a rel=\"next\" href=\"/admin/incidents?state=active"
                  "&amp;cursor=5&quot;&lt;x&gt;\">") != NULL,
           "the next page, escaped");
    }

    free(html);

    cJSON_DeleteItemFromObject(list, "nextCursor");
    cJSON_AddNullToObject(list, "nextCursor");
    html = inc_admin_incidents(list, "all", &ac, NULL);
    ok(html && strstr(html, "rel=\"next\"") == NULL, "no next page");
    ok(html && strstr(html, "state=all\" aria-current=\"page\">All</a>")
       != NULL, "all is current");
    free(html);
    cJSON_Delete(list);
}


int
main(void)
{
    test_checkers();
    test_frame();
    test_incident_new();
    test_incident();
    test_resolution();
    test_incident_edit();
    test_update_edit();
    test_components();
    test_component_form();
    test_settings();
    test_confirm();
    test_lists();

    return done_testing();
}
