/*
 * HTML forms: application/x-www-form-urlencoded bodies, and the mapping of
 * the admin UI's forms onto the JSON documents the API takes, so that a
 * form and an API call go through the same validation and the same store
 * code.  Plain C, no nginx types.
 */

#ifndef _INCIDENT_FORM_H_INCLUDED_
#define _INCIDENT_FORM_H_INCLUDED_


#include <stddef.h>
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


#endif /* _INCIDENT_FORM_H_INCLUDED_ */
