/*
 * Admin UI pages.
 *
 * One form helper per kind of field, each with its label, hint and error
 * tied to the control (aria-describedby, aria-invalid), so that every page
 * is accessible by construction.  Every state-changing form is a POST that
 * carries the CSRF token.
 */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_html.h"
#include "incident_form.h"
#include "incident_admin_render.h"


static const char  *inc_impact_examples[INC_IMPACT_COUNT] = {
    "Website is down", "Login is broken", "Slow response times", "UI glitch"
};


const char  inc_admin_css[] =
    ":root{--bg:#f6f8fa;--fg:#1f2328;--mu:#59636e;--card:#fff;"
    "--line:#d1d9e0;--ac:#0969da;--ok:#1a7f37;--bad:#cf222e;"
    "color-scheme:light dark}"
    "@media(prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
    "--mu:#9198a1;--card:#151b23;--line:#3d444d;--ac:#4493f8;"
    "--ok:#3fb950;--bad:#f85149}}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}"
    "a{color:var(--ac)}"
    "header{background:var(--card);border-bottom:1px solid var(--line)}"
    "header .in,main{max-width:960px;margin:0 auto;padding:0 16px}"
    "header .in{display:flex;flex-wrap:wrap;gap:8px 18px;"
    "align-items:center;padding-top:10px;padding-bottom:10px}"
    "header strong{margin-right:auto}"
    "main{padding-bottom:48px}"
    "h1{font-size:1.5rem;margin:24px 0 12px}"
    "h2{font-size:1.15rem;margin:24px 0 8px}"
    ".card{background:var(--card);border:1px solid var(--line);"
    "border-radius:10px;padding:16px 20px;margin:0 0 12px}"
    ".flash{border:1px solid var(--ok);border-left-width:6px;"
    "background:var(--card);padding:10px 14px;border-radius:8px}"
    ".problem{border-color:var(--bad)}"
    ".btn,button{display:inline-block;font:inherit;font-weight:600;"
    "padding:8px 16px;border-radius:8px;border:1px solid var(--ac);"
    "background:var(--ac);color:var(--card);text-decoration:none;"
    "cursor:pointer}"
    ".btn.sec,button.sec{background:var(--card);color:var(--ac)}"
    ".btn.del{color:var(--bad);border-color:var(--bad)}"
    "[aria-current]{font-weight:700;text-decoration:none;color:var(--fg)}"
    ".card h2{margin-top:0}"
    "button.danger{background:var(--bad);border-color:var(--bad)}"
    ".actions{display:flex;flex-wrap:wrap;gap:10px;align-items:center;"
    "margin:16px 0}"
    ".field{margin:0 0 16px}"
    "label,legend{font-weight:600}"
    "input[type=text],input[type=url],input[type=number],"
    "input[type=datetime-local],textarea,select{display:block;"
    "width:100%;font:inherit;padding:8px 10px;margin-top:4px;"
    "border:1px solid var(--line);border-radius:6px;background:var(--bg);"
    "color:var(--fg)}"
    "textarea{min-height:8em}"
    "fieldset{border:1px solid var(--line);border-radius:8px;"
    "margin:0 0 16px;padding:8px 14px}"
    ".opt{display:block;font-weight:400;margin:6px 0;padding-left:1.6em;"
    "text-indent:-1.6em}"
    ".opt small,.hint{color:var(--mu)}.opt.member{margin-left:1.75em}"
    "nav a{margin-right:12px}"
    ".hint{margin:4px 0 0;font-size:.875rem}"
    ".err{color:var(--bad);font-weight:600;margin:4px 0 0}"
    "[aria-invalid=true]{border-color:var(--bad)!important;"
    "outline:2px solid var(--bad)}"
    "table{width:100%;border-collapse:collapse}"
    "th,td{text-align:left;padding:8px 6px;border-top:1px solid var(--line);"
    "vertical-align:top}"
    ".mu{color:var(--mu)}"
    ".tl{list-style:none;padding:0}"
    ".tl>li{border-left:3px solid var(--line);padding:4px 0 12px 14px;"
    "margin-bottom:12px}"
    "form.inline{display:inline}"
    "@media(max-width:600px){thead{display:none}"
    "td{display:block;border:0;padding:2px 0}"
    "td[data-label]::before{content:attr(data-label) \": \";"
    "color:var(--mu)}"
    "tr{display:block;border-top:1px solid var(--line);padding:8px 0}"
    "tbody tr:first-child{border-top:0}}"
    ".addr{overflow-wrap:anywhere}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;"
    "gap:6px 16px;margin:0}"
    "dl.facts dt{font-weight:600}dl.facts dd{margin:0;min-width:0;"
    "overflow-wrap:anywhere}"
    ".figures{display:flex;flex-wrap:wrap;gap:10px 28px;list-style:none;"
    "padding:0;margin:0}"
    ".figures strong{display:block;font-size:1.5rem}"
    "input[readonly]{font-family:ui-monospace,monospace}";


/* on "Resolved", an empty message gets the prepared resolution text */
const char  inc_admin_js[] =
    "document.addEventListener('change',function(e){var t=e.target;"
    "if(t.name!=='status'||!t.form)return;var m=t.form.elements.message;"
    "if(!m||!m.dataset.resolution)return;"
    "if(t.value==='resolved'&&!m.value.trim()){m.value=m.dataset.resolution;"
    "m.focus()}});";


/* what the operator typed wins over what is stored */
static const char *
inc_val(const cJSON *values, const cJSON *stored, const char *name)
{
    const cJSON  *item;

    item = cJSON_GetObjectItemCaseSensitive(values, name);
    if (cJSON_IsString(item)) {
        return item->valuestring;
    }

    return inc_rec_str(stored, name);
}


static const char *
inc_err(const cJSON *errors, const char *field)
{
    const cJSON  *e;

    cJSON_ArrayForEach(e, errors) {
        if (strcmp(inc_rec_str(e, "field"), field) == 0) {
            return inc_rec_str(e, "message");
        }
    }

    return NULL;
}


static void
inc_time(inc_buf_t *b, const char *iso)
{
    inc_buf_str(b, "<time datetime=\"");
    inc_buf_escape(b, iso);
    inc_buf_str(b, "\">");

    if (strlen(iso) >= 16) {
        inc_buf_printf(b, "%.10s %.5s UTC", iso, iso + 11);
    }

    inc_buf_str(b, "</time>");
}


static void
inc_open(inc_buf_t *b, const char *title, const inc_admin_ctx_t *ac)
{
    inc_buf_str(b, "<!doctype html>\n<html lang=\"en\"><head>"
                "<meta charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width,initial-scale=1\"><title>");
    inc_buf_escape(b, title);
    inc_buf_printf(b, " - Admin</title><link rel=\"stylesheet\" "
                   "href=\"%sadmin.css\"><script src=\"%sadmin.js\" defer>"
                   "</script></head><body><header><div class=\"in\">"
                   "<strong>Status admin</strong><nav aria-label=\"Admin\">",
                   ac->base_path, ac->base_path);
    inc_buf_printf(b, "<a href=\"%s\">Dashboard</a> "
                   "<a href=\"%sincidents\">Incidents</a> "
                   "<a href=\"%smaintenance\">Maintenance</a> "
                   "<a href=\"%scomponents\">Components</a> "
                   "<a href=\"%ssubscribers\">Subscribers</a> "
                   "<a href=\"%ssettings\">Settings</a> <a href=\"",
                   ac->base_path, ac->base_path, ac->base_path,
                   ac->base_path, ac->base_path, ac->base_path);
    inc_buf_escape(b, ac->public_url);
    inc_buf_str(b, "\">View status page</a></nav>");

    if (ac->user && ac->user[0]) {
        inc_buf_str(b, "<span class=\"mu\">Signed in as ");
        inc_buf_escape(b, ac->user);
        inc_buf_str(b, "</span>");
    }

    inc_buf_str(b, "</div></header><main id=\"main\">");

    if (ac->flash != NULL) {
        inc_buf_str(b, "<p class=\"flash\" role=\"status\">");
        inc_buf_escape(b, ac->flash);
        inc_buf_str(b, "</p>");
    }
}


static char *
inc_close(inc_buf_t *b, size_t *len)
{
    inc_buf_str(b, "</main></body></html>\n");

    return inc_buf_detach(b, len);
}


static void
inc_form_open(inc_buf_t *b, const inc_admin_ctx_t *ac, const char *action)
{
    inc_buf_printf(b, "<form method=\"post\" action=\"%s%s\">"
                   "<input type=\"hidden\" name=\"csrf\" value=\"",
                   ac->base_path, action);
    inc_buf_escape(b, ac->csrf);
    inc_buf_str(b, "\">");
}


/* the problem summary at the top of a form that did not go through */
static void
inc_form_errors(inc_buf_t *b, const cJSON *errors)
{
    if (cJSON_GetArraySize(errors) == 0) {
        return;
    }

    inc_buf_printf(b, "<p class=\"flash problem\" role=\"alert\">"
                   "Nothing was changed: %d field%s need%s attention.</p>",
                   cJSON_GetArraySize(errors),
                   cJSON_GetArraySize(errors) == 1 ? "" : "s",
                   cJSON_GetArraySize(errors) == 1 ? "s" : "");
}


static void
inc_field_error(inc_buf_t *b, const char *id, const char *error)
{
    if (error != NULL) {
        inc_buf_printf(b, "<p class=\"err\" id=\"%s-err\">", id);
        inc_buf_escape(b, error);
        inc_buf_str(b, "</p>");
    }
}


static void
inc_described(inc_buf_t *b, const char *id, const char *hint,
    const char *error)
{
    if (error == NULL && hint == NULL) {
        return;
    }

    if (error != NULL) {
        inc_buf_str(b, " aria-invalid=\"true\"");
    }

    inc_buf_str(b, " aria-describedby=\"");

    if (error != NULL) {
        inc_buf_printf(b, "%s-err", id);
    }

    if (hint != NULL) {
        inc_buf_printf(b, "%s%s-hint", error ? " " : "", id);
    }

    inc_buf_str(b, "\"");
}


/* "attrs": more attributes, such as " inputmode=\"email\"", or "" */
static void
inc_input_field(inc_buf_t *b, const char *name, const char *label,
    const char *value, const char *hint, const char *error,
    const char *attrs)
{
    char  id[64];

    snprintf(id, sizeof(id), "f-%s", name);

    inc_buf_printf(b, "<div class=\"field\"><label for=\"%s\">%s</label>"
                   "<input type=\"text\" id=\"%s\" name=\"%s\"%s value=\"",
                   id, label, id, name, attrs);
    inc_buf_escape(b, value);
    inc_buf_str(b, "\"");
    inc_described(b, id, hint, error);
    inc_buf_str(b, ">");
    inc_field_error(b, id, error);

    if (hint != NULL) {
        inc_buf_printf(b, "<p class=\"hint\" id=\"%s-hint\">", id);
        inc_buf_escape(b, hint);
        inc_buf_str(b, "</p>");
    }

    inc_buf_str(b, "</div>");
}


static void
inc_text_field(inc_buf_t *b, const char *name, const char *label,
    const char *value, const char *hint, const char *error, int required)
{
    inc_input_field(b, name, label, value, hint, error,
                    required ? " required" : "");
}


static void
inc_textarea(inc_buf_t *b, const char *name, const char *label,
    const char *value, const char *hint, const char *error,
    const char *resolution)
{
    char  id[64];

    snprintf(id, sizeof(id), "f-%s", name);

    inc_buf_printf(b, "<div class=\"field\"><label for=\"%s\">%s</label>"
                   "<textarea id=\"%s\" name=\"%s\"", id, label, id, name);
    inc_described(b, id, hint, error);

    if (resolution != NULL) {
        inc_buf_str(b, " data-resolution=\"");
        inc_buf_escape(b, resolution);
        inc_buf_str(b, "\"");
    }

    inc_buf_str(b, ">");
    inc_buf_escape(b, value);
    inc_buf_str(b, "</textarea>");
    inc_field_error(b, id, error);

    if (hint != NULL) {
        inc_buf_printf(b, "<p class=\"hint\" id=\"%s-hint\">", id);
        inc_buf_escape(b, hint);
        inc_buf_str(b, "</p>");
    }

    inc_buf_str(b, "</div>");
}


