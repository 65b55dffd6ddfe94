/*
 * The unit tests' environment: a store in a temporary directory, a
 * context, the result of the last call; removed again by env_close().
 */

#ifndef _STORE_ENV_H_INCLUDED_
#define _STORE_ENV_H_INCLUDED_


#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "incident_store.h"
#include "incident_service.h"
#include "tap.h"


typedef struct {
    char          *dir;
    inc_store_t   *store;
    inc_ctx_t      ctx;
    inc_result_t   res;            /* of the last call */
    int            invalid;        /* the validators refused the body */
} env_t;


/* the environment: a store in a temp directory */

static int
env_open(env_t *e)
{
    int   dead;
    char  err[256];

    memset(e, 0, sizeof(env_t));

    e->dir = strdup("/tmp/inc-unit-XXXXXX");
    if (e->dir == NULL || mkdtemp(e->dir) == NULL) {
        perror("mkdtemp");
        exit(2);
    }

    e->ctx.base_url = BASE_URL;
    e->ctx.actor = "ci";
    e->ctx.now = NOW;

    err[0] = '\0';

    if (inc_store_open(&e->store, e->dir, 16 * 1024 * 1024, &dead, err,
                       sizeof(err))
        != INC_OK)
    {
        diag("inc_store_open(%s): %s", e->dir, err);
        e->store = NULL;
        return 0;
    }

    return 1;
}


static void
env_close(env_t *e)
{
    DIR            *d;
    char            path[512];
    struct dirent  *de;

    inc_result_free(&e->res);
    inc_store_close(e->store);

    d = opendir(e->dir);

    if (d != NULL) {
        while ((de = readdir(d)) != NULL) {
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
            {
                snprintf(path, sizeof(path), "%s/%s", e->dir, de->d_name);
                unlink(path);
            }
        }
        closedir(d);
    }

    if (rmdir(e->dir) != 0) {
        diag("cannot remove %s", e->dir);
    }

    free(e->dir);
}


#endif /* _STORE_ENV_H_INCLUDED_ */
