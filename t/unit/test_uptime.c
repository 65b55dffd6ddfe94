/*
 * incident_uptime: per-day worst status and Statuspage's downtime rule
 * (major-outage minutes + 0.3 x partial-outage minutes), hand-computed.
 * Days are UTC days; time before "since" or after "now" has no data.
 */

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "incident_model.h"
#include "incident_uptime.h"
#include "tap.h"


#define DAY   86400
#define HOUR  3600

/* 2026-11-27T00:00:00Z, a UTC midnight */
#define D0    ((time_t) 1795737600)


static int
is_num(double got, double expected, const char *name)
{
    int  pass;

    pass = fabs(got - expected) < 1e-9;

    ok(pass, "%s", name);

    if (!pass) {
        diag("         got: %.12f", got);
        diag("    expected: %.12f", expected);
    }

    return pass;
}


static void
test_day_start(void)
{
    is_int(inc_day_start(D0), D0, "day_start of a midnight is itself");
    is_int(inc_day_start(D0 + 1), D0, "one second after midnight");
    is_int(inc_day_start(D0 + DAY - 1), D0, "the last second of the day");
    is_int(inc_day_start(D0 + 10 * HOUR), D0, "10:00 UTC");
    is_int(inc_day_start(D0 - 1), D0 - DAY, "one second before midnight");
    is_int(inc_day_start(0), 0, "the epoch");
    is_int(inc_day_start(-1), -DAY, "before the epoch: the day before");
    is_int(inc_day_start(-DAY), -DAY, "a midnight before the epoch");
}


static void
test_no_spans(void)
{
    inc_uptime_day_t  days[3];

    /* three full days known, today half */
    memset(days, 0x5a, sizeof(days));
    inc_uptime_days(NULL, 0, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_COMP_OPERATIONAL, "no spans: operational");
    is_num(days[0].known, DAY, "no spans: a whole day known");
    is_num(days[0].down, 0, "no spans: no downtime");
    is_num(days[2].known, 12 * HOUR, "today: known up to now");
    is_num(inc_uptime_percent(days, 3), 100, "no spans: 100%");

    /* nothing known at all */
    inc_uptime_days(NULL, 0, D0 + 12 * HOUR, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_UPTIME_NO_DATA, "since = now: day 0 no data");
    is_int(days[1].status, INC_UPTIME_NO_DATA, "since = now: day 1 no data");
    is_int(days[2].status, INC_UPTIME_NO_DATA, "since = now: today no data");
    is_num(days[2].known, 0, "since = now: nothing known");
    is_num(inc_uptime_percent(days, 3), 100,
           "nothing known: 100% (not a division by zero)");
    is_num(inc_uptime_percent(days, 0), 100, "no days: 100%");
}


static void
test_since(void)
{
    inc_uptime_day_t  days[3];
    inc_span_t        spans[1];

    /* data from 06:00 yesterday */
    inc_uptime_days(NULL, 0, D0 - DAY + 6 * HOUR, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_UPTIME_NO_DATA, "before since: no data");
    is_num(days[0].known, 0, "before since: nothing known");
    is_int(days[1].status, INC_COMP_OPERATIONAL, "the day of since: data");
    is_num(days[1].known, 18 * HOUR, "the day of since: from since on");
    is_num(days[2].known, 12 * HOUR, "today: up to now");

    /* since exactly at a midnight: that day is whole */
    inc_uptime_days(NULL, 0, D0 - DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_UPTIME_NO_DATA,
           "since at the midnight after day 0: day 0 no data");
    is_num(days[1].known, DAY, "since at midnight: the day is whole");

    /* an outage before "since" does not count */
    spans[0].from = D0 - DAY;
    spans[0].to = D0 - DAY + 2 * HOUR;
    spans[0].status = INC_COMP_PARTIAL_OUTAGE;

    inc_uptime_days(spans, 1, D0 - DAY + HOUR, D0 + 12 * HOUR, 3, days);

    is_int(days[1].status, INC_COMP_PARTIAL_OUTAGE,
           "a span across since: counted from since");
    is_num(days[1].known, 23 * HOUR, "known from since");
    is_num(days[1].down, 0.3 * HOUR, "only the hour after since counts");

    /* "now" at a midnight: today has no time yet */
    inc_uptime_days(NULL, 0, D0 - 5 * DAY, D0, 3, days);

    is_int(days[2].status, INC_UPTIME_NO_DATA,
           "now at midnight: today has no data yet");
    is_num(days[1].known, DAY, "now at midnight: yesterday whole");
}