/* radio buttons with each value's meaning (and the seed's examples) */
static void
inc_radios(inc_buf_t *b, const char *name, const char *legend,
    const inc_enum_t *e, int n, const char **examples, const char *current,
    const char *error)
{
    int  i;

    inc_buf_printf(b, "<fieldset%s><legend>%s</legend>",
                   error ? " aria-invalid=\"true\"" : "", legend);

    if (error != NULL) {
        inc_buf_printf(b, "<p class=\"err\" id=\"f-%s-err\">", name);
        inc_buf_escape(b, error);
        inc_buf_str(b, "</p>");
    }

    for (i = 0; i < n; i++) {
        inc_buf_printf(b, "<label class=\"opt\"><input type=\"radio\" "
                       "name=\"%s\" value=\"%s\"%s> %s", name, e[i].value,
                       strcmp(current, e[i].value) == 0 ? " checked" : "",
                       e[i].label);

        if (e[i].meaning != NULL) {
            inc_buf_printf(b, " <small>&mdash; %s", e[i].meaning);

            if (examples != NULL) {
                inc_buf_printf(b, " (example: %s)", examples[i]);
            }

            inc_buf_str(b, "</small>");
        }

        inc_buf_str(b, "</label>");
    }

    inc_buf_str(b, "</fieldset>");
}


static int
inc_ids_have(const cJSON *ids, double id)
{
    const cJSON  *v;

    cJSON_ArrayForEach(v, ids) {
        if (cJSON_IsNumber(v) && v->valuedouble == id) {
            return 1;
        }
    }

    return 0;
}


static void
inc_component_box(inc_buf_t *b, const cJSON *c, const cJSON *checked,
    int member)
{
    inc_buf_printf(b, "<label class=\"opt%s\"><input type=\"checkbox\" "
                   "name=\"componentIds\" value=\"%.0f\"%s> ",
                   member ? " member" : "",
                   inc_rec_num(c, "id"),
                   inc_ids_have(checked, inc_rec_num(c, "id"))
                   ? " checked" : "");
    inc_buf_escape(b, inc_rec_str(c, "name"));
    inc_buf_str(b, "</label>");
}


/* one checkbox a component, members under their group */
static void
inc_component_boxes_as(inc_buf_t *b, const char *legend, const char *hint,
    const cJSON *components, const cJSON *checked, const char *error)
{
    const cJSON  *c, *m;

    inc_buf_printf(b, "<fieldset%s><legend>%s</legend>"
                   "<input type=\"hidden\" name=\"componentIds_shown\" "
                   "value=\"1\">", error ? " aria-invalid=\"true\"" : "",
                   legend);

    if (error != NULL) {
        inc_buf_str(b, "<p class=\"err\" id=\"f-componentIds-err\">");
        inc_buf_escape(b, error);
        inc_buf_str(b, "</p>");
    }

    if (cJSON_GetArraySize(components) == 0) {
        inc_buf_str(b, "<p class=\"hint\">No components yet.</p>");
    }

    cJSON_ArrayForEach(c, components) {
        if (!cJSON_IsNull(cJSON_GetObjectItem(c, "groupId"))) {
            continue;
        }

        inc_component_box(b, c, checked, 0);

        cJSON_ArrayForEach(m, components) {
            if (inc_rec_num(m, "groupId") == inc_rec_num(c, "id")) {
                inc_component_box(b, m, checked, 1);
            }
        }
    }

    inc_buf_printf(b, "<p class=\"hint\">%s</p></fieldset>", hint);
}


static void
inc_component_boxes(inc_buf_t *b, const cJSON *components,
    const cJSON *checked, const char *error)
{
    inc_component_boxes_as(b, "Affected components",
                           "Linked components (and their groups) show "
                           "Partial Outage until the incident is resolved.",
                           components, checked, error);
}


static void
inc_notify_box(inc_buf_t *b, const cJSON *values)
{
    const cJSON  *notify;

    notify = cJSON_GetObjectItem(values, "notify");

    inc_buf_printf(b, "<input type=\"hidden\" name=\"notify_shown\" "
                   "value=\"1\"><label class=\"opt\"><input "
                   "type=\"checkbox\" name=\"notify\" value=\"1\"%s> "
                   "Notify subscribers</label>",
                   cJSON_IsFalse(notify) ? "" : " checked");
}


static void
inc_incident_rows(inc_buf_t *b, const cJSON *list, const cJSON *components,
    const inc_admin_ctx_t *ac)
{
    int           n;
    const char   *name;
    const cJSON  *inc, *id;

    inc_buf_str(b, "<table><thead><tr><th scope=\"col\">Incident</th>"
                "<th scope=\"col\">Status</th><th scope=\"col\">Impact</th>"
                "<th scope=\"col\">Started</th></tr></thead><tbody>");

    cJSON_ArrayForEach(inc, list) {
        inc_buf_printf(b, "<tr data-incident-id=\"%.0f\"><td><a href=\""
                       "%sincidents/%.0f\">", inc_rec_num(inc, "id"),
                       ac->base_path, inc_rec_num(inc, "id"));
        inc_buf_escape(b, inc_rec_str(inc, "title"));
        inc_buf_str(b, "</a>");

        n = 0;
        cJSON_ArrayForEach(id, cJSON_GetObjectItem(inc, "componentIds")) {
            name = inc_rec_name(components, id->valuedouble);
            if (name != NULL) {
                inc_buf_str(b, n++ ? ", " : "<br><span class=\"mu\">");
                inc_buf_escape(b, name);
            }
        }

        inc_buf_printf(b, "%s</td><td data-label=\"Status\">%s</td>"
                       "<td data-label=\"Impact\">%s</td>"
                       "<td data-label=\"Started\">",
                       n ? "</span>" : "",
                       inc_enum_label(inc_incident_statuses, INC_STATUS_COUNT,
                                 inc_rec_str(inc, "status")),
                       inc_enum_label(inc_impacts, INC_IMPACT_COUNT,
                                 inc_rec_str(inc, "impact")));
        inc_time(b, inc_rec_str(inc, "startedAt"));
        inc_buf_str(b, "</td></tr>");
    }

    inc_buf_str(b, "</tbody></table>");

    if (cJSON_GetArraySize(list) == 0) {
        inc_buf_str(b, "<p class=\"mu\">None.</p>");
    }
}


char *
inc_admin_dashboard(const cJSON *home, const inc_admin_ctx_t *ac,
    size_t *len)
{
    inc_buf_t     b;
    const cJSON  *components;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    components = cJSON_GetObjectItem(home, "components");

    inc_open(&b, "Dashboard", ac);
    inc_buf_str(&b, "<h1>Dashboard</h1><p>The page says: <strong>");
    inc_buf_escape(&b, inc_rec_str(home, "description"));
    inc_buf_printf(&b, "</strong></p><div class=\"actions\">"
                   "<a class=\"btn\" href=\"%sincidents/new\">Create "
                   "Incident</a><a class=\"btn sec\" href=\"%sincidents\">"
                   "All incidents</a></div>", ac->base_path, ac->base_path);

    inc_buf_str(&b, "<section class=\"card\" aria-labelledby=\"h-a\">"
                "<h2 id=\"h-a\">Active incidents</h2>");
    inc_incident_rows(&b, cJSON_GetObjectItem(home, "activeIncidents"),
                      components, ac);
    inc_buf_str(&b, "</section><section class=\"card\" "
                "aria-labelledby=\"h-r\"><h2 id=\"h-r\">Recent incidents "
                "(14 days)</h2>");
    inc_incident_rows(&b, cJSON_GetObjectItem(home, "recentIncidents"),
                      components, ac);
    inc_buf_str(&b, "</section>");

    return inc_close(&b, len);
}


char *
inc_admin_incidents(const cJSON *list, const char *state,
    const inc_admin_ctx_t *ac, size_t *len)
{
    int           i;
    inc_buf_t     b;
    const cJSON  *next;

    static const char  *states[3][2] = {
        { "all", "All" }, { "active", "Active" }, { "resolved", "Resolved" }
    };

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Incidents", ac);
    inc_buf_printf(&b, "<h1>Incidents</h1><div class=\"actions\">"
                   "<a class=\"btn\" href=\"%sincidents/new\">Create "
                   "Incident</a><nav aria-label=\"Filter\">",
                   ac->base_path);

    for (i = 0; i < 3; i++) {
        inc_buf_printf(&b, " <a href=\"%sincidents?state=%s\"%s>%s</a>",
                       ac->base_path, states[i][0],
                       strcmp(state, states[i][0]) == 0
                       ? " aria-current=\"page\"" : "", states[i][1]);
    }

    inc_buf_str(&b, "</nav></div><div class=\"card\">");
    inc_incident_rows(&b, cJSON_GetObjectItem(list, "incidents"),
                      cJSON_GetObjectItem(list, "components"), ac);
    inc_buf_str(&b, "</div>");

    next = cJSON_GetObjectItem(list, "nextCursor");

    if (cJSON_IsString(next)) {
        inc_buf_printf(&b, "<p><a rel=\"next\" href=\"%sincidents?state=%s"
                       "&amp;cursor=", ac->base_path, state);
        inc_buf_escape(&b, next->valuestring);
        inc_buf_str(&b, "\">Older incidents &rarr;</a></p>");
    }

    return inc_close(&b, len);
}


char *
inc_admin_incident_new(const cJSON *components, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len)
{
    const char   *status, *impact;
    inc_buf_t     b;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    status = inc_val(values, NULL, "status");
    impact = inc_val(values, NULL, "impact");

    inc_open(&b, "Create Incident", ac);
    inc_buf_str(&b, "<h1>Create Incident</h1><p class=\"mu\">Create it as "
                "soon as you are aware of an issue, even before you know "
                "the root cause: users prefer transparency over silence. "
                "Only the title is needed.</p>");
    inc_form_errors(&b, errors);
    inc_form_open(&b, ac, "incidents");
    inc_text_field(&b, "title", "Title", inc_val(values, NULL, "title"),
                   "What users notice, e.g. \"Database connectivity "
                   "issues\"", inc_err(errors, "title"), 1);
    inc_radios(&b, "status", "Status", inc_incident_statuses,
               INC_STATUS_COUNT, NULL, status[0] ? status : "investigating",
               inc_err(errors, "status"));
    inc_radios(&b, "impact", "Impact", inc_impacts, INC_IMPACT_COUNT,
               inc_impact_examples, impact[0] ? impact : "minor",
               inc_err(errors, "impact"));
    inc_component_boxes(&b, components,
                        cJSON_GetObjectItem(values, "componentIds"),
                        inc_err(errors, "componentIds"));
    inc_textarea(&b, "message", "First message",
                 inc_val(values, NULL, "message"),
                 "Shown on the status page; Markdown works.",
                 inc_err(errors, "message"), NULL);
    inc_notify_box(&b, values);
    inc_buf_printf(&b, "<div class=\"actions\"><button type=\"submit\">"
                   "Create</button><a href=\"%sincidents\">Cancel</a></div>"
                   "</form>", ac->base_path);

    return inc_close(&b, len);
}


/* the incident's components that still exist */
static int
inc_count_names(const cJSON *incident, const cJSON *components)
{
    int           n;
    const cJSON  *id;

    n = 0;

    cJSON_ArrayForEach(id, cJSON_GetObjectItem(incident, "componentIds")) {
        n += inc_rec_name(components, id->valuedouble) != NULL;
    }

    return n;
}


/* "API and Dashboard", "API, Dashboard and Web" */
static void
inc_names(inc_buf_t *b, const cJSON *incident, const cJSON *components)
{
    int           i, n;
    const char   *name;
    const cJSON  *id;

    n = inc_count_names(incident, components);

    i = 0;
    cJSON_ArrayForEach(id, cJSON_GetObjectItem(incident, "componentIds")) {
        name = inc_rec_name(components, id->valuedouble);
        if (name == NULL) {
            continue;
        }

        if (i) {
            inc_buf_str(b, i == n - 1 ? " and " : ", ");
        }

        inc_buf_str(b, name);
        i++;
    }
}


char *
inc_admin_resolution_text(const cJSON *incident, const cJSON *components,
    time_t now)
{
    int        n;
    char       duration[64];
    time_t     started;
    inc_buf_t  b;

    if (inc_buf_init(&b, 512) != 0) {
        return NULL;
    }

    if (inc_time_parse(inc_rec_str(incident, "startedAt"), &started) != 0) {
        started = now;
    }

    inc_duration_text((long) (now - started), duration, sizeof(duration));

    /* the seed's shape; a blank line keeps each line in Markdown */
    inc_buf_str(&b, "This incident has been resolved. The issue was caused "
                "by ...\n\nDuration: ");
    inc_buf_str(&b, duration);

    n = inc_count_names(incident, components);

    if (n) {
        inc_buf_str(&b, "\n\nImpact: ");
        inc_names(&b, incident, components);
        inc_buf_str(&b, n == 1 ? " was unavailable" : " were unavailable");
    }

    inc_buf_str(&b, "\n\nWe apologize for any inconvenience caused.");

    return inc_buf_detach(&b, NULL);
}


