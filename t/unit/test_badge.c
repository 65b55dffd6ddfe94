/*
 * incident_render_badge: the SVG status badges.  Well-formed XML with the
 * accessible name in aria-label and <title>, every text escaped, widths
 * that follow the text (counted in code points), a colour per status that
 * white text reads on, and the two styles.
 */

#define _GNU_SOURCE

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_render_badge.h"
#include "tap.h"
#include "markup.h"


#define EVIL      "\"'><script>alert('&')</script>"
#define EVIL_ESC  "&quot;&#39;&gt;&lt;script&gt;alert(&#39;&amp;&#39;)" \
                  "&lt;/script&gt;"

#define GREY      "#6b6b6b"


static const struct {
    const char  *status;
    const char  *colour;
} colours[] = {
    { "operational",          "#2e7d32" },
    { "degraded_performance", "#876300" },
    { "partial_outage",       "#bf400c" },
    { "major_outage",         "#c62828" },
    { "under_maintenance",    "#1565c0" },
};

#define NCOLOURS  (sizeof(colours) / sizeof(colours[0]))


/* helpers */

static char *
badge(const char *label, const char *value, const char *status,
    inc_badge_style_t style)
{
    char    *svg;
    size_t   len;

    len = 0;
    svg = inc_render_badge(label, value, status, style, &len);

    if (svg == NULL) {
        diag("  inc_render_badge() returned NULL");
        return NULL;
    }

    if (len != strlen(svg)) {
        diag("  len %zu, strlen %zu", len, strlen(svg));
        free(svg);
        return NULL;
    }

    return svg;
}


/* the value of attribute "name" in the first tag that starts with "tag" */
static int
attr(const char *svg, const char *tag, const char *name, char *out,
    size_t size)
{
    char         pat[64];
    size_t       n;
    const char  *p, *end, *q;

    p = strstr(svg, tag);
    if (p == NULL) {
        return 0;
    }

    end = strchr(p, '>');
    snprintf(pat, sizeof(pat), " %s=\"", name);
    q = strstr(p, pat);

    if (q == NULL || end == NULL || q > end) {
        return 0;
    }

    q += strlen(pat);
    n = strcspn(q, "\"");

    if (n >= size) {
        return 0;
    }

    memcpy(out, q, n);
    out[n] = '\0';

    return 1;
}


static double
num_attr(const char *svg, const char *tag, const char *name)
{
    char  v[64];

    return attr(svg, tag, name, v, sizeof(v)) ? atof(v) : -1;
}


/* the whole badge's width for "label", or -1 */
static double
width_of(const char *label)
{
    char    *svg;
    double   w;

    svg = badge(label, "Operational", "operational", INC_BADGE_FLAT);
    if (svg == NULL) {
        return -1;
    }

    w = num_attr(svg, "<svg", "width");
    free(svg);

    return w;
}


static double
channel(int c)
{
    double  v;

    v = c / 255.0;

    return v <= 0.03928 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}


/* WCAG contrast of white on "#rrggbb", lightened by "white" (0 .. 1) */
static double
contrast(const char *hex, double white)
{
    int     i;
    double  c[3], l;
    char    h[3];

    for (i = 0; i < 3; i++) {
        h[0] = hex[1 + 2 * i];
        h[1] = hex[2 + 2 * i];
        h[2] = '\0';
        c[i] = strtol(h, NULL, 16) * (1 - white) + 255 * white;
        c[i] = channel((int) (c[i] + 0.5));
    }

    l = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];

    return 1.05 / (l + 0.05);
}


/* tests */

static void
test_shape(void)
{
    char  *svg, v[64];

    svg = badge("status", "Operational", "operational", INC_BADGE_FLAT);
    if (!ok(svg != NULL, "a badge")) {
        return;
    }

    ok(strncmp(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"",
               47) == 0, "it starts with the SVG root in its namespace");
    ok(attr(svg, "<svg", "height", v, sizeof(v)) && strcmp(v, "20") == 0,
       "20 pixels high");
    ok(num_attr(svg, "<svg", "width") > 40, "a plausible width (%s)",
       attr(svg, "<svg", "width", v, sizeof(v)) ? v : "none");
    ok(attr(svg, "<svg", "role", v, sizeof(v)) && strcmp(v, "img") == 0,
       "role=\"img\"");
    ok(attr(svg, "<svg", "aria-label", v, sizeof(v))
       && strcmp(v, "status: Operational") == 0,
       "aria-label=\"status: Operational\"");
    is_int(count(svg, "<title>status: Operational</title>"), 1,
           "one <title> with the same text");
    ok(pos(svg, "<title>") < pos(svg, "<rect"), "the title comes first");
    is_int(count(svg, ">status</text>"), 2, "the label, and its shadow");
    is_int(count(svg, ">Operational</text>"), 2, "the value, and its shadow");
    is_int(count(svg, "aria-hidden=\"true\""), 2, "the shadows are hidden");
    ok(strstr(svg, "font-family=\"Verdana,DejaVu Sans,sans-serif\"")
       && strstr(svg, "font-size=\"11\""), "11px Verdana or DejaVu Sans");
    ok(strstr(svg, "fill=\"#555\""), "the label on grey");
    ok(strstr(svg, "<g fill=\"#fff\""), "white text");
    ok(strlen(svg) > 6 && strcmp(svg + strlen(svg) - 7, "</svg>\n") == 0,
       "it ends with </svg>");
    ok(markup_ok(svg, 0), "well-formed XML");
    ok(inc_utf8_valid((unsigned char *) svg, strlen(svg)), "valid UTF-8");

    free(svg);
}


