/*
 * Uptime: the worst status of each day and the downtime, from the spans of
 * time a component spent in each status.  Statuspage's rule: downtime is
 * the major-outage minutes plus 0.3 times the partial-outage minutes.
 * Plain C, no I/O.
 */

#ifndef _INCIDENT_UPTIME_H_INCLUDED_
#define _INCIDENT_UPTIME_H_INCLUDED_


#include <stddef.h>
#include <time.h>


#define INC_UPTIME_DAYS      90
#define INC_UPTIME_NO_DATA   (-1)


typedef struct {
    time_t   from;
    time_t   to;             /* exclusive */
    int      status;         /* INC_COMP_* */
} inc_span_t;

typedef struct {
    int      status;         /* worst that day, or INC_UPTIME_NO_DATA */
    double   known;          /* seconds with data */
    double   down;           /* seconds of downtime, weighted */
} inc_uptime_day_t;


time_t inc_day_start(time_t t);

/*
 * Fills days[0 .. ndays-1], the oldest first, the last being the day of
 * "now".  At any moment the status is the worst of the spans covering it;
 * time before "since" or after "now" has no data.
 */
void inc_uptime_days(const inc_span_t *spans, size_t n, time_t since,
    time_t now, int ndays, inc_uptime_day_t *days);

/* 100 when nothing is known */
double inc_uptime_percent(const inc_uptime_day_t *days, int ndays);


#endif /* _INCIDENT_UPTIME_H_INCLUDED_ */
