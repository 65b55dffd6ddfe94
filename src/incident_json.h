/*
 * API documents: stored records turned into the JSON that clients see
 * (times as RFC 3339, derived fields), and RFC 9457 problem documents.
 */

#ifndef _INCIDENT_JSON_H_INCLUDED_
#define _INCIDENT_JSON_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>


void inc_json_add_time(cJSON *obj, const char *name, time_t t);

/* adds "item", or frees it when there is no memory for the member */
void inc_json_add(cJSON *obj, const char *name, cJSON *item);

cJSON *inc_json_update(const cJSON *rec);
cJSON *inc_json_incident(const cJSON *rec, cJSON *updates,
    const char *base_url);
cJSON *inc_json_component(const cJSON *rec, int status, int is_group);
cJSON *inc_json_settings(const cJSON *rec);
cJSON *inc_json_audit(const cJSON *rec);

/*
 * A request body: one JSON object, valid UTF-8 without NUL (raw or
 * escaped: C strings would end there).  NULL with "*error" saying why.
 */
cJSON *inc_json_parse_body(const char *data, size_t len, const char **error);

cJSON *inc_json_problem(int status, const char *detail, cJSON *errors);
cJSON *inc_json_list(cJSON *data, uint64_t next_cursor);


#endif /* _INCIDENT_JSON_H_INCLUDED_ */