static void
inc_update_item(inc_buf_t *b, const cJSON *inc, const cJSON *u,
    const inc_admin_ctx_t *ac)
{
    inc_buf_printf(b, "<li id=\"update-%.0f\"><strong>%s</strong> &middot; ",
                   inc_rec_num(u, "id"),
                   inc_enum_label(inc_incident_statuses, INC_STATUS_COUNT,
                             inc_rec_str(u, "status")));
    inc_time(b, inc_rec_str(u, "createdAt"));
    inc_buf_str(b, "<div>");
    inc_buf_markdown(b, inc_rec_str(u, "message"));
    inc_buf_printf(b, "</div><a href=\"%sincidents/%.0f/updates/%.0f/edit\">"
                   "Edit</a> &middot; <a href=\"%sincidents/%.0f/updates/"
                   "%.0f/delete\">Delete</a></li>", ac->base_path,
                   inc_rec_num(inc, "id"), inc_rec_num(u, "id"), ac->base_path,
                   inc_rec_num(inc, "id"), inc_rec_num(u, "id"));
}


char *
inc_admin_incident(const cJSON *doc, const char *status,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len)
{
    int           n, i, resolved, prepare;
    char          duration[64], action[64], *resolution;
    inc_buf_t     b;
    const char   *message;
    const cJSON  *inc, *components, *updates, *checked;

    inc = cJSON_GetObjectItem(doc, "incident");
    components = cJSON_GetObjectItem(doc, "components");
    updates = cJSON_GetObjectItem(inc, "updates");

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_open(&b, inc_rec_str(inc, "title"), ac);
    inc_buf_printf(&b, "<article data-incident-id=\"%.0f\" data-status=\"",
                   inc_rec_num(inc, "id"));
    inc_buf_escape(&b, inc_rec_str(inc, "status"));
    inc_buf_str(&b, "\"><h1>");
    inc_buf_escape(&b, inc_rec_str(inc, "title"));
    inc_buf_printf(&b, "</h1><p><strong>%s</strong> &middot; %s impact",
                   inc_enum_label(inc_incident_statuses, INC_STATUS_COUNT,
                             inc_rec_str(inc, "status")),
                   inc_enum_label(inc_impacts, INC_IMPACT_COUNT,
                             inc_rec_str(inc, "impact")));

    if (cJSON_GetArraySize(cJSON_GetObjectItem(inc, "componentIds"))) {
        inc_buf_str(&b, " &middot; Affects ");
        {
            inc_buf_t  names;

            if (inc_buf_init(&names, 128) == 0) {
                inc_names(&names, inc, components);
                if (!names.failed) {
                    inc_buf_escape(&b, names.data);
                }
                inc_buf_free(&names);
            }
        }
    }

    inc_buf_str(&b, "</p><p class=\"mu\">Started ");
    inc_time(&b, inc_rec_str(inc, "startedAt"));

    if (cJSON_IsNumber(cJSON_GetObjectItem(inc, "durationSeconds"))) {
        inc_duration_text((long) inc_rec_num(inc, "durationSeconds"), duration,
                          sizeof(duration));
        inc_buf_str(&b, " &middot; Resolved ");
        inc_time(&b, inc_rec_str(inc, "resolvedAt"));
        inc_buf_printf(&b, " &middot; <strong>Duration: %s</strong>",
                       duration);
    }

    inc_buf_printf(&b, "</p><div class=\"actions\"><a class=\"btn sec\" "
                   "href=\"%sincidents/%.0f/edit\">Edit title, impact, "
                   "components</a><a class=\"btn sec del\" href=\"%sincidents/"
                   "%.0f/delete\">Delete incident</a><a href=\"",
                   ac->base_path, inc_rec_num(inc, "id"), ac->base_path,
                   inc_rec_num(inc, "id"));
    inc_buf_escape(&b, inc_rec_str(inc, "url"));
    inc_buf_str(&b, "\">Public page</a></div>");

    /* the update form first: it is what the on-call engineer is here for */
    inc_buf_str(&b, "<section class=\"card\" aria-labelledby=\"h-post\">"
                "<h2 id=\"h-post\">Post an update</h2>");
    inc_form_errors(&b, errors);

    snprintf(action, sizeof(action), "incidents/%.0f/updates",
             inc_rec_num(inc, "id"));
    inc_form_open(&b, ac, action);

    resolved = strcmp(inc_rec_str(inc, "status"), "resolved") == 0;

    /* "Prepare the resolution" asks for the text; resolved, nothing is */
    prepare = status != NULL && strcmp(status, "resolved") == 0 && !resolved
              && values == NULL;

    status = inc_val(values, NULL, "status");

    if (status[0] == '\0') {
        status = prepare ? "resolved" : inc_rec_str(inc, "status");
    }

    resolution = resolved ? NULL
                          : inc_admin_resolution_text(inc, components,
                                                      ac->now);

    message = inc_val(values, NULL, "message");
    if (message[0] == '\0' && prepare && resolution != NULL) {
        message = resolution;
    }

    inc_radios(&b, "status", "Status", inc_incident_statuses,
               INC_STATUS_COUNT, NULL, status, inc_err(errors, "status"));
    inc_textarea(&b, "message", "Message", message,
                 "What happened, what you are doing, when you expect the "
                 "next update. Markdown works.", inc_err(errors, "message"),
                 resolution);
    free(resolution);

    checked = cJSON_GetObjectItem(values, "componentIds");
    if (checked == NULL) {
        checked = cJSON_GetObjectItem(inc, "componentIds");
    }

    inc_component_boxes(&b, components, checked,
                        inc_err(errors, "componentIds"));
    inc_notify_box(&b, values);
    inc_buf_printf(&b, "<div class=\"actions\"><button type=\"submit\">Post "
                   "update</button><a href=\"%sincidents/%.0f?status="
                   "resolved#h-post\">Prepare the resolution</a></div></form>"
                   "</section>", ac->base_path, inc_rec_num(inc, "id"));

    inc_buf_str(&b, "<section aria-labelledby=\"h-tl\"><h2 id=\"h-tl\">"
                "Timeline</h2><ol class=\"tl\">");

    n = cJSON_GetArraySize(updates);

    for (i = n - 1; i >= 0; i--) {
        inc_update_item(&b, inc, cJSON_GetArrayItem(updates, i), ac);
    }

    inc_buf_str(&b, "</ol>");

    if (n == 0) {
        inc_buf_str(&b, "<p class=\"mu\">No updates yet.</p>");
    }

    inc_buf_str(&b, "</section></article>");

    return inc_close(&b, len);
}


char *
inc_admin_incident_edit(const cJSON *doc, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len)
{
    char          action[64];
    inc_buf_t     b;
    const cJSON  *inc, *checked;

    inc = cJSON_GetObjectItem(doc, "incident");

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Edit incident", ac);
    inc_buf_str(&b, "<h1>Edit incident</h1>");
    inc_form_errors(&b, errors);

    snprintf(action, sizeof(action), "incidents/%.0f", inc_rec_num(inc, "id"));
    inc_form_open(&b, ac, action);
    inc_text_field(&b, "title", "Title", inc_val(values, inc, "title"), NULL,
                   inc_err(errors, "title"), 1);
    inc_radios(&b, "impact", "Impact", inc_impacts, INC_IMPACT_COUNT,
               inc_impact_examples, inc_val(values, inc, "impact"),
               inc_err(errors, "impact"));

    checked = cJSON_GetObjectItem(values, "componentIds");
    if (checked == NULL) {
        checked = cJSON_GetObjectItem(inc, "componentIds");
    }

    inc_component_boxes(&b, cJSON_GetObjectItem(doc, "components"), checked,
                        inc_err(errors, "componentIds"));
    inc_buf_printf(&b, "<div class=\"actions\"><button type=\"submit\">Save"
                   "</button><a href=\"%sincidents/%.0f\">Cancel</a></div>"
                   "</form>", ac->base_path, inc_rec_num(inc, "id"));

    return inc_close(&b, len);
}


char *
inc_admin_update_edit(const cJSON *doc, double update_id,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len)
{
    char          action[96];
    inc_buf_t     b;
    const cJSON  *inc, *u, *update;

    inc = cJSON_GetObjectItem(doc, "incident");
    update = NULL;

    cJSON_ArrayForEach(u, cJSON_GetObjectItem(inc, "updates")) {
        if (inc_rec_num(u, "id") == update_id) {
            update = u;
        }
    }

    if (inc_buf_init(&b, 4096) != 0) {
        return NULL;
    }

    inc_open(&b, "Edit update", ac);
    inc_buf_str(&b, "<h1>Edit update</h1><p>Fix a typo: the status and time "
                "of an update stay as they are.</p>");
    inc_form_errors(&b, errors);

    snprintf(action, sizeof(action), "incidents/%.0f/updates/%.0f",
             inc_rec_num(inc, "id"), update_id);
    inc_form_open(&b, ac, action);
    inc_textarea(&b, "message", "Message", inc_val(values, update, "message"),
                 NULL, inc_err(errors, "message"), NULL);
    inc_buf_printf(&b, "<div class=\"actions\"><button type=\"submit\">Save"
                   "</button><a href=\"%sincidents/%.0f\">Cancel</a></div>"
                   "</form>", ac->base_path, inc_rec_num(inc, "id"));

    return inc_close(&b, len);
}


static void
inc_move_button(inc_buf_t *b, const inc_admin_ctx_t *ac, double id,
    const char *direction, const char *label, const char *name)
{
    char  action[64];

    snprintf(action, sizeof(action), "components/%.0f/move", id);

    inc_buf_str(b, "<form class=\"inline\" method=\"post\" action=\"");
    inc_buf_printf(b, "%s%s\"><input type=\"hidden\" name=\"csrf\" value=\"",
                   ac->base_path, action);
    inc_buf_escape(b, ac->csrf);
    inc_buf_printf(b, "\"><input type=\"hidden\" name=\"direction\" "
                   "value=\"%s\"><button class=\"sec\" type=\"submit\" "
                   "aria-label=\"Move ", direction);
    inc_buf_escape(b, name);
    inc_buf_printf(b, " %s\">%s</button></form> ", direction, label);
}


/* is "c" the first, the last of the components listed at its level? */
static void
inc_level_ends(const cJSON *all, const cJSON *c, int *first, int *last)
{
    double        level;
    const cJSON  *x, *head, *tail;

    level = inc_rec_num(c, "groupId");
    head = NULL;
    tail = NULL;

    cJSON_ArrayForEach(x, all) {
        if (inc_rec_num(x, "groupId") == level) {
            if (head == NULL) {
                head = x;
            }
            tail = x;
        }
    }

    *first = head == c;
    *last = tail == c;
}


/* ↑ and ↓ only where they move something */
static void
inc_component_row(inc_buf_t *b, const cJSON *all, const cJSON *c,
    int member, const inc_admin_ctx_t *ac)
{
    int  first, last;

    inc_level_ends(all, c, &first, &last);

    inc_buf_printf(b, "<tr data-component-id=\"%.0f\"><td>%s<a href=\""
                   "%scomponents/%.0f\">", inc_rec_num(c, "id"),
                   member ? "&nbsp;&nbsp;&rdsh; " : "", ac->base_path,
                   inc_rec_num(c, "id"));
    inc_buf_escape(b, inc_rec_str(c, "name"));
    inc_buf_printf(b, "</a>%s</td><td data-label=\"Base status\">%s</td>"
                   "<td data-label=\"Shown as\">%s</td>"
                   "<td data-label=\"Order\">",
                   cJSON_IsTrue(cJSON_GetObjectItem(c, "isGroup"))
                   ? " <span class=\"mu\">(group)</span>" : "",
                   inc_enum_label(inc_component_statuses, INC_COMP_COUNT,
                             inc_rec_str(c, "baseStatus")),
                   inc_enum_label(inc_component_statuses, INC_COMP_COUNT,
                             inc_rec_str(c, "status")));
    if (!first) {
        inc_move_button(b, ac, inc_rec_num(c, "id"), "up", "&uarr;",
                        inc_rec_str(c, "name"));
    }

    if (!last) {
        inc_move_button(b, ac, inc_rec_num(c, "id"), "down", "&darr;",
                        inc_rec_str(c, "name"));
    }

    inc_buf_printf(b, "<a href=\"%scomponents/%.0f/delete\">Delete</a>"
                   "</td></tr>", ac->base_path, inc_rec_num(c, "id"));
}


char *
inc_admin_components(const cJSON *components, const inc_admin_ctx_t *ac,
    size_t *len)
{
    inc_buf_t     b;
    const cJSON  *c, *m;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Components", ac);
    inc_buf_printf(&b, "<h1>Components</h1><div class=\"actions\">"
                   "<a class=\"btn\" href=\"%scomponents/new\">Add "
                   "component</a></div><div class=\"card\"><table><thead><tr>"
                   "<th scope=\"col\">Component</th><th scope=\"col\">Base "
                   "status</th><th scope=\"col\">Shown as</th>"
                   "<th scope=\"col\">Order</th></tr></thead><tbody>",
                   ac->base_path);

    cJSON_ArrayForEach(c, components) {
        if (!cJSON_IsNull(cJSON_GetObjectItem(c, "groupId"))) {
            continue;
        }

        inc_component_row(&b, components, c, 0, ac);

        cJSON_ArrayForEach(m, components) {
            if (inc_rec_num(m, "groupId") == inc_rec_num(c, "id")) {
                inc_component_row(&b, components, m, 1, ac);
            }
        }
    }

    inc_buf_str(&b, "</tbody></table>");

    if (cJSON_GetArraySize(components) == 0) {
        inc_buf_str(&b, "<p class=\"mu\">No components yet.</p>");
    }

    inc_buf_str(&b, "</div>");

    return inc_close(&b, len);
}


