/*
 * Status badges: "label | value" as a small SVG image, flat (rounded, a
 * faint shine) or flat-square.  No font is available where the text is
 * measured, so widths come from a table of approximate Verdana advances at
 * 11px; textLength then makes the viewer fit its own font into that width.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "incident_model.h"
#include "incident_html.h"
#include "incident_render_badge.h"


#define INC_BADGE_HEIGHT     20
#define INC_BADGE_PADDING    50     /* tenths of a pixel, each side */
#define INC_BADGE_NARROW     70     /* a code point not in the table */
#define INC_BADGE_WIDE       110    /* a full em: CJK, Hangul, emoji */
#define INC_BADGE_REPLACE    0xfffd

#define INC_BADGE_LABEL_BG   "#555"
#define INC_BADGE_UNKNOWN    "#6b6b6b"
#define INC_BADGE_FONT       "Verdana,DejaVu Sans,sans-serif"


/*
 * Advance widths of ASCII 0x20 .. 0x7e in tenths of a pixel at 11px,
 * rounded from Verdana's metrics (2048 units to the em).
 */
static const unsigned char  inc_badge_ascii[95] = {
    /*  sp   !    "    #    $    %    &    '    (    )    *    +  */
        39,  44,  56,  91,  70, 120,  80,  30,  54,  54,  70,  91,
    /*  ,    -    .    /    0    1    2    3    4    5    6    7  */
        40,  46,  40,  54,  70,  70,  70,  70,  70,  70,  70,  70,
    /*  8    9    :    ;    <    =    >    ?    @    A    B    C  */
        70,  70,  48,  48,  91,  91,  91,  60, 110,  75,  75,  77,
    /*  D    E    F    G    H    I    J    K    L    M    N    O  */
        85,  69,  63,  85,  83,  46,  49,  75,  61,  92,  82,  87,
    /*  P    Q    R    S    T    U    V    W    X    Y    Z    [  */
        66,  87,  76,  75,  66,  81,  75, 109,  75,  66,  75,  54,
    /*  \    ]    ^    _    `    a    b    c    d    e    f    g  */
        54,  54,  91,  70,  70,  66,  68,  57,  68,  65,  39,  68,
    /*  h    i    j    k    l    m    n    o    p    q    r    s  */
        70,  30,  38,  64,  30, 107,  70,  67,  68,  68,  47,  57,
    /*  t    u    v    w    x    y    z    {    |    }    ~       */
        43,  70,  64,  90,  64,  64,  57,  70,  54,  70,  91
};


/*
 * Value colours, each dark enough for white 11px text at 4.5:1 or more
 * (WCAG AA) even under the top edge of the shine of "flat", which lightens
 * by 6% there.
 */
static const struct {
    const char  *status;
    const char  *colour;
} inc_badge_colours[] = {
    { "operational",          "#2e7d32" },     /* green, 5.1:1 */
    { "degraded_performance", "#876300" },     /* yellow-brown, 5.5:1 */
    { "partial_outage",       "#bf400c" },     /* orange, 5.3:1 */
    { "major_outage",         "#c62828" },     /* red, 5.6:1 */
    { "under_maintenance",    "#1565c0" },     /* blue, 5.8:1 */
};


typedef struct {
    char    *text;        /* one line, valid UTF-8, XML characters only */
    size_t   width;       /* of the text, tenths of a pixel */
    size_t   box;         /* of its part of the badge, tenths of a pixel */
} inc_badge_part_t;


static const char *
inc_badge_colour(const char *status)
{
    size_t  i;

    for (i = 0; status != NULL && i < sizeof(inc_badge_colours)
                                      / sizeof(inc_badge_colours[0]); i++)
    {
        if (strcmp(status, inc_badge_colours[i].status) == 0) {
            return inc_badge_colours[i].colour;
        }
    }

    return INC_BADGE_UNKNOWN;
}


/*
 * The code point at *p, moving *p past it; an invalid sequence is one
 * U+FFFD for its first byte, so that whatever comes in, what goes out is
 * text an XML parser takes.
 */
