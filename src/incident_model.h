/*
 * Incident domain model: enumerations, input validation, status rules,
 * times and durations.  Plain C over cJSON: no nginx, no I/O, so that every
 * rule is unit-testable on its own.
 */

#ifndef _INCIDENT_MODEL_H_INCLUDED_
#define _INCIDENT_MODEL_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cjson/cJSON.h>


#define INC_TITLE_MAX          200
#define INC_NAME_MAX           100
#define INC_DESCRIPTION_MAX    2000
#define INC_MESSAGE_MAX        20000
#define INC_COMPONENT_IDS_MAX  500
#define INC_RFC3339_LEN        20          /* "2026-11-27T10:00:00Z" */


typedef struct {
    const char  *value;
    const char  *label;
    const char  *meaning;
} inc_enum_t;


/* incident status, lifecycle order */
enum {
    INC_STATUS_INVESTIGATING = 0,
    INC_STATUS_IDENTIFIED,
    INC_STATUS_MONITORING,
    INC_STATUS_RESOLVED,
    INC_STATUS_COUNT
};

/* maintenance status, lifecycle order */
enum {
    INC_MAINT_SCHEDULED = 0,
    INC_MAINT_IN_PROGRESS,
    INC_MAINT_VERIFYING,
    INC_MAINT_COMPLETED,
    INC_MAINT_COUNT
};

#define INC_REMIND_DEFAULT  60          /* minutes before a window */

/* what the timer (or "Start now", "Complete now") posts */
#define INC_MAINT_STARTED_TEXT    "Scheduled maintenance is now in progress."
#define INC_MAINT_COMPLETED_TEXT  "Scheduled maintenance has completed."
#define INC_REMIND_MAX      10080       /* a week */

/* impact, most severe first */
enum {
    INC_IMPACT_CRITICAL = 0,
    INC_IMPACT_MAJOR,
    INC_IMPACT_MINOR,
    INC_IMPACT_NONE,
    INC_IMPACT_COUNT
};

/* in the overall status, a maintenance in progress that names no component */
#define INC_IMPACT_MAINTENANCE  INC_IMPACT_COUNT

/* component status, ordered by severity so that "worst of" is a max() */
enum {
    INC_COMP_OPERATIONAL = 0,
    INC_COMP_UNDER_MAINTENANCE,
    INC_COMP_DEGRADED_PERFORMANCE,
    INC_COMP_PARTIAL_OUTAGE,
    INC_COMP_MAJOR_OUTAGE,
    INC_COMP_COUNT
};

/* the order of inc_channel_t */
enum {
    INC_SUBSCRIBER_EMAIL = 0,
    INC_SUBSCRIBER_WEBHOOK,
    INC_SUBSCRIBER_SLACK,
    INC_SUBSCRIBER_DISCORD,
    INC_SUBSCRIBER_COUNT
};

enum {
    INC_POSITION_TOP = 0,
    INC_POSITION_BELOW_STATUS,
    INC_POSITION_BELOW_COMPONENTS,
    INC_POSITION_COUNT
};


extern const inc_enum_t  inc_incident_statuses[INC_STATUS_COUNT];
extern const inc_enum_t  inc_impacts[INC_IMPACT_COUNT];
extern const inc_enum_t  inc_maintenance_statuses[INC_MAINT_COUNT];
extern const inc_enum_t  inc_component_statuses[INC_COMP_COUNT];
extern const inc_enum_t  inc_positions[INC_POSITION_COUNT];
extern const inc_enum_t  inc_subscriber_types[INC_SUBSCRIBER_COUNT];

/* "All Systems Operational", ... indexed by component status */
extern const char       *inc_overall_descriptions[INC_COMP_COUNT];


int inc_enum_find(const inc_enum_t *e, int n, const char *value);
const char *inc_enum_label(const inc_enum_t *e, int n, const char *value);
int inc_impact_component_status(int impact);


/*
 * Validation.  Each validator reads a client document and writes the
 * normalized fields it accepts into "out"; every problem becomes one
 * {"field", "message"} entry in "errors" (a cJSON array).  Nothing is
 * written to the store here.
 */

void inc_error_add(cJSON *errors, const char *field, const char *message);

void inc_validate_incident_create(const cJSON *in, time_t now, cJSON *out,
    cJSON *errors);
void inc_validate_incident_patch(const cJSON *in, time_t now, cJSON *out,
    cJSON *errors);
void inc_validate_update_create(const cJSON *in, cJSON *out, cJSON *errors);
void inc_validate_update_patch(const cJSON *in, cJSON *out, cJSON *errors);
void inc_validate_component(const cJSON *in, int create, cJSON *out,
    cJSON *errors);
void inc_validate_component_move(const cJSON *in, cJSON *out,
    cJSON *errors);
cJSON *inc_settings_defaults(void);
void inc_validate_settings(const cJSON *in, cJSON *out, cJSON *errors);
void inc_validate_subscribe(const cJSON *in, cJSON *out, cJSON *errors);
void inc_validate_maintenance(const cJSON *in, int create, cJSON *out,
    cJSON *errors);
void inc_validate_maintenance_update(const cJSON *in, cJSON *out,
    cJSON *errors);
void inc_validate_subscriber(const cJSON *in, cJSON *out, cJSON *errors);


/* status rules */

typedef struct {
    uint64_t   id;
    uint64_t   group_id;         /* 0: not in a group */
    int        base_status;
    int        status;           /* effective, filled by inc_effective */
    int        is_group;
    int        linked;           /* an unresolved incident names it */
    int        maintenance;      /* a maintenance in progress names it */
} inc_component_state_t;

void inc_effective_statuses(inc_component_state_t *c, size_t n);
int inc_overall_status(const inc_component_state_t *c, size_t n,
    const int *unlinked_impacts, size_t nimpacts);


/* times */

void inc_time_format(time_t t, char buf[INC_RFC3339_LEN + 1]);
int inc_time_parse(const char *s, time_t *t);


/* "45 minutes", "2 hours 5 minutes", "3 days 4 hours" */
void inc_duration_text(long seconds, char *buf, size_t size);


/* text */

int inc_utf8_valid(const unsigned char *p, size_t len);

/* the value of a hexadecimal digit, either case, or -1 */
int inc_hex_digit(int c);
size_t inc_utf8_length(const char *s);


#endif /* _INCIDENT_MODEL_H_INCLUDED_ */
