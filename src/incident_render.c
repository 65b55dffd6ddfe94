/*
 * Public pages (HTML) and feeds (Atom, RSS).
 *
 * Everything user-written goes through inc_buf_escape() or, for update
 * messages, safe Markdown.  Times are absolute UTC in <time datetime>; the
 * script only reformats them in the visitor's (or the page's) time zone and
 * polls for changes, so the page works fully without it.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_html.h"
#include "incident_uptime.h"
#include "incident_render.h"


#define INC_RENDER_RECENT_DAYS  14
#define INC_DAY                 86400


static const char  *inc_months[12] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun",
    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static const char  *inc_month_names[12] = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December"
};


/* colours pass WCAG AA for white text (banners) and on the cards */
static const char  inc_css[] =
    ":root{--bg:#f6f8fa;--fg:#1f2328;--mu:#59636e;--card:#fff;"
    "--line:#d1d9e0;--ac:#0969da;--operational:#1a7f37;"
    "--degraded_performance:#9a6700;--partial_outage:#bc4c00;"
    "--major_outage:#cf222e;--under_maintenance:#0969da;--nodata:#d1d9e0;"
    "--ok-bar:#2da44e;color-scheme:light dark;"
    "--b-operational:#1a7f37;--b-degraded_performance:#9a6700;"
    "--b-partial_outage:#bc4c00;--b-major_outage:#cf222e;"
    "--b-under_maintenance:#0969da}"
    "@media(prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;"
    "--mu:#9198a1;--card:#151b23;--line:#3d444d;--ac:#4493f8;"
    "--operational:#3fb950;--degraded_performance:#d29922;"
    "--partial_outage:#f0883e;--major_outage:#f85149;"
    "--under_maintenance:#4493f8;--nodata:#3d444d}}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);"
    "font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif}"
    "a{color:var(--ac)}"
    ".wrap{max-width:880px;margin:0 auto;padding:0 16px}"
    ".top{border-bottom:1px solid var(--line);background:var(--card)}"
    ".top .wrap{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;"
    "justify-content:space-between;padding-top:12px;padding-bottom:12px}"
    ".brand{display:flex;gap:10px;align-items:center;font-size:1.25rem;"
    "font-weight:700;color:var(--fg);text-decoration:none}"
    ".brand img{max-height:36px;width:auto}"
    "nav a{margin-left:14px}nav a:first-child{margin-left:0}"
    "section,.box{margin:24px 0}"
    "h1{font-size:1.6rem;margin:24px 0 8px}"
    "h1,h2,h3,h4,.md{overflow-wrap:anywhere}"
    "h2{font-size:1.2rem;margin:0 0 12px}"
    "h3{font-size:1.05rem;margin:0 0 4px}"
    "h4{font-size:1rem;margin:0 0 4px}"
    ".ic{width:1.1em;height:1.1em;vertical-align:-.15em;flex:none}"
    ".banner{display:flex;gap:12px;align-items:center;padding:18px 20px;"
    "border-radius:10px;color:#fff;background:var(--st)}"
    ".banner h2{margin:0;font-size:1.3rem}"
    ".banner p{margin:0 0 0 auto;font-size:.875rem;opacity:.95}"
    ".banner .ic{width:1.6em;height:1.6em}"
    ".card{background:var(--card);border:1px solid var(--line);"
    "border-radius:10px;padding:16px 20px;margin:0 0 12px}"
    ".inc{border-left:5px solid var(--st)}"
    ".card.box{margin:24px 0}.inc h2{margin-top:20px}"
    ".meta{color:var(--mu);font-size:.875rem;margin:4px 0}"
    ".badge{display:inline-block;border:1px solid currentColor;"
    "border-radius:999px;padding:0 8px;font-size:.8rem;font-weight:600}"
    ".md p{margin:.4em 0}.md ul{list-style:disc}"
    ".st{color:var(--st);font-weight:600;display:inline-flex;gap:6px;"
    "align-items:center;white-space:nowrap}"
    ".comps{list-style:none;margin:0;padding:0}"
    ".comps .comps{margin:8px 0 0 0;padding-left:16px;"
    "border-left:2px solid var(--line)}"
    ".comp{padding:12px 0;border-top:1px solid var(--line)}"
    ".comp:first-child{border-top:0}"
    ".row{display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center;"
    "justify-content:space-between}"
    ".name{font-weight:600}"
    "summary{cursor:pointer;list-style:none}"
    "summary::-webkit-details-marker{display:none}"
    "summary .name::before{content:\"\\25B8\"/\"\";display:inline-block;"
    "width:1.1em}"
    "details[open]>summary .name::before{content:\"\\25BE\"/\"\"}"
    ".desc{color:var(--mu);font-size:.875rem;margin:2px 0}"
    ".bars{display:block;width:100%;height:28px;margin-top:8px}"
    ".upl{display:flex;justify-content:space-between;color:var(--mu);"
    "font-size:.75rem}"
    ".day{padding:12px 0;border-top:1px solid var(--line)}"
    ".day:first-of-type{border-top:0}"
    ".quiet{color:var(--mu);margin:4px 0}"
    ".timeline{list-style:none;padding:0;margin:0}"
    ".timeline>li{border-left:2px solid var(--line);padding:0 0 16px 16px}"
    ".card h1{margin-top:0}"
    "footer{color:var(--mu);font-size:.875rem;padding:24px 0 40px}"
    "footer a{margin-right:14px}"
    ".form label{display:block;font-weight:600;margin:12px 0 4px}"
    ".form input[type=email]{width:100%;max-width:28em;padding:8px;"
    "font:inherit;border:1px solid var(--mu);border-radius:6px;"
    "background:var(--card);color:var(--fg)}"
    ".form fieldset{border:1px solid var(--line);border-radius:8px;"
    "margin:16px 0;padding:8px 16px}"
    ".form fieldset label{display:flex;gap:8px;font-weight:400;margin:6px 0}"
    ".btn{font:inherit;font-weight:600;padding:8px 18px;border-radius:6px;"
    "border:0;background:var(--fg);color:var(--bg);cursor:pointer}"
    ".err{color:var(--major_outage);font-weight:600}"
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap}"
    "@media(max-width:480px){.banner{flex-wrap:wrap}"
    ".banner p{margin:0;width:100%}.card{padding:12px 14px}}";