static uint32_t
inc_badge_next(const unsigned char **p)
{
    size_t                n, k;
    uint32_t              cp;
    const unsigned char  *s;

    s = *p;
    n = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;

    for (k = 1; k < n && s[k] != '\0'; k++) {
        /* void: a NUL ends the string, never a sequence */
    }

    if (k < n || !inc_utf8_valid(s, n)) {
        *p = s + 1;
        return INC_BADGE_REPLACE;
    }

    *p = s + n;

    if (n == 1) {
        return s[0];
    }

    cp = s[0] & (0x7f >> n);

    for (k = 1; k < n; k++) {
        cp = (cp << 6) | (s[k] & 0x3f);
    }

    return cp;
}


/* East Asian wide characters and emoji take about a full em */
static int
inc_badge_is_wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115f)
           || (cp >= 0x2e80 && cp <= 0xa4cf)
           || (cp >= 0xac00 && cp <= 0xd7a3)
           || (cp >= 0xf900 && cp <= 0xfaff)
           || (cp >= 0xfe30 && cp <= 0xfe4f)
           || (cp >= 0xff00 && cp <= 0xff60)
           || (cp >= 0xffe0 && cp <= 0xffe6)
           || (cp >= 0x1f300 && cp <= 0x1faff)
           || (cp >= 0x20000 && cp <= 0x3fffd);
}


static size_t
inc_badge_advance(uint32_t cp)
{
    if (cp >= 0x20 && cp < 0x7f) {
        return inc_badge_ascii[cp - 0x20];
    }

    return inc_badge_is_wide(cp) ? INC_BADGE_WIDE : INC_BADGE_NARROW;
}


static void
inc_badge_put(inc_buf_t *b, uint32_t cp)
{
    char  u[4];

    if (cp < 0x80) {
        u[0] = (char) cp;
        inc_buf_add(b, u, 1);

    } else if (cp < 0x800) {
        u[0] = (char) (0xc0 | (cp >> 6));
        u[1] = (char) (0x80 | (cp & 0x3f));
        inc_buf_add(b, u, 2);

    } else if (cp < 0x10000) {
        u[0] = (char) (0xe0 | (cp >> 12));
        u[1] = (char) (0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char) (0x80 | (cp & 0x3f));
        inc_buf_add(b, u, 3);

    } else {
        u[0] = (char) (0xf0 | (cp >> 18));
        u[1] = (char) (0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char) (0x80 | ((cp >> 6) & 0x3f));
        u[3] = (char) (0x80 | (cp & 0x3f));
        inc_buf_add(b, u, 4);
    }
}


/*
 * A badge is one line: tabs and line breaks (which names may have) become
 * spaces, and so do the characters XML 1.0 has no place for.
 */
static int
inc_badge_part(inc_badge_part_t *part, const char *s)
{
    uint32_t              cp;
    inc_buf_t             b;
    const unsigned char  *p;

    if (inc_buf_init(&b, 64) != 0) {
        return -1;
    }

    part->width = 0;

    for (p = (const unsigned char *) (s ? s : ""); *p; /* void */) {
        cp = inc_badge_next(&p);

        if (cp < 0x20 || cp == 0x7f || cp == 0xfffe || cp == 0xffff) {
            cp = ' ';
        }

        inc_badge_put(&b, cp);
        part->width += inc_badge_advance(cp);
    }

    /* whole pixels for the boxes, so that their edges are crisp */
    part->box = (part->width + 9) / 10 * 10 + 2 * INC_BADGE_PADDING;
    part->text = inc_buf_detach(&b, NULL);

    return part->text ? 0 : -1;
}


/* tenths of a pixel as an SVG number: "37", "37.5" */
static void
inc_badge_number(inc_buf_t *b, size_t tenths)
{
    if (tenths % 10) {
        inc_buf_printf(b, "%zu.%zu", tenths / 10, tenths % 10);

    } else {
        inc_buf_printf(b, "%zu", tenths / 10);
    }
}


static void
inc_badge_open(inc_buf_t *b, inc_badge_part_t *label,
    inc_badge_part_t *value, size_t width)
{
    inc_buf_str(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"");
    inc_badge_number(b, width);
    inc_buf_printf(b, "\" height=\"%d\" role=\"img\" aria-label=\"",
                   INC_BADGE_HEIGHT);
    inc_buf_escape(b, label->text);
    inc_buf_str(b, ": ");
    inc_buf_escape(b, value->text);
    inc_buf_str(b, "\"><title>");
    inc_buf_escape(b, label->text);
    inc_buf_str(b, ": ");
    inc_buf_escape(b, value->text);
    inc_buf_str(b, "</title>");
}


