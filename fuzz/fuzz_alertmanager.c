/*
 * POST /api/v1/integrations/alertmanager: the body through the API's
 * checks (see fuzz_json.c) and inc_am_parse() with a small severity map.
 * fuzz_json.c reaches the same parser behind an operation byte; this
 * target spends all its time on it, with its own corpus and dictionary.
 */

#include "fuzz.h"

#include <cjson/cJSON.h>

#include "incident_model.h"
#include "incident_json.h"
#include "incident_alertmanager.h"


static const inc_am_severity_t  fz_severities[] = {
    { "page", INC_IMPACT_CRITICAL },
    { "ticket", INC_IMPACT_MINOR },
    { "default", INC_IMPACT_NONE },
};


/* every string the incident and its update are made of is UTF-8 */
static void
fz_check_utf8(const cJSON *json, const char *name)
{
    const cJSON  *item;

    if (cJSON_IsString(json)
        && !inc_utf8_valid((unsigned char *) json->valuestring,
                           strlen(json->valuestring)))
    {
        fprintf(stderr, "not UTF-8: \"%s\"\n", name);
        FZ_ASSERT(0, "the incident's fields are not UTF-8");
    }

    cJSON_ArrayForEach(item, json) {
        fz_check_utf8(item, item->string ? item->string : name);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int           impact;
    char         *body;
    cJSON        *in, *out, *errors;
    const cJSON  *item;
    const char   *reason;

    body = fz_copy(data, size);

    /* the body as the API takes it */
    in = inc_json_parse_body(body, size, &reason);

    if (in == NULL) {
        free(body);
        return 0;
    }

    errors = cJSON_CreateArray();
    out = cJSON_CreateObject();

    if (errors != NULL && out != NULL) {
        inc_am_parse(in, fz_severities,
                     sizeof(fz_severities) / sizeof(fz_severities[0]),
                     FZ_NOW, out, errors);

        if (cJSON_GetArraySize(errors) == 0) {
            /* what inc_op_alertmanager() relies on */
            item = cJSON_GetObjectItemCaseSensitive(out, "impact");
            FZ_ASSERT(cJSON_IsString(item), "no impact");

            impact = inc_enum_find(inc_impacts, INC_IMPACT_COUNT,
                                   item->valuestring);
            FZ_ASSERT(impact >= 0, "unknown impact");

            item = cJSON_GetObjectItemCaseSensitive(out, "title");
            FZ_ASSERT(cJSON_IsString(item)
                      && inc_utf8_length(item->valuestring) <= INC_TITLE_MAX,
                      "title too long");

            FZ_ASSERT(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(out,
                                                                "groupKey"))
                      && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(out,
                                                                "digest"))
                      && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(out,
                                                                "startedAt")),
                      "a field is missing");

            fz_check_utf8(out, "out");
        }
    }

    cJSON_Delete(errors);
    cJSON_Delete(out);
    cJSON_Delete(in);
    free(body);

    return 0;
}