/* icons (stroke only) and the tiles of the uptime bars */
static const char  inc_defs[] =
    "<svg width=\"0\" height=\"0\" style=\"position:absolute\" "
    "aria-hidden=\"true\" focusable=\"false\"><defs>"
    "<symbol id=\"i-operational\" viewBox=\"0 0 16 16\"><path fill=\"none\" "
    "stroke=\"currentColor\" stroke-width=\"2\" d=\"M3 8.5l3 3 7-7\"/>"
    "</symbol>"
    "<symbol id=\"i-under_maintenance\" viewBox=\"0 0 16 16\"><g fill=\"none\""
    " stroke=\"currentColor\" stroke-width=\"2\"><circle cx=\"8\" cy=\"8\" "
    "r=\"6\"/><path d=\"M8 4.5V8l2.5 1.5\"/></g></symbol>"
    "<symbol id=\"i-degraded_performance\" viewBox=\"0 0 16 16\"><path "
    "fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" "
    "d=\"M2 5l5 5 2-2 5 5\"/></symbol>"
    "<symbol id=\"i-partial_outage\" viewBox=\"0 0 16 16\"><path "
    "fill=\"none\" stroke=\"currentColor\" stroke-width=\"2\" "
    "d=\"M8 2.5v7M8 12v1.5\"/></symbol>"
    "<symbol id=\"i-major_outage\" viewBox=\"0 0 16 16\"><path fill=\"none\" "
    "stroke=\"currentColor\" stroke-width=\"2\" d=\"M3.5 3.5l9 9m0-9l-9 9\"/>"
    "</symbol>"
    "<pattern id=\"p-ok\" width=\"4\" height=\"28\" "
    "patternUnits=\"userSpaceOnUse\"><rect width=\"3\" height=\"28\" "
    "rx=\"1\" fill=\"var(--ok-bar)\"/></pattern>"
    "<pattern id=\"p-none\" width=\"4\" height=\"28\" "
    "patternUnits=\"userSpaceOnUse\"><rect width=\"3\" height=\"28\" "
    "rx=\"1\" fill=\"var(--nodata)\"/></pattern>"
    "</defs></svg>";


/*
 * Formats times in the visitor's zone, or the page's, and polls "live"
 * with the page's ETag: a change reloads <main> in place and is announced.
 */
static const char  inc_script[] =
    "(function(){var b=document.body,tz=b.dataset.tz||undefined,"
    "tag=b.dataset.etag,main=document.getElementById('main'),"
    "say=document.getElementById('live');"
    "function fmt(r){r.querySelectorAll('time[datetime]').forEach("
    "function(t){var d=new Date(t.getAttribute('datetime')),"
    "o={year:'numeric',month:'short',day:'numeric',timeZone:tz};"
    "if(isNaN(d))return;if(!t.hasAttribute('data-d')){o.hour='2-digit';"
    "o.minute='2-digit';o.timeZoneName='short'}"
    "try{t.textContent=new Intl.DateTimeFormat(undefined,o).format(d)}"
    "catch(e){}})}"
    "function load(){fetch(location.href,{cache:'no-store'}).then("
    "function(r){return r.ok?r.text():null}).then(function(h){if(!h)return;"
    "var d=new DOMParser().parseFromString(h,'text/html'),"
    "m=d.getElementById('main');if(!m)return;main.replaceWith(m);main=m;"
    "fmt(m);var s=m.querySelector('#overall-status h2');"
    "say.textContent='Status updated'+(s?': '+s.textContent:'.')})}"
    "function poll(){fetch(b.dataset.live,{cache:'no-store',"
    "headers:{'If-None-Match':tag}}).then(function(r){var e=r.headers.get("
    "'ETag');if(r.status===200&&e&&e!==tag){tag=e;load()}}).catch("
    "function(){}).then(function(){setTimeout(poll,1000)})}"
    "fmt(document);if(b.dataset.live)setTimeout(poll,1000)})();";


/* an incident's or a maintenance's status */
static const char *
inc_status_label(const char *v)
{
    if (inc_enum_find(inc_incident_statuses, INC_STATUS_COUNT, v) >= 0) {
        return inc_enum_label(inc_incident_statuses, INC_STATUS_COUNT, v);
    }

    return inc_enum_label(inc_maintenance_statuses, INC_MAINT_COUNT, v);
}


/* "incidents" or "maintenances": where a document's page is */
static const char *
inc_doc_path(const cJSON *doc)
{
    return strcmp(inc_rec_str(doc, "kind"), "maintenance") == 0
           ? "maintenances" : "incidents";
}



#define inc_impact_label(v)                                                   \
    inc_enum_label(inc_impacts, INC_IMPACT_COUNT, v)
#define inc_comp_label(v)                                                     \
    inc_enum_label(inc_component_statuses, INC_COMP_COUNT, v)


/* the colour an incident is marked with: its impact's component status */
static const char *
inc_impact_status(const char *impact)
{
    int  i;

    i = inc_enum_find(inc_impacts, INC_IMPACT_COUNT, impact);

    if (i < 0) {
        i = INC_IMPACT_NONE;
    }

    return inc_component_statuses[inc_impact_component_status(i)].value;
}


/*
 * <time datetime="2026-11-27T10:00:00Z">Nov 27, 2026, 10:00 UTC</time>;
 * with rc->local_time, in the zone that TZ names (the page's setting),
 * which the caller set.  Day headings stay UTC days, as the uptime bars.
 */