/* the boxes cover the badge: label box, then the value box after it */
static void
test_geometry(void)
{
    char    *svg;
    double   total, lw, vx, vw, lx, tx;

    svg = badge("build", "Partial Outage", "partial_outage",
                INC_BADGE_FLAT_SQUARE);
    if (!ok(svg != NULL, "a flat-square badge")) {
        return;
    }

    total = num_attr(svg, "<svg", "width");
    lw = num_attr(svg, "<rect width", "width");
    vx = num_attr(svg, "<rect x", "x");
    vw = num_attr(svg, "<rect x", "width");
    lx = num_attr(svg, "<text", "x");
    tx = num_attr(svg, "<text", "textLength");

    ok(lw > 0 && vx == lw, "the value box starts where the label's ends "
       "(%g, %g)", lw, vx);
    ok(lw + vw == total, "the boxes fill the width (%g + %g = %g)", lw, vw,
       total);
    ok(lx * 2 == lw, "the label is centred in its box (%g)", lx);
    ok(tx > 0 && tx + 10 <= lw && tx + 11 > lw,
       "its textLength is the measured width, padded by 5 px each side "
       "(%g in %g)", tx, lw);
    ok(total == floor(total) && lw == floor(lw),
       "the boxes are whole pixels");

    free(svg);
}


static void
test_colours(void)
{
    size_t   i, j;
    char    *svg, v[32], seen[NCOLOURS][32];
    int      distinct;

    for (i = 0; i < NCOLOURS; i++) {
        svg = badge("status", "x", colours[i].status, INC_BADGE_FLAT);
        seen[i][0] = '\0';

        if (svg == NULL || !attr(svg, "<rect x", "fill", v, sizeof(v))) {
            ok(0, "a badge for %s", colours[i].status);
            free(svg);
            continue;
        }

        is_str(v, colours[i].colour, "%s is %s", colours[i].status,
               colours[i].colour);
        ok(contrast(v, 0) >= 4.5, "white on %s: %.2f:1", v,
           contrast(v, 0));
        ok(contrast(v, 0.06) >= 4.5,
           "and under the top of flat's shine: %.2f:1", contrast(v, 0.06));
        strcpy(seen[i], v);
        free(svg);
    }

    distinct = 1;
    for (i = 0; i < NCOLOURS; i++) {
        for (j = i + 1; j < NCOLOURS; j++) {
            distinct &= strcmp(seen[i], seen[j]) != 0;
        }
    }
    ok(distinct, "five statuses, five colours");

    svg = badge("status", "Unknown", "no_such_status", INC_BADGE_FLAT);
    ok(svg && attr(svg, "<rect x", "fill", v, sizeof(v))
       && strcmp(v, GREY) == 0, "an unknown status is grey");
    ok(contrast(GREY, 0.06) >= 4.5, "white on grey: %.2f:1",
       contrast(GREY, 0.06));
    free(svg);

    svg = badge("status", "Unknown", NULL, INC_BADGE_FLAT);
    ok(svg && attr(svg, "<rect x", "fill", v, sizeof(v))
       && strcmp(v, GREY) == 0, "no status is grey too");
    free(svg);

    ok(contrast("#555555", 0.06) >= 4.5, "white on the label's grey");
}


static void
test_styles(void)
{
    char  *flat, *square;

    flat = badge("uptime", "Major Outage", "major_outage", INC_BADGE_FLAT);
    square = badge("uptime", "Major Outage", "major_outage",
                   INC_BADGE_FLAT_SQUARE);

    if (!ok(flat && square, "both styles render")) {
        free(flat);
        free(square);
        return;
    }

    ok(strstr(flat, "rx=\"3\"") != NULL, "flat: rounded corners");
    ok(strstr(flat, "<linearGradient") != NULL, "flat: a gradient");
    ok(strstr(flat, "clip-path=\"url(#") != NULL, "flat: clipped round");
    ok(strstr(square, "rx=") == NULL, "flat-square: square corners");
    ok(strstr(square, "Gradient") == NULL, "flat-square: no gradient");
    ok(strstr(square, "clip") == NULL, "flat-square: no clipping");
    ok(num_attr(flat, "<svg", "width") == num_attr(square, "<svg", "width"),
       "the same width in both styles");
    ok(markup_ok(flat, 0) && markup_ok(square, 0),
       "both are well-formed XML");
    ok(strstr(square, "aria-label=\"uptime: Major Outage\"")
       && strstr(square, "<title>uptime: Major Outage</title>"),
       "flat-square: the same accessible name");

    free(flat);
    free(square);
}