char *
inc_admin_component_form(const cJSON *components, const cJSON *component,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len)
{
    char          action[64];
    double        group, id;
    inc_buf_t     b;
    const char   *base;
    const cJSON  *c, *v;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    id = inc_rec_num(component, "id");

    inc_open(&b, component ? "Edit component" : "Add component", ac);
    inc_buf_printf(&b, "<h1>%s</h1>",
                   component ? "Edit component" : "Add component");
    inc_form_errors(&b, errors);

    if (component != NULL) {
        snprintf(action, sizeof(action), "components/%.0f", id);

    } else {
        snprintf(action, sizeof(action), "components");
    }

    inc_form_open(&b, ac, action);
    inc_text_field(&b, "name", "Name", inc_val(values, component, "name"),
                   NULL, inc_err(errors, "name"), 1);
    inc_text_field(&b, "description", "Description",
                   inc_val(values, component, "description"),
                   "Optional, shown under the name on the status page.",
                   inc_err(errors, "description"), 0);

    base = inc_val(values, component, "baseStatus");
    inc_radios(&b, "baseStatus", "Base status", inc_component_statuses,
               INC_COMP_COUNT, NULL, base[0] ? base : "operational",
               inc_err(errors, "baseStatus"));

    v = cJSON_GetObjectItem(values, "groupId");
    if (v == NULL) {
        v = cJSON_GetObjectItem(component, "groupId");
    }

    group = cJSON_IsNumber(v) ? v->valuedouble : 0;

    inc_buf_printf(&b, "<div class=\"field\"><label for=\"f-groupId\">Group"
                   "</label><select id=\"f-groupId\" name=\"groupId\"%s>"
                   "<option value=\"\">No group</option>",
                   inc_err(errors, "groupId")
                   ? " aria-invalid=\"true\" aria-describedby="
                     "\"f-groupId-err\"" : "");

    cJSON_ArrayForEach(c, components) {
        if (!cJSON_IsNull(cJSON_GetObjectItem(c, "groupId"))
            || inc_rec_num(c, "id") == id)
        {
            continue;
        }

        inc_buf_printf(&b, "<option value=\"%.0f\"%s>", inc_rec_num(c, "id"),
                       inc_rec_num(c, "id") == group ? " selected" : "");
        inc_buf_escape(&b, inc_rec_str(c, "name"));
        inc_buf_str(&b, "</option>");
    }

    inc_buf_str(&b, "</select>");
    inc_field_error(&b, "f-groupId", inc_err(errors, "groupId"));
    inc_buf_printf(&b, "<p class=\"hint\">A group shows the worst status of "
                   "its members; groups cannot be nested.</p></div>"
                   "<div class=\"actions\"><button type=\"submit\">%s"
                   "</button><a href=\"%scomponents\">Cancel</a></div>"
                   "</form>", component ? "Save" : "Add component",
                   ac->base_path);

    return inc_close(&b, len);
}


char *
inc_admin_settings(const cJSON *settings, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len)
{
    int           i;
    char          label[128];
    inc_buf_t     b, links;
    const cJSON  *link, *list;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Settings", ac);
    inc_buf_str(&b, "<h1>Settings</h1>");
    inc_form_errors(&b, errors);
    inc_form_open(&b, ac, "settings");
    inc_text_field(&b, "pageTitle", "Page title",
                   inc_val(values, settings, "pageTitle"), NULL,
                   inc_err(errors, "pageTitle"), 1);

    /* "Top (Default)" with the seed's "best for" */
    inc_buf_printf(&b, "<fieldset%s><legend>Where active incidents appear"
                   "</legend>", inc_err(errors, "incidentPosition")
                                ? " aria-invalid=\"true\" aria-describedby="
                                  "\"f-incidentPosition-err\"" : "");
    inc_field_error(&b, "f-incidentPosition",
                    inc_err(errors, "incidentPosition"));

    for (i = 0; i < INC_POSITION_COUNT; i++) {
        snprintf(label, sizeof(label), "%s%s", inc_positions[i].label,
                 i == INC_POSITION_TOP ? " (Default)" : "");
        inc_buf_printf(&b, "<label class=\"opt\"><input type=\"radio\" "
                       "name=\"incidentPosition\" value=\"%s\"%s> %s "
                       "<small>&mdash; %s; best for %c%s</small></label>",
                       inc_positions[i].value,
                       strcmp(inc_val(values, settings, "incidentPosition"),
                              inc_positions[i].value) == 0 ? " checked" : "",
                       label,
                       i == 0 ? "above overall status"
                       : i == 1 ? "after overall status"
                                : "after component list",
                       tolower((unsigned char) inc_positions[i].meaning[0]),
                       inc_positions[i].meaning + 1);
    }

    inc_buf_str(&b, "</fieldset>");

    inc_text_field(&b, "timezone", "Time zone",
                   inc_val(values, settings, "timezone"),
                   "An IANA name such as Europe/Paris; empty: each visitor's "
                   "own.", inc_err(errors, "timezone"), 0);
    inc_text_field(&b, "logoUrl", "Logo URL",
                   inc_val(values, settings, "logoUrl"),
                   "An https:// URL or a /path; empty for none.",
                   inc_err(errors, "logoUrl"), 0);
    inc_text_field(&b, "accentColor", "Accent colour",
                   inc_val(values, settings, "accentColor"),
                   "Like #0969da; empty for the default.",
                   inc_err(errors, "accentColor"), 0);

    /* "Label | URL" a line */
    if (inc_buf_init(&links, 256) != 0) {
        b.failed = 1;

    } else {
        list = cJSON_GetObjectItem(values, "footerLinks");
        if (list == NULL) {
            list = cJSON_GetObjectItem(settings, "footerLinks");
        }

        cJSON_ArrayForEach(link, list) {
            inc_buf_printf(&links, "%s | %s\n", inc_rec_str(link, "label"),
                           inc_rec_str(link, "url"));
        }

        inc_textarea(&b, "footerLinks", "Footer links",
                     links.failed ? "" : links.data,
                     "One link a line: Label | https://example.com/",
                     inc_err(errors, "footerLinks"), NULL);
        inc_buf_free(&links);
    }

    inc_buf_str(&b, "<div class=\"actions\"><button type=\"submit\">Save "
                "settings</button></div></form>");

    return inc_close(&b, len);
}


static char *
inc_confirm(const char *title, const char *question, const char *subject,
    const char *action, const char *button, const char *back,
    const char *back_text, const inc_admin_ctx_t *ac, size_t *len)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 4096) != 0) {
        return NULL;
    }

    inc_open(&b, title, ac);
    inc_buf_str(&b, "<h1>");
    inc_buf_escape(&b, title);
    inc_buf_str(&b, "</h1><p>");
    inc_buf_escape(&b, question);
    inc_buf_str(&b, "</p>");

    /* what goes, named: the wrong one is easy to pick at 3 a.m. */
    if (subject != NULL && subject[0] != '\0') {
        inc_buf_str(&b, "<blockquote class=\"card\">");
        inc_buf_escape(&b, subject);
        inc_buf_str(&b, "</blockquote>");
    }

    inc_form_open(&b, ac, action);
    inc_buf_printf(&b, "<div class=\"actions\"><button class=\"danger\" "
                   "type=\"submit\">%s</button><a href=\"%s%s\">%s</a>"
                   "</div></form>", button, ac->base_path, back, back_text);

    return inc_close(&b, len);
}


char *
inc_admin_confirm(const char *title, const char *question,
    const char *subject, const char *action, const char *button,
    const char *back, const inc_admin_ctx_t *ac, size_t *len)
{
    return inc_confirm(title, question, subject, action, button, back,
                       "Cancel", ac, len);
}


char *
inc_admin_message(const char *title, const char *message,
    const inc_admin_ctx_t *ac, size_t *len)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 2048) != 0) {
        return NULL;
    }

    inc_open(&b, title, ac);
    inc_buf_str(&b, "<h1>");
    inc_buf_escape(&b, title);
    inc_buf_str(&b, "</h1><p class=\"flash problem\" role=\"alert\">");
    inc_buf_escape(&b, message);
    inc_buf_printf(&b, "</p><p><a href=\"%s\">Back to the dashboard</a></p>",
                   ac->base_path);

    return inc_close(&b, len);
}


/* subscribers */

static const inc_enum_t  inc_admin_sub_types[INC_SUBSCRIBER_COUNT] = {
    { "email", "Email", "mail to an address; added here, it is confirmed at "
      "once (no confirmation mail)" },
    { "webhook", "Webhook", "signed JSON POSTs (Standard Webhooks); its "
      "signing secret is shown once, after adding" },
    { "slack", "Slack", "a Slack incoming webhook URL" },
    { "discord", "Discord", "a Discord webhook URL" },
};


static const char *
inc_sub_type_label(const cJSON *sub)
{
    return inc_enum_label(inc_subscriber_types, INC_SUBSCRIBER_COUNT,
                          inc_rec_str(sub, "type"));
}


/*
 * The address as the admin shows it, as plain text: an email whole, a URL
 * only as "scheme://host/…", since the path of a webhook (Slack's,
 * Discord's, most others') is the credential that lets anyone post to it.
 */
static void
inc_sub_address_text(inc_buf_t *t, const cJSON *sub)
{
    size_t       n;
    const char  *url, *host;

    if (strcmp(inc_rec_str(sub, "type"), "email") == 0) {
        inc_buf_str(t, inc_rec_str(sub, "email"));
        return;
    }

    url = inc_rec_str(sub, "url");
    host = strstr(url, "://");

    if (host == NULL) {
        inc_buf_str(t, "(a URL)");
        return;
    }

    host += 3;
    n = strcspn(host, "/?#");

    inc_buf_add(t, url, (size_t) (host - url) + n);

    if (host[n] != '\0') {
        inc_buf_str(t, "/\xe2\x80\xa6");
    }
}


/* "All components", or the names of those it follows, as plain text */
static void
inc_sub_components_text(inc_buf_t *t, const cJSON *sub,
    const cJSON *components)
{
    int           n;
    const char   *name;
    const cJSON  *id;

    if (cJSON_GetArraySize(cJSON_GetObjectItem(sub, "componentIds")) == 0) {
        inc_buf_str(t, "All components");
        return;
    }

    n = 0;

    cJSON_ArrayForEach(id, cJSON_GetObjectItem(sub, "componentIds")) {
        inc_buf_str(t, n++ ? ", " : "");
        name = inc_rec_name(components, id->valuedouble);

        if (name != NULL) {
            inc_buf_str(t, name);

        } else {
            inc_buf_printf(t, "deleted component %.0f", id->valuedouble);
        }
    }
}


/* the text one of those makes, escaped into "b" */
static void
inc_escape_text(inc_buf_t *b, const cJSON *sub, const cJSON *components,
    void (*text)(inc_buf_t *t, const cJSON *sub, const cJSON *components))
{
    inc_buf_t  t;

    if (inc_buf_init(&t, 256) != 0) {
        b->failed = 1;
        return;
    }

    text(&t, sub, components);

    if (t.failed) {
        b->failed = 1;

    } else {
        inc_buf_escape(b, t.data);
    }

    inc_buf_free(&t);
}


static void
inc_sub_address_of(inc_buf_t *t, const cJSON *sub, const cJSON *components)
{
    (void) components;

    inc_sub_address_text(t, sub);
}


static void
inc_sub_address(inc_buf_t *b, const cJSON *sub)
{
    inc_escape_text(b, sub, NULL, inc_sub_address_of);
}


static void
inc_sub_components(inc_buf_t *b, const cJSON *sub, const cJSON *components)
{
    inc_escape_text(b, sub, components, inc_sub_components_text);
}


static const char *
inc_sub_state(const cJSON *sub)
{
    if (cJSON_IsTrue(cJSON_GetObjectItem(sub, "disabled"))) {
        return "disabled";
    }

    return cJSON_IsTrue(cJSON_GetObjectItem(sub, "confirmed"))
           ? "confirmed" : "pending";
}


