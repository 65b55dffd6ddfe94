/*
 * application/x-www-form-urlencoded bodies, as the admin UI
 * (ngx_http_incident_admin_post) and the public subscribe page decode
 * them: inc_form_parse(), the CSRF field, the form's API document, a
 * maintenance window read in UTC, the operation's validator and the
 * "first error of a field" pass.  The first byte chooses the form.
 */

#include "fuzz.h"

#include <cjson/cJSON.h>

#include "incident_model.h"
#include "incident_service.h"
#include "incident_form.h"


/* the admin routes of incident_admin.c, and the public subscribe form */
static const struct {
    inc_form_t  form;
    inc_op_t    op;
} fz_routes[] = {
    { INC_FORM_INCIDENT_CREATE, INC_OP_INCIDENT_CREATE },
    { INC_FORM_INCIDENT_EDIT, INC_OP_INCIDENT_PATCH },
    { INC_FORM_UPDATE_CREATE, INC_OP_UPDATE_CREATE },
    { INC_FORM_UPDATE_EDIT, INC_OP_UPDATE_PATCH },
    { INC_FORM_COMPONENT, INC_OP_COMPONENT_CREATE },
    { INC_FORM_COMPONENT, INC_OP_COMPONENT_PATCH },
    { INC_FORM_COMPONENT_MOVE, INC_OP_COMPONENT_MOVE },
    { INC_FORM_SETTINGS, INC_OP_SETTINGS_PATCH },
    { INC_FORM_SUBSCRIBER, INC_OP_SUBSCRIBER_CREATE },
    { INC_FORM_SUBSCRIBE, INC_OP_SUBSCRIBE },
    { INC_FORM_MAINT_CREATE, INC_OP_MAINT_CREATE },
    { INC_FORM_MAINT_EDIT, INC_OP_MAINT_PATCH },
    { INC_FORM_MAINT_UPDATE, INC_OP_MAINT_UPDATE_CREATE },
    { INC_FORM_MAINT_START, INC_OP_MAINT_UPDATE_CREATE },
    { INC_FORM_MAINT_COMPLETE, INC_OP_MAINT_UPDATE_CREATE },
    { INC_FORM_COUNT, INC_OP_INCIDENT_DELETE },      /* a delete: no form */
};

#define FZ_ROUTES  (sizeof(fz_routes) / sizeof(fz_routes[0]))


static void
fz_check_strings(const cJSON *json)
{
    const cJSON  *item;

    cJSON_ArrayForEach(item, json) {
        if (cJSON_IsString(item)) {
            FZ_ASSERT(inc_utf8_valid((unsigned char *) item->valuestring,
                                     strlen(item->valuestring)),
                      "a form value is not UTF-8");
        }

        fz_check_strings(item);
    }
}


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char         *body;
    size_t        r;
    cJSON        *form, *in, *api, *out, *errors;
    const cJSON  *values;

    if (size < 1) {
        return 0;
    }

    r = data[0] % FZ_ROUTES;
    data++;
    size--;

    body = fz_copy(data, size);

    form = inc_form_parse(body, size);

    if (form == NULL) {
        free(body);
        return 0;
    }

    /* every value a list of UTF-8 strings */
    cJSON_ArrayForEach(values, form) {
        FZ_ASSERT(cJSON_IsArray(values), "a field is not a list");
    }

    fz_check_strings(form);

    (void) inc_form_value(form, "csrf");
    (void) inc_form_value(form, "zone");

    in = fz_routes[r].form < INC_FORM_COUNT
         ? inc_form_to_json(fz_routes[r].form, form) : cJSON_CreateObject();
    errors = cJSON_CreateArray();
    out = cJSON_CreateObject();
    api = in;

    if (in != NULL && errors != NULL && out != NULL) {
        if (fz_routes[r].form == INC_FORM_MAINT_CREATE
            || fz_routes[r].form == INC_FORM_MAINT_EDIT)
        {
            api = cJSON_Duplicate(in, 1);

            if (api != NULL) {
                inc_form_window(api, 0, NULL, errors);
            }
        }

        if (api != NULL) {
            inc_service_validate(fz_routes[r].op, api, FZ_NOW, out, errors);
            inc_form_errors_first(errors);
            fz_check_strings(out);
        }
    }

    if (api != in) {
        cJSON_Delete(api);
    }

    cJSON_Delete(in);
    cJSON_Delete(out);
    cJSON_Delete(errors);
    cJSON_Delete(form);
    free(body);

    return 0;
}