static void
test_overlaps(void)
{
    double            known, down;
    inc_span_t        spans[4];
    inc_uptime_day_t  days[3];

    /* partial 01:00-03:00 and major 02:00-04:00 today */
    spans[0].from = D0 + 1 * HOUR;
    spans[0].to = D0 + 3 * HOUR;
    spans[0].status = INC_COMP_PARTIAL_OUTAGE;
    spans[1].from = D0 + 2 * HOUR;
    spans[1].to = D0 + 4 * HOUR;
    spans[1].status = INC_COMP_MAJOR_OUTAGE;

    inc_uptime_days(spans, 2, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_COMP_OPERATIONAL, "day 0 operational");
    is_int(days[1].status, INC_COMP_OPERATIONAL, "day 1 operational");
    is_int(days[2].status, INC_COMP_MAJOR_OUTAGE, "today: worst is major");
    is_num(days[2].known, 12 * HOUR, "today: 12 hours known");
    /* 1 h partial alone (0.3 h) + 2 h where major is the worst (2 h) */
    is_num(days[2].down, 0.3 * HOUR + 2 * HOUR,
           "overlap: the worst status wins, no double counting");

    known = 2 * DAY + 12 * HOUR;
    down = 0.3 * HOUR + 2 * HOUR;
    is_num(inc_uptime_percent(days, 3), 100.0 * (1 - down / known),
           "percent = 100 (1 - down / known) = 96.1667");
    is_num(inc_uptime_percent(days, 3), 96.16666666666667, "96.1667");

    /* two partial spans that overlap: 01:00-03:00 and 02:00-04:00 */
    spans[1].status = INC_COMP_PARTIAL_OUTAGE;
    inc_uptime_days(spans, 2, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[2].status, INC_COMP_PARTIAL_OUTAGE, "two partials: partial");
    is_num(days[2].down, 0.3 * 3 * HOUR,
           "two overlapping partials: 3 h at 0.3, not 4 h");

    /* a partial span inside a major one adds nothing */
    spans[0].from = D0 + 1 * HOUR;
    spans[0].to = D0 + 5 * HOUR;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;
    spans[1].from = D0 + 2 * HOUR;
    spans[1].to = D0 + 3 * HOUR;
    spans[1].status = INC_COMP_PARTIAL_OUTAGE;
    inc_uptime_days(spans, 2, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_num(days[2].down, 4 * HOUR, "partial inside major: 4 h of major");

    /* statuses that are not downtime still make the day's worst status */
    spans[0].from = D0 + 1 * HOUR;
    spans[0].to = D0 + 2 * HOUR;
    spans[0].status = INC_COMP_DEGRADED_PERFORMANCE;
    spans[1].from = D0 - DAY + HOUR;
    spans[1].to = D0 - DAY + 2 * HOUR;
    spans[1].status = INC_COMP_UNDER_MAINTENANCE;
    spans[2].from = D0 + 3 * HOUR;
    spans[2].to = D0 + 4 * HOUR;
    spans[2].status = INC_COMP_OPERATIONAL;
    inc_uptime_days(spans, 3, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[2].status, INC_COMP_DEGRADED_PERFORMANCE,
           "degraded performance is the day's status");
    is_num(days[2].down, 0, "degraded performance is not downtime");
    is_int(days[1].status, INC_COMP_UNDER_MAINTENANCE,
           "under maintenance is the day's status");
    is_num(days[1].down, 0, "maintenance is not downtime");
    is_num(inc_uptime_percent(days, 3), 100, "so 100%");

    /* maintenance and degraded at once: degraded is worse */
    spans[0].from = D0 + 1 * HOUR;
    spans[0].to = D0 + 3 * HOUR;
    spans[0].status = INC_COMP_UNDER_MAINTENANCE;
    spans[1].from = D0 + 2 * HOUR;
    spans[1].to = D0 + 4 * HOUR;
    spans[1].status = INC_COMP_DEGRADED_PERFORMANCE;
    inc_uptime_days(spans, 2, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[2].status, INC_COMP_DEGRADED_PERFORMANCE,
           "maintenance + degraded: degraded");

    /* empty and inverted spans are nothing */
    spans[0].from = D0 + 1 * HOUR;
    spans[0].to = D0 + 1 * HOUR;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;
    spans[1].from = D0 + 5 * HOUR;
    spans[1].to = D0 + 4 * HOUR;
    spans[1].status = INC_COMP_MAJOR_OUTAGE;
    inc_uptime_days(spans, 2, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[2].status, INC_COMP_OPERATIONAL, "empty spans: operational");
    is_num(days[2].down, 0, "empty spans: no downtime");
}


static void
test_boundaries(void)
{
    inc_span_t        spans[2];
    inc_uptime_day_t  days[3];

    /* partial 22:00 yesterday to 01:00 today, cut at midnight UTC */
    spans[0].from = D0 - 2 * HOUR;
    spans[0].to = D0 + 1 * HOUR;
    spans[0].status = INC_COMP_PARTIAL_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_COMP_OPERATIONAL, "day 0 untouched");
    is_int(days[1].status, INC_COMP_PARTIAL_OUTAGE, "yesterday: partial");
    is_num(days[1].down, 0.3 * 2 * HOUR, "yesterday: its 2 hours");
    is_int(days[2].status, INC_COMP_PARTIAL_OUTAGE, "today: partial");
    is_num(days[2].down, 0.3 * HOUR, "today: its 1 hour");

    /* exactly yesterday, [midnight, midnight): today untouched */
    spans[0].from = D0 - DAY;
    spans[0].to = D0;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_COMP_OPERATIONAL,
           "a span from midnight: the day before untouched");
    is_int(days[1].status, INC_COMP_MAJOR_OUTAGE, "the whole day major");
    is_num(days[1].down, DAY, "a whole day of downtime");
    is_int(days[2].status, INC_COMP_OPERATIONAL,
           "a span to midnight (exclusive): the next day untouched");
    is_num(days[2].down, 0, "the next day: no downtime");

    /* a span that covers the whole window and beyond */
    spans[0].from = D0 - 10 * DAY;
    spans[0].to = D0 + 10 * DAY;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 20 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[0].status, INC_COMP_MAJOR_OUTAGE, "all major: day 0");
    is_num(days[0].down, DAY, "all major: day 0 down all day");
    is_num(days[2].down, 12 * HOUR, "all major: today down up to now only");
    is_num(inc_uptime_percent(days, 3), 0, "all major: 0%");

    /* after "now": no effect */
    spans[0].from = D0 + 13 * HOUR;
    spans[0].to = D0 + 14 * HOUR;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 2 * DAY, D0 + 12 * HOUR, 3, days);

    is_int(days[2].status, INC_COMP_OPERATIONAL, "a span after now: nothing");
    is_num(days[2].down, 0, "a span after now: no downtime");

    /* before the window: no effect */
    spans[0].from = D0 - 5 * DAY;
    spans[0].to = D0 - 3 * DAY;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 10 * DAY, D0 + 12 * HOUR, 3, days);

    is_num(days[0].down, 0, "a span before the window: nothing");
    is_num(inc_uptime_percent(days, 3), 100, "a span before the window: 100%");

    /* the first second of the window */
    spans[0].from = D0 - 2 * DAY - 1;
    spans[0].to = D0 - 2 * DAY + 1;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 10 * DAY, D0 + 12 * HOUR, 3, days);

    is_num(days[0].down, 1, "a span across the window's start: 1 s inside");
}


