/*
 * Helpers shared by the libFuzzer targets in fuzz/.  Each target feeds one
 * parser of untrusted input what nginx would hand it, the way the handler
 * does, and frees everything (LeakSanitizer fails a run that leaks).
 */

#ifndef _INCIDENT_FUZZ_H_INCLUDED_
#define _INCIDENT_FUZZ_H_INCLUDED_


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


/* 2026-01-01T00:00:00Z: a fixed "now", so that every run is repeatable */
#define FZ_NOW  ((time_t) 1767225600)


/* a property the code promises does not hold: a crash libFuzzer keeps */
#define FZ_ASSERT(cond, what)                                                 \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", what,     \
                    __FILE__, __LINE__);                                      \
            abort();                                                          \
        }                                                                     \
    } while (0)


/*
 * A copy of exactly "size" bytes in a heap block of its own, so that
 * AddressSanitizer catches a read one past the end (nginx's buffers are
 * not NUL-terminated either).
 */
static inline char *
fz_copy(const uint8_t *data, size_t size)
{
    char  *p;

    p = malloc(size ? size : 1);
    if (p == NULL) {
        abort();
    }

    if (size) {
        memcpy(p, data, size);
    }

    return p;
}


/* a NUL-terminated copy; NULL when the input holds a NUL itself */
static inline char *
fz_cstr(const uint8_t *data, size_t size)
{
    char  *p;

    if (memchr(data, '\0', size) != NULL) {
        return NULL;
    }

    p = malloc(size + 1);
    if (p == NULL) {
        abort();
    }

    memcpy(p, data, size);
    p[size] = '\0';

    return p;
}


#endif /* _INCIDENT_FUZZ_H_INCLUDED_ */