static void
inc_sub_state_text(inc_buf_t *b, const cJSON *sub)
{
    const char  *state, *reason;

    state = inc_sub_state(sub);

    if (strcmp(state, "disabled") == 0) {
        reason = inc_rec_str(sub, "disabledReason");
        inc_buf_str(b, "<strong>Disabled</strong>");

        if (reason[0] != '\0') {
            inc_buf_str(b, ": ");
            inc_buf_escape(b, reason);
        }

        return;
    }

    inc_buf_str(b, strcmp(state, "confirmed") == 0
                   ? "Confirmed" : "Pending confirmation");
}


/* the details of a subscriber, as a description list */
static void
inc_sub_facts(inc_buf_t *b, const cJSON *sub, const cJSON *components)
{
    int  email;

    email = strcmp(inc_rec_str(sub, "type"), "email") == 0;

    inc_buf_printf(b, "<dl class=\"facts\"><dt>Type</dt><dd>%s</dd>"
                   "<dt>%s</dt><dd class=\"addr\">",
                   inc_sub_type_label(sub), email ? "Email" : "URL");
    inc_sub_address(b, sub);

    if (!email) {
        inc_buf_str(b, " <span class=\"mu\">(the rest is not shown: the "
                    "URL is a credential)</span>");
    }

    inc_buf_str(b, "</dd><dt>Components</dt><dd>");
    inc_sub_components(b, sub, components);
    inc_buf_str(b, "</dd><dt>State</dt><dd>");
    inc_sub_state_text(b, sub);
    inc_buf_printf(b, "</dd><dt>Added</dt><dd>%s ",
                   strcmp(inc_rec_str(sub, "source"), "public") == 0
                   ? "On the status page," : "By an admin,");
    inc_time(b, inc_rec_str(sub, "createdAt"));
    inc_buf_str(b, "</dd></dl>");
}


/* a "next page" link, when the list has more */
static void
inc_next_link(inc_buf_t *b, const cJSON *list, const char *path,
    const char *text, const inc_admin_ctx_t *ac)
{
    const cJSON  *next;

    next = cJSON_GetObjectItem(list, "nextCursor");

    if (!cJSON_IsString(next)) {
        return;
    }

    inc_buf_printf(b, "<p><a rel=\"next\" href=\"%s%s?cursor=",
                   ac->base_path, path);
    inc_buf_escape(b, next->valuestring);
    inc_buf_printf(b, "\">%s &rarr;</a></p>", text);
}


char *
inc_admin_subscribers(const cJSON *doc, const inc_admin_ctx_t *ac,
    size_t *len)
{
    inc_buf_t     b;
    const cJSON  *list, *sub, *queue, *components;

    list = cJSON_GetObjectItem(doc, "subscribers");
    queue = cJSON_GetObjectItem(doc, "queue");
    components = cJSON_GetObjectItem(doc, "components");

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Subscribers", ac);
    inc_buf_printf(&b, "<h1>Subscribers</h1><div class=\"actions\">"
                   "<a class=\"btn\" href=\"%ssubscribers/new\">Add "
                   "subscriber</a><a class=\"btn sec\" href=\"%s"
                   "dead-letters\">Failed deliveries</a></div>",
                   ac->base_path, ac->base_path);

    inc_buf_printf(&b, "<section class=\"card\" aria-labelledby=\"h-q\">"
                   "<h2 id=\"h-q\">Notification queue</h2>"
                   "<ul class=\"figures\">"
                   "<li data-figure=\"queued\"><strong>%.0f</strong> "
                   "queued</li>"
                   "<li data-figure=\"dead\"><strong>%.0f</strong> "
                   "<a href=\"%sdead-letters\">failed for good</a></li>"
                   "<li data-figure=\"confirmed\"><strong>%.0f</strong> "
                   "confirmed subscribers</li>"
                   "<li data-figure=\"unconfirmed\"><strong>%.0f</strong> "
                   "awaiting confirmation</li></ul>"
                   "<p class=\"hint\">Queued: notifications and "
                   "confirmation mails not yet delivered, including those "
                   "waiting for a retry.</p></section>",
                   inc_rec_num(queue, "queued"), inc_rec_num(queue, "dead"),
                   ac->base_path, inc_rec_num(queue, "subscribers"),
                   inc_rec_num(queue, "unconfirmed"));

    inc_buf_str(&b, "<section class=\"card\" aria-labelledby=\"h-s\">"
                "<h2 id=\"h-s\">All subscribers</h2><table><thead><tr>"
                "<th scope=\"col\">Subscriber</th><th scope=\"col\">Type</th>"
                "<th scope=\"col\">Components</th>"
                "<th scope=\"col\">State</th></tr></thead><tbody>");

    cJSON_ArrayForEach(sub, cJSON_GetObjectItem(list, "data")) {
        inc_buf_printf(&b, "<tr data-subscriber-id=\"%.0f\" data-state=\"%s\">"
                       "<td class=\"addr\"><a href=\"%ssubscribers/%.0f\">",
                       inc_rec_num(sub, "id"), inc_sub_state(sub),
                       ac->base_path, inc_rec_num(sub, "id"));
        inc_sub_address(&b, sub);
        inc_buf_printf(&b, "</a></td><td data-label=\"Type\">%s</td>"
                       "<td data-label=\"Components\">",
                       inc_sub_type_label(sub));
        inc_sub_components(&b, sub, components);
        inc_buf_str(&b, "</td><td data-label=\"State\">");
        inc_sub_state_text(&b, sub);
        inc_buf_str(&b, "</td></tr>");
    }

    inc_buf_str(&b, "</tbody></table>");

    if (cJSON_GetArraySize(cJSON_GetObjectItem(list, "data")) == 0) {
        inc_buf_str(&b, "<p class=\"mu\">No subscribers yet.</p>");
    }

    inc_buf_str(&b, "</section>");
    inc_next_link(&b, list, "subscribers", "More subscribers", ac);

    return inc_close(&b, len);
}


char *
inc_admin_subscriber_new(const cJSON *components, const cJSON *values,
    const cJSON *errors, const inc_admin_ctx_t *ac, size_t *len)
{
    const char  *type;
    inc_buf_t    b;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    type = inc_val(values, NULL, "type");

    inc_open(&b, "Add subscriber", ac);
    inc_buf_str(&b, "<h1>Add subscriber</h1><p class=\"mu\">Subscribers "
                "get a message when an incident is created and on each "
                "update that notifies.</p>");
    inc_form_errors(&b, errors);
    inc_form_open(&b, ac, "subscribers");
    inc_radios(&b, "type", "Type", inc_admin_sub_types, INC_SUBSCRIBER_COUNT,
               NULL, type[0] ? type : "email", inc_err(errors, "type"));
    inc_input_field(&b, "email", "Email address",
                    inc_val(values, NULL, "email"),
                    "For Email: the address to notify.",
                    inc_err(errors, "email"),
                    " inputmode=\"email\" autocomplete=\"off\" "
                    "spellcheck=\"false\"");
    inc_input_field(&b, "url", "URL", inc_val(values, NULL, "url"),
                    "For Webhook, Slack and Discord: the URL to post to. "
                    "It is a credential: once added, only its host is "
                    "shown.", inc_err(errors, "url"),
                    " inputmode=\"url\" autocomplete=\"off\" "
                    "spellcheck=\"false\"");
    inc_component_boxes_as(&b, "Components",
                           "None ticked: all components, including those "
                           "added later.", components,
                           cJSON_GetObjectItem(values, "componentIds"),
                           inc_err(errors, "componentIds"));
    inc_buf_printf(&b, "<div class=\"actions\"><button type=\"submit\">Add "
                   "subscriber</button><a href=\"%ssubscribers\">Cancel</a>"
                   "</div></form>", ac->base_path);

    return inc_close(&b, len);
}


/* the page a new webhook lands on, the only one with its secret */
char *
inc_admin_subscriber_added(const cJSON *sub, const cJSON *components,
    const char *secret, const inc_admin_ctx_t *ac, size_t *len)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Webhook added", ac);
    inc_buf_str(&b, "<h1>Webhook added</h1>"
                "<section class=\"card\" aria-labelledby=\"h-secret\">"
                "<h2 id=\"h-secret\">Its signing secret</h2><p>Each "
                "delivery carries a <code>webhook-signature</code> made "
                "with this secret (Standard Webhooks): give it to the "
                "receiving service so that it can tell our messages from "
                "forgeries.</p><div class=\"field\"><label for=\"f-secret\">"
                "Signing secret</label><input type=\"text\" id=\"f-secret\" "
                "readonly autocomplete=\"off\" spellcheck=\"false\" "
                "aria-describedby=\"f-secret-hint\" value=\"");
    inc_buf_escape(&b, secret);
    inc_buf_str(&b, "\"><p class=\"hint\" id=\"f-secret-hint\"><strong>Copy "
                "it now: it will not be shown again.</strong> If it is "
                "lost, remove this subscriber and add it again for a new "
                "one.</p></div></section><section class=\"card\" "
                "aria-labelledby=\"h-d\"><h2 id=\"h-d\">The subscriber</h2>");
    inc_sub_facts(&b, sub, components);
    inc_buf_printf(&b, "</section><div class=\"actions\"><a class=\"btn\" "
                   "href=\"%ssubscribers/%.0f\">Done</a><a href=\"%s"
                   "subscribers\">Back to subscribers</a></div>",
                   ac->base_path, inc_rec_num(sub, "id"), ac->base_path);

    return inc_close(&b, len);
}


static const char *
inc_delivery_kind(const cJSON *d)
{
    size_t       i;
    const char  *type;

    static const char  *kinds[][2] = {
        { "incident.created", "Incident created" },
        { "incident.updated", "Incident updated" },
        { "incident.resolved", "Incident resolved" },
        { "maintenance.scheduled", "Maintenance scheduled" },
        { "maintenance.reminder", "Maintenance reminder" },
        { "maintenance.started", "Maintenance started" },
        { "maintenance.updated", "Maintenance updated" },
        { "maintenance.completed", "Maintenance completed" },
        { "subscription.confirm", "Confirmation mail" },
    };

    type = inc_rec_str(d, "type");

    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(type, kinds[i][0]) == 0) {
            return kinds[i][1];
        }
    }

    return strcmp(inc_rec_str(d, "kind"), "confirm") == 0
           ? "Confirmation mail" : "Notification";
}


static const char *
inc_delivery_outcome(const char *outcome)
{
    if (strcmp(outcome, "delivered") == 0) {
        return "Delivered";
    }

    if (strcmp(outcome, "retrying") == 0) {
        return "Failed, will retry";
    }

    if (strcmp(outcome, "dead") == 0) {
        return "Failed for good";
    }

    if (strcmp(outcome, "disabled") == 0) {
        return "Gone: subscriber disabled";
    }

    return "Unknown";
}


/*
 * What a delivery was about, an incident or a maintenance: its id (0:
 * neither), and its title from the doc's "incidents" or "maintenances",
 * which map ids to titles (null: deleted since).
 */
static const cJSON *
inc_delivery_about(const cJSON *d, const cJSON *doc, double *id, int *maint)
{
    char  key[32];

    *maint = 0;
    *id = inc_rec_num(d, "incidentId");

    if (*id <= 0) {
        *maint = 1;
        *id = inc_rec_num(d, "maintenanceId");
    }

    if (*id <= 0) {
        *id = 0;
        return NULL;
    }

    snprintf(key, sizeof(key), "%.0f", *id);

    return cJSON_GetObjectItem(cJSON_GetObjectItem(doc, *maint
                                                        ? "maintenances"
                                                        : "incidents"),
                               key);
}


/* a link to it with its title */
static void
inc_delivery_incident(inc_buf_t *b, const cJSON *d, const cJSON *doc,
    const inc_admin_ctx_t *ac)
{
    int           maint;
    double        id;
    const cJSON  *title;

    title = inc_delivery_about(d, doc, &id, &maint);

    if (id == 0) {
        inc_buf_str(b, "<span class=\"mu\">&mdash;</span>");
        return;
    }

    if (cJSON_IsNull(title)) {
        inc_buf_printf(b, "<span class=\"mu\">%s %.0f (%s)</span>",
                       maint ? "Maintenance" : "Incident", id,
                       maint ? "cancelled" : "deleted");
        return;
    }

    inc_buf_printf(b, "<a href=\"%s%s/%.0f\">", ac->base_path,
                   maint ? "maintenance" : "incidents", id);

    if (cJSON_IsString(title)) {
        inc_buf_escape(b, title->valuestring);

    } else {
        inc_buf_printf(b, "%s %.0f", maint ? "Maintenance" : "Incident", id);
    }

    inc_buf_str(b, "</a>");
}