static void
inc_render_time(inc_buf_t *b, const inc_render_ctx_t *rc, time_t t,
    int date_only)
{
    char       iso[INC_RFC3339_LEN + 1];
    struct tm  tm;

    inc_time_format(t, iso);

    if (date_only || !rc->local_time || localtime_r(&t, &tm) == NULL) {
        gmtime_r(&t, &tm);
        tm.tm_zone = "UTC";
    }

    if (date_only) {
        inc_buf_printf(b, "<time datetime=\"%s\" data-d>%s %d, %d</time>",
                       iso, inc_months[tm.tm_mon], tm.tm_mday,
                       tm.tm_year + 1900);
        return;
    }

    inc_buf_printf(b, "<time datetime=\"%s\">%s %d, %d, %02d:%02d ", iso,
                   inc_months[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
                   tm.tm_hour, tm.tm_min);
    inc_buf_escape(b, tm.tm_zone ? tm.tm_zone : "");
    inc_buf_str(b, "</time>");
}


static time_t
inc_doc_time(const cJSON *obj, const char *name)
{
    time_t  t;

    if (inc_time_parse(inc_rec_str(obj, name), &t) != 0) {
        return 0;
    }

    return t;
}


static void
inc_render_icon(inc_buf_t *b, const char *status)
{
    inc_buf_printf(b, "<svg class=\"ic\" aria-hidden=\"true\">"
                   "<use href=\"#i-%s\"/></svg>", status);
}


void
inc_render_page_open(inc_buf_t *b, const cJSON *settings, const char *title,
    const inc_render_ctx_t *rc, int live)
{
    const char  *page, *logo, *accent;

    page = inc_rec_str(settings, "pageTitle");
    logo = inc_rec_str(settings, "logoUrl");
    accent = inc_rec_str(settings, "accentColor");

    inc_buf_str(b, "<!doctype html>\n<html lang=\"en\"><head>"
                "<meta charset=\"utf-8\"><meta name=\"viewport\" "
                "content=\"width=device-width,initial-scale=1\">"
                "<link rel=\"icon\" href=\"data:,\"><title>");

    if (title != NULL) {
        inc_buf_escape(b, title);
        inc_buf_str(b, " - ");
    }

    inc_buf_escape(b, page);
    inc_buf_str(b, "</title><link rel=\"alternate\" "
                "type=\"application/atom+xml\" title=\"");
    inc_buf_escape(b, page);
    inc_buf_printf(b, " (Atom)\" href=\"%sfeed.atom\"><link rel=\"alternate\""
                   " type=\"application/rss+xml\" title=\"", rc->base_path);
    inc_buf_escape(b, page);
    inc_buf_printf(b, " (RSS)\" href=\"%sfeed.rss\"><style>%s", rc->base_path,
                   inc_css);

    /* validated as #rrggbb: safe inside CSS */
    if (accent[0] == '#') {
        inc_buf_printf(b, ":root{--ac:%s}", accent);
    }

    inc_buf_str(b, "</style></head><body");

    if (live) {
        inc_buf_printf(b, " data-live=\"%slive\" data-etag=\"&quot;g%llu"
                       "&quot;\"", rc->base_path,
                       (unsigned long long) rc->generation);
    }

    if (inc_rec_str(settings, "timezone")[0]) {
        inc_buf_str(b, " data-tz=\"");
        inc_buf_escape(b, inc_rec_str(settings, "timezone"));
        inc_buf_str(b, "\"");
    }

    inc_buf_printf(b, ">%s<header class=\"top\"><div class=\"wrap\">"
                   "<a class=\"brand\" href=\"%s\">", inc_defs, rc->base_path);

    if (logo[0]) {
        inc_buf_str(b, "<img src=\"");
        inc_buf_escape(b, logo);
        inc_buf_str(b, "\" alt=\"\">");
    }

    inc_buf_escape(b, page);
    inc_buf_printf(b, "</a><nav aria-label=\"Status page\">"
                   "<a href=\"%s\">Current status</a>"
                   "<a href=\"%shistory\">History</a>"
                   "<a href=\"%sfeed.atom\">Feed</a>",
                   rc->base_path, rc->base_path, rc->base_path);

    if (rc->subscribe) {
        inc_buf_printf(b, "<a href=\"%ssubscribe\">Subscribe</a>",
                       rc->base_path);
    }

    inc_buf_str(b, "</nav></div></header><main id=\"main\" class=\"wrap\">");
}


void
inc_render_page_close(inc_buf_t *b, const cJSON *settings,
    const inc_render_ctx_t *rc)
{
    const cJSON  *link;

    inc_buf_str(b, "</main><footer class=\"wrap\">");

    cJSON_ArrayForEach(link, cJSON_GetObjectItem(settings, "footerLinks")) {
        inc_buf_str(b, "<a href=\"");
        inc_buf_escape(b, inc_rec_str(link, "url"));
        inc_buf_str(b, "\">");
        inc_buf_escape(b, inc_rec_str(link, "label"));
        inc_buf_str(b, "</a>");
    }

    inc_buf_printf(b, "<a href=\"%sfeed.atom\">Atom feed</a>"
                   "<a href=\"%sfeed.rss\">RSS feed</a><p>",
                   rc->base_path, rc->base_path);

    if (rc->local_time) {
        inc_buf_str(b, "Times are in the ");
        inc_buf_escape(b, inc_rec_str(settings, "timezone"));
        inc_buf_str(b, " time zone.");

    } else {
        inc_buf_str(b, "Times are in UTC, or in your time zone when your "
                    "browser shows them.");
    }

    inc_buf_printf(b, "</p></footer>"
                   "<div id=\"live\" class=\"sr\" role=\"status\" "
                   "aria-live=\"polite\"></div><script>%s</script>"
                   "</body></html>\n", inc_script);
}


/* "API, Dashboard" */
static void
inc_render_affected(inc_buf_t *b, const cJSON *incident,
    const cJSON *components)
{
    int           n;
    const char   *name;
    const cJSON  *id;

    n = 0;

    cJSON_ArrayForEach(id, cJSON_GetObjectItem(incident, "componentIds")) {
        name = inc_rec_name(components, id->valuedouble);
        if (name == NULL) {
            continue;
        }

        inc_buf_str(b, n++ ? ", " : " &middot; Affects ");
        inc_buf_escape(b, name);
    }
}


static void
inc_render_update(inc_buf_t *b, const cJSON *u, const char *tag,
    const inc_render_ctx_t *rc)
{
    inc_buf_printf(b, "<%s><p class=\"meta\"><strong>", tag);
    inc_buf_escape(b, inc_status_label(inc_rec_str(u, "status")));
    inc_buf_str(b, "</strong> &middot; ");
    inc_render_time(b, rc, inc_doc_time(u, "createdAt"), 0);
    inc_buf_str(b, "</p><div class=\"md\">");
    inc_buf_markdown(b, inc_rec_str(u, "message"));
    inc_buf_printf(b, "</div></%s>", tag);
}


static void
inc_render_incident_open(inc_buf_t *b, const cJSON *inc, const char *extra)
{
    inc_buf_printf(b, "<article class=\"card inc%s\" data-incident-id=\"%.0f\""
                   " data-status=\"", extra, inc_rec_num(inc, "id"));
    inc_buf_escape(b, inc_rec_str(inc, "status"));
    inc_buf_str(b, "\" data-impact=\"");
    inc_buf_escape(b, inc_rec_str(inc, "impact"));
    inc_buf_printf(b, "\" style=\"--st:var(--%s)\">",
                   inc_impact_status(inc_rec_str(inc, "impact")));
}


static void
inc_render_impact(inc_buf_t *b, const cJSON *inc)
{
    inc_buf_printf(b, "<span class=\"badge\">%s impact</span> ",
                   inc_impact_label(inc_rec_str(inc, "impact")));
}


static void
inc_render_duration(inc_buf_t *b, const cJSON *inc,
    const inc_render_ctx_t *rc)
{
    char  text[64];

    if (!cJSON_IsNumber(cJSON_GetObjectItem(inc, "durationSeconds"))) {
        return;
    }

    inc_duration_text((long) inc_rec_num(inc, "durationSeconds"), text,
                      sizeof(text));
    inc_buf_str(b, "Resolved ");
    inc_render_time(b, rc, inc_doc_time(inc, "resolvedAt"), 0);
    inc_buf_printf(b, " &middot; Duration: %s", text);
}


/* an active incident: its state, what it touches, the latest word */
static void
inc_render_active(inc_buf_t *b, const cJSON *inc, const cJSON *components,
    const inc_render_ctx_t *rc)
{
    const cJSON  *latest;

    inc_render_incident_open(b, inc, "");
    inc_buf_printf(b, "<h3><a href=\"%sincidents/%.0f\">", rc->base_path,
                   inc_rec_num(inc, "id"));
    inc_buf_escape(b, inc_rec_str(inc, "title"));
    inc_buf_str(b, "</a></h3><p class=\"meta\">");
    inc_render_impact(b, inc);
    inc_buf_str(b, "<strong>");
    inc_buf_escape(b, inc_status_label(inc_rec_str(inc, "status")));
    inc_buf_str(b, "</strong>");
    inc_render_affected(b, inc, components);
    inc_buf_str(b, " &middot; Started ");
    inc_render_time(b, rc, inc_doc_time(inc, "startedAt"), 0);
    inc_buf_str(b, "</p>");

    latest = cJSON_GetArrayItem(cJSON_GetObjectItem(inc, "updates"), 0);
    if (latest != NULL) {
        inc_render_update(b, latest, "div", rc);
    }

    inc_buf_str(b, "</article>");
}


static void
inc_render_banner(inc_buf_t *b, const cJSON *doc,
    const inc_render_ctx_t *rc)
{
    const char  *status;

    status = inc_rec_str(doc, "status");

    /* the banner keeps the light palette: white text reads on it in both */
    inc_buf_printf(b, "<section id=\"overall-status\" class=\"banner\" "
                   "data-status=\"%s\" style=\"--st:var(--b-%s)\">", status,
                   status);
    inc_render_icon(b, status);
    inc_buf_str(b, "<h2>");
    inc_buf_escape(b, inc_rec_str(doc, "description"));
    inc_buf_str(b, "</h2><p>Updated ");

    if (inc_doc_time(doc, "updatedAt")) {
        inc_render_time(b, rc, inc_doc_time(doc, "updatedAt"), 0);

    } else {
        inc_buf_str(b, "never");
    }

    inc_buf_str(b, "</p></section>");
}


/* a maintenance window's card: in progress, or upcoming */
static void
inc_render_maint_card(inc_buf_t *b, const cJSON *m, const cJSON *components,
    const inc_render_ctx_t *rc, int level)
{
    const cJSON  *latest;

    inc_buf_printf(b, "<article class=\"card inc\" data-maintenance-id=\""
                   "%.0f\" data-status=\"", inc_rec_num(m, "id"));
    inc_buf_escape(b, inc_rec_str(m, "status"));
    inc_buf_printf(b, "\" style=\"--st:var(--under_maintenance)\">"
                   "<h%d><a href=\"%smaintenances/%.0f\">", level,
                   rc->base_path, inc_rec_num(m, "id"));
    inc_buf_escape(b, inc_rec_str(m, "title"));
    inc_buf_printf(b, "</a></h%d><p class=\"meta\"><strong>", level);
    inc_buf_escape(b, inc_status_label(inc_rec_str(m, "status")));
    inc_buf_str(b, "</strong>");
    inc_render_affected(b, m, components);
    inc_buf_str(b, " &middot; ");
    inc_render_time(b, rc, inc_doc_time(m, "scheduledFor"), 0);
    inc_buf_str(b, " &ndash; ");
    inc_render_time(b, rc, inc_doc_time(m, "scheduledUntil"), 0);
    inc_buf_str(b, "</p>");

    latest = cJSON_GetArrayItem(cJSON_GetObjectItem(m, "updates"), 0);
    if (latest != NULL) {
        inc_render_update(b, latest, "div", rc);
    }

    inc_buf_str(b, "</article>");
}


static void
inc_render_actives(inc_buf_t *b, const cJSON *doc,
    const inc_render_ctx_t *rc)
{
    int           incidents, maintenances;
    const cJSON  *list, *inc, *components;

    list = cJSON_GetObjectItem(doc, "activeIncidents");
    components = cJSON_GetObjectItem(doc, "components");
    incidents = cJSON_GetArraySize(list);
    maintenances = cJSON_GetArraySize(cJSON_GetObjectItem(doc,
                                                  "activeMaintenances"));

    inc_buf_printf(b, "<section id=\"active-incidents\" "
                   "aria-labelledby=\"h-active\"%s><h2 id=\"h-active\">"
                   "%s</h2>",
                   incidents + maintenances ? "" : " hidden",
                   incidents == 0 && maintenances ? "Maintenance in progress"
                   : maintenances ? "Active incidents and maintenance"
                   : "Active incidents");

    cJSON_ArrayForEach(inc, list) {
        inc_render_active(b, inc, components, rc);
    }

    cJSON_ArrayForEach(inc, cJSON_GetObjectItem(doc, "activeMaintenances")) {
        inc_render_maint_card(b, inc, components, rc, 3);
    }

    inc_buf_str(b, "</section>");
}


/* the windows to come, soonest first, below the active incidents */
static void
inc_render_upcoming(inc_buf_t *b, const cJSON *doc,
    const inc_render_ctx_t *rc)
{
    const cJSON  *list, *m;

    list = cJSON_GetObjectItem(doc, "upcomingMaintenances");

    inc_buf_printf(b, "<section id=\"scheduled-maintenance\" "
                   "aria-labelledby=\"h-sched\"%s><h2 id=\"h-sched\">"
                   "Upcoming maintenance</h2>",
                   cJSON_GetArraySize(list) ? "" : " hidden");

    cJSON_ArrayForEach(m, list) {
        inc_render_maint_card(b, m, cJSON_GetObjectItem(doc, "components"),
                              rc, 3);
    }

    inc_buf_printf(b, "<p class=\"meta\"><a href=\"%smaintenance.ics\">"
                   "Add the maintenance calendar</a></p></section>",
                   rc->base_path);
}


static void
inc_render_day_title(inc_buf_t *b, const cJSON *day)
{
    int           n, y, m, d, status;
    const cJSON  *inc;

    status = inc_enum_find(inc_component_statuses, INC_COMP_COUNT,
                           inc_rec_str(day, "status"));

    if (sscanf(inc_rec_str(day, "date"), "%d-%d-%d", &y, &m, &d) != 3
        || m < 1 || m > 12)
    {
        return;
    }

    inc_buf_printf(b, "<title>%s %d, %d: %s", inc_months[m - 1], d, y,
                   status < 0 ? "No data"
                              : inc_component_statuses[status].label);
    n = 0;

    cJSON_ArrayForEach(inc, cJSON_GetObjectItem(day, "incidents")) {
        inc_buf_str(b, n++ ? "; " : " - ");
        inc_buf_escape(b, inc_rec_str(inc, "title"));
    }

    inc_buf_str(b, "</title>");
}


/*
 * 90 bars, 4 units apart.  Quiet days run together in one rectangle
 * filled with a tiled pattern, so a component with a clean history costs
 * a few dozen bytes; a day with something to tell gets its own bar and
 * tooltip.
 */
static void
inc_render_bars(inc_buf_t *b, const cJSON *c)
{
    int           d, run, n, quiet, kind, run_kind;
    char          pct[32];
    double        percent;
    const cJSON  *uptime, *days, *day;

    uptime = cJSON_GetObjectItem(c, "uptime");
    days = cJSON_GetObjectItem(uptime, "days");
    n = cJSON_GetArraySize(days);

    if (n == 0) {
        return;
    }

    percent = inc_rec_num(uptime, "percent");

    if (percent >= 99.995) {
        snprintf(pct, sizeof(pct), "100%%");

    } else {
        snprintf(pct, sizeof(pct), "%.2f%%", percent);
    }

    inc_buf_printf(b, "<svg class=\"bars\" viewBox=\"0 0 %d 28\" "
                   "preserveAspectRatio=\"none\" role=\"img\" "
                   "aria-label=\"", n * 4 - 1);
    inc_buf_escape(b, inc_rec_str(c, "name"));
    inc_buf_printf(b, ": %s uptime over the past %d days\">", pct, n);

    run = 0;
    run_kind = -1;

    for (d = 0; d <= n; d++) {
        day = d < n ? cJSON_GetArrayItem(days, d) : NULL;

        /* 0: no data, 1: a quiet day, 2: a day with something to tell */
        if (day == NULL) {
            kind = -1;

        } else if (cJSON_IsNull(cJSON_GetObjectItem(day, "status"))) {
            kind = 0;

        } else {
            quiet = strcmp(inc_rec_str(day, "status"), "operational") == 0
                    && cJSON_GetArraySize(cJSON_GetObjectItem(day,
                                                         "incidents")) == 0;
            kind = quiet ? 1 : 2;
        }

        if (run_kind >= 0 && run_kind < 2 && kind != run_kind) {
            inc_buf_printf(b, "<rect x=\"%d\" width=\"%d\" height=\"28\" "
                           "fill=\"url(#p-%s)\"><title>%s</title></rect>",
                           run * 4, (d - run) * 4 - 1,
                           run_kind ? "ok" : "none",
                           run_kind ? "No downtime" : "No data");
        }

        if (kind != run_kind) {
            run = d;
            run_kind = kind;
        }

        if (kind == 2) {
            inc_buf_printf(b, "<rect x=\"%d\" width=\"3\" height=\"28\" "
                           "rx=\"1\" fill=\"var(--%s)\">", d * 4,
                           inc_rec_str(day, "status"));
            inc_render_day_title(b, day);
            inc_buf_str(b, "</rect>");
            run_kind = -1;
        }
    }

    inc_buf_printf(b, "</svg><div class=\"upl\"><span>%d days ago</span>"
                   "<span>%s uptime</span><span>Today</span></div>", n, pct);
}


static void
inc_render_component_row(inc_buf_t *b, const cJSON *c)
{
    const char  *status;

    status = inc_rec_str(c, "status");

    inc_buf_str(b, "<span class=\"row\"><span class=\"name\">");
    inc_buf_escape(b, inc_rec_str(c, "name"));
    inc_buf_printf(b, "</span><span class=\"st\" style=\"--st:var(--%s)\">",
                   status);
    inc_render_icon(b, status);
    inc_buf_printf(b, "%s</span></span>", inc_comp_label(status));
}


static void
inc_render_component(inc_buf_t *b, const cJSON *c, const cJSON *all)
{
    const cJSON  *m;

    inc_buf_printf(b, "<li class=\"comp\" data-component-id=\"%.0f\" "
                   "data-status=\"%s\">", inc_rec_num(c, "id"),
                   inc_rec_str(c, "status"));

    if (cJSON_IsTrue(cJSON_GetObjectItem(c, "isGroup"))) {
        inc_buf_str(b, "<details open><summary>");
        inc_render_component_row(b, c);
        inc_buf_str(b, "</summary>");

    } else {
        inc_render_component_row(b, c);
    }

    if (inc_rec_str(c, "description")[0]) {
        inc_buf_str(b, "<p class=\"desc\">");
        inc_buf_escape(b, inc_rec_str(c, "description"));
        inc_buf_str(b, "</p>");
    }

    inc_render_bars(b, c);

    if (cJSON_IsTrue(cJSON_GetObjectItem(c, "isGroup"))) {
        inc_buf_str(b, "<ul class=\"comps\">");

        cJSON_ArrayForEach(m, all) {
            if (inc_rec_num(m, "groupId") == inc_rec_num(c, "id")) {
                inc_render_component(b, m, all);
            }
        }

        inc_buf_str(b, "</ul></details>");
    }

    inc_buf_str(b, "</li>");
}


static void
inc_render_components(inc_buf_t *b, const cJSON *doc)
{
    const cJSON  *all, *c;

    all = cJSON_GetObjectItem(doc, "components");

    inc_buf_str(b, "<section id=\"components\" class=\"card\" "
                "aria-labelledby=\"h-components\"><h2 id=\"h-components\">"
                "Components</h2>");

    if (cJSON_GetArraySize(all) == 0) {
        inc_buf_str(b, "<p class=\"quiet\">No components yet.</p>");

    } else {
        inc_buf_str(b, "<ul class=\"comps\">");

        /* members follow their group: only top-level entries here */
        cJSON_ArrayForEach(c, all) {
            if (cJSON_IsNull(cJSON_GetObjectItem(c, "groupId"))
                || inc_rec_name(all, inc_rec_num(c, "groupId")) == NULL)
            {
                inc_render_component(b, c, all);
            }
        }

        inc_buf_str(b, "</ul>");
    }

    inc_buf_str(b, "</section>");
}


static void
inc_render_history_item(inc_buf_t *b, const cJSON *inc,
    const cJSON *components, int level, const inc_render_ctx_t *rc)
{
    const cJSON  *latest;

    inc_render_incident_open(b, inc, "");
    inc_buf_printf(b, "<h%d><a href=\"%sincidents/%.0f\">", level,
                   rc->base_path, inc_rec_num(inc, "id"));
    inc_buf_escape(b, inc_rec_str(inc, "title"));
    inc_buf_printf(b, "</a></h%d><p class=\"meta\">", level);
    inc_render_impact(b, inc);
    inc_buf_escape(b, inc_status_label(inc_rec_str(inc, "status")));
    inc_render_affected(b, inc, components);
    inc_buf_str(b, "</p>");

    latest = cJSON_GetArrayItem(cJSON_GetObjectItem(inc, "updates"), 0);
    if (latest != NULL) {
        inc_render_update(b, latest, "div", rc);
    }

    if (cJSON_IsNumber(cJSON_GetObjectItem(inc, "durationSeconds"))) {
        inc_buf_str(b, "<p class=\"meta\">");
        inc_render_duration(b, inc, rc);
        inc_buf_str(b, "</p>");
    }

    inc_buf_str(b, "</article>");
}


/* the last 14 days, one heading each, incidents under the day they began */
static void
inc_render_recent(inc_buf_t *b, const cJSON *doc, const inc_render_ctx_t *rc)
{
    int           d, n;
    time_t        today, from, started;
    const cJSON  *list, *inc, *components;

    list = cJSON_GetObjectItem(doc, "recentIncidents");
    components = cJSON_GetObjectItem(doc, "components");
    today = inc_day_start(rc->now);

    inc_buf_str(b, "<section id=\"incident-history\" "
                "aria-labelledby=\"h-history\"><h2 id=\"h-history\">"
                "Past incidents</h2>");

    for (d = 0; d < INC_RENDER_RECENT_DAYS; d++) {
        from = today - (time_t) d * INC_DAY;

        inc_buf_str(b, "<div class=\"day\"><h3>");
        inc_render_time(b, rc, from, 1);
        inc_buf_str(b, "</h3>");

        n = 0;

        cJSON_ArrayForEach(inc, list) {
            started = inc_doc_time(inc, "startedAt");

            if (inc_day_start(started) == from
                || (d == INC_RENDER_RECENT_DAYS - 1 && started < from))
            {
                inc_render_history_item(b, inc, components, 4, rc);
                n++;
            }
        }

        if (n == 0) {
            inc_buf_str(b, "<p class=\"quiet\">No incidents reported.</p>");
        }

        inc_buf_str(b, "</div>");
    }

    inc_buf_printf(b, "<p><a href=\"%shistory\">Incident history</a></p>"
                   "</section>", rc->base_path);
}


char *
inc_render_home(const cJSON *doc, const inc_render_ctx_t *rc, size_t *len)
{
    int           position;
    inc_buf_t     b;
    const cJSON  *settings;

    settings = cJSON_GetObjectItem(doc, "settings");
    position = inc_enum_find(inc_positions, INC_POSITION_COUNT,
                             inc_rec_str(settings, "incidentPosition"));

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_render_page_open(&b, settings, NULL, rc, 1);
    inc_buf_str(&b, "<h1 class=\"sr\">");
    inc_buf_escape(&b, inc_rec_str(settings, "pageTitle"));
    inc_buf_str(&b, "</h1>");

    switch (position) {

    case INC_POSITION_BELOW_STATUS:
        inc_render_banner(&b, doc, rc);
        inc_render_actives(&b, doc, rc);
        inc_render_upcoming(&b, doc, rc);
        inc_render_components(&b, doc);
        break;

    case INC_POSITION_BELOW_COMPONENTS:
        inc_render_banner(&b, doc, rc);
        inc_render_components(&b, doc);
        inc_render_actives(&b, doc, rc);
        inc_render_upcoming(&b, doc, rc);
        break;

    default: /* INC_POSITION_TOP */
        inc_render_actives(&b, doc, rc);
        inc_render_upcoming(&b, doc, rc);
        inc_render_banner(&b, doc, rc);
        inc_render_components(&b, doc);
        break;
    }

    inc_render_recent(&b, doc, rc);
    inc_render_page_close(&b, settings, rc);

    return inc_buf_detach(&b, len);
}


char *
inc_render_incident(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len)
{
    int           n, i;
    inc_buf_t     b;
    const cJSON  *settings, *inc, *updates;

    settings = cJSON_GetObjectItem(doc, "settings");
    inc = cJSON_GetObjectItem(doc, "incident");
    updates = cJSON_GetObjectItem(inc, "updates");

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_render_page_open(&b, settings, inc_rec_str(inc, "title"), rc, 1);
    inc_render_incident_open(&b, inc, " box");
    inc_buf_str(&b, "<h1>");
    inc_buf_escape(&b, inc_rec_str(inc, "title"));
    inc_buf_str(&b, "</h1><p class=\"meta\">");
    inc_render_impact(&b, inc);
    inc_buf_str(&b, "<strong>");
    inc_buf_escape(&b, inc_status_label(inc_rec_str(inc, "status")));
    inc_buf_str(&b, "</strong>");
    inc_render_affected(&b, inc, cJSON_GetObjectItem(doc, "components"));
    inc_buf_str(&b, "</p><p class=\"meta\">Started ");
    inc_render_time(&b, rc, inc_doc_time(inc, "startedAt"), 0);

    if (cJSON_IsNumber(cJSON_GetObjectItem(inc, "durationSeconds"))) {
        inc_buf_str(&b, " &middot; ");
        inc_render_duration(&b, inc, rc);
    }

    inc_buf_str(&b, "</p><h2>Updates</h2><ol class=\"timeline\">");

    /* stored newest first; a timeline reads oldest first */
    n = cJSON_GetArraySize(updates);

    for (i = n - 1; i >= 0; i--) {
        inc_render_update(&b, cJSON_GetArrayItem(updates, i), "li", rc);
    }

    if (n == 0) {
        inc_buf_str(&b, "<li><p class=\"quiet\">No updates yet.</p></li>");
    }

    inc_buf_printf(&b, "</ol></article><p><a href=\"%s\">&larr; Current "
                   "status</a></p>", rc->base_path);
    inc_render_page_close(&b, settings, rc);

    return inc_buf_detach(&b, len);
}


char *
inc_render_maintenance(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len)
{
    int           n, i;
    inc_buf_t     b;
    const cJSON  *settings, *m, *updates;

    settings = cJSON_GetObjectItem(doc, "settings");
    m = cJSON_GetObjectItem(doc, "maintenance");
    updates = cJSON_GetObjectItem(m, "updates");

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_render_page_open(&b, settings, inc_rec_str(m, "title"), rc, 1);
    inc_buf_printf(&b, "<article class=\"card inc box\" "
                   "data-maintenance-id=\"%.0f\" data-status=\"",
                   inc_rec_num(m, "id"));
    inc_buf_escape(&b, inc_rec_str(m, "status"));
    inc_buf_str(&b, "\" style=\"--st:var(--under_maintenance)\"><h1>");
    inc_buf_escape(&b, inc_rec_str(m, "title"));
    inc_buf_str(&b, "</h1><p class=\"meta\"><span class=\"badge\">"
                "Scheduled maintenance</span> <strong>");
    inc_buf_escape(&b, inc_status_label(inc_rec_str(m, "status")));
    inc_buf_str(&b, "</strong>");
    inc_render_affected(&b, m, cJSON_GetObjectItem(doc, "components"));
    inc_buf_str(&b, "</p><p class=\"meta\">Window: ");
    inc_render_time(&b, rc, inc_doc_time(m, "scheduledFor"), 0);
    inc_buf_str(&b, " &ndash; ");
    inc_render_time(&b, rc, inc_doc_time(m, "scheduledUntil"), 0);
    inc_buf_str(&b, "</p><h2>Updates</h2><ol class=\"timeline\">");

    /* stored newest first; a timeline reads oldest first */
    n = cJSON_GetArraySize(updates);

    for (i = n - 1; i >= 0; i--) {
        inc_render_update(&b, cJSON_GetArrayItem(updates, i), "li", rc);
    }

    if (n == 0) {
        inc_buf_str(&b, "<li><p class=\"quiet\">No updates yet.</p></li>");
    }

    inc_buf_printf(&b, "</ol></article><p><a href=\"%smaintenance.ics\">"
                   "Add to a calendar</a> &middot; <a href=\"%s\">&larr; "
                   "Current status</a></p>", rc->base_path, rc->base_path);
    inc_render_page_close(&b, settings, rc);

    return inc_buf_detach(&b, len);
}


char *
inc_render_history(const cJSON *doc, const inc_render_ctx_t *rc,
    size_t *len)
{
    int           month;
    time_t        started;
    inc_buf_t     b;
    struct tm     tm;
    const cJSON  *settings, *list, *inc, *components, *next;

    settings = cJSON_GetObjectItem(doc, "settings");
    list = cJSON_GetObjectItem(doc, "incidents");
    components = cJSON_GetObjectItem(doc, "components");
    next = cJSON_GetObjectItem(doc, "nextCursor");

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_render_page_open(&b, settings, "Incident history", rc, 0);
    inc_buf_str(&b, "<h1>Incident history</h1>");

    month = -1;

    cJSON_ArrayForEach(inc, list) {
        started = inc_doc_time(inc, "startedAt");
        gmtime_r(&started, &tm);

        if (tm.tm_year * 12 + tm.tm_mon != month) {
            if (month >= 0) {
                inc_buf_str(&b, "</section>");
            }

            month = tm.tm_year * 12 + tm.tm_mon;
            inc_buf_printf(&b, "<section class=\"month\"><h2>%s %d</h2>",
                           inc_month_names[tm.tm_mon], tm.tm_year + 1900);
        }

        inc_render_history_item(&b, inc, components, 3, rc);
    }

    if (month >= 0) {
        inc_buf_str(&b, "</section>");

    } else {
        inc_buf_str(&b, "<p class=\"quiet\">No incidents reported.</p>");
    }

    if (cJSON_GetArraySize(cJSON_GetObjectItem(doc, "maintenances"))) {
        inc_buf_str(&b, "<section id=\"past-maintenance\" aria-labelledby="
                    "\"h-past-maint\"><h2 id=\"h-past-maint\">Past "
                    "maintenance</h2>");

        cJSON_ArrayForEach(inc, cJSON_GetObjectItem(doc, "maintenances")) {
            inc_render_maint_card(&b, inc, components, rc, 3);
        }

        inc_buf_str(&b, "</section>");
    }

    inc_buf_str(&b, "<nav class=\"box\" aria-label=\"Pages\">");

    if (cJSON_IsString(next)) {
        inc_buf_printf(&b, "<a rel=\"next\" href=\"%shistory?cursor=",
                       rc->base_path);
        inc_buf_escape(&b, next->valuestring);
        inc_buf_str(&b, "\">Older incidents &rarr;</a> ");
    }

    inc_buf_printf(&b, "<a href=\"%shistory\">Latest</a></nav>",
                   rc->base_path);
    inc_render_page_close(&b, settings, rc);

    return inc_buf_detach(&b, len);
}


char *
inc_render_not_found(const inc_render_ctx_t *rc, size_t *len)
{
    inc_buf_t  b;

    if (inc_buf_init(&b, 1024) != 0) {
        return NULL;
    }

    inc_buf_printf(&b, "<!doctype html>\n<html lang=\"en\"><head>"
                   "<meta charset=\"utf-8\"><meta name=\"viewport\" "
                   "content=\"width=device-width,initial-scale=1\">"
                   "<title>Not found</title><style>%s</style></head><body>"
                   "<main id=\"main\" class=\"wrap\"><h1>Not found</h1>"
                   "<p>There is no such page.</p><p><a href=\"%s\">Current "
                   "status</a></p></main></body></html>\n",
                   inc_css, rc->base_path);

    return inc_buf_detach(&b, len);
}


/* feeds: one entry per update, newest first, ids stable per update */

typedef void (*inc_feed_entry_pt)(inc_buf_t *b, const cJSON *inc,
    const cJSON *u, const inc_render_ctx_t *rc);


static void
inc_feed_entries(inc_buf_t *b, const cJSON *doc, const inc_render_ctx_t *rc,
    inc_feed_entry_pt entry)
{
    const cJSON  *inc, *u;

    cJSON_ArrayForEach(inc, cJSON_GetObjectItem(doc, "incidents")) {
        cJSON_ArrayForEach(u, cJSON_GetObjectItem(inc, "updates")) {
            entry(b, inc, u, rc);
        }
    }

    cJSON_ArrayForEach(inc, cJSON_GetObjectItem(doc, "maintenances")) {
        cJSON_ArrayForEach(u, cJSON_GetObjectItem(inc, "updates")) {
            entry(b, inc, u, rc);
        }
    }
}


static void
inc_feed_title(inc_buf_t *b, const cJSON *inc, const cJSON *u)
{
    inc_buf_str(b, "[");
    inc_buf_escape(b, inc_status_label(inc_rec_str(u, "status")));
    inc_buf_str(b, "] ");
    inc_buf_escape(b, inc_rec_str(inc, "title"));
}


/* the update as HTML, escaped once more to travel as feed text */
static void
inc_feed_content(inc_buf_t *b, const cJSON *u)
{
    inc_buf_t  html;

    if (inc_buf_init(&html, 1024) != 0) {
        b->failed = 1;
        return;
    }

    inc_buf_markdown(&html, inc_rec_str(u, "message"));

    if (html.failed) {
        b->failed = 1;

    } else {
        inc_buf_escape(b, html.data);
    }

    inc_buf_free(&html);
}


static void
inc_atom_entry(inc_buf_t *b, const cJSON *inc, const cJSON *u,
    const inc_render_ctx_t *rc)
{
    char    iso[INC_RFC3339_LEN + 1];
    time_t  t;

    t = inc_doc_time(u, "updatedAt");
    if (t == 0) {
        t = inc_doc_time(u, "createdAt");
    }

    inc_time_format(t, iso);

    inc_buf_printf(b, "<entry><id>%s%s%s/%.0f#update-%.0f</id>"
                   "<title>", rc->base_url, rc->base_path, inc_doc_path(inc),
                   inc_rec_num(inc, "id"), inc_rec_num(u, "id"));
    inc_feed_title(b, inc, u);
    inc_buf_printf(b, "</title><link rel=\"alternate\" type=\"text/html\" "
                   "href=\"%s%s%s/%.0f\"/><updated>%s</updated>",
                   rc->base_url, rc->base_path, inc_doc_path(inc),
                   inc_rec_num(inc, "id"), iso);
    inc_time_format(inc_doc_time(u, "createdAt"), iso);
    inc_buf_printf(b, "<published>%s</published><content type=\"html\">",
                   iso);
    inc_feed_content(b, u);
    inc_buf_str(b, "</content></entry>");
}


/* the feed changes when an incident does: the same bytes for one state */
static time_t
inc_feed_updated(const cJSON *doc)
{
    time_t        updated, t;
    const cJSON  *inc;

    updated = 0;

    cJSON_ArrayForEach(inc, cJSON_GetObjectItem(doc, "incidents")) {
        t = inc_doc_time(inc, "updatedAt");
        if (t > updated) {
            updated = t;
        }
    }

    cJSON_ArrayForEach(inc, cJSON_GetObjectItem(doc, "maintenances")) {
        t = inc_doc_time(inc, "updatedAt");
        if (t > updated) {
            updated = t;
        }
    }

    return updated;
}


char *
inc_render_atom(const cJSON *doc, const inc_render_ctx_t *rc, size_t *len)
{
    char          iso[INC_RFC3339_LEN + 1];
    inc_buf_t     b;
    const cJSON  *settings;

    settings = cJSON_GetObjectItem(doc, "settings");

    inc_time_format(inc_feed_updated(doc), iso);

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_buf_str(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>");
    inc_buf_escape(&b, inc_rec_str(settings, "pageTitle"));
    inc_buf_printf(&b, "</title><subtitle>Incidents and their updates"
                   "</subtitle><id>%s%s</id><link rel=\"self\" "
                   "type=\"application/atom+xml\" href=\"%s%sfeed.atom\"/>"
                   "<link rel=\"alternate\" type=\"text/html\" "
                   "href=\"%s%s\"/><updated>%s</updated><author><name>",
                   rc->base_url, rc->base_path, rc->base_url, rc->base_path,
                   rc->base_url, rc->base_path, iso);
    inc_buf_escape(&b, inc_rec_str(settings, "pageTitle"));
    inc_buf_str(&b, "</name></author>");

    inc_feed_entries(&b, doc, rc, inc_atom_entry);

    inc_buf_str(&b, "</feed>\n");

    return inc_buf_detach(&b, len);
}


/* RFC 822 dates, as RSS 2.0 wants them */
static void
inc_rss_date(inc_buf_t *b, time_t t)
{
    struct tm  tm;

    static const char  *wdays[7] = {
        "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
    };

    gmtime_r(&t, &tm);

    inc_buf_printf(b, "%s, %02d %s %d %02d:%02d:%02d GMT", wdays[tm.tm_wday],
                   tm.tm_mday, inc_months[tm.tm_mon], tm.tm_year + 1900,
                   tm.tm_hour, tm.tm_min, tm.tm_sec);
}


static void
inc_rss_item(inc_buf_t *b, const cJSON *inc, const cJSON *u,
    const inc_render_ctx_t *rc)
{
    inc_buf_str(b, "<item><title>");
    inc_feed_title(b, inc, u);
    inc_buf_printf(b, "</title><link>%s%s%s/%.0f</link>"
                   "<guid isPermaLink=\"false\">%s%s%s/%.0f#update-%.0f"
                   "</guid><pubDate>", rc->base_url, rc->base_path,
                   inc_doc_path(inc), inc_rec_num(inc, "id"), rc->base_url,
                   rc->base_path, inc_doc_path(inc), inc_rec_num(inc, "id"),
                   inc_rec_num(u, "id"));
    inc_rss_date(b, inc_doc_time(u, "createdAt"));
    inc_buf_str(b, "</pubDate><description>");
    inc_feed_content(b, u);
    inc_buf_str(b, "</description></item>");
}


char *
inc_render_rss(const cJSON *doc, const inc_render_ctx_t *rc, size_t *len)
{
    inc_buf_t     b;
    const cJSON  *settings;

    settings = cJSON_GetObjectItem(doc, "settings");

    if (inc_buf_init(&b, 16384) != 0) {
        return NULL;
    }

    inc_buf_str(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                "<rss version=\"2.0\" "
                "xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>");
    inc_buf_escape(&b, inc_rec_str(settings, "pageTitle"));
    inc_buf_printf(&b, "</title><link>%s%s</link><description>Incidents and "
                   "their updates</description><atom:link href=\"%s%s"
                   "feed.rss\" rel=\"self\" type=\"application/rss+xml\"/>"
                   "<lastBuildDate>", rc->base_url, rc->base_path,
                   rc->base_url, rc->base_path);
    inc_rss_date(&b, inc_feed_updated(doc));
    inc_buf_str(&b, "</lastBuildDate>");

    inc_feed_entries(&b, doc, rc, inc_rss_item);

    inc_buf_str(&b, "</channel></rss>\n");

    return inc_buf_detach(&b, len);
}