/* the two boxes; "flat" rounds them off and adds the shine on top */
static void
inc_badge_boxes(inc_buf_t *b, inc_badge_part_t *label, const char *colour,
    size_t width, inc_badge_style_t style)
{
    if (style == INC_BADGE_FLAT) {
        inc_buf_str(b, "<linearGradient id=\"inc-badge-shine\" x2=\"0\" "
                    "y2=\"100%\"><stop offset=\"0\" stop-color=\"#fff\" "
                    "stop-opacity=\".06\"/><stop offset=\"1\" "
                    "stop-opacity=\".1\"/></linearGradient>"
                    "<clipPath id=\"inc-badge-round\"><rect width=\"");
        inc_badge_number(b, width);
        inc_buf_printf(b, "\" height=\"%d\" rx=\"3\"/></clipPath>"
                       "<g clip-path=\"url(#inc-badge-round)\">",
                       INC_BADGE_HEIGHT);

    } else {
        inc_buf_str(b, "<g shape-rendering=\"crispEdges\">");
    }

    inc_buf_str(b, "<rect width=\"");
    inc_badge_number(b, label->box);
    inc_buf_printf(b, "\" height=\"%d\" fill=\"" INC_BADGE_LABEL_BG "\"/>"
                   "<rect x=\"", INC_BADGE_HEIGHT);
    inc_badge_number(b, label->box);
    inc_buf_str(b, "\" width=\"");
    inc_badge_number(b, width - label->box);
    inc_buf_printf(b, "\" height=\"%d\" fill=\"%s\"/>", INC_BADGE_HEIGHT,
                   colour);

    if (style == INC_BADGE_FLAT) {
        inc_buf_str(b, "<rect width=\"");
        inc_badge_number(b, width);
        inc_buf_printf(b, "\" height=\"%d\" fill=\"url(#inc-badge-shine)\"/>",
                       INC_BADGE_HEIGHT);
    }

    inc_buf_str(b, "</g>");
}


/* a text centred on "x": its shadow a pixel lower, then itself */
static void
inc_badge_text(inc_buf_t *b, inc_badge_part_t *part, size_t x)
{
    int  shadow;

    for (shadow = 1; shadow >= 0; shadow--) {
        inc_buf_str(b, "<text x=\"");
        inc_badge_number(b, x);
        inc_buf_printf(b, "\" y=\"%d\"", shadow ? 15 : 14);

        if (shadow) {
            inc_buf_str(b, " fill=\"#010101\" fill-opacity=\".3\" "
                        "aria-hidden=\"true\"");
        }

        if (part->width) {
            inc_buf_str(b, " textLength=\"");
            inc_badge_number(b, part->width);
            inc_buf_str(b, "\"");
        }

        inc_buf_str(b, ">");
        inc_buf_escape(b, part->text);
        inc_buf_str(b, "</text>");
    }
}


static char *
inc_badge_svg(inc_badge_part_t *label, inc_badge_part_t *value,
    const char *colour, inc_badge_style_t style, size_t *len)
{
    size_t     width;
    inc_buf_t  b;

    if (inc_buf_init(&b, 1536) != 0) {
        return NULL;
    }

    width = label->box + value->box;

    inc_badge_open(&b, label, value, width);
    inc_badge_boxes(&b, label, colour, width, style);

    inc_buf_str(&b, "<g fill=\"#fff\" text-anchor=\"middle\" "
                "font-family=\"" INC_BADGE_FONT "\" font-size=\"11\">");
    inc_badge_text(&b, label, label->box / 2);
    inc_badge_text(&b, value, label->box + value->box / 2);
    inc_buf_str(&b, "</g></svg>\n");

    return inc_buf_detach(&b, len);
}


char *
inc_render_badge(const char *label, const char *value, const char *status,
    inc_badge_style_t style, size_t *len)
{
    char              *svg;
    inc_badge_part_t   l, v;

    l.text = NULL;
    v.text = NULL;
    svg = NULL;

    if (inc_badge_part(&l, label) == 0 && inc_badge_part(&v, value) == 0) {
        svg = inc_badge_svg(&l, &v, inc_badge_colour(status), style, len);
    }

    free(l.text);
    free(v.text);

    return svg;
}
