/*
 * The service tests' helpers: writes made as the nginx handler makes them
 * (validated first), and reading members of the documents they return.
 * Include after store_env.h.
 */

#ifndef _DOC_ENV_H_INCLUDED_
#define _DOC_ENV_H_INCLUDED_


#include <stdarg.h>
#include <stdlib.h>

#include "incident_service.h"
#include "store_env.h"


TAP_API uint64_t
gen(env_t *e)
{
    uint64_t  g;

    g = 0;
    inc_store_generation(e->store, &g);

    return g;
}

/* the last result, freed, ready for the next call */
TAP_API inc_result_t *
R(env_t *e)
{
    inc_result_free(&e->res);
    memset(&e->res, 0, sizeof(inc_result_t));
    e->invalid = 0;

    return &e->res;
}

/* a write as the handler does it; body NULL for DELETE */
TAP_API TAP_FMT(5, 6) int
wr(env_t *e, inc_op_t op, uint64_t id, uint64_t sub, const char *fmt, ...)
{
    char         *body;
    cJSON        *in, *out, *errors;
    va_list       args;
    inc_write_t   w;

    R(e);

    w.op = op;
    w.id = id;
    w.sub_id = sub;
    w.input = NULL;

    out = NULL;

    if (fmt != NULL) {
        body = malloc(65536);
        if (body == NULL) {
            abort();
        }

        va_start(args, fmt);
        vsnprintf(body, 65536, fmt, args);
        va_end(args);

        in = cJSON_Parse(body);
        if (in == NULL) {
            diag("the test's own JSON does not parse: %s", body);
            abort();
        }

        free(body);

        out = cJSON_CreateObject();
        errors = cJSON_CreateArray();

        inc_service_validate(op, in, e->ctx.now, out, errors);

        cJSON_Delete(in);

        if (cJSON_GetArraySize(errors)) {
            /* as the handler does: unknown ids are named in the same 422 */
            w.input = out;
            inc_service_check_references(e->store, &w, errors);
            cJSON_Delete(out);
            inc_result_problem(&e->res, 422, "Some fields are invalid; "
                               "nothing was changed.", errors);
            e->invalid = 1;
            return 422;
        }

        cJSON_Delete(errors);
        w.input = out;
    }

    inc_service_write(e->store, &e->ctx, &w, &e->res);
    cJSON_Delete(out);

    if (e->res.status >= 500) {
        diag("write failed: %d %s", e->res.status,
             e->res.store_error ? e->res.store_error : "");
    }

    return e->res.status;
}

/* "a.0.b": object members and array indexes */
TAP_API const cJSON *
at(const cJSON *j, const char *path)
{
    char         name[64];
    size_t       len;
    const char  *dot;

    while (j != NULL && *path) {
        dot = strchr(path, '.');
        len = dot ? (size_t) (dot - path) : strlen(path);

        if (len >= sizeof(name)) {
            return NULL;
        }

        memcpy(name, path, len);
        name[len] = '\0';

        if (cJSON_IsArray(j)) {
            j = cJSON_GetArrayItem(j, atoi(name));
        } else {
            j = cJSON_GetObjectItemCaseSensitive(j, name);
        }

        path += len + (dot ? 1 : 0);
    }

    return j;
}

TAP_API char *
scratch(void)
{
    static int   next;
    static char  bufs[16][8192];

    next = (next + 1) % 16;
    bufs[next][0] = '\0';

    return bufs[next];
}

/* a string member, or "(null)", "(missing)", "(not a string)" */
TAP_API const char *
S(const cJSON *j, const char *path)
{
    const cJSON  *item;

    item = at(j, path);

    if (item == NULL) {
        return "(missing)";
    }

    if (cJSON_IsNull(item)) {
        return "(null)";
    }

    return cJSON_IsString(item) ? item->valuestring : "(not a string)";
}

/* a number member, or -1 for null, -2 missing, -3 not a number */
TAP_API long long
N(const cJSON *j, const char *path)
{
    const cJSON  *item;

    item = at(j, path);

    if (item == NULL) {
        return -2;
    }

    if (cJSON_IsNull(item)) {
        return -1;
    }

    return cJSON_IsNumber(item) ? (long long) item->valuedouble : -3;
}

/* "true", "false" or something else */
TAP_API const char *
B(const cJSON *j, const char *path)
{
    const cJSON  *item;

    item = at(j, path);

    return cJSON_IsTrue(item) ? "true"
           : cJSON_IsFalse(item) ? "false" : "(not a boolean)";
}

/*
 * "1,2,3" or "m1,m2": the "id"s of an array of objects, or its members;
 * numbers and strings as they are, anything else as "?"
 */
TAP_API const char *
IDS(const cJSON *j, const char *path)
{
    char          *buf;
    size_t         len;
    const cJSON   *list, *item, *id;

    list = at(j, path);

    if (!cJSON_IsArray(list)) {
        return list == NULL ? "(missing)" : "(not an array)";
    }

    buf = scratch();
    buf[0] = '\0';
    len = 0;

    cJSON_ArrayForEach(item, list) {
        id = cJSON_IsObject(item) ? cJSON_GetObjectItem(item, "id") : item;

        if (cJSON_IsNumber(id)) {
            len += (size_t) snprintf(buf + len, 1024 - len, "%s%.17g",
                                     len ? "," : "", id->valuedouble);
        } else {
            len += (size_t) snprintf(buf + len, 1024 - len, "%s%s",
                                     len ? "," : "",
                                     cJSON_IsString(id) ? id->valuestring
                                                        : "?");
        }

        if (len >= 1024) {
            break;
        }
    }

    return buf;
}


#endif /* _DOC_ENV_H_INCLUDED_ */
