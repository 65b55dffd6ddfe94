/*
 * The subscribe, confirm and unsubscribe pages.  A confirmation or
 * unsubscribe link only shows a button: mail scanners follow links, and
 * following one must change nothing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_store.h"
#include "incident_html.h"
#include "incident_render.h"


static const char *
inc_sub_field_error(const inc_sub_page_t *sp, const char *field)
{
    const cJSON  *e;

    cJSON_ArrayForEach(e, sp->errors) {
        if (strcmp(inc_rec_str(e, "field"), field) == 0) {
            return inc_rec_str(e, "message");
        }
    }

    return NULL;
}


static int
inc_sub_checked(const inc_sub_page_t *sp, double id)
{
    char          buf[32];
    const cJSON  *v;

    snprintf(buf, sizeof(buf), "%.0f", id);

    cJSON_ArrayForEach(v, cJSON_GetObjectItem(sp->form, "componentIds")) {
        if (cJSON_IsString(v) && strcmp(v->valuestring, buf) == 0) {
            return 1;
        }
    }

    return 0;
}


static void
inc_sub_form(inc_buf_t *b, const cJSON *doc, const inc_render_ctx_t *rc,
    const inc_sub_page_t *sp)
{
    const char   *error, *email;
    const cJSON  *c, *v, *components;

    components = cJSON_GetObjectItem(doc, "components");
    error = inc_sub_field_error(sp, "email");
    v = cJSON_GetArrayItem(cJSON_GetObjectItem(sp->form, "email"), 0);
    email = cJSON_IsString(v) ? v->valuestring : "";

    inc_buf_str(b, "<h1>Subscribe to updates</h1><p>Get an email whenever "
                "an incident is created or updated. We send a confirmation "
                "link first; nothing else arrives until you follow it, and "
                "every mail has an unsubscribe link.</p>");

    if (sp->errors != NULL && cJSON_GetArraySize(sp->errors)) {
        inc_buf_str(b, "<p class=\"err\" role=\"alert\">The subscription "
                    "was not made: correct the fields marked below.</p>");
    }

    inc_buf_printf(b, "<form class=\"form card\" method=\"post\" "
                   "action=\"%ssubscribe\"><label for=\"email\">Email "
                   "address</label>", rc->base_path);

    if (error != NULL) {
        inc_buf_str(b, "<p class=\"err\" id=\"email-error\">");
        inc_buf_escape(b, error);
        inc_buf_str(b, "</p>");
    }

    inc_buf_str(b, "<input type=\"email\" id=\"email\" name=\"email\" "
                "required autocomplete=\"email\" maxlength=\"254\" value=\"");
    inc_buf_escape(b, email);
    inc_buf_str(b, error ? "\" aria-invalid=\"true\" "
                "aria-describedby=\"email-error\">" : "\">");

    if (cJSON_GetArraySize(components) > 0) {
        inc_buf_str(b, "<fieldset><legend>Components (optional)</legend>"
                    "<p class=\"desc\">Choose none to hear about every "
                    "incident.</p>");

        error = inc_sub_field_error(sp, "componentIds");

        if (error != NULL) {
            inc_buf_str(b, "<p class=\"err\">");
            inc_buf_escape(b, error);
            inc_buf_str(b, "</p>");
        }

        cJSON_ArrayForEach(c, components) {
            inc_buf_printf(b, "<label><input type=\"checkbox\" "
                           "name=\"componentIds\" value=\"%.0f\"%s>",
                           inc_rec_num(c, "id"),
                           inc_sub_checked(sp, inc_rec_num(c, "id"))
                           ? " checked" : "");
            inc_buf_escape(b, inc_rec_str(c, "name"));
            inc_buf_str(b, "</label>");
        }

        inc_buf_str(b, "</fieldset>");
    }

    inc_buf_printf(b, "<p><button class=\"btn\" type=\"submit\">Subscribe"
                   "</button></p></form><p>Prefer a feed? Follow the <a "
                   "href=\"%sfeed.atom\">Atom</a> or <a href=\"%sfeed.rss\">"
                   "RSS</a> feed.</p>", rc->base_path, rc->base_path);
}


/* a form whose only field is the link's token, and its button */
static void
inc_sub_button(inc_buf_t *b, const inc_render_ctx_t *rc, const char *action,
    const char *token, const char *extra, const char *label)
{
    inc_buf_printf(b, "<form class=\"form card\" method=\"post\" "
                   "action=\"%s%s?token=", rc->base_path, action);
    inc_buf_escape(b, token);
    inc_buf_str(b, "\"><input type=\"hidden\" name=\"token\" value=\"");
    inc_buf_escape(b, token);
    inc_buf_printf(b, "\">%s<button class=\"btn\" type=\"submit\">%s"
                   "</button></form>", extra, label);
}


