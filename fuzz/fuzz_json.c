/*
 * The API's JSON write path, as ngx_http_incident_api_write() runs it:
 * inc_json_parse_body() (UTF-8, no NUL, one JSON object), then the
 * operation's validator (or the Alertmanager parser).  The first byte chooses the operation; the rest is
 * the request body.
 */

#include "fuzz.h"

#include <cjson/cJSON.h>

#include "incident_model.h"
#include "incident_json.h"
#include "incident_service.h"
#include "incident_alertmanager.h"


/* the operator's incident_alertmanager_severity map of a typical config */
static const inc_am_severity_t  fz_severities[] = {
    { "page", INC_IMPACT_CRITICAL },
    { "ticket", INC_IMPACT_MINOR },
    { "Warning", INC_IMPACT_MAJOR },
    { "default", INC_IMPACT_NONE },
};


/* every string of a document, by the name of its field */
static void
fz_check_strings(const cJSON *json, const char *name, const char *what)
{
    const cJSON  *item;

    if (cJSON_IsString(json)
        && !inc_utf8_valid((unsigned char *) json->valuestring,
                           strlen(json->valuestring)))
    {
        fprintf(stderr, "not UTF-8: \"%s\"\n", name);
        FZ_ASSERT(0, what);
    }

    cJSON_ArrayForEach(item, json) {
        fz_check_strings(item, item->string ? item->string : name, what);
    }
}


/* what the store and the pages get must still be UTF-8 text */
static void
fz_check_document(const cJSON *doc, const char *what)
{
    char   *text;
    cJSON  *again;

    fz_check_strings(doc, "", what);

    text = cJSON_PrintUnformatted(doc);
    if (text == NULL) {
        return;                 /* out of memory */
    }

    again = cJSON_Parse(text);
    FZ_ASSERT(again != NULL, "a document does not parse back");

    cJSON_Delete(again);
    free(text);
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char        *body;
    cJSON       *in, *out, *errors;
    inc_op_t     op;
    const char  *detail;

    if (size < 1) {
        return 0;
    }

    op = (inc_op_t) (data[0] % INC_OP_COUNT);
    data++;
    size--;

    /* the body as nginx has it: not NUL-terminated */
    body = fz_copy(data, size);

    in = inc_json_parse_body(body, size, &detail);

    if (in == NULL) {
        FZ_ASSERT(detail != NULL, "a refused body without a reason");
        free(body);
        return 0;
    }

    /*
     * A raw NUL byte is not JSON, and cJSON cuts a string (or a member's
     * name) at it without a word: such a body is never taken.
     */
    FZ_ASSERT(memchr(body, '\0', size) == NULL,
              "a body with a raw NUL byte was taken");

    errors = cJSON_CreateArray();
    out = cJSON_CreateObject();

    if (errors != NULL && out != NULL) {
        if (op == INC_OP_ALERTMANAGER) {
            inc_am_parse(in, fz_severities,
                         sizeof(fz_severities) / sizeof(fz_severities[0]),
                         FZ_NOW, out, errors);

        } else {
            inc_service_validate(op, in, FZ_NOW, out, errors);
        }

        /* the 422 problem document, or the write's input */
        if (cJSON_GetArraySize(errors)) {
            fz_check_document(errors, "errors are not UTF-8 JSON");

        } else {
            fz_check_document(out, "validated input is not UTF-8 JSON");
        }
    }

    cJSON_Delete(errors);
    cJSON_Delete(out);
    cJSON_Delete(in);
    free(body);

    return 0;
}
