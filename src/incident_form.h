/*
 * HTML forms: application/x-www-form-urlencoded bodies, and the mapping of
 * the admin UI's forms onto the JSON documents the API takes, so that a
 * form and an API call go through the same validation and the same store
 * code.  Plain C, no nginx types.
 */

#ifndef _INCIDENT_FORM_H_INCLUDED_
#define _INCIDENT_FORM_H_INCLUDED_


#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>


typedef enum {
    INC_FORM_INCIDENT_CREATE = 0,
    INC_FORM_INCIDENT_EDIT,
    INC_FORM_UPDATE_CREATE,
    INC_FORM_UPDATE_EDIT,
    INC_FORM_COMPONENT,
    INC_FORM_SETTINGS,
    INC_FORM_COMPONENT_MOVE,
    INC_FORM_SUBSCRIBE,          /* the public page's */
    INC_FORM_SUBSCRIBER,         /* the admin's: any type */
    INC_FORM_MAINT_CREATE,       /* times as typed: see inc_form_window() */
    INC_FORM_MAINT_EDIT,
    INC_FORM_MAINT_UPDATE,
    INC_FORM_MAINT_START,        /* "Start now": a fixed update */
    INC_FORM_MAINT_COMPLETE,     /* "Complete now" */
    INC_FORM_COUNT
} inc_form_t;


/*
 * Parses "a=1&b=x+y&c=%C3%A9" into an object whose values are arrays of
 * strings, in order: {"a": ["1"], "b": ["x y"], "c": ["é"]}.  NULL when a
 * value is not valid UTF-8 or memory ran out.
 */
cJSON *inc_form_parse(const char *body, size_t len);

/* the first value of "name", or NULL */
const char *inc_form_value(const cJSON *form, const char *name);

/* the API document a submitted form stands for */
cJSON *inc_form_to_json(inc_form_t form, const cJSON *fields);

/*
 * A maintenance window's "scheduledFor" and "scheduledUntil" as the
 * datetime-local controls send them ("2026-11-27T22:00", seconds
 * optional) become RFC 3339 UTC times in "in".  They are read in the zone
 * that TZ names when "local" is set (the caller set TZ; "zone" is its name
 * for the messages), else in UTC.  A time that is empty, not a time, before
 * 2000, or one the zone skips or repeats when its clocks change is an error
 * of its field in "errors", and is taken out of "in".
 */
void inc_form_window(cJSON *in, int local, const char *zone,
    cJSON *errors);

/* of several errors of one field, the first; the others go */
void inc_form_errors_first(cJSON *errors);

/*
 * "2026-11-27T23:00" (with ":SS" when the seconds are not 0), the value of
 * a datetime-local control for "t", in the zone TZ names or in UTC.
 */
void inc_form_local_value(time_t t, int local, char *buf, size_t size);


#endif /* _INCIDENT_FORM_H_INCLUDED_ */
