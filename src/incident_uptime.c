/*
 * Uptime from status spans.
 */

#include <stdlib.h>

#include "incident_model.h"
#include "incident_uptime.h"


#define INC_DAY  86400


time_t
inc_day_start(time_t t)
{
    return t - ((t % INC_DAY) + INC_DAY) % INC_DAY;
}


static int
inc_time_cmp(const void *a, const void *b)
{
    time_t  x = *(const time_t *) a, y = *(const time_t *) b;

    return x < y ? -1 : x > y;
}


static double
inc_downtime_weight(int status)
{
    switch (status) {
    case INC_COMP_MAJOR_OUTAGE:
        return 1.0;
    case INC_COMP_PARTIAL_OUTAGE:
        return 0.3;
    default:
        return 0.0;
    }
}


/* one day [from, to): cut at every span edge, take the worst per piece */
static void
inc_uptime_day(const inc_span_t *spans, size_t n, time_t from, time_t to,
    time_t *cuts, inc_uptime_day_t *day)
{
    int     worst, s;
    size_t  i, k, ncuts;
    time_t  a, b;

    day->status = INC_UPTIME_NO_DATA;
    day->known = 0;
    day->down = 0;

    if (from >= to) {
        return;
    }

    ncuts = 0;
    cuts[ncuts++] = from;
    cuts[ncuts++] = to;

    for (i = 0; i < n; i++) {
        if (spans[i].from > from && spans[i].from < to) {
            cuts[ncuts++] = spans[i].from;
        }

        if (spans[i].to > from && spans[i].to < to) {
            cuts[ncuts++] = spans[i].to;
        }
    }

    qsort(cuts, ncuts, sizeof(time_t), inc_time_cmp);

    day->status = INC_COMP_OPERATIONAL;

    for (k = 0; k + 1 < ncuts; k++) {
        a = cuts[k];
        b = cuts[k + 1];

        if (a == b) {
            continue;
        }

        worst = INC_COMP_OPERATIONAL;

        for (i = 0; i < n; i++) {
            if (spans[i].from <= a && spans[i].to >= b) {
                s = spans[i].status;
                if (s > worst) {
                    worst = s;
                }
            }
        }

        if (worst > day->status) {
            day->status = worst;
        }

        day->known += (double) (b - a);
        day->down += inc_downtime_weight(worst) * (double) (b - a);
    }
}


void
inc_uptime_days(const inc_span_t *spans, size_t n, time_t since,
    time_t now, int ndays, inc_uptime_day_t *days)
{
    int      d;
    time_t   first, from, to, *cuts;

    first = inc_day_start(now) - (time_t) (ndays - 1) * INC_DAY;

    cuts = malloc((2 * n + 2) * sizeof(time_t));

    for (d = 0; d < ndays; d++) {
        from = first + (time_t) d * INC_DAY;
        to = from + INC_DAY;

        if (from < since) {
            from = since;
        }

        if (to > now) {
            to = now;
        }

        if (cuts == NULL) {
            days[d].status = INC_UPTIME_NO_DATA;
            days[d].known = 0;
            days[d].down = 0;
            continue;
        }

        inc_uptime_day(spans, n, from, to, cuts, &days[d]);
    }

    free(cuts);
}


double
inc_uptime_percent(const inc_uptime_day_t *days, int ndays)
{
    int     d;
    double  known, down;

    known = 0;
    down = 0;

    for (d = 0; d < ndays; d++) {
        known += days[d].known;
        down += days[d].down;
    }

    if (known <= 0) {
        return 100.0;
    }

    return 100.0 * (1.0 - down / known);
}