char *
inc_admin_subscriber(const cJSON *doc, const inc_admin_ctx_t *ac,
    size_t *len)
{
    char          path[64];
    inc_buf_t     b, title;
    const cJSON  *sub, *list, *d, *components;

    sub = cJSON_GetObjectItem(doc, "subscriber");
    list = cJSON_GetObjectItem(doc, "deliveries");
    components = cJSON_GetObjectItem(doc, "components");

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    /* the <title> is text: inc_open escapes it */
    if (inc_buf_init(&title, 256) != 0) {
        inc_buf_free(&b);
        return NULL;
    }

    inc_sub_address_text(&title, sub);
    inc_open(&b, title.failed ? "Subscriber" : title.data, ac);
    inc_buf_free(&title);

    inc_buf_printf(&b, "<article data-subscriber-id=\"%.0f\" "
                   "data-state=\"%s\"><h1 class=\"addr\">",
                   inc_rec_num(sub, "id"), inc_sub_state(sub));
    inc_sub_address(&b, sub);
    inc_buf_str(&b, "</h1><section class=\"card\" aria-labelledby=\"h-d\">"
                "<h2 id=\"h-d\">Details</h2>");
    inc_sub_facts(&b, sub, components);
    inc_buf_printf(&b, "</section><div class=\"actions\"><a class=\"btn sec "
                   "del\" href=\"%ssubscribers/%.0f/delete\">Remove "
                   "subscriber</a><a href=\"%ssubscribers\">Back to "
                   "subscribers</a></div>", ac->base_path,
                   inc_rec_num(sub, "id"), ac->base_path);

    inc_buf_str(&b, "<section class=\"card\" aria-labelledby=\"h-h\">"
                "<h2 id=\"h-h\">Delivery history</h2><table><thead><tr>"
                "<th scope=\"col\">Time</th><th scope=\"col\">Incident</th>"
                "<th scope=\"col\">Kind</th><th scope=\"col\">Attempt</th>"
                "<th scope=\"col\">Outcome</th><th scope=\"col\">Detail</th>"
                "</tr></thead><tbody>");

    cJSON_ArrayForEach(d, cJSON_GetObjectItem(list, "data")) {
        inc_buf_printf(&b, "<tr data-delivery-id=\"%.0f\" "
                       "data-outcome=\"", inc_rec_num(d, "id"));
        inc_buf_escape(&b, inc_rec_str(d, "outcome"));
        inc_buf_str(&b, "\"><td>");
        inc_time(&b, inc_rec_str(d, "at"));
        inc_buf_str(&b, "</td><td data-label=\"Incident\">");
        inc_delivery_incident(&b, d, doc, ac);
        inc_buf_printf(&b, "</td><td data-label=\"Kind\">%s</td>"
                       "<td data-label=\"Attempt\">%.0f</td>"
                       "<td data-label=\"Outcome\">%s</td>"
                       "<td data-label=\"Detail\" class=\"addr\">",
                       inc_delivery_kind(d), inc_rec_num(d, "attempt"),
                       inc_delivery_outcome(inc_rec_str(d, "outcome")));
        inc_buf_escape(&b, inc_rec_str(d, "detail"));
        inc_buf_str(&b, "</td></tr>");
    }

    inc_buf_str(&b, "</tbody></table>");

    if (cJSON_GetArraySize(cJSON_GetObjectItem(list, "data")) == 0) {
        inc_buf_str(&b, "<p class=\"mu\">Nothing sent yet.</p>");
    }

    inc_buf_str(&b, "</section></article>");

    snprintf(path, sizeof(path), "subscribers/%.0f", inc_rec_num(sub, "id"));
    inc_next_link(&b, list, path, "Older deliveries", ac);

    return inc_close(&b, len);
}


char *
inc_admin_subscriber_delete(const cJSON *sub, const cJSON *components,
    const inc_admin_ctx_t *ac, size_t *len)
{
    char       *text, action[64], back[64];
    inc_buf_t   what;

    snprintf(action, sizeof(action), "subscribers/%.0f/delete",
             inc_rec_num(sub, "id"));
    snprintf(back, sizeof(back), "subscribers/%.0f", inc_rec_num(sub, "id"));

    if (inc_buf_init(&what, 512) != 0) {
        return NULL;
    }

    /* "Webhook https://example.com/… (All components)": what goes */
    inc_buf_printf(&what, "%s ", inc_sub_type_label(sub));
    inc_sub_address_text(&what, sub);
    inc_buf_str(&what, " (");
    inc_sub_components_text(&what, sub, components);
    inc_buf_str(&what, ")");

    text = what.failed ? NULL
                       : inc_admin_confirm("Remove subscriber",
                                  "Remove this subscriber? It gets no more "
                                  "notifications, and its delivery history "
                                  "goes with it. This cannot be undone.",
                                  what.data, action, "Remove subscriber",
                                  back, ac, len);
    inc_buf_free(&what);

    return text;
}


/* "Retry the delivery to https://example.com/… about Checkout errors" */
static void
inc_retry_label(inc_buf_t *b, const cJSON *d, const cJSON *sub,
    const cJSON *doc)
{
    int           maint;
    double        id;
    inc_buf_t     t;
    const cJSON  *title;

    if (inc_buf_init(&t, 256) != 0) {
        b->failed = 1;
        return;
    }

    inc_buf_str(&t, "Retry the ");

    if (strcmp(inc_rec_str(d, "kind"), "confirm") == 0) {
        inc_buf_str(&t, "confirmation mail");

    } else {
        inc_buf_str(&t, "delivery");
    }

    if (cJSON_IsObject(sub)) {
        inc_buf_str(&t, " to ");
        inc_sub_address_text(&t, sub);
    }

    title = inc_delivery_about(d, doc, &id, &maint);

    if (cJSON_IsString(title)) {
        inc_buf_str(&t, " about ");
        inc_buf_str(&t, title->valuestring);
    }

    if (t.failed) {
        b->failed = 1;

    } else {
        inc_buf_escape(b, t.data);
    }

    inc_buf_free(&t);
}


char *
inc_admin_dead_letters(const cJSON *doc, const inc_admin_ctx_t *ac,
    size_t *len)
{
    char          key[32], action[64];
    inc_buf_t     b;
    const cJSON  *list, *d, *subs, *sub;

    list = cJSON_GetObjectItem(doc, "dead");
    subs = cJSON_GetObjectItem(doc, "subscribers");

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_open(&b, "Failed deliveries", ac);
    inc_buf_printf(&b, "<h1>Failed deliveries</h1><p>Notifications that "
                   "failed on every attempt (dead letters). Retry queues "
                   "one again, its attempts counted from zero.</p>"
                   "<p><a href=\"%ssubscribers\">Back to subscribers</a></p>"
                   "<div class=\"card\"><table><thead><tr>"
                   "<th scope=\"col\">Subscriber</th>"
                   "<th scope=\"col\">Incident</th>"
                   "<th scope=\"col\">Attempts</th>"
                   "<th scope=\"col\">Last error</th>"
                   "<th scope=\"col\">Failed</th>"
                   "<th scope=\"col\"><span class=\"mu\">Action</span></th>"
                   "</tr></thead><tbody>", ac->base_path);

    cJSON_ArrayForEach(d, cJSON_GetObjectItem(list, "data")) {
        snprintf(key, sizeof(key), "%.0f", inc_rec_num(d, "subscriberId"));
        sub = cJSON_GetObjectItem(subs, key);

        inc_buf_printf(&b, "<tr data-dead-letter-id=\"%.0f\"><td "
                       "class=\"addr\">", inc_rec_num(d, "id"));

        if (cJSON_IsObject(sub)) {
            inc_buf_printf(&b, "<a href=\"%ssubscribers/%s\">",
                           ac->base_path, key);
            inc_sub_address(&b, sub);
            inc_buf_printf(&b, "</a> <span class=\"mu\">(%s)</span>",
                           inc_sub_type_label(sub));

        } else {
            inc_buf_printf(&b, "<span class=\"mu\">Subscriber %s (removed)"
                           "</span>", key);
        }

        inc_buf_str(&b, "</td><td data-label=\"Incident\">");

        if (strcmp(inc_rec_str(d, "kind"), "confirm") == 0) {
            inc_buf_str(&b, "Confirmation mail");

        } else {
            inc_delivery_incident(&b, d, doc, ac);
        }

        inc_buf_printf(&b, "</td><td data-label=\"Attempts\">%.0f</td>"
                       "<td data-label=\"Last error\" class=\"addr\">",
                       inc_rec_num(d, "attempt"));
        inc_buf_escape(&b, inc_rec_str(d, "lastError"));
        inc_buf_str(&b, "</td><td data-label=\"Failed\">");
        inc_time(&b, inc_rec_str(d, "deadAt"));
        inc_buf_str(&b, "</td><td>");

        snprintf(action, sizeof(action), "dead-letters/%.0f/retry",
                 inc_rec_num(d, "id"));
        inc_buf_str(&b, "<form class=\"inline\" method=\"post\" action=\"");
        inc_buf_printf(&b, "%s%s\"><input type=\"hidden\" name=\"csrf\" "
                       "value=\"", ac->base_path, action);
        inc_buf_escape(&b, ac->csrf);
        inc_buf_str(&b, "\"><button class=\"sec\" type=\"submit\" "
                    "aria-label=\"");
        inc_retry_label(&b, d, sub, doc);
        inc_buf_str(&b, "\">Retry</button></form></td></tr>");
    }

    inc_buf_str(&b, "</tbody></table>");

    if (cJSON_GetArraySize(cJSON_GetObjectItem(list, "data")) == 0) {
        inc_buf_str(&b, "<p class=\"mu\">No failed deliveries.</p>");
    }

    inc_buf_str(&b, "</div>");
    inc_next_link(&b, list, "dead-letters", "Older failed deliveries", ac);

    return inc_close(&b, len);
}


/*
 * Scheduled maintenance.  Times are shown, and typed, in "zone" (the
 * caller set TZ to it) or in UTC when it is NULL.
 */

/* "2026-11-27 23:00" and the zone's abbreviation ("CET", "UTC") */
static void
inc_maint_clock(time_t t, const char *zone, char *text, size_t size,
    char *abbr, size_t abbr_size, char *date, size_t date_size)
{
    struct tm  tm;

    if (zone == NULL || localtime_r(&t, &tm) == NULL) {
        gmtime_r(&t, &tm);
        tm.tm_zone = "UTC";
    }

    strftime(text, size, "%Y-%m-%d %H:%M", &tm);
    strftime(date, date_size, "%Y-%m-%d", &tm);
    snprintf(abbr, abbr_size, "%s", tm.tm_zone ? tm.tm_zone : "");
}


static time_t
inc_maint_time(const cJSON *m, const char *name)
{
    time_t  t;

    if (inc_time_parse(inc_rec_str(m, name), &t) != 0) {
        return 0;
    }

    return t;
}


/*
 * "2026-11-27 22:00 – 23:00 UTC", "2026-10-24 23:00 CEST – 2026-10-25
 * 04:00 CET": as HTML with <time> elements, or as plain text
 */
static void
inc_maint_window(inc_buf_t *b, const cJSON *m, const char *zone, int html)
{
    int          i, same_zone, same_day;
    char         text[2][32], abbr[2][64], date[2][16];
    time_t       t[2];
    const char  *names[2] = { "scheduledFor", "scheduledUntil" };

    for (i = 0; i < 2; i++) {
        t[i] = inc_maint_time(m, names[i]);
        inc_maint_clock(t[i], zone, text[i], sizeof(text[i]), abbr[i],
                        sizeof(abbr[i]), date[i], sizeof(date[i]));
    }

    same_zone = strcmp(abbr[0], abbr[1]) == 0;
    same_day = strcmp(date[0], date[1]) == 0;

    for (i = 0; i < 2; i++) {
        if (i == 1) {
            inc_buf_str(b, " \xe2\x80\x93 ");
        }

        if (html) {
            inc_buf_str(b, "<time datetime=\"");
            inc_buf_escape(b, inc_rec_str(m, names[i]));
            inc_buf_str(b, "\">");
        }

        /* the end's date only when it is another day */
        inc_buf_str(b, i == 1 && same_day && same_zone ? text[i] + 11
                                                       : text[i]);

        if (!same_zone || i == 1) {
            inc_buf_str(b, " ");

            if (html) {
                inc_buf_escape(b, abbr[i]);

            } else {
                inc_buf_str(b, abbr[i]);
            }
        }

        if (html) {
            inc_buf_str(b, "</time>");
        }
    }
}


/* one moment: "2026-11-27 23:00 CET" */
static void
inc_maint_moment(inc_buf_t *b, const cJSON *m, const char *name,
    const char *zone)
{
    char    text[32], abbr[64], date[16];
    time_t  t;

    t = inc_maint_time(m, name);

    inc_maint_clock(t, zone, text, sizeof(text), abbr, sizeof(abbr), date,
                    sizeof(date));
    inc_buf_str(b, "<time datetime=\"");
    inc_buf_escape(b, inc_rec_str(m, name));
    inc_buf_printf(b, "\">%s ", text);
    inc_buf_escape(b, abbr);
    inc_buf_str(b, "</time>");
}


