/*
 * Status badges: small SVG images in the shields.io look, for READMEs and
 * dashboards.
 */

#ifndef _INCIDENT_RENDER_BADGE_H_INCLUDED_
#define _INCIDENT_RENDER_BADGE_H_INCLUDED_


#include <stddef.h>


typedef enum {
    INC_BADGE_FLAT = 0,
    INC_BADGE_FLAT_SQUARE
} inc_badge_style_t;


/*
 * The badge "label | value", coloured by "status" (a component status
 * value such as "partial_outage").  Returns malloc()ed SVG, or NULL.
 */
char *inc_render_badge(const char *label, const char *value,
    const char *status, inc_badge_style_t style, size_t *len);


#endif /* _INCIDENT_RENDER_BADGE_H_INCLUDED_ */
