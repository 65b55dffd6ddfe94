/*
 * A maintenance window as the admin UI's datetime-local controls send it
 * ("2026-11-27T22:00", seconds and a fraction optional), read by
 * inc_form_window() in UTC or in the status page's time zone (TZ), as
 * ngx_http_incident_admin_window() does.  The first byte chooses the zone
 * and whether it is used; the rest is "scheduledFor", a new line and
 * "scheduledUntil".
 */

#include "fuzz.h"

#include <cjson/cJSON.h>

#include "incident_model.h"
#include "incident_form.h"


/* zones with DST gaps and overlaps, half hours, a skipped day */
static const char  *fz_zones[] = {
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
    "America/Sao_Paulo",
    "Africa/Casablanca",
    "Europe/Dublin",
};

#define FZ_ZONES  (sizeof(fz_zones) / sizeof(fz_zones[0]))


static const char  *fz_zone_set;


static void
fz_tz(const char *zone)
{
    if (fz_zone_set != zone) {
        setenv("TZ", zone, 1);
        tzset();
        fz_zone_set = zone;
    }
}


/* a field that was read is an RFC 3339 UTC time of the same wall clock */
static void
fz_check(const cJSON *in, const char *field, const char *typed, int local)
{
    char          value[64];
    size_t        n;
    time_t        t;
    const cJSON  *v;

    v = cJSON_GetObjectItemCaseSensitive(in, field);

    if (v == NULL) {
        return;                 /* refused: its error is in "errors" */
    }

    FZ_ASSERT(cJSON_IsString(v), "a window time is not a string");
    FZ_ASSERT(strlen(v->valuestring) == INC_RFC3339_LEN,
              "a window time is not RFC 3339");
    FZ_ASSERT(inc_time_parse(v->valuestring, &t) == 0,
              "a window time does not parse");
    FZ_ASSERT(t >= 946684800, "a window time before 2000");

    n = strlen(typed);

    if (n >= 19 && typed[17] == '6') {
        return;                 /* a leap second: read as :59 */
    }

    /* shown again in the form, it is what was typed (without fraction) */
    inc_form_local_value(t, local, value, sizeof(value));

    FZ_ASSERT(strncmp(value, typed, 16) == 0,
              "a window time reads back as another wall-clock time");

    if (n >= 19 && strncmp(typed + 16, ":00", 3) != 0) {
        FZ_ASSERT(strncmp(value + 16, typed + 16, 3) == 0,
                  "a window time reads back with other seconds");

    } else {
        FZ_ASSERT(value[16] == '\0', "seconds appeared");
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int          local;
    char        *text, *nl, *until;
    cJSON       *in, *errors;
    const char  *zone;

    if (size < 1) {
        return 0;
    }

    zone = fz_zones[(data[0] >> 1) % FZ_ZONES];
    local = data[0] & 1;

    /* form values: decoded, never with a NUL */
    text = fz_cstr(data + 1, size - 1);
    if (text == NULL) {
        return 0;
    }

    nl = strchr(text, '\n');
    until = NULL;

    if (nl != NULL) {
        *nl = '\0';
        until = nl + 1;
    }

    fz_tz(local ? zone : "UTC");

    in = cJSON_CreateObject();
    errors = cJSON_CreateArray();

    if (in != NULL && errors != NULL) {
        cJSON_AddStringToObject(in, "scheduledFor", text);

        if (until != NULL) {
            cJSON_AddStringToObject(in, "scheduledUntil", until);
        }

        inc_form_window(in, local, zone, errors);

        fz_check(in, "scheduledFor", text, local);

        if (until != NULL) {
            fz_check(in, "scheduledUntil", until, local);
        }

        inc_form_errors_first(errors);
    }

    cJSON_Delete(in);
    cJSON_Delete(errors);
    free(text);

    return 0;
}