static const char *
inc_maint_status_label(const char *status)
{
    return inc_enum_label(inc_maintenance_statuses, INC_MAINT_COUNT, status);
}


/* "API, Web", or what naming none means, as plain text */
static void
inc_maint_components_text(inc_buf_t *t, const cJSON *m,
    const cJSON *components)
{
    int           n;
    const char   *name;
    const cJSON  *id;

    n = 0;

    cJSON_ArrayForEach(id, cJSON_GetObjectItem(m, "componentIds")) {
        name = inc_rec_name(components, id->valuedouble);
        inc_buf_str(t, n++ ? ", " : "");

        if (name != NULL) {
            inc_buf_str(t, name);

        } else {
            inc_buf_printf(t, "deleted component %.0f", id->valuedouble);
        }
    }

    if (n == 0) {
        inc_buf_str(t, "None named: the whole page");
    }
}


static void
inc_maint_components(inc_buf_t *b, const cJSON *m, const cJSON *components)
{
    inc_escape_text(b, m, components, inc_maint_components_text);
}


/* what the window's times are typed and shown in, said next to them */
static void
inc_maint_zone_note(inc_buf_t *b, const char *zone, const char *id,
    const inc_admin_ctx_t *ac)
{
    /* a hint tied to the controls, or a line of the list page */
    if (id != NULL) {
        inc_buf_printf(b, "<p class=\"hint\" id=\"%s\"", id);

    } else {
        inc_buf_str(b, "<p class=\"mu\"");
    }

    if (zone == NULL) {
        inc_buf_printf(b, ">Times are in <strong>UTC</strong>. To type and "
                       "see them in your own time zone, set the status "
                       "page's time zone in <a href=\"%ssettings\">Settings"
                       "</a>.</p>", ac->base_path);
        return;
    }

    inc_buf_str(b, ">Times are in <strong>");
    inc_buf_escape(b, zone);
    inc_buf_printf(b, "</strong>, the status page's time zone (set in "
                   "<a href=\"%ssettings\">Settings</a>).</p>",
                   ac->base_path);
}


static void
inc_maint_rows(inc_buf_t *b, const cJSON **list, int n,
    const cJSON *components, const char *zone, const inc_admin_ctx_t *ac)
{
    int           i;
    const cJSON  *m;

    if (n == 0) {
        inc_buf_str(b, "<p class=\"mu\">None.</p>");
        return;
    }

    inc_buf_str(b, "<table><thead><tr><th scope=\"col\">Maintenance</th>"
                "<th scope=\"col\">Window</th><th scope=\"col\">Status</th>"
                "<th scope=\"col\">Components</th></tr></thead><tbody>");

    for (i = 0; i < n; i++) {
        m = list[i];

        inc_buf_printf(b, "<tr data-maintenance-id=\"%.0f\" data-status=\"",
                       inc_rec_num(m, "id"));
        inc_buf_escape(b, inc_rec_str(m, "status"));
        inc_buf_printf(b, "\"><td><a href=\"%smaintenance/%.0f\">",
                       ac->base_path, inc_rec_num(m, "id"));
        inc_buf_escape(b, inc_rec_str(m, "title"));
        inc_buf_str(b, "</a></td><td data-label=\"Window\">");
        inc_maint_window(b, m, zone, 1);
        inc_buf_printf(b, "</td><td data-label=\"Status\">%s</td>"
                       "<td data-label=\"Components\">",
                       inc_maint_status_label(inc_rec_str(m, "status")));
        inc_maint_components(b, m, components);
        inc_buf_str(b, "</td></tr>");
    }

    inc_buf_str(b, "</tbody></table>");
}


static int
inc_maint_by_start(const void *a, const void *b)
{
    double  x, y;

    x = (double) inc_maint_time(*(const cJSON **) a, "scheduledFor");
    y = (double) inc_maint_time(*(const cJSON **) b, "scheduledFor");

    if (x != y) {
        return x < y ? -1 : 1;
    }

    return inc_rec_num(*(const cJSON **) a, "id")
           < inc_rec_num(*(const cJSON **) b, "id") ? -1 : 1;
}


/* one section of the list; "soonest": by start, the next one first */
static void
inc_maint_section(inc_buf_t *b, const char *id, const char *heading,
    const cJSON *list, int soonest, const cJSON *components,
    const char *zone, const inc_admin_ctx_t *ac)
{
    int            n, i;
    const cJSON   *m, **items;

    n = cJSON_GetArraySize(cJSON_GetObjectItem(list, "data"));

    items = malloc((n + 1) * sizeof(const cJSON *));
    if (items == NULL) {
        b->failed = 1;
        return;
    }

    i = 0;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(list, "data")) {
        items[i++] = m;
    }

    if (soonest) {
        qsort(items, (size_t) n, sizeof(const cJSON *), inc_maint_by_start);
    }

    inc_buf_printf(b, "<section class=\"card\" aria-labelledby=\"%s\">"
                   "<h2 id=\"%s\">%s</h2>", id, id, heading);
    inc_maint_rows(b, items, n, components, zone, ac);
    inc_buf_str(b, "</section>");

    free(items);
}


char *
inc_admin_maintenances(const cJSON *doc, const char *zone,
    const inc_admin_ctx_t *ac, size_t *len)
{
    inc_buf_t     b;
    const cJSON  *components, *upcoming;

    components = cJSON_GetObjectItem(doc, "components");
    upcoming = cJSON_GetObjectItem(doc, "upcoming");

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_open(&b, "Maintenance", ac);
    inc_buf_printf(&b, "<h1>Maintenance</h1><div class=\"actions\">"
                   "<a class=\"btn\" href=\"%smaintenance/new\">Schedule "
                   "maintenance</a></div>", ac->base_path);
    inc_maint_zone_note(&b, zone, NULL, ac);

    inc_maint_section(&b, "h-m-active", "In progress",
                      cJSON_GetObjectItem(doc, "active"), 1, components,
                      zone, ac);
    inc_maint_section(&b, "h-m-upcoming", "Upcoming", upcoming, 1,
                      components, zone, ac);

    if (cJSON_IsString(cJSON_GetObjectItem(upcoming, "nextCursor"))) {
        inc_buf_str(&b, "<p class=\"mu\">More are scheduled than this page "
                    "shows: the API lists them all.</p>");
    }

    inc_maint_section(&b, "h-m-past", "Past", cJSON_GetObjectItem(doc, "past"),
                      0, components, zone, ac);
    inc_next_link(&b, cJSON_GetObjectItem(doc, "past"), "maintenance",
                  "Older maintenance", ac);

    return inc_close(&b, len);
}


/* a datetime-local control, with the zone's note among its descriptions */
static void
inc_maint_time_field(inc_buf_t *b, const char *name, const char *label,
    const char *value, const char *error, const char *zone)
{
    int  seconds;

    /* a time with seconds (set through the API) keeps them */
    seconds = strlen(value) > 16;

    inc_buf_printf(b, "<div class=\"field\"><label for=\"f-%s\">%s "
                   "<span class=\"mu\">(", name, label);
    inc_buf_escape(b, zone ? zone : "UTC");
    inc_buf_printf(b, ")</span></label><input type=\"datetime-local\" "
                   "id=\"f-%s\" name=\"%s\" required%s value=\"", name, name,
                   seconds ? " step=\"1\"" : "");
    inc_buf_escape(b, value);
    inc_buf_printf(b, "\"%s aria-describedby=\"%s%s%sf-window-hint\">",
                   error ? " aria-invalid=\"true\"" : "",
                   error ? "f-" : "", error ? name : "",
                   error ? "-err " : "");

    if (error != NULL) {
        inc_buf_printf(b, "<p class=\"err\" id=\"f-%s-err\">", name);
        inc_buf_escape(b, error);
        inc_buf_str(b, "</p>");
    }

    inc_buf_str(b, "</div>");
}


/* the form's time: as typed, or the stored one in the zone */
static void
inc_maint_time_value(const cJSON *values, const cJSON *m, const char *name,
    const char *zone, char *buf, size_t size)
{
    const cJSON  *v;

    v = cJSON_GetObjectItemCaseSensitive(values, name);

    if (cJSON_IsString(v)) {
        snprintf(buf, size, "%s", v->valuestring);
        return;
    }

    if (values != NULL || m == NULL) {
        buf[0] = '\0';
        return;
    }

    inc_form_local_value(inc_maint_time(m, name), zone != NULL, buf, size);
}


/* the validators speak the API's language; the form, the labels' */
static const char *
inc_maint_err(const cJSON *errors, const char *field)
{
    const char  *e;

    e = inc_err(errors, field);

    if (e != NULL && strcmp(field, "scheduledUntil") == 0
        && strcmp(e, "must be after scheduledFor") == 0)
    {
        return "must be after the start";
    }

    return e;
}


static void
inc_maint_window_fields(inc_buf_t *b, const cJSON *values, const cJSON *m,
    const cJSON *errors, const char *zone, const inc_admin_ctx_t *ac)
{
    char  value[32];

    /* the zone the times are typed in, to tell if it changes meanwhile */
    inc_buf_str(b, "<fieldset><legend>Window</legend><input type=\"hidden\" "
                "name=\"zone\" value=\"");
    inc_buf_escape(b, zone ? zone : "UTC");
    inc_buf_str(b, "\">");
    inc_maint_zone_note(b, zone, "f-window-hint", ac);
    inc_maint_time_value(values, m, "scheduledFor", zone, value,
                         sizeof(value));
    inc_maint_time_field(b, "scheduledFor", "Starts", value,
                         inc_maint_err(errors, "scheduledFor"), zone);
    inc_maint_time_value(values, m, "scheduledUntil", zone, value,
                         sizeof(value));
    inc_maint_time_field(b, "scheduledUntil", "Ends", value,
                         inc_maint_err(errors, "scheduledUntil"), zone);
    inc_buf_str(b, "</fieldset>");
}


/* a checkbox with its "NAME_shown" marker; ticked unless told otherwise */
static void
inc_maint_check(inc_buf_t *b, const char *name, const char *label,
    const cJSON *values, const cJSON *m)
{
    const cJSON  *v;

    v = cJSON_GetObjectItem(values, name);
    if (v == NULL) {
        v = cJSON_GetObjectItem(m, name);
    }

    inc_buf_printf(b, "<input type=\"hidden\" name=\"%s_shown\" value=\"1\">"
                   "<label class=\"opt\"><input type=\"checkbox\" "
                   "name=\"%s\" value=\"1\"%s> %s</label>", name, name,
                   cJSON_IsFalse(v) ? "" : " checked", label);
}


static void
inc_maint_options(inc_buf_t *b, const cJSON *values, const cJSON *m,
    const cJSON *errors)
{
    char          buf[32];
    const char   *error, *value, *hint;
    const cJSON  *v;

    hint = "Subscribers get a reminder this long before it starts; 0 for "
           "none (at most 10080, a week).";

    inc_buf_str(b, "<fieldset><legend>Start and end</legend>");
    inc_maint_check(b, "autoStart", "Start automatically at the start time "
                    "<small>&mdash; it goes In Progress and subscribers "
                    "are told</small>", values, m);
    inc_maint_check(b, "autoComplete", "Complete automatically at the end "
                    "time <small>&mdash; unless completed by hand "
                    "before</small>", values, m);
    inc_buf_str(b, "</fieldset>");

    v = cJSON_GetObjectItem(values, "remindBeforeMinutes");
    if (v == NULL) {
        v = cJSON_GetObjectItem(m, "remindBeforeMinutes");
    }

    if (cJSON_IsString(v)) {
        value = v->valuestring;

    } else {
        snprintf(buf, sizeof(buf), "%.0f",
                 cJSON_IsNumber(v) ? v->valuedouble
                                   : (double) INC_REMIND_DEFAULT);
        value = buf;
    }

    error = inc_err(errors, "remindBeforeMinutes");

    inc_buf_str(b, "<div class=\"field\"><label for=\"f-remindBeforeMinutes\">"
                "Reminder, in minutes before the start</label><input "
                "type=\"number\" id=\"f-remindBeforeMinutes\" "
                "name=\"remindBeforeMinutes\" min=\"0\" max=\"10080\" "
                "step=\"1\" inputmode=\"numeric\" value=\"");
    inc_buf_escape(b, value);
    inc_buf_str(b, "\"");
    inc_described(b, "f-remindBeforeMinutes", hint, error);
    inc_buf_str(b, ">");
    inc_field_error(b, "f-remindBeforeMinutes", error);
    inc_buf_printf(b, "<p class=\"hint\" id=\"f-remindBeforeMinutes-hint\">"
                   "%s</p></div>", hint);
}