static void
test_ninety_days(void)
{
    int               d, nodata;
    inc_span_t        spans[2];
    inc_uptime_day_t  days[INC_UPTIME_DAYS];
    time_t            now;

    now = D0 + 10 * HOUR;

    /* created 44 days and 10 hours ago: 45 days of data, 45 without */
    inc_uptime_days(NULL, 0, D0 - 44 * DAY, now, INC_UPTIME_DAYS, days);

    nodata = 0;
    for (d = 0; d < INC_UPTIME_DAYS; d++) {
        nodata += days[d].status == INC_UPTIME_NO_DATA;
    }

    is_int(nodata, 45, "90 days, data since 44 days ago: 45 without data");
    is_int(days[44].status, INC_UPTIME_NO_DATA, "day 44 has no data");
    is_int(days[45].status, INC_COMP_OPERATIONAL, "day 45 has data");
    is_int(days[89].status, INC_COMP_OPERATIONAL, "the last day is today");
    is_num(days[89].known, 10 * HOUR, "today: 10 hours");

    /* one whole day of partial outage in 10 known days: 97% */
    spans[0].from = D0 - 5 * DAY;
    spans[0].to = D0 - 4 * DAY;
    spans[0].status = INC_COMP_PARTIAL_OUTAGE;

    inc_uptime_days(spans, 1, D0 - 9 * DAY, D0 + DAY - 1, INC_UPTIME_DAYS,
                    days);

    is_int(days[84].status, INC_COMP_PARTIAL_OUTAGE, "the partial day");
    is_int(days[83].status, INC_COMP_OPERATIONAL, "the day before it");
    is_int(days[85].status, INC_COMP_OPERATIONAL, "the day after it");
    is_int(days[80].status, INC_COMP_OPERATIONAL, "since: day 80");
    is_int(days[79].status, INC_UPTIME_NO_DATA, "before since: day 79");
    is_num(inc_uptime_percent(days, INC_UPTIME_DAYS),
           100.0 * (1 - 0.3 * DAY / (10.0 * DAY - 1)),
           "one partial day in ten: about 97%");

    /* 45 minutes of major and 60 of partial in a 30-day window */
    spans[0].from = D0 - 3 * DAY;
    spans[0].to = D0 - 3 * DAY + 45 * 60;
    spans[0].status = INC_COMP_MAJOR_OUTAGE;
    spans[1].from = D0 - 2 * DAY;
    spans[1].to = D0 - 2 * DAY + 60 * 60;
    spans[1].status = INC_COMP_PARTIAL_OUTAGE;

    /* "now" at the next midnight: today (day 89) is that new day */
    inc_uptime_days(spans, 2, D0 - 29 * DAY, D0 + DAY, INC_UPTIME_DAYS,
                    days);

    is_int(days[89].status, INC_UPTIME_NO_DATA, "now at midnight: day 89 "
           "is the new day, no data yet");

    /* (45 + 0.3 x 60) minutes = 63 minutes down in 30 days */
    is_num(inc_uptime_percent(days, INC_UPTIME_DAYS),
           100.0 * (1 - 63.0 * 60 / (30.0 * DAY)),
           "45 min major + 60 min partial in 30 days: 99.8542%");
    is_num(days[85].down, 45 * 60, "the major day: 45 minutes");
    is_num(days[86].down, 0.3 * 60 * 60, "the partial day: 18 minutes");
}


int
main(void)
{
    test_day_start();
    test_no_spans();
    test_since();
    test_overlaps();
    test_boundaries();
    test_ninety_days();

    return done_testing();
}
