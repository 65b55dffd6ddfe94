/*
 * RFC 3339 times as clients send them (startedAt, resolvedAt,
 * scheduledFor, Alertmanager's startsAt): inc_time_parse(), and back
 * through inc_time_format().
 */

#include "fuzz.h"

#include "incident_model.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char    *s, buf[INC_RFC3339_LEN + 1];
    time_t   t, again;

    /* a JSON string as the validators see it: NUL-terminated */
    s = fz_cstr(data, size);
    if (s == NULL) {
        return 0;
    }

    t = 0;

    if (inc_time_parse(s, &t) == 0) {
        inc_time_format(t, buf);

        FZ_ASSERT(strlen(buf) == INC_RFC3339_LEN, "formatted length");

        /* what the store keeps reads back as the same moment */
        if (t >= 0 && t < (time_t) 253402300800LL) {  /* 10000-01-01 */
            FZ_ASSERT(inc_time_parse(buf, &again) == 0,
                      "a formatted time does not parse");
            FZ_ASSERT(again == t, "a time does not read back the same");
        }
    }

    free(s);

    return 0;
}