static void
inc_maint_component_boxes(inc_buf_t *b, const cJSON *components,
    const cJSON *values, const cJSON *m, const cJSON *errors)
{
    const cJSON  *checked;

    checked = cJSON_GetObjectItem(values, "componentIds");
    if (checked == NULL) {
        checked = cJSON_GetObjectItem(m, "componentIds");
    }

    inc_component_boxes_as(b, "Components under maintenance",
                           "While it is in progress they show Under "
                           "Maintenance. None ticked: the whole page shows "
                           "Under Maintenance.", components, checked,
                           inc_err(errors, "componentIds"));
}


char *
inc_admin_maintenance_new(const cJSON *components, const char *zone,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_open(&b, "Schedule maintenance", ac);
    inc_buf_str(&b, "<h1>Schedule maintenance</h1><p class=\"mu\">Announce "
                "planned work ahead: it is listed on the status page until "
                "it starts, and its components show Under Maintenance "
                "while it is in progress.</p>");
    inc_form_errors(&b, errors);
    inc_form_open(&b, ac, "maintenance");
    inc_text_field(&b, "title", "Title", inc_val(values, NULL, "title"),
                   "What is being done, e.g. \"Database upgrade\"",
                   inc_err(errors, "title"), 1);
    inc_maint_window_fields(&b, values, NULL, errors, zone, ac);
    inc_textarea(&b, "message", "Message", inc_val(values, NULL, "message"),
                 "Optional: what will be done and what users will notice. "
                 "Shown on the status page; Markdown works.",
                 inc_err(errors, "message"), NULL);
    inc_maint_component_boxes(&b, components, values, NULL, errors);
    inc_maint_options(&b, values, NULL, errors);
    inc_buf_str(&b, "<input type=\"hidden\" name=\"notify_shown\" value=\"1\">"
                "<label class=\"opt\"><input type=\"checkbox\" "
                "name=\"notify\" value=\"1\"");
    inc_buf_str(&b, cJSON_IsFalse(cJSON_GetObjectItem(values, "notify"))
                    ? "" : " checked");
    inc_buf_printf(&b, "> Notify subscribers now</label><div "
                   "class=\"actions\"><button type=\"submit\">Schedule "
                   "maintenance</button><a href=\"%smaintenance\">Cancel</a>"
                   "</div></form>", ac->base_path);

    return inc_close(&b, len);
}


static void
inc_maint_update_item(inc_buf_t *b, const cJSON *u, const char *zone)
{
    inc_buf_printf(b, "<li id=\"update-%.0f\"><strong>%s</strong> &middot; ",
                   inc_rec_num(u, "id"),
                   inc_maint_status_label(inc_rec_str(u, "status")));
    inc_maint_moment(b, u, "createdAt", zone);

    if (cJSON_IsTrue(cJSON_GetObjectItem(u, "automatic"))) {
        inc_buf_str(b, " <span class=\"mu\">(automatic)</span>");
    }

    inc_buf_str(b, "<div>");
    inc_buf_markdown(b, inc_rec_str(u, "message"));
    inc_buf_str(b, "</div></li>");
}


/* "Start now", "Complete now": a form of one button */
static void
inc_maint_button(inc_buf_t *b, const inc_admin_ctx_t *ac, double id,
    const char *what, const char *label)
{
    char  action[64];

    snprintf(action, sizeof(action), "maintenance/%.0f/%s", id, what);

    inc_buf_str(b, "<form class=\"inline\" method=\"post\" action=\"");
    inc_buf_printf(b, "%s%s\"><input type=\"hidden\" name=\"csrf\" value=\"",
                   ac->base_path, action);
    inc_buf_escape(b, ac->csrf);
    inc_buf_printf(b, "\"><button type=\"submit\">%s</button></form>", label);
}


static void
inc_maint_facts(inc_buf_t *b, const cJSON *m, const cJSON *components,
    const char *zone)
{
    double  remind;

    inc_buf_printf(b, "<dl class=\"facts\"><dt>Status</dt><dd>%s</dd>"
                   "<dt>Window</dt><dd>",
                   inc_maint_status_label(inc_rec_str(m, "status")));
    inc_maint_window(b, m, zone, 1);

    if (zone != NULL) {
        inc_buf_str(b, " <span class=\"mu\">(");
        inc_maint_window(b, m, NULL, 1);
        inc_buf_str(b, ")</span>");
    }

    inc_buf_str(b, "</dd><dt>Components</dt><dd>");
    inc_maint_components(b, m, components);

    remind = inc_rec_num(m, "remindBeforeMinutes");

    inc_buf_printf(b, "</dd><dt>Starts</dt><dd>%s</dd>"
                   "<dt>Completes</dt><dd>%s</dd><dt>Reminder</dt><dd>",
                   cJSON_IsFalse(cJSON_GetObjectItem(m, "autoStart"))
                   ? "By hand" : "Automatically, at the start time",
                   cJSON_IsFalse(cJSON_GetObjectItem(m, "autoComplete"))
                   ? "By hand" : "Automatically, at the end time");

    if (remind > 0) {
        inc_buf_printf(b, "%.0f minute%s before the start", remind,
                       remind == 1 ? "" : "s");

    } else {
        inc_buf_str(b, "None");
    }

    inc_buf_str(b, "</dd>");

    if (cJSON_IsString(cJSON_GetObjectItem(m, "startedAt"))) {
        inc_buf_str(b, "<dt>Started</dt><dd>");
        inc_maint_moment(b, m, "startedAt", zone);
        inc_buf_str(b, "</dd>");
    }

    if (cJSON_IsString(cJSON_GetObjectItem(m, "completedAt"))) {
        inc_buf_str(b, "<dt>Completed</dt><dd>");
        inc_maint_moment(b, m, "completedAt", zone);
        inc_buf_str(b, "</dd>");
    }

    inc_buf_str(b, "</dl>");
}


char *
inc_admin_maintenance(const cJSON *doc, const char *zone,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len)
{
    int           n, i, status;
    char          action[64];
    double        id;
    inc_buf_t     b;
    const char   *current;
    const cJSON  *m, *components, *updates;

    m = cJSON_GetObjectItem(doc, "maintenance");
    components = cJSON_GetObjectItem(doc, "components");
    updates = cJSON_GetObjectItem(m, "updates");
    id = inc_rec_num(m, "id");
    status = inc_enum_find(inc_maintenance_statuses, INC_MAINT_COUNT,
                           inc_rec_str(m, "status"));

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_open(&b, inc_rec_str(m, "title"), ac);
    inc_buf_printf(&b, "<article data-maintenance-id=\"%.0f\" "
                   "data-status=\"", id);
    inc_buf_escape(&b, inc_rec_str(m, "status"));
    inc_buf_str(&b, "\"><h1>");
    inc_buf_escape(&b, inc_rec_str(m, "title"));
    inc_buf_str(&b, "</h1><section class=\"card\" aria-labelledby=\"h-d\">"
                "<h2 id=\"h-d\">Details</h2>");
    inc_maint_facts(&b, m, components, zone);
    inc_buf_str(&b, "</section><div class=\"actions\">");

    /* only the buttons that would do something */
    if (status == INC_MAINT_SCHEDULED) {
        inc_maint_button(&b, ac, id, "start", "Start now");
    }

    if (status == INC_MAINT_IN_PROGRESS || status == INC_MAINT_VERIFYING) {
        inc_maint_button(&b, ac, id, "complete", "Complete now");
    }

    inc_buf_printf(&b, "<a class=\"btn sec\" href=\"%smaintenance/%.0f/edit"
                   "\">Edit</a><a class=\"btn sec del\" href=\"%s"
                   "maintenance/%.0f/delete\">Cancel maintenance</a>"
                   "<a href=\"", ac->base_path, id, ac->base_path, id);
    inc_buf_escape(&b, inc_rec_str(m, "url"));
    inc_buf_str(&b, "\">Public page</a></div>");

    if (status != INC_MAINT_COMPLETED) {
        inc_buf_printf(&b, "<p class=\"mu\">%s posts the update the timer "
                       "would, and notifies subscribers.</p>",
                       status == INC_MAINT_SCHEDULED ? "Start now"
                                                     : "Complete now");
    }

    inc_buf_str(&b, "<section class=\"card\" aria-labelledby=\"h-post\">"
                "<h2 id=\"h-post\">Post an update</h2>");
    inc_form_errors(&b, errors);

    snprintf(action, sizeof(action), "maintenance/%.0f/updates", id);
    inc_form_open(&b, ac, action);

    current = inc_val(values, NULL, "status");
    if (current[0] == '\0') {
        current = inc_rec_str(m, "status");
    }

    inc_radios(&b, "status", "Status", inc_maintenance_statuses,
               INC_MAINT_COUNT, NULL, current, inc_err(errors, "status"));
    inc_textarea(&b, "message", "Message", inc_val(values, NULL, "message"),
                 "What is being done, what users notice, when it should "
                 "end. Markdown works.", inc_err(errors, "message"), NULL);
    inc_notify_box(&b, values);
    inc_buf_str(&b, "<div class=\"actions\"><button type=\"submit\">Post "
                "update</button></div></form></section>");

    inc_buf_str(&b, "<section aria-labelledby=\"h-tl\"><h2 id=\"h-tl\">"
                "Timeline</h2><ol class=\"tl\">");

    /* oldest first, as an incident's */
    n = cJSON_GetArraySize(updates);

    for (i = n - 1; i >= 0; i--) {
        inc_maint_update_item(&b, cJSON_GetArrayItem(updates, i), zone);
    }

    inc_buf_str(&b, "</ol>");

    if (n == 0) {
        inc_buf_str(&b, "<p class=\"mu\">No updates yet.</p>");
    }

    inc_buf_printf(&b, "</section></article><p><a href=\"%smaintenance\">"
                   "Back to maintenance</a></p>", ac->base_path);

    return inc_close(&b, len);
}


char *
inc_admin_maintenance_edit(const cJSON *doc, const char *zone,
    const cJSON *values, const cJSON *errors, const inc_admin_ctx_t *ac,
    size_t *len)
{
    char          action[64];
    double        id;
    inc_buf_t     b;
    const cJSON  *m;

    m = cJSON_GetObjectItem(doc, "maintenance");
    id = inc_rec_num(m, "id");

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_open(&b, "Edit maintenance", ac);
    inc_buf_str(&b, "<h1>Edit maintenance</h1><p class=\"mu\">To change its "
                "status, post an update on its page. A new start time "
                "sends the reminder again.</p>");
    inc_form_errors(&b, errors);

    snprintf(action, sizeof(action), "maintenance/%.0f", id);
    inc_form_open(&b, ac, action);
    inc_text_field(&b, "title", "Title", inc_val(values, m, "title"), NULL,
                   inc_err(errors, "title"), 1);
    inc_maint_window_fields(&b, values, m, errors, zone, ac);
    inc_maint_component_boxes(&b, cJSON_GetObjectItem(doc, "components"),
                              values, m, errors);
    inc_maint_options(&b, values, m, errors);
    inc_buf_printf(&b, "<div class=\"actions\"><button type=\"submit\">Save"
                   "</button><a href=\"%smaintenance/%.0f\">Cancel</a></div>"
                   "</form>", ac->base_path, id);

    return inc_close(&b, len);
}


char *
inc_admin_maintenance_delete(const cJSON *doc, const char *zone,
    const inc_admin_ctx_t *ac, size_t *len)
{
    int           n;
    char         *text, action[64], back[64], question[512];
    inc_buf_t     what;
    const cJSON  *m;

    m = cJSON_GetObjectItem(doc, "maintenance");
    n = cJSON_GetArraySize(cJSON_GetObjectItem(m, "updates"));

    snprintf(action, sizeof(action), "maintenance/%.0f/delete",
             inc_rec_num(m, "id"));
    snprintf(back, sizeof(back), "maintenance/%.0f", inc_rec_num(m, "id"));

    if (n == 0) {
        snprintf(question, sizeof(question), "Cancel this maintenance? It "
                 "is deleted and disappears from the status page.");

    } else {
        snprintf(question, sizeof(question), "Cancel this maintenance? It "
                 "is deleted with its %d update%s and disappears from the "
                 "status page.", n, n == 1 ? "" : "s");
    }

    snprintf(question + strlen(question), sizeof(question) - strlen(question),
             " Subscribers are not told: post an update first if they "
             "should be. This cannot be undone.");

    if (inc_buf_init(&what, 512) != 0) {
        return NULL;
    }

    /* "Database upgrade, 2026-11-27 22:00 – 23:00 UTC (API, Web)" */
    inc_buf_str(&what, inc_rec_str(m, "title"));
    inc_buf_str(&what, ", ");
    inc_maint_window(&what, m, zone, 0);
    inc_buf_str(&what, " (");
    inc_maint_components_text(&what, m, cJSON_GetObjectItem(doc,
                                                            "components"));
    inc_buf_str(&what, ")");

    text = what.failed ? NULL
                       : inc_confirm("Cancel maintenance", question,
                                     what.data, action, "Cancel maintenance",
                                     back, "Keep it", ac, len);
    inc_buf_free(&what);

    return text;
}