static void
test_escaping(void)
{
    char  *svg, v[256];

    svg = badge(EVIL, EVIL " & more", "major_outage", INC_BADGE_FLAT);
    if (!ok(svg != NULL, "a badge with hostile texts")) {
        return;
    }

    ok(markup_ok(svg, 0), "it is well-formed XML");
    ok(strstr(svg, "<script") == NULL, "no <script");
    is_int(count(svg, EVIL_ESC), 8,
           "both texts escaped in aria-label, title, texts and shadows");
    ok(attr(svg, "<svg", "aria-label", v, sizeof(v))
       && strcmp(v, EVIL_ESC ": " EVIL_ESC " &amp; more") == 0,
       "aria-label holds both, escaped");
    ok(strstr(svg, "<title>" EVIL_ESC ": " EVIL_ESC " &amp; more</title>")
       != NULL, "so does the title");
    free(svg);

    svg = badge("a&b", "<c>", "operational", INC_BADGE_FLAT_SQUARE);
    ok(svg && strstr(svg, ">a&amp;b</text>") && strstr(svg, ">&lt;c&gt;<"),
       "& < > in flat-square too");
    ok(svg && markup_ok(svg, 0), "well-formed");
    free(svg);
}


/* tabs, line breaks, other controls and broken UTF-8 cannot reach the XML */
static void
test_clean(void)
{
    char  *svg;

    svg = badge("a\tb\nc\r\x01" "d\x7f", "ok", "operational", INC_BADGE_FLAT);
    ok(svg && strstr(svg, ">a b c  d </text>"),
       "controls become spaces: one line");
    ok(svg && strstr(svg, "aria-label=\"a b c  d : ok\""),
       "in aria-label too");
    free(svg);

    svg = badge("x\xff\xc3(y\xe2\x82", "\xef\xbf\xbe", "operational",
                INC_BADGE_FLAT);
    ok(svg && inc_utf8_valid((unsigned char *) svg, strlen(svg)),
       "invalid UTF-8 in, valid UTF-8 out");
    ok(svg && strstr(svg, ">x\xef\xbf\xbd\xef\xbf\xbd(y\xef\xbf\xbd"
                     "\xef\xbf\xbd</text>"),
       "each bad byte is a U+FFFD");
    ok(svg && strstr(svg, "> </text>"), "U+FFFE, not an XML character, "
       "is a space");
    free(svg);

    svg = badge("", "", "operational", INC_BADGE_FLAT);
    ok(svg && markup_ok(svg, 0) && num_attr(svg, "<svg", "width") == 20,
       "empty texts: two padded boxes");
    ok(svg && strstr(svg, "textLength") == NULL,
       "and no textLength of 0");
    free(svg);

    svg = badge(NULL, NULL, NULL, INC_BADGE_FLAT);
    ok(svg != NULL && markup_ok(svg, 0), "NULL texts are empty ones");
    free(svg);
}


static void
test_widths(void)
{
    double  w0, w1, w2, w3;

    w0 = width_of("");
    w1 = width_of("a");
    w2 = width_of("ab");
    w3 = width_of("a much longer label than that");

    ok(w0 > 0 && w0 < w1 && w1 < w2 && w2 < w3,
       "the width grows with the text (%g < %g < %g < %g)", w0, w1, w2, w3);
    ok(width_of("WWWWWWWWWW") > width_of("iiiiiiiiii") + 50,
       "per-character widths: W is wide, i is narrow (%g, %g)",
       width_of("WWWWWWWWWW"), width_of("iiiiiiiiii"));
    ok(width_of("status") >= w0 + 33 && width_of("status") <= w0 + 38,
       "\"status\" is about 35px at 11px Verdana (%g)",
       width_of("status") - w0);
    ok(width_of("Operational") < width_of("Operational Degraded"),
       "the value's text counts too");

    /* é is 2 bytes, € 3, 𝄞 4: one character each */
    is_int((long) width_of("\xc3\xa9\xc3\xa9\xc3\xa9"),
           (long) width_of("\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"),
           "UTF-8: 3 characters of 2 bytes, as wide as 3 of 3 bytes");
    is_int((long) width_of("\xf0\x9d\x84\x9e\xf0\x9d\x84\x9e"),
           (long) width_of("\xc3\xa9\xc3\xa9"),
           "and 2 of 4 bytes as 2 of 2 bytes");
    is_int((long) (width_of("\xc3\xa9\xc3\xa9\xc3\xa9") - w0), 21,
           "3 accented letters: 3 x 7px, not 6 (bytes)");
    is_int((long) (width_of("\xe6\x97\xa5\xe6\x9c\xac") - w0), 22,
           "2 CJK characters: 2 full ems of 11px");
    is_int((long) (width_of("&&") - w0), (long) (width_of("&") - w0) + 8,
           "an escaped '&' is measured as one character");
}


int
main(void)
{
    test_shape();
    test_geometry();
    test_colours();
    test_styles();
    test_escaping();
    test_clean();
    test_widths();

    return done_testing();
}
