/*
 * Incidents opened, updated and resolved by Prometheus Alertmanager's
 * webhook notifications (payload version 4).  Plain C over cJSON.
 */

#ifndef _INCIDENT_ALERTMANAGER_H_INCLUDED_
#define _INCIDENT_ALERTMANAGER_H_INCLUDED_


#include <stddef.h>
#include <time.h>
#include <cjson/cJSON.h>


#define INC_AM_GROUP_KEY_MAX  4096
#define INC_AM_ALERTS_MAX     1000
#define INC_AM_DEFAULT        "default"    /* the fallback's severity */


/* an operator's "severity label value -> impact" entry */
typedef struct {
    const char  *severity;       /* compared without case; or "default" */
    int          impact;         /* INC_IMPACT_* */
} inc_am_severity_t;


/* the impact a severity gets: the operator's map first, then ours */
int inc_am_impact(const inc_am_severity_t *map, size_t n,
    const char *severity);

/*
 * Validates a notification and writes what INC_OP_ALERTMANAGER needs into
 * "out": groupKey, firing, digest, title, impact, startedAt, description,
 * components, firingNames and resolvedNames.
 */
void inc_am_parse(const cJSON *in, const inc_am_severity_t *map, size_t n,
    time_t now, cJSON *out, cJSON *errors);


#endif /* _INCIDENT_ALERTMANAGER_H_INCLUDED_ */
