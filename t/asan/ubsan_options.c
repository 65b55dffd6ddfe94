/*
 * Preloaded before libubsan by t/asan/nginx (built by t/asan/run.sh).
 *
 * GCC's shared libubsan initializes itself at its first report, and only
 * then reads UBSAN_OPTIONS, from /proc/self/environ. In an nginx process
 * that memory has long been overwritten by the process title ("nginx:
 * worker process"), so the report would have no stack and the worker would
 * exit(1), which nginx logs as a mere [notice]. This library copies
 * UBSAN_OPTIONS at load time, before nginx touches it, and hands it to
 * libubsan through the __ubsan_default_options hook.
 *
 * log_path cannot go that way: libubsan applies it by calling
 * __sanitizer_set_report_path, which resolves to libasan's copy (loaded
 * first), and its own reports would still go to stderr. So the path is
 * taken from UBSAN_LOG_PATH and set here on libubsan's own copy.
 */

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

static char  options[8192];

__attribute__((constructor))
static void
capture_ubsan_options(void)
{
    void         *ubsan;
    const char   *o, *path;
    void        (*set_report_path)(const char *);

    o = getenv("UBSAN_OPTIONS");
    if (o != NULL) {
        strncpy(options, o, sizeof(options) - 1);
    }

    path = getenv("UBSAN_LOG_PATH");
    if (path == NULL || *path == '\0') {
        return;
    }

    ubsan = dlopen("libubsan.so.1", RTLD_NOW | RTLD_NOLOAD);
    if (ubsan == NULL) {
        return;
    }

    set_report_path = (void (*)(const char *))
                      dlsym(ubsan, "__sanitizer_set_report_path");
    if (set_report_path != NULL) {
        set_report_path(path);
    }
}

const char *
__ubsan_default_options(void)
{
    return options;
}