char *
inc_render_subscribe(const cJSON *doc, const inc_render_ctx_t *rc,
    const inc_sub_page_t *sp, size_t *len)
{
    inc_buf_t     b;
    const char   *page, *title;
    const cJSON  *settings;

    static const char  *titles[] = {
        "Subscribe", "Check your inbox", "Confirm your subscription",
        "Subscription confirmed", "Unsubscribe", "Unsubscribed",
        "This link does not work"
    };

    settings = cJSON_GetObjectItem(doc, "settings");
    page = inc_rec_str(settings, "pageTitle");
    title = titles[sp->view];

    if (inc_buf_init(&b, 8192) != 0) {
        return NULL;
    }

    inc_render_page_open(&b, settings, title, rc, 0);

    switch (sp->view) {

    case INC_SUB_FORM:
        inc_sub_form(&b, doc, rc, sp);
        break;

    case INC_SUB_SENT:
        inc_buf_str(&b, "<h1>Check your inbox</h1><p role=\"status\">If "
                    "this address can receive updates, a confirmation link "
                    "is on its way to it. Follow the link to start "
                    "receiving updates; nothing else is sent until then."
                    "</p>");
        break;

    case INC_SUB_CONFIRM:
        inc_buf_str(&b, "<h1>Confirm your subscription</h1><p>Confirm to "
                    "receive an email whenever an incident of ");
        inc_buf_escape(&b, page);
        inc_buf_str(&b, " is created or updated.</p>");
        inc_sub_button(&b, rc, "subscribe/confirm", sp->token, "",
                       "Confirm subscription");
        break;

    case INC_SUB_CONFIRMED:
        inc_buf_printf(&b, "<h1>Subscription confirmed</h1><p role=\"status"
                       "\">You will receive an email whenever an incident "
                       "is created or updated. Every mail has an "
                       "unsubscribe link.</p><p><a href=\"%s\">Current "
                       "status</a></p>", rc->base_path);
        break;

    case INC_SUB_UNSUBSCRIBE:
        inc_buf_str(&b, "<h1>Unsubscribe</h1><p>Stop receiving incident "
                    "updates of ");
        inc_buf_escape(&b, page);
        inc_buf_str(&b, " at this address?</p>");
        inc_sub_button(&b, rc, "unsubscribe", sp->token,
                       "<input type=\"hidden\" name=\"List-Unsubscribe\" "
                       "value=\"One-Click\">", "Unsubscribe");
        break;

    case INC_SUB_UNSUBSCRIBED:
        inc_buf_printf(&b, "<h1>You are unsubscribed</h1><p role=\"status\">"
                       "This address will receive no more updates.</p>"
                       "<p><a href=\"%ssubscribe\">Subscribe again</a></p>",
                       rc->base_path);
        break;

    default: /* INC_SUB_PROBLEM */
        inc_buf_str(&b, "<h1>This link does not work</h1><p>");
        inc_buf_escape(&b, sp->detail ? sp->detail : "");
        inc_buf_printf(&b, "</p><p><a href=\"%ssubscribe\">Subscribe again"
                       "</a></p>", rc->base_path);
        break;
    }

    inc_render_page_close(&b, settings, rc);

    return inc_buf_detach(&b, len);
}
