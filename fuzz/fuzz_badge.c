/*
 * The status badge's query string (/badge.svg?style=flat-square&label=x),
 * as ngx_http_incident_badge_args() reads it with inc_form_parse(), and
 * the SVG inc_render_badge() makes of the label: only the badge's own
 * elements, the label escaped.
 */

#include "fuzz.h"

#include <ctype.h>

#include <cjson/cJSON.h>

#include "incident_model.h"
#include "incident_form.h"
#include "incident_render_badge.h"


#define FZ_LABEL_MAX  64        /* NGX_HTTP_INCIDENT_LABEL_MAX */


static const char  *fz_elements[] = {
    "svg", "title", "linearGradient", "stop", "clipPath", "rect", "g",
    "text", "path", NULL
};


static void
fz_check_svg(const char *svg, size_t len)
{
    size_t             n;
    const char        *p, *name, **e;

    FZ_ASSERT(strlen(svg) == len, "badge length");
    FZ_ASSERT(inc_utf8_valid((unsigned char *) svg, len),
              "the badge is not UTF-8");

    for (p = svg; (p = strchr(p, '<')) != NULL; ) {
        p++;

        if (*p == '/') {
            p++;
        }

        for (name = p; isalpha((unsigned char) *p); p++) {
            /* void */
        }

        n = (size_t) (p - name);

        for (e = fz_elements; *e; e++) {
            if (strlen(*e) == n && strncmp(*e, name, n) == 0) {
                break;
            }
        }

        FZ_ASSERT(*e != NULL, "an element the badge does not make");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t              st;
    char               *args, *svg;
    size_t              n, len;
    cJSON              *form;
    const char         *style, *label, *c;
    inc_badge_style_t   style_v;

    static const char  *statuses[] = {
        "operational", "under_maintenance", "degraded_performance",
        "partial_outage", "major_outage", "", "unknown"
    };

    if (size == 0) {
        return 0;
    }

    /* r->args: not NUL-terminated */
    args = fz_copy(data, size);
    form = inc_form_parse(args, size);

    if (form == NULL) {
        free(args);
        return 0;
    }

    style_v = INC_BADGE_FLAT;
    style = inc_form_value(form, "style");
    st = 0;

    if (style != NULL && strcmp(style, "flat-square") == 0) {
        style_v = INC_BADGE_FLAT_SQUARE;

    } else if (style != NULL && strcmp(style, "flat") != 0) {
        goto done;
    }

    label = inc_form_value(form, "label");

    if (label != NULL) {
        for (c = label; *c; c++) {
            if ((unsigned char) *c < 0x20 || *c == 0x7f) {
                break;
            }
        }

        n = inc_utf8_length(label);

        if (n == 0 || n > FZ_LABEL_MAX || *c != '\0') {
            goto done;
        }

    } else {
        label = "status";
    }

    st = data[size - 1] % (sizeof(statuses) / sizeof(statuses[0]));

    svg = inc_render_badge(label,
                           inc_enum_label(inc_component_statuses,
                                          INC_COMP_COUNT,
                                          statuses[st]),
                           statuses[st], style_v, &len);

    if (svg != NULL) {
        fz_check_svg(svg, len);
        free(svg);
    }

done:

    cJSON_Delete(form);
    free(args);

    return 0;
}
